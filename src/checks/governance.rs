//! Governance checks for CIS v7.0.0 recommendations the benchmark marks Manual but that AWS APIs
//! can evidence: centralized root access, delegated administrators for Organizations policies and
//! integrated services, account contacts, AWSCloudShellFullAccess attachments, resource policies
//! open to `Principal: "*"`, and VPC peering routes broader than the peer.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::{json, Value};

use super::resource_policy::open_statements;
use super::{CheckContext, Outcome};
use crate::evidence::{
    AccountContacts, CollectError, Collected, ErrorKind, OrgGovernance, OrganizationInfo,
    PeeringConnection, PeeringRoute, PolicyHolder,
};
use crate::model::{Resource, Status};

// ---------------------------------------------------------------------------------------------
// Organizations governance (management account only)
// ---------------------------------------------------------------------------------------------

/// The management account's organization and governance evidence, or the outcome that replaces
/// the verdict: NOT_APPLICABLE outside an organization or in a member account, ERROR when the
/// organization could not be read, not collected when the governance settings were not read.
fn management<'a>(
    ctx: &'a CheckContext,
) -> Result<(&'a OrganizationInfo, &'a OrgGovernance), Vec<Outcome>> {
    let org = super::org::organization(ctx)?;
    let home = ctx.home();
    if ctx.account.account_id != org.management_account_id {
        return Err(vec![Outcome::not_applicable(
            home,
            ctx.account_resource(),
            format!(
                "A member account of organization {}: this is evaluated in the management account {}.",
                org.id, org.management_account_id
            ),
        )]);
    }
    match &ctx.account.org_governance {
        None => Err(vec![Outcome::not_collected(
            home,
            ctx.account_resource(),
            "Organizations governance settings",
        )]),
        Some(g) => Ok((org, g)),
    }
}

/// CIS v7.0.0 2.1.2: service control policies are enabled and a customer-managed SCP is
/// attached somewhere. Whether they are the *right* guardrails is left to a person; the finding
/// lists them.
pub fn guardrails(ctx: &CheckContext) -> Vec<Outcome> {
    let (org, gov) = match management(ctx) {
        Ok(m) => m,
        Err(out) => return out,
    };
    let home = ctx.home();
    let g = match &gov.guardrails {
        None => {
            return vec![Outcome::not_collected(
                home,
                ctx.account_resource(),
                "service control policies",
            )]
        }
        Some(Err(e)) => return vec![Outcome::error(home, ctx.account_resource(), e)],
        Some(Ok(g)) => g,
    };
    let evidence = serde_json::to_value(g).unwrap_or(Value::Null);
    let enabled = |kind: &str| g.root_policy_types.get(kind).map(String::as_str) == Some("ENABLED");
    if !enabled("SERVICE_CONTROL_POLICY") {
        return vec![Outcome::fail(
            home,
            ctx.account_resource(),
            format!(
                "Service control policies are not enabled on the root of organization {}: no guardrail limits what member accounts can do.",
                org.id
            ),
        )
        .with_evidence(evidence)];
    }
    let scps: Vec<_> = g
        .policies
        .iter()
        .filter(|p| p.kind == "SERVICE_CONTROL_POLICY")
        .collect();
    let describe = |p: &crate::evidence::GuardrailPolicy| {
        let targets: Vec<String> = p
            .targets
            .iter()
            .map(|(kind, name)| format!("{} {name}", kind.to_lowercase().replace('_', " ")))
            .collect();
        format!("{} ({})", p.name, targets.join(", "))
    };
    let wide: Vec<String> = scps
        .iter()
        .filter(|p| {
            p.targets
                .iter()
                .any(|(k, _)| k == "ROOT" || k == "ORGANIZATIONAL_UNIT")
        })
        .map(|p| describe(p))
        .collect();
    let to_accounts: Vec<String> = scps
        .iter()
        .filter(|p| !p.targets.is_empty())
        .map(|p| describe(p))
        .collect();
    let rcps = if enabled("RESOURCE_CONTROL_POLICY") {
        "resource control policies are enabled"
    } else {
        "resource control policies are not enabled"
    };
    let outcome = if !wide.is_empty() {
        Outcome::pass(
            home,
            ctx.account_resource(),
            format!(
                "Service control policies guard organization {}: {}; {rcps}. Review that they are the guardrails you intend.",
                org.id,
                wide.join("; ")
            ),
        )
    } else if !to_accounts.is_empty() {
        Outcome::pass(
            home,
            ctx.account_resource(),
            format!(
                "Service control policies are attached only to individual accounts in organization {}: {}; {rcps}. Accounts added later are not covered: consider attaching them to OUs.",
                org.id,
                to_accounts.join("; ")
            ),
        )
    } else {
        let written: Vec<&str> = scps.iter().map(|p| p.name.as_str()).collect();
        Outcome::fail(
            home,
            ctx.account_resource(),
            if written.is_empty() {
                format!(
                    "Service control policies are enabled in organization {} but only AWS's FullAWSAccess is in use: no guardrail is attached.",
                    org.id
                )
            } else {
                format!(
                    "Customer service control policies exist in organization {} but are attached nowhere: {}.",
                    org.id,
                    written.join(", ")
                )
            },
        )
    };
    vec![outcome.with_evidence(evidence)]
}

pub const ROOT_FEATURES: [&str; 2] = ["RootCredentialsManagement", "RootSessions"];

pub fn centralized_root_access(ctx: &CheckContext) -> Vec<Outcome> {
    let (org, gov) = match management(ctx) {
        Ok(m) => m,
        Err(out) => return out,
    };
    let home = ctx.home();
    let features = match &gov.iam_root_features {
        Err(e) => return vec![Outcome::error(home, ctx.account_resource(), e)],
        Ok(f) => f,
    };
    let missing: Vec<&str> = ROOT_FEATURES
        .iter()
        .copied()
        .filter(|f| !features.iter().any(|have| have == f))
        .collect();
    let evidence = json!({ "organization": org.id, "enabled_features": features });
    let outcome = if missing.is_empty() {
        Outcome::pass(
            home,
            ctx.account_resource(),
            format!(
                "Centralized root access is enabled for organization {}: RootCredentialsManagement and RootSessions are both on.",
                org.id
            ),
        )
    } else {
        Outcome::fail(
            home,
            ctx.account_resource(),
            format!(
                "Centralized root access is incomplete in organization {}: {} not enabled.",
                org.id,
                missing.join(" and ")
            ),
        )
    };
    vec![outcome.with_evidence(evidence)]
}

/// The Organizations actions that let a delegated administrator manage policies.
pub const POLICY_WRITE_ACTIONS: [&str; 5] = [
    "organizations:CreatePolicy",
    "organizations:UpdatePolicy",
    "organizations:DeletePolicy",
    "organizations:AttachPolicy",
    "organizations:DetachPolicy",
];

