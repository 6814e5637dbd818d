//! IAM collection: the credential report and account-wide IAM facts, with no per-user calls.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_iam::types::{EntityType, ReportStateType};
use aws_sdk_iam::Client;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::error::{classify_sdk_error, error_code, Scope};
use crate::evidence::{
    to_utc, AccessKeyInfo, AuthorizationDetails, CollectError, Collected, CredentialReport,
    CredentialReportRow, ErrorKind, IamEvidence, IamGroup, IamRole, IamUser, InlinePolicy,
    ManagedPolicy, PasswordPolicy, ReportDate, ReportFlag, ServerCertificate, VirtualMfaDevice,
};

pub async fn collect(client: &Client, scope: &Scope, report_wait: Duration) -> IamEvidence {
    let (credential_report, authorization_details, password_policy, account_summary, mfa, certs) = tokio::join!(
        credential_report(client, scope, report_wait),
        authorization_details(client, scope),
        password_policy(client, scope),
        account_summary(client, scope),
        virtual_mfa_devices(client, scope),
        server_certificates(client, scope),
    );
    IamEvidence {
        credential_report,
        authorization_details,
        password_policy,
        account_summary,
        virtual_mfa_devices: mfa,
        server_certificates: certs,
    }
}

/// Asks IAM to generate the report, polling with backoff until it is COMPLETE or `wait` passes.
async fn credential_report(
    client: &Client,
    scope: &Scope,
    wait: Duration,
) -> Collected<CredentialReport> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut delay = Duration::from_millis(250);
    loop {
        let generated = client
            .generate_credential_report()
            .send()
            .await
            .map_err(|e| classify_sdk_error(&e, "iam:GenerateCredentialReport", scope))?;
        if generated.state() == Some(&ReportStateType::Complete) {
            break;
        }
        if tokio::time::Instant::now() + delay > deadline {
            return Err(CollectError {
                kind: ErrorKind::Service {
                    code: "ReportNotReady".to_string(),
                },
                operation: "iam:GenerateCredentialReport".to_string(),
                region: scope.region.clone(),
                account: scope.account.clone(),
                message: format!(
                    "the credential report was still {} after {} s; retry the scan later",
                    generated.state().map(|s| s.as_str()).unwrap_or("not ready"),
                    wait.as_secs()
                ),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
    let report = client
        .get_credential_report()
        .send()
        .await
        .map_err(|e| classify_sdk_error(&e, "iam:GetCredentialReport", scope))?;
    let generated_at = report
        .generated_time()
        .and_then(to_utc)
        .unwrap_or_else(Utc::now);
    let content = report.content().map(|b| b.as_ref()).unwrap_or_default();
    let text =
        std::str::from_utf8(content).map_err(|e| malformed(scope, format!("not UTF-8: {e}")))?;
    parse_credential_report(text, generated_at).map_err(|m| malformed(scope, m))
}

fn malformed(scope: &Scope, message: String) -> CollectError {
    CollectError {
        kind: ErrorKind::Service {
            code: "MalformedCredentialReport".to_string(),
        },
        operation: "iam:GetCredentialReport".to_string(),
        region: scope.region.clone(),
        account: scope.account.clone(),
        message,
    }
}

const REPORT_COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// Parses the credential report CSV. Every row must have every column; a short (truncated) row
/// or an unreadable value is an error that names the line and column.
pub fn parse_credential_report(
    text: &str,
    generated_at: DateTime<Utc>,
) -> Result<CredentialReport, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    let mut index = BTreeMap::new();
    for col in REPORT_COLUMNS {
        let i = headers
            .iter()
            .position(|h| h == col)
            .ok_or_else(|| format!("the header row has no '{col}' column"))?;
        index.insert(col, i);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => format!("line {}: {e}", p.line()),
            None => e.to_string(),
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |col: &str| record.get(index[col]).unwrap_or("");
        let date = |col: &str| {
            parse_report_date(field(col)).map_err(|e| format!("line {line}, column {col}: {e}"))
        };
        let flag = |col: &str| {
            parse_flag(field(col)).map_err(|e| format!("line {line}, column {col}: {e}"))
        };
        let bool_of = |col: &str| flag(col).map(ReportFlag::is_true);
        let optional = |col: &str| match field(col) {
            "" | "N/A" => None,
            v => Some(v.to_string()),
        };
        let key = |n: u8| -> Result<AccessKeyInfo, String> {
            Ok(AccessKeyInfo {
                active: bool_of(&format!("access_key_{n}_active"))?,
                last_rotated: date(&format!("access_key_{n}_last_rotated"))?,
                last_used_date: date(&format!("access_key_{n}_last_used_date"))?,
                last_used_region: optional(&format!("access_key_{n}_last_used_region")),
                last_used_service: optional(&format!("access_key_{n}_last_used_service")),
            })
        };
        rows.push(CredentialReportRow {
            user: field("user").to_string(),
            arn: field("arn").to_string(),
            user_creation_time: date("user_creation_time")?,
            password_enabled: flag("password_enabled")?,
            password_last_used: date("password_last_used")?,
            password_last_changed: date("password_last_changed")?,
            mfa_active: bool_of("mfa_active")?,
            access_keys: [key(1)?, key(2)?],
            cert_active: [bool_of("cert_1_active")?, bool_of("cert_2_active")?],
        });
    }
    Ok(CredentialReport { generated_at, rows })
}

fn parse_flag(value: &str) -> Result<ReportFlag, String> {
    match value {
        "true" | "TRUE" | "True" => Ok(ReportFlag::True),
        "false" | "FALSE" | "False" => Ok(ReportFlag::False),
        "not_supported" => Ok(ReportFlag::NotSupported),
        other => Err(format!(
            "expected true, false or not_supported, found '{other}'"
        )),
    }
}

fn parse_report_date(value: &str) -> Result<ReportDate, String> {
    match value {
        "N/A" => Ok(ReportDate::NotApplicable),
        "no_information" => Ok(ReportDate::NoInformation),
        "not_supported" => Ok(ReportDate::NotSupported),
        v => {
            if let Ok(d) = DateTime::parse_from_rfc3339(v) {
                return Ok(ReportDate::Date(d.with_timezone(&Utc)));
            }
            // Some writers drop the offset; the report is in UTC.
            for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
                if let Ok(n) = NaiveDateTime::parse_from_str(v, fmt) {
                    return Ok(ReportDate::Date(n.and_utc()));
                }
            }
            Err(format!(
                "expected an ISO 8601 date, N/A, no_information or not_supported, found '{v}'"
            ))
        }
    }
}

/// Real AWS URL-encodes policy documents; the emulator returns plain JSON. Accept both.
pub fn decode_policy_document(doc: &str) -> String {
    if doc.trim_start().starts_with('{') {
        return doc.to_string();
    }
    percent_encoding::percent_decode_str(doc)
        .decode_utf8()
        .map(|s| s.into_owned())
        .unwrap_or_else(|_| doc.to_string())
}

fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Vec<InlinePolicy> {
    list.iter()
        .map(|p| InlinePolicy {
            name: p.policy_name().unwrap_or_default().to_string(),
            document: decode_policy_document(p.policy_document().unwrap_or_default()),
        })
        .collect()
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<String> {
    list.iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

async fn authorization_details(client: &Client, scope: &Scope) -> Collected<AuthorizationDetails> {
    let pages = client
        .get_account_authorization_details()
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "iam:GetAccountAuthorizationDetails", scope))?;
    let mut out = AuthorizationDetails::default();
    for page in pages {
        for u in page.user_detail_list() {
            out.users.push(IamUser {
                name: u.user_name().unwrap_or_default().to_string(),
                arn: u.arn().unwrap_or_default().to_string(),
                create_date: u.create_date().and_then(to_utc),
                attached_policy_arns: attached(u.attached_managed_policies()),
                inline_policies: inline(u.user_policy_list()),
                groups: u.group_list().to_vec(),
            });
        }
        for g in page.group_detail_list() {
            out.groups.push(IamGroup {
                name: g.group_name().unwrap_or_default().to_string(),
                arn: g.arn().unwrap_or_default().to_string(),
                attached_policy_arns: attached(g.attached_managed_policies()),
                inline_policies: inline(g.group_policy_list()),
            });
        }
        for r in page.role_detail_list() {
            out.roles.push(IamRole {
                name: r.role_name().unwrap_or_default().to_string(),
                arn: r.arn().unwrap_or_default().to_string(),
                attached_policy_arns: attached(r.attached_managed_policies()),
                inline_policies: inline(r.role_policy_list()),
                assume_role_policy: r.assume_role_policy_document().map(decode_policy_document),
            });
        }
        for p in page.policies() {
            let default_document = p
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version())
                .and_then(|v| v.document())
                .map(decode_policy_document);
            out.policies.push(ManagedPolicy {
                name: p.policy_name().unwrap_or_default().to_string(),
                arn: p.arn().unwrap_or_default().to_string(),
                attachment_count: p.attachment_count().unwrap_or(0),
                default_document,
            });
        }
    }
    Ok(out)
}

