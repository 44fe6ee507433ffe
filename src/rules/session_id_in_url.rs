use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::{Decided, Section};

pub const META: RuleMeta = RuleMeta {
    name: "session-id-in-url",
    code: "IIS510",
    group: Group::Security,
    summary: "The session id or the login ticket travels in the URL (`cookieless` `UseUri`, `true` or `AutoDetect`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/session-id-in-url.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        // sessionState cookieless: `true`/`false` (lowercase only) or an HttpCookieMode name
        // (RS SessionStateSection.ConvertToCookieMode); the default is UseCookies.
        let session_on = match scope.decided(Section::SessionState, "mode") {
            Decided::Written(attr) => attr.value != "Off",
            Decided::Default => true,
            Decided::Unknown => false,
        };
        if session_on
            && let Some(attr) = scope.attr(Section::SessionState, "cookieless")
            && let Some(when) = in_url(&attr.value, true)
            && seen.insert(attr.range.start)
        {
            let message = format!(
                "sessionState cookieless=\"{}\": the session id is put in the URL {when}, where it leaks through links, the Referer header, logs and shared URLs, and a link with a chosen id fixes a victim's session (session fixation)",
                attr.value
            );
            out.push(with_fix(ctx, attr, message));
        }
        let forms = scope
            .attr(Section::Authentication, "mode")
            .is_some_and(|a| a.value == "Forms");
        if forms
            && let Some(attr) = scope.attr(Section::Forms, "cookieless")
            && let Some(when) = in_url(&attr.value, false)
            && seen.insert(attr.range.start)
        {
            let message = format!(
                "forms cookieless=\"{}\": the login ticket is put in the URL {when}, where it leaks through links, the Referer header, logs and shared URLs: whoever has the URL is logged in",
                attr.value
            );
            out.push(with_fix(ctx, attr, message));
        }
    }
}

/// When the value puts the id in the URL: always (`UseUri`, and `true` for sessions), or when a
/// request says the browser takes no cookies (`AutoDetect`, which a crafted link can say:
/// RS CookielessHelper.UseCookieless). `UseDeviceProfile` is left alone: only browsers whose
/// browser definition says they take no cookies get URLs.
fn in_url(value: &str, session: bool) -> Option<&'static str> {
    match value {
        "UseUri" => Some("for every visitor"),
        "true" if session => Some("for every visitor"),
        "AutoDetect" => Some(
            "whenever a request says the browser takes no cookies, which a crafted link can say",
        ),
        _ => None,
    }
}

/// Keeps the id in a cookie: unsafe, visitors whose browsers refuse cookies lose their session
/// or login.
fn with_fix(ctx: &Context<'_>, attr: &crate::document::Attr, message: String) -> Diagnostic {
    let fix = set_attr(ctx.text, attr, "UseCookies").map(|e| {
        Fix::new(
            Applicability::Unsafe,
            "Set cookieless=\"UseCookies\"",
            vec![e],
        )
    });
    Diagnostic::new(&META, attr.range.clone(), message).with_fix(fix)
}
