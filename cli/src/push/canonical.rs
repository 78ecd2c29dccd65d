//! A row's canonical form: the bytes its checkpoint hash is taken of.
//!
//! The item is walked through serde, as serde_json would write it, but into a compact self-delimiting binary
//! form instead of JSON text: no escaping and no number formatting, which were most of what hashing a row
//! cost (the row is serialized again for its request anyway). Two items that serde_json writes alike (the
//! same members with the same values, members in the type's order) have the same form, so whitespace, member
//! order and the input's format do not change a row's hash.
//!
//! The form, each value prefixed by a one-byte tag (integers little-endian):
//!
//! | value | bytes |
//! | --- | --- |
//! | null, `None`, `()` | `n` |
//! | `true`, `false` | `t`, `f` |
//! | an integer that fits `i64` | `i` + 8 bytes |
//! | a larger unsigned integer | `u` + 8 bytes (`U` + 16 for `u128`); a larger signed one `I` + 16 bytes |
//! | a float | `d` + the 8 bytes of its `f64` |
//! | a string, a `char`, a unit variant's name | `s` + length (8 bytes) + UTF-8 |
//! | bytes | `b` + length (8 bytes) + bytes |
//! | a sequence or tuple | `[` + values + `]` |
//! | a map or struct | `{` + key, value, ... + `}` (members serde skips are absent) |
//! | a newtype, tuple or struct variant | `{` + its name + its value + `}`, as serde_json tags it |
//!
//! Every value is self-delimiting, so different values never share a form. This form is part of checkpoint
//! format 2: changing it would leave earlier checkpoints' hashes unmatched, so it is named in the header
//! ([`super::checkpoint::ROW_HASH`]) and a checkpoint hashed another way is refused.

use std::fmt;

use serde::ser::{self, Serialize};

/// Writes `value`'s canonical form into `buffer` (cleared first). An error of the value's own `Serialize`
/// leaves what was written before it.
pub fn write<T: Serialize + ?Sized>(value: &T, buffer: &mut Vec<u8>) -> Result<(), Error> {
    buffer.clear();
    value.serialize(&mut Canonical(buffer))
}

/// A value's `Serialize` failed.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

/// The serializer: appends to the buffer.
struct Canonical<'b>(&'b mut Vec<u8>);

impl Canonical<'_> {
    fn tagged(&mut self, tag: u8, bytes: &[u8]) -> Done {
        self.0.push(tag);
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn string(&mut self, tag: u8, bytes: &[u8]) {
        let mut head = [tag; 9];
        head[1..].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(&head);
        self.0.extend_from_slice(bytes);
    }
}

type Done = Result<(), Error>;

impl<'a, 'b> ser::Serializer for &'a mut Canonical<'b> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Done {
        self.0.push(if v { b't' } else { b'f' });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Done {
        self.tagged(b'i', &v.to_le_bytes())
    }

    fn serialize_i128(self, v: i128) -> Done {
        match i64::try_from(v) {
            Ok(v) => self.serialize_i64(v),
            Err(_) => match u64::try_from(v) {
                Ok(v) => self.serialize_u64(v),
                Err(_) => self.tagged(b'I', &v.to_le_bytes()),
            },
        }
    }

    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Done {
        match i64::try_from(v) {
            Ok(v) => self.serialize_i64(v),
            Err(_) => self.tagged(b'u', &v.to_le_bytes()),
        }
    }

    fn serialize_u128(self, v: u128) -> Done {
        match u64::try_from(v) {
            Ok(v) => self.serialize_u64(v),
            Err(_) => self.tagged(b'U', &v.to_le_bytes()),
        }
    }

    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Done {
        self.tagged(b'd', &v.to_bits().to_le_bytes())
    }

