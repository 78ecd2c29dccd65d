//! Many stores and accounts on one mock: each store at `/stores/{handle}` with its own token and bucket, each
//! Tencent account with its own token, refusals of one tenant, per-tenant records and counts, 10,000 of each.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use salesync::runtime::Operation;
use salesync::shopline::batch_sync_flow_data::BatchSyncFlowData;
use salesync_mock::{
    Fault, MockConfig, MockServer, RateLimit, TenantCounts, Vendor, DEFAULT_SHOPLINE_TOKEN,
    DEFAULT_TENCENT_TOKEN,
};
use serde_json::{json, Value};

fn two_stores() -> MockConfig {
    MockConfig::default().with_shopline_stores([("alpha", "token-alpha"), ("beta", "token-beta")])
}

fn two_accounts() -> MockConfig {
    MockConfig::default().with_tencent_accounts([(1, "token-1"), (2, "token-2")])
}

fn one_flow(flow_id: &str) -> Value {
    shopline_body(vec![flow(flow_id, 1_672_365_600_000, 100)])
}

/// Posts a Shopline body to one store's route with `token`: the status and the body.
async fn store_post(mock: &MockServer, handle: &str, token: &str, body: &Value) -> (u16, Value) {
    let path = BatchSyncFlowData::META.path_for(BatchSyncFlowData::META.version);
    let response = client()
        .post(format!("{}{path}", mock.store_url(handle)))
        .bearer_auth(token)
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(body.to_string())
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    assert!(response.headers().contains_key("traceid"), "{status}");
    (status, response.json().await.expect("json"))
}

/// Posts one salesinfo item for `account_id` with `token`: the envelope, always HTTP 200 as the platform
/// answers.
async fn account_post(mock: &MockServer, account_id: i64, token: &str, sku: &str) -> Value {
    let (status, envelope) = account_send(mock, account_id, token, sku).await;
    assert_eq!(status, 200);
    envelope
}

/// Posts one salesinfo item for `account_id` with `token`: the HTTP status and the envelope.
async fn account_send(mock: &MockServer, account_id: i64, token: &str, sku: &str) -> (u16, Value) {
    let mut body = tencent_body(vec![sales_item("s1", sku, 9.9)]);
    body["account_id"] = json!(account_id);
    let query = vec![
        ("access_token", token.to_owned()),
        ("timestamp", now_secs().to_string()),
        ("nonce", nonce()),
    ];
    tencent_post_with(mock, &query, &body).await
}

#[tokio::test]
async fn each_store_takes_its_own_token_and_keeps_its_own_records() {
    let mock = MockServer::start_with(two_stores()).await;
    assert_eq!(
        store_post(&mock, "alpha", "token-alpha", &one_flow("f1")).await,
        (200, json!({}))
    );
    assert_eq!(
        store_post(&mock, "beta", "token-beta", &one_flow("f2"))
            .await
            .0,
        200
    );
    // Another store's token, or the mock's own, is a wrong token here: 401 as any.
    for token in ["token-beta", DEFAULT_SHOPLINE_TOKEN, "nobody's"] {
        let (status, body) = store_post(&mock, "alpha", token, &one_flow("f3")).await;
        assert_eq!(status, 401, "{token}");
        assert!(
            body["errors"].as_str().unwrap().contains("Invalid"),
            "{body}"
        );
    }
    let alpha: Vec<String> = mock
        .shopline_flows_of("alpha")
        .into_iter()
        .map(|f| f.flow_id)
        .collect();
    assert_eq!(alpha, ["f1"]);
    assert_eq!(mock.shopline_flows_of("beta")[0].flow_id, "f2");
    assert!(mock.shopline_flows_of("gamma").is_empty());
    let handles: Vec<Option<String>> = mock
        .shopline_flow_records()
        .into_iter()
        .map(|r| r.handle)
        .collect();
    assert_eq!(handles, [Some("alpha".into()), Some("beta".into())]);
    // The same body at two stores is two records: the handle is part of the key.
    store_post(&mock, "beta", "token-beta", &one_flow("f1")).await;
    assert_eq!(mock.counts().shopline_flows, 3);
}

