//! The findings table's state: filters, incremental search and sorting over a report, with
//! counts that follow the filter. Pure: no terminal, no I/O.

use std::collections::BTreeSet;

use crate::checks::Catalog;
use crate::model::{Finding, Severity, Status, StatusCounts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Severity,
    Status,
    Account,
    Region,
    Check,
    Resource,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Severity,
        SortKey::Status,
        SortKey::Account,
        SortKey::Region,
        SortKey::Check,
        SortKey::Resource,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Severity => "severity",
            SortKey::Status => "status",
            SortKey::Account => "account",
            SortKey::Region => "region",
            SortKey::Check => "check",
            SortKey::Resource => "resource",
        }
    }
}

/// What the table shows. `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<Status>,
    pub min_severity: Option<Severity>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub service: Option<String>,
    /// A framework name (as in requirement references), e.g. `CIS AWS Foundations Benchmark v7.0.0`.
    pub framework: Option<String>,
    pub hide_muted: bool,
    /// Case-insensitive text searched in check, title, resource, region, account and detail.
    pub query: String,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// A one-line description for the status bar.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={s}"));
        }
        if let Some(s) = self.min_severity {
            parts.push(format!("severity>={s}"));
        }
        for (name, v) in [
            ("account", &self.account),
            ("region", &self.region),
            ("service", &self.service),
            ("framework", &self.framework),
        ] {
            if let Some(v) = v {
                parts.push(format!("{name}={v}"));
            }
        }
        if self.hide_muted {
            parts.push("muted hidden".to_string());
        }
        if !self.query.is_empty() {
            parts.push(format!("/{}", self.query));
        }
        if parts.is_empty() {
            "no filter".to_string()
        } else {
            parts.join("  ")
        }
    }
}

/// Per-finding values computed once: lowercased search text and the service.
#[derive(Debug, Clone)]
struct Row {
    haystack: String,
    service: String,
}

/// The table over a report's findings.
#[derive(Debug, Clone)]
pub struct FindingsTable {
    rows: Vec<Row>,
    pub filter: Filter,
    pub sort: SortKey,
    pub descending: bool,
    /// Indices into the report's findings, filtered and sorted.
    pub visible: Vec<usize>,
    /// Counts by status of the visible findings.
    pub counts: StatusCounts,
    pub selected: usize,
    /// The distinct values the filters cycle through.
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub services: Vec<String>,
}

pub fn service_of(check_id: &str) -> String {
    match Catalog::builtin().checks.get(check_id) {
        Some(m) => m.service.clone(),
        None if check_id.starts_with("manual:") => "manual".to_string(),
        None => "other".to_string(),
    }
}

