//! CIS monitoring recommendations (v7.0.0 5.1–5.15): a metric filter and alarm for each class of
//! events, followed along the whole chain.
//!
//! A recommendation is met when one chain is complete:
//! a multi-region trail that is logging and records read and write management events →
//! the CloudWatch Logs group it delivers to → a metric filter on that group whose pattern
//! **semantically covers** the check's `filter_pattern` ([`super::filter_pattern::covers`]: every
//! event the CIS pattern matches, the filter matches too) → an alarm, with actions enabled, on
//! the metric the filter publishes → an SNS topic among its actions → a confirmed subscription.
//!
//! The log group, its filters and alarms are looked up in the account and region the log group's
//! ARN names, so an organization trail delivering to the management account is followed there
//! when that account is in the same scan. A link that could not be read makes the verdict ERROR,
//! never FAIL, unless another chain is complete.

use serde_json::{json, Value};

use super::cloudtrail::{describe_errors, management_coverage};
use super::filter_pattern::{self, Pattern};
use super::{CheckContext, Outcome};
use crate::evidence::{AccountEvidence, CollectError, MetricFilter, RegionEvidence, Trail};
use crate::model::Status;

/// Where a chain stopped, ordered by how far it got: the furthest explains the FAIL best.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Stop {
    NoTrail,
    TrailNotQualifying,
    NoLogGroup,
    NoFilter,
    NoAlarm,
    NoTopic,
    NoSubscription,
}

struct Chain {
    stop: Stop,
    reason: String,
}

/// The pieces of an ARN: (service, region, account, resource).
fn arn_parts(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    Some((service, region, account, resource))
}

/// `arn:aws:logs:us-east-1:111122223333:log-group:NAME:*` → (region, account, NAME).
fn log_group_of(arn: &str) -> Option<(&str, &str, &str)> {
    let (service, region, account, resource) = arn_parts(arn)?;
    if service != "logs" {
        return None;
    }
    let name = resource.strip_prefix("log-group:")?;
    let name = name.strip_suffix(":*").unwrap_or(name);
    Some((region, account, name))
}

/// The evidence of `account_id`: this account's, or another scanned account's.
fn account_evidence<'a>(ctx: &'a CheckContext, account_id: &str) -> Option<&'a AccountEvidence> {
    if ctx.account.account_id == account_id {
        return Some(ctx.account);
    }
    ctx.evidence
        .accounts
        .iter()
        .find(|a| a.account_id == account_id)
}

/// What a chain search found: a complete chain, or where each chain stopped and what could not
/// be read.
#[derive(Default)]
struct Search {
    complete: Option<Value>,
    chains: Vec<Chain>,
    errors: Vec<CollectError>,
    /// Links that could not be followed for a reason other than an API error.
    unverifiable: Vec<String>,
}

impl Search {
    fn stop(&mut self, stop: Stop, reason: String) {
        self.chains.push(Chain { stop, reason });
    }
}

fn region_of<'a>(
    search: &mut Search,
    owner: &'a AccountEvidence,
    region: &str,
) -> Option<&'a RegionEvidence> {
    let found = owner.regional.get(region);
    if found.is_none() {
        search.unverifiable.push(format!(
            "region {region} of account {} was not scanned",
            owner.account_id
        ));
    }
    found
}