#[tokio::test]
async fn the_route_without_a_store_is_unchanged_by_stores() {
    let mock = MockServer::start_with(two_stores()).await;
    assert_eq!(shopline_post(&mock, &one_flow("f1")).await.status(), 200);
    let store_token = client()
        .post(shopline_url(&mock))
        .bearer_auth("token-alpha")
        .header("content-type", SHOPLINE_CONTENT_TYPE)
        .body(one_flow("f1").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(store_token.status(), 401);
    assert_eq!(mock.shopline_flow_records()[0].handle, None);
    assert!(mock.shopline_flows_of("alpha").is_empty());
}

#[tokio::test]
async fn an_unknown_handle_is_404_in_shoplines_shape() {
    let mock = MockServer::start_with(two_stores()).await;
    let (status, body) = store_post(&mock, "gamma", "token-alpha", &one_flow("f1")).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"errors": "Not Found: no store with this handle"})
    );
    let none = MockServer::start().await;
    let answer = store_post(&none, "alpha", DEFAULT_SHOPLINE_TOKEN, &one_flow("f1")).await;
    assert_eq!(answer.0, 404);
    assert_eq!(
        mock.counts().shopline_flows + none.counts().shopline_flows,
        0
    );
}

#[tokio::test]
async fn each_store_has_its_own_bucket() {
    let limit = RateLimit {
        per_second: 0.01,
        burst: 3,
    };
    let mock = MockServer::start_with(two_stores().with_rate_limit(Some(limit))).await;
    let mut alpha = Vec::new();
    for i in 0..5 {
        let body = one_flow(&format!("f{i}"));
        alpha.push(store_post(&mock, "alpha", "token-alpha", &body).await.0);
    }
    assert_eq!(alpha, [200, 200, 200, 429, 429]);
    // Same app, same store_id in the body: beta's bucket and the plain route's are still empty.
    assert_eq!(
        store_post(&mock, "beta", "token-beta", &one_flow("f0"))
            .await
            .0,
        200
    );
    assert_eq!(shopline_post(&mock, &one_flow("f0")).await.status(), 200);
    let level = mock.store_bucket_level("alpha", "app-1").unwrap();
    assert!((2.9..=3.0).contains(&level), "{level}");
    assert!(mock.store_bucket_level("beta", "app-1").unwrap() <= 1.0);
    assert!(
        mock.shopline_bucket_level("app-1", "1658921299465")
            .unwrap()
            <= 1.0
    );
    let alpha = mock.store_counts("alpha").unwrap();
    assert_eq!((alpha.accepted, alpha.records), (3, 3));
    assert_eq!((alpha.bucket_refused, alpha.rate_limited), (2, 2));
    assert_eq!(mock.store_counts("beta").unwrap().bucket_refused, 0);
}

#[tokio::test]
async fn a_shopline_client_reaches_a_store_by_its_url() {
    use salesync::shopline::batch_sync_flow_data::BatchSyncFlowDataRequest;

    let mock = MockServer::start_with(two_stores()).await;
    let client = salesync::ShoplineClient::builder()
        .base_url(mock.store_url("beta"))
        .access_token("token-beta")
        .build()
        .unwrap();
    let request: BatchSyncFlowDataRequest = serde_json::from_value(one_flow("f1")).unwrap();
    let response = client.batch_sync_flow_data(&request).await.unwrap();
    assert_eq!(response.attempts, 1);
    assert_eq!(mock.shopline_flows_of("beta").len(), 1);
}

#[tokio::test]
async fn each_account_takes_its_own_token_and_others_are_not_permitted() {
    let mock = MockServer::start_with(two_accounts()).await;
    assert_eq!(account_post(&mock, 1, "token-1", "a").await["code"], 0);
    assert_eq!(account_post(&mock, 2, "token-2", "b").await["code"], 0);
    // Another account's token, or the mock's own, is invalid for this account.
    for token in ["token-2", DEFAULT_TENCENT_TOKEN, "nobody's"] {
        let envelope = account_post(&mock, 1, token, "c").await;
        assert_eq!(envelope["code"], 11002, "{token}");
    }
    // A known token, for an account not registered: not permitted (API-NOTES: 12203).
    for token in ["token-1", DEFAULT_TENCENT_TOKEN] {
        let envelope = account_post(&mock, 3, token, "d").await;
        assert_eq!(envelope["code"], 12203, "{envelope}");
        assert!(trace_in_message(&envelope).is_some(), "{envelope}");
    }
    // An unknown token is refused as such first.
    assert_eq!(account_post(&mock, 3, "nobody's", "e").await["code"], 11002);
    let skus = |id| -> Vec<String> {
        mock.tencent_salesinfo_of(id)
            .into_iter()
            .map(|i| i.external_sku_id)
            .collect()
    };
    assert_eq!(
        (skus(1), skus(2), skus(3)),
        (vec!["a".into()], vec!["b".into()], vec![])
    );
    let one = mock.account_counts(1).unwrap();
    assert_eq!((one.accepted, one.records, one.refused), (1, 1, 3));
    assert_eq!(mock.account_counts(3), None);
}

