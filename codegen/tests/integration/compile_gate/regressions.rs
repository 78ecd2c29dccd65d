//! Fixed schemas the gate always runs beside the random ones: the constructs the brief names by example, and
//! every case a random run once failed on, minimized. [`KNOWN_BUGS`] holds the cases that still fail (a
//! generator or runtime bug, written down in the entry's note): the main test leaves them out, and
//! `known_bugs_are_fixed` (ignored) runs them; when it passes, move them to [`REGRESSIONS`].
//!
//! A random case can run into a known bug too: each known bug has a sign, a test that a problem is that
//! bug, and the main test counts such problems apart instead of failing on them (the summary says how many;
//! `SALESYNC_GATE_STRICT=1` fails on them too). Remove a bug's sign with its entry once it is fixed.

use super::gate::{GateCase, Problem};

/// A fixed case: a schema, where it sits, and instances to judge (the gate adds no random ones).
#[derive(Debug, Clone)]
pub struct Fixed {
    /// snake_case, unique in its list: the case's operation is `gate_<prefix>_<name>`.
    pub name: &'static str,
    /// A position's name (`request_member`, `batch_item`, ...).
    pub position: &'static str,
    /// The schema, as JSON text.
    pub schema: &'static str,
    /// The instances, a JSON array.
    pub instances: &'static str,
    /// What the case is about; for a known bug, what goes wrong and where.
    pub note: &'static str,
}

