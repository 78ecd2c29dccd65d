//! The scratch crate: every accepted endpoint in `src/generated/`, the runner in `src/main.rs`, and in
//! `src/responses.rs` the parse of each endpoint's response body by name (for placements in a response).
//!
//! It lives in `target/<name>/` and depends on salesync by path, like `tests/evolution.rs`'s consumer, and
//! builds into the workspace's own target directory: salesync and its dependencies are compiled once and
//! shared by every scratch crate (same manifest, same lock file) and every run; unchanged generated files are
//! not rewritten, so a run whose schemas did not change builds nothing. The debug profile (without debug info
//! for the generated code, the bulk of the work) keeps a build of hundreds of endpoints within CI's time.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::GeneratedFile;

use super::culprits;
use super::generate::{self, copy_subset, set_aside, Accepted};
use super::run::RUNNER;
use super::wrap::{SchemaFiles, VENDOR};

/// A scratch crate in the workspace's target directory.
#[derive(Debug, Clone)]
pub struct ScratchCrate {
    /// `target/<name>`.
    pub dir: PathBuf,
    /// The workspace's target directory, which cargo builds into.
    target: PathBuf,
    name: String,
    /// The crate is built once with each of these feature sets; code must compile with all.
    feature_sets: Vec<Vec<String>>,
    /// Whether `src/responses.rs` names the endpoints (else it names none, and costs nothing to build).
    responses: bool,
}

/// What building the accepted endpoints gave.
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// The runner, when the crate compiled.
    pub binary: Option<PathBuf>,
    /// Schema file -> the generator's diagnostics, over every generator run.
    pub refused: BTreeMap<String, String>,
    /// Operation -> rustc's errors in its code.
    pub not_compiled: BTreeMap<String, String>,
    /// rustc's errors that named no endpoint.
    pub unattributed: Vec<String>,
    pub generator_runs: usize,
    pub builds: usize,
}

impl ScratchCrate {
    /// Writes the manifest and the runner of `target/<name>`, and clears what an earlier run set aside.
    pub fn new(name: &str) -> io::Result<ScratchCrate> {
        let exe = std::env::current_exe()?;
        // target/debug/deps/<test>-<hash>
        let target = exe
            .ancestors()
            .nth(3)
            .ok_or_else(|| io::Error::other("the test binary is not in target/<profile>/deps"))?
            .to_path_buf();
        let dir = target.join(name);
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .canonicalize()?;
        fs::create_dir_all(dir.join("src"))?;
        for old in ["refused", "not-compiling", "schemas.bisect"] {
            if dir.join(old).exists() {
                fs::remove_dir_all(dir.join(old))?;
            }
        }
        let root_manifest = fs::read_to_string(workspace.join("Cargo.toml"))?;
        write_if_changed(
            &dir.join("Cargo.toml"),
            &manifest(name, &workspace, &root_manifest)?,
        )?;
        write_if_changed(&dir.join("src/main.rs"), RUNNER)?;
        let lock = fs::read_to_string(workspace.join("Cargo.lock"))?;
        write_if_changed(&dir.join("Cargo.lock"), &lock)?;
        Ok(ScratchCrate {
            dir,
            target,
            name: name.to_owned(),
            feature_sets: vec![Vec::new()],
            responses: false,
        })
    }

    /// Builds with each of `sets` (at least the default set when empty).
    pub fn with_feature_sets(mut self, sets: &[Vec<String>]) -> ScratchCrate {
        self.feature_sets = if sets.is_empty() {
            vec![Vec::new()]
        } else {
            sets.to_vec()
        };
        self
    }

    /// Whether the runner can parse response bodies (a dispatch over every endpoint's `Response` type).
    pub fn parsing_responses(mut self, responses: bool) -> ScratchCrate {
        self.responses = responses;
        self
    }

    /// Where the wrapped schemas go.
    pub fn schema_dir(&self) -> PathBuf {
        self.dir.join("schemas")
    }

    fn generated_dir(&self) -> PathBuf {
        self.dir.join("src/generated")
    }

    /// The runner binary cargo builds.
    pub fn binary(&self) -> PathBuf {
        self.target
            .join("debug")
            .join(format!("{}{}", self.name, std::env::consts::EXE_SUFFIX))
    }

