use super::{Context, FixAvailability, Group, RuleMeta, anchor};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr_or_insert;
use crate::fix::{Applicability, Fix};
use crate::model::app_host::MAX_IDLE_TIMEOUT_SECONDS;
use crate::model::values::format_iis_timespan;
use crate::model::web::{DEFAULT_SESSION_TIMEOUT, SessionMode};
use crate::model::{AppPool, Minutes};

pub const META: RuleMeta = RuleMeta {
    name: "app-pool-idle-timeout-drops-sessions",
    code: "IIS107",
    group: Group::Session,
    summary: "The application pool shuts its worker down before its applications' sessions expire",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/app-pool-idle-timeout-drops-sessions.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let app_host = &ctx.model.app_host;
    for pool in &app_host.pools {
        let Some(&idle_seconds) = pool.idle_timeout.value() else {
            continue;
        };
        // A suspended worker (idleTimeoutAction="Suspend") keeps its memory, sessions included;
        // an invalid action is invalid-value's finding.
        if idle_seconds == 0 || pool.idle_suspends.value() != Some(&false) {
            continue;
        }
        let Some(session) = longest_session(ctx, pool) else {
            continue;
        };
        let shorter = match session {
            Minutes::Infinite => true,
            Minutes::Finite(minutes) => idle_seconds < minutes.unsigned_abs() * 60,
        };
        if !shorter {
            continue;
        }
        let range = anchor(pool.idle_timeout.attr(), &[Some(&pool.element)]);
        let idle = format_iis_timespan(idle_seconds);
        let message = format!(
            "application pool `{}` stops its idle worker after {idle}, before its sessions expire ({session}): in-process sessions are lost and users are logged out",
            pool.name
        );
        out.push(Diagnostic::new(&META, range, message).with_fix(idle_fix(ctx, pool, session)));
    }
}

/// The longest session time-out among the pool's applications that keep session state in process; 20 minutes
/// (ASP.NET's default) where applicationHost.config does not say. `None` when no application of
/// the pool keeps session state, or the pool serves no application of the file's sites.
fn longest_session(ctx: &Context<'_>, pool: &AppPool) -> Option<Minutes> {
    let app_host = &ctx.model.app_host;
    // Applications that run no ASP.NET (PHP through FastCGI, static files) keep no session.
    let applications: Vec<_> = app_host
        .applications_of(&pool.name)
        .filter(|a| a.serves_aspnet)
        .collect();
    if app_host.has_sites && applications.is_empty() {
        return None;
    }
    if applications.is_empty() {
        return Some(Minutes::Finite(DEFAULT_SESSION_TIMEOUT));
    }
    applications
        .iter()
        // Idle shutdown loses only in-process sessions; unknown counts as InProc, the default.
        .map(|a| ctx.application_session(a))
        .filter(|(mode, _)| matches!(mode, None | Some(SessionMode::InProc)))
        .map(|(_, timeout)| timeout.unwrap_or(Minutes::Finite(DEFAULT_SESSION_TIMEOUT)))
        .max()
}

fn idle_fix(ctx: &Context<'_>, pool: &AppPool, session: Minutes) -> Option<Fix> {
    let (value, message) = match (ctx.fix.idle_timeout_disable, session) {
        // Past IIS's 30-day maximum, only disabling idle shutdown keeps the sessions.
        (false, Minutes::Finite(minutes))
            if minutes.unsigned_abs() * 60 <= MAX_IDLE_TIMEOUT_SECONDS =>
        {
            let value = format_iis_timespan(minutes.unsigned_abs() * 60);
            let message = format!(
                "Raise idleTimeout to the session timeout ({value}) on pool `{}`",
                pool.name
            );
            (value, message)
        }
        _ => (
            "00:00:00".to_owned(),
            format!(
                "Disable idle shutdown (idleTimeout=\"00:00:00\") on pool `{}`",
                pool.name
            ),
        ),
    };
    // The pool's own element is edited, never applicationPoolDefaults, which other pools share.
    let edit = set_attr_or_insert(
        &ctx.style,
        pool.process_model.as_ref(),
        &pool.element,
        "processModel",
        "idleTimeout",
        &value,
    )?;
    Some(Fix::new(Applicability::Safe, message, vec![edit]))
}
