use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes, serves_pages};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::settings::Section;
use crate::model::values::parse_version;

pub const META: RuleMeta = RuleMeta {
    name: "request-validation-disabled",
    code: "IIS504",
    group: Group::Security,
    summary: "ASP.NET request validation is off (`validateRequest=\"false\"`) or limited to pages (`requestValidationMode` below 4.0)",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/request-validation-disabled.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        if serves_pages(ctx, scope)
            && let Some((false, attr)) = scope.bool(Section::Pages, "validateRequest")
            && seen.insert(attr.range.start)
        {
            out.push(Diagnostic::new(
                &META,
                attr.range.clone(),
                "pages validateRequest=\"false\": Web Forms pages accept form fields, query strings and cookies that hold markup such as `<script>`; every page must encode what it echoes, or it is open to cross-site scripting",
            ));
        }
        // Read per request (RS HttpRequest.ValidateInputIfRequiredByConfig): every scope counts.
        if let Some(attr) = scope.attr(Section::HttpRuntime, "requestValidationMode")
            && let Ok(version) = parse_version(&attr.value)
            && version < [4, 0, -1, -1]
            && seen.insert(attr.range.start)
        {
            let message = if version == [0, 0, -1, -1] {
                format!(
                    "requestValidationMode=\"{}\": request validation is suppressed for every request, even where code asks for it",
                    attr.value
                )
            } else {
                format!(
                    "requestValidationMode=\"{}\": only Web Forms pages (and MVC actions) validate input; handlers, web services and modules read markup such as `<script>` unchecked (4.0 and later validate every request)",
                    attr.value
                )
            };
            out.push(Diagnostic::new(&META, attr.range.clone(), message));
        }
    }
}
