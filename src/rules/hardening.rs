//! What the hardening rules share: the application they judge, where a missing setting is
//! reported, and the fix that writes it.

use std::ops::Range;

use super::{Context, application_settings};
use crate::document::{Attr, Element, config_children};
use crate::edits::{Fragment, insert_child, set_or_add_attr};
use crate::fix::Edit;
use crate::model::settings::{Container, Decided, Section, SettingsScope};

/// The own level of a classic ASP.NET application's root web.config (see
/// [`application_settings`]): what the hardening rules about the application judge. `None` for a
/// sub-folder, a `<location path>`, a transform, and an application another runtime serves (ASP.NET
/// Core's `aspNetCore` module, `httpPlatform`, iisnode), which never reads `system.web`.
/// A file with no `system.web` (its own or a parent's) shows no ASP.NET application: a static,
/// PHP, Node or proxy site's web.config, or a folder's static-content settings.
pub fn aspnet_application<'c>(ctx: &'c Context<'_>) -> Option<&'c SettingsScope> {
    application_settings(ctx)
        .filter(|scope| !other_runtime(ctx.text) && scope.container(Container::SystemWeb).is_some())
}

/// The own level of an application's root web.config that configures the application, not only
/// a folder's static content (`staticContent` alone, as a `js` or `fonts` folder's web.config
/// does when the site's own web.config is not in the repository).
pub fn served_application<'c>(ctx: &'c Context<'_>) -> Option<&'c SettingsScope> {
    const SIGNS: [&str; 9] = [
        "<system.web>",
        "<system.web ",
        "<handlers",
        "<modules",
        "<rewrite",
        "<defaultDocument",
        "<httpProtocol",
        "<aspNetCore",
        "<httpPlatform",
    ];
    application_settings(ctx).filter(|scope| {
        scope.container(Container::SystemWeb).is_some()
            || SIGNS.iter().any(|sign| ctx.text.contains(sign))
    })
}

/// Does the file hand its requests to a runtime other than ASP.NET: the ASP.NET Core Module,
/// `httpPlatform`, iisnode, or Python through FastCGI (wfastcgi's `WSGI_HANDLER`)?
pub fn other_runtime(text: &str) -> bool {
    [
        "<aspNetCore",
        "<httpPlatform",
        "<iisnode",
        "modules=\"iisnode\"",
        "FastCgiModule",
        "WSGI_HANDLER",
    ]
    .iter()
    .any(|sign| text.contains(sign))
}

/// Is `range` of the view written in the judged file or its transform (not inherited from a
/// parent folder, not the view's own bytes)?
pub fn in_file(ctx: &Context<'_>, range: &Range<usize>) -> bool {
    match ctx.origin(range) {
        Some((0, _)) => true,
        Some((file, _)) => ctx.transform.is_some_and(|t| t.file == file),
        None => false,
    }
}

/// A Boolean protection the application has not turned on: the attribute written with another
/// value, or nothing written (`None`, the runtime's default). Not judged (`Err`) when the value
/// is on, unknown (in another file, encrypted) or no Boolean (`invalid-value` reports it).
pub fn not_true<'s>(
    scope: &'s SettingsScope,
    section: Section,
    name: &str,
) -> Result<Option<&'s Attr>, ()> {
    match scope.decided(section, name) {
        Decided::Default => Ok(None),
        Decided::Unknown => Err(()),
        Decided::Written(attr) => match crate::model::values::parse_net_bool(&attr.value) {
            Ok(false) => Ok(Some(attr)),
            _ => Err(()),
        },
    }
}

/// Where to report a setting the application does not write: its section element when the file
/// writes one, else the file's own `system.web` (or `system.webServer`), else its root element.
pub fn missing_anchor(ctx: &Context<'_>, scope: &SettingsScope, section: Section) -> Range<usize> {
    if let Some(element) = scope
        .element(section)
        .filter(|e| in_file(ctx, &e.start_tag))
    {
        return element.start_tag.clone();
    }
    if let Some(container) = scope
        .container(section.container())
        .filter(|e| in_file(ctx, &e.start_tag))
    {
        return container.start_tag.clone();
    }
    root_element(ctx.text).map_or(0..0, |root| root.start_tag)
}

