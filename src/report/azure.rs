//! `--output-format azure`: one Azure Pipelines logging command per finding, which Azure DevOps
//! shows as an error or warning of the step, at the file and line:
//!
//! `##vso[task.logissue type=warning;sourcepath=/agent/_work/1/s/web.config;linenumber=4;columnnumber=14;code=IIS101]message`
//!
//! - The command and its properties: "Logging commands", LogIssue,
//!   <https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands#logissue-log-an-error-or-warning>
//!   (`type` is `error` or `warning`, so an `info` finding is a `warning`; "file paths should be
//!   given as absolute paths", so they are).
//! - Escaping, as the agent's task library writes commands (azure-pipelines-task-lib,
//!   `node/taskcommand.ts`): in a property value `%` → `%AZP25`, `\r` → `%0D`, `\n` → `%0A`,
//!   `]` → `%5D` and `;` → `%3B`; in the message `%`, `\r` and `\n`.
//!
//! The message ends with the rule's name in parentheses (inline suppressions name rules, not
//! codes). A file that could not be checked is a `type=error` command without a code.

use std::fmt::Write as _;

use super::Run;
use crate::diagnostic::Severity;

pub fn render(run: &Run) -> String {
    let mut out = String::new();
    for file in &run.files {
        let path = escape_property(&absolute(&file.path));
        if let Some(err) = &file.error {
            let _ = writeln!(
                out,
                "##vso[task.logissue type=error;sourcepath={path};linenumber={};columnnumber={}]{}",
                err.line,
                err.column,
                escape_data(&err.message)
            );
        }
        for d in &file.diagnostics {
            let (line, column) = file.line_col(d.range.start);
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning | Severity::Info => "warning",
            };
            let _ = writeln!(
                out,
                "##vso[task.logissue type={kind};sourcepath={path};linenumber={line};columnnumber={column};code={}]{}",
                escape_property(d.rule.code),
                escape_data(&format!(
                    "{} ({})",
                    d.message_with_environments(),
                    d.rule.name
                ))
            );
        }
    }
    for (path, message) in &run.path_errors {
        let _ = writeln!(
            out,
            "##vso[task.logissue type=error;sourcepath={}]{}",
            escape_property(&absolute(std::path::Path::new(path))),
            escape_data(message)
        );
    }
    out
}

/// The absolute path, `.` and `..` resolved.
fn absolute(path: &std::path::Path) -> String {
    crate::paths::absolute_normalized(path)
        .to_string_lossy()
        .into_owned()
}

/// The message after `]`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property's value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(']', "%5D").replace(';', "%3B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_task_library_does() {
        assert_eq!(escape_data("50% a\r\nb; c]"), "50%AZP25 a%0D%0Ab; c]");
        assert_eq!(escape_property("a;b]c%\n"), "a%3Bb%5Dc%AZP25%0A");
    }
}
