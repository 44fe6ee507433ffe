//! The command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check::{CheckOptions, FixMode};
use crate::fix::Applicability;
use crate::report::human::HumanOptions;
use crate::rules::RULES;
use crate::settings::{SessionStore, Settings};

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
    /// List every rule, one per line, name first.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Rule {
        /// The rule's name (or code).
        name: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to lint.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
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
    /// Use this configuration file instead of searching for iislint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Run only these rules (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Do not run these rules (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Where the inproc-session-on-farm fix moves session state.
    #[arg(long, value_enum)]
    pub session_store: Option<StoreArg>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
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
        Command::Check(args) => check(&args),
        Command::Rules { format } => list_rules(format),
        Command::Rule { name, format } => show_rule(&name, format),
    };
    ExitCode::from(code)
}

/// Writes to stdout; a closed pipe (`iislint rules | head -1`) ends quietly.
pub fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn check(args: &CheckArgs) -> u8 {
    let settings = match load_settings(args.config.as_deref()) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let mut settings = settings;
    if let Some(store) = args.session_store {
        settings.fix.session_store = Some(match store {
            StoreArg::Sqlserver => SessionStore::SqlServer,
            StoreArg::Redis => SessionStore::Redis,
        });
    }
    let names = |list: &[String]| -> Result<Vec<&'static str>, String> {
        list.iter()
            .filter(|n| !n.is_empty())
            .map(|n| crate::settings::rule_name(n, 0..0).map_err(|(m, _)| m))
            .collect()
    };
    let (select, ignore) = match (names(&args.select), names(&args.ignore)) {
        (Ok(s), Ok(i)) => (s, i),
        (Err(message), _) | (_, Err(message)) => {
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
    let options = CheckOptions {
        paths: args.paths.clone(),
        farm: args.farm,
        select,
        ignore,
        fix,
    };
    let run = crate::check::run(&options, &settings);

    if let FixMode::Diff(_) = fix {
        let diffs: String = run.files.iter().filter_map(|f| f.diff.as_deref()).collect();
        print_stdout(&diffs);
        let errors: String = run
            .files
            .iter()
            .filter_map(|f| {
                f.error.as_ref().map(|e| {
                    format!(
                        "error: {}:{}:{}: {}\n",
                        f.display, e.line, e.column, e.message
                    )
                })
            })
            .collect();
        eprint!("{errors}");
        return if run.error_count() > 0 {
            EXIT_ERROR
        } else if diffs.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FOUND
        };
    }
    let output = match args.format {
        Format::Json => crate::report::json::render(&run),
        Format::Human => crate::report::human::render(
            &run,
            &HumanOptions {
                color: use_color(args.color),
            },
        ),
    };
    print_stdout(&output);
    if run.error_count() > 0 {
        EXIT_ERROR
    } else if run.diagnostic_count() > 0 {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    }
}

fn load_settings(explicit: Option<&std::path::Path>) -> Result<Settings, String> {
    let path = match explicit {
        Some(path) => Some(path.to_owned()),
        None => std::env::current_dir()
            .ok()
            .and_then(|cwd| Settings::discover(&cwd)),
    };
    match path {
        None => Ok(Settings::default()),
        Some(path) => Settings::load(&path).map_err(|e| {
            format!(
                "{}:{}:{}: {}",
                crate::report::display_path(&e.path),
                e.line,
                e.column,
                e.message
            )
        }),
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
            .map(|r| format!("{:<38} {}  {}\n", r.meta.name, r.meta.code, r.meta.summary))
            .collect::<String>(),
        ListFormat::Json => {
            let rules: Vec<_> = RULES.iter().map(|r| rule_json(r.meta, false)).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&rules).expect("serialisable")
            )
        }
    };
    print_stdout(&out);
    EXIT_CLEAN
}

fn rule_json(meta: &crate::rules::RuleMeta, with_doc: bool) -> serde_json::Value {
    let mut value = serde_json::json!({
        "name": meta.name,
        "code": meta.code,
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
        eprintln!("error: {}", crate::settings::unknown_rule_message(name));
        return EXIT_ERROR;
    };
    let meta = rule.meta;
    let out = match format {
        ListFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&rule_json(meta, true)).expect("serialisable")
        ),
        ListFormat::Human => format!(
            "{} ({})\nDefault level: {}\nFix: {}\n\n{}",
            meta.name,
            meta.code,
            meta.default_severity.as_str(),
            meta.fix.as_str(),
            meta.doc
        ),
    };
    print_stdout(&out);
    EXIT_CLEAN
}
