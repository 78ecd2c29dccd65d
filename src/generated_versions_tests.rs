//! Two versions of one operation side by side, as the generator emits them (`codegen/tests/versions.expected/`:
//! the real Shopline schema and a made-up next version that exists only as a test fixture): each version is a
//! module of its own with its own types, the operation's module re-exports the default (the newest), and each
//! request goes to its own version's path.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../codegen/tests/versions.expected/shopline/mod.rs"]
mod shopline;

use std::any::TypeId;

use serde_json::json;

use self::shopline::batch_sync_flow_data::{v20260301, v20260601};
use crate::runtime::{Operation, Validate};

fn flow<T: serde::de::DeserializeOwned>(extra: serde_json::Value) -> T {
    let mut flow = json!({"flow_id": "f", "occurred_on": 1, "order_amount": 1, "order_num": 1,
        "send_count": 1, "trigger_num": 1});
    flow.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(flow).unwrap()
}

#[test]
fn each_version_has_its_own_types_and_the_operation_names_the_default() {
    let new: v20260601::FlowData = flow(json!({"currency": "USD"}));
    assert_eq!(new.currency, Some(v20260601::FlowDataCurrency::Usd));
    let old =
        serde_json::from_value::<v20260301::FlowData>(json!({"flow_id": "f", "occurred_on": 1,
        "order_amount": 1, "order_num": 1, "send_count": 1, "trigger_num": 1, "currency": "USD"}));
    assert!(old.is_err(), "the old version does not know the member");
    assert_eq!(
        TypeId::of::<shopline::batch_sync_flow_data::FlowData>(),
        TypeId::of::<v20260601::FlowData>(),
        "the newest version is the default"
    );
    assert_eq!(
        TypeId::of::<shopline::FlowData>(),
        TypeId::of::<v20260601::FlowData>()
    );
    let old_meta = <v20260301::BatchSyncFlowData as Operation>::META;
    let new_meta = <v20260601::BatchSyncFlowData as Operation>::META;
    assert_eq!((old_meta.default, new_meta.default), (false, true));
    assert_eq!(
        old_meta.versioned_name(),
        "shopline.batch_sync_flow_data@v20260301"
    );
    assert_eq!(new_meta.batch.unwrap().max_items, 200);
    assert_eq!(old_meta.batch.unwrap().max_items, 100);
}

#[tokio::test]
async fn each_request_goes_to_its_own_versions_path() {
    let mock = salesync_mock::MockServer::start().await;
    let client = crate::ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(salesync_mock::DEFAULT_SHOPLINE_TOKEN)
        .no_pacing()
        .build()
        .unwrap();
    let old = v20260301::BatchSyncFlowDataRequest::builder()
        .app_key("k")
        .store_id("1")
        .source_type("crm")
        .flow_data_list(vec![flow::<v20260301::FlowData>(json!({}))])
        .build();
    let new = v20260601::BatchSyncFlowDataRequest::builder()
        .app_key("k")
        .store_id("1")
        .source_type("crm")
        .flow_data_list(vec![flow::<v20260601::FlowData>(json!({}))])
        .build();
    assert_eq!(old.validate(), Ok(()));
    client
        .call::<v20260301::BatchSyncFlowData>(&old)
        .await
        .unwrap();
    client
        .call::<v20260601::BatchSyncFlowData>(&new)
        .await
        .unwrap();
    let paths: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/admin/openapi/v20260301/sales/flow/batch_sync_flow_data.json",
            "/admin/openapi/v20260601/sales/flow/batch_sync_flow_data.json",
        ]
    );
}
