//! Rendering: read-only views of [`App`]. Nothing here changes state or does I/O.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use super::app::{App, Dialog, Screen, TreeRow, TABS};
use super::keys::KEYMAP;
use crate::checks::catalog::Assessment;
use crate::checks::Catalog;
use crate::model::{Finding, Severity, Status};

/// Colours, or none at all when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Self {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Fail => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Status::Error => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            Status::Pass => self.fg(Color::Green),
            Status::NotApplicable => self.fg(Color::DarkGray),
            Status::Manual => self.fg(Color::Cyan),
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Severity::High => self.fg(Color::LightRed),
            Severity::Medium => self.fg(Color::Yellow),
            Severity::Low => self.fg(Color::Blue),
            Severity::Informational => self.fg(Color::DarkGray),
        }
    }

    fn selected(&self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    fn heading(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}

fn short_status(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::NotApplicable => "N/A",
        Status::Manual => "MANUAL",
    }
}

fn short_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "crit",
        Severity::High => "high",
        Severity::Medium => "med",
        Severity::Low => "low",
        Severity::Informational => "info",
    }
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

fn bar(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// Draws the whole UI.
pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_tabs(frame, tabs, app, theme);
    match app.screen {
        Screen::Overview => draw_overview(frame, body, app, theme),
        Screen::Requirements => draw_requirements(frame, body, app, theme),
        Screen::Findings => draw_findings(frame, body, app, theme),
        Screen::Errors => draw_errors(frame, body, app, theme),
        Screen::Detail => draw_detail(frame, body, app, theme),
        Screen::Help => draw_help(frame, body, app, theme),
        Screen::Scan => draw_scan(frame, body, app, theme),
    }
    draw_status(frame, status, app, theme);
    if let Some(dialog) = &app.dialog {
        draw_dialog(frame, body, app, dialog, theme);
    }
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let mut spans = vec![Span::styled(" warden ", theme.heading())];
    for (i, screen) in TABS.iter().enumerate() {
        let mut label = format!(" {} {} ", i + 1, screen.title());
        if *screen == Screen::Errors {
            label = format!(" {} Errors ({}) ", i + 1, app.report.counts().error);
        }
        let style = if app.screen == *screen {
            theme.selected()
        } else {
            Style::new()
        };
        spans.push(Span::styled(label, style));
    }
    if matches!(app.screen, Screen::Detail | Screen::Help | Screen::Scan) {
        spans.push(Span::styled(
            format!(" {} ", app.screen.title()),
            theme.selected(),
        ));
    }
    frame.render_widget(Line::from(spans), area);
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let text = if let Some((toast, _)) = &app.toast {
        Line::from(Span::styled(format!(" {toast}"), theme.heading()))
    } else if app.dialog == Some(Dialog::Search) {
        Line::from(format!(
            " /{}▏  Enter keep · Esc clear",
            app.table.filter.query
        ))
    } else {
        let hint = match app.screen {
            Screen::Overview => "Enter findings · f framework · Tab next · ? help · q quit",
            Screen::Requirements => "Enter expand/open · f framework · ? help · q quit",
            Screen::Findings => "Enter detail · / search · s v a r c f M filter · o sort · e export · m mute · ? help",
            Screen::Errors => "Enter detail · e export · y copy ARN · ? help · q quit",
            Screen::Detail => "↑↓ scroll · m mute · y copy ARN · Esc back",
            Screen::Help => "Esc back · q quit",
            Screen::Scan => "scanning… q quit",
        };
        Line::from(format!(" {hint}"))
    };
    frame.render_widget(Paragraph::new(text), area);
}

fn empty_state(frame: &mut Frame, area: Rect, message: &str) {
    let p = Paragraph::new(vec![Line::from(""), Line::from(message.to_string())])
        .wrap(Wrap { trim: true })
        .block(Block::bordered());
    frame.render_widget(p, area);
}

