//! S3 checks on log buckets.

use std::collections::BTreeMap;

use serde_json::json;

use super::cloudtrail::{
    bucket_region, bucket_resource, describe_errors, lookup_bucket, BucketLookup,
};
use super::{CheckContext, Outcome};
use crate::model::Resource;

/// Every bucket that receives logs, with what sends them: trail destinations, VPC flow log
/// destinations and server access log targets.
fn log_buckets(ctx: &CheckContext) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for trail in ctx.account.cloudtrail.trails.values() {
        if let Some(b) = &trail.s3_bucket_name {
            map.entry(b.clone())
                .or_default()
                .push(format!("CloudTrail trail {}", trail.name));
        }
    }
    for flow_log in ctx
        .account
        .regional
        .values()
        .filter_map(|r| r.ec2.as_ref())
        .filter_map(|e| e.flow_logs.as_ref().ok())
        .flatten()
    {
        if let Some(b) = flow_log.s3_bucket() {
            map.entry(b.to_string()).or_default().push(format!(
                "flow log {} of {}",
                flow_log.id, flow_log.resource_id
            ));
        }
    }
    if let Ok(buckets) = &ctx.account.s3.buckets {
        for bucket in buckets {
            if let Ok(Some(target)) = &bucket.logging {
                map.entry(target.target_bucket.clone())
                    .or_default()
                    .push(format!("access logs of bucket {}", bucket.name));
            }
        }
    }
    map
}

pub fn log_bucket_lifecycle(ctx: &CheckContext) -> Vec<Outcome> {
    // A region whose trails are unreadable may hold a trail delivering to a bucket we cannot see.
    let mut out = describe_errors(ctx);
    // A bucket whose logging setting is unreadable may send logs to a bucket we cannot see.
    match &ctx.account.s3.buckets {
        Err(e) => out.push(Outcome::error(ctx.home(), ctx.account_resource(), e)),
        Ok(buckets) => {
            for bucket in buckets {
                if let Err(e) = &bucket.logging {
                    out.push(Outcome::error(
                        bucket_region(ctx, bucket),
                        bucket_resource(&ctx.account.partition, &bucket.name),
                        e,
                    ));
                }
            }
        }
    }
    for (name, sources) in log_buckets(ctx) {
        let resource = bucket_resource(&ctx.account.partition, &name);
        let from = sources.join(", ");
        let bucket = match lookup_bucket(ctx, &name) {
            BucketLookup::Here(b) => b,
            // Already reported above as an ERROR for the account.
            BucketLookup::Unknown(_) => continue,
            BucketLookup::Elsewhere => {
                out.push(Outcome::not_applicable(
                    ctx.home(),
                    resource,
                    format!("Log bucket {name} (receives {from}) is not owned by this account; evaluate it in the account that owns it."),
                ));
                continue;
            }
        };
        let region = bucket_region(ctx, bucket);
        let outcome = match &bucket.lifecycle {
            Err(e) => Outcome::error(region, resource, e),
            Ok(None) => Outcome::fail(
                region,
                resource,
                format!("Log bucket {name} (receives {from}) has no lifecycle configuration: logs are kept and billed forever."),
            )
            .with_evidence(json!({ "lifecycle_rules": null })),
            Ok(Some(rules)) => {
                let described: Vec<String> = rules.iter().map(|r| r.describe()).collect();
                let evidence = json!({ "lifecycle_rules": described });
                match rules.iter().find(|r| r.manages_log_retention()) {
                    Some(rule) => Outcome::pass(
                        region,
                        resource,
                        format!("Log bucket {name} (receives {from}): {}.", rule.describe()),
                    ),
                    None => Outcome::fail(
                        region,
                        resource,
                        format!(
                            "Log bucket {name} (receives {from}) has no enabled lifecycle rule that expires or transitions logs: {}.",
                            described.join("; ")
                        ),
                    ),
                }
                .with_evidence(evidence)
            }
        };
        out.push(outcome);
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No bucket in this account receives CloudTrail logs or S3 server access logs.",
        ));
    }
    out
}

