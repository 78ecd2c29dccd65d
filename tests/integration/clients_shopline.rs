//! End-to-end: the real `ShoplineClient` against the real embedded mock over loopback HTTP. Auth exactly as
//! documented, retries and what is never retried, every injected fault, `Retry-After`, and the default pace
//! against the mock's leaky bucket. Every assertion about the wire is made on `mock.requests()`.

use crate::clients_common;

use std::time::{Duration, Instant};

use clients_common::*;
use hmac::{Hmac, Mac};
use salesync::client::{Pace, DEFAULT_USER_AGENT};
use salesync::shopline::batch_sync_flow_data::BatchSyncFlowData;
use salesync::{Error, ShoplineClient, Vendor};
use salesync_mock::{AfterStore, Fault, MockServer, RateLimit, Vendor as MockVendor};
use sha2::Sha256;

const SHOP: MockVendor = MockVendor::Shopline;

#[tokio::test]
async fn headers_path_and_body_are_exactly_as_documented() {
    let mock = mock().await;
    let client = shopline(&mock).build().unwrap();
    let request = shopline_request(flows(0..3));
    let response = client.batch_sync_flow_data(&request).await.unwrap();
    assert_eq!((response.status, response.attempts), (200, 1));

    let log = mock.requests();
    assert_eq!(log.len(), 1, "{log:?}");
    let sent = &log[0];
    assert_eq!(sent.vendor, Some(SHOP));
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, SHOPLINE_PATH);
    assert!(sent.query.is_empty(), "{:?}", sent.query);
    let bearer = format!("Bearer {SHOPLINE_TOKEN}");
    assert_eq!(sent.header("authorization"), Some(bearer.as_str()));
    assert_eq!(
        sent.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert_eq!(sent.header("user-agent"), Some(DEFAULT_USER_AGENT));
    for name in ["authorization", "content-type", "accept"] {
        let count = sent.headers.iter().filter(|(n, _)| n == name).count();
        assert_eq!(count, 1, "{name} sent {count} times");
    }
    // Unsigned unless asked.
    for name in ["appkey", "timestamp", "sign"] {
        assert_eq!(sent.header(name), None, "{name}");
    }
    assert_eq!(
        sent.body_json().unwrap(),
        serde_json::to_value(&request).unwrap()
    );
    assert_eq!(sent.status, Some(200));
    // The traceId header comes back on the response.
    assert!(sent.trace_id.is_some());
    assert_eq!(response.trace_id, sent.trace_id);
    assert_eq!(stored_flows(&mock).len(), 3);
}

#[tokio::test]
async fn an_overridden_api_version_goes_into_the_path() {
    let mock = mock().await;
    let client = shopline(&mock).api_version("v20250601").build().unwrap();
    client
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap();
    let log = mock.requests();
    assert_eq!(
        log[0].path,
        "/admin/openapi/v20250601/sales/flow/batch_sync_flow_data.json"
    );
    assert_eq!(log[0].status, Some(200));
}

#[tokio::test]
async fn signed_calls_carry_appkey_timestamp_and_the_hmac_of_body_and_timestamp() {
    let mock = mock().await;
    let client = shopline(&mock)
        .signing(APP_KEY, APP_SECRET)
        .build()
        .unwrap();
    let before = std::time::SystemTime::now();
    client
        .batch_sync_flow_data(&shopline_request(flows(0..2)))
        .await
        .unwrap();
    let sent = &mock.requests()[0];
    assert_eq!(sent.header("appkey"), Some(APP_KEY));
    let timestamp = sent.header("timestamp").unwrap();
    let millis: u128 = timestamp.parse().unwrap();
    let before_ms = before
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    assert!(
        millis + 1000 >= before_ms && millis <= before_ms + 60_000,
        "timestamp {millis} is not milliseconds near {before_ms}"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
    mac.update(&sent.body);
    mac.update(timestamp.as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sent.header("sign"), Some(expected.as_str()));
    // Signing adds to the bearer token, it does not replace it.
    let bearer = format!("Bearer {SHOPLINE_TOKEN}");
    assert_eq!(sent.header("authorization"), Some(bearer.as_str()));
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error_and_is_not_retried() {
    let mock = mock().await;
    let client = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token("shopline-tok-expired-000000")
        .retry(quick(5))
        .no_pacing()
        .build()
        .unwrap();
    let error = client
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(error.is_auth(), "{error:?}");
    assert!(!error.is_retryable(), "{error:?}");
    assert_eq!(error.status(), Some(401));
    assert!(matches!(
        error,
        Error::Api {
            vendor: Vendor::Shopline,
            status: 401,
            ..
        }
    ));
    let log = mock.requests();
    assert_eq!(log.len(), 1, "retried an auth error: {log:?}");
    assert_eq!(log[0].status, Some(401));
    assert_eq!(error.trace_id(), log[0].trace_id.as_deref());
    assert_eq!(mock.counts().shopline_flows, 0);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let mock = mock().await;
    mock.push_fault(SHOP, Fault::too_many_requests(Some(Duration::from_secs(1))));
    // Backoff of at most 8 ms: a wait of a second can only come from Retry-After.
    let client = shopline(&mock).build().unwrap();
    let started = Instant::now();
    let response = client
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.attempts, 2);
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    let log = mock.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].status, Some(429));
    assert_eq!(log[1].status, Some(200));
    let gap = log[1]
        .received_at
        .duration_since(log[0].received_at)
        .unwrap();
    // The retry left at least 1 s after the 429 arrived, which came after request 0 arrived (a few ms of
    // slack for the wall clock the log uses).
    assert!(gap >= Duration::from_millis(995), "{gap:?}");
}

