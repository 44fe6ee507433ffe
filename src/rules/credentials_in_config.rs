use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::settings::{Decided, Section};

pub const META: RuleMeta = RuleMeta {
    name: "credentials-in-config",
    code: "IIS509",
    group: Group::Security,
    summary: "User names and passwords in the configuration (`forms/credentials/user`)",
    default_severity: Severity::Error,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/credentials-in-config.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        let users = scope.children(Section::Credentials);
        if users.is_empty() {
            continue;
        }
        // FormsAuthPasswordFormat, default SHA1 (RS FormsAuthenticationCredentials); case-sensitive.
        let format = match scope.decided(Section::Credentials, "passwordFormat") {
            Decided::Written(attr) => attr.value.as_str(),
            Decided::Default => "SHA1",
            Decided::Unknown => continue,
        };
        let (how, severity) = match format {
            "Clear" => ("in clear text", Severity::Error),
            "MD5" | "SHA1" => (
                "as unsalted MD5 or SHA-1 hashes, which are cracked in seconds",
                Severity::Warning,
            ),
            "SHA256" | "SHA384" | "SHA512" => (
                "as unsalted SHA-2 hashes, which dictionaries and GPUs crack quickly",
                Severity::Warning,
            ),
            _ => continue,
        };
        for user in users {
            if !seen.insert(user.start_tag.start) {
                continue;
            }
            let at = user
                .attr("password")
                .map_or(user.start_tag.clone(), |a| a.range.clone());
            let name = user.attr("name").map_or("", |a| a.value.as_str());
            out.push(
                Diagnostic::new(
                    &META,
                    at,
                    format!(
                        "forms credentials: the password of user `{name}` is stored in the configuration {how} (passwordFormat=\"{format}\"); anyone who reads the repository or the server's files can log in as this user"
                    ),
                )
                .at_most(severity),
            );
        }
    }
}
