//! Random valid JSON Schemas (draft 2020-12), one construct of the vocabulary at the root of each and random
//! sub-schemas below it, so that every construct is generated in a run and nests in the others.
//!
//! Definitions a schema needs go to its root `$defs` (keys from [`vocab::DEF_NAMES`]); a schema that refers
//! to its own root (`"$ref": "#"`) says so in [`Generated::root_recursive`], since it must keep its root when
//! it is wrapped.

use serde_json::{json, Map, Value};

use super::rng::Rng;
use super::vocab::{self, FORMATS, MEMBER_NAMES, PATTERNS, PLAIN_NAMES, TAGS};

/// What a schema's root is built of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Construct {
    String,
    Integer,
    Number,
    Boolean,
    Null,
    TypeList,
    LenientInteger,
    Const,
    Enum,
    Items,
    PrefixItems,
    Contains,
    ArrayLimits,
    UnevaluatedItems,
    Properties,
    AdditionalProperties,
    Map,
    PatternProperties,
    PropertyNames,
    DependentRequired,
    DependentSchemas,
    PropertyCounts,
    UnevaluatedProperties,
    AllOfObjects,
    AnyOfScalars,
    OneOfScalars,
    OneOfTagged,
    OneOfObjects,
    AnyOfObjects,
    Nullable,
    Not,
    IfThenElse,
    RefDefs,
    NestedDefs,
    RootRecursion,
    SelfContaining,
    True,
    False,
    Untyped,
}

/// Every construct, in the order a run takes them at the roots of its cases.
pub const CONSTRUCTS: &[Construct] = &[
    Construct::String,
    Construct::Integer,
    Construct::Number,
    Construct::Boolean,
    Construct::Null,
    Construct::TypeList,
    Construct::LenientInteger,
    Construct::Const,
    Construct::Enum,
    Construct::Items,
    Construct::PrefixItems,
    Construct::Contains,
    Construct::ArrayLimits,
    Construct::UnevaluatedItems,
    Construct::Properties,
    Construct::AdditionalProperties,
    Construct::Map,
    Construct::PatternProperties,
    Construct::PropertyNames,
    Construct::DependentRequired,
    Construct::DependentSchemas,
    Construct::PropertyCounts,
    Construct::UnevaluatedProperties,
    Construct::AllOfObjects,
    Construct::AnyOfScalars,
    Construct::OneOfScalars,
    Construct::OneOfTagged,
    Construct::OneOfObjects,
    Construct::AnyOfObjects,
    Construct::Nullable,
    Construct::Not,
    Construct::IfThenElse,
    Construct::RefDefs,
    Construct::NestedDefs,
    Construct::RootRecursion,
    Construct::SelfContaining,
    Construct::True,
    Construct::False,
    Construct::Untyped,
];

/// Constructs that nest nothing: what a sub-schema at the depth limit is.
const LEAVES: &[Construct] = &[
    Construct::String,
    Construct::Integer,
    Construct::Number,
    Construct::Boolean,
    Construct::Null,
    Construct::TypeList,
    Construct::LenientInteger,
    Construct::Const,
    Construct::Enum,
    Construct::True,
    Construct::False,
    Construct::Untyped,
];

impl Construct {
    pub fn name(self) -> String {
        format!("{self:?}")
    }
}

/// A generated schema.
#[derive(Debug, Clone)]
pub struct Generated {
    pub schema: Value,
    /// The schema refers to its own root (`"$ref": "#"`).
    pub root_recursive: bool,
}

/// A schema whose root is `construct`, its sub-schemas at most `depth` levels deep.
pub fn generate(rng: &mut Rng, construct: Construct, depth: usize) -> Generated {
    let mut gen = Gen {
        rng,
        defs: Map::new(),
        root_recursive: false,
    };
    let mut schema = gen.build(construct, depth);
    if !gen.defs.is_empty() {
        match &mut schema {
            Value::Object(members) => {
                let mut defs = std::mem::take(&mut gen.defs);
                if let Some(Value::Object(own)) = members.remove("$defs") {
                    defs.extend(own);
                }
                members.insert("$defs".into(), Value::Object(defs));
            }
            // A boolean root cannot hold definitions; nothing refers to them from it anyway.
            _ => gen.defs.clear(),
        }
    }
    Generated {
        schema,
        root_recursive: gen.root_recursive,
    }
}

