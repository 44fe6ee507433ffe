//! Hot paths, one file at a time: decode + parse + model + rules (`lint_text`) of a typical
//! web.config and of a large applicationHost.config, and the fix loop (`fix_text`).
//!
//! `cargo bench --bench hot_paths`. The inputs are generated here (realistic shapes and sizes), so
//! the bench runs without ../shared/corpus; when the corpus is present its largest
//! applicationHost.config is measured too.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iislint::fix::Applicability;
use iislint::lint::{FileFacts, RuleSet, fix_text, lint_text};
use iislint::model::FileKind;
use iislint::settings::{SessionStore, Settings};
use iislint::source::SourceText;

/// A typical site web.config (~8 KiB, CRLF, BOM): appSettings, connection strings, system.web
/// with forms authentication and InProc session state, system.webServer handlers and rewrite rules.
fn typical_web_config() -> Vec<u8> {
    let mut t =
        String::from("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<configuration>\r\n");
    t.push_str("  <configSections>\r\n    <section name=\"entityFramework\" type=\"System.Data.Entity.Internal.ConfigFile.EntityFrameworkSection, EntityFramework\" requirePermission=\"false\" />\r\n  </configSections>\r\n");
    t.push_str("  <connectionStrings>\r\n    <add name=\"Default\" connectionString=\"Data Source=.;Initial Catalog=Shop;Integrated Security=True\" providerName=\"System.Data.SqlClient\" />\r\n  </connectionStrings>\r\n");
    t.push_str("  <appSettings>\r\n");
    for i in 0..40 {
        t.push_str(&format!(
            "    <add key=\"Setting.{i}\" value=\"value {i} &amp; more\" />\r\n"
        ));
    }
    t.push_str("  </appSettings>\r\n  <system.web>\r\n    <compilation debug=\"false\" targetFramework=\"4.8\" />\r\n");
    t.push_str("    <httpRuntime targetFramework=\"4.8\" maxRequestLength=\"51200\" />\r\n");
    t.push_str("    <authentication mode=\"Forms\">\r\n      <forms loginUrl=\"~/Account/Login\" timeout=\"10\" slidingExpiration=\"false\" />\r\n    </authentication>\r\n");
    t.push_str("    <sessionState mode=\"InProc\" timeout=\"5\" />\r\n    <!-- <machineKey validationKey=\"AutoGenerate\" /> -->\r\n");
    t.push_str("    <pages>\r\n      <namespaces>\r\n");
    for ns in [
        "System.Web.Helpers",
        "System.Web.Mvc",
        "System.Web.Mvc.Ajax",
        "System.Web.Mvc.Html",
        "System.Web.Routing",
        "System.Web.WebPages",
    ] {
        t.push_str(&format!("        <add namespace=\"{ns}\" />\r\n"));
    }
    t.push_str("      </namespaces>\r\n    </pages>\r\n  </system.web>\r\n  <system.webServer>\r\n    <modules runAllManagedModulesForAllRequests=\"true\" />\r\n    <handlers>\r\n");
    for i in 0..20 {
        t.push_str(&format!("      <add name=\"Handler{i}\" path=\"*.h{i}\" verb=\"GET,HEAD,POST\" type=\"Site.Handlers.H{i}, Site\" preCondition=\"integratedMode\" />\r\n"));
    }
    t.push_str("    </handlers>\r\n    <rewrite>\r\n      <rules>\r\n");
    for i in 0..15 {
        t.push_str(&format!("        <rule name=\"R{i}\" stopProcessing=\"true\">\r\n          <match url=\"^old/{i}/(.*)$\" />\r\n          <action type=\"Redirect\" url=\"new/{i}/{{R:1}}\" redirectType=\"Permanent\" />\r\n        </rule>\r\n"));
    }
    t.push_str("      </rules>\r\n    </rewrite>\r\n  </system.webServer>\r\n</configuration>\r\n");
    t.into_bytes()
}

