//! Telling a secret written in configuration from what only looks like one: which
//! `appSettings` keys name a secret, which values are clearly none (empty, a build pipeline's
//! placeholder, a template's filler, a number, a switch, a plain URL), and where a connection
//! string holds a password. `secret-in-config` reports what this module calls a secret, and the
//! reports' masking (`report::redact`) hides the same values, so that whatever the rule reports
//! is never printed.
//!
//! Connection strings are read the way `DbConnectionOptions.GetKeyValuePair` (.NET reference
//! source, System.Data) reads them: `;`-separated pairs, white space around keys and values
//! dropped, keys compared ignoring case (`==` in a key is a literal `=`), values quoted with `"`
//! or `'` (a doubled quote inside is one quote) or ODBC's `{…}`, and the last of a repeated key
//! wins.

/// One `key=value` pair of a connection string: the key lower-cased as SqlClient compares it,
/// the value unquoted, and where the value is in the text (quotes excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub key: String,
    pub value: String,
    pub value_range: std::ops::Range<usize>,
}

/// The pairs of a connection string, in order. Parsing stops at the first syntax error
/// (an unclosed quote, a key without `=`): what came before is returned.
pub fn connection_string_pairs(text: &str) -> Vec<Pair> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut at = 0;
    let is_space = |b: u8| b.is_ascii_whitespace();
    while at < bytes.len() {
        while at < bytes.len() && (bytes[at] == b';' || is_space(bytes[at])) {
            at += 1;
        }
        if at >= bytes.len() {
            break;
        }
        // The key: up to a single `=` (`==` is part of the key).
        let key_start = at;
        let key_end = loop {
            match bytes.get(at) {
                None => return pairs,
                Some(b'=') if bytes.get(at + 1) == Some(&b'=') => at += 2,
                Some(b'=') => break at,
                Some(_) => at += 1,
            }
        };
        at += 1;
        let key = text[key_start..key_end]
            .trim()
            .replace("==", "=")
            .to_ascii_lowercase();
        if key.is_empty() {
            return pairs;
        }
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        let (value, range) = match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'' | b'{')) => {
                let close = if quote == b'{' { b'}' } else { quote };
                let start = at + 1;
                let mut value = String::new();
                let mut i = start;
                let end = loop {
                    match bytes.get(i) {
                        None => return pairs,
                        Some(&b) if b == close && bytes.get(i + 1) == Some(&close) => {
                            value.push(close as char);
                            i += 2;
                        }
                        Some(&b) if b == close => break i,
                        Some(_) => {
                            let c = text[i..].chars().next().expect("in the text");
                            value.push(c);
                            i += c.len_utf8();
                        }
                    }
                };
                at = end + 1;
                // Up to the next `;`.
                while at < bytes.len() && bytes[at] != b';' {
                    at += 1;
                }
                (value, start..end)
            }
            _ => {
                let start = at;
                while at < bytes.len() && bytes[at] != b';' {
                    at += 1;
                }
                let raw = &text[start..at];
                let trimmed = raw.trim_end();
                (trimmed.to_owned(), start..start + trimmed.len())
            }
        };
        pairs.push(Pair {
            key,
            value,
            value_range: range,
        });
    }
    pairs
}

/// Keys whose value is a password or a storage account's key: SqlClient's `Password` and its
/// synonym `Pwd`, the ODBC and OLE DB spellings, Jet's `Database Password`, and Azure Storage's
/// `AccountKey` and Service Bus's `SharedAccessKey`.
fn is_password_key(key: &str) -> bool {
    matches!(
        key,
        "password" | "pwd" | "passwd" | "accountkey" | "sharedaccesskey"
    ) || key.ends_with(" password")
}

/// The key of the Azure Storage emulator, published in Microsoft's documentation: no secret.
const STORAGE_EMULATOR_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// A clear-text password in a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSecret {
    /// The key as SqlClient reads it (lower-cased): `password`, `pwd`, `accountkey`.
    pub key: String,
    /// Where the value is, in the text given.
    pub value_range: std::ops::Range<usize>,
    /// Integrated security is on: SqlClient ignores the password.
    pub integrated_security: bool,
}

