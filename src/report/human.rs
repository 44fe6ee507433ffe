//! The default output: rustc/miette-style snippets, then a summary.

use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::excerpt::{CONTEXT_LINES, Excerpt};
use super::{FileResult, Run, terminal_safe};
use crate::diagnostic::Severity;
use crate::fix::Applicability;
use crate::paths::native;

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

/// Lines longer than this (in characters) are not drawn whole: the snippet shows a window of the
/// finding's line instead. miette panics on a column past 65,535, and a minified one-line
/// web.config would fill the terminal.
const MAX_DRAWN_LINE_CHARS: usize = 400;
/// Characters shown on each side of the finding in a clipped line.
const CLIPPED_CONTEXT_CHARS: usize = 40;
/// Characters of the finding itself shown in a clipped line.
const CLIPPED_LABEL_CHARS: usize = 80;

/// A window of one long line around a finding, as a source miette can draw. Offsets in the
/// window are its own; the header still names the finding's real line and column.
#[derive(Debug)]
struct ClippedLine<'a> {
    name: &'a str,
    window: String,
    /// The finding, within `window`.
    label: std::ops::Range<usize>,
    /// 0-based line and character column of the finding in the file.
    line: usize,
    column: usize,
}

impl<'a> ClippedLine<'a> {
    /// The window around `range` (offsets in the file), cut from the excerpt's line.
    fn new(name: &'a str, excerpt: &Excerpt, range: &std::ops::Range<usize>) -> Option<Self> {
        let lines = excerpt.lines(range.start..range.start, 0, 0)?;
        let line = lines.text.trim_end_matches(['\r', '\n']);
        let start = range.start - lines.offset;
        let before: Vec<(usize, char)> = line[..start].char_indices().collect();
        let from = before
            .len()
            .checked_sub(CLIPPED_CONTEXT_CHARS)
            .map_or(0, |i| before[i].0);
        let label_end = char_boundary_after(line, start, CLIPPED_LABEL_CHARS)
            .min(start + range.len().max(1))
            .min(line.len());
        let to = char_boundary_after(line, label_end, CLIPPED_CONTEXT_CHARS);
        let mut window = String::new();
        if from > 0 {
            window.push('…');
        }
        let label_start = window.len() + start - from;
        window.push_str(&line[from..to]);
        if to < line.len() {
            window.push('…');
        }
        Some(ClippedLine {
            name,
            label: label_start..label_start + (label_end - start),
            window,
            line: lines.from_line,
            column: before.len(),
        })
    }
}

/// The offset `chars` characters after `from` in `text` (its end when there are fewer).
fn char_boundary_after(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| from + i)
}

impl SourceCode for ClippedLine<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if before == 0 && after == 0 {
            let data = self
                .window
                .get(span.offset()..span.offset() + span.len())
                .ok_or(MietteError::OutOfBounds)?;
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.to_owned(),
                data.as_bytes(),
                *span,
                self.line,
                self.column,
                1,
            )));
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            self.window.as_bytes(),
            SourceSpan::new(0.into(), self.window.len()),
            self.line,
            0,
            1,
        )))
    }
}

/// Does any line of the snippet around `range` exceed what is drawn whole?
fn has_long_line(excerpt: &Excerpt, range: &std::ops::Range<usize>) -> bool {
    excerpt
        .lines(range.clone(), CONTEXT_LINES, CONTEXT_LINES)
        .is_some_and(|lines| {
            lines.text.len() > MAX_DRAWN_LINE_CHARS
                && lines
                    .text
                    .lines()
                    .any(|line| line.chars().nth(MAX_DRAWN_LINE_CHARS).is_some())
        })
}

pub struct HumanOptions {
    pub color: bool,
    /// The closing summary (`-q` leaves it out).
    pub summary: bool,
}

/// The default output, and how many findings could not be drawn (a bug: the caller exits 2).
pub struct Rendered {
    pub text: String,
    pub failures: usize,
}

pub fn render(run: &Run, options: &HumanOptions) -> Rendered {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES);
    let mut out = String::new();
    let mut failures = 0;
    for file in &run.files {
        failures += render_file(file, &handler, &mut out);
    }
    if options.summary {
        out.push_str(&summary(run));
    }
    Rendered {
        text: out,
        failures,
    }
}

