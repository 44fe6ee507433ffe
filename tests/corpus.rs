//! Every file of the real-world corpus (`../shared/corpus`, skipped when absent): it loads without a
//! panic, an unedited file comes back byte for byte, and `check --fix --unsafe-fixes --farm
//! --session-store redis` leaves every file well-formed, in its encoding, BOM and line endings, and
//! idempotent.

use std::path::{Path, PathBuf};

use iislint::lint::{FileFacts, RuleSet, lint_text};
use iislint::model::FileKind;
use iislint::settings::Settings;
use iislint::source::SourceText;

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/files");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the corpus is not at {} (it lives beside the project in ../shared)",
            dir.display()
        );
        None
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_corpus_file_loads_lints_and_round_trips() {
    let Some(dir) = corpus_dir() else { return };
    let files = files_under(&dir);
    assert!(
        files.len() >= 279,
        "expected the whole corpus, found {}",
        files.len()
    );
    let settings = Settings::default();
    let rules = RuleSet::all();
    let (mut linted, mut malformed) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(source) = SourceText::decode(&bytes) else {
            continue;
        };
        assert_eq!(
            source.encode(&source.text),
            bytes,
            "{} does not round-trip unedited",
            path.display()
        );
        let facts = FileFacts {
            kind: FileKind::of_path(path),
            farm: true,
            application_root: true,
            application: Default::default(),
            mapped_sessions: Default::default(),
            offers_sections: false,
        };
        match lint_text(&source.text, &facts, &rules, &settings) {
            Ok((_, diagnostics)) => {
                linted += 1;
                for d in diagnostics {
                    assert!(
                        d.range.end <= source.text.len()
                            && source.text.is_char_boundary(d.range.start)
                            && source.text.is_char_boundary(d.range.end),
                        "{}: {} has a range outside the text",
                        path.display(),
                        d.rule.name
                    );
                }
            }
            Err(err) => {
                malformed += 1;
                assert!(
                    err.line >= 1 && err.column >= 1,
                    "{}: {err:?}",
                    path.display()
                );
            }
        }
    }
    assert!(linted > 250, "only {linted} corpus files parsed");
    assert!(
        malformed >= 1,
        "the corpus holds a deliberately malformed file"
    );
}

/// Line-ending style: which kinds of line break a text has.
fn line_break_kinds(text: &[u8]) -> (bool, bool) {
    let crlf = text.windows(2).any(|w| w == b"\r\n");
    let bare_lf = text
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\n' && (i == 0 || text[i - 1] != b'\r'));
    (crlf, bare_lf)
}

