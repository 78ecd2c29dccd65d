//! The keywords whose meaning is ours, registered with jsonschema so that a residual check judges a value as
//! the typed checks do: the `x-` keywords, `format` (exactly the formats [`Format`] claims assert, with its
//! verdicts), `multipleOf` (exact, where jsonschema divides binary floats) and `dependentRequired` (whose
//! message names the member that requires the missing one, as the typed check's does).

use jsonschema::paths::{LazyLocation, Location};
use jsonschema::{Keyword, ValidationError, ValidationOptions};
use serde_json::{Map, Value};

use super::number::Exact;
use crate::runtime::excerpt;
use crate::runtime::format::Format;
use crate::runtime::validate::Comparison;

/// What a keyword's factory gives jsonschema: the keyword, or why its value is not one.
type Built<'a> = Result<Box<dyn Keyword>, ValidationError<'a>>;

/// `options` with every keyword of ours.
pub(super) fn register(options: ValidationOptions) -> ValidationOptions {
    options
        .with_keyword("format", format)
        .with_keyword("multipleOf", multiple_of)
        .with_keyword("x-minBytes", |_: &Map<String, Value>, value, path| {
            bytes(value, path, Bound::AtLeast)
        })
        .with_keyword("x-maxBytes", |_: &Map<String, Value>, value, path| {
            bytes(value, path, Bound::AtMost)
        })
        .with_keyword("x-decimalPlaces", decimal_places)
        .with_keyword("x-compare", compare)
        .with_keyword("dependentRequired", dependent_required)
}

/// A keyword value that is not what the keyword takes: the check does not compile.
fn malformed<'a>(value: &'a Value, path: Location, expected: &str) -> ValidationError<'a> {
    let keyword = path
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    ValidationError::custom(
        Location::new(),
        path,
        value,
        format!("`{keyword}` must be {expected}"),
    )
}

/// A violation of one of our keywords, at the value (`location`) and the keyword (`path`).
fn violation<'i>(
    path: &Location,
    location: &LazyLocation,
    instance: &'i Value,
    message: String,
) -> ValidationError<'i> {
    ValidationError::custom(path.clone(), location.into(), instance, message)
}

/// `format`: a format [`Format`] claims is checked by it; any other format is an annotation (2020-12's
/// default), so a residual check and a typed check never disagree.
fn format<'a>(_: &'a Map<String, Value>, value: &'a Value, path: Location) -> Built<'a> {
    let Some(name) = value.as_str() else {
        return Err(malformed(value, path, "a string"));
    };
    Ok(match Format::from_name(name) {
        Some(format) => Box::new(StringFormat { format, path }),
        None => Box::new(Annotation),
    })
}

/// A keyword that asserts nothing.
struct Annotation;

impl Keyword for Annotation {
    fn validate<'i>(&self, _: &'i Value, _: &LazyLocation) -> Result<(), ValidationError<'i>> {
        Ok(())
    }

    fn is_valid(&self, _: &Value) -> bool {
        true
    }
}

struct StringFormat {
    format: Format,
    path: Location,
}

impl Keyword for StringFormat {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &LazyLocation,
    ) -> Result<(), ValidationError<'i>> {
        match instance.as_str() {
            Some(text) if !self.format.is_valid(text) => {
                let message = format!("`{}` is not {}", excerpt(text), self.format.expected());
                Err(violation(&self.path, location, instance, message))
            }
            _ => Ok(()),
        }
    }

    fn is_valid(&self, instance: &Value) -> bool {
        instance
            .as_str()
            .is_none_or(|text| self.format.is_valid(text))
    }
}

/// `multipleOf`, exactly: 0.35 is a multiple of 0.05 (a float says 6.999…), as in the typed checks.
fn multiple_of<'a>(_: &'a Map<String, Value>, value: &'a Value, path: Location) -> Built<'a> {
    let divisor = match value {
        Value::Number(number) => Exact::of(number).filter(|d| *d > Exact::zero()),
        _ => None,
    };
    match (divisor, value.as_f64()) {
        (Some(exact), Some(float)) => Ok(Box::new(MultipleOf {
            exact,
            float,
            text: value.to_string(),
            path,
        })),
        _ => Err(malformed(value, path, "a number greater than 0")),
    }
}

struct MultipleOf {
    exact: Exact,
    /// For a divisor of 38 digits and more, where the exact division is not done: jsonschema's own test.
    float: f64,
    text: String,
    path: Location,
}

