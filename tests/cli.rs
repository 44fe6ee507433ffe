//! The `check` command end to end: discovery, exit codes, JSON shape, errors, --fix and --diff.

use std::path::Path;

use serde_json::Value;

mod support;
use support::{findings, iislint, json_of, stdout_of, write};

/// Runs `check --format json` in `dir` and returns the exit code and the parsed output.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    json_of(
        iislint(dir)
            .arg("check")
            .args(args)
            .args(["--format", "json"]),
    )
}

const LOW_FORMS_TIMEOUT: &str = "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n  </system.web>\n</configuration>\n";
const CLEAN: &str = "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\">\n      <forms timeout=\"30\" />\n    </authentication>\n    <sessionState timeout=\"30\" />\n  </system.web>\n</configuration>\n";

#[test]
fn exit_codes_are_0_clean_1_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/web.config", CLEAN);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0);

    write(dir.path(), "site/web.config", LOW_FORMS_TIMEOUT);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        ["site/web.config:4:14 forms-timeout-too-low"]
    );
}

#[test]
fn json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/Shop/web.config", LOW_FORMS_TIMEOUT);
    let (_, json) = check_json(dir.path(), &[]);
    let d = &json["diagnostics"][0];
    for key in [
        "rule", "code", "severity", "message", "path", "line", "column", "fix",
    ] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert_eq!(d["rule"], "forms-timeout-too-low");
    assert_eq!(d["code"], "IIS101");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["path"], "src/Shop/web.config");
    assert_eq!(d["fix"]["applicability"], "safe");
    assert!(d["fix"]["message"].as_str().unwrap().contains("60"));
    assert_eq!(json["errors"], Value::Array(vec![]));
}

#[test]
fn bad_files_are_errors_with_positions_and_the_rest_is_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", LOW_FORMS_TIMEOUT);
    write(
        dir.path(),
        "b/web.config",
        "<configuration>\n  <system.web>\n    <forms timeout=\"5\">\n</configuration>\n",
    );
    write(dir.path(), "c/web.config", "");
    write(
        dir.path(),
        "d/web.config",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
    );
    write(
        dir.path(),
        "e/web.config",
        b"<configuration>\n  <!-- caf\xe9 -->\n</configuration>\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 2, "{json}");
    assert_eq!(findings(&json), ["a/web.config:4:14 forms-timeout-too-low"]);
    let errors: Vec<String> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}:{}",
                e["path"].as_str().unwrap(),
                e["line"],
                e["column"]
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            "b/web.config:4:1",
            "c/web.config:1:1",
            "d/web.config:1:1",
            "e/web.config:2:11"
        ]
    );
    let messages: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages[1].contains("empty"), "{}", messages[1]);
    assert!(messages[3].contains("UTF-8"), "{}", messages[3]);

    // The human format names file:line:col too.
    let output = iislint(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("b/web.config:4:1"), "{stdout}");
    assert!(stdout.contains("e/web.config:2:11"), "{stdout}");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn discovery_follows_names_gitignore_and_skipped_folders() {
    let dir = tempfile::tempdir().unwrap();
    for path in [
        "app/Web.config",
        "app/bin/web.config",
        "app/obj/Debug/web.config",
        "node_modules/x/web.config",
        "ignored/web.config",
        "server/ApplicationHost.config",
    ] {
        write(dir.path(), path, LOW_FORMS_TIMEOUT);
    }
    for transform in [
        "app/Web.Release.config",
        "app/web.config.transform",
        "app/web.config.install.xdt",
    ] {
        write(dir.path(), transform, LOW_FORMS_TIMEOUT);
    }
    // Not a git repository: .gitignore still applies.
    write(dir.path(), ".gitignore", "ignored/\n");
    let (_, json) = check_json(dir.path(), &[]);
    let paths: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["app/Web.config", "server/ApplicationHost.config"]);

    // A file named on the command line is always linted.
    let (_, json) = check_json(
        dir.path(),
        &["app/bin/web.config", "app/Web.Release.config"],
    );
    let paths: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["app/Web.Release.config", "app/bin/web.config"]);
}

#[test]
fn missing_path_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, json) = check_json(dir.path(), &["nope"]);
    assert_eq!(code, 2);
    assert_eq!(json["errors"][0]["path"], "nope");
}

const FARM_APP: &str = "<configuration>\n  <system.web>\n    <sessionState mode=\"InProc\" />\n  </system.web>\n</configuration>\n";

