//! The workflows of issue 4, end to end through the binary: the configuration file and `init`,
//! inline suppressions, the output formats, rule docs, pre-commit and the git hook, and terminal
//! manners (completions, man page, colour, closed pipes).

use std::io::Read as _;
use std::path::Path;
use std::process::Stdio;

use predicates::prelude::*;
use serde_json::Value;

mod support;
use support::{
    fenced_blocks, findings as rules_at, iislint, json_of, markdown_section, repo_file, stdout_of,
    write,
};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_iislint")
}

const LOW_FORMS: &str = "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n  </system.web>\n</configuration>\n";
const CLEAN: &str = "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\">\n      <forms timeout=\"30\" />\n    </authentication>\n    <sessionState timeout=\"30\" />\n  </system.web>\n</configuration>\n";

// ---------------------------------------------------------------------------------------------
// 1. iislint.toml and `iislint init`

#[test]
fn config_is_found_in_a_parent_and_select_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/web.config", LOW_FORMS);
    write(
        dir.path(),
        "iislint.toml",
        "[rules]\nforms-timeout-too-low = \"off\"\n",
    );
    let site = dir.path().join("site");
    // Found from a sub-folder: the rule is off.
    let (code, json) = json_of(iislint(&site).args(["check", "--format", "json"]));
    assert_eq!((code, rules_at(&json)), (0, vec![]), "{json}");
    // `--select` turns it back on for this run.
    let (code, json) = json_of(iislint(&site).args([
        "check",
        "--format",
        "json",
        "--select",
        "forms-timeout-too-low",
    ]));
    assert_eq!(code, 1);
    assert_eq!(rules_at(&json), ["web.config:4:14 forms-timeout-too-low"]);
    // `--config` names another file, which wins over discovery.
    write(
        dir.path(),
        "strict.toml",
        "[rules.forms-timeout-too-low]\nlevel = \"error\"\n",
    );
    let (_, json) =
        json_of(iislint(&site).args(["check", "--format", "json", "--config", "../strict.toml"]));
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    // `--ignore` drops a rule the file enables.
    let (code, _) = json_of(iislint(&site).args([
        "check",
        "--format",
        "json",
        "--config",
        "../strict.toml",
        "--ignore",
        "forms-timeout-too-low",
    ]));
    assert_eq!(code, 0);
}

#[test]
fn config_errors_exit_2_naming_key_line_column_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", CLEAN);
    write(
        dir.path(),
        "iislint.toml",
        "farm = false\n\n[rules]\nforms-timeout-to-low = \"off\"\n",
    );
    iislint(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "iislint.toml:4:1: unknown rule `forms-timeout-to-low`; did you mean `forms-timeout-too-low`?",
        ));
    write(dir.path(), "iislint.toml", "exlude = [\"a/**\"]\n");
    iislint(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "iislint.toml:1:1: unknown key `exlude`; did you mean `exclude`?",
        ));
    write(
        dir.path(),
        "iislint.toml",
        "[rules.forms-timeout-too-low]\nmin-minutes = \"thirty\"\n",
    );
    iislint(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "iislint.toml:2:15: expected a whole number",
        ));
    std::fs::remove_file(dir.path().join("iislint.toml")).unwrap();
    iislint(dir.path())
        .args(["check", "--select", "sesion-timeout-too-low"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `session-timeout-too-low`",
        ));
}

/// A session finding (forms-timeout-too-low, IIS101) and a correctness one (invalid-value,
/// IIS201).
const SESSION_AND_CORRECTNESS: &str = "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n    <sessionState mode=\"inproc\" timeout=\"30\" />\n  </system.web>\n</configuration>\n";
const FORMS_FINDING: &str = "web.config:4:14 forms-timeout-too-low";
const VALUE_FINDING: &str = "web.config:6:19 invalid-value";

/// The findings of `iislint check --format json ARGS` in `dir`, and the exit code.
fn found_with(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let (code, json) = json_of(iislint(dir).args(["check", "--format", "json"]).args(args));
    (code, rules_at(&json))
}

