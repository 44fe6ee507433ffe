//! The rule registry: one line per rule. A rule is a `META` constant next to a `check` function in
//! its own file, its doc in `rules/<name>.md`, its cases in `fixtures/<name>/`.

mod app_pool_idle_timeout_drops_sessions;
mod config_source_invalid;
mod farm_without_session_affinity;
mod forms_sliding_expiration_disabled;
mod forms_timeout_too_low;
mod inproc_session_on_farm;
pub(crate) mod invalid_transform;
mod invalid_value;
mod machine_key_missing_on_farm;
mod session_expires_before_forms_auth;
mod session_timeout_too_low;
mod state_server_local_on_farm;
pub(crate) mod transform_matches_nothing;
pub(crate) mod transform_namespace_wrong;
pub(crate) mod unused_suppression;
mod web_garden_inproc_session;

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::document::Element;
use crate::fix_settings::FixSettings;
pub use crate::meta::{FixAvailability, Group, RuleMeta, RuleOption, Severity};
use crate::model::{FileKind, Model, WebScope};

#[derive(Debug)]
pub struct Rule {
    pub meta: &'static RuleMeta,
    pub check: fn(&Context<'_>, &mut Vec<Diagnostic>),
}

/// Every rule, sorted by code.
pub static RULES: &[Rule] = &[
    Rule {
        meta: &forms_timeout_too_low::META,
        check: forms_timeout_too_low::check,
    },
    Rule {
        meta: &session_timeout_too_low::META,
        check: session_timeout_too_low::check,
    },
    Rule {
        meta: &session_expires_before_forms_auth::META,
        check: session_expires_before_forms_auth::check,
    },
    Rule {
        meta: &forms_sliding_expiration_disabled::META,
        check: forms_sliding_expiration_disabled::check,
    },
    Rule {
        meta: &inproc_session_on_farm::META,
        check: inproc_session_on_farm::check,
    },
    Rule {
        meta: &machine_key_missing_on_farm::META,
        check: machine_key_missing_on_farm::check,
    },
    Rule {
        meta: &app_pool_idle_timeout_drops_sessions::META,
        check: app_pool_idle_timeout_drops_sessions::check,
    },
    Rule {
        meta: &web_garden_inproc_session::META,
        check: web_garden_inproc_session::check,
    },
    Rule {
        meta: &farm_without_session_affinity::META,
        check: farm_without_session_affinity::check,
    },
    Rule {
        meta: &state_server_local_on_farm::META,
        check: state_server_local_on_farm::check,
    },
    Rule {
        meta: &invalid_value::META,
        check: invalid_value::check,
    },
    Rule {
        meta: &config_source_invalid::META,
        check: config_source_invalid::check,
    },
    // The three transform rules report XDT's own messages after the view is linted
    // (`lint::transform_findings`): their `check` does nothing.
    Rule {
        meta: &invalid_transform::META,
        check: invalid_transform::check,
    },
    Rule {
        meta: &transform_matches_nothing::META,
        check: transform_matches_nothing::check,
    },
    Rule {
        meta: &transform_namespace_wrong::META,
        check: transform_namespace_wrong::check,
    },
    Rule {
        meta: &unused_suppression::META,
        check: unused_suppression::check,
    },
];

// Which rules run on a file, at which level: the configuration, `--select`/`--ignore` and
// `per-file-ignores` together.
/// The rules that run on one file, each with its severity.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<(&'static Rule, Severity)>,
}

