//! Issue 13, items 3 to 6, end to end through the binary: reading from stdin, the output formats
//! editors and CI read (each checked against its consumer's documented syntax), ruff's habits
//! (`--output-format`, `--exit-zero`, `--statistics`, `-q`, `-s`, `--show-files`,
//! `--show-settings`, `--force-exclude`, the nearest iislint.toml), and the fixes to what existed
//! (suppressions of inactive rules, the summary, `--help`).

use std::path::Path;

use serde_json::Value;

mod support;
use support::{findings, iislint, json_of, repo_file, stdout_of, step_using, write};

const LOW_FORMS: &str = "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n  </system.web>\n</configuration>\n";
const BROKEN: &str = "<configuration>\n  <system.web>\n";

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn canonical(dir: &Path, relative: &str) -> String {
    dir.canonicalize()
        .unwrap()
        .join(relative)
        .to_string_lossy()
        .into_owned()
}

// ---------------------------------------------------------------------------------------------
// 4. Output formats editors and CI read

/// VS Code's `$msCompile` problem pattern, as microsoft/vscode defines it in
/// `src/vs/workbench/contrib/tasks/common/problemMatcher.ts` (groups: 1 file, 2 location,
/// 4 severity, 5 code, 6 message; the matcher reads the file as an absolute path).
const MS_COMPILE: &str = r"^\s*(?:\s*\d+>)?(\S.*?)(?:\((\d+|\d+,\d+|\d+,\d+,\d+,\d+)\))?\s*:\s+(?:(\S+)\s+)?((?:fatal +)?error|warning|info)\s+(\w+\d+)?\s*:\s*(.*)$";

/// MSBuild's own parser of the canonical error format (dotnet/msbuild,
/// `src/Shared/CanonicalError.cs`, `originCategoryCodeTextExpression`, case-insensitive), and
/// how it splits the origin into file and location (`filenameLocationFromOrigin`).
const MSBUILD_CANONICAL: &str = r"(?i)^\s*(((?<ORIGIN>(((\d+>)?[a-zA-Z]?:[^:]*)|([^:]*))):)|())(?<SUBCATEGORY>(()|([^:]*? )))(?<CATEGORY>(error|warning))( \s*(?<CODE>[^: ]*))?\s*:(?<TEXT>.*)$";
const MSBUILD_ORIGIN: &str = r"(?i)^(\d+>)?(?<FILENAME>.*)\((?<LOCATION>[\,,0-9,-]*)\)\s*$";

#[test]
fn msbuild_format_is_read_by_ms_compile_and_msbuild() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a site/web.config", LOW_FORMS);
    write(dir.path(), "b/web.config", BROKEN);
    let (code, out) = stdout_of(iislint(dir.path()).args(["check", "--output-format", "msbuild"]));
    assert_eq!(code, 2, "{out}");
    let out_lines = lines(&out);
    assert_eq!(out_lines.len(), 2, "{out}");
    let vscode = regex::Regex::new(MS_COMPILE).unwrap();
    let msbuild = regex::Regex::new(MSBUILD_CANONICAL).unwrap();
    let origin = regex::Regex::new(MSBUILD_ORIGIN).unwrap();

    let finding = vscode.captures(out_lines[0]).expect(out_lines[0]);
    assert_eq!(&finding[1], canonical(dir.path(), "a site/web.config"));
    assert!(Path::new(&finding[1]).is_absolute());
    assert_eq!(&finding[2], "4,14");
    assert_eq!(&finding[4], "warning");
    assert_eq!(&finding[5], "IIS101");
    assert!(
        finding[6].starts_with("forms authentication logs users out after 5 idle minutes"),
        "{}",
        &finding[6]
    );
    assert!(finding[6].ends_with("(forms-timeout-too-low)"));
    let error = vscode.captures(out_lines[1]).expect(out_lines[1]);
    assert_eq!(&error[1], canonical(dir.path(), "b/web.config"));
    assert_eq!(&error[4], "error");
    assert_eq!(&error[5], "IIS000");

    for line in &out_lines {
        let parts = msbuild.captures(line).expect(line);
        let place = origin.captures(&parts["ORIGIN"]).expect(line);
        assert!(place["FILENAME"].ends_with("web.config"), "{line}");
        assert!(place["LOCATION"].contains(','), "{line}");
    }
    let parts = msbuild.captures(out_lines[0]).unwrap();
    assert_eq!(&parts["CATEGORY"], "warning");
    assert_eq!(&parts["CODE"], "IIS101");

    // `--format` is kept as an alias of `--output-format`, and an info finding is a warning
    // (MSBuild's format has error and warning only).
    write(
        dir.path(),
        "iislint.toml",
        "[rules.forms-timeout-too-low]\nlevel = \"info\"\n",
    );
    let (_, out) = stdout_of(iislint(dir.path()).args(["check", "--format", "msbuild", "a site"]));
    assert_eq!(&vscode.captures(out.trim_end()).expect(&out)[4], "warning");
}

