//! CloudTrail evidence: every trail seen from any region, once, read in its home region.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Collected;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CloudTrailEvidence {
    /// `DescribeTrails` (with shadow trails) per region: the ARNs it listed, or why it failed.
    pub describe: BTreeMap<String, Collected<Vec<String>>>,
    /// Every distinct trail, keyed by ARN.
    pub trails: BTreeMap<String, Trail>,
}

impl CloudTrailEvidence {
    /// The first region whose `DescribeTrails` failed, if any: then the trail list is incomplete.
    pub fn describe_errors(&self) -> impl Iterator<Item = &super::CollectError> {
        self.describe.values().filter_map(|r| r.as_ref().err())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    /// The account that owns the trail (from its ARN): another account for an organization trail.
    pub owner_account: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub include_global_service_events: bool,
    pub s3_bucket_name: Option<String>,
    pub s3_key_prefix: Option<String>,
    pub kms_key_id: Option<String>,
    pub log_file_validation_enabled: bool,
    pub cloudwatch_logs_log_group_arn: Option<String>,
    pub cloudwatch_logs_role_arn: Option<String>,
    pub status: Collected<TrailStatus>,
    pub selectors: Collected<EventSelectors>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_cloudwatch_logs_delivery_time: Option<DateTime<Utc>>,
    pub latest_cloudwatch_logs_delivery_error: Option<String>,
    pub latest_delivery_error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventSelectors {
    pub basic: Vec<BasicEventSelector>,
    pub advanced: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadWriteType {
    All,
    ReadOnly,
    WriteOnly,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasicEventSelector {
    pub read_write_type: ReadWriteType,
    pub include_management_events: bool,
    pub data_resources: Vec<DataResource>,
    #[serde(default)]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataResource {
    /// e.g. `AWS::S3::Object`.
    pub resource_type: String,
    /// e.g. `arn:aws:s3` (all buckets) or `arn:aws:s3:::bucket/`.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdvancedFieldSelector {
    /// `eventCategory`, `resources.type`, `readOnly`, `eventSource`, `resources.ARN`, ...
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}