#[test]
fn select_and_ignore_take_groups_prefixes_codes_and_all() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", SESSION_AND_CORRECTNESS);
    let both = (1, vec![FORMS_FINDING.to_owned(), VALUE_FINDING.to_owned()]);
    let forms = (1, vec![FORMS_FINDING.to_owned()]);
    let value = (1, vec![VALUE_FINDING.to_owned()]);
    let none = (0, Vec::<String>::new());
    for (args, expected) in [
        (&[][..], &both),
        // A group.
        (&["--select", "session"][..], &forms),
        (&["--select", "Correctness"], &value),
        // A code prefix, in any case.
        (&["--select", "IIS2"], &value),
        (&["--select", "iis10"], &forms),
        // A code, a name.
        (&["--select", "iis101"], &forms),
        (&["--select", "invalid-value"], &value),
        // ALL (the opt-in hardening rules, which report the missing protections of this
        // file, left out), and a list mixing forms.
        (&["--select", "ALL", "--ignore", "hardening"], &both),
        (&["--select", "IIS1,correctness"], &both),
        // A group with no finding here selects nothing.
        (&["--select", "security"], &none),
        // Ignoring a group, a prefix.
        (&["--ignore", "session"], &value),
        (&["--ignore", "IIS2"], &forms),
        (
            &["--select", "ALL", "--ignore", "correctness,hardening"],
            &forms,
        ),
        // The more specific selector wins; on a tie, the ignore.
        (&["--select", "IIS101", "--ignore", "session"], &forms),
        (&["--select", "session", "--ignore", "IIS101"], &none),
        (&["--select", "IIS1", "--ignore", "session"], &forms),
        (&["--select", "session", "--ignore", "session"], &none),
        // --extend-select adds to the default set.
        (
            &[
                "--ignore",
                "IIS1",
                "--extend-select",
                "forms-timeout-too-low",
            ],
            &both,
        ),
    ] {
        assert_eq!(&found_with(dir.path(), args), expected, "{args:?}");
    }
}

#[test]
fn the_configuration_selects_by_group_and_the_command_line_after_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", SESSION_AND_CORRECTNESS);
    write(dir.path(), "iislint.toml", "select = [\"correctness\"]\n");
    assert_eq!(
        found_with(dir.path(), &[]),
        (1, vec![VALUE_FINDING.to_owned()])
    );
    // --extend-select adds to the configuration's selection; --select replaces it.
    assert_eq!(
        found_with(dir.path(), &["--extend-select", "IIS101"]),
        (1, vec![FORMS_FINDING.to_owned(), VALUE_FINDING.to_owned()])
    );
    assert_eq!(
        found_with(dir.path(), &["--select", "session"]),
        (1, vec![FORMS_FINDING.to_owned()])
    );
    // extend-select and ignore in the file.
    write(
        dir.path(),
        "iislint.toml",
        "select = [\"IIS2\"]\nextend-select = [\"session\"]\nignore = [\"invalid-value\"]\n",
    );
    assert_eq!(
        found_with(dir.path(), &[]),
        (1, vec![FORMS_FINDING.to_owned()])
    );
    // A level "off" is an ignore of that rule: a group selection does not undo it, the command
    // line's does.
    write(
        dir.path(),
        "iislint.toml",
        "extend-select = [\"session\"]\n[rules]\nforms-timeout-too-low = \"off\"\n",
    );
    assert_eq!(
        found_with(dir.path(), &[]),
        (1, vec![VALUE_FINDING.to_owned()])
    );
    assert_eq!(
        found_with(dir.path(), &["--extend-select", "session"]),
        (1, vec![FORMS_FINDING.to_owned(), VALUE_FINDING.to_owned()])
    );
}

#[test]
fn per_file_ignores_take_groups_and_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", SESSION_AND_CORRECTNESS);
    write(dir.path(), "b/web.config", SESSION_AND_CORRECTNESS);
    write(
        dir.path(),
        "iislint.toml",
        "[per-file-ignores]\n\"a/web.config\" = [\"session\"]\n\"b/*.config\" = [\"IIS2\", \"IIS101\"]\n",
    );
    assert_eq!(
        found_with(dir.path(), &[]),
        (1, vec![format!("a/{VALUE_FINDING}")])
    );
    // They win over a selection that names the rule.
    assert_eq!(
        found_with(dir.path(), &["--select", "ALL", "--ignore", "hardening"]),
        (1, vec![format!("a/{VALUE_FINDING}")])
    );
}

#[test]
fn an_unknown_selector_is_an_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", CLEAN);
    for (args, message) in [
        (
            &["--select", "sesion"][..],
            "unknown rule or group `sesion`; did you mean `session`?",
        ),
        (&["--ignore", "hardenning"], "did you mean `hardening`?"),
        (
            &["--extend-select", "IIS9"],
            "`IIS9` selects no rule: codes are IIS1xx (session)",
        ),
        (&["--select", "IIS199"], "unknown rule code `IIS199`"),
    ] {
        iislint(dir.path())
            .arg("check")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    write(
        dir.path(),
        "iislint.toml",
        "farm = false\nselect = [\"session\", \"securty\"]\n",
    );
    iislint(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "iislint.toml:2:22: unknown rule or group `securty`; did you mean `security`?",
        ));
    write(
        dir.path(),
        "iislint.toml",
        "[per-file-ignores]\n\"**\" = [\"IIS4\"]\n",
    );
    iislint(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "iislint.toml:2:9: `IIS4` selects no rule",
        ));
}

