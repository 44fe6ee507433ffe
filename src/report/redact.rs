//! Secrets never reach an output in full. Every text a report prints about a file (messages,
//! fix descriptions, errors, snippets, `--diff`) passes through [`Redactor::mask`] once, when the
//! file's result is put together (`check`), so no reporter can print a secret and a new rule
//! cannot leak one by quoting a value.
//!
//! What is masked:
//! - the value after a secret's name (`password`, `pwd`, `accesskey`, `validationKey`,
//!   `decryptionKey`), with or without spaces around `=`, quoted with `"`, `'`, `&quot;` or
//!   `&apos;` or unquoted up to `;`: `Password = "x"`, `Password=&quot;a;b&quot;`;
//! - the value of an entry whose key names a secret (`<add key="SmtpPassword" value="…" />`,
//!   `<setting name="ApiKey"><value>…</value></setting>`), as [`crate::secrets::secret_key`]
//!   decides for `secret-in-config`, and the password of a URL (`mongodb://user:…@host`);
//! - any run of 32 or more hexadecimal digits (a machine key), keeping its first four digits;
//! - every other occurrence of a secret value found that way in the file or in the settings a
//!   fix writes (a machine key quoted in a message, the password of `[fix] sql-connection-string`),
//!   when it is at least [`MIN_KNOWN_SECRET`] bytes long (shorter ones would mask ordinary text);
//!   a shorter one is masked where it stands whole between quotes or as an element's text
//!   (`value="Zq7"`, `>Zq7<`): a diff's context line that shows it without its name.
//!
//! Masking keeps the length in bytes, so byte ranges into the masked text still hold and snippet
//! labels stay aligned. Paths and diff headers are never masked. A key's `AutoGenerate`,
//! `IsolateApps` and `IsolateByAppId` options are not secrets and stay readable.

use std::borrow::Cow;
use std::sync::Arc;

/// Hexadecimal runs at least this long are treated as key material.
const MIN_KEY_DIGITS: usize = 32;
/// Characters of a key left visible, enough to tell two keys apart.
const KEEP: usize = 4;
/// Known secret values shorter than this are masked only where their name stands before them.
const MIN_KNOWN_SECRET: usize = 4;

/// Names whose value is a secret (compared ignoring ASCII case): `name=value` in connection
/// strings (SQL Server's `Password`/`Pwd`, Azure Storage's `AccountKey`, Service Bus's
/// `SharedAccessKey`, Redis's `accessKey`), `name="value"` in XML.
const SECRET_NAMES: &[&str] = &[
    "password",
    "pwd",
    "accesskey",
    "accountkey",
    "sharedaccesskey",
    "sharedsecret",
    "clientsecret",
    "validationkey",
    "decryptionkey",
];

/// Is an attribute or key of this name a secret (`validationKey`, `password`)?
pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES
        .iter()
        .any(|secret| name.eq_ignore_ascii_case(secret))
}

/// Parts of a machine key value that are options, not key material.
const KEY_OPTIONS: &[&str] = &["AutoGenerate", "IsolateApps", "IsolateByAppId"];

/// Masks secrets in text about one file (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// The secret values seen in the file: shared by every result about that file (a parent
    /// web.config has findings from each file below it, and is read for secrets once).
    file: Arc<Learned>,
    /// Those seen in the settings a fix may write.
    extra: Learned,
}

/// The secret values seen in some texts, ready to be searched for.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    known: Known,
    /// Shorter secret values, each between its delimiters (`"v"`, `'v'`, `>v<`).
    short: Known,
}

/// How the known secret values are looked for: a few (the usual case) each with its own
/// searcher, built in no time, many with one automaton (built once per file, searched in one
/// pass).
#[derive(Debug, Clone, Default)]
enum Known {
    #[default]
    None,
    Few(Vec<memchr::memmem::Finder<'static>>),
    Many(aho_corasick::AhoCorasick),
}

/// Up to this many known values are searched one by one.
const FEW_KNOWN: usize = 16;

impl Known {
    fn of(mut values: Vec<String>) -> Known {
        values.sort();
        values.dedup();
        match values.len() {
            0 => Known::None,
            n if n <= FEW_KNOWN => Known::Few(
                values
                    .iter()
                    .map(|v| memchr::memmem::Finder::new(v.as_bytes()).into_owned())
                    .collect(),
            ),
            _ => aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::Standard)
                .build(&values)
                .map_or(Known::None, Known::Many),
        }
    }

