//! The effective value of a fixed set of watched attributes, per scope: what the security rules
//! judge.
//!
//! For each section of [`WATCHED`] (a container, a path below it and the attributes to watch)
//! and each scope of the file (its own level, and each `<location path>` holding `system.web` or
//! `system.webServer`), this records the attribute that decides each watched value (the
//! innermost element that writes it, with the chain semantics of [`super::chain`]: what parent
//! folders give first, then the file's own level, then enclosing location paths shorter first,
//! then same-path locations in document order), and the section's last element, where a fix
//! adds an attribute. Nothing is parsed here beyond names; rules parse values with
//! [`crate::model::values`] or [`SettingsScope::bool`].
//!
//! What the model does elsewhere holds here too:
//! - elements in the .NET 2.0 default namespace are configuration (`config_children`);
//! - attribute names are case-sensitive: a miscased name (`Debug`) is not read (ASP.NET refuses
//!   it as unrecognized; `invalid-value` reports miscased names only for the sections it knows);
//! - a section whose content is in a `configSource` file the view could not splice in, or
//!   encrypted (`configProtectionProvider`), is unknown: its values, and those it would override,
//!   are [`Decided::Unknown`], never a default.
//!
//! `appSettings` are read once, for the file's own level (what parents give, then the root and
//! `<location path=".">` in document order), with `<add>`, `<remove>` and `<clear/>`, keys compared
//! ignoring case as `NameValueCollection` does (RS `KeyValueConfigurationCollection`,
//! `StringComparer.OrdinalIgnoreCase`).

use std::collections::HashMap;

use super::chain::{Decisive, EXTERNAL, Location, STAND_IN, SectionSpec, location_chains};
use super::values::parse_net_bool;
use crate::document::{Attr, Element, config_children};

/// The configuration containers a watched section lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    SystemWeb,
    SystemWebServer,
}

impl Container {
    pub const ALL: [Container; 2] = [Container::SystemWeb, Container::SystemWebServer];

    pub fn name(self) -> &'static str {
        match self {
            Container::SystemWeb => "system.web",
            Container::SystemWebServer => "system.webServer",
        }
    }
}

/// A watched section. Its attributes are [`Section::attributes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// `system.web/compilation`
    Compilation,
    /// `system.web/trace`
    Trace,
    /// `system.web/customErrors`
    CustomErrors,
    /// `system.web/pages`
    Pages,
    /// `system.web/httpRuntime`
    HttpRuntime,
    /// `system.web/authentication`
    Authentication,
    /// `system.web/authentication/forms`
    Forms,
    /// `system.web/authentication/forms/credentials` (its `<user>` children:
    /// [`SettingsScope::children`])
    Credentials,
    /// `system.web/sessionState`
    SessionState,
    /// `system.web/machineKey`
    MachineKey,
    /// `system.web/httpCookies`
    HttpCookies,
    /// `system.web/roleManager`
    RoleManager,
    /// `system.webServer/httpErrors`
    HttpErrors,
    /// `system.webServer/directoryBrowse`
    DirectoryBrowse,
    /// `system.webServer/security/requestFiltering`
    RequestFiltering,
}

impl Section {
    /// Every watched section, in [`WATCHED`] order.
    pub const ALL: [Section; 15] = [
        Section::Compilation,
        Section::Trace,
        Section::CustomErrors,
        Section::Pages,
        Section::HttpRuntime,
        Section::Authentication,
        Section::Forms,
        Section::Credentials,
        Section::SessionState,
        Section::MachineKey,
        Section::HttpCookies,
        Section::RoleManager,
        Section::HttpErrors,
        Section::DirectoryBrowse,
        Section::RequestFiltering,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn spec(self) -> &'static SectionSpec {
        &WATCHED[self.index()]
    }

    pub fn container(self) -> Container {
        match self.spec().container {
            "system.webServer" => Container::SystemWebServer,
            _ => Container::SystemWeb,
        }
    }

