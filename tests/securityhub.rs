//! Security Hub upload against the moto emulator: import, read back with GetFindings, archive
//! after a resource is gone, dry run, and another product's finding left alone.

use aws_config::SdkConfig;
use aws_sdk_securityhub::types::{AwsSecurityFinding, RecordState};
use aws_sdk_sts::types::Credentials as StsCredentials;

mod common;
use common::endpoint;

async fn member(account: &str) -> (SdkConfig, StsCredentials) {
    common::assume(account).await
}

fn scan(creds: &StsCredentials, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args([
            "scan",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            &endpoint(),
            "--upload-securityhub",
        ])
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("AWS_SESSION_TOKEN", &creds.session_token)
        .output()
        .unwrap()
}

async fn all_findings(client: &aws_sdk_securityhub::Client) -> Vec<AwsSecurityFinding> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_findings()
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        out.extend(page.findings().iter().cloned());
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

/// The SDK's finding type is large; debug builds need more than a test thread's default stack.
#[test]
fn upload_then_archive_what_was_fixed_and_leave_others_alone() {
    std::thread::Builder::new()
        .stack_size(32 * 1024 * 1024)
        .spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(Box::pin(upload_scenario()))
        })
        .unwrap()
        .join()
        .unwrap();
}

async fn upload_scenario() {
    let account = "250000000000";
    let (sdk, creds) = member(account).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    for user in ["alice", "bob"] {
        iam.create_user().user_name(user).send().await.unwrap();
        iam.create_access_key()
            .user_name(user)
            .send()
            .await
            .unwrap();
    }
    let hub = aws_sdk_securityhub::Client::new(&sdk);
    // Another product's finding, in the same account's default product.
    let other = AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id("other-tool/finding-1")
        .product_arn(format!(
            "arn:aws:securityhub:us-east-1:{account}:product/{account}/default"
        ))
        .generator_id("iam_user_single_active_key")
        .aws_account_id(account)
        .types("Software and Configuration Checks")
        .created_at("2026-01-01T00:00:00Z")
        .updated_at("2026-01-01T00:00:00Z")
        .severity(
            aws_sdk_securityhub::types::Severity::builder()
                .label(aws_sdk_securityhub::types::SeverityLabel::Low)
                .build(),
        )
        .title("not ours")
        .description("another tool")
        .resources(
            aws_sdk_securityhub::types::Resource::builder()
                .r#type("Other")
                .id("x")
                .build(),
        )
        .record_state(RecordState::Active)
        .build();
    hub.batch_import_findings()
        .findings(other)
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let asff = dir.path().join("asff.json");
    let out = scan(
        &creds,
        &["--format", "asff", "--output", asff.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    // ERROR findings (no root row in the emulator's credential report) make it exit 2.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let exported: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&asff).unwrap()).unwrap();
    assert!(
        stderr.contains(&format!("imported {} finding(s)", exported.len())),
        "{stderr}"
    );

    let ours = |all: &[AwsSecurityFinding]| -> Vec<AwsSecurityFinding> {
        all.iter()
            .filter(|f| f.id().is_some_and(|i| i.starts_with("warden/")))
            .cloned()
            .collect()
    };
    let first = all_findings(&hub).await;
    assert_eq!(ours(&first).len(), exported.len());
    assert!(ours(&first)
        .iter()
        .all(|f| f.record_state() == Some(&RecordState::Active)));

    // bob leaves: a dry run says what it would archive and changes nothing …
    iam.delete_access_key()
        .user_name("bob")
        .access_key_id(
            iam.list_access_keys()
                .user_name("bob")
                .send()
                .await
                .unwrap()
                .access_key_metadata()[0]
                .access_key_id()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("bob").send().await.unwrap();
    let dry = scan(
        &creds,
        &[
            "--dry-run",
            "--output",
            dir.path().join("dry.json").to_str().unwrap(),
        ],
    );
    let dry_err = String::from_utf8_lossy(&dry.stderr).to_string();
    assert!(
        dry_err.contains("would archive") && dry_err.contains("user/bob"),
        "{dry_err}"
    );
    let unchanged = all_findings(&hub).await;
    assert!(ours(&unchanged)
        .iter()
        .all(|f| f.record_state() == Some(&RecordState::Active)));

    // … and the real run archives bob's findings, and only those.
    let out = scan(
        &creds,
        &["--output", dir.path().join("second.json").to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("archived 0 earlier"), "{stderr}");
    let after = all_findings(&hub).await;
    let archived: Vec<&AwsSecurityFinding> = after
        .iter()
        .filter(|f| f.record_state() == Some(&RecordState::Archived))
        .collect();
    assert!(!archived.is_empty());
    for f in &archived {
        let resource = f.resources()[0].id().unwrap_or_default();
        assert!(
            resource.contains("user/bob"),
            "only bob's findings are archived: {resource}"
        );
    }
    let other = after
        .iter()
        .find(|f| f.id() == Some("other-tool/finding-1"))
        .unwrap();
    assert_eq!(
        other.record_state(),
        Some(&RecordState::Active),
        "another product's finding is untouched"
    );
    assert_eq!(other.title(), Some("not ours"));
}
