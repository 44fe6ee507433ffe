//! Reading a configuration file's bytes: only regular files, only up to a size limit, and without
//! blocking on a FIFO, a device or a socket that a path names instead of a file.

use std::io::Read as _;
use std::path::Path;

/// Reads `path` when it is a regular file of at most `max_bytes`; otherwise says why not.
pub fn read_config_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    // Refuse what is not a regular file before opening it: opening a FIFO for reading blocks
    // until something writes to it, and reading `/dev/zero` never ends.
    let meta = std::fs::metadata(path).map_err(|err| format!("cannot read the file: {err}"))?;
    check_regular(&meta, max_bytes)?;
    read_opened(path, max_bytes)
}

/// [`read_config_file`] for a file the walk saw as a regular file: on Unix it is opened without
/// a look first (a FIFO put in its place since opens at once, `O_NONBLOCK`) and judged by what
/// was opened, one system call fewer per file of a tree.
pub fn read_walked_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    if cfg!(unix) {
        read_opened(path, max_bytes)
    } else {
        read_config_file(path, max_bytes)
    }
}

/// Opens `path` and reads it when what was opened is a regular file of at most `max_bytes`.
fn read_opened(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let file = open_without_blocking(path).map_err(|err| format!("cannot read the file: {err}"))?;
    // The path may have been replaced since it was looked at: judge what was opened.
    let opened = file
        .metadata()
        .map_err(|err| format!("cannot read the file: {err}"))?;
    check_regular(&opened, max_bytes)?;
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    // A file that grows while it is read stops at the limit rather than filling the memory. Read
    // to its end, not to the size `fstat` gave: a network file system's size can be stale.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read the file: {err}"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}

fn check_regular(meta: &std::fs::Metadata, max_bytes: u64) -> Result<(), String> {
    if !meta.is_file() {
        return Err(format!(
            "not a regular file ({}); iislint reads only regular files",
            kind_of(meta)
        ));
    }
    check_size(meta.len(), max_bytes)
}

/// Refuses more than `max_bytes` (`max-file-mib`), whatever the bytes came from.
pub fn check_size(len: u64, max_bytes: u64) -> Result<(), String> {
    if len > max_bytes {
        return Err(too_large(len, max_bytes));
    }
    Ok(())
}

fn too_large(len: u64, max_bytes: u64) -> String {
    format!(
        "the file is larger than {} MiB ({len} bytes); iislint does not read it (raise `max-file-mib` in iislint.toml to read it)",
        max_bytes / (1024 * 1024)
    )
}

/// What kind of file system object this is, in words.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else if meta.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.config");
        std::fs::write(&path, "<a/>").unwrap();
        assert_eq!(read_config_file(&path, 4).unwrap(), b"<a/>");
        let err = read_config_file(&path, 3).unwrap_err();
        assert!(err.contains("larger than"), "{err}");
        let err = read_config_file(dir.path(), 100).unwrap_err();
        assert!(err.contains("a directory"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_walked_file_replaced_by_a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.config");
        std::fs::write(&path, "<a/>").unwrap();
        assert_eq!(read_walked_file(&path, 4).unwrap(), b"<a/>");
        assert!(
            read_walked_file(&path, 3)
                .unwrap_err()
                .contains("larger than")
        );
        std::fs::remove_file(&path).unwrap();
        let fifo = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let err = read_walked_file(&path, 1 << 20).unwrap_err();
        assert!(err.contains("FIFO"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading() {
        let err = read_config_file(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(err.contains("a device"), "{err}");
    }
}
