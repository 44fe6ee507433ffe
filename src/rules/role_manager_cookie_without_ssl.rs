use super::hardening::{Unprotected, aspnet_application, not_true, report_unprotected};
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Applicability;
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "role-manager-cookie-without-ssl",
    code: "IIS604",
    group: Group::Hardening,
    summary: "The role manager caches roles in a cookie sent over plain HTTP too (`roleManager cookieRequireSSL` is not true)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/role-manager-cookie-without-ssl.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(scope) = aspnet_application(ctx) else {
        return;
    };
    // `enabled` and `cacheRolesInCookie` default to false (RS RoleManagerSection): no cookie.
    let on = |name| matches!(scope.bool(Section::RoleManager, name), Some((true, _)));
    if !on("enabled") || !on("cacheRolesInCookie") {
        return;
    }
    let Ok(attr) = not_true(scope, Section::RoleManager, "cookieRequireSSL") else {
        return;
    };
    // Unsafe: over plain HTTP the roles are looked up again on every request.
    out.push(report_unprotected(ctx, &META, scope, attr, Unprotected {
        section: Section::RoleManager,
        name: "cookieRequireSSL",
        value: "true",
        when_missing: "roleManager cacheRolesInCookie=\"true\" without cookieRequireSSL=\"true\"",
        consequence: "the role cookie (.ASPXROLES) has no `Secure` flag, so a browser also sends it over plain HTTP, where anyone on the network can read and replay the user's roles",
        applicability: Applicability::Unsafe,
    }));
}
