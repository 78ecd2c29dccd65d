use serde::Serialize;
use serde_json::{json, Value};

use super::*;

const SCHEMA: &str = "https://json-schema.org/draft/2020-12/schema";

/// A document of its own, for one test (leaked: checks and documents are statics in generated code).
fn document(uri: &'static str, json: Value) -> &'static SchemaDocument {
    with_uses(uri, json, &[])
}

fn with_uses(
    uri: &'static str,
    json: Value,
    uses: &'static [&'static SchemaDocument],
) -> &'static SchemaDocument {
    Box::leak(Box::new(SchemaDocument {
        uri,
        aliases: &[],
        json: Box::leak(json.to_string().into_boxed_str()),
        uses,
    }))
}

fn check(document: &'static SchemaDocument, pointer: &'static str) -> &'static SchemaCheck {
    Box::leak(Box::new(SchemaCheck::new(document, pointer)))
}

/// A check of `schema` under `/$defs/T` of a document of its own.
fn check_of(schema: Value) -> &'static SchemaCheck {
    let doc = document(
        "https://schemas.example.com/test/t.json",
        json!({"$schema": SCHEMA, "$defs": {"T": schema}}),
    );
    check(doc, "/$defs/T")
}

/// What a check reports for `value` at the root: `(pointer, rule, message)`.
fn run(check: &SchemaCheck, value: Value) -> Vec<(String, &'static str, String)> {
    let mut v = Validator::new();
    v.schema(&value, check);
    triples(v)
}

fn triples(v: Validator) -> Vec<(String, &'static str, String)> {
    v.into_violations()
        .into_iter()
        .map(|found| (found.pointer, found.rule, found.message))
        .collect()
}

/// `(pointer, rule)` of each violation.
fn places<'a>(found: &'a [(String, &'static str, String)]) -> Vec<(&'a str, &'a str)> {
    found
        .iter()
        .map(|(pointer, rule, _)| (pointer.as_str(), *rule))
        .collect()
}

#[test]
fn a_valid_value_reports_nothing() {
    let check = check_of(json!({"type": "string", "not": {"const": "x"}}));
    assert!(run(check, json!("y")).is_empty());
}

#[test]
fn pointers_start_at_the_validators_place() {
    let check = check_of(json!({"items": {"minimum": 0}}));
    let mut v = Validator::with_prefix("/batch");
    v.at("salesinfo", |v| {
        v.each(&[json!([1, -1]), json!([-2])], |v, item| {
            v.schema(item, check)
        })
    });
    let found = triples(v);
    assert_eq!(
        places(&found),
        [
            ("/batch/salesinfo/0/1", "minimum"),
            ("/batch/salesinfo/1/0", "minimum")
        ]
    );
    assert_eq!(found[0].2, "must be at least 0, is -1");
}

#[test]
fn every_error_is_reported_at_once_in_the_typed_checks_words() {
    let check = check_of(json!({
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "code": {"type": "string", "maxLength": 3, "pattern": "^[0-9]+$"},
            "count": {"type": "integer", "minimum": 0},
            "kind": {"enum": ["a", "b"]},
            "tags": {"type": "array", "maxItems": 1, "uniqueItems": true}
        },
        "additionalProperties": false
    }));
    let found = run(
        check,
        json!({"code": "abcde", "count": -1, "kind": "c", "tags": [1, 1.0], "x": true}),
    );
    // jsonschema's order: a node's keywords, then `required`.
    assert_eq!(
        places(&found),
        [
            ("/code", "maxLength"),
            ("/code", "pattern"),
            ("/count", "minimum"),
            ("/kind", "enum"),
            ("/tags", "maxItems"),
            ("/tags/1", "uniqueItems"),
            ("/x", "additionalProperties"),
            ("/id", "required"),
            ("/name", "required"),
        ]
    );
    let messages: Vec<&str> = found.iter().map(|(_, _, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "must have at most 3 character(s), has 5",
            "`abcde` does not match the pattern ^[0-9]+$",
            "must be at least 0, is -1",
            r#"must be one of ["a","b"], is "c""#,
            "must have at most 1 item(s), has 2",
            "repeats item 0: items must be unique",
            "unknown member `x`: not allowed by `additionalProperties`",
            "`id` is required",
            "`name` is required",
        ]
    );
}

