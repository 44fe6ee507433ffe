use super::hardening::{in_file, insert_under_container, served_application};
use super::version_header_enabled::contains_ignore_case;
use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Element;
use crate::fix::{Applicability, Fix};
use crate::model::sections::Item;
use crate::model::settings::Container;

pub const META: RuleMeta = RuleMeta {
    name: "x-powered-by-header",
    code: "IIS606",
    group: Group::Hardening,
    summary: "IIS sends `X-Powered-By: ASP.NET` with every response: the application does not remove it",
    default_severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    options: &[],
    doc: include_str!("../../rules/x-powered-by-header.md"),
};

const HEADER: &str = "X-Powered-By";

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // IIS adds the header from applicationHost.config's customHeaders, for every site; any
    // runtime behind IIS sends it, ASP.NET Core's included.
    let Some(scope) = served_application(ctx) else {
        return;
    };
    // An outbound URL Rewrite rule may blank the header instead.
    if contains_ignore_case(ctx.text, "RESPONSE_X-POWERED-BY") {
        return;
    }
    let sections = &ctx.model.sections;
    let own = sections
        .custom_headers
        .iter()
        .filter(|s| s.path.is_none())
        .flat_map(|s| s.items.iter());
    // What the parents give, then the file's own level: is the header still there at the end?
    let mut added: Option<&Element> = None;
    let mut removed = false;
    for (item, element) in sections.inherited_custom_headers.iter().chain(own) {
        let named = || {
            element
                .attr("name")
                .is_some_and(|n| n.value.trim().eq_ignore_ascii_case(HEADER))
        };
        match item {
            Item::Clear => (added, removed) = (None, true),
            Item::Remove if named() => (added, removed) = (None, true),
            Item::Add if named() => (added, removed) = (Some(element), false),
            _ => {}
        }
    }
    if removed {
        return;
    }
    if let Some(element) = added {
        // The application adds it itself: on purpose.
        let message = format!(
            "customHeaders adds `{HEADER}`: every response tells attackers the server runs ASP.NET on IIS; remove the <add>"
        );
        out.push(Diagnostic::new(&META, element.start_tag.clone(), message));
        return;
    }
    let anchor = scope
        .container(Container::SystemWebServer)
        .filter(|e| in_file(ctx, &e.start_tag))
        .map(|e| e.start_tag.clone())
        .or_else(|| {
            let doc = crate::document::parse(ctx.text).ok()?;
            Some(Element::from_node(doc.root_element()).start_tag)
        })
        .unwrap_or(0..0);
    let line = crate::edits::empty_element_line("remove", &[("name", HEADER)], ctx.style.quote());
    // Safe: no client needs the header.
    let fix = insert_under_container(
        ctx,
        scope,
        Container::SystemWebServer,
        &["httpProtocol", "customHeaders"],
        line,
    )
    .map(|edit| {
        Fix::new(
            Applicability::Safe,
            format!(
                "Add <remove name=\"{HEADER}\" /> to system.webServer/httpProtocol/customHeaders"
            ),
            vec![edit],
        )
    });
    out.push(
        Diagnostic::new(
            &META,
            anchor,
            format!(
                "`{HEADER}: ASP.NET` is not removed (system.webServer/httpProtocol/customHeaders): IIS sends it with every response, telling attackers which platform to target"
            ),
        )
        .with_fix(fix),
    );
}
