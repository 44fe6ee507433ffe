//! `unused-suppression`: an `<!-- iislint: ignore … -->` comment that silences nothing.
//!
//! The work happens in [`crate::suppress::apply`], after every other rule ran on the file: only
//! then is it known which suppressions were used. This rule's `check` reports nothing by itself;
//! its entry in the registry gives it a name, a code, a level and an `iislint.toml` switch.

use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    name: "unused-suppression",
    code: "IIS301",
    group: Group::Correctness,
    summary: "An inline iislint suppression that silences nothing",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    options: &[],
    doc: include_str!("../../rules/unused-suppression.md"),
};

/// Reports nothing: see the module documentation.
pub fn check(_ctx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
