//! iislint: lints and fixes IIS and ASP.NET configuration.
//!
//! The flow, one module per stage: `discover` → `load` (bytes) → `source` (bytes to text) → `document` (parse) →
//! `resolve` (configSource files and parent folders into one `view`) → `model` (typed IIS view) → `rules` → `lint` (fix loop) → `write` → `report`.

pub mod application;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod discover;
pub mod document;
pub mod edits;
pub mod explain;
pub mod fix;
pub mod lint;
pub mod load;
pub mod model;
pub mod paths;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod settings;
pub mod sites;
pub mod source;
pub mod suppress;
pub mod view;
pub mod write;
pub mod xdt;
