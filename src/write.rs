//! Writing a fixed file back: atomically, in its own encoding, keeping its permissions, owner and
//! links, and never over an edit that someone made while iislint was working on the file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Why a fixed file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file no longer has the bytes that were linted: writing would lose that edit.
    Changed,
    /// The file has no write permission and the run did not ask to fix such files.
    ReadOnly(u32),
    Io(std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Changed => f.write_str(
                "the file changed while iislint was fixing it; it was left as it is now (run iislint again)",
            ),
            WriteError::ReadOnly(_) if cfg!(windows) => f.write_str(
                "the file has the read-only attribute; it was not rewritten (`--fix-read-only` fixes such files and keeps the attribute)",
            ),
            WriteError::ReadOnly(mode) => write!(
                f,
                "the file is read-only for this user (mode {mode:o}); it was not rewritten (`--fix-read-only` fixes such files and keeps their mode)"
            ),
            WriteError::Io(err) => write!(f, "cannot write the fixed file: {err}"),
        }
    }
}

impl From<std::io::Error> for WriteError {
    fn from(err: std::io::Error) -> WriteError {
        WriteError::Io(err)
    }
}

/// What a write may do.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Rewrite files that have no write permission (they keep their mode).
    pub read_only: bool,
}

/// Replaces the file at `path`, which was read as `linted`, with `bytes`.
///
/// - Nothing is written when the file no longer holds `linted`: an edit made during the run (an
///   editor's save, a `>>` from a script) is never overwritten. The check is made just before
///   the rename, so only an edit in the last instant before it can still be lost.
/// - A file without write permission is left alone unless `options.read_only`.
/// - A file with several hard links is rewritten in place, so every name sees the fix (a rename
///   would give this name a new file and leave the others on the old one); that write is not
///   atomic. Any other file is replaced by a temporary file in the same folder and a rename, so a
///   reader never sees a partial file and a failed write leaves the original untouched.
/// - The new file keeps the old one's permissions and, where allowed (as root), owner and group.
///   On Windows it keeps the old one's attributes (read-only, hidden, system, not indexed), with
///   the archive attribute set as any write sets it.
///
/// The file is not forced to disk (no fsync), as ruff, rustfmt and prettier do not: with 5,000
/// fixed files the fsyncs were most of `--fix`'s time. The rename is atomic for every reader and
/// for a crash of iislint; after a power failure, ext4 (`auto_da_alloc`) and btrfs write a file
/// replaced by a rename before the rename itself, and version control keeps the original.
pub fn replace_file(
    path: &Path,
    linted: &[u8],
    bytes: &[u8],
    options: WriteOptions,
) -> Result<(), WriteError> {
    let path = resolve_link(path)?;
    let meta = std::fs::metadata(&path)?;
    if !options.read_only && !writable(&path, &meta) {
        return Err(WriteError::ReadOnly(mode_of(&meta)));
    }
    let unchanged = || -> Result<(), WriteError> {
        if std::fs::read(&path)? == linted {
            Ok(())
        } else {
            Err(WriteError::Changed)
        }
    };
    if link_count(&meta) > 1 {
        unchanged()?;
        return write_in_place(&path, bytes, linted);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".iislint-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    // tempfile creates the file with mode 0600 and the running user as owner; the config file
    // keeps its own. (On Windows, the attributes are put back after the rename.)
    if cfg!(not(windows)) {
        std::fs::set_permissions(temp.path(), meta.permissions())?;
    }
    keep_owner(temp.as_file(), &meta)?;
    unchanged()?;
    persist(temp, &path, &meta)
}

#[cfg(not(windows))]
fn persist(
    temp: tempfile::NamedTempFile,
    path: &Path,
    _meta: &std::fs::Metadata,
) -> Result<(), WriteError> {
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(windows)]
use windows::persist;

/// Windows refuses to rename a file over a read-only one, and the renamed file would have the
/// temporary file's attributes: the attributes are set aside, the file replaced, then put back.
#[cfg(windows)]
mod windows {
    use std::os::windows::ffi::OsStrExt as _;
    use std::os::windows::fs::MetadataExt as _;
    use std::path::Path;

    use super::WriteError;

    const READONLY: u32 = 0x1;
    const HIDDEN: u32 = 0x2;
    const SYSTEM: u32 = 0x4;
    const ARCHIVE: u32 = 0x20;
    const NOT_CONTENT_INDEXED: u32 = 0x2000;
    /// The attributes a user sets (`attrib`, Explorer's properties) that a fix keeps.
    const KEPT: u32 = READONLY | HIDDEN | SYSTEM | NOT_CONTENT_INDEXED;

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn SetFileAttributesW(name: *const u16, attributes: u32) -> i32;
    }

    fn set_attributes(path: &Path, attributes: u32) -> std::io::Result<()> {
        let wide: Vec<u16> = path.as_os_str().encode_wide().chain([0]).collect();
        // SAFETY: `wide` is a NUL-terminated UTF-16 string that outlives the call.
        if unsafe { SetFileAttributesW(wide.as_ptr(), attributes) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    pub(super) fn persist(
        temp: tempfile::NamedTempFile,
        path: &Path,
        meta: &std::fs::Metadata,
    ) -> Result<(), WriteError> {
        let kept = meta.file_attributes() & KEPT;
        // MoveFileEx refuses to replace a read-only file (access denied): the original is made
        // a plain file for the rename (`--fix-read-only` was checked before).
        if kept != 0 {
            set_attributes(path, ARCHIVE)?;
        }
        if let Err(err) = temp.persist(path) {
            // The original is untouched: give it its attributes back.
            let _ = set_attributes(path, meta.file_attributes() & (KEPT | ARCHIVE));
            return Err(err.error.into());
        }
        set_attributes(path, kept | ARCHIVE)?;
        Ok(())
    }
}

/// Through a symbolic link, the file it points to is the one to replace, not the link. An
/// absolute path spares tempfile a `getcwd` per file.
fn resolve_link(path: &Path) -> std::io::Result<PathBuf> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        std::fs::canonicalize(path)
    } else {
        Ok(crate::paths::absolute(path))
    }
}

