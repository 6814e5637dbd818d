//! Organization-level checks: an organization trail; an AWS Config aggregator over the
//! organization. Both read `organizations:DescribeOrganization` to know the account's place.

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::OrganizationInfo;
use crate::model::{Resource, Status};

/// The organization the account belongs to, or the outcome that replaces the verdict.
pub(super) fn organization<'a>(
    ctx: &'a CheckContext,
) -> Result<&'a OrganizationInfo, Vec<Outcome>> {
    let home = ctx.home();
    match &ctx.account.organization {
        None => Err(vec![Outcome::not_collected(
            home,
            ctx.account_resource(),
            "organizations:DescribeOrganization answer",
        )]),
        Some(Err(e)) => Err(vec![Outcome::error(home, ctx.account_resource(), e)]),
        Some(Ok(None)) => Err(vec![Outcome::not_applicable(
            home,
            ctx.account_resource(),
            "The account is not in an AWS Organization.",
        )]),
        Some(Ok(Some(org))) => Ok(org),
    }
}

pub fn organization_trail(ctx: &CheckContext) -> Vec<Outcome> {
    let org = match organization(ctx) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let mut errors: Vec<Outcome> = ctx
        .account
        .cloudtrail
        .describe
        .iter()
        .filter_map(|(region, r)| {
            r.as_ref()
                .err()
                .map(|e| Outcome::error(region, ctx.account_resource(), e))
        })
        .collect();
    let mut not_logging = Vec::new();
    for trail in ctx
        .account
        .cloudtrail
        .trails
        .values()
        .filter(|t| t.is_organization_trail && t.is_multi_region)
    {
        let resource = Resource {
            kind: "AwsCloudTrailTrail".to_string(),
            id: trail.arn.clone(),
            name: trail.name.clone(),
        };
        match &trail.status {
            Ok(s) if s.is_logging => {
                return vec![Outcome::pass(
                    ctx.home(),
                    resource,
                    format!(
                        "Organization trail {} (owned by account {}) logs every account of organization {} in all regions.",
                        trail.name, trail.owner_account, org.id
                    ),
                )
                .with_evidence(json!({ "trail": trail.arn, "is_logging": true, "organization": org.id }))];
            }
            Ok(_) => not_logging.push(trail.name.clone()),
            Err(e) => errors.push(Outcome::error(&trail.home_region, resource, e)),
        }
    }
    if !errors.is_empty() {
        return errors;
    }
    let detail = if not_logging.is_empty() {
        format!(
            "No multi-region organization trail covers this account (organization {}).",
            org.id
        )
    } else {
        format!(
            "Organization trail {} exists but is not logging.",
            not_logging.join(", ")
        )
    };
    vec![
        Outcome::fail(ctx.home(), ctx.account_resource(), detail).with_evidence(
            json!({ "organization": org.id, "management_account": org.management_account_id }),
        ),
    ]
}

