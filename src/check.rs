//! `iislint check`: discover, load, lint or fix each file in parallel, collect results in order.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::discover::{Discovery, FolderIndex, Target, discover};
use crate::fix::Applicability;
use crate::lint::{FileFacts, RuleSet, fix_linted, lint_text_full};
use crate::model::FileKind;
use crate::report::excerpt::{Excerpt, Positions, reported_offsets};
use crate::report::{FileError, FileResult, Run, display_path};
use crate::settings::Settings;
use crate::source::{LineIndex, SourceText};

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
}

pub fn run(options: &CheckOptions, settings: &Settings) -> Run {
    let discovery = discover(&options.paths, settings);
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
    Run {
        checked: targets.len(),
        files,
        path_errors: walk_errors
            .into_iter()
            .map(|e| (display_path(&e.path), e.message))
            .collect(),
        fixing: options.fix != FixMode::Off,
        hidden_unsafe_fixes,
    }
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
            // Snippets may show a machine key or a password; masking keeps every byte offset.
            let masked = crate::report::redact::mask_secrets(&text);
            let ranges = result.diagnostics.iter().map(|d| d.range.clone());
            result.excerpt = Some(Excerpt::new(&masked, &index, ranges));
        }
    }
    result
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
    let bytes = match std::fs::read(&target.path) {
        Ok(bytes) => bytes,
        Err(err) => {
            return (
                fail(result, format!("cannot read the file: {err}"), 1, 1),
                None,
            );
        }
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
    let mut facts = FileFacts {
        kind,
        farm: options.farm || settings.farm,
        application_root: false,
    };

    // A web.config is an application root when no web.config sits above it, or when it sets an
    // application-level section. Only the second needs the model, so the folder answer comes
    // first and the document is parsed once per file: a nested file is linted as a non-root and
    // linted again, as a root, only in the rare case its model sets application sections.
    let root_by_folder = folders.is_application_root(target, kind, false);
    facts.application_root = root_by_folder;
    let may_set_sections = kind == FileKind::WebConfig
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
            if let Err(err) =
                crate::write::write_atomically(&target.path, &source.encode(&outcome.text))
            {
                return (
                    fail(result, format!("cannot write the fixed file: {err}"), 1, 1),
                    Some(outcome.text),
                );
            }
            result.fixed = outcome.fixed;
        }
        _ => {}
    }
    result.diagnostics = outcome.remaining;
    result.suppressed = outcome.suppressed;
    (result, Some(outcome.text))
}

/// `a/path` as git writes it; an absolute path keeps its own leading slash.
fn diff_name(side: &str, display: &str) -> String {
    format!("{side}/{}", display.trim_start_matches('/'))
}
