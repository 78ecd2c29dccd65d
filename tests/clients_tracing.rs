//! The spans a call leaves, as an OpenTelemetry exporter would read them: one `salesync.call` span per call
//! with the endpoint, method, path, status, attempts and the platform's trace id, one `salesync.attempt`
//! child per attempt, a debug event for the error the caller receives, and no credential in any field.
//!
//! A capturing subscriber is installed as this binary's global default; tests here run one at a time (a
//! mutex), and each looks only at the spans of its own calls (found by their endpoint).

#[path = "integration/clients_common/mod.rs"]
mod clients_common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use clients_common::*;
use salesync::shopline::batch_sync_flow_data::BatchSyncFlowData;
use salesync::tencent::salesinfo_add::SalesinfoAdd;
use salesync_mock::{Fault, Vendor};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// One span as recorded: its name, parent and every field, with the values recorded later.
#[derive(Debug, Clone, Default)]
struct SpanRecord {
    id: u64,
    name: &'static str,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
struct EventRecord {
    level: tracing::Level,
    span: Option<u64>,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Captured {
    spans: BTreeMap<u64, SpanRecord>,
    events: Vec<EventRecord>,
    /// The span each thread is in, innermost last.
    stacks: std::collections::HashMap<std::thread::ThreadId, Vec<u64>>,
}

#[derive(Clone, Default)]
struct Capture {
    captured: Arc<Mutex<Captured>>,
    next_id: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.0.insert(field.name().to_owned(), text);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Capture {
    fn current(&self, captured: &Captured) -> Option<u64> {
        captured
            .stacks
            .get(&std::thread::current().id())
            .and_then(|stack| stack.last().copied())
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut captured = self.captured.lock().unwrap();
        let parent = match attributes.parent() {
            Some(parent) => Some(parent.into_u64()),
            None if attributes.is_contextual() => self.current(&captured),
            None => None,
        };
        let mut record = SpanRecord {
            id,
            name: attributes.metadata().name(),
            parent,
            fields: BTreeMap::new(),
        };
        attributes.record(&mut Fields(&mut record.fields));
        captured.spans.insert(id, record);
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut captured = self.captured.lock().unwrap();
        if let Some(record) = captured.spans.get_mut(&span.into_u64()) {
            values.record(&mut Fields(&mut record.fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut captured = self.captured.lock().unwrap();
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = self.current(&captured);
        captured.events.push(EventRecord {
            level: *event.metadata().level(),
            span,
            fields,
        });
    }

    fn enter(&self, span: &Id) {
        let mut captured = self.captured.lock().unwrap();
        let thread = std::thread::current().id();
        captured
            .stacks
            .entry(thread)
            .or_default()
            .push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut captured = self.captured.lock().unwrap();
        let thread = std::thread::current().id();
        if let Some(stack) = captured.stacks.get_mut(&thread) {
            if let Some(at) = stack.iter().rposition(|id| *id == span.into_u64()) {
                stack.remove(at);
            }
        }
    }
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing::subscriber::set_global_default(capture.clone()).expect("the only subscriber");
        capture
    })
}

/// One test at a time: each clears the capture and reads all of it. An async lock, held across the calls.
async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let guard = LOCK.lock().await;
    *capture().captured.lock().unwrap() = Captured::default();
    guard
}

fn snapshot() -> (Vec<SpanRecord>, Vec<EventRecord>) {
    let captured = capture().captured.lock().unwrap();
    (
        captured.spans.values().cloned().collect(),
        captured.events.clone(),
    )
}

fn calls<'a>(spans: &'a [SpanRecord], otel_name: &str) -> Vec<&'a SpanRecord> {
    spans
        .iter()
        .filter(|s| {
            s.name == "salesync.call"
                && s.fields.get("otel.name").map(String::as_str) == Some(otel_name)
        })
        .collect()
}

fn attempts_of<'a>(spans: &'a [SpanRecord], call: &SpanRecord) -> Vec<&'a SpanRecord> {
    spans
        .iter()
        .filter(|s| s.name == "salesync.attempt" && s.parent == Some(call.id))
        .collect()
}

fn field<'a>(span: &'a SpanRecord, name: &str) -> Option<&'a str> {
    span.fields.get(name).map(String::as_str)
}

