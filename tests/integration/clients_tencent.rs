//! End-to-end: the real `TencentClient` against the real embedded mock over loopback HTTP. The query auth
//! exactly as documented, a fresh nonce and timestamp on every attempt (retries and concurrent calls
//! included), `Retry-After`, what is never retried, and every injected fault and platform code. Every
//! assertion about the wire is made on `mock.requests()`.

use crate::clients_common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use clients_common::*;
use salesync::client::{RetryPolicy, DEFAULT_USER_AGENT};
use salesync::tencent::salesinfo_add::{SalesInfo, SalesinfoAdd, TargetUrlProps};
use salesync::{Error, Prepared, TencentClient, Validate, Vendor};
use salesync_mock::{AfterStore, Fault, RecordedRequest, Vendor as MockVendor};

const TENCENT: MockVendor = MockVendor::Tencent;

/// Panics unless the request carries exactly the documented query: our token, a timestamp in seconds within a
/// few seconds of the request's arrival, and a nonce of at most 32 characters.
fn assert_query_auth(request: &RecordedRequest) {
    let mut names: Vec<&str> = request.query.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["access_token", "nonce", "timestamp"],
        "exactly these, once each: {:?}",
        request.query
    );
    assert_eq!(request.query_param("access_token"), Some(TENCENT_TOKEN));
    let timestamp: u64 = request
        .query_param("timestamp")
        .unwrap()
        .parse()
        .expect("timestamp in whole seconds");
    let arrived = epoch_seconds(request.received_at);
    assert!(
        timestamp.abs_diff(arrived) <= 5,
        "timestamp {timestamp} is not seconds near {arrived}"
    );
    let nonce = request.query_param("nonce").unwrap();
    assert!(
        !nonce.is_empty() && nonce.chars().count() <= 32,
        "nonce {nonce:?}"
    );
    assert!(
        nonce.bytes().all(|b| b.is_ascii_alphanumeric()),
        "nonce {nonce:?} needs no escaping"
    );
}

fn nonce_of(request: &RecordedRequest) -> String {
    request.query_param("nonce").unwrap().to_owned()
}

#[tokio::test]
async fn query_auth_path_and_body_are_exactly_as_documented() {
    let mock = mock().await;
    let client = tencent(&mock).build().unwrap();
    let request = tencent_request(items(0..3));
    let response = client.salesinfo_add(&request).await.unwrap();
    assert_eq!((response.status, response.attempts), (200, 1));
    assert_eq!(response.body.code, Some(0));

    let log = mock.requests();
    assert_eq!(log.len(), 1, "{log:?}");
    let sent = &log[0];
    assert_eq!(sent.vendor, Some(TENCENT));
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, TENCENT_PATH);
    assert_query_auth(sent);
    assert_eq!(nonce_of(sent).len(), 32);
    // The token goes in the query only.
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert_eq!(sent.header("user-agent"), Some(DEFAULT_USER_AGENT));
    assert_eq!(
        sent.body_json().unwrap(),
        serde_json::to_value(&request).unwrap()
    );
    assert_eq!(sent.tencent_code, Some(0));
    assert_eq!(
        stored_skus(&mock),
        ["sku-0", "sku-1", "sku-2"].map(String::from).into()
    );
}

