use super::{Context, FixAvailability, Group, RuleMeta, anchor};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::web::{SessionMode, is_local_host};

pub const META: RuleMeta = RuleMeta {
    name: "state-server-local-on-farm",
    code: "IIS110",
    group: Group::Session,
    summary: "On a web farm, each server's own ASP.NET State Service holds only that server's sessions",
    default_severity: Severity::Warning,
    fix: FixAvailability::None,
    options: &[],
    doc: include_str!("../../rules/state-server-local-on-farm.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(scope) = ctx.farm_application_scope() else {
        return;
    };
    let session = &scope.session;
    if session.external
        || session.mode.value() != Some(&SessionMode::StateServer)
        || !ctx.session_on(scope)
    {
        return;
    }
    let Some(host) = session.state_server_host.value() else {
        return;
    };
    if !is_local_host(host) {
        return;
    }
    let how = if session.state_server_host.is_explicit() {
        format!("stateConnectionString points at `{host}`")
    } else {
        "stateConnectionString is the default `tcpip=loopback:42424`".to_owned()
    };
    let range = anchor(
        session.state_server_host.attr().or(session.mode.attr()),
        &[session.element.as_ref()],
    );
    let message = format!(
        "session state is kept by a State Service on each server ({how}) on a web farm: when the load balancer sends the next request to another server, the session is empty"
    );
    out.push(Diagnostic::new(&META, range, message));
}
