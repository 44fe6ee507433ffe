//! The vendored parser (vendor/roxmltree, patched for speed) against the published roxmltree
//! 0.21.2: the same tree or the same error, at the same position, for every fixture, XDT
//! conformance file and corpus file (`../shared/corpus`, when present) and for mutations of them
//! near markup (vendor/roxmltree/PATCHES.md).

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Everything a parse gives that iislint could read: each node's kind, name, text (borrowed or
/// owned), processing instruction, range, attributes (namespace, name, value borrowed or owned,
/// ranges) and namespaces; or the error and its position.
macro_rules! dump {
    ($krate:ident, $text:expr) => {
        dump!($krate, $text, false)
    };
    ($krate:ident, $text:expr, $allow_dtd:expr) => {
        dump!(@ $krate, $text, $krate::ParsingOptions {
            allow_dtd: $allow_dtd,
            ..Default::default()
        }, |_| true, |node: &$krate::Node| format!("{:?}", node.text_storage()))
    };
    // With these options, of the nodes `keep` keeps, each node's text as `text_of` gives it.
    (@ $krate:ident, $text:expr, $options:expr, $keep:expr, $text_of:expr) => {{
        match $krate::Document::parse_with_options($text, $options) {
            Err(error) => format!("error {error} at {:?}", error.pos()),
            Ok(doc) => {
                let mut out = String::new();
                for node in doc.descendants().filter($keep) {
                    let _ = write!(
                        out,
                        "{:?} {:?} {} {:?} {:?}",
                        node.node_type(),
                        node.tag_name(),
                        $text_of(&node),
                        node.pi(),
                        node.range()
                    );
                    for attr in node.attributes() {
                        let _ = write!(
                            out,
                            " @{:?}:{:?}={:?} {:?} {:?} {:?}",
                            attr.namespace(),
                            attr.name(),
                            attr.value_storage(),
                            attr.range(),
                            attr.range_qname(),
                            attr.range_value()
                        );
                    }
                    for ns in node.namespaces() {
                        let _ = write!(out, " ns {:?}={:?}", ns.name(), ns.uri());
                    }
                    out.push('\n');
                }
                out
            }
        }
    }};
}

