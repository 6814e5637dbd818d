//! Mutes: accepted exceptions. A mute matches findings by account, region, check and resource
//! (glob patterns), needs a reason, and may expire. A muted finding is kept and marked; it does
//! not fail a run. The file is TOML, or YAML when its name ends in `.yaml`/`.yml` (a `mute:`
//! list of the same fields):
//!
//! ```toml
//! [[mute]]
//! account = "111122223333"
//! check = "iam_user_console_mfa"
//! resource = "arn:aws:iam::*:user/break-glass-*"
//! reason = "Break-glass users keep hardware tokens in the safe"
//! expires = "2027-03-31"
//! ```

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

use crate::model::Finding;

fn any() -> String {
    "*".to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mute {
    #[serde(default = "any")]
    pub account: String,
    #[serde(default = "any")]
    pub region: String,
    #[serde(default = "any")]
    pub check: String,
    /// Matched against the resource ARN/id and the resource name.
    #[serde(default = "any")]
    pub resource: String,
    pub reason: String,
    /// The last day the mute applies (UTC), inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MuteFile {
    #[serde(default, rename = "mute", alias = "mutes")]
    pub mutes: Vec<Mute>,
}

#[derive(Debug, thiserror::Error)]
pub enum MuteFileError {
    #[error("cannot read mutes file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("mutes file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("mutes file {path}: mute #{index} has an empty reason; every mute needs one")]
    NoReason { path: String, index: usize },
}

impl Mute {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|d| now.date_naive() > d)
    }

    pub fn matches(&self, f: &Finding) -> bool {
        WildMatch::new(&self.account).matches(&f.account_id)
            && WildMatch::new(&self.region).matches(&f.region)
            && WildMatch::new(&self.check).matches(&f.check_id)
            && (WildMatch::new(&self.resource).matches(&f.resource.id)
                || WildMatch::new(&self.resource).matches(&f.resource.name))
    }

    /// A mute for exactly this finding.
    pub fn for_finding(f: &Finding, reason: &str, expires: Option<NaiveDate>) -> Mute {
        Mute {
            account: f.account_id.clone(),
            region: f.region.clone(),
            check: f.check_id.clone(),
            resource: f.resource.id.clone(),
            reason: reason.to_string(),
            expires,
        }
    }
}

impl MuteFile {
    /// Reads a mutes file; a missing file is an empty set of mutes only when `missing_ok`.
    pub fn load(path: &Path, missing_ok: bool) -> Result<MuteFile, MuteFileError> {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if missing_ok && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(MuteFile::default())
            }
            Err(source) => return Err(MuteFileError::Read { path: name, source }),
        };
        Self::parse(&text, &name)
    }

    pub fn parse(text: &str, name: &str) -> Result<MuteFile, MuteFileError> {
        let err = |message: String| MuteFileError::Parse {
            path: name.to_string(),
            message,
        };
        let file: MuteFile = if is_yaml(name) {
            if text.trim().is_empty() {
                MuteFile::default()
            } else {
                serde_yaml_ng::from_str(text).map_err(|e| err(e.to_string()))?
            }
        } else {
            toml::from_str(text).map_err(|e| err(e.to_string()))?
        };
        if let Some(index) = file.mutes.iter().position(|m| m.reason.trim().is_empty()) {
            return Err(MuteFileError::NoReason {
                path: name.to_string(),
                index: index + 1,
            });
        }
        Ok(file)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The file's text in the format its name calls for.
    pub fn render_for(&self, path: &Path) -> String {
        if is_yaml(&path.display().to_string()) {
            serde_yaml_ng::to_string(self).unwrap_or_default()
        } else {
            self.to_toml()
        }
    }

    /// Marks matching findings muted (first unexpired match wins) and returns the expired mutes.
    pub fn apply(&self, findings: &mut [Finding], now: DateTime<Utc>) -> Vec<Mute> {
        let (active, expired): (Vec<&Mute>, Vec<&Mute>) =
            self.mutes.iter().partition(|m| !m.is_expired(now));
        for f in findings.iter_mut() {
            if let Some(m) = active.iter().find(|m| m.matches(f)) {
                f.muted = true;
                f.mute_reason = Some(m.reason.clone());
            }
        }
        expired.into_iter().cloned().collect()
    }
}

fn is_yaml(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Selection;
    use crate::commands::build_report;

    fn findings() -> Vec<Finding> {
        let evidence = crate::demo::evidence().unwrap();
        build_report(
            &evidence,
            &Selection::default(),
            crate::demo::now(),
            Default::default(),
        )
        .findings
    }

    #[test]
    fn mutes_match_by_glob_and_mark_findings() {
        let file = MuteFile::parse(
            r#"
[[mute]]
check = "iam_user_console_mfa"
resource = "arn:aws:iam::*:user/bob"
reason = "bob is leaving on Friday"
"#,
            "m.toml",
        )
        .unwrap();
        let mut all = findings();
        let expired = file.apply(&mut all, crate::demo::now());
        assert!(expired.is_empty());
        let muted: Vec<&Finding> = all.iter().filter(|f| f.muted).collect();
        assert_eq!(muted.len(), 1);
        assert_eq!(muted[0].resource.name, "bob");
        assert_eq!(
            muted[0].mute_reason.as_deref(),
            Some("bob is leaving on Friday")
        );
    }

    #[test]
    fn expired_mutes_do_not_apply_and_are_reported() {
        let file = MuteFile::parse(
            "[[mute]]\ncheck = \"iam_*\"\nreason = \"old\"\nexpires = \"2026-01-01\"\n",
            "m.toml",
        )
        .unwrap();
        let mut all = findings();
        let expired = file.apply(&mut all, crate::demo::now());
        assert_eq!(expired.len(), 1);
        assert!(all.iter().all(|f| !f.muted));
    }

    #[test]
    fn a_mute_needs_a_reason_and_known_fields() {
        let err =
            MuteFile::parse("[[mute]]\ncheck = \"x\"\nreason = \" \"\n", "m.toml").unwrap_err();
        assert!(err.to_string().contains("mute #1"), "{err}");
        let err =
            MuteFile::parse("[[mute]]\nchek = \"x\"\nreason = \"r\"\n", "m.toml").unwrap_err();
        assert!(err.to_string().contains("m.toml"), "{err}");
    }

    #[test]
    fn yaml_mutes_read_like_toml_ones() {
        let yaml = "mute:\n  - check: iam_user_console_mfa\n    resource: \"arn:aws:iam::*:user/bob\"\n    reason: bob is leaving\n    expires: 2027-01-31\n";
        let file = MuteFile::parse(yaml, "mutes.yaml").unwrap();
        assert_eq!(file.mutes.len(), 1);
        assert_eq!(file.mutes[0].account, "*");
        assert_eq!(
            file.mutes[0].expires,
            Some(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap())
        );
        let back = MuteFile::parse(&file.render_for(Path::new("m.yml")), "m.yml").unwrap();
        assert_eq!(back, file);
        let err = MuteFile::parse("mute: [ {check: x} ]", "m.yaml").unwrap_err();
        assert!(err.to_string().contains("m.yaml"), "{err}");
    }

    #[test]
    fn a_mute_written_for_a_finding_round_trips() {
        let all = findings();
        let f = all
            .iter()
            .find(|f| f.status == crate::model::Status::Fail)
            .unwrap();
        let file = MuteFile {
            mutes: vec![Mute::for_finding(f, "accepted risk", None)],
        };
        let parsed = MuteFile::parse(&file.to_toml(), "m.toml").unwrap();
        assert_eq!(parsed, file);
        assert!(parsed.mutes[0].matches(f));
    }
}