struct Gen<'r> {
    rng: &'r mut Rng,
    /// The root's `$defs`, filled as sub-schemas need definitions.
    defs: Map<String, Value>,
    root_recursive: bool,
}

impl Gen<'_> {
    /// A sub-schema: any construct while `depth` lasts, a leaf after.
    fn any(&mut self, depth: usize) -> Value {
        let construct = if depth == 0 || self.rng.chance(35) {
            *self.rng.pick(LEAVES)
        } else {
            *self.rng.pick(CONSTRUCTS)
        };
        // One root recursion a schema is enough; elsewhere it is a reference to a definition.
        let construct = match construct {
            Construct::RootRecursion if !self.root_recursive => construct,
            Construct::RootRecursion => Construct::RefDefs,
            other => other,
        };
        self.build(construct, depth.saturating_sub(1))
    }

    /// A sub-schema that is a scalar with its keywords.
    fn scalar(&mut self) -> Value {
        let construct = *self.rng.pick(&[
            Construct::String,
            Construct::Integer,
            Construct::Number,
            Construct::Boolean,
            Construct::Const,
            Construct::Enum,
            Construct::LenientInteger,
        ]);
        self.build(construct, 0)
    }

    fn build(&mut self, construct: Construct, depth: usize) -> Value {
        match construct {
            Construct::String => self.string(),
            Construct::Integer => self.integer(),
            Construct::Number => self.number(),
            Construct::Boolean => json!({"type": "boolean"}),
            Construct::Null => json!({"type": "null"}),
            Construct::TypeList => self.type_list(),
            Construct::LenientInteger => self.lenient_integer(),
            Construct::Const => self.constant(),
            Construct::Enum => self.enumeration(),
            Construct::Items => self.items(depth),
            Construct::PrefixItems => self.prefix_items(depth),
            Construct::Contains => self.contains(depth),
            Construct::ArrayLimits => self.array_limits(),
            Construct::UnevaluatedItems => self.unevaluated_items(depth),
            Construct::Properties => self.properties(depth),
            Construct::AdditionalProperties => self.additional_properties(depth),
            Construct::Map => self.map(depth),
            Construct::PatternProperties => self.pattern_properties(depth),
            Construct::PropertyNames => self.property_names(depth),
            Construct::DependentRequired => self.dependent_required(depth),
            Construct::DependentSchemas => self.dependent_schemas(depth),
            Construct::PropertyCounts => self.property_counts(depth),
            Construct::UnevaluatedProperties => self.unevaluated_properties(depth),
            Construct::AllOfObjects => self.all_of_objects(depth),
            Construct::AnyOfScalars => self.of_scalars("anyOf"),
            Construct::OneOfScalars => self.of_scalars("oneOf"),
            Construct::OneOfTagged => self.tagged(depth),
            Construct::OneOfObjects => self.of_objects("oneOf", depth),
            Construct::AnyOfObjects => self.of_objects("anyOf", depth),
            Construct::Nullable => self.nullable(depth),
            Construct::Not => self.not(depth),
            Construct::IfThenElse => self.if_then_else(depth),
            Construct::RefDefs => self.ref_defs(depth),
            Construct::NestedDefs => self.nested_defs(depth),
            Construct::RootRecursion => self.root_recursion(depth),
            Construct::SelfContaining => self.self_containing(depth),
            Construct::True => json!(true),
            Construct::False => json!(false),
            Construct::Untyped => self.untyped(),
        }
    }

    // --- scalars ----------------------------------------------------------------------------------------

    fn string(&mut self) -> Value {
        let mut schema = json!({"type": "string"});
        self.string_keywords(&mut schema);
        schema
    }

    /// `minLength`, `maxLength`, `pattern` and `format`, each or not.
    fn string_keywords(&mut self, schema: &mut Value) {
        let min = self.rng.between(0, 3);
        if self.rng.chance(40) {
            schema["minLength"] = json!(min);
        }
        if self.rng.chance(40) {
            schema["maxLength"] = json!(min + self.rng.between(0, 6));
        }
        if self.rng.chance(35) {
            schema["pattern"] = json!(self.rng.pick(PATTERNS).0);
        }
        if self.rng.chance(35) {
            schema["format"] = json!(self.rng.pick(FORMATS).0);
        }
    }

    fn integer(&mut self) -> Value {
        let mut schema = json!({"type": "integer"});
        self.number_keywords(&mut schema, true);
        schema
    }

    fn number(&mut self) -> Value {
        let mut schema = json!({"type": "number"});
        self.number_keywords(&mut schema, false);
        schema
    }

    /// Bounds (whole or fractional, inclusive or exclusive) and `multipleOf`, each or not.
    fn number_keywords(&mut self, schema: &mut Value, integer: bool) {
        let low = self.rng.between(-20, 20);
        let fraction = |rng: &mut Rng, n: i64| -> Value {
            if !integer && rng.chance(40) {
                json!(n as f64 + 0.5)
            } else {
                json!(n)
            }
        };
        if self.rng.chance(40) {
            let keyword = if self.rng.chance(30) {
                "exclusiveMinimum"
            } else {
                "minimum"
            };
            schema[keyword] = fraction(self.rng, low);
        }
        if self.rng.chance(40) {
            let keyword = if self.rng.chance(30) {
                "exclusiveMaximum"
            } else {
                "maximum"
            };
            let high = low + self.rng.between(0, 40);
            schema[keyword] = fraction(self.rng, high);
        }
        if self.rng.chance(40) {
            schema["multipleOf"] = number(*self.rng.pick(vocab::MULTIPLES));
        }
    }

    /// A `type` list: with `null`, of several scalar types, of containers, with the keywords of its types.
    fn type_list(&mut self) -> Value {
        let lists: &[&[&str]] = &[
            &["string", "null"],
            &["integer", "null"],
            &["number", "null"],
            &["boolean", "null"],
            &["object", "null"],
            &["array", "null"],
            &["integer", "string"],
            &["string", "number"],
            &["string", "integer", "boolean"],
            &["array", "object"],
            &["integer", "number"],
            &["null"],
            &["string", "number", "null"],
            &["boolean", "string"],
        ];
        let list = *self.rng.pick(lists);
        let mut schema = json!({"type": list});
        if list.contains(&"string") && self.rng.chance(60) {
            self.string_keywords(&mut schema);
        }
        if (list.contains(&"integer") || list.contains(&"number")) && self.rng.chance(60) {
            self.number_keywords(&mut schema, !list.contains(&"number"));
        }
        if list.contains(&"object") && self.rng.chance(60) {
            schema["properties"] = json!({"a": {"type": "integer"}});
            schema["required"] = json!(["a"]);
        }
        if list.contains(&"array") && self.rng.chance(60) {
            schema["items"] = json!({"type": "string"});
            schema["maxItems"] = json!(3);
        }
        schema
    }

    /// salesync's lenient integer, `["integer", "string"]` with the pattern `^[0-9]+$`, with bounds.
    fn lenient_integer(&mut self) -> Value {
        let mut schema = json!({"type": ["integer", "string"], "pattern": "^[0-9]+$"});
        if self.rng.chance(50) {
            schema["minimum"] = json!(self.rng.between(0, 5));
        }
        if self.rng.chance(50) {
            schema["maximum"] = json!(self.rng.between(10, 1000));
        }
        schema
    }

    fn constant(&mut self) -> Value {
        let value = self.json_value(2);
        let mut schema = json!({"const": value});
        if self.rng.chance(25) {
            if let Some(ty) = type_name(&value) {
                schema["type"] = json!(ty);
            }
        }
        schema
    }

    /// `enum` of strings (an enum type), of strings and `null`, of integers, of any JSON.
    fn enumeration(&mut self) -> Value {
        let values: Vec<Value> = match self.rng.below(5) {
            0 | 1 => self.distinct_strings(),
            2 => {
                let mut strings = self.distinct_strings();
                strings.push(Value::Null);
                strings
            }
            3 => vec![
                json!(0),
                json!(-1),
                json!(7),
                self.rng.pick(&vocab::big_integers()).clone(),
            ],
            _ => (0..self.rng.between(1, 4))
                .map(|_| self.json_value(2))
                .collect(),
        };
        let mut values = dedup(values);
        if values.is_empty() {
            values.push(json!("only"));
        }
        let mut schema = json!({"enum": values});
        if values.iter().all(Value::is_string) && self.rng.chance(60) {
            schema["type"] = json!("string");
        }
        schema
    }

    fn distinct_strings(&mut self) -> Vec<Value> {
        let pool = [
            "red",
            "dark-blue",
            "1",
            "",
            "Red",
            "ünï",
            "a b",
            "type",
            "self",
            "None",
        ];
        let count = self.rng.between(1, 4) as usize;
        let picked: Vec<&str> = self
            .rng
            .shuffled(pool.to_vec())
            .into_iter()
            .take(count)
            .collect();
        picked.into_iter().map(|s| json!(s)).collect()
    }

    // --- arrays -----------------------------------------------------------------------------------------

    fn items(&mut self, depth: usize) -> Value {
        json!({"type": "array", "items": self.any(depth)})
    }

    fn prefix_items(&mut self, depth: usize) -> Value {
        let count = self.rng.between(1, 3);
        let prefix: Vec<Value> = (0..count).map(|_| self.any(depth)).collect();
        let mut schema = json!({"type": "array", "prefixItems": prefix});
        match self.rng.below(3) {
            0 => schema["items"] = json!(false),
            1 => schema["items"] = self.any(depth),
            _ => {}
        }
        schema
    }

    fn contains(&mut self, depth: usize) -> Value {
        let mut schema = json!({"type": "array", "contains": self.any(depth)});
        if self.rng.chance(50) {
            schema["minContains"] = json!(self.rng.between(0, 2));
        }
        if self.rng.chance(50) {
            schema["maxContains"] = json!(self.rng.between(1, 3));
        }
        if self.rng.chance(40) {
            schema["items"] = self.scalar();
        }
        schema
    }

    fn array_limits(&mut self) -> Value {
        let min = self.rng.between(0, 2);
        let mut schema = json!({"type": "array", "items": self.scalar()});
        if self.rng.chance(60) {
            schema["minItems"] = json!(min);
        }
        if self.rng.chance(60) {
            schema["maxItems"] = json!(min + self.rng.between(0, 3));
        }
        if self.rng.chance(60) {
            schema["uniqueItems"] = json!(self.rng.chance(80));
        }
        schema
    }

    fn unevaluated_items(&mut self, depth: usize) -> Value {
        let rest = if self.rng.chance(50) {
            json!(false)
        } else {
            self.any(depth)
        };
        let mut schema = json!({"type": "array", "unevaluatedItems": rest});
        match self.rng.below(3) {
            0 => schema["prefixItems"] = json!([self.any(depth)]),
            1 => schema["allOf"] = json!([{"prefixItems": [self.scalar(), self.scalar()]}]),
            _ => schema["contains"] = self.scalar(),
        }
        schema
    }

    // --- objects ----------------------------------------------------------------------------------------

    /// 1 to 4 members with odd names (`fooBar` and `foo_bar` together a third of the time).
    fn member_names(&mut self) -> Vec<String> {
        let count = self.rng.between(1, 4) as usize;
        let mut names: Vec<String> = self
            .rng
            .shuffled(MEMBER_NAMES.to_vec())
            .into_iter()
            .take(count)
            .map(str::to_owned)
            .collect();
        if self.rng.chance(33) {
            names.retain(|n| n != "fooBar" && n != "foo_bar");
            names.push("fooBar".into());
            names.push("foo_bar".into());
        }
        names
    }

    /// `properties` of `names`, and a `required` of some of them and, sometimes, of a name not declared.
    fn members(&mut self, names: &[String], depth: usize) -> (Map<String, Value>, Vec<Value>) {
        let mut properties = Map::new();
        for name in names {
            properties.insert(name.clone(), self.any(depth));
        }
        let mut required: Vec<Value> = self
            .rng
            .some_of(names, 50)
            .into_iter()
            .map(Value::String)
            .collect();
        if self.rng.chance(15) {
            required.push(json!("undeclared"));
        }
        (properties, required)
    }

    fn object(&mut self, depth: usize) -> Value {
        let names = self.member_names();
        let (properties, required) = self.members(&names, depth);
        let mut schema = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            schema["required"] = json!(required);
        }
        schema
    }

    fn properties(&mut self, depth: usize) -> Value {
        let mut schema = self.object(depth);
        if self.rng.chance(40) {
            schema["additionalProperties"] = json!(false);
        }
        schema
    }

    fn additional_properties(&mut self, depth: usize) -> Value {
        let mut schema = self.object(depth);
        schema["additionalProperties"] = match self.rng.below(3) {
            0 => json!(true),
            1 => json!(false),
            _ => self.any(depth),
        };
        schema
    }

    /// A map: `additionalProperties` as a schema and no named member.
    fn map(&mut self, depth: usize) -> Value {
        let mut schema = json!({"type": "object", "additionalProperties": self.any(depth)});
        if self.rng.chance(30) {
            schema["maxProperties"] = json!(self.rng.between(1, 3));
        }
        schema
    }

    fn pattern_properties(&mut self, depth: usize) -> Value {
        let mut schema = if self.rng.chance(50) {
            self.object(depth)
        } else {
            json!({"type": "object"})
        };
        let mut patterns = Map::new();
        patterns.insert("^x-".into(), self.any(depth));
        if self.rng.chance(50) {
            patterns.insert("^[0-9]{2,4}$".into(), self.scalar());
        }
        schema["patternProperties"] = Value::Object(patterns);
        if self.rng.chance(50) {
            schema["additionalProperties"] = if self.rng.chance(50) {
                json!(false)
            } else {
                self.scalar()
            };
        }
        schema
    }

    fn property_names(&mut self, depth: usize) -> Value {
        let names = match self.rng.below(5) {
            0 => json!({"pattern": "^[a-z_]+$"}),
            1 => json!({"maxLength": 3}),
            2 => json!({"minLength": 2, "pattern": "^x-"}),
            3 => json!({"enum": ["a", "b", "x-y"]}),
            _ => json!({"format": "email"}),
        };
        let mut schema = if self.rng.chance(50) {
            self.map(depth)
        } else {
            self.object(depth)
        };
        schema["propertyNames"] = names;
        schema
    }

    /// An object of plain members `a`, `b`, `c`, for keywords that name its members.
    fn plain_object(&mut self, depth: usize) -> Value {
        let mut properties = Map::new();
        for name in &PLAIN_NAMES[..3] {
            properties.insert((*name).into(), self.any(depth.min(1)));
        }
        json!({"type": "object", "properties": properties})
    }

    fn dependent_required(&mut self, depth: usize) -> Value {
        let mut schema = self.plain_object(depth);
        schema["dependentRequired"] = if self.rng.chance(50) {
            json!({"a": ["b"]})
        } else {
            json!({"a": ["b", "c"], "c": ["missing"]})
        };
        schema
    }

    fn dependent_schemas(&mut self, depth: usize) -> Value {
        let mut schema = self.plain_object(depth);
        schema["dependentSchemas"] = match self.rng.below(3) {
            0 => json!({"a": {"required": ["b"]}}),
            1 => json!({"a": {"properties": {"b": {"type": "integer", "minimum": 0}}}}),
            _ => json!({"b": false, "c": {"maxProperties": 2}}),
        };
        schema
    }

    fn property_counts(&mut self, depth: usize) -> Value {
        let mut schema = if self.rng.chance(50) {
            self.object(depth)
        } else {
            self.map(depth)
        };
        let min = self.rng.between(0, 2);
        schema["minProperties"] = json!(min);
        if self.rng.chance(60) {
            schema["maxProperties"] = json!(min + self.rng.between(0, 2));
        }
        schema
    }

    fn unevaluated_properties(&mut self, depth: usize) -> Value {
        let rest = if self.rng.chance(60) {
            json!(false)
        } else {
            self.scalar()
        };
        let mut schema = match self.rng.below(3) {
            0 => self.object(depth),
            1 => json!({"type": "object", "allOf": [self.object(depth)]}),
            _ => json!({"type": "object", "patternProperties": {"^x-": self.scalar()}}),
        };
        if self.rng.chance(30) {
            schema["properties"]["extra"] = self.scalar();
        }
        schema["unevaluatedProperties"] = rest;
        schema
    }

    // --- applicators ------------------------------------------------------------------------------------

    /// `allOf` of object parts: typed and untyped parts, a `$ref` to an object definition, members of its
    /// own beside them.
    fn all_of_objects(&mut self, depth: usize) -> Value {
        let mut parts = vec![self.object(depth)];
        let extra = self.object(depth);
        parts.push(json!({"properties": extra["properties"]}));
        if self.rng.chance(40) {
            let referenced = self.object(depth.min(1));
            let name = self.define(referenced);
            parts.push(json!({"$ref": name}));
        }
        let mut schema = json!({"allOf": parts});
        if self.rng.chance(40) {
            schema["properties"] = json!({"own": self.scalar()});
        }
        if self.rng.chance(30) {
            schema["type"] = json!("object");
        }
        schema
    }

    /// `anyOf`/`oneOf` of scalars: of distinct JSON types (an enum of one variant per type) or overlapping
    /// (an integer is a number; two strings with other limits).
    fn of_scalars(&mut self, keyword: &str) -> Value {
        let options = match self.rng.below(3) {
            0 => vec![self.string(), self.integer()],
            1 => vec![self.string(), self.number(), json!({"type": "boolean"})],
            _ => vec![self.scalar(), self.scalar()],
        };
        json!({ keyword: options })
    }

    /// A tagged union: objects each requiring the tag member with its own `const`, inline or by `$ref`.
    fn tagged(&mut self, depth: usize) -> Value {
        let tag = if self.rng.chance(50) { "type" } else { "kind" };
        let count = self.rng.between(2, 3) as usize;
        let tags: Vec<&str> = self
            .rng
            .shuffled(TAGS.to_vec())
            .into_iter()
            .take(count)
            .collect();
        let integer_tags = self.rng.chance(20);
        let mut options = Vec::new();
        for (index, value) in tags.into_iter().enumerate() {
            let tag_value = if integer_tags {
                json!(index + 1)
            } else {
                json!(value)
            };
            let mut option = self.object(depth.saturating_sub(1));
            option["properties"][tag] = json!({"const": tag_value});
            let mut required = option["required"].as_array().cloned().unwrap_or_default();
            if !required.contains(&json!(tag)) {
                required.insert(0, json!(tag));
            }
            option["required"] = json!(required);
            if self.rng.chance(40) {
                options.push(json!({"$ref": self.define(option)}));
            } else {
                options.push(option);
            }
        }
        json!({"oneOf": options})
    }

    /// Objects without a tag, told apart by their required members (and a title, sometimes).
    fn of_objects(&mut self, keyword: &str, depth: usize) -> Value {
        let mut options = Vec::new();
        for (index, name) in ["a", "b"].into_iter().enumerate() {
            let mut option = json!({
                "type": "object",
                "properties": {name: self.any(depth.saturating_sub(1))},
                "required": [name],
            });
            if self.rng.chance(50) {
                option["additionalProperties"] = json!(false);
            }
            if self.rng.chance(30) {
                option["title"] = json!(["Alpha", "Beta"][index]);
            }
            options.push(option);
        }
        json!({ keyword: options })
    }

    fn nullable(&mut self, depth: usize) -> Value {
        let keyword = if self.rng.chance(50) {
            "oneOf"
        } else {
            "anyOf"
        };
        let inner = self.any(depth);
        let options = if self.rng.chance(50) {
            vec![inner, json!({"type": "null"})]
        } else {
            vec![json!({"type": "null"}), inner]
        };
        json!({ keyword: options })
    }

    fn not(&mut self, depth: usize) -> Value {
        match self.rng.below(3) {
            0 => json!({"type": "string", "not": {"const": ""}}),
            1 => json!({"not": self.any(depth)}),
            _ => {
                let mut schema = self.scalar();
                if let Value::Object(members) = &mut schema {
                    members.insert("not".into(), json!({"enum": [0, "red", null]}));
                }
                schema
            }
        }
    }

    /// `if`/`then`/`else` on an object's members (salesync's typed form) or on values of any type.
    fn if_then_else(&mut self, depth: usize) -> Value {
        if self.rng.chance(60) {
            let mut schema = self.plain_object(depth);
            schema["properties"]["a"] = json!({"enum": ["x", "y"]});
            let mut conditional = json!({
                "if": {"properties": {"a": {"const": "x"}}, "required": ["a"]},
                "then": {"required": ["b"]},
            });
            if self.rng.chance(60) {
                conditional["else"] = json!({"properties": {"c": false}});
            }
            if self.rng.chance(40) {
                schema["allOf"] = json!([conditional]);
            } else if let (Value::Object(members), Value::Object(more)) = (&mut schema, conditional)
            {
                members.extend(more);
            }
            schema
        } else {
            json!({
                "if": {"type": "integer"},
                "then": {"minimum": 0},
                "else": self.any(depth),
            })
        }
    }

    // --- references -------------------------------------------------------------------------------------

    /// Puts `schema` in `$defs` under a name not taken yet; the `$ref` that names it.
    fn define(&mut self, schema: Value) -> String {
        let name = self.define_named(schema);
        def_ref(&name)
    }

    /// Puts `schema` in `$defs` under a name not taken yet; that name.
    fn define_named(&mut self, schema: Value) -> String {
        let free: Vec<&str> = vocab::DEF_NAMES
            .iter()
            .copied()
            .filter(|name| !self.defs.contains_key(*name))
            .collect();
        let name = if free.is_empty() {
            format!("def{}", self.defs.len())
        } else {
            (*self.rng.pick(&free)).to_owned()
        };
        self.defs.insert(name.clone(), schema);
        name
    }

    fn ref_defs(&mut self, depth: usize) -> Value {
        let target = self.any(depth);
        let reference = self.define(target);
        if self.rng.chance(25) {
            // A reference beside other keywords (2020-12 applies both).
            json!({"$ref": reference, "description": "a reference", "minProperties": 0})
        } else {
            json!({"$ref": reference})
        }
    }

    /// A definition holding definitions of its own, referred to through both.
    fn nested_defs(&mut self, depth: usize) -> Value {
        let inner = self.any(depth);
        let key = self.define_named(json!({
            "$defs": {"inner_one": inner},
            "type": "object",
        }));
        let outer = def_ref(&key);
        let inner_ref = format!("{outer}/$defs/inner_one");
        self.defs[&key]["properties"] = json!({"i": {"$ref": inner_ref}});
        if self.rng.chance(50) {
            json!({"$ref": outer})
        } else {
            json!({"type": "array", "items": {"$ref": inner_ref}})
        }
    }

    /// A root that contains itself: `"$ref": "#"` in a member or an item.
    fn root_recursion(&mut self, depth: usize) -> Value {
        self.root_recursive = true;
        if self.rng.chance(60) {
            json!({
                "type": "object",
                "properties": {"name": self.scalar(), "child": {"$ref": "#"}},
                "required": ["name"],
            })
        } else {
            let leaf = if depth > 0 {
                self.scalar()
            } else {
                json!({"type": "integer"})
            };
            json!({"anyOf": [leaf, {"type": "array", "items": {"$ref": "#"}, "maxItems": 3}]})
        }
    }

    /// A definition that contains itself, through a member, an item or a map value.
    fn self_containing(&mut self, depth: usize) -> Value {
        let free: Vec<&str> = vocab::DEF_NAMES
            .iter()
            .copied()
            .filter(|name| !self.defs.contains_key(*name))
            .collect();
        let name = (*self.rng.pick(&free)).to_owned();
        let itself = json!({"$ref": def_ref(&name)});
        let value = self.scalar();
        let def = match self.rng.below(3) {
            0 => json!({"type": "object", "properties": {"value": value, "next": itself}}),
            1 => {
                let children = json!({"type": "array", "items": itself});
                json!({"type": "object", "properties": {"value": value, "children": children},
                       "required": ["value"]})
            }
            _ => {
                json!({"type": "object", "additionalProperties": itself, "maxProperties": depth.max(1) + 1})
            }
        };
        let reference = def_ref(&name);
        self.defs.insert(name, def);
        json!({ "$ref": reference })
    }

    /// Keywords of several types and no `type`: each applies to values of its own type only.
    fn untyped(&mut self) -> Value {
        match self.rng.below(6) {
            0 => json!({}),
            1 => json!({"minLength": 2, "minimum": 3}),
            2 => json!({"properties": {"a": {"type": "string"}}, "required": ["a"]}),
            3 => json!({"items": {"type": "integer"}, "maxLength": 2}),
            4 => json!({"enum": [1, "1", [1], {"1": 1}]}),
            _ => json!({"multipleOf": 2, "pattern": "^a", "maxItems": 1}),
        }
    }

    // --- values -----------------------------------------------------------------------------------------

    /// A JSON value for `const` and `enum`: scalars, big integers, fractions, objects and arrays.
    fn json_value(&mut self, depth: usize) -> Value {
        match self.rng.below(if depth == 0 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => json!(self.rng.chance(50)),
            2 => json!(self.rng.between(-5, 100)),
            3 => self.rng.pick(&vocab::big_integers()).clone(),
            4 => self.rng.pick(&vocab::odd_numbers()).clone(),
            5 => json!(*self
                .rng
                .pick(&["", "a", "red", "ünï", "1", "x-y", "2024-02-29"])),
            6 => {
                let count = self.rng.between(0, 2);
                Value::Array((0..count).map(|_| self.json_value(depth - 1)).collect())
            }
            _ => {
                let mut members = Map::new();
                for _ in 0..self.rng.between(0, 2) {
                    let name = *self.rng.pick(MEMBER_NAMES);
                    members.insert(name.into(), self.json_value(depth - 1));
                }
                Value::Object(members)
            }
        }
    }
}

/// The `$ref` of definition `name`: a URI fragment, so its non-ASCII characters percent-encoded (RFC 3986;
/// `Über` is `%C3%9Cber`).
pub fn def_ref(name: &str) -> String {
    let mut fragment = String::from("#/$defs/");
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~$".contains(&byte) {
            fragment.push(char::from(byte));
        } else {
            fragment.push_str(&format!("%{byte:02X}"));
        }
    }
    fragment
}

/// `value` as a JSON number (whole multiples as integers).
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// The `type` name of a value.
fn type_name(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    })
}

/// `values` without repeats (JSON equality, as `enum` needs).
fn dedup(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}
