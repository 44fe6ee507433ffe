//! Bytes to text and back, exactly.
//!
//! A config file is decoded once into a `String` without its BOM; every range in the program indexes
//! that string. Writing re-encodes it in the file's own encoding and BOM. Line endings are never
//! normalised, so a file that was not edited comes back byte for byte.

use std::ops::Range;

/// The text encodings IIS and Visual Studio write configuration in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// The line ending new lines should be written with: the one the file already uses most. A lone
/// CR (classic Mac OS files) is a line ending like LF and CRLF, as XML's end-of-line handling
/// treats it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    CrLf,
    Cr,
}

impl LineEnding {
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }
}

/// A decoded file: its text plus what is needed to write it back identically.
#[derive(Clone, Debug)]
pub struct SourceText {
    pub text: String,
    pub encoding: Encoding,
    pub bom: bool,
}

/// Why a file's bytes are not text; `offset` is a byte offset into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    /// Line and column (1-based, column in characters) of the first bad byte, when known.
    pub line: usize,
    pub column: usize,
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

impl SourceText {
    /// Decodes a file's bytes. Undecodable input is an error, never replaced by U+FFFD: a file we
    /// could not read exactly must never be written back.
    pub fn decode(bytes: &[u8]) -> Result<SourceText, DecodeError> {
        if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
            return decode_utf8(rest, true);
        }
        if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
            return decode_utf16(rest, Encoding::Utf16Le, true);
        }
        if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
            return decode_utf16(rest, Encoding::Utf16Be, true);
        }
        // UTF-16 without a BOM still starts with '<' (or whitespace) next to a zero byte.
        match bytes {
            [b, 0, ..] if b.is_ascii() && *b != 0 => decode_utf16(bytes, Encoding::Utf16Le, false),
            [0, b, ..] if b.is_ascii() && *b != 0 => decode_utf16(bytes, Encoding::Utf16Be, false),
            _ => decode_utf8(bytes, false),
        }
    }

    /// [`SourceText::decode`], taking the bytes: UTF-8 without a BOM (most files) becomes the
    /// text without a copy.
    pub fn decode_owned(bytes: Vec<u8>) -> Result<SourceText, DecodeError> {
        let plain_utf8 = !bytes.starts_with(UTF8_BOM)
            && !matches!(
                bytes.as_slice(),
                [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [_, 0, ..] | [0, _, ..]
            );
        if !plain_utf8 {
            return SourceText::decode(&bytes);
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceText {
                text,
                encoding: Encoding::Utf8,
                bom: false,
            }),
            Err(err) => decode_utf8(err.as_bytes(), false),
        }
    }

    /// The file's bytes for `text`, in this file's encoding and BOM.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        match self.encoding {
            Encoding::Utf8 => {
                if self.bom {
                    out.extend_from_slice(UTF8_BOM);
                }
                out.extend_from_slice(text.as_bytes());
            }
            // encoding_rs only decodes UTF-16 (its encoder writes UTF-8), so encode with std.
            Encoding::Utf16Le => {
                if self.bom {
                    out.extend_from_slice(&[0xFF, 0xFE]);
                }
                text.encode_utf16()
                    .for_each(|u| out.extend_from_slice(&u.to_le_bytes()));
            }
            Encoding::Utf16Be => {
                if self.bom {
                    out.extend_from_slice(&[0xFE, 0xFF]);
                }
                text.encode_utf16()
                    .for_each(|u| out.extend_from_slice(&u.to_be_bytes()));
            }
        }
        out
    }

    /// The line ending most lines of the text end with (LF when there are none).
    pub fn line_ending(&self) -> LineEnding {
        line_ending_of(&self.text)
    }
}

/// How many lines of a text end with each line ending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineBreaks {
    /// LF not after a CR.
    pub lf: usize,
    pub crlf: usize,
    /// CR not before an LF.
    pub cr: usize,
}

impl LineBreaks {
    pub fn of(text: &str) -> LineBreaks {
        // Byte counts (vectorised) rather than `str::matches`, whose substring searcher made this
        // a visible share of a check run; the pairs are counted only when there is a CR at all.
        let bytes = text.as_bytes();
        let lf = bytes.iter().filter(|&&b| b == b'\n').count();
        let cr = bytes.iter().filter(|&&b| b == b'\r').count();
        let crlf = if cr == 0 {
            0
        } else {
            bytes.windows(2).filter(|w| w == b"\r\n").count()
        };
        LineBreaks {
            lf: lf - crlf,
            crlf,
            cr: cr - crlf,
        }
    }

