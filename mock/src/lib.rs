//! Embedded mock of both platforms: a real HTTP server on loopback that serves Shopline
//! `batch_sync_flow_data` and Tencent `salesinfo/add` as their documents describe, so clients are tested
//! offline over real HTTP.
//!
//! It checks auth exactly (Shopline bearer token and content type; Tencent `access_token`, `timestamp` within
//! 300 s, `nonce` never reused), validates bodies with the generated validators, answers in each platform's
//! error format, enforces Shopline's leaky bucket, stores accepted records by natural key (upsert), logs every
//! request, and injects faults on demand. It serves many Shopline stores (at `/stores/{handle}/...`) and
//! Tencent accounts at once, each with its own token, bucket, records and counts, for clients of a fleet.
//!
//! ```no_run
//! use salesync_mock::{Fault, MockServer, Vendor, DEFAULT_SHOPLINE_TOKEN};
//! # async fn demo() {
//! let mock = MockServer::start().await;
//! mock.push_fault(Vendor::Shopline, Fault::too_many_requests(None));
//! // Point a client at mock.url() with DEFAULT_SHOPLINE_TOKEN, send, then assert:
//! assert_eq!(mock.counts().shopline_flows, 0);
//! assert!(mock.requests().is_empty());
//! # }
//! ```

mod app;
mod bucket;
mod config;
mod faults;
mod fleet;
mod inspect;
mod log;
mod reply;
mod server;
mod shopline;
mod store;
mod tenants;
mod tencent;

pub use bucket::RateLimit;
pub use config::{MockConfig, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN};
pub use faults::{AfterStore, Fault, ItemRule, RandomFaults, Vendor};
pub use log::RecordedRequest;
pub use server::MockServer;
pub use store::{Counts, ShoplineFlowRecord, ShoplineNodeRecord, TencentSalesRecord};
pub use tenants::{FleetCounts, TenantCounts};
pub use tencent::TENCENT_VERSIONS;
