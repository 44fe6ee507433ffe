//! Byte offsets into a file's text and LSP positions: a line and a character column counted in
//! the position encoding the client and the server agreed on (UTF-16 code units unless the
//! client offers UTF-8 or UTF-32).

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::source::LineIndex;

/// How a position's character column is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The server's choice among what the client offers: UTF-8 first (no conversion), then
    /// UTF-32, else UTF-16, which every client must support (LSP 3.17, `positionEncodings`).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// A text, with the starts of its lines (iislint's [`LineIndex`]: lines end at `\n`, `\r\n` or a
/// lone `\r`, as LSP counts them), for converting in both directions.
pub struct Lines<'t> {
    text: &'t str,
    index: LineIndex,
    encoding: Encoding,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> Lines<'t> {
        Lines {
            text,
            index: LineIndex::new(text),
            encoding,
        }
    }

    /// The position of a byte offset (clamped to the text, and back to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.index.line_of(offset);
        let character = self.text[self.index.line_start(line)..offset]
            .chars()
            .map(|c| self.encoding.width(c))
            .sum();
        Position::new(line as u32, character)
    }

    pub fn range(&self, range: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of a position; a column past the end of its line is the line's end, a
    /// line past the end of the text is the text's end (as LSP asks).
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.index.line_count() {
            return self.text.len();
        }
        let start = self.index.line_start(line);
        let end = if line + 1 < self.index.line_count() {
            self.index.line_start(line + 1)
        } else {
            self.text.len()
        };
        let line = self.text[start..end].trim_end_matches(['\n', '\r']);
        let mut column = 0;
        for (at, c) in line.char_indices() {
            if column >= position.character {
                return start + at;
            }
            column += self.encoding.width(c);
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_in_the_negotiated_encoding() {
        // "é" is 2 bytes in UTF-8, 1 unit in UTF-16; "𝄞" is 4 bytes, 2 units.
        let text = "<a>\r\n  é𝄞<b x=\"1\"/>\n";
        let at = text.find("<b").unwrap();
        let expect = [
            (Encoding::Utf8, 8),
            (Encoding::Utf16, 5),
            (Encoding::Utf32, 4),
        ];
        for (encoding, character) in expect {
            let lines = Lines::new(text, encoding);
            assert_eq!(
                lines.position(at),
                Position::new(1, character),
                "{encoding:?}"
            );
            assert_eq!(
                lines.offset(Position::new(1, character)),
                at,
                "{encoding:?}"
            );
        }
    }

    #[test]
    fn offsets_past_a_line_or_the_text_are_clamped() {
        let lines = Lines::new("ab\ncd", Encoding::Utf16);
        assert_eq!(lines.offset(Position::new(0, 99)), 2);
        assert_eq!(lines.offset(Position::new(7, 0)), 5);
        assert_eq!(lines.position(99), Position::new(1, 2));
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let lines = Lines::new("a\rb\r\nc", Encoding::Utf16);
        assert_eq!(lines.position(2), Position::new(1, 0));
        assert_eq!(lines.position(5), Position::new(2, 0));
    }

    #[test]
    fn utf16_is_the_default() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            Encoding::Utf8
        );
    }
}
