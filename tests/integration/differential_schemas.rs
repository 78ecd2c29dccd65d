//! Schema-driven differential test: for every endpoint in `salesync::ENDPOINTS` (one per schema file in
//! `schemas/`, so a schema added later is covered without touching this file), bodies generated from the
//! endpoint's schema file alone are judged by `DynOperation::check_body` (ignoring `x-` rules) and by the
//! `jsonschema` crate on the same file, and the verdicts must agree. The generator and the comparison live in
//! `tests/integration/support/schema_instances.rs` (its documentation lists what is generated and the known differences
//! that are never generated).
//!
//! The rest are the generator's self-tests, with `jsonschema` alone: inline schemas using every keyword of
//! the dialect must yield both valid and invalid bodies, and every keyword must be broken in some body; the
//! generator's own fixture schemas (the endpoint documents under `codegen/tests/`, e.g. the kitchen sink and
//! the directory of endpoints sharing `common.json`) must be generated from too.
//!
//! Fixed seeds: `PROPTEST_RNG_SEED=<n> PROPTEST_CASES=<n> cargo test -p salesync --test integration differential_schemas::` explores
//! other bodies.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};
use support::schema_instances::{
    compare, oracle, sample_bodies, SchemaSet, Verdicts, DEFAULT_CASES,
};

fn workspace(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

// ---------------------------------------------------------------------------------------------------------
// salesync against jsonschema

#[test]
fn every_endpoint_agrees_with_jsonschema() {
    assert!(!salesync::ENDPOINTS.is_empty());
    let outcomes: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let runs: Vec<_> = salesync::ENDPOINTS
            .iter()
            .map(|operation| {
                scope.spawn(move || {
                    let meta = operation.meta();
                    let name = meta.name();
                    let start = Instant::now();
                    let set = SchemaSet::load(workspace(meta.schema));
                    let check = |body: &str| -> Vec<(String, String)> {
                        operation
                            .check_body(body)
                            .into_iter()
                            .map(|v| (v.pointer, v.rule.to_owned()))
                            .collect()
                    };
                    compare(&name, check, &set, DEFAULT_CASES).map(|v| {
                        format!(
                            "{name} ({}): {} valid, {} invalid, {:.1?}",
                            meta.schema,
                            v.valid,
                            v.invalid,
                            start.elapsed()
                        )
                    })
                })
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().unwrap_or_else(|panic| Err(panic_text(&*panic))))
            .collect()
    });
    let mut failures = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(line) => eprintln!("{line}"),
            Err(failure) => failures.push(failure),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panicked".to_owned())
}

// ---------------------------------------------------------------------------------------------------------
// The generator's self-tests (jsonschema alone)

/// Generated bodies are both valid and invalid (each at least 10%), and each of `keywords` is broken in
/// some body.
fn exercises(set: &SchemaSet, keywords: &[&str]) -> Verdicts {
    let verdicts = oracle(set, DEFAULT_CASES);
    assert!(
        verdicts.balanced(),
        "{}: {} valid, {} invalid",
        set.name(),
        verdicts.valid,
        verdicts.invalid
    );
    let missing: Vec<&&str> = keywords
        .iter()
        .filter(|k| !verdicts.broken.contains(**k))
        .collect();
    assert!(
        missing.is_empty(),
        "{}: never broken: {missing:?} (broken: {:?})",
        set.name(),
        verdicts.broken
    );
    verdicts
}

/// A request whose only member, `v`, is required and has schema `schema`.
fn member(schema: Value) -> SchemaSet {
    SchemaSet::inline(
        "member.json",
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/$defs/Request",
            "$defs": {
                "Request": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["v"],
                    "properties": {"v": schema}
                }
            }
        }),
    )
}

/// The `v` of `n` sampled bodies, where present.
fn sampled_members(set: &SchemaSet, n: usize) -> Vec<Value> {
    sample_bodies(set, n)
        .into_iter()
        .filter_map(|body| body.get("v").cloned())
        .collect()
}

