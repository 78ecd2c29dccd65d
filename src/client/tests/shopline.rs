use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::stub::{Reply, Stub};
use super::{flow, quick, shopline_request, Rotating};
use crate::client::DEFAULT_USER_AGENT;
use crate::shopline::batch_sync_flow_data::{
    BatchSyncFlowData, FlowNodeData, PercentRate, TimestampMillis,
};
use crate::{Error, ShoplineClient, Vendor};

const PATH: &str = "/admin/openapi/v20260301/sales/flow/batch_sync_flow_data.json";

fn client(stub: &Stub, attempts: u32) -> ShoplineClient {
    ShoplineClient::builder()
        .base_url(&stub.url)
        .access_token("shop-token-123")
        .no_pacing()
        .retry(quick(attempts))
        .build()
        .unwrap()
}

#[tokio::test]
async fn sends_the_documented_headers_and_reads_the_trace_id() {
    let stub = Stub::start(|_| Reply::json(200, "{}").header("TraceId", "trace-abc")).await;
    let request = shopline_request(2);
    let response = client(&stub, 3)
        .call::<BatchSyncFlowData>(&request)
        .await
        .unwrap();
    assert_eq!(response.trace_id.as_deref(), Some("trace-abc"));
    assert_eq!((response.status, response.attempts), (200, 1));
    let sent = &stub.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.target, PATH);
    assert_eq!(sent.header("authorization"), Some("Bearer shop-token-123"));
    assert_eq!(
        sent.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert_eq!(sent.header("user-agent"), Some(DEFAULT_USER_AGENT));
    assert_eq!(sent.header("sign"), None);
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body, serde_json::to_value(&request).unwrap());
}

#[tokio::test]
async fn version_and_user_agent_can_be_overridden() {
    let stub = Stub::start(|_| Reply::json(200, "")).await;
    let client = ShoplineClient::builder()
        .base_url(format!("{}/", stub.url))
        .access_token("shop-token-123")
        .api_version("v20251201")
        .user_agent("my-app/2")
        .build()
        .unwrap();
    // An empty success body reads as `{}`.
    client
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    let sent = &stub.requests()[0];
    assert_eq!(
        sent.path(),
        "/admin/openapi/v20251201/sales/flow/batch_sync_flow_data.json"
    );
    assert_eq!(sent.header("user-agent"), Some("my-app/2"));
}

#[tokio::test]
async fn signed_calls_carry_appkey_timestamp_and_sign() {
    let stub = Stub::start(|_| Reply::json(200, "{}")).await;
    let client = ShoplineClient::builder()
        .base_url(&stub.url)
        .access_token("shop-token-123")
        .signing("my-app-key", "my-app-secret")
        .build()
        .unwrap();
    client
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    let sent = &stub.requests()[0];
    assert_eq!(sent.header("appkey"), Some("my-app-key"));
    let timestamp = sent.header("timestamp").unwrap();
    let millis: u128 = timestamp.parse().unwrap();
    assert!(millis > 1_700_000_000_000);
    let mut mac = Hmac::<Sha256>::new_from_slice(b"my-app-secret").unwrap();
    mac.update(&sent.body);
    mac.update(timestamp.as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sent.header("sign"), Some(expected.as_str()));
}

