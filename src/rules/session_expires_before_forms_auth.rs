use super::{Context, FixAvailability, RuleMeta, anchor, set_session_timeout};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Applicability, Fix};

pub const META: RuleMeta = RuleMeta {
    name: "session-expires-before-forms-auth",
    code: "IIS103",
    summary: "Session state expires while the user is still logged in",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    options: &[],
    doc: include_str!("../../rules/session-expires-before-forms-auth.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for scope in &ctx.model.web.scopes {
        let (auth, session) = (&scope.authentication, &scope.session);
        if auth.external || session.external || !auth.is_forms() || !session.is_enabled() {
            continue;
        }
        let (Some(session_minutes), Some(forms_minutes)) = (
            session.timeout.value().and_then(|m| m.finite()),
            auth.forms.timeout.value().and_then(|m| m.finite()),
        ) else {
            continue;
        };
        if session_minutes >= forms_minutes
            || !(session.timeout.is_explicit() || auth.forms.timeout.is_explicit())
        {
            continue;
        }
        let range = anchor(session.timeout.attr(), &[session.element.as_ref()]);
        let range = if range.is_empty() {
            anchor(auth.forms.timeout.attr(), &[])
        } else {
            range
        };
        let message = format!(
            "session state expires after {session_minutes} idle minutes but forms authentication keeps the user logged in for {forms_minutes}: the user stays logged in with an empty session"
        );
        // No fix past what the mode can hold (a year for InProc and StateServer).
        let target = forms_minutes;
        let edit = set_session_timeout(ctx, scope, target);
        let fix = edit.map(|e| {
            Fix::new(
                Applicability::Safe,
                format!("Raise the session timeout to the forms timeout ({target} minutes)"),
                vec![e],
            )
        });
        out.push(Diagnostic::new(&META, range, message).with_fix(fix));
    }
}