    /// Every occurrence in `hay`, overlapping ones too (`abab` twice in `ababab`).
    fn find_all(&self, hay: &str) -> Vec<(usize, usize)> {
        match self {
            Known::None => Vec::new(),
            Known::Few(finders) => {
                let hay = hay.as_bytes();
                let mut found = Vec::new();
                for finder in finders {
                    let mut from = 0;
                    while let Some(at) = finder.find(&hay[from..]) {
                        found.push((from + at, from + at + finder.needle().len()));
                        from += at + 1;
                    }
                }
                found
            }
            Known::Many(automaton) => automaton
                .find_overlapping_iter(hay)
                .map(|m| (m.start(), m.end()))
                .collect(),
        }
    }
}

impl Learned {
    /// The secret values seen in `texts`.
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Learned {
        let mut known = Vec::new();
        let mut short = Vec::new();
        for text in texts {
            for value in named_values(text).into_iter().chain(keyed_values(text)) {
                let value = &text[value];
                // A value that is clearly no secret (`false`, a number, a placeholder) is not
                // learnt: it would mask every `false` in the file's messages.
                if crate::secrets::is_not_a_secret(value) {
                    continue;
                }
                for part in secret_parts(value) {
                    if part.len() >= MIN_KNOWN_SECRET {
                        known.push(part.to_owned());
                    } else {
                        short.extend([
                            format!("\"{part}\""),
                            format!("'{part}'"),
                            format!(">{part}<"),
                        ]);
                    }
                }
            }
        }
        Learned {
            known: Known::of(known),
            short: Known::of(short),
        }
    }

    /// Every place in `hay` a secret value stands: a known one whole, a short one inside its
    /// delimiters.
    fn find_all(&self, hay: &str, found: &mut Vec<(usize, usize)>) {
        found.extend(self.known.find_all(hay));
        found.extend(
            self.short
                .find_all(hay)
                .into_iter()
                .map(|(start, end)| (start + 1, end - 1)),
        );
    }
}

impl Redactor {
    /// A redactor for text about a file whose content is `file_text`, with `extra` texts (the
    /// settings a fix may write) searched for secrets too.
    pub fn new<'a>(file_text: &'a str, extra: impl IntoIterator<Item = &'a str>) -> Redactor {
        Redactor::with_learned(Arc::new(Learned::of([file_text])), extra)
    }

    /// A redactor for text about a file whose secrets were learnt already (`file`), with
    /// `extra` texts searched for secrets too.
    pub fn with_learned<'a>(
        file: Arc<Learned>,
        extra: impl IntoIterator<Item = &'a str>,
    ) -> Redactor {
        Redactor {
            file,
            extra: Learned::of(extra),
        }
    }

    /// `text` with every secret masked, byte for byte the same length.
    pub fn mask(&self, text: &str) -> String {
        // Each pass copies the text only when it masks something (most messages hold nothing).
        let hex = mask_hex_runs(text);
        let named = mask_named_values(&hex);
        let masked = mask_keyed_values(&named);
        // Every occurrence, overlapping ones too (`abcdefgh` and `efghijkl` in `abcdefghijkl`,
        // `abab` twice in `ababab`), the file's and the settings' found in the same text: the
        // union of them is masked, so no secret's tail is left. A short value is masked inside
        // its delimiters.
        let mut found = Vec::new();
        self.file.find_all(&masked, &mut found);
        self.extra.find_all(&masked, &mut found);
        if found.is_empty() {
            return masked.into_owned();
        }
        found.sort_unstable();
        let mut out = String::with_capacity(masked.len());
        let mut copied = 0;
        for (start, end) in found {
            let start = start.max(copied);
            if end <= start {
                continue;
            }
            out.push_str(&masked[copied..start]);
            out.extend(std::iter::repeat_n('*', end - start));
            copied = end;
        }
        out.push_str(&masked[copied..]);
        out
    }

    /// Masks a unified diff's content lines, never its `---`/`+++` file headers. The content is
    /// masked as one text, so an entry whose name and value are on different lines is seen whole.
    pub fn mask_diff(&self, diff: &str) -> String {
        let masked = self.mask(diff);
        // Masking keeps every byte offset: the headers are put back as they were.
        let mut out = String::with_capacity(diff.len());
        let mut at = 0;
        for line in diff.split_inclusive('\n') {
            let end = at + line.len();
            if line.starts_with("--- ") || line.starts_with("+++ ") {
                out.push_str(line);
            } else {
                out.push_str(&masked[at..end]);
            }
            at = end;
        }
        out
    }
}