/// The password a connection string holds in clear, if any: the last `Password`/`Pwd` (or
/// account key) whose value is a secret (see [`is_not_a_secret`]). Entity Framework's
/// `provider connection string="…"` is read as the connection string it holds. Redis
/// (StackExchange.Redis) strings separate their options with `,`: `host:6380,password=…`.
pub fn connection_string_secret(text: &str) -> Option<ConnectionSecret> {
    let pairs = connection_string_pairs(text);
    let mut found: Option<ConnectionSecret> = None;
    let mut integrated = false;
    for pair in &pairs {
        match pair.key.as_str() {
            "integrated security" | "trusted_connection" => {
                integrated = matches!(
                    pair.value.trim().to_ascii_lowercase().as_str(),
                    "true" | "yes" | "sspi"
                );
            }
            "provider connection string" => {
                // The inner text is the unquoted value; its ranges are only right when the
                // value needed no unescaping (no doubled quote), which is the usual case.
                if let Some(inner) = connection_string_secret(&pair.value) {
                    let offset = pair.value_range.start;
                    found = Some(ConnectionSecret {
                        value_range: inner.value_range.start + offset
                            ..inner.value_range.end + offset,
                        ..inner
                    });
                }
            }
            key if is_password_key(key) => {
                if is_not_a_secret(&pair.value) || pair.value.trim() == STORAGE_EMULATOR_KEY {
                    // The last one wins: a later empty password replaces an earlier one.
                    found = None;
                } else {
                    found = Some(ConnectionSecret {
                        key: pair.key.clone(),
                        value_range: pair.value_range.clone(),
                        integrated_security: false,
                    });
                }
            }
            _ => {}
        }
    }
    if found.is_none() && !text.contains(';') {
        found = redis_password(text);
    }
    found.map(|secret| ConnectionSecret {
        integrated_security: integrated,
        ..secret
    })
}

/// `host:port,password=…,ssl=True`: StackExchange.Redis's configuration string.
fn redis_password(text: &str) -> Option<ConnectionSecret> {
    let mut at = 0;
    let mut found = None;
    for part in text.split(',') {
        let start = at;
        at += part.len() + 1;
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("password") {
            let value_start = start + key.len() + 1;
            let value = value.trim();
            let lead = part[key.len() + 1..].len() - part[key.len() + 1..].trim_start().len();
            found = (!is_not_a_secret(value)).then(|| ConnectionSecret {
                key: "password".to_owned(),
                value_range: value_start + lead..value_start + lead + value.len(),
                integrated_security: false,
            });
        }
    }
    found
}

/// Does this look like a connection string (`key=value;key=value`)?
pub fn looks_like_connection_string(text: &str) -> bool {
    text.contains(';') && connection_string_pairs(text).len() >= 2
}

/// What an `appSettings` key's name says its value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKey {
    /// A password, a secret, a token, an API or private key: the words of the name, for the
    /// message.
    Secret(&'static str),
    /// A connection string: secret only when it holds a password.
    ConnectionString,
}

/// Words after the secret's name that say which copy it is (`ApiKeyProd`, `Password2`): the
/// name still names a secret.
const QUALIFIERS: &[&str] = &[
    "dev",
    "development",
    "prod",
    "production",
    "test",
    "staging",
    "stage",
    "live",
    "sandbox",
    "local",
    "qa",
    "uat",
    "primary",
    "secondary",
    "old",
    "new",
    "value",
];

/// Words before `Key` that make it a secret (`ApiKey`, `PrivateKey`, `EncryptionKey`); a
/// `PublicKey`, a `SiteKey`, a `ConsumerKey` or an `InstrumentationKey` are identifiers, not
/// secrets, and `AccessKeyId` ends with `Id`.
const SECRET_KEY_KINDS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "auth",
    "authentication",
    "encryption",
    "decryption",
    "signing",
    "master",
    "account",
    "shared",
    "subscription",
    "server",
    "primary",
    "secondary",
    "storage",
    "merchant",
    "transaction",
    "hmac",
    "hash",
    "validation",
    "jwt",
    "crypto",
    "aes",
];

