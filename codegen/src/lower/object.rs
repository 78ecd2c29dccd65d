//! Lowering object and enum definitions, with the rules between an object's members.

use super::keywords::{self, check_allowed};
use super::shape::{doc_of, lower_shape};
use super::{is_snake_case, Ctx, DefKind};
use crate::diagnostic::join;
use crate::model::{
    CompareOp, ConstValue, Direction, Field, MemberPath, ObjectRule, ParentMember, Struct, Ty,
    Variant,
};
use crate::schema::{CompareSchema, Node};

/// Lowers an object definition.
pub(crate) fn lower_struct(
    ctx: &mut Ctx,
    node: &Node,
    direction: Direction,
    pointer: &str,
) -> Option<Struct> {
    check_allowed(ctx, node, keywords::STRUCT, pointer);
    check_strictness(ctx, node, direction, pointer);
    let required = node.required.clone().unwrap_or_default();
    let mut fields = Vec::new();
    for (name, property) in node.properties.iter().flatten() {
        let property_pointer = join(&join(pointer, "properties"), name);
        if !is_snake_case(name) {
            ctx.error(
                &property_pointer,
                format!("member `{name}` is not a snake_case Rust field name"),
            );
        }
        let aliases = property.x_aliases.clone().unwrap_or_default();
        if !aliases.is_empty() && direction == Direction::Request {
            ctx.error(
                &join(&property_pointer, "x-aliases"),
                "aliases are for responses: requests are strict",
            );
        }
        if let Some(shape) = lower_shape(ctx, property, &property_pointer) {
            fields.push(Field {
                name: name.clone(),
                doc: doc_of(property),
                required: required.contains(name),
                shape,
                aliases,
                sensitive: property.x_sensitive == Some(true),
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
    let mut rules = dependent_required(ctx, node, &fields, pointer);
    rules.extend(comparisons(
        ctx,
        node.x_compare.iter().flatten(),
        &fields,
        pointer,
    ));
    rules.extend(conditional(ctx, node, &fields, pointer));
    Some(Struct { fields, rules })
}

fn check_strictness(ctx: &mut Ctx, node: &Node, direction: Direction, pointer: &str) {
    let pointer = join(pointer, "additionalProperties");
    match (direction, node.additional_properties) {
        (Direction::Request, Some(false)) | (Direction::Response, None | Some(true)) => {}
        (Direction::Request, _) => ctx.error(
            &pointer,
            "request objects must say `\"additionalProperties\": false`: a misspelt member must be an error",
        ),
        (Direction::Response, Some(false)) => {
            ctx.error(&pointer, "response objects must tolerate members the platform adds")
        }
    }
}

/// Lowers an integer enum: `oneOf` of `{"const": N, "title": "Name"}`.
pub(crate) fn lower_enum(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<Vec<Variant>> {
    check_allowed(ctx, node, keywords::INT_ENUM, pointer);
    let mut variants: Vec<Variant> = Vec::new();
    for (index, option) in node.one_of.iter().flatten().enumerate() {
        let option_pointer = join(&join(pointer, "oneOf"), &index.to_string());
        check_allowed(ctx, option, keywords::VARIANT, &option_pointer);
        let code = option.constant.as_ref().and_then(serde_json::Value::as_i64);
        let name = option.title.clone().filter(|t| is_pascal_case(t));
        match (code, name) {
            (Some(code), Some(name)) if variants.iter().all(|v| v.code != code && v.name != name) => {
                variants.push(Variant {
                    name,
                    code,
                    doc: option.description.clone(),
                })
            }
            (Some(_), Some(name)) => ctx.error(&option_pointer, format!("duplicate code or name `{name}`")),
            _ => ctx.error(
                &option_pointer,
                "each `oneOf` entry needs an integer `const` and a PascalCase `title` (the variant name)",
            ),
        }
    }
    Some(variants)
}

fn is_pascal_case(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn field<'a>(ctx: &mut Ctx, fields: &'a [Field], name: &str, pointer: &str) -> Option<&'a Field> {
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
        if left.shape.ty != right.shape.ty
            || !matches!(
                left.shape.ty,
                Ty::Integer { .. } | Ty::Number | Ty::Named(_)
            )
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

/// The restricted `if`/`then`: when one member equals a constant, other members are required.
fn conditional(ctx: &mut Ctx, node: &Node, fields: &[Field], pointer: &str) -> Option<ObjectRule> {
    let if_pointer = join(pointer, "if");
    let (condition, then) = match (&node.if_, &node.then) {
        (None, None) => return None,
        (Some(condition), Some(then)) => (condition, then),
        _ => {
            ctx.error(pointer, "`if` and `then` come together");
            return None;
        }
    };
    let shape_error = "`if` must be {\"properties\": {M: {\"const\": N}}, \"required\": [M]}";
    check_allowed(ctx, condition, &["properties", "required"], &if_pointer);
    let tested: Vec<_> = condition.properties.iter().flatten().collect();
    let [(member, test)] = tested.as_slice() else {
        ctx.error(&if_pointer, shape_error);
        return None;
    };
    check_allowed(
        ctx,
        test,
        keywords::VARIANT,
        &join(&join(&if_pointer, "properties"), member),
    );
    if condition.required.as_deref() != Some(std::slice::from_ref(*member)) {
        ctx.error(&if_pointer, shape_error);
    }
    let tested_field = field(ctx, fields, member, &if_pointer)?;
    let code = test.constant.as_ref().and_then(serde_json::Value::as_i64);
    let Some(code) = code else {
        ctx.error(&if_pointer, shape_error);
        return None;
    };
    let value = const_value(ctx, tested_field, code, &if_pointer)?;
    let then = then_members(ctx, then, fields, &join(pointer, "then"))?;
    Some(ObjectRule::Conditional {
        member: member.to_string(),
        value,
        then,
    })
}

fn const_value(ctx: &mut Ctx, field: &Field, code: i64, pointer: &str) -> Option<ConstValue> {
    match &field.shape.ty {
        Ty::Integer { .. } => Some(ConstValue::Integer(code)),
        Ty::Named(named) if ctx.kinds.get(&named.name) == Some(&DefKind::IntEnum) => {
            let options = ctx.def(&named.name).and_then(|def| def.one_of.as_ref());
            let variant = options
                .into_iter()
                .flatten()
                .find(|option| {
                    option.constant.as_ref().and_then(serde_json::Value::as_i64) == Some(code)
                })
                .and_then(|option| option.title.clone());
            if variant.is_none() {
                ctx.error(pointer, format!("{code} is not a code of `{}`", named.name));
            }
            Some(ConstValue::EnumVariant {
                enum_name: named.name.clone(),
                variant: variant?,
                code,
            })
        }
        _ => {
            ctx.error(
                pointer,
                "`if` can test an integer or an integer enum member",
            );
            None
        }
    }
}

/// `then`: `required` members of this object, and `properties.P.required` members of member `P`.
fn then_members(
    ctx: &mut Ctx,
    then: &Node,
    fields: &[Field],
    pointer: &str,
) -> Option<Vec<MemberPath>> {
    check_allowed(ctx, then, &["required", "properties"], pointer);
    let mut members = Vec::new();
    for name in then.required.iter().flatten() {
        field(ctx, fields, name, pointer)?;
        members.push(MemberPath {
            parent: None,
            member: name.clone(),
        });
    }
    for (parent, nested) in then.properties.iter().flatten() {
        let nested_pointer = join(&join(pointer, "properties"), parent);
        check_allowed(ctx, nested, &["required"], &nested_pointer);
        let parent_field = field(ctx, fields, parent, &nested_pointer)?;
        let target = match &parent_field.shape.ty {
            Ty::Named(named) if ctx.kinds.get(&named.name) == Some(&DefKind::Struct) => {
                ctx.def(&named.name)
            }
            _ => None,
        };
        let Some(target) = target else {
            ctx.error(
                &nested_pointer,
                "`then` can only reach into a member that is a named object",
            );
            return None;
        };
        for name in nested.required.iter().flatten() {
            let known = target
                .properties
                .as_ref()
                .is_some_and(|p| p.contains_key(name));
            let already = target.required.iter().flatten().any(|r| r == name);
            if !known || already {
                ctx.error(
                    &nested_pointer,
                    format!("`{name}` must be an optional property of `{parent}`"),
                );
                return None;
            }
            members.push(MemberPath {
                parent: Some(ParentMember {
                    name: parent.clone(),
                    required: parent_field.required,
                }),
                member: name.clone(),
            });
        }
    }
    Some(members)
}
