//! Pure evaluation: checks are functions of (evidence, parameters, now). No I/O, no clock.

mod accounts;
pub mod catalog;
mod cloudtrail;
mod config;
mod ec2;
pub mod filter_pattern;
mod frontend;
mod governance;
mod iam;
mod kms;
mod monitoring;
mod org;
pub mod registry;
pub mod resource_policy;
mod s3;
mod securityhub;
mod services;
#[cfg(test)]
mod testing;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use catalog::{Catalog, CheckMeta, Framework, DEFAULT_FRAMEWORK};

use crate::evidence::{AccountEvidence, CollectError, Evidence};
use crate::model::{Finding, Remediation, Resource, Severity, Status};

/// What a check function sees.
pub struct CheckContext<'a> {
    pub account: &'a AccountEvidence,
    /// The whole snapshot, for organization-level checks that read another account's evidence.
    pub evidence: &'a Evidence,
    pub meta: &'a CheckMeta,
    pub params: &'a BTreeMap<String, i64>,
    pub now: DateTime<Utc>,
}

impl CheckContext<'_> {
    /// A numeric parameter: the user's override, else the TOML default.
    pub fn param(&self, name: &str) -> i64 {
        if let Some(v) = self.params.get(&format!("{}.{name}", self.meta.id)) {
            return *v;
        }
        self.meta
            .parameters
            .get(name)
            .and_then(|v| v.as_integer())
            .unwrap_or_else(|| {
                panic!(
                    "check {} reads parameter '{name}' that its TOML does not declare",
                    self.meta.id
                )
            })
    }

    /// The account as a resource, for account-wide verdicts.
    pub fn account_resource(&self) -> Resource {
        account_resource(&self.account.account_id)
    }

    pub fn home(&self) -> &str {
        &self.account.home_region
    }
}

pub fn account_resource(account_id: &str) -> Resource {
    Resource {
        kind: "AwsAccount".to_string(),
        id: format!("AWS::::Account:{account_id}"),
        name: account_id.to_string(),
    }
}

/// One verdict from a check, before the registry adds the check's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub region: String,
    pub resource: Resource,
    pub status: Status,
    pub detail: String,
    pub evidence: Value,
}

impl Outcome {
    pub fn new(
        region: &str,
        resource: Resource,
        status: Status,
        detail: impl Into<String>,
    ) -> Self {
        Outcome {
            region: region.to_string(),
            resource,
            status,
            detail: detail.into(),
            evidence: Value::Null,
        }
    }

    pub fn pass(region: &str, resource: Resource, detail: impl Into<String>) -> Self {
        Self::new(region, resource, Status::Pass, detail)
    }

    pub fn fail(region: &str, resource: Resource, detail: impl Into<String>) -> Self {
        Self::new(region, resource, Status::Fail, detail)
    }

    pub fn not_applicable(region: &str, resource: Resource, detail: impl Into<String>) -> Self {
        Self::new(region, resource, Status::NotApplicable, detail)
    }

    /// Evidence that failed to collect: ERROR, carrying the collector's reason.
    pub fn error(region: &str, resource: Resource, error: &CollectError) -> Self {
        Self::new(
            region,
            resource,
            Status::Error,
            format!("could not evaluate: {error}"),
        )
        .with_evidence(serde_json::to_value(error).unwrap_or(Value::Null))
    }

    /// Evidence written before warden read `what`: ERROR, asking for a new scan.
    pub fn not_collected(region: &str, resource: Resource, what: &str) -> Self {
        Self::new(
            region,
            resource,
            Status::Error,
            format!(
                "could not evaluate: this evidence has no {what}; scan again with this version"
            ),
        )
    }

    pub fn with_evidence(mut self, evidence: Value) -> Self {
        self.evidence = evidence;
        self
    }
}

/// One account-wide outcome per region: not collected (`what` names the data) where the field is
/// `None` (evidence from before warden read it), ERROR where it could not be read, else
/// `verdict`; one NOT_APPLICABLE when no region was scanned.
pub(crate) fn per_region_account<T>(
    ctx: &CheckContext,
    what: &str,
    get: impl Fn(&crate::evidence::RegionEvidence) -> Option<&crate::evidence::Collected<T>>,
    verdict: impl Fn(&str, &T) -> Outcome,
) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = ctx
        .account
        .regional
        .iter()
        .map(|(region, evidence)| match get(evidence) {
            None => Outcome::not_collected(region, ctx.account_resource(), what),
            Some(Err(e)) => Outcome::error(region, ctx.account_resource(), e),
            Some(Ok(value)) => verdict(region, value),
        })
        .collect();
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No region was scanned.",
        ));
    }
    out
}

/// One account-wide outcome per region for a setting that is on or off there: ERROR where it
/// could not be read (or was not collected: `what` names it), PASS when on, FAIL when off, with
/// `{key: on}` as the evidence.
pub(crate) fn per_region_setting(
    ctx: &CheckContext,
    what: &str,
    key: &str,
    setting: impl Fn(&crate::evidence::RegionEvidence) -> Option<&crate::evidence::Collected<bool>>,
    on: impl Fn(&str) -> String,
    off: impl Fn(&str) -> String,
) -> Vec<Outcome> {
    per_region_account(ctx, what, setting, |region, &enabled| {
        let outcome = if enabled {
            Outcome::pass(region, ctx.account_resource(), on(region))
        } else {
            Outcome::fail(region, ctx.account_resource(), off(region))
        };
        outcome.with_evidence(serde_json::json!({ key: enabled }))
    })
}

