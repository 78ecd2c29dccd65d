//! The JSON Schema vocabulary the generator reads, as plain Rust data. [`crate::load`] fills it in from the
//! JSON text and reports every keyword it does not know, so nothing in a schema is silently ignored.

use indexmap::IndexMap;
use serde_json::{Number, Value};

/// One schema file: an endpoint's metadata (or none, for a file of shared definitions) and its named types.
#[derive(Debug, Default, Clone)]
pub struct Document {
    pub dialect: Option<String>,
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// `x-endpoint`; a file without it only holds definitions other files `$ref`.
    pub endpoint: Option<EndpointSchema>,
    /// The root `$ref`: the request definition, so the document validates request bodies.
    pub root: Option<String>,
    pub defs: IndexMap<String, Node>,
    /// A file without `x-endpoint` whose top is a schema (`{"$id": ..., "type": "integer"}`, a document other
    /// files refer to by its `$id`): that schema, `$defs` included.
    pub root_schema: Option<Node>,
}

/// `x-endpoint`: what JSON Schema cannot say about a call.
#[derive(Debug, Default, Clone)]
pub struct EndpointSchema {
    pub vendor: String,
    pub operation: String,
    pub description: Option<String>,
    pub method: String,
    pub path: String,
    pub version: String,
    pub auth: String,
    /// `$ref` targets of the request and response bodies.
    pub request: String,
    pub response: String,
    pub error_response: Option<String>,
    pub batch_items: Option<String>,
    /// `true` on the version of an operation that `vendor::operation` names when several versions exist.
    pub default: Option<bool>,
}

/// Any schema node: a definition, a property, an array's items, a map's values, part of a conditional.
/// Every keyword is optional; [`Node::keywords`] lists the ones present, for the checks of what applies where.
#[derive(Debug, Default, Clone)]
pub struct Node {
    /// The keywords present, by their schema spelling, in the order written.
    pub keywords: Vec<&'static str>,
    /// A boolean schema: `true` accepts anything, `false` nothing.
    pub boolean: Option<bool>,
    pub reference: Option<String>,
    /// `$dynamicRef`: resolved against the dynamic scope when validating, so only the residual check knows it.
    pub dynamic_reference: Option<String>,

    // identity: where references land
    /// `$id` of an embedded schema resource: the base URI of everything below it.
    pub id: Option<String>,
    pub anchor: Option<String>,
    pub dynamic_anchor: Option<String>,
    /// `$schema` of an embedded resource.
    pub dialect: Option<String>,
    /// `$defs` below the document's root: definitions too, named by their keys.
    pub defs: Option<IndexMap<String, Node>>,
    /// `type`, always as a list (`"string"` is `["string"]`).
    pub ty: Option<Vec<String>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub examples: Option<Vec<Value>>,
    pub default: Option<Value>,
    pub deprecated: Option<bool>,
    pub format: Option<String>,

    // objects
    pub properties: Option<IndexMap<String, Node>>,
    pub required: Option<Vec<String>>,
    pub additional_properties: Option<Box<Node>>,
    pub property_names: Option<Box<Node>>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub dependent_required: Option<IndexMap<String, Vec<String>>>,
    pub if_: Option<Box<Node>>,
    pub then: Option<Box<Node>>,
    pub else_: Option<Box<Node>>,
    pub all_of: Option<Vec<Node>>,
    pub any_of: Option<Vec<Node>>,
    pub one_of: Option<Vec<Node>>,
    pub not: Option<Box<Node>>,
    pub x_compare: Option<Vec<CompareSchema>>,
    pub pattern_properties: Option<IndexMap<String, Node>>,
    pub dependent_schemas: Option<IndexMap<String, Node>>,
    pub unevaluated_properties: Option<Box<Node>>,

    // arrays
    pub items: Option<Box<Node>>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: Option<bool>,
    pub prefix_items: Option<Vec<Node>>,
    pub contains: Option<Box<Node>>,
    pub min_contains: Option<u64>,
    pub max_contains: Option<u64>,
    pub unevaluated_items: Option<Box<Node>>,

