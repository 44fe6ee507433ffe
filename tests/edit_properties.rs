//! Property tests for the edit layer: random well-formed documents (element trees with hostile
//! attribute values, either quote, LF, CRLF or lone-CR line endings, comments and text) with random fix sets built by
//! `src/edits.rs` and applied with `lint::apply_fixes`:
//! - every byte outside the applied edits' ranges is kept, in order;
//! - the edits write line breaks only as the document's own line ending;
//! - the output parses, and says what the edits meant (values set, added, removed; children added)
//!   while every untouched attribute reads back unchanged;
//! - `escape_attr` round-trips any value through the parser in either quote.

use iislint::document::{Element, parse};
use iislint::edits::{Fragment, add_attr, escape_attr, insert_child, remove_attr, set_attr};
use iislint::fix::{Applicability, Edit, Fix};
use iislint::lint::apply_fixes;
use proptest::prelude::*;

/// Characters attribute values and text are drawn from: markup, both quotes, white space that
/// parsers normalise, multi-byte characters.
const CHARS: &[char] = &[
    'a', 'b', 'Z', '0', '9', ' ', '&', '<', '>', '"', '\'', '\t', '\n', '\r', ';', '#', '=', '/',
    '-', ']', 'é', 'ß', '中', '😀', '\u{a0}',
];
const ELEMENT_NAMES: &[&str] = &[
    "configuration",
    "system.web",
    "add",
    "forms",
    "x-y",
    "données",
];
const ATTR_NAMES: &[&str] = &["a", "b", "timeout", "mode", "data-x", "naïve", "k.v", "_z"];

fn value() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(CHARS), 0..12)
        .prop_map(|cs| cs.into_iter().collect())
}

#[derive(Debug, Clone)]
struct Node {
    name: &'static str,
    attrs: Vec<(&'static str, String)>,
    children: Vec<Node>,
    /// Text before the children (written escaped), and a comment.
    text: String,
    comment: bool,
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = (
        proptest::sample::select(ELEMENT_NAMES),
        proptest::sample::subsequence(ATTR_NAMES, 0..5),
        proptest::collection::vec(value(), 5),
        value(),
        any::<bool>(),
    )
        .prop_map(|(name, attr_names, values, text, comment)| Node {
            name,
            attrs: attr_names.into_iter().zip(values).collect(),
            children: Vec::new(),
            text,
            comment,
        });
    leaf.prop_recursive(4, 40, 5, |inner| {
        (
            proptest::sample::select(ELEMENT_NAMES),
            proptest::sample::subsequence(ATTR_NAMES, 0..5),
            proptest::collection::vec(value(), 5),
            proptest::collection::vec(inner, 0..5),
            any::<bool>(),
        )
            .prop_map(|(name, attr_names, values, children, comment)| Node {
                name,
                attrs: attr_names.into_iter().zip(values).collect(),
                children,
                text: String::new(),
                comment,
            })
    })
}

#[derive(Debug, Clone, Copy)]
struct Style {
    /// The line ending: LF, CRLF or a lone CR.
    eol: &'static str,
    /// Per attribute: single quotes when the bit is set.
    quotes: u32,
    /// Attributes on their own lines.
    multiline: bool,
    tabs: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (
        proptest::sample::select(&["\n", "\r\n", "\r"][..]),
        any::<u32>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(eol, quotes, multiline, tabs)| Style {
            eol,
            quotes,
            multiline,
            tabs,
        })
}

/// An escaper independent of `escape_attr`: numeric references, the other quote left raw, `>`
/// raw, so the documents are not all written the way the code under test writes.
fn escape_own(value: &str, quote: char) -> String {
    let mut out = String::new();
    for c in value.chars() {
        match c {
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&#60;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if c == quote => out.push_str(if c == '"' { "&#34;" } else { "&#39;" }),
            c => out.push(c),
        }
    }
    out
}

/// Line breaks in text are written as references too, so that the only line breaks in a
/// document are its style's line ending, which the edits must then write.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\r', "&#13;")
        .replace('\n', "&#10;")
}

