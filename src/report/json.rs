//! `--format json`: `{"diagnostics":[…],"errors":[…]}`, positions 1-based, columns in characters.

use serde_json::{Value, json};

use super::Run;

pub fn render(run: &Run) -> String {
    let mut diagnostics = Vec::new();
    let mut errors = Vec::new();
    for file in &run.files {
        for d in &file.diagnostics {
            let (line, column) = file.line_col(d.range.start);
            let (end_line, end_column) = file.line_col(d.range.end);
            let fix = d.fix.as_ref().map_or(
                Value::Null,
                |f| json!({ "applicability": f.applicability.as_str(), "message": f.message }),
            );
            diagnostics.push(json!({
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
            }));
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