pub fn organization_aggregator(ctx: &CheckContext) -> Vec<Outcome> {
    let org = match organization(ctx) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let mut errors = Vec::new();
    let mut partial = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let aggregators = match &evidence.config.aggregators {
            None => continue,
            Some(Err(e)) => {
                errors.push(Outcome::error(region, ctx.account_resource(), e));
                continue;
            }
            Some(Ok(a)) => a,
        };
        for a in aggregators {
            let Some(source) = &a.organization_source else {
                continue;
            };
            if source.all_regions || source.covers(&ctx.account.regions) {
                return vec![Outcome::pass(
                    ctx.home(),
                    ctx.account_resource(),
                    format!(
                        "Aggregator {} in {region} covers organization {} in {}.",
                        a.name,
                        org.id,
                        if source.all_regions { "all regions".to_string() } else { source.regions.join(", ") }
                    ),
                )
                .with_evidence(json!({ "aggregator": a.arn, "all_regions": source.all_regions, "regions": source.regions }))];
            }
            partial.push(format!("{} ({} only)", a.name, source.regions.join(", ")));
        }
    }
    if !errors.is_empty() {
        return errors;
    }
    if ctx.account.account_id != org.management_account_id && partial.is_empty() {
        return vec![Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            format!(
                "A member account: the organization's aggregator is evaluated in the management account {} (or the AWS Config delegated administrator).",
                org.management_account_id
            ),
        )];
    }
    let detail = if partial.is_empty() {
        format!(
            "The management account has no AWS Config aggregator over organization {}.",
            org.id
        )
    } else {
        format!(
            "Organization aggregators miss scanned regions: {}.",
            partial.join("; ")
        )
    };
    vec![Outcome::fail(ctx.home(), ctx.account_resource(), detail)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{AccountEvidence, AggregatorRegions, ConfigAggregator};
    use crate::model::Finding;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";

    fn now() -> chrono::DateTime<chrono::Utc> {
        at("2026-11-01T00:00:00Z")
    }

    fn run(check: &str, a: AccountEvidence) -> Vec<Finding> {
        crate::checks::testing::run_check(check, a, &[], now())
    }

    fn in_org(mut a: AccountEvidence, management: &str) -> AccountEvidence {
        a.organization = Some(Ok(Some(OrganizationInfo {
            id: "o-abc123".into(),
            management_account_id: management.into(),
            feature_set: "ALL".into(),
        })));
        a
    }

    fn with_org_trail(mut a: AccountEvidence, logging: bool) -> AccountEvidence {
        let mut t = trail("999999999999", "org", "us-east-1", "log-archive");
        t.is_organization_trail = true;
        if let Ok(s) = &mut t.status {
            s.is_logging = logging;
        }
        a.cloudtrail.trails.insert(t.arn.clone(), t);
        a
    }

    #[test]
    fn organization_trail_statuses() {
        let base = || compliant_account(ACCT, &["us-east-1", "eu-west-1"], now());
        let r = run(
            "cloudtrail_organization_trail",
            with_org_trail(in_org(base(), "999999999999"), true),
        );
        assert_eq!(r[0].status, Status::Pass, "{r:?}");
        assert!(r[0].detail.contains("owned by account 999999999999"));
        let r = run(
            "cloudtrail_organization_trail",
            with_org_trail(in_org(base(), "999999999999"), false),
        );
        assert_eq!(r[0].status, Status::Fail);
        assert!(r[0].detail.contains("not logging"));
        let r = run(
            "cloudtrail_organization_trail",
            in_org(base(), "999999999999"),
        );
        assert_eq!(r[0].status, Status::Fail);
        let r = run("cloudtrail_organization_trail", base());
        assert_eq!(r[0].status, Status::NotApplicable);
        let mut denied_org = base();
        denied_org.organization = Some(Err(denied(
            "organizations:DescribeOrganization",
            "us-east-1",
            ACCT,
        )));
        let r = run("cloudtrail_organization_trail", denied_org);
        assert_eq!(r[0].status, Status::Error);
        let mut unreadable = with_org_trail(in_org(base(), "999999999999"), true);
        for t in unreadable.cloudtrail.trails.values_mut() {
            if t.is_organization_trail {
                t.status = Err(denied("cloudtrail:GetTrailStatus", "us-east-1", ACCT));
            }
        }
        let r = run("cloudtrail_organization_trail", unreadable);
        assert!(r.iter().all(|f| f.status == Status::Error), "{r:?}");
        let mut old = base();
        old.organization = None;
        assert_eq!(
            run("cloudtrail_organization_trail", old)[0].status,
            Status::Error
        );
    }

    fn with_aggregator(mut a: AccountEvidence, source: AggregatorRegions) -> AccountEvidence {
        if let Some(r) = a.regional.get_mut("us-east-1") {
            r.config.aggregators = Some(Ok(vec![ConfigAggregator {
                name: "org".into(),
                arn: "arn:aws:config:us-east-1:111122223333:config-aggregator/config-aggregator-1"
                    .into(),
                organization_source: Some(source),
                account_sources: vec![],
            }]));
        }
        a
    }

    #[test]
    fn organization_aggregator_statuses() {
        let base = || compliant_account(ACCT, &["us-east-1", "eu-west-1"], now());
        let all = AggregatorRegions {
            all_regions: true,
            regions: vec![],
        };
        let r = run(
            "config_organization_aggregator",
            with_aggregator(in_org(base(), ACCT), all),
        );
        assert_eq!(r[0].status, Status::Pass, "{r:?}");
        let some = AggregatorRegions {
            all_regions: false,
            regions: vec!["us-east-1".into()],
        };
        let r = run(
            "config_organization_aggregator",
            with_aggregator(in_org(base(), ACCT), some),
        );
        assert_eq!(r[0].status, Status::Fail);
        assert!(r[0].detail.contains("miss scanned regions"));
        // The management account without one fails; a member is not where it lives.
        assert_eq!(
            run("config_organization_aggregator", in_org(base(), ACCT))[0].status,
            Status::Fail
        );
        assert_eq!(
            run(
                "config_organization_aggregator",
                in_org(base(), "999999999999")
            )[0]
            .status,
            Status::NotApplicable
        );
        assert_eq!(
            run("config_organization_aggregator", base())[0].status,
            Status::NotApplicable
        );
        let mut denied_agg = in_org(base(), ACCT);
        if let Some(r) = denied_agg.regional.get_mut("eu-west-1") {
            r.config.aggregators = Some(Err(denied(
                "config:DescribeConfigurationAggregators",
                "eu-west-1",
                ACCT,
            )));
        }
        let r = run("config_organization_aggregator", denied_agg);
        assert_eq!(
            (r[0].status, r[0].region.as_str()),
            (Status::Error, "eu-west-1")
        );
    }
}