/// A server applicationHost.config with 1,000 sites and application pools (~700 KiB).
fn large_application_host() -> Vec<u8> {
    let mut t = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n  <system.applicationHost>\n    <applicationPools>\n",
    );
    for i in 0..1000 {
        let idle = ["00:20:00", "00:05:00", "00:00:00"][i % 3];
        t.push_str(&format!("      <add name=\"Pool{i}\" managedRuntimeVersion=\"v4.0\" queueLength=\"2000\">\n        <processModel identityType=\"ApplicationPoolIdentity\" idleTimeout=\"{idle}\" maxProcesses=\"{}\" />\n        <recycling><periodicRestart time=\"1.05:00:00\" /></recycling>\n      </add>\n", 1 + i % 2));
    }
    t.push_str("    </applicationPools>\n    <sites>\n");
    for i in 0..1000 {
        t.push_str(&format!("      <site name=\"Site{i}\" id=\"{}\" serverAutoStart=\"true\">\n        <application path=\"/\" applicationPool=\"Pool{i}\">\n          <virtualDirectory path=\"/\" physicalPath=\"D:\\Sites\\Site{i}\" />\n        </application>\n        <bindings>\n          <binding protocol=\"http\" bindingInformation=\"*:80:site{i}.example.org\" />\n        </bindings>\n      </site>\n", i + 1));
    }
    t.push_str("    </sites>\n  </system.applicationHost>\n  <location path=\"Site1\">\n    <system.web>\n      <sessionState mode=\"InProc\" timeout=\"10\" />\n    </system.web>\n  </location>\n</configuration>\n");
    t.into_bytes()
}

/// The largest applicationHost.config of ../shared/corpus, when it is there.
fn corpus_application_host() -> Option<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/files");
    let mut best: Option<(u64, std::path::PathBuf)> = None;
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.eq_ignore_ascii_case("applicationHost.config"))
                && best.as_ref().is_none_or(|(size, _)| meta.len() > *size)
            {
                best = Some((meta.len(), path));
            }
        }
    }
    best.and_then(|(_, path)| std::fs::read(path).ok())
}

fn facts(kind: FileKind) -> FileFacts {
    FileFacts {
        kind,
        farm: true,
        application_root: true,
        application: Default::default(),
        mapped_sessions: Default::default(),
        offers_sections: false,
    }
}

fn settings() -> Settings {
    let mut settings = Settings {
        farm: true,
        ..Settings::default()
    };
    settings.fix.session_store = Some(SessionStore::Redis);
    settings
}

fn lint_bytes(bytes: &[u8], kind: FileKind, rules: &RuleSet, settings: &Settings) -> usize {
    let source = SourceText::decode(bytes).expect("decodes");
    lint_text(&source.text, &facts(kind), rules, settings)
        .expect("parses")
        .1
        .len()
}

fn benches(c: &mut Criterion) {
    let rules = RuleSet::all();
    let settings = settings();
    let mut inputs = vec![
        (
            "web.config (typical)",
            typical_web_config(),
            FileKind::WebConfig,
        ),
        (
            "applicationHost.config (1,000 sites)",
            large_application_host(),
            FileKind::ApplicationHost,
        ),
    ];
    if let Some(real) = corpus_application_host() {
        inputs.push((
            "applicationHost.config (largest in corpus)",
            real,
            FileKind::ApplicationHost,
        ));
    }

    let mut group = c.benchmark_group("decode+parse+model+lint");
    for (name, bytes, kind) in &inputs {
        assert!(lint_bytes(bytes, *kind, &rules, &settings) > 0 || name.contains("corpus"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| lint_bytes(black_box(bytes), *kind, &rules, &settings))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("fix_text");
    for (name, bytes, kind) in &inputs[..2] {
        let text = SourceText::decode(bytes).expect("decodes").text;
        let outcome = fix_text(
            &text,
            &facts(*kind),
            &rules,
            &settings,
            Applicability::Unsafe,
        )
        .expect("parses");
        assert!(
            !outcome.fixed.is_empty(),
            "{name}: the bench input has fixes to apply"
        );
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| {
                fix_text(
                    black_box(&text),
                    &facts(*kind),
                    &rules,
                    &settings,
                    Applicability::Unsafe,
                )
                .expect("parses")
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = hot_paths;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(hot_paths);
