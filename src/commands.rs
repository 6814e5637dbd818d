//! What each subcommand does, between parsing (cli) and exit codes (main).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::checks::{self, Catalog, Selection};
use crate::cli::{
    ChecksCommand, DemoArgs, DiffArgs, DiffFormat, EvalArgs, ListFormat, MergeArgs, ReportArgs,
    ScanArgs, TuiArgs,
};
use crate::collect::{self, ScanOptions};
use crate::evidence::Evidence;
use crate::export::{self, Format};
use crate::model::{
    AccountSummary, Report, RunMetadata, Severity, Status, StatusCounts, REPORT_SCHEMA_VERSION,
};
use crate::mutes::MuteFile;
use crate::output;

/// The documented exit codes.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FAILURES: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

impl ReportArgs {
    pub fn selection(&self) -> Result<Selection> {
        let selection = Selection {
            frameworks: self.framework.clone(),
            checks: self.checks.clone(),
            exclude_checks: self.exclude_checks.clone(),
            min_severity: self.severity,
            params: self.params.iter().cloned().collect(),
        };
        selection.validate(Catalog::builtin())?;
        Ok(selection)
    }
}

/// Collection facts that only a live scan has.
#[derive(Debug, Default)]
pub struct CollectionFacts {
    pub api_calls: BTreeMap<String, u64>,
    pub collection_ms: u64,
}

/// Evaluates evidence into a report.
pub fn build_report(
    evidence: &Evidence,
    selection: &Selection,
    now: DateTime<Utc>,
    facts: CollectionFacts,
) -> Report {
    let findings = checks::evaluate(evidence, selection, now);
    let mut counts: BTreeMap<&str, StatusCounts> = BTreeMap::new();
    for f in &findings {
        counts
            .entry(f.account_id.as_str())
            .or_default()
            .add(f.status);
    }
    let scanned = evidence.accounts.iter().map(|a| AccountSummary {
        account_id: a.account_id.clone(),
        name: a.name.clone(),
        ou_path: a.ou_path.clone(),
        regions: a.regions.clone(),
        skipped_regions: a.skipped_regions.clone(),
        counts: counts
            .get(a.account_id.as_str())
            .cloned()
            .unwrap_or_default(),
    });
    let unreachable = evidence
        .unscanned
        .iter()
        .filter(|u| u.error.is_some())
        .map(|u| AccountSummary {
            account_id: u.account_id.clone(),
            name: u.name.clone(),
            ou_path: None,
            regions: Vec::new(),
            skipped_regions: BTreeMap::new(),
            counts: counts
                .get(u.account_id.as_str())
                .cloned()
                .unwrap_or_default(),
        });
    let accounts = scanned.chain(unreachable).collect();
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        run: RunMetadata {
            tool: "warden".to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at: evidence.collected_at,
            evaluated_at: now,
            api_calls_total: facts.api_calls.values().sum(),
            api_calls: facts.api_calls,
            collection_ms: facts.collection_ms,
        },
        accounts,
        skipped_accounts: evidence
            .unscanned
            .iter()
            .filter(|u| u.error.is_none())
            .map(|u| crate::model::SkippedAccount {
                account_id: u.account_id.clone(),
                name: u.name.clone(),
                status: u.status.clone(),
            })
            .collect(),
        findings,
    }
}

/// Applies `--mutes`, warning on stderr about expired mutes.
pub fn apply_mutes(report: &mut Report, args: &ReportArgs) -> Result<()> {
    let Some(path) = &args.mutes else {
        return Ok(());
    };
    let file = MuteFile::load(path, false)?;
    warn_expired(&file.apply(&mut report.findings, report.run.evaluated_at));
    Ok(())
}

fn warn_expired(expired: &[crate::mutes::Mute]) {
    for m in expired {
        tracing::warn!(
            "mute expired on {} and no longer applies (check {}, resource {}): {}",
            m.expires.map(|d| d.to_string()).unwrap_or_default(),
            m.check,
            m.resource,
            m.reason
        );
    }
}

/// 2 when anything could not be evaluated, else 1 for an unmuted FAIL at or above `fail_on`.
pub fn exit_code(report: &Report, fail_on: Severity) -> u8 {
    if report
        .findings
        .iter()
        .any(|f| f.status == Status::Error && !f.muted)
    {
        EXIT_ERROR
    } else if report
        .findings
        .iter()
        .any(|f| f.status == Status::Fail && !f.muted && f.severity >= fail_on)
    {
        EXIT_FAILURES
    } else {
        EXIT_CLEAN
    }
}

/// Writes the rendered report to `--output` (atomically) or standard output.
fn emit(report: &Report, output_path: Option<&Path>, format: Format) -> Result<()> {
    write_output(output_path, &export::render(report, format)?)
}

