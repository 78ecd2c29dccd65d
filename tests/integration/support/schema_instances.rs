//! Schema-driven request bodies, and the differential comparison of a validator with the `jsonschema` crate.
//!
//! This module depends only on `serde_json`, `proptest` and `jsonschema` (and std), never on salesync's types,
//! so that integration tests include it through `mod support;` (`tests/integration/support/mod.rs`) and the crate's unit
//! tests with `#[path = "../tests/integration/support/schema_instances.rs"] mod schema_instances;` (it allows its own
//! dead code, since each includer uses only part of it).
//!
//! # API
//!
//! - [`SchemaSet::load`]`(path)`: one schema file plus every other `*.json` file of its directory (and any file
//!   a `$ref` names elsewhere, relative to the referring file). [`SchemaSet::inline`]`(name, json)` and
//!   [`SchemaSet::with_sibling`]`(name, json)` build the same from values. `$ref`s are local
//!   (`#/$defs/Name`), to another file (`common.json#/$defs/Envelope`, resolved relative to the referring
//!   file), or to another file's `$id`. [`SchemaSet::validator`] is the `jsonschema` validator of the main
//!   file (draft 2020-12, formats validated, sibling files served by a retriever).
//! - [`bodies`]`(&set)`: request bodies for the main document's root schema (usually `{"$ref":
//!   "#/$defs/<Request>"}`). "Valid-ish": 2/9 generated clean, 4/9 a clean body with exactly one mutation
//!   (a value replaced by one of its schema's bad values, a member removed, or an unknown member added; the
//!   schema location is picked first, so the members of 50 repeated items do not crowd out the envelope),
//!   and 1/9 each at noise levels 1, 5 and 25 (the weight of a bad choice against 100 for a good one at
//!   every choice point), so that valid and invalid verdicts are both common. Before generating, every
//!   schema node reachable from the root is checked: an unknown keyword, an unknown `format` or an
//!   array-form `items` panics with the keyword and its location
//!   (`file.json#/$defs/Thing/properties/id/not`).
//! - [`compare`]`(name, check, &set, cases)` / [`agree`] (the same, panicking): a fixed-seed proptest run
//!   (seed 20260301 and [`DEFAULT_CASES`] unless `PROPTEST_RNG_SEED` / `PROPTEST_CASES` say otherwise;
//!   `PROPTEST_MAX_SHRINK_ITERS`, default 4096 here, bounds shrinking). For every body, "`check(text)`
//!   reports no violation whose rule does not start with `x-`" must equal "`jsonschema` finds the body
//!   valid". `check` gets the body's JSON text and returns `(pointer, rule)` pairs. On a disagreement the
//!   failure names the shrunk body and both sides' errors. Both verdicts must each be at least 10% of the
//!   cases (the generator must not be vacuous).
//! - [`oracle`]`(&set, cases)`: the same bodies judged by `jsonschema` alone, with the keywords it reported as
//!   broken: the generator's self-test for schemas that no salesync type implements.
//!   [`sample_bodies`]`(&set, n)` returns generated bodies for inspection.
//!
//! # What is generated
//!
//! At every choice point a good value (weight 100) or a bad one (weight = the noise level):
//!
//! - `type`: a value of one of the listed types (`null` with a lower weight); bad: a value of an unlisted type
//!   (`null` only where it cannot be an absent optional member, see below). `integer` ⊂ `number`.
//! - `enum`, `const` (and `oneOf` of `{"const": N, "title": ...}`): one of the values; bad: near misses
//!   (`"a"` → `"ax"`, `""`, `"A"`; `3` → `2`, `4`, max + 1, min − 1; `true` → `false`) and other types.
//! - Strings: `minLength`/`maxLength` (code points): lengths at and near both limits, ASCII with some CJK,
//!   Latin-1 and emoji, plus all-CJK strings at the limits (3 bytes a character) so that code points and bytes
//!   differ; bad: one below / above. `x-minBytes`/`x-maxBytes` (ignored by the comparison): strings of ASCII
//!   and of CJK around both byte limits. `pattern`: `proptest::string::string_regex` of the pattern with its
//!   outer `^`/`$` removed and narrowed to ASCII where possible (`.` → `[ -~]`, `\d` → `[0-9]`, `[^…]` →
//!   `[ -~&&[^…]]`, ...); when regex-syntax cannot take it (look-around, ...), the schema's `examples` /
//!   `default` and a list of common strings that match (checked with `jsonschema`); bad: the good string with
//!   a character added, removed or replaced, empty, or junk, preferring ones that do not match. `format`
//!   (`date-time`, `date`, `time`, `uri`, `uri-reference`, `email`, `hostname`, `ipv4`, `ipv6`, `uuid`):
//!   generated valid values and lists of near-valid ones (Feb 29 of non-leap years, leap seconds, missing
//!   offsets, `256.1.1.1`, `1::2::3`, labels of 64 characters, `Ann <ann@example.com>`, ...). Formats
//!   `jsonschema` does not know (`int64`, `double`, ...) are documentation; one it knows and this module
//!   does not generate (`duration`, `regex`, ...) panics like an unknown keyword.
//! - `["integer", "string"]` (salesync's lenient integer): integers, digit strings of in-range non-negative
//!   integers (also with leading zeros), and bad strings (`"+4"`, `" 4"`, `"-0"`, `"1e3"`, `"4.0"`, ...).
//!   Digit strings outside `minimum`/`maximum` are not generated: see the known differences.
//! - Integers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` at, next to and far from each
//!   limit; `multipleOf` exact multiples and non-multiples; single `"type": "integer"` also as whole floats
//!   (`4.0`, which JSON Schema counts as an integer); bad: `n + 0.5`.
//! - Numbers: decimals written with 0 to `x-decimalPlaces` + 1 places (4 without it) at and near the limits;
//!   `multipleOf`, see the differences below.
//! - Objects: `properties` (required members present, or missing when noisy; optional ones half the time),
//!   `required`, `additionalProperties` (`false`: sometimes an unknown member such as `Seller_id`; a schema:
//!   0-2 extra members whose values follow it; `true`/absent: sometimes extra members of any value),
//!   `propertyNames` (extra member names from its `pattern`/`minLength`/`maxLength`, good or bad),
//!   `minProperties`/`maxProperties` (filled or trimmed to fit, or left as generated), `dependentRequired`
//!   (completed, or when noisy left as generated), `anyOf` of `{"required": [...]}` (one group completed, or
//!   when noisy every group's optional members removed), `if`/`then`/`else` (also several in `allOf`): the
//!   condition's `const`/`enum` members are forced half the time, the condition is evaluated with
//!   `jsonschema`, and the consequence (`required`, nested `properties` with schemas or `required`) is
//!   satisfied always when clean and half the time otherwise (its required members removed the other
//!   half; a member whose nested schema is `false` is removed to satisfy it, added to break it); `oneOf` of object variants with a `const` member (a tagged union, variants may be `$ref`s): one
//!   variant, its tag swapped to another variant's tag sometimes when noisy; other `oneOf`/`anyOf`: one
//!   branch merged into the parent.
//! - Arrays: `items` (any schema: arrays of arrays, inline scalars), `minItems`/`maxItems` at and next to the
//!   limits (long arrays repeat one item unless `uniqueItems`), `uniqueItems` (deduplicated; bad: a repeated
//!   item).
//! - `{}` or a schema of documentation only: any JSON value. `$ref`: followed (sibling keywords are merged).
//!   Documentation keywords (`title`, `description`, `$comment`, `examples`, `default`, `deprecated`,
//!   `readOnly`, `writeOnly`, `x-aliases`, `x-sensitive`, `x-compare`, `x-endpoint`, `x-enumNames`,
//!   `x-name` (a type name for the generator), and `$schema`, `$id`, `$defs`) are ignored.
//!
//! # Known differences, never generated
//!
//! 1. `null` for an optional member whose type does not include `"null"`: salesync reads it as absent, JSON
//!    Schema calls it a type error. `null` is generated where the type includes it, for required members, for
//!    array items and for the root (as a wrong type), and inside `{}` values.
//! 2. Strings checked by a `pattern` stay mostly ASCII (the narrowing above; only a pattern that needs Unicode
//!    classes, such as `\p{Lu}`, yields other characters): `jsonschema` translates the pattern as ECMA-262
//!    (`\d` is `[0-9]`), salesync compiles it with regex-automata's defaults (`\d` is any Unicode digit), so
//!    the two may differ on non-ASCII text.
//! 3. `multipleOf` on `number` (and a fractional `multipleOf` on `integer`): exact in salesync, binary
//!    fractions in `jsonschema` (8.9 is not a multiple of 0.01 there), which also calls any value below a
//!    fractional `multipleOf` a non-multiple (so no negative multiple is one). Generated: for a dyadic `m`
//!    (0.5, 0.25, 1.5) the multiples `k·m` with `k ≥ 0` and the odd half-multiples `(2k+1)·m/2`; for other
//!    fractions (0.01) only `0` and the odd half-multiples, on which both must agree. An integral `multipleOf`
//!    is exact in both up to 2^53, so its values stay within ±2^53.
//! 4. Integers stay within `i64` (and digit strings of `["integer", "string"]` within 18 digits): salesync
//!    holds them in an `i64` (`format: int64`), `jsonschema` has no limit.
//! 5. Whole floats (`4.0`) only for a single `"type": "integer"`: `jsonschema` 0.33 accepts them there but
//!    rejects them under a type list such as `["integer", "string"]` (its `JsonTypeSet` counts only i64/u64
//!    numbers as integers), while JSON Schema and salesync count `4.0` as an integer everywhere.
//! 6. Numbers have at most 15 significant digits, so the JSON text (what salesync reads) and the `f64`
//!    `jsonschema` compares denote the same decimal.
//! 7. A digit string of `["integer", "string"]` outside the member's `minimum`/`maximum` (`"1068"` under
//!    `maximum: 1000`): salesync reads the string as the integer it spells and applies the bounds to it (the
//!    platform would), `jsonschema` applies bounds to numbers only and accepts it. salesync is stricter here
//!    on purpose (schemas/README.md says so); such strings are not generated.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::{BoxedStrategy, Just, Strategy, Union, ValueTree};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{json, Map, Value};

/// Cases per schema unless `PROPTEST_CASES` says otherwise.
pub const DEFAULT_CASES: u32 = 256;

const SEED: u64 = 20_260_301;
/// Object and array levels below which optional members are left out (recursive schemas end there).
const MAX_DEPTH: usize = 12;
/// Limits above this are not generated near the limit (strings in characters, arrays in items).
const MAX_TEXT: usize = 4096;
const MAX_ITEMS: usize = 1000;
/// Integers compared through `f64` by jsonschema's `multipleOf` stay within this.
const MAX_SAFE: i128 = 1 << 53;
/// At most 15 significant digits (see the known differences).
const MAX_MANTISSA: i128 = 999_999_999_999_999;

/// Keywords that do not constrain a value.
const DOCUMENTATION: &[&str] = &[
    "title",
    "description",
    "$comment",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "x-aliases",
    "x-sensitive",
    "x-compare",
    "x-endpoint",
    "x-enumNames",
    "x-name",
    // Only words the error of an amount written with a fraction; the type and pattern say what is allowed.
    "x-minorUnits",
    "$schema",
    "$id",
    "$defs",
];

/// Keywords the generator knows.
const VOCABULARY: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "x-minBytes",
    "x-maxBytes",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "x-decimalPlaces",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "anyOf",
    "oneOf",
    "allOf",
    "if",
    "then",
    "else",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// Formats with generated values. Any format `jsonschema` does not know (`int64`, `int32`, `double`, ...) is
/// documentation to both sides; one it knows but these lack (`UNGENERATED_FORMATS`) is refused.
const FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "uri",
    "uri-reference",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];
const UNGENERATED_FORMATS: &[&str] = &[
    "duration",
    "idn-email",
    "idn-hostname",
    "iri",
    "iri-reference",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];
const TYPES: &[&str] = &[
    "null", "boolean", "integer", "number", "string", "array", "object",
];

// ---------------------------------------------------------------------------------------------------------
// Schema files

/// A schema file and the files its `$ref`s reach. Cheap to clone.
#[derive(Clone)]
pub struct SchemaSet(Arc<Inner>);

struct Inner {
    /// For messages: the path given, or the inline name.
    name: String,
    /// Key of the main document.
    main: String,
    /// `file:///abs/dir/` or `file:///inline/`: a key appended gives the document's URI.
    base: String,
    /// Keyed by path relative to the main file's directory, `/`-separated, normalized.
    docs: BTreeMap<String, Doc>,
}

struct Doc {
    /// As written: for jsonschema.
    original: Value,
    /// For the generator: documentation keywords dropped, every `$ref` rewritten to `key#pointer`.
    canonical: Value,
}

