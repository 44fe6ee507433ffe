//! An owned, mutable XML tree with the node model of System.Xml's `XmlDocument` (whitespace-only
//! text is its own node kind, CDATA and comments are kept), where every node read from a file
//! remembers the bytes it came from, so that the serializer can tell which output bytes are
//! verbatim copies.
//!
//! The input has already passed [`crate::document::parse`] (well-formed, no DTD), so this
//! tokenizer only has to find boundaries; it still never indexes out of bounds and reports
//! anything unexpected as an error instead of panicking.

use std::collections::HashMap;
use std::ops::Range;

use super::Origin;

pub type NodeId = usize;

pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
pub const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

#[derive(Clone, Debug)]
pub struct Attr {
    /// The qualified name as written (`prefix:local` or `local`).
    pub name: String,
    pub namespace: String,
    pub value: String,
    /// Where the attribute was read: its name's first byte to just after its closing quote.
    pub src: Option<(Origin, Range<usize>)>,
}

impl Attr {
    pub fn local_name(&self) -> &str {
        self.name.split_once(':').map_or(&self.name, |(_, l)| l)
    }
    pub fn prefix(&self) -> &str {
        self.name.split_once(':').map_or("", |(p, _)| p)
    }
    /// `xmlns` and `xmlns:*` are namespace declarations, which XPath does not see as attributes.
    pub fn is_namespace_declaration(&self) -> bool {
        self.name == "xmlns" || self.name.starts_with("xmlns:")
    }
}

/// The attribute layout `XmlAttributePreservationDict` read from an element's start tag:
/// attribute order and the whitespace before each attribute and before `>` / `/>`.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub ordered: Vec<String>,
    /// (attribute name or "" for the end of the tag, whitespace, where it was read)
    pub leading: Vec<(String, String, Option<usize>)>,
    pub new_line_string: Option<String>,
    pub one_per_line: Option<bool>,
}

impl Layout {
    pub fn leading_of(&self, name: &str) -> Option<&(String, String, Option<usize>)> {
        self.leading.iter().find(|(n, _, _)| n == name)
    }
}

#[derive(Clone, Debug)]
pub struct Element {
    pub name: String,
    pub namespace: String,
    pub attrs: Vec<Attr>,
    /// Written `<a/>` rather than `<a></a>` (System.Xml's `IsEmpty`).
    pub is_empty: bool,
    /// Byte offset of the name in its origin (XDT's line and column point there).
    pub name_at: Option<(Origin, usize)>,
    /// The end of the start tag in its origin (just after `>`).
    pub start_tag_end: Option<usize>,
    /// The end tag's range in its origin, when it had one.
    pub end_tag: Option<Range<usize>>,
    pub layout: Layout,
    /// In-scope namespace declarations (prefix, "" for the default, to URI) as the file declared them.
    pub scope: Vec<(String, String)>,
}

impl Element {
    pub fn local_name(&self) -> &str {
        self.name.split_once(':').map_or(&self.name, |(_, l)| l)
    }
    pub fn prefix(&self) -> &str {
        self.name.split_once(':').map_or("", |(p, _)| p)
    }
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
    pub fn attr_ns(&self, local: &str, namespace: &str) -> Option<&Attr> {
        self.attrs
            .iter()
            .find(|a| a.local_name() == local && a.namespace == namespace)
    }
}

#[derive(Clone, Debug)]
pub enum Kind {
    Document,
    Element(Element),
    Text(String),
    Whitespace(String),
    Cdata(String),
    Comment(String),
    Pi { target: String, data: String },
    Declaration(String),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    /// The node's whole text in its origin (for an element: its start tag).
    pub src: Option<(Origin, Range<usize>)>,
    /// Not read from the base document: inserted by a transform (XDT's `!IsOriginal`).
    pub new: bool,
}

#[derive(Clone, Debug)]
pub struct Doc {
    pub nodes: Vec<Node>,
}

pub const ROOT: NodeId = 0;