#[test]
fn what_a_typed_check_reported_is_not_reported_again() {
    let check = check_of(json!({"maxLength": 3, "not": {"const": "abcde"}}));
    let mut v = Validator::new();
    v.at("code", |v| {
        v.max_length("abcde", 3);
        v.schema(&json!("abcde"), check);
    });
    let found = triples(v);
    assert_eq!(places(&found), [("/code", "maxLength"), ("/code", "not")]);
    assert_eq!(found[1].2, "must not match the schema in `not`");
}

#[test]
fn a_typed_value_is_checked_as_its_json() {
    #[derive(Serialize)]
    struct Widget {
        name: String,
        parts: Vec<u32>,
    }
    let check = check_of(json!({
        "properties": {"name": {"minLength": 1}, "parts": {"contains": {"const": 7}}},
        "additionalProperties": false,
        "required": ["name"]
    }));
    let widget = Widget {
        name: "w".into(),
        parts: vec![1, 2],
    };
    let mut v = Validator::new();
    v.at("widget", |v| v.schema_of(&widget, check));
    let found = triples(v);
    assert_eq!(
        found,
        [(
            "/widget/parts".to_owned(),
            "contains",
            "no item matches `contains`".to_owned()
        )]
    );
    let mut v = Validator::new();
    v.schema_of(&[widget][..], check_of(json!({"maxItems": 0})));
    assert_eq!(places(&triples(v)), [("", "maxItems")]);
}

#[test]
fn references_reach_the_documents_a_document_uses_by_uri_and_alias() {
    static COMMON: SchemaDocument = SchemaDocument {
        uri: "https://schemas.example.com/acme/common.json",
        aliases: &["file:///acme/common.json"],
        json: r##"{"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$defs": {"Code": {"type": "string", "minLength": 2},
                            "Other": {"$ref": "#/$defs/Code", "maxLength": 3}}}"##,
        uses: &[],
    };
    static WIDGETS: SchemaDocument = SchemaDocument {
        uri: "https://schemas.example.com/acme/put_widgets.json",
        aliases: &[],
        json: r##"{"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$defs": {"Body": {"properties": {
                      "a": {"$ref": "common.json#/$defs/Code"},
                      "b": {"$ref": "file:///acme/common.json#/$defs/Other"}}}}}"##,
        uses: &[&COMMON],
    };
    static BODY: SchemaCheck = SchemaCheck::new(&WIDGETS, "/$defs/Body");
    let found = run(&BODY, json!({"a": "x", "b": "abcd"}));
    assert_eq!(places(&found), [("/a", "minLength"), ("/b", "maxLength")]);
    assert!(run(&BODY, json!({"a": "xy", "b": "abc"})).is_empty());
    // A check may name a document by an alias too.
    static ALIASED: SchemaDocument = SchemaDocument {
        uri: "file:///acme/common.json",
        ..COMMON
    };
    static CODE: SchemaCheck = SchemaCheck::new(&ALIASED, "/$defs/Other");
    assert_eq!(places(&run(&CODE, json!("a"))), [("", "minLength")]);
}

#[test]
fn documents_that_use_each_other_are_each_registered_once() {
    static A: SchemaDocument = SchemaDocument {
        uri: "urn:test:a",
        aliases: &[],
        json: r##"{"$defs": {"N": {"type": "integer"}, "L": {"items": {"$ref": "urn:test:b#/$defs/N"}}}}"##,
        uses: &[&B],
    };
    static B: SchemaDocument = SchemaDocument {
        uri: "urn:test:b",
        aliases: &[],
        json: r##"{"$defs": {"N": {"$ref": "urn:test:a#/$defs/N", "minimum": 1}}}"##,
        uses: &[&A],
    };
    assert_eq!(reachable(&A).len(), 2);
    static L: SchemaCheck = SchemaCheck::new(&A, "/$defs/L");
    assert_eq!(
        places(&run(&L, json!([1, 0, "x"]))),
        [("/1", "minimum"), ("/2", "type")]
    );
}