/// The file's root element.
fn root_element(text: &str) -> Option<Element> {
    let doc = crate::document::parse(text).ok()?;
    Some(Element::from_node(doc.root_element()))
}

/// The edit that makes `name="value"` decide `section` at the application's own level: set on
/// the section's element when the file writes it (where the deciding value is, when it is in the
/// file), else a new `<section name="value" />` in the file's own container (wrapped in the
/// elements between, and in a new container at the end of the root when the file has none).
/// `attr` is the attribute that decides it now, if any. `None` when that attribute is inherited
/// from a parent folder (the parent's own check fixes it) or nothing fits.
pub fn set_or_insert(
    ctx: &Context<'_>,
    scope: &SettingsScope,
    section: Section,
    attr: Option<&Attr>,
    name: &str,
    value: &str,
) -> Option<Edit> {
    if let Some(attr) = attr {
        // Written where the fix cannot go (a parent): a new element in the file would do, but
        // the parent's finding is the one to fix.
        if !in_file(ctx, &attr.range) {
            return None;
        }
        return crate::edits::set_attr(ctx.text, attr, value);
    }
    if let Some(element) = scope
        .element(section)
        .filter(|e| in_file(ctx, &e.start_tag))
    {
        return set_or_add_attr(&ctx.style, element, name, value);
    }
    let line = crate::edits::empty_element_line(
        section.element_name(),
        &[(name, value)],
        ctx.style.quote(),
    );
    insert_under_container(
        ctx,
        scope,
        section.container(),
        &section.path()[..section.path().len() - 1],
        line,
    )
}

/// Inserts `line` (an element) below the file's own `container` inside the elements named
/// `within` (found, or written around it), adding the container at the end of the root when
/// the file has none.
pub fn insert_under_container(
    ctx: &Context<'_>,
    scope: &SettingsScope,
    container: Container,
    within: &[&str],
    line: String,
) -> Option<Edit> {
    let doc = crate::document::parse(ctx.text).ok()?;
    let root = doc.root_element();
    // The file's own container: the scope's, when it is the file's (not a parent's).
    let own = scope
        .container(container)
        .filter(|e| in_file(ctx, &e.start_tag))
        .and_then(|e| {
            root.descendants()
                .find(|n| n.is_element() && n.range().start == e.range.start)
        });
    let Some(mut parent) = own else {
        let mut lines = vec![(0, format!("<{}>", container.name()))];
        let mut names = vec![container.name()];
        names.extend(within);
        for (depth, name) in within.iter().enumerate() {
            lines.push((depth + 1, format!("<{name}>")));
        }
        lines.push((within.len() + 1, line));
        for depth in (0..names.len()).rev() {
            lines.push((depth, format!("</{}>", names[depth])));
        }
        return Some(insert_child(
            &ctx.style,
            &Element::from_node(root),
            &Fragment { lines },
        ));
    };
    let mut depth = 0;
    for name in within {
        match config_children(parent, name).last() {
            Some(child) if !crate::model::chain::is_external_node(child) => {
                parent = child;
                depth += 1;
            }
            Some(_) => return None,
            None => break,
        }
    }
    let missing = &within[depth..];
    let mut lines = Vec::new();
    for (d, name) in missing.iter().enumerate() {
        lines.push((d, format!("<{name}>")));
    }
    lines.push((missing.len(), line));
    for d in (0..missing.len()).rev() {
        lines.push((d, format!("</{}>", missing[d])));
    }
    Some(insert_child(
        &ctx.style,
        &Element::from_node(parent),
        &Fragment { lines },
    ))
}
