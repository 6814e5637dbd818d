//! The collectors added for full CIS v7.0.0 coverage, against the moto emulator (started by
//! `scripts/test.sh`): the metric-filter chain, RDS, EFS, GuardDuty, resource policies, VPC
//! peering routes, load-balancer access logs and alternate contacts. Where moto lacks an API (IAM Access Analyzer, the
//! Account API's GetContactInformation, IAM's ListOrganizationsFeatures), the verdict must be an
//! ERROR that names the call, never a PASS or FAIL.

use std::time::Duration;

use aws_config::{Region, SdkConfig};
use chrono::Utc;
use warden::checks::Selection;
use warden::collect::{self, ScanOptions};
use warden::commands::{build_report, CollectionFacts};
use warden::evidence::Evidence;
use warden::model::{Finding, Report, Status};

mod common;
use common::endpoint;

const REGION: &str = "us-east-1";

fn options() -> ScanOptions {
    ScanOptions {
        profile: None,
        region: None,
        regions: Some(vec![REGION.to_string()]),
        endpoint_url: Some(endpoint()),
        concurrency: 8,
        credential_report_wait: Duration::from_secs(30),
        progress: false,
        events: None,
        org: None,
    }
}

fn client<C>(sdk: &SdkConfig, make: impl Fn(&SdkConfig) -> C) -> C {
    make(
        &sdk.to_builder()
            .region(Region::new(REGION.to_string()))
            .build(),
    )
}

async fn scan(sdk: SdkConfig) -> (Evidence, Report) {
    let result = collect::scan_with_config(sdk, &options())
        .await
        .expect("scan");
    let report = build_report(
        &result.evidence,
        &Selection {
            frameworks: vec!["cis-7.0.0".to_string(), "aws-fsbp-1.0.0".to_string()],
            ..Default::default()
        },
        Utc::now(),
        CollectionFacts {
            api_calls: result.api_calls,
            collection_ms: 0,
        },
    );
    (result.evidence, report)
}

fn findings<'a>(report: &'a Report, check: &str) -> Vec<&'a Finding> {
    let found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.check_id == check)
        .collect();
    assert!(!found.is_empty(), "no finding for {check}");
    found
}

fn status_of(report: &Report, check: &str, resource_name: &str) -> Status {
    findings(report, check)
        .into_iter()
        .find(|f| f.resource.name.contains(resource_name))
        .unwrap_or_else(|| panic!("{check}: no finding for {resource_name}"))
        .status
}

const ROOT_PATTERN: &str = r#"{ ($.eventType != "AwsServiceEvent") && ($.userIdentity.invokedBy NOT EXISTS) && ($.userIdentity.type = Root) }"#;

