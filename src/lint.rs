//! One file through the pipeline: parse, model, rules; and the fix loop to a fixed point.

use crate::diagnostic::Diagnostic;
use crate::document::{self, ParseError};
use crate::fix::{Applicability, Edit, Fix};
use crate::model::{FileKind, Model};
use crate::resolve::{Composed, Includes};
use crate::rules::{Context, RuleMeta};
use crate::settings::Settings;
use crate::suppress::Suppressed;
use crate::view::{FileIndex, View};
use std::ops::Range;
use std::sync::Arc;

pub use crate::rules::RuleSet;

/// What the rules need to know about a file beyond its text.
#[derive(Debug, Clone)]
pub struct FileFacts {
    pub kind: FileKind,
    pub farm: bool,
    pub application_root: bool,
    /// The application the repository shows this file is the root of, and what its sources use
    /// (scanned when a rule first asks).
    pub application: std::sync::Arc<crate::application::ApplicationFacts>,
    /// For an applicationHost.config: the session state of each application mapped to a folder
    /// (see [`crate::sites`]), by its name (`Site` or `Site/app`, lower-cased).
    pub mapped_sessions: std::sync::Arc<std::collections::HashMap<String, MappedSession>>,
    /// A web.config that files below it in this run inherit from: its lint keeps its own
    /// sections for them ([`Linted::sections`]).
    pub offers_sections: bool,
}

pub use crate::sites::MappedSession;

/// Parses `text` and runs the rules. Diagnostics come sorted by position, duplicates (the same
/// finding seen through several `<location>` scopes) removed, inline suppressions applied.
pub fn lint_text(
    text: &str,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
) -> Result<(Model, Vec<Diagnostic>), ParseError> {
    lint_text_full(text, facts, rules, settings).map(|l| (l.model, l.diagnostics))
}

/// One file's lint result, with what inline suppressions silenced. Each finding and each edit
/// names its file among the bundle's ([`Diagnostic::file`], [`Edit::file`]).
#[derive(Debug)]
pub struct Linted {
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: Vec<Suppressed>,
    /// A web.config's own `system.web` sections in its own text, as the files below it inherit
    /// them (see [`ParentSections::of_view`]); `None` when they cannot all be placed in it, or
    /// no file below asks for them ([`FileFacts::offers_sections`]).
    pub sections: Option<crate::resolve::ParentSections>,
}

/// [`lint_text`], keeping the findings inline suppressions silenced.
pub fn lint_text_full(
    text: &str,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
) -> Result<Linted, ParseError> {
    lint_bundle(&Bundle::single(text), facts, rules, settings)
}

/// The files one file is judged with: itself, its `configSource` files, and the parent
/// web.config files whose sections it inherits (see [`crate::resolve`]).
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    /// The judged file first. Shared: a parent's text is in the bundle of every file below it.
    pub texts: Vec<Arc<str>>,
    /// `texts[..editable]` are the judged file and its `configSource` files: the files fixing it
    /// may change. The others (parents) are fixed when they are judged themselves.
    pub editable: usize,
    pub includes: Includes,
    /// The inherited `system.web` sections, in the order they apply: file and pieces.
    pub inherited: Vec<(FileIndex, crate::resolve::InheritedSection)>,
    /// The `Web.<Environment>.config` the judged file is deployed with (an editable file): the
    /// view is then of the deployed document (see [`crate::xdt`]).
    pub transform: Option<FileIndex>,
    /// The environment's name, for the findings' `environments`.
    pub environment: Option<String>,
    /// A judged file's references to other files, read from the parse that found them, with
    /// the text they were read from: composing a view of that same text does not parse it again.
    pub references: Option<(Arc<str>, Arc<crate::resolve::References>)>,
    /// What `unused-suppression` may say of the judged file's suppressions in this view.
    pub unused: UnusedJudging,
}

