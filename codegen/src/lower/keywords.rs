//! Which keywords constrain which values, and which of them the typed checks make natively: what is left is
//! checked by the compiled schema (a residual check), so a keyword is never silently dropped. A keyword of
//! another type (`pattern` on an integer) constrains nothing, as JSON Schema says.

use super::ctx::Ctx;
use super::kind::NEUTRAL;
use crate::diagnostic::join;
use crate::model::Check;
use crate::schema::Node;

/// Keywords about strings.
pub(crate) const STRING: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "x-minBytes",
    "x-maxBytes",
];
/// Keywords about numbers.
pub(crate) const NUMBER: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "x-decimalPlaces",
    "x-minorUnits",
];
/// The keywords of an integer also read from digits: its `pattern` is the digits its reader takes.
pub(crate) const DIGITS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "x-minorUnits",
    "pattern",
];
/// Keywords about arrays.
pub(crate) const ARRAY: &[&str] = &[
    "items",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "unevaluatedItems",
];
/// Keywords about objects.
pub(crate) const OBJECT: &[&str] = &[
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "required",
    "dependentRequired",
    "dependentSchemas",
    "minProperties",
    "maxProperties",
    "unevaluatedProperties",
    "x-compare",
];
/// Keywords about values of any type.
const ANY_TYPE: &[&str] = &[
    "type",
    "enum",
    "const",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "$ref",
    "$dynamicRef",
];
/// What `propertyNames` may say natively about a map's member names.
pub(crate) const PROPERTY_NAMES: &[&str] = &[
    "type",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "x-minBytes",
    "x-maxBytes",
];

pub(crate) const INT_ENUM: &[&str] = &["type", "oneOf", "x-name"];
pub(crate) const STR_ENUM: &[&str] = &["type", "oneOf", "enum", "x-enumNames", "x-name"];
pub(crate) const UNION: &[&str] = &["type", "oneOf", "x-name"];
pub(crate) const VARIANT: &[&str] = &["const", "type"];

/// The residual check of the schema at `pointer`: needed when it holds a keyword of any type, or of the
/// value's type (`applies`), that the typed checks do not make (`native`).
pub(crate) fn residual(
    node: &Node,
    applies: &[&str],
    native: &[&str],
    pointer: &str,
) -> Option<Check> {
    let left = node.keywords.iter().any(|keyword| {
        !NEUTRAL.contains(keyword)
            && !native.contains(keyword)
            && (ANY_TYPE.contains(keyword) || applies.contains(keyword))
    });
    left.then(|| Check::Schema(pointer.to_owned()))
}

/// The residual check of a schema whose value may be of any type: every keyword that constrains anything.
pub(crate) fn residual_any(node: &Node, pointer: &str) -> Option<Check> {
    let left = node.boolean == Some(false)
        || node
            .keywords
            .iter()
            .any(|keyword| !NEUTRAL.contains(keyword));
    left.then(|| Check::Schema(pointer.to_owned()))
}

/// Reports each keyword of `node` that is neither documentation nor in `allowed`; for the forms the typed
/// checks know, tried with [`Ctx::attempt`], where a report means "left to the compiled schema".
pub(crate) fn check_allowed(ctx: &mut Ctx, node: &Node, allowed: &[&str], pointer: &str) {
    for keyword in &node.keywords {
        if !allowed.contains(keyword) && !NEUTRAL.contains(keyword) {
            ctx.error(
                &join(pointer, keyword),
                format!("`{keyword}` does not apply here"),
            );
        }
    }
}

/// The `x-` keywords that constrain values, and the type each is about.
const X_KEYWORDS: &[(&str, &str)] = &[
    ("x-minBytes", "strings"),
    ("x-maxBytes", "strings"),
    ("x-decimalPlaces", "numbers"),
    ("x-minorUnits", "integers"),
    ("x-compare", "objects"),
];

/// Reports each `x-` keyword of `node` that is about another type than the value's (`what`: `strings`,
/// `integers`, ...). JSON Schema ignores a standard keyword of another type; salesync's own keywords are
/// only ever written on purpose, so one in the wrong place is a mistake to point out.
pub(crate) fn check_x_keywords(ctx: &mut Ctx, node: &Node, what: &[&str], pointer: &str) {
    for (keyword, about) in X_KEYWORDS {
        if node.keywords.contains(keyword) && !what.contains(about) {
            ctx.error(
                &join(pointer, keyword),
                format!("`{keyword}` is about {about}: this value is not one"),
            );
        }
    }
}