    /// Puts `files` in `src/generated/`, rewriting only what changed and removing what is gone, and the
    /// response dispatch over their endpoints in `src/responses.rs`.
    fn write_generated(&self, files: &[GeneratedFile]) -> io::Result<()> {
        codegen::write(&self.generated_dir(), files)?;
        let endpoints = if self.responses {
            endpoint_markers(files)
        } else {
            Vec::new()
        };
        write_if_changed(
            &self.dir.join("src/responses.rs"),
            &responses_module(&endpoints),
        )
    }

    /// `cargo build` with each feature set, offline; the first that fails: its features, and rustc's short
    /// messages.
    fn build(&self) -> Result<(), String> {
        for features in &self.feature_sets {
            self.build_with(features).map_err(|stderr| {
                if features.is_empty() {
                    stderr
                } else {
                    // Attribution reads the error lines themselves; the features are said once, apart.
                    format!("(built with --features {})\n{stderr}", features.join(","))
                }
            })?;
        }
        Ok(())
    }

    fn build_with(&self, features: &[String]) -> Result<(), String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command.args(["build", "--offline", "--quiet", "--message-format", "short"]);
        if !features.is_empty() {
            command.args(["--features", &features.join(",")]);
        }
        let output = command
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .output()
            .map_err(|err| format!("cannot run cargo: {err}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    /// Builds the accepted endpoints; an endpoint whose code does not compile is named from rustc's messages
    /// (by halving when they name none), set aside, and the rest generated and built again.
    pub fn build_accepting(
        &self,
        schema_dir: &Path,
        files: &SchemaFiles,
        accepted: Accepted,
    ) -> Built {
        let mut built = Built {
            refused: accepted.refused.clone(),
            generator_runs: 0,
            ..Built::default()
        };
        let mut accepted = accepted;
        loop {
            if let Err(err) = self.write_generated(&accepted.files) {
                panic!("cannot write {}: {err}", self.generated_dir().display());
            }
            built.builds += 1;
            let stderr = match self.build() {
                Ok(()) => {
                    built.binary = Some(self.binary());
                    return built;
                }
                Err(stderr) => stderr,
            };
            let present = present_operations(schema_dir, files);
            let (mut blamed, rest) = attribute(&stderr, &present, &self.generated_dir());
            if blamed.is_empty() {
                built.unattributed.extend(rest.iter().cloned());
                blamed = self.blame_by_halving(schema_dir, files, &present, &rest);
            }
            if blamed.is_empty() {
                // Nothing to pin the errors on (salesync itself does not build?): no endpoint runs.
                let errors = if rest.is_empty() {
                    stderr
                } else {
                    rest.join("\n")
                };
                for operation in present {
                    built.not_compiled.insert(operation, errors.clone());
                }
                return built;
            }
            let features = stderr
                .lines()
                .next()
                .filter(|line| line.starts_with("(built with"));
            for (operation, errors) in blamed {
                let errors = with_source_lines(&errors, &self.dir);
                let errors = match features {
                    Some(features) => format!("{features}\n{errors}"),
                    None => errors,
                };
                self.keep_not_compiling(&operation);
                set_aside(schema_dir, &files.file_of(&operation), "not-compiling");
                built.not_compiled.insert(operation, errors);
            }
            accepted = generate::accepting(schema_dir);
            built.generator_runs += accepted.runs;
            built.refused.extend(accepted.refused.clone());
        }
    }

    /// A copy of the generated module of `operation` in `not-compiling/`, where it can be read after the
    /// next generation removes it.
    fn keep_not_compiling(&self, operation: &str) {
        let module = self
            .generated_dir()
            .join(VENDOR)
            .join(format!("{operation}.rs"));
        let kept = self
            .dir
            .join("not-compiling")
            .join(format!("{operation}.rs"));
        if let Some(parent) = kept.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::copy(module, kept);
    }

    /// The operations whose code fails to build by itself, each with the unattributed errors; none when the
    /// crate fails without any endpoint.
    fn blame_by_halving(
        &self,
        schema_dir: &Path,
        files: &SchemaFiles,
        present: &BTreeSet<String>,
        errors: &[String],
    ) -> BTreeMap<String, Vec<String>> {
        let subset_dir = schema_dir.with_extension("bisect");
        let operations: Vec<String> = present.iter().cloned().collect();
        let mut fails = |subset: &[String]| {
            let mut subset_files: Vec<String> = subset.iter().map(|op| files.file_of(op)).collect();
            subset_files.extend(files.extra.iter().cloned());
            subset_files.retain(|file| schema_dir.join(file).exists());
            copy_subset(schema_dir, &subset_files, &subset_dir).is_ok()
                && generate::generate(&subset_dir)
                    .is_ok_and(|generated| self.write_generated(&generated).is_ok())
                && self.build().is_err()
        };
        // A crate with no endpoint that fails too: the fault is nobody's (halving would blame everyone, at
        // two builds each).
        if fails(&[]) {
            return BTreeMap::new();
        }
        culprits(&operations, &mut fails)
            .into_iter()
            .map(|operation| (operation, errors.to_vec()))
            .collect()
    }
}

/// The operations whose schema files are still in the schema directory.
fn present_operations(schema_dir: &Path, files: &SchemaFiles) -> BTreeSet<String> {
    files
        .operations
        .iter()
        .filter(|(file, _)| schema_dir.join(file).exists())
        .map(|(_, operation)| operation.clone())
        .collect()
}

/// rustc's error lines (`src/generated/shopline/x_3.rs:12:5: error[E0308]: ...`) by the operation whose
/// module they are in, and the lines that name none. An error in a `mod.rs` (the registry, a vendor module)
/// is pinned on the operation its line names.
pub fn attribute(
    stderr: &str,
    operations: &BTreeSet<String>,
    generated: &Path,
) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut blamed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut rest = Vec::new();
    for line in stderr.lines().filter(|line| is_error(line)) {
        match operation_of(line, operations, generated) {
            Some(operation) => blamed.entry(operation).or_default().push(line.to_owned()),
            None => rest.push(line.to_owned()),
        }
    }
    (blamed, rest)
}

/// An error of rustc, not cargo's closing summary.
fn is_error(line: &str) -> bool {
    (line.contains(": error") || line.starts_with("error"))
        && !line.starts_with("error: could not compile")
}

/// The operation an error line is about: by its file, or by what its line of a `mod.rs` names.
fn operation_of(line: &str, operations: &BTreeSet<String>, generated: &Path) -> Option<String> {
    let (location, _) = line.split_once(": error")?;
    let mut parts = location.rsplitn(3, ':');
    let (_column, line_number, path) = (parts.next()?, parts.next()?, parts.next()?);
    let inside = path.strip_prefix("src/generated/")?;
    let segments: Vec<&str> = inside.split('/').collect();
    let module = match segments.as_slice() {
        [vendor, file] if *vendor == VENDOR && *file != "mod.rs" => file.strip_suffix(".rs"),
        [vendor, operation, _] if *vendor == VENDOR => Some(*operation),
        _ => None,
    };
    if let Some(module) = module.filter(|m| operations.contains(*m)) {
        return Some(module.to_owned());
    }
    let number: usize = line_number.parse().ok()?;
    let text = fs::read_to_string(generated.join(inside)).ok()?;
    let source = text.lines().nth(number.checked_sub(1)?)?;
    source
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|word| operations.contains(*word))
        .map(str::to_owned)
}