#[tokio::test]
async fn a_prepared_request_goes_out_byte_for_byte_and_can_be_sent_again() {
    let mock = mock().await;
    let client = tencent(&mock).build().unwrap();
    let invalid = tencent_request(vec![overpriced_item(0)]);
    let err = Prepared::<SalesinfoAdd>::new(&invalid).unwrap_err();
    assert!(err.violations().is_some(), "{err}");

    let prepared = Prepared::<SalesinfoAdd>::new(&tencent_request(items(0..2))).unwrap();
    for _ in 0..2 {
        let response = client.send_prepared(&prepared).await.unwrap();
        assert_eq!(response.body.code, Some(0));
    }
    let log = mock.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    for sent in &log {
        assert_eq!(&sent.body[..], prepared.body());
        assert_query_auth(sent);
    }
    // Each sending is a call of its own: a fresh nonce.
    assert_ne!(nonce_of(&log[0]), nonce_of(&log[1]));

    // Prepared for Tencent, refused by the Shopline client before anything is sent.
    let shopline = shopline(&mock).build().unwrap();
    let err = shopline.send_prepared(&prepared).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn an_overridden_api_version_goes_into_the_path() {
    let mock = mock().await;
    let client = tencent(&mock).api_version("v3.0").build().unwrap();
    client
        .call::<SalesinfoAdd>(&tencent_request(items(0..1)))
        .await
        .unwrap();
    let log = mock.requests();
    assert_eq!(log[0].path, "/v3.0/salesinfo/add");
    assert_eq!(log[0].tencent_code, Some(0));
    assert_query_auth(&log[0]);
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error_and_is_not_retried() {
    let mock = mock().await;
    let client = TencentClient::builder()
        .base_url(mock.url())
        .access_token("tencent-acc-revoked-0000000")
        .retry(quick(5))
        .no_pacing()
        .build()
        .unwrap();
    let error = client
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(error.is_auth(), "{error:?}");
    assert!(!error.is_retryable());
    assert!(matches!(
        error,
        Error::Api {
            vendor: Vendor::Tencent,
            status: 200,
            code: Some(11002),
            ..
        }
    ));
    let log = mock.requests();
    assert_eq!(log.len(), 1, "retried an auth error: {log:?}");
    assert_eq!(log[0].tencent_code, Some(11002));
    // The trace id the platform put in its message is the error's.
    assert!(error.trace_id().is_some());
    assert_eq!(error.trace_id(), log[0].trace_id.as_deref());
    assert_eq!(mock.counts().tencent_salesinfo, 0);

    // An expired token (11000), answered after the token checked out, is not retried either.
    mock.reset();
    mock.push_fault(TENCENT, Fault::tencent(11000));
    let error = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(error.is_auth() && !error.is_retryable(), "{error:?}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn every_attempt_has_a_fresh_nonce_and_timestamp() {
    let mock = mock().await;
    mock.push_faults(
        TENCENT,
        [
            Fault::tencent(12100),
            // A whole second between two attempts, so that a reused timestamp would show.
            Fault::Status {
                status: 500,
                retry_after: Some(Duration::from_secs(1)),
            },
            Fault::tencent(11017),
            Fault::tencent(12101),
        ],
    );
    let response = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..2)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 5);
    let log = mock.requests();
    assert_eq!(log.len(), 5);
    let answers: Vec<_> = log.iter().map(|r| (r.status, r.tencent_code)).collect();
    assert_eq!(
        answers,
        [
            (Some(200), Some(12100)),
            (Some(500), None),
            (Some(200), Some(11017)),
            (Some(200), Some(12101)),
            (Some(200), Some(0)),
        ]
    );
    for request in &log {
        assert_query_auth(request);
        assert_eq!(
            request.body, log[0].body,
            "every attempt sends the same body"
        );
    }
    let nonces: HashSet<String> = log.iter().map(nonce_of).collect();
    assert_eq!(nonces.len(), 5, "a nonce was reused: {log:?}");
    let timestamps: Vec<u64> = log
        .iter()
        .map(|r| r.query_param("timestamp").unwrap().parse().unwrap())
        .collect();
    assert!(
        timestamps.windows(2).all(|w| w[0] <= w[1]),
        "{timestamps:?}"
    );
    assert!(
        timestamps[2] > timestamps[1],
        "the timestamp was not renewed after a 1 s wait: {timestamps:?}"
    );
    assert_eq!(mock.counts().tencent_salesinfo, 2);
}

#[tokio::test]
async fn fifty_concurrent_calls_never_share_a_nonce() {
    let mock = mock().await;
    // Ten of the calls are retried as well: their attempts need fresh nonces too.
    mock.push_faults(TENCENT, (0..10).map(|_| Fault::status(500)));
    let client = tencent(&mock).build().unwrap();
    let calls = (0..50).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .salesinfo_add(&tencent_request(vec![sales_item(i)]))
                .await
        })
    });
    let results = futures_util::future::join_all(calls).await;
    let attempts: u32 = results
        .into_iter()
        .map(|result| result.unwrap().unwrap().attempts)
        .sum();
    assert_eq!(attempts, 60);
    let log = mock.requests();
    assert_eq!(log.len(), 60);
    let nonces: HashSet<String> = log.iter().map(nonce_of).collect();
    assert_eq!(nonces.len(), 60, "a nonce was used twice");
    log.iter().for_each(assert_query_auth);
    // The mock refuses a reused nonce with 12100: none was answered.
    assert!(log.iter().all(|r| r.tencent_code != Some(12100)));
    assert_eq!(mock.counts().tencent_salesinfo, 50);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let mock = mock().await;
    mock.push_fault(
        TENCENT,
        Fault::too_many_requests(Some(Duration::from_secs(1))),
    );
    let started = Instant::now();
    let response = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(response.attempts, 2);
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    let log = mock.requests();
    assert_eq!(log[0].status, Some(429));
    assert_eq!(log[1].tencent_code, Some(0));
    let gap = log[1]
        .received_at
        .duration_since(log[0].received_at)
        .unwrap();
    assert!(gap >= Duration::from_millis(995), "{gap:?}");
}

