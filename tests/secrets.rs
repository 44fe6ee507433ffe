//! `secret-in-config` reports secrets and never prints one: not in any output format, not in
//! `--diff`, not from a transform, not the short ones.

use std::path::Path;

mod support;
use support::{findings, iislint, json_of, stdout_of, write};

/// A site with a secret in each place `secret-in-config` reads, written every way a file writes
/// one, several next to a fixable finding (so `--diff` shows them as context lines), one split
/// over two lines, one too short to be learnt as a known value.
const SITE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="Shop" connectionString="Server=db01;User Id=shop;Password=Tr0ub4dor-pw" />
    <add name="Quoted" connectionString="Server=db01;Pwd=&quot;qu0ted;secret&quot;" />
    <add name="Mongo" connectionString="mongodb://app:m0ng0-secret@db01:27017/shop" />
    <add name="Entities" connectionString="metadata=res://*/M.csdl;provider connection string=&quot;data source=db01;password=ef-inner-pw&quot;" />
  </connectionStrings>
  <applicationSettings>
    <Shop.Properties.Settings>
      <setting name="SendGridApiKey" serializeAs="String">
        <value>SG.sendgrid-secret-value</value>
      </setting>
    </Shop.Properties.Settings>
  </applicationSettings>
  <system.net>
    <mailSettings>
      <smtp>
        <network host="smtp.example.com" userName="shop" password="smtp-secret-pw" />
      </smtp>
    </mailSettings>
  </system.net>
  <appSettings>
    <add key="Stripe:SecretKey" value="sk_live_stripe-secret" />
    <add key="RedisCache" value="cache:6380,password=r3dis-secret,ssl=True" />
    <add key="SmtpPassword"
         value="Zq7" />
  </appSettings>
  <system.serviceModel><behaviors><serviceBehaviors><behavior>
          <serviceDebug includeExceptionDetailInFaults="true" />
  </behavior></serviceBehaviors></behaviors></system.serviceModel>
</configuration>
"#;

/// The deployed file's password comes from the transform: its finding is in the transform.
const RELEASE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform">
  <connectionStrings>
    <add name="Shop" connectionString="Server=proddb;User Id=shop;Password=rel3ase-secret"
         xdt:Transform="SetAttributes" xdt:Locator="Match(name)" />
  </connectionStrings>
</configuration>
"#;

const SECRETS: &[&str] = &[
    "Tr0ub4dor-pw",
    "qu0ted;secret",
    "qu0ted",
    "m0ng0-secret",
    "ef-inner-pw",
    "SG.sendgrid-secret-value",
    "smtp-secret-pw",
    "sk_live_stripe-secret",
    "Zq7",
    "r3dis-secret",
    "rel3ase-secret",
];

