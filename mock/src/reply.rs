//! Answers in each platform's format: Shopline's HTTP status + `{"errors": ...}` + `traceId` header, Tencent's
//! HTTP 200 + `{code, message, message_cn, errors}` envelope with `trace_id: <hex>` inside `message`.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use crate::faults::{AfterStore, Fault, Vendor};

/// Marks a response whose connection must be closed instead of answered (see `server`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

/// A truncated success body: valid UTF-8, invalid JSON.
const MALFORMED: &str = r#"{"code": 0, "message": "", "data": {"#;

/// What a request did, beyond its answer: for the per-tenant counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nothing to count beyond the answer itself.
    #[default]
    Other,
    /// The records were stored; `new_records` of them were not held before.
    Stored { new_records: usize },
    /// Shopline's bucket refused the request (429).
    BucketRefused,
    /// The tenant's credentials were refused: a wrong token or a refusal a test set.
    CredentialsRefused,
}

/// What to send back, and what the request log should say about it.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    body: String,
    retry_after: Option<Duration>,
    /// Send the `traceId` header (Shopline).
    trace_header: bool,
    /// The trace id the client can see, if any.
    pub(crate) trace_id: Option<String>,
    pub(crate) tencent_code: Option<i64>,
    pub(crate) fault: Option<Fault>,
    pub(crate) drop: bool,
    pub(crate) outcome: Outcome,
}

impl Reply {
    fn new(status: StatusCode, body: String) -> Self {
        Reply {
            status,
            body,
            retry_after: None,
            trace_header: false,
            trace_id: None,
            tencent_code: None,
            fault: None,
            drop: false,
            outcome: Outcome::Other,
        }
    }

    /// A Shopline answer: any status and body, always with the `traceId` header.
    pub(crate) fn shopline(status: StatusCode, body: &Value, trace_id: String) -> Self {
        Reply {
            trace_header: true,
            trace_id: Some(trace_id),
            ..Reply::new(status, body.to_string())
        }
    }

    /// A Shopline error: `{"errors": ...}` where the value is a string, an array or an object.
    pub(crate) fn shopline_error(
        status: StatusCode,
        errors: impl Into<Value>,
        trace_id: String,
    ) -> Self {
        Reply::shopline(status, &json!({ "errors": errors.into() }), trace_id)
    }

    /// A Tencent error with its documented message: HTTP 200, the envelope, the trace id in `message`.
    pub(crate) fn tencent_error(
        code: i64,
        detail: &str,
        errors: Option<Value>,
        trace_id: String,
    ) -> Self {
        let (message, message_cn) = crate::tencent::describe(code);
        let message = if detail.is_empty() {
            message.to_owned()
        } else {
            format!("{message}: {detail}")
        };
        Reply::tencent_envelope(code, &message, message_cn, errors, trace_id)
    }

    fn tencent_envelope(
        code: i64,
        message: &str,
        message_cn: &str,
        errors: Option<Value>,
        trace_id: String,
    ) -> Self {
        let message = format!("{message}, trace_id: {trace_id}");
        let mut body = json!({ "code": code, "message": message, "message_cn": message_cn });
        if let Some(errors) = errors {
            body["errors"] = errors;
        }
        Reply {
            trace_id: Some(trace_id),
            tencent_code: Some(code),
            ..Reply::new(StatusCode::OK, body.to_string())
        }
    }

    /// Tencent's success envelope.
    pub(crate) fn tencent_ok() -> Self {
        let body = json!({ "code": 0, "message": "", "message_cn": "", "data": {} });
        Reply {
            tencent_code: Some(0),
            ..Reply::new(StatusCode::OK, body.to_string())
        }
    }

