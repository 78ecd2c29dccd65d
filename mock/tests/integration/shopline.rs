//! Shopline endpoint: auth, content type, versions, validation, malformed JSON, leaky bucket, upsert.

use crate::common;

use common::*;
use salesync_mock::{MockConfig, MockServer, RateLimit, Vendor, DEFAULT_SHOPLINE_TOKEN};
use serde_json::{json, Value};

fn one_flow() -> Value {
    shopline_body(vec![flow("f1", 1_672_365_600_000, 100)])
}

#[tokio::test]
async fn valid_request_is_stored_and_answered_with_empty_object_and_trace_id() {
    let mock = MockServer::start().await;
    let response = shopline_post(&mock, &one_flow()).await;
    assert_eq!(response.status(), 200);
    let trace = response.headers()["traceId"].to_str().unwrap().to_owned();
    assert_eq!(trace.len(), 32);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({}));
    let flows = mock.shopline_flows();
    assert_eq!(flows.len(), 1);
    assert_eq!(
        (flows[0].flow_id.as_str(), flows[0].order_amount),
        ("f1", 100)
    );
    assert_eq!(mock.requests()[0].trace_id.as_deref(), Some(trace.as_str()));
}

#[tokio::test]
async fn any_dated_version_is_served_and_others_are_not_found() {
    let mock = MockServer::start().await;
    for (version, expected) in [("v20251201", 200), ("v2025", 404), ("latest", 404)] {
        let url = format!(
            "{}/admin/openapi/{version}/sales/flow/batch_sync_flow_data.json",
            mock.url()
        );
        let response = client()
            .post(url)
            .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
            .header("content-type", SHOPLINE_CONTENT_TYPE)
            .body(one_flow().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{version}");
        assert!(response.headers().contains_key("traceid"));
    }
}

#[tokio::test]
async fn missing_or_wrong_token_is_401_with_errors_and_nothing_stored() {
    let mock = MockServer::start().await;
    let no_auth = client()
        .post(shopline_url(&mock))
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(one_flow().to_string());
    let wrong = client()
        .post(shopline_url(&mock))
        .bearer_auth("not-the-token")
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(one_flow().to_string());
    let not_bearer = client()
        .post(shopline_url(&mock))
        .header("authorization", DEFAULT_SHOPLINE_TOKEN)
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(one_flow().to_string());
    for request in [no_auth, wrong, not_bearer] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().contains_key("traceid"));
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"].is_string(), "{body}");
    }
    assert_eq!(mock.counts().shopline_flows, 0);
}

#[tokio::test]
async fn rotated_tokens_take_effect_at_once() {
    let mock = MockServer::start().await;
    mock.set_shopline_tokens(["fresh"]);
    assert_eq!(shopline_post(&mock, &one_flow()).await.status(), 401);
    mock.set_shopline_tokens([DEFAULT_SHOPLINE_TOKEN]);
    assert_eq!(shopline_post(&mock, &one_flow()).await.status(), 200);
}

