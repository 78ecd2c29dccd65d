//! `if`/`then`/`else` in objects: `if` tests members against constants (`const`, `enum`) or their presence;
//! `then` and `else` require members, forbid them (`false`), or put more checks on them, in this object or
//! in a member object one level down.

use super::ctx::Ctx;
use super::enums::variant_literal;
use super::keywords::check_allowed;
use super::members::field as find;
use super::scalar::constraint_checks;
use crate::diagnostic::join;
use crate::model::{
    Conditional, Consequence, Field, Literal, MemberPath, NamedKind, ObjectRule, ParentMember,
    Shape, Test, Ty,
};
use crate::schema::Node;

/// The conditional of `node` (its own `if`/`then`/`else`), if it has one.
pub(crate) fn conditionals(
    ctx: &mut Ctx,
    node: &Node,
    fields: &[Field],
    pointer: &str,
) -> Option<ObjectRule> {
    let condition = match (&node.if_, &node.then, &node.else_) {
        (None, None, None) => return None,
        (Some(condition), _, _) => condition,
        (None, _, _) => {
            ctx.error(pointer, "`then` and `else` need an `if`");
            return None;
        }
    };
    let when = tests(ctx, condition, fields, &join(pointer, "if"))?;
    let then = match &node.then {
        Some(then) => consequences(ctx, then, fields, &join(pointer, "then"))?,
        None => Vec::new(),
    };
    let otherwise = match &node.else_ {
        Some(otherwise) => consequences(ctx, otherwise, fields, &join(pointer, "else"))?,
        None => Vec::new(),
    };
    Some(ObjectRule::Conditional(Conditional {
        when,
        then,
        otherwise,
    }))
}

/// `if`: `{"properties": {M: {"const": V}}, "required": [M]}`, with any number of members, `enum` for
/// several values, and members only `required` (a test of presence).
fn tests(ctx: &mut Ctx, condition: &Node, fields: &[Field], pointer: &str) -> Option<Vec<Test>> {
    check_allowed(ctx, condition, &["properties", "required"], pointer);
    let required = condition.required.clone().unwrap_or_default();
    let mut tests = Vec::new();
    for (member, test) in condition.properties.iter().flatten() {
        let test_pointer = join(&join(pointer, "properties"), member);
        check_allowed(ctx, test, &["const", "enum"], &test_pointer);
        let field = find(ctx, fields, member, &test_pointer)?;
        let values: Vec<&serde_json::Value> = match (&test.constant, &test.enumeration) {
            (Some(value), None) => vec![value],
            (None, Some(values)) => values.iter().collect(),
            _ => {
                ctx.error(
                    &test_pointer,
                    "an `if` tests a member with `const` or `enum`",
                );
                return None;
            }
        };
        let mut literals = Vec::new();
        for value in values {
            literals.push(test_literal(ctx, field, value, &test_pointer)?);
        }
        tests.push(Test {
            member: member.clone(),
            values: literals,
            required: required.contains(member),
        });
    }
    for member in &required {
        if !tests.iter().any(|test| &test.member == member) {
            find(ctx, fields, member, &join(pointer, "required"))?;
            tests.push(Test {
                member: member.clone(),
                values: Vec::new(),
                required: true,
            });
        }
    }
    if tests.is_empty() {
        ctx.error(pointer, "an `if` tests at least one member");
        return None;
    }
    Some(tests)
}

