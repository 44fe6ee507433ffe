//! Which files to lint, and which of them are an application's root configuration.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use crate::application::{Application, FolderEvidence, FolderScan, Project, Role, normalize};
use crate::model::FileKind;
use crate::settings::Settings;
use std::sync::Arc;

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

/// What a walk found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted, free of duplicates.
    pub targets: Vec<Target>,
    pub errors: Vec<WalkError>,
    /// Absolute folders inside the walked trees that hold a `.git` (a repository's top).
    pub git_folders: Vec<PathBuf>,
    /// Files inside the walked trees that the application model reads: project files,
    /// `Global.asax`, `.aspx` pages (see `application`).
    pub evidence_files: Vec<PathBuf>,
    /// The `iislint.toml` files inside the walked trees.
    pub config_files: Vec<PathBuf>,
    /// What the walk saw of web.config files, ignored ones too (see [`FolderListing`]).
    pub listing: FolderListing,
}

/// The folders a walk listed whole, and the web.config files it saw in them whether or not
/// `.gitignore` hides them: enough to answer "does this folder hold a web.config?" without
/// reading the folder again. All paths absolute and normalized.
#[derive(Debug, Default)]
pub struct FolderListing {
    /// Folders the walk read.
    pub folders: Vec<PathBuf>,
    /// Folders (or entries of folders) the walk could not read: their listing is not trusted.
    pub unreadable: Vec<PathBuf>,
    /// An error without a path: no listing is trusted.
    pub untrusted: bool,
    /// Entries named web.config (any letter case) that are not folders, links to files included.
    pub web_configs: Vec<PathBuf>,
}

impl FolderListing {
    fn append(&mut self, other: &mut FolderListing) {
        self.folders.append(&mut other.folders);
        self.unreadable.append(&mut other.unreadable);
        self.untrusted |= other.untrusted;
        self.web_configs.append(&mut other.web_configs);
    }

    /// Notes an entry of a listed folder (seen, or kept from the walk by the ignore rules).
    fn note_entry(&mut self, entry: &ignore::DirEntry) {
        if is_web_config_entry(entry.file_name(), entry.file_type(), entry.path()) {
            self.web_configs
                .push(crate::paths::absolute_normalized(entry.path()));
        }
    }
}

/// Is this entry of a folder the folder's web.config? Named so in any letter case, and a file or
/// a link to one: a folder named web.config is no configuration. `file_type` is the entry's own
/// (a link's, not its target's), as a folder listing gives it; `None` when unknown.
fn is_web_config_entry(
    name: &std::ffi::OsStr,
    file_type: Option<std::fs::FileType>,
    path: &Path,
) -> bool {
    name.to_str()
        .is_some_and(|n| n.eq_ignore_ascii_case("web.config"))
        && match file_type {
            Some(t) if t.is_dir() => false,
            Some(t) if !t.is_symlink() => true,
            _ => std::fs::metadata(path).is_ok_and(|m| !m.is_dir()),
        }
}

/// Walks `paths`: directories recursively (respecting `.gitignore` inside or outside a git
/// repository, skipping `bin/`, `obj/`, `node_modules/`, `.git/` and `exclude`), files named on the
/// command line always.
pub fn discover(paths: &[PathBuf], settings: &Settings) -> Discovery {
    discover_with(paths, &|path| settings.is_excluded(path))
}

/// [`discover`], leaving out the walked files `excluded` names (`check` passes nothing and
/// applies each file's own `exclude` afterwards, from the `iislint.toml` files the walk saw).
pub fn discover_with(paths: &[PathBuf], excluded: &(dyn Fn(&Path) -> bool + Sync)) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(err) => found.errors.push(WalkError {
                path: path.clone(),
                message: format!("cannot read: {err}"),
            }),
            Ok(meta) if meta.is_file() => found.targets.push(Target {
                path: path.clone(),
                root: path.clone(),
            }),
            Ok(meta) if meta.is_dir() => walk(path, excluded, &mut found),
            // A FIFO, device or socket: reading it could block or never end.
            Ok(meta) => found.errors.push(WalkError {
                path: path.clone(),
                message: format!(
                    "not a regular file ({}); iislint reads only regular files",
                    crate::load::kind_of(&meta)
                ),
            }),
        }
    }
    // In `Path` order (component by component); a tree's paths in normal form are ordered by
    // their bytes instead, the same order without parsing components (a tenth of the serial
    // set-up on 10,000 files). On the pool's threads: the walk has ended, the cores are free.
    if found
        .targets
        .par_iter()
        .all(|t| crate::paths::is_plain(&t.path))
    {
        found
            .targets
            .par_sort_by(|a, b| crate::paths::cmp_plain(&a.path, &b.path));
        // Equal in normal form is equal bytes.
        found
            .targets
            .dedup_by(|a, b| a.path.as_os_str() == b.path.as_os_str());
    } else {
        found.targets.sort_by(|a, b| a.path.cmp(&b.path));
        found.targets.dedup_by(|a, b| a.path == b.path);
    }
    // Several command-line paths can name one file (`web.config ./web.config`, a folder and a
    // file in it, a symbolic link): it is linted, reported and fixed once, under its first name.
    // One walk of one folder never finds a file twice, so the look-ups are spared there.
    if paths.len() > 1 {
        let mut seen = HashSet::new();
        found
            .targets
            .retain(|t| file_id(&t.path).is_none_or(|id| seen.insert(id)));
    }
    found
}

