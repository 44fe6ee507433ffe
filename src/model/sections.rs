//! Sections outside `system.web` that the security rules read: connection strings and
//! application settings (secrets, AppContext switches), the other places a password is written
//! (`system.net/mailSettings/smtp/network`, `system.web/identity`, `sessionState`'s SQL
//! connection string), the CLR's `runtime/AppContextSwitchOverrides`, the custom response
//! headers of `system.webServer/httpProtocol`, and WCF's `serviceDebug` behaviours.
//!
//! Every level of the file is read: its root and each `<location>` (the own level is the root
//! and `<location path=".">`, see [`super::is_own_level_path`]), never the `<location>` a view
//! adds for the sections it inherits. A section encrypted with a protected-configuration
//! provider or moved to a `configSource` file that was not read holds nothing here.

use crate::document::{Element, config_children, is_config_element};

/// The `appSettings` keys ASP.NET turns into AppContext switches when it creates the
/// application's domain (RS `System.Web/Hosting/ApplicationManager.cs`,
/// `_clrQuirkAppSettingsAppContextPrefix`: the prefix is compared ignoring case, the switch name
/// after it is kept as written).
pub const APP_CONTEXT_SWITCH_PREFIX: &str = "AppContext.SetSwitch:";

/// An item of a configuration collection, in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Add,
    Remove,
    Clear,
}

impl Item {
    fn of(node: roxmltree::Node<'_, '_>) -> Option<Item> {
        [
            ("add", Item::Add),
            ("remove", Item::Remove),
            ("clear", Item::Clear),
        ]
        .into_iter()
        .find(|(name, _)| is_config_element(node, name))
        .map(|(_, item)| item)
    }
}

/// An `appSettings` item.
#[derive(Debug, Clone)]
pub struct AppSetting {
    pub item: Item,
    pub element: Element,
    /// The section has `configBuilders` (which may replace its values at run time).
    pub built: bool,
}

/// An attribute outside `connectionStrings` and `appSettings` that holds a password.
#[derive(Debug, Clone)]
pub struct PasswordAttribute {
    pub element: Element,
    /// `password` or `sqlConnectionString`.
    pub attribute: &'static str,
    /// Where it is, in words: "the SMTP server's password".
    pub what: &'static str,
}

/// The `customHeaders` collections of one path, in document order.
#[derive(Debug, Clone, Default)]
pub struct HeaderScope {
    /// `None` for the file's own level, else the `<location>` path as written.
    pub path: Option<String>,
    pub items: Vec<(Item, Element)>,
}

/// A `<setting>` of an `applicationSettings` or `userSettings` section (Visual Studio's
/// `Settings.settings`): `<setting name="…"><value>…</value></setting>`.
#[derive(Debug, Clone)]
pub struct SettingValue {
    pub name: String,
    /// The `<value>` element.
    pub element: Element,
    /// Its text, as written (entities not decoded), and where it is.
    pub text: String,
    /// The section has `configBuilders`.
    pub built: bool,
}