fn write(node: &Node, depth: usize, style: Style, counter: &mut u32, out: &mut String) {
    let eol = style.eol;
    let unit = if style.tabs { "\t" } else { "  " };
    let indent = unit.repeat(depth);
    out.push_str(&indent);
    out.push('<');
    out.push_str(node.name);
    for (name, value) in &node.attrs {
        let quote = if style.quotes >> (*counter % 32) & 1 == 1 {
            '\''
        } else {
            '"'
        };
        *counter += 1;
        if style.multiline {
            out.push_str(eol);
            out.push_str(&indent);
            out.push_str(unit);
        } else {
            out.push(' ');
        }
        out.push_str(&format!(
            "{name}={quote}{}{quote}",
            escape_own(value, quote)
        ));
    }
    if node.children.is_empty() && node.text.is_empty() && !node.comment {
        out.push_str(if depth.is_multiple_of(2) { " />" } else { "/>" });
        return;
    }
    out.push('>');
    out.push_str(&escape_text(&node.text));
    if node.comment {
        out.push_str("<!-- a comment <add x='1'/> -->");
    }
    for child in &node.children {
        out.push_str(eol);
        write(child, depth + 1, style, counter, out);
    }
    if !node.children.is_empty() {
        out.push_str(eol);
        out.push_str(&indent);
    }
    out.push_str(&format!("</{}>", node.name));
}

fn document(root: &Node, style: Style) -> String {
    let eol = style.eol;
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{eol}");
    write(root, 0, style, &mut 0, &mut out);
    out.push_str(eol);
    out
}

#[derive(Debug, Clone)]
enum Op {
    Set {
        element: usize,
        attr: usize,
        value: String,
    },
    Add {
        element: usize,
        value: String,
    },
    Remove {
        element: usize,
        attr: usize,
    },
    Insert {
        element: usize,
        value: String,
        quote: bool,
    },
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        (any::<usize>(), any::<usize>(), value()).prop_map(|(element, attr, value)| Op::Set {
            element,
            attr,
            value
        }),
        (any::<usize>(), value()).prop_map(|(element, value)| Op::Add { element, value }),
        (any::<usize>(), any::<usize>()).prop_map(|(element, attr)| Op::Remove { element, attr }),
        (any::<usize>(), value(), any::<bool>()).prop_map(|(element, value, quote)| Op::Insert {
            element,
            value,
            quote
        }),
    ];
    proptest::collection::vec(op, 1..12)
}

/// Names apply_fixes reports applied fixes by; one per op.
const FIX_NAMES: &[&str] = &[
    "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11",
];

/// The elements of a document in document order, inserted ones (`inserted`) left out.
fn elements(text: &str) -> Vec<Element> {
    let doc = parse(text).unwrap_or_else(|e| panic!("does not parse: {e:?}\n{text}"));
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() != "inserted")
        .map(Element::from_node)
        .collect()
}