#[test]
fn farm_comes_from_the_flag_or_iislint_toml() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/web.config", FARM_APP);
    write(
        dir.path(),
        "site/Views/web.config",
        "<configuration><system.web><pages /></system.web></configuration>",
    );
    write(
        dir.path(),
        "core/web.config",
        "<configuration><system.webServer /></configuration>",
    );
    let rules = |json: &Value| findings(json);
    let (_, json) = check_json(dir.path(), &[]);
    assert!(rules(&json).is_empty(), "{json}");

    let expected = [
        "site/web.config:2:3 machine-key-missing-on-farm",
        "site/web.config:3:19 inproc-session-on-farm",
    ];
    let (_, json) = check_json(dir.path(), &["--farm"]);
    assert_eq!(rules(&json), expected);

    // Found in a parent of the current directory.
    write(dir.path(), "iislint.toml", "farm = true\n");
    let (_, json) = check_json(&dir.path().join("site"), &["."]);
    let expected_here = [
        "web.config:2:3 machine-key-missing-on-farm",
        "web.config:3:19 inproc-session-on-farm",
    ];
    assert_eq!(rules(&json), expected_here);

    // --config names one explicitly.
    std::fs::remove_file(dir.path().join("iislint.toml")).unwrap();
    write(dir.path(), "conf/farm.toml", "farm = true\n");
    let (_, json) = check_json(dir.path(), &["--config", "conf/farm.toml"]);
    assert_eq!(rules(&json), expected);
}

#[test]
fn bad_configuration_is_exit_2_with_position() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", CLEAN);
    write(
        dir.path(),
        "iislint.toml",
        "farm = true\n[rules]\nforms-timeout-to-low = \"off\"\n",
    );
    let output = iislint(dir.path()).arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("iislint.toml:3:1"), "{stderr}");
    assert!(
        stderr.contains("did you mean `forms-timeout-too-low`"),
        "{stderr}"
    );
}

