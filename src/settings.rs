//! `iislint.toml`: the one nearest to each checked file (see [`crate::settings_tree`]), or the one
//! given with `--config FILE`.
//!
//! Read with toml's spanned document API so that every unknown key, unknown rule or bad value is
//! reported at its own line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::Severity;
use crate::rules::{self, RULES, Selection, Selector};
use crate::suggest::{did_you_mean, edit_distance};

/// A message and the byte span of the key or value it is about.
pub type SpannedError = (String, Range<usize>);

pub const CONFIG_FILE_NAME: &str = "iislint.toml";

pub use crate::fix_settings::{FixSettings, SessionStore};

/// Files larger than this are not read (`max-file-mib`): real configuration is well under a MiB,
/// and a huge file is more likely a mistake (a log or dump named web.config) than a site.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Everything the configuration decides.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file these settings came from.
    pub path: Option<PathBuf>,
    pub farm: bool,
    /// The largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Paths to skip, matched against paths relative to the configuration file's folder.
    pub exclude: Option<GlobSet>,
    /// `exclude` as written (for `--show-settings`).
    pub exclude_patterns: Vec<String>,
    /// `select`, `extend-select` and `ignore`: which rules run, before the command line's.
    pub selection: Selection,
    /// Per rule: `None` turns it off, otherwise its severity.
    pub levels: BTreeMap<&'static str, Option<Severity>>,
    pub options: BTreeMap<&'static str, BTreeMap<&'static str, i64>>,
    /// Globs and the rules they turn off (names, codes, prefixes, groups, `ALL`).
    pub per_file_ignores: Vec<(globset::GlobMatcher, Vec<Selector>)>,
    pub fix: FixSettings,
    /// `[sites]`: applicationHost.config applications (`Site` or `Site/app`) and the folders
    /// they serve, relative to the configuration file's folder as written.
    pub sites: Vec<(String, PathBuf)>,
    /// `environments`: the `Web.<Environment>.config` views to judge (`none`: as written).
    pub environments: Option<Vec<String>>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            path: None,
            farm: false,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            exclude: None,
            exclude_patterns: Vec::new(),
            selection: Selection::default(),
            levels: BTreeMap::new(),
            options: BTreeMap::new(),
            per_file_ignores: Vec::new(),
            fix: FixSettings::default(),
            sites: Vec::new(),
            environments: None,
        }
    }
}

