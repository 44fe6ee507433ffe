//! The IIS-aware view of one configuration file.
//!
//! Everything IIS- or ASP.NET-specific about reading values lives here and in its submodules:
//! `<location>` scopes, the .NET 2.0 default namespace, defaults, units and parse rules. Rules ask
//! for typed settings and never parse strings themselves. A value the runtime would reject is
//! recorded once in [`Model::invalid`] and reaches rules only as [`Setting::Invalid`].

pub mod app_host;
pub(crate) mod chain;
pub mod features;
pub mod sections;
pub mod session_switch;
pub mod settings;
pub mod values;
pub mod web;

use std::collections::BTreeMap;

use crate::document::{Attr, Element};

pub use app_host::{AppHost, AppPool, Application, WebFarm};
pub use values::Minutes;
pub use web::{Authentication, Forms, MachineKey, SessionState, WebConfig, WebScope};

/// One setting as the runtime sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<T> {
    /// Not written anywhere that applies: the runtime's default.
    Default(T),
    /// Written, and valid.
    Explicit(T, Attr),
    /// Written, and rejected by the runtime (reported by `invalid-value`).
    Invalid(Attr),
}

impl<T> Setting<T> {
    /// The value, unless it is invalid.
    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Default(v) | Setting::Explicit(v, _) => Some(v),
            Setting::Invalid(_) => None,
        }
    }

    /// The value, if it was written and is valid.
    pub fn written_value(&self) -> Option<&T> {
        match self {
            Setting::Explicit(v, _) => Some(v),
            _ => None,
        }
    }

    /// The attribute it was read from, if it was written.
    pub fn attr(&self) -> Option<&Attr> {
        match self {
            Setting::Default(_) => None,
            Setting::Explicit(_, a) | Setting::Invalid(a) => Some(a),
        }
    }

    pub fn is_explicit(&self) -> bool {
        matches!(self, Setting::Explicit(..))
    }
}

/// A written value the runtime would reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub element: String,
    pub attr: Attr,
    pub message: String,
}

/// What kind of configuration file this is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    WebConfig,
    ApplicationHost,
}

impl FileKind {
    pub fn of_path(path: &std::path::Path) -> FileKind {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.eq_ignore_ascii_case("applicationHost.config") {
            FileKind::ApplicationHost
        } else {
            FileKind::WebConfig
        }
    }
}

/// The typed view of one parsed file.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub web: WebConfig,
    pub app_host: AppHost,
    /// Invalid values, each once, in document order.
    pub invalid: Vec<InvalidValue>,
    /// The file is an XDT transform (it uses the XML-Document-Transform namespace).
    pub is_transform: bool,
    /// Whether the file turns session state off without `mode="Off"` (pages or modules), and
    /// which Session module it adds.
    pub session: session_switch::SessionSwitch,
    /// The file maps every request (`path="*"`) to a handler that refuses it
    /// (`HttpNotFoundHandler`, `HttpForbiddenHandler`): it guards a folder.
    pub blocks_every_request: bool,
    /// Cookies the machine key protects, and whether `system.web` configures users at all.
    pub features: features::Features,
    /// Connection strings, application settings, passwords, AppContext switches, custom
    /// headers and WCF behaviours, for the security rules.
    pub sections: sections::Sections,
    /// The watched attributes' deciding values per scope, and the `appSettings` (see
    /// [`settings`]): what the security rules read.
    pub settings: settings::EffectiveSettings,
}

/// The namespace of `xdt:Transform` and `xdt:Locator`; compared exactly, as XDT does.
pub const XDT_NAMESPACE: &str = "http://schemas.microsoft.com/XML-Document-Transform";

fn is_transform(doc: &roxmltree::Document<'_>) -> bool {
    doc.root_element()
        .namespaces()
        .any(|ns| ns.uri() == XDT_NAMESPACE)
        || doc
            .descendants()
            .any(|n| n.attributes().any(|a| a.namespace() == Some(XDT_NAMESPACE)))
}

