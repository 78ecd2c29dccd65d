//! Instances to judge against a schema, both valid and invalid ones: values built from the schema to pass
//! it (best effort: the reference says which do), the same values with one mutation, and random JSON.
//!
//! Building a passing value walks the schema: a `$ref` is followed, `const`/`enum` give their values, an
//! `allOf` merges its parts' objects, an `anyOf`/`oneOf` takes one option, `type` and the keywords of that
//! type shape the value (lengths, patterns and formats from [`vocab`], bounds and multiples, required and
//! optional members, `patternProperties` and maps with names `propertyNames` takes, `prefixItems`,
//! `contains`, item counts). `not`, `if`/`then`/`else`, the `unevaluated*` keywords and `dependentSchemas`
//! are left to chance.

use serde_json::{json, Map, Number, Value};

use super::positions::SENTINEL;
use super::rng::Rng;
use super::vocab::{self, MEMBER_NAMES};

/// `count` distinct instances for `schema`: about half built to pass, a third mutated, the rest random.
pub fn instances(rng: &mut Rng, schema: &Value, count: usize) -> Vec<Value> {
    let mut sampler = Sampler { rng, root: schema };
    let mut out: Vec<Value> = Vec::new();
    let mut attempts = 0;
    while out.len() < count && attempts < count * 4 {
        attempts += 1;
        let value = match sampler.rng.below(10) {
            0..=4 => sampler.sample(schema, 0),
            5..=7 => {
                let base = sampler.sample(schema, 0);
                sampler.mutate(base)
            }
            _ => sampler.random(2),
        };
        if value != json!(SENTINEL) && !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

struct Sampler<'a, 'r> {
    rng: &'r mut Rng,
    root: &'a Value,
}

/// How deep references are followed before a value stops growing.
const MAX_DEPTH: usize = 6;

impl<'a> Sampler<'a, '_> {
    /// A value meant to pass `schema`.
    fn sample(&mut self, schema: &'a Value, depth: usize) -> Value {
        let Value::Object(node) = schema else {
            return self.random(1);
        };
        if depth > MAX_DEPTH {
            return self.shallow(node);
        }
        if let Some(Value::String(reference)) = node.get("$ref") {
            if let Some(target) = self.resolve(reference) {
                return self.sample(target, depth + 1);
            }
        }
        if let Some(value) = node.get("const") {
            return value.clone();
        }
        if let Some(Value::Array(values)) = node.get("enum") {
            if !values.is_empty() {
                return self.rng.pick(values).clone();
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(Value::Array(options)) = node.get(keyword) {
                if !options.is_empty() && self.rng.chance(85) {
                    let option = self.rng.pick(options);
                    let chosen = self.sample(option, depth + 1);
                    return self.with_own(node, chosen, depth);
                }
            }
        }
        if let Some(Value::Array(parts)) = node.get("allOf") {
            let mut merged = self.typed(node, depth);
            for part in parts {
                let more = self.sample(part, depth + 1);
                merged = merge(merged, more);
            }
            return merged;
        }
        if let (Some(then), true) = (node.get("then"), self.rng.chance(50)) {
            let base = self.typed(node, depth);
            let more = self.sample(then, depth + 1);
            return merge(base, more);
        }
        self.typed(node, depth)
    }

    /// The value of a `oneOf`/`anyOf` option, with the members the schema itself declares when both are
    /// objects.
    fn with_own(&mut self, node: &'a Map<String, Value>, chosen: Value, depth: usize) -> Value {
        if node.contains_key("properties") && chosen.is_object() {
            let own = self.typed(node, depth);
            merge(own, chosen)
        } else {
            chosen
        }
    }

    /// A value of one of the node's types (or of the type its keywords are about), shaped by its keywords.
    fn typed(&mut self, node: &'a Map<String, Value>, depth: usize) -> Value {
        let ty = self.type_of(node);
        match ty {
            "null" => Value::Null,
            "boolean" => json!(self.rng.chance(50)),
            "string" => self.string(node),
            "integer" => self.number(node, true),
            "number" => self.number(node, false),
            "array" => self.array(node, depth),
            "object" => self.object(node, depth),
            _ => self.random(1),
        }
    }

    fn type_of(&mut self, node: &Map<String, Value>) -> &'static str {
        const TYPES: [&str; 7] = [
            "null", "boolean", "string", "integer", "number", "array", "object",
        ];
        let named = |name: &str| TYPES.into_iter().find(|t| *t == name);
        match node.get("type") {
            Some(Value::String(name)) => return named(name).unwrap_or("any"),
            Some(Value::Array(names)) if !names.is_empty() => {
                let name = self.rng.pick(names).as_str().unwrap_or_default();
                return named(name).unwrap_or("any");
            }
            _ => {}
        }
        let about = |keywords: &[&str]| keywords.iter().any(|k| node.contains_key(*k));
        if about(&[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "propertyNames",
        ]) {
            "object"
        } else if about(&["items", "prefixItems", "contains"]) {
            "array"
        } else if about(&["minLength", "maxLength", "pattern", "format"]) && self.rng.chance(70) {
            "string"
        } else if about(&["minimum", "maximum", "multipleOf"]) && self.rng.chance(70) {
            "number"
        } else {
            "any"
        }
    }

    /// A value that stops the recursion: `null` or an empty container of the node's type.
    fn shallow(&mut self, node: &Map<String, Value>) -> Value {
        match self.type_of(node) {
            "object" => json!({}),
            "array" => json!([]),
            "string" => json!(""),
            "integer" | "number" => json!(0),
            "boolean" => json!(false),
            _ => Value::Null,
        }
    }

    fn string(&mut self, node: &Map<String, Value>) -> Value {
        if let Some(Value::String(format)) = node.get("format") {
            let (good, _) = vocab::format_examples(format);
            if !good.is_empty() && self.rng.chance(85) {
                return json!(self.rng.pick(good));
            }
        }
        if let Some(Value::String(pattern)) = node.get("pattern") {
            if pattern == "^[0-9]+$" {
                return json!(self.rng.between(0, 2000).to_string());
            }
            let (good, _) = vocab::pattern_examples(pattern);
            if !good.is_empty() && self.rng.chance(85) {
                return json!(self.rng.pick(good));
            }
        }
        let min = node.get("minLength").and_then(Value::as_u64).unwrap_or(0) as i64;
        let max = node
            .get("maxLength")
            .and_then(Value::as_u64)
            .map_or(min + 6, |m| m as i64);
        let length = self.rng.between(min, max.max(min));
        let alphabet = ['a', 'b', 'z', '0', '-', 'é', '汉', ' ', 'Q'];
        json!((0..length)
            .map(|_| *self.rng.pick(&alphabet))
            .collect::<String>())
    }

    /// A number within the bounds, on `multipleOf` when there is one; written as an integer or not.
    fn number(&mut self, node: &Map<String, Value>, integer: bool) -> Value {
        let bound = |k: &str| node.get(k).and_then(Value::as_f64);
        let low = bound("minimum")
            .or(bound("exclusiveMinimum").map(|b| b + 1.0))
            .unwrap_or(-50.0);
        let high = bound("maximum")
            .or(bound("exclusiveMaximum").map(|b| b - 1.0))
            .unwrap_or(low.max(0.0) + 100.0);
        let (low, high) = (
            low.ceil() as i64,
            (high.floor() as i64).max(low.ceil() as i64),
        );
        if let Some(multiple) = node.get("multipleOf").and_then(Value::as_f64) {
            return multiple_in(multiple, low, high, self.rng);
        }
        let whole = self.rng.between(low, high);
        if integer || self.rng.chance(50) {
            json!(whole)
        } else {
            decimal(whole * 100 + self.rng.between(0, 99), 2)
        }
    }

    fn array(&mut self, node: &'a Map<String, Value>, depth: usize) -> Value {
        let mut items: Vec<Value> = Vec::new();
        if let Some(Value::Array(prefix)) = node.get("prefixItems") {
            for schema in prefix {
                if self.rng.chance(85) {
                    items.push(self.sample(schema, depth + 1));
                }
            }
        }
        let min = node.get("minItems").and_then(Value::as_u64).unwrap_or(0) as i64;
        let max = node
            .get("maxItems")
            .and_then(Value::as_u64)
            .map_or(min + 3, |m| m as i64);
        let wanted = self.rng.between(min, max.max(min)) as usize;
        let rest = node.get("items").filter(|items| **items != json!(false));
        while items.len() < wanted {
            let item = match rest {
                Some(schema) => self.sample(schema, depth + 1),
                None if node.contains_key("items") => break,
                None => self.random(1),
            };
            items.push(item);
        }
        if let Some(contains) = node.get("contains") {
            let times = node.get("minContains").and_then(Value::as_u64).unwrap_or(1);
            for _ in 0..times {
                let item = self.sample(contains, depth + 1);
                let at = self.rng.below(items.len() + 1);
                items.insert(at, item);
            }
        }
        if node.get("uniqueItems") == Some(&json!(true)) {
            let mut unique: Vec<Value> = Vec::new();
            for item in items {
                if !unique.contains(&item) {
                    unique.push(item);
                }
            }
            items = unique;
        }
        Value::Array(items)
    }

    fn object(&mut self, node: &'a Map<String, Value>, depth: usize) -> Value {
        let mut members = Map::new();
        let properties = node.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = node
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, schema) in properties.into_iter().flatten() {
            if required.contains(&name.as_str()) || self.rng.chance(50) {
                members.insert(name.clone(), self.sample(schema, depth + 1));
            }
        }
        for name in required {
            if !members.contains_key(name) {
                let value = self.member_value(node, depth);
                members.insert(name.to_owned(), value);
            }
        }
        self.pattern_members(node, &mut members, depth);
        self.extra_members(node, &mut members, depth);
        self.dependencies(node, &mut members, depth);
        if let Some(max) = node.get("maxProperties").and_then(Value::as_u64) {
            while members.len() as u64 > max && self.rng.chance(80) {
                let last = members.keys().next_back().cloned().unwrap_or_default();
                members.remove(&last);
            }
        }
        Value::Object(members)
    }

    /// A value for a required member the properties do not declare: by the schema of the other members,
    /// else anything.
    fn member_value(&mut self, node: &'a Map<String, Value>, depth: usize) -> Value {
        match node.get("additionalProperties") {
            Some(schema @ Value::Object(_)) => self.sample(schema, depth + 1),
            _ => self.random(1),
        }
    }

    fn pattern_members(
        &mut self,
        node: &'a Map<String, Value>,
        members: &mut Map<String, Value>,
        depth: usize,
    ) {
        let Some(patterns) = node.get("patternProperties").and_then(Value::as_object) else {
            return;
        };
        for (pattern, schema) in patterns {
            let (good, _) = vocab::pattern_examples(pattern);
            if !good.is_empty() && self.rng.chance(60) {
                let name = *self.rng.pick(good);
                members.insert(name.to_owned(), self.sample(schema, depth + 1));
            }
        }
    }

    /// Members beyond the declared ones: by the map's value schema (names `propertyNames` takes, when it
    /// says), or anything where anything goes; `minProperties` is filled up.
    fn extra_members(
        &mut self,
        node: &'a Map<String, Value>,
        members: &mut Map<String, Value>,
        depth: usize,
    ) {
        let extra = node.get("additionalProperties");
        if extra == Some(&json!(false)) {
            return;
        }
        let min = node
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        let mut wanted = members.len() + self.rng.below(3);
        if extra.is_none() && node.contains_key("properties") && self.rng.chance(70) {
            wanted = members.len();
        }
        wanted = wanted.max(min);
        let mut tries = 0;
        while members.len() < wanted && tries < 10 {
            tries += 1;
            let name = self.member_name(node);
            let value = match extra {
                Some(schema @ Value::Object(_)) => self.sample(schema, depth + 1),
                _ => self.random(1),
            };
            members.entry(name).or_insert(value);
        }
    }

    /// A member name `propertyNames` accepts, when it says, else an odd one.
    fn member_name(&mut self, node: &Map<String, Value>) -> String {
        let names = node.get("propertyNames").and_then(Value::as_object);
        if let Some(names) = names.filter(|_| self.rng.chance(80)) {
            if let Some(Value::Array(values)) = names.get("enum") {
                return self.rng.pick(values).as_str().unwrap_or("a").to_owned();
            }
            if let Some(pattern) = names.get("pattern").and_then(Value::as_str) {
                let (good, _) = vocab::pattern_examples(pattern);
                let good: Vec<&str> = good.iter().copied().filter(|g| g.len() >= 2).collect();
                if !good.is_empty() {
                    return (*self.rng.pick(&good)).to_owned();
                }
                if pattern == "^[a-z_]+$" {
                    return (*self.rng.pick(&["ab", "c_d", "xyz"])).to_owned();
                }
            }
            if names.contains_key("format") {
                return "a@example.com".to_owned();
            }
            if names.contains_key("maxLength") {
                return (*self.rng.pick(&["a", "ab", "abc"])).to_owned();
            }
        }
        (*self.rng.pick(MEMBER_NAMES)).to_owned()
    }

    /// `dependentRequired` completed, or not.
    fn dependencies(
        &mut self,
        node: &'a Map<String, Value>,
        members: &mut Map<String, Value>,
        depth: usize,
    ) {
        let Some(dependent) = node.get("dependentRequired").and_then(Value::as_object) else {
            return;
        };
        if !self.rng.chance(75) {
            return;
        }
        let properties = node.get("properties").and_then(Value::as_object);
        for (trigger, needed) in dependent {
            if !members.contains_key(trigger) {
                continue;
            }
            for name in needed
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !members.contains_key(name) {
                    let value = match properties.and_then(|p| p.get(name)) {
                        Some(schema) => self.sample(schema, depth + 1),
                        None => self.random(0),
                    };
                    members.insert(name.to_owned(), value);
                }
            }
        }
    }

    /// The schema `reference` names in the root (`#`, `#/$defs/a/$defs/b`, percent-encoded), if any.
    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(&percent_decoded(pointer)?)
    }

    // --- mutations and noise ----------------------------------------------------------------------------

    /// `value` with one change at a random place: another type, a near miss, a member less or more, an item
    /// more or less.
    fn mutate(&mut self, value: Value) -> Value {
        let mut places = Vec::new();
        pointers(&value, String::new(), &mut places);
        let at = self.rng.pick(&places).clone();
        let mut value = value;
        let Some(target) = value.pointer_mut(&at) else {
            return value;
        };
        let replaced = self.near_miss(target.take());
        *target = replaced;
        value
    }

    fn near_miss(&mut self, value: Value) -> Value {
        if self.rng.chance(25) {
            return self.random(1);
        }
        match value {
            Value::String(s) => match self.rng.below(5) {
                0 => json!(format!("{s}x")),
                1 => json!(""),
                2 => json!(s.chars().skip(1).collect::<String>()),
                3 => json!(format!("{s}汉")),
                _ => json!(s.to_uppercase()),
            },
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(0.0);
                match self.rng.below(6) {
                    0 => number(f + 1.0),
                    1 => number(f - 1.0),
                    2 => number(f + 0.5),
                    3 => number(-f),
                    4 => self.rng.pick(&vocab::big_integers()).clone(),
                    _ => json!(n.to_string()),
                }
            }
            Value::Bool(b) => json!(!b),
            Value::Null => json!(0),
            Value::Array(mut items) => {
                match self.rng.below(3) {
                    0 if !items.is_empty() => {
                        let first = items[0].clone();
                        items.push(first);
                    }
                    1 => {
                        items.pop();
                    }
                    _ => items.push(self.random(0)),
                }
                Value::Array(items)
            }
            Value::Object(mut members) => {
                if !members.is_empty() && self.rng.chance(50) {
                    let name = self
                        .rng
                        .pick(&members.keys().cloned().collect::<Vec<_>>())
                        .clone();
                    members.remove(&name);
                } else {
                    let name = *self.rng.pick(&["extra", "x-foo", "12", "", "undeclared"]);
                    members.insert(name.into(), self.random(0));
                }
                Value::Object(members)
            }
        }
    }

    /// Any JSON value, containers at most `depth` deep.
    fn random(&mut self, depth: usize) -> Value {
        let kinds = if depth == 0 { 7 } else { 9 };
        match self.rng.below(kinds) {
            0 => Value::Null,
            1 => json!(self.rng.chance(50)),
            2 => json!(self.rng.between(-3, 12)),
            3 => self.rng.pick(&vocab::big_integers()).clone(),
            4 => self.rng.pick(&vocab::odd_numbers()).clone(),
            5 => {
                let strings = [
                    "",
                    "a",
                    "abc",
                    "x-foo",
                    "42",
                    "2024-02-29",
                    "ünï",
                    "a@example.com",
                    "red",
                ];
                json!(self.rng.pick(&strings))
            }
            6 => {
                let (_, good, bad) = *self.rng.pick(vocab::FORMATS);
                let pool = if self.rng.chance(50) { good } else { bad };
                json!(self.rng.pick(pool))
            }
            7 => {
                let count = self.rng.below(3);
                Value::Array((0..count).map(|_| self.random(depth - 1)).collect())
            }
            _ => {
                let mut members = Map::new();
                for _ in 0..self.rng.below(3) {
                    let name = *self.rng.pick(MEMBER_NAMES);
                    members.insert(name.into(), self.random(depth - 1));
                }
                Value::Object(members)
            }
        }
    }
}

