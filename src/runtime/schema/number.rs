//! JSON numbers taken exactly, from their text: what JSON Schema means by equality and order ("1" and "1.0"
//! are one number, 0.1 is a tenth), never through a binary float.

use std::cmp::Ordering;

use serde_json::{Number, Value};

/// A JSON number as `±digits × 10^exponent`, normalized (no leading or trailing zeros in `digits`; zero is
/// no digits and never negative), so two texts of one number give equal values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Exact {
    negative: bool,
    /// ASCII digits, the first and last not `0`; empty for zero.
    digits: Vec<u8>,
    exponent: i64,
}

/// Longest run of digits the exact `multipleOf` walks before it falls back to a float (a 1e308 has 309).
const MAX_WALK: i64 = 100_000;

impl Exact {
    /// The number a JSON number's text spells (`-12`, `8.9`, `1e-7`, `1.5E+3`); `None` for other text.
    pub(super) fn parse(text: &str) -> Option<Exact> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || mantissa.ends_with('.')
        {
            return None;
        }
        let fraction_len = i64::try_from(fraction.len()).ok()?;
        let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
        let mut exponent = exponent.checked_sub(fraction_len)?;
        let trailing = digits.iter().rev().take_while(|d| **d == b'0').count();
        digits.truncate(digits.len() - trailing);
        exponent = exponent.checked_add(i64::try_from(trailing).ok()?)?;
        let leading = digits.iter().take_while(|d| **d == b'0').count();
        digits.drain(..leading);
        if digits.is_empty() {
            return Some(Exact::zero());
        }
        Some(Exact {
            negative,
            digits,
            exponent,
        })
    }

    /// Zero.
    pub(super) fn zero() -> Exact {
        Exact {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        }
    }

    /// The value of a `serde_json` number (its text is the shortest that reads back as the same number).
    pub(super) fn of(number: &Number) -> Option<Exact> {
        Exact::parse(&number.to_string())
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Digits after the decimal point, trailing zeros excluded: 8.90 has 1, 1e-7 has 7, 1e3 has 0.
    pub(super) fn decimal_places(&self) -> u64 {
        if self.exponent >= 0 {
            0
        } else {
            self.exponent.unsigned_abs()
        }
    }

    /// The place of the leading digit: numbers of one sign order by it first.
    fn magnitude(&self) -> i64 {
        self.exponent
            .saturating_add(i64::try_from(self.digits.len()).unwrap_or(i64::MAX))
    }

    /// Order of the absolute values.
    fn cmp_abs(&self, other: &Exact) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        self.magnitude().cmp(&other.magnitude()).then_with(|| {
            // Same leading place: compare digit by digit, a missing digit being a zero.
            let len = self.digits.len().max(other.digits.len());
            let digit = |digits: &[u8], i: usize| digits.get(i).copied().unwrap_or(b'0');
            (0..len)
                .map(|i| digit(&self.digits, i).cmp(&digit(&other.digits, i)))
                .find(|order| order.is_ne())
                .unwrap_or(Ordering::Equal)
        })
    }

    /// Whether this is a whole multiple of `divisor` (which `multipleOf` keeps above zero), exactly: the two
    /// are brought to one exponent and the long division keeps only its remainder. `None` when the divisor
    /// is too long for that (38 digits and more) or the walk too long: the caller then decides otherwise.
    pub(super) fn is_multiple_of(&self, divisor: &Exact) -> Option<bool> {
        if divisor.is_zero() {
            return None;
        }
        if self.is_zero() {
            return Some(true);
        }
        let exponent = self.exponent.min(divisor.exponent);
        let divisor_zeros = divisor.exponent.checked_sub(exponent)?;
        if i64::try_from(divisor.digits.len())
            .ok()?
            .saturating_add(divisor_zeros)
            > 37
        {
            return None;
        }
        let modulus = divisor
            .digits
            .iter()
            .map(|d| u128::from(d - b'0'))
            .chain((0..divisor_zeros).map(|_| 0))
            .fold(0u128, |acc, d| acc * 10 + d);
        let zeros = self.exponent.checked_sub(exponent)?;
        if i64::try_from(self.digits.len()).ok()?.saturating_add(zeros) > MAX_WALK {
            return None;
        }
        // Below 10^37 the remainder times ten plus a digit stays below 10^38 < u128::MAX.
        let remainder = self
            .digits
            .iter()
            .map(|d| u128::from(d - b'0'))
            .chain((0..zeros).map(|_| 0))
            .fold(0u128, |r, d| (r * 10 + d) % modulus);
        Some(remainder == 0)
    }
}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

/// The exponent of a number's text, `+3`, `-7`, `12`: one past `i64` is no number we can place.
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude: i64 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// JSON Schema's equality (`const`, `enum`, `uniqueItems`): numbers by mathematical value (`1` equals `1.0`),
/// objects whatever the order of their members, arrays item by item in order, everything else as written.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, a)| b.get(key).is_some_and(|b| json_equal(a, b)))
        }
        (a, b) => a == b,
    }
}

/// Integers compare as integers; anything else by exact value.
fn numbers_equal(a: &Number, b: &Number) -> bool {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return a == b;
    }
    match (Exact::of(a), Exact::of(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> Exact {
        Exact::parse(text).unwrap()
    }

    #[test]
    fn texts_of_one_number_are_equal() {
        assert_eq!(exact("1"), exact("1.0"));
        assert_eq!(exact("1.5e3"), exact("1500"));
        assert_eq!(exact("-0"), exact("0.000"));
        assert_eq!(exact("0.1"), exact("1E-1"));
        assert_ne!(exact("0.1"), exact("0.10000000000000001"));
        assert!(Exact::parse("1.").is_none());
        assert!(Exact::parse(".5").is_none());
        assert!(Exact::parse("1e").is_none());
        assert!(Exact::parse("--1").is_none());
    }

    #[test]
    fn order_is_exact() {
        assert!(exact("8.9") < exact("8.91"));
        assert!(exact("-8.9") > exact("-8.91"));
        assert!(exact("-1") < exact("0"));
        assert!(exact("0") < exact("1e-300"));
        assert!(exact("99") < exact("1e2"));
        assert!(exact("18446744073709551616") > exact("18446744073709551615"));
    }

    #[test]
    fn decimal_places_come_from_the_text() {
        assert_eq!(exact("8.90").decimal_places(), 1);
        assert_eq!(exact("1e-7").decimal_places(), 7);
        assert_eq!(exact("1.5e3").decimal_places(), 0);
        assert_eq!(exact("0.30000000000000004").decimal_places(), 17);
    }

    #[test]
    fn multiples_are_exact() {
        assert_eq!(exact("0.35").is_multiple_of(&exact("0.05")), Some(true));
        assert_eq!(exact("8.9").is_multiple_of(&exact("0.01")), Some(true));
        assert_eq!(exact("8.905").is_multiple_of(&exact("0.01")), Some(false));
        assert_eq!(exact("1e300").is_multiple_of(&exact("7")), Some(false));
        assert_eq!(exact("1e300").is_multiple_of(&exact("5")), Some(true));
        assert_eq!(exact("0").is_multiple_of(&exact("3")), Some(true));
        assert_eq!(exact("1").is_multiple_of(&exact("1e40")), None);
    }
}
