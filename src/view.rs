//! The text a file is judged on, and where each of its bytes came from.
//!
//! IIS never runs a web.config alone: sections move to `configSource` files, settings come down
//! from parent folders, a transform rewrites the file on deployment. iislint judges such a file
//! through a *view*: one XML text assembled from verbatim pieces of several files (and a few
//! bytes of its own, such as the `<location>` that holds inherited sections). The parser, the
//! model and the rules read the view as if it were one file; [`View::locate`] then takes each
//! finding and each edit back to the file and the bytes it is about. A range that does not lie
//! inside one verbatim piece has no origin: its finding is reported at the judged file, and its
//! fix is never applied.

use std::ops::Range;
use std::sync::Arc;

/// Which file of a [`View`]: an index into the files the view was assembled from. File 0 is
/// the file being judged.
pub type FileIndex = usize;

/// A run of the view's text copied byte for byte from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Where it is in the view.
    pub view: Range<usize>,
    pub file: FileIndex,
    /// Where it starts in that file.
    pub start: usize,
}

/// An assembled text and its origins.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub text: ViewText,
    /// Sorted by position in the view, not overlapping.
    pub pieces: Vec<Piece>,
}

/// A view's text: the judged file's own text when the view is that file alone (most files:
/// shared, not copied), else the text assembled for the view.
#[derive(Debug, Clone)]
pub enum ViewText {
    Shared(Arc<str>),
    Assembled(String),
}

impl Default for ViewText {
    fn default() -> ViewText {
        ViewText::Assembled(String::new())
    }
}

impl From<String> for ViewText {
    fn from(text: String) -> ViewText {
        ViewText::Assembled(text)
    }
}

impl std::ops::Deref for ViewText {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            ViewText::Shared(text) => text,
            ViewText::Assembled(text) => text,
        }
    }
}

impl std::fmt::Display for ViewText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl ViewText {
    /// The text to append to (a shared text is copied first).
    fn assembled(&mut self) -> &mut String {
        if let ViewText::Shared(text) = self {
            *self = ViewText::Assembled(text.to_string());
        }
        match self {
            ViewText::Assembled(text) => text,
            ViewText::Shared(_) => unreachable!("made assembled above"),
        }
    }
}

impl View {
    /// The view of a file alone: all of it, from file 0.
    pub fn single(text: &str) -> View {
        View::shared(Arc::from(text))
    }

    /// [`View::single`] of a text already shared: it is not copied.
    pub fn shared(text: Arc<str>) -> View {
        View {
            pieces: vec![Piece {
                view: 0..text.len(),
                file: 0,
                start: 0,
            }],
            text: ViewText::Shared(text),
        }
    }

    /// Appends `range` of a file's `text`, verbatim.
    pub fn copy(&mut self, file: FileIndex, text: &str, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let at = self.text.len();
        self.text.assembled().push_str(&text[range.clone()]);
        match self.pieces.last_mut() {
            // Contiguous in both: one piece.
            Some(last)
                if last.file == file
                    && last.view.end == at
                    && last.start + last.view.len() == range.start =>
            {
                last.view.end = self.text.len();
            }
            _ => self.pieces.push(Piece {
                view: at..self.text.len(),
                file,
                start: range.start,
            }),
        }
    }

    /// Appends text of the view's own, which no file holds.
    pub fn write(&mut self, text: &str) {
        self.text.assembled().push_str(text);
    }

    /// The file and range a range of the view was copied from, when it lies inside one piece.
    /// An empty range (an insertion point) may sit at either end of a piece: the piece it is
    /// strictly inside wins, else the judged file's (inserting just before or after a spliced
    /// section is inserting beside the element it replaced), else the first.
    pub fn locate(&self, range: &Range<usize>) -> Option<(FileIndex, Range<usize>)> {
        let covering =
            |piece: &&Piece| piece.view.start <= range.start && range.end <= piece.view.end;
        let first = self.pieces.partition_point(|p| p.view.end < range.start);
        let candidates = self.pieces[first..]
            .iter()
            .take_while(|p| p.view.start <= range.end)
            .filter(covering);
        let piece = if range.is_empty() {
            let all: Vec<&Piece> = candidates.collect();
            all.iter()
                .find(|p| p.view.start < range.start && range.start < p.view.end)
                .or_else(|| all.iter().find(|p| p.file == 0))
                .or_else(|| all.first())
                .copied()?
        } else {
            candidates.into_iter().next()?
        };
        let start = piece.start + (range.start - piece.view.start);
        Some((piece.file, start..start + range.len()))
    }

    /// Is the whole view one file, unchanged?
    pub fn is_single(&self) -> bool {
        self.pieces.len() == 1
            && self.pieces[0].file == 0
            && self.pieces[0].view == (0..self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_map_back_to_the_file_they_were_copied_from() {
        let a = "<configuration><system.web/></configuration>";
        let b = "<x><sessionState timeout=\"5\"/></x>";
        let mut view = View::default();
        view.copy(0, a, 0..15);
        view.write("<!-- own -->");
        view.copy(1, b, 3..30);
        view.copy(0, a, 15..a.len());
        let at = view.text.find("timeout").unwrap();
        assert_eq!(view.locate(&(at..at + 11)), Some((1, 17..28)));
        assert_eq!(&b[17..28], "timeout=\"5\"");
        // Our own bytes have no origin, nor does a range across two pieces.
        let own = view.text.find("own").unwrap();
        assert_eq!(view.locate(&(own..own + 3)), None);
        assert_eq!(view.locate(&(10..at)), None);
        // An insertion point at the seam of two pieces belongs to the judged file.
        let seam = view.text.find("<system.web").unwrap();
        assert_eq!(view.locate(&(seam..seam)), Some((0, 15..15)));
        let inside = view.text.find("sessionState").unwrap();
        assert_eq!(view.locate(&(inside..inside)), Some((1, 4..4)));
        assert!(View::single(a).is_single() && !view.is_single());
    }

    #[test]
    fn contiguous_copies_are_one_piece() {
        let a = "abcdef";
        let mut view = View::default();
        view.copy(0, a, 0..2);
        view.copy(0, a, 2..6);
        assert_eq!(view.pieces.len(), 1);
        assert!(view.is_single());
    }
}
