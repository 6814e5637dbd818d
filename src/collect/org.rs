//! Organization scans: list the member accounts, assume a role in each, scan them a few at a
//! time, and keep going when one cannot be scanned.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use chrono::Utc;
use futures::stream::{self, StreamExt};

use super::error::{classify_sdk_error, Scope};
use super::{identify, scan_account, ApiStats, Clients, ScanError, ScanOptions, ScanResult};
use crate::evidence::{
    CollectError, ErrorKind, Evidence, UnscannedAccount, EVIDENCE_SCHEMA_VERSION,
};

/// How to reach and choose the member accounts.
#[derive(Debug, Clone)]
pub struct OrgOptions {
    /// The role to assume in each member, e.g. `OrganizationAccountAccessRole`.
    pub role: String,
    pub external_id: Option<String>,
    pub session_name: String,
    pub session_duration: Option<Duration>,
    /// Only these account ids (empty: all).
    pub accounts: Vec<String>,
    pub exclude_accounts: Vec<String>,
    /// Only accounts under these organizational units (or roots), at any depth (empty: all).
    pub ous: Vec<String>,
    /// `(k, n)`: scan only shard k of n (1-based).
    pub shard: Option<(usize, usize)>,
    /// Accounts scanned at once.
    pub account_concurrency: usize,
}

/// A member account as Organizations lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
}

/// `organizations:ListAccounts`, every page.
pub async fn list_accounts(
    client: &aws_sdk_organizations::Client,
    scope: &Scope,
) -> Result<Vec<OrgAccount>, CollectError> {
    let pages: Vec<_> = client
        .list_accounts()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "organizations:ListAccounts", scope))?;
    Ok(pages
        .iter()
        .flat_map(|p| p.accounts())
        .map(|a| OrgAccount {
            id: a.id().unwrap_or_default().to_string(),
            name: a.name().unwrap_or_default().to_string(),
            status: a
                .state()
                .map(|s| s.as_str().to_string())
                .or_else(|| {
                    #[allow(deprecated)]
                    a.status().map(|s| s.as_str().to_string())
                })
                .unwrap_or_default(),
        })
        .collect())
}

/// Each account's organizational-unit path, e.g. `Root/prod/payments`: one walk down from the
/// roots, a few calls per OU (not per account).
pub async fn ou_paths(
    client: &aws_sdk_organizations::Client,
    scope: &Scope,
) -> Result<BTreeMap<String, String>, CollectError> {
    let roots: Vec<_> = client
        .list_roots()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "organizations:ListRoots", scope))?;
    let start = roots
        .iter()
        .flat_map(|p| p.roots())
        .filter_map(|r| Some((r.id()?.to_string(), r.name().unwrap_or("Root").to_string())))
        .collect();
    walk(client, start, scope).await
}

/// Every account under `parents` (OU or root ids), at any depth.
pub async fn accounts_under(
    client: &aws_sdk_organizations::Client,
    parents: &[String],
    scope: &Scope,
) -> Result<BTreeSet<String>, CollectError> {
    let start = parents.iter().map(|p| (p.clone(), p.clone())).collect();
    Ok(walk(client, start, scope).await?.into_keys().collect())
}

/// Walks the organization tree down from `start` ((parent id, path) pairs): account id → the
/// path of the OU that holds it.
async fn walk(
    client: &aws_sdk_organizations::Client,
    start: Vec<(String, String)>,
    scope: &Scope,
) -> Result<BTreeMap<String, String>, CollectError> {
    let mut stack = start;
    let mut paths = BTreeMap::new();
    while let Some((parent, path)) = stack.pop() {
        let accounts: Vec<_> = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify_sdk_error(&e, "organizations:ListAccountsForParent", scope))?;
        for a in accounts.iter().flat_map(|p| p.accounts()) {
            if let Some(id) = a.id() {
                paths.insert(id.to_string(), path.clone());
            }
        }
        let children: Vec<_> = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| {
                classify_sdk_error(&e, "organizations:ListOrganizationalUnitsForParent", scope)
            })?;
        for ou in children.iter().flat_map(|p| p.organizational_units()) {
            if let Some(id) = ou.id() {
                stack.push((
                    id.to_string(),
                    format!("{path}/{}", ou.name().unwrap_or(id)),
                ));
            }
        }
    }
    Ok(paths)
}