/// Does an `appSettings` key name a secret? Its last word decides (after a trailing number or
/// environment, see [`QUALIFIERS`]): `SmtpPassword`, `Stripe:SecretKey`, `GitHubAccessToken`,
/// `twitterConsumerSecret`, `api_key` do; `PasswordResetUrl`, `TokenLifetimeMinutes`,
/// `PasswordGeneratorChars`, `reCaptchaPublicKey`, `AccessKeyId` do not.
pub fn secret_key(key: &str) -> Option<SecretKey> {
    // Every name below ends in a word holding one of the stems: most keys (every `<add name>`
    // of a file is asked when its findings are masked) are dismissed without splitting them into
    // words. A non-ASCII key is split anyway (`K`, the Kelvin sign, lower-cases to `k`).
    if key.is_ascii() {
        if !has_secret_stem(key.as_bytes()) {
            return None;
        }
        // The usual key, split on the stack: this runs for every entry of a file with findings.
        if let Some(kind) = with_ascii_key_words(key.as_bytes(), secret_kind) {
            return kind;
        }
    }
    let words = key_words(key);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    secret_kind(&words)
}

/// What the words of a key (lower-cased) name: see [`secret_key`].
fn secret_kind(mut words: &[&str]) -> Option<SecretKey> {
    while let [rest @ .., last] = words
        && !rest.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit()) || QUALIFIERS.contains(last))
    {
        words = rest;
    }
    let last = *words.last()?;
    let before = words.len().checked_sub(2).map(|i| words[i]);
    let kind = match last {
        "password" | "passwd" | "pwd" => "password",
        // `ByPass` is no password.
        "pass" if before != Some("by") => "password",
        "passphrase" => "passphrase",
        "secret" | "clientsecret" => "secret",
        "token" | "accesstoken" => "token",
        "apikey" => "API key",
        "accesskey" | "privatekey" | "secretkey" | "accountkey" | "authkey" | "signingkey"
        | "encryptionkey" | "masterkey" => "key",
        "credential" | "credentials" => "credential",
        "key" if before.is_some_and(|b| SECRET_KEY_KINDS.contains(&b)) => {
            if before == Some("api") {
                "API key"
            } else {
                "key"
            }
        }
        "connectionstring" => return Some(SecretKey::ConnectionString),
        "string" if before == Some("connection") => return Some(SecretKey::ConnectionString),
        _ => return None,
    };
    Some(SecretKey::Secret(kind))
}

/// The longest ASCII key, and the most words, [`with_ascii_key_words`] splits on the stack.
const STACK_KEY_BYTES: usize = 64;
const STACK_KEY_WORDS: usize = 16;

/// `f` of [`key_words`] of an ASCII key, split without allocating; `None` for a key too long
/// for that (it is split by [`key_words`] instead).
fn with_ascii_key_words<T>(key: &[u8], f: impl FnOnce(&[&str]) -> T) -> Option<T> {
    if key.len() > STACK_KEY_BYTES {
        return None;
    }
    let mut lower = [0u8; STACK_KEY_BYTES];
    let lower = &mut lower[..key.len()];
    lower.copy_from_slice(key);
    lower.make_ascii_lowercase();
    let mut ranges = [(0, 0); STACK_KEY_WORDS];
    let mut count = 0;
    let mut word_start: Option<usize> = None;
    // The same boundaries as `key_words`, on bytes.
    for (i, &c) in key.iter().enumerate() {
        let boundary = !c.is_ascii_alphanumeric()
            || i.checked_sub(1).is_some_and(|p| {
                let (p, next) = (key[p], key.get(i + 1));
                (c.is_ascii_uppercase()
                    && (p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(u8::is_ascii_lowercase))))
                    || (c.is_ascii_digit() && p.is_ascii_alphabetic())
                    || (c.is_ascii_alphabetic() && p.is_ascii_digit())
            });
        if boundary && let Some(start) = word_start.take() {
            *ranges.get_mut(count)? = (start, i);
            count += 1;
        }
        if c.is_ascii_alphanumeric() && word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(start) = word_start {
        *ranges.get_mut(count)? = (start, key.len());
        count += 1;
    }
    // ASCII, so always UTF-8 (looked at once, not word by word).
    let lower = std::str::from_utf8(lower).ok()?;
    let mut words = [""; STACK_KEY_WORDS];
    for (word, &(start, end)) in words.iter_mut().zip(&ranges[..count]) {
        *word = &lower[start..end];
    }
    Some(f(&words[..count]))
}

