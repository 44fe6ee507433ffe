//! Issue 13, item 2: the VS Code extension (editors/vscode) and the README's Editors section, read
//! as files. The extension's own unit tests run with node (scripts/vscode-package.sh); these
//! check what ties it to the rest of the repository.

use serde_json::Value;

mod support;
use support::{fenced_blocks, iislint, markdown_section, repo_file, stdout_of, write};

fn manifest() -> Value {
    serde_json::from_str(&repo_file("editors/vscode/package.json")).unwrap()
}

/// The README's `## Editors` section, up to the next `## ` heading.
fn editors_section() -> String {
    markdown_section(&repo_file("README.md"), "Editors\n")
}

#[test]
fn the_manifest_starts_the_compiled_extension_with_its_settings() {
    let manifest = manifest();
    assert_eq!(manifest["name"], "iislint");
    assert_eq!(manifest["main"], "./out/extension.js");
    assert!(
        manifest["dependencies"]["vscode-languageclient"].is_string(),
        "vscode-languageclient is a runtime dependency, packed into the .vsix"
    );
    let properties = &manifest["contributes"]["configuration"]["properties"];
    assert_eq!(properties["iislint.path"]["default"], "iislint");
    assert_eq!(properties["iislint.args"]["type"], "array");
    assert_eq!(
        properties["iislint.trace.server"]["enum"],
        serde_json::json!(["off", "messages", "verbose"])
    );
    let commands = manifest["contributes"]["commands"].as_array().unwrap();
    assert!(commands.iter().any(|c| c["command"] == "iislint.restart"));
    // vsce refuses a package whose @types/vscode is newer than the VS Code it declares.
    let engine = manifest["engines"]["vscode"].as_str().unwrap();
    let types = manifest["devDependencies"]["@types/vscode"]
        .as_str()
        .unwrap();
    assert_eq!(engine.trim_start_matches('^'), types);
}

#[test]
fn the_extension_selects_the_files_the_pre_commit_hooks_select() {
    let selector = repo_file("editors/vscode/src/selector.ts");
    let marker = selector
        .find("iislint-file-regex:")
        .expect("selector.ts marks its regex");
    let after = &selector[marker..];
    let start = after
        .find("String.raw`")
        .expect("the regex is a String.raw literal")
        + 11;
    let end = start + after[start..].find('`').unwrap();
    let extension_regex = &after[start..end];
    assert!(
        after[end..].starts_with("`, 'i')"),
        "the extension's regex ignores case, as the hooks' (?i) does"
    );

    let hooks: Vec<serde_yaml::Value> =
        serde_yaml::from_str(&repo_file(".pre-commit-hooks.yaml")).unwrap();
    assert!(!hooks.is_empty());
    for hook in &hooks {
        let files = hook["files"].as_str().unwrap();
        assert_eq!(files.strip_prefix("(?i)"), Some(extension_regex), "{files}");
    }
}

#[test]
fn the_readme_installs_the_vsix_the_script_writes() {
    let version = manifest()["version"].as_str().unwrap().to_string();
    let section = editors_section();
    assert!(section.contains("scripts/vscode-package.sh"));
    assert!(
        section.contains(&format!(
            "code --install-extension target/vscode/iislint-{version}.vsix"
        )),
        "the README names the .vsix of version {version}"
    );
    let script = repo_file("scripts/vscode-package.sh");
    assert!(script.contains(r#"out_dir="${1:-$repo/target/vscode}""#));
    assert!(script.contains(r#"vsix="$out_dir/iislint-$version.vsix""#));
    assert!(repo_file(".ci/run").contains("scripts/vscode-package.sh"));
}

#[test]
fn the_readme_client_examples_start_the_server() {
    let section = editors_section();
    let helix = fenced_blocks(&section, "toml");
    assert_eq!(helix.len(), 1, "one Helix example");
    let helix: toml::Value = toml::from_str(&helix[0]).unwrap();
    let server = &helix["language-server"]["iislint"];
    assert_eq!(server["command"].as_str(), Some("iislint"));
    assert_eq!(server["args"].as_array().unwrap().len(), 1);
    assert_eq!(server["args"][0].as_str(), Some("server"));
    assert_eq!(
        helix["language"][0]["language-servers"][0].as_str(),
        Some("iislint")
    );

    let neovim = fenced_blocks(&section, "lua");
    assert_eq!(neovim.len(), 1, "one Neovim example");
    assert!(neovim[0].contains("cmd = { 'iislint', 'server' }"));
    assert!(neovim[0].contains("vim.lsp.enable('iislint')"));
}

#[test]
fn the_readme_msbuild_target_runs_and_prints_canonical_lines() {
    let section = editors_section();
    let targets = fenced_blocks(&section, "xml");
    assert_eq!(targets.len(), 1, "one MSBuild example");
    let document = roxmltree_published::Document::parse(&targets[0]).unwrap();
    let exec = document
        .descendants()
        .find(|node| node.has_tag_name("Exec"))
        .unwrap();
    let command = exec.attribute("Command").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("Shop");
    write(
        &project,
        "web.config",
        "<configuration>\n  <system.web>\n    <authentication mode=\"Forms\">\n      <forms timeout=\"5\" />\n    </authentication>\n  </system.web>\n</configuration>\n",
    );
    // MSBuild substitutes the property; Exec hands the rest to the shell, which strips the quotes.
    let command = command.replace("$(MSBuildProjectDirectory)", &project.to_string_lossy());
    let mut words = command.split(" \"");
    let program_and_options: Vec<&str> = words.next().unwrap().split(' ').collect();
    let quoted_path = words.next().unwrap().trim_end_matches('"');
    assert_eq!(program_and_options[0], "iislint");
    let (code, out) = stdout_of(
        iislint(dir.path())
            .args(&program_and_options[1..])
            .arg(quoted_path),
    );
    assert_eq!(code, 1, "a warning fails the build: {out}");
    let line = out.lines().next().unwrap();
    assert!(
        line.contains("web.config(4,14): warning IIS101: "),
        "canonical error format: {line}"
    );
}