/// Always run, always expected to pass.
pub const REGRESSIONS: &[Fixed] = &[
    Fixed {
        name: "big_integer_const",
        position: "request_member",
        schema: r#"{"const": 9007199254740992}"#,
        instances: r#"[9007199254740992, 9007199254740993, 9007199254740992.0, "9007199254740992", null]"#,
        note: "a const beyond the doubles' exact integers",
    },
    Fixed {
        name: "object_enum",
        position: "map_value",
        schema: r#"{"enum": [{"a": 1}, [1, "x"], null, 18446744073709551615]}"#,
        instances: r#"[{"a": 1}, {"a": 1.0}, {"a": 2}, [1, "x"], null, 18446744073709551615, 0]"#,
        note: "enum of objects, arrays, null and u64::MAX",
    },
    Fixed {
        name: "tiny_multiple",
        position: "newtype",
        schema: r#"{"type": "number", "multipleOf": 1e-8, "exclusiveMinimum": 0}"#,
        instances: r#"[0.00000001, 0.123456789, 0.12345678, 1, 0, -0.00000002, 1e-9]"#,
        note: "multipleOf 1e-8, exactly",
    },
    Fixed {
        name: "odd_member_names",
        position: "both",
        schema: r#"{"type": "object", "properties": {"type": {"type": "string"}, "self": {"type": "integer"},
                    "fooBar": {"type": "boolean"}, "foo_bar": {"type": "boolean"}, "": {"type": "null"},
                    "ünï": {"type": "number"}}, "required": ["type", "", "undeclared"],
                    "additionalProperties": false}"#,
        instances: r#"[{"type": "t", "": null, "undeclared": 1}, {"type": "t", "": null},
                       {"type": "t", "": null, "undeclared": 1, "fooBar": true, "foo_bar": false,
                        "ünï": 1.5},
                       {"type": 1, "": null, "undeclared": 1}, {"type": "t", "": 0, "undeclared": 1}]"#,
        note: "keywords, camelCase and snake_case spellings of one name, the empty name, non-ASCII; a \
               required name no property declares, which additionalProperties: false then refuses",
    },
    Fixed {
        name: "defs_recursion",
        position: "batch_item",
        schema: r##"{"$ref": "#/$defs/a_string_tree", "$defs": {"a_string_tree": {"type": "object",
                    "properties": {"label": {"$ref": "#/$defs/a_string"}, "children": {"type": "array",
                    "items": {"$ref": "#/$defs/a_string_tree"}}}, "required": ["label"]},
                    "a_string": {"type": "string", "minLength": 1}}}"##,
        instances: r#"[{"label": "x"}, {"label": "x", "children": [{"label": "y"}]}, {"label": ""},
                       {"label": "x", "children": [{}]}, "x"]"#,
        note: "non-PascalCase $defs keys, a definition that contains itself, as the batch item",
    },
    Fixed {
        name: "root_recursion_in_union",
        position: "union_variant",
        schema: r##"{"type": "object", "properties": {"name": {"type": "string"}, "child": {"$ref": "#"}},
                    "required": ["name"]}"##,
        instances: r#"[{"name": "a"}, {"name": "a", "child": {"name": "b"}}, {"name": "a", "child": {}},
                       {"child": {"name": "b"}}, "gate", null]"#,
        note: "`\"$ref\": \"#\"` (the schema embedded with its own `$id`) as an option of a `oneOf`",
    },
    Fixed {
        name: "boolean_schemas",
        position: "map_value",
        schema: r#"{"type": "object", "properties": {"yes": true, "no": false}}"#,
        instances: r#"[{}, {"yes": [1, {"a": null}]}, {"no": 1}, {"no": null}, {"other": 1}]"#,
        note: "`true` and `false` as member schemas, in a map's values",
    },
    Fixed {
        name: "tagged_union_integer_tags",
        position: "batch_item",
        schema: r##"{"oneOf": [{"$ref": "#/$defs/first"}, {"type": "object", "properties":
                    {"kind": {"const": 2}, "b": {"type": "string"}}, "required": ["kind", "b"]}],
                    "$defs": {"first": {"type": "object", "properties": {"kind": {"const": 1},
                    "a": {"type": "integer"}}, "required": ["kind"]}}}"##,
        instances: r#"[{"kind": 1}, {"kind": 1, "a": 2}, {"kind": 2, "b": "x"}, {"kind": 2}, {"kind": 3},
                       {"kind": "1"}, [1]]"#,
        note: "a union told apart by an integer tag, one variant by `$ref`, as the batch item",
    },
    Fixed {
        name: "lenient_integer_in_response",
        position: "both",
        schema: r#"{"type": ["integer", "string"], "pattern": "^[0-9]+$", "maximum": 1000}"#,
        instances: r#"[4, "4", "0004", "1068", 1068, "-1", "4.0", 4.0, "", "18446744073709551615",
                       "00000000000000000000012"]"#,
        note: "salesync's lenient integer in a type both directions use",
    },
    Fixed {
        name: "applicators_on_objects",
        position: "both",
        schema: r#"{"type": "object", "properties": {"a": {"enum": ["x", "y"]}, "b": {"type": "string"},
                    "c": {"type": "integer"}}, "allOf": [{"if": {"properties": {"a": {"const": "x"}},
                    "required": ["a"]}, "then": {"required": ["b"]}, "else": {"properties": {"c": false}}}],
                    "not": {"required": ["b", "c"]}, "unevaluatedProperties": false}"#,
        instances: r#"[{"a": "x", "b": "q"}, {"a": "x"}, {"a": "y", "c": 1}, {"a": "y"}, {"b": "q", "c": 1},
                       {"a": "x", "b": "q", "d": 1}]"#,
        note: "if/then/else in allOf, not, unevaluatedProperties on one object",
    },
    Fixed {
        name: "arrays_of_every_kind",
        position: "array_item",
        schema: r#"{"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false,
                    "contains": {"type": "integer", "minimum": 5}, "minContains": 1, "maxContains": 1}"#,
        instances: r#"[["a", 5], ["a", 4], ["a", 5, 6], [], ["a"], [5, 5]]"#,
        note: "prefixItems with items false, contains with minContains and maxContains",
    },
    Fixed {
        name: "pattern_properties_alone",
        position: "newtype",
        schema: r#"{"type": "object", "patternProperties": {"^x-": {"type": "boolean"}},
                    "propertyNames": {"maxLength": 4}, "minProperties": 1}"#,
        instances: r#"[{"x-a": true}, {"x-a": 1}, {"b": 1}, {}, {"x-abc": true}]"#,
        note: "patternProperties without additionalProperties, propertyNames, minProperties",
    },
    Fixed {
        name: "lenient_digits_seen_as_number",
        position: "request_member",
        schema: r#"{"type": "object", "properties": {"a": {"type": "boolean"},
                    "b": {"type": ["integer", "string"], "pattern": "^[0-9]+$"}},
                    "dependentSchemas": {"a": {"properties": {"b": {"type": "integer"}}}}}"#,
        instances: r#"[{"a": true, "b": "653"}, {"a": true, "b": 653}, {"b": "653"}]"#,
        note: LENIENT_NOTE,
    },
    Fixed {
        name: "lenient_digits_seen_as_number_by_not",
        position: "both",
        schema: r#"{"type": "object", "properties": {"b": {"type": ["integer", "string"],
                    "pattern": "^[0-9]+$"}}, "not": {"properties": {"b": {"type": "string"}},
                    "required": ["b"]}}"#,
        instances: r#"[{"b": "653"}, {"b": 653}, {}]"#,
        note: LENIENT_NOTE,
    },
    Fixed {
        name: "merged_member_spellings",
        position: "request_member",
        schema: r#"{"type": "object", "allOf": [{"properties": {"foo_bar": {"type": "boolean"}}},
                    {"properties": {"fooBar": {"type": "boolean"}}}]}"#,
        instances: r#"[{"foo_bar": true, "fooBar": false}, {}, {"fooBar": 1}]"#,
        note: MERGED_SPELLINGS_NOTE,
    },
    Fixed {
        name: "choice_of_string_enum",
        position: "request_member",
        schema: r#"{"anyOf": [{"type": "integer"}, {"enum": ["a", "b"]}]}"#,
        instances: r#"[1, "a", "c", true]"#,
        note: CHOICE_NOTE,
    },
    Fixed {
        name: "nullable_one_of_overlap",
        position: "array_item",
        schema: r#"{"oneOf": [{"enum": ["a", null]}, {"type": "null"}]}"#,
        instances: r#"[null, "a", "b"]"#,
        note: NULLABLE_NOTE,
    },
    Fixed {
        name: "stand_in_repeats",
        position: "request_member",
        schema: r#"{"type": "array", "items": {"type": "integer"}, "uniqueItems": true}"#,
        instances: r#"[[18446744073709551615, 0], [0, 18446744073709551615]]"#,
        note: STAND_IN_NOTE,
    },
    Fixed {
        name: "unreached_holder_of_received",
        position: "response_member",
        schema: r##"{"$defs": {"Holder": {"type": "object", "properties":
                    {"i": {"$ref": "#/$defs/Inner"}}}, "Inner": {"type": "array", "items":
                    {"type": "string"}}}, "$ref": "#/$defs/Inner"}"##,
        instances: r#"[["a"], [1]]"#,
        note: DIRECTION_NOTE,
    },
    Fixed {
        name: "array_or_object",
        position: "request_member",
        schema: r#"{"type": ["array", "object"], "properties": {"a": {"type": "integer"}},
                    "required": ["a"], "items": {"type": "string"}}"#,
        instances: r#"[{}, [true], {"a": "x"}, {"a": 1}, ["x"]]"#,
        note: EITHER_NOTE,
    },
    Fixed {
        name: "object_or_string",
        position: "both",
        schema: r#"{"type": ["object", "string"], "required": ["a"], "maxLength": 2}"#,
        instances: r#"[{}, {"a": 1}, "ab", "abc"]"#,
        note: EITHER_NOTE,
    },
    Fixed {
        name: "pattern_members_typed_extra",
        position: "request_member",
        schema: r#"{"type": "object", "patternProperties": {"^x-": {"type": "boolean"}},
                    "additionalProperties": {"type": "integer"}}"#,
        instances: r#"[{"x-a": true}, {"b": 1}, {"x-a": true, "b": 1}, {"x-a": 1}, {"b": true}]"#,
        note: PATTERN_NOTE,
    },
    Fixed {
        name: "pattern_members_in_response",
        position: "response_member",
        schema: r#"{"type": "object", "patternProperties": {"^x-": {"type": "boolean"}},
                    "additionalProperties": {"type": "integer"}}"#,
        instances: r#"[{"x-a": true}, {"b": 1}, {"x-a": true, "b": 1}]"#,
        note: PATTERN_NOTE,
    },
    Fixed {
        name: "pattern_members_closed",
        position: "request_member",
        schema: r#"{"type": "object", "patternProperties": {"^x-": {"type": "boolean"}},
                    "additionalProperties": false}"#,
        instances: r#"[{"x-a": true}, {"b": 1}, {"x-a": 1}]"#,
        note: PATTERN_NOTE,
    },
    Fixed {
        name: "null_only_member",
        position: "request_member",
        schema: r#"{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "null"}},
                    "dependentRequired": {"a": ["b"]}}"#,
        instances: r#"[{"a": 1, "b": null}, {"a": 1}, {"b": null}]"#,
        note: NULL_NOTE,
    },
    Fixed {
        name: "null_any_member_counts",
        position: "request_member",
        schema: r#"{"type": "object", "properties": {"b": {}, "c": true}, "minProperties": 1}"#,
        instances: r#"[{"b": null}, {"c": null}, {}, {"b": 1}]"#,
        note: NULL_NOTE,
    },
    Fixed {
        name: "member_named_self_capital",
        position: "request_member",
        schema: r#"{"type": "object", "properties": {"Self": {}}}"#,
        instances: r#"[{"Self": 1}, {}]"#,
        note: SELF_NOTE,
    },
];

