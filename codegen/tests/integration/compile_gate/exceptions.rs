//! The deliberate differences between salesync's verdicts and the plain validator's: the one place they are
//! listed, each with the reason and a test of whether it explains a given disagreement. A disagreement none
//! of them explains fails the gate. Each test is narrow: it names the values that make the difference and
//! checks that they, and nothing else, are what the verdicts differ on.

use serde_json::{Map, Number, Value};

use crate::harness::reference::{compare_numbers, exact_multiple};
use crate::harness::Verdict;

/// Which body a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `check_body` of the request holding the instance.
    Request,
    /// The parse of the response holding the instance (only a reference-valid instance is asserted there).
    Response,
}

/// One disagreement, as the exceptions look at it.
pub struct Disagreement<'a> {
    pub schema: &'a Value,
    pub instance: &'a Value,
    /// The body salesync judged (the instance in its slot).
    pub body: &'a Value,
    pub side: Side,
    pub reference_valid: bool,
    /// jsonschema's verdict with `multipleOf`, `const` and `type` checked on the numbers' values.
    pub exact_reference: Option<bool>,
    /// The same, with salesync's lenient integers bounded (see [`with_lenient_bounds`]).
    pub lenient_reference: Option<bool>,
    /// The lenient reference's verdict on another instance of the same schema.
    pub reference: &'a dyn Fn(&Value) -> Option<bool>,
    pub ours: &'a Verdict,
}

