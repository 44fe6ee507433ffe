//! Parsing with roxmltree, and owned snapshots of the elements the model reads.
//!
//! roxmltree gives byte ranges for nodes and attributes but none for a start tag alone; the
//! snapshot adds that (scanned here, once) so that diagnostics point at start tags and fixes can
//! insert attributes and children without the document.

use compact_str::CompactString;
use std::ops::Range;

use crate::source::{Encoding, LineIndex};

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

/// Parses a configuration file, refusing what IIS and ASP.NET (System.Xml) refuse.
pub fn parse(text: &str) -> Result<roxmltree::Document<'_>, ParseError> {
    if let Some(at) = element_with_too_many_attributes(text) {
        return Err(parse_error_at(
            text,
            at,
            format!(
                "an element has more than {MAX_ATTRIBUTES_PER_ELEMENT} attributes; iislint does not read such files"
            ),
        ));
    }
    let declaration = xml_declaration(text).map_err(|r| parse_error_at(text, r.at, r.message))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        // Nothing reads the white space between elements as nodes (edits and positions use
        // the text); not making them is a sixteenth of a check's instructions.
        drop_blank_text: true,
        // Every document is read once and dropped: shrinking its vectors was a copy of each.
        keep_capacity: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|err| parse_error(text, &err))?;
    match system_xml_rejects(&doc, declaration.as_ref()) {
        Some(r) => Err(parse_error_at(text, r.at, r.message)),
        None => Ok(doc),
    }
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
        E::UnexpectedDeclaration(_) => (
            "unexpected XML declaration: it must be the very first thing in the file, with nothing before it (not even white space)".to_owned(),
            index.line_col(text, roxmltree_offset(text, pos)),
        ),
        E::DtdDetected => {
            let at = text.find("<!DOCTYPE").unwrap_or(0);
            (
                "a DTD (<!DOCTYPE>) is not allowed in configuration; iislint never expands entities".to_owned(),
                index.line_col(text, at),
            )
        }
        E::UnknownToken(_) | E::InvalidName(_) => {
            let at = roxmltree_offset(text, pos);
            let (message, at) =
                clearer_message(text, at).unwrap_or_else(|| (err.to_string(), at));
            (message, index.line_col(text, at))
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

/// Plain words for the markup roxmltree calls an "unknown token" or an "invalid name token" at
/// `at`: a closing tag with nothing open, a comment opened with `<!-`, text outside the root
/// element. Returns the message and where to report it.
fn clearer_message(text: &str, at: usize) -> Option<(String, usize)> {
    // roxmltree may point just past the `<` it choked on.
    let start = if at > 0 && text.as_bytes().get(at - 1) == Some(&b'<') {
        at - 1
    } else {
        at
    };
    let rest = text.get(start..)?;
    if let Some(tag) = rest.strip_prefix("</") {
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '<')
            .collect();
        return Some((
            format!("closing tag `</{name}>` without an open element"),
            start,
        ));
    }
    if rest.starts_with("<!-") && !rest.starts_with("<!--") {
        return Some((
            "malformed comment: a comment starts with `<!--`, not `<!-`".to_owned(),
            start,
        ));
    }
    let first = rest.chars().next()?;
    if first != '<' && !first.is_whitespace() {
        // After the root element when an element's start tag came before (not only a
        // declaration, comment or processing instruction).
        let element_before = text[..start]
            .match_indices('<')
            .any(|(at, _)| text[at + 1..].starts_with(|c: char| c.is_alphabetic() || c == '_'));
        let outside = if element_before {
            "after the root element"
        } else {
            "before the root element"
        };
        return Some((
            format!(
                "text {outside}: an XML file has one root element and nothing outside it but comments"
            ),
            start,
        ));
    }
    None
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

// What System.Xml rejects and roxmltree accepts.
//
// IIS and ASP.NET read configuration with System.Xml's XmlTextReader (System.Configuration's
// `XmlUtil`, default settings), which refuses some documents roxmltree parses: a malformed XML
// declaration, processing instructions named `xml` in another letter case or with a `:`, a prefix
// undeclared with `xmlns:p=""`, and a few more. Each was checked against XmlTextReader (Mono's,
// which is the .NET reference source's `XmlTextReaderImpl`). XmlTextReader is more lenient than
// roxmltree elsewhere: with its default `Normalization = false` it accepts character references
// to non-characters (`&#0;`, `&#xFFFE;`) and past Unicode (`&#x110000;`), which roxmltree refuses
// or reads as U+FFFD; those are left as they are.

/// A problem System.Xml has with a document, at a byte offset.
struct Rejected {
    at: usize,
    message: String,
}

fn rejected(at: usize, message: impl Into<String>) -> Rejected {
    Rejected {
        at,
        message: message.into(),
    }
}

/// The XML declaration at the start of a text, as System.Xml reads it.
struct Declaration {
    /// `<?xml` to `?>`.
    range: Range<usize>,
    /// The value of `encoding`, when written.
    encoding: Option<Range<usize>>,
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The XML declaration, when the text starts with one. System.Xml takes `<?xml` followed by
/// anything but a name character for a declaration (`<?xml-stylesheet` is a processing
/// instruction), and then requires exactly: white space, `version="1.0"`, optionally `encoding`
/// with a name, optionally `standalone="yes"` or `"no"`, in that order, each after white space,
/// and `?>` (`XmlTextReaderImpl.ParseXmlDeclaration`). roxmltree checks the order but not the
/// values, and takes `<?xml` followed by a tab or a line break for a processing instruction.
fn xml_declaration(text: &str) -> Result<Option<Declaration>, Rejected> {
    let bytes = text.as_bytes();
    // A non-ASCII character is taken for a name character: the processing instruction checks
    // then judge the name.
    let recognised = text.starts_with("<?xml")
        && bytes.get(5).is_some_and(|&b| {
            b.is_ascii() && !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
        });
    if !recognised {
        return Ok(None);
    }
    let malformed =
        |at: usize, what: &str| rejected(at, format!("malformed XML declaration: {what}"));
    let mut at = 5;
    let mut seen: Option<&str> = None;
    let mut encoding = None;
    loop {
        let space_start = at;
        while bytes.get(at).copied().is_some_and(is_xml_space) {
            at += 1;
        }
        let spaced = at > space_start;
        match (bytes.get(at), bytes.get(at + 1)) {
            (None, _) => return Err(malformed(at, "it is not closed with `?>`")),
            (Some(b'?'), Some(b'>')) if seen.is_none() => {
                return Err(malformed(
                    at,
                    "it has no version; write <?xml version=\"1.0\"?>",
                ));
            }
            (Some(b'?'), Some(b'>')) => {
                return Ok(Some(Declaration {
                    range: 0..at + 2,
                    encoding,
                }));
            }
            (Some(b'?'), _) => return Err(malformed(at, "`?` must be followed by `>`")),
            _ if !spaced => {
                return Err(malformed(
                    at,
                    "white space is needed before each of its attributes",
                ));
            }
            _ => {}
        }
        let name_end = at
            + bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
                .count();
        let name = &text[at..name_end];
        let in_order = match name {
            "version" => seen.is_none(),
            "encoding" => seen == Some("version"),
            "standalone" => matches!(seen, Some("version" | "encoding")),
            _ => false,
        };
        if !in_order {
            let what = match name {
                "" => format!("unexpected `{}`", text[at..].chars().next().unwrap_or(' ')),
                "version" | "encoding" | "standalone" => format!(
                    "`{name}` is repeated or out of order (version, then encoding, then standalone)"
                ),
                _ if seen.is_none() => format!("it must start with version=\"1.0\", not `{name}`"),
                _ => format!(
                    "unknown `{name}` (it may have version, encoding and standalone, in that order)"
                ),
            };
            return Err(malformed(at, &what));
        }
        at = name_end;
        while bytes.get(at).copied().is_some_and(is_xml_space) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            return Err(malformed(at, &format!("expected `=` after `{name}`")));
        }
        at += 1;
        while bytes.get(at).copied().is_some_and(is_xml_space) {
            at += 1;
        }
        let Some(&quote @ (b'"' | b'\'')) = bytes.get(at) else {
            return Err(malformed(
                at,
                &format!("the value of `{name}` must be in quotes"),
            ));
        };
        let value_start = at + 1;
        // Declaration values may not hold a tab, a line break, `<`, `>`, `&` or a quote.
        let Some(value_len) = text[value_start..]
            .find(|c: char| c < ' ' || matches!(c, '<' | '>' | '&' | '"' | '\''))
        else {
            return Err(malformed(
                value_start,
                &format!("the value of `{name}` is not closed"),
            ));
        };
        let value_end = value_start + value_len;
        if bytes[value_end] != quote {
            let found = text[value_end..].chars().next().unwrap_or(' ');
            return Err(malformed(
                value_end,
                &format!("{found:?} is not allowed in the value of `{name}`"),
            ));
        }
        let value = &text[value_start..value_end];
        match name {
            "version" if value != "1.0" => {
                return Err(rejected(
                    value_start,
                    format!(
                        "XML version `{value}`: System.Xml, which IIS and ASP.NET read configuration with, accepts only version=\"1.0\""
                    ),
                ));
            }
            "encoding" if value.is_empty() => {
                return Err(rejected(
                    value_start,
                    "encoding=\"\" in the XML declaration names no encoding; IIS and ASP.NET refuse the file (write encoding=\"utf-8\")",
                ));
            }
            "encoding" if !is_encoding_name(value) => {
                return Err(rejected(
                    value_start,
                    format!(
                        "`{value}` in the XML declaration is not an encoding name; IIS and ASP.NET refuse the file (write encoding=\"utf-8\")"
                    ),
                ));
            }
            "encoding" => encoding = Some(value_start..value_end),
            "standalone" if value != "yes" && value != "no" => {
                return Err(rejected(
                    value_start,
                    format!(
                        "standalone=\"{value}\" in the XML declaration: it must be `yes` or `no` (lowercase)"
                    ),
                ));
            }
            _ => {}
        }
        seen = Some(name);
        at = value_end + 1;
    }
}

/// Could this be the name of an encoding .NET knows? Which names it knows depends on the code
/// pages installed, so only names none can have are refused: empty, or with characters no
/// encoding name uses (white space, `=`, non-ASCII).
fn is_encoding_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'$'))
}

