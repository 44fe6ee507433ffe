//! `system.web`: authentication and forms, session state, machine key.
//!
//! Facts from `../shared/research/iis-semantics.md` §1–3 (.NET reference source and the ASP.NET
//! schema): defaults, units, and which values the runtime rejects.

use super::chain::{Decisive, SectionSpec, location_chains};
use super::values::{Minutes, parse_enum, parse_minutes, parse_net_bool, quoted_list};
use super::{Reader, Setting};
use crate::document::{Element, config_children};

/// `authentication/@mode` names the runtime accepts (`Federated` exists only in the IIS schema copy;
/// the runtime enum rejects it).
const AUTH_MODES: &[&str] = &["None", "Windows", "Passport", "Forms"];
const SESSION_MODES: &[&str] = &["Off", "InProc", "StateServer", "SQLServer", "Custom"];
const COOKIE_MODES: &[&str] = &["UseUri", "UseCookies", "AutoDetect", "UseDeviceProfile"];

// The attributes of each section (iis-semantics.md §1–3), for catching a wrongly cased name.
const AUTHENTICATION_ATTRIBUTES: &[&str] = &["mode"];
const FORMS_ATTRIBUTES: &[&str] = &[
    "timeout",
    "slidingExpiration",
    "cookieless",
    "requireSSL",
    "protection",
    "name",
    "path",
    "domain",
    "loginUrl",
    "defaultUrl",
    "ticketCompatibilityMode",
    "enableCrossAppRedirects",
    "cookieSameSite",
];
const SESSION_ATTRIBUTES: &[&str] = &[
    "mode",
    "timeout",
    "cookieless",
    "cookieName",
    "regenerateExpiredSessionId",
    "stateConnectionString",
    "stateNetworkTimeout",
    "sqlConnectionString",
    "sqlCommandTimeout",
    "sqlConnectionRetryInterval",
    "allowCustomSqlDatabase",
    "customProvider",
    "compressionEnabled",
    "useHostingIdentity",
    "partitionResolverType",
    "sessionIDManagerType",
    "cookieSameSite",
];
const MACHINE_KEY_ATTRIBUTES: &[&str] = &[
    "validationKey",
    "decryptionKey",
    "validation",
    "decryption",
    "compatibilityMode",
    "dataProtectorType",
    "applicationName",
];

/// Minutes in a year: InProc and StateServer sessions live in the cache, which rejects longer
/// time-outs (`SessionStateSection.Validate`, `MAX_CACHE_BASED_TIMEOUT_MINUTES`).
pub const MAX_CACHE_BASED_TIMEOUT_MINUTES: i64 = 365 * 24 * 60;

pub const DEFAULT_FORMS_TIMEOUT: i64 = 30;
pub const DEFAULT_SESSION_TIMEOUT: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    None,
    Windows,
    Passport,
    Forms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionMode {
    Off,
    InProc,
    StateServer,
    SqlServer,
    Custom,
}

impl SessionMode {
    pub fn name(self) -> &'static str {
        match self {
            SessionMode::Off => "Off",
            SessionMode::InProc => "InProc",
            SessionMode::StateServer => "StateServer",
            SessionMode::SqlServer => "SQLServer",
            SessionMode::Custom => "Custom",
        }
    }
}

/// A `machineKey` key: generated per machine, or written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    AutoGenerate,
    Explicit,
}

/// The `system.web` settings of a file, per scope.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// The first `system.web` element anywhere in the file; `None` means the file is not a classic
    /// ASP.NET configuration (an ASP.NET Core hosting file, a static site).
    pub system_web: Option<Element>,
    /// Whether the file sets a section that only an application's root may set
    /// (`allowDefinition="MachineToApplication"` in machine.config): authentication, sessionState,
    /// machineKey.
    pub sets_application_sections: bool,
    /// The file's own level first (root and `<location path=".">`), then one scope per other
    /// `<location>` holding `system.web`.
    pub scopes: Vec<WebScope>,
}