#[tokio::test]
async fn an_invalid_request_is_never_sent() {
    let stub = Stub::start(|_| Reply::json(200, "{}")).await;
    // 101 flows: over the document's "max 100", the one rule a typed request can break.
    let request = shopline_request(101);
    let error = client(&stub, 3)
        .call::<BatchSyncFlowData>(&request)
        .await
        .unwrap_err();
    let Error::Validation(violations) = &error else {
        panic!("{error:?}");
    };
    let found: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.pointer.as_str(), v.rule))
        .collect();
    assert_eq!(found, [("/flow_data_list", "maxItems")]);
    assert!(!error.is_retryable());
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn what_the_document_does_not_bound_is_sent() {
    // Empty ids, negative counts and amounts, and a rate in any form: the document gives no length, minimum
    // or form, so the platform judges them.
    let stub = Stub::start(|_| Reply::json(200, "{}")).await;
    let mut request = shopline_request(1);
    request.store_id.clear();
    let mut odd = flow("");
    odd.send_count = -1;
    odd.order_amount = -1200;
    odd.occurred_on = TimestampMillis::new(-1).unwrap();
    odd.flow_node_data_list = Some(vec![FlowNodeData::builder()
        .node_id("")
        .occurred_on(TimestampMillis::new(1_700_000_000_000).unwrap())
        .has_send_num(-5)
        .has_delivery_num(0)
        .buyer_num(0)
        .order_num(0)
        .order_amount(0)
        .open_rate(PercentRate::new("56.6%").unwrap())
        .build()]);
    request.flow_data_list.push(odd);
    let response = client(&stub, 3)
        .call::<BatchSyncFlowData>(&request)
        .await
        .unwrap();
    assert_eq!(response.attempts, 1);
    let sent: serde_json::Value = serde_json::from_slice(&stub.requests()[0].body).unwrap();
    assert_eq!(sent["store_id"], "");
    let odd = &sent["flow_data_list"][1];
    assert_eq!(
        (
            &odd["flow_id"],
            &odd["send_count"],
            &odd["order_amount"],
            &odd["occurred_on"]
        ),
        (&json!(""), &json!(-1), &json!(-1200), &json!(-1))
    );
    let node = &odd["flow_node_data_list"][0];
    assert_eq!(
        (&node["node_id"], &node["has_send_num"], &node["open_rate"]),
        (&json!(""), &json!(-5), &json!("56.6%"))
    );
}

