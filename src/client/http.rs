//! Pieces of one HTTP attempt that both clients share.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

use super::retry::{parse_retry_after, Failure};
use super::secret::Scrubber;
use super::trace::excerpt;
use crate::error::{Error, Vendor};
use crate::runtime::{Auth, EndpointMeta, ResponseBody};

/// What one successful attempt got.
pub(crate) struct Answer<T> {
    pub body: T,
    pub trace_id: Option<String>,
    pub status: u16,
}

impl<T> super::observe::Answered for Answer<T> {
    fn status(&self) -> u16 {
        self.status
    }

    fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }
}

/// The endpoint's method, after checking that the endpoint belongs to this client's platform.
pub(crate) fn method_for(meta: &EndpointMeta, auth: Auth) -> Result<reqwest::Method, Error> {
    if meta.auth != auth {
        return Err(Error::Config(format!(
            "`{}` is a {} endpoint; call it with that platform's client",
            meta.name(),
            meta.vendor
        )));
    }
    reqwest::Method::from_bytes(meta.method.as_bytes())
        .map_err(|_| Error::Config(format!("`{}` has no valid HTTP method", meta.name())))
}

/// `Retry-After`, when sent and readable.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// A header value that HTTP debugging output hides.
pub(crate) fn sensitive(value: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(value).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// A reqwest error as an attempt's failure: connection failures and timeouts are retried; a request that
/// could not even be built is not.
pub(crate) fn transport_failure(vendor: Vendor, err: reqwest::Error) -> Failure {
    if err.is_builder() {
        return Failure::never(Error::Config(format!(
            "the request cannot be built: {}",
            err.without_url()
        )));
    }
    Failure::classified(Error::transport(vendor, err), None)
}

/// Reads the body of a response, as a transport failure when the connection drops mid-body.
pub(crate) async fn body_of(
    vendor: Vendor,
    response: reqwest::Response,
) -> Result<Vec<u8>, Failure> {
    response
        .bytes()
        .await
        .map(|bytes| bytes.to_vec())
        .map_err(|err| transport_failure(vendor, err))
}

/// A response that arrived: status, trace id and body, with what is needed to report on it safely.
pub(crate) struct Received<'a> {
    pub vendor: Vendor,
    pub status: u16,
    pub trace_id: Option<String>,
    pub raw: &'a [u8],
    pub scrubber: &'a Scrubber,
}

impl Received<'_> {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON; an empty or blank body is `{}` (Shopline's documented success body).
    pub(crate) fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        if self.raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Object(serde_json::Map::new()));
        }
        serde_json::from_slice(self.raw)
    }

    /// The typed success body.
    pub(crate) fn decode<T: ResponseBody>(&self, value: serde_json::Value) -> Result<T, Failure> {
        T::from_json(value).map_err(|err| self.decode_error(&err.to_string()))
    }

    /// A body that is not what the schema describes: not retried, resending gets the same answer.
    pub(crate) fn decode_error(&self, message: &str) -> Failure {
        Failure::never(Error::Decode {
            vendor: self.vendor,
            status: self.status,
            trace_id: self.trace_id.clone(),
            message: self.scrubber.text(message),
            body: self.excerpt(),
            attempts: 1,
        })
    }

    /// An error status whose body is not the platform's error format.
    pub(crate) fn http_error(&self) -> Error {
        Error::Http {
            vendor: self.vendor,
            status: self.status,
            trace_id: self.trace_id.clone(),
            body: self.excerpt(),
            attempts: 1,
            retry_after: None,
        }
    }

    pub(crate) fn excerpt(&self) -> String {
        excerpt(self.raw, self.scrubber)
    }
}
