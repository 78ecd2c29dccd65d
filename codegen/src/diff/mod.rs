//! `codegen diff`: what an API change does, judged on the lowered models of two schema trees. Each change is
//! classified on two axes:
//!
//! - `wire`: does a client generated from OLD still work against a platform that speaks NEW (the bodies it
//!   sends still accepted, NEW's responses still read)?
//! - `api`: does Rust code written against OLD's generated types still compile against NEW's?
//!
//! The rules follow from what the generator emits: request types are strict and validated, response types
//! tolerant; every struct and enum is `#[non_exhaustive]` and sent structs are built by builders that check
//! required members at compile time.

mod compare;
pub mod git;
mod output;

use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Module;

pub use output::{json_lines, markdown};

/// Whether a change breaks something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Compatible,
    Breaking,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Compatible => "compatible",
            Verdict::Breaking => "breaking",
        }
    }

    fn from_breaks(breaks: bool) -> Verdict {
        if breaks {
            Verdict::Breaking
        } else {
            Verdict::Compatible
        }
    }
}

/// One change between OLD and NEW.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The schema file, relative to the schema root (NEW's, or OLD's when the change is a removal).
    pub schema: String,
    /// The JSON pointer of the changed node in NEW, or in OLD when it was removed.
    pub pointer: String,
    /// A short code: `member-added`, `limit-tightened`, `enum-value-removed`, ...
    pub change: &'static str,
    pub wire: Verdict,
    pub api: Verdict,
    /// One sentence for a person.
    pub note: String,
}

impl Change {
    /// Whether either axis breaks.
    pub fn is_breaking(&self) -> bool {
        self.wire == Verdict::Breaking || self.api == Verdict::Breaking
    }
}

/// Every change from `old` to `new`, in schema and pointer order.
pub fn diff(old: &[Module], new: &[Module]) -> Vec<Change> {
    let mut changes = compare::modules(old, new);
    changes
        .sort_by(|a, b| (&a.schema, &a.pointer, a.change).cmp(&(&b.schema, &b.pointer, b.change)));
    changes.dedup();
    changes
}

/// The lowered models of a schema directory, or of one schema file.
pub fn models(path: &Path) -> Result<Vec<Module>, Diagnostics> {
    let loaded = if path.is_dir() {
        crate::load::load_dir(path).map_err(Diagnostics)?
    } else {
        let text = std::fs::read_to_string(path).map_err(|err| {
            Diagnostics(vec![Diagnostic {
                file: path.display().to_string(),
                pointer: String::new(),
                message: format!("cannot read: {err}"),
            }])
        })?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        vec![crate::load::parse(&name, &text)]
    };
    crate::lower::lower_all(&loaded).map_err(Diagnostics)
}
