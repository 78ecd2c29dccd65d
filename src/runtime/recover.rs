//! Parsing that does not stop at the first error. A typed parse gives up at the first value of the wrong type;
//! on an invalid body that would hide every later problem of the same object. Here the offending value is
//! replaced by a stand-in (an optional member is left out, a required one gets a value of some other JSON
//! type until one parses, an unknown enum value gets the enum's first value) and parsing starts again, so one
//! pass reports every type error, bad enum value and unknown union tag, and the value that finally parses is
//! validated too. Violations at or below a stand-in are about the stand-in and are dropped.
//!
//! Only invalid input comes here: a valid body parses at the first try on the fast path.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{parse, Validate, Validator, Violation};

/// Parses at most this many times per value, so a value with thousands of bad members stays cheap to check.
const MAX_PARSES: usize = 256;

/// Stand-ins for a value of the wrong type, tried in order: `null` reads as absent for optional members.
const STAND_INS: [fn() -> Value; 7] = [
    || Value::Null,
    || Value::from(0),
    || Value::from(""),
    || Value::from(false),
    || Value::Array(Vec::new()),
    || Value::Object(Default::default()),
    || Value::from("0"),
];

/// Every parse error of `value` as a `T` and, when a stand-in version of it parses, that version's validation
/// violations (outside the stand-ins); pointers start with `prefix`. `Ok` only when `value` itself is valid.
pub fn parse_and_validate<T: DeserializeOwned + Validate>(
    value: &Value,
    prefix: &str,
) -> Result<T, Vec<Violation>> {
    let first = match parse::from_value::<T>(value, prefix) {
        Ok(parsed) => {
            let found = violations_of(&parsed, prefix);
            return if found.is_empty() {
                Ok(parsed)
            } else {
                Err(found)
            };
        }
        Err(first) => first,
    };
    let mut repair = Repair {
        value: value.clone(),
        prefix,
        found: vec![first.clone()],
        stand_ins: Vec::new(),
    };
    let mut error = first;
    for _ in 0..MAX_PARSES {
        if !repair.stand_in(&error) {
            return Err(repair.found);
        }
        match parse::from_value::<T>(&repair.value, prefix) {
            Ok(parsed) => {
                let mut found = repair.found;
                let stand_ins = repair.stand_ins;
                found.extend(
                    violations_of(&parsed, prefix)
                        .into_iter()
                        .filter(|violation| !about_stand_ins(violation, &stand_ins)),
                );
                return Err(found);
            }
            Err(next) => {
                let known = repair
                    .stand_ins
                    .iter()
                    .any(|s| within(&next.pointer, &s.pointer));
                if !known && !repair.found.contains(&next) {
                    repair.found.push(next.clone());
                }
                error = next;
            }
        }
    }
    Err(repair.found)
}

/// Rules between the members of one object: their violation may be about a stand-in beside it.
const BETWEEN_MEMBERS: [&str; 7] = [
    "x-compare",
    "dependentRequired",
    "if-then",
    "if-else",
    "anyOf",
    "minProperties",
    "maxProperties",
];

/// Whether a violation is about a stand-in: at or below one, or a rule between members of the object holding
/// one that names it (`current_price <= sku_price` says nothing when `sku_price` was not a number).
fn about_stand_ins(violation: &Violation, stand_ins: &[StandIn]) -> bool {
    let repeated = repeated_item(violation);
    stand_ins.iter().any(|stand_in| {
        if within(&violation.pointer, &stand_in.pointer) {
            return true;
        }
        // `uniqueItems` reports a repeat at the later item: it is about a stand-in when the earlier one is.
        if repeated
            .as_deref()
            .is_some_and(|earlier| within(earlier, &stand_in.pointer))
        {
            return true;
        }
        let Some((object, member)) = stand_in.pointer.rsplit_once('/') else {
            return false;
        };
        let in_object = violation.pointer == object
            || violation.pointer.rsplit_once('/').map(|(parent, _)| parent) == Some(object);
        in_object
            && BETWEEN_MEMBERS.contains(&violation.rule)
            && names(&violation.message, &unescape(member))
    })
}

/// The pointer of the earlier item a `uniqueItems` violation says its item repeats (`repeats item 0`).
fn repeated_item(violation: &Violation) -> Option<String> {
    if violation.rule != "uniqueItems" {
        return None;
    }
    let index: usize = violation
        .message
        .strip_prefix("repeats item ")?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let (array, _) = violation.pointer.rsplit_once('/')?;
    Some(format!("{array}/{index}"))
}

