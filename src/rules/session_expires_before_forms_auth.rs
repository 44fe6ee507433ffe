use super::{Context, FixAvailability, Group, RuleMeta, anchor, session_timeout_fix};
use crate::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    name: "session-expires-before-forms-auth",
    code: "IIS103",
    group: Group::Session,
    summary: "Session state expires while the user is still logged in",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    options: &[],
    doc: include_str!("../../rules/session-expires-before-forms-auth.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for scope in &ctx.model.web.scopes {
        let (auth, session) = (&scope.authentication, &scope.session);
        if auth.external || session.external || !auth.is_forms() || !ctx.session_on(scope) {
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
        // An empty session only matters to an application that keeps something in it: the
        // template's `<forms timeout="2880">` in an application that never touches Session is
        // no problem.
        let used = ctx.session_use(scope);
        if !used.is_used() {
            continue;
        }
        let range = anchor(session.timeout.attr(), &[session.element.as_ref()]);
        let range = if range.is_empty() {
            anchor(auth.forms.timeout.attr(), &[])
        } else {
            range
        };
        let evidence = match &used {
            crate::rules::SessionUse::InSources(path, marker) => {
                format!(" ({} uses `{marker}`)", crate::paths::display_path(path))
            }
            _ => String::new(),
        };
        let message = format!(
            "session state expires after {session_minutes} idle minutes but forms authentication keeps the user logged in for {forms_minutes}: the user stays logged in with an empty session{evidence}"
        );
        let fix = session_timeout_fix(
            ctx,
            scope,
            forms_minutes,
            format!("Raise the session timeout to the forms timeout ({forms_minutes} minutes)"),
            "Instead, restore what the application keeps in Session from the login (the forms ticket) when Session is empty, or shorten the forms timeout to what session state can keep",
        );
        out.push(Diagnostic::new(&META, range, message).with_fix(fix));
    }
}