#[test]
fn init_writes_a_commented_starter_that_parses_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    iislint(dir.path()).arg("init").assert().success();
    let text = std::fs::read_to_string(dir.path().join("iislint.toml")).unwrap();
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() > 20,
        "{text}"
    );
    let settings = iislint::settings::Settings::parse(&text)
        .unwrap_or_else(|(message, span)| panic!("{message} at {span:?}\n{text}"));
    assert!(!settings.farm);
    for rule in iislint::rules::RULES {
        assert!(text.contains(rule.meta.name), "{} missing", rule.meta.name);
    }
    // The binary reads it too.
    write(dir.path(), "web.config", CLEAN);
    iislint(dir.path()).arg("check").assert().success();
    // A second `init` refuses and leaves the file alone.
    std::fs::write(dir.path().join("iislint.toml"), "farm = true\n").unwrap();
    iislint(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("iislint.toml")).unwrap(),
        "farm = true\n"
    );
}

#[test]
fn the_documented_example_config_parses_and_runs() {
    let docs = markdown_section(&repo_file("README.md"), "Configuration file");
    let blocks = fenced_blocks(&docs, "toml");
    assert_eq!(
        blocks.len(),
        1,
        "one ```toml block in README.md's configuration section"
    );
    let text = &blocks[0];
    let settings = iislint::settings::Settings::parse(text)
        .unwrap_or_else(|(message, span)| panic!("{message} at {:?}", &text[span]));
    assert!(settings.farm);
    assert_eq!(
        settings.fix.session_store,
        Some(iislint::settings::SessionStore::Redis)
    );
    assert_eq!(settings.levels["forms-sliding-expiration-disabled"], None);
    assert_eq!(settings.environments, Some(vec!["Release".to_owned()]));
    assert_eq!(settings.sites.len(), 2);
    assert_eq!(
        settings.selection.extend_select,
        [iislint::rules::Selector::Group(
            iislint::meta::Group::Hardening
        )]
    );
    assert_eq!(settings.per_file_ignores.len(), 2);

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "iislint.toml", text);
    write(dir.path(), "legacy/web.config", LOW_FORMS);
    write(dir.path(), "site/web.config", LOW_FORMS);
    let (code, json) = json_of(iislint(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(code, 1, "{json}");
    let found = rules_at(&json);
    assert!(
        found.contains(&"site/web.config:4:14 forms-timeout-too-low".to_owned()),
        "{found:?}"
    );
    // `exclude = ["legacy/**"]`; `min-minutes = 30`, `level = "error"`.
    assert!(found.iter().all(|f| !f.starts_with("legacy/")), "{found:?}");
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "forms-timeout-too-low"
                && d["severity"] == "error"
                && d["message"].as_str().unwrap().contains("minimum of 30"))
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Inline suppressions

const SUPPRESSED: &str = "<configuration>\n  <system.web>\n    <!-- iislint: ignore forms-timeout-too-low - kiosk terminals -->\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n  </system.web>\n  <location path=\"admin\">\n    <system.web>\n      <authentication mode=\"Forms\">\n        <forms timeout=\"4\" />\n      </authentication>\n    </system.web>\n  </location>\n</configuration>\n";

#[test]
fn ignore_silences_the_next_element_only_and_show_suppressed_keeps_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", SUPPRESSED);
    let (code, json) = json_of(iislint(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(code, 1);
    // The <location> is not inside the suppressed element.
    assert_eq!(rules_at(&json), ["web.config:11:16 forms-timeout-too-low"]);
    assert!(json["diagnostics"][0].get("suppressed").is_none());

    let (_, json) =
        json_of(iislint(dir.path()).args(["check", "--format", "json", "--show-suppressed"]));
    assert_eq!(
        rules_at(&json),
        [
            "web.config:5:14 forms-timeout-too-low",
            "web.config:11:16 forms-timeout-too-low"
        ]
    );
    assert_eq!(
        json["diagnostics"][0]["suppressed"],
        serde_json::json!({"kind": "ignore", "reason": "kiosk terminals"})
    );
    assert_eq!(json["diagnostics"][1]["suppressed"], Value::Null);

    let (_, sarif) =
        json_of(iislint(dir.path()).args(["check", "--format", "sarif", "--show-suppressed"]));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "{sarif}");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{"kind": "inSource", "justification": "kiosk terminals"}])
    );
    // The human summary counts what was silenced.
    iislint(dir.path())
        .arg("check")
        .assert()
        .stdout(predicate::str::contains(
            "1 problem silenced by inline suppressions",
        ));
    // Without the flag, SARIF has only the unsuppressed result.
    let (_, sarif) = json_of(iislint(dir.path()).args(["check", "--format", "sarif"]));
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn ignore_file_silences_the_whole_file_and_suppressed_fixes_are_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let text = SUPPRESSED.replace(
        "<configuration>\n",
        "<configuration>\n  <!-- iislint: ignore-file forms-timeout-too-low -->\n",
    );
    let path = write(dir.path(), "web.config", &text);
    iislint(dir.path())
        .args(["check", "--fix"])
        .assert()
        .code(0);
    // Nothing was fixed: both findings are suppressed. The element-level suppression is not
    // unused either: every suppression that covers a finding counts as used.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn an_unused_suppression_is_reported_and_fix_removes_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = "<configuration>\r\n  <system.web>\r\n    <!-- iislint: ignore forms-timeout-too-low -->\r\n    <authentication mode=\"Forms\">\r\n      <forms timeout=\"60\" />\r\n    </authentication>\r\n    <sessionState timeout=\"60\" />\r\n  </system.web>\r\n</configuration>\r\n";
    let path = write(dir.path(), "web.config", text);
    let (code, json) = json_of(iislint(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(rules_at(&json), ["web.config:3:5 unused-suppression"]);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "IIS301");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["fix"]["applicability"], "safe");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("`forms-timeout-too-low` silences nothing in <authentication>")
    );

    iislint(dir.path())
        .args(["check", "--fix"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text.replace("    <!-- iislint: ignore forms-timeout-too-low -->\r\n", "")
    );
}

