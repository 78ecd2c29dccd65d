//! Enums of integer codes and of strings, and unions of objects told apart by a constant member.

use std::collections::BTreeSet;

use serde_json::Value;

use super::ctx::Ctx;
use super::keywords::{self, check_allowed};
use super::kind::Kind;
use super::names::{is_pascal_case, pascal, variant_name};
use super::registry::{Def, Resolved};
use crate::diagnostic::join;
use crate::model::{Literal, StrVariant, Union, UnionVariant, Variant};

/// An integer enum: `oneOf` of `{"const": N, "title": "Name"}`; without a usable `title`, the variant is
/// named after the enum and its code (`Level1`).
pub(crate) fn lower_int_enum(ctx: &mut Ctx, def: &Def) -> Option<Vec<Variant>> {
    let (node, pointer) = (&def.node, def.pointer.as_str());
    check_allowed(ctx, node, keywords::INT_ENUM, pointer);
    let mut variants: Vec<Variant> = Vec::new();
    for (index, option) in node.one_of.iter().flatten().enumerate() {
        let option_pointer = join(&join(pointer, "oneOf"), &index.to_string());
        check_allowed(ctx, option, keywords::VARIANT, &option_pointer);
        let Some(code) = option.constant.as_ref().and_then(Value::as_i64) else {
            ctx.error(
                &option_pointer,
                "each `oneOf` entry of an integer enum needs an integer `const`",
            );
            continue;
        };
        let name = option_name(option.title.as_deref())
            .unwrap_or_else(|| variant_name(&def.name, &code.to_string()));
        if variants.iter().any(|v| v.code == code || v.name == name) {
            ctx.error(&option_pointer, format!("duplicate code or name `{name}`"));
            continue;
        }
        variants.push(Variant {
            name,
            code,
            doc: option.description.clone(),
        });
    }
    Some(variants)
}

/// A variant name from a `title`: itself when PascalCase, else made PascalCase (`"In stock"` -> `InStock`).
fn option_name(title: Option<&str>) -> Option<String> {
    let title = title?;
    let name = if is_pascal_case(title) {
        title.to_owned()
    } else {
        pascal(title).filter(|name| is_pascal_case(name))?
    };
    // `Unknown` is the variant of values a received enum does not know.
    Some(match name.as_str() {
        "Unknown" | "Self" => format!("{name}Value"),
        _ => name,
    })
}

/// A string enum: `enum` of strings (named by `x-enumNames`, or after the strings themselves), or `oneOf` of
/// `{"const": "wire", "title": "Name"}`.
pub(crate) fn lower_str_enum(ctx: &mut Ctx, def: &Def) -> Option<Vec<StrVariant>> {
    let (node, pointer) = (&def.node, def.pointer.as_str());
    check_allowed(ctx, node, keywords::STR_ENUM, pointer);
    let entries = str_entries(ctx, def);
    let mut variants: Vec<StrVariant> = Vec::new();
    let mut names = BTreeSet::new();
    for (wire, name, doc, at) in entries {
        // A value listed twice is one value.
        if variants.iter().any(|v| v.wire == wire) {
            continue;
        }
        // Two values whose names come out alike (`a-b`, `a_b`): the later is spelt out to its code points,
        // unless the schema named them itself.
        let name = if names.contains(&name) && node.x_enum_names.is_none() {
            spelled_variant(&def.name, &wire)
        } else {
            name
        };
        if !names.insert(name.clone()) {
            ctx.error(
                &at,
                format!("two values would both be named `{name}`: name them with `x-enumNames`"),
            );
            continue;
        }
        variants.push(StrVariant { name, wire, doc });
    }
    Some(variants)
}

/// A variant name for a value whose natural name another value took (`"a-b"` beside `"a_b"`, `"red"` beside
/// `"Red"`): the enum's name and every character's code point, so no two values share one.
fn spelled_variant(enum_name: &str, wire: &str) -> String {
    let spelled: String = wire.chars().map(|c| format!("U{:04X}", c as u32)).collect();
    format!("{enum_name}{spelled}")
}

