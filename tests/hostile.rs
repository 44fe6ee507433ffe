//! Hostile and huge input: each case puts one hostile file beside an ordinary bad web.config and
//! runs the real binary under a watchdog (killed and failed after `LIMIT`). Every case must end
//! with a clear per-file error (exit 2, `line:column` where one applies) or a result, and the
//! ordinary file's finding must still be reported. Inputs are generated here at run time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Counts the current thread's allocations: a measure of work that, unlike time, does not
/// depend on the machine or its load.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_allocation() {
    // `try_with`: a thread being torn down still allocates.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: CountingAllocator = CountingAllocator;

/// Generous for a debug build on a loaded 2-core machine; a release build needs well under 1 s.
const LIMIT: Duration = Duration::from_secs(60);

const BAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.web>
    <authentication mode="Forms">
      <forms loginUrl="~/login" timeout="5" />
    </authentication>
  </system.web>
</configuration>
"#;

/// A tree with `ok/web.config` (one forms-timeout-too-low finding) and an empty `a/`.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("ok")).unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("ok/web.config"), BAD).unwrap();
    dir
}

struct Outcome {
    code: i32,
    json: Value,
    stderr: String,
    elapsed: Duration,
}

/// Runs `iislint check --format json <args>` in `dir`; kills it and fails after `LIMIT`.
fn check(dir: &Path, args: &[&str]) -> Outcome {
    check_as(dir, args, &[])
}

/// [`check`], run through `wrapper` (a command and its arguments, such as `setpriv …`).
fn check_as(dir: &Path, args: &[&str], wrapper: &[&str]) -> Outcome {
    let started = Instant::now();
    let binary = env!("CARGO_BIN_EXE_iislint");
    let mut command = match wrapper {
        [] => Command::new(binary),
        [program, rest @ ..] => {
            let mut command = Command::new(program);
            command.args(rest).arg(binary);
            command
        }
    };
    let mut child = command
        .arg("check")
        .args(["--format", "json"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Drain both pipes on their own threads so a large report cannot block the child.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut out = String::new();
            let _ = pipe.read_to_string(&mut out);
            out
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("watchdog: iislint check {args:?} still running after {LIMIT:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = stdout.join().unwrap();
    let stderr = stderr.join().unwrap();
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    Outcome {
        code: status.code().unwrap_or(-1),
        json,
        stderr,
        elapsed: started.elapsed(),
    }
}

fn entries<'a>(json: &'a Value, key: &str, path_suffix: &str) -> Vec<&'a Value> {
    json[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} array in {json}"))
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.ends_with(path_suffix)))
        .collect()
}

/// The ordinary file was still checked, and nothing crashed.
fn assert_others_processed(out: &Outcome) {
    assert!(
        out.code == 1 || out.code == 2,
        "exit {} (stderr: {})",
        out.code,
        out.stderr
    );
    assert!(
        !out.stderr.contains("panicked"),
        "panic on stderr: {}",
        out.stderr
    );
    let ok = entries(&out.json, "diagnostics", "ok/web.config");
    assert!(
        ok.iter().any(|d| d["rule"] == "forms-timeout-too-low"),
        "the ordinary file's finding is missing: {}",
        out.json
    );
}

/// The hostile file's error: exit 2, a message containing `needle`, and its position.
fn assert_file_error(out: &Outcome, file: &str, needle: &str, line: u64, column: u64) {
    assert_others_processed(out);
    assert_eq!(out.code, 2, "{}", out.json);
    let errors = entries(&out.json, "errors", file);
    let [error] = errors.as_slice() else {
        panic!("expected one error for {file}: {}", out.json);
    };
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.to_lowercase().contains(needle),
        "{file}: {message:?} lacks {needle:?}"
    );
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(line), Some(column)),
        "{}",
        out.json
    );
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn config_of_50_mb() {
    let dir = tree();
    let line =
        "    <add key=\"Key0000000\" value=\"a value &amp; some padding to make a line\" />\n";
    let lines = 50 * 1024 * 1024 / line.len() + 1;
    let mut text = String::with_capacity(lines * line.len() + 512);
    text.push_str("<?xml version=\"1.0\"?>\n<configuration>\n  <appSettings>\n");
    for _ in 0..lines {
        text.push_str(line);
    }
    text.push_str("  </appSettings>\n  <system.web>\n    <authentication mode=\"Forms\">\n");
    text.push_str("      <forms timeout=\"5\" />\n    </authentication>\n  </system.web>\n");
    text.push_str("</configuration>\n");
    assert!(text.len() >= 50 * 1024 * 1024);
    write(dir.path(), "a/web.config", &text);
    let out = check(dir.path(), &["."]);
    assert_others_processed(&out);
    // The big file is read: its finding sits past the 50 MB of settings, at the right line.
    let big = entries(&out.json, "diagnostics", "a/web.config");
    assert!(
        big.iter()
            .any(|d| d["rule"] == "forms-timeout-too-low" && d["line"] == lines as u64 + 7),
        "{}",
        out.json
    );
    eprintln!("50 MB config: {:?}", out.elapsed);
}

