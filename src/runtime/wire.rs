//! Reading and writing the JSON of generated types where serde's derives fall short: objects only from JSON
//! objects (never from serde's positional arrays), enums of strings, unions told apart by a tag member, and
//! members that are required but may be `null`. Errors carry a rule (`[enum]`) and, from inside a buffered
//! union, the pointer below it (`@/rate`), which [`super::parse`] turns into a violation at the exact value.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::excerpt;
use super::validate::push_segment;

#[doc(hidden)]
pub use serde;

/// `Serialize` and `Deserialize` for a struct derived with `#[serde(remote = "Self")]`, reading it from a
/// JSON object only. Serde's derived structs also accept an array of the members in order; for a request
/// that would turn `["key", "store", ...]` into a valid body behind the caller's back.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_object {
    ($name:ident) => {
        impl<'de> $crate::runtime::wire::serde::Deserialize<'de> for $name {
            #[inline]
            fn deserialize<D: $crate::runtime::wire::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                $name::deserialize($crate::runtime::wire::ObjectOnly(deserializer))
            }
        }
        impl $crate::runtime::wire::serde::Serialize for $name {
            #[inline]
            fn serialize<S: $crate::runtime::wire::serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                $name::serialize(self, serializer)
            }
        }
    };
}

#[doc(inline)]
pub use crate::__json_object as json_object;

/// A deserializer that hands a struct's visitor only JSON objects: an array is a type error.
#[doc(hidden)]
pub struct ObjectOnly<D>(pub D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, MapOnly(visitor))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// A struct visitor with its `visit_seq` taken away.
struct MapOnly<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for MapOnly<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<V::Value, A::Error> {
        Err(de::Error::custom(format_args!(
            "[type] expected an object ({}), found an array",
            Expecting(&self.0)
        )))
    }
}

/// A visitor's `expecting` as `Display`.
struct Expecting<'a, V>(&'a V);

impl<'de, V: Visitor<'de>> fmt::Display for Expecting<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
}

/// Reads a string enum: `parse` maps the string to a variant; `None` is an `enum` error listing `known`.
pub fn str_enum<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    type_name: &'static str,
    parse: fn(&str) -> Option<T>,
    known: &'static [&'static str],
) -> Result<T, D::Error> {
    deserializer.deserialize_str(StrEnumVisitor {
        type_name,
        parse,
        known,
    })
}

struct StrEnumVisitor<T> {
    type_name: &'static str,
    parse: fn(&str) -> Option<T>,
    known: &'static [&'static str],
}

impl<T> Visitor<'_> for StrEnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "one of the strings {}", self.known.join(", "))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.parse)(text).ok_or_else(|| {
            E::custom(format_args!(
                "[enum] \"{}\" is not a {}; expected one of {}",
                excerpt(text),
                self.type_name,
                self.known.join(", ")
            ))
        })
    }
}

/// Reads a union's object whole, with the value of its tag member.
pub fn tagged<'de, D: Deserializer<'de>>(
    deserializer: D,
    tag: &str,
) -> Result<(Value, Value), D::Error> {
    let value = Value::deserialize(deserializer)?;
    let Value::Object(object) = &value else {
        return Err(de::Error::custom(format_args!(
            "[type] expected an object, found {}",
            kind(&value)
        )));
    };
    match object.get(tag) {
        Some(found) => Ok((found.clone(), value)),
        None => Err(de::Error::custom(format_args!(
            "{} [required] `{tag}` is required",
            at(tag)
        ))),
    }
}

/// Reads one variant of a union from its buffered object; an error keeps the pointer below the union.
pub fn variant<T: DeserializeOwned, E: de::Error>(value: Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let mut pointer = String::new();
        for segment in err.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Map { key } => push_segment(&mut pointer, key),
                _ => {}
            }
        }
        let message = err.into_inner().to_string();
        match message.strip_prefix('@') {
            // A union inside the variant already says where, below the segments seen here.
            Some(rest) => E::custom(format_args!("@{pointer}{rest}")),
            None if pointer.is_empty() => E::custom(message),
            None => E::custom(format_args!("@{pointer} {message}")),
        }
    })
}

/// The error for a tag value no variant has.
pub fn unknown_tag<E: de::Error>(type_name: &str, tag: &str, found: &Value, known: &[&str]) -> E {
    E::custom(format_args!(
        "{} [oneOf] {} is not a kind of {type_name}: `{tag}` must be one of {}",
        at(tag),
        excerpt(&found.to_string()),
        known.join(", ")
    ))
}

/// For an optional member of any JSON value: present is `Some`, an explicit `null` included (a plain
/// `Option` reads `null` as absent, and the member's checks would not see it).
pub fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// For a member that is required but may be `null`: unlike a plain `Option`, a missing member is an error.
pub fn required_nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// `@/member`: where below the current value an error is.
fn at(member: &str) -> String {
    let mut pointer = String::from("@");
    push_segment(&mut pointer, member);
    pointer
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
