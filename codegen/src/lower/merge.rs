//! `allOf` of an object: the members of its plain object parts (inline, or a `$ref` to an object definition
//! of the same file) become fields of the one struct, and its conditional parts become rules. A part that is
//! neither, or a member two parts give different schemas, leaves `allOf` to the compiled schema: the fields
//! still hold every valid value (a valid value passes every part), and the residual check refuses the rest.

use super::conditional;
use super::ctx::Ctx;
use super::kind::{only, types_of, JsonType, Kind};
use super::members::fields;
use super::registry::Resolved;
use crate::diagnostic::join;
use crate::model::{Direction, Field, ObjectRule};
use crate::schema::Node;

/// What `allOf` gave an object.
pub(crate) struct Parts {
    /// Every part is a plain object or a conditional the rules say exactly.
    pub complete: bool,
    /// How many members the parts added to the object's own.
    pub merged_members: usize,
}

/// Merges the members of the plain object parts of `node`'s `allOf` into `own`, and adds the rules of its
/// conditional parts to `rules`.
pub(crate) fn all_of(
    ctx: &mut Ctx,
    node: &Node,
    direction: Direction,
    pointer: &str,
    own: &mut Vec<Field>,
    rules: &mut Vec<ObjectRule>,
) -> Parts {
    let mut parts = Parts {
        complete: true,
        merged_members: 0,
    };
    let mut conditionals = Vec::new();
    for (index, part) in node.all_of.iter().flatten().enumerate() {
        let at = join(&join(pointer, "allOf"), &index.to_string());
        match plain_members(ctx, part, direction, &at) {
            Some(members) => match add(own, members) {
                Some(added) => parts.merged_members += added,
                None => parts.complete = false,
            },
            None => conditionals.push((part, at)),
        }
    }
    for (part, at) in conditionals {
        let found = ctx.attempt(|ctx| rule_part(ctx, part, own, &at));
        match found {
            Some(found) => rules.extend(found),
            None => parts.complete = false,
        }
    }
    parts
}

/// The members of a plain object part: `properties` and `required` (and `"type": "object"`), inline or in
/// an object definition of this file that says nothing else.
fn plain_members(
    ctx: &mut Ctx,
    part: &Node,
    direction: Direction,
    pointer: &str,
) -> Option<Vec<Field>> {
    if let (Some(target), true) = (&part.reference, only(part, &["$ref"])) {
        let Some(Resolved::Def(def)) = ctx.resolve(pointer, target) else {
            return None;
        };
        let same_file = ctx.registry.files[def.file].file == ctx.registry.files[ctx.file].file;
        if def.kind != Kind::Struct || !same_file || !is_plain(&def.node) {
            return None;
        }
        return Some(fields(ctx, &def.node, direction, &def.pointer));
    }
    if !is_plain(part) {
        return None;
    }
    let members = fields(ctx, part, direction, pointer);
    let declared = |name: &String| members.iter().any(|f| &f.name == name);
    part.required
        .iter()
        .flatten()
        .all(declared)
        .then_some(members)
}

fn is_plain(node: &Node) -> bool {
    let (types, _) = types_of(node);
    only(node, &["type", "properties", "required"])
        && (types.is_empty() || types == [JsonType::Object])
        && node
            .ty
            .as_ref()
            .is_none_or(|t| !t.iter().any(|t| t == "null"))
}

/// Adds `members` to `own`: a new member as it is, one already there only when the part says the same of it
/// (it may make it required). `None` when two parts disagree on a member; otherwise how many were added.
fn add(own: &mut Vec<Field>, members: Vec<Field>) -> Option<usize> {
    let mut added = 0;
    let mut agree = true;
    for mut member in members {
        let taken: Vec<String> = own
            .iter()
            .filter(|f| f.name != member.name)
            .map(|f| f.rust.clone())
            .collect();
        super::members::rename_if_taken(
            &mut member,
            &taken.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        match own.iter_mut().find(|f| f.name == member.name) {
            Some(existing) if existing.shape == member.shape => {
                existing.required |= member.required;
            }
            Some(_) => agree = false,
            None => {
                own.push(member);
                added += 1;
            }
        }
    }
    agree.then_some(added)
}

/// A conditional part: `if`/`then`/`else`, or `anyOf` of `required` lists.
fn rule_part(
    ctx: &mut Ctx,
    part: &Node,
    fields: &[Field],
    pointer: &str,
) -> Option<Vec<ObjectRule>> {
    if !only(part, &["if", "then", "else", "anyOf"]) {
        return None;
    }
    let mut rules = Vec::new();
    rules.extend(conditional::conditionals(ctx, part, fields, pointer));
    if part.any_of.is_some() {
        match conditional::any_of_required(ctx, part, fields, pointer)? {
            ObjectRule::AnyOfRequired(groups) if groups.is_empty() => {}
            rule => rules.push(rule),
        }
    }
    Some(rules)
}
