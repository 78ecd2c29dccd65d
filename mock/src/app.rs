//! State shared by every connection, and the routes: each request is logged on arrival, handed to its
//! vendor's pipeline, and the log entry completed with the answer.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use salesync::runtime::Operation;
use salesync::shopline::batch_sync_flow_data::BatchSyncFlowData;
use salesync::tencent::salesinfo_add::SalesinfoAdd;

use crate::bucket::{Buckets, RateLimit};
use crate::config::MockConfig;
use crate::faults::{Fault, FaultPlan, ItemRule, SplitMix64, Vendor};
use crate::log::RecordedRequest;
use crate::reply::Reply;
use crate::store::Store;
use crate::tenants::Tenants;
use crate::{shopline, tencent};

/// Locks a mutex, shrugging off poisoning: the mock must keep answering whatever happened before.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything the mock platforms know. Locks are never held across an `.await`.
pub(crate) struct App {
    pub(crate) shopline_tokens: RwLock<Vec<String>>,
    pub(crate) tencent_tokens: RwLock<Vec<String>>,
    pub(crate) tencent_max_skew: Duration,
    pub(crate) body_limit: usize,
    /// Added to every answer.
    latency: Duration,
    /// `Retry-After` with its fraction rather than in whole seconds.
    exact_retry_after: bool,
    pub(crate) buckets: Mutex<Option<Buckets>>,
    /// `(access_token, nonce)` pairs already used.
    pub(crate) nonces: Mutex<HashSet<(String, String)>>,
    pub(crate) faults: [Mutex<FaultPlan>; 2],
    /// Each vendor's check of batch items that no schema states, if any.
    pub(crate) item_rules: [Mutex<Option<ItemRule>>; 2],
    pub(crate) store: Mutex<Store>,
    /// Registered Shopline stores and Tencent accounts, each with its token, refusal and counts.
    pub(crate) tenants: Mutex<Tenants>,
    pub(crate) log: Mutex<VecDeque<RecordedRequest>>,
    log_limit: Option<usize>,
    next_seq: AtomicU64,
    trace_seed: u64,
    trace_counter: AtomicU64,
}

impl App {
    pub(crate) fn new(config: &MockConfig) -> Self {
        let faults: [Mutex<FaultPlan>; 2] = Default::default();
        for (vendor, random) in [
            (Vendor::Shopline, &config.shopline_random_faults),
            (Vendor::Tencent, &config.tencent_random_faults),
        ] {
            lock(&faults[crate::faults::index(vendor)]).set_random(random.clone());
        }
        let mut tenants = Tenants::default();
        for (handle, token) in &config.shopline_stores {
            tenants.add_store(handle.clone(), token.clone());
        }
        for (account_id, token) in &config.tencent_accounts {
            tenants.add_account(*account_id, token.clone());
        }
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        App {
            shopline_tokens: RwLock::new(config.shopline_tokens.clone()),
            tencent_tokens: RwLock::new(config.tencent_tokens.clone()),
            tencent_max_skew: config.tencent_max_skew,
            body_limit: config.body_limit,
            latency: config.latency,
            exact_retry_after: config.exact_retry_after,
            buckets: Mutex::new(config.rate_limit.map(Buckets::new)),
            nonces: Mutex::default(),
            faults,
            item_rules: Default::default(),
            store: Mutex::default(),
            tenants: Mutex::new(tenants),
            log: Mutex::default(),
            log_limit: config.request_log_limit,
            next_seq: AtomicU64::new(0),
            trace_seed: nanos,
            trace_counter: AtomicU64::new(0),
        }
    }

    /// A fresh 32-hex-digit trace id, as both platforms hand out.
    pub(crate) fn trace_id(&self) -> String {
        let n = self.trace_counter.fetch_add(1, Ordering::Relaxed);
        let mut rng = SplitMix64(self.trace_seed ^ n.rotate_left(32));
        format!("{:016x}{:016x}", rng.next(), rng.next())
    }

    pub(crate) fn next_fault(&self, vendor: Vendor) -> Option<Fault> {
        lock(&self.faults[crate::faults::index(vendor)]).next()
    }

