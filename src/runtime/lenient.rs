//! Integer input as data exports write it. Output is always a JSON number.
//!
//! - Shopline's own example sends `"trigger_num": "4"`: members typed `["integer", "string"]` also take a string
//!   of decimal digits ([`integer`]).
//! - Exports often write whole numbers as `5.0` (a float column with gaps): JSON Schema counts that as an
//!   integer, and so do integer members here ([`whole`]). A fraction is never accepted.
//!
//! - An amount in minor units (`"x-minorUnits": true`: cents, fen) read from `12.5` or `"12.50"` is a yuan-style
//!   value sent by mistake: its error says so ([`minor_units`], [`whole_minor_units`]) instead of naming a type
//!   or a regular expression.
//!
//! The readers work on any value that holds integers: `i64`, and `Option`, `Vec`, maps and [`Nullable`]
//! of them, so one `deserialize_with` serves every shape a schema can give an integer member.

use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{excerpt, Nullable};

/// Reads integers from JSON integers (or whole-number floats) and strings of decimal digits (`"4"`).
pub fn integer<'de, D: Deserializer<'de>, T: Integers>(deserializer: D) -> Result<T, D::Error> {
    T::read(deserializer, Reading::STRINGS)
}

/// Reads integers from JSON integers or whole-number floats (`5.0`); strings are type errors.
pub fn whole<'de, D: Deserializer<'de>, T: Integers>(deserializer: D) -> Result<T, D::Error> {
    T::read(deserializer, Reading::WHOLE)
}

/// [`integer`] for amounts in minor units: a fraction (`12.5`, `"12.50"`) is reported as an amount written
/// in major units ([`minor_units_message`]).
pub fn minor_units<'de, D: Deserializer<'de>, T: Integers>(deserializer: D) -> Result<T, D::Error> {
    T::read(
        deserializer,
        Reading {
            minor_units: true,
            ..Reading::STRINGS
        },
    )
}

/// [`whole`] for amounts in minor units: a fraction (`12.5`) is reported as an amount written in major units.
pub fn whole_minor_units<'de, D: Deserializer<'de>, T: Integers>(
    deserializer: D,
) -> Result<T, D::Error> {
    T::read(
        deserializer,
        Reading {
            minor_units: true,
            ..Reading::WHOLE
        },
    )
}

/// What an amount in minor units written with a fraction gets told: `amounts are integers in minor units
/// (cents): 12.50 is not`.
pub fn minor_units_message(shown: impl fmt::Display) -> String {
    format!("amounts are integers in minor units (cents): {shown} is not")
}

/// Whether a text is a decimal number with a fraction (`12.50`, `-0.5`): an amount in major units.
pub fn has_fraction(text: &str) -> bool {
    text.len() <= 64 && text.contains('.') && text.parse::<super::Decimal>().is_ok()
}

/// How integers are read: whether strings of digits are accepted, and whether the value is an amount in minor
/// units (which only changes what a fraction is told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Strings of decimal digits are integers too (`"4"`).
    pub strings: bool,
    /// An amount in minor units (`x-minorUnits`).
    pub minor_units: bool,
}

impl Reading {
    /// JSON integers and strings of digits.
    pub const STRINGS: Reading = Reading {
        strings: true,
        minor_units: false,
    };
    /// JSON integers only.
    pub const WHOLE: Reading = Reading {
        strings: false,
        minor_units: false,
    };
}

/// A value made of integers, read leniently: implemented for `i64` and for containers of such values.
pub trait Integers: Sized {
    /// Reads the value as `how` says.
    fn read<'de, D: Deserializer<'de>>(deserializer: D, how: Reading) -> Result<Self, D::Error>;
}

impl Integers for i64 {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, how: Reading) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor(how))
    }
}

impl<T: Integers> Integers for Option<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, how: Reading) -> Result<Self, D::Error> {
        deserializer.deserialize_option(OptionVisitor(how, PhantomData))
    }
}

