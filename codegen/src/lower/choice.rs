//! Unions without a tag: `oneOf`/`anyOf` of typed schemas (the variant is the one a value is valid as), and
//! values of several JSON types (`"type": ["string", "number"]`, one variant per type).

use super::keywords::{self, residual};
use super::kind::JsonType;
use super::registry::Resolved;
use super::scalar::constraint_checks;
use super::Ctx;
use crate::diagnostic::join;
use crate::model::{Check, Choice, ChoiceVariant, Either, EitherVariant, MapShape, Shape, Ty};
use crate::schema::Node;

use super::registry::Def;

/// A union chosen by validation. Each option is a named type (inline options were lifted and named by the
/// registry); keywords beside the options are left to the compiled schema.
pub(crate) fn lower_choice(ctx: &mut Ctx, def: &Def) -> Option<Choice> {
    let node = &def.node;
    let (keyword, options) = match (&node.one_of, &node.any_of) {
        (Some(options), _) => ("oneOf", options),
        (None, Some(options)) => ("anyOf", options),
        (None, None) => return None,
    };
    let mut variants: Vec<ChoiceVariant> = Vec::new();
    for (index, option) in options.iter().enumerate() {
        let at = join(&join(&def.pointer, keyword), &index.to_string());
        let target = option.reference.as_deref()?;
        let Resolved::Def(target) = ctx.resolve(&at, target)? else {
            ctx.error(&at, "an option of this union names no type");
            return None;
        };
        let named = ctx.named(target);
        // An inline option was lifted as `<Union><Name>`: its variant is `<Name>`; a `$ref` option is the
        // variant of the type it names.
        let name = named
            .name
            .strip_prefix(&def.name)
            .filter(|rest| !rest.is_empty() && target.pointer == at)
            .map_or_else(|| named.name.clone(), str::to_owned);
        if variants.iter().any(|v| v.name == name) {
            ctx.error(&at, format!("two options of this union would both be the variant `{name}`: name one with `x-name`"));
            return None;
        }
        variants.push(ChoiceVariant { name, ty: named });
    }
    let native = ["type", keyword];
    Some(Choice {
        exactly_one: keyword == "oneOf",
        variants,
        residual: residual(node, keywords::OBJECT, &native, &def.pointer)
            .map(|_| def.pointer.clone()),
    })
}

/// A value of several JSON types: one variant per type, each with the checks its type's keywords make.
pub(crate) fn lower_either(
    _ctx: &mut Ctx,
    node: &Node,
    types: &[JsonType],
    pointer: &str,
) -> Option<Either> {
    let mut native: Vec<&str> = vec!["type", "const", "enum"];
    let mut left: Vec<&str> = Vec::new();
    let mut applies: Vec<&str> = Vec::new();
    let mut variants = Vec::new();
    for ty in types {
        let (rust, keywords): (Ty, &[&str]) = match ty {
            JsonType::String => (Ty::String, keywords::STRING),
            JsonType::Integer => (
                Ty::Integer {
                    lenient: false,
                    minor_units: node.x_minor_units == Some(true),
                },
                keywords::NUMBER,
            ),
            JsonType::Number => (Ty::Number, keywords::NUMBER),
            JsonType::Boolean => (Ty::Boolean, &[]),
            JsonType::Array => (
                Ty::Array(Box::new(Shape::new(Ty::Any, Vec::new()))),
                keywords::ARRAY,
            ),
            JsonType::Object => (
                Ty::Map(Box::new(MapShape {
                    values: Shape::new(Ty::Any, Vec::new()),
                    keys: Vec::new(),
                })),
                keywords::OBJECT,
            ),
        };
        applies.extend(keywords);
        // Arrays and objects are held as JSON: their keywords, and constants, are the compiled schema's.
        let checks: Vec<Check> = match ty {
            JsonType::Array | JsonType::Object => {
                left.extend(["const", "enum"]);
                Vec::new()
            }
            _ => {
                let found = constraint_checks(node, &rust);
                native.extend(keywords.iter().copied());
                left.extend(found.left.iter().map(|(keyword, _)| *keyword));
                found.checks
            }
        };
        variants.push(EitherVariant {
            name: super::names::pascal(ty.name())?,
            shape: Shape::new(rust, checks),
        });
    }
    native.retain(|keyword| !left.contains(keyword));
    Some(Either {
        variants,
        residual: residual(node, &applies, &native, pointer).map(|_| pointer.to_owned()),
    })
}
