use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "double-escaping-allowed",
    code: "IIS526",
    group: Group::Security,
    summary: "Request filtering lets doubly-encoded URLs through (`allowDoubleEscaping=\"true\"`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/double-escaping-allowed.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for scope in security_scopes(ctx) {
        let Some((true, attr)) = scope.bool(Section::RequestFiltering, "allowDoubleEscaping")
        else {
            continue;
        };
        if seen.contains(&attr.range) {
            continue;
        }
        seen.push(attr.range.clone());
        let (place, advice) = match &scope.location_path {
            Some(path) if scope.location.is_some() => (
                format!(" under `{path}`"),
                "keep it to the paths whose URLs need a `+`",
            ),
            _ => (
                String::new(),
                "allow it only under the path that needs a `+` in its URLs",
            ),
        };
        out.push(Diagnostic::new(
            &META,
            attr.range.clone(),
            format!(
                "allowDoubleEscaping=\"true\"{place}: request filtering no longer refuses URLs that still hold `%xx` or `+` after decoding, so an encoded `../` or `%00` can reach code that decodes once more; {advice} (`iislint rule double-escaping-allowed`)"
            ),
        ));
    }
}
