//! JSON text -> [`Document`]: every keyword is read by hand, so that every unknown or malformed one in a file
//! is reported in one run (a derived deserializer would stop at the first).

use indexmap::IndexMap;
use serde_json::{Number, Value};

use super::json::Json;

use crate::diagnostic::{join, Diagnostic};
use crate::schema::{CompareSchema, Document, EndpointSchema, Node};

/// Keywords of older drafts that mean nothing in 2020-12 (a validator would ignore them): refused with what to
/// write instead, because a schema that uses them almost certainly meant something else.
const OLD_SPELLINGS: &[(&str, &str)] = &[
    ("definitions", "draft-07 `definitions`: this is 2020-12, use `$defs`"),
    ("dependencies", "draft-07 `dependencies`: use `dependentRequired` or `dependentSchemas`"),
    ("additionalItems", "draft-07 `additionalItems`: in 2020-12, `prefixItems` holds the tuple and `items` the rest"),
    ("$recursiveRef", "draft 2019-09 `$recursiveRef`: use `$dynamicRef`"),
    ("$recursiveAnchor", "draft 2019-09 `$recursiveAnchor`: use `$dynamicAnchor`"),
];

/// What the top of an endpoint file, or of a file of shared definitions, holds; a file without `x-endpoint`
/// holding anything else is a schema document (its top is a schema).
const DOCUMENT_KEYS: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "$comment",
    "$defs",
];

/// Annotations with no effect on the generated code (besides `title`, `description` and `examples`).
const ANNOTATIONS: &[&str] = &[
    "$comment",
    "$vocabulary",
    "readOnly",
    "writeOnly",
    "contentEncoding",
    "contentMediaType",
];

const JSON_TYPES: [&str; 7] = [
    "string", "integer", "number", "boolean", "object", "array", "null",
];

