//! `salesync push`, run as a user runs it: the real binary against the embedded mock on 127.0.0.1, with
//! faults injected, invalid rows mixed in, and runs cut short (gracefully, and by SIGKILL) then resumed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use salesync_mock::{
    AfterStore, Fault, MockConfig, MockServer, RandomFaults, Vendor, DEFAULT_SHOPLINE_TOKEN,
    DEFAULT_TENCENT_TOKEN,
};
use serde_json::{json, Value};

const TENCENT: &str = "tencent.salesinfo_add";
const SHOPLINE: &str = "shopline.batch_sync_flow_data";

/// The binary, with its pace files in the tests' own directory, never the user's.
pub(crate) fn salesync_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salesync"));
    command.env(
        "SALESYNC_STATE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("state"),
    );
    command
}

/// A scratch directory of its own for each test.
pub(crate) fn scratch(test: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("push-{test}-{}", std::process::id()));
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
}

/// The faults of a flaky platform: 429s, 5xx, busy codes, dropped connections, records stored but unanswered.
fn flaky(rate: f64, seed: u64) -> RandomFaults {
    let faults = vec![
        Fault::too_many_requests(None),
        Fault::status(500),
        Fault::status(503),
        Fault::tencent(10000),
        Fault::DropConnection,
        Fault::StoreThenFail(AfterStore::DropConnection),
        Fault::StoreThenFail(AfterStore::Status(500)),
    ];
    RandomFaults::new(rate, faults, seed)
}

fn push_command(mock: &Mock, endpoint: &str, file: &Path, extra: &[&str]) -> Command {
    let mut command = salesync_command();
    command
        .args(["push", endpoint])
        .arg(file)
        .args(["--base-url", &mock.server.url()])
        .args(["--json", "--progress", "log", "--concurrency", "4"])
        .args(["--retry-backoff-ms", "1", "--max-attempts", "12"])
        .args(extra)
        .env_remove("SALESYNC_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Defaults for the tests: no client pacing, a generous attempt timeout.
    for (flag, value) in [("--rps", "0"), ("--timeout", "5")] {
        if !extra.contains(&flag) {
            command.args([flag, value]);
        }
    }
    if endpoint == TENCENT {
        command
            .env("SALESYNC_TENCENT_ACCESS_TOKEN", DEFAULT_TENCENT_TOKEN)
            .args([
                "--account-id",
                "11",
                "--user-action-set-id",
                "22",
                "--data-set-id",
                "33",
            ]);
    } else {
        command
            .env("SALESYNC_SHOPLINE_TOKEN", DEFAULT_SHOPLINE_TOKEN)
            .env("SALESYNC_SHOPLINE_APP_KEY", "app-key-1")
            .args(["--store-id", "1658921299465", "--source-type", "crm"]);
    }
    command
}

/// Runs to the end; gives the exit code and the JSON summary.
fn push(mock: &Mock, endpoint: &str, file: &Path, extra: &[&str]) -> (i32, Value) {
    let output = push_command(mock, endpoint, file, extra).output().unwrap();
    summary_of(&output)
}

fn summary_of(output: &Output) -> (i32, Value) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!("no JSON summary ({err}):\nstdout: {stdout}\nstderr: {stderr}")
    });
    let code = output.status.code().unwrap_or(-1);
    // Every row read is accounted for, whatever happened.
    let count = |name: &str| summary[name].as_u64().unwrap();
    let accounted = ["sent", "invalid", "refused", "failed", "skipped", "unsent"]
        .iter()
        .map(|name| count(name))
        .sum::<u64>();
    assert_eq!(accounted, count("read"), "{summary}\nstderr: {stderr}");
    assert_eq!(
        count("rejected"),
        count("invalid") + count("refused"),
        "{summary}"
    );
    (code, summary)
}

/// A Tencent salesinfo item, valid or broken in one of several ways; gives the line and whether it is valid.
fn tencent_row(n: usize) -> (String, bool) {
    let mut row = json!({
        "external_store_id": format!("store-{}", n % 17),
        "external_sku_id": format!("sku-{n:06}"),
        "price": {"current_price": 8.9, "sku_price": 10},
        "stock": {"sku_stock_status": 1, "stock_total": (n % 500) as i64},
    });
    let broken = match n % 211 {
        5 => {
            row["price"]["current_price"] = json!(12);
            true
        }
        17 => {
            row.as_object_mut().unwrap().remove("stock");
            true
        }
        29 => {
            row["colour"] = json!("red");
            true
        }
        41 => {
            return (
                format!("{{\"external_sku_id\": \"sku-{n:06}\", broken"),
                false,
            )
        }
        53 => {
            row["external_store_id"] = json!("汉字".repeat(11));
            true
        }
        _ => false,
    };
    (row.to_string(), !broken)
}