impl Model {
    pub fn build(doc: &roxmltree::Document<'_>) -> Model {
        let mut reader = Reader::default();
        let root = doc.root_element();
        // Only a `<configuration>` document is configuration; any other XML yields an empty model.
        if !crate::document::is_config_element(root, "configuration") {
            return Model::default();
        }
        // A `Web.Release.config`-style transform describes edits to another file, not settings:
        // it is checked for well-formedness only (until transforms are applied).
        if is_transform(doc) {
            return Model {
                is_transform: true,
                ..Model::default()
            };
        }
        let web = web::read(root, &mut reader);
        let app_host = app_host::read(root, &web, &mut reader);
        let session = session_switch::read(root, &mut reader);
        Model {
            web,
            app_host,
            invalid: reader.invalid.into_values().collect(),
            is_transform: false,
            session,
            blocks_every_request: blocks_every_request(root),
            features: features::read(root),
            sections: sections::read(root),
            settings: settings::read(root),
        }
    }
}

/// Does a `<location>` path name the file's own level? `path="."`, `path=""` or none do.
pub(crate) fn is_own_level_path(path: Option<&str>) -> bool {
    matches!(path.map(str::trim), None | Some("") | Some("."))
}

/// The elements that hold the file's own-level sections: the root and its `<location>`s for
/// the own level, in document order.
pub(crate) fn own_levels<'a, 'i>(
    root: roxmltree::Node<'a, 'i>,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    std::iter::once(root).chain(
        crate::document::config_children(root, "location")
            .filter(|l| is_own_level_path(l.attribute("path"))),
    )
}

/// Handlers that answer a request with an error: a folder mapping `*` to one serves nothing.
const REFUSING_HANDLERS: &[&str] = &[
    "System.Web.HttpNotFoundHandler",
    "System.Web.HttpForbiddenHandler",
];

/// Does the file's own level map every path to a refusing handler, in the integrated pipeline's
/// `system.webServer/handlers` or the classic `system.web/httpHandlers`?
fn blocks_every_request(root: roxmltree::Node<'_, '_>) -> bool {
    use crate::document::config_children;
    let handler_lists = config_children(root, "system.webServer")
        .flat_map(|ws| config_children(ws, "handlers"))
        .chain(
            config_children(root, "system.web").flat_map(|sw| config_children(sw, "httpHandlers")),
        );
    handler_lists
        .flat_map(|list| config_children(list, "add"))
        .any(|add| {
            add.attribute("path").map(str::trim) == Some("*")
                && add.attribute("type").is_some_and(|t| {
                    REFUSING_HANDLERS
                        .iter()
                        .any(|h| t.split(',').next().is_some_and(|name| name.trim() == *h))
                })
        })
}

/// Reads attributes through inheritance chains and records invalid values once each.
#[derive(Default)]
pub(crate) struct Reader {
    invalid: BTreeMap<usize, InvalidValue>,
}

