use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    name: "invalid-transform",
    code: "IIS203",
    group: Group::Correctness,
    summary: "A transform XDT refuses or cannot run: the deployment fails",
    default_severity: Severity::Error,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/invalid-transform.md"),
};

/// Reported from XDT's own messages when a file is judged through its transform: see
/// `lint::transform_findings`; the findings are in the transform, which the view does not hold.
pub fn check(_ctx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
