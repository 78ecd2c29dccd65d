//! The one error type of the clients: each variant is a different thing a caller does next (fix the data, fix
//! the credentials, wait and resend, report the trace id), so callers match on variants, not on strings.
//!
//! No variant holds a credential: response text is scrubbed of the client's credentials before it gets here,
//! and transport errors lose their URL (Tencent's carries `access_token`).

use std::time::Duration;

use crate::classify::ErrorClass;
pub use crate::vendor::Vendor;
use crate::Violations;

/// The error of a transport failure (reqwest's, its URL removed), kept as a plain error so that the HTTP
/// stack stays out of this crate's public API.
pub type TransportSource = Box<dyn std::error::Error + Send + Sync>;

/// Why a call failed: every call of the clients returns it, one variant per thing a caller does next.
///
/// - [`Validation`](Error::Validation): not sent; every violation, each at its JSON pointer.
/// - [`Api`](Error::Api): the platform refused: `code`, `message`, `message_cn`, `errors`, `trace_id`.
/// - [`Http`](Error::Http): an error status without the platform's format: a body excerpt.
/// - [`Transport`](Error::Transport): no answer: `timeout`, `connect`.
/// - [`Decode`](Error::Decode): a success body the schema does not describe.
/// - [`Credentials`](Error::Credentials), [`Config`](Error::Config): no token could be had; the client was
///   configured or used wrongly.
///
/// The variants that went over the wire carry `attempts` (the attempts made, the failing one included) and
/// `retry_after` (the last `Retry-After` the platform sent during the call): [`attempts()`](Error::attempts),
/// [`retry_after()`](Error::retry_after). [`class()`](Error::class) is its [`ErrorClass`] (which says what is
/// retried), with [`is_retryable()`](Error::is_retryable), [`is_auth()`](Error::is_auth),
/// [`is_rate_limited()`](Error::is_rate_limited), [`is_content_rejected()`](Error::is_content_rejected) and
/// [`ErrorClass::stops_every_request`] (bad credentials, an account that may not call, the daily limit, a
/// misconfigured client: stop the job).
///
/// # Its two forms
///
/// `Display` is one line, the trace id once; a `Validation` error lists its violations on that line (`{:#}` of
/// [`Violations`] puts each on its own). `Serialize` gives one JSON object for structured logs: `kind`
/// (`validation`, `api`, `http`, `transport`, `decode`, `credentials`, `config`: [`kind()`](Error::kind)),
/// `class`, `retryable`, then what applies: `vendor`, `status`, `code`, `message`, `message_cn`, `errors`,
/// `violations` (`[{"pointer", "rule", "message"}]`), `body`, `timeout`, `connect`, `trace_id`, and always
/// `attempts`, `retry_after_ms` when known, `display`. [`Violations`], [`ItemOutcome`](crate::ItemOutcome),
/// [`BatchReport`](crate::BatchReport), [`Response`](crate::Response) and [`Attempt`](crate::client::Attempt)
/// serialize the same way. No form holds a credential.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
/// use salesync::{ErrorClass, TencentClient};
/// use salesync_mock::{Fault, MockServer, Vendor, DEFAULT_TENCENT_TOKEN};
///
/// let mock = MockServer::start().await;
/// mock.push_fault(Vendor::Tencent, Fault::tencent(11018)); // the daily call limit
/// let tencent = TencentClient::builder()
///     .base_url(mock.url())
///     .access_token(DEFAULT_TENCENT_TOKEN)
///     .build()?;
/// let request: SalesinfoAddRequest = serde_json::from_value(serde_json::json!({
///     "account_id": 1111111111, "user_action_set_id": 1111111111, "data_set_id": 1111111111,
///     "salesinfo": [{"external_store_id": "store-1", "external_sku_id": "sku-1",
///         "price": {"current_price": 8.9, "sku_price": 10}, "stock": {"sku_stock_status": 1}}]
/// }))?;
/// let error = tencent.call::<SalesinfoAdd>(&request).await.unwrap_err();
/// assert_eq!(error.class(), ErrorClass::DailyLimit);
/// assert!(!error.is_retryable() && error.class().stops_every_request());
/// assert_eq!((error.code(), error.attempts()), (Some(11018), 1));
/// // One line: `tencent API error 11018 (HTTP 200): ..., trace_id: ...`
/// assert!(error.to_string().starts_with("tencent API error 11018 (HTTP 200): "));
/// // One JSON object: `{"kind":"api","class":"daily_limit","retryable":false,...}`
/// let json = serde_json::to_value(&error)?;
/// assert_eq!((json["kind"].as_str(), json["class"].as_str()), (Some("api"), Some("daily_limit")));
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request broke its schema and was not sent. Holds every violation, each with its JSON pointer.
    #[error("invalid request, not sent: {0}")]
    Validation(Violations),

    /// The platform understood the call and refused it: Tencent `code != 0`, or a Shopline error status with
    /// an `{"errors": ...}` body.
    #[error("{}", api_text(self))]
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
        /// Attempts made, this one included.
        attempts: u32,
        /// The last `Retry-After` the platform sent during the call.
        retry_after: Option<Duration>,
    },

    /// An error status whose body is not the platform's error format (a proxy page, an empty body).
    #[error("{vendor} answered HTTP {status}{}: {body}", suffix(trace_id.as_deref(), *attempts))]
    Http {
        /// Which platform was called.
        vendor: Vendor,
        /// HTTP status.
        status: u16,
        /// Trace id header, when sent.
        trace_id: Option<String>,
        /// The start of the body (at most 512 bytes), credentials scrubbed.
        body: String,
        /// Attempts made, this one included.
        attempts: u32,
        /// The last `Retry-After` the platform sent during the call.
        retry_after: Option<Duration>,
    },

    /// No answer: the connection failed, or a timeout (connect, per attempt, or the overall deadline) passed.
    #[error("{vendor}: {}{}", transport_text(*timeout, *connect, source.as_deref()), suffix(None, *attempts))]
    Transport {
        /// Which platform was called.
        vendor: Vendor,
        /// A timeout rather than a refused or dropped connection.
        timeout: bool,
        /// The connection could not be made (nothing was sent).
        connect: bool,
        /// The HTTP client's error, its URL removed; `None` when the overall deadline passed.
        #[source]
        source: Option<TransportSource>,
        /// Attempts made, this one included.
        attempts: u32,
        /// The last `Retry-After` the platform sent during the call.
        retry_after: Option<Duration>,
    },

    /// A success status whose body is not what the schema describes.
    #[error("{vendor}: could not read the response (HTTP {status}{}): {message}", suffix(trace_id.as_deref(), *attempts))]
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
        /// Attempts made, this one included.
        attempts: u32,
    },

    /// The token provider could not supply an access token, or the token cannot go into a request.
    #[error("{vendor}: no usable access token: {message}")]
    Credentials {
        /// Which platform the token is for.
        vendor: Vendor,
        /// What the provider said (it must not include the token).
        message: String,
        /// Attempts made, this one included.
        attempts: u32,
    },

    /// The client was built or used wrongly: a bad base URL, an endpoint of the other platform.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl Error {
    /// What kind of failure this is: the one classification the retry loop and the CLI use too.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Validation(_) => ErrorClass::Invalid,
            Error::Api {
                vendor,
                status,
                code,
                ..
            } => ErrorClass::of_answer(*vendor, *status, *code),
            Error::Http { vendor, status, .. } => ErrorClass::of_answer(*vendor, *status, None),
            Error::Transport { .. } => ErrorClass::Transport,
            Error::Decode { .. } => ErrorClass::Decode,
            Error::Credentials { .. } => ErrorClass::Credentials,
            Error::Config(_) => ErrorClass::Config,
        }
    }

    /// Whether sending the same request again may succeed: rate limits, busy servers, 5xx, timeouts and
    /// connection failures. Never true for validation, auth, parameter or decode errors.
    pub fn is_retryable(&self) -> bool {
        self.class().is_retryable()
    }

    /// Whether the credentials are at fault (missing, expired, invalid, out of scope): fix them, do not resend.
    pub fn is_auth(&self) -> bool {
        self.class().is_auth()
    }

    /// Whether the platform's rate limit was hit (429, Tencent 11008/11016..11019/60005).
    pub fn is_rate_limited(&self) -> bool {
        self.class().is_rate_limited()
    }

    /// Whether the platform refused the content of the request (Tencent 18001..18014, Shopline 400/412/422):
    /// a batch is then split to find the bad items.
    pub fn is_content_rejected(&self) -> bool {
        self.class().is_content_rejected()
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

    /// The platform's error code (Tencent's `code`, Shopline's numeric `code`), when it sent one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => *code,
            _ => None,
        }
    }

    /// Attempts made before the call failed, the last one included; 0 when nothing was sent (validation,
    /// configuration).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api { attempts, .. }
            | Error::Http { attempts, .. }
            | Error::Transport { attempts, .. }
            | Error::Decode { attempts, .. }
            | Error::Credentials { attempts, .. } => *attempts,
            Error::Validation(_) | Error::Config(_) => 0,
        }
    }

    /// The last `Retry-After` the platform sent during the call, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. }
            | Error::Http { retry_after, .. }
            | Error::Transport { retry_after, .. } => *retry_after,
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

    /// Records how the call went: the attempts made and the last `Retry-After` seen.
    pub(crate) fn after(mut self, made: u32, last_retry_after: Option<Duration>) -> Self {
        match &mut self {
            Error::Api {
                attempts,
                retry_after,
                ..
            }
            | Error::Http {
                attempts,
                retry_after,
                ..
            }
            | Error::Transport {
                attempts,
                retry_after,
                ..
            } => {
                *attempts = made;
                *retry_after = retry_after.or(last_retry_after);
            }
            Error::Decode { attempts, .. } | Error::Credentials { attempts, .. } => {
                *attempts = made
            }
            Error::Validation(_) | Error::Config(_) => {}
        }
        self
    }

    /// A transport error from reqwest, its URL dropped: Tencent's URL carries the access token.
    pub(crate) fn transport(vendor: Vendor, err: reqwest::Error) -> Self {
        Error::Transport {
            vendor,
            timeout: err.is_timeout(),
            connect: err.is_connect(),
            source: Some(Box::new(err.without_url())),
            attempts: 1,
            retry_after: None,
        }
    }

    /// The overall deadline passed before an answer came.
    pub(crate) fn deadline(vendor: Vendor) -> Self {
        Error::Transport {
            vendor,
            timeout: true,
            connect: false,
            source: None,
            attempts: 1,
            retry_after: None,
        }
    }
}