    /// The element names from the container down (`["authentication", "forms"]`).
    pub fn path(self) -> &'static [&'static str] {
        self.spec().path
    }

    /// The section's element name (`forms`).
    pub fn element_name(self) -> &'static str {
        self.path().last().expect("a path is never empty")
    }

    /// The watched attributes, the only names [`SettingsScope::attr`] reads.
    pub fn attributes(self) -> &'static [&'static str] {
        self.spec().known
    }

    /// `system.web/authentication/forms`, for messages.
    pub fn display(self) -> String {
        format!("{}/{}", self.spec().container, self.path().join("/"))
    }
}

const fn web(
    path: &'static [&'static str],
    known: &'static [&'static str],
    collect: Option<&'static str>,
) -> SectionSpec {
    SectionSpec {
        container: "system.web",
        path,
        known,
        collect,
    }
}

const fn web_server(path: &'static [&'static str], known: &'static [&'static str]) -> SectionSpec {
    SectionSpec {
        container: "system.webServer",
        path,
        known,
        collect: None,
    }
}

/// The watched sections and attributes, in [`Section`] order (a test keeps them aligned).
/// Add a section by adding a variant and a row; add an attribute by adding it to its row.
pub(crate) static WATCHED: [SectionSpec; 15] = [
    web(&["compilation"], &["debug"], None),
    web(&["trace"], &["enabled", "localOnly", "pageOutput"], None),
    web(&["customErrors"], &["mode", "defaultRedirect"], None),
    web(
        &["pages"],
        &[
            "validateRequest",
            "enableEventValidation",
            "enableViewStateMac",
            "viewStateEncryptionMode",
            "pageParserFilterType",
        ],
        None,
    ),
    web(
        &["httpRuntime"],
        &[
            "requestValidationMode",
            "enableHeaderChecking",
            "enableVersionHeader",
            "targetFramework",
        ],
        None,
    ),
    web(&["authentication"], &["mode"], None),
    web(
        &["authentication", "forms"],
        &[
            "protection",
            "enableCrossAppRedirects",
            "cookieless",
            "requireSSL",
        ],
        None,
    ),
    web(
        &["authentication", "forms", "credentials"],
        &["passwordFormat"],
        Some("user"),
    ),
    web(&["sessionState"], &["mode", "cookieless"], None),
    web(
        &["machineKey"],
        &[
            "validation",
            "decryption",
            "validationKey",
            "decryptionKey",
            "compatibilityMode",
        ],
        None,
    ),
    web(
        &["httpCookies"],
        &["requireSSL", "httpOnlyCookies", "sameSite"],
        None,
    ),
    web(
        &["roleManager"],
        &[
            "enabled",
            "cookieRequireSSL",
            "cookieProtection",
            "cacheRolesInCookie",
        ],
        None,
    ),
    web_server(&["httpErrors"], &["errorMode"]),
    web_server(&["directoryBrowse"], &["enabled"]),
    web_server(
        &["security", "requestFiltering"],
        &[
            "allowDoubleEscaping",
            "allowHighBitCharacters",
            "removeServerHeader",
        ],
    ),
];

/// What decides a watched attribute in a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided<'s> {
    /// Nothing in the file's view writes it: the runtime's default (or a machine-level value
    /// iislint does not see).
    Default,
    /// The attribute of the innermost element that writes it.
    Written(&'s Attr),
    /// A section element the value may come from is in another file or encrypted: unknown.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Default,
    Written(Attr),
    Unknown,
}

#[derive(Debug, Clone, Default)]
struct SectionValues {
    /// The last element of the section in the scope's chain.
    element: Option<Element>,
    /// Per watched attribute, in [`Section::attributes`] order.
    values: Vec<Value>,
    /// An element of the chain is in another file or encrypted.
    external: bool,
    /// The collected children, in chain order.
    children: Vec<Element>,
}

/// The watched settings of a file.
#[derive(Debug, Clone, Default)]
pub struct EffectiveSettings {
    /// The file's own level first (always there, even when it has no container), then one scope
    /// per `<location path>` (other than the own level) holding `system.web` or
    /// `system.webServer`, in document order.
    pub scopes: Vec<SettingsScope>,
    /// The application's `appSettings` at the file's own level, as the runtime merges them.
    pub app_settings: Vec<AppSetting>,
}

impl EffectiveSettings {
    /// The file's own level.
    pub fn own(&self) -> Option<&SettingsScope> {
        self.scopes.first().filter(|s| s.location.is_none())
    }

