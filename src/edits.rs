//! Edit builders that write in the file's own style: its quote character, attribute separator,
//! indentation and line ending. The document is never re-serialised; every edit is a splice.
//!
//! Fragments are written by hand rather than with xmlwriter: its escaping leaves `&`, `<`, tabs and
//! line breaks raw (see `../shared/research/rust-ecosystem.md` §2), it always writes `\n`, and it has
//! no notion of the neighbouring lines' indentation, which is all these few fragments need.

use std::cell::OnceCell;

use crate::document::{Attr, Element};
use crate::fix::Edit;
use crate::source::{LineBreaks, line_start_before};

/// A text to build edits for, and how it writes XML: its quote, line ending and indentation
/// unit. Each of those scans the whole text, so each is worked out once per text, when a fix
/// first needs it, and shared by every fix built on the text.
pub struct Style<'t> {
    pub text: &'t str,
    quote: OnceCell<char>,
    line_breaks: OnceCell<LineBreaks>,
    indent_unit: OnceCell<String>,
}

impl<'t> Style<'t> {
    pub fn new(text: &'t str) -> Style<'t> {
        Style {
            text,
            quote: OnceCell::new(),
            line_breaks: OnceCell::new(),
            indent_unit: OnceCell::new(),
        }
    }

    /// The quote most attribute values in the text use.
    pub fn quote(&self) -> char {
        *self.quote.get_or_init(|| preferred_quote(self.text))
    }

    fn line_breaks(&self) -> LineBreaks {
        *self.line_breaks.get_or_init(|| LineBreaks::of(self.text))
    }

    pub fn line_ending(&self) -> &'static str {
        self.line_breaks().most_common().as_str()
    }

    pub fn indent_unit(&self) -> &str {
        self.indent_unit
            .get_or_init(|| indent_unit_of(self.text, self.line_breaks().cr > 0))
    }
}

/// Escapes an attribute value for the given quote so that an XML parser reads back exactly
/// `value`: white space other than a plain space is written as a character reference, because
/// parsers normalise literal tabs and line breaks in attribute values to spaces.
pub fn escape_attr(value: &str, quote: char) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if quote == '"' => out.push_str("&quot;"),
            '\'' if quote == '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Sets an existing attribute's value, keeping its quotes; `None` when it already has that value.
pub fn set_attr(text: &str, attr: &Attr, value: &str) -> Option<Edit> {
    (attr.value != value).then(|| {
        Edit::replace(
            attr.value_range.clone(),
            escape_attr(value, attr.quote(text)),
        )
    })
}

/// Adds an attribute after the element's last one, separated the way its attributes already are
/// (a space, or a line break and the same indentation), in the quote the element already uses.
pub fn add_attr(style: &Style<'_>, element: &Element, name: &str, value: &str) -> Edit {
    let text = style.text;
    let quote = element
        .attrs
        .last()
        .map_or_else(|| style.quote(), |a| a.quote(text));
    let (insert_at, separator) = match element.attrs.as_slice() {
        [] => (element.name_end(text), " ".to_owned()),
        [only] => (
            only.range.end,
            text[element.name_end(text)..only.range.start].to_owned(),
        ),
        [.., before, last] => (
            last.range.end,
            text[before.range.end..last.range.start].to_owned(),
        ),
    };
    let separator = if separator.trim().is_empty() && !separator.is_empty() {
        separator
    } else {
        " ".to_owned()
    };
    Edit::insert(
        insert_at,
        format!(
            "{separator}{name}={quote}{}{quote}",
            escape_attr(value, quote)
        ),
    )
}

/// Sets `name` on `element`, adding it when absent; `None` when it already has that value.
pub fn set_or_add_attr(
    style: &Style<'_>,
    element: &Element,
    name: &str,
    value: &str,
) -> Option<Edit> {
    match element.attr(name) {
        Some(attr) => set_attr(style.text, attr, value),
        None => Some(add_attr(style, element, name, value)),
    }
}