/// One outcome per bucket from `verdict`; ERROR when the bucket list is unreadable and
/// NOT_APPLICABLE when there are no buckets.
fn per_bucket(
    ctx: &CheckContext,
    verdict: impl Fn(&str, Resource, &crate::evidence::Bucket) -> Outcome,
) -> Vec<Outcome> {
    let buckets = match &ctx.account.s3.buckets {
        Ok(b) => b,
        Err(e) => return vec![Outcome::error(ctx.home(), ctx.account_resource(), e)],
    };
    if buckets.is_empty() {
        return vec![Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "The account has no S3 buckets.",
        )];
    }
    buckets
        .iter()
        .map(|b| {
            verdict(
                bucket_region(ctx, b),
                bucket_resource(&ctx.account.partition, &b.name),
                b,
            )
        })
        .collect()
}

pub fn block_public_access(ctx: &CheckContext) -> Vec<Outcome> {
    let account = &ctx.account.s3.account_public_access_block;
    per_bucket(ctx, |region, resource, b| {
        if matches!(account, Ok(Some(p)) if p.all_enabled()) {
            return Outcome::pass(
                region,
                resource,
                format!(
                    "Bucket {} is covered by account-level Block Public Access.",
                    b.name
                ),
            );
        }
        match &b.public_access_block {
            Ok(Some(p)) if p.all_enabled() => Outcome::pass(
                region,
                resource,
                format!(
                    "Bucket {} has all four Block Public Access settings on.",
                    b.name
                ),
            ),
            Ok(setting) => {
                // Without account-level blocking, an unreadable account setting leaves it unknown.
                if let Err(e) = account {
                    return Outcome::error(region, resource, e);
                }
                let off: Vec<&str> = match setting {
                    None => vec!["no bucket-level configuration"],
                    Some(p) => [
                        (!p.block_public_acls, "BlockPublicAcls"),
                        (!p.ignore_public_acls, "IgnorePublicAcls"),
                        (!p.block_public_policy, "BlockPublicPolicy"),
                        (!p.restrict_public_buckets, "RestrictPublicBuckets"),
                    ]
                    .into_iter()
                    .filter(|(off, _)| *off)
                    .map(|(_, n)| n)
                    .collect(),
                };
                Outcome::fail(
                    region,
                    resource,
                    format!("Bucket {} is not covered by Block Public Access (account level off; bucket: {}).", b.name, off.join(", ")),
                )
            }
            Err(e) => Outcome::error(region, resource, e),
        }
    })
}

pub fn mfa_delete(ctx: &CheckContext) -> Vec<Outcome> {
    per_bucket(ctx, |region, resource, b| match &b.versioning {
        Err(e) => Outcome::error(region, resource, e),
        Ok(v) if v.mfa_delete.as_deref() == Some("Enabled") => Outcome::pass(
            region,
            resource,
            format!("Bucket {} has MFA Delete enabled.", b.name),
        ),
        Ok(v) => Outcome::fail(
            region,
            resource,
            format!(
                "Bucket {} does not have MFA Delete enabled (versioning {}, MFA Delete {}).",
                b.name,
                v.status.as_deref().unwrap_or("never enabled"),
                v.mfa_delete.as_deref().unwrap_or("not set")
            ),
        ),
    })
}

/// True when a policy denies every principal all S3 actions on the bucket and its objects when
/// the request does not use TLS (`aws:SecureTransport` = false).
pub fn policy_denies_http(policy: &str, bucket_arn: &str) -> Result<bool, String> {
    use serde_json::Value;
    let doc: Value = serde_json::from_str(policy).map_err(|e| e.to_string())?;
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => Vec::new(),
    };
    let objects = format!("{bucket_arn}/*");
    Ok(statements.iter().any(|s| {
        let everyone = match &s["Principal"] {
            Value::String(p) => p == "*",
            Value::Object(m) => m
                .get("AWS")
                .is_some_and(|a| list(a).iter().any(|x| x == "*")),
            _ => false,
        };
        let all_actions = list(&s["Action"]).iter().any(|a| a == "*" || a == "s3:*");
        let resources = list(&s["Resource"]);
        let covers = |target: &str| {
            resources
                .iter()
                .any(|r| wildmatch::WildMatch::new(r).matches(target))
        };
        let insecure = s["Condition"]["Bool"]["aws:SecureTransport"].clone();
        let on_http =
            list(&insecure).iter().any(|v| v == "false") || insecure == Value::Bool(false);
        s["Effect"] == "Deny"
            && everyone
            && all_actions
            && covers(bucket_arn)
            && covers(&objects)
            && on_http
    }))
}

