//! The TUI's state and its `update` function. `update` changes state and returns [`Effect`]s
//! for the event loop to carry out; it does no I/O itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

use super::findings::{cycle, FindingsTable, SortKey};
use super::keys::{action_for, Action};
use crate::checks::Catalog;
use crate::export::Format;
use crate::model::{Finding, Report, Status};
use crate::mutes::Mute;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Requirements,
    Findings,
    Errors,
    Detail,
    Help,
    Scan,
}

/// The screens Tab cycles through, in order.
pub const TABS: [Screen; 4] = [
    Screen::Overview,
    Screen::Requirements,
    Screen::Findings,
    Screen::Errors,
];

impl Screen {
    pub fn title(self) -> &'static str {
        match self {
            Screen::Overview => "Overview",
            Screen::Requirements => "Requirements",
            Screen::Findings => "Findings",
            Screen::Errors => "Errors",
            Screen::Detail => "Detail",
            Screen::Help => "Help",
            Screen::Scan => "Scan",
        }
    }
}

/// A modal dialog over the current screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// Typing a search query (applied as it is typed).
    Search,
    /// Choosing an export format.
    Export,
    /// Typing the reason for muting finding `index`.
    Mute { index: usize, reason: String },
}

/// I/O the event loop performs for `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write these findings (the current view) in `format` to a new file.
    Export {
        format: Format,
        findings: Vec<usize>,
    },
    /// Append a mute to the mutes file.
    SaveMute {
        path: PathBuf,
        mute: Mute,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    Quit,
}

/// Progress of a live scan, by region and service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanProgress {
    pub account: Option<String>,
    pub total: u64,
    pub done: u64,
    /// (account, region, service) → number of errors seen there.
    pub steps: BTreeMap<(String, String, String), usize>,
    /// Accounts whose collection has been planned (an organization scan has several).
    pub accounts: usize,
    /// Errors as they happen, newest last.
    pub errors: Vec<String>,
    pub finished: bool,
    pub failure: Option<String>,
}

/// A row of the requirements tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeRow {
    Section(String),
    Requirement { framework: usize, index: usize },
    Finding(usize),
}

/// Everything the UI shows.
#[derive(Debug)]
pub struct App {
    pub report: Report,
    pub table: FindingsTable,
    pub screen: Screen,
    history: Vec<Screen>,
    pub dialog: Option<Dialog>,
    pub toast: Option<(String, u32)>,
    pub detail: Option<usize>,
    pub detail_scroll: u16,
    pub errors_selected: usize,
    pub help_scroll: u16,
    /// Index into the catalogue's frameworks for the requirements tree and overview.
    pub framework: usize,
    pub expanded: BTreeSet<String>,
    pub tree_selected: usize,
    pub mutes_path: PathBuf,
    /// Where exports are written.
    pub export_dir: PathBuf,
    pub scan: Option<ScanProgress>,
    pub quit: bool,
    /// Rows a page holds; set by the view from the terminal size.
    pub page: usize,
    /// Findings of each requirement reference (`<framework name>/<id>`), for roll-ups.
    pub by_requirement: BTreeMap<String, Vec<usize>>,
}

/// How long a toast stays, in ticks.
pub const TOAST_TICKS: u32 = 16;

impl App {
    pub fn new(report: Report, mutes_path: PathBuf) -> Self {
        let table = FindingsTable::new(&report.findings);
        let by_requirement = index_requirements(&report.findings);
        App {
            report,
            table,
            screen: Screen::Overview,
            history: Vec::new(),
            dialog: None,
            toast: None,
            detail: None,
            detail_scroll: 0,
            errors_selected: 0,
            help_scroll: 0,
            framework: 0,
            expanded: BTreeSet::new(),
            tree_selected: 0,
            mutes_path,
            export_dir: PathBuf::from("."),
            scan: None,
            quit: false,
            page: 10,
            by_requirement,
        }
    }

    /// Starts in the live-scan screen, with no findings yet.
    pub fn scanning(mutes_path: PathBuf) -> Self {
        let mut app = App::new(empty_report(), mutes_path);
        app.scan = Some(ScanProgress::default());
        app.screen = Screen::Scan;
        app
    }

    pub fn finding(&self, i: usize) -> Option<&Finding> {
        self.report.findings.get(i)
    }