#[tokio::test]
async fn without_accounts_every_account_is_served_as_before() {
    let mock = MockServer::start().await;
    for account_id in [1, 111, 1_111_111_111] {
        let envelope = account_post(&mock, account_id, DEFAULT_TENCENT_TOKEN, "a").await;
        assert_eq!(envelope["code"], 0, "{account_id}");
    }
    assert!(mock.tenant_counts().accounts.is_empty());
    // The first account registered at run time turns the check on.
    mock.add_tencent_account(7, "token-7");
    assert_eq!(
        account_post(&mock, 111, DEFAULT_TENCENT_TOKEN, "b").await["code"],
        12203
    );
    assert_eq!(account_post(&mock, 7, "token-7", "b").await["code"], 0);
}

#[tokio::test]
async fn one_store_refused_while_the_others_work_then_restored() {
    let mock = MockServer::start_with(two_stores()).await;
    for (status, words) in [(402, "frozen"), (423, "locked"), (401, "Invalid")] {
        assert!(mock.refuse_store("alpha", status));
        let (answered, body) = store_post(&mock, "alpha", "token-alpha", &one_flow("f1")).await;
        assert_eq!(answered, status);
        assert!(body["errors"].as_str().unwrap().contains(words), "{body}");
        assert_eq!(
            store_post(&mock, "beta", "token-beta", &one_flow("f1"))
                .await
                .0,
            200
        );
    }
    // A wrong token is still a wrong token.
    assert_eq!(
        store_post(&mock, "alpha", "token-beta", &one_flow("f1"))
            .await
            .0,
        401
    );
    assert!(mock.shopline_flows_of("alpha").is_empty());
    assert!(mock.restore_store("alpha"));
    assert_eq!(
        store_post(&mock, "alpha", "token-alpha", &one_flow("f1"))
            .await
            .0,
        200
    );
    assert!(!mock.refuse_store("gamma", 401));
    assert!(!mock.restore_store("gamma"));
    let alpha = mock.store_counts("alpha").unwrap();
    assert_eq!((alpha.refused, alpha.accepted), (4, 1));
}

#[tokio::test]
async fn one_account_refused_while_the_others_work_then_restored() {
    let mock = MockServer::start_with(two_accounts()).await;
    assert!(mock.refuse_account(1, 12201));
    let envelope = account_post(&mock, 1, "token-1", "a").await;
    assert_eq!(envelope["code"], 12201);
    assert!(envelope["message"]
        .as_str()
        .unwrap()
        .starts_with("Account is invalid"));
    assert_eq!(account_post(&mock, 2, "token-2", "a").await["code"], 0);
    assert!(mock.refuse_account(1, 11000));
    assert_eq!(account_post(&mock, 1, "token-1", "b").await["code"], 11000);
    assert!(mock.tencent_salesinfo_of(1).is_empty());
    assert!(mock.restore_account(1));
    assert_eq!(account_post(&mock, 1, "token-1", "c").await["code"], 0);
    assert!(!mock.refuse_account(3, 11002));
    assert!(!mock.restore_account(3));
    assert_eq!(mock.account_counts(1).unwrap().refused, 2);
}

