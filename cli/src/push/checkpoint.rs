//! The checkpoint: an append-only JSON Lines file of the batches the platform confirmed, so that a rerun sends
//! only the others.
//!
//! The first line is a header naming what the batches were formed from (endpoint, input file size and
//! modification time, batch limits, a fingerprint of the envelope); a checkpoint written for anything else is
//! refused rather than trusted. Each later line is one confirmed batch, written with a single `write` as soon as
//! the confirmation arrives, so a crash loses at most the line being written: a torn last line is dropped (and
//! cut off the file) on the next run, and its batch is sent again, which the platforms' upserts absorb.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::rejects::ErrorEntry;

/// The format version in the header.
const FORMAT: u32 = 1;

/// What the batches of a run were formed from. Two runs may share a checkpoint only if these are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Format version.
    pub salesync_checkpoint: u32,
    /// `vendor.operation`.
    pub endpoint: String,
    /// The input file.
    pub input: InputId,
    /// Most rows per batch.
    pub batch_rows: usize,
    /// Most bytes of row text per batch.
    pub batch_bytes: usize,
    /// Hex FNV-1a fingerprint of the envelope (which account, store or data set the rows went to); the values
    /// themselves are not written.
    pub envelope: String,
}

impl Header {
    /// A header of the current format.
    pub fn new(
        endpoint: String,
        input: InputId,
        batch_rows: usize,
        batch_bytes: usize,
        envelope: String,
    ) -> Self {
        Header {
            salesync_checkpoint: FORMAT,
            endpoint,
            input,
            batch_rows,
            batch_bytes,
            envelope,
        }
    }

    /// Why `self` (found in the file) does not fit `expected`, if it does not.
    fn mismatch(&self, expected: &Header) -> Option<String> {
        let what = if self.salesync_checkpoint != expected.salesync_checkpoint {
            format!(
                "format {} (this salesync writes {})",
                self.salesync_checkpoint, expected.salesync_checkpoint
            )
        } else if self.endpoint != expected.endpoint {
            format!("endpoint {} (not {})", self.endpoint, expected.endpoint)
        } else if self.input.size != expected.input.size
            || self.input.modified_ns != expected.input.modified_ns
        {
            format!(
                "an input file of {} bytes modified at {} ns (this one: {} bytes, {} ns): the file changed, or it is another file",
                self.input.size, self.input.modified_ns, expected.input.size, expected.input.modified_ns
            )
        } else if self.batch_rows != expected.batch_rows || self.batch_bytes != expected.batch_bytes
        {
            format!(
                "batches of {} rows / {} bytes (this run: {} rows / {} bytes)",
                self.batch_rows, self.batch_bytes, expected.batch_rows, expected.batch_bytes
            )
        } else if self.envelope != expected.envelope {
            "another envelope (account, store or data set)".to_owned()
        } else {
            return None;
        };
        Some(what)
    }
}

/// Identifies an input file without reading it: its size and modification time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputId {
    /// The path as given (informational: a moved file is still the same file).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified_ns: u128,
}

impl InputId {
    /// The identity of the file at `path`.
    pub fn of(path: &Path) -> io::Result<Self> {
        let metadata = std::fs::metadata(path)?;
        let modified_ns = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |since| since.as_nanos());
        Ok(InputId {
            path: path.display().to_string(),
            size: metadata.len(),
            modified_ns,
        })
    }
}

/// One confirmed batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    /// The batch's number in the file.
    pub batch: u64,
    /// Line of its first row.
    pub first_line: u64,
    /// Line of its last row.
    pub last_line: u64,
    /// Its rows, platform rejects included.
    pub rows: usize,
    /// Rows the platform refused, with its reasons (they are in the reject file, and go there again on a rerun).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedRow>,
}

/// A row of a confirmed batch that the platform refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// Its line.
    pub line: u64,
    /// The platform's reasons.
    pub errors: Vec<ErrorEntry>,
}

