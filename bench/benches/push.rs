//! End to end: `salesync push` (the release binary, a child process) into the embedded mock on 127.0.0.1,
//! against a bare reqwest loop posting the same rows, pre-serialized into the same batches, at the same
//! concurrency; then the peak RSS of `salesync push` on each endpoint: Tencent's rows as above, Shopline's at a
//! realistic size (a flow with its nodes, about 2 KB: `shopline_flow_push_row`).
//!
//!     cargo build --release -p salesync-cli
//!     cargo bench -p salesync-bench --bench push
//!
//! On 2 cores the mock and the client compete for the CPU, so a client that needs any CPU at all loses to the
//! bare loop, which needs none; with `PIN=1` the mock runs on core 0 and the client (push, or the bare loop)
//! on core 1, which measures whether the client keeps up with the server.
//!
//! Environment: `PIN` (see above), `PUSH_ROWS` (rows per throughput run, default 200000), `PUSH_ROUNDS` (default 3; each round runs push, then
//! the bare loop, and the median of the rounds' ratios is reported), `RSS_ROWS` (rows of the memory runs, one
//! or more separated by commas, default 1000000; 0 skips them), `RSS_RPS` (push's `--rps` in the memory runs,
//! default 0: with a pace, rows wait in push's queues as behind a platform's bucket), `CONCURRENCY` (default 4, push's default),
//! `SALESYNC_BIN` (default `$CARGO_TARGET_DIR/release/salesync`, else `<workspace>/target/release/salesync`),
//! `KEEP` (keep the throughput runs' input files, to profile push on them), `LATENCY_MS` (default 0: every
//! answer of the mock held back this long, as a remote platform's round trip would be).
//!
//! Each row also gives the CPU time per row (user + system, from `/proc/self/stat`) of push (the child), of
//! the mock while push ran, and of the bench process while the bare loop ran (the loop and the mock together):
//! where the cores went.
//!
//! Not a criterion benchmark: one run pushes 200,000 rows, and the numbers wanted are rows/s and RSS.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use salesync_bench::fixtures::{
    shopline_flow_push_row, shopline_push_row, tencent_push_row, SHOPLINE_FLOW_IDS,
};
use salesync_mock::{MockConfig, MockServer, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN};
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Platform {
    Tencent,
    Shopline,
}

