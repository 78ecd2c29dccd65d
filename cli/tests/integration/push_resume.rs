//! `salesync push` resuming by content, its failed file and its exit statuses, run as a user runs them: the
//! real binary against the embedded mock on 127.0.0.1, whose request log shows exactly which rows went out.
//!
//! - edit, append, remove rows between runs: the rerun sends exactly the rows not confirmed yet;
//! - a confirmed row is never sent twice, however the file around it is rewritten;
//! - standard input with `--checkpoint` (and a usage error without it);
//! - rows that fail after retries are listed in `FILE.failed.jsonl`, which can be pushed as it is;
//! - each exit status: 0, 1, 2, 3 (a dead base URL, refused credentials, the daily limit), 130.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use salesync_mock::{Fault, MockConfig, MockServer, Vendor, DEFAULT_TENCENT_TOKEN};
use serde_json::{json, Value};

const TENCENT: &str = "tencent.salesinfo_add";

/// The binary, with its pace files in the tests' own directory, never the user's.
fn salesync_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salesync"));
    command.env(
        "SALESYNC_STATE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("state"),
    );
    command
}

/// A scratch directory of its own for each test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("push-resume-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A mock on its own runtime (the binary under test is a child process, so the test itself blocks freely).
struct Mock {
    server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    fn start(config: MockConfig) -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start_with(config));
        Mock {
            server,
            _runtime: runtime,
        }
    }

    fn plain() -> Mock {
        Mock::start(MockConfig::default().with_rate_limit(None))
    }

    /// The SKUs of every Tencent request the mock received from request number `from` on, one list per
    /// request (attempts that failed included: this is what went over the wire).
    fn requests_since(&self, from: usize) -> Vec<Vec<String>> {
        self.server.requests_to(Vendor::Tencent)[from..]
            .iter()
            .map(|request| {
                let body = request.body_json().unwrap();
                body["salesinfo"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|item| item["external_sku_id"].as_str().unwrap().to_owned())
                    .collect()
            })
            .collect()
    }

    fn request_count(&self) -> usize {
        self.server.requests_to(Vendor::Tencent).len()
    }

    fn held(&self) -> BTreeSet<String> {
        self.server
            .tencent_salesinfo()
            .into_iter()
            .map(|item| item.external_sku_id)
            .collect()
    }
}

fn push_command(base_url: &str, file: &Path, extra: &[&str]) -> Command {
    let mut command = salesync_command();
    command
        .args(["push", TENCENT])
        .arg(file)
        .args(["--base-url", base_url])
        .args(["--json", "--progress", "off", "--concurrency", "1"])
        .args(["--retry-backoff-ms", "1", "--rps", "0", "--timeout", "5"])
        .args(extra)
        .env_remove("SALESYNC_BASE_URL")
        .env("SALESYNC_TENCENT_ACCESS_TOKEN", DEFAULT_TENCENT_TOKEN)
        .args(["--account-id", "11", "--user-action-set-id", "22"])
        .args(["--data-set-id", "33"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs to the end; gives the exit code and the JSON summary, checking that every row read is accounted for.
fn push(mock: &Mock, file: &Path, extra: &[&str]) -> (i32, Value) {
    summary_of(
        &push_command(&mock.server.url(), file, extra)
            .output()
            .unwrap(),
    )
}

fn summary_of(output: &Output) -> (i32, Value) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!("no JSON summary ({err}):\nstdout: {stdout}\nstderr: {stderr}")
    });
    let count = |name: &str| summary[name].as_u64().unwrap();
    let accounted: u64 = ["sent", "invalid", "refused", "failed", "skipped", "unsent"]
        .iter()
        .map(|name| count(name))
        .sum();
    assert_eq!(accounted, count("read"), "{summary}\nstderr: {stderr}");
    let code = output.status.code().unwrap_or(-1);
    assert_eq!(summary["exit_status"], code, "{summary}");
    (code, summary)
}

/// A valid Tencent salesinfo item.
fn item(n: usize) -> Value {
    json!({
        "external_store_id": "store-1",
        "external_sku_id": format!("sku-{n:03}"),
        "price": {"current_price": 8.9, "sku_price": 10},
        "stock": {"sku_stock_status": 1, "stock_total": n},
    })
}