#[test]
fn anchors_nested_ids_and_relative_references_resolve_as_the_spec_says() {
    let doc = document(
        "https://schemas.example.com/root/doc.json",
        json!({
            "$schema": SCHEMA,
            "$defs": {
                "Anchored": {"$anchor": "short", "maxLength": 2},
                "UsesAnchor": {"$ref": "#short"},
                "Nested": {
                    "$id": "https://schemas.example.com/nested/inner.json",
                    "$defs": {"Local": {"minimum": 10}},
                    "properties": {"n": {"$ref": "#/$defs/Local"}, "s": {"$ref": "sibling.json"}}
                },
                "Sibling": {"$id": "https://schemas.example.com/nested/sibling.json", "type": "string"}
            }
        }),
    );
    assert_eq!(
        places(&run(check(doc, "/$defs/UsesAnchor"), json!("abc"))),
        [("", "maxLength")]
    );
    // `#/$defs/Local` is resolved against the nested `$id`, not the document's: the root has no `Local`.
    let nested = check(doc, "/$defs/Nested");
    assert_eq!(
        places(&run(nested, json!({"n": 3, "s": 1}))),
        [("/n", "minimum"), ("/s", "type")]
    );
    assert!(run(nested, json!({"n": 10, "s": "ok"})).is_empty());
    // A pointer that goes through the nested resource keeps its base: `sibling.json` is the nested one.
    let local = check(doc, "/$defs/Nested/$defs/Local");
    assert_eq!(places(&run(local, json!(3))), [("", "minimum")]);
    let sibling = check(doc, "/$defs/Nested/properties/s");
    assert_eq!(places(&run(sibling, json!(3))), [("", "type")]);
}

#[test]
fn dynamic_references_follow_the_dynamic_scope() {
    // The 2020-12 test suite's extensible list: `strict-tree` narrows the tree `tree` describes.
    let tree = document(
        "https://schemas.example.com/dyn/tree.json",
        json!({
            "$schema": SCHEMA,
            "$id": "https://schemas.example.com/dyn/tree.json",
            "$dynamicAnchor": "node",
            "type": "object",
            "properties": {
                "data": true,
                "children": {"type": "array", "items": {"$dynamicRef": "#node"}}
            }
        }),
    );
    static STRICT: OnceLock<&'static SchemaDocument> = OnceLock::new();
    let strict = *STRICT.get_or_init(|| {
        let uses: &'static [&'static SchemaDocument] = Box::leak(Box::new([tree]));
        with_uses(
            "https://schemas.example.com/dyn/strict-tree.json",
            json!({
                "$schema": SCHEMA,
                "$id": "https://schemas.example.com/dyn/strict-tree.json",
                "$dynamicAnchor": "node",
                "$ref": "tree.json",
                "unevaluatedProperties": false
            }),
            uses,
        )
    });
    let value = json!({"children": [{"daat": 1}]});
    assert_eq!(
        places(&run(check(strict, ""), value.clone())),
        [("/children/0/daat", "unevaluatedProperties")]
    );
    // The plain tree lets any member through.
    assert!(run(check(tree, ""), value).is_empty());
}

#[test]
fn unevaluated_properties_see_through_applicators() {
    let check = check_of(json!({
        "allOf": [{"properties": {"a": true}}],
        "if": {"properties": {"kind": {"const": "b"}}, "required": ["kind"]},
        "then": {"properties": {"kind": true, "b": true}},
        "else": {"properties": {"kind": true}},
        "unevaluatedProperties": false
    }));
    assert!(run(check, json!({"a": 1, "kind": "b", "b": 2})).is_empty());
    let found = run(check, json!({"a": 1, "kind": "c", "b": 2}));
    assert_eq!(
        found,
        [(
            "/b".to_owned(),
            "unevaluatedProperties",
            "member `b` is not allowed: `unevaluatedProperties`".to_owned()
        )]
    );
}

