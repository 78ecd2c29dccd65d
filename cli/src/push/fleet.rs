//! `push --tenants FILE`: one push for many Shopline stores or Tencent ad accounts, through the library's
//! [`Fleet`]: one HTTP client, one limit on requests on the wire (`--concurrency`), and for each tenant its
//! own token, envelope, pace and pace file (the file a single push to the same store or account uses, so the
//! two share the bucket), and its own limit on requests in flight (`--tenant-concurrency`). A tenant the
//! platform refuses (its token, its account) stops alone: its rows go to the failed file, the others go on.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;
use salesync::client::{
    Fleet, FleetEvent, FleetOptions, FleetRow, FleetStream, Row as EngineRow, SyncEvent,
    SyncOptions, Tenant, TenantId, TENANT_PLACEHOLDER,
};
use salesync::runtime::{Auth, Batched};

use super::batcher::Limits;
use super::checkpoint::{fingerprint, Header};
use super::driver::{Driver, Engine, Holding, RowKey};
use super::envelope::Credentials;
use super::pace_file::PaceFile;
use super::roster::{Index, Roster};
use super::tenants::TenantLine;
use super::token_command::TokenCommand;
use super::Args;

/// Requests on the wire for the whole fleet when `--concurrency` is not given.
pub const DEFAULT_CONCURRENCY: u16 = 32;

/// What a fleet push sends with: the fleet (a client per tenant), each tenant's envelope, and the roster.
pub struct Sending<O: Batched, P: Credentials> {
    fleet: Fleet<P>,
    envelopes: HashMap<TenantId, O::Request>,
    /// Each tenant's pace file, when pacing.
    paces: Arc<HashMap<TenantId, PaceFile>>,
    pub roster: Roster,
}

/// The roster of a dry run: the tenants, no credential read, no envelope built.
pub fn dry_roster(tenants: &[TenantLine], auth: Auth) -> Roster {
    let ids = tenants.iter().map(|t| (t.id.clone(), String::new()));
    Roster::new(ids, auth == Auth::TencentQueryToken)
}

/// The checkpoint's header for a fleet push of endpoint `O`: what every tenant shares (the endpoint); each
/// tenant's own envelope is in its rows' hashes, and tokens are in neither.
pub fn header<O: Batched>() -> Header {
    let meta = &O::META;
    Header::for_tenants(
        meta.name(),
        fingerprint(&["tenants", meta.vendor, meta.operation]),
    )
}

/// One tenant, ready to be added: its client's settings and what the driver needs of it.
struct Prepared {
    tenant: Tenant,
    line: u64,
    fingerprint: String,
    pace: Option<PaceFile>,
}

