//! The `warden` binary: parse the command line, run, map the outcome to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

// glibc's allocator spends most of an evaluation freeing many small strings; mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use warden::cli::{Cli, Command, LogFormat};
use warden::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("warden: error: {err:#}");
            ExitCode::from(commands::EXIT_ERROR)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Scan(args) => {
            if let Some(out) = &args.report.output {
                anyhow::ensure!(
                    !out.is_dir(),
                    "--output {} is a directory; give a file path",
                    out.display()
                );
            }
            let runtime = tokio::runtime::Runtime::new()?;
            let progress = std::io::stderr().is_terminal() && cli.verbose == 0 && !cli.quiet;
            runtime.block_on(commands::scan(args, progress))
        }
        Command::Eval(args) => commands::eval(args),
        Command::Demo(args) => {
            let interactive = std::io::stdout().is_terminal()
                && args.report.format.is_none()
                && args.report.output.is_none();
            if interactive {
                let report = commands::demo_report(&args.report)?;
                let mutes = args
                    .report
                    .mutes
                    .clone()
                    .unwrap_or_else(|| warden::tui::DEFAULT_MUTES.into());
                tokio::runtime::Runtime::new()?.block_on(warden::tui::browse(report, mutes))?;
                Ok(commands::EXIT_CLEAN)
            } else {
                commands::demo(args)
            }
        }
        Command::Tui(args) => tokio::runtime::Runtime::new()?.block_on(commands::tui(args)),
        Command::Diff(args) => commands::diff(args),
        Command::Merge(args) => commands::merge(args),
        Command::Checks { command } => commands::checks(command),
    }
}

fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warden=info",
        (false, 2) => "warden=debug,aws_config=info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.without_time().with_target(false).init(),
    }
}
