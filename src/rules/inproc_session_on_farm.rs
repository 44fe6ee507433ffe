use super::{Context, FixAvailability, Group, RuleMeta, SessionUse, anchor};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::{Fragment, Style, insert_child, set_or_add_attr};
use crate::fix::{Applicability, Edit, Fix};
use crate::fix_settings::{FixSettings, SessionStore};
use crate::model::web::{SessionMode, WebScope};

pub const META: RuleMeta = RuleMeta {
    name: "inproc-session-on-farm",
    code: "IIS105",
    group: Group::Session,
    summary: "In-process session state on a web farm is lost when the next request reaches another server",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    options: &[],
    doc: include_str!("../../rules/inproc-session-on-farm.md"),
};

const REDIS_PROVIDER_NAME: &str = "RedisSessionStateProvider";
const REDIS_PROVIDER_TYPE: &str = "Microsoft.Web.Redis.RedisSessionStateProvider";
const SQL_PLACEHOLDER: &str = "data source=REPLACE-WITH-SQL-SERVER;Integrated Security=SSPI";
const REDIS_HOST_PLACEHOLDER: &str = "REPLACE-WITH-REDIS-HOST";

/// Session-state providers that keep sessions in SQL Server, and whether they need the async
/// session module in place of the built-in one (iis-semantics.md §2.3).
const SQL_PROVIDER_TYPES: &[(&str, bool)] = &[
    // ASP.NET Universal Providers: the line every Visual Studio 2012–2013 template wrote.
    ("System.Web.Providers.DefaultSessionStateProvider", false),
    (
        "Microsoft.AspNet.SessionState.SqlSessionStateProviderAsync",
        true,
    ),
];

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(scope) = ctx.farm_application_scope() else {
        return;
    };
    let session = &scope.session;
    if session.external
        || session.mode.value() != Some(&SessionMode::InProc)
        || !ctx.session_on(scope)
    {
        return;
    }
    let range = anchor(
        session.mode.attr(),
        &[session.element.as_ref(), Some(&scope.system_web)],
    );
    let how = if session.mode.is_explicit() {
        "mode=\"InProc\""
    } else {
        "InProc by default"
    };
    let mut message = format!(
        "session state is kept in process ({how}) on a web farm: when the load balancer sends the next request to another server, the session is empty"
    );
    let mut quiet = false;
    let declared = declared_sql_provider(ctx, scope).zip(session.element.as_ref());
    let fix = if let Some((provider, element)) = declared {
        // The application already declares a SQL-backed provider: switch to it.
        message.push_str(&format!(
            "; the SQL Server provider `{provider}` is declared but not used"
        ));
        let edits = [("mode", "Custom"), ("customProvider", provider)]
            .iter()
            .filter_map(|(name, value)| set_or_add_attr(&ctx.style, element, name, value))
            .collect();
        Fix::new(
            Applicability::Unsafe,
            format!(
                "Use the declared provider: mode=\"Custom\" customProvider=\"{provider}\"; make sure its connection string reaches a database every server shares; session objects must be serializable"
            ),
            edits,
        )
    } else {
        match ctx.session_use(scope) {
            // The sources were read and none uses Session: turning it off is the likely fix.
            SessionUse::NotInSources(files) => {
                message.push_str(&format!(
                    "; none of the application's {files} source files uses session state: if no page needs Session, turn it off"
                ));
                off_fix(ctx, scope)
            }
            SessionUse::Unknown if !ctx.model.features.configures_users => {
                // Nothing about users or sessions is configured and no sources are here: most
                // such applications (services, samples) keep nothing in Session.
                quiet = true;
                message.push_str(
                    "; nothing here shows the application uses Session (its <system.web> configures no authentication, session state or membership, and its sources are not here): if it does not, set mode=\"Off\"",
                );
                store_fix(ctx, scope)
            }
            SessionUse::Unknown => {
                message.push_str(
                    " (no sources of the application are here to show whether it uses Session; if it does not, set mode=\"Off\" instead)",
                );
                store_fix(ctx, scope)
            }
            SessionUse::Configured | SessionUse::InSources(..) => store_fix(ctx, scope),
        }
    };
    let diagnostic = Diagnostic::new(&META, range, message).with_fix(Some(fix));
    out.push(if quiet {
        diagnostic.at_most(Severity::Info)
    } else {
        diagnostic
    });
}