/// Builds the fleet of the tenants file's tenants.
///
/// # Errors
///
/// A sentence naming the tenants file's line: a tenant's envelope misses a member (on its line and in the
/// flags), it has no token (on its line, from `--token-command` or the shared flag), or its base URL is not
/// one.
pub fn set_up<O: Batched, P: Credentials>(
    args: &Args,
    tenants: &[TenantLine],
    file: &str,
) -> Result<Sending<O, P>, String> {
    let meta = &O::META;
    let sending = args.sending();
    let command = args
        .token_command
        .as_deref()
        .map(TokenCommand::parse)
        .transpose()?;
    let pace_dir = match sending.pace::<P>() {
        Some(_) => args.pace_dir.clone().or_else(PaceFile::default_dir),
        None => None,
    };
    let mut envelopes = HashMap::with_capacity(tenants.len());
    let mut prepared = Vec::with_capacity(tenants.len());
    let mut problems = Problems::default();
    for line in tenants {
        let target = line.target(&args.target);
        let (envelope, print) = match target.envelope::<O>() {
            Ok(found) => found,
            Err(found) => {
                for problem in found {
                    problems.add(line, with_member(problem));
                }
                continue;
            }
        };
        let mut tenant = Tenant::new(line.id.as_str());
        let (flag, shared) = P::shared_token(&args.target);
        tenant = match (&line.token, &command, shared) {
            (Some(token), _, _) => tenant.access_token(token.clone()),
            (None, Some(command), _) => {
                tenant.token_provider(Arc::new(command.for_tenant(&line.id)))
            }
            (None, None, Some(token)) if !token.is_empty() => tenant.access_token(token.clone()),
            (None, None, _) => {
                let problem = format!(
                    "no token: give the line a `token` (\"$VAR\" reads the environment), or --token-command, \
                     or {flag} for every tenant without one"
                );
                problems.add(line, problem);
                continue;
            }
        };
        if let Some(url) = &line.base_url {
            tenant = tenant.base_url(url.clone());
        }
        // The bucket's file is the one a single push to this store or account uses.
        let pace = pace_dir.as_ref().map(|dir| {
            let mut own = target.clone();
            own.base_url = line.base_url.clone().or_else(|| {
                let shared = args.target.base_url.as_ref()?;
                Some(shared.replace(TENANT_PLACEHOLDER, &line.id))
            });
            if meta.auth == Auth::ShoplineBearer {
                own.store = Some(line.id.clone());
            }
            let parts = own.bucket(meta);
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            PaceFile::in_dir(dir, meta.vendor, &parts)
        });
        if let Some(state) = pace.as_ref().and_then(PaceFile::load_fresh) {
            tenant = tenant.pace_state(state);
        }
        envelopes.insert(TenantId::from(line.id.as_str()), envelope);
        prepared.push(Prepared {
            tenant,
            line: line.line,
            fingerprint: print,
            pace,
        });
    }
    if !problems.is_empty() {
        return Err(problems.describe(file));
    }
    let paces: HashMap<TenantId, PaceFile> = prepared
        .iter_mut()
        .filter_map(|one| Some((one.tenant.id().clone(), one.pace.take()?)))
        .collect();
    let paces = Arc::new(paces);
    let fleet = build::<P>(args, &paces)?;
    let mut ids = Vec::with_capacity(prepared.len());
    for one in prepared {
        let line = one.line;
        ids.push((one.tenant.id().to_string(), one.fingerprint));
        fleet
            .add(one.tenant)
            .map_err(|err| format!("{file} line {line}: {err}"))?;
    }
    Ok(Sending {
        fleet,
        envelopes,
        paces,
        roster: Roster::new(ids, meta.auth == Auth::TencentQueryToken),
    })
}

/// A tenant's envelope misses a member given neither on its line nor by a flag: the message names both.
fn with_member(problem: String) -> String {
    match problem.strip_prefix("missing --") {
        Some(rest) => {
            let member = rest.split(' ').next().unwrap_or_default().replace('-', "_");
            format!("{problem}, or `{member}` on the tenant's line")
        }
        None => problem,
    }
}

/// The problems of the tenants, each told once with the lines it is on (a flag missing for all is one
/// problem, not one per tenant).
#[derive(Default)]
struct Problems {
    /// Each problem, in the order first found, with its tenants' lines and ids.
    found: Vec<(String, Vec<(u64, String)>)>,
}

impl Problems {
    fn add(&mut self, tenant: &TenantLine, problem: String) {
        let at = (tenant.line, tenant.id.clone());
        match self.found.iter_mut().find(|(known, _)| *known == problem) {
            Some((_, lines)) => lines.push(at),
            None => self.found.push((problem, vec![at])),
        }
    }

    fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    fn describe(&self, file: &str) -> String {
        const SHOWN: usize = 5;
        let told: Vec<String> = self
            .found
            .iter()
            .take(20)
            .map(|(problem, lines)| match lines.as_slice() {
                [(line, id)] => format!("{file} line {line} ({id}): {problem}"),
                _ => {
                    let shown: Vec<String> = lines
                        .iter()
                        .take(SHOWN)
                        .map(|(line, _)| line.to_string())
                        .collect();
                    let more = if lines.len() > SHOWN { ", ..." } else { "" };
                    format!(
                        "{file} lines {}{more} ({} tenants): {problem}",
                        shown.join(", "),
                        lines.len()
                    )
                }
            })
            .collect();
        told.join("\n  ")
    }
}

/// The fleet, without tenants: the clients' settings, the wire limit, the base URL (template), the pace
/// files kept up to date before every request.
fn build<P: Credentials>(
    args: &Args,
    paces: &Arc<HashMap<TenantId, PaceFile>>,
) -> Result<Fleet<P>, String> {
    let sending = args.sending();
    let mut builder = Fleet::<P>::builder()
        .retry(sending.retry())
        .timeout(sending.timeout)
        .concurrency(usize::from(args.concurrency()));
    builder = match sending.pace::<P>() {
        Some(pace) => builder.pace(pace),
        None => builder.no_pacing(),
    };
    if let Some(url) = &args.target.base_url {
        builder = builder.base_url(url.clone());
    }
    if !paces.is_empty() {
        let paces = Arc::clone(paces);
        builder = builder.on_pace(move |tenant, state| {
            if let Some(file) = paces.get(tenant) {
                file.save_quietly(state);
            }
        });
    }
    P::fleet(builder, &args.target)
        .build()
        .map_err(|err| err.to_string())
}

