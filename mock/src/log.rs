//! The request log: every request as it arrived and what it was answered, so tests can assert headers,
//! query parameters (nonce uniqueness across retries) and bodies exactly.

use std::fmt;
use std::time::SystemTime;

use axum::body::Bytes;

use crate::faults::{Fault, Vendor};

/// Values of these headers and query parameters are secrets: kept for assertions, never printed.
const SECRETS: [&str; 4] = ["authorization", "access_token", "sign", "appkey"];

/// One request the mock received. `Debug` redacts secrets (`Authorization`, `access_token`, ...).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// Arrival number, from 0: stays meaningful when a capped log has dropped older entries.
    pub seq: u64,
    /// The endpoint's vendor; `None` for a path neither platform serves.
    pub vendor: Option<Vendor>,
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Query parameters, decoded, in order (repeated names are kept).
    pub query: Vec<(String, String)>,
    /// Headers in order, names lowercase, values as sent (non-UTF-8 bytes replaced).
    pub headers: Vec<(String, String)>,
    /// The body as received.
    pub body: Bytes,
    /// The HTTP status answered; `None` while in flight or when the connection was dropped.
    pub status: Option<u16>,
    /// Tencent's envelope `code` answered, when there was one.
    pub tencent_code: Option<i64>,
    /// The trace id answered (Shopline `traceId` header, Tencent `trace_id` in `message`).
    pub trace_id: Option<String>,
    /// The injected fault the request got, if any.
    pub fault: Option<Fault>,
    /// Whether the connection was closed without a response.
    pub dropped: bool,
    /// When the request arrived.
    pub received_at: SystemTime,
}

impl RecordedRequest {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text (non-UTF-8 bytes replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl RecordedRequest {
    /// The body for `Debug`: Shopline bodies carry the app key, which is a credential.
    fn redacted_body(&self) -> String {
        match self.body_json() {
            Some(serde_json::Value::Object(mut object)) if object.contains_key("app_key") => {
                object.insert("app_key".into(), "*** redacted ***".into());
                serde_json::Value::Object(object).to_string()
            }
            _ => self.body_text(),
        }
    }
}

fn redacted(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(key, value)| {
            let secret = SECRETS.iter().any(|s| key.eq_ignore_ascii_case(s));
            (key.as_str(), if secret { "***" } else { value.as_str() })
        })
        .collect()
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("seq", &self.seq)
            .field("vendor", &self.vendor)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redacted(&self.query))
            .field("headers", &redacted(&self.headers))
            .field("body", &self.redacted_body())
            .field("status", &self.status)
            .field("tencent_code", &self.tencent_code)
            .field("trace_id", &self.trace_id)
            .field("fault", &self.fault)
            .field("dropped", &self.dropped)
            .finish_non_exhaustive()
    }
}