#[tokio::test]
async fn a_422_from_the_platform_is_not_retried() {
    let mock = mock().await;
    // 101 flows: over the document's "max 100". The client's own validation would refuse this before
    // sending; off, the platform judges it.
    let client = shopline(&mock).validate_requests(false).build().unwrap();
    let request = shopline_request(flows(0..101));
    let error = client.batch_sync_flow_data(&request).await.unwrap_err();
    let log = mock.requests();
    assert_eq!(log.len(), 1, "a 4xx was retried: {log:?}");
    assert_eq!(log[0].status, Some(422));
    match &error {
        Error::Api {
            vendor: Vendor::Shopline,
            status: 422,
            errors,
            trace_id,
            ..
        } => {
            let text = errors.to_string();
            assert!(text.contains("/flow_data_list: "), "{text}");
            assert!(text.contains("[maxItems]"), "{text}");
            assert_eq!(trace_id, &log[0].trace_id);
        }
        other => panic!("expected a 422 API error, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert!(error.is_content_rejected());
    assert_eq!(mock.counts().shopline_flows, 0);

    // With validation on (the default), the same request is refused before sending.
    let client = shopline(&mock).build().unwrap();
    let error = client.batch_sync_flow_data(&request).await.unwrap_err();
    let violations = error.violations().expect("a validation error");
    assert_eq!(violations.0.len(), 1);
    assert_eq!(
        (violations.0[0].pointer.as_str(), violations.0[0].rule),
        ("/flow_data_list", "maxItems")
    );
    assert_eq!(mock.requests().len(), 1, "an invalid request was sent");
}

#[tokio::test]
async fn status_faults_are_retried_then_succeed() {
    let mock = mock().await;
    mock.push_faults(
        SHOP,
        [Fault::status(429), Fault::status(500), Fault::status(503)],
    );
    let response = shopline(&mock)
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..2)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 4);
    let statuses: Vec<_> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Some(429), Some(500), Some(503), Some(200)].to_vec()
    );
    // Every attempt sent the same bytes.
    let log = mock.requests();
    assert!(log.iter().all(|r| r.body == log[0].body));
    assert_eq!(stored_flows(&mock).len(), 2);
}

#[tokio::test]
async fn retries_stop_at_the_configured_attempts() {
    let mock = mock().await;
    mock.push_faults(
        SHOP,
        [Fault::status(503), Fault::status(503), Fault::status(503)],
    );
    let error = shopline(&mock)
        .retry(quick(3))
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(mock.requests().len(), 3);
    assert_eq!(mock.pending_faults(SHOP), 0);
    assert_eq!(mock.counts().shopline_flows, 0);
}

