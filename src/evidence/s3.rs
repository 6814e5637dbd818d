//! S3 evidence: buckets and their settings, and the account-level Block Public Access.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Collected;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Evidence {
    pub buckets: Collected<Vec<Bucket>>,
    /// `None`: no account-level configuration (`NoSuchPublicAccessBlockConfiguration`).
    pub account_public_access_block: Collected<Option<PublicAccessBlock>>,
}

impl S3Evidence {
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.as_ref().ok()?.iter().find(|b| b.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub arn: String,
    pub creation_date: Option<DateTime<Utc>>,
    pub region: Collected<String>,
    /// The bucket policy JSON; `None`: no policy.
    pub policy: Collected<Option<String>>,
    /// `None`: no lifecycle configuration.
    pub lifecycle: Collected<Option<Vec<LifecycleRule>>>,
    /// `None`: server access logging is off.
    pub logging: Collected<Option<LoggingTarget>>,
    pub public_access_block: Collected<Option<PublicAccessBlock>>,
    pub acl_grants: Collected<Vec<AclGrant>>,
    pub versioning: Collected<Versioning>,
    /// `None`: no default encryption configuration.
    pub encryption: Collected<Option<Vec<String>>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifecycleRule {
    pub id: Option<String>,
    pub enabled: bool,
    /// The prefix or filter, as text, for the finding's detail.
    pub filter: Option<String>,
    pub expiration_days: Option<i32>,
    /// An expiration by date or for delete markers counts as an expiration too.
    pub has_expiration: bool,
    pub transition_days: Vec<i32>,
    pub has_transition: bool,
    pub noncurrent_expiration_days: Option<i32>,
}

impl LifecycleRule {
    /// True when the rule is enabled and ages logs out: it expires or transitions objects.
    pub fn manages_log_retention(&self) -> bool {
        self.enabled && (self.has_expiration || self.has_transition)
    }

    pub fn describe(&self) -> String {
        let id = self.id.as_deref().unwrap_or("(unnamed)");
        let mut actions = Vec::new();
        if let Some(d) = self.expiration_days {
            actions.push(format!("expires after {d} days"));
        } else if self.has_expiration {
            actions.push("expires objects".to_string());
        }
        if !self.transition_days.is_empty() {
            let days: Vec<String> = self.transition_days.iter().map(|d| d.to_string()).collect();
            actions.push(format!("transitions after {} days", days.join("/")));
        } else if self.has_transition {
            actions.push("transitions objects".to_string());
        }
        let state = if self.enabled { "enabled" } else { "disabled" };
        if actions.is_empty() {
            format!("rule '{id}' ({state}) neither expires nor transitions current objects")
        } else {
            format!("rule '{id}' ({state}) {}", actions.join(" and "))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggingTarget {
    pub target_bucket: String,
    pub target_prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn all_enabled(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AclGrant {
    /// Group URI, canonical user id or email of the grantee.
    pub grantee: String,
    pub permission: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versioning {
    /// `Enabled`, `Suspended`, or `None` when never enabled.
    pub status: Option<String>,
    pub mfa_delete: Option<String>,
}