/// Nothing captured holds a credential.
fn assert_clean(spans: &[SpanRecord], events: &[EventRecord]) {
    let text = format!("{spans:?}\n{events:?}");
    assert_no_secret("the captured spans and events", &text);
}

#[tokio::test]
async fn a_retried_shopline_call_is_one_span_with_a_child_per_attempt() {
    let _one = exclusive().await;
    let mock = mock().await;
    mock.push_fault(Vendor::Shopline, Fault::status(429));
    let client = shopline(&mock)
        .signing(APP_KEY, APP_SECRET)
        .build()
        .unwrap();
    let response = client
        .call::<BatchSyncFlowData>(&shopline_request(flows(0..2)))
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);

    let (spans, events) = snapshot();
    let found = calls(&spans, "shopline.batch_sync_flow_data");
    assert_eq!(found.len(), 1, "{spans:#?}");
    let call = found[0];
    let expected = [
        ("otel.kind", "client"),
        ("otel.status_code", "OK"),
        ("rpc.system", "http"),
        ("rpc.service", "shopline"),
        ("rpc.method", "batch_sync_flow_data"),
        ("salesync.api_version", "v20260301"),
        ("http.request.method", "POST"),
        ("url.path", SHOPLINE_PATH),
        ("http.response.status_code", "200"),
        ("salesync.attempts", "2"),
    ];
    for (name, value) in expected {
        assert_eq!(field(call, name), Some(value), "{name} in {call:#?}");
    }
    assert_eq!(
        field(call, "platform.trace_id"),
        response.trace_id.as_deref()
    );
    assert!(response.trace_id.is_some());
    assert_eq!(field(call, "error.type"), None);

    let attempts = attempts_of(&spans, call);
    assert_eq!(attempts.len(), 2, "{spans:#?}");
    assert_eq!(field(attempts[0], "attempt"), Some("1"));
    assert_eq!(field(attempts[0], "http.request.resend_count"), Some("0"));
    assert_eq!(field(attempts[0], "http.response.status_code"), Some("429"));
    assert_eq!(field(attempts[0], "error.type"), Some("rate_limited"));
    assert_eq!(field(attempts[1], "http.request.resend_count"), Some("1"));
    assert_eq!(field(attempts[1], "http.response.status_code"), Some("200"));
    // The retry is an info event inside the first attempt's call; nothing was logged as an error.
    assert!(events.iter().any(|e| e.level == tracing::Level::INFO
        && e.fields.get("message").is_some_and(|m| m == "retrying")));
    assert!(events.iter().all(|e| e.level > tracing::Level::WARN));
    assert_clean(&spans, &events);
}

#[tokio::test]
async fn a_failed_tencent_call_records_its_error_and_no_token() {
    let _one = exclusive().await;
    let mock = mock().await;
    mock.push_fault(Vendor::Tencent, Fault::tencent(11018));
    let client = tencent(&mock).build().unwrap();
    let error = client
        .call::<SalesinfoAdd>(&tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert_eq!(error.class(), salesync::ErrorClass::DailyLimit);

    let (spans, events) = snapshot();
    let found = calls(&spans, "tencent.salesinfo_add");
    assert_eq!(found.len(), 1, "{spans:#?}");
    let call = found[0];
    assert_eq!(
        field(call, "url.path"),
        Some(TENCENT_PATH),
        "no query, no token"
    );
    assert_eq!(field(call, "otel.status_code"), Some("ERROR"));
    assert_eq!(field(call, "error.type"), Some("daily_limit"));
    assert_eq!(field(call, "salesync.attempts"), Some("1"));
    assert_eq!(field(call, "platform.trace_id"), error.trace_id());
    assert_eq!(attempts_of(&spans, call).len(), 1);
    // The caller receives the error: it is a debug event of the call, not a warning.
    let failed: Vec<_> = events
        .iter()
        .filter(|e| {
            e.fields
                .get("message")
                .is_some_and(|m| m == "the call failed")
        })
        .collect();
    assert_eq!(failed.len(), 1, "{events:#?}");
    assert_eq!(failed[0].level, tracing::Level::DEBUG);
    assert_eq!(failed[0].span, Some(call.id));
    assert_clean(&spans, &events);
}