/// Case-insensitive IAM wildcard match (`*` any run, `?` one character).
fn glob_match(pattern: &str, text: &str) -> bool {
    wildmatch::WildMatch::new_case_insensitive(pattern).matches(text)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// What an Organizations resource policy delegates: per Allow statement, its principals, the
/// policy-management write actions it grants and the other `organizations:` actions it names.
#[derive(Debug, Default, PartialEq)]
struct Delegation {
    write: Vec<(Vec<String>, Vec<String>)>,
    other: Vec<(Vec<String>, Vec<String>)>,
}

fn delegation(policy: &str) -> Result<Delegation, String> {
    let doc: Value =
        serde_json::from_str(policy).map_err(|e| format!("policy is not valid JSON: {e}"))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return Err("policy has no Statement object or array".to_string()),
    };
    let mut out = Delegation::default();
    for s in statements {
        if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let principals: Vec<String> = match s.get("Principal") {
            Some(Value::String(p)) => vec![p.clone()],
            Some(Value::Object(m)) => m.values().flat_map(strings).collect(),
            _ => Vec::new(),
        };
        if principals.is_empty() {
            continue;
        }
        let write: Vec<String> = if let Some(actions) = s.get("Action") {
            let actions = strings(actions);
            POLICY_WRITE_ACTIONS
                .iter()
                .filter(|w| actions.iter().any(|a| glob_match(a, w)))
                .map(|w| w.to_string())
                .collect()
        } else if let Some(not) = s.get("NotAction") {
            let not = strings(not);
            POLICY_WRITE_ACTIONS
                .iter()
                .filter(|w| !not.iter().any(|a| glob_match(a, w)))
                .map(|w| w.to_string())
                .collect()
        } else {
            Vec::new()
        };
        if write.is_empty() {
            let named: Vec<String> = s
                .get("Action")
                .map(strings)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| a.to_lowercase().starts_with("organizations:"))
                .collect();
            if !named.is_empty() {
                out.other.push((principals, named));
            }
        } else {
            out.write.push((principals, write));
        }
    }
    Ok(out)
}

fn describe(grants: &[(Vec<String>, Vec<String>)]) -> String {
    grants
        .iter()
        .map(|(p, a)| format!("{} ({})", p.join(", "), a.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn delegated_policy_admin(ctx: &CheckContext) -> Vec<Outcome> {
    let (org, gov) = match management(ctx) {
        Ok(m) => m,
        Err(out) => return out,
    };
    let home = ctx.home();
    let policy = match &gov.resource_policy {
        Err(e) => return vec![Outcome::error(home, ctx.account_resource(), e)],
        Ok(None) => {
            return vec![Outcome::fail(
                home,
                ctx.account_resource(),
                format!(
                    "Organization {} has no resource policy delegating policy management: only the management account can manage its policies.",
                    org.id
                ),
            )
            .with_evidence(json!({ "organization": org.id, "resource_policy": null }))]
        }
        Ok(Some(p)) => p,
    };
    let d = match delegation(policy) {
        Err(msg) => {
            return vec![Outcome::new(
                home,
                ctx.account_resource(),
                Status::Error,
                format!("could not evaluate: the resource policy of organization {} is not a policy document: {msg}", org.id),
            )
            .with_evidence(json!({ "resource_policy": policy }))]
        }
        Ok(d) => d,
    };
    let principals: Vec<&String> = d.write.iter().flat_map(|(p, _)| p).collect();
    let evidence = json!({ "organization": org.id, "delegated_principals": principals, "resource_policy": policy });
    let outcome = if !d.write.is_empty() {
        Outcome::pass(
            home,
            ctx.account_resource(),
            format!(
                "Organization {} delegates policy management: {}.",
                org.id,
                describe(&d.write)
            ),
        )
    } else if !d.other.is_empty() {
        Outcome::fail(
            home,
            ctx.account_resource(),
            format!(
                "The resource policy of organization {} grants only read or non-policy actions ({}): a read-only delegation does not let a delegated administrator manage policies.",
                org.id,
                describe(&d.other)
            ),
        )
    } else {
        Outcome::fail(
            home,
            ctx.account_resource(),
            format!(
                "The resource policy of organization {} allows no principal to create, update, delete, attach or detach policies.",
                org.id
            ),
        )
    };
    vec![outcome.with_evidence(evidence)]
}

/// Service principals of AWS services integrated with Organizations that support a delegated
/// administrator (AWS Organizations user guide, "AWS services that you can use with AWS
/// Organizations").
pub const DELEGABLE_SERVICES: [&str; 18] = [
    "access-analyzer.amazonaws.com",
    "account.amazonaws.com",
    "auditmanager.amazonaws.com",
    "backup.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "config.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "detective.amazonaws.com",
    "fms.amazonaws.com",
    "guardduty.amazonaws.com",
    "health.amazonaws.com",
    "inspector2.amazonaws.com",
    "ipam.amazonaws.com",
    "macie.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
    "securityhub.amazonaws.com",
    "securitylake.amazonaws.com",
    "sso.amazonaws.com",
];

pub fn delegated_service_admins(ctx: &CheckContext) -> Vec<Outcome> {
    let (org, gov) = match management(ctx) {
        Ok(m) => m,
        Err(out) => return out,
    };
    let home = ctx.home();
    let errors: Vec<Outcome> = [
        gov.service_access.as_ref().err(),
        gov.delegated_admins.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .map(|e| Outcome::error(home, ctx.account_resource(), e))
    .take(1)
    .collect();
    let (Ok(access), Ok(_)) = (&gov.service_access, &gov.delegated_admins) else {
        return errors;
    };
    let in_scope: Vec<&String> = access
        .iter()
        .filter(|s| DELEGABLE_SERVICES.contains(&s.as_str()))
        .collect();
    if in_scope.is_empty() {
        return vec![Outcome::not_applicable(
            home,
            ctx.account_resource(),
            format!(
                "No service that supports a delegated administrator has trusted access in organization {}.",
                org.id
            ),
        )
        .with_evidence(json!({ "trusted_access": access }))];
    }
    let mut with: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut without = Vec::new();
    for service in in_scope {
        let holders = gov.delegated_admins_of(service).unwrap_or_default();
        if holders.is_empty() {
            without.push(service.as_str());
        } else {
            with.insert(service.as_str(), holders);
        }
    }
    let listed = with
        .iter()
        .map(|(s, a)| format!("{s} → {}", a.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let evidence =
        json!({ "organization": org.id, "delegated": with, "without_delegated_admin": without });
    let outcome = if without.is_empty() {
        Outcome::pass(
            home,
            ctx.account_resource(),
            format!(
                "Every integrated service with trusted access in organization {} has a delegated administrator: {listed}.",
                org.id
            ),
        )
    } else {
        Outcome::fail(
            home,
            ctx.account_resource(),
            format!(
                "Services with trusted access in organization {} but no delegated administrator (their organization-wide administration stays with the management account): {}.",
                org.id,
                without.join(", ")
            ),
        )
    };
    vec![outcome.with_evidence(evidence)]
}

// ---------------------------------------------------------------------------------------------
// Account contacts
// ---------------------------------------------------------------------------------------------

/// ERROR for an unreadable contact, explaining the usual AccessDenied cause.
fn contact_error(ctx: &CheckContext, errors: &[&CollectError]) -> Outcome {
    let mut o = Outcome::error(ctx.home(), ctx.account_resource(), errors[0]);
    for e in &errors[1..] {
        o.detail.push_str(&format!("; {e}"));
    }
    if errors.iter().any(|e| e.kind == ErrorKind::AccessDenied) {
        o.detail.push_str(". Access denied: in an AWS Organizations member account the account-contact APIs may be refused unless trusted access for AWS Account Management is enabled in the organization (an SCP may also deny them)");
    }
    o.with_evidence(serde_json::to_value(errors).unwrap_or(Value::Null))
}

fn contacts<'a>(ctx: &'a CheckContext) -> Result<&'a AccountContacts, Vec<Outcome>> {
    ctx.account.contacts.as_ref().ok_or_else(|| {
        vec![Outcome::not_collected(
            ctx.home(),
            ctx.account_resource(),
            "account contacts",
        )]
    })
}

pub fn contact_details(ctx: &CheckContext) -> Vec<Outcome> {
    let c = match contacts(ctx) {
        Ok(c) => c,
        Err(out) => return out,
    };
    let kinds = ["BILLING", "OPERATIONS"];
    if let Some(kind) = kinds.iter().find(|k| !c.alternate.contains_key(**k)) {
        return vec![Outcome::not_collected(
            ctx.home(),
            ctx.account_resource(),
            &format!("{kind} alternate contact"),
        )];
    }
    let errors: Vec<&CollectError> = std::iter::once(c.primary.as_ref().err())
        .chain(kinds.iter().map(|k| c.alternate[*k].as_ref().err()))
        .flatten()
        .collect();
    if !errors.is_empty() {
        return vec![contact_error(ctx, &errors)];
    }
    let mut missing = Vec::new();
    match &c.primary {
        Ok(Some(p)) => {
            if p.full_name.trim().is_empty() {
                missing.push("the primary contact's full name".to_string());
            }
            if p.phone_number.trim().is_empty() {
                missing.push("the primary contact's phone number".to_string());
            }
        }
        _ => missing.push("a primary contact".to_string()),
    }
    for kind in kinds {
        if !matches!(&c.alternate[kind], Ok(Some(_))) {
            missing.push(format!("the {kind} alternate contact"));
        }
    }
    let evidence = json!({
        "primary": c.primary.as_ref().ok(),
        "billing": c.alternate["BILLING"].as_ref().ok(),
        "operations": c.alternate["OPERATIONS"].as_ref().ok(),
    });
    let acct = &ctx.account.account_id;
    let outcome = if missing.is_empty() {
        Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            format!("Account {acct} has a primary contact with a name and phone number and BILLING and OPERATIONS alternate contacts; whether they are current needs a person to confirm."),
        )
    } else {
        Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            format!("Account {acct} lacks {}.", missing.join(", ")),
        )
    };
    vec![outcome.with_evidence(evidence)]
}

pub fn security_contact(ctx: &CheckContext) -> Vec<Outcome> {
    let c = match contacts(ctx) {
        Ok(c) => c,
        Err(out) => return out,
    };
    let acct = &ctx.account.account_id;
    let outcome = match c.alternate.get("SECURITY") {
        None => {
            return vec![Outcome::not_collected(
                ctx.home(),
                ctx.account_resource(),
                "SECURITY alternate contact",
            )]
        }
        Some(Err(e)) => return vec![contact_error(ctx, &[e])],
        Some(Ok(Some(s))) if !s.email.trim().is_empty() => Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            format!(
                "Account {acct} has a security contact ({}, {}).",
                s.name, s.email
            ),
        ),
        Some(Ok(Some(s))) => Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            format!(
                "Account {acct}'s security contact {} has no email address.",
                s.name
            ),
        ),
        Some(Ok(None)) => Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            format!("Account {acct} has no security alternate contact registered."),
        ),
    };
    let evidence = json!({ "security": c.alternate.get("SECURITY").and_then(|r| r.as_ref().ok()) });
    vec![outcome.with_evidence(evidence)]
}