/// `(wire, variant name, doc, pointer)` of each value of a string enum.
fn str_entries(ctx: &mut Ctx, def: &Def) -> Vec<(String, String, Option<String>, String)> {
    let (node, pointer) = (&def.node, def.pointer.as_str());
    let mut entries = Vec::new();
    if let Some(options) = &node.one_of {
        for (index, option) in options.iter().enumerate() {
            let at = join(&join(pointer, "oneOf"), &index.to_string());
            check_allowed(ctx, option, keywords::VARIANT, &at);
            let Some(Value::String(wire)) = &option.constant else {
                ctx.error(
                    &at,
                    "each `oneOf` entry of a string enum needs a string `const`",
                );
                continue;
            };
            let name = option_name(option.title.as_deref())
                .unwrap_or_else(|| variant_name(&def.name, wire));
            entries.push((wire.clone(), name, option.description.clone(), at));
        }
        return entries;
    }
    let values: Vec<&Value> = node
        .enumeration
        .iter()
        .flatten()
        .filter(|value| !value.is_null())
        .collect();
    let names = node.x_enum_names.as_ref();
    if names.is_some_and(|names| names.len() != values.len()) {
        ctx.error(
            &join(pointer, "x-enumNames"),
            "`x-enumNames` names each string of `enum`, in order",
        );
    }
    for (index, value) in values.into_iter().enumerate() {
        let at = join(&join(pointer, "enum"), &index.to_string());
        let Value::String(wire) = value else {
            ctx.error(&at, "an enum of strings holds only strings (and `null`)");
            continue;
        };
        let given = names.and_then(|names| names.get(index));
        if given.is_some_and(|name| !is_pascal_case(name)) {
            ctx.error(
                &join(&join(pointer, "x-enumNames"), &index.to_string()),
                "variant names are PascalCase",
            );
        }
        let name = given
            .cloned()
            .unwrap_or_else(|| variant_name(&def.name, wire));
        entries.push((wire.clone(), name, None, at));
    }
    entries
}

/// The value of an enum that an `if` compares with, as the enum's variant.
pub(crate) fn variant_literal(
    ctx: &mut Ctx,
    def: &Def,
    value: &Value,
    pointer: &str,
) -> Option<Literal> {
    let found = match def.kind {
        Kind::IntEnum => {
            let code = value.as_i64();
            def.node
                .one_of
                .iter()
                .flatten()
                .find(|option| option.constant.as_ref().and_then(Value::as_i64) == code)
                .and_then(|option| {
                    let code = code?;
                    let name = option_name(option.title.as_deref())
                        .unwrap_or_else(|| variant_name(&def.name, &code.to_string()));
                    Some((name, code.to_string()))
                })
        }
        Kind::StrEnum => {
            let mark = ctx.problems.len();
            let entries = str_entries(ctx, def);
            ctx.problems.truncate(mark);
            entries
                .into_iter()
                .find(|(wire, ..)| Some(wire.as_str()) == value.as_str())
                .map(|(wire, name, ..)| (name, format!("\"{wire}\"")))
        }
        _ => None,
    };
    match found {
        Some((variant, wire)) => Some(Literal::Variant {
            enum_name: def.name.clone(),
            variant,
            wire,
        }),
        None => {
            ctx.error(pointer, format!("{value} is not a value of `{}`", def.name));
            None
        }
    }
}

/// A union: `oneOf` of objects, each with a required member holding a different constant (the tag).
pub(crate) fn lower_union(ctx: &mut Ctx, def: &Def) -> Option<Union> {
    let (node, pointer) = (&def.node, def.pointer.as_str());
    check_allowed(ctx, node, keywords::UNION, pointer);
    let mut variants: Vec<(&Def, String)> = Vec::new();
    for (index, option) in node.one_of.iter().flatten().enumerate() {
        let at = join(&join(pointer, "oneOf"), &index.to_string());
        let target = option
            .reference
            .as_deref()
            .and_then(|target| ctx.resolve(&at, target));
        match target {
            Some(Resolved::Def(target)) if target.kind == Kind::Struct => {
                variants.push((target, at))
            }
            _ => ctx.error(
                &at,
                "each `oneOf` entry of a union is an object (inline, or a `$ref` to one)",
            ),
        }
    }
    let tag = tag_member(&variants);
    let Some(tag) = tag else {
        ctx.error(&join(pointer, "oneOf"), "a union's objects need a member that each requires and gives a different `const` (the tag that tells them apart)");
        return None;
    };
    let mut lowered = Vec::new();
    for (variant, _) in &variants {
        let named = ctx.named(variant);
        let property = &variant.node.properties.as_ref()?[&tag];
        let literal = match property.constant.as_ref()? {
            Value::String(text) => Literal::String(text.clone()),
            value => Literal::Integer(value.as_i64()?),
        };
        lowered.push(UnionVariant {
            name: named.name.clone(),
            ty: named.name,
            tag: literal,
        });
    }
    Some(Union {
        tag,
        variants: lowered,
    })
}

/// The first member (in the first variant's order) that every variant requires with a distinct string or
/// integer `const`.
fn tag_member(variants: &[(&Def, String)]) -> Option<String> {
    let (first, _) = variants.first()?;
    first
        .node
        .properties
        .iter()
        .flatten()
        .map(|(name, _)| name)
        .find(|name| {
            let mut seen = BTreeSet::new();
            variants.iter().all(|(variant, _)| {
                let required = variant.node.required.iter().flatten().any(|r| r == *name);
                let constant = variant
                    .node
                    .properties
                    .as_ref()
                    .and_then(|properties| properties.get(*name))
                    .and_then(|property| property.constant.as_ref())
                    .filter(|value| value.is_string() || value.is_i64());
                required && constant.is_some_and(|value| seen.insert(value.to_string()))
            })
        })
        .cloned()
}