/// What makes two paths the same file: device and inode on Unix, the resolved path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

/// The identity of the file at `path` (through symbolic links), when it exists.
pub fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let meta = std::fs::metadata(path).ok()?;
        Some(FileId((meta.dev(), meta.ino())))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok().map(FileId)
    }
}

/// The target that is the same file as `path`, if any (by identity: another name, a link).
pub fn same_file_among<'t>(path: &Path, targets: &'t [Target]) -> Option<&'t Target> {
    let id = file_id(path)?;
    targets
        .iter()
        .find(|t| file_id(&t.path).as_ref() == Some(&id))
}

/// Walks the folder `root`, adding what it finds to `discovery`.
fn walk(root: &Path, excluded: &(dyn Fn(&Path) -> bool + Sync), discovery: &mut Discovery) {
    // Walking is mostly system calls (directory reads, and `.gitignore` look-ups in every
    // folder), so it runs on several threads; `discover` sorts the targets, and the errors are
    // sorted here, so the result does not depend on which thread finished first.
    let found = Mutex::new(Found::default());
    // The repository tops inside the tree, seen as `.git` entries on the way (the walk never
    // enters `.git`), so that finding a file's repository needs no `.git` look-up per folder.
    let git = std::sync::Arc::new(Mutex::new(Vec::new()));
    let git_seen = std::sync::Arc::clone(&git);
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        // Outside a git repository `ignore` would skip .gitignore files altogether.
        .require_git(false)
        .follow_links(false)
        .threads(rayon::current_num_threads().max(2))
        .filter_entry(move |entry| {
            if entry.file_name() == ".git"
                && marks_repository_top(entry.path())
                && let Some(folder) = entry.path().parent()
            {
                git_seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(crate::paths::absolute_normalized(folder));
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry.depth() > 0
                && SKIPPED_DIRS
                    .iter()
                    .any(|d| entry.file_name().eq_ignore_ascii_case(d)))
        })
        .build_parallel()
        .visit(&mut WalkVisitors {
            root,
            excluded,
            // Listings are kept by their paths made absolute by text (`a/..` is the folder
            // above `a`); after a `..` in the root, which follows links on disk, the folder read
            // can be another one: such a walk's listings are not kept.
            lists_folders: !crate::paths::absolute(root)
                .components()
                .any(|c| c == std::path::Component::ParentDir),
            all: &found,
        });
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    discovery.evidence_files.append(&mut found.evidence);
    discovery.config_files.append(&mut found.configs);
    found
        .errors
        .sort_by(|a: &WalkError, b: &WalkError| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    discovery.targets.append(&mut found.targets);
    discovery.errors.append(&mut found.errors);
    discovery.listing.append(&mut found.listing);
    discovery
        .git_folders
        .append(&mut git.lock().unwrap_or_else(|e| e.into_inner()));
}

/// What a walk (or one of its threads) found.
#[derive(Default)]
struct Found {
    targets: Vec<Target>,
    errors: Vec<WalkError>,
    evidence: Vec<PathBuf>,
    configs: Vec<PathBuf>,
    listing: FolderListing,
}

/// Makes one [`WalkVisitor`] per thread of the walk.
struct WalkVisitors<'a> {
    root: &'a Path,
    excluded: &'a (dyn Fn(&Path) -> bool + Sync),
    lists_folders: bool,
    all: &'a Mutex<Found>,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for WalkVisitors<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(WalkVisitor {
            root: self.root,
            excluded: self.excluded,
            lists_folders: self.lists_folders,
            found: Found::default(),
            all: self.all,
        })
    }
}

/// One thread's visitor: collects on its own, and hands what it found over when the walk ends
/// (no lock per entry).
struct WalkVisitor<'a> {
    root: &'a Path,
    excluded: &'a (dyn Fn(&Path) -> bool + Sync),
    /// Whether the folders it lists are noted (see `walk`).
    lists_folders: bool,
    found: Found,
    all: &'a Mutex<Found>,
}