#[test]
fn fixing_the_corpus_keeps_every_file_well_formed_and_is_idempotent() {
    let Some(dir) = corpus_dir() else { return };
    let work = tempfile::tempdir().unwrap();
    let files = files_under(&dir);
    for path in &files {
        let target = work.path().join(path.strip_prefix(&dir).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        // Written, not copied: `fs::copy` keeps the mode, and the shared corpus is read-only,
        // which `--fix` respects.
        std::fs::write(&target, std::fs::read(path).unwrap()).unwrap();
    }
    let fix = || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_iislint"))
            .current_dir(work.path())
            .args([
                "check",
                "--fix",
                "--unsafe-fixes",
                "--farm",
                "--session-store",
                "redis",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_ne!(output.status.code(), Some(101));
        output
    };
    fix();
    let mut changed = 0;
    let inserted = application_sections_inserted_outside_applications(work.path(), &dir, &files);
    assert!(
        inserted.is_empty(),
        "application-only sections inserted where ASP.NET refuses them (the site would stop):\n{}",
        inserted.join("\n")
    );
    for path in &files {
        let before = std::fs::read(path).unwrap();
        let after = std::fs::read(work.path().join(path.strip_prefix(&dir).unwrap())).unwrap();
        if before == after {
            continue;
        }
        changed += 1;
        let name = path.display();
        let old = SourceText::decode(&before).unwrap();
        let new = SourceText::decode(&after)
            .unwrap_or_else(|e| panic!("{name}: fixed file does not decode: {e:?}"));
        assert_eq!(
            (old.encoding, old.bom),
            (new.encoding, new.bom),
            "{name}: encoding or BOM changed"
        );
        iislint::document::parse(&new.text)
            .unwrap_or_else(|e| panic!("{name}: fixed file is malformed: {e:?}"));
        let (old_crlf, old_lf) = line_break_kinds(old.text.as_bytes());
        let (new_crlf, new_lf) = line_break_kinds(new.text.as_bytes());
        assert!(
            old_crlf || !new_crlf,
            "{name}: CRLF introduced into an LF file"
        );
        assert!(
            old_lf || !new_lf,
            "{name}: bare LF introduced into a CRLF file"
        );
    }
    assert!(
        changed >= 20,
        "only {changed} corpus files were changed by the fixes"
    );

    let snapshot: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(work.path().join(p.strip_prefix(&dir).unwrap())).unwrap())
        .collect();
    fix();
    for (path, before) in files.iter().zip(snapshot) {
        let after = std::fs::read(work.path().join(path.strip_prefix(&dir).unwrap())).unwrap();
        assert!(
            before == after,
            "{}: a second fix run changed the file",
            path.display()
        );
    }
}

/// The sections machine.config registers with `allowDefinition="MachineToApplication"`.
const APPLICATION_SECTIONS: &[&str] = &["sessionState", "machineKey", "authentication"];

/// Per file and section: the application-only sections a fix added to a file that is not an
/// application's root, or inside a `<location>` for a sub-folder. `fixed` is the fixed copy of
/// the corpus `original`, with the same relative paths.
///
/// The oracle is independent of iislint's application model. The corpus holds no project files,
/// so a web.config may be an application's root only when no folder above it, inside its
/// repository's folder (`files/<owner>__<repo>/`), holds a web.config, or when it already set an
/// application-only section itself; and never in an MVC `Views` folder.
fn application_sections_inserted_outside_applications(
    fixed: &Path,
    original: &Path,
    files: &[PathBuf],
) -> Vec<String> {
    let mut problems = Vec::new();
    for path in files {
        let relative = path.strip_prefix(original).unwrap();
        let (Ok(before), Ok(after)) = (
            SourceText::decode(&std::fs::read(path).unwrap()),
            SourceText::decode(&std::fs::read(fixed.join(relative)).unwrap()),
        ) else {
            continue;
        };
        let (Ok(before_doc), Ok(after_doc)) = (
            iislint::document::parse(&before.text),
            iislint::document::parse(&after.text),
        ) else {
            continue;
        };
        if FileKind::of_path(path) != FileKind::WebConfig {
            continue;
        }
        let may_be_root = !in_views_folder(relative)
            && (no_web_config_above(original, relative)
                || APPLICATION_SECTIONS
                    .iter()
                    .any(|section| placements(&before_doc, section).0 > 0));
        for section in APPLICATION_SECTIONS {
            let (was, is) = (
                placements(&before_doc, section),
                placements(&after_doc, section),
            );
            if is.0 > was.0 && !may_be_root || is.1 > was.1 {
                problems.push(format!("{}: <{section}>", relative.display()));
            }
        }
    }
    problems
}

fn in_views_folder(relative: &Path) -> bool {
    relative
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n.eq_ignore_ascii_case("Views"))
}

/// No folder between the repository's folder (the first component) and the file's holds a
/// web.config.
fn no_web_config_above(corpus: &Path, relative: &Path) -> bool {
    let mut folder = relative.parent();
    while let Some(dir) = folder.and_then(Path::parent) {
        if dir.as_os_str().is_empty() {
            break;
        }
        let has = std::fs::read_dir(corpus.join(dir))
            .unwrap()
            .flatten()
            .any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("web.config"))
            });
        if has {
            return false;
        }
        folder = Some(dir);
    }
    true
}

/// How many `section` elements sit at the file's own level, and how many inside a `<location>`
/// whose path names a sub-folder.
fn placements(doc: &roxmltree::Document<'_>, section: &str) -> (usize, usize) {
    let mut counts = (0, 0);
    for node in doc.descendants().filter(|n| n.has_tag_name(section)) {
        let sub_folder = node.ancestors().any(|a| {
            a.has_tag_name("location")
                && a.attribute("path")
                    .is_some_and(|p| !matches!(p.trim(), "" | "."))
        });
        if sub_folder {
            counts.1 += 1;
        } else {
            counts.0 += 1;
        }
    }
    counts
}
