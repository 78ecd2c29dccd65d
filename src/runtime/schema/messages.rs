//! A residual check's errors as violations: the rule is the keyword that failed, the message a sentence in
//! the typed checks' words where a typed check exists, and each error is reported where the typed checks
//! would report it (a missing or unknown member at the member, a repeat at its index), so that the two meet
//! when they report the same thing.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

use super::keywords::read_at_members;
use super::number::json_equal;
use crate::runtime::excerpt;
use crate::runtime::validate::push_segment;

/// One violation below the checked value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// RFC 6901 pointer relative to the checked value (empty: the value itself).
    pub(super) pointer: String,
    pub(super) rule: &'static str,
    pub(super) message: String,
}

/// What comes after a keyword in a schema path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// A schema, whose keywords follow: `not`, `items`, `$ref`, ...
    Schema,
    /// A name or an index, then a schema: `properties`, `allOf`, ...
    Keyed,
    /// Nothing, or the keyword's own arguments: `minLength`, `required`, ...
    Leaf,
}

/// Every keyword of JSON Schema 2020-12 (core, applicator, unevaluated, validation, format, content and the
/// meta-data ones), the older spellings jsonschema may still name, and ours: the rule names a residual
/// check can report.
const KEYWORDS: &[(&str, Next)] = &[
    ("$ref", Next::Schema),
    ("$dynamicRef", Next::Schema),
    ("$recursiveRef", Next::Schema),
    ("not", Next::Schema),
    ("if", Next::Schema),
    ("then", Next::Schema),
    ("else", Next::Schema),
    ("items", Next::Schema),
    ("additionalItems", Next::Schema),
    ("contains", Next::Schema),
    ("additionalProperties", Next::Schema),
    ("propertyNames", Next::Schema),
    ("unevaluatedItems", Next::Schema),
    ("unevaluatedProperties", Next::Schema),
    ("contentSchema", Next::Schema),
    ("properties", Next::Keyed),
    ("patternProperties", Next::Keyed),
    ("dependentSchemas", Next::Keyed),
    ("$defs", Next::Keyed),
    ("definitions", Next::Keyed),
    ("allOf", Next::Keyed),
    ("anyOf", Next::Keyed),
    ("oneOf", Next::Keyed),
    ("prefixItems", Next::Keyed),
    ("type", Next::Leaf),
    ("enum", Next::Leaf),
    ("const", Next::Leaf),
    ("multipleOf", Next::Leaf),
    ("maximum", Next::Leaf),
    ("exclusiveMaximum", Next::Leaf),
    ("minimum", Next::Leaf),
    ("exclusiveMinimum", Next::Leaf),
    ("maxLength", Next::Leaf),
    ("minLength", Next::Leaf),
    ("pattern", Next::Leaf),
    ("maxItems", Next::Leaf),
    ("minItems", Next::Leaf),
    ("uniqueItems", Next::Leaf),
    ("maxContains", Next::Leaf),
    ("minContains", Next::Leaf),
    ("maxProperties", Next::Leaf),
    ("minProperties", Next::Leaf),
    ("required", Next::Leaf),
    ("dependentRequired", Next::Leaf),
    ("dependencies", Next::Leaf),
    ("format", Next::Leaf),
    ("contentEncoding", Next::Leaf),
    ("contentMediaType", Next::Leaf),
    ("x-minBytes", Next::Leaf),
    ("x-maxBytes", Next::Leaf),
    ("x-decimalPlaces", Next::Leaf),
    ("x-compare", Next::Leaf),
];

/// The keyword of the schema path that failed: the last segment in a keyword's place, reading the path as
/// schemas, keywords and their arguments, so that a member named `type` under `properties` is not taken for
/// the keyword. `None` when the path leaves the vocabulary, or ends in a reference.
fn failed_keyword(schema_path: &str) -> Option<&'static str> {
    let mut expect = Next::Schema;
    let mut found = None;
    for segment in schema_path.split('/').skip(1) {
        match expect {
            Next::Schema => {
                let (name, next) = KEYWORDS.iter().find(|(name, _)| *name == segment)?;
                found = Some(*name);
                expect = *next;
            }
            // The name or index after `properties`, `allOf`, ...: a schema follows.
            Next::Keyed => expect = Next::Schema,
            // A leaf keyword's arguments, if any.
            Next::Leaf => {}
        }
    }
    found.filter(|name| !matches!(*name, "$ref" | "$dynamicRef" | "$recursiveRef"))
}

