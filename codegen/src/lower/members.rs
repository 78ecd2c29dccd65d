//! The members of an object: its fields, named for Rust, and finding one by name for the rules that name it.

use std::collections::BTreeSet;

use super::ctx::Ctx;
use super::names::field_name;
use super::shape::{doc_of, lower_shape};
use crate::diagnostic::join;
use crate::model::{Direction, Field};
use crate::schema::Node;

/// The fields of an object's `properties`, in schema order.
pub(crate) fn fields(
    ctx: &mut Ctx,
    node: &Node,
    direction: Direction,
    pointer: &str,
) -> Vec<Field> {
    let required = node.required.clone().unwrap_or_default();
    // `extra` holds the members an object does not name, unless it refuses them (and is only sent).
    let refuses = node.pattern_properties.is_none()
        && node
            .additional_properties
            .as_ref()
            .is_some_and(|extra| extra.boolean == Some(false));
    let has_extra = direction != Direction::Request || !refuses;
    let mut fields: Vec<Field> = Vec::new();
    let mut rust_names = BTreeSet::new();
    for (name, property) in node.properties.iter().flatten() {
        let property_pointer = join(&join(pointer, "properties"), name);
        let taken = |rust: &String| (has_extra && rust == "extra") || rust_names.contains(rust);
        let rust = field_name(name)
            .filter(|rust| !taken(rust))
            .unwrap_or_else(|| spelled_out(name));
        rust_names.insert(rust.clone());
        let aliases = property.x_aliases.clone().unwrap_or_default();
        if !aliases.is_empty() && direction != Direction::Response {
            ctx.error(
                &join(&property_pointer, "x-aliases"),
                "aliases are for responses: requests are strict",
            );
        }
        if let Some(shape) = lower_shape(ctx, property, &property_pointer) {
            fields.push(Field {
                name: name.clone(),
                rust,
                doc: doc_of(property),
                required: required.contains(name),
                shape,
                aliases,
                sensitive: property.x_sensitive == Some(true),
                pointer: property_pointer.clone(),
            });
        }
    }
    fields
}

/// The member `name` of an object's fields; a name that is none of them is reported at `pointer`.
pub(crate) fn field<'a>(
    ctx: &mut Ctx,
    fields: &'a [Field],
    name: &str,
    pointer: &str,
) -> Option<&'a Field> {
    let found = fields.iter().find(|f| f.name == name);
    if found.is_none() {
        ctx.error(
            pointer,
            format!("`{name}` is not a property of this object"),
        );
    }
    found
}

/// `field`'s Rust name made unique among `taken` (a member merged from an `allOf` part beside one of
/// another spelling: `fooBar` beside `foo_bar`).
pub(crate) fn rename_if_taken(field: &mut Field, taken: &[&str]) {
    if taken.contains(&field.rust.as_str()) {
        field.rust = spelled_out(&field.name);
    }
}

/// A field name for a member whose natural one is taken or cannot be made (`fooBar` beside `foo_bar`, `汉字`,
/// the empty name): every character that is not a lower-case letter or a digit is spelt by its code point,
/// so two members never share one.
fn spelled_out(member: &str) -> String {
    let mut rust = String::from("m_");
    for c in member.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            rust.push(c);
        } else {
            rust.push_str(&format!("_{:x}_", c as u32));
        }
    }
    if member.is_empty() {
        rust.push_str("empty");
    }
    rust
}
