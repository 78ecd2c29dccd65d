//! Where rows go and as whom: the request envelope (Shopline app, store and source; Tencent account, data
//! source and data set), the credentials, and the client built from them.
//!
//! Every value comes from a flag or an environment variable. Credentials (and Shopline's app key) are kept in
//! [`Secret`]s: `--help` does not show their environment values, and nothing here prints them.

use std::convert::Infallible;
use std::time::Duration;

use salesync::client::{
    Client, ClientBuilder, FleetBuilder, Pace, Platform, RetryPolicy, Secret, Shopline, Tencent,
};
use salesync::runtime::{parse, Auth, Batched, EndpointMeta, Shaped, Validate, Validator};
use serde_json::{json, Value};

use super::checkpoint::fingerprint;
use super::pace_file::PaceFile;

fn secret(value: &str) -> Result<Secret, Infallible> {
    Ok(Secret::new(value))
}

/// The envelope members and credentials of both platforms.
#[derive(clap::Args, Clone)]
pub struct Target {
    /// Base URL of the API instead of the platform's, e.g. the mock's http://127.0.0.1:8080 or a staging host
    #[arg(long, env = "SALESYNC_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// The store handle; calls go to https://HANDLE.myshopline.com (unless --base-url)
    #[arg(
        long,
        env = "SALESYNC_SHOPLINE_STORE",
        value_name = "HANDLE",
        help_heading = "Shopline"
    )]
    pub store: Option<String>,

    /// Access token (prefer the environment variable: flags show in process lists)
    #[arg(long, env = "SALESYNC_SHOPLINE_TOKEN", hide_env_values = true, value_name = "TOKEN",
          value_parser = secret, help_heading = "Shopline")]
    pub shopline_token: Option<Secret>,

    /// App secret, to sign calls (optional)
    #[arg(long, env = "SALESYNC_SHOPLINE_APP_SECRET", hide_env_values = true, value_name = "SECRET",
          value_parser = secret, help_heading = "Shopline")]
    pub shopline_app_secret: Option<Secret>,

    /// Envelope member app_key
    #[arg(long, env = "SALESYNC_SHOPLINE_APP_KEY", hide_env_values = true, value_name = "KEY",
          value_parser = secret, help_heading = "Shopline")]
    pub app_key: Option<Secret>,

    /// Envelope member store_id
    #[arg(
        long,
        env = "SALESYNC_SHOPLINE_STORE_ID",
        value_name = "ID",
        help_heading = "Shopline"
    )]
    pub store_id: Option<String>,

    /// Envelope member source_type
    #[arg(
        long,
        env = "SALESYNC_SHOPLINE_SOURCE_TYPE",
        value_name = "TYPE",
        help_heading = "Shopline"
    )]
    pub source_type: Option<String>,

    /// Access token (prefer the environment variable: flags show in process lists)
    #[arg(long, env = "SALESYNC_TENCENT_ACCESS_TOKEN", hide_env_values = true, value_name = "TOKEN",
          value_parser = secret, help_heading = "Tencent")]
    pub tencent_access_token: Option<Secret>,

    /// Envelope member account_id
    #[arg(
        long,
        env = "SALESYNC_TENCENT_ACCOUNT_ID",
        value_name = "ID",
        help_heading = "Tencent"
    )]
    pub account_id: Option<i64>,

    /// Envelope member user_action_set_id
    #[arg(
        long,
        env = "SALESYNC_TENCENT_USER_ACTION_SET_ID",
        value_name = "ID",
        help_heading = "Tencent"
    )]
    pub user_action_set_id: Option<i64>,

    /// Envelope member data_set_id
    #[arg(
        long,
        env = "SALESYNC_TENCENT_DATA_SET_ID",
        value_name = "ID",
        help_heading = "Tencent"
    )]
    pub data_set_id: Option<i64>,
}