impl MultipleOf {
    fn holds(&self, value: &serde_json::Number) -> bool {
        let exact = Exact::of(value).and_then(|v| v.is_multiple_of(&self.exact));
        exact.unwrap_or_else(|| {
            let quotient = value.as_f64().unwrap_or(f64::NAN) / self.float;
            quotient.is_finite() && quotient.fract() == 0.0
        })
    }
}

impl Keyword for MultipleOf {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &LazyLocation,
    ) -> Result<(), ValidationError<'i>> {
        match instance {
            Value::Number(number) if !self.holds(number) => {
                let message = format!("must be a multiple of {}, is {number}", self.text);
                Err(violation(&self.path, location, instance, message))
            }
            _ => Ok(()),
        }
    }

    fn is_valid(&self, instance: &Value) -> bool {
        match instance {
            Value::Number(number) => self.holds(number),
            _ => true,
        }
    }
}

#[derive(Clone, Copy)]
enum Bound {
    AtLeast,
    AtMost,
}

/// `x-minBytes` / `x-maxBytes`: a string's length in UTF-8 bytes.
fn bytes(value: &Value, path: Location, bound: Bound) -> Built<'_> {
    match value.as_u64() {
        Some(limit) => Ok(Box::new(Bytes { limit, bound, path })),
        None => Err(malformed(value, path, "a non-negative integer")),
    }
}

struct Bytes {
    limit: u64,
    bound: Bound,
    path: Location,
}

impl Bytes {
    fn holds(&self, text: &str) -> bool {
        let len = text.len() as u64;
        match self.bound {
            Bound::AtLeast => len >= self.limit,
            Bound::AtMost => len <= self.limit,
        }
    }
}

impl Keyword for Bytes {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &LazyLocation,
    ) -> Result<(), ValidationError<'i>> {
        let Some(text) = instance.as_str().filter(|text| !self.holds(text)) else {
            return Ok(());
        };
        let (limit, len) = (self.limit, text.len());
        // The typed checks' words (Validator::min_bytes, max_bytes).
        let message = match self.bound {
            Bound::AtLeast => format!("must be at least {limit} UTF-8 byte(s), is {len}"),
            Bound::AtMost => format!("must be at most {limit} UTF-8 bytes, is {len}"),
        };
        Err(violation(&self.path, location, instance, message))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        instance.as_str().is_none_or(|text| self.holds(text))
    }
}

/// `x-decimalPlaces`: at most this many digits after the point, counted on the number's text.
fn decimal_places<'a>(_: &'a Map<String, Value>, value: &'a Value, path: Location) -> Built<'a> {
    match value.as_u64() {
        Some(max) => Ok(Box::new(DecimalPlaces { max, path })),
        None => Err(malformed(value, path, "a non-negative integer")),
    }
}

struct DecimalPlaces {
    max: u64,
    path: Location,
}

impl DecimalPlaces {
    /// The places of a number that has too many; a text that is not a number counts as too many.
    fn excess(&self, number: &serde_json::Number) -> Option<Option<u64>> {
        match Exact::of(number).map(|exact| exact.decimal_places()) {
            Some(places) if places <= self.max => None,
            places => Some(places),
        }
    }
}

impl Keyword for DecimalPlaces {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &LazyLocation,
    ) -> Result<(), ValidationError<'i>> {
        let Value::Number(number) = instance else {
            return Ok(());
        };
        let Some(places) = self.excess(number) else {
            return Ok(());
        };
        let max = self.max;
        let message = match places {
            Some(places) => {
                format!("must have at most {max} decimal place(s), {number} has {places}")
            }
            None => format!("must have at most {max} decimal place(s), {number} is not a decimal"),
        };
        Err(violation(&self.path, location, instance, message))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        match instance {
            Value::Number(number) => self.excess(number).is_none(),
            _ => true,
        }
    }
}

/// `x-compare`: `[{"left": "a", "op": "<=", "right": "b"}, ...]`.
fn compare<'a>(_: &'a Map<String, Value>, value: &'a Value, path: Location) -> Built<'a> {
    let rules = value.as_array().and_then(|rules| {
        rules
            .iter()
            .map(|rule| {
                let member = |name: &str| rule.get(name).and_then(Value::as_str);
                Some(CompareRule {
                    left: member("left")?.to_owned(),
                    op: Comparison::from_symbol(member("op")?)?,
                    right: member("right")?.to_owned(),
                })
            })
            .collect::<Option<Vec<_>>>()
    });
    match rules {
        Some(rules) => Ok(Box::new(Compare { rules, path })),
        None => Err(malformed(
            value,
            path,
            "an array of {\"left\", \"op\", \"right\"} with op one of <, <=, ==, >=, >",
        )),
    }
}

