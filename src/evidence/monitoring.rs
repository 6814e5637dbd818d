//! Monitoring evidence: CloudWatch Logs metric filters, CloudWatch alarms, SNS subscriptions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub name: String,
    pub log_group_name: String,
    pub pattern: String,
    /// (namespace, metric name) pairs the filter publishes.
    pub metrics: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: String,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub alarm_actions: Vec<String>,
    pub actions_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnsSubscription {
    pub topic_arn: String,
    pub protocol: String,
    /// `PendingConfirmation` for an unconfirmed subscription.
    pub subscription_arn: String,
}

impl SnsSubscription {
    pub fn is_confirmed(&self) -> bool {
        self.subscription_arn.starts_with("arn:")
    }
}