async fn password_policy(client: &Client, scope: &Scope) -> Collected<Option<PasswordPolicy>> {
    match client.get_account_password_policy().send().await {
        Ok(out) => Ok(out.password_policy().map(|p| PasswordPolicy {
            minimum_password_length: p.minimum_password_length(),
            password_reuse_prevention: p.password_reuse_prevention(),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase_characters: p.require_uppercase_characters(),
            require_lowercase_characters: p.require_lowercase_characters(),
            max_password_age: p.max_password_age(),
            expire_passwords: p.expire_passwords(),
            allow_users_to_change_password: p.allow_users_to_change_password(),
            hard_expiry: p.hard_expiry(),
        })),
        // No policy is a fact about the account, not a failure.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_no_such_entity_exception())
                || error_code(&e) == Some("NoSuchEntity") =>
        {
            Ok(None)
        }
        Err(e) => Err(classify_sdk_error(
            &e,
            "iam:GetAccountPasswordPolicy",
            scope,
        )),
    }
}

async fn account_summary(client: &Client, scope: &Scope) -> Collected<BTreeMap<String, i64>> {
    let out = client
        .get_account_summary()
        .send()
        .await
        .map_err(|e| classify_sdk_error(&e, "iam:GetAccountSummary", scope))?;
    Ok(out
        .summary_map()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str().to_string(), i64::from(*v)))
                .collect()
        })
        .unwrap_or_default())
}

