//! The residual checks compile: each sub-schema a generated `SchemaCheck` names is compiled here, as the
//! runtime will compile it (draft 2020-12, the module's document and those it uses as resources, nothing
//! retrieved), so a schema the compiled validator cannot read (a pattern that is no regular expression, a
//! `$ref` to nothing) is an error at generation, never a failure in production.

use std::collections::BTreeSet;

use jsonschema::{Draft, Retrieve, Uri};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::model::{Additional, Check, Embedded, Module, Shape, TypeKind};

/// A problem for each residual check that does not compile.
pub(crate) fn verify(modules: &[Module]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for module in modules {
        let Some(document) = &module.document else {
            continue;
        };
        let pointers = residual_pointers(module);
        if pointers.is_empty() {
            continue;
        }
        let problem = |pointer: &str, message: String| Diagnostic {
            file: module.source.clone(),
            pointer: pointer.to_owned(),
            message,
        };
        let options = match options(module, document, modules) {
            Ok(options) => options,
            Err((pointer, message)) => {
                problems.push(problem(&pointer, message));
                continue;
            }
        };
        for pointer in pointers {
            let root =
                serde_json::json!({ "$ref": format!("{}#{}", document.uri, fragment(&pointer)) });
            if let Err(error) = options.build(&root) {
                problems.push(build_problem(&pointer, &error, &problem));
            }
        }
    }
    problems
}

/// Why a check does not compile, at the keyword that is wrong when the compiler says which.
fn build_problem(
    pointer: &str,
    error: &jsonschema::ValidationError<'_>,
    problem: &dyn Fn(&str, String) -> Diagnostic,
) -> Diagnostic {
    // The compiler's location is within its own root (a `$ref` to the check), not the file: the check's
    // pointer is the best there is.
    let at = pointer;
    match &error.kind {
        jsonschema::error::ValidationErrorKind::Format { format } if format == "regex" => problem(
            at,
            format!(
                "invalid pattern: {} is not an ECMA-262 regular expression",
                error.instance
            ),
        ),
        _ => problem(
            at,
            format!(
                "the compiled schema that checks this cannot be built: {}",
                error.masked_with("the value")
            ),
        ),
    }
}

/// The validator options of `module`'s checks: its document and those it uses, by every URI they have.
/// A document that is no valid 2020-12 schema (a `pattern` that is no regular expression) is refused where
/// it is wrong (its own pointer when it is the module's).
fn options(
    module: &Module,
    document: &Embedded,
    modules: &[Module],
) -> Result<jsonschema::ValidationOptions, (String, String)> {
    let mut options = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_retriever(NoRetrieval);
    let used = modules
        .iter()
        .filter(|other| other.vendor == module.vendor && document.uses.contains(&other.name));
    let documents = std::iter::once(document).chain(used.filter_map(|m| m.document.as_ref()));
    for embedded in documents {
        let contents: Value = serde_json::from_str(&embedded.json).map_err(|error| {
            (
                String::new(),
                format!("the schema file is not JSON: {error}"),
            )
        })?;
        if let Err(error) = jsonschema::draft202012::meta::validate(&contents) {
            let at = error.instance_path.as_str().to_owned();
            let message = match &error.kind {
                jsonschema::error::ValidationErrorKind::Format { format } if format == "regex" => {
                    format!(
                        "invalid pattern: {} is not an ECMA-262 regular expression",
                        error.instance
                    )
                }
                _ => format!("not valid JSON Schema 2020-12: {error}"),
            };
            if std::ptr::eq(embedded, document) {
                return Err((at, message));
            }
            return Err((
                String::new(),
                format!(
                    "`{}`, which this file uses, is {message} at `{at}`",
                    embedded.uri
                ),
            ));
        }
        for uri in std::iter::once(&embedded.uri).chain(&embedded.aliases) {
            options =
                options.with_resource(uri, Draft::Draft202012.create_resource(contents.clone()));
        }
    }
    Ok(options)
}

/// Every pointer a residual check of the module names.
fn residual_pointers(module: &Module) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for def in &module.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                found.extend(s.residual.clone());
                for field in &s.fields {
                    in_shape(&field.shape, &mut found);
                }
                if let Additional::Typed(values) = &s.additional {
                    in_shape(values, &mut found);
                }
            }
            TypeKind::Newtype(shape) => in_shape(shape, &mut found),
            TypeKind::Choice(choice) => found.extend(choice.residual.clone()),
            TypeKind::Either(either) => {
                found.extend(either.residual.clone());
                for variant in &either.variants {
                    in_shape(&variant.shape, &mut found);
                }
            }
            TypeKind::IntEnum(_) | TypeKind::StrEnum(_) | TypeKind::Union(_) => {}
        }
    }
    found
}

fn in_shape(shape: &Shape, found: &mut BTreeSet<String>) {
    for check in &shape.checks {
        if let Check::Schema(pointer) = check {
            found.insert(pointer.clone());
        }
    }
    match &shape.ty {
        crate::model::Ty::Array(items) => in_shape(items, found),
        crate::model::Ty::Map(map) => in_shape(&map.values, found),
        _ => {}
    }
}

/// A JSON pointer as a URI fragment, as the runtime writes it: what a fragment may hold stays, every other
/// byte is percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut encoded = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Retrieves nothing, as the runtime: a reference to a document that is not embedded does not compile.
struct NoRetrieval;

impl Retrieve for NoRetrieval {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!(
            "`{}` is no schema file here (nothing is retrieved)",
            uri.as_str()
        )
        .into())
    }
}

/// Why `pattern` is no regular expression the runtime's compiled schema takes (ECMA-262, as JSON Schema
/// says), if it is not one.
pub(crate) fn regex_error(pattern: &str) -> Option<String> {
    let schema = serde_json::json!({ "pattern": pattern });
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&schema)
        .err()
        .map(|_| format!("invalid pattern: `{pattern}` is not an ECMA-262 regular expression"))
}
