//! Unions without a tag: `oneOf`/`anyOf` of typed schemas (the variant is the one a value is valid as), and
//! values of several JSON types (`"type": ["string", "number"]`, one variant per type).

use super::ctx::Ctx;
use super::keywords::{self, residual};
use super::kind::JsonType;
use super::registry::Resolved;
use super::scalar::constraint_checks;
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

/// A value of several JSON types: one variant per type, each with the checks its type's keywords make
/// (`"type": ["string", "number"]`), or those of its option (`anyOf`/`oneOf` of scalars of different types).
pub(crate) fn lower_either<'a>(
    ctx: &mut Ctx<'a>,
    node: &'a Node,
    types: &[JsonType],
    pointer: &str,
) -> Option<Either> {
    let options = options_by_type(ctx, node, pointer);
    let mut left = false;
    let mut applies: Vec<&str> = Vec::new();
    let mut variants = Vec::new();
    for ty in types {
        let source = options
            .as_ref()
            .and_then(|options| options.iter().find(|(t, _)| t == ty).map(|(_, n)| *n))
            .unwrap_or(node);
        let (rust, keywords) = variant_type(*ty, source);
        applies.extend(keywords);
        // Arrays and objects are held as JSON: their keywords, and constants, are the compiled schema's.
        let checks: Vec<Check> = match ty {
            JsonType::Array | JsonType::Object => {
                left |= source.constant.is_some() || source.enumeration.is_some();
                Vec::new()
            }
            _ => {
                let found = constraint_checks(source, &rust);
                left |= !found.left.is_empty();
                if options.is_some() {
                    let mut native: Vec<&str> = keywords.to_vec();
                    native.extend(["type", "const", "enum"]);
                    left |= residual(source, keywords, &native, pointer).is_some();
                }
                found.checks
            }
        };
        variants.push(EitherVariant {
            name: super::names::pascal(ty.name())?,
            shape: Shape::new(rust, checks),
        });
    }
    // The keywords of the scalar variants are checked natively; those of arrays and objects (held as JSON)
    // are the compiled schema's.
    let mut native: Vec<&str> = vec!["type", "const", "enum", "oneOf", "anyOf"];
    native.extend(scalar_keywords(types));
    if left {
        native.clear();
    }
    Some(Either {
        variants,
        residual: residual(node, &applies, &native, pointer).map(|_| pointer.to_owned()),
    })
}

/// The keywords about the scalar types among `types`.
fn scalar_keywords(types: &[JsonType]) -> Vec<&'static str> {
    let mut found = Vec::new();
    for ty in types {
        match ty {
            JsonType::String => found.extend(keywords::STRING),
            JsonType::Integer | JsonType::Number => found.extend(keywords::NUMBER),
            JsonType::Boolean | JsonType::Array | JsonType::Object => {}
        }
    }
    found
}

/// The Rust type of the variant of a JSON type, and the keywords about that type.
fn variant_type(ty: JsonType, node: &Node) -> (Ty, &'static [&'static str]) {
    match ty {
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
    }
}

/// The options of `oneOf`/`anyOf` of scalars, by their type (a `$ref` option is the schema it names).
fn options_by_type<'a>(
    ctx: &mut Ctx<'a>,
    node: &'a Node,
    pointer: &str,
) -> Option<Vec<(JsonType, &'a Node)>> {
    let (keyword, options) = match (&node.one_of, &node.any_of) {
        (Some(options), _) => ("oneOf", options),
        (None, Some(options)) => ("anyOf", options),
        (None, None) => return None,
    };
    let mut found = Vec::new();
    for (index, option) in options.iter().enumerate() {
        let at = join(&join(pointer, keyword), &index.to_string());
        let target = match &option.reference {
            Some(reference) => match ctx.resolve(&at, reference)? {
                Resolved::Def(def) => &def.node,
                Resolved::Schema => return None,
            },
            None => option,
        };
        let (types, _) = super::kind::types_of(target);
        found.push((*types.first()?, target));
    }
    Some(found)
}
