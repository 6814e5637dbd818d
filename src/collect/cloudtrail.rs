//! CloudTrail collection: trails listed in every region (shadow trails included), each read once
//! in its home region.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::Client;

use super::error::{classify_sdk_error, Scope};
use crate::evidence::{
    AdvancedEventSelector, AdvancedFieldSelector, BasicEventSelector, CloudTrailEvidence,
    Collected, DataResource, EventSelectors, ReadWriteType, Trail, TrailStatus,
};

/// `DescribeTrails` in one region: the trails it lists, shadow trails included.
pub async fn describe_trails(
    client: &Client,
    scope: &Scope,
) -> Collected<Vec<aws_sdk_cloudtrail::types::Trail>> {
    let out = client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| classify_sdk_error(&e, "cloudtrail:DescribeTrails", scope))?;
    Ok(out.trail_list().to_vec())
}

/// Builds the evidence for one trail from its description; status and selectors come later.
pub fn trail_from_description(
    t: &aws_sdk_cloudtrail::types::Trail,
    seen_in: &str,
) -> Option<Trail> {
    let arn = t.trail_arn()?.to_string();
    let owner_account = arn.split(':').nth(4).unwrap_or_default().to_string();
    Some(Trail {
        name: t.name().unwrap_or_default().to_string(),
        home_region: t.home_region().unwrap_or(seen_in).to_string(),
        owner_account,
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        include_global_service_events: t.include_global_service_events().unwrap_or(false),
        s3_bucket_name: t.s3_bucket_name().map(str::to_string),
        s3_key_prefix: t.s3_key_prefix().map(str::to_string),
        kms_key_id: t.kms_key_id().map(str::to_string),
        log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
        cloudwatch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_string),
        cloudwatch_logs_role_arn: t.cloud_watch_logs_role_arn().map(str::to_string),
        arn,
        // Placeholders replaced by `read_trail` before the evidence is handed on.
        status: Ok(TrailStatus {
            is_logging: false,
            latest_cloudwatch_logs_delivery_time: None,
            latest_cloudwatch_logs_delivery_error: None,
            latest_delivery_error: None,
        }),
        selectors: Ok(EventSelectors::default()),
    })
}

/// Reads a trail's status and event selectors with a client of its home region.
pub async fn read_trail(client: &Client, scope: &Scope, mut trail: Trail) -> Trail {
    let (status, selectors) = tokio::join!(
        client.get_trail_status().name(&trail.arn).send(),
        client.get_event_selectors().trail_name(&trail.arn).send(),
    );
    trail.status = status
        .map(|s| TrailStatus {
            is_logging: s.is_logging().unwrap_or(false),
            latest_cloudwatch_logs_delivery_time: s
                .latest_cloud_watch_logs_delivery_time()
                .and_then(crate::evidence::to_utc),
            latest_cloudwatch_logs_delivery_error: s
                .latest_cloud_watch_logs_delivery_error()
                .map(str::to_string),
            latest_delivery_error: s.latest_delivery_error().map(str::to_string),
        })
        .map_err(|e| classify_sdk_error(&e, "cloudtrail:GetTrailStatus", scope));
    trail.selectors = selectors
        .map(|s| EventSelectors {
            basic: s
                .event_selectors()
                .iter()
                .map(|b| BasicEventSelector {
                    read_write_type: match b.read_write_type().map(|r| r.as_str()) {
                        Some("ReadOnly") => ReadWriteType::ReadOnly,
                        Some("WriteOnly") => ReadWriteType::WriteOnly,
                        _ => ReadWriteType::All,
                    },
                    include_management_events: b.include_management_events().unwrap_or(true),
                    data_resources: b
                        .data_resources()
                        .iter()
                        .map(|d| DataResource {
                            resource_type: d.r#type().unwrap_or_default().to_string(),
                            values: d.values().to_vec(),
                        })
                        .collect(),
                    exclude_management_event_sources: b.exclude_management_event_sources().to_vec(),
                })
                .collect(),
            advanced: s
                .advanced_event_selectors()
                .iter()
                .map(|a| AdvancedEventSelector {
                    name: a.name().map(str::to_string),
                    field_selectors: a
                        .field_selectors()
                        .iter()
                        .map(|f| AdvancedFieldSelector {
                            field: f.field().to_string(),
                            equals: f.equals().to_vec(),
                            not_equals: f.not_equals().to_vec(),
                            starts_with: f.starts_with().to_vec(),
                            not_starts_with: f.not_starts_with().to_vec(),
                            ends_with: f.ends_with().to_vec(),
                            not_ends_with: f.not_ends_with().to_vec(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .map_err(|e| classify_sdk_error(&e, "cloudtrail:GetEventSelectors", scope));
    trail
}

/// Merges per-region descriptions: one trail once, by ARN.
pub fn merge_descriptions(
    per_region: &BTreeMap<String, Collected<Vec<aws_sdk_cloudtrail::types::Trail>>>,
) -> CloudTrailEvidence {
    let mut listed = BTreeMap::new();
    let mut trails = BTreeMap::new();
    for (region, result) in per_region {
        let arns = result.as_ref().map(|list| {
            list.iter()
                .filter_map(|t| trail_from_description(t, region))
                .map(|t| {
                    let arn = t.arn.clone();
                    trails.entry(arn.clone()).or_insert(t);
                    arn
                })
                .collect::<Vec<_>>()
        });
        listed.insert(region.clone(), arns.map_err(Clone::clone));
    }
    CloudTrailEvidence {
        describe: listed,
        trails,
    }
}
