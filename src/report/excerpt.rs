//! What the reports keep of a file once it is checked: the line and column of every offset they
//! print, and, for the snippets of the default output, the lines around each finding. A file's
//! text and line index are dropped as soon as these are taken, so a run's memory grows with its
//! findings, not with the size of the files that have them.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::source::LineIndex;

/// Lines of context the snippets show above and below a finding.
pub const CONTEXT_LINES: usize = 1;

/// 1-based line and character column of each offset a report prints.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    /// Sorted by offset, one entry per offset.
    known: Vec<(usize, usize, usize)>,
    /// For the start of each finding: a stable hash of its line's content, masked, trimmed and
    /// with runs of white space made one space (SARIF's `partialFingerprints`). Sorted by offset.
    line_hashes: Vec<(usize, u64)>,
}

impl Positions {
    pub fn new(text: &str, offsets: impl Iterator<Item = usize>) -> Positions {
        let mut offsets: Vec<usize> = offsets.collect();
        offsets.sort_unstable();
        offsets.dedup();
        let known = offsets
            .iter()
            .zip(crate::source::line_cols(text, &offsets))
            .map(|(&offset, (line, column))| (offset, line, column))
            .collect();
        Positions {
            known,
            line_hashes: Vec::new(),
        }
    }

    /// Keeps a hash of the line of each of `starts` (see [`Positions::line_hash`]), masked by
    /// `mask` first: a line that holds a secret is hashed as every report shows it.
    pub fn with_line_hashes(
        mut self,
        text: &str,
        starts: impl Iterator<Item = usize>,
        mask: impl Fn(&str) -> String,
    ) -> Positions {
        let mut starts: Vec<usize> = starts.collect();
        starts.sort_unstable();
        starts.dedup();
        self.line_hashes = starts
            .into_iter()
            .map(|offset| {
                let line = &text[crate::source::line_range(text, offset.min(text.len()))];
                let masked = mask(line);
                let normalized = masked.split_whitespace().collect::<Vec<_>>().join(" ");
                (offset, super::stable_hash(normalized.as_bytes()))
            })
            .collect();
        self
    }

    /// The hash of the content of the line a finding starts on, when it was kept.
    pub fn line_hash(&self, offset: usize) -> Option<u64> {
        self.line_hashes
            .binary_search_by_key(&offset, |(o, _)| *o)
            .ok()
            .map(|i| self.line_hashes[i].1)
    }

    /// The positions of both (of one text).
    pub fn merge(mut self, other: Positions) -> Positions {
        self.known.extend(other.known);
        self.known.sort_unstable();
        self.known.dedup();
        self.line_hashes.extend(other.line_hashes);
        self.line_hashes.sort_unstable();
        self.line_hashes.dedup_by_key(|(offset, _)| *offset);
        Positions {
            known: self.known,
            line_hashes: self.line_hashes,
        }
    }

    /// The position of an offset given to [`Positions::new`]; (1, 1) for any other.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        match self.known.binary_search_by_key(&offset, |(o, _, _)| *o) {
            Ok(i) => (self.known[i].1, self.known[i].2),
            Err(_) => {
                debug_assert!(false, "no position kept for offset {offset}");
                (1, 1)
            }
        }
    }
}

/// Every offset a report may print for these findings: their ranges and their fixes' edits.
pub fn reported_offsets<'d>(diagnostics: impl Iterator<Item = &'d Diagnostic>) -> Vec<usize> {
    let mut offsets = Vec::new();
    for d in diagnostics {
        offsets.extend([d.range.start, d.range.end]);
        for edit in d.fix.iter().flat_map(|f| &f.edits) {
            offsets.extend([edit.range.start, edit.range.end]);
        }
    }
    offsets
}

/// Runs of whole lines of a (masked) text around given ranges, with their offsets in the text.
#[derive(Debug, Clone, Default)]
pub struct Excerpt {
    /// Sorted, disjoint.
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
struct Block {
    /// Byte offset of the block in the whole text.
    offset: usize,
    /// 0-based number of the block's first line in the whole text.
    first_line: usize,
    text: String,
    /// Offsets of the block's line starts, relative to the block.
    line_starts: Vec<usize>,
}

/// A span of an excerpt, with the lines around it: what a snippet shows.
pub struct Lines<'a> {
    /// Whole lines, from `from_line` (0-based, in the whole text) on.
    pub text: &'a str,
    /// Offset of `text` in the whole text.
    pub offset: usize,
    pub from_line: usize,
    pub line_count: usize,
}