/// Masks the patterns alone, with no file to learn secret values from.
pub fn mask_secrets(text: &str) -> String {
    Redactor::default().mask(text)
}

fn mask_hex_runs(text: &str) -> Cow<'_, str> {
    // Bytes, not characters: a hexadecimal digit is ASCII, and no byte of another character is.
    let mut run = 0;
    let has_key = text.bytes().any(|b| {
        run = if b.is_ascii_hexdigit() { run + 1 } else { 0 };
        run >= MIN_KEY_DIGITS
    });
    if !has_key {
        return Cow::Borrowed(text);
    }
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
    Cow::Owned(out)
}

/// The byte ranges of the values that follow a secret's name and `=` in `text`, in one pass:
/// from each `=`, back over white space to the word before it, which must be a whole secret
/// name (`passwordFormat=` and `newPwdHint=` are not). No lower-cased copy of the text is made:
/// this runs over every file with a finding.
fn named_values(text: &str) -> Vec<std::ops::Range<usize>> {
    let longest = SECRET_NAMES.iter().map(|n| n.len()).max().unwrap_or(0);
    let bytes = text.as_bytes();
    let mut values: Vec<std::ops::Range<usize>> = Vec::new();
    for equals in memchr::memchr_iter(b'=', bytes) {
        let mut name_end = equals;
        while name_end > 0 && matches!(bytes[name_end - 1], b' ' | b'\t') {
            name_end -= 1;
        }
        // Every secret name ends in `rd`, `wd`, `ey` or `et`: most `=` are passed over here
        // (`key=`, the most common name in a web.config, is not, and is read back below).
        if name_end < 2
            || !matches!(
                [bytes[name_end - 2] | 0x20, bytes[name_end - 1] | 0x20],
                [b'r' | b'w', b'd'] | [b'e', b'y' | b't']
            )
        {
            continue;
        }
        // The word before, read back no further than the longest name (a longer one is none).
        let mut at = name_end;
        while at > 0 && name_end - at <= longest && is_name_byte(bytes[at - 1]) {
            at -= 1;
        }
        let name = &bytes[at..name_end];
        if !SECRET_NAMES
            .iter()
            .any(|secret| name.eq_ignore_ascii_case(secret.as_bytes()))
        {
            continue;
        }
        // Inside the value already masked (`Password=pwd=x`): nothing new.
        if values.last().is_some_and(|v| at < v.end) {
            continue;
        }
        let mut i = equals + 1;
        while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
            i += 1;
        }
        let rest = &text[i..];
        let (start, end) = if let Some(entity) = ["&quot;", "&apos;"]
            .into_iter()
            .find(|e| rest.starts_with(e))
        {
            // A value quoted inside an attribute: `Password=&quot;a;b&quot;`, up to the closing
            // entity, or the attribute's or the line's end when it has none.
            let start = i + entity.len();
            // One forward scan, bounded by the value: it stops at the closing entity, or at the
            // attribute's or the line's end when there is none.
            let end = text[start..]
                .match_indices(['&', '"', '\'', '\r', '\n', '<', '>'])
                .find(|(at, c)| *c != "&" || text[start + at..].starts_with(entity))
                .map_or(text.len(), |(at, _)| start + at);
            (start, end)
        } else if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let start = i + 1;
            let end = text[start..]
                .find([quote, '\r', '\n', '<', '>'])
                .map_or(text.len(), |n| start + n);
            (start, end)
        } else {
            (i, value_end(text, i))
        };
        if end > start {
            values.push(start..end);
        }
    }
    values
}

