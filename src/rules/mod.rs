//! The rule registry: one line per rule. A rule is a `META` constant next to a `check` function in
//! its own file, its doc in `rules/<name>.md`, its cases in `fixtures/<name>/`.

mod app_pool_idle_timeout_drops_sessions;
mod config_source_invalid;
mod cookies_without_http_only;
mod cookies_without_require_ssl;
mod cors_any_origin;
mod credentials_in_config;
mod custom_errors_off;
mod debug_compilation;
mod detailed_errors_remote;
mod directory_browsing_enabled;
mod double_escaping_allowed;
mod event_validation_disabled;
mod farm_without_session_affinity;
mod forms_cross_app_redirects;
mod forms_protection_weakened;
mod forms_sliding_expiration_disabled;
mod forms_timeout_too_low;
mod forms_without_require_ssl;
mod header_checking_disabled;
mod inproc_session_on_farm;
pub(crate) mod invalid_transform;
mod invalid_value;
mod machine_key_in_source;
mod machine_key_missing_on_farm;
mod machine_key_weak_algorithm;
mod request_validation_disabled;
mod role_manager_cookie_without_ssl;
mod secret_in_config;
mod session_expires_before_forms_auth;
mod session_id_in_url;
mod session_timeout_too_low;
mod state_server_local_on_farm;
mod tls_weakening_switch;
mod trace_enabled;
pub(crate) mod transform_matches_nothing;
pub(crate) mod transform_namespace_wrong;
pub(crate) mod unused_suppression;
mod version_header_enabled;
mod view_state_mac_disabled;
mod wcf_exception_details;
mod web_garden_inproc_session;
mod x_powered_by_header;

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
    Rule {
        meta: &debug_compilation::META,
        check: debug_compilation::check,
    },
    Rule {
        meta: &trace_enabled::META,
        check: trace_enabled::check,
    },
    Rule {
        meta: &custom_errors_off::META,
        check: custom_errors_off::check,
    },
    Rule {
        meta: &request_validation_disabled::META,
        check: request_validation_disabled::check,
    },
    Rule {
        meta: &event_validation_disabled::META,
        check: event_validation_disabled::check,
    },
    Rule {
        meta: &view_state_mac_disabled::META,
        check: view_state_mac_disabled::check,
    },
    Rule {
        meta: &forms_protection_weakened::META,
        check: forms_protection_weakened::check,
    },
    Rule {
        meta: &forms_cross_app_redirects::META,
        check: forms_cross_app_redirects::check,
    },
    Rule {
        meta: &credentials_in_config::META,
        check: credentials_in_config::check,
    },
    Rule {
        meta: &session_id_in_url::META,
        check: session_id_in_url::check,
    },
    Rule {
        meta: &header_checking_disabled::META,
        check: header_checking_disabled::check,
    },
    Rule {
        meta: &machine_key_weak_algorithm::META,
        check: machine_key_weak_algorithm::check,
    },
    Rule {
        meta: &secret_in_config::META,
        check: secret_in_config::check,
    },
    Rule {
        meta: &tls_weakening_switch::META,
        check: tls_weakening_switch::check,
    },
    Rule {
        meta: &cors_any_origin::META,
        check: cors_any_origin::check,
    },
    Rule {
        meta: &wcf_exception_details::META,
        check: wcf_exception_details::check,
    },
    Rule {
        meta: &detailed_errors_remote::META,
        check: detailed_errors_remote::check,
    },
    Rule {
        meta: &directory_browsing_enabled::META,
        check: directory_browsing_enabled::check,
    },
    Rule {
        meta: &double_escaping_allowed::META,
        check: double_escaping_allowed::check,
    },
    Rule {
        meta: &cookies_without_require_ssl::META,
        check: cookies_without_require_ssl::check,
    },
    Rule {
        meta: &cookies_without_http_only::META,
        check: cookies_without_http_only::check,
    },
    Rule {
        meta: &forms_without_require_ssl::META,
        check: forms_without_require_ssl::check,
    },
    Rule {
        meta: &role_manager_cookie_without_ssl::META,
        check: role_manager_cookie_without_ssl::check,
    },
    Rule {
        meta: &version_header_enabled::META,
        check: version_header_enabled::check,
    },
    Rule {
        meta: &x_powered_by_header::META,
        check: x_powered_by_header::check,
    },
    Rule {
        meta: &machine_key_in_source::META,
        check: machine_key_in_source::check,
    },
];

