//! What generated newtypes (`Yuan`, `MillisString`, ...) are built with. Every constructor (`new`, `TryFrom`,
//! `parse`, `from_minor_units`) checks the schema's constraints and says what is wrong ([`InvalidValue`]), so
//! no invalid value is built by hand. Deserialization reads a value as the wire has it, and `validate()`
//! reports what is wrong with it at its JSON pointer, with every other problem of the body.

use std::fmt;

use super::lenient::{has_fraction, minor_units_message};
use super::{Decimal, Validator, Violation};

/// Why a value cannot become a generated newtype: its text is not a value of the newtype's type, or the value
/// breaks the schema's constraints. Displayed as `Yuan: must have at most 2 decimal place(s), 12.999 has 3
/// [x-decimalPlaces]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    type_name: &'static str,
    violations: Vec<Violation>,
}

impl InvalidValue {
    /// One problem of the value itself: `rule` is the schema keyword (`type` for text that is not a value of
    /// the type), `message` a sentence for a person.
    pub fn new(type_name: &'static str, rule: &'static str, message: impl Into<String>) -> Self {
        InvalidValue {
            type_name,
            violations: vec![Violation {
                pointer: String::new(),
                rule,
                message: message.into(),
            }],
        }
    }

    /// `Ok(value)` when `found` holds no violation, else an error with all of them.
    #[doc(hidden)]
    pub fn judge<T>(type_name: &'static str, found: Validator, value: T) -> Result<T, Self> {
        let violations = found.into_violations();
        if violations.is_empty() {
            Ok(value)
        } else {
            Err(InvalidValue {
                type_name,
                violations,
            })
        }
    }

    /// The newtype's name (`Yuan`).
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// What is wrong, in the terms of `validate()`: each violation's pointer is relative to the value (`""` for
    /// the value itself, `/3` for an item of an array newtype), its rule the schema keyword.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, violation) in self.violations.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            f.write_str(self.type_name)?;
            if !violation.pointer.is_empty() {
                write!(f, " at {}", violation.pointer)?;
            }
            write!(f, ": {} [{}]", violation.message, violation.rule)?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidValue {}

/// A decimal newtype's text: `8.9`, `-12`, `0.05` (no exponent, no `+`).
#[doc(hidden)]
pub fn decimal(type_name: &'static str, text: &str) -> Result<Decimal, InvalidValue> {
    text.parse::<Decimal>()
        .map_err(|err| InvalidValue::new(type_name, "type", err.to_string()))
}

/// A decimal newtype's double, by its shortest text ([`Decimal::from_f64`]): never rounded, so a double with
/// more decimal places than the newtype allows is refused by its `x-decimalPlaces`.
#[doc(hidden)]
pub fn decimal_of_f64(type_name: &'static str, value: f64) -> Result<Decimal, InvalidValue> {
    Decimal::from_f64(value).map_err(|err| InvalidValue::new(type_name, "type", err.to_string()))
}

/// An integer newtype's text: `42`, `-7`. An amount in minor units written with a fraction (`12.50`) is told
/// so, as the wire reader tells it.
#[doc(hidden)]
pub fn integer(
    type_name: &'static str,
    text: &str,
    minor_units: bool,
) -> Result<i64, InvalidValue> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| {
            let shown = super::excerpt(text);
            InvalidValue::new(
                type_name,
                "type",
                format!("`{shown}` is out of the 64-bit range"),
            )
        });
    }
    if minor_units && has_fraction(text) {
        return Err(InvalidValue::new(
            type_name,
            "type",
            minor_units_message(text),
        ));
    }
    let shown = super::excerpt(text);
    Err(InvalidValue::new(
        type_name,
        "type",
        format!("`{shown}` is not an integer"),
    ))
}

/// A boolean newtype's text: `true` or `false`.
#[doc(hidden)]
pub fn boolean(type_name: &'static str, text: &str) -> Result<bool, InvalidValue> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => {
            let shown = super::excerpt(text);
            Err(InvalidValue::new(
                type_name,
                "type",
                format!("`{shown}` is not `true` or `false`"),
            ))
        }
    }
}

/// A decimal newtype with `x-decimalPlaces: places` counts its value in minor units: a value whose count does
/// not fit an `i64` cannot be built (rule `x-decimalPlaces`). A value with too many places is left to the
/// `x-decimalPlaces` check itself.
#[doc(hidden)]
pub fn fits_minor_units(v: &mut Validator, value: Decimal, places: u32) {
    if value.decimal_places() <= places && value.to_minor_units(places).is_none() {
        v.report(
            "x-decimalPlaces",
            format!("{value} is too large to count in minor units (10^-{places}) in 64 bits"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_is_wrong_with_the_type_name() {
        let mut v = Validator::new();
        v.minimum(Decimal::from_i64(-1), Decimal::ZERO);
        v.decimal_places(Decimal::from_parts(-1_005, 3), 2);
        let err = InvalidValue::judge("Yuan", v, ()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Yuan: must be at least 0, is -1 [minimum]; Yuan: must have at most 2 decimal place(s), -1.005 has 3 [x-decimalPlaces]"
        );
        assert_eq!(err.type_name(), "Yuan");
        assert_eq!(err.violations()[0].pointer, "");
        assert_eq!(InvalidValue::judge("Yuan", Validator::new(), 5), Ok(5));
    }

    #[test]
    fn texts_of_each_kind() {
        assert_eq!(decimal("Yuan", "8.90").unwrap(), Decimal::from_parts(89, 1));
        assert_eq!(
            decimal("Yuan", "1e3").unwrap_err().to_string(),
            "Yuan: `1e3` is not a decimal number [type]"
        );
        assert_eq!(integer("Count", "-7", false).unwrap(), -7);
        assert_eq!(
            integer("Count", "7.5", false).unwrap_err().to_string(),
            "Count: `7.5` is not an integer [type]"
        );
        assert_eq!(
            integer("Cents", "12.50", true).unwrap_err().to_string(),
            "Cents: amounts are integers in minor units (cents): 12.50 is not [type]"
        );
        assert!(integer("Count", "99999999999999999999", false)
            .unwrap_err()
            .to_string()
            .contains("out of the 64-bit range"));
        assert!(integer("Count", "+7", false).is_err());
        assert!(integer("Count", "", false).is_err());
        assert!(boolean("Flag", "true").unwrap());
        assert!(boolean("Flag", "yes").is_err());
        assert_eq!(
            decimal_of_f64("Yuan", 8.9).unwrap(),
            Decimal::from_parts(89, 1)
        );
        assert!(decimal_of_f64("Yuan", f64::NAN).is_err());
    }

    #[test]
    fn minor_units_must_fit_64_bits() {
        let mut v = Validator::new();
        fits_minor_units(&mut v, Decimal::from_i64(i64::MAX / 100), 2);
        fits_minor_units(&mut v, Decimal::from_parts(1_005, 3), 2);
        assert!(v.into_violations().is_empty());
        let mut v = Validator::new();
        fits_minor_units(&mut v, Decimal::from_i64(i64::MAX / 10), 2);
        assert_eq!(v.into_violations()[0].rule, "x-decimalPlaces");
    }
}
