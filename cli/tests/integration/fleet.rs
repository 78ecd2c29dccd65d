//! `salesync push --tenants FILE`: one file of rows for many Shopline stores or Tencent ad accounts, each row
//! naming its tenant, pushed by the real binary to the embedded mock serving every store and account with its
//! own token and bucket.
//!
//! - one file across several stores (JSON Lines) and across several accounts (CSV rows, a CSV tenants file);
//! - rows naming no tenant, or one the tenants file lacks, are rejected with pointer `/<column>`, never lost;
//! - tokens from environment variables, and from `--token-command` (asked again when the platform refuses);
//! - a refused store stops alone: its rows in the failed file with the reason, the others delivered;
//! - kill -9 in the middle, then a rerun: no row confirmed for any tenant is sent again;
//! - 1,000 stores with refused tokens and invalid rows: every row accounted for, no 429 from any bucket.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use salesync_mock::{MockConfig, MockServer, RateLimit, Vendor};
use serde_json::{json, Value};

use crate::push::{salesync_command, scratch};

const SHOPLINE: &str = "shopline.batch_sync_flow_data";
const TENCENT: &str = "tencent.salesinfo_add";

/// A mock on its own runtime (the binary under test is a child process).
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

    /// The flow ids each store holds.
    fn flows(&self, handle: &str) -> BTreeSet<String> {
        let flows = self.server.shopline_flows_of(handle);
        flows.into_iter().map(|flow| flow.flow_id).collect()
    }

    /// Every `(store, flow_id)` the mock was sent from request number `from` on (failed attempts included).
    fn sent_since(&self, from: usize) -> Vec<(String, String)> {
        let requests = self.server.requests_to(Vendor::Shopline);
        requests[from.min(requests.len())..]
            .iter()
            .flat_map(|request| {
                let store = request
                    .path
                    .split('/')
                    .nth(2)
                    .unwrap_or_default()
                    .to_owned();
                let body = request.body_json().unwrap_or_default();
                let flows = body["flow_data_list"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                flows
                    .into_iter()
                    .map(move |flow| (store.clone(), flow["flow_id"].as_str().unwrap().to_owned()))
            })
            .collect()
    }
}

/// `salesync push ENDPOINT FILE --tenants TENANTS` to the mock, fast: no backoff to speak of, a summary in
/// JSON, pace files in `dir`.
fn fleet_command(mock: &Mock, endpoint: &str, file: &Path, tenants: &Path, dir: &Path) -> Command {
    let mut command = salesync_command();
    command
        .args(["push", endpoint])
        .arg(file)
        .arg("--tenants")
        .arg(tenants)
        .args(["--json", "--progress", "log", "--retry-backoff-ms", "1"])
        .args(["--max-attempts", "4", "--timeout", "5"])
        .arg("--pace-dir")
        .arg(dir.join("pace"))
        .env_remove("SALESYNC_BASE_URL")
        .env_remove("SALESYNC_SHOPLINE_TOKEN")
        .env_remove("SALESYNC_TENCENT_ACCESS_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if endpoint == SHOPLINE {
        let stores = format!("{}/stores/{{tenant}}", mock.server.url());
        command.args(["--base-url", &stores]).args([
            "--app-key",
            "app-key-1",
            "--source-type",
            "crm",
        ]);
    } else {
        command.args(["--base-url", &mock.server.url()]);
    }
    command
}

/// The exit code and the JSON report, checking that every row is accounted for, in the total and in the sum
/// of the tenants' lines.
fn report_of(output: &Output) -> (i32, Value) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!("no JSON report ({err}):\nstdout: {stdout}\nstderr: {stderr}")
    });
    let fates = ["sent", "invalid", "refused", "failed", "skipped", "unsent"];
    let total = &report["total"];
    let count = |value: &Value, name: &str| value[name].as_u64().unwrap();
    let accounted: u64 = fates.iter().map(|name| count(total, name)).sum();
    assert_eq!(
        accounted,
        count(total, "read"),
        "{report}\nstderr: {stderr}"
    );
    let tenants = report["tenants"].as_array().unwrap();
    for name in ["read", "sent", "failed", "skipped", "unsent"] {
        let sum: u64 = tenants.iter().map(|t| count(t, name)).sum();
        let unassigned = if name == "read" {
            count(&report["unassigned"], "read")
        } else {
            0
        };
        assert_eq!(sum + unassigned, count(total, name), "{name}: {report}");
    }
    for tenant in tenants {
        let accounted: u64 = ["sent", "rejected", "failed", "skipped", "unsent"]
            .iter()
            .map(|name| count(tenant, name))
            .sum();
        assert_eq!(accounted, count(tenant, "read"), "{tenant}");
    }
    let code = output.status.code().unwrap_or(-1);
    assert_eq!(total["exit_status"], code, "{report}\nstderr: {stderr}");
    (code, report)
}

