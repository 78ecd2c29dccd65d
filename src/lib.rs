//! salesync: typed, validated clients for two marketing data endpoints.
//!
//! - [`shopline`]: Shopline `batch_sync_flow_data` (statistics of marketing automation flows and their nodes).
//! - [`tencent`]: Tencent Ads Marketing API `salesinfo/add` (offline sales info of SKUs per store).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use salesync::tencent::salesinfo_add::{
//!     Price, SalesInfo, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
//! };
//!
//! // The embedded mock stands in for api.e.qq.com; drop `base_url` to call the real platform.
//! let mock = salesync_mock::MockServer::start().await;
//! let client = salesync::TencentClient::builder()
//!     .base_url(mock.url())
//!     .access_token(salesync_mock::DEFAULT_TENCENT_TOKEN)
//!     .build()?;
//! let item = SalesInfo::builder()
//!     .external_store_id("store-1")
//!     .external_sku_id("sku-1")
//!     .price(Price::builder().current_price(Yuan::from_cents(890)?).sku_price(Yuan::from_cents(1000)?).build())
//!     .stock(Stock::builder().sku_stock_status(SkuStockStatus::InStock).build())
//!     .build();
//! let request = SalesinfoAddRequest::builder()
//!     .account_id(1111111111)
//!     .user_action_set_id(1111111111)
//!     .data_set_id(1111111111)
//!     .salesinfo(vec![item])
//!     .build();
//! // Validated, sent, retried when worth it; the error names the field of the row that is wrong.
//! let response = client.salesinfo_add(&request).await?;
//! assert_eq!(response.body.code, Some(0));
//! # Ok(()) }
//! ```
//!
//! The models, their validation and the endpoint descriptions are generated from `schemas/` into
//! `generated/`; this crate's handwritten part is the runtime they build on and the clients ([`client`]):
//! auth, transport, retries ([`ErrorClass`]), pacing, batching, tracing spans. Every error is an [`Error`].
//!
//! The reference is on these pages: [`client`] (what a client does, its tracing spans and fields), [`Error`]
//! (every variant, its `Display` and JSON forms), [`ErrorClass`] (what is retried, by HTTP status and platform
//! code), the endpoint modules ([`shopline`], [`tencent`]: each type with its schema's rules). The guides (how
//! to build models, send, pace, stream, use the CLI, change a schema) are the repository's `docs/` folder:
//! `models.md`, `clients.md`, `cli.md`, `generator.md`, `mock.md`.

// `Error` is about 150 bytes (an API error keeps the platform's code, messages, per-field errors, trace id,
// attempts and Retry-After as plain fields, to match on). Errors are the cold path of network-bound calls:
// a box per error would buy nothing a caller could measure, and cost every caller a less direct type.
#![allow(clippy::result_large_err)]
// Every public fallible function says when it fails.
#![warn(clippy::missing_errors_doc)]

mod classify;
pub mod client;
mod error;
pub mod runtime;
mod vendor;

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
mod generated_json_schema_tests;
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
