//! Fixes as byte-range edits on the decoded text (ruff's model).

use std::ops::Range;

/// Replace `range` with `content`: an empty range inserts, empty content deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Which file of the view (see [`crate::view`]); 0, the judged file, until located.
    pub file: crate::view::FileIndex,
    pub range: Range<usize>,
    pub content: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Edit {
        Edit {
            file: 0,
            range,
            content: content.into(),
        }
    }

    pub fn insert(at: usize, content: impl Into<String>) -> Edit {
        Edit {
            file: 0,
            range: at..at,
            content: content.into(),
        }
    }

    pub fn delete(range: Range<usize>) -> Edit {
        Edit {
            file: 0,
            range,
            content: String::new(),
        }
    }
}

/// How far a fix may be trusted. Ordered: a request for `Unsafe` also takes `Safe` fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Applicability {
    /// A suggestion for a person; never applied.
    DisplayOnly,
    /// May change behaviour beyond the rule's stated change; applied with `--unsafe-fixes`.
    Unsafe,
    /// Exactly the rule's stated change; applied with `--fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Imperative, shown as help: "Set the forms timeout to 60 minutes".
    pub message: String,
    pub applicability: Applicability,
    /// Sorted, non-overlapping.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        message: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            message: message.into(),
            applicability,
            edits,
        }
    }
}
