use super::{Context, FixAvailability, Group, RuleMeta, RuleOption, anchor};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr_or_insert;
use crate::fix::{Applicability, Fix};

pub const META: RuleMeta = RuleMeta {
    name: "forms-timeout-too-low",
    code: "IIS101",
    group: Group::Session,
    summary: "Forms authentication logs users out after fewer minutes than the minimum",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[RuleOption {
        name: "min-minutes",
        default: 20,
        min: 1,
    }],
    doc: include_str!("../../rules/forms-timeout-too-low.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let min = ctx.option(&META, "min-minutes");
    for scope in &ctx.model.web.scopes {
        let auth = &scope.authentication;
        let Some(minutes) = auth.forms.timeout.value().and_then(|m| m.finite()) else {
            continue;
        };
        if auth.external || !auth.is_forms() || minutes >= min {
            continue;
        }
        let forms = auth.forms.element.as_ref();
        let range = anchor(auth.forms.timeout.attr(), &[forms, auth.element.as_ref()]);
        let how = if auth.forms.timeout.is_explicit() {
            ""
        } else {
            " (the default)"
        };
        let message = format!(
            "forms authentication logs users out after {minutes} idle minutes{how}, below the minimum of {min}"
        );
        let target = ctx.fix.forms_timeout_minutes.max(min).to_string();
        let edit = auth.element.as_ref().and_then(|authentication| {
            set_attr_or_insert(
                &ctx.style,
                forms,
                authentication,
                "forms",
                "timeout",
                &target,
            )
        });
        let fix = edit.map(|e| {
            Fix::new(
                Applicability::Safe,
                format!("Set the forms timeout to {target} minutes"),
                vec![e],
            )
        });
        out.push(Diagnostic::new(&META, range, message).with_fix(fix));
    }
}
