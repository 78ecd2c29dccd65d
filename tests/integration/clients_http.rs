//! The caller's own HTTP stack: `.http_client(reqwest::Client)` with a proxy, its own user agent kept (or the
//! one set with `.user_agent(..)`), the per-attempt timeout still applied to every request, and the attempt
//! hook counting attempts, all against the mock.

use crate::clients_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clients_common::*;
use salesync::client::Attempt;
use salesync::tencent::salesinfo_add::SalesinfoAdd;
use salesync::{reqwest, Error, ErrorClass, Retry};
use salesync_mock::{Fault, Vendor};

#[tokio::test]
async fn calls_go_through_the_callers_client_and_its_proxy() {
    let mock = mock().await;
    // The mock serves as the proxy: a request for tencent.invalid reaches it in absolute form.
    let own = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(mock.url()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = tencent(&mock)
        .base_url("http://tencent.invalid")
        .http_client(own)
        .user_agent("my-service/2.1")
        .build()
        .unwrap();
    let response = client
        .call::<SalesinfoAdd>(&tencent_request(items(0..2)))
        .await
        .unwrap();
    assert_eq!(response.body.code, Some(0));
    let sent = &mock.requests()[0];
    assert_eq!(sent.path, TENCENT_PATH);
    let header = |name: &str| {
        sent.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    assert_eq!(header("user-agent"), Some("my-service/2.1"));
    assert_eq!(header("host"), Some("tencent.invalid"));
    assert_eq!(mock.tencent_salesinfo().len(), 2);
}

/// Every `User-Agent` the mock received with one request.
fn agents(sent: &salesync_mock::RecordedRequest) -> Vec<&str> {
    sent.headers
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("user-agent"))
        .map(|(_, value)| value.as_str())
        .collect()
}

#[tokio::test]
async fn the_callers_client_sends_its_own_user_agent() {
    let mock = mock().await;
    let own = reqwest::Client::builder()
        .user_agent("acme-sync/2.1")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    tencent(&mock)
        .http_client(own)
        .build()
        .unwrap()
        .call::<SalesinfoAdd>(&tencent_request(items(0..1)))
        .await
        .unwrap();
    // salesync's own client, for contrast: the default agent.
    tencent(&mock)
        .build()
        .unwrap()
        .call::<SalesinfoAdd>(&tencent_request(items(1..2)))
        .await
        .unwrap();
    let sent = mock.requests();
    assert_eq!(agents(&sent[0]), ["acme-sync/2.1"]);
    assert_eq!(agents(&sent[1]), [salesync::client::DEFAULT_USER_AGENT]);
}

#[tokio::test]
async fn the_per_attempt_timeout_applies_to_the_callers_client_too() {
    let mock = mock().await;
    mock.push_fault(Vendor::Tencent, Fault::Delay(Duration::from_secs(3)));
    let error = tencent(&mock)
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(300))
        .retry(quick(1))
        .build()
        .unwrap()
        .call::<SalesinfoAdd>(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { timeout: true, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_attempt_hook_hears_every_attempt() {
    let mock = mock().await;
    mock.push_fault(Vendor::Tencent, Fault::status(503));
    mock.push_fault(Vendor::Tencent, Fault::tencent(11017));
    let seen: Arc<Mutex<Vec<Attempt>>> = Arc::default();
    let hook = {
        let seen = seen.clone();
        move |attempt: &Attempt| seen.lock().unwrap().push(attempt.clone())
    };
    let client = tencent(&mock).on_attempt(hook).build().unwrap();
    let response = client
        .call::<SalesinfoAdd>(&tencent_request(items(0..1)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 3);
    let seen = seen.lock().unwrap();
    let summary: Vec<_> = seen
        .iter()
        .map(|a| (a.number, a.status, a.error, a.retry))
        .collect();
    assert_eq!(
        summary,
        [
            (
                1,
                Some(503),
                Some(ErrorClass::Unavailable),
                Some(Retry::Backoff)
            ),
            (
                2,
                Some(200),
                Some(ErrorClass::RateLimited),
                Some(Retry::Backoff)
            ),
            (3, Some(200), None, None),
        ]
    );
    assert!(seen
        .iter()
        .all(|a| a.operation == "salesinfo_add" && a.version == "v1.3"));
    assert_eq!(seen[2].trace_id, response.trace_id);
}