#[test]
fn scalar_keywords_are_exercised() {
    let cases: Vec<(Value, &[&str])> = vec![
        (
            json!({"type": "string", "minLength": 2, "maxLength": 4}),
            &["type", "minLength", "maxLength"],
        ),
        (
            json!({"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0, "maximum": 1000,
                   "format": "int64"}),
            &["type", "pattern", "minimum", "maximum"],
        ),
        (
            json!({"type": ["string", "null"], "maxLength": 3}),
            &["type", "maxLength"],
        ),
        (json!({"enum": ["red", "green"]}), &["enum"]),
        (
            json!({"type": "integer", "enum": [1, 2, 5]}),
            &["enum", "type"],
        ),
        (json!({"const": "v1"}), &["const"]),
        (json!({"const": 7}), &["const"]),
        (json!({"const": true}), &["const"]),
        (
            json!({"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$"}),
            &["type", "pattern"],
        ),
        // Look-ahead: regex-syntax cannot generate it; the examples and the fallback list are used.
        (
            json!({"type": "string", "pattern": "^(?=.*[0-9])[a-z0-9]{4,8}$", "examples": ["abc1", "x"]}),
            &["pattern"],
        ),
        (
            json!({"type": "string", "pattern": "^[^,]+\\.\\D$", "minLength": 3}),
            &["pattern", "minLength"],
        ),
        (
            json!({"type": "integer", "minimum": -5, "maximum": 5}),
            &["type", "minimum", "maximum"],
        ),
        (
            json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}),
            &["exclusiveMinimum", "exclusiveMaximum"],
        ),
        (
            json!({"type": "integer", "multipleOf": 5, "minimum": 0}),
            &["multipleOf", "minimum"],
        ),
        (
            json!({"type": "number", "minimum": 0, "maximum": 100, "x-decimalPlaces": 2}),
            &["type", "minimum", "maximum"],
        ),
        (
            json!({"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 2.5}),
            &["exclusiveMinimum", "exclusiveMaximum"],
        ),
        (
            json!({"type": "number", "multipleOf": 0.5}),
            &["multipleOf"],
        ),
        (
            json!({"type": "number", "multipleOf": 0.01, "minimum": 0}),
            &["multipleOf", "minimum"],
        ),
        (json!({"type": "boolean"}), &["type"]),
        // A format jsonschema does not know is documentation.
        (
            json!({"type": "number", "format": "double", "minimum": 0}),
            &["type", "minimum"],
        ),
        (json!({}), &[]),
        (json!({"description": "any value", "examples": [1]}), &[]),
        (
            json!({"oneOf": [{"type": "string", "maxLength": 2}, {"type": "integer", "minimum": 0}]}),
            &["oneOf"],
        ),
        (
            json!({"type": "integer", "title": "State", "x-enumNames": ["Off", "On"],
                   "oneOf": [{"const": 0, "title": "Off"}, {"const": 1, "title": "On"}]}),
            &["oneOf"],
        ),
    ];
    for (schema, keywords) in cases {
        exercises(&member(schema), keywords);
    }
}

#[test]
fn every_format_is_exercised() {
    for format in [
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
    ] {
        let set = member(json!({"type": "string", "format": format}));
        exercises(&set, &["format", "type"]);
    }
}

#[test]
fn array_keywords_are_exercised() {
    exercises(
        &member(json!({
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "uniqueItems": true,
            "items": {"type": "array", "minItems": 1, "items": {"type": "integer", "maximum": 9}}
        })),
        &["type", "minItems", "maxItems", "uniqueItems", "maximum"],
    );
    exercises(
        &member(
            json!({"type": "array", "maxItems": 60, "items": {"type": "string", "format": "uuid"}}),
        ),
        &["type", "maxItems", "format"],
    );
}

