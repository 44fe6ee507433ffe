//! `iislint server` spoken to as an editor does: JSON-RPC over the binary's standard input and
//! output (LSP base protocol: `Content-Length` headers), no editor needed.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::write;

/// Long enough for a debug build on a loaded CI machine; a test waits this long only when it
/// fails.
const TIMEOUT: Duration = Duration::from_secs(30);

const WEB_CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.web>
    <compilation debug="true" targetFramework="4.8" />
    <authentication mode="Forms">
      <forms loginUrl="~/login" timeout="5" />
    </authentication>
  </system.web>
</configuration>
"#;

/// A transform that removes `debug="true"`, as most projects' Release transform does.
const RELEASE_REMOVING_DEBUG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform">
  <system.web>
    <compilation xdt:Transform="RemoveAttributes(debug)" />
  </system.web>
</configuration>
"#;

const RELEASE_EMPTY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform">
  <system.web>
  </system.web>
</configuration>
"#;

/// The server, and what it has sent that no test step has taken yet.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts `iislint server` in `dir` and initializes it with `capabilities`.
    fn start(dir: &Path, capabilities: Value) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_iislint"))
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            pending: Vec::new(),
            next_id: 0,
        };
        let root = file_uri(dir);
        let result = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": root, "capabilities": capabilities }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response's result (a test failure for an error).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.wait(&format!("the response to {method}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        });
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The first message (sent or to come) that `wanted` accepts; the others stay pending.
    fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.pending.iter().position(&wanted) {
            return self.pending.remove(at);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.pending.push(message),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} in {TIMEOUT:?}; received: {:#?}", self.pending)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the server ended before {what}; received: {:#?}",
                        self.pending
                    )
                }
            }
        }
    }

    /// The next diagnostics published for `uri`, in the order the server sent them: each step
    /// of a test (open, change, close, a watched file) makes one publication per open file.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .to_vec()
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = file_uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "xml", "version": 1, "text": text
            }}),
        );
        uri
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
    }

    /// The code actions for `range` of `uri`, of the kinds in `only` (all kinds when empty).
    fn code_actions(&mut self, uri: &str, range: Value, only: &[&str]) -> Vec<Value> {
        let mut context = json!({ "diagnostics": [] });
        if !only.is_empty() {
            context["only"] = json!(only);
        }
        let actions = self.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": range, "context": context }),
        );
        actions.as_array().unwrap().to_vec()
    }

    /// `shutdown`, then `exit`: the server ends with exit code 0.
    fn shut_down(mut self) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the server ended with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn file_uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let text = path.to_str().unwrap().replace(' ', "%20");
    format!("file://{text}")
}

/// Applies LSP text edits (UTF-16 columns) to `text`, last first.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (at, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + at;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut text = text.to_owned();
    for (start, end, new) in edits {
        text.replace_range(start..end, new);
    }
    text
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect();
    codes.sort();
    codes
}

fn position(line: u64, character: u64) -> Value {
    json!({ "line": line, "character": character })
}

#[test]
fn open_change_fix_close_and_shut_down() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Web.config", WEB_CONFIG);
    write(dir.path(), "Web.Release.config", RELEASE_REMOVING_DEBUG);
    let (mut client, initialized) = Client::start(dir.path(), json!({}));
    let capabilities = &initialized["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(
        capabilities["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.iislint"])
    );

    // On open: the forms time-out, where it is; debug="true" is removed by the Release
    // transform, the only environment judged, so it is not reported.
    let uri = client.open(&path, WEB_CONFIG);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(codes(&diagnostics), ["IIS101"], "{diagnostics:#?}");
    let forms = &diagnostics[0];
    assert_eq!(forms["range"]["start"], position(5, 32));
    assert_eq!(forms["range"]["end"], position(5, 43));
    assert_eq!(forms["severity"], 2);
    assert_eq!(forms["source"], "iislint");

    // An unsaved change is linted: a second finding appears.
    let changed = WEB_CONFIG.replace(
        "</system.web>",
        "  <sessionState timeout=\"3\" />\n  </system.web>",
    );
    client.change(&uri, 2, &changed);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(
        codes(&diagnostics),
        ["IIS101", "IIS102", "IIS103"],
        "{diagnostics:#?}"
    );

    // The quick fix of the forms time-out, applied as the editor would.
    let actions = client.code_actions(
        &uri,
        json!({ "start": position(5, 35), "end": position(5, 35) }),
        &[],
    );
    let quick_fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap().contains("forms"))
        .unwrap_or_else(|| panic!("no forms quick fix in {actions:#?}"));
    assert!(
        quick_fix["title"].as_str().unwrap().contains("safe fix"),
        "{quick_fix}"
    );
    assert_eq!(quick_fix["isPreferred"], true);
    let edits = quick_fix["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply(&changed, edits);
    assert!(fixed.contains("timeout=\"60\""), "{fixed}");
    assert_eq!(
        fixed.replace("timeout=\"60\"", "timeout=\"5\""),
        changed,
        "the fix changes the time-out only"
    );
    client.change(&uri, 3, &fixed);
    let diagnostics = client.diagnostics(&uri);
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["range"]["start"] == position(5, 32) && d["code"] == "IIS101"),
        "{diagnostics:#?}"
    );

    // Nothing was written to disk.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), WEB_CONFIG);

    // Closing clears the file's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    client.shut_down();
}