/// (pass, fail) counts over the findings of a set of requirement references.
fn score<'a>(app: &App, refs: impl Iterator<Item = &'a String>) -> (usize, usize) {
    let mut seen = std::collections::BTreeSet::new();
    for r in refs {
        for &i in app.by_requirement.get(r).map(Vec::as_slice).unwrap_or(&[]) {
            seen.insert(i);
        }
    }
    let pass = seen
        .iter()
        .filter(|&&i| app.report.findings[i].status == Status::Pass)
        .count();
    let fail = seen
        .iter()
        .filter(|&&i| app.report.findings[i].status == Status::Fail)
        .count();
    (pass, fail)
}

fn score_line(name: &str, pass: usize, fail: usize, width: usize) -> Line<'static> {
    let name_w = width.saturating_sub(22).max(8);
    if pass + fail == 0 {
        return Line::from(format!("{:<name_w$} {:>10}   —", cut(name, name_w), ""));
    }
    let f = pass as f64 / (pass + fail) as f64;
    // The counts get the room they need; the name gives way.
    let counts = format!("{pass}/{}", pass + fail);
    let counts_w = counts.len().max(7);
    let name_w = width.saturating_sub(18 + counts_w).max(8);
    Line::from(format!(
        "{:<name_w$} {} {:>3}% {counts:<counts_w$}",
        cut(name, name_w),
        bar(f, 10),
        (f * 100.0).round() as u32,
    ))
}

fn draw_overview(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    if app.report.findings.is_empty() {
        return empty_state(
            frame,
            area,
            "  No findings in this report. Run `warden scan --output report.json`, then `warden tui report.json`.",
        );
    }
    let counts = app.report.counts();
    let catalog = Catalog::builtin();
    let fw = catalog.frameworks.get(app.framework);
    let sections = fw
        .map(|f| {
            let mut names: Vec<&str> = f.requirements.iter().map(|r| r.section.as_str()).collect();
            names.dedup();
            names.len()
        })
        .unwrap_or(0);
    let top_height = (sections + app.report.accounts.len()).max(Status::ALL.len() + 2) as u16 + 2;
    let [head, top, worst] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top_height),
        Constraint::Min(3),
    ])
    .areas(area);
    let regions: std::collections::BTreeSet<&str> = app
        .report
        .accounts
        .iter()
        .flat_map(|a| a.regions.iter().map(String::as_str))
        .collect();
    frame.render_widget(
        Paragraph::new(format!(
            " {} account(s) · {} region(s) · evaluated {} · {}",
            app.report.accounts.len(),
            regions.len(),
            app.report.run.evaluated_at.format("%Y-%m-%d %H:%M UTC"),
            fw.map(|f| f.name.as_str()).unwrap_or("")
        )),
        head,
    );
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);

    // Compliance by section, then by account.
    let mut lines = Vec::new();
    let w = left.width.saturating_sub(2) as usize;
    if let Some(fw) = fw {
        let mut sections: Vec<&str> = Vec::new();
        for r in &fw.requirements {
            if !sections.contains(&r.section.as_str()) {
                sections.push(&r.section);
            }
        }
        for section in sections {
            let refs: Vec<String> = fw
                .requirements
                .iter()
                .filter(|r| r.section == section)
                .map(|r| fw.requirement_ref(r))
                .collect();
            let (pass, fail) = score(app, refs.iter());
            lines.push(score_line(section, pass, fail, w));
        }
    }
    for account in &app.report.accounts {
        let c = &account.counts;
        lines.push(score_line(
            &match &account.name {
                Some(name) => format!("{} {name}", account.account_id),
                None => format!("account {}", account.account_id),
            },
            c.pass,
            c.fail,
            w,
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Compliance (PASS / evaluated) ")),
        left,
    );

    // Counts by status and failures by severity.
    let total = counts.total().max(1) as f64;
    let mut lines = Vec::new();
    for s in Status::ALL {
        let n = counts.get(s);
        lines.push(Line::from(vec![
            Span::styled(format!("{:<7}", short_status(s)), theme.status(s)),
            Span::raw(format!("{:>6} {}", n, bar(n as f64 / total, 10))),
        ]));
    }
    let fails: Vec<&Finding> = app
        .report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let sev: Vec<Span> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .iter()
    .map(|s| {
        Span::styled(
            format!(
                "{} {}  ",
                short_severity(*s),
                fails.iter().filter(|f| f.severity == *s).count()
            ),
            theme.severity(*s),
        )
    })
    .collect();
    lines.push(Line::from("FAIL by severity:"));
    lines.push(Line::from(sev));
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Findings ")),
        right,
    );

    // The worst failures, and what could not be checked.
    let mut worst_list: Vec<&Finding> = fails;
    worst_list.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.check_id.cmp(&b.check_id))
    });
    let inner = worst.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if counts.error > 0 {
        lines.push(Line::from(Span::styled(
            format!(
                "⚠ {} finding(s) could not be evaluated: press 4 for the errors",
                counts.error
            ),
            theme.status(Status::Error),
        )));
    }
    for f in worst_list
        .iter()
        .take(worst.height.saturating_sub(2) as usize)
    {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<9}", f.severity.as_str()),
                theme.severity(f.severity),
            ),
            Span::raw(cut(
                &format!("{:<38} {:<15} {}", f.check_id, f.region, f.resource.name),
                inner.saturating_sub(9),
            )),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Worst failures ")),
        worst,
    );
}

