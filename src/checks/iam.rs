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
        ReportDate::Date(d) => d.format("%Y-%m-%d").to_string(),
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
    let active: Vec<usize> = (0..2).filter(|i| root.access_keys[*i].active).map(|i| i + 1).collect();
    let evidence = json!({
        "access_key_1_active": root.access_keys[0].active,
        "access_key_2_active": root.access_keys[1].active,
    });
    let outcome = if active.is_empty() {
        Outcome::pass(ctx.home(), ctx.account_resource(), "The root user has no active access keys.")
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
        Outcome::pass(ctx.home(), ctx.account_resource(), "MFA is active for the root user.")
    } else {
        Outcome::fail(ctx.home(), ctx.account_resource(), "MFA is not active for the root user.")
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
    let root_arn = format!("arn:{}:iam::{}:root", ctx.account.partition, ctx.account.account_id);
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
    vec![outcome.with_evidence(json!({ "mfa_active": true, "virtual_mfa_serial": virtual_root.map(|d| &d.serial_number) }))]
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
    let out: Vec<Outcome> = report.users().filter(|r| in_scope(r)).map(verdict).collect();
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
                Outcome::pass(ctx.home(), user_resource(row), format!("User {} has a console password and MFA.", row.user))
            } else {
                Outcome::fail(ctx.home(), user_resource(row), format!("User {} has a console password but no MFA.", row.user))
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
            if row.password_enabled == ReportFlag::True {
                let issued = match row.password_last_changed {
                    ReportDate::Date(_) => row.password_last_changed,
                    _ => row.user_creation_time,
                };
                if let Some((when, used)) = last_activity(&row.password_last_used, &issued) {
                    let days = days_between(when, ctx.now);
                    if days >= max_days {
                        stale.push(if used {
                            format!("console password last used {days} days ago")
                        } else {
                            format!("console password never used, set {days} days ago")
                        });
                    }
                }
            }
            for (i, key) in row.access_keys.iter().enumerate() {
                if !key.active {
                    continue;
                }
                if let Some((when, used)) = last_activity(&key.last_used_date, &key.last_rotated) {
                    let days = days_between(when, ctx.now);
                    if days >= max_days {
                        stale.push(if used {
                            format!("access key {} last used {days} days ago", i + 1)
                        } else {
                            format!("access key {} never used, created {days} days ago", i + 1)
                        });
                    }
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
            if stale.is_empty() {
                Outcome::pass(
                    ctx.home(),
                    user_resource(row),
                    format!("User {} has no enabled credential unused for {max_days} days or more.", row.user),
                )
            } else {
                Outcome::fail(
                    ctx.home(),
                    user_resource(row),
                    format!("User {}: {} (limit {max_days} days).", row.user, stale.join("; ")),
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
                        rotated.format("%Y-%m-%d")
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
                Outcome::fail(ctx.home(), user_resource(row), format!("User {} has {active} active access keys.", row.user))
            } else {
                Outcome::pass(ctx.home(), user_resource(row), format!("User {} has one active access key.", row.user))
            }
            .with_evidence(evidence)
        },
        "No IAM user has an active access key.",
    )
}
