//! The check catalogue: check descriptions and framework requirement lists from `checks/*.toml`,
//! embedded in the binary at build time.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Remediation, Severity};

mod files {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

/// What `checks/<service>/<id>.toml` says about a check.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    pub id: String,
    pub service: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: String,
    pub rationale: String,
    pub apis: Vec<String>,
    pub remediation: Remediation,
    #[serde(default)]
    pub parameters: toml::Table,
    /// For a metric-filter monitoring check: the CloudWatch Logs filter pattern (CIS's) that a
    /// deployed filter must semantically cover.
    #[serde(default)]
    pub filter_pattern: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub section: String,
    pub title: String,
    #[serde(default)]
    pub level: Option<u8>,
    pub assessment: Assessment,
    #[serde(default)]
    pub checks: Vec<String>,
}

/// `checks/frameworks/<file>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Short id used on the command line, e.g. `cis-7.0.0`.
    pub id: String,
    /// The name Security Hub uses, e.g. `CIS AWS Foundations Benchmark v7.0.0`.
    pub name: String,
    #[serde(rename = "requirement")]
    pub requirements: Vec<Requirement>,
}

impl Framework {
    /// `CIS AWS Foundations Benchmark v7.0.0/4.2`: the ASFF RelatedRequirements form.
    pub fn requirement_ref(&self, requirement: &Requirement) -> String {
        format!("{}/{}", self.name, requirement.id)
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub checks: BTreeMap<String, CheckMeta>,
    /// In a fixed order: the primary framework first.
    pub frameworks: Vec<Framework>,
    /// Check id → every requirement reference that check serves, across frameworks.
    pub requirements_by_check: BTreeMap<String, Vec<String>>,
}

/// The framework used when the user names none.
pub const DEFAULT_FRAMEWORK: &str = "cis-7.0.0";

#[derive(Debug, thiserror::Error)]
#[error("catalogue file checks/{path}: {message}")]
pub struct CatalogError {
    pub path: String,
    pub message: String,
}

impl Catalog {
    /// The catalogue compiled into this binary. Its well-formedness is proven by the registry
    /// tests, so a failure here is a build defect.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(files::CATALOG_FILES)
                .unwrap_or_else(|e| panic!("the built-in check catalogue is invalid: {e}"))
        })
    }

    pub fn files() -> &'static [(&'static str, &'static str)] {
        files::CATALOG_FILES
    }

    pub fn parse(files: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        let mut checks = BTreeMap::new();
        let mut frameworks = Vec::new();
        for (path, text) in files {
            let err = |message: String| CatalogError {
                path: path.to_string(),
                message,
            };
            if path.starts_with("frameworks/") {
                let fw: Framework = toml::from_str(text).map_err(|e| err(e.to_string()))?;
                frameworks.push(fw);
            } else {
                let meta: CheckMeta = toml::from_str(text).map_err(|e| err(e.to_string()))?;
                let expected = format!("{}/{}.toml", meta.service, meta.id);
                if *path != expected {
                    return Err(err(format!(
                        "check id '{}' and service '{}' do not match its path (expected checks/{expected})",
                        meta.id, meta.service
                    )));
                }
                if checks.insert(meta.id.clone(), meta).is_some() {
                    return Err(err("duplicate check id".to_string()));
                }
            }
        }
        frameworks.sort_by_key(|f| framework_rank(&f.id));
        let mut requirements_by_check: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for fw in &frameworks {
            for req in &fw.requirements {
                for check in &req.checks {
                    requirements_by_check
                        .entry(check.clone())
                        .or_default()
                        .push(fw.requirement_ref(req));
                }
            }
        }
        Ok(Catalog {
            checks,
            frameworks,
            requirements_by_check,
        })
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    pub fn requirements_of(&self, check_id: &str) -> &[String] {
        self.requirements_by_check
            .get(check_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Newest CIS first, then the others by name.
fn framework_rank(id: &str) -> (u8, String) {
    match id {
        "cis-7.0.0" => (0, String::new()),
        "cis-5.0.0" => (1, String::new()),
        "cis-3.0.0" => (2, String::new()),
        other => (3, other.to_string()),
    }
}

/// Recommendations of one framework evaluated by at least one check, out of all, by assessment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    pub automated: (usize, usize),
    pub manual: (usize, usize),
}

impl Framework {
    pub fn coverage(&self) -> Coverage {
        let mut c = Coverage::default();
        for r in &self.requirements {
            let slot = match r.assessment {
                Assessment::Automated => &mut c.automated,
                Assessment::Manual => &mut c.manual,
            };
            slot.1 += 1;
            if !r.checks.is_empty() {
                slot.0 += 1;
            }
        }
        c
    }
}

impl Catalog {
    /// The README's coverage table, generated from the framework files.
    pub fn coverage_table(&self) -> String {
        let mut out = String::from(
            "| Framework | Automated recommendations evaluated | Manual recommendations evaluated | All evaluated |\n|---|---|---|---|\n",
        );
        for fw in &self.frameworks {
            let c = fw.coverage();
            let all = (c.automated.0 + c.manual.0, c.automated.1 + c.manual.1);
            let manual = if c.manual.1 == 0 {
                "–".to_string()
            } else {
                format!("{} / {}", c.manual.0, c.manual.1)
            };
            out.push_str(&format!(
                "| {} | {} / {} | {manual} | {} / {} |\n",
                fw.name, c.automated.0, c.automated.1, all.0, all.1
            ));
        }
        out
    }
}

impl CheckMeta {
    pub fn param_u64(&self, name: &str) -> Option<u64> {
        self.parameters
            .get(name)
            .and_then(|v| v.as_integer())
            .and_then(|v| u64::try_from(v).ok())
    }
}