/// An API error on one line: the trace id once (Tencent's message often ends with it already).
fn api_text(error: &Error) -> String {
    let Error::Api {
        vendor,
        status,
        code,
        message,
        trace_id,
        attempts,
        ..
    } = error
    else {
        return String::new();
    };
    let code = code.map_or(String::new(), |code| format!(" {code}"));
    let message = message
        .as_deref()
        .filter(|m| !m.is_empty())
        .unwrap_or("(no message)");
    let trace_id = trace_id.as_deref().filter(|id| !message.contains(id));
    let suffix = suffix(trace_id, *attempts);
    format!("{vendor} API error{code} (HTTP {status}{suffix}): {message}")
}

/// `, trace id X, 3 attempts`: the parts that are known and worth saying.
fn suffix(trace_id: Option<&str>, attempts: u32) -> String {
    let mut text = trace_id.map_or(String::new(), |id| format!(", trace id {id}"));
    if attempts > 1 {
        text.push_str(&format!(", {attempts} attempts"));
    }
    text
}

fn transport_text(
    timeout: bool,
    connect: bool,
    source: Option<&(dyn std::error::Error + Send + Sync)>,
) -> String {
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

mod json;

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
            attempts: 1,
            retry_after: None,
        }
    }

    fn http(vendor: Vendor, status: u16) -> Error {
        Error::Http {
            vendor,
            status,
            trace_id: None,
            body: String::new(),
            attempts: 1,
            retry_after: None,
        }
    }

    #[test]
    fn predicates_follow_the_classifier() {
        for code in [10000, 11008, 12100, 11018, 11000, 18001, 99999] {
            let error = tencent(code);
            let class = error.class();
            assert_eq!(error.is_retryable(), class.is_retryable(), "{code}");
            assert_eq!(error.is_auth(), class.is_auth(), "{code}");
            assert_eq!(error.is_rate_limited(), class.is_rate_limited(), "{code}");
            assert_eq!(
                error.is_content_rejected(),
                class.is_content_rejected(),
                "{code}"
            );
        }
        assert!(http(Vendor::Shopline, 401).is_auth());
        assert!(http(Vendor::Shopline, 503).is_retryable());
        assert!(!Error::Validation(Violations::default()).is_retryable());
        assert!(Error::deadline(Vendor::Tencent).is_retryable());
    }

    #[test]
    fn display_says_the_trace_id_once_and_the_attempts() {
        assert_eq!(
            tencent(10000).to_string(),
            "tencent API error 10000 (HTTP 200): busy, trace_id: abc"
        );
        assert_eq!(tencent(10000).trace_id(), Some("abc"));
        let retried = tencent(10000).after(5, Some(Duration::from_secs(2)));
        assert_eq!(
            retried.to_string(),
            "tencent API error 10000 (HTTP 200, 5 attempts): busy, trace_id: abc"
        );
        assert_eq!(
            (retried.attempts(), retried.retry_after()),
            (5, Some(Duration::from_secs(2)))
        );
        let mut shopline = http(Vendor::Shopline, 503);
        if let Error::Http { trace_id, .. } = &mut shopline {
            *trace_id = Some("t-1".into());
        }
        assert_eq!(
            shopline.to_string(),
            "shopline answered HTTP 503, trace id t-1: "
        );
        assert_eq!(
            Error::deadline(Vendor::Shopline).to_string(),
            "shopline: the overall deadline passed before an answer"
        );
        assert_eq!(Error::Config("x".into()).attempts(), 0);
    }
}