fn run(command: &mut Command) -> (i32, Value) {
    report_of(&command.output().unwrap())
}

/// Each tenant's line of the report, by its id.
fn by_tenant(report: &Value) -> BTreeMap<String, Value> {
    report["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tenant"].as_str().unwrap().to_owned(), t.clone()))
        .collect()
}

fn flow(store: &str, n: usize) -> Value {
    json!({
        "store": store,
        "flow_id": format!("{store}-flow-{n:04}"),
        "occurred_on": 1_672_365_600_000u64,
        "order_amount": 1990,
        "order_num": 1,
        "send_count": 10,
        "trigger_num": "12",
    })
}

fn jsonl(rows: &[Value]) -> String {
    rows.iter().map(|row| format!("{row}\n")).collect()
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

/// `per_store` flows of each store, the stores' rows interleaved.
fn interleaved(stores: &[&str], per_store: usize) -> Vec<Value> {
    (0..per_store)
        .flat_map(|n| stores.iter().map(move |store| flow(store, n)))
        .collect()
}

#[test]
fn one_file_across_several_stores_with_tokens_from_the_environment() {
    let stores = ["alpha", "beta", "gamma"];
    let mock = Mock::start(
        MockConfig::default().with_shopline_stores(stores.map(|s| (s, format!("token-{s}")))),
    );
    let dir = scratch("fleet-stores");
    let file = dir.join("flows.jsonl");
    let mut rows = interleaved(&stores, 40);
    // A row naming no store, one naming a store the tenants file lacks, one invalid for its own reasons.
    rows[3].as_object_mut().unwrap().remove("store");
    rows[7]["store"] = json!("delta");
    rows[11]["order_num"] = json!("x");
    fs::write(&file, jsonl(&rows)).unwrap();
    let tenants = dir.join("tenants.jsonl");
    let lines_of_tenants: String = stores
        .iter()
        .enumerate()
        .map(|(n, store)| {
            format!(
                "{}\n",
                json!({"store": store, "token": format!("${{FLEET_TEST_TOKEN_{n}}}"), "store_id": format!("{}", 100 + n)})
            )
        })
        .collect();
    fs::write(&tenants, lines_of_tenants).unwrap();
    let command = || {
        let mut command = fleet_command(&mock, SHOPLINE, &file, &tenants, &dir);
        for (n, store) in stores.iter().enumerate() {
            command.env(format!("FLEET_TEST_TOKEN_{n}"), format!("token-{store}"));
        }
        command
    };

    let (code, report) = run(command().args(["--batch-size", "7"]));
    assert_eq!(code, 1, "three rows rejected: {report}");
    let total = &report["total"];
    assert_eq!(
        (total["read"].as_u64(), total["sent"].as_u64()),
        (Some(120), Some(117))
    );
    assert_eq!(report["unassigned"], json!({"read": 2, "rejected": 2}));
    let tenant = by_tenant(&report);
    assert_eq!(tenant["gamma"]["rejected"], 1, "{report}");
    for store in stores {
        let expected: BTreeSet<String> = rows
            .iter()
            .enumerate()
            .filter(|(n, row)| row["store"] == store && ![3, 7, 11].contains(n))
            .map(|(_, row)| row["flow_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(mock.flows(store), expected, "{store}");
        assert_eq!(tenant[store]["sent"], expected.len(), "{report}");
    }
    // Each store's flows went in its own envelope.
    let records = mock.server.shopline_flow_records();
    assert!(records.iter().all(|r| {
        let n = stores
            .iter()
            .position(|s| Some(*s) == r.handle.as_deref())
            .unwrap();
        r.store_id == format!("{}", 100 + n) && r.app_key == "app-key-1"
    }));
    // The rejects name the member, and keep the row with its tenant.
    let rejects = lines(&with_suffix(&file, ".rejects.jsonl"));
    let rejected: BTreeMap<u64, &Value> = rejects
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), &r["errors"][0]))
        .collect();
    assert_eq!(rejected.len(), 3);
    assert_eq!(rejected[&4]["pointer"], "/store");
    assert_eq!(rejected[&4]["rule"], "tenant");
    assert_eq!(rejected[&8]["pointer"], "/store");
    assert!(
        rejected[&8]["message"]
            .as_str()
            .unwrap()
            .contains("no tenant `delta`"),
        "{rejects:?}"
    );
    assert_eq!(rejected[&12]["pointer"], "/order_num");
    let kept = rejects.iter().find(|r| r["line"] == 12).unwrap();
    assert_eq!(kept["row"]["store"], "gamma");
    // Each store has the pace file a single push to it uses: a push to alpha alone finds alpha's.
    assert_eq!(fs::read_dir(dir.join("pace")).unwrap().count(), 3);
    let single = dir.join("alpha.jsonl");
    fs::write(&single, jsonl(&[json!({"flow_id": "alone", "occurred_on": 1_672_365_600_000u64, "order_amount": 1, "order_num": 1, "send_count": 1, "trigger_num": 1})])).unwrap();
    let output = salesync_command()
        .args(["push", SHOPLINE])
        .arg(&single)
        .args(["--base-url", &mock.server.store_url("alpha")])
        .args([
            "--app-key",
            "app-key-1",
            "--source-type",
            "crm",
            "--store-id",
            "100",
        ])
        .args(["--progress", "off", "--pace-dir"])
        .arg(dir.join("pace"))
        .env("SALESYNC_SHOPLINE_TOKEN", "token-alpha")
        .env_remove("SALESYNC_BASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(fs::read_dir(dir.join("pace")).unwrap().count(), 3);

    // The rerun sends nothing: every row is confirmed for its store.
    let before = mock.server.requests_to(Vendor::Shopline).len();
    let (code, again) = run(&mut command());
    assert_eq!(code, 1, "{again}");
    assert_eq!(again["total"]["skipped"], 117, "{again}");
    assert_eq!(mock.server.requests_to(Vendor::Shopline).len(), before);

    // The same flows for another store's line are that store's rows: not skipped.
    rows[0]["store"] = json!("beta");
    fs::write(&file, jsonl(&rows)).unwrap();
    let (_, moved) = run(&mut command());
    assert_eq!(moved["total"]["sent"], 1, "{moved}");
    assert_eq!(by_tenant(&moved)["beta"]["sent"], 1);

    // A token whose variable is not set: a usage error naming the variable and the line.
    let mut unset = fleet_command(&mock, SHOPLINE, &file, &tenants, &dir);
    unset.env("FLEET_TEST_TOKEN_0", "token-alpha");
    unset.env("FLEET_TEST_TOKEN_2", "token-gamma");
    let output = unset.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "tenants.jsonl line 2: `token`: the environment variable FLEET_TEST_TOKEN_1 is not set"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("token-alpha"), "{stderr}");
}