#[test]
fn nesting_100000_deep() {
    let dir = tree();
    let depth = 100_000;
    let text = format!(
        "<configuration>{}{}</configuration>",
        "<location path=\"x\"><system.web>".repeat(depth),
        "</system.web></location>".repeat(depth)
    );
    write(dir.path(), "a/web.config", &text);
    let out = check(dir.path(), &["--farm", "."]);
    assert_others_processed(&out);
    assert!(entries(&out.json, "errors", "a/web.config").is_empty());
    // Fixing walks the same tree.
    let out = check(
        dir.path(),
        &[
            "--fix",
            "--unsafe-fixes",
            "--farm",
            "--session-store",
            "redis",
            ".",
        ],
    );
    assert!(
        out.code <= 2 && !out.stderr.contains("panicked"),
        "{}",
        out.stderr
    );
    eprintln!("100,000-deep nesting: {:?}", out.elapsed);
}

#[test]
fn attributes_100000_on_one_element() {
    let dir = tree();
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
    let text = format!(
        "<configuration>\n  <system.web>\n    <forms{attrs} />\n  </system.web>\n</configuration>\n"
    );
    write(dir.path(), "a/web.config", &text);
    let out = check(dir.path(), &["."]);
    assert_file_error(&out, "a/web.config", "attributes", 3, 5);
    eprintln!("100,000 attributes: {:?}", out.elapsed);
}

#[test]
fn nul_bytes() {
    let dir = tree();
    write(
        dir.path(),
        "a/web.config",
        b"<configuration>\n  <system.web>\0</system.web>\n</configuration>\n",
    );
    let out = check(dir.path(), &["."]);
    assert_file_error(&out, "a/web.config", "non-xml character", 2, 15);
}

#[test]
fn billion_laughs_dtd() {
    let dir = tree();
    let mut dtd = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [\n  <!ENTITY lol0 \"lol\">\n",
    );
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("  <!ENTITY lol{i} \"{refs}\">\n"));
    }
    dtd.push_str("]>\n<configuration><appSettings><add key=\"k\" value=\"&lol9;\" /></appSettings></configuration>\n");
    write(dir.path(), "a/web.config", &dtd);
    let out = check(dir.path(), &["."]);
    assert_file_error(&out, "a/web.config", "dtd", 2, 1);
}

#[test]
fn external_entity() {
    let dir = tree();
    let secret = write(dir.path(), "secret.txt", "TOP SECRET");
    let text = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [ <!ENTITY xxe SYSTEM \"file://{}\"> ]>\n<configuration><appSettings><add key=\"k\" value=\"&xxe;\" /></appSettings></configuration>\n",
        secret.display()
    );
    write(dir.path(), "a/web.config", &text);
    let out = check(dir.path(), &["."]);
    assert_file_error(&out, "a/web.config", "dtd", 2, 1);
    assert!(!out.json.to_string().contains("TOP SECRET"));
    // Without a DTD the reference is simply unknown.
    write(
        dir.path(),
        "a/web.config",
        "<configuration>\n<appSettings><add key=\"k\" value=\"&xxe;\" /></appSettings></configuration>\n",
    );
    let out = check(dir.path(), &["."]);
    assert_file_error(&out, "a/web.config", "entity", 2, 34);
}

