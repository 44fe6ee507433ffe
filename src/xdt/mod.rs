//! XDT (`Web.<Environment>.config`) transforms, applied exactly as Microsoft.Web.XmlTransform
//! (dotnet/xdt d9bb70b) applies them with `PreserveWhitespace = true`, as Visual Studio, MSBuild's
//! `TransformXml` and Web Deploy do.
//!
//! [`apply`] returns the deployed text as XDT saves it (re-serialised: attribute values in double
//! quotes and re-escaped, the attribute layout of original start tags preserved, inserted
//! elements indented like their neighbours), a source map of the verbatim pieces, and XDT's
//! warnings and errors.
//!
//! Supported: the transforms `Replace`, `Insert`, `InsertIfMissing`, `InsertBefore(xpath)`,
//! `InsertAfter(xpath)`, `Remove`, `RemoveAll`, `RemoveAttributes(...)`, `SetAttributes(...)`,
//! `SetTokenizedAttributes(...)` (the `$(name)` substitution `TransformXml` does), `CommentOut`;
//! the locators `Match(...)`, `Condition(...)`, `XPath(...)`, `DefaultLocator`;
//! `xdt:SupressWarnings`. XPath: the subset documented in [`xpath`]; anything else is an
//! [`MessageKind::Unsupported`] error, never a silent skip. `xdt:Import` (loading .NET
//! assemblies) is an [`XdtError`].
//!
//! Known differences from XDT: an inserted element whose namespace is not in scope gets no
//! `xmlns` declaration; `xml:space="preserve"` whitespace is treated as ordinary whitespace;
//! column numbers count characters, not UTF-16 units.

pub mod format;
pub mod serialize;
pub mod transforms;
pub mod tree;
pub mod xpath;

use std::ops::Range;

use crate::source::LineIndex;

/// The XDT namespace; matched exactly (ordinal), with any prefix.
pub const XDT_NAMESPACE: &str = "http://schemas.microsoft.com/XML-Document-Transform";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Base,
    Transform,
}

/// Output bytes `output` are a verbatim copy of the origin's text from `origin_start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub output: Range<usize>,
    pub origin: Origin,
    pub origin_start: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// "No element in the source document matches ..." (and "... did not find a match, because
    /// matching nodes ... were modified or removed by a previous transform").
    NoMatch,
    /// Unknown transform or locator, malformed arguments, an XPath that is not XPath or does not
    /// select an element, a missing `Match` attribute, an unknown `xdt:` element.
    Invalid,
    /// Valid XPath this engine does not implement.
    Unsupported,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XdtMessage {
    pub severity: Severity,
    pub kind: MessageKind,
    /// The file XDT's (line, column) refers to: mostly the transform; a node the transform
    /// inserted is in the transform too; an original target node is in the base.
    pub origin: Origin,
    /// The element (from its name to the end of its start tag) or attribute XDT reports;
    /// `span.start` is at XDT's (line, column). Empty at 0 when XDT gives no position.
    pub span: Range<usize>,
    /// 1-based, as XDT prints them (0, 0 when XDT gives no position).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Transformed {
    pub text: String,
    /// Sorted, non-overlapping verbatim copies.
    pub pieces: Vec<Piece>,
    pub messages: Vec<XdtMessage>,
    /// What XDT's `Apply` returns: no error was logged.
    pub succeeded: bool,
    /// XDT found no exact XDT namespace declaration and applied nothing.
    pub has_transform_namespace: bool,
}

/// The input is not something XDT can load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XdtError {
    pub origin: Origin,
    pub offset: usize,
    pub message: String,
}

impl XdtError {
    /// 1-based line and column of the error, in the file it is about (the base or the
    /// transform, given both texts).
    pub fn line_col(&self, base: &str, transform: &str) -> (usize, usize) {
        let text = match self.origin {
            Origin::Base => base,
            Origin::Transform => transform,
        };
        LineIndex::new(text).line_col(text, self.offset.min(text.len()))
    }
}

impl std::fmt::Display for XdtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

fn load(text: &str, origin: Origin, ws: tree::Whitespace) -> Result<tree::Doc, XdtError> {
    let at = |line: usize, column: usize| LineIndex::new(text).offset(text, line, column);
    if let Err(e) = crate::document::parse(text) {
        return Err(XdtError {
            origin,
            offset: at(e.line, e.column),
            message: e.message,
        });
    }
    tree::parse(text, origin, ws).map_err(|e| XdtError {
        origin,
        offset: e.at,
        message: e.message,
    })
}

