use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    name: "config-source-invalid",
    code: "IIS202",
    group: Group::Correctness,
    summary: "A `configSource` the runtime cannot read",
    default_severity: Severity::Error,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/config-source-invalid.md"),
};

/// The problems are found while the file's view is assembled (see [`crate::resolve::compose`]);
/// this rule reports them, at the `configSource` attribute.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (range, problem) in ctx.config_source_problems {
        if problem.ends_with(crate::resolve::MISSING) {
            out.push(
                Diagnostic::new(
                    &META,
                    range.clone(),
                    format!("{problem}: unless the deployment writes it, the application stops with \"Unable to open configSource file\"; its settings are not checked"),
                )
                .at_most(Severity::Info),
            );
        } else {
            out.push(Diagnostic::new(&META, range.clone(), problem.clone()));
        }
    }
}