#[tokio::test]
async fn a_parameter_error_from_the_platform_is_not_retried() {
    let mock = mock().await;
    // Off, the client sends what its own validation would refuse, and the platform answers 18001.
    let client = tencent(&mock).validate_requests(false).build().unwrap();
    let request = tencent_request(vec![sales_item(0), overpriced_item(1)]);
    let error = client.salesinfo_add(&request).await.unwrap_err();
    let log = mock.requests();
    assert_eq!(log.len(), 1, "a parameter error was retried: {log:?}");
    match &error {
        Error::Api {
            vendor: Vendor::Tencent,
            code: Some(18001),
            errors,
            trace_id,
            ..
        } => {
            let text = errors.to_string();
            assert!(text.contains("/salesinfo/1/price/current_price"), "{text}");
            assert_eq!(trace_id, &log[0].trace_id);
        }
        other => panic!("expected 18001, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert!(error.is_content_rejected());
    assert_eq!(mock.counts().tencent_salesinfo, 0);

    // Validation on (the default): refused before sending, at the item's pointer.
    let error = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&request)
        .await
        .unwrap_err();
    let violations = error.violations().expect("a validation error");
    assert_eq!(violations.0[0].pointer, "/salesinfo/1/price/current_price");
    assert_eq!(mock.requests().len(), 1, "an invalid request was sent");
}

/// One call after queueing `fault`: the result and the log.
async fn one_call_with(
    fault: Fault,
    policy: RetryPolicy,
) -> (
    Result<salesync::Response<salesync::tencent::salesinfo_add::SalesinfoAddResponse>, Error>,
    Vec<RecordedRequest>,
    usize,
) {
    let mock = mock().await;
    mock.push_fault(TENCENT, fault);
    let result = tencent(&mock)
        .retry(policy)
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..2)))
        .await;
    let log = settle(&mock).await;
    (result, log, mock.counts().tencent_salesinfo)
}

#[tokio::test]
async fn platform_codes_are_retried_or_not_as_documented() {
    // (code, retried): busy and rate limits back off; a replay goes at once; the daily limit and parameter
    // errors never.
    for (code, retried) in [
        (10000, true),
        (10001, true),
        (11017, true),
        (12100, true),
        (12101, true),
        (11018, false),
        (18001, false),
        (12000, false),
    ] {
        let (result, log, stored) = one_call_with(Fault::tencent(code), quick(5)).await;
        assert_eq!(log[0].tencent_code, Some(code));
        if retried {
            let response = result.unwrap_or_else(|e| panic!("{code}: {e:?}"));
            assert_eq!(response.attempts, 2, "{code}");
            assert_eq!(log.len(), 2, "{code}");
            assert_ne!(nonce_of(&log[0]), nonce_of(&log[1]), "{code}");
            assert_eq!(stored, 2, "{code}");
        } else {
            let error = result.expect_err("not retried, so an error");
            assert_eq!(log.len(), 1, "{code} was retried");
            assert!(
                matches!(error, Error::Api { code: Some(c), .. } if c == code),
                "{error:?}"
            );
            assert!(!error.is_retryable(), "{code}");
            assert_eq!(stored, 0, "{code}");
            match code {
                11018 => assert!(error.is_rate_limited()),
                18001 => assert!(error.is_content_rejected()),
                _ => {}
            }
        }
        log.iter().for_each(assert_query_auth);
    }
}

