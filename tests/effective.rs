//! The configuration the runtime reads, end to end: `configSource` files read in place of their
//! section (findings and fixes in them), and the sections parent folders' web.config files give
//! the files below them (deciding values reported once, where they are written).

mod support;

use std::path::Path;

use support::{findings, iislint, json_of, write};

const WEB_PROJECT: &str = r#"<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup><ProjectTypeGuids>{349c5851-65df-11da-9384-00065b846f21};{fae04ec0-301f-11d3-bf4b-00c04f79efbc}</ProjectTypeGuids></PropertyGroup>
  <ItemGroup><Content Include="Web.config" /></ItemGroup>
</Project>
"#;

fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn check(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let (code, json) = json_of(iislint(dir).args(["check", "--format", "json"]).args(args));
    let mut found = findings(&json);
    for error in json["errors"].as_array().unwrap() {
        found.push(format!(
            "{}:{}:{} error",
            error["path"].as_str().unwrap(),
            error["line"],
            error["column"]
        ));
    }
    (code, found)
}

const SESSION_IN_FILE: &str = "<?xml version=\"1.0\"?>\n<configuration>\n  <system.web>\n    <sessionState configSource=\"Config\\Session.config\" />\n  </system.web>\n</configuration>\n";

#[test]
fn a_finding_in_a_config_source_file_is_reported_and_fixed_there() {
    let dir = repository();
    write(dir.path(), "site/web.config", SESSION_IN_FILE);
    let session = "<?xml version=\"1.0\"?>\r\n<!-- the store -->\r\n<sessionState mode=\"StateServer\" timeout=\"4\" />\r\n";
    write(dir.path(), "site/Config/Session.config", session);
    let (code, found) = check(dir.path(), &["site"]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        ["site/Config/Session.config:3:34 session-timeout-too-low"]
    );
    let (code, found) = check(dir.path(), &["site", "--fix"]);
    assert_eq!((code, found), (0, vec![]));
    // Only the value changed, in the file it was written in, with its CRLF line endings.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("site/Config/Session.config")).unwrap(),
        session.replace("timeout=\"4\"", "timeout=\"60\"")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("site/web.config")).unwrap(),
        SESSION_IN_FILE
    );
}

#[test]
fn an_inline_suppression_in_a_config_source_file_applies() {
    let dir = repository();
    write(dir.path(), "site/web.config", SESSION_IN_FILE);
    write(
        dir.path(),
        "site/Config/Session.config",
        "<?xml version=\"1.0\"?>\n<!-- iislint: ignore session-timeout-too-low - a kiosk: short on purpose -->\n<sessionState mode=\"StateServer\"\n  timeout=\"4\" />\n",
    );
    let (code, found) = check(dir.path(), &["site"]);
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn each_config_source_problem_is_reported_at_the_attribute() {
    let dir = repository();
    let config = "<?xml version=\"1.0\"?>\n<configuration>\n  <connectionStrings configSource=\"Missing.config\" />\n  <appSettings configSource=\"Config\\Wrong.config\" />\n  <system.web>\n    <sessionState configSource=\"Config\\Broken.config\" />\n    <machineKey configSource=\"Config/Key.config\" />\n  </system.web>\n</configuration>\n";
    write(dir.path(), "site/web.config", config);
    write(
        dir.path(),
        "site/Config/Wrong.config",
        "<connectionStrings />",
    );
    write(
        dir.path(),
        "site/Config/Broken.config",
        "<sessionState>\n  <providers>\n</sessionState>\n",
    );
    write(dir.path(), "site/Config/Key.config", "<machineKey />");
    let (code, found) = check(dir.path(), &["site"]);
    // A file that is not well-formed is an error at its own line and column: exit 2.
    assert_eq!(code, 2);
    assert_eq!(
        found,
        [
            "site/web.config:3:22 config-source-invalid",
            "site/web.config:4:16 config-source-invalid",
            "site/web.config:6:19 config-source-invalid",
            "site/web.config:7:17 config-source-invalid",
            "site/Config/Broken.config:3:1 error",
        ]
    );
    let (_, json) = json_of(iislint(dir.path()).args(["check", "--format", "json", "site"]));
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("does not exist here"), "{messages:?}");
    assert!(
        messages[1].contains("`<connectionStrings>`, not `<appSettings>`"),
        "{messages:?}"
    );
    assert!(messages[2].contains("cannot be read"), "{messages:?}");
    assert!(messages[3].contains("`/` is not allowed"), "{messages:?}");
}

