//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it, written with serde_json.
//!
//! - `runs[0].tool.driver`: `iislint`, its version, and every rule (id = rule name, short and full
//!   description, help from `rules/<name>.md` and `helpUri` to that file in the repository,
//!   default level, code in `properties`, the rule's group in `properties.tags`). A rule of the
//!   `security` group has a `properties.security-severity`, the number GitHub code scanning
//!   ranks security alerts by ("over 9.0 is critical, 7.0 to 8.9 is high, 4.0 to 6.9 is medium
//!   and 3.9 or less is low", GitHub Docs, "SARIF support for code scanning"): `7.5` for a rule
//!   whose default level is error, `5.0` for warning, `2.0` for info.
//! - `columnKind` is `unicodeCodePoints`: columns count characters, as in every iislint output.
//! - Results: `ruleId`, `ruleIndex`, `level`, `message.text`, one `physicalLocation` with a URI
//!   relative to `%SRCROOT%` (the current directory) and a start/end region, and `fixes` with
//!   `artifactChanges` when the finding has a fix, and `partialFingerprints` (`iislint/v1`): a
//!   stable hash of the rule, the file's path and the content of the finding's line (masked,
//!   trimmed, white space runs made one space), and which of the file's findings with that
//!   same rule and line content it is. Lines added or removed above a finding do not change it,
//!   so code scanning tracks an alert across commits; an edit of the line itself does. Findings silenced inline appear only with
//!   `--show-suppressed`, carrying `suppressions: [{kind: "inSource", justification}]`.
//! - Files that could not be checked are `invocations[0].toolExecutionNotifications`, and
//!   `executionSuccessful` is then false.
//!
//! **Secrets.** A SARIF file is uploaded and stored by CI services. Like every report, it prints
//! only what `check` masked (`redact::Redactor`): a finding's message that quotes a password or a
//! key shows `*` instead, and a fix that writes a secret (the machine-key fix's freshly generated
//! keys) arrives without its edits, so it is described but not included; run `iislint check --fix`.

use serde::Serialize;
use serde::ser::SerializeSeq;
use serde_json::{Value, json};

use super::{FileResult, Run};
use crate::diagnostic::{Diagnostic, Severity};
use crate::meta::RuleMeta;
use crate::paths::{file_uri, is_drive_path, percent_encode};
use crate::rules::RULES;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where each rule's documentation (`rules/<name>.md`) is published: the repository's README
/// and Cargo.toml name no other.
pub const RULE_DOCS: &str = "https://github.com/iislint/iislint/blob/main/rules/";

pub struct SarifOptions {
    pub show_suppressed: bool,
}

/// The log, with keys in the alphabetical order `serde_json::Value` always gave them. Results are
/// built and written one at a time ([`Results`]): as one `Value` tree they took ~20 times the
/// size of the output in memory.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [RunObject<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunObject<'a> {
    column_kind: &'static str,
    invocations: [Value; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<Value>,
    results: Results<'a>,
    tool: Value,
}

/// Every result of the run, in file order, serialised as it is built.
struct Results<'a> {
    run: &'a Run,
    show_suppressed: bool,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for file in &self.run.files {
            // How many findings of one rule on one line content came before in this file.
            let mut seen: std::collections::HashMap<(&str, Option<u64>), usize> =
                std::collections::HashMap::new();
            let mut next_fingerprint = |d: &Diagnostic| {
                let line = file.positions.line_hash(d.range.start);
                let ordinal = seen.entry((d.rule.code, line)).or_insert(0);
                *ordinal += 1;
                fingerprint(file, d, line, *ordinal)
            };
            for d in &file.diagnostics {
                let print = next_fingerprint(d);
                seq.serialize_element(&result(file, d, None, print))?;
            }
            if self.show_suppressed {
                for s in &file.suppressed {
                    let mut suppression = json!({ "kind": "inSource" });
                    if let Some(reason) = &s.reason {
                        suppression["justification"] = Value::String(reason.clone());
                    }
                    let print = next_fingerprint(&s.diagnostic);
                    seq.serialize_element(&result(file, &s.diagnostic, Some(suppression), print))?;
                }
            }
        }
        seq.end()
    }
}

/// A result's `partialFingerprints` value: the rule, the file, the line's content and the
/// ordinal among the file's findings of that rule on that content, hashed (see the module doc).
/// Without the line's content (never the case for a checked file), the line number stands in.
fn fingerprint(file: &FileResult, d: &Diagnostic, line: Option<u64>, ordinal: usize) -> String {
    let content = match line {
        Some(hash) => format!("content:{hash:016x}"),
        None => format!("line:{}", file.line_col(d.range.start).0),
    };
    let key = format!("{}\0{}\0{content}\0{ordinal}", d.rule.code, file.display);
    format!("{:016x}", super::stable_hash(key.as_bytes()))
}

