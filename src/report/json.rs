//! `--format json`: `{"diagnostics":[…],"errors":[…]}`, positions 1-based, columns in characters.
//!
//! The document is written from small structs that borrow from the results rather than from
//! `serde_json::Value` maps, which took several times the size of the output in memory. Keys are
//! in alphabetical order, as they always were.

use rayon::prelude::*;
use serde::Serialize;

use super::{FileResult, Run};
use crate::diagnostic::Diagnostic;

#[derive(Serialize)]
struct Document<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    column: usize,
    end_column: usize,
    end_line: usize,
    fix: Option<JsonFix<'a>>,
    line: usize,
    message: &'a str,
    path: &'a str,
    rule: &'a str,
    severity: &'a str,
    /// The environments whose deployed configuration has the finding, when the file was judged
    /// through its `Web.<Environment>.config` transforms.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    environments: &'a [String],
    /// Only with `--show-suppressed`: `null`, or how the finding was silenced.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Option<JsonSuppression<'a>>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'a str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    column: Option<usize>,
    line: Option<usize>,
    message: &'a str,
    path: &'a str,
}

pub fn render(run: &Run) -> String {
    render_with(run, false)
}

/// With `show_suppressed`, findings inline suppressions silenced are listed too, and every
/// diagnostic has a `suppressed` key: `null`, or `{"kind": "ignore"|"ignore-file", "reason": …}`.
pub fn render_with(run: &Run, show_suppressed: bool) -> String {
    // Each file's diagnostics are written on the pool's threads, then put in place: the same
    // bytes as writing the whole document at once, which was a twentieth of a large run on one
    // thread.
    let files: Vec<String> = run
        .files
        .par_iter()
        .map(|file| file_diagnostics(file, show_suppressed))
        .collect();
    let mut errors = Vec::new();
    for file in &run.files {
        if let Some(err) = &file.error {
            errors.push(JsonError {
                column: Some(err.column),
                line: Some(err.line),
                message: &err.message,
                path: &file.display,
            });
        }
    }
    for (path, message) in &run.path_errors {
        errors.push(JsonError {
            column: None,
            line: None,
            message,
            path,
        });
    }
    let without_diagnostics = Document {
        diagnostics: Vec::new(),
        errors,
    };
    let rest =
        serde_json::to_string_pretty(&without_diagnostics).expect("JSON values always serialise");
    let empty = "{\n  \"diagnostics\": [],";
    let rest = rest
        .strip_prefix(empty)
        .expect("the document starts with its diagnostics");
    let diagnostics_len: usize = files.iter().map(|f| f.len()).sum();
    let mut out = String::with_capacity(empty.len() + diagnostics_len + rest.len() + 16);
    if diagnostics_len == 0 {
        out.push_str(empty);
    } else {
        out.push_str("{\n  \"diagnostics\": [");
        let mut first = true;
        for file in files.iter().filter(|f| !f.is_empty()) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(file);
        }
        out.push_str("\n  ],");
    }
    out.push_str(rest);
    out.push('\n');
    out
}

/// One file's diagnostics as they are inside the document's `diagnostics` array (each on a new
/// line, indented two levels, separated by commas); empty when it has none.
fn file_diagnostics(file: &FileResult, show_suppressed: bool) -> String {
    let mut all: Vec<(&Diagnostic, Option<JsonSuppression<'_>>)> =
        file.diagnostics.iter().map(|d| (d, None)).collect();
    if show_suppressed {
        all.extend(file.suppressed.iter().map(|s| {
            let kind = if s.file_level {
                "ignore-file"
            } else {
                "ignore"
            };
            let reason = s.reason.as_deref();
            (&s.diagnostic, Some(JsonSuppression { kind, reason }))
        }));
        all.sort_by_key(|(d, _)| d.range.start);
    }
    let mut out = String::new();
    for (d, suppression) in all {
        let diagnostic = diagnostic(file, d, show_suppressed.then_some(suppression));
        let pretty =
            serde_json::to_string_pretty(&diagnostic).expect("JSON values always serialise");
        if !out.is_empty() {
            out.push(',');
        }
        // A string's line breaks are escaped: every line break is the pretty printer's.
        for line in pretty.split('\n') {
            out.push_str("\n    ");
            out.push_str(line);
        }
    }
    out
}

fn diagnostic<'a>(
    file: &'a FileResult,
    d: &'a Diagnostic,
    suppressed: Option<Option<JsonSuppression<'a>>>,
) -> JsonDiagnostic<'a> {
    let (line, column) = file.line_col(d.range.start);
    let (end_line, end_column) = file.line_col(d.range.end);
    JsonDiagnostic {
        code: d.rule.code,
        column,
        end_column,
        end_line,
        fix: d.fix.as_ref().map(|f| JsonFix {
            applicability: f.applicability.as_str(),
            message: &f.message,
        }),
        line,
        message: &d.message,
        path: &file.display,
        rule: d.rule.name,
        severity: d.severity.as_str(),
        environments: &d.environments,
        suppressed,
    }
}
