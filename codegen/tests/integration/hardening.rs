//! The generator on broken schemas: whatever a schema says, generation returns the files or diagnostics naming
//! `file#pointer`, never panics, and what it returns is Rust that parses. Bodies are the golden schemas with
//! random edits (a member removed, a value replaced by another JSON value, a keyword added), so that most
//! edits land on keywords the generator knows.

use std::path::Path;

use codegen::{generate_module, Runtime};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{json, Value};

fn golden(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every pointer into `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(member, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Values an edit puts somewhere: each JSON type, and the vocabulary's usual suspects.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(1.5)),
        Just(json!(1e300)),
        Just(json!("")),
        Just(json!("string")),
        Just(json!("#/$defs/Nope")),
        Just(json!("[unclosed")),
        Just(json!("^\\d+$")),
        Just(json!(["integer", "string"])),
        Just(json!(["string", "null"])),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"type": "object"})),
        Just(json!({"$ref": "#/$defs/Thing"})),
        Just(json!({"if": {"properties": {"x": {"const": 1}}}, "then": {"required": ["x"]}})),
        Just(json!({"oneOf": [{"const": 1}, {"const": "a"}]})),
        Just(json!({"enum": ["Unknown", "unknown", "Self", "1", "汉"]})),
    ]
}

const KEYWORDS: [&str; 16] = [
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "if",
    "then",
    "additionalProperties",
    "maxLength",
    "pattern",
    "x-name",
    "$ref",
];

/// One edit at `pointer`: remove it, replace it, or add a keyword beside it.
fn edit(body: &mut Value, pointer: &str, kind: u8, value: Value, keyword: usize) {
    match kind {
        0 => {
            if let Some((parent, member)) = pointer.rsplit_once('/') {
                let member = member.replace("~1", "/").replace("~0", "~");
                match body.pointer_mut(parent) {
                    Some(Value::Object(members)) => _ = members.remove(&member),
                    Some(Value::Array(items)) if !items.is_empty() => _ = items.pop(),
                    _ => {}
                }
            }
        }
        1 => {
            if let Some(slot) = body.pointer_mut(pointer) {
                *slot = value;
            }
        }
        _ => {
            if let Some(Value::Object(members)) = body.pointer_mut(pointer) {
                members.insert(KEYWORDS[keyword % KEYWORDS.len()].to_owned(), value);
            }
        }
    }
}

#[test]
fn broken_schemas_get_diagnostics_never_a_panic() {
    let mut config = Config::with_cases(if std::env::var_os("PROPTEST_CASES").is_some() {
        Config::default().cases
    } else {
        400
    });
    config.rng_seed = RngSeed::Fixed(20_261_201);
    config.failure_persistence = None;
    let bases = vec![
        golden("kitchen_sink.json"),
        golden("promotion_plan_add.json"),
    ];
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0u8..3,
            replacement(),
            0usize..16,
        ),
        1..4,
    );
    let strategy = (prop::sample::select(bases), edits);
    let runtime = Runtime::new("crate::runtime").with_clients("crate");
    let mut runner = TestRunner::new(config);
    runner
        .run(&strategy, |(mut body, edits)| {
            for (index, kind, value, keyword) in edits {
                let mut all = Vec::new();
                pointers(&body, String::new(), &mut all);
                let pointer = index.get(&all).clone();
                edit(&mut body, &pointer, kind, value, keyword);
            }
            let text = body.to_string();
            match generate_module("broken.json", &text, &runtime) {
                Ok(code) => prop_assert!(code.contains("Do not edit by hand")),
                Err(found) => {
                    prop_assert!(!found.0.is_empty());
                    for diagnostic in &found.0 {
                        prop_assert_eq!(&diagnostic.file, "broken.json");
                        let bug = diagnostic.message.contains("a generator bug");
                        prop_assert!(!bug, "{}\n{}", diagnostic, text);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}
