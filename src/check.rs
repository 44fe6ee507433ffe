//! `iislint check`: discover, load, lint or fix each file in parallel, collect results in order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rayon::prelude::*;

use crate::application::{ApplicationFacts, Role};
use crate::discover::{Discovery, FolderIndex, Target, discover_with};
use crate::fix::Applicability;
use crate::lint::{Bundle, FileFacts, RuleSet, fix_linted, lint_bundle, lint_bundle_parsed};
use crate::model::FileKind;
use crate::report::excerpt::{Excerpt, Positions, reported_offsets};
use crate::report::redact::{Learned, Redactor};
use crate::report::{FileError, FileResult, Run, display_path};
use crate::resolve::{Include, ParentSections};
use crate::rules::unused_suppression;
use crate::settings::Settings;
use crate::settings_tree::SettingsTree;
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
    /// `--select`, `--extend-select`, `--ignore`: applied after the configuration's selection.
    pub selection: crate::rules::Selection,
    pub fix: FixMode,
    /// Keep the lines around each finding for snippets (the default output quotes them).
    pub excerpts: bool,
    /// Keep a hash of the line of each finding (SARIF's `partialFingerprints`; no other report
    /// prints one, and it costs a masking of each line).
    pub line_hashes: bool,
    /// How fixed files may be written.
    pub write: WriteOptions,
    /// Where the report goes: never one of the files the run reads or writes.
    pub output_file: Option<PathBuf>,
    /// `--environment`: the deployed views to judge (`none`: the file as written); empty for
    /// the settings' `environments`, else every transform but `Debug`.
    pub environments: Vec<String>,
    /// `--force-exclude`: a file named on the command line is left out too when `exclude`
    /// names it (pre-commit names every staged file).
    pub force_exclude: bool,
    /// `--stdin-filename PATH -`: the one file checked is PATH, its bytes from standard input.
    pub stdin: Option<Stdin>,
    /// Texts that replace files on disk wherever the run reads them (a language server's open
    /// buffers): the files checked, their parents, `configSource` files and transforms.
    pub overlay: Arc<Overlay>,
}

/// Unsaved texts that stand for files on disk, by file (any spelling of a path to it).
#[derive(Debug, Default, Clone)]
pub struct Overlay {
    texts: HashMap<PathBuf, Arc<[u8]>>,
}

impl Overlay {
    pub fn insert(&mut self, path: &Path, bytes: impl Into<Arc<[u8]>>) {
        self.texts.insert(file_key(path), bytes.into());
    }

    pub fn remove(&mut self, path: &Path) {
        self.texts.remove(&file_key(path));
    }

    /// The unsaved text standing for the file at `path`, if any.
    pub fn get(&self, path: &Path) -> Option<&Arc<[u8]>> {
        if self.texts.is_empty() {
            return None;
        }
        self.texts.get(&file_key(path))
    }

    /// The bytes of a configuration file: the unsaved text when there is one, else the disk's.
    fn read(&self, path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
        self.read_as(path, max_bytes, crate::load::read_config_file)
    }

    /// [`Overlay::read`], the disk's bytes read by `read_disk`.
    fn read_as(
        &self,
        path: &Path,
        max_bytes: u64,
        read_disk: fn(&Path, u64) -> Result<Vec<u8>, String>,
    ) -> Result<Vec<u8>, String> {
        match self.get(path) {
            Some(bytes) => {
                crate::load::check_size(bytes.len() as u64, max_bytes).map(|()| bytes.to_vec())
            }
            None => read_disk(path, max_bytes),
        }
    }
}

/// A file whose text comes from standard input (an editor's unsaved buffer) rather than from
/// disk. It is checked as the file at `path` would be: its `iislint.toml`, parents,
/// `configSource` files and transforms are read from `path`'s folder on disk. Nothing is ever
/// written: with `--fix`, its fixed text is kept in `fixed` (for standard output), and fixes of
/// the other files of its view are dropped; with `--diff`, only its own diff is shown.
#[derive(Debug)]
pub struct Stdin {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// With `--fix`: the fixed text, in the input's encoding (unset when nothing was fixed or
    /// the text could not be checked: the input is then the output).
    pub fixed: std::sync::OnceLock<Vec<u8>>,
}

impl Stdin {
    /// What `--fix` prints: the fixed text, else the input unchanged.
    pub fn output(&self) -> &[u8] {
        self.fixed.get().map_or(&self.bytes, Vec::as_slice)
    }
}

/// The bytes of the file a check starts from: standard input's for `--stdin-filename`, else
/// the file's on disk.
fn read_target(
    target: &Target,
    options: &CheckOptions,
    settings: &Settings,
) -> Result<Vec<u8>, String> {
    match options.stdin.as_ref().filter(|s| s.path == target.path) {
        Some(stdin) => crate::load::check_size(stdin.bytes.len() as u64, settings.max_file_bytes)
            .map(|()| stdin.bytes.clone()),
        // The walk saw a regular file (a file named on the command line is looked at first).
        None if target.root != target.path => options.overlay.read_as(
            &target.path,
            settings.max_file_bytes,
            crate::load::read_walked_file,
        ),
        None => options.overlay.read(&target.path, settings.max_file_bytes),
    }
}

/// What a run checks, and with which settings: the files found (and left after `exclude`), the
/// paths that could not be walked, and the settings of each file.
pub struct Plan {
    discovery: Discovery,
    pub settings: SettingsTree,
}

impl Plan {
    /// The files the run checks, in path order.
    pub fn targets(&self) -> &[Target] {
        &self.discovery.targets
    }
}

/// Finds the files to check and their settings: `settings` gets the `iislint.toml` files the
/// walk saw and answers with every file's settings (see [`SettingsTree`]). A walked file its
/// settings' `exclude` names is left out; so is a file named on the command line, with
/// `--force-exclude`.
pub fn plan(
    options: &CheckOptions,
    settings: impl FnOnce(&[PathBuf]) -> Result<SettingsTree, String>,
) -> Result<Plan, String> {
    let mut discovery = match &options.stdin {
        // The file from standard input, as if named on the command line (it need not exist).
        Some(stdin) => Discovery {
            targets: vec![Target {
                path: stdin.path.clone(),
                root: stdin.path.clone(),
            }],
            ..Discovery::default()
        },
        None => {
            // An open buffer whose file is not on disk yet (a new web.config) is checked as if it
            // were there, as standard input is.
            let (unsaved, on_disk): (Vec<PathBuf>, Vec<PathBuf>) = options
                .paths
                .iter()
                .cloned()
                .partition(|path| options.overlay.get(path).is_some() && !path.exists());
            let mut discovery = discover_with(&on_disk, &|_| false);
            // `discover_with` gives its targets in path order already.
            if !unsaved.is_empty() {
                discovery
                    .targets
                    .extend(unsaved.into_iter().map(|path| Target {
                        root: path.clone(),
                        path,
                    }));
                discovery.targets.sort_by(|a, b| a.path.cmp(&b.path));
            }
            discovery
        }
    };
    let settings = settings(&discovery.config_files)?;
    discovery.targets.retain(|target| {
        let named = target.root == target.path;
        (named && !options.force_exclude) || !settings.is_excluded(&target.path)
    });
    Ok(Plan {
        discovery,
        settings,
    })
}

/// [`plan`], then [`run_plan`].
pub fn run(
    options: &CheckOptions,
    settings: impl FnOnce(&[PathBuf]) -> Result<SettingsTree, String>,
) -> Result<Run, String> {
    run_plan(options, plan(options, settings)?)
}