async fn virtual_mfa_devices(client: &Client, scope: &Scope) -> Collected<Vec<VirtualMfaDevice>> {
    let devices: Vec<_> = client
        .list_virtual_mfa_devices()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "iam:ListVirtualMFADevices", scope))?;
    Ok(devices
        .into_iter()
        .map(|d| VirtualMfaDevice {
            serial_number: d.serial_number().to_string(),
            user_arn: d.user().map(|u| u.arn().to_string()),
        })
        .collect())
}

async fn server_certificates(client: &Client, scope: &Scope) -> Collected<Vec<ServerCertificate>> {
    let certs: Vec<_> = client
        .list_server_certificates()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "iam:ListServerCertificates", scope))?;
    Ok(certs
        .into_iter()
        .map(|c| ServerCertificate {
            name: c.server_certificate_name().to_string(),
            arn: c.arn().to_string(),
            expiration: c.expiration().and_then(to_utc),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::{mocked_client, test_scope};
    use aws_sdk_iam::operation::get_account_password_policy::GetAccountPasswordPolicyError;
    use aws_sdk_iam::operation::get_account_summary::GetAccountSummaryError;
    use aws_sdk_iam::types::error::NoSuchEntityException;
    use aws_smithy_mocks::mock;
    use aws_smithy_types::error::ErrorMetadata;

    #[tokio::test]
    async fn no_password_policy_is_a_fact_and_denial_an_error() {
        let client = mocked_client!(
            aws_sdk_iam,
            mock!(aws_sdk_iam::Client::get_account_password_policy).then_error(|| {
                GetAccountPasswordPolicyError::NoSuchEntityException(
                    NoSuchEntityException::builder()
                        .message("no policy")
                        .build(),
                )
            }),
            mock!(aws_sdk_iam::Client::get_account_summary).then_error(|| {
                GetAccountSummaryError::generic(
                    ErrorMetadata::builder()
                        .code("Throttling")
                        .message("Rate exceeded")
                        .build(),
                )
            }),
        );
        let scope = test_scope();
        assert_eq!(password_policy(&client, &scope).await, Ok(None));
        let err = account_summary(&client, &scope).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Throttled);
        assert_eq!(err.operation, "iam:GetAccountSummary");
        let denied = mocked_client!(
            aws_sdk_iam,
            mock!(aws_sdk_iam::Client::get_account_password_policy).then_error(|| {
                GetAccountPasswordPolicyError::generic(
                    ErrorMetadata::builder()
                        .code("AccessDenied")
                        .message("not authorized")
                        .build(),
                )
            }),
        );
        let err = password_policy(&denied, &scope).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::AccessDenied);
        assert!(
            err.to_string().contains(
                "iam:GetAccountPasswordPolicy failed in us-east-1 for account 111122223333"
            ),
            "{err}"
        );
    }

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    fn now() -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn parses_root_and_users_keeping_sentinels_distinct() {
        let text = format!(
            "{HEADER}\n<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-10-30T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             alice,arn:aws:iam::111122223333:user/alice,2024-01-01T00:00:00+00:00,true,no_information,2024-01-01T00:00:00+00:00,N/A,false,true,2024-02-01T00:00:00+00:00,2026-10-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let report = parse_credential_report(&text, now()).unwrap();
        let root = report.root().unwrap();
        assert_eq!(root.password_enabled, ReportFlag::NotSupported);
        assert_eq!(root.password_last_changed, ReportDate::NotSupported);
        assert!(root.mfa_active);
        let alice = report.users().next().unwrap();
        assert_eq!(alice.password_last_used, ReportDate::NoInformation);
        assert_eq!(alice.access_keys[1].last_rotated, ReportDate::NotApplicable);
        assert_eq!(
            alice.access_keys[0].last_used_service.as_deref(),
            Some("s3")
        );
        assert!(matches!(
            alice.access_keys[0].last_rotated,
            ReportDate::Date(_)
        ));
    }

    #[test]
    fn truncated_row_is_an_error_naming_the_line() {
        let text = format!(
            "{HEADER}\nalice,arn:aws:iam::1:user/alice,2024-01-01T00:00:00+00:00,true,N/A\n"
        );
        let err = parse_credential_report(&text, now()).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn missing_column_is_named() {
        let err = parse_credential_report("user,arn\nx,y\n", now()).unwrap_err();
        assert!(err.contains("user_creation_time"), "{err}");
    }

    #[test]
    fn bad_date_names_line_and_column() {
        let text = format!(
            "{HEADER}\nbob,arn:aws:iam::1:user/bob,yesterday,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let err = parse_credential_report(&text, now()).unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("user_creation_time"),
            "{err}"
        );
    }

    #[test]
    fn policy_documents_decode_both_forms() {
        assert_eq!(decode_policy_document("{\"a\":1}"), "{\"a\":1}");
        assert_eq!(decode_policy_document("%7B%22a%22%3A1%7D"), "{\"a\":1}");
    }
}
