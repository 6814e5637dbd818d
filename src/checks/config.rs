//! AWS Config checks.

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::{ConfigEvidence, ConfigRecorder};

fn records_all_types(r: &ConfigRecorder) -> bool {
    r.all_supported || r.strategy.as_deref() == Some("ALL_SUPPORTED_RESOURCE_TYPES")
}

/// Why a region's Config setup falls short; `Err` when it could not be read.
fn region_shortfalls(
    config: &ConfigEvidence,
) -> Result<(Vec<String>, serde_json::Value), &crate::evidence::CollectError> {
    let recorders = config.recorders.as_ref()?;
    let statuses = config.recorder_statuses.as_ref()?;
    let channels = config.delivery_channels.as_ref()?;
    let mut why = Vec::new();
    match recorders.first() {
        None => why.push("no configuration recorder".to_string()),
        Some(rec) => {
            if !records_all_types(rec) {
                why.push(format!(
                    "recorder {} does not record all resource types",
                    rec.name
                ));
            }
            match statuses.iter().find(|s| s.name == rec.name) {
                Some(s) if s.recording => {
                    if s.last_status
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case("failure"))
                    {
                        why.push(format!("recorder {}'s last recording failed", rec.name));
                    }
                }
                _ => why.push(format!("recorder {} is not recording", rec.name)),
            }
        }
    }
    if channels.is_empty() {
        why.push("no delivery channel".to_string());
    }
    let evidence = json!({
        "recorders": recorders,
        "recorder_statuses": statuses,
        "delivery_channels": channels,
    });
    Ok((why, evidence))
}

