//! Tencent `salesinfo/add`: `access_token`, `timestamp` and `nonce` in the query, fault, then validation with the
//! generated validators and an upsert of the items. Every outcome is HTTP 200 with a `code` (0 on success),
//! as the Marketing API answers.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::header;
use axum::http::request::Parts;
use salesync::runtime::{parse, DynOperation, Operation, Violation};
use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
use serde_json::{json, Value};

use crate::app::{lock, App};
use crate::faults::{Fault, Vendor};
use crate::reply::Reply;

/// Versions the platform serves this endpoint under.
pub const TENCENT_VERSIONS: [&str; 2] = ["v1.3", "v3.0"];

/// Longest nonce the platform accepts, in characters.
const MAX_NONCE_CHARS: usize = 32;

/// The documented message of a code, in English and Chinese.
pub(crate) fn describe(code: i64) -> (&'static str, &'static str) {
    match code {
        0 => ("", ""),
        10000 => ("System busy, please try again later", "系统繁忙,请稍后重试"),
        10001 => ("System under maintenance", "系统维护中"),
        11000 => ("access_token expired", "access_token 已过期"),
        11002 => ("Invalid access_token", "access_token 无效"),
        11005 => ("access_token is empty", "access_token 为空"),
        11008 => ("Request rate limit exceeded", "请求频率超限"),
        11016 => (
            "Request rate limit exceeded (per second)",
            "请求频率超限(秒级)",
        ),
        11017 => (
            "Request rate limit exceeded (per minute)",
            "请求频率超限(分钟级)",
        ),
        11018 => (
            "Request rate limit exceeded (per day)",
            "请求频率超限(天级)",
        ),
        12000 => ("Missing required parameter", "缺少必填参数"),
        12003 => (
            "Invalid request body, not valid JSON",
            "请求体不是合法的 JSON",
        ),
        12100 => ("nonce is invalid or has been used", "nonce 无效或已被使用"),
        12101 => ("timestamp is invalid or expired", "timestamp 无效或已过期"),
        18001..=18014 => ("Invalid parameter", "参数错误"),
        _ => ("Error", "错误"),
    }
}

pub(crate) async fn handle(
    app: &App,
    version: &str,
    parts: &Parts,
    body: &Bytes,
    trace_id: String,
) -> Reply {
    const VENDOR: Option<Vendor> = Some(Vendor::Tencent);
    if !TENCENT_VERSIONS.contains(&version) && version != SalesinfoAdd::META.version {
        return Reply::not_found(VENDOR, trace_id);
    }
    if parts.method.as_str() != SalesinfoAdd::META.method {
        return Reply::status(VENDOR, 405, trace_id);
    }
    if let Err((code, detail)) = authenticate(app, parts) {
        return Reply::tencent_error(code, &detail, None, trace_id);
    }
    let fault = app.next_fault(Vendor::Tencent);
    match &fault {
        None | Some(Fault::StoreThenFail(_)) => {}
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(other) => return Reply::for_fault(Vendor::Tencent, other, trace_id),
    }
    let reply = match parse_body(parts, body).and_then(|request| refuse(app, request)) {
        Ok(request) => {
            lock(&app.store).put_tencent(&request);
            match &fault {
                Some(after @ Fault::StoreThenFail(_)) => {
                    return Reply::for_fault(Vendor::Tencent, after, trace_id)
                }
                _ => Reply::tencent_ok(),
            }
        }
        Err((code, detail, errors)) => Reply::tencent_error(code, &detail, errors, trace_id),
    };
    match fault {
        Some(fault) => reply.with_fault(fault),
        None => reply,
    }
}

/// Checks the query in the platform's order and uses up the nonce: 12000, 11002, 12101, 12100.
fn authenticate(app: &App, parts: &Parts) -> Result<(), (i64, String)> {
    let query = parts.uri.query().unwrap_or("");
    let find = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.into_owned())
    };
    let (token, timestamp, nonce) = (find("access_token"), find("timestamp"), find("nonce"));
    let (Some(token), Some(timestamp), Some(nonce)) = (&token, &timestamp, &nonce) else {
        let missing: Vec<&str> = [
            ("access_token", &token),
            ("timestamp", &timestamp),
            ("nonce", &nonce),
        ]
        .into_iter()
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| name)
        .collect();
        return Err((12000, format!("missing {}", missing.join(", "))));
    };
    if !App::accepts(&app.tencent_tokens, token) {
        return Err((11002, String::new()));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    match timestamp.parse::<i64>() {
        Ok(seconds) if now.abs_diff(seconds) <= app.tencent_max_skew.as_secs() => {}
        Ok(_) => {
            return Err((
                12101,
                "timestamp is more than the allowed skew from now".to_owned(),
            ))
        }
        Err(_) => return Err((12101, "timestamp must be Unix seconds".to_owned())),
    }
    if nonce.chars().count() > MAX_NONCE_CHARS {
        return Err((
            12100,
            format!("nonce must be at most {MAX_NONCE_CHARS} characters"),
        ));
    }
    if !lock(&app.nonces).insert((token.clone(), nonce.clone())) {
        return Err((12100, "nonce has been used".to_owned()));
    }
    Ok(())
}

/// The request, unless the item rule refuses items of it: then 18001 naming each.
fn refuse(
    app: &App,
    request: SalesinfoAddRequest,
) -> Result<SalesinfoAddRequest, (i64, String, Option<Value>)> {
    let refused = app.refused_items(Vendor::Tencent, "salesinfo", &request.salesinfo);
    let Some((pointer, reason)) = refused.first() else {
        return Ok(request);
    };
    let detail = format!(
        "{} item(s) refused, first {pointer}: {reason}",
        refused.len()
    );
    let errors: Vec<Value> = refused
        .iter()
        .map(|(pointer, reason)| {
            json!({"type": "platform", "description": format!("{pointer}: {reason}")})
        })
        .collect();
    Err((18001, detail, Some(Value::Array(errors))))
}

/// The request, or the code, message detail and `errors` to answer.
fn parse_body(
    parts: &Parts,
    body: &Bytes,
) -> Result<SalesinfoAddRequest, (i64, String, Option<Value>)> {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let media = content_type
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    if !media.is_some_and(|m| m.eq_ignore_ascii_case("application/json")) {
        return Err((
            12003,
            "Content-Type must be application/json".to_owned(),
            None,
        ));
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return Err((12003, "the body is not UTF-8".to_owned(), None));
    };
    let violations = SalesinfoAdd.check_body(text);
    if let [only] = violations.as_slice() {
        if only.rule == "json" {
            return Err((12003, only.message.clone(), None));
        }
    }
    let invalid = |found: &[Violation]| {
        let errors: Vec<Value> = found.iter().map(error_entry).collect();
        let first = found.first().map(ToString::to_string).unwrap_or_default();
        let detail = format!("{} violation(s), first {first}", found.len());
        (18001, detail, Some(Value::Array(errors)))
    };
    if !violations.is_empty() {
        return Err(invalid(&violations));
    }
    parse::from_str(text).map_err(|violation| invalid(&[violation]))
}

/// `{"type": rule, "description": "pointer: message"}`, the Marketing API's `errors` item.
fn error_entry(violation: &Violation) -> Value {
    let pointer = if violation.pointer.is_empty() {
        "(root)"
    } else {
        &violation.pointer
    };
    json!({
        "type": violation.rule,
        "description": format!("{pointer}: {}", violation.message),
    })
}