/// A problem in the configuration file, positioned at the key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl Settings {
    /// The folder globs in the configuration are relative to.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// The folder `[sites]` maps an application (`Site` or `Site/app`, compared ignoring case)
    /// to, resolved from the configuration file's folder.
    pub fn site_folder(&self, application: &str) -> Option<PathBuf> {
        let application = application.trim_matches('/');
        let (_, folder) = self
            .sites
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(application))?;
        Some(match self.base_dir() {
            Some(base) => base.join(folder),
            None => folder.clone(),
        })
    }

    /// Is `path` excluded by `exclude`?
    pub fn is_excluded(&self, path: &Path) -> bool {
        let Some(set) = &self.exclude else {
            return false;
        };
        set.is_match(self.relative(path))
    }

    /// The names of the rules `per-file-ignores` turns off for `path`.
    pub fn ignored_rules(&self, path: &Path) -> Vec<&'static str> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let relative = self.relative(path);
        let selectors: Vec<&Selector> = self
            .per_file_ignores
            .iter()
            .filter(|(glob, _)| glob.is_match(&relative))
            .flat_map(|(_, selectors)| selectors)
            .collect();
        RULES
            .iter()
            .filter(|r| selectors.iter().any(|s| s.matches(r.meta)))
            .map(|r| r.meta.name)
            .collect()
    }

    fn relative(&self, path: &Path) -> PathBuf {
        // `..` resolved in both (`std::path::absolute` keeps it): `../api/x` is inside `api`.
        let normal = crate::paths::absolute_normalized;
        let absolute = normal(path);
        match self.base_dir().map(normal) {
            // Ignoring case on Windows: `--config C:\Repo\iislint.toml` applies to
            // `c:\repo\site\web.config`.
            Some(base) => crate::paths::strip_prefix(&absolute, &base).unwrap_or(absolute),
            None => path.to_owned(),
        }
    }

    /// Finds `iislint.toml` in `start` or a parent.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(start).ok()?;
        start
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            path: path.to_owned(),
            message: format!("cannot read the configuration: {err}"),
            line: 1,
            column: 1,
        })?;
        let mut settings = Settings::parse(&text).map_err(|(message, span)| {
            let (line, column) = crate::source::LineIndex::new(&text).line_col(&text, span.start);
            ConfigError {
                path: path.to_owned(),
                message,
                line,
                column,
            }
        })?;
        settings.path = Some(path.to_owned());
        Ok(settings)
    }

    /// Parses configuration text; errors carry the byte span of the offending key or value.
    pub fn parse(text: &str) -> Result<Settings, SpannedError> {
        let table = DeTable::parse(text)
            .map_err(|err| (err.message().to_owned(), err.span().unwrap_or(0..0)))?;
        let mut settings = Settings::default();
        for (key, value) in table.get_ref().iter() {
            match key.get_ref().as_ref() {
                "farm" => settings.farm = bool_value(value)?,
                "max-file-mib" => {
                    settings.max_file_bytes = int_in(value, 1..=4096, "MiB")? as u64 * 1024 * 1024
                }
                "exclude" => {
                    let patterns = string_list(value)?;
                    settings.exclude = Some(glob_set(&patterns)?);
                    settings.exclude_patterns = patterns.into_iter().map(|(p, _)| p).collect();
                }
                "rules" => read_rules(value, &mut settings)?,
                "select" => settings.selection.select = Some(selectors(value)?),
                "extend-select" => settings.selection.extend_select = selectors(value)?,
                "ignore" => settings.selection.ignore = selectors(value)?,
                "per-file-ignores" => {
                    for (glob, rules) in table_value(value)?.iter() {
                        let matcher = glob_matcher(glob.get_ref(), glob.span())?;
                        settings.per_file_ignores.push((matcher, selectors(rules)?));
                    }
                }
                "fix" => read_fix(value, &mut settings.fix)?,
                "environments" => {
                    settings.environments =
                        Some(string_list(value)?.into_iter().map(|(e, _)| e).collect())
                }
                "sites" => {
                    for (application, folder) in table_value(value)?.iter() {
                        let name = application.get_ref().trim_matches('/').to_owned();
                        if name.is_empty() {
                            return Err((
                                "a site is named `Site` or `Site/app`".to_owned(),
                                application.span(),
                            ));
                        }
                        settings
                            .sites
                            .push((name, PathBuf::from(string_value(folder)?)));
                    }
                }
                other => {
                    return Err((
                        format!(
                            "unknown key `{other}`;{} expected `farm`, `exclude`, `max-file-mib`, `select`, `extend-select`, `ignore`, `rules`, `per-file-ignores`, `fix`, `sites` or `environments`",
                            did_you_mean(
                                other,
                                &[
                                    "farm",
                                    "exclude",
                                    "max-file-mib",
                                    "select",
                                    "extend-select",
                                    "ignore",
                                    "rules",
                                    "per-file-ignores",
                                    "fix",
                                    "sites",
                                    "environments"
                                ]
                            )
                        ),
                        key.span(),
                    ));
                }
            }
        }
        Ok(settings)
    }
}

