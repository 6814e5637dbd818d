//! TUI screens, drawn into a test backend: draw → act → draw, snapshotted with insta at
//! 100×30 and 80×24. The fixture is the bundled demo report (fixed date, so stable).

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use warden::tui::app::{App, Effect, Screen};
use warden::tui::view::{draw, Theme};

fn demo_app() -> App {
    let report = warden::commands::demo_report(&warden::tui::testing::report_args()).unwrap();
    App::new(report, "warden.mutes.toml".into())
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            app.page = frame.area().height.saturating_sub(6) as usize;
            draw(frame, app, Theme { color: false })
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.on_key(KeyEvent::from(code))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

macro_rules! snap {
    ($name:expr, $app:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("tui_{}_100x30", $name), screen($app, 100, 30));
            insta::assert_snapshot!(format!("tui_{}_80x24", $name), screen($app, 80, 24));
        });
    };
}

#[test]
fn overview() {
    let mut app = demo_app();
    snap!("overview", &mut app);
}

#[test]
fn requirements_tree_with_a_requirement_expanded() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(app.screen, Screen::Requirements);
    // Down to CIS v7.0.0 4.2 (log file validation) and expand it.
    let target = app
        .tree_rows()
        .iter()
        .position(|r| {
            matches!(r, warden::tui::app::TreeRow::Requirement { index, .. }
            if warden::checks::Catalog::builtin().frameworks[0].requirements[*index].id == "4.2")
        })
        .unwrap();
    for _ in 0..target {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    snap!("requirements", &mut app);
    // Into the finding under it.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Detail);
    assert_eq!(
        app.report.findings[app.detail.unwrap()].check_id,
        "cloudtrail_log_file_validation"
    );
}

#[test]
fn findings_filter_search_and_detail() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('3'));
    snap!("findings", &mut app);
    press(&mut app, KeyCode::Char('s')); // status = FAIL
    assert!(app
        .table
        .visible
        .iter()
        .all(|&i| app.report.findings[i].status == warden::model::Status::Fail));
    snap!("findings_fail", &mut app);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "bob");
    snap!("findings_search", &mut app);
    press(&mut app, KeyCode::Enter); // keep the search
    press(&mut app, KeyCode::Enter); // open the detail
    assert_eq!(app.screen, Screen::Detail);
    snap!("detail", &mut app);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Findings);
}

#[test]
fn mute_dialog_marks_the_finding_and_asks_to_save_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app();
    app.mutes_path = dir.path().join("mutes.toml");
    press(&mut app, KeyCode::Char('3'));
    let chosen = app.table.selected_index().unwrap();
    press(&mut app, KeyCode::Char('m'));
    type_text(&mut app, "accepted until Q1");
    let shown = screen(&mut app, 100, 30);
    assert!(shown.contains("Reason: accepted until Q1"), "{shown}");
    // Empty reasons are refused: a mute always says why.
    let effects = press(&mut app, KeyCode::Enter);
    assert!(app.report.findings[chosen].muted);
    let [Effect::SaveMute { path, mute }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(mute.reason, "accepted until Q1");
    let message = warden::tui::perform(
        &app,
        Effect::SaveMute {
            path: path.clone(),
            mute: mute.clone(),
        },
    );
    app.on_effect_done(message.replace(&dir.path().display().to_string(), "<dir>"));
    snap!("muted", &mut app);
    let saved = warden::mutes::MuteFile::load(path, false).unwrap();
    assert_eq!(saved.mutes.len(), 1);
    assert!(saved.mutes[0].matches(&app.report.findings[chosen]));
}

#[test]
fn export_writes_the_current_view_and_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app();
    app.export_dir = dir.path().to_path_buf();
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('s')); // FAIL only
    press(&mut app, KeyCode::Char('e'));
    snap!("export_dialog", &mut app);
    let effects = press(&mut app, KeyCode::Char('c'));
    let [effect @ Effect::Export { findings, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(findings.len(), app.table.counts.fail);
    let message = warden::tui::perform(&app, effect.clone());
    assert!(
        message.starts_with(&format!(
            "Exported {} finding(s) to ",
            app.table.counts.fail
        )),
        "{message}"
    );
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let csv = std::fs::read_to_string(files[0].path()).unwrap();
    assert_eq!(csv.lines().count(), app.table.counts.fail + 1);
    app.on_effect_done("Exported 21 finding(s) to <file>".to_string());
    snap!("export_toast", &mut app);
}

#[test]
fn errors_view_shows_every_error_with_its_call() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('4'));
    let shown = screen(&mut app, 100, 30);
    assert!(
        shown.contains("kms:ListKeys") && shown.contains("ap-southeast-2"),
        "{shown}"
    );
    snap!("errors", &mut app);
}

#[test]
fn help_lists_every_key() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('?'));
    let shown = screen(&mut app, 100, 40);
    for b in warden::tui::keys::KEYMAP {
        assert!(
            shown.contains(b.description),
            "{} missing from help",
            b.description
        );
    }
    snap!("help", &mut app);
}

#[test]
fn an_empty_report_is_a_friendly_state() {
    let mut app = App::new(warden::tui::app::empty_report(), "m.toml".into());
    let overview = screen(&mut app, 80, 24);
    assert!(
        overview.contains("No findings in this report"),
        "{overview}"
    );
    for key in ['2', '3', '4', 'j', 'k', 'e', 'm', 'y', 's', '/'] {
        press(&mut app, KeyCode::Char(key));
        screen(&mut app, 80, 24);
    }
    press(&mut app, KeyCode::Esc);
    for (w, h) in [(80, 24), (20, 5), (1, 1)] {
        screen(&mut app, w, h);
    }
}

#[test]
fn live_scan_progress() {
    let mut app = App::scanning("m.toml".into());
    app.on_scan_planned(9);
    app.on_scan_step("111122223333", "us-east-1", "iam", vec![]);
    app.on_scan_step("111122223333", "us-east-1", "kms", vec![]);
    app.on_scan_step(
        "111122223333",
        "eu-west-1",
        "config",
        vec!["config:DescribeConfigurationRecorders failed in eu-west-1 for account 111122223333 (access denied): not authorized".into()],
    );
    snap!("scan", &mut app);
    let report = warden::commands::demo_report(&warden::tui::testing::report_args()).unwrap();
    app.on_scan_finished(Ok(report));
    assert_eq!(app.screen, Screen::Overview);
    assert!(!app.report.findings.is_empty());
}

#[test]
fn resizing_keeps_the_selection_visible() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::End);
    let last = app.table.selected_index().unwrap();
    let name = &app.report.findings[last].check_id.clone();
    for (w, h) in [(100, 30), (80, 24), (120, 12)] {
        let shown = screen(&mut app, w, h);
        assert!(shown.contains(&name[..20]), "{w}x{h}: {shown}");
    }
}