/// The name of a SQL-backed provider the scope's `<sessionState>` declares and can switch to.
fn declared_sql_provider<'s>(ctx: &Context<'_>, scope: &'s WebScope) -> Option<&'s str> {
    scope
        .session
        .provider_names
        .iter()
        .find(|(_, kind)| {
            SQL_PROVIDER_TYPES.iter().any(|(sql, needs_async_module)| {
                kind.starts_with(sql)
                    && (!needs_async_module
                        || ctx
                            .model
                            .session
                            .module_type
                            .as_deref()
                            .is_some_and(|t| t.contains("SessionStateModuleAsync")))
            })
        })
        .map(|(name, _)| name.as_str())
}

/// Move session state out of process, to the store the user chose.
fn store_fix(ctx: &Context<'_>, scope: &WebScope) -> Fix {
    match ctx.fix.session_store {
        Some(store) => out_of_process_fix(&ctx.style, scope, store, ctx.fix),
        // Without a chosen store there is nothing to write, only the way to get a fix.
        None => Fix::new(
            Applicability::DisplayOnly,
            "Move session state out of process: choose a store with --session-store sqlserver|redis (or [fix] session-store), then run with --fix --unsafe-fixes",
            Vec::new(),
        ),
    }
}

/// Turn session state off: shown, never applied (only the developer knows no page needs it).
fn off_fix(ctx: &Context<'_>, scope: &WebScope) -> Fix {
    let edits = match &scope.session.element {
        Some(element) => set_or_add_attr(&ctx.style, element, "mode", "Off")
            .into_iter()
            .collect(),
        None => vec![insert_child(
            &ctx.style,
            &scope.system_web,
            &Fragment::empty_element("sessionState", &[("mode", "Off")], ctx.style.quote()),
        )],
    };
    Fix::new(
        Applicability::DisplayOnly,
        "If no page uses Session, set <sessionState mode=\"Off\" />; otherwise move session state out of process (--session-store sqlserver|redis)",
        edits,
    )
}