impl Platform {
    fn endpoint(self) -> &'static str {
        match self {
            Platform::Tencent => "tencent.salesinfo_add",
            Platform::Shopline => "shopline.batch_sync_flow_data",
        }
    }

    fn batch(self) -> usize {
        match self {
            Platform::Tencent => 50,
            Platform::Shopline => 100,
        }
    }

    fn row(self, i: u64) -> String {
        match self {
            Platform::Tencent => tencent_push_row(i),
            Platform::Shopline => shopline_push_row(i),
        }
    }

    /// A row of the memory runs: Shopline's is a whole flow with its nodes.
    fn rss_row(self, i: u64) -> String {
        match self {
            Platform::Tencent => tencent_push_row(i),
            Platform::Shopline => shopline_flow_push_row(i),
        }
    }

    /// What the mock holds after a memory run of `rows` rows (Shopline's flow ids repeat).
    fn rss_stored(self, rows: u64) -> u64 {
        match self {
            Platform::Tencent => rows,
            Platform::Shopline => rows.min(SHOPLINE_FLOW_IDS),
        }
    }

    /// The envelope of every request, as push builds it from the flags below; `{}` stands for the rows.
    fn envelope(self) -> (&'static str, &'static str) {
        match self {
            Platform::Tencent => (
                r#"{"account_id":11,"user_action_set_id":22,"data_set_id":33,"salesinfo":["#,
                "]}",
            ),
            Platform::Shopline => (
                r#"{"app_key":"app-key-1","store_id":"1658921299465","source_type":"crm","flow_data_list":["#,
                "]}",
            ),
        }
    }

    fn stored(self, mock: &MockServer) -> usize {
        let counts = mock.counts();
        match self {
            Platform::Tencent => counts.tencent_salesinfo,
            Platform::Shopline => counts.shopline_flows,
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn salesync_bin() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let bin = std::env::var_os("SALESYNC_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("release/salesync"));
    if !bin.exists() {
        eprintln!(
            "{} not found: run `cargo build --release -p salesync-cli` first",
            bin.display()
        );
        std::process::exit(2);
    }
    bin
}

fn write_rows(path: &Path, rows: u64, row: impl Fn(u64) -> String) -> u64 {
    let mut out = BufWriter::new(File::create(path).unwrap());
    for i in 0..rows {
        out.write_all(row(i).as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    fs::metadata(path).unwrap().len()
}

fn push_command(
    bin: &Path,
    url: &str,
    platform: Platform,
    file: &Path,
    concurrency: u64,
    rps: &str,
) -> Command {
    let mut command = Command::new(bin);
    command
        .args(["push", platform.endpoint()])
        .arg(file)
        .args([
            "--base-url",
            url,
            "--json",
            "--progress",
            "off",
            "--rps",
            rps,
        ])
        .args(["--concurrency", &concurrency.to_string()])
        .env_remove("SALESYNC_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match platform {
        Platform::Tencent => {
            command
                .env("SALESYNC_TENCENT_ACCESS_TOKEN", DEFAULT_TENCENT_TOKEN)
                .args(["--account-id", "11", "--user-action-set-id", "22"])
                .args(["--data-set-id", "33"]);
        }
        Platform::Shopline => {
            command
                .env("SALESYNC_SHOPLINE_TOKEN", DEFAULT_SHOPLINE_TOKEN)
                .env("SALESYNC_SHOPLINE_APP_KEY", "app-key-1")
                .args(["--store-id", "1658921299465", "--source-type", "crm"]);
        }
    }
    command
}

/// Removes what an earlier run left, so every run sends every row.
fn clean(file: &Path) {
    for suffix in [".checkpoint", ".rejects.jsonl"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

fn check_summary(output: &Output, rows: u64) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!(
            "push printed no JSON summary ({err}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(output.status.success(), "push failed: {summary}");
    assert_eq!(summary["sent"].as_u64(), Some(rows), "{summary}");
    summary
}

/// CPU seconds (user + system) used so far by this process (the mock, and the bare loop when it runs) and by
/// its waited-for children (push), from `/proc/self/stat`.
#[derive(Clone, Copy, Default)]
struct Cpu {
    own: f64,
    children: f64,
}

impl Cpu {
    fn now() -> Cpu {
        let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<f64> = stat
            .rsplit_once(')')
            .map(|(_, rest)| {
                rest.split_whitespace()
                    .map(|f| f.parse().unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let field = |n: usize| fields.get(n - 3).copied().unwrap_or(0.0) / clock_ticks();
        Cpu {
            own: field(14) + field(15),
            children: field(16) + field(17),
        }
    }

    fn since(self, start: Cpu) -> Cpu {
        Cpu {
            own: self.own - start.own,
            children: self.children - start.children,
        }
    }
}

/// Clock ticks per second of `/proc` times (`getconf CLK_TCK`, 100 on Linux).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Seconds for `salesync push` of the whole file, process start to exit.
fn run_push(
    bin: &Path,
    mock: &MockServer,
    platform: Platform,
    file: &Path,
    rows: u64,
    concurrency: u64,
) -> (f64, Cpu) {
    clean(file);
    mock.reset();
    let mut command = push_command(bin, &mock.url(), platform, file, concurrency, "0");
    let (start, cpu) = (Instant::now(), Cpu::now());
    let output = command.output().unwrap();
    let (seconds, cpu) = (start.elapsed().as_secs_f64(), Cpu::now().since(cpu));
    check_summary(&output, rows);
    assert_eq!(
        platform.stored(mock) as u64,
        rows,
        "the mock holds every row"
    );
    (seconds, cpu)
}

/// The same rows in the same batches as push sends them (consecutive rows, the schema's batch size), each
/// request body serialized once, before timing.
fn baseline_bodies(platform: Platform, rows: u64) -> Vec<&'static [u8]> {
    let (head, tail) = platform.envelope();
    let mut bodies = Vec::new();
    let mut i = 0;
    while i < rows {
        let end = (i + platform.batch() as u64).min(rows);
        let mut body = String::from(head);
        for row in i..end {
            if row > i {
                body.push(',');
            }
            body.push_str(&platform.row(row));
        }
        body.push_str(tail);
        bodies.push(&*Box::leak(body.into_bytes().into_boxed_slice()));
        i = end;
    }
    bodies
}

/// Seconds for a bare reqwest loop: `concurrency` tasks post the bodies, each with the platform's auth, and
/// read each answer; no validation, no retries, no pacing. A runtime of its own, as the push binary has.
fn run_baseline(
    mock: &MockServer,
    platform: Platform,
    bodies: &[&'static [u8]],
    rows: u64,
    concurrency: u64,
) -> (f64, Cpu) {
    mock.reset();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let base = mock.url();
    let next = Arc::new(AtomicUsize::new(0));
    // Nonces unique across runs: the mock refuses a nonce it has seen with the same token.
    static NONCE: AtomicU64 = AtomicU64::new(0);
    let bodies: Arc<Vec<&'static [u8]>> = Arc::new(bodies.to_vec());
    let (start, cpu) = (Instant::now(), Cpu::now());
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (client, base, next, bodies) =
                (client.clone(), base.clone(), next.clone(), bodies.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(index) else { break };
                    let request = match platform {
                        Platform::Tencent => {
                            let timestamp = SystemTime::now()
                                .duration_since(UNIX_EPOCH)
                                .unwrap()
                                .as_secs()
                                .to_string();
                            let nonce = format!(
                                "{:016x}{:016x}",
                                std::process::id(),
                                NONCE.fetch_add(1, Ordering::Relaxed)
                            );
                            client
                                .post(format!("{base}/v1.3/salesinfo/add"))
                                .query(&[
                                    ("access_token", DEFAULT_TENCENT_TOKEN),
                                    ("timestamp", timestamp.as_str()),
                                    ("nonce", nonce.as_str()),
                                ])
                                .header("content-type", "application/json")
                        }
                        Platform::Shopline => client
                            .post(format!(
                                "{base}/admin/openapi/v20260301/sales/flow/batch_sync_flow_data.json"
                            ))
                            .bearer_auth(DEFAULT_SHOPLINE_TOKEN)
                            .header("content-type", "application/json; charset=utf-8"),
                    };
                    let response = request.body(*body).send().await.unwrap();
                    let status = response.status();
                    let answer = response.bytes().await.unwrap();
                    let answer: Value = serde_json::from_slice(&answer).unwrap();
                    assert!(status.is_success(), "{status} {answer}");
                    if platform == Platform::Tencent {
                        assert_eq!(answer["code"], 0, "{answer}");
                    }
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    let (seconds, cpu) = (start.elapsed().as_secs_f64(), Cpu::now().since(cpu));
    assert_eq!(
        platform.stored(mock) as u64,
        rows,
        "the mock holds every row"
    );
    (seconds, cpu)
}

/// `taskset <args> <this process>`: pins this process's threads (Linux; `taskset` from util-linux).
fn pin(args: &[&str]) {
    let status = Command::new("taskset")
        .args(args)
        .arg(std::process::id().to_string())
        .stdout(Stdio::null())
        .status()
        .expect("PIN needs taskset (util-linux)");
    assert!(status.success(), "taskset {args:?} failed");
}

/// The cores each thread of this process may run on, by thread name: `name=cores, ...`.
fn affinities() -> String {
    let mut found = Vec::new();
    for task in fs::read_dir("/proc/self/task").unwrap().flatten() {
        let status = fs::read_to_string(task.path().join("status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        found.push(format!(
            "{}={}",
            field("Name:"),
            field("Cpus_allowed_list:")
        ));
    }
    found.sort();
    found.join(", ")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Peak RSS in kB of `command`, from `/usr/bin/time -v` when present, else from `VmHWM` polled in
/// `/proc/<pid>/status` while it runs.
fn peak_rss_kb(mut command: Command) -> (Output, u64, f64) {
    let time = Path::new("/usr/bin/time");
    let start = Instant::now();
    if time.exists() {
        let mut wrapped = Command::new(time);
        wrapped
            .arg("-v")
            .arg(command.get_program())
            .args(command.get_args());
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => wrapped.env(key, value),
                None => wrapped.env_remove(key),
            };
        }
        wrapped
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = wrapped.output().unwrap();
        let seconds = start.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let kb = stderr
            .lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|v| v.trim().parse().ok())
            .expect("/usr/bin/time -v reports the maximum resident set size");
        return (output, kb, seconds);
    }
    let child = command.spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let peak = Arc::new(AtomicU64::new(0));
    let watcher = {
        let peak = peak.clone();
        std::thread::spawn(move || {
            while let Ok(status) = fs::read_to_string(&status_file) {
                let Some(kb) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                else {
                    break; // a zombie: the process has exited
                };
                peak.fetch_max(kb, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let output = child.wait_with_output().unwrap();
    let seconds = start.elapsed().as_secs_f64();
    watcher.join().unwrap();
    (output, peak.load(Ordering::Relaxed), seconds)
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter may follow: nothing here to filter.
    let rows = env_number("PUSH_ROWS", 200_000);
    let rounds = env_number("PUSH_ROUNDS", 3).max(1);
    let rss_rows: Vec<u64> = std::env::var("RSS_ROWS")
        .unwrap_or_else(|_| "1000000".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .collect();
    let rss_rps = std::env::var("RSS_RPS").unwrap_or_else(|_| "0".to_owned());
    let concurrency = env_number("CONCURRENCY", 4);
    let keep = std::env::var_os("KEEP").is_some_and(|v| v != "0");
    let bin = salesync_bin();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("push-bench");
    fs::create_dir_all(&dir).unwrap();

    let pinned = std::env::var_os("PIN").is_some_and(|v| v != "0");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    if pinned {
        // Every thread that exists now, so the mock's workers created next, on core 0.
        pin(&["-a", "-p", "-c", "0"]);
    }
    // The mock on a runtime of its own (2 workers, as `salesync mock` has); the push client is a child process.
    let mock_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let latency = Duration::from_millis(env_number("LATENCY_MS", 0));
    let config = MockConfig::default()
        .with_rate_limit(None)
        .with_request_log_limit(16)
        .with_latency(latency);
    let mock = mock_runtime.block_on(MockServer::start_with(config));
    if pinned {
        // The main thread only: the baseline's runtime and the push child, created from it, get core 1.
        pin(&["-p", "-c", "1"]);
        mock_runtime.block_on(async { tokio::task::yield_now().await });
    }

    println!(
        "push: {rows} rows, concurrency {concurrency}, median of {rounds} rounds, answers held back {} ms; {} cores, {}",
        latency.as_millis(),
        cores,
        if pinned {
            "pinned: the mock on core 0, the client (push or the bare loop) on core 1"
        } else {
            "shared: the mock and the client on both cores"
        }
    );
    if pinned {
        println!("thread affinity: {}", affinities());
    }
    println!(
        "| endpoint | file | push rows/s | bare reqwest rows/s | push / bare | each round, in order \
         | CPU µs/row: push | mock (push run) | bare loop + mock |"
    );
    println!("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
    for platform in [Platform::Tencent, Platform::Shopline] {
        let file = dir.join(format!("{}-{rows}.jsonl", platform.endpoint()));
        let bytes = write_rows(&file, rows, |i| platform.row(i));
        let bodies = baseline_bodies(platform, rows);
        let mut push = Vec::new();
        let mut bare = Vec::new();
        for _ in 0..rounds {
            push.push(run_push(&bin, &mock, platform, &file, rows, concurrency));
            bare.push(run_baseline(&mock, platform, &bodies, rows, concurrency));
        }
        let per_row = |cpu: Vec<f64>| median(cpu) * 1e6 / rows as f64;
        let push_cpu = per_row(push.iter().map(|(_, cpu)| cpu.children).collect());
        let mock_cpu = per_row(push.iter().map(|(_, cpu)| cpu.own).collect());
        let bare_cpu = per_row(bare.iter().map(|(_, cpu)| cpu.own).collect());
        // Each round's push and bare runs are back to back: the ratio of a round is the least disturbed by
        // the load of the machine, which drifts between rounds.
        let ratios: Vec<f64> = push.iter().zip(&bare).map(|(p, b)| b.0 / p.0).collect();
        let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        let ratio = median(ratios);
        let rate = |runs: Vec<(f64, Cpu)>| rows as f64 / median(runs.iter().map(|r| r.0).collect());
        let (push, bare) = (rate(push), rate(bare));
        println!(
            "| {} | {:.1} MB | {push:.0} | {bare:.0} | {ratio:.2}x | {} | {push_cpu:.1} | {mock_cpu:.1} | {bare_cpu:.1} |",
            platform.endpoint(),
            bytes as f64 / 1e6,
            each.join(" "),
        );
        clean(&file);
        if keep {
            println!("kept {}", file.display());
        } else {
            let _ = fs::remove_file(&file);
        }
    }

    if !rss_rows.is_empty() {
        println!(
            "peak RSS (`/usr/bin/time -v`) of `salesync push`, concurrency {concurrency}, --rps {rss_rps}:"
        );
        println!("| endpoint | rows | file | peak RSS | time | rows/s |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    }
    for &rows in &rss_rows {
        for platform in [Platform::Tencent, Platform::Shopline] {
            let file = dir.join(format!("{}-rss-{rows}.jsonl", platform.endpoint()));
            let bytes = write_rows(&file, rows, |i| platform.rss_row(i));
            clean(&file);
            mock.reset();
            let command = push_command(&bin, &mock.url(), platform, &file, concurrency, &rss_rps);
            let (output, kb, seconds) = peak_rss_kb(command);
            check_summary(&output, rows);
            assert_eq!(
                platform.stored(&mock) as u64,
                platform.rss_stored(rows),
                "the mock holds every row"
            );
            println!(
                "| {} | {rows} | {:.0} MB | {:.1} MiB ({kb} kB) | {seconds:.1} s | {:.0} |",
                platform.endpoint(),
                bytes as f64 / 1e6,
                kb as f64 / 1024.0,
                rows as f64 / seconds
            );
            clean(&file);
            let _ = fs::remove_file(&file);
        }
    }
    mock.reset();
}