/// Checks (and fixes) the files of `plan`.
pub fn run_plan(options: &CheckOptions, plan: Plan) -> Result<Run, String> {
    let Plan {
        discovery,
        settings: tree,
    } = plan;
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
    // Both on the pool's threads, side by side: the cores are otherwise idle until the first
    // check starts.
    let (folders, order) = rayon::join(
        || FolderIndex::new(&discovery),
        || CheckOrder::of(&discovery.targets),
    );
    let Discovery {
        targets,
        errors: walk_errors,
        ..
    } = discovery;
    let parents = ParentCache::new(options.overlay.clone());
    // Only results with something to report are kept (the order stays that of `targets`): a
    // clean file costs nothing once it is checked, whatever the number of files.
    // Each file's results are finished (masked, positioned, their texts dropped) as soon as it
    // is checked, so a run's memory grows with its findings, not with its files; results for one
    // file from several views are merged afterwards.
    // A web.config is checked after the web.config files above it (see [`CheckOrder`]), so that
    // their own checks give it their sections (parsed once) and, when fixing, it reads them
    // fixed.
    let check_all = || -> Vec<FileResult> {
        let checked: Vec<std::sync::OnceLock<Vec<Finished>>> =
            std::iter::repeat_with(std::sync::OnceLock::new)
                .take(targets.len())
                .collect();
        let check = |index: usize, parents: &ParentCache| {
            let settings = &**tree.for_file(&targets[index].path);
            let finished =
                check_file_isolated(&targets[index], options, settings, &folders, parents)
                    .into_iter()
                    .filter_map(|checked| {
                        let own = checked.own;
                        let key = file_key(&checked.result.path);
                        finish(checked, &key, options, settings, parents).map(|result| Finished {
                            key: key.into_os_string(),
                            result,
                            own,
                        })
                    })
                    .collect();
            let _ = checked[index].set(finished);
        };
        // The sites an applicationHost.config maps are judged by their web.config files read as
        // they are on disk, in a cache of their own: what they find does not depend on which
        // web.config files were checked (and let go of) before. When fixing, they are judged
        // once every web.config is written.
        let host_parents = ParentCache::new(options.overlay.clone());
        let check_web_config = |index: usize| check(index, &parents);
        let release = |folder_targets: &[usize]| {
            parents.release(folder_targets.iter().map(|&i| file_key(&targets[i].path)));
        };
        rayon::scope(|scope| {
            order.run(scope, &check_web_config, &release);
            if options.fix == FixMode::Off {
                for &index in &order.hosts {
                    let (check, host_parents) = (&check, &host_parents);
                    scope.spawn(move |_| check(index, host_parents));
                }
            }
        });
        if options.fix != FixMode::Off {
            order
                .hosts
                .par_iter()
                .for_each(|&index| check(index, &host_parents));
        }
        let checked = checked
            .into_iter()
            .map(|finished| finished.into_inner().unwrap_or_default())
            .collect();
        let deployed =
            std::mem::take(&mut *parents.deployed.lock().unwrap_or_else(|e| e.into_inner()));
        merge(checked, options.fix != FixMode::Off, &deployed)
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
    let checked = targets.len();
    Ok(Run {
        checked,
        files,
        path_errors: walk_errors
            .into_iter()
            .map(|e| (display_path(&e.path), e.message))
            .collect(),
        fixing: options.fix != FixMode::Off,
        hidden_unsafe_fixes,
        built: Some(Box::new((folders, parents, tree, targets))),
    })
}

/// The order of a run's checks: each web.config after the checked web.config files in the
/// folders above it, and nothing else waits. The web.config files are grouped by folder into a
/// tree (a folder's parent is the nearest folder above it with a checked web.config); a folder's
/// files are checked as soon as its parent folder's are, on whichever core is free, and the
/// files below it are started from there, so cores do not wait for a whole level of the tree to
/// end, and a parent is let go of as soon as the last file below it is checked. No file
/// inherits from an applicationHost.config: those are checked apart (`hosts`).
struct CheckOrder {
    folders: Vec<CheckFolder>,
    /// The folders with no checked web.config above them.
    roots: Vec<usize>,
    /// The applicationHost.config files (indexes into the targets).
    hosts: Vec<usize>,
}

struct CheckFolder {
    /// The indexes of its files among the targets.
    targets: Vec<usize>,
    children: Vec<usize>,
    parent: Option<usize>,
    /// Its files not checked yet.
    own_left: std::sync::atomic::AtomicUsize,
    /// Its files and child folders whose checks are not all done yet.
    subtree_left: std::sync::atomic::AtomicUsize,
}

impl CheckOrder {
    fn of(targets: &[Target]) -> CheckOrder {
        let hosts: Vec<bool> = targets
            .par_iter()
            .map(|t| FileKind::of_path(&t.path) == FileKind::ApplicationHost)
            .collect();
        let (hosts, web_configs): (Vec<usize>, Vec<usize>) =
            (0..targets.len()).partition(|&i| hosts[i]);
        // Each web.config's folder in component order: a folder comes right before the folders
        // below it. As the targets spell them when that orders them as their absolute, normalized
        // forms do (how `FolderIndex` finds parents): all in normal form, and all relative or all
        // absolute (the absolute form of a relative one only puts the same folder before it).
        // Otherwise made absolute and normalized.
        let spelled = |absolute: bool| {
            web_configs.par_iter().all(|&i| {
                let path = &targets[i].path;
                path.is_absolute() == absolute && crate::paths::is_plain(path)
            })
        };
        let spelled = spelled(false) || spelled(true);
        let mut keyed: Vec<(std::borrow::Cow<'_, Path>, usize)> = web_configs
            .into_par_iter()
            .map(|i| {
                let path = &targets[i].path;
                let folder = if spelled {
                    std::borrow::Cow::Borrowed(crate::paths::parent(path).unwrap_or(path))
                } else {
                    let file = crate::paths::absolute_normalized(path);
                    let folder = crate::paths::parent(&file).map(Path::to_owned);
                    std::borrow::Cow::Owned(folder.unwrap_or(file))
                };
                (folder, i)
            })
            .collect();
        // Paths in normal form (as on Unix they all are) compare by their bytes.
        let plain = spelled
            || keyed
                .par_iter()
                .all(|(folder, _)| crate::paths::is_plain(folder));
        if plain {
            keyed.par_sort_unstable_by(|a, b| {
                crate::paths::cmp_plain(&a.0, &b.0).then(a.1.cmp(&b.1))
            });
        } else {
            keyed.par_sort_unstable();
        }
        let mut order = CheckOrder {
            folders: Vec::new(),
            roots: Vec::new(),
            hosts,
        };
        let below = |folder: &Path, dir: &Path| {
            if plain {
                let (folder, dir) = (
                    folder.as_os_str().as_encoded_bytes(),
                    dir.as_os_str().as_encoded_bytes(),
                );
                // (The current folder, ``, is above every other relative one.)
                folder.len() > dir.len()
                    && folder.starts_with(dir)
                    && (dir.is_empty() || dir.ends_with(b"/") || folder[dir.len()] == b'/')
            } else {
                folder != dir && folder.starts_with(dir)
            }
        };
        // The folders above the current one, nearest last.
        let mut above: Vec<(usize, &Path)> = Vec::new();
        for (folder, group) in keyed
            .chunk_by(|a, b| a.0.as_os_str() == b.0.as_os_str())
            .map(|g| (&g[0].0, g))
        {
            while above.last().is_some_and(|(_, dir)| !below(folder, dir)) {
                above.pop();
            }
            let index = order.folders.len();
            let parent = above.last().map(|&(parent, _)| parent);
            match parent {
                Some(parent) => order.folders[parent].children.push(index),
                None => order.roots.push(index),
            }
            order.folders.push(CheckFolder {
                targets: group.iter().map(|&(_, i)| i).collect(),
                children: Vec::new(),
                parent,
                own_left: group.len().into(),
                subtree_left: group.len().into(),
            });
            above.push((index, folder));
        }
        for folder in &mut order.folders {
            *folder.subtree_left.get_mut() += folder.children.len();
        }
        order
    }

    /// Spawns the checks of the web.config files on `scope`: `check` with a target's index,
    /// `release` with a folder's targets once every file in and below the folder is checked.
    fn run<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        check: &'s (dyn Fn(usize) + Sync),
        release: &'s (dyn Fn(&[usize]) + Sync),
    ) {
        for &root in &self.roots {
            self.start(scope, root, check, release);
        }
    }

    fn start<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        folder: usize,
        check: &'s (dyn Fn(usize) + Sync),
        release: &'s (dyn Fn(&[usize]) + Sync),
    ) {
        use std::sync::atomic::Ordering;
        for &target in &self.folders[folder].targets {
            scope.spawn(move |scope| {
                check(target);
                if self.folders[folder].own_left.fetch_sub(1, Ordering::AcqRel) == 1 {
                    for &child in &self.folders[folder].children {
                        self.start(scope, child, check, release);
                    }
                }
                self.done(folder, release);
            });
        }
    }

    /// One file or child folder of `folder` is done: when it was the last, the folder is let
    /// go of, and its parent told.
    fn done(&self, mut folder: usize, release: &(dyn Fn(&[usize]) + Sync)) {
        use std::sync::atomic::Ordering;
        while self.folders[folder]
            .subtree_left
            .fetch_sub(1, Ordering::AcqRel)
            == 1
        {
            release(&self.folders[folder].targets);
            match self.folders[folder].parent {
                Some(parent) => folder = parent,
                None => return,
            }
        }
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
    parents: &ParentCache,
) -> Vec<Checked> {
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_file_text(target, options, settings, folders, parents)
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
        let mut result = empty_result(&target.path);
        result.error = Some(FileError {
            message: format!(
                "internal error: iislint panicked on this file ({what}); please report it"
            ),
            line: 1,
            column: 1,
        });
        vec![Checked {
            result,
            text: None,
            own: true,
        }]
    })
}

/// A file's result before it is merged with what other files' views found in it.
struct Checked {
    result: FileResult,
    /// The text its positions refer to (when decoded).
    text: Option<Arc<str>>,
    /// The file's own check (not a finding another file's view made in it).
    own: bool,
}

/// The result of a file another file's view needs and that cannot be read or parsed.
fn file_error(path: &Path, error: FileError) -> Checked {
    Checked {
        result: FileResult {
            error: Some(error),
            ..empty_result(path)
        },
        text: None,
        own: false,
    }
}