/// Where an unquoted value ends: at `;`, a quote (`&quot;` included), a line break or markup.
fn value_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let end = rest
        .find([';', '"', '\'', '\r', '\n', '<', '>'])
        .unwrap_or(rest.len());
    // The `;` of a closing `&quot;` ends the search: look for the entity up to just past it.
    let window = &rest.as_bytes()[..rest.len().min(end + "&quot;".len())];
    ["&quot;", "&apos;"]
        .into_iter()
        .filter_map(|entity| memchr::memmem::find(window, entity.as_bytes()))
        .fold(end, usize::min)
        + start
}

/// The byte ranges of values whose entry's name says they are secret (see the module
/// documentation): the `value` attribute of a start tag whose `key` or `name` names a secret,
/// the text of the `<value>` after `<setting name="…">` naming one, and a URL's password.
fn keyed_values(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut values = Vec::new();
    for at in finder!(b"://").find_iter(bytes) {
        values.extend(url_password_at(text, at));
    }
    // An entry can hold a secret only with a `value` (or as a Settings.settings `<setting>`),
    // and a tag ends before the next `<`: only the tags whose stretch up to the next `<` holds
    // either word are read, each once, found from the word back to the last `<` before it. The
    // text between two words is searched once (the second word's `<`, if any, is in it), so a
    // long text full of `value` costs one pass.
    let mut words = finder!(b"value")
        .find_iter(bytes)
        .chain(finder!(b"setting").find_iter(bytes))
        .collect::<Vec<_>>();
    words.sort_unstable();
    let mut searched_to = 0;
    // One list of attributes, refilled for each tag read.
    let mut attrs = Vec::new();
    for word in words {
        // No `<` since the word before: this word is in the tag already read (or before any).
        let Some(at) = memchr::memrchr(b'<', &bytes[searched_to..word]).map(|at| searched_to + at)
        else {
            searched_to = word;
            continue;
        };
        searched_to = word;
        let rest = &text[at + 1..];
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'))
            .count();
        if name_len == 0 {
            continue;
        }
        let tag_name = &rest[..name_len];
        tag_attributes(text, at + 1 + name_len, &mut attrs);
        let value = attrs
            .iter()
            .find(|(name, _)| text[name.clone()] == *"value");
        // Only an entry with a value (or a Settings.settings `<setting>`) can hold a secret:
        // the names of the others (handlers, modules, providers) are not asked about.
        if value.is_none() && tag_name != "setting" {
            continue;
        }
        let named_secret = attrs.iter().any(|(name, value)| {
            (text[name.clone()] == *"key" || text[name.clone()] == *"name")
                && matches!(
                    crate::secrets::secret_key(&text[value.clone()]),
                    Some(crate::secrets::SecretKey::Secret(_))
                )
        });
        if !named_secret {
            continue;
        }
        if let Some((_, value)) = value {
            values.push(value.clone());
        }
        if tag_name == "setting" {
            let after = attrs.last().map_or(at, |(_, v)| v.end);
            let window = &text[after..text.len().min(after + 4096)];
            let end_of_setting = window.find("</setting").unwrap_or(window.len());
            if let Some(open) = window[..end_of_setting].find("<value>") {
                let start = after + open + "<value>".len();
                let len = text[start..]
                    .find("</value")
                    .unwrap_or(text.len() - start)
                    .min(end_of_setting.saturating_sub(open + "<value>".len()));
                values.push(start..start + len);
            }
        }
    }
    values.sort_by_key(|r| (r.start, r.end));
    values.retain(|r| !r.is_empty());
    values
}