/// The XML namespace, which the `xml` prefix is bound to.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// What System.Xml refuses in a document roxmltree parsed: processing instructions named `xml`
/// (in any letter case) other than the declaration, or with a `:`, or not followed by white
/// space; `xmlns:p=""`, `xmlns:xmlns`, `xmlns` twice on an element; `xml:space` other than
/// `default` or `preserve`. The nodes are gone through only when the text has a `?` after the
/// declaration, `xmlns` or `xml:space`, and only the start tags of elements that declare
/// namespaces are read again: a file without any costs three quick searches of its text.
fn system_xml_rejects(
    doc: &roxmltree::Document<'_>,
    declaration: Option<&Declaration>,
) -> Option<Rejected> {
    let text = doc.input_text();
    let after_declaration = declaration.map_or(0, |d| d.range.end);
    // memchr's searches (AVX2) take a fraction of std's `contains`, which showed in a check run;
    // `xmlns` and `xml:space` are both found by one search for `xml`, which is rare elsewhere.
    let rest = &text.as_bytes()[after_declaration..];
    let instructions = memchr::memchr(b'?', rest).is_some();
    let (mut namespaces, mut xml_spaces) = (false, false);
    for at in finder!(b"xml").find_iter(rest) {
        namespaces |= rest[at + 3..].starts_with(b"ns");
        xml_spaces |= rest[at + 3..].starts_with(b":space");
        if namespaces && xml_spaces {
            break;
        }
    }
    if !(instructions || namespaces || xml_spaces) {
        return None;
    }
    doc.descendants().find_map(|node| match node.node_type() {
        roxmltree::NodeType::PI if instructions => {
            processing_instruction(text, node, after_declaration)
        }
        roxmltree::NodeType::Element => {
            let declared = if namespaces && declares_namespaces(node) {
                tag_namespace_declarations(text, node.range().start)
            } else {
                None
            };
            declared.or_else(|| if xml_spaces { xml_space(node) } else { None })
        }
        _ => None,
    })
}