fn jsonl(items: &[Value]) -> String {
    items.iter().map(|item| format!("{item}\n")).collect()
}

fn lines(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn sku(n: usize) -> String {
    format!("sku-{n:03}")
}

/// Every SKU of `requests`, sorted (batches queued for a send slot may go out in either order), duplicates
/// kept.
fn flat(requests: &[Vec<String>]) -> Vec<String> {
    let mut skus: Vec<String> = requests.iter().flatten().cloned().collect();
    skus.sort();
    skus
}

#[test]
fn a_rejected_row_fixed_in_the_input_is_the_only_row_sent_on_the_rerun() {
    let mock = Mock::plain();
    let dir = scratch("edit");
    let file = dir.join("sales.jsonl");
    let mut items: Vec<Value> = (0..120).map(item).collect();
    items[37]["price"]["current_price"] = json!(12); // above sku_price: x-compare
    fs::write(&file, jsonl(&items)).unwrap();

    let (code, first) = push(&mock, &file, &[]);
    assert_eq!(code, 1, "{first}");
    assert_eq!(
        (first["sent"].as_u64(), first["invalid"].as_u64()),
        (Some(119), Some(1))
    );
    let rejects = lines(&with_suffix(&file, ".rejects.jsonl"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["line"], 38);

    // Fixed in place: the rerun sends that row alone, in one request, and skips the 119 others.
    items[37]["price"]["current_price"] = json!(9.5);
    fs::write(&file, jsonl(&items)).unwrap();
    let before = mock.request_count();
    let (code, last) = push(&mock, &file, &[]);
    assert_eq!(code, 0, "{last}");
    assert_eq!(
        (last["sent"].as_u64(), last["skipped"].as_u64()),
        (Some(1), Some(119))
    );
    assert_eq!(mock.requests_since(before), [vec![sku(37)]]);
    assert!(lines(&with_suffix(&file, ".rejects.jsonl")).is_empty());
    assert_eq!(mock.held().len(), 120);
    // A failed file is left only when rows failed.
    assert!(!with_suffix(&file, ".failed.jsonl").exists());
}

#[test]
fn a_row_the_platform_refused_is_listed_again_until_it_is_fixed() {
    let mock = Mock::plain();
    let dir = scratch("refused");
    let file = dir.join("sales.jsonl");
    let mut items: Vec<Value> = (0..60).map(item).collect();
    items[10]["price"]["current_price"] = json!(12);
    items[44]["price"]["current_price"] = json!(13);
    fs::write(&file, jsonl(&items)).unwrap();
    // The platform judges the rules: it refuses the two rows, the batch is halved down to them.
    let extra = ["--no-local-validation", "--batch-size", "20"];
    let (code, first) = push(&mock, &file, &extra);
    assert_eq!(code, 1, "{first}");
    assert_eq!(
        (first["sent"].as_u64(), first["refused"].as_u64()),
        (Some(58), Some(2))
    );

    // Unchanged: nothing is sent, both refusals come back from the checkpoint with the platform's reasons.
    let before = mock.request_count();
    let (code, again) = push(&mock, &file, &extra);
    assert_eq!(code, 1, "{again}");
    assert_eq!(
        (again["skipped"].as_u64(), again["refused"].as_u64()),
        (Some(58), Some(2))
    );
    assert_eq!(mock.request_count(), before, "nothing sent");
    let rejects = lines(&with_suffix(&file, ".rejects.jsonl"));
    let listed: Vec<(u64, &str)> = rejects
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["errors"][0]["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [(11, "platform"), (45, "platform")]);
    assert!(rejects[0]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("18001"));

    // One fixed: exactly it is sent; the other is still listed.
    items[44]["price"]["current_price"] = json!(7);
    fs::write(&file, jsonl(&items)).unwrap();
    let (code, last) = push(&mock, &file, &extra);
    assert_eq!(code, 1, "{last}");
    assert_eq!(mock.requests_since(before), [vec![sku(44)]]);
    assert_eq!(
        (last["sent"].as_u64(), last["refused"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(lines(&with_suffix(&file, ".rejects.jsonl")).len(), 1);
}

#[test]
fn rows_appended_after_a_run_are_the_only_rows_sent() {
    let mock = Mock::plain();
    let dir = scratch("append");
    let file = dir.join("sales.jsonl");
    let items: Vec<Value> = (0..130).map(item).collect();
    fs::write(&file, jsonl(&items[..100])).unwrap();
    let (code, first) = push(&mock, &file, &[]);
    assert_eq!((code, first["sent"].as_u64()), (0, Some(100)), "{first}");

    fs::write(&file, jsonl(&items)).unwrap();
    let before = mock.request_count();
    let (code, last) = push(&mock, &file, &[]);
    assert_eq!(code, 0, "{last}");
    assert_eq!(
        (last["sent"].as_u64(), last["skipped"].as_u64()),
        (Some(30), Some(100))
    );
    let sent = flat(&mock.requests_since(before));
    assert_eq!(sent, (100..130).map(sku).collect::<Vec<_>>());
}

#[test]
fn removing_rows_before_a_resume_sends_exactly_the_rows_not_confirmed_and_none_twice() {
    let mock = Mock::plain();
    let dir = scratch("remove");
    let file = dir.join("sales.jsonl");
    let mut items: Vec<Value> = (0..200).map(item).collect();
    fs::write(&file, jsonl(&items)).unwrap();
    let extra = ["--batch-size", "20"];

    // Stopped after three batches: what went out is in the mock's log (no faults: every request delivered).
    let (code, first) = push(
        &mock,
        &file,
        &[&extra[..], &["--stop-after-batches", "3"]].concat(),
    );
    assert_eq!(code, 130, "{first}");
    let delivered: BTreeSet<String> = flat(&mock.requests_since(0)).into_iter().collect();
    assert_eq!(delivered.len() as u64, first["sent"].as_u64().unwrap());
    assert!(
        delivered.contains(&sku(5)) && !delivered.contains(&sku(150)),
        "{first}"
    );

    // A confirmed row and an unconfirmed one removed: every batch boundary after them moves.
    items.remove(150);
    items.remove(5);
    fs::write(&file, jsonl(&items)).unwrap();
    let before = mock.request_count();
    let (code, last) = push(&mock, &file, &extra);
    assert_eq!(code, 0, "{last}");
    let resent = flat(&mock.requests_since(before));
    let expected: Vec<String> = items
        .iter()
        .map(|item| item["external_sku_id"].as_str().unwrap().to_owned())
        .filter(|sku| !delivered.contains(sku))
        .collect();
    assert_eq!(
        resent, expected,
        "exactly the rows not confirmed, each once"
    );
    assert_eq!(
        last["skipped"].as_u64().unwrap(),
        delivered.len() as u64 - 1
    );
    // Batches of 20 again, however the confirmed rows were spread among them.
    assert!(mock
        .requests_since(before)
        .iter()
        .rev()
        .skip(1)
        .all(|r| r.len() == 20));
}

#[test]
fn a_confirmed_row_is_never_sent_twice_whatever_is_rewritten_around_it() {
    let mock = Mock::plain();
    let dir = scratch("rewrite");
    let file = dir.join("sales.jsonl");
    let mut items: Vec<Value> = (0..50).map(item).collect();
    // The same row twice: both sent (the second is a no-op upsert), both skipped afterwards.
    items.push(item(7));
    fs::write(&file, jsonl(&items)).unwrap();
    let (code, first) = push(&mock, &file, &[]);
    assert_eq!((code, first["sent"].as_u64()), (0, Some(51)), "{first}");

    // The same rows as a pretty-printed array, members in another order, rows shuffled, CRLF line ends, one
    // row edited: only the edited row goes out.
    let mut rewritten: Vec<Value> = items[..50]
        .iter()
        .rev()
        .map(|item| {
            let mut reordered = serde_json::Map::new();
            for key in ["stock", "price", "external_sku_id", "external_store_id"] {
                reordered.insert(key.to_owned(), item[key].clone());
            }
            Value::Object(reordered)
        })
        .collect();
    rewritten[3]["stock"]["stock_total"] = json!(999); // sku-046
    let text = serde_json::to_string_pretty(&rewritten)
        .unwrap()
        .replace('\n', "\r\n");
    let array = dir.join("sales.json");
    fs::write(&array, text).unwrap();
    let checkpoint = with_suffix(&file, ".checkpoint");
    let before = mock.request_count();
    let (code, last) = push(
        &mock,
        &array,
        &["--checkpoint", checkpoint.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{last}");
    assert_eq!(mock.requests_since(before), [vec![sku(46)]]);
    assert_eq!(
        (last["sent"].as_u64(), last["skipped"].as_u64()),
        (Some(1), Some(49))
    );

    // The first 50 rows as CSV: typed by the schema into the same items, so all confirmed by the first run.
    let mut csv = String::from(
        "external_store_id,external_sku_id,price.current_price,price.sku_price,stock.sku_stock_status,stock.stock_total\n",
    );
    for n in 0..50 {
        csv.push_str(&format!("store-1,{},8.9,10,1,{n}\n", sku(n)));
    }
    let csv_file = dir.join("sales.csv");
    fs::write(&csv_file, csv).unwrap();
    let (code, csv_run) = push(
        &mock,
        &csv_file,
        &["--checkpoint", checkpoint.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{csv_run}");
    assert_eq!(
        (csv_run["sent"].as_u64(), csv_run["skipped"].as_u64()),
        (Some(0), Some(50))
    );
    assert_eq!(mock.request_count(), before + 1, "nothing sent");

    // The first file again, as it was: every row confirmed, the duplicate too.
    let before = mock.request_count();
    let (code, again) = push(&mock, &file, &[]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(
        (again["sent"].as_u64(), again["skipped"].as_u64()),
        (Some(0), Some(51))
    );
    assert_eq!(mock.request_count(), before);
}

fn push_stdin(mock: &Mock, input: &str, extra: &[&str]) -> Output {
    let mut child = push_command(&mock.server.url(), Path::new("-"), extra)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A run that refuses its arguments exits without reading: a broken pipe is no failure here.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn standard_input_resumes_with_a_named_checkpoint() {
    let mock = Mock::plain();
    let dir = scratch("stdin");
    let checkpoint = dir.join("job.checkpoint");
    let items: Vec<Value> = (0..70).map(item).collect();
    let mut broken = jsonl(&items[..50]);
    broken.push_str("{\"external_sku_id\": broken\n");
    let extra = ["--checkpoint", checkpoint.to_str().unwrap()];

    let (code, first) = summary_of(&push_stdin(&mock, &broken, &extra));
    assert_eq!(code, 1, "{first}");
    assert_eq!(
        (first["sent"].as_u64(), first["invalid"].as_u64()),
        (Some(50), Some(1))
    );
    // The reject file is named after the checkpoint.
    assert_eq!(
        first["rejects_file"],
        dir.join("job.rejects.jsonl").display().to_string()
    );
    assert_eq!(
        first["failed_file"],
        dir.join("job.failed.jsonl").display().to_string()
    );
    assert_eq!(lines(&dir.join("job.rejects.jsonl"))[0]["line"], 51);

    // The whole export again, with more rows: only the new ones are sent.
    let before = mock.request_count();
    let (code, last) = summary_of(&push_stdin(&mock, &jsonl(&items), &extra));
    assert_eq!(code, 0, "{last}");
    assert_eq!(
        (last["sent"].as_u64(), last["skipped"].as_u64()),
        (Some(20), Some(50))
    );
    assert_eq!(
        flat(&mock.requests_since(before)),
        (50..70).map(sku).collect::<Vec<_>>()
    );
}

#[test]
fn standard_input_without_a_checkpoint_is_a_usage_error() {
    let mock = Mock::plain();
    let output = push_stdin(&mock, &jsonl(&[item(1)]), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--checkpoint"), "{stderr}");
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn rows_that_fail_are_listed_with_their_last_error_and_the_list_can_be_pushed() {
    let mock = Mock::plain();
    let dir = scratch("failed");
    let file = dir.join("sales.jsonl");
    let items: Vec<Value> = (0..60).map(item).collect();
    fs::write(&file, jsonl(&items)).unwrap();
    // Two attempts per request: the first batch draws Tencent's "system busy" twice, the second 503 twice.
    mock.server.push_faults(
        Vendor::Tencent,
        [
            Fault::tencent(10000),
            Fault::tencent(10000),
            Fault::status(503),
            Fault::status(503),
        ],
    );
    let extra = ["--batch-size", "20", "--max-attempts", "2"];
    let (code, first) = push(&mock, &file, &extra);
    assert_eq!(code, 1, "{first}");
    assert_eq!(
        (first["sent"].as_u64(), first["failed"].as_u64()),
        (Some(20), Some(40))
    );
    let failed_path = with_suffix(&file, ".failed.jsonl");
    assert_eq!(first["failed_file"], failed_path.display().to_string());

    // The two batches queued first drew the faults (in either order): rows 1-40, each listed once.
    let mut failed = lines(&failed_path);
    failed.sort_by_key(|line| line["line"].as_u64());
    assert_eq!(failed.len(), 40);
    let log = mock.server.requests_to(Vendor::Tencent);
    let mut codes = Vec::new();
    for (n, line) in failed.iter().enumerate() {
        assert_eq!(line["line"], n + 1);
        assert_eq!(line["row"], items[n], "the row as it was");
        let error = &line["errors"][0];
        assert_eq!(
            (&error["pointer"], &error["rule"]),
            (&json!(""), &json!("failed"))
        );
        assert_eq!(error["class"], "unavailable", "{line}");
        assert_eq!(error["attempts"], 2, "{line}");
        // The trace id of the last attempt of the row's request (the second or the fourth request), as the
        // platform answered it, with that answer's status and code.
        let answered = log
            .iter()
            .position(|request| request.trace_id.as_deref() == error["trace_id"].as_str())
            .unwrap_or_else(|| panic!("no request answered with the trace id of {line}"));
        assert!(answered == 1 || answered == 3, "{answered}: {line}");
        if log[answered].tencent_code == Some(10000) {
            assert_eq!(
                (&error["code"], &error["status"]),
                (&json!(10000), &json!(200))
            );
        } else {
            assert_eq!(error["status"], 503, "{line}");
        }
        codes.push(error["status"].as_u64().unwrap());
        assert!(
            error["message"].as_str().unwrap().contains("trace_id"),
            "{line}"
        );
    }
    codes.sort_unstable();
    assert_eq!(
        (codes[0], codes[19], codes[20], codes[39]),
        (200, 200, 503, 503)
    );
    // The rejects file is for rows the platform judged: none here.
    assert!(lines(&with_suffix(&file, ".rejects.jsonl")).is_empty());

    // The faults are over: pushing the failed file as it is sends exactly its rows (recorded in the job's
    // checkpoint, so the original command afterwards has nothing left to send).
    let checkpoint = with_suffix(&file, ".checkpoint");
    let before = mock.request_count();
    let (code, retried) = push(
        &mock,
        &failed_path,
        &["--checkpoint", checkpoint.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{retried}");
    assert_eq!(retried["sent"], 40, "{retried}");
    assert_eq!(
        flat(&mock.requests_since(before)),
        (0..40).map(sku).collect::<Vec<_>>()
    );
    assert_eq!(mock.held().len(), 60);
    assert!(!with_suffix(&failed_path, ".failed.jsonl").exists());

    let before = mock.request_count();
    let (code, last) = push(&mock, &file, &[]);
    assert_eq!((code, last["skipped"].as_u64()), (0, Some(60)), "{last}");
    assert_eq!(mock.request_count(), before);
    // Rewritten by every run: nothing failed, so no failed file is left.
    assert!(!failed_path.exists());
}

/// A base URL where nothing listens: a port taken from the system and given back.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn exit_statuses_tell_delivered_rejected_usage_platform_and_interrupted_apart() {
    let mock = Mock::plain();
    let dir = scratch("exit");
    let file = dir.join("sales.jsonl");
    fs::write(&file, jsonl(&(0..100).map(item).collect::<Vec<_>>())).unwrap();

    // 130: interrupted (as by Ctrl-C once the first batch is confirmed).
    let (code, summary) = push(
        &mock,
        &file,
        &["--batch-size", "10", "--stop-after-batches", "1"],
    );
    assert_eq!(code, 130, "{summary}");
    // 0: everything delivered, or confirmed earlier.
    let (code, summary) = push(&mock, &file, &[]);
    assert_eq!(code, 0, "{summary}");
    // 1: a row rejected.
    let rejected = dir.join("rejected.jsonl");
    let mut bad = item(500);
    bad["stock"] = json!("none");
    fs::write(&rejected, jsonl(&[item(400), bad])).unwrap();
    let (code, summary) = push(&mock, &rejected, &[]);
    assert_eq!(
        (code, summary["invalid"].as_u64()),
        (1, Some(1)),
        "{summary}"
    );

    // 2: usage and input errors, before anything is sent.
    let before = mock.request_count();
    let usage = |extra: &[&str], file: &Path, needle: &str| {
        let output = push_command(&mock.server.url(), file, extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(needle), "{extra:?}: {stderr}");
    };
    usage(&[], &dir.join("missing.jsonl"), "cannot read");
    usage(&["--batch-size", "0"], &file, "--batch-size");
    usage(&["--batch-sise", "3"], &file, "unexpected argument");
    let v1 = dir.join("old.checkpoint");
    fs::write(
        &v1,
        "{\"salesync_checkpoint\":1,\"endpoint\":\"tencent.salesinfo_add\",\"input\":{\"path\":\"x\",\"size\":1,\"modified_ns\":1},\"batch_rows\":50,\"batch_bytes\":4194304,\"envelope\":\"0\"}\n",
    )
    .unwrap();
    usage(&["--checkpoint", v1.to_str().unwrap()], &file, "format 1");
    assert_eq!(mock.request_count(), before, "nothing sent");

    // 3: nothing listens at the base URL. The run stops at the first batch instead of failing every one.
    let fresh = dir.join("fresh.jsonl");
    fs::write(&fresh, jsonl(&(0..100).map(item).collect::<Vec<_>>())).unwrap();
    let output = push_command(&dead_url(), &fresh, &["--batch-size", "10"])
        .output()
        .unwrap();
    let (code, summary) = summary_of(&output);
    assert_eq!(code, 3, "{summary}");
    assert!(
        summary["fatal"]
            .as_str()
            .unwrap()
            .contains("cannot be reached"),
        "{summary}"
    );
    assert!(summary["failed"].as_u64().unwrap() >= 10, "{summary}");
    assert!(summary["unsent"].as_u64().unwrap() > 0, "{summary}");
    let failed = lines(&with_suffix(&fresh, ".failed.jsonl"));
    assert_eq!(failed.len() as u64, summary["failed"].as_u64().unwrap());
    assert_eq!(failed[0]["errors"][0]["class"], "transport");

    // 3: the platform refuses the credentials (and the token never shows).
    let strict = Mock::start(
        MockConfig::default()
            .with_rate_limit(None)
            .with_tencent_tokens(["tok-RIGHT"]),
    );
    let mut command = push_command(&strict.server.url(), &fresh, &[]);
    command.env("SALESYNC_TENCENT_ACCESS_TOKEN", "tok-WRONG");
    let output = command.output().unwrap();
    let (code, summary) = summary_of(&output);
    assert_eq!(code, 3, "{summary}");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("tok-WRONG"));
    assert_eq!(
        lines(&with_suffix(&fresh, ".failed.jsonl"))[0]["errors"][0]["class"],
        "token_rejected"
    );

    // 3: the daily call limit: nothing succeeds before tomorrow, so nothing more is tried (the batch queued
    // behind the refused one is not sent).
    mock.server
        .push_fault(Vendor::Tencent, Fault::tencent(11018));
    let before = mock.request_count();
    let (code, summary) = push(&mock, &fresh, &[]);
    assert_eq!(code, 3, "{summary}");
    assert_eq!(mock.request_count(), before + 1);
    assert_eq!(
        (
            summary["sent"].as_u64(),
            summary["failed"].as_u64(),
            summary["unsent"].as_u64()
        ),
        (Some(0), Some(50), Some(50)),
        "{summary}"
    );
    assert_eq!(
        lines(&with_suffix(&fresh, ".failed.jsonl"))[0]["errors"][0]["class"],
        "daily_limit"
    );
    // Once the platform takes requests again, the same command delivers the rest.
    let (code, summary) = push(&mock, &fresh, &[]);
    assert_eq!(
        (code, summary["sent"].as_u64()),
        (0, Some(100)),
        "{summary}"
    );
}