    /// The items of a valid request that `vendor`'s item rule refuses: `(pointer, reason)`, in item order.
    pub(crate) fn refused_items<T: serde::Serialize>(
        &self,
        vendor: Vendor,
        member: &str,
        items: &[T],
    ) -> Vec<(String, String)> {
        let Some(rule) = lock(&self.item_rules[crate::faults::index(vendor)]).clone() else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let value = serde_json::to_value(item).ok()?;
                rule(&value).map(|reason| (format!("/{member}/{index}"), reason))
            })
            .collect()
    }

    pub(crate) fn set_rate_limit(&self, limit: Option<RateLimit>) {
        *lock(&self.buckets) = limit.map(Buckets::new);
    }

    pub(crate) fn accepts(tokens: &RwLock<Vec<String>>, token: &str) -> bool {
        let tokens = tokens.read().unwrap_or_else(PoisonError::into_inner);
        tokens.iter().any(|known| known == token)
    }

    fn record(&self, vendor: Option<Vendor>, parts: &Parts, body: Bytes) -> u64 {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let query = parts.uri.query().unwrap_or("");
        let entry = RecordedRequest {
            seq,
            vendor,
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
            body,
            status: None,
            tencent_code: None,
            trace_id: None,
            fault: None,
            dropped: false,
            received_at: SystemTime::now(),
        };
        let mut log = lock(&self.log);
        log.push_back(entry);
        if self.log_limit.is_some_and(|limit| log.len() > limit) {
            log.pop_front();
        }
        seq
    }

    fn complete(&self, seq: u64, reply: &Reply) {
        let mut log = lock(&self.log);
        // Recent entries are at the back; an entry may be gone if the log is capped.
        if let Some(entry) = log.iter_mut().rev().find(|entry| entry.seq == seq) {
            entry.status = (!reply.drop).then_some(reply.status.as_u16());
            entry.dropped = reply.drop;
            entry.tencent_code = reply.tencent_code;
            entry.trace_id = reply.trace_id.clone();
            entry.fault = reply.fault.clone();
        }
    }
}

/// Both endpoints, at the paths their schemas give, Shopline's also under `/stores/{handle}` (the path
/// standing in for the store's host, `{handle}.myshopline.com`), plus a fallback that answers 404.
pub(crate) fn router(app: Arc<App>) -> Router {
    let store_path = format!("/stores/{{handle}}{}", BatchSyncFlowData::META.path);
    Router::new()
        .route(BatchSyncFlowData::META.path, any(shopline_route))
        .route(&store_path, any(shopline_route))
        .route(SalesinfoAdd::META.path, any(tencent_route))
        .fallback(fallback)
        .with_state(app)
}

async fn shopline_route(
    State(app): State<Arc<App>>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let route = Route {
        version: param(&params, "version").unwrap_or_default(),
        store: param(&params, "handle"),
    };
    serve(app, Some(Vendor::Shopline), route, req).await
}

async fn tencent_route(
    State(app): State<Arc<App>>,
    params: RawPathParams,
    req: Request,
) -> Response {
    let route = Route {
        version: param(&params, "version").unwrap_or_default(),
        store: None,
    };
    serve(app, Some(Vendor::Tencent), route, req).await
}

async fn fallback(State(app): State<Arc<App>>, req: Request) -> Response {
    serve(app, None, Route::default(), req).await
}

/// What the path says: the API version, and the store's handle on `/stores/{handle}/...`.
#[derive(Debug, Default)]
pub(crate) struct Route {
    pub(crate) version: String,
    pub(crate) store: Option<String>,
}

fn param(params: &RawPathParams, name: &str) -> Option<String> {
    params
        .iter()
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned())
}

async fn serve(
    app: Arc<App>,
    vendor: Option<Vendor>,
    route: Route,
    req: Request<Body>,
) -> Response {
    let (parts, body) = req.into_parts();
    let (body, too_large) = match axum::body::to_bytes(body, app.body_limit).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (Bytes::new(), true),
    };
    let seq = app.record(vendor, &parts, body.clone());
    let trace_id = app.trace_id();
    let reply = match vendor {
        _ if too_large => Reply::too_large(vendor, trace_id),
        Some(Vendor::Shopline) => shopline::handle(&app, &route, &parts, &body, trace_id).await,
        Some(Vendor::Tencent) => {
            tencent::handle(&app, &route.version, &parts, &body, trace_id).await
        }
        None => Reply::not_found(None, trace_id),
    };
    app.complete(seq, &reply);
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    tracing::debug!(
        vendor = vendor.map_or("-", Vendor::as_str),
        method = %parts.method,
        path = parts.uri.path(),
        status = reply.status.as_u16(),
        dropped = reply.drop,
        "mock request"
    );
    reply.into_response(app.exact_retry_after)
}