#[test]
fn fix_all_applies_the_safe_fixes_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Web.config", WEB_CONFIG);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let uri = client.open(&path, WEB_CONFIG);
    // Without a transform, the file as written: debug="true" (an unsafe fix) and the forms
    // time-out (a safe fix).
    assert_eq!(codes(&client.diagnostics(&uri)), ["IIS101", "IIS501"]);
    // "source" asks for every source action, fixAll among them.
    let actions = client.code_actions(
        &uri,
        json!({ "start": position(0, 0), "end": position(0, 0) }),
        &["source"],
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.iislint");
    let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply(WEB_CONFIG, edits);
    assert!(fixed.contains("timeout=\"60\""), "{fixed}");
    assert!(
        fixed.contains("debug=\"true\""),
        "an unsafe fix was applied: {fixed}"
    );

    // The quick fixes at debug="true": the unsafe one, labelled, not preferred.
    let actions = client.code_actions(
        &uri,
        json!({ "start": position(3, 20), "end": position(3, 20) }),
        &["quickfix"],
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert!(
        actions[0]["title"].as_str().unwrap().contains("unsafe fix"),
        "{actions:#?}"
    );
    assert_eq!(actions[0]["isPreferred"], false);
    client.shut_down();
}

#[test]
fn editing_a_transform_relints_its_web_config() {
    let dir = tempfile::tempdir().unwrap();
    let web = write(dir.path(), "Web.config", WEB_CONFIG);
    let release = write(dir.path(), "Web.Release.config", RELEASE_REMOVING_DEBUG);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let web_uri = client.open(&web, WEB_CONFIG);
    assert_eq!(codes(&client.diagnostics(&web_uri)), ["IIS101"]);
    let release_uri = client.open(&release, RELEASE_REMOVING_DEBUG);
    assert_eq!(codes(&client.diagnostics(&web_uri)), ["IIS101"]);
    assert_eq!(client.diagnostics(&release_uri), Vec::<Value>::new());

    // The unsaved transform no longer removes debug="true": the web.config is told.
    client.change(&release_uri, 2, RELEASE_EMPTY);
    let diagnostics = client.diagnostics(&web_uri);
    assert_eq!(
        codes(&diagnostics),
        ["IIS101", "IIS501"],
        "{diagnostics:#?}"
    );
    let debug = diagnostics.iter().find(|d| d["code"] == "IIS501").unwrap();
    assert!(
        debug["message"]
            .as_str()
            .unwrap()
            .contains("deployed: Release"),
        "{debug}"
    );

    // Its fix edits the transform (the file that decides what is deployed), as the buffer is.
    let actions = client.code_actions(&web_uri, debug["range"].clone(), &["quickfix"]);
    let action = &actions[0];
    let changes = action["edit"]["changes"].as_object().unwrap();
    assert_eq!(
        changes.keys().collect::<Vec<_>>(),
        [&release_uri],
        "{action:#}"
    );
    let fixed = apply(RELEASE_EMPTY, changes[&release_uri].as_array().unwrap());
    assert!(
        fixed.contains("<compilation xdt:Transform=\"RemoveAttributes(debug)\" />"),
        "{fixed}"
    );
    client.change(&release_uri, 3, &fixed);
    assert_eq!(codes(&client.diagnostics(&web_uri)), ["IIS101"]);

    // A transform is not fixed alone (it would be judged as if it were a web.config).
    let actions = client.code_actions(
        &release_uri,
        json!({ "start": position(0, 0), "end": position(0, 0) }),
        &["source.fixAll"],
    );
    assert_eq!(actions, Vec::<Value>::new());
    client.shut_down();
}

#[test]
fn hover_shows_the_rule_doc() {
    let dir = tempfile::tempdir().unwrap();
    let text = WEB_CONFIG.replace(
        "<system.web>",
        "<system.web>\n    <!-- iislint: ignore session-timeout-too-low -->",
    );
    let path = write(dir.path(), "Web.config", &text);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let uri = client.open(&path, &text);
    client.diagnostics(&uri);
    // Over the forms time-out finding (line 7 now).
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(6, 36) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.starts_with("**forms-timeout-too-low** (IIS101"),
        "{markdown}"
    );
    let doc = std::fs::read_to_string("rules/forms-timeout-too-low.md").unwrap();
    assert!(markdown.ends_with(&doc), "the rule's doc is shown whole");
    // Over a rule named in a suppression comment.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(3, 30) }),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.starts_with("**session-timeout-too-low**"),
        "{markdown}"
    );
    // Over nothing in particular.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(0, 1) }),
    );
    assert_eq!(hover, Value::Null);
    client.shut_down();
}