fn follow_trail(ctx: &CheckContext, required: &Pattern, trail: &Trail, search: &mut Search) {
    if !trail.is_multi_region {
        search.stop(
            Stop::TrailNotQualifying,
            format!("trail {} is single-region", trail.name),
        );
        return;
    }
    let status = match &trail.status {
        Ok(s) => s,
        Err(e) => return search.errors.push(e.clone()),
    };
    let selectors = match &trail.selectors {
        Ok(s) => s,
        Err(e) => return search.errors.push(e.clone()),
    };
    if !status.is_logging {
        search.stop(
            Stop::TrailNotQualifying,
            format!("trail {} is not logging", trail.name),
        );
        return;
    }
    if management_coverage(selectors) != (true, true) {
        search.stop(
            Stop::TrailNotQualifying,
            format!(
                "trail {} does not record all read and write management events",
                trail.name
            ),
        );
        return;
    }
    let Some(group_arn) = &trail.cloudwatch_logs_log_group_arn else {
        search.stop(
            Stop::NoLogGroup,
            format!("trail {} does not deliver to CloudWatch Logs", trail.name),
        );
        return;
    };
    let Some((region, account, group)) = log_group_of(group_arn) else {
        search.unverifiable.push(format!(
            "trail {} names a log group ARN warden cannot read: {group_arn}",
            trail.name
        ));
        return;
    };
    let Some(owner) = account_evidence(ctx, account) else {
        search.unverifiable.push(format!(
            "trail {} delivers to log group {group} in account {account}, which this scan did not include (scan it too, e.g. with --org)",
            trail.name
        ));
        return;
    };
    let Some(regional) = region_of(search, owner, region) else {
        return;
    };
    let filters = match &regional.metric_filters {
        Ok(f) => f,
        Err(e) => return search.errors.push(e.clone()),
    };
    let on_group: Vec<&MetricFilter> = filters
        .iter()
        .filter(|f| f.log_group_name == group)
        .collect();
    let mut unparsed = Vec::new();
    let covering: Vec<&MetricFilter> = on_group
        .iter()
        .copied()
        .filter(|f| match filter_pattern::parse(&f.pattern) {
            Ok(p) => filter_pattern::covers(&p, required),
            Err(e) => {
                unparsed.push(format!("{} ({e})", f.name));
                false
            }
        })
        .collect();
    if covering.is_empty() {
        let mut reason = format!(
            "none of the {} metric filter(s) on log group {group} (trail {}) covers the required pattern",
            on_group.len(),
            trail.name
        );
        if !unparsed.is_empty() {
            reason.push_str(&format!(
                "; patterns that do not parse: {}",
                unparsed.join(", ")
            ));
        }
        search.stop(Stop::NoFilter, reason);
        return;
    }
    let alarms = match &regional.alarms {
        Ok(a) => a,
        Err(e) => return search.errors.push(e.clone()),
    };
    let mut best = (Stop::NoAlarm, String::new());
    for filter in &covering {
        for (namespace, metric) in &filter.metrics {
            for alarm in alarms.iter().filter(|a| {
                a.namespace.as_deref() == Some(namespace.as_str())
                    && a.metric_name.as_deref() == Some(metric.as_str())
            }) {
                let topics: Vec<&String> = alarm
                    .alarm_actions
                    .iter()
                    .filter(|a| arn_parts(a).is_some_and(|p| p.0 == "sns"))
                    .collect();
                if !alarm.actions_enabled || topics.is_empty() {
                    let why = if alarm.actions_enabled {
                        "notifies no SNS topic"
                    } else {
                        "has its actions disabled"
                    };
                    if best.0 <= Stop::NoTopic {
                        best = (
                            Stop::NoTopic,
                            format!(
                                "alarm {} on {namespace}/{metric} (filter {}) {why}",
                                alarm.name, filter.name
                            ),
                        );
                    }
                    continue;
                }
                for topic in topics {
                    let Some((_, topic_region, topic_account, _)) = arn_parts(topic) else {
                        continue;
                    };
                    let Some(topic_owner) = account_evidence(ctx, topic_account) else {
                        search.unverifiable.push(format!(
                            "alarm {} notifies topic {topic} in account {topic_account}, which this scan did not include",
                            alarm.name
                        ));
                        continue;
                    };
                    let Some(topic_regional) = region_of(search, topic_owner, topic_region) else {
                        continue;
                    };
                    let subs = match &topic_regional.sns_subscriptions {
                        Ok(s) => s,
                        Err(e) => {
                            search.errors.push(e.clone());
                            continue;
                        }
                    };
                    let confirmed: Vec<_> = subs
                        .iter()
                        .filter(|s| &s.topic_arn == topic && s.is_confirmed())
                        .collect();
                    if let Some(sub) = confirmed.first() {
                        search.complete = Some(json!({
                            "trail": trail.arn,
                            "log_group": group_arn,
                            "metric_filter": filter.name,
                            "filter_pattern": filter.pattern,
                            "metric": format!("{namespace}/{metric}"),
                            "alarm": alarm.arn,
                            "sns_topic": topic,
                            "subscription": { "protocol": sub.protocol, "arn": sub.subscription_arn },
                        }));
                        return;
                    }
                    best = (
                        Stop::NoSubscription,
                        format!(
                            "alarm {} notifies topic {topic}, which has no confirmed subscription",
                            alarm.name
                        ),
                    );
                }
            }
        }
    }
    if best.1.is_empty() {
        let metrics: Vec<String> = covering
            .iter()
            .flat_map(|f| f.metrics.iter().map(|(n, m)| format!("{n}/{m}")))
            .collect();
        best.1 = format!(
            "no alarm watches the metric of filter(s) {} ({})",
            covering
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            metrics.join(", ")
        );
    }
    search.stop(best.0, best.1);
}