    /// The line ending most lines end with; on a tie LF, then CRLF (LF when there are none).
    pub fn most_common(self) -> LineEnding {
        if self.cr > self.crlf && self.cr > self.lf {
            LineEnding::Cr
        } else if self.crlf > self.lf {
            LineEnding::CrLf
        } else {
            LineEnding::Lf
        }
    }
}

/// The line ending most lines of `text` end with; on a tie LF, then CRLF (LF when there are none).
pub fn line_ending_of(text: &str) -> LineEnding {
    LineBreaks::of(text).most_common()
}

/// The start of the line holding `offset`: just after the last line break (LF, CRLF or a lone
/// CR) before it.
pub fn line_start_before(text: &str, offset: usize) -> usize {
    // The last LF with memrchr, then a lone CR after it, if any: both searches are for one
    // character, which is fast, where a search for either character goes one at a time.
    let after_lf = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[after_lf..offset]
        .rfind('\r')
        .map_or(after_lf, |i| after_lf + i + 1)
}

/// Does a line start at `offset` (the text's start, or just after a line break)? The offset
/// between the CR and the LF of a CRLF is inside a line break, not at a line start.
pub fn is_line_start(text: &str, offset: usize) -> bool {
    let bytes = text.as_bytes();
    match offset.checked_sub(1).map(|before| bytes[before]) {
        None | Some(b'\n') => true,
        Some(b'\r') => bytes.get(offset) != Some(&b'\n'),
        Some(_) => false,
    }
}

/// How many bytes the line break at `offset` takes: 2 for CRLF, 1 for LF or a lone CR, 0 when
/// no line break starts there.
pub fn line_break_len(text: &str, offset: usize) -> usize {
    match &text.as_bytes()[offset.min(text.len())..] {
        [b'\r', b'\n', ..] => 2,
        [b'\r' | b'\n', ..] => 1,
        _ => 0,
    }
}

fn decode_utf8(bytes: &[u8], bom: bool) -> Result<SourceText, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(SourceText {
            text: text.to_owned(),
            encoding: Encoding::Utf8,
            bom,
        }),
        Err(err) => {
            let good = &bytes[..err.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let prefix = std::str::from_utf8(good).unwrap_or_default();
            let (line, column) = line_col_of_end(prefix);
            let bad_offset = err.valid_up_to() + usize::from(bom) * UTF8_BOM.len();
            Err(DecodeError {
                message: format!(
                    "not valid UTF-8: byte 0x{:02X} at offset {bad_offset} (save the file as UTF-8 or UTF-16 with a BOM)",
                    bytes[err.valid_up_to()]
                ),
                line,
                column,
            })
        }
    }
}

fn decode_utf16(bytes: &[u8], encoding: Encoding, bom: bool) -> Result<SourceText, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        let text = String::from_utf16_lossy(&units(&bytes[..bytes.len() - 1], encoding));
        let (line, column) = line_col_of_end(&text);
        return Err(DecodeError {
            message: format!("not valid {}: odd number of bytes", encoding.name()),
            line,
            column,
        });
    }
    let units = units(bytes, encoding);
    let mut text = String::with_capacity(units.len());
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => text.push(c),
            Err(err) => {
                let (line, column) = line_col_of_end(&text);
                return Err(DecodeError {
                    message: format!(
                        "not valid {}: unpaired surrogate 0x{:04X}",
                        encoding.name(),
                        err.unpaired_surrogate()
                    ),
                    line,
                    column,
                });
            }
        }
    }
    Ok(SourceText {
        text,
        encoding,
        bom,
    })
}

fn units(bytes: &[u8], encoding: Encoding) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|pair| match encoding {
            Encoding::Utf16Be => u16::from_be_bytes([pair[0], pair[1]]),
            _ => u16::from_le_bytes([pair[0], pair[1]]),
        })
        .collect()
}

/// The position just after `prefix`, as 1-based line and character column.
fn line_col_of_end(prefix: &str) -> (usize, usize) {
    LineIndex::new(prefix).line_col(prefix, prefix.len())
}

/// Does the `\n` or `\r` at `at` end a line? A `\r` followed by `\n` does not: its `\n` does.
fn ends_line(bytes: &[u8], at: usize) -> bool {
    bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n')
}

/// The 1-based column, in characters, of `offset` on the line starting at `line_start` (in bytes
/// when `offset` is not on a character boundary).
fn column_at(text: &str, line_start: usize, offset: usize) -> usize {
    text.get(line_start..offset)
        .map_or(offset - line_start, |s| s.chars().count())
        + 1
}