/// Why a checkpoint cannot be used.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing it failed.
    Io(PathBuf, io::Error),
    /// It was written for another input, endpoint, batch size or envelope.
    Mismatch(PathBuf, String),
    /// A line other than the last is not a checkpoint line.
    Corrupt(PathBuf, usize, String),
    /// Another run holds it.
    Busy(PathBuf),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(path, err) => write!(f, "checkpoint {}: {err}", path.display()),
            Error::Mismatch(path, what) => write!(
                f,
                "checkpoint {} was written for {what}; refusing to resume from it. \
                 Delete it to start over, or name another with --checkpoint",
                path.display()
            ),
            Error::Busy(path) => write!(
                f,
                "checkpoint {} is in use by another salesync push; wait for it to end",
                path.display()
            ),
            Error::Corrupt(path, line, what) => write!(
                f,
                "checkpoint {} line {line} is not a checkpoint entry ({what}); delete the file to start over",
                path.display()
            ),
        }
    }
}

/// An open checkpoint: what earlier runs confirmed, and the file new confirmations are appended to.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    file: File,
    confirmed: HashMap<u64, Confirmed>,
    /// A torn last line was dropped when opening.
    pub repaired: bool,
}

impl Checkpoint {
    /// Opens the checkpoint at `path` for `header`: creates it, or loads what it holds if it was written for
    /// the same header. A torn last line is cut off.
    pub fn open(path: &Path, header: &Header) -> Result<Self, Error> {
        let io_err = |err| Error::Io(path.to_owned(), err);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_err)?;
        // One run per checkpoint at a time: two would send the same batches and interleave their lines.
        if let Err(err) = file.try_lock() {
            return Err(match err {
                std::fs::TryLockError::WouldBlock => Error::Busy(path.to_owned()),
                std::fs::TryLockError::Error(err) => Error::Io(path.to_owned(), err),
            });
        }
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(io_err)?;
        let mut checkpoint = Checkpoint {
            path: path.to_owned(),
            file,
            confirmed: HashMap::new(),
            repaired: false,
        };
        let good = checkpoint.load(&text, header)?;
        if good == 0 {
            checkpoint.file.set_len(0).map_err(io_err)?;
            let mut line = serde_json::to_vec(header).expect("a header serializes");
            line.push(b'\n');
            checkpoint.append(&line).map_err(io_err)?;
        } else if good < text.len() {
            checkpoint.file.set_len(good as u64).map_err(io_err)?;
            checkpoint.repaired = true;
        }
        Ok(checkpoint)
    }

    /// Reads the header and the confirmed batches; gives the length of the good prefix of `text`.
    fn load(&mut self, text: &[u8], expected: &Header) -> Result<usize, Error> {
        let mut good = 0;
        let mut lines = text.split_inclusive(|&b| b == b'\n').enumerate().peekable();
        while let Some((n, line)) = lines.next() {
            let last = lines.peek().is_none();
            let complete = line.ends_with(b"\n");
            let parsed = if n == 0 {
                serde_json::from_slice::<Header>(line).map(|found| {
                    found
                        .mismatch(expected)
                        .map(|what| Error::Mismatch(self.path.clone(), what))
                        .map_or(Ok(None), Err)
                })
            } else {
                serde_json::from_slice::<Confirmed>(line).map(|confirmed| Ok(Some(confirmed)))
            };
            match parsed {
                Ok(Err(mismatch)) => return Err(mismatch),
                Ok(Ok(confirmed)) if complete => {
                    if let Some(confirmed) = confirmed {
                        self.confirmed.insert(confirmed.batch, confirmed);
                    }
                    good += line.len();
                }
                // The last line was being written when the run stopped: drop it. (A complete first line that
                // is not a header is no checkpoint of ours: never overwrite such a file.)
                _ if last && (n > 0 || (!complete && torn_header(line))) => break,
                Ok(Ok(_)) => unreachable!("only the last line can lack its newline"),
                Err(err) => {
                    let what = if n == 0 {
                        format!("not a checkpoint header: {err}")
                    } else {
                        err.to_string()
                    };
                    return Err(Error::Corrupt(self.path.clone(), n + 1, what));
                }
            }
        }
        Ok(good)
    }

    /// The path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many batches are confirmed.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.confirmed.len()
    }

    /// The confirmation of batch `seq` if an earlier run confirmed exactly these rows (first and last line
    /// and row count agree); else the batch is sent again.
    pub fn confirmed(
        &self,
        seq: u64,
        first_line: u64,
        last_line: u64,
        rows: usize,
    ) -> Option<&Confirmed> {
        self.confirmed
            .get(&seq)
            .filter(|c| c.first_line == first_line && c.last_line == last_line && c.rows == rows)
    }

    /// Records a confirmed batch: one line, written at once.
    pub fn confirm(&mut self, confirmed: Confirmed) -> io::Result<()> {
        let mut line = serde_json::to_vec(&confirmed).map_err(io::Error::other)?;
        line.push(b'\n');
        self.append(&line)?;
        self.confirmed.insert(confirmed.batch, confirmed);
        Ok(())
    }

    fn append(&mut self, line: &[u8]) -> io::Result<()> {
        use std::io::Seek;
        self.file.seek(io::SeekFrom::End(0))?;
        self.file.write_all(line)
    }

    /// Forces what was written to the disk.
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

