//! What a rule is, apart from what it checks: its name, code, group, level and fix, which the
//! diagnostics, the settings and the reports name without depending on the rules themselves.

/// How loudly a finding is reported; `iislint.toml` may change a rule's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Whether a rule can offer a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    }
}

/// What a rule is about. A group owns a range of codes (the digit after `IIS`), and decides
/// whether its rules run when no selection names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Logins and sessions that end too early, and farms that lose them: `IIS1xx`.
    Session,
    /// Configuration the runtime rejects or ignores, and iislint's own comments: `IIS2xx`,
    /// `IIS3xx`.
    Correctness,
    /// Settings that expose the site: `IIS5xx`.
    Security,
    /// Defence in depth, off unless selected: `IIS6xx`.
    Hardening,
}

impl Group {
    /// Every group, in code order.
    pub const ALL: &'static [Group] = &[
        Group::Session,
        Group::Correctness,
        Group::Security,
        Group::Hardening,
    ];

    /// The name selectors and reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Session => "session",
            Group::Correctness => "correctness",
            Group::Security => "security",
            Group::Hardening => "hardening",
        }
    }

    /// The group named `name`, ignoring case.
    pub fn parse(name: &str) -> Option<Group> {
        Group::ALL
            .iter()
            .copied()
            .find(|g| g.as_str().eq_ignore_ascii_case(name))
    }

    /// The code prefixes the group owns: its rules' codes start with one of them, and no other
    /// group's do.
    pub fn code_prefixes(self) -> &'static [&'static str] {
        match self {
            Group::Session => &["IIS1"],
            Group::Correctness => &["IIS2", "IIS3"],
            Group::Security => &["IIS5"],
            Group::Hardening => &["IIS6"],
        }
    }

    /// Does `code` (`IIS101`, any letter case) fall in this group's range?
    pub fn owns(self, code: &str) -> bool {
        self.code_prefixes().iter().any(|prefix| {
            code.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        })
    }

    /// Do the group's rules run when no selection names them? Hardening's do not: they flag
    /// settings many sites keep on purpose.
    pub fn default_enabled(self) -> bool {
        !matches!(self, Group::Hardening)
    }
}

/// A whole-number option of a rule, set in `iislint.toml` under `[rules.<name>]`.
#[derive(Debug)]
pub struct RuleOption {
    pub name: &'static str,
    pub default: i64,
    pub min: i64,
}

#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case, names the problem: reads well after "allow".
    pub name: &'static str,
    /// Stable: never reused or changed. In its group's range ([`Group::code_prefixes`]).
    pub code: &'static str,
    /// Decides the code range and whether the rule runs by default ([`Group::default_enabled`]).
    pub group: Group,
    pub summary: &'static str,
    pub default_severity: Severity,
    pub fix: FixAvailability,
    pub options: &'static [RuleOption],
    /// `rules/<name>.md`, compiled in.
    pub doc: &'static str,
}

impl RuleMeta {
    /// Does the rule run when no selector names it? Its group decides.
    pub fn default_enabled(&self) -> bool {
        self.group.default_enabled()
    }
}
