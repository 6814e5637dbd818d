//! Collection: the only code that talks to AWS. It turns API answers into [`Evidence`].
//!
//! Regions, services, buckets and trails are read concurrently under one bound (`--concurrency`
//! units of work, each a few calls); every failed
//! call is kept in the evidence as a typed error.

pub mod cloudtrail;
pub mod ec2;
pub mod error;
pub mod frontend;
pub mod iam;
pub mod org;
pub mod regional;
pub mod s3;
pub mod services;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::endpoint::EndpointFuture;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use chrono::Utc;
use futures::future::join_all;
use tokio::sync::Semaphore;

use self::error::{classify_sdk_error, Scope};
use crate::evidence::{
    AccountEvidence, CloudTrailEvidence, CollectError, Evidence, RegionEvidence,
    EVIDENCE_SCHEMA_VERSION,
};

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub profile: Option<String>,
    /// The region for global services and for discovering regions (default: the SDK's).
    pub region: Option<String>,
    /// `None`: every region the account has enabled.
    pub regions: Option<Vec<String>>,
    pub endpoint_url: Option<String>,
    pub concurrency: usize,
    /// How long to wait for IAM to generate the credential report.
    pub credential_report_wait: Duration,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Where to send progress as it happens (the TUI's live scan).
    pub events: Option<tokio::sync::mpsc::UnboundedSender<ScanEvent>>,
    /// Scan the whole organization rather than the caller's account.
    pub org: Option<org::OrgOptions>,
}

/// Progress of a scan, for a live view.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanEvent {
    /// Collection of `account` will take `total` steps.
    Planned { account: String, total: u64 },
    /// One service finished in one region, with the errors it met.
    Step {
        account: String,
        region: String,
        service: String,
        errors: Vec<String>,
    },
}

/// The messages of the errors in a collected value, for progress reports.
/// The errors of a resource list and of each policy read in it.
fn policy_errors(
    r: &crate::evidence::Collected<Vec<crate::evidence::PolicyHolder>>,
) -> Vec<String> {
    let mut out = errs(r);
    for holder in r.iter().flatten() {
        out.extend(errs(&holder.policy));
    }
    out
}

fn errs<T>(r: &crate::evidence::Collected<T>) -> Vec<String> {
    r.as_ref()
        .err()
        .map(|e| e.to_string())
        .into_iter()
        .collect()
}

/// What a scan produced.
#[derive(Debug)]
pub struct ScanResult {
    pub evidence: Evidence,
    pub api_calls: BTreeMap<String, u64>,
    pub elapsed: Duration,
}

/// Failures that stop a scan before any evidence exists.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot identify the AWS account: {0}. Check the credentials warden uses (AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, `aws sso login`, or an instance role)")]
    Identity(CollectError),
    #[error(
        "cannot list the account's regions: {0}. Grant ec2:DescribeRegions or pass --regions r1,r2"
    )]
    Regions(CollectError),
    #[error("cannot list the organization's accounts: {0}. Run from the management account or a delegated administrator with organizations:ListAccounts")]
    Organization(CollectError),
    #[error("unknown region '{region}' for partition {partition}; known regions: {known}")]
    UnknownRegion {
        region: String,
        partition: String,
        known: String,
    },
}

/// Counts every HTTP attempt (pages and retries included) by `service:Operation`.
#[derive(Debug, Clone, Default)]
pub struct ApiStats(Arc<Mutex<BTreeMap<String, u64>>>);

impl ApiStats {
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Intercept for ApiStats {
    fn name(&self) -> &'static str {
        "WardenApiCallCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let key = cfg
            .load::<Metadata>()
            .map(|m| {
                format!(
                    "{}:{}",
                    m.service().to_lowercase().replace(' ', ""),
                    m.name()
                )
            })
            .unwrap_or_else(|| "unknown".to_string());
        if let Ok(mut map) = self.0.lock() {
            *map.entry(key).or_default() += 1;
        }
        Ok(())
    }
}

/// An S3 Control endpoint that keeps the host as given. The SDK would put the account id in
/// front of it (`123456789012.127.0.0.1`), which an emulator's address cannot resolve.
#[derive(Debug)]
struct FixedS3ControlEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedS3ControlEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(aws_smithy_types::endpoint::Endpoint::builder()
            .url(self.0.clone())
            .build()))
    }
}

