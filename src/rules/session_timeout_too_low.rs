use super::{Context, FixAvailability, Group, RuleMeta, RuleOption, anchor, session_timeout_fix};
use crate::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    name: "session-timeout-too-low",
    code: "IIS102",
    group: Group::Session,
    summary: "Session state expires after fewer minutes than the minimum",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[RuleOption {
        name: "min-minutes",
        default: 20,
        min: 1,
    }],
    doc: include_str!("../../rules/session-timeout-too-low.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let min = ctx.option(&META, "min-minutes");
    for scope in &ctx.model.web.scopes {
        let session = &scope.session;
        let Some(minutes) = session.timeout.value().and_then(|m| m.finite()) else {
            continue;
        };
        if session.external || !ctx.session_on(scope) || minutes >= min {
            continue;
        }
        // An absent sessionState is judged only where it decides: in an application's root file.
        if session.element.is_none() && !ctx.may_insert_application_section(scope) {
            continue;
        }
        let range = anchor(
            session.timeout.attr(),
            &[session.element.as_ref(), Some(&scope.system_web)],
        );
        let how = if session.timeout.is_explicit() {
            ""
        } else {
            " (the default)"
        };
        let message = format!(
            "session state expires after {minutes} idle minutes{how}, below the minimum of {min}"
        );
        let target = ctx
            .fix
            .session_timeout_minutes
            .max(min)
            .min(session.max_timeout_minutes());
        let fix = session_timeout_fix(
            ctx,
            scope,
            target,
            format!("Set the session timeout to {target} minutes"),
            "Set it by hand if the application needs it, or lower `min-minutes`",
        );
        out.push(Diagnostic::new(&META, range, message).with_fix(fix));
    }
}
