//! The `warden` binary: parse the command line, run, map the outcome to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use warden::cli::{Cli, Command};
use warden::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
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
                    !commands::is_dir(out),
                    "--output {} is a directory; give a file path",
                    out.display()
                );
            }
            let runtime = tokio::runtime::Runtime::new()?;
            let progress = std::io::stderr().is_terminal() && cli.verbose == 0;
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
        Command::Checks { command } => commands::checks(command),
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "warden=info",
        2 => "warden=debug,aws_config=info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
