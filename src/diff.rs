//! Comparing two reports: what changed since the last run. Findings are matched by their stable
//! id (account, region, check, resource).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Finding, Report, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Failing now, not failing before (new, or was PASS/ERROR/…).
    NewFailure,
    /// Could not be evaluated now, could before.
    NewError,
    /// Failing before, not now.
    Fixed,
    /// Failing in both.
    StillFailing,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::NewFailure => "NEW FAILURE",
            Change::NewError => "NEW ERROR",
            Change::Fixed => "FIXED",
            Change::StillFailing => "STILL FAILING",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffEntry {
    pub change: Change,
    pub id: String,
    pub account_id: String,
    pub region: String,
    pub check_id: String,
    pub severity: crate::model::Severity,
    pub resource: String,
    /// The status before (`None`: the finding did not exist).
    pub before: Option<Status>,
    /// The status now (`None`: the finding is gone, e.g. the resource was deleted).
    pub after: Option<Status>,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diff {
    pub new_failures: usize,
    pub new_errors: usize,
    pub fixed: usize,
    pub still_failing: usize,
    pub entries: Vec<DiffEntry>,
}

fn failing(f: &Finding) -> bool {
    f.status == Status::Fail && !f.muted
}

fn entry(change: Change, f: &Finding, before: Option<Status>, after: Option<Status>) -> DiffEntry {
    DiffEntry {
        change,
        id: f.id.clone(),
        account_id: f.account_id.clone(),
        region: f.region.clone(),
        check_id: f.check_id.clone(),
        severity: f.severity,
        resource: f.resource.id.clone(),
        before,
        after,
        detail: f.detail.clone(),
    }
}

/// What changed from `old` to `new`. Muted failures count as not failing.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let before: BTreeMap<&str, &Finding> =
        old.findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let after: BTreeMap<&str, &Finding> = new.findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut d = Diff::default();
    for f in &new.findings {
        let prev = before.get(f.id.as_str());
        let was_failing = prev.is_some_and(|p| failing(p));
        let prev_status = prev.map(|p| p.status);
        if failing(f) {
            let change = if was_failing {
                Change::StillFailing
            } else {
                Change::NewFailure
            };
            d.entries
                .push(entry(change, f, prev_status, Some(f.status)));
        } else if was_failing {
            d.entries
                .push(entry(Change::Fixed, f, prev_status, Some(f.status)));
        } else if f.status == Status::Error && prev_status != Some(Status::Error) {
            d.entries
                .push(entry(Change::NewError, f, prev_status, Some(f.status)));
        }
    }
    for f in old
        .findings
        .iter()
        .filter(|f| failing(f) && !after.contains_key(f.id.as_str()))
    {
        d.entries
            .push(entry(Change::Fixed, f, Some(f.status), None));
    }
    d.entries.sort_by(|a, b| {
        a.change
            .cmp(&b.change)
            .then(b.severity.cmp(&a.severity))
            .then(a.check_id.cmp(&b.check_id))
            .then(a.id.cmp(&b.id))
    });
    for e in &d.entries {
        match e.change {
            Change::NewFailure => d.new_failures += 1,
            Change::NewError => d.new_errors += 1,
            Change::Fixed => d.fixed += 1,
            Change::StillFailing => d.still_failing += 1,
        }
    }
    d
}

pub fn render_text(d: &Diff) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "{} new failure(s), {} new error(s), {} fixed, {} still failing\n",
        d.new_failures, d.new_errors, d.fixed, d.still_failing
    );
    if d.entries.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\n{:<14} {:<9} {:<12} {:<14} {:<38} RESOURCE",
        "CHANGE", "SEVERITY", "ACCOUNT", "REGION", "CHECK"
    );
    for e in &d.entries {
        let _ = writeln!(
            out,
            "{:<14} {:<9} {:<12} {:<14} {:<38} {}",
            e.change.label(),
            e.severity.as_str(),
            e.account_id,
            e.region,
            e.check_id,
            e.resource
        );
    }
    out
}

pub fn render_csv(d: &Diff) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "change",
        "severity",
        "account_id",
        "region",
        "check_id",
        "resource",
        "before",
        "after",
        "detail",
    ])?;
    let status = |s: Option<Status>| s.map(|s| s.as_str()).unwrap_or("").to_string();
    for e in &d.entries {
        w.write_record([
            e.change.label().to_string(),
            e.severity.as_str().to_string(),
            e.account_id.clone(),
            e.region.clone(),
            e.check_id.clone(),
            e.resource.clone(),
            status(e.before),
            status(e.after),
            e.detail.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Report {
        crate::commands::demo_report(&crate::tui::testing::report_args()).unwrap()
    }

    #[test]
    fn identical_reports_change_nothing_but_still_failing() {
        let r = demo();
        let d = diff(&r, &r);
        assert_eq!((d.new_failures, d.new_errors, d.fixed), (0, 0, 0));
        assert_eq!(d.still_failing, r.counts().fail);
    }

    #[test]
    fn fixed_new_failures_errors_and_gone_resources() {
        let old = demo();
        let mut new = old.clone();
        let fail = new
            .findings
            .iter()
            .position(|f| f.status == Status::Fail)
            .unwrap();
        new.findings[fail].status = Status::Pass;
        let pass = new
            .findings
            .iter()
            .position(|f| f.status == Status::Pass && f.id != old.findings[fail].id)
            .unwrap();
        new.findings[pass].status = Status::Fail;
        let na = new
            .findings
            .iter()
            .position(|f| f.status == Status::NotApplicable)
            .unwrap();
        new.findings[na].status = Status::Error;
        // A failing resource deleted since: fixed.
        let gone = new
            .findings
            .iter()
            .rposition(|f| f.status == Status::Fail && f.id != new.findings[pass].id)
            .unwrap();
        let gone_id = new.findings.remove(gone).id;
        let d = diff(&old, &new);
        assert_eq!(d.new_failures, 1);
        assert_eq!(d.new_errors, 1);
        assert_eq!(d.fixed, 2);
        assert!(d
            .entries
            .iter()
            .any(|e| e.id == gone_id && e.change == Change::Fixed && e.after.is_none()));
        let text = render_text(&d);
        assert!(
            text.starts_with("1 new failure(s), 1 new error(s), 2 fixed"),
            "{text}"
        );
        let csv = String::from_utf8(render_csv(&d).unwrap()).unwrap();
        assert_eq!(csv.lines().count(), d.entries.len() + 1);
    }

    #[test]
    fn muting_a_failure_counts_as_not_failing() {
        let old = demo();
        let mut new = old.clone();
        let fail = new
            .findings
            .iter()
            .position(|f| f.status == Status::Fail)
            .unwrap();
        new.findings[fail].muted = true;
        let d = diff(&old, &new);
        assert_eq!(d.fixed, 1);
    }
}