const SITE_ROOT: &str = "<?xml version=\"1.0\"?>
<configuration>
  <system.web>
    <authentication mode=\"Forms\">
      <forms loginUrl=\"~/Login\" timeout=\"5\" />
    </authentication>
    <machineKey validationKey=\"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\" decryptionKey=\"0123456789ABCDEF0123456789ABCDEF\" validation=\"HMACSHA256\" decryption=\"AES\" />
  </system.web>
  <location path=\".\" inheritInChildApplications=\"LOCATION\">
    <system.web>
      <sessionState mode=\"SQLServer\" sqlConnectionString=\"Data Source=db;Integrated Security=SSPI\" timeout=\"90\" />
    </system.web>
  </location>
</configuration>
";

const CHILD_APPLICATION: &str = "<?xml version=\"1.0\"?>
<configuration>
  <system.web>
    <compilation targetFramework=\"4.8\" />
  </system.web>
</configuration>
";

fn site_with_child_application(inherit: bool) -> tempfile::TempDir {
    let dir = repository();
    write(
        dir.path(),
        "Site/web.config",
        SITE_ROOT.replace("LOCATION", if inherit { "true" } else { "false" }),
    );
    // The site's root has no project of its own (a folder inside a project belongs to that
    // project's application); the shop is an application below it.
    write(dir.path(), "Site/Shop/web.config", CHILD_APPLICATION);
    write(
        dir.path(),
        "Site/Shop/Global.asax",
        "<%@ Application Language=\"C#\" %>",
    );
    write(dir.path(), "Site/Shop/Shop.csproj", WEB_PROJECT);
    write(
        dir.path(),
        "Site/Shop/Cart.aspx.cs",
        "class Cart { void Add() { Session[\"cart\"] = 1; } }",
    );
    dir
}

#[test]
fn a_child_application_inherits_forms_machine_key_and_session_state_from_the_site_root() {
    let dir = site_with_child_application(true);
    // The child inherits the forms time-out of 5 minutes: reported once, where it is written,
    // and the farm's machine key and SQL Server session state: no farm finding for the child.
    let (code, found) = check(dir.path(), &["--farm", "Site/Shop/web.config"]);
    assert_eq!(code, 1);
    assert_eq!(found, ["Site/web.config:5:33 forms-timeout-too-low"]);
    let (_, found) = check(dir.path(), &["--farm", "."]);
    assert_eq!(found, ["Site/web.config:5:33 forms-timeout-too-low"]);
    // Fixing the child never writes into its parent (the parent's own fix does).
    let (_, _) = check(
        dir.path(),
        &["--farm", "--fix", "--unsafe-fixes", "Site/Shop/web.config"],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Site/Shop/web.config")).unwrap(),
        CHILD_APPLICATION
    );
    assert!(
        std::fs::read_to_string(dir.path().join("Site/web.config"))
            .unwrap()
            .contains("timeout=\"5\"")
    );
}

#[test]
fn inherit_in_child_applications_false_keeps_the_location_from_a_child_application() {
    let dir = site_with_child_application(false);
    let (code, found) = check(dir.path(), &["--farm", "Site/Shop/web.config"]);
    assert_eq!(code, 1);
    // The machine key is outside the location: still inherited. The SQL Server session state is
    // not: the child keeps in-process session state on a farm, and uses it.
    assert_eq!(
        found,
        [
            "Site/Shop/web.config:3:3 inproc-session-on-farm",
            "Site/web.config:5:33 forms-timeout-too-low",
        ]
    );
}

#[test]
fn a_parent_that_does_not_parse_is_an_error_and_the_child_is_still_checked() {
    let dir = repository();
    write(
        dir.path(),
        "Site/web.config",
        "<configuration>\n  <system.web>\n</configuration>\n",
    );
    write(
        dir.path(),
        "Site/Admin/web.config",
        "<configuration>\n  <system.web>\n    <sessionState timeout=\"2\" />\n  </system.web>\n</configuration>\n",
    );
    let (code, found) = check(dir.path(), &["Site/Admin/web.config"]);
    assert_eq!(code, 2);
    assert_eq!(
        found,
        [
            "Site/Admin/web.config:3:19 session-timeout-too-low",
            "Site/web.config:3:1 error",
        ]
    );
}

