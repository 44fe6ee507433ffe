//! XDT conformance: one test per case of dotnet/xdt's `XmlTransformTest.cs` (inputs, baselines and
//! logs in `tests/xdt/dotnet-xdt`, MIT), then unit tests of each transform, locator and error.
//!
//! Baselines are compared byte for byte. Logs are compared on their warnings and errors: severity,
//! (line, column) and message, in order (XDT's verbose lines are not produced).

use iislint::xdt::{self, MessageKind, Origin, Severity, Transformed};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/xdt/dotnet-xdt");

fn read(name: &str) -> String {
    let bytes = std::fs::read(format!("{DIR}/{name}")).unwrap();
    iislint::source::SourceText::decode(&bytes).unwrap().text
}

fn apply(base: &str, transform: &str) -> Transformed {
    let t = xdt::apply(base, transform).unwrap();
    assert_pieces_are_verbatim(&t, base, transform);
    t
}

fn assert_pieces_are_verbatim(t: &Transformed, base: &str, transform: &str) {
    let mut end = 0;
    for p in &t.pieces {
        assert!(
            p.output.start >= end,
            "pieces overlap or are unsorted: {p:?}"
        );
        end = p.output.end;
        let source = match p.origin {
            Origin::Base => base,
            Origin::Transform => transform,
        };
        assert_eq!(
            &t.text[p.output.clone()],
            &source[p.origin_start..p.origin_start + p.output.len()],
            "{p:?}"
        );
    }
}

/// (severity, line, column, message) of each `(line, col) warning|error: message` log line.
fn logged(log: &str) -> Vec<(Severity, usize, usize, String)> {
    log.lines()
        .filter_map(|l| {
            let open = l.find(" (")?;
            let rest = &l[open + 2..];
            let (pos, rest) = rest.split_once(") ")?;
            let (line, col) = pos.split_once(", ")?;
            let (severity, message) = if let Some(m) = rest.strip_prefix("warning: ") {
                (Severity::Warning, m)
            } else {
                (Severity::Error, rest.strip_prefix("error: ")?)
            };
            Some((
                severity,
                line.parse().ok()?,
                col.parse().ok()?,
                message.to_owned(),
            ))
        })
        .collect()
}

fn reported(t: &Transformed) -> Vec<(Severity, usize, usize, String)> {
    t.messages
        .iter()
        .map(|m| (m.severity, m.line, m.column, m.message.clone()))
        .collect()
}

fn expect_success(case: &str, log: &str) {
    let base = read(&format!("{case}_source.xml"));
    let t = apply(&base, &read(&format!("{case}_transform.xml")));
    assert!(t.succeeded);
    assert_eq!(t.text, read(&format!("{case}_destination.bsl")));
    assert_eq!(reported(&t), logged(&read(log)));
}

#[test]
fn attribute_formatting() {
    expect_success("AttributeFormatting", "AttributeFormatting.Log");
}

#[test]
fn tag_formatting() {
    expect_success("TagFormatting", "TagFormatting.log");
}

#[test]
fn edge_case() {
    expect_success("EdgeCase", "EdgeCase.log");
}

#[test]
fn error_and_warning() {
    let t = apply(
        &read("WarningsAndErrors_source.xml"),
        &read("WarningsAndErrors_transform.xml"),
    );
    assert!(!t.succeeded);
    let expected = logged(&read("WarningsAndErrors.log"));
    assert_eq!(expected.len(), 18);
    assert_eq!(reported(&t), expected);
    // XDT names "source.config (26, 6)": the element there was inserted from the transform.
    let remove = t
        .messages
        .iter()
        .find(|m| m.message == "No attributes found to remove")
        .unwrap();
    assert_eq!(remove.origin, Origin::Transform);
    let kinds: Vec<MessageKind> = t.messages.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == MessageKind::NoMatch).count(),
        3
    );
}

#[test]
fn write_to_stream_removes_debug() {
    let t = apply(&read("Web.config"), &read("Web.Release.config"));
    assert!(t.succeeded);
    assert!(read("Web.config").contains("debug=\"true\""));
    assert!(!t.text.contains("debug=\"true\""));
    assert!(t.text.lines().count() > 10);
}

#[test]
fn comment_out() {
    let t = apply(&read("Web.config"), &read("Web.Test.config"));
    assert!(t.succeeded);
    // The element's only occurrence is inside the comment, in System.Xml's OuterXml form.
    assert_eq!(t.text.matches("<add key=\"keyAppSettings1\"").count(), 1);
    assert!(
        t.text.contains(
            "<!-- <add key=\"keyAppSettings1\" value=\"This key will be commented out.\" /> -->"
        ),
        "{}",
        t.text
    );
}

