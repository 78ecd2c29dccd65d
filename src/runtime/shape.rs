//! The members each request object may and must have, checked on the raw JSON before typed parsing: a typed
//! parse stops at the first missing or unknown member, this pass reports every one of them at once.

use serde_json::Value;

use super::validate::push_segment;
use super::Violation;

/// The members of one request object.
#[derive(Debug)]
pub struct ObjectShape {
    /// The Rust type, for messages.
    pub name: &'static str,
    pub members: &'static [Member],
    /// Whether members it does not name are allowed (the schema says so, or gives them a schema).
    pub open: bool,
}

/// A union's tag member and the members of each variant.
#[derive(Debug)]
pub struct UnionShape {
    pub tag: &'static str,
    pub variants: &'static [(TagValue, &'static ObjectShape)],
}

/// The value of a union's tag member that selects a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagValue {
    Str(&'static str),
    Int(i64),
}

impl TagValue {
    fn matches(self, value: &Value) -> bool {
        match self {
            TagValue::Str(text) => value.as_str() == Some(text),
            TagValue::Int(code) => value.as_i64() == Some(code),
        }
    }
}

/// One member of an object.
#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub required: bool,
    pub kind: MemberKind,
}

/// What a member holds: the shape pass looks into objects, unions, arrays and maps; readers of untyped text
/// (a CSV cell) type a scalar by its [`Scalar`].
#[derive(Debug)]
pub enum MemberKind {
    /// A scalar (or any JSON value), which the typed parse checks on its own.
    Value(Scalar),
    /// A named object.
    Object(&'static ObjectShape),
    /// An array of named objects.
    ArrayOf(&'static ObjectShape),
    /// A union of objects, told apart by a tag member.
    Union(&'static UnionShape),
    /// An array of anything but plain objects (unions, arrays, maps).
    Array(&'static MemberKind),
    /// A map whose values are objects, unions, arrays or maps.
    Map(&'static MemberKind),
    /// What a type that contains itself holds, reached through a function (a constant cannot contain
    /// itself).
    Lazy(fn() -> &'static MemberKind),
}

/// The JSON a scalar member takes, as the schema's `type` (and `enum`) say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// A string (`type: string`, a `const` or `format` string).
    String,
    /// An integer (`type: integer`).
    Integer,
    /// An integer, or a string of digits (`type: ["integer", "string"]`): sent as a number.
    IntegerOrDigits,
    /// A number, read exactly (`type: number`).
    Number,
    /// `true` or `false`.
    Boolean,
    /// One of these strings (an `enum` of strings).
    StrEnum(&'static [&'static str]),
    /// One of these integer codes (an `enum` of integers).
    IntEnum(&'static [i64]),
    /// Any JSON value (no `type`).
    Any,
}

/// A named type that is not an object (an enum, a newtype): what a member of that type holds.
pub trait Kinded {
    /// What a member of this type holds.
    const KIND: MemberKind;
}

impl Member {
    /// A required member.
    pub const fn required(name: &'static str, kind: MemberKind) -> Self {
        Member {
            name,
            required: true,
            kind,
        }
    }

    /// An optional member.
    pub const fn optional(name: &'static str, kind: MemberKind) -> Self {
        Member {
            name,
            required: false,
            kind,
        }
    }
}

/// A request type whose shape the generator knows.
pub trait Shaped {
    /// Its members.
    const SHAPE: ObjectShape;
}

/// Every missing required member and every unknown member below `value`; pointers start
/// with `prefix`. Values that are not objects are left to the typed parse, which names their type error.
pub fn check(value: &Value, shape: &ObjectShape, prefix: &str) -> Vec<Violation> {
    let mut pointer = prefix.to_owned();
    let mut found = Vec::new();
    check_object(value, shape, &mut pointer, &mut found);
    found
}

/// [`check`] of a value of any kind (a batch item that is a union, say).
pub fn check_kind(value: &Value, kind: &MemberKind, prefix: &str) -> Vec<Violation> {
    let mut pointer = prefix.to_owned();
    let mut found = Vec::new();
    check_value(value, kind, &mut pointer, &mut found);
    found
}

fn check_object(
    value: &Value,
    shape: &ObjectShape,
    pointer: &mut String,
    found: &mut Vec<Violation>,
) {
    let Value::Object(object) = value else {
        return;
    };
    for member in shape.members {
        // `null` is present: for an optional member the typed parse reads it as absent, for a required one it
        // is a type error there.
        let present = object.get(member.name);
        let len = pointer.len();
        push_segment(pointer, member.name);
        match present {
            None if member.required => found.push(Violation {
                pointer: pointer.clone(),
                rule: "required",
                message: format!("`{}` is required", member.name),
            }),
            Some(value) => check_value(value, &member.kind, pointer, found),
            None => {}
        }
        pointer.truncate(len);
    }
    if shape.open {
        return;
    }
    for key in object.keys() {
        if !shape.members.iter().any(|member| member.name == key) {
            let len = pointer.len();
            push_segment(pointer, key);
            let known: Vec<&str> = shape.members.iter().map(|member| member.name).collect();
            found.push(Violation {
                pointer: pointer.clone(),
                rule: "additionalProperties",
                message: format!(
                    "unknown member `{key}` of {}; expected one of {}",
                    shape.name,
                    known.join(", ")
                ),
            });
            pointer.truncate(len);
        }
    }
}

/// Looks into a member's value as its kind says; values of another JSON type are left to the typed parse.
fn check_value(value: &Value, kind: &MemberKind, pointer: &mut String, found: &mut Vec<Violation>) {
    match (value, kind) {
        (_, MemberKind::Lazy(kind)) => check_value(value, kind(), pointer, found),
        (_, MemberKind::Object(inner)) => check_object(value, inner, pointer, found),
        (Value::Array(items), MemberKind::ArrayOf(inner)) => {
            each_item(items, pointer, |item, pointer| {
                check_object(item, inner, pointer, found)
            })
        }
        // Scalars, and arrays and maps of them, are the typed parse's to check.
        (_, MemberKind::Value(_))
        | (_, MemberKind::Array(MemberKind::Value(_)))
        | (_, MemberKind::Map(MemberKind::Value(_))) => {}
        (Value::Array(items), MemberKind::Array(inner)) => {
            each_item(items, pointer, |item, pointer| {
                check_value(item, inner, pointer, found)
            })
        }
        (Value::Object(entries), MemberKind::Map(inner)) => {
            for (key, entry) in entries {
                let len = pointer.len();
                push_segment(pointer, key);
                check_value(entry, inner, pointer, found);
                pointer.truncate(len);
            }
        }
        (Value::Object(object), MemberKind::Union(union)) => match object.get(union.tag) {
            None => {
                let len = pointer.len();
                push_segment(pointer, union.tag);
                found.push(Violation {
                    pointer: pointer.clone(),
                    rule: "required",
                    message: format!("`{}` is required", union.tag),
                });
                pointer.truncate(len);
            }
            Some(tag) => {
                let variant = union.variants.iter().find(|(value, _)| value.matches(tag));
                if let Some((_, inner)) = variant {
                    check_object(value, inner, pointer, found);
                }
            }
        },
        _ => {}
    }
}

fn each_item(items: &[Value], pointer: &mut String, mut check: impl FnMut(&Value, &mut String)) {
    for (index, item) in items.iter().enumerate() {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&index.to_string());
        check(item, pointer);
        pointer.truncate(len);
    }
}
