//! Step 1: schema files on disk -> parsed [`Document`]s, with every problem of every file.

mod json;
mod read;

use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::schema::Document;

/// A parsed schema file and where it came from.
pub struct Loaded {
    /// Path relative to the schema directory, with `/` separators: `tencent/salesinfo_add.json`.
    pub file: String,
    pub document: Document,
    /// What was wrong in the file's text; lowering still looks at the rest of it.
    pub problems: Vec<Diagnostic>,
    /// The file's text as written, for the compiled checks of the schemas no Rust type says all of (embedded
    /// in the generated module, where a reviewer reads it like the schema file).
    pub json: String,
}

/// Reads every `*.json` file below `dir`, in a stable (sorted) order.
pub fn load_dir(dir: &Path) -> Result<Vec<Loaded>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    collect_json_files(dir, &mut files).map_err(|err| {
        vec![Diagnostic {
            file: dir.display().to_string(),
            pointer: String::new(),
            message: format!("cannot read the schema directory: {err}"),
        }]
    })?;
    files.sort();
    let mut loaded = Vec::new();
    let mut unreadable = Vec::new();
    for path in files {
        let file = relative_name(dir, &path);
        match fs::read_to_string(&path) {
            Ok(text) => loaded.push(parse(&file, &text)),
            Err(err) => unreadable.push(Diagnostic {
                file,
                pointer: String::new(),
                message: format!("cannot read: {err}"),
            }),
        }
    }
    if unreadable.is_empty() {
        Ok(loaded)
    } else {
        Err(unreadable)
    }
}

/// Parses one schema text. Text that is not JSON yields an empty document and one problem; otherwise every
/// unknown or malformed keyword is a problem at its own pointer, and the rest is still read.
pub fn parse(file: &str, text: &str) -> Loaded {
    let value: json::Json = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(err) => {
            return Loaded {
                file: file.to_owned(),
                document: Document::default(),
                problems: vec![Diagnostic {
                    file: file.to_owned(),
                    pointer: String::new(),
                    message: format!("not valid JSON: {err}"),
                }],
                json: String::new(),
            }
        }
    };
    let mut reader = read::Reader::new(file);
    let document = reader.document(&value);
    Loaded {
        file: file.to_owned(),
        document,
        problems: reader.problems,
        json: text.trim_end().to_owned(),
    }
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_json_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "json") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative_name(dir: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(dir).unwrap_or(path);
    let parts: Vec<_> = relative.iter().map(|part| part.to_string_lossy()).collect();
    parts.join("/")
}