#[test]
fn byte_limits_and_decimal_places_are_generated_around_their_limits() {
    // x- keywords are ignored by jsonschema; look at the values instead.
    let texts = sampled_members(
        &member(json!({"type": "string", "maxLength": 4, "x-minBytes": 2, "x-maxBytes": 9})),
        512,
    );
    let texts: Vec<&str> = texts.iter().filter_map(Value::as_str).collect();
    let fits = |s: &str| s.chars().count() <= 4;
    assert!(
        texts.iter().any(|s| fits(s) && s.len() > 9),
        "no string over 9 bytes within 4 characters"
    );
    assert!(
        texts.iter().any(|s| fits(s) && s.len() == 9),
        "no string of exactly 9 bytes"
    );
    assert!(texts.iter().any(|s| s.len() < 2), "no string under 2 bytes");
    assert!(texts.iter().any(|s| !s.is_ascii()), "only ASCII");

    let numbers = sampled_members(
        &member(json!({"type": "number", "minimum": 0, "x-decimalPlaces": 2})),
        512,
    );
    let places: Vec<usize> = numbers
        .iter()
        .filter(|v| v.is_number())
        .map(|v| v.to_string().split_once('.').map_or(0, |(_, f)| f.len()))
        .collect();
    for wanted in [0, 2, 3] {
        assert!(
            places.contains(&wanted),
            "no number with {wanted} places: {places:?}"
        );
    }
}

#[test]
fn null_is_generated_only_where_salesync_and_json_schema_agree_on_it() {
    let set = SchemaSet::inline(
        "nulls.json",
        json!({
            "$ref": "#/$defs/Request",
            "$defs": {"Request": {
                "type": "object",
                "additionalProperties": false,
                "required": ["needed"],
                "properties": {
                    "needed": {"type": "string"},
                    "optional": {"type": "integer"},
                    "nullable": {"type": ["string", "null"]},
                    "list": {"type": "array", "items": {"type": "integer"}}
                }
            }}
        }),
    );
    let bodies = sample_bodies(&set, 2048);
    let nulls = |member: &str| {
        bodies
            .iter()
            .filter(|b| b.get(member) == Some(&Value::Null))
            .count()
    };
    assert_eq!(
        nulls("optional"),
        0,
        "null for an optional non-nullable member"
    );
    assert!(nulls("nullable") > 0, "never null where the type allows it");
    assert!(nulls("needed") > 0, "never null for a required member");
    assert!(
        bodies.iter().any(|b| b["list"]
            .as_array()
            .is_some_and(|l| l.contains(&Value::Null))),
        "never null as an array item"
    );
}

#[test]
fn object_keywords_are_exercised() {
    let set = SchemaSet::inline(
        "objects.json",
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/$defs/Request",
            "$defs": {
                "Request": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "minLength": 1},
                        "email": {"type": "string", "format": "email"},
                        "phone": {"type": "string", "pattern": "^[0-9]{5,11}$"},
                        "coupon_id": {"type": "string"},
                        "coupon_value": {"type": "number", "minimum": 0},
                        "kind": {"$ref": "#/$defs/Kind"},
                        "stock": {"type": "integer", "minimum": 0},
                        "details": {"$ref": "#/$defs/Details"},
                        "tags": {"$ref": "#/$defs/Tags"},
                        "meta": {"$ref": "#/$defs/Meta"},
                        "open": {"$ref": "#/$defs/Open"}
                    },
                    "dependentRequired": {"coupon_id": ["coupon_value"], "coupon_value": ["coupon_id"]},
                    "anyOf": [{"required": ["email"]}, {"required": ["phone"]}],
                    "if": {"properties": {"kind": {"const": 2}}, "required": ["kind"]},
                    "then": {"required": ["stock"], "properties": {"details": {"required": ["size"]}}},
                    "else": {"properties": {"stock": {"maximum": 0}}}
                },
                "Kind": {
                    "type": "integer",
                    "oneOf": [{"const": 1, "title": "Plain"}, {"const": 2, "title": "Stocked"}]
                },
                "Details": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {"size": {"type": "integer"}, "color": {"type": "string"}}
                },
                "Tags": {
                    "type": "object",
                    "additionalProperties": {"type": "string", "maxLength": 3},
                    "propertyNames": {"pattern": "^[a-z]+$", "minLength": 2, "maxLength": 6},
                    "minProperties": 1,
                    "maxProperties": 3
                },
                "Meta": {"type": "object", "properties": {"a": {"type": "integer"}}, "maxProperties": 2},
                "Open": {
                    "type": "object",
                    "additionalProperties": true,
                    "properties": {"x": {"type": "boolean"}},
                    "minProperties": 2
                }
            }
        }),
    );
    exercises(
        &set,
        &[
            "additionalProperties",
            "required",
            "dependentRequired",
            "anyOf",
            "then",
            "else",
            "oneOf",
            "propertyNames",
            "minProperties",
            "maxProperties",
            "maxLength",
            "format",
            "pattern",
        ],
    );
}