/// Builds service clients for one account, for any region, all counting their calls.
#[derive(Debug, Clone)]
pub struct Clients {
    sdk: SdkConfig,
    endpoint_url: Option<String>,
    stats: ApiStats,
    pub partition: String,
}

macro_rules! client_for_region {
    ($fn_name:ident, $krate:ident) => {
        pub fn $fn_name(&self, region: &str) -> $krate::Client {
            let conf = $krate::config::Builder::from(&self.sdk)
                .region(Region::new(region.to_string()))
                .interceptor(self.stats.clone())
                .build();
            $krate::Client::from_conf(conf)
        }
    };
}

impl Clients {
    pub fn new(
        sdk: SdkConfig,
        endpoint_url: Option<String>,
        stats: ApiStats,
        partition: &str,
    ) -> Self {
        Clients {
            sdk,
            endpoint_url,
            stats,
            partition: partition.to_string(),
        }
    }

    client_for_region!(sts, aws_sdk_sts);
    client_for_region!(iam, aws_sdk_iam);
    client_for_region!(ec2, aws_sdk_ec2);
    client_for_region!(cloudtrail, aws_sdk_cloudtrail);
    client_for_region!(kms, aws_sdk_kms);
    client_for_region!(config, aws_sdk_config);
    client_for_region!(logs, aws_sdk_cloudwatchlogs);
    client_for_region!(cloudwatch, aws_sdk_cloudwatch);
    client_for_region!(sns, aws_sdk_sns);
    client_for_region!(organizations, aws_sdk_organizations);
    client_for_region!(securityhub, aws_sdk_securityhub);
    client_for_region!(guardduty, aws_sdk_guardduty);
    client_for_region!(accessanalyzer, aws_sdk_accessanalyzer);
    client_for_region!(rds, aws_sdk_rds);
    client_for_region!(efs, aws_sdk_efs);
    client_for_region!(sqs, aws_sdk_sqs);
    client_for_region!(lambda, aws_sdk_lambda);
    client_for_region!(account, aws_sdk_account);
    client_for_region!(elbv2, aws_sdk_elasticloadbalancingv2);
    client_for_region!(cloudfront, aws_sdk_cloudfront);

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()))
            .force_path_style(self.endpoint_url.is_some())
            .interceptor(self.stats.clone())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    pub fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        let mut conf = aws_sdk_s3control::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()))
            .interceptor(self.stats.clone());
        if let Some(url) = &self.endpoint_url {
            conf = conf.endpoint_resolver(FixedS3ControlEndpoint(url.clone()));
        }
        aws_sdk_s3control::Client::from_conf(conf.build())
    }
}

/// Loads credentials and settings from the standard AWS chain.
pub async fn load_sdk_config(opts: &ScanOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(5));
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &opts.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// The partition a region belongs to.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else {
        "aws"
    }
}

/// A region to scan and whether it is an opt-in region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionInfo {
    pub name: String,
    pub opt_in: bool,
}

/// Picks the regions to scan from `DescribeRegions`: the partition's enabled regions, or the
/// user's list. Regions not enabled are skipped with the reason.
pub fn choose_regions(
    described: &[(String, String)],
    partition: &str,
    wanted: Option<&[String]>,
) -> Result<(Vec<RegionInfo>, BTreeMap<String, String>), ScanError> {
    let in_partition: Vec<&(String, String)> = described
        .iter()
        .filter(|(name, _)| partition_of(name) == partition)
        .collect();
    let mut chosen = Vec::new();
    let mut skipped = BTreeMap::new();
    let names: Vec<String> = match wanted {
        None => in_partition.iter().map(|(n, _)| n.clone()).collect(),
        Some(list) => list.to_vec(),
    };
    for name in names {
        let Some((_, status)) = in_partition.iter().find(|(n, _)| *n == name) else {
            let mut known: Vec<&str> = in_partition.iter().map(|(n, _)| n.as_str()).collect();
            known.sort();
            return Err(ScanError::UnknownRegion {
                region: name,
                partition: partition.to_string(),
                known: known.join(", "),
            });
        };
        if status == "not-opted-in" {
            skipped.insert(
                name,
                "opt-in region not enabled for this account (enable it in the Account settings to scan it)"
                    .to_string(),
            );
        } else {
            chosen.push(RegionInfo {
                name,
                opt_in: status == "opted-in",
            });
        }
    }
    chosen.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((chosen, skipped))
}