impl Excerpt {
    /// The lines each range covers, with [`CONTEXT_LINES`] above and below, from `text`.
    pub fn new(
        text: &str,
        index: &LineIndex,
        ranges: impl Iterator<Item = Range<usize>>,
    ) -> Excerpt {
        Excerpt::masked(text, index, ranges, |lines| lines.to_owned())
    }

    /// [`Excerpt::new`], each block's lines passed through `mask` (which keeps byte lengths):
    /// masking secrets is line by line, so only the lines shown need it.
    pub fn masked(
        text: &str,
        index: &LineIndex,
        ranges: impl Iterator<Item = Range<usize>>,
        mask: impl Fn(&str) -> String,
    ) -> Excerpt {
        let last_line = index.line_count() - 1;
        let mut spans: Vec<(usize, usize)> = ranges
            .map(|r| {
                let start = r.start.min(text.len());
                let first = index.line_of(start);
                let last = index.line_of(r.end.min(text.len()).saturating_sub(1).max(start));
                (
                    first.saturating_sub(CONTEXT_LINES),
                    (last + CONTEXT_LINES).min(last_line),
                )
            })
            .collect();
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (first, last) in spans {
            match merged.last_mut() {
                Some(previous) if first <= previous.1 + 1 => previous.1 = previous.1.max(last),
                _ => merged.push((first, last)),
            }
        }
        let blocks = merged
            .into_iter()
            .map(|(first, last)| {
                let start = index.line_start(first);
                let end = if last + 1 < index.line_count() {
                    index.line_start(last + 1)
                } else {
                    text.len()
                };
                let text = lone_cr_as_lf(&mask(&text[start..end]));
                let line_starts = (first..=last)
                    .map(|l| index.line_start(l) - start)
                    .collect();
                Block {
                    offset: start,
                    first_line: first,
                    text,
                    line_starts,
                }
            })
            .collect();
        Excerpt { blocks }
    }

    /// The lines of both (excerpts of one text): blocks that overlap or touch become one.
    pub fn merge(self, other: Excerpt) -> Excerpt {
        let mut blocks: Vec<Block> = self.blocks.into_iter().chain(other.blocks).collect();
        blocks.sort_by_key(|b| b.offset);
        let mut merged: Vec<Block> = Vec::new();
        for block in blocks {
            match merged.last_mut() {
                Some(previous) if block.offset <= previous.offset + previous.text.len() => {
                    let end = previous.offset + previous.text.len();
                    let block_end = block.offset + block.text.len();
                    if block_end > end {
                        let shift = block.offset - previous.offset;
                        let kept = previous.text.len();
                        previous.text.push_str(&block.text[end - block.offset..]);
                        previous.line_starts.extend(
                            block
                                .line_starts
                                .iter()
                                .map(|s| s + shift)
                                .filter(|s| *s >= kept),
                        );
                    }
                }
                _ => merged.push(block),
            }
        }
        Excerpt { blocks: merged }
    }

    /// The text of `range` (which must lie in one block) and its first line.
    pub fn slice(&self, range: Range<usize>) -> Option<&str> {
        let block = self.block_of(&range)?;
        block
            .text
            .get(range.start - block.offset..range.end - block.offset)
    }

    /// `range` with up to `before` lines above and `after` below (as many as the excerpt has).
    pub fn lines(&self, range: Range<usize>, before: usize, after: usize) -> Option<Lines<'_>> {
        let block = self.block_of(&range)?;
        let line_in_block = |offset: usize| {
            block
                .line_starts
                .partition_point(|&s| s <= offset - block.offset)
                - 1
        };
        let first = line_in_block(range.start);
        let last = line_in_block(range.end.saturating_sub(1).max(range.start));
        let from = first.saturating_sub(before);
        let to = (last + after).min(block.line_starts.len() - 1);
        let start = block.line_starts[from];
        let end = block
            .line_starts
            .get(to + 1)
            .copied()
            .unwrap_or(block.text.len());
        Some(Lines {
            text: &block.text[start..end],
            offset: block.offset + start,
            from_line: block.first_line + from,
            line_count: to - from + 1,
        })
    }

    /// How much of `range` a snippet underlines: its first line only, so that a start tag over
    /// several lines stays readable; at least one character where the text has one.
    pub fn label_len(&self, range: &Range<usize>) -> usize {
        let Some(block) = self.block_of(&(range.start..range.start)) else {
            return range.len().max(1);
        };
        let rest = &block.text[range.start - block.offset..];
        let within = &rest[..range.len().min(rest.len())];
        within
            .find(['\r', '\n'])
            .unwrap_or(within.len())
            .max(1)
            .min(rest.len())
    }

    fn block_of(&self, range: &Range<usize>) -> Option<&Block> {
        let i = self
            .blocks
            .partition_point(|b| b.offset <= range.start)
            .checked_sub(1)?;
        let block = &self.blocks[i];
        (range.end <= block.offset + block.text.len()).then_some(block)
    }
}

