//! Injected faults: each kind, for both vendors; faulted requests store nothing except "store then fail".

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use salesync_mock::{
    AfterStore, Fault, MockConfig, MockServer, RandomFaults, RateLimit, Vendor,
    DEFAULT_SHOPLINE_TOKEN,
};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

fn shopline_one() -> Value {
    shopline_body(vec![flow("f1", 1000, 1)])
}

fn tencent_one() -> Value {
    tencent_body(vec![sales_item("s1", "sku1", 9.9)])
}

#[tokio::test]
async fn status_429_with_and_without_retry_after() {
    let mock = MockServer::start().await;
    mock.push_fault(
        Vendor::Shopline,
        Fault::too_many_requests(Some(Duration::from_millis(1500))),
    );
    mock.push_fault(Vendor::Shopline, Fault::too_many_requests(None));
    assert_eq!(mock.pending_faults(Vendor::Shopline), 2);

    let first = shopline_post(&mock, &shopline_one()).await;
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "2");
    assert!(first.headers().contains_key("traceid"));
    assert_eq!(
        first.json::<Value>().await.unwrap(),
        json!({"errors": "Too many request"})
    );

    let second = shopline_post(&mock, &shopline_one()).await;
    assert_eq!(second.status(), 429);
    assert!(!second.headers().contains_key("retry-after"));

    assert_eq!(mock.counts().shopline_flows, 0);
    assert_eq!(shopline_post(&mock, &shopline_one()).await.status(), 200);
    let faults: Vec<_> = mock.requests().into_iter().map(|r| r.fault).collect();
    assert!(matches!(
        faults.as_slice(),
        [Some(Fault::Status { .. }), Some(Fault::Status { .. }), None]
    ));
}

#[tokio::test]
async fn server_errors_for_both_vendors() {
    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Shopline, Fault::status(500));
    mock.push_fault(Vendor::Tencent, Fault::status(503));
    let shopline = shopline_post(&mock, &shopline_one()).await;
    assert_eq!(shopline.status(), 500);
    assert!(shopline.json::<Value>().await.unwrap()["errors"].is_string());
    let (status, envelope) = tencent_post(&mock, &tencent_one()).await;
    assert_eq!(status, 503);
    assert!(trace_in_message(&envelope).is_some());
    assert_eq!(mock.counts(), Default::default());
}

#[tokio::test]
async fn faults_wait_for_an_authenticated_request() {
    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Shopline, Fault::status(500));
    let unauthenticated = client()
        .post(shopline_url(&mock))
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(shopline_one().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    assert_eq!(mock.pending_faults(Vendor::Shopline), 1);
    // Faults are per vendor.
    assert_eq!(tencent_post(&mock, &tencent_one()).await.1["code"], 0);
    assert_eq!(shopline_post(&mock, &shopline_one()).await.status(), 500);
}

#[tokio::test]
async fn delay_pushes_a_call_past_the_client_timeout() {
    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Tencent, Fault::Delay(Duration::from_secs(2)));
    let result = client()
        .post(tencent_url(&mock))
        .query(&tencent_query())
        .json(&tencent_one())
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
}