#[test]
fn conditionals_in_all_of_are_exercised() {
    let set = SchemaSet::inline(
        "conditionals.json",
        json!({
            "$ref": "#/$defs/Request",
            "$defs": {
                "Request": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["mode"],
                    "properties": {
                        "mode": {"enum": ["a", "b", "c"]},
                        "level": {"type": "integer", "minimum": 0, "maximum": 9},
                        "a_only": {"type": "string"},
                        "b_only": {"type": "string"},
                        "nested": {"$ref": "#/$defs/Nested"}
                    },
                    "allOf": [
                        {"if": {"properties": {"mode": {"const": "a"}}, "required": ["mode"]},
                         "then": {"required": ["a_only"]}},
                        {"if": {"properties": {"mode": {"enum": ["b"]}}, "required": ["mode"]},
                         "then": {"required": ["b_only"], "properties": {"nested": {"required": ["n"]}}},
                         "else": {"properties": {"level": {"maximum": 3}}}}
                    ]
                },
                "Nested": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {"n": {"type": "integer"}}
                }
            }
        }),
    );
    exercises(&set, &["then", "else", "required", "enum", "maximum"]);
}

#[test]
fn tagged_unions_are_exercised() {
    let set = SchemaSet::inline(
        "events.json",
        json!({
            "$ref": "#/$defs/Request",
            "$defs": {
                "Request": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["events"],
                    "properties": {
                        "events": {"type": "array", "minItems": 1, "maxItems": 4, "items": {"$ref": "#/$defs/Event"}}
                    }
                },
                "Event": {"oneOf": [{"$ref": "#/$defs/Click"}, {"$ref": "#/$defs/View"}, {"$ref": "#/$defs/Buy"}]},
                "Click": {
                    "type": "object", "additionalProperties": false, "required": ["type", "x"],
                    "properties": {"type": {"const": "click"}, "x": {"type": "integer"}}
                },
                "View": {
                    "type": "object", "additionalProperties": false, "required": ["type", "page"],
                    "properties": {
                        "type": {"const": "view"},
                        "page": {"type": "string", "format": "uri-reference"}
                    }
                },
                "Buy": {
                    "type": "object", "additionalProperties": false, "required": ["type", "amount"],
                    "properties": {
                        "type": {"const": "buy"},
                        "amount": {"type": "number", "minimum": 0, "x-decimalPlaces": 2},
                        "currency": {"enum": ["CNY", "USD"]}
                    }
                }
            }
        }),
    );
    exercises(&set, &["oneOf", "minItems", "maxItems"]);
    // Mostly consistent with their tag: a clean sample's events all match their variant.
    let bodies = sample_bodies(&set, 512);
    let consistent = bodies
        .iter()
        .filter_map(|b| b.get("events")?.as_array())
        .flatten()
        .filter(|e| match e.get("type").and_then(Value::as_str) {
            Some("click") => e.get("x").is_some(),
            Some("view") => e.get("page").is_some(),
            Some("buy") => e.get("amount").is_some(),
            _ => false,
        })
        .count();
    let events: usize = bodies
        .iter()
        .filter_map(|b| b.get("events")?.as_array().map(Vec::len))
        .sum();
    assert!(
        consistent * 10 >= events * 7,
        "{consistent} of {events} events consistent with their tag"
    );
}

