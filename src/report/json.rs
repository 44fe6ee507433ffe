//! `--format json`: `{"diagnostics":[…],"errors":[…]}`, positions 1-based, columns in characters.
//!
//! The document is written from small structs that borrow from the results rather than from
//! `serde_json::Value` maps, which took several times the size of the output in memory. Keys are
//! in alphabetical order, as they always were. The diagnostics, most of a report, are written by
//! hand (`write_diagnostic`) exactly as serde_json writes those structs; a test compares the two,
//! so a field added to `JsonDiagnostic` fails it until the writer writes it too.

use rayon::prelude::*;
use serde::Serialize;

use super::{FileResult, Run};
use crate::diagnostic::Diagnostic;

#[derive(Serialize)]
struct Document<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    column: usize,
    end_column: usize,
    end_line: usize,
    fix: Option<JsonFix<'a>>,
    line: usize,
    message: &'a str,
    path: &'a str,
    rule: &'a str,
    severity: &'a str,
    /// The environments whose deployed configuration has the finding, when the file was judged
    /// through its `Web.<Environment>.config` transforms.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    environments: &'a [String],
    /// Only with `--show-suppressed`: `null`, or how the finding was silenced.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Option<JsonSuppression<'a>>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'a str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    column: Option<usize>,
    line: Option<usize>,
    message: &'a str,
    path: &'a str,
}

pub fn render(run: &Run) -> String {
    render_with(run, false)
}