#[test]
fn unknown_rules_in_suppressions_are_reported_and_unrun_rules_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "web.config",
        LOW_FORMS.replace(
            "    <authentication",
            "    <!-- iislint: ignore forms-timout-too-low -->\n    <authentication",
        ),
    );
    let (_, json) = json_of(iislint(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(
        rules_at(&json),
        [
            "web.config:3:5 unused-suppression",
            "web.config:5:14 forms-timeout-too-low"
        ]
    );
    assert!(
        json["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `forms-timeout-too-low`?")
    );

    // A suppression of a rule that did not run (here left out by --select) is not "unused".
    write(
        dir.path(),
        "web.config",
        CLEAN.replace(
            "    <authentication",
            "    <!-- iislint: ignore forms-timeout-too-low -->\n    <authentication",
        ),
    );
    let (code, _) = json_of(iislint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--select",
        "session-timeout-too-low,unused-suppression",
    ]));
    assert_eq!(code, 0);
    // ...but it is when the rule ran; and the rule can be turned off in iislint.toml.
    let (code, _) = json_of(iislint(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(code, 1);
    write(
        dir.path(),
        "iislint.toml",
        "[rules]\nunused-suppression = \"off\"\n",
    );
    let (code, _) = json_of(iislint(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(code, 0);
}

// ---------------------------------------------------------------------------------------------
// 3. Output formats

#[test]
fn concise_is_one_line_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", LOW_FORMS);
    write(dir.path(), "b/web.config", CLEAN);
    let (code, out) = stdout_of(iislint(dir.path()).args(["check", "--format", "concise"]));
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "a/web.config:4:14: forms-timeout-too-low forms authentication logs users out after 5 idle minutes, below the minimum of 20\n"
    );
}

#[test]
fn github_format_is_workflow_commands_with_escaping() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a,b/web.config", LOW_FORMS);
    write(
        dir.path(),
        "iislint.toml",
        "[rules.forms-timeout-too-low]\nlevel = \"info\"\n",
    );
    let (code, out) = stdout_of(iislint(dir.path()).args(["check", "--format", "github"]));
    // An info finding alone never fails a run.
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "::notice file=a%2Cb/web.config,line=4,col=14,endLine=4,endColumn=25,title=forms-timeout-too-low::forms authentication logs users out after 5 idle minutes, below the minimum of 20 (IIS101)\n"
    );
    write(
        dir.path(),
        "iislint.toml",
        "[rules.forms-timeout-too-low]\nlevel = \"error\"\n",
    );
    let (_, out) = stdout_of(iislint(dir.path()).args(["check", "--format", "github"]));
    assert!(out.starts_with("::error file="), "{out}");
}