/// The effective `system.web` settings at one path.
#[derive(Debug, Clone)]
pub struct WebScope {
    /// The `<location>` element, for scopes other than the file's own level.
    pub location: Option<Element>,
    pub location_path: Option<String>,
    /// The innermost `system.web` of this scope: where an absent section is reported.
    pub system_web: Element,
    pub authentication: Authentication,
    pub session: SessionState,
    pub machine_key: MachineKey,
}

#[derive(Debug, Clone)]
pub struct Authentication {
    pub element: Option<Element>,
    /// The section's content is in another file or encrypted: its settings are unknown here.
    pub external: bool,
    pub mode: Setting<AuthMode>,
    pub forms: Forms,
}

#[derive(Debug, Clone)]
pub struct Forms {
    pub element: Option<Element>,
    /// Integer minutes, default 30; `Infinite` is not accepted here.
    pub timeout: Setting<Minutes>,
    pub sliding_expiration: Setting<bool>,
    pub cookieless: Setting<&'static str>,
}

#[derive(Debug, Clone)]
pub struct SessionState {
    pub element: Option<Element>,
    /// The `providers` collection of the innermost `sessionState`, and the providers it adds
    /// (name, type).
    pub providers: Option<Element>,
    pub provider_names: Vec<(String, String)>,
    /// The section's content is in another file or encrypted: its settings are unknown here.
    pub external: bool,
    pub mode: Setting<SessionMode>,
    /// Integer minutes or `Infinite`, default 20.
    pub timeout: Setting<Minutes>,
    pub cookieless: Setting<&'static str>,
    /// The host of `stateConnectionString` (`tcpip=<host>:<port>`), read only in StateServer
    /// mode: ASP.NET parses it only then. Default `tcpip=loopback:42424`.
    pub state_server_host: Setting<String>,
}

#[derive(Debug, Clone)]
pub struct MachineKey {
    pub element: Option<Element>,
    /// The section's content is in another file or encrypted (farms often encrypt machineKey):
    /// its keys are unknown here.
    pub external: bool,
    pub validation_key: Setting<Key>,
    pub decryption_key: Setting<Key>,
}

impl Authentication {
    pub fn is_forms(&self) -> bool {
        self.mode.value() == Some(&AuthMode::Forms)
    }
}

impl SessionState {
    /// The longest time-out this mode accepts: InProc and StateServer keep sessions in the cache,
    /// which refuses more than a year (`SessionStateSection.Validate`).
    pub fn max_timeout_minutes(&self) -> i64 {
        match self.mode.value() {
            Some(SessionMode::InProc | SessionMode::StateServer) => MAX_CACHE_BASED_TIMEOUT_MINUTES,
            _ => i64::MAX,
        }
    }

    /// Session state is on (mode valid and not `Off`).
    pub fn is_enabled(&self) -> bool {
        matches!(self.mode.value(), Some(mode) if *mode != SessionMode::Off)
    }
}

