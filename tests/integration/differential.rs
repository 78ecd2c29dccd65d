//! Differential test: for a few hundred generated payloads per endpoint, our verdict on the standard JSON Schema
//! keywords agrees with the `jsonschema` crate run on the schema file itself (each schema's root `$ref`s its
//! request definition, so the file validates request bodies directly).
//!
//! Our verdict restricted to standard keywords: `check_body` reports no violation whose rule is standard, that
//! is, every violation it reports (if any) is an `x-` rule, which plain JSON Schema does not know.
//!
//! The payloads are "valid-ish": each body is generated clean, with exactly one mutation of a clean body, or at
//! one of three noise levels (a defect or two, a few, many), so both verdicts are common. Values stay within the
//! i64 range, strings are ASCII (standard
//! `minLength` counts characters, `x-maxBytes` bytes: ASCII keeps the two comparable), and JSON `null` is never
//! generated: our models read `null` for an optional member as absent, as the schema README documents, while
//! plain JSON Schema calls it a type error.
//!
//! The generators also produce the edge inputs on which the two once disagreed (see `Quirks`), and the minimal
//! cases stand as regression tests at the end.
//!
//! The cases are fixed (seeded) so CI is reproducible; explore other payloads with
//! `PROPTEST_RNG_SEED=<n> PROPTEST_CASES=<n> cargo test -p salesync --test integration differential::`.

use std::cell::Cell;
use std::ops::RangeInclusive;

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Strategy};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use salesync::runtime::DynOperation;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------------------
// The two verdicts

fn schema_validator(file: &str) -> jsonschema::Validator {
    let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::draft202012::options()
        // salesync validates `format` (an annotation by default in 2020-12): so must the reference.
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 256;
    }
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(20_260_301);
    }
    config.failure_persistence = None;
    config
}

