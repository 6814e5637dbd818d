//! Findings and reports: what evaluation produces and exporters consume. No I/O here.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The report file format version; bump on incompatible changes.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    Error,
    Pass,
    NotApplicable,
    Manual,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Fail,
        Status::Error,
        Status::Pass,
        Status::NotApplicable,
        Status::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::NotApplicable => "NOT_APPLICABLE",
            Status::Manual => "MANUAL",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ordered from least to most severe, so `>=` means "at least as severe".
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The ASFF `Severity.Label`.
    pub fn asff_label(self) -> &'static str {
        match self {
            Severity::Informational => "INFORMATIONAL",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// ASFF resource type, e.g. `AwsCloudTrailTrail`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The ARN, or `AWS::::Account:<id>` for the account itself.
    pub id: String,
    /// A short human name (trail name, bucket name, user name).
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cli: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub console: String,
    pub url: String,
}

/// One verdict: one (account, region, check, resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable across runs and versions: `warden/<account>/<region>/<check_id>/<resource hash>`.
    pub id: String,
    pub account_id: String,
    pub partition: String,
    pub region: String,
    pub check_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub resource: Resource,
    /// Why this status, in a sentence an auditor can act on.
    pub detail: String,
    /// What AWS answered that the verdict rests on (small, JSON).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub evidence: serde_json::Value,
    /// Every requirement the check serves, e.g. `CIS AWS Foundations Benchmark v7.0.0/4.2`.
    pub requirements: Vec<String>,
    pub remediation: Remediation,
    #[serde(default)]
    pub muted: bool,
    /// The reason of the mute that matched, when muted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mute_reason: Option<String>,
}

/// Counts of findings by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
    pub manual: usize,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Manual => self.manual += 1,
        }
    }

    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Error => self.error,
            Status::NotApplicable => self.not_applicable,
            Status::Manual => self.manual,
        }
    }

    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ou_path: Option<String>,
    pub regions: Vec<String>,
    /// Regions not scanned, with the reason (e.g. an opt-in region that is not enabled).
    #[serde(default)]
    pub skipped_regions: BTreeMap<String, String>,
    pub counts: StatusCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedAccount {
    pub account_id: String,
    pub name: Option<String>,
    pub status: String,
}

/// Facts about the run itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMetadata {
    pub tool: String,
    pub tool_version: String,
    /// When the evidence was collected (start of collection).
    pub collected_at: DateTime<Utc>,
    /// When the checks were evaluated.
    pub evaluated_at: DateTime<Utc>,
    /// API calls made by the scan, by `service:Operation` (empty for `eval` and `demo`).
    #[serde(default)]
    pub api_calls: BTreeMap<String, u64>,
    #[serde(default)]
    pub api_calls_total: u64,
    /// Scan duration in milliseconds (0 when not scanned in this run).
    #[serde(default)]
    pub collection_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub run: RunMetadata,
    pub accounts: Vec<AccountSummary>,
    /// Organization members not scanned because they are not active (suspended, closing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_accounts: Vec<SkippedAccount>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn counts(&self) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for finding in &self.findings {
            counts.add(finding.status);
        }
        counts
    }
}

/// Joins reports of disjoint parts of a scan (e.g. `--shard K/N` runs) into one. A finding id
/// present twice keeps the later report's finding; an account present twice keeps the later
/// summary.
pub fn merge_reports(reports: Vec<Report>) -> Option<Report> {
    let mut iter = reports.into_iter();
    let mut merged = iter.next()?;
    let mut index: BTreeMap<String, usize> = merged
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.clone(), i))
        .collect();
    for r in iter {
        merged.run.collected_at = merged.run.collected_at.min(r.run.collected_at);
        merged.run.evaluated_at = merged.run.evaluated_at.max(r.run.evaluated_at);
        merged.run.collection_ms = merged.run.collection_ms.max(r.run.collection_ms);
        merged.run.api_calls_total += r.run.api_calls_total;
        for (op, n) in r.run.api_calls {
            *merged.run.api_calls.entry(op).or_default() += n;
        }
        for a in r.accounts {
            match merged
                .accounts
                .iter_mut()
                .find(|m| m.account_id == a.account_id)
            {
                Some(existing) => *existing = a,
                None => merged.accounts.push(a),
            }
        }
        for s in r.skipped_accounts {
            if !merged.skipped_accounts.contains(&s) {
                merged.skipped_accounts.push(s);
            }
        }
        for f in r.findings {
            match index.get(&f.id) {
                Some(&i) => merged.findings[i] = f,
                None => {
                    index.insert(f.id.clone(), merged.findings.len());
                    merged.findings.push(f);
                }
            }
        }
    }
    merged
        .accounts
        .sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Report {
        crate::commands::demo_report(&crate::tui::testing::report_args()).unwrap()
    }

    #[test]
    fn merging_shards_unions_accounts_and_findings() {
        let a = demo();
        let mut b = demo();
        for f in &mut b.findings {
            f.account_id = "444455556666".to_string();
            f.id = f.id.replace("111122223333", "444455556666");
        }
        b.accounts[0].account_id = "444455556666".to_string();
        let merged = merge_reports(vec![a.clone(), b.clone()]).unwrap();
        assert_eq!(merged.findings.len(), a.findings.len() + b.findings.len());
        assert_eq!(merged.accounts.len(), 2);
        // The same report twice is itself.
        let same = merge_reports(vec![a.clone(), a.clone()]).unwrap();
        assert_eq!(same.findings, a.findings);
        assert!(merge_reports(vec![]).is_none());
    }
}
