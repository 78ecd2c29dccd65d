//! The `jsonschema` crate's verdicts: a plain validator, to tell whether a verdict of ours that differs from
//! what a test expects is ours to fix.
//!
//! Configured as salesync judges: draft 2020-12; the ten formats salesync claims are assertions, every other
//! format jsonschema knows is an annotation; remote documents are served from memory by their URI, so
//! nothing ever reaches the network.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use jsonschema::{Draft, Registry, Resource, Retrieve, Uri, Validator};
use serde_json::Value;

/// The formats salesync validates (schemas/README.md, "Formats").
pub const CLAIMED_FORMATS: [&str; 10] = [
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

/// The formats jsonschema 0.33 validates that salesync does not claim: annotations here, as salesync treats
/// them (any other format is an annotation to both already).
pub const OTHER_FORMATS: [&str; 9] = [
    "duration",
    "idn-email",
    "idn-hostname",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "uri-template",
];

/// jsonschema configured as above, with remote documents.
#[derive(Clone)]
pub struct Reference {
    /// URI (no fragment) -> document.
    remotes: Arc<BTreeMap<String, Value>>,
    /// The remote documents as resources, processed once (per schema, that takes jsonschema 30 times longer
    /// than the validation itself); or why they cannot be.
    registry: Result<Registry, String>,
    /// `multipleOf`, `const` and `type` checked on the numbers' decimal value ([`exact_multiple`],
    /// [`exact_equal`], [`has_type`]) instead of jsonschema's own checks, which divide the binary doubles
    /// (0.3 is no multiple of 0.1 there), refuse every value below a fractional divisor (-4.5 is no multiple
    /// of 1.5 there), compare a numeric `const` as doubles within `f64::EPSILON` (9007199254740993 is
    /// 9007199254740992 there) and, in a `type` list, take no whole double (`3.0`) for an integer.
    exact_numbers: bool,
    /// Keywords of the caller's, checked besides the standard ones (a test's own notion of a keyword).
    keywords: Vec<(&'static str, KeywordFactory)>,
}

/// Builds the check of a caller's keyword from the schema object holding it and the keyword's value.
pub type KeywordFactory =
    for<'a> fn(
        &'a serde_json::Map<String, Value>,
        &'a Value,
        jsonschema::paths::Location,
    ) -> Result<Box<dyn jsonschema::Keyword>, jsonschema::ValidationError<'a>>;

impl Reference {
    /// `remotes`: the documents references may name, by the URI they are retrieved at.
    pub fn new(remotes: impl IntoIterator<Item = (String, Value)>) -> Reference {
        let remotes: Arc<BTreeMap<String, Value>> = Arc::new(remotes.into_iter().collect());
        let resources = remotes.iter().map(|(uri, document)| {
            let resource = Resource::from_contents(document.clone())
                .unwrap_or_else(|_| Draft::Draft202012.create_resource(document.clone()));
            (uri.clone(), resource)
        });
        let registry = Registry::options()
            .draft(Draft::Draft202012)
            .retriever(Remotes(Arc::clone(&remotes)))
            .build(resources)
            .map_err(|err| format!("jsonschema refuses the remote documents: {err}"));
        Reference {
            remotes,
            registry,
            exact_numbers: false,
            keywords: Vec::new(),
        }
    }

    /// The same validator, with the keyword `name` checked by what `factory` builds.
    pub fn with_keyword(mut self, name: &'static str, factory: KeywordFactory) -> Reference {
        self.keywords.push((name, factory));
        self
    }

    /// The same validator with `multipleOf`, `const` and `type` checked exactly on the numbers' values
    /// (see [`exact_multiple`], [`exact_equal`], [`has_type`]).
    pub fn with_exact_numbers(mut self) -> Reference {
        self.exact_numbers = true;
        self
    }

    /// The validator of `schema`, or why jsonschema refuses it (a panic included).
    pub fn validator(&self, schema: &Value) -> Result<Validator, String> {
        let mut options = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(self.registry.clone()?)
            .with_retriever(Remotes(Arc::clone(&self.remotes)));
        for format in OTHER_FORMATS {
            options = options.with_format(format, |_: &str| true);
        }
        if self.exact_numbers {
            options = options
                .with_keyword("multipleOf", exact_multiple_of)
                .with_keyword("const", exact_const)
                .with_keyword("type", exact_type);
        }
        for (name, factory) in &self.keywords {
            options = options.with_keyword(*name, *factory);
        }
        let build = || {
            options
                .build(schema)
                .map_err(|err| format!("jsonschema refuses the schema: {err}"))
        };
        catch_unwind(AssertUnwindSafe(build))
            .unwrap_or_else(|_| Err("jsonschema panicked building the schema".into()))
    }

    /// Whether each instance is valid, or why there is no verdict.
    pub fn verdicts(&self, schema: &Value, instances: &[Value]) -> Vec<Result<bool, String>> {
        match self.validator(schema) {
            Ok(validator) => instances
                .iter()
                .map(|instance| {
                    catch_unwind(AssertUnwindSafe(|| validator.is_valid(instance)))
                        .map_err(|_| "jsonschema panicked validating the instance".to_owned())
                })
                .collect(),
            Err(why) => vec![Err(why); instances.len()],
        }
    }
}

/// Serves the remote documents; any other URI is an error, never a download.
struct Remotes(Arc<BTreeMap<String, Value>>);

impl Retrieve for Remotes {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str().split('#').next().unwrap_or_default();
        self.0.get(wanted).cloned().ok_or_else(|| {
            format!("{wanted}: not a document of the test (tests stay offline)").into()
        })
    }
}