/// Runs the comparison on every generated body; fails with the (shrunk) body both sides disagree on.
fn agree(operation: &dyn DynOperation, schema_file: &str, bodies: BoxedStrategy<Value>) {
    let validator = schema_validator(schema_file);
    let valid = Cell::new(0usize);
    let invalid = Cell::new(0usize);
    let mut runner = TestRunner::new(config());
    let result = runner.run(&bodies, |body| {
        let text = body.to_string();
        let standard: Vec<String> = operation
            .check_body(&text)
            .into_iter()
            .filter(|v| !v.rule.starts_with("x-"))
            .map(|v| v.to_string())
            .collect();
        let ours = standard.is_empty();
        let theirs = validator.is_valid(&body);
        if ours != theirs {
            let their_errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{}: {e}", e.instance_path))
                .collect();
            return Err(TestCaseError::fail(format!(
                "verdicts differ: ours {ours}, jsonschema {theirs}\n  body: {text}\n  ours: \
                 {standard:?}\n  jsonschema: {their_errors:?}"
            )));
        }
        let count = if ours { &valid } else { &invalid };
        count.set(count.get() + 1);
        Ok(())
    });
    if let Err(err) = result {
        panic!("{}: {err}", operation.meta().name());
    }
    // Not vacuous: both verdicts are common.
    let (valid, invalid) = (valid.get(), invalid.get());
    let total = valid + invalid;
    eprintln!(
        "{}: {valid} valid, {invalid} invalid",
        operation.meta().name()
    );
    assert!(
        valid * 10 >= total && invalid * 10 >= total,
        "too one-sided: {valid} valid, {invalid} invalid"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks

/// How a body is generated: how broken it may be, and which kinds of value it may hold.
#[derive(Clone, Copy, Debug)]
struct Noise {
    /// The weight of a bad choice against 100 for a good one (0: never).
    bad: u32,
    /// Which edge inputs (that once disagreed) may be generated.
    quirks: Quirks,
}

/// Edge inputs on which our verdict and jsonschema's once disagreed (fixed; the regression tests are at the
/// end), generated where jsonschema itself gets them right.
#[derive(Clone, Copy, Debug, Default)]
struct Quirks {
    /// `type: integer` members written as whole numbers with a fraction (`4.0`), which JSON Schema counts
    /// as integers.
    whole_floats: bool,
    /// `"-0"` for a lenient integer, which its `pattern` `^[0-9]+$` rejects.
    negative_zero: bool,
}

impl Noise {
    fn new(bad: u32, quirks: Quirks) -> Self {
        Noise { bad, quirks }
    }

    /// `good` mostly, `bad` sometimes (never at noise 0).
    fn pick(self, good: BoxedStrategy<Value>, bad: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
        if self.bad == 0 {
            good
        } else {
            prop_oneof![100 => good, self.bad => bad].boxed()
        }
    }

    /// A required member: present, or (sometimes) missing.
    fn required(self, name: &'static str, value: BoxedStrategy<Value>) -> BoxedStrategy<Member> {
        let value = if self.bad == 0 {
            value.prop_map(Some).boxed()
        } else {
            prop_oneof![200 => value.prop_map(Some), self.bad => Just(None)].boxed()
        };
        value.prop_map(move |value| (name, value)).boxed()
    }

    /// An unknown member added to an object, sometimes.
    fn unknown_member(self) -> BoxedStrategy<Option<(String, Value)>> {
        let unknown = prop_oneof![
            Just(("unexpected".to_owned(), json!(1))),
            Just(("Seller_Id".to_owned(), json!("x"))),
        ];
        if self.bad == 0 {
            Just(None).boxed()
        } else {
            proptest::option::weighted(f64::from(self.bad) / 400.0, unknown).boxed()
        }
    }

    /// A bad integer: one of `others`, or (when this generator may use them, as often as all `others`
    /// together) a whole number written with a fraction, `4.0`, which JSON Schema counts as an integer.
    fn bad_integer(self, others: Vec<BoxedStrategy<Value>>) -> BoxedStrategy<Value> {
        let weight = others.len() as u32;
        let mut options: Vec<(u32, BoxedStrategy<Value>)> =
            others.into_iter().map(|other| (1, other)).collect();
        if self.quirks.whole_floats {
            let float = (0i64..=1_000_000).prop_map(|n| json!(n as f64)).boxed();
            options.push((weight, float));
        }
        proptest::strategy::Union::new_weighted(options).boxed()
    }

    /// Whether a generated object gets its conditionally required members completed: always when clean,
    /// otherwise half the time (decided by `coin`, any number taken from the generated value).
    fn completes(self, coin: usize) -> bool {
        self.bad == 0 || coin.is_multiple_of(2)
    }

    /// Bodies at four noise levels: clean, one or two defects, a few, many.
    fn levels(quirks: Quirks) -> [Self; 4] {
        [0, 2, 8, 30].map(|bad| Noise::new(bad, quirks))
    }
}

/// Every body kind for an endpoint: its `request` generator at each noise level, and clean bodies with exactly
/// one mutation (so that a single defect is never hidden behind another).
fn bodies(request: fn(Noise) -> BoxedStrategy<Value>, quirks: Quirks) -> BoxedStrategy<Value> {
    let [clean, few, some, many] = Noise::levels(quirks).map(request);
    let mutated = (clean.clone(), any::<proptest::sample::Index>(), 0u8..6).prop_map(
        move |(mut body, index, kind)| {
            let mut leaves = Vec::new();
            leaf_pointers(&body, String::new(), &mut leaves);
            let pointer = index.get(&leaves).clone();
            mutate(&mut body, &pointer, kind, quirks);
            body
        },
    );
    prop_oneof![
        2 => clean,
        3 => mutated,
        2 => few,
        1 => some,
        1 => many,
    ]
    .boxed()
}

/// JSON pointers of every scalar in `value` (member names here never need escaping).
fn leaf_pointers(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                leaf_pointers(member, format!("{pointer}/{name}"), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                leaf_pointers(item, format!("{pointer}/{index}"), out);
            }
        }
        _ => out.push(pointer),
    }
}

