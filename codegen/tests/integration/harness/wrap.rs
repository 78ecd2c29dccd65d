//! A schema as an endpoint of the generator: the member `v` of a request body, or wherever a case's
//! [`Placement`] puts it (the placement brings its whole endpoint document, and says where in a request or
//! response body an instance goes).
//!
//! ```jsonc
//! {"$schema": "https://json-schema.org/draft/2020-12/schema",
//!  "x-endpoint": {"vendor": "shopline", "operation": "<operation>", ...},
//!  "$ref": "#/$defs/Body",
//!  "$defs": {"Body": {"type": "object", "properties": {"v": {"$ref": "#/$defs/V"}},
//!                     "required": ["v"], "additionalProperties": false},
//!            "Reply": {"type": "object"},
//!            "V": <the schema, with an `$id` of its own>}}
//! ```
//!
//! `V` gets an `$id` when it has none, `https://suite.salesync.invalid/<operation>/`, so that it is a schema
//! resource of its own: its `#`-relative references (`#/$defs/x`, `#`) keep meaning the schema, not the
//! wrapper, and the relative `$id`s and `$ref`s inside it (`"$id": "folder/"`) resolve below a base no other
//! schema of the directory shares (the trailing `/` keeps `folder/` inside `<operation>/`). A schema's own
//! absolute `$id` is kept; a relative one is resolved against that same base, as the wrapper's base (the
//! file) would otherwise decide what it means.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::Case;

/// The vendor directory, vendor and auth style of every wrapped endpoint.
pub const VENDOR: &str = "shopline";
pub const AUTH: &str = "shopline-bearer";
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
/// Base URI of the schemas that have no `$id`: `<BASE><operation>/`. `.invalid` never resolves.
pub const BASE: &str = "https://suite.salesync.invalid/";

/// The endpoint document of `schema` (see the module's documentation).
pub fn endpoint_document(operation: &str, schema: &Value) -> Value {
    json!({
        "$schema": DIALECT,
        "x-endpoint": {
            "vendor": VENDOR,
            "operation": operation,
            "description": format!("JSON Schema test case {operation}"),
            "method": "POST",
            "path": format!("/suite/{operation}"),
            "version": "v1",
            "auth": AUTH,
            "request": {"$ref": "#/$defs/Body"},
            "response": {"$ref": "#/$defs/Reply"}
        },
        "$ref": "#/$defs/Body",
        "$defs": {
            "Body": {
                "type": "object",
                "properties": {"v": {"$ref": "#/$defs/V"}},
                "required": ["v"],
                "additionalProperties": false
            },
            "Reply": {"type": "object"},
            "V": with_own_base(operation, schema)
        }
    })
}

/// `schema` as a resource of its own: with its absolute `$id`, or one under [`BASE`]. Booleans stay as they
/// are (they have no keywords, hence no references).
fn with_own_base(operation: &str, schema: &Value) -> Value {
    let Value::Object(members) = schema else {
        return schema.clone();
    };
    let base = format!("{BASE}{operation}/");
    let id = match members.get("$id") {
        None => base,
        Some(Value::String(id)) => resolve(id, &base).unwrap_or_else(|| id.clone()),
        // Not a string: the schema is invalid as it is, and stays so for the generator to say.
        Some(_) => return schema.clone(),
    };
    let mut members: Map<String, Value> = members.clone();
    members.insert("$id".into(), Value::String(id));
    Value::Object(members)
}

/// `reference` resolved against `base` (RFC 3986); `None` when either does not parse.
fn resolve(reference: &str, base: &str) -> Option<String> {
    let base = fluent_uri::Uri::parse(base).ok()?;
    let reference = fluent_uri::UriRef::parse(reference).ok()?;
    Some(reference.resolve_against(&base).ok()?.to_string())
}

/// The request body that carries `instance` as `v`.
pub fn body(instance: &Value) -> String {
    json!({ "v": instance }).to_string()
}

/// A schema placed somewhere other than the request member `v`: the endpoint document that holds it, and
/// where an instance goes in the request and in the response body.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The whole endpoint document (its `x-endpoint.operation` is the case's operation).
    pub document: Value,
    /// Where an instance goes in a request body; `None` when the request does not hold the schema.
    pub request: Option<Slot>,
    /// Where an instance goes in a response body; `None` when the response does not hold the schema.
    pub response: Option<Slot>,
}

/// A body with a hole: `template` with the instance put at `pointer` (RFC 6901; every step but the last
/// exists in the template, the last names a member or an index that is there).
#[derive(Debug, Clone)]
pub struct Slot {
    pub template: Value,
    pub pointer: String,
}

impl Slot {
    /// The body holding `instance`, as JSON text.
    ///
    /// # Panics
    ///
    /// When the pointer names nothing in the template: a mistake of the placement, not of a schema.
    pub fn body(&self, instance: &Value) -> String {
        let mut body = self.template.clone();
        match body.pointer_mut(&self.pointer) {
            Some(hole) => *hole = instance.clone(),
            None => panic!("{} names nothing in {}", self.pointer, self.template),
        }
        body.to_string()
    }