impl RuleSet {
    /// Rules enabled by the configuration's `levels` (`None`: turned off), narrowed by
    /// `--select` and `--ignore` and the file's `per-file-ignores`.
    pub fn new(
        levels: &BTreeMap<&'static str, Option<Severity>>,
        select: &[&'static str],
        ignore: &[&'static str],
        per_file: &[&'static str],
    ) -> RuleSet {
        let rules = RULES
            .iter()
            .filter_map(|rule| {
                let name = rule.meta.name;
                let level = match levels.get(name) {
                    Some(level) => *level,
                    None => Some(rule.meta.default_severity),
                };
                // `--select` turns a rule on even when the configuration turned it off.
                let level = if select.contains(&name) {
                    level.or(Some(rule.meta.default_severity))
                } else {
                    level
                };
                let selected = select.is_empty() || select.contains(&name);
                let ignored = ignore.contains(&name) || per_file.contains(&name);
                level
                    .filter(|_| selected && !ignored)
                    .map(|severity| (rule, severity))
            })
            .collect();
        RuleSet { rules }
    }

    pub fn all() -> RuleSet {
        RuleSet {
            rules: RULES.iter().map(|r| (r, r.meta.default_severity)).collect(),
        }
    }
}

pub fn find(name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.meta.name == name || r.meta.code.eq_ignore_ascii_case(name))
}

/// What a rule sees of one file.
pub struct Context<'a> {
    pub text: &'a str,
    /// How `text` writes XML, for the fixes (worked out once, when first needed).
    pub style: crate::edits::Style<'a>,
    pub model: &'a Model,
    pub kind: FileKind,
    /// The user declared a web farm (`--farm` or `farm = true`).
    pub farm: bool,
    /// This web.config is an application's root configuration (see `discover::FolderIndex::role`).
    pub application_root: bool,
    /// The application from project evidence, and what its sources use.
    pub application: &'a crate::application::ApplicationFacts,
    /// Option values per rule name, already validated.
    pub options: &'a BTreeMap<&'static str, BTreeMap<&'static str, i64>>,
    pub fix: &'a FixSettings,
    /// `configSource` attributes the runtime refuses, found while the view was assembled: the
    /// attribute's range and why (reported by `config-source-invalid`).
    pub config_source_problems: &'a [(std::ops::Range<usize>, String)],
    /// applicationHost.config applications mapped to their web.config (see [`crate::sites`]).
    pub mapped_sessions: &'a std::collections::HashMap<String, crate::sites::MappedSession>,
}

impl Context<'_> {
    /// A rule's option, or its default.
    pub fn option(&self, meta: &RuleMeta, name: &str) -> i64 {
        let declared = meta
            .options
            .iter()
            .find(|o| o.name == name)
            .map_or(0, |o| o.default);
        self.options
            .get(meta.name)
            .and_then(|o| o.get(name))
            .copied()
            .unwrap_or(declared)
    }

    /// The application scope on a declared web farm: the only thing the farm rules judge.
    pub fn farm_application_scope(&self) -> Option<&WebScope> {
        self.application_scope().filter(|_| self.farm)
    }

    /// The file's own-level `system.web` scope, when it is a classic ASP.NET application's root
    /// configuration: what the farm rules judge.
    pub fn application_scope(&self) -> Option<&WebScope> {
        if !self.is_application_root() {
            return None;
        }
        self.model
            .web
            .scopes
            .first()
            .filter(|s| s.location.is_none())
    }
}

impl Context<'_> {
    /// The session state of an applicationHost.config application: its web.config's effective
    /// one when the application is mapped to a folder (see [`crate::sites`]), else what this
    /// file's own `<location>` says. `None` where nothing says: ASP.NET's default, InProc.
    pub fn application_session(
        &self,
        application: &crate::model::Application,
    ) -> (
        Option<crate::model::web::SessionMode>,
        Option<crate::model::Minutes>,
    ) {
        match self
            .mapped_sessions
            .get(&application.name().to_ascii_lowercase())
        {
            Some(mapped) => (mapped.mode, mapped.timeout),
            None => (application.session_mode, application.session_timeout),
        }
    }
}

/// Is session state in use by the application, and how do we know?
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionUse {
    /// The configuration sets `<sessionState>` beyond the Universal Providers template line.
    Configured,
    /// A source file of the application uses it (file, and the text that shows it).
    InSources(std::path::PathBuf, &'static str),
    /// The application's sources were read and none uses it.
    NotInSources(usize),
    /// Nothing says so: no explicit setting, and no sources to read.
    Unknown,
}

impl SessionUse {
    pub fn is_used(&self) -> bool {
        matches!(self, SessionUse::Configured | SessionUse::InSources(..))
    }
}

impl Context<'_> {
    /// Session state is on in this scope: its mode is valid and not `Off`, and the file does not
    /// turn it off with `<pages enableSessionState="false">` or by removing the Session module.
    pub fn session_on(&self, scope: &WebScope) -> bool {
        use crate::model::session_switch::SessionOff;
        scope.session.is_enabled()
            && match &self.model.session.off {
                None => true,
                // MVC controllers and handlers that ask for session keep it whatever `<pages>`
                // says: sources that use it win.
                Some(SessionOff::Pages(_)) => {
                    matches!(self.session_use(scope), SessionUse::InSources(..))
                }
                Some(SessionOff::ModuleRemoved(_)) => false,
            }
    }

    /// Whether the application uses session state (see [`SessionUse`]).
    pub fn session_use(&self, scope: &WebScope) -> SessionUse {
        if scope
            .session
            .element
            .as_ref()
            .is_some_and(sets_more_than_the_provider_template)
        {
            return SessionUse::Configured;
        }
        match self.application.sources() {
            Some(sources) => match &sources.session {
                Some((path, marker)) => SessionUse::InSources(path.clone(), marker),
                None => SessionUse::NotInSources(sources.files),
            },
            None => SessionUse::Unknown,
        }
    }

    /// May a fix insert an application-only section (`sessionState`, `machineKey`,
    /// `authentication`: `allowDefinition="MachineToApplication"`) into this scope? Only at an
    /// application root's own level: anywhere else ASP.NET stops the site with "It is an error to
    /// use a section registered as allowDefinition='MachineToApplication' beyond application
    /// level" (iis-semantics.md §1).
    pub fn may_insert_application_section(&self, scope: &WebScope) -> bool {
        self.is_application_root() && scope.location.is_none()
    }

    /// Is this file an application's root configuration? What the folders say
    /// (`application_root`), unless the file itself shows it guards a folder: a web.config that
    /// answers every request with `HttpNotFoundHandler` (an MVC `Views` folder, Umbraco's
    /// `xslt`) serves nothing, so it is no application.
    pub fn is_application_root(&self) -> bool {
        self.kind == FileKind::WebConfig
            && self.application_root
            && !self.model.blocks_every_request
    }
}