// Which rules run on a file, at which level: the groups' defaults, the configuration's
// `select`/`extend-select`/`ignore` and levels, `--select`/`--extend-select`/`--ignore` and
// `per-file-ignores` together.

/// What `--select`, `--extend-select`, `--ignore`, the configuration's `select`,
/// `extend-select`, `ignore` and `per-file-ignores` name: a set of rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `ALL`: every rule, those of off-by-default groups included.
    All,
    /// A group's name (`session`): its rules.
    Group(Group),
    /// `IIS` and one or two digits (`IIS5`, `IIS10`), in capitals: the rules whose code starts
    /// with it. Bare `IIS` selects every rule, as `ALL` does.
    Prefix(String),
    /// A rule, by name or code (`forms-timeout-too-low`, `IIS101`): its name.
    Rule(&'static str),
}

impl Selector {
    /// The specificity of a rule's name or code (see [`Selector::specificity`]).
    pub const MOST_SPECIFIC: u8 = 4;

    /// Reads a selector, ignoring letter case: `ALL`, a group, a rule name or code, or a code
    /// prefix within a group's range. The error names what was expected, with a near miss.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("ALL") {
            return Ok(Selector::All);
        }
        if let Some(group) = Group::parse(text) {
            return Ok(Selector::Group(group));
        }
        if let Some(rule) = RULES.iter().find(|r| {
            r.meta.name.eq_ignore_ascii_case(text) || r.meta.code.eq_ignore_ascii_case(text)
        }) {
            return Ok(Selector::Rule(rule.meta.name));
        }
        let digits = text
            .get(..3)
            .filter(|head| head.eq_ignore_ascii_case("IIS"))
            .map(|_| &text[3..])
            .filter(|rest| rest.bytes().all(|b| b.is_ascii_digit()));
        match digits {
            Some(digits) if digits.len() <= 2 => {
                let prefix = format!("IIS{digits}");
                if digits.is_empty() || Group::ALL.iter().any(|g| g.owns(&prefix)) {
                    Ok(Selector::Prefix(prefix))
                } else {
                    Err(format!("`{text}` selects no rule: {}", code_ranges()))
                }
            }
            Some(digits) if digits.len() == 3 => Err(format!(
                "unknown rule code `{text}`;{}",
                crate::suggest::closest(
                    &text.to_ascii_uppercase(),
                    RULES.iter().map(|r| r.meta.code)
                )
                .map_or_else(
                    || " `iislint rules` lists them".to_owned(),
                    |code| format!(" did you mean `{code}`?")
                )
            )),
            Some(_) => Err(format!(
                "`{text}` is no rule code: a code is `IIS` and three digits ({})",
                code_ranges()
            )),
            None => {
                let lower = text.to_ascii_lowercase();
                let known = RULES
                    .iter()
                    .map(|r| r.meta.name)
                    .chain(Group::ALL.iter().map(|g| g.as_str()))
                    .chain(["ALL"]);
                Err(match crate::suggest::closest(&lower, known) {
                    Some(close) => {
                        format!("unknown rule or group `{text}`; did you mean `{close}`?")
                    }
                    None => format!(
                        "unknown rule or group `{text}`; expected a rule's name or code (`iislint rules` lists them), a code prefix such as `IIS1`, a group ({}) or `ALL`",
                        Group::ALL
                            .iter()
                            .map(|g| g.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })
            }
        }
    }

    /// Does this selector name the rule?
    pub fn matches(&self, meta: &RuleMeta) -> bool {
        match self {
            Selector::All => true,
            Selector::Group(group) => meta.group == *group,
            Selector::Prefix(prefix) => meta
                .code
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
            Selector::Rule(name) => meta.name == *name,
        }
    }

    /// How narrowly the selector names rules, as ruff ranks its selectors: `ALL` (and bare
    /// `IIS`) 0, a group 1, a one-digit prefix 2, a two-digit prefix 3, a rule 4. Between a
    /// select and an ignore that both name a rule, the more specific wins; on a tie, the ignore.
    pub fn specificity(&self) -> u8 {
        match self {
            Selector::All => 0,
            Selector::Group(_) => 1,
            Selector::Prefix(prefix) => match prefix.len() - 3 {
                0 => 0,
                digits => 1 + digits as u8,
            },
            Selector::Rule(_) => Selector::MOST_SPECIFIC,
        }
    }

    /// The rules this selector names, in code order.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        RULES.iter().filter(move |r| self.matches(r.meta))
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::All => f.write_str("ALL"),
            Selector::Group(group) => f.write_str(group.as_str()),
            Selector::Prefix(prefix) => f.write_str(prefix),
            Selector::Rule(name) => f.write_str(name),
        }
    }
}

