//! What Rust type a schema becomes, decided from its keywords (and, for the options of a `oneOf`/`anyOf`,
//! from the schemas they name). The registry names and lifts types by it and lowering builds them by it, so
//! the two always agree.
//!
//! The rule: the type holds every value the schema accepts, as precisely as the keywords say (a `type`, a
//! `const`, an `enum`, an object's members, a union's options); whatever the type and its native checks do not
//! say is checked by the compiled schema (a *residual* check), so nothing the schema refuses passes.

use serde_json::Value;

use crate::schema::Node;

/// A JSON type, as `type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

impl JsonType {
    pub(crate) fn from_name(name: &str) -> Option<JsonType> {
        Some(match name {
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }

    /// The type of a JSON value (`null` has none here).
    pub(crate) fn of(value: &Value) -> Option<JsonType> {
        Some(match value {
            Value::String(_) => JsonType::String,
            Value::Number(number) if number.is_i64() || number.is_u64() => JsonType::Integer,
            Value::Number(number) if number.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                JsonType::Integer
            }
            Value::Number(_) => JsonType::Number,
            Value::Bool(_) => JsonType::Boolean,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
            Value::Null => return None,
        })
    }
}

/// What a schema becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `$ref` (with annotations only): the named type of the schema it names.
    Reference,
    /// An object with named members, or an object that keeps what it holds: a struct.
    Struct,
    /// An object whose members are all checked by one schema and none is named: a map.
    Map,
    /// Strings from a list (`enum`, or `oneOf` of `const` strings): an enum of strings.
    StrEnum,
    /// Named integer codes (`oneOf` of `{"const": N, "title": ...}`): an enum of codes.
    IntEnum,
    /// Objects told apart by a member's constant (`oneOf`): a tagged union.
    Union,
    /// One of several typed schemas, chosen by which one the value passes (`oneOf`/`anyOf`).
    Choice,
    /// Values of several JSON types (`"type": ["string", "number"]`): an enum with one variant per type.
    Either(Vec<JsonType>),
    /// One type: a string, an integer, a number, a boolean or an array.
    Scalar(JsonType),
    /// `["integer", "string"]` with the pattern `^[0-9]+$`: an integer that is also read from digits.
    LenientInteger,
    /// Anything else: `serde_json::Value`, checked by the compiled schema.
    Any,
}

impl Kind {
    /// Whether this kind is a Rust type of its own (a struct, an enum, a union) that an inline schema is
    /// lifted into, named after where it sits.
    pub(crate) fn is_named(&self) -> bool {
        matches!(
            self,
            Kind::Struct
                | Kind::StrEnum
                | Kind::IntEnum
                | Kind::Union
                | Kind::Choice
                | Kind::Either(_)
        )
    }
}

/// The pattern that makes `["integer", "string"]` an integer read from digits too.
pub(crate) const DIGITS: &str = "^[0-9]+$";

/// Finds the schema a `$ref` option names (for telling unions apart); `None` when it names none.
pub(crate) type Lookup<'a> = dyn Fn(&str) -> Option<&'a Node> + 'a;

/// Keywords that never change which values a schema accepts.
pub(crate) const NEUTRAL: &[&str] = &[
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$schema",
    "$defs",
    "contentSchema",
    "x-name",
    "x-aliases",
    "x-sensitive",
];

/// How deep the options of unions may nest, through references, before the generator stops looking (a
/// union whose options name the union itself).
const MAX_DEPTH: usize = 8;

/// The kind of `node`, and whether it also accepts `null`.
pub(crate) fn classify<'a>(node: &'a Node, lookup: &Lookup<'a>) -> (Kind, bool) {
    classify_within(node, lookup, 0)
}