#[tokio::test]
async fn counts_per_tenant_accepted_records_and_rate_limits() {
    let config = two_stores()
        .with_tencent_accounts([(1, "token-1")])
        .with_rate_limit(None);
    let mock = MockServer::start_with(config).await;
    // Redelivered: two accepted requests, one record.
    for _ in 0..2 {
        store_post(&mock, "alpha", "token-alpha", &one_flow("f1")).await;
    }
    mock.push_fault(
        Vendor::Shopline,
        Fault::too_many_requests(Some(Duration::from_secs(1))),
    );
    assert_eq!(
        store_post(&mock, "alpha", "token-alpha", &one_flow("f2"))
            .await
            .0,
        429
    );
    mock.push_fault(Vendor::Tencent, Fault::tencent(11017));
    assert_eq!(account_post(&mock, 1, "token-1", "a").await["code"], 11017);
    mock.push_fault(
        Vendor::Tencent,
        Fault::StoreThenFail(salesync_mock::AfterStore::Status(500)),
    );
    assert_eq!(account_send(&mock, 1, "token-1", "a").await.0, 500);
    account_post(&mock, 1, "token-1", "b").await;

    let counts = mock.tenant_counts();
    let alpha = counts.stores["alpha"];
    assert_eq!(
        (alpha.accepted, alpha.records, alpha.rate_limited),
        (2, 1, 1)
    );
    assert_eq!(
        alpha.bucket_refused, 0,
        "an injected 429 is not the bucket's"
    );
    assert_eq!(counts.stores["beta"], TenantCounts::default());
    let one = counts.accounts[&1];
    assert_eq!((one.accepted, one.records, one.rate_limited), (2, 2, 1));
    let total = counts.total();
    assert_eq!(
        (total.accepted, total.records, total.rate_limited),
        (4, 3, 2)
    );
    // The plain routes count for no tenant.
    shopline_post(&mock, &one_flow("f9")).await;
    assert_eq!(mock.tenant_counts().total(), total);
    mock.reset();
    assert_eq!(mock.tenant_counts().total(), TenantCounts::default());
    assert_eq!(mock.tenant_counts().stores.len(), 2, "registrations stay");
}

#[tokio::test]
async fn stores_added_while_running_and_tokens_kept_out_of_debug() {
    let config = two_stores().with_tencent_accounts([(1, "token-1")]);
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("token-alpha") && !debug.contains("token-1"),
        "{debug}"
    );
    assert!(debug.contains("[2 store(s), tokens redacted]"), "{debug}");
    let mock = MockServer::start_with(config).await;
    assert_eq!(
        store_post(&mock, "gamma", "token-gamma", &one_flow("f1"))
            .await
            .0,
        404
    );
    mock.add_shopline_store("gamma", "token-gamma");
    assert_eq!(
        store_post(&mock, "gamma", "token-gamma", &one_flow("f1"))
            .await
            .0,
        200
    );
    // A refreshed token replaces the old one.
    mock.add_shopline_store("gamma", "token-gamma-2");
    assert_eq!(
        store_post(&mock, "gamma", "token-gamma", &one_flow("f1"))
            .await
            .0,
        401
    );
    assert_eq!(
        store_post(&mock, "gamma", "token-gamma-2", &one_flow("f1"))
            .await
            .0,
        200
    );
    assert_eq!(mock.store_counts("gamma").unwrap().accepted, 2);
}

#[tokio::test]
async fn ten_thousand_stores_and_accounts_cost_little() {
    const N: i64 = 10_000;
    let started = Instant::now();
    let config = MockConfig::default()
        .with_shopline_stores(
            (1..=N).map(|i| (format!("store-{i:05}"), format!("token-store-{i:05}"))),
        )
        .with_tencent_accounts((1..=N).map(|i| (i, format!("token-account-{i:05}"))));
    let mock = MockServer::start_with(config).await;
    for i in N + 1..=N + 100 {
        mock.add_shopline_store(format!("store-{i:05}"), format!("token-store-{i:05}"));
        mock.add_tencent_account(i, format!("token-account-{i:05}"));
    }
    let registering = started.elapsed();
    // Microseconds each in a debug build; the bound only catches a per-tenant task or allocation gone wrong.
    assert!(registering < Duration::from_secs(5), "{registering:?}");

    for i in [1, 5_000, N, N + 100] {
        let handle = format!("store-{i:05}");
        let token = format!("token-store-{i:05}");
        assert_eq!(
            store_post(&mock, &handle, &token, &one_flow("f1")).await.0,
            200
        );
        let token = format!("token-account-{i:05}");
        assert_eq!(account_post(&mock, i, &token, "a").await["code"], 0);
    }
    assert_eq!(
        store_post(&mock, "store-00002", "token-store-00003", &one_flow("f1"))
            .await
            .0,
        401
    );
    assert_eq!(
        account_post(&mock, 2, "token-account-00003", "a").await["code"],
        11002
    );
    let counts = mock.tenant_counts();
    assert_eq!(counts.stores.len(), 10_100);
    assert_eq!(counts.accounts.len(), 10_100);
    let total = counts.total();
    assert_eq!((total.accepted, total.records, total.refused), (8, 8, 2));
    assert_eq!(mock.store_counts("store-05000").unwrap().records, 1);
    assert_eq!(mock.account_counts(N).unwrap().records, 1);
}
