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

/// [`current_dir`] when it is in normal form (see [`is_plain`]), looked at once.
fn plain_current_dir() -> Option<&'static Path> {
    static PLAIN: OnceLock<Option<&'static Path>> = OnceLock::new();
    *PLAIN.get_or_init(|| current_dir().filter(|cwd| is_plain(cwd)))
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

/// The absolute, lexically normalized form of `path` (`a/../b` is `b`): what
/// `application::normalize(&absolute(path))` gives, with a single copy for a path in normal form
/// (asked for every folder of a walk and several times for every file).
pub fn absolute_normalized(path: &Path) -> PathBuf {
    if is_plain(path) {
        if path.is_absolute() {
            return path.to_owned();
        }
        if let Some(cwd) = plain_current_dir() {
            // `cwd.join(path)`: a plain directory has no trailing separator, so one goes between.
            let mut joined = std::ffi::OsString::with_capacity(
                cwd.as_os_str().len() + 1 + path.as_os_str().len(),
            );
            joined.push(cwd.as_os_str());
            joined.push(std::path::MAIN_SEPARATOR_STR);
            joined.push(path.as_os_str());
            return PathBuf::from(joined);
        }
    }
    crate::application::normalize(&absolute(path))
}

/// How many components [`absolute_normalized`]`(path)` has, counted without making it for a path
/// in normal form (the depth of every file of a run, to check folder level by folder level).
pub fn depth(path: &Path) -> usize {
    if is_plain(path) {
        let separators = memchr::memchr_iter(b'/', path.as_os_str().as_encoded_bytes()).count();
        // `/a/b` is the root and two names; `a/b` is two names below the current directory.
        if path.is_absolute() {
            return separators + 1;
        }
        if let Some(cwd) = plain_current_dir() {
            return depth(cwd) + separators + 1;
        }
    }
    absolute_normalized(path).components().count()
}

/// Is `path` free of `.` and `..` components, repeated or trailing separators (and, on Windows,
/// of `/` and prefixes), so that `std::path::absolute` and a normalization would only copy it?
pub fn is_plain(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    if cfg!(windows) || bytes.is_empty() {
        return false;
    }
    // One pass over the bytes: a component (between separators, after a leading `/`) must not be
    // empty (a repeated or trailing separator), `.` or `..`.
    let bytes = bytes.strip_prefix(b"/").unwrap_or(bytes);
    let (mut length, mut dots) = (0usize, 0usize);
    let bad = |length: usize, dots: usize| length == 0 || (dots == length && length <= 2);
    for &b in bytes {
        if b == b'/' {
            if bad(length, dots) {
                return false;
            }
            (length, dots) = (0, 0);
        } else {
            length += 1;
            dots += usize::from(b == b'.');
        }
    }
    !bad(length, dots)
}

/// `a.cmp(b)` for two paths in normal form (see [`is_plain`]): component by component is the
/// order of their bytes with the separator below every other byte (no component holds a
/// separator or a NUL, and a shorter component sorts first).
pub fn cmp_plain(a: &Path, b: &Path) -> std::cmp::Ordering {
    // (`` and `/`, the folders of `web.config` and `/web.config`, compare so too.)
    debug_assert!(
        [a, b]
            .iter()
            .all(|p| is_plain(p) || matches!(p.as_os_str().as_encoded_bytes(), b"" | b"/"))
    );
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    // The paths of a tree share long beginnings: they are passed over eight bytes at a time,
    // and the first byte that differs decides (the end of a path comes before any byte).
    let common = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= common && a[at..at + 8] == b[at..at + 8] {
        at += 8;
    }
    while at < common && a[at] == b[at] {
        at += 1;
    }
    let rank = |byte: Option<&u8>| byte.map(|&b| if b == b'/' { 0 } else { b });
    rank(a.get(at)).cmp(&rank(b.get(at)))
}

/// `path.parent()`, without the component walk for a path in normal form (see [`is_plain`]):
/// the folder loops above every file (parents, project evidence, the repository's top) ask it
/// tens of times per file.
pub fn parent(path: &Path) -> Option<&Path> {
    #[cfg(unix)]
    if is_plain(path) {
        return plain_parent(path);
    }
    path.parent()
}