/// `##vso[area.action property=value;…]message` (Azure DevOps, "Logging commands").
const LOGGING_COMMAND: &str = r"^##vso\[task\.logissue ((?:[a-z]+=[^;\]]*;?)*)\](.*)$";

#[test]
fn azure_format_is_logging_commands_with_their_escaping() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x;y]z/web.config", LOW_FORMS);
    write(dir.path(), "b/web.config", BROKEN);
    let (code, out) = stdout_of(iislint(dir.path()).args(["check", "--output-format", "azure"]));
    assert_eq!(code, 2, "{out}");
    let command = regex::Regex::new(LOGGING_COMMAND).unwrap();
    let parsed: Vec<(Vec<(String, String)>, String)> = lines(&out)
        .iter()
        .map(|line| {
            let parts = command.captures(line).expect(line);
            let properties = parts[1]
                .split(';')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (key, value) = p.split_once('=').unwrap();
                    (key.to_owned(), value.to_owned())
                })
                .collect();
            (properties, parts[2].to_owned())
        })
        .collect();
    assert_eq!(parsed.len(), 2, "{out}");
    // The error of `b` comes first (files in path order).
    let (error, _) = &parsed[0];
    assert_eq!(error[0], ("type".into(), "error".into()));
    assert_eq!(error[1].1, canonical(dir.path(), "b/web.config"));
    let (finding, message) = &parsed[1];
    let get = |key: &str| {
        finding
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap()
    };
    assert_eq!(get("type"), "warning");
    // `;` and `]` in a property are escaped as the task library escapes them.
    assert_eq!(
        get("sourcepath"),
        canonical(dir.path(), "x;y]z/web.config")
            .replace(';', "%3B")
            .replace(']', "%5D")
    );
    assert_eq!(get("linenumber"), "4");
    assert_eq!(get("columnnumber"), "14");
    assert_eq!(get("code"), "IIS101");
    assert!(message.ends_with("(forms-timeout-too-low)"), "{message}");
}

#[test]
fn concise_errors_have_the_shape_of_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", LOW_FORMS);
    write(dir.path(), "b/web.config", BROKEN);
    let (code, out) = stdout_of(iislint(dir.path()).args([
        "check",
        "--output-format",
        "concise",
        "a",
        "b",
        "missing",
    ]));
    assert_eq!(code, 2);
    let shape = regex::Regex::new(r"^([^:]+):(\d+):(\d+): ([a-z-]+) (.+)$").unwrap();
    let tokens: Vec<String> = lines(&out)
        .iter()
        .map(|line| {
            let parts = shape.captures(line).expect(line);
            format!("{} {}", &parts[1], &parts[4])
        })
        .collect();
    assert_eq!(
        tokens,
        [
            "a/web.config forms-timeout-too-low",
            "b/web.config error",
            "missing error"
        ]
    );
}

fn sarif(dir: &Path, args: &[&str]) -> Value {
    let (_, sarif) = json_of(
        iislint(dir)
            .args(["check", "--output-format", "sarif"])
            .args(args),
    );
    sarif
}

/// Each result's `partialFingerprints["iislint/v1"]`, by `path:line rule`.
fn fingerprints(sarif: &Value) -> Vec<(String, String)> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                format!(
                    "{}:{} {}",
                    location["artifactLocation"]["uri"].as_str().unwrap(),
                    location["region"]["startLine"],
                    r["ruleId"].as_str().unwrap()
                ),
                r["partialFingerprints"]["iislint/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn sarif_rules_have_help_uris_tags_and_security_severity() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", LOW_FORMS);
    let sarif = sarif(dir.path(), &[]);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let mut security = 0;
    for rule in rules {
        let name = rule["id"].as_str().unwrap();
        let uri = rule["helpUri"].as_str().unwrap();
        // GitHub's default, as no repository URL is named elsewhere; the file exists.
        assert_eq!(
            uri,
            format!("https://github.com/iislint/iislint/blob/main/rules/{name}.md")
        );
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("rules/{name}.md"))
                .is_file(),
            "{uri}"
        );
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert_eq!(tags.len(), 1, "{rule}");
        let group = tags[0].as_str().unwrap();
        let severity = &rule["properties"]["security-severity"];
        if group == "security" {
            security += 1;
            // A number in a string, as GitHub code scanning reads it (0.1 to 10.0).
            let score: f64 = severity.as_str().unwrap().parse().unwrap();
            assert!((0.1..=10.0).contains(&score), "{rule}");
            let expected = match rule["defaultConfiguration"]["level"].as_str().unwrap() {
                "error" => "7.5",
                "warning" => "5.0",
                _ => "2.0",
            };
            assert_eq!(severity, expected, "{name}");
        } else {
            assert!(severity.is_null(), "{rule}");
        }
    }
    assert!(security > 0, "the security group has rules");
}