#[test]
fn references_to_a_sibling_file_and_documentation_keywords_work() {
    let set = SchemaSet::inline(
        "main.json",
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "A request", "description": "Documentation keywords everywhere.", "$comment": "reviewer note",
            "x-endpoint": {"vendor": "acme", "operation": "put", "request": {"$ref": "#/$defs/Request"}},
            "$ref": "#/$defs/Request",
            "$defs": {
                "Request": {
                    "type": "object",
                    "title": "Request",
                    "additionalProperties": false,
                    "required": ["envelope", "n"],
                    "x-compare": [{"left": "n", "op": "<=", "right": "m"}],
                    "properties": {
                        "envelope": {"$ref": "common.json#/$defs/Envelope", "description": "shared"},
                        "n": {
                            "type": "integer", "minimum": 1, "default": 1, "examples": [1, 2], "deprecated": false
                        },
                        "m": {"type": "integer", "readOnly": false, "writeOnly": false, "x-aliases": ["mm"]},
                        "secret": {"type": "string", "x-sensitive": true}
                    }
                }
            }
        }),
    )
    .with_sibling(
        "common.json",
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {
                "Envelope": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id"],
                    "properties": {"id": {"$ref": "#/$defs/Id"}}
                },
                "Id": {"type": "string", "pattern": "^[a-z]{3}$"}
            }
        }),
    );
    exercises(
        &set,
        &["pattern", "minimum", "required", "additionalProperties"],
    );
}

#[test]
#[should_panic(expected = "objects.json#/$defs/Request/properties/id/not: unknown keyword `not`")]
fn an_unknown_keyword_panics_with_its_location() {
    let set = SchemaSet::inline(
        "objects.json",
        json!({
            "$ref": "#/$defs/Request",
            "$defs": {"Request": {
                "type": "object",
                "properties": {"id": {"type": "string", "not": {"const": ""}}}
            }}
        }),
    );
    oracle(&set, 1);
}

/// Every endpoint document (a file with `x-endpoint`) under `dir`, recursively, except the generator's
/// intentionally broken schemas (`errors/`).
fn endpoint_documents(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "errors") {
                endpoint_documents(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            if doc.get("x-endpoint").is_some() {
                out.push(path);
            }
        }
    }
}

/// Fixture schemas written with keywords `schema_instances` does not generate values for.
const BEYOND_THIS_GENERATOR: [&str; 2] = ["json_schema.json", "recursive_and_reserved.json"];

#[test]
fn the_generator_handles_its_fixture_schemas() {
    let dir = workspace("codegen/tests");
    let mut fixtures = Vec::new();
    endpoint_documents(&dir, &mut fixtures);
    fixtures.sort();
    assert!(
        !fixtures.is_empty(),
        "no fixture schema under {}",
        dir.display()
    );
    for fixture in fixtures {
        // The fixtures of the vocabulary beyond this generator's (`not`, `contains`, recursion, ...) are
        // judged by codegen's compile gate and the JSON-Schema-Test-Suite test, against jsonschema too.
        let name = fixture
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if BEYOND_THIS_GENERATOR.contains(&name) {
            continue;
        }
        let verdicts = exercises(&SchemaSet::load(&fixture), &["required"]);
        eprintln!(
            "{}: {} valid, {} invalid, broken: {:?}",
            fixture.display(),
            verdicts.valid,
            verdicts.invalid,
            verdicts.broken
        );
    }
}

#[test]
fn the_schema_files_load_with_their_siblings() {
    for operation in salesync::ENDPOINTS {
        let schema = operation.meta().schema;
        let set = SchemaSet::load(workspace(schema));
        // Some body is valid and the empty object is not (the validator really compiled the file).
        assert!(
            !set.validator().is_valid(&json!({})),
            "{schema} accepts {{}}"
        );
    }
}
