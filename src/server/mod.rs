//! `iislint server`: a language server over standard input and output (LSP 3.17).
//!
//! Synchronous, as ruff's server is: one message at a time. Every change of an open buffer
//! re-lints the open files with the effective view `iislint check` has (parents, `configSource`
//! files, transforms), each file read from its open buffer when there is one, else from disk: a
//! change of `Web.Release.config` re-lints its web.config. A check of one file and its view takes
//! milliseconds, so nothing is debounced or run in the background.
//!
//! Settings come from each file's nearest `iislint.toml`, read at every lint: a change on disk
//! (which the client reports with `workspace/didChangeWatchedFiles`) re-lints the open files.

mod position;
mod uri;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, DiagnosticSeverity, DiagnosticTag, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    MarkupContent, MarkupKind, NumberOrString, PublishDiagnosticsParams, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};

use crate::check::{CheckOptions, FixMode, Overlay, Stdin};
use crate::fix::Applicability;
use crate::meta::{RuleMeta, Severity};
use crate::report::FileResult;
use crate::settings_tree::SettingsTree;
use crate::source::{LineIndex, SourceText};
use position::{Encoding, Lines};

/// The largest file the server reads to learn how a buffer's file is written on disk (the
/// default `max-file-mib`; the check itself applies the file's own setting).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The code action kind of "apply every safe fix of this file" (ruff's is `source.fixAll.ruff`).
pub const FIX_ALL: &str = "source.fixAll.iislint";

/// Serves one client until it says `shutdown` and `exit`; the process's exit code: 0, or 1 when
/// the client said `exit` without `shutdown` (LSP 3.17).
pub fn run() -> Result<u8, String> {
    let (connection, threads) = Connection::stdio();
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("the client did not initialize: {e}"))?;
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|e| format!("the client's initialize request is not LSP: {e}"))?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref()),
    );
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "iislint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection
        .initialize_finish(id, serde_json::json!(result))
        .map_err(|e| format!("the client did not finish initializing: {e}"))?;
    let mut server = Server {
        sender: connection.sender.clone(),
        encoding,
        documents: BTreeMap::new(),
        findings: HashMap::new(),
        shown_error: None,
    };
    if watches_files(&params) {
        server.watch_files();
    }
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    break;
                }
                let id = request.id.clone();
                if !server.isolated(|server| server.request(request)) {
                    server.send(Response::new_err(
                        id,
                        lsp_server::ErrorCode::InternalError as i32,
                        "iislint failed on this request; please report it".to_owned(),
                    ));
                }
            }
            // LSP: `exit` before `shutdown` ends the server with exit code 1.
            Message::Notification(notification)
                if notification.method == notification::Exit::METHOD =>
            {
                return Ok(1);
            }
            Message::Notification(notification) => {
                server.isolated(|server| server.notify(notification));
            }
            Message::Response(_) => {}
        }
    }
    drop(server);
    drop(connection);
    threads.join().map_err(|e| e.to_string())?;
    Ok(0)
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            lsp_types::TextDocumentSyncOptions {
                open_close: Some(true),
                // Whole texts: configuration files are small, and a full text can never drift.
                change: Some(TextDocumentSyncKind::FULL),
                // Saving changes what the other files see on disk (and the file's encoding).
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp_types::TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(FIX_ALL.to_owned()),
            ]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Can the server ask the client to watch files (`iislint.toml`, unopened configuration files)?
fn watches_files(params: &InitializeParams) -> bool {
    params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

/// An open buffer.
struct Document {
    uri: Uri,
    path: PathBuf,
    version: i32,
    /// As the client sent it.
    text: String,
    /// How the file is written on disk (UTF-16, a BOM): the buffer is checked as the bytes saving
    /// it would write, so a UTF-16 file is not told its declaration does not match.
    on_disk: Option<SourceText>,
}

impl Document {
    /// The text iislint's offsets count in: the buffer without a leading byte order mark.
    fn content(&self) -> &str {
        self.text.strip_prefix('\u{feff}').unwrap_or(&self.text)
    }

    /// The bytes saving the buffer would write.
    fn bytes(&self) -> Vec<u8> {
        match &self.on_disk {
            Some(source) => source.encode(self.content()),
            None => self.text.as_bytes().to_vec(),
        }
    }

    /// Positions in the buffer of offsets into [`Document::content`].
    fn lines(&self, encoding: Encoding) -> OffsetLines<'_> {
        OffsetLines {
            lines: Lines::new(&self.text, encoding),
            shift: self.text.len() - self.content().len(),
        }
    }
}

