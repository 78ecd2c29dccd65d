//! Where a schema sits in its endpoint: the eight positions the generator must handle, each an endpoint
//! document around the schema and the slots an instance goes into in a request or response body.
//!
//! Each document is the one endpoint of its file (vendor `shopline`, auth `shopline-bearer`); its
//! definitions are named `Gate...`, a prefix no generated schema uses. The schema's own `$defs` are hoisted
//! to the document's `$defs` (their `#/$defs/...` references keep their meaning), or, when `embedded`, the
//! schema keeps them and gets an `$id` of its own, so that `#` and `#/$defs/...` inside it mean the schema
//! (required when it refers to its own root).
//!
//! Every wrapping leaves the verdict as it is: a body is valid exactly when the instance is valid against
//! the schema alone (the test checks this with `jsonschema` on every body).

use serde_json::{json, Map, Value};

use crate::harness::wrap::{Placement, Slot, AUTH, BASE, DIALECT, VENDOR};

/// A position of a schema in an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A member of the request, written inline.
    RequestMember,
    /// A member of the response, written inline (never validated: the response must parse).
    ResponseMember,
    /// A member of a definition both the request and the response use.
    Both,
    /// The item of the batch (`x-endpoint.batch_items`): a definition, the items of a required array with
    /// `maxItems`.
    BatchItem,
    /// The values of a map (`additionalProperties`).
    MapValue,
    /// The items of an array.
    ArrayItem,
    /// An option of a `oneOf` (the other option a constant no instance is).
    UnionVariant,
    /// A definition referred to by `$ref`: a newtype when it is a scalar, an array or a map.
    Newtype,
}

pub const POSITIONS: [Position; 8] = [
    Position::RequestMember,
    Position::ResponseMember,
    Position::Both,
    Position::BatchItem,
    Position::MapValue,
    Position::ArrayItem,
    Position::UnionVariant,
    Position::Newtype,
];

impl Position {
    /// snake_case, for operation names.
    pub fn name(self) -> &'static str {
        match self {
            Position::RequestMember => "request_member",
            Position::ResponseMember => "response_member",
            Position::Both => "both",
            Position::BatchItem => "batch_item",
            Position::MapValue => "map_value",
            Position::ArrayItem => "array_item",
            Position::UnionVariant => "union_variant",
            Position::Newtype => "newtype",
        }
    }

    pub fn from_name(name: &str) -> Option<Position> {
        POSITIONS.into_iter().find(|p| p.name() == name)
    }
}

/// The constant of the other option of a [`Position::UnionVariant`]; no generated instance is this string.
pub const SENTINEL: &str = "gate-sentinel-7f3a";