/// The scratch crate's manifest: its own workspace (it sits inside ours); salesync by path, without its
/// default TLS backend (the runner sends nothing, and aws-lc's C build would be most of a cold build), and
/// serde, which the generated code names itself. Its feature `schemars` is salesync's, plus the `schemars`
/// crate the generated derives name: the line of the root manifest (`root_manifest`), so its version and
/// features are salesync's own.
fn manifest(name: &str, workspace: &Path, root_manifest: &str) -> io::Result<String> {
    let schemars = root_manifest
        .lines()
        .find(|line| line.starts_with("schemars ="))
        .ok_or_else(|| {
            io::Error::other("the root Cargo.toml has no `schemars = ...` dependency")
        })?;
    Ok(format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nsalesync = {{ path = {:?}, default-features = false }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\
         # The root manifest's own line (optional there too).\n{schemars}\n\n\
         [features]\nschemars = [\"dep:schemars\", \"salesync/schemars\"]\n\n\
         # The generated code's debug info is most of a build of hundreds of endpoints and no test reads it;\n\
         # salesync's profile stays the default, so its build is shared with the other scratch crates.\n\
         [profile.dev.package.{name}]\ndebug = false\n\n[workspace]\n",
        workspace.display().to_string()
    ))
}

/// `(operation, marker type)` of every endpoint module among `files` (`shopline/<operation>.rs` that
/// defines the endpoint's marker; shared-definition modules define none).
fn endpoint_markers(files: &[GeneratedFile]) -> Vec<(String, String)> {
    files
        .iter()
        .filter_map(|file| {
            let parts: Vec<String> = file
                .path
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let [vendor, module] = parts.as_slice() else {
                return None;
            };
            let operation = module.strip_suffix(".rs")?;
            if vendor != VENDOR || operation == "mod" {
                return None;
            }
            let marker = codegen::model::marker_name(operation);
            let defined = format!("pub struct {marker};");
            file.contents
                .contains(&defined)
                .then(|| (operation.to_owned(), marker))
        })
        .collect()
}

/// `src/responses.rs`: `parse(operation, body)` reads a response body with the endpoint's `Response` type.
fn responses_module(endpoints: &[(String, String)]) -> String {
    let mut arms = String::new();
    for (operation, marker) in endpoints {
        arms.push_str(&format!(
            "        {operation:?} => parse_as::<crate::generated::{VENDOR}::{operation}::{marker}>(body),\n"
        ));
    }
    format!(
        "//! Parses response bodies by endpoint name (written by codegen/tests/integration/harness; do not edit).\n\n\
         /// `None` when no endpoint has that name; else the parse error, if any.\n\
         #[allow(unused_variables)]\n\
         pub fn parse(operation: &str, body: &str) -> Option<Result<(), String>> {{\n    \
         Some(match operation {{\n{arms}        _ => return None,\n    }})\n}}\n\n\
         #[allow(dead_code)]\n\
         fn parse_as<O: salesync::runtime::Operation>(body: &str) -> Result<(), String> {{\n    \
         let value: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;\n    \
         <O::Response as salesync::runtime::ResponseBody>::from_json(value)\n        \
         .map(drop)\n        .map_err(|e| e.to_string())\n}}\n"
    )
}

/// Each error line followed by the source line it points at (`    | <code>`), when it points into a file
/// of the crate.
fn with_source_lines(errors: &[String], crate_dir: &Path) -> String {
    let mut out = Vec::new();
    for error in errors {
        out.push(error.clone());
        let source = error.split_once(": error").and_then(|(location, _)| {
            let mut parts = location.rsplitn(3, ':');
            let (_column, line, path) = (parts.next()?, parts.next()?, parts.next()?);
            let number: usize = line.parse().ok()?;
            let text = fs::read_to_string(crate_dir.join(path)).ok()?;
            text.lines().nth(number.checked_sub(1)?).map(str::to_owned)
        });
        if let Some(source) = source {
            out.push(format!("    | {}", source.trim()));
        }
    }
    out.join("\n")
}

fn write_if_changed(path: &Path, contents: &str) -> io::Result<()> {
    if fs::read_to_string(path).ok().as_deref() != Some(contents) {
        fs::write(path, contents)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_pinned_on_the_module_they_are_in() {
        let operations: BTreeSet<String> = ["ref_3", "type_0"].map(String::from).into();
        let stderr = "warning: unused import\n\
            src/generated/shopline/ref_3.rs:12:5: error[E0308]: mismatched types\n\
            src/generated/shopline/type_0/v1.rs:1:1: error: expected item\n\
            error[E0463]: can't find crate for `salesync`\n\
            error: could not compile `suite-crate` (bin \"suite-crate\") due to 3 previous errors\n";
        let (blamed, rest) = attribute(stderr, &operations, Path::new("/nonexistent"));
        assert_eq!(blamed.keys().collect::<Vec<_>>(), ["ref_3", "type_0"]);
        assert_eq!(rest, ["error[E0463]: can't find crate for `salesync`"]);
    }
}