/// The rows handed to the fleet, each with its tenant.
pub type Input<Item> = Pin<Box<dyn Stream<Item = FleetRow<RowKey, Item>> + Send>>;

/// The fleet's engine, as the driver drives it.
pub struct FleetEngine<O: Batched> {
    stream: FleetStream<O, RowKey, Input<O::Item>>,
    /// The tenant of the last event: the one the platform may have stopped.
    last: Option<(TenantId, Index)>,
}

impl<O: Batched + 'static, P: Credentials> Sending<O, P> {
    /// Starts the fleet's engine on `rows` (each row's key names its tenant by its index in the roster), and
    /// says how much it may be handed at once.
    pub fn engine(
        &mut self,
        rows: impl Stream<Item = EngineRow<RowKey, O::Item>> + Send + 'static,
        limits: Limits,
        args: &Args,
    ) -> (FleetEngine<O>, Holding) {
        use futures_util::StreamExt;
        let ids = self.roster.ids.clone();
        let rows: Input<O::Item> = Box::pin(rows.map(move |row| {
            let index = row.key.tenant.expect("a fleet row names its tenant") as usize;
            FleetRow {
                tenant: ids[index].clone(),
                row,
            }
        }));
        let envelopes = std::mem::take(&mut self.envelopes);
        let envelope = move |tenant: &TenantId| {
            envelopes
                .get(tenant)
                .cloned()
                .expect("every tenant of the fleet has its envelope")
        };
        // The rows were checked as they were read (and each envelope once). The fleet holds at most a quarter of
        // the byte budget in its batches and closes them itself when that is reached; it is handed at most
        // twice that, so that it always has rows to reach its bound with (no wait for rows that cannot come),
        // and the rows between the reader and the fleet stay few.
        let held = (args.max_held_bytes.max(limits.max_bytes) / 4).max(1);
        let options = FleetOptions::default()
            .sync(
                SyncOptions::default()
                    .batch_rows(limits.max_rows)
                    .batch_bytes(limits.max_bytes)
                    .concurrency(usize::from(args.tenant_concurrency))
                    .validate(false),
            )
            .held_bytes(held);
        let engine = FleetEngine {
            stream: self
                .fleet
                .sync_stream::<O, RowKey, _, _>(envelope, rows, options),
            last: None,
        };
        let holding = Holding {
            rows: u64::MAX,
            bytes: 2 * held as u64,
        };
        (engine, holding)
    }

    /// Saves the pace of every tenant that sent: successes since the last request have given back some rate.
    pub fn save_paces(&self) {
        for (tenant, file) in self.paces.iter() {
            if let Some(state) = self.fleet.pace_state(tenant) {
                file.save_quietly(state);
            }
        }
    }
}

impl<O: Batched> Stream for FleetEngine<O> {
    type Item = SyncEvent<RowKey>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_next(cx) {
            Poll::Ready(Some(FleetEvent { tenant, event, .. })) => {
                this.last = first_key(&event)
                    .and_then(|key| key.tenant)
                    .map(|index| (tenant, index));
                Poll::Ready(Some(event))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<O: Batched> Engine for FleetEngine<O> {
    fn stops(&mut self, driver: &mut Driver) {
        if let Some((tenant, index)) = self.last.take() {
            if let Some(error) = self.stream.stopped(&tenant) {
                driver.tenant_stopped(index, error);
            }
        }
    }

    fn finish(&mut self) {
        self.stream.finish();
    }

    fn requests(&self) -> usize {
        self.stream.requests()
    }
}

/// The key of the first row an event is about.
fn first_key<K>(event: &SyncEvent<K>) -> Option<&K> {
    match event {
        SyncEvent::Delivered { keys, .. }
        | SyncEvent::Failed { keys, .. }
        | SyncEvent::Unsent { keys } => keys.first(),
        SyncEvent::Refused { key, .. } | SyncEvent::Rejected { key, .. } => Some(key),
        _ => None,
    }
}
