//! How a mock server behaves: accepted credentials (the mock's own, and each registered store's and
//! account's), Shopline's rate limit, Tencent's clock skew, faults.

use std::fmt;
use std::time::Duration;

use crate::bucket::RateLimit;
use crate::faults::{RandomFaults, Vendor};

/// The Shopline access token a default mock accepts.
pub const DEFAULT_SHOPLINE_TOKEN: &str = "mock-shopline-token";
/// The Tencent access token a default mock accepts.
pub const DEFAULT_TENCENT_TOKEN: &str = "mock-tencent-token";

/// Settings of a [`MockServer`](crate::MockServer). `Debug` never prints tokens.
#[derive(Clone)]
#[non_exhaustive]
pub struct MockConfig {
    /// Bearer tokens Shopline accepts.
    pub shopline_tokens: Vec<String>,
    /// `access_token` values Tencent accepts.
    pub tencent_tokens: Vec<String>,
    /// Shopline stores served at `/stores/{handle}/...`, as `(handle, token)`: each takes its own token only.
    pub shopline_stores: Vec<(String, String)>,
    /// Tencent accounts as `(account_id, token)`. When there is any, a request's `account_id` must be one of
    /// them and carry its token.
    pub tencent_accounts: Vec<(i64, String)>,
    /// Shopline's leaky bucket per (app, store); `None` disables it (enterprise plans, fast tests).
    pub rate_limit: Option<RateLimit>,
    /// How far Tencent's `timestamp` may be from the mock's clock, either way (the platform allows 300 s).
    pub tencent_max_skew: Duration,
    /// Largest request body read; larger ones get 413.
    pub body_limit: usize,
    /// Random faults for Shopline requests.
    pub shopline_random_faults: Option<RandomFaults>,
    /// Random faults for Tencent requests.
    pub tencent_random_faults: Option<RandomFaults>,
    /// Most requests the log keeps, oldest dropped first; `None` keeps all (set one for long runs).
    pub request_log_limit: Option<usize>,
    /// How long shutdown waits for requests in flight before closing their connections.
    pub shutdown_grace: Duration,
    /// How long every answer takes beyond the mock's own work: a stand-in for the network and a remote
    /// platform (zero by default).
    pub latency: Duration,
    /// Send `Retry-After` exactly, with its fraction (`0.25`, as Shopify-style platforms send `2.0`), instead
    /// of whole seconds rounded up: for tests that scale the platform's time down (a 40-deep bucket at 40/s
    /// and a `Retry-After` of 100 ms stand for 4/s and one second).
    pub exact_retry_after: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            shopline_tokens: vec![DEFAULT_SHOPLINE_TOKEN.to_owned()],
            tencent_tokens: vec![DEFAULT_TENCENT_TOKEN.to_owned()],
            shopline_stores: Vec::new(),
            tencent_accounts: Vec::new(),
            rate_limit: Some(RateLimit::default()),
            tencent_max_skew: Duration::from_secs(300),
            body_limit: 8 * 1024 * 1024,
            shopline_random_faults: None,
            tencent_random_faults: None,
            request_log_limit: None,
            shutdown_grace: Duration::from_secs(1),
            latency: Duration::ZERO,
            exact_retry_after: false,
        }
    }
}

impl MockConfig {
    /// Shopline accepts exactly these bearer tokens.
    pub fn with_shopline_tokens<T: Into<String>>(
        mut self,
        tokens: impl IntoIterator<Item = T>,
    ) -> Self {
        self.shopline_tokens = tokens.into_iter().map(Into::into).collect();
        self
    }

    /// Tencent accepts exactly these access tokens.
    pub fn with_tencent_tokens<T: Into<String>>(
        mut self,
        tokens: impl IntoIterator<Item = T>,
    ) -> Self {
        self.tencent_tokens = tokens.into_iter().map(Into::into).collect();
        self
    }

    /// Serves these Shopline stores, `(handle, token)`, each at `/stores/{handle}/admin/openapi/...` (the
    /// path standing in for the host `{handle}.myshopline.com`) with its own token and bucket, so one mock
    /// stands in for a fleet of stores. Replaces any stores set before; the route without `/stores/{handle}`
    /// is unchanged.
    pub fn with_shopline_stores<H: Into<String>, T: Into<String>>(
        mut self,
        stores: impl IntoIterator<Item = (H, T)>,
    ) -> Self {
        self.shopline_stores = stores
            .into_iter()
            .map(|(handle, token)| (handle.into(), token.into()))
            .collect();
        self
    }

    /// Serves these Tencent accounts, `(account_id, token)`: a request for one must carry its token (else
    /// 11002), and a request for an account not among them gets 12203 (not permitted). Replaces any accounts
    /// set before; with none, every account is served with the mock's tokens, as before.
    pub fn with_tencent_accounts<T: Into<String>>(
        mut self,
        accounts: impl IntoIterator<Item = (i64, T)>,
    ) -> Self {
        self.tencent_accounts = accounts
            .into_iter()
            .map(|(account_id, token)| (account_id, token.into()))
            .collect();
        self
    }

    /// Shopline's leaky bucket; `None` disables it.
    pub fn with_rate_limit(mut self, rate_limit: Option<RateLimit>) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// Tencent's allowed clock skew.
    pub fn with_tencent_max_skew(mut self, skew: Duration) -> Self {
        self.tencent_max_skew = skew;
        self
    }

    /// Keep at most `limit` requests in the log, for long runs such as `salesync mock`.
    pub fn with_request_log_limit(mut self, limit: usize) -> Self {
        self.request_log_limit = Some(limit);
        self
    }

    /// Every answer is held back `latency` after the request is handled (records are stored at once), as a
    /// remote platform's round trip would.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// `Retry-After` sent exactly (`0.1`) rather than in whole seconds rounded up (`1`).
    pub fn with_exact_retry_after(mut self, exact: bool) -> Self {
        self.exact_retry_after = exact;
        self
    }

    /// Random faults for one vendor's requests.
    pub fn with_random_faults(mut self, vendor: Vendor, faults: RandomFaults) -> Self {
        match vendor {
            Vendor::Shopline => self.shopline_random_faults = Some(faults),
            Vendor::Tencent => self.tencent_random_faults = Some(faults),
        }
        self
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |tokens: &[String]| format!("[{} token(s), redacted]", tokens.len());
        f.debug_struct("MockConfig")
            .field("shopline_tokens", &hidden(&self.shopline_tokens))
            .field("tencent_tokens", &hidden(&self.tencent_tokens))
            .field(
                "shopline_stores",
                &format!("[{} store(s), tokens redacted]", self.shopline_stores.len()),
            )
            .field(
                "tencent_accounts",
                &format!(
                    "[{} account(s), tokens redacted]",
                    self.tencent_accounts.len()
                ),
            )
            .field("rate_limit", &self.rate_limit)
            .field("tencent_max_skew", &self.tencent_max_skew)
            .field("body_limit", &self.body_limit)
            .field("shopline_random_faults", &self.shopline_random_faults)
            .field("tencent_random_faults", &self.tencent_random_faults)
            .field("request_log_limit", &self.request_log_limit)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("latency", &self.latency)
            .field("exact_retry_after", &self.exact_retry_after)
            .finish()
    }
}
