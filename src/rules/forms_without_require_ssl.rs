use super::hardening::{aspnet_application, missing_anchor, not_true, set_or_insert};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Applicability, Fix};
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
    let (range, written) = match attr {
        Some(attr) => (
            attr.range.clone(),
            format!("forms requireSSL=\"{}\"", attr.value),
        ),
        None => (
            missing_anchor(ctx, scope, Section::Forms),
            "authentication mode=\"Forms\" without forms requireSSL=\"true\"".to_owned(),
        ),
    };
    // Unsafe: a site also served over plain HTTP can no longer log anyone in there.
    let fix = set_or_insert(ctx, scope, Section::Forms, attr, "requireSSL", "true").map(|edit| {
        Fix::new(
            Applicability::Unsafe,
            "Set forms requireSSL=\"true\"",
            vec![edit],
        )
    });
    out.push(
        Diagnostic::new(
            &META,
            range,
            format!(
                "{written}: the forms authentication cookie has no `Secure` flag, so a browser also sends it over plain HTTP, where anyone on the network can take it and log in as the user"
            ),
        )
        .with_fix(fix),
    );
}
