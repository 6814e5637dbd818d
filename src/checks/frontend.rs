//! CIS v7.0.0 4.10: access logging on AWS-managed web front-ends (Application and Network Load
//! Balancers, CloudFront distributions).

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::{Distribution, LoadBalancer};
use crate::model::Resource;

fn lb_label(lb: &LoadBalancer) -> String {
    let kind = match lb.kind.as_str() {
        "application" => "Application Load Balancer",
        "network" => "Network Load Balancer",
        _ => "Load balancer",
    };
    if lb.scheme.is_empty() {
        format!("{kind} {}", lb.name)
    } else {
        format!("{kind} {} ({})", lb.name, lb.scheme)
    }
}

fn lb_resource(lb: &LoadBalancer) -> Resource {
    Resource {
        kind: "AwsElbv2LoadBalancer".to_string(),
        id: lb.arn.clone(),
        name: lb.name.clone(),
    }
}

fn distribution_resource(d: &Distribution) -> Resource {
    Resource {
        kind: "AwsCloudFrontDistribution".to_string(),
        id: d.arn.clone(),
        name: format!("{} ({})", d.id, d.domain_name),
    }
}

/// What a CloudFront listing error is about: the account's distributions, kept apart from the
/// account resource that a home-region load-balancer error uses, so the two findings differ.
fn distributions_resource(ctx: &CheckContext) -> Resource {
    Resource {
        kind: "AwsCloudFrontDistribution".to_string(),
        id: format!(
            "arn:{}:cloudfront::{}:distribution/*",
            ctx.account.partition, ctx.account.account_id
        ),
        name: "CloudFront distributions".to_string(),
    }
}

fn load_balancer_outcome(region: &str, lb: &LoadBalancer) -> Outcome {
    let resource = lb_resource(lb);
    let label = lb_label(lb);
    let logs = match &lb.access_logs {
        Err(e) => return Outcome::error(region, resource, e),
        Ok(logs) => logs,
    };
    let evidence = json!({
        "LoadBalancerArn": lb.arn,
        "LoadBalancerName": lb.name,
        "Type": lb.kind,
        "Scheme": lb.scheme,
        "access_logs.s3.enabled": logs.is_some(),
        "access_logs.s3.bucket": logs,
    });
    match logs {
        Some(bucket) => Outcome::pass(
            region,
            resource,
            format!("{label} delivers access logs to S3 bucket {bucket}."),
        ),
        None => Outcome::fail(
            region,
            resource,
            format!("{label} has access logging turned off (access_logs.s3.enabled is false)."),
        ),
    }
    .with_evidence(evidence)
}

fn distribution_outcome(region: &str, d: &Distribution) -> Outcome {
    let resource = distribution_resource(d);
    let bucket = match &d.logging_bucket {
        Err(e) => return Outcome::error(region, resource, e),
        Ok(bucket) => bucket,
    };
    let evidence = json!({
        "Id": d.id,
        "ARN": d.arn,
        "DomainName": d.domain_name,
        "Logging": { "Enabled": bucket.is_some(), "Bucket": bucket },
    });
    match bucket {
        Some(bucket) => Outcome::pass(
            region,
            resource,
            format!(
                "CloudFront distribution {} ({}) delivers standard access logs to {bucket}.",
                d.id, d.domain_name
            ),
        ),
        None => Outcome::fail(
            region,
            resource,
            format!(
                "CloudFront distribution {} ({}) has standard access logging turned off (Logging.Enabled is false).",
                d.id, d.domain_name
            ),
        ),
    }
    .with_evidence(evidence)
}

