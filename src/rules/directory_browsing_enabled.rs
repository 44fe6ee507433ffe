use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "directory-browsing-enabled",
    code: "IIS525",
    group: Group::Security,
    summary: "IIS lists the files of folders that have no default document",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/directory-browsing-enabled.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for scope in security_scopes(ctx) {
        // `enabled` is an IIS Boolean: `True` counts.
        let Some((true, attr)) = scope.bool(Section::DirectoryBrowse, "enabled") else {
            continue;
        };
        if seen.contains(&attr.range) {
            continue;
        }
        seen.push(attr.range.clone());
        let place = match &scope.location_path {
            Some(path) if scope.location.is_some() => format!(" under `{path}`"),
            _ => String::new(),
        };
        // Unsafe: a folder may be listed on purpose (a download area).
        let fix = set_attr(ctx.text, attr, "false").map(|edit| {
            Fix::new(
                Applicability::Unsafe,
                "Set directoryBrowse enabled=\"false\"",
                vec![edit],
            )
        });
        out.push(
            Diagnostic::new(
                &META,
                attr.range.clone(),
                format!(
                    "directoryBrowse enabled=\"true\"{place}: IIS lists the files of every folder without a default document to anyone who asks (backups, logs, uploads, configuration left beside the site)"
                ),
            )
            .with_fix(fix),
        );
    }
}
