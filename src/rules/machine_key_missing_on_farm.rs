use super::{Context, FixAvailability, Group, RuleMeta, anchor};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::{Fragment, insert_child, set_or_add_attr};
use crate::fix::{Applicability, Fix};
use crate::model::Setting;
use crate::model::web::Key;

pub const META: RuleMeta = RuleMeta {
    name: "machine-key-missing-on-farm",
    code: "IIS106",
    group: Group::Session,
    summary: "Without one shared machine key, farm servers cannot read each other's login cookies",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/machine-key-missing-on-farm.md"),
};

/// 64 bytes for HMACSHA256 validation (128 hex digits), 32 bytes for AES-256 (64 hex digits):
/// the sizes ASP.NET itself generates (iis-semantics.md §3).
const VALIDATION_KEY_BYTES: usize = 64;
const DECRYPTION_KEY_BYTES: usize = 32;

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(scope) = ctx.farm_application_scope() else {
        return;
    };
    let key = &scope.machine_key;
    if key.external {
        return;
    }
    let generated = |s: &Setting<Key>| s.value() == Some(&Key::AutoGenerate);
    let (validation_missing, decryption_missing) = (
        generated(&key.validation_key),
        generated(&key.decryption_key),
    );
    if !validation_missing && !decryption_missing {
        return;
    }
    let deciding = [&key.validation_key, &key.decryption_key]
        .into_iter()
        .find(|s| generated(s))
        .and_then(|s| s.attr());
    let range = anchor(deciding, &[key.element.as_ref(), Some(&scope.system_web)]);
    let message = match &key.element {
        None => "no machineKey on a web farm: each server generates its own keys, so a login cookie or view state from one server is rejected by the others".to_owned(),
        Some(_) => "machineKey keys are AutoGenerate on a web farm: each server generates its own keys, so a login cookie or view state from one server is rejected by the others".to_owned(),
    };
    let fix = key_fix(ctx, scope, validation_missing, decryption_missing);
    let diagnostic = Diagnostic::new(&META, range, message).with_fix(fix);
    // What needs one key on every server: the forms ticket, the role and anonymous-ID cookies
    // (seen in the configuration), view state, anti-forgery tokens, OWIN cookies and the
    // MachineKey API (seen in the sources). Where nothing does, the finding is a precaution, not
    // a broken login: it says so and is reported as info.
    let sources = ctx.application.sources();
    let needs_key = scope.authentication.is_forms()
        || !ctx.model.features.machine_key_cookies.is_empty()
        || sources.is_some_and(|s| !s.machine_key.is_empty());
    let diagnostic = if needs_key {
        diagnostic
    } else {
        let mut diagnostic = diagnostic.at_most(Severity::Info);
        diagnostic.message.push_str(&match sources {
            Some(sources) => format!(
                "; but nothing that needs the key is seen (no forms authentication or role or anonymous-identification cookies in the configuration; no WebForms pages, anti-forgery tokens, OWIN cookie or OAuth middleware or MachineKey API in the application's {} source files)",
                sources.files
            ),
            None => "; but nothing in the configuration needs the key (no forms authentication, role or anonymous-identification cookies), and no sources of the application are here to show WebForms pages, anti-forgery tokens or OWIN cookies".to_owned(),
        });
        diagnostic
    };
    out.push(diagnostic);
}

fn key_fix(
    ctx: &Context<'_>,
    scope: &crate::model::WebScope,
    validation: bool,
    decryption: bool,
) -> Option<Fix> {
    let validation_key = random_hex(VALIDATION_KEY_BYTES)?;
    let decryption_key = random_hex(DECRYPTION_KEY_BYTES)?;
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if validation {
        attrs.extend([
            ("validationKey", validation_key.as_str()),
            ("validation", "HMACSHA256"),
        ]);
    }
    if decryption {
        attrs.extend([
            ("decryptionKey", decryption_key.as_str()),
            ("decryption", "AES"),
        ]);
    }
    let edits = match &scope.machine_key.element {
        Some(element) => attrs
            .iter()
            .filter_map(|(name, value)| set_or_add_attr(&ctx.style, element, name, value))
            .collect(),
        None => vec![insert_child(
            &ctx.style,
            &scope.system_web,
            &Fragment::empty_element("machineKey", &attrs, ctx.style.quote()),
        )],
    };
    // Unsafe: it writes a secret into the file, and every server must get the same one.
    Some(Fix::new(
        Applicability::Unsafe,
        "Write a machineKey with freshly generated keys; deploy the same key to every server and keep it out of source control (encrypt the section with aspnet_regiis -pef)",
        edits,
    ))
}

/// Upper-case hex from the operating system's random source.
fn random_hex(bytes: usize) -> Option<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).ok()?;
    Some(buffer.iter().map(|b| format!("{b:02X}")).collect())
}