    /// The body holding `instance`, as a value.
    pub fn value(&self, instance: &Value) -> Value {
        serde_json::from_str(&self.body(instance)).unwrap_or(Value::Null)
    }
}

/// A module-safe, unique operation name: the snake_case words of `stem` (ASCII letters and digits only),
/// then `_<index>`; `_b`, `_c`, ... are added when another case took the name already.
pub fn operation_name(stem: &str, index: usize, taken: &mut BTreeSet<String>) -> String {
    let mut words = snake_case(stem);
    if words.is_empty() {
        words = "schema".into();
    } else if !words.starts_with(|c: char| c.is_ascii_lowercase()) {
        words.insert_str(0, "schema_");
    }
    let name = format!("{words}_{index}");
    let mut unique = name.clone();
    let mut suffix = 0;
    while !taken.insert(unique.clone()) {
        unique = format!("{name}_{}", letters(suffix));
        suffix += 1;
    }
    unique
}

/// `b`, `c`, ..., `z`, `bb`, ... (letters, so that `x_1` and `x_1_b` never meet `x_11`).
pub fn letters(n: usize) -> String {
    let count = n / 25 + 1;
    let letter = char::from(b'b' + (n % 25) as u8);
    std::iter::repeat_n(letter, count).collect()
}

/// `additionalProperties` -> `additional_properties`, `if-then-else` -> `if_then_else`.
pub fn snake_case(text: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            previous = None;
            continue;
        }
        let boundary = match previous {
            None => !out.is_empty(),
            Some(p) => p.is_ascii_lowercase() && c.is_ascii_uppercase(),
        };
        if boundary && !out.ends_with('_') {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        previous = Some(c);
    }
    out
}

/// Where each case's endpoint file is, relative to the schema directory.
#[derive(Debug, Clone, Default)]
pub struct SchemaFiles {
    /// File -> operation.
    pub operations: BTreeMap<String, String>,
    /// The extra files, relative.
    pub extra: Vec<String>,
}

impl SchemaFiles {
    /// `shopline/<operation>.json`, as the generator's diagnostics name it.
    pub fn file_of(&self, operation: &str) -> String {
        format!("{VENDOR}/{operation}.json")
    }
}

/// Writes every case's endpoint file and the extra files into a fresh `dir`.
pub fn write_schema_dir(
    dir: &Path,
    cases: &[Case],
    extra: &[(PathBuf, Value)],
) -> io::Result<SchemaFiles> {
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir.join(VENDOR))?;
    let mut files = SchemaFiles::default();
    for case in cases {
        let file = files.file_of(&case.operation);
        let document = match &case.placement {
            Some(placement) => placement.document.clone(),
            None => endpoint_document(&case.operation, &case.schema),
        };
        fs::write(dir.join(&file), pretty(&document))?;
        files.operations.insert(file, case.operation.clone());
    }
    for (path, document) in extra {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&target, pretty(document))?;
        files.extra.push(relative(path));
    }
    Ok(files)
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// A relative path with `/` separators, as diagnostics name files.
pub fn relative(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_unique_and_never_start_with_a_digit() {
        let mut taken = BTreeSet::new();
        assert_eq!(
            operation_name("additionalProperties", 3, &mut taken),
            "additional_properties_3"
        );
        assert_eq!(
            operation_name("additional-properties", 3, &mut taken),
            "additional_properties_3_b"
        );
        assert_eq!(
            operation_name("additional_properties", 3, &mut taken),
            "additional_properties_3_c"
        );
        assert_eq!(
            operation_name("if-then-else", 0, &mut taken),
            "if_then_else_0"
        );
        assert_eq!(operation_name("2020 ✓ é", 1, &mut taken), "schema_2020_1");
        assert_eq!(operation_name("", 0, &mut taken), "schema_0");
        assert_eq!(operation_name("uuid", 0, &mut taken), "uuid_0");
        assert_eq!(
            snake_case("optional/format/date-time"),
            "optional_format_date_time"
        );
    }

    #[test]
    fn the_schema_gets_a_base_of_its_own_and_keeps_an_absolute_id() {
        let v = |schema: Value| endpoint_document("op_1", &schema)["$defs"]["V"].clone();
        assert_eq!(
            v(json!({"type": "integer"})),
            json!({"type": "integer", "$id": "https://suite.salesync.invalid/op_1/"})
        );
        assert_eq!(
            v(json!({"$id": "http://localhost:1234/x.json"}))["$id"],
            "http://localhost:1234/x.json"
        );
        assert_eq!(
            v(json!({"$id": "folder/x.json"}))["$id"],
            "https://suite.salesync.invalid/op_1/folder/x.json"
        );
        assert_eq!(v(json!(false)), json!(false));
        assert_eq!(v(json!({"$id": 3})), json!({"$id": 3}));
    }
}