pub fn recorder_all_regions(ctx: &CheckContext) -> Vec<Outcome> {
    let global_recorded = ctx.account.regional.values().any(|r| {
        r.config
            .recorders
            .as_ref()
            .is_ok_and(|recs| recs.iter().any(|rec| rec.include_global_resource_types))
    });
    let any_config_error = ctx
        .account
        .regional
        .values()
        .any(|r| r.config.recorders.is_err());
    // Global types are judged once: in the home region, or the first scanned region when the
    // home region was not scanned.
    let global_region = if ctx.account.regional.contains_key(ctx.home()) {
        Some(ctx.home())
    } else {
        ctx.account.regional.keys().next().map(String::as_str)
    };
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let outcome = match region_shortfalls(&evidence.config) {
            Err(e) => Outcome::error(region, ctx.account_resource(), e),
            Ok((mut why, evidence)) => {
                // Global types (IAM) need recording once per account; not judged when a region
                // we could not read might be the one recording them.
                if Some(region.as_str()) == global_region && !global_recorded && !any_config_error {
                    why.push(
                        "no region records global resource types (IAM users, roles, policies)"
                            .to_string(),
                    );
                }
                if why.is_empty() {
                    Outcome::pass(
                        region,
                        ctx.account_resource(),
                        format!(
                            "AWS Config records all resource types in {region} and delivers them."
                        ),
                    )
                } else {
                    Outcome::fail(
                        region,
                        ctx.account_resource(),
                        format!("AWS Config in {region}: {}.", why.join("; ")),
                    )
                }
                .with_evidence(evidence)
            }
        };
        out.push(outcome);
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
    use chrono::{DateTime, Utc};

    use crate::evidence::*;
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const CHECK: &str = "config_recorder_all_regions";
    const ACCT: &str = "111122223333";
    const HOME: &str = "us-east-1";
    const OTHER: &str = "eu-west-1";
    const ACCOUNT_ID: &str = "AWS::::Account:111122223333";
    const GLOBAL: &str = "no region records global resource types";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    /// Config on in both regions; global resource types recorded in us-east-1 only.
    fn account() -> AccountEvidence {
        compliant_account(ACCT, &[HOME, OTHER], now())
    }

    fn config<'a>(a: &'a mut AccountEvidence, region: &str) -> &'a mut ConfigEvidence {
        &mut a.regional.get_mut(region).unwrap().config
    }

    fn with_config(region: &str, edit: impl FnOnce(&mut ConfigEvidence)) -> AccountEvidence {
        let mut a = account();
        edit(config(&mut a, region));
        a
    }

    fn run(account: AccountEvidence) -> Vec<Finding> {
        let findings = crate::checks::testing::run_check(CHECK, account, &[], now());
        assert!(
            findings.iter().all(|f| f.resource.id == ACCOUNT_ID),
            "{findings:#?}"
        );
        findings
    }

    /// The finding of `region`, with the status and words expected.
    fn at_region(findings: &[Finding], region: &str, status: Status, words: &[&str]) -> Finding {
        let here: Vec<&Finding> = findings.iter().filter(|f| f.region == region).collect();
        assert_eq!(here.len(), 1, "{region}: {findings:#?}");
        let f = here[0].clone();
        assert_eq!(f.status, status, "{f:#?}");
        for w in words {
            assert!(f.detail.contains(w), "detail lacks {w:?}: {}", f.detail);
        }
        f
    }

    fn recorder(a: &mut ConfigEvidence) -> &mut ConfigRecorder {
        &mut a.recorders.as_mut().unwrap()[0]
    }

    #[test]
    fn recording_everywhere_passes_per_region() {
        let findings = run(account());
        assert_eq!(findings.len(), 2, "{findings:#?}");
        at_region(
            &findings,
            HOME,
            Status::Pass,
            &["records all resource types in us-east-1"],
        );
        at_region(&findings, OTHER, Status::Pass, &["in eu-west-1"]);
    }

    #[test]
    fn stopped_recorder_fails_in_its_region_only() {
        let a = with_config(OTHER, |c| {
            c.recorder_statuses.as_mut().unwrap()[0].recording = false
        });
        let findings = run(a);
        at_region(
            &findings,
            OTHER,
            Status::Fail,
            &["eu-west-1", "recorder default is not recording"],
        );
        at_region(&findings, HOME, Status::Pass, &[]);
        // A recorder without any status is not recording either.
        let a = with_config(OTHER, |c| c.recorder_statuses = Ok(vec![]));
        at_region(&run(a), OTHER, Status::Fail, &["is not recording"]);
    }

    #[test]
    fn region_never_set_up_fails() {
        let a = with_config(OTHER, |c| {
            *c = ConfigEvidence {
                recorders: Ok(vec![]),
                recorder_statuses: Ok(vec![]),
                delivery_channels: Ok(vec![]),
                aggregators: Some(Ok(vec![])),
            }
        });
        at_region(
            &run(a),
            OTHER,
            Status::Fail,
            &["no configuration recorder", "no delivery channel"],
        );
    }

    #[test]
    fn partial_recording_failed_recording_or_no_channel_fails() {
        let a = with_config(OTHER, |c| {
            let r = recorder(c);
            r.all_supported = false;
            r.strategy = Some("INCLUSION_BY_RESOURCE_TYPES".to_string());
        });
        at_region(
            &run(a),
            OTHER,
            Status::Fail,
            &["does not record all resource types"],
        );
        let a = with_config(OTHER, |c| {
            c.recorder_statuses.as_mut().unwrap()[0].last_status = Some("Failure".to_string())
        });
        at_region(&run(a), OTHER, Status::Fail, &["last recording failed"]);
        let a = with_config(OTHER, |c| c.delivery_channels = Ok(vec![]));
        at_region(&run(a), OTHER, Status::Fail, &["no delivery channel"]);
    }

    #[test]
    fn global_resource_types_recorded_in_no_region_fails_in_the_home_region() {
        let a = with_config(HOME, |c| recorder(c).include_global_resource_types = false);
        let findings = run(a);
        at_region(&findings, HOME, Status::Fail, &[GLOBAL, "IAM"]);
        at_region(&findings, OTHER, Status::Pass, &[]);
    }

    #[test]
    fn global_resource_types_recorded_in_another_region_pass() {
        let mut a = with_config(HOME, |c| recorder(c).include_global_resource_types = false);
        recorder(config(&mut a, OTHER)).include_global_resource_types = true;
        let findings = run(a);
        assert!(
            findings.iter().all(|f| f.status == Status::Pass),
            "{findings:#?}"
        );
    }

    #[test]
    fn global_resource_types_unknown_while_a_region_is_unreadable() {
        // eu-west-1 cannot be read and might be the region recording global types: ERROR there,
        // and no unfounded global-types FAIL in the home region.
        let mut a = with_config(HOME, |c| recorder(c).include_global_resource_types = false);
        config(&mut a, OTHER).recorders =
            Err(denied("config:DescribeConfigurationRecorders", OTHER, ACCT));
        let findings = run(a);
        at_region(
            &findings,
            OTHER,
            Status::Error,
            &["config:DescribeConfigurationRecorders", "access denied"],
        );
        at_region(&findings, HOME, Status::Pass, &[]);
    }

    #[test]
    fn global_resource_types_judged_even_when_the_home_region_is_not_scanned() {
        // Global services were read from us-east-1 but only two other regions were scanned;
        // neither records global types, which must not go unreported.
        let mut a = compliant_account(ACCT, &[OTHER, "ap-southeast-2"], now());
        a.home_region = HOME.to_string();
        assert!(!a.regional.contains_key(HOME));
        let findings = run(a);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        let failing: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .collect();
        assert_eq!(failing.len(), 1, "{findings:#?}");
        assert!(failing[0].detail.contains(GLOBAL), "{}", failing[0].detail);
        assert!(
            findings.iter().any(|f| f.status == Status::Pass),
            "{findings:#?}"
        );
    }

    #[test]
    fn unreadable_config_is_an_error_for_the_region() {
        type Break = fn(&mut ConfigEvidence, CollectError);
        let cases: [(&str, Break); 3] = [
            ("config:DescribeConfigurationRecorders", |c, e| {
                c.recorders = Err(e)
            }),
            ("config:DescribeConfigurationRecorderStatus", |c, e| {
                c.recorder_statuses = Err(e)
            }),
            ("config:DescribeDeliveryChannels", |c, e| {
                c.delivery_channels = Err(e)
            }),
        ];
        for (op, break_it) in cases {
            let a = with_config(OTHER, |c| break_it(c, denied(op, OTHER, ACCT)));
            let findings = run(a);
            let f = at_region(&findings, OTHER, Status::Error, &[op, "could not evaluate"]);
            assert_eq!(f.evidence["operation"], op);
            at_region(&findings, HOME, Status::Pass, &[]);
        }
    }

    #[test]
    fn no_region_scanned_is_not_applicable() {
        let mut a = account();
        a.regional.clear();
        let findings = run(a);
        at_region(
            &findings,
            HOME,
            Status::NotApplicable,
            &["No region was scanned"],
        );
    }
}
