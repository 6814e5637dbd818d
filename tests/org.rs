//! Organization scans against the moto emulator: an organization with members whose resources
//! differ, a member whose role cannot be assumed, and a suspended member.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use chrono::Utc;
use warden::checks::{Selection, ACCOUNT_SCAN_CHECK};
use warden::collect::org::{member_config, scan_org_using, OrgOptions};
use warden::collect::ScanOptions;
use warden::commands::{build_report, exit_code, CollectionFacts};
use warden::model::{Severity, Status};

mod common;
use common::endpoint;

async fn assumed(account: &str) -> SdkConfig {
    common::assume(account).await.0
}

/// Credentials that cannot be had, as when AssumeRole is denied.
#[derive(Debug)]
struct Denied;

impl ProvideCredentials for Denied {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
            "AccessDenied: not authorized to perform sts:AssumeRole on OrganizationAccountAccessRole",
        )))
    }
}

fn org_options() -> OrgOptions {
    OrgOptions {
        role: "OrganizationAccountAccessRole".into(),
        external_id: None,
        session_name: "warden".into(),
        session_duration: None,
        accounts: vec![],
        exclude_accounts: vec![],
        ous: vec![],
        shard: None,
        account_concurrency: 4,
    }
}

fn scan_options() -> ScanOptions {
    ScanOptions {
        profile: None,
        region: None,
        regions: Some(vec!["us-east-1".into()]),
        endpoint_url: Some(endpoint()),
        concurrency: 8,
        credential_report_wait: Duration::from_secs(30),
        progress: false,
        events: None,
        org: None,
    }
}

#[tokio::test]
async fn an_organization_scan_keeps_going_when_a_member_fails() {
    let management_id = "230000000000";
    let management = assumed(management_id).await;
    let orgs = aws_sdk_organizations::Client::new(&management);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let mut members = Vec::new();
    for name in ["prod", "dev", "broken", "retired"] {
        let created = orgs
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap();
        members.push(created.create_account_status.unwrap().account_id.unwrap());
    }
    let (prod, dev, broken, retired) = (&members[0], &members[1], &members[2], &members[3]);
    orgs.close_account()
        .account_id(retired)
        .send()
        .await
        .unwrap();

    // The members differ: prod has a strong password policy, dev has none.
    aws_sdk_iam::Client::new(&assumed(prod).await)
        .update_account_password_policy()
        .minimum_password_length(16)
        .password_reuse_prevention(24)
        .send()
        .await
        .unwrap();

    // prod is the GuardDuty delegated administrator. (The emulator's Organizations does not
    // accept Security Hub as a delegated service.)
    orgs.register_delegated_administrator()
        .account_id(prod)
        .service_principal("guardduty.amazonaws.com")
        .send()
        .await
        .unwrap();
    aws_sdk_guardduty::Client::new(&assumed(prod).await)
        .create_detector()
        .enable(true)
        .send()
        .await
        .unwrap();

    let base = management.clone();
    let broken_id = broken.clone();
    let org = org_options();
    let result = scan_org_using(base, &scan_options(), &org, |sdk, partition, account| {
        let (sdk, partition, account, broken) = (
            sdk.clone(),
            partition.to_string(),
            account.to_string(),
            broken_id.clone(),
        );
        let org = org_options();
        async move {
            if account == broken {
                sdk.to_builder()
                    .credentials_provider(SharedCredentialsProvider::new(Denied))
                    .build()
            } else {
                member_config(&sdk, &partition, &account, &org).await
            }
        }
    })
    .await
    .expect("the organization scan itself succeeds");

    let scanned: Vec<&str> = result
        .evidence
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert!(
        scanned.contains(&management_id)
            && scanned.contains(&prod.as_str())
            && scanned.contains(&dev.as_str()),
        "{scanned:?}"
    );
    assert!(!scanned.contains(&broken.as_str()) && !scanned.contains(&retired.as_str()));
    let unscanned = &result.evidence.unscanned;
    let failed = unscanned
        .iter()
        .find(|u| &u.account_id == broken)
        .expect("the broken member is listed");
    assert!(
        failed
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("AssumeRole"),
        "{failed:?}"
    );
    let skipped = unscanned
        .iter()
        .find(|u| &u.account_id == retired)
        .expect("the closed member is listed");
    assert!(
        skipped.error.is_none() && skipped.status != "ACTIVE",
        "{skipped:?}"
    );

    let report = build_report(
        &result.evidence,
        &Selection::default(),
        Utc::now(),
        CollectionFacts {
            api_calls: result.api_calls,
            collection_ms: 0,
        },
    );
    let access = report
        .findings
        .iter()
        .find(|f| f.check_id == ACCOUNT_SCAN_CHECK)
        .expect("an account-level ERROR");
    assert_eq!(
        (access.status, access.account_id.as_str()),
        (Status::Error, broken.as_str())
    );
    assert!(report
        .skipped_accounts
        .iter()
        .any(|s| &s.account_id == retired));
    assert_eq!(exit_code(&report, Severity::Informational), 2);
    let policy = |account: &str| {
        report
            .findings
            .iter()
            .find(|f| f.account_id == account && f.check_id == "iam_password_policy_min_length")
            .map(|f| f.status)
    };
    assert_eq!(policy(prod), Some(Status::Pass));
    assert_eq!(policy(dev), Some(Status::Fail));
    assert!(report
        .accounts
        .iter()
        .any(|a| &a.account_id == broken && a.counts.error == 1));

    // Organization-level checks: judged in the management account, not applicable in members.
    let finding = |account: &str, check: &str| {
        report
            .findings
            .iter()
            .find(|f| f.account_id == account && f.check_id == check)
            .unwrap_or_else(|| panic!("no {check} finding for {account}"))
    };
    assert_eq!(
        finding(management_id, "config_organization_aggregator").status,
        Status::Fail
    );
    assert_eq!(
        finding(prod, "config_organization_aggregator").status,
        Status::NotApplicable
    );
    assert_eq!(
        finding(prod, "cloudtrail_organization_trail").status,
        Status::Fail
    );
    assert_eq!(
        finding(prod, "guardduty_organization_admin").status,
        Status::NotApplicable
    );
    // The emulator does not implement GuardDuty's DescribeOrganizationConfiguration: the
    // management account's finding is an ERROR naming the call, never a guess.
    let guardduty = finding(management_id, "guardduty_organization_admin");
    assert_eq!(guardduty.status, Status::Error, "{guardduty:?}");
    assert!(
        guardduty.detail.contains("guardduty:"),
        "{}",
        guardduty.detail
    );
    let securityhub = finding(management_id, "securityhub_organization_admin");
    // The emulator's Organizations refuses Security Hub as a delegated service: ERROR, with why.
    assert_eq!(securityhub.status, Status::Error);
    assert!(
        securityhub
            .detail
            .contains("organizations:ListDelegatedAdministrators"),
        "{}",
        securityhub.detail
    );
}