/// One defect (or not: the verdicts decide) at the scalar `pointer`.
fn mutate(body: &mut Value, pointer: &str, kind: u8, quirks: Quirks) {
    let (parent, member) = pointer.rsplit_once('/').unwrap();
    let leaf = body.pointer_mut(pointer).unwrap();
    let replacement = match (kind, &*leaf) {
        // 4 -> 4.0: an integer all the same, to JSON Schema.
        (0, Value::Number(n)) if quirks.whole_floats && n.as_i64().is_some() => {
            Some(json!(n.as_i64().unwrap() as f64))
        }
        // Another type.
        (0 | 1, Value::Number(n)) => Some(Value::String(n.to_string())),
        (0 | 1, Value::String(_)) => Some(json!(7)),
        (0 | 1, Value::Bool(b)) => Some(Value::String(b.to_string())),
        // Out of range: negative numbers, empty strings.
        (2, Value::Number(n)) => Some(match n.as_i64() {
            Some(i) => json!(-1 - i.max(0)),
            None => json!(-n.as_f64().unwrap() - 0.5),
        }),
        (2, Value::String(_)) => Some(json!("")),
        // Zero and the smallest digit string (or its negative twin).
        (3, Value::Number(_)) => Some(json!(0)),
        (3, Value::String(_)) if quirks.negative_zero => Some(json!("-0")),
        (3, Value::String(_)) => Some(json!("0")),
        _ => None,
    };
    if let Some(replacement) = replacement {
        *leaf = replacement;
        return;
    }
    let parent = body.pointer_mut(parent).unwrap();
    if let Value::Object(members) = parent {
        if kind == 4 {
            // A missing member.
            members.remove(member);
        } else {
            // An unknown member.
            members.insert(format!("{member}_x"), json!(1));
        }
    }
}

type Member = (&'static str, Option<Value>);

/// An optional member: present about half the time.
fn optional(name: &'static str, value: BoxedStrategy<Value>) -> BoxedStrategy<Member> {
    proptest::option::of(value)
        .prop_map(move |value| (name, value))
        .boxed()
}

/// A JSON object of the members present, in the order given.
fn object(noise: Noise, members: Vec<BoxedStrategy<Member>>) -> BoxedStrategy<Value> {
    (members, noise.unknown_member())
        .prop_map(|(members, unknown)| {
            let mut map = Map::new();
            for (name, value) in members {
                if let Some(value) = value {
                    map.insert(name.to_owned(), value);
                }
            }
            if let Some((name, value)) = unknown {
                map.insert(name, value);
            }
            Value::Object(map)
        })
        .boxed()
}

/// A value of a JSON type other than the ones named (never null).
fn wrong_type(not: &'static [&'static str]) -> BoxedStrategy<Value> {
    let all: Vec<(&str, Value)> = vec![
        ("string", json!("8")),
        ("integer", json!(7)),
        ("number", json!(1.5)),
        ("boolean", json!(true)),
        ("array", json!([1])),
        ("object", json!({"a": 1})),
    ];
    let others: Vec<Value> = all
        .into_iter()
        // An integer is a number too: excluding "number" excludes integers.
        .filter(|(kind, _)| !not.contains(kind) && (*kind != "integer" || !not.contains(&"number")))
        .map(|(_, value)| value)
        .collect();
    proptest::sample::select(others).boxed()
}

/// Printable ASCII (and the odd newline or tab), `len` characters.
fn ascii(len: RangeInclusive<usize>) -> BoxedStrategy<Value> {
    let char = prop_oneof![30 => 0x20u8..=0x7e, 1 => Just(b'\n'), 1 => Just(b'\t')];
    proptest::collection::vec(char, len)
        .prop_map(|bytes| Value::String(String::from_utf8(bytes).unwrap()))
        .boxed()
}

/// A string member with a `min` length (0 or 1) and a byte limit `max` (x-maxBytes, or a size hint).
fn string(noise: Noise, min: usize, max: usize) -> BoxedStrategy<Value> {
    let good = prop_oneof![
        4 => ascii(min..=min + 12),
        1 => ascii(max.saturating_sub(2).max(min)..=max + 2),
    ]
    .boxed();
    let bad = if min > 0 {
        prop_oneof![ascii(0..=0), wrong_type(&["string"])].boxed()
    } else {
        wrong_type(&["string"])
    };
    noise.pick(good, bad)
}