/// One fix and what it should do: (op index, fix, attribute change on an element, inserted child
/// value under an element).
type Planned = (
    usize,
    Fix,
    Option<(usize, &'static str, Expect)>,
    Option<(usize, String)>,
);

/// A built edit: (element index, edit, attribute change, inserted child value).
type Built = (
    usize,
    Option<Edit>,
    Option<(&'static str, Expect)>,
    Option<String>,
);

/// What the output must say about one original element's attributes.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Value(String),
    Absent,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn fixes_keep_untouched_bytes_and_parse(root in node(), style in style(), ops in ops()) {
        let text = document(&root, style);
        let before = elements(&text);
        prop_assume!(!before.is_empty());

        // Build one fix per op with the edit builders.
        let mut fixes: Vec<Planned> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let (element, edit, expect, inserted): Built = match op {
                Op::Set { element, attr, value } => {
                    let e = &before[element % before.len()];
                    if e.attrs.is_empty() { continue; }
                    let a = &e.attrs[attr % e.attrs.len()];
                    let name = ATTR_NAMES.iter().find(|n| **n == a.name).unwrap();
                    (element % before.len(), set_attr(&text, a, value), Some((*name, Expect::Value(value.clone()))), None)
                }
                Op::Add { element, value } => {
                    let e = &before[element % before.len()];
                    (element % before.len(), Some(add_attr(&iislint::edits::Style::new(&text), e, "added", value)), Some(("added", Expect::Value(value.clone()))), None)
                }
                Op::Remove { element, attr } => {
                    let e = &before[element % before.len()];
                    if e.attrs.is_empty() { continue; }
                    let a = &e.attrs[attr % e.attrs.len()];
                    let name = ATTR_NAMES.iter().find(|n| **n == a.name).unwrap();
                    (element % before.len(), Some(remove_attr(&text, a)), Some((*name, Expect::Absent)), None)
                }
                Op::Insert { element, value, quote } => {
                    let e = &before[element % before.len()];
                    let quote = if *quote { '\'' } else { '"' };
                    let fragment = Fragment::empty_element("inserted", &[("v", value.as_str())], quote);
                    (element % before.len(), Some(insert_child(&iislint::edits::Style::new(&text), e, &fragment)), None, Some(value.clone()))
                }
            };
            let Some(edit) = edit else { continue };
            let e = &before[element];
            // Each builder edits only inside the element it was given.
            prop_assert!(e.range.start <= edit.range.start && edit.range.end <= e.range.end,
                "{op:?}: edit {:?} outside element {:?}", edit.range, e.range);
            prop_assert!(text.is_char_boundary(edit.range.start) && text.is_char_boundary(edit.range.end));
            fixes.push((
                i,
                Fix::new(Applicability::Safe, "property", vec![edit]),
                expect.map(|(n, x)| (element, n, x)),
                inserted.map(|v| (element, v)),
            ));
        }

        let (out, applied) = apply_fixes(&text, fixes.iter().map(|(i, f, _, _)| (FIX_NAMES[*i], f)));
        let applied: Vec<_> = fixes.iter().filter(|(i, ..)| applied.contains(&FIX_NAMES[*i])).collect();

        // 1. Every byte outside the applied edits is kept: splicing the edits by hand gives the output.
        let mut edits: Vec<&Edit> = applied.iter().flat_map(|(_, f, ..)| &f.edits).collect();
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        let mut expected = String::new();
        let mut at = 0;
        for e in &edits {
            prop_assert!(e.range.start >= at, "applied edits overlap: {edits:?}");
            expected.push_str(&text[at..e.range.start]);
            expected.push_str(&e.content);
            at = e.range.end;
        }
        expected.push_str(&text[at..]);
        prop_assert_eq!(&out, &expected);
        for e in &edits {
            prop_assert!(!e.content.replace(style.eol, "").contains(['\r', '\n']),
                "{:?} breaks lines other than with {:?}", e.content, style.eol);
        }

        // 2. The output parses and says what the edits meant.
        let after = elements(&out);
        prop_assert_eq!(after.len(), before.len(), "elements lost or gained:\n{}\n---\n{}", text, out);
        for (index, (old, new)) in before.iter().zip(&after).enumerate() {
            prop_assert_eq!(&old.name, &new.name);
            let mut expect: Vec<(String, Expect)> = old
                .attrs
                .iter()
                .map(|a| (a.name.to_string(), Expect::Value(a.value.to_string())))
                .collect();
            for (_, _, change, _) in &applied {
                if let Some((element, name, x)) = change && *element == index {
                    expect.retain(|(n, _)| n != name);
                    if let Expect::Value(_) = x {
                        expect.push(((*name).to_owned(), x.clone()));
                    }
                }
            }
            let mut got: Vec<(String, Expect)> = new
                .attrs
                .iter()
                .map(|a| (a.name.to_string(), Expect::Value(a.value.to_string())))
                .collect();
            expect.sort_by(|a, b| a.0.cmp(&b.0));
            got.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(&got, &expect, "element {} ({}):\n{}\n---\n{}", index, old.name, text, out);
        }
        let doc = parse(&out).unwrap();
        let mut inserted: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("inserted"))
            .map(|n| n.attribute("v").unwrap_or_default().to_owned())
            .collect();
        let mut wanted: Vec<String> = applied.iter().filter_map(|(.., ins)| ins.as_ref().map(|(_, v)| v.clone())).collect();
        inserted.sort();
        wanted.sort();
        prop_assert_eq!(inserted, wanted);
    }

    #[test]
    fn escape_attr_round_trips(v in value(), single in any::<bool>()) {
        let quote = if single { '\'' } else { '"' };
        let text = format!("<a v={quote}{}{quote}/>", escape_attr(&v, quote));
        let doc = parse(&text).unwrap();
        prop_assert_eq!(doc.root_element().attribute("v"), Some(v.as_str()));
    }
}
