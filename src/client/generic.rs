//! One client type for both platforms: `Client<Shopline>` and `Client<Tencent>` (`ShoplineClient`,
//! `TencentClient`) share configuration, pacing, retries, spans, batching and the attempt skeleton; what
//! differs (how a request authenticates, how an answer reads) is each platform's module.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::Semaphore;
use tracing::Instrument;

use super::auth::{Credential, TokenProvider};
use super::config::{self, Common};
use super::engine::SyncOptions;
use super::http::{self, Answer};
use super::observe::CallScope;
use super::pacing::{OnPace, Pace, PaceState, Pacer};
use super::prepared::Prepared;
use super::retry::{self, Failure};
use super::secret::{Scrubber, Secret};
use super::{shopline, tencent, BatchReport, Response};
use crate::classify::{ErrorClass, Retry};
use crate::error::{Error, Vendor};
use crate::runtime::{Auth, Batched, Operation, ResponseBody};

mod private {
    /// Only this crate's platforms are platforms: a client needs their auth and their error formats.
    pub trait Sealed {}
}

/// A platform a [`Client`] talks to: [`Shopline`] or [`Tencent`].
pub trait Platform: private::Sealed + Send + Sync + 'static {
    /// The platform.
    const VENDOR: Vendor;
    /// How its endpoints authenticate; a client refuses an endpoint of the other platform.
    const AUTH: Auth;
    /// The pace a new client keeps (the platform's documented limit).
    const PACE: Pace;
}

/// The Shopline Open API: bearer token, optional signed calls, the `traceId` header, `{"errors": ...}` bodies.
#[derive(Debug, Clone, Copy)]
pub struct Shopline;

/// The Tencent Ads Marketing API: token, timestamp and nonce in the query, `code != 0` in a 200 answer.
#[derive(Debug, Clone, Copy)]
pub struct Tencent;

impl private::Sealed for Shopline {}
impl private::Sealed for Tencent {}

impl Platform for Shopline {
    const VENDOR: Vendor = Vendor::Shopline;
    const AUTH: Auth = Auth::ShoplineBearer;
    const PACE: Pace = Pace::SHOPLINE;
}

impl Platform for Tencent {
    const VENDOR: Vendor = Vendor::Tencent;
    const AUTH: Auth = Auth::TencentQueryToken;
    const PACE: Pace = Pace::TENCENT;
}

/// A client of platform `P`. Cloning is cheap, and clones share the connection pool, the token and the pace.
pub struct Client<P: Platform> {
    pub(super) inner: Arc<Inner>,
    platform: PhantomData<P>,
}

impl<P: Platform> Clone for Client<P> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
            platform: PhantomData,
        }
    }
}

/// What a client holds, whichever the platform.
pub(super) struct Inner {
    pub http: reqwest::Client,
    pub base_url: String,
    pub version: Option<String>,
    pub credential: Credential,
    pub pacer: Option<Pacer>,
    pub common: Common,
    /// The client's own credentials, scrubbed from everything it reports.
    pub scrubber: Scrubber,
    pub settings: Settings,
    /// A fleet's limit on requests on the wire, shared by its tenants' clients: taken after the pace, for the
    /// exchange only, so a tenant waiting for its bucket never holds a place another could use.
    pub wire: Option<Arc<Semaphore>>,
}

/// What only one platform has.
#[derive(Debug, Default, Clone)]
pub(super) enum Settings {
    #[default]
    None,
    /// Signed Shopline calls.
    Shopline(Option<shopline::Signing>),
}

/// One attempt's request, before the platform adds its auth.
pub(super) struct Outgoing<'a> {
    pub body: &'a Bytes,
    pub token: &'a Secret,
}

impl<P: Platform> Client<P> {
    /// A builder: it needs a token (and, for Shopline, a store or a base URL).
    pub fn builder() -> ClientBuilder<P> {
        ClientBuilder::default()
    }

    /// The base URL calls go to, e.g. `https://my-store.myshopline.com`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Where the client's pace stands, to give a later process (`ClientBuilder::pace_state`) so that it does
    /// not open with a burst into a bucket this one filled; `None` without client-side pacing.
    pub fn pace_state(&self) -> Option<PaceState> {
        self.inner.pacer.as_ref().map(Pacer::state)
    }