/// A string of `digits` ASCII digits.
fn digits(len: RangeInclusive<usize>) -> BoxedStrategy<String> {
    proptest::collection::vec(b'0'..=b'9', len)
        .prop_map(|bytes| String::from_utf8(bytes).unwrap())
        .boxed()
}

/// An `integer` with `minimum`: in range mostly, below it or of another type sometimes.
fn integer(noise: Noise, minimum: i64) -> BoxedStrategy<Value> {
    let good = prop_oneof![
        4 => (minimum..=minimum + 1_000).prop_map(Value::from),
        2 => (minimum..=i64::MAX).prop_map(Value::from),
    ]
    .boxed();
    let bad = noise.bad_integer(vec![
        Just(Value::from(minimum - 1)).boxed(),
        (i64::MIN..minimum).prop_map(Value::from).boxed(),
        wrong_type(&["integer"]),
    ]);
    noise.pick(good, bad)
}

/// An `integer` with no bounds (e.g. `kol_id` items).
fn any_integer(noise: Noise) -> BoxedStrategy<Value> {
    let bad = noise.bad_integer(vec![wrong_type(&["integer"])]);
    noise.pick(any::<i64>().prop_map(Value::from).boxed(), bad)
}

/// An integer enum: a known code mostly, an unknown one or another type sometimes.
fn code(noise: Noise, known: &'static [i64]) -> BoxedStrategy<Value> {
    let good = proptest::sample::select(known)
        .prop_map(Value::from)
        .boxed();
    let bad = noise.bad_integer(vec![
        (-3i64..=7).prop_map(Value::from).boxed(),
        any::<i64>().prop_map(Value::from).boxed(),
        wrong_type(&["integer"]),
    ]);
    noise.pick(good, bad)
}

fn boolean(noise: Noise) -> BoxedStrategy<Value> {
    noise.pick(
        any::<bool>().prop_map(Value::from).boxed(),
        wrong_type(&["boolean"]),
    )
}

/// A decimal number written with `places` digits after the point (trailing zeros kept), non-negative.
fn decimal(places: RangeInclusive<u32>) -> BoxedStrategy<Value> {
    (0u64..=10_000_000_000, places)
        .prop_map(|(mantissa, places)| {
            let text = if places == 0 {
                mantissa.to_string()
            } else {
                let scale = 10u64.pow(places);
                let fraction = mantissa % scale;
                format!(
                    "{}.{fraction:0width$}",
                    mantissa / scale,
                    width = places as usize
                )
            };
            serde_json::from_str(&text).unwrap()
        })
        .boxed()
}

/// A `number` with `minimum: 0` (money in yuan, a commission rate); `x-decimalPlaces` is `x-`, so any
/// number of places up to 4 is generated.
fn money(noise: Noise) -> BoxedStrategy<Value> {
    let good = prop_oneof![
        3 => decimal(0..=2),
        1 => decimal(3..=4),
        1 => (0u64..=20).prop_map(Value::from),
    ]
    .boxed();
    let bad = prop_oneof![
        decimal(0..=3).prop_map(|v| match v {
            Value::Number(n) if n.as_f64() != Some(0.0) => json!(-n.as_f64().unwrap()),
            _ => json!(-1),
        }),
        wrong_type(&["number"]),
    ]
    .boxed();
    noise.pick(good, bad)
}

/// An array of `item`s: usually short, sometimes around `limit` (just under or at it, or when noisy just over),
/// sometimes (when noisy) below `min` or not an array.
fn array(
    noise: Noise,
    item: BoxedStrategy<Value>,
    min: usize,
    limit: Option<usize>,
) -> BoxedStrategy<Value> {
    let short = proptest::collection::vec(item.clone(), min.max(1)..=3)
        .prop_map(Value::Array)
        .boxed();
    // Long arrays repeat one generated item, to keep generation and validation cheap.
    let repeated = |len: RangeInclusive<usize>| {
        (item.clone(), len)
            .prop_map(|(item, n)| Value::Array(vec![item; n]))
            .boxed()
    };
    let good = match limit {
        Some(limit) => prop_oneof![6 => short, 1 => repeated(limit - 1..=limit)].boxed(),
        None if min == 0 => prop_oneof![6 => short, 1 => Just(json!([]))].boxed(),
        None => short,
    };
    let mut bad: Vec<BoxedStrategy<Value>> = vec![wrong_type(&["array"])];
    if min > 0 {
        bad.push(Just(json!([])).boxed());
    }
    if let Some(limit) = limit {
        bad.push(repeated(limit + 1..=limit + 1));
    }
    noise.pick(good, proptest::strategy::Union::new(bad).boxed())
}