pub fn render(run: &Run, options: &SarifOptions) -> String {
    let mut notifications = Vec::new();
    for file in &run.files {
        if let Some(err) = &file.error {
            notifications.push(json!({
                "level": "error",
                "message": { "text": err.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&file.display),
                        "region": { "startLine": err.line, "startColumn": err.column },
                    }
                }],
            }));
        }
    }
    for (path, message) in &run.path_errors {
        notifications.push(json!({
            "level": "error",
            "message": { "text": message },
            "locations": [{
                "physicalLocation": { "artifactLocation": artifact_location(path) }
            }],
        }));
    }
    let mut invocation = json!({ "executionSuccessful": notifications.is_empty() });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let log = Log {
        schema: SCHEMA,
        runs: [RunObject {
            column_kind: "unicodeCodePoints",
            invocations: [invocation],
            original_uri_base_ids: srcroot().map(|root| json!({ "%SRCROOT%": { "uri": root } })),
            results: Results {
                run,
                show_suppressed: options.show_suppressed,
            },
            tool: json!({
                "driver": {
                    "name": "iislint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": RULES.iter().map(|r| rule(r.meta)).collect::<Vec<_>>(),
                }
            }),
        }],
        version: "2.1.0",
    };
    let mut out = serde_json::to_string_pretty(&log).expect("JSON values always serialise");
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &RuleMeta) -> Value {
    let mut rule = json!({
        "id": meta.name,
        "name": meta.name,
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": full_description(meta) },
        "help": { "text": meta.doc, "markdown": meta.doc },
        "helpUri": format!("{RULE_DOCS}{}.md", meta.name),
        "defaultConfiguration": { "level": level(meta.default_severity) },
        "properties": {
            "code": meta.code,
            "fix": meta.fix.as_str(),
            "tags": [meta.group.as_str()],
        },
    });
    if meta.group == crate::meta::Group::Security {
        rule["properties"]["security-severity"] =
            Value::String(security_severity(meta.default_severity).to_owned());
    }
    rule
}

/// GitHub code scanning's security severity of a security rule, from its default level.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "7.5",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// The first paragraph of the doc's "What it does" section, else the summary.
fn full_description(meta: &RuleMeta) -> String {
    let Some(start) = meta.doc.find("## What it does") else {
        return meta.summary.to_owned();
    };
    let section = &meta.doc[start + "## What it does".len()..];
    let paragraph: Vec<&str> = section
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    if paragraph.is_empty() {
        meta.summary.to_owned()
    } else {
        paragraph.join(" ")
    }
}

fn result(
    file: &FileResult,
    d: &Diagnostic,
    suppression: Option<Value>,
    fingerprint: String,
) -> Value {
    let rule_index = RULES
        .iter()
        .position(|r| r.meta.name == d.rule.name)
        .unwrap_or(0);
    let mut value = json!({
        "ruleId": d.rule.name,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": d.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(&file.display),
                "region": region(file, &d.range),
            }
        }],
        "partialFingerprints": { "iislint/v1": fingerprint },
    });
    // A fix that writes a secret (the machine key) comes without its edits (`check` took them
    // out when it masked the result): it is described but not included.
    // A fix that edits another file (the `debug-compilation` fix writes `Web.Release.config`)
    // is left out: SARIF's regions would need that file's lines, which the result does not keep.
    if let Some(fix) = &d.fix
        && !fix.edits.is_empty()
        && fix.edits.iter().all(|edit| {
            crate::check::file_key(file.edit_file(edit)) == crate::check::file_key(&file.path)
        })
    {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                let mut replacement = json!({ "deletedRegion": region(file, &edit.range) });
                if !edit.content.is_empty() {
                    replacement["insertedContent"] = json!({ "text": edit.content });
                }
                replacement
            })
            .collect();
        value["fixes"] = json!([{
            "description": { "text": format!("{} ({} fix)", fix.message, fix.applicability.as_str()) },
            "artifactChanges": [{
                "artifactLocation": artifact_location(&file.display),
                "replacements": replacements,
            }],
        }]);
    }
    if let Some(suppression) = suppression {
        value["suppressions"] = json!([suppression]);
    }
    value
}

fn region(file: &FileResult, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_column) = file.line_col(range.start);
    let (end_line, end_column) = file.line_col(range.end);
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

/// A path as `display_path` shows it: relative (to `%SRCROOT%`) or absolute.
fn artifact_location(display: &str) -> Value {
    // An absolute path: outside the current directory (on Windows, a drive path).
    if display.starts_with('/') || is_drive_path(display) {
        json!({ "uri": file_uri(display) })
    } else {
        json!({ "uri": percent_encode(display), "uriBaseId": "%SRCROOT%" })
    }
}

/// The current directory as a `file://` URI ending in `/`.
fn srcroot() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let mut path = cwd.to_string_lossy().into_owned();
    if cfg!(windows) {
        path = path.replace('\\', "/");
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    Some(file_uri(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_or_file_uris() {
        assert_eq!(
            artifact_location("a b/web.config"),
            json!({"uri": "a%20b/web.config", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/srv/web.config"),
            json!({"uri": "file:///srv/web.config"})
        );
        // A folder named like a scheme: its colons are encoded.
        assert_eq!(
            artifact_location("colon:1:2/web.config"),
            json!({"uri": "colon%3A1%3A2/web.config", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("C:/sites/a:b/web.config"),
            json!({"uri": "file:///C:/sites/a%3Ab/web.config"})
        );
    }
}