impl<T: Integers> Integers for Nullable<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, how: Reading) -> Result<Self, D::Error> {
        Ok(Option::<T>::read(deserializer, how)?.map_or(Nullable::Null, Nullable::Value))
    }
}

impl<T: Integers> Integers for Vec<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, how: Reading) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(SeqVisitor(how, PhantomData))
    }
}

impl<T: Integers> Integers for IndexMap<String, T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D, how: Reading) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(how, PhantomData))
    }
}

/// Reads one element of a container the way the container is read.
struct Seed<T>(Reading, PhantomData<T>);

impl<'de, T: Integers> DeserializeSeed<'de> for Seed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::read(deserializer, self.0)
    }
}

struct OptionVisitor<T>(Reading, PhantomData<T>);

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

struct SeqVisitor<T>(Reading, PhantomData<T>);

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

struct MapVisitor<T>(Reading, PhantomData<T>);

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

struct IntegerVisitor(Reading);

impl Visitor<'_> for IntegerVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.minor_units {
            f.write_str("an amount in minor units (cents): ")?;
        }
        if self.0.strings {
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
        } else if self.0.minor_units && value.is_finite() {
            Err(E::custom(format!("[type] {}", minor_units_message(value))))
        } else {
            Err(E::invalid_type(de::Unexpected::Float(value), &self))
        }
    }

    /// The string form is digits only (the schema's `^[0-9]+$`): a broken one breaks that pattern.
    fn visit_str<E: de::Error>(self, text: &str) -> Result<i64, E> {
        if !self.0.strings {
            return Err(E::invalid_type(de::Unexpected::Str(&excerpt(text)), &self));
        }
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            if self.0.minor_units && has_fraction(text) {
                let shown = format!("\"{}\"", excerpt(text));
                return Err(E::custom(format!(
                    "[pattern] {}",
                    minor_units_message(shown)
                )));
            }
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

    #[derive(Debug, serde::Deserialize)]
    struct Amounts {
        #[serde(deserialize_with = "super::minor_units")]
        amount: i64,
        #[serde(default, deserialize_with = "super::whole_minor_units")]
        refunds: Vec<i64>,
    }

    fn amount_error(json: &str) -> String {
        serde_json::from_str::<Amounts>(json)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn an_amount_with_a_fraction_is_told_it_is_in_minor_units() {
        let read: Amounts =
            serde_json::from_str(r#"{"amount": "1250", "refunds": [5, 6.0]}"#).unwrap();
        assert_eq!((read.amount, read.refunds), (1250, vec![5, 6]));
        let number = amount_error(r#"{"amount": 12.50}"#);
        assert!(
            number.starts_with("[type] amounts are integers in minor units (cents): 12.5 is not"),
            "{number}"
        );
        let text = amount_error(r#"{"amount": "12.50"}"#);
        assert!(
            text.starts_with(
                r#"[pattern] amounts are integers in minor units (cents): "12.50" is not"#
            ),
            "{text}"
        );
        let item = amount_error(r#"{"amount": 1, "refunds": [0.5]}"#);
        assert!(item.starts_with("[type] amounts are integers"), "{item}");
        // Not an amount in major units: the usual messages.
        let digits = amount_error(r#"{"amount": "12a"}"#);
        assert!(
            digits.starts_with("[pattern] \"12a\" is not a string of decimal digits"),
            "{digits}"
        );
        let negative = amount_error(r#"{"amount": "-5"}"#);
        assert!(
            negative.starts_with("[pattern] \"-5\" is not"),
            "{negative}"
        );
        let boolean = amount_error(r#"{"amount": true}"#);
        assert!(
            boolean.contains("expected an amount in minor units (cents): an integer"),
            "{boolean}"
        );
        let string = amount_error(r#"{"amount": 1, "refunds": ["5"]}"#);
        assert!(string.contains("invalid type: string"), "{string}");
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