    /// The `appSettings` entry for `key` (compared ignoring case).
    pub fn app_setting(&self, key: &str) -> Option<&AppSetting> {
        self.app_settings
            .iter()
            .find(|s| s.key.eq_ignore_ascii_case(key))
    }
}

/// One `<add key="…" value="…">` that is in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSetting {
    pub key: String,
    /// The `<add>` element.
    pub element: Element,
    /// Its `value` attribute (absent: the empty string).
    pub value: Option<Attr>,
}

/// The watched settings at one path of the file.
#[derive(Debug, Clone)]
pub struct SettingsScope {
    /// The `<location>` element, for scopes other than the file's own level.
    pub location: Option<Element>,
    pub location_path: Option<String>,
    /// The innermost container of each kind the scope writes itself (the file's own level:
    /// its own, else an inherited one), in [`Container::ALL`] order: where a fix inserts a
    /// missing section.
    containers: [Option<Element>; 2],
    sections: Vec<SectionValues>,
}

impl SettingsScope {
    fn values(&self, section: Section, name: &str) -> Option<&Value> {
        let index = section.attributes().iter().position(|a| *a == name);
        debug_assert!(
            index.is_some(),
            "`{name}` is not a watched attribute of {}",
            section.display()
        );
        self.sections[section.index()].values.get(index?)
    }

    /// What decides `name` of `section` here (see [`Decided`]). `name` must be one of the
    /// section's watched attributes.
    pub fn decided(&self, section: Section, name: &str) -> Decided<'_> {
        match self.values(section, name) {
            Some(Value::Written(attr)) => Decided::Written(attr),
            Some(Value::Unknown) => Decided::Unknown,
            Some(Value::Default) | None => Decided::Default,
        }
    }

    /// The attribute that decides `name` of `section` here, when one is written and known.
    /// `None` is either the default or unknown: a rule that judges a default must ask
    /// [`SettingsScope::decided`].
    pub fn attr(&self, section: Section, name: &str) -> Option<&Attr> {
        match self.decided(section, name) {
            Decided::Written(attr) => Some(attr),
            _ => None,
        }
    }

    /// The written value of `name` as a .NET Boolean (`bool.Parse` after trimming, as
    /// `BooleanConverter` reads it: `True`, ` false ` count), with its attribute. `None` when
    /// not written, unknown, or not a Boolean (the runtime refuses it).
    pub fn bool(&self, section: Section, name: &str) -> Option<(bool, &Attr)> {
        let attr = self.attr(section, name)?;
        parse_net_bool(&attr.value).ok().map(|b| (b, attr))
    }

    /// The section's last element in the scope's chain (where a fix adds an attribute); it may
    /// be inherited from a parent folder.
    pub fn element(&self, section: Section) -> Option<&Element> {
        self.sections[section.index()].element.as_ref()
    }

    /// Whether an element of the section's chain is in another file or encrypted: some of its
    /// values are unknown here.
    pub fn is_external(&self, section: Section) -> bool {
        self.sections[section.index()].external
    }

    /// The children a section collects (`<user>` of [`Section::Credentials`]) from every element
    /// of its chain, in chain order.
    pub fn children(&self, section: Section) -> &[Element] {
        &self.sections[section.index()].children
    }

    /// The innermost `system.web` or `system.webServer` of the scope itself: for a location, its
    /// own (`None` when it has none of that kind); for the own level, the file's, else one
    /// inherited from a parent.
    pub fn container(&self, container: Container) -> Option<&Element> {
        let index = Container::ALL
            .iter()
            .position(|c| *c == container)
            .expect("every container is in ALL");
        self.containers[index].as_ref()
    }
}

