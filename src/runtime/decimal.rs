//! An exact decimal for money and percentages: never a binary float that turns 8.9 into 8.899999.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::excerpt;

/// Largest scale (digits after the point) a [`Decimal`] holds.
const MAX_SCALE: u32 = 18;

/// An exact decimal number: `mantissa * 10^-scale`, kept normalized (no trailing zeros after the point).
///
/// JSON numbers are read from the shortest text that round-trips through the parser's double, which is the
/// text the sender wrote for any number of up to 15 significant digits, so `8.9` is held as 89 tenths, exactly.
/// Amounts are emitted the same way, so what is sent is what was read or built.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i64,
    scale: u32,
}

/// Why a text is not a [`Decimal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalError(String);

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecimalError {}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// `mantissa * 10^-scale`, e.g. `Decimal::new(890, 2)` is 8.9.
    ///
    /// # Errors
    ///
    /// A scale above 18.
    pub fn new(mantissa: i64, scale: u32) -> Result<Self, DecimalError> {
        if scale > MAX_SCALE {
            return Err(DecimalError(format!(
                "scale {scale} is above the maximum of {MAX_SCALE}"
            )));
        }
        Ok(Self::from_parts(mantissa, scale))
    }

    /// `mantissa * 10^-scale` in a constant, as generated bounds are written; scales above 18 are taken as 18.
    pub const fn from_parts(mantissa: i64, scale: u32) -> Self {
        let mut mantissa = mantissa;
        let mut scale = if scale > MAX_SCALE { MAX_SCALE } else { scale };
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        Decimal { mantissa, scale }
    }

    /// An amount of minor units (cents, fen): `from_cents(890)` is 8.90.
    pub fn from_cents(cents: i64) -> Self {
        Self::from_parts(cents, 2)
    }

    /// An amount of minor units with `places` digits after the point, exactly: `from_minor_units(8_905, 3)` is
    /// 8.905.
    ///
    /// # Errors
    ///
    /// `places` above 18.
    pub fn from_minor_units(units: i64, places: u32) -> Result<Self, DecimalError> {
        Self::new(units, places)
    }

    /// A whole number.
    pub const fn from_i64(value: i64) -> Self {
        Decimal {
            mantissa: value,
            scale: 0,
        }
    }

    /// The amount in minor units when it has at most two decimal places.
    pub fn to_cents(self) -> Option<i64> {
        self.to_minor_units(2)
    }

    /// The amount in minor units of `places` digits after the point (`8.9` is 8_900 thousandths), exactly:
    /// `None` when it has more decimal places than that, or the count does not fit an `i64`. Never rounds.
    pub fn to_minor_units(self, places: u32) -> Option<i64> {
        let factor = 10i64.checked_pow(places.checked_sub(self.scale)?)?;
        self.mantissa.checked_mul(factor)
    }

    /// The decimal a double stands for: the shortest text that reads back as `value` (the text Rust prints
    /// for it, which is what was written for any number of up to 15 significant digits), exactly, never
    /// rounded further: `8.9` is 8.9, `0.1 + 0.2` is 0.30000000000000004. NaN, the infinities and values
    /// whose text has more than 18 decimal places or more digits than an `i64` holds are errors.
    ///
    /// # Errors
    ///
    /// NaN, an infinity, or a value whose shortest text does not fit a `Decimal`.
    pub fn from_f64(value: f64) -> Result<Self, DecimalError> {
        if let Some(decimal) = Decimal::from_short_f64(value) {
            return Ok(decimal);
        }
        if !value.is_finite() {
            return Err(DecimalError(format!("{value} is not a finite number")));
        }
        // Rust prints the shortest text that parses back to the same double, never in exponent form.
        let text = value.to_string();
        let places = text
            .split_once('.')
            .map_or(0, |(_, fraction)| fraction.len());
        if places > MAX_SCALE as usize {
            return Err(DecimalError(format!(
                "{text} has {places} decimal places, more than the {MAX_SCALE} a decimal holds"
            )));
        }
        text.parse()
    }

    /// Digits after the decimal point, trailing zeros excluded.
    pub fn decimal_places(self) -> u32 {
        self.scale
    }

    /// Whether the value is below zero.
    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// The nearest double when the mantissa is at most 2^53 (one correctly rounded division); past that, one
    /// rounding more. Serialization uses it only in the exact case.
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    /// The decimal of at most 4 places whose nearest double is `value`, found without formatting: for the
    /// fewest places `k` where `round(value * 10^k) / 10^k` gives `value` back, that is the shortest text of
    /// `value`, the one `value.to_string()` would print. Amounts are read this way; anything else falls back.
    fn from_short_f64(value: f64) -> Option<Decimal> {
        const POWERS: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];
        for (scale, power) in POWERS.iter().enumerate() {
            let product = value * power;
            // Below 10^15 the mantissa and the division are exact enough to trust the comparison (NaN fails
            // this test too).
            if product.is_nan() || product.abs() >= 1e15 {
                return None;
            }
            // `round()` (half away from zero) without the libm call: the truncation and the remainder are
            // exact at this size.
            let truncated = product as i64;
            let mantissa = match product - truncated as f64 {
                rest if rest >= 0.5 => truncated + 1,
                rest if rest <= -0.5 => truncated - 1,
                _ => truncated,
            };
            if mantissa as f64 / power == value {
                return Some(Decimal::from_parts(mantissa, scale as u32));
            }
        }
        None
    }

    /// Whether this is a whole multiple of `divisor`, exactly: 8.9 is a multiple of 0.01 (a binary float says
    /// it is not).
    pub fn is_multiple_of(self, divisor: Decimal) -> bool {
        let scale = self.scale.max(divisor.scale);
        let (value, divisor) = (self.scaled_to(scale), divisor.scaled_to(scale));
        divisor != 0 && value % divisor == 0
    }

    fn scaled_to(self, scale: u32) -> i128 {
        i128::from(self.mantissa) * 10i128.pow(scale - self.scale)
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        // The common cases of validation (same scale, or a bound of zero) need no widening.
        if self.scale == other.scale || self.mantissa == 0 || other.mantissa == 0 {
            return match (self.mantissa, other.mantissa) {
                (a, 0) | (0, a) if self.scale != other.scale => {
                    let sign = a.cmp(&0);
                    if self.mantissa == 0 {
                        sign.reverse()
                    } else {
                        sign
                    }
                }
                (a, b) => a.cmp(&b),
            };
        }
        let scale = self.scale.max(other.scale);
        self.scaled_to(scale).cmp(&other.scaled_to(scale))
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;

    /// Plain decimal text: `-12`, `8.9`, `0.05`. No exponent, no sign other than a leading `-`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || DecimalError(format!("`{}` is not a decimal number", excerpt(text)));
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid());
        }
        if unsigned.ends_with('.') {
            return Err(invalid());
        }
        let fraction = fraction.trim_end_matches('0');
        let scale = u32::try_from(fraction.len()).map_err(|_| invalid())?;
        let out_of_range = || DecimalError(format!("`{}` is out of range", excerpt(text)));
        // Accumulated wider than i64, so that i64::MIN (one more than i64::MAX) reads back.
        let mut magnitude: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(b - b'0')))
                .filter(|m| *m <= i128::from(i64::MAX) + 1)
                .ok_or_else(out_of_range)?;
        }
        let signed = if negative { -magnitude } else { magnitude };
        let mantissa = i64::try_from(signed).map_err(|_| out_of_range())?;
        Decimal::new(mantissa, scale).map_err(|_| out_of_range())
    }
}

