//! The bundled demo: a realistic, misconfigured account in three regions, as an evidence
//! snapshot (`demo/evidence.json`), and the summary table printed for it.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::evidence::{Evidence, EvidenceFileError};
use crate::model::{Report, Status};

pub const EVIDENCE_JSON: &str = include_str!("../demo/evidence.json");

pub fn evidence() -> Result<Evidence, EvidenceFileError> {
    Evidence::parse(EVIDENCE_JSON, "demo/evidence.json (bundled)")
}

/// The demo is evaluated as of one hour after its collection, so its results never drift.
pub fn now() -> DateTime<Utc> {
    crate::testkit::demo_collected_at() + chrono::Duration::hours(1)
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// A readable table: counts, then every FAIL and ERROR, most severe first.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    let counts = report.counts();
    for account in &report.accounts {
        let _ = writeln!(
            out,
            "warden demo: account {} ({} regions: {})",
            account.account_id,
            account.regions.len(),
            account.regions.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "{} findings: {} FAIL, {} ERROR, {} PASS, {} NOT_APPLICABLE, {} MANUAL\n",
        counts.total(),
        counts.fail,
        counts.error,
        counts.pass,
        counts.not_applicable,
        counts.manual
    );
    let mut rows: Vec<_> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .collect();
    rows.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.status.cmp(&b.status))
            .then(a.check_id.cmp(&b.check_id))
            .then(a.region.cmp(&b.region))
    });
    let _ = writeln!(
        out,
        "{:<8} {:<6} {:<38} {:<14} {:<28} DETAIL",
        "SEVERITY", "STATUS", "CHECK", "REGION", "RESOURCE"
    );
    for f in rows {
        let _ = writeln!(
            out,
            "{:<8} {:<6} {} {} {} {}",
            f.severity.as_str(),
            f.status.as_str(),
            cut(&f.check_id, 38),
            cut(&f.region, 14),
            cut(&f.resource.name, 28),
            cut(&f.detail, 100).trim_end()
        );
    }
    let _ = writeln!(
        out,
        "\nMore: `warden demo --format json|asff|csv`, `warden checks show CHECK_ID`, `warden eval demo/evidence.json`."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled JSON is generated from `testkit::demo_evidence`; regenerate it with
    /// `WARDEN_UPDATE_DEMO=1 cargo test --lib demo`.
    #[test]
    fn bundled_demo_is_current() {
        let built = crate::testkit::demo_evidence();
        let mut text = serde_json::to_string_pretty(&built).unwrap();
        text.push('\n');
        if std::env::var_os("WARDEN_UPDATE_DEMO").is_some() {
            std::fs::write(
                concat!(env!("CARGO_MANIFEST_DIR"), "/demo/evidence.json"),
                &text,
            )
            .unwrap();
            return;
        }
        assert_eq!(
            evidence().unwrap(),
            built,
            "demo/evidence.json is stale: rerun with WARDEN_UPDATE_DEMO=1"
        );
    }

    #[test]
    fn demo_shows_every_status_but_manual_from_checks() {
        let evidence = evidence().unwrap();
        let report = crate::commands::build_report(
            &evidence,
            &crate::checks::Selection::default(),
            now(),
            Default::default(),
        );
        let counts = report.counts();
        assert!(
            counts.fail > 10 && counts.error >= 1 && counts.pass > 5 && counts.not_applicable >= 1,
            "{counts:?}"
        );
        let text = summary(&report);
        assert!(text.contains("iam_root_hardware_mfa"), "{text}");
    }
}