#[test]
fn a_parent_that_gitignore_hides_or_exclude_leaves_out_is_still_a_parent() {
    // Inherited, the site root's SQL Server session state keeps the child off the farm rule.
    let dir = site_with_child_application(true);
    let (_, inherited) = check(dir.path(), &["--farm", "."]);
    assert!(
        !inherited
            .iter()
            .any(|f| f.contains("inproc-session-on-farm")),
        "{inherited:?}"
    );
    // Left out of linting by `exclude`, the root is still the child's parent.
    write(
        dir.path(),
        "iislint.toml",
        "exclude = [\"Site/web.config\"]\n",
    );
    let (_, excluded) = check(dir.path(), &["--farm", "."]);
    assert_eq!(excluded, inherited);
    // Hidden by .gitignore (a file a build generates, say), it still runs above the child:
    // walked or named, the child inherits from it and is not linted, nor fixed, as a root.
    std::fs::remove_file(dir.path().join("iislint.toml")).unwrap();
    write(dir.path(), ".gitignore", "/Site/web.config\n");
    for args in [
        &["--farm", "."][..],
        &["--farm", "Site/Shop/web.config"][..],
    ] {
        let (_, found) = check(dir.path(), args);
        assert!(
            !found.iter().any(|f| f.contains("inproc-session-on-farm")),
            "{args:?}: {found:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_walked_folder_holds_a_parent_when_it_has_a_link_to_a_file_not_a_folder_named_web_config() {
    let dir = site_with_child_application(true);
    let farm_finding =
        |found: &[String]| found.iter().any(|f| f.contains("inproc-session-on-farm"));
    // Without the site's web.config, the shop is an application of its own, with InProc session.
    std::fs::rename(
        dir.path().join("Site/web.config"),
        dir.path().join("Site.config"),
    )
    .unwrap();
    let (_, alone) = check(dir.path(), &["--farm", "."]);
    assert!(farm_finding(&alone), "{alone:?}");
    // A folder named web.config is no configuration.
    std::fs::create_dir(dir.path().join("Site/web.config")).unwrap();
    assert_eq!(check(dir.path(), &["--farm", "."]).1, alone);
    // A link to the site's file is one, also when .gitignore hides it from the walk.
    std::fs::remove_dir(dir.path().join("Site/web.config")).unwrap();
    std::os::unix::fs::symlink("../Site.config", dir.path().join("Site/Web.config")).unwrap();
    write(dir.path(), ".gitignore", "/Site/Web.config\n");
    let (_, linked) = check(dir.path(), &["--farm", "."]);
    assert!(!farm_finding(&linked), "{linked:?}");
}

#[cfg(unix)]
#[test]
fn a_walk_root_with_dot_dot_after_a_link_reads_the_folders_above_as_before() {
    // The shop lives in `x/Shop`; `Site/link` leads to it. Walked from `Site` as `link/..`, the
    // walk reads `x` (no web.config) while the path says `Site` (the site's web.config): the
    // folders above the shop are those of the path, read as before, and the shop inherits the
    // site's session state (no farm finding), not nothing.
    let dir = site_with_child_application(true);
    std::fs::create_dir(dir.path().join("x")).unwrap();
    std::fs::rename(dir.path().join("Site/Shop"), dir.path().join("x/Shop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("x/Shop"), dir.path().join("Site/link")).unwrap();
    let (_, found) = check(&dir.path().join("Site"), &["--farm", "link/.."]);
    // The site's forms time-out, reported through the shop's view: the site is its parent.
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("web.config:") && f.contains("forms-timeout-too-low")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.contains("inproc-session-on-farm")),
        "{found:?}"
    );
}

fn explain(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = iislint(dir).arg("explain").args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn explain_shows_an_inherited_a_local_and_a_default_value_with_their_origins() {
    let dir = site_with_child_application(true);
    write(
        dir.path(),
        "Site/Shop/web.config",
        "<configuration>\n  <system.web>\n    <sessionState timeout=\"45\" />\n  </system.web>\n  <location path=\"Admin\">\n    <system.web><sessionState timeout=\"10\" /></system.web>\n  </location>\n</configuration>\n",
    );
    let json = |args: &[&str]| -> serde_json::Value {
        let (code, stdout, stderr) = explain(dir.path(), args);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).unwrap()
    };
    // Inherited: the mode comes from the site's root.
    assert_eq!(
        json(&[
            "Site/Shop/web.config",
            "system.web/sessionState@mode",
            "--format",
            "json"
        ]),
        serde_json::json!({"value": "SQLServer", "origin": {"path": "Site/web.config", "line": 11, "column": 21}, "overridden": []})
    );
    // The file's own value overrides the inherited one; a location's overrides both.
    assert_eq!(
        json(&[
            "Site/Shop/web.config",
            "system.web/sessionState@timeout",
            "--location",
            "admin/reports",
            "--format",
            "json"
        ]),
        serde_json::json!({"value": "10", "origin": {"path": "Site/Shop/web.config", "line": 6, "column": 31}, "overridden": [
            {"value": "45", "path": "Site/Shop/web.config", "line": 3, "column": 19},
            {"value": "90", "path": "Site/web.config", "line": 11, "column": 100},
        ]})
    );
    // Nothing writes it: the runtime's default, no origin.
    assert_eq!(
        json(&[
            "Site/Shop/web.config",
            "system.web/sessionState@cookieless",
            "--format",
            "json"
        ]),
        serde_json::json!({"value": "UseCookies", "origin": null, "overridden": []})
    );
    let (code, stdout, _) = explain(
        dir.path(),
        &["Site/Shop/web.config", "system.web/sessionState@timeout"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "system.web/sessionState@timeout = \"45\"\n  set at Site/Shop/web.config:3:19\n  overrides \"90\" at Site/web.config:11:100\n"
    );
    // A machine key is never printed.
    let (_, stdout, _) = explain(
        dir.path(),
        &["Site/web.config", "system.web/machineKey@validationKey"],
    );
    assert!(!stdout.contains("0123456789ABCDEF"), "{stdout}");
}

#[test]
fn explain_refuses_an_unknown_section_or_attribute_with_a_suggestion() {
    let dir = site_with_child_application(true);
    let (code, stdout, stderr) = explain(
        dir.path(),
        &["Site/web.config", "system.web/sesionState@timeout"],
    );
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("did you mean `system.web/sessionState`?"),
        "{stderr}"
    );
    let (code, _, stderr) = explain(
        dir.path(),
        &["Site/web.config", "system.web/sessionState@timout"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `timeout`?"), "{stderr}");
}

const APPLICATION_HOST: &str = r#"<?xml version="1.0"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="ShopPool">
        <processModel idleTimeout="00:20:00" />
      </add>
      <add name="ApiPool" />
    </applicationPools>
    <sites>
      <site name="Shop" id="1">
        <application path="/" applicationPool="ShopPool">
          <virtualDirectory path="/" physicalPath="D:\sites\Shop\www" />
        </application>
      </site>
      <site name="Api" id="2">
        <application path="/" applicationPool="ApiPool">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\inetpub\wwwroot" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
"#;

fn web_config_with_session(attributes: &str) -> String {
    format!(
        "<configuration>\n  <system.web>\n    <sessionState {attributes} />\n  </system.web>\n</configuration>\n"
    )
}

/// A repository with [`APPLICATION_HOST`] and the Shop site's folder, `src/Shop/www` (mapped by
/// suffix: `Shop\www`), whose in-process session of 60 minutes outlives the pool's 20-minute idle
/// time-out.
fn shop_site_with_in_process_session() -> tempfile::TempDir {
    let dir = repository();
    write(
        dir.path(),
        "deploy/applicationHost.config",
        APPLICATION_HOST,
    );
    write(
        dir.path(),
        "src/Shop/www/web.config",
        web_config_with_session("mode=\"InProc\" timeout=\"60\""),
    );
    dir
}

fn idle_time_out_findings(dir: &Path) -> Vec<String> {
    check(
        dir,
        &["--select", "app-pool-idle-timeout-drops-sessions", "."],
    )
    .1
}

#[test]
fn a_pool_judges_the_session_state_of_the_web_config_its_application_is_mapped_to() {
    let dir = shop_site_with_in_process_session();
    assert_eq!(
        idle_time_out_findings(dir.path()),
        ["deploy/applicationHost.config:6:23 app-pool-idle-timeout-drops-sessions"]
    );
    let (_, json) = json_of(iislint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--select",
        "app-pool-idle-timeout-drops-sessions",
        ".",
    ]));
    assert!(
        json["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("(60 minutes)"),
        "{json}"
    );
    // The same web.config with SQL Server session state: a recycled worker loses nothing.
    write(
        dir.path(),
        "src/Shop/www/web.config",
        web_config_with_session(
            "mode=\"SQLServer\" sqlConnectionString=\"Data Source=db\" timeout=\"60\"",
        ),
    );
    assert_eq!(idle_time_out_findings(dir.path()), Vec::<String>::new());
    // The Api site's physical path matches no folder: its session state is unknown, taken for
    // ASP.NET's default (InProc, 20 minutes), which the default idle time-out does not cut.
}

#[test]
fn a_folder_without_a_web_config_does_not_compete_for_a_sites_physical_path() {
    let dir = shop_site_with_in_process_session();
    // `Legacy\Shop\www` ends as `D:\sites\Shop\www` does, as far as `src\Shop\www`, but
    // holds no web.config: it is no application's folder, and the site is still mapped.
    write(dir.path(), "src/Legacy/Shop/www/readme.txt", "");
    assert_eq!(
        idle_time_out_findings(dir.path()),
        ["deploy/applicationHost.config:6:23 app-pool-idle-timeout-drops-sessions"]
    );
}

#[test]
fn a_site_declared_in_iislint_toml_is_mapped_to_its_folder() {
    let dir = repository();
    write(
        dir.path(),
        "deploy/applicationHost.config",
        APPLICATION_HOST,
    );
    write(
        dir.path(),
        "src/Shop/www/web.config",
        web_config_with_session(
            "mode=\"SQLServer\" sqlConnectionString=\"Data Source=db\" timeout=\"60\"",
        ),
    );
    // A folder whose name says nothing about the site: only `[sites]` can map it.
    write(
        dir.path(),
        "src/Storefront/web.config",
        web_config_with_session("mode=\"InProc\" timeout=\"45\""),
    );
    write(
        dir.path(),
        "iislint.toml",
        "[sites]\n\"Shop\" = \"src/Storefront\"\n",
    );
    let (_, json) = json_of(iislint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--select",
        "app-pool-idle-timeout-drops-sessions",
        ".",
    ]));
    let found = findings(&json);
    assert_eq!(
        found,
        ["deploy/applicationHost.config:6:23 app-pool-idle-timeout-drops-sessions"]
    );
    assert!(
        json["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("(45 minutes)"),
        "{json}"
    );
}

const XDT: &str = "xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\"";

const APP_BASE: &str = "<?xml version=\"1.0\"?>
<configuration>
  <system.web>
    <compilation debug=\"false\" targetFramework=\"4.8\" />
    <authentication mode=\"Forms\">
      <forms loginUrl=\"~/Login\" timeout=\"30\" />
    </authentication>
    <sessionState mode=\"SQLServer\" sqlConnectionString=\"Data Source=db\" timeout=\"30\" />
  </system.web>
</configuration>
";

fn app_with_transforms(transforms: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = repository();
    write(dir.path(), "App/web.config", APP_BASE);
    for (name, text) in transforms {
        write(dir.path(), &format!("App/{name}"), text);
    }
    dir
}

#[test]
fn a_value_set_by_the_release_transform_is_reported_and_fixed_in_the_transform() {
    let release = format!(
        "<?xml version=\"1.0\"?>\n<configuration {XDT}>\n  <system.web>\n    <sessionState timeout=\"5\" xdt:Transform=\"SetAttributes(timeout)\" />\n  </system.web>\n</configuration>\n"
    );
    let dir = app_with_transforms(&[
        ("Web.Release.config", &release),
        ("Web.Debug.config", &release.replace("\"5\"", "\"1\"")),
    ]);
    let (code, json) = json_of(iislint(dir.path()).args(["check", "--format", "json", "App"]));
    assert_eq!(code, 1);
    // Debug is not judged by default; Release is, and its value is reported where it is written.
    assert_eq!(
        findings(&json),
        [
            "App/Web.Release.config:4:19 session-timeout-too-low",
            "App/Web.Release.config:4:19 session-expires-before-forms-auth",
        ]
    );
    assert_eq!(
        json["diagnostics"][0]["environments"],
        serde_json::json!(["Release"])
    );
    let (code, _) = check(dir.path(), &["App", "--fix"]);
    assert_eq!(code, 0);
    // The fix (the session lasts as long as the forms ticket, 30 minutes) edits the transform,
    // so the relation between base and transform stays.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("App/Web.Release.config")).unwrap(),
        release.replace("timeout=\"5\"", "timeout=\"30\"")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("App/web.config")).unwrap(),
        APP_BASE
    );
    // `--environment none` judges the file as written: nothing to say.
    let (code, found) = check(dir.path(), &["App", "--environment", "none"]);
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn a_base_value_every_environment_replaces_is_not_reported_and_one_they_keep_names_them() {
    let set = |minutes: &str| {
        format!(
            "<configuration {XDT}>\n  <system.web>\n    <authentication>\n      <forms timeout=\"{minutes}\" xdt:Transform=\"SetAttributes(timeout)\" />\n    </authentication>\n  </system.web>\n</configuration>\n"
        )
    };
    let dir = app_with_transforms(&[
        ("Web.Release.config", &set("60")),
        ("Web.Staging.config", &set("90")),
    ]);
    let base = APP_BASE.replace(
        "timeout=\"30\" />\n    </authentication>",
        "timeout=\"5\" />\n    </authentication>",
    );
    write(dir.path(), "App/web.config", &base);
    let (code, found) = check(dir.path(), &["App", "--select", "forms-timeout-too-low"]);
    assert_eq!((code, found), (0, vec![]));
    // Only Release replaces it: the base value is reported once, for Staging.
    write(dir.path(), "App/Web.Staging.config", "<configuration />\n");
    let (_, json) = json_of(iislint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--select",
        "forms-timeout-too-low",
        "App",
    ]));
    assert_eq!(
        findings(&json),
        ["App/web.config:6:33 forms-timeout-too-low"]
    );
    assert_eq!(
        json["diagnostics"][0]["environments"],
        serde_json::json!(["Staging"])
    );
    let (_, stdout, _) = {
        let output = iislint(dir.path())
            .args([
                "check",
                "--format",
                "concise",
                "--select",
                "forms-timeout-too-low",
                "App",
            ])
            .output()
            .unwrap();
        (0, String::from_utf8(output.stdout).unwrap(), ())
    };
    assert!(stdout.contains("(deployed: Staging)"), "{stdout}");
}