/// Evaluates one monitoring recommendation: the check's TOML gives the required pattern.
pub fn metric_filter_alarm(ctx: &CheckContext) -> Vec<Outcome> {
    let Some(text) = &ctx.meta.filter_pattern else {
        panic!("check {} has no filter_pattern in its TOML", ctx.meta.id);
    };
    let required = filter_pattern::parse(text).unwrap_or_else(|e| {
        panic!(
            "check {}: its filter_pattern does not parse: {e}",
            ctx.meta.id
        )
    });
    let mut search = Search::default();
    for trail in ctx.account.cloudtrail.trails.values() {
        follow_trail(ctx, &required, trail, &mut search);
        if let Some(chain) = search.complete.take() {
            let detail = format!(
                "Metric filter {} on {} catches every event the CIS pattern does; alarm {} notifies {} ({} subscription confirmed).",
                chain["metric_filter"].as_str().unwrap_or_default(),
                chain["log_group"].as_str().unwrap_or_default(),
                chain["alarm"].as_str().unwrap_or_default(),
                chain["sns_topic"].as_str().unwrap_or_default(),
                chain["subscription"]["protocol"].as_str().unwrap_or_default(),
            );
            return vec![Outcome::pass(ctx.home(), ctx.account_resource(), detail)
                .with_evidence(json!({ "chain": chain, "required_pattern": text }))];
        }
    }
    // No complete chain. An unreadable link could have completed one.
    let mut errors = describe_errors(ctx);
    errors.extend(
        search
            .errors
            .iter()
            .map(|e| Outcome::error(&e.region, ctx.account_resource(), e)),
    );
    if !errors.is_empty() {
        return errors;
    }
    if !search.unverifiable.is_empty() {
        return vec![Outcome::new(
            ctx.home(),
            ctx.account_resource(),
            Status::Error,
            format!("could not evaluate: {}.", search.unverifiable.join("; ")),
        )
        .with_evidence(json!({ "required_pattern": text }))];
    }
    if search.chains.is_empty() {
        search.stop(
            Stop::NoTrail,
            "no CloudTrail trail exists in the scanned regions".to_string(),
        );
    }
    search.chains.sort_by(|a, b| b.stop.cmp(&a.stop));
    let furthest = search.chains[0].stop.clone();
    let reasons: Vec<&str> = search
        .chains
        .iter()
        .filter(|c| c.stop == furthest)
        .map(|c| c.reason.as_str())
        .collect();
    let others: Vec<&str> = search
        .chains
        .iter()
        .filter(|c| c.stop != furthest)
        .map(|c| c.reason.as_str())
        .collect();
    let mut detail = format!(
        "No complete trail → metric filter → alarm → SNS subscription chain: {}.",
        reasons.join("; ")
    );
    if !others.is_empty() {
        detail.push_str(&format!(" Also: {}.", others.join("; ")));
    }
    vec![
        Outcome::fail(ctx.home(), ctx.account_resource(), detail).with_evidence(json!({
            "required_pattern": text,
            "trails": ctx.account.cloudtrail.trails.keys().collect::<Vec<_>>(),
        })),
    ]
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::checks::testing::{expect, one, run_check};
    use crate::checks::{evaluate, Catalog, Selection};
    use crate::evidence::{AccountEvidence, MetricFilter};
    use crate::model::Status;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";
    const ROOT: &str = "monitoring_root_usage";
    const MFA: &str = "monitoring_console_signin_without_mfa";
    const UNAUTHORIZED: &str = "monitoring_unauthorized_api_calls";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    fn account() -> AccountEvidence {
        compliant_account(ACCT, &["us-east-1", "eu-west-1"], now())
    }

    fn home(a: &mut AccountEvidence) -> &mut crate::evidence::RegionEvidence {
        a.regional.get_mut("us-east-1").unwrap()
    }

    /// Replaces the pattern of `check`'s filter.
    fn with_pattern(check: &str, pattern: &str) -> AccountEvidence {
        let mut a = account();
        let filters = home(&mut a).metric_filters.as_mut().unwrap();
        filters
            .iter_mut()
            .find(|f| f.name == check)
            .unwrap()
            .pattern = pattern.to_string();
        a
    }

    fn monitoring_ids() -> Vec<String> {
        Catalog::builtin()
            .checks
            .values()
            .filter(|m| m.filter_pattern.is_some())
            .map(|m| m.id.clone())
            .collect()
    }

    #[test]
    fn fifteen_checks_with_parseable_patterns_all_pass_on_the_complete_chain() {
        let ids = monitoring_ids();
        assert_eq!(ids.len(), 15);
        for id in ids {
            let f = one(
                run_check(&id, account(), &[], now()),
                Status::Pass,
                &["cis-alarms", "email"],
            );
            assert_eq!(f.evidence["chain"]["metric_filter"], id.as_str());
        }
    }

    #[test]
    fn an_equivalent_or_broader_filter_passes() {
        for (check, pattern) in [
            // Reordered, re-spaced, unquoted.
            (ROOT, "{$.eventType!=\"AwsServiceEvent\"&&($.userIdentity.invokedBy NOT EXISTS)&&$.userIdentity.type=Root}"),
            // CIS v1.x's broader console-without-MFA pattern.
            (MFA, "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }"),
            // CIS's own text for 5.1, without the grouping parentheses.
            (UNAUTHORIZED, "{($.errorCode =\"*UnauthorizedOperation\") || ($.errorCode =\"AccessDenied*\") && ($.sourceIPAddress!=\"delivery.logs.amazonaws.com\") && ($.eventName!=\"HeadBucket\")}"),
            // The classic two-term version.
            (UNAUTHORIZED, "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }"),
        ] {
            one(run_check(check, with_pattern(check, pattern), &[], now()), Status::Pass, &[]);
        }
    }

    #[test]
    fn a_narrower_filter_or_a_text_match_fails() {
        for (check, pattern) in [
            (ROOT, "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" && $.awsRegion = \"us-east-1\" }"),
            (MFA, "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed = \"Yes\") }"),
            (UNAUTHORIZED, "{ $.errorCode = \"AccessDenied\" }"),
            // A regex peer would accept this: the CIS text appears, but as a text term.
            (ROOT, "\"$.userIdentity.type = Root\""),
        ] {
            let f = one(
                run_check(check, with_pattern(check, pattern), &[], now()),
                Status::Fail,
                &["covers the required pattern"],
            );
            assert!(f.evidence["required_pattern"].is_string());
        }
    }

    #[test]
    fn an_unparseable_pattern_is_named() {
        one(
            run_check(
                ROOT,
                with_pattern(ROOT, "{ $.userIdentity.type = "),
                &[],
                now(),
            ),
            Status::Fail,
            &["do not parse", ROOT],
        );
    }

    #[test]
    fn each_missing_link_is_explained() {
        let mut a = account();
        home(&mut a)
            .alarms
            .as_mut()
            .unwrap()
            .retain(|al| al.name != ROOT);
        one(
            run_check(ROOT, a, &[], now()),
            Status::Fail,
            &["no alarm watches"],
        );

        let mut a = account();
        for al in home(&mut a).alarms.as_mut().unwrap() {
            al.actions_enabled = false;
        }
        one(
            run_check(ROOT, a, &[], now()),
            Status::Fail,
            &["actions disabled"],
        );

        let mut a = account();
        for al in home(&mut a).alarms.as_mut().unwrap() {
            al.alarm_actions = vec!["arn:aws:automate:us-east-1:ec2:stop".to_string()];
        }
        one(
            run_check(ROOT, a, &[], now()),
            Status::Fail,
            &["notifies no SNS topic"],
        );

        let mut a = account();
        home(&mut a).sns_subscriptions.as_mut().unwrap()[0].subscription_arn =
            "PendingConfirmation".to_string();
        one(
            run_check(ROOT, a, &[], now()),
            Status::Fail,
            &["no confirmed subscription"],
        );

        // The filter sits on another log group than the trail's.
        let mut a = account();
        for f in home(&mut a).metric_filters.as_mut().unwrap() {
            f.log_group_name = "app-logs".to_string();
        }
        one(
            run_check(ROOT, a, &[], now()),
            Status::Fail,
            &["none of the 0 metric filter"],
        );
    }

    #[test]
    fn the_trail_must_qualify() {
        type Edit = fn(&mut crate::evidence::Trail);
        let edits: [(Edit, &str); 4] = [
            (|t| t.is_multi_region = false, "single-region"),
            (
                |t| t.status.as_mut().unwrap().is_logging = false,
                "not logging",
            ),
            (
                |t| t.selectors.as_mut().unwrap().basic[0].include_management_events = false,
                "management events",
            ),
            (
                |t| t.cloudwatch_logs_log_group_arn = None,
                "does not deliver to CloudWatch Logs",
            ),
        ];
        for (edit, words) in edits {
            let mut a = account();
            a.cloudtrail.trails.values_mut().for_each(edit);
            one(run_check(ROOT, a, &[], now()), Status::Fail, &[words]);
        }
        let mut a = account();
        a.cloudtrail.trails.clear();
        one(
            run_check(ROOT, a, &[], now()),
            Status::Fail,
            &["no CloudTrail trail"],
        );
    }

    #[test]
    fn an_unreadable_link_is_an_error_never_a_fail() {
        let mut a = account();
        home(&mut a).metric_filters = Err(denied("logs:DescribeMetricFilters", "us-east-1", ACCT));
        one(
            run_check(ROOT, a, &[], now()),
            Status::Error,
            &["logs:DescribeMetricFilters"],
        );

        let mut a = account();
        home(&mut a).sns_subscriptions = Err(denied("sns:ListSubscriptions", "us-east-1", ACCT));
        one(
            run_check(ROOT, a, &[], now()),
            Status::Error,
            &["sns:ListSubscriptions"],
        );

        let mut a = account();
        a.cloudtrail
            .trails
            .values_mut()
            .for_each(|t| t.status = Err(denied("cloudtrail:GetTrailStatus", "us-east-1", ACCT)));
        one(
            run_check(ROOT, a, &[], now()),
            Status::Error,
            &["cloudtrail:GetTrailStatus"],
        );

        // The log group's region was not scanned.
        let mut a = account();
        a.cloudtrail.trails.values_mut().for_each(|t| {
            t.cloudwatch_logs_log_group_arn = Some(format!(
                "arn:aws:logs:ap-south-1:{ACCT}:log-group:cloudtrail:*"
            ))
        });
        one(
            run_check(ROOT, a, &[], now()),
            Status::Error,
            &["ap-south-1", "not scanned"],
        );

        // A complete chain wins over an unreadable region elsewhere.
        let mut a = account();
        a.regional.get_mut("eu-west-1").unwrap().metric_filters =
            Err(denied("logs:DescribeMetricFilters", "eu-west-1", ACCT));
        one(run_check(ROOT, a, &[], now()), Status::Pass, &[]);
    }

    #[test]
    fn an_organization_trail_is_followed_into_the_management_account() {
        const MGMT: &str = "999988887777";
        let management = compliant_account(MGMT, &["us-east-1"], now());
        let mut member = compliant_account(ACCT, &["us-east-1"], now());
        let org_trail = management
            .cloudtrail
            .trails
            .values()
            .next()
            .unwrap()
            .clone();
        member.cloudtrail.trails.clear();
        member
            .cloudtrail
            .trails
            .insert(org_trail.arn.clone(), org_trail);
        // The member's own region has no filters: the chain must be found in the management
        // account.
        home(&mut member).metric_filters = Ok(Vec::<MetricFilter>::new());

        let selection = Selection {
            checks: vec![ROOT.to_string()],
            ..Default::default()
        };
        let both = evidence_of(vec![member.clone(), management], now());
        let findings = evaluate(&both, &selection, now());
        let of_member: Vec<_> = findings.iter().filter(|f| f.account_id == ACCT).collect();
        assert_eq!(of_member.len(), 1);
        expect(of_member[0], Status::Pass, &[MGMT]);

        // Without the management account in the scan, the member cannot be judged.
        one(
            run_check(ROOT, member, &[], now()),
            Status::Error,
            &[MGMT, "did not include"],
        );
    }
}