/// The properties SARIF 2.1.0's schema requires, plus what GitHub code scanning needs.
fn assert_valid_sarif(sarif: &Value) {
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif"));
    let runs = sarif["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "iislint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), iislint::rules::RULES.len());
    for (rule, meta) in rules.iter().zip(iislint::rules::RULES) {
        assert_eq!(rule["id"], meta.meta.name);
        assert_eq!(rule["name"], meta.meta.name);
        for key in ["shortDescription", "fullDescription"] {
            assert!(!rule[key]["text"].as_str().unwrap().is_empty(), "{key}");
        }
        assert_eq!(rule["help"]["markdown"], meta.meta.doc);
        assert!(rule["help"]["text"].is_string());
        assert!(
            ["note", "warning", "error"]
                .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    for result in run["results"].as_array().expect("results is an array") {
        // result.required = [message]; message.required = text or id.
        assert!(result["message"]["text"].is_string(), "{result}");
        let rule_id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], rule_id);
        assert!(["note", "warning", "error"].contains(&result["level"].as_str().unwrap()));
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/'), "relative URI: {uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key} in {region}");
        }
        if let Some(fixes) = result.get("fixes") {
            for fix in fixes.as_array().unwrap() {
                // fix.required = [artifactChanges]; artifactChange.required = [artifactLocation, replacements];
                // replacement.required = [deletedRegion].
                for change in fix["artifactChanges"].as_array().unwrap() {
                    assert!(change["artifactLocation"]["uri"].is_string());
                    for replacement in change["replacements"].as_array().unwrap() {
                        assert!(replacement["deletedRegion"]["startLine"].is_u64());
                    }
                }
            }
        }
        if let Some(suppressions) = result.get("suppressions") {
            for s in suppressions.as_array().unwrap() {
                // suppression.required = [kind].
                assert!(["inSource", "external"].contains(&s["kind"].as_str().unwrap()));
            }
        }
    }
    // invocation.required = [executionSuccessful]; notification.required = [message].
    for invocation in run["invocations"].as_array().unwrap() {
        assert!(invocation["executionSuccessful"].is_boolean());
        if let Some(notes) = invocation.get("toolExecutionNotifications") {
            for note in notes.as_array().unwrap() {
                assert!(note["message"]["text"].is_string());
            }
        }
    }
}

#[test]
fn sarif_has_every_required_property_and_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/Shop/web.config", LOW_FORMS);
    let (code, sarif) = json_of(iislint(dir.path()).args(["check", "--format", "sarif"]));
    assert_eq!(code, 1);
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "forms-timeout-too-low");
    assert_eq!(result["level"], "warning");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "src/Shop/web.config");
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 4, "startColumn": 14, "endLine": 4, "endColumn": 25})
    );
    let replacement = &result["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "60");
    assert_eq!(
        replacement["deletedRegion"],
        serde_json::json!({"startLine": 4, "startColumn": 23, "endLine": 4, "endColumn": 24})
    );
    let rule = &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
    assert!(
        rule["fullDescription"]["text"].as_str().unwrap().len()
            >= rule["shortDescription"]["text"].as_str().unwrap().len() / 2
    );
    // The rule's group is a tag, which code scanning shows and filters on.
    assert_eq!(rule["properties"]["tags"], serde_json::json!(["session"]));
}

#[test]
fn sarif_never_contains_key_material() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", CLEAN);
    let (_, out) = stdout_of(iislint(dir.path()).args([
        "check",
        "--farm",
        "--format",
        "sarif",
        "--select",
        "machine-key-missing-on-farm",
    ]));
    let sarif: Value = serde_json::from_str(&out).unwrap();
    assert_valid_sarif(&sarif);
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "machine-key-missing-on-farm");
    assert!(
        result.get("fixes").is_none(),
        "a fix that writes a key is not offered to SARIF tools:\n{out}"
    );
    let longest_hex_run = out
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap();
    assert!(longest_hex_run < 32, "{out}");
}