#[test]
fn a_farm_machine_key_inserted_only_by_the_release_transform_is_enough() {
    let key = "<machineKey validationKey=\"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\" decryptionKey=\"0123456789ABCDEF0123456789ABCDEF\" validation=\"HMACSHA256\" decryption=\"AES\" xdt:Transform=\"Insert\" />";
    let release = format!(
        "<configuration {XDT}>\n  <system.web>\n    {key}\n  </system.web>\n</configuration>\n"
    );
    let dir = app_with_transforms(&[("Web.Release.config", &release)]);
    let (_, found) = check(
        dir.path(),
        &["--farm", "--select", "machine-key-missing-on-farm", "App"],
    );
    assert_eq!(found, Vec::<String>::new());
    // Judged as written, the key is missing.
    let (_, found) = check(
        dir.path(),
        &[
            "--farm",
            "--select",
            "machine-key-missing-on-farm",
            "--environment",
            "none",
            "App",
        ],
    );
    assert_eq!(found, ["App/web.config:3:3 machine-key-missing-on-farm"]);
}

#[test]
fn a_wrong_xdt_namespace_and_a_transform_that_matches_nothing_are_reported_in_the_transform() {
    let wrong = "<configuration xmlns:xdt=\"https://schemas.microsoft.com/XML-Document-Transform\">\n  <system.web>\n    <compilation xdt:Transform=\"RemoveAttributes(debug)\" />\n  </system.web>\n</configuration>\n";
    let stale = format!(
        "<configuration {XDT}>\n  <appSettings>\n    <add key=\"Mode\" value=\"Production\" xdt:Transform=\"SetAttributes\" xdt:Locator=\"Match(key)\" />\n  </appSettings>\n</configuration>\n"
    );
    // The base has no <appSettings>: XDT reports the parent it cannot find.
    let dir = app_with_transforms(&[
        ("Web.Release.config", wrong),
        ("web.staging.config", &stale),
    ]);
    let (code, found) = check(dir.path(), &["App"]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            "App/Web.Release.config:1:16 transform-namespace-wrong",
            "App/web.staging.config:2:4 transform-matches-nothing",
        ]
    );
}

