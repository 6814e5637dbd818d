//! CloudTrail checks: multi-region logging, validation, encryption, CloudWatch Logs, data events,
//! and the trail's S3 bucket.

use std::collections::BTreeSet;

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::{AdvancedEventSelector, Bucket, EventSelectors, ReadWriteType, Trail};
use crate::model::{Resource, Status};

fn trail_resource(trail: &Trail) -> Resource {
    Resource {
        kind: "AwsCloudTrailTrail".to_string(),
        id: trail.arn.clone(),
        name: trail.name.clone(),
    }
}

pub(super) fn bucket_resource(partition: &str, name: &str) -> Resource {
    Resource {
        kind: "AwsS3Bucket".to_string(),
        id: format!("arn:{partition}:s3:::{name}"),
        name: name.to_string(),
    }
}

/// ERROR outcomes for every region whose trail list could not be read.
pub(super) fn describe_errors(ctx: &CheckContext) -> Vec<Outcome> {
    ctx.account
        .cloudtrail
        .describe
        .iter()
        .filter_map(|(region, r)| r.as_ref().err().map(|e| (region, e)))
        .map(|(region, e)| Outcome::error(region, ctx.account_resource(), e))
        .collect()
}

/// One outcome per trail from `verdict`, plus ERRORs for unreadable regions; NOT_APPLICABLE when
/// the account has no trail at all.
fn per_trail(ctx: &CheckContext, verdict: impl Fn(&Trail) -> Outcome) -> Vec<Outcome> {
    let mut out = describe_errors(ctx);
    out.extend(ctx.account.cloudtrail.trails.values().map(verdict));
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No CloudTrail trail exists in the scanned regions.",
        ));
    }
    out
}

/// Which management events a trail's selectors record: (read, write).
pub(super) fn management_coverage(selectors: &EventSelectors) -> (bool, bool) {
    let (mut read, mut write) = (false, false);
    for s in selectors
        .basic
        .iter()
        .filter(|s| s.include_management_events)
    {
        match s.read_write_type {
            ReadWriteType::All => (read, write) = (true, true),
            ReadWriteType::ReadOnly => read = true,
            ReadWriteType::WriteOnly => write = true,
        }
    }
    for s in &selectors.advanced {
        if !field_equals(s, "eventCategory", "Management") {
            continue;
        }
        let (r, w) = read_only_coverage(s);
        read |= r;
        write |= w;
    }
    (read, write)
}

fn field_equals(selector: &AdvancedEventSelector, field: &str, value: &str) -> bool {
    selector
        .field_selectors
        .iter()
        .any(|f| f.field == field && f.equals.iter().any(|v| v == value))
}

/// (read, write) events an advanced selector keeps, judged by its `readOnly` field.
fn read_only_coverage(selector: &AdvancedEventSelector) -> (bool, bool) {
    match selector
        .field_selectors
        .iter()
        .find(|f| f.field == "readOnly")
    {
        None => (true, true),
        Some(f) => {
            let keeps = |v: &str| {
                (f.equals.is_empty() || f.equals.iter().any(|e| e == v))
                    && !f.not_equals.iter().any(|e| e == v)
            };
            (keeps("true"), keeps("false"))
        }
    }
}

pub fn multi_region_enabled(ctx: &CheckContext) -> Vec<Outcome> {
    let trails = &ctx.account.cloudtrail.trails;
    let mut reasons = Vec::new();
    let mut unknown = Vec::new();
    for trail in trails.values() {
        if !trail.is_multi_region {
            reasons.push(format!("{} is a single-region trail", trail.name));
            continue;
        }
        let status = match &trail.status {
            Ok(s) => s,
            Err(e) => {
                unknown.push(Outcome::error(&trail.home_region, trail_resource(trail), e));
                continue;
            }
        };
        let selectors = match &trail.selectors {
            Ok(s) => s,
            Err(e) => {
                unknown.push(Outcome::error(&trail.home_region, trail_resource(trail), e));
                continue;
            }
        };
        let (read, write) = management_coverage(selectors);
        let evidence = json!({
            "is_multi_region": true,
            "is_logging": status.is_logging,
            "management_events_read": read,
            "management_events_write": write,
        });
        if status.is_logging && read && write {
            return vec![Outcome::pass(
                ctx.home(),
                trail_resource(trail),
                format!("Trail {} is multi-region, logging, and records read and write management events.", trail.name),
            )
            .with_evidence(evidence)];
        }
        let mut why = Vec::new();
        if !status.is_logging {
            why.push("is not logging");
        }
        match (read, write) {
            (false, false) => why.push("records no management events"),
            (true, false) => why.push("records only read management events"),
            (false, true) => why.push("records only write management events"),
            (true, true) => {}
        }
        reasons.push(format!("{} {}", trail.name, why.join(" and ")));
    }
    // No trail qualifies. An unreadable trail or region could be the one that does.
    let mut errors = describe_errors(ctx);
    errors.extend(unknown);
    if !errors.is_empty() {
        return errors;
    }
    let detail = if trails.is_empty() {
        "No CloudTrail trail exists in any scanned region.".to_string()
    } else {
        format!(
            "No multi-region trail is logging read and write management events: {}.",
            reasons.join("; ")
        )
    };
    vec![Outcome::fail(ctx.home(), ctx.account_resource(), detail)
        .with_evidence(json!({ "trails": trails.keys().collect::<Vec<_>>() }))]
}

pub fn log_file_validation(ctx: &CheckContext) -> Vec<Outcome> {
    per_trail(ctx, |trail| {
        let evidence = json!({ "LogFileValidationEnabled": trail.log_file_validation_enabled });
        if trail.log_file_validation_enabled {
            Outcome::pass(
                &trail.home_region,
                trail_resource(trail),
                format!("Trail {} has log file validation enabled.", trail.name),
            )
        } else {
            Outcome::fail(
                &trail.home_region,
                trail_resource(trail),
                format!("Trail {} has log file validation disabled.", trail.name),
            )
        }
        .with_evidence(evidence)
    })
}

pub fn kms_encryption(ctx: &CheckContext) -> Vec<Outcome> {
    per_trail(ctx, |trail| {
        let evidence = json!({ "KmsKeyId": trail.kms_key_id });
        match &trail.kms_key_id {
            Some(key) => Outcome::pass(
                &trail.home_region,
                trail_resource(trail),
                format!("Trail {} encrypts its logs with KMS key {key}.", trail.name),
            ),
            None => Outcome::fail(
                &trail.home_region,
                trail_resource(trail),
                format!(
                    "Trail {} does not use SSE-KMS: its logs have only S3's default encryption.",
                    trail.name
                ),
            ),
        }
        .with_evidence(evidence)
    })
}

pub fn cloudwatch_logs_integration(ctx: &CheckContext) -> Vec<Outcome> {
    let max_hours = ctx.param("max_delivery_age_hours");
    per_trail(ctx, |trail| {
        let resource = trail_resource(trail);
        let region = &trail.home_region;
        let Some(group) = &trail.cloudwatch_logs_log_group_arn else {
            return Outcome::fail(
                region,
                resource,
                format!("Trail {} does not deliver to CloudWatch Logs.", trail.name),
            )
            .with_evidence(json!({ "CloudWatchLogsLogGroupArn": null }));
        };
        let status = match &trail.status {
            Ok(s) => s,
            Err(e) => return Outcome::error(region, resource, e),
        };
        let evidence = json!({
            "CloudWatchLogsLogGroupArn": group,
            "LatestCloudWatchLogsDeliveryTime": status.latest_cloudwatch_logs_delivery_time,
            "max_delivery_age_hours": max_hours,
        });
        match status.latest_cloudwatch_logs_delivery_time {
            Some(t) => {
                let hours = (ctx.now - t).num_hours();
                let detail = format!(
                    "Trail {} delivers to {group}; last delivery {} ({hours} h ago, limit {max_hours} h).",
                    trail.name,
                    t.format("%Y-%m-%d %H:%M UTC")
                );
                if hours <= max_hours {
                    Outcome::pass(region, resource, detail)
                } else {
                    Outcome::fail(region, resource, detail)
                }
            }
            None => Outcome::pass(
                region,
                resource,
                format!("Trail {} delivers to {group}; AWS reports no last delivery time.", trail.name),
            ),
        }
        .with_evidence(evidence)
    })
}

