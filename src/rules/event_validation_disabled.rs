use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes, serves_pages};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "event-validation-disabled",
    code: "IIS505",
    group: Group::Security,
    summary: "Web Forms accept postback events and values no control rendered (`enableEventValidation=\"false\"`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/event-validation-disabled.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        let Some((false, attr)) = scope.bool(Section::Pages, "enableEventValidation") else {
            continue;
        };
        if !serves_pages(ctx, scope) {
            continue;
        }
        if !seen.insert(attr.range.start) {
            continue;
        }
        out.push(Diagnostic::new(
            &META,
            attr.range.clone(),
            "pages enableEventValidation=\"false\": a postback may raise events of controls that were hidden or disabled for this user and post list values the page never offered (a disabled Delete button, another customer's id)",
        ));
    }
}
