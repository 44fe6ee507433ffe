use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Attr;
use crate::model::FileKind;

pub const META: RuleMeta = RuleMeta {
    name: "tls-weakening-switch",
    code: "IIS521",
    group: Group::Security,
    summary: "An AppContext switch turns off .NET's strong TLS defaults",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/tls-weakening-switch.md"),
};

use crate::model::sections::APP_CONTEXT_SWITCH_PREFIX as APP_SETTINGS_PREFIX;

/// The switches that weaken TLS when true, and what they do. AppContext switch names are
/// compared exactly (a `Dictionary<string, …>` with the default comparer).
const WEAKENING: &[(&str, &str)] = &[
    (
        "Switch.System.Net.DontEnableSchUseStrongCrypto",
        "turns strong cryptography off for HttpWebRequest, HttpClient and SslStream: Schannel may then use the weak algorithms, cipher suites and protocol versions (SSL 3.0, RC4) it keeps for old servers",
    ),
    (
        "Switch.System.Net.DontEnableSystemDefaultTlsVersions",
        "makes .NET offer TLS 1.0, 1.1 and 1.2 itself instead of leaving the choice to the operating system: never TLS 1.3, and TLS 1.0 and 1.1 unless Windows turns them off",
    ),
    (
        "Switch.System.ServiceModel.DisableUsingServicePointManagerSecurityProtocols",
        "makes WCF message security with certificate credentials use at most TLS 1.0",
    ),
    (
        "Switch.System.ServiceModel.DontEnableSystemDefaultTlsVersions",
        "makes WCF pick the TLS version itself (up to TLS 1.2) instead of leaving the choice to the operating system",
    ),
    (
        "Switch.System.Net.DontEnableSchSendAuxRecord",
        "turns off the mitigation of the BEAST attack on TLS 1.0",
    ),
    (
        "Switch.System.Net.DontCheckCertificateEKUs",
        "stops checking that a certificate is meant for TLS (its enhanced key usage)",
    ),
];

fn weakening(name: &str) -> Option<&'static str> {
    WEAKENING
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, what)| *what)
}

/// `bool.TryParse`: `true` or `false` in any letter case, white space around allowed.
fn parse_bool(raw: &str) -> Option<bool> {
    let t = raw.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.kind != FileKind::WebConfig {
        return;
    }
    app_settings_switches(ctx, out);
    runtime_switches(ctx, out);
}

/// `<add key="AppContext.SetSwitch:Switch.…" value="true" />` in the application's own-level
/// `appSettings` as the runtime merges them (`model.settings.app_settings`: `<add>`, `<remove>`
/// and `<clear/>`, keys compared ignoring case, a later `<add>` of a key replacing the earlier).
fn app_settings_switches(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for setting in &ctx.model.settings.app_settings {
        let Some(value) = &setting.value else {
            continue;
        };
        let Some(name) = setting
            .key
            .get(..APP_SETTINGS_PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(APP_SETTINGS_PREFIX))
            .map(|_| &setting.key[APP_SETTINGS_PREFIX.len()..])
        else {
            continue;
        };
        let (Some(what), Some(true)) = (weakening(name), parse_bool(&value.value)) else {
            continue;
        };
        let mut diagnostic = Diagnostic::new(
            &META,
            value.range.clone(),
            format!(
                "`{name}` is on: it {what}; remove the setting (if a server needs old TLS, fix that server)"
            ),
        );
        if !ctx.is_application_root() {
            diagnostic.message = format!(
                "`{name}` is turned on here, in a folder's web.config: ASP.NET reads AppContext switches from the application root's configuration only, so this does nothing, but it {what}; remove it"
            );
            diagnostic = diagnostic.at_most(Severity::Info);
        }
        out.push(diagnostic);
    }
}

/// `<runtime><AppContextSwitchOverrides value="Name=true;…" />`, read as the CLR reads it
/// (`AppContextDefaultValues.PopulateOverrideValuesPartial`): pairs separated by `;`, the name
/// up to the first `=` as written, the value parsed with `bool.TryParse`, the last pair for a
/// name wins (several elements are read as one list, in document order). ASP.NET does not apply
/// it from a web.config: the finding says so, as information.
fn runtime_switches(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut last: Vec<(String, bool, &Attr)> = Vec::new();
    for element in &ctx.model.sections.switch_overrides {
        let Some(attr) = element.attr("value") else {
            continue;
        };
        for pair in attr.value.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let Some(on) = parse_bool(value).filter(|_| !name.is_empty()) else {
                continue;
            };
            last.retain(|(n, _, _)| n != name);
            last.push((name.to_owned(), on, attr));
        }
    }
    for (name, on, attr) in last {
        let Some(what) = weakening(&name).filter(|_| on) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &META,
                attr.range.clone(),
                format!(
                    "`{name}=true` in <runtime><AppContextSwitchOverrides>: it {what}; ASP.NET does not apply this element from a web.config (it reads `appSettings` keys `{APP_SETTINGS_PREFIX}…`), so it does nothing here; remove it"
                ),
            )
            .at_most(Severity::Info),
        );
    }
}
