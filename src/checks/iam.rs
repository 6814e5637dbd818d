//! IAM checks over the credential report, the password policy and MFA devices.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{days_between, CheckContext, Outcome};
use crate::evidence::{CredentialReport, CredentialReportRow, ReportDate, ReportFlag};
use crate::model::Resource;

/// The credential report, or the ERROR outcome that replaces every verdict based on it.
fn report<'a>(ctx: &'a CheckContext) -> Result<&'a CredentialReport, Vec<Outcome>> {
    ctx.account
        .iam
        .credential_report
        .as_ref()
        .map_err(|e| vec![Outcome::error(ctx.home(), ctx.account_resource(), e)])
}

/// The root row; its absence is an ERROR for root checks, never a pass.
fn root_row<'a>(ctx: &'a CheckContext) -> Result<&'a CredentialReportRow, Vec<Outcome>> {
    let report = report(ctx)?;
    report.root().ok_or_else(|| {
        vec![Outcome::new(
            ctx.home(),
            ctx.account_resource(),
            crate::model::Status::Error,
            "could not evaluate: the IAM credential report has no <root_account> row, so the root user's credentials are unknown",
        )]
    })
}

fn user_resource(row: &CredentialReportRow) -> Resource {
    Resource {
        kind: "AwsIamUser".to_string(),
        id: row.arn.clone(),
        name: row.user.clone(),
    }
}

fn date_text(d: &ReportDate) -> String {
    match d {
        ReportDate::Date(d) => d.date_naive().to_string(),
        ReportDate::NotApplicable => "N/A".to_string(),
        ReportDate::NoInformation => "no information".to_string(),
        ReportDate::NotSupported => "not supported".to_string(),
    }
}

pub fn root_no_access_keys(ctx: &CheckContext) -> Vec<Outcome> {
    let root = match root_row(ctx) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let active: Vec<usize> = (0..2)
        .filter(|i| root.access_keys[*i].active)
        .map(|i| i + 1)
        .collect();
    let evidence = json!({
        "access_key_1_active": root.access_keys[0].active,
        "access_key_2_active": root.access_keys[1].active,
    });
    let outcome = if active.is_empty() {
        Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            "The root user has no active access keys.",
        )
    } else {
        let keys: Vec<String> = active.iter().map(|i| format!("access key {i}")).collect();
        Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            format!("The root user has an active {}.", keys.join(" and ")),
        )
    };
    vec![outcome.with_evidence(evidence)]
}

pub fn root_mfa_enabled(ctx: &CheckContext) -> Vec<Outcome> {
    let root = match root_row(ctx) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let evidence = json!({ "mfa_active": root.mfa_active });
    let outcome = if root.mfa_active {
        Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            "MFA is active for the root user.",
        )
    } else {
        Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            "MFA is not active for the root user.",
        )
    };
    vec![outcome.with_evidence(evidence)]
}

pub fn root_hardware_mfa(ctx: &CheckContext) -> Vec<Outcome> {
    let root = match root_row(ctx) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if !root.mfa_active {
        return vec![Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            "The root user has no MFA at all, so no hardware MFA.",
        )
        .with_evidence(json!({ "mfa_active": false }))];
    }
    let devices = match &ctx.account.iam.virtual_mfa_devices {
        Ok(d) => d,
        Err(e) => return vec![Outcome::error(ctx.home(), ctx.account_resource(), e)],
    };
    let root_arn = format!(
        "arn:{}:iam::{}:root",
        ctx.account.partition, ctx.account.account_id
    );
    let virtual_root = devices
        .iter()
        .find(|d| d.user_arn.as_deref() == Some(root_arn.as_str()));
    let outcome = match virtual_root {
        Some(device) => Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            format!(
                "The root user's MFA is a virtual device ({}), not a hardware device.",
                device.serial_number
            ),
        ),
        None => Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            "The root user has MFA and no virtual MFA device is assigned to it: the device is hardware.",
        ),
    };
    vec![outcome.with_evidence(
        json!({ "mfa_active": true, "virtual_mfa_serial": virtual_root.map(|d| &d.serial_number) }),
    )]
}

pub fn root_not_used_recently(ctx: &CheckContext) -> Vec<Outcome> {
    let root = match root_row(ctx) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let max_days = ctx.param("max_days_since_root_use");
    let uses: Vec<(&str, DateTime<Utc>)> = [
        ("password", root.password_last_used.date()),
        ("access key 1", root.access_keys[0].last_used_date.date()),
        ("access key 2", root.access_keys[1].last_used_date.date()),
    ]
    .into_iter()
    .filter_map(|(what, d)| d.map(|d| (what, d)))
    .collect();
    let evidence = json!({
        "password_last_used": date_text(&root.password_last_used),
        "access_key_1_last_used_date": date_text(&root.access_keys[0].last_used_date),
        "access_key_2_last_used_date": date_text(&root.access_keys[1].last_used_date),
        "max_days_since_root_use": max_days,
    });
    let latest = uses.iter().max_by_key(|(_, d)| *d);
    let outcome = match latest {
        Some((what, when)) => {
            let days = days_between(*when, ctx.now);
            let detail = format!(
                "The root user's {what} was last used on {} ({days} days ago); the threshold is {max_days} days.",
                when.format("%Y-%m-%d %H:%M UTC")
            );
            if days < max_days {
                Outcome::fail(ctx.home(), ctx.account_resource(), detail)
            } else {
                Outcome::pass(ctx.home(), ctx.account_resource(), detail)
            }
        }
        None => Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            format!("The credential report records no use of the root user (threshold {max_days} days)."),
        ),
    };
    vec![outcome.with_evidence(evidence)]
}

