//! Integer input as data exports write it. Output is always a JSON number.
//!
//! - Shopline's own example sends `"trigger_num": "4"`: members typed `["integer", "string"]` also take a string
//!   of decimal digits ([`integer`]).
//! - Exports often write whole numbers as `5.0` (a float column with gaps): JSON Schema counts that as an
//!   integer, and so do integer members here ([`whole`]). A fraction is never accepted.
//!
//! Both readers work on any value that holds integers: `i64`, and `Option`, `Vec`, maps and [`Nullable`]
//! of them, so one `deserialize_with` serves every shape a schema can give an integer member.

use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{excerpt, Nullable};

/// Reads integers from JSON integers (or whole-number floats) and strings of decimal digits (`"4"`).
pub fn integer<'de, D: Deserializer<'de>, T: Integers>(deserializer: D) -> Result<T, D::Error> {
    T::read(deserializer, true)
}

/// Reads integers from JSON integers or whole-number floats (`5.0`); strings are type errors.
pub fn whole<'de, D: Deserializer<'de>, T: Integers>(deserializer: D) -> Result<T, D::Error> {
    T::read(deserializer, false)
}

/// A value made of integers, read leniently: implemented for `i64` and for containers of such values.
pub trait Integers: Sized {
    /// Reads the value; `strings` also accepts strings of decimal digits.
    fn read<'de, D: Deserializer<'de>>(deserializer: D, strings: bool) -> Result<Self, D::Error>;
}

impl Integers for i64 {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, strings: bool) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor { strings })
    }
}

impl<T: Integers> Integers for Option<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, strings: bool) -> Result<Self, D::Error> {
        deserializer.deserialize_option(OptionVisitor(strings, PhantomData))
    }
}

impl<T: Integers> Integers for Nullable<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, strings: bool) -> Result<Self, D::Error> {
        Ok(Option::<T>::read(deserializer, strings)?.map_or(Nullable::Null, Nullable::Value))
    }
}

impl<T: Integers> Integers for Vec<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, strings: bool) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(SeqVisitor(strings, PhantomData))
    }
}

impl<T: Integers> Integers for IndexMap<String, T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, strings: bool) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(strings, PhantomData))
    }
}

/// Reads one element of a container with the container's `strings` setting.
struct Seed<T>(bool, PhantomData<T>);

impl<'de, T: Integers> DeserializeSeed<'de> for Seed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::read(deserializer, self.0)
    }
}

struct OptionVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Integers> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or null")
    }

    fn visit_none<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        T::read(deserializer, self.0).map(Some)
    }
}

struct SeqVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Integers> Visitor<'de> for SeqVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of integers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(Seed(self.0, PhantomData))? {
            items.push(item);
        }
        Ok(items)
    }
}

struct MapVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Integers> Visitor<'de> for MapVisitor<T> {
    type Value = IndexMap<String, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of integers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = IndexMap::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed(self.0, PhantomData))?;
            entries.insert(key, value);
        }
        Ok(entries)
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
    use super::*;

    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(deserialize_with = "super::integer")]
        count: i64,
        #[serde(default, deserialize_with = "super::integer")]
        extra: Option<i64>,
        #[serde(default, deserialize_with = "super::whole")]
        ids: Option<Vec<i64>>,
        #[serde(default, deserialize_with = "super::whole")]
        grid: Vec<Vec<Option<i64>>>,
        #[serde(default, deserialize_with = "super::integer")]
        totals: IndexMap<String, i64>,
        #[serde(default, deserialize_with = "super::whole")]
        cleared: Nullable<i64>,
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
        assert_eq!(row.cleared, Nullable::Absent);
        let row: Row =
            serde_json::from_str(r#"{"count": 1, "extra": "7", "cleared": null}"#).unwrap();
        assert_eq!(row.extra, Some(7));
        assert_eq!(row.cleared, Nullable::Null);
    }

    #[test]
    fn containers_read_each_integer_the_same_way() {
        let row: Row = serde_json::from_str(
            r#"{"count": 1, "ids": [1, 2.0], "grid": [[1, null], [3.0]], "totals": {"b": "2", "a": 1}, "cleared": 5.0}"#,
        )
        .unwrap();
        assert_eq!(row.ids, Some(vec![1, 2]));
        assert_eq!(row.grid, vec![vec![Some(1), None], vec![Some(3)]]);
        assert_eq!(
            row.totals.keys().collect::<Vec<_>>(),
            ["b", "a"],
            "input order is kept"
        );
        assert_eq!(row.totals["b"], 2);
        assert_eq!(row.cleared, Nullable::Value(5));
        assert!(serde_json::from_str::<Row>(r#"{"count": 1, "ids": [1.5]}"#).is_err());
        assert!(serde_json::from_str::<Row>(r#"{"count": 1, "ids": ["1"]}"#).is_err());
        assert!(serde_json::from_str::<Row>(r#"{"count": 1, "grid": [["1"]]}"#).is_err());
    }
}