#[test]
fn remove_attributes_when_attribute_not_present() {
    let release = read("Web.Release.config");
    let once = apply(&read("Web.config"), &release);
    let twice = apply(&once.text, &release);
    assert!(once.succeeded && twice.succeeded);
    assert!(!twice.text.contains("debug=\"true\""));
    // The second run finds no debug attribute: a warning, not an error.
    assert!(
        twice
            .messages
            .iter()
            .all(|m| m.severity == Severity::Warning)
    );
}

const NS: &str = r#"xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform""#;

fn run(base: &str, body: &str) -> Transformed {
    let transform = format!("<configuration {NS}>{body}</configuration>");
    apply(base, &transform)
}

const BASE: &str = "<configuration>\n  <appSettings>\n    <add key=\"a\" value=\"1\" />\n    <add key=\"b\" value=\"2\" />\n  </appSettings>\n  <system.web>\n    <compilation debug=\"true\" targetFramework=\"4.8\" />\n  </system.web>\n</configuration>\n";

#[test]
fn replace_applies_to_the_first_match_and_warns() {
    let t = run(
        BASE,
        r#"<appSettings><add key="z" xdt:Transform="Replace"/></appSettings>"#,
    );
    assert!(
        t.text.contains("<add key=\"z\"/>\n    <add key=\"b\""),
        "{}",
        t.text
    );
    assert!(
        t.messages[0]
            .message
            .contains("only applies to the first match")
    );
}

#[test]
fn remove_and_remove_all() {
    let t = run(
        BASE,
        r#"<appSettings><add xdt:Transform="Remove"/></appSettings>"#,
    );
    assert!(!t.text.contains("key=\"a\"") && t.text.contains("key=\"b\""));
    let t = run(
        BASE,
        r#"<appSettings><add xdt:Transform="RemoveAll"/></appSettings>"#,
    );
    assert_eq!(t.text.matches("<add").count(), 0, "{}", t.text);
    assert!(t.messages.is_empty());
}

#[test]
fn insert_appends_indented_like_the_siblings() {
    let t = run(
        BASE,
        r#"<appSettings><add key="c" xdt:Transform="Insert"/></appSettings>"#,
    );
    assert!(
        t.text
            .contains("<add key=\"b\" value=\"2\" />\n    <add key=\"c\"/>\n  </appSettings>"),
        "{}",
        t.text
    );
}