#[test]
fn errors_appear_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad/web.config",
        "<configuration>\n  <system.web>\n",
    );
    write(dir.path(), "good/web.config", LOW_FORMS);
    let check = |format: &str| {
        let output = iislint(dir.path())
            .args(["check", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{format}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(check("human").contains("error: bad/web.config:3:1: unexpected end of file"));
    let concise = check("concise");
    assert!(
        concise.contains("bad/web.config:3:1: error unexpected end of file"),
        "{concise}"
    );
    assert!(concise.contains("good/web.config:4:14: forms-timeout-too-low"));
    let json: Value = serde_json::from_str(&check("json")).unwrap();
    assert_eq!(json["errors"][0]["path"], "bad/web.config");
    let github = check("github");
    assert!(
        github.contains(
            "::error file=bad/web.config,line=3,col=1,title=iislint::unexpected end of file"
        ),
        "{github}"
    );
    let sarif: Value = serde_json::from_str(&check("sarif")).unwrap();
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .contains("unexpected end of file")
    );
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad/web.config"
    );
    // A path that does not exist is an error too.
    let output = iislint(dir.path())
        .args(["check", "--format", "sarif", "missing"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn output_file_takes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", LOW_FORMS);
    let (code, stdout) = stdout_of(iislint(dir.path()).args([
        "check",
        "--format",
        "sarif",
        "--output-file",
        "out.sarif",
    ]));
    assert_eq!((code, stdout.as_str()), (1, ""));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_valid_sarif(&sarif);
    // Human output in a file has no colour codes, even with --color auto.
    iislint(dir.path())
        .args(["check", "--output-file", "out.txt"])
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert!(text.contains("forms-timeout-too-low") && !text.contains('\u{1b}'));
    // An unwritable output file is an error, for a report written at once or as it is made.
    for format in ["human", "json"] {
        iislint(dir.path())
            .args([
                "check",
                "--format",
                format,
                "--output-file",
                "no/such/dir/out.txt",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot write"));
    }
    // JSON in a file is the same as on stdout.
    let (_, stdout) = stdout_of(iislint(dir.path()).args(["check", "--format", "json"]));
    let (code, nothing) = stdout_of(iislint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--output-file",
        "out.json",
    ]));
    assert_eq!((code, nothing.as_str()), (1, ""));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.json")).unwrap(),
        stdout
    );
}

#[test]
fn the_documented_ci_commands_run() {
    let docs = repo_file("README.md");
    let yaml = fenced_blocks(&docs, "yaml").join("\n");
    let commands: Vec<&str> = yaml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: iislint "))
        .collect();
    assert!(commands.len() >= 2, "{yaml}");
    assert!(yaml.contains("github/codeql-action/upload-sarif@"));
    assert!(yaml.contains("sarif_file: iislint.sarif"));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/web.config", LOW_FORMS);
    for command in commands {
        let args: Vec<&str> = command.split_whitespace().collect();
        let output = iislint(dir.path()).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "iislint {command}");
    }
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("iislint.sarif")).unwrap())
            .unwrap();
    assert_valid_sarif(&sarif);
}

#[test]
fn the_documented_suppression_example_works() {
    let docs = markdown_section(&repo_file("README.md"), "Inline suppressions");
    let xml = fenced_blocks(&docs, "xml");
    assert_eq!(xml.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", &xml[0]);
    let (code, json) = json_of(iislint(dir.path()).args([
        "check",
        "--farm",
        "--format",
        "json",
        "--show-suppressed",
    ]));
    let suppressed: Vec<(String, Value)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["suppressed"].is_null())
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["suppressed"].clone(),
            )
        })
        .collect();
    assert!(
        suppressed.contains(&(
            "forms-timeout-too-low".to_owned(),
            serde_json::json!({"kind": "ignore", "reason": "kiosk terminals log out quickly"})
        )),
        "{json}"
    );
    assert!(
        suppressed
            .iter()
            .any(|(rule, s)| rule == "machine-key-missing-on-farm" && s["kind"] == "ignore-file"),
        "{json}"
    );
    assert_eq!(code, 0, "{json}");
}

// ---------------------------------------------------------------------------------------------
// 4. Rule docs