pub(super) fn read(root: roxmltree::Node<'_, '_>, reader: &mut Reader) -> WebConfig {
    let mut own_level = Vec::new();
    let mut locations = Vec::new();
    // What parent folders give the file (see `resolve`): read first, so the file's own win, and
    // never taken for the file's own settings.
    let mut inherited = Vec::new();
    own_level.extend(config_children(root, "system.web"));
    for location in config_children(root, "location") {
        let path = location.attribute("path");
        let system_webs: Vec<_> = config_children(location, "system.web").collect();
        match path.map(str::trim) {
            _ if location.attribute(crate::resolve::INHERITED_MARKER)
                == Some(crate::resolve::inherited_marker_value()) =>
            {
                inherited.extend(system_webs)
            }
            _ if super::is_own_level_path(path) => own_level.extend(system_webs),
            Some(path) if !system_webs.is_empty() => {
                locations.push((location, path.to_owned(), system_webs))
            }
            _ => {}
        }
    }
    own_level.sort_by_key(|n| n.range().start);

    let first_system_web = own_level
        .first()
        .or(inherited.first())
        .or(locations.first().and_then(|(_, _, s)| s.first()))
        .map(|n| Element::from_node(*n));
    let mut web = WebConfig {
        system_web: first_system_web,
        sets_application_sections: false,
        scopes: Vec::new(),
    };
    // The sections machine.config registers with allowDefinition="MachineToApplication": only an
    // application's root configuration may set them (httpRuntime is allowed everywhere).
    let application_sections = ["authentication", "sessionState", "machineKey"];
    let every_system_web = || {
        own_level
            .iter()
            .chain(locations.iter().flat_map(|(_, _, s)| s.iter()))
    };
    web.sets_application_sections = every_system_web().any(|sw| {
        application_sections
            .iter()
            .any(|name| config_children(*sw, name).next().is_some())
    });
    let inherited_and_own: Vec<_> = inherited.iter().chain(&own_level).copied().collect();
    let own = Decisive::of(&SECTIONS, &inherited_and_own, Some(&mut *reader));
    if let Some(&innermost) = inherited_and_own.last() {
        web.scopes.push(read_scope(None, &own, innermost, reader));
    }
    let chains = location_chains(&own, &locations, Some(&mut *reader));
    for ((location, path, system_webs), chain) in locations.iter().zip(&chains) {
        let innermost = *system_webs
            .last()
            .expect("a location scope has a system.web");
        web.scopes.push(read_scope(
            Some((*location, path.clone())),
            chain,
            innermost,
            reader,
        ));
    }
    web
}

// Indexes into SECTIONS.
const AUTHENTICATION: usize = 0;
const FORMS: usize = 1;
const SESSION_STATE: usize = 2;
const MACHINE_KEY: usize = 3;

/// The sections a scope reads, below `system.web`.
static SECTIONS: [SectionSpec; 4] = [
    SectionSpec {
        container: "system.web",
        path: &["authentication"],
        known: AUTHENTICATION_ATTRIBUTES,
        collect: None,
    },
    SectionSpec {
        container: "system.web",
        path: &["authentication", "forms"],
        known: FORMS_ATTRIBUTES,
        collect: None,
    },
    SectionSpec {
        container: "system.web",
        path: &["sessionState"],
        known: SESSION_ATTRIBUTES,
        collect: None,
    },
    SectionSpec {
        container: "system.web",
        path: &["machineKey"],
        known: MACHINE_KEY_ATTRIBUTES,
        collect: None,
    },
];