/// Does an ASCII key hold `pass`, `pwd`, `secret`, `token`, `key`, `credential` or `string`, in
/// any case? One pass, no copy: asked for every entry of every file with a finding.
fn has_secret_stem(key: &[u8]) -> bool {
    // Each stem is at least three bytes, and its first two tell which it can be: a position is
    // passed over after one test of its two bytes, lower-cased (`| 0x20` lower-cases an ASCII
    // letter and turns no other byte into one).
    const fn pair(two: &[u8; 2]) -> u16 {
        u16::from_le_bytes(*two)
    }
    const PA: u16 = pair(b"pa");
    const PW: u16 = pair(b"pw");
    const SE: u16 = pair(b"se");
    const ST: u16 = pair(b"st");
    const TO: u16 = pair(b"to");
    const KE: u16 = pair(b"ke");
    const CR: u16 = pair(b"cr");
    (0..key.len().saturating_sub(2)).any(|at| {
        let stem: &[u8] = match pair(&[key[at] | 0x20, key[at + 1] | 0x20]) {
            PA => b"pass",
            PW => b"pwd",
            SE => b"secret",
            ST => b"string",
            TO => b"token",
            KE => b"key",
            CR => b"credential",
            _ => return false,
        };
        key[at..]
            .get(..stem.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(stem))
    })
}

/// The words of a key, lower-cased: split at anything not a letter or digit and where a
/// lower-case letter or digit meets a capital (`GitHubAccessToken`), where a run of capitals
/// meets a word (`SMTPPassword`: `smtp`, `password`), and between letters and digits
/// (`Password2`: `password`, `2`).
fn key_words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = prev.is_some_and(|p| {
            (c.is_uppercase()
                && (p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))))
                || (c.is_ascii_digit() && p.is_alphabetic())
                || (c.is_alphabetic() && p.is_ascii_digit())
        });
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii() {
            word.push(c.to_ascii_lowercase());
        } else {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Is this value clearly no secret, whatever its name says? Empty; a build or release
/// pipeline's placeholder (see [`is_placeholder`]); a template's filler (`****`, `xxxxx`,
/// `FILLME`, `your_password`, `<password>`, the word `password` itself); a number; a .NET or
/// common switch (`true`, `false`, `yes`, `off`); a time span; a URL or path with no password
/// in it.
pub fn is_not_a_secret(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || is_placeholder(v)
        || is_filler(v)
        || is_number(v)
        || is_switch(v)
        || is_time_span(v)
        || is_plain_url_or_path(v)
}

/// A placeholder a pipeline replaces on deployment: Octopus and Azure DevOps Replace Tokens'
/// `#{Name}#` (and `#{Name}`), MSBuild and Azure Pipelines' `$(Name)`, `${Name}`, Replace
/// Tokens' `__Name__`, Mustache's `{{Name}}`, Windows environment variables' `%Name%`, and
/// `#Name#`; also a value IIS encrypted itself (`[enc:AesProvider:…:enc]`).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let token = |open: &str, close: &str| {
        v.find(open).is_some_and(|at| {
            let rest = &v[at + open.len()..];
            rest.find(close).is_some_and(|end| {
                end > 0
                    && rest[..end]
                        .chars()
                        .all(|c| c.is_alphanumeric() || "._-:[] ".contains(c))
            })
        })
    };
    let whole = |open: char, close: char| {
        v.len() > 2
            && v.starts_with(open)
            && v.ends_with(close)
            && v[1..v.len() - 1]
                .chars()
                .all(|c| c.is_alphanumeric() || "._-".contains(c))
    };
    token("#{", "}")
        || token("$(", ")")
        || token("${", "}")
        || token("{{", "}}")
        || token("__", "__")
        || whole('%', '%')
        || whole('#', '#')
        || (v.starts_with("[enc:") && v.ends_with(":enc]"))
}