fn draw_requirements(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let catalog = Catalog::builtin();
    let Some(fw) = catalog.frameworks.get(app.framework) else {
        return empty_state(frame, area, "  No framework loaded.");
    };
    let [tree, info] = Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(area);
    let rows = app.tree_rows();
    let height = tree.height.saturating_sub(2) as usize;
    let offset = app.tree_selected.saturating_sub(height.saturating_sub(1));
    let width = tree.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for (n, row) in rows.iter().enumerate().skip(offset).take(height) {
        let mut line = match row {
            TreeRow::Section(s) => Line::from(Span::styled(cut(s, width), theme.heading())),
            TreeRow::Requirement { index, .. } => {
                let req = &fw.requirements[*index];
                let reference = fw.requirement_ref(req);
                let (status, pass, total) = app.rollup(&reference);
                let open = if app.expanded.contains(&reference) {
                    "▾"
                } else {
                    "▸"
                };
                let tally = if status == Status::Manual {
                    String::new()
                } else {
                    format!(" {pass}/{total}")
                };
                let head = format!(" {open} {:<7} ", req.id);
                let tail = format!(" {}{}", short_status(status), tally);
                let title_w = width.saturating_sub(head.chars().count() + tail.chars().count());
                Line::from(vec![
                    Span::raw(head),
                    Span::raw(format!("{:<title_w$}", cut(&req.title, title_w))),
                    Span::styled(tail, theme.status(status)),
                ])
            }
            TreeRow::Finding(i) => {
                let f = &app.report.findings[*i];
                Line::from(vec![
                    Span::raw("      "),
                    Span::styled(
                        format!("{:<6} ", short_status(f.status)),
                        theme.status(f.status),
                    ),
                    Span::raw(cut(
                        &format!("{} {} {}", f.region, f.check_id, f.resource.name),
                        width.saturating_sub(13),
                    )),
                ])
            }
        };
        if n == app.tree_selected {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(format!(" {} (f: switch) ", fw.name))),
        tree,
    );
    // What the selected row is about.
    let mut text = Vec::new();
    match rows.get(app.tree_selected) {
        Some(TreeRow::Requirement { index, .. }) => {
            let req = &fw.requirements[*index];
            let reference = fw.requirement_ref(req);
            let (status, _, _) = app.rollup(&reference);
            let level = req
                .level
                .map(|l| format!("Level {l} · "))
                .unwrap_or_default();
            let kind = match req.assessment {
                Assessment::Automated => "Automated",
                Assessment::Manual => "Manual",
            };
            text.push(Line::from(format!(
                "{} {} · {level}{kind} in the benchmark",
                req.id, req.section
            )));
            if req.checks.is_empty() {
                text.push(Line::from(Span::styled(
                    "MANUAL: warden does not evaluate this; review it by hand with the benchmark's audit steps.",
                    theme.status(Status::Manual),
                )));
            } else {
                text.push(Line::from(format!("Checks: {}", req.checks.join(", "))));
                text.push(Line::from(Span::styled(
                    format!("Roll-up: {}", short_status(status)),
                    theme.status(status),
                )));
            }
        }
        Some(TreeRow::Finding(i)) => {
            let f = &app.report.findings[*i];
            text.push(Line::from(f.detail.clone()));
        }
        Some(TreeRow::Section(s)) => text.push(Line::from(s.clone())),
        None => {}
    }
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(Block::bordered()),
        info,
    );
}