#[test]
fn one_csv_file_across_several_accounts() {
    let accounts = [
        (101i64, "token-101"),
        (202, "token-202"),
        (303, "literal-303"),
    ];
    let mock = Mock::start(MockConfig::default().with_tencent_accounts(accounts));
    let dir = scratch("fleet-accounts");
    let tenants = dir.join("accounts.csv");
    fs::write(
        &tenants,
        "account_id,token,user_action_set_id,data_set_id\n\
         101,$ACC_101_TOKEN,11,12\n\
         202,$ACC_202_TOKEN,21,\n\
         303,literal-303,31,32\n",
    )
    .unwrap();
    let file = dir.join("sales.csv");
    let mut text = String::from(
        "external_store_id,external_sku_id,account_id,price.current_price,price.sku_price,stock.sku_stock_status\n",
    );
    for n in 0..90 {
        let account = [101, 202, 303][n % 3];
        text.push_str(&format!("store-1,sku-{n:03},{account},8.90,10,1\n"));
    }
    text.push_str("store-1,sku-900,,8.90,10,1\n");
    text.push_str("store-1,sku-901,404,8.90,10,1\n");
    fs::write(&file, text).unwrap();

    let (code, report) = run(fleet_command(&mock, TENCENT, &file, &tenants, &dir)
        .env("ACC_101_TOKEN", "token-101")
        .env("ACC_202_TOKEN", "token-202")
        .args(["--data-set-id", "99", "--batch-size", "10"]));
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["total"]["sent"], 90, "{report}");
    assert_eq!(report["unassigned"]["rejected"], 2, "{report}");
    for (account, _) in accounts {
        let held = mock.server.tencent_salesinfo_of(account);
        assert_eq!(held.len(), 30, "{account}");
    }
    let records = mock.server.tencent_salesinfo_records();
    let envelopes: BTreeSet<(i64, i64, i64)> = records
        .iter()
        .map(|r| (r.account_id, r.user_action_set_id, r.data_set_id))
        .collect();
    // Account 202 has no data set of its own: the flag's.
    let expected: BTreeSet<(i64, i64, i64)> = [(101, 11, 12), (202, 21, 99), (303, 31, 32)].into();
    assert_eq!(envelopes, expected);
    let rejects = lines(&with_suffix(&file, ".rejects.jsonl"));
    assert_eq!(rejects.len(), 2);
    for reject in &rejects {
        let error = &reject["errors"][0];
        assert_eq!(
            (&error["pointer"], &error["rule"]),
            (&json!("/account_id"), &json!("tenant"))
        );
        assert_eq!(error["column"], "account_id", "{reject}");
    }
}