    /// Any HTTP status in the vendor's error format (a fault, or a route-level error).
    pub(crate) fn status(vendor: Option<Vendor>, status: u16, trace_id: String) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let reason = match status {
            StatusCode::TOO_MANY_REQUESTS => "Too many request",
            other => other.canonical_reason().unwrap_or("Error"),
        };
        match vendor {
            Some(Vendor::Tencent) => {
                let body = json!({
                    "code": status.as_u16(),
                    "message": format!("{reason}, trace_id: {trace_id}"),
                    "message_cn": reason,
                });
                Reply {
                    trace_id: Some(trace_id),
                    ..Reply::new(status, body.to_string())
                }
            }
            _ => Reply::shopline_error(status, reason, trace_id),
        }
    }

    pub(crate) fn not_found(vendor: Option<Vendor>, trace_id: String) -> Self {
        Reply::status(vendor, 404, trace_id)
    }

    pub(crate) fn too_large(vendor: Option<Vendor>, trace_id: String) -> Self {
        Reply::status(vendor, 413, trace_id)
    }

    /// The connection is closed without an answer; the status only fills the log's absence of one.
    pub(crate) fn dropped() -> Self {
        Reply {
            drop: true,
            ..Reply::new(StatusCode::INTERNAL_SERVER_ERROR, String::new())
        }
    }

    /// HTTP 200 with a body that is not JSON.
    pub(crate) fn malformed(vendor: Vendor, trace_id: String) -> Self {
        Reply {
            trace_header: vendor == Vendor::Shopline,
            trace_id: (vendor == Vendor::Shopline).then_some(trace_id),
            ..Reply::new(StatusCode::OK, MALFORMED.to_owned())
        }
    }

    /// The answer to a fault that does not let the request through.
    pub(crate) fn for_fault(vendor: Vendor, fault: &Fault, trace_id: String) -> Self {
        let reply = match fault {
            Fault::Status {
                status,
                retry_after,
            } => Reply {
                retry_after: *retry_after,
                ..Reply::status(Some(vendor), *status, trace_id)
            },
            Fault::DropConnection | Fault::StoreThenFail(AfterStore::DropConnection) => {
                Reply::dropped()
            }
            Fault::StoreThenFail(AfterStore::Status(status)) => {
                Reply::status(Some(vendor), *status, trace_id)
            }
            Fault::MalformedJson => Reply::malformed(vendor, trace_id),
            Fault::Code { code, message } => match vendor {
                Vendor::Tencent => {
                    let (_, message_cn) = crate::tencent::describe(*code);
                    Reply::tencent_envelope(*code, message, message_cn, None, trace_id)
                }
                Vendor::Shopline => {
                    let body = json!({ "errors": message, "code": code, "message": message });
                    Reply::shopline(StatusCode::BAD_REQUEST, &body, trace_id)
                }
            },
            // Delay lets the request through; answering it here would be a bug, so answer 500 rather than panic.
            Fault::Delay(_) => Reply::status(Some(vendor), 500, trace_id),
        };
        reply.with_fault(fault.clone())
    }

    pub(crate) fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub(crate) fn with_fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// The HTTP response; `Retry-After` exactly (`exact_retry_after`) or in whole seconds rounded up.
    pub(crate) fn into_response(self, exact_retry_after: bool) -> Response {
        let mut response = Response::new(self.body.into());
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let (true, Some(trace_id)) = (self.trace_header, &self.trace_id) {
            if let Ok(value) = HeaderValue::from_str(trace_id) {
                headers.insert("traceid", value);
            }
        }
        if let Some(after) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&retry_after(after, exact_retry_after)) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        if self.drop {
            response.extensions_mut().insert(DropConnection);
        }
        response
    }
}

/// `Retry-After`'s value: whole seconds rounded up (RFC 9110's delay-seconds), or exactly, to the millisecond,
/// with a fraction only when there is one (`2`, `0.25`).
fn retry_after(after: Duration, exact: bool) -> String {
    let whole = after.as_secs();
    let millis = after.subsec_millis();
    match (exact, after.subsec_nanos() > 0) {
        (_, false) => whole.to_string(),
        (false, true) => (whole + 1).to_string(),
        (true, true) => format!("{whole}.{millis:03}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_whole_seconds_or_exactly() {
        let ms = Duration::from_millis;
        assert_eq!(retry_after(ms(1500), false), "2");
        assert_eq!(retry_after(ms(10), false), "1");
        assert_eq!(retry_after(ms(2000), false), "2");
        assert_eq!(retry_after(ms(1500), true), "1.5");
        assert_eq!(retry_after(ms(100), true), "0.1");
        assert_eq!(retry_after(ms(2000), true), "2");
        assert_eq!(retry_after(ms(250), true), "0.25");
        // Below a millisecond: no fraction to write, so no wait at all rather than a wrong one.
        assert_eq!(retry_after(Duration::from_micros(10), true), "0");
    }
}