impl ignore::ParallelVisitor for WalkVisitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let found = &mut self.found;
        match &entry {
            Ok(entry) => {
                // A folder the walk visits is read next, unless reading fails (an error below).
                if self.lists_folders && entry.file_type().is_some_and(|t| t.is_dir()) {
                    found
                        .listing
                        .folders
                        .push(crate::paths::absolute_normalized(entry.path()));
                }
                if self.lists_folders {
                    found.listing.note_entry(entry);
                }
                // Project files and pages, for the application model: a name test per file.
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    let name = entry.file_name();
                    if name.to_str().is_some_and(FolderEvidence::matters) {
                        found
                            .evidence
                            .push(crate::paths::absolute_normalized(entry.path()));
                    }
                    if name == crate::settings::CONFIG_FILE_NAME {
                        found.configs.push(entry.path().to_owned());
                    }
                }
            }
            // The folder (or the folder of the entry) that failed is not listed whole.
            Err(err) => match error_path(err) {
                Some(path) => {
                    let path = crate::paths::absolute_normalized(&path);
                    found
                        .listing
                        .unreadable
                        .extend(path.parent().map(Path::to_owned));
                    found.listing.unreadable.push(path);
                }
                None => found.listing.untrusted = true,
            },
        }
        let (target, error) = visit(self.root, self.excluded, entry);
        found.targets.extend(target);
        found.errors.extend(error);
        ignore::WalkState::Continue
    }

    fn ignored(&mut self, entry: &ignore::DirEntry) {
        if self.lists_folders {
            self.found.listing.note_entry(entry);
        }
    }
}

impl Drop for WalkVisitor<'_> {
    fn drop(&mut self) {
        let mut all = self.all.lock().unwrap_or_else(|e| e.into_inner());
        let found = &mut self.found;
        all.targets.append(&mut found.targets);
        all.errors.append(&mut found.errors);
        all.evidence.append(&mut found.evidence);
        all.configs.append(&mut found.configs);
        all.listing.append(&mut found.listing);
    }
}

/// One walked entry: a config file to lint, an error, or neither.
fn visit(
    root: &Path,
    excluded: &(dyn Fn(&Path) -> bool + Sync),
    entry: Result<ignore::DirEntry, ignore::Error>,
) -> (Option<Target>, Option<WalkError>) {
    let entry = match entry {
        Ok(entry) => entry,
        Err(err) => {
            let path = error_path(&err).unwrap_or_else(|| root.to_owned());
            let message = walk_error_message(&err);
            return (None, Some(WalkError { path, message }));
        }
    };
    let is_dir = entry.file_type().is_none_or(|t| t.is_dir());
    let named = entry.file_name().to_str().is_some_and(is_config_file_name);
    if is_dir || !named || excluded(entry.path()) {
        return (None, None);
    }
    let target = || Target {
        path: entry.path().to_owned(),
        root: root.to_owned(),
    };
    // The walk already knows a regular file's type; only a symlink needs a look at what it is.
    if entry.file_type().is_some_and(|t| t.is_file()) {
        return (Some(target()), None);
    }
    match std::fs::metadata(entry.path()) {
        Ok(meta) if meta.is_file() => (Some(target()), None),
        // A symlink named like a config file to a folder: walked like one.
        Ok(meta) if meta.is_dir() => (None, None),
        // A FIFO, device or socket named like a config file (or a link to one) is reported
        // rather than read (it could block) or silently passed over.
        Ok(meta) => {
            let error = WalkError {
                path: entry.path().to_owned(),
                message: format!(
                    "not a regular file ({}); iislint reads only regular files",
                    crate::load::kind_of(&meta)
                ),
            };
            (None, Some(error))
        }
        // A dangling or looping symlink named like a config file is reported, as it is when
        // named on the command line, rather than silently skipped.
        Err(err) => {
            let error = WalkError {
                path: entry.path().to_owned(),
                message: format!("cannot read: {err}"),
            };
            (None, Some(error))
        }
    }
}

/// The path a walk error is about: the folder or file that could not be read, the link that
/// loops (not the walk's root).
fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// A walk error's message without the path, which the report prints in front of it.
fn walk_error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_error_message(err),
        ignore::Error::Loop { ancestor, .. } => format!(
            "a symbolic link loop: it leads back to {}",
            crate::report::display_path(ancestor)
        ),
        other => format!("cannot read: {other}"),
    }
}

/// Answers "is there a web.config (or `.git`) in this folder?" once per folder, shared by the
/// threads that check files. Folders holding a discovered web.config are known without reading
/// them; others are read once, with no lock held while reading. Inside a walked tree, `.git` is
/// known from the walk; only folders above it are looked at. Each walk root is resolved once
/// rather than for every file.
#[derive(Default)]
pub struct FolderIndex {
    /// The folders of the discovered web.config files (absolute, normalized).
    web_config_folders: Vec<PathBuf>,
    web_config_names: std::sync::OnceLock<crate::sites::FolderNames>,
    // Keyed by the path's bytes: hashing a `Path` walks its components, which showed in profiles.
    /// Per folder, its web.config (any letter case).
    has_web_config: RwLock<FolderMap<Option<PathBuf>>>,
    /// Folders above the walked trees, looked at on disk.
    has_git: RwLock<FolderMap<bool>>,
    /// The walked folders (absolute): every folder below them was seen by the walk.
    walked: Vec<PathBuf>,
    /// The folders below `walked` that hold a `.git`, as the walk saw them.
    walked_git: HashSet<OsString, rustc_hash::FxBuildHasher>,
    /// Application evidence of the folders below `walked`, as the walk saw it (folders without
    /// any are absent).
    walked_evidence: FolderMap<Arc<FolderEvidence>>,
    /// Application evidence of folders outside the walked trees, read once each.
    evidence: RwLock<FolderMap<Arc<FolderEvidence>>>,
    /// Project files, parsed once each.
    projects: RwLock<FolderMap<Option<Arc<Project>>>>,
    /// Source scans by folder, shared by the applications that read the same sources.
    source_scans: RwLock<FolderMap<Arc<FolderScan>>>,
    /// Per repository top: the project files web projects reference (lower-cased paths).
    referenced_by_web: RwLock<FolderMap<Arc<HashMap<String, PathBuf>>>>,
    /// Per folder as a target's path spells it: where it is (see [`Place`]). A file's role,
    /// parents and transforms are asked for several times per check.
    places: RwLock<FolderMap<Arc<Place>>>,
    /// The evidence of the many folders that have none, shared.
    no_evidence: Arc<FolderEvidence>,
}