/// Does the element declare namespaces? roxmltree gives an element that declares none its
/// parent's list of namespaces in scope, and one that declares any a list of its own.
fn declares_namespaces(element: roxmltree::Node<'_, '_>) -> bool {
    let own = element.namespaces();
    let Some(parent) = element.parent_element() else {
        return own.len() > 0;
    };
    let inherited = parent.namespaces();
    own.len() != inherited.len() || own.zip(inherited).any(|(a, b)| !std::ptr::eq(a, b))
}

fn processing_instruction(
    text: &str,
    node: roxmltree::Node<'_, '_>,
    after_declaration: usize,
) -> Option<Rejected> {
    let range = node.range();
    if range.start < after_declaration {
        // The declaration itself, which roxmltree reads as an instruction after `<?xml\t`.
        return None;
    }
    let target = node.pi()?.target;
    let name_at = range.start + 2;
    if target == "xml" {
        return Some(rejected(
            name_at,
            "unexpected XML declaration: it must be the very first thing in the file, with nothing before it (not even white space)",
        ));
    }
    if target.eq_ignore_ascii_case("xml") {
        return Some(rejected(
            name_at,
            format!(
                "`<?{target}` is not allowed: processing instructions may not be named `xml` in any letter case (an XML declaration is `<?xml version=\"1.0\"?>`, lowercase, first in the file)"
            ),
        ));
    }
    if target.contains(':') {
        return Some(rejected(
            name_at,
            format!(
                "the processing instruction name `{target}` has a `:`, which System.Xml does not allow"
            ),
        ));
    }
    let after_name = name_at + target.len();
    let next = text.as_bytes().get(after_name).copied();
    if !next.is_some_and(is_xml_space) && !text[after_name..].starts_with("?>") {
        return Some(rejected(
            after_name,
            format!("white space is needed after the processing instruction name `{target}`"),
        ));
    }
    None
}