#[test]
fn settings_are_reloaded_when_iislint_toml_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Web.config", WEB_CONFIG);
    let (mut client, _) = Client::start(
        dir.path(),
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    // The server asks to be told of changes of iislint.toml files.
    let registration = client.wait("a registration", |m| {
        m["method"] == "client/registerCapability"
    });
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["globPattern"] == "**/iislint.toml"),
        "{registration}"
    );
    let uri = client.open(&path, WEB_CONFIG);
    assert_eq!(codes(&client.diagnostics(&uri)), ["IIS101", "IIS501"]);
    let toml = write(
        dir.path(),
        "iislint.toml",
        "ignore = [\"forms-timeout-too-low\"]\n",
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&toml), "type": 1 }] }),
    );
    assert_eq!(codes(&client.diagnostics(&uri)), ["IIS501"]);

    // An iislint.toml that does not parse: the client is told why.
    std::fs::write(&toml, "ignore = [\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&toml), "type": 2 }] }),
    );
    let shown = client.wait("an error message", |m| m["method"] == "window/showMessage");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("iislint.toml"),
        "{shown}"
    );
    client.shut_down();
}

#[test]
fn positions_count_in_the_negotiated_encoding() {
    let dir = tempfile::tempdir().unwrap();
    // "é" and "𝄞" before the finding on its line: 2 + 4 bytes, 1 + 2 UTF-16 units.
    let text = WEB_CONFIG.replace(
        "<forms loginUrl=\"~/login\"",
        "<forms name=\"é𝄞\" loginUrl=\"~/login\"",
    );
    let path = write(dir.path(), "Web.config", &text);
    let ascii_column = "      <forms name=\"xyz\" loginUrl=\"~/login\" ".len() as u64;
    for (offered, expected, column) in [
        (json!(["utf-8", "utf-16"]), "utf-8", ascii_column + 3),
        (json!(["utf-16"]), "utf-16", ascii_column),
    ] {
        let (mut client, initialized) = Client::start(
            dir.path(),
            json!({ "general": { "positionEncodings": offered } }),
        );
        assert_eq!(initialized["capabilities"]["positionEncoding"], expected);
        let uri = client.open(&path, &text);
        let diagnostics = client.diagnostics(&uri);
        let forms = diagnostics.iter().find(|d| d["code"] == "IIS101").unwrap();
        assert_eq!(forms["range"]["start"], position(5, column), "{expected}");
        client.shut_down();
    }
}

#[test]
fn a_utf16_file_is_checked_as_saving_the_buffer_would_write_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = WEB_CONFIG.replace("encoding=\"utf-8\"", "encoding=\"utf-16\"");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let path = write(dir.path(), "Web.config", bytes);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    // The editor decoded the file: its buffer is text, which the declaration still calls UTF-16.
    let uri = client.open(&path, &text);
    assert_eq!(codes(&client.diagnostics(&uri)), ["IIS101", "IIS501"]);
    client.shut_down();
}