/// An object member's value: the object, or (sometimes) a value of another type.
fn or_not_object(noise: Noise, object: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    noise.pick(object, wrong_type(&["object"]))
}

// ---------------------------------------------------------------------------------------------------------
// Tencent salesinfo/add

mod tencent {
    use super::*;

    /// A millisecond timestamp string (`^([0-9]{1,16})?$`): digits of any length up to 18, or other text.
    fn millis(noise: Noise) -> BoxedStrategy<Value> {
        let good = prop_oneof![
            6 => digits(13..=13),
            2 => digits(0..=16),
            1 => digits(15..=18),
        ]
        .prop_map(Value::String)
        .boxed();
        let bad = prop_oneof![ascii(1..=6), wrong_type(&["string"])].boxed();
        noise.pick(good, bad)
    }

    fn price(noise: Noise) -> BoxedStrategy<Value> {
        let promotion = object(
            noise,
            vec![
                optional("external_promotion_id", string(noise, 0, 20)),
                optional("promotion_price", money(noise)),
            ],
        )
        .prop_map(move |mut promotion| {
            // The id and the price come together (dependentRequired), usually.
            let members = promotion.as_object_mut().unwrap();
            let id = members.contains_key("external_promotion_id");
            let price = members.contains_key("promotion_price");
            if id != price && noise.completes(members.len()) {
                members.remove("external_promotion_id");
                members.remove("promotion_price");
            }
            promotion
        })
        .boxed();
        let normal = object(
            noise,
            vec![
                optional("sku_id", string(noise, 1, 128)),
                optional("normal_product_price", money(noise)),
            ],
        );
        object(
            noise,
            vec![
                optional("daily_price", money(noise)),
                noise.required("current_price", money(noise)),
                noise.required("sku_price", money(noise)),
                optional("after_coupon_price", money(noise)),
                optional("currency_translation", boolean(noise)),
                optional("sku_promotions", array(noise, promotion, 0, Some(50))),
                optional("normal_product_info", array(noise, normal, 0, None)),
            ],
        )
    }

