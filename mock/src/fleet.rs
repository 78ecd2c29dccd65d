//! What tests use on a mock serving many stores and accounts: registering them while it runs, refusing one
//! tenant's credentials while the others work, and reading each tenant's records and counts.

use salesync::shopline::batch_sync_flow_data::FlowData;
use salesync::tencent::salesinfo_add::SalesInfo;

use crate::app::lock;
use crate::bucket::Shop;
use crate::server::MockServer;
use crate::tenants::{FleetCounts, TenantCounts};

impl MockServer {
    /// Base URL of one store, `{url}/stores/{handle}`: give it to a Shopline client as its `base_url`, as the
    /// real store is `https://{handle}.myshopline.com`.
    pub fn store_url(&self, handle: &str) -> String {
        format!("{}/stores/{handle}", self.url())
    }

    /// Serves one more Shopline store at [`MockServer::store_url`], taking `token` alone, with a bucket of its
    /// own. A handle already registered gets the new token (a refreshed one), keeping its counts and refusal.
    pub fn add_shopline_store(&self, handle: impl Into<String>, token: impl Into<String>) {
        lock(&self.app.tenants).add_store(handle.into(), token.into());
    }

    /// Serves one more Tencent account: requests naming `account_id` must carry `token`. From the first
    /// account on, an `account_id` not registered is refused with 12203. A registered account gets the new
    /// token, keeping its counts and refusal.
    pub fn add_tencent_account(&self, account_id: i64, token: impl Into<String>) {
        lock(&self.app.tenants).add_account(account_id, token.into());
    }

    /// Refuses one store's credentials, whatever the token, until [`MockServer::restore_store`]: `status` as
    /// Shopline answers it, 401 (token invalid or expired), 402 (store frozen, the app unpaid) or 423 (store
    /// locked), with `{"errors": "..."}`. A wrong token still gets 401 first. The other stores are not
    /// touched: a fleet client must stop this store alone. `false` (and nothing changes) when no store has
    /// that handle.
    pub fn refuse_store(&self, handle: &str, status: u16) -> bool {
        lock(&self.app.tenants).set_store_refusal(handle, Some(status))
    }

    /// Serves a store refused by [`MockServer::refuse_store`] again; `false` when no store has that handle.
    pub fn restore_store(&self, handle: &str) -> bool {
        lock(&self.app.tenants).set_store_refusal(handle, None)
    }

    /// Refuses one account's requests with a Tencent `code` (11002 token invalid, 11000 expired, 12201 account
    /// invalid, 12203 not permitted, ...) once its token, timestamp and nonce pass, until
    /// [`MockServer::restore_account`]. `false` (and nothing changes) when the account is not registered.
    pub fn refuse_account(&self, account_id: i64, code: i64) -> bool {
        lock(&self.app.tenants).set_account_refusal(account_id, Some(code))
    }

    /// Serves an account refused by [`MockServer::refuse_account`] again; `false` when it is not registered.
    pub fn restore_account(&self, account_id: i64) -> bool {
        lock(&self.app.tenants).set_account_refusal(account_id, None)
    }

    /// Every registered store's and account's counts. Copies one entry per tenant: for a few tenants, or
    /// once at the end of a run; [`MockServer::store_counts`] and [`MockServer::account_counts`] read one.
    pub fn tenant_counts(&self) -> FleetCounts {
        lock(&self.app.tenants).counts()
    }

    /// One store's counts; `None` when no store has that handle.
    pub fn store_counts(&self, handle: &str) -> Option<TenantCounts> {
        lock(&self.app.tenants).store_counts(handle)
    }

    /// One account's counts; `None` when the account is not registered.
    pub fn account_counts(&self, account_id: i64) -> Option<TenantCounts> {
        lock(&self.app.tenants).account_counts(account_id)
    }

    /// The flows stored through one store's route, in key order.
    pub fn shopline_flows_of(&self, handle: &str) -> Vec<FlowData> {
        let store = lock(&self.app.store);
        store.flows_of(handle).map(|r| r.flow.clone()).collect()
    }

    /// The salesinfo items stored for one account, in key order.
    pub fn tencent_salesinfo_of(&self, account_id: i64) -> Vec<SalesInfo> {
        let store = lock(&self.app.store);
        store.sales_of(account_id).map(|r| r.item.clone()).collect()
    }

    /// How many requests the bucket of `app_key` at the store `handle` holds now (0 for a bucket never
    /// used); `None` when the bucket is off.
    pub fn store_bucket_level(&self, handle: &str, app_key: &str) -> Option<f64> {
        let buckets = lock(&self.app.buckets);
        let key = (app_key.to_owned(), Shop::Handle(handle.to_owned()));
        buckets
            .as_ref()
            .map(|buckets| buckets.level(&key, std::time::Instant::now()))
    }
}
