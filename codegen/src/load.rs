//! Step 1: schema files on disk -> parsed [`Document`]s.

use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostic::{push_segment, Diagnostic};
use crate::schema::Document;

/// A parsed schema file and where it came from.
pub struct Loaded {
    /// Path relative to the schema directory, with `/` separators: `tencent/salesinfo_add.json`.
    pub file: String,
    pub document: Document,
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
    let mut problems = Vec::new();
    for path in files {
        let file = relative_name(dir, &path);
        match fs::read_to_string(&path) {
            Ok(text) => match parse(&file, &text) {
                Ok(document) => loaded.push(Loaded { file, document }),
                Err(problem) => problems.push(problem),
            },
            Err(err) => problems.push(Diagnostic {
                file,
                pointer: String::new(),
                message: format!("cannot read: {err}"),
            }),
        }
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(problems)
    }
}

/// Parses one schema text; an unknown keyword is reported as unsupported, at its own pointer.
pub fn parse(file: &str, text: &str) -> Result<Document, Diagnostic> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let mut pointer = String::new();
        for segment in err.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    push_segment(&mut pointer, &index.to_string())
                }
                serde_path_to_error::Segment::Map { key } => push_segment(&mut pointer, key),
                _ => {}
            }
        }
        let inner = err.into_inner().to_string();
        let message = match inner.strip_prefix("unknown field `") {
            Some(rest) => {
                let keyword = rest.split('`').next().unwrap_or(rest);
                format!("unsupported keyword `{keyword}` (see schemas/README.md for the supported subset)")
            }
            None => inner,
        };
        Diagnostic {
            file: file.to_owned(),
            pointer,
            message,
        }
    })
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
