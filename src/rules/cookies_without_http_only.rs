use super::hardening::{aspnet_application, missing_anchor, not_true, set_or_insert};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "cookies-without-http-only",
    code: "IIS602",
    group: Group::Hardening,
    summary: "Scripts can read the application's cookies (`httpCookies httpOnlyCookies` is not true)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/cookies-without-http-only.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Read per cookie from the application's configuration (RS HttpCookie); default false.
    let Some(scope) = aspnet_application(ctx) else {
        return;
    };
    let Ok(attr) = not_true(scope, Section::HttpCookies, "httpOnlyCookies") else {
        return;
    };
    let (range, written) = match attr {
        Some(attr) => (
            attr.range.clone(),
            format!("httpCookies httpOnlyCookies=\"{}\"", attr.value),
        ),
        None => (
            missing_anchor(ctx, scope, Section::HttpCookies),
            "no httpCookies httpOnlyCookies=\"true\"".to_owned(),
        ),
    };
    // Unsafe: the application's own scripts may read a cookie it sets.
    let fix = set_or_insert(
        ctx,
        scope,
        Section::HttpCookies,
        attr,
        "httpOnlyCookies",
        "true",
    )
    .map(|edit| {
        Fix::new(
            Applicability::Unsafe,
            "Set httpCookies httpOnlyCookies=\"true\"",
            vec![edit],
        )
    });
    out.push(
        Diagnostic::new(
            &META,
            range,
            format!(
                "{written}: the cookies the application creates are readable from JavaScript, so a cross-site scripting flaw can steal them (the session and forms cookies are HttpOnly anyway)"
            ),
        )
        .with_fix(fix),
    );
}
