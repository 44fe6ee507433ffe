//! Issue 13, items 3 to 6, end to end through the binary: reading from stdin, the output formats
//! editors and CI read (each checked against its consumer's documented syntax), ruff's habits
//! (`--output-format`, `--exit-zero`, `--statistics`, `-q`, `-s`, `--show-files`,
//! `--show-settings`, `--force-exclude`, the nearest iislint.toml), and the fixes to what existed
//! (suppressions of inactive rules, the summary, `--help`).

use std::path::Path;

use serde_json::Value;

mod support;
use support::{iislint, json_of, stdout_of, write};

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
        LOW_FORMS.replace("<configuration>\n", "<configuration>\n  <!-- a -->\n\n  <appSettings />\n"),
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
