//! Many stores or accounts behind one object: a [`Fleet`] holds one [`Client`] per tenant (a Shopline store,
//! a Tencent ad account), each with its own credential, base URL and pace (its own platform bucket), all
//! sharing one HTTP client (one connection pool) and one limit on requests on the wire. Its stream engine
//! ([`Fleet::sync_stream`]) takes rows that name their tenant, in any order, and batches and sends them per
//! tenant with the same engine as [`Client::sync_stream`].
//!
//! A tenant whose credentials or account the platform refuses stops alone: its rows come out failed with that
//! error, the others go on.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

use tokio::sync::Semaphore;

use super::auth::Signing;
use super::config::{self, Common};
use super::generic::{Client, ClientBuilder, Platform, Settings};
use super::pacing::{OnPace, Pace, PaceState};
use super::secret::Secret;
use super::{Response, Shopline};
use crate::error::{Error, Vendor};
use crate::runtime::{Batched, Operation};
use futures_util::Stream;

mod stream;
mod tenant;

pub use stream::{FleetEvent, FleetOptions, FleetRow, FleetStream};
pub use tenant::{Tenant, TenantId};

/// The place of the tenant in a [`FleetBuilder::base_url`] template.
pub const TENANT_PLACEHOLDER: &str = "{tenant}";

/// Called with a tenant and its pace's state (see [`ClientBuilder::on_pace`]).
type FleetPaceHook = Arc<dyn Fn(&TenantId, PaceState) + Send + Sync>;

/// Clients of many tenants of platform `P` sharing one connection pool. Cloning is cheap; clones share the
/// tenants.
///
/// ```
/// use salesync::client::{Fleet, Shopline, Tenant};
/// # fn demo() -> Result<(), salesync::Error> {
/// let fleet = Fleet::<Shopline>::builder().concurrency(32).build()?;
/// fleet.add(Tenant::new("my-store").access_token("token-of-my-store"))?;
/// assert_eq!(fleet.client("my-store").unwrap().base_url(), "https://my-store.myshopline.com");
/// # Ok(()) }
/// # demo().unwrap();
/// ```
pub struct Fleet<P: Platform> {
    shared: Arc<Shared<P>>,
}

impl<P: Platform> Clone for Fleet<P> {
    fn clone(&self) -> Self {
        Fleet {
            shared: self.shared.clone(),
        }
    }
}

/// What every tenant's client is built from, and the tenants.
struct Shared<P: Platform> {
    http: reqwest::Client,
    common: Common,
    settings: Settings,
    version: Option<String>,
    pace: Option<Pace>,
    base_url: Option<String>,
    on_pace: Option<FleetPaceHook>,
    wire: Arc<Semaphore>,
    concurrency: usize,
    tenants: RwLock<HashMap<TenantId, Client<P>>>,
}

impl<P: Platform> Fleet<P> {
    /// A builder with the clients' settings, shared by every tenant.
    pub fn builder() -> FleetBuilder<P> {
        FleetBuilder::default()
    }

    /// Adds a tenant, or replaces the one of the same id (its pace starts again from the tenant's
    /// [`pace_state`](Tenant::pace_state), if any).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the tenant has no token, or its base URL (its own, or the fleet's template
    /// with the id in place) is not one a client accepts: an id that goes into a host name or a path must be
    /// letters, digits, `-`, `_` or `.`.
    pub fn add(&self, tenant: Tenant) -> Result<(), Error> {
        let client = self.client_of(&tenant)?;
        let mut tenants = self
            .shared
            .tenants
            .write()
            .unwrap_or_else(|e| e.into_inner());
        tenants.insert(tenant.id, client);
        Ok(())
    }

    /// Removes a tenant; whether it was there. Streams running keep the client they took.
    pub fn remove(&self, id: &str) -> bool {
        let mut tenants = self
            .shared
            .tenants
            .write()
            .unwrap_or_else(|e| e.into_inner());
        tenants.remove(id).is_some()
    }