/// The rule of an error whose schema path names no keyword: the keyword its kind stands for.
fn rule_of_kind(kind: &ValidationErrorKind) -> &'static str {
    use ValidationErrorKind as K;
    match kind {
        K::AdditionalItems { .. } => "additionalItems",
        K::AdditionalProperties { .. } => "additionalProperties",
        K::AnyOf { .. } => "anyOf",
        K::BacktrackLimitExceeded { .. } | K::Pattern { .. } => "pattern",
        K::Constant { .. } => "const",
        K::Contains => "contains",
        K::ContentEncoding { .. } | K::FromUtf8 { .. } => "contentEncoding",
        K::ContentMediaType { .. } => "contentMediaType",
        K::Custom { .. } | K::Referencing(_) => "schema",
        K::Enum { .. } => "enum",
        K::ExclusiveMaximum { .. } => "exclusiveMaximum",
        K::ExclusiveMinimum { .. } => "exclusiveMinimum",
        K::FalseSchema => "false",
        K::Format { .. } => "format",
        K::MaxItems { .. } => "maxItems",
        K::Maximum { .. } => "maximum",
        K::MaxLength { .. } => "maxLength",
        K::MaxProperties { .. } => "maxProperties",
        K::MinItems { .. } => "minItems",
        K::Minimum { .. } => "minimum",
        K::MinLength { .. } => "minLength",
        K::MinProperties { .. } => "minProperties",
        K::MultipleOf { .. } => "multipleOf",
        K::Not { .. } => "not",
        K::OneOfMultipleValid { .. } | K::OneOfNotValid { .. } => "oneOf",
        K::PropertyNames { .. } => "propertyNames",
        K::Required { .. } => "required",
        K::Type { .. } => "type",
        K::UnevaluatedItems { .. } => "unevaluatedItems",
        K::UnevaluatedProperties { .. } => "unevaluatedProperties",
        K::UniqueItems => "uniqueItems",
    }
}

/// The rule an error reports.
fn rule(error: &ValidationError<'_>) -> &'static str {
    match &error.kind {
        // A `false` schema fails wherever it sits; a name's error is the name's (as the typed checks say).
        ValidationErrorKind::FalseSchema => "false",
        ValidationErrorKind::PropertyNames { .. } => "propertyNames",
        ValidationErrorKind::Referencing(_) => "schema",
        kind => failed_keyword(error.schema_path.as_str()).unwrap_or_else(|| rule_of_kind(kind)),
    }
}

/// The violations one error stands for (several when it names several members or repeats).
pub(super) fn describe(error: &ValidationError<'_>) -> Vec<Found> {
    let rule = rule(error);
    let at = error.instance_path.as_str();
    let instance: &Value = &error.instance;
    let one = |message: String| {
        vec![Found {
            pointer: at.to_owned(),
            rule,
            message,
        }]
    };
    let each_member = |names: &[String], message: &dyn Fn(&str) -> String| {
        names
            .iter()
            .map(|name| Found {
                pointer: below(at, name),
                rule,
                message: message(name),
            })
            .collect()
    };
    use ValidationErrorKind as K;
    match &error.kind {
        K::AdditionalProperties { unexpected } => each_member(unexpected, &|name| {
            format!(
                "unknown member `{}`: not allowed by `additionalProperties`",
                excerpt(name)
            )
        }),
        K::UnevaluatedProperties { unexpected } => each_member(unexpected, &|name| {
            format!(
                "member `{}` is not allowed: `unevaluatedProperties`",
                excerpt(name)
            )
        }),
        K::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            vec![Found {
                pointer: below(at, &name),
                rule,
                message: format!("`{name}` is required"),
            }]
        }
        K::PropertyNames { error: inner } => {
            let name = inner.instance.as_str().unwrap_or_default();
            describe(inner)
                .into_iter()
                .map(|found| Found {
                    pointer: below(at, name),
                    rule,
                    message: format!("member name: {}", found.message),
                })
                .collect()
        }
        K::UniqueItems => repeats(at, instance),
        K::Custom { message } if matches!(rule, "x-compare" | "dependentRequired") => {
            match read_at_members(message) {
                Some(failures) => failures
                    .into_iter()
                    .map(|(left, message)| Found {
                        pointer: below(at, &left),
                        rule,
                        message,
                    })
                    .collect(),
                None => one(message.clone()),
            }
        }
        kind => one(sentence(kind, rule, instance)),
    }
}

