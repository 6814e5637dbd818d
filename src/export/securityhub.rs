//! Uploading findings to AWS Security Hub: BatchImportFindings into each finding's own account
//! and region, in batches of at most 100 findings and 6 MB, at most 10 calls per second, with
//! failed findings retried; then archiving this tool's earlier ACTIVE findings that the run no
//! longer produced. Findings of any other product, or not made by warden, are never touched.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus, Partition,
    Recommendation, RecordState, Remediation, Resource, Severity, SeverityLabel, StatusReason,
    StringFilter, StringFilterComparison, Workflow, WorkflowStatus,
};
use aws_sdk_securityhub::Client;
use serde::Serialize;

use super::asff::AsffFinding;
use crate::collect::error::{classify_sdk_error, Scope};
use crate::evidence::CollectError;

pub const MAX_BATCH_FINDINGS: usize = 100;
pub const MAX_BATCH_BYTES: usize = 6 * 1024 * 1024;
/// BatchImportFindings: at most 10 calls per second.
pub const IMPORT_INTERVAL: Duration = Duration::from_millis(100);
/// GetFindings: at most 3 calls per second.
pub const GET_INTERVAL: Duration = Duration::from_millis(334);
const RETRIES: u32 = 3;

/// Splits findings into batches Security Hub accepts: ≤ 100 findings and ≤ 6 MB each.
pub fn batches(findings: &[AsffFinding]) -> Vec<Vec<&AsffFinding>> {
    let mut out: Vec<Vec<&AsffFinding>> = Vec::new();
    let mut size = 0;
    for f in findings {
        let bytes = serde_json::to_vec(f)
            .map(|v| v.len())
            .unwrap_or(MAX_BATCH_BYTES);
        let full = out
            .last()
            .is_none_or(|b| b.len() >= MAX_BATCH_FINDINGS || size + bytes > MAX_BATCH_BYTES);
        if full {
            out.push(Vec::new());
            size = 0;
        }
        size += bytes;
        if let Some(last) = out.last_mut() {
            last.push(f);
        }
    }
    out
}

/// Our ASFF finding as the SDK's type.
pub fn to_sdk(f: &AsffFinding) -> AwsSecurityFinding {
    let mut compliance = Compliance::builder()
        .status(ComplianceStatus::from(f.compliance.status.as_str()))
        .set_related_requirements(Some(f.compliance.related_requirements.clone()));
    for r in &f.compliance.status_reasons {
        compliance = compliance.status_reasons(
            StatusReason::builder()
                .reason_code(&r.reason_code)
                .description(&r.description)
                .build(),
        );
    }
    let mut builder = AwsSecurityFinding::builder()
        .schema_version(&f.schema_version)
        .id(&f.id)
        .product_arn(&f.product_arn)
        .generator_id(&f.generator_id)
        .aws_account_id(&f.aws_account_id)
        .set_types(Some(f.types.clone()))
        .created_at(&f.created_at)
        .updated_at(&f.updated_at)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(f.severity.label.as_str()))
                .build(),
        )
        .title(&f.title)
        .description(&f.description)
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&f.remediation.recommendation.text)
                        .url(&f.remediation.recommendation.url)
                        .build(),
                )
                .build(),
        )
        .set_product_fields(Some(f.product_fields.clone().into_iter().collect()))
        .compliance(compliance.build())
        .workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(f.workflow.status.as_str()))
                .build(),
        )
        .record_state(RecordState::from(f.record_state.as_str()))
        .region(&f.region)
        .company_name(&f.company_name)
        .product_name(&f.product_name);
    for r in &f.resources {
        builder = builder.resources(
            Resource::builder()
                .r#type(&r.kind)
                .id(&r.id)
                .partition(Partition::from(r.partition.as_str()))
                .region(&r.region)
                .build(),
        );
    }
    builder.build()
}

