//! The Shopline Open API: bearer token (fixed or from a provider), optional signed calls, the `traceId`
//! header, `{"errors": ...}` error bodies, and the documented leaky bucket as the default pace.

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use super::auth::shopline_sign;
pub(super) use super::auth::Signing;
use super::generic::{Client, ClientBuilder, Outgoing, Settings, Shopline};
use super::http::{self, Answer, Received};
use super::nonce::unix_millis;
use super::retry::Failure;
use super::secret::{Scrubber, Secret};
use super::trace::header_trace_id;
use crate::error::{Error, Vendor};
use crate::runtime::ResponseBody;

const VENDOR: Vendor = Vendor::Shopline;

/// The exact `Content-Type` Shopline documents.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A Shopline Open API client for one store: [`Client`] of [`Shopline`].
///
/// ```no_run
/// # async fn run() -> Result<(), salesync::Error> {
/// use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowData, BatchSyncFlowDataRequest};
/// let client = salesync::ShoplineClient::builder()
///     .store("my-store")
///     .access_token(std::env::var("SHOPLINE_TOKEN").unwrap_or_default())
///     .build()?;
/// let request = BatchSyncFlowDataRequest::builder()
///     .app_key("app-key")
///     .store_id("1658921299465")
///     .source_type("smartpush-app")
///     .flow_data_list(vec![])
///     .build();
/// let response = client.call::<BatchSyncFlowData>(&request).await?;
/// println!("trace id {:?}", response.trace_id);
/// # Ok(()) }
/// ```
pub type ShoplineClient = Client<Shopline>;

/// Builds a [`ShoplineClient`].
pub type ShoplineClientBuilder = ClientBuilder<Shopline>;

impl ClientBuilder<Shopline> {
    /// The store's handle: calls go to `https://{handle}.myshopline.com`.
    pub fn store(mut self, handle: impl Into<String>) -> Self {
        self.store = Some(handle.into());
        self.base_url = None;
        self
    }

    /// Signed calls: adds `appkey`, `timestamp` (ms) and `sign` (hex HMAC-SHA256 of body + timestamp keyed
    /// with the app secret) headers, as the official SDK does.
    pub fn signing(mut self, app_key: impl Into<Secret>, app_secret: impl Into<Secret>) -> Self {
        self.settings = Settings::Shopline(Some(Signing {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
        }));
        self
    }
}

/// One Shopline attempt: the bearer token and the optional signature on the request, then the answer: a
/// 2xx is the typed body, anything else an error read from `{"errors": ...}`.
pub(super) async fn attempt<T: ResponseBody>(
    request: reqwest::RequestBuilder,
    outgoing: &Outgoing<'_>,
    signing: Option<&Signing>,
    scrubber: &Scrubber,
) -> Result<Answer<T>, Failure> {
    let bearer =
        http::sensitive(&format!("Bearer {}", outgoing.token.expose())).ok_or_else(|| {
            Failure::never(Error::Credentials {
                vendor: VENDOR,
                message: "the access token holds characters a header cannot carry".to_owned(),
                attempts: 1,
            })
        })?;
    let mut request = request
        .header(AUTHORIZATION, bearer)
        .header(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))
        .header(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(signing) = signing {
        let timestamp = unix_millis().to_string();
        let sign = shopline_sign(&signing.app_secret, outgoing.body, &timestamp);
        let app_key = http::sensitive(signing.app_key.expose()).ok_or_else(|| {
            Failure::never(Error::Config(
                "the app key holds characters a header cannot carry".to_owned(),
            ))
        })?;
        request = request
            .header("appkey", app_key)
            .header("timestamp", timestamp)
            .header("sign", sign);
    }
    let response = request
        .body(outgoing.body.clone())
        .send()
        .await
        .map_err(|err| http::transport_failure(VENDOR, err))?;
    let status = response.status().as_u16();
    let trace_id = header_trace_id(response.headers());
    let retry_after = http::retry_after(response.headers());
    let raw = http::body_of(VENDOR, response).await?;
    let received = Received {
        vendor: VENDOR,
        status,
        trace_id,
        raw: &raw,
        scrubber,
    };
    tracing::debug!(status, trace_id = received.trace_id.as_deref(), "answered");
    if received.is_success() {
        let value = received
            .json()
            .map_err(|err| received.decode_error(&format!("not JSON: {err}")))?;
        return Ok(Answer {
            body: received.decode(value)?,
            trace_id: received.trace_id,
            status,
        });
    }
    Err(Failure::classified(api_error(&received), retry_after))
}

/// An error status's body read leniently: `{"errors": <string|array|object>, "code"?, "message"?}` is an API
/// error; anything else (HTML from a proxy, an empty body) is an HTTP error with an excerpt.
fn api_error(received: &Received<'_>) -> Error {
    let Ok(Value::Object(mut body)) = received.json() else {
        return received.http_error();
    };
    if !["errors", "code", "message"]
        .iter()
        .any(|member| body.contains_key(*member))
    {
        return received.http_error();
    }
    let scrub = |text: &str| received.scrubber.text(text);
    let errors = received
        .scrubber
        .value(body.remove("errors").unwrap_or(Value::Null));
    let mut message = match body.remove("message") {
        Some(Value::String(text)) if !text.is_empty() => Some(scrub(&text)),
        _ => None,
    };
    let code = match body.remove("code") {
        Some(Value::Number(number)) => number.as_i64(),
        Some(Value::String(text)) => match text.trim().parse() {
            Ok(code) => Some(code),
            Err(_) => {
                let text = scrub(&text);
                message = Some(match message {
                    Some(message) => format!("{text}: {message}"),
                    None => text,
                });
                None
            }
        },
        _ => None,
    };
    if message.is_none() {
        message = summary(&errors);
    }
    Error::Api {
        vendor: VENDOR,
        status: received.status,
        code,
        message,
        message_cn: None,
        errors,
        trace_id: received.trace_id.clone(),
        attempts: 1,
        retry_after: None,
    }
}

/// A one-line message from `errors` when no `message` was sent: the string itself, or compact JSON (bounded).
fn summary(errors: &Value) -> Option<String> {
    let text = match errors {
        Value::Null => return None,
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let mut end = text.len().min(super::trace::EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(text[..end].to_owned())
}