/// Shared by the GuardDuty and Security Hub checks: in the management account, one finding per
/// region on whether `principal` has a delegated administrator that auto-enables new accounts.
fn delegated_admin(ctx: &CheckContext, principal: &str, service: &str) -> Vec<Outcome> {
    let org = match organization(ctx) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let home = ctx.home();
    if ctx.account.account_id != org.management_account_id {
        return vec![Outcome::not_applicable(
            home,
            ctx.account_resource(),
            format!(
                "A member account: {service}'s delegated administrator is evaluated in the management account {}.",
                org.management_account_id
            ),
        )];
    }
    let admins = match ctx.account.delegated_admins.get(principal) {
        None => {
            return vec![Outcome::not_collected(
                home,
                ctx.account_resource(),
                &format!("delegated administrators for {principal}"),
            )]
        }
        Some(Err(e)) => return vec![Outcome::error(home, ctx.account_resource(), e)],
        Some(Ok(a)) => a,
    };
    let Some(admin) = admins.first() else {
        return vec![Outcome::fail(
            home,
            ctx.account_resource(),
            format!(
                "{service} has no delegated administrator in organization {}.",
                org.id
            ),
        )];
    };
    let admin_evidence = ctx
        .evidence
        .accounts
        .iter()
        .find(|a| &a.account_id == admin);
    ctx.account
        .regions
        .iter()
        .map(|region| {
            let config = admin_evidence
                .and_then(|a| a.admin_configs.get(principal))
                .and_then(|by_region| by_region.get(region));
            match config {
                None => Outcome::new(
                    region,
                    ctx.account_resource(),
                    Status::Error,
                    format!(
                        "could not evaluate: the delegated administrator {admin} was not scanned in {region} in this run, so its auto-enable setting is unknown (scan the organization with --org)"
                    ),
                ),
                Some(Err(e)) => Outcome::error(region, ctx.account_resource(), e),
                Some(Ok(c)) if c.auto_enable => Outcome::pass(
                    region,
                    ctx.account_resource(),
                    format!("{service} in {region}: delegated administrator {admin} enables new member accounts ({}).", c.setting),
                ),
                Some(Ok(c)) => Outcome::fail(
                    region,
                    ctx.account_resource(),
                    format!("{service} in {region}: delegated administrator {admin} does not enable new member accounts ({}).", c.setting),
                ),
            }
            .with_evidence(json!({ "delegated_administrator": admin, "service_principal": principal }))
        })
        .collect()
}

pub fn guardduty_admin(ctx: &CheckContext) -> Vec<Outcome> {
    delegated_admin(ctx, crate::evidence::GUARDDUTY_PRINCIPAL, "GuardDuty")
}

pub fn securityhub_admin(ctx: &CheckContext) -> Vec<Outcome> {
    delegated_admin(ctx, crate::evidence::SECURITYHUB_PRINCIPAL, "Security Hub")
}

