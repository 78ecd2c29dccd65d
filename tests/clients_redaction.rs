//! End-to-end: no credential ever shows. The Shopline token, the Tencent access token (which travels in the
//! URL), the Shopline app key (in every body, and a header of signed calls) and the app secret must be absent
//! from the `Debug` output of clients and builders, from the `Display` and `Debug` of every error we can
//! provoke (and of their causes), and from every tracing event and span logged during runs with retries.
//!
//! Tracing: this test binary installs one capturing subscriber as the process-wide default, on first use, at
//! the start of every test. A thread-local default (`set_default`/`with_default`) would have to cover every
//! thread the runtime, the mock and reqwest use; the global one catches everything, including events of the
//! other tests running in parallel here, which only widens the check (every test asserts the whole capture).

#[path = "integration/clients_common/mod.rs"]
mod clients_common;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use clients_common::*;
use salesync::client::{RetryPolicy, Secret, TokenFuture, TokenProvider, REDACTED};
use salesync::shopline::batch_sync_flow_data::BatchSyncFlowData;
use salesync::tencent::salesinfo_add::SalesinfoAdd;
use salesync::{Error, ShoplineClient, TencentClient};
use salesync_mock::{AfterStore, Fault, MockServer, Vendor as MockVendor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

// ---------------------------------------------------------------------------------------------------------
// A subscriber that writes every span, span record and event, with all their fields, into one string.

#[derive(Clone, Default)]
struct Capture {
    text: Arc<Mutex<String>>,
    next_id: Arc<AtomicU64>,
}

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let _ = write!(self.0, " {}={}", field.name(), error_report(value));
    }
}

impl Capture {
    fn write(&self, what: &str, metadata: &Metadata<'_>, record: impl FnOnce(&mut dyn Visit)) {
        let mut line = format!("{what} {} {}:", metadata.level(), metadata.target());
        record(&mut Line(&mut line));
        let mut text = self.text.lock().unwrap();
        text.push_str(&line);
        text.push('\n');
    }

    fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.write(span.metadata().name(), span.metadata(), |v| span.record(v));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = String::from("record:");
        values.record(&mut Line(&mut line));
        let mut text = self.text.lock().unwrap();
        text.push_str(&line);
        text.push('\n');
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.write("event", event.metadata(), |v| event.record(v));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// The process-wide capture, installed on first use.
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing::subscriber::set_global_default(capture.clone())
            .expect("the only subscriber of this test binary");
        capture
    })
}

/// Asserts that nothing logged so far in this binary holds a secret (or any of `more`).
fn assert_logs_clean(more: &[&str]) {
    let text = capture().text();
    assert_no_secret("the tracing logs", &text);
    for secret in more {
        assert!(!text.contains(secret), "the tracing logs leak `{secret}`");
    }
}

