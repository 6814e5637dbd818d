//! TUI speed on a report of ~100,000 findings: time to open (parse the JSON report and build the
//! UI state) and time per keystroke of search and filter (update + full redraw at 100×30).
//! Targets: open < 1 s, keystroke < 50 ms. Run with `cargo bench --bench tui`.

use std::time::{Duration, Instant};

// glibc's allocator spends most of an evaluation freeing many small strings; mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use warden::checks::Selection;
use warden::commands::{build_report, CollectionFacts};
use warden::model::Report;
use warden::testkit::{demo_collected_at, synthetic_evidence};
use warden::tui::app::App;
use warden::tui::view::{draw, Theme};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let evidence = synthetic_evidence(24_000, 2_000, 17);
    let report = build_report(
        &evidence,
        &Selection::default(),
        demo_collected_at(),
        CollectionFacts::default(),
    );
    let json = serde_json::to_string(&report).unwrap();
    let n = report.findings.len();
    drop(report);

    let start = Instant::now();
    let parsed: Report = serde_json::from_str(&json).unwrap();
    let parse = start.elapsed();
    let mut app = App::new(parsed, "bench.mutes.toml".into());
    let open = start.elapsed();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let theme = Theme { color: true };
    terminal.draw(|f| draw(f, &app, theme)).unwrap();
    let first_frame = start.elapsed();
    println!(
        "open: {n} findings, {:.1} MB JSON: parse {:.0} ms, UI state {:.0} ms, first frame at {:.0} ms (target < 1000 ms)",
        json.len() as f64 / 1e6,
        ms(parse),
        ms(open - parse),
        ms(first_frame)
    );

    app.on_key(KeyEvent::from(KeyCode::Char('3')));
    let mut keystroke = |app: &mut App, key: KeyCode| {
        let start = Instant::now();
        app.on_key(KeyEvent::from(key));
        terminal.draw(|f| draw(f, app, theme)).unwrap();
        start.elapsed()
    };
    let mut search = Vec::new();
    keystroke(&mut app, KeyCode::Char('/'));
    for c in "user-0042".chars() {
        search.push(keystroke(&mut app, KeyCode::Char(c)));
    }
    for _ in 0..9 {
        search.push(keystroke(&mut app, KeyCode::Backspace));
    }
    keystroke(&mut app, KeyCode::Esc);
    let mut filter = Vec::new();
    for key in ['s', 's', 'v', 'r', 'c', 'o', 'O', 'x'] {
        filter.push(keystroke(&mut app, KeyCode::Char(key)));
    }
    for (name, mut times) in [("search", search), ("filter/sort", filter)] {
        times.sort();
        println!(
            "{name} keystroke: median {:.1} ms, max {:.1} ms over {} keys (target < 50 ms)",
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
            times.len()
        );
    }
}