#[cfg(unix)]
#[test]
fn symlink_loops() {
    let dir = tree();
    // A folder loop (not followed) and a web.config that points at itself.
    std::os::unix::fs::symlink("..", dir.path().join("a/up")).unwrap();
    std::os::unix::fs::symlink("../a", dir.path().join("a/again")).unwrap();
    std::os::unix::fs::symlink("web.config", dir.path().join("a/web.config")).unwrap();
    let out = check(dir.path(), &["."]);
    assert_others_processed(&out);
    assert_eq!(out.code, 2);
    let errors = entries(&out.json, "errors", "a/web.config");
    assert_eq!(errors.len(), 1, "{}", out.json);
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("symbolic links")),
        "{}",
        out.json
    );
    // The ordinary file is reported once: the looping folders are not walked again.
    assert_eq!(entries(&out.json, "diagnostics", "ok/web.config").len(), 1);
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree();
    let path = write(dir.path(), "a/web.config", BAD);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_err() {
        let out = check(dir.path(), &["."]);
        assert_file_error(&out, "a/web.config", "cannot read", 1, 1);
        return;
    }
    // Root reads a mode 000 file anyway (CI runs as root): run the check as `nobody` instead.
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    let usable = Command::new(nobody[0])
        .args(&nobody[1..])
        .arg(env!("CARGO_BIN_EXE_iislint"))
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !usable {
        eprintln!(
            "skipped: running as root (a mode 000 file is still readable) and cannot run the binary as nobody with setpriv"
        );
        return;
    }
    for dir in [dir.path(), &dir.path().join("a"), &dir.path().join("ok")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = check_as(dir.path(), &["."], &nobody);
    assert_file_error(&out, "a/web.config", "cannot read", 1, 1);
}

#[test]
fn directory_named_web_config() {
    let dir = tree();
    std::fs::create_dir_all(dir.path().join("a/web.config/inner")).unwrap();
    write(dir.path(), "a/web.config/inner/web.config", BAD);
    let out = check(dir.path(), &["."]);
    assert_others_processed(&out);
    // The folder is walked like any other, not read as a file.
    assert_eq!(out.code, 1, "{}", out.json);
    assert_eq!(entries(&out.json, "errors", "web.config").len(), 0);
    assert_eq!(
        entries(&out.json, "diagnostics", "a/web.config/inner/web.config").len(),
        1
    );
    // Named on the command line, it is walked too.
    let out = check(dir.path(), &["a/web.config", "ok"]);
    assert_others_processed(&out);
}

// ---------------------------------------------------------------------------------------------
// Hostile use: what a user, a script or a hook can do to the files and outputs around a run.

