//! Pairs each check id with its logic. `checks/<service>/<id>.toml` describes the same id; a
//! test proves the two sets are equal.

use super::{cloudtrail, config, iam, kms, s3, CheckContext, Outcome};

pub type CheckFn = fn(&CheckContext) -> Vec<Outcome>;

pub const LOGIC: &[(&str, CheckFn)] = &[
    ("cloudtrail_multi_region_enabled", cloudtrail::multi_region_enabled),
    ("cloudtrail_log_file_validation", cloudtrail::log_file_validation),
    ("cloudtrail_kms_encryption", cloudtrail::kms_encryption),
    ("cloudtrail_cloudwatch_logs_integration", cloudtrail::cloudwatch_logs_integration),
    ("cloudtrail_bucket_access_logging", cloudtrail::bucket_access_logging),
    ("cloudtrail_bucket_not_public", cloudtrail::bucket_not_public),
    ("cloudtrail_s3_write_data_events", cloudtrail::s3_write_data_events),
    ("cloudtrail_s3_read_data_events", cloudtrail::s3_read_data_events),
    ("s3_log_bucket_lifecycle", s3::log_bucket_lifecycle),
    ("config_recorder_all_regions", config::recorder_all_regions),
    ("kms_key_rotation_enabled", kms::key_rotation_enabled),
    ("iam_root_no_access_keys", iam::root_no_access_keys),
    ("iam_root_mfa_enabled", iam::root_mfa_enabled),
    ("iam_root_hardware_mfa", iam::root_hardware_mfa),
    ("iam_root_not_used_recently", iam::root_not_used_recently),
    ("iam_password_policy_min_length", iam::password_policy_min_length),
    ("iam_password_policy_reuse_prevention", iam::password_policy_reuse_prevention),
    ("iam_user_console_mfa", iam::user_console_mfa),
    ("iam_unused_credentials_disabled", iam::unused_credentials_disabled),
    ("iam_access_key_rotation", iam::access_key_rotation),
    ("iam_user_single_active_key", iam::user_single_active_key),
];

pub fn logic(id: &str) -> Option<CheckFn> {
    LOGIC.iter().find(|(i, _)| *i == id).map(|(_, f)| *f)
}