/// The factory of the exact `multipleOf` keyword.
// The signature `with_keyword` takes: its error type is jsonschema's.
#[allow(clippy::result_large_err)]
fn exact_multiple_of<'a>(
    _: &'a serde_json::Map<String, Value>,
    value: &'a Value,
    path: jsonschema::paths::Location,
) -> Result<Box<dyn jsonschema::Keyword>, jsonschema::ValidationError<'a>> {
    match value {
        Value::Number(divisor) if divisor.as_f64().is_some_and(|d| d > 0.0) => {
            Ok(Box::new(ExactMultipleOf(divisor.clone())))
        }
        _ => Err(jsonschema::ValidationError::custom(
            path,
            jsonschema::paths::Location::new(),
            value,
            "multipleOf must be a number above 0",
        )),
    }
}

/// `multipleOf` on the decimal text of the numbers.
struct ExactMultipleOf(serde_json::Number);

impl jsonschema::Keyword for ExactMultipleOf {
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
            format!("not a multiple of {}", self.0),
        ))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        match instance {
            Value::Number(value) => exact_multiple(value, &self.0),
            _ => true,
        }
    }
}

/// The factory of the exact `type` keyword.
// The signature `with_keyword` takes: its error type is jsonschema's.
#[allow(clippy::result_large_err)]
fn exact_type<'a>(
    _: &'a serde_json::Map<String, Value>,
    value: &'a Value,
    path: jsonschema::paths::Location,
) -> Result<Box<dyn jsonschema::Keyword>, jsonschema::ValidationError<'a>> {
    let names: Vec<String> = match value {
        Value::String(name) => vec![name.clone()],
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    if names.is_empty() {
        return Err(jsonschema::ValidationError::custom(
            path,
            jsonschema::paths::Location::new(),
            value,
            "type must name types",
        ));
    }
    Ok(Box::new(ExactType(names)))
}

/// `type`, an integer being any number without a fraction (`3.0` too).
struct ExactType(Vec<String>);

impl jsonschema::Keyword for ExactType {
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
            format!("must be of type {:?}", self.0),
        ))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        self.0.iter().any(|name| has_type(instance, name))
    }
}

/// Whether `value` is of the JSON Schema type `name` (an integer is a number with no fraction).
pub fn has_type(value: &Value, name: &str) -> bool {
    match (value, name) {
        (Value::Null, "null")
        | (Value::Bool(_), "boolean")
        | (Value::String(_), "string")
        | (Value::Array(_), "array")
        | (Value::Object(_), "object")
        | (Value::Number(_), "number") => true,
        (Value::Number(n), "integer") => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// The factory of the exact `const` keyword.
// The signature `with_keyword` takes: its error type is jsonschema's.
#[allow(clippy::result_large_err)]
fn exact_const<'a>(
    _: &'a serde_json::Map<String, Value>,
    value: &'a Value,
    _: jsonschema::paths::Location,
) -> Result<Box<dyn jsonschema::Keyword>, jsonschema::ValidationError<'a>> {
    Ok(Box::new(ExactConst(value.clone())))
}

/// `const` with numbers compared on their decimal text.
struct ExactConst(Value);

impl jsonschema::Keyword for ExactConst {
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
            format!("must be {}", self.0),
        ))
    }

    fn is_valid(&self, instance: &Value) -> bool {
        exact_equal(&self.0, instance)
    }
}