/// Renders one file's error and findings; returns how many findings could not be drawn.
fn render_file(file: &FileResult, handler: &GraphicalReportHandler, out: &mut String) -> usize {
    if let Some(line) = error_line(file) {
        let _ = writeln!(out, "{line}");
    }
    let Some(excerpt) = &file.excerpt else {
        return 0;
    };
    let name = native(&file.display);
    let name = terminal_safe(&name);
    let source = ExcerptSource {
        name: &name,
        excerpt,
    };
    let mut failures = 0;
    for d in &file.diagnostics {
        let severity = match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        };
        let clipped = has_long_line(excerpt, &d.range)
            .then(|| ClippedLine::new(&name, excerpt, &d.range))
            .flatten();
        let label_span = match &clipped {
            Some(clipped) => SourceSpan::new(clipped.label.start.into(), clipped.label.len()),
            None => SourceSpan::new(d.range.start.into(), excerpt.label_len(&d.range)),
        };
        let mut diagnostic = MietteDiagnostic::new(d.message_with_environments())
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
        let source: &dyn SourceCode = match &clipped {
            Some(clipped) => clipped,
            None => &source,
        };
        // A bug in drawing one snippet must not cost the other findings: that finding is
        // printed as one line instead, and the run exits 2.
        let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut snippet = String::new();
            let _ = handler.render_report(
                &mut snippet,
                &WithSource {
                    inner: diagnostic,
                    source,
                },
            );
            snippet
        }));
        match drawn {
            Ok(snippet) => out.push_str(&snippet),
            Err(_) => {
                failures += 1;
                let (line, column) = file.line_col(d.range.start);
                let _ = writeln!(
                    out,
                    "{name}:{line}:{column}: {} {}\nerror: internal error: iislint could not draw this finding; please report it",
                    d.rule.name, d.message
                );
            }
        }
        out.push('\n');
    }
    failures
}

/// A diagnostic with a borrowed source: `Report::with_source_code` would need an owned copy of
/// the file for every finding.
struct WithSource<'a> {
    inner: MietteDiagnostic,
    source: &'a dyn SourceCode,
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
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

/// Every file and path that could not be checked, one `error:` line each (what `--diff` prints
/// on stderr).
pub fn errors(run: &Run) -> String {
    let mut out: String = run.files.iter().filter_map(error_line).collect();
    out.push_str(&path_errors(run));
    out
}

/// `error: path:line:col: message` and a line break, for a file that could not be checked.
fn error_line(file: &FileResult) -> Option<String> {
    file.error.as_ref().map(|err| {
        format!(
            "error: {}:{}:{}: {}\n",
            terminal_safe(&native(&file.display)),
            err.line,
            err.column,
            terminal_safe(&err.message)
        )
    })
}

fn path_errors(run: &Run) -> String {
    let mut out = String::new();
    for (path, message) in &run.path_errors {
        let _ = writeln!(
            out,
            "error: {}: {}",
            terminal_safe(&native(path)),
            terminal_safe(message)
        );
    }
    out
}

/// The closing lines: what was fixed, what was found (errors, warnings and info findings
/// counted apart, as they decide the exit code: info alone never makes it 1), what is fixable.
/// A run that found no configuration file says nothing here: the CLI warns about it on stderr.
pub fn summary(run: &Run) -> String {
    let mut out = path_errors(run);
    let counts = run.severity_counts();
    let fixed = run.fixed_count();
    let errors = run.error_count();
    let safe = fixable(run, Applicability::Safe);
    let unsafe_only = fixable(run, Applicability::Unsafe) - safe;
    if fixed > 0 {
        let _ = writeln!(out, "Fixed {}.", plural(fixed, "problem"));
    }
    let checked = plural(run.checked, "file");
    if counts.problems() == 0 && errors == 0 {
        if counts.info > 0 {
            let _ = writeln!(
                out,
                "No errors or warnings; {} ({checked} checked).",
                plural(counts.info, "info finding")
            );
        } else if fixed == 0 && run.checked > 0 {
            let _ = writeln!(out, "All checks passed ({checked} checked).");
        }
    } else {
        let mut found: Vec<String> = Vec::new();
        if counts.error > 0 {
            found.push(plural(counts.error, "error"));
        }
        if counts.warning > 0 {
            found.push(plural(counts.warning, "warning"));
        }
        if counts.info > 0 {
            found.push(plural(counts.info, "info finding"));
        }
        let mut sentence = Vec::new();
        if !found.is_empty() {
            let remaining = if fixed > 0 { " remaining" } else { "" };
            sentence.push(format!("Found {}{remaining}", and_list(&found)));
        }
        if errors > 0 {
            sentence.push(format!("{} could not be checked", plural(errors, "file")));
        }
        let _ = writeln!(out, "{} ({checked} checked).", sentence.join("; "));
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
            "{} silenced by inline suppressions (listed by `--output-format json --show-suppressed`).",
            plural(suppressed, "problem")
        );
    }
    out
}

/// `1 error`, `2 errors`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub fn fixable(run: &Run, at_least: Applicability) -> usize {
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