#[test]
fn pointers_with_escapes_and_unsafe_characters_reach_their_schema() {
    let doc = document(
        "https://schemas.example.com/test/escapes.json",
        json!({
            "$schema": SCHEMA,
            "$defs": {"a/b~c": {"properties": {"x y%z#": {"maxLength": 1}, "é": {"minimum": 5}}}}
        }),
    );
    assert_eq!(
        fragment("/$defs/a~1b~0c/properties/x y%z#"),
        "/$defs/a~1b~0c/properties/x%20y%25z%23"
    );
    let spaced = check(doc, "/$defs/a~1b~0c/properties/x y%z#");
    assert_eq!(places(&run(spaced, json!("ab"))), [("", "maxLength")]);
    let accented = check(doc, "/$defs/a~1b~0c/properties/é");
    assert_eq!(places(&run(accented, json!(1))), [("", "minimum")]);
}

#[test]
fn byte_limits_count_utf8_bytes() {
    let check = check_of(json!({"x-minBytes": 4, "x-maxBytes": 5}));
    assert!(run(check, json!("汉a")).is_empty());
    assert_eq!(
        run(check, json!("汉字")),
        [(
            String::new(),
            "x-maxBytes",
            "must be at most 5 UTF-8 bytes, is 6".to_owned()
        )]
    );
    assert_eq!(
        run(check, json!("abc")),
        [(
            String::new(),
            "x-minBytes",
            "must be at least 4 UTF-8 byte(s), is 3".to_owned()
        )]
    );
    assert!(run(check, json!(12)).is_empty());
}

#[test]
fn decimal_places_are_counted_on_the_numbers_text() {
    let check = check_of(json!({"x-decimalPlaces": 2}));
    assert!(run(check, json!(8.9)).is_empty());
    assert!(run(check, json!(100)).is_empty());
    let found = run(check, serde_json::from_str("12.999").unwrap());
    assert_eq!(
        found,
        [(
            String::new(),
            "x-decimalPlaces",
            "must have at most 2 decimal place(s), 12.999 has 3".to_owned()
        )]
    );
    // 0.1 + 0.2 as the double it is: 0.30000000000000004.
    assert_eq!(
        places(&run(check, json!(0.1 + 0.2))),
        [("", "x-decimalPlaces")]
    );
    assert_eq!(places(&run(check, json!(1e-7))), [("", "x-decimalPlaces")]);
}

#[test]
fn compare_is_exact_and_reported_at_the_left_member() {
    let check = check_of(json!({"x-compare": [
        {"left": "current_price", "op": "<=", "right": "sku_price"},
        {"left": "min", "op": "<", "right": "max"}
    ]}));
    assert!(run(
        check,
        json!({"current_price": 8.9, "sku_price": 8.9, "min": 1})
    )
    .is_empty());
    let found = run(
        check,
        json!({"current_price": 8.91, "sku_price": 8.9, "min": 2, "max": 2.0}),
    );
    assert_eq!(
        found,
        [
            (
                "/current_price".to_owned(),
                "x-compare",
                "current_price (8.91) must be <= sku_price (8.9)".to_owned()
            ),
            (
                "/min".to_owned(),
                "x-compare",
                "min (2) must be < max (2.0)".to_owned()
            )
        ]
    );
    // Not numbers: the types are another keyword's business.
    assert!(run(check, json!({"current_price": "9", "sku_price": 8})).is_empty());
}

#[test]
fn other_x_keywords_check_nothing() {
    let check = check_of(json!({
        "type": "string",
        "x-name": "Code", "x-sensitive": true, "x-aliases": ["c"], "x-enumNames": ["A"],
        "x-minorUnits": true, "x-endpoint": {"vendor": "acme"}
    }));
    assert!(run(check, json!("anything")).is_empty());
}

#[test]
fn multiple_of_is_exact() {
    let check = check_of(json!({"multipleOf": 0.05}));
    assert!(run(check, json!(0.35)).is_empty());
    assert!(run(check_of(json!({"multipleOf": 0.01})), json!(8.9)).is_empty());
    assert_eq!(
        run(check, json!(0.36)),
        [(
            String::new(),
            "multipleOf",
            "must be a multiple of 0.05, is 0.36".to_owned()
        )]
    );
}