/// Rewrites the file itself (its inode), keeping every hard link to it. A write that fails half
/// way (a full disk) puts the original bytes back, so the file is never left cut short; only
/// when that fails too does the error say the file may be damaged.
fn write_in_place(path: &Path, bytes: &[u8], original: &[u8]) -> Result<(), WriteError> {
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    let rewrite = |file: &mut std::fs::File, content: &[u8]| -> std::io::Result<()> {
        use std::io::Seek as _;
        file.seek(std::io::SeekFrom::Start(0))?;
        file.write_all(content)?;
        file.set_len(content.len() as u64)?;
        file.flush()
    };
    if let Err(err) = rewrite(&mut file, bytes) {
        return Err(match rewrite(&mut file, original) {
            Ok(()) => WriteError::Io(err),
            Err(restore) => WriteError::Io(std::io::Error::new(
                err.kind(),
                format!("{err}; putting the original back failed too ({restore}): check the file"),
            )),
        });
    }
    Ok(())
}

/// May this user replace the file? Not when it has no write bit at all (0444, even for root,
/// who could), nor when the system says this user may not write it (another user's 0644).
#[cfg(unix)]
fn writable(path: &Path, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::ffi::OsStrExt as _;
    if meta.permissions().readonly() {
        return false;
    }
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn writable(_path: &Path, meta: &std::fs::Metadata) -> bool {
    !meta.permissions().readonly()
}

#[cfg(unix)]
fn link_count(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn link_count(_meta: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o444
}

/// Gives the new file the old one's owner and group. Only root may give a file away; a user
/// replacing a file owned by someone else gets it as their own, as with any editor.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let new = file.metadata()?;
    if (new.uid(), new.gid()) == (meta.uid(), meta.gid()) {
        return Ok(());
    }
    match std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())) {
        Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied => Ok(()),
        other => other,
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &std::fs::File, _meta: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.config");
        std::fs::write(&path, "<a/>").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        replace_file(&path, b"<a/>", b"<b/>", WriteOptions::default()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<b/>");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_a_symbolic_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.config");
        let link = dir.path().join("web.config");
        std::fs::write(&real, "<a/>").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace_file(&link, b"<a/>", b"<b/>", WriteOptions::default()).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"<b/>");
    }

    #[test]
    fn missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            replace_file(
                &dir.path().join("nope/web.config"),
                b"",
                b"x",
                WriteOptions::default()
            )
            .is_err()
        );
    }

    #[test]
    fn a_file_changed_since_it_was_linted_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.config");
        // Linted as `<a/>`; then someone appended an edit before iislint wrote its fix.
        std::fs::write(&path, "<a/><!-- edit -->").unwrap();
        let err = replace_file(&path, b"<a/>", b"<b/>", WriteOptions::default()).unwrap_err();
        assert!(matches!(err, WriteError::Changed), "{err}");
        assert!(
            err.to_string()
                .contains("changed while iislint was fixing it")
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"<a/><!-- edit -->");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn read_only_files_are_rewritten_only_when_asked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.config");
        std::fs::write(&path, "<a/>").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = replace_file(&path, b"<a/>", b"<b/>", WriteOptions::default()).unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly(0o444)), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"<a/>");
        replace_file(&path, b"<a/>", b"<b/>", WriteOptions { read_only: true }).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<b/>");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o444);
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_keep_sharing_the_file() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.config");
        let other = dir.path().join("deployed.config");
        std::fs::write(&path, "<a/>").unwrap();
        std::fs::hard_link(&path, &other).unwrap();
        let inode = std::fs::metadata(&path).unwrap().ino();
        replace_file(&path, b"<a/>", b"<b/>", WriteOptions::default()).unwrap();
        assert_eq!(std::fs::read(&other).unwrap(), b"<b/>");
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode);
        assert_eq!(std::fs::metadata(&path).unwrap().nlink(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn owner_and_group_are_kept_when_root() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.config");
        std::fs::write(&path, "<a/>").unwrap();
        if std::os::unix::fs::chown(&path, Some(65534), Some(65534)).is_err() {
            eprintln!("skipped: not root, cannot give the file to another owner");
            return;
        }
        replace_file(&path, b"<a/>", b"<b/>", WriteOptions::default()).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
        assert_eq!(std::fs::read(&path).unwrap(), b"<b/>");
    }
}