/// Progress: a bar on stderr (services × regions done) and/or events for a live view.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    events: Option<tokio::sync::mpsc::UnboundedSender<ScanEvent>>,
    account: String,
}

impl Progress {
    fn new(total: u64, opts: &ScanOptions, account: &str) -> Self {
        let bar = opts.progress.then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed}] {bar:30} {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        if let Some(tx) = &opts.events {
            let _ = tx.send(ScanEvent::Planned {
                account: account.to_string(),
                total,
            });
        }
        Progress {
            bar,
            events: opts.events.clone(),
            account: account.to_string(),
        }
    }

    fn step(&self, what: &str, region: &str, errors: Vec<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{what} {region}"));
            bar.inc(1);
        }
        if let Some(tx) = &self.events {
            // A closed receiver (the UI quit) must not stop the scan.
            let _ = tx.send(ScanEvent::Step {
                account: self.account.clone(),
                region: region.to_string(),
                service: what.to_string(),
                errors,
            });
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Scans the account the credentials belong to.
pub async fn scan(opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    let sdk = load_sdk_config(opts).await;
    match &opts.org {
        Some(org) => org::scan_org(sdk, opts, org).await,
        None => scan_with_config(sdk, opts).await,
    }
}

/// Scans the account that `sdk`'s credentials belong to.
pub async fn scan_with_config(sdk: SdkConfig, opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    let started = Instant::now();
    let collected_at = Utc::now();
    let stats = ApiStats::default();
    let identity = identify(&sdk, opts, &stats).await?;
    let account = scan_account(sdk.clone(), &identity, opts, &stats).await?;
    let mut evidence = Evidence {
        schema_version: EVIDENCE_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at,
        accounts: vec![account],
        unscanned: Vec::new(),
    };
    collect_admin_configs(&mut evidence, opts, &stats, |_| {
        std::future::ready(sdk.clone())
    })
    .await;
    Ok(ScanResult {
        evidence,
        api_calls: stats.snapshot(),
        elapsed: started.elapsed(),
    })
}

/// Who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub partition: String,
    /// The region global services are read from.
    pub home: String,
}

/// `sts:GetCallerIdentity`: the account and partition of `sdk`'s credentials.
pub async fn identify(
    sdk: &SdkConfig,
    opts: &ScanOptions,
    stats: &ApiStats,
) -> Result<Identity, ScanError> {
    let home = sdk
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".to_string());
    let clients = Clients::new(
        sdk.clone(),
        opts.endpoint_url.clone(),
        stats.clone(),
        partition_of(&home),
    );
    let scope = Scope {
        account: "unknown".to_string(),
        region: home.clone(),
        opt_in_region: false,
    };
    let identity = clients
        .sts(&home)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            ScanError::Identity(classify_sdk_error(&e, "sts:GetCallerIdentity", &scope))
        })?;
    Ok(Identity {
        account: identity.account().unwrap_or_default().to_string(),
        partition: identity
            .arn()
            .and_then(|a| a.split(':').nth(1))
            .unwrap_or(partition_of(&home))
            .to_string(),
        home,
    })
}

