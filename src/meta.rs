//! What a rule is, apart from what it checks: its name, code, level and fix, which the
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
    /// Stable: never reused or changed.
    pub code: &'static str,
    pub summary: &'static str,
    pub default_severity: Severity,
    pub fix: FixAvailability,
    pub options: &'static [RuleOption],
    /// `rules/<name>.md`, compiled in.
    pub doc: &'static str,
}
