//! The security rules end to end: judged on the deployed configuration, a fix that keeps local
//! debugging by editing the environment's transform, and values inherited from parents reported
//! once, at the parent.

mod support;

use std::path::Path;

use support::{findings, iislint, json_of, write};

const XDT: &str = "xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\"";

const BASE: &str = "<?xml version=\"1.0\"?>\n<configuration>\n  <system.web>\n    <compilation debug=\"true\" targetFramework=\"4.8\" />\n    <httpRuntime targetFramework=\"4.8\" />\n  </system.web>\n</configuration>\n";

fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn check(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let (code, json) = json_of(
        iislint(dir)
            .args(["check", "--format", "json", "--select", "security"])
            .args(args),
    );
    (code, findings(&json))
}

#[test]
fn debug_removed_by_the_release_transform_is_not_reported() {
    let dir = repository();
    write(dir.path(), "App/web.config", BASE);
    write(
        dir.path(),
        "App/Web.Release.config",
        format!(
            "<configuration {XDT}>\n  <system.web>\n    <compilation xdt:Transform=\"RemoveAttributes(debug)\" />\n  </system.web>\n</configuration>\n"
        ),
    );
    assert_eq!(check(dir.path(), &["App"]), (0, vec![]));
    // The file as written has it.
    assert_eq!(
        check(dir.path(), &["App", "--environment", "none"]),
        (1, vec!["App/web.config:4:18 debug-compilation".to_owned()])
    );
}

#[test]
fn the_safe_fix_removes_debug_in_each_deployed_environment_and_keeps_it_locally() {
    let dir = repository();
    write(dir.path(), "App/web.config", BASE);
    let release = format!(
        "<?xml version=\"1.0\"?>\n<configuration {XDT}>\n  <appSettings>\n    <add key=\"Mode\" value=\"Production\" xdt:Transform=\"SetAttributes\" xdt:Locator=\"Match(key)\" />\n  </appSettings>\n</configuration>\n"
    );
    write(dir.path(), "App/Web.Release.config", &release);
    write(dir.path(), "App/Web.Staging.config", &release);
    let (code, json) = json_of(iislint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--select",
        "debug-compilation",
        "App",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        ["App/web.config:4:18 debug-compilation"],
        "one finding for both environments"
    );
    assert_eq!(
        json["diagnostics"][0]["environments"],
        serde_json::json!(["Release", "Staging"])
    );
    assert_eq!(json["diagnostics"][0]["fix"]["applicability"], "safe");

    let (code, found) = check(dir.path(), &["App", "--fix"]);
    assert_eq!((code, found), (0, vec![]));
    let fixed = release.replace(
        "  </appSettings>\n",
        "  </appSettings>\n  <system.web>\n    <compilation xdt:Transform=\"RemoveAttributes(debug)\" />\n  </system.web>\n",
    );
    for name in ["App/Web.Release.config", "App/Web.Staging.config"] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            fixed,
            "{name}"
        );
    }
    // Developers keep debugging: the base is as it was.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("App/web.config")).unwrap(),
        BASE
    );
    // The XDT engine agrees: the deployed file has no debug attribute.
    let deployed = iislint::xdt::apply(BASE, &fixed).unwrap();
    assert!(
        deployed
            .text
            .contains("<compilation targetFramework=\"4.8\" />"),
        "{}",
        deployed.text
    );
}

#[test]
fn without_a_transform_only_the_unsafe_fix_sets_debug_false() {
    let dir = repository();
    write(dir.path(), "App/web.config", BASE);
    assert_eq!(
        check(dir.path(), &["App", "--fix"]),
        (1, vec!["App/web.config:4:18 debug-compilation".to_owned()])
    );
    assert_eq!(
        check(dir.path(), &["App", "--fix", "--unsafe-fixes"]),
        (0, vec![])
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("App/web.config")).unwrap(),
        BASE.replace("debug=\"true\"", "debug=\"false\"")
    );
}