fn empty_result(path: &Path) -> FileResult {
    FileResult {
        path: path.to_owned(),
        display: display_path(path),
        positions: Positions::default(),
        excerpt: None,
        diagnostics: Vec::new(),
        error: None,
        fixed: Vec::new(),
        diff: None,
        suppressed: Vec::new(),
        edit_files: Vec::new(),
    }
}

/// The key that makes two names of one file one result.
pub(crate) fn file_key(path: &Path) -> PathBuf {
    crate::paths::absolute_normalized(path)
}

/// A file's result, finished (see [`finish`]), before it is merged with what other files' views
/// found in it.
struct Finished {
    /// The result's [`file_key`], worked out on the thread that checked it.
    key: std::ffi::OsString,
    result: FileResult,
    /// The file's own check (not a finding another file's view made in it).
    own: bool,
}

/// One result per file, in the order files were first met: a file's own check, then what the
/// views of other files (children that inherit from it, the file whose `configSource` it is)
/// found in it, each finding once (with the environments of every view that found it). When
/// fixing rewrote a file, the others' findings in it point into its old text and are dropped:
/// its own check has the findings of its new text.
///
/// A file judged only as its transforms deploy it (`deployed`) keeps its own findings only: the
/// files below it inherit its sections as written (a `debug="true"` its `Web.Release.config`
/// removes), which is not what runs.
fn merge(
    checked: Vec<Vec<Finished>>,
    fixing: bool,
    deployed: &std::collections::HashSet<PathBuf>,
) -> Vec<FileResult> {
    // Grouped by the path's bytes, hashed with FxHash, on one thread; each file's group is
    // merged on the pool's threads (freeing what the merge drops there too).
    let mut groups: Vec<Vec<Finished>> = Vec::with_capacity(checked.len());
    let mut group_of: HashMap<std::ffi::OsString, usize, rustc_hash::FxBuildHasher> =
        HashMap::with_capacity_and_hasher(checked.len(), Default::default());
    for mut one in checked.into_iter().flatten() {
        match group_of.entry(std::mem::take(&mut one.key)) {
            std::collections::hash_map::Entry::Occupied(group) => groups[*group.get()].push(one),
            std::collections::hash_map::Entry::Vacant(group) => {
                group.insert(groups.len());
                groups.push(vec![one]);
            }
        }
    }
    let mut keys = vec![std::ffi::OsString::new(); groups.len()];
    for (key, group) in group_of {
        keys[group] = key;
    }
    groups
        .into_par_iter()
        .zip(keys)
        .filter_map(|(mut group, key)| {
            if !deployed.is_empty() && deployed.contains(Path::new(&key)) {
                for other in group.iter_mut().filter(|c| !c.own) {
                    other.result.diagnostics.clear();
                    other.result.suppressed.clear();
                }
            }
            // The file's own check first: its findings, fixes and path win.
            group.sort_by_key(|c| !c.own);
            let mut group = group.into_iter();
            let mut merged = group.next()?.result;
            let rewritten = !merged.fixed.is_empty();
            for other in group {
                if fixing && rewritten && !other.own {
                    continue;
                }
                let Finished {
                    result: mut other, ..
                } = other;
                let other_files = std::mem::take(&mut other.edit_files);
                let mut renamed = FileResult {
                    diagnostics: std::mem::take(&mut other.diagnostics),
                    suppressed: std::mem::take(&mut other.suppressed),
                    edit_files: std::mem::take(&mut merged.edit_files),
                    ..empty_result(&merged.path)
                };
                name_edit_files(&mut renamed, |file| other_files.get(file).cloned());
                merged.edit_files = renamed.edit_files;
                other.diagnostics = renamed.diagnostics;
                other.suppressed = renamed.suppressed;
                if merged.error.is_none() {
                    merged.error = other.error;
                }
                merged.positions = std::mem::take(&mut merged.positions).merge(other.positions);
                merged.excerpt = match (merged.excerpt.take(), other.excerpt) {
                    (Some(a), Some(b)) => Some(a.merge(b)),
                    (a, b) => a.or(b),
                };
                for d in other.diagnostics {
                    // The same finding seen in another environment's view: named once, with
                    // both environments.
                    match merged
                        .diagnostics
                        .iter_mut()
                        .find(|m| m.rule.code == d.rule.code && m.range == d.range)
                    {
                        Some(seen) => {
                            for environment in d.environments {
                                if !seen.environments.contains(&environment) {
                                    seen.environments.push(environment);
                                }
                            }
                        }
                        None => merged.diagnostics.push(d),
                    }
                }
                for s in other.suppressed {
                    let seen = merged.suppressed.iter().any(|m| {
                        m.diagnostic.rule.code == s.diagnostic.rule.code
                            && m.diagnostic.range == s.diagnostic.range
                    });
                    if !seen {
                        merged.suppressed.push(s);
                    }
                }
                merged.fixed.extend(other.fixed);
                if merged.diff.is_none() {
                    merged.diff = other.diff;
                }
            }
            merged.diagnostics.sort_by(|a, b| {
                (a.range.start, a.rule.code, &a.message).cmp(&(
                    b.range.start,
                    b.rule.code,
                    &b.message,
                ))
            });
            (!merged.is_clean()).then_some(merged)
        })
        .collect()
}

