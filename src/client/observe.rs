//! What a call shows while it runs: a tracing span per call and a child span per attempt, with OpenTelemetry's
//! field names, and the attempt hook (`on_attempt`) for metrics. No field ever holds a credential: the query
//! (Tencent's access token) is never in `url.path`, and error texts were scrubbed before they get here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::field::Empty;
use tracing::Span;

use crate::classify::{ErrorClass, Retry};
use crate::error::{Error, Vendor};
use crate::runtime::EndpointMeta;

/// One finished attempt of a call, as the hook set with `on_attempt` sees it: what a metrics system counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Attempt {
    /// The platform called.
    pub vendor: Vendor,
    /// The operation, e.g. `salesinfo_add`.
    pub operation: &'static str,
    /// The API version the call went to, e.g. `v1.3`.
    pub version: String,
    /// 1 for the first attempt of a call.
    pub number: u32,
    /// The HTTP status, when the platform answered.
    pub status: Option<u16>,
    /// `None` when the attempt succeeded; the failure's class otherwise.
    pub error: Option<ErrorClass>,
    /// What follows a failed attempt: `never` (the call fails with it), `backoff` or `immediately`.
    pub retry: Option<Retry>,
    /// From sending (after the pacer's wait) to the end of the answer.
    #[serde(rename = "elapsed_ms", serialize_with = "millis")]
    pub elapsed: Duration,
    /// The platform's trace id, when it sent one.
    pub trace_id: Option<String>,
}

fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64() * 1000.0)
}

/// The hook called after every attempt.
pub(crate) type AttemptHook = Arc<dyn Fn(&Attempt) + Send + Sync>;

/// A client's attempt hook, for the builder's `Debug` (a closure has none).
#[derive(Clone, Default)]
pub(crate) struct OnAttempt(pub Option<AttemptHook>);

impl std::fmt::Debug for OnAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(<hook>)"
        } else {
            "None"
        })
    }
}

/// What a successful attempt brought back that the spans and the hook report.
pub(crate) trait Answered {
    fn status(&self) -> u16;
    fn trace_id(&self) -> Option<&str>;
}

/// One call being made: its span, and where each attempt is reported.
pub(crate) struct CallScope<'a> {
    pub vendor: Vendor,
    meta: EndpointMeta,
    version: &'a str,
    span: Span,
    hook: Option<&'a AttemptHook>,
}

impl<'a> CallScope<'a> {
    /// The call's span: `salesync.call`, named `vendor.operation` for OpenTelemetry (`otel.name`).
    pub fn new(
        meta: EndpointMeta,
        vendor: Vendor,
        version: &'a str,
        path: &str,
        hook: Option<&'a AttemptHook>,
    ) -> Self {
        let span = tracing::info_span!(
            "salesync.call",
            otel.name = %format_args!("{}.{}", meta.vendor, meta.operation),
            otel.kind = "client",
            otel.status_code = Empty,
            rpc.system = "http",
            rpc.service = meta.vendor,
            rpc.method = meta.operation,
            salesync.api_version = version,
            http.request.method = meta.method,
            url.path = path,
            http.response.status_code = Empty,
            salesync.attempts = Empty,
            platform.trace_id = Empty,
            error.type = Empty,
        );
        CallScope {
            vendor,
            meta,
            version,
            span,
            hook,
        }
    }

    /// The call's span, to instrument the call with.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// A child span for attempt `number`.
    pub fn attempt_span(&self, number: u32) -> Span {
        tracing::info_span!(
            parent: &self.span,
            "salesync.attempt",
            attempt = number,
            http.request.resend_count = number - 1,
            http.response.status_code = Empty,
            platform.trace_id = Empty,
            error.type = Empty,
        )
    }

    /// Records a finished attempt on its span and tells the hook.
    pub fn attempt_done<T: Answered>(
        &self,
        span: &Span,
        number: u32,
        started: Instant,
        result: Result<&T, (&Error, Retry)>,
    ) {
        let (status, trace_id, error, retry) = match result {
            Ok(answer) => (Some(answer.status()), answer.trace_id(), None, None),
            Err((error, retry)) => (
                error.status(),
                error.trace_id(),
                Some(error.class()),
                Some(retry),
            ),
        };
        record(span, status, trace_id, error);
        if let Some(hook) = self.hook {
            hook(&Attempt {
                vendor: self.vendor,
                operation: self.meta.operation,
                version: self.version.to_owned(),
                number,
                status,
                error,
                retry,
                elapsed: started.elapsed(),
                trace_id: trace_id.map(str::to_owned),
            });
        }
    }

    /// Records how the call ended on its span.
    pub fn finish<T: Answered>(&self, attempts: u32, result: Result<&T, &Error>) {
        self.span.record("salesync.attempts", attempts);
        let (status, trace_id, error) = match result {
            Ok(answer) => (Some(answer.status()), answer.trace_id(), None),
            Err(error) => (error.status(), error.trace_id(), Some(error.class())),
        };
        record(&self.span, status, trace_id, error);
        self.span.record(
            "otel.status_code",
            if error.is_some() { "ERROR" } else { "OK" },
        );
    }
}

fn record(span: &Span, status: Option<u16>, trace_id: Option<&str>, error: Option<ErrorClass>) {
    if let Some(status) = status {
        span.record("http.response.status_code", status);
    }
    if let Some(trace_id) = trace_id {
        span.record("platform.trace_id", trace_id);
    }
    if let Some(class) = error {
        span.record("error.type", class.as_str());
    }
}
