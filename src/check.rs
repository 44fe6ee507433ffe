//! `iislint check`: discover, load, lint or fix each file in parallel, collect results in order.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::application::{ApplicationFacts, Role};
use crate::discover::{Discovery, FolderIndex, Target, discover};
use crate::fix::Applicability;
use crate::lint::{FileFacts, RuleSet, fix_linted, lint_text_full};
use crate::model::FileKind;
use crate::report::excerpt::{Excerpt, Positions, reported_offsets};
use crate::report::redact::Redactor;
use crate::report::{FileError, FileResult, Run, display_path};
use crate::settings::Settings;
use crate::source::{LineIndex, SourceText};
use crate::write::{WriteOptions, replace_file};

/// What `check` does with fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Report only.
    Off,
    /// Apply fixes at or above this applicability and write the files.
    Write(Applicability),
    /// Compute the fixes and show them as a diff; write nothing.
    Diff(Applicability),
}

pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub farm: bool,
    pub select: Vec<&'static str>,
    pub ignore: Vec<&'static str>,
    pub fix: FixMode,
    /// Keep the lines around each finding for snippets (the default output quotes them).
    pub excerpts: bool,
    /// How fixed files may be written.
    pub write: WriteOptions,
    /// Where the report goes: never one of the files the run reads or writes.
    pub output_file: Option<PathBuf>,
}

pub fn run(options: &CheckOptions, settings: &Settings) -> Result<Run, String> {
    let discovery = discover(&options.paths, settings);
    if let Some(output) = &options.output_file
        && let Some(input) = crate::discover::same_file_among(output, &discovery.targets)
    {
        return Err(format!(
            "--output-file {} is {}, a file this run {}; write the report elsewhere",
            display_path(output),
            display_path(&input.path),
            if options.fix == FixMode::Off {
                "lints"
            } else {
                "lints and fixes"
            }
        ));
    }
    let folders = FolderIndex::new(&discovery);
    let Discovery {
        targets,
        errors: walk_errors,
        ..
    } = discovery;
    // Only results with something to report are kept (the order stays that of `targets`): a
    // clean file costs nothing once it is checked, whatever the number of files.
    let check_all = || -> Vec<FileResult> {
        targets
            .par_iter()
            .map(|target| check_file_isolated(target, options, settings, &folders))
            .filter(|result| !result.is_clean())
            .collect()
    };
    let files = match options.fix {
        // Writing a fixed file (a new inode, a rename over the old one) blocks in the file
        // system's locks, not on the CPU. With more threads than cores, the cores go on checking
        // while files are written (--fix on 10,000 files was ~10 % faster than one per core).
        FixMode::Write(_) => rayon::ThreadPoolBuilder::new()
            .num_threads(4 * rayon::current_num_threads())
            .build()
            .map_or_else(|_| check_all(), |pool| pool.install(check_all)),
        _ => check_all(),
    };
    let hidden_unsafe_fixes = match options.fix {
        FixMode::Write(Applicability::Safe) | FixMode::Diff(Applicability::Safe) => files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .count(),
        _ => 0,
    };
    Ok(Run {
        checked: targets.len(),
        files,
        path_errors: walk_errors
            .into_iter()
            .map(|e| (display_path(&e.path), e.message))
            .collect(),
        fixing: options.fix != FixMode::Off,
        hidden_unsafe_fixes,
    })
}

/// [`check_file`], with a panic confined to its file: a bug triggered by one file becomes that
/// file's error (exit 2) and every other file is still checked and reported, instead of rayon
/// re-raising the panic and the whole run dying with exit 101 and no report.
fn check_file_isolated(
    target: &Target,
    options: &CheckOptions,
    settings: &Settings,
    folders: &FolderIndex,
) -> FileResult {
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_file(target, options, settings, folders)
    }));
    checked.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // A panic message may quote the file's text (a string slice's panic does): it did not
        // pass through the file's redactor, so it is masked here and kept short.
        let what: String = crate::report::redact::mask_secrets(&what)
            .chars()
            .take(200)
            .collect();
        FileResult {
            path: target.path.clone(),
            display: display_path(&target.path),
            positions: Positions::default(),
            excerpt: None,
            diagnostics: Vec::new(),
            error: Some(FileError {
                message: format!(
                    "internal error: iislint panicked on this file ({what}); please report it"
                ),
                line: 1,
                column: 1,
            }),
            fixed: Vec::new(),
            diff: None,
            suppressed: Vec::new(),
        }
    })
}

