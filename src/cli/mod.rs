//! The command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod transform;

use crate::check::{CheckOptions, FixMode};
use crate::fix::Applicability;
use crate::report::display_path;
use crate::report::human::HumanOptions;
use crate::rules::{RULES, Selection, Selector};
use crate::settings::{SessionStore, Settings};
use crate::settings_tree::SettingsTree;
use crate::write::WriteOptions;

#[derive(Parser, Debug)]
#[command(
    name = "iislint",
    version,
    about = "Lint and fix IIS and ASP.NET configuration: session and login time-outs first"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint web.config and applicationHost.config files (directories are walked).
    Check(CheckArgs),
    /// List every rule, one per line: name, code, group, whether it runs by default (`default`)
    /// or only when selected (`opt-in`), summary.
    Rules {
        #[arg(long = "output-format", visible_alias = "format", value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Rule {
        /// The rule's name (or code).
        name: String,
        #[arg(long = "output-format", visible_alias = "format", value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Show the effective value of a setting for a file and where it comes from:
    /// `iislint explain Web.config system.web/sessionState@timeout`.
    Explain(ExplainArgs),
    /// Write a commented starter iislint.toml in the current directory.
    Init,
    /// Git hooks for teams without pre-commit.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Run the language server (LSP over standard input and output) that editors start.
    Server,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Print WEB_CONFIG as a Web.<Env>.config XDT transform deploys it; XDT's warnings and errors
    /// go to stderr.
    Transform {
        web_config: PathBuf,
        transform: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The web.config to explain.
    pub file: PathBuf,
    /// `SECTION@ATTRIBUTE`, for example `system.web/sessionState@timeout`.
    pub setting: String,
    /// A `<location path>` under the file: the value for that path.
    #[arg(long, value_name = "PATH")]
    pub location: Option<String>,
    /// The deployed configuration of this environment (`Web.NAME.config` beside the file).
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    #[arg(long = "output-format", visible_alias = "format", value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    /// Use this configuration file instead of the iislint.toml nearest to the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum HookAction {
    /// Write .git/hooks/pre-commit: it checks the staged configuration files before each commit.
    Install {
        /// Replace an existing pre-commit hook.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to lint (default: the current directory); `-` for standard input,
    /// with --stdin-filename.
    pub paths: Vec<PathBuf>,
    /// Lint standard input as the file at this path (its iislint.toml, parents, configSource
    /// files and transforms are read from there); with --fix, the fixed text goes to standard
    /// output and the report to standard error.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Apply safe fixes and write the files.
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (with --fix or --diff).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change; write nothing.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// The site runs on several servers behind a load balancer.
    #[arg(long)]
    pub farm: bool,
    /// Use this configuration file for every file, instead of the iislint.toml nearest to each
    /// (in its folder or above).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format (`--format` is an alias).
    #[arg(long = "output-format", visible_alias = "format", value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// Judge the deployed configuration of this environment (`Web.NAME.config` beside each
    /// web.config); repeatable; `none` for the file as written. Default: every transform but
    /// Debug.
    #[arg(long = "environment", value_name = "NAME")]
    pub environments: Vec<String>,
    /// Include findings silenced by inline suppressions (json and sarif), with their reason.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Run only these rules, replacing the configuration's selection: comma-separated rule
    /// names, codes (IIS101), code prefixes (IIS1), groups (session, correctness, security,
    /// hardening) or ALL.
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub select: Vec<String>,
    /// Also run these rules (same forms as --select), on top of the configuration's.
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub extend_select: Vec<String>,
    /// With --fix, also rewrite files that have no write permission (they keep their mode).
    #[arg(long)]
    pub fix_read_only: bool,
    /// Do not run these rules (same forms as --select). A more specific --select wins: `--select
    /// IIS101 --ignore session` runs IIS101.
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub ignore: Vec<String>,
    /// Where the inproc-session-on-farm fix moves session state.
    #[arg(long, value_enum)]
    pub session_store: Option<StoreArg>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Exit with 0 even when findings remain (2 still means a file or the configuration could
    /// not be read).
    #[arg(long)]
    pub exit_zero: bool,
    /// Print how many findings each rule has (`[*]`: all fixable) instead of the findings;
    /// human, concise or json.
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings and nothing else: no summary, no warnings.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print nothing; the exit code tells (a report still goes to --output-file).
    #[arg(short, long)]
    pub silent: bool,
    /// Print the files that would be checked, one per line, and exit.
    #[arg(long, conflicts_with = "show_settings")]
    pub show_files: bool,
    /// Print the settings that apply to the first file that would be checked (from its
    /// iislint.toml and the command line), and exit.
    #[arg(long)]
    pub show_settings: bool,
    /// Apply `exclude` to files named on the command line too (pre-commit names each file).
    #[arg(long)]
    pub force_exclude: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Snippets with the source, then a summary.
    Human,
    /// `path:line:col: rule message`, one line per finding.
    Concise,
    /// `{"diagnostics": […], "errors": […]}`.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// `path(line,col): warning IIS101: message`, MSBuild's format: Visual Studio's Error List,
    /// Rider, VS Code's `$msCompile` problem matcher.
    Msbuild,
    /// Azure Pipelines logging commands (`##vso[task.logissue …]`): errors and warnings of the
    /// pipeline step.
    Azure,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreArg {
    Sqlserver,
    Redis,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Exit codes, as ruff and ESLint use them.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FOUND: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    // The default hook prints a panic's message, which may quote a file's text (a secret
    // included), before `check` turns the panic into that file's error: say only where.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        // "panicked" stays in the text: tests and users search stderr for it.
        eprintln!(
            "iislint panicked{location} (an internal error; the affected file is reported as an error)"
        );
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    let code = match cli.command {
        Command::Check(args) => exit_now(check(&args)),
        Command::Rules { format } => list_rules(format),
        Command::Rule { name, format } => show_rule(&name, format),
        Command::Explain(args) => explain(&args),
        Command::Init => init(),
        Command::Hook {
            action: HookAction::Install { force },
        } => hook_install(force),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::Server => match crate::server::run() {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                EXIT_ERROR
            }
        },
        Command::Transform {
            web_config,
            transform,
        } => transform::run(&web_config, &transform),
    };
    ExitCode::from(code)
}

/// Ends the process with `code` at once, once standard output is flushed (Linux): the exit
/// handler of the allocator (mimalloc's, which walks every page it holds to free them) and the
/// freeing of a run's results would only delay the end of a run whose memory the kernel takes
/// back anyway. Elsewhere, and when standard output cannot be flushed, `code` is returned; so it
/// is when `LLVM_PROFILE_FILE` is set: the profiling build of `scripts/pgo-build.sh` writes its
/// profile in an exit handler (a variable, not a build option, so that the profiled code and the
/// optimised code are the same).
fn exit_now(code: u8) -> u8 {
    #[cfg(target_os = "linux")]
    {
        use std::io::Write;
        if std::env::var_os("LLVM_PROFILE_FILE").is_none() && std::io::stdout().flush().is_ok() {
            // SAFETY: `_exit` ends the process; no Rust code runs after it.
            unsafe { libc::_exit(code.into()) }
        }
    }
    code
}

/// `iislint explain`: 0 with the answer, 2 when the file or the setting cannot be explained.
fn explain(args: &ExplainArgs) -> u8 {
    let settings = match load_settings(args.config.as_deref(), &args.file) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("iislint: {message}");
            return 2;
        }
    };
    let options = crate::explain::ExplainOptions {
        file: args.file.clone(),
        setting: args.setting.clone(),
        location: args.location.clone(),
        environment: args.environment.clone(),
    };
    match crate::explain::explain(&options, &settings) {
        Ok(explained) => {
            let text = match args.format {
                ListFormat::Json => format!("{}\n", explained.to_json()),
                ListFormat::Human => explained.to_human(),
            };
            match print_stdout(&text) {
                Ok(()) => 0,
                Err(message) => {
                    eprintln!("iislint: {message}");
                    2
                }
            }
        }
        Err(message) => {
            eprintln!("iislint: {}", crate::report::terminal_safe(&message));
            2
        }
    }
}

/// Writes to stdout: see [`print_stdout_bytes`].
pub fn print_stdout(text: &str) -> Result<(), String> {
    print_stdout_bytes(text.as_bytes())
}

/// Writes bytes to stdout. A closed pipe (`iislint rules | head -1`) ends quietly, as it does for
/// `cat`: Rust ignores SIGPIPE, so `println!` would panic where this returns. Any other error (a
/// full disk, `> /dev/full`) is the caller's to report: output that was lost must not exit 0.
pub fn print_stdout_bytes(bytes: &[u8]) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {err}"))
        }
        _ => Ok(()),
    }
}