/// With `show_suppressed`, findings inline suppressions silenced are listed too, and every
/// diagnostic has a `suppressed` key: `null`, or `{"kind": "ignore"|"ignore-file", "reason": …}`.
pub fn render_with(run: &Run, show_suppressed: bool) -> String {
    let mut out = Vec::new();
    write_to(run, show_suppressed, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("JSON written from strings is UTF-8")
}

/// Files whose diagnostics are written on the pool's threads at a time (see [`write_to`]).
const FILES_AT_A_TIME: usize = 512;

/// [`render_with`], written to `out` as it is made: a large report is never whole in memory.
/// The diagnostics of a few hundred files at a time are written on the pool's threads, then
/// put out in order: the same bytes as writing the whole document at once (which on one thread
/// was a twentieth of a large run, and whole in memory was a page fault every 4 KiB).
pub fn write_to<W: std::io::Write + ?Sized>(
    run: &Run,
    show_suppressed: bool,
    out: &mut W,
) -> std::io::Result<()> {
    let mut errors = Vec::new();
    for file in &run.files {
        if let Some(err) = &file.error {
            errors.push(JsonError {
                column: Some(err.column),
                line: Some(err.line),
                message: &err.message,
                path: &file.display,
            });
        }
    }
    for (path, message) in &run.path_errors {
        errors.push(JsonError {
            column: None,
            line: None,
            message,
            path,
        });
    }
    let without_diagnostics = Document {
        diagnostics: Vec::new(),
        errors,
    };
    let rest =
        serde_json::to_string_pretty(&without_diagnostics).expect("JSON values always serialise");
    let empty = "{\n  \"diagnostics\": [],";
    let rest = rest
        .strip_prefix(empty)
        .expect("the document starts with its diagnostics");
    let mut started = false;
    for files in run.files.chunks(FILES_AT_A_TIME) {
        let written: Vec<String> = files
            .par_iter()
            .map(|file| file_diagnostics(file, show_suppressed))
            .collect();
        for file in written.iter().filter(|f| !f.is_empty()) {
            out.write_all(if started {
                b","
            } else {
                b"{\n  \"diagnostics\": ["
            })?;
            started = true;
            out.write_all(file.as_bytes())?;
        }
    }
    out.write_all(if started { b"\n  ]," } else { empty.as_bytes() })?;
    out.write_all(rest.as_bytes())?;
    out.write_all(b"\n")
}

/// One file's diagnostics as they are inside the document's `diagnostics` array (each on a new
/// line, indented two levels, separated by commas); empty when it has none.
fn file_diagnostics(file: &FileResult, show_suppressed: bool) -> String {
    let mut all: Vec<(&Diagnostic, Option<JsonSuppression<'_>>)> =
        file.diagnostics.iter().map(|d| (d, None)).collect();
    if show_suppressed {
        all.extend(file.suppressed.iter().map(|s| {
            let kind = if s.file_level {
                "ignore-file"
            } else {
                "ignore"
            };
            let reason = s.reason.as_deref();
            (&s.diagnostic, Some(JsonSuppression { kind, reason }))
        }));
        all.sort_by_key(|(d, _)| d.range.start);
    }
    let mut out = String::new();
    for (d, suppression) in all {
        let diagnostic = diagnostic(file, d, show_suppressed.then_some(suppression));
        if !out.is_empty() {
            out.push(',');
        }
        write_diagnostic(&mut out, &diagnostic);
    }
    out
}

/// `value` in decimal, as `serde_json` writes an integer.
fn push_decimal(out: &mut String, mut value: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// Writes `d` as `serde_json::to_string_pretty` does, each line after a line break and four
/// spaces (its place in the document's array). By hand: going through serde, a buffer per
/// diagnostic and indenting its lines afterwards was most of the time a large report took to
/// write (`tests` compare the two on every field and escape).
fn write_diagnostic(out: &mut String, d: &JsonDiagnostic<'_>) {
    // Pieces pushed, not `write!`: its formatting machinery was most of this function's time.
    let key = |out: &mut String, key: &str| {
        out.push_str("\n      \"");
        out.push_str(key);
        out.push_str("\": ");
    };
    let number = |out: &mut String, name: &str, value: usize| {
        key(out, name);
        push_decimal(out, value);
        out.push(',');
    };
    let string = |out: &mut String, name: &str, value: &str| {
        key(out, name);
        push_json_string(out, value);
        out.push(',');
    };
    out.push_str("\n    {");
    string(out, "code", d.code);
    number(out, "column", d.column);
    number(out, "end_column", d.end_column);
    number(out, "end_line", d.end_line);
    match &d.fix {
        None => out.push_str("\n      \"fix\": null,"),
        Some(fix) => {
            out.push_str("\n      \"fix\": {\n        \"applicability\": ");
            push_json_string(out, fix.applicability);
            out.push_str(",\n        \"message\": ");
            push_json_string(out, fix.message);
            out.push_str("\n      },");
        }
    }
    number(out, "line", d.line);
    string(out, "message", d.message);
    string(out, "path", d.path);
    string(out, "rule", d.rule);
    out.push_str("\n      \"severity\": ");
    push_json_string(out, d.severity);
    if !d.environments.is_empty() {
        out.push_str(",\n      \"environments\": [");
        for (i, environment) in d.environments.iter().enumerate() {
            out.push_str(if i == 0 { "\n        " } else { ",\n        " });
            push_json_string(out, environment);
        }
        out.push_str("\n      ]");
    }
    match &d.suppressed {
        None => {}
        Some(None) => out.push_str(",\n      \"suppressed\": null"),
        Some(Some(suppression)) => {
            out.push_str(",\n      \"suppressed\": {\n        \"kind\": ");
            push_json_string(out, suppression.kind);
            out.push_str(",\n        \"reason\": ");
            match suppression.reason {
                Some(reason) => push_json_string(out, reason),
                None => out.push_str("null"),
            }
            out.push_str("\n      }");
        }
    }
    out.push_str("\n    }");
}

/// `value` as a JSON string, escaped as serde_json escapes it: `"` and `\`, the control
/// characters with a short form (`\b`, `\t`, `\n`, `\f`, `\r`) or as `\u00xx`; nothing else.
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    let bytes = value.as_bytes();
    let mut copied = 0;
    // Most strings (a message, a path) need no escape: passed over eight bytes at a time.
    let clean = clean_prefix(bytes);
    for (at, &byte) in bytes.iter().enumerate().skip(clean) {
        let short = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        // Escaped bytes are ASCII: `at` is a character boundary.
        out.push_str(&value[copied..at]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xf)] as char);
        } else {
            out.push_str(short);
        }
        copied = at + 1;
    }
    out.push_str(&value[copied..]);
    out.push('"');
}