/// Attribute values with each byte the value scan stops at (and a space, which it passes over),
/// at every offset of the first three eight-byte steps, in both quotes, and values cut short.
#[test]
fn attribute_values_read_as_the_published_parser_reads_them() {
    let specials = [
        " ", "\"", "'", "&amp;", "&#9;", "&bad", "<", "\t", "\n", "\r", "\r\n", "\u{1}", "\u{1F}",
        "\u{7F}", "é", "日", "\u{FFFE}", "(",
    ];
    let mut compared = 0;
    for special in specials {
        for at in 0..24 {
            for len in [at, at + 1, 24] {
                let filler = |n: usize| "x.y-z_09".chars().cycle().take(n).collect::<String>();
                let value = format!("{}{special}{}", filler(at), filler(len - at));
                for quote in ['"', '\''] {
                    for text in [
                        format!("<a b={quote}{value}{quote} c='d'/>"),
                        format!("<a b={quote}{value}"),
                    ] {
                        let published = dump!(roxmltree_published, &text);
                        let vendored = dump!(roxmltree, &text);
                        assert!(
                            published == vendored,
                            "{text:?} parses differently:\n--- published\n{published}\n--- vendored\n{vendored}"
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(compared, 18 * 24 * 3 * 2 * 2);
}

/// The vendored parser with `drop_blank_text` (as iislint parses), and the published one less the
/// text nodes that option leaves out: those whose text in the input is only white space, not
/// joined with a CDATA section that follows.
fn dropping_blank_text(input: &str) -> (String, String) {
    let vendored = dump!(@ roxmltree, input, roxmltree::ParsingOptions {
        drop_blank_text: true,
        ..Default::default()
    }, |_| true, |node: &roxmltree::Node| format!("{:?}", node.text_storage()));
    let left_out = |node: &roxmltree_published::Node| {
        let range = node.range();
        let blank = input[range.clone()]
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        node.is_text() && blank && !input[range.end..].starts_with("<![CDATA[")
    };
    // An element's text is its first child's, when that is a text: none when it was left out.
    let published = dump!(@ roxmltree_published, input, roxmltree_published::ParsingOptions::default(), |node| !left_out(node), |node: &roxmltree_published::Node| {
        match node.first_child() {
            Some(first) if node.is_element() && left_out(&first) => format!("{:?}", None::<()>),
            _ => format!("{:?}", node.text_storage()),
        }
    });
    (published, vendored)
}

fn text_files(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            text_files(&path, out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            // UTF-16 files are decoded by iislint before parsing; their UTF-8 twins are covered.
            out.push((path, text));
        }
    }
}

/// The pieces mutations insert: what the patched loops look for or must refuse.
const PIECES: &[&str] = &[
    "\r",
    "\n",
    "\r\n",
    "<",
    ">",
    "-",
    "--",
    "-->",
    "<!--",
    "&",
    "&amp;",
    "&#1;",
    "&#xD;",
    "\u{1}",
    "\u{FFFE}",
    "é",
    "\u{10000}",
    ":",
    "a:b",
    "]]>",
    "<![CDATA[",
    "\"",
    "'",
    "=",
    "\u{FFFF}",
    "&lt;",
    "&#x9;",
    " xmlns:a=\"u\"",
    " a:c=\"v\"",
    " c=\"v\"",
    " ",
    "\t",
    "\u{85}",
];

/// A small deterministic generator (xorshift), so a failure is reproducible.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }

    fn boundary(text: &str, mut at: usize) -> usize {
        while !text.is_char_boundary(at) {
            at += 1;
        }
        at
    }

    fn mutate(&mut self, text: &str) -> String {
        let mut out = text.to_owned();
        for _ in 0..1 + self.next() % 4 {
            let at = Self::boundary(&out, self.next() % (out.len() + 1));
            let piece = PIECES[self.next() % PIECES.len()];
            let end = Self::boundary(&out, (at + 1 + self.next() % 8).min(out.len()));
            match self.next() % 3 {
                0 => out.insert_str(at, piece),
                1 => out.replace_range(at..end, ""),
                _ => out.replace_range(at..end, piece),
            }
        }
        out
    }
}

#[test]
fn the_vendored_parser_reads_every_document_as_the_published_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    text_files(&root.join("fixtures"), &mut files);
    text_files(&root.join("tests/xdt"), &mut files);
    let fixtures = files.len();
    let corpus = root.join("../shared/corpus/files");
    if corpus.is_dir() {
        text_files(&corpus, &mut files);
    } else {
        eprintln!("the corpus is not at {}: fixtures only", corpus.display());
    }
    assert!(
        fixtures > 100,
        "fixtures not found under {}",
        root.display()
    );
    let scale = std::env::var("PARSER_MUTATIONS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    let mut mutator = Mutator(0x9e37_79b9_7f4a_7c15);
    let mut documents = 0;
    let mut errors = 0;
    let mut dropped_some = false;
    for (index, (path, text)) in files.iter().enumerate() {
        // Fixtures are small: more mutations each. `PARSER_MUTATIONS=n` multiplies both by n.
        let mutations = if index < fixtures { 30 } else { 3 } * scale;
        for round in 0..=mutations {
            let input = if round == 0 {
                text.clone()
            } else {
                mutator.mutate(text)
            };
            let published = dump!(roxmltree_published, &input);
            let vendored = dump!(roxmltree, &input);
            documents += 1;
            errors += usize::from(published.starts_with("error "));
            assert!(
                published == vendored,
                "{} (mutation {round}) parses differently:\n{input}\n--- published\n{published}\n--- vendored\n{vendored}",
                path.display()
            );
            let whole = published.len();
            let (published, vendored) = dropping_blank_text(&input);
            assert!(
                published == vendored,
                "{} (mutation {round}) parses differently without blank texts:\n{input}\n--- published, less blank texts\n{published}\n--- vendored, dropping them\n{vendored}",
                path.display()
            );
            dropped_some |= published.len() < whole;
        }
    }
    // The mutations reach the error paths, not only the happy ones.
    assert!(errors * 10 > documents, "{errors} errors in {documents}");
    assert!(dropped_some, "no blank text was left out");
}

/// Documents written for the paths the patches take (text pieces merged into one node, line ends
/// and references in texts and attribute values, entities, names with prefixes and non-ASCII
/// characters), with and without a DTD allowed.
#[test]
fn the_vendored_parser_reads_the_written_documents_as_the_published_one() {
    const DOCUMENTS: &[&str] = &[
        "<a>\r\n x<![CDATA[y]]>\r\nz</a>",
        "<a>\r\n<![CDATA[]]>&amp;\r</a>",
        "<a><![CDATA[\r\n]]>\r\n\r<b/>\r&#13;\r\n</a>",
        "<a>x\ry\r\n<![CDATA[c\rd]]>\r</a>",
        "<a b='x\r\ny\tz&#9;&lt;' c=\"&quot;'\"/>",
        "<a b='x' b='y'/>",
        "<a xmlns:p='u' xmlns:q='u' p:b='1' q:b='2'/>",
        "<a xmlns:p='u' p:b='1' b='2'><p:c p:d='' d=''/></a>",
        "<é é='1' xmlns:ü='u' ü:b='2'/>",
        "<a b='\u{1}'/>",
        "<a b='\u{FFFE}'/>",
        "<a>\u{FFFF}</a>",
        "<a>x]]>y</a>",
        "<a>x>y</a>",
        "<a b='x",
        "<a b='x<'/>",
        "<a><!-- x\u{1} --></a>",
        "<a><!-- é\u{FFFE} --></a>",
        "<a><!-- 12345678 12345678 \u{2}12345678 --></a>",
        "<!DOCTYPE a [<!ENTITY e 'x\r\ny'>]><a b='&e;'>&e;\r\n&e;</a>",
        "<!DOCTYPE a [<!ENTITY e '<b>t</b>'>]><a>\r\n&e;\r\n</a>",
        "<!DOCTYPE a [<!ENTITY e '&#60;'>]><a b='&e;'/>",
        "<a:b xmlns:a='u'></a:b>",
        "<a:b xmlns:a='u'></a:c>",
        "<a:b:c/>",
        "<a b = 'c' d\r\n=\r\n\"e\"/>",
        "<a b='c'd='e'/>",
        "<a xmlns='x' b='c'/>",
        "<xmlns:a/>",
        "<a b='12345678901234567890&amp;1234567\t12345678\r\n'/>",
        "<a b=\"1234567'12345678(12345678 1234567\u{7F}12345678\"/>",
        "<a b='12345678<12345678'/>",
        "<a b='123456789012345678901234567890\u{1F}123'/>",
        "<a b='12345678901234567890123456789é12345678\u{FFFF}'/>",
        "<a b='1234567890123456789012345678901234567890",
        // Blank texts: left out between markup, joined with a CDATA section that follows.
        "<a>\r\n  <b/>\n\t<c> </c><!-- x -->  <?p?>\r</a>  ",
        "<a>  <![CDATA[x]]>  <b/> \r\n<![CDATA[]]></a>",
        "<a> &#32; <b/>&#x9;</a>",
        "<a>\r\n  x\r\n  <b/>  y</a>",
    ];
    for text in DOCUMENTS {
        for allow_dtd in [false, true] {
            let published = dump!(roxmltree_published, text, allow_dtd);
            let vendored = dump!(roxmltree, text, allow_dtd);
            assert!(
                published == vendored,
                "{text:?} (DTD allowed: {allow_dtd}) parses differently:\n--- published\n{published}\n--- vendored\n{vendored}"
            );
        }
        let (published, vendored) = dropping_blank_text(text);
        assert!(
            published == vendored,
            "{text:?} parses differently without blank texts:\n--- published, less blank texts\n{published}\n--- vendored, dropping them\n{vendored}"
        );
    }
}
