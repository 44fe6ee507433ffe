use super::hardening::{Unprotected, aspnet_application, not_true, report_unprotected};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Applicability;
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "forms-without-require-ssl",
    code: "IIS603",
    group: Group::Hardening,
    summary: "The forms authentication cookie is sent over plain HTTP too (`forms requireSSL` is not true)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/forms-without-require-ssl.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // `authentication` is MachineToApplication: the application's own level decides it.
    let Some(scope) = aspnet_application(ctx) else {
        return;
    };
    // The mode is an enum, compared exactly (RS AuthenticationSection); default Windows.
    if scope
        .attr(Section::Authentication, "mode")
        .is_none_or(|mode| mode.value.trim() != "Forms")
    {
        return;
    }
    let Ok(attr) = not_true(scope, Section::Forms, "requireSSL") else {
        return;
    };
    // Unsafe: a site also served over plain HTTP can no longer log anyone in there.
    out.push(report_unprotected(ctx, &META, scope, attr, Unprotected {
        section: Section::Forms,
        name: "requireSSL",
        value: "true",
        when_missing: "authentication mode=\"Forms\" without forms requireSSL=\"true\"",
        consequence: "the forms authentication cookie has no `Secure` flag, so a browser also sends it over plain HTTP, where anyone on the network can take it and log in as the user",
        applicability: Applicability::Unsafe,
    }));
}