#[test]
fn sarif_fingerprints_follow_the_line_content_not_its_number() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", LOW_FORMS);
    write(dir.path(), "b/web.config", LOW_FORMS);
    let before = fingerprints(&sarif(dir.path(), &[]));
    assert_eq!(before.len(), 2, "{before:?}");
    // Same rule and line content in two files: two fingerprints.
    assert_ne!(before[0].1, before[1].1);
    for (_, print) in &before {
        assert!(print.len() == 16 && print.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // Lines added above a finding move it, not its fingerprint.
    write(
        dir.path(),
        "a/web.config",
        LOW_FORMS.replace(
            "<configuration>\n",
            "<configuration>\n  <!-- a -->\n\n  <appSettings />\n",
        ),
    );
    let after = fingerprints(&sarif(dir.path(), &[]));
    assert_eq!(after[0].0, "a/web.config:7 forms-timeout-too-low");
    assert_eq!(after[0].1, before[0].1);
    assert_eq!(after[1], before[1]);
    // The same again, stable from run to run.
    assert_eq!(fingerprints(&sarif(dir.path(), &[])), after);
    // A change of the line itself is another finding.
    write(
        dir.path(),
        "b/web.config",
        LOW_FORMS.replace("<forms timeout=\"5\" />", "<forms timeout=\"6\" />"),
    );
    let changed = fingerprints(&sarif(dir.path(), &[]));
    assert_ne!(changed[1].1, before[1].1);

    // The same rule on two lines of the same content (indentation aside): told apart by order.
    let twice = "<configuration>\n  <system.web>\n    <compilation debug=\"true\" />\n  </system.web>\n  <location path=\"a\">\n    <system.web>\n      <compilation debug=\"true\" />\n    </system.web>\n  </location>\n</configuration>\n";
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "web.config", twice);
    let prints = fingerprints(&sarif(other.path(), &["--select", "debug-compilation"]));
    assert_eq!(prints.len(), 2, "{prints:?}");
    assert_ne!(prints[0].1, prints[1].1);
}

// ---------------------------------------------------------------------------------------------
// 5. ruff's habits: exit codes, statistics, quiet and silent

/// Standard output and standard error, and the exit code.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = iislint(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn exit_zero_and_info_findings_do_not_fail_a_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", LOW_FORMS);
    assert_eq!(run(dir.path(), &["check"]).0, 1);
    let (code, out, _) = run(dir.path(), &["check", "--exit-zero"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Found 1 warning"), "{out}");
    assert_eq!(run(dir.path(), &["check", "--exit-zero", "--diff"]).0, 0);
    // --exit-zero never hides a file that could not be read.
    write(dir.path(), "b/web.config", BROKEN);
    assert_eq!(run(dir.path(), &["check", "--exit-zero"]).0, 2);
    std::fs::remove_dir_all(dir.path().join("b")).unwrap();

    // The rule at `info`: reported, and the exit code is 0.
    write(
        dir.path(),
        "iislint.toml",
        "[rules.forms-timeout-too-low]\nlevel = \"info\"\n",
    );
    let (code, out, _) = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("forms-timeout-too-low"), "{out}");
    assert!(
        out.contains("No errors or warnings; 1 info finding (1 file checked)."),
        "{out}"
    );
    for format in ["json", "sarif", "github", "concise", "msbuild", "azure"] {
        assert_eq!(
            run(dir.path(), &["check", "--output-format", format]).0,
            0,
            "{format}"
        );
    }
}

#[test]
fn the_summary_counts_errors_and_warnings_apart() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", LOW_FORMS);
    write(
        dir.path(),
        "b/web.config",
        "<configuration>\n  <system.web>\n    <sessionState mode=\"inproc\" />\n  </system.web>\n</configuration>\n",
    );
    let (code, out, _) = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Found 1 error and 1 warning (2 files checked)."),
        "{out}"
    );
    write(dir.path(), "c/web.config", BROKEN);
    let (_, out, _) = run(dir.path(), &["check", "--color", "never"]);
    assert!(
        out.contains("Found 1 error and 1 warning; 1 file could not be checked (3 files checked)."),
        "{out}"
    );
}

#[test]
fn no_configuration_file_is_a_warning_not_all_checks_passed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/app.config", "<configuration />");
    let (code, out, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 0);
    assert!(!out.contains("All checks passed"), "{out}");
    assert_eq!(
        err,
        "warning: No configuration files found under the given path(s)\n"
    );
    // -q and -s leave the warning out.
    for quiet in ["-q", "-s", "--quiet", "--silent"] {
        let (code, out, err) = run(dir.path(), &["check", quiet]);
        assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""), "{quiet}");
    }
}

