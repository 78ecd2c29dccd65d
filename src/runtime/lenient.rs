//! Lenient integer input: Shopline's own example sends `"trigger_num": "4"`. Output is always a JSON number.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Reads an `i64` from a JSON integer or a string of decimal digits (`"4"`, `"-12"`).
pub fn i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(LenientI64Visitor)
}

/// Like [`i64()`] for an optional member: absent or `null` is `None`.
pub fn option_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<LenientI64>::deserialize(deserializer)?.map(|value| value.0))
}

struct LenientI64(i64);

impl<'de> Deserialize<'de> for LenientI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64(deserializer).map(LenientI64)
    }
}

struct LenientI64Visitor;

impl Visitor<'_> for LenientI64Visitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string of decimal digits")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
        i64::try_from(value).map_err(|_| E::custom(format!("{value} is out of the 64-bit range")))
    }

    /// JSON Schema counts `4.0` as an integer; anything with a fraction is not.
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<i64, E> {
        let in_range = value >= i64::MIN as f64 && value < i64::MAX as f64;
        if value.fract() == 0.0 && in_range {
            Ok(value as i64)
        } else {
            Err(E::invalid_type(de::Unexpected::Float(value), &self))
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<i64, E> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::invalid_value(de::Unexpected::Str(text), &self));
        }
        text.parse()
            .map_err(|_| E::custom(format!("\"{text}\" is out of the 64-bit range")))
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(deserialize_with = "super::i64")]
        count: i64,
        #[serde(default, deserialize_with = "super::option_i64")]
        extra: Option<i64>,
    }

    fn count(json: &str) -> Result<i64, serde_json::Error> {
        serde_json::from_str::<Row>(json).map(|row| row.count)
    }

    #[test]
    fn accepts_numbers_and_digit_strings() {
        assert_eq!(count(r#"{"count": 4}"#).unwrap(), 4);
        assert_eq!(count(r#"{"count": "4"}"#).unwrap(), 4);
        assert_eq!(count(r#"{"count": "-12"}"#).unwrap(), -12);
        assert_eq!(count(r#"{"count": 4.0}"#).unwrap(), 4);
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            r#""4.5""#,
            r#""""#,
            r#""+4""#,
            r#"" 4""#,
            "4.5",
            "true",
            r#""99999999999999999999""#,
        ] {
            assert!(
                count(&format!(r#"{{"count": {bad}}}"#)).is_err(),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn optional_members_may_be_absent_or_null() {
        let row: Row = serde_json::from_str(r#"{"count": 1, "extra": null}"#).unwrap();
        assert_eq!(row.extra, None);
        let row: Row = serde_json::from_str(r#"{"count": 1}"#).unwrap();
        assert_eq!(row.extra, None);
        let row: Row = serde_json::from_str(r#"{"count": 1, "extra": "7"}"#).unwrap();
        assert_eq!(row.extra, Some(7));
    }
}