/// A parse failure at a byte offset.
#[derive(Debug, Clone)]
pub struct TreeError {
    pub at: usize,
    pub message: String,
}

impl Doc {
    pub fn kind(&self, id: NodeId) -> &Kind {
        &self.nodes[id].kind
    }
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.nodes.get(id)?.kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }
    pub fn element_mut(&mut self, id: NodeId) -> Option<&mut Element> {
        match &mut self.nodes.get_mut(id)?.kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id].children
    }
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes[id].parent
    }
    pub fn is_element(&self, id: NodeId) -> bool {
        matches!(self.nodes[id].kind, Kind::Element(_))
    }
    pub fn is_whitespace(&self, id: Option<NodeId>) -> bool {
        id.is_some_and(|id| matches!(self.nodes[id].kind, Kind::Whitespace(_)))
    }
    pub fn root_element(&self) -> Option<NodeId> {
        self.children(ROOT)
            .iter()
            .copied()
            .find(|&c| self.is_element(c))
    }

    /// Concatenated text of the node and its descendants (XPath's string-value).
    pub fn string_value(&self, id: NodeId) -> String {
        let mut out = String::new();
        self.collect_text(id, &mut out);
        out
    }
    fn collect_text(&self, id: NodeId, out: &mut String) {
        match &self.nodes[id].kind {
            Kind::Text(t) | Kind::Whitespace(t) | Kind::Cdata(t) => out.push_str(t),
            Kind::Comment(c) if self.nodes[id].parent.is_none() => out.push_str(c),
            Kind::Pi { data, .. } if self.nodes[id].parent.is_none() => out.push_str(data),
            _ => {
                for &c in &self.nodes[id].children {
                    self.collect_text(c, out);
                }
            }
        }
    }

    pub fn index_in_parent(&self, id: NodeId) -> Option<usize> {
        let parent = self.parent(id)?;
        self.children(parent).iter().position(|&c| c == id)
    }
    pub fn previous_sibling(&self, id: NodeId) -> Option<NodeId> {
        let parent = self.parent(id)?;
        let i = self.index_in_parent(id)?;
        i.checked_sub(1).map(|j| self.children(parent)[j])
    }
    pub fn next_sibling(&self, id: NodeId) -> Option<NodeId> {
        let parent = self.parent(id)?;
        let i = self.index_in_parent(id)?;
        self.children(parent).get(i + 1).copied()
    }

    pub fn detach(&mut self, id: NodeId) {
        if let Some(parent) = self.nodes[id].parent.take() {
            self.nodes[parent].children.retain(|&c| c != id);
        }
    }
    pub fn insert_child(&mut self, parent: NodeId, index: usize, child: NodeId) {
        self.detach(child);
        // System.Xml: an element written `<a/>` is no longer empty once it has a child.
        if let Kind::Element(e) = &mut self.nodes[parent].kind {
            e.is_empty = false;
        }
        let children = &mut self.nodes[parent].children;
        let index = index.min(children.len());
        children.insert(index, child);
        self.nodes[child].parent = Some(parent);
    }
    pub fn append_child(&mut self, parent: NodeId, child: NodeId) {
        let len = self.nodes[parent].children.len();
        self.insert_child(parent, len, child);
    }
    pub fn add(&mut self, kind: Kind, src: Option<(Origin, Range<usize>)>, new: bool) -> NodeId {
        self.nodes.push(Node {
            kind,
            parent: None,
            children: Vec::new(),
            src,
            new,
        });
        self.nodes.len() - 1
    }

    /// Copies `id` of `other` with its descendants into this document as new (detached) nodes.
    pub fn import(&mut self, other: &Doc, id: NodeId, new: bool) -> NodeId {
        let node = &other.nodes[id];
        let copy = self.add(node.kind.clone(), node.src.clone(), new);
        for &child in &node.children {
            let c = self.import(other, child, new);
            self.append_child(copy, c);
        }
        copy
    }

    /// Copies `id` with its descendants within this document as new (detached) nodes.
    pub fn duplicate(&mut self, id: NodeId) -> NodeId {
        let node = &self.nodes[id];
        let (kind, src, new) = (node.kind.clone(), node.src.clone(), node.new);
        let children = node.children.clone();
        let copy = self.add(kind, src, new);
        for child in children {
            let c = self.duplicate(child);
            self.append_child(copy, c);
        }
        copy
    }

    /// Nodes of the subtree in document order (preorder).
    pub fn preorder(&self, id: NodeId, out: &mut Vec<NodeId>) {
        out.push(id);
        for &c in &self.nodes[id].children {
            self.preorder(c, out);
        }
    }

    /// Preorder position of every attached node, for sorting XPath results.
    pub fn document_order(&self) -> HashMap<NodeId, usize> {
        let mut order = Vec::new();
        self.preorder(ROOT, &mut order);
        order.into_iter().enumerate().map(|(i, n)| (n, i)).collect()
    }
}

