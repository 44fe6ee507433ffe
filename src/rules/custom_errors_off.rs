use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "custom-errors-off",
    code: "IIS503",
    group: Group::Security,
    summary: "Remote visitors see ASP.NET's detailed error pages (`customErrors mode=\"Off\"`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/custom-errors-off.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        // CustomErrorsMode is read by GenericEnumConverter: exactly `Off` (`off` is refused).
        let Some(attr) = scope
            .attr(Section::CustomErrors, "mode")
            .filter(|a| a.value == "Off")
        else {
            continue;
        };
        if !seen.insert(attr.range.start) {
            continue;
        }
        let message = "customErrors mode=\"Off\": every visitor, not only the server itself, gets ASP.NET's detailed error page with the exception, the stack trace and source lines";
        // Remote users then see the custom error page (or ASP.NET's generic one): unsafe, it
        // changes what they see.
        let fix = set_attr(ctx.text, attr, "RemoteOnly")
            .map(|e| Fix::new(Applicability::Unsafe, "Set mode=\"RemoteOnly\"", vec![e]));
        out.push(Diagnostic::new(&META, attr.range.clone(), message).with_fix(fix));
    }
}