/// "codes are IIS1xx (session), …": what each group owns, for error messages.
fn code_ranges() -> String {
    let ranges: Vec<String> = Group::ALL
        .iter()
        .map(|g| {
            let prefixes: Vec<String> =
                g.code_prefixes().iter().map(|p| format!("{p}xx")).collect();
            format!("{} ({})", prefixes.join(", "), g.as_str())
        })
        .collect();
    format!("codes are {}", ranges.join(", "))
}

/// One layer of rule selection: the configuration's, or the command line's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// When given, replaces the rules enabled before this layer (the defaults, or the
    /// configuration's) with the ones it names.
    pub select: Option<Vec<Selector>>,
    /// Adds to the rules enabled before this layer (or to `select`'s).
    pub extend_select: Vec<Selector>,
    /// Removes rules.
    pub ignore: Vec<Selector>,
}

impl Selection {
    /// Applies this layer to `enabled` (one flag per rule of `metas`), as ruff applies one: the
    /// selectors from the least specific to the most ([`Selector::specificity`]); at each
    /// specificity `select` and `extend-select` turn rules on, then `ignore` turns them off, so an
    /// ignore wins a tie and a more specific selector wins over a broader one. With `select`, the
    /// result replaces `enabled`; without, it changes only the rules it names. `also_ignore`
    /// joins `ignore` (the rules the configuration's levels turn `off`).
    pub fn apply(&self, metas: &[&RuleMeta], enabled: &mut [bool], also_ignore: &[Selector]) {
        let selects: Vec<&Selector> = self
            .select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .collect();
        let ignores: Vec<&Selector> = self.ignore.iter().chain(also_ignore).collect();
        let mut changes: Vec<Option<bool>> = vec![None; metas.len()];
        for specificity in 0..=Selector::MOST_SPECIFIC {
            for (selectors, on) in [(&selects, true), (&ignores, false)] {
                for selector in selectors.iter().filter(|s| s.specificity() == specificity) {
                    for (change, meta) in changes.iter_mut().zip(metas) {
                        if selector.matches(meta) {
                            *change = Some(on);
                        }
                    }
                }
            }
        }
        for (flag, change) in enabled.iter_mut().zip(changes) {
            match change {
                Some(on) => *flag = on,
                None if self.select.is_some() => *flag = false,
                None => {}
            }
        }
    }
}

/// Which of `metas` run, one flag each: the groups' defaults ([`RuleMeta::default_enabled`]),
/// then the configuration's layer (`config`, with the rules `levels` turns `off` ignored), then
/// the command line's (`cli`).
pub fn enabled_rules(
    metas: &[&RuleMeta],
    levels: &BTreeMap<&'static str, Option<Severity>>,
    config: &Selection,
    cli: &Selection,
) -> Vec<bool> {
    let off: Vec<Selector> = levels
        .iter()
        .filter(|(_, level)| level.is_none())
        .map(|(name, _)| Selector::Rule(name))
        .collect();
    let mut enabled: Vec<bool> = metas.iter().map(|m| m.default_enabled()).collect();
    config.apply(metas, &mut enabled, &off);
    cli.apply(metas, &mut enabled, &[]);
    enabled
}

/// The rules that run on one file, each with its severity.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<(&'static Rule, Severity)>,
}