#[cfg(test)]
mod admin_tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::{evaluate, Selection};
    use crate::evidence::{Evidence, OrgAutoEnable, GUARDDUTY_PRINCIPAL, SECURITYHUB_PRINCIPAL};
    use crate::testkit::*;

    const MGMT: &str = "111111111111";
    const SECURITY: &str = "222222222222";

    fn now() -> chrono::DateTime<chrono::Utc> {
        at("2026-11-01T00:00:00Z")
    }

    fn org_account(id: &str) -> crate::evidence::AccountEvidence {
        let mut a = compliant_account(id, &["us-east-1", "eu-west-1"], now());
        a.organization = Some(Ok(Some(OrganizationInfo {
            id: "o-1".into(),
            management_account_id: MGMT.into(),
            feature_set: "ALL".into(),
        })));
        a
    }

    fn org(admins: Vec<String>, config: Option<(bool, bool)>) -> Evidence {
        let mut mgmt = org_account(MGMT);
        mgmt.delegated_admins
            .insert(GUARDDUTY_PRINCIPAL.into(), Ok(admins.clone()));
        mgmt.delegated_admins
            .insert(SECURITYHUB_PRINCIPAL.into(), Ok(admins));
        let mut security = org_account(SECURITY);
        if let Some((us, eu)) = config {
            let by_region: BTreeMap<String, _> = [("us-east-1", us), ("eu-west-1", eu)]
                .into_iter()
                .map(|(r, on)| {
                    (
                        r.to_string(),
                        Ok(OrgAutoEnable {
                            auto_enable: on,
                            setting: format!("AutoEnable={on}"),
                        }),
                    )
                })
                .collect();
            security
                .admin_configs
                .insert(GUARDDUTY_PRINCIPAL.into(), by_region.clone());
            security
                .admin_configs
                .insert(SECURITYHUB_PRINCIPAL.into(), by_region);
        }
        evidence_of(vec![mgmt, security], now())
    }

    fn statuses(e: &Evidence, check: &str, account: &str) -> Vec<(String, Status)> {
        let sel = Selection {
            checks: vec![check.into()],
            ..Default::default()
        };
        evaluate(e, &sel, now())
            .into_iter()
            .filter(|f| f.account_id == account)
            .map(|f| (f.region, f.status))
            .collect()
    }

    #[test]
    fn admin_with_auto_enable_passes_per_region_and_members_are_not_applicable() {
        for check in [
            "guardduty_organization_admin",
            "securityhub_organization_admin",
        ] {
            let e = org(vec![SECURITY.into()], Some((true, false)));
            let s = statuses(&e, check, MGMT);
            assert!(
                s.contains(&("us-east-1".into(), Status::Pass)),
                "{check}: {s:?}"
            );
            assert!(
                s.contains(&("eu-west-1".into(), Status::Fail)),
                "{check}: {s:?}"
            );
            assert_eq!(
                statuses(&e, check, SECURITY),
                [("us-east-1".to_string(), Status::NotApplicable)]
            );
        }
    }

    #[test]
    fn no_admin_fails_and_an_unscanned_admin_is_an_error() {
        let e = org(vec![], None);
        assert_eq!(
            statuses(&e, "guardduty_organization_admin", MGMT),
            [("us-east-1".to_string(), Status::Fail)]
        );
        let e = org(vec!["333333333333".into()], None);
        let s = statuses(&e, "securityhub_organization_admin", MGMT);
        assert!(s.iter().all(|(_, st)| *st == Status::Error), "{s:?}");
    }

    #[test]
    fn a_denied_listing_is_an_error_and_no_org_is_not_applicable() {
        let mut e = org(vec![SECURITY.into()], Some((true, true)));
        e.accounts[0].delegated_admins.insert(
            GUARDDUTY_PRINCIPAL.into(),
            Err(denied(
                "organizations:ListDelegatedAdministrators",
                "us-east-1",
                MGMT,
            )),
        );
        assert_eq!(
            statuses(&e, "guardduty_organization_admin", MGMT),
            [("us-east-1".to_string(), Status::Error)]
        );
        let alone = evidence_of(vec![compliant_account(MGMT, &["us-east-1"], now())], now());
        assert_eq!(
            statuses(&alone, "securityhub_organization_admin", MGMT),
            [("us-east-1".to_string(), Status::NotApplicable)]
        );
    }
}