/// Whether `message` names `member` as a word (`sku_price (10)`, `` `sku_price` ``), not inside another name.
fn names(message: &str, member: &str) -> bool {
    message.match_indices(member).any(|(at, _)| {
        let before = message[..at].chars().next_back();
        let after = message[at + member.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

fn violations_of<T: Validate>(value: &T, prefix: &str) -> Vec<Violation> {
    let mut v = Validator::with_prefix(prefix);
    value.validate_into(&mut v);
    v.into_violations()
}

/// Whether `pointer` is `at` or below it.
fn within(pointer: &str, at: &str) -> bool {
    pointer == at
        || pointer
            .strip_prefix(at)
            .is_some_and(|rest| rest.starts_with('/'))
}

struct Repair<'a> {
    value: Value,
    prefix: &'a str,
    found: Vec<Violation>,
    stand_ins: Vec<StandIn>,
}

/// A value replaced at `pointer`, and which candidate it holds now.
struct StandIn {
    pointer: String,
    /// The values still to try, in order: those an error suggests (an enum's first value) first, then
    /// [`STAND_INS`].
    candidates: std::collections::VecDeque<Value>,
}

impl Repair<'_> {
    /// Replaces what `error` is about; `false` when nothing more can be tried.
    fn stand_in(&mut self, error: &Violation) -> bool {
        if error.rule == "json" {
            return false;
        }
        // An unknown union tag (reported at the tag, `wire::unknown_tag`): stand in for the whole union, not
        // for its tag. A union chosen by validation reports at itself.
        let pointer = if error.rule == "oneOf" && error.message.contains(" is not a kind of ") {
            error
                .pointer
                .rsplit_once('/')
                .map_or("", |(parent, _)| parent)
                .to_owned()
        } else {
            error.pointer.clone()
        };
        if error.rule == "additionalProperties" {
            return self.remove(&pointer);
        }
        let index = match self
            .stand_ins
            .iter()
            .position(|s| within(&pointer, &s.pointer))
        {
            Some(index) => {
                // The last candidate did not fit; the error may say what would (an enum's values).
                for hint in hints(error) {
                    self.stand_ins[index].candidates.push_front(hint);
                }
                index
            }
            None => {
                let mut candidates: std::collections::VecDeque<Value> = hints(error).into();
                candidates.extend(STAND_INS.iter().map(|make| make()));
                self.stand_ins.push(StandIn {
                    pointer: pointer.clone(),
                    candidates,
                });
                self.stand_ins.len() - 1
            }
        };
        let stand_in = &mut self.stand_ins[index];
        let Some(candidate) = stand_in.candidates.pop_front() else {
            return false;
        };
        let at = stand_in.pointer.clone();
        self.put(&at, candidate)
    }

    /// The relative pointer of `pointer` inside the value.
    fn relative<'p>(&self, pointer: &'p str) -> Option<&'p str> {
        pointer.strip_prefix(self.prefix)
    }

    fn remove(&mut self, pointer: &str) -> bool {
        let Some((parent, member)) = self.relative(pointer).and_then(|p| p.rsplit_once('/')) else {
            return false;
        };
        let member = unescape(member);
        match self.value.pointer_mut(parent) {
            Some(Value::Object(members)) => members.remove(&member).is_some(),
            _ => false,
        }
    }

    /// Sets the value at `pointer` (adding the member when it is missing).
    fn put(&mut self, pointer: &str, candidate: Value) -> bool {
        let Some(relative) = self.relative(pointer) else {
            return false;
        };
        if relative.is_empty() {
            return false;
        }
        if let Some(slot) = self.value.pointer_mut(relative) {
            *slot = candidate;
            return true;
        }
        let Some((parent, member)) = relative.rsplit_once('/') else {
            return false;
        };
        match self.value.pointer_mut(parent) {
            Some(Value::Object(members)) => {
                members.insert(unescape(member), candidate);
                true
            }
            _ => false,
        }
    }
}

/// Values the error itself suggests: the first of the values an enum or union lists.
fn hints(error: &Violation) -> Vec<Value> {
    let Some((_, listed)) = error
        .message
        .split_once("expected one of ")
        .or_else(|| error.message.split_once("must be one of "))
    else {
        return Vec::new();
    };
    let first = listed.split(", ").next().unwrap_or_default().trim();
    match serde_json::from_str::<Value>(first) {
        Ok(value) => vec![value],
        Err(_) => vec![Value::from(first)],
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields, remote = "Self")]
    #[allow(dead_code)]
    struct Row {
        id: String,
        count: i64,
        note: Option<String>,
        tags: Vec<String>,
    }

    crate::runtime::json_object!(Row);

    impl Validate for Row {
        fn validate_into(&self, v: &mut Validator) {
            v.at("id", |v| v.min_length(&self.id, 2));
            v.at("count", |v| v.minimum(self.count, 0));
        }
    }

    fn found(value: Value) -> Vec<(String, &'static str)> {
        parse_and_validate::<Row>(&value, "/rows/4")
            .unwrap_err()
            .into_iter()
            .map(|v| (v.pointer, v.rule))
            .collect()
    }

    #[test]
    fn every_type_error_and_the_remaining_validation_are_reported() {
        let value =
            serde_json::json!({"id": 7, "count": -1, "note": 5, "tags": ["a", 1, "b", false]});
        assert_eq!(
            found(value),
            [
                ("/rows/4/id".to_owned(), "type"),
                ("/rows/4/note".to_owned(), "type"),
                ("/rows/4/tags/1".to_owned(), "type"),
                ("/rows/4/tags/3".to_owned(), "type"),
                ("/rows/4/count".to_owned(), "minimum"),
            ],
            "the stand-in for `id` is not validated; `count`, a real value, is"
        );
    }

    #[test]
    fn a_valid_value_parses_and_text_that_is_not_an_object_stops_at_once() {
        let valid = serde_json::json!({"id": "ab", "count": 1, "tags": []});
        assert!(parse_and_validate::<Row>(&valid, "").is_ok());
        assert_eq!(
            found(serde_json::json!([1, 2])),
            [("/rows/4".to_owned(), "type")]
        );
    }
}
