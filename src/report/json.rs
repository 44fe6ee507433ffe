//! `--format json`: `{"diagnostics":[…],"errors":[…]}`, positions 1-based, columns in characters.
//!
//! The document is written from small structs that borrow from the results rather than from
//! `serde_json::Value` maps, which took several times the size of the output in memory. Keys are
//! in alphabetical order, as they always were.

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
    let mut document = Document {
        diagnostics: Vec::new(),
        errors: Vec::new(),
    };
    for file in &run.files {
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
        for (d, suppression) in all {
            let diagnostic = diagnostic(file, d, show_suppressed.then_some(suppression));
            document.diagnostics.push(diagnostic);
        }
        if let Some(err) = &file.error {
            document.errors.push(JsonError {
                column: Some(err.column),
                line: Some(err.line),
                message: &err.message,
                path: &file.display,
            });
        }
    }
    for (path, message) in &run.path_errors {
        document.errors.push(JsonError {
            column: None,
            line: None,
            message,
            path,
        });
    }
    let mut out = serde_json::to_string_pretty(&document).expect("JSON values always serialise");
    out.push('\n');
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
