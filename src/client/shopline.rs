//! The Shopline Open API client: bearer token (fixed or from a provider), optional signed calls, the
//! `traceId` header, `{"errors": ...}` error bodies, and the documented leaky bucket as the default pace.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;
use tracing::Instrument;

use super::auth::{shopline_sign, Credential, Signing, TokenProvider};
use super::calls::common_call_methods;
use super::config::{self, common_builder_methods, Common};
use super::http::{self, Answer, Received};
use super::nonce::unix_millis;
use super::observe::CallScope;
use super::pacing::{Pace, Pacer};
use super::prepared::Prepared;
use super::retry::{self, Failure};
use super::secret::{Scrubber, Secret};
use super::trace::header_trace_id;
use super::Response;
use crate::classify::{ErrorClass, Retry};
use crate::error::{Error, Vendor};
use crate::runtime::{Auth, Operation};

const VENDOR: Vendor = Vendor::Shopline;

/// The exact `Content-Type` Shopline documents.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A Shopline Open API client for one store. Cloning is cheap and clones share the connection pool, the
/// token and the pace.
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
#[derive(Clone)]
pub struct ShoplineClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    version: Option<String>,
    credential: Credential,
    signing: Option<Signing>,
    pacer: Option<Pacer>,
    common: Common,
    scrubber: Scrubber,
}

impl ShoplineClient {
    /// A builder; it needs a store (or base URL) and a token.
    pub fn builder() -> ShoplineClientBuilder {
        ShoplineClientBuilder::default()
    }

    /// The base URL calls go to, e.g. `https://my-store.myshopline.com`.
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
        let method = http::method_for(meta, Auth::ShoplineBearer)?;
        let version = self.inner.version.as_deref().unwrap_or(meta.version);
        let path = meta.path_for(version);
        let url = format!("{}{path}", self.inner.base_url);
        let scope = CallScope::new(*meta, VENDOR, version, &path, self.inner.common.hook());
        let refreshed = AtomicBool::new(false);
        // Shopline requests carry the app key in the body, and an error answer may quote the body.
        let scrubber = self.inner.scrubber.with(prepared.credentials());
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
        let bearer = http::sensitive(&format!("Bearer {}", token.expose())).ok_or_else(|| {
            Failure::never(Error::Credentials {
                vendor: VENDOR,
                message: "the access token holds characters a header cannot carry".to_owned(),
                attempts: 1,
            })
        })?;
        let mut request = inner
            .common
            .request(inner.http.request(method.clone(), url))
            .header(AUTHORIZATION, bearer)
            .header(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(signing) = &inner.signing {
            let timestamp = unix_millis().to_string();
            let sign = shopline_sign(&signing.app_secret, body, &timestamp);
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
            .body(body.clone())
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
            scrubber: &scrubber,
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
        let mut failure = Failure::classified(api_error(&received), retry_after);
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

impl std::fmt::Debug for ShoplineClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("ShoplineClient")
            .field("base_url", &inner.base_url)
            .field("version", &inner.version)
            .field("token", &inner.credential)
            .field("signed", &inner.signing.is_some())
            .field("paced", &inner.pacer.is_some())
            .finish_non_exhaustive()
    }
}

/// Where a Shopline client sends its calls.
#[derive(Debug)]
enum Target {
    Store(String),
    Url(String),
}

/// Builds a [`ShoplineClient`].
#[derive(Debug)]
pub struct ShoplineClientBuilder {
    base_url: Option<Target>,
    credential: Option<Credential>,
    signing: Option<Signing>,
    version: Option<String>,
    pace: Option<Pace>,
    common: Common,
}

impl Default for ShoplineClientBuilder {
    fn default() -> Self {
        ShoplineClientBuilder {
            base_url: None,
            credential: None,
            signing: None,
            version: None,
            pace: Some(Pace::SHOPLINE),
            common: Common::default(),
        }
    }
}

impl ShoplineClientBuilder {
    /// The store's handle: calls go to `https://{handle}.myshopline.com`.
    pub fn store(mut self, handle: impl Into<String>) -> Self {
        self.base_url = Some(Target::Store(handle.into()));
        self
    }

    /// Any base URL instead of a store's, e.g. the mock's `http://127.0.0.1:PORT`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(Target::Url(url.into()));
        self
    }

    /// A fixed access token (`Authorization: Bearer ...`).
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::Fixed(token.into()));
        self
    }

    /// A token provider, asked before the first call and again after a 401, so a long job can refresh.
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credential = Some(Credential::provider(provider));
        self
    }

    /// Signed calls: adds `appkey`, `timestamp` (ms) and `sign` (hex HMAC-SHA256 of body + timestamp keyed
    /// with the app secret) headers, as the official SDK does.
    pub fn signing(mut self, app_key: impl Into<Secret>, app_secret: impl Into<Secret>) -> Self {
        self.signing = Some(Signing {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
        });
        self
    }

    /// The API version segment for every endpoint (default: each endpoint's schema, e.g. `v20260301`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// The client-side pace (default [`Pace::SHOPLINE`], 4 requests/s with a burst of 40).
    pub fn pace(mut self, pace: Pace) -> Self {
        self.pace = Some(pace);
        self
    }

    /// No client-side pacing (enterprise plans have no bucket).
    pub fn no_pacing(mut self) -> Self {
        self.pace = None;
        self
    }

    common_builder_methods!();

    /// The client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a missing or malformed store handle or base URL (one with a query or user info),
    /// a missing token, or an API version that is not one path segment.
    pub fn build(self) -> Result<ShoplineClient, Error> {
        let base_url = self
            .base_url
            .ok_or_else(|| Error::Config("a store handle or base URL is required".to_owned()))?;
        let base_url = match base_url {
            Target::Store(handle) => {
                config::check_store_handle(&handle)?;
                format!("https://{}.myshopline.com", handle.to_ascii_lowercase())
            }
            Target::Url(url) => config::base_url(&url)?,
        };
        let credential = self.credential.ok_or_else(|| {
            Error::Config("an access token or token provider is required".to_owned())
        })?;
        if let Some(version) = &self.version {
            config::check_version(version)?;
        }
        let mut scrubber = Scrubber::default();
        if let Credential::Fixed(token) = &credential {
            scrubber.add(token.clone());
        }
        if let Some(signing) = &self.signing {
            scrubber.add(signing.app_key.clone());
            scrubber.add(signing.app_secret.clone());
        }
        Ok(ShoplineClient {
            inner: Arc::new(Inner {
                http: self.common.http_client()?,
                base_url,
                version: self.version,
                credential,
                signing: self.signing,
                pacer: self.pace.map(Pacer::new),
                common: self.common,
                scrubber,
            }),
        })
    }
}