/// Writes to a file (atomically) or to standard output.
fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) => output::write_atomic(path, bytes)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|_| stdout.flush())
                .context("cannot write to standard output")?;
        }
    }
    Ok(())
}

fn scan_options(args: &ScanArgs, show_progress: bool) -> ScanOptions {
    let regions = match args.regions.trim() {
        "all" | "" => None,
        list => Some(
            list.split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect::<Vec<_>>(),
        ),
    };
    let org = args.org.then(|| crate::collect::org::OrgOptions {
        role: args.role.clone(),
        external_id: args.external_id.clone(),
        session_name: args.role_session_name.clone(),
        session_duration: args.session_duration.map(std::time::Duration::from_secs),
        accounts: args.accounts.clone(),
        exclude_accounts: args.exclude_accounts.clone(),
        ous: args.ou.clone(),
        shard: args.shard,
        account_concurrency: usize::from(args.concurrency),
    });
    ScanOptions {
        profile: args.profile.clone(),
        region: args.region.clone(),
        regions,
        endpoint_url: args.endpoint_url.clone(),
        // With --org, --concurrency counts accounts; each account gets a fixed fan-out.
        concurrency: if org.is_some() {
            ORG_ACCOUNT_FANOUT
        } else {
            usize::from(args.concurrency)
        },
        credential_report_wait: std::time::Duration::from_secs(args.credential_report_wait),
        progress: show_progress,
        events: None,
        org,
    }
}

/// Units of collection work per account in an organization scan.
const ORG_ACCOUNT_FANOUT: usize = 8;

pub async fn scan(args: &ScanArgs, show_progress: bool) -> Result<u8> {
    let selection = args.report.selection()?;
    let opts = scan_options(args, show_progress);
    let mutes = match &args.report.mutes {
        Some(path) => Some(MuteFile::load(path, false)?),
        None => None,
    };
    let report = scan_to_report(args, &selection, &opts, mutes.as_ref(), true).await?;
    if args.stats {
        print_stats(&report);
    }
    let mut code = exit_code(&report, args.report.fail_on);
    if args.upload_securityhub
        && !Box::pin(upload_to_securityhub(&report, &opts, args.dry_run)).await?
    {
        code = EXIT_ERROR;
    }
    Ok(code)
}

/// `--upload-securityhub`: imports each account's findings with that account's credentials.
/// Returns false when any import or archive failed (the exit code then says so).
async fn upload_to_securityhub(report: &Report, opts: &ScanOptions, dry_run: bool) -> Result<bool> {
    use crate::export::securityhub::{by_account_region, upload_region, Target};
    let base = collect::load_sdk_config(opts).await;
    let stats = collect::ApiStats::default();
    let caller = collect::identify(&base, opts, &stats).await?;
    let generators: std::collections::BTreeSet<String> = Catalog::builtin()
        .checks
        .keys()
        .cloned()
        .chain([checks::ACCOUNT_SCAN_CHECK.to_string()])
        .collect();
    let now = report
        .run
        .evaluated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut ok = true;
    let mut configs: BTreeMap<String, aws_config::SdkConfig> = BTreeMap::new();
    for ((account, region), findings) in by_account_region(crate::export::asff::findings(report)) {
        if !configs.contains_key(&account) {
            let config = match (&opts.org, account == caller.account) {
                (Some(org), false) => {
                    collect::org::member_config(&base, &caller.partition, &account, org).await
                }
                _ => base.clone(),
            };
            configs.insert(account.clone(), config);
        }
        let clients = collect::Clients::new(
            configs[&account].clone(),
            opts.endpoint_url.clone(),
            stats.clone(),
            &caller.partition,
        );
        let client = clients.securityhub(&region);
        let target = Target {
            account: &account,
            region: &region,
            partition: &caller.partition,
            generators: &generators,
            now: &now,
            dry_run,
        };
        let r = Box::pin(upload_region(&client, &target, &findings)).await;
        let verb = if dry_run { "would import" } else { "imported" };
        eprintln!(
            "warden: Security Hub {account} {region}: {verb} {} finding(s) in {} call(s); {} {} earlier finding(s)",
            r.imported,
            r.batches,
            if dry_run { "would archive" } else { "archived" },
            r.archived.len()
        );
        if dry_run {
            for (id, resource) in &r.archived {
                eprintln!("  archive {id} ({resource})");
            }
        }
        for (id, code, message) in &r.failed {
            ok = false;
            eprintln!("warden: Security Hub refused {id}: {code}: {message}");
        }
        if let Some(e) = &r.error {
            ok = false;
            eprintln!("warden: Security Hub upload failed: {e}");
        }
    }
    Ok(ok)
}