/// Scans one account whose identity is known: discovers its regions, then collects.
pub async fn scan_account(
    sdk: SdkConfig,
    identity: &Identity,
    opts: &ScanOptions,
    stats: &ApiStats,
) -> Result<AccountEvidence, ScanError> {
    let home = &identity.home;
    let clients = Clients::new(
        sdk,
        opts.endpoint_url.clone(),
        stats.clone(),
        &identity.partition,
    );
    let scope = Scope {
        account: identity.account.clone(),
        region: home.clone(),
        opt_in_region: false,
    };
    let described = clients
        .ec2(home)
        .describe_regions()
        .all_regions(true)
        .send()
        .await;
    let described: Vec<(String, String)> = match described {
        Ok(out) => out
            .regions()
            .iter()
            .filter_map(|r| {
                Some((
                    r.region_name()?.to_string(),
                    r.opt_in_status()
                        .unwrap_or("opt-in-not-required")
                        .to_string(),
                ))
            })
            .collect(),
        // With an explicit list the scan can go on without DescribeRegions.
        Err(e) => match &opts.regions {
            Some(list) => list
                .iter()
                .map(|r| (r.clone(), "opt-in-not-required".to_string()))
                .collect(),
            None => {
                return Err(ScanError::Regions(classify_sdk_error(
                    &e,
                    "ec2:DescribeRegions",
                    &scope,
                )))
            }
        },
    };
    let (regions, skipped) =
        choose_regions(&described, &identity.partition, opts.regions.as_deref())?;
    for (region, why) in &skipped {
        tracing::warn!(account = %identity.account, %region, "skipping region: {why}");
    }
    Ok(collect_account(&clients, &identity.account, home, regions, skipped, opts).await)
}

const REGIONAL_SERVICES: u64 = 14;
/// Steps read once per account: IAM, S3, account contacts, CloudFront and the trails.
const ACCOUNT_STEPS: u64 = 5;

/// Collects one account: global services once, regional services in every region.
pub async fn collect_account(
    clients: &Clients,
    account_id: &str,
    home: &str,
    regions: Vec<RegionInfo>,
    skipped: BTreeMap<String, String>,
    opts: &ScanOptions,
) -> AccountEvidence {
    let progress = Progress::new(
        REGIONAL_SERVICES * regions.len() as u64 + ACCOUNT_STEPS,
        opts,
        account_id,
    );
    let limit = Semaphore::new(opts.concurrency.max(1));
    let home_scope = Scope {
        account: account_id.to_string(),
        region: home.to_string(),
        opt_in_region: false,
    };
    let iam = async {
        let _permit = limit.acquire().await;
        let out = iam::collect(&clients.iam(home), &home_scope, opts.credential_report_wait).await;
        let mut errors = errs(&out.credential_report);
        errors.extend(errs(&out.authorization_details));
        errors.extend(errs(&out.password_policy));
        errors.extend(errs(&out.account_summary));
        errors.extend(errs(&out.virtual_mfa_devices));
        errors.extend(errs(&out.server_certificates));
        progress.step("iam", home, errors);
        out
    };
    let s3 = async {
        let out = s3::collect(clients, &home_scope, &limit).await;
        let mut errors = errs(&out.buckets);
        errors.extend(errs(&out.account_public_access_block));
        progress.step("s3", home, errors);
        out
    };
    let regional = join_all(regions.iter().map(|r| {
        let scope = Scope {
            account: account_id.to_string(),
            region: r.name.clone(),
            opt_in_region: r.opt_in,
        };
        collect_region(clients, scope, &limit, &progress)
    }));
    let organization = async {
        let _permit = limit.acquire().await;
        let organizations = clients.organizations(home);
        let info = regional::organization(&organizations, &home_scope).await;
        // Delegated administrators are listed by the management account only.
        let mut admins = BTreeMap::new();
        let mut governance = None;
        if matches!(&info, Ok(Some(o)) if o.management_account_id == account_id) {
            for principal in [
                crate::evidence::GUARDDUTY_PRINCIPAL,
                crate::evidence::SECURITYHUB_PRINCIPAL,
            ] {
                let listed =
                    regional::delegated_admins(&organizations, principal, &home_scope).await;
                admins.insert(principal.to_string(), listed);
            }
            governance = Some(
                services::org_governance(&clients.iam(home), &organizations, &home_scope).await,
            );
        }
        (info, admins, governance)
    };
    let contacts = async {
        let _permit = limit.acquire().await;
        let out = services::contacts(&clients.account(home), &home_scope).await;
        let mut errors = errs(&out.primary);
        for read in out.alternate.values() {
            errors.extend(errs(read));
        }
        progress.step("account", home, errors);
        out
    };
    let cloudfront = async {
        let _permit = limit.acquire().await;
        let out = frontend::distributions(&clients.cloudfront(home), &home_scope).await;
        let mut errors = errs(&out);
        for d in out.iter().flatten() {
            errors.extend(errs(&d.logging_bucket));
        }
        progress.step("cloudfront", home, errors);
        out
    };
    let (iam, s3, regional, (organization, delegated_admins, org_governance), contacts, cloudfront) =
        tokio::join!(iam, s3, regional, organization, contacts, cloudfront);

    let mut described = BTreeMap::new();
    let mut regional_map = BTreeMap::new();
    for (region, (evidence, trails)) in regions.iter().zip(regional) {
        described.insert(region.name.clone(), trails);
        regional_map.insert(region.name.clone(), evidence);
    }
    let mut trail_evidence = cloudtrail::merge_descriptions(&described);
    let trails = std::mem::take(&mut trail_evidence.trails);
    let opt_in: BTreeMap<&str, bool> = regions
        .iter()
        .map(|r| (r.name.as_str(), r.opt_in))
        .collect();
    let read = join_all(trails.into_values().map(|trail| {
        let scope = Scope {
            account: account_id.to_string(),
            region: trail.home_region.clone(),
            opt_in_region: opt_in
                .get(trail.home_region.as_str())
                .copied()
                .unwrap_or(false),
        };
        let limit = &limit;
        async move {
            let _permit = limit.acquire().await;
            let client = clients.cloudtrail(&scope.region);
            cloudtrail::read_trail(&client, &scope, trail).await
        }
    }))
    .await;
    let errors = read
        .iter()
        .flat_map(|t| errs(&t.status).into_iter().chain(errs(&t.selectors)))
        .collect();
    progress.step("trails", home, errors);
    progress.finish();

    AccountEvidence {
        account_id: account_id.to_string(),
        name: None,
        ou_path: None,
        partition: clients.partition.clone(),
        home_region: home.to_string(),
        regions: regions.iter().map(|r| r.name.clone()).collect(),
        skipped_regions: skipped,
        iam,
        s3,
        cloudtrail: CloudTrailEvidence {
            trails: read.into_iter().map(|t| (t.arn.clone(), t)).collect(),
            ..trail_evidence
        },
        regional: regional_map,
        organization: Some(organization),
        delegated_admins,
        admin_configs: BTreeMap::new(),
        contacts: Some(contacts),
        org_governance,
        cloudfront: Some(cloudfront),
    }
}