/// A WCF service behaviour's `serviceDebug`.
#[derive(Debug, Clone)]
pub struct ServiceDebug {
    pub element: Element,
    /// The behaviour's name; empty for the default behaviour every service gets.
    pub behavior: String,
    /// A `<service behaviorConfiguration>` of this file names the behaviour (always true for the
    /// default behaviour).
    pub used: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Sections {
    /// The `<add>` elements of every readable `connectionStrings`, each with whether its section
    /// has `configBuilders` (which may replace its values at run time).
    pub connection_strings: Vec<(Element, bool)>,
    pub app_settings: Vec<AppSetting>,
    pub settings: Vec<SettingValue>,
    pub passwords: Vec<PasswordAttribute>,
    /// `runtime/AppContextSwitchOverrides` elements (the CLR reads the root's `runtime` only).
    pub switch_overrides: Vec<Element>,
    /// One scope per level that has headers, in the order first met (the root and
    /// `<location path=".">` are one).
    pub custom_headers: Vec<HeaderScope>,
    /// The `customHeaders` items parent folders give the file's own level, in the order they
    /// apply (before [`Sections::custom_headers`]' own level).
    pub inherited_custom_headers: Vec<(Item, Element)>,
    pub service_debug: Vec<ServiceDebug>,
}

/// A section whose content is elsewhere: encrypted, or in a `configSource` file the view could
/// not put in its place.
fn is_external(node: roxmltree::Node<'_, '_>) -> bool {
    node.attribute("configProtectionProvider").is_some() || node.attribute("configSource").is_some()
}

pub(super) fn read(root: roxmltree::Node<'_, '_>) -> Sections {
    let mut sections = Sections::default();
    // The levels: the root, then every `<location>` the file writes (not the one a view adds).
    let mut levels = vec![(root, None::<String>)];
    for location in config_children(root, "location") {
        if location.attribute(crate::resolve::INHERITED_MARKER)
            == Some(crate::resolve::inherited_marker_value())
        {
            for web_server in config_children(location, "system.webServer") {
                for protocol in config_children(web_server, "httpProtocol") {
                    for list in config_children(protocol, "customHeaders") {
                        sections.inherited_custom_headers.extend(
                            list.children()
                                .filter_map(|c| Some((Item::of(c)?, Element::from_node(c)))),
                        );
                    }
                }
            }
            continue;
        }
        let path = location.attribute("path");
        let path = (!super::is_own_level_path(path)).then(|| path.unwrap_or("").trim().to_owned());
        levels.push((location, path));
    }
    let mut behaviors_used: Vec<String> = Vec::new();
    for (level, path) in &levels {
        let own_level = path.is_none();
        for section in config_children(*level, "connectionStrings").filter(|s| !is_external(*s)) {
            let built = section.attribute("configBuilders").is_some();
            sections.connection_strings.extend(
                config_children(section, "add").map(|add| (Element::from_node(add), built)),
            );
        }
        for section in config_children(*level, "appSettings").filter(|s| !is_external(*s)) {
            let built = section.attribute("configBuilders").is_some();
            for child in section.children() {
                if let Some(item) = Item::of(child) {
                    sections.app_settings.push(AppSetting {
                        item,
                        element: Element::from_node(child),
                        built,
                    });
                }
            }
        }
        for group in ["applicationSettings", "userSettings"] {
            for section in config_children(*level, group)
                .flat_map(|g| g.children().filter(|n| n.is_element()))
                .filter(|s| !is_external(*s))
            {
                let built = section.attribute("configBuilders").is_some();
                for setting in config_children(section, "setting") {
                    let Some(value) = config_children(setting, "value").next() else {
                        continue;
                    };
                    let text = value.document().input_text();
                    let element = Element::from_node(value);
                    let inner = element.start_tag.end.min(element.range.end)
                        ..text[..element.range.end]
                            .rfind("</")
                            .filter(|_| !element.self_closing)
                            .unwrap_or(element.start_tag.end)
                            .max(element.start_tag.end);
                    sections.settings.push(SettingValue {
                        name: setting.attribute("name").unwrap_or("").to_owned(),
                        text: text[inner].to_owned(),
                        element,
                        built,
                    });
                }
            }
        }
        read_passwords(*level, &mut sections.passwords);
        if path.is_none() && *level == root {
            for runtime in config_children(root, "runtime") {
                sections.switch_overrides.extend(
                    config_children(runtime, "AppContextSwitchOverrides").map(Element::from_node),
                );
            }
        }
        let mut headers = HeaderScope {
            path: path.clone(),
            items: Vec::new(),
        };
        for web_server in config_children(*level, "system.webServer") {
            for protocol in config_children(web_server, "httpProtocol") {
                for list in config_children(protocol, "customHeaders") {
                    headers.items.extend(
                        list.children()
                            .filter_map(|c| Some((Item::of(c)?, Element::from_node(c)))),
                    );
                }
            }
        }
        if !headers.items.is_empty() {
            match sections
                .custom_headers
                .iter_mut()
                .find(|s| s.path.is_none() && own_level)
            {
                // The root and `<location path=".">` are one level: one collection.
                Some(own) => own.items.extend(headers.items),
                None => sections.custom_headers.push(headers),
            }
        }
        for service_model in config_children(*level, "system.serviceModel") {
            for behavior in config_children(service_model, "behaviors")
                .flat_map(|b| config_children(b, "serviceBehaviors"))
                .flat_map(|b| config_children(b, "behavior"))
            {
                let name = behavior.attribute("name").unwrap_or("").trim().to_owned();
                for debug in config_children(behavior, "serviceDebug") {
                    sections.service_debug.push(ServiceDebug {
                        element: Element::from_node(debug),
                        behavior: name.clone(),
                        used: false,
                    });
                }
            }
            behaviors_used.extend(
                config_children(service_model, "services")
                    .flat_map(|s| config_children(s, "service"))
                    .filter_map(|s| s.attribute("behaviorConfiguration"))
                    .map(|name| name.trim().to_owned()),
            );
        }
    }
    for debug in &mut sections.service_debug {
        debug.used = debug.behavior.is_empty() || behaviors_used.contains(&debug.behavior);
    }
    sections
}

/// `system.net/mailSettings/smtp/network@password`, `system.web/identity@password` and
/// `system.web/sessionState@sqlConnectionString` of one level.
fn read_passwords(level: roxmltree::Node<'_, '_>, out: &mut Vec<PasswordAttribute>) {
    let mut push = |node: roxmltree::Node<'_, '_>, attribute: &'static str, what: &'static str| {
        if node.attribute(attribute).is_some() {
            out.push(PasswordAttribute {
                element: Element::from_node(node),
                attribute,
                what,
            });
        }
    };
    for network in config_children(level, "system.net")
        .flat_map(|n| config_children(n, "mailSettings"))
        .flat_map(|m| config_children(m, "smtp"))
        .flat_map(|s| config_children(s, "network"))
    {
        push(network, "password", "the SMTP server's password");
    }
    for system_web in config_children(level, "system.web") {
        for identity in config_children(system_web, "identity").filter(|n| !is_external(*n)) {
            push(identity, "password", "the impersonated account's password");
        }
        for session in config_children(system_web, "sessionState").filter(|n| !is_external(*n)) {
            push(
                session,
                "sqlConnectionString",
                "the session state database's connection string",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;

    fn sections(text: &str) -> super::Sections {
        Model::build(&crate::document::parse(text).unwrap()).sections
    }

    #[test]
    fn every_level_is_read_but_not_what_is_encrypted() {
        let s = sections(
            "<configuration><connectionStrings><add name=\"a\" connectionString=\"x\"/></connectionStrings>\
             <location path=\"admin\"><connectionStrings><add name=\"b\" connectionString=\"y\"/></connectionStrings>\
             <appSettings><add key=\"k\" value=\"v\"/><clear/></appSettings></location>\
             <appSettings configProtectionProvider=\"RsaProtectedConfigurationProvider\"><add key=\"n\" value=\"o\"/></appSettings>\
             </configuration>",
        );
        assert_eq!(s.connection_strings.len(), 2);
        assert!(s.connection_strings.iter().all(|(_, built)| !built));
        assert_eq!(s.app_settings.len(), 2);
        assert_eq!(s.app_settings[1].item, super::Item::Clear);
    }

    #[test]
    fn application_settings_values_are_read_as_written() {
        let s = sections(
            "<configuration><applicationSettings><A.Properties.Settings>\
             <setting name=\"ApiKey\" serializeAs=\"String\"><value>k&amp;1</value></setting>\
             <setting name=\"Empty\" serializeAs=\"String\"><value /></setting>\
             </A.Properties.Settings></applicationSettings></configuration>",
        );
        assert_eq!(s.settings.len(), 2);
        assert_eq!(s.settings[0].name, "ApiKey");
        assert_eq!(s.settings[0].text, "k&amp;1");
        assert_eq!(s.settings[1].text, "");
    }

    #[test]
    fn custom_headers_of_the_own_level_are_one_collection() {
        let s = sections(
            "<configuration><system.webServer><httpProtocol><customHeaders><add name=\"a\" value=\"1\"/></customHeaders></httpProtocol></system.webServer>\
             <location path=\"api\"><system.webServer><httpProtocol><customHeaders><remove name=\"a\"/></customHeaders></httpProtocol></system.webServer></location>\
             <location path=\".\"><system.webServer><httpProtocol><customHeaders><clear/></customHeaders></httpProtocol></system.webServer></location>\
             </configuration>",
        );
        assert_eq!(s.custom_headers.len(), 2);
        assert_eq!(s.custom_headers[0].path, None);
        assert_eq!(s.custom_headers[0].items.len(), 2);
        assert_eq!(s.custom_headers[1].path.as_deref(), Some("api"));
    }

    #[test]
    fn service_behaviours_know_whether_a_service_uses_them() {
        let s = sections(
            "<configuration><system.serviceModel><behaviors><serviceBehaviors>\
             <behavior><serviceDebug includeExceptionDetailInFaults=\"true\"/></behavior>\
             <behavior name=\"used\"><serviceDebug/></behavior>\
             <behavior name=\"unused\"><serviceDebug/></behavior>\
             </serviceBehaviors></behaviors><services><service name=\"S\" behaviorConfiguration=\"used\"/></services>\
             </system.serviceModel></configuration>",
        );
        let used: Vec<bool> = s.service_debug.iter().map(|d| d.used).collect();
        assert_eq!(used, [true, true, false]);
    }
}