// ---------------------------------------------------------------------------------------------
// AWSCloudShellFullAccess
// ---------------------------------------------------------------------------------------------

pub const CLOUDSHELL_POLICY_SUFFIX: &str = ":iam::aws:policy/AWSCloudShellFullAccess";

pub fn cloudshell_full_access(ctx: &CheckContext) -> Vec<Outcome> {
    let details = match &ctx.account.iam.authorization_details {
        Ok(d) => d,
        Err(e) => return vec![Outcome::error(ctx.home(), ctx.account_resource(), e)],
    };
    let has = |arns: &[String]| arns.iter().any(|a| a.ends_with(CLOUDSHELL_POLICY_SUFFIX));
    let holders: Vec<String> = details
        .users
        .iter()
        .filter(|u| has(&u.attached_policy_arns))
        .map(|u| format!("user {}", u.name))
        .chain(
            details
                .groups
                .iter()
                .filter(|g| has(&g.attached_policy_arns))
                .map(|g| format!("group {}", g.name)),
        )
        .chain(
            details
                .roles
                .iter()
                .filter(|r| has(&r.attached_policy_arns))
                .map(|r| format!("role {}", r.name)),
        )
        .collect();
    let outcome = if holders.is_empty() {
        Outcome::pass(
            ctx.home(),
            ctx.account_resource(),
            "No IAM user, group or role has AWSCloudShellFullAccess attached.",
        )
    } else {
        Outcome::fail(
            ctx.home(),
            ctx.account_resource(),
            format!(
                "AWSCloudShellFullAccess is attached to {}.",
                holders.join(", ")
            ),
        )
    };
    vec![outcome.with_evidence(json!({ "attached_to": holders }))]
}

// ---------------------------------------------------------------------------------------------
// Resource policies open to Principal "*"
// ---------------------------------------------------------------------------------------------

/// The verdict on one resource's policy.
fn judge_policy(region: &str, resource: Resource, policy: &Collected<Option<String>>) -> Outcome {
    let what = resource.name.clone();
    match policy {
        Err(e) => Outcome::error(region, resource, e),
        Ok(None) => Outcome::pass(
            region,
            resource,
            format!("{what} has no resource policy, so no policy lets everyone in."),
        ),
        Ok(Some(doc)) => match open_statements(doc) {
            Err(msg) => Outcome::new(
                region,
                resource,
                Status::Error,
                format!("could not evaluate: the resource policy of {what} is not a policy document: {msg}"),
            )
            .with_evidence(json!({ "policy": doc })),
            Ok(open) if open.is_empty() => Outcome::pass(
                region,
                resource,
                format!("The resource policy of {what} admits no unrestricted principal."),
            ),
            Ok(open) => {
                let described: Vec<String> = open
                    .iter()
                    .map(|s| {
                        format!(
                            "statement {} ({}): {}",
                            s.sid.clone().unwrap_or_else(|| format!("#{}", s.index)),
                            s.actions.join(", "),
                            s.reason
                        )
                    })
                    .collect();
                let evidence: Vec<Value> = open
                    .iter()
                    .map(|s| json!({ "sid": s.sid, "index": s.index, "actions": s.actions, "reason": s.reason }))
                    .collect();
                Outcome::fail(
                    region,
                    resource,
                    format!(
                        "The resource policy of {what} lets anyone in: {}.",
                        described.join("; ")
                    ),
                )
                .with_evidence(json!({ "open_statements": evidence, "policy": doc }))
            }
        },
    }
}