#[test]
fn rule_and_rules_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = stdout_of(iislint(dir.path()).arg("rules"));
    assert_eq!(code, 0);
    let names: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let expected: Vec<&str> = iislint::rules::RULES.iter().map(|r| r.meta.name).collect();
    assert_eq!(names, expected);
    assert!(names.contains(&"unused-suppression"));

    // Each line names the rule's group and whether it runs by default.
    let forms = out.lines().next().unwrap();
    assert_eq!(
        forms.split_whitespace().take(4).collect::<Vec<_>>(),
        ["forms-timeout-too-low", "IIS101", "session", "default"],
        "{out}"
    );
    let value = out
        .lines()
        .find(|l| l.starts_with("invalid-value "))
        .unwrap();
    assert_eq!(
        value.split_whitespace().take(4).collect::<Vec<_>>(),
        ["invalid-value", "IIS201", "correctness", "default"],
        "{out}"
    );

    let (_, json) = json_of(iislint(dir.path()).args(["rules", "--format", "json"]));
    assert_eq!(json.as_array().unwrap().len(), expected.len());
    assert_eq!(json[0]["group"], "session");
    assert_eq!(json[0]["default_enabled"], true);
    let unused = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "unused-suppression")
        .unwrap();
    assert_eq!(unused["group"], "correctness");

    iislint(dir.path())
        .args(["rule", "unused-suppression"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("IIS301")
                .and(predicate::str::contains(
                    "Group: correctness (runs by default)",
                ))
                .and(predicate::str::contains("Default level: warning"))
                .and(predicate::str::contains("## Why is this bad?")),
        );
    let (_, json) = json_of(iislint(dir.path()).args(["rule", "IIS301", "--format", "json"]));
    assert_eq!(json["name"], "unused-suppression");
    assert_eq!(json["group"], "correctness");
    assert!(json["doc"].as_str().unwrap().contains("## What it does"));

    iislint(dir.path())
        .args(["rule", "session-timeout"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`session-timeout-too-low`"));
    iislint(dir.path())
        .args(["rule", "forms-timout-too-low"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("closest: `forms-timeout-too-low`"));
    iislint(dir.path())
        .args(["rule", "sesion"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`session-timeout-too-low`"));
}

#[test]
fn unused_suppression_doc_has_every_section() {
    let doc = repo_file("rules/unused-suppression.md");
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix",
        "## Options",
        "## References",
    ] {
        assert!(doc.contains(section), "{section}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. pre-commit and the git hook

#[test]
fn pre_commit_hooks_file_declares_both_hooks() {
    let yaml = repo_file(".pre-commit-hooks.yaml");
    for (id, entry) in [
        ("iislint", "iislint check --force-exclude"),
        ("iislint-fix", "iislint check --fix --force-exclude"),
    ] {
        let start = yaml
            .find(&format!("- id: {id}\n"))
            .unwrap_or_else(|| panic!("hook {id}"));
        let hook: String = yaml[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("- "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(hook.contains(&format!("entry: {entry}\n")), "{hook}");
        assert!(hook.contains("language: rust"), "{hook}");
        let regex = hook
            .lines()
            .find_map(|l| l.trim().strip_prefix("files: "))
            .unwrap()
            .trim_matches('\'');
        assert!(regex.starts_with("(?i)"));
        // Python's re is what pre-commit uses; check the regex with it when it is installed.
        let script = "import re, sys\nr = re.compile(sys.argv[1])\nprint(' '.join(str(bool(r.search(p))) for p in sys.argv[2:]))";
        let paths = [
            "web.config",
            "src/Shop/Web.config",
            "src/Shop/Web.Release.config",
            "WEB.DEBUG.CONFIG",
            "server/applicationHost.config",
            "app.config",
            "web.config.bak",
            "notes/web.xml",
            "myweb.config",
        ];
        if let Ok(output) = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(regex)
            .args(paths)
            .output()
        {
            assert_eq!(
                String::from_utf8_lossy(&output.stdout).trim(),
                "True True True True True False False False False"
            );
        }
    }
    // The docs show how a repository uses them.
    let docs = repo_file("README.md");
    assert!(docs.contains("- id: iislint\n") && docs.contains("- id: iislint-fix\n"));
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("PATH", path_with_iislint())
        .output()
        .unwrap()
}

/// PATH with the built binary's folder first, for the hook.
fn path_with_iislint() -> std::ffi::OsString {
    let bin_dir = Path::new(bin()).parent().unwrap().to_owned();
    let mut paths = vec![bin_dir];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// A new git repository (in a temporary folder) with iislint's pre-commit hook installed.
#[cfg(unix)]
fn repository_with_hook() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    assert!(git(repo, &["init", "-q"]).status.success());
    git(repo, &["config", "user.email", "test@example.com"]);
    git(repo, &["config", "user.name", "test"]);
    git(repo, &["config", "commit.gpgsign", "false"]);
    iislint(repo).args(["hook", "install"]).assert().success();
    dir
}

/// The hook is a POSIX shell script; git for Windows runs it too, but this test needs `sh`.
#[cfg(unix)]
#[test]
fn hook_install_refuses_a_bad_commit_and_lets_a_clean_one_through() {
    let dir = repository_with_hook();
    let repo = dir.path();
    let hook = repo.join(".git/hooks/pre-commit");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "executable");
    }

    // A failing web.config (in a folder with a space) is refused.
    write(repo, "my site/Web.config", LOW_FORMS);
    write(repo, "README.txt", "hello\n");
    git(repo, &["add", "."]);
    let refused = git(repo, &["commit", "-q", "-m", "bad"]);
    assert!(!refused.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(said.contains("forms-timeout-too-low"), "{said}");
    assert!(
        !git(repo, &["rev-parse", "-q", "--verify", "HEAD"])
            .status
            .success()
    );

    // The staged content counts, not the working tree: fixing the file without staging it
    // still refuses the commit.
    write(repo, "my site/Web.config", CLEAN);
    assert!(
        !git(repo, &["commit", "-q", "-m", "still bad"])
            .status
            .success()
    );

    // Staged clean: the commit goes through.
    git(repo, &["add", "."]);
    let ok = git(repo, &["commit", "-q", "-m", "good"]);
    assert!(
        ok.status.success(),
        "{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    // A commit without configuration files is not checked at all.
    write(repo, "README.txt", "changed\n");
    git(repo, &["add", "."]);
    assert!(git(repo, &["commit", "-q", "-m", "docs"]).status.success());
    // The repository's iislint.toml applies in the hook.
    write(
        repo,
        "iislint.toml",
        "[rules]\nforms-timeout-too-low = \"off\"\n",
    );
    write(repo, "my site/Web.config", LOW_FORMS);
    git(repo, &["add", "."]);
    let ok = git(repo, &["commit", "-q", "-m", "configured"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

/// The hook judges the staged files as `check` judges the working tree: with the project files
/// that say which folders are applications.
#[cfg(unix)]
#[test]
fn hook_sees_the_project_files_that_decide_what_is_an_application() {
    let dir = repository_with_hook();
    let repo = dir.path();
    // A Sitecore Helix module: its project lists web.config as <None>, so it is never deployed
    // and, on a farm, has nothing to report.
    write(repo, "iislint.toml", "farm = true\n");
    write(
        repo,
        "src/Feature/Cart/code/Feature.Cart.csproj",
        "<Project><Import Project=\"Microsoft.WebApplication.targets\" /><ItemGroup><None Include=\"web.config\" /></ItemGroup></Project>\n",
    );
    write(
        repo,
        "src/Feature/Cart/code/web.config",
        "<configuration>\n  <system.web>\n    <compilation targetFramework=\"4.8\" />\n  </system.web>\n</configuration>\n",
    );
    iislint(repo).args(["check", "."]).assert().code(0);
    git(repo, &["add", "."]);
    let ok = git(repo, &["commit", "-q", "-m", "module"]);
    assert!(
        ok.status.success(),
        "{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn hook_install_never_replaces_a_hook_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    assert!(git(repo, &["init", "-q"]).status.success());
    let hook = write(repo, ".git/hooks/pre-commit", "#!/bin/sh\necho mine\n");
    iislint(repo)
        .args(["hook", "install"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    iislint(repo)
        .args(["hook", "install", "--force"])
        .assert()
        .success();
    let installed = std::fs::read_to_string(&hook).unwrap();
    assert!(installed.contains("iislint"));
    // Installing the same hook again is fine.
    iislint(repo).args(["hook", "install"]).assert().success();
    // Outside a repository: an error.
    let elsewhere = tempfile::tempdir().unwrap();
    iislint(elsewhere.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            elsewhere.path().parent().unwrap(),
        )
        .args(["hook", "install"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------------------------
// 6. Terminal manners

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out) = stdout_of(iislint(dir.path()).args(["completions", shell]));
        assert_eq!(code, 0, "{shell}");
        assert!(
            out.contains("iislint") && out.contains("check") && out.contains("format"),
            "{shell}"
        );
    }
    iislint(dir.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
    let (code, man) = stdout_of(iislint(dir.path()).arg("man"));
    assert_eq!(code, 0);
    assert!(
        man.starts_with(".ie") || man.contains(".TH iislint"),
        "{man}"
    );
    assert!(man.contains("check"));
}

/// Runs `iislint args` with its stdout a pipe whose read end is closed at once.
fn run_with_closed_stdout(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (status.code(), stderr)
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        write(dir.path(), &format!("site{i}/web.config"), LOW_FORMS);
    }
    for args in [
        &["rules"][..],
        &["rules", "--format", "json"],
        &["rule", "forms-timeout-too-low"],
        &["completions", "bash"],
        &["completions", "zsh"],
        &["man"],
        &["check"],
        &["check", "--format", "sarif"],
        &["check", "--format", "concise"],
    ] {
        let (code, stderr) = run_with_closed_stdout(dir.path(), args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            stderr.is_empty() || !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        assert_ne!(code, Some(101), "{args:?}");
        assert!(code.is_some(), "{args:?} was killed by a signal");
    }
}

#[test]
fn colour_follows_color_and_no_color() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", LOW_FORMS);
    let escape = '\u{1b}';
    let (_, out) = stdout_of(iislint(dir.path()).args(["check", "--color", "always"]));
    assert!(out.contains(escape));
    let (_, out) = stdout_of(
        iislint(dir.path())
            .env("NO_COLOR", "1")
            .args(["check", "--color", "always"]),
    );
    assert!(out.contains(escape), "--color always wins over NO_COLOR");
    let (_, out) = stdout_of(iislint(dir.path()).args(["check", "--color", "never"]));
    assert!(!out.contains(escape));
    // `auto` on a pipe: no colour.
    let (_, out) = stdout_of(iislint(dir.path()).arg("check"));
    assert!(!out.contains(escape));

    // `auto` on a terminal: colour, unless NO_COLOR is set. `script` gives us a terminal.
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("skipping the terminal part: `script` (util-linux) is not installed");
        return;
    }
    let on_tty = |no_color: Option<&str>| {
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &format!("'{}' check", bin()), "/dev/null"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let out = on_tty(None);
    assert!(out.contains("forms-timeout-too-low"), "{out}");
    assert!(out.contains(escape), "colour on a terminal:\n{out}");
    let out = on_tty(Some("1"));
    assert!(out.contains("forms-timeout-too-low"), "{out}");
    assert!(!out.contains(escape), "NO_COLOR on a terminal:\n{out}");
}