/// A logging multi-region trail into CloudWatch Logs, with the root-usage filter → alarm →
/// topic → subscription chain, and a narrower filter for console sign-ins without MFA.
async fn seed_monitoring(sdk: &SdkConfig, account: &str) -> String {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .region(Region::new(REGION))
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(format!("trail-{account}"))
        .send()
        .await
        .unwrap();
    let logs = client(sdk, aws_sdk_cloudwatchlogs::Client::new);
    logs.create_log_group()
        .log_group_name("cloudtrail")
        .send()
        .await
        .unwrap();
    let group_arn = format!("arn:aws:logs:{REGION}:{account}:log-group:cloudtrail:*");
    let ct = client(sdk, aws_sdk_cloudtrail::Client::new);
    ct.create_trail()
        .name("main")
        .s3_bucket_name(format!("trail-{account}"))
        .is_multi_region_trail(true)
        .cloud_watch_logs_log_group_arn(&group_arn)
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{account}:role/ct-logs"))
        .send()
        .await
        .unwrap();
    ct.put_event_selectors()
        .trail_name("main")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    ct.start_logging().name("main").send().await.unwrap();
    for (name, pattern) in [
        ("root-usage", ROOT_PATTERN),
        (
            "console-no-mfa",
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") && ($.awsRegion = "us-east-1") }"#,
        ),
    ] {
        logs.put_metric_filter()
            .log_group_name("cloudtrail")
            .filter_name(name)
            .filter_pattern(pattern)
            .metric_transformations(
                aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                    .metric_name(name)
                    .metric_namespace("CISBenchmark")
                    .metric_value("1")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let sns = client(sdk, aws_sdk_sns::Client::new);
    let topic = sns
        .create_topic()
        .name("cis-alarms")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:{REGION}:{account}:alarm-inbox"))
        .send()
        .await
        .unwrap();
    let cw = client(sdk, aws_sdk_cloudwatch::Client::new);
    for name in ["root-usage", "console-no-mfa"] {
        cw.put_metric_alarm()
            .alarm_name(name)
            .metric_name(name)
            .namespace("CISBenchmark")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
            .period(300)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(
                aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanOrEqualToThreshold,
            )
            .alarm_actions(&topic)
            .send()
            .await
            .unwrap();
    }
    topic
}

#[tokio::test]
async fn new_services_are_collected_and_judged() {
    let account = "230000000001";
    let (sdk, _) = common::assume(account).await;
    let topic = seed_monitoring(&sdk, account).await;

    // A public topic policy and a public queue; a queue restricted to the account.
    let sns = client(&sdk, aws_sdk_sns::Client::new);
    sns.set_topic_attributes()
        .topic_arn(&topic)
        .attribute_name("Policy")
        .attribute_value(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"{topic}"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let sqs = client(&sdk, aws_sdk_sqs::Client::new);
    for (name, condition) in [
        ("open-queue", String::new()),
        (
            "account-queue",
            format!(r#","Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}}}}"#),
        ),
    ] {
        let arn = format!("arn:aws:sqs:{REGION}:{account}:{name}");
        sqs.create_queue()
            .queue_name(name)
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::Policy,
                format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"sqs:SendMessage","Resource":"{arn}"{condition}}}]}}"#
                ),
            )
            .send()
            .await
            .unwrap();
    }
    // A customer-managed key with its default policy (the account's root only).
    client(&sdk, aws_sdk_kms::Client::new)
        .create_key()
        .description("app key")
        .send()
        .await
        .unwrap();

    // RDS: a public, unencrypted instance.
    client(&sdk, aws_sdk_rds::Client::new)
        .create_db_instance()
        .db_instance_identifier("reports")
        .db_instance_class("db.t3.micro")
        .engine("mysql")
        .allocated_storage(20)
        .master_username("admin")
        .master_user_password("correct-horse-battery")
        .publicly_accessible(true)
        .storage_encrypted(false)
        .auto_minor_version_upgrade(true)
        .send()
        .await
        .unwrap();
    // EFS: one encrypted file system, one not.
    let efs = client(&sdk, aws_sdk_efs::Client::new);
    for (token, encrypted) in [("enc", true), ("plain", false)] {
        efs.create_file_system()
            .creation_token(token)
            .encrypted(encrypted)
            .tags(
                aws_sdk_efs::types::Tag::builder()
                    .key("Name")
                    .value(token)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    // GuardDuty enabled.
    client(&sdk, aws_sdk_guardduty::Client::new)
        .create_detector()
        .enable(true)
        .send()
        .await
        .unwrap();
    // A security contact.
    client(&sdk, aws_sdk_account::Client::new)
        .put_alternate_contact()
        .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
        .name("Sec Team")
        .title("Security")
        .email_address("security@example.com")
        .phone_number("+1 206 555 0100")
        .send()
        .await
        .unwrap();
    // Two VPCs peered, with a route wider than the peer.
    let ec2 = client(&sdk, aws_sdk_ec2::Client::new);
    let vpc = |cidr: &'static str| {
        let ec2 = ec2.clone();
        async move {
            ec2.create_vpc()
                .cidr_block(cidr)
                .send()
                .await
                .unwrap()
                .vpc
                .unwrap()
                .vpc_id
                .unwrap()
        }
    };
    let (a, b) = (vpc("10.10.0.0/16").await, vpc("10.20.0.0/16").await);
    let pcx = ec2
        .create_vpc_peering_connection()
        .vpc_id(&a)
        .peer_vpc_id(&b)
        .send()
        .await
        .unwrap()
        .vpc_peering_connection
        .unwrap()
        .vpc_peering_connection_id
        .unwrap();
    let table = ec2
        .create_route_table()
        .vpc_id(&a)
        .send()
        .await
        .unwrap()
        .route_table
        .unwrap()
        .route_table_id
        .unwrap();
    ec2.create_route()
        .route_table_id(&table)
        .destination_cidr_block("10.0.0.0/8")
        .vpc_peering_connection_id(&pcx)
        .send()
        .await
        .unwrap();

    // An Application Load Balancer in VPC a, with access logs off (the default).
    let mut subnets = Vec::new();
    for (cidr, zone) in [
        ("10.10.1.0/24", "us-east-1a"),
        ("10.10.2.0/24", "us-east-1b"),
    ] {
        subnets.push(
            ec2.create_subnet()
                .vpc_id(&a)
                .cidr_block(cidr)
                .availability_zone(zone)
                .send()
                .await
                .unwrap()
                .subnet
                .unwrap()
                .subnet_id
                .unwrap(),
        );
    }
    client(&sdk, aws_sdk_elasticloadbalancingv2::Client::new)
        .create_load_balancer()
        .name("web-alb")
        .set_subnets(Some(subnets))
        .r#type(aws_sdk_elasticloadbalancingv2::types::LoadBalancerTypeEnum::Application)
        .send()
        .await
        .unwrap();

    let (evidence, report) = scan(sdk).await;
    let regional = &evidence.accounts[0].regional[REGION];

    // Monitoring: root usage is covered (the filter is written differently); the console
    // filter is narrower than CIS's; nothing watches IAM policy changes.
    let root = findings(&report, "monitoring_root_usage");
    assert_eq!(root[0].status, Status::Pass, "{}", root[0].detail);
    assert!(root[0].detail.contains("cis-alarms"), "{}", root[0].detail);
    let mfa = findings(&report, "monitoring_console_signin_without_mfa");
    assert_eq!(mfa[0].status, Status::Fail, "{}", mfa[0].detail);
    assert!(mfa[0].detail.contains("covers the required pattern"));
    assert_eq!(
        findings(&report, "monitoring_iam_policy_changes")[0].status,
        Status::Fail
    );

    // RDS and EFS.
    let rds = regional.rds.as_ref().expect("rds read");
    assert_eq!(rds.instances.as_ref().unwrap().len(), 1);
    assert_eq!(
        status_of(&report, "rds_storage_encrypted", "reports"),
        Status::Fail
    );
    assert_eq!(
        status_of(&report, "rds_not_publicly_accessible", "reports"),
        Status::Fail
    );
    assert_eq!(
        status_of(&report, "rds_auto_minor_version_upgrade", "reports"),
        Status::Pass
    );
    let efs = regional.efs.as_ref().unwrap().as_ref().expect("efs listed");
    assert_eq!(efs.len(), 2);
    let efs_statuses: Vec<Status> = findings(&report, "efs_encrypted")
        .iter()
        .map(|f| f.status)
        .collect();
    assert!(efs_statuses.contains(&Status::Pass) && efs_statuses.contains(&Status::Fail));

    // GuardDuty.
    assert_eq!(
        findings(&report, "guardduty_enabled")[0].status,
        Status::Pass
    );

    // Resource policies: the open topic and queue fail, the restricted queue and the key pass.
    assert_eq!(
        status_of(&report, "resource_policy_not_public", "cis-alarms"),
        Status::Fail
    );
    assert_eq!(
        status_of(&report, "resource_policy_not_public", "open-queue"),
        Status::Fail
    );
    assert_eq!(
        status_of(&report, "resource_policy_not_public", "account-queue"),
        Status::Pass
    );
    let keys = regional
        .resource_policies
        .as_ref()
        .unwrap()
        .kms_keys
        .as_ref()
        .expect("key policies read");
    assert_eq!(keys.len(), 1);
    assert!(keys[0].policy.as_ref().unwrap().is_some());

    // Peering: 10.0.0.0/8 is wider than the peer's 10.20.0.0/16.
    let peering = regional.peering.as_ref().unwrap();
    assert_eq!(peering.routes.as_ref().unwrap().len(), 1);
    assert_eq!(
        status_of(&report, "ec2_peering_routes_least_access", &table),
        Status::Fail
    );

    // Web front-ends: the ALB's access logs are off; CloudFront is listed (no distribution).
    let lbs = regional
        .load_balancers
        .as_ref()
        .unwrap()
        .as_ref()
        .expect("load balancers listed");
    assert_eq!(lbs.len(), 1);
    assert_eq!(lbs[0].kind, "application");
    assert_eq!(lbs[0].access_logs, Ok(None));
    assert_eq!(
        status_of(&report, "web_frontend_access_logging", "web-alb"),
        Status::Fail
    );
    assert!(matches!(&evidence.accounts[0].cloudfront, Some(Ok(d)) if d.is_empty()));

    // The security contact is read; moto has no GetContactInformation, so the contact-details
    // check is an ERROR that names the call.
    let contacts = evidence.accounts[0].contacts.as_ref().unwrap();
    assert!(
        matches!(&contacts.alternate["SECURITY"], Ok(Some(c)) if c.email == "security@example.com")
    );
    assert_eq!(
        findings(&report, "account_security_contact")[0].status,
        Status::Pass
    );
    let details = findings(&report, "account_contact_details");
    assert_eq!(details[0].status, Status::Error);
    assert!(details[0].detail.contains("account:GetContactInformation"));

    // moto has no IAM Access Analyzer: ERROR naming the call, never a verdict.
    let analyzer = findings(&report, "accessanalyzer_enabled");
    assert_eq!(analyzer[0].status, Status::Error, "{}", analyzer[0].detail);
    assert!(analyzer[0].detail.contains("access-analyzer:ListAnalyzers"));
}
