//! Lowering object definitions: members, what happens to other members, and the rules between members.

use std::collections::BTreeSet;

use super::conditional;
use super::keywords::{self, check_allowed};
use super::names::field_name;
use super::shape::{doc_of, lower_shape};
use super::Ctx;
use crate::diagnostic::join;
use crate::model::{Additional, CompareOp, Direction, Field, ObjectRule, Struct, Ty};
use crate::schema::{CompareSchema, Node};

/// Lowers an object definition.
pub(crate) fn lower_struct(
    ctx: &mut Ctx,
    node: &Node,
    direction: Direction,
    pointer: &str,
) -> Option<Struct> {
    check_allowed(ctx, node, keywords::STRUCT, pointer);
    let fields = fields(ctx, node, direction, pointer);
    let additional = additional(ctx, node, direction, pointer);
    let mut rules = dependent_required(ctx, node, &fields, pointer);
    rules.extend(comparisons(
        ctx,
        node.x_compare.iter().flatten(),
        &fields,
        pointer,
    ));
    rules.extend(conditional::conditionals(ctx, node, &fields, pointer));
    rules.extend(any_of_required(ctx, node, &fields, pointer, "anyOf"));
    for (index, part) in node.all_of.iter().flatten().enumerate() {
        let part_pointer = join(&join(pointer, "allOf"), &index.to_string());
        check_allowed(ctx, part, &["if", "then", "else", "anyOf"], &part_pointer);
        rules.extend(conditional::conditionals(ctx, part, &fields, &part_pointer));
        rules.extend(any_of_required(ctx, part, &fields, &part_pointer, "anyOf"));
    }
    if node.min_properties.is_some() || node.max_properties.is_some() {
        rules.push(ObjectRule::PropertyCount {
            min: node.min_properties,
            max: node.max_properties,
        });
    }
    Some(Struct {
        fields,
        rules,
        additional,
    })
}

pub(crate) fn fields(
    ctx: &mut Ctx,
    node: &Node,
    direction: Direction,
    pointer: &str,
) -> Vec<Field> {
    let required = node.required.clone().unwrap_or_default();
    // `extra` holds the members an object does not name, unless it refuses them (and is only sent).
    let refuses = node
        .additional_properties
        .as_ref()
        .is_some_and(|extra| extra.boolean == Some(false));
    let has_extra = direction != Direction::Request || !refuses;
    let mut fields: Vec<Field> = Vec::new();
    let mut rust_names = BTreeSet::new();
    for (name, property) in node.properties.iter().flatten() {
        let property_pointer = join(&join(pointer, "properties"), name);
        let Some(rust) = field_name(name) else {
            ctx.error(
                &property_pointer,
                format!("no Rust field name can be made of `{name}`"),
            );
            continue;
        };
        if (has_extra && rust == "extra") || !rust_names.insert(rust.clone()) {
            ctx.error(
                &property_pointer,
                format!("the Rust field name `{rust}` is taken by another member"),
            );
            continue;
        }
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
    for (index, name) in required.iter().enumerate() {
        if !node
            .properties
            .as_ref()
            .is_some_and(|p| p.contains_key(name))
        {
            ctx.error(
                &join(&join(pointer, "required"), &index.to_string()),
                format!("`{name}` is not a property"),
            );
        }
    }
    fields
}

/// What becomes of members the object does not name. Responses keep them whatever the schema says: platforms
/// add members without notice, and a response must never fail to parse for it.
fn additional(ctx: &mut Ctx, node: &Node, direction: Direction, pointer: &str) -> Additional {
    match node.additional_properties.as_deref() {
        None => Additional::Kept,
        Some(extra) if extra.boolean == Some(true) => Additional::Kept,
        Some(extra) if extra.boolean == Some(false) => match direction {
            Direction::Response => Additional::Kept,
            _ => Additional::Refused,
        },
        Some(extra) => match lower_shape(ctx, extra, &join(pointer, "additionalProperties")) {
            Some(shape) => Additional::Typed(Box::new(shape)),
            None => Additional::Kept,
        },
    }
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

fn dependent_required(
    ctx: &mut Ctx,
    node: &Node,
    fields: &[Field],
    pointer: &str,
) -> Vec<ObjectRule> {
    let mut rules = Vec::new();
    let base = join(pointer, "dependentRequired");
    for (when, then) in node.dependent_required.iter().flatten() {
        let rule_pointer = join(&base, when);
        let known = field(ctx, fields, when, &rule_pointer).is_some();
        let all_known = then
            .iter()
            .all(|name| field(ctx, fields, name, &rule_pointer).is_some());
        if known && all_known {
            rules.push(ObjectRule::DependentRequired {
                when: when.clone(),
                then: then.clone(),
            });
        }
    }
    rules
}

/// `anyOf` of `{"required": [...]}`: at least one of these groups of members is present.
fn any_of_required(
    ctx: &mut Ctx,
    node: &Node,
    fields: &[Field],
    pointer: &str,
    keyword: &str,
) -> Option<ObjectRule> {
    let options = node.any_of.as_ref()?;
    let mut groups = Vec::new();
    for (index, option) in options.iter().enumerate() {
        let option_pointer = join(&join(pointer, keyword), &index.to_string());
        check_allowed(ctx, option, &["required"], &option_pointer);
        let Some(required) = &option.required else {
            ctx.error(&option_pointer, "each `anyOf` entry of an object lists `required` members: at least one entry must be complete");
            return None;
        };
        for name in required {
            field(ctx, fields, name, &join(&option_pointer, "required"))?;
        }
        // Required members are always there: they need no testing.
        let optional: Vec<String> = required
            .iter()
            .filter(|name| fields.iter().any(|f| &f.name == *name && !f.required))
            .cloned()
            .collect();
        if optional.is_empty() {
            return None;
        }
        groups.push(optional);
    }
    Some(ObjectRule::AnyOfRequired(groups))
}

fn comparisons<'a>(
    ctx: &mut Ctx,
    entries: impl Iterator<Item = &'a CompareSchema>,
    fields: &[Field],
    pointer: &str,
) -> Vec<ObjectRule> {
    let mut rules = Vec::new();
    for (index, entry) in entries.enumerate() {
        let entry_pointer = join(&join(pointer, "x-compare"), &index.to_string());
        let op = match entry.op.as_str() {
            "<" => CompareOp::Less,
            "<=" => CompareOp::LessOrEqual,
            "==" => CompareOp::Equal,
            ">=" => CompareOp::GreaterOrEqual,
            ">" => CompareOp::Greater,
            other => {
                ctx.error(
                    &join(&entry_pointer, "op"),
                    format!("unknown operator `{other}`"),
                );
                continue;
            }
        };
        let left = field(ctx, fields, &entry.left, &join(&entry_pointer, "left"));
        let right = field(ctx, fields, &entry.right, &join(&entry_pointer, "right"));
        let (Some(left), Some(right)) = (left, right) else {
            continue;
        };
        let numeric = matches!(&left.shape.ty, Ty::Integer { .. } | Ty::Number)
            || matches!(&left.shape.ty, Ty::Named(named) if named.copy && named.kind == crate::model::NamedKind::Newtype);
        if left.shape.ty != right.shape.ty
            || !numeric
            || left.shape.nullable
            || right.shape.nullable
        {
            ctx.error(
                &entry_pointer,
                "x-compare needs two members of the same numeric type",
            );
            continue;
        }
        rules.push(ObjectRule::Compare {
            left: entry.left.clone(),
            op,
            right: entry.right.clone(),
        });
    }
    rules
}