#[tokio::test]
async fn a_replay_is_retried_at_once() {
    // A backoff of up to 60 s within a 5 s deadline: a retry that waited for backoff would almost always give up
    // at once ("the wait would pass the deadline"); 12100 must be retried without waiting.
    let patient = RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_secs(60))
        .max_backoff(Duration::from_secs(60))
        .deadline(Some(Duration::from_secs(5)));
    let started = Instant::now();
    let (result, log, _) = one_call_with(Fault::tencent(12100), patient).await;
    let response = result.unwrap();
    assert_eq!(response.attempts, 2);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_ne!(nonce_of(&log[0]), nonce_of(&log[1]));
}

#[tokio::test]
async fn status_faults_are_retried_then_succeed() {
    let mock = mock().await;
    mock.push_faults(
        TENCENT,
        [Fault::status(429), Fault::status(500), Fault::status(503)],
    );
    let response = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..2)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 4);
    let log = mock.requests();
    let statuses: Vec<_> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(429), Some(500), Some(503), Some(200)]);
    assert_eq!(log.iter().map(nonce_of).collect::<HashSet<_>>().len(), 4);
    assert_eq!(mock.counts().tencent_salesinfo, 2);
}

#[tokio::test]
async fn exhausted_status_retries_end_in_an_error() {
    let mock = mock().await;
    mock.push_faults(TENCENT, (0..3).map(|_| Fault::status(503)));
    let error = tencent(&mock)
        .retry(quick(3))
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503), "{error:?}");
    assert_eq!(
        mock.requests().len(),
        3,
        "retried until the attempts ran out"
    );
    assert_eq!(mock.counts().tencent_salesinfo, 0);
}

#[tokio::test]
async fn an_error_the_client_retried_says_it_is_retryable() {
    let mock = mock().await;
    mock.push_faults(TENCENT, (0..3).map(|_| Fault::status(503)));
    let error = tencent(&mock)
        .retry(quick(3))
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert_eq!(mock.requests().len(), 3, "the client did retry it");
    assert!(error.is_retryable(), "{error:?}");

    mock.reset();
    mock.push_faults(TENCENT, (0..3).map(|_| Fault::too_many_requests(None)));
    let error = tencent(&mock)
        .retry(quick(3))
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert_eq!(mock.requests().len(), 3);
    assert!(error.is_rate_limited(), "{error:?}");
    assert!(error.is_retryable(), "{error:?}");
}