#[test]
fn fixes_are_counted_as_check_counted_findings() {
    let dir = tempfile::tempdir().unwrap();
    // Raising the forms time-out to 60 makes the 30-minute session shorter than the login:
    // a second fix, of a finding `check` did not report.
    let text = "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\"><forms timeout=\"5\" /></authentication>\n    <sessionState mode=\"SQLServer\" sqlConnectionString=\"Data Source=db\" timeout=\"30\" />\n  </system.web>\n</configuration>\n";
    let path = write(dir.path(), "web.config", text);
    let (code, out, _) = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(code, 1);
    assert!(out.contains("Found 1 warning (1 file checked)."), "{out}");
    let (code, out, _) = run(dir.path(), &["check", "--fix", "--color", "never"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "Fixed 1 problem.\n");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(
        fixed.contains("<forms timeout=\"60\" />")
            && fixed.contains("timeout=\"60\" />\n  </system.web>"),
        "{fixed}"
    );
}

#[test]
fn statistics_count_each_rule_as_ruff_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.config", LOW_FORMS);
    write(dir.path(), "b/web.config", LOW_FORMS);
    write(
        dir.path(),
        "c/web.config",
        "<configuration>\n  <system.web>\n    <sessionState mode=\"inproc\" />\n  </system.web>\n</configuration>\n",
    );
    let (code, out, _) = run(dir.path(), &["check", "--statistics", "--color", "never"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "2\tIIS101\t[*] forms-timeout-too-low\n1\tIIS201\t[ ] invalid-value\nFound 1 error and 2 warnings (3 files checked).\n2 problems fixable with `--fix`.\n"
    );
    let (_, out, _) = run(dir.path(), &["check", "--statistics", "-q"]);
    assert_eq!(
        out,
        "2\tIIS101\t[*] forms-timeout-too-low\n1\tIIS201\t[ ] invalid-value\n"
    );
    let (_, json) =
        json_of(iislint(dir.path()).args(["check", "--statistics", "--output-format", "json"]));
    assert_eq!(
        json,
        serde_json::json!([
            {"code": "IIS101", "name": "forms-timeout-too-low", "count": 2, "fixable": true},
            {"code": "IIS201", "name": "invalid-value", "count": 1, "fixable": false},
        ])
    );
    let (code, _, err) = run(
        dir.path(),
        &["check", "--statistics", "--output-format", "sarif"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--statistics prints text"), "{err}");
}

#[test]
fn quiet_prints_only_findings_and_silent_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.config", LOW_FORMS);
    let (code, out, _) = run(dir.path(), &["check", "-q", "--color", "never"]);
    assert_eq!(code, 1);
    assert!(out.contains("forms-timeout-too-low"), "{out}");
    assert!(!out.contains("Found"), "{out}");
    let (code, out, err) = run(dir.path(), &["check", "-s"]);
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", ""));
    // A report asked for in a file is still written.
    let (code, out, _) = run(
        dir.path(),
        &[
            "check",
            "-s",
            "--output-format",
            "json",
            "--output-file",
            "out.json",
        ],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 1);
    // --fix -s writes the fix and says nothing.
    let (code, out, err) = run(dir.path(), &["check", "--fix", "-s"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

// ---------------------------------------------------------------------------------------------
// 6. Fixes to what exists

#[test]
fn help_is_wrapped_at_word_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    for columns in ["60", "100"] {
        let out = iislint(dir.path())
            .args(["check", "--help"])
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let width: usize = columns.parse().unwrap();
        for line in help.lines() {
            assert!(line.chars().count() <= width, "{columns}: {line:?}");
        }
        // Every long sentence is still whole once line breaks are taken for spaces.
        let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for sentence in [
            "Judge the deployed configuration of this environment (`Web.NAME.config` beside each web.config); repeatable; `none` for the file as written. Default: every transform but Debug",
            "Run only these rules, replacing the configuration's selection: comma-separated rule names, codes (IIS101), code prefixes (IIS1), groups (session, correctness, security, hardening) or ALL",
        ] {
            assert!(words.contains(sentence), "{columns}: {help}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. ruff's habits: the nearest iislint.toml, --config, --show-files, --show-settings,
// --force-exclude

/// `path:line:col rule` of each finding.
fn found(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let (code, json) = json_of(
        iislint(dir)
            .args(["check", "--output-format", "json"])
            .args(args),
    );
    (code, findings(&json))
}

#[test]
fn each_file_takes_the_nearest_iislint_toml() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "iislint.toml",
        "[rules]\nforms-timeout-too-low = \"off\"\n",
    );
    write(root, "shop/web.config", LOW_FORMS);
    // A nested file wins whole for the files below it (no inheritance): the rule is back on,
    // and its `exclude` is relative to its own folder.
    write(root, "api/iislint.toml", "exclude = [\"legacy/**\"]\n");
    write(root, "api/web.config", LOW_FORMS);
    write(root, "api/legacy/web.config", LOW_FORMS);
    let (code, findings) = found(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings, ["api/web.config:4:14 forms-timeout-too-low"]);
    // The same from a sub-folder, and from outside the tree: the current directory's iislint.toml
    // no longer decides.
    let (_, from_shop) = found(&root.join("shop"), &[".", "../api"]);
    assert_eq!(from_shop, ["../api/web.config:4:14 forms-timeout-too-low"]);
    let elsewhere = tempfile::tempdir().unwrap();
    write(
        elsewhere.path(),
        "iislint.toml",
        "[rules]\nforms-timeout-too-low = \"error\"\n",
    );
    let shop = root.join("shop").to_string_lossy().into_owned();
    assert_eq!(found(elsewhere.path(), &[&shop]), (0, vec![]));
    // A file named on the command line takes its own nearest file too.
    let (_, named) = found(root, &["shop/web.config", "api/legacy/web.config"]);
    assert_eq!(named, ["api/legacy/web.config:4:14 forms-timeout-too-low"]);

    // --config names one file for every file.
    write(
        root,
        "strict.toml",
        "[rules.forms-timeout-too-low]\nlevel = \"error\"\n",
    );
    let (code, json) = json_of(iislint(root).args([
        "check",
        "--output-format",
        "json",
        "--config",
        "strict.toml",
    ]));
    assert_eq!(code, 1);
    let severities: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["error", "error", "error"], "{json}");

    // A mistake in any of them stops the run.
    write(root, "api/iislint.toml", "exclude = 3\n");
    let (code, _, err) = run(root, &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("api/iislint.toml:1:11: expected a list of strings"),
        "{err}"
    );
}

#[test]
fn show_files_lists_what_would_be_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "iislint.toml", "exclude = [\"legacy/**\"]\n");
    write(root, "b/web.config", LOW_FORMS);
    write(root, "a/applicationHost.config", "<configuration />");
    write(root, "legacy/web.config", LOW_FORMS);
    write(root, "a/Web.Release.config", "<configuration />");
    let (code, out, _) = run(root, &["check", "--show-files"]);
    assert_eq!(code, 0);
    assert_eq!(out, "a/applicationHost.config\nb/web.config\n");
    // A file named on the command line is always checked, unless --force-exclude.
    let (_, out, _) = run(root, &["check", "--show-files", "legacy/web.config"]);
    assert_eq!(out, "legacy/web.config\n");
    let (code, out, _) = run(
        root,
        &[
            "check",
            "--show-files",
            "--force-exclude",
            "legacy/web.config",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, _, err) = run(root, &["check", "--force-exclude", "legacy/web.config"]);
    assert_eq!(code, 0);
    assert!(err.contains("No configuration files found"), "{err}");
}

#[test]
fn show_settings_prints_the_resolved_settings_masked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site/iislint.toml",
        "farm = true\nexclude = [\"old/**\"]\nignore = [\"IIS104\"]\n[rules.forms-timeout-too-low]\nlevel = \"error\"\nmin-minutes = 30\n[per-file-ignores]\n\"tools/**\" = [\"session\"]\n[fix]\nsession-store = \"sqlserver\"\nsql-connection-string = \"Server=sql;User Id=sa;Password=t0ml-secret\"\n",
    );
    write(root, "site/web.config", LOW_FORMS);
    let (code, out, _) = run(root, &["check", "--show-settings", "--select", "session"]);
    assert_eq!(code, 0, "{out}");
    for line in [
        "# Resolved settings for: site/web.config",
        "# Settings path: site/iislint.toml",
        "farm = true",
        "exclude = [\"old/**\"]",
        "ignore = [\"forms-sliding-expiration-disabled\"]",
        "# --select [\"session\"]",
        "forms-timeout-too-low = \"error\"  # IIS101",
        "# forms-timeout-too-low.min-minutes = 30",
        "\"tools/**\" = [\"session\"]",
        "session-store = \"sqlserver\"",
    ] {
        assert!(out.lines().any(|l| l == line), "{line}:\n{out}");
    }
    // --select session: no other group's rule runs, and the file's `ignore` is replaced with
    // the rest of its selection (the documented precedence).
    assert!(!out.contains("invalid-value ="), "{out}");
    assert!(
        out.contains("forms-sliding-expiration-disabled = \"warning\""),
        "{out}"
    );
    let (_, out, _) = run(root, &["check", "--show-settings"]);
    assert!(
        !out.contains("forms-sliding-expiration-disabled ="),
        "{out}"
    );
    assert!(out.contains("invalid-value = \"error\""), "{out}");
    assert!(!out.contains("t0ml-secret"), "{out}");
    assert!(out.contains("Password=*"), "{out}");
    // Nothing to show: exit 2.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(run(empty.path(), &["check", "--show-settings"]).0, 2);
}

/// git in `dir`, with the built binary first on PATH (for the hook) and no global configuration.
#[cfg(unix)]
fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_iislint"))
        .parent()
        .unwrap()
        .to_owned();
    let mut paths = vec![bin_dir];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("PATH", std::env::join_paths(paths).unwrap())
        .output()
        .unwrap()
}

/// The hook passes --force-exclude and takes the staged iislint.toml files, nested ones too: a
/// commit is judged as a run over the repository judges it.
#[cfg(unix)]
#[test]
fn the_hook_applies_exclude_and_nested_configuration_files() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    assert!(git(repo, &["init", "-q"]).status.success());
    git(repo, &["config", "user.email", "test@example.com"]);
    git(repo, &["config", "user.name", "test"]);
    git(repo, &["config", "commit.gpgsign", "false"]);
    iislint(repo).args(["hook", "install"]).assert().success();
    let hook = std::fs::read_to_string(repo.join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("check --force-exclude -- $files"), "{hook}");

    write(repo, "iislint.toml", "exclude = [\"legacy/**\"]\n");
    write(repo, "legacy/web.config", LOW_FORMS);
    write(
        repo,
        "api/iislint.toml",
        "[rules]\nforms-timeout-too-low = \"off\"\n",
    );
    write(repo, "api/web.config", LOW_FORMS);
    git(repo, &["add", "."]);
    let commit = git(repo, &["commit", "-q", "-m", "excluded and configured"]);
    assert!(
        commit.status.success(),
        "{}{}",
        String::from_utf8_lossy(&commit.stdout),
        String::from_utf8_lossy(&commit.stderr)
    );
    // `iislint check` over the repository agrees.
    assert_eq!(run(repo, &["check"]).0, 0);
    // Another file is checked as usual.
    write(repo, "shop/web.config", LOW_FORMS);
    git(repo, &["add", "."]);
    assert!(!git(repo, &["commit", "-q", "-m", "bad"]).status.success());
}

