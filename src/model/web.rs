//! `system.web`: authentication and forms, session state, machine key.
//!
//! Facts from `../shared/research/iis-semantics.md` §1–3 (.NET reference source and the ASP.NET
//! schema): defaults, units, and which values the runtime rejects.

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
    own_level.extend(config_children(root, "system.web"));
    for location in config_children(root, "location") {
        let path = location.attribute("path").map(str::trim);
        let system_webs: Vec<_> = config_children(location, "system.web").collect();
        match path {
            // `path="."` and `path=""` (or none) mean this level itself.
            None | Some("") | Some(".") => own_level.extend(system_webs),
            Some(path) if !system_webs.is_empty() => {
                locations.push((location, path.to_owned(), system_webs))
            }
            Some(_) => {}
        }
    }
    own_level.sort_by_key(|n| n.range().start);

    let first_system_web = root
        .descendants()
        .find(|n| crate::document::is_config_element(*n, "system.web"))
        .map(Element::from_node);
    let mut web = WebConfig {
        system_web: first_system_web,
        sets_application_sections: false,
        scopes: Vec::new(),
    };
    // The sections machine.config registers with allowDefinition="MachineToApplication": only an
    // application's root configuration may set them (httpRuntime is allowed everywhere).
    let application_sections = ["authentication", "sessionState", "machineKey"];
    web.sets_application_sections = own_level
        .iter()
        .chain(locations.iter().flat_map(|(_, _, s)| s.iter()))
        .any(|sw| {
            application_sections
                .iter()
                .any(|name| config_children(*sw, name).next().is_some())
        });

    if !own_level.is_empty() {
        web.scopes.push(read_scope(None, &own_level, reader));
    }
    for (location, path, system_webs) in &locations {
        // `<location path="Admin/Reports">` inherits what `<location path="Admin">` (and another
        // location for the same path) writes, not only the file's own level.
        let mut enclosing: Vec<_> = locations
            .iter()
            .filter(|(other, other_path, _)| other != location && is_within(path, other_path))
            .collect();
        enclosing.sort_by_key(|(other, other_path, _)| {
            (other_path.trim_matches('/').len(), other.range().start)
        });
        let chain: Vec<_> = own_level
            .iter()
            .copied()
            .chain(enclosing.iter().flat_map(|(_, _, s)| s.iter().copied()))
            .chain(system_webs.iter().copied())
            .collect();
        web.scopes
            .push(read_scope(Some((*location, path.clone())), &chain, reader));
    }
    web
}

/// Is the location path `path` the same as `outer` or below it? Paths compare case-insensitively,
/// segment by segment.
fn is_within(path: &str, outer: &str) -> bool {
    let (path, outer) = (path.trim_matches('/'), outer.trim_matches('/'));
    path.len() >= outer.len()
        && path.is_char_boundary(outer.len())
        && path[..outer.len()].eq_ignore_ascii_case(outer)
        && (path.len() == outer.len() || path.as_bytes()[outer.len()] == b'/')
}

fn read_scope(
    location: Option<(roxmltree::Node<'_, '_>, String)>,
    system_webs: &[roxmltree::Node<'_, '_>],
    reader: &mut Reader,
) -> WebScope {
    let sections = |name: &'static str| -> Vec<Element> {
        system_webs
            .iter()
            .flat_map(|sw| config_children(*sw, name))
            .map(Element::from_node)
            .collect()
    };
    let forms_elements: Vec<Element> = system_webs
        .iter()
        .flat_map(|sw| config_children(*sw, "authentication"))
        .flat_map(|auth| config_children(auth, "forms"))
        .map(Element::from_node)
        .collect();
    let auth_elements = sections("authentication");
    let session_elements = sections("sessionState");
    let key_elements = sections("machineKey");

    for (elements, known) in [
        (&auth_elements, AUTHENTICATION_ATTRIBUTES),
        (&forms_elements, FORMS_ATTRIBUTES),
        (&session_elements, SESSION_ATTRIBUTES),
        (&key_elements, MACHINE_KEY_ATTRIBUTES),
    ] {
        elements
            .iter()
            .for_each(|e| reader.check_name_case(e, known));
    }
    let auth_chain: Vec<&Element> = auth_elements.iter().collect();
    let forms_chain: Vec<&Element> = forms_elements.iter().collect();
    let session_chain: Vec<&Element> = session_elements.iter().collect();
    let key_chain: Vec<&Element> = key_elements.iter().collect();

    let authentication = Authentication {
        element: auth_elements.last().cloned(),
        external: auth_elements.last().is_some_and(is_external),
        mode: reader.read(&auth_chain, "mode", AuthMode::Windows, |raw| {
            parse_enum(raw, AUTH_MODES).map(|name| match name {
                "None" => AuthMode::None,
                "Passport" => AuthMode::Passport,
                "Forms" => AuthMode::Forms,
                _ => AuthMode::Windows,
            })
        }),
        forms: Forms {
            element: forms_elements.last().cloned(),
            timeout: reader.read(
                &forms_chain,
                "timeout",
                Minutes::Finite(DEFAULT_FORMS_TIMEOUT),
                |raw| parse_minutes(raw, false),
            ),
            sliding_expiration: reader.read(
                &forms_chain,
                "slidingExpiration",
                true,
                parse_net_bool,
            ),
            cookieless: reader.read(&forms_chain, "cookieless", "UseDeviceProfile", |raw| {
                parse_enum(raw, COOKIE_MODES)
            }),
        },
    };

    let mode = reader.read(&session_chain, "mode", SessionMode::InProc, |raw| {
        parse_enum(raw, SESSION_MODES).map(|name| match name {
            "Off" => SessionMode::Off,
            "StateServer" => SessionMode::StateServer,
            "SQLServer" => SessionMode::SqlServer,
            "Custom" => SessionMode::Custom,
            _ => SessionMode::InProc,
        })
    });
    let cache_based = matches!(
        mode.value(),
        Some(SessionMode::InProc | SessionMode::StateServer)
    );
    let providers_node = system_webs
        .iter()
        .flat_map(|sw| config_children(*sw, "sessionState"))
        .last()
        .and_then(|s| config_children(s, "providers").last());
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
            reader.read(&session_chain, "stateConnectionString", "loopback".to_owned(), parse_state_connection)
        } else {
            Setting::Default("loopback".to_owned())
        },
        timeout: reader.read(&session_chain, "timeout", Minutes::Finite(DEFAULT_SESSION_TIMEOUT), |raw| {
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
        cookieless: reader.read(&session_chain, "cookieless", "UseCookies", |raw| match raw {
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
        validation_key: reader.read(&key_chain, "validationKey", Key::AutoGenerate, parse_key),
        decryption_key: reader.read(&key_chain, "decryptionKey", Key::AutoGenerate, parse_key),
    };

    let (location, location_path) = match location {
        Some((node, path)) => (Some(Element::from_node(node)), Some(path)),
        None => (None, None),
    };
    WebScope {
        location,
        location_path,
        system_web: Element::from_node(*system_webs.last().expect("a scope has a system.web")),
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
        assert!(is_within("Admin/Reports/", "/admin") && !is_within("Admin", "Admin/Reports"));
    }
}