/// Which checks to run and which frameworks' manual requirements to list.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Framework ids; empty means the default framework.
    pub frameworks: Vec<String>,
    /// Only these check ids (empty: all).
    pub checks: Vec<String>,
    pub exclude_checks: Vec<String>,
    pub min_severity: Option<Severity>,
    /// Parameter overrides: `check_id.name` → value.
    pub params: BTreeMap<String, i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown framework '{0}'; known: {1} (see `warden checks list`)")]
    UnknownFramework(String, String),
    #[error("unknown check id '{0}' (see `warden checks list`)")]
    UnknownCheck(String),
    #[error("unknown parameter '{0}': expected CHECK_ID.NAME=VALUE with a parameter the check declares (see `warden checks show CHECK_ID`)")]
    UnknownParam(String),
}

impl Selection {
    /// Checks the names the user gave, so a typo is an error rather than an empty scan.
    pub fn validate(&self, catalog: &Catalog) -> Result<(), SelectionError> {
        for fw in &self.frameworks {
            if catalog.framework(fw).is_none() {
                let known: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
                return Err(SelectionError::UnknownFramework(
                    fw.clone(),
                    known.join(", "),
                ));
            }
        }
        for id in self.checks.iter().chain(&self.exclude_checks) {
            if !catalog.checks.contains_key(id) {
                return Err(SelectionError::UnknownCheck(id.clone()));
            }
        }
        for key in self.params.keys() {
            let known = key.split_once('.').is_some_and(|(check, name)| {
                catalog
                    .checks
                    .get(check)
                    .is_some_and(|m| m.parameters.contains_key(name))
            });
            if !known {
                return Err(SelectionError::UnknownParam(key.clone()));
            }
        }
        Ok(())
    }

    fn frameworks<'c>(&self, catalog: &'c Catalog) -> Vec<&'c Framework> {
        if self.frameworks.is_empty() {
            catalog.framework(DEFAULT_FRAMEWORK).into_iter().collect()
        } else {
            self.frameworks
                .iter()
                .filter_map(|id| catalog.framework(id))
                .collect()
        }
    }

    /// The check ids this selection runs, in catalogue order.
    pub fn selected_checks<'c>(&self, catalog: &'c Catalog) -> Vec<&'c CheckMeta> {
        let in_framework: Option<BTreeSet<&str>> = if self.frameworks.is_empty() {
            None
        } else {
            Some(
                self.frameworks(catalog)
                    .iter()
                    .flat_map(|f| f.requirements.iter())
                    .flat_map(|r| r.checks.iter().map(String::as_str))
                    .collect(),
            )
        };
        catalog
            .checks
            .values()
            .filter(|m| {
                in_framework
                    .as_ref()
                    .is_none_or(|s| s.contains(m.id.as_str()))
            })
            .filter(|m| self.checks.is_empty() || self.checks.contains(&m.id))
            .filter(|m| !self.exclude_checks.contains(&m.id))
            .filter(|m| self.min_severity.is_none_or(|min| m.severity >= min))
            .collect()
    }

    /// Manual findings are listed only when no check filter narrows the run.
    fn lists_manual(&self) -> bool {
        self.checks.is_empty() && self.min_severity.is_none()
    }
}

/// The stable finding id: `warden/<account>/<region>/<check_id>/<resource hash>`.
pub fn finding_id(account: &str, region: &str, check_id: &str, resource_id: &str) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(resource_id.as_bytes());
    let mut id = format!("warden/{account}/{region}/{check_id}/");
    for b in &digest[..8] {
        let _ = write!(id, "{b:02x}");
    }
    id
}