// ---------------------------------------------------------------------------------------------
// 3. Reading from stdin

/// Runs the binary in `dir` with `input` on standard input.
fn run_stdin(dir: &Path, args: &[&str], input: &str) -> (i32, String, String) {
    let out = iislint(dir).args(args).write_stdin(input).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A site on disk around the file that comes from stdin: its iislint.toml, a `configSource`
/// file, and a transform.
fn site_around_stdin() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site/iislint.toml",
        "[rules.forms-timeout-too-low]\nlevel = \"error\"\n",
    );
    write(
        root,
        "site/session.config",
        "<sessionState mode=\"SQLServer\" sqlConnectionString=\"Data Source=db\" timeout=\"5\" />\n",
    );
    write(
        root,
        "site/Web.Release.config",
        "<configuration xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\">\n  <system.web>\n    <compilation xdt:Transform=\"RemoveAttributes(debug)\" />\n  </system.web>\n</configuration>\n",
    );
    dir
}

const STDIN_TEXT: &str = "<configuration>\n  <system.web>\n    <compilation debug=\"true\" />\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n    <sessionState configSource=\"session.config\" />\n  </system.web>\n</configuration>\n";

#[test]
fn stdin_is_checked_as_the_file_it_names() {
    let dir = site_around_stdin();
    let root = dir.path();
    let (code, json) = json_of(
        iislint(root)
            .args([
                "check",
                "--output-format",
                "json",
                "--stdin-filename",
                "site/web.config",
                "-",
            ])
            .write_stdin(STDIN_TEXT),
    );
    assert_eq!(code, 1, "{json}");
    // The nearest iislint.toml (the rule at error), the configSource file (its own finding),
    // and the Release transform (debug removed when deployed: no debug-compilation finding).
    assert_eq!(
        findings(&json),
        [
            "site/web.config:5:14 forms-timeout-too-low",
            "site/session.config:1:69 session-timeout-too-low"
        ]
    );
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    assert_eq!(json["diagnostics"][0]["environments"][0], "Release");
    assert!(!root.join("site/web.config").exists());

    // Without the transform, the debug attribute is judged as written.
    std::fs::remove_file(root.join("site/Web.Release.config")).unwrap();
    let (_, out, _) = run_stdin(
        root,
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "site/web.config",
        ],
        STDIN_TEXT,
    );
    assert!(
        out.contains("site/web.config:3:18: debug-compilation"),
        "{out}"
    );

    // `-` needs a name; a name takes no other path.
    assert_eq!(run_stdin(root, &["check", "-"], STDIN_TEXT).0, 2);
    assert_eq!(
        run_stdin(
            root,
            &["check", "--stdin-filename", "site/web.config", "other"],
            STDIN_TEXT
        )
        .0,
        2
    );
}