/// A deliberate difference.
pub struct Exception {
    pub name: &'static str,
    pub reason: &'static str,
    explains: fn(&Disagreement<'_>) -> bool,
}

/// Every deliberate difference (README.md and schemas/README.md say each of them), tried in this order.
pub const EXCEPTIONS: &[Exception] = &[
    Exception {
        name: "jsonschema-numbers",
        reason: "jsonschema 0.33 gets numbers wrong where salesync compares their decimal values exactly \
                 (schemas/README.md, multipleOf): a fractional multipleOf is checked on the binary doubles \
                 (0.3 / 0.1 is no integer there) and refuses every value below the divisor (-4.5 is no \
                 multiple of 1.5; src/ext/numeric.rs), a numeric const is equal within f64::EPSILON \
                 (9007199254740993 is 9007199254740992; src/keywords/const_.rs), and a `type` list takes no \
                 whole double (`3.0`, `-0.0`) for an `integer` (src/types.rs, contains_value_type). \
                 Explains a disagreement where jsonschema with multipleOf, const and type checked on the \
                 numbers' values agrees with salesync",
        explains: |d| agrees(d, d.exact_reference),
    },
    Exception {
        name: "lenient-integer-bounds",
        reason: "`[\"integer\", \"string\"]` with pattern `^[0-9]+$` is salesync's lenient integer: the \
                 bounds and multipleOf apply to the integer a digit string spells (`\"1068\"` breaks \
                 `maximum: 1000`), which JSON Schema, bounding numbers only, lets through \
                 (schemas/README.md, the vocabulary). Explains a disagreement where jsonschema, with those \
                 bounds checked on digit strings too (and numbers as above), agrees with salesync",
        explains: |d| agrees(d, d.lenient_reference),
    },
    Exception {
        name: "lenient-integer-is-an-integer",
        reason: "a lenient integer (`[\"integer\", \"string\"]` with pattern `^[0-9]+$`) reads a digit \
                 string as the integer it spells and sends it as a number, and the compiled schema checks \
                 the object's other keywords (`not`, `dependentSchemas`, `allOf`, ...) on that typed value \
                 (schemas/README.md, the vocabulary): `\"653\"` is 653 to them. Explains salesync \
                 accepting a body whose digit strings, at members declared lenient, read as numbers, \
                 jsonschema accepts",
        explains: lenient_is_integer,
    },
    Exception {
        name: "number-out-of-range",
        reason: "a typed member holds an i64 or an exact decimal of at most 18 places with an i64 \
                 mantissa (`Decimal`): a JSON integer beyond i64 (9223372036854775808, u64::MAX, 1e20) or \
                 a number beyond that decimal (1e300, 1e-20) is refused there, and so is a string of \
                 digits beyond i64 where a lenient integer reads it, though JSON Schema has no limit. \
                 Explains salesync refusing, or a response failing to parse, only at values that \
                 hold such a number",
        explains: number_out_of_range,
    },
    Exception {
        name: "null-is-absent",
        reason: "a request's `null` for an optional member is read as the member left out (docs/models.md, \
                 \"Requests are strict ...\"); JSON Schema calls it a value of the wrong type. Explains a \
                 body salesync accepts when the instance without some of its `null` members (of names the \
                 schema declares) passes jsonschema",
        explains: null_is_absent,
    },
];

/// The exception that explains `disagreement`, if one does.
pub fn explained(disagreement: &Disagreement<'_>) -> Option<&'static Exception> {
    EXCEPTIONS.iter().find(|e| (e.explains)(disagreement))
}

/// Whether, on a request, another reference's verdict is salesync's.
fn agrees(d: &Disagreement<'_>, other: Option<bool>) -> bool {
    d.side == Side::Request && other.is_some() && other == d.ours.valid()
}

fn ours_valid(d: &Disagreement<'_>) -> Option<bool> {
    d.ours.valid()
}

/// Salesync accepts; jsonschema refuses the instance, and accepts it once some of its `null` members whose
/// names the schema declares are left out.
fn null_is_absent(d: &Disagreement<'_>) -> bool {
    if d.side != Side::Request || d.reference_valid || ours_valid(d) != Some(true) {
        return false;
    }
    let mut declared = Vec::new();
    declared_members(d.schema, &mut declared);
    let mut nulls = Vec::new();
    null_members(d.instance, String::new(), &declared, &mut nulls);
    // Every subset of up to 64 (the first six null members'); a required `null` member must stay.
    let tried = nulls.len().min(6);
    (1..1u32 << tried).any(|subset| {
        let mut without = d.instance.clone();
        let chosen = (0..tried).filter(|bit| subset & (1 << bit) != 0);
        // Deepest first, so that removing one leaves the others' pointers as they were.
        for (parent, name) in chosen.rev().map(|bit| &nulls[bit]) {
            if let Some(Value::Object(members)) = without.pointer_mut(parent) {
                members.remove(name);
            }
        }
        (d.reference)(&without) == Some(true)
    })
}

/// `(pointer of the object, member name)` of every `null` member named in `declared`, in document order.
fn null_members(value: &Value, at: String, declared: &[String], out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                if member.is_null() && declared.contains(name) {
                    out.push((at.clone(), name.clone()));
                }
                let escaped = name.replace('~', "~0").replace('/', "~1");
                null_members(member, format!("{at}/{escaped}"), declared, out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                null_members(item, format!("{at}/{index}"), declared, out);
            }
        }
        _ => {}
    }
}

/// Every member name some `properties` of `schema` declares.
fn declared_members(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(members) => {
            if let Some(Value::Object(properties)) = members.get("properties") {
                out.extend(properties.keys().cloned());
            }
            members.values().for_each(|v| declared_members(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| declared_members(v, out)),
        _ => {}
    }
}

/// jsonschema accepts; salesync refuses (or the response does not parse), and every place it names holds a
/// number no typed member holds.
fn number_out_of_range(d: &Disagreement<'_>) -> bool {
    if !d.reference_valid {
        return false;
    }
    let digits = has_lenient_integer(d.schema);
    let out_of_range = |value: &Value| holds_out_of_range(value, digits);
    match (d.side, d.ours) {
        (Side::Response, Verdict::Invalid { .. }) => out_of_range(d.instance),
        (Side::Request, Verdict::Invalid { at, .. }) => {
            !at.is_empty()
                && at
                    .iter()
                    .all(|(pointer, _)| d.body.pointer(pointer).is_some_and(out_of_range))
        }
        _ => false,
    }
}

/// Whether `value` is or contains a number beyond an i64 or an 18-place decimal, or, with `digits`, a
/// string of digits beyond an i64 (what a lenient integer reads).
pub fn holds_out_of_range(value: &Value, digits: bool) -> bool {
    match value {
        Value::Number(n) => !fits(n),
        Value::String(s) if digits && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.trim_start_matches('0').parse::<i64>().is_err()
                && s.trim_start_matches('0').len() > 18
        }
        Value::Array(items) => items.iter().any(|v| holds_out_of_range(v, digits)),
        Value::Object(members) => members.values().any(|v| holds_out_of_range(v, digits)),
        _ => false,
    }
}