/// For every scanned account that the management account lists as a delegated administrator,
/// reads that service's organization configuration in each of the account's regions.
/// `config_for` gives an account's credentials.
pub async fn collect_admin_configs<F, Fut>(
    evidence: &mut Evidence,
    opts: &ScanOptions,
    stats: &ApiStats,
    config_for: F,
) where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = SdkConfig>,
{
    let mut wanted: Vec<(String, String)> = Vec::new();
    for account in &evidence.accounts {
        for (principal, admins) in &account.delegated_admins {
            for admin in admins.iter().flatten() {
                if evidence.accounts.iter().any(|a| &a.account_id == admin) {
                    wanted.push((admin.clone(), principal.clone()));
                }
            }
        }
    }
    for (admin, principal) in wanted {
        let Some(account) = evidence.accounts.iter_mut().find(|a| a.account_id == admin) else {
            continue;
        };
        let clients = Clients::new(
            config_for(admin.clone()).await,
            opts.endpoint_url.clone(),
            stats.clone(),
            &account.partition,
        );
        let mut by_region = BTreeMap::new();
        for region in account.regions.clone() {
            let scope = Scope {
                account: admin.clone(),
                region: region.clone(),
                opt_in_region: false,
            };
            let config = if principal == crate::evidence::GUARDDUTY_PRINCIPAL {
                regional::guardduty_auto_enable(&clients.guardduty(&region), &scope).await
            } else {
                Box::pin(regional::securityhub_auto_enable(
                    &clients.securityhub(&region),
                    &scope,
                ))
                .await
            };
            by_region.insert(region, config);
        }
        account.admin_configs.insert(principal, by_region);
    }
}

type RegionTrails = crate::evidence::Collected<Vec<aws_sdk_cloudtrail::types::Trail>>;