/// JSON Schema's equality with numbers compared by their decimal value (`1` is `1.0`; 9007199254740993
/// is not 9007199254740992).
pub fn exact_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => match (decimal(a), decimal(b)) {
            (Some(a), Some(b)) => a == b || (a.0 == 0 && b.0 == 0),
            _ => false,
        },
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| exact_equal(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(name, value)| b.get(name).is_some_and(|other| exact_equal(value, other)))
        }
        _ => a == b,
    }
}

/// Whether `value` is `divisor` times an integer, on the numbers' shortest decimal text (what a JSON
/// document spells, as a person reads it): `0.3` is 3 times `0.1`, `-4.5` is -3 times `1.5`.
pub fn exact_multiple(value: &serde_json::Number, divisor: &serde_json::Number) -> bool {
    let (Some((v, v_scale)), Some((d, d_scale))) = (decimal(value), decimal(divisor)) else {
        return false;
    };
    if v == 0 {
        return true;
    }
    if d == 0 || v_scale > d_scale {
        // Normalized, `value` has digits below the divisor's last one: no multiple.
        return false;
    }
    // value / divisor = v * 10^(d_scale - v_scale) / d: an integer when d divides the numerator.
    let d = d.unsigned_abs();
    let mut power = 1 % d;
    for _ in 0..(d_scale - v_scale) {
        power = power * 10 % d;
    }
    (v.unsigned_abs() % d) * power % d == 0
}

/// `a` compared with `b` by their decimal values; `None` when either does not fit an i128 mantissa at a
/// common scale.
pub fn compare_numbers(
    a: &serde_json::Number,
    b: &serde_json::Number,
) -> Option<std::cmp::Ordering> {
    let ((a, a_scale), (b, b_scale)) = (decimal(a)?, decimal(b)?);
    let scale = a_scale.max(b_scale);
    let widen = |m: i128, s: i64| -> Option<i128> {
        10i128
            .checked_pow(u32::try_from(scale - s).ok()?)
            .and_then(|p| m.checked_mul(p))
    };
    Some(widen(a, a_scale)?.cmp(&widen(b, b_scale)?))
}

/// `n` as `mantissa * 10^-scale` with no trailing zero in the mantissa (the scale may be negative), from
/// its shortest text; `None` when it does not fit.
fn decimal(n: &serde_json::Number) -> Option<(i128, i64)> {
    let text = match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => format!("{i}e0"),
        (None, Some(u)) => format!("{u}e0"),
        _ => format!("{:e}", n.as_f64()?),
    };
    let (digits, exponent) = text.split_once('e')?;
    let exponent: i64 = exponent.parse().ok()?;
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
    let mut scale = fraction.len() as i64 - exponent;
    while mantissa != 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    Some((mantissa, scale))
}

#[cfg(test)]
mod tests {
    use super::exact_multiple;
    use serde_json::json;

    #[test]
    fn multiples_are_judged_on_decimals() {
        let multiple = |v: serde_json::Value, d: serde_json::Value| {
            exact_multiple(v.as_number().unwrap(), d.as_number().unwrap())
        };
        assert!(multiple(json!(0.3), json!(0.1)));
        assert!(multiple(json!(-4.5), json!(1.5)));
        assert!(multiple(json!(0.00000037), json!(1e-8)));
        assert!(multiple(json!(1e300), json!(0.5)));
        assert!(multiple(json!(0), json!(0.25)));
        assert!(multiple(json!(12), json!(3)));
        assert!(!multiple(json!(0.35), json!(0.1)));
        assert!(!multiple(json!(1e-9), json!(1e-8)));
        assert!(!multiple(json!(7), json!(2)));
        assert!(!multiple(json!(u64::MAX), json!(2)));
        assert!(multiple(json!(u64::MAX), json!(5)));
    }

    #[test]
    fn equality_is_judged_on_decimals() {
        use super::exact_equal;
        assert!(exact_equal(&json!(1), &json!(1.0)));
        assert!(exact_equal(&json!({"a": [0.5]}), &json!({"a": [0.50]})));
        assert!(exact_equal(&json!(0), &json!(-0.0)));
        assert!(!exact_equal(
            &json!(9_007_199_254_740_992_u64),
            &json!(9_007_199_254_740_993_u64)
        ));
        assert!(!exact_equal(&json!(1), &json!("1")));
    }
}
