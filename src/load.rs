//! Reading a configuration file's bytes: only regular files, only up to a size limit, and without
//! blocking on a FIFO, a device or a socket that a path names instead of a file.

use std::io::Read;
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
    let bytes = read_to_limit(file, opened.len(), max_bytes)
        .map_err(|err| format!("cannot read the file: {err}"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}

/// The bytes of `reader` up to its end, or `max_bytes + 1` of them when it is longer (a file
/// that grows while it is read stops at the limit rather than filling the memory). Read to its
/// end, not to `size_hint` (the size `fstat` gave: a network file system's can be stale), but
/// into a buffer of that size plus one, so that a file of the size it says takes two reads: its
/// bytes, then the end. (`read_to_end` starts at 8 KiB and doubles: four reads for 40 KiB.)
fn read_to_limit(
    mut reader: impl Read,
    size_hint: u64,
    max_bytes: u64,
) -> std::io::Result<Vec<u8>> {
    let limit = max_bytes.saturating_add(1);
    let mut bytes = vec![0; size_hint.saturating_add(1).min(limit) as usize];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            if filled as u64 >= limit {
                break;
            }
            // (Not `clamp`: a limit below 8 KiB is below its minimum.)
            let grown = (filled as u64).saturating_mul(2).max(8 * 1024).min(limit);
            bytes.resize(grown as usize, 0);
        }
        match reader.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    bytes.truncate(filled);
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

    /// A reader of `len` bytes (`i % 251`) that counts its reads and hands out at most
    /// `chunk` bytes at a time.
    struct Counting {
        len: usize,
        at: usize,
        chunk: usize,
        reads: usize,
    }

    impl Read for Counting {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.reads += 1;
            let n = buf.len().min(self.chunk).min(self.len - self.at);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                *b = ((self.at + i) % 251) as u8;
            }
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn reads_to_the_end_whatever_the_size_said_and_stops_past_the_limit() {
        let counting = |len, chunk| Counting {
            len,
            at: 0,
            chunk,
            reads: 0,
        };
        let expected = |len: usize| (0..len).map(|i| (i % 251) as u8).collect::<Vec<u8>>();
        // The size right: the bytes, then the end.
        let mut reader = counting(40_000, usize::MAX);
        assert_eq!(
            read_to_limit(&mut reader, 40_000, 1 << 20).unwrap(),
            expected(40_000)
        );
        assert_eq!(reader.reads, 2);
        // The size stale either way, or the bytes coming in small pieces: still every byte.
        for (len, hint, chunk) in [
            (40_000, 100, usize::MAX),
            (100, 40_000, usize::MAX),
            (30_000, 30_000, 7),
        ] {
            let mut reader = counting(len, chunk);
            assert_eq!(
                read_to_limit(&mut reader, hint, 1 << 20).unwrap(),
                expected(len),
                "{len} {hint}"
            );
        }
        // Longer than the limit: one byte more than it, whatever the size said.
        for hint in [0, 10, 1_000_000] {
            let mut reader = counting(50_000, usize::MAX);
            assert_eq!(
                read_to_limit(&mut reader, hint, 20_000).unwrap().len(),
                20_001
            );
        }
        assert_eq!(read_to_limit(counting(0, 1), 0, 0).unwrap(), b"");
        // A limit below the 8 KiB a stale size grows to.
        assert_eq!(
            read_to_limit(counting(10, usize::MAX), 0, 100).unwrap(),
            expected(10)
        );
        assert_eq!(read_to_limit(counting(300, 7), 0, 100).unwrap().len(), 101);
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
