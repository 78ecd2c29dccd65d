//! Lowering one value's schema (a property, an array's items, a map's values, a scalar definition) to a
//! [`Shape`]: the Rust type [`kind`](super::kind) says, the checks the runtime makes natively, and a residual
//! check by the compiled schema for whatever those do not say.

use serde_json::Value;

use super::ctx::Ctx;
use super::keywords::{self, residual, residual_any};
use super::kind::{classify, nullable_wrapper, JsonType, Kind};
use super::registry::Resolved;
use super::scalar::constraint_checks;
use crate::diagnostic::join;
use crate::model::{Check, MapShape, Shape, Ty};
use crate::schema::Node;

/// The doc comment of a node: its description, then its first example and its default.
pub(crate) fn doc_of(node: &Node) -> Option<String> {
    let mut doc = node.description.clone().unwrap_or_default();
    if let Some(example) = node.examples.as_ref().and_then(|examples| examples.first()) {
        doc.push_str(&format!("\n\nExample: `{}`", compact(example)));
    }
    if let Some(default) = &node.default {
        doc.push_str(&format!("\n\nDefault: `{}`", compact(default)));
    }
    if node.deprecated == Some(true) {
        doc.push_str("\n\nDeprecated by the platform.");
    }
    let doc = doc.trim().to_owned();
    (!doc.is_empty()).then_some(doc)
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Lowers a scalar, array, map or any-value definition (the inner value of a newtype); `null` among its types
/// makes the members that use it nullable instead.
pub(crate) fn lower_newtype(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    let mut shape = lower_shape(ctx, node, pointer)?;
    shape.nullable = false;
    Some(shape)
}

/// Lowers a property, an array's items or a map's values.
pub(crate) fn lower_shape(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    if let Some(accepts) = node.boolean {
        // `false` accepts nothing: the compiled schema says so of any value.
        let checks = if accepts {
            Vec::new()
        } else {
            vec![Check::Schema(pointer.to_owned())]
        };
        return Some(Shape::new(Ty::Any, checks));
    }
    // A schema that can reach a `$dynamicRef` is checked whole from here, in the dynamic scope it is in.
    if ctx.registry.is_dynamic(ctx.file, pointer) {
        return Some(Shape::new(Ty::Any, vec![Check::Schema(pointer.to_owned())]));
    }
    if let Some(inner) = nullable_wrapper(node) {
        return nullable(ctx, node, inner, pointer);
    }
    if node.reference.is_some() && !super::kind::only(node, &["$ref"]) {
        if let Some(shape) = reference_with_checks(ctx, node, pointer) {
            return Some(shape);
        }
    }
    let (kind, nullable) = classify(node, &|_| None);
    let about: &[&str] = match &kind {
        Kind::Scalar(JsonType::String) => &["strings"],
        Kind::Scalar(JsonType::Integer) | Kind::LenientInteger => &["integers"],
        Kind::Scalar(JsonType::Number) => &["numbers"],
        Kind::Scalar(_) | Kind::Map => &[],
        _ => &["strings", "integers", "numbers", "objects"],
    };
    keywords::check_x_keywords(ctx, node, about, pointer);
    let mut shape = match kind {
        Kind::Reference => return reference(ctx, node, pointer),
        Kind::Scalar(JsonType::String) => {
            check_pattern(ctx, node, pointer);
            scalar(node, pointer, Ty::String, keywords::STRING)
        }
        Kind::Any => return Some(any(node, pointer)),
        Kind::Scalar(JsonType::Integer) => {
            let ty = Ty::Integer {
                lenient: false,
                minor_units: node.x_minor_units == Some(true),
            };
            scalar(node, pointer, ty, keywords::NUMBER)
        }
        Kind::LenientInteger => {
            let ty = Ty::Integer {
                lenient: true,
                minor_units: node.x_minor_units == Some(true),
            };
            scalar(node, pointer, ty, keywords::DIGITS)
        }
        Kind::Scalar(JsonType::Number) => scalar(node, pointer, Ty::Number, keywords::NUMBER),
        Kind::Scalar(JsonType::Boolean) => scalar(node, pointer, Ty::Boolean, &[]),
        Kind::Scalar(JsonType::Array) => array(ctx, node, pointer)?,
        Kind::Map => map(ctx, node, pointer)?,
        // Named kinds are lifted into definitions of their own before lowering; what is left takes any value.
        _ => return Some(any(node, pointer)),
    };
    shape.nullable = nullable;
    Some(shape)
}

/// A `pattern` that is no regular expression at all is an error (one the runtime's DFA cannot take, with
/// look-around say, is left to the compiled schema).
fn check_pattern(ctx: &mut Ctx, node: &Node, pointer: &str) {
    if let Some(pattern) = &node.pattern {
        if let Some(why) = super::verify::regex_error(pattern) {
            ctx.error(&join(pointer, "pattern"), why);
        }
    }
}

/// Any JSON value, checked whole by the compiled schema when the schema constrains it.
fn any(node: &Node, pointer: &str) -> Shape {
    let checks = residual_any(node, pointer).into_iter().collect();
    Shape::new(Ty::Any, checks)
}

/// `$ref`: the named type of the definition it names; a schema that is no named type is checked whole.
fn reference(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    let target = node.reference.as_deref()?;
    match ctx.resolve(pointer, target)? {
        Resolved::Def(def) => {
            let named = ctx.named(def);
            Some(Shape {
                ty: Ty::Named(named),
                checks: Vec::new(),
                nullable: def.nullable,
                boxed: false,
            })
        }
        Resolved::Schema => Some(Shape::new(Ty::Any, vec![Check::Schema(pointer.to_owned())])),
    }
}

/// `$ref` to a scalar definition with keywords of its own beside it (`{"$ref": "#/$defs/Yuan", "minimum": 0}`):
/// the named type, with those keywords' checks on its value (what they cannot say natively, the compiled
/// schema checks). `None` when the target is no scalar: the schema is then typed by its own keywords.
fn reference_with_checks(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    let target = node.reference.as_deref()?;
    let Resolved::Def(def) = ctx.resolve(pointer, target)? else {
        return None;
    };
    let (inner, applies): (Ty, &[&'static str]) = match def.kind {
        Kind::Scalar(JsonType::String) => (Ty::String, keywords::STRING),
        Kind::Scalar(JsonType::Number) => (Ty::Number, keywords::NUMBER),
        Kind::Scalar(JsonType::Integer) | Kind::LenientInteger => (
            Ty::Integer {
                lenient: false,
                minor_units: false,
            },
            keywords::NUMBER,
        ),
        Kind::Scalar(JsonType::Boolean) => (Ty::Boolean, &[]),
        _ => return None,
    };
    let found = constraint_checks(node, &inner);
    let left: Vec<&str> = found.left.iter().map(|(keyword, _)| *keyword).collect();
    let mut native: Vec<&str> = applies
        .iter()
        .copied()
        .filter(|k| !left.contains(k))
        .collect();
    native.push("$ref");
    if !left.contains(&"const") && !left.contains(&"enum") {
        native.extend(["const", "enum"]);
    }
    let named = ctx.named(def);
    let mut checks = found.checks;
    checks.extend(residual(node, applies, &native, pointer));
    Some(Shape {
        ty: Ty::Named(named),
        checks,
        nullable: def.nullable,
        boxed: false,
    })
}

/// `oneOf`/`anyOf` of a schema and `{"type": "null"}`.
fn nullable(ctx: &mut Ctx, node: &Node, inner: &Node, pointer: &str) -> Option<Shape> {
    let keyword = if node.one_of.is_some() {
        "oneOf"
    } else {
        "anyOf"
    };
    let options = node.one_of.as_ref().or(node.any_of.as_ref())?;
    let index = options
        .iter()
        .position(|option| std::ptr::eq(option, inner))
        .unwrap_or(0);
    let mut shape = lower_shape(
        ctx,
        inner,
        &join(&join(pointer, keyword), &index.to_string()),
    )?;
    shape.nullable = true;
    Some(shape)
}

/// A string, number, integer or boolean with the checks its keywords make; `applies` are the keywords of
/// its type.
fn scalar(node: &Node, pointer: &str, ty: Ty, applies: &[&'static str]) -> Shape {
    let found = constraint_checks(node, &ty);
    let mut native: Vec<&str> = applies.to_vec();
    native.extend(["type", "const", "enum"]);
    let left: Vec<&str> = found.left.iter().map(|(keyword, _)| *keyword).collect();
    native.retain(|keyword| !left.contains(keyword));
    let mut checks = found.checks;
    checks.extend(residual(node, applies, &native, pointer));
    Shape::new(ty, checks)
}

fn array(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    let mut native = vec!["type", "minItems", "maxItems", "uniqueItems"];
    // With `prefixItems`, `items` is the schema of the items after the tuple: no one type holds them all.
    let items = match (&node.items, &node.prefix_items) {
        (Some(items), None) => {
            native.push("items");
            lower_shape(ctx, items, &join(pointer, "items"))?
        }
        _ => Shape::new(Ty::Any, Vec::new()),
    };
    let mut checks = Vec::new();
    checks.extend(node.min_items.map(Check::MinItems));
    checks.extend(node.max_items.map(Check::MaxItems));
    if node.unique_items == Some(true) {
        checks.push(if rust_equality_is_json(&items) {
            Check::UniqueItems
        } else {
            Check::UniqueJson
        });
    }
    checks.extend(residual(node, keywords::ARRAY, &native, pointer));
    Some(Shape::new(Ty::Array(Box::new(items)), checks))
}

/// Whether two values of this shape are equal in Rust exactly when their JSON is equal in JSON Schema's
/// sense: strings, integers, booleans, decimals (normalized, so `1.0 == 1`), closed enums.
fn rust_equality_is_json(shape: &Shape) -> bool {
    if shape.nullable {
        return false;
    }
    match &shape.ty {
        Ty::String | Ty::Integer { lenient: false, .. } | Ty::Number | Ty::Boolean => true,
        Ty::Named(named) => named.copy,
        _ => false,
    }
}

/// An object without named members: a map from member names to values of one schema.
fn map(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    let mut native = vec![
        "type",
        "additionalProperties",
        "minProperties",
        "maxProperties",
    ];
    let values = match &node.additional_properties {
        Some(values) => lower_shape(ctx, values, &join(pointer, "additionalProperties"))?,
        None => Shape::new(Ty::Any, Vec::new()),
    };
    let keys = match node.property_names.as_deref().map(property_names) {
        Some(Some(keys)) => {
            native.push("propertyNames");
            keys
        }
        _ => Vec::new(),
    };
    let mut checks = Vec::new();
    checks.extend(node.min_properties.map(Check::MinProperties));
    checks.extend(node.max_properties.map(Check::MaxProperties));
    checks.extend(residual(node, keywords::OBJECT, &native, pointer));
    Some(Shape::new(
        Ty::Map(Box::new(MapShape { values, keys })),
        checks,
    ))
}

/// The checks `propertyNames` puts on each member name, when they are all string checks the runtime makes
/// natively; `None` leaves the keyword to the compiled schema.
pub(crate) fn property_names(node: &Node) -> Option<Vec<Check>> {
    if node.boolean.is_some() || !kind_only(node, keywords::PROPERTY_NAMES) {
        return None;
    }
    if node
        .ty
        .as_ref()
        .is_some_and(|types| types != &["string".to_owned()])
    {
        return None;
    }
    let found = constraint_checks(node, &Ty::String);
    found.left.is_empty().then_some(found.checks)
}

fn kind_only(node: &Node, allowed: &[&str]) -> bool {
    super::kind::only(node, allowed)
}
