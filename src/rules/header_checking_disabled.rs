use super::{Context, FixAvailability, Group, RuleMeta, application_settings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "header-checking-disabled",
    code: "IIS511",
    group: Group::Security,
    summary: "Response headers may carry line breaks (`httpRuntime enableHeaderChecking=\"false\"`): header injection",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/header-checking-disabled.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Read once per application (RS HttpRuntime.InitHeaderEncoding: GetAppConfig().HttpRuntime).
    let Some(scope) = application_settings(ctx) else {
        return;
    };
    let Some((false, attr)) = scope.bool(Section::HttpRuntime, "enableHeaderChecking") else {
        return;
    };
    // Headers a page wrote with line breaks are then encoded: unsafe, it changes responses.
    let fix = set_attr(ctx.text, attr, "true").map(|e| {
        Fix::new(
            Applicability::Unsafe,
            "Set enableHeaderChecking=\"true\"",
            vec![e],
        )
    });
    out.push(
        Diagnostic::new(
            &META,
            attr.range.clone(),
            "httpRuntime enableHeaderChecking=\"false\": a header value taken from the request (a redirect URL, a cookie) may carry CR/LF, letting an attacker add headers or a whole response (response splitting)",
        )
        .with_fix(fix),
    );
}