/// How whitespace-only text is read: the base keeps it (`PreserveWhitespace = true`), the
/// transform drops it (XDT loads the transform with System.Xml's default).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Whitespace {
    Keep,
    Drop,
}

pub fn parse(text: &str, origin: Origin, whitespace: Whitespace) -> Result<Doc, TreeError> {
    let mut doc = Doc {
        nodes: vec![Node {
            kind: Kind::Document,
            parent: None,
            children: Vec::new(),
            src: None,
            new: false,
        }],
    };
    let bytes = text.as_bytes();
    let mut stack: Vec<NodeId> = vec![ROOT];
    let mut scopes: Vec<Vec<(String, String)>> = vec![vec![("xml".into(), XML_NAMESPACE.into())]];
    let mut at = 0;
    let err = |at: usize, m: &str| TreeError {
        at,
        message: m.to_owned(),
    };
    while at < bytes.len() {
        let parent = *stack.last().ok_or_else(|| err(at, "unbalanced tags"))?;
        if bytes[at] != b'<' {
            let end = memchr::memchr(b'<', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            let raw = &text[at..end];
            let value = unescape(raw).map_err(|m| err(at, &m))?;
            let all_space = value
                .bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
            if !(all_space && whitespace == Whitespace::Drop) {
                let kind = if all_space {
                    Kind::Whitespace(value)
                } else {
                    Kind::Text(value)
                };
                push_text(&mut doc, parent, kind, origin, at..end);
            }
            at = end;
            continue;
        }
        let rest = &text[at..];
        if rest.starts_with("<!--") {
            let end = find(text, at + 4, "-->").ok_or_else(|| err(at, "unclosed comment"))? + 3;
            let id = doc.add(
                Kind::Comment(text[at + 4..end - 3].to_owned()),
                Some((origin, at..end)),
                false,
            );
            doc.append_child(parent, id);
            at = end;
        } else if rest.starts_with("<![CDATA[") {
            let end = find(text, at + 9, "]]>").ok_or_else(|| err(at, "unclosed CDATA"))? + 3;
            let id = doc.add(
                Kind::Cdata(text[at + 9..end - 3].to_owned()),
                Some((origin, at..end)),
                false,
            );
            doc.append_child(parent, id);
            at = end;
        } else if rest.starts_with("<?") {
            let end = find(text, at + 2, "?>")
                .ok_or_else(|| err(at, "unclosed processing instruction"))?
                + 2;
            let body = &text[at + 2..end - 2];
            let name_len = body
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(body.len());
            let target = &body[..name_len];
            let data = body[name_len..].trim_start_matches(|c: char| c.is_ascii_whitespace());
            let kind = if target == "xml" {
                Kind::Declaration(declaration_text(data))
            } else {
                Kind::Pi {
                    target: target.to_owned(),
                    data: data.to_owned(),
                }
            };
            let id = doc.add(kind, Some((origin, at..end)), false);
            doc.append_child(parent, id);
            at = end;
        } else if rest.starts_with("<!") {
            return Err(err(at, "a document type declaration is not supported"));
        } else if rest.starts_with("</") {
            let end = find(text, at, ">").ok_or_else(|| err(at, "unclosed end tag"))? + 1;
            if let Some(e) = doc.element_mut(parent) {
                e.end_tag = Some(at..end);
            } else {
                return Err(err(at, "end tag without a start tag"));
            }
            stack.pop();
            scopes.pop();
            at = end;
        } else {
            let (element, end) = start_tag(text, at, origin, scopes.last().map_or(&[][..], |s| s))
                .map_err(|(at, m)| err(at, &m))?;
            let empty = element.is_empty;
            let scope = element.scope.clone();
            let id = doc.add(Kind::Element(element), Some((origin, at..end)), false);
            doc.append_child(parent, id);
            if !empty {
                stack.push(id);
                scopes.push(scope);
            }
            at = end;
        }
    }
    if stack.len() != 1 {
        return Err(err(text.len(), "unclosed element"));
    }
    Ok(doc)
}

fn push_text(doc: &mut Doc, parent: NodeId, kind: Kind, origin: Origin, range: Range<usize>) {
    let id = doc.add(kind, Some((origin, range)), false);
    doc.append_child(parent, id);
}

fn find(text: &str, from: usize, needle: &str) -> Option<usize> {
    text.get(from..)?.find(needle).map(|i| from + i)
}

/// System.Xml's `XmlDeclaration.InnerText`: `version="…"[ encoding="…"][ standalone="…"]`.
fn declaration_text(data: &str) -> String {
    let mut parts = Vec::new();
    for name in ["version", "encoding", "standalone"] {
        if let Some(v) = pseudo_attribute(data, name) {
            parts.push(format!("{name}=\"{v}\""));
        }
    }
    parts.join(" ")
}

pub fn pseudo_attribute<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = data;
    loop {
        rest = rest.trim_start();
        let eq = rest.find('=')?;
        let key = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let close = after[1..].find(quote)? + 1;
        if key == name {
            return Some(&after[1..close]);
        }
        rest = &after[close + 1..];
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn name_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'=' | b'>' | b'/') {
        i += 1;
    }
    i
}