/// How far this run can judge a suppression unused (see [`crate::suppress`]): a suppression
/// of a rule that is inactive for the file in this run is never unused, since nobody can tell
/// whether the rule would have fired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnusedJudging {
    /// Some view of the file is not judged in this run (`--environment` left out one that the
    /// configuration or the defaults judge): a suppression may be used there, so no suppression
    /// of a rule is called unused.
    pub views_left_out: bool,
    /// The file is judged through several views: a suppression is unused only when every view
    /// finds it so, which one view cannot tell. Its findings carry no fix here; `check` keeps
    /// those every view reports and applies their fixes after the views' fixes.
    pub withhold_fixes: bool,
}

impl Bundle {
    /// May fixing the judged file change this file? Its `configSource` files and its
    /// transform, yes; its parents, no.
    pub fn is_editable(&self, file: FileIndex) -> bool {
        file < self.editable || Some(file) == self.transform
    }

    /// The files fixing the judged file may change.
    pub fn editable_files(&self) -> Vec<FileIndex> {
        (0..self.editable).chain(self.transform).collect()
    }

    pub fn single(text: &str) -> Bundle {
        Bundle {
            texts: vec![Arc::from(text)],
            editable: 1,
            ..Bundle::default()
        }
    }

    /// The view of the judged file (see [`crate::resolve::compose`]).
    pub fn compose(&self) -> Composed {
        let mut texts: Vec<&str> = self.texts.iter().map(|t| &**t).collect();
        let deployed = self
            .transform
            .and_then(|transform| crate::resolve::deploy(&texts, transform));
        let Some((deployed, messages)) = deployed else {
            let known = self
                .references
                .as_ref()
                .filter(|(text, _)| Arc::ptr_eq(text, &self.texts[0]))
                .map(|(_, references)| &**references);
            return crate::resolve::compose_with(
                &texts,
                &self.includes,
                &self.inherited,
                known,
                Some(&self.texts[0]),
            );
        };
        texts[0] = &deployed.text;
        let mut composed = crate::resolve::compose(&texts, &self.includes, &self.inherited);
        composed.transform_messages = messages;
        composed.deployed = Some(deployed);
        composed
    }
}

/// Lints the view of a bundle's judged file, then takes every finding and edit back to the file
/// it is about. A fix with an edit outside the editable files, or across several, is dropped:
/// the finding stays. A parse error is the judged file's (its positions are its own).
pub fn lint_bundle(
    bundle: &Bundle,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
) -> Result<Linted, ParseError> {
    lint_bundle_parsed(bundle, facts, rules, settings, None)
}