fn output(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = iislint(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/web.config", SITE);
    write(dir.path(), "site/Web.Release.config", RELEASE);
    dir
}

#[test]
fn secrets_are_reported_where_they_are() {
    let dir = site();
    // As written: the base file's secrets.
    let (_, json) = json_of(iislint(dir.path()).args([
        "check",
        "--select",
        "secret-in-config",
        "--environment",
        "none",
        "--format",
        "json",
        "site",
    ]));
    assert_eq!(
        findings(&json),
        [
            "site/web.config:4:22 secret-in-config",
            "site/web.config:5:24 secret-in-config",
            "site/web.config:6:23 secret-in-config",
            "site/web.config:7:26 secret-in-config",
            "site/web.config:12:9 secret-in-config",
            "site/web.config:19:58 secret-in-config",
            "site/web.config:24:33 secret-in-config",
            "site/web.config:25:27 secret-in-config",
            "site/web.config:27:10 secret-in-config",
        ]
    );
    // Deployed: the transform's password instead of the base's.
    let (_, json) = json_of(iislint(dir.path()).args([
        "check",
        "--select",
        "secret-in-config",
        "--format",
        "json",
        "site",
    ]));
    let found = findings(&json);
    assert!(
        found.contains(&"site/Web.Release.config:4:22 secret-in-config".to_owned())
            && !found.contains(&"site/web.config:4:22 secret-in-config".to_owned()),
        "{found:?}"
    );
}

#[test]
fn no_output_format_and_no_diff_prints_a_secret() {
    let dir = site();
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for environment in ["none", "Release"] {
        for format in ["human", "concise", "json", "sarif", "github"] {
            runs.push(vec![
                "check",
                "--environment",
                environment,
                "--show-suppressed",
                "--format",
                format,
                "site",
            ]);
        }
        runs.push(vec![
            "check",
            "--environment",
            environment,
            "--diff",
            "site",
        ]);
        runs.push(vec![
            "check",
            "--environment",
            environment,
            "--diff",
            "--unsafe-fixes",
            "site",
        ]);
    }
    for args in &runs {
        let (code, printed) = output(dir.path(), args);
        assert_eq!(code, 1, "{args:?}:\n{printed}");
        // The findings are printed (the secrets had a chance to show): the rule's, or the
        // WCF fix's diff, whose context lines hold a short password without its key.
        assert!(
            printed.contains("secret-in-config")
                || printed.contains("IIS520")
                || (printed.contains("@@") && printed.contains("value=\"***\"")),
            "{args:?}: {printed}"
        );
        for secret in SECRETS {
            assert!(
                !printed.contains(secret),
                "{args:?} printed {secret}:\n{printed}"
            );
        }
    }
}

#[test]
fn sections_kept_in_another_file_are_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site/web.config",
        "<configuration>\n  <connectionStrings configSource=\"connectionStrings.config\" />\n  <appSettings file=\"secrets.config\">\n    <add key=\"Theme\" value=\"dark\" />\n  </appSettings>\n</configuration>\n",
    );
    write(
        dir.path(),
        "site/connectionStrings.config",
        "<connectionStrings>\n  <add name=\"Shop\" connectionString=\"Server=db01;Password=k3pt-out\" />\n</connectionStrings>\n",
    );
    write(
        dir.path(),
        "site/secrets.config",
        "<appSettings>\n  <add key=\"ApiKey\" value=\"k3pt-out-too\" />\n</appSettings>\n",
    );
    let (code, stdout) = stdout_of(iislint(dir.path()).args([
        "check",
        "--select",
        "secret-in-config",
        "--format",
        "concise",
        "site",
    ]));
    assert_eq!(code, 0, "{stdout}");
}

/// A parent web.config's secret values are learnt once per run and shared by its own check and
/// the findings the files below it make in it: a snippet line that shows a secret without its
/// key (the key is on the line before, outside the snippet) is masked either way.
#[test]
fn a_parents_secret_is_masked_in_every_finding_made_in_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site/web.config",
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <appSettings>\n    <add key=\"SmtpPassword\"\n         value=\"smtp-parent-secret\" /></appSettings><system.web>\n    <sessionState timeout=\"5\" />\n  </system.web>\n</configuration>\n",
    );
    // A child folder: the root is checked first and kept for it.
    write(
        dir.path(),
        "site/sub/web.config",
        "<configuration>\n  <system.web>\n    <compilation debug=\"false\" />\n  </system.web>\n</configuration>\n",
    );
    for format in ["human", "concise", "json", "sarif", "github"] {
        let (code, stdout) = stdout_of(iislint(dir.path()).args([
            "check",
            "--select",
            "session-timeout-too-low",
            "--format",
            format,
            "site",
        ]));
        assert_eq!(code, 1, "{format}: {stdout}");
        assert!(stdout.contains("session"), "{format}: {stdout}");
        assert!(!stdout.contains("smtp-parent-secret"), "{format}: {stdout}");
    }
    // The snippet shows the masked value line.
    let (_, human) = stdout_of(iislint(dir.path()).args([
        "check",
        "--select",
        "session-timeout-too-low",
        "site",
    ]));
    assert!(human.contains("value=\"******************\""), "{human}");
}