/// `name`, a known attribute of the section: [`Decisive`] keeps, per section, the elements that
/// decide its known attributes only, so a setting read under another name could be wrong.
fn known(section: usize, name: &'static str) -> &'static str {
    debug_assert!(
        SECTIONS[section].known.contains(&name),
        "`{name}` is read but not in the section's known attributes"
    );
    name
}

fn read_scope(
    location: Option<(roxmltree::Node<'_, '_>, String)>,
    chain: &Decisive<'_, '_>,
    innermost_system_web: roxmltree::Node<'_, '_>,
    reader: &mut Reader,
) -> WebScope {
    let auth_elements = chain.elements(AUTHENTICATION);
    let forms_elements = chain.elements(FORMS);
    let session_elements = chain.elements(SESSION_STATE);
    let key_elements = chain.elements(MACHINE_KEY);
    let auth_chain: Vec<&Element> = auth_elements.iter().collect();
    let forms_chain: Vec<&Element> = forms_elements.iter().collect();
    let session_chain: Vec<&Element> = session_elements.iter().collect();
    let key_chain: Vec<&Element> = key_elements.iter().collect();

    let authentication = Authentication {
        element: auth_elements.last().cloned(),
        external: auth_elements.last().is_some_and(is_external),
        mode: reader.read(
            &auth_chain,
            known(AUTHENTICATION, "mode"),
            AuthMode::Windows,
            |raw| {
                parse_enum(raw, AUTH_MODES).map(|name| match name {
                    "None" => AuthMode::None,
                    "Passport" => AuthMode::Passport,
                    "Forms" => AuthMode::Forms,
                    _ => AuthMode::Windows,
                })
            },
        ),
        forms: Forms {
            element: forms_elements.last().cloned(),
            timeout: reader.read(
                &forms_chain,
                known(FORMS, "timeout"),
                Minutes::Finite(DEFAULT_FORMS_TIMEOUT),
                |raw| parse_minutes(raw, false),
            ),
            sliding_expiration: reader.read(
                &forms_chain,
                known(FORMS, "slidingExpiration"),
                true,
                parse_net_bool,
            ),
            cookieless: reader.read(
                &forms_chain,
                known(FORMS, "cookieless"),
                "UseDeviceProfile",
                |raw| parse_enum(raw, COOKIE_MODES),
            ),
        },
    };

    let mode = reader.read(
        &session_chain,
        known(SESSION_STATE, "mode"),
        SessionMode::InProc,
        |raw| {
            parse_enum(raw, SESSION_MODES).map(|name| match name {
                "Off" => SessionMode::Off,
                "StateServer" => SessionMode::StateServer,
                "SQLServer" => SessionMode::SqlServer,
                "Custom" => SessionMode::Custom,
                _ => SessionMode::InProc,
            })
        },
    );
    let cache_based = matches!(
        mode.value(),
        Some(SessionMode::InProc | SessionMode::StateServer)
    );
    let providers_node = chain
        .nodes(SESSION_STATE)
        .iter()
        .rev()
        .find(|(_, mask)| mask & super::chain::STAND_IN == 0)
        .and_then(|(s, _)| config_children(*s, "providers").last());
    let session = SessionState {
        element: session_elements.last().cloned(),
        providers: providers_node.map(Element::from_node),
        provider_names: providers_node
            .into_iter()
            .flat_map(|p| config_children(p, "add"))
            .filter_map(|add| {
                let name = add.attribute("name")?.to_owned();
                Some((name, add.attribute("type").unwrap_or_default().to_owned()))
            })
            .collect(),
        external: session_elements.last().is_some_and(is_external),
        state_server_host: if mode.value() == Some(&SessionMode::StateServer) {
            reader.read(&session_chain, known(SESSION_STATE, "stateConnectionString"), "loopback".to_owned(), parse_state_connection)
        } else {
            Setting::Default("loopback".to_owned())
        },
        timeout: reader.read(&session_chain, known(SESSION_STATE, "timeout"), Minutes::Finite(DEFAULT_SESSION_TIMEOUT), |raw| {
            let minutes = parse_minutes(raw, true)?;
            let too_long = minutes.finite().is_none_or(|m| m > MAX_CACHE_BASED_TIMEOUT_MINUTES);
            if cache_based && too_long {
                return Err(format!(
                    "`{raw}`: for InProc and StateServer modes the session time-out cannot be larger than one year ({MAX_CACHE_BASED_TIMEOUT_MINUTES} minutes)"
                ));
            }
            Ok(minutes)
        }),
        mode,
        // Only lowercase `true`/`false` are special-cased before the enum names (ConvertToCookieMode).
        cookieless: reader.read(&session_chain, known(SESSION_STATE, "cookieless"), "UseCookies", |raw| match raw {
            "true" => Ok("UseUri"),
            "false" => Ok("UseCookies"),
            _ => parse_enum(raw, COOKIE_MODES).map_err(|_| {
                format!("`{raw}` is not `true`, `false` or one of {}", quoted_list(COOKIE_MODES))
            }),
        }),
    };

    let machine_key = MachineKey {
        element: key_elements.last().cloned(),
        external: key_elements.last().is_some_and(is_external),
        validation_key: reader.read(
            &key_chain,
            known(MACHINE_KEY, "validationKey"),
            Key::AutoGenerate,
            parse_key,
        ),
        decryption_key: reader.read(
            &key_chain,
            known(MACHINE_KEY, "decryptionKey"),
            Key::AutoGenerate,
            parse_key,
        ),
    };

    let (location, location_path) = match location {
        Some((node, path)) => (Some(Element::from_node(node)), Some(path)),
        None => (None, None),
    };
    WebScope {
        location,
        location_path,
        system_web: Element::from_node(innermost_system_web),
        authentication,
        session,
        machine_key,
    }
}

/// `tcpip=<host>:<port>` or `tcpip=[<IPv6 address>]:<port>`, as
/// `OutOfProcSessionStateStore.ParseStateConnectionString` reads it (prefix compared ordinally,
/// port a 16-bit number). Returns the host.
fn parse_state_connection(raw: &str) -> Result<String, String> {
    let bad = || format!("`{raw}` is not `tcpip=<host>:<port>` (the prefix is case-sensitive)");
    let rest = raw.strip_prefix("tcpip=").ok_or_else(bad)?;
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => v6.split_once("]:").ok_or_else(bad)?,
        None => match rest.split(':').collect::<Vec<_>>().as_slice() {
            [host, port] => (*host, *port),
            _ => return Err(bad()),
        },
    };
    port.trim().parse::<u16>().map_err(|_| bad())?;
    Ok(host.to_owned())
}

