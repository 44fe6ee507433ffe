//! `--output-format msbuild`: one line per finding in the canonical format MSBuild and Visual
//! Studio read for errors and warnings, which Visual Studio's Error List, Rider and VS Code's
//! `$msCompile` problem matcher pick up:
//!
//! `C:\src\Shop\web.config(4,14): warning IIS101: forms authentication logs users out …`
//!
//! - The format: "MSBuild and Visual Studio format for diagnostic messages",
//!   <https://learn.microsoft.com/visualstudio/msbuild/msbuild-diagnostic-format-for-tasks>:
//!   `Origin : [Subcategory] Category Code : Text`, where the origin is `file(line,col)` and the
//!   category is `error` or `warning` (the format has no third one: an `info` finding is written
//!   as a `warning`).
//! - VS Code's `$msCompile` matcher (`src/vs/workbench/contrib/tasks/common/problemMatcher.ts`
//!   in microsoft/vscode) reads it with
//!   `^\s*(?:\s*\d+>)?(\S.*?)(?:\((\d+|\d+,\d+|\d+,\d+,\d+,\d+)\))?\s*:\s+(?:(\S+)\s+)?((?:fatal +)?error|warning|info)\s+(\w+\d+)?\s*:\s*(.*)$`
//!   and takes the file name as an absolute path (`fileLocation: absolute`), so paths are
//!   written absolute, as MSBuild's own tasks write them. (VS Code before 1.36 required a code
//!   of one or two letters and digits, `\w{1,2}\d+`, which `IIS101` does not match.)
//!
//! The message ends with the rule's name in parentheses (inline suppressions name rules, not
//! codes). A file that could not be checked is an `error` with the code `IIS000`, at the line and
//! column of the problem (1,1 when there is none). Messages stay on one line.

use std::fmt::Write as _;

use super::Run;
use crate::diagnostic::Severity;

/// The code of a file or path that could not be checked: not a rule's (no rule has it).
pub const ERROR_CODE: &str = "IIS000";

pub fn render(run: &Run) -> String {
    let mut out = String::new();
    for file in &run.files {
        let path = absolute(&file.path);
        if let Some(err) = &file.error {
            let _ = writeln!(
                out,
                "{path}({},{}): error {ERROR_CODE}: {}",
                err.line,
                err.column,
                one_line(&err.message)
            );
        }
        for d in &file.diagnostics {
            let (line, column) = file.line_col(d.range.start);
            let category = match d.severity {
                Severity::Error => "error",
                Severity::Warning | Severity::Info => "warning",
            };
            let _ = writeln!(
                out,
                "{path}({line},{column}): {category} {}: {} ({})",
                d.rule.code,
                one_line(&d.message_with_environments()),
                d.rule.name
            );
        }
    }
    for (path, message) in &run.path_errors {
        let _ = writeln!(
            out,
            "{}(1,1): error {ERROR_CODE}: {}",
            absolute(std::path::Path::new(path)),
            one_line(message)
        );
    }
    out
}

/// The absolute path, `.` and `..` resolved, with the platform's separators.
fn absolute(path: &std::path::Path) -> String {
    let path = crate::paths::absolute_normalized(path);
    super::terminal_safe(&path.to_string_lossy()).into_owned()
}

/// A message on one line: a line break would start what reads as another entry.
fn one_line(message: &str) -> String {
    super::terminal_safe(&message.replace(['\r', '\n'], " ")).into_owned()
}
