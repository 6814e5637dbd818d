//! The key map: every binding, its action and its description. The help screen is generated
//! from it, so the two cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for. Context (the screen, an open dialog) decides what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    NextScreen,
    PrevScreen,
    Enter,
    Back,
    Search,
    CycleStatus,
    CycleSeverity,
    CycleAccount,
    CycleRegion,
    CycleService,
    CycleFramework,
    ToggleMuted,
    CycleSort,
    ReverseSort,
    ClearFilters,
    Export,
    Mute,
    Copy,
    Overview,
    Requirements,
    Findings,
    Errors,
}

pub struct Binding {
    pub keys: &'static [KeyCode],
    pub label: &'static str,
    pub action: Action,
    pub description: &'static str,
}

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑/k",
        action: Action::Up,
        description: "move up",
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓/j",
        action: Action::Down,
        description: "move down",
    },
    Binding {
        keys: &[KeyCode::PageUp],
        label: "PgUp",
        action: Action::PageUp,
        description: "page up",
    },
    Binding {
        keys: &[KeyCode::PageDown],
        label: "PgDn",
        action: Action::PageDown,
        description: "page down",
    },
    Binding {
        keys: &[KeyCode::Home, KeyCode::Char('g')],
        label: "Home/g",
        action: Action::Home,
        description: "first row",
    },
    Binding {
        keys: &[KeyCode::End, KeyCode::Char('G')],
        label: "End/G",
        action: Action::End,
        description: "last row",
    },
    Binding {
        keys: &[KeyCode::Tab, KeyCode::Right, KeyCode::Char('l')],
        label: "Tab/→/l",
        action: Action::NextScreen,
        description: "next screen",
    },
    Binding {
        keys: &[KeyCode::BackTab, KeyCode::Left, KeyCode::Char('h')],
        label: "S-Tab/←/h",
        action: Action::PrevScreen,
        description: "previous screen",
    },
    Binding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Enter,
        description: "drill in: open, expand, show detail",
    },
    Binding {
        keys: &[KeyCode::Esc, KeyCode::Backspace],
        label: "Esc",
        action: Action::Back,
        description: "go back, close a dialog",
    },
    Binding {
        keys: &[KeyCode::Char('1')],
        label: "1",
        action: Action::Overview,
        description: "overview",
    },
    Binding {
        keys: &[KeyCode::Char('2')],
        label: "2",
        action: Action::Requirements,
        description: "requirements tree",
    },
    Binding {
        keys: &[KeyCode::Char('3')],
        label: "3",
        action: Action::Findings,
        description: "findings table",
    },
    Binding {
        keys: &[KeyCode::Char('4')],
        label: "4",
        action: Action::Errors,
        description: "errors: what could not be checked",
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        label: "/",
        action: Action::Search,
        description: "search findings (incremental)",
    },
    Binding {
        keys: &[KeyCode::Char('s')],
        label: "s",
        action: Action::CycleStatus,
        description: "filter by status",
    },
    Binding {
        keys: &[KeyCode::Char('v')],
        label: "v",
        action: Action::CycleSeverity,
        description: "filter by minimum severity",
    },
    Binding {
        keys: &[KeyCode::Char('a')],
        label: "a",
        action: Action::CycleAccount,
        description: "filter by account",
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        label: "r",
        action: Action::CycleRegion,
        description: "filter by region",
    },
    Binding {
        keys: &[KeyCode::Char('c')],
        label: "c",
        action: Action::CycleService,
        description: "filter by service",
    },
    Binding {
        keys: &[KeyCode::Char('f')],
        label: "f",
        action: Action::CycleFramework,
        description: "filter by framework / switch framework",
    },
    Binding {
        keys: &[KeyCode::Char('M')],
        label: "M",
        action: Action::ToggleMuted,
        description: "show or hide muted findings",
    },
    Binding {
        keys: &[KeyCode::Char('o')],
        label: "o",
        action: Action::CycleSort,
        description: "sort by the next column",
    },
    Binding {
        keys: &[KeyCode::Char('O')],
        label: "O",
        action: Action::ReverseSort,
        description: "reverse the sort",
    },
    Binding {
        keys: &[KeyCode::Char('x')],
        label: "x",
        action: Action::ClearFilters,
        description: "clear filters and search",
    },
    Binding {
        keys: &[KeyCode::Char('e')],
        label: "e",
        action: Action::Export,
        description: "export the current view (JSON, ASFF, CSV)",
    },
    Binding {
        keys: &[KeyCode::Char('m')],
        label: "m",
        action: Action::Mute,
        description: "mute the selected finding (with a reason)",
    },
    Binding {
        keys: &[KeyCode::Char('y')],
        label: "y",
        action: Action::Copy,
        description: "copy the resource ARN (OSC 52)",
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        label: "?",
        action: Action::Help,
        description: "this help",
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        label: "q",
        action: Action::Quit,
        description: "quit",
    },
];

/// The action bound to a key press, if any. Ctrl-C always quits.
pub fn action_for(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    KEYMAP
        .iter()
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = Vec::new();
        for b in KEYMAP {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
            }
        }
    }

    #[test]
    fn every_action_has_a_description() {
        assert!(KEYMAP
            .iter()
            .all(|b| !b.description.is_empty() && !b.label.is_empty()));
        assert_eq!(
            action_for(KeyEvent::from(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }
}