fn out_of_process_fix(
    style: &Style<'_>,
    scope: &WebScope,
    store: SessionStore,
    settings: &FixSettings,
) -> Fix {
    let quote = style.quote();
    let element = scope.session.element.as_ref();
    match store {
        SessionStore::SqlServer => {
            let connection = settings
                .sql_connection_string
                .clone()
                .unwrap_or_else(|| SQL_PLACEHOLDER.to_owned());
            // The built-in provider appends `Initial Catalog=ASPState` itself and rejects a
            // connection string naming a database unless allowCustomSqlDatabase is on. A
            // connection string the element already has is kept, so that is the one to judge.
            let existing = element.and_then(|e| e.attr("sqlConnectionString"));
            let custom_database = names_database(existing.map_or(&connection, |a| &a.value));
            let mut attrs = vec![("mode", "SQLServer")];
            if element.is_none_or(|e| e.attr("sqlConnectionString").is_none()) {
                attrs.push(("sqlConnectionString", &connection));
            }
            if custom_database {
                attrs.push(("allowCustomSqlDatabase", "true"));
            }
            let edits = match element {
                Some(element) => attrs
                    .iter()
                    .filter_map(|(name, value)| set_or_add_attr(style, element, name, value))
                    .collect(),
                None => vec![insert_child(
                    style,
                    &scope.system_web,
                    &Fragment::empty_element("sessionState", &attrs, quote),
                )],
            };
            let regsql = if custom_database {
                "-sstype c -d <database>"
            } else {
                "-sstype p"
            };
            let placeholder = if settings.sql_connection_string.is_none() {
                " Replace the placeholder server name, then"
            } else {
                ""
            };
            Fix::new(
                Applicability::Unsafe,
                format!(
                    "Store session state in SQL Server (mode=\"SQLServer\").{placeholder} create the session database with `aspnet_regsql.exe -S <server> -E -ssadd {regsql}`; session objects must be serializable"
                ),
                edits,
            )
        }
        SessionStore::Redis => {
            let provider = redis_provider_line(settings, quote);
            let mut edits: Vec<Edit> = Vec::new();
            match element {
                Some(element) => {
                    // A Redis provider the file already registers, under any name, is reused.
                    let existing = scope
                        .session
                        .provider_names
                        .iter()
                        .find(|(name, kind)| {
                            name == REDIS_PROVIDER_NAME || kind.starts_with(REDIS_PROVIDER_TYPE)
                        })
                        .map(|(name, _)| name.as_str());
                    let registered = existing.is_some();
                    edits.extend(set_or_add_attr(style, element, "mode", "Custom"));
                    edits.extend(set_or_add_attr(
                        style,
                        element,
                        "customProvider",
                        existing.unwrap_or(REDIS_PROVIDER_NAME),
                    ));
                    match &scope.session.providers {
                        _ if registered => {}
                        Some(providers) => edits.push(insert_child(
                            style,
                            providers,
                            &Fragment {
                                lines: vec![(0, provider)],
                            },
                        )),
                        None => edits.push(insert_child(
                            style,
                            element,
                            &Fragment {
                                lines: vec![
                                    (0, "<providers>".into()),
                                    (1, provider),
                                    (0, "</providers>".into()),
                                ],
                            },
                        )),
                    }
                }
                None => {
                    let open = format!(
                        "<sessionState mode={quote}Custom{quote} customProvider={quote}{REDIS_PROVIDER_NAME}{quote}>"
                    );
                    let lines = vec![
                        (0, open),
                        (1, "<providers>".into()),
                        (2, provider),
                        (1, "</providers>".into()),
                        (0, "</sessionState>".into()),
                    ];
                    edits.push(insert_child(style, &scope.system_web, &Fragment { lines }));
                }
            }
            let placeholder = if settings.redis_host.is_none()
                && settings.redis_connection_string_name.is_none()
            {
                " Replace the placeholder host,"
            } else {
                ""
            };
            Fix::new(
                Applicability::Unsafe,
                format!(
                    "Store session state in Redis (mode=\"Custom\" with {REDIS_PROVIDER_TYPE}).{placeholder} install the NuGet package Microsoft.Web.RedisSessionStateProvider; session objects must be serializable"
                ),
                edits,
            )
        }
    }
}

fn redis_provider_line(settings: &FixSettings, quote: char) -> String {
    let mut attrs: Vec<(&str, String)> = vec![
        ("name", REDIS_PROVIDER_NAME.to_owned()),
        ("type", REDIS_PROVIDER_TYPE.to_owned()),
    ];
    match &settings.redis_connection_string_name {
        Some(name) => attrs.push(("connectionString", name.clone())),
        None => {
            attrs.push((
                "host",
                settings
                    .redis_host
                    .clone()
                    .unwrap_or_else(|| REDIS_HOST_PLACEHOLDER.to_owned()),
            ));
            attrs.push(("port", settings.redis_port.unwrap_or(6380).to_string()));
            attrs.push(("ssl", settings.redis_ssl.unwrap_or(true).to_string()));
        }
    }
    let borrowed: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    crate::edits::empty_element_line("add", &borrowed, quote)
}

/// Does an ADO.NET connection string name a database (`Initial Catalog`, `Database` or
/// `AttachDbFileName`)?
fn names_database(connection: &str) -> bool {
    connection
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .any(|(key, _)| {
            let key = key.trim();
            ["initial catalog", "database", "attachdbfilename"]
                .iter()
                .any(|k| key.eq_ignore_ascii_case(k))
        })
}