impl SchemaSet {
    /// `path` and the other `*.json` files of its directory, plus any file a `$ref` names elsewhere.
    pub fn load(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let main = file_name(path);
        let mut raw = BTreeMap::new();
        raw.insert(main.clone(), read_json(path));
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let sibling = entry.unwrap().path();
            let name = file_name(&sibling);
            if sibling.extension().is_some_and(|e| e == "json") && name != main {
                raw.insert(name, read_json(&sibling));
            }
        }
        // Files outside the directory that a `$ref` names.
        loop {
            let ids = ids(&raw);
            let mut missing = BTreeSet::new();
            for (key, doc) in &raw {
                let mut refs = Vec::new();
                collect_refs(doc, &mut refs);
                for r in refs {
                    let file = r.split('#').next().unwrap_or_default();
                    if !file.is_empty() {
                        let target = doc_key(key, file, &ids);
                        if !raw.contains_key(&target) {
                            missing.insert(target);
                        }
                    }
                }
            }
            if missing.is_empty() {
                break;
            }
            for key in missing {
                raw.insert(key.clone(), read_json(&dir.join(&key)));
            }
        }
        let absolute = std::fs::canonicalize(&dir).unwrap_or(dir);
        let base = format!(
            "file://{}/",
            absolute.display().to_string().trim_end_matches('/')
        );
        Self::build(path.display().to_string(), main, base, raw)
    }

    /// A schema given as a value, named `name` (e.g. `inline.json`), with no sibling files.
    pub fn inline(name: &str, root: Value) -> Self {
        let mut raw = BTreeMap::new();
        raw.insert(name.to_owned(), root);
        Self::build(
            name.to_owned(),
            name.to_owned(),
            "file:///inline/".to_owned(),
            raw,
        )
    }

    /// The same set with one more file, `name` relative to the main file's directory.
    pub fn with_sibling(self, name: &str, doc: Value) -> Self {
        let inner = &self.0;
        let mut raw: BTreeMap<String, Value> = inner
            .docs
            .iter()
            .map(|(key, doc)| (key.clone(), doc.original.clone()))
            .collect();
        raw.insert(normalize(name), doc);
        Self::build(
            inner.name.clone(),
            inner.main.clone(),
            inner.base.clone(),
            raw,
        )
    }

    fn build(name: String, main: String, base: String, raw: BTreeMap<String, Value>) -> Self {
        let ids = ids(&raw);
        let docs = raw
            .into_iter()
            .map(|(key, original)| {
                let canonical = canonical_schema(&key, &original, &ids);
                (
                    key,
                    Doc {
                        original,
                        canonical,
                    },
                )
            })
            .collect();
        SchemaSet(Arc::new(Inner {
            name,
            main,
            base,
            docs,
        }))
    }

    /// The path or name the set was made from.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The main document as written.
    pub fn root(&self) -> &Value {
        &self.0.docs[&self.0.main].original
    }

    /// `jsonschema`'s validator of the main document: draft 2020-12, formats validated, the other files served
    /// by a retriever (by URI, by `$id`, or by file name).
    pub fn validator(&self) -> jsonschema::Validator {
        let files = Files(
            self.0
                .docs
                .iter()
                .map(|(key, doc)| {
                    let id = doc.original.get("$id").and_then(Value::as_str);
                    (self.uri(key), id.map(str::to_owned), doc.original.clone())
                })
                .collect(),
        );
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .with_base_uri(self.uri(&self.0.main))
            .with_retriever(files)
            .build(self.root())
            .unwrap_or_else(|e| panic!("{}: jsonschema cannot compile it: {e}", self.name()))
    }

    fn uri(&self, key: &str) -> String {
        format!("{}{}", self.0.base, key)
    }

    fn main_at(&self) -> String {
        format!("{}#", self.0.main)
    }

    fn canonical_root(&self) -> &Value {
        &self.0.docs[&self.0.main].canonical
    }

    /// The schema a canonical `$ref` (`key#pointer`) names, and its location.
    fn deref(&self, r: &str) -> (&Value, String) {
        let (key, fragment) = r.split_once('#').unwrap_or((r, ""));
        let doc = self.0.docs.get(key).unwrap_or_else(|| {
            panic!(
                "{}: $ref `{r}`: no schema file `{key}` (files: {:?})",
                self.name(),
                self.0.docs.keys().collect::<Vec<_>>()
            )
        });
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            panic!(
                "{}: $ref `{r}`: only JSON pointer fragments are supported",
                self.name()
            );
        }
        let target = doc
            .canonical
            .pointer(&pointer)
            .unwrap_or_else(|| panic!("{}: $ref `{r}` names nothing", self.name()));
        (target, format!("{key}#{pointer}"))
    }
}

/// Serves the set's files to jsonschema.
struct Files(Vec<(String, Option<String>, Value)>);