/// Whether `line` is the start of a header whose writing was cut short.
fn torn_header(line: &[u8]) -> bool {
    const MARK: &[u8] = b"{\"salesync_checkpoint\"";
    MARK.starts_with(line) || line.starts_with(MARK)
}

/// A 64-bit FNV-1a hash as 16 hex digits: a stable fingerprint (std's hasher may change between releases).
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("salesync-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let _ = std::fs::remove_file(&path);
        path
    }

    fn header(size: u64) -> Header {
        let input = InputId {
            path: "rows.jsonl".into(),
            size,
            modified_ns: 1_700_000_000_000_000_000,
        };
        Header::new(
            "tencent.salesinfo_add".into(),
            input,
            50,
            1 << 22,
            fingerprint(&["1", "2", "3"]),
        )
    }

    fn batch(seq: u64) -> Confirmed {
        Confirmed {
            batch: seq,
            first_line: seq * 10 + 1,
            last_line: seq * 10 + 10,
            rows: 10,
            rejected: Vec::new(),
        }
    }

    #[test]
    fn round_trip() {
        let path = temp("round_trip");
        let mut checkpoint = Checkpoint::open(&path, &header(100)).unwrap();
        assert_eq!(checkpoint.len(), 0);
        checkpoint.confirm(batch(0)).unwrap();
        let mut with_reject = batch(2);
        with_reject.rejected.push(RejectedRow {
            line: 23,
            errors: vec![ErrorEntry {
                pointer: String::new(),
                column: None,
                rule: "platform".into(),
                message: "tencent API error 18003: bad".into(),
            }],
        });
        checkpoint.confirm(with_reject.clone()).unwrap();
        drop(checkpoint);

        let checkpoint = Checkpoint::open(&path, &header(100)).unwrap();
        assert_eq!(checkpoint.len(), 2);
        assert!(!checkpoint.repaired);
        assert_eq!(checkpoint.confirmed(0, 1, 10, 10), Some(&batch(0)));
        assert_eq!(checkpoint.confirmed(2, 21, 30, 10), Some(&with_reject));
        assert_eq!(checkpoint.confirmed(1, 11, 20, 10), None);
        // A batch formed differently this time is not taken as confirmed.
        assert_eq!(checkpoint.confirmed(0, 1, 10, 9), None);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.starts_with("{\"salesync_checkpoint\":1,\"endpoint\":\"tencent.salesinfo_add\"")
        );
    }

    #[test]
    fn a_checkpoint_of_another_input_is_refused() {
        let path = temp("mismatch");
        Checkpoint::open(&path, &header(100))
            .unwrap()
            .confirm(batch(0))
            .unwrap();
        let err = Checkpoint::open(&path, &header(101)).unwrap_err();
        assert!(matches!(err, Error::Mismatch(..)), "{err}");
        assert!(
            err.to_string()
                .contains("the file changed, or it is another file"),
            "{err}"
        );
        let mut other = header(100);
        other.batch_rows = 20;
        assert!(Checkpoint::open(&path, &other)
            .unwrap_err()
            .to_string()
            .contains("batches of 50 rows"));
        other = header(100);
        other.envelope = fingerprint(&["other"]);
        assert!(Checkpoint::open(&path, &other)
            .unwrap_err()
            .to_string()
            .contains("envelope"));
        other = header(100);
        other.endpoint = "shopline.batch_sync_flow_data".into();
        assert!(Checkpoint::open(&path, &other)
            .unwrap_err()
            .to_string()
            .contains("endpoint"));
        // The refused file is left as it was.
        assert_eq!(Checkpoint::open(&path, &header(100)).unwrap().len(), 1);
        // Not a checkpoint at all.
        std::fs::write(&path, "hello\n").unwrap();
        assert!(matches!(
            Checkpoint::open(&path, &header(100)).unwrap_err(),
            Error::Corrupt(_, 1, _)
        ));
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_cut_off() {
        let path = temp("torn");
        let mut checkpoint = Checkpoint::open(&path, &header(100)).unwrap();
        checkpoint.confirm(batch(0)).unwrap();
        checkpoint.confirm(batch(1)).unwrap();
        drop(checkpoint);
        let whole = std::fs::read(&path).unwrap();
        // Every cut inside the last line leaves the first batch confirmed, and appending goes on cleanly.
        let last_start = whole[..whole.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        for cut in last_start..whole.len() {
            std::fs::write(&path, &whole[..cut]).unwrap();
            let mut checkpoint = Checkpoint::open(&path, &header(100)).unwrap();
            assert_eq!(checkpoint.len(), 1, "cut at {cut}");
            assert_eq!(checkpoint.repaired, cut > last_start);
            checkpoint.confirm(batch(5)).unwrap();
            drop(checkpoint);
            let checkpoint = Checkpoint::open(&path, &header(100)).unwrap();
            assert_eq!(checkpoint.len(), 2, "cut at {cut}");
            assert!(checkpoint.confirmed(5, 51, 60, 10).is_some());
        }
        // A torn header (the run died at once) starts over.
        std::fs::write(&path, &whole[..10]).unwrap();
        assert_eq!(Checkpoint::open(&path, &header(100)).unwrap().len(), 0);
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("}\n"));
    }

    #[test]
    fn a_corrupt_middle_line_is_refused() {
        let path = temp("corrupt");
        let mut checkpoint = Checkpoint::open(&path, &header(100)).unwrap();
        checkpoint.confirm(batch(0)).unwrap();
        drop(checkpoint);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("garbage\n{\"batch\":1,\"first_line\":11,\"last_line\":20,\"rows\":10}\n");
        std::fs::write(&path, text).unwrap();
        let err = Checkpoint::open(&path, &header(100)).unwrap_err();
        assert!(matches!(err, Error::Corrupt(_, 3, _)), "{err}");
    }

    #[test]
    fn one_run_at_a_time() {
        let path = temp("busy");
        let first = Checkpoint::open(&path, &header(100)).unwrap();
        let err = Checkpoint::open(&path, &header(100)).unwrap_err();
        assert!(matches!(err, Error::Busy(_)), "{err}");
        drop(first);
        assert!(Checkpoint::open(&path, &header(100)).is_ok());
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