/// Whether a state server host name is this machine itself.
pub fn is_local_host(host: &str) -> bool {
    let host = host.trim();
    ["loopback", "localhost", "::1", "0:0:0:0:0:0:0:1"]
        .iter()
        .any(|l| host.eq_ignore_ascii_case(l))
        || host.starts_with("127.")
}

/// A section whose content is in a `configSource` file or encrypted with a protected-configuration
/// provider (iis-semantics.md §6): what this file says about it is not what the runtime reads.
fn is_external(element: &Element) -> bool {
    element.attr("configSource").is_some() || element.attr("configProtectionProvider").is_some()
}

/// `AutoGenerate` with optional `,IsolateApps` / `,IsolateByAppId`, or hexadecimal key bytes
/// (MachineKeySection: an odd length or a non-hex digit is a configuration error). Hex keys with
/// `,IsolateApps` are accepted: legacy compatibility modes allow them (only Framework45 mode
/// rejects them, and the mode depends on settings outside this element).
fn parse_key(raw: &str) -> Result<Key, String> {
    let key = raw.trim();
    let key = match key.split_once(',') {
        Some((hex, options))
            if !hex.starts_with("AutoGenerate")
                && options
                    .split(',')
                    .all(|o| o == "IsolateApps" || o == "IsolateByAppId") =>
        {
            hex
        }
        _ => key,
    };
    if let Some(options) = key.strip_prefix("AutoGenerate") {
        if options
            .split(',')
            .skip(1)
            .all(|o| o == "IsolateApps" || o == "IsolateByAppId")
            && (options.is_empty() || options.starts_with(','))
        {
            return Ok(Key::AutoGenerate);
        }
        return Err(format!(
            "`{raw}` is not `AutoGenerate` with the options `,IsolateApps` or `,IsolateByAppId`"
        ));
    }
    if key.is_empty() {
        return Err("an empty key; write hexadecimal key bytes or `AutoGenerate`".to_owned());
    }
    if !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the key has characters that are not hexadecimal digits".to_owned());
    }
    if !key.len().is_multiple_of(2) {
        return Err(format!(
            "the key has an odd number of hexadecimal digits ({})",
            key.len()
        ));
    }
    Ok(Key::Explicit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    #[test]
    fn a_location_a_file_marks_as_inherited_is_still_its_own() {
        let text = "<configuration><location path=\".\" iislint-inherited=\"true\"><system.web><sessionState mode=\"Off\"/></system.web></location></configuration>";
        let model = Model::build(&crate::document::parse(text).unwrap());
        assert!(model.web.sets_application_sections);
        assert!(!model.web.scopes[0].session.is_enabled());
    }

    #[test]
    fn a_location_inherits_from_enclosing_locations() {
        let text = "<configuration>\
             <location path=\"admin\"><system.web><sessionState mode=\"SQLServer\"/></system.web></location>\
             <location path=\"Admin/Reports\"><system.web><sessionState timeout=\"Infinite\"/></system.web></location>\
             <location path=\"Administration\"><system.web><sessionState timeout=\"30\"/></system.web></location>\
             </configuration>";
        let model = Model::build(&crate::document::parse(text).unwrap());
        assert!(model.invalid.is_empty(), "{:?}", model.invalid);
        let reports = &model.web.scopes[1];
        assert_eq!(reports.session.mode.value(), Some(&SessionMode::SqlServer));
        assert_eq!(reports.session.timeout.value(), Some(&Minutes::Infinite));
        // `Administration` is not below `admin`.
        let other = &model.web.scopes[2];
        assert_eq!(other.session.mode.value(), Some(&SessionMode::InProc));
    }

    #[test]
    fn a_location_inherits_from_its_enclosing_paths_and_its_same_path_siblings() {
        let text = "<configuration>\
             <system.web><sessionState mode=\"StateServer\" timeout=\"11\" cookieless=\"UseUri\"/></system.web>\
             <location path=\"/Admin/Reports/\"><system.web><sessionState timeout=\"33\"/></system.web></location>\
             <location path=\"admin\"><system.web><sessionState mode=\"SQLServer\" timeout=\"22\"/></system.web></location>\
             <location path=\"ADMIN/reports\"><system.web><sessionState cookieless=\"UseCookies\"/></system.web></location>\
             <location path=\"Admin/Reports\"><system.web><sessionState mode=\"Off\"/></system.web></location>\
             <location path=\"Admin/Reports/Old\"><system.web><machineKey validationKey=\"zz\"/></system.web></location>\
             <location path=\"Admin\"><system.web><sessionState timeout=\"44\"/></system.web></location>\
             </configuration>";
        let model = Model::build(&crate::document::parse(text).unwrap());
        let scope = |path: &str, nth: usize| {
            model
                .web
                .scopes
                .iter()
                .filter(|s| s.location_path.as_deref() == Some(path))
                .nth(nth)
                .unwrap()
        };
        let session = |path: &str, nth: usize| {
            let s = &scope(path, nth).session;
            (
                s.mode.value().copied(),
                s.timeout.value().copied(),
                s.cookieless.value().copied(),
            )
        };
        // `admin` takes the timeout of the later `Admin`; `Admin` keeps its own.
        assert_eq!(
            session("admin", 0),
            (
                Some(SessionMode::SqlServer),
                Some(Minutes::Finite(22)),
                Some("UseUri")
            )
        );
        assert_eq!(
            session("Admin", 0),
            (
                Some(SessionMode::SqlServer),
                Some(Minutes::Finite(44)),
                Some("UseUri")
            )
        );
        // Each of the three `Admin/Reports` reads its own first, then its siblings (the last in
        // document order first), then `Admin`, then the file.
        assert_eq!(
            session("/Admin/Reports/", 0),
            (
                Some(SessionMode::Off),
                Some(Minutes::Finite(33)),
                Some("UseCookies")
            )
        );
        assert_eq!(
            session("ADMIN/reports", 0),
            (
                Some(SessionMode::Off),
                Some(Minutes::Finite(33)),
                Some("UseCookies")
            )
        );
        assert_eq!(
            session("Admin/Reports", 0),
            (
                Some(SessionMode::Off),
                Some(Minutes::Finite(33)),
                Some("UseCookies")
            )
        );
        let old = scope("Admin/Reports/Old", 0);
        assert_eq!(old.session.mode.value(), Some(&SessionMode::Off));
        assert!(old.machine_key.validation_key.attr().is_some());
        // The invalid key is reported once, however many scopes read it.
        assert_eq!(model.invalid.len(), 1, "{:?}", model.invalid);
    }
}