/// One finding per Application or Network Load Balancer (in its region) and per CloudFront
/// distribution (in the home region); NOT_APPLICABLE when the account has neither.
pub fn web_frontend_access_logging(ctx: &CheckContext) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        match &evidence.load_balancers {
            None => out.push(Outcome::not_collected(
                region,
                ctx.account_resource(),
                "Elastic Load Balancing data",
            )),
            Some(Err(e)) => out.push(Outcome::error(region, ctx.account_resource(), e)),
            Some(Ok(lbs)) => out.extend(lbs.iter().map(|lb| load_balancer_outcome(region, lb))),
        }
    }
    let home = ctx.home();
    match &ctx.account.cloudfront {
        None => out.push(Outcome::not_collected(
            home,
            distributions_resource(ctx),
            "CloudFront data",
        )),
        Some(Err(e)) => out.push(Outcome::error(home, distributions_resource(ctx), e)),
        Some(Ok(distributions)) => {
            out.extend(distributions.iter().map(|d| distribution_outcome(home, d)))
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            home,
            ctx.account_resource(),
            "No Application or Network Load Balancer in the scanned regions and no CloudFront distribution in the account.",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::checks::testing::{expect, one, run_check};
    use crate::evidence::{AccountEvidence, Distribution, LoadBalancer};
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const CHECK: &str = "web_frontend_access_logging";
    const ACCT: &str = "111122223333";
    const US: &str = "us-east-1";
    const EU: &str = "eu-west-1";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    fn account() -> AccountEvidence {
        compliant_account(ACCT, &[US, EU], now())
    }

    fn lb(region: &str, name: &str, kind: &str, bucket: Option<&str>) -> LoadBalancer {
        let short = if kind == "network" { "net" } else { "app" };
        LoadBalancer {
            arn: format!(
                "arn:aws:elasticloadbalancing:{region}:{ACCT}:loadbalancer/{short}/{name}/50dc6c495c0c9188"
            ),
            name: name.to_string(),
            kind: kind.to_string(),
            scheme: "internet-facing".to_string(),
            access_logs: Ok(bucket.map(str::to_string)),
        }
    }

    fn distribution(id: &str, bucket: Option<&str>) -> Distribution {
        Distribution {
            id: id.to_string(),
            arn: format!("arn:aws:cloudfront::{ACCT}:distribution/{id}"),
            domain_name: format!("{}.cloudfront.net", id.to_lowercase()),
            logging_bucket: Ok(bucket.map(str::to_string)),
        }
    }

    fn named<'a>(findings: &'a [Finding], name: &str) -> &'a Finding {
        findings
            .iter()
            .find(|f| f.resource.name == name)
            .unwrap_or_else(|| panic!("no finding for {name}: {findings:#?}"))
    }

    #[test]
    fn compliant_account_has_no_front_end() {
        let f = one(
            run_check(CHECK, account(), &[], now()),
            Status::NotApplicable,
            &["No Application or Network Load Balancer", "no CloudFront"],
        );
        assert_eq!(f.region, US);
        assert_eq!(f.resource.kind, "AwsAccount");
    }

    #[test]
    fn each_load_balancer_and_distribution_is_judged() {
        let mut a = account();
        a.regional.get_mut(EU).unwrap().load_balancers = Some(Ok(vec![
            lb(EU, "web", "application", Some("acme-elb-logs")),
            lb(EU, "tcp", "network", None),
        ]));
        a.cloudfront = Some(Ok(vec![
            distribution("E2LOGGED", Some("acme-cf-logs.s3.amazonaws.com")),
            distribution("E3SILENT", None),
        ]));
        let f = run_check(CHECK, a, &[], now());
        assert_eq!(f.len(), 4, "{f:#?}");

        let web = named(&f, "web");
        expect(
            web,
            Status::Pass,
            &["Application Load Balancer web", "acme-elb-logs"],
        );
        assert_eq!(web.region, EU);
        assert_eq!(web.resource.kind, "AwsElbv2LoadBalancer");
        assert!(web
            .resource
            .id
            .starts_with("arn:aws:elasticloadbalancing:eu-west-1:"));
        assert_eq!(web.evidence["access_logs.s3.bucket"], "acme-elb-logs");

        let tcp = named(&f, "tcp");
        expect(
            tcp,
            Status::Fail,
            &["Network Load Balancer tcp (internet-facing)", "turned off"],
        );
        assert_eq!(tcp.evidence["access_logs.s3.enabled"], false);

        let logged = named(&f, "E2LOGGED (e2logged.cloudfront.net)");
        expect(logged, Status::Pass, &["E2LOGGED", "acme-cf-logs"]);
        assert_eq!(
            logged.region, US,
            "distributions are reported in the home region"
        );
        assert_eq!(logged.resource.kind, "AwsCloudFrontDistribution");
        assert_eq!(
            logged.resource.id,
            format!("arn:aws:cloudfront::{ACCT}:distribution/E2LOGGED")
        );

        let silent = named(&f, "E3SILENT (e3silent.cloudfront.net)");
        expect(silent, Status::Fail, &["E3SILENT", "turned off"]);
        assert_eq!(silent.evidence["Logging"]["Enabled"], false);
    }

    #[test]
    fn read_failures_are_errors_never_failures() {
        let mut a = account();
        a.regional.get_mut(US).unwrap().load_balancers = Some(Err(denied(
            "elasticloadbalancing:DescribeLoadBalancers",
            US,
            ACCT,
        )));
        let mut unread = lb(EU, "web", "application", None);
        unread.access_logs = Err(denied(
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            EU,
            ACCT,
        ));
        a.regional.get_mut(EU).unwrap().load_balancers = Some(Ok(vec![unread]));
        let mut hidden = distribution("E4HIDDEN", None);
        hidden.logging_bucket = Err(denied("cloudfront:GetDistributionConfig", US, ACCT));
        a.cloudfront = Some(Ok(vec![hidden]));
        let f = run_check(CHECK, a, &[], now());
        assert_eq!(f.len(), 3, "{f:#?}");
        assert!(f.iter().all(|f| f.status == Status::Error), "{f:#?}");
        expect(
            named(&f, ACCT),
            Status::Error,
            &["elasticloadbalancing:DescribeLoadBalancers"],
        );
        expect(
            named(&f, "web"),
            Status::Error,
            &["elasticloadbalancing:DescribeLoadBalancerAttributes"],
        );
        expect(
            named(&f, "E4HIDDEN (e4hidden.cloudfront.net)"),
            Status::Error,
            &["cloudfront:GetDistributionConfig"],
        );

        // Both listings failing in the home region: two findings with distinct ids.
        let mut a = account();
        a.regional.get_mut(US).unwrap().load_balancers = Some(Err(denied(
            "elasticloadbalancing:DescribeLoadBalancers",
            US,
            ACCT,
        )));
        a.cloudfront = Some(Err(denied("cloudfront:ListDistributions", US, ACCT)));
        let f = run_check(CHECK, a, &[], now());
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_ne!(f[0].id, f[1].id);
        let cf = named(&f, "CloudFront distributions");
        expect(cf, Status::Error, &["cloudfront:ListDistributions"]);
        assert_eq!(cf.region, US);
        assert_eq!(
            cf.resource.id,
            format!("arn:aws:cloudfront::{ACCT}:distribution/*")
        );
    }

    #[test]
    fn evidence_from_before_front_ends_were_read_is_not_collected() {
        let mut a = account();
        a.regional.get_mut(EU).unwrap().load_balancers = None;
        let f = one(
            run_check(CHECK, a, &[], now()),
            Status::Error,
            &["no Elastic Load Balancing data"],
        );
        assert_eq!(f.region, EU);

        let mut a = account();
        a.cloudfront = None;
        let f = one(
            run_check(CHECK, a, &[], now()),
            Status::Error,
            &["no CloudFront data"],
        );
        assert_eq!(f.region, US);
        assert_eq!(f.resource.name, "CloudFront distributions");
    }

    #[test]
    fn an_old_evidence_file_loads_without_front_end_fields() {
        let mut a = account();
        a.cloudfront = None;
        for r in a.regional.values_mut() {
            r.load_balancers = None;
        }
        let text = serde_json::to_string(&evidence_of(vec![a], now())).unwrap();
        assert!(!text.contains("load_balancers") && !text.contains("cloudfront"));
        let back = crate::evidence::Evidence::parse(&text, "old.json").unwrap();
        assert!(back.accounts[0].cloudfront.is_none());
    }
}
