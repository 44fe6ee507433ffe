use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::FileKind;
use crate::model::values::parse_net_bool;

pub const META: RuleMeta = RuleMeta {
    name: "wcf-exception-details",
    code: "IIS523",
    group: Group::Security,
    summary: "A WCF service sends its exceptions' details to every client",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/wcf-exception-details.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.kind != FileKind::WebConfig {
        return;
    }
    for debug in &ctx.model.sections.service_debug {
        let Some(attr) = debug.element.attr("includeExceptionDetailInFaults") else {
            continue;
        };
        if parse_net_bool(&attr.value) != Ok(true) {
            continue;
        }
        let behavior = if debug.behavior.is_empty() {
            "the default service behavior".to_owned()
        } else {
            format!("service behavior `{}`", debug.behavior)
        };
        let fix = set_attr(ctx.text, attr, "false").map(|edit| {
            Fix::new(
                Applicability::Safe,
                "Set includeExceptionDetailInFaults=\"false\"",
                vec![edit],
            )
        });
        let mut diagnostic = Diagnostic::new(
            &META,
            attr.range.clone(),
            format!(
                "includeExceptionDetailInFaults=\"true\" in {behavior}: every client gets each exception's type, message and stack trace in the SOAP fault"
            ),
        )
        .with_fix(fix);
        if !debug.used {
            diagnostic.message.push_str(
                "; no service of this file names the behavior in `behaviorConfiguration`, so it may be unused",
            );
            diagnostic = diagnostic.at_most(Severity::Info);
        }
        out.push(diagnostic);
    }
}
