//! salesync's integration tests, in one test binary (one link, and its tests run side by side): the clients
//! against the embedded mock on 127.0.0.1, the rules of both schemas, the differential tests, the README's
//! snippets. `clients_tracing.rs` and `clients_redaction.rs` are binaries of their own: each installs a
//! process-wide tracing subscriber and reads everything it captures.
//!
//! One file's tests: `cargo test -p salesync --test integration rules_tencent::`.

mod clients_common;
mod rules_common;
mod support;

mod clients_batch;
mod clients_fleet;
mod clients_http;
mod clients_shopline;
mod clients_stream;
mod clients_tencent;
mod differential;
mod differential_schemas;
mod doc_examples;
mod hardening;
mod money;
mod readme;
mod rules_shopline;
mod rules_tencent;
mod rust_version;
mod soak;
