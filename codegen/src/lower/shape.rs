//! Lowering one value's schema (a property, an array's items, a map's values, a scalar definition) to a
//! [`Shape`], with every check the schema puts on it.

use serde_json::{Number, Value};

use super::keywords::{self, check_allowed};
use super::registry::nullable_wrapper;
use super::Ctx;
use crate::diagnostic::join;
use crate::model::{Bound, Check, Literal, MapShape, Shape, Ty};
use crate::schema::Node;

/// The string form a lenient integer accepts.
const LENIENT_PATTERN: &str = "^[0-9]+$";

/// The `format`s the runtime validates on strings (`salesync::runtime::format::Format`); any other is
/// documentation, as JSON Schema says of formats a validator does not know.
pub(crate) const VALIDATED_FORMATS: [&str; 10] = [
    "date-time",
    "date",
    "time",
    "uri",
    "uri-reference",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

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

/// Whether a scalar definition becomes a `Copy` newtype (numbers and booleans).
pub(crate) fn is_copy_scalar(node: &Node) -> bool {
    let (types, _) = node.types_without_null();
    matches!(
        types.as_slice(),
        ["integer"] | ["number"] | ["boolean"] | ["integer", "string"] | ["string", "integer"]
    )
}

/// Lowers a scalar, array or map definition (the inner value of a newtype); `null` among its types makes the
/// members that use it nullable instead.
pub(crate) fn lower_newtype(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    let mut shape = lower_shape(ctx, node, pointer)?;
    shape.nullable = false;
    Some(shape)
}

/// Lowers a property, an array's items or a map's values.
pub(crate) fn lower_shape(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    if let Some(accepts) = node.boolean {
        if !accepts {
            ctx.error(
                pointer,
                "`false` allows no value: leave the member out of `properties` instead",
            );
            return None;
        }
        return Some(Shape::new(Ty::Any, Vec::new()));
    }
    if let Some(inner) = nullable_wrapper(node) {
        return nullable(ctx, node, inner, pointer);
    }
    if let Some(target) = &node.reference {
        check_allowed(ctx, node, keywords::REFERENCE, pointer);
        let def = ctx.resolve(target)?;
        let named = ctx.named(def);
        return Some(Shape {
            ty: Ty::Named(named),
            checks: Vec::new(),
            nullable: def.nullable,
        });
    }
    let (types, mut nullable) = node.types_without_null();
    if node
        .enumeration
        .as_ref()
        .is_some_and(|values| values.contains(&Value::Null))
    {
        nullable = true;
    }
    let ty = match types.as_slice() {
        [] => inferred_type(node),
        [one] => one,
        ["integer", "string"] | ["string", "integer"] => "lenient",
        _ => {
            ctx.error(
                &join(pointer, "type"),
                "a list of types may add \"null\" to one type; the only other list supported is [\"integer\", \"string\"]",
            );
            return None;
        }
    };
    let mut shape = match ty {
        "string" => scalar(ctx, node, pointer, keywords::STRING, Ty::String),
        "integer" => scalar(
            ctx,
            node,
            pointer,
            keywords::INTEGER,
            Ty::Integer {
                lenient: false,
                minor_units: node.x_minor_units == Some(true),
            },
        ),
        "lenient" => scalar(
            ctx,
            node,
            pointer,
            keywords::LENIENT_INTEGER,
            Ty::Integer {
                lenient: true,
                minor_units: node.x_minor_units == Some(true),
            },
        ),
        "number" => scalar(ctx, node, pointer, keywords::NUMBER, Ty::Number),
        "boolean" => scalar(ctx, node, pointer, keywords::BOOLEAN, Ty::Boolean),
        "any" => scalar(ctx, node, pointer, keywords::ANY, Ty::Any),
        "array" => array(ctx, node, pointer),
        "object" => map(ctx, node, pointer),
        other => {
            ctx.error(
                &join(pointer, "type"),
                format!("unsupported type `{other}`"),
            );
            None
        }
    }?;
    shape.nullable = nullable;
    Some(shape)
}

/// `oneOf`/`anyOf` of a schema and `{"type": "null"}`.
fn nullable(ctx: &mut Ctx, node: &Node, inner: &Node, pointer: &str) -> Option<Shape> {
    let keyword = if node.one_of.is_some() {
        "oneOf"
    } else {
        "anyOf"
    };
    check_allowed(ctx, node, &[keyword, "x-aliases", "x-sensitive"], pointer);
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

/// The type of a schema without `type`: that of its `const` or `enum` values, else any value.
fn inferred_type(node: &Node) -> &'static str {
    let sample = node.constant.as_ref().or_else(|| {
        node.enumeration
            .as_ref()
            .and_then(|values| values.iter().find(|v| !v.is_null()))
    });
    match sample {
        Some(Value::String(_)) => "string",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(number)) if number.is_i64() || number.is_u64() => "integer",
        Some(Value::Number(_)) => "number",
        _ if node.properties.is_some() || node.additional_properties.is_some() => "object",
        _ if node.items.is_some() => "array",
        _ => "any",
    }
}

