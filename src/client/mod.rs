//! The handwritten facade over the generated models: configuration, auth, transport, retries, pacing, errors
//! and batching. Generated code adds one typed method per endpoint on [`ShoplineClient`] and
//! [`TencentClient`], each a call to their generic [`call::<Operation>`](Client::call).
//!
//! This page is the reference; the repository's `docs/clients.md` is the guide (auth, how the [`Pace`] reacts
//! to each kind of answer, streams of rows with [`Client::sync_stream`], your own HTTP stack). What is retried,
//! and how: [`ErrorClass`](crate::ErrorClass). Every error's variants and its `Display` and JSON forms:
//! [`Error`](crate::Error). What each attempt reports to a metrics hook: [`Attempt`].
//!
//! Many stores or accounts at once: a [`Fleet`] holds one client per tenant over one connection pool, and its
//! [`sync_stream`](Fleet::sync_stream) takes rows that name their tenant (`docs/clients.md`, "Many stores and
//! accounts").
//!
//! # Logging and tracing
//!
//! salesync logs through [`tracing`](https://docs.rs/tracing), in the conventions of OpenTelemetry, so a
//! `tracing-subscriber` `fmt` layer prints it and `tracing-opentelemetry` exports it as client spans:
//!
//! | span / event | level | fields |
//! | --- | --- | --- |
//! | `salesync.call`, one per call | info | `otel.name` (`tencent.salesinfo_add`), `otel.kind` (`client`), `rpc.system` (`http`), `rpc.service` (the vendor), `rpc.method` (the operation), `salesync.api_version`, `http.request.method`, `url.path` (never the query: Tencent's token is there), then `http.response.status_code`, `salesync.attempts`, `platform.trace_id` (the platform's own trace id, for its support), `error.type` (the error class), `otel.status_code` (`OK`, `ERROR`) |
//! | `salesync.attempt`, a child per attempt | info | `attempt`, `http.request.resend_count`, `http.response.status_code`, `platform.trace_id`, `error.type` |
//! | `retrying` | info | `attempt`, `error`, `delay` |
//! | `answered` | debug | `status`, `code` (Tencent), `trace_id` |
//! | `the call failed` (the caller receives the error, so it is not a warning) | debug | `attempts`, `error` |
//! | `request refused for its content: splitting it ...` (`sync_all` halves a refused batch) | info | `items`, `error` |
//!
//! No field holds a token, an app key or an app secret (`tests/clients_tracing.rs` and
//! `tests/clients_redaction.rs` capture every span and event to check). With the CLI: `-v` (info), `-vv`
//! (debug), `-vvv` (trace), or `RUST_LOG`, on standard error.

mod auth;
mod batch;
pub(crate) mod config;
mod engine;
mod fleet;
mod generic;
mod http;
mod nonce;
pub(crate) mod observe;
mod pacing;
mod prepared;
pub(crate) mod retry;
mod secret;
mod shopline;
mod tencent;
mod trace;

pub use auth::{TokenError, TokenFuture, TokenProvider};
pub use batch::{BatchReport, ItemOutcome};
pub use config::DEFAULT_USER_AGENT;
pub use engine::{Row, SyncEvent, SyncOptions, SyncStream};
pub use fleet::{
    Fleet, FleetBuilder, FleetEvent, FleetOptions, FleetRow, FleetStream, Tenant, TenantId,
    TENANT_PLACEHOLDER,
};
pub use generic::{Client, ClientBuilder, Platform, Shopline, Tencent};
pub use observe::Attempt;
pub use pacing::Pace;
pub use pacing::PaceState;
pub use prepared::Prepared;
pub use retry::{parse_retry_after, RetryPolicy};
pub use secret::{Secret, REDACTED};
pub use shopline::{ShoplineClient, ShoplineClientBuilder};
pub use tencent::{TencentClient, TencentClientBuilder, DEFAULT_TENCENT_BASE_URL};
pub use trace::tencent_trace_id;

/// A successful call: the typed body and what a caller may want to log or quote to support. Serializes as
/// `{"body", "trace_id", "status", "attempts"}`; [`Response::meta`] is the same without the body.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Response<T> {
    /// The success body.
    pub body: T,
    /// Shopline's `traceId` header, or the `trace_id: <hex>` in Tencent's message when present.
    pub trace_id: Option<String>,
    /// The HTTP status (any 2xx).
    pub status: u16,
    /// Attempts made, the successful one included (1 when nothing was retried).
    pub attempts: u32,
}

impl<T> Response<T> {
    /// The body alone.
    pub fn into_body(self) -> T {
        self.body
    }

    /// What to log about the call, without the body.
    pub fn meta(&self) -> ResponseMeta {
        ResponseMeta {
            trace_id: self.trace_id.clone(),
            status: self.status,
            attempts: self.attempts,
        }
    }
}

/// A successful call without its body: `{"trace_id", "status", "attempts"}` when serialized.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// The platform's trace id, when it sent one.
    pub trace_id: Option<String>,
    /// The HTTP status (any 2xx).
    pub status: u16,
    /// Attempts made, the successful one included.
    pub attempts: u32,
}

#[cfg(test)]
mod tests;
