use super::hardening::{Unprotected, aspnet_application, report_unprotected};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Applicability;
use crate::model::settings::{Decided, Section};

pub const META: RuleMeta = RuleMeta {
    name: "version-header-enabled",
    code: "IIS605",
    group: Group::Hardening,
    summary: "Every response names the ASP.NET version (`X-AspNet-Version`): `httpRuntime enableVersionHeader` is not false",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/version-header-enabled.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Read once from the application's configuration (RS HttpRuntime: RuntimeConfig
    // .GetAppConfig().HttpRuntime.EnableVersionHeader); default true.
    let Some(scope) = aspnet_application(ctx) else {
        return;
    };
    // An outbound URL Rewrite rule may blank the header instead.
    if contains_ignore_case(ctx.text, "RESPONSE_X-ASPNET-VERSION") {
        return;
    }
    let attr = match scope.decided(Section::HttpRuntime, "enableVersionHeader") {
        Decided::Default => None,
        Decided::Unknown => return,
        Decided::Written(attr) => match crate::model::values::parse_net_bool(&attr.value) {
            Ok(true) => Some(attr),
            _ => return,
        },
    };
    // Safe: the header serves no client.
    out.push(report_unprotected(ctx, &META, scope, attr, Unprotected {
        section: Section::HttpRuntime,
        name: "enableVersionHeader",
        value: "false",
        when_missing: "no httpRuntime enableVersionHeader=\"false\"",
        consequence: "every response carries `X-AspNet-Version`, telling attackers which runtime to look up vulnerabilities for",
        applicability: Applicability::Safe,
    }));
}

pub(super) fn contains_ignore_case(text: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}