fn draw_findings(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let t = &app.table;
    let [head, table_area] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
    let c = &t.counts;
    let counts = Line::from(vec![
        Span::styled(format!(" FAIL {} ", c.fail), theme.status(Status::Fail)),
        Span::styled(format!("ERROR {} ", c.error), theme.status(Status::Error)),
        Span::styled(format!("PASS {} ", c.pass), theme.status(Status::Pass)),
        Span::styled(
            format!("N/A {} ", c.not_applicable),
            theme.status(Status::NotApplicable),
        ),
        Span::styled(
            format!("MANUAL {} ", c.manual),
            theme.status(Status::Manual),
        ),
        Span::raw(format!(
            "· {} of {} · sort {} {}",
            t.visible.len(),
            app.report.findings.len(),
            t.sort.label(),
            if t.descending { "↓" } else { "↑" }
        )),
    ]);
    let filter = Line::from(format!(
        " filter: {}",
        cut(
            &t.filter.describe(),
            (area.width as usize).saturating_sub(10)
        )
    ));
    frame.render_widget(Paragraph::new(vec![counts, filter]), head);
    if t.visible.is_empty() {
        return empty_state(
            frame,
            table_area,
            if app.report.findings.is_empty() {
                "  No findings in this report."
            } else {
                "  No finding matches the filter. Press x to clear it."
            },
        );
    }
    let wide = area.width >= 110 || t.accounts.len() > 1;
    let height = table_area.height.saturating_sub(3) as usize;
    let offset = t.selected.saturating_sub(height.saturating_sub(1));
    let rows: Vec<Row> = t.visible[offset..(offset + height).min(t.visible.len())]
        .iter()
        .map(|&i| {
            let f = &app.report.findings[i];
            let mut cells = vec![
                Cell::from(Span::styled(
                    format!(
                        "{}{}",
                        short_status(f.status),
                        if f.muted { "*" } else { "" }
                    ),
                    theme.status(f.status),
                )),
                Cell::from(Span::styled(
                    f.severity.as_str(),
                    theme.severity(f.severity),
                )),
            ];
            if wide {
                cells.push(Cell::from(f.account_id.as_str()));
            }
            cells.push(Cell::from(f.region.as_str()));
            cells.push(Cell::from(f.check_id.as_str()));
            cells.push(Cell::from(f.resource.name.as_str()));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(7), Constraint::Length(9)];
    let mut header = vec!["STATUS", "SEVERITY"];
    if wide {
        widths.push(Constraint::Length(12));
        header.push("ACCOUNT");
    }
    widths.extend([
        Constraint::Length(14),
        Constraint::Length(32),
        Constraint::Min(10),
    ]);
    header.extend(["REGION", "CHECK", "RESOURCE"]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.heading()))
        .row_highlight_style(theme.selected())
        .block(Block::bordered().title(" Findings (* muted) "));
    let mut state = TableState::default().with_selected(Some(t.selected - offset));
    frame.render_stateful_widget(table, table_area, &mut state);
}

