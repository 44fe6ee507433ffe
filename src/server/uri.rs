//! `file:` URIs and paths (RFC 8089), as editors write them: `file:///home/me/site/Web.config`,
//! `file:///c%3A/site/Web.config` (VS Code escapes the drive's colon), `file:///C:/site/...`.

use std::path::PathBuf;
use std::str::FromStr;

use lsp_types::Uri;

/// The file a `file:` URI names; `None` for other schemes (an unsaved `untitled:` buffer).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority (`file://server/share/...`) is a UNC path on Windows; empty is this machine.
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => return None,
    };
    let path = percent_decode(path)?;
    let drive = path.len() >= 3
        && path.as_bytes()[0] == b'/'
        && path.as_bytes()[1].is_ascii_alphabetic()
        && path.as_bytes()[2] == b':';
    let path = if drive {
        // `/c:/site` is the drive path `c:/site`.
        path[1..].to_owned()
    } else if !authority.is_empty() {
        format!("//{authority}{path}")
    } else {
        path
    };
    if cfg!(windows) {
        Some(PathBuf::from(path.replace('/', "\\")))
    } else {
        Some(PathBuf::from(path))
    }
}

/// The `file:` URI of a path (made absolute first).
pub fn from_path(path: &std::path::Path) -> Option<Uri> {
    let absolute = crate::paths::absolute(path);
    let text = absolute.to_str()?.replace('\\', "/");
    Uri::from_str(&crate::paths::file_uri(&text)).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).unwrap()
    }

    #[test]
    #[cfg(unix)]
    fn file_uris_are_paths_and_back() {
        let path = to_path(&uri("file:///srv/my%20site/Web.config")).unwrap();
        assert_eq!(path, PathBuf::from("/srv/my site/Web.config"));
        assert_eq!(
            from_path(&path).unwrap().as_str(),
            "file:///srv/my%20site/Web.config"
        );
    }

    #[test]
    #[cfg(unix)]
    fn drive_letters_lose_the_leading_slash() {
        assert_eq!(
            to_path(&uri("file:///c%3A/site/Web.config")).unwrap(),
            PathBuf::from("c:/site/Web.config")
        );
        assert_eq!(
            to_path(&uri("file:///C:/site/Web.config")).unwrap(),
            PathBuf::from("C:/site/Web.config")
        );
    }

    #[test]
    fn other_schemes_are_not_files() {
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
    }
}
