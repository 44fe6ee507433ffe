//! `--format concise`: `path:line:col: rule message`, one line per finding, nothing else.
//!
//! Files that could not be checked have the same shape, `error` standing where a finding has its
//! rule: `path:line:col: error message` (`path:1:1: error message` for a path that could not be
//! walked), so one error format (`%f:%l:%c: %m`) picks up both.

use std::fmt::Write as _;

use super::{Run, terminal_safe};
use crate::paths::native;

pub fn render(run: &Run) -> String {
    let mut out = String::new();
    for file in &run.files {
        if let Some(err) = &file.error {
            let _ = writeln!(
                out,
                "{}:{}:{}: error {}",
                terminal_safe(&native(&file.display)),
                err.line,
                err.column,
                one_line(&err.message)
            );
        }
        for d in &file.diagnostics {
            let (line, column) = file.line_col(d.range.start);
            let _ = writeln!(
                out,
                "{}:{line}:{column}: {} {}",
                terminal_safe(&native(&file.display)),
                d.rule.name,
                one_line(&d.message_with_environments())
            );
        }
    }
    for (path, message) in &run.path_errors {
        let _ = writeln!(
            out,
            "{}:1:1: error {}",
            terminal_safe(&native(path)),
            one_line(message)
        );
    }
    out
}

/// Messages stay on their line: a line break would start what looks like another finding.
fn one_line(message: &str) -> String {
    terminal_safe(&message.replace(['\r', '\n'], " ")).into_owned()
}
