//! Inline suppressions in XML comments, and the `unused-suppression` rule's real work.
//!
//! ```xml
//! <!-- iislint: ignore forms-timeout-too-low, session-timeout-too-low - kiosk app, see #12 -->
//! <authentication mode="Forms"> … </authentication>
//! <!-- iislint: ignore-file machine-key-missing-on-farm -->
//! ```
//!
//! `ignore` silences the named rules for diagnostics located in the next element (the first
//! element after the comment, skipping white space and other comments) or inside it;
//! `ignore-file` silences them for the whole file. Rules are named, never given by code.
//!
//! The reason follows a dash that stands alone (` - `, ` – ` or ` — `). ESLint's ` -- ` cannot be
//! used: XML forbids `--` inside a comment, and both IIS and iislint reject such a file.
//!
//! A directive that silences nothing, names an unknown rule or cannot be read is reported as
//! `unused-suppression` (only when that rule is enabled). A suppression of a rule that is
//! inactive for the file in this run is never called unused (nor removed by a fix): nobody can
//! tell whether the rule would have fired. Inactive: turned off, left out by `--select`,
//! `--ignore` or `per-file-ignores`; a farm rule ([`FARM_ONLY_RULES`]) without a declared farm;
//! any rule when an environment of the file is not judged in this run. A file judged through
//! several environments has a suppression unused only when every one finds it so (`check`).

use std::ops::Range;

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::RuleSet;
use crate::rules::{RULES, unused_suppression};

/// The rules that judge nothing unless the site is declared a farm (`--farm`, `farm = true`):
/// they read [`crate::rules::Context::farm_application_scope`], and a test keeps this list equal
/// to the rules whose source does.
pub const FARM_ONLY_RULES: &[&str] = &[
    "inproc-session-on-farm",
    "machine-key-missing-on-farm",
    "state-server-local-on-farm",
];

/// What a directive applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `ignore`: the element after the comment (its whole range) and its name.
    Element(Range<usize>, String),
    /// `ignore`, but no element follows the comment in its parent.
    Nothing,
    /// `ignore-file`.
    File,
}

/// A rule name as written in a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub range: Range<usize>,
    /// The rule, when `text` is exactly a rule's name.
    pub rule: Option<&'static str>,
}

/// One `<!-- iislint: … -->` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// `<!--` to `-->`.
    pub comment: Range<usize>,
    pub scope: Scope,
    pub names: Vec<Name>,
    pub reason: Option<String>,
    /// Why the directive cannot be used (an unknown verb, no rule named).
    pub problem: Option<String>,
}

/// A finding an inline suppression silenced.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    pub reason: Option<String>,
    /// Silenced by `ignore-file` rather than `ignore`.
    pub file_level: bool,
}

/// Every directive in the document, in document order.
pub fn collect(doc: &roxmltree::Document<'_>) -> Vec<Directive> {
    let text = doc.input_text();
    // The last `ignore` comment's walk to the sibling it stands before (`None`: none follows).
    // Comments in a row all stand before the same one: each reuses the walk of the one before
    // instead of walking past all the others again (quadratic in a run of comments).
    let mut walked: Option<(roxmltree::Node<'_, '_>, Option<roxmltree::Node<'_, '_>>)> = None;
    doc.descendants()
        .filter(|n| n.is_comment())
        .filter_map(|node| {
            parse_comment(text, node, || {
                let stop = match walked {
                    Some((from, stop))
                        if from.parent() == node.parent()
                            && from.range().start < node.range().start
                            && stop.is_none_or(|s| node.range().start < s.range().start) =>
                    {
                        stop
                    }
                    _ => first_unskippable_sibling(node),
                };
                walked = Some((node, stop));
                match stop {
                    Some(element) if element.is_element() => {
                        Scope::Element(element.range(), element.tag_name().name().to_owned())
                    }
                    _ => Scope::Nothing,
                }
            })
        })
        .collect()
}

