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
    match current_dir() {
        Some(cwd) if path.is_relative() => std::path::absolute(cwd.join(path)),
        _ => std::path::absolute(path),
    }
    .unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_absolute() {
        for path in ["a/./b", "./x", "../y/z", "/abs/./p", "."] {
            let path = Path::new(path);
            assert_eq!(
                absolute(path),
                std::path::absolute(path).unwrap(),
                "{path:?}"
            );
        }
    }
}