fn classify_within<'a>(node: &'a Node, lookup: &Lookup<'a>, depth: usize) -> (Kind, bool) {
    if node.boolean.is_some() || depth > MAX_DEPTH {
        return (Kind::Any, false);
    }
    if let Some(inner) = nullable_wrapper(node) {
        let (kind, _) = classify_within(inner, lookup, depth + 1);
        return (kind, true);
    }
    if node.reference.is_some() && only(node, &["$ref"]) {
        return (Kind::Reference, false);
    }
    let (mut types, mut nullable) = types_of(node);
    if let Some(kind) = enum_kind(node, &types) {
        return (kind, nullable);
    }
    if let Some(kind) = union_kind(node, lookup, depth) {
        return (kind, nullable);
    }
    if types.is_empty() && node.ty.is_none() {
        // No type of its own: the parts of an `allOf` may say (`allOf: [{"type": "object", ...}, ...]`).
        if let Some(pinned) = all_of_types(node, lookup) {
            (types, nullable) = (pinned, false);
        }
    }
    let kind = match types.as_slice() {
        [] => Kind::Any,
        [JsonType::Object] if is_map(node) => Kind::Map,
        [JsonType::Object] => Kind::Struct,
        [one] => Kind::Scalar(*one),
        [JsonType::String, JsonType::Integer] if node.pattern.as_deref() == Some(DIGITS) => {
            Kind::LenientInteger
        }
        many => Kind::Either(many.to_vec()),
    };
    (kind, nullable)
}

/// The JSON types every part of `node`'s `allOf` allows (its own `type`, or that of the schema a `$ref` part
/// names), when some part says; a value of another type is refused by that part.
fn all_of_types<'a>(node: &'a Node, lookup: &Lookup<'a>) -> Option<Vec<JsonType>> {
    let mut pinned: Option<Vec<JsonType>> = None;
    for part in node.all_of.iter().flatten() {
        let part = match &part.reference {
            Some(reference) if only(part, &["$ref"]) => match lookup(reference) {
                Some(target) => target,
                None => continue,
            },
            _ => part,
        };
        let (types, _) = types_of(part);
        if types.is_empty() {
            continue;
        }
        pinned = Some(match pinned {
            None => types,
            Some(before) => before.into_iter().filter(|t| types.contains(t)).collect(),
        });
    }
    pinned.filter(|types| !types.is_empty())
}

/// Whether the node holds no keyword that constrains values besides `allowed`.
pub(crate) fn only(node: &Node, allowed: &[&str]) -> bool {
    node.keywords
        .iter()
        .all(|keyword| allowed.contains(keyword) || NEUTRAL.contains(keyword))
}

/// The JSON types a node's own `type`, `const` and `enum` allow (`null` apart), in a fixed order, `integer`
/// folded into `number` when both are there; empty when any type will do.
pub(crate) fn types_of(node: &Node) -> (Vec<JsonType>, bool) {
    let mut nullable = false;
    let mut types: Option<Vec<JsonType>> = None;
    if let Some(names) = &node.ty {
        nullable = names.iter().any(|name| name == "null");
        types = Some(
            names
                .iter()
                .filter_map(|name| JsonType::from_name(name))
                .collect(),
        );
    }
    let constants: Option<Vec<&Value>> = match (&node.constant, &node.enumeration) {
        (Some(value), _) => Some(vec![value]),
        (None, Some(values)) => Some(values.iter().collect()),
        (None, None) => None,
    };
    if let Some(values) = constants {
        let allows_null = values.iter().any(|value| value.is_null());
        nullable = if node.ty.is_some() {
            nullable && allows_null
        } else {
            allows_null
        };
        let of_values: Vec<JsonType> = values.iter().filter_map(|v| JsonType::of(v)).collect();
        types = Some(match types {
            None => of_values,
            Some(declared) => of_values
                .into_iter()
                .filter(|ty| {
                    declared.contains(ty)
                        || (*ty == JsonType::Integer && declared.contains(&JsonType::Number))
                })
                .collect(),
        });
        if types.as_ref().is_some_and(Vec::is_empty) && !nullable {
            // Nothing is allowed: no type says it better than any.
            return (Vec::new(), false);
        }
    }
    let mut types = types.unwrap_or_default();
    if types.contains(&JsonType::Number) {
        types.retain(|ty| *ty != JsonType::Integer);
    }
    types.sort();
    types.dedup();
    (types, nullable)
}