/// The constant an `if` compares a member with: a string, an integer or a boolean member, an enum's value,
/// or the inner value of a string, integer or boolean newtype.
fn test_literal(
    ctx: &mut Ctx,
    field: &Field,
    value: &serde_json::Value,
    pointer: &str,
) -> Option<Literal> {
    let literal = match (&field.shape.ty, value) {
        (Ty::String, serde_json::Value::String(text)) => Some(Literal::String(text.clone())),
        (Ty::Integer { .. }, value) => value.as_i64().map(Literal::Integer),
        (Ty::Boolean, serde_json::Value::Bool(flag)) => Some(Literal::Boolean(*flag)),
        (Ty::Named(named), value) => match named.kind {
            NamedKind::IntEnum | NamedKind::StrEnum => {
                let def = ctx.def_named(named)?;
                return variant_literal(ctx, def, value, pointer);
            }
            NamedKind::Newtype => {
                let inner = ctx
                    .def_named(named)
                    .map(|def| def.node.single_type().unwrap_or(""));
                match (inner, value) {
                    (Some("string"), serde_json::Value::String(text)) => {
                        Some(Literal::String(text.clone()))
                    }
                    (Some("integer"), value) => value.as_i64().map(Literal::Integer),
                    (Some("boolean"), serde_json::Value::Bool(flag)) => {
                        Some(Literal::Boolean(*flag))
                    }
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    };
    if literal.is_none() {
        ctx.error(pointer, format!("an `if` can compare a string, integer, boolean or enum member with a constant of its type; `{value}` cannot be compared with `{}`", field.name));
    }
    literal
}

/// `then`/`else`: `required` members; `properties` whose schema is `false` (forbidden), holds `required`
/// (members one level down), or constraints on the member.
fn consequences(
    ctx: &mut Ctx,
    node: &Node,
    fields: &[Field],
    pointer: &str,
) -> Option<Vec<Consequence>> {
    check_allowed(ctx, node, &["required", "properties"], pointer);
    let mut found = Vec::new();
    for (index, name) in node.required.iter().flatten().enumerate() {
        let field = find(
            ctx,
            fields,
            name,
            &join(&join(pointer, "required"), &index.to_string()),
        )?;
        found.push(Consequence::Require(path(None, field)));
    }
    for (member, nested) in node.properties.iter().flatten() {
        let nested_pointer = join(&join(pointer, "properties"), member);
        let field = find(ctx, fields, member, &nested_pointer)?;
        if nested.boolean == Some(false) {
            found.push(Consequence::Forbid(path(None, field)));
            continue;
        }
        let reaches_inside = nested.required.is_some() || nested.properties.is_some();
        if reaches_inside {
            found.extend(inside(ctx, field, nested, &nested_pointer)?);
        } else {
            let checks = checks_of(ctx, nested, &field.shape.ty, &nested_pointer);
            check_allowed(ctx, nested, CONSTRAINTS, &nested_pointer);
            found.push(Consequence::Check(path(None, field), checks));
        }
    }
    Some(found)
}

/// Keywords a `then` may add to a member of the object.
const CONSTRAINTS: &[&str] = &[
    "const",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "x-minBytes",
    "x-maxBytes",
    "x-decimalPlaces",
];

/// `then: {"properties": {"stock": {"required": [...], "properties": {...}}}}`: one level down.
fn inside(ctx: &mut Ctx, parent: &Field, nested: &Node, pointer: &str) -> Option<Vec<Consequence>> {
    check_allowed(ctx, nested, &["required", "properties"], pointer);
    let target = match &parent.shape.ty {
        Ty::Named(named) if named.kind == NamedKind::Struct => ctx.def_named(named),
        _ => None,
    };
    let Some(target) = target else {
        ctx.error(
            pointer,
            "`then` can only reach into a member that is a named object",
        );
        return None;
    };
    let parent_member = ParentMember {
        name: parent.name.clone(),
        rust: parent.rust.clone(),
        required: parent.required,
        nullable: parent.shape.nullable,
    };
    // The target's own problems are reported where it is lowered.
    let mark = ctx.problems.len();
    let inner_fields = super::members::fields(ctx, &target.node, target.direction, &target.pointer);
    ctx.problems.truncate(mark);
    let mut found = Vec::new();
    for name in nested.required.iter().flatten() {
        let field = find(ctx, &inner_fields, name, pointer)?;
        if field.required {
            ctx.error(
                pointer,
                format!("`{name}` must be an optional property of `{}`", parent.name),
            );
            return None;
        }
        found.push(Consequence::Require(path(
            Some(parent_member.clone()),
            field,
        )));
    }
    for (member, constraint) in nested.properties.iter().flatten() {
        let constraint_pointer = join(&join(pointer, "properties"), member);
        let field = find(ctx, &inner_fields, member, &constraint_pointer)?;
        if constraint.boolean == Some(false) {
            found.push(Consequence::Forbid(path(
                Some(parent_member.clone()),
                field,
            )));
            continue;
        }
        check_allowed(ctx, constraint, CONSTRAINTS, &constraint_pointer);
        let checks = checks_of(ctx, constraint, &field.shape.ty, &constraint_pointer);
        found.push(Consequence::Check(
            path(Some(parent_member.clone()), field),
            checks,
        ));
    }
    Some(found)
}

/// The checks a `then` puts on a member; one the runtime cannot make natively is reported.
fn checks_of(
    ctx: &mut Ctx,
    node: &Node,
    ty: &crate::model::Ty,
    pointer: &str,
) -> Vec<crate::model::Check> {
    let found = constraint_checks(node, ty);
    for (keyword, why) in found.left {
        ctx.error(&join(pointer, keyword), why);
    }
    found.checks
}

fn path(parent: Option<ParentMember>, field: &Field) -> MemberPath {
    MemberPath {
        parent,
        member: field.name.clone(),
        rust: field.rust.clone(),
        shape: Shape {
            ty: field.shape.ty.clone(),
            checks: Vec::new(),
            nullable: field.shape.nullable,
            boxed: field.shape.boxed,
        },
        required: field.required,
    }
}

/// `anyOf` of `{"required": [...]}`: at least one of these groups of members is present.
pub(crate) fn any_of_required(
    ctx: &mut Ctx,
    node: &Node,
    fields: &[Field],
    pointer: &str,
) -> Option<ObjectRule> {
    let keyword = "anyOf";
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
            find(ctx, fields, name, &join(&option_pointer, "required"))?;
        }
        // Required members are always there: they need no testing.
        let optional: Vec<String> = required
            .iter()
            .filter(|name| fields.iter().any(|f| &f.name == *name && !f.required))
            .cloned()
            .collect();
        if optional.is_empty() {
            // A group of required members is always complete: the rule always holds.
            return Some(ObjectRule::AnyOfRequired(Vec::new()));
        }
        groups.push(optional);
    }
    Some(ObjectRule::AnyOfRequired(groups))
}
