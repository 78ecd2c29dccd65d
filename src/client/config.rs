//! Settings both clients share: timeouts, user agent, retries, validation, batch concurrency; and the one
//! reqwest client (connection pool) each client builds from them.

use std::time::Duration;

use super::observe::{Attempt, OnAttempt};
use super::retry::RetryPolicy;
use crate::Error;

/// The default `User-Agent`: `salesync/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("salesync/", env!("CARGO_PKG_VERSION"));

/// Settings both clients share. Builders set them through their methods of the same names.
#[derive(Debug, Clone)]
pub(crate) struct Common {
    pub connect_timeout: Duration,
    /// Per attempt, from sending to the end of the body.
    pub timeout: Duration,
    /// The `User-Agent` the caller asked for with `.user_agent(..)`. Unset, the client salesync builds sends
    /// [`DEFAULT_USER_AGENT`] and the caller's own client sends its own (or none): a service's agent string is
    /// what the platforms' support teams ask for, so salesync never hides it behind its own.
    pub user_agent: Option<String>,
    pub retry: RetryPolicy,
    /// Validate requests before sending them (an invalid request is then never sent).
    pub validate: bool,
    /// Requests in flight at once in `sync_all`.
    pub batch_concurrency: usize,
    /// The caller's own HTTP client, used instead of one built from the settings above.
    pub http: Option<reqwest::Client>,
    /// Called after every attempt.
    pub on_attempt: OnAttempt,
}

impl Default for Common {
    fn default() -> Self {
        Common {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: None,
            retry: RetryPolicy::default(),
            validate: true,
            batch_concurrency: 4,
            http: None,
            on_attempt: OnAttempt::default(),
        }
    }
}

impl Common {
    /// The connection pool: the caller's client, or one built from these settings. Redirects are not followed
    /// by the one built here: a redirected Tencent call would carry its access token in the query to wherever
    /// the redirect points. The default user agent is a default header of the client built here only, so the
    /// caller's client keeps its own.
    pub(crate) fn http_client(&self) -> Result<reqwest::Client, Error> {
        if let Some(client) = &self.http {
            return Ok(client.clone());
        }
        reqwest::Client::builder()
            .user_agent(DEFAULT_USER_AGENT)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| {
                Error::Config(format!(
                    "cannot build the HTTP client: {}",
                    err.without_url()
                ))
            })
    }

    /// What every request carries whichever client sends it: the per-attempt timeout, and the user agent when
    /// the caller set one (it then wins over any client's default header; otherwise the client's own stands).
    pub(crate) fn request(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let request = request.timeout(self.timeout);
        match &self.user_agent {
            Some(agent) => request.header(reqwest::header::USER_AGENT, agent.as_str()),
            None => request,
        }
    }

    /// Tells the attempt hook, if any.
    pub(crate) fn hook(&self) -> Option<&super::observe::AttemptHook> {
        self.on_attempt.0.as_ref()
    }
}

/// A hook from a closure.
pub(crate) fn on_attempt(hook: impl Fn(&Attempt) + Send + Sync + 'static) -> OnAttempt {
    OnAttempt(Some(std::sync::Arc::new(hook)))
}

/// Checks a base URL and drops its trailing slashes; paths from the schemas start with `/`.
pub(crate) fn base_url(url: &str) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|err| Error::Config(format!("the base URL is not a URL: {err}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Config(
            "the base URL is not http or https".to_owned(),
        ));
    }
    if parsed.query().is_some() || !parsed.username().is_empty() || parsed.password().is_some() {
        // Credentials go through the builders, where they are kept out of logs; never in a URL.
        return Err(Error::Config(
            "the base URL must not carry a query or user info".to_owned(),
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// An API version override must stay one path segment.
pub(crate) fn check_version(version: &str) -> Result<(), Error> {
    if version.is_empty() || version.contains(['/', '?', '#', ' ']) {
        return Err(Error::Config(
            "the API version must be one path segment".to_owned(),
        ));
    }
    Ok(())
}

/// A Shopline store handle: letters, digits and hyphens (it becomes a host name).
pub(crate) fn check_store_handle(handle: &str) -> Result<(), Error> {
    if handle.is_empty()
        || !handle
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Error::Config(format!(
            "`{handle}` is not a store handle (letters, digits and hyphens)"
        )));
    }
    Ok(())
}

/// Builder methods for the settings in [`Common`], the same on both builders.
macro_rules! common_builder_methods {
    () => {
        /// Timeout to establish a connection (default 10 s).
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.common.connect_timeout = timeout;
            self
        }

        /// Timeout of one attempt, sending to the end of the body (default 30 s).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.common.timeout = timeout;
            self
        }

        /// The `User-Agent` header, sent on every request whichever client sends it. Unset, the client
        /// salesync builds sends `salesync/<version>` ([`DEFAULT_USER_AGENT`](crate::client::DEFAULT_USER_AGENT))
        /// and your own [`http_client`](Self::http_client) sends its own (its `.user_agent(..)` or default
        /// headers), or none.
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.common.user_agent = Some(user_agent.into());
            self
        }

        /// Attempts, backoff and overall deadline (default 5 attempts, 500 ms doubling to 30 s, 2 min).
        pub fn retry(mut self, policy: $crate::client::RetryPolicy) -> Self {
            self.common.retry = policy;
            self
        }

        /// Whether requests are validated before sending (default true). Turn it off only to send what the
        /// schema does not know yet; the platform then judges the request.
        pub fn validate_requests(mut self, validate: bool) -> Self {
            self.common.validate = validate;
            self
        }

        /// Requests in flight at once in `sync_all` (default 4, at least 1).
        pub fn batch_concurrency(mut self, requests: usize) -> Self {
            self.common.batch_concurrency = requests.max(1);
            self
        }

        /// Your own HTTP client (`salesync::reqwest::Client`): a proxy, root certificates, default headers,
        /// another TLS setup, one connection pool shared with the rest of a service. Its default headers are
        /// kept: salesync adds no `User-Agent` of its own, so the client's (`reqwest::ClientBuilder::user_agent`)
        /// reaches the platform, unless [`user_agent`](Self::user_agent) is set. The per-attempt
        /// [`timeout`](Self::timeout) still applies to every request; the connect timeout, proxies and
        /// redirects are then the client's. Build it with
        /// `.redirect(reqwest::redirect::Policy::none())`: a redirect would carry Tencent's access token (in
        /// the query) to wherever it points.
        pub fn http_client(mut self, client: $crate::reqwest::Client) -> Self {
            self.common.http = Some(client);
            self
        }

        /// Called after every attempt of every call, with what a metrics system counts: the endpoint, the
        /// attempt number, the status, the error class and what follows (`retry`), the time it took, the trace
        /// id. It runs on the calling task: keep it quick (count, do not send).
        pub fn on_attempt(
            mut self,
            hook: impl Fn(&$crate::client::Attempt) + Send + Sync + 'static,
        ) -> Self {
            self.common.on_attempt = $crate::client::config::on_attempt(hook);
            self
        }
    };
}

pub(crate) use common_builder_methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url("https://api.e.qq.com").unwrap(),
            "https://api.e.qq.com"
        );
        for bad in [
            "not a url",
            "ftp://x",
            "https://x/?access_token=1",
            "https://u:p@x",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
        // The query is never echoed into the error.
        let text = base_url("https://x/?access_token=tok-123456")
            .unwrap_err()
            .to_string();
        assert!(!text.contains("tok-123456"), "{text}");
        assert!(DEFAULT_USER_AGENT.starts_with("salesync/0."));
    }
}