/// Shared by the two password-policy checks: compare one numeric field with a minimum.
fn password_policy_minimum(
    ctx: &CheckContext,
    field: &str,
    value: impl Fn(&crate::evidence::PasswordPolicy) -> Option<i32>,
    param: &str,
    what: &str,
) -> Vec<Outcome> {
    let minimum = ctx.param(param);
    let policy = match &ctx.account.iam.password_policy {
        Ok(p) => p,
        Err(e) => return vec![Outcome::error(ctx.home(), ctx.account_resource(), e)],
    };
    let outcome = match policy {
        None => Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            format!("The account has no IAM password policy, so {what} is not enforced (required: at least {minimum})."),
        )
        .with_evidence(json!({ "password_policy": null })),
        Some(p) => {
            let actual = value(p);
            let detail = match actual {
                Some(v) => format!("The password policy sets {what} to {v}; required: at least {minimum}."),
                None => format!("The password policy does not set {what}; required: at least {minimum}."),
            };
            let ok = actual.is_some_and(|v| i64::from(v) >= minimum);
            let evidence = json!({ field: actual, "required_minimum": minimum });
            if ok {
                Outcome::pass(ctx.home(), ctx.account_resource(), detail).with_evidence(evidence)
            } else {
                Outcome::fail(ctx.home(), ctx.account_resource(), detail).with_evidence(evidence)
            }
        }
    };
    vec![outcome]
}

pub fn password_policy_min_length(ctx: &CheckContext) -> Vec<Outcome> {
    password_policy_minimum(
        ctx,
        "MinimumPasswordLength",
        |p| p.minimum_password_length,
        "min_length",
        "the minimum password length",
    )
}

pub fn password_policy_reuse_prevention(ctx: &CheckContext) -> Vec<Outcome> {
    password_policy_minimum(
        ctx,
        "PasswordReusePrevention",
        |p| p.password_reuse_prevention,
        "reuse_prevention",
        "password reuse prevention",
    )
}

/// Per-user outcomes over the report's non-root rows; NOT_APPLICABLE when none is in scope.
fn per_user(
    ctx: &CheckContext,
    in_scope: impl Fn(&CredentialReportRow) -> bool,
    verdict: impl Fn(&CredentialReportRow) -> Outcome,
    nothing_in_scope: &str,
) -> Vec<Outcome> {
    let report = match report(ctx) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let out: Vec<Outcome> = report
        .users()
        .filter(|r| in_scope(r))
        .map(verdict)
        .collect();
    if out.is_empty() {
        return vec![Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            nothing_in_scope,
        )];
    }
    out
}

pub fn user_console_mfa(ctx: &CheckContext) -> Vec<Outcome> {
    per_user(
        ctx,
        |row| row.password_enabled == ReportFlag::True,
        |row| {
            let evidence = json!({ "password_enabled": true, "mfa_active": row.mfa_active });
            if row.mfa_active {
                Outcome::pass(
                    ctx.home(),
                    user_resource(row),
                    format!("User {} has a console password and MFA.", row.user),
                )
            } else {
                Outcome::fail(
                    ctx.home(),
                    user_resource(row),
                    format!("User {} has a console password but no MFA.", row.user),
                )
            }
            .with_evidence(evidence)
        },
        "No IAM user has a console password.",
    )
}

/// When a credential was last used or, never used, when it was issued; `None` when unknown.
fn last_activity(used: &ReportDate, issued: &ReportDate) -> Option<(DateTime<Utc>, bool)> {
    match used {
        ReportDate::Date(d) => Some((*d, true)),
        _ => issued.date().map(|d| (d, false)),
    }
}

pub fn unused_credentials_disabled(ctx: &CheckContext) -> Vec<Outcome> {
    let max_days = ctx.param("max_unused_days");
    per_user(
        ctx,
        |_| true,
        |row| {
            let mut stale = Vec::new();
            // Enabled credentials whose age the report does not give: never assumed fresh.
            let mut unknown = Vec::new();
            if row.password_enabled == ReportFlag::True {
                let issued = match row.password_last_changed {
                    ReportDate::Date(_) => row.password_last_changed,
                    _ => row.user_creation_time,
                };
                match last_activity(&row.password_last_used, &issued) {
                    Some((when, used)) => {
                        let days = days_between(when, ctx.now);
                        if days >= max_days {
                            stale.push(if used {
                                format!("console password last used {days} days ago")
                            } else {
                                format!("console password never used, set {days} days ago")
                            });
                        }
                    }
                    None => unknown.push("the console password".to_string()),
                }
            }
            for (i, key) in row.access_keys.iter().enumerate() {
                if !key.active {
                    continue;
                }
                match last_activity(&key.last_used_date, &key.last_rotated) {
                    Some((when, used)) => {
                        let days = days_between(when, ctx.now);
                        if days >= max_days {
                            stale.push(if used {
                                format!("access key {} last used {days} days ago", i + 1)
                            } else {
                                format!("access key {} never used, created {days} days ago", i + 1)
                            });
                        }
                    }
                    None => unknown.push(format!("access key {}", i + 1)),
                }
            }
            let evidence = json!({
                "password_enabled": row.password_enabled,
                "password_last_used": date_text(&row.password_last_used),
                "password_last_changed": date_text(&row.password_last_changed),
                "access_key_1_active": row.access_keys[0].active,
                "access_key_1_last_used_date": date_text(&row.access_keys[0].last_used_date),
                "access_key_2_active": row.access_keys[1].active,
                "access_key_2_last_used_date": date_text(&row.access_keys[1].last_used_date),
                "max_unused_days": max_days,
            });
            if !stale.is_empty() {
                Outcome::fail(
                    ctx.home(),
                    user_resource(row),
                    format!("User {}: {} (limit {max_days} days).", row.user, stale.join("; ")),
                )
            } else if !unknown.is_empty() {
                Outcome::new(
                    ctx.home(),
                    user_resource(row),
                    crate::model::Status::Error,
                    format!(
                        "could not evaluate: user {} has {} enabled but the credential report gives no date of last use, rotation or creation for it.",
                        row.user,
                        unknown.join(" and ")
                    ),
                )
            } else {
                Outcome::pass(
                    ctx.home(),
                    user_resource(row),
                    format!("User {} has no enabled credential unused for {max_days} days or more.", row.user),
                )
            }
            .with_evidence(evidence)
        },
        "The account has no IAM users.",
    )
}