/// Does a `<sessionState>` say more than the line the Universal Providers package writes into
/// every template (`mode="InProc" customProvider="DefaultSessionProvider"` with its providers)?
/// That line is no sign the application uses session state.
fn sets_more_than_the_provider_template(element: &Element) -> bool {
    element.attrs.iter().any(|a| match a.name.as_str() {
        "mode" => a.value != "InProc",
        "customProvider" => false,
        _ => true,
    })
}

/// The fix that sets a session time-out to `minutes`: safe up to `[fix] max-session-minutes`;
/// above it, display-only with `explanation` (what to do instead): every minute keeps an idle
/// user's session data in memory, so a long session is a decision, not a fix. `None` when there
/// is nothing to write (see [`set_session_timeout`]).
pub fn session_timeout_fix(
    ctx: &Context<'_>,
    scope: &WebScope,
    minutes: i64,
    message: String,
    explanation: &str,
) -> Option<crate::fix::Fix> {
    use crate::fix::{Applicability, Fix};
    let edit = set_session_timeout(ctx, scope, minutes)?;
    let max = ctx.fix.max_session_minutes;
    Some(if minutes <= max {
        Fix::new(Applicability::Safe, message, vec![edit])
    } else {
        Fix::new(
            Applicability::DisplayOnly,
            format!(
                "{message} is not applied: it would keep an idle user's session data for more than {max} minutes (`[fix] max-session-minutes`). {explanation}"
            ),
            Vec::new(),
        )
    })
}

/// Sets the session time-out of `scope` to `minutes`, adding a `<sessionState>` when there is
/// none; `None` when the value is already right, the mode cannot hold that many minutes, or the
/// element is missing where the fix may not add it (see
/// [`Context::may_insert_application_section`]).
pub fn set_session_timeout(
    ctx: &Context<'_>,
    scope: &WebScope,
    minutes: i64,
) -> Option<crate::fix::Edit> {
    // A year is the runtime's cap for InProc and StateServer. No applied fix writes more in any
    // mode either: `[fix] max-session-minutes`, which bounds them, is at most a year.
    if minutes > scope.session.max_timeout_minutes() {
        return None;
    }
    if scope.session.element.is_none() && !ctx.may_insert_application_section(scope) {
        return None;
    }
    crate::edits::set_attr_or_insert(
        &ctx.style,
        scope.session.element.as_ref(),
        &scope.system_web,
        "sessionState",
        "timeout",
        &minutes.to_string(),
    )
}

/// Where to report a setting: the attribute that decides it, else the first element that exists.
pub fn anchor(
    attr: Option<&crate::document::Attr>,
    elements: &[Option<&Element>],
) -> std::ops::Range<usize> {
    if let Some(attr) = attr {
        return attr.range.clone();
    }
    elements
        .iter()
        .flatten()
        .next()
        .map_or(0..0, |e| e.start_tag.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_sorted_and_in_its_groups_range() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.meta.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted, "RULES sorted by code, each code once");
        for rule in RULES {
            let meta = rule.meta;
            assert!(
                meta.code.len() == 6 && meta.code[3..].bytes().all(|b| b.is_ascii_digit()),
                "{}: {}",
                meta.name,
                meta.code
            );
            assert!(
                meta.group.owns(meta.code),
                "{} ({}) is outside {}'s range {:?}",
                meta.name,
                meta.code,
                meta.group.as_str(),
                meta.group.code_prefixes()
            );
            for other in Group::ALL.iter().filter(|g| **g != meta.group) {
                assert!(!other.owns(meta.code), "{} owned twice", meta.code);
            }
        }
    }
}