/// The resource for a service's listing in a region, for an ERROR when it could not be listed.
fn listing(ctx: &CheckContext, service: &str, region: &str, what: &str) -> Resource {
    Resource {
        kind: "Other".to_string(),
        id: format!(
            "arn:{}:{service}:{region}:{}:*",
            ctx.account.partition, ctx.account.account_id
        ),
        name: format!("{what} in {region}"),
    }
}

pub fn resource_policy_not_public(ctx: &CheckContext) -> Vec<Outcome> {
    let mut out = Vec::new();
    match &ctx.account.s3.buckets {
        Err(e) => out.push(Outcome::error(
            ctx.home(),
            listing(ctx, "s3", ctx.home(), "S3 buckets"),
            e,
        )),
        Ok(buckets) => {
            for b in buckets {
                let region = b.region.as_deref().unwrap_or(ctx.home());
                let resource = Resource {
                    kind: "AwsS3Bucket".to_string(),
                    id: b.arn.clone(),
                    name: format!("S3 bucket {}", b.name),
                };
                out.push(judge_policy(region, resource, &b.policy));
            }
        }
    }
    type Services = [(
        &'static str,
        &'static str,
        &'static str,
        fn(&crate::evidence::ResourcePolicies) -> &Collected<Vec<PolicyHolder>>,
    ); 4];
    let services: Services = [
        ("sns", "AwsSnsTopic", "SNS topic", |p| &p.sns_topics),
        ("sqs", "AwsSqsQueue", "SQS queue", |p| &p.sqs_queues),
        ("kms", "AwsKmsKey", "KMS key", |p| &p.kms_keys),
        ("lambda", "AwsLambdaFunction", "Lambda function", |p| {
            &p.lambda_functions
        }),
    ];
    for (region, evidence) in &ctx.account.regional {
        let Some(policies) = &evidence.resource_policies else {
            out.push(Outcome::not_collected(
                region,
                ctx.account_resource(),
                "SNS, SQS, KMS and Lambda resource policies",
            ));
            continue;
        };
        for (service, kind, label, list) in services {
            match list(policies) {
                Err(e) => out.push(Outcome::error(
                    region,
                    listing(ctx, service, region, &format!("{label}s")),
                    e,
                )),
                Ok(holders) => {
                    for h in holders {
                        let resource = Resource {
                            kind: kind.to_string(),
                            id: h.arn.clone(),
                            name: format!("{label} {}", h.name),
                        };
                        out.push(judge_policy(region, resource, &h.policy));
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "The account has no S3 bucket, SNS topic, SQS queue, customer-managed KMS key or Lambda function in the scanned regions.",
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// VPC peering routes
// ---------------------------------------------------------------------------------------------

/// An IPv4 or IPv6 CIDR block, its address masked to the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    len: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, len) = text.trim().split_once('/')?;
        let addr: IpAddr = addr.parse().ok()?;
        let len: u8 = len.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (len <= max).then_some(Cidr { addr, len })
    }

    fn bits(&self) -> (u128, u32) {
        match self.addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)) << 96, 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    fn masked(value: u128, len: u8) -> u128 {
        if len == 0 {
            0
        } else {
            value & (u128::MAX << (128 - u32::from(len)))
        }
    }

    /// True when `inner` lies entirely inside `self` (same address family).
    pub fn contains(&self, inner: &Cidr) -> bool {
        let ((a, fam_a), (b, fam_b)) = (self.bits(), inner.bits());
        fam_a == fam_b
            && self.len <= inner.len
            && Self::masked(a, self.len) == Self::masked(b, self.len)
    }

    pub fn is_default(&self) -> bool {
        self.len == 0
    }
}

enum RouteVerdict {
    Within(String),
    Broad(String),
    Unjudged(String),
}

fn judge_route(route: &PeeringRoute, connections: &[PeeringConnection]) -> RouteVerdict {
    let dest = &route.destination;
    let via = &route.peering_connection_id;
    let Some(cidr) = Cidr::parse(dest) else {
        return RouteVerdict::Unjudged(format!(
            "{dest} via {via} is not a CIDR (a prefix list?): its extent cannot be compared with the peer"
        ));
    };
    if cidr.is_default() {
        return RouteVerdict::Broad(format!("{dest} via {via} sends all traffic to the peer"));
    }
    let Some(conn) = connections.iter().find(|c| &c.id == via) else {
        return RouteVerdict::Unjudged(format!(
            "{dest} via {via}: the peering connection was not described, so the peer's CIDRs are unknown"
        ));
    };
    let peer = conn.peer_cidrs(&route.vpc_id);
    let parsed: Vec<Cidr> = peer.iter().filter_map(|c| Cidr::parse(c)).collect();
    if parsed.is_empty() {
        return RouteVerdict::Unjudged(format!(
            "{dest} via {via}: the peer VPC's CIDRs are unknown"
        ));
    }
    if parsed.iter().any(|p| p.contains(&cidr)) {
        RouteVerdict::Within(format!("{dest} via {via} (peer {})", peer.join(", ")))
    } else {
        RouteVerdict::Broad(format!(
            "{dest} via {via} is broader than or outside the peer VPC's CIDRs ({})",
            peer.join(", ")
        ))
    }
}

pub fn peering_routes_least_access(ctx: &CheckContext) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let Some(peering) = &evidence.peering else {
            out.push(Outcome::not_collected(
                region,
                ctx.account_resource(),
                "VPC peering routes",
            ));
            continue;
        };
        let routes = match &peering.routes {
            Err(e) => {
                out.push(Outcome::error(region, ctx.account_resource(), e));
                continue;
            }
            Ok(r) => r,
        };
        if routes.is_empty() {
            out.push(Outcome::not_applicable(
                region,
                ctx.account_resource(),
                format!("No route table routes through a VPC peering connection in {region}."),
            ));
            continue;
        }
        let connections = match &peering.connections {
            Err(e) => {
                out.push(Outcome::error(region, ctx.account_resource(), e));
                continue;
            }
            Ok(c) => c,
        };
        let mut tables: BTreeMap<&str, Vec<&PeeringRoute>> = BTreeMap::new();
        for r in routes {
            tables.entry(&r.route_table_id).or_default().push(r);
        }
        for (table, routes) in tables {
            let resource = Resource {
                kind: "AwsEc2RouteTable".to_string(),
                id: format!(
                    "arn:{}:ec2:{region}:{}:route-table/{table}",
                    ctx.account.partition, ctx.account.account_id
                ),
                name: table.to_string(),
            };
            let (mut within, mut broad, mut unjudged) = (Vec::new(), Vec::new(), Vec::new());
            for r in &routes {
                match judge_route(r, connections) {
                    RouteVerdict::Within(s) => within.push(s),
                    RouteVerdict::Broad(s) => broad.push(s),
                    RouteVerdict::Unjudged(s) => unjudged.push(s),
                }
            }
            let evidence = json!({
                "vpc_id": routes[0].vpc_id,
                "routes": routes.iter().map(|r| json!({ "destination": r.destination, "peering_connection_id": r.peering_connection_id })).collect::<Vec<_>>(),
                "broader_than_peer": broad,
                "not_judged": unjudged,
            });
            let outcome = if !broad.is_empty() {
                let mut detail = format!(
                    "Route table {table} routes more than the peer VPC through peering: {}.",
                    broad.join("; ")
                );
                if !unjudged.is_empty() {
                    detail.push_str(&format!(" Not judged: {}.", unjudged.join("; ")));
                }
                Outcome::fail(region, resource, detail)
            } else if !unjudged.is_empty() {
                Outcome::new(
                    region,
                    resource,
                    Status::Manual,
                    format!(
                        "Review route table {table} by hand: {}.{}",
                        unjudged.join("; "),
                        if within.is_empty() {
                            String::new()
                        } else {
                            format!(" Within the peer: {}.", within.join("; "))
                        }
                    ),
                )
            } else {
                Outcome::pass(
                    region,
                    resource,
                    format!(
                        "Every peering route of route table {table} stays within the peer VPC's CIDRs: {}. Routing a peer's whole CIDR may still be broader than the workloads need: review.",
                        within.join("; ")
                    ),
                )
            };
            out.push(outcome.with_evidence(evidence));
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No region was scanned.",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::testing::{expect, one, run_check};
    use crate::evidence::{
        AccountEvidence, AlternateContact, AuthorizationDetails, GuardrailPolicy, Guardrails,
        IamGroup, IamRole, IamUser, PeeringEvidence, PrimaryContact,
    };
    use crate::model::Finding;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";
    const OTHER: &str = "999999999999";

    fn now() -> chrono::DateTime<chrono::Utc> {
        at("2026-11-01T00:00:00Z")
    }

    fn base() -> AccountEvidence {
        compliant_account(ACCT, &["us-east-1", "eu-west-1"], now())
    }

    fn run(check: &str, a: AccountEvidence) -> Vec<Finding> {
        run_check(check, a, &[], now())
    }

    fn governance() -> OrgGovernance {
        OrgGovernance {
            iam_root_features: Ok(vec![
                "RootCredentialsManagement".into(),
                "RootSessions".into(),
            ]),
            resource_policy: Ok(Some(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"Delegate","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["organizations:DescribeOrganization","organizations:CreatePolicy","organizations:UpdatePolicy","organizations:AttachPolicy"],"Resource":"*"}]}"#.into(),
            )),
            service_access: Ok(vec![
                "guardduty.amazonaws.com".into(),
                "sso.amazonaws.com".into(),
                "ram.amazonaws.com".into(),
            ]),
            delegated_admins: Ok(BTreeMap::from([(
                "222222222222".to_string(),
                vec![
                    "guardduty.amazonaws.com".to_string(),
                    "sso.amazonaws.com".to_string(),
                ],
            )])),
            guardrails: Some(Ok(Guardrails {
                root_policy_types: BTreeMap::from([(
                    "SERVICE_CONTROL_POLICY".to_string(),
                    "ENABLED".to_string(),
                )]),
                policies: vec![GuardrailPolicy {
                    id: "p-1".to_string(),
                    name: "deny-regions".to_string(),
                    kind: "SERVICE_CONTROL_POLICY".to_string(),
                    targets: vec![("ORGANIZATIONAL_UNIT".to_string(), "workloads".to_string())],
                }],
            })),
        }
    }

    #[test]
    fn guardrails_need_an_attached_customer_scp() {
        const CHECK: &str = "organizations_guardrails";
        one(
            run(CHECK, mgmt_with(|_| {})),
            Status::Pass,
            &["deny-regions", "workloads"],
        );
        // Attached to single accounts only.
        let a = mgmt_with(|g| {
            if let Some(Ok(r)) = g.guardrails.as_mut() {
                r.policies[0].targets = vec![("ACCOUNT".to_string(), "sandbox".to_string())];
            }
        });
        one(
            run(CHECK, a),
            Status::Pass,
            &["only to individual accounts"],
        );
        // Written but attached nowhere.
        let a = mgmt_with(|g| {
            if let Some(Ok(r)) = g.guardrails.as_mut() {
                r.policies[0].targets.clear();
            }
        });
        one(
            run(CHECK, a),
            Status::Fail,
            &["attached nowhere", "deny-regions"],
        );
        // SCPs not enabled at all.
        let a = mgmt_with(|g| {
            if let Some(Ok(r)) = g.guardrails.as_mut() {
                r.root_policy_types.clear();
                r.policies.clear();
            }
        });
        one(run(CHECK, a), Status::Fail, &["not enabled"]);
        let a = mgmt_with(|g| {
            g.guardrails = Some(Err(denied("organizations:ListRoots", "us-east-1", ACCT)))
        });
        one(run(CHECK, a), Status::Error, &["organizations:ListRoots"]);
        let a = mgmt_with(|g| g.guardrails = None);
        one(run(CHECK, a), Status::Error, &["scan again"]);
        one(run(CHECK, base()), Status::NotApplicable, &[]);
    }

    fn in_org(management: &str, gov: Option<OrgGovernance>) -> AccountEvidence {
        let mut a = base();
        a.organization = Some(Ok(Some(OrganizationInfo {
            id: "o-abc123".into(),
            management_account_id: management.into(),
            feature_set: "ALL".into(),
        })));
        a.org_governance = gov;
        a
    }

    fn mgmt_with(edit: impl FnOnce(&mut OrgGovernance)) -> AccountEvidence {
        let mut g = governance();
        edit(&mut g);
        in_org(ACCT, Some(g))
    }

    /// The shared management-account gate, for the three Organizations checks.
    #[test]
    fn organization_checks_apply_to_the_management_account_only() {
        for check in [
            "iam_centralized_root_access",
            "organizations_delegated_policy_admin",
            "organizations_delegated_service_admins",
        ] {
            one(
                run(check, in_org(ACCT, Some(governance()))),
                Status::Pass,
                &[],
            );
            one(
                run(check, in_org(OTHER, None)),
                Status::NotApplicable,
                &["evaluated in the management account 999999999999"],
            );
            one(
                run(check, base()),
                Status::NotApplicable,
                &["not in an AWS Organization"],
            );
            let mut unreadable = base();
            unreadable.organization = Some(Err(denied(
                "organizations:DescribeOrganization",
                "us-east-1",
                ACCT,
            )));
            one(
                run(check, unreadable),
                Status::Error,
                &["DescribeOrganization"],
            );
            one(
                run(check, in_org(ACCT, None)),
                Status::Error,
                &["scan again"],
            );
            let mut old = base();
            old.organization = None;
            one(run(check, old), Status::Error, &["scan again"]);
        }
    }

    #[test]
    fn centralized_root_access_names_missing_features() {
        let f = one(
            run(
                "iam_centralized_root_access",
                in_org(ACCT, Some(governance())),
            ),
            Status::Pass,
            &["RootCredentialsManagement and RootSessions"],
        );
        assert_eq!(f.resource.kind, "AwsAccount");
        one(
            run(
                "iam_centralized_root_access",
                mgmt_with(|g| g.iam_root_features = Ok(vec!["RootCredentialsManagement".into()])),
            ),
            Status::Fail,
            &["RootSessions not enabled"],
        );
        let f = one(
            run(
                "iam_centralized_root_access",
                mgmt_with(|g| g.iam_root_features = Ok(vec![])),
            ),
            Status::Fail,
            &["RootCredentialsManagement and RootSessions not enabled"],
        );
        assert!(!f.detail.contains("RootSessions and"), "{}", f.detail);
        one(
            run(
                "iam_centralized_root_access",
                mgmt_with(|g| {
                    g.iam_root_features =
                        Err(denied("iam:ListOrganizationsFeatures", "us-east-1", ACCT))
                }),
            ),
            Status::Error,
            &["iam:ListOrganizationsFeatures"],
        );
    }

    fn with_policy(policy: &str) -> AccountEvidence {
        let p = policy.to_string();
        mgmt_with(|g| g.resource_policy = Ok(Some(p)))
    }

    #[test]
    fn delegated_policy_admin_needs_a_write_action() {
        let check = "organizations_delegated_policy_admin";
        let f = one(
            run(check, in_org(ACCT, Some(governance()))),
            Status::Pass,
            &[
                "arn:aws:iam::222222222222:root",
                "organizations:CreatePolicy",
            ],
        );
        assert_eq!(
            f.evidence["delegated_principals"],
            json!(["arn:aws:iam::222222222222:root"])
        );
        // Wildcards grant the write actions too.
        for action in [
            r#""organizations:*""#,
            r#""*""#,
            r#"["organizations:*Policy"]"#,
        ] {
            let p = format!(
                r#"{{"Statement":{{"Effect":"Allow","Principal":{{"AWS":"222222222222"}},"Action":{action},"Resource":"*"}}}}"#
            );
            one(run(check, with_policy(&p)), Status::Pass, &["222222222222"]);
        }
        // A read-only delegation does not let the admin manage policies.
        one(
            run(
                check,
                with_policy(
                    r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}]}"#,
                ),
            ),
            Status::Fail,
            &["read-only", "organizations:Describe*"],
        );
        // A Deny grants nothing; NotAction that excludes the write actions grants none of them.
        one(
            run(
                check,
                with_policy(
                    r#"{"Statement":[{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"organizations:*","Resource":"*"}]}"#,
                ),
            ),
            Status::Fail,
            &["allows no principal"],
        );
        one(
            run(
                check,
                with_policy(
                    r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"NotAction":"organizations:*Policy","Resource":"*"}]}"#,
                ),
            ),
            Status::Fail,
            &[],
        );
        one(
            run(
                check,
                with_policy(
                    r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"NotAction":"organizations:DeletePolicy","Resource":"*"}]}"#,
                ),
            ),
            Status::Pass,
            &["organizations:CreatePolicy"],
        );
        one(
            run(check, mgmt_with(|g| g.resource_policy = Ok(None))),
            Status::Fail,
            &["no resource policy"],
        );
        one(
            run(check, with_policy("not json")),
            Status::Error,
            &["not a policy document"],
        );
        one(
            run(
                check,
                mgmt_with(|g| {
                    g.resource_policy = Err(denied(
                        "organizations:DescribeResourcePolicy",
                        "us-east-1",
                        ACCT,
                    ))
                }),
            ),
            Status::Error,
            &["DescribeResourcePolicy"],
        );
    }

    #[test]
    fn glob_matching() {
        assert!(glob_match("organizations:*", "organizations:CreatePolicy"));
        assert!(glob_match(
            "Organizations:createpolicy",
            "organizations:CreatePolicy"
        ));
        assert!(glob_match(
            "organizations:?reatePolicy",
            "organizations:CreatePolicy"
        ));
        assert!(glob_match("*", "organizations:CreatePolicy"));
        assert!(!glob_match(
            "organizations:Describe*",
            "organizations:CreatePolicy"
        ));
        assert!(!glob_match(
            "organizations:Create",
            "organizations:CreatePolicy"
        ));
    }

    #[test]
    fn delegated_service_admins_cover_trusted_services() {
        let check = "organizations_delegated_service_admins";
        let f = one(
            run(check, in_org(ACCT, Some(governance()))),
            Status::Pass,
            &[
                "guardduty.amazonaws.com → 222222222222",
                "sso.amazonaws.com",
            ],
        );
        // ram.amazonaws.com has trusted access but supports no delegated administrator.
        assert!(!f.detail.contains("ram.amazonaws.com"), "{}", f.detail);
        let f = one(
            run(
                check,
                mgmt_with(|g| {
                    if let Ok(s) = &mut g.service_access {
                        s.push("securityhub.amazonaws.com".into());
                        s.push("member.org.stacksets.cloudformation.amazonaws.com".into());
                    }
                }),
            ),
            Status::Fail,
            &["securityhub.amazonaws.com", "member.org.stacksets"],
        );
        assert!(!f.detail.contains("guardduty"), "{}", f.detail);
        one(
            run(
                check,
                mgmt_with(|g| g.service_access = Ok(vec!["ram.amazonaws.com".into()])),
            ),
            Status::NotApplicable,
            &["No service"],
        );
        one(
            run(
                check,
                mgmt_with(|g| {
                    g.delegated_admins = Err(denied(
                        "organizations:ListDelegatedAdministrators",
                        "us-east-1",
                        ACCT,
                    ))
                }),
            ),
            Status::Error,
            &["ListDelegatedAdministrators"],
        );
        one(
            run(
                check,
                mgmt_with(|g| {
                    g.service_access = Err(denied(
                        "organizations:ListAWSServiceAccessForOrganization",
                        "us-east-1",
                        ACCT,
                    ))
                }),
            ),
            Status::Error,
            &["ListAWSServiceAccessForOrganization"],
        );
    }

    #[test]
    fn delegable_services_are_service_principals() {
        for s in DELEGABLE_SERVICES {
            assert!(s.ends_with(".amazonaws.com") && !s.contains(' '), "{s}");
        }
        let mut sorted = DELEGABLE_SERVICES.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), DELEGABLE_SERVICES.len());
    }

    fn with_contacts(edit: impl FnOnce(&mut AccountContacts)) -> AccountEvidence {
        let mut a = base();
        if let Some(c) = a.contacts.as_mut() {
            edit(c);
        }
        a
    }

    fn get_contact(op: &str) -> crate::evidence::CollectError {
        denied(op, "us-east-1", ACCT)
    }

    #[test]
    fn contact_details_statuses() {
        let check = "account_contact_details";
        one(
            run(check, base()),
            Status::Pass,
            &["needs a person to confirm"],
        );
        one(
            run(check, with_contacts(|c| c.primary = Ok(None))),
            Status::Fail,
            &["a primary contact"],
        );
        one(
            run(
                check,
                with_contacts(|c| {
                    c.primary = Ok(Some(PrimaryContact {
                        full_name: "Ops".into(),
                        phone_number: " ".into(),
                        company_name: None,
                        country_code: "US".into(),
                    }))
                }),
            ),
            Status::Fail,
            &["phone number"],
        );
        let f = one(
            run(
                check,
                with_contacts(|c| {
                    c.alternate.insert("BILLING".into(), Ok(None));
                    c.alternate.insert("SECURITY".into(), Ok(None));
                }),
            ),
            Status::Fail,
            &["BILLING alternate contact"],
        );
        assert!(!f.detail.contains("SECURITY"), "{}", f.detail);
        let f = one(
            run(
                check,
                with_contacts(|c| {
                    c.primary = Err(get_contact("account:GetContactInformation"));
                    c.alternate.insert("BILLING".into(), Ok(None));
                }),
            ),
            Status::Error,
            &[
                "GetContactInformation",
                "trusted access for AWS Account Management",
            ],
        );
        assert_eq!(f.evidence[0]["kind"], "access_denied");
        let mut throttled = get_contact("account:GetAlternateContact");
        throttled.kind = ErrorKind::Throttled;
        let f = one(
            run(
                check,
                with_contacts(|c| {
                    c.alternate.insert("OPERATIONS".into(), Err(throttled));
                }),
            ),
            Status::Error,
            &["throttled"],
        );
        assert!(!f.detail.contains("trusted access"), "{}", f.detail);
        let mut old = base();
        old.contacts = None;
        one(run(check, old), Status::Error, &["scan again"]);
    }

    #[test]
    fn security_contact_statuses() {
        let check = "account_security_contact";
        one(run(check, base()), Status::Pass, &["security@acme.example"]);
        one(
            run(
                check,
                with_contacts(|c| {
                    c.alternate.insert("SECURITY".into(), Ok(None));
                }),
            ),
            Status::Fail,
            &["no security alternate contact"],
        );
        one(
            run(
                check,
                with_contacts(|c| {
                    c.alternate.insert(
                        "SECURITY".into(),
                        Ok(Some(AlternateContact {
                            name: "Sec".into(),
                            title: "".into(),
                            email: "".into(),
                            phone_number: "+1".into(),
                        })),
                    );
                }),
            ),
            Status::Fail,
            &["no email address"],
        );
        one(
            run(
                check,
                with_contacts(|c| {
                    c.alternate.insert(
                        "SECURITY".into(),
                        Err(get_contact("account:GetAlternateContact")),
                    );
                }),
            ),
            Status::Error,
            &["GetAlternateContact", "trusted access"],
        );
        one(
            run(
                check,
                with_contacts(|c| {
                    c.alternate.remove("SECURITY");
                }),
            ),
            Status::Error,
            &["scan again"],
        );
        let mut old = base();
        old.contacts = None;
        one(run(check, old), Status::Error, &["scan again"]);
    }

    #[test]
    fn cloudshell_full_access_statuses() {
        let check = "iam_cloudshell_full_access_restricted";
        one(run(check, base()), Status::Pass, &["No IAM user"]);
        let policy = "arn:aws-us-gov:iam::aws:policy/AWSCloudShellFullAccess".to_string();
        let mut a = base();
        a.iam.authorization_details = Ok(AuthorizationDetails {
            users: vec![IamUser {
                name: "dev".into(),
                arn: format!("arn:aws:iam::{ACCT}:user/dev"),
                create_date: None,
                attached_policy_arns: vec![policy.clone()],
                inline_policies: vec![],
                groups: vec![],
            }],
            groups: vec![IamGroup {
                name: "ops".into(),
                arn: format!("arn:aws:iam::{ACCT}:group/ops"),
                attached_policy_arns: vec![
                    "arn:aws:iam::aws:policy/AWSCloudShellFullAccessButNot".into()
                ],
                inline_policies: vec![],
            }],
            roles: vec![IamRole {
                name: "admin".into(),
                arn: format!("arn:aws:iam::{ACCT}:role/admin"),
                attached_policy_arns: vec![policy],
                inline_policies: vec![],
                assume_role_policy: None,
            }],
            policies: vec![],
        });
        let f = one(run(check, a), Status::Fail, &["user dev", "role admin"]);
        assert!(!f.detail.contains("group ops"), "{}", f.detail);
        let mut err = base();
        err.iam.authorization_details = Err(denied(
            "iam:GetAccountAuthorizationDetails",
            "us-east-1",
            ACCT,
        ));
        one(
            run(check, err),
            Status::Error,
            &["GetAccountAuthorizationDetails"],
        );
    }

    const PUBLIC_QUEUE: &str = r#"{"Statement":[{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}"#;
    const SCOPED_QUEUE: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:eu-west-1:111122223333:t"}}}]}"#;

    fn holder(kind: &str, name: &str, policy: Collected<Option<String>>) -> PolicyHolder {
        PolicyHolder {
            arn: format!("arn:aws:{kind}:eu-west-1:{ACCT}:{name}"),
            name: name.into(),
            policy,
        }
    }

    fn status_of(f: &[Finding], name: &str) -> Status {
        f.iter()
            .find(|f| f.resource.name.ends_with(name))
            .unwrap_or_else(|| panic!("no finding for {name}: {f:#?}"))
            .status
    }

    #[test]
    fn resource_policies_statuses() {
        let check = "resource_policy_not_public";
        // The compliant account has one bucket without a policy and nothing else.
        let f = one(run(check, base()), Status::Pass, &["no resource policy"]);
        assert_eq!(f.resource.kind, "AwsS3Bucket");

        let mut a = base();
        if let Ok(b) = &mut a.s3.buckets {
            b[0].policy = Ok(Some(
                PUBLIC_QUEUE.replace("sqs:SendMessage", "s3:GetObject"),
            ));
        }
        let eu = a.regional.get_mut("eu-west-1").unwrap();
        eu.resource_policies = Some(crate::evidence::ResourcePolicies {
            sns_topics: Err(denied("sns:ListTopics", "eu-west-1", ACCT)),
            sqs_queues: Ok(vec![
                holder("sqs", "public", Ok(Some(PUBLIC_QUEUE.into()))),
                holder("sqs", "scoped", Ok(Some(SCOPED_QUEUE.into()))),
                holder("sqs", "broken", Ok(Some("{".into()))),
                holder(
                    "sqs",
                    "hidden",
                    Err(denied("sqs:GetQueueAttributes", "eu-west-1", ACCT)),
                ),
            ]),
            kms_keys: Err(denied("kms:ListKeys", "eu-west-1", ACCT)),
            lambda_functions: Ok(vec![holder("lambda", "fn", Ok(None))]),
        });
        a.regional.get_mut("us-east-1").unwrap().resource_policies = None;
        let f = run(check, a);
        let public = f
            .iter()
            .find(|f| f.resource.name == "SQS queue public")
            .unwrap();
        expect(public, Status::Fail, &["statement Open", "sqs:SendMessage"]);
        assert_eq!(public.resource.kind, "AwsSqsQueue");
        assert_eq!(public.region, "eu-west-1");
        assert_eq!(public.evidence["open_statements"][0]["sid"], "Open");
        expect(
            f.iter()
                .find(|f| f.resource.name.starts_with("S3 bucket"))
                .unwrap(),
            Status::Fail,
            &["s3:GetObject"],
        );
        assert_eq!(status_of(&f, "scoped"), Status::Pass);
        let broken = f
            .iter()
            .find(|f| f.resource.name.ends_with("broken"))
            .unwrap();
        expect(
            broken,
            Status::Error,
            &["not a policy document", "not valid JSON"],
        );
        assert_eq!(status_of(&f, "hidden"), Status::Error);
        assert_eq!(status_of(&f, "Lambda function fn"), Status::Pass);
        assert_eq!(status_of(&f, "SNS topics in eu-west-1"), Status::Error);
        assert_eq!(status_of(&f, "KMS keys in eu-west-1"), Status::Error);
        let not_collected = f
            .iter()
            .find(|f| f.region == "us-east-1" && f.resource.kind == "AwsAccount")
            .unwrap();
        expect(not_collected, Status::Error, &["scan again"]);
        // Finding ids stay unique although several errors share a region.
        let mut ids: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), f.len());

        // An account with no such resource at all.
        let mut empty = base();
        empty.s3.buckets = Ok(vec![]);
        one(run(check, empty), Status::NotApplicable, &["no S3 bucket"]);
        let mut unlisted = base();
        unlisted.s3.buckets = Err(denied("s3:ListBuckets", "us-east-1", ACCT));
        one(run(check, unlisted), Status::Error, &["s3:ListBuckets"]);
    }

    #[test]
    fn cidr_containment() {
        let c = |s: &str| Cidr::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert!(c("10.0.0.0/16").contains(&c("10.0.1.0/24")));
        assert!(c("10.0.0.0/16").contains(&c("10.0.0.0/16")));
        assert!(!c("10.0.0.0/16").contains(&c("10.0.0.0/8")));
        assert!(!c("10.0.0.0/16").contains(&c("10.1.0.0/24")));
        assert!(c("10.0.0.0/16").contains(&c("10.0.255.255/32")));
        assert!(c("0.0.0.0/0").contains(&c("192.168.0.0/16")));
        assert!(c("0.0.0.0/0").is_default() && c("::/0").is_default());
        assert!(c("2600:1f18:abcd::/56").contains(&c("2600:1f18:abcd:ff::/64")));
        assert!(!c("2600:1f18:abcd::/56").contains(&c("2600:1f18:abcd:100::/64")));
        assert!(!c("2600:1f18:abcd::/56").contains(&c("2600:1f18::/32")));
        // Families never contain each other.
        assert!(!c("::/0").contains(&c("10.0.0.0/8")));
        assert!(!c("0.0.0.0/0").contains(&c("::/128")));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("pl-12345"), None);
        assert_eq!(Cidr::parse("10.0.0/8"), None);
        assert!(Cidr::parse("::/129").is_none());
    }

    fn peering(routes: Vec<(&str, &str, &str)>) -> AccountEvidence {
        let mut a = base();
        let eu = a.regional.get_mut("eu-west-1").unwrap();
        eu.peering = Some(PeeringEvidence {
            routes: Ok(routes
                .into_iter()
                .map(|(table, dest, via)| PeeringRoute {
                    route_table_id: table.into(),
                    vpc_id: "vpc-a".into(),
                    destination: dest.into(),
                    peering_connection_id: via.into(),
                })
                .collect()),
            connections: Ok(vec![PeeringConnection {
                id: "pcx-1".into(),
                status: "active".into(),
                requester_vpc_id: "vpc-a".into(),
                requester_cidrs: vec!["10.0.0.0/16".into()],
                accepter_vpc_id: "vpc-b".into(),
                accepter_cidrs: vec!["10.1.0.0/16".into(), "2600:1f18:abcd::/56".into()],
            }]),
        });
        a
    }

    fn eu_tables(f: &[Finding]) -> BTreeMap<String, (Status, String)> {
        f.iter()
            .filter(|f| f.region == "eu-west-1")
            .map(|f| (f.resource.name.clone(), (f.status, f.detail.clone())))
            .collect()
    }

    #[test]
    fn peering_routes_statuses() {
        let check = "ec2_peering_routes_least_access";
        let f = run(
            check,
            peering(vec![
                ("rtb-ok", "10.1.0.0/16", "pcx-1"),
                ("rtb-ok", "2600:1f18:abcd:1::/64", "pcx-1"),
                ("rtb-wide", "10.0.0.0/8", "pcx-1"),
                ("rtb-wide", "10.1.2.0/24", "pcx-1"),
                ("rtb-default", "0.0.0.0/0", "pcx-1"),
                ("rtb-v6default", "::/0", "pcx-9"),
                ("rtb-own", "10.0.0.0/16", "pcx-1"),
                ("rtb-pl", "pl-0abc", "pcx-1"),
                ("rtb-unknown", "10.1.0.0/24", "pcx-9"),
                ("rtb-mixed", "pl-0abc", "pcx-1"),
                ("rtb-mixed", "172.16.0.0/12", "pcx-1"),
            ]),
        );
        let t = eu_tables(&f);
        let us = f.iter().find(|f| f.region == "us-east-1").unwrap();
        expect(us, Status::NotApplicable, &["No route table"]);
        let (s, d) = &t["rtb-ok"];
        assert_eq!(*s, Status::Pass, "{d}");
        assert!(d.contains("may still be broader"), "{d}");
        let (s, d) = &t["rtb-wide"];
        assert_eq!(*s, Status::Fail);
        assert!(
            d.contains("10.0.0.0/8") && !d.contains("10.1.2.0/24 via"),
            "{d}"
        );
        assert_eq!(t["rtb-default"].0, Status::Fail);
        assert_eq!(t["rtb-v6default"].0, Status::Fail);
        // The requester's own CIDR is not the peer's.
        assert_eq!(t["rtb-own"].0, Status::Fail);
        let (s, d) = &t["rtb-pl"];
        assert_eq!(*s, Status::Manual);
        assert!(d.contains("prefix list"), "{d}");
        let (s, d) = &t["rtb-unknown"];
        assert_eq!(*s, Status::Manual);
        assert!(d.contains("not described"), "{d}");
        let (s, d) = &t["rtb-mixed"];
        assert_eq!(*s, Status::Fail);
        assert!(d.contains("Not judged"), "{d}");
        let rt = f.iter().find(|f| f.resource.name == "rtb-ok").unwrap();
        assert_eq!(rt.resource.kind, "AwsEc2RouteTable");
        assert_eq!(
            rt.resource.id,
            format!("arn:aws:ec2:eu-west-1:{ACCT}:route-table/rtb-ok")
        );

        // The accepter side sees the requester's CIDRs.
        let mut accepter = peering(vec![("rtb-b", "10.0.0.0/16", "pcx-1")]);
        if let Some(Ok(routes)) = accepter
            .regional
            .get_mut("eu-west-1")
            .and_then(|r| r.peering.as_mut())
            .map(|p| &mut p.routes)
        {
            routes[0].vpc_id = "vpc-b".into();
        }
        assert_eq!(eu_tables(&run(check, accepter))["rtb-b"].0, Status::Pass);

        let mut errs = peering(vec![("rtb-ok", "10.1.0.0/16", "pcx-1")]);
        if let Some(p) = errs.regional.get_mut("eu-west-1").unwrap().peering.as_mut() {
            p.connections = Err(denied(
                "ec2:DescribeVpcPeeringConnections",
                "eu-west-1",
                ACCT,
            ));
        }
        errs.regional.get_mut("us-east-1").unwrap().peering = Some(PeeringEvidence {
            routes: Err(denied("ec2:DescribeRouteTables", "us-east-1", ACCT)),
            connections: Ok(vec![]),
        });
        let f = run(check, errs);
        assert!(f.iter().all(|f| f.status == Status::Error), "{f:#?}");
        assert_eq!(f.len(), 2);

        let mut old = base();
        old.regional.get_mut("eu-west-1").unwrap().peering = None;
        let f = run(check, old);
        let eu = f.iter().find(|f| f.region == "eu-west-1").unwrap();
        expect(eu, Status::Error, &["scan again"]);
    }
}