/// The 1-based line and column of each of `offsets` (ascending), as [`LineIndex::line_col`]
/// gives them, in one pass up to the last offset and without an index: a report needs the
/// positions of a few findings per file, an index holds every line of it.
pub fn line_cols(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    debug_assert!(offsets.is_sorted());
    let bytes = text.as_bytes();
    // The text up to `counted` is counted: `line` breaks, the last line starting at `line_start`.
    let (mut line, mut line_start, mut counted) = (0, 0, 0);
    offsets
        .iter()
        .map(|&offset| {
            let offset = offset.min(text.len());
            if offset > counted {
                let stretch = &bytes[counted..offset];
                if memchr::memchr(b'\r', stretch).is_none() {
                    // Only `\n` ends a line here: counted by memchr's counter, many bytes at a
                    // time (an `\r` before the stretch, ending its `\r\n`, did not count).
                    if let Some(last) = memchr::memrchr(b'\n', stretch) {
                        line += memchr::memchr_iter(b'\n', stretch).count();
                        line_start = counted + last + 1;
                    }
                } else {
                    for at in memchr::memchr2_iter(b'\n', b'\r', stretch) {
                        let at = counted + at;
                        if ends_line(bytes, at) {
                            line += 1;
                            line_start = at + 1;
                        }
                    }
                }
                counted = offset;
            }
            (line + 1, column_at(text, line_start, offset))
        })
        .collect()
}