    fn serialize_char(self, v: char) -> Done {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Done {
        self.string(b's', v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Done {
        self.string(b'b', v);
        Ok(())
    }

    fn serialize_none(self) -> Done {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Done {
        self.0.push(b'n');
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Done {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Done {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Done {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.0.push(b'{');
        self.string(b's', variant.as_bytes());
        value.serialize(&mut *self)?;
        self.0.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Error> {
        self.0.push(b'[');
        Ok(self)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Error> {
        self.0.push(b'{');
        self.string(b's', variant.as_bytes());
        self.0.push(b'[');
        Ok(self)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Error> {
        self.0.push(b'{');
        Ok(self)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        self.0.push(b'{');
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Error> {
        self.0.push(b'{');
        self.string(b's', variant.as_bytes());
        self.0.push(b'{');
        Ok(self)
    }
}

/// The compounds whose members are values (sequences, tuples): each member as it is, then the closing bytes.
macro_rules! values {
    ($($trait:ident :: $method:ident closed by $close:literal;)*) => {$(
        impl ser::$trait for &mut Canonical<'_> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
                value.serialize(&mut **self)
            }

            fn end(self) -> Done {
                self.0.extend_from_slice($close);
                Ok(())
            }
        }
    )*};
}

values! {
    SerializeSeq::serialize_element closed by b"]";
    SerializeTuple::serialize_element closed by b"]";
    SerializeTupleStruct::serialize_field closed by b"]";
    SerializeTupleVariant::serialize_field closed by b"]}";
}

/// The compounds whose members are named (structs): each name as a string, its value, then the closing bytes.
macro_rules! members {
    ($($trait:ident closed by $close:literal;)*) => {$(
        impl ser::$trait for &mut Canonical<'_> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Done {
                self.string(b's', key.as_bytes());
                value.serialize(&mut **self)
            }

            fn end(self) -> Done {
                self.0.extend_from_slice($close);
                Ok(())
            }
        }
    )*};
}

members! {
    SerializeStruct closed by b"}";
    SerializeStructVariant closed by b"}}";
}

impl ser::SerializeMap for &mut Canonical<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }

    fn end(self) -> Done {
        self.0.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        let mut buffer = vec![b'x'];
        write(value, &mut buffer).unwrap();
        buffer
    }

    #[test]
    fn the_documented_bytes() {
        let mut expected = vec![b'{', b's'];
        expected.extend_from_slice(&1u64.to_le_bytes());
        expected.push(b'a');
        expected.push(b'[');
        expected.push(b'i');
        expected.extend_from_slice(&(-2i64).to_le_bytes());
        expected.extend_from_slice(b"ntf");
        expected.push(b'd');
        expected.extend_from_slice(&1.5f64.to_bits().to_le_bytes());
        expected.extend_from_slice(b"]}");
        assert_eq!(form(&json!({"a": [-2, null, true, false, 1.5]})), expected);
    }

    #[test]
    fn integers_are_one_number_whatever_their_type() {
        assert_eq!(form(&7u8), form(&7i64));
        assert_eq!(form(&7u64), form(&7i128));
        assert_eq!(form(&u64::MAX), form(&u128::from(u64::MAX)));
        assert_ne!(form(&u64::MAX), form(&-1i64));
        assert_ne!(form(&7i64), form(&7.0f64));
        assert_eq!(form(&None::<u8>), form(&()));
        assert_eq!(form(&Some(3u8)), form(&3u8));
    }

    #[test]
    fn members_and_strings_cannot_run_into_each_other() {
        // Without lengths, {"ab":"c"} and {"a":"bc"} would be the same bytes.
        assert_ne!(form(&json!({"ab": "c"})), form(&json!({"a": "bc"})));
        assert_ne!(form(&json!(["a", "b"])), form(&json!(["ab"])));
        assert_ne!(form(&json!([[1], 2])), form(&json!([[1, 2]])));
        assert_ne!(form(&json!({"a": {}})), form(&json!({"a": []})));
        assert_ne!(form(&json!("1")), form(&json!(1)));
    }

    #[test]
    fn a_struct_and_the_same_members_in_a_map_are_alike() {
        #[derive(serde::Serialize)]
        struct Price {
            current_price: u32,
            #[serde(skip_serializing_if = "Option::is_none")]
            sku_price: Option<u32>,
        }
        let price = Price {
            current_price: 8,
            sku_price: None,
        };
        assert_eq!(form(&price), form(&json!({"current_price": 8})));
        #[derive(serde::Serialize)]
        enum Tagged {
            Unit,
            Newtype(u8),
            Tuple(u8, u8),
            Struct { a: u8 },
        }
        assert_eq!(form(&Tagged::Unit), form(&json!("Unit")));
        assert_eq!(form(&Tagged::Newtype(1)), form(&json!({"Newtype": 1})));
        assert_eq!(form(&Tagged::Tuple(1, 2)), form(&json!({"Tuple": [1, 2]})));
        assert_eq!(
            form(&Tagged::Struct { a: 1 }),
            form(&json!({"Struct": {"a": 1}}))
        );
    }
}