/// Masks and positions one result (of the file whose [`file_key`] is `key`); `None` when it has
/// nothing to report.
fn finish(
    checked: Checked,
    key: &Path,
    options: &CheckOptions,
    settings: &Settings,
    parents: &ParentCache,
) -> Option<FileResult> {
    let Checked {
        mut result, text, ..
    } = checked;
    if result.is_clean() {
        return None;
    }
    // The one place secrets are masked: everything a report can print about this file.
    let secrets = match &text {
        Some(text) => parents.secrets_of(key, text),
        None => Arc::default(),
    };
    let redactor = Redactor::with_learned(secrets, settings.fix.secret_texts());
    redact(&mut result, &redactor);
    // Memory independent of the size of the files: a result keeps the positions the reports print
    // and, for snippets, the lines around each finding, never the whole text. Clean files keep
    // path and counts only. Positions are counted up to the last finding; a line index is built
    // only for snippets.
    if let Some(text) = text.filter(|_| needs_text(&result)) {
        let reported = result
            .diagnostics
            .iter()
            .chain(result.suppressed.iter().map(|s| &s.diagnostic));
        result.positions = Positions::new(&text, reported_offsets(reported).into_iter());
        if options.line_hashes {
            result.positions = std::mem::take(&mut result.positions).with_line_hashes(
                &text,
                result
                    .diagnostics
                    .iter()
                    .chain(result.suppressed.iter().map(|s| &s.diagnostic))
                    .map(|d| d.range.start),
                |line| redactor.mask(line),
            );
        }
        if options.excerpts && !result.diagnostics.is_empty() {
            // Masking keeps every byte offset, so the ranges still point at the same lines; a
            // secret never spans lines, so the lines shown are masked alone.
            let index = LineIndex::new(&text);
            let ranges = result.diagnostics.iter().map(|d| d.range.clone());
            result.excerpt = Some(Excerpt::masked(&text, &index, ranges, |lines| {
                redactor.mask(lines)
            }));
        }
    }
    Some(result)
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

/// A file read, decoded and parsed once per run: a parent folder's web.config (read by every
/// file below it) or a `configSource` file.
pub(crate) struct Loaded {
    pub(crate) path: PathBuf,
    source: SourceText,
    text: Arc<str>,
}

/// Reads and decodes a configuration file, and checks its declared encoding: the text of any
/// file iislint reads besides the one a check starts from; the error is at its line and column.
pub(crate) fn read_source(path: &Path, max_bytes: u64) -> Result<SourceText, FileError> {
    read_source_in(&Overlay::default(), path, max_bytes)
}

/// [`read_source`], an unsaved text standing for the file when `overlay` has one.
fn read_source_in(overlay: &Overlay, path: &Path, max_bytes: u64) -> Result<SourceText, FileError> {
    let error = |message: String, line: usize, column: usize| FileError {
        message,
        line,
        column,
    };
    let bytes = overlay.read(path, max_bytes).map_err(|m| error(m, 1, 1))?;
    let source = SourceText::decode_owned(bytes).map_err(|e| error(e.message, e.line, e.column))?;
    crate::document::check_declared_encoding(&source.text, source.encoding)
        .map_err(|e| error(e.message, e.line, e.column))?;
    Ok(source)
}

/// Reads, decodes and parses a file that another file's view needs; the error is at the file's
/// own line and column.
fn load_parsed<T>(
    overlay: &Overlay,
    path: &Path,
    settings: &Settings,
    read: impl FnOnce(&roxmltree::Document<'_>) -> T,
) -> Result<(Loaded, T), FileError> {
    let error = |message: String, line: usize, column: usize| FileError {
        message,
        line,
        column,
    };
    let source = read_source_in(overlay, path, settings.max_file_bytes)?;
    let doc =
        crate::document::parse(&source.text).map_err(|e| error(e.message, e.line, e.column))?;
    let read = read(&doc);
    drop(doc);
    let text: Arc<str> = Arc::from(source.text.as_str());
    Ok((
        Loaded {
            path: path.to_owned(),
            source,
            text,
        },
        read,
    ))
}

/// A parent web.config read and parsed, or why it could not be.
/// A parent web.config read and parsed (its text, its sections, whether its folder is an
/// application's root), or why it could not be.
type Parent = Arc<Result<ParentFile, FileError>>;

/// A parent folder's web.config, as the files below it inherit from it.
#[derive(Debug, Clone)]
pub(crate) struct ParentFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Shared: every file below holds its parents (a parent may have thousands of locations).
    pub sections: Arc<ParentSections>,
    pub application_root: bool,
    /// The secret values in `text`, learnt for the first result that reports in it (its own
    /// check, or a finding a file below makes in it) and kept for the others.
    pub secrets: std::sync::OnceLock<Arc<Learned>>,
}

/// Is the web.config at `path` an application's root, by the application model (else, with
/// no evidence, when no web.config is above it)?
fn application_root_at(folders: &FolderIndex, path: &Path) -> bool {
    let target = Target {
        path: path.to_owned(),
        root: path.to_owned(),
    };
    match folders.role(&target, FileKind::WebConfig) {
        Role::Application(_) => true,
        Role::NotApplication(_) => false,
        Role::Undecided => folders.is_application_root(&target, FileKind::WebConfig, false),
    }
}

/// Parent web.config files, each read and parsed once per run, whichever thread needs it first.
#[derive(Default)]
pub(crate) struct ParentCache {
    /// The checked files judged only as their transforms deploy them (by `file_key`): what the
    /// files below see of them as written is not what runs, so their own check alone reports
    /// their values (see [`merge`]).
    deployed: Mutex<std::collections::HashSet<PathBuf>>,
    /// Keyed by the path's bytes, hashed with FxHash (a `Path` hashes component by component).
    /// A parent stays until every file below it is checked (see [`ParentCache::release`]).
    files: RwLock<HashMap<std::ffi::OsString, Parent, rustc_hash::FxBuildHasher>>,
    /// Unsaved texts read instead of the files on disk.
    overlay: Arc<Overlay>,
}

impl ParentCache {
    pub(crate) fn new(overlay: Arc<Overlay>) -> ParentCache {
        ParentCache {
            deployed: Mutex::default(),
            files: RwLock::default(),
            overlay,
        }
    }

    /// A checked web.config, for the files below it: its sections were read from its own
    /// check's parse, so it is not parsed again as a parent. The first answer stays.
    fn offer(&self, parent: ParentFile) {
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(parent.path.clone().into_os_string())
            .or_insert_with(|| Arc::new(Ok(parent)));
    }

    /// The secret values in `text`, the text of the file whose [`file_key`] is `key`: learnt
    /// once per parent web.config while it is kept (every file below it may report in it),
    /// else from `text`. (A text other than the one kept, a fixed one, is read anew.)
    fn secrets_of(&self, key: &Path, text: &Arc<str>) -> Arc<Learned> {
        let parent = self
            .files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key.as_os_str())
            .cloned();
        let learn = || Arc::new(Learned::of([&**text]));
        match parent.as_deref() {
            Some(Ok(parent)) if Arc::ptr_eq(&parent.text, text) => {
                parent.secrets.get_or_init(learn).clone()
            }
            _ => learn(),
        }
    }

    /// Lets go of these web.config files (by [`file_key`]): every file below them is checked.
    /// (One asked for again is read again.)
    fn release(&self, paths: impl Iterator<Item = PathBuf>) {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        for path in paths {
            files.remove(path.as_os_str());
        }
    }

    fn note_deployed(&self, path: PathBuf) {
        self.deployed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path);
    }

    fn get(&self, path: &Path, settings: &Settings, folders: &FolderIndex) -> Parent {
        if let Some(known) = self
            .files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(path.as_os_str())
        {
            return known.clone();
        }
        // Only the text is kept (not the source it was decoded from): a parent stays until every
        // file below it is checked (`release`).
        // A parent without `system.web` gives nothing to inherit and is not parsed here (its
        // own check reports its errors).
        let read = match read_source_in(&self.overlay, path, settings.max_file_bytes).ok() {
            Some(source) if !source.text.contains("system.web") => {
                // Nothing is inherited from it, so no finding can point into it: no text kept.
                Ok((Arc::from(""), ParentSections::default()))
            }
            _ => load_parsed(&self.overlay, path, settings, ParentSections::of)
                .map(|(loaded, sections)| (loaded.text, sections)),
        };
        let loaded = Arc::new(read.map(|(text, sections)| ParentFile {
            path: path.to_owned(),
            text,
            sections: Arc::new(sections),
            application_root: application_root_at(folders, path),
            secrets: Default::default(),
        }));
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(path.as_os_str().to_owned())
            .or_insert(loaded)
            .clone()
    }
}

