//! The generator over the schema directory, through its library API, setting aside the files it refuses.
//!
//! `codegen::generate` gives every file or none: its diagnostics name every problem of every file at once
//! (`shopline/x_3.json#/$defs/V/not: unsupported keyword ...`), so one run tells which files it refuses. Those
//! are moved out of the directory and the generator runs again on the rest, which it then accepts (a second
//! run can only refuse more when a file depended on a refused one, e.g. a shared document).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{Config, Diagnostics, GeneratedFile, Runtime};

use super::culprits;
use super::wrap::relative;

/// What the generator accepted, and what it refused.
#[derive(Debug, Clone, Default)]
pub struct Accepted {
    /// The generated files, relative to the generated module's directory.
    pub files: Vec<GeneratedFile>,
    /// Schema file (relative to the schema directory) -> the diagnostics that refused it, one a line.
    pub refused: BTreeMap<String, String>,
    /// How many times the generator ran.
    pub runs: usize,
}

/// The runtime path the scratch crate's generated code uses.
pub fn runtime() -> Runtime {
    Runtime::new("::salesync::runtime")
}

/// The message a panic of the generator is reported with, as a diagnostic that names no file (the files
/// that make it panic are then found by halving).
pub const PANICKED: &str = "the generator panicked";

/// One run of the generator over `dir`. A panic is caught and becomes a diagnostic naming no file, starting
/// with [`PANICKED`], so that a schema that makes the generator panic is set aside and reported like a
/// refused one instead of ending the test before it says which schema it was.
pub fn generate(dir: &Path) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let config = Config {
        schema_dir: dir.to_path_buf(),
        // Never written: the files are returned.
        out_dir: dir.join("unused"),
        runtime: runtime(),
    };
    std::panic::catch_unwind(|| codegen::generate(&config)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Err(Diagnostics(vec![codegen::Diagnostic {
            file: String::new(),
            pointer: String::new(),
            message: format!("{PANICKED}: {message}"),
        }]))
    })
}

/// Runs the generator over `dir` until it accepts every file left in it; each refused file is moved to
/// `<dir>/../refused/` with the diagnostics that name it. Diagnostics that name no file left (a problem of
/// the registry module, say) are pinned on files by halving the directory.
pub fn accepting(dir: &Path) -> Accepted {
    let mut accepted = Accepted::default();
    loop {
        accepted.runs += 1;
        let found = match generate(dir) {
            Ok(generated) => {
                accepted.files = generated;
                return accepted;
            }
            Err(Diagnostics(found)) => found,
        };
        let present = schema_files(dir);
        if present.is_empty() {
            // Refused with no file left: there is nothing to generate.
            return accepted;
        }
        let mut named: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for diagnostic in &found {
            if present.contains(&diagnostic.file) {
                named
                    .entry(diagnostic.file.clone())
                    .or_default()
                    .push(diagnostic.to_string());
            }
        }
        if named.is_empty() {
            named = blame_by_halving(dir, &present, &found);
        }
        if named.is_empty() {
            // Nothing left to set aside: every file is refused by what cannot be pinned on one.
            named = present
                .iter()
                .map(|file| (file.clone(), lines(&found)))
                .collect();
        }
        for (file, why) in named {
            set_aside(dir, &file, "refused");
            accepted.refused.insert(file, why.join("\n"));
        }
    }
}

/// The files that fail by themselves when the diagnostics name none of them: each with its own diagnostics
/// when it fails alone, else with the whole run's.
fn blame_by_halving(
    dir: &Path,
    present: &[String],
    found: &[codegen::Diagnostic],
) -> BTreeMap<String, Vec<String>> {
    let scratch = dir.with_extension("bisect");
    let mut fails = |subset: &[String]| {
        copy_subset(dir, subset, &scratch).is_ok() && generate(&scratch).is_err()
    };
    // The generator refusing an empty directory: the fault is no file's.
    if fails(&[]) {
        return BTreeMap::new();
    }
    let blamed = culprits(present, &mut fails);
    blamed
        .into_iter()
        .map(|file| {
            let own = copy_subset(dir, std::slice::from_ref(&file), &scratch)
                .ok()
                .and_then(|()| generate(&scratch).err())
                .map_or_else(|| lines(found), |Diagnostics(d)| lines(&d));
            (file, own)
        })
        .collect()
}

fn lines(diagnostics: &[codegen::Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(ToString::to_string).collect()
}

/// A fresh `to` holding the files `subset` of `from`.
pub fn copy_subset(from: &Path, subset: &[String], to: &Path) -> io::Result<()> {
    if to.exists() {
        fs::remove_dir_all(to)?;
    }
    fs::create_dir_all(to)?;
    for file in subset {
        let target = to.join(file);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(from.join(file), target)?;
    }
    Ok(())
}

/// Moves `file` of `dir` to `<dir>/../<why>/<file>`, where it can still be read.
pub fn set_aside(dir: &Path, file: &str, why: &str) {
    let to = dir.with_file_name(why).join(file);
    if let Some(parent) = to.parent() {
        let _ = fs::create_dir_all(parent);
    }
    if fs::rename(dir.join(file), &to).is_err() {
        let _ = fs::remove_file(dir.join(file));
    }
}

/// Every `.json` file below `dir`, relative to it with `/` separators, sorted.
pub fn schema_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(sub) = pending.pop() {
        let Ok(entries) = fs::read_dir(dir.join(&sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = sub.join(entry.file_name());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(relative(&path));
            }
        }
    }
    out.sort();
    out
}