#[test]
fn explain_shows_a_value_set_by_a_transform() {
    let release = format!(
        "<configuration {XDT}>\n  <system.web>\n    <sessionState timeout=\"45\" xdt:Transform=\"SetAttributes(timeout)\" />\n  </system.web>\n</configuration>\n"
    );
    let dir = app_with_transforms(&[("Web.Release.config", &release)]);
    let (code, stdout, stderr) = explain(
        dir.path(),
        &[
            "App/web.config",
            "system.web/sessionState@timeout",
            "--environment",
            "Release",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap(),
        serde_json::json!({"value": "45", "origin": {"path": "App/Web.Release.config", "line": 3, "column": 19}, "overridden": []})
    );
}

#[test]
fn app_settings_file_entries_come_after_the_inline_ones() {
    let dir = repository();
    write(
        dir.path(),
        "App/web.config",
        "<configuration>\n  <appSettings file=\"Config\\Local.config\">\n    <add key=\"Mode\" value=\"Development\" />\n  </appSettings>\n</configuration>\n",
    );
    write(
        dir.path(),
        "App/Config/Local.config",
        "<?xml version=\"1.0\"?>\n<appSettings>\n  <add key=\"Mode\" value=\"Production\" />\n</appSettings>\n",
    );
    let (code, stdout, stderr) = explain(
        dir.path(),
        &[
            "App/web.config",
            "appSettings/add@value",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap(),
        serde_json::json!({"value": "Production", "origin": {"path": "App/Config/Local.config", "line": 3, "column": 19}, "overridden": [
            {"value": "Development", "path": "App/web.config", "line": 3, "column": 21}
        ]})
    );
    // A missing file is no error: the inline entries stand.
    std::fs::remove_file(dir.path().join("App/Config/Local.config")).unwrap();
    let (code, stdout, _) = explain(dir.path(), &["App/web.config", "appSettings/add@value"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("appSettings/add@value = \"Development\""),
        "{stdout}"
    );
    let (code, found) = check(dir.path(), &["App"]);
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn a_location_a_grandparent_writes_for_a_folder_wins_over_the_folder_between() {
    let dir = repository();
    write(
        dir.path(),
        "web.config",
        "<configuration>\n  <location path=\"Shop/Api\">\n    <system.web>\n      <sessionState timeout=\"90\" />\n    </system.web>\n  </location>\n</configuration>\n",
    );
    write(
        dir.path(),
        "Shop/web.config",
        web_config_with_session("timeout=\"10\""),
    );
    write(
        dir.path(),
        "Shop/Api/web.config",
        "<configuration>\n  <system.web />\n</configuration>\n",
    );
    let (code, stdout, stderr) = explain(
        dir.path(),
        &["Shop/Api/web.config", "system.web/sessionState@timeout"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "system.web/sessionState@timeout = \"90\"\n  set at web.config:4:21\n  overrides \"10\" at Shop/web.config:3:19\n"
    );
}

#[test]
fn inherit_in_child_applications_false_stops_at_the_application_a_folder_is_in() {
    let dir = repository();
    write(
        dir.path(),
        "web.config",
        "<configuration>\n  <location path=\".\" inheritInChildApplications=\"false\">\n    <system.web>\n      <sessionState mode=\"SQLServer\" />\n    </system.web>\n  </location>\n</configuration>\n",
    );
    write(dir.path(), "App/web.config", CHILD_APPLICATION);
    write(
        dir.path(),
        "App/Global.asax",
        "<%@ Application Language=\"C#\" %>",
    );
    write(dir.path(), "App/App.csproj", WEB_PROJECT);
    write(dir.path(), "App/Docs/web.config", CHILD_APPLICATION);
    for file in ["App/web.config", "App/Docs/web.config"] {
        let (code, stdout, stderr) = explain(dir.path(), &[file, "system.web/sessionState@mode"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains("\"InProc\" (the default"),
            "{file}: {stdout}"
        );
    }
    // A plain sub-folder of the site (no application between) still inherits it.
    write(dir.path(), "Images/web.config", CHILD_APPLICATION);
    let (_, stdout, _) = explain(
        dir.path(),
        &["Images/web.config", "system.web/sessionState@mode"],
    );
    assert!(stdout.contains("\"SQLServer\""), "{stdout}");
}

#[test]
fn a_file_the_fixes_clean_completely_is_reported_as_fixed() {
    let dir = repository();
    write(dir.path(), "site/web.config", SESSION_IN_FILE);
    write(
        dir.path(),
        "site/Config/Session.config",
        "<sessionState mode=\"StateServer\" timeout=\"4\" />\n",
    );
    let output = iislint(dir.path())
        .args(["check", "--fix", "site"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Fixed 1 problem"), "{stdout}");
    // --diff shows the file's diff though its finding is gone from the fixed text.
    write(
        dir.path(),
        "site/Config/Session.config",
        "<sessionState mode=\"StateServer\" timeout=\"4\" />\n",
    );
    let (_, stdout, _) = {
        let output = iislint(dir.path())
            .args(["check", "--diff", "site"])
            .output()
            .unwrap();
        (0, String::from_utf8(output.stdout).unwrap(), ())
    };
    assert!(
        stdout.contains("+++ b/site/Config/Session.config"),
        "{stdout}"
    );
}

#[test]
fn a_transform_that_does_not_parse_is_an_error_and_the_file_is_judged_as_written() {
    let dir = app_with_transforms(&[(
        "Web.Release.config",
        &format!("<configuration {XDT}>\n  <system.web>\n</configuration>\n"),
    )]);
    let base = APP_BASE.replace(
        "timeout=\"30\" />\n    </authentication>",
        "timeout=\"5\" />\n    </authentication>",
    );
    write(dir.path(), "App/web.config", &base);
    let (code, found) = check(dir.path(), &["App"]);
    assert_eq!(code, 2);
    assert_eq!(
        found,
        [
            "App/web.config:6:33 forms-timeout-too-low",
            "App/Web.Release.config:3:1 error",
        ]
    );
}

/// pre-commit names every staged `Web.*.config`. One that is no transform (a plain copy of the
/// web.config, without the XDT namespace) is linted as written: it is not its own transform,
/// nor deployed by its siblings, and `--fix` fixes what it reports as fixable.
#[test]
fn a_plain_copy_named_like_a_transform_is_judged_as_written() {
    let dir = repository();
    let base = APP_BASE.replace(
        "timeout=\"30\" />\n    </authentication>",
        "timeout=\"5\" />\n    </authentication>",
    );
    write(dir.path(), "App/web.config", &base);
    write(dir.path(), "App/Web.Release.config", &base);
    let (_, json) =
        json_of(iislint(dir.path()).args(["check", "--format", "json", "App/Web.Release.config"]));
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let forms: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["rule"] == "forms-timeout-too-low")
        .collect();
    assert_eq!(forms.len(), 1, "{json:#}");
    assert_eq!(forms[0]["path"], "App/Web.Release.config");
    assert!(forms[0].get("environments").is_none(), "{json:#}");
    iislint(dir.path())
        .args(["check", "--fix", "App/Web.Release.config"])
        .output()
        .unwrap();
    let fixed = std::fs::read_to_string(dir.path().join("App/Web.Release.config")).unwrap();
    assert!(fixed.contains("timeout=\"60\""), "{fixed}");
    // The web.config it copies is not touched.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("App/web.config")).unwrap(),
        base
    );
}
