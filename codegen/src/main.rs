//! `cargo run -p codegen` regenerates `generated/` from `schemas/`;
//! `cargo run -p codegen -- --check` exits 1 and names every file that differs;
//! `cargo run -p codegen -- diff OLD NEW [--json]` (or `diff --base REV`) says what a schema change breaks.
//!
//! The command line is declared with clap as the `salesync` binary declares its own (`cli/src/`): doc comments
//! are the help texts, the exit statuses are the `after_help`, `--help` and `--version` come with it, and a
//! usage error is clap's message and exit status 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use codegen::{diff, drift, generate, write, Config, Drift};

const GENERATE_HELP: &str = "\
Without a subcommand, generates the Rust code of the schemas under --schemas (every *.json file) into --out,
replacing what is there. With --check it writes nothing and compares instead: the drift check CI runs.

Exit status:
  0  generated (with --check: the generated code is up to date)
  1  with --check: a generated file differs from what the schemas generate, is missing or is stale (each is
     named)
  2  a usage error, a schema the generator refuses (every problem named file#pointer), or a directory that
     cannot be read or written";

const DIFF_HELP: &str = "\
Compares two schema files or two directories (files are matched by path, then by the endpoint they describe,
so `diff old/x.json new/x_v2.json` compares two versions of one operation), or with --base the schema
directory with the same directory at a git revision. Each change is judged on two axes: wire (does a client
generated from OLD still work against a platform that speaks NEW) and api (does Rust code written against
OLD's generated types compile against NEW's). Prints a Markdown table for a pull request; with --json exactly
one object per change, one per line: {\"schema\", \"pointer\", \"change\", \"wire\", \"api\", \"note\"}.

Exit status:
  0  nothing breaking on either axis (identical schemas print nothing)
  1  something is breaking
  2  a usage error, a schema that does not load (every problem named file#pointer), or a revision git cannot
     read";

/// Generates salesync's Rust models, validation and calls from the JSON Schemas in schemas/, and says what a
/// schema change breaks.
#[derive(Parser, Debug)]
#[command(
    name = "codegen",
    version,
    about,
    propagate_version = true,
    after_help = GENERATE_HELP,
    // `codegen --check diff` mixes the two commands: refused, as the hand-written parser refused it.
    args_conflicts_with_subcommands = true,
    // A flag or option given twice is taken once (the last value), as the hand-written parser took it.
    args_override_self = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    generate: GenerateArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Say what a schema change breaks: OLD against NEW, or the schemas against a git revision's.
    Diff(DiffArgs),
}

/// Arguments of `codegen` without a subcommand: generate, or check.
#[derive(Args, Debug)]
struct GenerateArgs {
    /// Write nothing: compare with --out and name every file that differs (exit 1)
    #[arg(long)]
    check: bool,

    /// The schema directory [default: the workspace's schemas/]
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,

    /// The directory of generated code [default: the workspace's generated/]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Arguments of `codegen diff`: OLD and NEW, or --base.
#[derive(Args, Debug)]
#[command(after_help = DIFF_HELP)]
struct DiffArgs {
    /// The schemas before the change: a file or a directory
    #[arg(
        value_name = "OLD",
        required_unless_present = "base",
        conflicts_with = "base"
    )]
    old: Option<PathBuf>,

    /// The schemas after the change: a file or a directory, as OLD is
    #[arg(
        value_name = "NEW",
        required_unless_present = "base",
        conflicts_with = "base"
    )]
    new: Option<PathBuf>,

    /// Instead of OLD and NEW: the schema directory at this git revision (main, a tag, a commit) and now
    #[arg(long, value_name = "REV")]
    base: Option<String>,

    /// With --base: the schema directory, in a git work tree [default: the workspace's schemas/]
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,

    /// One JSON object per change, one per line, instead of the Markdown table
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    // Usage errors (an unknown argument, OLD without NEW, OLD and NEW with --base) make clap exit with status 2;
    // --help and --version exit 0.
    let cli = Cli::parse();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = Config::for_workspace(&workspace);
    match cli.command {
        Some(Command::Diff(args)) => run_diff(args, config.schema_dir),
        None => run_generate(cli.generate, config),
    }
}

/// Generates from the schemas, then writes the files or, with --check, reports the drift.
fn run_generate(args: GenerateArgs, mut config: Config) -> ExitCode {
    if let Some(dir) = args.schemas {
        config.schema_dir = dir;
    }
    if let Some(dir) = args.out {
        config.out_dir = dir;
    }
    let files = match generate(&config) {
        Ok(files) => files,
        Err(diagnostics) => {
            eprint!("{diagnostics}");
            return ExitCode::from(2);
        }
    };
    if args.check {
        return report_drift(&config, &files);
    }
    match write(&config.out_dir, &files) {
        Ok(()) => {
            println!(
                "generated {} files into {}",
                files.len(),
                config.out_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cannot write {}: {err}", config.out_dir.display());
            ExitCode::from(2)
        }
    }
}

/// `diff OLD NEW [--json]` or `diff --base REV [--schemas DIR] [--json]`: exit 0 when nothing breaks, 1 when
/// something does, 2 when a schema does not load or the revision cannot be read (clap has refused bad usage).
fn run_diff(args: DiffArgs, schemas: PathBuf) -> ExitCode {
    let schema_dir = args.schemas.unwrap_or(schemas);
    let checkout;
    let (old, new) = match (args.base, args.old, args.new) {
        (Some(rev), None, None) => {
            checkout = match diff::git::checkout(&schema_dir, &rev) {
                Ok(checkout) => checkout,
                Err(message) => {
                    eprintln!("cannot read the schemas at `{rev}`: {message}");
                    return ExitCode::from(2);
                }
            };
            (checkout.dir.clone(), schema_dir)
        }
        (None, Some(old), Some(new)) => (old, new),
        // Unreachable past clap's checks (OLD and NEW are required without --base and refused with it);
        // kept an error, never a panic.
        _ => {
            eprintln!("codegen diff: give OLD and NEW, or --base REV");
            return ExitCode::from(2);
        }
    };
    let models = |path: &Path, side: &str| {
        diff::models(path).map_err(|found| eprint!("in {side} ({}):\n{found}", path.display()))
    };
    let (Ok(old), Ok(new)) = (models(&old, "OLD"), models(&new, "NEW")) else {
        return ExitCode::from(2);
    };
    let changes = diff::diff(&old, &new);
    if args.json {
        print!("{}", diff::json_lines(&changes));
    } else {
        print!("{}", diff::markdown(&changes));
    }
    if changes.iter().any(diff::Change::is_breaking) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn report_drift(config: &Config, files: &[codegen::GeneratedFile]) -> ExitCode {
    let found = match drift(&config.out_dir, files) {
        Ok(found) => found,
        Err(err) => {
            eprintln!("cannot read {}: {err}", config.out_dir.display());
            return ExitCode::from(2);
        }
    };
    if found.is_empty() {
        println!("generated code is up to date ({} files)", files.len());
        return ExitCode::SUCCESS;
    }
    for drift in &found {
        match drift {
            Drift::Missing(path) => eprintln!("drift: generated/{} is missing", path.display()),
            Drift::Changed { path, line } => {
                eprintln!(
                    "drift: generated/{} differs from the schemas, first at line {line}",
                    path.display()
                )
            }
            Drift::Stale(path) => eprintln!(
                "drift: generated/{} is not generated by any schema",
                path.display()
            ),
        }
    }
    eprintln!("run `cargo run -p codegen` and commit the result");
    ExitCode::FAILURE
}