/// Byte offset to line/column, built once per file so every position costs a binary search.
///
/// Lines end at LF, CRLF or a lone CR, as XML's end-of-line handling counts them (XML 1.0 §2.11),
/// so a classic Mac OS file has as many lines here as in an editor or in IIS's error messages.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // About one line per 32 bytes in configuration files: most indexes never grow.
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        // A line ends at `\n`, at `\r\n` (after the `\n`) and at a lone `\r`: found with
        // memchr, as an index is built for every file with a finding.
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if ends_line(bytes, at) {
                line_starts.push(at + 1);
            }
        }
        LineIndex { line_starts }
    }

    /// 1-based line and column; the column counts characters (Unicode scalar values).
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        (line + 1, column_at(text, self.line_starts[line], offset))
    }

    /// Byte offset of a 1-based line and character column (clamped to the text).
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        text[start..]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| start + i)
    }

    pub fn line_start(&self, line_index0: usize) -> usize {
        self.line_starts[line_index0]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line that holds `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }
}

/// The byte range of the line holding `offset`, without its line ending (LF, CRLF or a lone CR).
pub fn line_range(text: &str, offset: usize) -> Range<usize> {
    let start = line_start_before(text, offset);
    let end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_cols_are_what_the_line_index_says() {
        let mut texts: Vec<String> = [
            "",
            "a",
            "\n",
            "\r",
            "\r\n",
            "a\r\nb\rc\nd",
            "\n\n\r\r\n\r",
            "é\r\n ü\rx\n\n",
            "<a>\r\n  <b x=\"1\" />\r\n</a>\r\n",
            "line\r",
            "a\nb\n\nc\r\nd\re\n\nf",
        ]
        .map(str::to_owned)
        .to_vec();
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/files");
        if !corpus.is_dir() {
            eprintln!(
                "the corpus is not at {}: the texts above only",
                corpus.display()
            );
        }
        for entry in crate::discover::source_walk(&corpus).flatten().take(60) {
            if entry.file_type().is_some_and(|t| t.is_file())
                && let Ok(text) = std::fs::read_to_string(entry.path())
            {
                texts.push(text);
            }
        }
        for text in &texts {
            let index = LineIndex::new(text);
            // Every character boundary, and past the end.
            let mut offsets: Vec<usize> = (0..=text.len())
                .filter(|&at| text.is_char_boundary(at))
                .collect();
            offsets.push(text.len() + 3);
            let expected: Vec<(usize, usize)> =
                offsets.iter().map(|&at| index.line_col(text, at)).collect();
            assert_eq!(line_cols(text, &offsets), expected, "{text:?}");
            // A few, as a report asks.
            let few: Vec<usize> = offsets.iter().copied().step_by(97).collect();
            let expected: Vec<(usize, usize)> =
                few.iter().map(|&at| index.line_col(text, at)).collect();
            assert_eq!(line_cols(text, &few), expected, "{text:?}");
        }
    }

    #[test]
    fn utf8_bom_crlf_round_trips() {
        let bytes = b"\xEF\xBB\xBF<a>\r\n<b/>\r\n</a>\r\n";
        let src = SourceText::decode(bytes).unwrap();
        assert!(src.bom);
        assert_eq!(src.encoding, Encoding::Utf8);
        assert!(src.text.starts_with("<a>"));
        assert_eq!(src.line_ending(), LineEnding::CrLf);
        assert_eq!(src.encode(&src.text), bytes);
    }

    #[test]
    fn utf16le_with_bom_round_trips() {
        let text = "<a x=\"é\"/>\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        text.encode_utf16()
            .for_each(|u| bytes.extend_from_slice(&u.to_le_bytes()));
        let src = SourceText::decode(&bytes).unwrap();
        assert_eq!(src.encoding, Encoding::Utf16Le);
        assert_eq!(src.text, text);
        assert_eq!(src.encode(&src.text), bytes);
    }

    #[test]
    fn decode_owned_agrees_with_decode() {
        let utf16: Vec<u8> = "<a/>"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        for bytes in [
            &b"<a>\r\n</a>"[..],
            b"\xEF\xBB\xBF<a/>",
            b"<a>\xFF</a>",
            b"",
            b"<",
            &utf16,
        ] {
            let owned = SourceText::decode_owned(bytes.to_vec());
            match (SourceText::decode(bytes), owned) {
                (Ok(a), Ok(b)) => {
                    assert_eq!((a.text, a.encoding, a.bom), (b.text, b.encoding, b.bom))
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                (a, b) => panic!("{bytes:?}: {a:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn utf16be_without_bom_is_detected() {
        let text = "<a/>";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let src = SourceText::decode(&bytes).unwrap();
        assert_eq!((src.encoding, src.bom), (Encoding::Utf16Be, false));
        assert_eq!(src.encode(&src.text), bytes);
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = SourceText::decode(b"<a>\n  \xFF</a>").unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
        assert!(err.message.contains("0xFF"), "{}", err.message);
    }

    #[test]
    fn unpaired_surrogate_is_an_error() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in [b'<' as u16, 0xD800, b'>' as u16] {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let err = SourceText::decode(&bytes).unwrap_err();
        assert!(err.message.contains("surrogate"), "{}", err.message);
    }

    #[test]
    fn line_index_counts_characters() {
        let text = "ab\néé<x\r\nz";
        let index = LineIndex::new(text);
        let x = text.find("<x").unwrap();
        assert_eq!(index.line_col(text, x), (2, 3));
        assert_eq!(index.offset(text, 2, 3), x);
        assert_eq!(index.line_col(text, text.len() - 1), (3, 1));
    }

    #[test]
    fn line_range_excludes_crlf() {
        let text = "a\r\n  bc\r\nd";
        assert_eq!(&text[line_range(text, 5)], "  bc");
        let text = "a\r  bc\rd";
        assert_eq!(&text[line_range(text, 4)], "  bc");
    }

    #[test]
    fn a_lone_cr_ends_a_line_and_crlf_is_one_break() {
        let text = "<a>\r  <b/>\r\n\t<c/>\n<d/>\r";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 5);
        for (needle, position) in [("<b", (2, 3)), ("<c", (3, 2)), ("<d", (4, 1))] {
            let at = text.find(needle).unwrap();
            assert_eq!(index.line_col(text, at), position, "{needle}");
            assert_eq!(index.offset(text, position.0, position.1), at);
        }
        assert_eq!(index.line_col(text, text.len()), (5, 1));
        assert_eq!(line_start_before(text, text.find("<b").unwrap()), 4);
        assert!(is_line_start(text, 4) && !is_line_start(text, 11) && is_line_start(text, 12));
        assert_eq!(
            (
                line_break_len(text, 3),
                line_break_len(text, 10),
                line_break_len(text, 0)
            ),
            (1, 2, 0)
        );
    }

    #[test]
    fn decode_errors_count_a_lone_cr_as_a_line_break() {
        let err = SourceText::decode(b"<a>\r  \xFF</a>").unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
    }

    #[test]
    fn the_majority_line_ending_is_written() {
        let ending = |text: &str| line_ending_of(text);
        assert_eq!(ending("<a>\r<b/>\r</a>\r"), LineEnding::Cr);
        assert_eq!(ending("<a>\r\n<b/>\r\n</a>\r"), LineEnding::CrLf);
        assert_eq!(ending("<a>\r<b/>\n</a>\r"), LineEnding::Cr);
        assert_eq!(ending("<a>\r<b/>\n</a>\n"), LineEnding::Lf);
        assert_eq!(ending("<a>\r\n<b/>\n"), LineEnding::Lf, "a tie goes to LF");
        assert_eq!(ending("<a/>"), LineEnding::Lf);
        assert_eq!(LineEnding::Cr.as_str(), "\r");
    }
}
