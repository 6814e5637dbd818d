//! IAM evidence: the credential report, authorization details, password policy, MFA devices.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Collected;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamEvidence {
    pub credential_report: Collected<CredentialReport>,
    pub authorization_details: Collected<AuthorizationDetails>,
    /// `None`: the account has no password policy (AWS answered `NoSuchEntity`).
    pub password_policy: Collected<Option<PasswordPolicy>>,
    /// `GetAccountSummary`'s map, e.g. `AccountMFAEnabled`, `AccountAccessKeysPresent`.
    pub account_summary: Collected<BTreeMap<String, i64>>,
    pub virtual_mfa_devices: Collected<Vec<VirtualMfaDevice>>,
    pub server_certificates: Collected<Vec<ServerCertificate>>,
}

/// A date column of the credential report, which also holds a few sentinel words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum ReportDate {
    Date(DateTime<Utc>),
    /// `N/A`: the thing does not exist (no password, no key).
    NotApplicable,
    /// `no_information`: it exists but AWS has no record of its use.
    NoInformation,
    /// `not_supported`: the field does not apply to this row (root's password dates).
    NotSupported,
}

impl ReportDate {
    pub fn date(&self) -> Option<DateTime<Utc>> {
        match self {
            ReportDate::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// A boolean column of the credential report; root's `password_enabled` is `not_supported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFlag {
    True,
    False,
    NotSupported,
}

impl ReportFlag {
    pub fn is_true(self) -> bool {
        self == ReportFlag::True
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessKeyInfo {
    pub active: bool,
    pub last_rotated: ReportDate,
    pub last_used_date: ReportDate,
    /// Region and service of the last use, when AWS reports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_service: Option<String>,
}

/// One row of the credential report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialReportRow {
    /// The user name; `<root_account>` for the root user.
    pub user: String,
    pub arn: String,
    pub user_creation_time: ReportDate,
    pub password_enabled: ReportFlag,
    pub password_last_used: ReportDate,
    pub password_last_changed: ReportDate,
    pub mfa_active: bool,
    /// Access keys 1 and 2, in report order.
    pub access_keys: [AccessKeyInfo; 2],
    /// Signing certificates 1 and 2: active?
    pub cert_active: [bool; 2],
}

impl CredentialReportRow {
    pub const ROOT_USER: &'static str = "<root_account>";

    pub fn is_root(&self) -> bool {
        self.user == Self::ROOT_USER
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialReport {
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<CredentialReportRow>,
}

impl CredentialReport {
    pub fn root(&self) -> Option<&CredentialReportRow> {
        self.rows.iter().find(|r| r.is_root())
    }

    pub fn users(&self) -> impl Iterator<Item = &CredentialReportRow> {
        self.rows.iter().filter(|r| !r.is_root())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_password_length: Option<i32>,
    pub password_reuse_prevention: Option<i32>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub max_password_age: Option<i32>,
    pub expire_passwords: bool,
    pub allow_users_to_change_password: bool,
    pub hard_expiry: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// The ARN of the user the device is assigned to; root's is `arn:aws:iam::<id>:root`.
    pub user_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerCertificate {
    pub name: String,
    pub arn: String,
    pub expiration: Option<DateTime<Utc>>,
}

/// A policy document attached inline or as a version of a managed policy, as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamUser {
    pub name: String,
    pub arn: String,
    pub create_date: Option<DateTime<Utc>>,
    pub attached_policy_arns: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamGroup {
    pub name: String,
    pub arn: String,
    pub attached_policy_arns: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamRole {
    pub name: String,
    pub arn: String,
    pub attached_policy_arns: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
    pub assume_role_policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub attachment_count: i32,
    /// The default version's document, JSON text (URL-decoded).
    pub default_document: Option<String>,
}

/// `GetAccountAuthorizationDetails`, paginated: every user, group, role and local policy in a
/// handful of calls, whatever the number of users.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationDetails {
    pub users: Vec<IamUser>,
    pub groups: Vec<IamGroup>,
    pub roles: Vec<IamRole>,
    pub policies: Vec<ManagedPolicy>,
}
