use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "forms-cross-app-redirects",
    code: "IIS508",
    group: Group::Security,
    summary: "Forms authentication redirects to other applications' URLs after login (`enableCrossAppRedirects=\"true\"`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/forms-cross-app-redirects.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        let forms = scope
            .attr(Section::Authentication, "mode")
            .is_some_and(|a| a.value == "Forms");
        let Some((true, attr)) = scope.bool(Section::Forms, "enableCrossAppRedirects") else {
            continue;
        };
        if !forms || !seen.insert(attr.range.start) {
            continue;
        }
        let fix = set_attr(ctx.text, attr, "false").map(|e| {
            Fix::new(
                Applicability::Unsafe,
                "Set enableCrossAppRedirects=\"false\"",
                vec![e],
            )
        });
        out.push(
            Diagnostic::new(
                &META,
                attr.range.clone(),
                "forms enableCrossAppRedirects=\"true\": after login, ReturnUrl may send the user to any site (an open redirect for phishing), and a login ticket may arrive from another application in the query string or form",
            )
            .with_fix(fix),
        );
    }
}
