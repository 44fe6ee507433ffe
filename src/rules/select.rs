//! Which rules run on a file, at which level: the configuration, `--select`/`--ignore` and
//! `per-file-ignores` together.

use std::collections::BTreeMap;

use super::{RULES, Rule, Severity};

/// The rules that run on one file, each with its severity.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<(&'static Rule, Severity)>,
}

impl RuleSet {
    /// Rules enabled by the configuration's `levels` (`None`: turned off), narrowed by
    /// `--select` and `--ignore` and the file's `per-file-ignores`.
    pub fn new(
        levels: &BTreeMap<&'static str, Option<Severity>>,
        select: &[&'static str],
        ignore: &[&'static str],
        per_file: &[&'static str],
    ) -> RuleSet {
        let rules = RULES
            .iter()
            .filter_map(|rule| {
                let name = rule.meta.name;
                let level = match levels.get(name) {
                    Some(level) => *level,
                    None => Some(rule.meta.default_severity),
                };
                // `--select` turns a rule on even when the configuration turned it off.
                let level = if select.contains(&name) {
                    level.or(Some(rule.meta.default_severity))
                } else {
                    level
                };
                let selected = select.is_empty() || select.contains(&name);
                let ignored = ignore.contains(&name) || per_file.contains(&name);
                level
                    .filter(|_| selected && !ignored)
                    .map(|severity| (rule, severity))
            })
            .collect();
        RuleSet { rules }
    }

    pub fn all() -> RuleSet {
        RuleSet {
            rules: RULES.iter().map(|r| (r, r.meta.default_severity)).collect(),
        }
    }
}
