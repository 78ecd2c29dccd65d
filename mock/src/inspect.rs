//! What tests use on a running mock: the stored records, the request log, faults and run-time settings.

use std::sync::{Arc, PoisonError};

use salesync::shopline::batch_sync_flow_data::FlowData;
use salesync::tencent::salesinfo_add::SalesInfo;

use crate::app::lock;
use crate::bucket::{RateLimit, Shop};
use crate::faults::{Fault, RandomFaults, Vendor};
use crate::log::RecordedRequest;
use crate::server::MockServer;
use crate::store::{Counts, ShoplineFlowRecord, ShoplineNodeRecord, TencentSalesRecord};

impl MockServer {
    /// Stored Shopline flows, latest version of each `(handle, store_id, flow_id, occurred_on)`, in key order
    /// (the route without a store handle first); one store's alone: [`MockServer::shopline_flows_of`].
    pub fn shopline_flows(&self) -> Vec<FlowData> {
        let store = lock(&self.app.store);
        store.flows.values().map(|r| r.flow.clone()).collect()
    }

    /// Stored Shopline flows with their store (handle and id), app and source.
    pub fn shopline_flow_records(&self) -> Vec<ShoplineFlowRecord> {
        lock(&self.app.store).flows.values().cloned().collect()
    }

    /// Stored Shopline nodes, latest version of each `(handle, store_id, flow_id, node_id, occurred_on)`.
    pub fn shopline_nodes(&self) -> Vec<ShoplineNodeRecord> {
        lock(&self.app.store).nodes.values().cloned().collect()
    }

    /// Stored Tencent salesinfo items, latest version of each
    /// `(account_id, data_set_id, external_store_id, external_sku_id)`, in key order; one account's alone:
    /// [`MockServer::tencent_salesinfo_of`].
    pub fn tencent_salesinfo(&self) -> Vec<SalesInfo> {
        let store = lock(&self.app.store);
        store.sales.values().map(|r| r.item.clone()).collect()
    }

    /// Stored Tencent salesinfo items with their account, data source and data set.
    pub fn tencent_salesinfo_records(&self) -> Vec<TencentSalesRecord> {
        lock(&self.app.store).sales.values().cloned().collect()
    }

    /// How many records are stored.
    pub fn counts(&self) -> Counts {
        lock(&self.app.store).counts()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.app.log).iter().cloned().collect()
    }

    /// The requests to one vendor's endpoint.
    pub fn requests_to(&self, vendor: Vendor) -> Vec<RecordedRequest> {
        let log = lock(&self.app.log);
        log.iter()
            .filter(|r| r.vendor == Some(vendor))
            .cloned()
            .collect()
    }

    /// Queues a one-shot fault for the next request to `vendor` that passes authentication.
    pub fn push_fault(&self, vendor: Vendor, fault: Fault) {
        lock(&self.app.faults[crate::faults::index(vendor)]).push(fault);
    }

    /// Queues several faults, in order.
    pub fn push_faults(&self, vendor: Vendor, faults: impl IntoIterator<Item = Fault>) {
        let mut plan = lock(&self.app.faults[crate::faults::index(vendor)]);
        faults.into_iter().for_each(|fault| plan.push(fault));
    }

    /// Queued faults not yet used.
    pub fn pending_faults(&self, vendor: Vendor) -> usize {
        lock(&self.app.faults[crate::faults::index(vendor)]).pending()
    }

    /// Starts (or with `None` stops) random faults for `vendor`, restarting the generator from the seed.
    pub fn set_random_faults(&self, vendor: Vendor, random: Option<RandomFaults>) {
        lock(&self.app.faults[crate::faults::index(vendor)]).set_random(random);
    }

    /// Makes `vendor`'s platform refuse, for its content, every valid request carrying a batch item that `rule`
    /// refuses: a check of the platform that no schema states (a flow the store does not know, a SKU outside
    /// the data set). `rule` gets each item as JSON and answers why it is refused, or `None`. The answer is the
    /// platform's refusal of the content, naming each refused item by pointer: Shopline 422 with `errors:
    /// ["/flow_data_list/<i>: <reason> [platform]", ...]`, Tencent code 18001 with `errors: [{"type":
    /// "platform", "description": "/salesinfo/<i>: <reason>"}, ...]`; nothing of the request is stored. Replaces
    /// any earlier rule of the vendor; [`MockServer::accept_all_items`] removes it.
    pub fn refuse_items(
        &self,
        vendor: Vendor,
        rule: impl Fn(&serde_json::Value) -> Option<String> + Send + Sync + 'static,
    ) {
        *lock(&self.app.item_rules[crate::faults::index(vendor)]) = Some(Arc::new(rule));
    }

    /// Removes `vendor`'s rule set by [`MockServer::refuse_items`].
    pub fn accept_all_items(&self, vendor: Vendor) {
        *lock(&self.app.item_rules[crate::faults::index(vendor)]) = None;
    }

    /// Replaces Shopline's accepted tokens, e.g. to expire one and test a token provider.
    pub fn set_shopline_tokens<T: Into<String>>(&self, tokens: impl IntoIterator<Item = T>) {
        let tokens = tokens.into_iter().map(Into::into).collect();
        *self
            .app
            .shopline_tokens
            .write()
            .unwrap_or_else(PoisonError::into_inner) = tokens;
    }

    /// Replaces Tencent's accepted access tokens.
    pub fn set_tencent_tokens<T: Into<String>>(&self, tokens: impl IntoIterator<Item = T>) {
        let tokens = tokens.into_iter().map(Into::into).collect();
        *self
            .app
            .tencent_tokens
            .write()
            .unwrap_or_else(PoisonError::into_inner) = tokens;
    }

    /// How many requests Shopline's bucket for `(app_key, store_id)` holds now (0 for a bucket never used);
    /// `None` when the bucket is off. A test of pacing reads it to know the bucket a run starts with. The
    /// buckets of stores at `/stores/{handle}`: [`MockServer::store_bucket_level`].
    pub fn shopline_bucket_level(&self, app_key: &str, store_id: &str) -> Option<f64> {
        let buckets = lock(&self.app.buckets);
        let key = (app_key.to_owned(), Shop::StoreId(store_id.to_owned()));
        buckets
            .as_ref()
            .map(|buckets| buckets.level(&key, std::time::Instant::now()))
    }

    /// Replaces Shopline's leaky bucket (emptied); `None` disables it.
    pub fn set_rate_limit(&self, rate_limit: Option<RateLimit>) {
        self.app.set_rate_limit(rate_limit);
    }

    /// Forgets stored records, the request log, used nonces, queued faults and the tenants' counts (random
    /// faults, item rules, registered stores and accounts and their refusals stay).
    pub fn reset(&self) {
        *lock(&self.app.store) = Default::default();
        lock(&self.app.tenants).clear_counts();
        lock(&self.app.log).clear();
        lock(&self.app.nonces).clear();
        for plan in &self.app.faults {
            lock(plan).clear();
        }
    }
}
