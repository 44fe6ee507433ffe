//! The default output: rustc/miette-style snippets, then a summary.

use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::excerpt::{CONTEXT_LINES, Excerpt};
use super::{FileResult, Run};
use crate::diagnostic::Severity;
use crate::fix::Applicability;

/// miette's own `SourceCode` for strings scans the file from the start for every label; this
/// one answers from the lines the check kept around each finding.
#[derive(Debug)]
struct ExcerptSource<'a> {
    name: &'a str,
    excerpt: &'a Excerpt,
}

impl SourceCode for ExcerptSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let range = span.offset()..span.offset() + span.len();
        let lines = self
            .excerpt
            .lines(range.clone(), before, after)
            .ok_or(MietteError::OutOfBounds)?;
        if before == 0 && after == 0 {
            // Used for the `file:line:col` header: the column counts characters, like every output.
            let data = self
                .excerpt
                .slice(range.clone())
                .ok_or(MietteError::OutOfBounds)?;
            let column = lines
                .text
                .get(..range.start - lines.offset)
                .ok_or(MietteError::OutOfBounds)?
                .chars()
                .count();
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.to_owned(),
                data.as_bytes(),
                *span,
                lines.from_line,
                column,
                lines.line_count,
            )));
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            lines.text.as_bytes(),
            SourceSpan::new(lines.offset.into(), lines.text.len()),
            lines.from_line,
            0,
            lines.line_count,
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
        .with_context_lines(CONTEXT_LINES);
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
    let Some(excerpt) = &file.excerpt else {
        return;
    };
    let source = ExcerptSource {
        name: &file.display,
        excerpt,
    };
    for d in &file.diagnostics {
        let severity = match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        };
        let label_span = SourceSpan::new(d.range.start.into(), excerpt.label_len(&d.range));
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

/// A diagnostic with a borrowed source: `Report::with_source_code` would need an owned copy of
/// the file for every finding.
#[derive(Debug)]
struct WithSource<'a> {
    inner: MietteDiagnostic,
    source: &'a ExcerptSource<'a>,
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
                plural(run.checked, "file")
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
        let _ = writeln!(out, " ({} checked).", plural(run.checked, "file"));
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
