use super::hardening::{Unprotected, aspnet_application, not_true, report_unprotected};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Applicability;
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
    // Unsafe: the application's own scripts may read a cookie it sets.
    out.push(report_unprotected(ctx, &META, scope, attr, Unprotected {
        section: Section::HttpCookies,
        name: "httpOnlyCookies",
        value: "true",
        when_missing: "no httpCookies httpOnlyCookies=\"true\"",
        consequence: "the cookies the application creates are readable from JavaScript, so a cross-site scripting flaw can steal them (the session and forms cookies are HttpOnly anyway)",
        applicability: Applicability::Unsafe,
    }));
}