pub fn deny_http(ctx: &CheckContext) -> Vec<Outcome> {
    per_bucket(ctx, |region, resource, b| {
        match &b.policy {
        Err(e) => Outcome::error(region, resource, e),
        Ok(None) => Outcome::fail(region, resource, format!("Bucket {} has no bucket policy, so it does not deny HTTP requests.", b.name)),
        Ok(Some(policy)) => match policy_denies_http(policy, &b.arn) {
            Ok(true) => Outcome::pass(region, resource, format!("Bucket {}'s policy denies requests without TLS.", b.name)),
            Ok(false) => Outcome::fail(
                region,
                resource,
                format!("Bucket {}'s policy has no Deny for all principals and s3:* on the bucket and its objects when aws:SecureTransport is false.", b.name),
            ),
            Err(e) => Outcome::new(region, resource, crate::model::Status::Error, format!("could not evaluate: the policy of bucket {} is not valid JSON: {e}", b.name)),
        },
    }
    })
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::expect;
    use chrono::{DateTime, Utc};

    use crate::evidence::*;
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const CHECK: &str = "s3_log_bucket_lifecycle";
    const ACCT: &str = "111122223333";
    const HOME: &str = "us-east-1";
    const OTHER: &str = "eu-west-1";
    const ACCOUNT_ID: &str = "AWS::::Account:111122223333";
    const TRAIL_BUCKET: &str = "acme-trail-logs";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    /// Trail `main` delivers to `acme-trail-logs`, which also receives its own access logs and
    /// expires objects after 365 days.
    fn account() -> AccountEvidence {
        compliant_account(ACCT, &[HOME, OTHER], now())
    }

    fn run(account: AccountEvidence) -> Vec<Finding> {
        crate::checks::testing::run_check(CHECK, account, &[], now())
    }

    fn one_at(
        findings: Vec<Finding>,
        status: Status,
        region: &str,
        resource_id: &str,
        words: &[&str],
    ) -> Finding {
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = findings.into_iter().next().unwrap();
        expect(&f, status, words);
        assert_eq!(f.region, region, "{f:#?}");
        assert_eq!(f.resource.id, resource_id, "{f:#?}");
        f
    }

    fn find<'a>(findings: &'a [Finding], resource_id: &str) -> &'a Finding {
        findings
            .iter()
            .find(|f| f.resource.id == resource_id)
            .unwrap_or_else(|| panic!("no finding for {resource_id}: {findings:#?}"))
    }

    fn arn(bucket: &str) -> String {
        format!("arn:aws:s3:::{bucket}")
    }

    fn buckets(a: &mut AccountEvidence) -> &mut Vec<Bucket> {
        a.s3.buckets.as_mut().unwrap()
    }

    fn with_trail_bucket(edit: impl FnOnce(&mut Bucket)) -> AccountEvidence {
        let mut a = account();
        edit(
            buckets(&mut a)
                .iter_mut()
                .find(|b| b.name == TRAIL_BUCKET)
                .unwrap(),
        );
        a
    }

    fn rule(enabled: bool, expiration: Option<i32>, transition: Option<i32>) -> LifecycleRule {
        LifecycleRule {
            id: Some("logs".to_string()),
            enabled,
            filter: None,
            expiration_days: expiration,
            has_expiration: expiration.is_some(),
            transition_days: transition.into_iter().collect(),
            has_transition: transition.is_some(),
            noncurrent_expiration_days: None,
        }
    }

    fn main_arn() -> String {
        format!("arn:aws:cloudtrail:{HOME}:{ACCT}:trail/main")
    }

    #[test]
    fn log_bucket_with_an_expiring_rule_passes() {
        one_at(
            run(account()),
            Status::Pass,
            HOME,
            &arn(TRAIL_BUCKET),
            &[
                "acme-trail-logs",
                "CloudTrail trail main",
                "access logs of bucket acme-trail-logs",
                "expires after 365 days",
            ],
        );
    }

    #[test]
    fn a_transition_rule_also_manages_retention() {
        let a = with_trail_bucket(|b| b.lifecycle = Ok(Some(vec![rule(true, None, Some(90))])));
        one_at(
            run(a),
            Status::Pass,
            HOME,
            &arn(TRAIL_BUCKET),
            &["transitions after 90 days"],
        );
    }

    #[test]
    fn log_bucket_without_lifecycle_fails() {
        let a = with_trail_bucket(|b| b.lifecycle = Ok(None));
        let f = one_at(
            run(a),
            Status::Fail,
            HOME,
            &arn(TRAIL_BUCKET),
            &["no lifecycle configuration", "kept and billed forever"],
        );
        assert!(f.evidence["lifecycle_rules"].is_null());
    }

    #[test]
    fn flow_log_destination_buckets_are_log_buckets_too() {
        let mut a = account();
        let mut flow = bucket("acme-flow-logs", OTHER);
        flow.lifecycle = Ok(None);
        buckets(&mut a).push(flow);
        let ec2 = a.regional.get_mut(OTHER).unwrap().ec2.as_mut().unwrap();
        ec2.flow_logs.as_mut().unwrap()[0].destination =
            Some("arn:aws:s3:::acme-flow-logs/vpc/".to_string());
        let findings = run(a);
        let f = find(&findings, &arn("acme-flow-logs"));
        expect(
            f,
            Status::Fail,
            &["flow log fl-", "no lifecycle configuration"],
        );
        // A flow log into CloudWatch Logs names no bucket.
        let log_group = crate::evidence::FlowLog {
            id: "fl-1".to_string(),
            resource_id: "vpc-1".to_string(),
            status: "ACTIVE".to_string(),
            traffic_type: "ALL".to_string(),
            destination: Some("arn:aws:logs:us-east-1:111122223333:log-group:flows".to_string()),
        };
        assert_eq!(log_group.s3_bucket(), None);
    }

    #[test]
    fn disabled_or_noncurrent_only_rules_fail() {
        let mut noncurrent = rule(true, None, None);
        noncurrent.noncurrent_expiration_days = Some(30);
        let a = with_trail_bucket(|b| {
            b.lifecycle = Ok(Some(vec![rule(false, Some(30), None), noncurrent]))
        });
        one_at(
            run(a),
            Status::Fail,
            HOME,
            &arn(TRAIL_BUCKET),
            &[
                "no enabled lifecycle rule",
                "(disabled) expires after 30 days",
                "neither expires nor transitions",
            ],
        );
    }

    #[test]
    fn access_log_targets_are_log_buckets_too_and_other_buckets_are_ignored() {
        let mut a = account();
        let mut web = bucket("acme-web", HOME);
        web.logging = Ok(Some(LoggingTarget {
            target_bucket: "acme-access-logs".to_string(),
            target_prefix: Some("web/".to_string()),
        }));
        let mut access_logs = bucket("acme-access-logs", OTHER);
        access_logs.lifecycle = Ok(None);
        let mut plain = bucket("acme-plain", HOME);
        plain.lifecycle = Ok(None);
        buckets(&mut a).extend([web, access_logs, plain]);
        let findings = run(a);
        assert_eq!(
            findings.len(),
            2,
            "only log buckets are judged: {findings:#?}"
        );
        let f = find(&findings, &arn("acme-access-logs"));
        expect(
            f,
            Status::Fail,
            &[
                "access logs of bucket acme-web",
                "no lifecycle configuration",
            ],
        );
        assert_eq!(f.region, OTHER, "a finding carries the bucket's region");
        expect(find(&findings, &arn(TRAIL_BUCKET)), Status::Pass, &[]);
    }

    #[test]
    fn log_bucket_in_another_region_is_reported_there() {
        let a = with_trail_bucket(|b| b.region = Ok(OTHER.to_string()));
        one_at(run(a), Status::Pass, OTHER, &arn(TRAIL_BUCKET), &[]);
    }

    #[test]
    fn organization_trail_bucket_owned_elsewhere_is_not_applicable() {
        let mut a = account();
        let mut org = trail("999988887777", "org-trail", HOME, "org-central-logs");
        org.is_organization_trail = true;
        a.cloudtrail.describe = [HOME, OTHER]
            .iter()
            .map(|r| (r.to_string(), Ok(vec![org.arn.clone()])))
            .collect();
        a.cloudtrail.trails = [(org.arn.clone(), org)].into_iter().collect();
        // The account's own bucket logs to itself and is judged; the org bucket is not here.
        let findings = run(a.clone());
        assert_eq!(findings.len(), 2, "{findings:#?}");
        let f = find(&findings, &arn("org-central-logs"));
        expect(
            f,
            Status::NotApplicable,
            &[
                "org-central-logs",
                "CloudTrail trail org-trail",
                "not owned by this account",
            ],
        );
        assert_eq!(f.region, HOME);
        // With no local log bucket, only the NOT_APPLICABLE remains.
        buckets(&mut a)[0].logging = Ok(None);
        one_at(
            run(a),
            Status::NotApplicable,
            HOME,
            &arn("org-central-logs"),
            &["not owned by this account"],
        );
    }

    #[test]
    fn not_applicable_when_no_bucket_receives_logs() {
        let mut a = account();
        a.cloudtrail.describe = [HOME, OTHER]
            .iter()
            .map(|r| (r.to_string(), Ok(vec![])))
            .collect();
        a.cloudtrail.trails.clear();
        buckets(&mut a)[0].logging = Ok(None);
        one_at(
            run(a),
            Status::NotApplicable,
            HOME,
            ACCOUNT_ID,
            &["No bucket in this account receives"],
        );
    }

    #[test]
    fn unreadable_lifecycle_is_an_error_in_the_buckets_region() {
        let a = with_trail_bucket(|b| {
            b.region = Ok(OTHER.to_string());
            b.lifecycle = Err(denied("s3:GetBucketLifecycleConfiguration", OTHER, ACCT));
        });
        one_at(
            run(a),
            Status::Error,
            OTHER,
            &arn(TRAIL_BUCKET),
            &["s3:GetBucketLifecycleConfiguration"],
        );
    }

    #[test]
    fn unlisted_buckets_are_one_account_error() {
        let mut a = account();
        a.s3.buckets = Err(denied("s3:ListBuckets", HOME, ACCT));
        one_at(
            run(a),
            Status::Error,
            HOME,
            ACCOUNT_ID,
            &["s3:ListBuckets", "access denied"],
        );
    }

    #[test]
    fn unreadable_logging_setting_is_an_error_for_that_bucket() {
        // The bucket may send access logs to a bucket we therefore cannot identify.
        let mut a = account();
        let mut hidden = bucket("acme-hidden", OTHER);
        hidden.logging = Err(denied("s3:GetBucketLogging", OTHER, ACCT));
        buckets(&mut a).push(hidden);
        let findings = run(a);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        let f = find(&findings, &arn("acme-hidden"));
        expect(f, Status::Error, &["s3:GetBucketLogging"]);
        assert_eq!(f.region, OTHER);
    }

    #[test]
    fn unreadable_trail_list_is_an_error_never_a_silent_not_applicable() {
        // No access logging anywhere, and DescribeTrails denied in every region: the trails'
        // destination buckets are unknown, so "no bucket receives logs" would be unfounded.
        let mut a = account();
        buckets(&mut a)[0].logging = Ok(None);
        a.cloudtrail.trails.clear();
        for region in [HOME, OTHER] {
            a.cloudtrail.describe.insert(
                region.to_string(),
                Err(denied("cloudtrail:DescribeTrails", region, ACCT)),
            );
        }
        let findings = run(a.clone());
        assert_eq!(findings.len(), 2, "{findings:#?}");
        for f in &findings {
            expect(f, Status::Error, &["cloudtrail:DescribeTrails"]);
            assert_eq!(f.resource.id, ACCOUNT_ID);
        }
        // Denied in one region only: the known log bucket is still judged.
        let mut a = account();
        a.cloudtrail.describe.insert(
            OTHER.to_string(),
            Err(denied("cloudtrail:DescribeTrails", OTHER, ACCT)),
        );
        assert!(a.cloudtrail.trails.contains_key(&main_arn()));
        let findings = run(a);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        expect(find(&findings, &arn(TRAIL_BUCKET)), Status::Pass, &[]);
        let f = find(&findings, ACCOUNT_ID);
        expect(f, Status::Error, &["cloudtrail:DescribeTrails"]);
        assert_eq!(f.region, OTHER);
    }
}