/// Prints to stdout and turns a write error into exit code 2 with a message.
fn print_or_fail(bytes: &[u8]) -> u8 {
    match print_stdout_bytes(bytes) {
        Ok(()) => EXIT_CLEAN,
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_ERROR
        }
    }
}

/// The report goes to `--output-file` when given, else to stdout.
fn emit(text: &str, output_file: Option<&std::path::Path>) -> Result<(), String> {
    match output_file {
        None => print_stdout(text),
        Some(path) => std::fs::write(path, text)
            .map_err(|err| format!("cannot write {}: {err}", crate::report::display_path(path))),
    }
}

fn check(args: &CheckArgs) -> u8 {
    if args.statistics && !matches!(args.format, Format::Human | Format::Concise | Format::Json) {
        eprintln!(
            "error: --statistics prints text (human, concise) or json, not {}",
            format_name(args.format)
        );
        return EXIT_ERROR;
    }
    let stdin = match read_stdin(args) {
        Ok(stdin) => stdin,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let selection = match cli_selection(args) {
        Ok(selection) => selection,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let applicability = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let fix = match (args.fix, args.diff) {
        (true, _) => FixMode::Write(applicability),
        (false, true) => FixMode::Diff(applicability),
        (false, false) => FixMode::Off,
    };
    let paths = match &stdin {
        Some(stdin) => vec![stdin.path.clone()],
        None if args.paths.is_empty() => vec![PathBuf::from(".")],
        None => args.paths.clone(),
    };
    let options = CheckOptions {
        paths,
        farm: args.farm,
        selection,
        fix,
        excerpts: args.format == Format::Human && fix != FixMode::Diff(applicability),
        line_hashes: args.format == Format::Sarif,
        write: WriteOptions {
            read_only: args.fix_read_only,
        },
        output_file: args.output_file.clone(),
        environments: args.environments.clone(),
        force_exclude: args.force_exclude,
        stdin,
        overlay: Default::default(),
    };
    // The command line's overrides of every iislint.toml.
    let adjust = |settings: &mut Settings| {
        if let Some(store) = args.session_store {
            settings.fix.session_store = Some(match store {
                StoreArg::Sqlserver => SessionStore::SqlServer,
                StoreArg::Redis => SessionStore::Redis,
            });
        }
    };
    let settings = |found: &[PathBuf]| match &args.config {
        Some(file) => crate::settings_tree::load(file).map(|mut settings| {
            adjust(&mut settings);
            SettingsTree::fixed(settings)
        }),
        None => SettingsTree::discover(found, &options.paths, &adjust),
    };
    let plan = match crate::check::plan(&options, settings) {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    if args.show_files {
        return show_files(&plan);
    }
    if args.show_settings {
        return show_settings(&plan, args);
    }
    let mut run = match crate::check::run_plan(&options, plan) {
        Ok(run) => run,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    // The process ends after this check: what the run built is never freed (the exit returns
    // the memory at once).
    std::mem::forget(run.built.take());
    // `--fix` on standard input: the text (fixed, or as it came when nothing applied or it
    // could not be checked) is the output; the report goes to stderr.
    if let (Some(stdin), FixMode::Write(_)) = (&options.stdin, fix)
        && print_or_fail(stdin.output()) != EXIT_CLEAN
    {
        return EXIT_ERROR;
    }

    // Nothing to check (ruff's words): a warning, not "All checks passed".
    if run.checked == 0 && !args.quiet && !args.silent {
        eprintln!("warning: No configuration files found under the given path(s)");
    }
    let found = |found: bool| {
        if found && !args.exit_zero {
            EXIT_FOUND
        } else {
            EXIT_CLEAN
        }
    };
    if let FixMode::Diff(_) = fix {
        // Each file's diff was masked with its result: a diff of the machine-key fix would
        // show the new keys; `--fix` writes them, nothing prints them.
        let diffs: String = run.files.iter().filter_map(|f| f.diff.as_deref()).collect();
        if let Err(message) = report_out(&diffs, args) {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
        // The diff is the output; what could not be checked goes to stderr, as `check` reports
        // it, so an exit code 2 always comes with its reason.
        if !args.silent {
            eprint!("{}", crate::report::human::errors(&run));
        }
        return if run.error_count() > 0 {
            EXIT_ERROR
        } else {
            found(!diffs.is_empty())
        };
    }
    let mut render_failures = 0;
    // The report as a text, or `None` for JSON, written as it is made (`report_json_out`).
    let output = if args.statistics {
        let text = match args.format {
            Format::Json => crate::report::statistics::render_json(&run, applicability),
            Format::Human | Format::Concise => {
                crate::report::statistics::render_text(&run, applicability)
            }
            _ => unreachable!("refused before the check"),
        };
        Some(if args.format == Format::Human && !args.quiet {
            text + &crate::report::human::summary(&run)
        } else {
            text
        })
    } else {
        match args.format {
            Format::Json => None,
            Format::Human => {
                let rendered = crate::report::human::render(
                    &run,
                    &HumanOptions {
                        // Colour codes never go to a file unless asked for.
                        color: use_color(args.color)
                            && (args.output_file.is_none() || args.color == ColorChoice::Always),
                        summary: !args.quiet,
                    },
                );
                render_failures = rendered.failures;
                Some(rendered.text)
            }
            Format::Concise => Some(crate::report::concise::render(&run)),
            Format::Github => Some(crate::report::github::render(&run)),
            Format::Msbuild => Some(crate::report::msbuild::render(&run)),
            Format::Azure => Some(crate::report::azure::render(&run)),
            Format::Sarif => Some(crate::report::sarif::render(
                &run,
                &crate::report::sarif::SarifOptions {
                    show_suppressed: args.show_suppressed,
                },
            )),
        }
    };
    let written = match &output {
        Some(text) => report_out(text, args),
        None => report_json_out(args, |out| {
            crate::report::json::write_to(&run, args.show_suppressed, out)
        }),
    };
    if let Err(message) = written {
        eprintln!("error: {message}");
        return EXIT_ERROR;
    }
    let code = if run.error_count() > 0 || render_failures > 0 {
        EXIT_ERROR
    } else {
        // An info finding alone never fails a run.
        found(run.severity_counts().problems() > 0)
    };
    // The process ends right after: freeing every result (made on the pool's threads, freed on
    // this one) would only delay the exit, which returns the memory at once.
    std::mem::forget(run);
    std::mem::forget(output);
    code
}

/// `--show-files`: the files the run would check, one per line, as the reports name them.
fn show_files(plan: &crate::check::Plan) -> u8 {
    let list: String = plan
        .targets()
        .iter()
        .map(|t| {
            format!(
                "{}\n",
                crate::report::terminal_safe(&crate::paths::native(&display_path(&t.path)))
            )
        })
        .collect();
    print_or_fail(list.as_bytes())
}

/// `--show-settings`: the settings that apply to the first file the run would check (ruff's
/// choice), resolved with the command line's, as TOML-ish text; the configuration file and the
/// rules that run come first.
fn show_settings(plan: &crate::check::Plan, args: &CheckArgs) -> u8 {
    let Some(target) = plan.targets().first() else {
        eprintln!("error: no configuration file to show the settings of");
        return EXIT_ERROR;
    };
    let settings = plan.settings.for_file(&target.path);
    let selection = match cli_selection(args) {
        Ok(selection) => selection,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let text = crate::settings::describe(
        settings,
        &target.path,
        &selection,
        args.farm,
        &args.environments,
    );
    print_or_fail(text.as_bytes())
}

/// The report goes to `--output-file` when given, else to stdout unless `--silent` (to stderr
/// when stdout has standard input's fixed text).
fn report_out(text: &str, args: &CheckArgs) -> Result<(), String> {
    if args.silent && args.output_file.is_none() {
        return Ok(());
    }
    if args.fix && args.stdin_filename.is_some() && args.output_file.is_none() {
        eprint!("{text}");
        return Ok(());
    }
    emit(text, args.output_file.as_deref())
}

/// [`report_out`] for a report `write` writes as it is made (JSON): to `--output-file`, to
/// stderr for `--fix` on standard input, else to stdout, through a buffer (stdout's own flushes
/// at every line).
fn report_json_out(
    args: &CheckArgs,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    const BUFFER: usize = 64 * 1024;
    let buffered = |out: &mut dyn Write| {
        let mut out = std::io::BufWriter::with_capacity(BUFFER, out);
        write(&mut out)?;
        out.flush()
    };
    if args.silent && args.output_file.is_none() {
        return Ok(());
    }
    if let Some(path) = &args.output_file {
        let file = std::fs::File::create(path);
        return file
            .and_then(|mut file| buffered(&mut file))
            .map_err(|err| format!("cannot write {}: {err}", crate::report::display_path(path)));
    }
    if args.fix && args.stdin_filename.is_some() {
        return buffered(&mut std::io::stderr().lock())
            .map_err(|err| format!("cannot write to standard error: {err}"));
    }
    match buffered(&mut std::io::stdout().lock()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {err}"))
        }
        _ => Ok(()),
    }
}

/// `--stdin-filename PATH` (with `-` or no path): standard input, read whole, as the file at
/// PATH. `-` without it, or another path with it, is a mistake of the command line.
fn read_stdin(args: &CheckArgs) -> Result<Option<crate::check::Stdin>, String> {
    let dash = std::path::Path::new("-");
    let Some(path) = &args.stdin_filename else {
        if args.paths.iter().any(|p| p == dash) {
            return Err(
                "`-` reads standard input as a file: name that file with --stdin-filename PATH"
                    .to_owned(),
            );
        }
        return Ok(None);
    };
    if let Some(other) = args.paths.iter().find(|p| *p != dash) {
        return Err(format!(
            "--stdin-filename lints standard input alone; {} is another path",
            display_path(other)
        ));
    }
    if args.show_files || args.show_settings {
        // Nothing is read: the file is the one named.
        return Ok(Some(crate::check::Stdin {
            path: path.clone(),
            bytes: Vec::new(),
            fixed: Default::default(),
        }));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
        .map_err(|err| format!("cannot read standard input: {err}"))?;
    Ok(Some(crate::check::Stdin {
        path: path.clone(),
        bytes,
        fixed: Default::default(),
    }))
}

/// A format's name on the command line.
fn format_name(format: Format) -> String {
    format
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_owned())
}

/// `--select`, `--extend-select` and `--ignore`; an empty `--select` (`--select ""`) selects
/// nothing of its own, as if it was not given.
fn cli_selection(args: &CheckArgs) -> Result<Selection, String> {
    let parse = |list: &[String]| -> Result<Vec<Selector>, String> {
        list.iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Selector::parse(s))
            .collect()
    };
    let select = parse(&args.select)?;
    Ok(Selection {
        select: (!select.is_empty()).then_some(select),
        extend_select: parse(&args.extend_select)?,
        ignore: parse(&args.ignore)?,
    })
}

/// The settings for `file`: `--config`'s, else the nearest iislint.toml in its folder or above.
fn load_settings(
    explicit: Option<&std::path::Path>,
    file: &std::path::Path,
) -> Result<Settings, String> {
    let path = match explicit {
        Some(path) => Some(path.to_owned()),
        None => crate::paths::absolute(file)
            .parent()
            .and_then(Settings::discover),
    };
    match path {
        None => Ok(Settings::default()),
        Some(path) => crate::settings_tree::load(&path),
    }
}

/// Colour on a terminal unless `NO_COLOR` is set to something (https://no-color.org).
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn list_rules(format: ListFormat) -> u8 {
    let out = match format {
        ListFormat::Human => RULES
            .iter()
            .map(|r| {
                format!(
                    "{:<38} {}  {:<11}  {:<7}  {}\n",
                    r.meta.name,
                    r.meta.code,
                    r.meta.group.as_str(),
                    default_label(r.meta),
                    r.meta.summary
                )
            })
            .collect::<String>(),
        ListFormat::Json => {
            let rules: Vec<_> = RULES.iter().map(|r| rule_json(r.meta, false)).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&rules).expect("serialisable")
            )
        }
    };
    print_or_fail(out.as_bytes())
}

/// `default` for a rule that runs unless deselected, `opt-in` for one that runs only when a
/// selector names it.
fn default_label(meta: &crate::rules::RuleMeta) -> &'static str {
    if meta.default_enabled() {
        "default"
    } else {
        "opt-in"
    }
}

fn rule_json(meta: &crate::rules::RuleMeta, with_doc: bool) -> serde_json::Value {
    let mut value = serde_json::json!({
        "name": meta.name,
        "code": meta.code,
        "group": meta.group.as_str(),
        "default_enabled": meta.default_enabled(),
        "summary": meta.summary,
        "default_severity": meta.default_severity.as_str(),
        "fix": meta.fix.as_str(),
        "options": meta.options.iter().map(|o| serde_json::json!({"name": o.name, "default": o.default})).collect::<Vec<_>>(),
    });
    if with_doc {
        value["doc"] = serde_json::Value::String(meta.doc.to_owned());
    }
    value
}

fn show_rule(name: &str, format: ListFormat) -> u8 {
    let Some(rule) = crate::rules::find(name) else {
        let close = crate::settings::closest_rules(name, 3);
        if close.is_empty() {
            eprintln!("error: unknown rule `{name}`; `iislint rules` lists them");
        } else {
            let list: Vec<String> = close.iter().map(|n| format!("`{n}`")).collect();
            eprintln!(
                "error: unknown rule `{name}`; the closest: {}",
                list.join(", ")
            );
        }
        return EXIT_ERROR;
    };
    let meta = rule.meta;
    let out = match format {
        ListFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&rule_json(meta, true)).expect("serialisable")
        ),
        ListFormat::Human => format!(
            "{} ({})\nGroup: {} ({})\nDefault level: {}\nFix: {}\n\n{}",
            meta.name,
            meta.code,
            meta.group.as_str(),
            if meta.default_enabled() {
                "runs by default"
            } else {
                "runs only when selected"
            },
            meta.default_severity.as_str(),
            meta.fix.as_str(),
            meta.doc
        ),
    };
    print_or_fail(out.as_bytes())
}

