//! What a rule reports.

use std::ops::Range;

use crate::fix::Fix;
pub use crate::meta::{RuleMeta, Severity};

/// One finding. `range` is a byte range into the decoded text of `file`: the attribute that
/// decides the finding, or the start tag of the element when the setting is absent.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    /// Which of the files the judged file's view is made of (see [`crate::view`]); 0, the
    /// judged file, until the finding is located.
    pub file: crate::view::FileIndex,
    pub range: Range<usize>,
    pub fix: Option<Fix>,
    /// The loudest this finding may be, whatever the rule's level (a finding the rule itself
    /// judges less certain, such as a farm key no source of the application needs).
    pub max_severity: Option<Severity>,
    /// The environments (`Web.<Environment>.config`) whose deployed configuration has this
    /// finding; empty when the file was judged as written.
    pub environments: Vec<String>,
}

impl Diagnostic {
    /// The message, naming the environments when the file was judged through transforms
    /// (`… (deployed: Release, Staging)`).
    pub fn message_with_environments(&self) -> String {
        if self.environments.is_empty() {
            self.message.clone()
        } else {
            format!(
                "{} (deployed: {})",
                self.message,
                self.environments.join(", ")
            )
        }
    }

    pub fn new(
        rule: &'static RuleMeta,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.default_severity,
            message: message.into(),
            file: 0,
            range,
            fix: None,
            max_severity: None,
            environments: Vec::new(),
        }
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Diagnostic {
        self.fix = fix;
        self
    }

    /// Reports this finding at most at `severity`.
    pub fn at_most(mut self, severity: Severity) -> Diagnostic {
        self.max_severity = Some(severity);
        self
    }
}