    fn stock(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                optional("available_status", code(noise, &[1, 2])),
                noise.required("sku_stock_status", code(noise, &[1, 2])),
                optional("stock_total", integer(noise, 0)),
                optional("sales_num", integer(noise, 0)),
            ],
        )
    }

    fn delivery(noise: Noise) -> BoxedStrategy<Value> {
        let location = object(
            noise,
            vec![
                optional("country_code", string(noise, 1, 64)),
                optional("country_name", string(noise, 1, 64)),
                optional("province_code", integer(noise, 0)),
                optional("province_name", string(noise, 1, 64)),
                optional("city_code", integer(noise, 0)),
                optional("city_name", string(noise, 1, 64)),
                optional("district_code", integer(noise, 0)),
                optional("district_name", string(noise, 1, 64)),
            ],
        );
        object(
            noise,
            vec![
                optional("freight_amount", money(noise)),
                optional("location", array(noise, location, 0, None)),
            ],
        )
    }

    fn target_url_props(noise: Noise) -> BoxedStrategy<Value> {
        // Mini-program members often come in their documented groups, sometimes not.
        object(
            noise,
            vec![
                optional("url_miniprogram", string(noise, 1, 100)),
                optional("miniprogram_appid", string(noise, 1, 100)),
                optional("miniprogram_username", string(noise, 1, 100)),
                optional("url_miniprogram_qq", string(noise, 1, 100)),
                optional("miniprogram_appid_qq", string(noise, 1, 100)),
                optional("url_h5", string(noise, 1, 100)),
                optional("url_h5_2", string(noise, 1, 1000)),
                optional("url_h5_3", string(noise, 1, 1000)),
            ],
        )
        .prop_map(move |mut props| {
            // Usually, complete the groups so that dependentRequired holds.
            if noise.completes(props.as_object().map_or(0, |m| m.len())) {
                let members = props.as_object_mut().unwrap();
                let wechat = [
                    "url_miniprogram",
                    "miniprogram_appid",
                    "miniprogram_username",
                ];
                if wechat.iter().any(|m| members.contains_key(*m)) {
                    for m in &wechat[..2] {
                        members.entry(*m).or_insert_with(|| json!("wx"));
                    }
                }
                let qq = ["url_miniprogram_qq", "miniprogram_appid_qq"];
                if qq.iter().any(|m| members.contains_key(*m)) {
                    for m in qq {
                        members.entry(m).or_insert_with(|| json!("qq"));
                    }
                }
            }
            props
        })
        .boxed()
    }

    fn coupon(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                optional("coupon_id", string(noise, 1, 100)),
                optional("coupon_type", code(noise, &[1, 2, 3])),
                optional("amount_coupon", money(noise)),
                optional("url_list", string(noise, 0, 30)),
                optional("amount_minimum", money(noise)),
                optional("show_start_time", millis(noise)),
                optional("show_end_time", millis(noise)),
                optional("start_time", millis(noise)),
                optional("end_time", millis(noise)),
                optional("available_num_per_person", integer(noise, 0)),
                optional("total_num", integer(noise, 0)),
                optional("store_num", integer(noise, 0)),
                optional("status", code(noise, &[0, 1])),
            ],
        )
    }

    fn tag_info(noise: Noise) -> BoxedStrategy<Value> {
        let tag = object(
            noise,
            vec![
                optional("tag_name", string(noise, 0, 2048)),
                optional("tag_value", array(noise, string(noise, 0, 2048), 0, None)),
            ],
        );
        object(
            noise,
            vec![optional("custom_tag", array(noise, tag, 0, Some(50)))],
        )
    }

    fn third_promotion_info(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                noise.required("commission_rate", money(noise)),
                noise.required("promote_status", code(noise, &[0, 1])),
                optional("commission_amount", money(noise)),
                optional("commission_amount_after_coupon", money(noise)),
                optional("start_time", millis(noise)),
                optional("end_time", millis(noise)),
            ],
        )
    }

    fn exclusive_info(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                optional("exclusive_status", code(noise, &[0, 1])),
                optional("kol_id", array(noise, any_integer(noise), 0, None)),
            ],
        )
    }

    fn sales_info(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                noise.required("external_store_id", string(noise, 1, 32)),
                optional("seller_id", string(noise, 0, 128)),
                noise.required("external_sku_id", string(noise, 1, 128)),
                optional("product_type", code(noise, &[1, 2, 3, 4])),
                noise.required("price", or_not_object(noise, price(noise))),
                noise.required("stock", or_not_object(noise, stock(noise))),
                optional("delivery_info", array(noise, delivery(noise), 0, None)),
                optional(
                    "target_url_props",
                    or_not_object(noise, target_url_props(noise)),
                ),
                optional("coupon_info", array(noise, coupon(noise), 0, None)),
                optional("tag_info", or_not_object(noise, tag_info(noise))),
                optional(
                    "third_promotion_info",
                    or_not_object(noise, third_promotion_info(noise)),
                ),
                optional(
                    "exclusive_info",
                    or_not_object(noise, exclusive_info(noise)),
                ),
                optional("is_deleted", code(noise, &[0, 1])),
            ],
        )
        .prop_map(move |mut item| {
            // Samples (product_type 3) usually carry their stock_total, so the if/then goes both ways.
            if item.get("product_type") == Some(&json!(3)) {
                if let Some(stock) = item.get_mut("stock").and_then(Value::as_object_mut) {
                    if noise.completes(stock.len()) {
                        stock.entry("stock_total").or_insert(json!(12));
                    }
                }
            }
            item
        })
        .boxed()
    }

    fn request(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                noise.required("account_id", integer(noise, 1)),
                noise.required("user_action_set_id", integer(noise, 1)),
                noise.required("data_set_id", integer(noise, 1)),
                noise.required("salesinfo", array(noise, sales_info(noise), 1, Some(50))),
            ],
        )
    }

    /// Including integers written `4.0`.
    pub fn bodies() -> BoxedStrategy<Value> {
        let quirks = Quirks {
            whole_floats: true,
            negative_zero: false,
        };
        super::bodies(request, quirks)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Shopline batch_sync_flow_data

mod shopline {
    use super::*;

    /// `["integer", "string"]` with `minimum: 0` and `pattern: ^[0-9]+$`: a JSON integer or a string of digits.
    fn count(noise: Noise) -> BoxedStrategy<Value> {
        let good = prop_oneof![
            4 => (0i64..=10_000).prop_map(Value::from),
            2 => (0i64..=i64::MAX).prop_map(Value::from),
            4 => (0i64..=i64::MAX).prop_map(|n| Value::String(n.to_string())),
            1 => digits(1..=18).prop_map(Value::String),
            // No `4.0`: see `bodies`.
        ]
        .boxed();
        let mut texts = vec!["", "abc", "+4", " 4", "4 ", "1e3", "0x10", "4\n"];
        if noise.quirks.negative_zero {
            texts.extend(["-0", "-00"]);
        }
        let bad = prop_oneof![
            (i64::MIN..0).prop_map(Value::from),
            (-5i64..=5).prop_map(|n| Value::String(n.to_string())),
            (-5i64..=5).prop_map(|n| Value::String(format!("{n}.5"))),
            proptest::sample::select(texts).prop_map(Value::from),
            Just(json!(4.5)),
            wrong_type(&["integer", "string"]),
        ]
        .boxed();
        noise.pick(good, bad)
    }

    /// A percent rate string, `^(0|[1-9][0-9]*)(\.[0-9]+)?$`.
    fn rate(noise: Noise) -> BoxedStrategy<Value> {
        let good = prop_oneof![
            (0u32..=300).prop_map(|n| n.to_string()),
            (0u32..=100, digits(1..=3)).prop_map(|(n, f)| format!("{n}.{f}")),
        ]
        .prop_map(Value::String)
        .boxed();
        let bad = prop_oneof![
            proptest::sample::select(vec![
                "", "-1", "05", ".5", "5.", "1e3", "50%", " 1", "1,5", "+1", "0.5.1", "1\n",
            ])
            .prop_map(Value::from),
            ascii(1..=4),
            wrong_type(&["string"]),
        ]
        .boxed();
        noise.pick(good, bad)
    }

    fn node(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                noise.required("node_id", string(noise, 1, 36)),
                optional("parent_node_id", string(noise, 0, 36)),
                noise.required("occurred_on", count(noise)),
                noise.required("has_send_num", count(noise)),
                noise.required("has_delivery_num", count(noise)),
                noise.required("buyer_num", count(noise)),
                noise.required("order_num", count(noise)),
                noise.required("order_amount", count(noise)),
                optional("open_rate", rate(noise)),
                optional("click_rate", rate(noise)),
                optional("bounce_rate", rate(noise)),
                optional("fail_rate", rate(noise)),
                optional("unsubscribe_rate", rate(noise)),
                optional("preview_image_url", string(noise, 0, 60)),
            ],
        )
    }

    fn flow(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                noise.required("flow_id", string(noise, 1, 19)),
                noise.required("occurred_on", count(noise)),
                noise.required("order_amount", count(noise)),
                noise.required("order_num", count(noise)),
                noise.required("send_count", count(noise)),
                noise.required("trigger_num", count(noise)),
                optional("flow_node_data_list", array(noise, node(noise), 0, None)),
                optional(
                    "delete_flow_node_data_list",
                    array(noise, node(noise), 0, None),
                ),
            ],
        )
    }

    fn request(noise: Noise) -> BoxedStrategy<Value> {
        object(
            noise,
            vec![
                noise.required("app_key", string(noise, 1, 40)),
                noise.required("store_id", string(noise, 1, 13)),
                noise.required("source_type", string(noise, 1, 13)),
                noise.required("flow_data_list", array(noise, flow(noise), 1, Some(100))),
            ],
        )
    }

    /// Including `"-0"` for lenient integers. Never integers written `4.0`, although our models
    /// accept them as JSON Schema says (rules_shopline tests it): jsonschema 0.33 rejects a whole float under a
    /// multi-type `"type": ["integer", "string"]` (JsonTypeSet::contains_value_type only counts i64/u64
    /// numbers as integers, src/types.rs:128), while its single `"type": "integer"` accepts it.
    pub fn bodies() -> BoxedStrategy<Value> {
        let quirks = Quirks {
            whole_floats: false,
            negative_zero: true,
        };
        super::bodies(request, quirks)
    }
}