#[tokio::test]
async fn retries_429_honouring_retry_after() {
    let stub = Stub::start(|request| {
        if request.index == 0 {
            Reply::json(429, r#"{"errors":"Too many request"}"#).header("Retry-After", "1")
        } else {
            Reply::json(200, "{}")
        }
    })
    .await;
    let started = Instant::now();
    let response = client(&stub, 3)
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn does_not_retry_a_4xx_and_reads_errors_leniently() {
    let cases = [
        (
            400,
            r#"{"errors": ["flow_id is blank"]}"#,
            None,
            serde_json::json!(["flow_id is blank"]),
            "[\"flow_id is blank\"]",
        ),
        (
            422,
            r#"{"errors": {"flow_id": ["blank"]}, "code": "4220", "message": "bad"}"#,
            Some(4220),
            serde_json::json!({"flow_id": ["blank"]}),
            "bad",
        ),
        (
            403,
            r#"{"errors": "forbidden", "code": "ACCESS_DENIED"}"#,
            None,
            serde_json::json!("forbidden"),
            "ACCESS_DENIED",
        ),
    ];
    for (status, body, code, errors, message) in cases {
        let stub = Stub::start(move |_| Reply::json(status, body).header("traceid", "t-4")).await;
        let error = client(&stub, 5)
            .call::<BatchSyncFlowData>(&shopline_request(1))
            .await
            .unwrap_err();
        assert_eq!(stub.requests().len(), 1, "{status} was retried");
        let Error::Api {
            vendor,
            status: got,
            code: got_code,
            errors: got_errors,
            message: got_message,
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!((*vendor, *got, *got_code), (Vendor::Shopline, status, code));
        assert_eq!(got_errors, &errors);
        assert_eq!(got_message.as_deref(), Some(message));
        assert_eq!(error.trace_id(), Some("t-4"));
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn retries_5xx_then_reports_an_http_error_with_a_bounded_excerpt() {
    let page = format!("<html>{}</html>", "x".repeat(5000));
    let stub = Stub::start(move |_| Reply::json(503, page.clone())).await;
    let error = client(&stub, 3)
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap_err();
    assert_eq!(stub.requests().len(), 3);
    let Error::Http { status, body, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*status, 503);
    assert!(body.len() <= 520 && body.starts_with("<html>"));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn timeouts_and_dropped_connections_are_retried_transport_errors() {
    let stub = Stub::start(|request| match request.index {
        0 => Reply::Drop,
        1 => Reply::json(200, "{}").delayed(Duration::from_secs(5)),
        _ => Reply::json(200, "{}"),
    })
    .await;
    let client = ShoplineClient::builder()
        .base_url(&stub.url)
        .access_token("shop-token-123")
        .timeout(Duration::from_millis(300))
        .retry(quick(3))
        .build()
        .unwrap();
    let response = client
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    assert_eq!(response.attempts, 3);

    let slow = Stub::start(|_| Reply::json(200, "{}").delayed(Duration::from_secs(5))).await;
    let error = ShoplineClient::builder()
        .base_url(&slow.url)
        .access_token("shop-token-123")
        .timeout(Duration::from_millis(100))
        .retry(quick(2))
        .build()
        .unwrap()
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { timeout: true, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(slow.requests().len(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let error = ShoplineClient::builder()
        .base_url(url)
        .access_token("shop-token-123")
        .retry(quick(2))
        .build()
        .unwrap()
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                connect: true,
                timeout: false,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_401_asks_the_token_provider_again_once() {
    let stub = Stub::start(|request| {
        if request.header("authorization") == Some("Bearer token-1") {
            Reply::json(401, r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#)
        } else {
            Reply::json(200, "{}")
        }
    })
    .await;
    let provider = Arc::new(Rotating(AtomicU32::new(0)));
    let client = ShoplineClient::builder()
        .base_url(&stub.url)
        .token_provider(provider.clone())
        .retry(quick(5))
        .build()
        .unwrap();
    let response = client
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    // The new token is kept for later calls.
    client
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    assert_eq!(provider.0.load(Ordering::SeqCst), 2);

    // Refused every time: asked again once per call, then the 401 is returned.
    let always = Stub::start(|_| Reply::json(401, r#"{"errors":"expired"}"#)).await;
    let provider = Arc::new(Rotating(AtomicU32::new(0)));
    let error = ShoplineClient::builder()
        .base_url(&always.url)
        .token_provider(provider.clone())
        .retry(quick(5))
        .build()
        .unwrap()
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap_err();
    assert!(error.is_auth() && !error.is_retryable(), "{error:?}");
    assert_eq!(always.requests().len(), 2);
    assert_eq!(provider.0.load(Ordering::SeqCst), 2);

    // A fixed token is not retried at all.
    let error = client_for(&always)
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap_err();
    assert!(error.is_auth());
    assert_eq!(always.requests().len(), 3);
}

fn client_for(stub: &Stub) -> ShoplineClient {
    client(stub, 5)
}

#[tokio::test]
async fn a_2xx_that_is_not_json_is_a_decode_error() {
    let stub = Stub::start(|_| Reply::json(200, "{not json").header("traceId", "t-9")).await;
    let error = client(&stub, 3)
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Decode { body, .. } if body == "{not json"),
        "{error:?}"
    );
    assert_eq!(error.trace_id(), Some("t-9"));
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn the_pace_spaces_requests_out() {
    let stub = Stub::start(|_| Reply::json(200, "{}")).await;
    let client = ShoplineClient::builder()
        .base_url(&stub.url)
        .access_token("shop-token-123")
        .pace(crate::client::Pace::every(Duration::from_millis(50), 2))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        client
            .call::<BatchSyncFlowData>(&shopline_request(1))
            .await
            .unwrap();
    }
    // 2 at once, then 3 at 50 ms each.
    assert!(
        started.elapsed() >= Duration::from_millis(140),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn builder_errors_are_config_errors() {
    for builder in [
        ShoplineClient::builder().access_token("t"),
        ShoplineClient::builder().store("my-store"),
        ShoplineClient::builder()
            .store("bad/handle")
            .access_token("t"),
        ShoplineClient::builder()
            .base_url("http://x")
            .access_token("t")
            .api_version("a/b"),
    ] {
        assert!(matches!(builder.build(), Err(Error::Config(_))));
    }
    let client = ShoplineClient::builder()
        .store("My-Store")
        .access_token("t")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://my-store.myshopline.com");
    // A Tencent endpoint through the Shopline client is refused before anything is sent.
    let error = client
        .call::<crate::tencent::salesinfo_add::SalesinfoAdd>(&super::tencent_request(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Config(_)));
}
