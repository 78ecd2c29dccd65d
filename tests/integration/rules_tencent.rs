//! One test per rule of `schemas/tencent/salesinfo_add.json`: breaking it is reported at the right JSON pointer
//! with the right rule name. Each case starts from a valid body (the document's example, or the same example
//! with every optional member filled in), changes one thing with a `serde_json::Value` edit, runs
//! `SalesinfoAdd.check_body` and compares the exact list of `(pointer, rule)` pairs, sorted.

use salesync::runtime::{parse, DynOperation};
use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
use salesync::Validate;
use serde_json::{json, Value};

use crate::rules_common;
use rules_common::{pairs, remove, set, sorted};

/// The document's own request example.
fn doc_example() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tencent/doc_example.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The document's example with every optional member of every object present and valid.
fn full_example() -> Value {
    let mut body = doc_example();
    let item = body.pointer_mut("/salesinfo/0").unwrap();
    item["seller_id"] = json!("seller-001");
    item["product_type"] = json!(1);
    item["is_deleted"] = json!(0);
    item["price"]["after_coupon_price"] = json!(7.9);
    item["price"]["currency_translation"] = json!(false);
    item["price"]["normal_product_info"] =
        json!([{"sku_id": "HB-P-full-size", "normal_product_price": 99.5}]);
    item["stock"] = json!({
        "available_status": 1,
        "sku_stock_status": 1,
        "stock_total": 100,
        "sales_num": 5
    });
    item["delivery_info"] = json!([{
        "freight_amount": 0,
        "location": [{
            "country_code": "CN",
            "country_name": "中国",
            "province_code": 440000,
            "province_name": "广东省",
            "city_code": 440100,
            "city_name": "广州市",
            "district_code": 440106,
            "district_name": "天河区"
        }]
    }]);
    item["target_url_props"] = json!({
        "url_miniprogram": "pages/index/index?productSku=HB-P-fcmjsb280g",
        "miniprogram_appid": "wx8186e1f37ac111ec",
        "miniprogram_username": "gh_0123456789ab",
        "url_miniprogram_qq": "pages/index/index?from=qq",
        "miniprogram_appid_qq": "1112223334",
        "url_h5": "https://example.com/p/HB-P-fcmjsb280g",
        "url_h5_2": "https://example.com/p2",
        "url_h5_3": "https://example.com/p3"
    });
    item["coupon_info"] = json!([{
        "coupon_id": "COUPON-1",
        "coupon_type": 1,
        "amount_coupon": 1.0,
        "url_list": "https://example.com/coupon/1",
        "amount_minimum": 5,
        "show_start_time": "1672365600000",
        "show_end_time": "",
        "start_time": "1672365600000",
        "end_time": "1672452000000",
        "available_num_per_person": 1,
        "total_num": 100,
        "store_num": 40,
        "status": 0
    }]);
    item["third_promotion_info"] = json!({
        "commission_rate": 10.00,
        "promote_status": 1,
        "commission_amount": 0.89,
        "commission_amount_after_coupon": 0.79,
        "start_time": "",
        "end_time": "1672452000000"
    });
    item["exclusive_info"] = json!({"exclusive_status": 0, "kol_id": [54321836]});
    body
}

/// Every violation `check_body` reports, as `(pointer, rule)`, in the order reported.
fn violations(body: &Value) -> Vec<(String, String)> {
    SalesinfoAdd
        .check_body(&body.to_string())
        .into_iter()
        .map(|v| (v.pointer, v.rule.to_owned()))
        .collect()
}

/// Cases of one rule, each a one-edit change of a valid body; every failing case is listed at the end.
struct Cases {
    base: Value,
    failures: Vec<String>,
}

impl Cases {
    fn on(base: Value) -> Self {
        assert_eq!(violations(&base), vec![], "the base body must be valid");
        Cases {
            base,
            failures: Vec::new(),
        }
    }

    fn full() -> Self {
        Self::on(full_example())
    }

    fn doc() -> Self {
        Self::on(doc_example())
    }

    /// Any edit of the base body, then the exact (sorted) violations expected.
    fn edit(&mut self, name: &str, change: impl FnOnce(&mut Value), expected: &[(&str, &str)]) {
        let mut body = self.base.clone();
        change(&mut body);
        let found = sorted(violations(&body));
        let expected = sorted(pairs(expected));
        if found != expected {
            self.failures.push(format!(
                "{name}\n    expected {expected:?}\n    found    {found:?}"
            ));
        }
    }

    /// Setting `pointer` to `value` breaks `rule` at `pointer`, and only that.
    fn set_breaks(&mut self, pointer: &str, value: Value, rule: &str) {
        let name = format!("{pointer} = {value}");
        self.edit(&name, |b| set(b, pointer, value), &[(pointer, rule)]);
    }

    /// Setting `pointer` to `value` is still valid.
    fn set_ok(&mut self, pointer: &str, value: Value) {
        let name = format!("{pointer} = {value} (valid)");
        self.edit(&name, |b| set(b, pointer, value), &[]);
    }

