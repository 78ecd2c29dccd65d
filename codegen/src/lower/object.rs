//! Lowering object definitions: members, what happens to other members, and the rules between members.

use super::conditional;
use super::ctx::Ctx;
use super::keywords;
use super::members::{field, fields};
use super::merge;
use super::shape::lower_shape;
use crate::diagnostic::join;
use crate::model::{Additional, CompareOp, Direction, Field, ObjectRule, Struct, Ty};
use crate::schema::{CompareSchema, Node};

/// Lowers an object definition. Its members are its `properties` and those of the plain object parts of its
/// `allOf`; rules the runtime checks natively become rules, and the rest of the schema is left to the
/// compiled schema (`residual`).
pub(crate) fn lower_struct(
    ctx: &mut Ctx,
    node: &Node,
    direction: Direction,
    pointer: &str,
) -> Option<Struct> {
    keywords::check_x_keywords(ctx, node, &["objects"], pointer);
    let mut native: Vec<&str> = vec!["type", "properties", "x-compare"];
    let mut fields = fields(ctx, node, direction, pointer);
    let mut part_rules = Vec::new();
    let parts = merge::all_of(ctx, node, direction, pointer, &mut fields, &mut part_rules);
    let mut rules = Vec::new();
    let additional = additional(ctx, node, direction, pointer);
    let own_additional = node.additional_properties.is_some() && node.pattern_properties.is_none();
    if own_additional && parts.merged_members == 0 {
        native.push("additionalProperties");
    }
    let known = |name: &String| fields.iter().any(|f| &f.name == name);
    if node.required.iter().flatten().all(known) {
        native.push("required");
    }
    if let Some(found) = ctx.attempt(|ctx| dependent_required(ctx, node, &fields, pointer)) {
        rules.extend(found);
        native.push("dependentRequired");
    }
    rules.extend(comparisons(
        ctx,
        node.x_compare.iter().flatten(),
        &fields,
        pointer,
    ));
    if let Some(found) =
        ctx.attempt(|ctx| Some(conditional::conditionals(ctx, node, &fields, pointer)))
    {
        rules.extend(found);
        native.extend(["if", "then", "else"]);
    }
    if node.any_of.is_some() {
        if let Some(found) =
            ctx.attempt(|ctx| conditional::any_of_required(ctx, node, &fields, pointer))
        {
            // A group that is always complete makes the rule always hold: nothing to check.
            if !matches!(&found, ObjectRule::AnyOfRequired(groups) if groups.is_empty()) {
                rules.push(found);
            }
            native.push("anyOf");
        }
    }
    rules.extend(part_rules);
    if parts.complete {
        native.push("allOf");
    }
    if node.min_properties.is_some() || node.max_properties.is_some() {
        rules.push(ObjectRule::PropertyCount {
            min: node.min_properties,
            max: node.max_properties,
        });
        native.extend(["minProperties", "maxProperties"]);
    }
    let residual =
        keywords::residual(node, keywords::OBJECT, &native, pointer).map(|_| pointer.to_owned());
    Some(Struct {
        fields,
        rules,
        additional,
        residual,
    })
}

/// What becomes of members the object does not name. Responses keep them whatever the schema says: platforms
/// add members without notice, and a response must never fail to parse for it.
fn additional(ctx: &mut Ctx, node: &Node, direction: Direction, pointer: &str) -> Additional {
    // A member that matches a `patternProperties` pattern is checked by that pattern's schema, not by
    // `additionalProperties`: the members the struct does not name are kept as JSON, and the compiled
    // schema checks them.
    if node.pattern_properties.is_some() {
        return Additional::Kept;
    }
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

fn dependent_required(
    ctx: &mut Ctx,
    node: &Node,
    fields: &[Field],
    pointer: &str,
) -> Option<Vec<ObjectRule>> {
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
    Some(rules)
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