    /// ERROR findings, in report order.
    pub fn errors(&self) -> Vec<usize> {
        self.report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.status == Status::Error)
            .map(|(i, _)| i)
            .collect()
    }

    pub fn framework_name(&self) -> Option<&str> {
        Catalog::builtin()
            .frameworks
            .get(self.framework)
            .map(|f| f.name.as_str())
    }

    /// The requirements tree as rows: sections, requirements, and findings of expanded ones.
    pub fn tree_rows(&self) -> Vec<TreeRow> {
        let Some(fw) = Catalog::builtin().frameworks.get(self.framework) else {
            return Vec::new();
        };
        let mut rows = Vec::new();
        let mut section = "";
        for (index, req) in fw.requirements.iter().enumerate() {
            if req.section != section {
                section = &req.section;
                rows.push(TreeRow::Section(section.to_string()));
            }
            rows.push(TreeRow::Requirement {
                framework: self.framework,
                index,
            });
            let reference = fw.requirement_ref(req);
            if self.expanded.contains(&reference) {
                for &i in self
                    .by_requirement
                    .get(&reference)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    rows.push(TreeRow::Finding(i));
                }
            }
        }
        rows
    }

    /// The status roll-up of a requirement: FAIL over ERROR over PASS over NOT_APPLICABLE;
    /// MANUAL when nothing evaluates it.
    pub fn rollup(&self, reference: &str) -> (Status, usize, usize) {
        let idx = self
            .by_requirement
            .get(reference)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let statuses: Vec<Status> = idx
            .iter()
            .map(|&i| self.report.findings[i].status)
            .collect();
        let pass = statuses.iter().filter(|s| **s == Status::Pass).count();
        let status = if statuses.is_empty() || statuses.iter().all(|s| *s == Status::Manual) {
            Status::Manual
        } else if statuses.contains(&Status::Fail) {
            Status::Fail
        } else if statuses.contains(&Status::Error) {
            Status::Error
        } else if statuses.contains(&Status::Pass) {
            Status::Pass
        } else {
            Status::NotApplicable
        };
        (status, pass, statuses.len())
    }

    fn go(&mut self, screen: Screen) {
        if self.screen != screen {
            self.history.push(self.screen);
            self.screen = screen;
        }
    }

    fn back(&mut self) {
        if let Some(prev) = self.history.pop() {
            self.screen = prev;
        }
    }

    fn open_detail(&mut self, index: usize) {
        self.detail = Some(index);
        self.detail_scroll = 0;
        self.go(Screen::Detail);
    }

    /// The finding the user is looking at, on screens that have one.
    pub fn current_finding(&self) -> Option<usize> {
        match self.screen {
            Screen::Findings => self.table.selected_index(),
            Screen::Detail => self.detail,
            Screen::Errors => self.errors().get(self.errors_selected).copied(),
            Screen::Requirements => match self.tree_rows().get(self.tree_selected) {
                Some(TreeRow::Finding(i)) => Some(*i),
                _ => None,
            },
            _ => None,
        }
    }

    fn toast(&mut self, message: impl Into<String>) {
        self.toast = Some((message.into(), TOAST_TICKS));
    }

    pub fn refresh_table(&mut self) {
        self.table.refresh(&self.report.findings);
    }

    /// A key press. Dialogs take keys first.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if let Some(dialog) = self.dialog.clone() {
            return self.on_dialog_key(dialog, key);
        }
        match action_for(key) {
            Some(action) => self.on_action(action),
            None => Vec::new(),
        }
    }

    pub fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.scroll(3),
            MouseEventKind::ScrollUp => self.scroll(-3),
            _ => {}
        }
        Vec::new()
    }

    fn on_dialog_key(&mut self, dialog: Dialog, key: KeyEvent) -> Vec<Effect> {
        match dialog {
            Dialog::Search => match key.code {
                KeyCode::Esc => {
                    self.table.filter.query.clear();
                    self.dialog = None;
                    self.refresh_table();
                }
                KeyCode::Enter => self.dialog = None,
                KeyCode::Backspace => {
                    self.table.filter.query.pop();
                    self.refresh_table();
                }
                KeyCode::Char(c) => {
                    self.table.filter.query.push(c);
                    self.refresh_table();
                }
                _ => {}
            },
            Dialog::Export => {
                let format = match key.code {
                    KeyCode::Char('j') => Some(Format::Json),
                    KeyCode::Char('a') => Some(Format::Asff),
                    KeyCode::Char('c') => Some(Format::Csv),
                    KeyCode::Esc => {
                        self.dialog = None;
                        None
                    }
                    _ => None,
                };
                if let Some(format) = format {
                    self.dialog = None;
                    return vec![Effect::Export {
                        format,
                        findings: self.export_view(),
                    }];
                }
            }
            Dialog::Mute { index, mut reason } => match key.code {
                KeyCode::Esc => self.dialog = None,
                KeyCode::Enter if reason.trim().is_empty() => {
                    self.toast("A mute needs a reason: type it, then Enter")
                }
                KeyCode::Enter => {
                    self.dialog = None;
                    let Some(f) = self.report.findings.get_mut(index) else {
                        return Vec::new();
                    };
                    f.muted = true;
                    f.mute_reason = Some(reason.trim().to_string());
                    let mute = Mute::for_finding(f, reason.trim(), None);
                    self.refresh_table();
                    return vec![Effect::SaveMute {
                        path: self.mutes_path.clone(),
                        mute,
                    }];
                }
                KeyCode::Backspace => {
                    reason.pop();
                    self.dialog = Some(Dialog::Mute { index, reason });
                }
                KeyCode::Char(c) => {
                    reason.push(c);
                    self.dialog = Some(Dialog::Mute { index, reason });
                }
                _ => {}
            },
        }
        Vec::new()
    }

    /// The findings the current view shows, for export.
    fn export_view(&self) -> Vec<usize> {
        match self.screen {
            Screen::Errors => self.errors(),
            Screen::Detail => self.detail.into_iter().collect(),
            _ => self.table.visible.clone(),
        }
    }

    fn scroll(&mut self, delta: isize) {
        match self.screen {
            Screen::Findings => self.table.move_by(delta),
            Screen::Errors => {
                let n = self.errors().len();
                self.errors_selected = step(self.errors_selected, delta, n);
            }
            Screen::Requirements => {
                let n = self.tree_rows().len();
                self.tree_selected = step(self.tree_selected, delta, n);
            }
            Screen::Detail => {
                self.detail_scroll = (self.detail_scroll as isize + delta).max(0) as u16;
            }
            Screen::Help => {
                self.help_scroll = (self.help_scroll as isize + delta).max(0) as u16;
            }
            _ => {}
        }
    }

    pub fn on_action(&mut self, action: Action) -> Vec<Effect> {
        let page = self.page.max(1) as isize;
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::Help => self.go(Screen::Help),
            Action::Up => self.scroll(-1),
            Action::Down => self.scroll(1),
            Action::PageUp => self.scroll(-page),
            Action::PageDown => self.scroll(page),
            Action::Home => self.scroll(-isize::MAX / 2),
            Action::End => self.scroll(isize::MAX / 2),
            Action::NextScreen | Action::PrevScreen => {
                let pos = TABS.iter().position(|s| *s == self.screen).unwrap_or(0);
                let next = if action == Action::NextScreen {
                    (pos + 1) % TABS.len()
                } else {
                    (pos + TABS.len() - 1) % TABS.len()
                };
                self.history.clear();
                self.screen = TABS[next];
            }
            Action::Overview => self.jump(Screen::Overview),
            Action::Requirements => self.jump(Screen::Requirements),
            Action::Findings => self.jump(Screen::Findings),
            Action::Errors => self.jump(Screen::Errors),
            Action::Back => {
                if self.screen == Screen::Findings && !self.table.filter.query.is_empty() {
                    self.table.filter.query.clear();
                    self.refresh_table();
                } else {
                    self.back();
                }
            }
            Action::Enter => self.enter(),
            Action::Search => {
                self.jump(Screen::Findings);
                self.dialog = Some(Dialog::Search);
            }
            Action::CycleStatus => self.filter(|t| {
                t.filter.status = cycle(
                    &t.filter.status,
                    &[
                        Status::Fail,
                        Status::Error,
                        Status::Pass,
                        Status::NotApplicable,
                        Status::Manual,
                    ],
                );
            }),
            Action::CycleSeverity => self.filter(|t| {
                use crate::model::Severity::*;
                t.filter.min_severity =
                    cycle(&t.filter.min_severity, &[Low, Medium, High, Critical]);
            }),
            Action::CycleAccount => {
                self.filter(|t| t.filter.account = cycle(&t.filter.account, &t.accounts.clone()))
            }
            Action::CycleRegion => {
                self.filter(|t| t.filter.region = cycle(&t.filter.region, &t.regions.clone()))
            }
            Action::CycleService => {
                self.filter(|t| t.filter.service = cycle(&t.filter.service, &t.services.clone()))
            }
            Action::CycleFramework => {
                let names: Vec<String> = Catalog::builtin()
                    .frameworks
                    .iter()
                    .map(|f| f.name.clone())
                    .collect();
                if matches!(self.screen, Screen::Requirements | Screen::Overview) {
                    self.framework = (self.framework + 1) % names.len().max(1);
                    self.tree_selected = 0;
                } else {
                    self.filter(|t| t.filter.framework = cycle(&t.filter.framework, &names));
                }
            }
            Action::ToggleMuted => self.filter(|t| t.filter.hide_muted = !t.filter.hide_muted),
            Action::CycleSort => self.filter(|t| {
                let pos = SortKey::ALL.iter().position(|k| *k == t.sort).unwrap_or(0);
                t.sort = SortKey::ALL[(pos + 1) % SortKey::ALL.len()];
            }),
            Action::ReverseSort => self.filter(|t| t.descending = !t.descending),
            Action::ClearFilters => self.filter(|t| t.filter = Default::default()),
            Action::Export => {
                if self.report.findings.is_empty() {
                    self.toast("Nothing to export");
                } else {
                    self.dialog = Some(Dialog::Export);
                }
            }
            Action::Mute => match self.current_finding() {
                Some(index) if self.report.findings[index].muted => self.toast("Already muted"),
                Some(index) => {
                    self.dialog = Some(Dialog::Mute {
                        index,
                        reason: String::new(),
                    })
                }
                None => self.toast("Select a finding to mute"),
            },
            Action::Copy => match self.current_finding().and_then(|i| self.finding(i)) {
                Some(f) => {
                    let arn = f.resource.id.clone();
                    self.toast(format!("Copied {arn}"));
                    return vec![Effect::Copy(arn)];
                }
                None => self.toast("Select a finding to copy its resource ARN"),
            },
        }
        Vec::new()
    }

    fn jump(&mut self, screen: Screen) {
        self.history.clear();
        self.screen = screen;
    }

    fn filter(&mut self, change: impl FnOnce(&mut FindingsTable)) {
        change(&mut self.table);
        self.refresh_table();
        if !matches!(self.screen, Screen::Findings) {
            self.jump(Screen::Findings);
        }
    }

    fn enter(&mut self) {
        match self.screen {
            Screen::Findings => {
                if let Some(i) = self.table.selected_index() {
                    self.open_detail(i);
                }
            }
            Screen::Errors => {
                if let Some(&i) = self.errors().get(self.errors_selected) {
                    self.open_detail(i);
                }
            }
            Screen::Requirements => match self.tree_rows().get(self.tree_selected).cloned() {
                Some(TreeRow::Requirement { framework, index }) => {
                    let fw = &Catalog::builtin().frameworks[framework];
                    let reference = fw.requirement_ref(&fw.requirements[index]);
                    if !self.expanded.remove(&reference) {
                        self.expanded.insert(reference);
                    }
                }
                Some(TreeRow::Finding(i)) => self.open_detail(i),
                _ => {}
            },
            Screen::Overview => self.jump(Screen::Findings),
            _ => {}
        }
    }

    /// Called on every tick: ages the toast.
    pub fn on_tick(&mut self) {
        if let Some((_, ticks)) = &mut self.toast {
            *ticks = ticks.saturating_sub(1);
            if *ticks == 0 {
                self.toast = None;
            }
        }
    }

    /// The result of an effect, reported back by the event loop.
    pub fn on_effect_done(&mut self, message: String) {
        self.toast(message);
    }

    /// A live scan step.
    pub fn on_scan_step(
        &mut self,
        account: &str,
        region: &str,
        service: &str,
        errors: Vec<String>,
    ) {
        let scan = self.scan.get_or_insert_with(ScanProgress::default);
        scan.account = Some(account.to_string());
        scan.done += 1;
        *scan
            .steps
            .entry((account.to_string(), region.to_string(), service.to_string()))
            .or_default() += errors.len();
        scan.errors.extend(errors);
    }

    /// One more account's collection is planned: its steps add to the total.
    pub fn on_scan_planned(&mut self, total: u64) {
        let scan = self.scan.get_or_insert_with(ScanProgress::default);
        scan.total += total;
        scan.accounts += 1;
    }

    /// The scan finished: show its report.
    pub fn on_scan_finished(&mut self, result: Result<Report, String>) {
        let scan = self.scan.get_or_insert_with(ScanProgress::default);
        scan.finished = true;
        match result {
            Ok(report) => {
                self.table = FindingsTable::new(&report.findings);
                self.by_requirement = index_requirements(&report.findings);
                self.report = report;
                self.jump(Screen::Overview);
                self.toast("Scan finished");
            }
            Err(e) => scan.failure = Some(e),
        }
    }
}

fn step(current: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (current as isize + delta).clamp(0, len as isize - 1) as usize
}

fn index_requirements(findings: &[Finding]) -> BTreeMap<String, Vec<usize>> {
    let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        for r in &f.requirements {
            map.entry(r.clone()).or_default().push(i);
        }
    }
    map
}

pub fn empty_report() -> Report {
    let now = chrono::Utc::now();
    Report {
        schema_version: crate::model::REPORT_SCHEMA_VERSION,
        run: crate::model::RunMetadata {
            tool: "warden".to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at: now,
            evaluated_at: now,
            api_calls: BTreeMap::new(),
            api_calls_total: 0,
            collection_ms: 0,
        },
        accounts: Vec::new(),
        skipped_accounts: Vec::new(),
        findings: Vec::new(),
    }
}