fn lines(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn line_count(path: &Path) -> usize {
    fs::read(path).map_or(0, |bytes| bytes.iter().filter(|&&b| b == b'\n').count())
}

#[test]
fn twenty_thousand_rows_through_faults_a_stop_and_a_kill_arrive_exactly_once() {
    let dir = scratch("tencent");
    let file = dir.join("sales.jsonl");
    let (mut text, mut valid_skus, mut invalid_lines) =
        (String::new(), BTreeSet::new(), BTreeSet::new());
    let mut line = 0u64;
    for n in 0..20_000 {
        // Blank lines and CRLF endings here and there: line numbers stay physical.
        if n % 1000 == 999 {
            text.push('\n');
            line += 1;
        }
        let (row, valid) = tencent_row(n);
        line += 1;
        text.push_str(&row);
        text.push_str(if n % 3 == 0 { "\r\n" } else { "\n" });
        if valid {
            valid_skus.insert(format!("sku-{n:06}"));
        } else {
            invalid_lines.insert(line);
        }
    }
    fs::write(&file, text).unwrap();
    assert!(invalid_lines.len() > 400, "{}", invalid_lines.len());

    let config = MockConfig::default()
        .with_rate_limit(None)
        .with_random_faults(Vendor::Tencent, flaky(0.08, 7));
    let mock = Mock::start(config);
    let checkpoint = dir.join("sales.jsonl.checkpoint");
    let rejects = dir.join("sales.jsonl.rejects.jsonl");
    let started = Instant::now();

    // 1. Stopped as by Ctrl-C after 60 confirmed batches: the batches in flight finish, exit 130.
    let (code, first) = push(&mock, TENCENT, &file, &["--stop-after-batches", "60"]);
    assert_eq!(code, 130, "{first}");
    assert_eq!(first["interrupted"], true);
    assert!(
        first["batches_confirmed"].as_u64().unwrap() >= 60,
        "{first}"
    );
    assert!(first["sent"].as_u64().unwrap() >= 60 * 50 - 500, "{first}");
    assert_eq!(first["failed"], 0, "{first}");
    let after_first = line_count(&checkpoint);
    assert_eq!(
        after_first as u64,
        1 + first["batches_confirmed"].as_u64().unwrap()
    );

    // 2. Killed (SIGKILL) part-way: paced so that it is still running when the checkpoint has grown.
    let mut child = push_command(&mock, TENCENT, &file, &["--rps", "60"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while line_count(&checkpoint) < after_first + 40 && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let killed = child.wait().unwrap();
    assert!(
        !killed.success(),
        "the second run ended before it could be killed"
    );
    let after_kill = line_count(&checkpoint);
    assert!(
        after_kill >= after_first + 40,
        "{after_first} -> {after_kill}"
    );
    // A torn last line, as a crash in the middle of a write would leave.
    let mut torn = fs::read(&checkpoint).unwrap();
    torn.extend_from_slice(b"{\"batch\":9999,\"first_li");
    fs::write(&checkpoint, torn).unwrap();

    // 3. Resumed to the end: only the batches not confirmed are sent.
    let (code, last) = push(&mock, TENCENT, &file, &[]);
    assert_eq!(code, 1, "rows were rejected: {last}");
    let count = |summary: &Value, name: &str| summary[name].as_u64().unwrap();
    assert_eq!(count(&last, "read"), 20_000);
    assert_eq!(count(&last, "failed"), 0, "{last}");
    assert_eq!(count(&last, "unsent"), 0, "{last}");
    assert_eq!(count(&last, "refused"), 0, "{last}");
    assert_eq!(count(&last, "invalid"), invalid_lines.len() as u64);
    assert_eq!(
        count(&last, "skipped") + count(&last, "sent"),
        valid_skus.len() as u64,
        "{last}"
    );
    assert!(
        count(&last, "skipped") >= count(&first, "sent"),
        "{first}\n{last}"
    );
    // Skipped: exactly the rows the checkpoint holds (each row's hash, once per confirmed row).
    let confirmed: BTreeSet<String> = fs::read_to_string(&checkpoint)
        .unwrap()
        .lines()
        .skip(1)
        .take(after_kill - 1)
        .flat_map(|line| {
            let entry: Value = serde_json::from_str(line).unwrap();
            entry["ok"].as_array().unwrap().clone()
        })
        .map(|hash| hash.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(count(&last, "skipped") as usize, confirmed.len(), "{last}");

    // The mock holds exactly the valid rows, once each (by natural key), in the envelope given.
    let records = mock.server.tencent_salesinfo_records();
    let held: BTreeSet<String> = records
        .iter()
        .map(|r| r.item.external_sku_id.clone())
        .collect();
    assert_eq!(held.len(), records.len());
    assert_eq!(held, valid_skus);
    assert!(records
        .iter()
        .all(|r| (r.account_id, r.user_action_set_id, r.data_set_id) == (11, 22, 33)));

    // The reject file holds exactly the invalid rows, each with its line, the row and a reason.
    let rejected = lines(&rejects);
    let rejected_lines: BTreeSet<u64> = rejected
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected.len(), rejected_lines.len());
    assert_eq!(rejected_lines, invalid_lines);
    for reject in &rejected {
        let error = &reject["errors"][0];
        assert!(
            error["rule"].is_string() && error["message"].is_string(),
            "{reject}"
        );
    }
    let compare = rejected
        .iter()
        .find(|r| r["errors"][0]["rule"] == "x-compare")
        .unwrap();
    assert_eq!(compare["errors"][0]["pointer"], "/price/current_price");
    assert_eq!(compare["row"]["price"]["current_price"], 12);
    assert!(rejected
        .iter()
        .any(|r| r["errors"][0]["rule"] == "json" && r["row"].is_string()));
    assert!(rejected
        .iter()
        .any(|r| r["errors"][0]["rule"] == "x-maxBytes"));

    // Every batch is now confirmed; another run sends nothing and says so.
    let (code, again) = push(&mock, TENCENT, &file, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        (count(&again, "sent"), count(&again, "requests")),
        (0, 0),
        "{again}"
    );
    assert_eq!(count(&again, "skipped"), valid_skus.len() as u64);
    assert_eq!(
        lines(&rejects).len(),
        invalid_lines.len(),
        "the reject file is rewritten, not appended"
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn rows_the_platform_refuses_are_isolated_and_remembered_across_a_resume() {
    let dir = scratch("refused");
    let file = dir.join("sales.json");
    // A JSON array this time, pretty-printed over several lines per row.
    let mut rows = Vec::new();
    let mut valid = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for n in 0..600 {
        let mut row = json!({
            "external_store_id": "s",
            "external_sku_id": format!("sku-{n:04}"),
            "price": {"current_price": 5, "sku_price": 10},
            "stock": {"sku_stock_status": 1},
        });
        if n % 37 == 3 {
            row["price"]["current_price"] = json!(11);
            refused.insert(format!("sku-{n:04}"));
        } else {
            valid.insert(format!("sku-{n:04}"));
        }
        rows.push(row);
    }
    fs::write(&file, serde_json::to_string_pretty(&rows).unwrap()).unwrap();
    let config = MockConfig::default()
        .with_rate_limit(None)
        .with_random_faults(Vendor::Tencent, flaky(0.05, 3));
    let mock = Mock::start(config);
    let extra = ["--no-local-validation", "--batch-size", "40"];

    let (code, first) = push(
        &mock,
        TENCENT,
        &file,
        &[&extra[..], &["--stop-after-batches", "5"]].concat(),
    );
    assert_eq!(code, 130, "{first}");
    let (code, last) = push(&mock, TENCENT, &file, &extra);
    assert_eq!(code, 1, "{last}");
    assert_eq!(last["read"], 600);
    assert_eq!(last["invalid"], 0);
    assert_eq!(
        last["refused"].as_u64().unwrap(),
        refused.len() as u64,
        "{last}"
    );
    assert_eq!(last["failed"], 0, "{last}");

    let held: BTreeSet<String> = mock
        .server
        .tencent_salesinfo()
        .into_iter()
        .map(|item| item.external_sku_id)
        .collect();
    assert_eq!(held, valid);
    // Refusals from the first run's batches came back from the checkpoint: the file lists all of them.
    let rejected = lines(&dir.join("sales.json.rejects.jsonl"));
    let skus: BTreeSet<String> = rejected
        .iter()
        .map(|r| r["row"]["external_sku_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(skus, refused);
    for reject in &rejected {
        assert_eq!(reject["errors"][0]["rule"], "platform", "{reject}");
        assert!(
            reject["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("18001"),
            "{reject}"
        );
        assert!(reject["index"].is_u64());
    }
}

/// The memory budget at its tightest (a limit of about twenty rows: the reader waits for room before nearly
/// every row and hands over partial batches), with refusals to halve (read back from the request bodies, the
/// items having been dropped once written) and faults: every row still arrives or is refused, once.
#[test]
fn a_tight_memory_budget_still_delivers_every_row_and_isolates_refusals() {
    let dir = scratch("budget");
    let file = dir.join("sales.jsonl");
    let mut text = String::new();
    let mut valid = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for n in 0..1500 {
        let sku = format!("sku-{n:05}");
        let current = if n % 97 == 11 { 11 } else { 5 };
        let row = json!({
            "external_store_id": "s",
            "external_sku_id": sku,
            "price": {"current_price": current, "sku_price": 10},
            "stock": {"sku_stock_status": 1},
        });
        text.push_str(&row.to_string());
        text.push('\n');
        if current > 10 {
            refused.insert(sku);
        } else {
            valid.insert(sku);
        }
    }
    fs::write(&file, text).unwrap();
    let config = MockConfig::default()
        .with_rate_limit(None)
        .with_random_faults(Vendor::Tencent, flaky(0.05, 5));
    let mock = Mock::start(config);
    let extra = [
        "--no-local-validation",
        "--max-held-bytes",
        "1",
        "--max-batch-bytes",
        "2500",
    ];
    let (code, summary) = push(&mock, TENCENT, &file, &extra);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["read"], 1500);
    assert_eq!(
        summary["sent"].as_u64(),
        Some(valid.len() as u64),
        "{summary}"
    );
    assert_eq!(
        summary["refused"].as_u64(),
        Some(refused.len() as u64),
        "{summary}"
    );
    let held: BTreeSet<String> = mock
        .server
        .tencent_salesinfo()
        .into_iter()
        .map(|item| item.external_sku_id)
        .collect();
    assert_eq!(held, valid);
    let rejected: BTreeSet<String> = lines(&dir.join("sales.jsonl.rejects.jsonl"))
        .iter()
        .map(|r| r["row"]["external_sku_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rejected, refused);
}

#[test]
fn shopline_flows_arrive_through_429s_dropped_connections_and_timeouts() {
    let dir = scratch("shopline");
    let file = dir.join("flows.jsonl");
    let mut text = String::new();
    let mut valid = BTreeSet::new();
    for n in 0..1_500u64 {
        let occurred_on = 1_672_365_600_000 + n * 1000;
        if n % 101 == 7 {
            text.push_str(&format!("{{\"flow_id\": \"f{n}\", \"occurred_on\": {occurred_on}, \"order_amount\": 12.5, \"order_num\": 0, \"send_count\": 1, \"trigger_num\": 4}}\n"));
            continue;
        }
        // Integers as strings, as Shopline's own example sends them.
        text.push_str(&format!("{{\"flow_id\": \"f{n}\", \"occurred_on\": {occurred_on}, \"order_amount\": \"0\", \"order_num\": 0, \"send_count\": 1, \"trigger_num\": \"4\"}}\n"));
        valid.insert(format!("f{n}"));
    }
    fs::write(&file, text).unwrap();
    let mock = Mock::start(MockConfig::default());
    mock.server.push_faults(
        Vendor::Shopline,
        [
            Fault::too_many_requests(Some(Duration::from_millis(10))),
            Fault::status(500),
            Fault::DropConnection,
            Fault::StoreThenFail(AfterStore::Status(503)),
            // Past the attempt timeout: the outcome is unknown, so the batch is sent again (and stored twice,
            // which the upsert absorbs).
            Fault::Delay(Duration::from_millis(1500)),
        ],
    );
    let (code, summary) = push(&mock, SHOPLINE, &file, &["--timeout", "0.5"]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(
        summary["sent"].as_u64().unwrap(),
        valid.len() as u64,
        "{summary}"
    );
    assert_eq!(summary["invalid"], 15);
    let flows = mock.server.shopline_flow_records();
    let held: BTreeSet<String> = flows.iter().map(|r| r.flow.flow_id.clone()).collect();
    assert_eq!(held, valid);
    assert!(flows
        .iter()
        .all(|r| r.app_key == "app-key-1" && r.source_type == "crm"));
    assert_eq!(mock.server.pending_faults(Vendor::Shopline), 0);
    // Each fault cost one retried attempt.
    assert_eq!(summary["retries"], 5, "{summary}");
}

#[test]
fn dry_run_needs_no_credentials_and_sends_nothing() {
    let dir = scratch("dry");
    let file = dir.join("rows.jsonl");
    let rows: Vec<String> = (0..120).map(|n| tencent_row(n).0).collect();
    fs::write(&file, rows.join("\n")).unwrap();
    let output = salesync_command()
        .args(["push", TENCENT, "--dry-run", "--json", "--progress", "off"])
        .arg(&file)
        .env_remove("SALESYNC_TENCENT_ACCESS_TOKEN")
        .output()
        .unwrap();
    let (code, summary) = summary_of(&output);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["invalid"], 5, "{summary}");
    assert_eq!(summary["unsent"], 115);
    assert_eq!(lines(&dir.join("rows.jsonl.rejects.jsonl")).len(), 5);
    assert!(!dir.join("rows.jsonl.checkpoint").exists());
}

#[test]
fn a_row_written_as_an_array_is_rejected_as_a_type_error() {
    let dir = scratch("array-row");
    let file = dir.join("rows.jsonl");
    let good = tencent_row(0).0;
    // serde's positional form of the same item: never read as an object.
    let positional = r#"["store-1", "seller", "sku-1", 1, {"current_price": 8.9, "sku_price": 10}, {"sku_stock_status": 1}]"#;
    let nested = good.replace(r#""stock":{"#, r#""stock":[1],"unused":{"#);
    fs::write(
        &file,
        [good.as_str(), positional, nested.as_str()].join("\n"),
    )
    .unwrap();
    let output = salesync_command()
        .args(["push", TENCENT, "--dry-run", "--json", "--progress", "off"])
        .arg(&file)
        .output()
        .unwrap();
    let (code, summary) = summary_of(&output);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["invalid"], 2, "{summary}");
    let rejects = lines(&dir.join("rows.jsonl.rejects.jsonl"));
    assert_eq!(rejects[0]["errors"][0]["pointer"], "", "{rejects:?}");
    assert_eq!(rejects[0]["errors"][0]["rule"], "type", "{rejects:?}");
    let rules: Vec<(&str, &str)> = rejects[1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap(), e["rule"].as_str().unwrap()))
        .collect();
    assert!(rules.contains(&("/stock", "type")), "{rules:?}");
}

#[test]
fn a_checkpoint_of_another_envelope_is_refused_and_secrets_never_print() {
    let dir = scratch("mismatch");
    let file = dir.join("rows.jsonl");
    fs::write(&file, tencent_row(0).0 + "\n").unwrap();
    let mock = Mock::start(MockConfig::default().with_tencent_tokens(["tok-SECRET-123"]));
    let run = |token: &str| {
        let mut command = push_command(&mock, TENCENT, &file, &[]);
        command.env("SALESYNC_TENCENT_ACCESS_TOKEN", token);
        let output = command.output().unwrap();
        let all = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.code(), all)
    };
    // A token the platform refuses stops the run: exit 3, and the token is nowhere in the output.
    let (code, text) = run("tok-WRONG-456");
    assert_eq!(code, Some(3), "{text}");
    assert!(!text.contains("tok-WRONG-456"), "{text}");
    let (code, text) = run("tok-SECRET-123");
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("tok-SECRET-123"), "{text}");

    // The file changes: the confirmed row is skipped, the new one sent (the checkpoint is by content).
    fs::write(&file, tencent_row(0).0 + "\n" + &tencent_row(1).0 + "\n").unwrap();
    let (code, text) = run("tok-SECRET-123");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("\"sent\":1,") && text.contains("\"skipped\":1,"),
        "{text}"
    );
    // A checkpoint of another envelope: its rows went elsewhere, and the run refuses it rather than skip rows.
    let mut header: Value = serde_json::from_str(
        fs::read_to_string(dir.join("rows.jsonl.checkpoint"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    header["envelope"] = json!("0123456789abcdef");
    let other = dir.join("other.checkpoint");
    fs::write(&other, format!("{header}\n")).unwrap();
    let mut command = push_command(
        &mock,
        TENCENT,
        &file,
        &["--checkpoint", other.to_str().unwrap()],
    );
    command.env("SALESYNC_TENCENT_ACCESS_TOKEN", "tok-SECRET-123");
    let output = command.output().unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("refusing to resume"), "{text}");

    // Help shows the variables but never their values.
    let help = salesync_command()
        .args(["push", "--help"])
        .env("SALESYNC_TENCENT_ACCESS_TOKEN", "tok-SECRET-123")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("SALESYNC_TENCENT_ACCESS_TOKEN"), "{help}");
    assert!(!help.contains("tok-SECRET-123"), "{help}");
}

#[test]
fn ctrl_c_finishes_the_batches_in_flight_and_a_rerun_completes() {
    let dir = scratch("sigint");
    let file = dir.join("rows.jsonl");
    let rows: Vec<String> = (0..3000).map(|n| tencent_row(n * 211).0).collect();
    fs::write(&file, rows.join("\n")).unwrap();
    let mock = Mock::start(MockConfig::default());
    let checkpoint = dir.join("rows.jsonl.checkpoint");
    let child = push_command(&mock, TENCENT, &file, &["--rps", "20"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while line_count(&checkpoint) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let (code, first) = summary_of(&output);
    assert_eq!(code, 130, "{first}");
    assert_eq!(first["interrupted"], true);
    // Stopped before the end (how far the reader had got depends on the machine's load).
    assert!(first["sent"].as_u64().unwrap() < 3000, "{first}");
    let (code, last) = push(&mock, TENCENT, &file, &[]);
    assert_eq!(code, 0, "{last}");
    assert_eq!(last["skipped"], first["sent"]);
    assert_eq!(mock.server.counts().tencent_salesinfo, 3000);
}

/// A child process that is killed if the test ends before it does (`salesync mock` runs until Ctrl-C).
pub(crate) struct Reaped(pub(crate) std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_readme_loop_salesync_mock_then_push_the_sample() {
    use std::io::{BufRead, BufReader};

    let dir = scratch("readme");
    let mut mock = Reaped(
        salesync_command()
            .args(["mock", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut banner = BufReader::new(mock.0.stdout.take().unwrap());
    let mut first = String::new();
    banner.read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    let mut exports = String::new();
    for _ in 0..3 {
        banner.read_line(&mut exports).unwrap();
    }
    assert!(
        exports.contains(&format!(
            "SALESYNC_TENCENT_ACCESS_TOKEN={DEFAULT_TENCENT_TOKEN}"
        )),
        "{exports}"
    );

    let file = dir.join("sales.jsonl");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tencent_salesinfo.jsonl");
    fs::copy(sample, &file).unwrap();
    let output = salesync_command()
        .args(["push", TENCENT])
        .arg(&file)
        .args([
            "--account-id",
            "1111111111",
            "--user-action-set-id",
            "1111111111",
        ])
        .args(["--data-set-id", "1111111111"])
        .env("SALESYNC_BASE_URL", &url)
        .env("SALESYNC_TENCENT_ACCESS_TOKEN", DEFAULT_TENCENT_TOKEN)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.starts_with("done: 10 rows read\n"), "{text}");
    assert!(
        text.contains("        8 sent (1 batch confirmed, 1 request)"),
        "{text}"
    );
    assert!(text.contains("2 rejected: 2 invalid"), "{text}");
    let rejects = lines(&dir.join("sales.jsonl.rejects.jsonl"));
    let found: Vec<(u64, &str)> = rejects
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["errors"][0]["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [(4, "x-compare"), (7, "required")]);

    // Ctrl-C stops the mock, which says what it held.
    Command::new("kill")
        .args(["-INT", &mock.0.id().to_string()])
        .status()
        .unwrap();
    let mut last = String::new();
    banner.read_line(&mut last).unwrap();
    assert!(mock.0.wait().unwrap().success());
    assert!(last.contains("it held 8 Tencent salesinfo items"), "{last}");
}
