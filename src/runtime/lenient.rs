//! Integer input as data exports write it. Output is always a JSON number.
//!
//! - Shopline's own example sends `"trigger_num": "4"`: members typed `["integer", "string"]` also take a string
//!   of decimal digits ([`i64()`]).
//! - Exports often write whole numbers as `5.0` (a float column with gaps): JSON Schema counts that as an
//!   integer, and so do integer members here ([`whole_i64`]). A fraction is never accepted.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};

use super::excerpt;

/// Reads an `i64` from a JSON integer (or whole-number float) or a string of decimal digits (`"4"`).
pub fn i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IntegerVisitor { strings: true })
}

/// Like [`i64()`] for an optional member: absent or `null` is `None`.
pub fn option_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Lenient>::deserialize(deserializer)?.map(|value| value.0))
}

/// Reads an `i64` from a JSON integer or a whole-number float (`5.0`); strings are type errors.
pub fn whole_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IntegerVisitor { strings: false })
}

/// Like [`whole_i64`] for an optional member: absent or `null` is `None`.
pub fn option_whole_i64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Whole>::deserialize(deserializer)?.map(|value| value.0))
}

/// Like [`whole_i64`] for each item of an array.
pub fn vec_whole_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<i64>, D::Error> {
    deserializer.deserialize_seq(WholeSeqVisitor)
}

/// Like [`vec_whole_i64`] for an optional member: absent or `null` is `None`.
pub fn option_vec_whole_i64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<i64>>, D::Error> {
    Ok(Option::<Vec<Whole>>::deserialize(deserializer)?
        .map(|items| items.into_iter().map(|item| item.0).collect()))
}

struct Lenient(i64);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64(deserializer).map(Lenient)
    }
}

struct Whole(i64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        whole_i64(deserializer).map(Whole)
    }
}

struct WholeSeqVisitor;

impl<'de> Visitor<'de> for WholeSeqVisitor {
    type Value = Vec<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of integers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<i64>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Whole(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
}

struct IntegerVisitor {
    strings: bool,
}

impl Visitor<'_> for IntegerVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.strings {
            f.write_str("an integer, or a string of decimal digits")
        } else {
            f.write_str("an integer")
        }
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

    /// The string form is digits only (the schema's `^[0-9]+$`): a broken one breaks that pattern.
    fn visit_str<E: de::Error>(self, text: &str) -> Result<i64, E> {
        if !self.strings {
            return Err(E::invalid_type(de::Unexpected::Str(&excerpt(text)), &self));
        }
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::custom(format!(
                "[pattern] \"{}\" is not a string of decimal digits (^[0-9]+$)",
                excerpt(text)
            )));
        }
        text.parse()
            .map_err(|_| E::custom(format!("\"{}\" is out of the 64-bit range", excerpt(text))))
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
        #[serde(default, deserialize_with = "super::option_vec_whole_i64")]
        ids: Option<Vec<i64>>,
    }

    fn count(json: &str) -> Result<i64, serde_json::Error> {
        serde_json::from_str::<Row>(json).map(|row| row.count)
    }

    #[test]
    fn accepts_numbers_and_digit_strings() {
        assert_eq!(count(r#"{"count": 4}"#).unwrap(), 4);
        assert_eq!(count(r#"{"count": "4"}"#).unwrap(), 4);
        assert_eq!(count(r#"{"count": -12}"#).unwrap(), -12);
        assert_eq!(count(r#"{"count": 4.0}"#).unwrap(), 4);
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            r#""4.5""#,
            r#""""#,
            r#""+4""#,
            r#""-0""#,
            r#""-12""#,
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
        let err = count(r#"{"count": "4.5"}"#).unwrap_err().to_string();
        assert!(err.starts_with("[pattern]"), "{err}");
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

    #[test]
    fn whole_numbers_accept_integral_floats_only() {
        let row: Row = serde_json::from_str(r#"{"count": 1, "ids": [1, 2.0]}"#).unwrap();
        assert_eq!(row.ids, Some(vec![1, 2]));
        assert!(serde_json::from_str::<Row>(r#"{"count": 1, "ids": [1.5]}"#).is_err());
        assert!(serde_json::from_str::<Row>(r#"{"count": 1, "ids": ["1"]}"#).is_err());
    }
}