/// Words templates and samples put where the real secret goes.
const FILLER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "key",
    "apikey",
    "changeme",
    "changeit",
    "fillme",
    "fillin",
    "replaceme",
    "todo",
    "tbd",
    "none",
    "null",
    "nil",
    "na",
    "dummy",
    "placeholder",
    "example",
    "sample",
    "redacted",
    "hidden",
    "masked",
    "notset",
    "empty",
    "undefined",
];

/// A template's filler: one character repeated (`****`, `xxxxx`), a word from
/// [`FILLER_WORDS`] (ignoring case, `_`, `-` and spaces), a value in `<…>` or `[…]`, words
/// that ask for the secret (`your_password`, `YourApiKeyHere`, `enter-password`), or a
/// description of the value in its place (see [`is_stand_in`]).
fn is_filler(v: &str) -> bool {
    if is_stand_in(v) {
        return true;
    }
    let mut chars = v.chars();
    let first = chars.next();
    if first.is_some_and(|f| chars.all(|c| c == f)) {
        return true;
    }
    let bare: String = v
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    if FILLER_WORDS.contains(&bare.as_str()) || bare == "n/a" {
        return true;
    }
    if (v.starts_with('<') && v.ends_with('>')) || (v.starts_with('[') && v.ends_with(']')) {
        return true;
    }
    ["your", "enter", "insert", "replace", "put", "changethis"]
        .iter()
        .any(|w| bare.starts_with(w) && bare.len() > w.len() + 2)
        && bare.chars().all(|c| c.is_ascii_alphanumeric())
        || bare.ends_with("here") && bare.len() > 6 && bare.chars().all(|c| c.is_ascii_alphabetic())
}

/// Words that name a secret: a value that is such a word in a CamelCase phrase describes the
/// secret instead of being one.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "key",
    "credential",
    "credentials",
];

/// A stand-in: letters only, written as a CamelCase phrase of two words or more, one of which
/// names a secret (`SomeAccountKey`, `PwdMyLocal`, `UPassword`, `YouShouldChangeThisPassword`).
/// Samples write these where the real value goes; a real password or key is not a phrase about
/// itself.
fn is_stand_in(v: &str) -> bool {
    if !v.bytes().all(|b| b.is_ascii_alphabetic())
        || v.bytes().filter(u8::is_ascii_uppercase).count() < 2
    {
        return false;
    }
    let words = key_words(v);
    words.len() >= 2 && words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
}

fn is_number(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    !digits.is_empty()
        && digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
}

fn is_switch(v: &str) -> bool {
    [
        "true", "false", "yes", "no", "on", "off", "enabled", "disabled",
    ]
    .iter()
    .any(|s| v.eq_ignore_ascii_case(s))
}

fn is_time_span(v: &str) -> bool {
    v.contains(':')
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
}

/// A URL without credentials (`https://api.example.com/v1`, not `https://user:pw@host/`), a
/// virtual or physical path (`~/App_Data/x`, `/login`, `C:\keys\a.pfx`, `\\server\share`).
fn is_plain_url_or_path(v: &str) -> bool {
    if v.contains(char::is_whitespace) {
        return false;
    }
    if let Some((scheme, rest)) = v.split_once("://") {
        let scheme_ok = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        // `user:password@host` carries a secret; query strings may too (`?key=…`), and are
        // judged by their names only when a key names a secret, so a URL with a query is no
        // plain URL.
        return scheme_ok && !authority.contains('@') && !rest.contains('?');
    }
    let drive = v.len() > 2 && v.as_bytes()[1] == b':' && matches!(v.as_bytes()[2], b'\\' | b'/');
    (v.starts_with("~/") || v.starts_with('/') || v.starts_with("\\\\") || drive)
        && !v.contains('?')
}

