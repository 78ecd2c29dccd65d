//! No error, `Debug` output or log line carries a token, app key or app secret.

use std::time::Duration;

use super::capture;
use super::stub::{Reply, Stub};
use super::{quick, shopline_request, tencent_request};
use crate::shopline::batch_sync_flow_data::BatchSyncFlowData;
use crate::tencent::salesinfo_add::SalesinfoAdd;
use crate::{Error, ShoplineClient, TencentClient, Vendor};

const TOKEN: &str = "tencent-token-456";
const SHOP_TOKEN: &str = "shop-token-123";
const APP_KEY: &str = "my-app-key-789";
const APP_SECRET: &str = "my-app-secret-000";

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, SHOP_TOKEN, APP_KEY, APP_SECRET] {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

fn report(error: &Error) -> String {
    let mut text = format!("{error}\n{error:?}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    text
}

fn tencent(url: &str) -> TencentClient {
    TencentClient::builder()
        .base_url(url)
        .access_token(TOKEN)
        .timeout(Duration::from_millis(200))
        .retry(quick(3))
        .build()
        .unwrap()
}

fn shopline(url: &str) -> ShoplineClient {
    ShoplineClient::builder()
        .base_url(url)
        .access_token(SHOP_TOKEN)
        .signing(APP_KEY, APP_SECRET)
        .timeout(Duration::from_millis(200))
        .retry(quick(3))
        .build()
        .unwrap()
}

#[tokio::test]
async fn transport_errors_lose_the_url_that_carries_the_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    // reqwest's own error names the URL, query and all: the reason for stripping it.
    let raw = reqwest::Client::new()
        .post(format!("{url}/v1.3/salesinfo/add?access_token={TOKEN}"))
        .send()
        .await
        .unwrap_err();
    assert!(format!("{raw:?}").contains(TOKEN));
    let stripped = Error::transport(Vendor::Tencent, raw);
    assert_clean("a stripped reqwest error", &report(&stripped));

    let error = tencent(&url)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { connect: true, .. }));
    assert_clean("a connection error", &report(&error));

    let slow = Stub::start(|_| Reply::json(200, "{}").delayed(Duration::from_secs(3))).await;
    let error = tencent(&slow.url)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { timeout: true, .. }));
    assert_clean("a timeout", &report(&error));
}

#[tokio::test]
async fn echoed_credentials_are_scrubbed_from_api_and_http_errors() {
    let echo = Stub::start(|request| {
        let everything = request.raw();
        match request.path() {
            "/v1.3/salesinfo/add" if request.index % 2 == 0 => Reply::json(
                200,
                serde_json::json!({"code": 11002, "message": format!("invalid: {everything}"), "errors": [everything]})
                    .to_string(),
            ),
            _ => Reply::json(418, format!("<pre>{everything}</pre>")),
        }
    })
    .await;
    let error = tencent(&echo.url)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::Api {
            code: Some(11002),
            ..
        }
    ));
    assert!(report(&error).contains(crate::client::REDACTED));
    assert_clean("a Tencent API error", &report(&error));
    let error = tencent(&echo.url)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http { status: 418, .. }));
    assert_clean("a Tencent HTTP error", &report(&error));

    let error = shopline(&echo.url)
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http { status: 418, .. }));
    assert_clean("a Shopline HTTP error", &report(&error));
    // The app key the request body carries is scrubbed too.
    assert!(
        !report(&error).contains("app-key-in-body"),
        "{}",
        report(&error)
    );
}

#[tokio::test]
async fn debug_output_of_clients_and_builders_hides_credentials() {
    let builder = ShoplineClient::builder()
        .store("shop")
        .access_token(SHOP_TOKEN)
        .signing(APP_KEY, APP_SECRET);
    assert_clean("a Shopline builder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean("a Shopline client", &format!("{client:?}"));
    let builder = TencentClient::builder().access_token(TOKEN);
    assert_clean("a Tencent builder", &format!("{builder:?}"));
    assert_clean(
        "a Tencent client",
        &format!("{:?}", builder.build().unwrap()),
    );
}

#[tokio::test]
async fn logs_carry_no_credentials() {
    // Every test's logs land here, which only widens the check.
    let capture = capture::global();
    let stub = Stub::start(|request| match request.index {
        0 => Reply::json(500, "oops"),
        1 => Reply::json(200, r#"{"code": 12100, "message": "nonce used"}"#),
        _ => Reply::json(200, r#"{"code": 0}"#),
    })
    .await;
    tencent(&stub.url)
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap();
    let shop = Stub::start(|request| match request.index {
        0 => Reply::json(429, r#"{"errors":"Too many request"}"#),
        _ => Reply::json(200, "{}"),
    })
    .await;
    shopline(&shop.url)
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    let logs = capture.text();
    assert!(logs.contains("retrying"), "{logs}");
    assert!(logs.contains("salesync.call"), "{logs}");
    assert!(logs.contains("/v1.3/salesinfo/add"), "{logs}");
    assert_clean("the logs", &logs);
}
