//! `iislint transform WEB_CONFIG TRANSFORM`: prints the deployed document (see [`crate::xdt`]).

use std::path::Path;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, print_stdout_bytes};
use crate::source::{LineIndex, SourceText};
use crate::xdt::{Origin, Severity};

/// Exit codes: 0 XDT succeeds, 1 XDT would fail (an error), 2 an input cannot be read or parsed.
pub fn run(base_path: &Path, transform_path: &Path) -> u8 {
    let max = crate::settings::DEFAULT_MAX_FILE_BYTES;
    let read = |path: &Path| -> Result<SourceText, String> {
        crate::check::read_source(path, max).map_err(|e| {
            format!(
                "{}:{}:{}: error: {}",
                path.display(),
                e.line,
                e.column,
                e.message
            )
        })
    };
    let (base, transform) = match (read(base_path), read(transform_path)) {
        (Ok(b), Ok(t)) => (b, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return EXIT_ERROR;
        }
    };
    let result = match crate::xdt::apply(&base.text, &transform.text) {
        Ok(r) => r,
        Err(e) => {
            let (path, text) = match e.origin {
                Origin::Base => (base_path, &base.text),
                Origin::Transform => (transform_path, &transform.text),
            };
            let (line, col) = LineIndex::new(text).line_col(text, e.offset.min(text.len()));
            eprintln!("{}:{line}:{col}: error: {}", path.display(), e.message);
            return EXIT_ERROR;
        }
    };
    if let Some((range, uri)) = crate::xdt::namespace_near_miss(&transform.text) {
        let (line, col) = LineIndex::new(&transform.text).line_col(&transform.text, range.start);
        eprintln!(
            "{}:{line}:{col}: warning: the namespace '{uri}' is not the XDT namespace '{}': XDT applies nothing",
            transform_path.display(),
            crate::xdt::XDT_NAMESPACE
        );
    }
    for m in &result.messages {
        let path = match m.origin {
            Origin::Base => base_path,
            Origin::Transform => transform_path,
        };
        let severity = match m.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        eprintln!(
            "{}:{}:{}: {severity}: {}",
            path.display(),
            m.line,
            m.column,
            m.message
        );
    }
    if let Err(e) = print_stdout_bytes(&base.encode(&result.text)) {
        eprintln!("error: {e}");
        return EXIT_ERROR;
    }
    if result.succeeded {
        EXIT_CLEAN
    } else {
        EXIT_FOUND
    }
}
