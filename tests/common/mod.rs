//! Shared by the emulator-backed tests: the loopback endpoint `scripts/test.sh` starts, and
//! credentials for an emulated account's own isolated state.

// Each test binary uses part of this module.
#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use aws_sdk_sts::types::Credentials as StsCredentials;

/// The emulator's address; tests never talk to anything but loopback.
pub fn endpoint() -> String {
    let url = std::env::var("WARDEN_TEST_ENDPOINT")
        .expect("WARDEN_TEST_ENDPOINT is not set: run the tests with scripts/test.sh, which starts the moto emulator");
    assert!(
        url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:"),
        "tests only ever talk to a loopback emulator, not {url}"
    );
    url
}

/// SDK config for the emulator with these credentials.
pub async fn config_for(creds: Credentials) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(creds)
        .load()
        .await
}

/// Credentials for `account` (AssumeRole into it: the emulator gives each account its own
/// state), as SDK config and as the raw credentials for a child process's environment.
pub async fn assume(account: &str) -> (SdkConfig, StsCredentials) {
    let base = config_for(Credentials::new("testing", "testing", None, None, "test")).await;
    let c = aws_sdk_sts::Client::new(&base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/warden-test"))
        .role_session_name("warden-test")
        .send()
        .await
        .expect("AssumeRole in the emulator")
        .credentials
        .expect("credentials");
    let sdk = config_for(Credentials::new(
        c.access_key_id.clone(),
        c.secret_access_key.clone(),
        Some(c.session_token.clone()),
        None,
        "assumed",
    ))
    .await;
    (sdk, c)
}
