//! Validation that collects every violation, each at the JSON pointer of the offending value.

use std::fmt;

use serde::Serialize;

use indexmap::IndexMap;

use super::format::Format;
use super::pattern::Pattern;
use super::Decimal;

/// One broken rule: where (a JSON pointer), which rule (the schema keyword), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// RFC 6901 pointer of the offending value, or of the missing member: `/salesinfo/0/price/current_price`.
    pub pointer: String,
    /// The schema keyword that was broken: `required`, `maxItems`, `x-maxBytes`, `x-compare`, ...
    pub rule: &'static str,
    /// A sentence for a person.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {} [{}]", self.message, self.rule)
    }
}

/// Every violation found in one value, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The violations, in document order.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }
}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// One line, for log records: `2 violation(s): /a: ... [rule]; /b: ... [rule]`. The alternate form (`{:#}`)
/// puts each violation on a line of its own, for people.
impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} violation(s)", self.0.len())?;
        for (index, violation) in self.0.iter().enumerate() {
            match (f.alternate(), index) {
                (true, _) => write!(f, "\n  {violation}")?,
                (false, 0) => write!(f, ": {violation}")?,
                (false, _) => write!(f, "; {violation}")?,
            }
        }
        Ok(())
    }
}

/// A list of `{"pointer", "rule", "message"}` objects.
impl serde::Serialize for Violations {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl std::error::Error for Violations {}

/// A value that can check itself against its schema.
pub trait Validate {
    /// Appends this value's violations to `v`, relative to `v`'s current pointer.
    fn validate_into(&self, v: &mut Validator);

    /// Every violation of this value, or `Ok(())`.
    ///
    /// # Errors
    ///
    /// Every violation, in document order, each with its JSON pointer.
    fn validate(&self) -> Result<(), Violations> {
        let mut v = Validator::new();
        self.validate_into(&mut v);
        v.finish()
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate_into(&self, v: &mut Validator) {
        (**self).validate_into(v)
    }
}

/// Walks a value, keeping the current path, and collects violations. The path is a stack of member names
/// and indexes; a JSON pointer string is built only when something is reported, so a valid value pays for
/// no pointers.
#[derive(Debug, Default)]
pub struct Validator {
    prefix: String,
    path: Vec<Segment>,
    /// The names of the map members on the path (`Segment::Key` indexes them), kept apart so that a segment
    /// stays a plain `Copy` value on the hot path.
    keys: Vec<String>,
    violations: Vec<Violation>,
}

#[derive(Debug, Clone, Copy)]
enum Segment {
    Member(&'static str),
    Index(usize),
    /// A member of a map, whose name comes from the data: an index into `keys`.
    Key(usize),
}

impl Validator {
    /// A validator at the document root.
    pub fn new() -> Self {
        Self::default()
    }

    /// A validator whose pointers start with `prefix`, e.g. `/salesinfo/3` for one item of a batch.
    pub fn with_prefix(prefix: &str) -> Self {
        Validator {
            prefix: prefix.to_owned(),
            ..Self::default()
        }
    }

    /// The violations found, or `Ok(())`.
    ///
    /// # Errors
    ///
    /// The violations found, when there are any.
    pub fn finish(self) -> Result<(), Violations> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(Violations(self.violations))
        }
    }

    /// The violations found so far.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }

    /// Runs `check` one member deeper.
    pub fn at(&mut self, member: &'static str, check: impl FnOnce(&mut Self)) {
        self.path.push(Segment::Member(member));
        check(self);
        self.path.pop();
    }

    /// Runs `check` on each item of an array, at its index.
    pub fn each<T>(&mut self, items: &[T], mut check: impl FnMut(&mut Self, &T)) {
        for (index, item) in items.iter().enumerate() {
            self.path.push(Segment::Index(index));
            check(self, item);
            self.path.pop();
        }
    }

    /// Runs `check` on each member of a map, at its name.
    pub fn each_entry<T>(
        &mut self,
        entries: &IndexMap<String, T>,
        mut check: impl FnMut(&mut Self, &str, &T),
    ) {
        for (key, value) in entries {
            self.push_key(key);
            check(self, key, value);
            self.pop_key();
        }
    }

    fn push_key(&mut self, key: &str) {
        self.path.push(Segment::Key(self.keys.len()));
        self.keys.push(key.to_owned());
    }

    fn pop_key(&mut self) {
        self.path.pop();
        self.keys.pop();
    }

