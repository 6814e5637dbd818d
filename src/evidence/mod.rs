//! The evidence snapshot: what AWS answered, normalised into plain serde types.
//!
//! Evidence is self-contained and versioned so that it can be saved beside a report, re-evaluated
//! offline (`warden eval`), diffed, and handed to an auditor. Every API failure is kept as a
//! [`CollectError`]; "not configured" answers are facts (`None`), not errors.

pub mod cloudtrail;
pub mod config;
pub mod ec2;
pub mod iam;
pub mod kms;
pub mod monitoring;
pub mod s3;
pub mod services;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use cloudtrail::*;
pub use config::*;
pub use ec2::*;
pub use iam::*;
pub use kms::*;
pub use monitoring::*;
pub use s3::*;
pub use services::*;

/// The evidence file format version. Bump it on any incompatible change.
pub const EVIDENCE_SCHEMA_VERSION: u32 = 1;

/// The result of one collection step: the answer, or the typed reason there is none.
pub type Collected<T> = Result<T, CollectError>;

/// Why a call failed. Callers branch on the kind; the message is kept for humans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorKind {
    AccessDenied,
    Throttled,
    RegionDisabled,
    Service { code: String },
    Transport,
}

/// A failed AWS call, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectError {
    #[serde(flatten)]
    pub kind: ErrorKind,
    /// `service:Operation`, e.g. `cloudtrail:GetTrailStatus`.
    pub operation: String,
    pub region: String,
    pub account: String,
    pub message: String,
}

impl CollectError {
    pub fn kind_label(&self) -> String {
        match &self.kind {
            ErrorKind::AccessDenied => "access denied".to_string(),
            ErrorKind::Throttled => "throttled".to_string(),
            ErrorKind::RegionDisabled => "region disabled".to_string(),
            ErrorKind::Service { code } => code.clone(),
            ErrorKind::Transport => "transport error".to_string(),
        }
    }
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed in {} for account {} ({}): {}",
            self.operation,
            self.region,
            self.account,
            self.kind_label(),
            self.message
        )
    }
}

/// The whole snapshot: one or more accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub schema_version: u32,
    pub tool_version: String,
    /// When collection started.
    pub collected_at: DateTime<Utc>,
    pub accounts: Vec<AccountEvidence>,
    /// Organization members that were not scanned: suspended or closed (skipped), or that could
    /// not be reached (an error, e.g. AssumeRole denied).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unscanned: Vec<UnscannedAccount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnscannedAccount {
    pub account_id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The Organizations status, e.g. `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
    /// Why an active account could not be scanned; `None` for a skipped account.
    #[serde(default)]
    pub error: Option<CollectError>,
}

/// Everything collected for one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEvidence {
    pub account_id: String,
    /// The account's name and organizational-unit path (`Root/prod/payments`), when scanned
    /// as part of an organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ou_path: Option<String>,
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
    /// The region global services (IAM, S3 listing) were read from; global findings carry it.
    pub home_region: String,
    /// The regions scanned.
    pub regions: Vec<String>,
    /// Regions not scanned, with the reason.
    #[serde(default)]
    pub skipped_regions: BTreeMap<String, String>,
    pub iam: IamEvidence,
    pub s3: S3Evidence,
    pub cloudtrail: CloudTrailEvidence,
    /// Per-region services, keyed by region.
    pub regional: BTreeMap<String, RegionEvidence>,
    /// `organizations:DescribeOrganization`: `Some(None)` when the account is in no
    /// organization; `None` in evidence from before it was read.
    #[serde(default)]
    pub organization: Option<Collected<Option<OrganizationInfo>>>,
    /// Delegated administrators by service principal (`guardduty.amazonaws.com`, …): read in the
    /// management account only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub delegated_admins: BTreeMap<String, Collected<Vec<String>>>,
    /// For a delegated administrator: the service's organization configuration, by service
    /// principal, then region.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub admin_configs: BTreeMap<String, BTreeMap<String, Collected<OrgAutoEnable>>>,
    /// Account contacts; `None` in evidence from before they were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<AccountContacts>,
    /// Organizations governance, read in the management account only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_governance: Option<OrgGovernance>,
    /// CloudFront distributions (a global service, read from the home region); `None` in
    /// evidence from before they were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudfront: Option<Collected<Vec<Distribution>>>,
}

/// Whether a service enables itself in new member accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAutoEnable {
    pub auto_enable: bool,
    /// What AWS said, e.g. `AutoEnableOrganizationMembers=NEW` or `ConfigurationType=CENTRAL`.
    pub setting: String,
}

/// The service principals whose delegated administrators warden reads.
pub const GUARDDUTY_PRINCIPAL: &str = "guardduty.amazonaws.com";
pub const SECURITYHUB_PRINCIPAL: &str = "securityhub.amazonaws.com";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationInfo {
    pub id: String,
    pub management_account_id: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
}

/// Services read in every region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionEvidence {
    pub config: ConfigEvidence,
    pub kms: Collected<Vec<KmsKey>>,
    pub metric_filters: Collected<Vec<MetricFilter>>,
    pub alarms: Collected<Vec<MetricAlarm>>,
    pub sns_subscriptions: Collected<Vec<SnsSubscription>>,
    /// `None` in evidence from before EC2 was read.
    #[serde(default)]
    pub ec2: Option<Ec2Evidence>,
    /// `securityhub:DescribeHub`: whether Security Hub is enabled; `None` in evidence from
    /// before it was read.
    #[serde(default)]
    pub securityhub_enabled: Option<Collected<bool>>,
    /// The fields below are `None` in evidence from before the service was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_analyzers: Option<Collected<Vec<Analyzer>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rds: Option<RdsEvidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efs: Option<Collected<Vec<EfsFileSystem>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardduty: Option<Collected<Vec<GuardDutyDetector>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policies: Option<ResourcePolicies>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering: Option<PeeringEvidence>,
    /// Application and Network Load Balancers with their access-log setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancers: Option<Collected<Vec<LoadBalancer>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvidenceFileError {
    #[error("cannot read evidence file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("evidence file {path} is not valid evidence JSON at line {line}, column {column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("evidence file {path} has schema_version {found}; this warden reads version {expected}. Re-collect it with this version (warden scan) or use the warden that wrote it")]
    Version {
        path: String,
        found: u32,
        expected: u32,
    },
}

impl Evidence {
    /// Reads and validates an evidence file, naming the file and position on error.
    pub fn load(path: &Path) -> Result<Evidence, EvidenceFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| EvidenceFileError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, name: &str) -> Result<Evidence, EvidenceFileError> {
        #[derive(Deserialize)]
        struct Header {
            schema_version: u32,
        }
        let parse_error = |e: serde_json::Error| EvidenceFileError::Parse {
            path: name.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        // Check the version first so an old file gets a version error, not a field error.
        let header: Header = serde_json::from_str(text).map_err(parse_error)?;
        if header.schema_version != EVIDENCE_SCHEMA_VERSION {
            return Err(EvidenceFileError::Version {
                path: name.to_string(),
                found: header.schema_version,
                expected: EVIDENCE_SCHEMA_VERSION,
            });
        }
        serde_json::from_str(text).map_err(parse_error)
    }
}

/// Normalises a timestamp from the SDK.
pub fn to_utc(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
