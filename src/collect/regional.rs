//! Per-region collection: KMS, AWS Config, CloudWatch Logs metric filters, CloudWatch alarms,
//! SNS subscriptions.

use super::error::{classify_sdk_error, Scope};
use crate::evidence::{
    AggregatorRegions, Collected, ConfigAggregator, ConfigEvidence, ConfigRecorder,
    ConfigRecorderStatus, KmsKey, MetricAlarm, MetricFilter, OrgAutoEnable, OrganizationInfo,
    SnsSubscription,
};

pub async fn kms_keys(client: &aws_sdk_kms::Client, scope: &Scope) -> Collected<Vec<KmsKey>> {
    let listed: Vec<_> = client
        .list_keys()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "kms:ListKeys", scope))?;
    let mut keys = Vec::with_capacity(listed.len());
    for entry in listed {
        let Some(id) = entry.key_id() else { continue };
        let described = client
            .describe_key()
            .key_id(id)
            .send()
            .await
            .map_err(|e| classify_sdk_error(&e, "kms:DescribeKey", scope))?;
        let Some(meta) = described.key_metadata() else {
            continue;
        };
        let mut key = KmsKey {
            key_id: meta.key_id().to_string(),
            arn: meta.arn().unwrap_or_default().to_string(),
            manager: meta
                .key_manager()
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            spec: meta
                .key_spec()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            state: meta
                .key_state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            origin: meta
                .origin()
                .map(|o| o.as_str().to_string())
                .unwrap_or_default(),
            rotation_enabled: None,
        };
        if key.can_auto_rotate() && !key.state.starts_with("Pending") {
            key.rotation_enabled = Some(
                client
                    .get_key_rotation_status()
                    .key_id(id)
                    .send()
                    .await
                    .map(|o| o.key_rotation_enabled())
                    .map_err(|e| classify_sdk_error(&e, "kms:GetKeyRotationStatus", scope)),
            );
        }
        keys.push(key);
    }
    Ok(keys)
}

pub async fn config(client: &aws_sdk_config::Client, scope: &Scope) -> ConfigEvidence {
    let (recorders, statuses, channels, aggregators) = tokio::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send(),
        client.describe_delivery_channels().send(),
        config_aggregators(client, scope),
    );
    ConfigEvidence {
        recorders: recorders
            .map(|o| {
                o.configuration_recorders()
                    .iter()
                    .map(|r| {
                        let group = r.recording_group();
                        ConfigRecorder {
                            name: r.name().unwrap_or_default().to_string(),
                            role_arn: r.role_arn().map(str::to_string),
                            all_supported: group.is_some_and(|g| g.all_supported()),
                            include_global_resource_types: group
                                .is_some_and(|g| g.include_global_resource_types()),
                            strategy: group
                                .and_then(|g| g.recording_strategy())
                                .and_then(|s| s.use_only())
                                .map(|u| u.as_str().to_string()),
                            excluded_types: group
                                .and_then(|g| g.exclusion_by_resource_types())
                                .map(|e| {
                                    e.resource_types()
                                        .iter()
                                        .map(|t| t.as_str().to_string())
                                        .collect()
                                })
                                .unwrap_or_default(),
                        }
                    })
                    .collect()
            })
            .map_err(|e| classify_sdk_error(&e, "config:DescribeConfigurationRecorders", scope)),
        recorder_statuses: statuses
            .map(|o| {
                o.configuration_recorders_status()
                    .iter()
                    .map(|s| ConfigRecorderStatus {
                        name: s.name().unwrap_or_default().to_string(),
                        recording: s.recording(),
                        last_status: s.last_status().map(|l| l.as_str().to_string()),
                    })
                    .collect()
            })
            .map_err(|e| {
                classify_sdk_error(&e, "config:DescribeConfigurationRecorderStatus", scope)
            }),
        delivery_channels: channels
            .map(|o| {
                o.delivery_channels()
                    .iter()
                    .map(|c| c.name().unwrap_or_default().to_string())
                    .collect()
            })
            .map_err(|e| classify_sdk_error(&e, "config:DescribeDeliveryChannels", scope)),
        aggregators: Some(aggregators),
    }
}