#[test]
fn stdin_fix_prints_the_fixed_text_and_writes_nothing() {
    let dir = site_around_stdin();
    let root = dir.path();
    let session = std::fs::read_to_string(root.join("site/session.config")).unwrap();
    let on_disk = STDIN_TEXT.replace("timeout=\"5\"", "timeout=\"9\"");
    write(root, "site/web.config", &on_disk);
    let crlf = STDIN_TEXT.replace('\n', "\r\n");
    let (code, out, err) = run_stdin(
        root,
        &["check", "--fix", "--stdin-filename", "site/web.config", "-"],
        &crlf,
    );
    // The forms fix applies to the text from stdin (line endings kept); the session fix would
    // edit session.config, which is not written, so that finding remains (exit 1).
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        crlf.replace("<forms timeout=\"5\" />", "<forms timeout=\"60\" />")
    );
    assert!(err.contains("Fixed 1 problem."), "{err}");
    assert!(err.contains("session-timeout-too-low"), "{err}");
    // The same as JSON: the fixed text on stdout, the report (written as it is made) on stderr.
    let (code, out, err) = run_stdin(
        root,
        &[
            "check",
            "--fix",
            "--format",
            "json",
            "--stdin-filename",
            "site/web.config",
            "-",
        ],
        &crlf,
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        crlf.replace("<forms timeout=\"5\" />", "<forms timeout=\"60\" />")
    );
    let report: serde_json::Value = serde_json::from_str(&err).unwrap();
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"session-timeout-too-low"), "{err}");
    assert!(!rules.contains(&"forms-timeout-too-low"), "{err}");
    assert_eq!(
        std::fs::read_to_string(root.join("site/session.config")).unwrap(),
        session
    );
    assert_eq!(
        std::fs::read_to_string(root.join("site/web.config")).unwrap(),
        on_disk
    );

    // --diff: the diff of the text from stdin only.
    let (code, out, _) = run_stdin(
        root,
        &["check", "--diff", "--stdin-filename", "site/web.config"],
        STDIN_TEXT,
    );
    assert_eq!(code, 1);
    assert!(
        out.starts_with("--- a/site/web.config\n+++ b/site/web.config\n"),
        "{out}"
    );
    assert_eq!(out.matches("--- a/").count(), 1, "{out}");
    assert!(out.contains("+      <forms timeout=\"60\" />"), "{out}");

    // Text that cannot be checked comes back unchanged, with the error on stderr.
    let (code, out, err) = run_stdin(
        root,
        &["check", "--fix", "--stdin-filename", "site/web.config"],
        "<configuration>\n  <system.web>\n",
    );
    assert_eq!(code, 2);
    assert_eq!(out, "<configuration>\n  <system.web>\n");
    assert!(err.contains("site/web.config:3:1"), "{err}");

    // Excluded with --force-exclude: nothing is checked, and the text comes back as it was.
    write(root, "site/iislint.toml", "exclude = [\"web.config\"]\n");
    let (code, out, _) = run_stdin(
        root,
        &[
            "check",
            "--fix",
            "--force-exclude",
            "--stdin-filename",
            "site/web.config",
        ],
        STDIN_TEXT,
    );
    assert_eq!((code, out.as_str()), (0, STDIN_TEXT));
}