type StartTagResult = Result<(Element, usize), (usize, String)>;

/// Reads a start tag at `at` (`<`): the element and the offset just after `>`.
fn start_tag(text: &str, at: usize, origin: Origin, outer: &[(String, String)]) -> StartTagResult {
    let bytes = text.as_bytes();
    let name_start = at + 1;
    let name_stop = name_end(bytes, name_start);
    let name = text
        .get(name_start..name_stop)
        .ok_or((at, "bad element name".to_owned()))?
        .to_owned();
    let mut attrs = Vec::new();
    let mut layout = Layout::default();
    let mut i = name_stop;
    let is_empty;
    loop {
        let ws_start = i;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let ws = text[ws_start..i].to_owned();
        match bytes.get(i) {
            None => return Err((at, "unclosed start tag".into())),
            Some(b'>') => {
                layout.leading.push((String::new(), ws, Some(ws_start)));
                is_empty = false;
                i += 1;
                break;
            }
            Some(b'/') => {
                layout.leading.push((String::new(), ws, Some(ws_start)));
                if bytes.get(i + 1) != Some(&b'>') {
                    return Err((i, "expected '>'".into()));
                }
                is_empty = true;
                i += 2;
                break;
            }
            Some(_) => {}
        }
        let attr_start = i;
        let attr_name_end = name_end(bytes, i);
        let attr_name = text[attr_start..attr_name_end].to_owned();
        i = attr_name_end;
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'=') {
            i += 1;
        }
        let quote = *bytes.get(i).ok_or((i, "unclosed start tag".to_owned()))?;
        if quote != b'"' && quote != b'\'' {
            return Err((i, "expected a quoted attribute value".into()));
        }
        let value_start = i + 1;
        let value_end = memchr::memchr(quote, bytes.get(value_start..).unwrap_or(&[]))
            .map(|j| value_start + j)
            .ok_or((i, "unclosed attribute value".to_owned()))?;
        let value = unescape(&text[value_start..value_end]).map_err(|m| (value_start, m))?;
        i = value_end + 1;
        if attr_name.is_empty() {
            return Err((attr_start, "empty attribute name".into()));
        }
        layout.ordered.push(attr_name.clone());
        layout.leading.push((attr_name.clone(), ws, Some(ws_start)));
        attrs.push(Attr {
            name: attr_name,
            namespace: String::new(),
            value,
            src: Some((origin, attr_start..i)),
        });
    }
    // Namespaces: declarations on this element first, then resolve names against them.
    let mut scope: Vec<(String, String)> = outer.to_vec();
    for a in &attrs {
        let prefix = if a.name == "xmlns" {
            Some("")
        } else {
            a.name.strip_prefix("xmlns:")
        };
        if let Some(p) = prefix {
            scope.retain(|(q, _)| q != p);
            scope.push((p.to_owned(), a.value.clone()));
        }
    }
    let resolve = |prefix: &str| -> Option<String> {
        scope
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.clone())
    };
    let element_prefix = name.split_once(':').map_or("", |(p, _)| p);
    let namespace = resolve(element_prefix).unwrap_or_default();
    for a in &mut attrs {
        a.namespace = if a.is_namespace_declaration() {
            XMLNS_NAMESPACE.to_owned()
        } else if a.prefix().is_empty() {
            String::new()
        } else {
            resolve(a.prefix()).unwrap_or_default()
        };
    }
    let element = Element {
        name,
        namespace,
        attrs,
        is_empty,
        name_at: Some((origin, name_start)),
        start_tag_end: Some(i),
        end_tag: None,
        layout,
        scope,
    };
    Ok((element, i))
}