#[test]
fn a_broken_buffer_is_an_error_at_its_place_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Web.config", WEB_CONFIG);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let uri = client.open(&path, WEB_CONFIG);
    client.diagnostics(&uri);
    client.change(
        &uri,
        2,
        "<configuration>\n  <system.web>\n</configuration>\n",
    );
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 2);
    // The server still answers.
    client.change(&uri, 3, WEB_CONFIG);
    assert_eq!(codes(&client.diagnostics(&uri)), ["IIS101", "IIS501"]);
    client.shut_down();
}

#[test]
fn exit_without_shutdown_ends_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let (mut client, _) = Client::start(dir.path(), json!({}));
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            assert_eq!(
                status.code(),
                Some(1),
                "LSP: exit before shutdown is exit code 1"
            );
            return;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_file_with_a_byte_order_mark_keeps_its_positions() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(WEB_CONFIG.as_bytes());
    let path = write(dir.path(), "Web.config", bytes);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    // A client that keeps the byte order mark in the buffer: columns on the first line count it.
    let text = format!("\u{feff}{WEB_CONFIG}");
    let uri = client.open(&path, &text);
    let diagnostics = client.diagnostics(&uri);
    let forms = diagnostics.iter().find(|d| d["code"] == "IIS101").unwrap();
    assert_eq!(forms["range"]["start"], position(5, 32));
    // A parse error on the first line is placed after the mark.
    client.change(&uri, 2, "\u{feff}<configuration><a></configuration>");
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    // At `</` of the closing tag (column 19 of the text after the mark, as `iislint check`
    // reports it), one UTF-16 unit further for the mark.
    let expected = "\u{feff}<configuration><a>".encode_utf16().count() as u64;
    assert_eq!(
        diagnostics[0]["range"]["start"],
        position(0, expected),
        "{diagnostics:#?}"
    );
    client.shut_down();
}

#[test]
fn a_quick_fix_into_a_file_that_is_not_open_counts_its_lines_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let web = write(dir.path(), "Web.config", WEB_CONFIG);
    // The transform on disk, with a byte order mark and CRLF; never opened.
    let crlf = RELEASE_EMPTY.replace('\n', "\r\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(crlf.as_bytes());
    let release = write(dir.path(), "Web.Release.config", bytes);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let uri = client.open(&web, WEB_CONFIG);
    let diagnostics = client.diagnostics(&uri);
    let debug = diagnostics.iter().find(|d| d["code"] == "IIS501").unwrap();
    let actions = client.code_actions(&uri, debug["range"].clone(), &["quickfix"]);
    let release_uri = file_uri(&release);
    let edits = actions[0]["edit"]["changes"][&release_uri]
        .as_array()
        .unwrap_or_else(|| panic!("no edit of the transform: {actions:#?}"));
    // An editor shows the file without its byte order mark.
    let fixed = apply(&crlf, edits);
    assert!(
        fixed.contains(
            "<system.web>\r\n    <compilation xdt:Transform=\"RemoveAttributes(debug)\" />"
        ),
        "{fixed:?}"
    );
    client.shut_down();
}

#[test]
fn a_web_config_not_saved_yet_is_linted_as_if_it_were_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Web.Release.config", RELEASE_REMOVING_DEBUG);
    let path = dir.path().canonicalize().unwrap().join("Web.config");
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let uri = client.open(&path, WEB_CONFIG);
    // Judged through the transform beside it on disk, as a saved file would be.
    assert_eq!(codes(&client.diagnostics(&uri)), ["IIS101"]);
    assert!(!path.exists(), "nothing was written");
    client.shut_down();
}

#[test]
fn an_open_config_source_file_is_judged_through_its_web_config() {
    let dir = tempfile::tempdir().unwrap();
    let web = WEB_CONFIG.replace(
        "  </system.web>",
        "    <sessionState configSource=\"Session.config\" />\n  </system.web>",
    );
    write(dir.path(), "Web.config", &web);
    let session = "<sessionState timeout=\"30\" />\n";
    let path = write(dir.path(), "Session.config", session);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let uri = client.open(&path, session);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    // The unsaved buffer, not the file on disk, is the web.config's session state.
    client.change(&uri, 2, "<sessionState timeout=\"3\" />\n");
    let diagnostics = client.diagnostics(&uri);
    let session_finding = diagnostics
        .iter()
        .find(|d| d["code"] == "IIS102")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    assert_eq!(session_finding["range"]["start"]["line"], 0);
    client.shut_down();
}
