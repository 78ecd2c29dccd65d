//! Shopline `batch_sync_flow_data`: bearer token, exact content type, leaky bucket, fault, then validation with
//! the generated validators and an upsert of the flows and nodes.
//!
//! Status codes: 404 unknown store handle (on `/stores/{handle}/...`), 401 bad or missing token, 402 or 423
//! (or any status) for a store a test refused, 415 wrong `Content-Type`, 429 bucket full, 400 body not JSON,
//! 422 body breaks the schema or a flow breaks the test's item rule (`errors` is an array of
//! `"pointer: message [rule]"` strings), 200 `{}`.

use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use salesync::runtime::{parse, DynOperation, Operation};
use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowData, BatchSyncFlowDataRequest};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::{lock, App, Route};
use crate::bucket::Shop;
use crate::faults::{Fault, Vendor};
use crate::reply::{Outcome, Reply};
use crate::tenants::StoreVerdict;

const VENDOR: Option<Vendor> = Some(Vendor::Shopline);

const MISSING_TOKEN: &str = "[API] Missing access token: send Authorization: Bearer <token>";
const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";
/// The mock's own words: on the platform an unknown handle is a host that does not resolve to a store.
const UNKNOWN_STORE: &str = "Not Found: no store with this handle";

/// Answers the request, then counts the answer for its store when the route names one.
pub(crate) async fn handle(
    app: &App,
    route: &Route,
    parts: &Parts,
    body: &Bytes,
    trace_id: String,
) -> Reply {
    let store = route.store.as_deref();
    let reply = answer(app, &route.version, store, parts, body, trace_id).await;
    if let Some(handle) = store {
        lock(&app.tenants).note_store(handle, &reply);
    }
    reply
}

async fn answer(
    app: &App,
    version: &str,
    store: Option<&str>,
    parts: &Parts,
    body: &Bytes,
    trace_id: String,
) -> Reply {
    if store.is_some_and(|handle| !lock(&app.tenants).has_store(handle)) {
        return Reply::shopline_error(StatusCode::NOT_FOUND, UNKNOWN_STORE, trace_id);
    }
    if !is_version(version) && version != BatchSyncFlowData::META.version {
        return Reply::not_found(VENDOR, trace_id);
    }
    if parts.method.as_str() != BatchSyncFlowData::META.method {
        return Reply::status(VENDOR, 405, trace_id);
    }
    let token = match bearer_token(app, store, parts) {
        Ok(token) => token,
        Err((status, reason)) => {
            return Reply::shopline_error(status, reason, trace_id)
                .with_outcome(Outcome::CredentialsRefused)
        }
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE);
    if !content_type
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_utf8)
    {
        let reason = "Content-Type must be application/json; charset=utf-8";
        return Reply::shopline_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, reason, trace_id);
    }
    if !admit(app, store, token, body) {
        return Reply::status(VENDOR, 429, trace_id).with_outcome(Outcome::BucketRefused);
    }
    let fault = app.next_fault(Vendor::Shopline);
    match &fault {
        None | Some(Fault::StoreThenFail(_)) => {}
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(other) => return Reply::for_fault(Vendor::Shopline, other, trace_id),
    }
    let reply = match parse_body(body).and_then(|request| refuse(app, request)) {
        Ok(request) => {
            let new_records = lock(&app.store).put_shopline(store, &request);
            let stored = Outcome::Stored { new_records };
            match &fault {
                Some(after @ Fault::StoreThenFail(_)) => {
                    return Reply::for_fault(Vendor::Shopline, after, trace_id).with_outcome(stored)
                }
                _ => Reply::shopline(StatusCode::OK, &json!({}), trace_id).with_outcome(stored),
            }
        }
        Err((status, errors)) => Reply::shopline_error(status, errors, trace_id),
    };
    match fault {
        Some(fault) => reply.with_fault(fault),
        None => reply,
    }
}

/// `vYYYYMMDD`: Shopline's quarterly API versions.
fn is_version(version: &str) -> bool {
    let digits = version.strip_prefix('v').unwrap_or("");
    digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The token of `Authorization: Bearer <token>`, if the mock accepts it: one of its tokens, or on
/// `/stores/{handle}` that store's own token alone. Else the status and message to answer.
fn bearer_token<'a>(
    app: &App,
    store: Option<&str>,
    parts: &'a Parts,
) -> Result<&'a str, (StatusCode, &'static str)> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Err((StatusCode::UNAUTHORIZED, MISSING_TOKEN));
    };
    let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer "));
    let Some(handle) = store else {
        return match token {
            Some(token) if App::accepts(&app.shopline_tokens, token) => Ok(token),
            _ => Err((StatusCode::UNAUTHORIZED, INVALID_TOKEN)),
        };
    };
    let verdict = lock(&app.tenants).store_verdict(handle, token);
    match (verdict, token) {
        (StoreVerdict::Allowed, Some(token)) => Ok(token),
        (StoreVerdict::Refused(status), _) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err((status, refusal_message(status)))
        }
        _ => Err((StatusCode::UNAUTHORIZED, INVALID_TOKEN)),
    }
}