/// An error's Display and Debug, its causes', and its JSON hold no secret (nor any of `more`).
fn assert_error_clean(what: &str, error: &Error, more: &[&str]) {
    let json = serde_json::to_string(error).unwrap();
    let text = format!("{}\n{json}", error_report(error));
    assert_no_secret(what, &text);
    for secret in more {
        assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Clients that carry every secret

fn shopline_signed(url: &str) -> ShoplineClient {
    ShoplineClient::builder()
        .base_url(url)
        .access_token(SHOPLINE_TOKEN)
        .signing(APP_KEY, APP_SECRET)
        .retry(quick(4))
        .no_pacing()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn tencent_client(url: &str) -> TencentClient {
    TencentClient::builder()
        .base_url(url)
        .access_token(TENCENT_TOKEN)
        .retry(quick(4))
        .no_pacing()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A loopback URL where nothing listens.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// A proxy in front of the platform that answers every request with `answer(raw request)`: `(status,
/// content type, body)`. Error pages that quote the request (its URL, headers, body) are what the scrubber
/// is for.
async fn echo_proxy(answer: fn(&str) -> (u16, &'static str, String)) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let raw = read_request(&mut stream).await;
                let (status, content_type, body) = answer(&raw);
                let response = format!(
                    "HTTP/1.1 {status} Whatever\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    url
}

/// The request line, headers and body of one HTTP/1.1 request.
async fn read_request(stream: &mut tokio::net::TcpStream) -> String {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if raw.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&raw).into_owned()
}

// ---------------------------------------------------------------------------------------------------------

struct Provider;

impl TokenProvider for Provider {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async { Ok(Secret::new(SHOPLINE_TOKEN)) })
    }
}

#[tokio::test]
async fn debug_of_clients_builders_and_requests_hides_every_secret() {
    capture();
    let mock = mock().await;
    let builder = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(SHOPLINE_TOKEN)
        .signing(APP_KEY, APP_SECRET);
    let text = format!("{builder:?}");
    assert_no_secret("a Shopline builder", &text);
    assert!(text.contains(REDACTED), "{text}");
    let client = builder.build().unwrap();
    let text = format!("{client:?} {:#?}", client.clone());
    assert_no_secret("a Shopline client", &text);
    assert!(text.contains(REDACTED), "{text}");

    let builder = ShoplineClient::builder()
        .base_url(mock.url())
        .token_provider(Arc::new(Provider))
        .no_pacing();
    assert_no_secret(
        "a Shopline builder with a provider",
        &format!("{builder:?}"),
    );
    let client = builder.build().unwrap();
    // Once the provider has been asked, the client holds its token.
    client
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap();
    assert_no_secret("a Shopline client with a provider", &format!("{client:?}"));

    let builder = TencentClient::builder()
        .base_url(mock.url())
        .access_token(TENCENT_TOKEN);
    let text = format!("{builder:?}");
    assert_no_secret("a Tencent builder", &text);
    assert!(text.contains(REDACTED), "{text}");
    let client = builder.build().unwrap();
    assert_no_secret("a Tencent client", &format!("{client:?} {client:#?}"));

    // The request body carries the app key; its Debug does not.
    let request = shopline_request(flows(0..2));
    assert_no_secret("a Shopline request", &format!("{request:?}"));
    assert_no_secret(
        "a secret",
        &format!("{:?} {}", Secret::new(APP_SECRET), Secret::new(APP_SECRET)),
    );

    // Calls through both, then the clients and the mock's request log (its Debug hides tokens).
    let shopline = shopline_signed(&mock.url());
    shopline.batch_sync_flow_data(&request).await.unwrap();
    let tencent = tencent_client(&mock.url());
    tencent
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap();
    assert_no_secret("clients after calls", &format!("{shopline:?} {tencent:?}"));
    let log = format!("{:?}", mock.requests());
    for token in [SHOPLINE_TOKEN, TENCENT_TOKEN, APP_SECRET] {
        assert!(!log.contains(token), "the mock's log leaks {token}: {log}");
    }
    assert_logs_clean(&[]);
}

#[tokio::test]
async fn the_mocks_request_log_hides_the_app_key_it_redacts_in_headers() {
    capture();
    let mock = mock().await;
    shopline_signed(&mock.url())
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap();
    let log = format!("{:?}", mock.requests());
    assert!(
        !log.contains(APP_KEY),
        "the app key shows in the mock's log: {log}"
    );
}

#[tokio::test]
async fn transport_errors_to_a_closed_port_carry_no_token() {
    capture();
    let url = closed_port();
    // What the stripping is for: reqwest's own error quotes the URL, and Tencent's URL holds the token.
    let raw = reqwest::Client::new()
        .post(format!("{url}{TENCENT_PATH}?access_token={TENCENT_TOKEN}"))
        .send()
        .await
        .unwrap_err();
    assert!(format!("{raw} {raw:?}").contains(TENCENT_TOKEN));

    let error = tencent_client(&url)
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert_error_clean("a Tencent connection error", &error, &[]);

    let error = shopline_signed(&url)
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert_error_clean("a Shopline connection error", &error, &[]);

    // The same through sync_all: the report's Debug holds the errors of every failed item.
    let report = tencent_client(&url)
        .sync_all::<SalesinfoAdd>(&tencent_envelope(), items(0..60))
        .await;
    report.assert_accounts_for(60);
    assert_eq!(report.failed().count(), 60);
    assert_no_secret("a batch report", &format!("{report:?}"));
    let report = shopline_signed(&url)
        .sync_all::<BatchSyncFlowData>(&shopline_envelope(), flows(0..3))
        .await;
    assert_eq!(report.failed().count(), 3);
    assert_no_secret("a batch report", &format!("{report:?}"));
    assert_logs_clean(&[]);
}

#[tokio::test]
async fn api_errors_carry_no_secret() {
    capture();
    let mock = mock().await;
    // Wrong credentials: the refused token is a secret too.
    let wrong_tencent = "tencent-acc-WRONG-8c1d2e3f4a5b";
    let error = TencentClient::builder()
        .base_url(mock.url())
        .access_token(wrong_tencent)
        .no_pacing()
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(error.is_auth(), "{error:?}");
    assert_error_clean("a Tencent auth error", &error, &[wrong_tencent]);

    let wrong_shopline = "shopline-tok-WRONG-9f8e7d6c5b4a";
    let error = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(wrong_shopline)
        .signing(APP_KEY, APP_SECRET)
        .no_pacing()
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(error.is_auth(), "{error:?}");
    assert_error_clean("a Shopline auth error", &error, &[wrong_shopline]);

    // Refusals of the content, with the platforms' per-field errors.
    let error = TencentClient::builder()
        .base_url(mock.url())
        .access_token(TENCENT_TOKEN)
        .validate_requests(false)
        .no_pacing()
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(vec![overpriced_item(0)]))
        .await
        .unwrap_err();
    assert!(error.is_content_rejected(), "{error:?}");
    assert_error_clean("a Tencent 18001", &error, &[]);
    let error = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(SHOPLINE_TOKEN)
        .signing(APP_KEY, APP_SECRET)
        .validate_requests(false)
        .no_pacing()
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..101))) // over "max 100"
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(422), "{error:?}");
    assert_error_clean("a Shopline 422", &error, &[]);

    // Retries exhausted on 503s, and a platform code.
    mock.push_faults(MockVendor::Tencent, (0..4).map(|_| Fault::status(503)));
    let error = tencent_client(&mock.url())
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert_error_clean("a Tencent 503", &error, &[]);
    mock.push_fault(MockVendor::Shopline, Fault::tencent(11018));
    let error = shopline_signed(&mock.url())
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert_error_clean("a Shopline coded 400", &error, &[]);

    // A batch report with every kind of outcome, serialized for a log. (A typed Shopline flow breaks no
    // rule of its document, so the rejected item is Tencent's.)
    mock.push_fault(MockVendor::Tencent, Fault::status(403));
    let report = tencent_client(&mock.url())
        .sync_all::<SalesinfoAdd>(&tencent_envelope(), vec![overpriced_item(0), sales_item(1)])
        .await;
    report.assert_accounts_for(2);
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        json.contains("\"outcome\":\"rejected\"") && json.contains("\"outcome\":\"failed\""),
        "{json}"
    );
    assert_no_secret("a serialized batch report", &json);
    let signed = shopline_signed(&mock.url());
    mock.push_fault(MockVendor::Shopline, Fault::status(403));
    let report = signed
        .sync_all::<BatchSyncFlowData>(&shopline_request(vec![]), flows(0..2))
        .await;
    report.assert_accounts_for(2);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"outcome\":\"failed\""), "{json}");
    assert_no_secret("a serialized batch report", &json);
    assert_logs_clean(&[wrong_tencent, wrong_shopline]);
}

