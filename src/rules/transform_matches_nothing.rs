use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    name: "transform-matches-nothing",
    code: "IIS204",
    group: Group::Correctness,
    summary: "A transform whose target is not in the file it transforms: it changes nothing",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/transform-matches-nothing.md"),
};

/// Reported from XDT's own messages when a file is judged through its transform: see
/// `lint::transform_findings`; the findings are in the transform, which the view does not hold.
pub fn check(_ctx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