async fn collect_region(
    clients: &Clients,
    scope: Scope,
    limit: &Semaphore,
    progress: &Progress,
) -> (RegionEvidence, RegionTrails) {
    let region = scope.region.as_str();
    let s = &scope;
    let step = |what: &str, errors: Vec<String>| progress.step(what, region, errors);
    let trails = async {
        let _p = limit.acquire().await;
        let out = cloudtrail::describe_trails(&clients.cloudtrail(region), s).await;
        step("cloudtrail", errs(&out));
        out
    };
    let config = async {
        let _p = limit.acquire().await;
        let out = regional::config(&clients.config(region), s).await;
        let mut errors = errs(&out.recorders);
        errors.extend(errs(&out.recorder_statuses));
        errors.extend(errs(&out.delivery_channels));
        if let Some(aggregators) = &out.aggregators {
            errors.extend(errs(aggregators));
        }
        step("config", errors);
        out
    };
    let kms = async {
        let _p = limit.acquire().await;
        let client = clients.kms(region);
        let keys = regional::kms_keys(&client, s).await;
        let policies = services::kms_key_policies(&client, &keys, s).await;
        let mut errors = errs(&keys);
        errors.extend(policy_errors(&policies));
        step("kms", errors);
        (keys, policies)
    };
    let analyzers = async {
        let _p = limit.acquire().await;
        let out = services::access_analyzers(&clients.accessanalyzer(region), s).await;
        step("access-analyzer", errs(&out));
        out
    };
    let rds = async {
        let _p = limit.acquire().await;
        let out = services::rds(&clients.rds(region), s).await;
        let mut errors = errs(&out.instances);
        errors.extend(errs(&out.clusters));
        step("rds", errors);
        out
    };
    let efs = async {
        let _p = limit.acquire().await;
        let out = services::efs(&clients.efs(region), s).await;
        step("efs", errs(&out));
        out
    };
    let guardduty = async {
        let _p = limit.acquire().await;
        let out = services::guardduty_detectors(&clients.guardduty(region), s).await;
        let mut errors = errs(&out);
        for d in out.iter().flatten() {
            errors.extend(errs(&d.status));
        }
        step("guardduty", errors);
        out
    };
    let policies = async {
        let _p = limit.acquire().await;
        let (sns_client, sqs_client, lambda_client) = (
            clients.sns(region),
            clients.sqs(region),
            clients.lambda(region),
        );
        let (sns, sqs, lambda) = tokio::join!(
            services::sns_topic_policies(&sns_client, s),
            services::sqs_queue_policies(&sqs_client, s),
            services::lambda_policies(&lambda_client, s),
        );
        let mut errors = policy_errors(&sns);
        errors.extend(policy_errors(&sqs));
        errors.extend(policy_errors(&lambda));
        step("resource policies", errors);
        (sns, sqs, lambda)
    };
    let filters = async {
        let _p = limit.acquire().await;
        let out = regional::metric_filters(&clients.logs(region), s).await;
        step("logs", errs(&out));
        out
    };
    let alarms = async {
        let _p = limit.acquire().await;
        let out = regional::alarms(&clients.cloudwatch(region), s).await;
        step("cloudwatch", errs(&out));
        out
    };
    let subs = async {
        let _p = limit.acquire().await;
        let out = regional::sns_subscriptions(&clients.sns(region), s).await;
        step("sns", errs(&out));
        out
    };
    let ec2 = async {
        let _p = limit.acquire().await;
        let out = ec2::collect(&clients.ec2(region), s).await;
        let mut errors = errs(&out.ebs_encryption_by_default);
        errors.extend(errs(&out.vpcs));
        errors.extend(errs(&out.security_groups));
        errors.extend(errs(&out.network_acls));
        errors.extend(errs(&out.flow_logs));
        errors.extend(errs(&out.instances));
        let peering = services::peering(&clients.ec2(region), s).await;
        errors.extend(errs(&peering.routes));
        errors.extend(errs(&peering.connections));
        step("ec2", errors);
        (out, peering)
    };
    let securityhub = async {
        let _p = limit.acquire().await;
        let out = Box::pin(regional::securityhub_enabled(
            &clients.securityhub(region),
            s,
        ))
        .await;
        step("securityhub", errs(&out));
        out
    };
    let load_balancers = async {
        let _p = limit.acquire().await;
        let out = frontend::load_balancers(&clients.elbv2(region), s).await;
        let mut errors = errs(&out);
        for lb in out.iter().flatten() {
            errors.extend(errs(&lb.access_logs));
        }
        step("elb", errors);
        out
    };
    // One join: every service of the region proceeds at once, bounded by `limit`. Each future
    // is boxed so the region's future stays small on the stack.
    let (
        trails,
        config,
        (kms, kms_policies),
        metric_filters,
        alarms,
        sns_subscriptions,
        load_balancers,
        (ec2, peering),
        securityhub,
        analyzers,
        rds,
        efs,
        guardduty,
        (sns, sqs, lambda),
    ) = tokio::join!(
        Box::pin(trails),
        Box::pin(config),
        Box::pin(kms),
        Box::pin(filters),
        Box::pin(alarms),
        Box::pin(subs),
        Box::pin(load_balancers),
        Box::pin(ec2),
        Box::pin(securityhub),
        Box::pin(analyzers),
        Box::pin(rds),
        Box::pin(efs),
        Box::pin(guardduty),
        Box::pin(policies)
    );
    (
        RegionEvidence {
            config,
            kms,
            metric_filters,
            alarms,
            sns_subscriptions,
            ec2: Some(ec2),
            securityhub_enabled: Some(securityhub),
            access_analyzers: Some(analyzers),
            rds: Some(rds),
            efs: Some(efs),
            guardduty: Some(guardduty),
            resource_policies: Some(crate::evidence::ResourcePolicies {
                sns_topics: sns,
                sqs_queues: sqs,
                kms_keys: kms_policies,
                lambda_functions: lambda,
            }),
            peering: Some(peering),
            load_balancers: Some(load_balancers),
        },
        trails,
    )
}

