//! Parsing with roxmltree, and owned snapshots of the elements the model reads.
//!
//! roxmltree gives byte ranges for nodes and attributes but none for a start tag alone; the
//! snapshot adds that (scanned here, once) so that diagnostics point at start tags and fixes can
//! insert attributes and children without the document.

use std::ops::Range;

use crate::source::LineIndex;

/// The .NET 2.0 era default namespace Visual Studio 2005 wrote on `<configuration>`. The
/// configuration system treats elements in it exactly like un-namespaced ones.
pub const NET_CONFIG_V2_NAMESPACE: &str = "http://schemas.microsoft.com/.NetConfiguration/v2.0";

/// A malformed document, positioned at 1-based line and character column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// The most attributes one element may have. roxmltree looks for a duplicate among an element's
/// earlier attributes for each attribute (quadratic: 100,000 attributes on one element took 14 s),
/// so a start tag with more is refused before parsing. Real configuration has a few dozen.
pub const MAX_ATTRIBUTES_PER_ELEMENT: usize = 256;

pub fn parse(text: &str) -> Result<roxmltree::Document<'_>, ParseError> {
    if let Some(at) = element_with_too_many_attributes(text) {
        let (line, column) = LineIndex::new(text).line_col(text, at);
        return Err(ParseError {
            message: format!(
                "an element has more than {MAX_ATTRIBUTES_PER_ELEMENT} attributes; iislint does not read such files"
            ),
            line,
            column,
        });
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options).map_err(|err| parse_error(text, &err))
}

fn parse_error(text: &str, err: &roxmltree::Error) -> ParseError {
    use roxmltree::Error as E;
    let index = LineIndex::new(text);
    let at_end = || index.line_col(text, text.len());
    let pos = err.pos();
    let (message, (line, column)) = match err {
        E::NoRootNode if text.trim().is_empty() => {
            ("empty file: no root element".to_owned(), (1, 1))
        }
        E::NoRootNode => ("no root element".to_owned(), at_end()),
        // roxmltree reports these at 1:1; the problem is where the text stops.
        E::UnexpectedEndOfStream | E::UnclosedRootNode => (
            "unexpected end of file: an element is not closed".to_owned(),
            at_end(),
        ),
        E::DtdDetected => {
            let at = text.find("<!DOCTYPE").unwrap_or(0);
            (
                "a DTD (<!DOCTYPE>) is not allowed in configuration; iislint never expands entities".to_owned(),
                index.line_col(text, at),
            )
        }
        other => (
            other.to_string(),
            index.line_col(text, roxmltree_offset(text, pos)),
        ),
    };
    // roxmltree's messages carry " at L:C"; the position is reported separately.
    let mut message = strip_positions(&message);
    if matches!(err, E::InvalidComment(_)) {
        message
            .push_str(" (XML forbids `--` inside a comment; give an iislint reason after ` - `)");
    }
    ParseError {
        message,
        line,
        column,
    }
}

