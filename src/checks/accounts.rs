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