/// `next_element_scope` is the scope of an `ignore` directive written in this comment.
fn parse_comment(
    text: &str,
    node: roxmltree::Node<'_, '_>,
    next_element_scope: impl FnOnce() -> Scope,
) -> Option<Directive> {
    let comment = node.range();
    let raw = text.get(comment.clone())?;
    if !raw.starts_with("<!--") || !raw.ends_with("-->") || raw.len() < 7 {
        return None;
    }
    let body_start = comment.start + 4;
    let body = &text[body_start..comment.end - 3];
    let lead = body.len() - body.trim_start().len();
    let after_lead = &body[lead..];
    const PREFIX: &str = "iislint:";
    // `get` rather than slicing: the comment may start with a multi-byte character.
    if !after_lead
        .get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
    {
        return None;
    }
    // Offsets below are into `text`.
    let end = comment.end - 3;
    let tokens = tokens(text, body_start + lead + PREFIX.len()..end);
    let mut tokens = tokens.into_iter();
    let mut directive = Directive {
        comment: comment.clone(),
        scope: Scope::File,
        names: Vec::new(),
        reason: None,
        problem: None,
    };
    let Some(verb) = tokens.next() else {
        directive.problem = Some(
            "empty iislint directive; write `iislint: ignore RULE` or `iislint: ignore-file RULE`"
                .to_owned(),
        );
        return Some(directive);
    };
    match &text[verb.clone()] {
        "ignore" => directive.scope = next_element_scope(),
        "ignore-file" => directive.scope = Scope::File,
        other => {
            directive.problem = Some(format!(
                "unknown iislint directive `{other}`; expected `ignore` or `ignore-file`"
            ));
            return Some(directive);
        }
    }
    for token in tokens {
        let word = &text[token.clone()];
        if matches!(word, "-" | "--" | "–" | "—") {
            let reason = text[token.end..end].trim();
            directive.reason = (!reason.is_empty()).then(|| reason.to_owned());
            break;
        }
        let mut offset = token.start;
        for part in word.split(',') {
            if !part.is_empty() {
                directive.names.push(Name {
                    text: part.to_owned(),
                    range: offset..offset + part.len(),
                    rule: RULES
                        .iter()
                        .find(|r| r.meta.name == part)
                        .map(|r| r.meta.name),
                });
            }
            offset += part.len() + 1;
        }
    }
    if directive.names.is_empty() {
        directive.problem = Some(
            "the suppression names no rule; write `iislint: ignore RULE[, RULE…]` (there is no blanket suppression)"
                .to_owned(),
        );
    }
    Some(directive)
}

/// Whitespace-separated tokens of `text[range]`, as byte ranges into `text`.
fn tokens(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text[range.clone()].char_indices() {
        let i = range.start + i;
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..range.end);
    }
    out
}

/// What an `ignore` comment stands before: its first next sibling that is not white space, a
/// comment or a processing instruction (the element it silences, when that is an element).
fn first_unskippable_sibling<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
) -> Option<roxmltree::Node<'a, 'i>> {
    node.next_siblings().skip(1).find(|sibling| {
        let skippable = sibling.is_comment()
            || sibling.is_pi()
            || (sibling.is_text() && sibling.text().is_some_and(|t| t.trim().is_empty()));
        !skippable
    })
}

/// The directives that may silence a finding at an offset, found without going through all of
/// them: a file with a suppression before each of thousands of `<location>` elements was
/// quadratic. Usable directives only (no problem, an element or the file as scope).
struct Coverage {
    /// `ignore-file` directives.
    file: Vec<usize>,
    /// `ignore` directives by their element's range, sorted by start, outer ranges first: each
    /// with its directive and the nearest enclosing entry. Element ranges nest or are apart.
    elements: Vec<(Range<usize>, usize, Option<usize>)>,
}

impl Coverage {
    fn new(directives: &[Directive]) -> Coverage {
        let mut file = Vec::new();
        let mut ranges = Vec::new();
        for (i, directive) in directives.iter().enumerate() {
            match &directive.scope {
                _ if directive.problem.is_some() => {}
                Scope::File => file.push(i),
                Scope::Element(range, _) => ranges.push((range.clone(), i)),
                Scope::Nothing => {}
            }
        }
        ranges.sort_by_key(|(range, i)| (range.start, std::cmp::Reverse(range.end), *i));
        let mut elements: Vec<(Range<usize>, usize, Option<usize>)> =
            Vec::with_capacity(ranges.len());
        let mut open: Vec<usize> = Vec::new();
        for (range, i) in ranges {
            while open
                .last()
                .is_some_and(|&outer| elements[outer].0.end <= range.start)
            {
                open.pop();
            }
            elements.push((range, i, open.last().copied()));
            open.push(elements.len() - 1);
        }
        Coverage { file, elements }
    }

