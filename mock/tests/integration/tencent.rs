//! Tencent endpoint: query auth (token, timestamp, nonce), envelope errors with trace ids, validation, upsert.

use crate::common;

use common::*;
use salesync_mock::{MockConfig, MockServer, Vendor, DEFAULT_TENCENT_TOKEN, TENCENT_VERSIONS};
use serde_json::{json, Value};

fn one_item() -> Value {
    tencent_body(vec![sales_item("s1", "sku1", 9.9)])
}

fn query(token: &str, timestamp: i64, nonce: &str) -> Vec<(&'static str, String)> {
    vec![
        ("access_token", token.to_owned()),
        ("timestamp", timestamp.to_string()),
        ("nonce", nonce.to_owned()),
    ]
}

#[tokio::test]
async fn valid_request_is_stored_and_answered_with_code_zero() {
    let mock = MockServer::start().await;
    let (status, envelope) = tencent_post(&mock, &one_item()).await;
    assert_eq!(status, 200);
    assert_eq!(
        envelope,
        json!({"code": 0, "message": "", "message_cn": "", "data": {}})
    );
    let stored = mock.tencent_salesinfo();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].external_sku_id, "sku1");
    assert_eq!(mock.requests()[0].tencent_code, Some(0));
}

#[tokio::test]
async fn both_documented_versions_are_served() {
    let mock = MockServer::start().await;
    for version in TENCENT_VERSIONS {
        let url = format!("{}/{version}/salesinfo/add", mock.url());
        let response = client()
            .post(url)
            .query(&tencent_query())
            .json(&one_item())
            .send()
            .await
            .unwrap();
        let envelope: Value = response.json().await.unwrap();
        assert_eq!(envelope["code"], 0, "{version}");
    }
    let url = format!("{}/v9.9/salesinfo/add", mock.url());
    let response = client()
        .post(url)
        .query(&tencent_query())
        .json(&one_item())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn wrong_token_is_11002_with_trace_id_in_message() {
    let mock = MockServer::start().await;
    let (status, envelope) =
        tencent_post_with(&mock, &query("nope", now_secs(), &nonce()), &one_item()).await;
    assert_eq!(status, 200);
    assert_eq!(envelope["code"], 11002);
    assert!(envelope["message_cn"].is_string());
    let trace = trace_in_message(&envelope).expect("trace_id in message");
    assert_eq!(mock.requests()[0].trace_id, Some(trace));
    assert_eq!(mock.counts().tencent_salesinfo, 0);
}

#[tokio::test]
async fn missing_parameters_are_12000_naming_them() {
    let mock = MockServer::start().await;
    let only_token = vec![("access_token", DEFAULT_TENCENT_TOKEN.to_owned())];
    let (_, envelope) = tencent_post_with(&mock, &only_token, &one_item()).await;
    assert_eq!(envelope["code"], 12000);
    let message = envelope["message"].as_str().unwrap();
    assert!(message.contains("timestamp, nonce"), "{message}");
    let (_, envelope) = tencent_post_with(&mock, &[], &one_item()).await;
    assert_eq!(envelope["code"], 12000);
}

#[tokio::test]
async fn stale_future_or_garbled_timestamp_is_12101() {
    let mock = MockServer::start().await;
    for timestamp in [now_secs() - 310, now_secs() + 310] {
        let q = query(DEFAULT_TENCENT_TOKEN, timestamp, &nonce());
        assert_eq!(
            tencent_post_with(&mock, &q, &one_item()).await.1["code"],
            12101
        );
    }
    let mut q = tencent_query();
    q[1].1 = "yesterday".to_owned();
    assert_eq!(
        tencent_post_with(&mock, &q, &one_item()).await.1["code"],
        12101
    );
    let q = query(DEFAULT_TENCENT_TOKEN, now_secs() - 290, &nonce());
    assert_eq!(tencent_post_with(&mock, &q, &one_item()).await.1["code"], 0);
}

#[tokio::test]
async fn skew_is_configurable() {
    let config = MockConfig::default().with_tencent_max_skew(std::time::Duration::from_secs(5));
    let mock = MockServer::start_with(config).await;
    let q = query(DEFAULT_TENCENT_TOKEN, now_secs() - 60, &nonce());
    assert_eq!(
        tencent_post_with(&mock, &q, &one_item()).await.1["code"],
        12101
    );
}

#[tokio::test]
async fn reused_nonce_is_12100_even_after_an_error_answer() {
    let mock = MockServer::start().await;
    let q = tencent_query();
    assert_eq!(tencent_post_with(&mock, &q, &one_item()).await.1["code"], 0);
    let mut retry = q.clone();
    retry[1].1 = now_secs().to_string();
    assert_eq!(
        tencent_post_with(&mock, &retry, &one_item()).await.1["code"],
        12100
    );

    // A nonce is used up by an answered call whatever its outcome (here a validation error).
    let q = tencent_query();
    let invalid = tencent_body(vec![sales_item("s1", "k1", 100.0)]); // current_price above sku_price
    assert_eq!(
        tencent_post_with(&mock, &q, &invalid).await.1["code"],
        18001
    );
    assert_eq!(
        tencent_post_with(&mock, &q, &one_item()).await.1["code"],
        12100
    );

    // Nonces are per access token.
    mock.set_tencent_tokens([DEFAULT_TENCENT_TOKEN, "second"]);
    let mut other = q.clone();
    other[0].1 = "second".to_owned();
    assert_eq!(
        tencent_post_with(&mock, &other, &one_item()).await.1["code"],
        0
    );
}

#[tokio::test]
async fn overlong_nonce_is_12100_and_32_chars_is_fine() {
    let mock = MockServer::start().await;
    let q = query(DEFAULT_TENCENT_TOKEN, now_secs(), &"a".repeat(33));
    assert_eq!(
        tencent_post_with(&mock, &q, &one_item()).await.1["code"],
        12100
    );
    let q = query(DEFAULT_TENCENT_TOKEN, now_secs(), &"b".repeat(32));
    assert_eq!(tencent_post_with(&mock, &q, &one_item()).await.1["code"], 0);
}

#[tokio::test]
async fn validation_errors_are_18001_with_type_and_pointer_description() {
    let mock = MockServer::start().await;
    let mut item = sales_item("s1", "sku1", 120.0); // current_price > sku_price
    item["external_store_id"] = json!("店".repeat(11)); // 33 bytes > 32
    item["price"]["sku_price"] = json!(99.999);
    let mut missing = sales_item("s2", "sku2", 1.0);
    missing.as_object_mut().unwrap().remove("stock");
    let (status, envelope) = tencent_post(&mock, &tencent_body(vec![item, missing])).await;
    assert_eq!(status, 200);
    assert_eq!(envelope["code"], 18001);
    assert!(trace_in_message(&envelope).is_some(), "{envelope}");
    let errors = envelope["errors"].as_array().unwrap();
    let has = |rule: &str, pointer: &str| {
        errors.iter().any(|e| {
            e["type"] == rule
                && e["description"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{pointer}: "))
        })
    };
    assert!(
        has("x-maxBytes", "/salesinfo/0/external_store_id"),
        "{errors:?}"
    );
    assert!(
        has("x-decimalPlaces", "/salesinfo/0/price/sku_price"),
        "{errors:?}"
    );
    assert!(has("required", "/salesinfo/1/stock"), "{errors:?}");
    assert_eq!(mock.counts().tencent_salesinfo, 0);
}

#[tokio::test]
async fn items_the_item_rule_refuses_are_18001_and_nothing_is_stored() {
    let mock = MockServer::start().await;
    mock.refuse_items(Vendor::Tencent, |item| {
        (item["external_sku_id"] == "k2").then(|| "no such SKU in the data set".to_owned())
    });
    let items = vec![sales_item("s1", "k1", 9.0), sales_item("s1", "k2", 9.0)];
    let (status, envelope) = tencent_post(&mock, &tencent_body(items)).await;
    assert_eq!(status, 200);
    assert_eq!(envelope["code"], 18001);
    assert_eq!(
        envelope["errors"],
        json!([{"type": "platform", "description": "/salesinfo/1: no such SKU in the data set"}])
    );
    assert_eq!(mock.counts().tencent_salesinfo, 0);
    mock.accept_all_items(Vendor::Tencent);
    let items = vec![sales_item("s1", "k1", 9.0), sales_item("s1", "k2", 9.0)];
    assert_eq!(tencent_post(&mock, &tencent_body(items)).await.1["code"], 0);
    assert_eq!(mock.counts().tencent_salesinfo, 2);
}

#[tokio::test]
async fn malformed_json_is_12003() {
    let mock = MockServer::start().await;
    let response = client()
        .post(tencent_url(&mock))
        .query(&tencent_query())
        .header("content-type", "application/json")
        .body(r#"{"account_id": 1,"#)
        .send()
        .await
        .unwrap();
    let envelope: Value = response.json().await.unwrap();
    assert_eq!(envelope["code"], 12003);
    assert!(trace_in_message(&envelope).is_some());
}

#[tokio::test]
async fn salesinfo_upserts_by_account_data_set_store_and_sku() {
    let mock = MockServer::start().await;
    let first = tencent_body(vec![
        sales_item("s1", "sku1", 10.0),
        sales_item("s1", "sku2", 20.0),
    ]);
    assert_eq!(tencent_post(&mock, &first).await.1["code"], 0);
    let again = tencent_body(vec![sales_item("s1", "sku1", 11.5)]);
    assert_eq!(tencent_post(&mock, &again).await.1["code"], 0);
    let mut other_set = tencent_body(vec![sales_item("s1", "sku1", 12.0)]);
    other_set["data_set_id"] = json!(444);
    assert_eq!(tencent_post(&mock, &other_set).await.1["code"], 0);

    let records = mock.tencent_salesinfo_records();
    let seen: Vec<(i64, &str, String)> = records
        .iter()
        .map(|r| {
            (
                r.data_set_id,
                r.item.external_sku_id.as_str(),
                r.item.price.current_price.to_string(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (333, "sku1", "11.5".to_owned()),
            (333, "sku2", "20".to_owned()),
            (444, "sku1", "12".to_owned())
        ]
    );
    assert_eq!(mock.requests_to(Vendor::Tencent).len(), 3);
}