async fn config_aggregators(
    client: &aws_sdk_config::Client,
    scope: &Scope,
) -> Collected<Vec<ConfigAggregator>> {
    let aggregators: Vec<_> = client
        .describe_configuration_aggregators()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "config:DescribeConfigurationAggregators", scope))?;
    Ok(aggregators
        .iter()
        .map(|a| ConfigAggregator {
            name: a
                .configuration_aggregator_name()
                .unwrap_or_default()
                .to_string(),
            arn: a
                .configuration_aggregator_arn()
                .unwrap_or_default()
                .to_string(),
            organization_source: a
                .organization_aggregation_source()
                .map(|o| AggregatorRegions {
                    all_regions: o.all_aws_regions(),
                    regions: o.aws_regions().to_vec(),
                }),
            account_sources: a
                .account_aggregation_sources()
                .iter()
                .map(|s| {
                    (
                        s.account_ids().to_vec(),
                        AggregatorRegions {
                            all_regions: s.all_aws_regions(),
                            regions: s.aws_regions().to_vec(),
                        },
                    )
                })
                .collect(),
        })
        .collect())
}

/// `organizations:DescribeOrganization`; an account outside any organization is a fact (`None`).
pub async fn organization(
    client: &aws_sdk_organizations::Client,
    scope: &Scope,
) -> Collected<Option<OrganizationInfo>> {
    match client.describe_organization().send().await {
        Ok(out) => Ok(out.organization().map(|o| OrganizationInfo {
            id: o.id().unwrap_or_default().to_string(),
            management_account_id: o.master_account_id().unwrap_or_default().to_string(),
            feature_set: o
                .feature_set()
                .map(|f| f.as_str().to_string())
                .unwrap_or_default(),
        })),
        Err(e) if super::error::error_code(&e) == Some("AWSOrganizationsNotInUseException") => {
            Ok(None)
        }
        Err(e) => Err(classify_sdk_error(
            &e,
            "organizations:DescribeOrganization",
            scope,
        )),
    }
}

pub async fn metric_filters(
    client: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
) -> Collected<Vec<MetricFilter>> {
    let filters: Vec<_> = client
        .describe_metric_filters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "logs:DescribeMetricFilters", scope))?;
    Ok(filters
        .into_iter()
        .map(|f| MetricFilter {
            name: f.filter_name().unwrap_or_default().to_string(),
            log_group_name: f.log_group_name().unwrap_or_default().to_string(),
            pattern: f.filter_pattern().unwrap_or_default().to_string(),
            metrics: f
                .metric_transformations()
                .iter()
                .map(|m| {
                    (
                        m.metric_namespace().to_string(),
                        m.metric_name().to_string(),
                    )
                })
                .collect(),
        })
        .collect())
}

pub async fn alarms(
    client: &aws_sdk_cloudwatch::Client,
    scope: &Scope,
) -> Collected<Vec<MetricAlarm>> {
    let pages: Vec<_> = client
        .describe_alarms()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "cloudwatch:DescribeAlarms", scope))?;
    Ok(pages
        .iter()
        .flat_map(|p| p.metric_alarms())
        .map(|a| MetricAlarm {
            name: a.alarm_name().unwrap_or_default().to_string(),
            arn: a.alarm_arn().unwrap_or_default().to_string(),
            namespace: a.namespace().map(str::to_string),
            metric_name: a.metric_name().map(str::to_string),
            alarm_actions: a.alarm_actions().to_vec(),
            actions_enabled: a.actions_enabled().unwrap_or(true),
        })
        .collect())
}