/// How a file is written on disk, when it can be read.
fn on_disk(path: &Path) -> Option<SourceText> {
    let bytes = crate::load::read_config_file(path, MAX_FILE_BYTES).ok()?;
    let mut source = SourceText::decode_owned(bytes).ok()?;
    source.text = String::new();
    Some(source)
}

/// [`Lines`] of a text whose offsets are counted after a prefix (a byte order mark).
struct OffsetLines<'t> {
    lines: Lines<'t>,
    shift: usize,
}

impl OffsetLines<'_> {
    fn range(&self, range: &Range<usize>) -> lsp_types::Range {
        self.lines
            .range(&(range.start + self.shift..range.end + self.shift))
    }

    fn offset(&self, position: lsp_types::Position) -> usize {
        self.lines.offset(position).saturating_sub(self.shift)
    }
}

/// A finding of the last lint of an open buffer.
struct Finding {
    diagnostic: lsp_types::Diagnostic,
    rule: Option<&'static RuleMeta>,
    range: Range<usize>,
    fix: Option<FixAction>,
}

/// A finding's fix, as edits of files (its own, or another: a transform, a `configSource` file).
struct FixAction {
    title: String,
    applicability: Applicability,
    edits: Vec<(PathBuf, Range<usize>, String)>,
}

struct Server {
    sender: crossbeam_channel::Sender<Message>,
    encoding: Encoding,
    /// By the file's key (see [`crate::check::file_key`]).
    documents: BTreeMap<PathBuf, Document>,
    /// Each open buffer's findings at the last lint, by the same key.
    findings: HashMap<PathBuf, Vec<Finding>>,
    /// The last error shown for a lint that could not run (an iislint.toml that does not
    /// parse), so that it is shown once, not at every keystroke.
    shown_error: Option<String>,
}