impl RuleSet {
    /// The rules [`enabled_rules`] enables by the groups' defaults, the configuration (`config`
    /// and `levels`) and the command line (`cli`), less the file's `per-file-ignores`
    /// (`per_file`, which always win), each at its configured level. A rule the configuration
    /// turned `off` and the command line turns back on runs at its default level.
    pub fn new(
        levels: &BTreeMap<&'static str, Option<Severity>>,
        config: &Selection,
        cli: &Selection,
        per_file: &[&'static str],
    ) -> RuleSet {
        let metas: Vec<&RuleMeta> = RULES.iter().map(|r| r.meta).collect();
        let rules = RULES
            .iter()
            .zip(enabled_rules(&metas, levels, config, cli))
            .filter(|(rule, on)| *on && !per_file.contains(&rule.meta.name))
            .map(|(rule, _)| {
                let level = levels.get(rule.meta.name).copied().flatten();
                (rule, level.unwrap_or(rule.meta.default_severity))
            })
            .collect();
        RuleSet { rules }
    }

    /// Every rule, off-by-default ones included, at its default level.
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
    /// The ranges of `text` copied from the judged file's `configSource` and `<appSettings
    /// file>` files, sorted: content the file moved out of itself (see [`Context::is_included`]).
    pub included: &'a [std::ops::Range<usize>],
    /// The view `text` is, and where its bytes come from (see [`Context::origin`]).
    pub composed: &'a crate::resolve::Composed,
    /// When the view is a deployed environment: the `Web.<Environment>.config` it was deployed
    /// with. A fix may edit it directly: an [`crate::fix::Edit`] whose `file` is
    /// [`Transform::file`], with a range in [`Transform::text`], is applied as it is.
    pub transform: Option<Transform<'a>>,
}

/// The transform a deployed view was made with.
#[derive(Debug, Clone, Copy)]
pub struct Transform<'a> {
    /// Its index among the bundle's files.
    pub file: crate::view::FileIndex,
    pub text: &'a str,
}

impl Context<'_> {
    /// The file a range of the view comes from, and the range there (see
    /// [`crate::resolve::Composed::origin`]); for a view of one file alone, file 0 and the
    /// range itself.
    pub fn origin(
        &self,
        range: &std::ops::Range<usize>,
    ) -> Option<(crate::view::FileIndex, std::ops::Range<usize>)> {
        if self.composed.view.is_single() && self.composed.deployed.is_none() {
            return Some((0, range.clone()));
        }
        self.composed.origin(range)
    }
}

impl Context<'_> {
    /// Is `range` content of a `configSource` or `<appSettings file>` file rather than of the
    /// file itself?
    pub fn is_included(&self, range: &std::ops::Range<usize>) -> bool {
        let at = self.included.partition_point(|r| r.end <= range.start);
        self.included
            .get(at)
            .is_some_and(|r| r.start <= range.start && range.end <= r.end)
    }

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

// What the security rules share: which scopes they judge, and facts several of them weigh.

/// The scopes of watched settings a security rule judges: every scope of a web.config (its own
/// level, then each `<location path>`); none of an applicationHost.config (ASP.NET does not read
/// `system.web` from it, see README) or of a transform (judged through the deployed view).
pub fn security_scopes<'c>(ctx: &'c Context<'_>) -> &'c [crate::model::settings::SettingsScope] {
    if ctx.kind == FileKind::WebConfig && !ctx.model.is_transform {
        &ctx.model.settings.scopes
    } else {
        &[]
    }
}

/// The own level of an application's root web.config: where a setting ASP.NET reads once per
/// application (`RuntimeConfig.GetAppConfig()`: `trace`, `httpRuntime enableHeaderChecking`,
/// `appSettings`) takes effect. The same setting in a sub-folder's web.config or a `<location
/// path>` is never read.
pub fn application_settings<'c>(
    ctx: &'c Context<'_>,
) -> Option<&'c crate::model::settings::SettingsScope> {
    if ctx.is_application_root() && !ctx.model.is_transform {
        ctx.model.settings.own()
    } else {
        None
    }
}

/// Do the `pages` settings of this scope reach pages it serves, which post back to themselves?
/// Not in a folder that refuses every request (an MVC `Views` folder), nor where `<pages>` parses
/// pages as MVC views (`pageParserFilterType="System.Web.Mvc.ViewTypeParserFilter, …"`): views
/// run after their controller, never receive postbacks, and MVC validates input in its own
/// pipeline; MVC's templates write `validateRequest="false"` there on purpose.
pub fn serves_pages(ctx: &Context<'_>, scope: &crate::model::settings::SettingsScope) -> bool {
    use crate::model::settings::Section;
    let mvc_views = scope
        .attr(Section::Pages, "pageParserFilterType")
        .is_some_and(|a| {
            a.value
                .split(',')
                .next()
                .is_some_and(|t| t.trim() == "System.Web.Mvc.ViewTypeParserFilter")
        });
    !ctx.model.blocks_every_request && !mvc_views
}

