use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::{Fragment, empty_element_line, insert_child, set_or_add_attr};
use crate::fix::{Applicability, Fix};

pub const META: RuleMeta = RuleMeta {
    name: "farm-without-session-affinity",
    code: "IIS109",
    group: Group::Session,
    summary: "An ARR web farm without cookie affinity spreads one user's requests over several servers",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/farm-without-session-affinity.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for farm in &ctx.model.app_host.farms {
        if !farm.enabled || farm.enabled_servers < 2 || farm.use_cookie.value() != Some(&false) {
            continue;
        }
        let how = if farm.use_cookie.is_explicit() {
            "useCookie=\"false\""
        } else {
            "no affinity cookie by default"
        };
        let message = format!(
            "web farm `{}` balances {} servers without session affinity ({how}): a user's next request can reach a server that does not hold their session",
            farm.name, farm.enabled_servers
        );
        let quote = ctx.style.quote();
        let affinity_line = empty_element_line("affinity", &[("useCookie", "true")], quote);
        let edit = match (&farm.affinity, &farm.arr) {
            (Some(affinity), _) => set_or_add_attr(&ctx.style, affinity, "useCookie", "true"),
            (None, Some(arr)) => Some(insert_child(
                &ctx.style,
                arr,
                &Fragment {
                    lines: vec![(0, affinity_line)],
                },
            )),
            (None, None) => Some(insert_child(
                &ctx.style,
                &farm.element,
                &Fragment {
                    lines: vec![
                        (0, "<applicationRequestRouting>".to_owned()),
                        (1, affinity_line),
                        (0, "</applicationRequestRouting>".to_owned()),
                    ],
                },
            )),
        };
        let fix = edit.map(|e| {
            Fix::new(
                Applicability::Safe,
                "Turn on cookie affinity (<affinity useCookie=\"true\" />)",
                vec![e],
            )
        });
        out.push(Diagnostic::new(&META, farm.element.start_tag.clone(), message).with_fix(fix));
    }
}