/// Splits the listed accounts into those to scan and those skipped (not active), after the
/// user's filters and the shard. Deterministic: accounts are taken in id order.
pub fn select_accounts(
    listed: &[OrgAccount],
    opts: &OrgOptions,
) -> (Vec<OrgAccount>, Vec<UnscannedAccount>) {
    let mut sorted: Vec<&OrgAccount> = listed.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let wanted: BTreeSet<&str> = opts.accounts.iter().map(String::as_str).collect();
    let excluded: BTreeSet<&str> = opts.exclude_accounts.iter().map(String::as_str).collect();
    let chosen = sorted
        .into_iter()
        .filter(|a| wanted.is_empty() || wanted.contains(a.id.as_str()))
        .filter(|a| !excluded.contains(a.id.as_str()))
        .enumerate()
        .filter(|(i, _)| opts.shard.is_none_or(|(k, n)| i % n == k - 1))
        .map(|(_, a)| a);
    let (mut scan, mut skipped) = (Vec::new(), Vec::new());
    for a in chosen {
        if a.status == "ACTIVE" {
            scan.push(a.clone());
        } else {
            skipped.push(UnscannedAccount {
                account_id: a.id.clone(),
                name: Some(a.name.clone()),
                status: a.status.clone(),
                error: None,
            });
        }
    }
    (scan, skipped)
}

