use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};

pub const META: RuleMeta = RuleMeta {
    name: "forms-sliding-expiration-disabled",
    code: "IIS104",
    group: Group::Session,
    summary: "Forms authentication logs users out at a fixed time, however active they are",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/forms-sliding-expiration-disabled.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for scope in &ctx.model.web.scopes {
        let auth = &scope.authentication;
        let sliding = &auth.forms.sliding_expiration;
        let (Some(false), Some(attr)) = (sliding.value().copied(), sliding.attr()) else {
            continue;
        };
        if auth.external || !auth.is_forms() {
            continue;
        }
        let message = "slidingExpiration=\"false\": users are logged out when the ticket's lifetime ends, even in the middle of their work";
        // Absolute expiry can be a deliberate security policy, hence unsafe.
        let fix = set_attr(ctx.text, attr, "true").map(|e| {
            Fix::new(
                Applicability::Unsafe,
                "Set slidingExpiration=\"true\"",
                vec![e],
            )
        });
        out.push(Diagnostic::new(&META, attr.range.clone(), message).with_fix(fix));
    }
}