#[tokio::test]
async fn a_delay_past_the_timeout_is_retried_and_the_record_is_stored_once() {
    let mock = mock().await;
    mock.push_fault(SHOP, Fault::Delay(Duration::from_millis(1200)));
    let client = shopline(&mock)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let response = client
        .batch_sync_flow_data(&shopline_request(flows(0..3)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    // The delayed request is still being handled: it stores its copy when it finishes.
    let log = settle(&mock).await;
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[0].fault,
        Some(Fault::Delay(Duration::from_millis(1200)))
    );
    assert_eq!(log[0].status, Some(200), "the slow platform still accepted");
    assert_eq!(log[1].status, Some(200));
    // Two deliveries, one record per flow: the platform's upsert absorbs the duplicate.
    assert_eq!(mock.counts().shopline_flows, 3);
    assert_eq!(stored_flows(&mock), flows_in(&log[0]).into_iter().collect());
}

#[tokio::test]
async fn timeouts_surface_as_retryable_transport_timeouts() {
    let mock = mock().await;
    let delay = Duration::from_millis(800);
    mock.push_faults(SHOP, [Fault::Delay(delay), Fault::Delay(delay)]);
    let error = shopline(&mock)
        .timeout(Duration::from_millis(200))
        .retry(quick(2))
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                vendor: Vendor::Shopline,
                timeout: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
    // The call failed, yet the slow platform stored the flow: failure does not mean "not delivered".
    let log = settle(&mock).await;
    assert_eq!(log.len(), 2);
    assert_eq!(mock.counts().shopline_flows, 1);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let mock = mock().await;
    mock.push_fault(SHOP, Fault::DropConnection);
    let response = shopline(&mock)
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    let log = mock.requests();
    assert_eq!(log.len(), 2);
    assert!(log[0].dropped && log[0].status.is_none());
    assert_eq!(log[1].status, Some(200));
    assert_eq!(mock.counts().shopline_flows, 1);

    // When every attempt is dropped, the error is a retryable transport failure that is not a timeout.
    mock.reset();
    mock.push_faults(SHOP, [Fault::DropConnection, Fault::DropConnection]);
    let error = shopline(&mock)
        .retry(quick(2))
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { timeout: false, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(mock.requests().len(), 2);
    assert_eq!(mock.counts().shopline_flows, 0);
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_and_is_not_retried() {
    let mock = mock().await;
    mock.push_fault(SHOP, Fault::MalformedJson);
    // The client does not retry a success status whose body does not parse (`ErrorClass`'s table: "decode ... never"):
    // resending would most likely get the same answer. One request, a Decode error with the trace id.
    let error = shopline(&mock)
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    let log = mock.requests();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].fault, Some(Fault::MalformedJson));
    match &error {
        Error::Decode {
            vendor: Vendor::Shopline,
            status: 200,
            trace_id,
            ..
        } => assert_eq!(trace_id, &log[0].trace_id),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(mock.counts().shopline_flows, 0);
}

#[tokio::test]
async fn a_platform_code_answer_is_not_retried() {
    let mock = mock().await;
    mock.push_fault(
        SHOP,
        Fault::Code {
            code: 1001,
            message: "store not authorized".into(),
        },
    );
    let error = shopline(&mock)
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    match &error {
        Error::Api {
            status: 400,
            code: Some(1001),
            message: Some(message),
            ..
        } => assert!(message.contains("store not authorized"), "{message}"),
        other => panic!("expected a 400 API error with code 1001, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn store_then_fail_is_redelivered_and_the_mock_holds_one_copy() {
    let mock = mock().await;
    mock.push_faults(
        SHOP,
        [
            Fault::StoreThenFail(AfterStore::Status(500)),
            Fault::StoreThenFail(AfterStore::DropConnection),
        ],
    );
    let request = shopline_request(flows(0..4));
    let response = shopline(&mock)
        .build()
        .unwrap()
        .batch_sync_flow_data(&request)
        .await
        .unwrap();
    assert_eq!(response.attempts, 3);
    let log = mock.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].status, Some(500));
    assert!(log[1].dropped);
    assert_eq!(log[2].status, Some(200));
    assert!(log.iter().all(|r| r.body == log[0].body));
    // Delivered three times, held once: at-least-once delivery onto an upsert loses and duplicates nothing.
    assert_eq!(mock.counts().shopline_flows, 4);
    assert_eq!(mock.shopline_flows(), request.flow_data_list);
}

/// 45 concurrent calls through one client against the mock's documented bucket (4 requests/s, 40 at once);
/// returns the elapsed time, after asserting that the bucket refused none of them.
async fn burst_of_45(pace: Option<Pace>) -> Duration {
    let mock =
        MockServer::start_with(mock_config().with_rate_limit(Some(RateLimit::default()))).await;
    let mut builder = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(SHOPLINE_TOKEN)
        .retry(quick(5));
    if let Some(pace) = pace {
        builder = builder.pace(pace);
    }
    let client = builder.build().unwrap();
    let started = Instant::now();
    let calls = (0..45).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .call::<BatchSyncFlowData>(&shopline_request(vec![flow(i)]))
                .await
        })
    });
    let results = futures_util::future::join_all(calls).await;
    let elapsed = started.elapsed();
    for result in results {
        // Every call succeeds either way (a 429 is retried); what matters is whether the bucket said no.
        result.unwrap().unwrap();
    }
    let log = mock.requests();
    let t0 = log[0].received_at;
    let arrivals: Vec<String> = log
        .iter()
        .map(|r| {
            let at = r.received_at.duration_since(t0).unwrap_or_default();
            format!("#{} +{}ms {:?}", r.seq, at.as_millis(), r.status)
        })
        .collect();
    let refused = log.iter().filter(|r| r.status == Some(429)).count();
    assert_eq!(
        refused, 0,
        "the bucket refused {refused} call(s); arrivals: {arrivals:?}"
    );
    assert_eq!(log.len(), 45);
    assert_eq!(mock.counts().shopline_flows, 45);
    elapsed
}

#[tokio::test]
async fn the_default_pace_keeps_a_burst_of_45_calls_under_the_platform_bucket() {
    // The platform's bucket is 40; the default keeps one request of headroom for connection latency.
    assert_eq!(Pace::SHOPLINE, Pace::per_second(4, 39));
    let elapsed = burst_of_45(None).await;
    // 39 at once, then one per 250 ms.
    assert!(elapsed >= Duration::from_millis(1000), "{elapsed:?}");
}