pub fn access_key_rotation(ctx: &CheckContext) -> Vec<Outcome> {
    let max_days = ctx.param("max_key_age_days");
    let report = match report(ctx) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut out = Vec::new();
    for row in report.users() {
        for (i, key) in row.access_keys.iter().enumerate().filter(|(_, k)| k.active) {
            let n = i + 1;
            let resource = Resource {
                kind: "AwsIamAccessKey".to_string(),
                id: format!("{}/access-key-{n}", row.arn),
                name: format!("{} access key {n}", row.user),
            };
            let evidence = json!({ "last_rotated": date_text(&key.last_rotated), "max_key_age_days": max_days });
            let outcome = match key.last_rotated.date() {
                Some(rotated) => {
                    let age = days_between(rotated, ctx.now);
                    let detail = format!(
                        "Access key {n} of user {} was created or rotated {age} days ago ({}); limit {max_days} days.",
                        row.user,
                        rotated.date_naive()
                    );
                    if age > max_days {
                        Outcome::fail(ctx.home(), resource, detail)
                    } else {
                        Outcome::pass(ctx.home(), resource, detail)
                    }
                }
                None => Outcome::new(
                    ctx.home(),
                    resource,
                    crate::model::Status::Error,
                    format!(
                        "could not evaluate: access key {n} of user {} is active but the credential report gives no rotation date ({}).",
                        row.user,
                        date_text(&key.last_rotated)
                    ),
                ),
            };
            out.push(outcome.with_evidence(evidence));
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No IAM user has an active access key.",
        ));
    }
    out
}

pub fn user_single_active_key(ctx: &CheckContext) -> Vec<Outcome> {
    per_user(
        ctx,
        |row| row.access_keys.iter().any(|k| k.active),
        |row| {
            let active = row.access_keys.iter().filter(|k| k.active).count();
            let evidence = json!({ "active_access_keys": active });
            if active > 1 {
                Outcome::fail(
                    ctx.home(),
                    user_resource(row),
                    format!("User {} has {active} active access keys.", row.user),
                )
            } else {
                Outcome::pass(
                    ctx.home(),
                    user_resource(row),
                    format!("User {} has one active access key.", row.user),
                )
            }
            .with_evidence(evidence)
        },
        "No IAM user has an active access key.",
    )
}

