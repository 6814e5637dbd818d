//! IAM account hygiene from authorization details: permissions through groups only, a support
//! role, expired server certificates.

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::AuthorizationDetails;
use crate::model::Resource;

pub const SUPPORT_POLICY_SUFFIX: &str = ":iam::aws:policy/AWSSupportAccess";

fn details<'a>(ctx: &'a CheckContext) -> Result<&'a AuthorizationDetails, Vec<Outcome>> {
    ctx.account
        .iam
        .authorization_details
        .as_ref()
        .map_err(|e| vec![Outcome::error(ctx.home(), ctx.account_resource(), e)])
}

pub fn permissions_through_groups(ctx: &CheckContext) -> Vec<Outcome> {
    let details = match details(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    if details.users.is_empty() {
        return vec![Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "The account has no IAM users.",
        )];
    }
    details
        .users
        .iter()
        .map(|u| {
            let resource = Resource {
                kind: "AwsIamUser".to_string(),
                id: u.arn.clone(),
                name: u.name.clone(),
            };
            let inline: Vec<&str> = u.inline_policies.iter().map(|p| p.name.as_str()).collect();
            let evidence = json!({ "attached_policies": u.attached_policy_arns, "inline_policies": inline, "groups": u.groups });
            if u.attached_policy_arns.is_empty() && inline.is_empty() {
                Outcome::pass(ctx.home(), resource, format!("User {} has no policies of its own.", u.name))
            } else {
                let mut what = Vec::new();
                if !u.attached_policy_arns.is_empty() {
                    what.push(format!("attached {}", u.attached_policy_arns.join(", ")));
                }
                if !inline.is_empty() {
                    what.push(format!("inline {}", inline.join(", ")));
                }
                Outcome::fail(ctx.home(), resource, format!("User {} has policies of its own: {}.", u.name, what.join("; ")))
            }
            .with_evidence(evidence)
        })
        .collect()
}

pub fn support_role(ctx: &CheckContext) -> Vec<Outcome> {
    let details = match details(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let roles: Vec<&str> = details
        .roles
        .iter()
        .filter(|r| {
            r.attached_policy_arns
                .iter()
                .any(|a| a.ends_with(SUPPORT_POLICY_SUFFIX))
        })
        .map(|r| r.name.as_str())
        .collect();
    let outcome = if roles.is_empty() {
        Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            "No IAM role has the AWSSupportAccess policy attached.",
        )
    } else {
        Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            format!("Role {} has AWSSupportAccess.", roles.join(", ")),
        )
    };
    vec![outcome.with_evidence(json!({ "support_roles": roles }))]
}

pub fn expired_server_certificates(ctx: &CheckContext) -> Vec<Outcome> {
    let certs = match &ctx.account.iam.server_certificates {
        Ok(c) => c,
        Err(e) => return vec![Outcome::error(ctx.home(), ctx.account_resource(), e)],
    };
    if certs.is_empty() {
        return vec![Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "IAM stores no server certificates.",
        )];
    }
    certs
        .iter()
        .map(|c| {
            let resource = Resource {
                kind: "AwsIamServerCertificate".to_string(),
                id: c.arn.clone(),
                name: c.name.clone(),
            };
            match c.expiration {
                Some(exp) if exp <= ctx.now => Outcome::fail(
                    ctx.home(),
                    resource,
                    format!("Server certificate {} expired on {}; delete it.", c.name, exp.date_naive()),
                ),
                Some(exp) => Outcome::pass(ctx.home(), resource, format!("Server certificate {} is valid until {}.", c.name, exp.date_naive())),
                None => Outcome::new(
                    ctx.home(),
                    resource,
                    crate::model::Status::Error,
                    format!("could not evaluate: IAM reported no expiration date for server certificate {}.", c.name),
                ),
            }
        })
        .collect()
}

pub const ADMIN_POLICY_SUFFIX: &str = ":iam::aws:policy/AdministratorAccess";

/// True when a policy document allows every action on every resource (`"*"`, as a string or in
/// an array), and no Deny in the same document takes it back.
pub fn allows_full_admin(document: &str) -> bool {
    use serde_json::Value;
    let Ok(doc) = serde_json::from_str::<Value>(document) else {
        return false;
    };
    let has_star = |v: &Value| match v {
        Value::String(s) => s == "*" || s == "*:*",
        Value::Array(a) => a.iter().any(|x| x == "*" || x == "*:*"),
        _ => false,
    };
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => Vec::new(),
    };
    let full = |effect: &str| {
        statements
            .iter()
            .any(|s| s["Effect"] == effect && has_star(&s["Action"]) && has_star(&s["Resource"]))
    };
    full("Allow") && !full("Deny")
}