fn array(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    check_allowed(ctx, node, keywords::ARRAY, pointer);
    let items = match &node.items {
        Some(items) => lower_shape(ctx, items, &join(pointer, "items"))?,
        None => Shape::new(Ty::Any, Vec::new()),
    };
    let mut checks = Vec::new();
    checks.extend(node.min_items.map(Check::MinItems));
    checks.extend(node.max_items.map(Check::MaxItems));
    if node.unique_items == Some(true) {
        checks.push(Check::UniqueItems);
    }
    Some(Shape::new(Ty::Array(Box::new(items)), checks))
}

/// An object without named members: a map from member names to values of one schema.
fn map(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    check_allowed(ctx, node, keywords::MAP, pointer);
    let values = match &node.additional_properties {
        Some(values) => lower_shape(ctx, values, &join(pointer, "additionalProperties"))?,
        None => Shape::new(Ty::Any, Vec::new()),
    };
    let keys = match &node.property_names {
        Some(names) => property_names(ctx, names, &join(pointer, "propertyNames")),
        None => Vec::new(),
    };
    let mut checks = Vec::new();
    checks.extend(node.min_properties.map(Check::MinProperties));
    checks.extend(node.max_properties.map(Check::MaxProperties));
    Some(Shape::new(
        Ty::Map(Box::new(MapShape { values, keys })),
        checks,
    ))
}

/// The checks `propertyNames` puts on each member name.
fn property_names(ctx: &mut Ctx, node: &Node, pointer: &str) -> Vec<Check> {
    check_allowed(ctx, node, keywords::PROPERTY_NAMES, pointer);
    if node.single_type().is_some_and(|ty| ty != "string") {
        ctx.error(&join(pointer, "type"), "member names are strings");
    }
    string_checks(ctx, node, pointer)
}

/// A scalar (or any value), with the checks of its keywords.
fn scalar(ctx: &mut Ctx, node: &Node, pointer: &str, allowed: &[&str], ty: Ty) -> Option<Shape> {
    check_allowed(ctx, node, allowed, pointer);
    let checks = constraint_checks(ctx, node, &ty, pointer);
    Some(Shape::new(ty, checks))
}

/// The checks a node's keywords put on a value of type `ty` (also for the constraints of a `then`).
pub(crate) fn constraint_checks(ctx: &mut Ctx, node: &Node, ty: &Ty, pointer: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    if *ty == Ty::String {
        checks.extend(string_checks(ctx, node, pointer));
    }
    // A lenient integer's string form is digits only, which its parser enforces; the pattern must say so.
    if matches!(ty, Ty::Integer { lenient: true, .. })
        && node
            .pattern
            .as_deref()
            .is_some_and(|p| p != LENIENT_PATTERN)
    {
        ctx.error(&join(pointer, "pattern"), format!("the string form of a lenient integer is digits only: the pattern must be `{LENIENT_PATTERN}`"));
    }
    let bounds = [
        (&node.minimum, "minimum"),
        (&node.maximum, "maximum"),
        (&node.exclusive_minimum, "exclusiveMinimum"),
        (&node.exclusive_maximum, "exclusiveMaximum"),
        (&node.multiple_of, "multipleOf"),
    ];
    for (number, keyword) in bounds {
        let Some(number) = number else { continue };
        let Some(bound) = bound(ctx, number, ty, &join(pointer, keyword)) else {
            continue;
        };
        checks.push(match keyword {
            "minimum" => Check::Minimum(bound),
            "maximum" => Check::Maximum(bound),
            "exclusiveMinimum" => Check::ExclusiveMinimum(bound),
            "exclusiveMaximum" => Check::ExclusiveMaximum(bound),
            _ => Check::MultipleOf(bound),
        });
    }
    checks.extend(node.x_decimal_places.map(Check::DecimalPlaces));
    if let Some(value) = &node.constant {
        checks.extend(literal(ctx, value, ty, &join(pointer, "const")).map(Check::Const));
    }
    if let Some(values) = &node.enumeration {
        let literals: Vec<Literal> = values
            .iter()
            .enumerate()
            .filter(|(_, value)| !value.is_null())
            .filter_map(|(index, value)| {
                literal(
                    ctx,
                    value,
                    ty,
                    &join(&join(pointer, "enum"), &index.to_string()),
                )
            })
            .collect();
        checks.push(Check::Enum(literals));
    }
    checks
}