#[tokio::test]
async fn a_delayed_request_is_stored_even_after_the_client_hung_up() {
    let mock = MockServer::start().await;
    let delay = Duration::from_millis(500);
    mock.push_fault(Vendor::Tencent, Fault::Delay(delay));
    let body = tencent_one().to_string();
    let query: Vec<String> = tencent_query()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let request = format!(
        "POST /v1.3/salesinfo/add?{} HTTP/1.1\r\nhost: mock\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        query.join("&"),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while mock.requests().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(stream); // the client gives up while the platform is still working
    assert_eq!(
        mock.counts().tencent_salesinfo,
        0,
        "not stored before the delay is over"
    );
    // A slow platform still commits what it received: a client that retries must expect duplicates.
    while mock.counts().tencent_salesinfo == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(mock.counts().tencent_salesinfo, 1, "{:?}", mock.requests());
    assert_eq!(mock.requests()[0].fault, Some(Fault::Delay(delay)));
}

#[tokio::test]
async fn a_patient_client_gets_the_delayed_answer() {
    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Shopline, Fault::Delay(Duration::from_millis(150)));
    let started = Instant::now();
    assert_eq!(shopline_post(&mock, &shopline_one()).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn dropped_connection_gets_no_response_and_stores_nothing() {
    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Shopline, Fault::DropConnection);
    mock.push_fault(Vendor::Tencent, Fault::DropConnection);
    let shopline = client()
        .post(shopline_url(&mock))
        .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(shopline_one().to_string())
        .send()
        .await;
    let err = shopline.unwrap_err();
    assert!(!err.is_timeout() && err.status().is_none(), "{err:?}");
    let tencent = client()
        .post(tencent_url(&mock))
        .query(&tencent_query())
        .json(&tencent_one())
        .send()
        .await;
    assert!(tencent.is_err());
    assert_eq!(mock.counts(), Default::default());
    let log = mock.requests();
    assert!(
        log.iter().all(|r| r.dropped && r.status.is_none()),
        "{log:?}"
    );
    // The server goes on serving.
    assert_eq!(shopline_post(&mock, &shopline_one()).await.status(), 200);
}

#[tokio::test]
async fn malformed_json_with_200() {
    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Shopline, Fault::MalformedJson);
    mock.push_fault(Vendor::Tencent, Fault::MalformedJson);
    let shopline = shopline_post(&mock, &shopline_one()).await;
    assert_eq!(shopline.status(), 200);
    assert!(shopline.headers().contains_key("traceid"));
    assert!(serde_json::from_str::<Value>(&shopline.text().await.unwrap()).is_err());
    let tencent = client()
        .post(tencent_url(&mock))
        .query(&tencent_query())
        .json(&tencent_one())
        .send()
        .await
        .unwrap();
    assert_eq!(tencent.status(), 200);
    assert!(serde_json::from_str::<Value>(&tencent.text().await.unwrap()).is_err());
    assert_eq!(mock.counts(), Default::default());
}

#[tokio::test]
async fn tencent_platform_codes_with_messages() {
    let mock = MockServer::start().await;
    for code in [10000, 11017, 12100, 18001] {
        mock.push_fault(Vendor::Tencent, Fault::tencent(code));
        let (status, envelope) = tencent_post(&mock, &tencent_one()).await;
        assert_eq!((status, envelope["code"].as_i64()), (200, Some(code)));
        assert!(envelope["message_cn"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(trace_in_message(&envelope).is_some(), "{envelope}");
    }
    assert_eq!(mock.counts().tencent_salesinfo, 0);
    mock.push_fault(
        Vendor::Tencent,
        Fault::Code {
            code: 10001,
            message: "Down for upgrade".into(),
        },
    );
    let (_, envelope) = tencent_post(&mock, &tencent_one()).await;
    assert!(envelope["message"]
        .as_str()
        .unwrap()
        .starts_with("Down for upgrade, trace_id: "));
}

#[tokio::test]
async fn code_fault_on_shopline_is_400_with_code_and_message() {
    let mock = MockServer::start().await;
    mock.push_fault(
        Vendor::Shopline,
        Fault::Code {
            code: 423,
            message: "store locked".into(),
        },
    );
    let response = shopline_post(&mock, &shopline_one()).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"errors": "store locked", "code": 423, "message": "store locked"})
    );
}

#[tokio::test]
async fn store_then_fail_stores_and_then_fails() {
    let mock = MockServer::start().await;
    mock.push_fault(
        Vendor::Shopline,
        Fault::StoreThenFail(AfterStore::Status(500)),
    );
    mock.push_fault(
        Vendor::Tencent,
        Fault::StoreThenFail(AfterStore::DropConnection),
    );
    assert_eq!(shopline_post(&mock, &shopline_one()).await.status(), 500);
    let tencent = client()
        .post(tencent_url(&mock))
        .query(&tencent_query())
        .json(&tencent_one())
        .send()
        .await;
    assert!(tencent.is_err());
    assert_eq!(mock.counts().shopline_flows, 1);
    assert_eq!(mock.counts().tencent_salesinfo, 1);
    // Redelivery lands on the same keys.
    assert_eq!(shopline_post(&mock, &shopline_one()).await.status(), 200);
    assert_eq!(tencent_post(&mock, &tencent_one()).await.1["code"], 0);
    assert_eq!(mock.counts().shopline_flows, 1);
    assert_eq!(mock.counts().tencent_salesinfo, 1);
}

#[tokio::test]
async fn store_then_fail_with_an_invalid_body_answers_the_validation_error() {
    let mock = MockServer::start().await;
    mock.push_fault(
        Vendor::Shopline,
        Fault::StoreThenFail(AfterStore::Status(500)),
    );
    // An amount in yuan where the schema wants minor units: refused, so nothing is stored.
    let mut invalid = flow("f1", 1, 1);
    invalid["order_amount"] = json!(12.5);
    let response = shopline_post(&mock, &shopline_body(vec![invalid])).await;
    assert_eq!(response.status(), 422);
    assert_eq!(mock.counts().shopline_flows, 0);
    assert_eq!(mock.pending_faults(Vendor::Shopline), 0);
}