/// What an upload did (or, in a dry run, would do) in one account and region.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RegionUpload {
    pub account_id: String,
    pub region: String,
    pub imported: usize,
    pub batches: usize,
    /// Earlier warden findings no longer produced, archived (or to archive, in a dry run):
    /// (finding id, resource id).
    pub archived: Vec<(String, String)>,
    /// (finding id, error code, message) of findings Security Hub refused after the retries.
    pub failed: Vec<(String, String, String)>,
    /// A call that failed outright (no permission, hub not enabled …).
    pub error: Option<CollectError>,
}

async fn pace(interval: Duration, last: &mut Option<tokio::time::Instant>) {
    if let Some(prev) = *last {
        tokio::time::sleep_until(prev + interval).await;
    }
    *last = Some(tokio::time::Instant::now());
}

/// Imports `findings` (all of one account and region), retrying the ones Security Hub reports as
/// failed with backoff.
async fn import(
    client: &Client,
    findings: &[AsffFinding],
    scope: &Scope,
    result: &mut RegionUpload,
) -> Result<(), CollectError> {
    let mut last = None;
    for batch in batches(findings) {
        let mut pending: Vec<AwsSecurityFinding> = batch.iter().map(|f| to_sdk(f)).collect();
        let mut delay = Duration::from_millis(200);
        for attempt in 0..=RETRIES {
            pace(IMPORT_INTERVAL, &mut last).await;
            result.batches += 1;
            let out = client
                .batch_import_findings()
                .set_findings(Some(pending.clone()))
                .send()
                .await
                .map_err(|e| classify_sdk_error(&e, "securityhub:BatchImportFindings", scope))?;
            let failed: BTreeMap<&str, (&str, &str)> = out
                .failed_findings()
                .iter()
                .map(|f| {
                    (
                        f.id().unwrap_or_default(),
                        (
                            f.error_code().unwrap_or_default(),
                            f.error_message().unwrap_or_default(),
                        ),
                    )
                })
                .collect();
            result.imported += pending.len() - failed.len();
            if failed.is_empty() {
                break;
            }
            if attempt == RETRIES {
                result.failed.extend(
                    failed.iter().map(|(id, (code, msg))| {
                        (id.to_string(), code.to_string(), msg.to_string())
                    }),
                );
                break;
            }
            pending.retain(|f| f.id().is_some_and(|id| failed.contains_key(id)));
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    Ok(())
}

/// This tool's ACTIVE findings in the account and region, from GetFindings. The filters narrow
/// the query; the same conditions are checked again here, so that nothing another product wrote
/// is ever archived even where a filter is not honoured.
async fn active_warden_findings(
    client: &Client,
    product_arn: &str,
    prefix: &str,
    generators: &BTreeSet<String>,
    scope: &Scope,
) -> Result<Vec<AwsSecurityFinding>, CollectError> {
    let filter = |value: &str, comparison: StringFilterComparison| {
        StringFilter::builder()
            .value(value)
            .comparison(comparison)
            .build()
    };
    let filters = AwsSecurityFindingFilters::builder()
        .product_arn(filter(product_arn, StringFilterComparison::Equals))
        .id(filter(prefix, StringFilterComparison::Prefix))
        .record_state(filter("ACTIVE", StringFilterComparison::Equals))
        .build();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut last = None;
    loop {
        pace(GET_INTERVAL, &mut last).await;
        let page = client
            .get_findings()
            .filters(filters.clone())
            .max_results(100)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify_sdk_error(&e, "securityhub:GetFindings", scope))?;
        out.extend(
            page.findings()
                .iter()
                .filter(|f| {
                    f.product_arn() == Some(product_arn)
                        && f.id().is_some_and(|id| id.starts_with(prefix))
                        && f.generator_id().is_some_and(|g| generators.contains(g))
                        && f.record_state() == Some(&RecordState::Active)
                })
                .cloned(),
        );
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Where and how to upload.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub partition: &'a str,
    /// The check ids warden knows: only findings generated by them are ever archived.
    pub generators: &'a BTreeSet<String>,
    /// The timestamp archived findings are updated at.
    pub now: &'a str,
    pub dry_run: bool,
}

/// Uploads one account's and region's findings and archives what the run no longer produced.
pub async fn upload_region(
    client: &Client,
    target: &Target<'_>,
    findings: &[AsffFinding],
) -> RegionUpload {
    let Target {
        account,
        region,
        partition,
        generators,
        now,
        dry_run,
    } = *target;
    let scope = Scope {
        account: account.to_string(),
        region: region.to_string(),
        opt_in_region: false,
    };
    let mut result = RegionUpload {
        account_id: account.to_string(),
        region: region.to_string(),
        ..Default::default()
    };
    let product_arn = super::asff::product_arn(partition, region, account);
    let prefix = format!("warden/{account}/{region}/");
    let current: BTreeSet<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    // The SDK's finding type is large: keep these futures on the heap, not the stack.
    let active = Box::pin(active_warden_findings(
        client,
        &product_arn,
        &prefix,
        generators,
        &scope,
    ))
    .await;
    let stale = match active {
        Ok(found) => found
            .into_iter()
            .filter(|f| f.id().is_some_and(|id| !current.contains(id)))
            .collect::<Vec<_>>(),
        Err(e) => {
            result.error = Some(e);
            return result;
        }
    };
    result.archived = stale
        .iter()
        .map(|f| {
            let resource = f
                .resources()
                .first()
                .and_then(|r| r.id())
                .unwrap_or_default();
            (f.id().unwrap_or_default().to_string(), resource.to_string())
        })
        .collect();
    if dry_run {
        result.imported = findings.len();
        result.batches = batches(findings).len();
        return result;
    }
    if let Err(e) = Box::pin(import(client, findings, &scope, &mut result)).await {
        result.error = Some(e);
        return result;
    }
    // Archive by re-importing the finding with RecordState ARCHIVED, as finding providers do.
    let mut last = None;
    for chunk in stale.chunks(MAX_BATCH_FINDINGS) {
        pace(IMPORT_INTERVAL, &mut last).await;
        let batch: Vec<AwsSecurityFinding> = chunk
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.record_state = Some(RecordState::Archived);
                f.updated_at = Some(now.to_string());
                f
            })
            .collect();
        match client
            .batch_import_findings()
            .set_findings(Some(batch))
            .send()
            .await
        {
            Ok(out) => result.failed.extend(out.failed_findings().iter().map(|f| {
                (
                    f.id().unwrap_or_default().to_string(),
                    f.error_code().unwrap_or_default().to_string(),
                    f.error_message().unwrap_or_default().to_string(),
                )
            })),
            Err(e) => {
                result.error = Some(classify_sdk_error(
                    &e,
                    "securityhub:BatchImportFindings",
                    &scope,
                ));
                break;
            }
        }
    }
    result
}