/// `iislint init`: a commented `iislint.toml`, never over an existing one.
fn init() -> u8 {
    let path = std::path::Path::new(crate::settings::CONFIG_FILE_NAME);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    let result = file.and_then(|mut f| f.write_all(starter_config().as_bytes()));
    match result {
        Ok(()) => {
            eprintln!(
                "Wrote {}; `iislint check` finds it in this folder and below.",
                path.display()
            );
            EXIT_CLEAN
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; not overwriting it",
                path.display()
            );
            EXIT_ERROR
        }
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", path.display());
            EXIT_ERROR
        }
    }
}

/// The file `iislint init` writes: every setting, commented out at its default. It parses.
pub fn starter_config() -> String {
    use std::fmt::Write as _;
    let defaults = crate::settings::FixSettings::default();
    let mut out = String::from(
        "# iislint.toml: iislint's configuration. Each file is checked with the iislint.toml nearest\n\
         # to it (in its folder or above); `--config FILE` names one for every file. Every setting\n\
         # is optional.\n\
         # `iislint rules` lists the rules, `iislint rule NAME` explains one.\n\
         \n\
         # The site runs on several servers behind a load balancer (the same as --farm).\n\
         farm = false\n\
         \n\
         # Paths not to lint, relative to this file. `*` stays within a folder, `**` crosses folders;\n\
         # matching ignores case, like IIS.\n\
         exclude = [\n\
         \x20   # \"legacy/**\",\n\
         ]\n\
         \n\
         # Files larger than this many MiB are reported, not read.\n\
         max-file-mib = 64\n\
         \n\
         # The deployed configurations to judge: each Web.<NAME>.config beside a web.config is\n\
         # applied as Web Deploy applies it. \"none\" judges the file as written. Default: every\n\
         # transform but Debug (or the file as written when there is none).\n\
         # environments = [\"Release\"]\n\
         \n\
         # Which rules run. Each list takes rule names, codes (IIS101), code prefixes (IIS1), groups\n\
         # (session, correctness, security, hardening) or ALL. By default every group runs but\n\
         # hardening. `select` replaces that default set, `extend-select` adds to it, `ignore`\n\
         # removes from it; a more specific entry wins (a rule over a prefix over a group), and\n\
         # `ignore` wins a tie. --select, --extend-select and --ignore apply after these.\n\
         # select = [\"session\", \"correctness\", \"security\"]\n\
         # extend-select = [\"hardening\"]\n\
         # ignore = []\n\
         \n\
         # A rule's level: \"off\", \"info\", \"warning\" or \"error\". \"off\" is an `ignore` of the rule;\n\
         # `--select` and `--extend-select` on the command line can turn it back on. A level does not\n\
         # select an opt-in rule. Rules left out keep their default level (shown).\n\
         [rules]\n",
    );
    for rule in crate::rules::RULES {
        let meta = rule.meta;
        let _ = writeln!(
            out,
            "# {:<38} # {} ({}{}): {}",
            format!("{} = \"{}\"", meta.name, meta.default_severity.as_str()),
            meta.code,
            meta.group.as_str(),
            if meta.default_enabled() {
                ""
            } else {
                ", opt-in"
            },
            meta.summary
        );
    }
    out.push_str("\n# A rule with options takes a table instead of a level string:\n");
    for rule in crate::rules::RULES {
        let meta = rule.meta;
        if meta.options.is_empty() {
            continue;
        }
        let _ = writeln!(out, "# [rules.{}]", meta.name);
        let _ = writeln!(out, "# level = \"{}\"", meta.default_severity.as_str());
        for option in meta.options {
            let _ = writeln!(
                out,
                "# {} = {}  # at least {}",
                option.name, option.default, option.min
            );
        }
        out.push_str("#\n");
    }
    let _ = write!(
        out,
        "\n\
         # Rules to turn off for some files: a glob (relative to this file) and rule names, codes,\n\
         # prefixes or groups. These win over every selection.\n\
         [per-file-ignores]\n\
         # \"legacy/**/web.config\" = [\"machine-key-missing-on-farm\"]\n\
         \n\
         # applicationHost.config applications and the folders they serve (relative to this file),\n\
         # when their physicalPath does not name them: the pool rules read those web.config files.\n\
         [sites]\n\
         # \"Shop\" = \"src/Shop\"\n\
         # \"Shop/api\" = \"src/Api\"\n\
         \n\
         # What `iislint check --fix` writes.\n\
         [fix]\n\
         # forms-timeout-minutes = {forms}\n\
         # session-timeout-minutes = {session}\n\
         # The longest session time-out a safe fix writes; above it the fix only explains.\n\
         # max-session-minutes = {max_session}\n\
         # Where inproc-session-on-farm moves session state: \"sqlserver\" or \"redis\".\n\
         # session-store = \"redis\"\n\
         # redis-host = \"sessions.redis.cache.windows.net\"\n\
         # redis-port = 6380\n\
         # redis-ssl = true\n\
         # redis-connection-string-name = \"SessionRedis\"\n\
         # sql-connection-string = \"Data Source=sessions-db;Integrated Security=True\"\n\
         # Application pool idle time-out fix: \"disable\" idle shutdown, or raise it to the \"session\" time-out.\n\
         # idle-timeout = \"disable\"\n",
        forms = defaults.forms_timeout_minutes,
        session = defaults.session_timeout_minutes,
        max_session = defaults.max_session_minutes,
    );
    out
}

