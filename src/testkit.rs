//! Hand-built evidence: the baseline for check tests, the bundled demo account, and the
//! synthetic large account the benchmark evaluates.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::evidence::*;

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("bad test timestamp {text}: {e}"))
}

pub fn demo_collected_at() -> DateTime<Utc> {
    at("2026-11-01T09:00:00Z")
}

pub fn denied(operation: &str, region: &str, account: &str) -> CollectError {
    CollectError {
        kind: ErrorKind::AccessDenied,
        operation: operation.to_string(),
        region: region.to_string(),
        account: account.to_string(),
        message: format!("User: arn:aws:sts::{account}:assumed-role/auditor/warden is not authorized to perform: {operation}"),
    }
}

pub fn no_key() -> AccessKeyInfo {
    AccessKeyInfo {
        active: false,
        last_rotated: ReportDate::NotApplicable,
        last_used_date: ReportDate::NotApplicable,
        last_used_region: None,
        last_used_service: None,
    }
}

pub fn key(rotated: DateTime<Utc>, used: Option<DateTime<Utc>>) -> AccessKeyInfo {
    AccessKeyInfo {
        active: true,
        last_rotated: ReportDate::Date(rotated),
        last_used_date: used
            .map(ReportDate::Date)
            .unwrap_or(ReportDate::NotApplicable),
        last_used_region: used.map(|_| "us-east-1".to_string()),
        last_used_service: used.map(|_| "s3".to_string()),
    }
}

pub fn root_row(account: &str) -> CredentialReportRow {
    CredentialReportRow {
        user: CredentialReportRow::ROOT_USER.to_string(),
        arn: format!("arn:aws:iam::{account}:root"),
        user_creation_time: ReportDate::Date(at("2019-03-01T00:00:00Z")),
        password_enabled: ReportFlag::NotSupported,
        password_last_used: ReportDate::NoInformation,
        password_last_changed: ReportDate::NotSupported,
        mfa_active: true,
        access_keys: [no_key(), no_key()],
        cert_active: [false, false],
    }
}

/// A user with a console password and MFA, no keys, used recently relative to `now`.
pub fn user_row(account: &str, name: &str, now: DateTime<Utc>) -> CredentialReportRow {
    CredentialReportRow {
        user: name.to_string(),
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        user_creation_time: ReportDate::Date(now - Duration::days(400)),
        password_enabled: ReportFlag::True,
        password_last_used: ReportDate::Date(now - Duration::days(2)),
        password_last_changed: ReportDate::Date(now - Duration::days(60)),
        mfa_active: true,
        access_keys: [no_key(), no_key()],
        cert_active: [false, false],
    }
}

pub fn strong_password_policy() -> PasswordPolicy {
    PasswordPolicy {
        minimum_password_length: Some(14),
        password_reuse_prevention: Some(24),
        require_symbols: true,
        require_numbers: true,
        require_uppercase_characters: true,
        require_lowercase_characters: true,
        max_password_age: None,
        expire_passwords: false,
        allow_users_to_change_password: true,
        hard_expiry: None,
    }
}

pub fn trail(account: &str, name: &str, home: &str, bucket: &str) -> Trail {
    Trail {
        arn: format!("arn:aws:cloudtrail:{home}:{account}:trail/{name}"),
        name: name.to_string(),
        home_region: home.to_string(),
        owner_account: account.to_string(),
        is_multi_region: true,
        is_organization_trail: false,
        include_global_service_events: true,
        s3_bucket_name: Some(bucket.to_string()),
        s3_key_prefix: None,
        kms_key_id: Some(format!("arn:aws:kms:{home}:{account}:key/0e4a7d3c-trail")),
        log_file_validation_enabled: true,
        cloudwatch_logs_log_group_arn: Some(format!(
            "arn:aws:logs:{home}:{account}:log-group:cloudtrail:*"
        )),
        cloudwatch_logs_role_arn: Some(format!(
            "arn:aws:iam::{account}:role/CloudTrail_CloudWatchLogs"
        )),
        status: Ok(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_time: None,
            latest_cloudwatch_logs_delivery_error: None,
            latest_delivery_error: None,
        }),
        selectors: Ok(EventSelectors {
            basic: vec![BasicEventSelector {
                read_write_type: ReadWriteType::All,
                include_management_events: true,
                data_resources: vec![],
                exclude_management_event_sources: vec![],
            }],
            advanced: vec![],
        }),
    }
}

