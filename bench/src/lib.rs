//! Shared by the benchmarks in `benches/`: realistic request bodies built with the generated models, the
//! hand-written baseline structs a developer would write for the same JSON, and rows for `salesync push`.
//!
//! Run the benchmarks with `cargo bench -p salesync-bench` (see BENCHMARKS.md for each command and result).

pub mod fixtures;
pub mod handwritten;

use serde_json::Value;

/// `value` with every number as an `f64`, so that `10` (an exact decimal, whole) and `10.0` (a hand-written
/// `f64`) compare equal: the generated models and the baselines must describe the same document.
pub fn numbers_as_f64(value: &Value) -> Value {
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_f64).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), numbers_as_f64(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Panics unless the two JSON texts describe the same document (numbers compared as `f64`).
pub fn assert_same_document(label: &str, expected: &str, actual: &str) {
    let expected: Value = serde_json::from_str(expected).expect("expected text is JSON");
    let actual: Value = serde_json::from_str(actual).expect("actual text is JSON");
    assert!(
        numbers_as_f64(&expected) == numbers_as_f64(&actual),
        "{label}: the documents differ"
    );
}