/// Does the application protect forms tickets and view state with the .NET 4.5 cryptography
/// (`AspNetCryptoServiceProvider.IsDefaultProvider`: machineKey `compatibilityMode` is
/// `Framework45`, written or, when not written, raised by `<httpRuntime targetFramework>` 4.5 or
/// later, RS `ConfigUtil.SetFX45DefaultValue`)? Read at the file's own level; `None` when a
/// deciding section is in another file or a value is invalid.
pub fn framework45_crypto(ctx: &Context<'_>) -> Option<bool> {
    use crate::model::settings::{Decided, Section};
    let own = ctx.model.settings.own()?;
    match own.decided(Section::MachineKey, "compatibilityMode") {
        Decided::Written(attr) => {
            return match attr.value.as_str() {
                "Framework45" => Some(true),
                "Framework20SP1" | "Framework20SP2" => Some(false),
                _ => None,
            };
        }
        Decided::Unknown => return None,
        Decided::Default => {}
    }
    match own.decided(Section::HttpRuntime, "targetFramework") {
        Decided::Written(attr) if attr.value.trim().is_empty() => Some(false),
        Decided::Written(attr) => crate::model::values::parse_version(&attr.value)
            .ok()
            .map(|v| v >= [4, 5, -1, -1]),
        Decided::Unknown => None,
        Decided::Default => Some(false),
    }
}

// What the hardening rules share (an inline module: `src/rules/` holds one file per rule).
mod hardening {
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
        application_settings(ctx).filter(|scope| {
            !other_runtime(ctx.text) && scope.container(Container::SystemWeb).is_some()
        })
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
    pub fn missing_anchor(
        ctx: &Context<'_>,
        scope: &SettingsScope,
        section: Section,
    ) -> Range<usize> {
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

    /// A protection an application leaves off, as the attribute hardening rules report it: at
    /// the attribute that decides otherwise (`attr`), else where the section would go, with the
    /// fix that writes `name="value"` (see [`set_or_insert`]).
    pub struct Unprotected<'a> {
        pub section: Section,
        /// The attribute that turns the protection on, and its value.
        pub name: &'static str,
        pub value: &'static str,
        /// How the message opens when nothing writes the attribute.
        pub when_missing: &'a str,
        /// What the application is exposed to, after `: `.
        pub consequence: &'a str,
        pub applicability: crate::fix::Applicability,
    }