#[tokio::test]
async fn a_proxy_page_that_echoes_the_request_is_scrubbed_from_http_and_api_errors() {
    capture();
    // A gateway error page quoting the whole request: URL (Tencent's token), headers (the bearer token, the
    // signed call's app key), and the body (the app key).
    let html = echo_proxy(|raw| (502, "text/html", format!("<html><pre>{raw}</pre></html>"))).await;
    let error = tencent_client(&html)
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 502, .. }),
        "{error:?}"
    );
    assert!(error_report(&error).contains(REDACTED), "{error:?}");
    assert_error_clean("a Tencent HTTP error", &error, &[]);
    let error = shopline_signed(&html)
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 502, .. }),
        "{error:?}"
    );
    assert!(error_report(&error).contains(REDACTED), "{error:?}");
    assert_error_clean("a Shopline HTTP error", &error, &[]);

    // The same quoted inside each platform's own error format.
    let api = echo_proxy(|raw| {
        let body = if raw.contains("salesinfo") {
            serde_json::json!({"code": 11002, "message": format!("bad {raw}"), "errors": [raw]})
        } else {
            serde_json::json!({"errors": {"request": raw}, "message": format!("bad {raw}")})
        };
        let status = if raw.contains("salesinfo") { 200 } else { 401 };
        (status, "application/json", body.to_string())
    })
    .await;
    let error = tencent_client(&api)
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                code: Some(11002),
                ..
            }
        ),
        "{error:?}"
    );
    assert_error_clean("a Tencent API error quoting the request", &error, &[]);
    let error = shopline_signed(&api)
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { status: 401, .. }), "{error:?}");
    assert_error_clean("a Shopline API error quoting the request", &error, &[]);
    assert_logs_clean(&[]);
}

