//! What the mock platforms hold: accepted records by their natural keys, so a redelivered record replaces
//! the earlier copy (upsert) instead of duplicating it, as the platforms do.

use std::collections::BTreeMap;

use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowDataRequest, FlowData, FlowNodeData};
use salesync::tencent::salesinfo_add::{SalesInfo, SalesinfoAddRequest};

/// A stored Shopline flow, keyed by `(store_id, flow_id, occurred_on)`, with its request's envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ShoplineFlowRecord {
    /// `app_key` of the request that last wrote the flow.
    pub app_key: String,
    /// Store id.
    pub store_id: String,
    /// `source_type` of the request that last wrote the flow.
    pub source_type: String,
    /// The flow as last received, node lists included.
    pub flow: FlowData,
}

/// A stored Shopline flow node, keyed by `(store_id, flow_id, node_id, occurred_on)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShoplineNodeRecord {
    /// Store id.
    pub store_id: String,
    /// The flow the node belongs to.
    pub flow_id: String,
    /// The node as last received.
    pub node: FlowNodeData,
}

/// A stored Tencent salesinfo item, keyed by `(account_id, data_set_id, external_store_id, external_sku_id)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TencentSalesRecord {
    /// Account id.
    pub account_id: i64,
    /// Data source id of the request that last wrote the item.
    pub user_action_set_id: i64,
    /// Data set id.
    pub data_set_id: i64,
    /// The item as last received (an `is_deleted` item is kept, with its mark, like any other).
    pub item: SalesInfo,
}

/// How many records the mock holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Shopline flows.
    pub shopline_flows: usize,
    /// Shopline flow nodes.
    pub shopline_nodes: usize,
    /// Tencent salesinfo items.
    pub tencent_salesinfo: usize,
}

type FlowKey = (String, String, i64);
type NodeKey = (String, String, String, i64);
type SalesKey = (i64, i64, String, String);

/// Every accepted record; `BTreeMap`s so that listings come out in a stable (key) order.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) flows: BTreeMap<FlowKey, ShoplineFlowRecord>,
    pub(crate) nodes: BTreeMap<NodeKey, ShoplineNodeRecord>,
    pub(crate) sales: BTreeMap<SalesKey, TencentSalesRecord>,
}

impl Store {
    /// Upserts the flows and their nodes, then removes the nodes listed in `delete_flow_node_data_list`
    /// (same key: store, flow, node and `occurred_on`), so a node both sent and deleted ends up deleted.
    pub(crate) fn put_shopline(&mut self, request: &BatchSyncFlowDataRequest) {
        let store_id = &request.store_id;
        for flow in &request.flow_data_list {
            let node_key = |node: &FlowNodeData| {
                let flow_id = flow.flow_id.clone();
                (
                    store_id.clone(),
                    flow_id,
                    node.node_id.clone(),
                    node.occurred_on.get(),
                )
            };
            for node in flow.flow_node_data_list.iter().flatten() {
                let record = ShoplineNodeRecord {
                    store_id: store_id.clone(),
                    flow_id: flow.flow_id.clone(),
                    node: node.clone(),
                };
                self.nodes.insert(node_key(node), record);
            }
            for node in flow.delete_flow_node_data_list.iter().flatten() {
                self.nodes.remove(&node_key(node));
            }
            let key = (
                store_id.clone(),
                flow.flow_id.clone(),
                flow.occurred_on.get(),
            );
            let record = ShoplineFlowRecord {
                app_key: request.app_key.clone(),
                store_id: store_id.clone(),
                source_type: request.source_type.clone(),
                flow: flow.clone(),
            };
            self.flows.insert(key, record);
        }
    }

    /// Upserts every salesinfo item.
    pub(crate) fn put_tencent(&mut self, request: &SalesinfoAddRequest) {
        for item in &request.salesinfo {
            let key = (
                request.account_id,
                request.data_set_id,
                item.external_store_id.clone(),
                item.external_sku_id.clone(),
            );
            let record = TencentSalesRecord {
                account_id: request.account_id,
                user_action_set_id: request.user_action_set_id,
                data_set_id: request.data_set_id,
                item: item.clone(),
            };
            self.sales.insert(key, record);
        }
    }

    pub(crate) fn counts(&self) -> Counts {
        Counts {
            shopline_flows: self.flows.len(),
            shopline_nodes: self.nodes.len(),
            tencent_salesinfo: self.sales.len(),
        }
    }
}
