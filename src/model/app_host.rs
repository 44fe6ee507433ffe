//! applicationHost.config: application pools, sites and their applications, ARR web farms.
//!
//! Facts from `../shared/research/iis-semantics.md` §5 (IIS schema `IIS_schema.xml`,
//! `arr_schema.xml`; IIS docs for `processModel`): `idleTimeout` is an IIS time span, default
//! `00:20:00`, range 0 to 30 days in whole minutes, `00:00:00` disables it; `maxProcesses` default 1;
//! pool `add` elements inherit from `applicationPoolDefaults`; ARR `affinity/@useCookie` default false.

use std::cell::OnceCell;
use std::collections::HashMap;

use super::values::{parse_iis_timespan, parse_net_bool, parse_uint};
use super::web::{SessionMode, WebConfig, WebScope};
use super::{Minutes, Reader, Setting};
use crate::document::{Element, config_children};

pub const DEFAULT_IDLE_TIMEOUT_SECONDS: u64 = 20 * 60;
/// IIS schema: `timeSpanRange 0,2592000,60` — up to 30 days, whole minutes.
pub const MAX_IDLE_TIMEOUT_SECONDS: u64 = 2_592_000;

#[derive(Debug, Clone, Default)]
pub struct AppHost {
    /// Whether the file has a `system.applicationHost/sites` section at all.
    pub has_sites: bool,
    pub pools: Vec<AppPool>,
    pub applications: Vec<Application>,
    pub farms: Vec<WebFarm>,
    /// Indexes into `applications` by pool name (ASCII-lowercased), built on first use: a rule
    /// that asks for every pool's applications would otherwise scan every application per pool.
    by_pool: OnceCell<HashMap<String, Vec<usize>>>,
}

#[derive(Debug, Clone)]
pub struct AppPool {
    pub name: String,
    /// The pool's `<add>` element.
    pub element: Element,
    /// The pool's own `processModel`, if written.
    pub process_model: Option<Element>,
    /// Seconds; `0` disables idle shutdown.
    pub idle_timeout: Setting<u64>,
    /// `idleTimeoutAction="Suspend"` (IIS 8.5+): an idle worker is suspended and paged out, not
    /// terminated, so its in-process state survives. Default `Terminate` (false).
    pub idle_suspends: Setting<bool>,
    pub max_processes: Setting<u32>,
}

#[derive(Debug, Clone)]
pub struct Application {
    pub site: String,
    pub path: String,
    pub pool: Option<String>,
    pub element: Element,
    /// The `physicalPath` of its root virtual directory (`<virtualDirectory path="/">`), as
    /// written (`%SystemDrive%\inetpub\wwwroot`).
    pub physical_path: Option<String>,
    /// Session state of the application where applicationHost.config itself sets it in a
    /// `<location>` for the site or application; `None` when the file does not say.
    pub session_mode: Option<SessionMode>,
    pub session_timeout: Option<Minutes>,
    /// The application runs ASP.NET: false when a `<location>` for it (or its site) clears the
    /// handlers and maps no managed handler (a PHP site through FastCGI, a static site).
    pub serves_aspnet: bool,
}

#[derive(Debug, Clone)]
pub struct WebFarm {
    pub name: String,
    pub element: Element,
    pub enabled: bool,
    /// Servers not disabled with `enabled="false"`.
    pub enabled_servers: usize,
    /// The farm's `applicationRequestRouting` element, if any.
    pub arr: Option<Element>,
    pub affinity: Option<Element>,
    pub use_cookie: Setting<bool>,
}

impl Application {
    /// `Site` for a site's root application, `Site/app` for another: how `[sites]` and
    /// `<location path>` name it.
    pub fn name(&self) -> String {
        let path = self.path.trim_matches('/');
        if path.is_empty() {
            self.site.clone()
        } else {
            format!("{}/{path}", self.site)
        }
    }
}

impl AppHost {
    /// The applications served by `pool`.
    pub fn applications_of<'a>(
        &'a self,
        pool: &'a str,
    ) -> impl Iterator<Item = &'a Application> + 'a {
        // Pool names are compared case-insensitively by IIS (collection keys are not case-sensitive).
        let by_pool = self.by_pool.get_or_init(|| {
            let mut by_pool: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, application) in self.applications.iter().enumerate() {
                if let Some(name) = &application.pool {
                    by_pool
                        .entry(name.to_ascii_lowercase())
                        .or_default()
                        .push(i);
                }
            }
            by_pool
        });
        by_pool
            .get(&pool.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .map(|&i| &self.applications[i])
    }
}