#[test]
fn an_inherited_value_is_reported_once_at_the_parent() {
    let dir = repository();
    let site = "<?xml version=\"1.0\"?>\n<configuration>\n  <system.web>\n    <pages validateRequest=\"false\" enableEventValidation=\"false\" />\n    <machineKey validation=\"SHA1\" />\n  </system.web>\n</configuration>\n";
    write(dir.path(), "Site/web.config", site);
    let child = "<?xml version=\"1.0\"?>\n<configuration>\n  <system.web>\n    <customErrors mode=\"On\" />\n  </system.web>\n</configuration>\n";
    write(dir.path(), "Site/Shop/web.config", child);
    write(dir.path(), "Site/Blog/web.config", child);
    let expected = vec![
        "Site/web.config:4:12 request-validation-disabled".to_owned(),
        "Site/web.config:4:36 event-validation-disabled".to_owned(),
        "Site/web.config:5:17 machine-key-weak-algorithm".to_owned(),
    ];
    // Checking a child alone reports what it inherits, at the parent.
    assert_eq!(
        check(dir.path(), &["Site/Shop/web.config"]),
        (1, expected.clone())
    );
    // Checking everything reports each once.
    assert_eq!(check(dir.path(), &["."]), (1, expected));
}

#[test]
fn a_parent_value_its_release_transform_removes_is_not_reported_through_a_child() {
    // The site's web.config sets debug="true" and customErrors Off; its Release transform removes
    // both. A module's web.config below inherits the parent's sections as written: what it sees
    // is not what runs, so the parent's own (deployed) check alone reports the parent's values.
    let dir = repository();
    write(
        dir.path(),
        "Site/web.config",
        "<?xml version=\"1.0\"?>\n<configuration>\n  <system.web>\n    <compilation debug=\"true\" targetFramework=\"4.8\" />\n    <customErrors mode=\"Off\" />\n  </system.web>\n</configuration>\n",
    );
    write(
        dir.path(),
        "Site/Web.Release.config",
        format!(
            "<configuration {XDT}>\n  <system.web>\n    <compilation xdt:Transform=\"RemoveAttributes(debug)\" />\n    <customErrors mode=\"RemoteOnly\" xdt:Transform=\"SetAttributes\" />\n  </system.web>\n</configuration>\n"
        ),
    );
    write(
        dir.path(),
        "Site/Modules/Blog/web.config",
        "<?xml version=\"1.0\"?>\n<configuration>\n  <system.web>\n    <pages validateRequest=\"true\" />\n  </system.web>\n</configuration>\n",
    );
    assert_eq!(check(dir.path(), &["Site"]), (0, vec![]));
    // As written, the site's own check reports both, once each.
    assert_eq!(
        check(dir.path(), &["Site", "--environment", "none"]),
        (
            1,
            vec![
                "Site/web.config:4:18 debug-compilation".to_owned(),
                "Site/web.config:5:19 custom-errors-off".to_owned()
            ]
        )
    );
}

/// SARIF places a fix's replacements in its result's file: the `debug-compilation` fix, which
/// edits `Web.Release.config` for a finding in the web.config, is described in the message but
/// not given as a SARIF fix (its regions would be the transform's, named as the web.config's).
/// A fix within the finding's own file is.
#[test]
fn sarif_leaves_out_a_fix_that_edits_another_file() {
    let dir = repository();
    let base = BASE.replace(
        "    <httpRuntime",
        "    <authentication mode=\"Forms\"><forms timeout=\"5\" /></authentication>\n    <httpRuntime",
    );
    write(dir.path(), "site/web.config", &base);
    write(
        dir.path(),
        "site/Web.Release.config",
        format!("<configuration {XDT}>\n  <system.web>\n  </system.web>\n</configuration>\n"),
    );
    // The fix of debug="true" edits the transform, as --fix shows.
    let diff = iislint(dir.path())
        .args(["check", "--diff", "--unsafe-fixes", "site"])
        .output()
        .unwrap();
    let diff = String::from_utf8(diff.stdout).unwrap();
    assert!(diff.contains("+++ b/site/Web.Release.config"), "{diff}");
    let (_, sarif) =
        json_of(iislint(dir.path()).args(["check", "--output-format", "sarif", "site"]));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = |rule: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {sarif:#}"))
    };
    assert!(result("debug-compilation").get("fixes").is_none());
    let forms_fix = &result("forms-timeout-too-low")["fixes"][0]["artifactChanges"][0];
    assert_eq!(forms_fix["artifactLocation"]["uri"], "site/web.config");
}