/// `--show-settings`: the settings that apply to `file`, as TOML-ish text, with the command
/// line's selection (`cli`), `--farm` and `--environment` (`environments`) applied. Secrets the
/// settings hold (`[fix] sql-connection-string`) are masked as every report masks them.
pub fn describe(
    settings: &Settings,
    file: &Path,
    cli: &Selection,
    farm: bool,
    environments: &[String],
) -> String {
    use std::fmt::Write as _;
    let quote = |text: &str| format!("{text:?}");
    let list = |items: &mut dyn Iterator<Item = String>| {
        format!(
            "[{}]",
            items.map(|i| quote(&i)).collect::<Vec<_>>().join(", ")
        )
    };
    let selectors = |selectors: &[Selector]| list(&mut selectors.iter().map(|s| s.to_string()));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Resolved settings for: {}",
        crate::report::display_path(file)
    );
    let _ = writeln!(
        out,
        "# Settings path: {}",
        settings.path.as_deref().map_or_else(
            || "(none: the defaults)".to_owned(),
            crate::report::display_path
        )
    );
    let _ = writeln!(out, "farm = {}", farm || settings.farm);
    let _ = writeln!(
        out,
        "exclude = {}",
        list(&mut settings.exclude_patterns.iter().cloned())
    );
    let _ = writeln!(
        out,
        "max-file-mib = {}",
        settings.max_file_bytes / (1024 * 1024)
    );
    let environments: Vec<String> = if environments.is_empty() {
        settings.environments.clone().unwrap_or_default()
    } else {
        environments.to_vec()
    };
    if environments.is_empty() {
        out.push_str("environments = \"every transform but Debug\"\n");
    } else {
        let _ = writeln!(
            out,
            "environments = {}",
            list(&mut environments.into_iter())
        );
    }
    if let Some(select) = &settings.selection.select {
        let _ = writeln!(out, "select = {}", selectors(select));
    }
    let _ = writeln!(
        out,
        "extend-select = {}",
        selectors(&settings.selection.extend_select)
    );
    let _ = writeln!(out, "ignore = {}", selectors(&settings.selection.ignore));
    if let Some(select) = &cli.select {
        let _ = writeln!(out, "# --select {}", selectors(select));
    }
    if !cli.extend_select.is_empty() {
        let _ = writeln!(out, "# --extend-select {}", selectors(&cli.extend_select));
    }
    if !cli.ignore.is_empty() {
        let _ = writeln!(out, "# --ignore {}", selectors(&cli.ignore));
    }
    // The rules that run on this file, each at its level, per-file-ignores applied.
    let per_file = settings.ignored_rules(file);
    let rules = rules::RuleSet::new(&settings.levels, &settings.selection, cli, &per_file);
    out.push_str("\n# The rules that run on this file, at their level.\n[rules]\n");
    for (rule, severity) in &rules.rules {
        let _ = writeln!(
            out,
            "{} = {}  # {}",
            rule.meta.name,
            quote(severity.as_str()),
            rule.meta.code
        );
        if let Some(options) = settings.options.get(rule.meta.name) {
            for (option, value) in options {
                let _ = writeln!(out, "# {}.{option} = {value}", rule.meta.name);
            }
        }
    }
    out.push_str("\n[per-file-ignores]\n");
    for (glob, ignored) in &settings.per_file_ignores {
        let _ = writeln!(
            out,
            "{} = {}",
            quote(glob.glob().glob()),
            selectors(ignored)
        );
    }
    out.push_str("\n[sites]\n");
    for (application, folder) in &settings.sites {
        let _ = writeln!(
            out,
            "{} = {}",
            quote(application),
            quote(&folder.to_string_lossy())
        );
    }
    let fix = &settings.fix;
    out.push_str("\n[fix]\n");
    let _ = writeln!(out, "forms-timeout-minutes = {}", fix.forms_timeout_minutes);
    let _ = writeln!(
        out,
        "session-timeout-minutes = {}",
        fix.session_timeout_minutes
    );
    let _ = writeln!(out, "max-session-minutes = {}", fix.max_session_minutes);
    if let Some(store) = fix.session_store {
        let name = match store {
            SessionStore::SqlServer => "sqlserver",
            SessionStore::Redis => "redis",
        };
        let _ = writeln!(out, "session-store = {}", quote(name));
    }
    if let Some(host) = &fix.redis_host {
        let _ = writeln!(out, "redis-host = {}", quote(host));
    }
    if let Some(port) = fix.redis_port {
        let _ = writeln!(out, "redis-port = {port}");
    }
    if let Some(ssl) = fix.redis_ssl {
        let _ = writeln!(out, "redis-ssl = {ssl}");
    }
    if let Some(name) = &fix.redis_connection_string_name {
        let _ = writeln!(out, "redis-connection-string-name = {}", quote(name));
    }
    if let Some(connection) = &fix.sql_connection_string {
        let _ = writeln!(out, "sql-connection-string = {}", quote(connection));
    }
    let _ = writeln!(
        out,
        "idle-timeout = {}",
        quote(if fix.idle_timeout_disable {
            "disable"
        } else {
            "session"
        })
    );
    // The one secret the settings can hold, masked as in every report.
    crate::report::redact::Redactor::new("", fix.secret_texts()).mask(&out)
}

