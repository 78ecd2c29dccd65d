//! Residual checks: a sub-schema that has no Rust type (`not`, `contains`, `unevaluatedProperties`,
//! `$dynamicRef`, an arbitrary `anyOf`, ...) is checked by validating the value's JSON against the original
//! sub-schema with a compiled validator, the `jsonschema` crate, which is complete for 2020-12.
//!
//! Generated code embeds each schema file once (a [`SchemaDocument`]) and declares a [`SchemaCheck`] per
//! site; the check compiles on first use, once per process, and reports through the [`Validator`] like the
//! typed checks, in their words, at the validator's pointer. Nothing is ever fetched: every document a check
//! reaches is embedded and listed in `uses`, and a reference to any other URI makes the check fail to
//! compile, which every use of it reports.

mod keywords;
mod messages;
mod number;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use jsonschema::{Draft, Retrieve, Uri};
use serde::Serialize;
use serde_json::Value;

pub use number::json_equal;

use super::excerpt;
use super::Validator;

/// A schema file, embedded in the generated module it produced.
#[derive(Debug)]
pub struct SchemaDocument {
    /// The document's `$id`, or a URI the generator gave it: what its checks and other documents name it by.
    pub uri: &'static str,
    /// Other URIs the same document is known by (`$ref`s of other files may use them).
    pub aliases: &'static [&'static str],
    /// The whole schema file.
    pub json: &'static str,
    /// The documents its `$ref`s reach (each lists its own, so the whole set is reached through them).
    pub uses: &'static [&'static SchemaDocument],
}

/// A residual check: one sub-schema of a document, by its JSON pointer, compiled on first use.
#[derive(Debug)]
pub struct SchemaCheck {
    document: &'static SchemaDocument,
    /// RFC 6901 pointer into the document: `/$defs/Body/properties/v` (empty: the whole document).
    pointer: &'static str,
    /// The compiled validator, or why the sub-schema did not compile.
    compiled: OnceLock<Result<jsonschema::Validator, String>>,
}

impl SchemaCheck {
    /// The check of the sub-schema at `pointer` in `document`.
    pub const fn new(document: &'static SchemaDocument, pointer: &'static str) -> Self {
        SchemaCheck {
            document,
            pointer,
            compiled: OnceLock::new(),
        }
    }

    /// The validator, compiled by the first caller (others wait for it), or why it could not be.
    fn validator(&self) -> Result<&jsonschema::Validator, &str> {
        self.compiled
            .get_or_init(|| compile(self.document, self.pointer))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The sub-schema's URI: the document's and the pointer as a fragment.
    fn uri(&self) -> String {
        format!("{}#{}", self.document.uri, fragment(self.pointer))
    }
}

/// Compiles a check: never panics (a panic of the compiler is caught and is the reason given).
fn compile(
    document: &'static SchemaDocument,
    pointer: &str,
) -> Result<jsonschema::Validator, String> {
    catch_unwind(|| build(document, pointer))
        .unwrap_or_else(|_| Err("the schema compiler panicked on it".to_owned()))
}

fn build(
    document: &'static SchemaDocument,
    pointer: &str,
) -> Result<jsonschema::Validator, String> {
    let options = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_retriever(NoRetrieval);
    let mut options = keywords::register(options);
    for reached in reachable(document) {
        let contents: Value = serde_json::from_str(reached.json)
            .map_err(|error| format!("document `{}` is not JSON: {error}", reached.uri))?;
        // Only the root is checked against the meta-schema by jsonschema, and a malformed keyword
        // elsewhere (an empty `oneOf`) would fail only when used.
        if let Err(error) = jsonschema::draft202012::meta::validate(&contents) {
            return Err(format!(
                "document `{}` is not a valid JSON Schema 2020-12 at `{}`: {}",
                reached.uri,
                error.instance_path.as_str(),
                error.masked_with("the value")
            ));
        }
        for uri in std::iter::once(&reached.uri).chain(reached.aliases) {
            let resource = Draft::Draft202012.create_resource(contents.clone());
            options = options.with_resource(*uri, resource);
        }
    }
    let root = serde_json::json!({ "$ref": format!("{}#{}", document.uri, fragment(pointer)) });
    options.build(&root).map_err(|error| {
        let at = error.instance_path.as_str();
        let why = error.masked_with("the value").to_string();
        if at.is_empty() {
            why
        } else {
            format!("{why} (at `{at}`)")
        }
    })
}

/// The document and every document reachable through `uses`, each once (by URI), cycles included.
fn reachable(document: &'static SchemaDocument) -> Vec<&'static SchemaDocument> {
    let mut found = vec![document];
    let mut next = 0;
    while let Some(&current) = found.get(next) {
        for &used in current.uses {
            if !found.iter().any(|known| known.uri == used.uri) {
                found.push(used);
            }
        }
        next += 1;
    }
    found
}

/// A JSON pointer as a URI fragment: what RFC 3986 lets a fragment hold (`pchar`, `/`, `?`) stays, every
/// other byte (`%`, space, `#`, non-ASCII, ...) is percent-encoded; the `~0` and `~1` escapes stay.
fn fragment(pointer: &str) -> String {
    let mut encoded = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// Retrieves nothing: every document a check needs is embedded, and a reference elsewhere is an error of
/// the check, never a request over the network or a read of a file.
struct NoRetrieval;

impl Retrieve for NoRetrieval {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!(
            "`{}` is not one of the embedded documents (nothing is retrieved)",
            uri.as_str()
        )
        .into())
    }
}

impl Validator {
    /// A residual check: `value` against the sub-schema of `check`, every error reported below the current
    /// pointer with the keyword that failed as its rule. A violation whose pointer and rule are already
    /// recorded (by a typed check of the same keyword) is not reported twice. A sub-schema that does not
    /// compile is one violation, rule `schema`, on every use.
    pub fn schema(&mut self, value: &Value, check: &SchemaCheck) {
        let validator = match check.validator() {
            Ok(validator) => validator,
            Err(why) => {
                let message = format!("the schema {} could not be compiled: {why}", check.uri());
                return self.report("schema", message);
            }
        };
        // Valid values, the usual case, pay for no error.
        let found = catch_unwind(AssertUnwindSafe(|| {
            if validator.is_valid(value) {
                return None;
            }
            let found: Vec<_> = validator
                .iter_errors(value)
                .flat_map(|error| messages::describe(&error))
                .collect();
            Some(found)
        }));
        let found = match found {
            Ok(None) => return,
            Ok(Some(found)) if !found.is_empty() => found,
            // Invalid without an error to tell (the validator's two answers disagree): still reported.
            Ok(Some(_)) => {
                return self.report(
                    "schema",
                    format!("does not match the schema {}", check.uri()),
                )
            }
            Err(_) => {
                let message = format!("the check of {} failed inside the validator", check.uri());
                return self.report("schema", message);
            }
        };
        let base = self.pointer();
        for found in found {
            self.report_new(
                format!("{base}{}", found.pointer),
                found.rule,
                found.message,
            );
        }
    }

    /// [`schema`](Self::schema) of a typed value (a struct, a `Vec<T>`, ...), serialized to JSON first.
    pub fn schema_of<T: Serialize + ?Sized>(&mut self, value: &T, check: &SchemaCheck) {
        match serde_json::to_value(value) {
            Ok(json) => self.schema(&json, check),
            Err(error) => {
                let why = excerpt(&error.to_string()).into_owned();
                self.report(
                    "schema",
                    format!("cannot be written as JSON to check it: {why}"),
                );
            }
        }
    }
}