/// The namespace declarations of the start tag at `start` that System.Xml refuses.
fn tag_namespace_declarations(text: &str, start: usize) -> Option<Rejected> {
    let tag = &text[start..start_tag_end(text, start)];
    let mut default_declared = false;
    for (name, value) in written_attributes(tag) {
        let (name_text, at) = (&tag[name.clone()], start + name.start);
        if name_text == "xmlns" {
            if default_declared {
                return Some(rejected(at, "`xmlns` is written twice on this element"));
            }
            default_declared = true;
        } else if let Some(prefix) = name_text.strip_prefix("xmlns:") {
            if prefix == "xmlns" {
                return Some(rejected(
                    at,
                    "the `xmlns` prefix is reserved and cannot be declared",
                ));
            }
            if value.is_empty() {
                return Some(rejected(
                    at,
                    format!(
                        "`{name_text}=\"\"` undeclares a prefix, which XML 1.0 namespaces do not allow; IIS and ASP.NET refuse the file (remove the attribute)"
                    ),
                ));
            }
        }
    }
    None
}

/// The attributes of a well-formed start tag as written: name and raw value, as ranges in `tag`.
fn written_attributes(tag: &str) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
    let bytes = tag.as_bytes();
    let skip_space = |mut at: usize| {
        while bytes.get(at).copied().is_some_and(is_xml_space) {
            at += 1;
        }
        at
    };
    let mut at = bytes
        .iter()
        .position(|&b| is_xml_space(b) || b == b'/' || b == b'>')
        .unwrap_or(bytes.len());
    std::iter::from_fn(move || {
        at = skip_space(at);
        if matches!(bytes.get(at), None | Some(b'/' | b'>')) {
            return None;
        }
        let name_start = at;
        while bytes
            .get(at)
            .is_some_and(|&b| b != b'=' && !is_xml_space(b))
        {
            at += 1;
        }
        let name = name_start..at;
        at = skip_space(skip_space(at) + 1);
        let quote = *bytes.get(at)?;
        let value_start = at + 1;
        let value_len = bytes[value_start..].iter().position(|&b| b == quote)?;
        at = value_start + value_len + 1;
        Some((name, value_start..value_start + value_len))
    })
}