#[tokio::test]
async fn a_percent_encoded_token_quoted_by_a_proxy_is_scrubbed_too() {
    capture();
    let token = "tencent+acc/Yt3Hb6=Fd1Gs5Jk0W";
    let encoded = "tencent%2Bacc%2FYt3Hb6%3DFd1Gs5Jk0W";
    let html = echo_proxy(|raw| (502, "text/html", format!("<pre>{raw}</pre>"))).await;
    let error = TencentClient::builder()
        .base_url(&html)
        .access_token(token)
        .retry(quick(1))
        .no_pacing()
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http { .. }), "{error:?}");
    assert_error_clean("a Tencent HTTP error", &error, &[token, encoded]);
}

#[tokio::test]
async fn timeouts_and_decode_errors_carry_no_secret() {
    capture();
    let mock = mock().await;
    let slow = Duration::from_millis(800);
    mock.push_faults(
        MockVendor::Tencent,
        [Fault::Delay(slow), Fault::Delay(slow)],
    );
    mock.push_faults(
        MockVendor::Shopline,
        [Fault::Delay(slow), Fault::Delay(slow)],
    );
    // Per-attempt timeouts (reqwest's error, which names the URL).
    let error = TencentClient::builder()
        .base_url(mock.url())
        .access_token(TENCENT_TOKEN)
        .timeout(Duration::from_millis(150))
        .retry(quick(2))
        .no_pacing()
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                timeout: true,
                source: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert_error_clean("a Tencent timeout", &error, &[]);
    let error = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(SHOPLINE_TOKEN)
        .signing(APP_KEY, APP_SECRET)
        .timeout(Duration::from_millis(150))
        .retry(quick(2))
        .no_pacing()
        .build()
        .unwrap()
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { timeout: true, .. }),
        "{error:?}"
    );
    assert_error_clean("a Shopline timeout", &error, &[]);

    // The overall deadline.
    mock.push_fault(MockVendor::Tencent, Fault::Delay(slow));
    let error = TencentClient::builder()
        .base_url(mock.url())
        .access_token(TENCENT_TOKEN)
        .retry(RetryPolicy::default().deadline(Some(Duration::from_millis(150))))
        .no_pacing()
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                timeout: true,
                source: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert_error_clean("a deadline", &error, &[]);

    // Decode errors quote the body.
    mock.push_fault(MockVendor::Tencent, Fault::MalformedJson);
    mock.push_fault(MockVendor::Shopline, Fault::MalformedJson);
    let error = tencent_client(&mock.url())
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_error_clean("a Tencent decode error", &error, &[]);
    let error = shopline_signed(&mock.url())
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_error_clean("a Shopline decode error", &error, &[]);
    settle(&mock).await;
    assert_logs_clean(&[]);
}

#[tokio::test]
async fn tracing_logs_of_runs_with_retries_carry_no_secret() {
    let capture = capture();
    let mock = MockServer::start_with(mock_config()).await;
    mock.push_faults(
        MockVendor::Shopline,
        [
            Fault::status(500),
            Fault::too_many_requests(Some(Duration::from_millis(10))),
            Fault::DropConnection,
            Fault::StoreThenFail(AfterStore::Status(503)),
        ],
    );
    mock.push_faults(
        MockVendor::Tencent,
        [
            Fault::tencent(12100),
            Fault::status(503),
            Fault::DropConnection,
            Fault::tencent(11017),
        ],
    );
    let shopline = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(SHOPLINE_TOKEN)
        .signing(APP_KEY, APP_SECRET)
        .retry(quick(6))
        .no_pacing()
        .build()
        .unwrap();
    let response = shopline
        .batch_sync_flow_data(&shopline_request(flows(0..2)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 5);
    let response = TencentClient::builder()
        .base_url(mock.url())
        .access_token(TENCENT_TOKEN)
        .retry(quick(6))
        .no_pacing()
        .build()
        .unwrap()
        .salesinfo_add(&tencent_request(items(0..2)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 5);

    // sync_all with random faults and a bisection, then failures that give up.
    mock.push_fault(MockVendor::Tencent, Fault::tencent(18001));
    let report = tencent_client(&mock.url())
        .sync_all::<SalesinfoAdd>(&tencent_envelope(), items(0..80))
        .await;
    assert!(report.is_success());
    let _ = tencent_client(&closed_port())
        .salesinfo_add(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    let _ = shopline_signed(&closed_port())
        .batch_sync_flow_data(&shopline_request(flows(0..1)))
        .await
        .unwrap_err();

    let text = capture.text();
    // The capture saw these runs: spans of the calls and attempts, retries and a call that failed.
    for expected in [
        "salesync.call",
        "salesync.attempt",
        "retrying",
        "the call failed",
        "splitting",
    ] {
        assert!(
            text.contains(expected),
            "no `{expected}` in the logs:\n{text}"
        );
    }
    assert_logs_clean(&[]);
}
