//! Issue 14's packaging, read as the tools read it: the release workflow (as GitHub Actions reads
//! its YAML), the Python package (pyproject.toml) and the pre-commit hooks that install the wheel.
//! Building and installing them is proven by scripts/wheels.sh, scripts/wheel-check.sh,
//! scripts/pre-commit-check.sh and scripts/windows-check.sh, which `.ci/run` runs.

mod support;

use serde_yaml::Value;
use support::{repo_file, step_using};

fn yaml(relative: &str) -> Value {
    serde_yaml::from_str(&repo_file(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn release() -> Value {
    yaml(".github/workflows/release.yml")
}

fn job<'a>(workflow: &'a Value, name: &str) -> &'a Value {
    let job = &workflow["jobs"][name];
    assert!(job.is_mapping(), "the release workflow has no job `{name}`");
    job
}

/// The `target`s of a job's matrix.
fn targets(job: &Value) -> Vec<String> {
    job["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a matrix with `include`")
        .iter()
        .map(|entry| entry["target"].as_str().expect("a target").to_owned())
        .collect()
}

/// Every `run:` script and `uses:` action of a job, in order.
fn steps(job: &Value) -> Vec<(String, String)> {
    job["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .map(|step| {
            let text = |key: &str| step[key].as_str().unwrap_or_default().to_owned();
            (text("uses"), text("run"))
        })
        .collect()
}

fn cargo_version() -> String {
    let manifest: toml::Table = repo_file("Cargo.toml").parse().unwrap();
    manifest["package"]["version"].as_str().unwrap().to_owned()
}

#[test]
fn releases_run_on_version_tags_only() {
    let workflow = release();
    // YAML 1.1 reads a bare `on` as true: serde_yaml keeps it a string, as GitHub does.
    let on = &workflow["on"];
    let tags: Vec<&str> = on["push"]["tags"]
        .as_sequence()
        .expect("on.push.tags")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(tags, ["v*"]);
    assert!(on["push"]["branches"].is_null() && on["pull_request"].is_null());
    // The tag must name Cargo.toml's version, or the release would ship another one.
    let binaries = job(&workflow, "binaries");
    assert!(
        steps(binaries)
            .iter()
            .any(|(_, run)| run.contains("GITHUB_REF_NAME") && run.contains("Cargo.toml")),
        "no step compares the tag with Cargo.toml's version"
    );
}

#[test]
fn binaries_are_built_for_windows_linux_and_macos() {
    let workflow = release();
    let binaries = job(&workflow, "binaries");
    assert_eq!(
        targets(binaries),
        [
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-musl",
            "aarch64-apple-darwin"
        ]
    );
    let include = binaries["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap();
    for entry in include {
        let (target, os, archive) = (
            entry["target"].as_str().unwrap(),
            entry["os"].as_str().unwrap(),
            entry["archive"].as_str().unwrap(),
        );
        // Each target on a runner of its own system (no cross-compiling on the release path).
        let expected_os = match target {
            t if t.contains("windows") => "windows",
            t if t.contains("linux") => "ubuntu",
            _ => "macos",
        };
        assert!(os.starts_with(expected_os), "{target} runs on {os}");
        assert_eq!(
            archive,
            if os.starts_with("windows") {
                "zip"
            } else {
                "tar.gz"
            }
        );
    }
    let steps = steps(binaries);
    // The profile-guided build: the script builds twice, locked, with the release profile, for
    // the job's target.
    let build = steps
        .iter()
        .find(|(_, run)| run.contains("scripts/pgo-build.sh"))
        .expect("a build step running scripts/pgo-build.sh");
    assert!(
        build.1.contains("--target ${{ matrix.target }}"),
        "{}",
        build.1
    );
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pgo-build.sh"),
    )
    .expect("scripts/pgo-build.sh");
    let cargo_builds: Vec<&str> = script
        .lines()
        .filter(|line| line.contains("cargo build"))
        .collect();
    assert_eq!(cargo_builds.len(), 2, "{cargo_builds:?}");
    for line in cargo_builds {
        assert!(
            line.contains("--locked")
                && line.contains("--profile \"$profile\"")
                && line.contains("target_args"),
            "{line}"
        );
    }
    assert!(script.contains("profile=release") && script.contains("-Cprofile-use="));
    // The profile is learnt from the fixtures and generated files, never from the corpus that
    // scripts/bench.sh copies into its tree: a profile of the benchmark's own files would flatter it.
    let code_lines: Vec<&str> = script
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect();
    assert!(
        !code_lines.iter().any(|line| line.contains("corpus")),
        "the training reads the corpus"
    );
    assert!(
        code_lines
            .iter()
            .any(|line| line.contains("train check") && line.contains("fixtures"))
            && code_lines
                .iter()
                .any(|line| line.contains("generate-configs.py"))
    );
    assert!(
        steps.iter().any(|(_, run)| run.contains("musl-tools")),
        "the musl target needs musl-tools"
    );
    assert!(
        steps.iter().any(|(_, run)| run.contains("sha256")),
        "no checksum step"
    );
    assert!(
        steps
            .iter()
            .any(|(uses, _)| uses.starts_with("actions/upload-artifact@"))
    );
}

