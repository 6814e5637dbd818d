//! The terminal UI: browse a report, or scan live and browse the result.
//!
//! One event loop takes terminal input, a tick and scan progress from one channel; [`app::App`]
//! turns them into state changes and effects; [`view`] draws the state.

pub mod app;
pub mod findings;
pub mod keys;
pub mod view;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use base64::Engine as _;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use self::app::{App, Effect};
use self::view::Theme;
use crate::export::{self, Format};
use crate::model::Report;
use crate::mutes::MuteFile;
use crate::output;

/// Everything the loop reacts to.
pub enum Message {
    Input(Event),
    Tick,
    Scan(crate::collect::ScanEvent),
    ScanDone(std::result::Result<Report, String>),
}

/// The default mutes file, shared with `warden scan --mutes`.
pub const DEFAULT_MUTES: &str = "warden.mutes.toml";

/// Browses a report until the user quits.
pub async fn browse(report: Report, mutes_path: PathBuf) -> Result<()> {
    let (tx, rx) = unbounded_channel();
    run(App::new(report, mutes_path), tx, rx).await
}

/// Starts the UI on the live-scan screen; `start` gets the sender for progress and the result.
pub async fn scan_live<F, Fut>(mutes_path: PathBuf, start: F) -> Result<()>
where
    F: FnOnce(UnboundedSender<crate::collect::ScanEvent>) -> Fut,
    Fut: std::future::Future<Output = std::result::Result<Report, String>> + Send + 'static,
{
    let (tx, rx) = unbounded_channel();
    let (scan_tx, mut scan_rx) = unbounded_channel();
    let scan = start(scan_tx);
    let forward = tx.clone();
    tokio::spawn(async move {
        while let Some(ev) = scan_rx.recv().await {
            if forward.send(Message::Scan(ev)).is_err() {
                return;
            }
        }
    });
    let done = tx.clone();
    tokio::spawn(async move {
        let result = scan.await;
        let _ = done.send(Message::ScanDone(result));
    });
    run(App::scanning(mutes_path), tx, rx).await
}

/// Restores the terminal; safe to call more than once.
fn restore() {
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
}

async fn run(
    mut app: App,
    tx: UnboundedSender<Message>,
    mut rx: UnboundedReceiver<Message>,
) -> Result<()> {
    let theme = Theme::from_env();
    let mut terminal = ratatui::init();
    // ratatui::init restores raw mode and the screen on panic; mouse capture too, here.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let _ = execute!(std::io::stdout(), EnableMouseCapture);

    let input = tx.clone();
    std::thread::spawn(move || loop {
        match event::poll(Duration::from_millis(200)) {
            Ok(true) => match event::read() {
                Ok(ev) => {
                    if input.send(Message::Input(ev)).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            Ok(false) => {
                if input.is_closed() {
                    return;
                }
            }
            Err(_) => return,
        }
    });
    let ticker = tx.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_millis(250));
        loop {
            interval.tick().await;
            if ticker.send(Message::Tick).is_err() {
                return;
            }
        }
    });
    drop(tx);

    let result = async {
        loop {
            terminal
                .draw(|frame| {
                    app.page = frame.area().height.saturating_sub(6) as usize;
                    view::draw(frame, &app, theme)
                })
                .context("cannot draw the terminal")?;
            let Some(message) = rx.recv().await else {
                break;
            };
            let effects = match message {
                Message::Input(Event::Key(key)) if key.kind == event::KeyEventKind::Press => {
                    app.on_key(key)
                }
                Message::Input(Event::Mouse(mouse)) => app.on_mouse(mouse),
                Message::Input(_) => Vec::new(),
                Message::Tick => {
                    app.on_tick();
                    Vec::new()
                }
                Message::Scan(crate::collect::ScanEvent::Planned { total, .. }) => {
                    app.on_scan_planned(total);
                    Vec::new()
                }
                Message::Scan(crate::collect::ScanEvent::Step {
                    account,
                    region,
                    service,
                    errors,
                }) => {
                    app.on_scan_step(&account, &region, &service, errors);
                    Vec::new()
                }
                Message::ScanDone(result) => {
                    app.on_scan_finished(result);
                    Vec::new()
                }
            };
            for effect in effects {
                if effect == Effect::Quit {
                    return Ok(());
                }
                let message = perform(&app, effect);
                app.on_effect_done(message);
            }
            if app.quit {
                return Ok(());
            }
        }
        Ok(())
    }
    .await;
    restore();
    result
}

/// Carries out one effect and says how it went, for a toast.
pub fn perform(app: &App, effect: Effect) -> String {
    match effect {
        Effect::Export { format, findings } => {
            let ext = match format {
                Format::Json => "json",
                Format::Asff => "asff.json",
                Format::Csv => "csv",
            };
            let path = app.export_dir.join(format!(
                "warden-export-{}.{ext}",
                chrono::Utc::now().format("%Y%m%d-%H%M%S")
            ));
            match export_view(&app.report, &findings, format, &path) {
                Ok(()) => format!(
                    "Exported {} finding(s) to {}",
                    findings.len(),
                    path.display()
                ),
                Err(e) => format!("Export failed: {e:#}"),
            }
        }
        Effect::SaveMute { path, mute } => match append_mute(&path, mute) {
            Ok(()) => format!("Muted; saved to {}", path.display()),
            Err(e) => format!("Mute not saved: {e:#}"),
        },
        Effect::Copy(text) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            let mut out = std::io::stdout();
            match write!(out, "\x1b]52;c;{encoded}\x07").and_then(|_| out.flush()) {
                Ok(()) => format!("Copied {text}"),
                Err(e) => format!("Copy failed: {e}"),
            }
        }
        Effect::Quit => String::new(),
    }
}

/// Writes the given findings of `report` as a report of their own.
pub fn export_view(report: &Report, findings: &[usize], format: Format, path: &Path) -> Result<()> {
    let mut view = report.clone();
    view.findings = findings
        .iter()
        .filter_map(|&i| report.findings.get(i).cloned())
        .collect();
    let bytes = export::render(&view, format)?;
    output::write_atomic(path, &bytes)?;
    Ok(())
}

/// Adds a mute to the mutes file (created when missing), rewriting it atomically.
pub fn append_mute(path: &Path, mute: crate::mutes::Mute) -> Result<()> {
    let mut file = MuteFile::load(path, true)?;
    file.mutes.push(mute);
    output::write_atomic(path, file.render_for(path).as_bytes())?;
    Ok(())
}

/// Test fixtures shared by the TUI's unit and snapshot tests.
#[doc(hidden)]
pub mod testing {
    use crate::cli::ReportArgs;

    pub fn report_args() -> ReportArgs {
        ReportArgs {
            format: None,
            output: None,
            framework: Vec::new(),
            checks: Vec::new(),
            exclude_checks: Vec::new(),
            severity: None,
            params: Vec::new(),
            mutes: None,
            fail_on: crate::model::Severity::Informational,
        }
    }
}