/// How the client sends: pacing, retries, timeouts.
#[derive(Debug, Clone)]
pub struct Sending {
    /// Requests per second at most; `Some(0.0)` turns client pacing off; `None` keeps the platform's default.
    pub rps: Option<f64>,
    /// The platform's default pace this many times faster (same burst), to push to a mock whose time is
    /// scaled down the same way; 1 in real use.
    pub pace_scale: f64,
    /// Attempts per request.
    pub max_attempts: u32,
    /// Backoff before the first retry.
    pub backoff: Duration,
    /// Timeout of one attempt.
    pub timeout: Duration,
}

impl Sending {
    /// The clients' retries.
    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy::default()
            .max_attempts(self.max_attempts)
            .initial_backoff(self.backoff)
            .max_backoff(Duration::from_secs(30).max(self.backoff))
    }

    /// The pace of platform `P`'s client: `--rps` (a burst of one second's requests), else the platform's
    /// documented pace, `pace_scale` times faster; `None` for no pacing (`--rps 0`). Values no `Duration`
    /// can hold fall back to the documented pace rather than panic.
    pub fn pace<P: Platform>(&self) -> Option<Pace> {
        let every = |seconds: f64| Duration::try_from_secs_f64(seconds).ok();
        match self.rps {
            Some(rps) if rps > 0.0 => Some(match every(1.0 / rps) {
                Some(period) => Pace::every(period, rps.ceil().min(f64::from(u32::MAX)) as u32),
                None => P::PACE,
            }),
            Some(_) => None,
            None if self.pace_scale > 0.0 && self.pace_scale != 1.0 => {
                let period = every(P::PACE.period().as_secs_f64() / self.pace_scale);
                Some(period.map_or(P::PACE, |period| Pace::every(period, P::PACE.burst())))
            }
            None => Some(P::PACE),
        }
    }
}

/// A value is missing: names the flag and the environment variable.
fn missing(flag: &str, env: &str) -> String {
    format!("missing --{flag} (or the environment variable {env})")
}

impl Target {
    /// No flag given.
    #[cfg(test)]
    pub fn empty() -> Target {
        Target {
            base_url: None,
            store: None,
            shopline_token: None,
            shopline_app_secret: None,
            app_key: None,
            store_id: None,
            source_type: None,
            tencent_access_token: None,
            account_id: None,
            user_action_set_id: None,
            data_set_id: None,
        }
    }

    /// The value given for each envelope member push has a flag for, by member name.
    fn given(&self) -> [(&'static str, Option<Value>); 6] {
        let text = |value: &Option<String>| value.clone().map(Value::String);
        [
            (
                "app_key",
                self.app_key.as_ref().map(|key| json!(key.expose())),
            ),
            ("store_id", text(&self.store_id)),
            ("source_type", text(&self.source_type)),
            ("account_id", self.account_id.map(Value::from)),
            (
                "user_action_set_id",
                self.user_action_set_id.map(Value::from),
            ),
            ("data_set_id", self.data_set_id.map(Value::from)),
        ]
    }

    /// The request envelope for endpoint `O` (its batch empty), checked against the schema, and a
    /// fingerprint of it for the checkpoint. The envelope is every member of the request but the batch, as
    /// the schema lists them; each comes from the flag named after it (`--account-id` for `account_id`) or
    /// the environment variable `SALESYNC_<VENDOR>_<MEMBER>`.
    pub fn envelope<O: Batched>(&self) -> Result<(O::Request, String), Vec<String>> {
        let meta = &O::META;
        let batch = meta.batch.map_or("items", |batch| batch.items);
        let given = self.given();
        let mut object = serde_json::Map::new();
        let mut parts = Vec::new();
        let mut problems = Vec::new();
        let members = O::Request::SHAPE.members.iter();
        for member in members.filter(|member| member.name != batch) {
            let found = given.iter().find(|(name, _)| *name == member.name);
            match found.and_then(|(_, value)| value.clone()) {
                Some(value) => {
                    parts.push(match &value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    });
                    object.insert(member.name.to_owned(), value);
                }
                None if !member.required => {}
                None if found.is_none() => problems.push(format!(
                    "the envelope member `{}` of {} has no flag in `salesync push`",
                    member.name,
                    meta.name()
                )),
                None => problems.push(missing(
                    &member.name.replace('_', "-"),
                    &format!(
                        "SALESYNC_{}_{}",
                        meta.vendor.to_uppercase(),
                        member.name.to_uppercase()
                    ),
                )),
            }
        }
        let mut value = Value::Object(object);
        if !problems.is_empty() {
            return Err(problems);
        }
        value[batch] = Value::Array(Vec::new());
        let request: O::Request = parse::from_value(&value, "").map_err(|v| vec![describe(&v)])?;
        // The envelope's own rules; the empty batch is not a problem here.
        let mut validator = Validator::new();
        request.validate_into(&mut validator);
        let batch_pointer = format!("/{batch}");
        let problems: Vec<String> = validator
            .into_violations()
            .into_iter()
            .filter(|v| {
                v.pointer != batch_pointer && !v.pointer.starts_with(&format!("{batch_pointer}/"))
            })
            .map(|v| describe(&v))
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut fingerprint_parts = vec![meta.vendor, meta.operation];
        fingerprint_parts.extend(parts.iter().map(String::as_str));
        Ok((request, fingerprint(&fingerprint_parts)))
    }