#[cfg(unix)]
#[test]
fn tokens_from_a_command_asked_again_when_refused() {
    use std::os::unix::fs::PermissionsExt;
    let stores = ["alpha", "beta"];
    let mock = Mock::start(
        MockConfig::default().with_shopline_stores(stores.map(|s| (s, format!("token-{s}")))),
    );
    let dir = scratch("fleet-token-command");
    // Each store's first token is stale (refused with 401); the next is good. Counts the calls per store.
    let script = dir.join("token.sh");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\nf='{}/calls-'\"$2\"\nn=$(cat \"$f\" 2>/dev/null || echo 0)\nn=$((n + 1))\necho $n > \"$f\"\n\
             if [ $n -eq 1 ]; then echo stale; else echo \"$1-$2\"; fi\n",
            dir.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let tenants = dir.join("tenants.csv");
    fs::write(&tenants, "store,store_id\nalpha,1\nbeta,2\n").unwrap();
    let file = dir.join("flows.jsonl");
    fs::write(&file, jsonl(&interleaved(&stores, 10))).unwrap();
    let command = format!("{} token", script.display());
    let (code, report) = run(fleet_command(&mock, SHOPLINE, &file, &tenants, &dir).args([
        "--token-command",
        &command,
        "--tenant-concurrency",
        "1",
    ]));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["total"]["sent"], 20);
    for store in stores {
        assert_eq!(mock.flows(store).len(), 10);
        let calls = fs::read_to_string(dir.join(format!("calls-{store}"))).unwrap();
        assert_eq!(
            calls.trim(),
            "2",
            "{store}: asked once, and again after the 401"
        );
    }
}

#[test]
fn a_refused_store_stops_alone_its_rows_in_the_failed_file() {
    let stores = ["alpha", "beta", "gamma"];
    let mock = Mock::start(
        MockConfig::default().with_shopline_stores(stores.map(|s| (s, format!("token-{s}")))),
    );
    mock.server.refuse_store("beta", 423);
    let dir = scratch("fleet-refused");
    let tenants = dir.join("tenants.jsonl");
    let text: String = stores
        .iter()
        .map(|s| {
            format!(
                "{}\n",
                json!({"store": s, "token": format!("token-{s}"), "store_id": "1"})
            )
        })
        .collect();
    fs::write(&tenants, text).unwrap();
    let file = dir.join("flows.jsonl");
    fs::write(&file, jsonl(&interleaved(&stores, 30))).unwrap();

    let (code, report) =
        run(fleet_command(&mock, SHOPLINE, &file, &tenants, &dir).args(["--batch-size", "5"]));
    assert_eq!(code, 1, "{report}");
    let tenant = by_tenant(&report);
    assert_eq!(tenant["beta"]["failed"], 30, "{report}");
    assert!(
        tenant["beta"]["stopped"]
            .as_str()
            .unwrap()
            .contains("HTTP 423"),
        "{report}"
    );
    for store in ["alpha", "gamma"] {
        assert_eq!(tenant[store]["sent"], 30, "{report}");
        assert_eq!(tenant[store]["stopped"], Value::Null);
        assert_eq!(mock.flows(store).len(), 30);
    }
    let failed = lines(&with_suffix(&file, ".failed.jsonl"));
    assert_eq!(failed.len(), 30);
    for row in &failed {
        assert_eq!(row["row"]["store"], "beta");
        assert_eq!(row["errors"][0]["class"], "account_rejected", "{row}");
        assert_eq!(row["errors"][0]["status"], 423);
    }
    // Beta stopped at its first refusals (its batches on the wire then, --tenant-concurrency 2).
    assert!(mock.server.store_counts("beta").unwrap().refused <= 2);

    // Every store refused: nothing can get through, exit 3; the failed file is the list to push later.
    for store in ["alpha", "gamma"] {
        mock.server.refuse_store(store, 402);
    }
    let fresh = dir.join("again.jsonl");
    fs::write(&fresh, jsonl(&interleaved(&stores, 3))).unwrap();
    let (code, report) = run(&mut fleet_command(&mock, SHOPLINE, &fresh, &tenants, &dir));
    assert_eq!(code, 3, "{report}");
    assert_eq!(report["total"]["failed"], 9);
    // Pushing the failed file once the stores are served again delivers exactly those rows.
    for store in stores {
        mock.server.restore_store(store);
    }
    let failed_file = with_suffix(&fresh, ".failed.jsonl");
    let (code, report) = run(fleet_command(&mock, SHOPLINE, &failed_file, &tenants, &dir)
        .arg("--checkpoint")
        .arg(with_suffix(&fresh, ".checkpoint")));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["total"]["sent"], 9);
}