fn read_scope(
    location: Option<(roxmltree::Node<'_, '_>, String)>,
    chain: &Decisive<'_, '_>,
    containers: &[roxmltree::Node<'_, '_>],
) -> SettingsScope {
    let sections = Section::ALL
        .iter()
        .map(|&section| {
            let spec = section.spec();
            let nodes = chain.nodes(section.index());
            let last_external = nodes.iter().rposition(|(_, mask)| mask & EXTERNAL != 0);
            let values = spec
                .known
                .iter()
                .enumerate()
                .map(|(bit, name)| {
                    let writer = nodes.iter().rposition(|(_, mask)| mask & (1 << bit) != 0);
                    match (writer, last_external) {
                        (Some(w), Some(x)) if x >= w => Value::Unknown,
                        (None, Some(_)) => Value::Unknown,
                        (Some(w), _) => {
                            let attr = nodes[w]
                                .0
                                .attributes()
                                .find(|a| a.namespace().is_none() && a.name() == *name)
                                .expect("the mask says it writes it");
                            Value::Written(Attr {
                                name: attr.name().into(),
                                value: attr.value().into(),
                                range: attr.range(),
                                value_range: attr.range_value(),
                            })
                        }
                        (None, None) => Value::Default,
                    }
                })
                .collect();
            let children = match spec.collect {
                Some(child) => nodes
                    .iter()
                    .filter(|(_, mask)| mask & STAND_IN == 0)
                    .flat_map(|(node, _)| config_children(*node, child))
                    .map(Element::from_node)
                    .collect(),
                None => Vec::new(),
            };
            SectionValues {
                element: nodes
                    .iter()
                    .rev()
                    .find(|(_, mask)| mask & STAND_IN == 0)
                    .map(|(node, _)| Element::from_node(*node)),
                values,
                external: last_external.is_some(),
                children,
            }
        })
        .collect();
    let innermost = |container: Container| {
        containers
            .iter()
            .rev()
            .find(|c| c.tag_name().name() == container.name())
            .map(|c| Element::from_node(*c))
    };
    let (location, location_path) = match location {
        Some((node, path)) => (Some(Element::from_node(node)), Some(path)),
        None => (None, None),
    };
    SettingsScope {
        location,
        location_path,
        containers: Container::ALL.map(innermost),
        sections,
    }
}

/// The containers of `node` (the root or a `<location>`), in document order.
fn containers<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|c| {
            Container::ALL
                .iter()
                .any(|k| crate::document::is_config_element(*c, k.name()))
        })
        .collect()
}

pub(super) fn read(root: roxmltree::Node<'_, '_>) -> EffectiveSettings {
    let marker = crate::resolve::inherited_marker_value();
    let is_inherited =
        |n: &roxmltree::Node<'_, '_>| n.attribute(crate::resolve::INHERITED_MARKER) == Some(marker);
    // The levels of the file's own scope: what parents give (the view writes their location
    // right after the root's start tag), then the root and `<location path=".">`.
    let mut own_levels = vec![root];
    let mut locations: Vec<Location> = Vec::new();
    for location in config_children(root, "location") {
        let path = location.attribute("path");
        if is_inherited(&location) || super::is_own_level_path(path) {
            own_levels.push(location);
        } else if let Some(path) = path.map(str::trim) {
            let found = containers(location);
            if !found.is_empty() {
                locations.push((location, path.to_owned(), found));
            }
        }
    }
    let (inherited, own): (Vec<_>, Vec<_>) = own_levels.iter().partition(|n| is_inherited(n));
    let mut own_containers: Vec<_> = own.iter().flat_map(|n| containers(*n)).collect();
    own_containers.sort_by_key(|n| n.range().start);
    let chain_nodes: Vec<_> = inherited
        .iter()
        .flat_map(|n| containers(*n))
        .chain(own_containers)
        .collect();
    let own_chain = Decisive::of(&WATCHED, &chain_nodes, None);
    let mut scopes = vec![read_scope(None, &own_chain, &chain_nodes)];
    let chains = location_chains(&own_chain, &locations, None);
    for ((location, path, found), chain) in locations.iter().zip(&chains) {
        scopes.push(read_scope(Some((*location, path.clone())), chain, found));
    }
    own_levels.sort_by_key(|n| (!is_inherited(n), n.range().start));
    EffectiveSettings {
        scopes,
        app_settings: app_settings(&own_levels),
    }
}