    /// Runs `check` on a map's member name (`propertyNames`): what it finds is reported at the member, with
    /// rule `propertyNames`.
    pub fn member_name(&mut self, check: impl FnOnce(&mut Self)) {
        let before = self.violations.len();
        check(self);
        for violation in &mut self.violations[before..] {
            violation.rule = "propertyNames";
            violation.message = format!("member name: {}", violation.message);
        }
    }

    /// Records a violation at the current pointer.
    pub fn report(&mut self, rule: &'static str, message: impl Into<String>) {
        let pointer = self.pointer();
        self.violations.push(Violation {
            pointer,
            rule,
            message: message.into(),
        });
    }

    /// The current JSON pointer, built from the path (only when something is reported).
    pub(super) fn pointer(&self) -> String {
        let mut pointer = self.prefix.clone();
        for segment in &self.path {
            match segment {
                Segment::Member(member) => push_segment(&mut pointer, member),
                Segment::Index(index) => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                Segment::Key(key) => push_segment(&mut pointer, &self.keys[*key]),
            }
        }
        pointer
    }

    /// Records a violation at `pointer` unless one of the same pointer and rule is already recorded: a
    /// residual check re-checks keywords that the typed checks (or an enclosing check) may have reported.
    pub(super) fn report_new(&mut self, pointer: String, rule: &'static str, message: String) {
        let known = |v: &Violation| v.rule == rule && v.pointer == pointer;
        if !self.violations.iter().any(known) {
            self.violations.push(Violation {
                pointer,
                rule,
                message,
            });
        }
    }

    /// Records that `member` of the current object is missing.
    pub fn missing(
        &mut self,
        member: &'static str,
        rule: &'static str,
        message: impl Into<String>,
    ) {
        let message = message.into();
        self.at(member, |v| v.report(rule, message));
    }

    /// `minLength`: at least `min` characters.
    pub fn min_length(&mut self, value: &str, min: usize) {
        // Every character is at least one byte: enough bytes decide without counting characters.
        if value.len() >= min.saturating_mul(4) {
            return;
        }
        let chars = value.chars().count();
        if chars < min {
            self.report(
                "minLength",
                format!("must have at least {min} character(s), has {chars}"),
            );
        }
    }

    /// `maxLength`: at most `max` characters (Unicode code points, as JSON Schema counts them).
    pub fn max_length(&mut self, value: &str, max: usize) {
        // Every character is at least one byte: few enough bytes decide without counting characters.
        if value.len() <= max {
            return;
        }
        let chars = value.chars().count();
        if chars > max {
            self.report(
                "maxLength",
                format!("must have at most {max} character(s), has {chars}"),
            );
        }
    }

    /// `format`: the value is a date, a URI, an email address, ... as [`Format`] says.
    pub fn format(&mut self, value: &str, format: Format) {
        if !format.is_valid(value) {
            let value = super::excerpt(value);
            self.report("format", format!("`{value}` is not {}", format.expected()));
        }
    }

    /// `x-minBytes`: at least `min` UTF-8 bytes.
    pub fn min_bytes(&mut self, value: &str, min: usize) {
        if value.len() < min {
            let len = value.len();
            self.report(
                "x-minBytes",
                format!("must be at least {min} UTF-8 byte(s), is {len}"),
            );
        }
    }

    /// `x-maxBytes`: at most `max` UTF-8 bytes ("汉字" is 6).
    pub fn max_bytes(&mut self, value: &str, max: usize) {
        if value.len() > max {
            let len = value.len();
            self.report(
                "x-maxBytes",
                format!("must be at most {max} UTF-8 bytes, is {len}"),
            );
        }
    }

    /// `pattern`: the value matches the regular expression.
    pub fn pattern(&mut self, value: &str, pattern: &Pattern) {
        if !pattern.is_match(value) {
            let (value, source) = (super::excerpt(value), pattern.source());
            self.report(
                "pattern",
                format!("`{value}` does not match the pattern {source}"),
            );
        }
    }

    /// `minimum`: `value >= min`.
    pub fn minimum<T: PartialOrd + fmt::Display>(&mut self, value: T, min: T) {
        if value < min {
            self.report("minimum", format!("must be at least {min}, is {value}"));
        }
    }

    /// `maximum`: `value <= max`.
    pub fn maximum<T: PartialOrd + fmt::Display>(&mut self, value: T, max: T) {
        if value > max {
            self.report("maximum", format!("must be at most {max}, is {value}"));
        }
    }