fn check_file(
    target: &Target,
    options: &CheckOptions,
    settings: &Settings,
    folders: &FolderIndex,
) -> FileResult {
    let (mut result, text) = check_file_text(target, options, settings, folders);
    if result.is_clean() {
        return result;
    }
    // The one place secrets are masked: everything a report can print about this file.
    let redactor = Redactor::new(text.as_deref().unwrap_or(""), settings.fix.secret_texts());
    redact(&mut result, &redactor);
    // Memory independent of the size of the files: a result keeps the positions the reports print
    // and, for snippets, the lines around each finding, never the whole text. Clean files keep
    // path and counts only, and their line index is never built.
    if let Some(text) = text.filter(|_| needs_text(&result)) {
        let index = LineIndex::new(&text);
        let reported = result
            .diagnostics
            .iter()
            .chain(result.suppressed.iter().map(|s| &s.diagnostic));
        result.positions = Positions::new(&text, &index, reported_offsets(reported).into_iter());
        if options.excerpts && !result.diagnostics.is_empty() {
            // Masking keeps every byte offset, so the ranges still point at the same lines.
            let masked = redactor.mask(&text);
            let ranges = result.diagnostics.iter().map(|d| d.range.clone());
            result.excerpt = Some(Excerpt::new(&masked, &index, ranges));
        }
    }
    result
}

/// Masks every text of `result` that a report may print. A fix whose edits would write a secret
/// (a new machine key, a password from the settings) keeps its description but loses its edits:
/// masked they would write a wrong value, unmasked they would leak it. `--fix` applied them
/// before this point.
fn redact(result: &mut FileResult, redactor: &Redactor) {
    let diagnostics = result
        .diagnostics
        .iter_mut()
        .chain(result.suppressed.iter_mut().map(|s| &mut s.diagnostic));
    for d in diagnostics {
        d.message = redactor.mask(&d.message);
        if let Some(fix) = &mut d.fix {
            fix.message = redactor.mask(&fix.message);
            if fix
                .edits
                .iter()
                .any(|e| redactor.mask(&e.content) != e.content)
            {
                fix.edits.clear();
            }
        }
    }
    for s in &mut result.suppressed {
        s.reason = s.reason.as_deref().map(|r| redactor.mask(r));
    }
    if let Some(error) = &mut result.error {
        error.message = redactor.mask(&error.message);
    }
    if let Some(diff) = &mut result.diff {
        *diff = redactor.mask_diff(diff);
    }
}

/// Does a reporter need this file's text (snippets, byte offsets to lines and columns)?
fn needs_text(result: &FileResult) -> bool {
    !result.diagnostics.is_empty() || !result.suppressed.is_empty() || result.error.is_some()
}

/// Checks one file; returns the result and the text its positions refer to (when decoded).
fn check_file_text(
    target: &Target,
    options: &CheckOptions,
    settings: &Settings,
    folders: &FolderIndex,
) -> (FileResult, Option<String>) {
    let mut result = FileResult {
        path: target.path.clone(),
        display: display_path(&target.path),
        positions: Positions::default(),
        excerpt: None,
        diagnostics: Vec::new(),
        error: None,
        fixed: Vec::new(),
        diff: None,
        suppressed: Vec::new(),
    };
    let fail = |mut result: FileResult, message: String, line: usize, column: usize| {
        result.error = Some(FileError {
            message,
            line,
            column,
        });
        result
    };
    let bytes = match crate::load::read_config_file(&target.path, settings.max_file_bytes) {
        Ok(bytes) => bytes,
        Err(message) => return (fail(result, message, 1, 1), None),
    };
    let source = match SourceText::decode_owned(bytes) {
        Ok(source) => source,
        Err(err) => return (fail(result, err.message, err.line, err.column), None),
    };
    if let Err(err) = crate::document::check_declared_encoding(&source.text, source.encoding) {
        return (
            fail(result, err.message, err.line, err.column),
            Some(source.text),
        );
    }
    let kind = FileKind::of_path(&target.path);
    let per_file = settings.ignored_rules(&target.path);
    let rules = RuleSet::new(settings, &options.select, &options.ignore, &per_file);
    // Project evidence decides whether a web.config is an application's root. Without any, a
    // web.config is one when no web.config sits above it, or when it sets an application-level
    // section. Only the second needs the model, so the folder answer comes first and the document
    // is parsed once per file: a nested file is linted as a non-root and linted again, as a root,
    // only in the rare case its model sets application sections.
    let (root_by_evidence, application) = application_of(folders, target, kind);
    let root_by_folder =
        root_by_evidence.unwrap_or_else(|| folders.is_application_root(target, kind, false));
    let mut facts = FileFacts {
        kind,
        farm: options.farm || settings.farm,
        application_root: root_by_folder,
        application: std::sync::Arc::new(application),
    };
    let may_set_sections = kind == FileKind::WebConfig
        && root_by_evidence.is_none()
        && !root_by_folder
        && !crate::discover::is_views_folder(&target.path);

    let text = source.text.as_str();
    let mut linted = lint_text_full(text, &facts, &rules, settings);
    if may_set_sections
        && let Ok(l) = &linted
        && l.model.web.sets_application_sections
    {
        facts.application_root = true;
        linted = lint_text_full(text, &facts, &rules, settings);
    }
    let linted = match linted {
        Ok(linted) => linted,
        Err(err) => {
            return (
                fail(result, err.message, err.line, err.column),
                Some(source.text),
            );
        }
    };
    let required = match options.fix {
        FixMode::Off => {
            result.diagnostics = linted.diagnostics;
            result.suppressed = linted.suppressed;
            return (result, Some(source.text));
        }
        FixMode::Write(a) | FixMode::Diff(a) => a,
    };
    // `--diff` shows the findings of the file as it is on disk.
    let on_disk = matches!(options.fix, FixMode::Diff(_))
        .then(|| (linted.diagnostics.clone(), linted.suppressed.clone()));
    let outcome = fix_linted(text, linted, &facts, &rules, settings, required);
    if let Some(problem) = &outcome.problem {
        result.error = Some(FileError {
            message: problem.clone(),
            line: 1,
            column: 1,
        });
    }
    let changed = outcome.text != source.text;
    match options.fix {
        FixMode::Diff(_) if changed => {
            let diff = similar::TextDiff::from_lines(text, &outcome.text)
                .unified_diff()
                .context_radius(3)
                .header(
                    &diff_name("a", &result.display),
                    &diff_name("b", &result.display),
                )
                .to_string();
            result.diff = Some(diff);
            if let Some((diagnostics, suppressed)) = on_disk {
                result.diagnostics = diagnostics;
                result.suppressed = suppressed;
            }
            return (result, Some(source.text));
        }
        FixMode::Write(_) if changed => {
            // The file as it was read: decoding is exact, so encoding the text gives its bytes.
            let linted = source.encode(&source.text);
            let fixed = source.encode(&outcome.text);
            #[cfg(debug_assertions)]
            hold_before_write();
            if let Err(err) = replace_file(&target.path, &linted, &fixed, options.write) {
                // Nothing was written; the error says why, and the file is as it was.
                return (fail(result, err.to_string(), 1, 1), Some(source.text));
            }
            result.fixed = outcome.fixed;
        }
        _ => {}
    }
    result.diagnostics = outcome.remaining;
    result.suppressed = outcome.suppressed;
    (result, Some(outcome.text))
}