/// Runs the binary in `dir` with `args` (no `--format` added), under the watchdog.
fn run_raw(dir: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_iislint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .timeout(LIMIT)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn output_file_never_names_an_input() {
    let dir = tree();
    let before = std::fs::read(dir.path().join("ok/web.config")).unwrap();
    for args in [
        &["check", "--output-file", "ok/web.config", "ok/web.config"][..],
        &[
            "check",
            "--format",
            "json",
            "--output-file",
            "ok/web.config",
            ".",
        ],
        &[
            "check",
            "--fix",
            "--output-file",
            "./ok/../ok/web.config",
            "ok",
        ],
    ] {
        let out = run_raw(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("--output-file") && stderr.contains("ok/web.config"),
            "{args:?}: {stderr}"
        );
        assert_eq!(
            std::fs::read(dir.path().join("ok/web.config")).unwrap(),
            before,
            "{args:?}: the input was overwritten"
        );
    }
    // Another name for the same file (a hard link) is the same input.
    #[cfg(unix)]
    {
        std::fs::hard_link(
            dir.path().join("ok/web.config"),
            dir.path().join("report.txt"),
        )
        .unwrap();
        let out = run_raw(dir.path(), &["check", "--output-file", "report.txt", "ok"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert_eq!(
            std::fs::read(dir.path().join("ok/web.config")).unwrap(),
            before
        );
    }
    // A report file that is not linted is fine.
    let out = run_raw(
        dir.path(),
        &["check", "--output-file", "ok/report.txt", "ok"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&std::fs::read(dir.path().join("ok/report.txt")).unwrap()).contains("IIS101"));
}

/// A site with a secret written every way a config writes one, each next to a finding (in the
/// snippet's lines, in a message, or in the lines a fix's diff shows).
const SECRETS_CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="a" connectionString="Server=db;User Id=sa;Password = sp4ced-out;" />
    <add name="b" connectionString="Server=db;Password=&quot;qu0ted;pass&quot;" />
  </connectionStrings>
  <system.web>
    <authentication mode="Forms">
      <forms loginUrl="~/login" timeout="5">
        <credentials passwordFormat="Clear">
          <user name="admin" password = "att-secret" />
        </credentials>
      </forms>
    </authentication>
    <machineKey decryption="DES" decryptionKey="0123456789ABCDEF" validation="SHA1"
      validationKey="AutoGenerate,FEDCBA9876543210FEDC" />
    <sessionState mode="InProc" timeout="5" />
  </system.web>
</configuration>
"#;

const SECRETS: &[&str] = &[
    "sp4ced-out",
    "qu0ted;pass",
    "qu0ted",
    "att-secret",
    "0123456789ABCDEF",
    "FEDCBA9876543210FEDC",
    "t0ml-secret",
];

#[test]
fn no_output_format_prints_a_secret() {
    let dir = tree();
    write(dir.path(), "site/web.config", SECRETS_CONFIG);
    // A secret from the settings that the farm's SQL Server fix writes.
    write(
        dir.path(),
        "iislint.toml",
        "[fix]\nsession-store = \"sqlserver\"\nsql-connection-string = \"Server=sql;User Id=sa;Password=t0ml-secret\"\n",
    );
    let mut runs: Vec<Vec<&str>> = [
        "human", "concise", "json", "sarif", "github", "msbuild", "azure",
    ]
    .iter()
    .map(|format| {
        vec![
            "check",
            "--farm",
            "--show-suppressed",
            "--format",
            format,
            "site",
        ]
    })
    .collect();
    runs.push(vec!["check", "--farm", "--diff", "--unsafe-fixes", "site"]);
    runs.push(vec!["check", "--farm", "--statistics", "site"]);
    for args in &runs {
        let out = run_raw(dir.path(), args);
        let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(
            out.status.code() == Some(1),
            "{args:?}: exit {:?}\n{printed}",
            out.status.code()
        );
        // The file's findings are reported (the secrets had a chance to show).
        assert!(
            printed.contains("forms") || printed.contains("@@"),
            "{args:?}: {printed}"
        );
        for secret in SECRETS {
            assert!(
                !printed.contains(secret),
                "{args:?} printed {secret}:\n{printed}"
            );
        }
    }
    // The fix itself still writes the real value.
    let out = run_raw(
        dir.path(),
        &["check", "--farm", "--fix", "--unsafe-fixes", "site"],
    );
    assert!(!text(&out.stdout).contains("t0ml-secret"));
    let fixed = std::fs::read_to_string(dir.path().join("site/web.config")).unwrap();
    assert!(fixed.contains("Password=t0ml-secret"), "{fixed}");
}

#[test]
fn fix_settings_out_of_range_are_configuration_errors() {
    let dir = tree();
    for (toml, position) in [
        (
            "[fix]\nsession-timeout-minutes = 600000\n",
            "iislint.toml:2:27",
        ),
        ("[fix]\nforms-timeout-minutes = 0\n", "iislint.toml:2:25"),
        ("\n[fix]\nredis-port = 70000\n", "iislint.toml:3:14"),
    ] {
        write(dir.path(), "iislint.toml", toml);
        let out = run_raw(dir.path(), &["check", "ok"]);
        assert_eq!(out.status.code(), Some(2), "{toml}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(position) && stderr.contains("out of range"),
            "{toml}: {stderr}"
        );
    }
}

#[test]
fn findings_past_column_65535_are_drawn_clipped() {
    let dir = tree();
    let padding = "x".repeat(70_000);
    write(
        dir.path(),
        "a/web.config",
        format!(
            "<configuration><system.web><authentication mode=\"Forms\"><forms {padding}=\"1\" timeout=\"5\" /></authentication></system.web></configuration>\n"
        ),
    );
    let out = run_raw(dir.path(), &["check", "--color", "never", "."]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let column = 1
        + "<configuration><system.web><authentication mode=\"Forms\"><forms ".len()
        + padding.len()
        + "=\"1\" ".len();
    assert!(
        stdout.contains(&format!("a/web.config:1:{column}")),
        "{stdout}"
    );
    // A window of the line, not 70,000 characters of it; the other file is still reported.
    assert!(
        stdout.lines().all(|line| line.chars().count() < 400),
        "{stdout}"
    );
    assert!(
        stdout.contains("…") && stdout.contains("ok/web.config:5:"),
        "{stdout}"
    );
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let dir = tree();
    let fifo = dir.path().join("a/web.config");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // Walked and named: an error, not a hang; the other file is still linted.
    for args in [&["."][..], &["a/web.config", "ok"], &["/dev/zero", "ok"]] {
        let out = check(dir.path(), args);
        assert_others_processed(&out);
        assert_eq!(out.code, 2, "{args:?}");
        let errors = out.json["errors"].as_array().unwrap();
        assert!(
            errors.iter().any(|e| e["message"]
                .as_str()
                .is_some_and(|m| m.contains("not a regular file"))),
            "{args:?}: {}",
            out.json
        );
    }
}

#[test]
fn files_over_the_size_limit_are_errors() {
    let dir = tree();
    let big = format!("{BAD}<!--{}-->\n", "x".repeat(2 * 1024 * 1024));
    write(dir.path(), "a/web.config", &big);
    write(dir.path(), "iislint.toml", "max-file-mib = 1\n");
    let out = check(dir.path(), &["."]);
    assert_file_error(&out, "a/web.config", "larger than 1 mib", 1, 1);
    write(dir.path(), "iislint.toml", "max-file-mib = 3\n");
    let out = check(dir.path(), &["."]);
    assert_eq!(entries(&out.json, "diagnostics", "a/web.config").len(), 1);
}

#[test]
fn diff_prints_its_errors() {
    let dir = tree();
    write(
        dir.path(),
        "a/web.config",
        "<configuration>\n  <system.web>\n</configuration>\n",
    );
    let out = run_raw(dir.path(), &["check", "--diff", "missing", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: missing: "), "{stderr}");
    assert!(stderr.contains("error: a/web.config:3:1: "), "{stderr}");
    // The diff of the good file is still printed.
    assert!(text(&out.stdout).contains("+++ b/ok/web.config"));
}

#[cfg(target_os = "linux")]
#[test]
fn write_errors_on_stdout_exit_2() {
    let dir = tree();
    for args in [
        &["check", "ok"][..],
        &["check", "--format", "json", "ok"],
        &["check", "--diff", "ok"],
        &["rules"],
        &["rule", "forms-timeout-too-low"],
        &["completions", "bash"],
        &["man"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_iislint"))
            .args(args)
            .current_dir(dir.path())
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn fix_keeps_read_only_files_hard_links_and_owner() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tree();
    let path = dir.path().join("ok/web.config");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = check(dir.path(), &["--fix", "ok"]);
    assert_eq!(out.code, 2, "{}", out.json);
    let errors = entries(&out.json, "errors", "ok/web.config");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("read-only"),
        "{}",
        out.json
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), BAD);
    let out = check(dir.path(), &["--fix", "--fix-read-only", "ok"]);
    assert_eq!(out.code, 0, "{}", out.json);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("timeout=\"60\"")
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );

    // A hard link sees the fix: the file is rewritten in place.
    let linked = write(dir.path(), "a/web.config", BAD);
    std::fs::hard_link(&linked, dir.path().join("a/deployed.config")).unwrap();
    let out = check(dir.path(), &["--fix", "a"]);
    assert_eq!(out.code, 0, "{}", out.json);
    let other = std::fs::read_to_string(dir.path().join("a/deployed.config")).unwrap();
    assert!(other.contains("timeout=\"60\""), "{other}");
    assert_eq!(std::fs::metadata(&linked).unwrap().nlink(), 2);

    // As root, owner and group stay.
    let owned = write(dir.path(), "b/web.config", BAD);
    if std::os::unix::fs::chown(&owned, Some(65534), Some(65534)).is_ok() {
        let out = check(dir.path(), &["--fix", "b"]);
        assert_eq!(out.code, 0, "{}", out.json);
        let meta = std::fs::metadata(&owned).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
        assert!(
            std::fs::read_to_string(&owned)
                .unwrap()
                .contains("timeout=\"60\"")
        );
    } else {
        eprintln!("skipped the owner case: not root");
    }
}

#[test]
fn the_same_file_by_several_names_is_linted_once() {
    let dir = tree();
    let out = check(
        dir.path(),
        &["ok/web.config", "./ok/web.config", "ok", "ok/../ok"],
    );
    assert_eq!(out.code, 1, "{}", out.json);
    assert_eq!(
        out.json["diagnostics"].as_array().unwrap().len(),
        1,
        "{}",
        out.json
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("ok", dir.path().join("alias")).unwrap();
        let out = check(dir.path(), &["ok/web.config", "alias/web.config"]);
        assert_eq!(
            out.json["diagnostics"].as_array().unwrap().len(),
            1,
            "{}",
            out.json
        );
    }
}

#[cfg(unix)]
#[test]
fn odd_file_names_are_shown_safely_in_every_output() {
    let dir = tree();
    // A backslash, a colon that looks like a URI scheme, an escape sequence and a tab.
    let folder = "back\\slash colon:1:2 \u{1b}[31mred\tx";
    write(dir.path(), &format!("{folder}/web.config"), BAD);
    let out = run_raw(
        dir.path(),
        &["check", "--format", "concise", "--color", "never", "."],
    );
    let concise = text(&out.stdout);
    assert!(
        concise.contains("back\\slash colon:1:2 \\u{1b}[31mred\\tx/web.config:5:"),
        "{concise}"
    );
    assert!(!concise.contains('\u{1b}'), "{concise:?}");
    let out = run_raw(dir.path(), &["check", "--color", "never", "."]);
    assert!(
        !text(&out.stdout).contains('\u{1b}'),
        "human output has a raw escape"
    );
    // JSON keeps the name exactly (it escapes it itself).
    let out = check(dir.path(), &["."]);
    assert!(
        !entries(&out.json, "diagnostics", &format!("{folder}/web.config")).is_empty(),
        "{}",
        out.json
    );
    // SARIF: a relative URI whose colons cannot be read as a scheme.
    let out = run_raw(dir.path(), &["check", "--format", "sarif", "."]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"back%5Cslash%20colon%3A1%3A2%20%1B%5B31mred%09x/web.config"),
        "{uris:?}"
    );
    // --diff: the header is quoted as git quotes it.
    let out = run_raw(dir.path(), &["check", "--diff", "."]);
    let diff = text(&out.stdout);
    assert!(
        diff.contains("--- \"a/back\\\\slash colon:1:2 \\033[31mred\\tx/web.config\"\n"),
        "{diff}"
    );
}

/// `BAD` with lone CRs for line endings, as classic Mac OS editors saved files.
fn lone_cr(text: &str) -> String {
    text.replace('\n', "\r")
}

#[test]
fn lone_cr_line_endings_give_the_lines_editors_show() {
    let dir = tree();
    write(dir.path(), "a/web.config", lone_cr(BAD));
    let out = check(dir.path(), &["."]);
    assert_others_processed(&out);
    let found: Vec<_> = entries(&out.json, "diagnostics", "a/web.config")
        .iter()
        .map(|d| (d["rule"].clone(), d["line"].clone(), d["column"].clone()))
        .collect();
    assert_eq!(
        found,
        [("forms-timeout-too-low".into(), 5.into(), 33.into())],
        "{}",
        out.json
    );

    // The snippet shows the finding's own line with the lines around it.
    let output = Command::new(env!("CARGO_BIN_EXE_iislint"))
        .args(["check", "--color", "never", "a/web.config"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&output.stdout);
    assert!(human.contains("a/web.config:5:33"), "{human}");
    for (number, line) in [
        (4, "    <authentication mode=\"Forms\">"),
        (5, "      <forms loginUrl=\"~/login\" timeout=\"5\" />"),
        (6, "    </authentication>"),
    ] {
        assert!(
            human
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{number} │ {line}"))),
            "line {number} missing from the snippet:\n{human}"
        );
    }
    assert!(!human.contains('\r'), "{human:?}");
}

#[test]
fn a_parse_error_in_a_lone_cr_file_has_its_line_and_column() {
    let dir = tree();
    let text = "<configuration>\r  <system.web>\r    <sessionState timeout=\"30\" timeout=\"40\" />\r  </system.web>\r</configuration>\r";
    write(dir.path(), "a/web.config", text);
    let out = check(dir.path(), &["."]);
    assert_file_error(&out, "a/web.config", "already defined", 3, 32);
}

#[test]
fn fixes_in_a_lone_cr_file_write_lone_cr_lines_indented_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // The default forms time-out (30) is below this minimum: the fix adds the attribute on a line
    // of its own, as the element's other attributes are.
    write(
        dir.path(),
        "iislint.toml",
        "[rules.forms-timeout-too-low]\nmin-minutes = 45\n",
    );
    let before = lone_cr(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<configuration>
  <system.web>
    <authentication mode=\"Forms\">
      <forms loginUrl=\"~/login\"
             name=\".AUTH\" />
    </authentication>
  </system.web>
</configuration>
",
    );
    let path = write(dir.path(), "web.config", &before);
    let out = check(
        dir.path(),
        &[
            "--fix",
            "--unsafe-fixes",
            "--farm",
            "--session-store",
            "redis",
            "--select",
            "forms-timeout-too-low,inproc-session-on-farm",
            "web.config",
        ],
    );
    assert_eq!(out.code, 0, "{} {}", out.json, out.stderr);
    let after = lone_cr(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<configuration>
  <system.web>
    <authentication mode=\"Forms\">
      <forms loginUrl=\"~/login\"
             name=\".AUTH\"
             timeout=\"60\" />
    </authentication>
    <sessionState mode=\"Custom\" customProvider=\"RedisSessionStateProvider\">
      <providers>
        <add name=\"RedisSessionStateProvider\" type=\"Microsoft.Web.Redis.RedisSessionStateProvider\" host=\"REPLACE-WITH-REDIS-HOST\" port=\"6380\" ssl=\"true\" />
      </providers>
    </sessionState>
  </system.web>
</configuration>
",
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

/// An applicationHost.config with `n` `<location>` elements of each kind that made some part of
/// a check quadratic in their number: distinct paths (enclosing paths looked up among all),
/// one path over and over (each chained to all the others), nested paths, a suppression before
/// each (every finding tried against every suppression; a used one and an unused one) and a
/// site application each (its location looked up among all). Each location has a finding.
fn many_locations(n: usize) -> String {
    let location = |path: &str, session: &str| {
        format!(
            "  <location path=\"{path}\">\n    <system.web>\n      <sessionState {session} />\n    </system.web>\n  </location>\n"
        )
    };
    let mut sites = String::new();
    let mut locations = String::new();
    for i in 0..n {
        match i % 4 {
            0 => {
                locations.push_str(
                    "  <!-- iislint: ignore session-timeout-too-low - short on purpose -->\n",
                );
                locations.push_str(&location(&format!("p{i}"), "timeout=\"5\""));
            }
            1 => locations.push_str(&location("same", "timeout=\"6\"")),
            2 => {
                locations.push_str("  <!-- iislint: ignore forms-timeout-too-low -->\n");
                locations.push_str(&location(&format!("d{}/p{i}", i % 50), "timeout=\"7\""));
            }
            _ => {
                sites.push_str(&format!(
                    "      <site name=\"S{i}\" id=\"{i}\"><application path=\"/\" applicationPool=\"P{}\" /></site>\n",
                    i % 10
                ));
                locations.push_str(&location(&format!("S{i}"), "timeout=\"90\""));
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <system.applicationHost>\n    <applicationPools>\n{}    </applicationPools>\n    <sites>\n{sites}    </sites>\n  </system.applicationHost>\n  <system.web>\n    <sessionState timeout=\"8\" />\n  </system.web>\n{locations}</configuration>\n",
        (0..10)
            .map(|p| format!(
                "      <add name=\"P{p}\"><processModel idleTimeout=\"00:30:00\" /></add>\n"
            ))
            .collect::<String>()
    )
}

/// The allocations one lint of `text` makes, as an applicationHost.config on a farm.
fn allocations_to_lint(text: &str) -> u64 {
    let facts = iislint::lint::FileFacts {
        kind: iislint::model::FileKind::ApplicationHost,
        farm: true,
        application_root: true,
        application: Default::default(),
        mapped_sessions: Default::default(),
        offers_sections: false,
    };
    let settings = iislint::settings::Settings::default();
    let rules = iislint::lint::RuleSet::all();
    let before = ALLOCATIONS.with(Cell::get);
    let linted = iislint::lint::lint_text_full(text, &facts, &rules, &settings).unwrap();
    let after = ALLOCATIONS.with(Cell::get);
    assert!(!linted.diagnostics.is_empty() && !linted.suppressed.is_empty());
    after - before
}

#[test]
fn work_grows_linearly_with_the_number_of_locations() {
    // Four times the locations: four times the allocations when each location costs the same,
    // sixteen when each is compared with all the others. A count, not a time: it cannot flake.
    let small = allocations_to_lint(&many_locations(1_000));
    let large = allocations_to_lint(&many_locations(4_000));
    eprintln!("allocations: {small} for 1,000 locations, {large} for 4,000");
    assert!(
        large < 5 * small,
        "1,000 locations: {small} allocations; 4,000: {large} ({:.1} times)",
        large as f64 / small as f64
    );
}

#[test]
fn twenty_thousand_locations() {
    // Quadratic in the number of locations (as model building, suppressions and the lookup of
    // applications' locations once were), this took minutes and the watchdog stops it.
    let dir = tree();
    write(
        dir.path(),
        "a/applicationHost.config",
        many_locations(20_000),
    );
    let out = check(dir.path(), &["--farm", "."]);
    assert_others_processed(&out);
    let findings = entries(&out.json, "diagnostics", "a/applicationHost.config");
    let count = |rule: &str| findings.iter().filter(|d| d["rule"] == rule).count();
    // The file's own time-out and each location's, where it is written, except the suppressed
    // ones and the sites' long ones; and every unused suppression.
    assert_eq!(count("session-timeout-too-low"), 1 + 5_000 + 5_000);
    assert_eq!(count("unused-suppression"), 5_000);
    eprintln!("20,000 locations: {:?}", out.elapsed);

    let out = check(
        dir.path(),
        &[
            "--fix",
            "--unsafe-fixes",
            "--farm",
            "--session-store",
            "redis",
            "a",
        ],
    );
    assert!(
        out.code <= 1 && !out.stderr.contains("panicked"),
        "{}",
        out.stderr
    );
    eprintln!("20,000 locations, fixed: {:?}", out.elapsed);
}

#[test]
fn xml_that_system_xml_refuses_is_a_parse_error() {
    let dir = tree();
    let body = BAD.split_once('\n').unwrap().1;
    let files = [
        (
            "a/web.config",
            format!("<?xml version=\"1.0\" encoding=\"utf-8=\"?>\n{body}"),
            ("not an encoding name", 1, 31),
        ),
        (
            "b/web.config",
            format!("<?xml version=\"1.0\" standalone=\"maybe\"?>\n{body}"),
            ("standalone", 1, 33),
        ),
        (
            "c/web.config",
            format!("<?xmlversion=\"1.0\"?>\n{body}"),
            ("white space is needed", 1, 13),
        ),
        (
            "d/web.config",
            format!("<?XML version=\"1.0\"?>\n{body}"),
            ("named `xml` in any letter case", 1, 3),
        ),
        (
            "e/web.config",
            "<configuration xmlns:p=\"urn:p\">\n  <system.web xmlns:p=\"\" />\n</configuration>\n"
                .to_owned(),
            ("undeclares a prefix", 2, 15),
        ),
        (
            "f/web.config",
            format!("<?xml version=\"1.0\" encoding=\"utf-16\"?>\n{body}"),
            ("no unicode byte order mark", 1, 31),
        ),
        (
            "g/web.config",
            format!("<?xml version=\"1.1\"?>\n{body}"),
            ("only version=\"1.0\"", 1, 16),
        ),
    ];
    for (path, text, _) in &files {
        write(dir.path(), path, text);
    }
    // System.Xml's reader, as the configuration system sets it up, takes a character reference
    // past Unicode (with its default Normalization = false): such a file is linted.
    write(
        dir.path(),
        "h/web.config",
        BAD.replace("loginUrl=\"~/login\"", "loginUrl=\"~/&#x110000;\""),
    );
    let out = check(dir.path(), &["."]);
    for (path, _, (needle, line, column)) in &files {
        assert_file_error(&out, path, &needle.to_lowercase(), *line, *column);
    }
    assert!(entries(&out.json, "errors", "h/web.config").is_empty());
    assert_eq!(entries(&out.json, "diagnostics", "h/web.config").len(), 1);
}

#[cfg(unix)]
#[test]
fn fix_never_replaces_a_file_this_user_may_not_write() {
    use std::os::unix::fs::PermissionsExt;
    // Root may write anything: run as `nobody`, in a folder it may write, on root's 0644 file.
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    let dir = tree();
    let runs_as_nobody = Command::new(nobody[0])
        .args(&nobody[1..])
        .arg(env!("CARGO_BIN_EXE_iislint"))
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let owned_by_root = std::fs::metadata(dir.path().join("ok/web.config"))
        .is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if !runs_as_nobody || !owned_by_root {
        eprintln!("skipped: needs root and setpriv to act as another user");
        return;
    }
    for folder in [dir.path(), &dir.path().join("ok"), &dir.path().join("a")] {
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let path = dir.path().join("ok/web.config");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = check_as(dir.path(), &["--fix", "ok"], &nobody);
    assert_eq!(out.code, 2, "{}", out.json);
    let errors = entries(&out.json, "errors", "ok/web.config");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("read-only for this user"),
        "{}",
        out.json
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), BAD);
    assert_eq!(
        std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&path).unwrap()),
        0,
        "the file still belongs to root"
    );
}

/// The seam that holds the write exists in debug builds only.
#[cfg(debug_assertions)]
#[test]
fn an_edit_made_while_fixing_is_never_overwritten() {
    let dir = tree();
    let hold = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok/web.config");
    let child = Command::new(env!("CARGO_BIN_EXE_iislint"))
        .args(["check", "--fix", "--format", "json", "ok"])
        .current_dir(dir.path())
        .env("IISLINT_TEST_HOLD_BEFORE_WRITE", hold.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The fix is computed; before it is written, someone saves an edit.
    let started = Instant::now();
    while !hold.path().join("ready").exists() {
        assert!(started.elapsed() < LIMIT, "iislint never reached the write");
        std::thread::sleep(Duration::from_millis(5));
    }
    let edited = format!("{BAD}<!-- edit -->\n");
    std::fs::write(&path, &edited).unwrap();
    std::fs::write(hold.path().join("go"), "").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors = entries(&json, "errors", "ok/web.config");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("changed while iislint was fixing it"),
        "{json}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}