/// Where a folder is: its absolute, normalized path, and the top of the search upwards for
/// parents and project evidence (see [`FolderIndex::search_top`]).
#[derive(Debug)]
struct Place {
    folder: PathBuf,
    top: PathBuf,
}

/// Is `path` `root` or inside it? Both absolute and normalized, so comparing bytes (at a
/// separator) answers what `Path::starts_with` answers component by component, much faster.
fn within(path: &Path, root: &Path) -> bool {
    let (path, root) = (
        path.as_os_str().as_encoded_bytes(),
        root.as_os_str().as_encoded_bytes(),
    );
    path.starts_with(root)
        && (path.len() == root.len()
            || root
                .last()
                .is_some_and(|&b| std::path::is_separator(b as char))
            || std::path::is_separator(path[root.len()] as char))
}

/// Answers per folder, keyed by the path's bytes. Looked up several times for every file (and
/// every folder above it): hashed with FxHash, as SipHash over long paths showed in profiles.
type FolderMap<V> = HashMap<OsString, V, rustc_hash::FxBuildHasher>;

/// A cached answer per folder; computed outside the lock (two threads may both compute it).
fn cached<V: Clone>(map: &RwLock<FolderMap<V>>, key: &Path, compute: impl FnOnce() -> V) -> V {
    let key = key.as_os_str();
    if let Some(known) = map.read().unwrap_or_else(|e| e.into_inner()).get(key) {
        return known.clone();
    }
    let value = compute();
    map.write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key.to_owned(), value.clone());
    value
}

/// `known` (the folders of the web.config files to check) and, for every other folder the walk
/// listed whole, its web.config or none: such a folder needs no second read.
fn with_listed_folders(
    mut known: FolderMap<Option<PathBuf>>,
    listing: &FolderListing,
) -> FolderMap<Option<PathBuf>> {
    if listing.untrusted {
        return known;
    }
    // Keyed by the paths' bytes (hashing a `Path` walks its components).
    let unreadable: HashSet<&std::ffi::OsStr, rustc_hash::FxBuildHasher> =
        listing.unreadable.iter().map(|f| f.as_os_str()).collect();
    // The web.config of each listed folder whose own is not checked (left out by `exclude` or
    // the ignore rules; a checked one is in `known` already): the first in byte order, as
    // reading the folder picks it.
    let mut unchecked: HashMap<&std::ffi::OsStr, &PathBuf, rustc_hash::FxBuildHasher> =
        HashMap::default();
    for file in &listing.web_configs {
        if let Some(folder) = crate::paths::parent(file).map(Path::as_os_str)
            && !known.contains_key(folder)
        {
            unchecked
                .entry(folder)
                .and_modify(|first| *first = (*first).min(file))
                .or_insert(file);
        }
    }
    // Every other listed folder, its key copied on the pool's threads; then put in the map
    // (`FolderIndex::new` made it large enough).
    let listed: Vec<(OsString, Option<PathBuf>)> = listing
        .folders
        .par_iter()
        .map(|folder| folder.as_os_str())
        .filter(|folder| !known.contains_key(*folder) && !unreadable.contains(folder))
        .map(|folder| {
            (
                folder.to_owned(),
                unchecked.get(folder).map(|f| (*f).clone()),
            )
        })
        .collect();
    known.extend(listed);
    known
}

