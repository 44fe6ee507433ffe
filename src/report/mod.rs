//! Output formats. Every format reads the same [`FileResult`]s, in the same (sorted) order.

pub mod azure;
pub mod concise;
pub mod excerpt;
pub mod github;
pub mod human;
pub mod json;
pub mod msbuild;
pub mod redact;
pub mod sarif;
pub mod statistics;

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use excerpt::{Excerpt, Positions};

/// A file that could not be read, decoded, parsed or written; 1-based line and character column.
#[derive(Debug, Clone)]
pub struct FileError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Everything known about one file after the run.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub path: PathBuf,
    /// Relative to the current directory, with `/` separators.
    pub display: String,
    /// Line and column of every offset the reports print (of the final text).
    pub positions: Positions,
    /// The lines around each diagnostic, masked, for the default output's snippets (only when
    /// that output is asked for).
    pub excerpt: Option<Excerpt>,
    pub diagnostics: Vec<Diagnostic>,
    pub error: Option<FileError>,
    /// Rules whose fixes were applied (one entry per applied fix).
    pub fixed: Vec<&'static str>,
    /// `--diff`: the unified diff of what `--fix` would write.
    pub diff: Option<String>,
    /// Findings inline suppressions silenced (shown with `--show-suppressed`).
    pub suppressed: Vec<crate::suppress::Suppressed>,
    /// The files the findings' fix edits are in: an [`Edit`](crate::fix::Edit)'s `file` indexes
    /// this list (a fix may edit another file than its finding's, such as a transform).
    pub edit_files: Vec<PathBuf>,
}

impl FileResult {
    /// Nothing to report: no finding, error, fix, diff or suppressed finding.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
            && self.error.is_none()
            && self.fixed.is_empty()
            && self.diff.is_none()
            && self.suppressed.is_empty()
    }

    /// The file a fix edit of one of this result's findings is in.
    pub fn edit_file(&self, edit: &crate::fix::Edit) -> &std::path::Path {
        self.edit_files
            .get(edit.file)
            .map_or(&self.path, PathBuf::as_path)
    }

    /// 1-based line and character column of a byte offset into the file's text.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.positions.line_col(offset)
    }
}

/// The whole run, for the reporters.
#[derive(Debug, Default)]
pub struct Run {
    /// How many files were checked.
    pub checked: usize,
    /// The files with something to report, in path order (clean files are not kept).
    pub files: Vec<FileResult>,
    /// Errors not tied to a readable file (a path that does not exist).
    pub path_errors: Vec<(String, String)>,
    pub fixing: bool,
    /// Fixes that `--unsafe-fixes` would add to this run.
    pub hidden_unsafe_fixes: usize,
    /// What the run built to check its files (the folder index, the parents kept, the settings,
    /// the targets), which no report reads: tens of thousands of small allocations made on the
    /// pool's threads. It goes with the run; the command line, which exits right after, never
    /// frees either.
    pub built: Option<Box<dyn std::any::Any + Send>>,
}

impl Run {
    pub fn diagnostic_count(&self) -> usize {
        self.files.iter().map(|f| f.diagnostics.len()).sum()
    }

    pub fn error_count(&self) -> usize {
        self.files.iter().filter(|f| f.error.is_some()).count() + self.path_errors.len()
    }

    pub fn fixed_count(&self) -> usize {
        self.files.iter().map(|f| f.fixed.len()).sum()
    }

    /// The findings by severity.
    pub fn severity_counts(&self) -> SeverityCounts {
        let mut counts = SeverityCounts::default();
        for d in self.files.iter().flat_map(|f| &f.diagnostics) {
            match d.severity {
                crate::diagnostic::Severity::Error => counts.error += 1,
                crate::diagnostic::Severity::Warning => counts.warning += 1,
                crate::diagnostic::Severity::Info => counts.info += 1,
            }
        }
        counts
    }
}

/// How many findings of each severity a run has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl SeverityCounts {
    /// The findings that make the exit code 1: errors and warnings (info never does).
    pub fn problems(&self) -> usize {
        self.error + self.warning
    }
}

pub use crate::paths::display_path;

/// FNV-1a, 64 bits: a hash that is the same in every run, version and platform (the standard
/// library's hashers promise no such thing), for fingerprints that must not change.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Text for a terminal: control characters (an escape sequence in a file's name could rewrite
/// the screen or hide a line) are written escaped, as Rust writes them (`\t`, `\u{1b}`).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{display_path, terminal_safe};

    #[test]
    fn the_stable_hash_is_fnv_1a() {
        // The published test vectors of FNV-1a 64.
        assert_eq!(super::stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::stable_hash(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn control_characters_are_escaped_for_terminals() {
        assert_eq!(terminal_safe("a/web.config"), "a/web.config");
        assert_eq!(terminal_safe("a\u{1b}[2J\tb/\r"), "a\\u{1b}[2J\\tb/\\r");
    }

    #[cfg(unix)]
    #[test]
    fn backslashes_in_names_are_kept_outside_windows() {
        assert_eq!(
            display_path(Path::new("a\\b/web.config")),
            "a\\b/web.config"
        );
    }
    use std::path::Path;

    #[test]
    fn relative_paths_are_shown_as_given_without_dot_components() {
        assert_eq!(
            display_path(Path::new("./a/./b//web.config")),
            "a/b/web.config"
        );
        assert_eq!(
            display_path(Path::new("../up/web.config")),
            "../up/web.config"
        );
        assert_eq!(display_path(Path::new(".")), ".");
    }

    #[test]
    fn absolute_paths_below_the_current_directory_become_relative() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(display_path(&cwd.join("x/web.config")), "x/web.config");
        let outside = cwd
            .parent()
            .unwrap_or(&cwd)
            .join("elsewhere-iislint/web.config");
        if !outside.starts_with(&cwd) {
            assert_eq!(
                display_path(&outside),
                outside.to_string_lossy().replace('\\', "/")
            );
        }
    }
}
