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
}

/// One member of an object.
#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub required: bool,
    pub kind: MemberKind,
}

/// What a member holds, as far as the shape pass looks.
#[derive(Debug)]
pub enum MemberKind {
    /// A scalar or anything the typed parse checks on its own.
    Value,
    /// A named object.
    Object(&'static ObjectShape),
    /// An array of named objects.
    ArrayOf(&'static ObjectShape),
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
        match (present, &member.kind) {
            (None, _) if member.required => found.push(Violation {
                pointer: pointer.clone(),
                rule: "required",
                message: format!("`{}` is required", member.name),
            }),
            (Some(value), MemberKind::Object(inner)) => check_object(value, inner, pointer, found),
            (Some(Value::Array(items)), MemberKind::ArrayOf(inner)) => {
                for (index, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                    check_object(item, inner, pointer, found);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
        pointer.truncate(len);
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