/// [`lint_bundle`], with a parse of the judged file already made (to find the files it names):
/// when the view is that file alone, it is not parsed again.
pub fn lint_bundle_parsed(
    bundle: &Bundle,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
    parsed: Option<&roxmltree::Document<'_>>,
) -> Result<Linted, ParseError> {
    let mut composed = bundle.compose();
    let reusable = parsed.filter(|doc| {
        composed.view.is_single()
            && composed.deployed.is_none()
            && doc.input_text() == &*composed.view.text
    });
    let parsed_here;
    let doc = match reusable {
        Some(doc) => doc,
        None => {
            let doc = match document::parse(&composed.view.text) {
                Ok(doc) => Some(doc),
                Err(err) if composed.view.is_single() && composed.deployed.is_none() => {
                    return Err(err);
                }
                Err(_) => None,
            };
            // The pieces parse alone but not together (a parent's section uses a prefix only
            // its own root declares): the file is judged as written.
            parsed_here = match doc {
                Some(doc) => doc,
                None => {
                    composed = Composed {
                        view: View::shared(bundle.texts[0].clone()),
                        ..Composed::default()
                    };
                    document::parse(&composed.view.text)?
                }
            };
            &parsed_here
        }
    };
    let view = &composed.view;
    let text: &str = &view.text;
    let model = Model::build(doc);
    let directives = crate::suppress::collect(doc);
    let sections = (facts.kind == FileKind::WebConfig && facts.offers_sections)
        .then(|| crate::resolve::ParentSections::of_view(doc, &composed.view))
        .flatten();
    // The files the judged file moved sections to: indices 1 to `editable` (a transform and the
    // parents come after them).
    let included: Vec<Range<usize>> = view
        .pieces
        .iter()
        .filter(|p| p.file != 0 && p.file < bundle.editable)
        .map(|p| p.view.clone())
        .collect();
    let ctx = Context {
        text,
        style: crate::edits::Style::new(text),
        model: &model,
        kind: facts.kind,
        farm: facts.farm,
        application_root: facts.application_root,
        application: &facts.application,
        options: &settings.options,
        fix: &settings.fix,
        config_source_problems: &composed.problems,
        mapped_sessions: &facts.mapped_sessions,
        included: &included,
        composed: &composed,
        transform: bundle.transform.map(|file| crate::rules::Transform {
            file,
            text: &bundle.texts[file],
        }),
    };
    let mut diagnostics = Vec::new();
    for (rule, severity) in &rules.rules {
        let start = diagnostics.len();
        (rule.check)(&ctx, &mut diagnostics);
        diagnostics[start..].iter_mut().for_each(|d| {
            d.severity = d.max_severity.map_or(*severity, |max| max.min(*severity));
        });
    }
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.rule.code, &a.message).cmp(&(b.range.start, b.rule.code, &b.message))
    });
    diagnostics.dedup_by(|a, b| {
        a.rule.code == b.rule.code && a.range == b.range && a.message == b.message
    });
    // A rule inactive for this file in this run: a farm rule without a declared farm, or any
    // rule when a view of the file is left out.
    let inactive = |rule: &str| {
        bundle.unused.views_left_out
            || (!facts.farm && crate::suppress::FARM_ONLY_RULES.contains(&rule))
    };
    let mut applied = crate::suppress::apply(text, &directives, diagnostics, rules, &inactive);
    let unused = crate::rules::unused_suppression::META.name;
    if bundle.unused.withhold_fixes {
        for d in applied
            .diagnostics
            .iter_mut()
            .filter(|d| d.rule.name == unused)
        {
            d.fix = None;
        }
    }
    let diagnostics = applied
        .diagnostics
        .into_iter()
        .filter_map(|d| locate(&composed, d, bundle))
        // A parent's directive is judged when the parent is: what silences nothing in this
        // file's view may silence something in the parent's.
        .filter(|d| d.rule.name != unused || bundle.is_editable(d.file))
        .collect();
    let mut diagnostics: Vec<Diagnostic> = diagnostics;
    diagnostics.extend(transform_findings(bundle, &composed, rules));
    if let Some(environment) = &bundle.environment {
        for d in &mut diagnostics {
            d.environments = vec![environment.clone()];
        }
    }
    let suppressed = applied
        .suppressed
        .into_iter()
        .filter_map(|mut s| {
            s.diagnostic = locate(&composed, s.diagnostic, bundle)?;
            Some(s)
        })
        .collect();
    Ok(Linted {
        model,
        diagnostics,
        suppressed,
        sections,
    })
}

/// XDT's warnings and errors about the transform the view was deployed with, as findings of
/// `invalid-transform` and `transform-matches-nothing`, located in the transform (or the base),
/// and a namespace that is almost XDT's (`transform-namespace-wrong`).
fn transform_findings(bundle: &Bundle, composed: &Composed, rules: &RuleSet) -> Vec<Diagnostic> {
    use crate::rules::{invalid_transform, transform_matches_nothing, transform_namespace_wrong};
    use crate::xdt::{MessageKind, Severity as XdtSeverity};
    let Some(transform) = bundle.transform else {
        return Vec::new();
    };
    let level = |meta: &RuleMeta| {
        rules
            .rules
            .iter()
            .find(|(rule, _)| rule.meta.name == meta.name)
            .map(|(_, severity)| *severity)
    };
    let mut out = Vec::new();
    let mut push =
        |meta: &'static RuleMeta, file: FileIndex, range: Range<usize>, message: String| {
            if let Some(severity) = level(meta) {
                let mut diagnostic = Diagnostic::new(meta, range, message);
                diagnostic.file = file;
                diagnostic.severity = severity;
                out.push(diagnostic);
            }
        };
    for (file, message) in &composed.transform_messages {
        let meta = match (message.kind, message.severity) {
            // Removing what is not there leaves the deployed file as the transform wants it:
            // a defensive `<trace xdt:Transform="Remove" />` is no mistake.
            (MessageKind::NoMatch, _)
                if removes(bundle.texts[*file].get(message.span.clone()).unwrap_or("")) =>
            {
                continue;
            }
            (MessageKind::NoMatch, _) => &transform_matches_nothing::META,
            (MessageKind::Invalid | MessageKind::Unsupported, _)
            | (MessageKind::Other, XdtSeverity::Error) => &invalid_transform::META,
            (MessageKind::Other, XdtSeverity::Warning) => continue,
        };
        push(meta, *file, message.span.clone(), message.message.clone());
    }
    if let Some((range, uri)) = crate::xdt::namespace_near_miss(&bundle.texts[transform]) {
        push(
            &transform_namespace_wrong::META,
            transform,
            range,
            format!(
                "`{uri}` is not the XDT namespace, which XDT compares exactly: none of this transform is applied; write `{}`",
                crate::xdt::XDT_NAMESPACE
            ),
        );
    }
    out
}