/// An object used as a map: a schema for its members' values, and no member named or matched by pattern.
fn is_map(node: &Node) -> bool {
    node.properties.is_none()
        && node.pattern_properties.is_none()
        && node
            .additional_properties
            .as_ref()
            .is_some_and(|extra| extra.boolean.is_none())
}

/// An enum of strings or of named integer codes.
fn enum_kind(node: &Node, types: &[JsonType]) -> Option<Kind> {
    if let Some(options) = &node.one_of {
        let constants: Vec<&Value> = options.iter().filter_map(|o| o.constant.as_ref()).collect();
        let all_constants = constants.len() == options.len()
            && options
                .iter()
                .all(|option| only(option, &["const", "type"]));
        if !all_constants || !only(node, &["type", "oneOf"]) {
            return None;
        }
        let distinct = constants
            .iter()
            .enumerate()
            .all(|(index, value)| !constants[..index].contains(value));
        if !distinct {
            return None;
        }
        if constants.iter().all(|value| value.is_i64())
            && types.iter().all(|t| *t == JsonType::Integer)
        {
            return Some(Kind::IntEnum);
        }
        if constants.iter().all(|value| value.is_string())
            && types.iter().all(|t| *t == JsonType::String)
        {
            return Some(Kind::StrEnum);
        }
        return None;
    }
    let values = node.enumeration.as_ref()?;
    let strings = values.iter().any(Value::is_string)
        && values
            .iter()
            .all(|value| value.is_string() || value.is_null());
    (strings && types == [JsonType::String] && only(node, &["type", "enum", "x-enumNames"]))
        .then_some(Kind::StrEnum)
}

/// A union of `oneOf`/`anyOf` options: tagged when they are objects told apart by a constant member, chosen
/// by validation when each option has a type of its own and a name can be told from the others.
fn union_kind<'a>(node: &'a Node, lookup: &Lookup<'a>, depth: usize) -> Option<Kind> {
    let (keyword, options) = match (&node.one_of, &node.any_of) {
        (Some(options), None) => ("oneOf", options),
        (None, Some(options)) => ("anyOf", options),
        _ => return None,
    };
    let (own_types, _) = types_of(node);
    // Keywords beside the options (shared members, a `type`) are checked by the compiled schema; the options
    // decide the type.
    if !own_types.is_empty() && own_types != [JsonType::Object] {
        return None;
    }
    let targets = option_targets(options, lookup)?;
    if keyword == "oneOf" && tag_member(&targets).is_some() && only(node, &["type", "oneOf"]) {
        return Some(Kind::Union);
    }
    if let Some(types) = disjoint_scalars(&targets, lookup, depth) {
        if only(node, &["type", keyword]) {
            return Some(Kind::Either(types));
        }
    }
    let typed = targets.iter().all(|target| {
        let (kind, nullable) = classify_within(target, lookup, depth + 1);
        !nullable && !matches!(kind, Kind::Any | Kind::Reference)
    });
    (typed && option_names(&targets).is_some()).then_some(Kind::Choice)
}

/// The types of options that are each one scalar type, no two of which a value can have (an integer is a
/// number too): then `oneOf` and `anyOf` both mean "a value of one of these types, with that option's
/// checks", which an enum of one variant per type says.
fn disjoint_scalars<'a>(
    targets: &[&'a Node],
    lookup: &Lookup<'a>,
    depth: usize,
) -> Option<Vec<JsonType>> {
    let mut types = Vec::new();
    for target in targets {
        let (kind, nullable) = classify_within(target, lookup, depth + 1);
        let Kind::Scalar(
            ty @ (JsonType::String | JsonType::Integer | JsonType::Number | JsonType::Boolean),
        ) = kind
        else {
            return None;
        };
        let overlaps = |other: &JsonType| {
            *other == ty
                || matches!(
                    (ty, other),
                    (JsonType::Integer, JsonType::Number) | (JsonType::Number, JsonType::Integer)
                )
        };
        if nullable || types.iter().any(overlaps) {
            return None;
        }
        types.push(ty);
    }
    types.sort();
    (types.len() > 1).then_some(types)
}

