//! Parsing with JSON pointers: a type error names the exact member, like a validation error does.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::excerpt;
use super::validate::push_segment;
use super::Violation;

/// Rule names a deserializer can name in a custom error written as `[rule] message`.
const CUSTOM_RULES: [&str; 9] = [
    "enum",
    "type",
    "pattern",
    "minimum",
    "x-decimalPlaces",
    "required",
    "oneOf",
    "anyOf",
    "const",
];

/// Parses JSON text into `T`; any error becomes one [`Violation`] at the pointer of the offending value.
///
/// # Errors
///
/// The first problem: text that is not JSON (rule `json`), or a value of the wrong type, an unknown member or
/// value (rule `type`, `additionalProperties`, `enum`, ...), at its pointer.
pub fn from_str<T: DeserializeOwned>(json: &str) -> Result<T, Violation> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| violation("", err.path(), err.inner()))?;
    deserializer
        .end()
        .map_err(|err| classify(String::new(), &err))?;
    Ok(value)
}

/// Converts an already-parsed JSON value into `T`; pointers start with `prefix` (e.g. `/salesinfo/3`).
///
/// # Errors
///
/// The first value that does not fit `T`, at its pointer under `prefix`.
pub fn from_value<T: DeserializeOwned>(value: &Value, prefix: &str) -> Result<T, Violation> {
    serde_path_to_error::deserialize(value)
        .map_err(|err| violation(prefix, err.path(), err.inner()))
}

fn violation(prefix: &str, path: &serde_path_to_error::Path, err: &serde_json::Error) -> Violation {
    let mut pointer = prefix.to_owned();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            serde_path_to_error::Segment::Map { key } => push_segment(&mut pointer, key),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    classify(pointer, err)
}

/// Names the rule behind a serde error and points at the member it concerns.
fn classify(mut pointer: String, err: &serde_json::Error) -> Violation {
    let text = shorten_quotes(&err.to_string());
    let mut detail = strip_position(&text);
    // From inside a union, which is read from a buffered object: `@/rate <message>` says where below.
    if let Some((below, rest)) = detail
        .strip_prefix('@')
        .and_then(|rest| rest.split_once(' '))
    {
        pointer.push_str(below);
        detail = rest;
    }
    if err.is_syntax() || err.is_eof() || err.is_io() {
        return Violation {
            pointer,
            rule: "json",
            message: format!("not valid JSON: {text}"),
        };
    }
    if let Some(member) = quoted_after(detail, "missing field `") {
        push_segment(&mut pointer, member);
        return Violation {
            pointer,
            message: format!("`{member}` is required"),
            rule: "required",
        };
    }
    if let Some(member) = quoted_after(detail, "unknown field `") {
        // serde_path_to_error has already stepped into the unknown member.
        let expected = detail.split_once(", ").map_or("", |(_, rest)| rest);
        return Violation {
            pointer,
            message: format!("unknown member `{member}`; {expected}"),
            rule: "additionalProperties",
        };
    }
    for rule in CUSTOM_RULES {
        if let Some(message) = detail.strip_prefix(&format!("[{rule}] ")) {
            return Violation {
                pointer,
                rule,
                message: message.to_owned(),
            };
        }
    }
    Violation {
        pointer,
        rule: "type",
        message: detail.to_owned(),
    }
}

/// serde quotes offending strings in full (`invalid type: string "…"`): cut each quoted part to an excerpt.
fn shorten_quotes(message: &str) -> String {
    if message.len() <= 256 {
        return message.to_owned();
    }
    message
        .split('"')
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                excerpt(part)
            } else {
                part.into()
            }
        })
        .collect::<Vec<_>>()
        .join("\"")
}

fn strip_position(text: &str) -> &str {
    match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => text,
    }
}

fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(prefix)?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        id: String,
        count: Option<i64>,
    }

    fn error(json: &str) -> Violation {
        from_str::<Outer>(json).unwrap_err()
    }

    #[test]
    fn missing_member_points_at_the_member() {
        let found = error(r#"{"items": [{"id": "a"}, {"count": 1}]}"#);
        assert_eq!(
            (found.pointer.as_str(), found.rule),
            ("/items/1/id", "required")
        );
    }

    #[test]
    fn unknown_member_points_at_the_member() {
        let found = error(r#"{"items": [{"id": "a", "cuont": 1}]}"#);
        assert_eq!(
            (found.pointer.as_str(), found.rule),
            ("/items/0/cuont", "additionalProperties")
        );
    }

    #[test]
    fn type_error_points_at_the_value() {
        let found = error(r#"{"items": [{"id": "a", "count": "x"}]}"#);
        assert_eq!(
            (found.pointer.as_str(), found.rule),
            ("/items/0/count", "type")
        );
    }

    #[test]
    fn syntax_errors_and_trailing_text_are_json_errors() {
        assert_eq!(error(r#"{"items": [}"#).rule, "json");
        assert_eq!(error(r#"{"items": []} x"#).rule, "json");
    }

    #[test]
    fn prefix_is_kept_for_values() {
        let value: Value = serde_json::json!({"id": 5});
        let found = from_value::<Inner>(&value, "/items/7").unwrap_err();
        assert_eq!(found.pointer, "/items/7/id");
    }
}