    pub fn report_unprotected(
        ctx: &Context<'_>,
        meta: &'static super::RuleMeta,
        scope: &SettingsScope,
        attr: Option<&Attr>,
        unprotected: Unprotected<'_>,
    ) -> crate::diagnostic::Diagnostic {
        let Unprotected {
            section,
            name,
            value,
            when_missing,
            consequence,
            applicability,
        } = unprotected;
        let element = section.element_name();
        let (range, written) = match attr {
            Some(attr) => (
                attr.range.clone(),
                format!("{element} {name}=\"{}\"", attr.value),
            ),
            None => (missing_anchor(ctx, scope, section), when_missing.to_owned()),
        };
        let fix = set_or_insert(ctx, scope, section, attr, name, value).map(|edit| {
            crate::fix::Fix::new(
                applicability,
                format!("Set {element} {name}=\"{value}\""),
                vec![edit],
            )
        });
        crate::diagnostic::Diagnostic::new(meta, range, format!("{written}: {consequence}"))
            .with_fix(fix)
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

    #[test]
    fn selectors_parse_in_any_case() {
        let parse = |s: &str| Selector::parse(s).unwrap();
        assert_eq!(parse("ALL"), Selector::All);
        assert_eq!(parse("all"), Selector::All);
        assert_eq!(parse("Security"), Selector::Group(Group::Security));
        assert_eq!(parse("hardening"), Selector::Group(Group::Hardening));
        assert_eq!(parse("iis5"), Selector::Prefix("IIS5".to_owned()));
        assert_eq!(parse("IIS10"), Selector::Prefix("IIS10".to_owned()));
        assert_eq!(parse("iis101"), Selector::Rule("forms-timeout-too-low"));
        assert_eq!(
            parse("forms-timeout-too-low"),
            Selector::Rule("forms-timeout-too-low")
        );
        assert_eq!(parse("IIS10").to_string(), "IIS10");
        assert!(
            parse("IIS1").specificity() > parse("session").specificity()
                && parse("IIS10").specificity() > parse("IIS1").specificity()
                && parse("IIS101").specificity() > parse("IIS10").specificity()
                && parse("session").specificity() > parse("ALL").specificity()
        );
    }

    #[test]
    fn unknown_selectors_are_errors_with_a_hint() {
        let error = |s: &str| Selector::parse(s).unwrap_err();
        assert!(
            error("sesion-timeout-too-low").contains("did you mean `session-timeout-too-low`?"),
            "{}",
            error("sesion-timeout-too-low")
        );
        assert!(error("securty").contains("did you mean `security`?"));
        assert!(error("IIS111").contains("unknown rule code `IIS111`; did you mean"));
        // No group owns IIS4xx or IIS9xx.
        assert!(
            error("IIS4").contains("selects no rule"),
            "{}",
            error("IIS4")
        );
        assert!(
            error("IIS9").contains("IIS5xx (security)"),
            "{}",
            error("IIS9")
        );
        assert!(error("IIS1011").contains("three digits"));
        assert!(error("whatever").contains("a group (session, correctness, security, hardening)"));
    }

    fn meta(name: &'static str, code: &'static str, group: Group) -> RuleMeta {
        RuleMeta {
            name,
            code,
            group,
            summary: "",
            default_severity: Severity::Warning,
            fix: FixAvailability::None,
            options: &[],
            doc: "",
        }
    }

    /// A registry with a rule of each group, an opt-in one included (no real rule is opt-in
    /// yet): the names [`enabled_rules`] leaves on.
    fn run(
        levels: &[(&'static str, Option<Severity>)],
        config: &str,
        cli: &str,
    ) -> Vec<&'static str> {
        let metas = [
            meta("s1", "IIS101", Group::Session),
            meta("s2", "IIS111", Group::Session),
            meta("c1", "IIS201", Group::Correctness),
            meta("u1", "IIS301", Group::Correctness),
            meta("x1", "IIS501", Group::Security),
            meta("h1", "IIS601", Group::Hardening),
            meta("h2", "IIS602", Group::Hardening),
        ];
        // Selectors here name the stub rules: `Selector::parse` knows the real registry only.
        let selectors = |text: &str| -> Vec<Selector> {
            text.split(',')
                .filter(|s| !s.is_empty())
                .map(
                    |s| match metas.iter().find(|m| m.name == s || m.code == s) {
                        Some(m) => Selector::Rule(m.name),
                        None => Selector::parse(s).unwrap(),
                    },
                )
                .collect()
        };
        // "select|extend-select|ignore", `-` for no select.
        let layer = |text: &str| {
            let parts: Vec<&str> = text.split('|').collect();
            Selection {
                select: (parts[0] != "-").then(|| selectors(parts[0])),
                extend_select: selectors(parts[1]),
                ignore: selectors(parts[2]),
            }
        };
        let refs: Vec<&RuleMeta> = metas.iter().collect();
        let levels: BTreeMap<_, _> = levels.iter().copied().collect();
        enabled_rules(&refs, &levels, &layer(config), &layer(cli))
            .into_iter()
            .zip(&metas)
            .filter(|(on, _)| *on)
            .map(|(_, m)| m.name)
            .collect()
    }

    #[test]
    fn defaults_leave_opt_in_groups_off() {
        assert_eq!(run(&[], "-||", "-||"), ["s1", "s2", "c1", "u1", "x1"]);
    }

    #[test]
    fn select_by_group_prefix_code_name_and_all() {
        assert_eq!(run(&[], "-||", "session||"), ["s1", "s2"]);
        assert_eq!(run(&[], "-||", "IIS3||"), ["u1"]);
        assert_eq!(run(&[], "-||", "IIS11||"), ["s2"]);
        assert_eq!(run(&[], "-||", "IIS201,s2||"), ["s2", "c1"]);
        // ALL and a bare `IIS` take the opt-in rules too.
        assert_eq!(
            run(&[], "-||", "ALL||"),
            ["s1", "s2", "c1", "u1", "x1", "h1", "h2"]
        );
        assert_eq!(run(&[], "-||", "IIS||").len(), 7);
    }

    #[test]
    fn an_opt_in_group_runs_when_a_selector_names_it() {
        assert_eq!(run(&[], "-||", "hardening||"), ["h1", "h2"]);
        assert_eq!(
            run(&[], "-||", "-|IIS6|"),
            ["s1", "s2", "c1", "u1", "x1", "h1", "h2"]
        );
        assert_eq!(
            run(&[], "-|h2|", "-||"),
            ["s1", "s2", "c1", "u1", "x1", "h2"]
        );
        // Selecting another group does not bring it along.
        assert_eq!(run(&[], "-||", "session,security||"), ["s1", "s2", "x1"]);
    }

    #[test]
    fn ignore_wins_a_tie_and_the_more_specific_selector_wins() {
        assert_eq!(run(&[], "-||", "-||session"), ["c1", "u1", "x1"]);
        assert_eq!(run(&[], "-||", "session||session"), Vec::<&str>::new());
        // A rule named in select beats its group's ignore; a rule's ignore beats its group's
        // select.
        assert_eq!(run(&[], "-||", "s1||session"), ["s1"]);
        assert_eq!(run(&[], "-||", "-|s1|session"), ["s1", "c1", "u1", "x1"]);
        assert_eq!(run(&[], "-||", "session||s1"), ["s2"]);
        // A prefix is more specific than a group, a group than ALL.
        assert_eq!(run(&[], "-||", "IIS1||session"), ["s1", "s2"]);
        assert_eq!(run(&[], "-||", "session||IIS1"), Vec::<&str>::new());
        assert_eq!(
            run(&[], "-||", "ALL||hardening"),
            ["s1", "s2", "c1", "u1", "x1"]
        );
        assert_eq!(run(&[], "-||", "hardening||ALL"), ["h1", "h2"]);
    }

    #[test]
    fn the_command_line_selects_after_the_configuration() {
        // The configuration's select replaces the defaults; the command line's replaces it.
        assert_eq!(run(&[], "correctness||", "-||"), ["c1", "u1"]);
        assert_eq!(
            run(&[], "correctness||", "-|hardening|"),
            ["c1", "u1", "h1", "h2"]
        );
        assert_eq!(run(&[], "correctness||u1", "session||"), ["s1", "s2"]);
        // A command-line ignore removes from the configuration's selection.
        assert_eq!(run(&[], "correctness||", "-||IIS3"), ["c1"]);
        // A configuration ignore is forgotten by a command-line select, and undone by a
        // command-line extend-select that names the rule.
        assert_eq!(run(&[], "-||session", "-|s1|"), ["s1", "c1", "u1", "x1"]);
        assert_eq!(run(&[], "-||session", "IIS1||"), ["s1", "s2"]);
    }

    #[test]
    fn a_rule_turned_off_by_level_is_ignored_by_the_configuration() {
        let off = [("s1", None), ("c1", Some(Severity::Error))];
        assert_eq!(run(&off, "-||", "-||"), ["s2", "c1", "u1", "x1"]);
        // Even where the configuration selects its group…
        assert_eq!(run(&off, "session||", "-||"), ["s2"]);
        // …but the command line can turn it back on.
        assert_eq!(run(&off, "-||", "s1||"), ["s1"]);
        assert_eq!(run(&off, "-||", "session||"), ["s1", "s2"]);
        // A level does not select an opt-in rule.
        assert_eq!(run(&[("h1", Some(Severity::Error))], "-||", "-||").len(), 5);
    }

    #[test]
    fn rule_set_levels_and_per_file_ignores() {
        let levels = BTreeMap::from([
            ("forms-timeout-too-low", None),
            ("session-timeout-too-low", Some(Severity::Error)),
        ]);
        let session = Selection {
            select: Some(vec![Selector::Group(Group::Session)]),
            ..Selection::default()
        };
        let set = RuleSet::new(
            &levels,
            &Selection::default(),
            &session,
            &["machine-key-missing-on-farm"],
        );
        let names: Vec<(&str, Severity)> = set
            .rules
            .iter()
            .map(|(r, s)| (r.meta.name, *s))
            .take(3)
            .collect();
        assert_eq!(
            names,
            [
                ("forms-timeout-too-low", Severity::Warning),
                ("session-timeout-too-low", Severity::Error),
                ("session-expires-before-forms-auth", Severity::Warning),
            ]
        );
        assert_eq!(set.rules.len(), 9);
        assert!(
            set.rules.iter().all(|(r, _)| r.meta.group == Group::Session
                && r.meta.name != "machine-key-missing-on-farm")
        );
    }
}
