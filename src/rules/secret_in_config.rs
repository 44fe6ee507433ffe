use super::{Context, FixAvailability, Group, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::FileKind;
use crate::model::sections::{APP_CONTEXT_SWITCH_PREFIX, Item};
use crate::secrets::{
    ConnectionSecret, SecretKey, connection_string_secret, is_not_a_secret,
    looks_like_connection_string, secret_key, url_password,
};

pub const META: RuleMeta = RuleMeta {
    name: "secret-in-config",
    code: "IIS520",
    group: Group::Security,
    summary: "A password, key or token written in clear text in the configuration",
    default_severity: Severity::Error,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/secret-in-config.md"),
};

/// What to do about it, said once per message.
const ADVICE: &str = "encrypt the section (aspnet_regiis -pef) or keep the value out of the repository (`iislint rule secret-in-config`)";

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.kind != FileKind::WebConfig {
        return;
    }
    let sections = &ctx.model.sections;
    for (add, built) in &sections.connection_strings {
        let Some(attr) = add.attr("connectionString") else {
            continue;
        };
        if ctx.is_included(&add.range) {
            continue;
        }
        let name = add.attr("name").map_or("", |a| a.value.as_str());
        let found = connection_string_secret(&attr.value)
            .map(|s| password_words(&s))
            .or_else(|| url_password(attr.value.trim()).map(|_| "a password in its URL".into()));
        if let Some(words) = found {
            out.push(built_at_run_time(
                Diagnostic::new(
                    &META,
                    attr.range.clone(),
                    format!("connection string `{name}` holds {words} in clear text; {ADVICE}"),
                ),
                *built,
            ));
        }
    }
    for setting in &sections.app_settings {
        if setting.item != Item::Add || ctx.is_included(&setting.element.range) {
            continue;
        }
        let (Some(key), Some(value)) = (setting.element.attr("key"), setting.element.attr("value"))
        else {
            continue;
        };
        if let Some(words) = app_setting_secret(&key.value, &value.value) {
            out.push(built_at_run_time(
                Diagnostic::new(
                    &META,
                    value.range.clone(),
                    format!(
                        "appSettings `{}` holds {words} in clear text; {ADVICE}",
                        key.value
                    ),
                ),
                setting.built,
            ));
        }
    }
    for setting in &sections.settings {
        if ctx.is_included(&setting.element.range) {
            continue;
        }
        let value = decode_entities(setting.text.trim());
        if let Some(words) = app_setting_secret(&setting.name, &value) {
            out.push(built_at_run_time(
                Diagnostic::new(
                    &META,
                    setting.element.range.clone(),
                    format!(
                        "setting `{}` holds {words} in clear text; {ADVICE}",
                        setting.name
                    ),
                ),
                setting.built,
            ));
        }
    }
    for password in &sections.passwords {
        let Some(attr) = password.element.attr(password.attribute) else {
            continue;
        };
        if ctx.is_included(&password.element.range) {
            continue;
        }
        let secret = if password.attribute == "password" {
            !is_not_a_secret(&attr.value)
        } else {
            connection_string_secret(&attr.value).is_some()
        };
        if secret {
            out.push(Diagnostic::new(
                &META,
                attr.range.clone(),
                format!(
                    "`{}@{}` holds {} in clear text; {ADVICE}",
                    password.element.name, password.attribute, password.what
                ),
            ));
        }
    }
}

/// A finding in a section with `configBuilders`: the builders (user secrets, environment
/// variables, Azure Key Vault) may replace the value at run time, so the value written is
/// perhaps only a local default; said, and reported as information.
fn built_at_run_time(mut diagnostic: Diagnostic, built: bool) -> Diagnostic {
    if !built {
        return diagnostic;
    }
    diagnostic.message.push_str(
        " (the section's configBuilders may replace it at run time, but the file still holds this value)",
    );
    diagnostic.at_most(Severity::Info)
}

/// The five XML entities and character references, decoded (a `<value>`'s text as read).
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    crate::document::parse(&format!("<v>{text}</v>"))
        .ok()
        .and_then(|doc| doc.root_element().text().map(str::to_owned))
        .unwrap_or_else(|| text.to_owned())
}

