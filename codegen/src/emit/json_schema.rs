//! `schemars::JsonSchema` for the generated types, behind salesync's `schemars` feature: derived for structs
//! and newtypes with the schema's constraints as `extend(...)`, written out for enums and unions (whose serde
//! impls are hand-written too). The schema derived from the Rust types accepts what the source schema accepts.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::{json, Map, Value};

use super::cx::Cx;
use super::names::ident;
use super::rust_type::{integer_reader, rust_type};
use super::tokens::json_tokens;
use crate::model::{
    Additional, Check, Conditional, Consequence, Direction, Field, ObjectRule, Presence, Shape,
    StrVariant, Struct, Ty, Union, Variant,
};
use crate::written;

/// `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`.
pub fn derive() -> TokenStream {
    quote!(#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))])
}

/// `#[cfg_attr(feature = "schemars", schemars(...))]`, or nothing when `parts` is empty.
fn attribute(parts: Vec<TokenStream>) -> Option<TokenStream> {
    (!parts.is_empty()).then(|| quote!(#[cfg_attr(feature = "schemars", schemars(#(#parts),*))]))
}

/// One `extend("keyword" = value, ...)` with every pair; nothing when there are none.
fn extend(pairs: Vec<(String, Value)>) -> Vec<TokenStream> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let pairs = pairs.into_iter().map(|(key, value)| {
        let value = json_tokens(&value);
        quote!(#key = #value)
    });
    vec![quote!(extend(#(#pairs),*))]
}

/// The attribute of a struct field: the schema of its Rust type, its constraints, and `required` where a
/// member is required but may be `null`.
pub fn field_attr(field: &Field, direction: Direction, cx: &Cx) -> Option<TokenStream> {
    let mut parts = Vec::new();
    let presence = field.presence(direction);
    if integer_reader(&field.shape, cx).is_some() || presence == Presence::RequiredNullable {
        let inner = rust_type(&field.shape.ty, cx);
        let ty = match presence {
            Presence::Always => inner,
            Presence::Nullable => {
                let nullable = cx.rt("Nullable");
                quote!(#nullable<#inner>)
            }
            _ => quote!(Option<#inner>),
        };
        let with = ty.to_string().replace(' ', "");
        parts.push(quote!(with = #with));
    }
    if presence == Presence::RequiredNullable {
        parts.push(quote!(required));
    }
    let mut pairs = keywords(&field.shape);
    // schemars lets an `Option` be `null`; the schema does not (salesync only reads `null` there as absent).
    let single = match &field.shape.ty {
        Ty::String => Some("string"),
        Ty::Integer { lenient: false, .. } => Some("integer"),
        Ty::Number => Some("number"),
        Ty::Boolean => Some("boolean"),
        Ty::Array(_) => Some("array"),
        Ty::Map(_) => Some("object"),
        _ => None,
    };
    match (presence, field.shape.nullable, single) {
        (Presence::Optional, false, Some(single)) => {
            pairs.insert(0, ("type".to_owned(), json!(single)))
        }
        // ... and a required `Option` not: say `null` where the schema allows it.
        (_, true, Some(single)) => pairs.insert(0, ("type".to_owned(), json!([single, "null"]))),
        _ => {}
    }
    parts.extend(extend(pairs));
    attribute(parts)
}

/// The attribute of a newtype's value.
pub fn newtype_attr(shape: &Shape, cx: &Cx) -> Option<TokenStream> {
    let mut parts = Vec::new();
    if integer_reader(shape, cx).is_some() {
        let with = rust_type(&shape.ty, cx).to_string().replace(' ', "");
        parts.push(quote!(with = #with));
    }
    parts.extend(extend(keywords(shape)));
    attribute(parts)
}

/// The attribute of a struct: the rules between its members.
pub fn struct_attr(s: &Struct, direction: Direction) -> Option<TokenStream> {
    let mut pairs = Vec::new();
    if s.additional == Additional::Refused && direction != Direction::Request {
        pairs.push(("additionalProperties".to_owned(), Value::Bool(false)));
    }
    let mut all_of = Vec::new();
    let mut dependent = Map::new();
    for rule in &s.rules {
        match rule {
            ObjectRule::DependentRequired { when, then } => {
                dependent.insert(when.clone(), json!(then));
            }
            ObjectRule::Conditional(conditional) => all_of.push(conditional_json(conditional)),
            ObjectRule::AnyOfRequired(groups) => {
                let options: Vec<Value> = groups
                    .iter()
                    .map(|group| json!({"required": group}))
                    .collect();
                all_of.push(json!({"anyOf": options}));
            }
            ObjectRule::PropertyCount { min, max } => {
                pairs.extend(min.map(|min| ("minProperties".to_owned(), json!(min))));
                pairs.extend(max.map(|max| ("maxProperties".to_owned(), json!(max))));
            }
            ObjectRule::Compare { left, op, right } => {
                let op = match op {
                    crate::model::CompareOp::Less => "<",
                    crate::model::CompareOp::LessOrEqual => "<=",
                    crate::model::CompareOp::Equal => "==",
                    crate::model::CompareOp::GreaterOrEqual => ">=",
                    crate::model::CompareOp::Greater => ">",
                };
                pairs.push((
                    "x-compare".to_owned(),
                    json!([{"left": left, "op": op, "right": right}]),
                ));
            }
        }
    }
    if !dependent.is_empty() {
        pairs.push(("dependentRequired".to_owned(), Value::Object(dependent)));
    }
    if !all_of.is_empty() {
        pairs.push(("allOf".to_owned(), Value::Array(all_of)));
    }
    if let Additional::Typed(values) = &s.additional {
        if let Some(schema) = value_schema(values) {
            pairs.push(("additionalProperties".to_owned(), schema));
        }
    }
    attribute(extend(pairs))
}

/// The keywords a value's checks add to the schema schemars derives from its Rust type.
fn keywords(shape: &Shape) -> Vec<(String, Value)> {
    let mut pairs = Vec::new();
    if matches!(shape.ty, Ty::Integer { lenient: true, .. }) {
        let mut types = vec![json!("integer"), json!("string")];
        if shape.nullable {
            types.push(json!("null"));
        }
        pairs.push(("type".to_owned(), Value::Array(types)));
        pairs.push(("pattern".to_owned(), json!("^[0-9]+$")));
    }
    if matches!(
        shape.ty,
        Ty::Integer {
            minor_units: true,
            ..
        }
    ) {
        pairs.push(("x-minorUnits".to_owned(), Value::Bool(true)));
    }
    // A residual check is the source schema's own; schemars has no keyword for it.
    pairs.extend(
        shape
            .checks
            .iter()
            .filter(|check| !matches!(check, Check::Schema(_)))
            .map(check_pair),
    );
    match &shape.ty {
        Ty::Array(items) => {
            pairs.extend(value_schema(items).map(|schema| ("items".to_owned(), schema)))
        }
        Ty::Map(map) => {
            pairs.extend(
                value_schema(&map.values).map(|schema| ("additionalProperties".to_owned(), schema)),
            );
            if !map.keys.is_empty() {
                let names: Map<String, Value> = map.keys.iter().map(check_pair).collect();
                pairs.push(("propertyNames".to_owned(), Value::Object(names)));
            }
        }
        _ => {}
    }
    pairs
}

/// The whole schema of an array item or map value that is not a named type (schemars derives those).
fn value_schema(shape: &Shape) -> Option<Value> {
    let base = match &shape.ty {
        Ty::String => "string",
        Ty::Integer { lenient: false, .. } => "integer",
        Ty::Number => "number",
        Ty::Boolean => "boolean",
        Ty::Integer { lenient: true, .. } | Ty::Any => "",
        Ty::Array(items) if !matches!(items.ty, Ty::Named(_)) => "array",
        Ty::Map(map) if !matches!(map.values.ty, Ty::Named(_)) => "object",
        _ => return None,
    };
    let mut schema = Map::new();
    if !base.is_empty() {
        schema.insert("type".to_owned(), with_null(json!(base), shape.nullable));
    }
    for (key, value) in keywords(shape) {
        schema.insert(key, value);
    }
    Some(Value::Object(schema))
}

fn with_null(ty: Value, nullable: bool) -> Value {
    if nullable {
        json!([ty, "null"])
    } else {
        ty
    }
}

fn check_pair(check: &Check) -> (String, Value) {
    (check.keyword().to_owned(), written::check(check))
}

/// An `if`/`then`/`else` written back as JSON Schema.
fn conditional_json(rule: &Conditional) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for test in &rule.when {
        if test.required {
            required.push(json!(test.member));
        }
        match test.values.as_slice() {
            [] => {}
            [one] => {
                _ = properties.insert(test.member.clone(), json!({"const": written::literal(one)}))
            }
            many => {
                let values: Vec<Value> = many.iter().map(written::literal).collect();
                properties.insert(test.member.clone(), json!({"enum": values}));
            }
        }
    }
    let mut rule_json = Map::new();
    rule_json.insert(
        "if".to_owned(),
        json!({"properties": properties, "required": required}),
    );
    if !rule.then.is_empty() {
        rule_json.insert("then".to_owned(), consequences_json(&rule.then));
    }
    if !rule.otherwise.is_empty() {
        rule_json.insert("else".to_owned(), consequences_json(&rule.otherwise));
    }
    Value::Object(rule_json)
}

fn consequences_json(consequences: &[Consequence]) -> Value {
    let mut required = Vec::new();
    let mut properties = Map::new();
    for consequence in consequences {
        let (path, schema) = match consequence {
            Consequence::Require(path) if path.parent.is_none() => {
                required.push(json!(path.member));
                continue;
            }
            Consequence::Require(path) => (path, json!({"required": [path.member]})),
            Consequence::Forbid(path) => (path, Value::Bool(false)),
            Consequence::Check(path, checks) => {
                (path, Value::Object(checks.iter().map(check_pair).collect()))
            }
        };
        match &path.parent {
            None => _ = properties.insert(path.member.clone(), schema),
            Some(parent) => {
                let nested = properties
                    .entry(parent.name.clone())
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("an object");
                if let Some(required) = schema.get("required").cloned() {
                    let list = nested.entry("required").or_insert_with(|| json!([]));
                    list.as_array_mut()
                        .expect("a list")
                        .extend(required.as_array().cloned().unwrap_or_default());
                } else {
                    let inner = nested.entry("properties").or_insert_with(|| json!({}));
                    inner
                        .as_object_mut()
                        .expect("an object")
                        .insert(path.member.clone(), schema);
                }
            }
        }
    }
    let mut then = Map::new();
    if !required.is_empty() {
        then.insert("required".to_owned(), Value::Array(required));
    }
    if !properties.is_empty() {
        then.insert("properties".to_owned(), Value::Object(properties));
    }
    Value::Object(then)
}

/// `impl JsonSchema` written out for a type whose serde impls are. A type that is sent (requests, and types
/// used both ways) is described closed, by the values validation lets through; one only received, open.
fn manual_impl(name: &Ident, schema: TokenStream, uses_generator: bool) -> TokenStream {
    let type_name = name.to_string();
    let generator = if uses_generator {
        quote!(generator)
    } else {
        quote!(_)
    };
    quote! {
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #type_name.into()
            }
            fn json_schema(#generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!(#schema)
            }
        }
    }
}

pub fn int_enum_impl(name: &Ident, variants: &[Variant], open: bool) -> TokenStream {
    let schema = if open {
        json!({"type": "integer"})
    } else {
        json!({"type": "integer", "enum": variants.iter().map(|v| v.code).collect::<Vec<_>>()})
    };
    manual_impl(name, json_tokens(&schema), false)
}

pub fn str_enum_impl(name: &Ident, variants: &[StrVariant], open: bool) -> TokenStream {
    let schema = if open {
        json!({"type": "string"})
    } else {
        json!({"type": "string", "enum": variants.iter().map(|v| v.wire.as_str()).collect::<Vec<_>>()})
    };
    manual_impl(name, json_tokens(&schema), false)
}

pub fn union_impl(name: &Ident, union: &Union, open: bool) -> TokenStream {
    if open {
        return manual_impl(name, quote!({"type": "object"}), false);
    }
    let variants = union.variants.iter().map(|v| {
        let ty = ident(&v.ty);
        quote!(generator.subschema_for::<#ty>())
    });
    manual_impl(name, quote!({"oneOf": [#(#variants),*]}), true)
}