/// Replaces entity and character references. No attribute-value normalisation: System.Xml's
/// `XmlTextReader` (which XDT uses) has `Normalization = false`.
pub fn unescape(raw: &str) -> Result<String, String> {
    if !raw.contains('&') {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').ok_or("unterminated reference")?;
        let name = &after[..semi];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    return Err(format!("reference to undeclared entity '{name}'"));
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid character reference '&{name};'"))?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Emulates `XmlAttributePreservationProvider`, which reads each start tag of the base again from
/// the file, in document order, scanning to the first `>` outside double quotes. A `>` or `"`
/// inside a single-quoted value makes it read past the tag; every later element whose tag it has
/// already passed then gets no preserved layout (XDT writes its attributes with single spaces).
pub fn apply_preservation_provider(doc: &mut Doc, text: &str) {
    let mut order = Vec::new();
    doc.preorder(ROOT, &mut order);
    let bytes = text.as_bytes();
    let mut read_to = 0usize;
    for id in order {
        let Some(element) = doc.element_mut(id) else {
            continue;
        };
        let Some((_, name_start)) = element.name_at else {
            continue;
        };
        let lt = name_start.saturating_sub(1);
        if lt < read_to {
            element.layout = Layout::default();
            continue;
        }
        let mut in_quotes = false;
        let mut end = None;
        for (i, &b) in bytes.iter().enumerate().skip(lt) {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == b'>' && !in_quotes {
                end = Some(i + 1);
                break;
            }
        }
        let Some(end) = end else {
            element.layout = Layout::default();
            read_to = bytes.len();
            continue;
        };
        read_to = end;
        if Some(end) != element.start_tag_end {
            // The trailing whitespace is the run before the scanned string's last character
            // (before its "/>" when it ends so).
            let scanned = &text[lt..end];
            let last = if scanned.ends_with("/>") {
                scanned.len() - 2
            } else {
                scanned.len() - 1
            };
            let head = &scanned[..last];
            let trimmed = head.trim_end_matches([' ', '\t', '\r', '\n']);
            let trailing = head[trimmed.len()..].to_owned();
            element.layout.leading.retain(|(n, _, _)| !n.is_empty());
            element
                .layout
                .leading
                .push((String::new(), trailing, Some(lt + trimmed.len())));
        }
    }
}
