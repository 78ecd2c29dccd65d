//! The JSON Schema subset the generator reads, as serde types. Unknown keywords are errors
//! (`deny_unknown_fields`), so nothing in a schema is silently ignored.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Number, Value};

/// One schema file: an endpoint's metadata and its named types.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(rename = "$schema")]
    pub dialect: String,
    #[serde(rename = "$id")]
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "$comment")]
    pub comment: Option<String>,
    #[serde(rename = "x-endpoint")]
    pub endpoint: EndpointSchema,
    /// The request definition: the document validates request bodies.
    #[serde(rename = "$ref")]
    pub root: String,
    #[serde(rename = "$defs")]
    pub defs: IndexMap<String, Node>,
}

/// `x-endpoint`: what JSON Schema cannot say about a call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointSchema {
    pub vendor: String,
    pub operation: String,
    pub description: Option<String>,
    pub method: String,
    pub path: String,
    pub version: String,
    pub auth: String,
    pub request: Ref,
    pub response: Ref,
    pub error_response: Option<Ref>,
    pub batch_items: Option<String>,
    pub docs: Option<String>,
    #[serde(rename = "$comment")]
    pub comment: Option<String>,
}

/// `{"$ref": "#/$defs/Name"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ref {
    #[serde(rename = "$ref")]
    pub target: String,
}

/// `"type"`: one name or a list of names.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TypeKeyword {
    One(String),
    Many(Vec<String>),
}

/// Any schema node: a definition, a property, an array's items, or part of `if`/`then`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Node {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(rename = "type")]
    pub ty: Option<TypeKeyword>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "$comment")]
    pub comment: Option<String>,
    pub examples: Option<Vec<Value>>,
    pub default: Option<Value>,
    pub format: Option<String>,

    // objects
    pub properties: Option<IndexMap<String, Node>>,
    pub required: Option<Vec<String>>,
    pub additional_properties: Option<bool>,
    pub dependent_required: Option<IndexMap<String, Vec<String>>>,
    #[serde(rename = "if")]
    pub if_: Option<Box<Node>>,
    pub then: Option<Box<Node>>,
    #[serde(rename = "x-compare")]
    pub x_compare: Option<Vec<CompareSchema>>,

    // arrays
    pub items: Option<Box<Node>>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,

    // strings
    pub min_length: Option<u64>,
    pub pattern: Option<String>,
    #[serde(rename = "x-minBytes")]
    pub x_min_bytes: Option<u64>,
    #[serde(rename = "x-maxBytes")]
    pub x_max_bytes: Option<u64>,

    // numbers
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    #[serde(rename = "x-decimalPlaces")]
    pub x_decimal_places: Option<u32>,

    // enums and conditions
    pub one_of: Option<Vec<Node>>,
    #[serde(rename = "const")]
    pub constant: Option<Value>,

    // responses
    #[serde(rename = "x-aliases")]
    pub x_aliases: Option<Vec<String>>,

    // credentials
    #[serde(rename = "x-sensitive")]
    pub x_sensitive: Option<bool>,
}

/// One `x-compare` entry: `left op right` between two members of the same object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSchema {
    pub left: String,
    pub op: String,
    pub right: String,
}
