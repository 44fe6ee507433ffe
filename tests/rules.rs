//! Every rule against its fixtures in `fixtures/<rule-name>/`.
//!
//! Each rule folder holds `cases.toml` and one folder per case with a real configuration file name
//! (`web.config`, `applicationHost.config`: the file kind comes from the name). A case lists the
//! exact `line:column` of every diagnostic of that rule alone, and optionally the exact bytes the
//! rule's fixes produce (`*.fixed.config`, a name discovery never lints).
//!
//! ```toml
//! [[case]]
//! file = "low-timeout/web.config"
//! farm = false                 # default false
//! application-root = true      # default true (false: what discovery decides for `Views/`)
//! expect = ["7:36"]            # [] = must stay silent
//! fixed = "low-timeout/web.fixed.config"
//! unsafe = false               # apply unsafe fixes too when producing `fixed`
//! session-store = "redis"      # `[fix] session-store`, for inproc-session-on-farm
//! config = "[rules.forms-timeout-too-low]\nmin-minutes = 45"   # iislint.toml text
//! detect-application = true   # application-root and sources from the case's project files
//! severity = "info"            # every finding's severity (a rule may lower its own)
//! transform = "app/Web.Release.config"   # judge the file as this transform deploys it
//! parents = ["site/web.config"]          # parent folders' web.config files, outermost first
//! fixed-transform = "app/Web.Release.fixed.config"   # the transform as the fixes leave it
//! after = []                   # where the rule still reports after fixing
//! ```
//!
//! With `transform` or `parents`, positions are `path:line:col` (the base, a parent or the
//! transform), and `fixed` is the base as fixed (unchanged when not given).
//!
//! With `detect-application`, the case's folder (the first component of `file`) is a small
//! repository: project files, `Global.asax`, pages and sources beside the configuration.
//!
//! The harness also checks that fixed output parses, that a second fix run changes nothing, that
//! every file in a rule's folder is used by a case, and that every rule has a case that fires and a
//! case that stays silent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iislint::check::application_of;
use iislint::discover::{FolderIndex, Target, discover, is_config_file_name};
use iislint::fix::Applicability;
use iislint::lint::{FileFacts, RuleSet, fix_text, lint_text};
use iislint::model::FileKind;
use iislint::rules::{RULES, Rule};
use iislint::settings::{SessionStore, Settings};
use iislint::source::{LineIndex, SourceText};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Case {
    file: String,
    #[serde(default)]
    farm: bool,
    #[serde(default = "yes")]
    application_root: bool,
    expect: Vec<String>,
    fixed: Option<String>,
    #[serde(default, rename = "unsafe")]
    unsafe_fixes: bool,
    session_store: Option<String>,
    config: Option<String>,
    /// Decide `application-root` (and the application's sources) with the application model, from
    /// the project files and sources in the case's folder, as `iislint check` does.
    #[serde(default)]
    detect_application: bool,
    /// The severity every finding of the case must have (default: not checked).
    severity: Option<String>,
    /// Judge `file` deployed with this transform (relative to the fixtures folder, like
    /// `file`); positions are then `path:line:col`, in the base or the transform.
    transform: Option<String>,
    /// The web.config files of parent folders whose sections `file` inherits, outermost first
    /// (relative to the fixtures folder, each above `file`'s folder); positions are then
    /// `path:line:col`.
    #[serde(default)]
    parents: Vec<String>,
    /// The exact bytes the fixes make of `transform` (with `transform`; `fixed` is then the base
    /// as fixed, when it changes).
    fixed_transform: Option<String>,
    /// With `transform` or `parents`: where the rule still reports after fixing.
    after: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

/// The rule whose fixes write random keys: its output is compared with the keys masked.
const MACHINE_KEY_RULE: &str = "machine-key-missing-on-farm";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `fixtures/<rule>/<file>`, as failure messages name it.
fn display(rule: &Rule, file: &str) -> String {
    format!("fixtures/{}/{file}", rule.meta.name)
}

#[test]
fn every_rule_matches_its_fixtures() {
    let mut failures = Vec::new();
    for rule in RULES {
        if let Err(mut errors) = check_rule(rule) {
            failures.append(&mut errors);
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn check_rule(rule: &'static Rule) -> Result<(), Vec<String>> {
    let name = rule.meta.name;
    let dir = fixtures_dir().join(name);
    let cases_path = dir.join("cases.toml");
    let cases_display = display(rule, "cases.toml");
    let text = std::fs::read_to_string(&cases_path).map_err(|err| {
        vec![format!(
            "{cases_display}: cannot read ({err}); every rule needs a fixture folder with cases.toml"
        )]
    })?;
    let cases: Cases =
        toml::from_str(&text).map_err(|err| vec![format!("{cases_display}: {err}")])?;

    let mut errors = Vec::new();
    let mut referenced = BTreeSet::new();
    let (mut firing, mut silent) = (false, false);
    // A detected application's folder is a small repository: every file in it belongs to it.
    let repositories: Vec<PathBuf> = cases
        .case
        .iter()
        .filter(|c| c.detect_application)
        .filter_map(|c| c.file.split('/').next().map(PathBuf::from))
        .collect();
    for case in &cases.case {
        referenced.insert(PathBuf::from(&case.file));
        if let Some(fixed) = &case.fixed {
            referenced.insert(PathBuf::from(fixed));
        }
        if let Some(transform) = &case.transform {
            referenced.insert(PathBuf::from(transform));
        }
        if let Some(fixed) = &case.fixed_transform {
            referenced.insert(PathBuf::from(fixed));
        }
        referenced.extend(case.parents.iter().map(PathBuf::from));
        if case.expect.is_empty() {
            silent = true;
        } else {
            firing = true;
        }
        if let Err(message) = check_case(rule, &dir, case) {
            errors.push(message);
        }
    }
    if !firing {
        errors.push(format!(
            "{cases_display}: no case where `{name}` fires (a case with a non-empty `expect`)"
        ));
    }
    if !silent {
        errors.push(format!(
            "{cases_display}: no case where `{name}` stays silent (a case with `expect = []`)"
        ));
    }
    for file in files_under(&dir) {
        let relative = file.strip_prefix(&dir).expect("under the rule folder");
        let in_repository = repositories.iter().any(|r| relative.starts_with(r));
        if relative != Path::new("cases.toml") && !referenced.contains(relative) && !in_repository {
            errors.push(format!(
                "{}: not used by any case in {cases_display}",
                display(rule, &relative.to_string_lossy())
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn check_case(rule: &'static Rule, dir: &Path, case: &Case) -> Result<(), String> {
    let shown = display(rule, &case.file);
    // The file kind comes from the name, and discovery must lint the input but never the output.
    let name = |file: &str| {
        Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned()
    };
    if !is_config_file_name(&name(&case.file)) {
        return Err(format!(
            "{shown}: a case's file must be named web.config or applicationHost.config"
        ));
    }
    if let Some(fixed) = &case.fixed
        && (is_config_file_name(&name(fixed)) || !fixed.ends_with(".fixed.config"))
    {
        return Err(format!(
            "{}: name expected fix output `*.fixed.config`, a name discovery never lints",
            display(rule, fixed)
        ));
    }
    let path = dir.join(&case.file);
    let bytes = std::fs::read(&path).map_err(|err| format!("{shown}: cannot read ({err})"))?;
    let source = SourceText::decode(&bytes)
        .map_err(|err| format!("{shown}:{}:{}: {}", err.line, err.column, err.message))?;
    let kind = FileKind::of_path(&path);
    let (application_root, application) = if case.detect_application {
        let top = dir.join(case.file.split('/').next().unwrap_or_default());
        let discovery = discover(std::slice::from_ref(&top), &Settings::default());
        let folders = FolderIndex::new(&discovery);
        let target = Target {
            path: path.clone(),
            root: top,
        };
        let (root, application) = application_of(&folders, &target, kind);
        (root.unwrap_or(case.application_root), application)
    } else {
        (case.application_root, Default::default())
    };
    let facts = FileFacts {
        kind,
        farm: case.farm,
        application_root,
        application: std::sync::Arc::new(application),
        mapped_sessions: Default::default(),
        offers_sections: false,
    };
    let settings = case_settings(case).map_err(|message| format!("{shown}: {message}"))?;
    let rules = RuleSet {
        rules: vec![(rule, rule.meta.default_severity)],
    };

    if case.transform.is_some() || !case.parents.is_empty() {
        return check_bundle_case(rule, dir, case, &source, &facts, &rules, &settings);
    }
    let (_, diagnostics) = lint_text(&source.text, &facts, &rules, &settings)
        .map_err(|err| format!("{shown}:{}:{}: {}", err.line, err.column, err.message))?;
    let index = LineIndex::new(&source.text);
    let found: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            let (line, column) = index.line_col(&source.text, d.range.start);
            format!("{line}:{column}")
        })
        .collect();
    if found != case.expect {
        let detail: Vec<String> = diagnostics
            .iter()
            .zip(&found)
            .map(|(d, at)| format!("    {shown}:{at}: {}", d.message))
            .collect();
        return Err(format!(
            "{shown} (farm = {}, application-root = {}): `{}` expected at {:?}, found at {:?}\n{}",
            case.farm,
            case.application_root,
            rule.meta.name,
            case.expect,
            found,
            detail.join("\n")
        ));
    }
    if let Some(expected) = &case.severity
        && let Some(d) = diagnostics.iter().find(|d| d.severity.as_str() != expected)
    {
        return Err(format!(
            "{shown}: expected severity {expected}, found {} ({})",
            d.severity.as_str(),
            d.message
        ));
    }
    if let Some(fixed) = &case.fixed {
        check_fix(rule, dir, case, fixed, &source, &facts, &rules, &settings)?;
    }
    Ok(())
}

/// Reads a fixture file as `iislint check` does (UTF-8 or UTF-16, with or without BOM).
fn read_source(dir: &Path, file: &str) -> Result<SourceText, String> {
    let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    SourceText::decode(&bytes).map_err(|e| format!("{file}: {}", e.message))
}

/// The number of folders above a fixture file, as `check` counts depth.
fn depth(file: &str) -> usize {
    file.split('/').count() - 1
}

/// A case judged with its transform and its parents: the bundle `check` would build (the
/// judged file, its parents outermost first, its transform last).
#[allow(clippy::too_many_arguments)]
fn check_bundle_case(
    rule: &'static Rule,
    dir: &Path,
    case: &Case,
    source: &SourceText,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
) -> Result<(), String> {
    use iislint::resolve::{ParentLevel, ParentSections, inherited};
    let shown = display(rule, &case.file);
    let mut names = vec![case.file.clone()];
    let mut texts: Vec<std::sync::Arc<str>> = vec![source.text.as_str().into()];
    let parents: Vec<SourceText> = case
        .parents
        .iter()
        .map(|p| read_source(dir, p))
        .collect::<Result<_, _>>()?;
    let sections: Vec<ParentSections> = parents
        .iter()
        .map(|p| {
            iislint::document::parse(&p.text)
                .map(|doc| ParentSections::of(&doc))
                .map_err(|e| format!("{shown}: a parent does not parse: {}", e.message))
        })
        .collect::<Result<_, _>>()?;
    let levels: Vec<ParentLevel> = case
        .parents
        .iter()
        .zip(&sections)
        .map(|(path, sections)| {
            let folder = &path[..path.rfind('/').map_or(0, |i| i + 1)];
            let below = case
                .file
                .strip_prefix(folder)
                .ok_or_else(|| format!("{shown}: parent {path} is not above the file"))?;
            Ok(ParentLevel {
                depth: depth(path),
                application_root: false,
                sections,
                below: below
                    .split('/')
                    .collect::<Vec<_>>()
                    .split_last()
                    .map(|(_, folders)| folders.iter().map(|f| f.to_ascii_lowercase()).collect())
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<_, String>>()?;
    let mut used: Vec<(usize, usize)> = Vec::new();
    let mut inherited_sections = Vec::new();
    for (level, section) in inherited(&levels, depth(&case.file), facts.application_root, false) {
        let file = match used.iter().find(|(l, _)| *l == level) {
            Some((_, file)) => *file,
            None => {
                texts.push(parents[level].text.as_str().into());
                names.push(case.parents[level].clone());
                used.push((level, texts.len() - 1));
                texts.len() - 1
            }
        };
        inherited_sections.push((file, section));
    }
    let transform = match &case.transform {
        Some(path) => {
            let transform = read_source(dir, path)?;
            texts.push(transform.text.as_str().into());
            names.push(path.clone());
            Some((texts.len() - 1, transform))
        }
        None => None,
    };
    let bundle = iislint::lint::Bundle {
        texts,
        editable: 1,
        inherited: inherited_sections,
        transform: transform.as_ref().map(|(file, _)| *file),
        environment: transform.as_ref().map(|_| "Release".to_owned()),
        ..Default::default()
    };
    let place = |d: &iislint::diagnostic::Diagnostic, texts: &[std::sync::Arc<str>]| {
        let text = &texts[d.file];
        let (line, column) = LineIndex::new(text).line_col(text, d.range.start);
        format!("{}:{line}:{column}", names[d.file])
    };
    let linted = iislint::lint::lint_bundle(&bundle, facts, rules, settings)
        .map_err(|err| format!("{shown}:{}:{}: {}", err.line, err.column, err.message))?;
    let found: Vec<String> = linted
        .diagnostics
        .iter()
        .map(|d| place(d, &bundle.texts))
        .collect();
    if found != case.expect {
        let detail: Vec<String> = linted
            .diagnostics
            .iter()
            .zip(&found)
            .map(|(d, at)| format!("    {at}: {}", d.message))
            .collect();
        return Err(format!(
            "{shown}: `{}` expected at {:?}, found at {:?}\n{}",
            rule.meta.name,
            case.expect,
            found,
            detail.join("\n")
        ));
    }
    if let Some(expected) = &case.severity
        && let Some(d) = linted
            .diagnostics
            .iter()
            .find(|d| d.severity.as_str() != expected)
    {
        return Err(format!(
            "{shown}: expected severity {expected}, found {} ({})",
            d.severity.as_str(),
            d.message
        ));
    }
    if case.fixed.is_none() && case.fixed_transform.is_none() && case.after.is_none() {
        return Ok(());
    }
    let required = if case.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let outcome =
        iislint::lint::fix_linted(bundle.clone(), linted, facts, rules, settings, required);
    if let Some(problem) = &outcome.problem {
        return Err(format!("{shown}: fixing reported a problem: {problem}"));
    }
    let mut compare = vec![(0, case.fixed.as_deref(), source)];
    if let Some((file, transform_source)) = &transform {
        compare.push((*file, case.fixed_transform.as_deref(), transform_source));
    }
    for (file, expected, original) in compare {
        let actual = original.encode(&outcome.texts[file]);
        let expected = match expected {
            Some(path) => std::fs::read(dir.join(path)).map_err(|e| format!("{path}: {e}"))?,
            None => original.encode(&original.text),
        };
        if actual != expected {
            return Err(format!(
                "{shown}: fixed {} differs from {}\n{}",
                names[file],
                if file == 0 {
                    case.fixed.as_deref().unwrap_or("the input")
                } else {
                    case.fixed_transform.as_deref().unwrap_or("the input")
                },
                first_difference(&actual, &expected)
            ));
        }
    }
    let remaining: Vec<String> = outcome
        .remaining
        .iter()
        .map(|d| place(d, &outcome.texts))
        .collect();
    if let Some(after) = &case.after
        && &remaining != after
    {
        return Err(format!(
            "{shown}: after fixing, `{}` expected at {after:?}, found at {remaining:?}",
            rule.meta.name
        ));
    }
    // Fixing again changes nothing.
    let mut again = bundle;
    again.texts = outcome.texts.clone();
    let relinted = iislint::lint::lint_bundle(&again, facts, rules, settings)
        .map_err(|err| format!("{shown}: the fixed files do not parse: {}", err.message))?;
    let second = iislint::lint::fix_linted(again, relinted, facts, rules, settings, required);
    if second.texts != outcome.texts {
        return Err(format!(
            "{shown}: a second fix run changed the fixed files again"
        ));
    }
    Ok(())
}

fn case_settings(case: &Case) -> Result<Settings, String> {
    let mut settings = match &case.config {
        Some(text) => Settings::parse(text).map_err(|(message, span)| {
            format!("`config` is not a valid iislint.toml ({message} at byte {span:?})")
        })?,
        None => Settings::default(),
    };
    if let Some(store) = &case.session_store {
        settings.fix.session_store = Some(
            SessionStore::parse(store)
                .ok_or_else(|| format!("unknown session-store `{store}` in cases.toml"))?,
        );
    }
    Ok(settings)
}

#[allow(clippy::too_many_arguments)]
fn check_fix(
    rule: &'static Rule,
    dir: &Path,
    case: &Case,
    fixed: &str,
    source: &SourceText,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
) -> Result<(), String> {
    let shown = display(rule, &case.file);
    let fixed_shown = display(rule, fixed);
    let required = if case.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let outcome = fix_text(&source.text, facts, rules, settings, required)
        .map_err(|err| format!("{shown}: fixing failed to parse the input: {}", err.message))?;
    if let Some(problem) = &outcome.problem {
        return Err(format!("{shown}: fixing reported a problem: {problem}"));
    }
    let expected = std::fs::read(dir.join(fixed))
        .map_err(|err| format!("{fixed_shown}: cannot read ({err})"))?;
    let actual = source.encode(&outcome.text);

    let (actual_cmp, expected_cmp) = if rule.meta.name == MACHINE_KEY_RULE {
        check_generated_keys(&shown, &source.text, &outcome.text)?;
        let expected_source = SourceText::decode(&expected)
            .map_err(|err| format!("{fixed_shown}: cannot decode ({})", err.message))?;
        (
            source.encode(&mask_keys(&outcome.text)),
            expected_source.encode(&mask_keys(&expected_source.text)),
        )
    } else {
        (actual.clone(), expected.clone())
    };
    if actual_cmp != expected_cmp {
        return Err(format!(
            "{shown}: fixed output differs from {fixed_shown}\n{}",
            first_difference(&actual_cmp, &expected_cmp)
        ));
    }

    iislint::document::parse(&outcome.text).map_err(|err| {
        format!(
            "{shown}: fixed output is not well-formed at {}:{}: {}",
            err.line, err.column, err.message
        )
    })?;
    let reread = SourceText::decode(&actual)
        .map_err(|err| format!("{shown}: fixed output does not decode: {}", err.message))?;
    if (reread.encoding, reread.bom) != (source.encoding, source.bom) {
        return Err(format!(
            "{shown}: fixed output changed the encoding or BOM from {:?} (BOM {}) to {:?} (BOM {})",
            source.encoding, source.bom, reread.encoding, reread.bom
        ));
    }
    let again = fix_text(&outcome.text, facts, rules, settings, required)
        .map_err(|err| format!("{shown}: fixed output does not parse: {}", err.message))?;
    if again.text != outcome.text {
        return Err(format!(
            "{shown}: a second fix run changed the fixed output again (fixes by {:?})\n{}",
            again.fixed,
            first_difference(again.text.as_bytes(), outcome.text.as_bytes())
        ));
    }
    Ok(())
}

/// Keys the fix wrote (values not in the input) are fresh hex of the documented lengths:
/// 128 digits for `validationKey` (HMACSHA256), 64 for `decryptionKey` (AES-256).
fn check_generated_keys(shown: &str, before: &str, after: &str) -> Result<(), String> {
    let doc = iislint::document::parse(after)
        .map_err(|err| format!("{shown}: fixed output is not well-formed: {}", err.message))?;
    let mut generated = 0;
    for node in doc.descendants().filter(|n| n.has_tag_name("machineKey")) {
        for (name, digits) in [("validationKey", 128), ("decryptionKey", 64)] {
            let Some(value) = node.attribute(name) else {
                continue;
            };
            if before.contains(value) {
                continue;
            }
            generated += 1;
            if value.len() != digits || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "{shown}: generated {name} `{value}` is not {digits} hexadecimal digits"
                ));
            }
        }
    }
    if after != before && generated == 0 {
        return Err(format!(
            "{shown}: the fix changed the file but wrote no key"
        ));
    }
    Ok(())
}

/// Replaces every run of 32 or more hexadecimal digits with `KEY`.
fn mask_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 32 {
            out.push_str("KEY");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The first line where two outputs differ, for a readable failure.
fn first_difference(actual: &[u8], expected: &[u8]) -> String {
    let text = |bytes: &[u8]| match SourceText::decode(bytes) {
        Ok(source) => source.text,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    let (actual, expected) = (text(actual), text(expected));
    let mut actual_lines = actual.split_inclusive('\n');
    let mut expected_lines = expected.split_inclusive('\n');
    for number in 1.. {
        match (actual_lines.next(), expected_lines.next()) {
            (None, None) => break,
            (a, e) if a != e => {
                return format!("  line {number}:\n    actual:   {a:?}\n    expected: {e:?}");
            }
            _ => {}
        }
    }
    format!(
        "  same lines; lengths {} and {} bytes (encoding or BOM differs)",
        actual.len(),
        expected.len()
    )
}

#[test]
fn mask_keys_masks_only_long_hex_runs() {
    let key = "AB".repeat(32);
    assert_eq!(
        mask_keys(&format!("k=\"{key}\" t=\"31bf3856ad364e35\"")),
        "k=\"KEY\" t=\"31bf3856ad364e35\""
    );
}