/// The endpoint of `operation` holding `schema` at `position`.
pub fn place(position: Position, operation: &str, schema: &Value, embedded: bool) -> Placement {
    let (value, mut defs) = split(schema, operation, embedded);
    let member = |at: Value| json!({"v": at});
    let (request, response) = match position {
        Position::RequestMember => {
            defs.insert("GateRequest".into(), closed_with_v(value));
            (Some(slot(member(Value::Null), "/v")), None)
        }
        Position::ResponseMember => {
            defs.insert(
                "GateRequest".into(),
                json!({"type": "object", "additionalProperties": false}),
            );
            defs.insert("GateResponse".into(), open_with_v(value));
            (None, Some(slot(member(Value::Null), "/v")))
        }
        Position::Both => {
            defs.insert("GateShared".into(), closed_with_v(value));
            let shared = json!({"$ref": "#/$defs/GateShared"});
            defs.insert("GateRequest".into(), closed_with_v(shared.clone()));
            defs.insert("GateResponse".into(), open_with_v(shared));
            let body = member(member(Value::Null));
            (Some(slot(body.clone(), "/v/v")), Some(slot(body, "/v/v")))
        }
        Position::BatchItem => {
            defs.insert("GateItem".into(), value);
            defs.insert(
                "GateRequest".into(),
                json!({
                    "type": "object",
                    "properties": {"items": {
                        "type": "array", "minItems": 1, "maxItems": 5,
                        "items": {"$ref": "#/$defs/GateItem"}
                    }},
                    "required": ["items"],
                    "additionalProperties": false
                }),
            );
            (Some(slot(json!({"items": [null]}), "/items/0")), None)
        }
        Position::MapValue => {
            let map = json!({"type": "object", "additionalProperties": value});
            defs.insert("GateRequest".into(), closed_with_v(map));
            (Some(slot(member(json!({"k": null})), "/v/k")), None)
        }
        Position::ArrayItem => {
            let array = json!({"type": "array", "items": value});
            defs.insert("GateRequest".into(), closed_with_v(array));
            (Some(slot(member(json!([null])), "/v/0")), None)
        }
        Position::UnionVariant => {
            let sentinel = json!({"title": "GateSentinel", "const": SENTINEL});
            let union = json!({"oneOf": [value, sentinel]});
            defs.insert("GateRequest".into(), closed_with_v(union));
            (Some(slot(member(Value::Null), "/v")), None)
        }
        Position::Newtype => {
            defs.insert("GateValue".into(), value);
            let reference = json!({"$ref": "#/$defs/GateValue"});
            defs.insert("GateRequest".into(), closed_with_v(reference));
            (Some(slot(member(Value::Null), "/v")), None)
        }
    };
    defs.entry("GateResponse")
        .or_insert_with(|| json!({"type": "object"}));
    let batch = (position == Position::BatchItem).then_some("items");
    Placement {
        document: document(operation, defs, batch),
        request,
        response,
    }
}

/// The schema to put in place, and the definitions the document holds for it: hoisted, or kept inside an
/// embedded schema with its own `$id`.
fn split(schema: &Value, operation: &str, embedded: bool) -> (Value, Map<String, Value>) {
    let Value::Object(members) = schema else {
        return (schema.clone(), Map::new());
    };
    let mut members = members.clone();
    if embedded {
        members.insert("$id".into(), json!(format!("{BASE}{operation}/")));
        return (Value::Object(members), Map::new());
    }
    let defs = match members.remove("$defs") {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    (Value::Object(members), defs)
}

/// The endpoint document: `x-endpoint`, the root `$ref` to the request, the definitions.
fn document(operation: &str, defs: Map<String, Value>, batch: Option<&str>) -> Value {
    let mut endpoint = json!({
        "vendor": VENDOR,
        "operation": operation,
        "description": format!("Compile gate case {operation}"),
        "method": "POST",
        "path": format!("/gate/{operation}"),
        "version": "v1",
        "auth": AUTH,
        "request": {"$ref": "#/$defs/GateRequest"},
        "response": {"$ref": "#/$defs/GateResponse"}
    });
    if let Some(member) = batch {
        endpoint["batch_items"] = json!(member);
    }
    json!({
        "$schema": DIALECT,
        "x-endpoint": endpoint,
        "$ref": "#/$defs/GateRequest",
        "$defs": defs
    })
}

/// A request object whose one member `v`, required, is `schema`, and nothing else.
fn closed_with_v(schema: Value) -> Value {
    json!({"type": "object", "properties": {"v": schema}, "required": ["v"], "additionalProperties": false})
}

/// A response object whose member `v`, required, is `schema` (responses keep unknown members).
fn open_with_v(schema: Value) -> Value {
    json!({"type": "object", "properties": {"v": schema}, "required": ["v"]})
}

fn slot(template: Value, pointer: &str) -> Slot {
    Slot {
        template,
        pointer: pointer.to_owned(),
    }
}

/// The document validating what `side` holds: its root `$ref` turned to the request or the response.
pub fn document_for(placement: &Placement, response: bool) -> Value {
    let mut document = placement.document.clone();
    let root = if response {
        "#/$defs/GateResponse"
    } else {
        "#/$defs/GateRequest"
    };
    document["$ref"] = json!(root);
    document
}