/// The message of an error reported at its own instance.
fn sentence(kind: &ValidationErrorKind, rule: &str, instance: &Value) -> String {
    use ValidationErrorKind as K;
    let count = || match instance {
        Value::Array(items) => items.len(),
        Value::Object(members) => members.len(),
        Value::String(text) => text.chars().count(),
        _ => 0,
    };
    let text = || excerpt(instance.as_str().unwrap_or_default()).into_owned();
    match kind {
        K::AdditionalItems { limit } => {
            format!("must have at most {limit} item(s), has {}", count())
        }
        K::AnyOf { context } => {
            format!("matches none of the `anyOf` schemas{}", reasons(context))
        }
        K::BacktrackLimitExceeded { error } => {
            format!(
                "`{}` could not be matched against the pattern: {error}",
                text()
            )
        }
        K::Constant { expected_value } => {
            format!("must be {}, is {}", json(expected_value), json(instance))
        }
        K::Contains => match rule {
            "minContains" => "too few items match `contains` (`minContains`)".to_owned(),
            "maxContains" => "too many items match `contains` (`maxContains`)".to_owned(),
            _ => "no item matches `contains`".to_owned(),
        },
        K::ContentEncoding { content_encoding } => {
            format!("is not valid `{content_encoding}` content")
        }
        K::ContentMediaType { content_media_type } => {
            format!("is not valid `{content_media_type}` content")
        }
        K::FromUtf8 { error } => format!("does not decode to UTF-8 text: {error}"),
        K::Custom { message } => message.clone(),
        K::Enum { options } => format!("must be one of {}, is {}", json(options), json(instance)),
        K::ExclusiveMaximum { limit } => format!("must be less than {limit}, is {instance}"),
        K::ExclusiveMinimum { limit } => format!("must be greater than {limit}, is {instance}"),
        K::FalseSchema => "is not allowed here: the schema is `false`".to_owned(),
        K::Format { format } => format!("`{}` is not a valid `{format}`", text()),
        K::MaxItems { limit } => format!("must have at most {limit} item(s), has {}", count()),
        K::MinItems { limit } => format!("must have at least {limit} item(s), has {}", count()),
        K::Maximum { limit } => format!("must be at most {limit}, is {instance}"),
        K::Minimum { limit } => format!("must be at least {limit}, is {instance}"),
        K::MaxLength { limit } => {
            format!("must have at most {limit} character(s), has {}", count())
        }
        K::MinLength { limit } => {
            format!("must have at least {limit} character(s), has {}", count())
        }
        K::MaxProperties { limit } => {
            format!("must have at most {limit} member(s), has {}", count())
        }
        K::MinProperties { limit } => {
            format!("must have at least {limit} member(s), has {}", count())
        }
        K::MultipleOf { multiple_of } => {
            format!("must be a multiple of {multiple_of}, is {instance}")
        }
        K::Not { .. } => "must not match the schema in `not`".to_owned(),
        K::OneOfMultipleValid { context } => {
            let matched: Vec<usize> = (0..context.len())
                .filter(|i| context[*i].is_empty())
                .collect();
            format!(
                "matches {} of the `oneOf` schemas ({}): exactly one must match",
                matched.len(),
                and_list(&matched)
            )
        }
        K::OneOfNotValid { context } => format!(
            "matches none of the `oneOf` schemas{}: exactly one must match",
            reasons(context)
        ),
        K::Pattern { pattern } => {
            format!("`{}` does not match the pattern {pattern}", text())
        }
        K::Type { kind } => format!("must be {}, is {}", expected_types(kind), a_type(instance)),
        K::UnevaluatedItems { unexpected } => format!(
            "has items no schema evaluated, which `unevaluatedItems` does not allow: {}",
            excerpt(&unexpected.join(", "))
        ),
        K::Referencing(error) => format!("the sub-schema could not be resolved: {error}"),
        // Reported by `describe` at their members or items.
        K::AdditionalProperties { .. }
        | K::UnevaluatedProperties { .. }
        | K::Required { .. }
        | K::PropertyNames { .. }
        | K::UniqueItems => format!("is not valid against `{rule}`"),
    }
}