/// CIS v5.0.0 1.10 / v3.0.0 1.11: keys created with a console user and never used. The
/// credential report says `N/A` for the last use of a key that was never used.
pub fn no_unused_initial_access_keys(ctx: &CheckContext) -> Vec<Outcome> {
    per_user(
        ctx,
        |row| row.password_enabled == ReportFlag::True && row.access_keys.iter().any(|k| k.active),
        |row| {
            let never_used: Vec<String> = row
                .access_keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.active && k.last_used_date == ReportDate::NotApplicable)
                .map(|(i, k)| match k.last_rotated.date() {
                    Some(created) => {
                        format!("key {} (created {})", i + 1, created.format("%Y-%m-%d"))
                    }
                    None => format!("key {}", i + 1),
                })
                .collect();
            let evidence = json!({
                "password_enabled": true,
                "active_keys_never_used": never_used,
            });
            if never_used.is_empty() {
                Outcome::pass(
                    ctx.home(),
                    user_resource(row),
                    format!(
                        "User {} has a console password and every active access key has been used.",
                        row.user
                    ),
                )
            } else {
                Outcome::fail(
                    ctx.home(),
                    user_resource(row),
                    format!(
                        "User {} has a console password and an active access key that has never been used: {}.",
                        row.user,
                        never_used.join(", ")
                    ),
                )
            }
            .with_evidence(evidence)
        },
        "No IAM user with a console password has an active access key.",
    )
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{expect, one};
    use chrono::{DateTime, Duration, Utc};

    use crate::evidence::*;
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const ACCT: &str = "111122223333";
    const HOME: &str = "us-east-1";
    const ACCOUNT_ID: &str = "AWS::::Account:111122223333";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    fn ago(days: i64) -> DateTime<Utc> {
        now() - Duration::days(days)
    }

    fn account() -> AccountEvidence {
        compliant_account(ACCT, &["us-east-1", "eu-west-1"], now())
    }

    /// Runs one check, with `name=value` parameter overrides, on one account.
    fn run_with(check: &str, account: AccountEvidence, params: &[(&str, i64)]) -> Vec<Finding> {
        crate::checks::testing::run_check(check, account, params, now())
    }

    fn run(check: &str, account: AccountEvidence) -> Vec<Finding> {
        run_with(check, account, &[])
    }

    /// An account-wide finding in the home region.
    fn account_wide(findings: Vec<Finding>, status: Status, words: &[&str]) -> Finding {
        let f = one(findings, status, words);
        assert_eq!(f.region, HOME);
        assert_eq!(f.resource.id, ACCOUNT_ID);
        f
    }

    fn with_rows(rows: Vec<CredentialReportRow>) -> AccountEvidence {
        let mut a = account();
        a.iam.credential_report = Ok(CredentialReport {
            generated_at: now(),
            rows,
        });
        a
    }

    fn with_root(edit: impl FnOnce(&mut CredentialReportRow)) -> AccountEvidence {
        let mut root = root_row(ACCT);
        edit(&mut root);
        with_rows(vec![root, user_row(ACCT, "alice", now())])
    }

    fn with_user(edit: impl FnOnce(&mut CredentialReportRow)) -> AccountEvidence {
        let mut user = user_row(ACCT, "bob", now());
        edit(&mut user);
        with_rows(vec![root_row(ACCT), user])
    }

    fn report_denied() -> AccountEvidence {
        let mut a = account();
        a.iam.credential_report = Err(denied("iam:GetCredentialReport", HOME, ACCT));
        a
    }

    /// The report was read but has no `<root_account>` row.
    fn rootless() -> AccountEvidence {
        with_rows(vec![user_row(ACCT, "alice", now())])
    }

    fn user_arn(name: &str) -> String {
        format!("arn:aws:iam::{ACCT}:user/{name}")
    }

    const ROOT_CHECKS: [&str; 4] = [
        "iam_root_no_access_keys",
        "iam_root_mfa_enabled",
        "iam_root_hardware_mfa",
        "iam_root_not_used_recently",
    ];

    const USER_CHECKS: [&str; 4] = [
        "iam_user_console_mfa",
        "iam_unused_credentials_disabled",
        "iam_access_key_rotation",
        "iam_user_single_active_key",
    ];

    // ---- shared: ERROR paths of every credential-report check ----

    #[test]
    fn unreadable_credential_report_is_an_error_for_every_report_check() {
        for check in ROOT_CHECKS.iter().chain(&USER_CHECKS) {
            let f = account_wide(
                run(check, report_denied()),
                Status::Error,
                &[
                    "could not evaluate",
                    "iam:GetCredentialReport",
                    "access denied",
                ],
            );
            assert_eq!(f.evidence["kind"], "access_denied", "{check}");
        }
    }

    #[test]
    fn missing_root_row_is_an_error_never_a_pass() {
        for check in ROOT_CHECKS {
            account_wide(
                run(check, rootless()),
                Status::Error,
                &["<root_account>", "could not evaluate"],
            );
        }
    }

    #[test]
    fn root_checks_never_yield_not_applicable() {
        // Account-wide: the root user always exists, so even an account without IAM users gets
        // a verdict (PASS here), never NOT_APPLICABLE.
        let a = with_rows(vec![root_row(ACCT)]);
        for check in ROOT_CHECKS {
            account_wide(run(check, a.clone()), Status::Pass, &[]);
        }
    }

    // ---- iam_root_no_access_keys ----

    #[test]
    fn root_without_keys_passes() {
        account_wide(
            run("iam_root_no_access_keys", account()),
            Status::Pass,
            &["no active access keys"],
        );
    }

    #[test]
    fn root_with_an_active_key_fails_naming_it() {
        let a = with_root(|r| r.access_keys[1] = key(ago(400), None));
        let f = account_wide(
            run("iam_root_no_access_keys", a),
            Status::Fail,
            &["access key 2"],
        );
        assert!(!f.detail.contains("access key 1"), "{}", f.detail);
        let a = with_root(|r| r.access_keys = [key(ago(10), Some(ago(1))), key(ago(5), None)]);
        account_wide(
            run("iam_root_no_access_keys", a),
            Status::Fail,
            &["access key 1 and access key 2"],
        );
    }

    #[test]
    fn root_with_an_inactive_key_passes() {
        let a = with_root(|r| {
            r.access_keys[0] = key(ago(400), Some(ago(300)));
            r.access_keys[0].active = false;
        });
        account_wide(run("iam_root_no_access_keys", a), Status::Pass, &[]);
    }

    // ---- iam_root_mfa_enabled ----

    #[test]
    fn root_mfa_pass_and_fail() {
        account_wide(
            run("iam_root_mfa_enabled", account()),
            Status::Pass,
            &["MFA is active"],
        );
        let a = with_root(|r| r.mfa_active = false);
        account_wide(
            run("iam_root_mfa_enabled", a),
            Status::Fail,
            &["MFA is not active"],
        );
    }

    // ---- iam_root_hardware_mfa ----

    #[test]
    fn root_with_mfa_and_no_virtual_device_passes_as_hardware() {
        account_wide(
            run("iam_root_hardware_mfa", account()),
            Status::Pass,
            &["hardware"],
        );
    }

    #[test]
    fn root_with_a_virtual_device_fails_naming_the_serial() {
        let mut a = account();
        a.iam.virtual_mfa_devices = Ok(vec![VirtualMfaDevice {
            serial_number: format!("arn:aws:iam::{ACCT}:mfa/root-account-mfa-device"),
            user_arn: Some(format!("arn:aws:iam::{ACCT}:root")),
        }]);
        account_wide(
            run("iam_root_hardware_mfa", a),
            Status::Fail,
            &["virtual device", "root-account-mfa-device"],
        );
    }

    #[test]
    fn a_virtual_device_of_another_user_does_not_count_against_root() {
        let mut a = account();
        a.iam.virtual_mfa_devices = Ok(vec![VirtualMfaDevice {
            serial_number: format!("arn:aws:iam::{ACCT}:mfa/alice"),
            user_arn: Some(user_arn("alice")),
        }]);
        account_wide(run("iam_root_hardware_mfa", a), Status::Pass, &[]);
    }

    #[test]
    fn root_without_any_mfa_fails_hardware_mfa_even_if_devices_are_unreadable() {
        let mut a = with_root(|r| r.mfa_active = false);
        a.iam.virtual_mfa_devices = Err(denied("iam:ListVirtualMFADevices", HOME, ACCT));
        account_wide(
            run("iam_root_hardware_mfa", a),
            Status::Fail,
            &["no MFA at all"],
        );
    }

    #[test]
    fn unreadable_virtual_devices_is_an_error_when_root_has_mfa() {
        let mut a = account();
        a.iam.virtual_mfa_devices = Err(denied("iam:ListVirtualMFADevices", HOME, ACCT));
        account_wide(
            run("iam_root_hardware_mfa", a),
            Status::Error,
            &["iam:ListVirtualMFADevices", "access denied"],
        );
    }

    #[test]
    fn root_virtual_device_is_matched_in_the_accounts_partition() {
        let mut a = account();
        a.partition = "aws-us-gov".to_string();
        a.iam.virtual_mfa_devices = Ok(vec![VirtualMfaDevice {
            serial_number: format!("arn:aws-us-gov:iam::{ACCT}:mfa/root-account-mfa-device"),
            user_arn: Some(format!("arn:aws-us-gov:iam::{ACCT}:root")),
        }]);
        account_wide(
            run("iam_root_hardware_mfa", a),
            Status::Fail,
            &["virtual device"],
        );
    }

    // ---- iam_root_not_used_recently ----

    #[test]
    fn root_never_used_passes_with_sentinel_dates() {
        // The baseline root row: password_last_used `no_information`, keys `N/A`.
        let f = account_wide(
            run("iam_root_not_used_recently", account()),
            Status::Pass,
            &["records no use", "30 days"],
        );
        assert_eq!(f.evidence["password_last_used"], "no information");
        assert_eq!(f.evidence["access_key_1_last_used_date"], "N/A");
        // `not_supported` and `N/A` in the password column are no use either.
        for sentinel in [ReportDate::NotSupported, ReportDate::NotApplicable] {
            let a = with_root(|r| r.password_last_used = sentinel);
            account_wide(
                run("iam_root_not_used_recently", a),
                Status::Pass,
                &["records no use"],
            );
        }
    }

    #[test]
    fn root_password_used_recently_fails() {
        let a = with_root(|r| r.password_last_used = ReportDate::Date(ago(3)));
        account_wide(
            run("iam_root_not_used_recently", a),
            Status::Fail,
            &["password", "3 days ago", "threshold is 30 days"],
        );
    }

    #[test]
    fn root_access_key_used_recently_fails_and_the_latest_use_is_reported() {
        let a = with_root(|r| {
            r.password_last_used = ReportDate::Date(ago(200));
            r.access_keys[1] = key(ago(300), Some(ago(5)));
        });
        account_wide(
            run("iam_root_not_used_recently", a),
            Status::Fail,
            &["access key 2", "5 days ago"],
        );
    }

    #[test]
    fn root_use_at_the_threshold_boundary() {
        // Days are whole days rounded down; a use is recent while fewer than 30 whole days have
        // passed, so a use exactly 30 days ago (or more) is no longer recent.
        let case = |used: DateTime<Utc>| {
            let a = with_root(|r| r.password_last_used = ReportDate::Date(used));
            run("iam_root_not_used_recently", a)
        };
        account_wide(
            case(ago(30) + Duration::seconds(1)),
            Status::Fail,
            &["29 days ago"],
        );
        account_wide(case(ago(30)), Status::Pass, &["30 days ago"]);
        account_wide(
            case(ago(30) - Duration::hours(1)),
            Status::Pass,
            &["30 days ago"],
        );
        account_wide(case(ago(31)), Status::Pass, &["31 days ago"]);
    }

    #[test]
    fn root_use_threshold_can_be_overridden() {
        let a = with_root(|r| r.password_last_used = ReportDate::Date(ago(10)));
        account_wide(
            run("iam_root_not_used_recently", a.clone()),
            Status::Fail,
            &["10 days ago"],
        );
        let f = account_wide(
            run_with(
                "iam_root_not_used_recently",
                a.clone(),
                &[("max_days_since_root_use", 7)],
            ),
            Status::Pass,
            &["threshold is 7 days"],
        );
        assert_eq!(f.evidence["max_days_since_root_use"], 7);
        account_wide(
            run_with(
                "iam_root_not_used_recently",
                a,
                &[("max_days_since_root_use", 11)],
            ),
            Status::Fail,
            &["threshold is 11 days"],
        );
    }

    // ---- iam_password_policy_min_length / iam_password_policy_reuse_prevention ----

    fn with_policy(edit: impl FnOnce(&mut PasswordPolicy)) -> AccountEvidence {
        let mut a = account();
        let mut p = strong_password_policy();
        edit(&mut p);
        a.iam.password_policy = Ok(Some(p));
        a
    }

    #[test]
    fn min_length_pass_fail_and_boundary() {
        account_wide(
            run("iam_password_policy_min_length", account()),
            Status::Pass,
            &["14", "at least 14"],
        );
        let a = with_policy(|p| p.minimum_password_length = Some(13));
        account_wide(
            run("iam_password_policy_min_length", a),
            Status::Fail,
            &["to 13", "at least 14"],
        );
        let a = with_policy(|p| p.minimum_password_length = Some(8));
        account_wide(
            run("iam_password_policy_min_length", a),
            Status::Fail,
            &["to 8"],
        );
    }

    #[test]
    fn min_length_unset_or_no_policy_fails() {
        let a = with_policy(|p| p.minimum_password_length = None);
        account_wide(
            run("iam_password_policy_min_length", a),
            Status::Fail,
            &["does not set"],
        );
        let mut a = account();
        a.iam.password_policy = Ok(None);
        account_wide(
            run("iam_password_policy_min_length", a),
            Status::Fail,
            &["no IAM password policy"],
        );
    }

    #[test]
    fn min_length_parameter_override() {
        let a = with_policy(|p| p.minimum_password_length = Some(8));
        let f = account_wide(
            run_with("iam_password_policy_min_length", a, &[("min_length", 8)]),
            Status::Pass,
            &["at least 8"],
        );
        assert_eq!(f.evidence["required_minimum"], 8);
        account_wide(
            run_with(
                "iam_password_policy_min_length",
                account(),
                &[("min_length", 16)],
            ),
            Status::Fail,
            &["to 14", "at least 16"],
        );
    }

    #[test]
    fn reuse_prevention_pass_fail_and_boundary() {
        account_wide(
            run("iam_password_policy_reuse_prevention", account()),
            Status::Pass,
            &["24"],
        );
        let a = with_policy(|p| p.password_reuse_prevention = Some(23));
        account_wide(
            run("iam_password_policy_reuse_prevention", a),
            Status::Fail,
            &["to 23", "at least 24"],
        );
        let a = with_policy(|p| p.password_reuse_prevention = None);
        account_wide(
            run("iam_password_policy_reuse_prevention", a),
            Status::Fail,
            &["does not set"],
        );
        let mut a = account();
        a.iam.password_policy = Ok(None);
        account_wide(
            run("iam_password_policy_reuse_prevention", a),
            Status::Fail,
            &["no IAM password policy"],
        );
    }

    #[test]
    fn reuse_prevention_parameter_override() {
        let a = with_policy(|p| p.password_reuse_prevention = Some(5));
        account_wide(
            run_with(
                "iam_password_policy_reuse_prevention",
                a,
                &[("reuse_prevention", 5)],
            ),
            Status::Pass,
            &["at least 5"],
        );
    }

    #[test]
    fn unreadable_password_policy_is_an_error() {
        for check in [
            "iam_password_policy_min_length",
            "iam_password_policy_reuse_prevention",
        ] {
            let mut a = account();
            a.iam.password_policy = Err(denied("iam:GetAccountPasswordPolicy", HOME, ACCT));
            account_wide(
                run(check, a),
                Status::Error,
                &["iam:GetAccountPasswordPolicy", "access denied"],
            );
        }
    }

    #[test]
    fn password_policy_checks_never_yield_not_applicable() {
        // The policy is account-wide: even with no IAM user at all, a missing policy is a FAIL
        // (users can be created at any time), never NOT_APPLICABLE.
        for check in [
            "iam_password_policy_min_length",
            "iam_password_policy_reuse_prevention",
        ] {
            let mut a = with_rows(vec![root_row(ACCT)]);
            a.iam.password_policy = Ok(None);
            account_wide(run(check, a), Status::Fail, &["no IAM password policy"]);
        }
    }

    // ---- iam_user_console_mfa ----

    #[test]
    fn console_user_with_mfa_passes_and_without_fails() {
        let f = one(
            run("iam_user_console_mfa", account()),
            Status::Pass,
            &["alice", "MFA"],
        );
        assert_eq!(f.resource.id, user_arn("alice"));
        assert_eq!(f.region, HOME);
        let mut bob = user_row(ACCT, "bob", now());
        bob.mfa_active = false;
        let findings = run(
            "iam_user_console_mfa",
            with_rows(vec![root_row(ACCT), user_row(ACCT, "alice", now()), bob]),
        );
        assert_eq!(findings.len(), 2, "{findings:#?}");
        let bob = findings
            .iter()
            .find(|f| f.resource.id == user_arn("bob"))
            .unwrap();
        expect(bob, Status::Fail, &["bob", "no MFA"]);
    }

    #[test]
    fn console_mfa_ignores_root_and_users_without_password() {
        // Root without MFA is not a console user here; a key-only user has no password.
        let mut root = root_row(ACCT);
        root.mfa_active = false;
        let mut ci = user_row(ACCT, "ci", now());
        ci.password_enabled = ReportFlag::False;
        ci.password_last_used = ReportDate::NotApplicable;
        ci.password_last_changed = ReportDate::NotApplicable;
        ci.mfa_active = false;
        account_wide(
            run("iam_user_console_mfa", with_rows(vec![root, ci])),
            Status::NotApplicable,
            &["No IAM user has a console password"],
        );
    }

    // ---- iam_unused_credentials_disabled ----

    #[test]
    fn recently_used_credentials_pass() {
        let f = one(
            run("iam_unused_credentials_disabled", account()),
            Status::Pass,
            &["alice", "45 days"],
        );
        assert_eq!(f.resource.id, user_arn("alice"));
    }

    #[test]
    fn password_unused_for_the_limit_fails_one_day_less_passes() {
        let a = with_user(|u| u.password_last_used = ReportDate::Date(ago(45)));
        let f = one(
            run("iam_unused_credentials_disabled", a),
            Status::Fail,
            &["bob", "console password last used 45 days ago", "limit 45"],
        );
        assert_eq!(f.resource.id, user_arn("bob"));
        let a = with_user(|u| u.password_last_used = ReportDate::Date(ago(44)));
        one(run("iam_unused_credentials_disabled", a), Status::Pass, &[]);
    }

    #[test]
    fn password_never_used_is_aged_from_its_last_change() {
        // `no_information`: never used; the password's age counts from when it was set.
        let a = with_user(|u| {
            u.password_last_used = ReportDate::NoInformation;
            u.password_last_changed = ReportDate::Date(ago(50));
        });
        one(
            run("iam_unused_credentials_disabled", a),
            Status::Fail,
            &["never used, set 50 days ago"],
        );
        let a = with_user(|u| {
            u.password_last_used = ReportDate::NoInformation;
            u.password_last_changed = ReportDate::Date(ago(10));
        });
        one(run("iam_unused_credentials_disabled", a), Status::Pass, &[]);
    }

    #[test]
    fn password_without_a_change_date_is_aged_from_user_creation() {
        for sentinel in [
            ReportDate::NotApplicable,
            ReportDate::NotSupported,
            ReportDate::NoInformation,
        ] {
            let a = with_user(|u| {
                u.password_last_used = ReportDate::NoInformation;
                u.password_last_changed = sentinel;
                u.user_creation_time = ReportDate::Date(ago(400));
            });
            one(
                run("iam_unused_credentials_disabled", a),
                Status::Fail,
                &["never used, set 400 days ago"],
            );
        }
    }

    #[test]
    fn disabled_password_is_not_judged() {
        let a = with_user(|u| {
            u.password_enabled = ReportFlag::False;
            u.password_last_used = ReportDate::Date(ago(900));
        });
        one(run("iam_unused_credentials_disabled", a), Status::Pass, &[]);
    }

    #[test]
    fn stale_and_never_used_access_keys_fail() {
        let a = with_user(|u| u.access_keys[0] = key(ago(300), Some(ago(60))));
        one(
            run("iam_unused_credentials_disabled", a),
            Status::Fail,
            &["access key 1 last used 60 days ago"],
        );
        // `N/A` last use: never used, aged from creation.
        let a = with_user(|u| u.access_keys[1] = key(ago(100), None));
        let f = one(
            run("iam_unused_credentials_disabled", a),
            Status::Fail,
            &["access key 2 never used, created 100 days ago"],
        );
        assert_eq!(f.evidence["access_key_2_last_used_date"], "N/A");
        // An inactive key does not count, however old.
        let a = with_user(|u| {
            u.access_keys[0] = key(ago(300), Some(ago(200)));
            u.access_keys[0].active = false;
        });
        one(run("iam_unused_credentials_disabled", a), Status::Pass, &[]);
    }

    #[test]
    fn credential_with_no_usable_date_is_an_error_not_a_pass() {
        // An active key whose report columns hold only sentinels: its age is unknown.
        let a = with_user(|u| {
            u.access_keys[0] = key(ago(1), None);
            u.access_keys[0].last_rotated = ReportDate::NotApplicable;
            u.access_keys[0].last_used_date = ReportDate::NoInformation;
        });
        let f = one(
            run("iam_unused_credentials_disabled", a),
            Status::Error,
            &["could not evaluate", "bob", "access key 1"],
        );
        assert_eq!(f.resource.id, user_arn("bob"));
        // A password with no use, change or creation date.
        let a = with_user(|u| {
            u.password_last_used = ReportDate::NoInformation;
            u.password_last_changed = ReportDate::NotSupported;
            u.user_creation_time = ReportDate::NotSupported;
        });
        one(
            run("iam_unused_credentials_disabled", a),
            Status::Error,
            &["console password"],
        );
        // A known stale credential still makes it a FAIL.
        let a = with_user(|u| {
            u.password_last_used = ReportDate::Date(ago(100));
            u.access_keys[0] = key(ago(1), None);
            u.access_keys[0].last_rotated = ReportDate::NotApplicable;
        });
        one(
            run("iam_unused_credentials_disabled", a),
            Status::Fail,
            &["last used 100 days ago"],
        );
    }

    #[test]
    fn unused_limit_can_be_overridden() {
        let a = with_user(|u| u.password_last_used = ReportDate::Date(ago(60)));
        one(
            run("iam_unused_credentials_disabled", a.clone()),
            Status::Fail,
            &[],
        );
        one(
            run_with(
                "iam_unused_credentials_disabled",
                a,
                &[("max_unused_days", 90)],
            ),
            Status::Pass,
            &["90 days"],
        );
    }

    #[test]
    fn unused_credentials_not_applicable_without_users() {
        account_wide(
            run(
                "iam_unused_credentials_disabled",
                with_rows(vec![root_row(ACCT)]),
            ),
            Status::NotApplicable,
            &["no IAM users"],
        );
    }

    // ---- iam_access_key_rotation ----

    #[test]
    fn recently_rotated_key_passes_per_key() {
        let a = with_user(|u| u.access_keys[0] = key(ago(30), Some(ago(1))));
        let f = one(
            run("iam_access_key_rotation", a),
            Status::Pass,
            &["Access key 1 of user bob", "30 days ago", "limit 90"],
        );
        assert_eq!(f.resource.id, format!("{}/access-key-1", user_arn("bob")));
        assert_eq!(f.region, HOME);
    }

    #[test]
    fn key_rotation_boundary_and_override() {
        let a = with_user(|u| u.access_keys[1] = key(ago(90), None));
        let f = one(
            run("iam_access_key_rotation", a),
            Status::Pass,
            &["90 days ago"],
        );
        assert_eq!(f.resource.id, format!("{}/access-key-2", user_arn("bob")));
        let a = with_user(|u| u.access_keys[1] = key(ago(91), None));
        one(
            run("iam_access_key_rotation", a.clone()),
            Status::Fail,
            &["91 days ago", "limit 90"],
        );
        one(
            run_with("iam_access_key_rotation", a, &[("max_key_age_days", 120)]),
            Status::Pass,
            &["limit 120"],
        );
    }

    #[test]
    fn active_key_without_rotation_date_is_an_error() {
        for sentinel in [ReportDate::NotApplicable, ReportDate::NoInformation] {
            let a = with_user(|u| {
                u.access_keys[0] = key(ago(1), None);
                u.access_keys[0].last_rotated = sentinel;
            });
            let f = one(
                run("iam_access_key_rotation", a),
                Status::Error,
                &["could not evaluate", "no rotation date"],
            );
            assert_eq!(f.resource.id, format!("{}/access-key-1", user_arn("bob")));
        }
    }

    #[test]
    fn key_rotation_not_applicable_without_active_user_keys() {
        // Root's keys are judged by iam_root_no_access_keys; inactive keys are out of scope.
        let mut root = root_row(ACCT);
        root.access_keys[0] = key(ago(500), None);
        let mut bob = user_row(ACCT, "bob", now());
        bob.access_keys[0] = key(ago(500), None);
        bob.access_keys[0].active = false;
        account_wide(
            run("iam_access_key_rotation", with_rows(vec![root, bob])),
            Status::NotApplicable,
            &["No IAM user has an active access key"],
        );
    }

    // ---- iam_user_single_active_key ----

    #[test]
    fn single_active_key_pass_fail_and_not_applicable() {
        let a = with_user(|u| u.access_keys[0] = key(ago(10), Some(ago(1))));
        let f = one(
            run("iam_user_single_active_key", a),
            Status::Pass,
            &["bob", "one active access key"],
        );
        assert_eq!(f.resource.id, user_arn("bob"));
        let a = with_user(|u| u.access_keys = [key(ago(10), Some(ago(1))), key(ago(5), None)]);
        let f = one(
            run("iam_user_single_active_key", a),
            Status::Fail,
            &["bob", "2 active access keys"],
        );
        assert_eq!(f.evidence["active_access_keys"], 2);
        account_wide(
            run("iam_user_single_active_key", account()),
            Status::NotApplicable,
            &["No IAM user has an active access key"],
        );
    }

    // ---- iam_no_unused_initial_access_keys ----

    #[test]
    fn keys_never_used_by_console_users_fail() {
        const CHECK: &str = "iam_no_unused_initial_access_keys";
        let a = with_user(|u| u.access_keys[0] = key(ago(10), Some(ago(1))));
        one(run(CHECK, a), Status::Pass, &["bob", "has been used"]);
        let a = with_user(|u| u.access_keys = [key(ago(10), Some(ago(1))), key(ago(400), None)]);
        let f = one(
            run(CHECK, a),
            Status::Fail,
            &["bob", "never been used", "key 2"],
        );
        assert_eq!(
            f.evidence["active_keys_never_used"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        // An inactive unused key, or a user without a password, is out of scope.
        let a = with_user(|u| {
            u.access_keys[0] = key(ago(10), None);
            u.access_keys[0].active = false;
        });
        account_wide(run(CHECK, a), Status::NotApplicable, &["console password"]);
        let a = with_user(|u| {
            u.access_keys[0] = key(ago(10), None);
            u.password_enabled = ReportFlag::False;
        });
        account_wide(run(CHECK, a), Status::NotApplicable, &[]);
        let mut a = account();
        a.iam.credential_report = Err(denied("iam:GetCredentialReport", HOME, ACCT));
        account_wide(run(CHECK, a), Status::Error, &["iam:GetCredentialReport"]);
    }
}
