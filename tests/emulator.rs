//! Collection against the moto AWS emulator, started by `scripts/test.sh` (which sets
//! WARDEN_TEST_ENDPOINT to a loopback address). Each test works in its own emulated account,
//! reached with AssumeRole, so tests do not see each other's resources.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use chrono::Utc;
use warden::checks::Selection;
use warden::collect::{self, ScanOptions};
use warden::commands::{build_report, CollectionFacts};
use warden::evidence::{ErrorKind, Evidence, ReportFlag};
use warden::model::{Report, Status};

mod common;
use common::endpoint;

/// SDK config with credentials for `account`'s own isolated state in the emulator.
async fn member(account: &str) -> SdkConfig {
    common::assume(account).await.0
}

fn options(regions: &[&str]) -> ScanOptions {
    ScanOptions {
        profile: None,
        region: None,
        regions: Some(regions.iter().map(|r| r.to_string()).collect()),
        endpoint_url: Some(endpoint()),
        concurrency: 8,
        credential_report_wait: Duration::from_secs(30),
        progress: false,
        events: None,
        org: None,
    }
}

fn s3(sdk: &SdkConfig, region: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(sdk)
        .region(Region::new(region.to_string()))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn regional<C>(sdk: &SdkConfig, region: &str, make: impl Fn(&SdkConfig) -> C) -> C {
    let conf = sdk
        .to_builder()
        .region(Region::new(region.to_string()))
        .build();
    make(&conf)
}

async fn scan(sdk: SdkConfig, regions: &[&str]) -> (Evidence, Report) {
    let result = collect::scan_with_config(sdk, &options(regions))
        .await
        .expect("scan");
    let report = build_report(
        &result.evidence,
        &Selection::default(),
        Utc::now(),
        CollectionFacts {
            api_calls: result.api_calls,
            collection_ms: 0,
        },
    );
    (result.evidence, report)
}

fn statuses<'a>(report: &'a Report, check: &str) -> Vec<(&'a str, &'a str, Status)> {
    report
        .findings
        .iter()
        .filter(|f| f.check_id == check)
        .map(|f| (f.region.as_str(), f.resource.name.as_str(), f.status))
        .collect()
}