#[tokio::test]
async fn content_type_without_charset_is_415() {
    let mock = MockServer::start().await;
    for content_type in ["application/json", "text/plain; charset=utf-8"] {
        let response = client()
            .post(shopline_url(&mock))
            .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
            .header("content-type", content_type)
            .body(one_flow().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"].as_str().unwrap().contains("charset=utf-8"));
    }
    assert_eq!(mock.counts().shopline_flows, 0);
}

#[tokio::test]
async fn schema_violations_are_422_with_every_pointer() {
    let mock = MockServer::start().await;
    // A rate that is not a string, a flow id sent as a number, an amount in yuan (not minor units).
    let mut bad_node = node("n1", 1, 5);
    bad_node["open_rate"] = json!(56.6);
    let mut bad_flow = flow("f1", 1, 1);
    bad_flow["flow_id"] = json!(5598349859474639045_i64);
    bad_flow["order_amount"] = json!(12.5);
    bad_flow["flow_node_data_list"] = json!([bad_node]);
    let response = shopline_post(&mock, &shopline_body(vec![bad_flow])).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let errors: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let pointers = [
        "/flow_data_list/0/flow_id: ",
        "/flow_data_list/0/order_amount: ",
        "/flow_data_list/0/flow_node_data_list/0/open_rate: ",
    ];
    for pointer in pointers {
        assert!(
            errors.iter().any(|e| e.starts_with(pointer)),
            "{pointer} in {errors:?}"
        );
    }
    assert_eq!(mock.counts().shopline_flows, 0);
}

#[tokio::test]
async fn what_the_document_does_not_bound_is_stored() {
    // The document gives ids no length, counts and amounts no minimum and rates no form: the mock, judging
    // by the schema, stores them as they come.
    let mock = MockServer::start().await;
    let mut odd_node = node("", 1, -5);
    odd_node["open_rate"] = json!("56.6%");
    let mut odd_flow = flow("", -1, -100);
    odd_flow["send_count"] = json!(-2);
    odd_flow["flow_node_data_list"] = json!([odd_node]);
    let response = shopline_post(&mock, &shopline_body(vec![odd_flow])).await;
    assert_eq!(response.status(), 200);
    let flows = mock.shopline_flows();
    assert_eq!(flows.len(), 1);
    let stored = &flows[0];
    assert_eq!(stored.flow_id, "");
    assert_eq!(
        (
            stored.occurred_on.get(),
            stored.order_amount,
            stored.send_count
        ),
        (-1, -100, -2)
    );
    let nodes = mock.shopline_nodes();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].node.node_id, "");
    assert_eq!(nodes[0].node.order_amount, -5);
    assert_eq!(
        nodes[0].node.open_rate.as_ref().map(ToString::to_string),
        Some("56.6%".to_owned())
    );
}

#[tokio::test]
async fn flows_the_item_rule_refuses_are_422_and_nothing_is_stored() {
    let mock = MockServer::start().await;
    mock.refuse_items(Vendor::Shopline, |flow| {
        (flow["flow_id"] == "f2").then(|| "the store has no flow f2".to_owned())
    });
    let flows = vec![flow("f1", 1, 1), flow("f2", 1, 1), flow("f3", 1, 1)];
    let response = shopline_post(&mock, &shopline_body(flows)).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"],
        json!(["/flow_data_list/1: the store has no flow f2 [platform]"])
    );
    assert_eq!(mock.counts().shopline_flows, 0);
    // A request without f2 is stored; without the rule, f2 too.
    let response = shopline_post(&mock, &shopline_body(vec![flow("f1", 1, 1)])).await;
    assert_eq!(response.status(), 200);
    mock.accept_all_items(Vendor::Shopline);
    let response = shopline_post(&mock, &shopline_body(vec![flow("f2", 1, 1)])).await;
    assert_eq!(response.status(), 200);
    assert_eq!(mock.counts().shopline_flows, 2);
}

#[tokio::test]
async fn type_errors_and_unknown_members_are_reported_per_item() {
    let mock = MockServer::start().await;
    let mut typo = flow("f1", 1, 1);
    typo["order_amout"] = json!(1);
    let mut wrong_type = flow("f2", 1, 1);
    wrong_type["send_count"] = json!("many");
    let response = shopline_post(&mock, &shopline_body(vec![typo, wrong_type])).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let text = body["errors"].to_string();
    assert!(text.contains("/flow_data_list/0/order_amout"), "{text}");
    assert!(text.contains("/flow_data_list/1/send_count"), "{text}");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let mock = MockServer::start().await;
    for body in [r#"{"app_key": "#, "", "not json"] {
        let response = client()
            .post(shopline_url(&mock))
            .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
            .header("content-type", SHOPLINE_CONTENT_TYPE)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body:?}");
        let errors: Value = response.json().await.unwrap();
        assert!(errors["errors"]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON"));
    }
}

