//! Issue 13, items 3 to 6, end to end through the binary: reading from stdin, the output formats
//! editors and CI read (each checked against its consumer's documented syntax), ruff's habits
//! (`--output-format`, `--exit-zero`, `--statistics`, `-q`, `-s`, `--show-files`,
//! `--show-settings`, `--force-exclude`, the nearest iislint.toml), and the fixes to what existed
//! (suppressions of inactive rules, the summary, `--help`).

use std::path::Path;

mod support;
use support::{iislint, stdout_of, write};

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
