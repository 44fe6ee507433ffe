use std::collections::HashSet;

use super::{
    Context, FixAvailability, Group, RuleMeta, application_settings, security_scopes, serves_pages,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "view-state-mac-disabled",
    code: "IIS506",
    group: Group::Security,
    summary: "View state is accepted without its signature (`enableViewStateMac=\"false\"`, `aspnet:AllowInsecureDeserialization`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    options: &[],
    doc: include_str!("../../rules/view-state-mac-disabled.md"),
};

/// The appSetting that gives `enableViewStateMac="false"` its effect back on .NET 4.5.2 and later
/// (RS `EnableViewStateMacRegistryHelper`, `AppSettings.AllowInsecureDeserialization`).
const SWITCH: &str = "aspnet:AllowInsecureDeserialization";

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Read with Boolean.TryParse from the application's appSettings.
    let switch = application_settings(ctx)
        .and(ctx.model.settings.app_setting(SWITCH))
        .filter(|s| {
            s.value
                .as_ref()
                .is_some_and(|v| crate::model::values::parse_net_bool(&v.value) == Ok(true))
        });
    if let Some(setting) = switch {
        let at = setting
            .value
            .as_ref()
            .map_or(setting.element.start_tag.clone(), |v| v.range.clone());
        out.push(Diagnostic::new(
            &META,
            at,
            format!("appSetting {SWITCH}=\"true\": the runtime no longer forces the view state MAC on; pages and configuration that turn enableViewStateMac off accept forged view state, which ASP.NET deserializes (remote code execution)"),
        ));
    }
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        let Some((false, attr)) = scope.bool(Section::Pages, "enableViewStateMac") else {
            continue;
        };
        if !serves_pages(ctx, scope) {
            continue;
        }
        if !seen.insert(attr.range.start) {
            continue;
        }
        let fix = set_attr(ctx.text, attr, "true");
        let diagnostic = if switch.is_some() {
            let fix = fix.map(|e| {
                Fix::new(
                    Applicability::Unsafe,
                    "Set enableViewStateMac=\"true\"",
                    vec![e],
                )
            });
            Diagnostic::new(
                &META,
                attr.range.clone(),
                format!("pages enableViewStateMac=\"false\" with {SWITCH}=\"true\": view state is not signed, so anyone can post forged view state, which ASP.NET deserializes (remote code execution)"),
            )
            .with_fix(fix)
        } else {
            // The runtime already behaves as if it were true: writing it changes nothing.
            let fix = fix.map(|e| {
                Fix::new(
                    Applicability::Safe,
                    "Set enableViewStateMac=\"true\" (what .NET 4.5.2 and later do anyway)",
                    vec![e],
                )
            });
            Diagnostic::new(
                &META,
                attr.range.clone(),
                format!("pages enableViewStateMac=\"false\": ignored since .NET Framework 4.5.2, which always checks the view state MAC unless the appSetting {SWITCH} is true; on an older framework view state is not signed and can be forged"),
            )
            .with_fix(fix)
            .at_most(Severity::Info)
        };
        out.push(diagnostic);
    }
}