/// The folders from `parent`'s to `child`'s, lower-cased (how `<location path>` compares them).
fn folders_between(parent: &Path, child: &Path) -> Vec<String> {
    let (Some(parent), Some(child)) = (parent.parent(), child.parent()) else {
        return Vec::new();
    };
    let child = file_key(child);
    child
        .strip_prefix(parent)
        .map(|below| {
            below
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// The files a file's view is made of, read: its `configSource` files (editable with it), and
/// its parents' web.config files (read-only), with the errors of those that cannot be read.
pub(crate) struct Gathered<'t> {
    pub bundle: Bundle,
    /// The judged file's parse, when finding the files it names needed one.
    pub parsed: Option<roxmltree::Document<'t>>,
    /// The `configSource` files, in bundle order (from index 1).
    pub sources: Vec<Loaded>,
    /// Every parent folder's web.config that could be read, outermost first.
    pub parent_files: Vec<ParentFile>,
    /// Results for files that cannot be read or parsed.
    others: Vec<Checked>,
}

impl<'t> Gathered<'t> {
    /// Reads what `text` (the file at `target`) needs; its own parse error when it has
    /// `configSource` sections and does not parse.
    pub(crate) fn read(
        target: &Target,
        text: &'t str,
        kind: FileKind,
        settings: &Settings,
        folders: &FolderIndex,
        parents: &ParentCache,
    ) -> Result<Gathered<'t>, crate::document::ParseError> {
        let mut others: Vec<Checked> = Vec::new();
        let mut read_sources: Vec<(PathBuf, String)> = Vec::new();
        let mut bundle = Bundle::single(text);
        let mut sources = vec![];
        let mut parsed = None;
        if crate::resolve::may_reference_files(text) {
            let doc = crate::document::parse(text)?;
            let references = Arc::new(crate::resolve::References::of(&doc));
            parsed = Some(doc);
            bundle.references = Some((bundle.texts[0].clone(), references.clone()));
            let folder = target.path.parent().unwrap_or(Path::new(""));
            // `appSettings file`: merged when it can be read; a missing file is no error.
            for settings_file in &references.settings_files {
                let key = crate::resolve::app_settings_key(&settings_file.value);
                if bundle.includes.contains_key(&key) {
                    continue;
                }
                let path = crate::resolve::app_settings_path(folder, &settings_file.value);
                if !path.is_file() {
                    continue;
                }
                let file = bundle.texts.len();
                match load_parsed(&parents.overlay, &path, settings, |doc| {
                    Include::of(file, doc)
                }) {
                    Ok((loaded, include)) => {
                        bundle.texts.push(loaded.text.clone());
                        sources.push(loaded);
                        bundle.includes.insert(key, Ok(include));
                    }
                    Err(error) => {
                        others.push(file_error(&path, error));
                    }
                }
            }
            for config_source in &references.sources {
                if config_source.problem.is_some()
                    || bundle.includes.contains_key(&config_source.value)
                {
                    continue;
                }
                let path = crate::resolve::include_path(folder, &config_source.value);
                // One file per section: ASP.NET refuses a file two sections name
                // (`s.config` and `.\s.config`).
                let key = file_key(&path);
                if let Some((_, first)) = read_sources.iter().find(|(k, _)| *k == key) {
                    let problem = format!(
                        "`{}` is already the configSource of another section (`{first}`); one file per section",
                        display_path(&path)
                    );
                    bundle
                        .includes
                        .insert(config_source.value.clone(), Err(problem));
                    continue;
                }
                read_sources.push((key, config_source.value.clone()));
                let file = bundle.texts.len();
                let resolved = match load_parsed(&parents.overlay, &path, settings, |doc| {
                    Include::of(file, doc)
                }) {
                    Ok((loaded, include)) => {
                        bundle.texts.push(Arc::from(loaded.source.text.as_str()));
                        sources.push(loaded);
                        Ok(include)
                    }
                    Err(_) if !path.exists() => Err(format!(
                        "`{}` {}",
                        display_path(&path),
                        crate::resolve::MISSING
                    )),
                    Err(error) => {
                        let message = format!(
                            "`{}` cannot be read: {}",
                            display_path(&path),
                            error.message
                        );
                        others.push(file_error(&path, error));
                        Err(message)
                    }
                };
                bundle
                    .includes
                    .insert(config_source.value.clone(), resolved);
            }
        } else {
            // It names no other file: composing its view need not look for one again.
            bundle.references = Some((bundle.texts[0].clone(), Arc::default()));
        }
        bundle.editable = bundle.texts.len();
        let mut parent_files: Vec<ParentFile> = Vec::new();
        if kind == FileKind::WebConfig {
            for path in folders.parent_configs(target) {
                match &*parents.get(&path, settings, folders) {
                    Ok(parent) => parent_files.push(parent.clone()),
                    Err(error) => {
                        others.push(file_error(&path, error.clone()));
                    }
                }
            }
        }
        Ok(Gathered {
            bundle,
            parsed,
            sources,
            parent_files,
            others,
        })
    }
}

/// Puts the parents' sections the file at `path` inherits in the bundle, in the order they
/// apply (see [`crate::resolve::inherited`]); returns the parents used, in bundle order.
/// `whole`: whole `system.web` elements (for `explain`), else what the model reads.
pub(crate) fn inherit_into(
    bundle: &mut Bundle,
    parent_files: &[ParentFile],
    path: &Path,
    child_application: bool,
    whole: bool,
) -> Vec<PathBuf> {
    bundle.texts.truncate(bundle.editable);
    bundle.inherited.clear();
    let depth = |path: &Path| {
        path.parent()
            .map_or(0, |folder| file_key(folder).components().count())
    };
    let levels: Vec<crate::resolve::ParentLevel> = parent_files
        .iter()
        .map(|parent| crate::resolve::ParentLevel {
            depth: depth(&parent.path),
            application_root: parent.application_root,
            sections: &parent.sections,
            below: folders_between(&parent.path, path),
        })
        .collect();
    let mut used: Vec<(usize, crate::view::FileIndex)> = Vec::new();
    for (level, section) in
        crate::resolve::inherited(&levels, depth(path), child_application, whole)
    {
        let file = match used.iter().find(|(l, _)| *l == level) {
            Some((_, file)) => *file,
            None => {
                let file = bundle.texts.len();
                bundle.texts.push(parent_files[level].text.clone());
                used.push((level, file));
                file
            }
        };
        bundle.inherited.push((file, section));
    }
    used.into_iter()
        .map(|(level, _)| parent_files[level].path.clone())
        .collect()
}

/// The effective session state of the web.config each application serves, for the applications
/// mapped to a folder (see [`crate::sites`]).
fn mapped_sessions(
    applications: &[crate::model::Application],
    settings: &Settings,
    folders: &FolderIndex,
    parents: &ParentCache,
) -> HashMap<String, crate::lint::MappedSession> {
    let mut mapped = HashMap::new();
    for application in applications {
        let declared = settings.site_folder(&application.name());
        let Some(folder) = crate::sites::map(application, declared, folders.web_config_folders())
        else {
            continue;
        };
        let Some(web_config) = folders.web_config_in(folder.folder()) else {
            continue;
        };
        let (mode, timeout) = effective_session(&web_config, settings, folders, parents);
        mapped.insert(
            application.name().to_ascii_lowercase(),
            crate::lint::MappedSession {
                web_config,
                mode,
                timeout,
            },
        );
    }
    mapped
}

/// The session mode and time-out a web.config's own level has, its parents and `configSource`
/// files included; `None` for what cannot be read (an encrypted section, a file that does not
/// parse), which the rules take for ASP.NET's default.
fn effective_session(
    path: &Path,
    settings: &Settings,
    folders: &FolderIndex,
    parents: &ParentCache,
) -> (
    Option<crate::model::web::SessionMode>,
    Option<crate::model::Minutes>,
) {
    let target = Target {
        path: path.to_owned(),
        root: path.to_owned(),
    };
    let Ok((loaded, ())) = load_parsed(&parents.overlay, path, settings, |_| ()) else {
        return (None, None);
    };
    let Ok(mut gathered) = Gathered::read(
        &target,
        &loaded.source.text,
        FileKind::WebConfig,
        settings,
        folders,
        parents,
    ) else {
        return (None, None);
    };
    inherit_into(
        &mut gathered.bundle,
        &gathered.parent_files,
        path,
        true,
        false,
    );
    let composed = gathered.bundle.compose();
    let Ok(doc) = crate::document::parse(&composed.view.text) else {
        return (None, None);
    };
    let model = crate::model::Model::build(&doc);
    let Some(scope) = model.web.scopes.first().filter(|s| s.location.is_none()) else {
        return (None, None);
    };
    if scope.session.external {
        return (None, None);
    }
    // Removing the Session module turns session state off whatever the mode says.
    if matches!(
        model.session.off,
        Some(crate::model::session_switch::SessionOff::ModuleRemoved(_))
    ) {
        return (Some(crate::model::web::SessionMode::Off), None);
    }
    (
        scope.session.mode.value().copied(),
        scope.session.timeout.value().copied(),
    )
}

/// Checks one file; returns its result and the results its view found in other files (its
/// `configSource` files, its parents), each with the text its positions refer to.
fn check_file_text(
    target: &Target,
    options: &CheckOptions,
    settings: &Settings,
    folders: &FolderIndex,
    parents: &ParentCache,
) -> Vec<Checked> {
    let result = empty_result(&target.path);
    let fail = |mut result: FileResult,
                message: String,
                line: usize,
                column: usize,
                text: Option<String>| {
        result.error = Some(FileError {
            message,
            line,
            column,
        });
        vec![Checked {
            result,
            text: text.map(Arc::from),
            own: true,
        }]
    };
    let bytes = match read_target(target, options, settings) {
        Ok(bytes) => bytes,
        Err(message) => return fail(result, message, 1, 1, None),
    };
    let source = match SourceText::decode_owned(bytes) {
        Ok(source) => source,
        Err(err) => return fail(result, err.message, err.line, err.column, None),
    };
    if let Err(err) = crate::document::check_declared_encoding(&source.text, source.encoding) {
        return fail(result, err.message, err.line, err.column, Some(source.text));
    }
    let kind = FileKind::of_path(&target.path);
    let per_file = settings.ignored_rules(&target.path);
    let rules = RuleSet::new(
        &settings.levels,
        &settings.selection,
        &options.selection,
        &per_file,
    );
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
        mapped_sessions: Default::default(),
        // The files below this one take its sections from this check, not from another parse
        // (when fixing, they read it from disk, fixed).
        offers_sections: kind == FileKind::WebConfig
            && options.fix == FixMode::Off
            && folders.has_checked_below(&target.path),
    };
    let may_set_sections = kind == FileKind::WebConfig
        && root_by_evidence.is_none()
        && !root_by_folder
        && !crate::discover::is_views_folder(&target.path);

    let gathered = match Gathered::read(target, &source.text, kind, settings, folders, parents) {
        Ok(gathered) => gathered,
        Err(err) => return fail(result, err.message, err.line, err.column, Some(source.text)),
    };
    let Gathered {
        mut bundle,
        parsed,
        sources,
        parent_files,
        others,
    } = gathered;
    let parsed = parsed.as_ref();
    // The views to judge (the environments' transforms, the file as written), known before the
    // first lint: how far its suppressions can be judged unused depends on them.
    let (environments, as_written_view) = match kind {
        FileKind::WebConfig => {
            environments_of(&target.path, &options.environments, settings, folders)
        }
        _ => (Vec::new(), true),
    };
    if kind == FileKind::WebConfig {
        if !as_written_view && !environments.is_empty() {
            parents.note_deployed(file_key(&target.path));
        }
        let (reference, reference_as_written) = if options.environments.is_empty() {
            (environments.clone(), as_written_view)
        } else {
            environments_of(&target.path, &[], settings, folders)
        };
        bundle.unused = crate::lint::UnusedJudging {
            views_left_out: (reference_as_written && !as_written_view)
                || reference
                    .iter()
                    .any(|(name, _)| !environments.iter().any(|(judged, _)| judged == name)),
            withhold_fixes: environments.len() + usize::from(as_written_view) > 1,
        };
    }
    let mut parents_used = inherit_into(
        &mut bundle,
        &parent_files,
        &target.path,
        facts.application_root,
        false,
    );

    let mut linted = lint_bundle_parsed(&bundle, &facts, &rules, settings, parsed);
    if may_set_sections
        && let Ok(l) = &linted
        && l.model.web.sets_application_sections
    {
        facts.application_root = true;
        parents_used = inherit_into(&mut bundle, &parent_files, &target.path, true, false);
        linted = lint_bundle_parsed(&bundle, &facts, &rules, settings, parsed);
    }
    let mut linted = match linted {
        Ok(linted) => linted,
        Err(err) => return fail(result, err.message, err.line, err.column, Some(source.text)),
    };
    // The pools' applications, judged by the session state their own web.config sets.
    if kind == FileKind::ApplicationHost && !linted.model.app_host.applications.is_empty() {
        let mapped = mapped_sessions(
            &linted.model.app_host.applications,
            settings,
            folders,
            parents,
        );
        if !mapped.is_empty() {
            facts.mapped_sessions = Arc::new(mapped);
            linted = match lint_bundle_parsed(&bundle, &facts, &rules, settings, parsed) {
                Ok(linted) => linted,
                Err(err) => {
                    return fail(result, err.message, err.line, err.column, Some(source.text));
                }
            };
        }
    }
    if facts.offers_sections
        && let Some(sections) = linted.sections.take()
    {
        parents.offer(ParentFile {
            path: file_key(&target.path),
            text: bundle.texts[0].clone(),
            sections: Arc::new(sections),
            application_root: facts.application_root,
            secrets: Default::default(),
        });
    }
    let mut others = others;
    // The files of the bundle by index: the judged file, its `configSource` files, its parents.
    let paths: Vec<PathBuf> = std::iter::once(target.path.clone())
        .chain(sources.iter().map(|s| s.path.clone()))
        .chain(parents_used)
        .collect();
    // The deployed views to judge: one per environment's transform, else the file as written.
    let mut transforms: Vec<(String, Loaded)> = Vec::new();
    if kind == FileKind::WebConfig {
        for (name, path) in environments {
            let loaded =
                load_parsed(&options.overlay, &path, settings, |_| ()).and_then(|(loaded, ())| {
                    match crate::xdt::apply(&source.text, &loaded.source.text) {
                        Ok(_) => Ok(loaded),
                        Err(error) => {
                            let (line, column) = error.line_col(&source.text, &loaded.source.text);
                            Err(FileError {
                                message: error.message,
                                line,
                                column,
                            })
                        }
                    }
                });
            match loaded {
                Ok(loaded) => transforms.push((name, loaded)),
                Err(error) => {
                    others.push(file_error(&path, error));
                }
            }
        }
    }
    let views: Vec<Option<&(String, Loaded)>> = (as_written_view || transforms.is_empty())
        .then_some(None)
        .into_iter()
        .chain(transforms.iter().map(Some))
        .collect();
    // The texts of every file fixing may change, as read: the judged file, its `configSource`
    // files, its transforms.
    let mut originals: HashMap<PathBuf, Arc<str>> = paths[..bundle.editable]
        .iter()
        .cloned()
        .zip(bundle.texts[..bundle.editable].iter().cloned())
        .collect();
    for (_, loaded) in &transforms {
        originals.insert(loaded.path.clone(), loaded.text.clone());
    }
    // A view's bundle and the paths of its files, with the editable files' texts from `texts`.
    let view_bundle = |view: Option<&(String, Loaded)>,
                       texts: &HashMap<PathBuf, Arc<str>>|
     -> (Bundle, Vec<PathBuf>) {
        let mut judged = bundle.clone();
        let mut judged_paths = paths.clone();
        for (file, path) in paths[..bundle.editable].iter().enumerate() {
            judged.texts[file] = texts[path].clone();
        }
        // Judged both as written and deployed: the findings of the file as written say so.
        if view.is_none() && views.len() > 1 {
            judged.environment = Some("none".to_owned());
        }
        if let Some((name, loaded)) = view {
            judged.transform = Some(judged.texts.len());
            judged.environment = Some(name.clone());
            judged.texts.push(texts[&loaded.path].clone());
            judged_paths.push(loaded.path.clone());
        }
        (judged, judged_paths)
    };
    // Lints every view of `texts`; the first lint of the file as written is reused.
    let mut as_written = Some(linted);
    let report = |texts: &HashMap<PathBuf, Arc<str>>,
                  as_written: Option<crate::lint::Linted>|
     -> Result<Vec<Checked>, crate::document::ParseError> {
        let mut checked = Vec::new();
        let mut reuse = as_written;
        // Per view, its unused suppressions: one is reported only when every view finds it.
        let mut unused_by_view: Vec<Vec<UnusedKey>> = Vec::new();
        for view in &views {
            let (judged, judged_paths) = view_bundle(*view, texts);
            let linted = match (view, reuse.take()) {
                (None, Some(linted)) => linted,
                _ => lint_bundle(&judged, &facts, &rules, settings)?,
            };
            let mut results: Vec<FileResult> =
                judged_paths.iter().map(|p| empty_result(p)).collect();
            distribute(&mut results, linted.diagnostics, linted.suppressed);
            let view_checked = collect(results, &judged, &judged_paths);
            unused_by_view.push(
                view_checked
                    .iter()
                    .flat_map(|c| c.result.diagnostics.iter().map(|d| (&c.result.path, d)))
                    .filter_map(|(path, d)| unused_key(path, d))
                    .collect(),
            );
            checked.extend(view_checked);
        }
        if unused_by_view.len() > 1 {
            for one in &mut checked {
                let path = one.result.path.clone();
                one.result.diagnostics.retain(|d| {
                    unused_key(&path, d)
                        .is_none_or(|key| unused_by_view.iter().all(|view| view.contains(&key)))
                });
            }
        }
        Ok(checked)
    };
    let required = match options.fix {
        FixMode::Off => {
            return match report(&originals, as_written.take()) {
                Ok(mut checked) => {
                    checked.extend(others);
                    checked
                }
                Err(err) => fail(result, err.message, err.line, err.column, Some(source.text)),
            };
        }
        FixMode::Write(a) | FixMode::Diff(a) => a,
    };
    // Each view in turn fixes the texts the ones before it fixed.
    let mut current = originals.clone();
    let mut fixed: Vec<(PathBuf, &'static str)> = Vec::new();
    let mut problem = None;
    // The findings `check` reports for these files (each once, whatever the views that found
    // it): "Fixed N" counts the fixes of these, not those of findings a fix brought about.
    let mut found: std::collections::HashSet<(PathBuf, &'static str, std::ops::Range<usize>)> =
        std::collections::HashSet::new();
    let mut note_found = |linted: &crate::lint::Linted, paths: &[PathBuf]| {
        for d in &linted.diagnostics {
            if let Some(path) = paths.get(d.file) {
                found.insert((path.clone(), d.rule.name, d.range.clone()));
            }
        }
    };
    for view in &views {
        let (judged, judged_paths) = view_bundle(*view, &current);
        let first = match (view, as_written.take()) {
            (None, Some(linted)) if current == originals => linted,
            _ => match lint_bundle(&judged, &facts, &rules, settings) {
                Ok(linted) => linted,
                Err(err) => {
                    return fail(result, err.message, err.line, err.column, Some(source.text));
                }
            },
        };
        if current == originals {
            note_found(&first, &judged_paths);
        } else if let Ok(as_read) =
            lint_bundle(&view_bundle(*view, &originals).0, &facts, &rules, settings)
        {
            note_found(&as_read, &judged_paths);
        }
        let editable = judged.editable_files();
        let outcome = fix_linted(judged, first, &facts, &rules, settings, required);
        for file in editable {
            current.insert(judged_paths[file].clone(), outcome.texts[file].clone());
        }
        fixed.extend(
            outcome
                .fixed
                .iter()
                .map(|(file, name)| (judged_paths[*file].clone(), *name)),
        );
        problem = problem.or(outcome.problem);
    }
    // Several views: the unused suppressions every view finds are removed last (each view's
    // fixes left them alone, as another view may need them).
    if bundle.unused.withhold_fixes {
        let mut agreed: Option<Vec<(PathBuf, crate::diagnostic::Diagnostic)>> = None;
        for view in &views {
            let (mut judged, judged_paths) = view_bundle(*view, &current);
            judged.unused.withhold_fixes = false;
            let these: Vec<(PathBuf, crate::diagnostic::Diagnostic)> =
                match lint_bundle(&judged, &facts, &rules, settings) {
                    Ok(linted) => linted
                        .diagnostics
                        .into_iter()
                        .filter(|d| d.rule.name == unused_suppression::META.name)
                        .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability >= required))
                        .map(|d| (judged_paths[d.file].clone(), d))
                        .collect(),
                    Err(_) => Vec::new(),
                };
            agreed = Some(match agreed {
                None => these,
                Some(before) => before
                    .into_iter()
                    .filter(|(path, d)| {
                        these.iter().any(|(other, e)| {
                            other == path && e.range == d.range && e.message == d.message
                        })
                    })
                    .collect(),
            });
        }
        let agreed = agreed.unwrap_or_default();
        let mut paths: Vec<&PathBuf> = agreed.iter().map(|(path, _)| path).collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            let (text, applied) = crate::lint::apply_fixes(
                &current[path],
                agreed
                    .iter()
                    .filter(|(p, _)| p == path)
                    .filter_map(|(_, d)| Some((d.rule.name, d.fix.as_ref()?))),
            );
            current.insert(path.clone(), Arc::from(text));
            fixed.extend(applied.into_iter().map(|name| (path.clone(), name)));
        }
    }
    let fixed = fixes_of_found(fixed, &found);
    // From standard input, only the judged file's fixes count: the others' are not written.
    let stdin = options.stdin.as_ref().filter(|s| s.path == target.path);
    if stdin.is_some() {
        for (path, text) in current.iter_mut() {
            if *path != target.path {
                *text = originals[path].clone();
            }
        }
    }
    let fixed: Vec<(PathBuf, &'static str)> = fixed
        .into_iter()
        .filter(|(path, _)| stdin.is_none() || *path == target.path)
        .collect();
    let mut changed: Vec<&PathBuf> = current
        .iter()
        .filter(|(path, text)| originals[*path] != **text)
        .map(|(path, _)| path)
        .collect();
    changed.sort();
    let mut unwritten: Vec<PathBuf> = Vec::new();
    let mut diffs: Vec<(PathBuf, String)> = Vec::new();
    let texts_to_report = match options.fix {
        // `--diff` shows the findings of the files as they are on disk.
        FixMode::Diff(_) => {
            for path in &changed {
                let display = display_path(path);
                let diff = similar::TextDiff::from_lines(&*originals[*path], &*current[*path])
                    .unified_diff()
                    .context_radius(3)
                    .header(&diff_name("a", &display), &diff_name("b", &display))
                    .to_string();
                diffs.push(((*path).clone(), diff));
            }
            &originals
        }
        // Nothing is written: the fixed text goes to standard output.
        _ if stdin.is_some() => {
            if changed.contains(&&target.path)
                && let Some(stdin) = stdin
            {
                let _ = stdin.fixed.set(source.encode(&current[&target.path]));
            }
            &current
        }
        _ => {
            let encoders: HashMap<&PathBuf, &SourceText> = std::iter::once((&target.path, &source))
                .chain(sources.iter().map(|s| (&s.path, &s.source)))
                .chain(transforms.iter().map(|(_, t)| (&t.path, &t.source)))
                .collect();
            for path in &changed {
                // The file as it was read: decoding is exact, so encoding the text gives its bytes.
                let encoder = encoders[*path];
                let linted_bytes = encoder.encode(&originals[*path]);
                let fixed_bytes = encoder.encode(&current[*path]);
                #[cfg(debug_assertions)]
                hold_before_write();
                if let Err(err) = replace_file(path, &linted_bytes, &fixed_bytes, options.write) {
                    // Nothing was written; the error says why, and the file is as it was.
                    unwritten.push((*path).clone());
                    others.push(Checked {
                        result: FileResult {
                            error: Some(FileError {
                                message: err.to_string(),
                                line: 1,
                                column: 1,
                            }),
                            ..empty_result(path)
                        },
                        text: None,
                        own: true,
                    });
                }
            }
            &current
        }
    };
    let as_reported = if texts_to_report == &originals {
        as_written.take()
    } else {
        None
    };
    let mut checked = match report(texts_to_report, as_reported) {
        Ok(checked) => checked,
        Err(err) => return fail(result, err.message, err.line, err.column, Some(source.text)),
    };
    // A file the fixes cleaned completely has no findings left, but its fixes and diff are
    // reported: it gets a result of its own.
    let changed: Vec<PathBuf> = changed.into_iter().cloned().collect();
    for path in changed.iter().chain(problem.as_ref().map(|_| &target.path)) {
        if !checked.iter().any(|c| &c.result.path == path) {
            checked.push(Checked {
                result: empty_result(path),
                text: None,
                own: true,
            });
        }
    }
    // Each file's fixes and diff go to its first result; a file that could not be written
    // reports its error alone (the findings are those of a text it was not given).
    let mut done: Vec<PathBuf> = Vec::new();
    for one in &mut checked {
        let path = &one.result.path;
        if unwritten.contains(path) {
            one.result.diagnostics.clear();
            one.result.suppressed.clear();
            continue;
        }
        if done.contains(path) {
            continue;
        }
        done.push(path.clone());
        if matches!(options.fix, FixMode::Write(_)) {
            one.result.fixed = fixed
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, name)| *name)
                .collect();
        }
        if let Some((_, diff)) = diffs.iter().find(|(p, _)| p == path) {
            one.result.diff = Some(diff.clone());
        }
        if path == &target.path
            && let Some(problem) = &problem
        {
            one.result.error = Some(FileError {
                message: problem.clone(),
                line: 1,
                column: 1,
            });
        }
    }
    checked.extend(others);
    checked
}

