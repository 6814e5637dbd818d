//! CSV: a header row, then one finding per row with the columns auditors filter on.

use crate::model::Report;

use super::ExportError;

pub const COLUMNS: [&str; 15] = [
    "account_id",
    "region",
    "check_id",
    "title",
    "requirements",
    "status",
    "severity",
    "muted",
    "resource_type",
    "resource_id",
    "resource_name",
    "detail",
    "remediation",
    "remediation_cli",
    "remediation_url",
];

pub fn render(report: &Report) -> Result<Vec<u8>, ExportError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for f in &report.findings {
        w.write_record([
            f.account_id.as_str(),
            f.region.as_str(),
            f.check_id.as_str(),
            f.title.as_str(),
            &f.requirements.join("; "),
            f.status.as_str(),
            f.severity.as_str(),
            if f.muted { "true" } else { "false" },
            f.resource.kind.as_str(),
            f.resource.id.as_str(),
            f.resource.name.as_str(),
            f.detail.as_str(),
            f.remediation.text.as_str(),
            f.remediation.cli.as_str(),
            f.remediation.url.as_str(),
        ])?;
    }
    w.into_inner()
        .map_err(|e| ExportError::Csv(::csv::Error::from(e.into_error())))
}