    /// The client of platform `P`, starting its pace where `pace_state` says the last push to the same bucket
    /// left it.
    pub fn client<P: Credentials>(
        &self,
        sending: &Sending,
        pace: Option<&PaceFile>,
    ) -> Result<Client<P>, String> {
        let mut builder = Client::<P>::builder()
            .retry(sending.retry())
            .timeout(sending.timeout);
        match sending.pace::<P>() {
            Some(pace) => builder = builder.pace(pace),
            None => builder = builder.no_pacing(),
        }
        if let Some(file) = pace {
            // Start with the bucket the last push left, and keep it up to date before every request, so
            // that even a killed push leaves it right for the next. A stale file (its bucket drained since)
            // starts nothing: the client begins with an empty bucket at the documented rate.
            if let Some(state) = file.load_fresh() {
                builder = builder.pace_state(state);
            }
            let file = file.clone();
            builder = builder.on_pace(move |state| file.save_quietly(state));
        }
        P::credentials(builder, self)?
            .build()
            .map_err(|err| err.to_string())
    }

    /// What names the platform's rate-limit bucket these calls fill: the host, and Shopline's app and store
    /// (its bucket is per app and store) or Tencent's account. Fingerprinted before it is written anywhere.
    pub fn bucket(&self, meta: &EndpointMeta) -> Vec<String> {
        let host = match (&self.base_url, &self.store) {
            (Some(url), _) => url.clone(),
            (None, Some(store)) => store.clone(),
            (None, None) => String::new(),
        };
        let mut parts = vec![host];
        match meta.auth {
            Auth::ShoplineBearer => {
                parts.push(
                    self.app_key
                        .as_ref()
                        .map_or(String::new(), |key| key.expose().to_owned()),
                );
                parts.push(self.store_id.clone().unwrap_or_default());
            }
            Auth::TencentQueryToken => {
                parts.push(self.account_id.map_or(String::new(), |id| id.to_string()));
            }
        }
        parts
    }
}

/// What each platform's client needs from the flags beyond what both share: its token, Shopline's store (or
/// base URL) and signature, Tencent's base URL.
pub trait Credentials: Platform + Sized {
    /// `builder` with this platform's credentials and target.
    fn credentials(
        builder: ClientBuilder<Self>,
        target: &Target,
    ) -> Result<ClientBuilder<Self>, String>;