fn read_rules(value: &Spanned<DeValue<'_>>, settings: &mut Settings) -> Result<(), SpannedError> {
    for (name, entry) in table_value(value)?.iter() {
        let rule = rule_name(name.get_ref(), name.span())?;
        match entry.get_ref() {
            DeValue::String(level) => {
                settings
                    .levels
                    .insert(rule, level_value(level, entry.span())?);
            }
            DeValue::Table(options) => {
                let meta = rules::find(rule).expect("validated rule name").meta;
                for (key, value) in options.iter() {
                    if key.get_ref() == "level" {
                        let level = value
                            .get_ref()
                            .as_str()
                            .ok_or_else(|| expected("a level string", value))?;
                        settings
                            .levels
                            .insert(rule, level_value(level, value.span())?);
                        continue;
                    }
                    let Some(option) = meta
                        .options
                        .iter()
                        .find(|o| o.name == key.get_ref().as_ref())
                    else {
                        let known: Vec<_> = std::iter::once("level")
                            .chain(meta.options.iter().map(|o| o.name))
                            .collect();
                        return Err((
                            format!(
                                "unknown option `{}` for rule `{rule}`; it takes {}",
                                key.get_ref(),
                                known.join(", ")
                            ),
                            key.span(),
                        ));
                    };
                    let number = int_value(value)?;
                    if number < option.min {
                        return Err((
                            format!("`{}` must be at least {}", option.name, option.min),
                            value.span(),
                        ));
                    }
                    settings
                        .options
                        .entry(rule)
                        .or_default()
                        .insert(option.name, number);
                }
            }
            _ => {
                return Err(expected(
                    "a level (\"off\", \"info\", \"warning\", \"error\") or a table",
                    entry,
                ));
            }
        }
    }
    Ok(())
}

/// The longest time-out a fix may write, in minutes: a year. ASP.NET refuses longer session
/// time-outs for InProc and StateServer (`SessionStateSection.Validate`), and a forms ticket past
/// a year is no session time-out any more; a value the runtime may refuse must not be written.
const MAX_FIX_TIMEOUT_MINUTES: i64 = crate::model::web::MAX_CACHE_BASED_TIMEOUT_MINUTES;

/// A whole number in `range`, else an error at the value naming the range and its unit.
fn int_in(
    value: &Spanned<DeValue<'_>>,
    range: std::ops::RangeInclusive<i64>,
    unit: &str,
) -> Result<i64, SpannedError> {
    let n = int_value(value)?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err((
            format!(
                "{n} is out of range: expected {} to {} {unit}",
                range.start(),
                range.end()
            ),
            value.span(),
        ))
    }
}

fn read_fix(value: &Spanned<DeValue<'_>>, fix: &mut FixSettings) -> Result<(), SpannedError> {
    for (key, value) in table_value(value)?.iter() {
        let minutes = |v| int_in(v, 1..=MAX_FIX_TIMEOUT_MINUTES, "minutes");
        match key.get_ref().as_ref() {
            "forms-timeout-minutes" => fix.forms_timeout_minutes = minutes(value)?,
            "session-timeout-minutes" => fix.session_timeout_minutes = minutes(value)?,
            "max-session-minutes" => fix.max_session_minutes = minutes(value)?,
            "session-store" => {
                let name = value
                    .get_ref()
                    .as_str()
                    .ok_or_else(|| expected("\"sqlserver\" or \"redis\"", value))?;
                fix.session_store = Some(SessionStore::parse(name).ok_or_else(|| {
                    (
                        format!(
                            "unknown session store `{name}`; expected \"sqlserver\" or \"redis\""
                        ),
                        value.span(),
                    )
                })?);
            }
            "redis-host" => fix.redis_host = Some(string_value(value)?),
            "redis-port" => fix.redis_port = Some(int_in(value, 1..=65535, "(a TCP port)")?),
            "redis-ssl" => fix.redis_ssl = Some(bool_value(value)?),
            "redis-connection-string-name" => {
                fix.redis_connection_string_name = Some(string_value(value)?)
            }
            "sql-connection-string" => fix.sql_connection_string = Some(string_value(value)?),
            "idle-timeout" => {
                fix.idle_timeout_disable = match value.get_ref().as_str() {
                    Some("disable") => true,
                    Some("session") => false,
                    _ => return Err(expected("\"disable\" or \"session\"", value)),
                }
            }
            other => {
                return Err((
                    format!(
                        "unknown key `fix.{other}`;{} expected forms-timeout-minutes, session-timeout-minutes, max-session-minutes, session-store, redis-host, redis-port, redis-ssl, redis-connection-string-name, sql-connection-string or idle-timeout",
                        did_you_mean(other, FIX_KEYS)
                    ),
                    key.span(),
                ));
            }
        }
    }
    Ok(())
}