/// The `appSettings` in effect after the `<add>`, `<remove>` and `<clear/>` of every level, in
/// order. A section in another file or encrypted makes nothing known about the entries before
/// it; the entries it holds are unknown, so it clears them.
fn app_settings(levels: &[roxmltree::Node<'_, '_>]) -> Vec<AppSetting> {
    // In order, a removed entry left as a hole; each key's place found by its lower-cased form
    // (keys compare ignoring case), so a section of many thousand entries is read in linear time.
    let mut settings: Vec<Option<AppSetting>> = Vec::new();
    let mut place: HashMap<String, usize> = HashMap::new();
    for level in levels {
        for section in config_children(*level, "appSettings") {
            if super::chain::is_external_node(section) {
                settings.clear();
                place.clear();
                continue;
            }
            for entry in section.children().filter(|n| n.is_element()) {
                let key = entry.attribute("key").unwrap_or_default();
                let is = |name| crate::document::is_config_element(entry, name);
                if is("clear") {
                    settings.clear();
                    place.clear();
                } else if is("remove") {
                    if let Some(at) = place.remove(&key.to_ascii_lowercase()) {
                        settings[at] = None;
                    }
                } else if is("add") {
                    let element = Element::from_node(entry);
                    let value = element.attr("value").cloned();
                    let setting = AppSetting {
                        key: key.to_owned(),
                        element,
                        value,
                    };
                    // A key added again replaces the earlier entry, in its place.
                    match place.entry(key.to_ascii_lowercase()) {
                        std::collections::hash_map::Entry::Occupied(at) => {
                            settings[*at.get()] = Some(setting);
                        }
                        std::collections::hash_map::Entry::Vacant(vacant) => {
                            vacant.insert(settings.len());
                            settings.push(Some(setting));
                        }
                    }
                }
            }
        }
    }
    settings.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    fn build(text: &str) -> EffectiveSettings {
        Model::build(&crate::document::parse(text).unwrap()).settings
    }

    fn value<'s>(scope: &'s SettingsScope, section: Section, name: &str) -> Option<&'s str> {
        scope.attr(section, name).map(|a| a.value.as_str())
    }

    #[test]
    fn the_table_follows_the_section_order() {
        for (i, section) in Section::ALL.iter().enumerate() {
            assert_eq!(section.index(), i, "{section:?}");
            assert!(section.attributes().len() <= super::super::chain::MAX_KNOWN);
        }
        assert_eq!(Section::ALL.len(), WATCHED.len());
        assert_eq!(Section::Forms.display(), "system.web/authentication/forms");
        assert_eq!(
            Section::RequestFiltering.container(),
            Container::SystemWebServer
        );
    }

    #[test]
    fn the_own_level_reads_the_root_and_location_dot_in_document_order() {
        let settings = build(
            "<configuration>\
             <location path=\".\"><system.web><compilation debug=\"true\"/></system.web></location>\
             <system.web><compilation debug=\"false\" batch=\"true\"/><trace enabled=\"True\"/></system.web>\
             <system.webServer><directoryBrowse enabled=\"true\"/></system.webServer>\
             </configuration>",
        );
        assert_eq!(settings.scopes.len(), 1);
        let own = settings.own().unwrap();
        assert_eq!(value(own, Section::Compilation, "debug"), Some("false"));
        assert_eq!(own.bool(Section::Trace, "enabled").map(|b| b.0), Some(true));
        assert_eq!(own.decided(Section::Trace, "localOnly"), Decided::Default);
        assert_eq!(
            own.bool(Section::DirectoryBrowse, "enabled").map(|b| b.0),
            Some(true)
        );
        assert_eq!(
            own.element(Section::Compilation)
                .and_then(|e| e.attr("batch"))
                .map(|a| a.value.as_str()),
            Some("true")
        );
        assert_eq!(
            own.container(Container::SystemWebServer)
                .map(|e| e.name.as_str()),
            Some("system.webServer")
        );
    }

    #[test]
    fn a_location_overrides_only_in_its_scope_and_below() {
        let settings = build(
            "<configuration>\
             <system.web><compilation debug=\"false\"/><customErrors mode=\"RemoteOnly\"/></system.web>\
             <location path=\"Admin\"><system.web><compilation debug=\"true\"/></system.web></location>\
             <location path=\"Admin/Reports\"><system.web><customErrors mode=\"Off\"/></system.web></location>\
             <location path=\"Administration\"><system.webServer><httpErrors errorMode=\"Detailed\"/></system.webServer></location>\
             </configuration>",
        );
        let scope = |path: &str| {
            settings
                .scopes
                .iter()
                .find(|s| s.location_path.as_deref() == Some(path))
                .unwrap()
        };
        let own = settings.own().unwrap();
        assert_eq!(value(own, Section::Compilation, "debug"), Some("false"));
        assert_eq!(
            value(scope("Admin"), Section::Compilation, "debug"),
            Some("true")
        );
        // Admin/Reports inherits Admin's debug and sets its own mode.
        let reports = scope("Admin/Reports");
        assert_eq!(value(reports, Section::Compilation, "debug"), Some("true"));
        assert_eq!(value(reports, Section::CustomErrors, "mode"), Some("Off"));
        assert_eq!(
            value(scope("Admin"), Section::CustomErrors, "mode"),
            Some("RemoteOnly")
        );
        // `Administration` is not below `Admin`; a location with only system.webServer is a scope.
        let other = scope("Administration");
        assert_eq!(value(other, Section::Compilation, "debug"), Some("false"));
        assert_eq!(
            value(other, Section::HttpErrors, "errorMode"),
            Some("Detailed")
        );
        assert_eq!(value(own, Section::HttpErrors, "errorMode"), None);
    }

    #[test]
    fn same_path_locations_apply_in_document_order_each_its_own_last() {
        let settings = build(
            "<configuration>\
             <location path=\"api\"><system.web><pages validateRequest=\"false\" enableEventValidation=\"false\"/></system.web></location>\
             <location path=\"API/\"><system.web><pages validateRequest=\"true\"/></system.web></location>\
             </configuration>",
        );
        let first = &settings.scopes[1];
        let second = &settings.scopes[2];
        // Each reads its own first, then its siblings.
        assert_eq!(
            value(first, Section::Pages, "validateRequest"),
            Some("false")
        );
        assert_eq!(
            value(second, Section::Pages, "validateRequest"),
            Some("true")
        );
        assert_eq!(
            value(second, Section::Pages, "enableEventValidation"),
            Some("false")
        );
    }

    #[test]
    fn inherited_settings_lose_to_the_files_own() {
        let marker = crate::resolve::inherited_marker_value();
        let text = format!(
            "<configuration>\
             <location path=\".\" iislint-inherited=\"{marker}\"><system.web><compilation debug=\"true\"/><trace enabled=\"true\"/></system.web></location>\
             <system.web><compilation debug=\"false\"/></system.web></configuration>"
        );
        let settings = build(&text);
        let own = settings.own().unwrap();
        assert_eq!(value(own, Section::Compilation, "debug"), Some("false"));
        // What only the parent writes is inherited.
        assert_eq!(value(own, Section::Trace, "enabled"), Some("true"));
        // A marker the file writes itself (not this run's) is the file's own location.
        let forged = build(
            "<configuration><system.web><compilation debug=\"false\"/></system.web>\
             <location path=\".\" iislint-inherited=\"true\"><system.web><compilation debug=\"true\"/></system.web></location></configuration>",
        );
        assert_eq!(
            value(forged.own().unwrap(), Section::Compilation, "debug"),
            Some("true")
        );
    }

    #[test]
    fn a_miscased_attribute_is_not_read() {
        let settings = build(
            "<configuration><system.web><compilation Debug=\"true\"/><customErrors Mode=\"Off\"/></system.web></configuration>",
        );
        let own = settings.own().unwrap();
        assert_eq!(own.decided(Section::Compilation, "debug"), Decided::Default);
        assert_eq!(own.attr(Section::CustomErrors, "mode"), None);
        assert!(own.element(Section::Compilation).is_some());
    }

    #[test]
    fn the_net_2_namespace_is_configuration() {
        let settings = build(
            "<configuration xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\"><system.web><compilation debug=\"true\"/></system.web></configuration>",
        );
        assert_eq!(
            value(settings.own().unwrap(), Section::Compilation, "debug"),
            Some("true")
        );
        let other = build(
            "<configuration xmlns:x=\"urn:other\"><system.web><x:compilation debug=\"true\"/></system.web></configuration>",
        );
        assert_eq!(
            other.own().unwrap().decided(Section::Compilation, "debug"),
            Decided::Default
        );
    }

    #[test]
    fn external_sections_are_unknown() {
        let settings = build(
            "<configuration><system.web>\
             <compilation debug=\"true\"/>\
             <machineKey configProtectionProvider=\"RsaProtectedConfigurationProvider\"><EncryptedData/></machineKey>\
             <authentication configSource=\"auth.config\"/>\
             </system.web>\
             <location path=\"x\"><system.web><compilation configSource=\"c.config\"/></system.web></location>\
             <location path=\"x/y\"><system.web><compilation debug=\"false\"/></system.web></location>\
             </configuration>",
        );
        let own = settings.own().unwrap();
        assert_eq!(
            own.decided(Section::MachineKey, "validation"),
            Decided::Unknown
        );
        assert!(own.is_external(Section::MachineKey));
        // Forms is inside an authentication section in another file.
        assert_eq!(own.decided(Section::Forms, "protection"), Decided::Unknown);
        assert!(own.element(Section::Forms).is_none());
        assert!(matches!(
            own.decided(Section::Compilation, "debug"),
            Decided::Written(_)
        ));
        // The location's compilation is elsewhere: the file's debug="true" may be overridden.
        assert_eq!(
            settings.scopes[1].decided(Section::Compilation, "debug"),
            Decided::Unknown
        );
        // Below it, a value written after the unknown one is known again.
        assert_eq!(
            value(&settings.scopes[2], Section::Compilation, "debug"),
            Some("false")
        );
    }

    #[test]
    fn credentials_users_are_collected_from_every_level() {
        let settings = build(
            "<configuration><system.web><authentication mode=\"Forms\"><forms>\
             <credentials passwordFormat=\"Clear\"><user name=\"a\" password=\"x\"/></credentials>\
             </forms></authentication></system.web>\
             <location path=\".\"><system.web><authentication><forms><credentials><user name=\"b\" password=\"y\"/></credentials></forms></authentication></system.web></location>\
             </configuration>",
        );
        let own = settings.own().unwrap();
        let users: Vec<&str> = own
            .children(Section::Credentials)
            .iter()
            .filter_map(|u| u.attr("name").map(|a| a.value.as_str()))
            .collect();
        assert_eq!(users, ["a", "b"]);
        assert_eq!(
            value(own, Section::Credentials, "passwordFormat"),
            Some("Clear")
        );
    }

    #[test]
    fn app_settings_follow_add_remove_and_clear() {
        let settings = build(
            "<configuration>\
             <appSettings><add key=\"A\" value=\"1\"/><add key=\"b\" value=\"2\"/><add key=\"c\" value=\"3\"/></appSettings>\
             <location path=\".\"><appSettings><remove key=\"B\"/><add key=\"a\" value=\"4\"/></appSettings></location>\
             <location path=\"sub\"><appSettings><clear/></appSettings></location>\
             </configuration>",
        );
        let values: Vec<(&str, &str)> = settings
            .app_settings
            .iter()
            .map(|s| (s.key.as_str(), s.value.as_ref().unwrap().value.as_str()))
            .collect();
        assert_eq!(values, [("a", "4"), ("c", "3")]);
        assert_eq!(
            settings
                .app_setting("A")
                .and_then(|s| s.value.as_ref())
                .map(|v| v.value.as_str()),
            Some("4")
        );
        let cleared = build(
            "<configuration><appSettings><add key=\"a\" value=\"1\"/><clear/></appSettings></configuration>",
        );
        assert!(cleared.app_settings.is_empty());
        // Removed and added again, a key goes last; added again without a removal, it keeps its
        // place and takes the new value.
        let again = build(
            "<configuration><appSettings><add key=\"a\" value=\"1\"/><add key=\"b\" value=\"2\"/>\
             <add key=\"c\" value=\"3\"/><remove key=\"A\"/><add key=\"A\" value=\"4\"/>\
             <add key=\"B\" value=\"5\"/><remove key=\"missing\"/></appSettings></configuration>",
        );
        let values: Vec<(&str, &str)> = again
            .app_settings
            .iter()
            .map(|s| (s.key.as_str(), s.value.as_ref().unwrap().value.as_str()))
            .collect();
        assert_eq!(values, [("B", "5"), ("c", "3"), ("A", "4")]);
    }
}
