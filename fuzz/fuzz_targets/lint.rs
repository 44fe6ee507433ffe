//! bytes → SourceText::decode → lint_text with every rule and `farm` on: no panic, and every
//! diagnostic range lies within the text on character boundaries.
#![no_main]

use iislint::lint::lint_text;
use iislint::source::{LineIndex, SourceText};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let (facts, settings, bytes) = common::setup(data);
    let Ok(source) = SourceText::decode(bytes) else {
        return;
    };
    let text = &source.text;
    let index = LineIndex::new(text);
    let Ok((_, diagnostics)) = lint_text(text, &facts, &common::rules(), &settings) else {
        return;
    };
    for d in &diagnostics {
        let r = &d.range;
        assert!(r.start <= r.end, "{}: inverted range {r:?}", d.rule.name);
        assert!(
            r.end <= text.len(),
            "{}: range {r:?} past the end",
            d.rule.name
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{}: range {r:?} not on char boundaries",
            d.rule.name
        );
        let _ = index.line_col(text, r.start);
        let _ = index.line_col(text, r.end);
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                assert!(e.range.start <= e.range.end && e.range.end <= text.len());
                assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
            }
        }
    }
});
