//! `salesync mock --stores N --accounts N`: the banner says how to reach the stores and accounts, `push` reaches
//! one store and one account with their own tokens, another store's token is refused, and Ctrl-C says what the
//! tenants got.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::push::{salesync_command, scratch, Reaped};

/// A copy of a sample under `to`: each push a file (and checkpoint) of its own.
fn sample(name: &str, dir: &Path, to: &str) -> std::path::PathBuf {
    let file = dir.join(to);
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(name),
        &file,
    )
    .unwrap();
    file
}

fn push_to_store(file: &Path, url: &str, handle: &str, token: &str) -> Output {
    salesync_command()
        .args(["push", "shopline.batch_sync_flow_data"])
        .arg(file)
        .args(["--base-url", &format!("{url}/stores/{handle}")])
        .args(["--store-id", "1658921299465", "--source-type", "crm"])
        .args(["--progress", "log"])
        .env("SALESYNC_SHOPLINE_TOKEN", token)
        .env("SALESYNC_SHOPLINE_APP_KEY", "app-key-1")
        .env_remove("SALESYNC_BASE_URL")
        .output()
        .unwrap()
}

#[test]
fn stores_and_accounts_each_with_their_own_token() {
    let dir = scratch("mock-fleet");
    let mut mock = Reaped(
        salesync_command()
            .args(["mock", "--port", "0", "--stores", "3", "--accounts", "2"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut banner = BufReader::new(mock.0.stdout.take().unwrap());
    let mut text = String::new();
    for _ in 0..8 {
        banner.read_line(&mut text).unwrap();
    }
    let url = text
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {text:?}"))
        .to_owned();
    for expected in [
        "3 Shopline store(s), store-00001 to store-00003",
        &format!("export SALESYNC_BASE_URL={url}/stores/store-00001 SALESYNC_SHOPLINE_TOKEN=token-store-00001"),
        "2 Tencent account(s), account_id 1 to 2",
        "export SALESYNC_TENCENT_ACCESS_TOKEN=token-account-00001",
    ] {
        assert!(text.contains(expected), "{expected:?} not in\n{text}");
    }

    let flows = sample("shopline_flows.jsonl", &dir, "flows.jsonl");
    let output = push_to_store(&flows, &url, "store-00002", "token-store-00002");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}"); // 1: the sample's invalid row
    assert!(stdout.contains("4 sent"), "{stdout}");
    let again = sample("shopline_flows.jsonl", &dir, "again.jsonl");
    let refused = push_to_store(&again, &url, "store-00002", "token-store-00001");
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(stdout.contains("0 sent"), "{stdout}");
    assert_ne!(refused.status.code(), Some(0), "{stdout}");

    let sales = sample("tencent_salesinfo.jsonl", &dir, "sales.jsonl");
    let output = salesync_command()
        .args(["push", "tencent.salesinfo_add"])
        .arg(&sales)
        .args(["--base-url", &url, "--progress", "log"])
        .args([
            "--account-id",
            "2",
            "--user-action-set-id",
            "22",
            "--data-set-id",
            "33",
        ])
        .env("SALESYNC_TENCENT_ACCESS_TOKEN", "token-account-00002")
        .env_remove("SALESYNC_BASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("8 sent"), "{stdout}");

    Command::new("kill")
        .args(["-INT", &mock.0.id().to_string()])
        .status()
        .unwrap();
    let mut last = String::new();
    banner.read_line(&mut last).unwrap();
    banner.read_line(&mut last).unwrap();
    assert!(mock.0.wait().unwrap().success());
    assert!(
        last.contains("it held 8 Tencent salesinfo items, 4 Shopline flows"),
        "{last}"
    );
    assert!(
        last.contains("3 stores accepted 1 requests (0 bucket refusals, 0 rate-limited, 1 refused"),
        "{last}"
    );
    assert!(
        last.contains("2 accounts accepted 1 (0 rate-limited, 0 refused"),
        "{last}"
    );
}
