//! The salesync generator: JSON Schemas in `schemas/` -> Rust models, validation and endpoint
//! descriptions in `generated/`.
//!
//! The data flows one way, one module per step:
//! [`load`] (files -> [`schema::Document`]) -> [`lower`] (-> [`model::Module`]) -> [`emit`] (-> tokens)
//! -> [`render`] (-> formatted text).

pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod load;
pub mod lower;
pub mod model;
pub mod render;
pub mod schema;
mod written;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use diagnostic::{Diagnostic, Diagnostics};
pub use emit::Runtime;

/// What to generate from where.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory of schema files (`schemas/`); every `*.json` below it is one endpoint.
    pub schema_dir: PathBuf,
    /// Directory the Rust files go to (`generated/`).
    pub out_dir: PathBuf,
    /// Rust path of the runtime the generated code uses.
    pub runtime: Runtime,
}

impl Config {
    /// The layout of the salesync workspace rooted at `root`.
    pub fn for_workspace(root: &Path) -> Self {
        Config {
            schema_dir: root.join("schemas"),
            out_dir: root.join("generated"),
            runtime: Runtime::new("crate::runtime").with_clients("crate"),
        }
    }
}

/// One file the generator produces, relative to [`Config::out_dir`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}

/// Generates every file from the schemas; every problem in every schema is reported at once.
pub fn generate(config: &Config) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let loaded = load::load_dir(&config.schema_dir).map_err(Diagnostics)?;
    let modules = lower::lower_all(&loaded).map_err(Diagnostics)?;
    emit_files(&modules, &config.runtime).map_err(Diagnostics)
}

/// The module generated from one schema text (for tests and tools that work on a single file).
pub fn generate_module(file: &str, text: &str, runtime: &Runtime) -> Result<String, Diagnostics> {
    let loaded = load::parse(file, text);
    let modules = lower::lower_all(std::slice::from_ref(&loaded)).map_err(Diagnostics)?;
    let module = &modules[0];
    let source = format!("schemas/{file}");
    render::render(emit::module(module, runtime), &source)
        .map_err(|err| Diagnostics(vec![render_error(file, err)]))
}

fn emit_files(
    modules: &[model::Module],
    runtime: &Runtime,
) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let rendered = |tokens, source: &str, file: &str| {
        render::render(tokens, source).map_err(|err| vec![render_error(file, err)])
    };
    for module in modules {
        let source = format!("schemas/{}", module.source);
        let path = match &module.version_module {
            None => PathBuf::from(&module.vendor).join(format!("{}.rs", module.name)),
            Some(version) => PathBuf::from(&module.vendor)
                .join(&module.name)
                .join(format!("{version}.rs")),
        };
        files.push(GeneratedFile {
            path,
            contents: rendered(emit::module(module, runtime), &source, &module.source)?,
        });
    }
    // An operation with versions side by side: its module lists them and re-exports the default.
    let mut operations: Vec<(&str, &str)> = modules
        .iter()
        .filter(|m| m.version_module.is_some())
        .map(|m| (m.vendor.as_str(), m.name.as_str()))
        .collect();
    operations.dedup();
    for (vendor, operation) in operations {
        let versions: Vec<&model::Module> = modules
            .iter()
            .filter(|m| m.vendor == vendor && m.name == operation)
            .collect();
        files.push(GeneratedFile {
            path: PathBuf::from(vendor).join(operation).join("mod.rs"),
            contents: rendered(
                emit::operation_module(operation, &versions),
                &format!("schemas/{vendor}/"),
                operation,
            )?,
        });
    }
    let vendors: BTreeSet<&str> = modules.iter().map(|m| m.vendor.as_str()).collect();
    for vendor in vendors {
        let of_vendor: Vec<&model::Module> =
            modules.iter().filter(|m| m.vendor == vendor).collect();
        files.push(GeneratedFile {
            path: PathBuf::from(vendor).join("mod.rs"),
            contents: rendered(
                emit::vendor_module(vendor, &of_vendor),
                &format!("schemas/{vendor}/"),
                vendor,
            )?,
        });
    }
    let all: Vec<&model::Module> = modules.iter().collect();
    files.push(GeneratedFile {
        path: PathBuf::from("mod.rs"),
        contents: rendered(emit::registry(&all, runtime), "schemas/", "mod.rs")?,
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn render_error(file: &str, err: syn::Error) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        pointer: String::new(),
        message: format!("the generator emitted invalid Rust (a generator bug): {err}"),
    }
}

/// How one file on disk differs from what the schemas generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Generated, but not on disk.
    Missing(PathBuf),
    /// On disk with other contents; the first differing line, 1-based.
    Changed { path: PathBuf, line: usize },
    /// A `.rs` file on disk that nothing generates any more.
    Stale(PathBuf),
}

/// Compares `files` with what is in `out_dir`.
pub fn drift(out_dir: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Drift>> {
    let mut found = Vec::new();
    for file in files {
        match fs::read_to_string(out_dir.join(&file.path)) {
            Ok(existing) if existing == file.contents => {}
            Ok(existing) => {
                let line = existing
                    .lines()
                    .zip(file.contents.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| existing.lines().count().min(file.contents.lines().count()))
                    + 1;
                found.push(Drift::Changed {
                    path: file.path.clone(),
                    line,
                });
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                found.push(Drift::Missing(file.path.clone()))
            }
            Err(err) => return Err(err),
        }
    }
    let expected: BTreeSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    for path in rust_files(out_dir)? {
        if !expected.contains(path.as_path()) {
            found.push(Drift::Stale(path));
        }
    }
    Ok(found)
}

/// Writes `files` into `out_dir` and removes `.rs` files nothing generates any more.
pub fn write(out_dir: &Path, files: &[GeneratedFile]) -> io::Result<()> {
    for drift in drift(out_dir, files)? {
        if let Drift::Stale(path) = drift {
            fs::remove_file(out_dir.join(path))?;
        }
    }
    for file in files {
        let path = out_dir.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        if fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
            fs::write(&path, &file.contents)?;
        }
    }
    Ok(())
}

/// Every `.rs` file below `dir`, relative to it.
fn rust_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let entries = match fs::read_dir(dir.join(&relative)) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        for entry in entries {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