impl FolderIndex {
    /// An index that already knows the folders of the discovered web.config files and the
    /// repository tops inside the walked trees.
    pub fn new(discovery: &Discovery) -> FolderIndex {
        // On the pool's threads: making 10,000 paths absolute was most of this serial step.
        let known: Vec<(OsString, Option<PathBuf>)> = discovery
            .targets
            .par_iter()
            .filter(|t| {
                t.path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.eq_ignore_ascii_case("web.config"))
            })
            .filter_map(|t| {
                let file = crate::paths::absolute_normalized(&t.path);
                let dir = crate::paths::parent(&file)?.to_owned();
                Some((dir.into_os_string(), Some(file)))
            })
            .collect();
        // Sized once for the folders the walk listed too (`with_listed_folders`): growing it
        // there moved every entry again.
        let mut known_map = FolderMap::with_capacity_and_hasher(
            known.len() + discovery.listing.folders.len(),
            Default::default(),
        );
        // The folders of the web.config files to check, before the other folders the walk
        // listed are added to the answers: by bytes (see `has_checked_below`); comparing paths
        // component by component was a tenth of the set-up on a large tree. On the pool's
        // threads.
        let mut web_config_folders: Vec<PathBuf> = known
            .par_iter()
            .map(|(dir, _)| PathBuf::from(dir.clone()))
            .collect();
        web_config_folders.par_sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        web_config_folders.dedup();
        known_map.extend(known);
        let known = with_listed_folders(known_map, &discovery.listing);
        let walked_git = discovery
            .git_folders
            .iter()
            .map(|dir| dir.clone().into_os_string())
            .collect();
        // (By bytes: a walked target's path is its root's joined with more.)
        let mut roots: Vec<&std::ffi::OsStr> = discovery
            .targets
            .iter()
            .filter(|t| t.root.as_os_str() != t.path.as_os_str())
            .map(|t| t.root.as_os_str())
            .collect();
        roots.sort_unstable();
        roots.dedup();
        let mut walked: Vec<PathBuf> = roots
            .into_iter()
            .map(|root| crate::paths::absolute_normalized(Path::new(root)))
            .collect();
        walked.sort();
        walked.dedup();
        let mut walked_evidence: HashMap<OsString, FolderEvidence> = HashMap::new();
        for file in &discovery.evidence_files {
            if let Some(folder) = file.parent() {
                walked_evidence
                    .entry(folder.as_os_str().to_owned())
                    .or_default()
                    .note(file);
            }
        }
        let walked_evidence = walked_evidence
            .into_iter()
            .map(|(dir, evidence)| (dir, Arc::new(evidence)))
            .collect();
        FolderIndex {
            web_config_folders,
            has_web_config: RwLock::new(known),
            walked,
            walked_git,
            walked_evidence,
            ..FolderIndex::default()
        }
    }

    fn has_web_config(&self, dir: &Path) -> bool {
        self.web_config_in(dir).is_some()
    }

    /// Where the folder of `path` is, worked out once per folder.
    fn place(&self, path: &Path) -> Option<Arc<Place>> {
        let folder = path.parent()?;
        Some(cached(&self.places, folder, || {
            // `a/../b`: the folders above are the real ones, not the path's spelling.
            let folder = crate::paths::absolute_normalized(folder);
            let top = self.search_top(&folder);
            Arc::new(Place { folder, top })
        }))
    }

    /// Does the run check a web.config in a folder below `web_config`'s (a file that inherits
    /// from it)?
    pub fn has_checked_below(&self, web_config: &Path) -> bool {
        !self.web_config_folders_below(web_config).is_empty()
    }

    /// The folders of the checked web.config files below `web_config`'s.
    fn web_config_folders_below(&self, web_config: &Path) -> &[PathBuf] {
        let Some(place) = self.place(web_config) else {
            return &[];
        };
        // The folders below `folder` are those spelled `folder/…`: a run of the byte order.
        let mut below = place.folder.as_os_str().as_encoded_bytes().to_vec();
        if !below
            .last()
            .is_some_and(|&b| std::path::is_separator(b as char))
        {
            below.extend_from_slice(std::path::MAIN_SEPARATOR_STR.as_bytes());
        }
        fn bytes(f: &Path) -> &[u8] {
            f.as_os_str().as_encoded_bytes()
        }
        let first = self
            .web_config_folders
            .partition_point(|f| bytes(f) < below.as_slice());
        let count = self.web_config_folders[first..]
            .iter()
            .take_while(|f| bytes(f).starts_with(&below))
            .count();
        &self.web_config_folders[first..first + count]
    }

    /// The transforms in a folder the walk saw (`None`: outside the walked trees, look on disk).
    pub fn transforms_in(&self, folder: &Path) -> Option<Vec<PathBuf>> {
        let folder = crate::paths::absolute_normalized(folder);
        if !self.walked.iter().any(|root| within(&folder, root)) {
            return None;
        }
        Some(
            self.walked_evidence
                .get(folder.as_os_str())
                .map(|e| e.transforms.clone())
                .unwrap_or_default(),
        )
    }

    /// The folders of the web.config files this run checks, by name (built when an
    /// applicationHost.config first needs it).
    pub fn web_config_folders(&self) -> &crate::sites::FolderNames {
        self.web_config_names
            .get_or_init(|| crate::sites::FolderNames::new(&self.web_config_folders))
    }

    /// The web.config of a folder (any letter case), looked for once: known from the walk for the
    /// folders it listed, read otherwise. The walk's answer counts the web.config files that
    /// `.gitignore` hides too (the walk is told of them, see `vendor/ignore/PATCHES.md`): one a
    /// build generates, say, is still the parent of the files below when the site runs. Not
    /// seeing it would take a sub-folder for an application's root, and a fix could insert
    /// application-only sections there.
    pub fn web_config_in(&self, dir: &Path) -> Option<PathBuf> {
        cached(&self.has_web_config, dir, || {
            let mut names: Vec<_> = std::fs::read_dir(dir)
                .ok()?
                .flatten()
                .filter(|e| is_web_config_entry(&e.file_name(), e.file_type().ok(), &e.path()))
                .map(|e| e.file_name())
                .collect();
            names.sort();
            names.first().map(|name| dir.join(name))
        })
    }

    /// The web.config files of the folders above `target`'s, outermost first, up to the
    /// repository's top (else the file system's root): the files whose settings it inherits.
    pub fn parent_configs(&self, target: &Target) -> Vec<PathBuf> {
        let Some(place) = self.place(&target.path) else {
            return Vec::new();
        };
        let mut parents: Vec<PathBuf> = crate::paths::ancestors(&place.folder)
            .skip(1)
            .take_while(|dir| within(dir, &place.top))
            .filter_map(|dir| self.web_config_in(dir))
            .collect();
        parents.reverse();
        parents
    }

    fn has_git(&self, dir: &Path) -> bool {
        // Inside a walked tree the walk has the answer (caching it would be one entry per folder
        // of the tree); folders above the roots are looked at once.
        if self.walked.iter().any(|root| within(dir, root)) {
            return self.walked_git.contains(dir.as_os_str());
        }
        cached(&self.has_git, dir, || {
            marks_repository_top(&dir.join(".git"))
        })
    }

    /// Is this web.config an application's root configuration? An MVC `Views/Web.config` never
    /// is. Otherwise it is when it sets a section only an application may set, or when no folder
    /// above it has a web.config. "Above" reaches up to the repository's top (the folder with
    /// `.git`), else the file system's root: a nested web.config named on the command line (as
    /// pre-commit does), or a sub-folder of a deployed site checked on its own, still sees its
    /// parent's.
    pub fn is_application_root(
        &self,
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
        let Some(place) = self.place(&target.path) else {
            return true;
        };
        !crate::paths::ancestors(&place.folder)
            .skip(1)
            .take_while(|dir| within(dir, &place.top))
            .any(|dir| self.has_web_config(dir))
    }
}

