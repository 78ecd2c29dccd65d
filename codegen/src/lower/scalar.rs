//! The checks the validation keywords put on one typed value (a string, a number, a boolean, an array's or a
//! map's size), each as the runtime checks it natively. A keyword whose value the native check cannot hold
//! (a fractional bound on an integer, a pattern with look-around, a `const` of another type) is not an error:
//! it is left to the compiled schema, which is exact.

use serde_json::{Number, Value};

use crate::model::{Bound, Check, Literal, Ty};
use crate::schema::Node;

/// The `format`s the runtime validates on strings (`salesync::runtime::format::Format`); any other is
/// documentation, as JSON Schema says of formats a validator does not know.
pub(crate) const VALIDATED_FORMATS: [&str; 10] = [
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

/// Checks, and the keywords whose checks could not be made natively (with why, for the schema author who
/// asked for exactly that form, e.g. in a `then`).
#[derive(Default)]
pub(crate) struct Checks {
    pub checks: Vec<Check>,
    pub left: Vec<(&'static str, String)>,
}

impl Checks {
    fn add(&mut self, keyword: &'static str, check: Result<Check, String>) {
        match check {
            Ok(check) => self.checks.push(check),
            Err(why) => self.left.push((keyword, why)),
        }
    }
}

/// The checks a node's keywords put on a value of type `ty` (also for the constraints of a `then`).
pub(crate) fn constraint_checks(node: &Node, ty: &Ty) -> Checks {
    let mut found = Checks::default();
    if *ty == Ty::String {
        string_checks(node, &mut found);
    }
    let bounds = [
        (&node.minimum, "minimum"),
        (&node.maximum, "maximum"),
        (&node.exclusive_minimum, "exclusiveMinimum"),
        (&node.exclusive_maximum, "exclusiveMaximum"),
        (&node.multiple_of, "multipleOf"),
    ];
    for (number, keyword) in bounds {
        let Some(number) = number else { continue };
        let check = bound(number, ty).map(|bound| match keyword {
            "minimum" => Check::Minimum(bound),
            "maximum" => Check::Maximum(bound),
            "exclusiveMinimum" => Check::ExclusiveMinimum(bound),
            "exclusiveMaximum" => Check::ExclusiveMaximum(bound),
            _ => Check::MultipleOf(bound),
        });
        found.add(keyword, check);
    }
    if matches!(ty, Ty::Number) {
        if let Some(places) = node.x_decimal_places {
            found.checks.push(Check::DecimalPlaces(places));
        }
    }
    if let Some(value) = &node.constant {
        // `null` is the nullable's business; any other value of another type allows nothing.
        if !value.is_null() {
            found.add("const", literal(value, ty).map(Check::Const));
        }
    }
    if let Some(values) = &node.enumeration {
        // Values of another type can never be equal to this one's: leaving them out changes nothing.
        let literals: Vec<Literal> = values
            .iter()
            .filter(|value| !value.is_null())
            .filter_map(|value| literal(value, ty).ok())
            .collect();
        if literals.is_empty() && values.iter().any(|value| !value.is_null()) {
            found
                .left
                .push(("enum", "no value of `enum` is of this type".into()));
        } else if !literals.is_empty() {
            found.checks.push(Check::Enum(literals));
        }
    }
    found
}

fn string_checks(node: &Node, found: &mut Checks) {
    found.checks.extend(node.min_length.map(Check::MinLength));
    found.checks.extend(node.max_length.map(Check::MaxLength));
    found.checks.extend(node.x_min_bytes.map(Check::MinBytes));
    found.checks.extend(node.x_max_bytes.map(Check::MaxBytes));
    if let Some(pattern) = &node.pattern {
        found.add("pattern", pattern_check(pattern));
    }
    if let Some(format) = node
        .format
        .as_deref()
        .filter(|f| VALIDATED_FORMATS.contains(f))
    {
        found.checks.push(Check::Format(format.to_owned()));
    }
}

/// A pattern, in the Rust spelling of its ECMA-262 syntax, compiled with the engine the runtime matches with
/// (a dense DFA): what compiles here compiles there. Look-around and back-references do not compile to a
/// DFA: such a pattern is left to the compiled schema.
pub(crate) fn pattern_check(pattern: &str) -> Result<Check, String> {
    let rust =
        super::pattern::to_rust(pattern).map_err(|reason| format!("invalid pattern: {reason}"))?;
    match regex_automata::dfa::dense::DFA::new(&rust) {
        Ok(_) => Ok(Check::Pattern {
            source: pattern.to_owned(),
            rust,
        }),
        Err(err) => {
            // The root cause is the syntax error, which draws the pattern and a caret over several lines;
            // its last line says what is wrong.
            let mut cause: &dyn std::error::Error = &err;
            while let Some(source) = cause.source() {
                cause = source;
            }
            let text = cause.to_string();
            let reason = text
                .lines()
                .last()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            Err(format!("invalid pattern: {reason}"))
        }
    }
}

/// A constant typed like the value it is compared with.
pub(crate) fn literal(value: &Value, ty: &Ty) -> Result<Literal, String> {
    let found = match (ty, value) {
        (Ty::String, Value::String(text)) => Some(Literal::String(text.clone())),
        (Ty::Integer { .. }, Value::Number(number)) => whole(number).map(Literal::Integer),
        (Ty::Number, Value::Number(number)) => {
            decimal_parts(number).map(|(mantissa, scale)| Literal::Decimal { mantissa, scale })
        }
        (Ty::Boolean, Value::Bool(flag)) => Some(Literal::Boolean(*flag)),
        _ => None,
    };
    found.ok_or_else(|| format!("`{value}` is not a value of this member's type"))
}

/// An integer written as such or as a whole-number float (`5.0`), as JSON Schema counts it.
pub(crate) fn whole(number: &Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
            .map(|f| f as i64)
    })
}