/// Applies `transform` to `base` (decoded texts) as XDT does.
pub fn apply(base: &str, transform: &str) -> Result<Transformed, XdtError> {
    let mut target = load(base, Origin::Base, tree::Whitespace::Keep)?;
    tree::apply_preservation_provider(&mut target, base);
    let tdoc = load(transform, Origin::Transform, tree::Whitespace::Drop)?;
    let has_namespace = tdoc.nodes.iter().any(|n| match &n.kind {
        tree::Kind::Element(e) => e
            .attrs
            .iter()
            .any(|a| a.is_namespace_declaration() && a.value == XDT_NAMESPACE),
        _ => false,
    });
    let mut engine = transforms::Engine::new(&tdoc, target);
    if has_namespace {
        preprocess(&mut engine, &tdoc)?;
        engine.run(None);
    }
    let transforms::Engine {
        target: mut doc,
        log,
        has_errors,
        ..
    } = engine;
    format::format(&mut doc);
    let mut out = serialize::Output::new(base, transform);
    serialize::write_document(&mut out, &doc);
    let indexes = (LineIndex::new(base), LineIndex::new(transform));
    let messages = log
        .into_iter()
        .map(|m| {
            let (origin, span) =
                m.at.map_or((Origin::Transform, 0..0), |l| (l.origin, l.span));
            let (text, index) = match origin {
                Origin::Base => (base, &indexes.0),
                Origin::Transform => (transform, &indexes.1),
            };
            let (line, column) = if span.is_empty() && span.start == 0 {
                (0, 0)
            } else {
                index.line_col(text, span.start)
            };
            XdtMessage {
                severity: m.severity,
                kind: m.kind,
                origin,
                span,
                line,
                column,
                message: m.message,
            }
        })
        .collect();
    Ok(Transformed {
        text: out.text,
        pieces: out.pieces,
        messages,
        succeeded: !has_errors,
        has_transform_namespace: has_namespace,
    })
}

/// `PreprocessTransformDocument`: elements in the XDT namespace are unknown tags (a warning)
/// except `xdt:Import`, which would load a .NET assembly.
fn preprocess(engine: &mut transforms::Engine<'_>, tdoc: &tree::Doc) -> Result<(), XdtError> {
    let mut order = Vec::new();
    tdoc.preorder(tree::ROOT, &mut order);
    for id in order {
        let Some(e) = tdoc.element(id) else { continue };
        if e.namespace != XDT_NAMESPACE {
            continue;
        }
        let at = e.name_at.map_or(0, |(_, at)| at);
        if e.local_name() == "Import" {
            return Err(XdtError {
                origin: Origin::Transform,
                offset: at,
                message:
                    "xdt:Import loads transforms from a .NET assembly; iislint cannot run them"
                        .into(),
            });
        }
        let end = e.start_tag_end.unwrap_or(at);
        engine.warn(
            Some(transforms::Loc {
                origin: Origin::Transform,
                span: at..end,
            }),
            MessageKind::Invalid,
            format!("Unknown tag '{}'", e.name),
        );
    }
    Ok(())
}

/// A namespace declaration that is almost the XDT namespace (scheme, letter case, a trailing
/// slash or whitespace) in a document without the exact one: XDT then silently applies nothing.
pub fn namespace_near_miss(transform: &str) -> Option<(Range<usize>, String)> {
    let doc = tree::parse(transform, Origin::Transform, tree::Whitespace::Drop).ok()?;
    let mut near = None;
    for node in &doc.nodes {
        let tree::Kind::Element(e) = &node.kind else {
            continue;
        };
        for a in e.attrs.iter().filter(|a| a.is_namespace_declaration()) {
            if a.value == XDT_NAMESPACE {
                return None;
            }
            if near.is_none()
                && is_near_xdt_namespace(&a.value)
                && let Some((_, range)) = &a.src
            {
                near = Some((range.clone(), a.value.clone()));
            }
        }
    }
    near
}

fn is_near_xdt_namespace(uri: &str) -> bool {
    let canonical = |s: &str| {
        let s = s.trim().trim_end_matches('/').to_ascii_lowercase();
        let s = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .map(str::to_owned)
            .unwrap_or(s);
        s.strip_prefix("www.").map(str::to_owned).unwrap_or(s)
    };
    uri != XDT_NAMESPACE && canonical(uri) == canonical(XDT_NAMESPACE)
}
