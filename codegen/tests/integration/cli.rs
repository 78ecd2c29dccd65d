//! The generator's command line: `codegen` (generate), `codegen --check` (what `.ci/run` calls) and
//! `codegen diff`, each with `--help`, `--version`, clap's usage errors (exit 2) and the exit statuses the
//! docs/generator.md ("Changing a schema") documents. Writes only into scratch directories; the workspace's
//! `generated/` is read, never written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn codegen<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_codegen"))
        .args(args)
        .output()
        .unwrap()
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("codegen exited, not killed")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A directory of its own under the system's temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "salesync-codegen-cli-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The Tencent schema, with its batch limit lowered when `tighten`: a breaking change (`batch-limit-tightened`).
fn tencent_schema(tighten: bool) -> String {
    let text =
        std::fs::read_to_string(workspace().join("schemas/tencent/salesinfo_add.json")).unwrap();
    if !tighten {
        return text;
    }
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    schema["$defs"]["SalesinfoAddRequest"]["properties"]["salesinfo"]["maxItems"] = 40.into();
    serde_json::to_string_pretty(&schema).unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn help_describes_generate_check_and_diff() {
    let output = codegen(&["--help"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "Usage: codegen [OPTIONS]",
        "--check",
        "--schemas <DIR>",
        "--out <DIR>",
        "diff",
        "--version",
        "Exit status:",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
}

#[test]
fn diff_help_describes_its_arguments_and_exit_statuses() {
    let output = codegen(&["diff", "--help"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "Usage: codegen diff [OPTIONS] [OLD] [NEW]",
        "--base <REV>",
        "--schemas <DIR>",
        "--json",
        "Exit status:",
        "1  something is breaking",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
    // `codegen help diff` says the same.
    assert_eq!(stdout(&codegen(&["help", "diff"])), text);
}

#[test]
fn version_names_the_generator() {
    for args in [&["--version"][..], &["diff", "--version"]] {
        let output = codegen(args);
        assert_eq!(status(&output), 0, "{args:?}");
        assert!(
            stdout(&output).ends_with(&format!(" {}\n", env!("CARGO_PKG_VERSION"))),
            "{args:?}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn unknown_arguments_exit_2_naming_them() {
    for (args, named) in [
        (&["--bogus"][..], "--bogus"),
        (&["--check", "extra"], "extra"),
        (&["diff", "--bogus", "a", "b"], "--bogus"),
        (&["diff", "a", "b", "c"], "'c'"),
        (&["--check", "diff"], "diff"),
    ] {
        let output = codegen(args);
        assert_eq!(status(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains(named),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn diff_needs_old_and_new_or_base_but_not_both() {
    for args in [
        &["diff"][..],
        &["diff", "only-old"],
        &["diff", "--base", "HEAD", "old", "new"],
        &["diff", "--base"],
        &["--out"],
    ] {
        let output = codegen(args);
        assert_eq!(status(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).starts_with("error: "), "{args:?}");
    }
}

#[test]
fn check_passes_on_the_workspace_as_ci_runs_it() {
    // `.ci/run`: `cargo run --locked -q -p codegen -- --check`. A flag given twice is taken once.
    for args in [&["--check"][..], &["--check", "--check"]] {
        let output = codegen(args);
        assert_eq!(status(&output), 0, "{}", stderr(&output));
        assert!(stdout(&output).starts_with("generated code is up to date"));
    }
}

#[test]
fn generate_writes_into_out_and_check_names_the_drift() {
    let scratch = Scratch::new("generate");
    let out = scratch.path("generated");
    let out = out.to_str().unwrap();
    let missing = codegen(&["--check", "--out", out]);
    assert_eq!(status(&missing), 1);
    assert!(
        stderr(&missing).contains("drift: generated/mod.rs is missing"),
        "{}",
        stderr(&missing)
    );

    let written = codegen(&["--out", out]);
    assert_eq!(status(&written), 0, "{}", stderr(&written));
    assert!(stdout(&written).starts_with("generated "));
    assert_eq!(status(&codegen(&["--check", "--out", out])), 0);

    let module = scratch.path("generated/tencent/salesinfo_add.rs");
    let text = std::fs::read_to_string(&module).unwrap();
    std::fs::write(&module, text.replacen("pub ", "pub(crate) ", 1)).unwrap();
    write(&scratch.path("generated/stale.rs"), "// left over\n");
    let drifted = codegen(&["--check", "--out", out]);
    assert_eq!(status(&drifted), 1);
    let report = stderr(&drifted);
    assert!(
        report.contains("drift: generated/tencent/salesinfo_add.rs differs from the schemas"),
        "{report}"
    );
    assert!(
        report.contains("drift: generated/stale.rs is not generated by any schema"),
        "{report}"
    );
}

#[test]
fn a_schema_the_generator_refuses_exits_2() {
    let scratch = Scratch::new("refused");
    write(&scratch.path("schemas/acme/broken.json"), "{ not json");
    let schemas = scratch.path("schemas");
    let out = scratch.path("generated");
    for check in [true, false] {
        let mut args = vec![
            "--schemas",
            schemas.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if check {
            args.push("--check");
        }
        let output = codegen(&args);
        assert_eq!(status(&output), 2, "{}", stderr(&output));
        assert!(
            stderr(&output).contains("broken.json"),
            "{}",
            stderr(&output)
        );
    }
    assert!(!out.exists(), "nothing is written when a schema is refused");
}

#[test]
fn diff_of_identical_schemas_prints_nothing_and_exits_0() {
    let schemas = workspace().join("schemas");
    let schemas = schemas.to_str().unwrap();
    for json in [false, true] {
        let mut args = vec!["diff", schemas, schemas];
        if json {
            args.push("--json");
        }
        let output = codegen(&args);
        assert_eq!(status(&output), 0, "{}", stderr(&output));
        assert_eq!(stdout(&output), "");
    }
}

#[test]
fn a_breaking_diff_exits_1_as_a_table_or_json_lines() {
    let scratch = Scratch::new("breaking");
    let (old, new) = (scratch.path("old.json"), scratch.path("new.json"));
    write(&old, &tencent_schema(false));
    write(&new, &tencent_schema(true));
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());

    let table = codegen(&["diff", old, new]);
    assert_eq!(status(&table), 1, "{}", stderr(&table));
    let text = stdout(&table);
    assert!(text.contains("| schema | pointer | change |"), "{text}");
    assert!(text.contains("batch-limit-tightened"), "{text}");

    let json = codegen(&["diff", "--json", old, new]);
    assert_eq!(status(&json), 1);
    let lines: Vec<serde_json::Value> = stdout(&json)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&json));
    assert_eq!(lines[0]["change"], "batch-limit-tightened");
    assert_eq!(lines[0]["wire"], "breaking");

    // In reverse the limit loosens: nothing breaks.
    assert_eq!(status(&codegen(&["diff", new, old])), 0);
}

#[test]
fn diff_of_a_schema_that_does_not_load_exits_2() {
    let scratch = Scratch::new("unloadable");
    let old = workspace().join("schemas/tencent/salesinfo_add.json");
    let missing = scratch.path("missing.json");
    let output = codegen(&[
        std::ffi::OsStr::new("diff"),
        old.as_os_str(),
        missing.as_os_str(),
    ]);
    assert_eq!(status(&output), 2);
    assert!(stderr(&output).contains("in NEW"), "{}", stderr(&output));
}

/// `git` in a scratch repository, without the user's hooks or signing.
fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "commit.gpgSign=false",
        ])
        .args([
            "-c",
            "user.name=codegen test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn diff_base_compares_the_schemas_with_a_git_revision() {
    let scratch = Scratch::new("base");
    let repo = scratch.path("repo");
    let schema = repo.join("schemas/tencent/salesinfo_add.json");
    write(&schema, &tencent_schema(false));
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "schemas"]);
    let schemas = repo.join("schemas");
    let schemas = schemas.to_str().unwrap();

    let same = codegen(&["diff", "--base", "HEAD", "--schemas", schemas]);
    assert_eq!(status(&same), 0, "{}", stderr(&same));
    assert_eq!(stdout(&same), "");

    write(&schema, &tencent_schema(true));
    let changed = codegen(&["diff", "--base", "HEAD", "--schemas", schemas, "--json"]);
    assert_eq!(status(&changed), 1, "{}", stderr(&changed));
    assert!(stdout(&changed).contains("\"change\":\"batch-limit-tightened\""));

    let unknown = codegen(&["diff", "--base", "no-such-revision", "--schemas", schemas]);
    assert_eq!(status(&unknown), 2);
    assert!(
        stderr(&unknown).contains("cannot read the schemas at `no-such-revision`"),
        "{}",
        stderr(&unknown)
    );
}