#[test]
fn insert_without_parent_is_an_error() {
    let t = run(BASE, r#"<nothing><add xdt:Transform="Insert"/></nothing>"#);
    assert!(!t.succeeded);
    assert_eq!(t.messages[0].kind, MessageKind::NoMatch);
    // XDT names the Insert's own path when its parent's parent exists (the WarningsAndErrors log).
    assert_eq!(
        t.messages[0].message,
        "No element in the source document matches '/configuration/nothing/add'"
    );
}

#[test]
fn insert_if_missing_inserts_once() {
    let body = r#"<appSettings><add key="a" xdt:Transform="InsertIfMissing" xdt:Locator="Match(key)"/><add key="c" xdt:Transform="InsertIfMissing" xdt:Locator="Match(key)"/></appSettings>"#;
    let t = run(BASE, body);
    assert_eq!(t.text.matches("key=\"a\"").count(), 1);
    assert_eq!(t.text.matches("key=\"c\"").count(), 1);
}

#[test]
fn insert_before_and_after() {
    let t = run(
        BASE,
        r#"<appSettings><clear xdt:Transform="InsertBefore(/configuration/appSettings/add[1])"/><x xdt:Transform="InsertAfter(/configuration/appSettings/add[@key='a'])"/></appSettings>"#,
    );
    let (clear, a, x, b) = (
        t.text.find("<clear").unwrap(),
        t.text.find("key=\"a\"").unwrap(),
        t.text.find("<x/>").unwrap(),
        t.text.find("key=\"b\"").unwrap(),
    );
    assert!(clear < a && a < x && x < b, "{}", t.text);
}

#[test]
fn set_and_remove_attributes() {
    let t = run(
        BASE,
        r#"<system.web><compilation debug="false" batch="x" xdt:Transform="SetAttributes(debug)"/></system.web>"#,
    );
    assert!(
        t.text
            .contains("<compilation debug=\"false\" targetFramework=\"4.8\" />"),
        "{}",
        t.text
    );
    // The value set maps into the transform, verbatim.
    let at = t.text.find("debug=\"false\"").unwrap();
    let piece = t.pieces.iter().find(|p| p.output.start == at).unwrap();
    assert_eq!(piece.origin, Origin::Transform);
    let t = run(
        BASE,
        r#"<system.web><compilation xdt:Transform="RemoveAttributes(debug)"/></system.web>"#,
    );
    assert!(
        t.text.contains("<compilation targetFramework=\"4.8\" />"),
        "{}",
        t.text
    );
}

#[test]
fn set_attributes_without_locator_changes_every_match() {
    let t = run(
        BASE,
        r#"<appSettings><add value="9" xdt:Transform="SetAttributes"/></appSettings>"#,
    );
    assert_eq!(t.text.matches("value=\"9\"").count(), 2);
}

#[test]
fn comment_out_and_condition_locator() {
    let t = run(
        BASE,
        r#"<appSettings><add xdt:Transform="CommentOut" xdt:Locator="Condition(@key='b')"/></appSettings>"#,
    );
    assert!(
        t.text.contains("<!-- <add key=\"b\" value=\"2\" /> -->"),
        "{}",
        t.text
    );
}

#[test]
fn xpath_locator_and_untouched_text_maps_to_base() {
    let t = run(
        BASE,
        r#"<x xdt:Transform="Remove" xdt:Locator="XPath(/configuration/appSettings/add[last()])"/>"#,
    );
    assert!(!t.text.contains("key=\"b\""));
    let at = t.text.find("<compilation").unwrap();
    assert!(
        t.pieces
            .iter()
            .any(|p| p.origin == Origin::Base && p.output.contains(&at))
    );
}

#[test]
fn errors_name_the_problem() {
    let cases = [
        (
            r#"<appSettings><add xdt:Transform="Replace" xdt:Locator="Match(missing)"/></appSettings>"#,
            "No attribute 'missing' exists for the Match Locator",
            MessageKind::Invalid,
        ),
        (
            r#"<appSettings><add xdt:Transform="Frobnicate"/></appSettings>"#,
            "Could not resolve 'Frobnicate' as a type of Transform",
            MessageKind::Invalid,
        ),
        (
            r#"<appSettings><add xdt:Transform="Remove" xdt:Locator="Condition(a,b)"/></appSettings>"#,
            "Condition requires exactly 1 arguments",
            MessageKind::Invalid,
        ),
        (
            r#"<appSettings><add xdt:Transform="Remove" xdt:Locator="XPath(following::add)"/></appSettings>"#,
            "the following axis is not supported: '/configuration/appSettings/add/following::add'",
            MessageKind::Unsupported,
        ),
        (
            r#"<appSettings><add xdt:Transform="Remove" xdt:Locator="Condition(@key=)"/></appSettings>"#,
            "'/configuration/appSettings/add[@key=]' has an invalid token.",
            MessageKind::Invalid,
        ),
    ];
    for (body, message, kind) in cases {
        let t = run(BASE, body);
        assert!(!t.succeeded, "{body}");
        assert_eq!(t.messages[0].message, message);
        assert_eq!(t.messages[0].kind, kind);
    }
}

#[test]
fn no_match_is_a_warning() {
    let t = run(
        BASE,
        r#"<appSettings><add xdt:Transform="Remove" xdt:Locator="Match(key)" key="zz"/></appSettings>"#,
    );
    assert!(t.succeeded);
    assert_eq!(t.messages[0].severity, Severity::Warning);
    assert_eq!(t.messages[0].kind, MessageKind::NoMatch);
    assert_eq!((t.messages[0].line, t.messages[0].column), (1, 94));
    assert_eq!(
        &t.messages[0].message,
        "No element in the source document matches '/configuration/appSettings/add[@key='zz']'"
    );
}

#[test]
fn supress_warnings_silences_warnings() {
    let t = run(
        BASE,
        r#"<nothing xdt:Transform="Remove" xdt:SupressWarnings="true"/>"#,
    );
    assert!(t.messages.is_empty());
}

#[test]
fn wrong_namespace_applies_nothing() {
    let transform = r#"<configuration xmlns:xdt="https://schemas.microsoft.com/XML-Document-Transform"><system.web><compilation xdt:Transform="RemoveAttributes(debug)"/></system.web></configuration>"#;
    let t = apply(BASE, transform);
    assert!(t.succeeded && !t.has_transform_namespace);
    assert!(t.text.contains("debug=\"true\""));
    let (range, uri) = xdt::namespace_near_miss(transform).unwrap();
    assert_eq!(
        &transform[range],
        r#"xmlns:xdt="https://schemas.microsoft.com/XML-Document-Transform""#
    );
    assert!(uri.starts_with("https://"));
    assert_eq!(xdt::namespace_near_miss(&format!("<c {NS}/>")), None);
}

#[test]
fn names_are_case_sensitive() {
    let t = run(
        BASE,
        r#"<appSettings><add xdt:Transform="remove"/></appSettings>"#,
    );
    assert!(!t.succeeded);
    assert!(t.text.contains("key=\"a\""));
}

#[test]
fn malformed_transform_is_an_error_with_offset() {
    let err = xdt::apply(BASE, "<configuration><a></configuration>").unwrap_err();
    assert_eq!(err.origin, Origin::Transform);
    assert!(err.offset > 0);
}

#[test]
fn hostile_inputs_do_not_panic() {
    let bodies = [
        r#"<appSettings><add xdt:Transform="InsertBefore(((" /></appSettings>"#,
        r#"<x xdt:Transform="Replace" xdt:Locator="XPath(/)"/>"#,
        r#"<x xdt:Transform="Remove" xdt:Locator="XPath(/configuration/@a)"/>"#,
        r#"<x xdt:Transform="Insert" xdt:Locator="XPath(//text())"/>"#,
        r#"<x xdt:Transform="SetAttributes(@@)" xdt:Locator="XPath(..)"/>"#,
        r#"<x xdt:Transform="CommentOut" xdt:Locator="XPath(/configuration)"/>"#,
        r#"<x xdt:Transform="Replace" xdt:Locator="Match(xdt:Transform)"/>"#,
        r#"<x xdt:Transform="Replace" xdt:Locator="Condition(substring('abc', 1 div 0))"/>"#,
        r#"<x xdt:Transform="Remove" xdt:Locator="Condition($v)"/>"#,
    ];
    for body in bodies {
        let _ = run(BASE, body);
    }
    let _ = xdt::apply(
        BASE,
        &format!("<configuration {NS} xdt:Transform=\"Insert\"/>"),
    );
    let _ = xdt::apply(
        BASE,
        &format!("<configuration {NS} xdt:Transform=\"Replace\"/>"),
    );
}

/// Every transform of the shared corpus applies without a panic and with a valid source map.
#[test]
fn corpus_transforms_apply() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/files");
    if !root.is_dir() {
        eprintln!("skipped: no corpus at {}", root.display());
        return;
    }
    let mut applied = 0;
    for entry in walk(&root) {
        let name = entry.file_name().unwrap().to_string_lossy().to_lowercase();
        if !(name.starts_with("web.") && name.ends_with(".config") && name != "web.config") {
            continue;
        }
        let dir = entry.parent().unwrap();
        let Some(base) = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("web.config"))
            })
        else {
            continue;
        };
        let decode = |p: &std::path::Path| {
            iislint::source::SourceText::decode(&std::fs::read(p).unwrap())
                .unwrap()
                .text
        };
        let (b, t) = (decode(&base), decode(&entry));
        if let Ok(result) = xdt::apply(&b, &t) {
            assert_pieces_are_verbatim(&result, &b, &t);
            applied += 1;
        }
    }
    assert!(applied > 10, "only {applied} corpus transforms applied");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn cli_transform_prints_the_deployed_document_and_exits_by_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("Web.config");
    std::fs::write(&base, format!("\u{feff}{BASE}")).unwrap();
    let good = dir.path().join("Web.Release.config");
    std::fs::write(&good, format!("<configuration {NS}><system.web><compilation xdt:Transform=\"RemoveAttributes(debug)\"/></system.web></configuration>")).unwrap();
    let out = assert_cmd::Command::cargo_bin("iislint")
        .unwrap()
        .args(["transform"])
        .arg(&base)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The base's BOM is kept; the attribute is gone.
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF<configuration>"));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("<compilation targetFramework=\"4.8\" />")
    );

    let bad = dir.path().join("Web.Bad.config");
    std::fs::write(
        &bad,
        format!("<configuration {NS}>\n<x xdt:Transform=\"Nope\"/></configuration>"),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("iislint")
        .unwrap()
        .args(["transform"])
        .arg(&base)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("Web.Bad.config:2:4: error: Could not resolve 'Nope' as a type of Transform"),
        "{stderr}"
    );

    let broken = dir.path().join("Web.Broken.config");
    std::fs::write(&broken, "<configuration>\n<x></configuration>").unwrap();
    let out = assert_cmd::Command::cargo_bin("iislint")
        .unwrap()
        .args(["transform"])
        .arg(&base)
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Web.Broken.config:2:"));
}