/// AWS logging best practice: the account's activity reaches a central place — an organization
/// trail, or a logging multi-region trail delivering to a bucket another account owns.
pub fn logs_centralized(ctx: &CheckContext) -> Vec<Outcome> {
    let mut errors = describe_errors(ctx);
    let mut local = Vec::new();
    for trail in ctx
        .account
        .cloudtrail
        .trails
        .values()
        .filter(|t| t.is_multi_region)
    {
        let logging = match &trail.status {
            Ok(s) => s.is_logging,
            Err(e) => {
                errors.push(Outcome::error(&trail.home_region, trail_resource(trail), e));
                continue;
            }
        };
        if !logging {
            local.push(format!("{} is not logging", trail.name));
            continue;
        }
        let evidence = json!({
            "trail": trail.arn,
            "is_organization_trail": trail.is_organization_trail,
            "owner_account": trail.owner_account,
            "s3_bucket": trail.s3_bucket_name,
        });
        if trail.is_organization_trail || trail.owner_account != ctx.account.account_id {
            return vec![Outcome::pass(
                ctx.home(),
                trail_resource(trail),
                format!(
                    "Organization trail {} (account {}) collects this account's events centrally.",
                    trail.name, trail.owner_account
                ),
            )
            .with_evidence(evidence)];
        }
        let Some(bucket) = &trail.s3_bucket_name else {
            local.push(format!("{} names no S3 bucket", trail.name));
            continue;
        };
        match lookup_bucket(ctx, bucket) {
            BucketLookup::Elsewhere => {
                return vec![Outcome::pass(
                    ctx.home(),
                    trail_resource(trail),
                    format!(
                        "Trail {} delivers to bucket {bucket}, which this account does not own: logs are kept in another (log-archive) account.",
                        trail.name
                    ),
                )
                .with_evidence(evidence)]
            }
            BucketLookup::Unknown(e) => errors.push(Outcome::error(ctx.home(), ctx.account_resource(), e)),
            BucketLookup::Here(_) => local.push(format!(
                "{} delivers to bucket {bucket} in this account",
                trail.name
            )),
        }
    }
    if !errors.is_empty() {
        return errors;
    }
    let detail = if local.is_empty() {
        "No logging multi-region trail exists, so no activity reaches a central log archive."
            .to_string()
    } else {
        format!(
            "Logs stay in this account, where a compromised administrator can delete them: {}.",
            local.join("; ")
        )
    };
    vec![
        Outcome::fail(ctx.home(), ctx.account_resource(), detail).with_evidence(
            json!({ "trails": ctx.account.cloudtrail.trails.keys().collect::<Vec<_>>() }),
        ),
    ]
}

/// The distinct buckets trails deliver to, with the trails that use each.
fn trail_buckets<'a>(ctx: &'a CheckContext) -> Vec<(String, Vec<&'a Trail>)> {
    let mut map: std::collections::BTreeMap<String, Vec<&Trail>> = Default::default();
    for trail in ctx.account.cloudtrail.trails.values() {
        if let Some(b) = &trail.s3_bucket_name {
            map.entry(b.clone()).or_default().push(trail);
        }
    }
    map.into_iter().collect()
}

/// How a bucket named by a trail or a logging target relates to this account's evidence.
pub(super) enum BucketLookup<'a> {
    Here(&'a Bucket),
    /// Not among this account's buckets: owned by another account (e.g. an organization trail).
    Elsewhere,
    Unknown(&'a crate::evidence::CollectError),
}

pub(super) fn lookup_bucket<'a>(ctx: &'a CheckContext, name: &str) -> BucketLookup<'a> {
    match &ctx.account.s3.buckets {
        Err(e) => BucketLookup::Unknown(e),
        Ok(buckets) => match buckets.iter().find(|b| b.name == name) {
            Some(b) => BucketLookup::Here(b),
            None => BucketLookup::Elsewhere,
        },
    }
}

pub(super) fn bucket_region<'a>(ctx: &'a CheckContext, bucket: &'a Bucket) -> &'a str {
    bucket.region.as_deref().unwrap_or(ctx.home())
}

/// Runs `verdict` on each trail bucket owned by this account.
fn per_trail_bucket(
    ctx: &CheckContext,
    verdict: impl Fn(&Bucket, &[&Trail]) -> Outcome,
) -> Vec<Outcome> {
    let buckets = trail_buckets(ctx);
    let mut out = describe_errors(ctx);
    for (name, trails) in &buckets {
        let resource = bucket_resource(&ctx.account.partition, name);
        let trail_names: Vec<&str> = trails.iter().map(|t| t.name.as_str()).collect();
        match lookup_bucket(ctx, name) {
            BucketLookup::Here(bucket) => out.push(verdict(bucket, trails)),
            BucketLookup::Unknown(e) => out.push(Outcome::error(ctx.home(), resource, e)),
            BucketLookup::Elsewhere => out.push(Outcome::not_applicable(
                ctx.home(),
                resource,
                format!(
                    "Bucket {name} (used by trail {}) is not owned by this account; evaluate it in the account that owns it.",
                    trail_names.join(", ")
                ),
            )),
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No CloudTrail trail delivers to an S3 bucket in the scanned regions.",
        ));
    }
    out
}

pub fn bucket_access_logging(ctx: &CheckContext) -> Vec<Outcome> {
    per_trail_bucket(ctx, |bucket, _| {
        let region = bucket_region(ctx, bucket);
        let resource = bucket_resource(&ctx.account.partition, &bucket.name);
        match &bucket.logging {
            Err(e) => Outcome::error(region, resource, e),
            Ok(Some(target)) => Outcome::pass(
                region,
                resource,
                format!("CloudTrail bucket {} logs server access to {}.", bucket.name, target.target_bucket),
            )
            .with_evidence(json!({ "LoggingEnabled": { "TargetBucket": target.target_bucket, "TargetPrefix": target.target_prefix } })),
            Ok(None) => Outcome::fail(
                region,
                resource,
                format!("CloudTrail bucket {} has server access logging disabled.", bucket.name),
            )
            .with_evidence(json!({ "LoggingEnabled": null })),
        }
    })
}

const PUBLIC_GRANTEES: [&str; 2] = [
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/// Statements of a bucket policy that allow anyone (`Principal: "*"`) without a condition.
pub(super) fn public_policy_statements(policy: &str) -> Result<Vec<String>, String> {
    let doc: serde_json::Value = serde_json::from_str(policy).map_err(|e| e.to_string())?;
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        s @ serde_json::Value::Object(_) => vec![s.clone()],
        _ => Vec::new(),
    };
    let is_star = |p: &serde_json::Value| match p {
        serde_json::Value::String(s) => s == "*",
        serde_json::Value::Object(m) => m.get("AWS").is_some_and(|a| match a {
            serde_json::Value::String(s) => s == "*",
            serde_json::Value::Array(v) => v.iter().any(|x| x == "*"),
            _ => false,
        }),
        _ => false,
    };
    Ok(statements
        .iter()
        .filter(|s| {
            s["Effect"] == "Allow" && is_star(&s["Principal"]) && s.get("Condition").is_none()
        })
        .map(|s| {
            s.get("Sid")
                .and_then(|v| v.as_str())
                .unwrap_or("(no Sid)")
                .to_string()
        })
        .collect())
}