    /// Removing `pointer` breaks `rule` at `pointer`.
    fn remove_breaks(&mut self, pointer: &str, rule: &str) {
        let name = format!("without {pointer}");
        self.edit(&name, |b| remove(b, pointer), &[(pointer, rule)]);
    }

    /// Removing `pointer` is still valid.
    fn remove_ok(&mut self, pointer: &str) {
        let name = format!("without {pointer} (valid)");
        self.edit(&name, |b| remove(b, pointer), &[]);
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} case(s) failed:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

const ITEM: &str = "/salesinfo/0";

fn at(suffix: &str) -> String {
    format!("{ITEM}{suffix}")
}

/// `n` copies of `c`.
fn text(c: char, n: usize) -> String {
    c.to_string().repeat(n)
}

#[test]
fn both_base_bodies_are_valid() {
    assert_eq!(violations(&doc_example()), vec![]);
    assert_eq!(violations(&full_example()), vec![]);
    let full: SalesinfoAddRequest = parse::from_str(&full_example().to_string()).unwrap();
    assert!(full.validate().is_ok());
}

#[test]
fn required_members() {
    let mut cases = Cases::full();
    for member in [
        "account_id",
        "user_action_set_id",
        "data_set_id",
        "salesinfo",
    ] {
        cases.remove_breaks(&format!("/{member}"), "required");
    }
    for member in ["external_store_id", "external_sku_id", "price", "stock"] {
        cases.remove_breaks(&at(&format!("/{member}")), "required");
    }
    cases.remove_breaks(&at("/price/current_price"), "required");
    cases.remove_breaks(&at("/price/sku_price"), "required");
    cases.remove_breaks(&at("/stock/sku_stock_status"), "required");
    cases.remove_breaks(&at("/third_promotion_info/commission_rate"), "required");
    cases.remove_breaks(&at("/third_promotion_info/promote_status"), "required");
    cases.finish();
}

#[test]
fn optional_members_may_be_absent() {
    let mut cases = Cases::full();
    for member in [
        "seller_id",
        "product_type",
        "delivery_info",
        "target_url_props",
        "coupon_info",
        "tag_info",
        "third_promotion_info",
        "exclusive_info",
        "is_deleted",
    ] {
        cases.remove_ok(&at(&format!("/{member}")));
    }
    for member in [
        "daily_price",
        "after_coupon_price",
        "currency_translation",
        "sku_promotions",
        "normal_product_info",
    ] {
        cases.remove_ok(&at(&format!("/price/{member}")));
    }
    for member in ["available_status", "stock_total", "sales_num"] {
        cases.remove_ok(&at(&format!("/stock/{member}")));
    }
    // Every member of these objects is optional: an empty object is valid.
    for object in [
        "/price/sku_promotions/0",
        "/price/normal_product_info/0",
        "/delivery_info/0",
        "/delivery_info/0/location/0",
        "/target_url_props",
        "/coupon_info/0",
        "/tag_info",
        "/tag_info/custom_tag/0",
        "/exclusive_info",
    ] {
        cases.set_ok(&at(object), json!({}));
    }
    // Optional members sent as null are read as absent (the schema README says so).
    cases.set_ok(&at("/seller_id"), Value::Null);
    cases.set_ok(&at("/price/daily_price"), Value::Null);
    cases.finish();
}

#[test]
fn additional_properties_are_rejected() {
    let mut cases = Cases::full();
    for object in [
        "",
        ITEM,
        &at("/price"),
        &at("/price/sku_promotions/0"),
        &at("/price/normal_product_info/0"),
        &at("/stock"),
        &at("/delivery_info/0"),
        &at("/delivery_info/0/location/0"),
        &at("/target_url_props"),
        &at("/coupon_info/0"),
        &at("/tag_info"),
        &at("/tag_info/custom_tag/0"),
        &at("/third_promotion_info"),
        &at("/exclusive_info"),
    ] {
        cases.set_breaks(
            &format!("{object}/unknown_member"),
            json!(1),
            "additionalProperties",
        );
    }
    // Member names are escaped in pointers (RFC 6901).
    cases.edit(
        "unknown member with / and ~ in its name",
        |b| {
            b["salesinfo"][0]["stock"]["odd/name~"] = json!(1);
        },
        &[(&at("/stock/odd~1name~0"), "additionalProperties")],
    );
    // A misspelt member is unknown, and its correct spelling then missing: both are reported, by the shape
    // pass that runs before the typed parse.
    cases.edit(
        "misspelt sku_stock_status",
        |b| {
            let stock = b
                .pointer_mut(&at("/stock"))
                .unwrap()
                .as_object_mut()
                .unwrap();
            let status = stock.remove("sku_stock_status").unwrap();
            stock.insert("sku_stock_statu".into(), status);
        },
        &[
            (&at("/stock/sku_stock_status"), "required"),
            (&at("/stock/sku_stock_statu"), "additionalProperties"),
        ],
    );
    cases.finish();
}

#[test]
fn type_errors_point_at_the_value() {
    let mut cases = Cases::full();
    let wrong: &[(&str, Value)] = &[
        ("/account_id", json!("1111111111")),
        ("/user_action_set_id", json!(1.5)),
        ("/data_set_id", json!(true)),
        ("/salesinfo", json!({})),
        ("/salesinfo/0", json!("item")),
        ("/salesinfo/0/external_store_id", json!(123)),
        ("/salesinfo/0/seller_id", json!(["a"])),
        ("/salesinfo/0/external_sku_id", json!(false)),
        ("/salesinfo/0/product_type", json!("1")),
        ("/salesinfo/0/price", json!(8.9)),
        ("/salesinfo/0/price/current_price", json!("8.9")),
        ("/salesinfo/0/price/sku_price", json!(true)),
        ("/salesinfo/0/price/daily_price", json!([10])),
        ("/salesinfo/0/price/after_coupon_price", json!({})),
        ("/salesinfo/0/price/currency_translation", json!("false")),
        ("/salesinfo/0/price/sku_promotions", json!({})),
        (
            "/salesinfo/0/price/sku_promotions/0/external_promotion_id",
            json!(7),
        ),
        (
            "/salesinfo/0/price/sku_promotions/0/promotion_price",
            json!("7.9"),
        ),
        ("/salesinfo/0/price/normal_product_info/0/sku_id", json!(1)),
        (
            "/salesinfo/0/price/normal_product_info/0/normal_product_price",
            json!("1"),
        ),
        ("/salesinfo/0/stock", json!([])),
        ("/salesinfo/0/stock/sku_stock_status", json!("1")),
        ("/salesinfo/0/stock/available_status", json!(1.5)),
        ("/salesinfo/0/stock/stock_total", json!(1.5)),
        ("/salesinfo/0/stock/sales_num", json!("5")),
        ("/salesinfo/0/delivery_info", json!({})),
        ("/salesinfo/0/delivery_info/0/freight_amount", json!("0")),
        ("/salesinfo/0/delivery_info/0/location", json!("CN")),
        (
            "/salesinfo/0/delivery_info/0/location/0/country_code",
            json!(86),
        ),
        (
            "/salesinfo/0/delivery_info/0/location/0/province_code",
            json!("440000"),
        ),
        (
            "/salesinfo/0/delivery_info/0/location/0/city_name",
            json!(1),
        ),
        ("/salesinfo/0/target_url_props/url_h5", json!(1)),
        ("/salesinfo/0/coupon_info/0/coupon_type", json!("1")),
        (
            "/salesinfo/0/coupon_info/0/url_list",
            json!(["https://example.com"]),
        ),
        (
            "/salesinfo/0/coupon_info/0/start_time",
            json!(1672365600000_i64),
        ),
        ("/salesinfo/0/coupon_info/0/total_num", json!("100")),
        ("/salesinfo/0/coupon_info/0/status", json!(false)),
        ("/salesinfo/0/tag_info/custom_tag", json!({})),
        ("/salesinfo/0/tag_info/custom_tag/0/tag_name", json!(1)),
        (
            "/salesinfo/0/tag_info/custom_tag/0/tag_value",
            json!("30ml"),
        ),
        ("/salesinfo/0/tag_info/custom_tag/0/tag_value/0", json!(30)),
        (
            "/salesinfo/0/third_promotion_info/commission_rate",
            json!("10.00"),
        ),
        (
            "/salesinfo/0/third_promotion_info/promote_status",
            json!(true),
        ),
        (
            "/salesinfo/0/third_promotion_info/end_time",
            json!(1672452000000_i64),
        ),
        ("/salesinfo/0/exclusive_info/exclusive_status", json!("0")),
        ("/salesinfo/0/exclusive_info/kol_id", json!(54321836)),
        ("/salesinfo/0/exclusive_info/kol_id/0", json!("54321836")),
        ("/salesinfo/0/is_deleted", json!(false)),
    ];
    for (pointer, value) in wrong {
        cases.set_breaks(pointer, value.clone(), "type");
    }
    // A required member sent as null is a type error, not a missing member.
    cases.set_breaks(&at("/price/current_price"), Value::Null, "type");
    cases.finish();
}

#[test]
fn enum_codes_must_be_known() {
    let mut cases = Cases::full();
    let enums: &[(&str, &[i64], &[i64])] = &[
        ("/product_type", &[1, 2, 4], &[0, 5, -1]),
        ("/stock/available_status", &[1, 2], &[0, 3]),
        ("/stock/sku_stock_status", &[1, 2], &[0, 3]),
        ("/coupon_info/0/coupon_type", &[1, 2, 3], &[0, 4]),
        ("/coupon_info/0/status", &[0, 1], &[2, -1]),
        ("/third_promotion_info/promote_status", &[0, 1], &[2]),
        ("/exclusive_info/exclusive_status", &[0, 1], &[2]),
        ("/is_deleted", &[0, 1], &[2, 99]),
    ];
    for (member, known, unknown) in enums {
        for code in *known {
            cases.set_ok(&at(member), json!(code));
        }
        for code in *unknown {
            cases.set_breaks(&at(member), json!(code), "enum");
        }
    }
    cases.finish();
}

#[test]
fn ids_counts_and_codes_have_no_minimum() {
    // The document types the ids, counts and division codes only as integers: 0 and negative values are
    // the platform's to judge. An integer they must be.
    let mut cases = Cases::full();
    for id in ["/account_id", "/user_action_set_id", "/data_set_id"] {
        cases.set_ok(id, json!(0));
        cases.set_ok(id, json!(-1111111111));
        cases.set_ok(id, json!(1));
        cases.set_breaks(id, json!(1.5), "type");
    }
    for count in [
        "/stock/sales_num",
        "/delivery_info/0/location/0/province_code",
        "/delivery_info/0/location/0/city_code",
        "/delivery_info/0/location/0/district_code",
        "/coupon_info/0/available_num_per_person",
        "/coupon_info/0/total_num",
        "/coupon_info/0/store_num",
    ] {
        cases.set_ok(&at(count), json!(-1));
        cases.set_ok(&at(count), json!(i64::MIN));
        cases.set_ok(&at(count), json!(0));
        cases.set_breaks(&at(count), json!(0.5), "type");
    }
    // No minimum for a stock total: the document states none, and its sku_stock_status 2 is "stock <= 0".
    cases.set_ok(&at("/stock/stock_total"), json!(-3));
    cases.set_ok(&at("/stock/stock_total"), json!(0));
    cases.finish();
    // And the typed request sends them as they are.
    let mut body = full_example();
    set(&mut body, "/account_id", json!(0));
    set(&mut body, &at("/coupon_info/0/total_num"), json!(-1));
    let request: SalesinfoAddRequest = parse::from_str(&body.to_string()).unwrap();
    assert!(request.validate().is_ok());
    let sent = serde_json::to_value(&request).unwrap();
    assert_eq!(sent["account_id"], json!(0));
    assert_eq!(
        sent.pointer(&at("/coupon_info/0/total_num")),
        Some(&json!(-1))
    );
}

/// Every money member (`Yuan`): at most 2 decimal places; only current_price and sku_price are at least 0.
const MONEY: [&str; 10] = [
    "/price/daily_price",
    "/price/current_price",
    "/price/sku_price",
    "/price/after_coupon_price",
    "/price/sku_promotions/0/promotion_price",
    "/price/normal_product_info/0/normal_product_price",
    "/delivery_info/0/freight_amount",
    "/coupon_info/0/amount_coupon",
    "/coupon_info/0/amount_minimum",
    "/third_promotion_info/commission_amount",
];

#[test]
fn only_the_current_and_list_prices_are_never_negative() {
    let mut cases = Cases::full();
    // The document states "大于等于0,最小值0" for current_price and sku_price only.
    cases.set_breaks(&at("/price/current_price"), json!(-0.01), "minimum");
    cases.set_breaks(&at("/price/current_price"), json!(-1), "minimum");
    cases.set_ok(&at("/price/current_price"), json!(0));
    // current_price <= sku_price also breaks when sku_price goes below current_price, so sku_price is tested
    // by lowering both, and alone.
    cases.edit(
        "sku_price and current_price negative",
        |b| {
            set(b, &at("/price/current_price"), json!(-2));
            set(b, &at("/price/sku_price"), json!(-1));
        },
        &[
            (&at("/price/current_price"), "minimum"),
            (&at("/price/sku_price"), "minimum"),
        ],
    );
    cases.edit(
        "sku_price negative",
        |b| set(b, &at("/price/sku_price"), json!(-1)),
        &[
            (&at("/price/sku_price"), "minimum"),
            (&at("/price/current_price"), "x-compare"),
        ],
    );
    // Every other amount has no documented minimum: a negative one is the platform's to judge.
    let others = MONEY
        .iter()
        .filter(|m| !m.ends_with("/sku_price") && !m.ends_with("/current_price"));
    for member in others.chain(&["/third_promotion_info/commission_amount_after_coupon"]) {
        cases.set_ok(&at(member), json!(-0.01));
        cases.set_ok(&at(member), json!(-1));
        cases.set_ok(&at(member), json!(0));
    }
    // Nor has the commission rate.
    cases.set_ok(&at("/third_promotion_info/commission_rate"), json!(-0.5));
    cases.set_ok(&at("/third_promotion_info/commission_rate"), json!(0));
    // Negative with too many places: only the places are wrong, except on the two prices.
    cases.set_breaks(&at("/price/daily_price"), json!(-0.001), "x-decimalPlaces");
    cases.edit(
        "current_price -0.001",
        |b| set(b, &at("/price/current_price"), json!(-0.001)),
        &[
            (&at("/price/current_price"), "minimum"),
            (&at("/price/current_price"), "x-decimalPlaces"),
        ],
    );
    cases.finish();
}

#[test]
fn money_has_at_most_two_decimal_places() {
    let mut cases = Cases::full();
    let others = MONEY.iter().filter(|m| !m.ends_with("/sku_price"));
    for member in others.chain(&["/third_promotion_info/commission_amount_after_coupon"]) {
        // 0.001 stays below every other price, so only the decimal places break (sku_price: below).
        cases.set_breaks(&at(member), json!(0.001), "x-decimalPlaces");
        cases.set_ok(&at(member), json!(0.01));
    }
    cases.edit(
        "current_price 8.999",
        |b| set(b, &at("/price/current_price"), json!(8.999)),
        &[(&at("/price/current_price"), "x-decimalPlaces")],
    );
    cases.edit(
        "sku_price 10.999",
        |b| set(b, &at("/price/sku_price"), json!(10.999)),
        &[(&at("/price/sku_price"), "x-decimalPlaces")],
    );
    // Trailing zeros are not decimal places: 8.90 and 8.900 are 8.9.
    // Trailing zeros in the text are not decimal places: 8.900 is 8.9. (Checked on the text itself, since a
    // serde_json::Value would already have dropped the zeros.)
    let text = doc_example()
        .to_string()
        .replace("\"current_price\":8.9", "\"current_price\":8.900")
        .replace("\"sku_price\":10.0", "\"sku_price\":10.000");
    assert!(text.contains("8.900") && text.contains("10.000"), "{text}");
    assert_eq!(SalesinfoAdd.check_body(&text), vec![]);
    let text = text.replace("8.900", "8.901");
    let found: Vec<_> = SalesinfoAdd
        .check_body(&text)
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect();
    assert_eq!(found, [(at("/price/current_price"), "x-decimalPlaces")]);
    cases.set_breaks(
        &at("/third_promotion_info/commission_rate"),
        json!(10.125),
        "x-decimalPlaces",
    );
    cases.set_ok(&at("/third_promotion_info/commission_rate"), json!(12.5));
    // No maximum is documented for the commission rate.
    cases.set_ok(&at("/third_promotion_info/commission_rate"), json!(250));
    cases.finish();
}

#[test]
fn current_price_is_at_most_sku_price() {
    let mut cases = Cases::doc();
    cases.set_breaks(&at("/price/current_price"), json!(10.01), "x-compare");
    cases.set_breaks(&at("/price/current_price"), json!(11), "x-compare");
    cases.set_ok(&at("/price/current_price"), json!(10));
    cases.set_ok(&at("/price/current_price"), json!(0));
    // Reported at current_price even when sku_price is the one that changed.
    cases.edit(
        "sku_price 8.89",
        |b| set(b, &at("/price/sku_price"), json!(8.89)),
        &[(&at("/price/current_price"), "x-compare")],
    );
    // Exact decimals: 8.9 <= 8.90 holds (a float-based check could get this wrong either way).
    cases.set_ok(&at("/price/sku_price"), json!(8.90));
    cases.finish();
}

#[test]
fn h5_landing_pages_are_any_text_within_their_byte_limits() {
    let mut cases = Cases::full();
    let limits = [
        ("/target_url_props/url_h5", 100),
        ("/target_url_props/url_h5_2", 1000),
        ("/target_url_props/url_h5_3", 1000),
    ];
    for (member, limit) in limits {
        let pointer = at(member);
        let url = |len: usize| json!(format!("https://a.cn/{}", text('a', len - 13)));
        cases.set_ok(&pointer, url(limit));
        cases.set_breaks(&pointer, url(limit + 1), "x-maxBytes");
        // The document says only "h5落地页url" and the byte limits: no format. A URL as the merchant writes
        // it passes, an IRI (non-ASCII not percent-encoded) or a relative landing path included.
        cases.set_ok(&pointer, json!("https://example.com/商品/详情?id=1"));
        cases.set_ok(&pointer, json!("https://a.cn/%E6%B1%89"));
        cases.set_ok(&pointer, json!("/relative/path"));
        cases.set_ok(&pointer, json!("p/HB-P-fcmjsb280g.html"));
        // Bytes, not characters: a Chinese character is 3 of them.
        let chinese = |chars: usize| json!(format!("https://a.cn/{}", text('汉', chars)));
        let fits = (limit - 13) / 3;
        cases.set_ok(&pointer, chinese(fits));
        cases.set_breaks(&pointer, chinese(fits + 1), "x-maxBytes");
        cases.set_breaks(&pointer, json!(""), "minLength");
    }
    cases.finish();
}

#[test]
fn minimum_length_of_strings() {
    let mut cases = Cases::full();
    for member in [
        "/external_store_id",
        "/external_sku_id",
        "/price/normal_product_info/0/sku_id",
        "/delivery_info/0/location/0/country_code",
        "/delivery_info/0/location/0/country_name",
        "/delivery_info/0/location/0/province_name",
        "/delivery_info/0/location/0/city_name",
        "/delivery_info/0/location/0/district_name",
        "/target_url_props/url_miniprogram",
        "/target_url_props/miniprogram_appid",
        "/target_url_props/miniprogram_username",
        "/target_url_props/url_miniprogram_qq",
        "/target_url_props/miniprogram_appid_qq",
        "/coupon_info/0/coupon_id",
    ] {
        cases.set_breaks(&at(member), json!(""), "minLength");
        cases.set_ok(&at(member), json!("x"));
    }
    // Members without a documented minimum accept the empty string.
    for member in [
        "/seller_id",
        "/price/sku_promotions/0/external_promotion_id",
        "/coupon_info/0/url_list",
        "/tag_info/custom_tag/0/tag_name",
        "/tag_info/custom_tag/0/tag_value/0",
    ] {
        cases.set_ok(&at(member), json!(""));
    }
    cases.finish();
}

#[test]
fn byte_limits_count_utf8_bytes() {
    let mut cases = Cases::full();
    // (member, limit in bytes)
    let limits: &[(&str, usize)] = &[
        ("/external_store_id", 32),
        ("/seller_id", 128),
        ("/external_sku_id", 128),
        ("/price/normal_product_info/0/sku_id", 128),
        ("/delivery_info/0/location/0/country_code", 64),
        ("/delivery_info/0/location/0/country_name", 64),
        ("/delivery_info/0/location/0/province_name", 64),
        ("/delivery_info/0/location/0/city_name", 64),
        ("/delivery_info/0/location/0/district_name", 64),
        ("/target_url_props/url_miniprogram", 100),
        ("/target_url_props/miniprogram_appid", 100),
        ("/target_url_props/miniprogram_username", 100),
        ("/target_url_props/url_miniprogram_qq", 100),
        ("/target_url_props/miniprogram_appid_qq", 100),
        ("/coupon_info/0/coupon_id", 100),
        ("/tag_info/custom_tag/0/tag_name", 2048),
        ("/tag_info/custom_tag/0/tag_value/0", 2048),
    ];
    for (member, limit) in limits {
        cases.set_ok(&at(member), json!(text('a', *limit)));
        cases.set_breaks(&at(member), json!(text('a', limit + 1)), "x-maxBytes");
        // A Chinese character is 3 bytes: the most that fit, then one more.
        cases.set_ok(&at(member), json!(text('汉', limit / 3)));
        cases.set_breaks(&at(member), json!(text('汉', limit / 3 + 1)), "x-maxBytes");
    }
    // The brief's example: 10 Chinese characters are 30 bytes and fit in 32; 11 are 33 bytes and do not,
    // although 11 characters is well under 32 characters.
    cases.set_ok(&at("/external_store_id"), json!("北京市朝阳区旗舰门店"));
    cases.set_breaks(
        &at("/external_store_id"),
        json!("北京市朝阳区旗舰门店一"),
        "x-maxBytes",
    );
    // Mixed: 30 ASCII bytes + one 3-byte character = 33 bytes.
    cases.set_breaks(
        &at("/external_store_id"),
        json!(format!("{}店", text('a', 30))),
        "x-maxBytes",
    );
    cases.finish();
}

#[test]
fn millisecond_strings_match_their_pattern() {
    let mut cases = Cases::full();
    for member in [
        "/coupon_info/0/show_start_time",
        "/coupon_info/0/show_end_time",
        "/coupon_info/0/start_time",
        "/coupon_info/0/end_time",
        "/third_promotion_info/start_time",
        "/third_promotion_info/end_time",
    ] {
        for good in ["", "0", "1672365600000", "9999999999999999"] {
            cases.set_ok(&at(member), json!(good));
        }
        for bad in [
            "abc",
            "-1",
            "1672365600000.0",
            " 1672365600000",
            "16723656000001234",
            "1e12",
        ] {
            cases.set_breaks(&at(member), json!(bad), "pattern");
        }
    }
    cases.finish();
}

#[test]
fn sku_promotion_id_and_price_come_together() {
    let mut cases = Cases::doc();
    let promotion = at("/price/sku_promotions/0");
    cases.remove_breaks(&format!("{promotion}/promotion_price"), "dependentRequired");
    cases.remove_breaks(
        &format!("{promotion}/external_promotion_id"),
        "dependentRequired",
    );
    cases.set_ok(&promotion, json!({}));
    // Every promotion is checked, not only the first.
    cases.edit(
        "second promotion without its price",
        |b| {
            let list = b.pointer_mut(&at("/price/sku_promotions")).unwrap();
            list.as_array_mut()
                .unwrap()
                .push(json!({"external_promotion_id": "XB-S-2"}));
        },
        &[(
            &at("/price/sku_promotions/1/promotion_price"),
            "dependentRequired",
        )],
    );
    cases.finish();
}

#[test]
fn mini_program_landing_fields_come_together() {
    let mut cases = Cases::full();
    let props = at("/target_url_props");
    let p = |member: &str| format!("{props}/{member}");
    // WeChat: url_miniprogram <-> miniprogram_appid, in both directions.
    cases.edit(
        "url_miniprogram without miniprogram_appid",
        |b| {
            remove(b, &p("miniprogram_appid"));
            remove(b, &p("miniprogram_username"));
        },
        &[(&p("miniprogram_appid"), "dependentRequired")],
    );
    cases.edit(
        "miniprogram_appid without url_miniprogram",
        |b| {
            remove(b, &p("url_miniprogram"));
            remove(b, &p("miniprogram_username"));
        },
        &[(&p("url_miniprogram"), "dependentRequired")],
    );
    // miniprogram_username needs both; it is optional itself.
    cases.remove_ok(&p("miniprogram_username"));
    cases.edit(
        "miniprogram_username alone",
        |b| {
            remove(b, &p("url_miniprogram"));
            remove(b, &p("miniprogram_appid"));
        },
        &[
            (&p("url_miniprogram"), "dependentRequired"),
            (&p("miniprogram_appid"), "dependentRequired"),
        ],
    );
    // Without url_miniprogram, both miniprogram_appid and miniprogram_username require it: two reports.
    cases.edit(
        "miniprogram_username and miniprogram_appid without url_miniprogram",
        |b| remove(b, &p("url_miniprogram")),
        &[
            (&p("url_miniprogram"), "dependentRequired"),
            (&p("url_miniprogram"), "dependentRequired"),
        ],
    );
    // QQ: url_miniprogram_qq <-> miniprogram_appid_qq.
    cases.remove_breaks(&p("miniprogram_appid_qq"), "dependentRequired");
    cases.remove_breaks(&p("url_miniprogram_qq"), "dependentRequired");
    // H5 pages alone are fine.
    cases.set_ok(&props, json!({"url_h5": "https://example.com"}));
    cases.finish();
}

#[test]
fn sample_products_need_a_stock_total() {
    let mut cases = Cases::doc();
    let product_type = at("/product_type");
    let stock_total = at("/stock/stock_total");
    cases.edit(
        "product_type 3 without stock_total",
        |b| set(b, &product_type, json!(3)),
        &[(&stock_total, "if-then")],
    );
    cases.edit(
        "product_type 3 with stock_total 0",
        |b| {
            set(b, &product_type, json!(3));
            set(b, &stock_total, json!(0));
        },
        &[],
    );
    for other in [1, 2, 4] {
        cases.set_ok(&product_type, json!(other));
    }
    // A sample with a negative (oversold) stock has its stock_total: valid.
    cases.edit(
        "product_type 3 with stock_total -1",
        |b| {
            set(b, &product_type, json!(3));
            set(b, &stock_total, json!(-1));
        },
        &[],
    );
    cases.finish();
}

#[test]
fn item_counts_of_arrays() {
    let mut cases = Cases::full();
    let item = full_example()["salesinfo"][0].clone();
    // No minimum is documented (the batch engine never sends an empty batch).
    cases.set_ok("/salesinfo", json!([]));
    cases.set_ok("/salesinfo", json!(vec![item.clone(); 50]));
    cases.set_breaks("/salesinfo", json!(vec![item; 51]), "maxItems");

    let tag = json!({"tag_name": "规格", "tag_value": ["30ml"]});
    cases.set_ok(&at("/tag_info/custom_tag"), json!(vec![tag.clone(); 50]));
    cases.set_breaks(
        &at("/tag_info/custom_tag"),
        json!(vec![tag; 51]),
        "maxItems",
    );
    cases.set_ok(&at("/tag_info/custom_tag"), json!([]));

    let promotion = json!({"external_promotion_id": "P", "promotion_price": 1});
    cases.set_ok(
        &at("/price/sku_promotions"),
        json!(vec![promotion.clone(); 50]),
    );
    cases.set_breaks(
        &at("/price/sku_promotions"),
        json!(vec![promotion; 51]),
        "maxItems",
    );
    cases.set_ok(&at("/price/sku_promotions"), json!([]));

    // No limit is documented for these lists.
    cases.set_ok(&at("/coupon_info"), json!(vec![json!({}); 60]));
    cases.set_ok(&at("/delivery_info"), json!(vec![json!({}); 60]));
    cases.set_ok(&at("/exclusive_info/kol_id"), json!(vec![1; 60]));
    cases.finish();
}

#[test]
fn validate_collects_every_violation_in_document_order() {
    // 51 items: the batch's size comes first, then the items by index, each in the schema's order.
    let mut body = full_example();
    let item = body["salesinfo"][0].clone();
    body["salesinfo"] = json!(vec![item; 51]);
    set(&mut body, "/salesinfo/0/price/current_price", json!(12.5));
    set(
        &mut body,
        "/salesinfo/0/coupon_info/0/end_time",
        json!("soon"),
    );
    set(
        &mut body,
        "/salesinfo/1/external_store_id",
        json!("北京市朝阳区旗舰门店一"),
    );
    set(&mut body, "/salesinfo/1/price/current_price", json!(-3));
    set(&mut body, "/salesinfo/3/product_type", json!(3));
    remove(&mut body, "/salesinfo/3/stock/stock_total");
    set(
        &mut body,
        "/salesinfo/3/third_promotion_info/commission_rate",
        json!(1.234),
    );

    let expected = pairs(&[
        ("/salesinfo", "maxItems"),
        ("/salesinfo/0/price/current_price", "x-compare"),
        ("/salesinfo/0/coupon_info/0/end_time", "pattern"),
        ("/salesinfo/1/external_store_id", "x-maxBytes"),
        ("/salesinfo/1/price/current_price", "minimum"),
        (
            "/salesinfo/3/third_promotion_info/commission_rate",
            "x-decimalPlaces",
        ),
        ("/salesinfo/3/stock/stock_total", "if-then"),
    ]);
    assert_eq!(violations(&body), expected);

    // validate() on the typed request finds the same, in the same order.
    let request: SalesinfoAddRequest = parse::from_str(&body.to_string()).unwrap();
    let found: Vec<(String, String)> = request
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|v| (v.pointer, v.rule.to_owned()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_parse_error_in_one_item_does_not_hide_the_others() {
    let mut body = full_example();
    let item = body["salesinfo"][0].clone();
    body["salesinfo"] = json!([item.clone(), item.clone(), item.clone(), item.clone(), item]);
    set(&mut body, "/account_id", json!(1.5));
    set(&mut body, "/salesinfo/0/product_type", json!(9));
    set(&mut body, "/salesinfo/1/price/current_price", json!(12.5));
    remove(&mut body, "/salesinfo/2/stock");
    set(&mut body, "/salesinfo/3/price/sku_price", json!("10"));
    set(
        &mut body,
        "/salesinfo/3/target_url_props/url_h5",
        json!(format!("https://a.cn/{}", text('a', 88))),
    );
    set(&mut body, "/salesinfo/4/seller_id", json!(text('x', 129)));
    assert_eq!(
        violations(&body),
        pairs(&[
            ("/account_id", "type"),
            ("/salesinfo/0/product_type", "enum"),
            ("/salesinfo/1/price/current_price", "x-compare"),
            ("/salesinfo/2/stock", "required"),
            // One parse error per item: item 3's over-long url_h5 is only found once sku_price parses.
            ("/salesinfo/3/price/sku_price", "type"),
            // Past the type error, the rest of the item is checked (not the comparison with the bad price).
            ("/salesinfo/3/target_url_props/url_h5", "x-maxBytes"),
            ("/salesinfo/4/seller_id", "x-maxBytes"),
        ])
    );
}

/// 51 items, two of them broken (one parse error, one validation error).
fn oversized_batch() -> Value {
    let item = full_example()["salesinfo"][0].clone();
    let mut items = vec![item; 51];
    items[7]["stock"]["sku_stock_status"] = json!(7);
    items[50]["price"]["current_price"] = json!(99);
    let mut body = full_example();
    body["salesinfo"] = json!(items);
    body
}

#[test]
fn batch_size_survives_item_parse_errors() {
    assert_eq!(
        violations(&oversized_batch()),
        pairs(&[
            ("/salesinfo", "maxItems"),
            ("/salesinfo/7/stock/sku_stock_status", "enum"),
            ("/salesinfo/50/price/current_price", "x-compare"),
        ])
    );
}

#[test]
fn envelope_parse_errors_survive_item_parse_errors() {
    let mut body = full_example();
    body["account_id"] = json!("not a number");
    set(&mut body, "/salesinfo/0/stock/sku_stock_status", json!(7));
    assert_eq!(
        violations(&body),
        pairs(&[
            ("/account_id", "type"),
            ("/salesinfo/0/stock/sku_stock_status", "enum"),
        ])
    );
}

#[test]
fn batch_size_is_checked_even_when_the_envelope_does_not_parse() {
    let mut body = oversized_batch();
    body["account_id"] = json!("not a number");
    assert_eq!(
        violations(&body),
        pairs(&[
            ("/account_id", "type"),
            ("/salesinfo", "maxItems"),
            ("/salesinfo/7/stock/sku_stock_status", "enum"),
            ("/salesinfo/50/price/current_price", "x-compare"),
        ])
    );

    // An empty batch breaks no documented limit, the envelope's error aside.
    let mut body = full_example();
    body["account_id"] = json!("not a number");
    body["salesinfo"] = json!([]);
    assert_eq!(violations(&body), pairs(&[("/account_id", "type")]));
}

#[test]
fn bodies_that_are_not_requests() {
    let check = |text: &str| -> Vec<(String, String)> {
        SalesinfoAdd
            .check_body(text)
            .into_iter()
            .map(|v| (v.pointer, v.rule.to_owned()))
            .collect()
    };
    assert_eq!(check("{"), pairs(&[("", "json")]));
    assert_eq!(check(""), pairs(&[("", "json")]));
    assert_eq!(check("[]"), pairs(&[("", "type")]));
    assert_eq!(check("null"), pairs(&[("", "type")]));
    let mut text = doc_example().to_string();
    text.push_str(" {}");
    assert_eq!(check(&text), pairs(&[("", "json")]));
}

#[test]
fn tiny_amounts_break_decimal_places_not_type() {
    let text = doc_example().to_string().replace(
        "\"daily_price\":10.0",
        "\"daily_price\":0.0000000000000000001",
    );
    assert!(text.contains("0.0000000000000000001"));
    let found: Vec<_> = SalesinfoAdd
        .check_body(&text)
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect();
    assert_eq!(found, [(at("/price/daily_price"), "x-decimalPlaces")]);
}