/// The shortest text, as serialized: `8.9`, `10`, `-0.05`. A precision pads with zeros and never rounds:
/// `format!("{:.2}", d)` prints 8.90 for 8.9 and 0.125 for 0.125.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let places = f.precision().unwrap_or(0).max(self.scale as usize);
        if places == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let width = self.scale as usize + 1;
        let padded = format!("{digits:0>width$}");
        let (whole, fraction) = padded.split_at(padded.len() - self.scale as usize);
        let zeros = places - self.scale as usize;
        write!(f, "{sign}{whole}.{fraction}{:0<zeros$}", "")
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Decimal::from_i64(value)
    }
}

/// [`Decimal::from_f64`]: the double's shortest text, exactly.
impl TryFrom<f64> for Decimal {
    type Error = DecimalError;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Decimal::from_f64(value)
    }
}

impl Serialize for Decimal {
    /// Whole numbers as JSON integers; others as the double whose shortest text is this decimal.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.scale == 0 {
            serializer.serialize_i64(self.mantissa)
        } else if self.mantissa.unsigned_abs() <= 1 << 53 {
            // Both operands are exact doubles, so the division is one correct rounding of this decimal.
            serializer.serialize_f64(self.to_f64())
        } else {
            // Past 2^53 the mantissa itself would round first: parse the exact text, one rounding only.
            let nearest: f64 = self.to_string().parse().unwrap_or_else(|_| self.to_f64());
            serializer.serialize_f64(nearest)
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from_i64(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        i64::try_from(value)
            .map(Decimal::from_i64)
            .map_err(|_| E::custom(format!("{value} is out of range")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        if let Some(decimal) = Decimal::from_short_f64(value) {
            return Ok(decimal);
        }
        // Rust prints the shortest text that parses back to the same double: the sender's text.
        let text = value.to_string();
        let places = text
            .split_once('.')
            .map_or(0, |(_, fraction)| fraction.len());
        if places > MAX_SCALE as usize {
            // Far more precision than any amount has: the decimal-places rule, not a type error.
            return Err(E::custom(format!(
                "[x-decimalPlaces] {text} has {places} decimal places, more than any amount may have"
            )));
        }
        text.parse().map_err(E::custom)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Decimal {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }

    fn inline_schema() -> bool {
        true
    }

    /// A JSON number (read exactly, never through a binary float).
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "number"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_exactly() {
        for (text, shown) in [
            ("8.9", "8.9"),
            ("10.0", "10"),
            ("0.05", "0.05"),
            ("-1.50", "-1.5"),
            ("0", "0"),
        ] {
            assert_eq!(dec(text).to_string(), shown);
        }
    }

    #[test]
    fn rejects_malformed_text() {
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "+1",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(text.parse::<Decimal>().is_err(), "{text} parsed");
        }
    }

    #[test]
    fn json_round_trip_keeps_the_senders_digits() {
        let value: Decimal = serde_json::from_str("8.9").unwrap();
        assert_eq!(value.to_cents(), Some(890));
        assert_eq!(serde_json::to_string(&value).unwrap(), "8.9");
        let whole: Decimal = serde_json::from_str("10.0").unwrap();
        assert_eq!(serde_json::to_string(&whole).unwrap(), "10");
        let fine: Decimal = serde_json::from_str("0.125").unwrap();
        assert_eq!(fine.decimal_places(), 3);
        assert_eq!(fine.to_cents(), None);
    }

    #[test]
    fn orders_by_value_across_scales() {
        assert!(dec("8.9") < dec("10"));
        assert!(dec("10.01") > dec("10"));
        assert_eq!(dec("1.10"), dec("1.1"));
        assert_eq!(Decimal::from_cents(1000), Decimal::from_i64(10));
        assert!(dec("0.01") > Decimal::ZERO && Decimal::ZERO < dec("0.01"));
        assert!(dec("-0.01") < Decimal::ZERO && Decimal::ZERO > dec("-0.01"));
        assert!(dec("-1.5") < dec("-1.25") && dec("2.5") > dec("2.25"));
    }

    #[test]
    fn reading_a_double_without_formatting_matches_its_shortest_text() {
        let mut value = -1234.5678f64;
        while value < 1234.5678 {
            let expected: Decimal = value.to_string().parse().unwrap();
            if let Some(fast) = Decimal::from_short_f64(value) {
                assert_eq!(fast, expected, "{value}");
            }
            value += 0.0137;
        }
        for text in ["8.9", "0.1", "10", "123456789.99", "0.0001", "-0.5"] {
            let value: f64 = text.parse().unwrap();
            assert_eq!(
                Decimal::from_short_f64(value),
                Some(text.parse().unwrap()),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn a_short_decimal_comes_back_from_its_double(mantissa in -10i64.pow(14)..10i64.pow(14), scale in 0u32..=4) {
            let text = Decimal::from_parts(mantissa, scale).to_string();
            let value: f64 = text.parse().unwrap();
            let expected: Decimal = value.to_string().parse().unwrap();
            proptest::prop_assert_eq!(Decimal::from_short_f64(value), Some(expected));
        }

        #[test]
        fn any_double_read_fast_is_its_shortest_text(value in -1e16f64..1e16) {
            if let Some(fast) = Decimal::from_short_f64(value) {
                let expected: Decimal = value.to_string().parse().unwrap();
                proptest::prop_assert_eq!(fast, expected);
            }
        }
    }

    #[test]
    fn minor_units_are_exact() {
        assert_eq!(Decimal::from_minor_units(8_905, 3).unwrap(), dec("8.905"));
        assert_eq!(dec("8.9").to_minor_units(3), Some(8_900));
        assert_eq!(dec("8.9").to_minor_units(0), None);
        assert_eq!(dec("12").to_minor_units(0), Some(12));
        assert_eq!(dec("-0.05").to_cents(), Some(-5));
        assert_eq!(
            Decimal::from_i64(i64::MAX / 10).to_cents(),
            None,
            "overflow"
        );
        assert!(Decimal::from_minor_units(1, 19).is_err());
    }

    #[test]
    fn a_double_is_read_by_its_shortest_text() {
        assert_eq!(Decimal::from_f64(8.9).unwrap(), dec("8.9"));
        assert_eq!(Decimal::try_from(12.999).unwrap(), dec("12.999"));
        assert_eq!(
            Decimal::from_f64(0.1 + 0.2).unwrap(),
            dec("0.30000000000000004")
        );
        assert_eq!(Decimal::from_f64(1e-7).unwrap(), dec("0.0000001"));
        assert_eq!(
            Decimal::from_f64(123456789012.125).unwrap(),
            dec("123456789012.125")
        );
        assert_eq!(Decimal::from_f64(-0.0).unwrap(), Decimal::ZERO);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, 1e-30] {
            assert!(Decimal::from_f64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_precision_pads_and_never_rounds() {
        assert_eq!(format!("{:.2}", dec("8.9")), "8.90");
        assert_eq!(format!("{:.2}", dec("10")), "10.00");
        assert_eq!(format!("{:.2}", dec("-0.5")), "-0.50");
        assert_eq!(format!("{:.2}", dec("0.125")), "0.125");
        assert_eq!(format!("{:.0}", dec("8.9")), "8.9");
        assert_eq!(format!("{}", dec("8.90")), "8.9");
    }

    #[test]
    fn rejects_strings_in_json() {
        assert!(serde_json::from_str::<Decimal>("\"8.9\"").is_err());
    }
}