/// Whether some node of `schema` is a lenient integer.
fn has_lenient_integer(schema: &Value) -> bool {
    match schema {
        Value::Object(node) => is_lenient(node) || node.values().any(has_lenient_integer),
        Value::Array(items) => items.iter().any(has_lenient_integer),
        _ => false,
    }
}

/// Whether a typed member can hold `n`: an i64, or `mantissa * 10^-scale` with an i64 mantissa and a scale
/// of at most 18 (salesync's `Decimal`).
fn fits(n: &Number) -> bool {
    if n.is_i64() {
        return true;
    }
    if n.is_u64() {
        return false;
    }
    let Some(f) = n.as_f64() else {
        return false;
    };
    let text = format!("{f:e}");
    let Some((digits, exponent)) = text.split_once('e') else {
        return false;
    };
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let scale = fraction.len() as i64 - exponent;
    let Ok(significant) = format!("{whole}{fraction}").parse::<i128>() else {
        return false;
    };
    // A whole number carries its zeros in the mantissa; a fraction has at most 18 places.
    let mantissa = match u32::try_from(-scale) {
        Ok(zeros) => 10i128
            .checked_pow(zeros)
            .and_then(|p| significant.checked_mul(p)),
        Err(_) => Some(significant),
    };
    scale <= 18 && mantissa.is_some_and(|m| i64::try_from(m).is_ok())
}

/// The keyword the lenient reference adds to each lenient integer of a schema; its value holds the node's
/// bounds and multipleOf.
pub const LENIENT_KEYWORD: &str = "x-gate-lenient";

/// `schema` with [`LENIENT_KEYWORD`] beside each lenient integer (`["integer", "string"]` with pattern
/// `^[0-9]+$`), so that jsonschema checks a digit string against the bounds as salesync does.
pub fn with_lenient_bounds(schema: &Value) -> Value {
    match schema {
        Value::Object(node) => {
            let mut out: Map<String, Value> = node
                .iter()
                .map(|(k, v)| (k.clone(), with_lenient_bounds(v)))
                .collect();
            if is_lenient(node) {
                let bounds: Map<String, Value> = [
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "exclusiveMaximum",
                    "multipleOf",
                ]
                .into_iter()
                .filter_map(|k| node.get(k).map(|v| (k.to_owned(), v.clone())))
                .collect();
                out.insert(LENIENT_KEYWORD.into(), Value::Object(bounds));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(with_lenient_bounds).collect()),
        other => other.clone(),
    }
}

fn is_lenient(node: &Map<String, Value>) -> bool {
    let types = node.get("type").and_then(Value::as_array);
    let lenient_types = types.is_some_and(|t| {
        t.len() == 2 && t.contains(&Value::from("integer")) && t.contains(&Value::from("string"))
    });
    lenient_types && node.get("pattern") == Some(&Value::from("^[0-9]+$"))
}

/// The factory of [`LENIENT_KEYWORD`], for `Reference::with_keyword`.
// The signature `with_keyword` takes: its error type is jsonschema's.
#[allow(clippy::result_large_err)]
pub fn lenient_bounds<'a>(
    _: &'a Map<String, Value>,
    value: &'a Value,
    _: jsonschema::paths::Location,
) -> Result<Box<dyn jsonschema::Keyword>, jsonschema::ValidationError<'a>> {
    Ok(Box::new(LenientBounds(
        value.as_object().cloned().unwrap_or_default(),
    )))
}

/// The bounds of a lenient integer, applied to the number a digit string spells.
struct LenientBounds(Map<String, Value>);