/// `xml:space` must be `default` or `preserve`, around white space (`XmlTextReaderImpl.OnXmlReservedAttribute`).
fn xml_space(node: roxmltree::Node<'_, '_>) -> Option<Rejected> {
    let attr = node
        .attributes()
        .find(|a| a.namespace() == Some(XML_NAMESPACE) && a.name() == "space")?;
    let value = attr
        .value()
        .trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    (value != "default" && value != "preserve").then(|| {
        rejected(
            attr.range().start,
            format!(
                "xml:space=\"{}\": it must be `default` or `preserve` (lowercase)",
                attr.value()
            ),
        )
    })
}

// Encoding names, in lowercase, as `XmlTextReaderImpl.CheckEncoding` and `SwitchEncoding` treat
// them after reading a file in the encoding its byte order mark (or first bytes) says.

/// Names it refuses unless the file is UTF-16: "There is no Unicode byte order mark. Cannot
/// switch to Unicode."
const UNICODE_NAMES: &[&str] = &["utf-16", "ucs-2", "iso-10646-ucs-2"];
/// Names it keeps reading a UTF-16 file with, besides those: `ucs-4` (never checked) and the
/// names of each byte order's own encoding.
const UTF16_ANY_ORDER: &[&str] = &["ucs-4"];
const UTF16LE_NAMES: &[&str] = &["unicode", "utf-16le"];
const UTF16BE_NAMES: &[&str] = &["unicodefffe", "utf-16be"];
/// Other names of two- and four-byte encodings: a UTF-8 file read on in one of them fails.
const WIDE_NAMES: &[&str] = &[
    "unicode",
    "utf-16le",
    "unicodefffe",
    "utf-16be",
    "utf-32",
    "utf-32le",
    "utf-32be",
];

/// Does the XML declaration's encoding agree with the encoding the file is in? System.Xml reads
/// the file in the encoding its byte order mark (or first bytes) says, then switches to the one
/// the declaration names: a UTF-8 file that says `utf-16` is refused, and a UTF-16 file that
/// says `utf-8` (or any name outside its own encoding) is read on in that encoding, which fails.
pub fn check_declared_encoding(text: &str, encoding: Encoding) -> Result<(), ParseError> {
    let Ok(Some(Declaration {
        encoding: Some(value),
        ..
    })) = xml_declaration(text)
    else {
        return Ok(());
    };
    let declared = &text[value.clone()];
    let lowercase = declared.to_ascii_lowercase();
    let is = |names: &[&str]| names.contains(&lowercase.as_str());
    let utf16 = |own: &[&str]| is(UNICODE_NAMES) || is(UTF16_ANY_ORDER) || is(own);
    let message = match encoding {
        Encoding::Utf8 if is(UNICODE_NAMES) => format!(
            "the XML declaration says encoding=\"{declared}\" but the file is UTF-8: IIS and ASP.NET refuse it (\"There is no Unicode byte order mark\"); write encoding=\"utf-8\", or save the file as UTF-16"
        ),
        Encoding::Utf8 if is(WIDE_NAMES) => format!(
            "the XML declaration says encoding=\"{declared}\" but the file is UTF-8: IIS and ASP.NET would read the rest as {declared} and fail; write encoding=\"utf-8\""
        ),
        Encoding::Utf16Le if !utf16(UTF16LE_NAMES) => format!(
            "the file is UTF-16 (little endian) but its XML declaration says encoding=\"{declared}\": IIS and ASP.NET would read the rest as {declared} and fail; write encoding=\"utf-16\", or save the file as UTF-8"
        ),
        Encoding::Utf16Be if !utf16(UTF16BE_NAMES) => format!(
            "the file is UTF-16 (big endian) but its XML declaration says encoding=\"{declared}\": IIS and ASP.NET would read the rest as {declared} and fail; write encoding=\"utf-16\", or save the file as UTF-8"
        ),
        _ => return Ok(()),
    };
    Err(parse_error_at(text, value.start, message))
}

