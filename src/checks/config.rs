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
                why.push(format!("recorder {} does not record all resource types", rec.name));
            }
            match statuses.iter().find(|s| s.name == rec.name) {
                Some(s) if s.recording => {
                    if s.last_status.as_deref() == Some("Failure") {
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
    let any_config_error = ctx.account.regional.values().any(|r| r.config.recorders.is_err());
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let outcome = match region_shortfalls(&evidence.config) {
            Err(e) => Outcome::error(region, ctx.account_resource(), e),
            Ok((mut why, evidence)) => {
                // Global types (IAM) need recording once per account; judged in the home region
                // unless a region we could not read might be the one recording them.
                if region == ctx.home() && !global_recorded && !any_config_error {
                    why.push("no region records global resource types (IAM users, roles, policies)".to_string());
                }
                if why.is_empty() {
                    Outcome::pass(
                        region,
                        ctx.account_resource(),
                        format!("AWS Config records all resource types in {region} and delivers them."),
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
        out.push(Outcome::not_applicable(ctx.home(), ctx.account_resource(), "No region was scanned."));
    }
    out
}
