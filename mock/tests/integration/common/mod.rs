//! Helpers shared by the mock's tests: well-formed bodies and correctly authenticated requests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Client, Response};
use salesync::runtime::Operation;
use salesync::shopline::batch_sync_flow_data::BatchSyncFlowData;
use salesync::tencent::salesinfo_add::SalesinfoAdd;
use salesync_mock::{MockServer, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN};
use serde_json::{json, Value};

pub const SHOPLINE_CONTENT_TYPE: &str = "application/json; charset=utf-8";

thread_local! {
    /// Building a client costs ~25 ms (root certificates); each test runs on its own thread and runtime.
    static CLIENT: Client = Client::builder().build().expect("client");
}

/// This test's shared HTTP client.
pub fn client() -> Client {
    CLIENT.with(Client::clone)
}

pub fn shopline_url(mock: &MockServer) -> String {
    format!(
        "{}{}",
        mock.url(),
        BatchSyncFlowData::META.path_for(BatchSyncFlowData::META.version)
    )
}

pub fn tencent_url(mock: &MockServer) -> String {
    format!(
        "{}{}",
        mock.url(),
        SalesinfoAdd::META.path_for(SalesinfoAdd::META.version)
    )
}

pub fn flow(flow_id: &str, occurred_on: i64, order_amount: i64) -> Value {
    json!({
        "flow_id": flow_id, "occurred_on": occurred_on, "order_amount": order_amount,
        "order_num": 1, "send_count": 2, "trigger_num": 3,
    })
}

pub fn node(node_id: &str, occurred_on: i64, order_amount: i64) -> Value {
    json!({
        "node_id": node_id, "occurred_on": occurred_on, "has_send_num": 5, "has_delivery_num": 5,
        "buyer_num": 1, "order_num": 1, "order_amount": order_amount, "open_rate": "56.6",
    })
}

pub fn shopline_body(flows: Vec<Value>) -> Value {
    json!({
        "app_key": "app-1", "store_id": "1658921299465", "source_type": "smartpush-app",
        "flow_data_list": flows,
    })
}

/// Posts a Shopline body with the documented headers and the default token.
pub async fn shopline_post(mock: &MockServer, body: &Value) -> Response {
    client()
        .post(shopline_url(mock))
        .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("send")
}

pub fn sales_item(store: &str, sku: &str, current_price: f64) -> Value {
    json!({
        "external_store_id": store, "external_sku_id": sku,
        "price": {"current_price": current_price, "sku_price": 99.0},
        "stock": {"sku_stock_status": 1},
    })
}

pub fn tencent_body(items: Vec<Value>) -> Value {
    json!({"account_id": 111, "user_action_set_id": 222, "data_set_id": 333, "salesinfo": items})
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A nonce no other call in this test binary uses.
pub fn nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    format!(
        "{:016x}{:08x}",
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The documented query: the default token, now, a fresh nonce.
pub fn tencent_query() -> Vec<(&'static str, String)> {
    vec![
        ("access_token", DEFAULT_TENCENT_TOKEN.to_owned()),
        ("timestamp", now_secs().to_string()),
        ("nonce", nonce()),
    ]
}

pub async fn tencent_post_with(
    mock: &MockServer,
    query: &[(&str, String)],
    body: &Value,
) -> (u16, Value) {
    let response = client()
        .post(tencent_url(mock))
        .query(query)
        .json(body)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json envelope"))
}

pub async fn tencent_post(mock: &MockServer, body: &Value) -> (u16, Value) {
    tencent_post_with(mock, &tencent_query(), body).await
}

/// The hex trace id Tencent puts at the end of `message`.
pub fn trace_in_message(envelope: &Value) -> Option<String> {
    let message = envelope["message"].as_str()?;
    let (_, trace) = message.rsplit_once("trace_id: ")?;
    trace
        .chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| trace.to_owned())
}