#[tokio::test]
async fn a_delay_past_the_timeout_is_retried_and_the_items_are_stored_once() {
    let mock = mock().await;
    let delay = Duration::from_millis(1200);
    mock.push_fault(TENCENT, Fault::Delay(delay));
    let response = tencent(&mock)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..3)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    let log = settle(&mock).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].fault, Some(Fault::Delay(delay)));
    // The slow platform accepted the first attempt after the client gave up on it, and the retry again.
    assert_eq!(log[0].tencent_code, Some(0));
    assert_eq!(log[1].tencent_code, Some(0));
    assert_ne!(nonce_of(&log[0]), nonce_of(&log[1]));
    assert_eq!(mock.counts().tencent_salesinfo, 3);

    // Every attempt too slow: a retryable transport timeout, and yet the items are stored.
    mock.reset();
    mock.push_faults(TENCENT, [Fault::Delay(delay), Fault::Delay(delay)]);
    let error = tencent(&mock)
        .timeout(Duration::from_millis(200))
        .retry(quick(2))
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(10..11)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                vendor: Vendor::Tencent,
                timeout: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
    settle(&mock).await;
    assert_eq!(stored_skus(&mock), ["sku-10".to_owned()].into());
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let mock = mock().await;
    mock.push_fault(TENCENT, Fault::DropConnection);
    let response = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    let log = mock.requests();
    assert!(log[0].dropped);
    assert_eq!(log[1].tencent_code, Some(0));
    assert_ne!(nonce_of(&log[0]), nonce_of(&log[1]));
    assert_eq!(mock.counts().tencent_salesinfo, 1);
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_and_is_not_retried() {
    // As for Shopline: a 200 whose body does not parse is a Decode error, never retried (one request). The
    // mock stored nothing, so the caller must resend; sync_all reports such items as failed.
    let (result, log, stored) = one_call_with(Fault::MalformedJson, quick(5)).await;
    let error = result.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Decode {
                vendor: Vendor::Tencent,
                status: 200,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(log.len(), 1);
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn store_then_fail_is_redelivered_and_the_mock_holds_one_copy() {
    let mock = mock().await;
    mock.push_faults(
        TENCENT,
        [
            Fault::StoreThenFail(AfterStore::Status(503)),
            Fault::StoreThenFail(AfterStore::DropConnection),
        ],
    );
    let request = tencent_request(items(0..5));
    let response = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&request)
        .await
        .unwrap();
    assert_eq!(response.attempts, 3);
    let log = mock.requests();
    assert_eq!(log[0].status, Some(503));
    assert!(log[1].dropped);
    assert_eq!(log[2].tencent_code, Some(0));
    assert!(log.iter().all(|r| r.body == log[0].body));
    assert_eq!(log.iter().map(nonce_of).collect::<HashSet<_>>().len(), 3);
    assert_eq!(mock.counts().tencent_salesinfo, 5);
    assert_eq!(mock.tencent_salesinfo(), request.salesinfo);
}

/// A landing page with `url_h5` of `h5` and `url_h5_2` of `h5_2`.
fn item_with_pages(i: usize, h5: &str, h5_2: &str) -> SalesInfo {
    let mut item = sales_item(i);
    item.target_url_props = Some(
        TargetUrlProps::builder()
            .url_h5(h5.to_owned())
            .url_h5_2(h5_2.to_owned())
            .url_h5_3("p/sku.html".to_owned())
            .build(),
    );
    item
}

#[tokio::test]
async fn landing_pages_as_merchants_write_them_reach_the_platform() {
    let mock = mock().await;
    // The document says only "h5落地页url" and the byte limits: an IRI and a relative path are URLs it takes.
    let iri = "https://example.com/商品/详情?id=1";
    let relative = "/p/sku-0?from=ads";
    let request = tencent_request(vec![item_with_pages(0, iri, relative)]);
    request.validate().unwrap();
    let response = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&request)
        .await
        .unwrap();
    assert_eq!(response.body.code, Some(0));
    let stored = mock.tencent_salesinfo();
    let props = stored[0].target_url_props.as_ref().unwrap();
    assert_eq!(props.url_h5.as_deref(), Some(iri));
    assert_eq!(props.url_h5_2.as_deref(), Some(relative));
    assert_eq!(props.url_h5_3.as_deref(), Some("p/sku.html"));
    // Sent as written: UTF-8 in the JSON body, not percent-encoded.
    let body = String::from_utf8(mock.requests()[0].body.to_vec()).unwrap();
    assert!(body.contains(iri), "{body}");
}

#[tokio::test]
async fn a_landing_page_over_its_byte_limit_is_refused_at_its_pointer() {
    let mock = mock().await;
    // "https://example.com/" is 20 bytes: 1,001 in all, one over url_h5_2's limit.
    let long = format!("https://example.com/{}", "a".repeat(981));
    assert_eq!(long.len(), 1001);
    let request = tencent_request(vec![item_with_pages(0, "https://example.com/", &long)]);
    let pointer = "/salesinfo/0/target_url_props/url_h5_2";

    // Validation on (the default): refused before sending.
    let error = tencent(&mock)
        .build()
        .unwrap()
        .salesinfo_add(&request)
        .await
        .unwrap_err();
    let violations = error.violations().expect("a validation error");
    assert_eq!(violations.0.len(), 1, "{violations}");
    assert_eq!(
        (violations.0[0].pointer.as_str(), violations.0[0].rule),
        (pointer, "x-maxBytes")
    );
    assert!(mock.requests().is_empty(), "an invalid request was sent");

    // Validation off: the mock refuses it with 18001 at the same pointer.
    let error = tencent(&mock)
        .validate_requests(false)
        .build()
        .unwrap()
        .salesinfo_add(&request)
        .await
        .unwrap_err();
    match &error {
        Error::Api {
            code: Some(18001),
            errors,
            ..
        } => assert!(errors.to_string().contains(pointer), "{errors}"),
        other => panic!("expected 18001, got {other:?}"),
    }
    assert_eq!(mock.counts().tencent_salesinfo, 0);
}