/// The attributes of the start tag whose name ends at `at`, in `attrs` (emptied first): name
/// and value ranges (quotes excluded), up to the tag's `>` or an unquoted `<`; white space,
/// line breaks included, between them.
fn tag_attributes(
    text: &str,
    mut at: usize,
    attrs: &mut Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
) {
    let bytes = text.as_bytes();
    attrs.clear();
    loop {
        while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
            at += 1;
        }
        let name_start = at;
        while bytes
            .get(at)
            .is_some_and(|b| is_name_byte(*b) || matches!(b, b':' | b'-' | b'.'))
        {
            at += 1;
        }
        if at == name_start {
            return;
        }
        let name = name_start..at;
        while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            return;
        }
        at += 1;
        while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
            at += 1;
        }
        let Some(&quote @ (b'"' | b'\'')) = bytes.get(at) else {
            return;
        };
        let start = at + 1;
        let Some(len) = memchr::memchr(quote, &bytes[start..]) else {
            return;
        };
        attrs.push((name, start..start + len));
        at = start + len + 1;
    }
}

/// The password of the URL whose `://` is at `at` (`scheme://user:password@host`).
fn url_password_at(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let start = at + 3;
    let rest = &text[start..];
    let authority_len = rest
        .find(|c: char| {
            matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | ';' | ',') || c.is_whitespace()
        })
        .unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let userinfo = &authority[..authority.rfind('@')?];
    let colon = userinfo.find(':')?;
    let password = start + colon + 1..start + userinfo.len();
    (!password.is_empty()).then_some(password)
}