impl FindingsTable {
    pub fn new(findings: &[Finding]) -> Self {
        let rows: Vec<Row> = findings
            .iter()
            .map(|f| Row {
                haystack: format!(
                    "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
                    f.check_id,
                    f.title,
                    f.resource.name,
                    f.resource.id,
                    f.region,
                    f.account_id,
                    f.detail
                )
                .to_lowercase(),
                service: service_of(&f.check_id),
            })
            .collect();
        let distinct = |get: &dyn Fn(usize) -> String| -> Vec<String> {
            (0..findings.len())
                .map(get)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let accounts = distinct(&|i| findings[i].account_id.clone());
        let regions = distinct(&|i| findings[i].region.clone());
        let services = distinct(&|i| rows[i].service.clone());
        let mut table = FindingsTable {
            rows,
            filter: Filter::default(),
            sort: SortKey::Severity,
            descending: true,
            visible: Vec::new(),
            counts: StatusCounts::default(),
            selected: 0,
            accounts,
            regions,
            services,
        };
        table.refresh(findings);
        table
    }

    fn keeps(&self, i: usize, f: &Finding, query: &str) -> bool {
        let flt = &self.filter;
        flt.status.is_none_or(|s| f.status == s)
            && flt.min_severity.is_none_or(|s| f.severity >= s)
            && flt.account.as_ref().is_none_or(|a| &f.account_id == a)
            && flt.region.as_ref().is_none_or(|r| &f.region == r)
            && flt
                .service
                .as_ref()
                .is_none_or(|s| &self.rows[i].service == s)
            && flt
                .framework
                .as_ref()
                .is_none_or(|fw| f.requirements.iter().any(|r| r.starts_with(fw.as_str())))
            && !(flt.hide_muted && f.muted)
            && (query.is_empty() || self.rows[i].haystack.contains(query))
    }

    /// Re-applies filter and sort; keeps the selection on the same finding when it is still shown.
    pub fn refresh(&mut self, findings: &[Finding]) {
        let keep = self.visible.get(self.selected).copied();
        let query = self.filter.query.to_lowercase();
        let mut counts = StatusCounts::default();
        let mut visible = Vec::with_capacity(findings.len());
        for (i, f) in findings.iter().enumerate() {
            if self.keeps(i, f, &query) {
                counts.add(f.status);
                visible.push(i);
            }
        }
        self.sort_indices(&mut visible, findings);
        self.visible = visible;
        self.counts = counts;
        self.selected = keep
            .and_then(|k| self.visible.iter().position(|&i| i == k))
            .unwrap_or(0);
    }

    fn sort_indices(&self, visible: &mut [usize], findings: &[Finding]) {
        use std::cmp::Ordering;
        let key = self.sort;
        let cmp = |a: &usize, b: &usize| -> Ordering {
            let (x, y) = (&findings[*a], &findings[*b]);
            match key {
                SortKey::Severity => x.severity.cmp(&y.severity).then(y.status.cmp(&x.status)),
                SortKey::Status => y.status.cmp(&x.status).then(x.severity.cmp(&y.severity)),
                SortKey::Account => x.account_id.cmp(&y.account_id),
                SortKey::Region => x.region.cmp(&y.region),
                SortKey::Check => x.check_id.cmp(&y.check_id),
                SortKey::Resource => x.resource.name.cmp(&y.resource.name),
            }
        };
        if self.descending {
            visible.sort_by(|a, b| cmp(b, a).then(a.cmp(b)));
        } else {
            visible.sort_by(|a, b| cmp(a, b).then(a.cmp(b)));
        }
    }

    pub fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.visible.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    pub fn home(&mut self) {
        self.selected = 0;
    }

    pub fn end(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }
}

/// The next value in a cycle `None → v0 → v1 → … → None`.
pub fn cycle<T: Clone + PartialEq>(current: &Option<T>, values: &[T]) -> Option<T> {
    match current {
        None => values.first().cloned(),
        Some(c) => match values.iter().position(|v| v == c) {
            Some(i) if i + 1 < values.len() => Some(values[i + 1].clone()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> crate::model::Report {
        crate::commands::demo_report(&crate::tui::testing::report_args()).unwrap()
    }

    #[test]
    fn counts_follow_the_filter() {
        let r = report();
        let mut t = FindingsTable::new(&r.findings);
        assert_eq!(t.visible.len(), r.findings.len());
        assert_eq!(t.counts, r.counts());
        t.filter.status = Some(Status::Fail);
        t.refresh(&r.findings);
        assert_eq!(t.counts.fail, t.visible.len());
        assert_eq!(t.counts.pass, 0);
        assert!(t
            .visible
            .iter()
            .all(|&i| r.findings[i].status == Status::Fail));
    }

    #[test]
    fn search_is_case_insensitive_and_incremental() {
        let r = report();
        let mut t = FindingsTable::new(&r.findings);
        t.filter.query = "B".to_string();
        t.refresh(&r.findings);
        let broad = t.visible.len();
        t.filter.query = "BoB".to_string();
        t.refresh(&r.findings);
        assert!(!t.visible.is_empty() && t.visible.len() < broad);
        assert!(t
            .visible
            .iter()
            .all(|&i| r.findings[i].resource.name.contains("bob")
                || r.findings[i].detail.to_lowercase().contains("bob")));
        t.filter.query = "no such text anywhere".to_string();
        t.refresh(&r.findings);
        assert!(t.visible.is_empty());
        t.move_by(1);
        assert_eq!(t.selected_index(), None);
    }

    #[test]
    fn sorting_by_severity_puts_critical_failures_first() {
        let r = report();
        let t = FindingsTable::new(&r.findings);
        let first = &r.findings[t.visible[0]];
        assert_eq!(first.severity, Severity::Critical);
        assert_eq!(first.status, Status::Fail);
        let mut asc = t.clone();
        asc.descending = false;
        asc.sort = SortKey::Region;
        asc.refresh(&r.findings);
        let regions: Vec<&str> = asc
            .visible
            .iter()
            .map(|&i| r.findings[i].region.as_str())
            .collect();
        let mut sorted = regions.clone();
        sorted.sort();
        assert_eq!(regions, sorted);
    }

    #[test]
    fn selection_stays_on_the_same_finding_across_filters() {
        let r = report();
        let mut t = FindingsTable::new(&r.findings);
        t.move_by(3);
        let chosen = t.selected_index().unwrap();
        t.filter.min_severity = Some(r.findings[chosen].severity);
        t.refresh(&r.findings);
        assert_eq!(t.selected_index(), Some(chosen));
    }

    #[test]
    fn filters_by_service_framework_region_and_muted() {
        let mut r = report();
        r.findings[0].muted = true;
        let mut t = FindingsTable::new(&r.findings);
        assert!(
            t.services.contains(&"iam".to_string()) && t.services.contains(&"manual".to_string())
        );
        t.filter.service = Some("kms".to_string());
        t.refresh(&r.findings);
        assert!(t
            .visible
            .iter()
            .all(|&i| r.findings[i].check_id.starts_with("kms_")));
        t.filter = Filter {
            framework: Some("CIS AWS Foundations Benchmark v5.0.0".to_string()),
            ..Filter::default()
        };
        t.refresh(&r.findings);
        assert!(!t.visible.is_empty());
        assert!(t.visible.iter().all(|&i| r.findings[i]
            .requirements
            .iter()
            .any(|q| q.contains("v5.0.0"))));
        t.filter = Filter {
            hide_muted: true,
            ..Filter::default()
        };
        t.refresh(&r.findings);
        assert_eq!(t.visible.len(), r.findings.len() - 1);
        assert_eq!(cycle(&None, &t.regions), Some(t.regions[0].clone()));
        assert_eq!(
            cycle(&Some(t.regions.last().unwrap().clone()), &t.regions),
            None
        );
    }
}
