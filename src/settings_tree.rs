//! Which `iislint.toml` applies to each file: the nearest one in the file's folder or above it,
//! as ruff finds its configuration per file; or, with `--config FILE`, that one for every file.
//!
//! The files are found without a look per folder: the walk reports every `iislint.toml` inside
//! the walked trees, and the folders from each command-line path up to the file system's root
//! are looked at once. Every one found is read before anything is checked, so a mistake in any
//! of them stops the run (exit 2) as a mistake in the one file did before.
//!
//! The nearest file wins whole: a nested `iislint.toml` does not inherit from one above it
//! (ruff's default too, without `extend`). Its globs (`exclude`, `per-file-ignores`, `[sites]`)
//! are relative to its own folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::settings::{CONFIG_FILE_NAME, Settings};

/// The settings of every file of a run.
#[derive(Debug, Clone)]
pub struct SettingsTree {
    /// `--config FILE`: every file's.
    fixed: Option<Arc<Settings>>,
    /// By folder (absolute, normalized): the settings of the `iislint.toml` in it.
    by_folder: HashMap<PathBuf, Arc<Settings>, rustc_hash::FxBuildHasher>,
    /// For a file with no `iislint.toml` above it.
    default: Arc<Settings>,
}

impl SettingsTree {
    /// One set of settings for every file.
    pub fn fixed(settings: Settings) -> SettingsTree {
        SettingsTree {
            fixed: Some(Arc::new(settings)),
            by_folder: HashMap::default(),
            default: Arc::new(Settings::default()),
        }
    }

    /// Reads `found` (the `iislint.toml` files a walk saw) and those in the folders of `paths`
    /// and above them; `adjust` applies the command line's overrides to each. The error is the
    /// first file's mistake, as `path:line:col: message`.
    pub fn discover(
        found: &[PathBuf],
        paths: &[PathBuf],
        adjust: &dyn Fn(&mut Settings),
    ) -> Result<SettingsTree, String> {
        let mut files: Vec<PathBuf> = found.to_vec();
        let mut seen_folders: std::collections::HashSet<PathBuf> = Default::default();
        for path in paths {
            let absolute = folder_key(path);
            let start = if absolute.is_dir() {
                absolute.as_path()
            } else {
                match absolute.parent() {
                    Some(parent) => parent,
                    None => continue,
                }
            };
            for folder in start.ancestors() {
                if !seen_folders.insert(folder.to_owned()) {
                    break;
                }
                let candidate = folder.join(CONFIG_FILE_NAME);
                if candidate.is_file() {
                    files.push(candidate);
                }
            }
        }
        let mut by_folder: HashMap<PathBuf, Arc<Settings>, rustc_hash::FxBuildHasher> =
            HashMap::default();
        files.sort();
        for file in files {
            let Some(folder) = file.parent().map(folder_key) else {
                continue;
            };
            if by_folder.contains_key(&folder) {
                continue;
            }
            let mut settings = load(&file)?;
            adjust(&mut settings);
            by_folder.insert(folder, Arc::new(settings));
        }
        let mut default = Settings::default();
        adjust(&mut default);
        Ok(SettingsTree {
            fixed: None,
            by_folder,
            default: Arc::new(default),
        })
    }

    /// The settings for the file at `path`: its folder's `iislint.toml` or the nearest above.
    pub fn for_file(&self, path: &Path) -> &Arc<Settings> {
        if let Some(fixed) = &self.fixed {
            return fixed;
        }
        if self.by_folder.is_empty() {
            return &self.default;
        }
        let file = folder_key(path);
        file.parent()
            .into_iter()
            .flat_map(Path::ancestors)
            .find_map(|folder| self.by_folder.get(folder))
            .unwrap_or(&self.default)
    }

    /// Is the file at `path` excluded by the `exclude` of its settings?
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.for_file(path).is_excluded(path)
    }
}

/// A path as the folder map keys it: absolute, `.` and `..` resolved.
fn folder_key(path: &Path) -> PathBuf {
    crate::paths::absolute_normalized(path)
}

/// Reads one `iislint.toml`; a mistake as `path:line:col: message`.
pub fn load(path: &Path) -> Result<Settings, String> {
    Settings::load(path).map_err(|e| {
        format!(
            "{}:{}:{}: {}",
            crate::report::display_path(&e.path),
            e.line,
            e.column,
            e.message
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_file_above_wins_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        std::fs::write(root.join("iislint.toml"), "farm = true\n").unwrap();
        std::fs::write(root.join("a/iislint.toml"), "max-file-mib = 2\n").unwrap();
        let nested = root.join("a/iislint.toml");
        let tree = SettingsTree::discover(&[nested], &[root.join("a/b")], &|_| {}).unwrap();
        let deep = tree.for_file(&root.join("a/b/c/web.config"));
        assert!(!deep.farm, "a nested file does not inherit");
        assert_eq!(deep.max_file_bytes, 2 * 1024 * 1024);
        assert!(tree.for_file(&root.join("web.config")).farm);
        assert!(tree.for_file(&root.join("x/web.config")).farm);
        let fixed = SettingsTree::fixed(Settings::default());
        assert!(!fixed.for_file(&root.join("web.config")).farm);
    }

    #[test]
    fn a_mistake_in_any_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/iislint.toml"), "farm = 1\n").unwrap();
        let error =
            SettingsTree::discover(&[dir.path().join("a/iislint.toml")], &[], &|_| {}).unwrap_err();
        assert!(
            error.ends_with("iislint.toml:1:8: expected true or false, found integer"),
            "{error}"
        );
    }
}