/// The hook `iislint hook install` writes. It checks the staged content (not the working tree)
/// of the configuration files a commit adds or changes, in a temporary copy at the same
/// relative paths, with the repository's `iislint.toml` next to them.
pub const PRE_COMMIT_HOOK: &str = r#"#!/bin/sh
# iislint pre-commit hook, written by `iislint hook install`.
# Checks the staged web.config, applicationHost.config and Web.*.config files as they will be
# committed and refuses the commit when iislint reports a problem.
# Skip it once with `git commit --no-verify`; set IISLINT to run another iislint binary.
IISLINT="${IISLINT:-iislint}"
files=$(git diff --cached --name-only --diff-filter=ACMR -z | tr '\000' '\n' |
    grep -iE '(^|/)(web(\.[^/]*)?|applicationhost)\.config$')
[ -z "$files" ] && exit 0
if ! command -v "$IISLINT" >/dev/null 2>&1; then
    echo "iislint pre-commit hook: '$IISLINT' is not on PATH (install iislint or set IISLINT)" >&2
    exit 1
fi
top=$(git rev-parse --show-toplevel) || exit 1
cd "$top" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iislint-hook.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# Every staged web.config comes along, so that a nested file still sees its parent's and is not
# mistaken for an application's root; and so do the project files, Global.asax, pages and sources
# that tell iislint which folders are applications and what they use, and the iislint.toml
# files (each file is judged by the nearest one above it). The copy is a repository of its own
# (.git), as the real one is.
{ printf '%s\n' "$files"; git -c core.quotePath=false ls-files | grep -iE '(^|/)web\.config$|(^|/)iislint\.toml$|\.(csproj|vbproj|asax|aspx|ascx|master|cshtml|vbhtml|asmx|ashx|cs|vb)$'; } |
    sort -u | git checkout-index --stdin -f --prefix="$tmp/" || exit 1