/// The schema each option is: itself, or the one its `$ref` names.
fn option_targets<'a>(options: &'a [Node], lookup: &Lookup<'a>) -> Option<Vec<&'a Node>> {
    options
        .iter()
        .map(|option| match &option.reference {
            Some(reference) if only(option, &["$ref"]) => lookup(reference),
            _ => Some(option),
        })
        .collect()
}

/// The variant names of a union chosen by validation (`oneOf` or `anyOf` of `node`), as [`option_names`]
/// tells them apart.
pub(crate) fn choice_names<'a>(node: &'a Node, lookup: &Lookup<'a>) -> Option<Vec<String>> {
    let options = node.one_of.as_ref().or(node.any_of.as_ref())?;
    option_names(&option_targets(options, lookup)?)
}

/// The first member (in the first option's order) that every option requires with a distinct string or
/// integer `const`: the tag of a union.
pub(crate) fn tag_member(options: &[&Node]) -> Option<String> {
    let first = options.first()?;
    if options
        .iter()
        .any(|option| types_of(option).0 != [JsonType::Object])
    {
        return None;
    }
    first
        .properties
        .iter()
        .flatten()
        .map(|(name, _)| name)
        .find(|name| {
            let mut seen = std::collections::BTreeSet::new();
            options.iter().all(|option| {
                let required = option.required.iter().flatten().any(|r| r == *name);
                let constant = option
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

/// The variant name of each option of a union chosen by validation, told from the others: its `x-name` or
/// PascalCase `title`, its JSON type when no other option has it, or the first member it requires that the
/// others do not. `None` when some option cannot be told apart by a name (then the schema is checked whole).
pub(crate) fn option_names(options: &[&Node]) -> Option<Vec<String>> {
    let types: Vec<Vec<JsonType>> = options.iter().map(|o| types_of(o).0).collect();
    let mut names = Vec::new();
    for (index, option) in options.iter().enumerate() {
        let given = option.x_name.clone().or_else(|| {
            option
                .title
                .clone()
                .filter(|t| super::names::is_pascal_case(t))
        });
        let by_type = match types[index].as_slice() {
            [one] if types.iter().filter(|t| t.as_slice() == [*one]).count() == 1 => {
                super::names::pascal(one.name())
            }
            _ => None,
        };
        let by_member = || {
            let required = option.required.as_ref()?;
            required
                .iter()
                .find(|member| {
                    options.iter().enumerate().all(|(other, o)| {
                        other == index || !o.required.iter().flatten().any(|r| &r == member)
                    })
                })
                .and_then(|member| super::names::pascal(member))
                .map(|member| format!("With{member}"))
        };
        let name = given.or(by_type).or_else(by_member)?;
        if names.contains(&name) {
            return None;
        }
        names.push(name);
    }
    Some(names)
}

/// `X`, when `node` is `oneOf` or `anyOf` of exactly `X` and `{"type": "null"}`, and nothing else
/// constrains it: a nullable `X`.
pub(crate) fn nullable_wrapper(node: &Node) -> Option<&Node> {
    let options = node.one_of.as_ref().or(node.any_of.as_ref())?;
    if !only(node, &["oneOf", "anyOf"]) || (node.one_of.is_some() && node.any_of.is_some()) {
        return None;
    }
    let is_null = |option: &Node| {
        option.ty.as_deref() == Some(&["null".to_owned()]) && option.keywords == ["type"]
    };
    let value = match options.as_slice() {
        [value, null] | [null, value] if is_null(null) && !is_null(value) => value,
        _ => return None,
    };
    // `oneOf` allows `null` only when `X` does not: an `X` that takes `null` too makes it match both.
    let (types, nullable) = types_of(value);
    let refuses_null = value.reference.is_some() || (!types.is_empty() && !nullable);
    (node.any_of.is_some() || refuses_null).then_some(value)
}
