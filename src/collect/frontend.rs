//! Collection for AWS-managed web front-ends: Elastic Load Balancing v2 (Application and Network
//! Load Balancers) and CloudFront distributions, with their access-log settings.

use super::error::{classify_sdk_error, Scope};
use crate::evidence::{Collected, Distribution, LoadBalancer};

/// `elasticloadbalancing:DescribeLoadBalancers` + `DescribeLoadBalancerAttributes` for each
/// Application and Network Load Balancer. Gateway Load Balancers have no access logs and are
/// left out.
pub async fn load_balancers(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    scope: &Scope,
) -> Collected<Vec<LoadBalancer>> {
    let listed: Vec<_> = client
        .describe_load_balancers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "elasticloadbalancing:DescribeLoadBalancers", scope))?;
    let mut out = Vec::with_capacity(listed.len());
    for lb in &listed {
        let kind = lb
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default();
        if kind == "gateway" {
            continue;
        }
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        let access_logs = client
            .describe_load_balancer_attributes()
            .load_balancer_arn(&arn)
            .send()
            .await
            .map(|o| {
                access_log_bucket(
                    o.attributes()
                        .iter()
                        .filter_map(|a| Some((a.key()?, a.value().unwrap_or_default()))),
                )
            })
            .map_err(|e| {
                classify_sdk_error(
                    &e,
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    scope,
                )
            });
        out.push(LoadBalancer {
            arn,
            name: lb.load_balancer_name().unwrap_or_default().to_string(),
            kind,
            scheme: lb
                .scheme()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            access_logs,
        });
    }
    Ok(out)
}

/// The access-log bucket when `access_logs.s3.enabled` is `true`, `None` otherwise.
fn access_log_bucket<'a>(attributes: impl Iterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let mut enabled = false;
    let mut bucket = None;
    for (key, value) in attributes {
        match key {
            "access_logs.s3.enabled" => enabled = value.eq_ignore_ascii_case("true"),
            "access_logs.s3.bucket" => bucket = Some(value.to_string()),
            _ => {}
        }
    }
    enabled.then(|| bucket.unwrap_or_default())
}