/// Seeds a realistic account: a logged, multi-region trail into a bucket with a lifecycle rule,
/// a user with two keys, a weak password policy, two KMS keys, Config in one region.
async fn seed_account(sdk: &SdkConfig) {
    let s3e = s3(sdk, "us-east-1");
    s3e.create_bucket()
        .bucket("trail-logs")
        .send()
        .await
        .unwrap();
    s3e.put_bucket_lifecycle_configuration()
        .bucket("trail-logs")
        .lifecycle_configuration(
            aws_sdk_s3::types::BucketLifecycleConfiguration::builder()
                .rules(
                    aws_sdk_s3::types::LifecycleRule::builder()
                        .id("expire-logs")
                        .status(aws_sdk_s3::types::ExpirationStatus::Enabled)
                        .filter(
                            aws_sdk_s3::types::LifecycleRuleFilter::builder()
                                .prefix("")
                                .build(),
                        )
                        .expiration(
                            aws_sdk_s3::types::LifecycleExpiration::builder()
                                .days(365)
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let s3w = s3(sdk, "eu-west-1");
    s3w.create_bucket()
        .bucket("app-data")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let ct = regional(sdk, "us-east-1", aws_sdk_cloudtrail::Client::new);
    ct.create_trail()
        .name("main")
        .s3_bucket_name("trail-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .unwrap();
    ct.start_logging().name("main").send().await.unwrap();
    // The emulator gives a new trail no selectors; real AWS gives this default one.
    ct.put_event_selectors()
        .trail_name("main")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .data_resources(
                    aws_sdk_cloudtrail::types::DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values("arn:aws:s3")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    let iam = aws_sdk_iam::Client::new(sdk);
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_login_profile()
        .user_name("alice")
        .password("Correct-Horse-9")
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .password_reuse_prevention(24)
        .send()
        .await
        .unwrap();

    // EC2: SSH open to the world in us-east-1; a flow log on eu-west-1's default VPC.
    let ec2e = regional(sdk, "us-east-1", aws_sdk_ec2::Client::new);
    let open = ec2e
        .create_security_group()
        .group_name("open-ssh")
        .description("ssh from anywhere")
        .send()
        .await
        .unwrap();
    ec2e.authorize_security_group_ingress()
        .group_id(open.group_id().unwrap())
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    let ec2w = regional(sdk, "eu-west-1", aws_sdk_ec2::Client::new);
    let vpcs = ec2w.describe_vpcs().send().await.unwrap();
    let default_vpc = vpcs.vpcs()[0].vpc_id().unwrap().to_string();
    ec2w.create_flow_logs()
        .resource_type(aws_sdk_ec2::types::FlowLogsResourceType::Vpc)
        .resource_ids(default_vpc)
        .traffic_type(aws_sdk_ec2::types::TrafficType::All)
        .log_destination_type(aws_sdk_ec2::types::LogDestinationType::S3)
        .log_destination("arn:aws:s3:::trail-logs")
        .send()
        .await
        .unwrap();

    let kms = regional(sdk, "us-east-1", aws_sdk_kms::Client::new);
    kms.create_key()
        .description("no rotation")
        .send()
        .await
        .unwrap();
    let rotated = kms
        .create_key()
        .description("rotated")
        .send()
        .await
        .unwrap();
    let id = rotated.key_metadata().unwrap().key_id().to_string();
    kms.enable_key_rotation().key_id(&id).send().await.unwrap();

    let config = regional(sdk, "us-east-1", aws_sdk_config::Client::new);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("default")
                .role_arn("arn:aws:iam::123456789012:role/config")
                .recording_group(
                    aws_sdk_config::types::RecordingGroup::builder()
                        .all_supported(true)
                        .include_global_resource_types(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    config
        .put_delivery_channel()
        .delivery_channel(
            aws_sdk_config::types::DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name("trail-logs")
                .build(),
        )
        .send()
        .await
        .unwrap();
    config
        .start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn scan_collects_evidence_and_evaluates_it() {
    let account = "210000000001";
    let sdk = member(account).await;
    seed_account(&sdk).await;
    let (evidence, report) = scan(sdk, &["us-east-1", "eu-west-1"]).await;

    let a = &evidence.accounts[0];
    assert_eq!(a.account_id, account);
    assert_eq!(a.regions, ["eu-west-1", "us-east-1"]);

    // IAM: the credential report parses; alice has a password and two active keys.
    let cr = a.iam.credential_report.as_ref().expect("credential report");
    let alice = cr
        .users()
        .find(|r| r.user == "alice")
        .expect("alice in the report");
    assert_eq!(alice.password_enabled, ReportFlag::True);
    assert!(alice.access_keys.iter().all(|k| k.active));
    let policy = a
        .iam
        .password_policy
        .as_ref()
        .unwrap()
        .as_ref()
        .expect("a policy");
    assert_eq!(policy.minimum_password_length, Some(8));
    let auth = a
        .iam
        .authorization_details
        .as_ref()
        .expect("authorization details");
    assert!(auth.users.iter().any(|u| u.name == "alice"));

    // CloudTrail: the multi-region trail is listed in both regions but is one trail.
    assert_eq!(
        a.cloudtrail.trails.len(),
        1,
        "{:?}",
        a.cloudtrail.trails.keys()
    );
    assert!(a
        .cloudtrail
        .describe
        .values()
        .all(|r| r.as_ref().is_ok_and(|arns| arns.len() == 1)));
    let trail = a.cloudtrail.trails.values().next().unwrap();
    assert_eq!(trail.home_region, "us-east-1");
    assert!(trail.status.as_ref().unwrap().is_logging);
    assert_eq!(trail.selectors.as_ref().unwrap().basic.len(), 1);

    // S3: the eu-west-1 bucket is read in its own region; lifecycle is a fact.
    let buckets = a.s3.buckets.as_ref().unwrap();
    let app = buckets.iter().find(|b| b.name == "app-data").unwrap();
    assert_eq!(app.region.as_deref(), Ok("eu-west-1"));
    assert_eq!(app.lifecycle, Ok(None));
    assert_eq!(app.logging, Ok(None));
    let logs = buckets.iter().find(|b| b.name == "trail-logs").unwrap();
    assert!(logs.lifecycle.as_ref().unwrap().as_ref().unwrap()[0].manages_log_retention());

    // KMS and Config.
    let us = &a.regional["us-east-1"];
    let keys = us.kms.as_ref().unwrap();
    assert_eq!(keys.iter().filter(|k| k.manager == "CUSTOMER").count(), 2);
    assert_eq!(us.config.recorders.as_ref().unwrap().len(), 1);
    assert!(a.regional["eu-west-1"]
        .config
        .recorders
        .as_ref()
        .unwrap()
        .is_empty());

    // Verdicts.
    let only = |check: &str| {
        let s = statuses(&report, check);
        assert_eq!(s.len(), 1, "{check}: {s:?}");
        s[0].2
    };
    assert_eq!(only("cloudtrail_multi_region_enabled"), Status::Pass);
    assert_eq!(only("cloudtrail_log_file_validation"), Status::Pass);
    assert_eq!(only("cloudtrail_kms_encryption"), Status::Fail);
    assert_eq!(only("cloudtrail_s3_write_data_events"), Status::Pass);
    assert_eq!(only("cloudtrail_s3_read_data_events"), Status::Pass);
    assert_eq!(only("cloudtrail_bucket_access_logging"), Status::Fail);
    assert_eq!(only("s3_log_bucket_lifecycle"), Status::Pass);
    assert_eq!(only("iam_password_policy_min_length"), Status::Fail);
    assert_eq!(only("iam_password_policy_reuse_prevention"), Status::Pass);
    assert_eq!(only("iam_user_single_active_key"), Status::Fail);
    assert_eq!(only("iam_user_console_mfa"), Status::Fail);
    // The emulator's credential report has no root row: root checks cannot be evaluated.
    assert_eq!(only("iam_root_mfa_enabled"), Status::Error);
    assert_eq!(only("iam_root_no_access_keys"), Status::Error);
    let kms = statuses(&report, "kms_key_rotation_enabled");
    assert_eq!(
        kms.iter().filter(|s| s.2 == Status::Pass).count(),
        1,
        "{kms:?}"
    );
    assert_eq!(
        kms.iter().filter(|s| s.2 == Status::Fail).count(),
        1,
        "{kms:?}"
    );
    let config = statuses(&report, "config_recorder_all_regions");
    assert!(
        config.contains(&("us-east-1", account, Status::Pass)),
        "{config:?}"
    );
    assert!(
        config.contains(&("eu-west-1", account, Status::Fail)),
        "{config:?}"
    );

    // EC2 in a new account: the emulator's default VPC has a default security group with rules,
    // an allow-all network ACL, no flow log, and EBS encryption by default off.
    let ec2 = a.regional["us-east-1"].ec2.as_ref().expect("EC2 evidence");
    assert!(!ec2.vpcs.as_ref().unwrap().is_empty());
    let region_status = |check: &str, region: &str| -> Vec<Status> {
        statuses(&report, check)
            .into_iter()
            .filter(|s| s.0 == region)
            .map(|s| s.2)
            .collect()
    };
    assert_eq!(
        region_status("ec2_ebs_default_encryption", "us-east-1"),
        [Status::Fail]
    );
    assert!(region_status("ec2_nacl_admin_ports", "us-east-1").contains(&Status::Fail));
    assert!(region_status("vpc_flow_logs_enabled", "us-east-1").contains(&Status::Fail));
    assert!(
        region_status("vpc_flow_logs_enabled", "eu-west-1").contains(&Status::Pass),
        "the seeded flow log"
    );
    assert!(
        region_status("ec2_sg_admin_ports_ipv4", "us-east-1").contains(&Status::Fail),
        "the seeded open SSH rule"
    );
    assert_eq!(
        region_status("ec2_imdsv2_required", "us-east-1"),
        [Status::NotApplicable]
    );
    assert_eq!(
        region_status("ec2_instance_roles", "us-east-1"),
        [Status::NotApplicable]
    );
    assert_eq!(
        region_status("securityhub_enabled", "us-east-1"),
        [Status::Fail],
        "Security Hub is off in a new account"
    );

    // Every call was counted.
    assert!(
        report.run.api_calls_total > 20,
        "{:?}",
        report.run.api_calls
    );
    assert!(report
        .run
        .api_calls
        .keys()
        .any(|k| k.contains("GetCredentialReport")));
}

#[tokio::test]
async fn iam_calls_do_not_grow_with_users() {
    let iam_calls = |report: &Report| -> u64 {
        report
            .run
            .api_calls
            .iter()
            .filter(|(k, _)| k.starts_with("iam:"))
            .map(|(_, n)| n)
            .sum()
    };
    let few = member("210000000002").await;
    aws_sdk_iam::Client::new(&few)
        .create_user()
        .user_name("u0")
        .send()
        .await
        .unwrap();
    let many = member("210000000003").await;
    let iam = aws_sdk_iam::Client::new(&many);
    for i in 0..60 {
        iam.create_user()
            .user_name(format!("u{i}"))
            .send()
            .await
            .unwrap();
        iam.create_access_key()
            .user_name(format!("u{i}"))
            .send()
            .await
            .unwrap();
    }
    let (_, small) = scan(few, &["us-east-1"]).await;
    let (evidence, large) = scan(many, &["us-east-1"]).await;
    let users = evidence.accounts[0]
        .iam
        .credential_report
        .as_ref()
        .unwrap()
        .users()
        .count();
    assert_eq!(users, 60);
    assert_eq!(
        iam_calls(&small),
        iam_calls(&large),
        "{:?} vs {:?}",
        small.run.api_calls,
        large.run.api_calls
    );
}

#[tokio::test]
async fn an_empty_account_is_not_applicable_or_failing_never_passing_on_nothing() {
    let sdk = member("210000000004").await;
    let (_, report) = scan(sdk, &["us-east-1"]).await;
    let only = |check: &str| statuses(&report, check)[0].2;
    assert_eq!(only("cloudtrail_multi_region_enabled"), Status::Fail);
    assert_eq!(
        only("cloudtrail_log_file_validation"),
        Status::NotApplicable
    );
    assert_eq!(only("iam_password_policy_min_length"), Status::Fail);
    assert_eq!(only("config_recorder_all_regions"), Status::Fail);
    assert_eq!(only("kms_key_rotation_enabled"), Status::NotApplicable);
}

#[tokio::test]
async fn unreachable_endpoint_is_a_clear_fatal_error() {
    // A closed loopback port: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    let mut opts = options(&["us-east-1"]);
    opts.endpoint_url = Some(url);
    let err = collect::scan_with_config(sdk, &opts).await.unwrap_err();
    match &err {
        collect::ScanError::Identity(e) => assert_eq!(e.kind, ErrorKind::Transport),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("sts:GetCallerIdentity"), "{err}");
}