/// Scans, evaluates, applies mutes, and writes the evidence and the report where asked (to
/// standard output only when `stdout` is true and no --output is given).
async fn scan_to_report(
    args: &ScanArgs,
    selection: &Selection,
    opts: &ScanOptions,
    mutes: Option<&MuteFile>,
    stdout: bool,
) -> Result<Report> {
    let result = collect::scan(opts).await?;
    let facts = CollectionFacts {
        api_calls: result.api_calls,
        collection_ms: u64::try_from(result.elapsed.as_millis()).unwrap_or(u64::MAX),
    };
    let mut report = build_report(&result.evidence, selection, Utc::now(), facts);
    if let Some(mutes) = mutes {
        warn_expired(&mutes.apply(&mut report.findings, report.run.evaluated_at));
    }

    let format = args.report.format.unwrap_or(Format::Json);
    let output_path = match (&args.report.output, &args.output_dir) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(dir)) => Some(dir.join(timestamped_name(&report, format))),
        (None, None) => None,
    };
    let evidence_path = args
        .evidence
        .clone()
        .or_else(|| output_path.as_deref().map(output::evidence_path_beside));
    if let Some(path) = &evidence_path {
        let bytes = serde_json::to_vec_pretty(&result.evidence)?;
        output::write_atomic(path, &bytes)?;
    }
    if stdout || output_path.is_some() {
        emit(&report, output_path.as_deref(), format)?;
    }
    Ok(report)
}

/// `warden-<account>-<UTC timestamp>.<ext>`: one file per run, so a nightly job keeps history.
pub fn timestamped_name(report: &Report, format: Format) -> String {
    let account = match report.accounts.as_slice() {
        [one] => one.account_id.clone(),
        _ => "scan".to_string(),
    };
    let ext = match format {
        Format::Json => "json",
        Format::Asff => "asff.json",
        Format::Csv => "csv",
    };
    format!(
        "warden-{account}-{}.{ext}",
        report.run.evaluated_at.format("%Y%m%dT%H%M%SZ")
    )
}

fn print_stats(report: &Report) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "API calls: {} in {:.1} s",
        report.run.api_calls_total,
        report.run.collection_ms as f64 / 1000.0
    );
    for (op, n) in &report.run.api_calls {
        let _ = writeln!(err, "  {n:>6}  {op}");
    }
}

pub fn eval(args: &EvalArgs) -> Result<u8> {
    let selection = args.report.selection()?;
    let evidence = Evidence::load(&args.evidence)?;
    let mut report = build_report(
        &evidence,
        &selection,
        Utc::now(),
        CollectionFacts::default(),
    );
    apply_mutes(&mut report, &args.report)?;
    emit(
        &report,
        args.report.output.as_deref(),
        args.report.format.unwrap_or(Format::Json),
    )?;
    Ok(exit_code(&report, args.report.fail_on))
}

/// The demo report: the bundled evidence, evaluated as of its fixed date.
pub fn demo_report(args: &ReportArgs) -> Result<Report> {
    let selection = args.selection()?;
    let evidence = crate::demo::evidence()?;
    let mut report = build_report(
        &evidence,
        &selection,
        crate::demo::now(),
        CollectionFacts::default(),
    );
    apply_mutes(&mut report, args)?;
    Ok(report)
}

/// The demo without a terminal (or with `--format`/`--output`): always exits 0, since it shows
/// warden rather than judging an account.
pub fn demo(args: &DemoArgs) -> Result<u8> {
    let report = demo_report(&args.report)?;
    match args.report.format {
        Some(format) => emit(&report, args.report.output.as_deref(), format)?,
        None => write_output(
            args.report.output.as_deref(),
            crate::demo::summary(&report).as_bytes(),
        )?,
    }
    Ok(EXIT_CLEAN)
}

/// Reads a JSON report, naming the file and position on error.
pub fn load_report(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read report {}", path.display()))?;
    let report: Report = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "report {} is not a warden JSON report at line {}, column {}: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    anyhow::ensure!(
        report.schema_version == REPORT_SCHEMA_VERSION,
        "report {} has schema_version {}; this warden reads version {REPORT_SCHEMA_VERSION}",
        path.display(),
        report.schema_version
    );
    Ok(report)
}

/// The mutes file the TUI writes to: `--mutes`, else the default in the current directory.
fn tui_mutes_path(args: &ReportArgs) -> std::path::PathBuf {
    args.mutes
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(crate::tui::DEFAULT_MUTES))
}

