//! S3 checks on log buckets.

use std::collections::BTreeMap;

use serde_json::json;

use super::cloudtrail::{bucket_region, bucket_resource, lookup_bucket, BucketLookup};
use super::{CheckContext, Outcome};

/// Every bucket that receives logs, with what sends them: trail destinations and server access
/// log targets.
fn log_buckets(ctx: &CheckContext) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for trail in ctx.account.cloudtrail.trails.values() {
        if let Some(b) = &trail.s3_bucket_name {
            map.entry(b.clone()).or_default().push(format!("CloudTrail trail {}", trail.name));
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
    let mut out = Vec::new();
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
