//! AWS Config evidence: recorders, their status, and delivery channels, per region.

use serde::{Deserialize, Serialize};

use super::Collected;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigEvidence {
    pub recorders: Collected<Vec<ConfigRecorder>>,
    pub recorder_statuses: Collected<Vec<ConfigRecorderStatus>>,
    pub delivery_channels: Collected<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigRecorder {
    pub name: String,
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// `ALL_SUPPORTED_RESOURCE_TYPES`, `INCLUSION_BY_RESOURCE_TYPES`, `EXCLUSION_BY_RESOURCE_TYPES`.
    pub strategy: Option<String>,
    /// Resource types excluded by an exclusion strategy.
    #[serde(default)]
    pub excluded_types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigRecorderStatus {
    pub name: String,
    pub recording: bool,
    /// `Pending`, `Success`, `Failure`, or what AWS said.
    pub last_status: Option<String>,
}