/// `text` with its `%XX` escapes decoded; `None` when that is no UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `a` with the members of `b` when both are objects; else `b` when `a` is `null`, else `a`.
fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (name, value) in b {
                a.entry(name).or_insert(value);
            }
            Value::Object(a)
        }
        (Value::Null, b) => b,
        (a, _) => a,
    }
}

/// Every pointer into `value`, the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                let escaped = name.replace('~', "~0").replace('/', "~1");
                pointers(member, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// A multiple of `multiple` between `low` and `high` (near it when there is none), written exactly.
fn multiple_in(multiple: f64, low: i64, high: i64, rng: &mut Rng) -> Value {
    let (mantissa, scale) = exact(multiple);
    let unit = 10f64.powi(scale as i32);
    let first = ((low as f64) * unit / mantissa as f64).ceil() as i64;
    let last = ((high as f64) * unit / mantissa as f64).floor() as i64;
    let k = rng.between(
        first.max(-1000),
        last.min(first.max(-1000) + 1000).max(first),
    );
    decimal(k.saturating_mul(mantissa), scale)
}

/// `value` as `mantissa * 10^-scale`, from its shortest text (`1e-8` is `(1, 8)`, `0.25` is `(25, 2)`).
fn exact(value: f64) -> (i64, u32) {
    let text = format!("{value:e}");
    let (digits, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mantissa: i64 = format!("{whole}{fraction}").parse().unwrap_or(1);
    let scale = fraction.len() as i32 - exponent;
    if scale >= 0 {
        (mantissa, scale as u32)
    } else {
        (mantissa * 10i64.pow((-scale) as u32), 0)
    }
}

/// `units * 10^-scale` as a JSON number, from its decimal text (so `37 * 10^-2` is `0.37`, not a float's
/// neighbour).
fn decimal(units: i64, scale: u32) -> Value {
    if scale == 0 {
        return json!(units);
    }
    let sign = if units < 0 { "-" } else { "" };
    let digits = format!(
        "{:0>width$}",
        units.unsigned_abs(),
        width = scale as usize + 1
    );
    let (whole, fraction) = digits.split_at(digits.len() - scale as usize);
    let text = format!("{sign}{whole}.{fraction}");
    serde_json::from_str::<Number>(&text).map_or(json!(0), Value::Number)
}

/// `value` as a JSON number, whole values as integers.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiples_are_written_exactly() {
        assert_eq!(exact(1e-8), (1, 8));
        assert_eq!(exact(0.25), (25, 2));
        assert_eq!(exact(3.0), (3, 0));
        assert_eq!(exact(1.5), (15, 1));
        assert_eq!(decimal(37, 2), json!(0.37));
        assert_eq!(decimal(-5, 8), json!(-0.00000005));
        assert_eq!(decimal(12, 0), json!(12));
    }
}