/// Sets `attr` on `element`, or, when the file has no such element, inserts `<name attr="value" />`
/// into `parent`; `None` when the value is already right.
pub fn set_attr_or_insert(
    style: &Style<'_>,
    element: Option<&Element>,
    parent: &Element,
    name: &str,
    attr: &str,
    value: &str,
) -> Option<Edit> {
    match element {
        Some(element) => set_or_add_attr(style, element, attr, value),
        None => Some(insert_child(
            style,
            parent,
            &Fragment::empty_element(name, &[(attr, value)], style.quote()),
        )),
    }
}

/// Removes an attribute together with the white space that separates it from what precedes it.
pub fn remove_attr(text: &str, attr: &Attr) -> Edit {
    let before = &text[..attr.range.start];
    let start = before.trim_end_matches([' ', '\t', '\r', '\n']).len();
    Edit::delete(start..attr.range.end)
}

/// The quote most attribute values in the file use.
pub fn preferred_quote(text: &str) -> char {
    // Splitting on one byte uses memchr; the two-byte substring searcher of `matches("=\"")` was
    // a visible share of a check run.
    let (mut double, mut single) = (0usize, 0usize);
    for after_equals in text.split('=').skip(1) {
        match after_equals.as_bytes().first() {
            Some(b'"') => double += 1,
            Some(b'\'') => single += 1,
            _ => {}
        }
    }
    if single > double { '\'' } else { '"' }
}

/// A new element to write: lines relative to the element's own indentation, each with its depth.
pub struct Fragment {
    pub lines: Vec<(usize, String)>,
}

impl Fragment {
    /// A one-line empty element `<name a="v" />`, attributes in the given order, in `quote`.
    pub fn empty_element(name: &str, attrs: &[(&str, &str)], quote: char) -> Fragment {
        Fragment {
            lines: vec![(0, empty_element_line(name, attrs, quote))],
        }
    }
}

pub fn empty_element_line(name: &str, attrs: &[(&str, &str)], quote: char) -> String {
    let mut line = format!("<{name}");
    for (attr, value) in attrs {
        line.push_str(&format!(
            " {attr}={quote}{}{quote}",
            escape_attr(value, quote)
        ));
    }
    line.push_str(" />");
    line
}

/// Inserts `fragment` as the last child of `parent`, indented like its other children (or one
/// indentation unit deeper than the parent), with the file's line ending. A self-closing parent
/// (`<x />`) is opened (`<x>` … `</x>`).
pub fn insert_child(style: &Style<'_>, parent: &Element, fragment: &Fragment) -> Edit {
    let text = style.text;
    let eol = style.line_ending();
    let parent_indent = indentation_of_line(text, parent.start_tag.start);
    // A parent indented with tabs gets tab-indented children, whatever most of the file uses.
    let unit = if !parent_indent.is_empty() && parent_indent.chars().all(|c| c == '\t') {
        "\t"
    } else {
        style.indent_unit()
    };
    let child_indent =
        child_indentation(text, parent).unwrap_or_else(|| format!("{parent_indent}{unit}"));
    let body: Vec<String> = fragment
        .lines
        .iter()
        .map(|(depth, line)| format!("{child_indent}{}{line}", unit.repeat(*depth)))
        .collect();
    let body = body.join(eol);

    if parent.self_closing {
        let tag = &text[parent.start_tag.clone()];
        let content_end = parent.start_tag.start + tag[..tag.len() - 2].trim_end().len();
        return Edit::replace(
            content_end..parent.start_tag.end,
            format!(
                ">{eol}{body}{eol}{parent_indent}</{}>",
                qualified_name(text, parent)
            ),
        );
    }
    let close_start = parent.start_tag.end.max(
        text[..parent.range.end]
            .rfind("</")
            .unwrap_or(parent.range.end),
    );
    let line_start = line_start_before(text, close_start);
    if line_start > parent.start_tag.end && text[line_start..close_start].trim().is_empty() {
        // The end tag is on its own line: add whole lines just before it.
        Edit::insert(line_start, format!("{body}{eol}"))
    } else if line_start > parent.start_tag.end {
        // The end tag shares its line with the last child (`<pages /></system.web>`): the new
        // lines go before it, and it stays at the end of the last line, as it was.
        Edit::insert(close_start, format!("{eol}{body}"))
    } else {
        // Start and end tag on one line: open the element up.
        Edit::insert(close_start, format!("{eol}{body}{eol}{parent_indent}"))
    }
}

