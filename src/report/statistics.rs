//! `--statistics`: how many findings each rule has, instead of the findings, as ruff prints them
//! (after flake8's `--statistics`): the count, the code, `[*]` when every finding of the rule
//! has a fix that `--fix` (with `--unsafe-fixes`, as given) applies, `[ ]` otherwise, and the
//! rule's name, most frequent first; then the summary. `--output-format json` gives the same as
//! a list of `{"code", "name", "count", "fixable"}`, as ruff's does.

use std::fmt::Write as _;

use serde::Serialize;

use super::Run;
use crate::fix::Applicability;

#[derive(Serialize)]
struct Statistic {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: bool,
}

/// Per rule, by descending count, then by code.
fn statistics(run: &Run, applicability: Applicability) -> Vec<Statistic> {
    let mut by_rule: Vec<Statistic> = Vec::new();
    for d in run.files.iter().flat_map(|f| &f.diagnostics) {
        let fixable = d.fix.as_ref().is_some_and(|f| {
            f.applicability >= applicability && f.applicability != Applicability::DisplayOnly
        });
        match by_rule.iter_mut().find(|s| s.code == d.rule.code) {
            Some(statistic) => {
                statistic.count += 1;
                statistic.fixable &= fixable;
            }
            None => by_rule.push(Statistic {
                code: d.rule.code,
                name: d.rule.name,
                count: 1,
                fixable,
            }),
        }
    }
    by_rule.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    by_rule
}

/// The table, one rule per line (nothing when there is no finding).
pub fn render_text(run: &Run, applicability: Applicability) -> String {
    let statistics = statistics(run, applicability);
    let count_width = statistics
        .iter()
        .map(|s| s.count.to_string().len())
        .max()
        .unwrap_or(1);
    let code_width = statistics.iter().map(|s| s.code.len()).max().unwrap_or(0);
    let any_fixable = statistics.iter().any(|s| s.fixable);
    let mut out = String::new();
    for s in &statistics {
        let mark = match (any_fixable, s.fixable) {
            (false, _) => "",
            (true, true) => "[*] ",
            (true, false) => "[ ] ",
        };
        let _ = writeln!(
            out,
            "{:>count_width$}\t{:<code_width$}\t{mark}{}",
            s.count, s.code, s.name
        );
    }
    out
}

pub fn render_json(run: &Run, applicability: Applicability) -> String {
    let mut out = serde_json::to_string_pretty(&statistics(run, applicability))
        .expect("statistics serialise");
    out.push('\n');
    out
}