#[tokio::test]
async fn leaky_bucket_refuses_the_overflow_with_429() {
    let config = MockConfig::default().with_rate_limit(Some(RateLimit {
        per_second: 0.5,
        burst: 5,
    }));
    let mock = MockServer::start_with(config).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let response = shopline_post(&mock, &one_flow()).await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body, json!({"errors": "Too many request"}));
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
    // Another store has its own bucket.
    let mut other = one_flow();
    other["store_id"] = json!("other-store");
    assert_eq!(shopline_post(&mock, &other).await.status(), 200);
}

#[tokio::test]
async fn default_bucket_admits_forty_then_refuses() {
    let mock = std::sync::Arc::new(MockServer::start().await);
    let mut sends = tokio::task::JoinSet::new();
    for _ in 0..45 {
        let mock = mock.clone();
        sends.spawn(async move { shopline_post(&mock, &one_flow()).await.status().as_u16() });
    }
    let statuses = sends.join_all().await;
    let refused = statuses.iter().filter(|s| **s == 429).count();
    // 45 requests at once against 4/s with a bucket of 40: the bucket drains little meanwhile.
    assert!((1..=5).contains(&refused), "{statuses:?}");
    assert_eq!(mock.counts().shopline_flows, 1);
}

#[tokio::test]
async fn disabled_bucket_never_refuses() {
    let mock = MockServer::start_with(MockConfig::default().with_rate_limit(None)).await;
    for _ in 0..50 {
        assert_eq!(shopline_post(&mock, &one_flow()).await.status(), 200);
    }
}

#[tokio::test]
async fn flows_and_nodes_upsert_by_natural_key_and_deletes_remove_nodes() {
    let mock = MockServer::start().await;
    let mut first = flow("f1", 1000, 100);
    first["flow_node_data_list"] = json!([node("n1", 1000, 10), node("n2", 1000, 20)]);
    let other_time = flow("f1", 2000, 300);
    shopline_post(&mock, &shopline_body(vec![first, other_time])).await;

    let mut again = flow("f1", 1000, 150);
    again["flow_node_data_list"] = json!([node("n1", 1000, 11)]);
    again["delete_flow_node_data_list"] = json!([node("n2", 1000, 20)]);
    assert_eq!(
        shopline_post(&mock, &shopline_body(vec![again]))
            .await
            .status(),
        200
    );

    let flows = mock.shopline_flows();
    let amounts: Vec<(i64, i64)> = flows
        .iter()
        .map(|f| (f.occurred_on.get(), f.order_amount))
        .collect();
    assert_eq!(amounts, [(1000, 150), (2000, 300)]);
    let nodes = mock.shopline_nodes();
    assert_eq!(nodes.len(), 1);
    assert_eq!(
        (nodes[0].node.node_id.as_str(), nodes[0].node.order_amount),
        ("n1", 11)
    );
    assert_eq!(nodes[0].store_id, "1658921299465");
    let records = mock.shopline_flow_records();
    assert_eq!(
        (records[0].app_key.as_str(), records[0].source_type.as_str()),
        ("app-1", "smartpush-app")
    );
    assert_eq!(mock.requests_to(Vendor::Shopline).len(), 2);
}

#[tokio::test]
async fn numbers_as_strings_are_accepted_as_in_the_document_example() {
    let mock = MockServer::start().await;
    let body = json!({
        "source_type": "smartpush-app", "store_id": "1", "app_key": "a",
        "flow_data_list": [{
            "trigger_num": "4", "flow_id": "6062082672162813673", "occurred_on": "1672365600000",
            "order_amount": "0", "order_num": "0", "send_count": "1",
        }],
    });
    assert_eq!(shopline_post(&mock, &body).await.status(), 200);
    assert_eq!(
        mock.shopline_flows()[0].occurred_on.get(),
        1_672_365_600_000
    );
}