    // strings
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub x_min_bytes: Option<u64>,
    pub x_max_bytes: Option<u64>,

    // numbers
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    pub exclusive_minimum: Option<Number>,
    pub exclusive_maximum: Option<Number>,
    pub multiple_of: Option<Number>,
    pub x_decimal_places: Option<u32>,
    /// `x-minorUnits`: an integer amount in minor units (cents, fen).
    pub x_minor_units: Option<bool>,

    // enums and constants
    pub enumeration: Option<Vec<Value>>,
    pub constant: Option<Value>,
    pub x_enum_names: Option<Vec<String>>,
    /// `x-name`: the Rust name of an inline type, where the default would not read well.
    pub x_name: Option<String>,

    // responses
    pub x_aliases: Option<Vec<String>>,

    // credentials
    pub x_sensitive: Option<bool>,

    /// `contentSchema`: an annotation in 2020-12 (what a decoded string holds), never validated.
    pub content_schema: Option<Box<Node>>,
}

impl Node {
    /// Whether `keyword` is present.
    pub fn has(&self, keyword: &str) -> bool {
        self.keywords.contains(&keyword)
    }

    /// The single type named by `type`, if it names one (`["integer", "string"]` names none).
    pub fn single_type(&self) -> Option<&str> {
        match self.ty.as_deref() {
            Some([one]) => Some(one.as_str()),
            _ => None,
        }
    }

    /// `type` without `"null"`, and whether `"null"` was in it.
    pub fn types_without_null(&self) -> (Vec<&str>, bool) {
        let all: Vec<&str> = self.ty.iter().flatten().map(String::as_str).collect();
        let nullable = all.contains(&"null");
        (
            all.into_iter().filter(|ty| *ty != "null").collect(),
            nullable,
        )
    }
}

/// One `x-compare` entry: `left op right` between two members of the same object.
#[derive(Debug, Clone)]
pub struct CompareSchema {
    pub left: String,
    pub op: String,
    pub right: String,
}

impl Node {
    /// The schemas directly inside this one, each with its pointer relative to it (`/properties/id`,
    /// `/allOf/0`): every applicator of 2020-12, `$defs` and the conditionals.
    pub fn subschemas(&self) -> Vec<(String, &Node)> {
        let mut out = Vec::new();
        let maps = [
            ("properties", &self.properties),
            ("patternProperties", &self.pattern_properties),
            ("dependentSchemas", &self.dependent_schemas),
            ("$defs", &self.defs),
        ];
        for (keyword, map) in maps {
            for (member, child) in map.iter().flatten() {
                out.push((pointer_of(&[keyword, member]), child));
            }
        }
        let single = [
            ("items", &self.items),
            ("additionalProperties", &self.additional_properties),
            ("propertyNames", &self.property_names),
            ("unevaluatedProperties", &self.unevaluated_properties),
            ("unevaluatedItems", &self.unevaluated_items),
            ("contains", &self.contains),
            ("not", &self.not),
            ("if", &self.if_),
            ("then", &self.then),
            ("else", &self.else_),
            ("contentSchema", &self.content_schema),
        ];
        for (keyword, child) in single {
            if let Some(child) = child {
                out.push((pointer_of(&[keyword]), child.as_ref()));
            }
        }
        let lists = [
            ("oneOf", &self.one_of),
            ("anyOf", &self.any_of),
            ("allOf", &self.all_of),
            ("prefixItems", &self.prefix_items),
        ];
        for (keyword, list) in lists {
            for (index, child) in list.iter().flatten().enumerate() {
                out.push((pointer_of(&[keyword, &index.to_string()]), child));
            }
        }
        out
    }
}

/// `/a/b` from segments, escaped as RFC 6901 says.
fn pointer_of(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1")))
        .collect()
}