    /// The number of tenants.
    pub fn len(&self) -> usize {
        self.read_tenants().len()
    }

    /// Whether there is no tenant.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tenant's client (sharing the fleet's connection pool and wire limit), to call it directly.
    pub fn client(&self, id: &str) -> Option<Client<P>> {
        self.read_tenants().get(id).cloned()
    }

    /// Where the tenant's pace stands (to save it for the next process), if it is a tenant and paced.
    pub fn pace_state(&self, id: &str) -> Option<PaceState> {
        self.client(id)?.pace_state()
    }

    /// Calls endpoint `O` as tenant `id`: [`Client::call`] on the tenant's client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a tenant the fleet does not have; otherwise as [`Client::call`].
    pub async fn call<O: Operation>(
        &self,
        id: &str,
        request: &O::Request,
    ) -> Result<Response<O::Response>, Error> {
        let client = self
            .client(id)
            .ok_or_else(|| Error::Config(format!("no tenant `{id}` in the fleet")))?;
        client.call::<O>(request).await
    }

    /// Syncs rows of many tenants, in any order, reporting as it goes: [`Client::sync_stream`] per tenant,
    /// with the bounds of [`FleetOptions`]. `envelope` gives the envelope of a tenant's requests (asked once,
    /// when its first row comes); a row of a tenant the fleet does not have then is rejected.
    pub fn sync_stream<O, K, S, E>(
        &self,
        mut envelope: E,
        rows: S,
        options: FleetOptions,
    ) -> FleetStream<O, K, S>
    where
        O: Batched + 'static,
        K: Send + 'static,
        S: Stream<Item = FleetRow<K, O::Item>> + Send,
        E: FnMut(&TenantId) -> O::Request + Send + 'static,
    {
        let fleet = self.clone();
        let resolve: stream::Resolve<O> = Box::new(move |id| {
            let client = fleet.client(id)?;
            Some((client.dispatch::<O>(), envelope(id)))
        });
        FleetStream::new(resolve, rows, options, self.shared.concurrency)
    }

    fn read_tenants(&self) -> std::sync::RwLockReadGuard<'_, HashMap<TenantId, Client<P>>> {
        self.shared
            .tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The tenant's client: the fleet's settings, the tenant's credential, base URL and pace.
    fn client_of(&self, tenant: &Tenant) -> Result<Client<P>, Error> {
        let shared = &*self.shared;
        let mut common = shared.common.clone();
        common.http = Some(shared.http.clone());
        let (base_url, store) = match (&tenant.base_url, &shared.base_url) {
            (Some(own), _) => (Some(own.clone()), None),
            (None, Some(template)) if template.contains(TENANT_PLACEHOLDER) => {
                check_id_in_url(&tenant.id)?;
                (Some(template.replace(TENANT_PLACEHOLDER, &tenant.id)), None)
            }
            (None, Some(shared_url)) => (Some(shared_url.clone()), None),
            (None, None) if P::VENDOR == Vendor::Shopline => (None, Some(tenant.id.to_string())),
            (None, None) => (None, None),
        };
        let on_pace = match &shared.on_pace {
            Some(hook) => {
                let (hook, id) = (hook.clone(), tenant.id.clone());
                OnPace(Some(Arc::new(move |state| hook(&id, state))))
            }
            None => OnPace::default(),
        };
        ClientBuilder::<P> {
            base_url,
            store,
            credential: tenant.credential.clone(),
            settings: shared.settings.clone(),
            version: shared.version.clone(),
            pace: shared.pace,
            pace_state: tenant.pace_state,
            on_pace,
            common,
            wire: Some(shared.wire.clone()),
            platform: PhantomData,
        }
        .build()
        .map_err(|err| match err {
            Error::Config(message) => Error::Config(format!("tenant `{}`: {message}", tenant.id)),
            other => other,
        })
    }
}

impl<P: Platform> std::fmt::Debug for Fleet<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("vendor", &P::VENDOR)
            .field("tenants", &self.len())
            .field("concurrency", &self.shared.concurrency)
            .finish_non_exhaustive()
    }
}