/// Does this `.git` make its folder a repository's top? A `.git` folder does, and so does a
/// worktree's `.git` file; a submodule's `.git` file (`gitdir: …/.git/modules/…`) does not: the
/// project that hosts a submodule's code lives in the repository around it.
fn marks_repository_top(dot_git: &Path) -> bool {
    match std::fs::symlink_metadata(dot_git) {
        Ok(meta) if meta.is_dir() => true,
        Ok(meta) if meta.is_file() => std::fs::read_to_string(dot_git).is_ok_and(|text| {
            let target = text.trim().replace('\\', "/");
            !target.contains("/modules/")
        }),
        _ => false,
    }
}

pub use crate::application::{SKIPPED_FOR_SOURCES, source_walk};

impl FolderIndex {
    /// What the repository says about this web.config: an application's root, not one (and
    /// why), or nothing either way (see `application` for the evidence and the rules).
    pub fn role(&self, target: &Target, kind: FileKind) -> Role {
        if kind != FileKind::WebConfig {
            return Role::NotApplication("it is not a web.config".to_owned());
        }
        if is_views_folder(&target.path) {
            return Role::NotApplication(
                "an MVC Views folder's web.config configures the view engine".to_owned(),
            );
        }
        let Some(place) = self.place(&target.path) else {
            return Role::Undecided;
        };
        let (folder, top) = (&place.folder, &place.top);
        // A folder inside a project belongs to it: any folder above with evidence decides.
        if let Some(dir) = crate::paths::ancestors(folder)
            .skip(1)
            .take_while(|dir| within(dir, top))
            .find(|dir| !self.evidence(dir).is_empty())
        {
            return Role::NotApplication(format!(
                "it is inside {}, which holds a project, Global.asax or pages",
                crate::report::display_path(dir)
            ));
        }
        self.folder_role(folder, &self.evidence(folder), top)
    }

