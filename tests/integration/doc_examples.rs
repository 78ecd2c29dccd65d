//! The documents' own examples: the request bodies parse into the typed requests, validate, and re-serialize to
//! equivalent JSON; the response examples (and the documented envelopes) parse into the response types. One test
//! builds a Tencent request in Rust with the generated builders: it is the README example.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use salesync::runtime::{parse, DynOperation};
use salesync::shopline::batch_sync_flow_data::{
    BatchSyncFlowDataRequest, BatchSyncFlowDataResponse, ShoplineErrorBody,
};
use salesync::tencent::salesinfo_add::{
    Price, ProductType, SalesInfo, SalesinfoAddRequest, SalesinfoAddResponse, SkuPromotion,
    SkuStockStatus, Stock, TargetUrlProps, Yuan,
};
use salesync::Validate;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn workspace_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    let path = workspace_file(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn fixtures(vendor: &str, prefix: &str) -> Vec<(String, String)> {
    let dir = workspace_file(&format!("tests/fixtures/{vendor}"));
    let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".json")
        })
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.display().to_string(), text)
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no {prefix}*.json in {}", dir.display());
    found
}

/// Member names whose schema is `"type": ["integer", "string"]`, directly or through a `$ref` to such a
/// definition: their digit strings re-serialize as numbers.
fn lenient_integer_members(schema_file: &str) -> BTreeSet<String> {
    let schema: Value = serde_json::from_str(&read(schema_file)).unwrap();
    let defs = schema["$defs"].as_object().unwrap();
    let lenient = |property: &Value| -> bool {
        let target = match property.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.strip_prefix("#/$defs/").unwrap();
                &defs[name]
            }
            None => property,
        };
        target["type"] == json!(["integer", "string"])
    };
    let mut names = BTreeSet::new();
    for definition in defs.values() {
        if let Some(properties) = definition.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                if lenient(property) {
                    names.insert(name.clone());
                }
            }
        }
    }
    names
}

/// What the model emits for a document body: digit strings at lenient integer members become numbers.
fn normalize(value: &Value, lenient: &BTreeSet<String>) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(name, member)| {
                    let member = match member {
                        Value::String(digits) if lenient.contains(name) => {
                            json!(digits
                                .parse::<i64>()
                                .unwrap_or_else(|_| panic!("{name}: {digits:?} is not an integer")))
                        }
                        other => normalize(other, lenient),
                    };
                    (name.clone(), member)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| normalize(item, lenient)).collect())
        }
        other => other.clone(),
    }
}

/// JSON equality where numbers compare by value (`10.0` equals `10`); returns the first difference.
fn equivalent(expected: &Value, actual: &Value, pointer: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            let same = match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) => a == b,
                _ => a.as_f64() == b.as_f64(),
            };
            if same {
                Ok(())
            } else {
                Err(format!("{pointer}: expected {a}, got {b}"))
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for name in names {
                let at = format!("{pointer}/{name}");
                match (a.get(name), b.get(name)) {
                    (Some(x), Some(y)) => equivalent(x, y, &at)?,
                    (Some(_), None) => return Err(format!("{at}: missing from the output")),
                    (None, Some(_)) => return Err(format!("{at}: not in the input")),
                    (None, None) => unreachable!(),
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{pointer}: {} items, got {}", a.len(), b.len()));
            }
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                equivalent(x, y, &format!("{pointer}/{index}"))?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{pointer}: expected {a}, got {b}")),
    }
}

/// Parses a document body, validates it and checks that it re-serializes to equivalent JSON.
fn round_trip<T>(file: &str, text: &str, schema_file: &str, operation: &dyn DynOperation)
where
    T: DeserializeOwned + Serialize + Validate,
{
    let request: T = parse::from_str(text).unwrap_or_else(|v| panic!("{file}: {v}"));
    if let Err(violations) = request.validate() {
        panic!("{file}: {violations}");
    }
    assert_eq!(operation.check_body(text), vec![], "{file}: check_body");

    let input: Value = serde_json::from_str(text).unwrap();
    let expected = normalize(&input, &lenient_integer_members(schema_file));
    let output = serde_json::to_value(&request).unwrap();
    if let Err(difference) = equivalent(&expected, &output, "") {
        panic!("{file}: re-serialized body differs at {difference}");
    }
}

#[test]
fn shopline_examples_parse_validate_and_round_trip() {
    for (file, text) in fixtures("shopline", "doc_example") {
        round_trip::<BatchSyncFlowDataRequest>(
            &file,
            &text,
            "schemas/shopline/batch_sync_flow_data.json",
            &salesync::shopline::batch_sync_flow_data::BatchSyncFlowData,
        );
    }
}