fn parse_error_at(text: &str, at: usize, message: String) -> ParseError {
    let (line, column) = LineIndex::new(text).line_col(text, at);
    ParseError {
        message,
        line,
        column,
    }
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
    pub name: CompactString,
    pub value: CompactString,
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
    pub name: CompactString,
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
        // After the last attribute only white space, `xmlns` declarations and `>` or `/>` are left.
        let after_attributes = node
            .attributes()
            .map(|a| a.range().end)
            .max()
            .unwrap_or(range.start);
        let start_tag_end = start_tag_end(text, after_attributes);
        let self_closing = text[..start_tag_end].ends_with("/>");
        // Sized for every attribute (namespaced ones are rare): collecting a filtered list grows
        // it by copies.
        let mut attrs = Vec::with_capacity(node.attributes().len());
        attrs.extend(
            node.attributes()
                .filter(|a| a.namespace().is_none())
                .map(|a| Attr {
                    name: a.name().into(),
                    value: a.value().into(),
                    range: a.range(),
                    value_range: a.range_value(),
                }),
        );
        Element {
            name: node.tag_name().name().into(),
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
    let bytes = text.as_bytes();
    let mut at = start;
    // From `>` or quote to the next, a quoted value skipped whole.
    while let Some(found) = memchr::memchr3(b'>', b'"', b'\'', &bytes[at..]) {
        let found = at + found;
        let quote = bytes[found];
        if quote == b'>' {
            return found + 1;
        }
        match memchr::memchr(quote, &bytes[found + 1..]) {
            Some(close) => at = found + 1 + close + 1,
            None => break,
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
    fn start_tag_end_skips_quoted_values_from_any_place_outside_them() {
        // What the byte-by-byte scan it replaced answered.
        let one_by_one = |text: &str, start: usize| {
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
        };
        for text in [
            "<a b='x>y' c=\"'>\" />rest>",
            "<a b=\"unclosed >",
            "<a b='x\"' c=\"y'\">",
            "<a>",
            "<a b='>'",
            "no tag at all",
        ] {
            for start in (0..text.len()).filter(|&i| !text[..i].contains(['\'', '"'])) {
                assert_eq!(
                    start_tag_end(text, start),
                    one_by_one(text, start),
                    "{text} {start}"
                );
            }
        }
        // After the last attribute, a namespace declaration may still hold a `>`.
        let text = "<a><b c=\"1\" xmlns:x=\"u>v\" /></a>";
        let doc = parse(text).unwrap();
        let b = Element::from_node(doc.descendants().find(|n| n.has_tag_name("b")).unwrap());
        assert_eq!(&text[b.start_tag.clone()], "<b c=\"1\" xmlns:x=\"u>v\" />");
        assert!(b.self_closing);
    }

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
    fn common_mistakes_get_plain_messages() {
        let cases = [
            (
                "<configuration>\n</configuration>\n</configuration>\n",
                (3, 1),
                "closing tag `</configuration>` without an open element",
            ),
            (
                "</configuration>\n",
                (1, 1),
                "closing tag `</configuration>` without an open element",
            ),
            (
                "<configuration>\n  <!- note -->\n</configuration>",
                (2, 3),
                "`<!--`",
            ),
            ("text only\n", (1, 1), "text before the root element"),
            (
                "<?xml version=\"1.0\"?>\n<!-- a -->\nhello<configuration/>",
                (3, 1),
                "text before the root element",
            ),
            (
                "<configuration/>\ntrailing",
                (2, 1),
                "text after the root element",
            ),
            (
                "<?xml version=\"1.0\"?>\n<!-- nothing -->\n",
                (3, 1),
                "no root element",
            ),
        ];
        for (text, position, needle) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.message.contains(needle), "{text:?}: {}", err.message);
            assert_eq!(
                (err.line, err.column),
                position,
                "{text:?}: {}",
                err.message
            );
        }
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

    /// The error of parsing `text` as (line, column, message), or `None` when it parses.
    fn refusal(text: &str) -> Option<(usize, usize, String)> {
        parse(text).err().map(|e| (e.line, e.column, e.message))
    }

    fn assert_refused(text: &str, line: usize, column: usize, needle: &str) {
        let (l, c, message) = refusal(text).unwrap_or_else(|| panic!("accepted: {text:?}"));
        assert_eq!((l, c), (line, column), "{text:?}: {message}");
        assert!(
            message.contains(needle),
            "{text:?}: {message:?} lacks {needle:?}"
        );
    }

    const ROOT: &str = "\n<configuration />\n";

    #[test]
    fn xml_declarations_system_xml_refuses() {
        for (declaration, column, needle) in [
            (
                "<?xml version=\"1.0\" encoding=\"utf-8=\"?>",
                31,
                "not an encoding name",
            ),
            (
                "<?xml version=\"1.0\" encoding=\"utf 8\"?>",
                31,
                "not an encoding name",
            ),
            (
                "<?xml version=\"1.0\" encoding=\"\"?>",
                31,
                "names no encoding",
            ),
            (
                "<?xml version=\"1.0\" standalone=\"maybe\"?>",
                33,
                "`yes` or `no`",
            ),
            (
                "<?xml version=\"1.0\" standalone=\"YES\"?>",
                33,
                "`yes` or `no`",
            ),
            ("<?xml version=\"1.1\"?>", 16, "only version=\"1.0\""),
            ("<?xml version=\"1.00\"?>", 16, "only version=\"1.0\""),
            ("<?xml?>", 6, "no version"),
            ("<?xml\tencoding=\"utf-8\"?>", 7, "out of order"),
            (
                "<?xml version=\"1.0\" standalone=\"no\" encoding=\"utf-8\"?>",
                37,
                "out of order",
            ),
            ("<?xml VERSION=\"1.0\"?>", 7, "must start with version"),
            ("<?xml version=\"1.0\" foo=\"bar\"?>", 21, "unknown `foo`"),
            (
                "<?xml version=\"1.0\"encoding=\"utf-8\"?>",
                20,
                "white space",
            ),
            (
                "<?xml version=\"1.0\" encoding=\"utf-8\"? >",
                37,
                "`?` must be followed by `>`",
            ),
            ("<?xml version=\"1.0\t\"?>", 19, "'\\t' is not allowed"),
            ("<?xml version=1.0?>", 15, "in quotes"),
            (
                "<?xmlversion=\"1.0\"?>",
                13,
                "white space is needed after the processing instruction name `xmlversion`",
            ),
            ("<?XML version=\"1.0\"?>", 3, "`<?XML` is not allowed"),
            ("<?Xml version=\"1.0\"?>", 3, "`<?Xml` is not allowed"),
        ] {
            assert_refused(&format!("{declaration}{ROOT}"), 1, column, needle);
        }
    }

    #[test]
    fn xml_declarations_system_xml_accepts() {
        for declaration in [
            "<?xml version=\"1.0\"?>",
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>",
            "<?xml version = \"1.0\"  encoding =\"iso_8859-1:1987\" ?>",
            "<?xml\tversion=\"1.0\"\r\n\tencoding=\"windows-1252\"\n?>",
            "<?xml version=\"1.0\" standalone=\"no\"?>",
            // Names .NET may or may not know, depending on the machine: not judged.
            "<?xml version=\"1.0\" encoding=\"klingon\"?>",
            "<?xml-stylesheet href=\"a.xsl\"?>",
        ] {
            assert_eq!(
                refusal(&format!("{declaration}{ROOT}")),
                None,
                "{declaration}"
            );
        }
    }

    #[test]
    fn processing_instructions_system_xml_refuses() {
        let in_content = |pi: &str| format!("<configuration>\n  {pi}\n</configuration>\n");
        for (pi, column, needle) in [
            ("<?XML x?>", 5, "`<?XML` is not allowed"),
            ("<?xml?>", 5, "unexpected XML declaration"),
            ("<?xml\tversion=\"1.0\"?>", 5, "unexpected XML declaration"),
            ("<?xml version=\"1.0\"?>", 3, "unexpected XML declaration"),
            ("<?a:b x?>", 5, "has a `:`"),
            ("<?foo=bar?>", 8, "white space is needed"),
        ] {
            assert_refused(&in_content(pi), 2, column, needle);
        }
        assert_refused(
            " <?xml version=\"1.0\"?><a/>",
            1,
            2,
            "unexpected XML declaration",
        );
        assert_refused("<a/>\r<?XmL?>", 2, 3, "not allowed");
        for pi in [
            "<?foo?>",
            "<?foo bar?>",
            "<?xmlfoo x?>",
            "<?xml-stylesheet x?>",
        ] {
            assert_eq!(refusal(&in_content(pi)), None, "{pi}");
        }
    }

    #[test]
    fn namespace_declarations_system_xml_refuses() {
        assert_refused(
            "<configuration xmlns:p=\"urn:x\">\n  <a xmlns:p=\"\"/>\n</configuration>",
            2,
            6,
            "`xmlns:p=\"\"` undeclares a prefix",
        );
        assert_refused(
            "<configuration xmlns:p = ''/>",
            1,
            16,
            "undeclares a prefix",
        );
        assert_refused(
            "<configuration xmlns:xmlns=\"urn:x\"/>",
            1,
            16,
            "`xmlns` prefix is reserved",
        );
        assert_refused(
            "<configuration a=\"xmlns\" xmlns=\"urn:a\"\n  xmlns=\"urn:b\"/>",
            2,
            3,
            "`xmlns` is written twice",
        );
        assert_refused(
            "<configuration xmlns=\"urn:a\">\n<a xmlns=\"urn:a\" xmlns=\"urn:a\"/></configuration>",
            2,
            18,
            "`xmlns` is written twice",
        );
        for fine in [
            "<configuration xmlns=\"\"/>",
            "<configuration xmlns:p=\"urn:p\"><a xmlns:p=\"urn:p\"><b xmlns:q=\"urn:q\"/></a></configuration>",
            "<configuration xmlns:p=\" \"><p:a/></configuration>",
            "<configuration xmlns=\"urn:a\"><a xmlns=\"\" b=\"xmlns:p=''\"/></configuration>",
        ] {
            assert_eq!(refusal(fine), None, "{fine}");
        }
    }

    #[test]
    fn xml_space_must_be_default_or_preserve() {
        assert_refused(
            "<configuration>\n <a xml:space=\"Preserve\"/></configuration>",
            2,
            5,
            "`default` or `preserve`",
        );
        assert_eq!(
            refusal(
                "<configuration xml:space=\" preserve\"><a xml:space=\"default\"/></configuration>"
            ),
            None
        );
    }

    #[test]
    fn the_declared_encoding_must_be_the_files() {
        let declaring = |name: &str| format!("<?xml version=\"1.0\" encoding=\"{name}\"?>\n<a/>");
        let refused = |name: &str, encoding: Encoding| {
            check_declared_encoding(&declaring(name), encoding)
                .err()
                .map(|e| (e.line, e.column, e.message))
        };
        for name in ["utf-16", "UCS-2", "iso-10646-ucs-2"] {
            let (line, column, message) = refused(name, Encoding::Utf8).unwrap();
            assert_eq!((line, column), (1, 31));
            assert!(message.contains("no Unicode byte order mark"), "{message}");
        }
        for name in ["unicode", "utf-32", "UTF-16BE"] {
            assert!(refused(name, Encoding::Utf8).is_some(), "{name}");
        }
        for name in [
            "utf-8",
            "UTF-8",
            "ucs-4",
            "iso-8859-1",
            "windows-1252",
            "klingon",
        ] {
            assert_eq!(refused(name, Encoding::Utf8), None, "{name}");
        }
        for name in ["utf-8", "iso-8859-1", "unicodeFFFE", "utf-16be"] {
            assert!(refused(name, Encoding::Utf16Le).is_some(), "{name}");
        }
        for name in ["utf-16", "UTF-16LE", "unicode", "ucs-2", "ucs-4"] {
            assert_eq!(refused(name, Encoding::Utf16Le), None, "{name}");
        }
        for name in ["utf-8", "unicode", "utf-16le"] {
            assert!(refused(name, Encoding::Utf16Be).is_some(), "{name}");
        }
        for name in ["utf-16", "unicodeFFFE", "utf-16BE"] {
            assert_eq!(refused(name, Encoding::Utf16Be), None, "{name}");
        }
        assert!(check_declared_encoding("<?xml version=\"1.0\"?><a/>", Encoding::Utf16Le).is_ok());
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
