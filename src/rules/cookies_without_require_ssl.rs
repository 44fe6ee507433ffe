use super::hardening::{Unprotected, aspnet_application, not_true, report_unprotected};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Applicability;
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "cookies-without-require-ssl",
    code: "IIS601",
    group: Group::Hardening,
    summary: "The application's cookies are sent over plain HTTP too (`httpCookies requireSSL` is not true)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/cookies-without-require-ssl.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // `httpCookies` is read per request from the application's configuration
    // (RS HttpCookie: RuntimeConfig.GetAppConfig().HttpCookies); default false.
    let Some(scope) = aspnet_application(ctx) else {
        return;
    };
    let Ok(attr) = not_true(scope, Section::HttpCookies, "requireSSL") else {
        return;
    };
    // Unsafe: a site also served over plain HTTP loses the cookies it sets.
    out.push(report_unprotected(ctx, &META, scope, attr, Unprotected {
        section: Section::HttpCookies,
        name: "requireSSL",
        value: "true",
        when_missing: "no httpCookies requireSSL=\"true\"",
        consequence: "the cookies the application creates carry no `Secure` flag, so a browser also sends them over plain HTTP, where anyone on the network reads them",
        applicability: Applicability::Unsafe,
    }));
}
