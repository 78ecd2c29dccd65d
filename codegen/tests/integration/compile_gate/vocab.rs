//! The words the gate's schemas and instances are made of: patterns and formats with strings that match and
//! strings that do not, odd member names, definition names, constants. Shared by the schema generator (which
//! writes them into schemas) and the instance generator (which needs strings that pass or break them).

use serde_json::{json, Value};

/// Simple, safe ECMA-262 patterns (no look-around, no Unicode classes, no astral characters), each with
/// strings that match it and strings that do not.
pub const PATTERNS: &[(&str, &[&str], &[&str])] = &[
    ("^[a-z]+$", &["abc", "x"], &["", "ABC", "a1"]),
    ("^[0-9]{2,4}$", &["12", "1234"], &["1", "12345", "ab"]),
    ("^a", &["a", "abc"], &["ba", ""]),
    ("b$", &["b", "ab"], &["ba", ""]),
    ("^[A-Z][a-z]*$", &["Abc", "Z"], &["abc", ""]),
    ("^(ab|cd)+$", &["ab", "abcd"], &["ac", ""]),
    ("\\d", &["a1", "7"], &["abc", ""]),
    ("^\\w+$", &["a_1", "Z"], &["a b", ""]),
    ("^[^ ]*$", &["", "ab"], &["a b"]),
    ("^x-", &["x-a", "x-"], &["y-a", "X-a"]),
    ("é", &["café"], &["cafe"]),
    ("^.{2}$", &["ab", "汉字"], &["a", "abc"]),
    ("^[a-c]{1,3}-[0-9]$", &["ab-1", "c-9"], &["abcd-1", "ab1"]),
];

/// The strings `pattern` is known to accept and refuse (empty when it is not one of [`PATTERNS`]).
pub fn pattern_examples(pattern: &str) -> (&'static [&'static str], &'static [&'static str]) {
    PATTERNS
        .iter()
        .find(|(p, ..)| *p == pattern)
        .map_or((&[], &[]), |(_, good, bad)| (*good, *bad))
}

/// Formats: the ten salesync asserts, and some it does not (annotations to both sides), each with valid and
/// invalid strings.
pub const FORMATS: &[(&str, &[&str], &[&str])] = &[
    (
        "date",
        &["2024-02-29", "1999-12-31"],
        &["2023-02-29", "2024-13-01", "24-01-01"],
    ),
    (
        "date-time",
        &["2024-02-29T12:00:00Z", "1999-12-31T23:59:59.5+08:00"],
        &["2024-02-29 12:00:00", "2024-02-29T12:00:00"],
    ),
    (
        "time",
        &["12:00:00Z", "23:59:59+08:00"],
        &["12:00", "25:00:00Z"],
    ),
    (
        "email",
        &["a@example.com", "first.last@sub.example.org"],
        &["a@", "@b.com", "a b@c.com"],
    ),
    (
        "uuid",
        &["123e4567-e89b-12d3-a456-426614174000"],
        &[
            "123e4567e89b12d3a456426614174000",
            "123e4567-e89b-12d3-a456-42661417400g",
        ],
    ),
    (
        "uri",
        &["https://example.com/a?b=1", "urn:isbn:123"],
        &["//example.com", "a b", "/path"],
    ),
    (
        "uri-reference",
        &["/a/b", "https://x.y", "#frag"],
        &["a b", "\\\\x"],
    ),
    ("hostname", &["example.com", "a-b.c"], &["-a.com", "a..b"]),
    ("ipv4", &["192.0.2.1", "0.0.0.0"], &["256.1.1.1", "1.2.3"]),
    ("ipv6", &["2001:db8::1", "::1"], &["1::2::3", "12345::"]),
    ("int64", &["12"], &["x"]),
    ("duration", &["P1D"], &["1 day"]),
    ("regex", &["^a+$"], &["("]),
];

/// The strings `format` is known to accept and refuse.
pub fn format_examples(format: &str) -> (&'static [&'static str], &'static [&'static str]) {
    FORMATS
        .iter()
        .find(|(f, ..)| *f == format)
        .map_or((&[], &[]), |(_, good, bad)| (*good, *bad))
}

/// Member names a Rust field has trouble with: keywords, names that differ only by case or separators
/// (`fooBar` and `foo_bar` both become `foo_bar`), the empty name, non-ASCII, digits first, punctuation.
pub const MEMBER_NAMES: &[&str] = &[
    "type", "self", "Self", "fooBar", "foo_bar", "", "ünï", "名前", "a b", "1st", "super", "crate",
    "ref", "r#x", "extra", "v", "match", "__", "$ref", "x-y", "value", "kind", "None", "default",
    "fn", "id", "name", "count", "async",
];

/// Plain member names, for the ones a test needs to stay simple (the tag of a union, `dependentRequired`).
pub const PLAIN_NAMES: &[&str] = &["a", "b", "c", "name", "size", "note"];

/// `$defs` keys: snake_case, camelCase, kebab-case, one letter, Rust keywords. None starts with `gate`
/// (the wrapper's definitions) and no two become the same PascalCase name.
pub const DEF_NAMES: &[&str] = &[
    "a_string",
    "Thing",
    "node",
    "fooBar",
    "item-list",
    "Pair",
    "x",
    "child_node",
    "Money",
    "status_code",
    "self",
    "type",
    "Über",
    "list2",
];

/// Tag values of a tagged union.
pub const TAGS: &[&str] = &["a", "b-c", "Foo", "", "gift", "2", "ünï"];

/// Integers the typed code finds hard: the edges of i64, u64 and the doubles' exact range.
pub fn big_integers() -> Vec<Value> {
    vec![
        json!(9_007_199_254_740_992_u64),
        json!(9_007_199_254_740_993_u64),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(-9_007_199_254_740_992_i64),
    ]
}

/// Numbers that are no i64: fractions, tiny and huge doubles, whole doubles.
pub fn odd_numbers() -> Vec<Value> {
    vec![
        json!(0.5),
        json!(-2.25),
        json!(1e-8),
        json!(1.0e300),
        json!(3.0),
        json!(0.1),
        json!(12.345_678_901_234_567),
        json!(1e20),
        json!(-0.0),
    ]
}

/// Multiples for `multipleOf`: integers, fractions, and 1e-8.
pub const MULTIPLES: &[f64] = &[2.0, 3.0, 5.0, 0.5, 0.25, 0.1, 0.01, 1e-8, 1.5];