/// `warden tui`: browse a report, or scan live.
pub async fn tui(args: &TuiArgs) -> Result<u8> {
    let mutes_path = tui_mutes_path(&args.scan_args.report);
    if args.scan {
        let selection = args.scan_args.report.selection()?;
        let scan_args = args.scan_args.clone();
        let mutes = MuteFile::load(&mutes_path, true)?;
        crate::tui::scan_live(mutes_path, move |events| async move {
            let mut opts = scan_options(&scan_args, false);
            opts.events = Some(events);
            scan_to_report(&scan_args, &selection, &opts, Some(&mutes), false)
                .await
                .map_err(|e| format!("{e:#}"))
        })
        .await?;
        return Ok(EXIT_CLEAN);
    }
    let Some(path) = &args.report else {
        anyhow::bail!("give a report to open (warden tui report.json) or --scan to scan now");
    };
    let mut report = load_report(path)?;
    let mutes = MuteFile::load(&mutes_path, true)?;
    mutes.apply(&mut report.findings, Utc::now());
    crate::tui::browse(report, mutes_path).await?;
    Ok(EXIT_CLEAN)
}

/// `warden merge`: one report from shard reports; exit code as for a scan.
pub fn merge(args: &MergeArgs) -> Result<u8> {
    let reports = args
        .reports
        .iter()
        .map(|p| load_report(p))
        .collect::<Result<Vec<_>>>()?;
    let merged = crate::model::merge_reports(reports).context("no reports to merge")?;
    emit(&merged, args.output.as_deref(), args.format)?;
    Ok(exit_code(&merged, args.fail_on))
}

/// `warden diff OLD NEW`: exit 1 when there are new failures.
pub fn diff(args: &DiffArgs) -> Result<u8> {
    let old = load_report(&args.old)?;
    let new = load_report(&args.new)?;
    let d = crate::diff::diff(&old, &new);
    let bytes = match args.format {
        DiffFormat::Text => crate::diff::render_text(&d).into_bytes(),
        DiffFormat::Json => {
            let mut b = serde_json::to_vec_pretty(&d)?;
            b.push(b'\n');
            b
        }
        DiffFormat::Csv => crate::diff::render_csv(&d)?,
    };
    write_output(args.output.as_deref(), &bytes)?;
    Ok(if d.new_failures > 0 {
        EXIT_FAILURES
    } else {
        EXIT_CLEAN
    })
}

pub fn checks(command: &ChecksCommand) -> Result<u8> {
    let catalog = Catalog::builtin();
    match command {
        ChecksCommand::Coverage { missing } => {
            print!("{}", catalog.coverage_table());
            if *missing {
                for fw in &catalog.frameworks {
                    let left: Vec<_> = fw
                        .requirements
                        .iter()
                        .filter(|r| r.checks.is_empty())
                        .collect();
                    if left.is_empty() {
                        continue;
                    }
                    println!(
                        "\n{}: not evaluated by any check (MANUAL findings):",
                        fw.name
                    );
                    for r in left {
                        println!("  {} {}", r.id, r.title);
                    }
                }
            }
        }
        ChecksCommand::List { format } => {
            let rows: Vec<serde_json::Value> = catalog
                .checks
                .values()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id,
                        "service": m.service,
                        "severity": m.severity,
                        "title": m.title,
                        "requirements": catalog.requirements_of(&m.id),
                    })
                })
                .collect();
            match format {
                ListFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                ListFormat::Text => {
                    for m in catalog.checks.values() {
                        let frameworks: Vec<&str> = catalog
                            .frameworks
                            .iter()
                            .filter(|f| f.requirements.iter().any(|r| r.checks.contains(&m.id)))
                            .map(|f| f.id.as_str())
                            .collect();
                        println!(
                            "{:<40} {:<13} {}  [{}]",
                            m.id,
                            m.severity,
                            m.title,
                            frameworks.join(", ")
                        );
                    }
                }
            }
        }
        ChecksCommand::Show { id } => {
            let meta = catalog
                .checks
                .get(id)
                .ok_or_else(|| checks::SelectionError::UnknownCheck(id.clone()))?;
            println!("{}  ({}, {})", meta.id, meta.service, meta.severity);
            println!("{}\n", meta.title);
            println!("Resource type: {}", meta.resource_type);
            println!("Why: {}\n", meta.rationale.trim());
            println!("Requirements:");
            for r in catalog.requirements_of(id) {
                println!("  {r}");
            }
            println!("\nAPIs read: {}", meta.apis.join(", "));
            if let Some(pattern) = &meta.filter_pattern {
                println!("Required filter pattern (or any pattern that catches every event it does):\n  {pattern}");
            }
            if !meta.parameters.is_empty() {
                println!("Parameters (override with --param {id}.NAME=VALUE):");
                for (k, v) in &meta.parameters {
                    println!("  {k} = {v}");
                }
            }
            println!("\nRemediation: {}", meta.remediation.text.trim());
            if !meta.remediation.cli.is_empty() {
                println!("CLI: {}", meta.remediation.cli);
            }
            if !meta.remediation.console.is_empty() {
                println!("Console:\n{}", meta.remediation.console.trim());
            }
            println!("Docs: {}", meta.remediation.url);
        }
    }
    Ok(EXIT_CLEAN)
}