impl jsonschema::Keyword for LenientBounds {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &jsonschema::paths::LazyLocation,
    ) -> Result<(), jsonschema::ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        Err(jsonschema::ValidationError::custom(
            jsonschema::paths::Location::new(),
            location.into(),
            instance,
            "the digits break a bound",
        ))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        let Some(digits) = instance
            .as_str()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        else {
            return true;
        };
        let trimmed = digits.trim_start_matches('0');
        let Ok(n) = serde_json::from_str::<Number>(if trimmed.is_empty() { "0" } else { trimmed })
        else {
            return true;
        };
        self.0.iter().all(|(keyword, bound)| {
            let Some(bound) = bound.as_number() else {
                return true;
            };
            let order = compare_numbers(&n, bound);
            match keyword.as_str() {
                "minimum" => order.is_some_and(|o| o.is_ge()),
                "maximum" => order.is_some_and(|o| o.is_le()),
                "exclusiveMinimum" => order.is_some_and(|o| o.is_gt()),
                "exclusiveMaximum" => order.is_some_and(|o| o.is_lt()),
                "multipleOf" => exact_multiple(&n, bound),
                _ => true,
            }
        })
    }
}

/// Salesync accepts, jsonschema refuses, and jsonschema accepts the instance with the digit strings of the
/// members the schema declares lenient read as the numbers they spell.
fn lenient_is_integer(d: &Disagreement<'_>) -> bool {
    if d.reference_valid || !matches!(d.ours, Verdict::Valid) {
        return false;
    }
    let mut names = Vec::new();
    lenient_members(d.schema, &mut names);
    if names.is_empty() || !has_digits_at(d.instance, &names) {
        return false;
    }
    (d.reference)(&digits_as_numbers(d.instance, &names)) == Some(true)
}

/// `value` with the digit strings of members named in `names` made numbers.
fn digits_as_numbers(value: &Value, names: &[String]) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(name, v)| {
                    let number = v
                        .as_str()
                        .filter(|_| names.contains(name))
                        .and_then(|s| s.parse::<u64>().ok())
                        .map(Value::from);
                    (
                        name.clone(),
                        number.unwrap_or_else(|| digits_as_numbers(v, names)),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| digits_as_numbers(v, names)).collect())
        }
        other => other.clone(),
    }
}

/// The names `properties` give lenient integers, anywhere in `schema`.
fn lenient_members(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(node) => {
            if let Some(Value::Object(properties)) = node.get("properties") {
                for (name, member) in properties {
                    let lenient = member.get("pattern") == Some(&Value::from("^[0-9]+$"))
                        && member.get("type").is_some_and(Value::is_array);
                    if lenient {
                        out.push(name.clone());
                    }
                }
            }
            node.values().for_each(|v| lenient_members(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| lenient_members(v, out)),
        _ => {}
    }
}

/// Whether a member named in `names` holds a string of digits, anywhere in `value`.
fn has_digits_at(value: &Value, names: &[String]) -> bool {
    let digits = |v: &Value| {
        v.as_str()
            .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
    };
    match value {
        Value::Object(members) => members
            .iter()
            .any(|(name, v)| (names.contains(name) && digits(v)) || has_digits_at(v, names)),
        Value::Array(items) => items.iter().any(|v| has_digits_at(v, names)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::fits;
    use serde_json::json;

    #[test]
    fn typed_members_hold_i64_and_18_place_decimals() {
        let fit = |v: serde_json::Value| fits(v.as_number().unwrap());
        assert!(fit(json!(i64::MAX)));
        assert!(fit(json!(i64::MIN)));
        assert!(fit(json!(1e18)));
        assert!(!fit(json!(9_223_372_036_854_775_808_u64)));
        assert!(fit(json!(0.5)));
        assert!(fit(json!(1e-8)));
        assert!(fit(json!(3.0)));
        assert!(fit(json!(12.345_678_901_234_567)));
        assert!(!fit(json!(1e20)));
        assert!(!fit(json!(1e300)));
        assert!(!fit(json!(1e-20)));
    }
}