/// "a password (its `Password` key)" for a connection string's secret.
fn password_words(secret: &ConnectionSecret) -> String {
    let (what, key) = match secret.key.as_str() {
        "accountkey" => ("a storage account key", "AccountKey"),
        "sharedaccesskey" => ("a shared access key", "SharedAccessKey"),
        "pwd" => ("a password", "Pwd"),
        "passwd" => ("a password", "Passwd"),
        _ => ("a password", "Password"),
    };
    let ignored = if secret.integrated_security {
        " (ignored with Integrated Security on: remove it)"
    } else {
        ""
    };
    format!("{what} (its `{key}` key{ignored})")
}

/// What secret an `appSettings` entry holds, in words, if any (see [`crate::secrets`]): a key
/// that names a secret with a value that could be one, or any value that is a connection
/// string with a password or a URL with one. AppContext switches are settings, not secrets.
fn app_setting_secret(key: &str, value: &str) -> Option<String> {
    if key
        .get(..APP_CONTEXT_SWITCH_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(APP_CONTEXT_SWITCH_PREFIX))
    {
        return None;
    }
    let value = value.trim();
    // A value shaped like a connection string (`a=b;c=d`, or Redis's `host,password=…`) is read
    // as one whatever its key; a key that names a connection string always.
    let in_connection_string = |whatever_its_shape: bool| {
        let shaped =
            looks_like_connection_string(value) || value.to_ascii_lowercase().contains("password=");
        (whatever_its_shape || shaped)
            .then(|| connection_string_secret(value))
            .flatten()
            .map(|s| format!("a connection string with {}", password_words(&s)))
            .or_else(|| url_password(value).map(|_| "a URL with a password".to_owned()))
    };
    match secret_key(key) {
        Some(SecretKey::Secret(kind)) => {
            if looks_like_connection_string(value) || value.contains("://") {
                in_connection_string(true)
            } else if is_not_a_secret(value) {
                None
            } else {
                let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u', 'A']) {
                    "an"
                } else {
                    "a"
                };
                Some(format!("{article} {kind}"))
            }
        }
        Some(SecretKey::ConnectionString) => in_connection_string(true),
        None => in_connection_string(false),
    }
}

#[cfg(test)]
mod tests {
    use super::app_setting_secret;

    #[test]
    fn app_settings_that_hold_a_secret() {
        assert_eq!(
            app_setting_secret("SmtpPassword", "hunter2").as_deref(),
            Some("a password")
        );
        assert_eq!(
            app_setting_secret("GoogleMapsAPIKey", "AIzaSyAhj2ee").as_deref(),
            Some("an API key")
        );
        assert!(app_setting_secret("RequireSecret", "false").is_none());
        assert!(app_setting_secret("PasswordResetUrl", "https://x/reset").is_none());
        assert!(app_setting_secret("ApiKey", "#{ApiKey}#").is_none());
        assert!(app_setting_secret("ApiKey", "").is_none());
        assert_eq!(
            app_setting_secret("SiteSqlServer", "Data Source=s;User ID=dnn;Password=dnn")
                .as_deref(),
            Some("a connection string with a password (its `Password` key)")
        );
        assert!(
            app_setting_secret("MSSQLConnectionString", "server=x;Integrated Security=true")
                .is_none()
        );
        assert!(app_setting_secret("Endpoint", "https://user:pw1@host/").is_some());
        assert!(
            app_setting_secret(
                "RedisConnectionString",
                "cache:6380,password=r3dis,ssl=True"
            )
            .is_some()
        );
        assert!(app_setting_secret("RedisCache", "cache:6380,password=r3dis,ssl=True").is_some());
        assert!(app_setting_secret("Greeting", "Hello; world=1").is_none());
        assert!(
            app_setting_secret(
                "AppContext.SetSwitch:Switch.System.Net.DontEnableSchUseStrongCrypto",
                "true"
            )
            .is_none()
        );
    }
}
