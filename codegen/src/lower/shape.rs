//! Lowering one value's schema (a property, an array's items, a scalar definition) to a [`Shape`].

use serde_json::{Number, Value};

use super::keywords::{self, check_allowed};
use super::{Ctx, DefKind};
use crate::diagnostic::join;
use crate::model::{Bound, Check, NamedRef, Shape, Ty};
use crate::schema::{Node, TypeKeyword};

/// The string form a lenient integer accepts.
const LENIENT_PATTERN: &str = "^[0-9]+$";

/// The doc comment of a node: its description, then its first example and its default.
pub(crate) fn doc_of(node: &Node) -> Option<String> {
    let mut doc = node.description.clone().unwrap_or_default();
    if let Some(example) = node.examples.as_ref().and_then(|examples| examples.first()) {
        doc.push_str(&format!("\n\nExample: `{}`", compact(example)));
    }
    if let Some(default) = &node.default {
        doc.push_str(&format!("\n\nDefault: `{}`", compact(default)));
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

/// Pushes the names of the definitions `node` refers to, directly or inside arrays and properties.
pub(crate) fn references<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    if let Some(name) = node
        .reference
        .as_deref()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        out.push(name);
    }
    if let Some(items) = &node.items {
        references(items, out);
    }
    for property in node.properties.iter().flat_map(|p| p.values()) {
        references(property, out);
    }
}

/// Lowers a property, an array's items or a scalar definition.
pub(crate) fn lower_shape(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    if let Some(target) = &node.reference {
        check_allowed(ctx, node, keywords::REFERENCE, pointer);
        let (name, kind) = ctx.resolve(target, &join(pointer, "$ref"))?;
        let named = NamedRef {
            name,
            validated: kind != DefKind::IntEnum,
            copy: kind == DefKind::IntEnum,
            object: kind == DefKind::Struct,
        };
        return Some(Shape {
            ty: Ty::Named(named),
            checks: Vec::new(),
        });
    }
    let ty = match &node.ty {
        None => "any",
        Some(TypeKeyword::One(ty)) => ty.as_str(),
        Some(TypeKeyword::Many(types)) if types == &["integer", "string"] => "lenient",
        Some(TypeKeyword::Many(_)) => {
            ctx.error(
                &join(pointer, "type"),
                "the only list of types supported is [\"integer\", \"string\"]",
            );
            return None;
        }
    };
    match ty {
        "string" => scalar(ctx, node, pointer, keywords::STRING, Ty::String),
        "integer" => scalar(
            ctx,
            node,
            pointer,
            keywords::INTEGER,
            Ty::Integer { lenient: false },
        ),
        "lenient" => scalar(
            ctx,
            node,
            pointer,
            keywords::LENIENT_INTEGER,
            Ty::Integer { lenient: true },
        ),
        "number" => scalar(ctx, node, pointer, keywords::NUMBER, Ty::Number),
        "boolean" => scalar(ctx, node, pointer, keywords::BOOLEAN, Ty::Boolean),
        "any" => scalar(ctx, node, pointer, keywords::ANY, Ty::Any),
        "array" => array(ctx, node, pointer),
        "object" => {
            ctx.error(
                pointer,
                "inline objects have no name: define the object in `$defs` and `$ref` it",
            );
            None
        }
        other => {
            ctx.error(
                &join(pointer, "type"),
                format!("unsupported type `{other}`"),
            );
            None
        }
    }
}

fn array(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Shape> {
    check_allowed(ctx, node, keywords::ARRAY, pointer);
    let Some(items) = &node.items else {
        ctx.error(pointer, "an array needs `items`");
        return None;
    };
    let items = lower_shape(ctx, items, &join(pointer, "items"))?;
    if items.ty == (Ty::Integer { lenient: true }) {
        ctx.error(&join(pointer, "items"), "lenient integers (`[\"integer\", \"string\"]`) are supported as members, not as array items");
        return None;
    }
    let mut checks = Vec::new();
    checks.extend(node.min_items.map(Check::MinItems));
    checks.extend(node.max_items.map(Check::MaxItems));
    Some(Shape {
        ty: Ty::Array(Box::new(items)),
        checks,
    })
}

fn scalar(ctx: &mut Ctx, node: &Node, pointer: &str, allowed: &[&str], ty: Ty) -> Option<Shape> {
    check_allowed(ctx, node, allowed, pointer);
    if node.one_of.is_some() {
        return None;
    }
    let mut checks = Vec::new();
    checks.extend(node.min_length.map(Check::MinLength));
    checks.extend(node.x_min_bytes.map(Check::MinBytes));
    checks.extend(node.x_max_bytes.map(Check::MaxBytes));
    // A lenient integer's string form is digits only, which its parser enforces; the pattern must say so.
    if ty == (Ty::Integer { lenient: true })
        && node
            .pattern
            .as_deref()
            .is_some_and(|p| p != LENIENT_PATTERN)
    {
        ctx.error(&join(pointer, "pattern"), format!("the string form of a lenient integer is digits only: the pattern must be `{LENIENT_PATTERN}`"));
    }
    if ty == Ty::String {
        if let Some(pattern) = &node.pattern {
            // The same engine the runtime matches with (a dense DFA): what compiles here compiles there.
            match regex_automata::dfa::dense::DFA::new(pattern) {
                Ok(_) => checks.push(Check::Pattern(pattern.clone())),
                Err(err) => {
                    // The root cause is the syntax error, which draws the pattern and a caret over several
                    // lines; its last line says what is wrong.
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
                    ctx.error(
                        &join(pointer, "pattern"),
                        format!("invalid pattern: {reason}"),
                    )
                }
            }
        }
    }
    for (number, keyword) in [(&node.minimum, "minimum"), (&node.maximum, "maximum")] {
        let Some(number) = number else { continue };
        let Some(bound) = bound(ctx, number, &ty, &join(pointer, keyword)) else {
            continue;
        };
        checks.push(if keyword == "minimum" {
            Check::Minimum(bound)
        } else {
            Check::Maximum(bound)
        });
    }
    checks.extend(node.x_decimal_places.map(Check::DecimalPlaces));
    Some(Shape { ty, checks })
}

/// A bound typed like its value: an integer for integers, an exact decimal for numbers.
fn bound(ctx: &mut Ctx, number: &Number, ty: &Ty, pointer: &str) -> Option<Bound> {
    let text = number.to_string();
    let parsed = match ty {
        Ty::Integer { .. } => number.as_i64().map(Bound::Integer),
        _ => decimal_parts(&text).map(|(mantissa, scale)| Bound::Decimal { mantissa, scale }),
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
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let fraction = fraction.trim_end_matches('0');
    let mantissa = format!("{whole}{fraction}").parse().ok()?;
    Some((mantissa, u32::try_from(fraction.len()).ok()?))
}
