use super::{Context, FixAvailability, Group, RuleMeta, anchor};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr_or_insert;
use crate::fix::{Applicability, Fix};
use crate::model::web::SessionMode;

pub const META: RuleMeta = RuleMeta {
    name: "web-garden-inproc-session",
    code: "IIS108",
    group: Group::Session,
    summary: "A web garden (several worker processes) with in-process session state loses sessions between processes",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    options: &[],
    doc: include_str!("../../rules/web-garden-inproc-session.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let app_host = &ctx.model.app_host;
    for pool in &app_host.pools {
        let Some(&processes) = pool.max_processes.value() else {
            continue;
        };
        if processes == 1 {
            continue;
        }
        // Applications that run no ASP.NET (PHP through FastCGI, static files) keep no session.
        let applications: Vec<_> = app_host
            .applications_of(&pool.name)
            .filter(|a| a.serves_aspnet)
            .collect();
        if app_host.has_sites && applications.is_empty() {
            continue;
        }
        // Unknown session state counts as InProc, ASP.NET's default.
        let in_process = applications.is_empty()
            || applications.iter().any(|a| {
                matches!(
                    ctx.application_session(a).0,
                    None | Some(SessionMode::InProc)
                )
            });
        if !in_process {
            continue;
        }
        let range = anchor(pool.max_processes.attr(), &[Some(&pool.element)]);
        let count = if processes == 0 {
            "one worker process per NUMA node".to_owned()
        } else {
            format!("{processes} worker processes")
        };
        let message = format!(
            "application pool `{}` runs {count} (a web garden) while its applications keep session state in process: each request may reach a process that does not hold the session",
            pool.name
        );
        let edit = set_attr_or_insert(
            &ctx.style,
            pool.process_model.as_ref(),
            &pool.element,
            "processModel",
            "maxProcesses",
            "1",
        );
        // Unsafe: one process serves what several did; throughput and isolation change.
        let fix = edit.map(|e| {
            Fix::new(
                Applicability::Unsafe,
                format!("Run one worker process (maxProcesses=\"1\") for pool `{}`, or move session state out of process", pool.name),
                vec![e],
            )
        });
        out.push(Diagnostic::new(&META, range, message).with_fix(fix));
    }
}
