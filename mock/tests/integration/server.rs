//! The server itself: request log, routing, redaction, concurrency, garbage input, shutdown.

use crate::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use salesync_mock::{
    Fault, MockConfig, MockServer, Vendor, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn request_log_keeps_headers_query_body_and_outcome() {
    let mock = MockServer::start().await;
    let body = shopline_body(vec![flow("f1", 1, 1)]);
    shopline_post(&mock, &body).await;
    let query = tencent_query();
    tencent_post_with(
        &mock,
        &query,
        &tencent_body(vec![sales_item("s", "k", 1.0)]),
    )
    .await;

    let log = mock.requests();
    assert_eq!(log.len(), 2);
    let shopline = &log[0];
    assert_eq!(shopline.vendor, Some(Vendor::Shopline));
    assert_eq!(
        (shopline.method.as_str(), shopline.path.as_str()),
        (
            "POST",
            "/admin/openapi/v20260301/sales/flow/batch_sync_flow_data.json"
        )
    );
    assert_eq!(
        shopline.header("Authorization"),
        Some(format!("Bearer {DEFAULT_SHOPLINE_TOKEN}").as_str())
    );
    assert_eq!(shopline.header("content-type"), Some(SHOPLINE_CONTENT_TYPE));
    assert_eq!(shopline.header("accept"), Some("application/json"));
    assert_eq!(shopline.body_json(), Some(body));
    assert_eq!(shopline.status, Some(200));
    assert!(shopline.query.is_empty());

    let tencent = &log[1];
    assert_eq!(tencent.vendor, Some(Vendor::Tencent));
    assert_eq!(tencent.path, "/v1.3/salesinfo/add");
    let expected: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    assert_eq!(tencent.query, expected);
    assert_eq!(
        tencent.query_param("access_token"),
        Some(DEFAULT_TENCENT_TOKEN)
    );
    assert_eq!(
        (
            tencent.status,
            tencent.tencent_code,
            tencent.trace_id.as_deref()
        ),
        (Some(200), Some(0), None)
    );
}

#[tokio::test]
async fn a_configured_latency_holds_every_answer_back() {
    let latency = Duration::from_millis(150);
    let mock = MockServer::start_with(MockConfig::default().with_latency(latency)).await;
    let started = Instant::now();
    shopline_post(&mock, &shopline_body(vec![flow("f1", 1, 1)])).await;
    assert!(started.elapsed() >= latency, "{:?}", started.elapsed());
    assert_eq!(mock.counts().shopline_flows, 1);
}

#[tokio::test]
async fn debug_output_never_shows_tokens() {
    let mock = MockServer::start().await;
    shopline_post(&mock, &shopline_body(vec![flow("f1", 1, 1)])).await;
    tencent_post(&mock, &tencent_body(vec![sales_item("s", "k", 1.0)])).await;
    let printed = format!("{:?} {:?}", mock.requests(), MockConfig::default());
    assert!(!printed.contains(DEFAULT_SHOPLINE_TOKEN), "{printed}");
    assert!(!printed.contains(DEFAULT_TENCENT_TOKEN), "{printed}");
    assert!(printed.contains("/v1.3/salesinfo/add"));
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_answered_and_logged() {
    let mock = MockServer::start().await;
    let missing = client()
        .get(format!("{}/nowhere", mock.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["errors"],
        "Not Found"
    );
    let wrong_method = client()
        .get(shopline_url(&mock))
        .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    let log = mock.requests();
    assert_eq!((log[0].vendor, log[0].status), (None, Some(404)));
    assert_eq!(
        (log[1].vendor, log[1].status),
        (Some(Vendor::Shopline), Some(405))
    );
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let mut config = MockConfig::default();
    config.body_limit = 1024;
    let mock = MockServer::start_with(config).await;
    let flows = (0..100).map(|i| flow(&format!("flow-{i}"), 1, 1)).collect();
    let response = shopline_post(&mock, &shopline_body(flows)).await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn concurrent_calls_each_get_their_own_nonce_checked() {
    let mock = Arc::new(MockServer::start().await);
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..30 {
        let mock = mock.clone();
        calls.spawn(async move {
            let body = tencent_body(vec![sales_item("s", &format!("sku{i}"), 1.0)]);
            tencent_post(&mock, &body).await.1["code"].as_i64()
        });
    }
    assert!(calls.join_all().await.iter().all(|code| *code == Some(0)));
    let nonces: std::collections::HashSet<String> = mock
        .requests()
        .iter()
        .filter_map(|r| r.query_param("nonce").map(str::to_owned))
        .collect();
    assert_eq!(nonces.len(), 30);
    assert_eq!(mock.counts().tencent_salesinfo, 30);
}

#[tokio::test]
async fn garbage_on_the_socket_does_not_hurt_the_server() {
    let mock = MockServer::start().await;
    for garbage in [
        &b"\x00\x01\x02 not http\r\n\r\n"[..],
        b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"",
    ] {
        let mut stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
        stream.write_all(garbage).await.unwrap();
        stream.shutdown().await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
    }
    let body = shopline_body(vec![flow("f1", 1, 1)]);
    assert_eq!(shopline_post(&mock, &body).await.status(), 200);
    let bytes = vec![0xff, 0xfe, b'{'];
    let not_utf8 = client()
        .post(shopline_url(&mock))
        .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(not_utf8.status(), 400);
}

async fn refuses_connections(addr: SocketAddr) -> bool {
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish_then_closes_the_port() {
    let mock = MockServer::start().await;
    let addr = mock.addr();
    mock.push_fault(Vendor::Shopline, Fault::Delay(Duration::from_millis(200)));
    let url = shopline_url(&mock);
    let in_flight = tokio::spawn(async move {
        client()
            .post(url)
            .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
            .header("content-type", SHOPLINE_CONTENT_TYPE)
            .body(shopline_body(vec![flow("f1", 1, 1)]).to_string())
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    // Shut down only once the request has arrived: a connection with nothing in flight is simply closed.
    while mock.requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    mock.shutdown().await;
    assert_eq!(in_flight.await.unwrap().unwrap(), 200);
    assert!(refuses_connections(addr).await);
}

#[tokio::test]
async fn dropping_the_server_closes_the_port() {
    let mock = MockServer::start().await;
    let addr = mock.addr();
    drop(mock);
    assert!(refuses_connections(addr).await);
}

#[tokio::test]
async fn start_on_a_given_address_and_run_until_a_signal() {
    let mock = MockServer::start_on("127.0.0.1:0".parse().unwrap(), MockConfig::default())
        .await
        .unwrap();
    let addr = mock.addr();
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    assert_eq!(mock.url(), format!("http://{addr}"));
    mock.run_until(tokio::time::sleep(Duration::from_millis(20)))
        .await;
    assert!(refuses_connections(addr).await);
}

#[tokio::test]
async fn reset_forgets_records_log_nonces_and_faults() {
    let mock = MockServer::start().await;
    let query = tencent_query();
    tencent_post_with(
        &mock,
        &query,
        &tencent_body(vec![sales_item("s", "k", 1.0)]),
    )
    .await;
    mock.push_fault(Vendor::Tencent, Fault::status(500));
    mock.reset();
    assert_eq!(mock.counts(), Default::default());
    assert!(mock.requests().is_empty());
    assert_eq!(mock.pending_faults(Vendor::Tencent), 0);
    let (_, envelope) = tencent_post_with(
        &mock,
        &query,
        &tencent_body(vec![sales_item("s", "k", 1.0)]),
    )
    .await;
    assert_eq!(envelope["code"], 0);
}

#[tokio::test]
async fn a_capped_log_keeps_the_latest_requests() {
    let mock = MockServer::start_with(MockConfig::default().with_request_log_limit(3)).await;
    for _ in 0..5 {
        tencent_post(&mock, &tencent_body(vec![sales_item("s", "k", 1.0)])).await;
    }
    let log = mock.requests();
    let seqs: Vec<u64> = log.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [2, 3, 4]);
    assert!(log.iter().all(|r| r.tencent_code == Some(0)));
}