const FIX_KEYS: &[&str] = &[
    "forms-timeout-minutes",
    "session-timeout-minutes",
    "max-session-minutes",
    "session-store",
    "redis-host",
    "redis-port",
    "redis-ssl",
    "redis-connection-string-name",
    "sql-connection-string",
    "idle-timeout",
];

/// " did you mean `x`?" for the known name closest to `key`, when it is close enough to be a
/// typo; empty otherwise.
pub fn suggestion(key: &str, known: &[&str]) -> String {
    did_you_mean(key, known)
}

/// A list of rule selectors (see [`Selector::parse`]), each error at its own string.
fn selectors(value: &Spanned<DeValue<'_>>) -> Result<Vec<Selector>, SpannedError> {
    string_list(value)?
        .into_iter()
        .map(|(text, span)| Selector::parse(&text).map_err(|message| (message, span)))
        .collect()
}

/// A rule name from the configuration, with a "did you mean" hint for near misses.
pub fn rule_name(name: &str, span: Range<usize>) -> Result<&'static str, SpannedError> {
    if let Some(rule) = rules::find(name) {
        return Ok(rule.meta.name);
    }
    Err((unknown_rule_message(name), span))
}

pub fn unknown_rule_message(name: &str) -> String {
    match closest_rule(name) {
        Some(close) => format!("unknown rule `{name}`; did you mean `{close}`?"),
        None => format!("unknown rule `{name}`; `iislint rules` lists them"),
    }
}

/// The rule name closest to `name`, if it is close enough to be a typo.
pub fn closest_rule(name: &str) -> Option<&'static str> {
    crate::suggest::closest(name, RULES.iter().map(|r| r.meta.name))
}

/// The `n` rule names closest to `name`, closest first: by edit distance to the whole name or to
/// its beginning (a typo in a prefix such as `sesion`), a name containing `name` first of all.
pub fn closest_rules(name: &str, n: usize) -> Vec<&'static str> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &'static str)> = RULES
        .iter()
        .map(|r| {
            let full = edit_distance(&lower, r.meta.name);
            let prefix_len = r
                .meta
                .name
                .char_indices()
                .nth(lower.chars().count())
                .map_or(r.meta.name.len(), |(i, _)| i);
            let prefix = edit_distance(&lower, &r.meta.name[..prefix_len]) + 1;
            let score = if lower.len() >= 3 && r.meta.name.contains(lower.as_str()) {
                0
            } else {
                full.min(prefix)
            };
            (score, r.meta.name)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, name)| name).collect()
}

fn level_value(level: &str, span: Range<usize>) -> Result<Option<Severity>, SpannedError> {
    match level {
        "off" => Ok(None),
        "info" => Ok(Some(Severity::Info)),
        "warning" => Ok(Some(Severity::Warning)),
        "error" => Ok(Some(Severity::Error)),
        other => Err((
            format!(
                "unknown level `{other}`; expected \"off\", \"info\", \"warning\" or \"error\""
            ),
            span,
        )),
    }
}

fn expected(what: &str, value: &Spanned<DeValue<'_>>) -> (String, Range<usize>) {
    (
        format!("expected {what}, found {}", value.get_ref().type_str()),
        value.span(),
    )
}

fn table_value<'a, 'i>(value: &'a Spanned<DeValue<'i>>) -> Result<&'a DeTable<'i>, SpannedError> {
    value
        .get_ref()
        .as_table()
        .ok_or_else(|| expected("a table", value))
}

fn bool_value(value: &Spanned<DeValue<'_>>) -> Result<bool, SpannedError> {
    value
        .get_ref()
        .as_bool()
        .ok_or_else(|| expected("true or false", value))
}

fn string_value(value: &Spanned<DeValue<'_>>) -> Result<String, SpannedError> {
    value
        .get_ref()
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| expected("a string", value))
}

fn int_value(value: &Spanned<DeValue<'_>>) -> Result<i64, SpannedError> {
    let integer = value
        .get_ref()
        .as_integer()
        .ok_or_else(|| expected("a whole number", value))?;
    let digits = integer.as_str().replace('_', "");
    let digits = digits
        .trim_start_matches("0x")
        .trim_start_matches("0o")
        .trim_start_matches("0b");
    i64::from_str_radix(digits, integer.radix()).map_err(|_| expected("a whole number", value))
}