#[test]
fn the_schema_files_accept_the_document_examples() {
    for (schema, fixture) in [
        (
            "schemas/tencent/salesinfo_add.json",
            "tencent/doc_example.json",
        ),
        (
            "schemas/shopline/batch_sync_flow_data.json",
            "shopline/doc_example_explorer.json",
        ),
        (
            "schemas/shopline/batch_sync_flow_data.json",
            "shopline/doc_example_strings.json",
        ),
    ] {
        let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
        let body: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = schema_validator(schema);
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:?}");
        // And the oracle does reject something.
        assert!(!validator.is_valid(&json!({})), "{schema} accepts {{}}");
    }
}

#[test]
fn tencent_salesinfo_add_agrees_with_jsonschema() {
    agree(
        &salesync::tencent::salesinfo_add::SalesinfoAdd,
        "schemas/tencent/salesinfo_add.json",
        tencent::bodies(),
    );
}

/// The minimal disagreement the test above shrinks to, and its siblings.
#[test]
fn tencent_whole_numbers_written_with_a_fraction_are_integers() {
    let validator = schema_validator("schemas/tencent/salesinfo_add.json");
    let item = json!({
        "external_sku_id": " ",
        "external_store_id": " ",
        "price": {"current_price": 0, "sku_price": 0},
        "stock": {"sku_stock_status": 1}
    });
    let minimal = json!({
        "account_id": 1.0,
        "user_action_set_id": 1,
        "data_set_id": 1,
        "salesinfo": [item]
    });
    let mut bodies = vec![minimal.clone()];
    for (pointer, value) in [
        ("/salesinfo/0/stock/sku_stock_status", json!(1.0)),
        ("/salesinfo/0/stock/stock_total", json!(3.0)),
        ("/salesinfo/0/product_type", json!(1.0)),
        (
            "/salesinfo/0/exclusive_info",
            json!({"kol_id": [54321836.0]}),
        ),
    ] {
        let mut body = minimal.clone();
        body["account_id"] = json!(1);
        let (parent, member) = pointer.rsplit_once('/').unwrap();
        body.pointer_mut(parent).unwrap()[member] = value;
        bodies.push(body);
    }
    for body in bodies {
        assert!(validator.is_valid(&body), "jsonschema rejects {body}");
        let found = salesync::tencent::salesinfo_add::SalesinfoAdd.check_body(&body.to_string());
        assert_eq!(found, vec![], "{body}");
    }
}

#[test]
fn shopline_batch_sync_flow_data_agrees_with_jsonschema() {
    agree(
        &salesync::shopline::batch_sync_flow_data::BatchSyncFlowData,
        "schemas/shopline/batch_sync_flow_data.json",
        shopline::bodies(),
    );
}

/// The minimal disagreement the test above finds.
#[test]
fn shopline_negative_zero_strings_break_the_pattern() {
    let validator = schema_validator("schemas/shopline/batch_sync_flow_data.json");
    let path = format!(
        "{}/tests/fixtures/shopline/doc_example_strings.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let example: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for text in ["-0", "-00"] {
        let mut body = example.clone();
        body["flow_data_list"][0]["trigger_num"] = json!(text);
        assert!(!validator.is_valid(&body), "jsonschema accepts {text}");
        let found: Vec<(String, &str)> =
            salesync::shopline::batch_sync_flow_data::BatchSyncFlowData
                .check_body(&body.to_string())
                .into_iter()
                .map(|v| (v.pointer, v.rule))
                .collect();
        assert_eq!(
            found,
            [("/flow_data_list/0/trigger_num".to_owned(), "pattern")],
            "{text}"
        );
    }
}
