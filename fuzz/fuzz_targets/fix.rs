//! bytes → decode → fix_text (unsafe fixes, farm, a session store): no panic; when the input
//! parsed, the output parses; and a second fix pass over the output changes nothing.
#![no_main]

use iislint::fix::Applicability;
use iislint::lint::fix_text;
use iislint::source::SourceText;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let (facts, settings, bytes) = common::setup(data);
    let Ok(source) = SourceText::decode(bytes) else {
        return;
    };
    let rules = common::rules();
    let Ok(first) = fix_text(
        &source.text,
        &facts,
        &rules,
        &settings,
        Applicability::Unsafe,
    ) else {
        return;
    };
    if let Err(err) = iislint::document::parse(&first.text) {
        panic!("the fixed text does not parse: {err:?}\n{}", first.text);
    }
    // The encoded output decodes back to the same text (the file is written in its own encoding).
    let back = SourceText::decode(&source.encode(&first.text)).expect("re-decodes");
    assert_eq!(back.text, first.text);
    if first.problem.is_some() {
        // Non-convergence or a fix that would break the XML is reported, not a fixed point.
        return;
    }
    let second = fix_text(
        &first.text,
        &facts,
        &rules,
        &settings,
        Applicability::Unsafe,
    )
    .expect("the fixed text parses");
    assert!(
        second.fixed.is_empty() && second.text == first.text,
        "a second pass changed the text: {:?}\n--- first\n{}\n--- second\n{}",
        second.fixed,
        first.text,
        second.text
    );
});