/// `base` one member deeper.
fn below(base: &str, member: &str) -> String {
    let mut pointer = base.to_owned();
    push_segment(&mut pointer, member);
    pointer
}

/// Each item that equals an earlier one, at its index, in the words of `Validator::unique_items`.
fn repeats(at: &str, instance: &Value) -> Vec<Found> {
    let items = instance.as_array().map_or(&[][..], Vec::as_slice);
    let found: Vec<Found> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let first = items[..index]
                .iter()
                .position(|earlier| json_equal(earlier, item))?;
            Some(Found {
                pointer: format!("{at}/{index}"),
                rule: "uniqueItems",
                message: format!("repeats item {first}: items must be unique"),
            })
        })
        .collect();
    if found.is_empty() {
        // jsonschema and json_equal disagree (they should not): the array is still reported.
        return vec![Found {
            pointer: at.to_owned(),
            rule: "uniqueItems",
            message: "items must be unique".to_owned(),
        }];
    }
    found
}

/// A value as JSON, cut to a readable length.
fn json(value: &Value) -> String {
    excerpt(&value.to_string()).into_owned()
}

/// Why each alternative of an `anyOf` or `oneOf` failed, by its first error: ` (0: ...; 1: ...)`. Only the
/// first few are told: a union of fifty types must not make a page of text.
fn reasons(context: &[Vec<ValidationError<'static>>]) -> String {
    const SHOWN: usize = 4;
    let mut parts: Vec<String> = context
        .iter()
        .enumerate()
        .take(SHOWN)
        .filter_map(|(index, errors)| {
            let found = errors.first().map(describe)?.into_iter().next()?;
            let message = excerpt(&found.message).into_owned();
            Some(match found.pointer.as_str() {
                "" => format!("{index}: {message}"),
                pointer => format!("{index}: {pointer}: {message}"),
            })
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    if context.len() > SHOWN {
        parts.push("…".to_owned());
    }
    format!(" ({})", parts.join("; "))
}

/// `0`, `0 and 2`, `0, 1 and 3`.
fn and_list(indexes: &[usize]) -> String {
    match indexes {
        [] => String::new(),
        [only] => only.to_string(),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(usize::to_string).collect();
            format!("{} and {last}", init.join(", "))
        }
    }
}

/// `a string`, `an integer or null`.
fn expected_types(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(single) => a(*single).to_owned(),
        TypeKind::Multiple(set) => {
            let names: Vec<&str> = set.iter().map(a).collect();
            match names.split_last() {
                Some((last, init)) if !init.is_empty() => {
                    format!("{} or {last}", init.join(", "))
                }
                _ => names.concat(),
            }
        }
    }
}

/// The JSON type of a value, with its article.
fn a_type(value: &Value) -> &'static str {
    a(JsonType::from(value))
}

fn a(kind: JsonType) -> &'static str {
    match kind {
        JsonType::Array => "an array",
        JsonType::Boolean => "a boolean",
        JsonType::Integer => "an integer",
        JsonType::Null => "null",
        JsonType::Number => "a number",
        JsonType::Object => "an object",
        JsonType::String => "a string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failed_keyword_is_read_in_place() {
        let keyword = failed_keyword;
        assert_eq!(
            keyword("/$ref/properties/type/minLength"),
            Some("minLength")
        );
        assert_eq!(keyword("/$ref/properties/minLength/type"), Some("type"));
        assert_eq!(keyword("/allOf/1/not"), Some("not"));
        assert_eq!(keyword("/$ref"), None);
        assert_eq!(keyword("/required"), Some("required"));
        assert_eq!(keyword("/x-unknown"), None);
        assert_eq!(
            keyword("/dependentRequired/a~1b"),
            Some("dependentRequired")
        );
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(and_list(&[0, 2]), "0 and 2");
        assert_eq!(and_list(&[0, 1, 3]), "0, 1 and 3");
        assert_eq!(and_list(&[4]), "4");
    }
}