#[test]
fn claimed_formats_assert_and_the_others_annotate() {
    let email = check_of(json!({"format": "email"}));
    assert_eq!(
        run(email, json!("not an address")),
        [(
            String::new(),
            "format",
            "`not an address` is not an email address such as name@example.com".to_owned()
        )]
    );
    assert!(run(email, json!("ann@example.com")).is_empty());
    for format in [
        "duration",
        "regex",
        "idn-email",
        "iri",
        "json-pointer",
        "uri-template",
        "int64",
    ] {
        let check = check_of(json!({"format": format}));
        assert!(run(check, json!("[not valid(")).is_empty(), "{format}");
    }
    // Agreement with the typed check: jsonschema reads `2026-0:-01` as a date, Format does not.
    let date = check_of(json!({"format": "date"}));
    assert_eq!(places(&run(date, json!("2026-0:-01"))), [("", "format")]);
}

#[test]
fn a_sub_schema_that_does_not_compile_is_reported_on_every_use() {
    let unknown = check_of(json!({"$ref": "https://elsewhere.example.com/x.json"}));
    for _ in 0..2 {
        let mut v = Validator::new();
        v.at("v", |v| v.schema(&json!(1), unknown));
        let found = triples(v);
        assert_eq!(places(&found), [("/v", "schema")], "{found:?}");
        let message = &found[0].2;
        assert!(
            message.starts_with(
                "the schema https://schemas.example.com/test/t.json#/$defs/T could not be compiled"
            ),
            "{message}"
        );
        assert!(
            message.contains("https://elsewhere.example.com/x.json"),
            "{message}"
        );
    }
    let bad_keyword = check_of(json!({"x-maxBytes": "five"}));
    let found = run(bad_keyword, json!("a"));
    assert_eq!(places(&found), [("", "schema")]);
    assert!(
        found[0]
            .2
            .contains("`x-maxBytes` must be a non-negative integer"),
        "{found:?}"
    );
    // A URN base has no retrieval at all: the reference fails when it is compiled.
    let urn = check(
        document(
            "urn:test:refers",
            json!({"$defs": {"A": {"$ref": "urn:test:unknown#/$defs/B"}}}),
        ),
        "/$defs/A",
    );
    let found = run(urn, json!(1));
    assert_eq!(places(&found), [("", "schema")]);
    assert!(found[0].2.contains("urn:test:unknown"), "{found:?}");
    let nowhere = check(document("urn:test:nowhere", json!({})), "/$defs/Missing");
    assert_eq!(places(&run(nowhere, json!(1))), [("", "schema")]);
    let not_json = check(
        Box::leak(Box::new(SchemaDocument {
            uri: "urn:test:broken",
            aliases: &[],
            json: "{",
            uses: &[],
        })),
        "",
    );
    assert_eq!(places(&run(not_json, json!(1))), [("", "schema")]);
    let empty_one_of = check_of(json!({"oneOf": []}));
    assert_eq!(places(&run(empty_one_of, json!(1))), [("", "schema")]);
}

#[test]
fn a_check_compiles_once() {
    let check = check_of(json!({"minimum": 1}));
    assert!(check.compiled.get().is_none());
    run(check, json!(0));
    let first: *const jsonschema::Validator = check.validator().unwrap();
    run(check, json!(0));
    let second: *const jsonschema::Validator = check.validator().unwrap();
    assert!(check.compiled.get().is_some());
    assert_eq!(first, second);
}

#[test]
fn checks_are_shared_between_threads() {
    let check = check_of(json!({"maxLength": 1}));
    let counts: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| run(check, json!("ab")).len()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(counts, [1, 1, 1, 1]);
}

