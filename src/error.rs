//! The one error type of the clients: each variant is a different thing a caller does next (fix the data, fix
//! the credentials, wait and resend, report the trace id), so callers match on variants, not on strings.
//!
//! No variant holds a credential: response text is scrubbed of the client's credentials before it gets here,
//! and transport errors lose their URL (Tencent's carries `access_token`).

use std::fmt;

use crate::client::retry::{status_advice, Advice, TencentCodeClass};
use crate::Violations;

/// The platform a call went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Shopline Open API.
    Shopline,
    /// Tencent Ads Marketing API.
    Tencent,
}

impl Vendor {
    /// `shopline` or `tencent`, as in the schemas' `x-endpoint.vendor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Shopline => "shopline",
            Vendor::Tencent => "tencent",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request broke its schema and was not sent. Holds every violation, each with its JSON pointer.
    #[error("invalid request, not sent: {0}")]
    Validation(Violations),

    /// The platform understood the call and refused it: Tencent `code != 0`, or a Shopline error status with
    /// an `{"errors": ...}` body.
    #[error("{}", api_text(*vendor, *status, *code, message.as_deref(), trace_id.as_deref()))]
    Api {
        /// Which platform answered.
        vendor: Vendor,
        /// HTTP status (Tencent answers most errors with 200).
        status: u16,
        /// Platform error code: Tencent's `code`/`retcode`, Shopline's `code` when numeric.
        code: Option<i64>,
        /// `message` (Tencent, Shopline) or `errmsg` (older Tencent envelope); a non-numeric Shopline `code`
        /// is kept here as `code: message`.
        message: Option<String>,
        /// Tencent's Chinese message.
        message_cn: Option<String>,
        /// Per-field details as sent: Tencent's `errors` list, Shopline's `errors` (string, array or object);
        /// `null` when absent.
        errors: serde_json::Value,
        /// Shopline's `traceId` header, or the `trace_id: <hex>` in Tencent's message.
        trace_id: Option<String>,
    },

    /// An error status whose body is not the platform's error format (a proxy page, an empty body).
    #[error("{vendor} answered HTTP {status}{}: {body}", trace_suffix(trace_id.as_deref()))]
    Http {
        /// Which platform was called.
        vendor: Vendor,
        /// HTTP status.
        status: u16,
        /// Trace id header, when sent.
        trace_id: Option<String>,
        /// The start of the body (at most 512 bytes), credentials scrubbed.
        body: String,
    },

    /// No answer: the connection failed, or a timeout (connect, per attempt, or the overall deadline) passed.
    #[error("{vendor}: {}", transport_text(*timeout, *connect, source.as_ref()))]
    Transport {
        /// Which platform was called.
        vendor: Vendor,
        /// A timeout rather than a refused or dropped connection.
        timeout: bool,
        /// The connection could not be made (nothing was sent).
        connect: bool,
        /// The HTTP client's error, its URL removed; `None` when the overall deadline passed.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// A success status whose body is not what the schema describes.
    #[error("{vendor}: could not read the response (HTTP {status}{}): {message}", trace_suffix(trace_id.as_deref()))]
    Decode {
        /// Which platform answered.
        vendor: Vendor,
        /// HTTP status.
        status: u16,
        /// Trace id, when known.
        trace_id: Option<String>,
        /// What did not parse.
        message: String,
        /// The start of the body (at most 512 bytes), credentials scrubbed.
        body: String,
    },

    /// The token provider could not supply an access token, or the token cannot go into a header.
    #[error("{vendor}: no usable access token: {message}")]
    Credentials {
        /// Which platform the token is for.
        vendor: Vendor,
        /// What the provider said (it must not include the token).
        message: String,
    },

    /// The client was built or used wrongly: a bad base URL, an endpoint of the other platform.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl Error {
    /// Whether sending the same request again may succeed: rate limits, busy servers, 5xx, timeouts and
    /// connection failures. Never true for validation, auth, parameter or decode errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            // An unknown code on an error status defers to the status, as the retry loop does.
            Error::Api {
                vendor: Vendor::Tencent,
                code: Some(code),
                ..
            } if TencentCodeClass::of(*code) != TencentCodeClass::Other => {
                TencentCodeClass::of(*code).advice() != Advice::Never
            }
            Error::Api { status, .. } | Error::Http { status, .. } => {
                status_advice(*status) != Advice::Never
            }
            Error::Transport { .. } => true,
            _ => false,
        }
    }

    /// Whether the credentials are at fault (missing, expired, invalid, out of scope): fix them, do not resend.
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Credentials { .. } => true,
            Error::Api {
                vendor: Vendor::Tencent,
                code: Some(code),
                ..
            } => TencentCodeClass::of(*code) == TencentCodeClass::Auth,
            Error::Api { status, .. } | Error::Http { status, .. } => matches!(status, 401 | 403),
            _ => false,
        }
    }

    /// Whether the platform's rate limit was hit (429, Tencent 11008/11016..11019/60005).
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api {
                vendor: Vendor::Tencent,
                code: Some(code),
                ..
            } if TencentCodeClass::of(*code) != TencentCodeClass::Other => matches!(
                TencentCodeClass::of(*code),
                TencentCodeClass::RateLimited | TencentCodeClass::DailyLimit
            ),
            Error::Api { status, .. } | Error::Http { status, .. } => *status == 429,
            _ => false,
        }
    }

    /// Whether the platform refused the content of the request (Tencent 18001..18014, Shopline 400/412/422):
    /// a batch is then split to find the bad items.
    pub fn is_content_rejected(&self) -> bool {
        match self {
            Error::Api {
                vendor: Vendor::Tencent,
                code: Some(code),
                ..
            } => TencentCodeClass::of(*code) == TencentCodeClass::Parameter,
            Error::Api {
                vendor: Vendor::Shopline,
                status,
                ..
            }
            | Error::Http {
                vendor: Vendor::Shopline,
                status,
                ..
            } => matches!(status, 400 | 412 | 422),
            _ => false,
        }
    }

    /// The platform's trace id, to quote to its support.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Error::Api { trace_id, .. }
            | Error::Http { trace_id, .. }
            | Error::Decode { trace_id, .. } => trace_id.as_deref(),
            _ => None,
        }
    }

    /// The platform the failed call went to, when it got that far.
    pub fn vendor(&self) -> Option<Vendor> {
        match self {
            Error::Api { vendor, .. }
            | Error::Http { vendor, .. }
            | Error::Transport { vendor, .. }
            | Error::Decode { vendor, .. }
            | Error::Credentials { vendor, .. } => Some(*vendor),
            Error::Validation(_) | Error::Config(_) => None,
        }
    }

    /// The HTTP status, when the platform answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Http { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The violations of a [`Error::Validation`].
    pub fn violations(&self) -> Option<&Violations> {
        match self {
            Error::Validation(violations) => Some(violations),
            _ => None,
        }
    }

    /// A transport error from reqwest, its URL dropped: Tencent's URL carries the access token.
    pub(crate) fn transport(vendor: Vendor, err: reqwest::Error) -> Self {
        Error::Transport {
            vendor,
            timeout: err.is_timeout(),
            connect: err.is_connect(),
            source: Some(err.without_url()),
        }
    }

    /// The overall deadline passed before an answer came.
    pub(crate) fn deadline(vendor: Vendor) -> Self {
        Error::Transport {
            vendor,
            timeout: true,
            connect: false,
            source: None,
        }
    }
}

