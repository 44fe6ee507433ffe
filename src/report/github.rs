//! `--format github`: one GitHub Actions workflow command per finding, which GitHub shows as an
//! annotation on the file and line:
//!
//! `::warning file=site/web.config,line=5,col=7,endLine=5,endColumn=19,title=forms-timeout-too-low::…`
//!
//! Levels: error → `error`, warning → `warning`, info → `notice`. Files that could not be checked
//! are `::error` commands titled `iislint`. Escaping follows GitHub's runner (`toolkit/core`
//! `command.ts`): in the message `%`, `\r` and `\n`; in property values also `:` and `,`.

use std::fmt::Write as _;

use super::Run;
use crate::diagnostic::Severity;
use crate::paths::native;

pub fn render(run: &Run) -> String {
    let mut out = String::new();
    for file in &run.files {
        if let Some(err) = &file.error {
            let _ = writeln!(
                out,
                "::error file={},line={},col={},title=iislint::{}",
                escape_property(&native(&file.display)),
                err.line,
                err.column,
                escape_data(&err.message)
            );
        }
        for d in &file.diagnostics {
            let (line, column) = file.line_col(d.range.start);
            let (end_line, end_column) = file.line_col(d.range.end);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let _ = writeln!(
                out,
                "::{level} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
                escape_property(&native(&file.display)),
                escape_property(d.rule.name),
                escape_data(&format!("{} ({})", d.message, d.rule.code))
            );
        }
    }
    for (path, message) in &run.path_errors {
        let _ = writeln!(
            out,
            "::error file={},title=iislint::{}",
            escape_property(&native(path)),
            escape_data(message)
        );
    }
    out
}

/// The message after `::`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("C:/a,b%"), "C%3A/a%2Cb%25");
    }
}