impl Reader {
    /// Reports attributes of `element` whose name is one of `known` in another letter case: .NET
    /// configuration names are case-sensitive, so the runtime rejects them as unrecognized
    /// (`ConfigurationElement`, iis-semantics.md §6) instead of reading them.
    pub(crate) fn check_name_case(&mut self, element: &Element, known: &[&str]) {
        for attr in &element.attrs {
            let Some(name) = known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(&attr.name) && **k != attr.name)
            else {
                continue;
            };
            self.invalid.entry(attr.range.start).or_insert_with(|| InvalidValue {
                element: element.name.to_string(),
                attr: attr.clone(),
                message: format!(
                    "unrecognized attribute `{}`: attribute names are case-sensitive; write `{name}`",
                    attr.name
                ),
            });
        }
    }

    /// The setting `name` as the runtime resolves it along `chain` (outermost first): the
    /// innermost element that writes the attribute wins, else `default`.
    pub(crate) fn read<T>(
        &mut self,
        chain: &[&Element],
        name: &str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Setting<T> {
        let Some((element, attr)) = chain
            .iter()
            .rev()
            .find_map(|e| e.attr(name).map(|a| (e, a)))
        else {
            return Setting::Default(default);
        };
        match parse(&attr.value) {
            Ok(value) => Setting::Explicit(value, attr.clone()),
            Err(message) => {
                self.invalid
                    .entry(attr.range.start)
                    .or_insert_with(|| InvalidValue {
                        element: element.name.to_string(),
                        attr: attr.clone(),
                        message,
                    });
                Setting::Invalid(attr.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Model {
        Model::build(&crate::document::parse(text).unwrap())
    }

    #[test]
    fn only_a_configuration_root_is_read() {
        let inner = "<system.web><sessionState timeout=\"x\"/></system.web>";
        assert_eq!(
            build(&format!("<configuration>{inner}</configuration>"))
                .invalid
                .len(),
            1
        );
        let other = build(&format!("<packages>{inner}</packages>"));
        assert!(other.invalid.is_empty() && other.web.scopes.is_empty());
    }

    #[test]
    fn transforms_are_not_read_as_settings() {
        let model = build(
            "<configuration xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\">\
             <system.web><sessionState timeout=\"x\" xdt:Transform=\"SetAttributes\"/></system.web></configuration>",
        );
        assert!(model.is_transform && model.invalid.is_empty() && model.web.scopes.is_empty());
    }

    #[test]
    fn a_folder_that_refuses_every_request_is_a_guard() {
        let guard = build(
            "<configuration><system.webServer><handlers><remove name=\"BlockViewHandler\"/>\
             <add name=\"BlockViewHandler\" path=\"*\" verb=\"*\" type=\"System.Web.HttpNotFoundHandler\"/>\
             </handlers></system.webServer></configuration>",
        );
        assert!(guard.blocks_every_request);
        let classic = build(
            "<configuration><system.web><httpHandlers><add path=\"*\" verb=\"*\" type=\"System.Web.HttpForbiddenHandler, System.Web\"/></httpHandlers></system.web></configuration>",
        );
        assert!(classic.blocks_every_request);
        let some = build(
            "<configuration><system.webServer><handlers><add name=\"x\" path=\"*.cshtml\" verb=\"*\" type=\"System.Web.HttpNotFoundHandler\"/></handlers></system.webServer></configuration>",
        );
        assert!(!some.blocks_every_request);
    }

    #[test]
    fn comments_are_not_configuration() {
        let model = build(
            "<configuration><system.web><!-- <sessionState mode=\"Off\" /> --></system.web></configuration>",
        );
        assert_eq!(model.web.scopes[0].session.element, None);
        assert!(model.web.scopes[0].session.is_enabled());
    }

    #[test]
    fn sections_in_other_files_or_encrypted_are_external() {
        let model = build(
            "<configuration><system.web><sessionState configSource=\"session.config\"/>\
             <machineKey configProtectionProvider=\"RsaProtectedConfigurationProvider\"><EncryptedData/></machineKey>\
             </system.web></configuration>",
        );
        let scope = &model.web.scopes[0];
        assert!(scope.session.external && scope.machine_key.external);
        assert!(!scope.authentication.external);
    }

    #[test]
    fn location_dot_merges_with_the_file_level() {
        let model = build(
            "<configuration><system.web><sessionState timeout=\"5\"/></system.web>\
             <location path=\".\" inheritInChildApplications=\"false\"><system.web><sessionState mode=\"Off\"/></system.web></location>\
             <location path=\"admin\"><system.web><sessionState timeout=\"7\"/></system.web></location></configuration>",
        );
        assert_eq!(model.web.scopes.len(), 2);
        let own = &model.web.scopes[0];
        assert!(!own.session.is_enabled());
        assert_eq!(own.session.timeout.value(), Some(&Minutes::Finite(5)));
        let admin = &model.web.scopes[1];
        assert_eq!(admin.location_path.as_deref(), Some("admin"));
        assert_eq!(admin.session.timeout.value(), Some(&Minutes::Finite(7)));
        assert!(
            !admin.session.is_enabled(),
            "inherits mode=Off from the file level"
        );
    }
}