fn api_text(
    vendor: Vendor,
    status: u16,
    code: Option<i64>,
    message: Option<&str>,
    trace_id: Option<&str>,
) -> String {
    let code = code.map_or(String::new(), |code| format!(" {code}"));
    let message = message.filter(|m| !m.is_empty()).unwrap_or("(no message)");
    let trace = trace_suffix(trace_id);
    format!("{vendor} API error{code} (HTTP {status}{trace}): {message}")
}

fn trace_suffix(trace_id: Option<&str>) -> String {
    trace_id.map_or(String::new(), |id| format!(", trace id {id}"))
}

fn transport_text(timeout: bool, connect: bool, source: Option<&reqwest::Error>) -> String {
    let what = match (timeout, connect, source) {
        (true, _, None) => "the overall deadline passed before an answer",
        (true, _, Some(_)) => "timed out",
        (false, true, _) => "could not connect",
        (false, false, _) => "the connection failed",
    };
    match source {
        Some(err) => format!("{what}: {}", chain(err)),
        None => what.to_owned(),
    }
}

/// An error and its causes on one line (reqwest's own text is terse: "error sending request").
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tencent(code: i64) -> Error {
        Error::Api {
            vendor: Vendor::Tencent,
            status: 200,
            code: Some(code),
            message: Some("busy, trace_id: abc".into()),
            message_cn: None,
            errors: serde_json::Value::Null,
            trace_id: Some("abc".into()),
        }
    }

    fn http(vendor: Vendor, status: u16) -> Error {
        Error::Http {
            vendor,
            status,
            trace_id: None,
            body: String::new(),
        }
    }

    #[test]
    fn retryable_by_code_and_status() {
        for code in [
            10000, 10001, 12700, 51001, 60000, 11008, 11016, 11017, 11019, 60005, 12100, 12101,
        ] {
            assert!(tencent(code).is_retryable(), "{code}");
        }
        for code in [
            11018, 11000, 11002, 11004, 11005, 11007, 11014, 12000, 12003, 12201, 12203, 18001,
            18014, 99999,
        ] {
            assert!(!tencent(code).is_retryable(), "{code}");
        }
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(http(Vendor::Shopline, status).is_retryable(), "{status}");
        }
        for status in [400, 401, 402, 403, 404, 406, 412, 422, 423, 433, 436, 501] {
            assert!(!http(Vendor::Shopline, status).is_retryable(), "{status}");
        }
        assert!(!Error::Validation(Violations::default()).is_retryable());
        assert!(Error::deadline(Vendor::Tencent).is_retryable());
    }

    #[test]
    fn classifies_auth_rate_limit_and_content() {
        assert!(tencent(11000).is_auth());
        assert!(!tencent(10000).is_auth());
        assert!(http(Vendor::Shopline, 401).is_auth());
        assert!(tencent(11018).is_rate_limited());
        assert!(http(Vendor::Shopline, 429).is_rate_limited());
        assert!(tencent(18003).is_content_rejected());
        assert!(http(Vendor::Shopline, 422).is_content_rejected());
        assert!(!tencent(12003).is_content_rejected());
    }

    #[test]
    fn display_names_code_status_and_trace_id() {
        let text = tencent(10000).to_string();
        assert_eq!(
            text,
            "tencent API error 10000 (HTTP 200, trace id abc): busy, trace_id: abc"
        );
        assert_eq!(tencent(10000).trace_id(), Some("abc"));
        assert_eq!(
            Error::deadline(Vendor::Shopline).to_string(),
            "shopline: the overall deadline passed before an answer"
        );
    }
}