/// The byte offset of a roxmltree position. roxmltree counts rows at LF only and columns in
/// characters since the last LF (`Stream::gen_text_pos`), so in a file with lone-CR line endings
/// every error is on its row 1; the offset is converted back with our own line index, which
/// counts a lone CR as a line break as XML does.
fn roxmltree_offset(text: &str, pos: roxmltree::TextPos) -> usize {
    let row_start = if pos.row <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(pos.row as usize - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    text[row_start..]
        .char_indices()
        .nth((pos.col as usize).saturating_sub(1))
        .map_or(text.len(), |(i, _)| row_start + i)
}

/// Removes every " at L:C" from a message.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at ") {
        let after = &rest[i + 4..];
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == ':'))
            .unwrap_or(after.len());
        let position = &after[..digits];
        out.push_str(&rest[..i]);
        if position.contains(':') && position.starts_with(|c: char| c.is_ascii_digit()) {
            rest = &after[digits..];
        } else {
            out.push_str(" at ");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The offset of the first start tag with more than [`MAX_ATTRIBUTES_PER_ELEMENT`] attributes
/// (counted as quoted values). Such a tag is at least 5 bytes (` a=""`) per attribute long and
/// holds no `<` (one cannot occur in an attribute value), so it covers a whole aligned block of
/// `BLOCK` bytes without a `<`: only those blocks are looked into, from the last `<` before them.
/// Most blocks have a `<` within their first few dozen bytes, so this costs a small fraction of a
/// parse. A comment or CDATA section is skipped by its `<!`.
fn element_with_too_many_attributes(text: &str) -> Option<usize> {
    const BLOCK: usize = 5 * MAX_ATTRIBUTES_PER_ELEMENT / 2;
    let bytes = text.as_bytes();
    let mut previous_had_lt = false;
    for (k, block) in bytes.chunks(BLOCK).enumerate() {
        let has_lt = block.contains(&b'<');
        if !has_lt && previous_had_lt {
            let before = &bytes[(k - 1) * BLOCK..k * BLOCK];
            let tag = (k - 1) * BLOCK + before.iter().rposition(|&b| b == b'<').unwrap_or(0);
            if !matches!(bytes.get(tag + 1), Some(b'!' | b'?' | b'/'))
                && quoted_values(&bytes[tag..]) > MAX_ATTRIBUTES_PER_ELEMENT
            {
                return Some(tag);
            }
        }
        previous_had_lt = has_lt;
    }
    None
}

/// How many quoted values the start tag at the beginning of `tag` has, up to its `>`.
fn quoted_values(tag: &[u8]) -> usize {
    let mut count = 0;
    let mut quote = None;
    for &b in tag {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => {
                quote = None;
                count += 1;
            }
            (None, b'>') => break,
            _ => {}
        }
    }
    count
}

/// An attribute as written: its normalised value and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub name: String,
    pub value: String,
    /// `name="value"`, from the name to the closing quote.
    pub range: Range<usize>,
    /// The raw value between the quotes (entity references not expanded).
    pub value_range: Range<usize>,
}

impl Attr {
    /// The quote character the value is written with.
    pub fn quote(&self, text: &str) -> char {
        text[self.value_range.end..].chars().next().unwrap_or('"')
    }
}

/// An owned snapshot of one element's start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    /// The whole element, start tag to end tag.
    pub range: Range<usize>,
    /// `<name …>` or `<name … />`.
    pub start_tag: Range<usize>,
    pub self_closing: bool,
    /// Un-namespaced attributes in document order (`xmlns` and `xdt:` ones are not configuration).
    pub attrs: Vec<Attr>,
}

impl Element {
    pub fn from_node(node: roxmltree::Node<'_, '_>) -> Element {
        let text = node.document().input_text();
        let range = node.range();
        let start_tag_end = start_tag_end(text, range.start);
        let self_closing = text[..start_tag_end].ends_with("/>");
        let attrs = node
            .attributes()
            .filter(|a| a.namespace().is_none())
            .map(|a| Attr {
                name: a.name().to_owned(),
                value: a.value().to_owned(),
                range: a.range(),
                value_range: a.range_value(),
            })
            .collect();
        Element {
            name: node.tag_name().name().to_owned(),
            start_tag: range.start..start_tag_end,
            range,
            self_closing,
            attrs,
        }
    }

    /// The attribute with exactly this name: configuration attribute names are case-sensitive.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// Where the tag name ends (after `<name`).
    pub fn name_end(&self, text: &str) -> usize {
        let after_lt = self.start_tag.start + 1;
        let len = text[after_lt..]
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(0);
        after_lt + len
    }
}

/// The end of the start tag beginning at `start` (just after its `>`), skipping quoted values.
pub fn start_tag_end(text: &str, start: usize) -> usize {
    let mut quote = None;
    for (i, b) in text.as_bytes()[start..].iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), _) if q == *b => quote = None,
            (None, b'>') => return start + i + 1,
            _ => {}
        }
    }
    text.len()
}

/// Is `node` a configuration element called `name`? Un-namespaced or in the .NET 2.0 default
/// namespace; element names are case-sensitive in .NET configuration.
pub fn is_config_element(node: roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && matches!(
            node.tag_name().namespace(),
            None | Some(NET_CONFIG_V2_NAMESPACE)
        )
}

