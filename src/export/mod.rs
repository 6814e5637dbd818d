//! Exporters: the report as JSON, as AWS Security Hub findings (ASFF), or as CSV.

pub mod asff;
pub mod csv;
pub mod securityhub;

use crate::model::Report;

/// An output format, as chosen with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The full report: run metadata, per-account summary, findings.
    Json,
    /// AWS Security Hub findings (BatchImportFindings input), MANUAL findings left out.
    Asff,
    /// One finding per row, for spreadsheets and grep.
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot serialise the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
}

/// Renders a report in `format`.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Json => {
            let mut out = serde_json::to_vec_pretty(report)?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Asff => {
            let findings = asff::findings(report);
            let mut out = serde_json::to_vec_pretty(&findings)?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Csv => csv::render(report),
    }
}
