use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::{Fragment, Style, insert_child, set_attr};
use crate::fix::{Applicability, Edit, Fix};
use crate::model::settings::Section;

pub const META: RuleMeta = RuleMeta {
    name: "debug-compilation",
    code: "IIS501",
    group: Group::Security,
    summary: "The deployed site compiles pages as debug builds (`compilation debug=\"true\"`)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/debug-compilation.md"),
};

/// What the standard `Web.Release.config` writes to keep `debug="true"` out of deployments.
const REMOVE_DEBUG: &str = "RemoveAttributes(debug)";

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        let Some((true, attr)) = scope.bool(Section::Compilation, "debug") else {
            continue;
        };
        if !seen.insert(attr.range.start) {
            continue;
        }
        let message = "compilation debug=\"true\": pages are compiled as debug builds and no request ever times out (executionTimeout is ignored); the site runs slower, holds threads on slow requests and sends debug scripts uncached";
        let fix = fix(ctx, attr, scope.location.is_none());
        out.push(Diagnostic::new(&META, attr.range.clone(), message).with_fix(fix));
    }
}

/// In a deployed view, a `RemoveAttributes(debug)` in the environment's transform (developers
/// keep debugging locally), or the transform's own `debug` set to false; else `debug="false"` in
/// the file, which also ends local debugging: unsafe.
fn fix(ctx: &Context<'_>, attr: &crate::document::Attr, own_level: bool) -> Option<Fix> {
    let origin = ctx.origin(&attr.range).map(|(file, _)| file);
    if let Some(transform) = ctx.transform {
        if origin == Some(transform.file) {
            // The transform itself sets debug="true": only deployments change.
            return set_attr(ctx.text, attr, "false").map(|edit| {
                Fix::new(
                    Applicability::Safe,
                    "Set debug=\"false\" in the transform",
                    vec![edit],
                )
            });
        }
        if origin == Some(0)
            && own_level
            && is_root_compilation(ctx.text, attr.range.start)
            && let Some(edit) = remove_debug_in_transform(transform.text)
        {
            let edit = Edit {
                file: transform.file,
                ..edit
            };
            return Some(Fix::new(
                Applicability::Safe,
                "Remove debug in the deployed configuration: add <compilation xdt:Transform=\"RemoveAttributes(debug)\" /> to the transform",
                vec![edit],
            ));
        }
    }
    // Developers lose debugging where they run this file.
    set_attr(ctx.text, attr, "false")
        .map(|edit| Fix::new(Applicability::Unsafe, "Set debug=\"false\"", vec![edit]))
}

/// Is the attribute at `at` on `/configuration/system.web/compilation`, the element a
/// transform's `<system.web><compilation xdt:Transform=…/>` selects (not one inside a
/// `<location>`)?
fn is_root_compilation(text: &str, at: usize) -> bool {
    let Ok(doc) = crate::document::parse(text) else {
        return false;
    };
    let root = doc.root_element();
    crate::document::config_children(root, "system.web")
        .flat_map(|sw| crate::document::config_children(sw, "compilation"))
        .any(|c| c.range().start <= at && at < c.range().end)
}

/// The edit that adds `<compilation xdt:Transform="RemoveAttributes(debug)" />` to the
/// transform: as the last child of its last `<system.web>` that is no transform itself (a
/// `Replace`d one would copy the element into the deployed file), else in a new `<system.web>`
/// at the end of `<configuration>`. `None` when the transform declares no XDT prefix on its
/// root, or already removes `debug` (it would then not settle).
fn remove_debug_in_transform(text: &str) -> Option<Edit> {
    let doc = crate::document::parse(text).ok()?;
    let root = doc.root_element();
    // A transform that already removes debug (and still leaves it) would not settle; a commented
    // out line does not count.
    let removes_debug = doc.descendants().any(|n| {
        n.attributes().any(|a| {
            a.namespace() == Some(crate::model::XDT_NAMESPACE)
                && a.name() == "Transform"
                && a.value().contains("RemoveAttributes")
                && a.value().contains("debug")
        })
    });
    if !crate::document::is_config_element(root, "configuration") || removes_debug {
        return None;
    }
    let prefix = root
        .namespaces()
        .find(|ns| ns.uri() == crate::model::XDT_NAMESPACE)?
        .name()?
        .to_owned();
    let is_xdt_free = |node: roxmltree::Node<'_, '_>| {
        node.attributes()
            .all(|a| a.namespace() != Some(crate::model::XDT_NAMESPACE))
    };
    if !is_xdt_free(root) {
        return None;
    }
    let style = Style::new(text);
    let quote = style.quote();
    let transform_attr = format!("{prefix}:Transform");
    let compilation =
        crate::edits::empty_element_line("compilation", &[(&transform_attr, REMOVE_DEBUG)], quote);
    let system_web = crate::document::config_children(root, "system.web")
        .filter(|sw| is_xdt_free(*sw))
        .last();
    Some(match system_web {
        Some(system_web) => insert_child(
            &style,
            &crate::document::Element::from_node(system_web),
            &Fragment {
                lines: vec![(0, compilation)],
            },
        ),
        None => insert_child(
            &style,
            &crate::document::Element::from_node(root),
            &Fragment {
                lines: vec![
                    (0, "<system.web>".to_owned()),
                    (1, compilation),
                    (0, "</system.web>".to_owned()),
                ],
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transform_edit_goes_into_its_system_web_or_a_new_one() {
        let text = "<configuration xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\">\n  <system.web>\n    <customErrors mode=\"On\" xdt:Transform=\"Replace\" />\n  </system.web>\n</configuration>\n";
        let edit = remove_debug_in_transform(text).unwrap();
        let mut fixed = text.to_owned();
        fixed.replace_range(edit.range.clone(), &edit.content);
        assert!(
            fixed.contains(
                "    <compilation xdt:Transform=\"RemoveAttributes(debug)\" />\n  </system.web>"
            ),
            "{fixed}"
        );
        let bare = "<configuration xmlns:t=\"http://schemas.microsoft.com/XML-Document-Transform\">\n  <system.web t:Transform=\"Replace\" />\n</configuration>\n";
        let edit = remove_debug_in_transform(bare).unwrap();
        let mut fixed = bare.to_owned();
        fixed.replace_range(edit.range.clone(), &edit.content);
        assert!(
            fixed.ends_with("  <system.web>\n    <compilation t:Transform=\"RemoveAttributes(debug)\" />\n  </system.web>\n</configuration>\n"),
            "{fixed}"
        );
        // No XDT namespace on the root, or debug already removed: no edit.
        assert!(
            remove_debug_in_transform("<configuration><system.web/></configuration>").is_none()
        );
        assert!(remove_debug_in_transform(&text.replace("Replace", REMOVE_DEBUG)).is_none());
        let commented = text.replace(
            "  </system.web>",
            "    <!-- <compilation xdt:Transform=\"RemoveAttributes(debug)\" /> -->\n  </system.web>",
        );
        assert!(remove_debug_in_transform(&commented).is_some());
    }
}
