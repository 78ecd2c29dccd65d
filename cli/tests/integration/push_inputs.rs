//! What `salesync push` reads, run as a user runs it against the embedded mock on 127.0.0.1: CSV for both
//! endpoints, pretty-printed rows and a whole request body, and the fix-and-resend loop through the reject
//! file.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use salesync_mock::{
    MockConfig, MockServer, Vendor, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN,
};
use serde_json::{json, Value};

const TENCENT: &str = "tencent.salesinfo_add";
const SHOPLINE: &str = "shopline.batch_sync_flow_data";

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
        .join(format!("push-inputs-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// A mock on its own runtime (the binary under test is a child process).
struct Mock {
    server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    fn start() -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = MockConfig::default().with_rate_limit(None);
        let server = runtime.block_on(MockServer::start_with(config));
        Mock {
            server,
            _runtime: runtime,
        }
    }

    /// The batch items of every request the mock got for `vendor`, in order.
    fn items_sent(&self, vendor: Vendor) -> Vec<Value> {
        let member = match vendor {
            Vendor::Tencent => "salesinfo",
            Vendor::Shopline => "flow_data_list",
        };
        self.server
            .requests_to(vendor)
            .iter()
            .filter_map(|request| request.body_json())
            .flat_map(|body| body[member].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

fn push_output(mock: &Mock, endpoint: &str, file: &Path, extra: &[&str]) -> Output {
    let mut command = salesync_command();
    command
        .args(["push", endpoint])
        .arg(file)
        .args(["--base-url", &mock.server.url()])
        .args(["--json", "--progress", "log", "--rps", "0"])
        .args(extra)
        .env_remove("SALESYNC_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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
    command.output().unwrap()
}

/// Runs push to the end: the exit code and the JSON summary.
fn push(mock: &Mock, endpoint: &str, file: &Path, extra: &[&str]) -> (i32, Value) {
    let output = push_output(mock, endpoint, file, extra);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!("no JSON summary ({err}):\nstdout: {stdout}\nstderr: {stderr}")
    });
    (output.status.code().unwrap_or(-1), summary)
}

fn lines(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn skus(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|item| item["external_sku_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn csv_rows_of_tencent_items_are_typed_by_the_schema() {
    let mock = Mock::start();
    let dir = scratch("tencent-csv");
    let file = dir.join("sales.csv");
    fs::copy(sample("tencent_salesinfo.csv"), &file).unwrap();

    let (code, summary) = push(&mock, TENCENT, &file, &[]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(
        (&summary["read"], &summary["sent"], &summary["invalid"]),
        (&json!(8), &json!(6), &json!(2)),
        "{summary}"
    );

    let sent = mock.items_sent(Vendor::Tencent);
    let by_sku = |sku: &str| {
        sent.iter()
            .find(|item| item["external_sku_id"] == sku)
            .unwrap()
            .clone()
    };
    // Prices, stock and tags nested as the header says; quoted commas and newlines, Chinese text.
    assert_eq!(
        by_sku("sku-002"),
        json!({
            "external_store_id": "store-1",
            "external_sku_id": "sku-002",
            "product_type": 1,
            "price": {"current_price": 8.9, "sku_price": 10},
            "stock": {"sku_stock_status": 1, "stock_total": 102},
            "tag_info": {"custom_tag": [{"tag_name": "营销卖点", "tag_value": ["法式浪漫, 甜美", "鲜活愉悦"]}]},
        })
    );
    assert_eq!(
        by_sku("sku-006")["tag_info"]["custom_tag"][0]["tag_value"],
        json!(["50ml\n(旅行装)"])
    );
    // A string member keeps "007"; empty cells are absent members (no tags, no stock_total).
    let zero_seven = by_sku("007");
    assert_eq!(
        zero_seven["price"],
        json!({"current_price": 19.9, "sku_price": 29.9})
    );
    assert!(zero_seven.get("tag_info").is_none(), "{zero_seven}");
    assert_eq!(by_sku("sku-007")["stock"], json!({"sku_stock_status": 1}));
    // Decimals are exact: 8.90 arrives as the decimal 8.9, not a float's neighbour.
    let stored = mock.server.tencent_salesinfo();
    let one = stored
        .iter()
        .find(|item| item.external_sku_id == "sku-001")
        .unwrap();
    assert_eq!(one.price.current_price.to_string(), "8.9");
    assert_eq!(one.price.current_price.to_cents(), Some(890));

    // Rejects give the record's line and, per error, the column: a bad number and a broken rule alike.
    let rejects = lines(&with_suffix(&file, ".rejects.jsonl"));
    assert_eq!(rejects.len(), 2);
    assert_eq!(rejects[0]["line"], 5);
    assert_eq!(
        rejects[0]["errors"],
        json!([{"pointer": "/price/current_price", "column": "price.current_price", "rule": "x-compare",
                "message": "current_price (12) must be <= sku_price (10)"}])
    );
    assert_eq!(rejects[1]["line"], 6);
    assert_eq!(
        rejects[1]["errors"],
        json!([{"pointer": "/price/current_price", "column": "price.current_price", "rule": "type",
                "message": "`8,90` is not a number"}])
    );
    // The rejected row keeps the cell as it was, so it can be fixed in the reject file.
    assert_eq!(rejects[1]["row"]["price"]["current_price"], "8,90");
}

#[test]
fn csv_rows_of_shopline_flows_with_their_nodes() {
    let mock = Mock::start();
    let dir = scratch("shopline-csv");
    let file = dir.join("flows.csv");
    fs::copy(sample("shopline_flows.csv"), &file).unwrap();

    let (code, summary) = push(&mock, SHOPLINE, &file, &[]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(
        (&summary["sent"], &summary["invalid"]),
        (&json!(4), &json!(2)),
        "{summary}"
    );

    let sent = mock.items_sent(Vendor::Shopline);
    let flow = |id: &str| {
        sent.iter()
            .find(|item| item["flow_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        flow("flow-1"),
        json!({
            "flow_id": "flow-1", "occurred_on": 1672365600000_i64, "send_count": 10, "trigger_num": 12,
            "order_num": 1, "order_amount": 1990,
            "flow_node_data_list": [{
                "node_id": "node-1a", "occurred_on": 1672365600000_i64, "has_send_num": 10,
                "has_delivery_num": 9, "buyer_num": 1, "order_num": 1, "order_amount": 1990,
                // A rate is a string member: "56.6" stays a string.
                "open_rate": "56.6",
            }],
        })
    );
    // A node whose cells are all empty is absent; one with an empty rate has no rate.
    assert!(flow("flow-2").get("flow_node_data_list").is_none());
    assert!(flow("flow-4")["flow_node_data_list"][0]
        .get("open_rate")
        .is_none());
    assert_eq!(mock.server.shopline_flows().len(), 4);

    let rejects = lines(&with_suffix(&file, ".rejects.jsonl"));
    let found: Vec<(u64, String, String)> = rejects
        .iter()
        .map(|reject| {
            let error = &reject["errors"][0];
            (
                reject["line"].as_u64().unwrap(),
                error["column"].as_str().unwrap().to_owned(),
                error["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (4, "order_num".to_owned(), "required".to_owned()),
            (7, "send_count".to_owned(), "type".to_owned()),
        ]
    );
}

#[test]
fn a_csv_header_naming_an_unknown_member_is_a_usage_error_before_anything_is_sent() {
    let mock = Mock::start();
    let dir = scratch("unknown-column");
    let file = dir.join("sales.csv");
    fs::write(
        &file,
        "external_store_id,external_sku_id,price.current_price,price.sku_price,stock.sku_stock_status,stock.colour\n\
         s,k,1,2,1,red\n",
    )
    .unwrap();
    let (code, summary) = push(&mock, TENCENT, &file, &[]);
    assert_eq!(code, 2, "{summary}");
    let fatal = summary["fatal"].as_str().unwrap_or_default().to_owned();
    assert!(
        fatal.contains("column `stock.colour`") && fatal.contains("no member `colour`"),
        "{summary}"
    );
    assert_eq!(summary["read"], 0);
    assert!(mock.server.requests_to(Vendor::Tencent).is_empty());

    // --format csv reads a file of another name as CSV; --format json reads a .csv file as JSON.
    let renamed = dir.join("sales.txt");
    fs::copy(&file, &renamed).unwrap();
    let (code, _) = push(&mock, TENCENT, &renamed, &["--format", "csv", "--dry-run"]);
    assert_eq!(code, 2);
    let json_rows = dir.join("rows.csv");
    fs::write(&json_rows, "{\"external_store_id\":\"s\",\"external_sku_id\":\"k\",\"price\":{\"current_price\":1,\"sku_price\":2},\"stock\":{\"sku_stock_status\":1}}\n").unwrap();
    let (code, summary) = push(&mock, TENCENT, &json_rows, &["--format", "json"]);
    assert_eq!((code, &summary["sent"]), (0, &json!(1)), "{summary}");
}

#[test]
fn pretty_printed_rows_and_a_whole_request_body_are_rows_not_one_reject_per_line() {
    let mock = Mock::start();
    let dir = scratch("pretty");
    let item = |sku: &str, price: f64| {
        json!({
            "external_store_id": "store-1",
            "external_sku_id": sku,
            "price": {"current_price": price, "sku_price": 10},
            "stock": {"sku_stock_status": 1},
        })
    };
    // Rows pretty-printed one after another, as `jq .` writes them; one of them broken by a rule.
    let stream = dir.join("rows.jsonl");
    let text: String = [item("p-1", 1.5), item("p-2", 11.0), item("p-3", 2.0)]
        .iter()
        .map(|row| serde_json::to_string_pretty(row).unwrap() + "\n")
        .collect();
    fs::write(&stream, text).unwrap();
    let (code, summary) = push(&mock, TENCENT, &stream, &[]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(
        (&summary["read"], &summary["sent"], &summary["invalid"]),
        (&json!(3), &json!(2), &json!(1))
    );
    let rejects = lines(&with_suffix(&stream, ".rejects.jsonl"));
    assert_eq!(rejects.len(), 1);
    // The row starts on line 12 (each takes 11 lines) and is written on one line.
    assert_eq!(rejects[0]["line"], 12);
    assert_eq!(rejects[0]["row"]["external_sku_id"], "p-2");

    // A line that closes a member with `}` but not its row (taken whole, it does not parse, so it is read
    // again, over both lines), and two rows on one line.
    let joined = dir.join("joined.jsonl");
    let row = |sku: &str| serde_json::to_string(&item(sku, 1.0)).unwrap();
    let split = r#"{"external_store_id":"store-1","price":{"current_price":1.0,"sku_price":10}
,"external_sku_id":"j-2","stock":{"sku_stock_status":1}}"#;
    let text = format!("{}\n{split}\n{} {}\n", row("j-1"), row("j-3"), row("j-4"));
    fs::write(&joined, text).unwrap();
    let (code, summary) = push(&mock, TENCENT, &joined, &[]);
    assert_eq!(
        (code, &summary["read"], &summary["sent"]),
        (0, &json!(4), &json!(4)),
        "{summary}"
    );
    let sent = skus(&mock.items_sent(Vendor::Tencent));
    assert!(["j-1", "j-2", "j-3", "j-4"]
        .iter()
        .all(|sku| sent.contains(*sku)));

    // A whole request body, pretty-printed: its batch items are the rows; the envelope comes from the flags.
    let body = dir.join("body.json");
    let request = json!({
        "account_id": 99,
        "user_action_set_id": 99,
        "data_set_id": 99,
        "salesinfo": [item("b-1", 1.0), item("b-2", 2.0), item("b-3", 3.0)],
    });
    fs::write(&body, serde_json::to_string_pretty(&request).unwrap()).unwrap();
    let (code, summary) = push(&mock, TENCENT, &body, &[]);
    assert_eq!(
        (code, &summary["sent"], &summary["read"]),
        (0, &json!(3), &json!(3)),
        "{summary}"
    );
    let last = mock
        .server
        .requests_to(Vendor::Tencent)
        .pop()
        .unwrap()
        .body_json()
        .unwrap();
    assert_eq!(last["account_id"], 11);
    assert_eq!(
        skus(last["salesinfo"].as_array().unwrap()),
        skus(&[item("b-1", 1.0), item("b-2", 2.0), item("b-3", 3.0)])
    );
}

#[test]
fn fix_the_reject_file_and_push_it_exactly_the_fixed_rows_are_delivered() {
    let mock = Mock::start();
    let dir = scratch("fix-and-resend");
    let file = dir.join("sales.jsonl");
    let good = |sku: &str| {
        json!({
            "external_store_id": "store-1",
            "external_sku_id": sku,
            "price": {"current_price": 8.9, "sku_price": 10},
            "stock": {"sku_stock_status": 1},
        })
    };
    let mut stockless = good("stockless");
    stockless.as_object_mut().unwrap().remove("stock");
    // Written by hand: "12.50" is kept as written all the way.
    let dear = r#"{"external_store_id":"store-1","external_sku_id":"dear","price":{"current_price":12.50,"sku_price":10},"stock":{"sku_stock_status":1}}"#;
    let mut text = String::new();
    for row in [
        good("g-1").to_string(),
        dear.to_owned(),
        good("g-2").to_string(),
        stockless.to_string(),
        good("g-3").to_string(),
    ] {
        text.push_str(&row);
        text.push('\n');
    }
    text.push_str("{\"external_sku_id\": \"broken json\",\n");
    fs::write(&file, text).unwrap();

    // The first run: three rows delivered, three rejected.
    let (code, summary) = push(&mock, TENCENT, &file, &[]);
    assert_eq!(
        (code, &summary["sent"], &summary["invalid"]),
        (1, &json!(3), &json!(3)),
        "{summary}"
    );
    let rejects_path = with_suffix(&file, ".rejects.jsonl");
    let rejects = lines(&rejects_path);
    assert_eq!(rejects.len(), 3);
    assert!(fs::read_to_string(&rejects_path)
        .unwrap()
        .contains("\"current_price\":12.50"));

    // The user fixes one row in the reject file, in place, and leaves the others as they are.
    let edited: String = fs::read_to_string(&rejects_path)
        .unwrap()
        .lines()
        .map(|line| {
            if line.contains("\"dear\"") {
                line.replace("\"current_price\":12.50", "\"current_price\":9.50") + "\n"
            } else {
                line.to_owned() + "\n"
            }
        })
        .collect();
    assert!(edited.contains("9.50"));
    let fixed = dir.join("fixed.jsonl");
    fs::write(&fixed, edited).unwrap();

    let before = mock.items_sent(Vendor::Tencent).len();
    let (code, summary) = push(&mock, TENCENT, &fixed, &[]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(
        (&summary["read"], &summary["sent"], &summary["invalid"]),
        (&json!(3), &json!(1), &json!(2)),
        "{summary}"
    );
    // Exactly the fixed row went out, with its decimal as written.
    let sent = mock.items_sent(Vendor::Tencent)[before..].to_vec();
    assert_eq!(skus(&sent), BTreeSet::from(["dear".to_owned()]));
    let request = mock.server.requests_to(Vendor::Tencent).pop().unwrap();
    assert!(
        request.body_text().contains("\"current_price\":9.5"),
        "{}",
        request.body_text()
    );
    // The still-broken rows are rejected again, with the same errors.
    let again = lines(&with_suffix(&fixed, ".rejects.jsonl"));
    assert_eq!(again.len(), 2);
    assert_eq!(again[0]["row"], rejects[1]["row"]);
    assert_eq!(again[0]["errors"], rejects[1]["errors"]);
    assert_eq!(again[1]["row"], rejects[2]["row"]);
    assert_eq!(again[1]["errors"][0]["rule"], "json");
    // Their lines are those of the file pushed: the reject file's lines 2 and 3.
    assert_eq!(
        (&again[0]["line"], &again[1]["line"]),
        (&json!(2), &json!(3))
    );
}

#[test]
fn a_csv_reject_is_fixed_in_the_reject_file_and_resent() {
    let mock = Mock::start();
    let dir = scratch("csv-fix");
    let file = dir.join("flows.csv");
    fs::copy(sample("shopline_flows.csv"), &file).unwrap();
    let (code, _) = push(&mock, SHOPLINE, &file, &[]);
    assert_eq!(code, 1);
    let rejects_path = with_suffix(&file, ".rejects.jsonl");
    // The reject file holds the rows as JSON: fix the count that was not an integer.
    let edited = fs::read_to_string(&rejects_path)
        .unwrap()
        .replace("\"send_count\":\"1.5\"", "\"send_count\":15");
    let fixed = dir.join("fixed.jsonl");
    fs::write(&fixed, edited).unwrap();
    let before = mock.items_sent(Vendor::Shopline).len();
    let (code, summary) = push(&mock, SHOPLINE, &fixed, &[]);
    assert_eq!(
        (code, &summary["sent"], &summary["invalid"]),
        (1, &json!(1), &json!(1)),
        "{summary}"
    );
    let sent = mock.items_sent(Vendor::Shopline)[before..].to_vec();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (&sent[0]["flow_id"], &sent[0]["send_count"]),
        (&json!("flow-6"), &json!(15))
    );
}