pub fn lifecycle_expiring(days: i32) -> LifecycleRule {
    LifecycleRule {
        id: Some("expire-logs".to_string()),
        enabled: true,
        filter: None,
        expiration_days: Some(days),
        has_expiration: true,
        transition_days: vec![],
        has_transition: false,
        noncurrent_expiration_days: None,
    }
}

/// A private, encrypted, logged bucket with a lifecycle rule.
pub fn bucket(name: &str, region: &str) -> Bucket {
    Bucket {
        name: name.to_string(),
        arn: format!("arn:aws:s3:::{name}"),
        creation_date: Some(at("2022-01-01T00:00:00Z")),
        region: Ok(region.to_string()),
        policy: Ok(None),
        lifecycle: Ok(Some(vec![lifecycle_expiring(365)])),
        logging: Ok(None),
        public_access_block: Ok(Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        })),
        acl_grants: Ok(vec![AclGrant {
            grantee: "owner-canonical-id".to_string(),
            permission: "FULL_CONTROL".to_string(),
        }]),
        versioning: Ok(Versioning {
            status: Some("Enabled".to_string()),
            mfa_delete: Some("Disabled".to_string()),
        }),
        encryption: Ok(Some(vec!["aws:kms".to_string()])),
    }
}

pub fn config_ok(region: &str) -> ConfigEvidence {
    ConfigEvidence {
        recorders: Ok(vec![ConfigRecorder {
            name: "default".to_string(),
            role_arn: Some("arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig".to_string()),
            all_supported: true,
            include_global_resource_types: region == "us-east-1",
            strategy: Some("ALL_SUPPORTED_RESOURCE_TYPES".to_string()),
            excluded_types: vec![],
        }]),
        recorder_statuses: Ok(vec![ConfigRecorderStatus {
            name: "default".to_string(),
            recording: true,
            last_status: Some("SUCCESS".to_string()),
        }]),
        delivery_channels: Ok(vec!["default".to_string()]),
        aggregators: Some(Ok(vec![])),
    }
}

/// A region's EC2 as the benchmark wants it: EBS encrypted by default, one VPC with a flow log,
/// a rule-less default security group, an ACL that denies SSH and RDP before allowing the rest,
/// and no instances.
pub fn ec2_ok(region: &str) -> Ec2Evidence {
    let vpc = format!("vpc-{region}");
    let entry =
        |rule_number: i32, allow: bool, protocol: &str, ports: Option<(i32, i32)>| NaclEntry {
            rule_number,
            egress: false,
            allow,
            protocol: protocol.to_string(),
            cidr: Some("0.0.0.0/0".to_string()),
            ipv6_cidr: None,
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        };
    Ec2Evidence {
        ebs_encryption_by_default: Ok(true),
        vpcs: Ok(vec![Vpc {
            id: vpc.clone(),
            is_default: true,
        }]),
        security_groups: Ok(vec![SecurityGroup {
            id: format!("sg-default-{region}"),
            name: "default".to_string(),
            vpc_id: Some(vpc.clone()),
            ingress: vec![],
            egress: vec![],
        }]),
        network_acls: Ok(vec![NetworkAcl {
            id: format!("acl-{region}"),
            vpc_id: Some(vpc.clone()),
            is_default: true,
            entries: vec![
                entry(50, false, "6", Some((22, 22))),
                entry(60, false, "6", Some((3389, 3389))),
                entry(100, true, "-1", None),
                entry(32767, false, "-1", None),
            ],
        }]),
        flow_logs: Ok(vec![FlowLog {
            id: format!("fl-{region}"),
            resource_id: vpc,
            status: "ACTIVE".to_string(),
            traffic_type: "ALL".to_string(),
            destination: None,
        }]),
        instances: Ok(vec![]),
    }
}

pub fn region_ok(region: &str) -> RegionEvidence {
    RegionEvidence {
        config: config_ok(region),
        kms: Ok(vec![]),
        metric_filters: Ok(vec![]),
        alarms: Ok(vec![]),
        sns_subscriptions: Ok(vec![]),
        ec2: Some(ec2_ok(region)),
        securityhub_enabled: Some(Ok(true)),
        access_analyzers: Some(Ok(vec![Analyzer {
            name: "external-access".to_string(),
            arn: format!("arn:aws:access-analyzer:{region}:111122223333:analyzer/external-access"),
            kind: "ACCOUNT".to_string(),
            status: "ACTIVE".to_string(),
        }])),
        rds: Some(RdsEvidence {
            instances: Ok(vec![]),
            clusters: Ok(vec![]),
        }),
        efs: Some(Ok(vec![])),
        guardduty: Some(Ok(vec![GuardDutyDetector {
            id: format!("detector-{region}"),
            status: Ok("ENABLED".to_string()),
        }])),
        resource_policies: Some(ResourcePolicies {
            sns_topics: Ok(vec![]),
            sqs_queues: Ok(vec![]),
            kms_keys: Ok(vec![]),
            lambda_functions: Ok(vec![]),
        }),
        peering: Some(PeeringEvidence {
            routes: Ok(vec![]),
            connections: Ok(vec![]),
        }),
        load_balancers: Some(Ok(vec![])),
    }
}