/// A known bug: a fixed case that fails today, and the sign of a problem of a random case that is it.
pub struct KnownBug {
    pub case: Fixed,
    pub sign: fn(&GateCase, &Problem) -> bool,
}

const STAND_IN_NOTE: &str = "runtime, src/runtime/recover.rs (parse_and_validate, about_stand_ins): a \
    value a typed member cannot hold (u64::MAX for an i64 item: the documented number-out-of-range \
    difference) is replaced by a stand-in (0 first) so that parsing goes on, and uniqueItems then reports \
    another item as a repeat of the stand-in (`/v/1: repeats item 0: items must be unique [uniqueItems]`), \
    a violation of a value that has none. Violations are dropped at or below a stand-in's pointer only; a \
    repeat is reported at the other item's index. Expected: `/v/0: ... out of the 64-bit range [type]` \
    alone";

const DIRECTION_NOTE: &str = "generator, codegen/src/lower/registry.rs (decide_directions): a definition \
    nothing reaches is a sent type, but the definitions it refers to keep the direction the endpoints give \
    them; here `Inner` is reached from the response only (received: no `Kinded`), and the unreached \
    `Holder`'s shape names `Inner::KIND` (`InnerOne::SHAPE` for an object): accepted, and does not compile \
    (E0599, no associated item named `KIND`). Met most often through nested `$defs`: `{\"$defs\": {\"x\": \
    {\"$defs\": {\"inner\": ...}, \"properties\": {\"i\": {\"$ref\": \"#/$defs/x/$defs/inner\"}}}}, \
    \"items\": {\"$ref\": \"#/$defs/x/$defs/inner\"}}` in a response";

