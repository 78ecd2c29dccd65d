//! Which keywords make sense where: a keyword that does not apply (a `pattern` on an integer, `minimum` on a
//! `$ref`) is an error, never silently dropped.

use super::Ctx;
use crate::diagnostic::join;
use crate::schema::Node;

/// Documentation keywords, allowed everywhere.
const ALWAYS: [&str; 6] = [
    "title",
    "description",
    "$comment",
    "examples",
    "default",
    "format",
];

pub(crate) const STRUCT: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "dependentRequired",
    "if",
    "then",
    "x-compare",
];
pub(crate) const INT_ENUM: &[&str] = &["type", "oneOf"];
pub(crate) const VARIANT: &[&str] = &["const"];
pub(crate) const REFERENCE: &[&str] = &["$ref", "x-aliases"];
pub(crate) const ARRAY: &[&str] = &["type", "items", "minItems", "maxItems"];
pub(crate) const STRING: &[&str] = &[
    "type",
    "minLength",
    "pattern",
    "x-minBytes",
    "x-maxBytes",
    "x-aliases",
    "x-sensitive",
];
pub(crate) const INTEGER: &[&str] = &["type", "minimum", "maximum", "x-aliases"];
pub(crate) const LENIENT_INTEGER: &[&str] = &["type", "minimum", "maximum", "pattern", "x-aliases"];
pub(crate) const NUMBER: &[&str] = &["type", "minimum", "maximum", "x-decimalPlaces", "x-aliases"];
pub(crate) const BOOLEAN: &[&str] = &["type", "x-aliases"];
pub(crate) const ANY: &[&str] = &["x-aliases"];

/// Reports each keyword of `node` that is neither documentation nor in `allowed`.
pub(crate) fn check_allowed(ctx: &mut Ctx, node: &Node, allowed: &[&str], pointer: &str) {
    for keyword in present(node) {
        if !allowed.contains(&keyword) && !ALWAYS.contains(&keyword) {
            ctx.error(
                &join(pointer, keyword),
                format!("`{keyword}` does not apply here"),
            );
        }
    }
}

/// The keywords `node` uses, by their schema spelling.
fn present(node: &Node) -> Vec<&'static str> {
    let flags = [
        (node.reference.is_some(), "$ref"),
        (node.ty.is_some(), "type"),
        (node.title.is_some(), "title"),
        (node.description.is_some(), "description"),
        (node.comment.is_some(), "$comment"),
        (node.examples.is_some(), "examples"),
        (node.default.is_some(), "default"),
        (node.format.is_some(), "format"),
        (node.properties.is_some(), "properties"),
        (node.required.is_some(), "required"),
        (node.additional_properties.is_some(), "additionalProperties"),
        (node.dependent_required.is_some(), "dependentRequired"),
        (node.if_.is_some(), "if"),
        (node.then.is_some(), "then"),
        (node.x_compare.is_some(), "x-compare"),
        (node.items.is_some(), "items"),
        (node.min_items.is_some(), "minItems"),
        (node.max_items.is_some(), "maxItems"),
        (node.min_length.is_some(), "minLength"),
        (node.pattern.is_some(), "pattern"),
        (node.x_min_bytes.is_some(), "x-minBytes"),
        (node.x_max_bytes.is_some(), "x-maxBytes"),
        (node.minimum.is_some(), "minimum"),
        (node.maximum.is_some(), "maximum"),
        (node.x_decimal_places.is_some(), "x-decimalPlaces"),
        (node.one_of.is_some(), "oneOf"),
        (node.constant.is_some(), "const"),
        (node.x_aliases.is_some(), "x-aliases"),
        (node.x_sensitive.is_some(), "x-sensitive"),
    ];
    flags
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| name)
        .collect()
}
