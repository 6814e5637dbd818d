//! Pairs each check id with its logic. `checks/<service>/<id>.toml` describes the same id; a
//! test proves the two sets are equal.

use super::{
    accounts, cloudtrail, config, ec2, frontend, governance, iam, kms, monitoring, org, s3,
    securityhub, services, CheckContext, Outcome,
};

pub type CheckFn = fn(&CheckContext) -> Vec<Outcome>;

pub const LOGIC: &[(&str, CheckFn)] = &[
    (
        "web_frontend_access_logging",
        frontend::web_frontend_access_logging,
    ),
    (
        "cloudtrail_multi_region_enabled",
        cloudtrail::multi_region_enabled,
    ),
    (
        "cloudtrail_log_file_validation",
        cloudtrail::log_file_validation,
    ),
    ("cloudtrail_kms_encryption", cloudtrail::kms_encryption),
    (
        "cloudtrail_cloudwatch_logs_integration",
        cloudtrail::cloudwatch_logs_integration,
    ),
    (
        "cloudtrail_bucket_access_logging",
        cloudtrail::bucket_access_logging,
    ),
    (
        "cloudtrail_bucket_not_public",
        cloudtrail::bucket_not_public,
    ),
    (
        "cloudtrail_s3_write_data_events",
        cloudtrail::s3_write_data_events,
    ),
    (
        "cloudtrail_s3_read_data_events",
        cloudtrail::s3_read_data_events,
    ),
    ("s3_log_bucket_lifecycle", s3::log_bucket_lifecycle),
    ("config_recorder_all_regions", config::recorder_all_regions),
    ("kms_key_rotation_enabled", kms::key_rotation_enabled),
    ("iam_root_no_access_keys", iam::root_no_access_keys),
    ("iam_root_mfa_enabled", iam::root_mfa_enabled),
    ("iam_root_hardware_mfa", iam::root_hardware_mfa),
    ("iam_root_not_used_recently", iam::root_not_used_recently),
    (
        "iam_password_policy_min_length",
        iam::password_policy_min_length,
    ),
    (
        "iam_password_policy_reuse_prevention",
        iam::password_policy_reuse_prevention,
    ),
    ("iam_user_console_mfa", iam::user_console_mfa),
    (
        "iam_unused_credentials_disabled",
        iam::unused_credentials_disabled,
    ),
    ("iam_access_key_rotation", iam::access_key_rotation),
    ("iam_user_single_active_key", iam::user_single_active_key),
    (
        "iam_no_unused_initial_access_keys",
        iam::no_unused_initial_access_keys,
    ),
    ("cloudtrail_organization_trail", org::organization_trail),
    ("cloudtrail_logs_centralized", cloudtrail::logs_centralized),
    (
        "config_organization_aggregator",
        org::organization_aggregator,
    ),
    ("guardduty_organization_admin", org::guardduty_admin),
    ("securityhub_organization_admin", org::securityhub_admin),
    ("ec2_ebs_default_encryption", ec2::ebs_default_encryption),
    ("ec2_sg_admin_ports_ipv4", ec2::sg_admin_ports_ipv4),
    ("ec2_sg_admin_ports_ipv6", ec2::sg_admin_ports_ipv6),
    ("ec2_sg_cifs_restricted", ec2::sg_cifs_restricted),
    ("ec2_nacl_admin_ports", ec2::nacl_admin_ports),
    (
        "ec2_default_sg_restricts_all",
        ec2::default_sg_restricts_all,
    ),
    ("ec2_imdsv2_required", ec2::imdsv2_required),
    ("vpc_flow_logs_enabled", ec2::vpc_flow_logs_enabled),
    (
        "iam_permissions_through_groups",
        accounts::permissions_through_groups,
    ),
    ("iam_support_role", accounts::support_role),
    (
        "iam_no_full_admin_policies",
        accounts::no_full_admin_policies,
    ),
    (
        "iam_expired_server_certificates",
        accounts::expired_server_certificates,
    ),
    ("s3_block_public_access", s3::block_public_access),
    ("s3_mfa_delete", s3::mfa_delete),
    ("s3_deny_http", s3::deny_http),
    ("ec2_instance_roles", ec2::instance_roles),
    ("securityhub_enabled", securityhub::enabled),
    (
        "monitoring_unauthorized_api_calls",
        monitoring::metric_filter_alarm,
    ),
    (
        "monitoring_console_signin_without_mfa",
        monitoring::metric_filter_alarm,
    ),
    ("monitoring_root_usage", monitoring::metric_filter_alarm),
    (
        "monitoring_iam_policy_changes",
        monitoring::metric_filter_alarm,
    ),
    (
        "monitoring_cloudtrail_changes",
        monitoring::metric_filter_alarm,
    ),
    (
        "monitoring_console_auth_failures",
        monitoring::metric_filter_alarm,
    ),
    (
        "monitoring_cmk_disable_or_deletion",
        monitoring::metric_filter_alarm,
    ),
    (
        "monitoring_s3_bucket_policy_changes",
        monitoring::metric_filter_alarm,
    ),
    ("monitoring_config_changes", monitoring::metric_filter_alarm),
    (
        "monitoring_security_group_changes",
        monitoring::metric_filter_alarm,
    ),
    ("monitoring_nacl_changes", monitoring::metric_filter_alarm),
    (
        "monitoring_network_gateway_changes",
        monitoring::metric_filter_alarm,
    ),
    (
        "monitoring_route_table_changes",
        monitoring::metric_filter_alarm,
    ),
    ("monitoring_vpc_changes", monitoring::metric_filter_alarm),
    (
        "monitoring_organizations_changes",
        monitoring::metric_filter_alarm,
    ),
    ("accessanalyzer_enabled", services::accessanalyzer_enabled),
    ("rds_storage_encrypted", services::rds_storage_encrypted),
    (
        "rds_auto_minor_version_upgrade",
        services::rds_auto_minor_version_upgrade,
    ),
    (
        "rds_not_publicly_accessible",
        services::rds_not_publicly_accessible,
    ),
    ("rds_multi_az", services::rds_multi_az),
    ("efs_encrypted", services::efs_encrypted),
    ("guardduty_enabled", services::guardduty_enabled),
    ("organizations_guardrails", governance::guardrails),
    (
        "iam_centralized_root_access",
        governance::centralized_root_access,
    ),
    (
        "organizations_delegated_policy_admin",
        governance::delegated_policy_admin,
    ),
    (
        "organizations_delegated_service_admins",
        governance::delegated_service_admins,
    ),
    ("account_contact_details", governance::contact_details),
    ("account_security_contact", governance::security_contact),
    (
        "iam_cloudshell_full_access_restricted",
        governance::cloudshell_full_access,
    ),
    (
        "resource_policy_not_public",
        governance::resource_policy_not_public,
    ),
    (
        "ec2_peering_routes_least_access",
        governance::peering_routes_least_access,
    ),
];

