//! salesync: typed, validated clients for two marketing data endpoints.
//!
//! - [`shopline`]: Shopline `batch_sync_flow_data` (statistics of marketing automation flows and their nodes).
//! - [`tencent`]: Tencent Ads Marketing API `salesinfo/add` (offline sales info of SKUs per store).
//!
//! The models, their validation and the endpoint descriptions are generated from `schemas/` into
//! `generated/`; this crate's handwritten part is the runtime they build on.

// `Error` is about 150 bytes (an API error keeps the platform's code, messages, per-field errors, trace id,
// attempts and Retry-After as plain fields, to match on). Errors are the cold path of network-bound calls:
// a box per error would buy nothing a caller could measure, and cost every caller a less direct type.
#![allow(clippy::result_large_err)]

mod classify;
pub mod client;
mod error;
pub mod runtime;

// Formatted by the generator (prettyplease), not by rustfmt: the drift check compares bytes.
#[rustfmt::skip]
#[path = "../generated/mod.rs"]
mod generated;

#[cfg(test)]
mod differential_tests;
#[cfg(test)]
mod generated_constructs_tests;
#[cfg(test)]
mod generated_fixture_tests;
#[cfg(test)]
mod generated_shared_tests;
#[cfg(test)]
mod generated_versions_tests;
#[cfg(test)]
mod generated_vocabulary_tests;

pub use classify::{ErrorClass, Retry};
pub use client::{
    BatchReport, ItemOutcome, Prepared, Response, ResponseMeta, ShoplineClient, TencentClient,
};
pub use error::{Error, TransportSource, Vendor};
pub use generated::*;
/// The HTTP client salesync sends with, for [`ShoplineClientBuilder::http_client`](client::ShoplineClientBuilder::http_client)
/// and [`TencentClientBuilder::http_client`](client::TencentClientBuilder::http_client): the same version.
pub use reqwest;
pub use runtime::{Decimal, InvalidValue, Validate, Violation, Violations};