/// Does this start tag (from the element's name) say `xdt:Transform="Remove…"` (`Remove`,
/// `RemoveAll`, `RemoveAttributes(…)`), with any prefix?
fn removes(start_tag: &str) -> bool {
    start_tag.match_indices(":Transform").any(|(at, name)| {
        let rest = start_tag[at + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            return false;
        };
        let rest = rest.trim_start();
        let value = rest.strip_prefix(['"', '\'']).unwrap_or("");
        value.trim_start().starts_with("Remove")
    })
}

/// Takes a finding of a view back to its file (see [`View::locate`]). A finding on bytes the
/// view wrote itself is reported at the start of the judged file; a fix is kept only when all
/// its edits land in one editable file.
fn locate(composed: &Composed, mut diagnostic: Diagnostic, bundle: &Bundle) -> Option<Diagnostic> {
    let view = &composed.view;
    if view.is_single() && composed.deployed.is_none() {
        return Some(diagnostic);
    }
    // Through the view to its files, then from the deployed document to the base or the
    // transform.
    let locate = |range: &Range<usize>| composed.origin(range);
    // A range across pieces (a start tag a transform rewrote) is reported where it starts.
    let (file, range) = locate(&diagnostic.range)
        .or_else(|| locate(&(diagnostic.range.start..diagnostic.range.start)))
        .unwrap_or((0, 0..0));
    diagnostic.file = file;
    diagnostic.range = range;
    if let Some(fix) = &mut diagnostic.fix {
        let mut files = Vec::new();
        let mut located = Vec::new();
        for edit in &fix.edits {
            // An edit a rule made in another file of the bundle (a transform) is in place.
            if edit.file != 0 {
                files.push(if bundle.is_editable(edit.file) {
                    located.push(edit.clone());
                    edit.file
                } else {
                    usize::MAX
                });
                continue;
            }
            match locate(&edit.range) {
                Some((file, range)) if bundle.is_editable(file) => {
                    files.push(file);
                    located.push(Edit {
                        file,
                        range,
                        content: edit.content.clone(),
                    });
                }
                _ => {
                    files.push(usize::MAX);
                }
            }
        }
        files.dedup();
        if files.len() > 1 || files.first() == Some(&usize::MAX) {
            diagnostic.fix = None;
        } else {
            fix.edits = located;
        }
    }
    Some(diagnostic)
}

/// The most passes the fix loop makes before it reports that fixes do not converge.
pub const MAX_FIX_PASSES: usize = 10;

/// The outcome of fixing one file.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// The fixed text (the input when nothing applied).
    pub text: String,
    /// How many fixes were applied, per rule name.
    pub fixed: Vec<&'static str>,
    /// Diagnostics of the final text.
    pub remaining: Vec<Diagnostic>,
    /// Findings of the final text that inline suppressions silenced (their fixes are not applied).
    pub suppressed: Vec<Suppressed>,
    /// A pass that broke the XML or did not converge: the text is that of the last good pass.
    pub problem: Option<String>,
}