/// Reads one schema file, collecting every problem.
pub(super) struct Reader<'a> {
    file: &'a str,
    pub(super) problems: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(file: &'a str) -> Self {
        Reader {
            file,
            problems: Vec::new(),
        }
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Diagnostic {
            file: self.file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// The document at the root of a file.
    pub(super) fn document(&mut self, value: &Json) -> Document {
        let mut document = Document::default();
        let Some(object) = self.object(value, "", "a schema document") else {
            return document;
        };
        if !object.contains_key("x-endpoint")
            && object
                .keys()
                .any(|key| !DOCUMENT_KEYS.contains(&key.as_str()))
        {
            return self.schema_document(value);
        }
        for (key, value) in object {
            let pointer = join("", key);
            match key.as_str() {
                "$schema" => document.dialect = self.string(value, &pointer),
                "$id" => document.id = self.string(value, &pointer),
                "title" => document.title = self.string(value, &pointer),
                "description" => document.description = self.string(value, &pointer),
                "$comment" => _ = self.string(value, &pointer),
                "x-endpoint" => document.endpoint = self.endpoint(value, &pointer),
                "$ref" => document.root = self.string(value, &pointer),
                "$defs" => {
                    let Some(defs) = self.object(value, &pointer, "an object of definitions") else {
                        continue;
                    };
                    for (name, def) in defs {
                        let def_pointer = join(&pointer, name);
                        document.defs.insert(name.clone(), self.node(def, &def_pointer));
                    }
                }
                other => self.error(
                    &pointer,
                    format!("`{other}` does not belong at the top of a schema file: the top holds `$schema`, `$id`, `title`, `description`, `x-endpoint`, the root `$ref` to the request and `$defs`"),
                ),
            }
        }
        if document.dialect.is_none() {
            self.error("", "`$schema` is missing: it must name JSON Schema 2020-12");
        }
        document
    }

    /// A document without `x-endpoint` whose top is a schema: read whole as one.
    /// Its `$schema` may be left out: a document another file refers to is read in that file's dialect.
    fn schema_document(&mut self, value: &Json) -> Document {
        let node = self.node(value, "");
        Document {
            dialect: node.dialect.clone(),
            id: node.id.clone(),
            title: node.title.clone(),
            description: node.description.clone(),
            defs: node.defs.clone().unwrap_or_default(),
            root_schema: Some(node),
            ..Document::default()
        }
    }

    fn endpoint(&mut self, value: &Json, pointer: &str) -> Option<EndpointSchema> {
        let object = self.object(value, pointer, "an object")?;
        let mut endpoint = EndpointSchema::default();
        let mut seen = Vec::new();
        for (key, value) in object {
            let member = join(pointer, key);
            let text = |reader: &mut Self| reader.string(value, &member).unwrap_or_default();
            match key.as_str() {
                "vendor" => endpoint.vendor = text(self),
                "operation" => endpoint.operation = text(self),
                "description" => endpoint.description = self.string(value, &member),
                "method" => endpoint.method = text(self),
                "path" => endpoint.path = text(self),
                "version" => endpoint.version = text(self),
                "auth" => endpoint.auth = text(self),
                "request" => endpoint.request = self.reference(value, &member).unwrap_or_default(),
                "response" => {
                    endpoint.response = self.reference(value, &member).unwrap_or_default()
                }
                "error_response" => endpoint.error_response = self.reference(value, &member),
                "batch_items" => endpoint.batch_items = self.string(value, &member),
                "default" => endpoint.default = self.boolean(value, &member),
                "docs" | "$comment" => _ = self.string(value, &member),
                other => {
                    self.error(&member, format!("unknown `x-endpoint` member `{other}`"));
                    continue;
                }
            }
            seen.push(key.as_str());
        }
        let required = [
            "vendor",
            "operation",
            "method",
            "path",
            "version",
            "auth",
            "request",
            "response",
        ];
        for member in required.into_iter().filter(|member| !seen.contains(member)) {
            self.error(pointer, format!("`x-endpoint` needs `{member}`"));
        }
        Some(endpoint)
    }

    /// `{"$ref": "..."}`, the form `x-endpoint` names bodies in.
    fn reference(&mut self, value: &Json, pointer: &str) -> Option<String> {
        let object = self.object(value, pointer, "{\"$ref\": ...}")?;
        for key in object.keys().filter(|key| *key != "$ref") {
            self.error(&join(pointer, key), "only `$ref` belongs here");
        }
        match object.get("$ref") {
            Some(target) => self.string(target, &join(pointer, "$ref")),
            None => {
                self.error(pointer, "`$ref` is missing");
                None
            }
        }
    }

    /// A schema: an object of keywords or a boolean.
    pub(super) fn node(&mut self, value: &Json, pointer: &str) -> Node {
        let mut node = Node::default();
        let object = match value {
            Json::Bool(accepts) => {
                node.boolean = Some(*accepts);
                return node;
            }
            Json::Object(object) => object,
            _ => {
                self.error(pointer, "a schema must be an object or a boolean");
                return node;
            }
        };
        for (key, value) in object {
            let at = join(pointer, key);
            if let Some(keyword) = self.keyword(&mut node, key, value, &at) {
                node.keywords.push(keyword);
            }
        }
        node
    }

    /// Reads one keyword into `node`; returns its static name when it is one the generator uses.
    fn keyword(
        &mut self,
        node: &mut Node,
        key: &str,
        value: &Json,
        at: &str,
    ) -> Option<&'static str> {
        let name = KNOWN.iter().copied().find(|known| *known == key);
        match key {
            "$ref" => node.reference = self.string(value, at),
            "$dynamicRef" => node.dynamic_reference = self.string(value, at),
            "$id" => node.id = self.string(value, at),
            "$anchor" => node.anchor = self.string(value, at),
            "$dynamicAnchor" => node.dynamic_anchor = self.string(value, at),
            "$schema" => node.dialect = self.string(value, at),
            "$defs" => node.defs = self.node_map(value, at),
            "not" => node.not = Some(Box::new(self.node(value, at))),
            "patternProperties" => node.pattern_properties = self.node_map(value, at),
            "dependentSchemas" => node.dependent_schemas = self.node_map(value, at),
            "unevaluatedProperties" => {
                node.unevaluated_properties = Some(Box::new(self.node(value, at)))
            }
            "prefixItems" => node.prefix_items = self.nodes(value, at),
            "contains" => node.contains = Some(Box::new(self.node(value, at))),
            "minContains" => node.min_contains = self.count(value, at),
            "maxContains" => node.max_contains = self.count(value, at),
            "unevaluatedItems" => node.unevaluated_items = Some(Box::new(self.node(value, at))),
            "contentSchema" => node.content_schema = Some(Box::new(self.node(value, at))),
            "type" => node.ty = self.types(value, at),
            "title" => node.title = self.string(value, at),
            "description" => node.description = self.string(value, at),
            "examples" => node.examples = self.array(value, at).map(values),
            "default" => node.default = Some(value.to_value()),
            "deprecated" => node.deprecated = self.boolean(value, at),
            "format" => node.format = self.string(value, at),
            "properties" => node.properties = self.node_map(value, at),
            "required" => node.required = self.strings(value, at),
            "additionalProperties" => {
                node.additional_properties = Some(Box::new(self.node(value, at)))
            }
            "propertyNames" => node.property_names = Some(Box::new(self.node(value, at))),
            "minProperties" => node.min_properties = self.count(value, at),
            "maxProperties" => node.max_properties = self.count(value, at),
            "dependentRequired" => node.dependent_required = self.dependent_required(value, at),
            "if" => node.if_ = Some(Box::new(self.node(value, at))),
            "then" => node.then = Some(Box::new(self.node(value, at))),
            "else" => node.else_ = Some(Box::new(self.node(value, at))),
            "allOf" => node.all_of = self.nodes(value, at),
            "anyOf" => node.any_of = self.nodes(value, at),
            "oneOf" => node.one_of = self.nodes(value, at),
            "x-compare" => node.x_compare = self.compares(value, at),
            "items" => match value {
                Json::Array(_) => {
                    self.error(at, "`items` as an array is draft-07 tuples: in 2020-12, `prefixItems` holds the tuple and `items` the rest");
                    return None;
                }
                _ => node.items = Some(Box::new(self.node(value, at))),
            },
            "minItems" => node.min_items = self.count(value, at),
            "maxItems" => node.max_items = self.count(value, at),
            "uniqueItems" => node.unique_items = self.boolean(value, at),
            "minLength" => node.min_length = self.count(value, at),
            "maxLength" => node.max_length = self.count(value, at),
            "pattern" => node.pattern = self.string(value, at),
            "x-minBytes" => node.x_min_bytes = self.count(value, at),
            "x-maxBytes" => node.x_max_bytes = self.count(value, at),
            "minimum" => node.minimum = self.number(value, at),
            "maximum" => node.maximum = self.number(value, at),
            "exclusiveMinimum" => node.exclusive_minimum = self.number(value, at),
            "exclusiveMaximum" => node.exclusive_maximum = self.number(value, at),
            "multipleOf" => {
                node.multiple_of = self.number(value, at);
                if node
                    .multiple_of
                    .as_ref()
                    .and_then(Number::as_f64)
                    .is_some_and(|n| n <= 0.0)
                {
                    self.error(at, "`multipleOf` must be greater than 0");
                }
            }
            "x-decimalPlaces" => {
                node.x_decimal_places = self.count(value, at).and_then(|n| u32::try_from(n).ok());
                if node.x_decimal_places.is_some_and(|places| places > 18) {
                    self.error(
                        at,
                        "`x-decimalPlaces` is at most 18, the scale a decimal holds",
                    );
                }
            }
            "x-minorUnits" => node.x_minor_units = self.boolean(value, at),
            "enum" => {
                // An empty `enum` allows nothing (2020-12 only says it SHOULD list a value).
                node.enumeration = self.array(value, at).map(values);
            }
            "const" => node.constant = Some(value.to_value()),
            "x-enumNames" => node.x_enum_names = self.strings(value, at),
            "x-name" => node.x_name = self.string(value, at),
            "x-aliases" => node.x_aliases = self.strings(value, at),
            "x-sensitive" => node.x_sensitive = self.boolean(value, at),
            _ if ANNOTATIONS.contains(&key) => return None,
            _ => {
                match OLD_SPELLINGS.iter().find(|(keyword, _)| *keyword == key) {
                    Some((_, why)) => self.error(at, format!("not a 2020-12 keyword: {why}")),
                    None => self.error(
                        at,
                        format!("unknown keyword `{key}` (see schemas/README.md for the supported vocabulary)"),
                    ),
                }
                return None;
            }
        }
        name
    }

    fn object<'v>(
        &mut self,
        value: &'v Json,
        pointer: &str,
        what: &str,
    ) -> Option<&'v IndexMap<String, Json>> {
        match value {
            Json::Object(object) => Some(object),
            _ => {
                self.error(pointer, format!("expected {what}"));
                None
            }
        }
    }

    fn array<'v>(&mut self, value: &'v Json, pointer: &str) -> Option<&'v [Json]> {
        match value {
            Json::Array(items) => Some(items),
            _ => {
                self.error(pointer, "expected an array");
                None
            }
        }
    }

    fn string(&mut self, value: &Json, pointer: &str) -> Option<String> {
        match value {
            Json::String(text) => Some(text.clone()),
            _ => {
                self.error(pointer, "expected a string");
                None
            }
        }
    }

    fn boolean(&mut self, value: &Json, pointer: &str) -> Option<bool> {
        match value {
            Json::Bool(flag) => Some(*flag),
            _ => {
                self.error(pointer, "expected true or false");
                None
            }
        }
    }

    fn number(&mut self, value: &Json, pointer: &str) -> Option<Number> {
        match value {
            Json::Number(number) => Some(number.clone()),
            _ => {
                self.error(pointer, "expected a number");
                None
            }
        }
    }

    /// A non-negative integer (`5.0` counts, as JSON Schema says).
    fn count(&mut self, value: &Json, pointer: &str) -> Option<u64> {
        let whole = match value {
            Json::Number(number) => number.as_u64().or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 2f64.powi(53))
                    .map(|f| f as u64)
            }),
            _ => None,
        };
        if whole.is_none() {
            self.error(pointer, "expected a non-negative integer");
        }
        whole
    }

    fn strings(&mut self, value: &Json, pointer: &str) -> Option<Vec<String>> {
        let items = self.array(value, pointer)?;
        let mut strings = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            strings.extend(self.string(item, &join(pointer, &index.to_string())));
        }
        Some(strings)
    }

    fn types(&mut self, value: &Json, pointer: &str) -> Option<Vec<String>> {
        let names = match value {
            Json::String(name) => vec![name.clone()],
            Json::Array(_) => self.strings(value, pointer)?,
            _ => {
                self.error(pointer, "`type` must be a type name or a list of them");
                return None;
            }
        };
        for name in &names {
            if !JSON_TYPES.contains(&name.as_str()) {
                self.error(pointer, format!("unknown type `{name}`"));
            }
        }
        if names.is_empty() {
            self.error(pointer, "`type` must name at least one type");
        }
        Some(names)
    }

    fn nodes(&mut self, value: &Json, pointer: &str) -> Option<Vec<Node>> {
        let items = self.array(value, pointer)?;
        if items.is_empty() {
            self.error(pointer, "expected at least one schema");
        }
        Some(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| self.node(item, &join(pointer, &index.to_string())))
                .collect(),
        )
    }

    fn node_map(&mut self, value: &Json, pointer: &str) -> Option<IndexMap<String, Node>> {
        let object = self.object(value, pointer, "an object of schemas")?;
        Some(
            object
                .iter()
                .map(|(name, item)| (name.clone(), self.node(item, &join(pointer, name))))
                .collect(),
        )
    }

    fn dependent_required(
        &mut self,
        value: &Json,
        pointer: &str,
    ) -> Option<IndexMap<String, Vec<String>>> {
        let object = self.object(value, pointer, "an object of member lists")?;
        let mut rules = IndexMap::new();
        for (member, then) in object {
            if let Some(then) = self.strings(then, &join(pointer, member)) {
                rules.insert(member.clone(), then);
            }
        }
        Some(rules)
    }

    fn compares(&mut self, value: &Json, pointer: &str) -> Option<Vec<CompareSchema>> {
        let items = self.array(value, pointer)?;
        let mut compares = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let at = join(pointer, &index.to_string());
            let Some(object) = self.object(item, &at, "{\"left\", \"op\", \"right\"}") else {
                continue;
            };
            let part = |name: &str, reader: &mut Self| match object.get(name) {
                Some(value) => reader.string(value, &join(&at, name)),
                None => {
                    reader.error(&at, format!("`{name}` is missing"));
                    None
                }
            };
            let (left, op, right) = (part("left", self), part("op", self), part("right", self));
            for key in object
                .keys()
                .filter(|key| !["left", "op", "right"].contains(&key.as_str()))
            {
                self.error(
                    &join(&at, key),
                    format!("unknown `x-compare` member `{key}`"),
                );
            }
            if let (Some(left), Some(op), Some(right)) = (left, op, right) {
                compares.push(CompareSchema { left, op, right });
            }
        }
        Some(compares)
    }
}

/// Every keyword the generator reads, by its schema spelling.
const KNOWN: &[&str] = &[
    "$ref",
    "$dynamicRef",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$schema",
    "$defs",
    "not",
    "patternProperties",
    "dependentSchemas",
    "unevaluatedProperties",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
    "contentSchema",
    "type",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "format",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "if",
    "then",
    "else",
    "allOf",
    "anyOf",
    "oneOf",
    "x-compare",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "x-minBytes",
    "x-maxBytes",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "x-decimalPlaces",
    "x-minorUnits",
    "enum",
    "const",
    "x-enumNames",
    "x-name",
    "x-aliases",
    "x-sensitive",
];

fn values(items: &[Json]) -> Vec<Value> {
    items.iter().map(Json::to_value).collect()
}