pub fn bucket_not_public(ctx: &CheckContext) -> Vec<Outcome> {
    let account_block = ctx.account.s3.account_public_access_block.as_ref();
    per_trail_bucket(ctx, |bucket, _| {
        let region = bucket_region(ctx, bucket);
        let resource = bucket_resource(&ctx.account.partition, &bucket.name);
        let blocked_by_account = matches!(account_block, Ok(Some(b)) if b.all_enabled());
        let blocked_by_bucket =
            matches!(&bucket.public_access_block, Ok(Some(b)) if b.all_enabled());
        if blocked_by_account || blocked_by_bucket {
            let level = if blocked_by_bucket {
                "bucket"
            } else {
                "account"
            };
            return Outcome::pass(
                region,
                resource,
                format!("CloudTrail bucket {} is covered by {level}-level Block Public Access (all four settings on).", bucket.name),
            )
            .with_evidence(json!({ "block_public_access": level }));
        }
        let acl = match &bucket.acl_grants {
            Ok(a) => a,
            Err(e) => return Outcome::error(region, resource, e),
        };
        let policy = match &bucket.policy {
            Ok(p) => p,
            Err(e) => return Outcome::error(region, resource, e),
        };
        let public_grants: Vec<String> = acl
            .iter()
            .filter(|g| PUBLIC_GRANTEES.contains(&g.grantee.as_str()))
            .map(|g| {
                format!(
                    "{} to {}",
                    g.permission,
                    g.grantee.rsplit('/').next().unwrap_or(&g.grantee)
                )
            })
            .collect();
        let public_statements = match policy.as_deref().map(public_policy_statements) {
            None => Vec::new(),
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                return Outcome::new(
                    region,
                    resource,
                    Status::Error,
                    format!(
                        "could not evaluate: the policy of bucket {} is not valid JSON: {e}",
                        bucket.name
                    ),
                )
            }
        };
        let evidence = json!({ "public_acl_grants": public_grants, "public_policy_statements": public_statements });
        if public_grants.is_empty() && public_statements.is_empty() {
            Outcome::pass(
                region,
                resource,
                format!("CloudTrail bucket {} grants nothing to AllUsers or AuthenticatedUsers and its policy allows no anonymous principal.", bucket.name),
            )
        } else {
            let mut why = Vec::new();
            if !public_grants.is_empty() {
                why.push(format!("ACL grants {}", public_grants.join(", ")));
            }
            if !public_statements.is_empty() {
                why.push(format!("policy statements {} allow Principal \"*\" without a condition", public_statements.join(", ")));
            }
            Outcome::fail(region, resource, format!("CloudTrail bucket {} is public: {}.", bucket.name, why.join("; ")))
        }
        .with_evidence(evidence)
    })
}

/// Which S3 object events a selector set logs: `(all buckets?, named buckets)` per direction.
#[derive(Default, Debug)]
struct S3DataCoverage {
    all: bool,
    buckets: BTreeSet<String>,
}

fn s3_data_coverage(
    selectors: &EventSelectors,
    partition: &str,
    want_read: bool,
) -> S3DataCoverage {
    let mut cov = S3DataCoverage::default();
    let all_prefixes = [
        format!("arn:{partition}:s3"),
        format!("arn:{partition}:s3:::"),
    ];
    let add_value = |cov: &mut S3DataCoverage, v: &str| {
        if all_prefixes.iter().any(|p| p == v) {
            cov.all = true;
        } else if let Some(rest) = v.strip_prefix(&format!("arn:{partition}:s3:::")) {
            // `bucket` or `bucket/` is the whole bucket; `bucket/prefix` only part of it.
            let (bucket, key_prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if !bucket.is_empty() && key_prefix.is_empty() {
                cov.buckets.insert(bucket.to_string());
            }
        }
    };
    for s in &selectors.basic {
        let direction_ok = match s.read_write_type {
            ReadWriteType::All => true,
            ReadWriteType::ReadOnly => want_read,
            ReadWriteType::WriteOnly => !want_read,
        };
        if !direction_ok {
            continue;
        }
        for dr in s
            .data_resources
            .iter()
            .filter(|d| d.resource_type == "AWS::S3::Object")
        {
            for v in &dr.values {
                add_value(&mut cov, v);
            }
        }
    }
    for s in &selectors.advanced {
        if !field_equals(s, "eventCategory", "Data")
            || !field_equals(s, "resources.type", "AWS::S3::Object")
        {
            continue;
        }
        let (r, w) = read_only_coverage(s);
        if !(if want_read { r } else { w }) {
            continue;
        }
        // Any other narrowing field (eventName, eventSource...) makes it partial: not counted.
        let narrowing = s.field_selectors.iter().any(|f| {
            !matches!(
                f.field.as_str(),
                "eventCategory" | "resources.type" | "readOnly" | "resources.ARN"
            )
        });
        if narrowing {
            continue;
        }
        match s
            .field_selectors
            .iter()
            .find(|f| f.field == "resources.ARN")
        {
            None => cov.all = true,
            Some(f) => {
                let excludes = !f.not_equals.is_empty()
                    || !f.not_starts_with.is_empty()
                    || !f.not_ends_with.is_empty()
                    || !f.ends_with.is_empty();
                if excludes {
                    continue;
                }
                for v in f.starts_with.iter().chain(&f.equals) {
                    add_value(&mut cov, v);
                }
            }
        }
    }
    cov
}

fn s3_data_events(ctx: &CheckContext, want_read: bool) -> Vec<Outcome> {
    let what = if want_read { "read" } else { "write" };
    let mut errors = describe_errors(ctx);
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut considered = Vec::new();
    for trail in ctx
        .account
        .cloudtrail
        .trails
        .values()
        .filter(|t| t.is_multi_region)
    {
        let (status, selectors) = match (&trail.status, &trail.selectors) {
            (Ok(st), Ok(se)) => (st, se),
            (Err(e), _) | (_, Err(e)) => {
                errors.push(Outcome::error(&trail.home_region, trail_resource(trail), e));
                continue;
            }
        };
        if !status.is_logging {
            considered.push(format!("{} is not logging", trail.name));
            continue;
        }
        let cov = s3_data_coverage(selectors, &ctx.account.partition, want_read);
        if cov.all {
            return vec![Outcome::pass(
                ctx.home(),
                ctx.account_resource(),
                format!(
                    "Multi-region trail {} logs S3 object-level {what} events for all buckets.",
                    trail.name
                ),
            )
            .with_evidence(json!({ "trail": trail.arn }))];
        }
        covered.extend(cov.buckets);
    }
    let buckets = match &ctx.account.s3.buckets {
        Ok(b) => b,
        Err(e) => {
            errors.push(Outcome::error(ctx.home(), ctx.account_resource(), e));
            return errors;
        }
    };
    let uncovered: Vec<&str> = buckets
        .iter()
        .map(|b| b.name.as_str())
        .filter(|n| !covered.contains(*n))
        .collect();
    if uncovered.is_empty() {
        if buckets.is_empty() {
            return vec![Outcome::not_applicable(
                ctx.home(),
                ctx.account_resource(),
                format!("The account has no S3 buckets whose object-level {what} events could be logged."),
            )];
        }
        return vec![Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            format!(
                "Every bucket's object-level {what} events are logged by a multi-region trail."
            ),
        )
        .with_evidence(json!({ "covered_buckets": covered }))];
    }
    if !errors.is_empty() {
        return errors;
    }
    let shown: Vec<&str> = uncovered.iter().take(10).copied().collect();
    let more = uncovered.len().saturating_sub(shown.len());
    let mut detail = format!(
        "No logging multi-region trail records S3 object-level {what} events for {} of {} buckets: {}",
        uncovered.len(),
        buckets.len(),
        shown.join(", ")
    );
    if more > 0 {
        detail.push_str(&format!(" and {more} more"));
    }
    detail.push('.');
    if !considered.is_empty() {
        detail.push_str(&format!(" ({})", considered.join("; ")));
    }
    vec![Outcome::fail(ctx.home(), ctx.account_resource(), detail)
        .with_evidence(json!({ "uncovered_buckets": uncovered }))]
}

