//! Tencent `salesinfo/add`: `access_token`, `timestamp` and `nonce` in the query, then (when accounts are
//! registered) the body's `account_id` against the token, fault, then validation with the generated validators
//! and an upsert of the items. Every outcome is HTTP 200 with a `code` (0 on success), as the Marketing API
//! answers.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::header;
use axum::http::request::Parts;
use salesync::runtime::{parse, DynOperation, Operation, Violation};
use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::{lock, App};
use crate::faults::{Fault, Vendor};
use crate::reply::{Outcome, Reply};
use crate::tenants::AccountVerdict;

/// Versions the platform serves this endpoint under.
pub const TENCENT_VERSIONS: [&str; 2] = ["v1.3", "v3.0"];

/// Longest nonce the platform accepts, in characters.
const MAX_NONCE_CHARS: usize = 32;

/// The answer to an `account_id` that is not registered while accounts are. Neither the document nor
/// API-NOTES.md ties a code to "this token may not act for this account"; the notes list 12201 and 12203 as
/// "account invalid or not permitted", in that order, and salesync's classifier reads them so (`ErrorClass`:
/// 12201 invalid, 12203 not permitted). The account may well exist, the token is just not allowed to write
/// for it: "not permitted", 12203. (11014 is the API outside the token's scope, not an account; 11002 is
/// kept for a token the mock does not know at all, as the platform checks the token before the account.)
const ACCOUNT_NOT_PERMITTED: i64 = 12203;

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
        // API-NOTES.md names these codes but not their texts: the mock's words.
        12201 => ("Account is invalid", "账号无效"),
        12203 => ("No permission for this account", "无权操作该账号"),
        18001..=18014 => ("Invalid parameter", "参数错误"),
        _ => ("Error", "错误"),
    }
}

/// Answers the request, then counts the answer for its account when that account is registered.
pub(crate) async fn handle(
    app: &App,
    version: &str,
    parts: &Parts,
    body: &Bytes,
    trace_id: String,
) -> Reply {
    // Read only when accounts are registered: with none, the request costs what it did before fleets.
    let account = if lock(&app.tenants).has_accounts() {
        peek_account(body)
    } else {
        None
    };
    let reply = answer(app, account, version, parts, body, trace_id).await;
    if let Some(account_id) = account {
        lock(&app.tenants).note_account(account_id, &reply);
    }
    reply
}

/// Enough of the body to find the account: an integer `account_id`, if the body is JSON and has one.
#[derive(Deserialize)]
struct AccountPeek {
    #[serde(default)]
    account_id: Option<Value>,
}

fn peek_account(body: &Bytes) -> Option<i64> {
    let peek = serde_json::from_slice::<AccountPeek>(body).ok()?;
    peek.account_id?.as_i64()
}

async fn answer(
    app: &App,
    account: Option<i64>,
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
    if let Err((code, detail, outcome)) = authenticate(app, account, parts) {
        return Reply::tencent_error(code, &detail, None, trace_id).with_outcome(outcome);
    }
    let fault = app.next_fault(Vendor::Tencent);
    match &fault {
        None | Some(Fault::StoreThenFail(_)) => {}
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(other) => return Reply::for_fault(Vendor::Tencent, other, trace_id),
    }
    let reply = match parse_body(parts, body).and_then(|request| refuse(app, request)) {
        Ok(request) => {
            let new_records = lock(&app.store).put_tencent(&request);
            let stored = Outcome::Stored { new_records };
            match &fault {
                Some(after @ Fault::StoreThenFail(_)) => {
                    return Reply::for_fault(Vendor::Tencent, after, trace_id).with_outcome(stored)
                }
                _ => Reply::tencent_ok().with_outcome(stored),
            }
        }
        Err((code, detail, errors)) => Reply::tencent_error(code, &detail, errors, trace_id),
    };
    match fault {
        Some(fault) => reply.with_fault(fault),
        None => reply,
    }
}

/// What `authenticate` refuses: the code, a detail for the message, and what to count for the account.
type Refusal = (i64, String, Outcome);

/// Checks the query in the platform's order and uses up the nonce: 12000, 11002, 12101, 12100; then, when
/// accounts are registered, the account: 12203 for one not registered, or the code a test refused it with.
fn authenticate(app: &App, account: Option<i64>, parts: &Parts) -> Result<(), Refusal> {
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
        return Err((
            12000,
            format!("missing {}", missing.join(", ")),
            Outcome::Other,
        ));
    };
    let known = App::accepts(&app.tencent_tokens, token);
    let verdict = lock(&app.tenants).account_verdict(account, token, known);
    let token_ok = match verdict {
        AccountVerdict::NoAccounts => known,
        AccountVerdict::WrongToken => false,
        _ => true,
    };
    if !token_ok {
        return Err((11002, String::new(), Outcome::CredentialsRefused));
    }
    let other = |code, detail: &str| Err((code, detail.to_owned(), Outcome::Other));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    match timestamp.parse::<i64>() {
        Ok(seconds) if now.abs_diff(seconds) <= app.tencent_max_skew.as_secs() => {}
        Ok(_) => return other(12101, "timestamp is more than the allowed skew from now"),
        Err(_) => return other(12101, "timestamp must be Unix seconds"),
    }
    if nonce.chars().count() > MAX_NONCE_CHARS {
        let detail = format!("nonce must be at most {MAX_NONCE_CHARS} characters");
        return other(12100, &detail);
    }
    if !lock(&app.nonces).insert((token.clone(), nonce.clone())) {
        return other(12100, "nonce has been used");
    }
    match verdict {
        AccountVerdict::NotPermitted => other(
            ACCOUNT_NOT_PERMITTED,
            "this access_token may not act for this account_id",
        ),
        AccountVerdict::Refused(code) => Err((code, String::new(), Outcome::CredentialsRefused)),
        _ => Ok(()),
    }
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