    /// The token flag (and its environment variable), shared by every tenant of a fleet push that has no
    /// token of its own: its name and value.
    fn shared_token(target: &Target) -> (&'static str, Option<&Secret>);

    /// `builder` with what every tenant of a fleet shares beyond the clients' settings (Shopline's signature).
    fn fleet(builder: FleetBuilder<Self>, _target: &Target) -> FleetBuilder<Self> {
        builder
    }
}

impl Credentials for Shopline {
    fn credentials(
        builder: ClientBuilder<Self>,
        target: &Target,
    ) -> Result<ClientBuilder<Self>, String> {
        let token = target
            .shopline_token
            .clone()
            .filter(|token| !token.is_empty())
            .ok_or_else(|| missing("shopline-token", "SALESYNC_SHOPLINE_TOKEN"))?;
        let mut builder = match (&target.base_url, &target.store) {
            (Some(url), _) => builder.base_url(url.clone()),
            (None, Some(handle)) => builder.store(handle.clone()),
            (None, None) => {
                return Err(
                    "missing --store (or SALESYNC_SHOPLINE_STORE), or --base-url".to_owned(),
                )
            }
        };
        if let (Some(app_key), Some(app_secret)) = (&target.app_key, &target.shopline_app_secret) {
            builder = builder.signing(app_key.clone(), app_secret.clone());
        }
        Ok(builder.access_token(token))
    }

    fn shared_token(target: &Target) -> (&'static str, Option<&Secret>) {
        ("--shopline-token", target.shopline_token.as_ref())
    }

    fn fleet(builder: FleetBuilder<Self>, target: &Target) -> FleetBuilder<Self> {
        match (&target.app_key, &target.shopline_app_secret) {
            (Some(app_key), Some(app_secret)) => {
                builder.signing(app_key.clone(), app_secret.clone())
            }
            _ => builder,
        }
    }
}

impl Credentials for Tencent {
    fn credentials(
        builder: ClientBuilder<Self>,
        target: &Target,
    ) -> Result<ClientBuilder<Self>, String> {
        let token = target
            .tencent_access_token
            .clone()
            .filter(|token| !token.is_empty())
            .ok_or_else(|| missing("tencent-access-token", "SALESYNC_TENCENT_ACCESS_TOKEN"))?;
        let builder = match &target.base_url {
            Some(url) => builder.base_url(url.clone()),
            None => builder,
        };
        Ok(builder.access_token(token))
    }

    fn shared_token(target: &Target) -> (&'static str, Option<&Secret>) {
        (
            "--tencent-access-token",
            target.tencent_access_token.as_ref(),
        )
    }
}

fn describe(violation: &salesync::Violation) -> String {
    let flag = violation.pointer.trim_start_matches('/').replace('_', "-");
    format!("--{flag}: {} [{}]", violation.message, violation.rule)
}

#[cfg(test)]
mod tests {
    use salesync::runtime::Operation;
    use salesync::shopline::batch_sync_flow_data::BatchSyncFlowData;
    use salesync::tencent::salesinfo_add::SalesinfoAdd;

    use super::*;

    fn empty() -> Target {
        Target {
            base_url: None,
            store: None,
            shopline_token: None,
            shopline_app_secret: None,
            app_key: None,
            store_id: None,
            source_type: None,
            tencent_access_token: None,
            account_id: None,
            user_action_set_id: None,
            data_set_id: None,
        }
    }

    #[test]
    fn envelopes_name_missing_members_and_keep_what_the_document_does_not_bound() {
        let problems = empty().envelope::<SalesinfoAdd>().unwrap_err();
        assert_eq!(problems.len(), 3);
        assert_eq!(
            problems[0],
            "missing --account-id (or the environment variable SALESYNC_TENCENT_ACCOUNT_ID)"
        );
        // The document gives the ids no minimum: an id of 0 is the platform's to judge.
        let args = Target {
            account_id: Some(0),
            user_action_set_id: Some(2),
            data_set_id: Some(3),
            ..empty()
        };
        let (request, print) = args.envelope::<SalesinfoAdd>().unwrap();
        assert_eq!((request.account_id, request.salesinfo.len()), (0, 0));
        let other = Target {
            account_id: Some(1),
            ..args.clone()
        };
        let (request, other_print) = other.envelope::<SalesinfoAdd>().unwrap();
        assert_eq!(request.account_id, 1);
        assert_ne!(print, other_print);
        // Nor Shopline's strings a length: an empty store id is sent.
        let args = Target {
            app_key: Some(Secret::new("key-123")),
            store_id: Some(String::new()),
            source_type: Some("crm".into()),
            ..empty()
        };
        let (request, _) = args.envelope::<BatchSyncFlowData>().unwrap();
        assert_eq!(request.store_id, "");
    }

