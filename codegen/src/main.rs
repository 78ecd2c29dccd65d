//! `cargo run -p codegen` regenerates `generated/` from `schemas/`;
//! `cargo run -p codegen -- --check` exits 1 and names every file that differs;
//! `cargo run -p codegen -- diff OLD NEW [--json]` (or `diff --base REV`) says what a schema change breaks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codegen::{diff, drift, generate, write, Config, Drift};

const USAGE: &str = "usage: codegen [--check] [--schemas DIR] [--out DIR]\n       codegen diff OLD NEW [--json]\n       codegen diff --base REV [--schemas DIR] [--json]";

fn main() -> ExitCode {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut config = Config::for_workspace(&workspace);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("diff") {
        return run_diff(&args[1..], &config.schema_dir);
    }
    let mut check = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--schemas" | "--out" => {
                let Some(dir) = args.next() else {
                    return usage(&format!("`{arg}` needs a directory"));
                };
                if arg == "--schemas" {
                    config.schema_dir = PathBuf::from(dir);
                } else {
                    config.out_dir = PathBuf::from(dir);
                }
            }
            other => return usage(&format!("unexpected argument `{other}`")),
        }
    }
    let files = match generate(&config) {
        Ok(files) => files,
        Err(diagnostics) => {
            eprint!("{diagnostics}");
            return ExitCode::from(2);
        }
    };
    if check {
        report_drift(&config, &files)
    } else {
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
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("{problem}\n{USAGE}");
    ExitCode::from(2)
}

/// `diff OLD NEW [--json]` or `diff --base REV [--schemas DIR] [--json]`: exit 0 when nothing breaks, 1 when
/// something does, 2 on a usage or schema error.
fn run_diff(args: &[String], schemas: &Path) -> ExitCode {
    let mut json = false;
    let mut base = None;
    let mut schema_dir = schemas.to_path_buf();
    let mut paths = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--base" | "--schemas" => {
                let Some(value) = args.next() else {
                    return usage(&format!("`{arg}` needs a value"));
                };
                if arg == "--base" {
                    base = Some(value.clone());
                } else {
                    schema_dir = PathBuf::from(value);
                }
            }
            flag if flag.starts_with("--") => return usage(&format!("unknown option `{flag}`")),
            path => paths.push(PathBuf::from(path)),
        }
    }
    let checkout;
    let (old, new) = match (base, paths.as_slice()) {
        (Some(rev), []) => {
            checkout = match diff::git::checkout(&schema_dir, &rev) {
                Ok(checkout) => checkout,
                Err(message) => {
                    eprintln!("cannot read the schemas at `{rev}`: {message}");
                    return ExitCode::from(2);
                }
            };
            (checkout.dir.clone(), schema_dir)
        }
        (None, [old, new]) => (old.clone(), new.clone()),
        _ => return usage("give OLD and NEW, or --base REV"),
    };
    let models = |path: &Path, side: &str| {
        diff::models(path).map_err(|found| eprint!("in {side} ({}):\n{found}", path.display()))
    };
    let (Ok(old), Ok(new)) = (models(&old, "OLD"), models(&new, "NEW")) else {
        return ExitCode::from(2);
    };
    let changes = diff::diff(&old, &new);
    if json {
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
