use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Element;
use crate::model::FileKind;
use crate::model::sections::Item;

pub const META: RuleMeta = RuleMeta {
    name: "cors-any-origin",
    code: "IIS522",
    group: Group::Security,
    summary: "Every web site may read this site's responses (`Access-Control-Allow-Origin: *`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/cors-any-origin.md"),
};

const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
const ALLOW_CREDENTIALS: &str = "Access-Control-Allow-Credentials";

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.kind != FileKind::WebConfig {
        return;
    }
    for scope in &ctx.model.sections.custom_headers {
        let items: Vec<(Item, &Element)> = scope.items.iter().map(|(i, e)| (*i, e)).collect();
        let Some(origin) = effective(&items, ALLOW_ORIGIN) else {
            continue;
        };
        let Some(value) = origin.attr("value").filter(|v| v.value.trim() == "*") else {
            continue;
        };
        let credentials = effective(&items, ALLOW_CREDENTIALS)
            .and_then(|e| e.attr("value"))
            .is_some_and(|v| v.value.trim().eq_ignore_ascii_case("true"));
        let place = match &scope.path {
            None => String::new(),
            Some(path) => format!(" for `{path}`"),
        };
        let message = if credentials {
            format!(
                "`{ALLOW_ORIGIN}: *`{place} with `{ALLOW_CREDENTIALS}: true`: browsers refuse this pair, so cross-origin calls with cookies fail; do not \"fix\" it by echoing the request's Origin, which lets every site act as the logged-in user: list the origins that may call"
            )
        } else {
            format!(
                "`{ALLOW_ORIGIN}: *`{place}: any web site may read these responses from its visitors' browsers; list the origins that may call, unless everything here is public"
            )
        };
        out.push(Diagnostic::new(&META, value.range.clone(), message));
    }
}

/// The `<add>` for `header` that is in effect at the end of a collection: the last one, unless
/// a later `<remove name>` or `<clear>` takes it away. Header names compare ignoring case, as IIS
/// compares the collection's keys.
fn effective<'e>(items: &[(Item, &'e Element)], header: &str) -> Option<&'e Element> {
    let mut current = None;
    for (item, element) in items {
        let named = || {
            element
                .attr("name")
                .is_some_and(|n| n.value.trim().eq_ignore_ascii_case(header))
        };
        match item {
            Item::Clear => current = None,
            Item::Remove if named() => current = None,
            Item::Add if named() => current = Some(*element),
            _ => {}
        }
    }
    current
}
