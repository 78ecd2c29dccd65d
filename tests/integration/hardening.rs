//! Hardening: whatever a user feeds the request parsers and validators, they answer with violations that carry
//! a JSON pointer, never a panic, a stack overflow or an abort.
//!
//! - proptest over arbitrary bytes, JSON-looking text, arbitrary JSON values and mutations of a valid body of
//!   each endpoint, through every entry point: `runtime::parse::from_str`, `DynOperation::check_body`,
//!   `runtime::check::check_item` and `Validate::validate`;
//! - deeply nested input (10,000-deep arrays and objects) and huge input (a 100 MB body, a 16 MB string in a
//!   member) get a clear error;
//! - findings of the above, as regression tests (the open ones `#[ignore]`d with the bug described).
//!
//! The cases are seeded, so CI is reproducible; explore others with
//! `PROPTEST_RNG_SEED=<n> PROPTEST_CASES=<n> cargo test -p salesync --test integration hardening::`.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use salesync::runtime::{check, parse, DynOperation, Violation};
use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowData, BatchSyncFlowDataRequest};
use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest, Yuan};
use salesync::{Decimal, Validate};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------------------
// What every answer must look like

/// An RFC 6901 pointer: empty, or `/`-separated tokens in which `~` only starts `~0` or `~1`.
fn is_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    let mut chars = pointer.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