/// A seam for the test of an edit made while iislint is fixing a file (debug builds only): with
/// `IISLINT_TEST_HOLD_BEFORE_WRITE=<folder>`, each write first creates `<folder>/ready`, then waits
/// (up to 30 s) for `<folder>/go`, so the test can change the file in between, deterministically.
#[cfg(debug_assertions)]
fn hold_before_write() {
    let Some(folder) = std::env::var_os("IISLINT_TEST_HOLD_BEFORE_WRITE") else {
        return;
    };
    let folder = PathBuf::from(folder);
    let _ = std::fs::write(folder.join("ready"), "");
    let started = std::time::Instant::now();
    while !folder.join("go").exists() && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// What the application model says about `target`: whether the repository shows it is an
/// application's root configuration (`None`: no evidence either way, the file decides), and the
/// application's facts for the rules.
pub fn application_of(
    folders: &FolderIndex,
    target: &Target,
    kind: FileKind,
) -> (Option<bool>, ApplicationFacts) {
    match folders.role(target, kind) {
        Role::Application(application) => {
            let scans = folders.folder_scans(&application.source_folders);
            (Some(true), ApplicationFacts::new(Some(application), scans))
        }
        Role::NotApplication(_) => (Some(false), ApplicationFacts::default()),
        Role::Undecided => (None, ApplicationFacts::default()),
    }
}

/// `a/path` as git writes it; an absolute path keeps its own leading slash. A name with a
/// control character, `"`, `\` or a non-ASCII byte is quoted and escaped the way git does
/// (`quote_c_style` with `core.quotePath`), so `git apply` and patch read it back.
fn diff_name(side: &str, display: &str) -> String {
    let name = format!("{side}/{}", display.trim_start_matches('/'));
    let needs_quotes = name
        .bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f);
    if !needs_quotes {
        return name;
    }
    let mut quoted = String::from("\"");
    for b in name.bytes() {
        match b {
            0x07 => quoted.push_str("\\a"),
            0x08 => quoted.push_str("\\b"),
            b'\t' => quoted.push_str("\\t"),
            b'\n' => quoted.push_str("\\n"),
            0x0b => quoted.push_str("\\v"),
            0x0c => quoted.push_str("\\f"),
            b'\r' => quoted.push_str("\\r"),
            b'"' => quoted.push_str("\\\""),
            b'\\' => quoted.push_str("\\\\"),
            b if !(0x20..0x7f).contains(&b) => quoted.push_str(&format!("\\{b:03o}")),
            b => quoted.push(b as char),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::diff_name;

    #[test]
    fn diff_names_are_quoted_as_git_quotes_them() {
        assert_eq!(diff_name("a", "site/web.config"), "a/site/web.config");
        assert_eq!(diff_name("b", "/srv/web.config"), "b/srv/web.config");
        assert_eq!(diff_name("a", "my site/web.config"), "a/my site/web.config");
        assert_eq!(
            diff_name("a", "t\tab/web.config"),
            "\"a/t\\tab/web.config\""
        );
        assert_eq!(
            diff_name("a", "q\"x\\y/web.config"),
            "\"a/q\\\"x\\\\y/web.config\""
        );
        assert_eq!(
            diff_name("b", "é/web.config"),
            "\"b/\\303\\251/web.config\""
        );
        assert_eq!(
            diff_name("a", "esc\u{1b}/web.config"),
            "\"a/esc\\033/web.config\""
        );
    }
}