    /// Calls endpoint `O` with `request`: validates it (unless turned off), then sends it with the method,
    /// path, version and auth of `O::META`, retrying what is worth retrying. An error the platform answers
    /// (a Shopline error status, a Tencent `code != 0`) is an `Err`.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] when the request breaks its schema (nothing is sent); otherwise the error of the
    /// last attempt, once no retry is left or worth making: its [`class()`](Error::class) says what to do
    /// next ([`ErrorClass`](crate::ErrorClass) has the retry table).
    pub async fn call<O: Operation>(
        &self,
        request: &O::Request,
    ) -> Result<Response<O::Response>, Error> {
        let prepared = Prepared::<O>::build(request, self.inner.common.validate)?;
        self.send_prepared(&prepared).await
    }

    /// Sends any number of batch items in requests of at most the schema's batch size (`envelope` gives the
    /// other members; its own items are ignored), with bounded concurrency. Every item is accounted for in the
    /// report by its input index: delivered, rejected by validation, or failed after retries.
    pub async fn sync_all<O: Batched>(
        &self,
        envelope: &O::Request,
        items: impl IntoIterator<Item = O::Item>,
    ) -> BatchReport {
        let common = &self.inner.common;
        let mut options = SyncOptions::default()
            .concurrency(common.batch_concurrency)
            .validate(common.validate);
        options.prepared_ahead = 0;
        super::batch::sync_all::<O, _, _>(
            envelope,
            items.into_iter().collect(),
            options,
            move |request| async move {
                let prepared = Prepared::<O>::unchecked(&request)?;
                self.send_prepared(&prepared).await
            },
        )
        .await
    }

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
        let meta = O::META;
        let method = http::method_for(&meta, P::AUTH)?;
        let version = self.inner.version.as_deref().unwrap_or(meta.version);
        let path = meta.path_for(version);
        // The URL never carries a token: Tencent's query is added per attempt, and never logged.
        let url = format!("{}{path}", self.inner.base_url);
        let scope = CallScope::new(meta, P::VENDOR, version, &path, self.inner.common.hook());
        let refreshed = AtomicBool::new(false);
        // A body may carry a credential (Shopline's app key), and an error answer may quote the body.
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

    /// One attempt: a token, the platform's auth on the request, the answer read the platform's way; a
    /// refused token is forgotten and the attempt retried at once with a new one (once per call) when a
    /// provider can give one.
    async fn attempt<T: ResponseBody>(
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
                vendor: P::VENDOR,
                message: inner.scrubber.text(&err.to_string()),
                attempts: 1,
            })
        })?;
        let mut scrubber = scrubber.clone();
        scrubber.add(token.clone());
        let outgoing = Outgoing {
            body,
            token: &token,
        };
        let request = inner
            .common
            .request(inner.http.request(method.clone(), url));
        let _on_the_wire = match &inner.wire {
            Some(wire) => wire.acquire().await.ok(),
            None => None,
        };
        let result = match &inner.settings {
            Settings::Shopline(signing) => {
                shopline::attempt(request, &outgoing, signing.as_ref(), &scrubber).await
            }
            Settings::None => tencent::attempt(request, &outgoing, &scrubber).await,
        };
        let mut failure = match result {
            Ok(answer) => return Ok(answer),
            Err(failure) => failure,
        };
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