pub(super) fn read(root: roxmltree::Node<'_, '_>, web: &WebConfig, reader: &mut Reader) -> AppHost {
    let mut app_host = AppHost::default();
    let sections: Vec<_> = std::iter::once(root)
        .chain(config_children(root, "location"))
        .collect();
    // Built when the first `<sites>` needs it: most files have none.
    let mut locations = None;
    let mut without_managed_handlers = None;
    for section_parent in &sections {
        for system_app_host in config_children(*section_parent, "system.applicationHost") {
            for pools in config_children(system_app_host, "applicationPools") {
                read_pools(pools, reader, &mut app_host.pools);
            }
            for sites in config_children(system_app_host, "sites") {
                app_host.has_sites = true;
                let locations = locations.get_or_insert_with(|| LocationIndex::new(web));
                let unmanaged = without_managed_handlers
                    .get_or_insert_with(|| locations_without_managed_handlers(root));
                read_sites(sites, locations, unmanaged, &mut app_host.applications);
            }
        }
        for farms in config_children(*section_parent, "webFarms") {
            for farm in config_children(farms, "webFarm") {
                app_host.farms.push(read_farm(farm, reader));
            }
        }
    }
    app_host
}

fn read_pools(pools: roxmltree::Node<'_, '_>, reader: &mut Reader, out: &mut Vec<AppPool>) {
    let defaults_process_model: Option<Element> = config_children(pools, "applicationPoolDefaults")
        .flat_map(|d| config_children(d, "processModel"))
        .last()
        .map(Element::from_node);
    // Values in the defaults are checked even when no pool inherits them.
    if let Some(defaults) = &defaults_process_model {
        reader.read(&[defaults], "idleTimeout", 0, parse_idle_timeout);
        reader.read(&[defaults], "maxProcesses", 1, parse_uint);
        reader.read(&[defaults], "idleTimeoutAction", false, parse_idle_action);
    }
    for add in config_children(pools, "add") {
        let element = Element::from_node(add);
        let process_model = config_children(add, "processModel")
            .last()
            .map(Element::from_node);
        let chain: Vec<&Element> = defaults_process_model
            .iter()
            .chain(process_model.iter())
            .collect();
        out.push(AppPool {
            name: element
                .attr("name")
                .map(|a| a.value.to_string())
                .unwrap_or_default(),
            idle_timeout: reader.read(
                &chain,
                "idleTimeout",
                DEFAULT_IDLE_TIMEOUT_SECONDS,
                parse_idle_timeout,
            ),
            idle_suspends: reader.read(&chain, "idleTimeoutAction", false, parse_idle_action),
            max_processes: reader.read(&chain, "maxProcesses", 1, parse_uint),
            element,
            process_model,
        });
    }
}

/// `processModel/@idleTimeoutAction`: `Terminate` or `Suspend` (IIS schema enum; whether IIS
/// compares the names case-sensitively is unverified, so any case is accepted).
fn parse_idle_action(raw: &str) -> Result<bool, String> {
    match raw.trim() {
        t if t.eq_ignore_ascii_case("Terminate") => Ok(false),
        t if t.eq_ignore_ascii_case("Suspend") => Ok(true),
        _ => Err(format!("`{raw}` is not `Terminate` or `Suspend`")),
    }
}

/// `processModel/@idleTimeout`: an IIS time span from zero to 30 days in whole minutes.
fn parse_idle_timeout(raw: &str) -> Result<u64, String> {
    let seconds = parse_iis_timespan(raw)?;
    if seconds > MAX_IDLE_TIMEOUT_SECONDS {
        return Err(format!(
            "`{raw}` is longer than the largest idle time-out IIS accepts (30.00:00:00)"
        ));
    }
    if !seconds.is_multiple_of(60) {
        return Err(format!(
            "`{raw}`: IIS accepts the idle time-out only in whole minutes"
        ));
    }
    Ok(seconds)
}

fn default_pool<'a>(node: roxmltree::Node<'a, 'a>) -> Option<&'a str> {
    config_children(node, "applicationDefaults")
        .filter_map(|d| d.attribute("applicationPool"))
        .last()
}