/// `cloudfront:ListDistributions` + `GetDistributionConfig` (standard logging) for each
/// distribution; a configuration that cannot be read is an error on its distribution.
pub async fn distributions(
    client: &aws_sdk_cloudfront::Client,
    scope: &Scope,
) -> Collected<Vec<Distribution>> {
    let listed: Vec<_> = client
        .list_distributions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "cloudfront:ListDistributions", scope))?;
    let mut out = Vec::with_capacity(listed.len());
    for d in &listed {
        let logging_bucket = client
            .get_distribution_config()
            .id(d.id())
            .send()
            .await
            .map(|o| {
                o.distribution_config()
                    .and_then(|c| c.logging())
                    .filter(|l| l.enabled())
                    .map(|l| l.bucket().to_string())
            })
            .map_err(|e| classify_sdk_error(&e, "cloudfront:GetDistributionConfig", scope));
        out.push(Distribution {
            id: d.id().to_string(),
            arn: d.arn().to_string(),
            domain_name: d.domain_name().to_string(),
            logging_bucket,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::{mocked_client, test_scope};
    use crate::evidence::ErrorKind;
    use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancer_attributes::{
        DescribeLoadBalancerAttributesError, DescribeLoadBalancerAttributesOutput,
    };
    use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersOutput;
    use aws_sdk_elasticloadbalancingv2::types::{
        LoadBalancer as Lb, LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerTypeEnum,
    };
    use aws_smithy_mocks::mock;
    use aws_smithy_types::error::ErrorMetadata;

    fn arn(name: &str) -> String {
        format!("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/{name}/1")
    }

    fn lb(name: &str, kind: LoadBalancerTypeEnum) -> Lb {
        Lb::builder()
            .load_balancer_arn(arn(name))
            .load_balancer_name(name)
            .r#type(kind)
            .scheme(LoadBalancerSchemeEnum::InternetFacing)
            .build()
    }

    fn attributes(pairs: &[(&str, &str)]) -> DescribeLoadBalancerAttributesOutput {
        let mut out = DescribeLoadBalancerAttributesOutput::builder();
        for (k, v) in pairs {
            out = out.attributes(LoadBalancerAttribute::builder().key(*k).value(*v).build());
        }
        out.build()
    }

    #[tokio::test]
    async fn load_balancer_access_log_attributes_are_parsed() {
        let client = mocked_client!(
            aws_sdk_elasticloadbalancingv2,
            mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancers).then_output(
                || {
                    DescribeLoadBalancersOutput::builder()
                        .load_balancers(lb("logged", LoadBalancerTypeEnum::Application))
                        .load_balancers(lb("silent", LoadBalancerTypeEnum::Network))
                        .load_balancers(lb("gwlb", LoadBalancerTypeEnum::Gateway))
                        .load_balancers(lb("hidden", LoadBalancerTypeEnum::Application))
                        .build()
                }
            ),
            mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancer_attributes)
                .match_requests(|r| r.load_balancer_arn() == Some(arn("logged").as_str()))
                .then_output(|| attributes(&[
                    ("deletion_protection.enabled", "false"),
                    ("access_logs.s3.enabled", "true"),
                    ("access_logs.s3.bucket", "acme-elb-logs"),
                    ("access_logs.s3.prefix", "web"),
                ])),
            mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancer_attributes)
                .match_requests(|r| r.load_balancer_arn() == Some(arn("silent").as_str()))
                .then_output(|| attributes(&[
                    ("access_logs.s3.enabled", "false"),
                    ("access_logs.s3.bucket", "stale-bucket"),
                ])),
            mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancer_attributes)
                .match_requests(|r| r.load_balancer_arn() == Some(arn("hidden").as_str()))
                .then_error(|| DescribeLoadBalancerAttributesError::generic(
                    ErrorMetadata::builder()
                        .code("AccessDenied")
                        .message("denied (mocked)")
                        .build()
                )),
        );
        let lbs = load_balancers(&client, &test_scope()).await.unwrap();
        let names: Vec<&str> = lbs.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["logged", "silent", "hidden"],
            "gateway LBs are skipped"
        );
        assert_eq!(lbs[0].kind, "application");
        assert_eq!(lbs[0].scheme, "internet-facing");
        assert_eq!(lbs[0].access_logs, Ok(Some("acme-elb-logs".to_string())));
        assert_eq!(lbs[1].kind, "network");
        assert_eq!(
            lbs[1].access_logs,
            Ok(None),
            "a bucket left behind is not logging"
        );
        let err = lbs[2].access_logs.as_ref().unwrap_err();
        assert_eq!(err.kind, ErrorKind::AccessDenied);
        assert_eq!(
            err.operation,
            "elasticloadbalancing:DescribeLoadBalancerAttributes"
        );
    }

    #[tokio::test]
    async fn distribution_standard_logging_is_read() {
        use aws_sdk_cloudfront::operation::get_distribution_config::GetDistributionConfigOutput;
        use aws_sdk_cloudfront::operation::list_distributions::ListDistributionsOutput;
        use aws_sdk_cloudfront::types::{DistributionConfig, DistributionList, LoggingConfig};
        // Only id, ARN and domain name are read; the builder insists on the rest.
        fn summary(id: &str) -> aws_sdk_cloudfront::types::DistributionSummary {
            use aws_sdk_cloudfront::types::*;
            DistributionSummary::builder()
                .id(id)
                .arn(format!(
                    "arn:aws:cloudfront::111122223333:distribution/{id}"
                ))
                .status("Deployed")
                .last_modified_time(aws_smithy_types::DateTime::from_secs(0))
                .domain_name(format!("{}.cloudfront.net", id.to_lowercase()))
                .comment("")
                .price_class(PriceClass::PriceClassAll)
                .enabled(true)
                .web_acl_id("")
                .http_version(HttpVersion::Http2)
                .is_ipv6_enabled(true)
                .staging(false)
                .build()
                .unwrap()
        }
        let config = |enabled: bool, bucket: &str| {
            GetDistributionConfigOutput::builder()
                .distribution_config(
                    DistributionConfig::builder()
                        .caller_reference("ref")
                        .comment("")
                        .enabled(true)
                        .logging(
                            LoggingConfig::builder()
                                .enabled(enabled)
                                .include_cookies(false)
                                .bucket(bucket)
                                .prefix("")
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        };
        let client = mocked_client!(
            aws_sdk_cloudfront,
            mock!(aws_sdk_cloudfront::Client::list_distributions).then_output(|| {
                ListDistributionsOutput::builder()
                    .distribution_list(
                        DistributionList::builder()
                            .marker("")
                            .max_items(100)
                            .is_truncated(false)
                            .quantity(2)
                            .items(summary("E2LOGGED"))
                            .items(summary("E3SILENT"))
                            .build()
                            .unwrap(),
                    )
                    .build()
            }),
            mock!(aws_sdk_cloudfront::Client::get_distribution_config)
                .match_requests(|r| r.id() == Some("E2LOGGED"))
                .then_output(move || config(true, "acme-cf-logs.s3.amazonaws.com")),
            mock!(aws_sdk_cloudfront::Client::get_distribution_config)
                .match_requests(|r| r.id() == Some("E3SILENT"))
                .then_output(move || config(false, "")),
        );
        let ds = distributions(&client, &test_scope()).await.unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds[0].domain_name, "e2logged.cloudfront.net");
        assert_eq!(
            ds[0].logging_bucket,
            Ok(Some("acme-cf-logs.s3.amazonaws.com".to_string()))
        );
        assert_eq!(ds[1].logging_bucket, Ok(None));
    }
}