#[test]
fn fix_writes_only_what_it_means_to() {
    let dir = tempfile::tempdir().unwrap();
    let original = "\u{feff}<configuration>\r\n  <!-- keep me -->\r\n  <system.web>\r\n    <authentication mode='Forms'>\r\n      <forms name='.AUTH'  timeout='5' slidingExpiration='false'/>\r\n    </authentication>\r\n  </system.web>\r\n</configuration>\r\n";
    write(dir.path(), "web.config", original);

    // --diff shows the change, exits 1 and writes nothing.
    let output = iislint(dir.path())
        .args(["check", "--diff"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(
        diff.contains("+      <forms name='.AUTH'  timeout='60' slidingExpiration='false'/>"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web.config")).unwrap(),
        original
    );

    // --fix applies the safe fixes only and says an unsafe one is left. Raising the forms timeout
    // to 60 leaves the default 20-minute session shorter than the login, but nothing shows this
    // application uses session state (no <sessionState>, no sources): that is no finding.
    let output = iislint(dir.path())
        .args(["check", "--fix"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Fixed 1 problem."), "{stdout}");
    assert!(
        stdout.contains("1 problem more fixable with `--fix --unsafe-fixes`"),
        "{stdout}"
    );
    let safe_fixed = original.replace("timeout='5'", "timeout='60'");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web.config")).unwrap(),
        safe_fixed
    );

    // --unsafe-fixes takes the rest; then nothing is left and a rerun changes nothing.
    let output = iislint(dir.path())
        .args(["check", "--fix", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let fixed = std::fs::read_to_string(dir.path().join("web.config")).unwrap();
    assert_eq!(fixed, safe_fixed.replace("'false'", "'true'"));
    let output = iislint(dir.path())
        .args(["check", "--diff", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

#[test]
fn fix_never_writes_a_file_it_could_not_read_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"<configuration><system.web><authentication mode=\"Forms\"><forms timeout=\"5\" name=\"\xe9\"/></authentication></system.web></configuration>";
    write(dir.path(), "web.config", bytes);
    let output = iislint(dir.path())
        .args(["check", "--fix"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.path().join("web.config")).unwrap(), bytes);
}

#[test]
fn human_output_has_snippets_and_no_colour_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", LOW_FORMS_TIMEOUT);
    let output = iislint(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("web.config:4:14"), "{stdout}");
    assert!(stdout.contains("<forms timeout=\"5\" />"), "{stdout}");
    assert!(stdout.contains("forms-timeout-too-low"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no escape codes when piped: {stdout}"
    );
    let output = iislint(dir.path())
        .args(["check", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains('\u{1b}'));
}

#[test]
fn readme_example_command_lints_the_bundled_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("cargo run --release -- check fixtures/example"));
    assert!(readme.contains("cargo test"));
    let (code, json) = check_json(root, &["fixtures/example"]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "forms-timeout-too-low",
        "invalid-value",
        "app-pool-idle-timeout-drops-sessions",
        "farm-without-session-affinity",
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
    // The transform file and the ASP.NET Core and Views files produce nothing.
    assert!(json["diagnostics"].as_array().unwrap().iter().all(|d| {
        let path = d["path"].as_str().unwrap();
        !path.contains("Release") && !path.contains("Api/") && !path.contains("Views/")
    }));
}

#[test]
fn secrets_are_masked_in_snippets_and_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let key = "0123456789ABCDEF".repeat(8);
    write(
        dir.path(),
        "web.config",
        format!(
            "<configuration>\n  <connectionStrings>\n    <add name=\"db\" connectionString=\"Server=db;Password=hunter2;\" />\n  </connectionStrings>\n  <system.web>\n    <machineKey validationKey=\"{key}\" decryptionKey=\"XYZ\" connectionString=\"Password=hunter2\" />\n  </system.web>\n</configuration>\n"
        ),
    );
    let output = iislint(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("decryptionKey"),
        "the snippet is shown: {stdout}"
    );
    assert!(
        !stdout.contains(&key) && !stdout.contains("hunter2"),
        "{stdout}"
    );

    let longest_hex_run = |text: &str| {
        text.split(|c: char| !c.is_ascii_hexdigit())
            .map(str::len)
            .max()
            .unwrap_or(0)
    };
    write(dir.path(), "web.config", FARM_APP);
    let output = iislint(dir.path())
        .args(["check", "--diff", "--unsafe-fixes", "--farm"])
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(diff.contains("+    <machineKey validationKey="), "{diff}");
    assert!(
        longest_hex_run(&diff) < 32,
        "a generated key is printed: {diff}"
    );
    assert!(std::fs::read_to_string(dir.path().join("web.config")).unwrap() == FARM_APP);
}

const FARM_READY_APP: &str = "<configuration>\n  <system.web>\n    <sessionState mode=\"SQLServer\" />\n    <machineKey validationKey=\"0A0B0C0D0E0F10111213141516171819202122232425262728292A2B2C2D2E2F\" decryptionKey=\"0A0B0C0D0E0F10111213141516171819\" />\n  </system.web>\n</configuration>\n";

#[test]
fn only_application_roots_are_judged_by_farm_rules_however_they_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", FARM_READY_APP);
    // httpRuntime may be set in any folder: it does not make a sub-folder an application.
    write(
        dir.path(),
        "a/Uploads/web.config",
        "<configuration>\n  <system.web>\n    <httpRuntime maxRequestLength=\"102400\" />\n  </system.web>\n</configuration>\n",
    );
    // A Views folder is never an application, whatever it sets.
    write(
        dir.path(),
        "a/Views/web.config",
        "<configuration>\n  <system.web>\n    <sessionState mode=\"InProc\" />\n  </system.web>\n</configuration>\n",
    );
    for args in [
        vec!["a", "--farm"],
        vec!["a/Uploads", "--farm"],
        vec!["a/Uploads/web.config", "a/Views/web.config", "--farm"],
    ] {
        let (code, json) = check_json(dir.path(), &args);
        assert_eq!((code, findings(&json)), (0, vec![]), "{args:?}");
    }
    // Without the parent, the sub-folder file is the top-most one: an application of its own.
    std::fs::remove_file(dir.path().join("a/web.config")).unwrap();
    let (_, json) = check_json(dir.path(), &["a/Uploads/web.config", "--farm"]);
    assert_eq!(findings(&json).len(), 2, "{json}");
}

#[test]
fn sql_server_fix_allows_the_database_an_existing_connection_string_names() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "web.config",
        "<configuration>\n  <system.web>\n    <sessionState mode=\"InProc\" sqlConnectionString=\"data source=sql01;Initial Catalog=SessionDb;Integrated Security=SSPI\" />\n  </system.web>\n</configuration>\n",
    );
    let output = iislint(dir.path())
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--farm",
            "--session-store",
            "sqlserver",
            "--select",
            "inproc-session-on-farm",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let fixed = std::fs::read_to_string(dir.path().join("web.config")).unwrap();
    assert!(fixed.contains("mode=\"SQLServer\""), "{fixed}");
    assert!(fixed.contains("allowCustomSqlDatabase=\"true\""), "{fixed}");
}

#[test]
fn a_nested_repository_bounds_the_search_for_a_parent_web_config() {
    let dir = tempfile::tempdir().unwrap();
    // A missing machineKey on a farm is judged in application roots only; `compilation` is not an
    // application-level section, so only the folders decide whether this file is a root.
    let nested = "<configuration>\n  <system.web>\n    <compilation debug=\"false\" />\n  </system.web>\n</configuration>\n";
    write(dir.path(), "outer/web.config", CLEAN);
    write(dir.path(), "outer/inner/web.config", nested);
    let args = ["--farm", "--select", "machine-key-missing-on-farm"];
    let inner = |json: &Value| {
        findings(json)
            .into_iter()
            .filter(|f| f.starts_with("outer/inner/"))
            .count()
    };
    let (_, json) = check_json(dir.path(), &args);
    assert_eq!(
        inner(&json),
        0,
        "below outer/web.config, not a root: {json}"
    );

    // The walk sees the nested repository's `.git`; above its top, outer/web.config is no parent.
    std::fs::create_dir_all(dir.path().join("outer/inner/.git")).unwrap();
    let (_, json) = check_json(dir.path(), &args);
    assert_eq!(inner(&json), 1, "its own repository's root: {json}");
}

#[test]
fn the_summary_counts_clean_files_though_their_results_are_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", CLEAN);
    write(dir.path(), "b/web.config", LOW_FORMS_TIMEOUT);
    write(dir.path(), "c/web.config", CLEAN);
    let (code, out) = stdout_of(iislint(dir.path()).args(["check", "--color", "never"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Found 1 warning (3 files checked)."), "{out}");
    assert!(out.contains("b/web.config:4:14"), "{out}");

    write(dir.path(), "b/web.config", CLEAN);
    let (code, out) = stdout_of(iislint(dir.path()).args(["check", "--color", "never"]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("All checks passed (3 files checked)."),
        "{out}"
    );
}
