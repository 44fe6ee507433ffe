use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    name: "invalid-value",
    code: "IIS201",
    group: Group::Correctness,
    summary: "A value ASP.NET or IIS rejects at run time",
    default_severity: Severity::Error,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/invalid-value.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for invalid in &ctx.model.invalid {
        let message = format!(
            "{}/@{}: {}",
            invalid.element, invalid.attr.name, invalid.message
        );
        out.push(Diagnostic::new(&META, invalid.attr.range.clone(), message));
    }
}
