//! AWS Config evidence: recorders, their status, and delivery channels, per region.

use serde::{Deserialize, Serialize};

use super::Collected;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigEvidence {
    pub recorders: Collected<Vec<ConfigRecorder>>,
    pub recorder_statuses: Collected<Vec<ConfigRecorderStatus>>,
    pub delivery_channels: Collected<Vec<String>>,
    /// Configuration aggregators in the region; `None` in evidence from before they were read.
    #[serde(default)]
    pub aggregators: Option<Collected<Vec<ConfigAggregator>>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigAggregator {
    pub name: String,
    pub arn: String,
    /// The organization source, when the aggregator covers the organization.
    pub organization_source: Option<AggregatorRegions>,
    /// Account sources: (account ids, regions).
    #[serde(default)]
    pub account_sources: Vec<(Vec<String>, AggregatorRegions)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregatorRegions {
    pub all_regions: bool,
    #[serde(default)]
    pub regions: Vec<String>,
}

impl AggregatorRegions {
    /// True when every one of `regions` is aggregated.
    pub fn covers(&self, regions: &[String]) -> bool {
        self.all_regions || regions.iter().all(|r| self.regions.contains(r))
    }
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
