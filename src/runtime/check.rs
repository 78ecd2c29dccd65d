//! Checking a whole request body at once: parse errors and validation errors, for every item of a batch.

use serde_json::Value;

use super::endpoint::{BatchMeta, Batched, Operation};
use serde::de::DeserializeOwned;

use super::recover::parse_and_validate;
use super::shape::{self, Kinded, Shaped};
use super::{parse, Validate, Validator, Violation};

/// Parses and validates a body. A parse error stops only the item it is in: the other items of the batch are
/// still parsed and validated, so one pass shows every bad row.
pub fn check_batched<O: Batched>(body: &str) -> Vec<Violation> {
    // Fast path: a body that parses straight into the request has no missing, unknown or mistyped member,
    // so it needs no `Value`, no shape pass and no path tracking; only its validation remains.
    if let Ok(request) = serde_json::from_str::<O::Request>(body) {
        return violations_of(&request, "");
    }
    let value: Value = match parse::from_str(body) {
        Ok(value) => value,
        Err(violation) => return vec![violation],
    };
    match parse::from_value::<O::Request>(&value, "") {
        Ok(request) => or_text_error::<O::Request>(violations_of(&request, ""), body),
        Err(first) => check_items_one_by_one::<O>(value, first),
    }
}

/// Parses and validates a body of an endpoint without a batch.
pub fn check_plain<O: Operation>(body: &str) -> Vec<Violation> {
    if let Ok(request) = serde_json::from_str::<O::Request>(body) {
        return violations_of(&request, "");
    }
    let value: Value = match parse::from_str(body) {
        Ok(value) => value,
        Err(violation) => return vec![violation],
    };
    or_text_error::<O::Request>(
        checked::<O::Request>(&value, "").err().unwrap_or_default(),
        body,
    )
}

/// `found`, or, when that is empty, the typed parse's error of the text: a body whose JSON value is clean but
/// whose text does not parse straight into the request repeats a member (the value keeps the last one; the
/// typed parse refuses the repetition), and is refused as the typed parse refuses it.
fn or_text_error<T: DeserializeOwned>(found: Vec<Violation>, body: &str) -> Vec<Violation> {
    if found.is_empty() {
        if let Err(violation) = parse::from_str::<T>(body) {
            return vec![violation];
        }
    }
    found
}

/// Parses and validates one batch item (one row of an export); pointers start with `prefix`. Every missing
/// and unknown member is reported at once; then every type error and, past them, every validation error.
///
/// # Errors
///
/// Every violation of the item, each with its JSON pointer under `prefix`.
pub fn check_item<O: Batched>(value: &Value, prefix: &str) -> Result<O::Item, Vec<Violation>> {
    let found = shape::check_kind(value, &<O::Item as Kinded>::KIND, prefix);
    merged::<O::Item>(value, prefix, found)
}

/// Every missing and unknown member (the shape pass), then every type error and every validation error of
/// the rest (the parse goes on past each problem); each problem once.
fn checked<T: Shaped + Validate + DeserializeOwned>(
    value: &Value,
    prefix: &str,
) -> Result<T, Vec<Violation>> {
    let found = shape::check(value, &T::SHAPE, prefix);
    merged::<T>(value, prefix, found)
}

/// The shape pass's findings, then every type error and validation error of the rest, each problem once.
fn merged<T: Validate + DeserializeOwned>(
    value: &Value,
    prefix: &str,
    mut found: Vec<Violation>,
) -> Result<T, Vec<Violation>> {
    match parse_and_validate::<T>(value, prefix) {
        Ok(parsed) if found.is_empty() => Ok(parsed),
        Ok(_) => Err(found),
        Err(more) => {
            for violation in more {
                let repeated = found
                    .iter()
                    .any(|seen| seen.pointer == violation.pointer && seen.rule == violation.rule);
                if !repeated {
                    found.push(violation);
                }
            }
            Err(found)
        }
    }
}

fn violations_of<T: Validate>(value: &T, prefix: &str) -> Vec<Violation> {
    let mut v = Validator::with_prefix(prefix);
    value.validate_into(&mut v);
    v.into_violations()
}

fn check_items_one_by_one<O: Batched>(mut value: Value, first: Violation) -> Vec<Violation> {
    let Some(batch) = O::META.batch else {
        return vec![first];
    };
    let items = match value.get_mut(batch.items).map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => return vec![first],
    };
    let mut violations = check_envelope::<O>(value, batch, &items);
    for (index, item) in items.iter().enumerate() {
        let prefix = format!("/{}/{index}", batch.items);
        if let Err(found) = check_item::<O>(item, &prefix) {
            violations.extend(found);
        }
    }
    violations
}

/// The envelope with an empty batch; the batch's size is checked against the original count.
fn check_envelope<O: Batched>(
    mut envelope: Value,
    batch: BatchMeta,
    items: &[Value],
) -> Vec<Violation> {
    envelope[batch.items] = Value::Array(Vec::new());
    let batch_pointer = format!("/{}", batch.items);
    let mut violations: Vec<Violation> = checked::<O::Request>(&envelope, "")
        .err()
        .unwrap_or_default()
        .into_iter()
        .filter(|found| found.pointer != batch_pointer)
        .collect();
    let mut size = Validator::with_prefix(&batch_pointer);
    size.min_items(items, batch.min_items);
    size.max_items(items, batch.max_items);
    violations.extend(size.into_violations());
    violations
}