/// How many bytes at the start of `bytes`, a multiple of eight, certainly need no escape (no
/// `"`, `\` or byte below 0x20 among them).
fn clean_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero (or, for `below`, under `n`): its high bit in the result (the
    // classic test, exact for bytes below 0x80, which are all this looks for).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let mut clean = 0;
    for chunk in bytes.chunks_exact(8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if below(x, 0x20) | zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\')))
            != 0
        {
            break;
        }
        clean += 8;
    }
    clean
}

fn diagnostic<'a>(
    file: &'a FileResult,
    d: &'a Diagnostic,
    suppressed: Option<Option<JsonSuppression<'a>>>,
) -> JsonDiagnostic<'a> {
    let (line, column) = file.line_col(d.range.start);
    let (end_line, end_column) = file.line_col(d.range.end);
    JsonDiagnostic {
        code: d.rule.code,
        column,
        end_column,
        end_line,
        fix: d.fix.as_ref().map(|f| JsonFix {
            applicability: f.applicability.as_str(),
            message: &f.message,
        }),
        line,
        message: &d.message,
        path: &file.display,
        rule: d.rule.name,
        severity: d.severity.as_str(),
        environments: &d.environments,
        suppressed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `write_diagnostic` must write: serde_json's pretty form, each line indented by four.
    fn through_serde(d: &JsonDiagnostic<'_>) -> String {
        let pretty = serde_json::to_string_pretty(d).unwrap();
        pretty
            .split('\n')
            .map(|line| format!("\n    {line}"))
            .collect()
    }

    #[test]
    fn diagnostics_are_written_as_serde_json_writes_them() {
        // Every byte below 0x80 and some beyond, in every string field.
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        let texts = [
            "",
            "plain",
            "\"quoted\" and \\back\\slashed\\",
            "line\nbreak\r\n\ttab \u{8}\u{c}\u{1}\u{1f}\u{7f}",
            "é ü 日本 😀 \u{2028}",
            every_ascii.as_str(),
        ];
        let environments = [
            Vec::new(),
            vec!["Release".to_owned()],
            vec!["A\"".to_owned(), "b\n".to_owned()],
        ];
        let fixes = [
            None,
            Some(JsonFix {
                applicability: "safe",
                message: texts[2],
            }),
        ];
        let suppressions = [
            None,
            Some(None),
            Some(Some(JsonSuppression {
                kind: "ignore",
                reason: None,
            })),
            Some(Some(JsonSuppression {
                kind: "ignore-file",
                reason: Some(texts[3]),
            })),
        ];
        let mut compared = 0;
        for text in texts {
            for environment in &environments {
                for fix in &fixes {
                    for suppressed in &suppressions {
                        let d = JsonDiagnostic {
                            code: "IIS001",
                            column: 1,
                            end_column: 12345,
                            end_line: usize::MAX,
                            fix: fix.as_ref().map(|f| JsonFix {
                                applicability: f.applicability,
                                message: text,
                            }),
                            line: 0,
                            message: text,
                            path: text,
                            rule: "rule-name",
                            severity: text,
                            environments: environment,
                            suppressed: suppressed.as_ref().map(|s| {
                                s.as_ref().map(|s| JsonSuppression {
                                    kind: s.kind,
                                    reason: s.reason.map(|_| text),
                                })
                            }),
                        };
                        let mut written = String::new();
                        write_diagnostic(&mut written, &d);
                        assert_eq!(written, through_serde(&d), "{text:?}");
                        compared += 1;
                    }
                }
            }
        }
        assert_eq!(compared, 6 * 3 * 2 * 4);
    }

    #[test]
    fn numbers_are_written_in_decimal_as_serde_json_writes_them() {
        let mut values: Vec<usize> = (0..=1000).collect();
        for power in 1..20 {
            let ten = 10usize.pow(power);
            values.extend([ten - 1, ten, ten + 1]);
        }
        values.push(usize::MAX);
        for value in values {
            let mut written = String::new();
            push_decimal(&mut written, value);
            assert_eq!(written, serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn an_escape_is_found_at_every_offset_of_the_eight_byte_steps() {
        for special in ['"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é', ' '] {
            for at in 0..24 {
                let mut text: String = "abcdefghijklmnopqrstuvwx".into();
                text.insert(at, special);
                let mut written = String::new();
                push_json_string(&mut written, &text);
                assert_eq!(written, serde_json::to_string(&text).unwrap(), "{text:?}");
            }
        }
    }
}
