//! iislint: lints and fixes IIS and ASP.NET configuration.
//!
//! The flow, one module per stage: `discover` → `load` (bytes) → `source` (bytes to text) →
//! `document` (parse) → `resolve` (a file's view: its `configSource` files, its parents'
//! sections, its `xdt` transform; `view` maps it back to the files) → `model` (typed IIS view) →
//! `rules` → `lint` (fix loop) → `write` → `report`. `check` runs it over a tree, `explain` for
//! one setting, `sites` maps applicationHost.config applications to folders.
//!
//! The modules form no cycle: `meta` (what a rule is), `fix_settings` (what fixes write) and
//! `suggest` ("did you mean" hints) are leaves that the rules, the settings and the reports share.

/// A `memchr::memmem::Finder` for a fixed word, built once per run: building one costs more
/// than searching a short text, and these words are searched in every file and every masked
/// message.
macro_rules! finder {
    ($word:literal) => {{
        static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new($word));
        &*FINDER
    }};
}

pub mod application;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod discover;
pub mod document;
pub mod edits;
pub mod explain;
pub mod fix;
pub mod fix_settings;
pub mod lint;
pub mod load;
pub mod meta;
pub mod model;
pub mod paths;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod secrets;
pub mod server;
pub mod settings;
pub mod settings_tree;
pub mod sites;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod view;
pub mod write;
pub mod xdt;