impl jsonschema::Retrieve for Files {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str().split('#').next().unwrap_or_default();
        if let Some((_, _, doc)) = self
            .0
            .iter()
            .find(|(u, id, _)| u == wanted || id.as_deref() == Some(wanted))
        {
            return Ok(doc.clone());
        }
        let tail = |s: &str| s.rsplit(['/', ':']).next().unwrap_or(s).to_owned();
        let same: Vec<&Value> = self
            .0
            .iter()
            .filter(|(u, _, _)| tail(u) == tail(wanted))
            .map(|(_, _, doc)| doc)
            .collect();
        match same.as_slice() {
            [doc] => Ok((*doc).clone()),
            _ => Err(format!("{wanted}: not one of this schema's files").into()),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_else(|| panic!("{}: not a file", path.display()))
        .to_string_lossy()
        .into_owned()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// `$id` → document key.
fn ids(raw: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    raw.iter()
        .filter_map(|(key, doc)| {
            let id = doc.get("$id")?.as_str()?;
            Some((id.to_owned(), key.clone()))
        })
        .collect()
}

/// The key of the file a `$ref` names from document `from`: by `$id`, else relative to `from`.
fn doc_key(from: &str, file: &str, ids: &BTreeMap<String, String>) -> String {
    if file.is_empty() {
        return from.to_owned();
    }
    if let Some(key) = ids.get(file) {
        return key.clone();
    }
    match from.rsplit_once('/') {
        Some((dir, _)) => normalize(&format!("{dir}/{file}")),
        None => normalize(file),
    }
}

/// `a/./b/../c.json` → `a/c.json` (leading `..` kept).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every `$ref` string in schema positions of a document.
fn collect_refs(node: &Value, out: &mut Vec<String>) {
    if let Value::Object(members) = node {
        for (key, value) in members {
            match key.as_str() {
                "$ref" => {
                    if let Value::String(r) = value {
                        out.push(r.clone());
                    }
                }
                "properties" | "$defs" => {
                    if let Value::Object(schemas) = value {
                        schemas.values().for_each(|s| collect_refs(s, out));
                    }
                }
                "allOf" | "anyOf" | "oneOf" => {
                    if let Value::Array(schemas) = value {
                        schemas.iter().for_each(|s| collect_refs(s, out));
                    }
                }
                "items" | "additionalProperties" | "propertyNames" | "if" | "then" | "else" => {
                    collect_refs(value, out)
                }
                _ => {}
            }
        }
    }
}

/// A copy of a schema for the generator: documentation dropped (except `examples` and `default`, which help
/// with patterns), `$ref`s rewritten to `key#pointer`. Unknown keywords are kept for the vocabulary check.
fn canonical_schema(key: &str, node: &Value, ids: &BTreeMap<String, String>) -> Value {
    let Value::Object(members) = node else {
        return node.clone();
    };
    let mut out = Map::new();
    for (name, value) in members {
        let kept = match name.as_str() {
            "$ref" => match value {
                Value::String(r) => {
                    let (file, fragment) = r.split_once('#').unwrap_or((r, ""));
                    Value::String(format!("{}#{fragment}", doc_key(key, file, ids)))
                }
                other => other.clone(),
            },
            "$defs" | "properties" => map_schemas(key, value, ids),
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(schemas) => Value::Array(
                    schemas
                        .iter()
                        .map(|s| canonical_schema(key, s, ids))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "additionalProperties" | "propertyNames" | "if" | "then" | "else" => {
                canonical_schema(key, value, ids)
            }
            "examples" | "default" => value.clone(),
            other if DOCUMENTATION.contains(&other) => continue,
            _ => value.clone(),
        };
        out.insert(name.clone(), kept);
    }
    Value::Object(out)
}

fn map_schemas(key: &str, value: &Value, ids: &BTreeMap<String, String>) -> Value {
    match value {
        Value::Object(schemas) => Value::Object(
            schemas
                .iter()
                .map(|(name, s)| (name.clone(), canonical_schema(key, s, ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// RFC 6901 escaping of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

// ---------------------------------------------------------------------------------------------------------
// The vocabulary check

/// Panics at the first unknown keyword (or unknown format, or malformed keyword) reachable from the root.
fn check_vocabulary(set: &SchemaSet) {
    let mut seen = BTreeSet::new();
    check_node(set, set.canonical_root(), &set.main_at(), &mut seen);
}

fn check_node(set: &SchemaSet, node: &Value, at: &str, seen: &mut BTreeSet<String>) {
    let members = match node {
        Value::Bool(_) => return,
        Value::Object(members) => members,
        _ => panic!("{at}: a schema must be an object or a boolean, not {node}"),
    };
    for (key, value) in members {
        let here = format!("{at}/{}", escape(key));
        if !VOCABULARY.contains(&key.as_str()) && !DOCUMENTATION.contains(&key.as_str()) {
            panic!(
                "{here}: unknown keyword `{key}` (schema_instances knows {VOCABULARY:?} and the documentation \
                 keywords {DOCUMENTATION:?}; the fixture is wrong, or the generator needs to learn it)"
            );
        }
        match key.as_str() {
            "$ref" => {
                let r = value
                    .as_str()
                    .unwrap_or_else(|| panic!("{here}: `$ref` must be a string"));
                let (target, target_at) = set.deref(r);
                if seen.insert(target_at.clone()) {
                    check_node(set, target, &target_at, seen);
                }
            }
            "properties" => {
                let schemas = value
                    .as_object()
                    .unwrap_or_else(|| panic!("{here}: `properties` must be an object"));
                for (name, schema) in schemas {
                    check_node(set, schema, &format!("{here}/{}", escape(name)), seen);
                }
            }
            "items" if value.is_array() => {
                panic!(
                    "{here}: array-form `items` is not 2020-12 (prefixItems is, and schema_instances \
                     does not know it)"
                )
            }
            "items" | "additionalProperties" | "propertyNames" | "if" | "then" | "else" => {
                check_node(set, value, &here, seen)
            }
            "allOf" | "anyOf" | "oneOf" => {
                let schemas = value
                    .as_array()
                    .unwrap_or_else(|| panic!("{here}: `{key}` must be an array"));
                for (i, schema) in schemas.iter().enumerate() {
                    check_node(set, schema, &format!("{here}/{i}"), seen);
                }
            }
            "format" => {
                let format = value.as_str().unwrap_or_default();
                if UNGENERATED_FORMATS.contains(&format) {
                    panic!(
                        "{here}: format `{format}` is validated by jsonschema but schema_instances cannot \
                         generate it (it generates {FORMATS:?}; formats jsonschema does not know are \
                         documentation)"
                    );
                }
            }
            "type" => {
                for name in type_names(value) {
                    if !TYPES.contains(&name.as_str()) {
                        panic!("{here}: unknown type `{name}`");
                    }
                }
            }
            _ => {}
        }
    }
}

fn type_names(value: &Value) -> Vec<String> {
    match value {
        Value::String(name) => vec![name.clone()],
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Flattened schemas

/// One schema with its `$ref`s followed and its `allOf` merged: the constraints of one level, for the
/// generator (never for deciding validity: jsonschema does that).
#[derive(Clone, Debug, Default)]
struct Shape {
    /// Where it comes from, for messages.
    at: String,
    /// The `false` schema: nothing is valid.
    never: bool,
    /// The constraint keywords of this level, except the ones below.
    node: Map<String, Value>,
    /// `enum`, `const`, or a `oneOf` of consts.
    consts: Option<Vec<Value>>,
    /// `if`/`then`/`else`, own or in `allOf`.
    conds: Vec<Cond>,
    /// Each `anyOf` of `{"required": [...]}`: its groups.
    any_of_required: Vec<Vec<Vec<String>>>,
    /// Other `oneOf`/`anyOf`.
    choice: Option<Choice>,
    /// `examples` and `default`: candidates for patterns.
    examples: Vec<Value>,
}

#[derive(Clone, Debug)]
struct Cond {
    at: String,
    when: Value,
    then: Option<Value>,
    otherwise: Option<Value>,
}

#[derive(Clone, Debug)]
enum Choice {
    /// Object variants told apart by the `const` of member `tag`.
    Tagged {
        tag: String,
        variants: Vec<(Value, Shape)>,
    },
    /// Any other branches: one is merged into the parent.
    Branches(Vec<Shape>),
}

impl Shape {
    fn new(at: &str) -> Self {
        Shape {
            at: at.to_owned(),
            ..Shape::default()
        }
    }

    fn without_choice(&self) -> Shape {
        Shape {
            choice: None,
            ..self.clone()
        }
    }

    fn usize(&self, key: &str) -> Option<usize> {
        self.node
            .get(key)
            .and_then(Value::as_f64)
            .map(|n| n.max(0.0) as usize)
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.node.get(key).and_then(Value::as_str)
    }

    fn required(&self) -> Vec<String> {
        strings(self.node.get("required"))
    }

    fn properties(&self) -> Vec<(String, Value)> {
        match self.node.get("properties") {
            Some(Value::Object(p)) => p.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => Vec::new(),
        }
    }

    /// The types a value may have: `type`, else the consts' types, else inferred from the keywords; empty:
    /// any.
    fn types(&self) -> Vec<String> {
        if let Some(types) = self.node.get("type") {
            return type_names(types);
        }
        if let Some(consts) = &self.consts {
            let mut kinds: Vec<String> = consts.iter().map(|c| kind(c).to_owned()).collect();
            kinds.sort();
            kinds.dedup();
            return kinds;
        }
        let has = |keys: &[&str]| keys.iter().any(|k| self.node.contains_key(*k));
        let mut types = Vec::new();
        if has(&[
            "properties",
            "required",
            "additionalProperties",
            "propertyNames",
            "minProperties",
            "maxProperties",
            "dependentRequired",
        ]) || !self.conds.is_empty()
            || !self.any_of_required.is_empty()
        {
            types.push("object".to_owned());
        }
        if has(&[
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "x-minBytes",
            "x-maxBytes",
        ]) {
            types.push("string".to_owned());
        }
        if has(&[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "x-decimalPlaces",
        ]) {
            types.push("number".to_owned());
        }
        if has(&["items", "minItems", "maxItems", "uniqueItems"]) {
            types.push("array".to_owned());
        }
        types
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Follows `$ref`s, merges `allOf`, and sorts out `if`/`anyOf`/`oneOf`.
fn flatten(set: &SchemaSet, node: &Value, at: &str) -> Shape {
    flatten_at(set, node, at, 0)
}

fn flatten_at(set: &SchemaSet, node: &Value, at: &str, depth: usize) -> Shape {
    if depth > 64 {
        panic!("{at}: $ref/allOf nesting too deep (a $ref cycle?)");
    }
    let members = match node {
        Value::Bool(true) => return Shape::new(at),
        Value::Bool(false) => {
            return Shape {
                never: true,
                ..Shape::new(at)
            }
        }
        Value::Object(members) => members,
        _ => panic!("{at}: not a schema: {node}"),
    };
    let mut shape = match members.get("$ref") {
        Some(Value::String(r)) => {
            let (target, target_at) = set.deref(r);
            flatten_at(set, target, &target_at, depth + 1)
        }
        _ => Shape::new(at),
    };
    let mut own = Shape::new(at);
    for (key, value) in members {
        match key.as_str() {
            "enum" => own.consts = value.as_array().cloned(),
            "const" => own.consts = Some(vec![value.clone()]),
            "examples" => own
                .examples
                .extend(value.as_array().cloned().unwrap_or_default()),
            "default" => own.examples.push(value.clone()),
            "$ref" | "allOf" | "anyOf" | "oneOf" | "if" | "then" | "else" => {}
            other if DOCUMENTATION.contains(&other) => {}
            _ => {
                own.node.insert(key.clone(), value.clone());
            }
        }
    }
    shape = merge(shape, own);
    if let Some(when) = members.get("if") {
        shape.conds.push(Cond {
            at: format!("{at}/if"),
            when: when.clone(),
            then: members.get("then").cloned(),
            otherwise: members.get("else").cloned(),
        });
    }
    if let Some(Value::Array(branches)) = members.get("allOf") {
        for (i, branch) in branches.iter().enumerate() {
            let branch_at = format!("{at}/allOf/{i}");
            match branch {
                Value::Object(b) if b.contains_key("if") && is_conditional(b) => {
                    shape.conds.push(Cond {
                        at: format!("{branch_at}/if"),
                        when: b["if"].clone(),
                        then: b.get("then").cloned(),
                        otherwise: b.get("else").cloned(),
                    })
                }
                _ => shape = merge(shape, flatten_at(set, branch, &branch_at, depth + 1)),
            }
        }
    }
    if let Some(Value::Array(branches)) = members.get("anyOf") {
        let flat: Vec<Shape> = branches
            .iter()
            .enumerate()
            .map(|(i, b)| flatten_at(set, b, &format!("{at}/anyOf/{i}"), depth + 1))
            .collect();
        let required_only = flat.iter().all(|b| {
            b.node.keys().all(|k| k == "required")
                && b.consts.is_none()
                && b.conds.is_empty()
                && b.choice.is_none()
                && b.any_of_required.is_empty()
        });
        if required_only && !flat.is_empty() {
            shape
                .any_of_required
                .push(flat.iter().map(Shape::required).collect());
        } else if shape.choice.is_none() && !flat.is_empty() {
            shape.choice = Some(Choice::Branches(flat));
        }
    }
    if let Some(Value::Array(branches)) = members.get("oneOf") {
        let flat: Vec<Shape> = branches
            .iter()
            .enumerate()
            .map(|(i, b)| flatten_at(set, b, &format!("{at}/oneOf/{i}"), depth + 1))
            .collect();
        let consts_only = flat.iter().all(|b| {
            b.node.is_empty()
                && b.consts.as_ref().is_some_and(|c| c.len() == 1)
                && b.conds.is_empty()
                && b.choice.is_none()
        });
        if consts_only && !flat.is_empty() {
            let consts: Vec<Value> = flat
                .iter()
                .map(|b| b.consts.as_ref().unwrap()[0].clone())
                .collect();
            shape = merge(
                shape,
                Shape {
                    consts: Some(consts),
                    ..Shape::new(at)
                },
            );
        } else if shape.choice.is_none() && !flat.is_empty() {
            shape.choice = Some(match tag_of(set, &flat) {
                Some((tag, tags)) => Choice::Tagged {
                    tag,
                    variants: tags.into_iter().zip(flat).collect(),
                },
                None => Choice::Branches(flat),
            });
        }
    }
    shape
}

/// An `allOf` branch holding only a conditional.
fn is_conditional(branch: &Map<String, Value>) -> bool {
    branch.keys().all(|k| {
        matches!(k.as_str(), "if" | "then" | "else") || DOCUMENTATION.contains(&k.as_str())
    })
}

/// The member whose `const` tells the variants apart, and each variant's tag.
fn tag_of(set: &SchemaSet, variants: &[Shape]) -> Option<(String, Vec<Value>)> {
    if variants.len() < 2 {
        return None;
    }
    'names: for (name, _) in variants[0].properties() {
        let mut tags: Vec<Value> = Vec::new();
        for variant in variants {
            let Some(node) = variant.node.get("properties").and_then(|p| p.get(&name)) else {
                continue 'names;
            };
            let member = flatten(set, node, &format!("{}/properties/{name}", variant.at));
            match member.consts {
                Some(c) if c.len() == 1 && !tags.contains(&c[0]) => tags.push(c[0].clone()),
                _ => continue 'names,
            }
        }
        return Some((name, tags));
    }
    None
}

/// Both shapes' constraints (approximately: this steers generation; validity is jsonschema's call).
fn merge(mut a: Shape, b: Shape) -> Shape {
    if a.at.is_empty() {
        a.at = b.at.clone();
    }
    a.never |= b.never;
    for (key, value) in b.node {
        merge_keyword(&mut a.node, key, value);
    }
    a.consts = match (a.consts.take(), b.consts) {
        (Some(x), Some(y)) => {
            let both: Vec<Value> = x.iter().filter(|v| y.contains(v)).cloned().collect();
            Some(if both.is_empty() { y } else { both })
        }
        (x, y) => x.or(y),
    };
    a.conds.extend(b.conds);
    a.any_of_required.extend(b.any_of_required);
    if a.choice.is_none() {
        a.choice = b.choice;
    }
    a.examples.extend(b.examples);
    a
}

fn merge_keyword(node: &mut Map<String, Value>, key: String, value: Value) {
    let Some(old) = node.get(&key).cloned() else {
        node.insert(key, value);
        return;
    };
    let number = |v: &Value| v.as_f64().unwrap_or(0.0);
    let merged = match key.as_str() {
        "required" => {
            let mut names = strings(Some(&old));
            for name in strings(Some(&value)) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            json!(names)
        }
        "properties" | "dependentRequired" => {
            let mut members = old.as_object().cloned().unwrap_or_default();
            for (name, v) in value.as_object().cloned().unwrap_or_default() {
                let combined = match members.get(&name) {
                    None => v,
                    Some(o) if key == "properties" => json!({"allOf": [o, v]}),
                    Some(o) => {
                        let mut names = strings(Some(o));
                        names.extend(strings(Some(&v)));
                        json!(names)
                    }
                };
                members.insert(name, combined);
            }
            Value::Object(members)
        }
        "type" => {
            let (a, b) = (type_names(&old), type_names(&value));
            let mut both = Vec::new();
            for t in &a {
                if b.contains(t) {
                    both.push(t.clone());
                } else if (t == "number" && b.iter().any(|x| x == "integer"))
                    || (t == "integer" && b.iter().any(|x| x == "number"))
                {
                    both.push("integer".to_owned());
                }
            }
            if both.is_empty() {
                value
            } else {
                json!(both)
            }
        }
        "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties"
        | "x-minBytes" => {
            if number(&value) > number(&old) {
                value
            } else {
                old
            }
        }
        "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties"
        | "x-maxBytes" | "x-decimalPlaces" => {
            if number(&value) < number(&old) {
                value
            } else {
                old
            }
        }
        "additionalProperties" => match (&old, &value) {
            (Value::Bool(false), _) | (_, Value::Bool(false)) => json!(false),
            (Value::Bool(true), _) => value,
            (_, Value::Bool(true)) => old,
            _ => json!({"allOf": [old, value]}),
        },
        "items" | "propertyNames" => json!({"allOf": [old, value]}),
        "uniqueItems" => json!(old.as_bool().unwrap_or(false) || value.as_bool().unwrap_or(false)),
        _ => value,
    };
    node.insert(key, merged);
}

/// A schema with every `$ref` replaced by its target, for compiling a subschema (an `if`) on its own.
fn inline_refs(set: &SchemaSet, node: &Value, depth: usize) -> Value {
    if depth > 32 {
        panic!("cannot inline a recursive schema: {node}");
    }
    match node {
        Value::Object(members) => {
            let rest: Map<String, Value> = members
                .iter()
                .filter(|(k, _)| *k != "$ref")
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        "const" | "enum" | "examples" | "default" => v.clone(),
                        _ => inline_refs(set, v, depth + 1),
                    };
                    (k.clone(), v)
                })
                .collect();
            match members.get("$ref") {
                Some(Value::String(r)) => {
                    let target = inline_refs(set, set.deref(r).0, depth + 1);
                    if rest.is_empty() {
                        target
                    } else {
                        json!({"allOf": [target, Value::Object(rest)]})
                    }
                }
                _ => Value::Object(rest),
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| inline_refs(set, v, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn compile(schema: &Value, at: &str) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("{at}: jsonschema cannot compile {schema}: {e}"))
}

// ---------------------------------------------------------------------------------------------------------
// Generation

/// How broken a body may be: the weight of a bad choice against 100 for a good one.
#[derive(Clone, Copy, Debug)]
struct Noise {
    bad: u32,
}

impl Noise {
    fn clean(self) -> bool {
        self.bad == 0
    }

    fn pick(
        self,
        good: BoxedStrategy<Value>,
        bad: Option<BoxedStrategy<Value>>,
    ) -> BoxedStrategy<Value> {
        match bad {
            Some(bad) if self.bad > 0 => prop_oneof![100 => good, self.bad => bad].boxed(),
            _ => good,
        }
    }

    /// Whether a required member is present.
    fn keep(self) -> BoxedStrategy<bool> {
        if self.clean() {
            Just(true).boxed()
        } else {
            prop_oneof![200 => Just(true), self.bad => Just(false)].boxed()
        }
    }
}

#[derive(Clone)]
struct Gen {
    set: SchemaSet,
    noise: Noise,
    depth: usize,
}

impl Gen {
    fn deeper(&self) -> Gen {
        Gen {
            depth: self.depth + 1,
            ..self.clone()
        }
    }

    /// A value for schema `node` at `at`: good mostly, bad at the noise level. `null_ok`: whether `null` may
    /// be generated as a wrong type (not for an optional member, see the known differences).
    fn value(&self, node: &Value, at: &str, null_ok: bool) -> BoxedStrategy<Value> {
        self.shape(&flatten(&self.set, node, at), null_ok)
    }

    fn shape(&self, shape: &Shape, null_ok: bool) -> BoxedStrategy<Value> {
        if shape.never {
            return any_value(null_ok);
        }
        match &shape.choice {
            Some(Choice::Tagged { tag, variants }) => {
                return self.tagged(shape, tag, variants, null_ok)
            }
            Some(Choice::Branches(branches)) => {
                let base = shape.without_choice();
                let options: Vec<BoxedStrategy<Value>> = branches
                    .iter()
                    .map(|b| self.shape(&merge(base.clone(), b.clone()), null_ok))
                    .collect();
                return Union::new(options).boxed();
            }
            None => {}
        }
        self.noise.pick(self.good(shape), self.bad(shape, null_ok))
    }

    /// A value of a right type, satisfying this level's constraints (inner levels at the noise level).
    fn good(&self, shape: &Shape) -> BoxedStrategy<Value> {
        if let Some(consts) = &shape.consts {
            if !consts.is_empty() {
                return select(consts.clone()).boxed();
            }
        }
        let types = shape.types();
        if types.is_empty() {
            return any_value(true);
        }
        let options: Vec<(u32, BoxedStrategy<Value>)> = types
            .iter()
            .map(|t| {
                let weight = if t == "null" { 1 } else { 3 };
                (weight, self.good_of(shape, t, &types))
            })
            .collect();
        Union::new_weighted(options).boxed()
    }

    fn good_of(&self, shape: &Shape, t: &str, types: &[String]) -> BoxedStrategy<Value> {
        match t {
            "null" => Just(Value::Null).boxed(),
            "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
            "integer" => integer_good(shape, types.len() == 1),
            "number" => number_good(shape),
            "string" => string_good(shape, types),
            "array" => self.array_good(shape),
            "object" => self.object(shape),
            other => panic!("{}: unknown type `{other}`", shape.at),
        }
    }

    /// Values this level rejects, if any.
    fn bad(&self, shape: &Shape, null_ok: bool) -> Option<BoxedStrategy<Value>> {
        let types = shape.types();
        let mut options: Vec<BoxedStrategy<Value>> = Vec::new();
        options.extend(wrong_type(&types, null_ok));
        if let Some(consts) = &shape.consts {
            options.extend(near_consts(consts));
        } else {
            for t in &types {
                let bad = match t.as_str() {
                    "integer" => integer_bad(shape),
                    "number" if !types.iter().any(|t| t == "integer") => number_bad(shape),
                    "string" => string_bad(shape, &types),
                    "array" => self.array_bad(shape),
                    _ => None,
                };
                options.extend(bad);
            }
        }
        (!options.is_empty()).then(|| Union::new(options).boxed())
    }

    fn tagged(
        &self,
        shape: &Shape,
        tag: &str,
        variants: &[(Value, Shape)],
        null_ok: bool,
    ) -> BoxedStrategy<Value> {
        let base = shape.without_choice();
        let options: Vec<BoxedStrategy<Value>> = variants
            .iter()
            .map(|(_, variant)| self.object(&merge(base.clone(), variant.clone())))
            .collect();
        let tags: Vec<Value> = variants.iter().map(|(t, _)| t.clone()).collect();
        let swap = if self.noise.clean() {
            Just(None).boxed()
        } else {
            let weight = self.noise.bad.max(10);
            prop_oneof![100 => Just(None), weight => any::<Index>().prop_map(Some)].boxed()
        };
        let tag = tag.to_owned();
        let good = (Union::new(options), swap)
            .prop_map(move |(mut object, swap)| {
                if let (Some(index), Some(members)) = (swap, object.as_object_mut()) {
                    let current = members.get(&tag).cloned();
                    let others: Vec<&Value> = tags
                        .iter()
                        .filter(|t| Some(*t) != current.as_ref())
                        .collect();
                    if !others.is_empty() {
                        members.insert(tag.clone(), (*index.get(&others)).clone());
                    }
                }
                object
            })
            .boxed();
        self.noise
            .pick(good, wrong_type(&["object".to_owned()], null_ok))
    }

    fn array_good(&self, shape: &Shape) -> BoxedStrategy<Value> {
        let (item, min, max, unique) = self.array_parts(shape);
        if self.depth >= MAX_DEPTH {
            return vec(item, min..=min).prop_map(Value::Array).boxed();
        }
        let short_hi = max.map_or(min + 3, |m| m.min(min + 3)).max(min);
        let mut options: Vec<(u32, BoxedStrategy<Value>)> =
            vec![(6, items(item.clone(), min..=short_hi, unique))];
        if let Some(max) = max {
            if max > short_hi && max <= MAX_ITEMS {
                options.push((
                    1,
                    items(item.clone(), max.saturating_sub(1).max(min)..=max, unique),
                ));
            }
        }
        if min == 0 {
            options.push((1, Just(json!([])).boxed()));
        }
        Union::new_weighted(options).boxed()
    }

    fn array_bad(&self, shape: &Shape) -> Option<BoxedStrategy<Value>> {
        let (item, min, max, unique) = self.array_parts(shape);
        let mut options = Vec::new();
        if min > 0 {
            options.push(items(item.clone(), min - 1..=min - 1, false));
        }
        if let Some(max) = max.filter(|m| *m < MAX_ITEMS) {
            options.push(items(item.clone(), max + 1..=max + 1, false));
        }
        if unique {
            let hi = max.unwrap_or(4).saturating_sub(1).clamp(1, 3);
            let repeated = vec(item, 1..=hi)
                .prop_map(|mut values| {
                    values.push(values[0].clone());
                    Value::Array(values)
                })
                .boxed();
            options.push(repeated);
        }
        (!options.is_empty()).then(|| Union::new(options).boxed())
    }

    fn array_parts(&self, shape: &Shape) -> (BoxedStrategy<Value>, usize, Option<usize>, bool) {
        let items = shape.node.get("items").cloned().unwrap_or(json!(true));
        let item = self
            .deeper()
            .value(&items, &format!("{}/items", shape.at), true);
        let min = shape.usize("minItems").unwrap_or(0);
        let max = shape.usize("maxItems");
        let unique = shape.node.get("uniqueItems") == Some(&json!(true));
        (item, min, max, unique)
    }

    fn object(&self, shape: &Shape) -> BoxedStrategy<Value> {
        let deeper = self.deeper();
        let minimal = self.depth >= MAX_DEPTH;
        let required = shape.required();
        let properties = shape.properties();
        let mut names = Vec::new();
        let mut members: Vec<BoxedStrategy<(bool, Value)>> = Vec::new();
        for (name, node) in &properties {
            let is_required = required.contains(name);
            if minimal && !is_required {
                continue;
            }
            if self.depth > MAX_DEPTH + 16 {
                panic!(
                    "{}: the schema requires unbounded nesting (a required recursive member)",
                    shape.at
                );
            }
            let at = format!("{}/properties/{}", shape.at, escape(name));
            let value = deeper.value(node, &at, is_required);
            let present = if is_required {
                self.noise.keep()
            } else {
                any::<bool>().boxed()
            };
            names.push(name.clone());
            members.push((present, value).boxed());
        }
        for name in &required {
            if !names.contains(name) {
                names.push(name.clone());
                members.push((self.noise.keep(), any_value(true)).boxed());
            }
        }

        // Conditionals, and the alternative member values their branches use.
        let mut alts: Vec<BoxedStrategy<Value>> = Vec::new();
        let mut conds = Vec::new();
        let property = |name: &str| {
            properties
                .iter()
                .find(|(n, _)| n == name)
                .map_or(json!(true), |(_, node)| node.clone())
        };
        let alt = |name: &str, sub: &Value, alts: &mut Vec<BoxedStrategy<Value>>| {
            let at = format!("{}/properties/{}", shape.at, escape(name));
            let node = json!({"allOf": [property(name), sub]});
            alts.push(deeper.value(&node, &at, required.contains(&name.to_owned())));
            alts.len() - 1
        };
        for cond in &shape.conds {
            let matcher = Arc::new(compile(&inline_refs(&self.set, &cond.when, 0), &cond.at));
            let mut force = Vec::new();
            if let Some(Value::Object(tests)) = cond.when.get("properties") {
                for (name, sub) in tests {
                    let test = flatten(&self.set, sub, &cond.at);
                    let f = match test.consts {
                        Some(c) if c.len() == 1 => Force::Const(c[0].clone()),
                        Some(c) if !c.is_empty() => Force::OneOf(c),
                        _ => Force::Alt(alt(name, sub, &mut alts)),
                    };
                    force.push((name.clone(), f));
                }
            }
            for name in strings(cond.when.get("required")) {
                if !force.iter().any(|(n, _)| *n == name) {
                    force.push((name, Force::Member));
                }
            }
            let mut branch = |node: &Option<Value>| {
                let node = node.as_ref()?;
                let mut plan = BranchPlan {
                    required: strings(node.get("required")),
                    nested: Vec::new(),
                    forbidden: Vec::new(),
                };
                if let Some(Value::Object(subs)) = node.get("properties") {
                    for (name, sub) in subs {
                        let nested = flatten(&self.set, sub, &cond.at);
                        if nested.never {
                            plan.forbidden.push(name.clone());
                            continue;
                        }
                        let nested_required = nested.required();
                        plan.nested.push((
                            name.clone(),
                            alt(name, sub, &mut alts),
                            nested_required,
                        ));
                    }
                }
                Some(plan)
            };
            let then = branch(&cond.then);
            let otherwise = branch(&cond.otherwise);
            conds.push(CondPlan {
                matcher,
                force,
                then,
                otherwise,
            });
        }

        let dependent: Vec<(String, Vec<String>)> = match shape.node.get("dependentRequired") {
            Some(Value::Object(deps)) => deps
                .iter()
                .map(|(k, v)| (k.clone(), strings(Some(v))))
                .collect(),
            _ => Vec::new(),
        };
        let closed = shape.node.get("additionalProperties") == Some(&json!(false));
        let (extras, pool) = self.extras(shape, &names, minimal);
        let coin_count = 3 * conds.len() + 2 * shape.any_of_required.len() + 2;
        let plan = Arc::new(ObjectPlan {
            names,
            required,
            conds,
            dependent,
            any_of: shape.any_of_required.clone(),
            min: shape.usize("minProperties"),
            max: shape.usize("maxProperties"),
            closed,
            clean: self.noise.clean(),
        });
        let coins = vec(any::<u32>(), coin_count..=coin_count);
        (members, alts, extras, pool, coins)
            .prop_map(move |(members, alts, extras, pool, coins)| {
                assemble(&plan, members, alts, extras, pool, coins)
            })
            .boxed()
    }

    /// Members beyond `properties`: (sometimes added, a pool for `minProperties`).
    fn extras(
        &self,
        shape: &Shape,
        declared: &[String],
        minimal: bool,
    ) -> (BoxedStrategy<Extras>, BoxedStrategy<Extras>) {
        let none = || Just(Extras::new()).boxed();
        if minimal {
            return (none(), none());
        }
        let additional = shape
            .node
            .get("additionalProperties")
            .cloned()
            .unwrap_or(json!(true));
        if additional == json!(false) {
            let extra = if self.noise.clean() {
                none()
            } else {
                let mut names = vec!["unexpected".to_owned()];
                if let Some(first) = declared.first() {
                    names.push(capitalized(first));
                    names.push(format!("{first}_x"));
                }
                names.retain(|n| !declared.contains(n));
                let unknown = (select(names), prop_oneof![Just(json!(1)), Just(json!("x"))]);
                let p = (f64::from(self.noise.bad) / 400.0).min(0.5);
                proptest::option::weighted(p, unknown)
                    .prop_map(|u| u.into_iter().collect())
                    .boxed()
            };
            return (extra, none());
        }
        let name = self.member_name(shape, declared);
        let value = match &additional {
            Value::Bool(true) => any_value(true),
            schema => {
                self.deeper()
                    .value(schema, &format!("{}/additionalProperties", shape.at), false)
            }
        };
        let some = vec((name.clone(), value.clone()), 1..=2).boxed();
        let extra = prop_oneof![3 => Just(Vec::new()), 1 => some].boxed();
        let min = shape.usize("minProperties").unwrap_or(0).min(64);
        let pool = vec((name, value), min..=min).boxed();
        (extra, pool)
    }

    /// Names of extra members: from `propertyNames` (good, or bad at the noise level), else identifiers.
    fn member_name(&self, shape: &Shape, declared: &[String]) -> BoxedStrategy<String> {
        let declared = declared.to_vec();
        let raw: BoxedStrategy<String> = match shape.node.get("propertyNames") {
            Some(names) => {
                let names = flatten(&self.set, names, &format!("{}/propertyNames", shape.at));
                let types = vec!["string".to_owned()];
                let good = string_good(&names, &types);
                let bad = string_bad(&names, &types);
                self.noise
                    .pick(good, bad)
                    .prop_map(|v| match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .boxed()
            }
            None => regex("[a-z][a-z0-9_]{0,7}"),
        };
        raw.prop_map(move |n| {
            if declared.contains(&n) {
                format!("{n}_")
            } else {
                n
            }
        })
        .boxed()
    }
}

#[derive(Debug)]
enum Force {
    Const(Value),
    OneOf(Vec<Value>),
    Alt(usize),
    Member,
}

struct BranchPlan {
    required: Vec<String>,
    /// (member, index of its alternative value, the members the nested schema requires).
    nested: Vec<(String, usize, Vec<String>)>,
    /// Members whose nested schema is `false`: absent to satisfy the branch.
    forbidden: Vec<String>,
}

struct CondPlan {
    matcher: Arc<jsonschema::Validator>,
    force: Vec<(String, Force)>,
    then: Option<BranchPlan>,
    otherwise: Option<BranchPlan>,
}

struct ObjectPlan {
    names: Vec<String>,
    required: Vec<String>,
    conds: Vec<CondPlan>,
    dependent: Vec<(String, Vec<String>)>,
    any_of: Vec<Vec<Vec<String>>>,
    min: Option<usize>,
    max: Option<usize>,
    closed: bool,
    clean: bool,
}

type Members = Vec<(bool, Value)>;
type Extras = Vec<(String, Value)>;

/// Builds one object from its generated parts, applying the object-level rules (satisfied always when clean,
/// half the time otherwise).
fn assemble(
    plan: &ObjectPlan,
    members: Members,
    alts: Vec<Value>,
    extras: Extras,
    pool: Extras,
    coins: Vec<u32>,
) -> Value {
    let mut coins = coins.into_iter();
    let mut coin = move || coins.next().unwrap_or(0);
    let values: BTreeMap<&str, &Value> = plan
        .names
        .iter()
        .map(String::as_str)
        .zip(members.iter().map(|(_, v)| v))
        .collect();
    let value_of = |name: &str| values.get(name).map_or(json!(1), |v| (*v).clone());
    let mut map = Map::new();
    for (name, (present, value)) in plan.names.iter().zip(&members) {
        if *present {
            map.insert(name.clone(), value.clone());
        }
    }
    // Conditions first (a later one may force a member an earlier one tests), then the consequences until
    // they settle (one may set a member another condition tests).
    let decisions: Vec<(bool, bool, usize)> = plan
        .conds
        .iter()
        .map(|_| {
            let force = coin() % 2 == 0;
            let satisfy = plan.clean || coin() % 2 == 0;
            (force, satisfy, coin() as usize)
        })
        .collect();
    for (cond, &(force, _, pick)) in plan.conds.iter().zip(&decisions) {
        if force {
            for (name, f) in &cond.force {
                let v = match f {
                    Force::Const(c) => c.clone(),
                    Force::OneOf(cs) => cs[pick % cs.len()].clone(),
                    Force::Alt(i) => alts[*i].clone(),
                    Force::Member => value_of(name),
                };
                map.insert(name.clone(), v);
            }
        }
    }
    let consequences = |map: &mut Map<String, Value>| {
        for _ in 0..3 {
            for (cond, &(_, satisfy, _)) in plan.conds.iter().zip(&decisions) {
                let holds = cond.matcher.is_valid(&Value::Object(map.clone()));
                let branch = if holds {
                    cond.then.as_ref()
                } else {
                    cond.otherwise.as_ref()
                };
                if let Some(branch) = branch {
                    apply_branch(map, branch, satisfy, &alts, &value_of);
                }
            }
        }
    };
    consequences(&mut map);
    if plan.clean || coin() % 2 == 0 {
        for _ in 0..3 {
            for (name, deps) in &plan.dependent {
                if map.contains_key(name) {
                    for dep in deps {
                        if !map.contains_key(dep) {
                            map.insert(dep.clone(), value_of(dep));
                        }
                    }
                }
            }
        }
    }
    for groups in &plan.any_of {
        let satisfy = plan.clean || coin() % 2 == 0;
        let pick = coin() as usize;
        if groups.is_empty() {
            continue;
        }
        if satisfy {
            if !groups.iter().any(|g| g.iter().all(|m| map.contains_key(m))) {
                for name in &groups[pick % groups.len()] {
                    if !map.contains_key(name) {
                        map.insert(name.clone(), value_of(name));
                    }
                }
            }
        } else {
            for name in groups.iter().flatten() {
                if !plan.required.contains(name) {
                    map.remove(name);
                }
            }
        }
    }
    for (name, value) in extras {
        map.entry(name).or_insert(value);
    }
    if plan.clean || coin() % 2 == 0 {
        if let Some(min) = plan.min {
            for name in &plan.names {
                if map.len() >= min {
                    break;
                }
                if !map.contains_key(name) {
                    map.insert(name.clone(), value_of(name));
                }
            }
            if !plan.closed {
                for (name, value) in pool {
                    if map.len() >= min {
                        break;
                    }
                    map.entry(name).or_insert(value);
                }
            }
        }
        if let Some(max) = plan.max {
            let optional: Vec<String> = map
                .keys()
                .filter(|k| !plan.required.contains(k))
                .rev()
                .cloned()
                .collect();
            for name in optional {
                if map.len() <= max {
                    break;
                }
                map.remove(&name);
            }
        }
    }
    if !plan.conds.is_empty() {
        consequences(&mut map);
    }
    Value::Object(map)
}

/// Makes one branch of a conditional hold (`satisfy`), or breaks it.
fn apply_branch(
    map: &mut Map<String, Value>,
    branch: &BranchPlan,
    satisfy: bool,
    alts: &[Value],
    value_of: &dyn Fn(&str) -> Value,
) {
    if satisfy {
        for name in &branch.required {
            if !map.contains_key(name) {
                map.insert(name.clone(), value_of(name));
            }
        }
        for (name, i, _) in &branch.nested {
            if map.contains_key(name) || branch.required.contains(name) {
                map.insert(name.clone(), alts[*i].clone());
            }
        }
        for name in &branch.forbidden {
            map.remove(name);
        }
    } else {
        for name in &branch.forbidden {
            map.insert(name.clone(), value_of(name));
        }
        for name in &branch.required {
            map.remove(name);
        }
        for (name, _, nested) in &branch.nested {
            if let Some(Value::Object(inner)) = map.get_mut(name) {
                for n in nested {
                    inner.remove(n);
                }
            }
        }
    }
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "X".to_owned(),
    }
}

/// An array of `item`s; long non-unique arrays repeat one item (cheap to generate and to validate).
fn items(
    item: BoxedStrategy<Value>,
    len: RangeInclusive<usize>,
    unique: bool,
) -> BoxedStrategy<Value> {
    let (lo, hi) = (*len.start(), *len.end().max(len.start()));
    if unique {
        return vec(item, lo..=hi)
            .prop_map(|values| {
                let mut seen: Vec<Value> = Vec::new();
                for v in values {
                    if !seen.contains(&v) {
                        seen.push(v);
                    }
                }
                Value::Array(seen)
            })
            .boxed();
    }
    if hi <= 8 {
        return vec(item, lo..=hi).prop_map(Value::Array).boxed();
    }
    (item, lo..=hi)
        .prop_map(|(v, n)| Value::Array(vec![v; n]))
        .boxed()
}

/// Values of a JSON type not in `types` (`null` only when `null_ok`); none for "any".
fn wrong_type(types: &[String], null_ok: bool) -> Option<BoxedStrategy<Value>> {
    if types.is_empty() {
        return None;
    }
    let allowed = |t: &str| {
        types.iter().any(|x| x == t) || (t == "integer" && types.iter().any(|x| x == "number"))
    };
    let candidates = [
        ("null", Value::Null),
        ("boolean", json!(true)),
        ("integer", json!(7)),
        ("number", json!(2.5)),
        ("string", json!("8")),
        ("array", json!([1])),
        ("object", json!({"a": 1})),
    ];
    let values: Vec<Value> = candidates
        .into_iter()
        .filter(|(t, _)| !allowed(t) && (*t != "null" || null_ok))
        .map(|(_, v)| v)
        .collect();
    (!values.is_empty()).then(|| select(values).boxed())
}

/// Values next to the allowed ones.
fn near_consts(consts: &[Value]) -> Option<BoxedStrategy<Value>> {
    let mut near = Vec::new();
    for c in consts {
        match c {
            Value::String(s) => {
                near.push(json!(format!("{s}x")));
                near.push(json!(""));
                near.push(json!(s.to_uppercase()));
                if s.len() > 1 {
                    near.push(json!(s[..s.len() - 1].to_owned()));
                }
            }
            Value::Number(n) => match n.as_i64() {
                Some(i) => {
                    near.push(json!(i.saturating_add(1)));
                    near.push(json!(i.saturating_sub(1)));
                }
                None => near.push(json!(n.as_f64().unwrap_or(0.0) + 0.5)),
            },
            Value::Bool(b) => near.push(json!(!b)),
            Value::Null => near.push(json!("null")),
            _ => near.push(json!("x")),
        }
    }
    let ints: Vec<i64> = consts.iter().filter_map(Value::as_i64).collect();
    if let (Some(lo), Some(hi)) = (ints.iter().min(), ints.iter().max()) {
        near.push(json!(hi.saturating_add(1)));
        near.push(json!(lo.saturating_sub(1)));
    }
    near.retain(|v| !consts.contains(v));
    near.dedup();
    (!near.is_empty()).then(|| select(near).boxed())
}

/// Any JSON value, small.
fn any_value(null_ok: bool) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..=1000).prop_map(Value::from),
        (-100_000i128..=100_000).prop_map(|m| Dec { m, s: 2 }.value()),
        text(0..=6).prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..=3).prop_map(Value::Array),
            vec((regex("[a-z]{1,3}"), inner), 0..=3)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    });
    if null_ok {
        value.boxed()
    } else {
        value
            .prop_map(|v| if v.is_null() { json!(0) } else { v })
            .boxed()
    }
}

fn regex(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern)
        .unwrap_or_else(|e| panic!("{pattern}: {e}"))
        .boxed()
}

// ---------------------------------------------------------------------------------------------------------
// Numbers: exact decimals

/// `m / 10^s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dec {
    m: i128,
    s: u32,
}

impl Dec {
    fn parse(text: &str) -> Option<Dec> {
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, mantissa),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let mut m: i128 = format!("{int}{frac}").parse().ok()?;
        let mut s = frac.len() as i32 - exponent;
        while s < 0 {
            m = m.checked_mul(10)?;
            s += 1;
        }
        if negative {
            m = -m;
        }
        Some(Dec { m, s: s as u32 }.normalized())
    }

    fn of(value: Option<&Value>) -> Option<Dec> {
        match value? {
            Value::Number(n) => Dec::parse(&n.to_string()),
            _ => None,
        }
    }

    fn normalized(mut self) -> Dec {
        while self.s > 0 && self.m % 10 == 0 {
            self.m /= 10;
            self.s -= 1;
        }
        self
    }

    /// The mantissa at scale `s`, rounded up or down.
    fn at(self, s: u32, up: bool) -> Option<i128> {
        if s >= self.s {
            self.m.checked_mul(10i128.checked_pow(s - self.s)?)
        } else {
            let d = 10i128.checked_pow(self.s - s)?;
            let (q, r) = (self.m.div_euclid(d), self.m.rem_euclid(d));
            Some(if up && r != 0 { q + 1 } else { q })
        }
    }

    fn text(self) -> String {
        if self.s == 0 {
            return self.m.to_string();
        }
        let digits = format!(
            "{:0>width$}",
            self.m.unsigned_abs(),
            width = self.s as usize + 1
        );
        let (int, frac) = digits.split_at(digits.len() - self.s as usize);
        let sign = if self.m < 0 { "-" } else { "" };
        format!("{sign}{int}.{frac}")
    }

    /// An integer JSON number when `s` is 0, else a float parsed from the decimal text.
    fn value(self) -> Value {
        if self.s == 0 {
            if let Ok(i) = i64::try_from(self.m) {
                return Value::from(i);
            }
        }
        serde_json::from_str(&self.text()).expect("a decimal is JSON")
    }
}

/// `minimum`/`exclusiveMinimum` and `maximum`/`exclusiveMaximum`, the stricter of each pair.
struct Bounds {
    lo: Option<(Dec, bool)>,
    hi: Option<(Dec, bool)>,
}

impl Bounds {
    fn of(shape: &Shape) -> Bounds {
        let get = |key: &str| Dec::of(shape.node.get(key));
        let stricter = |a: Option<Dec>, b: Option<Dec>, upper: bool| match (a, b) {
            (Some(a), Some(b)) => {
                let s = a.s.max(b.s);
                let (x, y) = (a.at(s, false).unwrap_or(0), b.at(s, false).unwrap_or(0));
                // The exclusive one (b) wins ties.
                Some(if (upper && y <= x) || (!upper && y >= x) {
                    (b, true)
                } else {
                    (a, false)
                })
            }
            (Some(a), None) => Some((a, false)),
            (None, Some(b)) => Some((b, true)),
            (None, None) => None,
        };
        Bounds {
            lo: stricter(get("minimum"), get("exclusiveMinimum"), false),
            hi: stricter(get("maximum"), get("exclusiveMaximum"), true),
        }
    }

    /// The smallest allowed mantissa at scale `s` (`default` when unbounded).
    fn lo_at(&self, s: u32, default: i128) -> i128 {
        match self.lo {
            None => default,
            Some((d, exclusive)) => match d.at(s, true) {
                Some(m) if exclusive && s >= d.s => m + 1,
                Some(m) => m,
                None => default,
            },
        }
    }

    fn hi_at(&self, s: u32, default: i128) -> i128 {
        match self.hi {
            None => default,
            Some((d, exclusive)) => match d.at(s, false) {
                Some(m) if exclusive && s >= d.s => m - 1,
                Some(m) => m,
                None => default,
            },
        }
    }
}

/// How exact multiples of `multipleOf` are generated.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// An integral `multipleOf`: any multiple (within ±2^53).
    Integral(i128),
    /// A dyadic fraction (0.5, 0.25, 1.5): multiples `k·m`, `k ≥ 0`.
    Dyadic(Dec),
    /// Any other fraction (0.01): only 0.
    Other(Dec),
}

impl Step {
    fn of(shape: &Shape) -> Option<Step> {
        let m = Dec::of(shape.node.get("multipleOf"))?;
        if m.m <= 0 {
            return None;
        }
        Some(if m.s == 0 {
            Step::Integral(m.m)
        } else if m.s <= 10 && m.m % 5i128.pow(m.s) == 0 {
            Step::Dyadic(m)
        } else {
            Step::Other(m)
        })
    }

    fn dec(self) -> Dec {
        match self {
            Step::Integral(k) => Dec { m: k, s: 0 },
            Step::Dyadic(d) | Step::Other(d) => d,
        }
    }
}

/// Mantissas in `lo..=hi`, often at or near either end, or near 0. An end given as `(value, bounded)`: an
/// unbounded end (a type's own limit) is generated rarely.
fn spread(lo: (i128, bool), hi: (i128, bool)) -> BoxedStrategy<i128> {
    let ((lo, lo_bounded), (hi, hi_bounded)) = (lo, hi);
    if lo >= hi {
        return Just(lo).boxed();
    }
    let near_lo = lo..=hi.min(lo.saturating_add(100));
    let near_hi = hi.saturating_sub(100).max(lo)..=hi;
    let (zlo, zhi) = (lo.max(-1000), hi.min(1000));
    let end = |bounded: bool| if bounded { 2 } else { 0 };
    let mut options: Vec<(u32, BoxedStrategy<i128>)> = vec![
        (1, Just(lo).boxed()),
        (1, Just(hi).boxed()),
        (end(lo_bounded), near_lo.boxed()),
        (end(hi_bounded), near_hi.boxed()),
        (2, (lo..=hi).boxed()),
    ];
    options.retain(|(weight, _)| *weight > 0);
    if zlo <= zhi {
        options.push((3, (zlo..=zhi).boxed()));
    }
    Union::new_weighted(options).boxed()
}

fn div_up(a: i128, b: i128) -> i128 {
    let q = a.div_euclid(b);
    if a.rem_euclid(b) == 0 {
        q
    } else {
        q + 1
    }
}

fn integer_good(shape: &Shape, single: bool) -> BoxedStrategy<Value> {
    let bounds = Bounds::of(shape);
    let step = Step::of(shape);
    let (dlo, dhi) = match step {
        Some(_) => (-MAX_SAFE, MAX_SAFE),
        None => (i128::from(i64::MIN), i128::from(i64::MAX)),
    };
    let lo = bounds.lo_at(0, dlo).max(dlo);
    let hi = bounds.hi_at(0, dhi).min(dhi);
    let (lb, hb) = (bounds.lo.is_some(), bounds.hi.is_some());
    let ints: BoxedStrategy<i128> = match step {
        None => spread((lo, lb), (hi, hb)),
        Some(Step::Integral(k)) => spread((div_up(lo, k), lb), (hi.div_euclid(k), hb))
            .prop_map(move |q| q * k)
            .boxed(),
        Some(Step::Dyadic(m)) => {
            // Integer multiples of m are the multiples of m.m / gcd(m.m, 10^s); never negative (see above).
            let k = m.m / gcd(m.m, 10i128.pow(m.s));
            spread((div_up(lo.max(0), k), true), (hi.div_euclid(k), hb))
                .prop_map(move |q| q * k)
                .boxed()
        }
        Some(Step::Other(_)) => Just(0).boxed(),
    };
    (ints, 0u8..8)
        .prop_map(move |(n, w)| {
            if single && w == 0 && n.abs() <= MAX_SAFE {
                json!(n as f64)
            } else {
                Dec { m: n, s: 0 }.value()
            }
        })
        .boxed()
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

fn integer_bad(shape: &Shape) -> Option<BoxedStrategy<Value>> {
    let bounds = Bounds::of(shape);
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    let mut options: Vec<BoxedStrategy<i128>> = Vec::new();
    if bounds.lo.is_some() {
        let lo = bounds.lo_at(0, min);
        if lo > min && lo <= max + 1 {
            options.push(Just(lo - 1).boxed());
            options.push((min..=lo - 1).boxed());
        }
    }
    if bounds.hi.is_some() {
        let hi = bounds.hi_at(0, max);
        if hi < max && hi >= min - 1 {
            options.push(Just(hi + 1).boxed());
            options.push((hi + 1..=max).boxed());
        }
    }
    let step = Step::of(shape);
    if let Some(Step::Integral(k)) = step.filter(|s| matches!(s, Step::Integral(k) if *k >= 2)) {
        options.push(
            (-MAX_SAFE / k + 1..=MAX_SAFE / k - 1)
                .prop_map(move |q| q * k + 1)
                .boxed(),
        );
    }
    if let Some(Step::Dyadic(m)) = step {
        let k = m.m / gcd(m.m, 10i128.pow(m.s));
        if k >= 2 {
            options.push((0..=1_000_000i128).prop_map(move |q| q * k + 1).boxed());
        }
    }
    let mut values: Vec<BoxedStrategy<Value>> = options
        .into_iter()
        .map(|s| s.prop_map(|n| Dec { m: n, s: 0 }.value()).boxed())
        .collect();
    // Not an integer.
    values.push(
        (-1000i128..=1000)
            .prop_map(|n| Dec { m: 2 * n + 1, s: 1 }.value())
            .boxed(),
    );
    Some(Union::new(values).boxed())
}

fn number_good(shape: &Shape) -> BoxedStrategy<Value> {
    let bounds = Bounds::of(shape);
    let places = shape.usize("x-decimalPlaces").map(|p| p.min(8) as u32);
    match Step::of(shape) {
        Some(Step::Integral(k)) => {
            let lo = bounds.lo_at(0, -MAX_SAFE).max(-MAX_SAFE);
            let hi = bounds.hi_at(0, MAX_SAFE).min(MAX_SAFE);
            let (lb, hb) = (bounds.lo.is_some(), bounds.hi.is_some());
            spread((div_up(lo, k), lb), (hi.div_euclid(k), hb))
                .prop_map(move |q| Dec { m: q * k, s: 0 }.value())
                .boxed()
        }
        Some(Step::Dyadic(m)) => {
            let lo = bounds.lo_at(m.s, 0).max(0);
            let hi = bounds.hi_at(m.s, i128::MAX / 4);
            let hb = bounds.hi.is_some();
            spread(
                (div_up(lo, m.m), true),
                (hi.div_euclid(m.m).min(1_000_000), hb),
            )
            .prop_map(move |q| Dec { m: q * m.m, s: m.s }.value())
            .boxed()
        }
        Some(Step::Other(_)) => Just(json!(0)).boxed(),
        None => {
            let scales: Vec<(u32, u32)> = match places {
                Some(p) => vec![(2, 0), (3, p), (1, p.saturating_sub(1)), (1, p + 1)],
                None => vec![(3, 0), (2, 1), (2, 2), (1, 4)],
            };
            let (lb, hb) = (bounds.lo.is_some(), bounds.hi.is_some());
            let range = |s: u32| {
                let unit = 10i128.pow(s);
                let lo = bounds.lo_at(s, -1_000_000 * unit).max(-MAX_MANTISSA);
                let hi = bounds.hi_at(s, 1_000_000_000 * unit).min(MAX_MANTISSA);
                (lo, hi)
            };
            // Scales with no value in range (no integer in (0, 1)) are left out, unless all are.
            let mut usable: Vec<(u32, u32)> = scales
                .iter()
                .copied()
                .filter(|(_, s)| range(*s).0 <= range(*s).1)
                .collect();
            if usable.is_empty() {
                usable = scales;
            }
            let options: Vec<(u32, BoxedStrategy<Value>)> = usable
                .into_iter()
                .map(|(weight, s)| {
                    let (lo, hi) = range(s);
                    let values = spread((lo, lb), (hi, hb))
                        .prop_map(move |m| Dec { m, s }.value())
                        .boxed();
                    (weight, values)
                })
                .collect();
            Union::new_weighted(options).boxed()
        }
    }
}

fn number_bad(shape: &Shape) -> Option<BoxedStrategy<Value>> {
    let bounds = Bounds::of(shape);
    let mut options: Vec<BoxedStrategy<Value>> = Vec::new();
    if let Some((d, _)) = bounds.lo {
        let s = d.s.max(2);
        let lo = bounds.lo_at(s, 0);
        if lo.abs() < MAX_MANTISSA {
            options.push(Just(Dec { m: lo - 1, s }.value()).boxed());
            options.push(
                (-MAX_MANTISSA..=lo - 1)
                    .prop_map(move |m| Dec { m, s }.value())
                    .boxed(),
            );
        }
    }
    if let Some((d, _)) = bounds.hi {
        let s = d.s.max(2);
        let hi = bounds.hi_at(s, 0);
        if hi.abs() < MAX_MANTISSA {
            options.push(Just(Dec { m: hi + 1, s }.value()).boxed());
            options.push(
                (hi + 1..=MAX_MANTISSA)
                    .prop_map(move |m| Dec { m, s }.value())
                    .boxed(),
            );
        }
    }
    if let Some(step) = Step::of(shape) {
        // Odd half-multiples: no multiple in either arithmetic.
        let m = step.dec();
        options.push(
            (-1000i128..=1_000_000)
                .prop_map(move |q| {
                    Dec {
                        m: (2 * q + 1) * m.m * 5,
                        s: m.s + 1,
                    }
                    .value()
                })
                .boxed(),
        );
        if let Step::Integral(k) = step {
            if k >= 2 {
                options.push(
                    (-1_000_000i128..=1_000_000)
                        .prop_map(move |q| Dec { m: q * k + 1, s: 0 }.value())
                        .boxed(),
                );
            }
        }
    }
    (!options.is_empty()).then(|| Union::new(options).boxed())
}

// ---------------------------------------------------------------------------------------------------------
// Strings

/// Text of `len` characters: ASCII mostly, some CJK, Latin-1, emoji, newlines and tabs.
fn text(len: RangeInclusive<usize>) -> BoxedStrategy<String> {
    let ch = prop_oneof![
        24 => proptest::char::range(' ', '~'),
        3 => proptest::char::range('\u{4e00}', '\u{9fa5}'),
        1 => proptest::char::range('\u{a1}', '\u{ff}'),
        1 => proptest::char::range('\u{1f600}', '\u{1f64f}'),
        1 => Just('\n'),
        1 => Just('\t'),
    ];
    vec(ch, len).prop_map(String::from_iter).boxed()
}

fn ascii(len: RangeInclusive<usize>) -> BoxedStrategy<String> {
    vec(proptest::char::range(' ', '~'), len)
        .prop_map(String::from_iter)
        .boxed()
}

/// CJK characters only: 3 UTF-8 bytes each.
fn cjk(len: RangeInclusive<usize>) -> BoxedStrategy<String> {
    vec(proptest::char::range('\u{4e00}', '\u{9fa5}'), len)
        .prop_map(String::from_iter)
        .boxed()
}

fn digits(len: RangeInclusive<usize>) -> BoxedStrategy<String> {
    vec(proptest::char::range('0', '9'), len)
        .prop_map(String::from_iter)
        .boxed()
}

/// `lo..=hi`, or `lo..=lo` when the limits cross.
fn span(lo: usize, hi: usize) -> RangeInclusive<usize> {
    lo..=hi.max(lo)
}

/// `["integer", "string"]`-like: digit strings stand for integers.
fn lenient(shape: &Shape, types: &[String]) -> bool {
    types.iter().any(|t| t == "integer")
        && types.iter().any(|t| t == "string")
        && shape.str("format").is_none_or(|f| !FORMATS.contains(&f))
}

fn known_format(shape: &Shape) -> Option<&str> {
    shape.str("format").filter(|f| FORMATS.contains(f))
}

fn string_good(shape: &Shape, types: &[String]) -> BoxedStrategy<Value> {
    if lenient(shape, types) {
        // Digit strings of in-range non-negative integers, also with leading zeros; any 1-18 digits when
        // unbounded above.
        let mut unsigned = shape.clone();
        merge_keyword(&mut unsigned.node, "minimum".to_owned(), json!(0));
        let ints = integer_good(&unsigned, false).prop_map(|v| v.to_string());
        let padded = ints.clone().prop_map(|n| {
            if n.starts_with('-') {
                n
            } else {
                format!("00{n}")
            }
        });
        let bounded =
            shape.node.contains_key("maximum") || shape.node.contains_key("exclusiveMaximum");
        let any_digits = if bounded { 0 } else { 1 };
        let options: Vec<(u32, BoxedStrategy<String>)> = vec![
            (3, ints.boxed()),
            (1, padded.boxed()),
            (any_digits, digits(1..=18)),
        ];
        return Union::new_weighted(options.into_iter().filter(|(w, _)| *w > 0).collect())
            .prop_map(Value::String)
            .boxed();
    }
    if let Some(format) = known_format(shape) {
        return format_good(format).prop_map(Value::String).boxed();
    }
    if let Some(pattern) = shape.str("pattern") {
        return Pattern::new(pattern, shape)
            .good
            .prop_map(Value::String)
            .boxed();
    }
    let min = shape.usize("minLength").unwrap_or(0);
    let max = shape.usize("maxLength");
    let top = max.unwrap_or(MAX_TEXT).min(MAX_TEXT);
    let fit = |n: usize| n.clamp(min, top.max(min));
    let mut options: Vec<(u32, BoxedStrategy<String>)> = vec![
        (4, text(span(fit(min), fit(min + 8)))),
        (1, cjk(span(fit(min), fit(min + 3)))),
    ];
    if let Some(max) = max.filter(|m| *m <= MAX_TEXT) {
        options.push((1, text(span(fit(max.saturating_sub(2)), fit(max)))));
        options.push((1, cjk(span(fit(max), fit(max)))));
    }
    for key in ["x-maxBytes", "x-minBytes"] {
        if let Some(bytes) = shape.usize(key).filter(|b| *b <= MAX_TEXT) {
            options.push((1, ascii(span(fit(bytes.saturating_sub(1)), fit(bytes + 1)))));
            options.push((1, cjk(span(fit(bytes / 3), fit(bytes / 3 + 1)))));
        }
    }
    Union::new_weighted(options).prop_map(Value::String).boxed()
}

fn string_bad(shape: &Shape, types: &[String]) -> Option<BoxedStrategy<Value>> {
    let mut options: Vec<BoxedStrategy<String>> = Vec::new();
    let checked = shape.str("pattern").is_some();
    if let Some(min) = shape.usize("minLength").filter(|m| *m > 0) {
        options.push(ascii(min - 1..=min - 1));
        if !checked {
            options.push(cjk(min - 1..=min - 1));
        }
    }
    if let Some(max) = shape.usize("maxLength").filter(|m| *m < MAX_TEXT) {
        options.push(ascii(max + 1..=max + 2));
        if !checked {
            options.push(cjk(max + 1..=max + 1));
        }
    }
    if lenient(shape, types) {
        let texts = [
            "", "abc", "+4", " 4", "4 ", "1e3", "0x10", "4\n", "-0", "-00", "-5", "4.5", "4.0",
        ];
        options.push(fixed(&texts));
    }
    if let Some(format) = known_format(shape) {
        options.push(format_bad(format));
    } else if let Some(pattern) = shape.str("pattern") {
        options.push(Pattern::new(pattern, shape).bad);
    }
    (!options.is_empty()).then(|| Union::new(options).prop_map(Value::String).boxed())
}

/// Strings for a `pattern`: matching ones, and near misses.
struct Pattern {
    good: BoxedStrategy<String>,
    bad: BoxedStrategy<String>,
}

impl Pattern {
    fn new(pattern: &str, shape: &Shape) -> Pattern {
        let matcher = Arc::new(compile(
            &json!({"type": "string", "pattern": pattern}),
            &shape.at,
        ));
        let matches = {
            let matcher = matcher.clone();
            move |s: &str| matcher.is_valid(&Value::String(s.to_owned()))
        };
        let matches_for_fit = {
            let matcher = matcher.clone();
            move |s: &str| matcher.is_valid(&Value::String(s.to_owned()))
        };
        let stripped = strip_anchors(pattern);
        let generated = proptest::string::string_regex(&ascii_only(&stripped))
            .ok()
            .or_else(|| proptest::string::string_regex(&stripped).ok())
            .map(Strategy::boxed);
        // Of a few matching strings, one whose length fits `minLength`/`maxLength` (else the first).
        let (min, max) = (
            shape.usize("minLength").unwrap_or(0),
            shape.usize("maxLength").unwrap_or(usize::MAX),
        );
        let fits = move |s: &String| (min..=max).contains(&s.chars().count());
        let good = match generated {
            Some(good) => vec(good, 4)
                .prop_map(move |candidates| {
                    let fitting = candidates.iter().find(|c| fits(c)).cloned();
                    let truncated = candidates.iter().find_map(|c| {
                        let t: String = c.chars().take(max).collect();
                        (fits(&t) && matches_for_fit(&t)).then_some(t)
                    });
                    fitting
                        .or(truncated)
                        .unwrap_or_else(|| candidates[0].clone())
                })
                .boxed(),
            None => {
                let mut candidates: Vec<String> = shape
                    .examples
                    .iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect();
                candidates.extend(
                    [
                        "",
                        "0",
                        "1",
                        "42",
                        "a",
                        "ab",
                        "abc",
                        "abc1",
                        "a1b2",
                        "A",
                        "AB",
                        "Abc1",
                        "x-y",
                        "a_b",
                        "1.5",
                        "0.5",
                        "2024-01-01",
                        "12:00",
                        "abc123",
                        "ABC-123",
                        "hello world",
                        "test@example.com",
                        "https://example.com",
                    ]
                    .map(str::to_owned),
                );
                candidates.retain(|c| matches(c));
                candidates.dedup();
                if candidates.iter().any(&fits) {
                    candidates.retain(&fits);
                }
                if candidates.is_empty() {
                    eprintln!(
                        "{}: schema_instances cannot generate strings matching `{pattern}` \
                         (regex-syntax cannot take it and no example matches); its good values are \
                         probably bad",
                        shape.at
                    );
                    ascii(0..=8)
                } else {
                    select(candidates).boxed()
                }
            }
        };
        let bad = (good.clone(), 0usize..9, ascii(0..=4))
            .prop_map(move |(s, k, junk)| {
                let mut chopped = s.clone();
                chopped.pop();
                let replaced: String = std::iter::once('-').chain(s.chars().skip(1)).collect();
                let candidates = [
                    format!("{s}x"),
                    format!("x{s}"),
                    format!("{s} "),
                    String::new(),
                    replaced,
                    chopped,
                    format!("{s}\n"),
                    junk,
                    "-".to_owned(),
                ];
                let n = candidates.len();
                (0..n)
                    .map(|i| &candidates[(k + i) % n])
                    .find(|c| !matches(c))
                    .unwrap_or(&candidates[k % n])
                    .clone()
            })
            .boxed();
        Pattern { good, bad }
    }
}

/// The pattern without a leading `^` and a trailing unescaped `$`: its full matches still match.
fn strip_anchors(pattern: &str) -> String {
    let mut p = pattern.strip_prefix('^').unwrap_or(pattern).to_owned();
    if p.ends_with('$') {
        let backslashes = p[..p.len() - 1]
            .chars()
            .rev()
            .take_while(|c| *c == '\\')
            .count();
        if backslashes % 2 == 0 {
            p.pop();
        }
    }
    p
}

/// A narrowing of the pattern to printable ASCII where it would allow more (its matches match the original).
fn ascii_only(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut classes: Vec<bool> = Vec::new(); // open classes: negated?
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let n = chars[i + 1];
            match n {
                'd' => out.push_str("[0-9]"),
                'w' => out.push_str("[0-9A-Za-z_]"),
                's' => out.push_str("[ \\t\\n\\r]"),
                'D' => out.push_str("[ -~&&[^0-9]]"),
                'W' => out.push_str("[ -~&&[^0-9A-Za-z_]]"),
                'S' => out.push_str("[!-~]"),
                _ => {
                    out.push(c);
                    out.push(n);
                }
            }
            i += 2;
            continue;
        }
        match c {
            '[' => {
                let negated = chars.get(i + 1) == Some(&'^');
                if negated {
                    out.push_str("[ -~&&[^");
                    i += 2;
                } else {
                    out.push('[');
                    i += 1;
                }
                classes.push(negated);
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
                continue;
            }
            ']' if !classes.is_empty() => {
                out.push(']');
                if classes.pop() == Some(true) {
                    out.push(']');
                }
            }
            '.' if classes.is_empty() => out.push_str("[ -~]"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

// Formats: valid values, and near-valid ones (mostly invalid; the edge cases either way).

fn format_good(format: &str) -> BoxedStrategy<String> {
    match format {
        "date" => date(),
        "time" => time(),
        "date-time" => (date(), select(vec!["T", "t"]), time())
            .prop_map(|(d, t, time)| format!("{d}{t}{time}"))
            .boxed(),
        "uri" => prop_oneof![
            fixed(&[
                "https://example.com",
                "http://a.b/c?d=e#f",
                "urn:isbn:0451450523",
                "mailto:someone@example.com",
                "ftp://[::1]:21/pub",
                "file:///tmp/a.txt",
                "tel:+1-816-555-1212",
                "https://example.com/%E6%B1%89",
            ]),
            (hostname(), regex("[a-z0-9_.~-]{0,12}")).prop_map(|(h, p)| format!("https://{h}/{p}")),
        ]
        .boxed(),
        "uri-reference" => prop_oneof![
            fixed(&[
                "https://example.com/x",
                "/a/b",
                "a/b?c=d",
                "#frag",
                "",
                "../up",
                "?q=1",
                "//host/path"
            ]),
            regex("(/[a-z0-9]{1,5}){1,3}"),
        ]
        .boxed(),
        "email" => prop_oneof![
            fixed(&[
                "a@b.co",
                "first.last@example.com",
                "x+tag@sub.example.org",
                "\"quoted name\"@example.com",
                "a@[127.0.0.1]",
            ]),
            (regex("[a-z0-9]{1,8}(\\.[a-z0-9]{1,4})?"), hostname())
                .prop_map(|(l, h)| format!("{l}@{h}")),
        ]
        .boxed(),
        "hostname" => prop_oneof![
            4 => hostname(),
            1 => fixed(&["localhost", "xn--fsqu00a.xn--0zwm56d", &"a".repeat(63)]),
        ]
        .boxed(),
        "ipv4" => (0u8..=255, 0u8..=255, 0u8..=255, 0u8..=255)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"))
            .boxed(),
        "ipv6" => prop_oneof![
            fixed(&[
                "::1",
                "::",
                "2001:db8::1",
                "fe80::1:2:3:4",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                "::ffff:192.0.2.128"
            ]),
            vec(0u16..=0xffff, 8).prop_map(|groups| {
                groups
                    .iter()
                    .map(|g| format!("{g:x}"))
                    .collect::<Vec<_>>()
                    .join(":")
            }),
        ]
        .boxed(),
        "uuid" => (vec(0u8..16, 32), any::<bool>())
            .prop_map(|(nibbles, upper)| {
                let hex: String = nibbles.iter().map(|n| format!("{n:x}")).collect();
                let uuid = format!(
                    "{}-{}-{}-{}-{}",
                    &hex[..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..]
                );
                if upper {
                    uuid.to_uppercase()
                } else {
                    uuid
                }
            })
            .boxed(),
        other => panic!("no generator for format `{other}`"),
    }
}

fn format_bad(format: &str) -> BoxedStrategy<String> {
    match format {
        "date" => prop_oneof![
            fixed(&[
                "2023-02-29",
                "1900-02-29",
                "2000-02-29",
                "2024-04-31",
                "2024-13-01",
                "2024-00-10",
                "2024-01-00",
                "2024-1-5",
                "2024/01/05",
                "20240105",
                "2024-01-05T00:00:00Z",
                " 2024-01-05",
                "2024-01-05 ",
                "２０２４-01-05",
            ]),
            (1900u32..=2100, 29u32..=31).prop_map(|(y, d)| format!("{y:04}-02-{d:02}")),
        ]
        .boxed(),
        "time" => fixed(&[
            "12:00:00",
            "24:00:00Z",
            "12:60:00Z",
            "12:00:61Z",
            "23:59:60Z",
            "12:59:60Z",
            "23:59:60+00:00",
            "12:00:00+24:00",
            "12:00:00.Z",
            "1:00:00Z",
            "12:00:00 Z",
            "12:00Z",
            "12:00:00+0800",
            "12:00:00.123456789-05:30",
        ]),
        "date-time" => prop_oneof![
            fixed(&[
                "2024-01-05 12:00:00Z",
                "2024-02-30T10:00:00Z",
                "2024-01-05T12:00:00",
                "2024-01-05T25:00:00Z",
                "2016-12-31T23:59:60Z",
                "2016-12-31T22:59:60-01:00",
                "2024-01-05",
                "2024-01-05T12:00:00ZZ",
                "2024-01-05t12:00:00z",
            ]),
            (format_good("date"), format_bad("time")).prop_map(|(d, t)| format!("{d}T{t}")),
        ]
        .boxed(),
        "uri" => fixed(&[
            "example.com",
            "/relative/path",
            "//host/x",
            "",
            "http://exa mple.com",
            "http://[::1",
            "1ab:x",
            ":no-scheme",
            "https://例子.测试/路径",
            "http://a.b/%zz",
            "a b",
            "http:",
            "http://a.b/c d",
        ]),
        "uri-reference" => fixed(&[
            "http://a b",
            "\\\\host\\x",
            "%zz",
            "a b",
            "http://[x]",
            "#a#b",
            "a\nb",
            "http://例子",
        ]),
        "email" => fixed(&[
            "a@",
            "@b.co",
            "a b@c.de",
            "a@@b.co",
            "a@b..co",
            "a@-b.co",
            "a.@b.co",
            ".a@b.co",
            "a@b_c.co",
            "a@[300.1.1.1]",
            "汉字@例子.中国",
            "a",
            "a@b.co.",
            "Ann <ann@example.com>",
        ]),
        "hostname" => prop_oneof![
            fixed(&[
                "-a.com",
                "a-.com",
                "a_b.com",
                "a..b",
                "example.com.",
                "",
                "exa mple.com",
                "例子.com",
                ".a",
                "xn--a",
                &"a".repeat(64),
                &format!("{}.com", "a.".repeat(126)),
            ]),
            hostname().prop_map(|h| format!("{h}_")),
        ]
        .boxed(),
        "ipv4" => fixed(&[
            "256.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.2.3.-4",
            " 1.2.3.4",
            "1.2.3.4/24",
            "0x7f.0.0.1",
            "1..2.3",
            "١.2.3.4",
        ]),
        "ipv6" => fixed(&[
            ":::1",
            "1::2::3",
            "12345::1",
            "g::1",
            "1:2:3:4:5:6:7:8:9",
            "fe80::1%eth0",
            "[::1]",
            "::ffff:999.0.0.1",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8::",
            "::1 ",
        ]),
        "uuid" => prop_oneof![
            format_good("uuid").prop_map(|u| u.replace('-', "")),
            format_good("uuid").prop_map(|u| format!("{{{u}}}")),
            format_good("uuid").prop_map(|u| format!("urn:uuid:{u}")),
            format_good("uuid").prop_map(|u| format!("g{}", &u[1..])),
            format_good("uuid").prop_map(|u| u[1..].to_owned()),
            format_good("uuid").prop_map(|u| format!("{u}0")),
            format_good("uuid").prop_map(|u| format!("{}-{}", &u[..7], &u[9..])),
        ]
        .boxed(),
        other => panic!("no generator for format `{other}`"),
    }
}

fn fixed(values: &[&str]) -> BoxedStrategy<String> {
    select(values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>()).boxed()
}

fn date() -> BoxedStrategy<String> {
    prop_oneof![
        8 => (1970u32..=2100, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        1 => fixed(&["2024-02-29", "2000-02-29", "1999-12-31", "2024-01-31", "2024-04-30", "0001-01-01"]),
    ]
    .boxed()
}

fn time() -> BoxedStrategy<String> {
    let fraction = proptest::option::of(digits(1..=6));
    let offset = prop_oneof![
        3 => Just("Z".to_owned()),
        1 => Just("z".to_owned()),
        2 => (select(vec!['+', '-']), 0u32..=23, 0u32..=59)
            .prop_map(|(sign, h, m)| format!("{sign}{h:02}:{m:02}")),
    ];
    (0u32..=23, 0u32..=59, 0u32..=59, fraction, offset)
        .prop_map(|(h, m, s, f, o)| {
            let f = f.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{h:02}:{m:02}:{s:02}{f}{o}")
        })
        .boxed()
}

fn hostname() -> BoxedStrategy<String> {
    regex(
        "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?){0,2}\\.[a-z]{2,4}",
    )
}

// ---------------------------------------------------------------------------------------------------------
// Bodies, and one mutation of a clean body

/// Request bodies for the set's main document (see the module documentation).
pub fn bodies(set: &SchemaSet) -> BoxedStrategy<Value> {
    check_vocabulary(set);
    let level = |bad| {
        Gen {
            set: set.clone(),
            noise: Noise { bad },
            depth: 0,
        }
        .value(set.canonical_root(), &set.main_at(), true)
    };
    let clean = level(0);
    let mutated = {
        let set = set.clone();
        clean
            .clone()
            .prop_perturb(move |body, rng| mutate(&set, body, rng))
    };
    prop_oneof![
        2 => clean,
        4 => mutated,
        1 => level(1),
        1 => level(5),
        1 => level(25),
    ]
    .boxed()
}

/// A place in a body a mutation may change.
struct Site {
    pointer: String,
    /// The member's object pointer and name, when it is an object member.
    member: Option<(String, String)>,
    shape: Option<Shape>,
    null_ok: bool,
    object: bool,
}

/// One defect (or not: the verdicts decide): a value replaced by one of its schema's bad values, a member
/// removed, or an unknown member added.
fn mutate(set: &SchemaSet, mut body: Value, rng: TestRng) -> Value {
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let root = flatten(set, set.canonical_root(), &set.main_at());
    let mut sites = Vec::new();
    collect_sites(
        set,
        &body,
        Some(&root),
        String::new(),
        None,
        true,
        &mut sites,
    );
    // A schema location first (so that the members of 50 repeated items do not crowd out the envelope),
    // then one of its places in the body, each the one with the lowest hash under this case's seed: the
    // choice stays put while shrinking removes other parts of the body (an index into the list would move).
    let (seed, kind) = sample(&mut runner, (any::<u64>(), 0u8..6));
    let location = |site: &Site| site.shape.as_ref().map_or("", |s| s.at.as_str()).to_owned();
    let at = sites
        .iter()
        .map(location)
        .min_by_key(|at| mix(seed, at))
        .expect("the root is a site");
    let site = sites
        .iter()
        .filter(|site| location(site) == at)
        .min_by_key(|site| mix(seed, &site.pointer))
        .expect("a site of that location");
    match (kind, &site.member) {
        (4, Some((parent, name))) => {
            if let Some(Value::Object(members)) = body.pointer_mut(parent) {
                members.remove(name);
            }
            return body;
        }
        (5, _) if site.object => {
            if let Some(Value::Object(members)) = body.pointer_mut(&site.pointer) {
                members.insert("unexpected_member".to_owned(), json!(1));
            }
            return body;
        }
        _ => {}
    }
    let gen = Gen {
        set: set.clone(),
        noise: Noise { bad: 100 },
        depth: 0,
    };
    let bad = site.shape.as_ref().and_then(|s| gen.bad(s, site.null_ok));
    let current = body.pointer(&site.pointer).cloned().unwrap_or(Value::Null);
    let replacement = match bad {
        Some(bad) => sample(&mut runner, bad),
        None => match current {
            Value::String(_) => json!(7),
            Value::Number(_) => json!("x"),
            Value::Bool(b) => json!(b.to_string()),
            _ => json!(7),
        },
    };
    if let Some(slot) = body.pointer_mut(&site.pointer) {
        *slot = replacement;
    }
    body
}

/// A hash of `text` under `seed` (FNV-1a, then a SplitMix64 finish).
fn mix(seed: u64, text: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for byte in text.bytes() {
        h = (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn sample<S: Strategy>(runner: &mut TestRunner, strategy: S) -> S::Value {
    strategy
        .new_tree(runner)
        .unwrap_or_else(|e| panic!("cannot sample: {e}"))
        .current()
}

fn collect_sites(
    set: &SchemaSet,
    value: &Value,
    shape: Option<&Shape>,
    pointer: String,
    member: Option<(String, String)>,
    null_ok: bool,
    out: &mut Vec<Site>,
) {
    out.push(Site {
        pointer: pointer.clone(),
        member,
        shape: shape.cloned(),
        null_ok,
        object: value.is_object(),
    });
    match value {
        Value::Object(members) => {
            for (name, v) in members {
                let (child, required) = match shape {
                    Some(shape) => member_shape(set, shape, members, name),
                    None => (None, false),
                };
                collect_sites(
                    set,
                    v,
                    child.as_ref(),
                    format!("{pointer}/{}", escape(name)),
                    Some((pointer.clone(), name.clone())),
                    required,
                    out,
                );
            }
        }
        Value::Array(values) => {
            let item = shape.and_then(|s| {
                let node = s.node.get("items")?;
                Some(flatten(set, node, &format!("{}/items", s.at)))
            });
            for (i, v) in values.iter().enumerate() {
                collect_sites(
                    set,
                    v,
                    item.as_ref(),
                    format!("{pointer}/{i}"),
                    None,
                    true,
                    out,
                );
            }
        }
        _ => {}
    }
}

/// The schema of member `name` of an object of `shape` (the variant its tag names, for a tagged union), and
/// whether it is required.
fn member_shape(
    set: &SchemaSet,
    shape: &Shape,
    object: &Map<String, Value>,
    name: &str,
) -> (Option<Shape>, bool) {
    let mut shapes = vec![shape.without_choice()];
    match &shape.choice {
        Some(Choice::Tagged { tag, variants }) => {
            let current = object.get(tag);
            if let Some((_, v)) = variants
                .iter()
                .find(|(t, _)| Some(t) == current)
                .or(variants.first())
            {
                shapes.push(v.clone());
            }
        }
        Some(Choice::Branches(branches)) => shapes.extend(branches.iter().cloned()),
        None => {}
    }
    let required = shapes
        .iter()
        .any(|s| s.required().iter().any(|r| r == name));
    for s in &shapes {
        if let Some(node) = s.node.get("properties").and_then(|p| p.get(name)) {
            let at = format!("{}/properties/{}", s.at, escape(name));
            return (Some(flatten(set, node, &at)), required);
        }
    }
    for s in &shapes {
        if let Some(node @ Value::Object(_)) = s.node.get("additionalProperties") {
            let at = format!("{}/additionalProperties", s.at);
            return (Some(flatten(set, node, &at)), required);
        }
    }
    (None, required)
}

// ---------------------------------------------------------------------------------------------------------
// Running

/// The proptest configuration: `default_cases` and seed 20260301 unless `PROPTEST_CASES` /
/// `PROPTEST_RNG_SEED` say otherwise; no persistence; at most 4096 shrink steps unless
/// `PROPTEST_MAX_SHRINK_ITERS` says otherwise.
pub fn config(default_cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    if std::env::var_os("PROPTEST_MAX_SHRINK_ITERS").is_none() {
        config.max_shrink_iters = 4096;
    }
    config.failure_persistence = None;
    config
}

/// What a run saw.
#[derive(Clone, Debug, Default)]
pub struct Verdicts {
    /// Bodies found valid (by both sides, in [`compare`]).
    pub valid: usize,
    /// Bodies found invalid.
    pub invalid: usize,
    /// Keywords jsonschema reported broken in some body (the last keyword of each error's schema path,
    /// plus `then`, `else` and `propertyNames` when the path goes through them).
    pub broken: BTreeSet<String>,
}

impl Verdicts {
    /// Both verdicts are at least 10% of the bodies.
    pub fn balanced(&self) -> bool {
        let total = self.valid + self.invalid;
        total > 0 && self.valid * 10 >= total && self.invalid * 10 >= total
    }

    fn note(&mut self, valid: bool, validator: &jsonschema::Validator, body: &Value) {
        if valid {
            self.valid += 1;
            return;
        }
        self.invalid += 1;
        for error in validator.iter_errors(body) {
            let path = error.schema_path.to_string();
            let segments: Vec<&str> = path.split('/').collect();
            if let Some(last) = segments
                .iter()
                .rev()
                .find(|s| VOCABULARY.contains(s) || **s == "false")
            {
                self.broken.insert((*last).to_owned());
            }
            for s in &segments {
                if matches!(*s, "then" | "else" | "propertyNames") {
                    self.broken.insert((*s).to_owned());
                }
            }
        }
    }
}

/// Runs the comparison (see the module documentation); `Err` names the disagreement (the shrunk body and
/// both sides' errors) or a one-sided run.
pub fn compare(
    name: &str,
    check: impl Fn(&str) -> Vec<(String, String)>,
    set: &SchemaSet,
    cases: u32,
) -> Result<Verdicts, String> {
    let validator = set.validator();
    let strategy = bodies(set);
    let verdicts = RefCell::new(Verdicts::default());
    let mut runner = TestRunner::new(config(cases));
    let result = runner.run(&strategy, |body| {
        let text = body.to_string();
        let found = check(&text);
        let ours: Vec<&(String, String)> = found
            .iter()
            .filter(|(_, rule)| !rule.starts_with("x-"))
            .collect();
        let ours_valid = ours.is_empty();
        let theirs_valid = validator.is_valid(&body);
        if ours_valid != theirs_valid {
            let theirs: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| {
                    format!(
                        "{}: {e} [{}]",
                        pointer_or_root(&e.instance_path.to_string()),
                        e.schema_path
                    )
                })
                .collect();
            let ignored: Vec<&(String, String)> = found
                .iter()
                .filter(|(_, rule)| rule.starts_with("x-"))
                .collect();
            return Err(TestCaseError::fail(format!(
                "salesync says {}, jsonschema says {}\n  salesync: {ours:?} (x- rules, ignored: \
                 {ignored:?})\n  jsonschema: {theirs:?}\n  body: {text}",
                verdict(ours_valid),
                verdict(theirs_valid),
            )));
        }
        verdicts.borrow_mut().note(theirs_valid, &validator, &body);
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, _)) => {
            return Err(format!(
                "{name} ({}): the verdicts differ; the minimal body:\n{reason}",
                set.name()
            ))
        }
        Err(TestError::Abort(reason)) => return Err(format!("{name}: aborted: {reason}")),
    }
    let verdicts = verdicts.into_inner();
    if !verdicts.balanced() {
        return Err(format!(
            "{name} ({}): too one-sided to mean anything: {} valid, {} invalid",
            set.name(),
            verdicts.valid,
            verdicts.invalid
        ));
    }
    Ok(verdicts)
}

/// [`compare`], panicking on `Err`.
pub fn agree(
    name: &str,
    check: impl Fn(&str) -> Vec<(String, String)>,
    set: &SchemaSet,
    cases: u32,
) -> Verdicts {
    compare(name, check, set, cases).unwrap_or_else(|e| panic!("{e}"))
}

/// The generated bodies judged by jsonschema alone.
pub fn oracle(set: &SchemaSet, cases: u32) -> Verdicts {
    let validator = set.validator();
    let strategy = bodies(set);
    let verdicts = RefCell::new(Verdicts::default());
    let mut runner = TestRunner::new(config(cases));
    runner
        .run(&strategy, |body| {
            verdicts
                .borrow_mut()
                .note(validator.is_valid(&body), &validator, &body);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{}: {e}", set.name()));
    verdicts.into_inner()
}

/// `n` generated bodies (fixed seed), to look at.
pub fn sample_bodies(set: &SchemaSet, n: usize) -> Vec<Value> {
    let strategy = bodies(set);
    let mut runner = TestRunner::new(config(DEFAULT_CASES));
    (0..n).map(|_| sample(&mut runner, &strategy)).collect()
}

fn verdict(valid: bool) -> &'static str {
    if valid {
        "valid"
    } else {
        "invalid"
    }
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}
