//! Which keywords make sense where: a keyword that does not apply (a `pattern` on an integer, `minimum` on a
//! `$ref`) is an error, never silently dropped.

use super::Ctx;
use crate::diagnostic::join;
use crate::schema::Node;

/// Documentation keywords, allowed everywhere.
const ALWAYS: [&str; 5] = ["title", "description", "examples", "default", "deprecated"];

pub(crate) const STRUCT: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "if",
    "then",
    "else",
    "allOf",
    "anyOf",
    "x-compare",
    "x-name",
];
pub(crate) const MAP: &[&str] = &[
    "type",
    "additionalProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "x-name",
];
pub(crate) const INT_ENUM: &[&str] = &["type", "oneOf", "x-name"];
pub(crate) const STR_ENUM: &[&str] = &["type", "oneOf", "enum", "x-enumNames", "x-name"];
pub(crate) const UNION: &[&str] = &["type", "oneOf", "x-name"];
pub(crate) const VARIANT: &[&str] = &["const", "type"];
pub(crate) const REFERENCE: &[&str] = &["$ref", "x-aliases", "x-sensitive"];
pub(crate) const ARRAY: &[&str] = &[
    "type",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "x-name",
];
pub(crate) const STRING: &[&str] = &[
    "type",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "x-minBytes",
    "x-maxBytes",
    "const",
    "enum",
    "x-aliases",
    "x-sensitive",
    "x-name",
];
pub(crate) const INTEGER: &[&str] = &[
    "type",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "format",
    "const",
    "enum",
    "x-minorUnits",
    "x-aliases",
    "x-name",
];
pub(crate) const LENIENT_INTEGER: &[&str] = &[
    "type",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "pattern",
    "format",
    "x-minorUnits",
    "x-aliases",
    "x-name",
];
pub(crate) const NUMBER: &[&str] = &[
    "type",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "x-decimalPlaces",
    "format",
    "const",
    "enum",
    "x-aliases",
    "x-name",
];
pub(crate) const BOOLEAN: &[&str] = &["type", "const", "enum", "x-aliases", "x-name"];
pub(crate) const ANY: &[&str] = &["x-aliases", "x-name"];
/// What `propertyNames` may say about a map's member names.
pub(crate) const PROPERTY_NAMES: &[&str] = &[
    "type",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "x-minBytes",
    "x-maxBytes",
];

/// Reports each keyword of `node` that is neither documentation nor in `allowed`.
pub(crate) fn check_allowed(ctx: &mut Ctx, node: &Node, allowed: &[&str], pointer: &str) {
    for keyword in &node.keywords {
        if !allowed.contains(keyword) && !ALWAYS.contains(keyword) {
            ctx.error(
                &join(pointer, keyword),
                format!("`{keyword}` does not apply here"),
            );
        }
    }
}
