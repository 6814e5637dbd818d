//! Security Hub: enabled in every region.

use super::{CheckContext, Outcome};

pub fn enabled(ctx: &CheckContext) -> Vec<Outcome> {
    super::per_region_setting(
        ctx,
        "Security Hub data",
        "SecurityHubEnabled",
        |r| r.securityhub_enabled.as_ref(),
        |region| format!("Security Hub is enabled in {region}."),
        |region| format!("Security Hub is not enabled in {region}."),
    )
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::checks::testing::run_check;
    use crate::model::Status;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    #[test]
    fn security_hub_enabled_in_every_region() {
        let mut a = compliant_account(ACCT, &["us-east-1", "eu-west-1", "ap-south-1"], now());
        a.regional.get_mut("eu-west-1").unwrap().securityhub_enabled = Some(Ok(false));
        a.regional
            .get_mut("ap-south-1")
            .unwrap()
            .securityhub_enabled = Some(Err(denied("securityhub:DescribeHub", "ap-south-1", ACCT)));
        let f = run_check("securityhub_enabled", a, &[], now());
        let of = |r: &str| f.iter().find(|f| f.region == r).map(|f| f.status);
        assert_eq!(of("us-east-1"), Some(Status::Pass));
        assert_eq!(of("eu-west-1"), Some(Status::Fail));
        assert_eq!(of("ap-south-1"), Some(Status::Error));
        let mut empty = compliant_account(ACCT, &["us-east-1"], now());
        empty.regional.clear();
        assert_eq!(
            run_check("securityhub_enabled", empty, &[], now())[0].status,
            Status::NotApplicable
        );
    }
}