impl Server {
    /// Runs `handle`, a panic confined to it (a bug should cost one answer, not the editor's
    /// linter): false when it panicked. The message has gone to standard error.
    fn isolated(&mut self, handle: impl FnOnce(&mut Server)) -> bool {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(self))).is_ok()
    }

    fn send(&self, message: impl Into<Message>) {
        // The client is gone when this fails; the receive loop then ends.
        let _ = self.sender.send(message.into());
    }

    fn notify(&mut self, notification: Notification) {
        use notification::{
            DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles,
            DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
        };
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Some(params) = params::<DidOpenTextDocument>(notification) {
                    self.did_open(params.text_document);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(params) = params::<DidChangeTextDocument>(notification) {
                    self.did_change(params);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Some(params) = params::<DidSaveTextDocument>(notification)
                    && let Some(document) = self.document_mut(&params.text_document.uri)
                {
                    document.on_disk = on_disk(&document.path);
                }
                self.lint();
            }
            DidCloseTextDocument::METHOD => {
                if let Some(params) = params::<DidCloseTextDocument>(notification) {
                    self.did_close(params.text_document.uri);
                }
            }
            // An iislint.toml, a parent web.config or a transform changed on disk.
            DidChangeWatchedFiles::METHOD | DidChangeConfiguration::METHOD => self.lint(),
            _ => {}
        }
    }

    fn did_open(&mut self, document: lsp_types::TextDocumentItem) {
        let Some(path) = uri::to_path(&document.uri) else {
            return;
        };
        self.documents.insert(
            crate::check::file_key(&path),
            Document {
                on_disk: on_disk(&path),
                uri: document.uri,
                path,
                version: document.version,
                text: document.text,
            },
        );
        self.lint();
    }

    fn did_change(&mut self, params: lsp_types::DidChangeTextDocumentParams) {
        let encoding = self.encoding;
        let Some(document) = self.document_mut(&params.text_document.uri) else {
            return;
        };
        document.version = params.text_document.version;
        for change in params.content_changes {
            match change.range {
                // Incremental changes, should a client send them anyway.
                Some(range) => {
                    let lines = Lines::new(&document.text, encoding);
                    let (a, b) = (lines.offset(range.start), lines.offset(range.end));
                    document
                        .text
                        .replace_range(a.min(b)..a.max(b), &change.text);
                }
                None => document.text = change.text,
            }
        }
        self.lint();
    }

    fn did_close(&mut self, uri: Uri) {
        let Some(path) = uri::to_path(&uri) else {
            return;
        };
        let key = crate::check::file_key(&path);
        self.documents.remove(&key);
        self.findings.remove(&key);
        self.publish(uri, Vec::new(), None);
        // The others were judged with its buffer: now with the file on disk.
        self.lint();
    }

    fn request(&mut self, request: Request) {
        let response = match request.method.as_str() {
            request::CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => Response::new_ok(request.id, self.code_actions(&params)),
                    Err(e) => invalid_params(request.id, e),
                }
            }
            request::HoverRequest::METHOD => {
                match serde_json::from_value::<HoverParams>(request.params) {
                    Ok(params) => Response::new_ok(request.id, self.hover(&params)),
                    Err(e) => invalid_params(request.id, e),
                }
            }
            _ => Response::new_err(
                request.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("iislint does not answer {}", request.method),
            ),
        };
        self.send(response);
    }

    fn document_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        let path = uri::to_path(uri)?;
        self.documents.get_mut(&crate::check::file_key(&path))
    }

    fn document(&self, uri: &Uri) -> Option<(&PathBuf, &Document)> {
        let path = uri::to_path(uri)?;
        self.documents.get_key_value(&crate::check::file_key(&path))
    }

    /// Asks the client to report changes of `iislint.toml` and configuration files on disk.
    fn watch_files(&self) {
        let watchers = ["**/iislint.toml", "**/*.[cC][oO][nN][fF][iI][gG]"]
            .map(|glob| lsp_types::FileSystemWatcher {
                glob_pattern: lsp_types::GlobPattern::String(glob.to_owned()),
                kind: None,
            })
            .to_vec();
        let registration = lsp_types::Registration {
            id: "iislint-watched-files".to_owned(),
            method: notification::DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: Some(serde_json::json!(
                lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers }
            )),
        };
        self.send(Request::new(
            RequestId::from("iislint-watch".to_owned()),
            request::RegisterCapability::METHOD.to_owned(),
            lsp_types::RegistrationParams {
                registrations: vec![registration],
            },
        ));
    }

    /// The unsaved texts of the open buffers.
    fn overlay(&self, except: Option<&Path>) -> Overlay {
        let mut overlay = Overlay::default();
        for (key, document) in &self.documents {
            if Some(key.as_path()) != except {
                overlay.insert(key, document.bytes());
            }
        }
        overlay
    }

    /// The files to check so that every open buffer is judged: a web.config or
    /// applicationHost.config itself; a transform or a `configSource` file through the nearest
    /// web.config at or above its folder (a `configSource` file cannot be outside it).
    fn anchors(&self) -> Vec<PathBuf> {
        let mut anchors: Vec<PathBuf> = Vec::new();
        for (key, document) in &self.documents {
            let anchor = if is_checked_alone(key) {
                Some(document.path.clone())
            } else {
                self.web_config_above(key)
            };
            if let Some(anchor) = anchor
                && !anchors.contains(&anchor)
            {
                anchors.push(anchor);
            }
        }
        anchors
    }

    fn web_config_above(&self, path: &Path) -> Option<PathBuf> {
        path.ancestors().skip(1).find_map(|folder| {
            let open = self
                .documents
                .iter()
                .find(|(key, _)| key.parent() == Some(folder) && is_named(key, "web.config"));
            if let Some((_, document)) = open {
                return Some(document.path.clone());
            }
            std::fs::read_dir(folder).ok()?.flatten().find_map(|entry| {
                let name = entry.file_name();
                is_named(Path::new(&name), "web.config").then(|| entry.path())
            })
        })
    }

    /// Re-lints every open buffer and publishes its diagnostics.
    fn lint(&mut self) {
        let anchors = self.anchors();
        let overlay = Arc::new(self.overlay(None));
        let options = check_options(anchors, FixMode::Off, None, overlay);
        let results = match run_check(&options) {
            Ok(results) => results,
            // The diagnostics shown stay those of the last lint that ran.
            Err(message) => return self.show_error(Some(message)),
        };
        self.show_error(None);
        // `check` gives one result per file, whatever the views that found something in it.
        let by_file: HashMap<PathBuf, &FileResult> = results
            .iter()
            .map(|result| (crate::check::file_key(&result.path), result))
            .collect();
        let keys: Vec<PathBuf> = self.documents.keys().cloned().collect();
        for key in keys {
            let document = &self.documents[&key];
            let found = by_file
                .get(&key)
                .map(|result| self.findings_of(document, result))
                .unwrap_or_default();
            let diagnostics = found.iter().map(|f| f.diagnostic.clone()).collect();
            let (uri, version) = (document.uri.clone(), document.version);
            self.findings.insert(key, found);
            self.publish(uri, diagnostics, Some(version));
        }
    }

    /// Shows why a lint could not run, once per reason.
    fn show_error(&mut self, error: Option<String>) {
        if error == self.shown_error {
            return;
        }
        if let Some(message) = &error {
            self.send(Notification::new(
                notification::ShowMessage::METHOD.to_owned(),
                lsp_types::ShowMessageParams {
                    typ: lsp_types::MessageType::ERROR,
                    message: format!("iislint: {message}"),
                },
            ));
        }
        self.shown_error = error;
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.send(Notification::new(
            notification::PublishDiagnostics::METHOD.to_owned(),
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        ));
    }

    /// The findings of `result` (a check's result for the file of `document`), as LSP sees them.
    fn findings_of(&self, document: &Document, result: &FileResult) -> Vec<Finding> {
        let lines = document.lines(self.encoding);
        let mut found = Vec::new();
        if let Some(error) = &result.error {
            let content = document.content();
            let at = LineIndex::new(content).offset(content, error.line, error.column);
            found.push(Finding {
                diagnostic: lsp_types::Diagnostic {
                    range: lines.range(&(at..at)),
                    severity: Some(DiagnosticSeverity::ERROR),
                    source: Some("iislint".to_owned()),
                    message: error.message.clone(),
                    ..lsp_types::Diagnostic::default()
                },
                rule: None,
                range: 0..0,
                fix: None,
            });
        }
        for d in &result.diagnostics {
            let fix = d
                .fix
                .as_ref()
                .filter(|fix| fix.applicability != Applicability::DisplayOnly)
                // A fix that writes a secret (new machine keys) comes without its edits: the
                // report masked it. `iislint check --fix --unsafe-fixes` applies it.
                .filter(|fix| !fix.edits.is_empty())
                .map(|fix| FixAction {
                    title: format!(
                        "{} ({} fix, {})",
                        fix.message,
                        fix.applicability.as_str(),
                        d.rule.name
                    ),
                    applicability: fix.applicability,
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| {
                            let file = result.edit_file(e).to_owned();
                            (file, e.range.clone(), e.content.clone())
                        })
                        .collect(),
                });
            let unnecessary = d.rule.name == crate::rules::unused_suppression::META.name;
            found.push(Finding {
                diagnostic: lsp_types::Diagnostic {
                    range: lines.range(&d.range),
                    severity: Some(match d.severity {
                        Severity::Error => DiagnosticSeverity::ERROR,
                        Severity::Warning => DiagnosticSeverity::WARNING,
                        Severity::Info => DiagnosticSeverity::INFORMATION,
                    }),
                    code: Some(NumberOrString::String(d.rule.code.to_owned())),
                    code_description: rule_doc_uri(d.rule).map(|href| CodeDescription { href }),
                    source: Some("iislint".to_owned()),
                    message: format!("{} ({})", d.message_with_environments(), d.rule.name),
                    tags: unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
                    ..lsp_types::Diagnostic::default()
                },
                rule: Some(d.rule),
                range: d.range.clone(),
                fix,
            });
        }
        found
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let Some((key, document)) = self.document(&params.text_document.uri) else {
            return Vec::new();
        };
        let wants = |kind: &str| match &params.context.only {
            None => true,
            Some(only) => only.iter().any(|asked| {
                kind == asked.as_str() || kind.starts_with(&format!("{}.", asked.as_str()))
            }),
        };
        let mut actions = Vec::new();
        let findings = self.findings.get(key).map_or(&[][..], Vec::as_slice);
        if wants(CodeActionKind::QUICKFIX.as_str()) {
            for finding in findings {
                let Some(fix) = &finding.fix else { continue };
                if !overlaps(&finding.diagnostic.range, &params.range) {
                    continue;
                }
                let Some(edit) = self.workspace_edit(&fix.edits) else {
                    continue;
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![finding.diagnostic.clone()]),
                    edit: Some(edit),
                    is_preferred: Some(fix.applicability == Applicability::Safe),
                    ..CodeAction::default()
                }));
            }
        }
        let has_safe_fix = findings.iter().any(|f| {
            f.fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Safe)
        });
        // Only when asked for by kind (on save, or from a menu): a request without `only` comes
        // at every move of the cursor, and fixing the whole file is a check of its own.
        // A transform or `configSource` file is fixed through its web.config's quick fixes.
        let asked = params.context.only.is_some() && wants(FIX_ALL);
        if asked
            && is_checked_alone(key)
            && has_safe_fix
            && let Some(edit) = self.fix_all(key, document)
        {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all safe iislint findings".to_owned(),
                kind: Some(CodeActionKind::from(FIX_ALL.to_owned())),
                edit: Some(edit),
                ..CodeAction::default()
            }));
        }
        actions
    }

    /// The edits of one fix, by file, with positions in each file's text as the client has it
    /// (its open buffer, else the file on disk).
    // lsp-types' `WorkspaceEdit::changes` is keyed by `Uri`, which caches its parsed parts inside
    // (interior mutability that never changes its hash).
    #[allow(clippy::mutable_key_type)]
    fn workspace_edit(&self, edits: &[(PathBuf, Range<usize>, String)]) -> Option<WorkspaceEdit> {
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for (path, range, content) in edits {
            let key = crate::check::file_key(path);
            let (uri, range) = match self.documents.get(&key) {
                Some(document) => (
                    document.uri.clone(),
                    document.lines(self.encoding).range(range),
                ),
                None => {
                    let source = crate::check::read_source(path, MAX_FILE_BYTES).ok()?;
                    let lines = Lines::new(&source.text, self.encoding);
                    (uri::from_path(path)?, lines.range(range))
                }
            };
            changes.entry(uri).or_default().push(TextEdit {
                range,
                new_text: content.clone(),
            });
        }
        Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        })
    }

    /// Every safe fix of the buffer, as `iislint check --fix` makes them (its edits of other
    /// files left out, as with standard input): one edit of the whole text.
    // lsp-types' `WorkspaceEdit::changes` is keyed by `Uri`, which caches its parsed parts inside
    // (interior mutability that never changes its hash).
    #[allow(clippy::mutable_key_type)]
    fn fix_all(&self, key: &Path, document: &Document) -> Option<WorkspaceEdit> {
        let stdin = Stdin {
            path: document.path.clone(),
            bytes: document.bytes(),
            fixed: Default::default(),
        };
        let options = check_options(
            vec![document.path.clone()],
            FixMode::Write(Applicability::Safe),
            Some(stdin),
            Arc::new(self.overlay(Some(key))),
        );
        run_check(&options).ok()?;
        let fixed = options.stdin.as_ref()?.fixed.get()?.clone();
        let fixed = SourceText::decode_owned(fixed).ok()?.text;
        let lines = document.lines(self.encoding);
        let edit = TextEdit {
            range: lines.range(&(0..document.content().len())),
            new_text: fixed,
        };
        Some(WorkspaceEdit {
            changes: Some(HashMap::from([(document.uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        })
    }

    /// A rule's documentation, over its name or code (as written in a suppression comment) or
    /// over one of its findings.
    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let (key, document) = self.document(&at.text_document.uri)?;
        let lines = document.lines(self.encoding);
        let offset = lines.offset(at.position);
        // A rule named at the cursor (in a suppression comment, say) first, then the finding
        // under it.
        let word = word_at(document.content(), offset);
        let named =
            crate::rules::find(&document.content()[word.clone()]).map(|rule| (rule.meta, word));
        let (rule, range) = named.or_else(|| {
            self.findings
                .get(key)
                .into_iter()
                .flatten()
                .filter_map(|f| Some((f.rule?, f.range.clone())))
                .find(|(_, range)| range.start <= offset && offset <= range.end)
        })?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!(
                    "**{}** ({}, {}, {})\n\n{}",
                    rule.name,
                    rule.code,
                    rule.group.as_str(),
                    rule.default_severity.as_str(),
                    rule.doc
                ),
            }),
            range: Some(lines.range(&range)),
        })
    }
}

