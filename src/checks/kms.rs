//! KMS checks.

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::KmsKey;
use crate::model::Resource;

fn key_resource(key: &KmsKey) -> Resource {
    Resource {
        kind: "AwsKmsKey".to_string(),
        id: key.arn.clone(),
        name: key.key_id.clone(),
    }
}

pub fn key_rotation_enabled(ctx: &CheckContext) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let keys = match &evidence.kms {
            Ok(k) => k,
            Err(e) => {
                out.push(Outcome::error(region, ctx.account_resource(), e));
                continue;
            }
        };
        let before = out.len();
        for key in keys.iter().filter(|k| k.can_auto_rotate()) {
            let resource = key_resource(key);
            if key.state.starts_with("Pending") {
                out.push(Outcome::not_applicable(
                    region,
                    resource,
                    format!(
                        "Key {} is {}; rotation does not apply.",
                        key.key_id, key.state
                    ),
                ));
                continue;
            }
            let outcome = match &key.rotation_enabled {
                None => Outcome::new(
                    region,
                    resource,
                    crate::model::Status::Error,
                    format!(
                        "could not evaluate: the rotation status of key {} was not collected.",
                        key.key_id
                    ),
                ),
                Some(Err(e)) => Outcome::error(region, resource, e),
                Some(Ok(true)) => Outcome::pass(
                    region,
                    resource,
                    format!("Automatic rotation is enabled for key {}.", key.key_id),
                ),
                Some(Ok(false)) => Outcome::fail(
                    region,
                    resource,
                    format!(
                        "Automatic rotation is disabled for customer-managed key {} ({}).",
                        key.key_id, key.state
                    ),
                ),
            };
            out.push(outcome.with_evidence(json!({ "KeyState": key.state, "KeySpec": key.spec, "KeyRotationEnabled": key.rotation_enabled.as_ref().and_then(|r| r.as_ref().ok()) })));
        }
        if out.len() == before {
            out.push(Outcome::not_applicable(
                region,
                ctx.account_resource(),
                "No customer-managed symmetric KMS key in this region.",
            ));
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No region was scanned.",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::evidence::*;
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const CHECK: &str = "kms_key_rotation_enabled";
    const ACCT: &str = "111122223333";
    const HOME: &str = "us-east-1";
    const OTHER: &str = "eu-west-1";
    const ACCOUNT_ID: &str = "AWS::::Account:111122223333";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    /// Two regions, no KMS keys in either.
    fn account() -> AccountEvidence {
        compliant_account(ACCT, &[HOME, OTHER], now())
    }

    fn with_keys(region: &str, keys: Vec<KmsKey>) -> AccountEvidence {
        let mut a = account();
        a.regional.get_mut(region).unwrap().kms = Ok(keys);
        a
    }

    fn run(account: AccountEvidence) -> Vec<Finding> {
        crate::checks::testing::run_check(CHECK, account, &[], now())
    }

    fn in_region(findings: &[Finding], region: &str) -> Vec<Finding> {
        findings
            .iter()
            .filter(|f| f.region == region)
            .cloned()
            .collect()
    }

    /// The only finding of `region`, about `resource_id`.
    fn only(
        findings: &[Finding],
        region: &str,
        status: Status,
        resource_id: &str,
        words: &[&str],
    ) -> Finding {
        let here = in_region(findings, region);
        assert_eq!(here.len(), 1, "{region}: {findings:#?}");
        let f = here.into_iter().next().unwrap();
        assert_eq!(f.status, status, "{f:#?}");
        assert_eq!(f.resource.id, resource_id, "{f:#?}");
        for w in words {
            assert!(f.detail.contains(w), "detail lacks {w:?}: {}", f.detail);
        }
        f
    }

    fn key_arn(region: &str, id: &str) -> String {
        format!("arn:aws:kms:{region}:{ACCT}:key/{id}")
    }

    fn aws_managed(region: &str, id: &str) -> KmsKey {
        KmsKey {
            manager: "AWS".to_string(),
            rotation_enabled: None,
            ..customer_key(ACCT, region, id, true)
        }
    }

    #[test]
    fn customer_key_with_rotation_passes() {
        let findings = run(with_keys(
            HOME,
            vec![customer_key(ACCT, HOME, "k-on", true)],
        ));
        let f = only(
            &findings,
            HOME,
            Status::Pass,
            &key_arn(HOME, "k-on"),
            &["enabled", "k-on"],
        );
        assert_eq!(f.evidence["KeyRotationEnabled"], true);
        // The key-less region is NOT_APPLICABLE on its own.
        only(
            &findings,
            OTHER,
            Status::NotApplicable,
            ACCOUNT_ID,
            &["No customer-managed symmetric KMS key"],
        );
    }

    #[test]
    fn customer_key_without_rotation_fails() {
        let findings = run(with_keys(
            OTHER,
            vec![customer_key(ACCT, OTHER, "k-off", false)],
        ));
        only(
            &findings,
            OTHER,
            Status::Fail,
            &key_arn(OTHER, "k-off"),
            &["disabled", "k-off", "Enabled"],
        );
    }

    #[test]
    fn disabled_customer_key_is_still_judged() {
        let mut key = customer_key(ACCT, HOME, "k-disabled", false);
        key.state = "Disabled".to_string();
        let findings = run(with_keys(HOME, vec![key]));
        only(
            &findings,
            HOME,
            Status::Fail,
            &key_arn(HOME, "k-disabled"),
            &["(Disabled)"],
        );
    }

    #[test]
    fn key_pending_deletion_is_not_applicable() {
        let mut key = customer_key(ACCT, HOME, "k-old", false);
        key.state = "PendingDeletion".to_string();
        key.rotation_enabled = None;
        let findings = run(with_keys(HOME, vec![key]));
        only(
            &findings,
            HOME,
            Status::NotApplicable,
            &key_arn(HOME, "k-old"),
            &["PendingDeletion", "does not apply"],
        );
    }

    #[test]
    fn aws_managed_and_non_rotatable_keys_are_out_of_scope() {
        let mut asymmetric = customer_key(ACCT, HOME, "k-rsa", false);
        asymmetric.spec = "RSA_2048".to_string();
        asymmetric.rotation_enabled = None;
        let mut imported = customer_key(ACCT, HOME, "k-imported", false);
        imported.origin = "EXTERNAL".to_string();
        imported.rotation_enabled = None;
        let findings = run(with_keys(
            HOME,
            vec![aws_managed(HOME, "k-aws"), asymmetric, imported],
        ));
        only(
            &findings,
            HOME,
            Status::NotApplicable,
            ACCOUNT_ID,
            &["No customer-managed symmetric KMS key"],
        );
        // Beside a customer key, an AWS-managed key adds no finding.
        let findings = run(with_keys(
            HOME,
            vec![
                aws_managed(HOME, "k-aws"),
                customer_key(ACCT, HOME, "k-on", true),
            ],
        ));
        only(&findings, HOME, Status::Pass, &key_arn(HOME, "k-on"), &[]);
    }

    #[test]
    fn one_finding_per_key_in_its_region() {
        let mut a = with_keys(
            HOME,
            vec![
                customer_key(ACCT, HOME, "a", true),
                customer_key(ACCT, HOME, "b", false),
            ],
        );
        a.regional.get_mut(OTHER).unwrap().kms = Ok(vec![customer_key(ACCT, OTHER, "c", true)]);
        let findings = run(a);
        assert_eq!(findings.len(), 3, "{findings:#?}");
        let home = in_region(&findings, HOME);
        assert_eq!(home.iter().filter(|f| f.status == Status::Pass).count(), 1);
        assert_eq!(home.iter().filter(|f| f.status == Status::Fail).count(), 1);
        only(&findings, OTHER, Status::Pass, &key_arn(OTHER, "c"), &[]);
    }

    #[test]
    fn unlisted_keys_are_an_error_for_the_region() {
        let mut a = with_keys(HOME, vec![customer_key(ACCT, HOME, "k-on", true)]);
        a.regional.get_mut(OTHER).unwrap().kms = Err(denied("kms:ListKeys", OTHER, ACCT));
        let findings = run(a);
        only(
            &findings,
            OTHER,
            Status::Error,
            ACCOUNT_ID,
            &["kms:ListKeys", "access denied"],
        );
        only(&findings, HOME, Status::Pass, &key_arn(HOME, "k-on"), &[]);
    }

    #[test]
    fn unreadable_or_uncollected_rotation_status_is_an_error() {
        let mut denied_key = customer_key(ACCT, HOME, "k-denied", true);
        denied_key.rotation_enabled = Some(Err(denied("kms:GetKeyRotationStatus", HOME, ACCT)));
        let findings = run(with_keys(HOME, vec![denied_key]));
        only(
            &findings,
            HOME,
            Status::Error,
            &key_arn(HOME, "k-denied"),
            &["kms:GetKeyRotationStatus"],
        );
        let mut missing = customer_key(ACCT, HOME, "k-missing", true);
        missing.rotation_enabled = None;
        let findings = run(with_keys(HOME, vec![missing]));
        only(
            &findings,
            HOME,
            Status::Error,
            &key_arn(HOME, "k-missing"),
            &["not collected"],
        );
    }

    #[test]
    fn no_region_scanned_is_not_applicable() {
        let mut a = account();
        a.regional.clear();
        let findings = run(a);
        only(
            &findings,
            HOME,
            Status::NotApplicable,
            ACCOUNT_ID,
            &["No region was scanned"],
        );
    }
}
