//! Writing the transformed tree as XDT saves it (`XmlAttributePreservingWriter` over Mono's
//! `XmlTextWriter`), recording which output ranges are verbatim copies of an input.
//!
//! Every chunk written may name where it would have come from; it becomes a [`Piece`] only when
//! its bytes really are equal there, so the source map never claims a copy that is not one.

use super::tree::{Doc, Element, Kind, NodeId, ROOT};
use super::{Origin, Piece};

/// XDT's writer starts a new line before an attribute that would end past this column.
const MAX_LINE_LENGTH: usize = 160;

pub struct Output<'a> {
    pub text: String,
    pub pieces: Vec<Piece>,
    base: &'a str,
    transform: &'a str,
    /// `AttributeTextWriter.linePosition`: 1 + characters written since the last line feed.
    line_position: usize,
}

impl<'a> Output<'a> {
    pub fn new(base: &'a str, transform: &'a str) -> Output<'a> {
        Output {
            text: String::new(),
            pieces: Vec::new(),
            base,
            transform,
            line_position: 1,
        }
    }

    fn write(&mut self, s: &str, from: Option<(Origin, usize)>) {
        if s.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(s);
        match s.rfind('\n') {
            Some(i) => self.line_position = 1 + s[i + 1..].encode_utf16().count(),
            None => self.line_position += s.encode_utf16().count(),
        }
        let Some((origin, at)) = from else {
            return;
        };
        let source = match origin {
            Origin::Base => self.base,
            Origin::Transform => self.transform,
        };
        if source.get(at..at + s.len()) != Some(s) {
            return;
        }
        let output = start..start + s.len();
        if let Some(last) = self.pieces.last_mut()
            && last.origin == origin
            && last.output.end == start
            && last.origin_start + last.output.len() == at
        {
            last.output.end = output.end;
            return;
        }
        self.pieces.push(Piece {
            output,
            origin,
            origin_start: at,
        });
    }
}

/// Mono's `XmlTextWriter` escaping (unlike `crate::edits::escape_attr`, it keeps tabs and writes
/// line breaks as `&#xA;` / `&#xD;`): `&`, `<`, `>` always; in attribute values also `"` and line breaks.
fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#xA;"),
            '\r' if attribute => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

pub fn escape_attribute(value: &str) -> String {
    escape(value, true)
}

pub fn escape_text(value: &str) -> String {
    escape(value, false)
}

fn src_start(doc: &Doc, id: NodeId) -> Option<(Origin, usize)> {
    doc.nodes[id].src.as_ref().map(|(o, r)| (*o, r.start))
}

pub fn write_document(out: &mut Output<'_>, doc: &Doc) {
    for &c in doc.children(ROOT) {
        write_node(out, doc, c);
    }
}

fn write_node(out: &mut Output<'_>, doc: &Doc, id: NodeId) {
    let from = src_start(doc, id);
    match doc.kind(id) {
        Kind::Document => {}
        Kind::Element(e) => write_element(out, doc, id, e),
        Kind::Text(t) => out.write(&escape_text(t), from),
        Kind::Whitespace(t) => out.write(t, from),
        Kind::Cdata(t) => out.write(&format!("<![CDATA[{t}]]>"), from),
        Kind::Comment(t) => out.write(&format!("<!--{t}-->"), from),
        Kind::Pi { target, data } => {
            let sep = if data.is_empty() { "" } else { " " };
            out.write(&format!("<?{target}{sep}{data}?>"), from)
        }
        Kind::Declaration(d) => out.write(&format!("<?xml {d}?>"), from),
    }
}

fn write_element(out: &mut Output<'_>, doc: &Doc, id: NodeId, e: &Element) {
    let from = src_start(doc, id);
    out.write(&format!("<{}", e.name), from);
    let new_line = e
        .layout
        .new_line_string
        .clone()
        .unwrap_or_else(|| "\r\n".into());
    for name in &e.layout.ordered {
        let Some(attr) = e.attr(name) else {
            continue;
        };
        let text = format!("{}=\"{}\"", attr.name, escape_attribute(&attr.value));
        match e.layout.leading_of(name) {
            Some((_, ws, at)) => {
                let at = at.and_then(|a| from.map(|(o, _)| (o, a)));
                out.write(ws, at);
            }
            None => {
                let length = out.line_position + text.encode_utf16().count() + 1;
                out.write(
                    if length > MAX_LINE_LENGTH {
                        &new_line
                    } else {
                        " "
                    },
                    None,
                );
            }
        }
        let at = attr.src.as_ref().map(|(o, r)| (*o, r.start));
        out.write(&text, at);
    }
    // Attributes the layout does not list (none after formatting; kept for safety).
    for attr in e
        .attrs
        .iter()
        .filter(|a| !e.layout.ordered.contains(&a.name))
    {
        let text = format!(" {}=\"{}\"", attr.name, escape_attribute(&attr.value));
        out.write(&text, None);
    }
    if let Some((_, ws, at)) = e.layout.leading_of("") {
        let at = at.and_then(|a| from.map(|(o, _)| (o, a)));
        out.write(ws, at);
    }
    let tag_end = e.start_tag_end.and_then(|end| from.map(|(o, _)| (o, end)));
    if e.is_empty {
        out.write("/>", tag_end.map(|(o, end)| (o, end.saturating_sub(2))));
        return;
    }
    out.write(">", tag_end.map(|(o, end)| (o, end.saturating_sub(1))));
    for &c in doc.children(id) {
        write_node(out, doc, c);
    }
    let end_from = e
        .end_tag
        .as_ref()
        .and_then(|r| from.map(|(o, _)| (o, r.start)));
    out.write(&format!("</{}>", e.name), end_from);
}

/// System.Xml's `OuterXml` (what `CommentOut` puts in the comment): attributes in their order with
/// single spaces, an empty element as `<a />`.
pub fn outer_xml(doc: &Doc, id: NodeId) -> String {
    let mut s = String::new();
    outer(doc, id, &mut s);
    s
}

fn outer(doc: &Doc, id: NodeId, s: &mut String) {
    match doc.kind(id) {
        Kind::Element(e) => {
            s.push('<');
            s.push_str(&e.name);
            for a in &e.attrs {
                s.push_str(&format!(" {}=\"{}\"", a.name, escape_attribute(&a.value)));
            }
            if e.is_empty {
                s.push_str(" />");
                return;
            }
            s.push('>');
            for &c in doc.children(id) {
                outer(doc, c, s);
            }
            s.push_str(&format!("</{}>", e.name));
        }
        Kind::Text(t) => s.push_str(&escape_text(t)),
        Kind::Whitespace(t) => s.push_str(t),
        Kind::Cdata(t) => s.push_str(&format!("<![CDATA[{t}]]>")),
        Kind::Comment(t) => s.push_str(&format!("<!--{t}-->")),
        Kind::Pi { target, data } => s.push_str(&format!("<?{target} {data}?>")),
        Kind::Declaration(d) => s.push_str(&format!("<?xml {d}?>")),
        Kind::Document => {}
    }
}