#[test]
fn shopline_string_example_is_emitted_with_numbers() {
    let text = read("tests/fixtures/shopline/doc_example_strings.json");
    let request: BatchSyncFlowDataRequest = parse::from_str(&text).unwrap();
    let flow = &request.flow_data_list[0];
    assert_eq!(flow.trigger_num, 4);
    assert_eq!(flow.occurred_on.get(), 1_672_365_600_000);
    let output = serde_json::to_value(&request).unwrap();
    assert_eq!(output["flow_data_list"][0]["trigger_num"], json!(4));
    assert_eq!(
        output["flow_data_list"][0]["occurred_on"],
        json!(1_672_365_600_000_i64)
    );
    assert_eq!(
        output["flow_data_list"][0]["delete_flow_node_data_list"][0]["buyer_num"],
        json!(100)
    );
    // Rates are decimal strings and stay strings.
    assert_eq!(
        output["flow_data_list"][0]["delete_flow_node_data_list"][0]["open_rate"],
        json!("0.9")
    );
}

#[test]
fn tencent_example_parses_validates_and_round_trips() {
    for (file, text) in fixtures("tencent", "doc_example") {
        round_trip::<SalesinfoAddRequest>(
            &file,
            &text,
            "schemas/tencent/salesinfo_add.json",
            &salesync::tencent::salesinfo_add::SalesinfoAdd,
        );
    }
}