const EITHER_NOTE: &str = "generator, codegen/src/lower/choice.rs (lower_either): a `type` list with \
    `array` or `object` beside another type is an enum whose Array/Object variants hold plain JSON; their \
    keywords (`properties`, `required`, `items`, ...) go into `applies`, and `native.extend(applies)` then \
    counts them as checked natively, so no residual check is made and they are not checked at all: `{}` \
    passes `required: [\"a\"]`, `[true]` passes `items: {type: string}`";

const PATTERN_NOTE: &str = "generator, codegen/src/lower/object.rs (additional, lower_struct): with \
    `patternProperties`, the members a struct does not name go to `extra`, typed by `additionalProperties` \
    whatever their names, though a member that matches a pattern is checked by the pattern's schema and \
    not by `additionalProperties`. With `additionalProperties: {type: integer}`, `{\"x-a\": true}` fails \
    the typed parse (request: `[type]` at /v; response: does not parse); with `additionalProperties: \
    false` the struct denies unknown fields and `x-a` is refused as an unknown member \
    [additionalProperties]";

const NULL_NOTE: &str = "generator, codegen/src/lower/shape.rs (lower_shape): `Kind::Any` returns \
    `any(..)` before `shape.nullable` is set, so an optional member whose schema allows `null` without a \
    `[T, \"null\"]` type (`{}`, `true`, `{\"type\": \"null\"}`) is an `Option<serde_json::Value>`, whose \
    `None` swallows an explicit `null`: the member counts as absent for `dependentRequired`, \
    `minProperties` and the object's residual checks. docs/models.md promises a `Nullable<T>` where the schema \
    allows `null`";

