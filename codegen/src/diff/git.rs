//! The schema directory as a git revision has it, for `codegen diff --base REV`: written into a scratch
//! directory with `git ls-tree` and `git show`, so that both sides are compared as files.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch copy of a schema directory at a revision; removed when dropped.
pub struct Checkout {
    pub dir: PathBuf,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `schemas` (a directory inside a git work tree) as revision `rev` has it.
pub fn checkout(schemas: &Path, rev: &str) -> Result<Checkout, String> {
    let prefix = git(schemas, &["rev-parse", "--show-prefix"])?
        .trim()
        .to_owned();
    let listing = git(
        schemas,
        &[
            "ls-tree",
            "-r",
            "--full-tree",
            "--name-only",
            &format!("{rev}:{prefix}"),
        ],
    )?;
    let dir = std::env::temp_dir().join(format!(
        "salesync-diff-{}-{}",
        std::process::id(),
        rev.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ));
    let checkout = Checkout { dir };
    for file in listing.lines().filter(|line| line.ends_with(".json")) {
        let text = git(schemas, &["show", &format!("{rev}:{prefix}{file}")])?;
        let path = checkout.dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("cannot write {}: {err}", parent.display()))?;
        }
        std::fs::write(&path, text)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    }
    std::fs::create_dir_all(&checkout.dir)
        .map_err(|err| format!("cannot write {}: {err}", checkout.dir.display()))?;
    Ok(checkout)
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| format!("git {}: output is not UTF-8", args.join(" ")))
}
