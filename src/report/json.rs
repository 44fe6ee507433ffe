//! `--format json`: `{"diagnostics":[…],"errors":[…]}`, positions 1-based, columns in characters.

use serde_json::{Value, json};

use super::Run;

pub fn render(run: &Run) -> String {
    render_with(run, false)
}

/// With `show_suppressed`, findings inline suppressions silenced are listed too, and every
/// diagnostic has a `suppressed` key: `null`, or `{"kind": "ignore"|"ignore-file", "reason": …}`.
pub fn render_with(run: &Run, show_suppressed: bool) -> String {
    let mut diagnostics = Vec::new();
    let mut errors = Vec::new();
    for file in &run.files {
        let mut all: Vec<(&crate::diagnostic::Diagnostic, Value)> =
            file.diagnostics.iter().map(|d| (d, Value::Null)).collect();
        if show_suppressed {
            all.extend(file.suppressed.iter().map(|s| {
                let kind = if s.file_level {
                    "ignore-file"
                } else {
                    "ignore"
                };
                (&s.diagnostic, json!({ "kind": kind, "reason": s.reason }))
            }));
            all.sort_by_key(|(d, _)| d.range.start);
        }
        for (d, suppressed) in all {
            let (line, column) = file.line_col(d.range.start);
            let (end_line, end_column) = file.line_col(d.range.end);
            let fix = d.fix.as_ref().map_or(
                Value::Null,
                |f| json!({ "applicability": f.applicability.as_str(), "message": f.message }),
            );
            let mut diagnostic = json!({
                "rule": d.rule.name,
                "code": d.rule.code,
                "severity": d.severity.as_str(),
                "message": d.message,
                "path": file.display,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "fix": fix,
            });
            if show_suppressed {
                diagnostic["suppressed"] = suppressed;
            }
            diagnostics.push(diagnostic);
        }
        if let Some(err) = &file.error {
            errors.push(json!({ "path": file.display, "message": err.message, "line": err.line, "column": err.column }));
        }
    }
    for (path, message) in &run.path_errors {
        errors.push(
            json!({ "path": path, "message": message, "line": Value::Null, "column": Value::Null }),
        );
    }
    let mut out =
        serde_json::to_string_pretty(&json!({ "diagnostics": diagnostics, "errors": errors }))
            .expect("JSON values always serialise");
    out.push('\n');
    out
}