/// Configuration children of `node` called `name`, in document order.
pub fn config_children<'a, 'input: 'a>(
    node: roxmltree::Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| is_config_element(*child, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_tag_spans_lines_and_quoted_gt() {
        let text = "<a>\n  <forms\n     name='x>y'\n     timeout=\"5\" />\n</a>";
        let doc = parse(text).unwrap();
        let forms = doc.descendants().find(|n| n.has_tag_name("forms")).unwrap();
        let el = Element::from_node(forms);
        assert!(el.self_closing);
        assert!(text[el.start_tag.clone()].ends_with("\"5\" />"));
        assert_eq!(el.attr("timeout").unwrap().value, "5");
        assert_eq!(el.attr("Timeout"), None);
        assert_eq!(&text[el.start_tag.start..el.name_end(text)], "<forms");
    }

    #[test]
    fn malformed_xml_has_a_position() {
        let err = parse("<a>\n  <b x=\"1\" x=\"2\"/>\n</a>").unwrap_err();
        assert_eq!((err.line, err.column), (2, 12));
        assert!(err.message.contains("already defined"), "{}", err.message);
    }

    #[test]
    fn positions_are_taken_out_of_messages_anywhere() {
        let err = parse("<a>\n<!-- x -- y -->\n</a>").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(!err.message.contains("2:1"), "{}", err.message);
        assert!(err.message.contains("` - `"), "{}", err.message);
        assert_eq!(strip_positions("b at 1:2 is bad at 3:4"), "b is bad");
        assert_eq!(strip_positions("look at this"), "look at this");
    }

    #[test]
    fn positions_count_a_lone_cr_as_a_line_break() {
        // roxmltree alone would say 1:25 (it counts rows at LF only).
        let err = parse("<a>\r  <b x=\"1\" x=\"2\"/>\r</a>").unwrap_err();
        assert_eq!((err.line, err.column), (2, 12), "{}", err.message);
        let mixed = "<a>\r\n<b>\n\r  <c>é</d>\r</b></a>";
        let err = parse(mixed).unwrap_err();
        assert_eq!((err.line, err.column), (4, 7), "{}", err.message);
        assert_eq!(
            roxmltree_offset(mixed, roxmltree::TextPos::new(3, 8)),
            mixed.find("</d>").unwrap()
        );
    }

    #[test]
    fn truncated_document_points_at_the_end() {
        let err = parse("<a>\n  <b>\n").unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[test]
    fn empty_and_dtd_are_clear_errors() {
        assert!(parse("  \n").unwrap_err().message.contains("empty"));
        let err =
            parse("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a/>").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("DTD"));
    }

    #[test]
    fn too_many_attributes_is_refused_quickly() {
        let attrs = |n: usize| (0..n).map(|i| format!(" a{i}='{i}'")).collect::<String>();
        let many = format!(
            "<a>\n<!-- <x a=1> -->\n<b{}/></a>",
            attrs(MAX_ATTRIBUTES_PER_ELEMENT + 1)
        );
        let err = parse(&many).unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{}", err.message);
        assert!(err.message.contains("attributes"), "{}", err.message);
        let enough = format!("<a><b{}/></a>", attrs(MAX_ATTRIBUTES_PER_ELEMENT));
        assert!(parse(&enough).is_ok());
        // Quotes in text, comments and CDATA are not counted.
        let spread = format!(
            "<a x='{}'><!--{}--><![CDATA[{}]]>{}<b{}/></a>",
            "\"".repeat(3000),
            "'".repeat(3000),
            "'".repeat(3000),
            "\"".repeat(3000),
            attrs(10)
        );
        assert!(parse(&spread).is_ok());
    }

    #[test]
    fn old_default_namespace_counts_as_configuration() {
        let text = format!(
            "<configuration xmlns=\"{NET_CONFIG_V2_NAMESPACE}\"><system.web/></configuration>"
        );
        let doc = parse(&text).unwrap();
        let root = doc.root_element();
        assert!(is_config_element(root, "configuration"));
        assert_eq!(config_children(root, "system.web").count(), 1);
        let other = parse("<configuration xmlns=\"urn:x\"/>").unwrap();
        assert!(!is_config_element(other.root_element(), "configuration"));
    }
}