/// (operation, kind, message) of an ERROR finding, from the collector error it carries.
fn error_parts(f: &Finding) -> (String, String, String) {
    let get = |k: &str| {
        f.evidence
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match get("operation") {
        Some(op) => {
            let kind = match get("kind").as_deref() {
                Some("service") => get("code").unwrap_or_else(|| "service".into()),
                Some(k) => k.replace('_', " "),
                None => "error".into(),
            };
            (op, kind, get("message").unwrap_or_default())
        }
        None => ("—".to_string(), "evaluation".to_string(), f.detail.clone()),
    }
}

fn draw_errors(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let errors = app.errors();
    if errors.is_empty() {
        return empty_state(
            frame,
            area,
            "  Nothing hid: every check could be evaluated.",
        );
    }
    let [table_area, info] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(area);
    let height = table_area.height.saturating_sub(3) as usize;
    let offset = app.errors_selected.saturating_sub(height.saturating_sub(1));
    let rows: Vec<Row> = errors
        .iter()
        .skip(offset)
        .take(height)
        .map(|&i| {
            let f = &app.report.findings[i];
            let (op, kind, _) = error_parts(f);
            Row::new(vec![
                Cell::from(op),
                Cell::from(f.region.clone()),
                Cell::from(f.account_id.clone()),
                Cell::from(kind),
                Cell::from(f.check_id.clone()),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(24),
            Constraint::Length(14),
            Constraint::Length(12),
            Constraint::Length(14),
            Constraint::Min(10),
        ],
    )
    .header(Row::new(["API CALL", "REGION", "ACCOUNT", "KIND", "CHECK"]).style(theme.heading()))
    .row_highlight_style(theme.selected())
    .block(Block::bordered().title(format!(
        " {} finding(s) could not be evaluated ",
        errors.len()
    )));
    let mut state = TableState::default().with_selected(Some(app.errors_selected - offset));
    frame.render_stateful_widget(table, table_area, &mut state);
    if let Some(&i) = errors.get(app.errors_selected) {
        let (_, _, message) = error_parts(&app.report.findings[i]);
        frame.render_widget(
            Paragraph::new(message)
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(" Reason ")),
            info,
        );
    }
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let Some(f) = app.detail.and_then(|i| app.finding(i)) else {
        return empty_state(frame, area, "  No finding selected.");
    };
    let meta = Catalog::builtin().checks.get(&f.check_id);
    let h = theme.heading();
    let mut lines = vec![
        Line::from(Span::styled(f.title.clone(), h)),
        Line::from(vec![
            Span::styled(f.status.as_str(), theme.status(f.status)),
            Span::raw(" · "),
            Span::styled(f.severity.as_str(), theme.severity(f.severity)),
            Span::raw(format!(
                " · {} · account {} · {}",
                f.check_id, f.account_id, f.region
            )),
        ]),
        Line::from(format!("Resource: {} ({})", f.resource.id, f.resource.kind)),
    ];
    if f.muted {
        lines.push(Line::from(format!(
            "Muted: {}",
            f.mute_reason.as_deref().unwrap_or("(no reason recorded)")
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Why", h)));
    lines.push(Line::from(f.detail.clone()));
    if let Some(meta) = meta {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("Rationale", h)));
        lines.push(Line::from(meta.rationale.trim().to_string()));
    }
    if !f.evidence.is_null() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("Evidence (what AWS returned)", h)));
        let pretty = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
        lines.extend(pretty.lines().map(|l| Line::from(l.to_string())));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Remediation", h)));
    lines.push(Line::from(f.remediation.text.trim().to_string()));
    if !f.remediation.cli.is_empty() {
        lines.push(Line::from(format!("$ {}", f.remediation.cli)));
    }
    lines.push(Line::from(format!("Docs: {}", f.remediation.url)));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Requirements", h)));
    if f.requirements.is_empty() {
        lines.push(Line::from("(none: a best-practice check)"));
    }
    lines.extend(f.requirements.iter().map(|r| Line::from(format!("• {r}"))));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0))
            .block(Block::bordered()),
        area,
    );
}

