//! Whose `User-Agent` reaches the platform: the caller's own `reqwest::Client` keeps its agent string (the one
//! platforms' support teams ask for), `.user_agent(..)` wins over any client's, and the client salesync builds
//! sends `salesync/<version>`.

use super::stub::{Recorded, Reply, Stub};
use super::{shopline_request, tencent_request};
use crate::client::DEFAULT_USER_AGENT;
use crate::shopline::batch_sync_flow_data::BatchSyncFlowData;
use crate::tencent::salesinfo_add::SalesinfoAdd;
use crate::{ShoplineClient, TencentClient};

/// Every `User-Agent` header of a request, in order: exactly one is expected, never a second appended.
fn agents(sent: &Recorded) -> Vec<&str> {
    sent.headers
        .iter()
        .filter(|(name, _)| name == "user-agent")
        .map(|(_, value)| value.as_str())
        .collect()
}

/// One Shopline call through the stub with the builder's settings, and what the stub received.
async fn shopline_sends(
    configure: impl FnOnce(crate::client::ShoplineClientBuilder) -> crate::client::ShoplineClientBuilder,
) -> Recorded {
    let stub = Stub::start(|_| Reply::json(200, "{}")).await;
    let builder = ShoplineClient::builder()
        .base_url(&stub.url)
        .access_token("shop-token-123");
    configure(builder)
        .build()
        .unwrap()
        .call::<BatchSyncFlowData>(&shopline_request(1))
        .await
        .unwrap();
    stub.requests().remove(0)
}

fn own_client(agent: Option<&str>) -> reqwest::Client {
    let builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    match agent {
        Some(agent) => builder.user_agent(agent),
        None => builder,
    }
    .build()
    .unwrap()
}

#[tokio::test]
async fn the_callers_client_keeps_its_own_user_agent() {
    let sent = shopline_sends(|b| b.http_client(own_client(Some("acme-sync/2.1")))).await;
    assert_eq!(agents(&sent), ["acme-sync/2.1"], "{}", sent.raw());
}

#[tokio::test]
async fn the_callers_client_keeps_its_default_headers() {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::USER_AGENT,
        reqwest::header::HeaderValue::from_static("acme-sync/2.1 (ops@acme.example)"),
    );
    headers.insert(
        "x-acme-tenant",
        reqwest::header::HeaderValue::from_static("t-42"),
    );
    let own = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let sent = shopline_sends(|b| b.http_client(own)).await;
    assert_eq!(agents(&sent), ["acme-sync/2.1 (ops@acme.example)"]);
    assert_eq!(sent.header("x-acme-tenant"), Some("t-42"));
}

#[tokio::test]
async fn a_callers_client_without_an_agent_sends_none_of_salesyncs() {
    let sent = shopline_sends(|b| b.http_client(own_client(None))).await;
    assert!(agents(&sent).is_empty(), "{}", sent.raw());
}

#[tokio::test]
async fn an_explicit_user_agent_wins_over_the_callers_client() {
    let sent = shopline_sends(|b| {
        b.http_client(own_client(Some("acme-sync/2.1")))
            .user_agent("x")
    })
    .await;
    assert_eq!(agents(&sent), ["x"]);
}

#[tokio::test]
async fn salesyncs_own_client_sends_the_default_or_the_explicit_agent() {
    let sent = shopline_sends(|b| b).await;
    assert_eq!(agents(&sent), [DEFAULT_USER_AGENT]);
    assert_eq!(
        DEFAULT_USER_AGENT,
        concat!("salesync/", env!("CARGO_PKG_VERSION"))
    );
    let sent = shopline_sends(|b| b.user_agent("x")).await;
    assert_eq!(agents(&sent), ["x"]);
}

/// One Tencent call to the stub, through the caller's client when given.
async fn tencent_call(stub: &Stub, http: Option<reqwest::Client>) {
    let mut builder = TencentClient::builder()
        .base_url(&stub.url)
        .access_token("tencent-token-123")
        .no_pacing();
    if let Some(http) = http {
        builder = builder.http_client(http);
    }
    builder
        .build()
        .unwrap()
        .call::<SalesinfoAdd>(&tencent_request(1))
        .await
        .unwrap();
}

#[tokio::test]
async fn tencent_calls_follow_the_same_rule() {
    let stub = Stub::start(|_| Reply::json(200, r#"{"code":0,"message":""}"#)).await;
    tencent_call(&stub, Some(own_client(Some("acme-sync/2.1")))).await;
    tencent_call(&stub, None).await;
    let sent = stub.requests();
    assert_eq!(agents(&sent[0]), ["acme-sync/2.1"]);
    assert_eq!(agents(&sent[1]), [DEFAULT_USER_AGENT]);
}
