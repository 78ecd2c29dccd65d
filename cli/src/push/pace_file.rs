//! The pace across processes: where the platform's bucket stood when the last push to it stopped, in a small
//! file per bucket (Shopline: per app and store; Tencent: per account), so that a push restarted at once, or a
//! second push to the same store right after the first, waits for the bucket to drain instead of opening with
//! a fresh burst into it (a strict platform answers that burst with 429s).
//!
//! The files live in `--pace-dir`, else `$SALESYNC_STATE_DIR`, else `$XDG_STATE_HOME/salesync`, else
//! `~/.local/state/salesync` (`%LOCALAPPDATA%\salesync` on Windows). They hold no credential: the bucket is
//! named by a fingerprint of what identifies it.

use std::io;
use std::path::{Path, PathBuf};

use salesync::client::PaceState;

use super::checkpoint::fingerprint;

/// One bucket's file.
#[derive(Debug, Clone)]
pub struct PaceFile {
    path: PathBuf,
}

impl PaceFile {
    /// The file of the bucket `parts` identify (vendor, host, store or account), in `dir`.
    pub fn in_dir(dir: &Path, vendor: &str, parts: &[&str]) -> Self {
        let mut all = vec![vendor];
        all.extend_from_slice(parts);
        PaceFile {
            path: dir.join(format!("pace-{vendor}-{}.json", fingerprint(&all))),
        }
    }

    /// The directory the state files go to by default, if the environment names one.
    pub fn default_dir() -> Option<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        if let Some(dir) = var("SALESYNC_STATE_DIR") {
            return Some(PathBuf::from(dir));
        }
        if let Some(dir) = var("XDG_STATE_HOME") {
            return Some(PathBuf::from(dir).join("salesync"));
        }
        if cfg!(windows) {
            if let Some(dir) = var("LOCALAPPDATA") {
                return Some(PathBuf::from(dir).join("salesync"));
            }
        }
        var("HOME").map(|home| PathBuf::from(home).join(".local/state/salesync"))
    }

    /// Where the file is.
    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The state saved by the last push to this bucket; `None` when there is none or it cannot be read (a
    /// pace file is a hint: a broken one is ignored, never an error).
    pub fn load(&self) -> Option<PaceState> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The state saved by the last push to this bucket, unless it is stale (its bucket has drained since: it
    /// would slow nothing).
    pub fn load_fresh(&self) -> Option<PaceState> {
        let state = self.load()?;
        if state.is_stale(std::time::SystemTime::now()) {
            tracing::debug!(path = %self.path.display(), ?state, "the last push's pace is stale: its bucket has drained");
            return None;
        }
        tracing::info!(path = %self.path.display(), ?state, "pace picked up from the last push");
        Some(state)
    }

    /// Saves `state`; a failure is only logged (the pace file is a hint).
    pub fn save_quietly(&self, state: PaceState) {
        if let Err(err) = self.save(state) {
            tracing::debug!(path = %self.path.display(), %err, "cannot save the pace");
        }
    }

    /// Saves `state`, replacing the file whole (written beside it, then renamed), so a crash never leaves a
    /// torn file.
    pub fn save(&self, state: PaceState) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(format!(".{}.tmp", std::process::id()));
        let temporary = PathBuf::from(temporary);
        let text = serde_json::to_string(&state).map_err(io::Error::other)?;
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_state_loads_back_and_a_broken_file_is_no_state() {
        let dir = std::env::temp_dir().join(format!("salesync-pace-{}", std::process::id()));
        let file = PaceFile::in_dir(&dir, "shopline", &["http://127.0.0.1:1", "app", "store-1"]);
        assert!(file.load().is_none());
        let state = PaceState {
            busy_until_unix_ms: 1_800_000_000_000,
            slowdown: 2.0,
        };
        file.save(state).unwrap();
        assert_eq!(file.load(), Some(state));
        let name = file
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with("pace-shopline-") && !name.contains("store-1"),
            "{name}"
        );
        std::fs::write(file.path(), "{not json").unwrap();
        assert!(file.load().is_none());
        // Another store is another bucket.
        let other = PaceFile::in_dir(&dir, "shopline", &["http://127.0.0.1:1", "app", "store-2"]);
        assert_ne!(other.path(), file.path());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