    /// `exclusiveMinimum`: `value > min`.
    pub fn exclusive_minimum<T: PartialOrd + fmt::Display>(&mut self, value: T, min: T) {
        if value <= min {
            self.report(
                "exclusiveMinimum",
                format!("must be greater than {min}, is {value}"),
            );
        }
    }

    /// `exclusiveMaximum`: `value < max`.
    pub fn exclusive_maximum<T: PartialOrd + fmt::Display>(&mut self, value: T, max: T) {
        if value >= max {
            self.report(
                "exclusiveMaximum",
                format!("must be less than {max}, is {value}"),
            );
        }
    }

    /// `multipleOf`: `value` is a whole multiple of `divisor`, exactly (never through a binary float).
    pub fn multiple_of<T: MultipleOf + fmt::Display>(&mut self, value: T, divisor: T) {
        if !value.is_multiple_of(divisor) {
            self.report(
                "multipleOf",
                format!("must be a multiple of {divisor}, is {value}"),
            );
        }
    }

    /// `x-decimalPlaces`: at most `max` digits after the point.
    pub fn decimal_places(&mut self, value: Decimal, max: u32) {
        if value.decimal_places() > max {
            self.report(
                "x-decimalPlaces",
                format!(
                    "must have at most {max} decimal place(s), {value} has {}",
                    value.decimal_places()
                ),
            );
        }
    }

    /// `minItems`: at least `min` items.
    pub fn min_items<T>(&mut self, items: &[T], min: usize) {
        let len = items.len();
        if len < min {
            self.report(
                "minItems",
                format!("must have at least {min} item(s), has {len}"),
            );
        }
    }

    /// `maxItems`: at most `max` items.
    pub fn max_items<T>(&mut self, items: &[T], max: usize) {
        let len = items.len();
        if len > max {
            self.report(
                "maxItems",
                format!("must have at most {max} item(s), has {len}"),
            );
        }
    }

    /// `uniqueItems`: no two items are equal; each repeat is reported at its index.
    pub fn unique_items<T: PartialEq>(&mut self, items: &[T]) {
        self.repeats(items, |earlier, item| earlier == item);
    }

    /// `uniqueItems` of items that are JSON to Rust (`serde_json::Value`, or types whose `PartialEq` is not
    /// JSON Schema's): compared as JSON, by [`json_equal`](super::json_equal), so `1` repeats `1.0` and
    /// objects are equal whatever the order of their members. An item that cannot be serialized is a
    /// `type` violation at its index, and equals nothing.
    pub fn unique_json<T: Serialize>(&mut self, items: &[T]) {
        if items.len() < 2 {
            return;
        }
        let mut values = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match serde_json::to_value(item) {
                Ok(value) => values.push(Some(value)),
                Err(error) => {
                    self.path.push(Segment::Index(index));
                    self.report("type", format!("cannot be written as JSON: {error}"));
                    self.path.pop();
                    values.push(None);
                }
            }
        }
        self.repeats(&values, |earlier, item| match (earlier, item) {
            (Some(earlier), Some(item)) => super::json_equal(earlier, item),
            _ => false,
        });
    }

    /// Reports each item that `equal` finds equal to an earlier one, at its index.
    fn repeats<T>(&mut self, items: &[T], equal: impl Fn(&T, &T) -> bool) {
        for (index, item) in items.iter().enumerate() {
            if let Some(first) = items[..index]
                .iter()
                .position(|earlier| equal(earlier, item))
            {
                self.path.push(Segment::Index(index));
                self.report(
                    "uniqueItems",
                    format!("repeats item {first}: items must be unique"),
                );
                self.path.pop();
            }
        }
    }

    /// `minProperties`: at least `min` members.
    pub fn min_properties(&mut self, count: usize, min: usize) {
        if count < min {
            self.report(
                "minProperties",
                format!("must have at least {min} member(s), has {count}"),
            );
        }
    }

    /// `maxProperties`: at most `max` members.
    pub fn max_properties(&mut self, count: usize, max: usize) {
        if count > max {
            self.report(
                "maxProperties",
                format!("must have at most {max} member(s), has {count}"),
            );
        }
    }

    /// `const`: the value is exactly `expected`.
    pub fn constant<T, U>(&mut self, value: &T, expected: &U)
    where
        T: PartialEq<U> + fmt::Display + ?Sized,
        U: fmt::Debug + ?Sized,
    {
        if value != expected {
            let shown = super::excerpt(&value.to_string()).into_owned();
            self.report("const", format!("must be {expected:?}, is {shown}"));
        }
    }