#[test]
fn wheels_are_built_for_the_same_platforms_with_maturin() {
    let workflow = release();
    let wheels = job(&workflow, "wheels");
    assert_eq!(
        targets(wheels),
        [
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-gnu",
            "aarch64-apple-darwin"
        ]
    );
    let steps = steps(wheels);
    let maturin = steps
        .iter()
        .position(|(uses, _)| uses.starts_with("PyO3/maturin-action@"))
        .expect("a maturin-action step");
    let args = wheels["steps"][maturin]["with"]["args"].as_str().unwrap();
    assert!(args.contains("--release"), "{args}");
    assert!(
        steps[maturin..]
            .iter()
            .any(|(_, run)| run.contains("pip install") && run.contains("iislint\" --version")),
        "the wheel is not installed and run after it is built"
    );
    assert!(steps.iter().any(|(_, run)| run.contains("sha256")));
    job(&workflow, "sdist");
}

#[test]
fn the_release_attaches_everything_with_checksums() {
    let workflow = release();
    let release = job(&workflow, "release");
    let needs: Vec<&str> = release["needs"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(needs, ["binaries", "wheels", "sdist"]);
    assert_eq!(release["permissions"]["contents"].as_str(), Some("write"));
    let steps = steps(release);
    assert!(
        steps
            .iter()
            .any(|(_, run)| run.contains("SHA256SUMS") && run.contains("--check"))
    );
    let publish = step_using(&release["steps"], "softprops/action-gh-release@")
        .expect("a step that makes the GitHub release");
    assert_eq!(publish["with"]["files"].as_str(), Some("dist/*"));
    // Publishing to PyPI and the pre-commit mirror is opt-in.
    for optional in ["pypi", "pre-commit-mirror"] {
        let condition = job(&workflow, optional)["if"].as_str().unwrap_or_default();
        assert!(
            condition.starts_with("vars."),
            "{optional}: if: {condition}"
        );
    }
}

#[test]
fn the_python_package_is_the_binary_built_by_maturin() {
    let pyproject: toml::Table = repo_file("pyproject.toml").parse().unwrap();
    assert_eq!(
        pyproject["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
    assert_eq!(
        pyproject["tool"]["maturin"]["bindings"].as_str(),
        Some("bin")
    );
    assert_eq!(pyproject["project"]["name"].as_str(), Some("iislint"));
    // The version is Cargo.toml's, so a tag names both.
    let dynamic = pyproject["project"]["dynamic"].as_array().unwrap();
    assert!(dynamic.iter().any(|d| d.as_str() == Some("version")));
}

#[test]
fn the_python_hooks_match_the_rust_hooks_and_pin_this_version() {
    let rust = yaml(".pre-commit-hooks.yaml");
    let python = yaml("pre-commit-mirror/.pre-commit-hooks.yaml");
    let (rust, python) = (rust.as_sequence().unwrap(), python.as_sequence().unwrap());
    assert_eq!(rust.len(), python.len());
    for (r, p) in rust.iter().zip(python) {
        assert_eq!(r["language"].as_str(), Some("rust"));
        assert_eq!(p["language"].as_str(), Some("python"));
        for key in ["id", "name", "entry", "files", "require_serial"] {
            assert_eq!(r[key], p[key], "{key} of {:?}", r["id"]);
        }
    }
    let mirror: toml::Table = repo_file("pre-commit-mirror/pyproject.toml")
        .parse()
        .unwrap();
    let dependencies = mirror["project"]["dependencies"].as_array().unwrap();
    assert_eq!(
        dependencies[0].as_str(),
        Some(format!("iislint=={}", cargo_version()).as_str()),
        "pre-commit-mirror/pyproject.toml must pin the version this commit builds"
    );
}
