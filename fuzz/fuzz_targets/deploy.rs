//! flags byte, then a base web.config and a `Web.<Env>.config` transform separated by a NUL
//! byte → the deployed view linted and fixed with every rule (`--unsafe-fixes`): no panic; every
//! finding and edit lies in its own file's text on character boundaries; every file a fix
//! changed still parses, and the transform still applies.
#![no_main]

use std::sync::Arc;

use iislint::fix::Applicability;
use iislint::lint::{Bundle, fix_linted, lint_bundle};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let (facts, settings, bytes) = common::setup(data);
    let Some(split) = bytes.iter().position(|&b| b == 0) else {
        return;
    };
    let (Ok(base), Ok(transform)) = (
        std::str::from_utf8(&bytes[..split]),
        std::str::from_utf8(&bytes[split + 1..]),
    ) else {
        return;
    };
    // The engine alone never panics, whatever the pair.
    let _ = iislint::xdt::apply(base, transform);
    let bundle = Bundle {
        texts: vec![Arc::from(base), Arc::from(transform)],
        editable: 1,
        transform: Some(1),
        environment: Some("Release".to_owned()),
        ..Bundle::default()
    };
    let rules = common::rules();
    let Ok(linted) = lint_bundle(&bundle, &facts, &rules, &settings) else {
        return;
    };
    for d in &linted.diagnostics {
        let text = &bundle.texts[d.file];
        let ranges = std::iter::once(&d.range)
            .chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| &e.range)));
        for r in ranges {
            assert!(r.start <= r.end && r.end <= text.len(), "{}: {r:?}", d.rule.name);
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
        for edit in d.fix.iter().flat_map(|f| &f.edits) {
            assert!(edit.file == 0 || edit.file == 1, "{}: edit in file {}", d.rule.name, edit.file);
        }
    }
    let outcome = fix_linted(bundle.clone(), linted, &facts, &rules, &settings, Applicability::Unsafe);
    for file in [0, 1] {
        if outcome.texts[file] != bundle.texts[file] {
            assert!(
                iislint::document::parse(&outcome.texts[file]).is_ok(),
                "a fix left file {file} malformed"
            );
        }
    }
    if outcome.texts[1] != bundle.texts[1] || outcome.texts[0] != bundle.texts[0] {
        assert!(iislint::xdt::apply(&outcome.texts[0], &outcome.texts[1]).is_ok());
    }
});