/// A bound typed like its value: an integer for integers, an exact decimal for numbers.
fn bound(number: &Number, ty: &Ty) -> Result<Bound, String> {
    let parsed = match ty {
        Ty::Integer { .. } => whole(number).map(Bound::Integer),
        Ty::Number => {
            decimal_parts(number).map(|(mantissa, scale)| Bound::Decimal { mantissa, scale })
        }
        _ => None,
    };
    parsed
        .ok_or_else(|| format!("`{number}` is not a bound this value can be compared with exactly"))
}

/// A JSON number as `mantissa * 10^-scale`, exactly, when an exact decimal (18 places at most) holds it:
/// `8.9` is `(89, 1)`, `1e-8` is `(1, 8)`, `2.5e3` is `(2500, 0)`.
pub(crate) fn decimal_parts(number: &Number) -> Option<(i64, u32)> {
    let text = number.to_string();
    let (digits, exponent) = match text.split_once(['e', 'E']) {
        Some((digits, exponent)) => (digits, exponent.parse::<i32>().ok()?),
        None => (text.as_str(), 0),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let fraction = fraction.trim_end_matches('0');
    let mut mantissa: i64 = format!("{whole}{fraction}").parse().ok()?;
    let mut scale = i32::try_from(fraction.len()).ok()? - exponent;
    while scale < 0 {
        mantissa = mantissa.checked_mul(10)?;
        scale += 1;
    }
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    let scale = u32::try_from(scale).ok().filter(|scale| *scale <= 18)?;
    Some((mantissa, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Option<(i64, u32)> {
        decimal_parts(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn decimals_from_any_spelling() {
        assert_eq!(parts("8.9"), Some((89, 1)));
        assert_eq!(parts("1e-8"), Some((1, 8)));
        assert_eq!(parts("2.5e3"), Some((2500, 0)));
        assert_eq!(parts("-0.125"), Some((-125, 3)));
        assert_eq!(parts("10"), Some((10, 0)));
        assert_eq!(parts("1e-19"), None);
        assert_eq!(parts("1e300"), None);
    }
}