    /// The directives whose scope holds `offset`, in no particular order.
    fn at(&self, offset: usize) -> impl Iterator<Item = usize> + '_ {
        // The innermost range holding the offset is the last one starting at or before it, or
        // one of that range's enclosing ranges.
        let last_started = self
            .elements
            .partition_point(|(range, _, _)| range.start <= offset)
            .checked_sub(1);
        let mut innermost = last_started;
        while let Some(k) = innermost {
            if offset < self.elements[k].0.end {
                break;
            }
            innermost = self.elements[k].2;
        }
        let enclosing = std::iter::successors(innermost, |&k| self.elements[k].2);
        self.file
            .iter()
            .copied()
            .chain(enclosing.map(|k| self.elements[k].1))
    }
}

/// What [`apply`] returns.
pub struct Applied {
    /// The diagnostics still reported, `unused-suppression` ones included, sorted.
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: Vec<Suppressed>,
}

/// Silences the diagnostics the directives name, then reports directives that silenced nothing
/// (when `unused-suppression` is in `rules`); a name of a rule `inactive` says is inactive in
/// this run is never unused.
pub fn apply(
    text: &str,
    directives: &[Directive],
    diagnostics: Vec<Diagnostic>,
    rules: &RuleSet,
    inactive: &dyn Fn(&str) -> bool,
) -> Applied {
    if directives.is_empty() {
        return Applied {
            diagnostics,
            suppressed: Vec::new(),
        };
    }
    let coverage = Coverage::new(directives);
    // used[d][n]: name n of directive d silenced something.
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.names.len()])
        .collect();
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for diagnostic in diagnostics {
        match silence(
            directives,
            &coverage,
            &mut used,
            diagnostic.rule.name,
            diagnostic.range.start,
        ) {
            Some(by) => suppressed.push(Suppressed {
                diagnostic,
                reason: directives[by].reason.clone(),
                file_level: directives[by].scope == Scope::File,
            }),
            None => kept.push(diagnostic),
        }
    }

    let unused_rule = unused_suppression::META.name;
    let severity = rules
        .rules
        .iter()
        .find(|(rule, _)| rule.meta.name == unused_rule)
        .map(|(_, severity)| *severity);
    if let Some(severity) = severity {
        let ran =
            |name: &str| rules.rules.iter().any(|(r, _)| r.meta.name == name) && !inactive(name);
        // A report about a directive may itself be silenced by a directive naming
        // `unused-suppression`; reports about an unused `unused-suppression` are not silenced.
        let mut silenced_reports = vec![None; directives.len()];
        for (i, directive) in directives.iter().enumerate() {
            let has_report = directive.problem.is_some()
                || directive.names.iter().enumerate().any(|(n, name)| {
                    name.rule != Some(unused_rule) && is_unused(directive, name, used[i][n], &ran)
                });
            if has_report {
                // A directive never silences the report about itself.
                silenced_reports[i] = silence_except(
                    directives,
                    &coverage,
                    &mut used,
                    unused_rule,
                    directive.comment.start,
                    Some(i),
                );
            }
        }
        for (i, directive) in directives.iter().enumerate() {
            let Some(mut diagnostic) = report(text, directive, &used[i], &ran) else {
                continue;
            };
            diagnostic.severity = severity;
            match silenced_reports[i] {
                Some(by) => suppressed.push(Suppressed {
                    diagnostic,
                    reason: directives[by].reason.clone(),
                    file_level: directives[by].scope == Scope::File,
                }),
                None => kept.push(diagnostic),
            }
        }
        kept.sort_by(|a, b| {
            (a.range.start, a.rule.code, &a.message).cmp(&(b.range.start, b.rule.code, &b.message))
        });
    }
    Applied {
        diagnostics: kept,
        suppressed,
    }
}