    /// The role of a web.config in `folder` given the folder's own evidence.
    fn folder_role(&self, folder: &Path, evidence: &FolderEvidence, top: &Path) -> Role {
        let projects: Vec<Arc<Project>> = evidence
            .projects
            .iter()
            .filter_map(|p| self.project(p))
            .collect();
        let web = projects.iter().find(|p| p.is_web);
        let application = |projects: &[Arc<Project>]| {
            let mut source_folders = vec![folder.to_owned()];
            for reference in projects.iter().flat_map(|p| &p.references) {
                // A referenced project's folder holds its sources, unless it contains this
                // application (and so other applications' sources too).
                if let Some(dir) = reference.parent().filter(|d| d.is_dir())
                    && !folder.starts_with(dir)
                    && !source_folders.iter().any(|f| dir.starts_with(f))
                {
                    source_folders.push(dir.to_owned());
                }
            }
            Role::Application(Application {
                folder: folder.to_owned(),
                source_folders,
            })
        };
        if evidence.global_asax {
            return application(&projects);
        }
        if let Some(web) = web {
            if web.web_config_not_deployed {
                return Role::NotApplication(format!(
                    "its project {} lists web.config as <None>: it is not deployed",
                    crate::report::display_path(&web.path)
                ));
            }
            if let Some(host) = self.application_built_into(web, folder, top) {
                return Role::NotApplication(format!(
                    "its project builds into {}, inside the application there: a plugin that application loads",
                    crate::report::display_path(&host)
                ));
            }
            // Without Global.asax, a web project may be a module another web project hosts:
            // only a search of the whole repository can rule that out.
            let Some(repository) = folder.ancestors().find(|dir| self.has_git(dir)) else {
                return Role::NotApplication(
                    "a web project without Global.asax outside a git repository: whether another project hosts it cannot be told".to_owned(),
                );
            };
            if let Some(host) = self.referencing_web_project(&web.path, repository) {
                return Role::NotApplication(format!(
                    "its project is a module that the web project {} references (and it has no Global.asax)",
                    crate::report::display_path(&host)
                ));
            }
            return application(&projects);
        }
        if let Some(project) = projects.first() {
            return Role::NotApplication(format!(
                "its project {} is not a web application project",
                crate::report::display_path(&project.path)
            ));
        }
        // A Web Site project: pages without a project file. Pages in a sub-folder of a site
        // whose web.config sits above are that site's. Above means up to the repository's top,
        // or, outside a repository (a deployed site), every folder up to the file system's root:
        // the current directory says nothing about where the site begins. That is `top` (see
        // `search_top`).
        if evidence.aspx_pages && !self.has_web_config_above(folder, top) {
            return application(&[]);
        }
        Role::Undecided
    }

    /// The scans of these source folders, each made once per run whichever application asks.
    pub fn folder_scans(&self, folders: &[PathBuf]) -> Vec<Arc<FolderScan>> {
        folders
            .iter()
            .map(|folder| {
                cached(&self.source_scans, folder, || {
                    Arc::new(FolderScan::new(folder.clone()))
                })
            })
            .collect()
    }

    /// Does a folder above `folder`, up to `top`, hold a web.config?
    fn has_web_config_above(&self, folder: &Path, top: &Path) -> bool {
        folder
            .ancestors()
            .skip(1)
            .take_while(|dir| dir.starts_with(top))
            .any(|dir| self.has_web_config(dir))
    }

    /// The folder of another application that the project builds into (nopCommerce and
    /// SmartStore plugins set `<OutputPath>` to the host's `Plugins` folder): the first folder
    /// above an output path outside the project's own folder that holds a web.config or
    /// `Global.asax`, up to the repository's top.
    fn application_built_into(
        &self,
        project: &Project,
        folder: &Path,
        top: &Path,
    ) -> Option<PathBuf> {
        project
            .output_paths
            .iter()
            .filter(|output| !output.starts_with(folder))
            .find_map(|output| {
                output
                    .ancestors()
                    .take_while(|dir| dir.starts_with(top) && !folder.starts_with(dir))
                    .find(|dir| self.has_web_config(dir) || self.evidence(dir).global_asax)
                    .map(Path::to_owned)
            })
    }

    /// The application evidence of one folder (absolute).
    fn evidence(&self, dir: &Path) -> Arc<FolderEvidence> {
        if self.walked.iter().any(|root| within(dir, root)) {
            return self
                .walked_evidence
                .get(dir.as_os_str())
                .unwrap_or(&self.no_evidence)
                .clone();
        }
        cached(&self.evidence, dir, || {
            let mut evidence = FolderEvidence::default();
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                if is_file
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(FolderEvidence::matters)
                {
                    evidence.note(&entry.path());
                }
            }
            evidence.projects.sort();
            Arc::new(evidence)
        })
    }

    fn project(&self, path: &Path) -> Option<Arc<Project>> {
        cached(&self.projects, path, || Project::read(path).map(Arc::new))
    }

    /// A web project under `repository` that references the project `path`, if any.
    fn referencing_web_project(&self, path: &Path, repository: &Path) -> Option<PathBuf> {
        let references = cached(&self.referenced_by_web, repository, || {
            let mut references = HashMap::new();
            for project in self.projects_under(repository) {
                let Some(project) = self.project(&project).filter(|p| p.is_web) else {
                    continue;
                };
                for reference in &project.references {
                    references
                        .entry(reference.to_string_lossy().to_lowercase())
                        .or_insert_with(|| project.path.clone());
                }
            }
            Arc::new(references)
        });
        let key = normalize(path).to_string_lossy().to_lowercase();
        references.get(&key).cloned()
    }

    /// Every project file under `repository`: from the walk when it covered it, else walked now
    /// (once per repository).
    fn projects_under(&self, repository: &Path) -> Vec<PathBuf> {
        if self.walked.iter().any(|root| repository.starts_with(root)) {
            return self
                .walked_evidence
                .iter()
                .filter(|(dir, _)| Path::new(dir).starts_with(repository))
                .flat_map(|(_, evidence)| evidence.projects.iter().cloned())
                .collect();
        }
        let mut projects = Vec::new();
        for entry in source_walk(repository).flatten() {
            let mut evidence = FolderEvidence::default();
            if entry.file_type().is_some_and(|t| t.is_file()) {
                evidence.note(entry.path());
            }
            projects.extend(evidence.projects);
        }
        projects
    }
}

