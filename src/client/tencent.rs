//! The Tencent Ads Marketing API: `access_token`, `timestamp` and `nonce` in the query (fresh on every
//! attempt), errors as `code != 0` in a 200 answer, and the trace id inside the message text.

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::generic::{Client, ClientBuilder, Outgoing, Tencent};
use super::http::{self, Answer, Received};
use super::nonce::{nonce, unix_seconds};
use super::retry::Failure;
use super::secret::Scrubber;
use super::trace::tencent_trace_id;
use crate::error::{Error, Vendor};
use crate::runtime::ResponseBody;

const VENDOR: Vendor = Vendor::Tencent;

/// Where calls go unless the builder says otherwise.
pub const DEFAULT_TENCENT_BASE_URL: &str = "https://api.e.qq.com";

/// A Tencent Ads Marketing API client for one access token: [`Client`] of [`Tencent`].
///
/// ```no_run
/// # async fn run(request: salesync::tencent::salesinfo_add::SalesinfoAddRequest) -> Result<(), salesync::Error> {
/// use salesync::tencent::salesinfo_add::SalesinfoAdd;
/// let client = salesync::TencentClient::builder()
///     .access_token(std::env::var("TENCENT_ACCESS_TOKEN").unwrap_or_default())
///     .build()?;
/// let response = client.call::<SalesinfoAdd>(&request).await?;
/// println!("code {:?}", response.body.code);
/// # Ok(()) }
/// ```
pub type TencentClient = Client<Tencent>;

/// Builds a [`TencentClient`].
pub type TencentClientBuilder = ClientBuilder<Tencent>;

/// One Tencent attempt: token, a fresh timestamp and nonce in the query (a resent nonce is a replay, 12100; an
/// old timestamp expired, 12101), then the answer: `code` 0 is the typed body, any other code an error.
pub(super) async fn attempt<T: ResponseBody>(
    request: reqwest::RequestBuilder,
    outgoing: &Outgoing<'_>,
    scrubber: &Scrubber,
) -> Result<Answer<T>, Failure> {
    let timestamp = unix_seconds().to_string();
    let nonce = nonce();
    tracing::trace!(%timestamp, %nonce, "signing the attempt");
    let response = request
        .query(&[
            ("access_token", outgoing.token.expose()),
            ("timestamp", timestamp.as_str()),
            ("nonce", nonce.as_str()),
        ])
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .body(outgoing.body.clone())
        .send()
        .await
        .map_err(|err| http::transport_failure(VENDOR, err))?;
    let status = response.status().as_u16();
    let retry_after = http::retry_after(response.headers());
    let raw = http::body_of(VENDOR, response).await?;
    let mut received = Received {
        vendor: VENDOR,
        status,
        trace_id: None,
        raw: &raw,
        scrubber,
    };
    let json = received.json();
    let envelope = json.as_ref().ok().and_then(Envelope::of);
    received.trace_id = envelope.as_ref().and_then(|e| e.trace_id.clone());
    tracing::debug!(
        status,
        code = envelope.as_ref().and_then(|e| e.code),
        trace_id = received.trace_id.as_deref(),
        "answered"
    );
    match (received.is_success(), envelope) {
        (true, Some(envelope)) if envelope.code.unwrap_or(0) == 0 => Ok(Answer {
            body: received.decode(json.unwrap_or_default())?,
            trace_id: received.trace_id,
            status,
        }),
        (true, None) => Err(match json {
            Ok(_) => received.decode_error("the answer is not a JSON object"),
            Err(err) => received.decode_error(&format!("not JSON: {err}")),
        }),
        (_, Some(envelope)) if envelope.code.is_some() => Err(Failure::classified(
            envelope.into_error(status, &received),
            retry_after,
        )),
        _ => Err(Failure::classified(received.http_error(), retry_after)),
    }
}

/// The members of Tencent's envelope that decide success: `{code, message, message_cn, errors}` or the older
/// `{retcode, errmsg}`.
struct Envelope {
    code: Option<i64>,
    message: Option<String>,
    message_cn: Option<String>,
    errors: Value,
    trace_id: Option<String>,
}

impl Envelope {
    fn of(value: &Value) -> Option<Self> {
        let object = value.as_object()?;
        let member = |names: &[&str]| names.iter().find_map(|name| object.get(*name));
        let text = |names: &[&str]| member(names).and_then(Value::as_str).map(str::to_owned);
        let code = member(&["code", "retcode"]).and_then(|code| match code {
            Value::Number(number) => number.as_i64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        });
        let message = text(&["message", "errmsg"]).filter(|m| !m.is_empty());
        let message_cn = text(&["message_cn"]).filter(|m| !m.is_empty());
        let trace_id = message
            .as_deref()
            .and_then(tencent_trace_id)
            .or_else(|| message_cn.as_deref().and_then(tencent_trace_id))
            .or_else(|| text(&["trace_id"]));
        Some(Envelope {
            code,
            message,
            message_cn,
            errors: object.get("errors").cloned().unwrap_or(Value::Null),
            trace_id,
        })
    }

    fn into_error(self, status: u16, received: &Received<'_>) -> Error {
        let scrub = |text: String| received.scrubber.text(&text);
        Error::Api {
            vendor: VENDOR,
            status,
            code: self.code,
            message: self.message.map(scrub),
            message_cn: self.message_cn.map(scrub),
            errors: received.scrubber.value(self.errors),
            trace_id: self.trace_id,
            attempts: 1,
            retry_after: None,
        }
    }
}