/// An id that becomes part of a URL stays one host label or path segment.
fn check_id_in_url(id: &str) -> Result<(), Error> {
    let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if id.is_empty() || id == "." || id == ".." || !id.bytes().all(safe) {
        return Err(Error::Config(format!(
            "tenant `{id}` cannot go into a URL (letters, digits, `-`, `_`, `.`)"
        )));
    }
    Ok(())
}

/// Builds a [`Fleet`]: the settings every tenant's client shares.
pub struct FleetBuilder<P: Platform> {
    common: Common,
    settings: Settings,
    version: Option<String>,
    pace: Option<Pace>,
    base_url: Option<String>,
    on_pace: Option<FleetPaceHook>,
    concurrency: usize,
    platform: PhantomData<P>,
}

impl<P: Platform> Default for FleetBuilder<P> {
    fn default() -> Self {
        let template = ClientBuilder::<P>::default();
        FleetBuilder {
            common: Common::default(),
            settings: template.settings,
            version: None,
            pace: Some(P::PACE),
            base_url: None,
            on_pace: None,
            concurrency: 64,
            platform: PhantomData,
        }
    }
}

impl<P: Platform> std::fmt::Debug for FleetBuilder<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetBuilder")
            .field("base_url", &self.base_url)
            .field("version", &self.version)
            .field("pace", &self.pace)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl<P: Platform> FleetBuilder<P> {
    /// Where the tenants' calls go: a template where `{tenant}` stands for the tenant's id (e.g. the mock's
    /// `http://127.0.0.1:PORT/stores/{tenant}`), or one URL for all. Default: `https://{tenant}.myshopline.com`
    /// for Shopline, `https://api.e.qq.com` for Tencent. A tenant's own [`Tenant::base_url`] wins.
    pub fn base_url(mut self, template: impl Into<String>) -> Self {
        self.base_url = Some(template.into());
        self
    }

    /// The API version segment of every endpoint (default: each endpoint's schema).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Each tenant's client-side pace (default: the platform's documented limit, per tenant).
    pub fn pace(mut self, pace: Pace) -> Self {
        self.pace = Some(pace);
        self
    }

    /// No client-side pacing.
    pub fn no_pacing(mut self) -> Self {
        self.pace = None;
        self
    }

    /// Called with a tenant and its pace's state each time one of its requests takes its place in the pace
    /// (see [`ClientBuilder::on_pace`]): keep it per tenant and give it back with [`Tenant::pace_state`].
    pub fn on_pace(mut self, hook: impl Fn(&TenantId, PaceState) + Send + Sync + 'static) -> Self {
        self.on_pace = Some(Arc::new(hook));
        self
    }

    /// Requests on the wire at once, all tenants together (default 64, at least 1). A request waiting for its
    /// tenant's pace takes no place.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    config::common_builder_methods!();

    /// The fleet, without tenants yet.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an API version that is not one path segment, a base URL template that is not a
    /// URL, or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Fleet<P>, Error> {
        if let Some(version) = &self.version {
            config::check_version(version)?;
        }
        if let Some(template) = &self.base_url {
            config::base_url(&template.replace(TENANT_PLACEHOLDER, "tenant"))?;
        }
        Ok(Fleet {
            shared: Arc::new(Shared {
                http: self.common.http_client()?,
                common: self.common,
                settings: self.settings,
                version: self.version,
                pace: self.pace,
                base_url: self.base_url,
                on_pace: self.on_pace,
                wire: Arc::new(Semaphore::new(self.concurrency)),
                concurrency: self.concurrency,
                tenants: RwLock::new(HashMap::new()),
            }),
        })
    }
}

impl FleetBuilder<Shopline> {
    /// Signed calls for every store (the app's key and secret; see [`ClientBuilder::signing`]).
    pub fn signing(mut self, app_key: impl Into<Secret>, app_secret: impl Into<Secret>) -> Self {
        self.settings = Settings::Shopline(Some(Signing {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
        }));
        self
    }
}