/// The pointer of the member or item that holds `pointer`'s target.
fn parent(pointer: &str) -> &str {
    pointer.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// A violation is well formed: a pointer, a rule and a message. When the input is JSON, the pointer names a
/// value of it, or a missing member of an object of it.
fn well_formed(found: &Violation, input: Option<&Value>) -> Result<(), TestCaseError> {
    let text = format!("{found:?}");
    prop_assert!(is_pointer(&found.pointer), "not a JSON pointer: {text}");
    prop_assert!(!found.rule.is_empty(), "no rule: {text}");
    prop_assert!(!found.message.is_empty(), "no message: {text}");
    if let Some(input) = input {
        let resolves = input.pointer(&found.pointer).is_some()
            || input
                .pointer(parent(&found.pointer))
                .is_some_and(Value::is_object);
        prop_assert!(resolves, "the pointer names nothing in the input: {text}");
    }
    Ok(())
}

fn all_well_formed(found: &[Violation], input: Option<&Value>) -> Result<(), TestCaseError> {
    found.iter().try_for_each(|v| well_formed(v, input))
}

/// Runs every parser and validator on `text`, checking every answer; also that a body `check_body` finds
/// clean parses, validates, and is still clean once serialized again (what the clients send).
fn exercise(text: &str) -> Result<(), TestCaseError> {
    let value: Option<Value> = serde_json::from_str(text).ok();
    let input = value.as_ref();

    fn typed<T>(
        text: &str,
        input: Option<&Value>,
        op: &dyn DynOperation,
    ) -> Result<(), TestCaseError>
    where
        T: serde::de::DeserializeOwned + serde::Serialize + Validate,
    {
        let parsed = parse::from_str::<T>(text);
        let checked = op.check_body(text);
        all_well_formed(&checked, input)?;
        match parsed {
            Err(violation) => {
                well_formed(&violation, input)?;
                prop_assert!(
                    !checked.is_empty(),
                    "parse::from_str refused what check_body accepts: {violation}"
                );
            }
            Ok(request) => {
                let validated = request.validate().err().map(|v| v.0).unwrap_or_default();
                all_well_formed(&validated, input)?;
                prop_assert_eq!(
                    validated.is_empty(),
                    checked.is_empty(),
                    "validate and check_body disagree: {:?} vs {:?}",
                    validated,
                    checked
                );
                if checked.is_empty() {
                    let sent = serde_json::to_string(&request).unwrap();
                    let again = op.check_body(&sent);
                    prop_assert!(
                        again.is_empty(),
                        "a clean body is not clean once serialized: {sent}: {again:?}"
                    );
                }
            }
        }
        Ok(())
    }

    typed::<SalesinfoAddRequest>(text, input, &SalesinfoAdd)?;
    typed::<BatchSyncFlowDataRequest>(text, input, &BatchSyncFlowData)?;
    if let Some(value) = input {
        // Each value as one row of an export (what `salesync push` does per line), and each batch item in place.
        items::<SalesinfoAdd>(value, "salesinfo")?;
        items::<BatchSyncFlowData>(value, "flow_data_list")?;
    }
    Ok(())
}

fn items<O: salesync::runtime::Batched>(value: &Value, member: &str) -> Result<(), TestCaseError> {
    if let Err(found) = check::check_item::<O>(value, "") {
        prop_assert!(!found.is_empty());
        all_well_formed(&found, Some(value))?;
    }
    if let Some(Value::Array(items)) = value.get(member) {
        for (index, item) in items.iter().enumerate() {
            if let Err(found) = check::check_item::<O>(item, &format!("/{member}/{index}")) {
                all_well_formed(&found, Some(value))?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Inputs

fn config(cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(20_260_305);
    }
    config.failure_persistence = None;
    config
}

fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config(cases));
    if let Err(err) = runner.run(&strategy, test) {
        panic!("{err}");
    }
}

/// Member names of both requests, so that arbitrary objects often look like (parts of) requests.
const MEMBERS: &[&str] = &[
    "account_id",
    "user_action_set_id",
    "data_set_id",
    "salesinfo",
    "external_store_id",
    "external_sku_id",
    "seller_id",
    "product_type",
    "price",
    "current_price",
    "sku_price",
    "daily_price",
    "sku_promotions",
    "promotion_price",
    "external_promotion_id",
    "stock",
    "sku_stock_status",
    "stock_total",
    "target_url_props",
    "url_miniprogram",
    "miniprogram_appid",
    "coupon_info",
    "tag_info",
    "custom_tag",
    "tag_value",
    "third_promotion_info",
    "commission_rate",
    "app_key",
    "store_id",
    "source_type",
    "flow_data_list",
    "flow_id",
    "occurred_on",
    "order_amount",
    "order_num",
    "send_count",
    "trigger_num",
    "flow_node_data_list",
    "node_id",
    "open_rate",
    "a/b~c",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(MEMBERS).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1_000i64..100_000).prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        (0u32..100_000, 0u32..4)
            .prop_map(|(m, scale)| Value::from(m as f64 / 10f64.powi(scale as i32))),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        ".{0,40}".prop_map(Value::String),
        "-?[0-9]{1,22}(\\.[0-9]{1,3})?".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A Tencent body with every optional member filled, valid.
fn tencent_body() -> Value {
    let item = json!({
        "external_store_id": "MRYXBJN-SHIFUOYING",
        "seller_id": "seller-001",
        "external_sku_id": "HB-P-fcmjsb280g",
        "product_type": 3,
        "price": {
            "daily_price": 10.0, "current_price": 8.9, "sku_price": 10.0, "after_coupon_price": 7.9,
            "currency_translation": false,
            "sku_promotions": [{"external_promotion_id": "XB-S-fcmjsb280g", "promotion_price": 7.9}],
            "normal_product_info": [{"sku_id": "HB-N-1", "normal_product_price": 99.5}]
        },
        "stock": {"available_status": 1, "sku_stock_status": 1, "stock_total": 100, "sales_num": 5},
        "delivery_info": [{"freight_amount": 6, "location": [{
            "country_code": "CN", "country_name": "中国", "province_code": 440000, "province_name": "广东省",
            "city_code": 440300, "city_name": "深圳市", "district_code": 440305, "district_name": "南山区"
        }]}],
        "target_url_props": {
            "url_miniprogram": "pages/index/index?productSku=HB-P-fcmjsb280g",
            "miniprogram_appid": "wx8186e1f37ac111ec", "miniprogram_username": "gh_0123456789ab",
            "url_miniprogram_qq": "pages/index/index?from=qq", "miniprogram_appid_qq": "1112223334",
            "url_h5": "https://example.com/p/1", "url_h5_2": "https://example.com/p2",
            "url_h5_3": "https://example.com/p3"
        },
        "coupon_info": [{
            "coupon_id": "COUPON-1", "coupon_type": 1, "amount_coupon": 1.5, "url_list": "https://example.com/c",
            "amount_minimum": 5, "show_start_time": "1672365600000", "show_end_time": "",
            "start_time": "1672365600000", "end_time": "1672452000000", "available_num_per_person": 1,
            "total_num": 100, "store_num": 40, "status": 0
        }],
        "tag_info": {"custom_tag": [{"tag_name": "商品规格", "tag_value": ["30ml"]}]},
        "third_promotion_info": {
            "commission_rate": 10.5, "promote_status": 1, "commission_amount": 0.89,
            "commission_amount_after_coupon": 0.79, "start_time": "", "end_time": "1672452000000"
        },
        "exclusive_info": {"exclusive_status": 0, "kol_id": [54321836]},
        "is_deleted": 0
    });
    let mut second = item.clone();
    second["external_sku_id"] = json!("HB-P-2");
    json!({"account_id": 1111111111, "user_action_set_id": 1111111111, "data_set_id": 1111111111,
           "salesinfo": [item, second]})
}

/// A Shopline body with every optional member filled, valid (counts as numbers and as digit strings).
fn shopline_body() -> Value {
    let node = json!({
        "node_id": "5a206848-5e7e-4e50-93de-01bb4d9c7ac5", "parent_node_id": "root",
        "occurred_on": 1672365600000_i64, "has_send_num": 5, "has_delivery_num": "5", "buyer_num": 5,
        "order_num": 5, "order_amount": 344, "open_rate": "4", "click_rate": "56.6", "bounce_rate": "10",
        "fail_rate": "0", "unsubscribe_rate": "0", "preview_image_url": ""
    });
    let flow = json!({
        "flow_id": "5598349859474639045", "occurred_on": "1672365600000", "order_amount": 0, "order_num": 0,
        "send_count": 1, "trigger_num": "4", "flow_node_data_list": [node.clone()],
        "delete_flow_node_data_list": [node]
    });
    json!({"app_key": "ee89294e244543bd9422b446de9dece9", "store_id": "1658921299465",
           "source_type": "smartpush-app", "flow_data_list": [flow]})
}

/// Every pointer of `value`, the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
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
    out.push(at);
}

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value at the chosen pointer.
    Replace(Value),
    /// Remove the chosen member or item.
    Remove,
    /// Add a member (to the chosen object) or an item (to the chosen array).
    Add(String, Value),
}