#[test]
fn applicators_without_a_typed_twin_say_what_failed() {
    let one_of =
        check_of(json!({"oneOf": [{"type": "integer"}, {"minimum": 5}, {"type": "number"}]}));
    assert_eq!(
        run(one_of, json!(7)),
        [(
            String::new(),
            "oneOf",
            "matches 3 of the `oneOf` schemas (0, 1 and 2): exactly one must match".to_owned()
        )]
    );
    let none =
        check_of(json!({"oneOf": [{"type": "integer"}, {"type": "string", "minLength": 5}]}));
    assert_eq!(
        run(none, json!("a")),
        [(
            String::new(),
            "oneOf",
            "matches none of the `oneOf` schemas (0: must be an integer, is a string; \
             1: must have at least 5 character(s), has 1): exactly one must match"
                .to_owned()
        )]
    );
    let any_of = check_of(json!({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}));
    assert_eq!(
        run(any_of, json!({})),
        [(
            String::new(),
            "anyOf",
            "matches none of the `anyOf` schemas (0: /a: `a` is required; 1: /b: `b` is required)"
                .to_owned()
        )]
    );
    let constant = check_of(json!({"const": {"a": [1]}}));
    assert_eq!(
        run(constant, json!({"a": [2]})),
        [(
            String::new(),
            "const",
            r#"must be {"a":[1]}, is {"a":[2]}"#.to_owned()
        )]
    );
    assert!(run(constant, json!({"a": [1.0]})).is_empty());
    let dependent = check_of(json!({
        "dependentRequired": {"type": ["kind"]},
        "dependentSchemas": {"b": {"required": ["c"]}},
        "prefixItems": [{"type": "string"}],
        "propertyNames": {"maxLength": 4},
        "minContains": 2, "contains": {"const": 1},
        "properties": {"gone": false}
    }));
    let found = run(
        dependent,
        json!({"type": 1, "b": 2, "gone": 0, "long name": 3}),
    );
    assert_eq!(
        found,
        [
            (
                "/kind".to_owned(),
                "dependentRequired",
                "`kind` is required when `type` is present".to_owned()
            ),
            ("/c".to_owned(), "required", "`c` is required".to_owned()),
            (
                "/gone".to_owned(),
                "false",
                "is not allowed here: the schema is `false`".to_owned()
            ),
            (
                "/long name".to_owned(),
                "propertyNames",
                "member name: must have at most 4 character(s), has 9".to_owned()
            ),
        ]
    );
    assert_eq!(
        places(&run(dependent, json!([1, 2]))),
        [("", "minContains"), ("/0", "type")]
    );
}

#[test]
fn huge_values_make_short_messages() {
    let check = check_of(json!({"pattern": "^a$", "const": "b"}));
    let long = "x".repeat(100_000);
    for (_, _, message) in run(check, json!(long)) {
        assert!(message.len() < 200, "{message}");
    }
}

#[test]
fn json_equality_is_json_schemas() {
    assert!(json_equal(&json!(1), &json!(1.0)));
    assert!(json_equal(
        &json!(0.1),
        &serde_json::from_str("0.1").unwrap()
    ));
    assert!(!json_equal(&json!(0.1), &json!(0.1 + 0.2 - 0.2)));
    assert!(json_equal(&json!(u64::MAX), &json!(u64::MAX)));
    assert!(!json_equal(&json!(u64::MAX), &json!(u64::MAX - 1)));
    assert!(!json_equal(&json!(i64::MIN), &json!(u64::MAX)));
    assert!(json_equal(
        &json!({"a": 1, "b": [1, {"c": 2.0}]}),
        &json!({"b": [1.0, {"c": 2}], "a": 1})
    ));
    assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
    assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    assert!(!json_equal(&json!("1"), &json!(1)));
    assert!(!json_equal(&json!(null), &json!(false)));
}

#[test]
fn unique_json_reports_each_repeat_at_its_index() {
    let mut v = Validator::new();
    v.at("tags", |v| {
        v.unique_json(&[
            json!(1),
            json!({"a": 1, "b": 2}),
            json!(1.0),
            json!({"b": 2, "a": 1}),
        ])
    });
    let found = triples(v);
    assert_eq!(
        found,
        [
            (
                "/tags/2".to_owned(),
                "uniqueItems",
                "repeats item 0: items must be unique".to_owned()
            ),
            (
                "/tags/3".to_owned(),
                "uniqueItems",
                "repeats item 1: items must be unique".to_owned()
            ),
        ]
    );
    let mut v = Validator::new();
    v.unique_json(&[vec![1], vec![2]]);
    assert!(v.finish().is_ok());
}