struct CompareRule {
    left: String,
    op: Comparison,
    right: String,
}

struct Compare {
    rules: Vec<CompareRule>,
    path: Location,
}

impl CompareRule {
    /// The message when both members are numbers and the comparison fails; `None` when it holds or does
    /// not apply (a member absent or not a number).
    fn broken(&self, object: &Map<String, Value>) -> Option<String> {
        let (Some(Value::Number(left)), Some(Value::Number(right))) =
            (object.get(&self.left), object.get(&self.right))
        else {
            return None;
        };
        let holds = match (Exact::of(left), Exact::of(right)) {
            (Some(l), Some(r)) => self.op.holds(&l, &r),
            _ => false,
        };
        let (symbol, left_name, right_name) = (self.op.symbol(), &self.left, &self.right);
        // The typed check's words (Validator::compare).
        (!holds).then(|| format!("{left_name} ({left}) must be {symbol} {right_name} ({right})"))
    }
}

/// Failures reported at members of the checked object (`x-compare`, `dependentRequired`), carried in one
/// error's message (a keyword of jsonschema reports one error) as JSON pairs of the member and the message;
/// [`at_members`] reads them back.
fn at_members(failures: &[(&str, String)]) -> String {
    serde_json::to_string(failures).unwrap_or_default()
}

/// The failures [`at_members`] wrote, or `None` for a message it did not write.
pub(super) fn read_at_members(message: &str) -> Option<Vec<(String, String)>> {
    serde_json::from_str(message).ok()
}

impl Keyword for Compare {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &LazyLocation,
    ) -> Result<(), ValidationError<'i>> {
        let Value::Object(object) = instance else {
            return Ok(());
        };
        let failures: Vec<(&str, String)> = self
            .rules
            .iter()
            .filter_map(|rule| Some((rule.left.as_str(), rule.broken(object)?)))
            .collect();
        if failures.is_empty() {
            return Ok(());
        }
        Err(violation(
            &self.path,
            location,
            instance,
            at_members(&failures),
        ))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        match instance {
            Value::Object(object) => self.rules.iter().all(|rule| rule.broken(object).is_none()),
            _ => true,
        }
    }
}

/// `dependentRequired`: `{"a": ["b", "c"]}`, when `a` is present so are `b` and `c`.
fn dependent_required<'a>(
    _: &'a Map<String, Value>,
    value: &'a Value,
    path: Location,
) -> Built<'a> {
    let strings = |members: &Value| -> Option<Vec<String>> {
        members
            .as_array()?
            .iter()
            .map(|member| member.as_str().map(str::to_owned))
            .collect()
    };
    let dependencies = value.as_object().and_then(|object| {
        object
            .iter()
            .map(|(when, members)| Some((when.clone(), strings(members)?)))
            .collect::<Option<Vec<_>>>()
    });
    match dependencies {
        Some(dependencies) => Ok(Box::new(DependentRequired { dependencies, path })),
        None => Err(malformed(
            value,
            path,
            "an object of arrays of member names",
        )),
    }
}

struct DependentRequired {
    /// Each member, and the members its presence requires.
    dependencies: Vec<(String, Vec<String>)>,
    path: Location,
}

impl DependentRequired {
    /// Each `(missing, present)` pair.
    fn missing<'s>(
        &'s self,
        object: &'s Map<String, Value>,
    ) -> impl Iterator<Item = (&'s str, &'s str)> + 's {
        self.dependencies
            .iter()
            .filter(|(when, _)| object.contains_key(when))
            .flat_map(move |(when, members)| {
                members
                    .iter()
                    .filter(|member| !object.contains_key(*member))
                    .map(move |member| (member.as_str(), when.as_str()))
            })
    }
}

impl Keyword for DependentRequired {
    fn validate<'i>(
        &self,
        instance: &'i Value,
        location: &LazyLocation,
    ) -> Result<(), ValidationError<'i>> {
        let Value::Object(object) = instance else {
            return Ok(());
        };
        // The typed check's words.
        let failures: Vec<(&str, String)> = self
            .missing(object)
            .map(|(member, when)| {
                (
                    member,
                    format!("`{member}` is required when `{when}` is present"),
                )
            })
            .collect();
        if failures.is_empty() {
            return Ok(());
        }
        Err(violation(
            &self.path,
            location,
            instance,
            at_members(&failures),
        ))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        match instance {
            Value::Object(object) => self.missing(object).next().is_none(),
            _ => true,
        }
    }
}
