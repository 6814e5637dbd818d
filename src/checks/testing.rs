//! Helpers for the checks' unit tests: run one check on one hand-built account.

use chrono::{DateTime, Utc};

use super::{evaluate, Catalog, Selection};
use crate::evidence::AccountEvidence;
use crate::model::{Finding, Status};
use crate::testkit::evidence_of;

/// Runs `check`, with `name=value` parameter overrides, on `account` as of `now`. A check always
/// yields something, and only its own findings.
pub fn run_check(
    check: &str,
    account: AccountEvidence,
    params: &[(&str, i64)],
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let selection = Selection {
        checks: vec![check.to_string()],
        params: params
            .iter()
            .map(|(k, v)| (format!("{check}.{k}"), *v))
            .collect(),
        ..Default::default()
    };
    selection
        .validate(Catalog::builtin())
        .expect("valid selection");
    let findings = evaluate(&evidence_of(vec![account], now), &selection, now);
    assert!(!findings.is_empty(), "{check} yielded no finding");
    assert!(
        findings.iter().all(|f| f.check_id == check),
        "{findings:#?}"
    );
    findings
}

/// Asserts the status and that the detail contains every word.
pub fn expect(f: &Finding, status: Status, words: &[&str]) {
    assert_eq!(f.status, status, "{f:#?}");
    for w in words {
        assert!(f.detail.contains(w), "detail lacks {w:?}: {}", f.detail);
    }
}

/// The only finding, with the status and words expected.
pub fn one(findings: Vec<Finding>, status: Status, words: &[&str]) -> Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = findings.into_iter().next().unwrap();
    expect(&f, status, words);
    f
}