#[tokio::test]
async fn invalid_status_codes_become_500_without_panicking() {
    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Shopline, Fault::status(42));
    assert_eq!(shopline_post(&mock, &shopline_one()).await.status(), 500);
}

async fn random_run(seed: u64) -> Vec<u16> {
    let random = RandomFaults::new(0.3, vec![Fault::status(500), Fault::status(503)], seed);
    let config = MockConfig::default()
        .with_rate_limit(None)
        .with_random_faults(Vendor::Shopline, random);
    let mock = MockServer::start_with(config).await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(
            shopline_post(&mock, &shopline_one())
                .await
                .status()
                .as_u16(),
        );
    }
    statuses
}

#[tokio::test]
async fn random_faults_are_seeded_and_mixed() {
    let first = random_run(42).await;
    assert_eq!(first, random_run(42).await);
    let faulted = first.iter().filter(|s| **s != 200).count();
    assert!((3..=25).contains(&faulted), "{first:?}");
    assert!(first.contains(&500) && first.contains(&503), "{first:?}");
}

#[tokio::test]
async fn random_faults_can_be_switched_at_run_time_and_the_queue_goes_first() {
    let mock = MockServer::start().await;
    mock.set_random_faults(
        Vendor::Tencent,
        Some(RandomFaults::new(1.0, vec![Fault::tencent(10000)], 1)),
    );
    mock.push_fault(Vendor::Tencent, Fault::tencent(11017));
    assert_eq!(tencent_post(&mock, &tencent_one()).await.1["code"], 11017);
    assert_eq!(tencent_post(&mock, &tencent_one()).await.1["code"], 10000);
    mock.set_random_faults(Vendor::Tencent, None);
    assert_eq!(tencent_post(&mock, &tencent_one()).await.1["code"], 0);
}

#[tokio::test]
async fn retry_after_goes_exactly_when_asked_and_the_bucket_level_can_be_read() {
    let config = MockConfig::default()
        .with_exact_retry_after(true)
        .with_rate_limit(Some(RateLimit {
            per_second: 40.0,
            burst: 40,
        }));
    let mock = MockServer::start_with(config).await;
    mock.push_fault(
        Vendor::Shopline,
        Fault::too_many_requests(Some(Duration::from_millis(100))),
    );
    let answer = shopline_post(&mock, &shopline_one()).await;
    assert_eq!(answer.status(), 429);
    assert_eq!(answer.headers()["retry-after"], "0.1");
    // The refused request was let through the bucket first (faults come after it): one request in it.
    let level = mock
        .shopline_bucket_level("app-1", "1658921299465")
        .unwrap();
    assert!(level > 0.0 && level <= 1.0, "{level}");
    assert_eq!(
        mock.shopline_bucket_level("app-1", "another store"),
        Some(0.0)
    );
    let off = MockServer::start_with(MockConfig::default().with_rate_limit(None)).await;
    assert_eq!(off.shopline_bucket_level("app-1", "1658921299465"), None);
}

#[tokio::test]
async fn the_mix_answers_each_kind_the_platform_way() {
    let second = Duration::from_secs(1);
    let hang = Duration::from_millis(300);
    let mock = MockServer::start_with(MockConfig::default().with_rate_limit(None)).await;
    mock.push_faults(Vendor::Shopline, Fault::mix(Vendor::Shopline, second, hang));
    let mut shopline = Vec::new();
    for _ in 0..5 {
        let answer = shopline_post(&mock, &shopline_one()).await;
        let retry_after = answer.headers().get("retry-after").cloned();
        shopline.push((answer.status().as_u16(), retry_after.is_some()));
    }
    assert_eq!(
        shopline,
        [
            (429, true),
            (429, false),
            (503, false),
            (200, false),
            (500, false)
        ]
    );
    mock.push_faults(Vendor::Tencent, Fault::mix(Vendor::Tencent, second, hang));
    let mut tencent = Vec::new();
    for _ in 0..5 {
        let (status, envelope) = tencent_post(&mock, &tencent_one()).await;
        tencent.push((status, envelope["code"].as_i64()));
    }
    assert_eq!(
        tencent,
        [
            (429, Some(429)),
            (200, Some(11017)),
            (503, Some(503)),
            (200, Some(0)),
            (200, Some(10000))
        ]
    );
}
