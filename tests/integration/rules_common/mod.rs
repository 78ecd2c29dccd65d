//! Helpers shared by the rule tests of both schemas: edits of a JSON body by pointer, and expected pairs.

use serde_json::Value;

pub fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(p, r)| (p.to_string(), r.to_string()))
        .collect()
}

/// Sets (or adds) the member at `pointer`; its parent must exist.
pub fn set(body: &mut Value, pointer: &str, value: Value) {
    let (parent, member) = pointer.rsplit_once('/').unwrap();
    let parent = body
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no parent for {pointer}"));
    match parent {
        Value::Object(members) => {
            members.insert(member.to_owned(), value);
        }
        Value::Array(items) => items[member.parse::<usize>().unwrap()] = value,
        other => panic!("{pointer}: parent is {other}"),
    }
}

/// Removes the member at `pointer`, which must exist.
pub fn remove(body: &mut Value, pointer: &str) {
    let (parent, member) = pointer.rsplit_once('/').unwrap();
    let removed = body
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|members| members.remove(member));
    assert!(removed.is_some(), "{pointer} is not in the body");
}