    #[test]
    fn an_envelope_violation_names_the_flag() {
        // What an envelope breaking a rule of its schema is told (neither platform's document bounds a member
        // push has a flag for, so the violation is built here).
        let violation = salesync::Violation {
            pointer: "/user_action_set_id".to_owned(),
            rule: "minimum",
            message: "must be at least 1, is 0".to_owned(),
        };
        assert_eq!(
            describe(&violation),
            "--user-action-set-id: must be at least 1, is 0 [minimum]"
        );
    }

    #[test]
    fn shopline_envelope_and_client() {
        let args = Target {
            app_key: Some(Secret::new("key-123")),
            store_id: Some("42".into()),
            source_type: Some("crm".into()),
            ..empty()
        };
        let (request, print) = args.envelope::<BatchSyncFlowData>().unwrap();
        assert_eq!(request.app_key, "key-123");
        assert!(!print.contains("key-123"));
        let sending = Sending {
            rps: None,
            pace_scale: 1.0,
            max_attempts: 1,
            backoff: Duration::from_millis(1),
            timeout: Duration::from_secs(1),
        };
        let err = args.client::<Shopline>(&sending, None).err().unwrap();
        assert_eq!(
            err,
            "missing --shopline-token (or the environment variable SALESYNC_SHOPLINE_TOKEN)"
        );
        let args = Target {
            shopline_token: Some(Secret::new("tok-secret-1")),
            ..args
        };
        let err = args.client::<Shopline>(&sending, None).err().unwrap();
        assert!(err.contains("--store"), "{err}");
        let args = Target {
            base_url: Some("http://127.0.0.1:9".into()),
            ..args
        };
        assert!(args.client::<Shopline>(&sending, None).is_ok());
        let bucket = args.bucket(&BatchSyncFlowData::META);
        assert_eq!(bucket, ["http://127.0.0.1:9", "key-123", "42"]);
    }

    #[test]
    fn the_pace_of_the_flags() {
        let sending = |rps, pace_scale| Sending {
            rps,
            pace_scale,
            max_attempts: 1,
            backoff: Duration::from_millis(1),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(sending(None, 1.0).pace::<Shopline>(), Some(Pace::SHOPLINE));
        assert_eq!(sending(Some(0.0), 1.0).pace::<Shopline>(), None);
        assert_eq!(
            sending(Some(40.0), 1.0).pace::<Tencent>(),
            Some(Pace::every(Duration::from_millis(25), 40))
        );
        // Scaled: the documented period ten times shorter, the same burst; `--rps` wins over it.
        let scaled = sending(None, 10.0).pace::<Shopline>().unwrap();
        assert_eq!(
            (scaled.period(), scaled.burst()),
            (Duration::from_millis(25), 39)
        );
        assert_eq!(
            sending(Some(2.0), 10.0).pace::<Shopline>().unwrap().burst(),
            2
        );
        // Values no `Duration` holds fall back to the documented pace; none panics.
        for odd in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e-300, 1e300] {
            let pace = sending(None, odd).pace::<Tencent>().unwrap();
            assert!(pace.period() <= Pace::TENCENT.period() || pace == Pace::TENCENT);
            let _ = sending(Some(odd), 1.0).pace::<Tencent>();
        }
        assert_eq!(
            sending(Some(1e-300), 1.0).pace::<Tencent>(),
            Some(Pace::TENCENT)
        );
    }
}