/// The `system.web` scopes of the file's `<location>` elements by path (without leading and
/// trailing `/`, ASCII-lowercased: IIS compares location paths case-insensitively), so that each
/// application finds its own without going through all of them.
struct LocationIndex<'w> {
    web: &'w WebConfig,
    by_path: HashMap<String, Vec<usize>>,
}

impl<'w> LocationIndex<'w> {
    fn new(web: &'w WebConfig) -> LocationIndex<'w> {
        let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, scope) in web.scopes.iter().enumerate() {
            if let Some(path) = &scope.location_path {
                by_path
                    .entry(path.trim_matches('/').to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
        }
        LocationIndex { web, by_path }
    }

    /// The scopes of the locations for exactly `path` (in any letter case), in document order.
    fn at(&self, path: &str) -> impl Iterator<Item = &'w WebScope> + '_ {
        self.by_path
            .get(&path.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .map(|&i| &self.web.scopes[i])
    }
}

/// The paths (trimmed of `/`, lower-cased) of the `<location>` elements whose
/// `system.webServer/handlers` are cleared and map no managed handler (one with a `type`): the
/// site or application there does not run ASP.NET, so nothing of it lives in a worker's memory.
fn locations_without_managed_handlers(root: roxmltree::Node<'_, '_>) -> HashMap<String, bool> {
    let mut found = HashMap::new();
    for location in config_children(root, "location") {
        let handler_lists: Vec<_> = config_children(location, "system.webServer")
            .flat_map(|ws| config_children(ws, "handlers"))
            .collect();
        if handler_lists.is_empty() {
            continue;
        }
        // In document order: a `<clear/>` removes the managed handlers applicationHost.config
        // maps at its top level; an `<add type="...">` after it brings one back.
        let mut managed = true;
        for item in handler_lists
            .iter()
            .flat_map(|list| list.children().filter(|n| n.is_element()))
        {
            match item.tag_name().name() {
                "clear" => managed = false,
                "add" if item.attribute("type").is_some_and(|t| !t.trim().is_empty()) => {
                    managed = true
                }
                _ => {}
            }
        }
        let path = location.attribute("path").unwrap_or_default();
        found.insert(path.trim_matches('/').to_ascii_lowercase(), !managed);
    }
    found
}

fn read_sites(
    sites: roxmltree::Node<'_, '_>,
    locations: &LocationIndex<'_>,
    without_managed_handlers: &HashMap<String, bool>,
    out: &mut Vec<Application>,
) {
    let all_sites_pool = default_pool(sites);
    for site in config_children(sites, "site") {
        let site_name = site.attribute("name").unwrap_or_default();
        let site_pool = default_pool(site).or(all_sites_pool);
        for application in config_children(site, "application") {
            let path = application.attribute("path").unwrap_or("/").to_owned();
            let pool = application
                .attribute("applicationPool")
                .or(site_pool)
                .map(str::to_owned);
            let (session_mode, session_timeout) =
                session_from_locations(locations, site_name, &path);
            // The application's own location decides, else its site's.
            let full = format!("{site_name}/{}", path.trim_matches('/'));
            let unmanaged = [full.trim_matches('/'), site_name]
                .iter()
                .find_map(|p| without_managed_handlers.get(&p.to_ascii_lowercase()))
                .copied()
                .unwrap_or(false);
            let physical_path = config_children(application, "virtualDirectory")
                .find(|v| v.attribute("path").map(str::trim) == Some("/"))
                .and_then(|v| v.attribute("physicalPath"))
                .map(str::to_owned);
            out.push(Application {
                site: site_name.to_owned(),
                path,
                pool,
                element: Element::from_node(application),
                physical_path,
                session_mode,
                session_timeout,
                serves_aspnet: !unmanaged,
            });
        }
    }
}

/// Session settings that a `<location path="Site/app">` (or the site's own) in this file writes.
fn session_from_locations(
    locations: &LocationIndex<'_>,
    site: &str,
    app_path: &str,
) -> (Option<SessionMode>, Option<Minutes>) {
    let full = format!("{site}{}", app_path.trim_end_matches('/'));
    // `<location path="Site/app">` inherits every attribute it does not write from
    // `<location path="Site">`: each setting comes from the most specific location that writes it.
    let mut scopes: Vec<&WebScope> = locations.at(&full).collect();
    if !full.eq_ignore_ascii_case(site) {
        scopes.extend(locations.at(site));
        scopes.sort_by_key(|s| s.location.as_ref().map(|l| l.range.start));
    }
    scopes.sort_by_key(|s| std::cmp::Reverse(s.location_path.as_ref().map_or(0, String::len)));
    // `<location path="Site" inheritInChildApplications="false">` applies to the site's root
    // application only, not to the applications below it.
    let blocked: Vec<std::ops::Range<usize>> = if app_path.trim_matches('/').is_empty() {
        Vec::new()
    } else {
        locations
            .at(site)
            .filter_map(|s| s.location.as_ref())
            .filter(|l| {
                l.attr("inheritInChildApplications")
                    .is_some_and(|a| a.value.trim().eq_ignore_ascii_case("false"))
            })
            .map(|l| l.range.clone())
            .collect()
    };
    fn written<T: Copy>(setting: &Setting<T>, blocked: &[std::ops::Range<usize>]) -> Option<T> {
        match setting {
            Setting::Explicit(value, attr)
                if !blocked.iter().any(|r| r.contains(&attr.range.start)) =>
            {
                Some(*value)
            }
            _ => None,
        }
    }
    (
        scopes
            .iter()
            .find_map(|s| written(&s.session.mode, &blocked)),
        scopes
            .iter()
            .find_map(|s| written(&s.session.timeout, &blocked)),
    )
}

fn read_farm(farm: roxmltree::Node<'_, '_>, reader: &mut Reader) -> WebFarm {
    let element = Element::from_node(farm);
    // `enabled` defaults to true on farms and servers (ARR schema); an invalid value is reported
    // and, like IIS's default, counted as enabled.
    let mut is_enabled = |node: roxmltree::Node<'_, '_>| {
        let element = Element::from_node(node);
        reader
            .read(&[&element], "enabled", true, parse_net_bool)
            .value()
            .copied()
            .unwrap_or(true)
    };
    let enabled = is_enabled(farm);
    let enabled_servers = config_children(farm, "server")
        .filter(|s| is_enabled(*s))
        .count();
    let arr_node = config_children(farm, "applicationRequestRouting").last();
    let affinity_node = arr_node.and_then(|arr| config_children(arr, "affinity").last());
    let affinity = affinity_node.map(Element::from_node);
    let chain: Vec<&Element> = affinity.iter().collect();
    WebFarm {
        name: element
            .attr("name")
            .map(|a| a.value.to_string())
            .unwrap_or_default(),
        enabled,
        enabled_servers,
        use_cookie: reader.read(&chain, "useCookie", false, parse_net_bool),
        arr: arr_node.map(Element::from_node),
        affinity,
        element,
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Minutes, Model, web::SessionMode};

    #[test]
    fn an_application_location_inherits_what_the_site_location_writes() {
        let text = "<configuration><system.applicationHost><sites><site name=\"Shop\" id=\"2\">\
             <application path=\"/\" applicationPool=\"A\"/><application path=\"/pay\" applicationPool=\"A\"/>\
             </site></sites></system.applicationHost>\
             <location path=\"Shop\"><system.web><sessionState mode=\"SQLServer\"/></system.web></location>\
             <location path=\"Shop/pay\"><system.web><sessionState timeout=\"60\"/></system.web></location>\
             </configuration>";
        let model = Model::build(&crate::document::parse(text).unwrap());
        let pay = &model.app_host.applications[1];
        assert_eq!(pay.session_mode, Some(SessionMode::SqlServer));
        assert_eq!(pay.session_timeout, Some(Minutes::Finite(60)));
        let root = &model.app_host.applications[0];
        assert_eq!(root.session_mode, Some(SessionMode::SqlServer));
        assert_eq!(root.session_timeout, None);
    }

    #[test]
    fn applications_of_a_pool_match_its_name_in_any_case_in_document_order() {
        let text = "<configuration><system.applicationHost><sites>\
             <site name=\"One\" id=\"1\"><application path=\"/\" applicationPool=\"Shared\"/></site>\
             <site name=\"Two\" id=\"2\"><application path=\"/\" applicationPool=\"Other\"/>\
             <application path=\"/b\" applicationPool=\"SHARED\"/></site>\
             </sites></system.applicationHost></configuration>";
        let model = Model::build(&crate::document::parse(text).unwrap());
        let shared: Vec<_> = model
            .app_host
            .applications_of("shared")
            .map(|a| (a.site.as_str(), a.path.as_str()))
            .collect();
        assert_eq!(shared, [("One", "/"), ("Two", "/b")]);
        assert_eq!(model.app_host.applications_of("none").count(), 0);
    }
}
