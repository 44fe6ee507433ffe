//! Which files to lint, and which of them are an application's root configuration.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::FileKind;
use crate::settings::Settings;

/// Folders never walked into: build output, packages and version control.
const SKIPPED_DIRS: &[&str] = &["bin", "obj", "node_modules", ".git"];

/// A file to lint.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    /// The command-line path it was found under (itself for a file named on the command line).
    pub root: PathBuf,
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Configuration files, by name: `web.config` and `applicationHost.config`, in any case.
/// Transform files (`Web.Release.config`, `*.config.transform`, `*.xdt`) do not match.
pub fn is_config_file_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("web.config") || name.eq_ignore_ascii_case("applicationHost.config")
}

/// Walks `paths`: directories recursively (respecting `.gitignore` inside or outside a git
/// repository, skipping `bin/`, `obj/`, `node_modules/`, `.git/` and `exclude`), files named on the
/// command line always. The result is sorted and free of duplicates.
pub fn discover(paths: &[PathBuf], settings: &Settings) -> (Vec<Target>, Vec<WalkError>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(err) => errors.push(WalkError {
                path: path.clone(),
                message: format!("cannot read: {err}"),
            }),
            Ok(meta) if !meta.is_dir() => targets.push(Target {
                path: path.clone(),
                root: path.clone(),
            }),
            Ok(_) => walk(path, settings, &mut targets, &mut errors),
        }
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    targets.dedup_by(|a, b| a.path == b.path);
    (targets, errors)
}

fn walk(root: &Path, settings: &Settings, targets: &mut Vec<Target>, errors: &mut Vec<WalkError>) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        // Outside a git repository `ignore` would skip .gitignore files altogether.
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry.depth() > 0
                && SKIPPED_DIRS
                    .iter()
                    .any(|d| entry.file_name().eq_ignore_ascii_case(d)))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry
                    .file_type()
                    .is_some_and(|t| t.is_file() || t.is_symlink());
                let named = entry.file_name().to_str().is_some_and(is_config_file_name);
                if is_file && named && !settings.is_excluded(entry.path()) {
                    match std::fs::metadata(entry.path()) {
                        Ok(meta) if meta.is_file() => targets.push(Target {
                            path: entry.path().to_owned(),
                            root: root.to_owned(),
                        }),
                        // A symlink named like a config file to a folder: walked like one.
                        Ok(_) => {}
                        // A dangling or looping symlink named like a config file is reported,
                        // as it is when named on the command line, rather than silently skipped.
                        Err(err) => errors.push(WalkError {
                            path: entry.path().to_owned(),
                            message: format!("cannot read: {err}"),
                        }),
                    }
                }
            }
            Err(err) => {
                let path = error_path(&err).unwrap_or_else(|| root.to_owned());
                errors.push(WalkError {
                    path,
                    message: err.to_string(),
                });
            }
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Answers "is there a web.config in this folder?" once per folder.
#[derive(Default)]
pub struct FolderIndex {
    has_web_config: HashMap<PathBuf, bool>,
}

impl FolderIndex {
    fn has_web_config(&mut self, dir: &Path) -> bool {
        *self
            .has_web_config
            .entry(dir.to_owned())
            .or_insert_with(|| {
                std::fs::read_dir(dir).is_ok_and(|entries| {
                    entries.flatten().any(|e| {
                        e.file_name()
                            .to_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case("web.config"))
                    })
                })
            })
    }

    /// Is this web.config an application's root configuration? An MVC `Views/Web.config` never
    /// is. Otherwise it is when it sets a section only an application may set, or when no folder
    /// above it has a web.config. "Above" reaches up to the repository's top (the folder with
    /// `.git`), else the current directory when the file is inside it, else the path it was found
    /// under: a nested web.config named on the command line (as pre-commit does) still sees its
    /// parent's.
    pub fn is_application_root(
        &mut self,
        target: &Target,
        kind: FileKind,
        sets_application_sections: bool,
    ) -> bool {
        if kind != FileKind::WebConfig || is_views_folder(&target.path) {
            return false;
        }
        if sets_application_sections {
            return true;
        }
        let Some(folder) = target.path.parent() else {
            return true;
        };
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_owned());
        let top = search_top(target, &folder);
        let mut above = folder.parent();
        while let Some(dir) = above {
            if !dir.starts_with(&top) {
                break;
            }
            if self.has_web_config(dir) {
                return false;
            }
            above = dir.parent();
        }
        true
    }
}

/// Is this file in an MVC `Views` folder (whose web.config only configures the view engine)?
pub fn is_views_folder(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n.eq_ignore_ascii_case("Views"))
}

/// How far up to look for a parent web.config: the repository's top, else the current directory
/// when `folder` is inside it, else the path the file was found under.
fn search_top(target: &Target, folder: &Path) -> PathBuf {
    if let Some(repo) = folder.ancestors().find(|dir| dir.join(".git").exists()) {
        return repo.to_owned();
    }
    if let Ok(cwd) = std::env::current_dir()
        && folder.starts_with(&cwd)
    {
        return cwd;
    }
    let root = std::path::absolute(&target.root).unwrap_or_else(|_| target.root.clone());
    if root.is_dir() {
        root
    } else {
        root.parent().map(Path::to_owned).unwrap_or(root)
    }
}