pub fn s3_write_data_events(ctx: &CheckContext) -> Vec<Outcome> {
    s3_data_events(ctx, false)
}

pub fn s3_read_data_events(ctx: &CheckContext) -> Vec<Outcome> {
    s3_data_events(ctx, true)
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{expect, one};
    use chrono::{DateTime, Duration, Utc};

    use crate::evidence::*;
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const ACCT: &str = "111122223333";
    const ORG_OWNER: &str = "999988887777";
    const HOME: &str = "us-east-1";
    const OTHER: &str = "eu-west-1";
    const ACCOUNT_ID: &str = "AWS::::Account:111122223333";
    const TRAIL_BUCKET: &str = "acme-trail-logs";

    const PER_TRAIL: [&str; 3] = [
        "cloudtrail_log_file_validation",
        "cloudtrail_kms_encryption",
        "cloudtrail_cloudwatch_logs_integration",
    ];
    const BUCKET_CHECKS: [&str; 2] = [
        "cloudtrail_bucket_access_logging",
        "cloudtrail_bucket_not_public",
    ];
    const DATA_CHECKS: [&str; 2] = [
        "cloudtrail_s3_read_data_events",
        "cloudtrail_s3_write_data_events",
    ];

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    /// Two regions; trail `main` (multi-region, home us-east-1) delivers to `acme-trail-logs`,
    /// and `DescribeTrails` lists it in both regions (a shadow trail in eu-west-1).
    fn account() -> AccountEvidence {
        compliant_account(ACCT, &[HOME, OTHER], now())
    }

    fn run_with(check: &str, account: AccountEvidence, params: &[(&str, i64)]) -> Vec<Finding> {
        crate::checks::testing::run_check(check, account, params, now())
    }

    fn run(check: &str, account: AccountEvidence) -> Vec<Finding> {
        run_with(check, account, &[])
    }

    /// The only finding: about `resource_id`, in `region`.
    fn one_at(
        findings: Vec<Finding>,
        status: Status,
        region: &str,
        resource_id: &str,
        words: &[&str],
    ) -> Finding {
        let f = one(findings, status, words);
        assert_eq!(f.region, region, "{f:#?}");
        assert_eq!(f.resource.id, resource_id, "{f:#?}");
        f
    }

    fn find<'a>(findings: &'a [Finding], region: &str, resource_id: &str) -> &'a Finding {
        findings
            .iter()
            .find(|f| f.region == region && f.resource.id == resource_id)
            .unwrap_or_else(|| panic!("no finding for {resource_id} in {region}: {findings:#?}"))
    }

    fn main_arn() -> String {
        format!("arn:aws:cloudtrail:{HOME}:{ACCT}:trail/main")
    }

    fn bucket_arn(name: &str) -> String {
        format!("arn:aws:s3:::{name}")
    }

    fn edit_main(a: &mut AccountEvidence, edit: impl FnOnce(&mut Trail)) {
        edit(
            a.cloudtrail
                .trails
                .get_mut(&main_arn())
                .expect("trail main"),
        );
    }

    fn with_main(edit: impl FnOnce(&mut Trail)) -> AccountEvidence {
        let mut a = account();
        edit_main(&mut a, edit);
        a
    }

    /// Replaces the trails; `DescribeTrails` lists every one of them in every region, as AWS
    /// does for multi-region trails (shadow trails).
    fn set_trails(a: &mut AccountEvidence, trails: Vec<Trail>) {
        let arns: Vec<String> = trails.iter().map(|t| t.arn.clone()).collect();
        for listed in a.cloudtrail.describe.values_mut() {
            *listed = Ok(arns.clone());
        }
        a.cloudtrail.trails = trails.into_iter().map(|t| (t.arn.clone(), t)).collect();
    }

    fn without_trails() -> AccountEvidence {
        let mut a = account();
        set_trails(&mut a, vec![]);
        a
    }

    fn deny_describe(a: &mut AccountEvidence, region: &str) {
        a.cloudtrail.describe.insert(
            region.to_string(),
            Err(denied("cloudtrail:DescribeTrails", region, ACCT)),
        );
    }

    /// An organization trail owned by the management account, delivering to its own bucket.
    fn org_trail() -> Trail {
        let mut t = trail(ORG_OWNER, "org-trail", HOME, "org-central-logs");
        t.is_organization_trail = true;
        t
    }

    fn basic(rw: ReadWriteType, management: bool, s3_values: &[&str]) -> BasicEventSelector {
        BasicEventSelector {
            read_write_type: rw,
            include_management_events: management,
            data_resources: if s3_values.is_empty() {
                vec![]
            } else {
                vec![DataResource {
                    resource_type: "AWS::S3::Object".to_string(),
                    values: s3_values.iter().map(|v| v.to_string()).collect(),
                }]
            },
            exclude_management_event_sources: vec![],
        }
    }

    fn equals(field: &str, values: &[&str]) -> AdvancedFieldSelector {
        AdvancedFieldSelector {
            field: field.to_string(),
            equals: values.iter().map(|v| v.to_string()).collect(),
            ..Default::default()
        }
    }

    fn advanced(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
        AdvancedEventSelector {
            name: None,
            field_selectors: fields,
        }
    }

    fn management(read_only: Option<&str>) -> AdvancedEventSelector {
        let mut fields = vec![equals("eventCategory", &["Management"])];
        if let Some(v) = read_only {
            fields.push(equals("readOnly", &[v]));
        }
        advanced(fields)
    }

    fn s3_data(read_only: Option<&str>) -> AdvancedEventSelector {
        let mut fields = vec![
            equals("eventCategory", &["Data"]),
            equals("resources.type", &["AWS::S3::Object"]),
        ];
        if let Some(v) = read_only {
            fields.push(equals("readOnly", &[v]));
        }
        advanced(fields)
    }

    fn with_selectors(
        basic: Vec<BasicEventSelector>,
        advanced: Vec<AdvancedEventSelector>,
    ) -> AccountEvidence {
        with_main(|t| t.selectors = Ok(EventSelectors { basic, advanced }))
    }

    // ---- shadow trails and the region / resource of per-trail findings ----

    #[test]
    fn a_trail_listed_in_several_regions_is_one_trail() {
        let mut a = compliant_account(ACCT, &[HOME, OTHER, "ap-southeast-2"], now());
        // The trail's ARN is listed by DescribeTrails in all three regions.
        assert!(a
            .cloudtrail
            .describe
            .values()
            .all(|l| l.as_ref().unwrap() == &vec![main_arn()]));
        edit_main(&mut a, |t| t.log_file_validation_enabled = false);
        for check in PER_TRAIL {
            let findings = run(check, a.clone());
            assert_eq!(findings.len(), 1, "{check}: {findings:#?}");
            assert_eq!(
                findings[0].region, HOME,
                "{check}: reported in the trail's home region"
            );
            assert_eq!(findings[0].resource.id, main_arn());
        }
        one(
            run("cloudtrail_multi_region_enabled", a.clone()),
            Status::Pass,
            &[],
        );
        for check in BUCKET_CHECKS {
            one(run(check, a.clone()), Status::Pass, &[]);
        }
    }

    #[test]
    fn per_trail_findings_carry_the_trails_home_region() {
        let mut a = account();
        let eu = trail(ACCT, "eu-audit", OTHER, TRAIL_BUCKET);
        let eu_arn = eu.arn.clone();
        let main = a.cloudtrail.trails[&main_arn()].clone();
        set_trails(&mut a, vec![main, eu]);
        for check in PER_TRAIL {
            let findings = run(check, a.clone());
            assert_eq!(findings.len(), 2, "{check}: {findings:#?}");
            expect(find(&findings, OTHER, &eu_arn), Status::Pass, &["eu-audit"]);
            expect(find(&findings, HOME, &main_arn()), Status::Pass, &["main"]);
        }
    }

    // ---- cloudtrail_multi_region_enabled ----

    #[test]
    fn multi_region_logging_trail_with_all_management_events_passes() {
        let f = one_at(
            run("cloudtrail_multi_region_enabled", account()),
            Status::Pass,
            HOME,
            &main_arn(),
            &["main", "multi-region", "read and write management events"],
        );
        assert_eq!(f.evidence["management_events_write"], true);
    }

    #[test]
    fn single_region_or_idle_trail_fails() {
        let a = with_main(|t| t.is_multi_region = false);
        one_at(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            HOME,
            ACCOUNT_ID,
            &["main is a single-region trail"],
        );
        let a = with_main(|t| t.status.as_mut().unwrap().is_logging = false);
        one_at(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            HOME,
            ACCOUNT_ID,
            &["main is not logging"],
        );
    }

    #[test]
    fn no_trail_at_all_fails_rather_than_not_applicable() {
        // Account-wide requirement: an account without any trail FAILs; NOT_APPLICABLE cannot
        // occur for this check.
        one_at(
            run("cloudtrail_multi_region_enabled", without_trails()),
            Status::Fail,
            HOME,
            ACCOUNT_ID,
            &["No CloudTrail trail exists"],
        );
    }

    #[test]
    fn basic_selectors_must_cover_read_and_write_management_events() {
        let a = with_selectors(vec![basic(ReadWriteType::WriteOnly, true, &[])], vec![]);
        one(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            &["records only write management events"],
        );
        let a = with_selectors(vec![basic(ReadWriteType::ReadOnly, true, &[])], vec![]);
        one(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            &["records only read management events"],
        );
        let a = with_selectors(
            vec![basic(ReadWriteType::All, false, &["arn:aws:s3"])],
            vec![],
        );
        one(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            &["records no management events"],
        );
        let a = with_selectors(
            vec![
                basic(ReadWriteType::ReadOnly, true, &[]),
                basic(ReadWriteType::WriteOnly, true, &[]),
            ],
            vec![],
        );
        one(run("cloudtrail_multi_region_enabled", a), Status::Pass, &[]);
    }

    #[test]
    fn advanced_management_selectors() {
        let a = with_selectors(vec![], vec![management(None)]);
        one(run("cloudtrail_multi_region_enabled", a), Status::Pass, &[]);
        let a = with_selectors(vec![], vec![management(Some("true"))]);
        one(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            &["records only read management events"],
        );
        let a = with_selectors(vec![], vec![management(Some("false"))]);
        one(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            &["records only write management events"],
        );
        let a = with_selectors(
            vec![],
            vec![management(Some("true")), management(Some("false"))],
        );
        one(run("cloudtrail_multi_region_enabled", a), Status::Pass, &[]);
        // readOnly != true keeps only write events.
        let mut not_read = management(None);
        not_read.field_selectors.push(AdvancedFieldSelector {
            field: "readOnly".to_string(),
            not_equals: vec!["true".to_string()],
            ..Default::default()
        });
        let a = with_selectors(vec![], vec![not_read]);
        one(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            &["records only write management events"],
        );
        // A data-event selector records no management events.
        let a = with_selectors(vec![], vec![s3_data(None)]);
        one(
            run("cloudtrail_multi_region_enabled", a),
            Status::Fail,
            &["records no management events"],
        );
    }

    #[test]
    fn denied_describe_in_one_region_does_not_hide_a_qualifying_trail() {
        let mut a = account();
        deny_describe(&mut a, OTHER);
        one_at(
            run("cloudtrail_multi_region_enabled", a),
            Status::Pass,
            HOME,
            &main_arn(),
            &["main"],
        );
    }

    #[test]
    fn denied_describe_without_a_qualifying_trail_is_an_error() {
        let mut a = with_main(|t| t.is_multi_region = false);
        deny_describe(&mut a, OTHER);
        let f = one_at(
            run("cloudtrail_multi_region_enabled", a),
            Status::Error,
            OTHER,
            ACCOUNT_ID,
            &["cloudtrail:DescribeTrails", "access denied"],
        );
        assert_eq!(f.evidence["operation"], "cloudtrail:DescribeTrails");
        let mut a = without_trails();
        deny_describe(&mut a, HOME);
        deny_describe(&mut a, OTHER);
        let findings = run("cloudtrail_multi_region_enabled", a);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert!(findings.iter().all(|f| f.status == Status::Error));
    }

    #[test]
    fn unreadable_trail_status_or_selectors_is_an_error_unless_another_trail_qualifies() {
        let a = with_main(|t| t.status = Err(denied("cloudtrail:GetTrailStatus", HOME, ACCT)));
        one_at(
            run("cloudtrail_multi_region_enabled", a.clone()),
            Status::Error,
            HOME,
            &main_arn(),
            &["cloudtrail:GetTrailStatus"],
        );
        let b =
            with_main(|t| t.selectors = Err(denied("cloudtrail:GetEventSelectors", HOME, ACCT)));
        one_at(
            run("cloudtrail_multi_region_enabled", b),
            Status::Error,
            HOME,
            &main_arn(),
            &["cloudtrail:GetEventSelectors"],
        );
        // Another trail qualifies: PASS.
        let mut a = a;
        let good = trail(ACCT, "backup", OTHER, TRAIL_BUCKET);
        let good_arn = good.arn.clone();
        let broken = a.cloudtrail.trails[&main_arn()].clone();
        set_trails(&mut a, vec![broken, good]);
        one_at(
            run("cloudtrail_multi_region_enabled", a),
            Status::Pass,
            HOME,
            &good_arn,
            &["backup"],
        );
    }

    #[test]
    fn an_organization_trail_from_the_management_account_counts() {
        let mut a = account();
        set_trails(&mut a, vec![org_trail()]);
        let org_arn = org_trail().arn;
        assert!(org_arn.contains(ORG_OWNER));
        one_at(
            run("cloudtrail_multi_region_enabled", a),
            Status::Pass,
            HOME,
            &org_arn,
            &["org-trail"],
        );
    }

    // ---- cloudtrail_log_file_validation / cloudtrail_kms_encryption ----

    #[test]
    fn log_file_validation_pass_and_fail() {
        one_at(
            run("cloudtrail_log_file_validation", account()),
            Status::Pass,
            HOME,
            &main_arn(),
            &["main", "enabled"],
        );
        let a = with_main(|t| t.log_file_validation_enabled = false);
        one_at(
            run("cloudtrail_log_file_validation", a),
            Status::Fail,
            HOME,
            &main_arn(),
            &["main", "disabled"],
        );
    }

    #[test]
    fn kms_encryption_pass_and_fail() {
        one_at(
            run("cloudtrail_kms_encryption", account()),
            Status::Pass,
            HOME,
            &main_arn(),
            &["KMS key", "0e4a7d3c-trail"],
        );
        let a = with_main(|t| t.kms_key_id = None);
        one_at(
            run("cloudtrail_kms_encryption", a),
            Status::Fail,
            HOME,
            &main_arn(),
            &["does not use SSE-KMS"],
        );
    }

    #[test]
    fn per_trail_checks_are_not_applicable_without_trails() {
        for check in PER_TRAIL {
            one_at(
                run(check, without_trails()),
                Status::NotApplicable,
                HOME,
                ACCOUNT_ID,
                &["No CloudTrail trail exists"],
            );
        }
    }

    #[test]
    fn per_trail_checks_report_regions_whose_trails_are_unreadable() {
        // The trail seen elsewhere is still judged; the blind region is an ERROR, not hidden.
        for check in PER_TRAIL {
            let mut a = account();
            deny_describe(&mut a, OTHER);
            let findings = run(check, a);
            assert_eq!(findings.len(), 2, "{check}: {findings:#?}");
            expect(
                find(&findings, OTHER, ACCOUNT_ID),
                Status::Error,
                &["cloudtrail:DescribeTrails"],
            );
            expect(find(&findings, HOME, &main_arn()), Status::Pass, &[]);
            // Nothing readable at all: ERRORs, never NOT_APPLICABLE.
            let mut a = without_trails();
            deny_describe(&mut a, HOME);
            deny_describe(&mut a, OTHER);
            let findings = run(check, a);
            assert!(
                findings.iter().all(|f| f.status == Status::Error),
                "{check}: {findings:#?}"
            );
        }
    }

    // ---- cloudtrail_cloudwatch_logs_integration ----

    fn delivered(hours_ago: i64) -> AccountEvidence {
        with_main(|t| {
            t.status
                .as_mut()
                .unwrap()
                .latest_cloudwatch_logs_delivery_time = Some(now() - Duration::hours(hours_ago));
        })
    }

    #[test]
    fn cloudwatch_delivery_pass_fail_and_boundary() {
        one_at(
            run("cloudtrail_cloudwatch_logs_integration", delivered(2)),
            Status::Pass,
            HOME,
            &main_arn(),
            &["2 h ago", "limit 24 h"],
        );
        one(
            run("cloudtrail_cloudwatch_logs_integration", delivered(24)),
            Status::Pass,
            &["24 h ago"],
        );
        one_at(
            run("cloudtrail_cloudwatch_logs_integration", delivered(25)),
            Status::Fail,
            HOME,
            &main_arn(),
            &["25 h ago", "limit 24 h"],
        );
        one(
            run("cloudtrail_cloudwatch_logs_integration", account()),
            Status::Pass,
            &["no last delivery time"],
        );
    }

    #[test]
    fn cloudwatch_delivery_age_can_be_overridden() {
        let f = one(
            run_with(
                "cloudtrail_cloudwatch_logs_integration",
                delivered(30),
                &[("max_delivery_age_hours", 48)],
            ),
            Status::Pass,
            &["30 h ago", "limit 48 h"],
        );
        assert_eq!(f.evidence["max_delivery_age_hours"], 48);
        one(
            run_with(
                "cloudtrail_cloudwatch_logs_integration",
                delivered(2),
                &[("max_delivery_age_hours", 1)],
            ),
            Status::Fail,
            &["limit 1 h"],
        );
    }

    #[test]
    fn trail_without_log_group_fails() {
        let a = with_main(|t| t.cloudwatch_logs_log_group_arn = None);
        one_at(
            run("cloudtrail_cloudwatch_logs_integration", a),
            Status::Fail,
            HOME,
            &main_arn(),
            &["does not deliver to CloudWatch Logs"],
        );
    }

    #[test]
    fn unreadable_trail_status_is_a_cloudwatch_error() {
        let a = with_main(|t| t.status = Err(denied("cloudtrail:GetTrailStatus", HOME, ACCT)));
        one_at(
            run("cloudtrail_cloudwatch_logs_integration", a),
            Status::Error,
            HOME,
            &main_arn(),
            &["cloudtrail:GetTrailStatus"],
        );
    }

    // ---- cloudtrail_bucket_access_logging / cloudtrail_bucket_not_public ----

    fn edit_bucket(a: &mut AccountEvidence, edit: impl FnOnce(&mut Bucket)) {
        let buckets = a.s3.buckets.as_mut().unwrap();
        edit(buckets.iter_mut().find(|b| b.name == TRAIL_BUCKET).unwrap());
    }

    fn with_bucket(edit: impl FnOnce(&mut Bucket)) -> AccountEvidence {
        let mut a = account();
        edit_bucket(&mut a, edit);
        a
    }

    #[test]
    fn trail_bucket_with_access_logging_passes_without_fails() {
        one_at(
            run("cloudtrail_bucket_access_logging", account()),
            Status::Pass,
            HOME,
            &bucket_arn(TRAIL_BUCKET),
            &["acme-trail-logs", "logs server access"],
        );
        let a = with_bucket(|b| b.logging = Ok(None));
        one_at(
            run("cloudtrail_bucket_access_logging", a),
            Status::Fail,
            HOME,
            &bucket_arn(TRAIL_BUCKET),
            &["server access logging disabled"],
        );
    }

    #[test]
    fn unreadable_bucket_logging_is_an_error_in_the_buckets_region() {
        let a = with_bucket(|b| {
            b.region = Ok(OTHER.to_string());
            b.logging = Err(denied("s3:GetBucketLogging", OTHER, ACCT));
        });
        one_at(
            run("cloudtrail_bucket_access_logging", a),
            Status::Error,
            OTHER,
            &bucket_arn(TRAIL_BUCKET),
            &["s3:GetBucketLogging"],
        );
    }

    #[test]
    fn bucket_in_another_region_is_reported_in_that_region() {
        let a = with_bucket(|b| {
            b.region = Ok(OTHER.to_string());
            b.logging = Ok(None);
        });
        one_at(
            run("cloudtrail_bucket_access_logging", a.clone()),
            Status::Fail,
            OTHER,
            &bucket_arn(TRAIL_BUCKET),
            &[],
        );
        one_at(
            run("cloudtrail_bucket_not_public", a),
            Status::Pass,
            OTHER,
            &bucket_arn(TRAIL_BUCKET),
            &[],
        );
    }

    #[test]
    fn organization_trail_bucket_owned_elsewhere_is_not_applicable() {
        let mut a = account();
        set_trails(&mut a, vec![org_trail()]);
        for check in BUCKET_CHECKS {
            one_at(
                run(check, a.clone()),
                Status::NotApplicable,
                HOME,
                &bucket_arn("org-central-logs"),
                &[
                    "org-central-logs",
                    "org-trail",
                    "not owned by this account",
                    "account that owns it",
                ],
            );
        }
        // The trail itself is still judged in this account.
        one(
            run("cloudtrail_log_file_validation", a),
            Status::Pass,
            &["org-trail"],
        );
    }

    #[test]
    fn bucket_checks_not_applicable_without_a_trail_bucket() {
        for check in BUCKET_CHECKS {
            one_at(
                run(check, without_trails()),
                Status::NotApplicable,
                HOME,
                ACCOUNT_ID,
                &["No CloudTrail trail delivers to an S3 bucket"],
            );
            let a = with_main(|t| t.s3_bucket_name = None);
            one(
                run(check, a),
                Status::NotApplicable,
                &["No CloudTrail trail delivers"],
            );
        }
    }

    #[test]
    fn two_trails_sharing_a_bucket_give_one_bucket_finding() {
        let mut a = account();
        let main = a.cloudtrail.trails[&main_arn()].clone();
        set_trails(
            &mut a,
            vec![main, trail(ACCT, "second", OTHER, TRAIL_BUCKET)],
        );
        for check in BUCKET_CHECKS {
            one_at(
                run(check, a.clone()),
                Status::Pass,
                HOME,
                &bucket_arn(TRAIL_BUCKET),
                &[],
            );
        }
    }

    #[test]
    fn unlisted_buckets_or_trails_are_errors_for_bucket_checks() {
        for check in BUCKET_CHECKS {
            let mut a = account();
            a.s3.buckets = Err(denied("s3:ListBuckets", HOME, ACCT));
            one_at(
                run(check, a),
                Status::Error,
                HOME,
                &bucket_arn(TRAIL_BUCKET),
                &["s3:ListBuckets"],
            );
            let mut a = account();
            deny_describe(&mut a, OTHER);
            let findings = run(check, a);
            assert_eq!(findings.len(), 2, "{check}: {findings:#?}");
            expect(
                find(&findings, OTHER, ACCOUNT_ID),
                Status::Error,
                &["cloudtrail:DescribeTrails"],
            );
            expect(
                find(&findings, HOME, &bucket_arn(TRAIL_BUCKET)),
                Status::Pass,
                &[],
            );
        }
    }

    fn exposed(edit: impl FnOnce(&mut Bucket)) -> AccountEvidence {
        let mut a = with_bucket(|b| {
            b.public_access_block = Ok(None);
            edit(b);
        });
        a.s3.account_public_access_block = Ok(None);
        a
    }

    #[test]
    fn block_public_access_passes_at_bucket_or_account_level() {
        one_at(
            run("cloudtrail_bucket_not_public", account()),
            Status::Pass,
            HOME,
            &bucket_arn(TRAIL_BUCKET),
            &["bucket-level Block Public Access"],
        );
        let a = with_bucket(|b| b.public_access_block = Ok(None));
        one(
            run("cloudtrail_bucket_not_public", a),
            Status::Pass,
            &["account-level Block Public Access"],
        );
        // BPA on: unreadable ACL or policy does not matter.
        let a = with_bucket(|b| {
            b.acl_grants = Err(denied("s3:GetBucketAcl", HOME, ACCT));
            b.policy = Err(denied("s3:GetBucketPolicy", HOME, ACCT));
        });
        one(
            run("cloudtrail_bucket_not_public", a),
            Status::Pass,
            &["bucket-level"],
        );
    }

    #[test]
    fn without_block_public_access_a_private_acl_and_policy_pass() {
        let a = exposed(|b| {
            b.public_access_block = Ok(Some(PublicAccessBlock {
                block_public_acls: true,
                ..Default::default()
            }));
            b.policy = Ok(Some(r#"{"Statement":[{"Sid":"OrgOnly","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-123"}}}]}"#.to_string()));
        });
        one(
            run("cloudtrail_bucket_not_public", a),
            Status::Pass,
            &["grants nothing to AllUsers"],
        );
    }

    #[test]
    fn public_acl_or_policy_fails() {
        let a = exposed(|b| {
            b.acl_grants = Ok(vec![AclGrant {
                grantee: "http://acs.amazonaws.com/groups/global/AllUsers".to_string(),
                permission: "READ".to_string(),
            }])
        });
        one_at(
            run("cloudtrail_bucket_not_public", a),
            Status::Fail,
            HOME,
            &bucket_arn(TRAIL_BUCKET),
            &["is public", "READ to AllUsers"],
        );
        let a = exposed(|b| {
            b.acl_grants = Ok(vec![AclGrant {
                grantee: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers".to_string(),
                permission: "WRITE".to_string(),
            }])
        });
        one(
            run("cloudtrail_bucket_not_public", a),
            Status::Fail,
            &["WRITE to AuthenticatedUsers"],
        );
        let a = exposed(|b| {
            b.policy = Ok(Some(r#"{"Statement":{"Sid":"PublicRead","Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-trail-logs/*"}}"#.to_string()))
        });
        one(
            run("cloudtrail_bucket_not_public", a),
            Status::Fail,
            &["PublicRead", "Principal \"*\""],
        );
    }

    #[test]
    fn unreadable_acl_or_policy_without_block_public_access_is_an_error() {
        let a = exposed(|b| b.acl_grants = Err(denied("s3:GetBucketAcl", HOME, ACCT)));
        one_at(
            run("cloudtrail_bucket_not_public", a),
            Status::Error,
            HOME,
            &bucket_arn(TRAIL_BUCKET),
            &["s3:GetBucketAcl"],
        );
        let a = exposed(|b| b.policy = Err(denied("s3:GetBucketPolicy", HOME, ACCT)));
        one(
            run("cloudtrail_bucket_not_public", a),
            Status::Error,
            &["s3:GetBucketPolicy"],
        );
        let a = exposed(|b| b.policy = Ok(Some("{not json".to_string())));
        one(
            run("cloudtrail_bucket_not_public", a),
            Status::Error,
            &["not valid JSON"],
        );
    }

    // ---- cloudtrail_s3_read_data_events / cloudtrail_s3_write_data_events ----

    fn read_and_write(a: &AccountEvidence) -> (Vec<Finding>, Vec<Finding>) {
        (
            run("cloudtrail_s3_read_data_events", a.clone()),
            run("cloudtrail_s3_write_data_events", a.clone()),
        )
    }

    fn add_bucket(a: &mut AccountEvidence, name: &str) {
        a.s3.buckets.as_mut().unwrap().push(bucket(name, OTHER));
    }

    #[test]
    fn basic_selector_for_all_buckets_passes_both_directions() {
        for all in ["arn:aws:s3", "arn:aws:s3:::"] {
            let a = with_selectors(
                vec![
                    basic(ReadWriteType::All, true, &[]),
                    basic(ReadWriteType::All, false, &[all]),
                ],
                vec![],
            );
            for check in DATA_CHECKS {
                one_at(
                    run(check, a.clone()),
                    Status::Pass,
                    HOME,
                    ACCOUNT_ID,
                    &["main", "all buckets"],
                );
            }
        }
    }

    #[test]
    fn no_data_event_selector_fails_naming_the_buckets() {
        let mut a = account();
        add_bucket(&mut a, "acme-data");
        let (read, write) = read_and_write(&a);
        one_at(
            read,
            Status::Fail,
            HOME,
            ACCOUNT_ID,
            &[
                "read events",
                "2 of 2 buckets",
                "acme-data",
                "acme-trail-logs",
            ],
        );
        one_at(
            write,
            Status::Fail,
            HOME,
            ACCOUNT_ID,
            &["write events", "2 of 2 buckets"],
        );
    }

    #[test]
    fn basic_read_only_and_write_only_selectors() {
        let a = with_selectors(
            vec![basic(ReadWriteType::ReadOnly, false, &["arn:aws:s3"])],
            vec![],
        );
        let (read, write) = read_and_write(&a);
        one(read, Status::Pass, &["read events"]);
        one(write, Status::Fail, &["write events"]);
        let a = with_selectors(
            vec![basic(ReadWriteType::WriteOnly, false, &["arn:aws:s3"])],
            vec![],
        );
        let (read, write) = read_and_write(&a);
        one(read, Status::Fail, &["read events"]);
        one(write, Status::Pass, &["write events"]);
    }

    #[test]
    fn advanced_s3_data_selectors_read_only_and_write_only() {
        let a = with_selectors(vec![], vec![management(None), s3_data(Some("true"))]);
        let (read, write) = read_and_write(&a);
        one(read, Status::Pass, &["all buckets"]);
        one(write, Status::Fail, &[]);
        let a = with_selectors(vec![], vec![management(None), s3_data(Some("false"))]);
        let (read, write) = read_and_write(&a);
        one(read, Status::Fail, &[]);
        one(write, Status::Pass, &["all buckets"]);
        let a = with_selectors(vec![], vec![s3_data(None)]);
        let (read, write) = read_and_write(&a);
        one(read, Status::Pass, &[]);
        one(write, Status::Pass, &[]);
    }

    #[test]
    fn advanced_selectors_per_bucket_and_partial_ones() {
        let per_bucket = |field: AdvancedFieldSelector| {
            let mut s = s3_data(None);
            s.field_selectors.push(field);
            s
        };
        let starts = |v: &str| AdvancedFieldSelector {
            field: "resources.ARN".to_string(),
            starts_with: vec![v.to_string()],
            ..Default::default()
        };
        // Every bucket named: PASS; another bucket left out: FAIL naming it.
        let mut a = with_selectors(
            vec![],
            vec![per_bucket(starts("arn:aws:s3:::acme-trail-logs/"))],
        );
        for check in DATA_CHECKS {
            one(run(check, a.clone()), Status::Pass, &["Every bucket's"]);
        }
        add_bucket(&mut a, "acme-data");
        for check in DATA_CHECKS {
            let f = one(
                run(check, a.clone()),
                Status::Fail,
                &["1 of 2 buckets: acme-data"],
            );
            assert!(!f.detail.contains("acme-trail-logs"), "{}", f.detail);
        }
        // Narrowed by event name, or excluding ARNs: partial, not counted.
        let mut narrowed = s3_data(None);
        narrowed
            .field_selectors
            .push(equals("eventName", &["PutObject"]));
        let excluding = per_bucket(AdvancedFieldSelector {
            field: "resources.ARN".to_string(),
            not_starts_with: vec!["arn:aws:s3:::acme-trail-logs/".to_string()],
            ..Default::default()
        });
        for selector in [narrowed, excluding] {
            let a = with_selectors(vec![], vec![selector]);
            for check in DATA_CHECKS {
                one(run(check, a.clone()), Status::Fail, &["acme-trail-logs"]);
            }
        }
    }

    #[test]
    fn a_selector_for_a_key_prefix_does_not_cover_the_whole_bucket() {
        // Only objects under AWSLogs/ are logged: the bucket is not covered.
        let a = with_selectors(
            vec![basic(
                ReadWriteType::All,
                false,
                &["arn:aws:s3:::acme-trail-logs/AWSLogs/"],
            )],
            vec![],
        );
        for check in DATA_CHECKS {
            one(run(check, a.clone()), Status::Fail, &["acme-trail-logs"]);
        }
        let a = with_selectors(
            vec![basic(
                ReadWriteType::All,
                false,
                &["arn:aws:s3:::acme-trail-logs/"],
            )],
            vec![],
        );
        for check in DATA_CHECKS {
            one(run(check, a.clone()), Status::Pass, &["Every bucket's"]);
        }
        // The same with an advanced selector's resources.ARN StartsWith.
        let mut prefixed = s3_data(None);
        prefixed.field_selectors.push(AdvancedFieldSelector {
            field: "resources.ARN".to_string(),
            starts_with: vec!["arn:aws:s3:::acme-trail-logs/AWSLogs/".to_string()],
            ..Default::default()
        });
        let a = with_selectors(vec![], vec![prefixed]);
        for check in DATA_CHECKS {
            one(run(check, a.clone()), Status::Fail, &["acme-trail-logs"]);
        }
    }

    #[test]
    fn single_region_or_idle_trails_do_not_count_for_data_events() {
        let mut a = with_selectors(
            vec![basic(ReadWriteType::All, true, &["arn:aws:s3"])],
            vec![],
        );
        edit_main(&mut a, |t| t.is_multi_region = false);
        for check in DATA_CHECKS {
            one(run(check, a.clone()), Status::Fail, &["acme-trail-logs"]);
        }
        let mut a = with_selectors(
            vec![basic(ReadWriteType::All, true, &["arn:aws:s3"])],
            vec![],
        );
        edit_main(&mut a, |t| t.status.as_mut().unwrap().is_logging = false);
        for check in DATA_CHECKS {
            one(
                run(check, a.clone()),
                Status::Fail,
                &["(main is not logging)"],
            );
        }
    }

    #[test]
    fn data_events_not_applicable_without_buckets() {
        let mut a = account();
        a.s3.buckets = Ok(vec![]);
        for check in DATA_CHECKS {
            one_at(
                run(check, a.clone()),
                Status::NotApplicable,
                HOME,
                ACCOUNT_ID,
                &["no S3 buckets"],
            );
        }
    }

    #[test]
    fn data_events_errors() {
        for check in DATA_CHECKS {
            // Buckets unlisted: which buckets need coverage is unknown.
            let mut a = account();
            a.s3.buckets = Err(denied("s3:ListBuckets", HOME, ACCT));
            one_at(
                run(check, a),
                Status::Error,
                HOME,
                ACCOUNT_ID,
                &["s3:ListBuckets"],
            );
            // A region's trails unreadable and no coverage seen: ERROR, not FAIL.
            let mut a = account();
            deny_describe(&mut a, OTHER);
            one_at(
                run(check, a),
                Status::Error,
                OTHER,
                ACCOUNT_ID,
                &["cloudtrail:DescribeTrails"],
            );
            // ...but a trail seen logging all buckets is enough.
            let mut a = with_selectors(
                vec![basic(ReadWriteType::All, true, &["arn:aws:s3"])],
                vec![],
            );
            deny_describe(&mut a, OTHER);
            one(run(check, a), Status::Pass, &["all buckets"]);
            // Selectors unreadable.
            let a = with_main(|t| {
                t.selectors = Err(denied("cloudtrail:GetEventSelectors", HOME, ACCT))
            });
            one_at(
                run(check, a),
                Status::Error,
                HOME,
                &main_arn(),
                &["cloudtrail:GetEventSelectors"],
            );
        }
    }
}

#[cfg(test)]
mod centralized_tests {
    use chrono::{DateTime, Utc};

    use crate::checks::testing::{one, run_check};
    use crate::model::Status;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";
    const CHECK: &str = "cloudtrail_logs_centralized";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    #[test]
    fn logs_leave_the_account_through_an_organization_trail_or_a_foreign_bucket() {
        // The compliant account's trail delivers to its own bucket.
        let a = compliant_account(ACCT, &["us-east-1"], now());
        one(
            run_check(CHECK, a, &[], now()),
            Status::Fail,
            &["in this account"],
        );

        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.cloudtrail.trails.values_mut().for_each(|t| {
            t.s3_bucket_name = Some("acme-log-archive".to_string());
        });
        one(
            run_check(CHECK, a, &[], now()),
            Status::Pass,
            &["acme-log-archive", "does not own"],
        );

        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.cloudtrail.trails.values_mut().for_each(|t| {
            t.is_organization_trail = true;
            t.owner_account = "999988887777".to_string();
        });
        one(
            run_check(CHECK, a, &[], now()),
            Status::Pass,
            &["Organization trail", "999988887777"],
        );

        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.cloudtrail.trails.values_mut().for_each(|t| {
            t.s3_bucket_name = Some("acme-log-archive".to_string());
            t.status.as_mut().unwrap().is_logging = false;
        });
        one(
            run_check(CHECK, a, &[], now()),
            Status::Fail,
            &["not logging"],
        );

        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.s3.buckets = Err(denied("s3:ListBuckets", "us-east-1", ACCT));
        one(
            run_check(CHECK, a, &[], now()),
            Status::Error,
            &["s3:ListBuckets"],
        );

        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.cloudtrail.trails.clear();
        one(
            run_check(CHECK, a, &[], now()),
            Status::Fail,
            &["No logging multi-region trail"],
        );
    }
}