// ---------------------------------------------------------------------------------------------
// 6. Suppressions of rules inactive in this run

const RELEASE_RAISES_SESSION: &str = "<configuration xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\">\n  <system.web>\n    <sessionState timeout=\"60\" xdt:Transform=\"SetAttributes(timeout)\" />\n  </system.web>\n</configuration>\n";
const EMPTY_TRANSFORM: &str = "<configuration xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\">\n</configuration>\n";

#[test]
fn a_farm_rule_suppression_without_farm_is_not_unused() {
    let dir = tempfile::tempdir().unwrap();
    let text = "<configuration>\n  <!-- iislint: ignore-file machine-key-missing-on-farm - keys come from machine.config -->\n  <system.web>\n    <sessionState mode=\"SQLServer\" sqlConnectionString=\"Data Source=db\" timeout=\"60\" />\n  </system.web>\n</configuration>\n";
    let path = write(dir.path(), "web.config", text);
    assert_eq!(found(dir.path(), &[]), (0, vec![]));
    // Neither reported nor removed by a fix.
    assert_eq!(run(dir.path(), &["check", "--fix"]).0, 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // On a farm the rule runs, and the suppression silences its finding: used.
    let (code, json) = json_of(iislint(dir.path()).args([
        "check",
        "--farm",
        "--output-format",
        "json",
        "--show-suppressed",
    ]));
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        json["diagnostics"][0]["rule"],
        "machine-key-missing-on-farm"
    );
    assert!(json["diagnostics"][0]["suppressed"].is_object());
    // A suppression of a farm rule that silences nothing on a farm is unused.
    write(
        dir.path(),
        "web.config",
        text.replace(
            "timeout=\"60\" />",
            "timeout=\"60\" />\n    <machineKey validationKey=\"AutoGenerate\" decryptionKey=\"AutoGenerate\" />",
        )
        .replace("AutoGenerate\"", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\""),
    );
    let (code, findings) = found(dir.path(), &["--farm"]);
    assert_eq!(code, 1);
    assert_eq!(findings, ["web.config:2:3 unused-suppression"]);
}