/// Masks [`keyed_values`] (keeping the byte length).
fn mask_keyed_values(text: &str) -> Cow<'_, str> {
    let values = keyed_values(text);
    if values.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for value in values {
        let start = value.start.max(copied);
        if value.end <= start {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.extend(std::iter::repeat_n('*', text[start..value.end].len()));
        copied = value.end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The parts of a secret value that are secret: all of it, except a machine key's options.
fn secret_parts(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty() && !KEY_OPTIONS.contains(part))
}

fn mask_named_values(text: &str) -> Cow<'_, str> {
    let values = named_values(text);
    if values.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for value in values {
        out.push_str(&text[copied..value.start]);
        let mut at = value.start;
        // Keep a key's `AutoGenerate`/`IsolateApps` options readable.
        for part in text[value.clone()].split_inclusive(',') {
            let trimmed = part.trim_end_matches(',').trim();
            if KEY_OPTIONS.contains(&trimmed) {
                out.push_str(part);
            } else {
                let secret = part.trim_end_matches(',');
                // A long key keeps its first digits, as everywhere else, to tell keys apart.
                let keep = if secret.len() >= MIN_KEY_DIGITS
                    && secret.bytes().all(|b| b.is_ascii_hexdigit() || b == b'*')
                {
                    KEEP
                } else {
                    0
                };
                out.push_str(&secret[..keep]);
                out.extend(std::iter::repeat_n('*', secret.len() - keep));
                out.push_str(&part[secret.len()..]);
            }
            at += part.len();
        }
        debug_assert_eq!(at, value.end);
        copied = value.end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_name_ends_where_named_values_looks() {
        // `named_values` passes over an `=` whose word does not end in `rd`, `wd`, `ey` or `et`.
        for name in SECRET_NAMES {
            assert!(
                ["rd", "wd", "ey", "et"]
                    .iter()
                    .any(|end| name.ends_with(end)),
                "{name}"
            );
            let text = format!(
                "{}={name}x;{} = \"v{name}\"",
                name,
                name.to_ascii_uppercase()
            );
            assert_eq!(named_values(&text).len(), 2, "{text}");
        }
        assert!(named_values("xpassword=a;passwordx=b;pass word=c").is_empty());
    }

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
        let masked = Redactor::default().mask_diff(&diff);
        assert!(masked.starts_with(&format!("--- a/{key}/web.config\n+++ b/{key}/web.config\n")));
        assert!(!masked[masked.find("@@").unwrap()..].contains(&key));
    }

    #[test]
    fn every_way_of_writing_a_secret_is_masked() {
        let file = concat!(
            "<add connectionString=\"Server=db;Password = sp4ced-out;\" />\n",
            "<add connectionString=\"Server=db;Password=&quot;qu0ted;pass&quot;\" />\n",
            "<credentials passwordFormat=\"Clear\"><user name=\"a\" password = \"att-secret\" /></credentials>\n",
            "<machineKey decryptionKey=\"0123456789ABCDEF\" decryption=\"DES\"\n",
            "  validationKey=\"AutoGenerate,FEDCBA9876543210FEDC\" />\n",
        );
        let settings = "Server=sql;User Id=sa;Password=t0ml-secret";
        let redactor = Redactor::new(file, [settings]);
        let masked = redactor.mask(file);
        assert_eq!(masked.len(), file.len());
        for secret in [
            "sp4ced-out",
            "qu0ted;pass",
            "att-secret",
            "0123456789ABCDEF",
            "FEDCBA9876543210FEDC",
        ] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
        assert!(masked.contains("AutoGenerate,"), "{masked}");
        assert!(masked.contains("passwordFormat=\"Clear\""), "{masked}");
        // A message that quotes a value without its name: the value was learned from the file.
        let message = "machineKey/@validationKey: `AutoGenerate,FEDCBA9876543210FEDC` is not valid; DES key 0123456789ABCDEF";
        let masked = redactor.mask(message);
        assert!(
            !masked.contains("FEDCBA9876543210FEDC") && !masked.contains("0123456789ABCDEF"),
            "{masked}"
        );
        // A value from the settings, in a fix's description.
        let masked = redactor.mask("Store session state in SQL Server (t0ml-secret)");
        assert!(!masked.contains("t0ml-secret"), "{masked}");
    }

    #[test]
    fn cloud_connection_string_keys_are_masked() {
        let text = "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=QnVzU2VjcmV0;\nDefaultEndpointsProtocol=https;AccountName=a;AccountKey=U3RvcmFnZQ==;";
        let masked = mask_secrets(text);
        assert!(
            !masked.contains("QnVzU2VjcmV0") && !masked.contains("U3RvcmFnZQ=="),
            "{masked}"
        );
        assert!(masked.contains("SharedAccessKeyName=Root"), "{masked}");
    }

    #[test]
    fn an_unquoted_value_stops_at_a_closing_entity() {
        let text = "<add cs=\"x;provider connection string=&quot;ds=a;password=ef-pw&quot;\" />";
        assert_eq!(
            mask_secrets(text),
            "<add cs=\"x;provider connection string=&quot;ds=a;password=*****&quot;\" />"
        );
        // The search past the `;` never splits a character.
        assert_eq!(mask_secrets("pwd=ab;é"), "pwd=**;é");
    }

    #[test]
    fn an_unclosed_quoted_value_stops_at_its_line() {
        let text = "<add cs=\"Password=&quot;abc\" />\n<next line=\"1\" />";
        let masked = mask_secrets(text);
        assert_eq!(
            masked,
            "<add cs=\"Password=&quot;***\" />\n<next line=\"1\" />"
        );
    }

    #[test]
    fn masking_is_linear_in_the_number_of_secrets() {
        // 20,000 values after a secret name, and as many distinct known values: one pass each.
        let line = |i: usize| format!("<add connectionString=\"pwd=secret{i:05}x\" />\n");
        let text: String = (0..20_000).map(line).collect();
        let redactor = Redactor::new(&text, []);
        let masked = redactor.mask(&text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("secret"));
    }

    #[test]
    fn entity_quoted_values_are_found_in_one_pass() {
        // 20,000 `&quot;`-quoted values on one line: each scan stops at its own closing entity.
        let text = "pwd=&quot;x&quot; ".repeat(20_000);
        let masked = mask_secrets(&text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(&masked[..18], "pwd=&quot;*&quot; ");
    }

    #[test]
    fn overlapping_secrets_are_masked_whole() {
        let file = "<add cs=\"Password=abcdefgh\" /><add cs=\"Password=efghijkl\" />";
        let masked = Redactor::new(file, []).mask("abcdefghijkl and efghijkl");
        assert_eq!(masked, "************ and ********");
    }

    #[test]
    fn a_file_secret_overlapping_a_settings_secret_is_masked_whole() {
        // Learnt apart (the file's once, shared), found in the same text.
        let file = Arc::new(Learned::of(["<add cs=\"Password=abcdefgh\" />"]));
        let redactor = Redactor::with_learned(file, ["Server=s;Password=efghijkl"]);
        assert_eq!(redactor.mask("abcdefghijkl"), "************");
        assert_eq!(redactor.mask("xefghijklx"), "x********x");
    }

    #[test]
    fn a_secret_overlapping_itself_is_masked_whole() {
        // `abab` occurs at 0 and at 2 in `ababab`: both, so no `ab` is left after the first.
        let few = Redactor::new("<add cs=\"Password=abab\" />", []);
        assert_eq!(few.mask("x ababab y"), "x ****** y");
        // The same with more values than are searched one by one (one automaton).
        let many: String = (0..=FEW_KNOWN)
            .map(|i| format!("<add cs=\"Password=secret{i:04}\" />"))
            .chain(std::iter::once("<add cs=\"Password=abab\" />".to_owned()))
            .collect();
        let many = Redactor::new(&many, []);
        assert!(matches!(many.file.known, Known::Many(_)));
        assert_eq!(many.mask("x ababab secret0003 y"), "x ****** ********** y");
    }

    #[test]
    fn entries_whose_key_names_a_secret_are_masked() {
        let file = concat!(
            "<add key=\"SmtpPassword\" value=\"jumP4000c\" />\n",
            "<add value=\"AIzaSyA\"\n     key=\"GoogleMapsAPIKey\" />\n",
            "<add key=\"PasswordResetUrl\" value=\"https://x/reset\" />\n",
            "<setting name=\"SendGridApiKey\" serializeAs=\"String\">\n  <value>SG.abc.def</value>\n</setting>\n",
            "<add name=\"m\" connectionString=\"mongodb://svc:!svc-pw@localhost:27017\" />\n",
        );
        let masked = mask_secrets(file);
        assert_eq!(masked.len(), file.len());
        for secret in ["jumP4000c", "AIzaSyA", "SG.abc.def", "!svc-pw"] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
        assert!(masked.contains("https://x/reset") && masked.contains("mongodb://svc:"));
        // A diff line alone is masked too; the value learnt from the file anywhere.
        let redactor = Redactor::new(file, []);
        let diff = "--- a/web.config\n+++ b/web.config\n@@ -1,3 +1,3 @@\n <setting name=\"SendGridApiKey\">\n-  <value>SG.abc.def</value>\n quoted jumP4000c\n";
        let masked = redactor.mask_diff(diff);
        assert!(
            !masked.contains("SG.abc.def") && !masked.contains("jumP4000c"),
            "{masked}"
        );
        assert!(masked.starts_with("--- a/web.config\n+++ b/web.config\n"));
        // A short secret, on a line without its key: masked between its quotes only.
        let file = "<add key=\"SmtpPassword\"\n     value=\"Zq7\" />\n";
        let redactor = Redactor::new(file, []);
        assert_eq!(redactor.mask(" value=\"Zq7\" />"), " value=\"***\" />");
        assert_eq!(redactor.mask("Zq7 elsewhere"), "Zq7 elsewhere");
    }

    #[test]
    fn values_that_are_no_secret_are_not_learnt() {
        let file = "<add key=\"UsePassword\" value=\"false\" /><add key=\"SmtpPassword\" value=\"jumP4000c\" />";
        let redactor = Redactor::new(file, []);
        assert_eq!(
            redactor.mask("requireSSL=\"false\" and jumP4000c"),
            "requireSSL=\"false\" and *********"
        );
    }

    #[test]
    fn names_inside_longer_words_are_not_secrets() {
        let text = "<credentials passwordFormat=\"Clear\"> <add key=\"pwdHint\" value=\"x\" />";
        assert_eq!(mask_secrets(text), text);
    }
}
