//! The default output: rustc/miette-style snippets, then a summary.

use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{FileResult, Run};
use crate::diagnostic::Severity;
use crate::fix::Applicability;
use crate::source::LineIndex;

/// miette's own `SourceCode` for strings scans the file from the start for every label; this
/// one answers from the file's line index.
#[derive(Debug)]
struct IndexedSource<'a> {
    name: &'a str,
    text: &'a str,
    index: &'a LineIndex,
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len()
            || !self.text.is_char_boundary(start)
            || !self.text.is_char_boundary(end)
        {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = self.index.line_of(start);
        if before == 0 && after == 0 {
            // Used for the `file:line:col` header: the column counts characters, like every output.
            let (_, column) = self.index.line_col(self.text, start);
            let data = &self.text.as_bytes()[start..end];
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.to_owned(),
                data,
                *span,
                first_line,
                column - 1,
                self.index.line_of(end.saturating_sub(1).max(start)) - first_line + 1,
            )));
        }
        let last_line = self.index.line_of(end.saturating_sub(1).max(start));
        let from_line = first_line.saturating_sub(before);
        let to_line = (last_line + after).min(self.index.line_count() - 1);
        let from = self.index.line_start(from_line);
        let to = if to_line + 1 < self.index.line_count() {
            self.index.line_start(to_line + 1)
        } else {
            self.text.len()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            &self.text.as_bytes()[from..to],
            SourceSpan::new(from.into(), to - from),
            from_line,
            0,
            to_line - from_line + 1,
        )))
    }
}

pub struct HumanOptions {
    pub color: bool,
}

pub fn render(run: &Run, options: &HumanOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for file in &run.files {
        render_file(file, &handler, &mut out);
    }
    out.push_str(&summary(run));
    out
}

fn render_file(file: &FileResult, handler: &GraphicalReportHandler, out: &mut String) {
    if let Some(err) = &file.error {
        let _ = writeln!(
            out,
            "error: {}:{}:{}: {}\n",
            file.display, err.line, err.column, err.message
        );
    }
    let (Some(text), Some(index)) = (&file.text, &file.index) else {
        return;
    };
    // Snippets show source lines, which may hold a machine key or a password. Masking keeps the
    // byte length, so the line index and every range still fit the masked text.
    let masked = super::redact::mask_secrets(text);
    let source = IndexedSource {
        name: &file.display,
        text: &masked,
        index,
    };
    for d in &file.diagnostics {
        let severity = match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        };
        let label_span = SourceSpan::new(d.range.start.into(), label_len(text, &d.range));
        let mut diagnostic = MietteDiagnostic::new(super::redact::mask_secrets(&d.message))
            .with_code(format!("{}({})", d.rule.name, d.rule.code))
            .with_severity(severity)
            .with_label(LabeledSpan::new_primary_with_span(None, label_span));
        if let Some(fix) = &d.fix {
            let how = match fix.applicability {
                Applicability::Safe => " (fix with --fix)",
                Applicability::Unsafe => " (fix with --fix --unsafe-fixes)",
                Applicability::DisplayOnly => "",
            };
            diagnostic = diagnostic.with_help(format!("{}{how}", fix.message));
        }
        let _ = handler.render_report(
            out,
            &WithSource {
                inner: diagnostic,
                source: &source,
            },
        );
        out.push('\n');
    }
}

/// Labels cover the first line of a span only: a start tag over several lines stays readable.
fn label_len(text: &str, range: &std::ops::Range<usize>) -> usize {
    let first_line_end = text[range.start..range.end.min(text.len())]
        .find(['\r', '\n'])
        .map(|i| range.start + i);
    first_line_end
        .unwrap_or(range.end)
        .saturating_sub(range.start)
        .max(1)
        .min(text.len() - range.start)
}

/// A diagnostic with a borrowed source: `Report::with_source_code` would need an owned copy of
/// the file for every finding.
#[derive(Debug)]
struct WithSource<'a> {
    inner: MietteDiagnostic,
    source: &'a IndexedSource<'a>,
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
}

pub fn summary(run: &Run) -> String {
    let mut out = String::new();
    for (path, message) in &run.path_errors {
        let _ = writeln!(out, "error: {path}: {message}");
    }
    let problems = run.diagnostic_count();
    let fixed = run.fixed_count();
    let errors = run.error_count();
    let safe = fixable(run, Applicability::Safe);
    let unsafe_only = fixable(run, Applicability::Unsafe) - safe;
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if fixed > 0 {
        let _ = writeln!(out, "Fixed {}.", plural(fixed, "problem"));
    }
    if problems == 0 && errors == 0 {
        if fixed == 0 {
            let _ = writeln!(
                out,
                "All checks passed ({} checked).",
                plural(run.files.len(), "file")
            );
        }
    } else {
        let _ = write!(out, "Found {}", plural(problems, "problem"));
        if fixed > 0 {
            out.push_str(" remaining");
        }
        if errors > 0 {
            let _ = write!(
                out,
                " and {} that could not be checked",
                plural(errors, "file")
            );
        }
        let _ = writeln!(out, " ({} checked).", plural(run.files.len(), "file"));
        if safe > 0 && !run.fixing {
            let _ = writeln!(out, "{} fixable with `--fix`.", plural(safe, "problem"));
        }
    }
    let hidden = if run.fixing {
        run.hidden_unsafe_fixes
    } else {
        unsafe_only
    };
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{} more fixable with `--fix --unsafe-fixes`.",
            plural(hidden, "problem")
        );
    }
    let suppressed: usize = run.files.iter().map(|f| f.suppressed.len()).sum();
    if suppressed > 0 {
        let _ = writeln!(
            out,
            "{} silenced by inline suppressions (listed by `--format json --show-suppressed`).",
            plural(suppressed, "problem")
        );
    }
    out
}

fn fixable(run: &Run, at_least: Applicability) -> usize {
    run.files
        .iter()
        .flat_map(|f| &f.diagnostics)
        .filter(|d| {
            d.fix.as_ref().is_some_and(|f| {
                f.applicability >= at_least && f.applicability != Applicability::DisplayOnly
            })
        })
        .count()
}