impl<P: Platform> std::fmt::Debug for Client<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &*self.inner;
        let name = match P::VENDOR {
            Vendor::Shopline => "ShoplineClient",
            Vendor::Tencent => "TencentClient",
        };
        f.debug_struct(name)
            .field("base_url", &inner.base_url)
            .field("version", &inner.version)
            .field("token", &inner.credential)
            .field(
                "signed",
                &matches!(inner.settings, Settings::Shopline(Some(_))),
            )
            .field("paced", &inner.pacer.is_some())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`] of platform `P`.
#[derive(Debug)]
pub struct ClientBuilder<P: Platform> {
    pub(super) base_url: Option<String>,
    pub(super) store: Option<String>,
    pub(super) credential: Option<Credential>,
    pub(super) settings: Settings,
    pub(super) version: Option<String>,
    pub(super) pace: Option<Pace>,
    pub(super) pace_state: Option<PaceState>,
    pub(super) on_pace: OnPace,
    pub(super) common: Common,
    pub(super) wire: Option<Arc<Semaphore>>,
    pub(super) platform: PhantomData<P>,
}

impl<P: Platform> Default for ClientBuilder<P> {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            store: None,
            credential: None,
            settings: match P::VENDOR {
                Vendor::Shopline => Settings::Shopline(None),
                Vendor::Tencent => Settings::None,
            },
            version: None,
            pace: Some(P::PACE),
            pace_state: None,
            on_pace: OnPace::default(),
            common: Common::default(),
            wire: None,
            platform: PhantomData,
        }
    }
}

impl<P: Platform> ClientBuilder<P> {
    /// Another base URL, e.g. the mock's `http://127.0.0.1:PORT` (Tencent's default is
    /// `https://api.e.qq.com`; Shopline's is the store's, see `store`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self.store = None;
        self
    }

    /// A fixed access token: Shopline's `Authorization: Bearer ...`, Tencent's `access_token` in the query
    /// (for DataNexus, the data source's secret).
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::Fixed(token.into()));
        self
    }

    /// A token provider instead of a fixed token: asked before the first call, and again when the platform
    /// refuses the token (Shopline 401, Tencent 11000 expired, 11002 invalid, ...; once per call), so a long
    /// job can refresh without restarting.
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credential = Some(Credential::provider(provider));
        self
    }

    /// The API version segment for every endpoint (default: each endpoint's schema, e.g. `v20260301`, `v1.3`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// The client-side pace (default: the platform's, [`Pace::SHOPLINE`] or [`Pace::TENCENT`]).
    pub fn pace(mut self, pace: Pace) -> Self {
        self.pace = Some(pace);
        self
    }

    /// No client-side pacing (Shopline's enterprise plans have no bucket).
    pub fn no_pacing(mut self) -> Self {
        self.pace = None;
        self
    }

    /// Starts the pace where an earlier client left it ([`Client::pace_state`]): a job restarted at once
    /// waits for the platform's bucket to drain instead of opening with a burst into it.
    pub fn pace_state(mut self, state: PaceState) -> Self {
        self.pace_state = Some(state);
        self
    }

    /// Called with the pace's state each time a request takes its place in the pace (and after each
    /// rate-limit answer), before that request is sent: keep it ([`pace_state`](Self::pace_state) on the next
    /// start) and a process killed at any moment still leaves the bucket as the platform sees it. It runs on
    /// the calling task, at most once per request: writing a small file is fine, a network call is not.
    pub fn on_pace(mut self, hook: impl Fn(PaceState) + Send + Sync + 'static) -> Self {
        self.on_pace = OnPace(Some(Arc::new(hook)));
        self
    }

    config::common_builder_methods!();

    /// The client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a missing (Shopline) or malformed store handle or base URL (one with a query or
    /// user info), a missing token, or an API version that is not one path segment.
    pub fn build(self) -> Result<Client<P>, Error> {
        let base_url = match (&self.base_url, &self.store, P::VENDOR) {
            (Some(url), _, _) => config::base_url(url)?,
            (None, Some(handle), _) => {
                config::check_store_handle(handle)?;
                format!("https://{}.myshopline.com", handle.to_ascii_lowercase())
            }
            (None, None, Vendor::Tencent) => tencent::DEFAULT_TENCENT_BASE_URL.to_owned(),
            (None, None, Vendor::Shopline) => {
                return Err(Error::Config(
                    "a store handle or base URL is required".to_owned(),
                ))
            }
        };
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
        let mut scrubber = Scrubber::default();
        if let Credential::Fixed(token) = &credential {
            scrubber.add(token.clone());
        }
        if let Settings::Shopline(Some(signing)) = &self.settings {
            scrubber.add(signing.app_key.clone());
            scrubber.add(signing.app_secret.clone());
        }
        Ok(Client {
            inner: Arc::new(Inner {
                http: self.common.http_client()?,
                base_url,
                version: self.version,
                credential,
                pacer: self
                    .pace
                    .map(|pace| Pacer::resumed(pace, self.pace_state, self.on_pace)),
                common: self.common,
                scrubber,
                settings: self.settings,
                wire: self.wire,
            }),
            platform: PhantomData,
        })
    }
}