#[cfg(test)]
mod bucket_tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::checks::testing::run_check;
    use crate::evidence::{AccountEvidence, PublicAccessBlock, Versioning};
    use crate::model::Status;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    fn account_with(edit: impl FnOnce(&mut crate::evidence::Bucket)) -> AccountEvidence {
        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        if let Ok(b) = &mut a.s3.buckets {
            edit(&mut b[0]);
        }
        a
    }

    fn status(check: &str, a: AccountEvidence) -> (Status, String) {
        let f = run_check(check, a, &[], now());
        (f[0].status, f[0].detail.clone())
    }

    #[test]
    fn block_public_access_at_account_or_bucket_level() {
        assert_eq!(
            status(
                "s3_block_public_access",
                compliant_account(ACCT, &["us-east-1"], now())
            )
            .0,
            Status::Pass
        );
        let mut a = account_with(|b| {
            b.public_access_block = Ok(Some(PublicAccessBlock {
                block_public_acls: true,
                ..Default::default()
            }))
        });
        a.s3.account_public_access_block = Ok(None);
        let (s, detail) = status("s3_block_public_access", a);
        assert_eq!(s, Status::Fail);
        assert!(
            detail.contains("IgnorePublicAcls") && !detail.contains("BlockPublicAcls,"),
            "{detail}"
        );
        let mut a = account_with(|_| {});
        a.s3.account_public_access_block = Ok(None);
        assert_eq!(
            status("s3_block_public_access", a).0,
            Status::Pass,
            "the bucket's own setting suffices"
        );
        let mut a = account_with(|b| b.public_access_block = Ok(None));
        a.s3.account_public_access_block =
            Err(denied("s3control:GetPublicAccessBlock", "us-east-1", ACCT));
        assert_eq!(status("s3_block_public_access", a).0, Status::Error);
        let mut none = compliant_account(ACCT, &["us-east-1"], now());
        none.s3.buckets = Ok(vec![]);
        assert_eq!(
            status("s3_block_public_access", none).0,
            Status::NotApplicable
        );
    }

    #[test]
    fn mfa_delete_per_bucket() {
        assert_eq!(
            status(
                "s3_mfa_delete",
                compliant_account(ACCT, &["us-east-1"], now())
            )
            .0,
            Status::Fail
        );
        let on = account_with(|b| {
            b.versioning = Ok(Versioning {
                status: Some("Enabled".into()),
                mfa_delete: Some("Enabled".into()),
            })
        });
        assert_eq!(status("s3_mfa_delete", on).0, Status::Pass);
        let err = account_with(|b| {
            b.versioning = Err(denied("s3:GetBucketVersioning", "us-east-1", ACCT))
        });
        assert_eq!(status("s3_mfa_delete", err).0, Status::Error);
        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.s3.buckets = Err(denied("s3:ListBuckets", "us-east-1", ACCT));
        assert_eq!(status("s3_mfa_delete", a).0, Status::Error);
    }

    const DENY: &str = r#"{"Statement":[{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::acme-trail-logs","arn:aws:s3:::acme-trail-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;

    #[test]
    fn deny_http_policies() {
        let arn = "arn:aws:s3:::acme-trail-logs";
        assert_eq!(policy_denies_http(DENY, arn), Ok(true));
        let wildcard = DENY.replace(
            r#"["arn:aws:s3:::acme-trail-logs","arn:aws:s3:::acme-trail-logs/*"]"#,
            r#""arn:aws:s3:::acme-trail-logs*""#,
        );
        assert_eq!(policy_denies_http(&wildcard, arn), Ok(true));
        let aws_star = DENY
            .replace(r#""Principal":"*""#, r#""Principal":{"AWS":["*"]}"#)
            .replace(r#""false""#, "false");
        assert_eq!(policy_denies_http(&aws_star, arn), Ok(true));
        // Objects only, one action, or an Allow conditioned on TLS do not count.
        let objects_only = DENY.replace(r#""arn:aws:s3:::acme-trail-logs","#, "");
        assert_eq!(policy_denies_http(&objects_only, arn), Ok(false));
        let one_action = DENY.replace(r#""s3:*""#, r#""s3:GetObject""#);
        assert_eq!(policy_denies_http(&one_action, arn), Ok(false));
        let allow_true = DENY
            .replace("Deny", "Allow")
            .replace(r#""false""#, r#""true""#);
        assert_eq!(policy_denies_http(&allow_true, arn), Ok(false));

        let with = account_with(|b| b.policy = Ok(Some(DENY.into())));
        assert_eq!(status("s3_deny_http", with).0, Status::Pass);
        let (s, detail) = status("s3_deny_http", account_with(|b| b.policy = Ok(None)));
        assert_eq!(s, Status::Fail);
        assert!(detail.contains("no bucket policy"));
        assert_eq!(
            status(
                "s3_deny_http",
                account_with(|b| b.policy = Ok(Some("{not json".into())))
            )
            .0,
            Status::Error
        );
        assert_eq!(
            status(
                "s3_deny_http",
                account_with(|b| b.policy = Err(denied("s3:GetBucketPolicy", "us-east-1", ACCT)))
            )
            .0,
            Status::Error
        );
    }
}