/// The binary end to end: `scan --org` in two shards through the real AssumeRole path, then
/// `merge` joins them into the whole organization.
#[tokio::test]
async fn sharded_org_scans_merge_into_the_whole_organization() {
    let management_id = "240000000000";
    let (management, c) = common::assume(management_id).await;
    let orgs = aws_sdk_organizations::Client::new(&management);
    orgs.create_organization().send().await.unwrap();
    let mut ids = vec![management_id.to_string()];
    for name in ["a", "b", "c"] {
        let created = orgs
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap();
        ids.push(created.create_account_status.unwrap().account_id.unwrap());
    }
    ids.sort();

    let dir = tempfile::tempdir().unwrap();
    let run = |args: Vec<String>| {
        std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(args)
            .env("AWS_ACCESS_KEY_ID", &c.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &c.secret_access_key)
            .env("AWS_SESSION_TOKEN", &c.session_token)
            .output()
            .unwrap()
    };
    let mut shards = Vec::new();
    for k in 1..=2 {
        let path = dir.path().join(format!("shard-{k}.json"));
        let out = run(vec![
            "scan".into(),
            "--org".into(),
            "--regions".into(),
            "us-east-1".into(),
            "--endpoint-url".into(),
            endpoint(),
            "--shard".into(),
            format!("{k}/2"),
            "--output".into(),
            path.display().to_string(),
            "--quiet".into(),
        ]);
        // The emulator's credential report has no root row: ERROR findings, exit 2.
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        shards.push(path);
    }
    let merged = dir.path().join("merged.json");
    let out = run(vec![
        "merge".into(),
        shards[0].display().to_string(),
        shards[1].display().to_string(),
        "--output".into(),
        merged.display().to_string(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&merged).unwrap()).unwrap();
    let mut accounts: Vec<String> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap().to_string())
        .collect();
    accounts.sort();
    assert_eq!(
        accounts, ids,
        "every account exactly once across the shards"
    );
    let per_shard = |p: &std::path::Path| -> usize {
        let r: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        r["accounts"].as_array().unwrap().len()
    };
    assert_eq!(per_shard(&shards[0]) + per_shard(&shards[1]), ids.len());
}

#[tokio::test]
async fn an_ou_narrows_the_scan_to_the_accounts_under_it() {
    let management = assumed("280000000000").await;
    let orgs = aws_sdk_organizations::Client::new(&management);
    orgs.create_organization().send().await.unwrap();
    let root = orgs.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_string();
    let prod_ou = orgs
        .create_organizational_unit()
        .parent_id(&root)
        .name("prod")
        .send()
        .await
        .unwrap();
    let prod_ou = prod_ou
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let nested = orgs
        .create_organizational_unit()
        .parent_id(&prod_ou)
        .name("payments")
        .send()
        .await
        .unwrap();
    let nested = nested
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let mut ids = Vec::new();
    for name in ["inside", "nested", "outside"] {
        let created = orgs
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap();
        ids.push(created.create_account_status.unwrap().account_id.unwrap());
    }
    orgs.move_account()
        .account_id(&ids[0])
        .source_parent_id(&root)
        .destination_parent_id(&prod_ou)
        .send()
        .await
        .unwrap();
    orgs.move_account()
        .account_id(&ids[1])
        .source_parent_id(&root)
        .destination_parent_id(&nested)
        .send()
        .await
        .unwrap();

    let mut org = org_options();
    org.ous = vec![prod_ou];
    let result = scan_org_using(
        management.clone(),
        &scan_options(),
        &org,
        |sdk, partition, account| {
            let (sdk, partition, account) =
                (sdk.clone(), partition.to_string(), account.to_string());
            async move { member_config(&sdk, &partition, &account, &org_options()).await }
        },
    )
    .await
    .unwrap();
    let mut scanned: Vec<String> = result
        .evidence
        .accounts
        .iter()
        .map(|a| a.account_id.clone())
        .collect();
    scanned.sort();
    let mut expected = vec![ids[0].clone(), ids[1].clone()];
    expected.sort();
    assert_eq!(
        scanned, expected,
        "the OU and its child OU, not the root's other accounts"
    );
}