/// A password in a URL's authority (`https://user:password@host/`): where it is in `text`.
pub fn url_password(text: &str) -> Option<std::ops::Range<usize>> {
    let (scheme, rest) = text.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let userinfo = &authority[..authority.rfind('@')?];
    let (_, password) = userinfo.split_once(':')?;
    if is_not_a_secret(password) {
        return None;
    }
    let start = scheme.len() + 3 + userinfo.len() - password.len();
    Some(start..start + password.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_of(text: &str) -> Option<&str> {
        connection_string_secret(text).map(|s| &text[s.value_range])
    }

    #[test]
    fn connection_strings_are_read_as_sqlclient_reads_them() {
        assert_eq!(
            secret_of("Server=db;User Id=sa;Password=hunter2;"),
            Some("hunter2")
        );
        assert_eq!(
            secret_of("server=db;uid=sa;PWD = hunter2 "),
            Some("hunter2")
        );
        assert_eq!(
            secret_of("Server=db;Password=\"a;b\"\"c\";Database=x"),
            Some("a;b\"\"c")
        );
        assert_eq!(secret_of("Server=db;Password='x''y'"), Some("x''y"));
        assert_eq!(secret_of("Driver={SQL Server};Pwd={p;w}"), Some("p;w"));
        // The last of a repeated key wins.
        assert_eq!(secret_of("Password=first;Password=;"), None);
        assert_eq!(secret_of("Password=;Pwd=second"), Some("second"));
        // `==` is a literal `=` in a key: `a=b` is no password key.
        assert_eq!(secret_of("Pass==word=x"), None);
        // Entity Framework's inner connection string.
        let ef = "metadata=res://*/M.csdl;provider=System.Data.SqlClient;provider connection string=\"data source=.;user id=sa;password=s3cret;MultipleActiveResultSets=True\"";
        assert_eq!(secret_of(ef), Some("s3cret"));
        // Jet's database password, Azure keys.
        assert_eq!(
            secret_of("Provider=Microsoft.Jet.OLEDB.4.0;Jet OLEDB:Database Password=jet1"),
            Some("jet1")
        );
        assert_eq!(
            secret_of("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=U3RvcmFnZQ=="),
            Some("U3RvcmFnZQ==")
        );
        assert_eq!(secret_of("UseDevelopmentStorage=true"), None);
        assert_eq!(
            secret_of(&format!(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={STORAGE_EMULATOR_KEY}"
            )),
            None
        );
        assert_eq!(
            secret_of("contoso.redis.cache.windows.net:6380,password=r3dis,ssl=True"),
            Some("r3dis")
        );
    }

    #[test]
    fn integrated_security_and_empty_or_placeholder_passwords() {
        assert_eq!(secret_of("Server=.;Integrated Security=true"), None);
        assert_eq!(
            secret_of("server=(local);uid=;pwd=;Trusted_Connection=yes"),
            None
        );
        let with =
            connection_string_secret("Server=.;Integrated Security=SSPI;Password=x1").unwrap();
        assert!(with.integrated_security);
        for placeholder in [
            "#{DbPassword}#",
            "$(DbPassword)",
            "${DB_PASSWORD}",
            "__DbPassword__",
            "{{ db_password }}",
            "%DB_PASSWORD%",
            "#DbPassword#",
            "[enc:AesProvider:9mM2ovvK6I1KeNdmNtr4fftObncukaJ9aSnxtLV4ZJs=:enc]",
        ] {
            assert_eq!(
                secret_of(&format!("Server=db;Password={placeholder}")),
                None,
                "{placeholder}"
            );
        }
        for filler in [
            "****",
            "xxxxxx",
            "yourdatabaseuserpassword",
            "<password>",
            "password",
            "YOUR_PASSWORD",
        ] {
            assert_eq!(
                secret_of(&format!("Server=db;Pwd={filler}")),
                None,
                "{filler}"
            );
        }
    }

    #[test]
    fn key_names_that_name_a_secret() {
        for key in [
            "SmtpPassword",
            "SMTPPassword",
            "REG_Password",
            "GitHubAccessToken",
            "twitterConsumerSecret",
            "ReCaptcha_Secret",
            "reCaptchaPrivateKey",
            "GoogleMapsAPIKey",
            "api_key",
            "api-key",
            "ApiKey",
            "apikey",
            "Stripe:SecretKey",
            "ClientSecret",
            "PASSPHRASE",
            "Telerik.AsyncUpload.ConfigurationEncryptionKey",
            "IpStackAccessKey",
            "aws_secret_access_key",
            "Jwt:Key",
            "DbPassword2",
            "ApiKeyProd",
            "deliWebServicePass",
        ] {
            assert!(
                matches!(secret_key(key), Some(SecretKey::Secret(_))),
                "{key}"
            );
        }
        for key in [
            "PasswordResetUrl",
            "TokenLifetimeMinutes",
            "PasswordGeneratorChars",
            "PasswordStrengthCalculationWeightings",
            "MaskPasswordsInUserAdmin",
            "AllowPasswordFormatChange",
            "reCaptchaPublicKey",
            "twitterConsumerKey",
            "AccessKeyId",
            "InstrumentationKey",
            "Gallery.DeprecateNuGetPasswordLogins",
            "ByPass",
            "webpages:Version",
            "Key",
        ] {
            assert_eq!(secret_key(key), None, "{key}");
        }
        assert_eq!(
            secret_key("Gallery.AzureStorage.Content.ConnectionString"),
            Some(SecretKey::ConnectionString)
        );
        assert_eq!(
            secret_key("MSSQLConnectionString"),
            Some(SecretKey::ConnectionString)
        );
    }

    #[test]
    fn values_that_are_clearly_no_secret() {
        for value in [
            "",
            "  ",
            "false",
            "True",
            "30",
            "-1",
            "00:30:00",
            "https://api.example.com/v1/",
            "~/App_Data/keys",
            "C:\\certs\\site.pfx",
            "FILLME",
            "n/a",
            "SomeAccountKey",
            "PwdMyLocal",
            "UPassword",
            "YouShouldChangeThisPassword",
            "YourApiKeyHere",
            "#{ApiKey}#",
        ] {
            assert!(is_not_a_secret(value), "{value:?}");
        }
        for value in [
            "AIzaSyAhj2eeRDJEzFRhn7la4QDtoVPCpKkV438",
            "mojo123",
            "uvpwd",
            "masterkey",
            "Pass@word1",
            "hunter2",
            "https://user:pw@host/",
            "https://host/?key=abc",
        ] {
            assert!(!is_not_a_secret(value), "{value:?}");
        }
    }

    #[test]
    fn passwords_in_urls() {
        let text = "https://user:s3cret@host.example/path";
        assert_eq!(&text[url_password(text).unwrap()], "s3cret");
        assert_eq!(url_password("https://user@host/"), None);
        assert_eq!(url_password("https://host/a:b@c"), None);
    }

    #[test]
    fn the_stem_prefilter_finds_a_stem_in_any_case_and_place() {
        let contains_a_stem = |key: &str| {
            let lower = key.to_ascii_lowercase();
            [
                "pass",
                "pwd",
                "secret",
                "token",
                "key",
                "credential",
                "string",
            ]
            .iter()
            .any(|stem| lower.contains(stem))
        };
        for key in [
            "SmtpPassword",
            "PWD",
            "x_SeCrEt",
            "tokeN",
            "ke",
            "Key",
            "CREDENTIALS",
            "ConnectionString",
            "strin",
            "pas",
            "ppass",
            "webpages:Version",
            "",
            "p",
            "StripeSecretKey9",
            "AccessToken",
            "kpwd",
        ] {
            assert_eq!(
                has_secret_stem(key.as_bytes()),
                contains_a_stem(key),
                "{key:?}"
            );
        }
        // Every key of up to four bytes over the stems' letters (either case, `@` and `` ` ``,
        // which `| 0x20` maps onto each other), and each stem cut short or whole at every offset.
        let letters: Vec<char> = "pPaswWdeEkKytTorcg@`_".chars().collect();
        let mut keys = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = keys
                .iter()
                .filter(|k| k.len() == keys.last().map_or(0, String::len))
                .flat_map(|k| letters.iter().map(move |c| format!("{k}{c}")))
                .collect();
            keys.extend(longer);
        }
        for stem in [
            "pass",
            "pwd",
            "secret",
            "string",
            "token",
            "key",
            "credential",
        ] {
            for cut in 1..=stem.len() {
                for at in 0..4 {
                    keys.push(format!(
                        "{}{}{}",
                        &"xKey"[..at],
                        &stem[..cut],
                        &"zy"[..at % 3]
                    ));
                    keys.push(format!("{}{}", "a".repeat(at), stem[..cut].to_uppercase()));
                }
            }
        }
        assert!(keys.len() > 190_000, "{}", keys.len());
        for key in &keys {
            assert_eq!(
                has_secret_stem(key.as_bytes()),
                contains_a_stem(key),
                "{key:?}"
            );
        }
    }

    #[test]
    fn keys_split_on_the_stack_split_like_key_words() {
        let parts = [
            "",
            "a",
            "A",
            "1",
            "_",
            ".",
            ":",
            "-",
            "Api",
            "API",
            "Key",
            "KEY",
            "key",
            "pass",
            "Password",
            "PWD",
            "Secret",
            "Token",
            "x9",
            "9x",
            "Dev",
            "Prod",
            "2",
            "By",
            "Conn",
            "ectionString",
            "Credential",
            "S",
            "ss",
            "aB",
            "Ab",
            "AB",
            "access",
            "Id",
        ];
        let mut keys = Vec::new();
        for a in parts {
            for b in parts {
                for c in [
                    "",
                    "Key",
                    "_key",
                    "Password2",
                    "ID",
                    "sTRING",
                    ":",
                    "Token9x",
                ] {
                    keys.push(format!("{a}{b}{c}"));
                }
            }
        }
        keys.push("A".repeat(STACK_KEY_BYTES));
        keys.push("A".repeat(STACK_KEY_BYTES + 1));
        keys.push("aB".repeat(STACK_KEY_WORDS / 2));
        keys.push("aB".repeat(STACK_KEY_WORDS));
        keys.push("a_".repeat(STACK_KEY_WORDS + 1));
        for key in &keys {
            let general: Vec<String> = key_words(key);
            let on_the_stack = with_ascii_key_words(key.as_bytes(), |words| {
                words.iter().map(|w| w.to_string()).collect::<Vec<_>>()
            });
            match on_the_stack {
                Some(words) => assert_eq!(words, general, "{key:?}"),
                // Left to `key_words` only when too long or of too many words.
                None => assert!(
                    key.len() > STACK_KEY_BYTES || general.len() > STACK_KEY_WORDS,
                    "{key:?}"
                ),
            }
            let general: Vec<&str> = general.iter().map(String::as_str).collect();
            let expected = if has_secret_stem(key.as_bytes()) {
                secret_kind(&general)
            } else {
                None
            };
            assert_eq!(secret_key(key), expected, "{key:?}");
        }
    }

    #[test]
    fn key_words_split_like_names_are_written() {
        assert_eq!(key_words("SMTPPassword"), ["smtp", "password"]);
        assert_eq!(
            key_words("GitHubAccessToken"),
            ["git", "hub", "access", "token"]
        );
        assert_eq!(key_words("api_key2"), ["api", "key", "2"]);
        assert_eq!(
            key_words("Site1-PayPalAPIPassword"),
            ["site", "1", "pay", "pal", "api", "password"]
        );
    }
}
