use super::hardening::{aspnet_application, missing_anchor, not_true, set_or_insert};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Applicability, Fix};
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
    let (range, written) = match attr {
        Some(attr) => (
            attr.range.clone(),
            format!("httpCookies requireSSL=\"{}\"", attr.value),
        ),
        None => (
            missing_anchor(ctx, scope, Section::HttpCookies),
            "no httpCookies requireSSL=\"true\"".to_owned(),
        ),
    };
    // Unsafe: a site also served over plain HTTP loses the cookies it sets.
    let fix =
        set_or_insert(ctx, scope, Section::HttpCookies, attr, "requireSSL", "true").map(|edit| {
            Fix::new(
                Applicability::Unsafe,
                "Set httpCookies requireSSL=\"true\"",
                vec![edit],
            )
        });
    out.push(
        Diagnostic::new(
            &META,
            range,
            format!(
                "{written}: the cookies the application creates carry no `Secure` flag, so a browser also sends them over plain HTTP, where anyone on the network reads them"
            ),
        )
        .with_fix(fix),
    );
}
