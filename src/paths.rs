//! Absolute paths with the current directory looked up once per run: `std::path::absolute` calls
//! `getcwd` for every relative path, which was tens of thousands of system calls on a large tree
//! (display names, `per-file-ignores`, the application-root folder index). iislint never changes
//! its current directory, so the first answer stays right.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The current directory when the run started (`None` when it cannot be read, e.g. deleted).
pub fn current_dir() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// `std::path::absolute`, against the cached current directory; the path itself when that fails.
pub fn absolute(path: &Path) -> PathBuf {
    // Asked for every file several times: a path already in normal form needs no component walk.
    if is_plain(path) {
        match current_dir() {
            _ if path.is_absolute() => return path.to_owned(),
            Some(cwd) if !path.as_os_str().is_empty() => return cwd.join(path),
            _ => {}
        }
    }
    match current_dir() {
        Some(cwd) if path.is_relative() => std::path::absolute(cwd.join(path)),
        _ => std::path::absolute(path),
    }
    .unwrap_or_else(|_| path.to_owned())
}

/// Is `path` free of `.` and `..` components, repeated or trailing separators (and, on Windows,
/// of `/` and prefixes), so that `std::path::absolute` and a normalization would only copy it?
pub fn is_plain(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    if cfg!(windows) || bytes.is_empty() {
        return false;
    }
    let mut components = bytes.split(|&b| b == b'/');
    // A leading `/` gives one empty component first; any other empty one is a repeated or
    // trailing separator.
    if bytes[0] == b'/' {
        components.next();
    }
    components.all(|c| !c.is_empty() && c != b"." && c != b"..")
}

/// `path.parent()`, without the component walk for a path in normal form (see [`is_plain`]):
/// the folder loops above every file (parents, project evidence, the repository's top) ask it
/// tens of times per file.
pub fn parent(path: &Path) -> Option<&Path> {
    #[cfg(unix)]
    if is_plain(path) {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        return match bytes.iter().rposition(|&b| b == b'/') {
            // `/a` → `/`; `/` has none.
            Some(0) if bytes.len() > 1 => Some(Path::new("/")),
            Some(0) => None,
            Some(at) => Some(Path::new(std::ffi::OsStr::from_bytes(&bytes[..at]))),
            // `a` → ``, as `Path::parent` answers.
            None => Some(Path::new("")),
        };
    }
    path.parent()
}

/// `path.ancestors()` by [`parent`]: the path itself, then each folder above it.
pub fn ancestors(path: &Path) -> impl Iterator<Item = &Path> {
    std::iter::successors(Some(path), |p| parent(p))
}

/// Turns `path` into the form every output uses: relative to the current directory when it is
/// below it, always with `/` separators.
pub fn display_path(path: &std::path::Path) -> String {
    // The usual case, every file of a walk below the current directory: shown as spelled.
    if path.is_relative() && is_plain(path) {
        return path.to_string_lossy().into_owned();
    }
    // A relative path is already relative to the current directory; only an absolute one is
    // compared with it.
    let shown = match current_dir() {
        Some(cwd) if path.is_absolute() => {
            let absolute = absolute(path);
            match absolute.strip_prefix(cwd) {
                Ok(below) => below.to_owned(),
                Err(_) => path.to_owned(),
            }
        }
        _ => path.to_owned(),
    };
    // Collecting the components drops `a/./b`'s inner `.` and repeated separators, as
    // `std::path::absolute` did for relative paths.
    let shown: PathBuf = shown.components().collect();
    let shown = shown.strip_prefix(".").unwrap_or(&shown);
    // `\` separates folders only on Windows; elsewhere it is part of a file's name.
    let text = if cfg!(windows) {
        shown.to_string_lossy().replace('\\', "/")
    } else {
        shown.to_string_lossy().into_owned()
    };
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_match_std() {
        for path in [
            "/a/b/c", "/a", "/", "a/b", "a", "", "a/./b", "/a//b", "a/b/", "../x", "/a/..",
        ] {
            let path = Path::new(path);
            assert_eq!(
                ancestors(path).collect::<Vec<_>>(),
                path.ancestors().collect::<Vec<_>>(),
                "{path:?}"
            );
        }
    }

    #[test]
    fn matches_std_absolute() {
        for path in [
            "a/./b", "./x", "../y/z", "/abs/./p", ".", "a/b", "/a/b", "a//b", "a/b/", "/", "a/..",
        ] {
            let path = Path::new(path);
            assert_eq!(
                absolute(path),
                std::path::absolute(path).unwrap(),
                "{path:?}"
            );
        }
    }
}