pub fn no_full_admin_policies(ctx: &CheckContext) -> Vec<Outcome> {
    let details = match details(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let mut out = Vec::new();
    for p in details.policies.iter().filter(|p| p.attachment_count > 0) {
        let resource = Resource {
            kind: "AwsIamPolicy".to_string(),
            id: p.arn.clone(),
            name: p.name.clone(),
        };
        let admin = p.default_document.as_deref().is_some_and(allows_full_admin);
        out.push(if admin {
            Outcome::fail(
                ctx.home(),
                resource,
                format!(
                    "Policy {} allows \"*:*\" and is attached {} time(s).",
                    p.name, p.attachment_count
                ),
            )
        } else {
            Outcome::pass(
                ctx.home(),
                resource,
                format!("Policy {} does not allow \"*:*\".", p.name),
            )
        });
    }
    // Principals with AdministratorAccess or an inline "*:*" policy.
    let principals = details
        .users
        .iter()
        .map(|u| {
            (
                "AwsIamUser",
                &u.arn,
                &u.name,
                &u.attached_policy_arns,
                &u.inline_policies,
            )
        })
        .chain(details.groups.iter().map(|g| {
            (
                "AwsIamGroup",
                &g.arn,
                &g.name,
                &g.attached_policy_arns,
                &g.inline_policies,
            )
        }))
        .chain(details.roles.iter().map(|r| {
            (
                "AwsIamRole",
                &r.arn,
                &r.name,
                &r.attached_policy_arns,
                &r.inline_policies,
            )
        }));
    for (kind, arn, name, attached, inline) in principals {
        let mut grants = Vec::new();
        if attached.iter().any(|a| a.ends_with(ADMIN_POLICY_SUFFIX)) {
            grants.push("AdministratorAccess attached".to_string());
        }
        grants.extend(
            inline
                .iter()
                .filter(|p| allows_full_admin(&p.document))
                .map(|p| format!("inline policy {} allows \"*:*\"", p.name)),
        );
        if !grants.is_empty() {
            let resource = Resource {
                kind: kind.to_string(),
                id: arn.clone(),
                name: name.clone(),
            };
            out.push(Outcome::fail(
                ctx.home(),
                resource,
                format!("{name}: {}.", grants.join("; ")),
            ));
        }
    }
    if out.is_empty() {
        out.push(Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            "No attached customer-managed policy, inline policy or AdministratorAccess attachment grants \"*:*\".",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use crate::checks::testing::run_check;
    use crate::evidence::{
        AccountEvidence, AuthorizationDetails, IamRole, IamUser, InlinePolicy, ServerCertificate,
    };
    use crate::model::Status;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    fn with_details(d: AuthorizationDetails) -> AccountEvidence {
        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.iam.authorization_details = Ok(d);
        a
    }

    fn user(name: &str, attached: &[&str], inline: &[&str]) -> IamUser {
        IamUser {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCT}:user/{name}"),
            create_date: None,
            attached_policy_arns: attached.iter().map(|s| s.to_string()).collect(),
            inline_policies: inline
                .iter()
                .map(|n| InlinePolicy {
                    name: n.to_string(),
                    document: "{}".into(),
                })
                .collect(),
            groups: vec!["devs".into()],
        }
    }

    fn statuses(check: &str, a: AccountEvidence) -> Vec<(String, Status)> {
        run_check(check, a, &[], now())
            .into_iter()
            .map(|f| (f.resource.name, f.status))
            .collect()
    }

    #[test]
    fn users_get_permissions_only_through_groups() {
        let d = AuthorizationDetails {
            users: vec![
                user("grouped", &[], &[]),
                user("direct", &["arn:aws:iam::aws:policy/ReadOnlyAccess"], &[]),
                user("inline", &[], &["adhoc"]),
            ],
            ..Default::default()
        };
        let s = statuses("iam_permissions_through_groups", with_details(d));
        assert_eq!(
            s,
            [
                ("grouped".into(), Status::Pass),
                ("direct".into(), Status::Fail),
                ("inline".into(), Status::Fail)
            ]
        );
        assert_eq!(
            statuses(
                "iam_permissions_through_groups",
                with_details(AuthorizationDetails::default())
            )[0]
            .1,
            Status::NotApplicable
        );
        let mut denied_a = compliant_account(ACCT, &["us-east-1"], now());
        denied_a.iam.authorization_details = Err(denied(
            "iam:GetAccountAuthorizationDetails",
            "us-east-1",
            ACCT,
        ));
        assert_eq!(
            statuses("iam_permissions_through_groups", denied_a)[0].1,
            Status::Error
        );
    }

    #[test]
    fn full_admin_policies_are_found_wherever_they_are_attached() {
        use crate::evidence::ManagedPolicy;
        assert!(super::allows_full_admin(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#
        ));
        assert!(super::allows_full_admin(
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","*"],"Resource":["*"]}]}"#
        ));
        assert!(!super::allows_full_admin(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        ));
        assert!(!super::allows_full_admin(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}]}"#
        ));
        assert!(!super::allows_full_admin(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#
        ));
        let policy = |name: &str, count: i32, doc: &str| ManagedPolicy {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCT}:policy/{name}"),
            attachment_count: count,
            default_document: Some(doc.into()),
        };
        let admin = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        let d = AuthorizationDetails {
            policies: vec![
                policy("god", 1, admin),
                policy("unused-god", 0, admin),
                policy(
                    "reader",
                    2,
                    r#"{"Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#,
                ),
            ],
            users: vec![user(
                "ops",
                &["arn:aws:iam::aws:policy/AdministratorAccess"],
                &[],
            )],
            ..Default::default()
        };
        let s = statuses("iam_no_full_admin_policies", with_details(d));
        assert!(s.contains(&("god".into(), Status::Fail)), "{s:?}");
        assert!(s.contains(&("reader".into(), Status::Pass)), "{s:?}");
        assert!(s.contains(&("ops".into(), Status::Fail)), "{s:?}");
        assert!(
            !s.iter().any(|(n, _)| n == "unused-god"),
            "unattached policies are out of scope"
        );
        assert_eq!(
            statuses(
                "iam_no_full_admin_policies",
                with_details(AuthorizationDetails::default())
            )[0]
            .1,
            Status::Pass
        );
        let mut denied_a = compliant_account(ACCT, &["us-east-1"], now());
        denied_a.iam.authorization_details = Err(denied(
            "iam:GetAccountAuthorizationDetails",
            "us-east-1",
            ACCT,
        ));
        assert_eq!(
            statuses("iam_no_full_admin_policies", denied_a)[0].1,
            Status::Error
        );
        // No NOT_APPLICABLE: an account without policies is a PASS, judged on what IAM listed.
    }

    #[test]
    fn a_support_role_exists() {
        let role = |name: &str, policy: &str| IamRole {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCT}:role/{name}"),
            attached_policy_arns: vec![policy.into()],
            inline_policies: vec![],
            assume_role_policy: None,
        };
        let with = AuthorizationDetails {
            roles: vec![role("support", "arn:aws:iam::aws:policy/AWSSupportAccess")],
            ..Default::default()
        };
        assert_eq!(
            statuses("iam_support_role", with_details(with))[0].1,
            Status::Pass
        );
        let without = AuthorizationDetails {
            roles: vec![role("app", "arn:aws:iam::aws:policy/ReadOnlyAccess")],
            ..Default::default()
        };
        assert_eq!(
            statuses("iam_support_role", with_details(without))[0].1,
            Status::Fail
        );
        let mut denied_a = compliant_account(ACCT, &["us-east-1"], now());
        denied_a.iam.authorization_details = Err(denied(
            "iam:GetAccountAuthorizationDetails",
            "us-east-1",
            ACCT,
        ));
        assert_eq!(statuses("iam_support_role", denied_a)[0].1, Status::Error);
        // No NOT_APPLICABLE: every account needs a way to reach AWS Support.
    }

    #[test]
    fn expired_server_certificates_are_flagged() {
        let cert = |name: &str, exp: Option<DateTime<Utc>>| ServerCertificate {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCT}:server-certificate/{name}"),
            expiration: exp,
        };
        let mut a = compliant_account(ACCT, &["us-east-1"], now());
        a.iam.server_certificates = Ok(vec![
            cert("old", Some(now() - Duration::days(1))),
            cert("new", Some(now() + Duration::days(30))),
            cert("odd", None),
        ]);
        assert_eq!(
            statuses("iam_expired_server_certificates", a),
            [
                ("old".into(), Status::Fail),
                ("new".into(), Status::Pass),
                ("odd".into(), Status::Error)
            ]
        );
        assert_eq!(
            statuses(
                "iam_expired_server_certificates",
                compliant_account(ACCT, &["us-east-1"], now())
            )[0]
            .1,
            Status::NotApplicable
        );
        let mut denied_a = compliant_account(ACCT, &["us-east-1"], now());
        denied_a.iam.server_certificates =
            Err(denied("iam:ListServerCertificates", "us-east-1", ACCT));
        assert_eq!(
            statuses("iam_expired_server_certificates", denied_a)[0].1,
            Status::Error
        );
    }
}
