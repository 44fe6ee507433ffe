use super::{Context, FixAvailability, Group, RuleMeta, application_settings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "trace-enabled",
    code: "IIS502",
    group: Group::Security,
    summary: "ASP.NET tracing is on (`trace enabled=\"true\"`): trace.axd records every request's details",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/trace-enabled.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // ASP.NET reads <trace> once, from the application's configuration (RS HttpRuntime.InitTrace:
    // RuntimeConfig.GetAppConfig().Trace).
    let Some(scope) = application_settings(ctx) else {
        return;
    };
    let Some((true, attr)) = scope.bool(Section::Trace, "enabled") else {
        return;
    };
    let remote = matches!(scope.bool(Section::Trace, "localOnly"), Some((false, _)));
    let page_output = matches!(scope.bool(Section::Trace, "pageOutput"), Some((true, _)));
    let message = match (remote, page_output) {
        (true, true) => {
            "trace enabled=\"true\" with localOnly=\"false\" and pageOutput=\"true\": every page ends with its trace (headers, cookies, form values, session state, server variables), for every visitor"
        }
        (true, false) => {
            "trace enabled=\"true\" with localOnly=\"false\": anyone can read /trace.axd, the recent requests' headers, cookies, form values, session state and server variables"
        }
        (false, _) => {
            "trace enabled=\"true\": ASP.NET records the recent requests' headers, cookies, form values and session state in /trace.axd (viewable on the server itself only: localOnly is true)"
        }
    };
    let fix = set_attr(ctx.text, attr, "false")
        .map(|e| Fix::new(Applicability::Safe, "Set enabled=\"false\"", vec![e]));
    let mut diagnostic = Diagnostic::new(&META, attr.range.clone(), message).with_fix(fix);
    if !remote {
        diagnostic = diagnostic.at_most(Severity::Info);
    }
    out.push(diagnostic);
}
