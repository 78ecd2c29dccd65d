//! What the mock platforms hold: accepted records by their natural keys, so a redelivered record replaces
//! the earlier copy (upsert) instead of duplicating it, as the platforms do.

use std::collections::BTreeMap;

use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowDataRequest, FlowData, FlowNodeData};
use salesync::tencent::salesinfo_add::{SalesInfo, SalesinfoAddRequest};

/// A stored Shopline flow, keyed by `(handle, store_id, flow_id, occurred_on)`, with its request's envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ShoplineFlowRecord {
    /// The store's handle when the request came to `/stores/{handle}/...`; `None` for the route without one.
    /// Part of the key: two stores are two hosts, whatever `store_id` their bodies carry.
    pub handle: Option<String>,
    /// `app_key` of the request that last wrote the flow.
    pub app_key: String,
    /// Store id.
    pub store_id: String,
    /// `source_type` of the request that last wrote the flow.
    pub source_type: String,
    /// The flow as last received, node lists included.
    pub flow: FlowData,
}

/// A stored Shopline flow node, keyed by `(handle, store_id, flow_id, node_id, occurred_on)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShoplineNodeRecord {
    /// The store's handle, as in [`ShoplineFlowRecord::handle`].
    pub handle: Option<String>,
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

/// The handle first, so one store's records are one range (`None`, the route without a handle, sorts first).
type FlowKey = (Option<String>, String, String, i64);
type NodeKey = (Option<String>, String, String, String, i64);
/// The account first, so one account's items are one range.
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
    /// `handle` is the store of a `/stores/{handle}` route. Gives how many flows were not held before.
    pub(crate) fn put_shopline(
        &mut self,
        handle: Option<&str>,
        request: &BatchSyncFlowDataRequest,
    ) -> usize {
        let handle = handle.map(str::to_owned);
        let store_id = &request.store_id;
        let mut new_flows = 0;
        for flow in &request.flow_data_list {
            let node_key = |node: &FlowNodeData| {
                let flow_id = flow.flow_id.clone();
                (
                    handle.clone(),
                    store_id.clone(),
                    flow_id,
                    node.node_id.clone(),
                    node.occurred_on.get(),
                )
            };
            for node in flow.flow_node_data_list.iter().flatten() {
                let record = ShoplineNodeRecord {
                    handle: handle.clone(),
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
                handle.clone(),
                store_id.clone(),
                flow.flow_id.clone(),
                flow.occurred_on.get(),
            );
            let record = ShoplineFlowRecord {
                handle: handle.clone(),
                app_key: request.app_key.clone(),
                store_id: store_id.clone(),
                source_type: request.source_type.clone(),
                flow: flow.clone(),
            };
            new_flows += usize::from(self.flows.insert(key, record).is_none());
        }
        new_flows
    }

    /// Upserts every salesinfo item; gives how many were not held before.
    pub(crate) fn put_tencent(&mut self, request: &SalesinfoAddRequest) -> usize {
        let mut new_items = 0;
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
            new_items += usize::from(self.sales.insert(key, record).is_none());
        }
        new_items
    }

    /// One store's flows, in key order.
    pub(crate) fn flows_of<'a>(
        &'a self,
        handle: &'a str,
    ) -> impl Iterator<Item = &'a ShoplineFlowRecord> + 'a {
        let first: FlowKey = (
            Some(handle.to_owned()),
            String::new(),
            String::new(),
            i64::MIN,
        );
        self.flows
            .range(first..)
            .take_while(move |(key, _)| key.0.as_deref() == Some(handle))
            .map(|(_, record)| record)
    }

    /// One account's items, in key order.
    pub(crate) fn sales_of(&self, account_id: i64) -> impl Iterator<Item = &TencentSalesRecord> {
        let first: SalesKey = (account_id, i64::MIN, String::new(), String::new());
        self.sales
            .range(first..)
            .take_while(move |(key, _)| key.0 == account_id)
            .map(|(_, record)| record)
    }

    pub(crate) fn counts(&self) -> Counts {
        Counts {
            shopline_flows: self.flows.len(),
            shopline_nodes: self.nodes.len(),
            tencent_salesinfo: self.sales.len(),
        }
    }
}