fn string_checks(ctx: &mut Ctx, node: &Node, pointer: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    checks.extend(node.min_length.map(Check::MinLength));
    checks.extend(node.max_length.map(Check::MaxLength));
    checks.extend(node.x_min_bytes.map(Check::MinBytes));
    checks.extend(node.x_max_bytes.map(Check::MaxBytes));
    if let Some(pattern) = &node.pattern {
        if let Some(check) = pattern_check(ctx, pattern, &join(pointer, "pattern")) {
            checks.push(check);
        }
    }
    if let Some(format) = node
        .format
        .as_deref()
        .filter(|f| VALIDATED_FORMATS.contains(f))
    {
        checks.push(Check::Format(format.to_owned()));
    }
    checks
}

/// A pattern, in the Rust spelling of its ECMA-262 syntax, compiled with the engine the runtime matches with
/// (a dense DFA): what compiles here compiles there.
fn pattern_check(ctx: &mut Ctx, pattern: &str, pointer: &str) -> Option<Check> {
    let rust = match super::pattern::to_rust(pattern) {
        Ok(rust) => rust,
        Err(reason) => {
            ctx.error(pointer, format!("invalid pattern: {reason}"));
            return None;
        }
    };
    match regex_automata::dfa::dense::DFA::new(&rust) {
        Ok(_) => Some(Check::Pattern {
            source: pattern.to_owned(),
            rust,
        }),
        Err(err) => {
            // The root cause is the syntax error, which draws the pattern and a caret over several lines;
            // its last line says what is wrong.
            let mut cause: &dyn std::error::Error = &err;
            while let Some(source) = cause.source() {
                cause = source;
            }
            let text = cause.to_string();
            let reason = text
                .lines()
                .last()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            ctx.error(pointer, format!("invalid pattern: {reason}"));
            None
        }
    }
}

/// A constant typed like the value it is compared with.
pub(crate) fn literal(ctx: &mut Ctx, value: &Value, ty: &Ty, pointer: &str) -> Option<Literal> {
    let found = match (ty, value) {
        (Ty::String, Value::String(text)) => Some(Literal::String(text.clone())),
        (Ty::Integer { .. }, Value::Number(number)) => whole(number).map(Literal::Integer),
        (Ty::Number, Value::Number(number)) => decimal_parts(&number.to_string())
            .map(|(mantissa, scale)| Literal::Decimal { mantissa, scale }),
        (Ty::Boolean, Value::Bool(flag)) => Some(Literal::Boolean(*flag)),
        _ => None,
    };
    if found.is_none() {
        ctx.error(
            pointer,
            format!("`{value}` is not a value of this member's type"),
        );
    }
    found
}

/// An integer written as such or as a whole-number float (`5.0`), as JSON Schema counts it.
fn whole(number: &Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
            .map(|f| f as i64)
    })
}

/// A bound typed like its value: an integer for integers, an exact decimal for numbers.
fn bound(ctx: &mut Ctx, number: &Number, ty: &Ty, pointer: &str) -> Option<Bound> {
    let text = number.to_string();
    let parsed = match ty {
        Ty::Integer { .. } => whole(number).map(Bound::Integer),
        Ty::Number => {
            decimal_parts(&text).map(|(mantissa, scale)| Bound::Decimal { mantissa, scale })
        }
        _ => None,
    };
    if parsed.is_none() {
        ctx.error(
            pointer,
            format!("`{text}` is not a bound this value can be compared with"),
        );
    }
    parsed
}

fn decimal_parts(text: &str) -> Option<(i64, u32)> {
    if text.contains(['e', 'E']) {
        return None;
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let fraction = fraction.trim_end_matches('0');
    let mantissa = format!("{whole}{fraction}").parse().ok()?;
    Some((mantissa, u32::try_from(fraction.len()).ok()?))
}