/// Contacts registered: a primary contact and every alternate contact.
pub fn contacts_ok() -> AccountContacts {
    AccountContacts {
        primary: Ok(Some(PrimaryContact {
            full_name: "Acme Cloud Team".to_string(),
            phone_number: "+1 206 555 0100".to_string(),
            company_name: Some("Acme".to_string()),
            country_code: "US".to_string(),
        })),
        alternate: ["SECURITY", "BILLING", "OPERATIONS"]
            .into_iter()
            .map(|kind| {
                (
                    kind.to_string(),
                    Ok(Some(AlternateContact {
                        name: format!("Acme {kind}"),
                        title: "Team".to_string(),
                        email: format!("{}@acme.example", kind.to_lowercase()),
                        phone_number: "+1 206 555 0101".to_string(),
                    })),
                )
            })
            .collect(),
    }
}

pub fn customer_key(account: &str, region: &str, id: &str, rotation: bool) -> KmsKey {
    KmsKey {
        key_id: id.to_string(),
        arn: format!("arn:aws:kms:{region}:{account}:key/{id}"),
        manager: "CUSTOMER".to_string(),
        spec: "SYMMETRIC_DEFAULT".to_string(),
        state: "Enabled".to_string(),
        origin: "AWS_KMS".to_string(),
        rotation_enabled: Some(Ok(rotation)),
    }
}

/// A well-configured account: every check passes or is not applicable, except the S3 data-event
/// checks (its trail logs management events only) and centralised logging (its trail delivers to
/// a bucket of its own). Tests break one thing.
pub fn compliant_account(account: &str, regions: &[&str], now: DateTime<Utc>) -> AccountEvidence {
    let mut evidence = compliant_account_without_alarms(account, regions, now);
    if let Some(home) = regions.first() {
        install_cis_alarms(&mut evidence, home);
    }
    evidence
}

fn compliant_account_without_alarms(
    account: &str,
    regions: &[&str],
    now: DateTime<Utc>,
) -> AccountEvidence {
    let home = regions.first().copied().unwrap_or("us-east-1");
    let trail = trail(account, "main", home, "acme-trail-logs");
    let mut trails = BTreeMap::new();
    trails.insert(trail.arn.clone(), trail.clone());
    AccountEvidence {
        account_id: account.to_string(),
        name: None,
        ou_path: None,
        partition: "aws".to_string(),
        home_region: home.to_string(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        skipped_regions: BTreeMap::new(),
        iam: IamEvidence {
            credential_report: Ok(CredentialReport {
                generated_at: now,
                rows: vec![root_row(account), user_row(account, "alice", now)],
            }),
            authorization_details: Ok(AuthorizationDetails::default()),
            password_policy: Ok(Some(strong_password_policy())),
            account_summary: Ok(BTreeMap::new()),
            virtual_mfa_devices: Ok(vec![]),
            server_certificates: Ok(vec![]),
        },
        s3: S3Evidence {
            buckets: Ok(vec![{
                let mut b = bucket("acme-trail-logs", home);
                b.logging = Ok(Some(LoggingTarget {
                    target_bucket: "acme-trail-logs".to_string(),
                    target_prefix: Some("access/".to_string()),
                }));
                b
            }]),
            account_public_access_block: Ok(Some(PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: true,
                restrict_public_buckets: true,
            })),
        },
        cloudtrail: CloudTrailEvidence {
            describe: regions
                .iter()
                .map(|r| (r.to_string(), Ok(vec![trail.arn.clone()])))
                .collect(),
            trails,
        },
        regional: regions
            .iter()
            .map(|r| (r.to_string(), region_ok(r)))
            .collect(),
        organization: Some(Ok(None)),
        delegated_admins: BTreeMap::new(),
        admin_configs: BTreeMap::new(),
        contacts: Some(contacts_ok()),
        org_governance: None,
        cloudfront: Some(Ok(vec![])),
    }
}

