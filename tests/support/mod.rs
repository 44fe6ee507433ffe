//! Helpers shared by the end-to-end tests that run the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The binary under test, run in `dir`, with no colour or config environment leaking in.
pub fn iislint(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iislint"));
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("IISLINT_CONFIG");
    cmd
}

/// Writes `content` to `dir/relative`, creating folders.
pub fn write(dir: &Path, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// Exit code and standard output.
pub fn stdout_of(cmd: &mut Command) -> (i32, String) {
    let output = cmd.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// Exit code and standard output parsed as JSON.
pub fn json_of(cmd: &mut Command) -> (i32, Value) {
    let (code, stdout) = stdout_of(cmd);
    let json =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    (code, json)
}

/// `path:line:col rule` for every diagnostic of a JSON report.
pub fn findings(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            format!(
                "{path}:{}:{} {}",
                d["line"],
                d["column"],
                d["rule"].as_str().unwrap()
            )
        })
        .collect()
}

/// The fenced blocks of a Markdown file with the given info string.
pub fn fenced_blocks(markdown: &str, info: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{info}") => current = Some(String::new()),
            Some(block) if line.trim_start() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// The part of `markdown` under the `## ` heading that starts with `heading`, up to the next
/// `## ` heading.
pub fn markdown_section(markdown: &str, heading: &str) -> String {
    let start = markdown
        .find(&format!("\n## {heading}"))
        .unwrap_or_else(|| panic!("no `## {heading}` section"));
    let rest = &markdown[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |at| at + 3);
    rest[..end].to_owned()
}

/// The step of a workflow job's `steps` that uses the action `action` (`owner/name@`, any
/// version).
pub fn step_using<'a>(steps: &'a serde_yaml::Value, action: &str) -> Option<&'a serde_yaml::Value> {
    steps.as_sequence()?.iter().find(|step| {
        step["uses"]
            .as_str()
            .is_some_and(|uses| uses.starts_with(action))
    })
}

/// A file of this repository, read whole.
pub fn repo_file(relative: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
}