/// Is the file at `path` called `name`, in any letter case?
fn is_named(path: &Path, name: &str) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// A web.config or applicationHost.config is checked itself; the other files (transforms,
/// `configSource` files) only in a web.config's view.
fn is_checked_alone(path: &Path) -> bool {
    is_named(path, "web.config") || is_named(path, "applicationHost.config")
}

/// A notification's parameters, `None` when they are not what LSP says (the notification is
/// then ignored, as LSP asks of a server).
fn params<N: notification::Notification>(notification: Notification) -> Option<N::Params> {
    serde_json::from_value(notification.params).ok()
}

fn invalid_params(id: RequestId, error: serde_json::Error) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InvalidParams as i32,
        error.to_string(),
    )
}

fn check_options(
    paths: Vec<PathBuf>,
    fix: FixMode,
    stdin: Option<Stdin>,
    overlay: Arc<Overlay>,
) -> CheckOptions {
    CheckOptions {
        paths,
        farm: false,
        selection: Default::default(),
        fix,
        excerpts: false,
        line_hashes: false,
        write: Default::default(),
        output_file: None,
        environments: Vec::new(),
        force_exclude: false,
        stdin,
        overlay,
    }
}

/// Checks with each file's nearest iislint.toml, read now (so a change is seen at once).
fn run_check(options: &CheckOptions) -> Result<Vec<FileResult>, String> {
    let settings = |found: &[PathBuf]| SettingsTree::discover(found, &options.paths, &|_| {});
    crate::check::run(options, settings).map(|run| run.files)
}

fn rule_doc_uri(rule: &RuleMeta) -> Option<Uri> {
    use std::str::FromStr;
    Uri::from_str(&format!(
        "{}{}.md",
        crate::report::sarif::RULE_DOCS,
        rule.name
    ))
    .ok()
}

/// Do two ranges overlap or touch (a cursor at a finding's edge asks for its fixes)?
fn overlaps(a: &lsp_types::Range, b: &lsp_types::Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The rule-name-like word around `offset`: letters, digits and `-`.
fn word_at(text: &str, offset: usize) -> Range<usize> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .find(|(_, c)| !is_word(*c))
        .map_or(0, |(at, c)| at + c.len_utf8());
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(at, _)| offset + at);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_under_the_cursor_is_a_rule_name() {
        let text = "<!-- iislint: ignore forms-timeout-too-low -->";
        let at = text.find("timeout").unwrap();
        assert_eq!(&text[word_at(text, at)], "forms-timeout-too-low");
        assert_eq!(&text[word_at(text, 0)], "");
    }
}