const SELF_NOTE: &str = "generator, codegen/src/lower/names.rs (field_name): `self`, `super` and `crate` \
    get their `_` before the snake_case conversion, so the member `Self` (or `Super`, `CRATE`) becomes the \
    field `self`, which no identifier can be: the emitted Rust does not parse, and the schema is refused \
    with `<file>#: the generator emitted invalid Rust (a generator bug)`, at no pointer";

const CHOICE_NOTE: &str = "generator, codegen/src/emit (the `Validate` of a union chosen by validation, \
    `choice::violations::<T>` for each variant) and codegen/src/lower/mod.rs (Ctx::named: a string or \
    integer enum is `validated` only when it is reached from both directions): an `anyOf`/`oneOf` whose \
    option is an enum of strings (`{\"enum\": [\"a\", \"b\"]}`) beside another typed option is a union \
    chosen by validation whose variant is the sent enum type, which does not implement `Validate`: \
    accepted, and does not compile (E0277, `GateRequestVString: Validate` is not satisfied)";

const NULLABLE_NOTE: &str = "generator, codegen/src/lower/kind.rs (nullable_wrapper): `oneOf: [X, \
    {\"type\": \"null\"}]` is read as a nullable X (`Option<X>`) without asking whether X accepts `null` \
    itself; when it does (`{\"enum\": [\"a\", null]}`, `{\"type\": [\"string\", \"null\"]}`, `{\"const\": \
    null}`), `null` matches both options and `oneOf` refuses it, while salesync accepts it (`anyOf` would \
    be right to)";

const MERGED_SPELLINGS_NOTE: &str = "generator, codegen/src/lower/merge.rs (all_of): the members an \
    `allOf` part brings are added to the struct's fields without the check the object's own `properties` \
    get, that no two members make one Rust field: `foo_bar` in one part and `fooBar` in another both \
    become the field `foo_bar`; accepted, and does not compile (E0124 field `foo_bar` is already declared, \
    and the builder's duplicates)";

const LENIENT_NOTE: &str = "generator and runtime (the residual check of an object, src/runtime/schema.rs, \
    run on the JSON the typed value serializes to): a lenient integer (`[\"integer\", \"string\"]` with \
    pattern `^[0-9]+$`) reads `\"653\"` as the integer 653 and serializes it as a number, so the keywords \
    of the object that the compiled schema checks (`dependentSchemas`, `not`, `allOf`, ...) see `653` \
    where the body has `\"653\"`: a body whose digit string another keyword refuses as a string (`b: \
    {type: integer}` in a dependentSchemas) passes. Maybe intended (the lenient integer is an integer), \
    but it is no documented difference: schemas/README.md bounds the digits only";

/// Known generator or runtime bugs: each fails today, as its note says.
pub const KNOWN_BUGS: &[KnownBug] = &[];

/// The known bug a problem of `case` is, if its sign says so.
pub fn known_bug(case: &GateCase, problem: &Problem) -> Option<&'static str> {
    KNOWN_BUGS
        .iter()
        .find(|bug| (bug.sign)(case, problem))
        .map(|bug| bug.case.name)
}
