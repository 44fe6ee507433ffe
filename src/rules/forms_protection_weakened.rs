use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, framework45_crypto, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "forms-protection-weakened",
    code: "IIS507",
    group: Group::Security,
    summary: "The forms authentication ticket is not both encrypted and signed (`protection` other than `All`)",
    default_severity: Severity::Error,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/forms-protection-weakened.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // With the .NET 4.5 cryptography the ticket is always encrypted and signed
    // (RS FormsAuthentication.Encrypt: `IsDefaultProvider` ignores `protection`).
    if framework45_crypto(ctx) != Some(false) {
        return;
    }
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        let forms = scope
            .attr(Section::Authentication, "mode")
            .is_some_and(|a| a.value == "Forms");
        // FormsProtectionEnum, read by GenericEnumConverter: case-sensitive.
        let Some(attr) = scope.attr(Section::Forms, "protection") else {
            continue;
        };
        let (message, severity) = match attr.value.as_str() {
            "None" => (
                "forms protection=\"None\": the login cookie is neither encrypted nor signed; anyone can write a ticket for any user name and be logged in as that user",
                Severity::Error,
            ),
            "Encryption" => (
                "forms protection=\"Encryption\": the login cookie is encrypted but not signed; a tampered ticket is not detected",
                Severity::Warning,
            ),
            "Validation" => (
                "forms protection=\"Validation\": the login cookie is signed but not encrypted; its user name, expiry and user data can be read by anyone who sees the cookie",
                Severity::Warning,
            ),
            _ => continue,
        };
        if !forms || !seen.insert(attr.range.start) {
            continue;
        }
        // Tickets issued before can no longer be read: everyone logs in again.
        let fix = set_attr(ctx.text, attr, "All")
            .map(|e| Fix::new(Applicability::Unsafe, "Set protection=\"All\"", vec![e]));
        out.push(
            Diagnostic::new(&META, attr.range.clone(), message)
                .with_fix(fix)
                .at_most(severity),
        );
    }
}