#[test]
fn kill_9_in_the_middle_then_a_rerun_sends_no_confirmed_row_again() {
    let stores = ["s1", "s2", "s3", "s4", "s5"];
    let mock = Mock::start(
        MockConfig::default().with_shopline_stores(stores.map(|s| (s, format!("token-{s}")))),
    );
    let dir = scratch("fleet-kill");
    let tenants = dir.join("tenants.csv");
    let text: String = stores.iter().map(|s| format!("{s},token-{s}\n")).collect();
    fs::write(&tenants, format!("store,token\n{text}")).unwrap();
    let file = dir.join("flows.jsonl");
    let rows = interleaved(&stores, 120);
    fs::write(&file, jsonl(&rows)).unwrap();
    let checkpoint = with_suffix(&file, ".checkpoint");
    let confirmed_lines =
        || fs::read(&checkpoint).map_or(0, |bytes| bytes.iter().filter(|&&b| b == b'\n').count());

    // Paced at 5 requests/s per store (a burst of 5), 4 rows a request: 30 requests per store, 5 s.
    let mut child = fleet_command(&mock, SHOPLINE, &file, &tenants, &dir)
        .args(["--store-id", "1", "--batch-size", "4", "--rps", "5"])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while confirmed_lines() < 35 && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let killed = child.wait().unwrap();
    assert!(
        !killed.success(),
        "the push ended before it could be killed"
    );
    let after_kill = confirmed_lines();
    assert!(after_kill >= 35, "{after_kill}");
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
    let first_run = mock.sent_since(0);
    let before = mock.server.requests_to(Vendor::Shopline).len();

    let (code, report) = run(fleet_command(&mock, SHOPLINE, &file, &tenants, &dir).args([
        "--store-id",
        "1",
        "--batch-size",
        "4",
        "--rps",
        "0",
    ]));
    assert_eq!(code, 0, "{report}");
    let total = &report["total"];
    // Skipped: exactly the rows the checkpoint held; sent: all the others, once each.
    assert_eq!(total["skipped"], confirmed.len(), "{report}");
    assert_eq!(
        total["skipped"].as_u64().unwrap() + total["sent"].as_u64().unwrap(),
        600,
        "{report}"
    );
    let second_run = mock.sent_since(before);
    assert_eq!(second_run.len() as u64, total["sent"].as_u64().unwrap());
    let second: BTreeSet<&(String, String)> = second_run.iter().collect();
    assert_eq!(
        second.len(),
        second_run.len(),
        "a row sent twice in the rerun"
    );
    // Rows the mock had from the first run and got again: only those whose answer the kill cut off (requests
    // on the wire at that moment: at most --concurrency of them, 4 rows each).
    let again = first_run.iter().filter(|row| second.contains(row)).count();
    assert!(again <= 32 * 4, "{again} rows of the first run sent again");
    assert!(
        first_run.len() - again >= confirmed.len(),
        "{} rows of the first run, {again} sent again, {} confirmed",
        first_run.len(),
        confirmed.len()
    );
    // Per store: every flow held once, whichever run delivered it.
    for store in stores {
        assert_eq!(mock.flows(store).len(), 120, "{store}");
    }
    let skipped: u64 = by_tenant(&report)
        .values()
        .map(|t| t["skipped"].as_u64().unwrap())
        .sum();
    assert_eq!(skipped, confirmed.len() as u64);
}

