//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::export::Format;
use crate::model::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "warden",
    version,
    about = "Audit AWS accounts against the CIS AWS Foundations Benchmark and AWS logging best practices",
    after_help = "Exit codes: 0 clean; 1 an unmuted FAIL at or above --fail-on; 2 ERROR findings (something could not be checked) or a fatal error."
)]
pub struct Cli {
    /// More logs on stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr: no progress, no notices (for cron)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log format on stderr
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan the account your AWS credentials belong to
    Scan(ScanArgs),
    /// Re-evaluate a saved evidence snapshot offline with this version's checks
    Eval(EvalArgs),
    /// Evaluate the bundled demo evidence (no AWS account needed); opens the TUI in a terminal
    Demo(DemoArgs),
    /// Browse a saved report in the terminal UI, or scan live with --scan
    Tui(TuiArgs),
    /// What changed between two JSON reports (new failures, fixed, still failing, new errors)
    Diff(DiffArgs),
    /// Join reports of shards (`scan --org --shard K/N`) into one report
    Merge(MergeArgs),
    /// List the checks, show one, or show framework coverage
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// Every check: id, severity, title, frameworks
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Everything about one check
    Show { id: String },
    /// How many recommendations of each framework warden evaluates (Automated and Manual apart),
    /// as the Markdown table in the README; `--missing` lists those left for a person
    Coverage {
        /// Also list every recommendation that no check evaluates
        #[arg(long)]
        missing: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    /// One JSON object per line
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// What to evaluate and how to report it: shared by scan, eval and demo.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format (default: json; `demo` prints a summary table unless given)
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report here (atomically, mode 0600) instead of standard output
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// Framework(s) whose requirements to run and list: cis-7.0.0 (default), cis-5.0.0, cis-3.0.0, aws-fsbp-1.0.0
    #[arg(long, value_delimiter = ',')]
    pub framework: Vec<String>,

    /// Run only these check ids (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub checks: Vec<String>,

    /// Skip these check ids (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub exclude_checks: Vec<String>,

    /// Run only checks of at least this severity
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,

    /// Override a check parameter: CHECK_ID.NAME=VALUE (e.g. iam_access_key_rotation.max_key_age_days=60)
    #[arg(long = "param", value_parser = parse_param)]
    pub params: Vec<(String, i64)>,

    /// Mutes file (TOML): accepted exceptions, kept in the report but not failing the run
    #[arg(long, env = "WARDEN_MUTES")]
    pub mutes: Option<PathBuf>,

    /// Exit 1 only for unmuted FAIL findings at or above this severity
    #[arg(long, value_enum, default_value = "informational")]
    pub fail_on: Severity,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// AWS profile to use (default: AWS_PROFILE or the default profile)
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,

    /// Region for global services and region discovery (default: from the AWS config)
    #[arg(long)]
    pub region: Option<String>,

    /// Regions to scan: `all` (every enabled region, the default) or r1,r2
    #[arg(long, default_value = "all")]
    pub regions: String,

    /// Send AWS API calls to this endpoint (emulators, private endpoints; S3 goes path-style)
    #[arg(long, env = "WARDEN_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,

    /// Where to save the evidence snapshot (default: beside the report as NAME.evidence.json)
    #[arg(long)]
    pub evidence: Option<PathBuf>,

    /// Write the report into this directory with a timestamped name (warden-ACCOUNT-TIME.EXT),
    /// keeping earlier runs
    #[arg(long, conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,

    /// Maximum concurrent units of collection work (a service in a region, a bucket, a trail);
    /// with --org, the number of accounts scanned at once (each with 8 units of work)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=512))]
    pub concurrency: u16,

    /// Scan every active account of the AWS Organization (from the management or a delegated
    /// administrator account), assuming --role in each member
    #[arg(long)]
    pub org: bool,

    /// The role to assume in member accounts
    #[arg(
        long,
        default_value = "OrganizationAccountAccessRole",
        requires = "org"
    )]
    pub role: String,

    /// External id for the role's trust policy
    #[arg(long, requires = "org")]
    pub external_id: Option<String>,

    /// Session name recorded in member accounts' CloudTrail
    #[arg(long, default_value = "warden", requires = "org")]
    pub role_session_name: String,

    /// Assumed-role session duration in seconds (900-43200)
    #[arg(long, requires = "org", value_parser = clap::value_parser!(u64).range(900..=43200))]
    pub session_duration: Option<u64>,

    /// Only these member account ids (comma-separated)
    #[arg(long, value_delimiter = ',', requires = "org")]
    pub accounts: Vec<String>,

    /// Skip these member account ids (comma-separated)
    #[arg(long, value_delimiter = ',', requires = "org")]
    pub exclude_accounts: Vec<String>,

    /// Only accounts under these organizational units or roots (ou-…, r-…), at any depth
    #[arg(long, value_delimiter = ',', requires = "org")]
    pub ou: Vec<String>,

    /// Scan only shard K of N (1-based) of the selected accounts, for parallel jobs; join the
    /// reports with `warden merge`
    #[arg(long, value_parser = parse_shard, requires = "org")]
    pub shard: Option<(usize, usize)>,

    /// Seconds to wait for IAM to generate the credential report
    #[arg(long, default_value_t = 120)]
    pub credential_report_wait: u64,

    /// Print API call counts on stderr at the end
    #[arg(long)]
    pub stats: bool,

    /// Import the findings into AWS Security Hub (each into its own account and region), then
    /// archive warden's earlier findings that this run no longer produced
    #[arg(long)]
    pub upload_securityhub: bool,

    /// With --upload-securityhub: print what would be imported and archived, change nothing
    #[arg(long, requires = "upload_securityhub")]
    pub dry_run: bool,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// An evidence file written by `warden scan`
    pub evidence: PathBuf,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    /// A JSON report written by `warden scan` (or `--format json`)
    pub report: Option<PathBuf>,

    /// Scan now (with the scan flags below) and browse the result
    #[arg(long, conflicts_with = "report")]
    pub scan: bool,

    #[command(flatten)]
    pub scan_args: ScanArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The earlier report (JSON)
    pub old: PathBuf,
    /// The later report (JSON)
    pub new: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Write here (atomically) instead of standard output
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// JSON reports to join
    #[arg(required = true, num_args = 2..)]
    pub reports: Vec<PathBuf>,

    /// Output format of the merged report
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,

    /// Write here (atomically) instead of standard output
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// Exit 1 only for unmuted FAIL findings at or above this severity
    #[arg(long, value_enum, default_value = "informational")]
    pub fail_on: Severity,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub report: ReportArgs,
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N such as 2/5, got '{s}'"))?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| format!("expected K/N such as 2/5, got '{s}'"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("expected K/N such as 2/5, got '{s}'"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard {k}/{n}: need 1 <= K <= N"));
    }
    Ok((k, n))
}

fn parse_param(s: &str) -> Result<(String, i64), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected CHECK_ID.NAME=VALUE, got '{s}'"))?;
    if !key.contains('.') {
        return Err(format!("expected CHECK_ID.NAME=VALUE, got '{s}'"));
    }
    let value: i64 = value
        .parse()
        .map_err(|_| format!("parameter value must be a whole number, got '{value}'"))?;
    Ok((key.to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn shards_parse() {
        assert_eq!(parse_shard("2/5").unwrap(), (2, 5));
        assert!(parse_shard("0/5").is_err());
        assert!(parse_shard("6/5").is_err());
        assert!(parse_shard("x").is_err());
    }

    #[test]
    fn params_parse() {
        assert_eq!(parse_param("a.b=3").unwrap(), ("a.b".to_string(), 3));
        assert!(parse_param("ab=3").is_err());
        assert!(parse_param("a.b=x").is_err());
    }
}