pub fn logic(id: &str) -> Option<CheckFn> {
    LOGIC.iter().find(|(i, _)| *i == id).map(|(_, f)| *f)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::checks::catalog::{Assessment, Catalog};

    #[test]
    fn every_toml_has_logic_and_every_logic_has_a_toml() {
        let catalog = Catalog::builtin();
        let described: BTreeSet<&str> = catalog.checks.keys().map(String::as_str).collect();
        let implemented: BTreeSet<&str> = LOGIC.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            implemented.len(),
            LOGIC.len(),
            "a check id is registered twice"
        );
        let no_logic: Vec<_> = described.difference(&implemented).collect();
        let no_toml: Vec<_> = implemented.difference(&described).collect();
        assert!(no_logic.is_empty(), "TOML without logic: {no_logic:?}");
        assert!(no_toml.is_empty(), "logic without TOML: {no_toml:?}");
    }

    /// Generated from the framework files: every Automated recommendation of CIS v7.0.0 has a
    /// check, and at least 62 of its 70 recommendations are evaluated.
    #[test]
    fn every_automated_cis_7_recommendation_has_a_check() {
        let fw = Catalog::builtin().framework("cis-7.0.0").unwrap();
        let missing: Vec<String> = fw
            .requirements
            .iter()
            .filter(|r| r.assessment == Assessment::Automated && r.checks.is_empty())
            .map(|r| format!("{} {}", r.id, r.title))
            .collect();
        assert!(
            missing.is_empty(),
            "Automated CIS v7.0.0 recommendations without a check: {missing:#?}"
        );
        let c = fw.coverage();
        assert_eq!(c.automated, (34, 34));
        assert_eq!(c.automated.1 + c.manual.1, 70);
        assert!(
            c.automated.0 + c.manual.0 >= 62,
            "only {} of 70 recommendations evaluated",
            c.automated.0 + c.manual.0
        );
    }

    /// The least-privilege policy in `iam/` allows every API a check says it reads.
    #[test]
    fn readonly_policy_allows_every_api_the_checks_read() {
        let policy: serde_json::Value =
            serde_json::from_str(include_str!("../../iam/warden-readonly-policy.json")).unwrap();
        let allowed: BTreeSet<&str> = policy["Statement"][0]["Action"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        // S3 operations whose IAM action has another name.
        fn action_of(api: &str) -> &str {
            match api {
                "s3:ListBuckets" => "s3:ListAllMyBuckets",
                "s3:GetBucketLifecycleConfiguration" => "s3:GetLifecycleConfiguration",
                "s3:GetPublicAccessBlock" => "s3:GetBucketPublicAccessBlock",
                "s3control:GetPublicAccessBlock" => "s3:GetAccountPublicAccessBlock",
                other => other,
            }
        }
        let mut missing = BTreeSet::new();
        for meta in Catalog::builtin().checks.values() {
            for api in &meta.apis {
                if !allowed.contains(action_of(api)) {
                    missing.insert(format!("{} ({})", action_of(api), meta.id));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in the read-only policy: {missing:#?}"
        );
    }

    /// The README's coverage table is the one the framework files give.
    #[test]
    fn readme_coverage_table_is_current() {
        let readme = include_str!("../../README.md");
        let table = Catalog::builtin().coverage_table();
        let start = "<!-- coverage:start (generated by `warden checks coverage`) -->\n";
        let end = "<!-- coverage:end -->";
        let (_, rest) = readme
            .split_once(start)
            .expect("README has the coverage:start marker");
        let (current, _) = rest
            .split_once(end)
            .expect("README has the coverage:end marker");
        if current != table && std::env::var_os("WARDEN_UPDATE_README").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
            std::fs::write(path, readme.replacen(current, &table, 1)).unwrap();
            return;
        }
        assert_eq!(
            current, table,
            "README coverage table is stale: run WARDEN_UPDATE_README=1 cargo test --lib readme_coverage"
        );
    }

    #[test]
    fn check_descriptions_are_complete() {
        for meta in Catalog::builtin().checks.values() {
            let id = &meta.id;
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{id}: ids are snake_case, never CIS numbers"
            );
            assert!(
                !meta.title.trim().is_empty() && meta.title.len() <= 256,
                "{id}: title"
            );
            assert!(!meta.rationale.trim().is_empty(), "{id}: rationale");
            assert!(
                !meta.remediation.text.trim().is_empty(),
                "{id}: remediation text"
            );
            assert!(
                meta.remediation.text.len() <= 500,
                "{id}: remediation text too long for ASFF"
            );
            assert!(
                meta.remediation.cli.starts_with("aws "),
                "{id}: remediation cli"
            );
            assert!(
                meta.remediation.url.starts_with("https://"),
                "{id}: remediation url"
            );
            assert!(
                meta.resource_type.starts_with("Aws"),
                "{id}: ASFF resource type"
            );
            assert!(!meta.apis.is_empty(), "{id}: apis");
            if let Some(pattern) = &meta.filter_pattern {
                if let Err(e) = crate::checks::filter_pattern::parse(pattern) {
                    panic!("{id}: filter_pattern does not parse: {e}");
                }
            }
            for (name, value) in &meta.parameters {
                assert!(
                    value.as_integer().is_some(),
                    "{id}: parameter {name} must be an integer"
                );
            }
        }
    }

    #[test]
    fn frameworks_reference_known_checks_with_unique_ids() {
        let catalog = Catalog::builtin();
        let ids: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            ["cis-7.0.0", "cis-5.0.0", "cis-3.0.0", "aws-fsbp-1.0.0"]
        );
        for fw in &catalog.frameworks {
            let mut seen = BTreeSet::new();
            for req in &fw.requirements {
                assert!(
                    seen.insert(&req.id),
                    "{}: requirement {} listed twice",
                    fw.id,
                    req.id
                );
                assert!(!req.title.trim().is_empty(), "{} {}: title", fw.id, req.id);
                for check in &req.checks {
                    assert!(
                        catalog.checks.contains_key(check),
                        "{} {} names unknown check {check}",
                        fw.id,
                        req.id
                    );
                }
                if fw.id.starts_with("cis-") {
                    assert!(
                        matches!(req.level, Some(1 | 2)),
                        "{} {}: profile level",
                        fw.id,
                        req.id
                    );
                    let dotted = req.id.split('.').all(|p| p.parse::<u32>().is_ok());
                    assert!(dotted, "{} {}: CIS ids are dotted numbers", fw.id, req.id);
                }
            }
        }
    }

    #[test]
    fn cis_files_are_the_whole_benchmarks() {
        let catalog = Catalog::builtin();
        let count = |id: &str, a: Assessment| {
            catalog
                .framework(id)
                .unwrap()
                .requirements
                .iter()
                .filter(|r| r.assessment == a)
                .count()
        };
        assert_eq!(count("cis-7.0.0", Assessment::Automated), 34);
        assert_eq!(count("cis-7.0.0", Assessment::Manual), 36);
    }

    #[test]
    fn requirement_references_use_the_asff_form() {
        let catalog = Catalog::builtin();
        let refs = catalog.requirements_of("cloudtrail_log_file_validation");
        assert!(
            refs.contains(&"CIS AWS Foundations Benchmark v7.0.0/4.2".to_string()),
            "{refs:?}"
        );
        assert!(
            refs.contains(&"CIS AWS Foundations Benchmark v5.0.0/3.2".to_string()),
            "{refs:?}"
        );
        assert!(
            refs.contains(
                &"AWS Foundational Security Best Practices v1.0.0/CloudTrail.4".to_string()
            ),
            "{refs:?}"
        );
    }

    #[test]
    fn catalogue_snapshot() {
        // Every change to ids, severities, titles or mappings shows in review.
        let catalog = Catalog::builtin();
        let lines: Vec<String> = catalog
            .checks
            .values()
            .map(|m| {
                format!(
                    "{} [{}] {} => {}",
                    m.id,
                    m.severity,
                    m.title,
                    catalog.requirements_of(&m.id).join(" | ")
                )
            })
            .collect();
        insta::with_settings!({snapshot_path => "../../snapshots"}, {
            insta::assert_snapshot!("catalogue", lines.join("\n"));
        });
    }
}