fn apply(body: &mut Value, choice: usize, edit: Edit) {
    let mut all = Vec::new();
    pointers(body, String::new(), &mut all);
    let pointer = &all[choice % all.len()];
    match edit {
        Edit::Replace(value) => *body.pointer_mut(pointer).unwrap() = value,
        Edit::Remove => {
            let (up, last) = (
                parent(pointer).to_owned(),
                pointer.rsplit('/').next().unwrap_or(""),
            );
            let last = last.replace("~1", "/").replace("~0", "~");
            match body.pointer_mut(&up) {
                Some(Value::Object(members)) => {
                    members.remove(&last);
                }
                Some(Value::Array(items)) => {
                    if let Ok(index) = last.parse::<usize>() {
                        if index < items.len() {
                            items.remove(index);
                        }
                    }
                }
                _ => {}
            }
        }
        Edit::Add(name, value) => match body.pointer_mut(pointer) {
            Some(Value::Object(members)) => {
                members.insert(name, value);
            }
            Some(Value::Array(items)) => items.push(value),
            _ => {}
        },
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => json_value().prop_map(Edit::Replace),
        2 => leaf().prop_map(Edit::Replace),
        1 => Just(Edit::Remove),
        1 => (key(), json_value()).prop_map(|(k, v)| Edit::Add(k, v)),
    ]
}

/// A valid body of either endpoint with one to four edits: deep into the validators, and often still valid.
fn mutated_body() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        prop::collection::vec((any::<usize>(), edit()), 1..5),
    )
        .prop_map(|(tencent, edits)| {
            let mut body = if tencent {
                tencent_body()
            } else {
                shopline_body()
            };
            for (choice, edit) in edits {
                apply(&mut body, choice, edit);
            }
            body
        })
}

// ---------------------------------------------------------------------------------------------------------
// Properties