/// Runs the selected checks over every account in the evidence. Checks are independent and
/// pure, so they run on all cores; the order of findings is fixed (account, check, outcome).
pub fn evaluate(evidence: &Evidence, selection: &Selection, now: DateTime<Utc>) -> Vec<Finding> {
    let catalog = Catalog::builtin();
    let checks = selection.selected_checks(catalog);
    let jobs: Vec<(&AccountEvidence, &CheckMeta)> = evidence
        .accounts
        .iter()
        .flat_map(|a| checks.iter().map(move |m| (a, *m)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len().max(1));
    // Threads take the next job as they free up, so a few heavy checks (per-user IAM checks
    // over thousands of users) do not all land on one thread.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut per_job: Vec<Vec<Finding>> = vec![Vec::new(); jobs.len()];
    let done: Vec<Vec<(usize, Vec<Finding>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((account, meta)) = jobs.get(i) else {
                            break;
                        };
                        let ctx = CheckContext {
                            account,
                            evidence,
                            meta,
                            params: &selection.params,
                            now,
                        };
                        mine.push((i, run_check(&ctx, catalog)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for (i, findings) in done.into_iter().flatten() {
        per_job[i] = findings;
    }
    let mut findings = Vec::with_capacity(per_job.iter().map(Vec::len).sum());
    findings.extend(unscanned_findings(evidence));
    let mut per_job = per_job.drain(..);
    for account in &evidence.accounts {
        for _ in &checks {
            findings.extend(per_job.next().unwrap_or_default());
        }
        if selection.lists_manual() {
            findings.extend(manual_findings(account, selection, catalog));
        }
    }
    findings
}

fn run_check(ctx: &CheckContext, catalog: &Catalog) -> Vec<Finding> {
    let (account, meta) = (ctx.account, ctx.meta);
    let logic = registry::logic(&meta.id)
        .unwrap_or_else(|| panic!("check {} has a TOML but no logic", meta.id));
    let requirements = catalog.requirements_of(&meta.id);
    let outcomes = logic(ctx);
    debug_assert!(!outcomes.is_empty(), "check {} yielded nothing", meta.id);
    outcomes
        .into_iter()
        .map(|outcome| Finding {
            id: finding_id(
                &account.account_id,
                &outcome.region,
                &meta.id,
                &outcome.resource.id,
            ),
            account_id: account.account_id.clone(),
            partition: account.partition.clone(),
            region: outcome.region,
            check_id: meta.id.clone(),
            title: meta.title.clone(),
            severity: meta.severity,
            status: outcome.status,
            resource: outcome.resource,
            detail: outcome.detail,
            evidence: outcome.evidence,
            requirements: requirements.to_vec(),
            remediation: meta.remediation.clone(),
            muted: false,
            mute_reason: None,
        })
        .collect()
}

/// The check id of the account-level ERROR for an organization member that could not be scanned.
pub const ACCOUNT_SCAN_CHECK: &str = "warden_account_scan";

/// One ERROR per active member account that could not be scanned, carrying the reason.
fn unscanned_findings(evidence: &Evidence) -> Vec<Finding> {
    evidence
        .unscanned
        .iter()
        .filter_map(|u| u.error.as_ref().map(|e| (u, e)))
        .map(|(u, e)| {
            let resource = account_resource(&u.account_id);
            let region = e.region.clone();
            Finding {
                id: finding_id(&u.account_id, &region, ACCOUNT_SCAN_CHECK, &resource.id),
                account_id: u.account_id.clone(),
                partition: evidence
                    .accounts
                    .first()
                    .map(|a| a.partition.clone())
                    .unwrap_or_else(|| "aws".to_string()),
                region,
                check_id: ACCOUNT_SCAN_CHECK.to_string(),
                title: "The account could be scanned".to_string(),
                severity: Severity::High,
                status: Status::Error,
                resource,
                detail: format!(
                    "Account {}{} was not scanned, so none of its checks were evaluated: {e}",
                    u.account_id,
                    u.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                ),
                evidence: serde_json::to_value(e).unwrap_or(Value::Null),
                requirements: Vec::new(),
                remediation: Remediation {
                    text: "Make sure the scan role exists in the account, trusts the account warden runs from (and the external id, if one is used), and carries SecurityAudit and ViewOnlyAccess or warden's read-only policy.".to_string(),
                    cli: "aws sts assume-role --role-arn arn:aws:iam::<account-id>:role/<role> --role-session-name warden-check".to_string(),
                    console: String::new(),
                    url: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html".to_string(),
                },
                muted: false,
                mute_reason: None,
            }
        })
        .collect()
}

/// One MANUAL finding per requirement of the chosen frameworks that no check evaluates.
fn manual_findings(
    account: &AccountEvidence,
    selection: &Selection,
    catalog: &Catalog,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for fw in selection.frameworks(catalog) {
        for req in fw.requirements.iter().filter(|r| r.checks.is_empty()) {
            let check_id = format!("manual:{}:{}", fw.id, req.id);
            let resource = account_resource(&account.account_id);
            out.push(Finding {
                id: finding_id(
                    &account.account_id,
                    &account.home_region,
                    &check_id,
                    &resource.id,
                ),
                account_id: account.account_id.clone(),
                partition: account.partition.clone(),
                region: account.home_region.clone(),
                check_id,
                title: req.title.clone(),
                severity: Severity::Informational,
                status: Status::Manual,
                resource,
                detail: format!(
                    "Not evaluated automatically by warden: review by hand ({} {}, section {}).",
                    fw.name, req.id, req.section
                ),
                evidence: Value::Null,
                requirements: vec![fw.requirement_ref(req)],
                remediation: Remediation {
                    text: format!(
                        "Follow the audit and remediation steps of {} {}.",
                        fw.name, req.id
                    ),
                    cli: String::new(),
                    console: String::new(),
                    url: "https://www.cisecurity.org/benchmark/amazon_web_services".to_string(),
                },
                muted: false,
                mute_reason: None,
            });
        }
    }
    out
}

/// Days between two instants, rounded down.
pub(crate) fn days_between(earlier: DateTime<Utc>, later: DateTime<Utc>) -> i64 {
    (later - earlier).num_days()
}