#[test]
fn a_suppression_used_in_another_environment_is_not_unused() {
    let dir = tempfile::tempdir().unwrap();
    // Release raises the session time-out; Staging leaves it at 5, where the suppression works.
    let text = "<configuration>\n  <system.web>\n    <!-- iislint: ignore session-timeout-too-low - kiosk -->\n    <sessionState timeout=\"5\" />\n  </system.web>\n</configuration>\n";
    let path = write(dir.path(), "web.config", text);
    write(dir.path(), "Web.Release.config", RELEASE_RAISES_SESSION);
    write(dir.path(), "Web.Staging.config", EMPTY_TRANSFORM);
    assert_eq!(found(dir.path(), &[]), (0, vec![]));
    // Staging not judged in this run: the suppression may be used there.
    assert_eq!(
        found(dir.path(), &["--environment", "Release"]),
        (0, vec![])
    );
    // Fixing never removes it (nor then fixes the Staging finding it silences).
    for args in [
        &["check", "--fix"][..],
        &["check", "--fix", "--environment", "Release"],
    ] {
        assert_eq!(run(dir.path(), args).0, 0, "{args:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{args:?}");
    }
    let (code, out, _) = run(dir.path(), &["check", "--diff"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // Judged by the configuration's `environments` alone, Staging is no longer a view of the
    // file: the suppression is unused in every view judged, and a fix removes it.
    write(dir.path(), "iislint.toml", "environments = [\"Release\"]\n");
    let (code, findings) = found(dir.path(), &[]);
    assert_eq!(
        (code, findings),
        (1, vec!["web.config:3:5 unused-suppression".to_owned()])
    );
}

#[test]
fn a_suppression_unused_in_every_environment_is_reported_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "<configuration>\r\n  <system.web>\r\n    <!-- iislint: ignore forms-timeout-too-low -->\r\n    <authentication mode=\"Forms\"><forms timeout=\"60\" /></authentication>\r\n  </system.web>\r\n</configuration>\r\n";
    let path = write(dir.path(), "web.config", text);
    write(dir.path(), "Web.Release.config", EMPTY_TRANSFORM);
    write(dir.path(), "Web.Staging.config", EMPTY_TRANSFORM);
    let (code, json) = json_of(iislint(dir.path()).args(["check", "--output-format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(findings(&json), ["web.config:3:5 unused-suppression"]);
    assert_eq!(
        json["diagnostics"][0]["environments"],
        serde_json::json!(["Release", "Staging"])
    );
    let (code, out, _) = run(dir.path(), &["check", "--fix", "--color", "never"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "Fixed 1 problem.\n");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text.replace("    <!-- iislint: ignore forms-timeout-too-low -->\r\n", "")
    );
}

// ---------------------------------------------------------------------------------------------
// The CI examples: docs/ci/*.yml, shown in the README, read as YAML and their commands run

/// The `iislint …` command lines of `steps` (the value of `key`: `run` or `script`), split.
fn iislint_commands(steps: &serde_yaml::Value, key: &str) -> Vec<Vec<String>> {
    steps
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|step| step.get(key)?.as_str())
        .filter_map(|command| command.trim().strip_prefix("iislint "))
        .map(|args| args.split_whitespace().map(str::to_owned).collect())
        .collect()
}

/// Runs each command in a tree with one finding; returns the exit codes.
fn run_commands(dir: &Path, commands: &[Vec<String>]) -> Vec<i32> {
    commands
        .iter()
        .map(|args| {
            iislint(dir)
                .args(args)
                .output()
                .unwrap()
                .status
                .code()
                .unwrap_or(-1)
        })
        .collect()
}

fn assert_sarif_file(path: &Path) {
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "iislint");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "forms-timeout-too-low"
    );
}

#[test]
fn the_ci_examples_parse_and_their_commands_run() {
    let readme = repo_file("README.md");

    // GitHub Actions: SARIF uploaded to code scanning, then annotations.
    let text = repo_file("docs/ci/github-actions.yml");
    assert!(
        readme.contains(&text),
        "the README shows docs/ci/github-actions.yml as it is"
    );
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(workflow["permissions"]["security-events"], "write");
    let steps = &workflow["jobs"]["iislint"]["steps"];
    let commands = iislint_commands(steps, "run");
    assert_eq!(commands.len(), 2, "{commands:?}");
    let sarif = &commands[0];
    assert_eq!(&sarif[..3], ["check", "--output-format", "sarif"]);
    let output = &sarif[sarif.iter().position(|a| a == "--output-file").unwrap() + 1];
    let upload =
        step_using(steps, "github/codeql-action/upload-sarif@").expect("an upload-sarif step");
    assert_eq!(upload["with"]["sarif_file"].as_str(), Some(output.as_str()));
    assert_eq!(upload["if"], "${{ !cancelled() }}");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/web.config", LOW_FORMS);
    assert_eq!(run_commands(dir.path(), &commands), [1, 1]);
    assert_sarif_file(&dir.path().join(output));

    // Azure Pipelines: logging commands, and the SARIF log published as CodeAnalysisLogs.
    let text = repo_file("docs/ci/azure-pipelines.yml");
    assert!(
        readme.contains(&text),
        "the README shows docs/ci/azure-pipelines.yml as it is"
    );
    let pipeline: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let steps = &pipeline["steps"];
    let commands = iislint_commands(steps, "script");
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert_eq!(&commands[0][..3], ["check", "--output-format", "azure"]);
    let sarif = &commands[1];
    assert_eq!(&sarif[..3], ["check", "--output-format", "sarif"]);
    let output = &sarif[sarif.iter().position(|a| a == "--output-file").unwrap() + 1];
    let publish = steps
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["task"] == "PublishBuildArtifacts@1")
        .expect("a publish step");
    assert_eq!(
        publish["inputs"]["PathtoPublish"].as_str(),
        Some(output.as_str())
    );
    assert_eq!(publish["inputs"]["ArtifactName"], "CodeAnalysisLogs");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site/web.config", LOW_FORMS);
    // The azure step fails the run on findings; the SARIF step (--exit-zero) never does.
    assert_eq!(run_commands(dir.path(), &commands), [1, 0]);
    assert_sarif_file(&dir.path().join(output));
}