/// The element name as written, with any prefix.
fn qualified_name<'t>(text: &'t str, element: &Element) -> &'t str {
    &text[element.start_tag.start + 1..element.name_end(text)]
}

/// The white space that starts the line holding `offset`, if the line starts with it.
pub fn indentation_of_line(text: &str, offset: usize) -> String {
    text[line_start_before(text, offset)..offset]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The indentation of the parent's existing children, taken from the first direct child element
/// that begins a line. Comments, CDATA and processing instructions are skipped, and so are deeper
/// elements: a commented-out block written at column 0, or a grandchild, would mislead.
fn child_indentation(text: &str, parent: &Element) -> Option<String> {
    if parent.self_closing {
        return None;
    }
    let end = parent.range.end;
    let mut at = parent.start_tag.end;
    let mut depth = 0usize;
    while let Some(offset) = text[at..end].find('<') {
        let start = at + offset;
        let rest = &text[start..end];
        let skip_past = |close: &str| rest.find(close).map_or(end, |i| start + i + close.len());
        if rest.starts_with("<!--") {
            at = skip_past("-->");
        } else if rest.starts_with("<![CDATA[") {
            at = skip_past("]]>");
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            at = skip_past(">");
        } else if rest.starts_with("</") {
            if depth == 0 {
                return None;
            }
            depth -= 1;
            at = skip_past(">");
        } else {
            let tag_end = crate::document::start_tag_end(text, start).min(end);
            if depth == 0 {
                let indent = &text[line_start_before(text, start)..start];
                if indent.chars().all(|c| c == ' ' || c == '\t') {
                    return Some(indent.to_owned());
                }
            }
            if !text[..tag_end].ends_with("/>") {
                depth += 1;
            }
            at = tag_end;
        }
    }
    None
}

/// The file's indentation unit: a tab when lines are tab-indented, else the most common step
/// between the indentation of consecutive element lines (two spaces when nothing tells).
pub fn indent_unit(text: &str) -> String {
    indent_unit_of(text, LineBreaks::of(text).cr > 0)
}

/// [`indent_unit`], told whether the text has lines that end with a lone CR.
fn indent_unit_of(text: &str, lone_cr: bool) -> String {
    let mut tabs = 0usize;
    let mut spaces = 0usize;
    let mut steps = [0usize; 9];
    let mut previous: Option<usize> = None;
    // Every line ending, a lone CR included. `lines` (LF and CRLF) finds line ends with memchr,
    // where a split on both characters at once goes through the text a character at a time:
    // that is for texts with lone CRs only.
    let lines: Box<dyn Iterator<Item = &str>> = if lone_cr {
        Box::new(text.split(['\n', '\r']))
    } else {
        Box::new(text.lines())
    };
    for line in lines {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if !trimmed.starts_with('<') {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        if indent.starts_with('\t') {
            tabs += 1;
        } else if !indent.is_empty() {
            spaces += 1;
        }
        let width = indent.len();
        if let Some(prev) = previous
            && width > prev
            && width - prev < steps.len()
        {
            steps[width - prev] += 1;
        }
        previous = Some(width);
    }
    if tabs > spaces {
        return "\t".to_owned();
    }
    let step = (1..steps.len())
        .max_by_key(|s| (steps[*s], usize::MAX - s))
        .filter(|s| steps[*s] > 0)
        .unwrap_or(2);
    " ".repeat(step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse;

    fn element(text: &str, name: &str) -> Element {
        let doc = parse(text).unwrap();
        Element::from_node(doc.descendants().find(|n| n.has_tag_name(name)).unwrap())
    }

    fn apply(text: &str, edit: &Edit) -> String {
        format!(
            "{}{}{}",
            &text[..edit.range.start],
            edit.content,
            &text[edit.range.end..]
        )
    }

    #[test]
    fn set_attr_keeps_quotes_and_skips_equal_values() {
        let text = "<a><forms timeout='5' name=\"x\"/></a>";
        let forms = element(text, "forms");
        let edit = set_attr(text, forms.attr("timeout").unwrap(), "60").unwrap();
        assert_eq!(
            apply(text, &edit),
            "<a><forms timeout='60' name=\"x\"/></a>"
        );
        assert_eq!(set_attr(text, forms.attr("name").unwrap(), "x"), None);
    }

    #[test]
    fn add_attr_follows_multiline_layout() {
        let text = "<a>\r\n  <forms name=\"x\"\r\n         path=\"/\" />\r\n</a>";
        let forms = element(text, "forms");
        let out = apply(text, &add_attr(&Style::new(text), &forms, "timeout", "60"));
        assert_eq!(
            out,
            "<a>\r\n  <forms name=\"x\"\r\n         path=\"/\"\r\n         timeout=\"60\" />\r\n</a>"
        );
    }

    #[test]
    fn add_attr_to_bare_element() {
        let text = "<a><forms/></a>";
        let out = apply(
            text,
            &add_attr(&Style::new(text), &element(text, "forms"), "timeout", "a&b"),
        );
        assert_eq!(out, "<a><forms timeout=\"a&amp;b\"/></a>");
    }

    #[test]
    fn remove_attr_takes_its_separator() {
        let text = "<a x=\"1\"\n   y=\"2\"/>";
        let a = element(text, "a");
        assert_eq!(
            apply(text, &remove_attr(text, a.attr("y").unwrap())),
            "<a x=\"1\"/>"
        );
    }

    #[test]
    fn insert_child_before_own_line_end_tag() {
        let text = "<c>\r\n\t<arr>\r\n\t\t<x />\r\n\t</arr>\r\n</c>";
        let arr = element(text, "arr");
        let edit = insert_child(
            &Style::new(text),
            &arr,
            &Fragment::empty_element("affinity", &[("useCookie", "true")], '"'),
        );
        assert_eq!(
            apply(text, &edit),
            "<c>\r\n\t<arr>\r\n\t\t<x />\r\n\t\t<affinity useCookie=\"true\" />\r\n\t</arr>\r\n</c>"
        );
    }

    #[test]
    fn insert_child_in_a_lone_cr_file_writes_cr_lines_indented_like_their_siblings() {
        let text = "<c>\r    <sw>\r        <a />\r    </sw>\r</c>\r";
        let style = Style::new(text);
        assert_eq!(style.line_ending(), "\r");
        assert_eq!(style.indent_unit(), "    ");
        let fragment = Fragment::empty_element("s", &[], '"');
        let edit = insert_child(&style, &element(text, "sw"), &fragment);
        assert_eq!(
            apply(text, &edit),
            "<c>\r    <sw>\r        <a />\r        <s />\r    </sw>\r</c>\r"
        );
        // A parent without children: one unit deeper than its own line's indentation.
        let text = "<c>\r\t<sw>\r\t</sw>\r\t<x>\r\t\t<y/>\r\t</x>\r</c>";
        let edit = insert_child(&Style::new(text), &element(text, "sw"), &fragment);
        assert_eq!(
            apply(text, &edit),
            "<c>\r\t<sw>\r\t\t<s />\r\t</sw>\r\t<x>\r\t\t<y/>\r\t</x>\r</c>"
        );
    }

    #[test]
    fn insert_child_is_indented_like_direct_children() {
        let text = "<c>\n  <sw>\n    <auth>\n      <forms />\n    </auth>\n  </sw>\n</c>";
        let edit = insert_child(
            &Style::new(text),
            &element(text, "sw"),
            &Fragment::empty_element("s", &[], '"'),
        );
        assert_eq!(
            apply(text, &edit),
            "<c>\n  <sw>\n    <auth>\n      <forms />\n    </auth>\n    <s />\n  </sw>\n</c>"
        );
    }

    #[test]
    fn insert_child_ignores_comments_and_grandchildren_for_indentation() {
        let text = "<c>\n  <sw>\n<!--\n        <old />\n-->\n    <auth>\n      <forms />\n    </auth>\n  </sw>\n</c>";
        let edit = insert_child(
            &Style::new(text),
            &element(text, "sw"),
            &Fragment::empty_element("s", &[], '"'),
        );
        assert_eq!(
            apply(text, &edit),
            "<c>\n  <sw>\n<!--\n        <old />\n-->\n    <auth>\n      <forms />\n    </auth>\n    <s />\n  </sw>\n</c>"
        );
    }

    #[test]
    fn insert_child_opens_self_closing_parent() {
        let text = "<c>\n  <arr enabled=\"true\" />\n</c>";
        let arr = element(text, "arr");
        let edit = insert_child(
            &Style::new(text),
            &arr,
            &Fragment::empty_element("affinity", &[("useCookie", "true")], '"'),
        );
        assert_eq!(
            apply(text, &edit),
            "<c>\n  <arr enabled=\"true\">\n    <affinity useCookie=\"true\" />\n  </arr>\n</c>"
        );
    }

    #[test]
    fn an_end_tag_that_shares_its_line_stays_on_it() {
        let text = "<c>\n\t<sw>\n\t\t<pages /></sw>\n</c>";
        let edit = insert_child(
            &Style::new(text),
            &element(text, "sw"),
            &Fragment::empty_element("s", &[], '"'),
        );
        assert_eq!(
            apply(text, &edit),
            "<c>\n\t<sw>\n\t\t<pages />\n\t\t<s /></sw>\n</c>"
        );
    }

    #[test]
    fn a_tab_indented_parent_gets_tab_indented_lines_in_a_space_indented_file() {
        // Most lines use two spaces; the parent's own line a tab.
        let text = "<c>\n  <a>\n    <b />\n  </a>\n\t<arr enabled=\"true\" />\n</c>";
        let edit = insert_child(
            &Style::new(text),
            &element(text, "arr"),
            &Fragment {
                lines: vec![(0, "<p>".into()), (1, "<q />".into()), (0, "</p>".into())],
            },
        );
        assert_eq!(
            apply(text, &edit),
            "<c>\n  <a>\n    <b />\n  </a>\n\t<arr enabled=\"true\">\n\t\t<p>\n\t\t\t<q />\n\t\t</p>\n\t</arr>\n</c>"
        );
    }

    #[test]
    fn preferred_quote_is_the_majority_quote_after_equals() {
        assert_eq!(preferred_quote("<a x='1' y='2' z=\"3\" />"), '\'');
        assert_eq!(preferred_quote("<a x=\"1\" y='2' z=\"3\" />"), '"');
        assert_eq!(preferred_quote("<a>x = 'text' =</a>"), '"');
        assert_eq!(preferred_quote(""), '"');
    }

    #[test]
    fn insert_child_into_inline_parent() {
        let text = "<c>\n    <arr></arr>\n</c>";
        let edit = insert_child(
            &Style::new(text),
            &element(text, "arr"),
            &Fragment::empty_element("a", &[], '"'),
        );
        assert_eq!(
            apply(text, &edit),
            "<c>\n    <arr>\n        <a />\n    </arr>\n</c>"
        );
    }

    #[test]
    fn escaping_round_trips_through_the_parser() {
        for value in [
            "a&b<c>d",
            "tab\there",
            "line\r\nbreak",
            "q\"uote's",
            "  lead",
        ] {
            for quote in ['"', '\''] {
                let text = format!("<a v={quote}{}{quote}/>", escape_attr(value, quote));
                let doc = parse(&text).unwrap();
                assert_eq!(doc.root_element().attribute("v"), Some(value), "{text}");
            }
        }
    }
}