#[test]
fn tencent_example_keeps_prices_exact() {
    let text = read("tests/fixtures/tencent/doc_example.json");
    let request: SalesinfoAddRequest = parse::from_str(&text).unwrap();
    let price = &request.salesinfo[0].price;
    assert_eq!(price.current_price.to_cents(), Some(890));
    assert_eq!(price.sku_price.to_cents(), Some(1000));
    let output = serde_json::to_string(&request).unwrap();
    assert!(output.contains(r#""current_price":8.9,"#), "{output}");
    assert!(output.contains(r#""promotion_price":7.9}"#), "{output}");
    // 10.0 comes back as 10: the same number.
    assert!(output.contains(r#""sku_price":10,"#), "{output}");
}

#[test]
fn shopline_response_example_parses() {
    let text = read("tests/fixtures/shopline/response_example.json");
    let response: BatchSyncFlowDataResponse = parse::from_str(&text).unwrap();
    assert!(response.extra.is_empty());

    // Members the platform adds later are kept, not rejected.
    let response: BatchSyncFlowDataResponse =
        parse::from_str(r#"{"traceId": "abc", "data": {"accepted": 3}}"#).unwrap();
    assert_eq!(response.extra["traceId"], json!("abc"));
    assert_eq!(response.extra["data"], json!({"accepted": 3}));
}

#[test]
fn shopline_error_bodies_parse() {
    let body: ShoplineErrorBody = parse::from_str(r#"{"errors":"Too many request"}"#).unwrap();
    assert_eq!(body.errors, Some(json!("Too many request")));
    assert_eq!(body.code, None);

    let body: ShoplineErrorBody =
        parse::from_str(r#"{"code": "E100", "message": "bad store", "hint": 1}"#).unwrap();
    assert_eq!(body.errors, None);
    assert_eq!(body.code, Some(json!("E100")));
    assert_eq!(body.message.as_deref(), Some("bad store"));
    assert_eq!(body.extra["hint"], json!(1));
}

#[test]
fn tencent_response_example_fills_code_and_message_through_aliases() {
    let text = read("tests/fixtures/tencent/response_example.json");
    let response: SalesinfoAddResponse = parse::from_str(&text).unwrap();
    assert_eq!(response.code, Some(0));
    assert_eq!(response.message.as_deref(), Some(""));
    assert_eq!(response.data, Some(json!({})));
    assert_eq!(response.errors, None);
    assert!(
        response.extra.is_empty(),
        "aliased members must not also land in extra: {:?}",
        response.extra
    );
}

#[test]
fn tencent_documented_envelope_with_errors_parses() {
    let text = r#"{
        "code": 18001,
        "message": "invalid parameter: salesinfo[0].price.current_price",
        "message_cn": "参数错误",
        "errors": [
            {"type": "parameter", "description": "current_price must be <= sku_price"},
            {"type": "parameter", "description": "sku_stock_status is required"}
        ],
        "trace_id": "0a1b2c3d"
    }"#;
    let response: SalesinfoAddResponse = parse::from_str(text).unwrap();
    assert_eq!(response.code, Some(18001));
    assert_eq!(
        response.message.as_deref(),
        Some("invalid parameter: salesinfo[0].price.current_price")
    );
    assert_eq!(response.message_cn.as_deref(), Some("参数错误"));
    assert_eq!(response.data, None);
    let errors = response.errors.as_ref().unwrap().as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[1]["description"],
        json!("sku_stock_status is required")
    );
    // Unknown members are kept in `extra`.
    assert_eq!(response.extra.len(), 1);
    assert_eq!(response.extra["trace_id"], json!("0a1b2c3d"));
}

#[test]
fn tencent_response_success_with_data_parses() {
    let response: SalesinfoAddResponse =
        parse::from_str(r#"{"code": 0, "message": "", "data": {"count": 1}, "new_field": true}"#)
            .unwrap();
    assert_eq!(response.code, Some(0));
    assert_eq!(response.data, Some(json!({"count": 1})));
    assert_eq!(response.extra["new_field"], json!(true));
}

/// The README example: a Tencent request built in Rust and the exact JSON it sends.
#[test]
fn readme_example_builds_a_tencent_request() -> Result<(), Box<dyn std::error::Error>> {
    let price = Price::builder()
        .daily_price("10".parse::<Yuan>()?)
        .current_price("8.9".parse::<Yuan>()?)
        .sku_price(Yuan::from_cents(1000)?)
        .sku_promotions(vec![SkuPromotion::builder()
            .external_promotion_id("XB-S-fcmjsb280g")
            .promotion_price(Yuan::from_cents(790)?)
            .build()])
        .build();
    let item = SalesInfo::builder()
        .external_store_id("MRYXBJN-SHIFUOYING")
        .external_sku_id("HB-P-fcmjsb280g")
        .product_type(ProductType::Normal)
        .price(price)
        .stock(
            Stock::builder()
                .sku_stock_status(SkuStockStatus::InStock)
                .build(),
        )
        .target_url_props(
            TargetUrlProps::builder()
                .url_miniprogram("pages/index/index?productSku=HB-P-fcmjsb280g")
                .miniprogram_appid("wx8186e1f37ac111ec")
                .build(),
        )
        .build();
    let request = SalesinfoAddRequest::builder()
        .account_id(1111111111)
        .user_action_set_id(1111111111)
        .data_set_id(1111111111)
        .salesinfo(vec![item])
        .build();

    request.validate()?;
    let expected = r#"{
  "account_id": 1111111111,
  "user_action_set_id": 1111111111,
  "data_set_id": 1111111111,
  "salesinfo": [
    {
      "external_store_id": "MRYXBJN-SHIFUOYING",
      "external_sku_id": "HB-P-fcmjsb280g",
      "product_type": 1,
      "price": {
        "daily_price": 10,
        "current_price": 8.9,
        "sku_price": 10,
        "sku_promotions": [
          {
            "external_promotion_id": "XB-S-fcmjsb280g",
            "promotion_price": 7.9
          }
        ]
      },
      "stock": {
        "sku_stock_status": 1
      },
      "target_url_props": {
        "url_miniprogram": "pages/index/index?productSku=HB-P-fcmjsb280g",
        "miniprogram_appid": "wx8186e1f37ac111ec"
      }
    }
  ]
}"#;
    assert_eq!(serde_json::to_string_pretty(&request)?, expected);
    Ok(())
}

#[test]
fn the_helpers_are_not_vacuous() {
    let lenient = lenient_integer_members("schemas/shopline/batch_sync_flow_data.json");
    for name in [
        "occurred_on",
        "trigger_num",
        "order_amount",
        "has_send_num",
        "buyer_num",
    ] {
        assert!(lenient.contains(name), "{name} not found in {lenient:?}");
    }
    assert!(!lenient.contains("flow_id"), "flow_id is a plain string");
    assert!(lenient_integer_members("schemas/tencent/salesinfo_add.json").is_empty());

    assert!(equivalent(&json!({"a": [10.0]}), &json!({"a": [10]}), "").is_ok());
    assert!(equivalent(&json!({"a": 8.9}), &json!({"a": 8.899999}), "").is_err());
    assert!(equivalent(&json!({"a": "4"}), &json!({"a": 4}), "").is_err());
    assert!(equivalent(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "").is_err());
    assert_eq!(
        normalize(&json!({"trigger_num": "4", "flow_id": "5"}), &lenient),
        json!({"trigger_num": 4, "flow_id": "5"})
    );
}

#[test]
fn tencent_response_with_both_code_and_retcode_parses() {
    // The clients read responses through `ResponseBody::from_json`: when both names come, the member wins.
    let text = r#"{"code": 0, "retcode": 7, "message": "", "errmsg": "old", "data": {}}"#;
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let response =
        <SalesinfoAddResponse as salesync::runtime::ResponseBody>::from_json(value).unwrap();
    assert_eq!(response.code, Some(0));
    assert_eq!(response.message.as_deref(), Some(""));
}