/// Is this file in an MVC `Views` folder (whose web.config only configures the view engine)?
pub fn is_views_folder(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n.eq_ignore_ascii_case("Views"))
}

impl FolderIndex {
    /// How far up to look for a parent web.config or project evidence: the repository's top
    /// (the nearest folder with `.git`), else the file system's root.
    fn search_top(&self, folder: &Path) -> PathBuf {
        if let Some(repo) = crate::paths::ancestors(folder).find(|dir| self.has_git(dir)) {
            return repo.to_owned();
        }
        // Outside a repository (a deployed site, a copied folder), the current directory or the
        // path on the command line says nothing about where the site begins: every folder up to
        // the file system's root is looked at (each read once).
        crate::paths::ancestors(folder)
            .last()
            .unwrap_or(folder)
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_folder_is_answered_from_the_walk_and_an_unreadable_one_is_not() {
        let folder = |name: &str| PathBuf::from("/repo").join(name);
        let listing = FolderListing {
            folders: ["", "a", "b", "c", "d"].map(folder).to_vec(),
            unreadable: vec![folder("c")],
            untrusted: false,
            // Two spellings in `a`: the first in byte order, as a read of the folder picks it.
            web_configs: vec![
                folder("a/web.config"),
                folder("a/Web.config"),
                folder("c/web.config"),
            ],
        };
        // `d` holds a web.config to check: the walk's target wins over the listing.
        let known: FolderMap<Option<PathBuf>> =
            [(folder("d").into_os_string(), Some(folder("d/WEB.CONFIG")))]
                .into_iter()
                .collect();
        let answers = with_listed_folders(known.clone(), &listing);
        let answer = |name: &str| answers.get(folder(name).as_os_str()).cloned();
        assert_eq!(answer("a"), Some(Some(folder("a/Web.config"))));
        assert_eq!(answer(""), Some(None));
        assert_eq!(answer("b"), Some(None));
        assert_eq!(answer("c"), None, "an unreadable folder is read again");
        assert_eq!(answer("d"), Some(Some(folder("d/WEB.CONFIG"))));
        assert_eq!(answer("e"), None, "a folder the walk did not list is read");
        // After an error without a path, no listing is trusted.
        let untrusted = FolderListing {
            untrusted: true,
            ..listing
        };
        assert_eq!(with_listed_folders(known.clone(), &untrusted), known);
    }

    #[test]
    fn checked_web_configs_below_a_parent_are_known() {
        let root = std::env::temp_dir().join("iislint-no-such-repository");
        let target = |relative: &str| Target {
            path: root.join(relative),
            root: root.clone(),
        };
        let discovery = Discovery {
            targets: [
                "a/web.config",
                "a/b/web.config",
                "a/b/c/d/Web.config",
                "ab/web.config",
            ]
            .into_iter()
            .map(target)
            .collect(),
            ..Discovery::default()
        };
        let index = FolderIndex::new(&discovery);
        assert!(index.has_checked_below(&root.join("a/web.config")));
        assert!(index.has_checked_below(&root.join("a/b/web.config")));
        // `ab` is beside `a`, not below it; nothing is below the deepest file.
        assert!(!index.has_checked_below(&root.join("ab/web.config")));
        assert!(!index.has_checked_below(&root.join("a/b/c/d/Web.config")));
        assert!(index.has_checked_below(&root.join("web.config")));
        assert!(index.has_checked_below(&root.join("a/b/c/web.config")));
    }

    #[test]
    fn folders_the_walk_listed_without_a_web_config_are_no_web_config_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["Shop/Views", "Admin/Shop", "Shop/Content"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("Shop/web.config"), "<configuration/>").unwrap();
        std::fs::write(root.join("Shop/Content/site.css"), "").unwrap();
        let discovery = discover_with(&[root.to_owned()], &|_| false);
        assert!(
            !discovery.listing.folders.is_empty(),
            "the walk lists its folders"
        );
        let index = FolderIndex::new(&discovery);
        let shop = crate::paths::absolute_normalized(&root.join("Shop"));
        // Only the folder that holds a web.config: sub-folders without one inherit nothing from
        // it, and an application's physicalPath is matched against web.config folders alone
        // (`Admin/Shop` would tie with `Shop`).
        assert_eq!(index.web_config_folders, std::slice::from_ref(&shop));
        assert!(!index.has_checked_below(&shop.join("web.config")));
        // The listing still answers for the folders it read.
        assert!(index.has_web_config(&shop));
        assert!(!index.has_web_config(&shop.join("Content")));
    }

    #[test]
    fn a_folder_read_by_several_applications_is_scanned_once() {
        let index = FolderIndex::default();
        let library = PathBuf::from("/repo/Shared");
        let first = index.folder_scans(&[PathBuf::from("/repo/Shop"), library.clone()]);
        let second = index.folder_scans(&[PathBuf::from("/repo/Admin"), library]);
        assert!(Arc::ptr_eq(&first[1], &second[1]));
        assert!(!Arc::ptr_eq(&first[0], &second[0]));
    }
}