    /// `enum` (of values that are not a Rust enum): the value is one of `allowed`.
    pub fn enumerated<T, U>(&mut self, value: &T, allowed: &[U])
    where
        T: PartialEq<U> + fmt::Display + ?Sized,
        U: fmt::Debug,
    {
        if !allowed.iter().any(|candidate| value == candidate) {
            let shown = super::excerpt(&value.to_string()).into_owned();
            self.report("enum", format!("must be one of {allowed:?}, is {shown}"));
        }
    }

    /// Members a strict object does not know (of a type also read from responses, which keeps them).
    pub fn unknown_members(
        &mut self,
        extra: &serde_json::Map<String, serde_json::Value>,
        type_name: &str,
        known: &[&str],
    ) {
        for key in extra.keys() {
            self.push_key(key);
            self.report(
                "additionalProperties",
                format!(
                    "unknown member `{key}` of {type_name}; expected one of {}",
                    known.join(", ")
                ),
            );
            self.pop_key();
        }
    }

    /// `x-compare`: `left op right` holds; reported at `left`.
    pub fn compare<T: PartialOrd + fmt::Display>(
        &mut self,
        (left_name, left): (&'static str, T),
        op: Comparison,
        (right_name, right): (&str, T),
    ) {
        if !op.holds(&left, &right) {
            let symbol = op.symbol();
            let message = format!("{left_name} ({left}) must be {symbol} {right_name} ({right})");
            self.at(left_name, |v| v.report("x-compare", message));
        }
    }
}

/// Values `multipleOf` applies to: integers and exact decimals.
pub trait MultipleOf: Copy {
    /// Whether `self` is a whole multiple of `divisor` (which the schema keeps above 0).
    fn is_multiple_of(self, divisor: Self) -> bool;
}

impl MultipleOf for i64 {
    fn is_multiple_of(self, divisor: i64) -> bool {
        divisor != 0 && self % divisor == 0
    }
}

impl MultipleOf for Decimal {
    fn is_multiple_of(self, divisor: Decimal) -> bool {
        Decimal::is_multiple_of(self, divisor)
    }
}

/// The operators of `x-compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `==`
    Equal,
    /// `>=`
    GreaterOrEqual,
    /// `>`
    Greater,
}

impl Comparison {
    pub(crate) fn holds<T: PartialOrd>(self, left: &T, right: &T) -> bool {
        match self {
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Equal => left == right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Greater => left > right,
        }
    }

    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Equal => "==",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Greater => ">",
        }
    }

    /// The operator a schema writes (`<`, `<=`, `==`, `>=`, `>`).
    pub(crate) fn from_symbol(symbol: &str) -> Option<Comparison> {
        Some(match symbol {
            "<" => Comparison::Less,
            "<=" => Comparison::LessOrEqual,
            "==" => Comparison::Equal,
            ">=" => Comparison::GreaterOrEqual,
            ">" => Comparison::Greater,
            _ => return None,
        })
    }
}

/// Appends `/member` to a JSON pointer, escaping `~` and `/` as RFC 6901 says.
pub fn push_segment(pointer: &mut String, member: &str) {
    pointer.push('/');
    if !member.contains(['~', '/']) {
        pointer.push_str(member);
        return;
    }
    for c in member.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_follow_members_and_indexes() {
        let mut v = Validator::new();
        v.at("salesinfo", |v| {
            v.each(&[1, 2], |v, _| {
                v.at("price", |v| v.report("minimum", "bad"))
            })
        });
        v.at("a/b~c", |v| v.report("x", "escaped"));
        let pointers: Vec<_> = v.into_violations().into_iter().map(|v| v.pointer).collect();
        assert_eq!(
            pointers,
            ["/salesinfo/0/price", "/salesinfo/1/price", "/a~1b~0c"]
        );
    }

    #[test]
    fn byte_limits_count_utf8_bytes() {
        let mut v = Validator::new();
        v.max_bytes("汉字", 5);
        v.max_bytes("汉字", 6);
        assert_eq!(v.into_violations().len(), 1);
    }

    #[test]
    fn compare_reports_at_the_left_member() {
        let mut v = Validator::with_prefix("/price");
        v.compare(
            ("current_price", 11),
            Comparison::LessOrEqual,
            ("sku_price", 10),
        );
        let found = v.into_violations();
        assert_eq!(found[0].pointer, "/price/current_price");
        assert_eq!(found[0].rule, "x-compare");
    }
}