/// Applies fixes at or above `required` in passes until none applies.
pub fn fix_text(
    text: &str,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
    required: Applicability,
) -> Result<FixOutcome, ParseError> {
    let bundle = Bundle::single(text);
    let first = lint_bundle(&bundle, facts, rules, settings)?;
    let mut outcome = fix_linted(bundle, first, facts, rules, settings, required);
    Ok(FixOutcome {
        text: outcome.texts.swap_remove(0).to_string(),
        fixed: outcome.fixed.into_iter().map(|(_, name)| name).collect(),
        remaining: outcome.remaining,
        suppressed: outcome.suppressed,
        problem: outcome.problem,
    })
}

/// The outcome of fixing a bundle.
#[derive(Debug, Clone)]
pub struct BundleFixOutcome {
    /// The bundle's texts, its editable files fixed.
    pub texts: Vec<Arc<str>>,
    /// The fixes applied: file and rule, one entry per fix.
    pub fixed: Vec<(FileIndex, &'static str)>,
    pub remaining: Vec<Diagnostic>,
    pub suppressed: Vec<Suppressed>,
    pub problem: Option<String>,
}

/// Applies fixes at or above `required` in passes until none applies (`first` is the lint of
/// `bundle`). Each pass splices each editable file's fixes into it and lints the bundle again.
pub fn fix_linted(
    mut bundle: Bundle,
    first: Linted,
    facts: &FileFacts,
    rules: &RuleSet,
    settings: &Settings,
    required: Applicability,
) -> BundleFixOutcome {
    let mut fixed = Vec::new();
    let mut problem = None;
    let mut diagnostics = first.diagnostics;
    let mut suppressed = first.suppressed;
    // Fixes that would break the XML, by rule and position: never offered again.
    let mut rejected: Vec<(&'static str, FileIndex, usize)> = Vec::new();
    let mut one_at_a_time = false;
    for pass in 0.. {
        let candidates: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| {
                d.fix.as_ref().is_some_and(|f| {
                    f.applicability >= required
                        && f.applicability != Applicability::DisplayOnly
                        && !f.edits.is_empty()
                })
            })
            .filter(|d| !rejected.contains(&(d.rule.name, d.file, d.range.start)))
            .take(if one_at_a_time { 1 } else { usize::MAX })
            .collect();
        one_at_a_time = false;
        if candidates.is_empty() {
            break;
        }
        if pass == MAX_FIX_PASSES {
            let mut names: Vec<_> = candidates.iter().map(|d| d.rule.name).collect();
            names.dedup();
            problem = Some(format!(
                "fixes did not converge after {MAX_FIX_PASSES} passes ({})",
                names.join(", ")
            ));
            break;
        }
        let fix_file = |d: &Diagnostic| d.fix.as_ref().map_or(0, |f| f.edits[0].file);
        let mut next = bundle.clone();
        let mut applied_now = Vec::new();
        for file in bundle.editable_files() {
            let (text, applied) = apply_fixes(
                &bundle.texts[file],
                candidates
                    .iter()
                    .filter(|d| fix_file(d) == file)
                    .map(|d| (d.rule.name, d.fix.as_ref().expect("filtered"))),
            );
            next.texts[file] = Arc::from(text);
            applied_now.extend(applied.into_iter().map(|name| (file, name)));
        }
        // Every file a pass changed must stay well-formed on its own, and a transform must stay
        // one XDT can apply: the view would otherwise fall back to the file as written and hide
        // the damage.
        let broken = bundle
            .editable_files()
            .into_iter()
            .filter(|&file| next.texts[file] != bundle.texts[file])
            .find_map(|file| breaks(&next, file).err());
        let linted = match broken {
            Some(err) => Err(err),
            None => lint_bundle(&next, facts, rules, settings),
        };
        match linted {
            Ok(linted) => {
                bundle = next;
                diagnostics = linted.diagnostics;
                suppressed = linted.suppressed;
                fixed.extend(applied_now);
            }
            Err(err) => {
                // Drop the pass; find the fixes that break the XML on their own and leave them
                // out, so the others still apply in the next pass.
                let mut culprits = Vec::new();
                for d in &candidates {
                    let fix = d.fix.as_ref().expect("filtered");
                    let file = fix_file(d);
                    let (alone, _) =
                        apply_fixes(&bundle.texts[file], std::iter::once((d.rule.name, fix)));
                    let mut with_fix = bundle.clone();
                    with_fix.texts[file] = Arc::from(alone);
                    if breaks(&with_fix, file).is_err() {
                        rejected.push((d.rule.name, d.file, d.range.start));
                        culprits.push(d.rule.name);
                    }
                }
                // Each parses alone but not together: apply them one per pass.
                one_at_a_time = culprits.is_empty();
                culprits.dedup();
                if !culprits.is_empty() {
                    problem = Some(format!(
                        "a fix by {} would produce malformed XML ({}); it was not applied",
                        culprits.join(", "),
                        err.message
                    ));
                }
            }
        }
    }
    BundleFixOutcome {
        texts: bundle.texts,
        fixed,
        remaining: diagnostics,
        suppressed,
        problem,
    }
}

/// Does `file` of the bundle no longer parse, or (the judged file or its transform) no longer
/// make a deployable transform?
fn breaks(bundle: &Bundle, file: FileIndex) -> Result<(), ParseError> {
    document::parse(&bundle.texts[file])?;
    if let Some(transform) = bundle.transform
        && (file == 0 || file == transform)
        && let Err(error) = crate::xdt::apply(&bundle.texts[0], &bundle.texts[transform])
    {
        let (line, column) = error.line_col(&bundle.texts[0], &bundle.texts[transform]);
        return Err(ParseError {
            message: error.message,
            line,
            column,
        });
    }
    Ok(())
}

/// Splices the fixes that do not overlap an earlier one into `text`; every other byte is copied.
/// Returns the new text and the rules whose fixes were applied.
pub fn apply_fixes<'a>(
    text: &str,
    fixes: impl Iterator<Item = (&'static str, &'a Fix)>,
) -> (String, Vec<&'static str>) {
    let mut fixes: Vec<_> = fixes.filter(|(_, f)| !f.edits.is_empty()).collect();
    fixes.sort_by_key(|(name, f)| (f.edits[0].range.start, f.edits[0].range.end, *name));
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied_to = 0;
    let mut applied = Vec::new();
    let mut last_end: Option<usize> = None;
    // The elements whole-line insertions put at `last_end` so far.
    let mut stacked: Vec<&str> = Vec::new();
    for (name, fix) in fixes {
        let first = &fix.edits[0];
        let start = first.range.start;
        // Touching counts as overlapping, so two inserts at one offset land in separate passes,
        // except whole lines adding different elements at one line start (a `<sessionState>`
        // and a `<machineKey>` before `</system.web>`): they go one after the other, where the
        // next pass would have put the second, and the file is linted once less. Two insertions
        // of the same element still wait, so the second sees the first.
        let stacks = last_end == Some(start)
            && inserted_element(text, first).is_some_and(|element| !stacked.contains(&element));
        if last_end.is_some_and(|end| start <= end) && !stacks || !edits_are_ordered(fix) {
            continue;
        }
        if !stacks {
            stacked.clear();
        }
        for edit in &fix.edits {
            out.push_str(&text[copied_to..edit.range.start]);
            out.push_str(&edit.content);
            copied_to = edit.range.end;
        }
        let end = fix.edits.iter().map(|e| e.range.end).max();
        if end != last_end {
            stacked.clear();
        }
        let last = fix.edits.last().expect("not empty");
        stacked.extend(inserted_element(text, last).filter(|_| Some(last.range.end) == end));
        last_end = end;
        applied.push(name);
    }
    out.push_str(&text[copied_to..]);
    (out, applied)
}