mkdir "$tmp/.git" || exit 1
if [ -f iislint.toml ]; then
    cp iislint.toml "$tmp/iislint.toml" || exit 1
fi
cd "$tmp" || exit 1
# One argument per line: names may contain spaces.
IFS='
'
set -f
# --force-exclude: a staged file that iislint.toml's `exclude` names is skipped, as a run over
# the whole repository skips it.
"$IISLINT" check --force-exclude -- $files
status=$?
if [ "$status" -ne 0 ]; then
    echo "iislint: commit refused; fix the problems above (iislint check --fix) and stage the files again" >&2
fi
exit "$status"
"#;

/// `iislint hook install`: writes the pre-commit hook where git looks for it.
fn hook_install(force: bool) -> u8 {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--git-path", "hooks/pre-commit"])
        .output();
    let path = match output {
        Ok(out) if out.status.success() => {
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim_end_matches(['\r', '\n']))
        }
        Ok(out) => {
            eprintln!(
                "error: not in a git repository: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return EXIT_ERROR;
        }
        Err(err) => {
            eprintln!("error: cannot run git: {err}");
            return EXIT_ERROR;
        }
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if existing == PRE_COMMIT_HOOK {
            eprintln!(
                "The iislint pre-commit hook is already installed at {}.",
                path.display()
            );
            return EXIT_CLEAN;
        }
        if !force {
            eprintln!(
                "error: {} already exists; not replacing it (use --force to replace it, or call `iislint check` from it)",
                path.display()
            );
            return EXIT_ERROR;
        }
    } else if path.exists() && !force {
        eprintln!(
            "error: {} already exists; not replacing it (use --force)",
            path.display()
        );
        return EXIT_ERROR;
    }
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, PRE_COMMIT_HOOK))
        .and_then(|()| make_executable(&path));
    match written {
        Ok(()) => {
            eprintln!(
                "Installed the iislint pre-commit hook at {}; it runs `iislint check` on staged web.config and applicationHost.config files.",
                path.display()
            );
            EXIT_CLEAN
        }
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", path.display());
            EXIT_ERROR
        }
    }
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_path: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

/// `iislint completions SHELL`: generated into memory first, because clap_complete panics when
/// it writes to a closed pipe.
fn completions(shell: clap_complete::Shell) -> u8 {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "iislint", &mut out);
    print_or_fail(&out)
}

/// `iislint man`: the man page, in roff.
fn man() -> u8 {
    use clap::CommandFactory;
    let mut out = Vec::new();
    if let Err(err) = clap_mangen::Man::new(Cli::command()).render(&mut out) {
        eprintln!("error: cannot render the man page: {err}");
        return EXIT_ERROR;
    }
    print_or_fail(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn starter_config_parses_and_mentions_every_rule() {
        let text = starter_config();
        let settings = Settings::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        assert!(!settings.farm);
        assert_eq!(
            settings.max_file_bytes,
            crate::settings::DEFAULT_MAX_FILE_BYTES
        );
        for rule in RULES {
            assert!(text.contains(rule.meta.name), "{}", rule.meta.name);
        }
    }
}
