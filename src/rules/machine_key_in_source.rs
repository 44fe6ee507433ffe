use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::web::Key;

pub const META: RuleMeta = RuleMeta {
    name: "machine-key-in-source",
    code: "IIS607",
    group: Group::Hardening,
    summary: "A machine key is committed in clear: whoever reads the repository can forge forms tickets and ViewState",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/machine-key-in-source.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.kind != crate::model::FileKind::WebConfig || ctx.model.is_transform {
        return;
    }
    let mut seen = Vec::new();
    for scope in &ctx.model.web.scopes {
        let key = &scope.machine_key;
        // An encrypted section (`configProtectionProvider`) or one in a `configSource` file the
        // view could not read: its keys are not here in clear, or not known.
        if key.external {
            continue;
        }
        for (setting, name) in [
            (&key.validation_key, "validationKey"),
            (&key.decryption_key, "decryptionKey"),
        ] {
            // Only hexadecimal key bytes are `Explicit`: `AutoGenerate` and a pipeline's
            // placeholder (`#{MachineKey}#`, rejected as a key by the model) are not keys.
            let (Some(Key::Explicit), Some(attr)) = (setting.written_value(), setting.attr())
            else {
                continue;
            };
            if seen.contains(&attr.range) {
                continue;
            }
            seen.push(attr.range.clone());
            out.push(Diagnostic::new(
                &META,
                attr.range.clone(),
                format!(
                    "{name} is written in clear in a file under version control: anyone who can read the repository can sign and decrypt this application's forms tickets, ViewState and role cookies; keep it out of the repository (a configSource file the deployment writes, a pipeline secret) or encrypt the section (aspnet_regiis -pe system.web/machineKey)"
                ),
            ));
        }
    }
}