/// An `unused-suppression` finding, as the views of one file compare it.
type UnusedKey = (PathBuf, std::ops::Range<usize>, String);

fn unused_key(path: &Path, d: &crate::diagnostic::Diagnostic) -> Option<UnusedKey> {
    (d.rule.name == unused_suppression::META.name)
        .then(|| (path.to_owned(), d.range.clone(), d.message.clone()))
}

/// The fixes applied (file and rule, one entry per fix), as many per file and rule as `check`
/// found there at most: a fix of a finding that an earlier fix brought about (a longer forms
/// time-out makes the session shorter than the login) is not counted, so "Fixed N" counts the
/// findings `check` reported.
fn fixes_of_found(
    applied: Vec<(PathBuf, &'static str)>,
    found: &std::collections::HashSet<(PathBuf, &'static str, std::ops::Range<usize>)>,
) -> Vec<(PathBuf, &'static str)> {
    let mut left: HashMap<(PathBuf, &str), usize> = HashMap::new();
    for (path, rule, _) in found {
        *left.entry((path.clone(), *rule)).or_default() += 1;
    }
    applied
        .into_iter()
        .filter(|(path, rule)| {
            left.get_mut(&(path.clone(), *rule))
                .filter(|n| **n > 0)
                .map(|n| *n -= 1)
                .is_some()
        })
        .collect()
}

/// Puts each finding in the result of the file it is in.
fn distribute(
    results: &mut [FileResult],
    diagnostics: Vec<crate::diagnostic::Diagnostic>,
    suppressed: Vec<crate::suppress::Suppressed>,
) {
    let last = results.len() - 1;
    for d in diagnostics {
        results[d.file.min(last)].diagnostics.push(d);
    }
    for s in suppressed {
        results[s.diagnostic.file.min(last)].suppressed.push(s);
    }
}

/// The environments a web.config is judged in: `Web.<Environment>.config` files beside it (any
/// letter case), chosen by `--environment` or `environments` (`none`: the file as written), by
/// default all but `Debug`. Empty: the file as written.
pub(crate) fn environments_of(
    path: &Path,
    requested: &[String],
    settings: &Settings,
    folders: &FolderIndex,
) -> (Vec<(String, PathBuf)>, bool) {
    let Some(folder) = path.parent() else {
        return (Vec::new(), true);
    };
    // A transform's name on a file that is no transform (a plain copy of the web.config named on
    // the command line, as pre-commit names it): the transforms beside it deploy the web.config,
    // not it, and it is not its own transform.
    let own_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if crate::application::environment_of_transform(own_name).is_some() {
        return (Vec::new(), true);
    }
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    // The walk saw the folder's files; a file named on the command line has its folder read.
    let names: Vec<std::ffi::OsString> = match folders.transforms_in(folder) {
        Some(transforms) => transforms
            .iter()
            .filter_map(|t| t.file_name().map(ToOwned::to_owned))
            .collect(),
        None => match std::fs::read_dir(folder) {
            Ok(entries) => entries.flatten().map(|e| e.file_name()).collect(),
            Err(_) => return (Vec::new(), true),
        },
    };
    let mut beside: Vec<(String, PathBuf)> = names
        .into_iter()
        .filter_map(|name| {
            let name = name.into_string().ok()?;
            let environment = crate::application::environment_of_transform(&name)?.to_owned();
            let path = path.with_file_name(&name);
            path.is_file().then_some((environment, path))
        })
        .collect();
    beside.sort();
    let requested: Vec<String> = if requested.is_empty() {
        settings.environments.clone().unwrap_or_default()
    } else {
        requested.to_vec()
    };
    if requested.is_empty() {
        let judged: Vec<_> = beside
            .into_iter()
            .filter(|(environment, _)| !environment.eq_ignore_ascii_case("debug"))
            .collect();
        let as_written = judged.is_empty();
        return (judged, as_written);
    }
    let judged: Vec<_> = beside
        .into_iter()
        .filter(|(environment, _)| {
            requested
                .iter()
                .any(|r| r.eq_ignore_ascii_case(environment))
        })
        .collect();
    let as_written = judged.is_empty() || requested.iter().any(|r| r.eq_ignore_ascii_case("none"));
    (judged, as_written)
}

/// A view's results, with the text each one's positions refer to; the files fixing may change
/// (the judged file, its `configSource` files, its transform) are its own.
fn collect(results: Vec<FileResult>, bundle: &Bundle, paths: &[PathBuf]) -> Vec<Checked> {
    // Only results with something to report are kept, and only their texts: a clean file costs
    // nothing once it is checked, whatever the number of files.
    results
        .into_iter()
        .enumerate()
        .filter(|(_, result)| !result.is_clean())
        .map(|(file, mut result)| {
            name_edit_files(&mut result, |view_file| paths.get(view_file).cloned());
            (file, result)
        })
        .map(|(file, result)| Checked {
            result,
            text: Some(bundle.texts[file].clone()),
            own: bundle.is_editable(file),
        })
        .collect()
}

/// Makes the `file` of every fix edit of `result` an index into `result.edit_files`, naming the
/// file with `path_of` (the index the edit has now: of a view's files, or of another result's
/// `edit_files`).
fn name_edit_files(result: &mut FileResult, path_of: impl Fn(usize) -> Option<PathBuf>) {
    let FileResult {
        diagnostics,
        suppressed,
        edit_files,
        path,
        ..
    } = result;
    let edits = diagnostics
        .iter_mut()
        .chain(suppressed.iter_mut().map(|s| &mut s.diagnostic))
        .filter_map(|d| d.fix.as_mut())
        .flat_map(|fix| fix.edits.iter_mut());
    for edit in edits {
        let file = path_of(edit.file).unwrap_or_else(|| path.clone());
        edit.file = match edit_files.iter().position(|known| *known == file) {
            Some(index) => index,
            None => {
                edit_files.push(file);
                edit_files.len() - 1
            }
        };
    }
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
    use super::*;

    /// The order of a tree's checks, run on `threads` threads: the events in the order they
    /// happened, `check <file>` and `release <files>`, and the order itself.
    fn run_order(relatives: &[&str], threads: usize) -> (Vec<String>, CheckOrder) {
        let root = std::env::temp_dir().join("iislint-no-such-site");
        let targets: Vec<Target> = relatives
            .iter()
            .map(|relative| Target {
                path: root.join(relative),
                root: root.clone(),
            })
            .collect();
        let order = CheckOrder::of(&targets);
        let events = Mutex::new(Vec::new());
        let check = |index: usize| {
            events
                .lock()
                .unwrap()
                .push(format!("check {}", relatives[index]));
        };
        let release = |indexes: &[usize]| {
            let files: Vec<&str> = indexes.iter().map(|&i| relatives[i]).collect();
            events
                .lock()
                .unwrap()
                .push(format!("release {}", files.join(" ")));
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| rayon::scope(|scope| order.run(scope, &check, &release)));
        (events.into_inner().unwrap(), order)
    }

    #[test]
    fn a_web_config_is_checked_after_those_above_it_and_let_go_of_after_those_below() {
        let files = [
            "web.config",
            "a/web.config",
            "a/Web.config",
            "a/b/c/web.config",
            "a-b/web.config",
            "a/b-c/web.config",
            "d/web.config",
            "a/b/c/d/e/web.config",
            "x/applicationHost.config",
            "x/y/web.config",
        ];
        // Whatever the order the threads pick, these must hold.
        let above = |file: &str| -> Vec<&str> {
            let folder = Path::new(file).parent().unwrap();
            files
                .iter()
                .copied()
                .filter(|other| {
                    let dir = Path::new(other).parent().unwrap();
                    !other.ends_with("applicationHost.config")
                        && folder != dir
                        && folder.starts_with(dir)
                })
                .collect()
        };
        for threads in [1, 2, 4] {
            for _ in 0..20 {
                let (events, order) = run_order(&files, threads);
                let at = |event: &str| {
                    events
                        .iter()
                        .position(|e| e == event)
                        .unwrap_or_else(|| panic!("no `{event}` in {events:?}"))
                };
                // The applicationHost.config is not among them: the caller checks it.
                assert_eq!(order.hosts, [8]);
                assert!(!events.iter().any(|e| e.contains("applicationHost")));
                assert_eq!(events.len(), 9 + 8, "{events:?}");
                for file in files
                    .iter()
                    .filter(|f| !f.ends_with("applicationHost.config"))
                {
                    for parent in above(file) {
                        assert!(
                            at(&format!("check {parent}")) < at(&format!("check {file}")),
                            "{parent} before {file}: {events:?}"
                        );
                        // A parent is let go of after every file below it is checked.
                        let release = events
                            .iter()
                            .position(|e| {
                                e.starts_with("release ")
                                    && e["release ".len()..].split(' ').any(|f| f == parent)
                            })
                            .unwrap();
                        assert!(at(&format!("check {file}")) < release, "{events:?}");
                    }
                }
                // One folder's files are let go of together.
                assert!(
                    events.contains(&"release a/web.config a/Web.config".to_owned())
                        || events.contains(&"release a/Web.config a/web.config".to_owned())
                );
                // `a-b` and `a/b-c` are no folders below `a/b`: `a/b/c` waits for `a` only.
                assert!(at("release a/b/c/d/e/web.config") < at("release a/b/c/web.config"));
            }
        }
    }

    #[test]
    fn relative_and_absolute_targets_are_ordered_by_their_folders() {
        // The folder of each target's file, and its parent folder in the order's tree.
        let tree = |paths: &[&str]| -> Vec<(String, Option<String>)> {
            let targets: Vec<Target> = paths
                .iter()
                .map(|p| Target {
                    path: PathBuf::from(p),
                    root: PathBuf::from(p),
                })
                .collect();
            let order = CheckOrder::of(&targets);
            let folder_of = |f: &CheckFolder| {
                let path = Path::new(paths[f.targets[0]]);
                path.parent().unwrap().to_string_lossy().into_owned()
            };
            let mut tree: Vec<(String, Option<String>)> = order
                .folders
                .iter()
                .map(|f| (folder_of(f), f.parent.map(|p| folder_of(&order.folders[p]))))
                .collect();
            tree.sort();
            tree
        };
        // `top`: how the folders below the top one begin; `top_folder`: the top one.
        let expected = |top: &str, top_folder: &str| {
            let at = |folder: &str| format!("{top}{folder}");
            vec![
                (at("a"), Some(top_folder.to_owned())),
                (at("a-b"), Some(top_folder.to_owned())),
                (at("a/b"), Some(at("a"))),
                (at("a/b/c"), Some(at("a/b"))),
            ]
        };
        // Relative to the current folder, whose web.config is above every other.
        let mut relative = tree(&[
            "a/b/c/web.config",
            "a/web.config",
            "web.config",
            "a-b/web.config",
            "a/b/web.config",
        ]);
        assert_eq!(relative.remove(0), (String::new(), None));
        assert_eq!(relative, expected("", ""));
        // Absolute, from the file system's root.
        let mut absolute = tree(&[
            "/a/b/c/web.config",
            "/a/web.config",
            "/web.config",
            "/a-b/web.config",
            "/a/b/web.config",
        ]);
        assert_eq!(absolute.remove(0), ("/".to_owned(), None));
        assert_eq!(absolute, expected("/", "/"));
        // Both at once: made absolute, `a` below the current folder.
        let cwd = crate::paths::current_dir().unwrap().to_owned();
        let mixed = tree(&[&format!("{}/web.config", cwd.display()), "a/web.config"]);
        assert_eq!(mixed[0].1, None);
        assert_eq!(mixed[1].1.as_deref(), Some(cwd.to_str().unwrap()));
    }

    #[test]
    fn a_parents_secrets_are_learnt_once_for_its_text() {
        let parents = ParentCache::new(Arc::default());
        let path = std::env::temp_dir().join("iislint-no-such-site/web.config");
        let text: Arc<str> = Arc::from("<add cs=\"Password=abcdefgh\" />");
        parents.offer(ParentFile {
            path: path.clone(),
            text: text.clone(),
            sections: Arc::default(),
            application_root: true,
            secrets: Default::default(),
        });
        let first = parents.secrets_of(&path, &text);
        assert!(Arc::ptr_eq(&first, &parents.secrets_of(&path, &text)));
        // The same words in another text (the parent fixed): learnt from that text.
        let fixed: Arc<str> = Arc::from("<add cs=\"Password=ijklmnop\" />");
        let other = parents.secrets_of(&path, &fixed);
        assert!(!Arc::ptr_eq(&first, &other));
        let masked = Redactor::with_learned(other, []).mask("abcdefgh ijklmnop");
        assert_eq!(masked, "abcdefgh ********");
        // A file that is no kept parent: learnt from its text.
        let elsewhere = std::env::temp_dir().join("iislint-no-such-site/a/web.config");
        let masked =
            Redactor::with_learned(parents.secrets_of(&elsewhere, &text), []).mask("abcdefgh");
        assert_eq!(masked, "********");
    }

    #[test]
    fn a_checked_parent_is_let_go_of_by_name() {
        let parents = ParentCache::new(Arc::default());
        let root = std::env::temp_dir().join("iislint-no-such-site");
        for relative in ["web.config", "a/web.config"] {
            parents.offer(ParentFile {
                path: root.join(relative),
                text: Arc::from(""),
                sections: Arc::default(),
                application_root: false,
                secrets: Default::default(),
            });
        }
        parents.release([root.join("a/web.config")].into_iter());
        let kept: Vec<std::ffi::OsString> = parents.files.read().unwrap().keys().cloned().collect();
        assert_eq!(kept, [root.join("web.config").into_os_string()]);
    }

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