/// Builds SDK clients that answer from `aws-smithy-mocks` rules, for error-shape tests.
#[cfg(test)]
macro_rules! mocked_client {
    ($krate:ident, $($rule:expr),+ $(,)?) => {{
        let mut interceptor = aws_smithy_mocks::MockResponseInterceptor::new()
            .rule_mode(aws_smithy_mocks::RuleMode::MatchAny);
        $(interceptor = interceptor.with_rule(&$rule);)+
        let conf = $krate::Config::builder()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .region($krate::config::Region::new("us-east-1"))
            .credentials_provider($krate::config::Credentials::new("AKID", "SECRET", None, None, "test"))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(interceptor)
            .build();
        $krate::Client::from_conf(conf)
    }};
}
#[cfg(test)]
pub(crate) use mocked_client;

#[cfg(test)]
pub(crate) fn test_scope() -> Scope {
    Scope {
        account: "111122223333".to_string(),
        region: "us-east-1".to_string(),
        opt_in_region: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described() -> Vec<(String, String)> {
        [
            ("us-east-1", "opt-in-not-required"),
            ("eu-west-1", "opt-in-not-required"),
            ("af-south-1", "not-opted-in"),
            ("me-south-1", "opted-in"),
            ("us-gov-west-1", "opt-in-not-required"),
            ("cn-north-1", "opt-in-not-required"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn default_regions_are_the_partitions_enabled_ones() {
        let (chosen, skipped) = choose_regions(&described(), "aws", None).unwrap();
        let names: Vec<&str> = chosen.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["eu-west-1", "me-south-1", "us-east-1"]);
        assert!(
            chosen
                .iter()
                .find(|r| r.name == "me-south-1")
                .unwrap()
                .opt_in
        );
        assert!(skipped.contains_key("af-south-1"));
    }

    #[test]
    fn unknown_or_foreign_partition_region_is_an_error() {
        let err =
            choose_regions(&described(), "aws", Some(&["us-gov-west-1".to_string()])).unwrap_err();
        assert!(err.to_string().contains("us-gov-west-1"), "{err}");
        assert!(choose_regions(&described(), "aws", Some(&["mars-1".to_string()])).is_err());
    }

    #[test]
    fn partitions() {
        assert_eq!(partition_of("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-east-1"), "aws-us-gov");
        assert_eq!(partition_of("eu-central-2"), "aws");
    }
}
