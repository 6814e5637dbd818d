//! AWS Security Finding Format. Field names and types follow botocore's model of
//! `securityhub:BatchImportFindings`; limits are enforced here.

use serde::Serialize;

use crate::model::{Finding, Report, Status};

pub const SCHEMA_VERSION: &str = "2018-10-08";
pub const FINDING_TYPE: &str =
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";
pub const MAX_TITLE: usize = 256;
pub const MAX_DESCRIPTION: usize = 1024;
pub const MAX_RECOMMENDATION_TEXT: usize = 512;
pub const MAX_STATUS_REASON: usize = 2048;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffFinding {
    pub schema_version: String,
    pub id: String,
    pub product_arn: String,
    pub generator_id: String,
    pub aws_account_id: String,
    pub types: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub severity: AsffSeverity,
    pub title: String,
    pub description: String,
    pub remediation: AsffRemediation,
    pub product_fields: std::collections::BTreeMap<String, String>,
    pub resources: Vec<AsffResource>,
    pub compliance: AsffCompliance,
    pub workflow: AsffWorkflow,
    pub record_state: String,
    pub region: String,
    pub company_name: String,
    pub product_name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSeverity {
    pub label: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRemediation {
    pub recommendation: AsffRecommendation,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRecommendation {
    pub text: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffResource {
    #[serde(rename = "Type")]
    pub kind: String,
    pub id: String,
    pub partition: String,
    pub region: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffCompliance {
    pub status: String,
    pub related_requirements: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_reasons: Vec<AsffStatusReason>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffStatusReason {
    pub reason_code: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffWorkflow {
    pub status: String,
}

/// Cuts `text` to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn product_arn(partition: &str, region: &str, account: &str) -> String {
    format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default")
}

/// The ASFF findings of a report: every finding but MANUAL ones.
pub fn findings(report: &Report) -> Vec<AsffFinding> {
    let timestamp = report
        .run
        .evaluated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    report
        .findings
        .iter()
        .filter(|f| f.status != Status::Manual)
        .map(|f| to_asff(f, &timestamp))
        .collect()
}

fn compliance_status(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASSED",
        Status::Fail => "FAILED",
        Status::Error | Status::NotApplicable | Status::Manual => "NOT_AVAILABLE",
    }
}

fn reason_code(f: &Finding) -> Option<&'static str> {
    match f.status {
        Status::Error => Some(match f.evidence.get("kind").and_then(|k| k.as_str()) {
            Some("access_denied") => "ACCESS_DENIED",
            Some("throttled") => "THROTTLED",
            Some("region_disabled") => "REGION_DISABLED",
            Some("transport") => "TRANSPORT_ERROR",
            _ => "EVALUATION_ERROR",
        }),
        Status::NotApplicable => Some("NOT_APPLICABLE"),
        _ => None,
    }
}

pub fn to_asff(f: &Finding, timestamp: &str) -> AsffFinding {
    let status_reasons = reason_code(f)
        .map(|code| {
            vec![AsffStatusReason {
                reason_code: code.to_string(),
                description: truncate(&f.detail, MAX_STATUS_REASON),
            }]
        })
        .unwrap_or_default();
    let mut recommendation = f.remediation.text.clone();
    if !f.remediation.cli.is_empty() {
        recommendation.push_str(" CLI: ");
        recommendation.push_str(&f.remediation.cli);
    }
    let mut product_fields = std::collections::BTreeMap::new();
    product_fields.insert("warden/CheckId".to_string(), f.check_id.clone());
    product_fields.insert("warden/Status".to_string(), f.status.to_string());
    product_fields.insert("warden/ResourceName".to_string(), f.resource.name.clone());
    AsffFinding {
        schema_version: SCHEMA_VERSION.to_string(),
        id: f.id.clone(),
        product_arn: product_arn(&f.partition, &f.region, &f.account_id),
        generator_id: f.check_id.clone(),
        aws_account_id: f.account_id.clone(),
        types: vec![FINDING_TYPE.to_string()],
        created_at: timestamp.to_string(),
        updated_at: timestamp.to_string(),
        severity: AsffSeverity {
            label: f.severity.asff_label().to_string(),
        },
        title: truncate(&f.title, MAX_TITLE),
        description: truncate(&f.detail, MAX_DESCRIPTION),
        remediation: AsffRemediation {
            recommendation: AsffRecommendation {
                text: truncate(&recommendation, MAX_RECOMMENDATION_TEXT),
                url: f.remediation.url.clone(),
            },
        },
        product_fields,
        resources: vec![AsffResource {
            kind: f.resource.kind.clone(),
            id: f.resource.id.clone(),
            partition: f.partition.clone(),
            region: f.region.clone(),
        }],
        compliance: AsffCompliance {
            status: compliance_status(f.status).to_string(),
            related_requirements: f.requirements.clone(),
            status_reasons,
        },
        workflow: AsffWorkflow {
            status: if f.muted { "SUPPRESSED" } else { "NEW" }.to_string(),
        },
        record_state: "ACTIVE".to_string(),
        region: f.region.clone(),
        company_name: "warden".to_string(),
        product_name: "warden".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_limits_in_characters() {
        let long = "é".repeat(300);
        let t = truncate(&long, MAX_TITLE);
        assert_eq!(t.chars().count(), MAX_TITLE);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("short", MAX_TITLE), "short");
    }
}