/// The `errors` of a store a test refused. API-NOTES.md names the statuses Shopline answers a store's
/// credentials with (401 token missing or expired, 402 store frozen, 423 store locked) but not their texts:
/// these say the same in the mock's words, prefixed as the platform's own auth errors are.
fn refusal_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => INVALID_TOKEN,
        402 => "[API] Payment Required: the store is frozen",
        423 => "[API] Locked: the store is locked",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// `application/json; charset=utf-8`, ignoring case and spaces around `;` and `=`.
fn is_json_utf8(value: &str) -> bool {
    let mut parts = value.split(';').map(str::trim);
    let media_ok = parts
        .next()
        .is_some_and(|m| m.eq_ignore_ascii_case("application/json"));
    let params: Vec<&str> = parts.filter(|p| !p.is_empty()).collect();
    let charset_ok = match params.as_slice() {
        [param] => param.split_once('=').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("charset")
                && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }),
        _ => false,
    };
    media_ok && charset_ok
}

/// Enough of the body to find the bucket: the platform limits per app and store.
#[derive(Deserialize)]
struct BucketKey {
    #[serde(default)]
    app_key: Option<Value>,
    #[serde(default)]
    store_id: Option<Value>,
}

/// Lets the request into its bucket: per app and store, the store named by its handle on `/stores/{handle}`
/// and by the body's `store_id` otherwise.
fn admit(app: &App, store: Option<&str>, token: &str, body: &Bytes) -> bool {
    let mut buckets = lock(&app.buckets);
    let Some(buckets) = buckets.as_mut() else {
        return true;
    };
    let text = |value: Option<Value>| match value {
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
        None => None,
    };
    let peek = serde_json::from_slice::<BucketKey>(body).ok();
    let (app_key, store_id) = peek.map_or((None, None), |k| (text(k.app_key), text(k.store_id)));
    let app_key = app_key.unwrap_or_else(|| format!("token:{token}"));
    let shop = match store {
        Some(handle) => Shop::Handle(handle.to_owned()),
        None => Shop::StoreId(store_id.unwrap_or_default()),
    };
    buckets.admit((app_key, shop), std::time::Instant::now())
}

/// The request, unless the item rule refuses flows of it: then 422 naming each.
fn refuse(
    app: &App,
    request: BatchSyncFlowDataRequest,
) -> Result<BatchSyncFlowDataRequest, (StatusCode, Value)> {
    let refused = app.refused_items(Vendor::Shopline, "flow_data_list", &request.flow_data_list);
    if refused.is_empty() {
        return Ok(request);
    }
    let errors: Vec<String> = refused
        .into_iter()
        .map(|(pointer, reason)| format!("{pointer}: {reason} [platform]"))
        .collect();
    Err((StatusCode::UNPROCESSABLE_ENTITY, json!(errors)))
}

/// The request, or the status and `errors` value to answer.
fn parse_body(body: &Bytes) -> Result<BatchSyncFlowDataRequest, (StatusCode, Value)> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err((
            StatusCode::BAD_REQUEST,
            json!("Invalid JSON: the body is not UTF-8"),
        ));
    };
    let violations = BatchSyncFlowData.check_body(text);
    if let [only] = violations.as_slice() {
        if only.rule == "json" {
            let message = format!("Invalid JSON: {}", only.message);
            return Err((StatusCode::BAD_REQUEST, json!(message)));
        }
    }
    let unprocessable = |found: Vec<String>| (StatusCode::UNPROCESSABLE_ENTITY, json!(found));
    if !violations.is_empty() {
        return Err(unprocessable(
            violations.iter().map(ToString::to_string).collect(),
        ));
    }
    parse::from_str(text).map_err(|violation| unprocessable(vec![violation.to_string()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(is_version("v20260301"));
        assert!(!is_version("v2026030"));
        assert!(!is_version("20260301x"));
        assert!(!is_version("v2026030a"));
    }

    #[test]
    fn content_types() {
        assert!(is_json_utf8("application/json; charset=utf-8"));
        assert!(is_json_utf8("Application/JSON;charset=UTF-8"));
        assert!(!is_json_utf8("application/json"));
        assert!(!is_json_utf8("text/plain; charset=utf-8"));
        assert!(!is_json_utf8("application/json; charset=latin1"));
    }
}
