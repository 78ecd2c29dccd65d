use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::stub::{Reply, Stub};
use super::{quick, sales_item, tencent_request, Rotating};
use crate::client::{ItemOutcome, DEFAULT_TENCENT_BASE_URL};
use crate::tencent::salesinfo_add::SalesinfoAdd;
use crate::{Error, TencentClient, Vendor};

fn client(stub: &Stub, attempts: u32) -> TencentClient {
    TencentClient::builder()
        .base_url(&stub.url)
        .access_token("tencent-token-456")
        .no_pacing()
        .retry(quick(attempts))
        .build()
        .unwrap()
}

fn is_nonce(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[tokio::test]
async fn sends_token_timestamp_and_nonce_in_the_query() {
    let stub = Stub::start(|_| {
        Reply::json(
            200,
            r#"{"code": 0, "message": "", "message_cn": "", "data": {}}"#,
        )
    })
    .await;
    let request = tencent_request(2);
    let response = client(&stub, 3)
        .call::<SalesinfoAdd>(&request)
        .await
        .unwrap();
    assert_eq!(response.body.code, Some(0));
    assert_eq!(
        (response.status, response.attempts, response.trace_id),
        (200, 1, None)
    );
    let sent = &stub.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path()),
        ("POST", "/v1.3/salesinfo/add")
    );
    assert_eq!(
        sent.query("access_token").as_deref(),
        Some("tencent-token-456")
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let timestamp: u64 = sent.query("timestamp").unwrap().parse().unwrap();
    assert!(now.abs_diff(timestamp) <= 5, "{timestamp} vs {now}");
    assert!(is_nonce(&sent.query("nonce").unwrap()));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None);
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body, serde_json::to_value(&request).unwrap());
    assert_eq!(
        body["salesinfo"][0]["price"]["current_price"],
        serde_json::json!(8.9)
    );
}