#[test]
fn a_thousand_stores_with_refused_tokens_and_invalid_rows_every_row_accounted_for() {
    let stores: Vec<String> = (0..1000).map(|n| format!("store-{n:04}")).collect();
    // Shopline's bucket four times faster than the platform's (the push paced alike: --pace-scale 4).
    let config = MockConfig::default()
        .with_rate_limit(Some(RateLimit {
            per_second: 16.0,
            burst: 40,
        }))
        .with_shopline_stores(stores.iter().map(|s| (s.clone(), format!("token-{s}"))));
    let mock = Mock::start(config);
    // Three stores' tokens are wrong in the tenants file; one store is frozen.
    let wrong = ["store-0013", "store-0500", "store-0999"];
    let frozen = "store-0777";
    mock.server.refuse_store(frozen, 402);
    let dir = scratch("fleet-thousand");
    let tenants = dir.join("tenants.csv");
    let mut text = String::from("store,token,store_id\n");
    for (n, store) in stores.iter().enumerate() {
        let token = if wrong.contains(&store.as_str()) {
            "expired".to_owned()
        } else {
            format!("token-{store}")
        };
        text.push_str(&format!("{store},{token},{n}\n"));
    }
    fs::write(&tenants, text).unwrap();
    // Three rows per store, and three big stores with 240 more (60 requests of 4: past the bucket's burst).
    let big = ["store-0001", "store-0002", "store-0003"];
    let mut rows: Vec<Value> = (0..3)
        .flat_map(|n| stores.iter().map(move |s| flow(s, n)))
        .collect();
    for n in 3..243 {
        rows.extend(big.iter().map(|s| flow(s, n)));
    }
    let invalid = [10, 2001, 2502, 3100];
    for &n in &invalid {
        rows[n]["order_amount"] = json!("lots");
    }
    rows.push(flow("store-9999", 0));
    let file = dir.join("flows.jsonl");
    fs::write(&file, jsonl(&rows)).unwrap();

    let started = Instant::now();
    let (code, report) = run(fleet_command(&mock, SHOPLINE, &file, &tenants, &dir).args([
        "--batch-size",
        "4",
        "--pace-scale",
        "4",
        "--concurrency",
        "64",
    ]));
    let took = started.elapsed();
    assert_eq!(code, 1, "{report}");
    let total = &report["total"];
    let count = |name: &str| total[name].as_u64().unwrap();
    assert_eq!(count("read"), rows.len() as u64);
    assert_eq!(count("invalid"), invalid.len() as u64 + 1, "{report}");
    // The refused stores' rows, and those alone, failed.
    let refused: Vec<&str> = wrong.iter().copied().chain([frozen]).collect();
    let tenant = by_tenant(&report);
    assert_eq!(tenant.len(), 1000);
    for (id, line) in &tenant {
        let is_refused = refused.contains(&id.as_str());
        assert_eq!(line["stopped"].is_string(), is_refused, "{line}");
        if is_refused {
            assert_eq!(line["sent"], 0, "{line}");
            assert_eq!(
                line["failed"],
                line["read"].as_u64().unwrap() - line["rejected"].as_u64().unwrap()
            );
        } else {
            assert_eq!(line["failed"], 0, "{line}");
            assert_eq!(
                line["sent"],
                line["read"].as_u64().unwrap() - line["rejected"].as_u64().unwrap()
            );
            assert_eq!(
                mock.flows(id).len() as u64,
                line["sent"].as_u64().unwrap(),
                "{id}"
            );
        }
    }
    assert_eq!(count("failed"), 4 * 3);
    let failed = lines(&with_suffix(&file, ".failed.jsonl"));
    assert_eq!(failed.len(), 12);
    assert!(failed
        .iter()
        .all(|row| refused.contains(&row["row"]["store"].as_str().unwrap())));
    // No store's bucket refused a request, and nothing was rate limited.
    let counts = mock.server.tenant_counts().total();
    assert_eq!(counts.bucket_refused, 0, "{counts:?}");
    assert_eq!(counts.rate_limited, 0, "{counts:?}");
    assert!(took < Duration::from_secs(60), "{took:?}");
}
