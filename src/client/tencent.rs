//! The Tencent Ads Marketing API client: `access_token`, `timestamp` and `nonce` in the query (fresh on every
//! attempt), errors as `code != 0` in a 200 answer, and the trace id inside the message text.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use tracing::Instrument;

use super::auth::{Credential, TokenProvider};
use super::calls::common_call_methods;
use super::config::{self, common_builder_methods, Common};
use super::http::{self, Answer, Received};
use super::nonce::{nonce, unix_seconds};
use super::observe::CallScope;
use super::pacing::{Pace, Pacer};
use super::prepared::Prepared;
use super::retry::{self, Failure};
use super::secret::{Scrubber, Secret};
use super::trace::tencent_trace_id;
use super::Response;
use crate::classify::{ErrorClass, Retry};
use crate::error::{Error, Vendor};
use crate::runtime::{Auth, Operation};

const VENDOR: Vendor = Vendor::Tencent;

/// Where calls go unless the builder says otherwise.
pub const DEFAULT_TENCENT_BASE_URL: &str = "https://api.e.qq.com";

/// A Tencent Ads Marketing API client for one access token. Cloning is cheap and clones share the connection
/// pool and the pace.
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
#[derive(Clone)]
pub struct TencentClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    version: Option<String>,
    credential: Credential,
    pacer: Option<Pacer>,
    common: Common,
    scrubber: Scrubber,
}

impl TencentClient {
    /// A builder; it needs an access token.
    pub fn builder() -> TencentClientBuilder {
        TencentClientBuilder::default()
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    common_call_methods!();

    /// Sends a request prepared earlier (see [`Prepared`]), as `call` does, retrying what is worth retrying.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an endpoint of the other platform; otherwise the error of the last attempt, once
    /// no retry is left or worth making ([`Error::class`]).
    pub async fn send_prepared<O: Operation>(
        &self,
        prepared: &Prepared<O>,
    ) -> Result<Response<O::Response>, Error> {
        let meta = &O::META;
        let method = http::method_for(meta, Auth::TencentQueryToken)?;
        let version = self.inner.version.as_deref().unwrap_or(meta.version);
        let path = meta.path_for(version);
        // The URL never carries the token here: the query is added per attempt, and never logged.
        let url = format!("{}{path}", self.inner.base_url);
        let scope = CallScope::new(*meta, VENDOR, version, &path, self.inner.common.hook());
        let scrubber = self.inner.scrubber.with(prepared.credentials());
        let refreshed = AtomicBool::new(false);
        let (method, url, body, refreshed, scrubber) = (
            &method,
            url.as_str(),
            prepared.bytes(),
            &refreshed,
            &scrubber,
        );
        let (answer, attempts) = retry::run(
            &scope,
            &self.inner.common.retry,
            self.inner.pacer.as_ref(),
            move |_| self.attempt::<O::Response>(method, url, body, refreshed, scrubber),
        )
        .instrument(scope.span().clone())
        .await?;
        Ok(Response {
            body: answer.body,
            trace_id: answer.trace_id,
            status: answer.status,
            attempts,
        })
    }

    async fn attempt<T: crate::runtime::ResponseBody>(
        &self,
        method: &reqwest::Method,
        url: &str,
        body: &Bytes,
        refreshed: &AtomicBool,
        scrubber: &Scrubber,
    ) -> Result<Answer<T>, Failure> {
        let inner = &*self.inner;
        let token = inner.credential.token().await.map_err(|err| {
            Failure::never(Error::Credentials {
                vendor: VENDOR,
                message: inner.scrubber.text(&err.to_string()),
                attempts: 1,
            })
        })?;
        let mut scrubber = scrubber.clone();
        scrubber.add(token.clone());
        let scrubber = &scrubber;
        // Fresh on every attempt: a resent nonce is a replay (12100), an old timestamp expired (12101).
        let timestamp = unix_seconds().to_string();
        let nonce = nonce();
        tracing::trace!(%timestamp, %nonce, "signing the attempt");
        let response = inner
            .common
            .request(inner.http.request(method.clone(), url))
            .query(&[
                ("access_token", token.expose()),
                ("timestamp", timestamp.as_str()),
                ("nonce", nonce.as_str()),
            ])
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(body.clone())
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
            (_, Some(envelope)) if envelope.code.is_some() => {
                let mut failure =
                    Failure::classified(envelope.into_error(status, &received), retry_after);
                if failure.error.class() == ErrorClass::TokenRejected
                    && inner.credential.can_refresh()
                    && !refreshed.swap(true, Ordering::SeqCst)
                {
                    tracing::info!("token refused: asking the token provider for a new one");
                    inner.credential.refused(&token);
                    failure.retry = Retry::Immediately;
                }
                Err(failure)
            }
            _ => Err(Failure::classified(received.http_error(), retry_after)),
        }
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

impl std::fmt::Debug for TencentClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("TencentClient")
            .field("base_url", &inner.base_url)
            .field("version", &inner.version)
            .field("access_token", &inner.credential)
            .field("paced", &inner.pacer.is_some())
            .finish_non_exhaustive()
    }
}

/// Builds a [`TencentClient`].
#[derive(Debug)]
pub struct TencentClientBuilder {
    base_url: String,
    credential: Option<Credential>,
    version: Option<String>,
    pace: Option<Pace>,
    common: Common,
}

impl Default for TencentClientBuilder {
    fn default() -> Self {
        TencentClientBuilder {
            base_url: DEFAULT_TENCENT_BASE_URL.to_owned(),
            credential: None,
            version: None,
            pace: Some(Pace::TENCENT),
            common: Common::default(),
        }
    }
}

impl TencentClientBuilder {
    /// Another base URL, e.g. the mock's `http://127.0.0.1:PORT` (default `https://api.e.qq.com`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The access token (for DataNexus, the data source's secret), sent as `access_token` in the query.
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::Fixed(token.into()));
        self
    }

    /// A token provider instead of a fixed token: asked before the first call, and again when the platform
    /// refuses the token (11000 expired, 11002 invalid, ...; once per call), so a long job can refresh its
    /// OAuth access token without restarting.
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credential = Some(Credential::provider(provider));
        self
    }

    /// The API version segment for every endpoint (default: each endpoint's schema, e.g. `v1.3`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// The client-side pace (default [`Pace::TENCENT`]); [`Pace::per_minute`] matches the app's budget.
    pub fn pace(mut self, pace: Pace) -> Self {
        self.pace = Some(pace);
        self
    }

    /// No client-side pacing.
    pub fn no_pacing(mut self) -> Self {
        self.pace = None;
        self
    }

    common_builder_methods!();

    /// The client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a malformed base URL (one with a query or user info), a missing token, or an API
    /// version that is not one path segment.
    pub fn build(self) -> Result<TencentClient, Error> {
        let base_url = config::base_url(&self.base_url)?;
        let credential = self
            .credential
            .filter(
                |credential| !matches!(credential, Credential::Fixed(token) if token.is_empty()),
            )
            .ok_or_else(|| {
                Error::Config("an access token or token provider is required".to_owned())
            })?;
        if let Some(version) = &self.version {
            config::check_version(version)?;
        }
        Ok(TencentClient {
            inner: Arc::new(Inner {
                http: self.common.http_client()?,
                base_url,
                version: self.version,
                scrubber: match &credential {
                    Credential::Fixed(token) => Scrubber::new([token.clone()]),
                    Credential::Provider { .. } => Scrubber::default(),
                },
                credential,
                pacer: self.pace.map(Pacer::new),
                common: self.common,
            }),
        })
    }
}