/// The element an edit inserts as whole lines at the start of a line: `<name` in `    <name … />⏎`
/// (the line ending LF, CRLF or a lone CR).
fn inserted_element<'e>(text: &str, edit: &'e Edit) -> Option<&'e str> {
    let whole_lines = crate::source::is_line_start(text, edit.range.start)
        && edit.content.ends_with(['\n', '\r']);
    if !edit.range.is_empty() || !whole_lines {
        return None;
    }
    let tag = edit
        .content
        .trim_start_matches([' ', '\t'])
        .strip_prefix('<')?;
    let name_end = tag
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(tag.len());
    let name = &tag[..name_end];
    (!name.is_empty() && !name.starts_with(['!', '?', '/'])).then_some(name)
}

/// Edits within one fix must be sorted and must not overlap (inserts at one offset may touch).
fn edits_are_ordered(fix: &Fix) -> bool {
    fix.edits
        .windows(2)
        .all(|pair| pair[0].range.end <= pair[1].range.start)
        && fix.edits.iter().all(|e| e.range.start <= e.range.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;

    #[test]
    fn a_pass_that_leaves_a_transform_xdt_refuses_is_broken() {
        let base =
            "<configuration><system.web><sessionState timeout=\"5\"/></system.web></configuration>";
        let transform = "<configuration xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\"><system.web><sessionState timeout=\"60\" xdt:Transform=\"SetAttributes\"/></system.web></configuration>";
        let bundle = |transform: &str| Bundle {
            texts: vec![Arc::from(base), Arc::from(transform)],
            editable: 1,
            transform: Some(1),
            ..Bundle::default()
        };
        assert!(breaks(&bundle(transform), 1).is_ok());
        // Well-formed XML, but XDT cannot load it (`xdt:Import` runs .NET code).
        let import = transform.replace(
            "<system.web>",
            "<xdt:Import assembly=\"X\" namespace=\"Y\"/><system.web>",
        );
        assert!(crate::document::parse(&import).is_ok());
        assert!(breaks(&bundle(&import), 1).is_err());
        assert!(breaks(&bundle("<configuration>"), 1).is_err());
    }
    use crate::rules::{FixAvailability, Rule, RuleMeta};

    const fn meta(name: &'static str) -> RuleMeta {
        RuleMeta {
            name,
            code: "TEST",
            group: crate::meta::Group::Correctness,
            summary: "",
            default_severity: Severity::Warning,
            fix: FixAvailability::Always,
            options: &[],
            doc: "",
        }
    }

    static BREAKS_XML: RuleMeta = meta("breaks-xml");
    static FLIP_FLOP: RuleMeta = meta("flip-flop");
    static SETS_A: RuleMeta = meta("sets-a");

    /// Offers a fix that deletes the root's closing `>`.
    fn breaks_xml(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let end = ctx.text.rfind('>').unwrap();
        let fix = Fix::new(
            Applicability::Safe,
            "break",
            vec![Edit::delete(end..end + 1)],
        );
        out.push(Diagnostic::new(&BREAKS_XML, end..end + 1, "x").with_fix(Some(fix)));
    }

    /// Always offers to swap `x` and `y` in the first attribute value: it never converges.
    fn flip_flop(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let at = ctx.text.find(['x', 'y']).unwrap();
        let next = if &ctx.text[at..at + 1] == "x" {
            "y"
        } else {
            "x"
        };
        let fix = Fix::new(
            Applicability::Safe,
            "flip",
            vec![Edit::replace(at..at + 1, next)],
        );
        out.push(Diagnostic::new(&FLIP_FLOP, at..at + 1, "x").with_fix(Some(fix)));
    }

    /// Adds `a="1"` to the root until it has it.
    fn sets_a(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if ctx.text.contains("a=") {
            return;
        }
        let at = ctx.text.find(" v=").unwrap();
        let fix = Fix::new(Applicability::Safe, "a", vec![Edit::insert(at, " a=\"1\"")]);
        out.push(Diagnostic::new(&SETS_A, at..at, "x").with_fix(Some(fix)));
    }

    fn run(rules: Vec<&'static Rule>, text: &str) -> FixOutcome {
        let set = RuleSet {
            rules: rules.into_iter().map(|r| (r, Severity::Warning)).collect(),
        };
        let facts = FileFacts {
            kind: FileKind::WebConfig,
            farm: false,
            application_root: true,
            application: Default::default(),
            mapped_sessions: Default::default(),
            offers_sections: false,
        };
        fix_text(
            text,
            &facts,
            &set,
            &Settings::default(),
            Applicability::Safe,
        )
        .unwrap()
    }

    static BREAKS: Rule = Rule {
        meta: &BREAKS_XML,
        check: breaks_xml,
    };
    static FLIPS: Rule = Rule {
        meta: &FLIP_FLOP,
        check: flip_flop,
    };
    static ADDS: Rule = Rule {
        meta: &SETS_A,
        check: sets_a,
    };

    #[test]
    fn a_fix_that_breaks_the_xml_is_dropped_and_the_others_still_apply() {
        let outcome = run(vec![&BREAKS, &ADDS], "<configuration v=\"1\"/>");
        assert_eq!(outcome.text, "<configuration a=\"1\" v=\"1\"/>");
        assert_eq!(outcome.fixed, ["sets-a"]);
        let problem = outcome.problem.unwrap();
        assert!(
            problem.contains("breaks-xml") && problem.contains("malformed"),
            "{problem}"
        );
    }

    #[test]
    fn fixes_that_never_settle_are_reported() {
        let outcome = run(vec![&FLIPS], "<configuration v=\"x\"/>");
        assert_eq!(outcome.fixed.len(), MAX_FIX_PASSES);
        assert!(outcome.problem.unwrap().contains("did not converge"));
        assert!(crate::document::parse(&outcome.text).is_ok());
    }

    #[test]
    fn overlapping_and_touching_fixes_wait_for_the_next_pass() {
        let text = "<a b=\"1\"/>";
        let first = Fix::new(Applicability::Safe, "1", vec![Edit::replace(6..7, "2")]);
        let touching = Fix::new(Applicability::Safe, "2", vec![Edit::insert(7, "3")]);
        let later = Fix::new(Applicability::Safe, "3", vec![Edit::insert(9, " ")]);
        let (out, applied) = apply_fixes(
            text,
            [("r1", &first), ("r2", &touching), ("r3", &later)].into_iter(),
        );
        assert_eq!(out, "<a b=\"2\"/ >");
        assert_eq!(applied, ["r1", "r3"]);
    }

    #[test]
    fn whole_line_insertions_of_different_elements_share_a_pass() {
        let text = "<c>\n  <sw>\n  </sw>\n</c>";
        let at = text.find("  </sw>").unwrap();
        let line = |element: &str| format!("    <{element} a=\"1\" />\n");
        let session = Fix::new(
            Applicability::Safe,
            "s",
            vec![Edit::insert(at, line("sessionState"))],
        );
        let key = Fix::new(
            Applicability::Safe,
            "k",
            vec![Edit::insert(at, line("machineKey"))],
        );
        let again = Fix::new(
            Applicability::Safe,
            "t",
            vec![Edit::insert(at, line("sessionState"))],
        );
        let inline = Fix::new(Applicability::Safe, "i", vec![Edit::insert(at, "<x/>")]);
        let (out, applied) = apply_fixes(
            text,
            [
                ("r1", &session),
                ("r2", &key),
                ("r3", &again),
                ("r4", &inline),
            ]
            .into_iter(),
        );
        assert_eq!(
            out,
            "<c>\n  <sw>\n    <sessionState a=\"1\" />\n    <machineKey a=\"1\" />\n  </sw>\n</c>"
        );
        assert_eq!(
            applied,
            ["r1", "r2"],
            "the same element again, or text mid-line, waits"
        );
    }

    #[test]
    fn whole_lines_ending_in_a_lone_cr_share_a_pass_too() {
        let text = "<c>\r  <sw>\r  </sw>\r</c>";
        let at = text.find("  </sw>").unwrap();
        let line = |element: &str| format!("    <{element} a=\"1\" />\r");
        let session = Fix::new(
            Applicability::Safe,
            "s",
            vec![Edit::insert(at, line("sessionState"))],
        );
        let key = Fix::new(
            Applicability::Safe,
            "k",
            vec![Edit::insert(at, line("machineKey"))],
        );
        let (out, applied) = apply_fixes(text, [("r1", &session), ("r2", &key)].into_iter());
        assert_eq!(
            out,
            "<c>\r  <sw>\r    <sessionState a=\"1\" />\r    <machineKey a=\"1\" />\r  </sw>\r</c>"
        );
        assert_eq!(applied, ["r1", "r2"]);
    }
}