#[tokio::test]
async fn replay_codes_retry_at_once_with_a_fresh_nonce_and_busy_codes_back_off() {
    let stub = Stub::start(|request| match request.index {
        0 => Reply::json(200, r#"{"code": 12100, "message": "nonce used"}"#),
        1 => Reply::json(200, r#"{"code": 12101, "message": "timestamp expired"}"#),
        2 => Reply::json(
            200,
            r#"{"code": 10000, "message": "system busy, trace_id: 0a1b2c"}"#,
        ),
        3 => Reply::json(200, r#"{"code": 11016, "message": "too many per second"}"#),
        _ => Reply::json(200, r#"{"code": 0, "message": "ok trace_id: beef01"}"#),
    })
    .await;
    let response = client(&stub, 6)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap();
    assert_eq!(response.attempts, 5);
    assert_eq!(response.trace_id.as_deref(), Some("beef01"));
    let nonces: HashSet<String> = stub
        .requests()
        .iter()
        .map(|r| r.query("nonce").unwrap())
        .collect();
    assert_eq!(nonces.len(), 5, "a nonce was reused across retries");
}

#[tokio::test]
async fn auth_request_parameter_and_daily_limit_codes_are_not_retried() {
    for code in [
        11000, 11002, 11014, 11018, 12000, 12003, 12201, 18001, 18014, 99999,
    ] {
        let body = format!(
            r#"{{"code": {code}, "message": "refused, trace_id: ff00{code}", "message_cn": "拒绝", "errors": [{{"type": "x", "description": "y"}}]}}"#
        );
        let stub = Stub::start(move |_| Reply::json(200, body.clone())).await;
        let error = client(&stub, 5)
            .call::<SalesinfoAdd>(&tencent_request(1))
            .await
            .unwrap_err();
        assert_eq!(stub.requests().len(), 1, "{code} was retried");
        let Error::Api {
            vendor,
            status,
            code: got,
            message_cn,
            errors,
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!((*vendor, *status, *got), (Vendor::Tencent, 200, Some(code)));
        assert_eq!(message_cn.as_deref(), Some("拒绝"));
        assert_eq!(errors[0]["type"], "x");
        assert_eq!(error.trace_id(), Some(format!("ff00{code}").as_str()));
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn reads_the_older_retcode_envelope() {
    let stub =
        Stub::start(|_| Reply::json(200, r#"{"retcode": 11005, "errmsg": "empty token"}"#)).await;
    let error = client(&stub, 3)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api { code: Some(11005), message: Some(m), .. } if m == "empty token"),
        "{error:?}"
    );
    assert!(error.is_auth());

    let stub =
        Stub::start(|_| Reply::json(200, r#"{"retcode": 0, "errmsg": "", "data": {"n": 1}}"#))
            .await;
    let response = client(&stub, 3)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap();
    assert_eq!(response.body.code, Some(0));
    assert_eq!(response.body.data, Some(serde_json::json!({"n": 1})));
}

#[tokio::test]
async fn http_errors_and_malformed_bodies() {
    let stub = Stub::start(|request| match request.index {
        0 => Reply::json(502, "bad gateway"),
        _ => Reply::json(200, "{\"code\": 0"),
    })
    .await;
    let error = client(&stub, 3)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
    assert_eq!(stub.requests().len(), 2);

    let stub = Stub::start(|_| Reply::json(404, "not here")).await;
    let error = client(&stub, 3)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Http { status: 404, body, .. } if body == "not here"),
        "{error:?}"
    );
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn nonces_are_unique_across_concurrent_calls() {
    let stub = Stub::start(|_| Reply::json(200, r#"{"code": 0}"#)).await;
    let client = client(&stub, 1);
    let calls = (0..40).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .call::<SalesinfoAdd>(&tencent_request(1))
                .await
                .map(|_| ())
        })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let nonces: HashSet<String> = stub
        .requests()
        .iter()
        .map(|r| r.query("nonce").unwrap())
        .collect();
    assert_eq!(nonces.len(), 40);
}

#[tokio::test]
async fn sync_all_over_http_accounts_for_every_item() {
    // Requests holding sku-13 are refused for a parameter; the first request of 50 hits a busy server once.
    let stub = Stub::start(|request| {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let skus: Vec<&str> = body["salesinfo"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["external_sku_id"].as_str().unwrap())
            .collect();
        if request.index == 0 {
            Reply::json(200, r#"{"code": 10001, "message": "maintenance"}"#)
        } else if skus.contains(&"sku-13") {
            Reply::json(
                200,
                r#"{"code": 18003, "message": "bad price, trace_id: 13"}"#,
            )
        } else {
            Reply::json(
                200,
                format!(
                    r#"{{"code": 0, "message": "trace_id: t{}"}}"#,
                    request.index
                ),
            )
        }
    })
    .await;
    let mut items: Vec<_> = (0..120).map(|i| sales_item(&format!("sku-{i}"))).collect();
    items[7].external_store_id = "x".repeat(33); // over 32 bytes: rejected before sending
    let envelope = tencent_request(0);
    let report = client(&stub, 3)
        .sync_all::<SalesinfoAdd>(&envelope, items)
        .await;
    report.assert_accounts_for(120);
    assert_eq!(report.total(), 120);
    let rejected: Vec<_> = report.rejected().collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].0, 7);
    assert_eq!(
        rejected[0].1 .0[0].pointer,
        "/salesinfo/7/external_store_id"
    );
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, 13);
    assert_eq!(failed[0].1.trace_id(), Some("13"));
    assert_eq!(report.delivered().count(), 118);
    assert!(report
        .delivered()
        .all(|(_, trace)| trace.is_some_and(|t| t.starts_with('t'))));
    assert!(matches!(
        report.outcomes()[0],
        ItemOutcome::Delivered { .. }
    ));
    for request in stub.requests() {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert!(body["salesinfo"].as_array().unwrap().len() <= 50);
    }
}

#[tokio::test]
async fn defaults_and_builder_errors() {
    let client = TencentClient::builder().access_token("t").build().unwrap();
    assert_eq!(client.base_url(), DEFAULT_TENCENT_BASE_URL);
    assert!(matches!(
        TencentClient::builder().build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        TencentClient::builder().access_token("").build(),
        Err(Error::Config(_))
    ));
    let stub = Stub::start(|_| Reply::json(200, r#"{"code": 0}"#)).await;
    let client = TencentClient::builder()
        .base_url(&stub.url)
        .access_token("tencent-token-456")
        .api_version("v3.0")
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap();
    assert_eq!(stub.requests()[0].path(), "/v3.0/salesinfo/add");
}

#[tokio::test]
async fn a_refused_token_asks_the_token_provider_again_once() {
    let stub = Stub::start(|request| {
        if request.query("access_token").as_deref() == Some("token-1") {
            Reply::json(
                200,
                r#"{"code": 11000, "message": "access token expired, trace_id: e1"}"#,
            )
        } else {
            Reply::json(200, r#"{"code": 0, "message": ""}"#)
        }
    })
    .await;
    let provider = std::sync::Arc::new(Rotating(std::sync::atomic::AtomicU32::new(0)));
    let client = TencentClient::builder()
        .base_url(&stub.url)
        .token_provider(provider.clone())
        .no_pacing()
        .retry(quick(5))
        .build()
        .unwrap();
    let response = client
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    client
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap();
    let asked = provider.0.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(asked, 2, "the new token is kept for later calls");
    let tokens: Vec<_> = stub
        .requests()
        .iter()
        .map(|r| r.query("access_token"))
        .collect();
    assert_eq!(
        tokens,
        [
            Some("token-1".into()),
            Some("token-2".into()),
            Some("token-2".into())
        ]
    );

    // Refused every time: asked again once per call, then the error is returned, without the token.
    let always =
        Stub::start(|_| Reply::json(200, r#"{"code": 11002, "message": "invalid token"}"#)).await;
    let provider = std::sync::Arc::new(Rotating(std::sync::atomic::AtomicU32::new(0)));
    let error = TencentClient::builder()
        .base_url(&always.url)
        .token_provider(provider)
        .no_pacing()
        .retry(quick(5))
        .build()
        .unwrap()
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(error.is_auth() && !error.is_retryable(), "{error:?}");
    assert_eq!((always.requests().len(), error.attempts()), (2, 2));
    assert!(
        !format!("{error:?} {error}").contains("token-"),
        "{error:?}"
    );
}
