//! KMS checks.

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::KmsKey;
use crate::model::Resource;

fn key_resource(key: &KmsKey) -> Resource {
    Resource {
        kind: "AwsKmsKey".to_string(),
        id: key.arn.clone(),
        name: key.key_id.clone(),
    }
}


pub fn key_rotation_enabled(ctx: &CheckContext) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let keys = match &evidence.kms {
            Ok(k) => k,
            Err(e) => {
                out.push(Outcome::error(region, ctx.account_resource(), e));
                continue;
            }
        };
        let before = out.len();
        for key in keys.iter().filter(|k| k.can_auto_rotate()) {
            let resource = key_resource(key);
            if key.state.starts_with("Pending") {
                out.push(Outcome::not_applicable(
                    region,
                    resource,
                    format!("Key {} is {}; rotation does not apply.", key.key_id, key.state),
                ));
                continue;
            }
            let outcome = match &key.rotation_enabled {
                None => Outcome::new(
                    region,
                    resource,
                    crate::model::Status::Error,
                    format!("could not evaluate: the rotation status of key {} was not collected.", key.key_id),
                ),
                Some(Err(e)) => Outcome::error(region, resource, e),
                Some(Ok(true)) => Outcome::pass(region, resource, format!("Automatic rotation is enabled for key {}.", key.key_id)),
                Some(Ok(false)) => Outcome::fail(region, resource, format!("Automatic rotation is disabled for customer-managed key {} ({}).", key.key_id, key.state)),
            };
            out.push(outcome.with_evidence(json!({ "KeyState": key.state, "KeySpec": key.spec, "KeyRotationEnabled": key.rotation_enabled.as_ref().and_then(|r| r.as_ref().ok()) })));
        }
        if out.len() == before {
            out.push(Outcome::not_applicable(
                region,
                ctx.account_resource(),
                "No customer-managed symmetric KMS key in this region.",
            ));
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(ctx.home(), ctx.account_resource(), "No region was scanned."));
    }
    out
}