#[test]
fn the_seed_bodies_are_valid() {
    assert_eq!(SalesinfoAdd.check_body(&tencent_body().to_string()), vec![]);
    assert_eq!(
        BatchSyncFlowData.check_body(&shopline_body().to_string()),
        vec![]
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    run(384, prop::collection::vec(any::<u8>(), 0..256), |bytes| {
        exercise(&String::from_utf8_lossy(&bytes))
    });
}

#[test]
fn json_looking_text_never_panics() {
    run(384, "[\\[\\]{}\",:0-9a-z .eE+\\\\-]{0,160}", |text| {
        exercise(&text)
    });
}

#[test]
fn arbitrary_json_never_panics() {
    run(384, json_value(), |value| exercise(&value.to_string()));
}

#[test]
fn mutated_bodies_never_panic_and_point_at_what_they_report() {
    run(768, mutated_body(), |body| exercise(&body.to_string()));
}

#[test]
fn truncated_bodies_are_json_errors() {
    for body in [tencent_body().to_string(), shopline_body().to_string()] {
        for cut in (0..body.len())
            .filter(|&i| body.is_char_boundary(i))
            .step_by(7)
        {
            let text = &body[..cut];
            exercise(text).unwrap();
            for op in salesync::ENDPOINTS {
                let found = op.check_body(text);
                assert_eq!(found.len(), 1, "{text}");
                assert_eq!(found[0].rule, "json", "{text}");
                // Where the text stopped: the member being read, e.g. `/salesinfo/0/price`.
                assert!(is_pointer(&found[0].pointer), "{text}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Deep and huge inputs

/// `depth` nested arrays around `inner`: `[[[ inner ]]]`.
fn nested_arrays(depth: usize, inner: &str) -> String {
    let mut text = String::with_capacity(depth * 2 + inner.len());
    text.extend(std::iter::repeat_n('[', depth));
    text.push_str(inner);
    text.extend(std::iter::repeat_n(']', depth));
    text
}

fn nested_objects(depth: usize) -> String {
    let mut text = String::with_capacity(depth * 7);
    text.extend(std::iter::repeat_n("{\"a\":", depth));
    text.push('1');
    text.extend(std::iter::repeat_n('}', depth));
    text
}

/// One `json` violation naming serde_json's recursion limit (128 levels), at the pointer where parsing stopped.
fn assert_recursion_limit(found: &[Violation], pointer_start: &str) {
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, "json");
    assert!(is_pointer(&found[0].pointer));
    assert!(
        found[0].pointer.starts_with(pointer_start),
        "{}",
        found[0].pointer
    );
    assert!(
        found[0].message.contains("recursion limit exceeded"),
        "{}",
        found[0].message
    );
}

#[test]
fn deeply_nested_input_gets_the_recursion_limit_error() {
    let deep = [
        (nested_arrays(10_000, ""), "/0/0/0"),
        (nested_objects(10_000), "/a/a/a"),
        // Deep inside a member of an otherwise valid body.
        (
            tencent_body().to_string().replacen(
                "\"MRYXBJN-SHIFUOYING\"",
                &nested_arrays(10_000, "1"),
                1,
            ),
            "/salesinfo/0/external_store_id/0/0",
        ),
        (
            shopline_body()
                .to_string()
                .replacen("\"smartpush-app\"", &nested_objects(10_000), 1),
            "/source_type/a/a",
        ),
    ];
    for (text, pointer) in &deep {
        for op in salesync::ENDPOINTS {
            assert_recursion_limit(&op.check_body(text), pointer);
        }
        // A typed parse stops earlier, at the first value of the wrong type (a request is no array, a store
        // id no array) or the first unknown member, or meets the same limit.
        for found in [
            parse::from_str::<SalesinfoAddRequest>(text).unwrap_err(),
            parse::from_str::<BatchSyncFlowDataRequest>(text).unwrap_err(),
        ] {
            assert!(
                matches!(found.rule, "type" | "json" | "additionalProperties"),
                "{found:?}"
            );
            assert!(is_pointer(&found.pointer), "{found:?}");
            assert!(found.pointer.len() < 1_000, "{found:?}");
        }
    }
    // Just under serde_json's limit of 128 levels: parsed, and reported as the wrong type, not as JSON.
    let text =
        tencent_body()
            .to_string()
            .replacen("\"MRYXBJN-SHIFUOYING\"", &nested_arrays(120, "1"), 1);
    let found = SalesinfoAdd.check_body(&text);
    assert_eq!(
        found
            .iter()
            .map(|v| (v.pointer.as_str(), v.rule))
            .collect::<Vec<_>>(),
        [("/salesinfo/0/external_store_id", "type")]
    );
}

#[test]
fn a_deep_value_given_as_a_row_is_refused_at_its_member() {
    // Rows reach `check_item` already parsed (so within the recursion limit); a value built in memory has no
    // limit. serde_json drops and clones a `Value` recursively, so the deep value lives on a thread with a
    // large stack: that is about this test's own value, not about `check_item`, which stops at the member.
    std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(|| {
            let mut deep = Value::from(1);
            for _ in 0..10_000 {
                deep = Value::Array(vec![deep]);
            }
            let mut row = tencent_body()["salesinfo"][0].clone();
            row["external_store_id"] = deep;
            let found = check::check_item::<SalesinfoAdd>(&row, "/salesinfo/7").unwrap_err();
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(
                (found[0].pointer.as_str(), found[0].rule),
                ("/salesinfo/7/external_store_id", "type")
            );
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_16_mb_string_in_a_member_is_a_max_bytes_violation() {
    let long = "x".repeat(16 << 20);
    let mut body = tencent_body();
    body["salesinfo"][1]["external_store_id"] = Value::String(long.clone());
    let text = body.to_string();
    let found = SalesinfoAdd.check_body(&text);
    assert_eq!(
        found
            .iter()
            .map(|v| (v.pointer.as_str(), v.rule))
            .collect::<Vec<_>>(),
        [("/salesinfo/1/external_store_id", "x-maxBytes")]
    );
    assert!(found[0].message.len() < 200, "{}", found[0].message.len());

    let mut body = shopline_body();
    body["flow_data_list"][0]["flow_id"] = Value::String(long);
    body["store_id"] = json!(1658921299465_i64);
    let found = BatchSyncFlowData.check_body(&body.to_string());
    // No limit on flow_id: only the store id sent as a number is wrong.
    assert_eq!(
        found
            .iter()
            .map(|v| (v.pointer.as_str(), v.rule))
            .collect::<Vec<_>>(),
        [("/store_id", "type")]
    );
}

/// 100 MB: about 2.5 s in a debug build (0.4 s to assemble the text, 2 s for `check_body`), 0.3 s in release.
const HUGE: usize = 100 << 20;

#[test]
fn a_huge_one_line_body_is_checked_in_one_pass() {
    // One salesinfo item carrying tens of thousands of tag values (each allowed), so the line is huge but
    // every part of it is parsed and validated; the batch is over its limit of 50 items, and one item is
    // wrong. The text is assembled as text: a `Value` of that size is slow to build in a debug build.
    let size = HUGE;
    let tag = format!("\"{}\"", "标签".repeat(300)); // 1,800 bytes, under the 2,048-byte limit
    let mut tags = String::with_capacity(size + tag.len());
    while tags.len() < size {
        if !tags.is_empty() {
            tags.push(',');
        }
        tags.push_str(&tag);
    }
    let mut body = tencent_body();
    body["salesinfo"][0]["tag_info"]["custom_tag"][0]["tag_value"] = json!(["TAGS"]);
    let item = body["salesinfo"][1].clone();
    let items = body["salesinfo"].as_array_mut().unwrap();
    items.extend(std::iter::repeat_n(item, 60));
    items[40]["price"]["current_price"] = json!(11);
    let text = body.to_string().replacen("\"TAGS\"", &tags, 1);
    drop(tags);
    assert!(text.len() >= size, "{} bytes", text.len());
    assert!(!text.contains('\n'));
    let started = std::time::Instant::now();
    let found = SalesinfoAdd.check_body(&text);
    let elapsed = started.elapsed();
    let pairs: Vec<_> = found.iter().map(|v| (v.pointer.as_str(), v.rule)).collect();
    assert_eq!(
        pairs,
        [
            ("/salesinfo", "maxItems"),
            ("/salesinfo/40/price/current_price", "x-compare")
        ]
    );
    eprintln!("check_body of a {} MB line: {elapsed:?}", text.len() >> 20);
}

// ---------------------------------------------------------------------------------------------------------
// Findings, as regression tests

#[test]
fn numbers_past_every_range_are_type_errors_with_pointers() {
    for (member, value) in [
        ("current_price", "1e400"),
        ("current_price", "-1e400"),
        ("current_price", "1e300"),
        ("current_price", "18446744073709551616"),
        ("current_price", "9223372036854775808"),
        ("current_price", "5e-324"),
    ] {
        let text = tencent_body().to_string().replacen(
            "\"current_price\":8.9",
            &format!("\"{member}\":{value}"),
            1,
        );
        assert!(text.contains(value));
        let found = SalesinfoAdd.check_body(&text);
        assert!(!found.is_empty(), "{value} accepted");
        for v in &found {
            assert!(is_pointer(&v.pointer), "{v:?}");
        }
        exercise(&text).unwrap();
    }
}

#[test]
fn duplicate_members_are_reported_not_panicked_on() {
    // A body that is valid but for the repeated member: the typed parse refuses it, and so must check_body.
    let text =
        r#"{"account_id":1,"account_id":2,"user_action_set_id":1,"data_set_id":1,"salesinfo":[]}"#;
    exercise(text).unwrap();
    let found = SalesinfoAdd.check_body(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("duplicate"), "{found:?}");
    let mut body = shopline_body().to_string();
    body.insert_str(1, r#""store_id":"1","#);
    exercise(&body).unwrap();
    assert!(!BatchSyncFlowData.check_body(&body).is_empty(), "{body}");
}

#[test]
fn decimals_print_and_parse_back_for_every_mantissa_and_scale() {
    run(2048, (any::<i64>(), 0u32..=18), |(mantissa, scale)| {
        let value = Decimal::new(mantissa, scale).unwrap();
        let text = value.to_string();
        if mantissa == i64::MIN {
            // See the ignored test below.
            return Ok(());
        }
        prop_assert_eq!(text.parse::<Decimal>(), Ok(value), "{}", text);
        Ok(())
    });
}

#[test]
fn decimal_minimum_round_trips() {
    for scale in [0, 2, 18] {
        let value = Decimal::new(i64::MIN, scale).unwrap();
        assert_eq!(value.to_string().parse::<Decimal>(), Ok(value));
    }
}

/// Amounts a user may send: any JSON number with at most 2 decimals, read into a `Yuan`, must be sent as the
/// same number (the same double, so the same shortest text).
fn yuan_round_trip(text: &str) -> Result<(), String> {
    let read: Yuan = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let sent = serde_json::to_string(&read).unwrap();
    let (a, b): (f64, f64) = (text.parse().unwrap(), sent.parse().unwrap());
    if a == b {
        Ok(())
    } else {
        Err(format!("read {text}, sent {sent}"))
    }
}

#[test]
fn amounts_are_sent_as_read_up_to_2_pow_53_minor_units() {
    run(2048, (0i64..=(1 << 53), 0u32..=2), |(mantissa, scale)| {
        let text = Decimal::new(mantissa, scale).unwrap().to_string();
        prop_assert_eq!(yuan_round_trip(&text), Ok(()));
        Ok(())
    });
}

#[test]
fn amounts_past_2_pow_53_minor_units_are_sent_as_read() {
    let wrong: Vec<String> = ["123456789012345.67", "90071992547409.93"]
        .into_iter()
        .filter_map(|text| yuan_round_trip(text).err())
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

/// The violations of a body with a 1 MB string in each of several wrong places: `(pointer, rule, message
/// length)`.
fn echoed_lengths() -> Vec<(String, &'static str, usize)> {
    let long = "9".repeat(1 << 20) + "x";
    let mut tencent = tencent_body();
    tencent["salesinfo"][0]["coupon_info"][0]["start_time"] = json!(long); // pattern
    tencent["salesinfo"][1]["stock"]["stock_total"] = json!(long); // type (a string for an integer)
    let mut found = SalesinfoAdd.check_body(&tencent.to_string());
    let mut shopline = shopline_body();
    let fraction = "9".repeat(1 << 20) + ".5";
    shopline["flow_data_list"][0]["flow_node_data_list"][0]["order_amount"] = json!(fraction); // minor units
    shopline["flow_data_list"][0]["trigger_num"] = json!(long); // lenient integer: not digits
    found.extend(BatchSyncFlowData.check_body(&shopline.to_string()));
    let mut digits = shopline_body();
    digits["flow_data_list"][0]["order_num"] = json!(&long[..long.len() - 1]); // lenient: out of range
    found.extend(BatchSyncFlowData.check_body(&digits.to_string()));
    found
        .into_iter()
        .map(|v| (v.pointer, v.rule, v.message.len()))
        .collect()
}

#[test]
fn a_huge_wrong_value_is_reported_at_its_pointer() {
    let found = echoed_lengths();
    let pointers: Vec<&str> = found.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/salesinfo/0/coupon_info/0/start_time",
            "/salesinfo/1/stock/stock_total",
            // Two parse errors of one flow: neither hides the other (they come in the order the flow's
            // members are read).
            "/flow_data_list/0/flow_node_data_list/0/order_amount",
            "/flow_data_list/0/trigger_num",
            "/flow_data_list/0/order_num",
        ],
        "{found:?}"
    );
}

#[test]
fn violation_messages_quote_at_most_a_short_excerpt() {
    let long: Vec<String> = echoed_lengths()
        .into_iter()
        .filter(|(_, _, length)| *length >= 1_024)
        .map(|(pointer, rule, length)| format!("{pointer} [{rule}]: a message of {length} bytes"))
        .collect();
    assert!(long.is_empty(), "{long:#?}");
}
