//! warden: AWS configuration compliance auditor.
//!
//! Data flows one way: `collect` (async, the only AWS code) gathers [`evidence`], `checks`
//! evaluates it into [`model::Finding`]s (pure), and `export` writes them out.

pub mod checks;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod demo;
pub mod diff;
pub mod evidence;
pub mod export;
pub mod model;
pub mod mutes;
pub mod output;
pub mod testkit;
pub mod tui;
