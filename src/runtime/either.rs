//! Values of several JSON types (`"type": ["string", "number"]`): read by the value's own JSON type into the
//! variant of that type. Integers are whole numbers (`5.0` is one, as JSON Schema counts), numbers are exact
//! decimals.

use indexmap::IndexMap;
use serde::de::{Deserialize, Deserializer, Error};
use serde_json::Value;

use super::Decimal;

/// A JSON type a union holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

impl JsonKind {
    fn name(self) -> &'static str {
        match self {
            JsonKind::String => "a string",
            JsonKind::Integer => "an integer",
            JsonKind::Number => "a number",
            JsonKind::Boolean => "a boolean",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        }
    }
}

/// One JSON value, read as the variant of its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    String(String),
    Integer(i64),
    Number(Decimal),
    Boolean(bool),
    Array(Vec<Value>),
    Object(IndexMap<String, Value>),
}

/// Reads a value of one of the `kinds`; a value of another type is a `type` error naming them.
///
/// # Errors
///
/// A value of a type the union does not hold, or a number no exact decimal holds.
pub fn read<'de, D: Deserializer<'de>>(
    deserializer: D,
    type_name: &str,
    kinds: &[JsonKind],
) -> Result<Json, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let shown = super::excerpt(&value.to_string()).into_owned();
    let has = |kind| kinds.contains(&kind);
    let read = match value {
        Value::String(text) if has(JsonKind::String) => Some(Json::String(text)),
        Value::Bool(flag) if has(JsonKind::Boolean) => Some(Json::Boolean(flag)),
        Value::Array(items) if has(JsonKind::Array) => Some(Json::Array(items)),
        Value::Object(members) if has(JsonKind::Object) => {
            Some(Json::Object(members.into_iter().collect()))
        }
        Value::Number(ref number) if has(JsonKind::Integer) && whole(number).is_some() => {
            whole(number).map(Json::Integer)
        }
        Value::Number(ref number) if has(JsonKind::Number) => {
            let decimal = Decimal::deserialize(number.clone())
                .map_err(|err| D::Error::custom(format_args!("[type] {type_name}: {err}")))?;
            Some(Json::Number(decimal))
        }
        _ => None,
    };
    read.ok_or_else(|| {
        let expected: Vec<&str> = kinds.iter().map(|kind| kind.name()).collect();
        D::Error::custom(format_args!(
            "[type] {type_name} is {}, not {}",
            expected.join(" or "),
            shown
        ))
    })
}

/// An integer written as such or as a whole-number float (`5.0`).
fn whole(number: &serde_json::Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
            .map(|f| f as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_json(text: &str, kinds: &[JsonKind]) -> Result<Json, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        read(&mut deserializer, "V", kinds).map_err(|err| err.to_string())
    }

    #[test]
    fn each_value_reads_as_its_own_type() {
        let kinds = [JsonKind::String, JsonKind::Integer, JsonKind::Boolean];
        assert_eq!(read_json("\"a\"", &kinds), Ok(Json::String("a".into())));
        assert_eq!(read_json("5.0", &kinds), Ok(Json::Integer(5)));
        assert_eq!(read_json("true", &kinds), Ok(Json::Boolean(true)));
        let refused = read_json("5.5", &kinds).unwrap_err();
        assert!(
            refused.starts_with("[type] V is a string or an integer or a boolean"),
            "{refused}"
        );
        let numbers = [JsonKind::String, JsonKind::Number];
        assert_eq!(
            read_json("8.9", &numbers),
            Ok(Json::Number("8.9".parse().unwrap()))
        );
    }
}