/// Credentials for `account`: assumed through `role` from the caller's credentials.
pub async fn member_config(
    base: &SdkConfig,
    partition: &str,
    account: &str,
    org: &OrgOptions,
) -> SdkConfig {
    let role_arn = format!("arn:{partition}:iam::{account}:role/{}", org.role);
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name(&org.session_name)
        .configure(base);
    if let Some(id) = &org.external_id {
        builder = builder.external_id(id);
    }
    if let Some(d) = org.session_duration {
        builder = builder.session_length(d);
    }
    let provider = builder.build().await;
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// Scans the organization the caller belongs to.
pub async fn scan_org(
    sdk: SdkConfig,
    opts: &ScanOptions,
    org: &OrgOptions,
) -> Result<ScanResult, ScanError> {
    scan_org_using(sdk, opts, org, |base, partition, account| {
        let (base, partition, account) = (base.clone(), partition.to_string(), account.to_string());
        async move { member_config(&base, &partition, &account, org).await }
    })
    .await
}

/// [`scan_org`], with the way member credentials are obtained given by `assume`
/// (`(caller config, partition, member id) → member config`).
pub async fn scan_org_using<F, Fut>(
    sdk: SdkConfig,
    opts: &ScanOptions,
    org: &OrgOptions,
    assume: F,
) -> Result<ScanResult, ScanError>
where
    F: Fn(&SdkConfig, &str, &str) -> Fut,
    Fut: std::future::Future<Output = SdkConfig>,
{
    let started = Instant::now();
    let collected_at = Utc::now();
    let stats = ApiStats::default();
    let caller = identify(&sdk, opts, &stats).await?;
    let clients = Clients::new(
        sdk.clone(),
        opts.endpoint_url.clone(),
        stats.clone(),
        &caller.partition,
    );
    let scope = Scope {
        account: caller.account.clone(),
        region: caller.home.clone(),
        opt_in_region: false,
    };
    // Organizations is global; its endpoint lives in us-east-1 for the aws partition.
    let organizations = clients.organizations(&caller.home);
    let mut listed = list_accounts(&organizations, &scope)
        .await
        .map_err(ScanError::Organization)?;
    if !org.ous.is_empty() {
        let under = accounts_under(&organizations, &org.ous, &scope)
            .await
            .map_err(ScanError::Organization)?;
        listed.retain(|a| under.contains(&a.id));
    }
    // Names and OU paths are labels for the report: a denied walk only loses the labels.
    let paths = ou_paths(&organizations, &scope).await.unwrap_or_else(|e| {
        tracing::warn!("organizational-unit paths not read: {e}");
        BTreeMap::new()
    });
    let (members, mut unscanned) = select_accounts(&listed, org);
    for skipped in &unscanned {
        tracing::warn!(account = %skipped.account_id, status = %skipped.status, "skipping account that is not active");
    }
    let results: Vec<(
        OrgAccount,
        Result<crate::evidence::AccountEvidence, ScanError>,
    )> = stream::iter(members)
        .map(|member| {
            let (sdk, caller, stats, assume) = (&sdk, &caller, &stats, &assume);
            async move {
                let config = if member.id == caller.account {
                    sdk.clone()
                } else {
                    assume(sdk, &caller.partition, &member.id).await
                };
                let result = scan_member(config, &member, opts, stats).await;
                (member, result)
            }
        })
        .buffered(org.account_concurrency.max(1))
        .collect()
        .await;
    let mut accounts = Vec::new();
    for (member, result) in results {
        match result {
            Ok(mut evidence) => {
                evidence.name = Some(member.name.clone());
                evidence.ou_path = paths.get(&member.id).cloned();
                accounts.push(evidence);
            }
            Err(e) => {
                tracing::error!(account = %member.id, "account not scanned: {e}");
                unscanned.push(UnscannedAccount {
                    account_id: member.id.clone(),
                    name: Some(member.name.clone()),
                    status: member.status.clone(),
                    error: Some(account_error(&member.id, &caller.home, e)),
                });
            }
        }
    }
    unscanned.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    let mut evidence = Evidence {
        schema_version: EVIDENCE_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at,
        accounts,
        unscanned,
    };
    let (sdk_ref, caller_ref, assume_ref) = (&sdk, &caller, &assume);
    super::collect_admin_configs(&mut evidence, opts, &stats, |account| async move {
        if account == caller_ref.account {
            sdk_ref.clone()
        } else {
            assume_ref(sdk_ref, &caller_ref.partition, &account).await
        }
    })
    .await;
    Ok(ScanResult {
        evidence,
        api_calls: stats.snapshot(),
        elapsed: started.elapsed(),
    })
}

/// One member, with credentials for it.
async fn scan_member(
    config: SdkConfig,
    member: &OrgAccount,
    opts: &ScanOptions,
    stats: &ApiStats,
) -> Result<crate::evidence::AccountEvidence, ScanError> {
    // Assume the role (and prove it lands in the right account) before the fan-out.
    let identity = identify(&config, opts, stats).await?;
    if identity.account != member.id {
        return Err(ScanError::Identity(CollectError {
            kind: ErrorKind::Service {
                code: "WrongAccount".to_string(),
            },
            operation: "sts:GetCallerIdentity".to_string(),
            region: identity.home.clone(),
            account: member.id.clone(),
            message: format!(
                "the assumed role's credentials belong to account {}, not {}",
                identity.account, member.id
            ),
        }));
    }
    scan_account(config, &identity, opts, stats).await
}

/// A scan error as the account-level error kept in the evidence.
fn account_error(account: &str, region: &str, e: ScanError) -> CollectError {
    match e {
        ScanError::Identity(mut c) | ScanError::Regions(mut c) | ScanError::Organization(mut c) => {
            c.account = account.to_string();
            c
        }
        other => CollectError {
            kind: ErrorKind::Service {
                code: "ScanFailed".to_string(),
            },
            operation: "scan".to_string(),
            region: region.to_string(),
            account: account.to_string(),
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed() -> Vec<OrgAccount> {
        [
            ("333333333333", "ACTIVE"),
            ("111111111111", "ACTIVE"),
            ("222222222222", "SUSPENDED"),
            ("444444444444", "ACTIVE"),
            ("555555555555", "PENDING_CLOSURE"),
        ]
        .iter()
        .map(|(id, status)| OrgAccount {
            id: id.to_string(),
            name: format!("acct-{id}"),
            status: status.to_string(),
        })
        .collect()
    }

    fn opts() -> OrgOptions {
        OrgOptions {
            role: "OrganizationAccountAccessRole".into(),
            external_id: None,
            session_name: "warden".into(),
            session_duration: None,
            accounts: vec![],
            exclude_accounts: vec![],
            ous: vec![],
            shard: None,
            account_concurrency: 4,
        }
    }

    #[test]
    fn inactive_accounts_are_skipped_and_listed() {
        let (scan, skipped) = select_accounts(&listed(), &opts());
        let ids: Vec<&str> = scan.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["111111111111", "333333333333", "444444444444"]);
        let skipped: Vec<(&str, &str)> = skipped
            .iter()
            .map(|a| (a.account_id.as_str(), a.status.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("222222222222", "SUSPENDED"),
                ("555555555555", "PENDING_CLOSURE")
            ]
        );
    }

    #[test]
    fn filters_and_shards_are_deterministic_and_cover_everything_once() {
        let mut o = opts();
        o.exclude_accounts = vec!["333333333333".into()];
        let (scan, _) = select_accounts(&listed(), &o);
        assert!(scan.iter().all(|a| a.id != "333333333333"));
        o = opts();
        o.accounts = vec!["444444444444".into()];
        assert_eq!(select_accounts(&listed(), &o).0.len(), 1);
        let mut all = Vec::new();
        for k in 1..=3 {
            let mut o = opts();
            o.shard = Some((k, 3));
            let (scan, skipped) = select_accounts(&listed(), &o);
            all.extend(scan.into_iter().map(|a| a.id));
            all.extend(skipped.into_iter().map(|a| a.account_id));
        }
        all.sort();
        let mut every: Vec<String> = listed().into_iter().map(|a| a.id).collect();
        every.sort();
        assert_eq!(all, every);
    }
}
