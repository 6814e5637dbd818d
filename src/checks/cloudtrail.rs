//! CloudTrail checks: multi-region logging, validation, encryption, CloudWatch Logs, data events,
//! and the trail's S3 bucket.

use std::collections::BTreeSet;

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::{
    AdvancedEventSelector, Bucket, EventSelectors, ReadWriteType, Trail,
};
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
fn describe_errors(ctx: &CheckContext) -> Vec<Outcome> {
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
    for s in selectors.basic.iter().filter(|s| s.include_management_events) {
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
    match selector.field_selectors.iter().find(|f| f.field == "readOnly") {
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
            Outcome::pass(&trail.home_region, trail_resource(trail), format!("Trail {} has log file validation enabled.", trail.name))
        } else {
            Outcome::fail(&trail.home_region, trail_resource(trail), format!("Trail {} has log file validation disabled.", trail.name))
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
                format!("Trail {} does not use SSE-KMS: its logs have only S3's default encryption.", trail.name),
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
            return Outcome::fail(region, resource, format!("Trail {} does not deliver to CloudWatch Logs.", trail.name))
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
fn per_trail_bucket(ctx: &CheckContext, verdict: impl Fn(&Bucket, &[&Trail]) -> Outcome) -> Vec<Outcome> {
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
        .filter(|s| s["Effect"] == "Allow" && is_star(&s["Principal"]) && s.get("Condition").is_none())
        .map(|s| s.get("Sid").and_then(|v| v.as_str()).unwrap_or("(no Sid)").to_string())
        .collect())
}

pub fn bucket_not_public(ctx: &CheckContext) -> Vec<Outcome> {
    let account_block = ctx.account.s3.account_public_access_block.as_ref();
    per_trail_bucket(ctx, |bucket, _| {
        let region = bucket_region(ctx, bucket);
        let resource = bucket_resource(&ctx.account.partition, &bucket.name);
        let blocked_by_account = matches!(account_block, Ok(Some(b)) if b.all_enabled());
        let blocked_by_bucket = matches!(&bucket.public_access_block, Ok(Some(b)) if b.all_enabled());
        if blocked_by_account || blocked_by_bucket {
            let level = if blocked_by_bucket { "bucket" } else { "account" };
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
            .map(|g| format!("{} to {}", g.permission, g.grantee.rsplit('/').next().unwrap_or(&g.grantee)))
            .collect();
        let public_statements = match policy.as_deref().map(public_policy_statements) {
            None => Vec::new(),
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                return Outcome::new(
                    region,
                    resource,
                    Status::Error,
                    format!("could not evaluate: the policy of bucket {} is not valid JSON: {e}", bucket.name),
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

fn s3_data_coverage(selectors: &EventSelectors, partition: &str, want_read: bool) -> S3DataCoverage {
    let mut cov = S3DataCoverage::default();
    let all_prefixes = [format!("arn:{partition}:s3"), format!("arn:{partition}:s3:::")];
    let add_value = |cov: &mut S3DataCoverage, v: &str| {
        if all_prefixes.iter().any(|p| p == v) {
            cov.all = true;
        } else if let Some(rest) = v.strip_prefix(&format!("arn:{partition}:s3:::")) {
            let bucket = rest.split('/').next().unwrap_or(rest);
            if !bucket.is_empty() {
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
        for dr in s.data_resources.iter().filter(|d| d.resource_type == "AWS::S3::Object") {
            for v in &dr.values {
                add_value(&mut cov, v);
            }
        }
    }
    for s in &selectors.advanced {
        if !field_equals(s, "eventCategory", "Data") || !field_equals(s, "resources.type", "AWS::S3::Object") {
            continue;
        }
        let (r, w) = read_only_coverage(s);
        if !(if want_read { r } else { w }) {
            continue;
        }
        // Any other narrowing field (eventName, eventSource...) makes it partial: not counted.
        let narrowing = s.field_selectors.iter().any(|f| {
            !matches!(f.field.as_str(), "eventCategory" | "resources.type" | "readOnly" | "resources.ARN")
        });
        if narrowing {
            continue;
        }
        match s.field_selectors.iter().find(|f| f.field == "resources.ARN") {
            None => cov.all = true,
            Some(f) => {
                let excludes = !f.not_equals.is_empty() || !f.not_starts_with.is_empty() || !f.not_ends_with.is_empty() || !f.ends_with.is_empty();
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
    for trail in ctx.account.cloudtrail.trails.values().filter(|t| t.is_multi_region) {
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
                format!("Multi-region trail {} logs S3 object-level {what} events for all buckets.", trail.name),
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
            format!("Every bucket's object-level {what} events are logged by a multi-region trail."),
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