/// Groups findings by (account, region).
pub fn by_account_region(
    findings: Vec<AsffFinding>,
) -> BTreeMap<(String, String), Vec<AsffFinding>> {
    let mut map: BTreeMap<(String, String), Vec<AsffFinding>> = BTreeMap::new();
    for f in findings {
        map.entry((f.aws_account_id.clone(), f.region.clone()))
            .or_default()
            .push(f);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::mocked_client;
    use aws_smithy_mocks::mock;

    fn demo_asff() -> Vec<AsffFinding> {
        let report = crate::commands::demo_report(&crate::tui::testing::report_args()).unwrap();
        super::super::asff::findings(&report)
    }

    #[test]
    fn batches_hold_at_most_100_findings_and_6_mb() {
        let one = demo_asff().remove(0);
        let many: Vec<AsffFinding> = (0..250)
            .map(|i| AsffFinding {
                id: format!("warden/x/{i}"),
                ..one.clone()
            })
            .collect();
        let b = batches(&many);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [100, 100, 50]);
        let big = AsffFinding {
            description: "x".repeat(1_000_000),
            ..one.clone()
        };
        let heavy: Vec<AsffFinding> = (0..20).map(|_| big.clone()).collect();
        for batch in batches(&heavy) {
            let bytes: usize = batch
                .iter()
                .map(|f| serde_json::to_vec(f).unwrap().len())
                .sum();
            assert!(bytes <= MAX_BATCH_BYTES && !batch.is_empty());
        }
    }

    #[test]
    fn sdk_findings_keep_every_contract_field() {
        let f = demo_asff()
            .into_iter()
            .find(|f| f.compliance.status == "NOT_AVAILABLE")
            .unwrap();
        let s = to_sdk(&f);
        assert_eq!(s.id(), Some(f.id.as_str()));
        assert_eq!(s.product_arn(), Some(f.product_arn.as_str()));
        assert_eq!(s.generator_id(), Some(f.generator_id.as_str()));
        let c = s.compliance().unwrap();
        assert_eq!(c.status().map(|s| s.as_str()), Some("NOT_AVAILABLE"));
        assert_eq!(
            c.related_requirements(),
            f.compliance.related_requirements.as_slice()
        );
        assert_eq!(c.status_reasons().len(), 1);
        assert_eq!(s.resources()[0].id(), Some(f.resources[0].id.as_str()));
        assert_eq!(s.record_state(), Some(&RecordState::Active));
    }

    #[tokio::test]
    async fn failed_findings_are_retried_until_accepted() {
        let findings: Vec<AsffFinding> = demo_asff().into_iter().take(3).collect();
        let failing_id = findings[1].id.clone();
        let client = mocked_client!(
            aws_sdk_securityhub,
            mock!(aws_sdk_securityhub::Client::get_findings).then_output(|| {
                aws_sdk_securityhub::operation::get_findings::GetFindingsOutput::builder().build()
            }),
            mock!(aws_sdk_securityhub::Client::batch_import_findings)
                .match_requests(|r| r.findings().len() == 3)
                .then_output(move || {
                    aws_sdk_securityhub::operation::batch_import_findings::BatchImportFindingsOutput::builder()
                        .failed_count(1)
                        .success_count(2)
                        .failed_findings(
                            aws_sdk_securityhub::types::ImportFindingsError::builder()
                                .id(failing_id.clone())
                                .error_code("ThrottlingException")
                                .error_message("Rate exceeded")
                                .build(),
                        )
                        .build()
                }),
            mock!(aws_sdk_securityhub::Client::batch_import_findings)
                .match_requests(|r| r.findings().len() == 1)
                .then_output(|| {
                    aws_sdk_securityhub::operation::batch_import_findings::BatchImportFindingsOutput::builder()
                        .failed_count(0)
                        .success_count(1)
                        .build()
                }),
        );
        let generators: BTreeSet<String> =
            findings.iter().map(|f| f.generator_id.clone()).collect();
        let target = Target {
            account: "111122223333",
            region: &findings[0].region,
            partition: "aws",
            generators: &generators,
            now: "now",
            dry_run: false,
        };
        let r = upload_region(&client, &target, &findings).await;
        assert_eq!(r.error, None);
        assert_eq!(r.imported, 3, "{r:?}");
        assert_eq!(r.batches, 2, "one batch and one retry: {r:?}");
        assert!(r.failed.is_empty());
    }

    #[tokio::test]
    async fn a_throttled_import_is_an_error_not_a_success() {
        let findings: Vec<AsffFinding> = demo_asff().into_iter().take(2).collect();
        let client = mocked_client!(
            aws_sdk_securityhub,
            mock!(aws_sdk_securityhub::Client::get_findings).then_output(|| {
                aws_sdk_securityhub::operation::get_findings::GetFindingsOutput::builder().build()
            }),
            mock!(aws_sdk_securityhub::Client::batch_import_findings).then_error(|| {
                aws_sdk_securityhub::operation::batch_import_findings::BatchImportFindingsError::generic(
                    aws_smithy_types::error::ErrorMetadata::builder().code("TooManyRequestsException").message("slow down").build(),
                )
            }),
        );
        let none = BTreeSet::new();
        let target = Target {
            account: "111122223333",
            region: "us-east-1",
            partition: "aws",
            generators: &none,
            now: "now",
            dry_run: false,
        };
        let r = upload_region(&client, &target, &findings).await;
        assert_eq!(r.imported, 0);
        assert_eq!(r.error.unwrap().kind, crate::evidence::ErrorKind::Throttled);
    }
}
