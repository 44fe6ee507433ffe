use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::{Decided, Section};

pub const META: RuleMeta = RuleMeta {
    name: "detailed-errors-remote",
    code: "IIS524",
    group: Group::Security,
    summary: "IIS shows its detailed error pages to every visitor (`errorMode=\"Detailed\"`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/detailed-errors-remote.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for scope in security_scopes(ctx) {
        // The deciding attribute: a later element of the scope's chain (a `<location path=".">`,
        // a transform) that says otherwise wins. The enum's names are case-sensitive.
        let Decided::Written(attr) = scope.decided(Section::HttpErrors, "errorMode") else {
            continue;
        };
        if attr.value != "Detailed" || seen.contains(&attr.range) {
            continue;
        }
        seen.push(attr.range.clone());
        let place = match &scope.location_path {
            Some(path) if scope.location.is_some() => format!(" under `{path}`"),
            _ => String::new(),
        };
        // Unsafe: whoever debugs on the server from another machine loses the details.
        let fix = set_attr(ctx.text, attr, "DetailedLocalOnly").map(|edit| {
            Fix::new(
                Applicability::Unsafe,
                "Set errorMode=\"DetailedLocalOnly\"",
                vec![edit],
            )
        });
        out.push(
            Diagnostic::new(
                &META,
                attr.range.clone(),
                format!(
                    "httpErrors errorMode=\"Detailed\"{place}: IIS sends every visitor its detailed error pages (the physical path, the module and handler, the configuration file and line of a failure); use DetailedLocalOnly or Custom"
                ),
            )
            .with_fix(fix),
        );
    }
}