fn draw_help(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let mut lines = vec![Line::from(Span::styled("Keys", theme.heading()))];
    for b in KEYMAP {
        lines.push(Line::from(format!("  {:<12} {}", b.label, b.description)));
    }
    lines.push(Line::from("  mouse wheel  scroll"));
    lines.push(Line::from(""));
    lines.push(Line::from(format!(
        "Mutes are written to {}.",
        app.mutes_path.display()
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((app.help_scroll, 0))
            .block(Block::bordered().title(" Help ")),
        area,
    );
}

fn draw_scan(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let Some(scan) = &app.scan else {
        return empty_state(frame, area, "  No scan.");
    };
    let [head, grid, errs] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length((area.height / 3).max(4)),
    ])
    .areas(area);
    let fraction = if scan.total == 0 {
        0.0
    } else {
        scan.done as f64 / scan.total as f64
    };
    let status = match (&scan.failure, scan.finished) {
        (Some(e), _) => format!("scan failed: {e}"),
        (None, true) => "done".to_string(),
        (None, false) => "collecting…".to_string(),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(format!(
                " {} account(s), latest {} · {} {}/{} · {status}",
                scan.accounts,
                scan.account.as_deref().unwrap_or("…"),
                bar(fraction, 20),
                scan.done,
                scan.total
            )),
            Line::from(" account      region          services done (✗ = errors)"),
        ]),
        head,
    );
    let mut by_region: std::collections::BTreeMap<(&str, &str), Vec<String>> = Default::default();
    for ((account, region, service), errors) in &scan.steps {
        let mark = if *errors > 0 { "✗" } else { "✓" };
        by_region
            .entry((account, region))
            .or_default()
            .push(format!("{service}{mark}"));
    }
    // The most recent rows when they do not all fit.
    let rows = grid.height.saturating_sub(2) as usize;
    let lines: Vec<Line> = by_region
        .iter()
        .skip(by_region.len().saturating_sub(rows))
        .map(|((a, r), s)| Line::from(format!(" {a:<12} {r:<15} {}", s.join(" "))))
        .collect();
    frame.render_widget(Paragraph::new(lines).block(Block::bordered()), grid);
    let lines: Vec<Line> = scan
        .errors
        .iter()
        .rev()
        .take(errs.height.saturating_sub(2) as usize)
        .map(|e| Line::from(Span::styled(e.clone(), theme.status(Status::Error))))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(format!(" Errors so far: {} ", scan.errors.len()))),
        errs,
    );
}

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

fn draw_dialog(frame: &mut Frame, area: Rect, app: &App, dialog: &Dialog, theme: Theme) {
    match dialog {
        Dialog::Search => {}
        Dialog::Export => {
            let n = match app.screen {
                Screen::Errors => app.errors().len(),
                Screen::Detail => 1,
                _ => app.table.visible.len(),
            };
            let r = popup(area, 60, 5);
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(format!("Export the {n} finding(s) in this view as:")),
                    Line::from("  [j] JSON report   [a] ASFF   [c] CSV      Esc cancel"),
                    Line::from("into a new file in the current directory."),
                ])
                .block(
                    Block::bordered()
                        .title(" Export ")
                        .border_style(theme.heading()),
                ),
                r,
            );
        }
        Dialog::Mute { index, reason } => {
            let Some(f) = app.finding(*index) else { return };
            let r = popup(area, 70, 7);
            frame.render_widget(Clear, r);
            let w = r.width.saturating_sub(4) as usize;
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(cut(
                        &format!("Mute {} on {}", f.check_id, f.resource.name),
                        w,
                    )),
                    Line::from(""),
                    Line::from(format!("Reason: {}▏", cut(reason, w.saturating_sub(9)))),
                    Line::from(""),
                    Line::from(cut(
                        &format!("Enter saves to {} · Esc cancels", app.mutes_path.display()),
                        w,
                    )),
                ])
                .block(
                    Block::bordered()
                        .title(" Mute ")
                        .border_style(theme.heading()),
                ),
                r,
            );
        }
    }
}