fn string_list(value: &Spanned<DeValue<'_>>) -> Result<Vec<(String, Range<usize>)>, SpannedError> {
    let array = value
        .get_ref()
        .as_array()
        .ok_or_else(|| expected("a list of strings", value))?;
    array
        .iter()
        .map(|item| string_value(item).map(|s| (s, item.span())))
        .collect()
}

fn glob_matcher(pattern: &str, span: Range<usize>) -> Result<globset::GlobMatcher, SpannedError> {
    // IIS paths are case-insensitive; `*` stays within one folder, `**` crosses folders.
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|err| (format!("bad glob `{pattern}`: {err}"), span))
}

fn glob_set(patterns: &[(String, Range<usize>)]) -> Result<GlobSet, SpannedError> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, span) in patterns {
        let glob = GlobBuilder::new(pattern)
            .case_insensitive(true)
            .literal_separator(true)
            .build()
            .map_err(|err| (format!("bad glob `{pattern}`: {err}"), span.clone()))?;
        builder.add(glob);
    }
    builder.build().map_err(|err| (err.to_string(), 0..0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let settings = Settings::parse(
            r#"
farm = true
exclude = ["legacy/**"]
[rules]
forms-sliding-expiration-disabled = "off"
[rules.forms-timeout-too-low]
level = "error"
min-minutes = 30
[per-file-ignores]
"old/**/web.config" = ["machine-key-missing-on-farm"]
[fix]
forms-timeout-minutes = 90
session-store = "redis"
"#,
        )
        .unwrap();
        assert!(settings.farm);
        assert_eq!(settings.levels["forms-sliding-expiration-disabled"], None);
        assert_eq!(
            settings.levels["forms-timeout-too-low"],
            Some(Severity::Error)
        );
        assert_eq!(settings.options["forms-timeout-too-low"]["min-minutes"], 30);
        assert_eq!(settings.fix.forms_timeout_minutes, 90);
        assert_eq!(settings.fix.session_store, Some(SessionStore::Redis));
        assert!(settings.exclude.unwrap().is_match("legacy/a/web.config"));
        assert!(settings.per_file_ignores[0].0.is_match("OLD/x/Web.config"));
    }

    #[test]
    fn fix_values_the_runtime_would_refuse_are_config_errors() {
        for (text, bad) in [
            ("[fix]\nforms-timeout-minutes = 0\n", "0"),
            ("[fix]\nsession-timeout-minutes = 525601\n", "525601"),
            ("[fix]\nforms-timeout-minutes = -5\n", "-5"),
            ("[fix]\nredis-port = 0\n", "0"),
            ("[fix]\nredis-port = 70000\n", "70000"),
            ("max-file-mib = 0\n", "0"),
        ] {
            let (message, span) = Settings::parse(text).unwrap_err();
            assert_eq!(&text[span], bad, "{text}");
            assert!(message.contains("out of range"), "{message}");
        }
        let settings = Settings::parse(
            "max-file-mib = 2\n[fix]\nsession-timeout-minutes = 525600\nforms-timeout-minutes = 1\nredis-port = 65535\n",
        )
        .unwrap();
        assert_eq!(settings.fix.session_timeout_minutes, 525_600);
        assert_eq!(settings.fix.forms_timeout_minutes, 1);
        assert_eq!(settings.fix.redis_port, Some(65535));
        assert_eq!(settings.max_file_bytes, 2 * 1024 * 1024);
    }

    #[test]
    fn errors_point_at_the_key() {
        let text = "farm = true\n[rules]\nforms-timeout-to-low = \"off\"\n";
        let (message, span) = Settings::parse(text).unwrap_err();
        assert!(
            message.contains("did you mean `forms-timeout-too-low`"),
            "{message}"
        );
        assert_eq!(&text[span], "forms-timeout-to-low");

        let text = "[rules.session-timeout-too-low]\nmin-minute = 3\n";
        let (message, span) = Settings::parse(text).unwrap_err();
        assert!(message.contains("min-minute"), "{message}");
        assert_eq!(&text[span], "min-minute");

        let (message, _) = Settings::parse("farm = \"yes\"").unwrap_err();
        assert!(message.contains("true or false"), "{message}");
        let (message, _) = Settings::parse("colour = 1").unwrap_err();
        assert!(message.contains("unknown key `colour`"), "{message}");
    }
}