/// The CIS monitoring chain on log group `cloudtrail` in `region`: a metric filter with each
/// monitoring check's own pattern, an alarm on its metric notifying topic `cis-alarms`, and a
/// confirmed e-mail subscription.
pub fn install_cis_alarms(account: &mut AccountEvidence, region: &str) {
    let id = account.account_id.clone();
    let topic = format!("arn:aws:sns:{region}:{id}:cis-alarms");
    let mut filters = Vec::new();
    let mut alarms = Vec::new();
    for meta in crate::checks::Catalog::builtin().checks.values() {
        let Some(pattern) = &meta.filter_pattern else {
            continue;
        };
        filters.push(MetricFilter {
            name: meta.id.clone(),
            log_group_name: "cloudtrail".to_string(),
            pattern: pattern.clone(),
            metrics: vec![("CISBenchmark".to_string(), meta.id.clone())],
        });
        alarms.push(MetricAlarm {
            name: meta.id.clone(),
            arn: format!("arn:aws:cloudwatch:{region}:{id}:alarm:{}", meta.id),
            namespace: Some("CISBenchmark".to_string()),
            metric_name: Some(meta.id.clone()),
            alarm_actions: vec![topic.clone()],
            actions_enabled: true,
        });
    }
    let regional = account
        .regional
        .get_mut(region)
        .expect("install_cis_alarms: region is scanned");
    regional.metric_filters = Ok(filters);
    regional.alarms = Ok(alarms);
    regional.sns_subscriptions = Ok(vec![SnsSubscription {
        topic_arn: topic.clone(),
        protocol: "email".to_string(),
        subscription_arn: format!("{topic}:5f1c9a52-0d7e-4c1b-9a39-2b1e8f0c7d11"),
    }]);
}

pub fn evidence_of(accounts: Vec<AccountEvidence>, collected_at: DateTime<Utc>) -> Evidence {
    Evidence {
        schema_version: EVIDENCE_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at,
        accounts,
        unscanned: Vec::new(),
    }
}