/// The first directive that silences `rule` at `offset`, marking every directive name that does.
fn silence(
    directives: &[Directive],
    coverage: &Coverage,
    used: &mut [Vec<bool>],
    rule: &str,
    offset: usize,
) -> Option<usize> {
    silence_except(directives, coverage, used, rule, offset, None)
}

fn silence_except(
    directives: &[Directive],
    coverage: &Coverage,
    used: &mut [Vec<bool>],
    rule: &str,
    offset: usize,
    except: Option<usize>,
) -> Option<usize> {
    let mut first: Option<usize> = None;
    for i in coverage.at(offset).filter(|&i| except != Some(i)) {
        for (n, name) in directives[i].names.iter().enumerate() {
            if name.rule == Some(rule) {
                used[i][n] = true;
                first = Some(first.map_or(i, |f| f.min(i)));
            }
        }
    }
    first
}

fn is_unused(directive: &Directive, name: &Name, used: bool, ran: &impl Fn(&str) -> bool) -> bool {
    match name.rule {
        None => true,
        Some(_) if directive.scope == Scope::Nothing => true,
        Some(rule) => !used && ran(rule),
    }
}

/// The `unused-suppression` finding for one directive, if it has one.
fn report(
    text: &str,
    directive: &Directive,
    used: &[bool],
    ran: &impl Fn(&str) -> bool,
) -> Option<Diagnostic> {
    let meta = &unused_suppression::META;
    if let Some(problem) = &directive.problem {
        return Some(Diagnostic::new(
            meta,
            directive.comment.clone(),
            problem.clone(),
        ));
    }
    let mut unused = Vec::new();
    let mut unknown = Vec::new();
    for (n, name) in directive.names.iter().enumerate() {
        if !is_unused(directive, name, used[n], ran) {
            continue;
        }
        match name.rule {
            Some(_) => unused.push(name),
            None => unknown.push(name),
        }
    }
    if unused.is_empty() && unknown.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !unused.is_empty() {
        let list = quoted_list(unused.iter().map(|n| n.text.as_str()));
        parts.push(match &directive.scope {
            Scope::Element(_, element) => {
                format!("suppression of {list} silences nothing in <{element}>")
            }
            Scope::File => format!("file-level suppression of {list} silences nothing"),
            Scope::Nothing => format!(
                "suppression of {list} silences nothing: no element follows it (put it on the line before the element)"
            ),
        });
    }
    for name in &unknown {
        parts.push(unknown_name_message(&name.text));
    }
    let message = parts.join("; ");

    // Unknown names stay: removing them would hide a typo rather than correct it.
    let keep: Vec<&Name> = directive
        .names
        .iter()
        .zip(used)
        .filter(|(name, used)| name.rule.is_none() || !is_unused(directive, name, **used, ran))
        .map(|(name, _)| name)
        .collect();
    let fix = if keep.is_empty() {
        Some(Fix::new(
            Applicability::Safe,
            "Remove the unused suppression",
            vec![Edit::delete(removal_range(text, &directive.comment))],
        ))
    } else if keep.len() < directive.names.len() {
        let first = directive.names.first().map_or(0, |n| n.range.start);
        let last = directive.names.last().map_or(0, |n| n.range.end);
        let list = keep
            .iter()
            .map(|n| n.text.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Some(Fix::new(
            Applicability::Safe,
            format!(
                "Remove {} from the suppression",
                quoted_list(unused.iter().map(|n| n.text.as_str()))
            ),
            vec![Edit::replace(first..last, list)],
        ))
    } else {
        None
    };
    let mut diagnostic = Diagnostic::new(meta, directive.comment.clone(), message).with_fix(fix);
    diagnostic.severity = Severity::Warning;
    Some(diagnostic)
}

fn unknown_name_message(name: &str) -> String {
    if let Some(rule) = RULES
        .iter()
        .find(|r| r.meta.code.eq_ignore_ascii_case(name))
    {
        return format!(
            "suppressions name rules, not codes: write `{}` instead of `{name}`",
            rule.meta.name
        );
    }
    match crate::settings::closest_rule(&name.to_ascii_lowercase()) {
        Some(close) => format!("unknown rule `{name}` in suppression; did you mean `{close}`?"),
        None => format!("unknown rule `{name}` in suppression; `iislint rules` lists them"),
    }
}

fn quoted_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The bytes to delete to remove a comment: its whole line (line ending included) when it is
/// alone on the line, else the comment and the white space before it when it ends the line, else
/// the comment alone.
pub fn removal_range(text: &str, comment: &Range<usize>) -> Range<usize> {
    let line_start = crate::source::line_start_before(text, comment.start);
    let before = &text[line_start..comment.start];
    let rest = &text[comment.end..];
    let line_end = rest
        .find(['\n', '\r'])
        .map_or(text.len(), |i| comment.end + i);
    let after = &text[comment.end..line_end];
    let alone_before = before.trim().is_empty();
    let alone_after = after.trim().is_empty();
    match (alone_before, alone_after) {
        (true, true) => line_start..line_end + crate::source::line_break_len(text, line_end),
        (false, true) => {
            let trimmed = before.trim_end();
            line_start + trimmed.len()..comment.end
        }
        _ => comment.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directives(text: &str) -> Vec<Directive> {
        collect(&crate::document::parse(text).unwrap())
    }

    #[test]
    fn reads_names_reason_and_scope() {
        let text = "<a>\n  <!-- iislint: ignore forms-timeout-too-low,session-timeout-too-low - kiosk -->\n  <!-- plain -->\n  <b/>\n</a>";
        let d = directives(text);
        assert_eq!(d.len(), 1);
        let names: Vec<_> = d[0].names.iter().map(|n| n.rule).collect();
        assert_eq!(
            names,
            [
                Some("forms-timeout-too-low"),
                Some("session-timeout-too-low")
            ]
        );
        assert_eq!(d[0].reason.as_deref(), Some("kiosk"));
        let b = text.find("<b/>").unwrap();
        assert_eq!(d[0].scope, Scope::Element(b..b + 4, "b".to_owned()));
        assert_eq!(
            &text[d[0].names[1].range.clone()],
            "session-timeout-too-low"
        );
    }

    #[test]
    fn file_level_unknown_verb_and_empty_list() {
        let d = directives(
            "<a><!--iislint: ignore-file x--><!-- iislint: disable x --><!-- IISLINT: ignore --></a>",
        );
        assert_eq!(d[0].scope, Scope::File);
        assert_eq!(d[0].names[0].rule, None);
        assert!(d[1].problem.as_deref().unwrap().contains("`disable`"));
        assert!(d[2].problem.as_deref().unwrap().contains("names no rule"));
        assert_eq!(d[2].scope, Scope::Nothing);
    }

    #[test]
    fn removal_takes_the_line_when_alone() {
        let text = "<a>\r\n  <!-- x -->\r\n  <b/> <!-- y -->\r\n<c/><!-- z --><d/></a>";
        let x = text.find("<!-- x").unwrap();
        let r = removal_range(text, &(x..x + 10));
        assert_eq!(&text[r], "  <!-- x -->\r\n");
        let y = text.find("<!-- y").unwrap();
        assert_eq!(&text[removal_range(text, &(y..y + 10))], " <!-- y -->");
        let z = text.find("<!-- z").unwrap();
        assert_eq!(&text[removal_range(text, &(z..z + 10))], "<!-- z -->");
        let text = "<a>\r  <!-- x -->\r  <b/> <!-- y -->\r</a>";
        let x = text.find("<!-- x").unwrap();
        assert_eq!(&text[removal_range(text, &(x..x + 10))], "  <!-- x -->\r");
        let y = text.find("<!-- y").unwrap();
        assert_eq!(&text[removal_range(text, &(y..y + 10))], " <!-- y -->");
    }

    #[test]
    fn comments_in_a_row_all_stand_before_the_next_element() {
        let text = "<a>\n  <!-- iislint: ignore x -->\n  <!-- other -->\n  <?pi?>\n  <!-- iislint: ignore y -->\n  <b/>\n  <!-- iislint: ignore z -->\n  text\n  <c/>\n  <!-- iislint: ignore w -->\n</a>";
        let b = text.find("<b/>").unwrap();
        let scopes: Vec<_> = directives(text).into_iter().map(|d| d.scope).collect();
        assert_eq!(
            scopes,
            [
                Scope::Element(b..b + 4, "b".to_owned()),
                Scope::Element(b..b + 4, "b".to_owned()),
                Scope::Nothing,
                Scope::Nothing,
            ]
        );
    }

    #[test]
    fn coverage_finds_every_directive_around_an_offset() {
        let text = "<a>\n  <!-- iislint: ignore x -->\n  <b>\n    <!-- iislint: ignore x -->\n    <!-- iislint: ignore x -->\n    <c><d/></c>\n    <e/>\n  </b>\n  <!-- iislint: ignore x -->\n  <f/>\n  <!-- iislint: ignore-file x -->\n</a>";
        let all = directives(text);
        let coverage = Coverage::new(&all);
        let at = |needle: &str| {
            let mut found: Vec<usize> = coverage.at(text.find(needle).unwrap()).collect();
            found.sort();
            found
        };
        assert_eq!(at("<d/>"), [0, 1, 2, 4]);
        assert_eq!(at("<e/>"), [0, 4]);
        assert_eq!(at("</b>"), [0, 4]);
        assert_eq!(at("<f/>"), [3, 4]);
        assert_eq!(at("<a>"), [4]);
        // Agrees with asking each directive.
        for offset in 0..text.len() {
            let mut found: Vec<usize> = coverage.at(offset).collect();
            found.sort();
            let expected: Vec<usize> = (0..all.len())
                .filter(|&i| match &all[i].scope {
                    Scope::File => true,
                    Scope::Element(range, _) => range.contains(&offset),
                    Scope::Nothing => false,
                })
                .collect();
            assert_eq!(found, expected, "at {offset}");
        }
    }

    fn lint_all(text: &str) -> crate::lint::Linted {
        let facts = crate::lint::FileFacts {
            kind: crate::model::FileKind::WebConfig,
            farm: false,
            application_root: true,
            application: Default::default(),
            mapped_sessions: Default::default(),
            offers_sections: false,
        };
        let settings = crate::settings::Settings::default();
        // The rules that run by default: the opt-in hardening rules report what these texts
        // leave out (httpCookies, X-Powered-By), which is not what these tests are about.
        let rules = RuleSet::new(
            &Default::default(),
            &Default::default(),
            &Default::default(),
            &[],
        );
        crate::lint::lint_text_full(text, &facts, &rules, &settings).unwrap()
    }

    #[test]
    fn the_farm_only_rules_are_those_that_read_the_farm() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut reading: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "mod.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            if source.contains("farm_application_scope(") || source.contains("ctx.farm") {
                let name = source
                    .split("name: \"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap();
                reading.push(name.to_owned());
            }
        }
        reading.sort();
        let mut listed: Vec<&str> = FARM_ONLY_RULES.to_vec();
        listed.sort();
        assert_eq!(reading, listed);
    }

    #[test]
    fn used_suppressions_are_quiet_and_unused_ones_are_reported() {
        let text = "<configuration>\n  <system.web>\n    <!-- iislint: ignore forms-timeout-too-low - why -->\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n    <!-- iislint: ignore session-timeout-too-low -->\n    <sessionState timeout=\"60\" />\n  </system.web>\n</configuration>\n";
        let linted = lint_all(text);
        let found: Vec<_> = linted
            .diagnostics
            .iter()
            .map(|d| (d.rule.name, &text[d.range.clone()]))
            .collect();
        assert_eq!(
            found,
            [(
                "unused-suppression",
                "<!-- iislint: ignore session-timeout-too-low -->"
            )]
        );
        assert_eq!(linted.suppressed.len(), 1);
        assert_eq!(
            linted.suppressed[0].diagnostic.rule.name,
            "forms-timeout-too-low"
        );
        assert_eq!(linted.suppressed[0].reason.as_deref(), Some("why"));
        assert!(!linted.suppressed[0].file_level);
    }

    #[test]
    fn an_ignore_file_of_unused_suppression_with_nothing_to_silence_is_reported() {
        let text = "<configuration>\n  <!-- iislint: ignore-file unused-suppression -->\n  <system.web/>\n</configuration>\n";
        let linted = lint_all(text);
        assert_eq!(linted.diagnostics.len(), 1);
        assert!(
            linted.diagnostics[0]
                .message
                .contains("file-level suppression of `unused-suppression` silences nothing"),
            "{}",
            linted.diagnostics[0].message
        );
    }
}