/// `text` with each lone CR (a classic Mac OS line ending) written as LF. The snippet renderer
/// (miette) breaks lines only at LF and CRLF; the line index counts a lone CR as a line break too.
/// One byte for another keeps every offset.
fn lone_cr_as_lf(text: &str) -> String {
    let bytes = text.as_bytes();
    let lines_end_in_lf = bytes
        .iter()
        .enumerate()
        .map(|(i, &b)| match b {
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => b'\n',
            b => b,
        })
        .collect();
    String::from_utf8(lines_end_in_lf).expect("one ASCII byte for another keeps the text UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_answer_for_the_offsets_they_were_given() {
        let text = "<a>\n  <é x=\"1\" />\n</a>";
        let at = text.find('x').unwrap();
        let positions = Positions::new(text, [at, 0, at].into_iter());
        assert_eq!(positions.line_col(at), (2, 6));
        assert_eq!(positions.line_col(0), (1, 1));
    }

    #[test]
    fn excerpt_keeps_the_lines_around_each_range_and_merges_neighbours() {
        let text: String = (1..=12).map(|n| format!("line {n}\n")).collect();
        let index = LineIndex::new(&text);
        let line = |n: usize| index.line_start(n - 1);
        // Lines 2 and 4 overlap with their context; line 10 stands alone.
        let excerpt = Excerpt::new(
            &text,
            &index,
            [
                line(2)..line(2) + 4,
                line(4)..line(4) + 4,
                line(10)..line(10) + 4,
            ]
            .into_iter(),
        );
        assert_eq!(excerpt.blocks.len(), 2);
        assert_eq!(
            excerpt.blocks[0].text,
            "line 1\nline 2\nline 3\nline 4\nline 5\n"
        );
        assert_eq!(excerpt.blocks[1].text, "line 9\nline 10\nline 11\n");
        let lines = excerpt.lines(line(10)..line(10) + 4, 1, 1).unwrap();
        assert_eq!(lines.text, "line 9\nline 10\nline 11\n");
        assert_eq!(
            (lines.from_line, lines.line_count, lines.offset),
            (8, 3, line(9))
        );
        assert_eq!(excerpt.slice(line(4)..line(4) + 6), Some("line 4"));
        assert!(excerpt.slice(line(7)..line(7) + 1).is_none(), "not kept");
    }

    #[test]
    fn labels_underline_the_first_line_only() {
        let text = "<a\r\n  b=\"1\">\n</a>";
        let index = LineIndex::new(text);
        let excerpt = Excerpt::new(text, &index, [0..12, 14..14, 17..17].into_iter());
        assert_eq!(excerpt.label_len(&(0..12)), 2);
        assert_eq!(excerpt.label_len(&(14..14)), 1);
        assert_eq!(
            excerpt.label_len(&(17..17)),
            0,
            "nothing to underline at the end"
        );
    }

    #[test]
    fn lone_cr_lines_are_handed_on_as_lf_lines() {
        let text = "<a>\r<b/>\r\n<c/>\r<d/>\r</a>";
        let index = LineIndex::new(text);
        let c = text.find("<c/>").unwrap();
        let excerpt = Excerpt::new(text, &index, std::iter::once(c..c + 4));
        let lines = excerpt.lines(c..c + 4, 1, 1).unwrap();
        assert_eq!(lines.text, "<b/>\r\n<c/>\n<d/>\n");
        assert_eq!((lines.from_line, lines.line_count), (1, 3));
        assert_eq!(excerpt.slice(c..c + 4), Some("<c/>"));
    }

    #[test]
    fn excerpt_at_the_ends_of_the_text() {
        let text = "<a>\n<b/>";
        let index = LineIndex::new(text);
        let excerpt = Excerpt::new(text, &index, [0..3, 4..8].into_iter());
        let lines = excerpt.lines(4..8, 1, 1).unwrap();
        assert_eq!(
            (lines.text, lines.from_line, lines.line_count),
            (text, 0, 2)
        );
    }
}