/// The demo: "Acme Corp production", misconfigured in typical ways, in three regions.
pub fn demo_evidence() -> Evidence {
    let now = demo_collected_at();
    let acct = "111122223333";
    let days = |n: i64| now - Duration::days(n);
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
    let mut a = compliant_account(acct, &regions, now);
    a.skipped_regions.insert(
        "af-south-1".to_string(),
        "opt-in region not enabled for this account (enable it in the Account settings to scan it)"
            .to_string(),
    );

    // IAM: root signs in with a virtual MFA device, weak password policy, stale and extra keys.
    let mut root = root_row(acct);
    root.password_last_used = ReportDate::Date(days(3));
    let mut bob = user_row(acct, "bob", now);
    bob.mfa_active = false;
    bob.password_last_used = ReportDate::Date(days(97));
    bob.access_keys[0] = key(days(212), Some(days(150)));
    let mut ci = user_row(acct, "ci-deploy", now);
    ci.password_enabled = ReportFlag::False;
    ci.password_last_used = ReportDate::NotApplicable;
    ci.password_last_changed = ReportDate::NotApplicable;
    ci.mfa_active = false;
    ci.access_keys = [key(days(40), Some(days(0))), key(days(120), None)];
    let mut carol = user_row(acct, "carol", now);
    carol.password_last_used = ReportDate::NoInformation;
    carol.password_last_changed = ReportDate::Date(days(61));
    carol.user_creation_time = ReportDate::Date(days(61));
    let mut alice = user_row(acct, "alice", now);
    alice.access_keys[0] = key(days(30), Some(days(1)));
    a.iam.credential_report = Ok(CredentialReport {
        generated_at: now,
        rows: vec![root, alice, bob, ci, carol],
    });
    a.iam.password_policy = Ok(Some(PasswordPolicy {
        minimum_password_length: Some(8),
        password_reuse_prevention: Some(5),
        ..strong_password_policy()
    }));
    a.iam.virtual_mfa_devices = Ok(vec![VirtualMfaDevice {
        serial_number: format!("arn:aws:iam::{acct}:mfa/root-account-mfa-device"),
        user_arn: Some(format!("arn:aws:iam::{acct}:root")),
    }]);

    // The management account of a small organization, with neither an organization trail nor
    // an organization-wide Config aggregator.
    a.organization = Some(Ok(Some(OrganizationInfo {
        id: "o-acme12345".to_string(),
        management_account_id: acct.to_string(),
        feature_set: "ALL".to_string(),
    })));
    for principal in [GUARDDUTY_PRINCIPAL, SECURITYHUB_PRINCIPAL] {
        a.delegated_admins.insert(principal.to_string(), Ok(vec![]));
    }
    // Root credentials are managed centrally but root sessions are not; no delegated
    // administrator manages policies or the trusted services.
    a.org_governance = Some(OrgGovernance {
        iam_root_features: Ok(vec!["RootCredentialsManagement".to_string()]),
        resource_policy: Ok(None),
        service_access: Ok(vec![
            GUARDDUTY_PRINCIPAL.to_string(),
            SECURITYHUB_PRINCIPAL.to_string(),
            "sso.amazonaws.com".to_string(),
        ]),
        delegated_admins: Ok(BTreeMap::new()),
        // SCPs are enabled and one guardrail is attached to the root; RCPs are off.
        guardrails: Some(Ok(Guardrails {
            root_policy_types: BTreeMap::from([(
                "SERVICE_CONTROL_POLICY".to_string(),
                "ENABLED".to_string(),
            )]),
            policies: vec![GuardrailPolicy {
                id: "p-deny-leave-org".to_string(),
                name: "deny-leaving-the-organization".to_string(),
                kind: "SERVICE_CONTROL_POLICY".to_string(),
                targets: vec![("ROOT".to_string(), "Root".to_string())],
            }],
        })),
    });
    // No security contact; developers may use CloudShell with full access.
    if let Some(contacts) = a.contacts.as_mut() {
        contacts.alternate.insert("SECURITY".to_string(), Ok(None));
    }
    a.iam.authorization_details = Ok(AuthorizationDetails {
        groups: vec![IamGroup {
            name: "developers".to_string(),
            arn: format!("arn:aws:iam::{acct}:group/developers"),
            attached_policy_arns: vec![
                "arn:aws:iam::aws:policy/AWSCloudShellFullAccess".to_string()
            ],
            inline_policies: vec![],
        }],
        ..AuthorizationDetails::default()
    });

    // S3: the trail bucket has no access logging; the access-log bucket keeps logs forever; a
    // public website bucket; a data bucket whose policy the auditor may not read.
    let mut trail_bucket = bucket("acme-cloudtrail-logs", "us-east-1");
    trail_bucket.logging = Ok(None);
    trail_bucket.public_access_block = Ok(None);
    trail_bucket.policy = Ok(Some(r#"{"Version":"2012-10-17","Statement":[{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-cloudtrail-logs/AWSLogs/111122223333/*"}]}"#.to_string()));
    let mut access_logs = bucket("acme-access-logs", "eu-west-1");
    access_logs.lifecycle = Ok(None);
    let mut web = bucket("acme-web-assets", "ap-southeast-2");
    web.public_access_block = Ok(None);
    web.acl_grants = Ok(vec![AclGrant {
        grantee: "http://acs.amazonaws.com/groups/global/AllUsers".to_string(),
        permission: "READ".to_string(),
    }]);
    web.logging = Ok(Some(LoggingTarget {
        target_bucket: "acme-access-logs".to_string(),
        target_prefix: Some("web/".to_string()),
    }));
    let mut data = bucket("acme-data-lake", "eu-west-1");
    data.policy = Err(denied("s3:GetBucketPolicy", "eu-west-1", acct));
    data.logging = Ok(Some(LoggingTarget {
        target_bucket: "acme-access-logs".to_string(),
        target_prefix: Some("data/".to_string()),
    }));
    a.s3 = S3Evidence {
        buckets: Ok(vec![trail_bucket, access_logs, web, data]),
        account_public_access_block: Ok(None),
    };

    // CloudTrail: one multi-region trail, unvalidated, unencrypted, CloudWatch delivery stale,
    // logging S3 writes but not reads; a forgotten single-region debug trail.
    let mut main = trail(acct, "org-main", "us-east-1", "acme-cloudtrail-logs");
    main.log_file_validation_enabled = false;
    main.kms_key_id = None;
    main.status = Ok(TrailStatus {
        is_logging: true,
        latest_cloudwatch_logs_delivery_time: Some(now - Duration::hours(30)),
        latest_cloudwatch_logs_delivery_error: None,
        latest_delivery_error: None,
    });
    main.selectors = Ok(EventSelectors {
        basic: vec![
            BasicEventSelector {
                read_write_type: ReadWriteType::WriteOnly,
                include_management_events: false,
                data_resources: vec![DataResource {
                    resource_type: "AWS::S3::Object".to_string(),
                    values: vec!["arn:aws:s3".to_string()],
                }],
                exclude_management_event_sources: vec![],
            },
            BasicEventSelector {
                read_write_type: ReadWriteType::All,
                include_management_events: true,
                data_resources: vec![],
                exclude_management_event_sources: vec![],
            },
        ],
        advanced: vec![],
    });
    let mut debug = trail(acct, "eu-debug", "eu-west-1", "acme-cloudtrail-logs");
    debug.is_multi_region = false;
    debug.cloudwatch_logs_log_group_arn = None;
    debug.status = Ok(TrailStatus {
        is_logging: false,
        latest_cloudwatch_logs_delivery_time: None,
        latest_cloudwatch_logs_delivery_error: None,
        latest_delivery_error: None,
    });
    a.cloudtrail = CloudTrailEvidence {
        describe: [
            ("us-east-1", vec![main.arn.clone()]),
            ("eu-west-1", vec![main.arn.clone(), debug.arn.clone()]),
            ("ap-southeast-2", vec![main.arn.clone()]),
        ]
        .into_iter()
        .map(|(r, arns)| (r.to_string(), Ok(arns)))
        .collect(),
        trails: [main, debug]
            .into_iter()
            .map(|t| (t.arn.clone(), t))
            .collect(),
    };

    // Config: off in eu-west-1, never set up in ap-southeast-2. KMS: one key without rotation,
    // one pending deletion, and a region where the auditor role lacks kms:ListKeys.
    if let Some(eu) = a.regional.get_mut("eu-west-1") {
        if let Ok(statuses) = &mut eu.config.recorder_statuses {
            statuses[0].recording = false;
        }
        let mut pending = customer_key(acct, "eu-west-1", "5b1f9c2e-old", false);
        pending.state = "PendingDeletion".to_string();
        pending.rotation_enabled = None;
        eu.kms = Ok(vec![pending]);
    }
    if let Some(ap) = a.regional.get_mut("ap-southeast-2") {
        ap.config = ConfigEvidence {
            recorders: Ok(vec![]),
            recorder_statuses: Ok(vec![]),
            delivery_channels: Ok(vec![]),
            aggregators: Some(Ok(vec![])),
        };
        ap.kms = Err(denied("kms:ListKeys", "ap-southeast-2", acct));
    }
    // EC2: EBS encryption by default off in eu-west-1; SSH open to the world in Sydney; an
    // instance that still allows IMDSv1; a VPC without a flow log.
    if let Some(eu) = a.regional.get_mut("eu-west-1") {
        eu.securityhub_enabled = Some(Ok(false));
        if let Some(ec2) = eu.ec2.as_mut() {
            ec2.ebs_encryption_by_default = Ok(false);
        }
    }
    if let Some(ec2) = a
        .regional
        .get_mut("ap-southeast-2")
        .and_then(|r| r.ec2.as_mut())
    {
        if let Ok(groups) = &mut ec2.security_groups {
            groups.push(SecurityGroup {
                id: "sg-0bastion".to_string(),
                name: "bastion".to_string(),
                vpc_id: Some("vpc-ap-southeast-2".to_string()),
                ingress: vec![IpRule {
                    protocol: "tcp".to_string(),
                    from_port: Some(22),
                    to_port: Some(22),
                    ipv4_ranges: vec!["0.0.0.0/0".to_string()],
                    ipv6_ranges: vec![],
                    other_sources: vec![],
                }],
                egress: vec![],
            });
        }
        ec2.flow_logs = Ok(vec![]);
    }
    if let Some(ec2) = a.regional.get_mut("us-east-1").and_then(|r| r.ec2.as_mut()) {
        ec2.instances = Ok(vec![
            Instance {
                id: "i-0legacyapp".to_string(),
                state: "running".to_string(),
                http_tokens: Some("optional".to_string()),
                http_endpoint: Some("enabled".to_string()),
                instance_profile: None,
            },
            Instance {
                id: "i-0webfront".to_string(),
                state: "running".to_string(),
                http_tokens: Some("required".to_string()),
                http_endpoint: Some("enabled".to_string()),
                instance_profile: Some(format!("arn:aws:iam::{acct}:instance-profile/web")),
            },
        ]);
    }
    // Regional services: only an unused-access analyzer in eu-west-1; GuardDuty suspended in
    // Sydney; a public, unencrypted, single-AZ reporting database next to an Aurora cluster; an
    // unencrypted EFS file system.
    if let Some(eu) = a.regional.get_mut("eu-west-1") {
        eu.access_analyzers = Some(Ok(vec![Analyzer {
            name: "unused-access".to_string(),
            arn: format!("arn:aws:access-analyzer:eu-west-1:{acct}:analyzer/unused-access"),
            kind: "ACCOUNT_UNUSED_ACCESS".to_string(),
            status: "ACTIVE".to_string(),
        }]));
        eu.efs = Some(Ok(vec![EfsFileSystem {
            id: "fs-0a1b2c3d4e5f60718".to_string(),
            arn: format!(
                "arn:aws:elasticfilesystem:eu-west-1:{acct}:file-system/fs-0a1b2c3d4e5f60718"
            ),
            name: Some("shared-home".to_string()),
            encrypted: false,
            kms_key_id: None,
        }]));
    }
    if let Some(ap) = a.regional.get_mut("ap-southeast-2") {
        ap.guardduty = Some(Ok(vec![GuardDutyDetector {
            id: "detector-ap-southeast-2".to_string(),
            status: Ok("DISABLED".to_string()),
        }]));
    }
    if let Some(us) = a.regional.get_mut("us-east-1") {
        let instance = |id: &str, engine: &str, cluster: Option<&str>| DbInstance {
            id: id.to_string(),
            arn: format!("arn:aws:rds:us-east-1:{acct}:db:{id}"),
            engine: engine.to_string(),
            storage_encrypted: true,
            auto_minor_version_upgrade: true,
            publicly_accessible: false,
            multi_az: false,
            cluster_id: cluster.map(str::to_string),
        };
        let mut reports = instance("legacy-reports", "mysql", None);
        reports.storage_encrypted = false;
        reports.auto_minor_version_upgrade = false;
        reports.publicly_accessible = true;
        us.rds = Some(RdsEvidence {
            instances: Ok(vec![
                instance("orders-1", "aurora-postgresql", Some("orders")),
                instance("orders-2", "aurora-postgresql", Some("orders")),
                reports,
            ]),
            clusters: Ok(vec![DbCluster {
                id: "orders".to_string(),
                arn: format!("arn:aws:rds:us-east-1:{acct}:cluster:orders"),
                engine: "aurora-postgresql".to_string(),
                storage_encrypted: true,
                multi_az: true,
            }]),
        });
        us.efs = Some(Ok(vec![EfsFileSystem {
            id: "fs-09f8e7d6c5b4a3921".to_string(),
            arn: format!(
                "arn:aws:elasticfilesystem:us-east-1:{acct}:file-system/fs-09f8e7d6c5b4a3921"
            ),
            name: Some("build-cache".to_string()),
            encrypted: true,
            kms_key_id: Some(format!(
                "arn:aws:kms:us-east-1:{acct}:key/1a2b3c4d-payments"
            )),
        }]));
    }
    // Web front-ends: a storefront ALB that logs, an internal API ALB that does not, and a
    // CloudFront distribution with standard logging.
    if let Some(us) = a.regional.get_mut("us-east-1") {
        let alb = |name: &str, id: &str, scheme: &str, bucket: Option<&str>| LoadBalancer {
            arn: format!(
                "arn:aws:elasticloadbalancing:us-east-1:{acct}:loadbalancer/app/{name}/{id}"
            ),
            name: name.to_string(),
            kind: "application".to_string(),
            scheme: scheme.to_string(),
            access_logs: Ok(bucket.map(str::to_string)),
        };
        us.load_balancers = Some(Ok(vec![
            alb(
                "storefront",
                "50dc6c495c0c9188",
                "internet-facing",
                Some("acme-elb-logs"),
            ),
            alb("internal-api", "7a3e9b1f2c4d6e80", "internal", None),
        ]));
    }
    a.cloudfront = Some(Ok(vec![Distribution {
        id: "E2QWRUHEXAMPLE".to_string(),
        arn: format!("arn:aws:cloudfront::{acct}:distribution/E2QWRUHEXAMPLE"),
        domain_name: "d111111abcdef8.cloudfront.net".to_string(),
        logging_bucket: Ok(Some("acme-cf-logs.s3.amazonaws.com".to_string())),
    }]));
    // A queue anyone may send to, and a peering route wider than the peer VPC.
    if let Some(rp) = a
        .regional
        .get_mut("us-east-1")
        .and_then(|r| r.resource_policies.as_mut())
    {
        rp.sqs_queues = Ok(vec![PolicyHolder {
            arn: format!("arn:aws:sqs:us-east-1:{acct}:order-events"),
            name: "order-events".to_string(),
            policy: Ok(Some(r#"{"Version":"2012-10-17","Statement":[{"Sid":"AnyoneCanSend","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:order-events"}]}"#.to_string())),
        }]);
    }
    if let Some(eu) = a.regional.get_mut("eu-west-1") {
        eu.peering = Some(PeeringEvidence {
            routes: Ok(vec![PeeringRoute {
                route_table_id: "rtb-0shared".to_string(),
                vpc_id: "vpc-eu-west-1".to_string(),
                destination: "10.0.0.0/8".to_string(),
                peering_connection_id: "pcx-0analytics".to_string(),
            }]),
            connections: Ok(vec![PeeringConnection {
                id: "pcx-0analytics".to_string(),
                status: "active".to_string(),
                requester_vpc_id: "vpc-eu-west-1".to_string(),
                requester_cidrs: vec!["172.31.0.0/16".to_string()],
                accepter_vpc_id: "vpc-0analytics".to_string(),
                accepter_cidrs: vec!["10.40.0.0/16".to_string()],
            }]),
        });
    }
    if let Some(us) = a.regional.get_mut("us-east-1") {
        us.kms = Ok(vec![
            customer_key(acct, "us-east-1", "1a2b3c4d-payments", true),
            customer_key(acct, "us-east-1", "9f8e7d6c-backups", false),
        ]);
    }
    // Monitoring: the CIS filters and alarms exist in us-east-1, but the network ones were never
    // added, the unauthorized-calls filter is narrower than CIS's, and the console-without-MFA
    // filter is written differently (and still covers CIS's pattern).
    install_cis_alarms(&mut a, "us-east-1");
    if let Some(Ok(filters)) = a
        .regional
        .get_mut("us-east-1")
        .map(|r| &mut r.metric_filters)
    {
        filters.retain(|f| {
            ![
                "monitoring_security_group_changes",
                "monitoring_nacl_changes",
                "monitoring_network_gateway_changes",
                "monitoring_route_table_changes",
                "monitoring_vpc_changes",
            ]
            .contains(&f.name.as_str())
        });
        for f in filters.iter_mut() {
            match f.name.as_str() {
                "monitoring_unauthorized_api_calls" => {
                    f.pattern = r#"{ $.errorCode = "AccessDenied" }"#.to_string()
                }
                "monitoring_console_signin_without_mfa" => {
                    f.pattern =
                        r#"{($.eventName=ConsoleLogin) && ($.additionalEventData.MFAUsed!=Yes)}"#
                            .to_string()
                }
                _ => {}
            }
        }
    }
    evidence_of(vec![a], now)
}

/// A large synthetic account for the benchmark: `users` IAM users, `buckets` buckets, `regions`
/// regions with a trail and keys in each.
pub fn synthetic_evidence(users: usize, buckets: usize, regions: usize) -> Evidence {
    let now = demo_collected_at();
    let acct = "999988887777";
    let region_names: Vec<String> = (0..regions).map(|i| format!("xx-region-{i}")).collect();
    let refs: Vec<&str> = region_names.iter().map(String::as_str).collect();
    let mut a = compliant_account(acct, &refs, now);
    let mut rows = vec![root_row(acct)];
    for i in 0..users {
        let mut row = user_row(acct, &format!("user-{i:05}"), now);
        row.mfa_active = i % 3 != 0;
        row.access_keys[0] = key(
            now - Duration::days((i % 200) as i64),
            Some(now - Duration::days((i % 60) as i64)),
        );
        if i % 7 == 0 {
            row.access_keys[1] = key(now - Duration::days(10), None);
        }
        rows.push(row);
    }
    a.iam.credential_report = Ok(CredentialReport {
        generated_at: now,
        rows,
    });
    let mut all = Vec::with_capacity(buckets);
    for i in 0..buckets {
        let mut b = bucket(&format!("bucket-{i:05}"), &region_names[i % regions.max(1)]);
        if i % 10 == 0 {
            b.logging = Ok(Some(LoggingTarget {
                target_bucket: format!("bucket-{:05}", (i + 1) % buckets),
                target_prefix: None,
            }));
        }
        if i % 4 == 0 {
            b.lifecycle = Ok(None);
        }
        all.push(b);
    }
    a.s3.buckets = Ok(all);
    let mut trails = BTreeMap::new();
    for (i, r) in region_names.iter().enumerate() {
        let mut t = trail(
            acct,
            &format!("trail-{i}"),
            r,
            &format!("bucket-{:05}", i % buckets.max(1)),
        );
        t.is_multi_region = i == 0;
        trails.insert(t.arn.clone(), t);
        if let Some(re) = a.regional.get_mut(r) {
            re.kms = Ok((0..20)
                .map(|k| customer_key(acct, r, &format!("key-{i}-{k}"), k % 2 == 0))
                .collect());
        }
    }
    a.cloudtrail.describe = region_names
        .iter()
        .map(|r| (r.clone(), Ok(trails.keys().cloned().collect())))
        .collect();
    a.cloudtrail.trails = trails;
    evidence_of(vec![a], now)
}
