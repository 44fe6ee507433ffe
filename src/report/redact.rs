//! Secrets never reach an output in full. A machine key (a long run of hexadecimal digits), a
//! connection-string password or a Redis access key is masked wherever iislint prints text: the
//! human snippets, `--diff`, SARIF. Masking keeps the length in bytes, so byte ranges into the
//! masked text still hold and snippet labels stay aligned. Paths and headers are never masked.

/// Hexadecimal runs at least this long are treated as key material.
const MIN_KEY_DIGITS: usize = 32;
/// Characters of a key left visible, enough to tell two keys apart.
const KEEP: usize = 4;

/// Names whose value is a secret: `name=value` in connection strings, `name="value"` in XML.
const SECRET_NAMES: &[&str] = &["password=", "pwd=", "accesskey="];

pub fn mask_secrets(text: &str) -> String {
    mask_named_values(&mask_hex_runs(text))
}

/// Masks a unified diff's content lines, never its `---`/`+++` file headers.
pub fn mask_diff(diff: &str) -> String {
    diff.split_inclusive('\n')
        .map(|line| {
            if line.starts_with("--- ") || line.starts_with("+++ ") {
                line.to_owned()
            } else {
                mask_secrets(line)
            }
        })
        .collect()
}

fn mask_hex_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut String, start: usize, end: usize| {
        if end - start >= MIN_KEY_DIGITS {
            out.push_str(&text[start..start + KEEP]);
            out.extend(std::iter::repeat_n('*', end - start - KEEP));
        } else {
            out.push_str(&text[start..end]);
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_ascii_hexdigit() {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take() {
            flush(&mut out, start, i);
        }
        out.push(c);
    }
    if let Some(start) = run_start {
        flush(&mut out, start, text.len());
    }
    out
}

fn mask_named_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some((at, name)) = SECRET_NAMES
        .iter()
        .filter_map(|n| lower[search..].find(n).map(|i| (search + i, *n)))
        .min()
    {
        let mut start = at + name.len();
        if text[start..].starts_with(['"', '\'']) {
            start += 1;
        }
        let len = text[start..]
            .find([';', '"', '\'', '\r', '\n', '<', '>'])
            .unwrap_or(text.len() - start);
        out.push_str(&text[copied..start]);
        out.extend(std::iter::repeat_n('*', len));
        copied = start + len;
        search = copied;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_to_the_same_length() {
        let key = "A1".repeat(32);
        let text = format!(
            "validationKey=\"{key}\" id=\"deadbeef\" token=\"{}\"",
            &key[..31]
        );
        let masked = mask_secrets(&text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains(&key));
        assert!(masked.contains(&format!("\"A1A1{}\"", "*".repeat(60))));
        assert!(masked.contains("deadbeef") && masked.contains(&key[..31]));
    }

    #[test]
    fn passwords_and_access_keys_are_masked() {
        let text = "<add connectionString=\"Server=db;User Id=sa;Password=hunter2;\" /> <add accessKey=\"s3cr3t\" pwd='x'";
        let masked = mask_secrets(text);
        assert_eq!(masked.len(), text.len());
        assert!(
            !masked.contains("hunter2") && !masked.contains("s3cr3t"),
            "{masked}"
        );
        assert!(
            masked.contains("Password=*******;") && masked.contains("accessKey=\"******\""),
            "{masked}"
        );
        assert!(masked.contains("pwd='*'"), "{masked}");
    }

    #[test]
    fn masking_keeps_the_byte_length() {
        let text = "最大上传 password=秘密;";
        assert_eq!(mask_secrets(text), "最大上传 password=******;");
        assert_eq!(mask_secrets(text).len(), text.len());
    }

    #[test]
    fn diff_headers_keep_their_paths() {
        let key = "ab".repeat(20);
        let diff = format!(
            "--- a/{key}/web.config\n+++ b/{key}/web.config\n@@ -1 +1 @@\n-x=\"{key}\"\n+y\n"
        );
        let masked = mask_diff(&diff);
        assert!(masked.starts_with(&format!("--- a/{key}/web.config\n+++ b/{key}/web.config\n")));
        assert!(!masked[masked.find("@@").unwrap()..].contains(&key));
    }
}