pub async fn sns_subscriptions(
    client: &aws_sdk_sns::Client,
    scope: &Scope,
) -> Collected<Vec<SnsSubscription>> {
    let subs: Vec<_> = client
        .list_subscriptions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "sns:ListSubscriptions", scope))?;
    Ok(subs
        .into_iter()
        .map(|s| SnsSubscription {
            topic_arn: s.topic_arn().unwrap_or_default().to_string(),
            protocol: s.protocol().unwrap_or_default().to_string(),
            subscription_arn: s.subscription_arn().unwrap_or_default().to_string(),
        })
        .collect())
}

/// `organizations:ListDelegatedAdministrators` for one service principal: the admin account ids.
pub async fn delegated_admins(
    client: &aws_sdk_organizations::Client,
    principal: &str,
    scope: &Scope,
) -> Collected<Vec<String>> {
    let admins: Vec<_> = client
        .list_delegated_administrators()
        .service_principal(principal)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "organizations:ListDelegatedAdministrators", scope))?;
    Ok(admins
        .iter()
        .filter_map(|a| a.id().map(str::to_string))
        .collect())
}

/// Security Hub's organization configuration, read in its delegated administrator.
pub async fn securityhub_auto_enable(
    client: &aws_sdk_securityhub::Client,
    scope: &Scope,
) -> Collected<OrgAutoEnable> {
    let out = client
        .describe_organization_configuration()
        .send()
        .await
        .map_err(|e| {
            classify_sdk_error(&e, "securityhub:DescribeOrganizationConfiguration", scope)
        })?;
    let central = out
        .organization_configuration()
        .and_then(|c| c.configuration_type())
        .is_some_and(|t| t.as_str() == "CENTRAL");
    Ok(if central {
        // Central configuration enables accounts through configuration policies.
        OrgAutoEnable {
            auto_enable: true,
            setting: "ConfigurationType=CENTRAL".to_string(),
        }
    } else {
        let auto = out.auto_enable().unwrap_or(false);
        OrgAutoEnable {
            auto_enable: auto,
            setting: format!("AutoEnable={auto}"),
        }
    })
}

/// GuardDuty's organization configuration, read through the administrator's detector.
pub async fn guardduty_auto_enable(
    client: &aws_sdk_guardduty::Client,
    scope: &Scope,
) -> Collected<OrgAutoEnable> {
    let detectors = client
        .list_detectors()
        .send()
        .await
        .map_err(|e| classify_sdk_error(&e, "guardduty:ListDetectors", scope))?;
    let Some(detector) = detectors.detector_ids().first() else {
        return Ok(OrgAutoEnable {
            auto_enable: false,
            setting: "no GuardDuty detector in the administrator account".to_string(),
        });
    };
    let out = client
        .describe_organization_configuration()
        .detector_id(detector)
        .send()
        .await
        .map_err(|e| {
            classify_sdk_error(&e, "guardduty:DescribeOrganizationConfiguration", scope)
        })?;
    Ok(match out.auto_enable_organization_members() {
        Some(members) => OrgAutoEnable {
            auto_enable: matches!(members.as_str(), "ALL" | "NEW"),
            setting: format!("AutoEnableOrganizationMembers={}", members.as_str()),
        },
        None => {
            #[allow(deprecated)]
            let auto = out.auto_enable().unwrap_or(false);
            OrgAutoEnable {
                auto_enable: auto,
                setting: format!("AutoEnable={auto}"),
            }
        }
    })
}

/// `securityhub:DescribeHub`: "not subscribed" is a fact (disabled), not an error.
pub async fn securityhub_enabled(
    client: &aws_sdk_securityhub::Client,
    scope: &Scope,
) -> Collected<bool> {
    match client.describe_hub().send().await {
        Ok(_) => Ok(true),
        Err(e)
            if super::error::error_code(&e) == Some("InvalidAccessException")
                && e.as_service_error()
                    .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::message)
                    .is_some_and(|m| m.contains("not subscribed")) =>
        {
            Ok(false)
        }
        Err(e) => Err(classify_sdk_error(&e, "securityhub:DescribeHub", scope)),
    }
}