/// [`parent`] of a path in normal form, which is in normal form too, or `/` or `` (the parents
/// of `/a` and `a`).
#[cfg(unix)]
fn plain_parent(path: &Path) -> Option<&Path> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    match bytes.iter().rposition(|&b| b == b'/') {
        // `/a` → `/`; `/` has none.
        Some(0) if bytes.len() > 1 => Some(Path::new("/")),
        Some(0) => None,
        Some(at) => Some(Path::new(std::ffi::OsStr::from_bytes(&bytes[..at]))),
        // `a` → ``, as `Path::parent` answers.
        None => Some(Path::new("")),
    }
}

/// `path.ancestors()` by [`parent`]: the path itself, then each folder above it. Whether the
/// path is in normal form is looked at once, not at every folder: its folders are too.
pub fn ancestors(path: &Path) -> impl Iterator<Item = &Path> {
    let plain = cfg!(unix) && is_plain(path);
    std::iter::successors(Some(path), move |p| {
        #[cfg(unix)]
        if plain && !p.as_os_str().is_empty() && p.as_os_str() != "/" {
            return plain_parent(p);
        }
        let _ = plain;
        p.parent()
    })
}

/// Turns `path` into the form every output uses: relative to the current directory when it is
/// below it, always with `/` separators. The reports written for people show it with the
/// platform's separator ([`native`]); JSON, SARIF and diff headers keep `/`.
pub fn display_path(path: &std::path::Path) -> String {
    // The usual case, every file of a walk below the current directory: shown as spelled.
    if path.is_relative() && is_plain(path) {
        return path.to_string_lossy().into_owned();
    }
    // A relative path is already relative to the current directory; only an absolute one is
    // compared with it.
    let shown = match current_dir() {
        Some(cwd) if path.is_absolute() => {
            strip_prefix(&absolute(path), cwd).unwrap_or_else(|| path.to_owned())
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

/// A [`display_path`] as the platform writes paths: with `\\` on Windows (as ruff and every
/// Windows tool show them, so a path can be pasted into Explorer or `cmd`), unchanged elsewhere.
/// For the reports read by people (human, concise, GitHub annotations); JSON and SARIF are read
/// by programs, which get `/` on every platform.
pub fn native(display: &str) -> std::borrow::Cow<'_, str> {
    if cfg!(windows) && display.contains('/') {
        std::borrow::Cow::Owned(display.replace('/', "\\"))
    } else {
        std::borrow::Cow::Borrowed(display)
    }
}

/// `path` below `base`, relative to it: `Path::strip_prefix`, except that on Windows folder
/// names are compared ignoring case, as the file system compares them (`C:\Sites\shop` is
/// below `c:\sites`: both spellings name the same folder, and a user may type either).
pub fn strip_prefix(path: &Path, base: &Path) -> Option<PathBuf> {
    if let Ok(below) = path.strip_prefix(base) {
        return Some(below.to_owned());
    }
    if !cfg!(windows) {
        return None;
    }
    let mut rest = path.components();
    for wanted in base.components() {
        let got = rest.next()?;
        if !same_name_ignoring_case(got.as_os_str(), wanted.as_os_str()) {
            return None;
        }
    }
    Some(rest.as_path().to_owned())
}

/// Do two file names name the same file on a case-insensitive file system (NTFS compares with
/// an upper-case table; lower-casing both agrees with it outside a few exotic letters)?
fn same_name_ignoring_case(a: &std::ffi::OsStr, b: &std::ffi::OsStr) -> bool {
    a == b || a.to_string_lossy().to_lowercase() == b.to_string_lossy().to_lowercase()
}

/// `C:/…`: a letter, a colon and a separator.
pub fn is_drive_path(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`. A `:` is encoded too:
/// in a relative reference, a first segment such as `colon:1:2` would be read as a URI scheme.
pub fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `file:///C:/…` for a Windows drive path (`C:/…`, with `/` separators): the drive's `:` stays.
fn drive_file_uri(path: &str) -> String {
    format!("file:///{}:{}", &path[..1], percent_encode(&path[2..]))
}

/// The `file://` URI of an absolute path written with `/` separators: `file:///srv/site/…`, or
/// `file:///C:/site/…` for a Windows drive path (RFC 8089).
pub fn file_uri(path: &str) -> String {
    if is_drive_path(path) {
        drive_file_uri(path)
    } else {
        format!("file://{}", percent_encode(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_ordered_as_std_orders_paths() {
        // Long names too: the comparison passes over eight bytes at a time.
        let names = [
            "a",
            "a.b",
            "a-b",
            "ab",
            "b",
            "A",
            "a b",
            "é",
            "0",
            "Application-Name",
            "Application-Name2",
            "Application-Nam",
            "Application-Name.d",
        ];
        let mut paths: Vec<String> = Vec::new();
        for first in names {
            paths.push(first.to_owned());
            paths.push(format!("/{first}"));
            for second in names {
                paths.push(format!("{first}/{second}"));
                paths.push(format!("/{first}/{second}/web.config"));
            }
        }
        let mut compared = 0;
        for a in &paths {
            for b in &paths {
                let (a, b) = (Path::new(a), Path::new(b));
                if is_plain(a) && is_plain(b) {
                    assert_eq!(cmp_plain(a, b), a.cmp(b), "{a:?} {b:?}");
                    compared += 1;
                }
            }
        }
        // On Windows no path is plain.
        assert_eq!(
            compared,
            if cfg!(windows) {
                0
            } else {
                paths.len() * paths.len()
            }
        );
    }

    #[test]
    fn depth_counts_the_components_of_the_absolute_normalized_path() {
        // Against `std::path::absolute` and a normalization, not against this module's own
        // functions: the counting shortcut is what is tested (plain paths, absolute or below
        // the current directory), and the fallback for the others.
        for path in [
            "a/b",
            "a",
            "/a/b",
            "/",
            "a/./b",
            "a/../b",
            "../x",
            "/a/..",
            "a//b",
            "a/b/",
            "/a/b/c/web.config",
        ] {
            let path = Path::new(path);
            let expected = crate::application::normalize(&std::path::absolute(path).unwrap())
                .components()
                .count();
            assert_eq!(depth(path), expected, "{path:?}");
        }
    }

    #[test]
    fn absolute_normalized_is_normalize_of_absolute() {
        for path in [
            "a/b", "a", "/a/b", "/", "", "a/./b", "a/../b", "../x", "/a/..", "a//b", "a/b/",
        ] {
            let path = Path::new(path);
            assert_eq!(
                absolute_normalized(path),
                crate::application::normalize(&absolute(path)),
                "{path:?}"
            );
        }
    }

    #[test]
    fn plain_paths_are_those_without_empty_dot_or_dot_dot_components() {
        // What `is_plain` says, component by component (its first, slower form).
        let by_components = |path: &str| {
            let bytes = path.as_bytes();
            if cfg!(windows) || bytes.is_empty() {
                return false;
            }
            let mut components = bytes.split(|&b| b == b'/');
            if bytes[0] == b'/' {
                components.next();
            }
            components.all(|c| !c.is_empty() && c != b"." && c != b"..")
        };
        let pieces = ["", ".", "..", "...", "a", ".a", "a.", "a..", "ab"];
        let mut paths = vec![String::new(), "/".to_owned(), "//".to_owned()];
        for first in pieces {
            for second in pieces {
                for third in ["", "/", "/c", "/.", "/.."] {
                    paths.push(format!("{first}/{second}{third}"));
                    paths.push(format!("/{first}/{second}{third}"));
                }
                paths.push(format!("{first}{second}"));
            }
        }
        let mut plain = 0;
        for path in &paths {
            assert_eq!(is_plain(Path::new(path)), by_components(path), "{path:?}");
            plain += usize::from(by_components(path));
        }
        assert!(cfg!(windows) || plain > 50, "{plain} plain paths");
    }

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
            assert_eq!(parent(path), path.parent(), "{path:?}");
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

    #[test]
    fn strip_prefix_ignores_case_only_on_windows() {
        let path = Path::new("/Sites/Shop/web.config");
        assert_eq!(
            strip_prefix(path, Path::new("/Sites")),
            Some(PathBuf::from("Shop/web.config"))
        );
        assert_eq!(strip_prefix(path, Path::new("/other")), None);
        let other_case = strip_prefix(path, Path::new("/sites"));
        if cfg!(windows) {
            assert_eq!(other_case, Some(PathBuf::from("Shop/web.config")));
        } else {
            assert_eq!(other_case, None);
        }
    }

    #[test]
    fn native_uses_the_platform_separator() {
        let shown = native("a/b/web.config");
        if cfg!(windows) {
            assert_eq!(shown, "a\\b\\web.config");
        } else {
            assert_eq!(shown, "a/b/web.config");
        }
    }
}
