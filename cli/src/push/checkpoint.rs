//! The checkpoint: an append-only JSON Lines file of the rows the platform confirmed, recognised by their
//! content, so that a rerun sends exactly the rows not confirmed yet, whatever was edited, appended or removed
//! in between.
//!
//! The first line is a header naming what the rows were confirmed for (the endpoint and a fingerprint of the
//! envelope: the account, store or data set) and how rows are hashed; a checkpoint written for anything else is
//! refused rather than trusted. Each later line is one request's worth of rows, written with a single `write`
//! as soon as the answer arrives: `{"ok": [hash, ...], "refused": [{"row": hash, "errors": [...]}]}`, each hash
//! 16 hex digits. A crash loses at most the line being written: a torn last line is dropped (and cut off the
//! file) on the next run, and its rows are sent again, which the platforms' upserts absorb.
//!
//! A row's hash is the 64-bit XXH3 of its item's canonical form ([`super::canonical`]: the members in schema
//! order, numbers as the item holds them, in a binary form that costs a fraction of writing JSON), so
//! whitespace, member order or line endings in the input do not change it, and the same row from a reject
//! file, a failed file, CSV or a request body is the same row. 64 bits keep
//! 1,000,000 confirmed rows in 8 MB (a sorted `Vec<u64>`, binary-searched). Two different rows share a hash with
//! a chance of about n·m / 2^64 for n confirmed rows and m rows read (1e6 × 1e6: 5e-8); should it happen, the
//! row whose hash collides is taken as confirmed and not sent (counted `skipped`). 128 bits would make that
//! 2^64 times rarer at twice the memory; a stable, fast 64-bit hash is the trade made here.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::rejects::ErrorEntry;

/// The format version in the header.
const FORMAT: u32 = 2;

/// How rows are hashed, as the header says it.
pub const ROW_HASH: &str = "xxh3-64 of the item's canonical form 1";

/// How the rows of a fleet push (`--tenants`) are hashed: seeded by their tenant (its id and envelope), so a
/// row confirmed for one store or account is not taken as confirmed for another.
pub const ROW_HASH_BY_TENANT: &str = "xxh3-64 of the item's canonical form 1, seeded by the tenant";

/// What the rows of a checkpoint were confirmed for. Two runs may share a checkpoint only if these are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Format version.
    pub salesync_checkpoint: u32,
    /// `vendor.operation`.
    pub endpoint: String,
    /// Hex FNV-1a fingerprint of the envelope (which account, store or data set the rows went to); the values
    /// themselves are not written.
    pub envelope: String,
    /// How each row's hash is made ([`ROW_HASH`]).
    pub row_hash: String,
}

impl Header {
    /// A header of the current format.
    pub fn new(endpoint: String, envelope: String) -> Self {
        Header {
            salesync_checkpoint: FORMAT,
            endpoint,
            envelope,
            row_hash: ROW_HASH.to_owned(),
        }
    }

    /// The header of a fleet push: its rows' hashes are seeded by their tenant, and `envelope` is the
    /// fingerprint of what all tenants share (the tenants' own envelopes are in their rows' seeds).
    pub fn for_tenants(endpoint: String, envelope: String) -> Self {
        Header {
            row_hash: ROW_HASH_BY_TENANT.to_owned(),
            ..Header::new(endpoint, envelope)
        }
    }

    /// Why `self` (found in the file) does not fit `expected`, if it does not.
    fn mismatch(&self, expected: &Header) -> Option<String> {
        let what = if self.endpoint != expected.endpoint {
            format!("endpoint {} (not {})", self.endpoint, expected.endpoint)
        } else if self.envelope != expected.envelope {
            "another envelope (account, store or data set): its rows were delivered there, not here"
                .to_owned()
        } else if self.row_hash != expected.row_hash {
            format!(
                "rows hashed as `{}` (this salesync: `{}`)",
                self.row_hash, expected.row_hash
            )
        } else {
            return None;
        };
        Some(what)
    }
}

/// The version of a header line, read before the rest of it.
#[derive(Deserialize)]
struct Version {
    salesync_checkpoint: u32,
}

/// A row's hash, written as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Hex(u64);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 16];
        for (n, digit) in text.iter_mut().enumerate() {
            *digit = DIGITS[(self.0 >> (60 - 4 * n) & 0xf) as usize];
        }
        serializer.serialize_str(std::str::from_utf8(&text).expect("hex digits"))
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        if text.len() != 16 {
            return Err(serde::de::Error::custom("a row hash is 16 hex digits"));
        }
        u64::from_str_radix(text, 16)
            .map(Hex)
            .map_err(|_| serde::de::Error::custom("a row hash is 16 hex digits"))
    }
}

/// A line after the header, as written.
#[derive(Serialize)]
struct EntryOut<'a> {
    #[serde(skip_serializing_if = "<[Hex]>::is_empty")]
    ok: &'a [Hex],
    #[serde(skip_serializing_if = "<[RefusedOut<'_>]>::is_empty")]
    refused: &'a [RefusedOut<'a>],
}

#[derive(Serialize)]
struct RefusedOut<'a> {
    row: Hex,
    errors: &'a [ErrorEntry],
}

/// A line after the header, as loaded: the refusals' errors are not kept in memory (they are read again from
/// the file when their row comes up), so that a checkpoint of many refusals stays small too.
#[derive(Deserialize)]
struct EntryIn {
    #[serde(default)]
    ok: Vec<Hex>,
    #[serde(default)]
    refused: Vec<RefusedIn>,
}

#[derive(Deserialize)]
struct RefusedIn {
    row: Hex,
    #[allow(dead_code)]
    errors: IgnoredAny,
}

/// A line after the header, with the refusals' errors.
#[derive(Deserialize)]
struct EntryFull {
    #[serde(default)]
    refused: Vec<RefusedFull>,
}

#[derive(Deserialize)]
struct RefusedFull {
    row: Hex,
    errors: Vec<ErrorEntry>,
}

/// What an earlier run learnt of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// The platform accepted it: not sent again.
    Confirmed,
    /// The platform refused it, for these reasons: listed in the reject file again, not sent.
    Refused(Vec<ErrorEntry>),
}

/// Why a checkpoint cannot be used.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing it failed.
    Io(PathBuf, io::Error),
    /// It was written for another endpoint or envelope.
    Mismatch(PathBuf, String),
    /// It was written in another format (1: by batch number and line range, before rows were kept by content).
    Format(PathBuf, u32),
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
            Error::Format(path, 1) => write!(
                f,
                "checkpoint {} is of format 1 (batches by number and line range, written by an earlier \
                 salesync); this salesync keeps confirmed rows by content (format 2) and cannot tell which rows those \
                 batches held. Finish that job with the salesync that started it, or delete the checkpoint to \
                 start over (its rows are then sent again, which the platforms' upserts absorb)",
                path.display()
            ),
            Error::Format(path, version) => write!(
                f,
                "checkpoint {} is of format {version}, which this salesync does not know (it writes format \
                 {FORMAT}); use the salesync that wrote it, or delete it to start over",
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
    /// Hashes of the rows earlier runs confirmed, sorted, without duplicates.
    confirmed: Vec<u64>,
    /// Hashes of the rows earlier runs saw refused, sorted, each with the offset of the line holding its
    /// errors.
    refused: Vec<(u64, u64)>,
    /// A torn last line was dropped when opening.
    pub repaired: bool,
}

impl Checkpoint {
    /// Opens the checkpoint at `path` for `header`: creates it, or loads what it holds if it was written for
    /// the same header. A torn last line is cut off.
    pub fn open(path: &Path, header: &Header) -> Result<Self, Error> {
        let io_err = |err| Error::Io(path.to_owned(), err);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_err)?;
        // One run per checkpoint at a time: two would send the same rows and interleave their lines.
        if let Err(err) = file.try_lock() {
            return Err(match err {
                std::fs::TryLockError::WouldBlock => Error::Busy(path.to_owned()),
                std::fs::TryLockError::Error(err) => Error::Io(path.to_owned(), err),
            });
        }
        let mut checkpoint = Checkpoint {
            path: path.to_owned(),
            file,
            confirmed: Vec::new(),
            refused: Vec::new(),
            repaired: false,
        };
        let (good, len) = checkpoint.load(header)?;
        if good == 0 {
            checkpoint.file.set_len(0).map_err(io_err)?;
            let mut line = serde_json::to_vec(header).expect("a header serializes");
            line.push(b'\n');
            checkpoint.append(&line).map_err(io_err)?;
        } else if good < len {
            checkpoint.file.set_len(good).map_err(io_err)?;
            checkpoint.repaired = true;
        }
        Ok(checkpoint)
    }

    /// Reads the header and the entries, line by line; gives the length of the good prefix of the file and
    /// the file's length.
    fn load(&mut self, expected: &Header) -> Result<(u64, u64), Error> {
        let io_err = |err| Error::Io(self.path.clone(), err);
        let len = self.file.metadata().map_err(io_err)?.len();
        // Each confirmed row takes at least 18 bytes of the file (`"<16 hex digits>"`, then `,` or `]`): room for
        // all of them at once.
        self.confirmed
            .reserve(usize::try_from(len / 18).unwrap_or(0));
        let mut reader = BufReader::with_capacity(64 * 1024, &self.file);
        let mut line = Vec::new();
        let (mut good, mut n) = (0u64, 0usize);
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line).map_err(io_err)?;
            if read == 0 {
                break;
            }
            let complete = line.ends_with(b"\n");
            let last = good + read as u64 >= len;
            if n == 0 {
                if !complete {
                    // A header cut short (the run died at once): start over.
                    if torn_header(&line) {
                        break;
                    }
                    return Err(Error::Corrupt(
                        self.path.clone(),
                        1,
                        "not a checkpoint header".to_owned(),
                    ));
                }
                self.header(&line, expected)?;
            } else {
                match serde_json::from_slice::<EntryIn>(&line) {
                    Ok(entry) if complete => {
                        self.confirmed.extend(entry.ok.iter().map(|hex| hex.0));
                        self.refused
                            .extend(entry.refused.iter().map(|refused| (refused.row.0, good)));
                    }
                    // The last line was being written when the run stopped: drop it.
                    _ if last => break,
                    Ok(_) => unreachable!("only the last line can lack its newline"),
                    Err(err) => {
                        return Err(Error::Corrupt(self.path.clone(), n + 1, err.to_string()))
                    }
                }
            }
            good += read as u64;
            n += 1;
        }
        self.confirmed.sort_unstable();
        self.confirmed.dedup();
        if self.confirmed.capacity() > 2 * self.confirmed.len() + 1024 {
            self.confirmed.shrink_to_fit();
        }
        // The latest refusal of a row is found first.
        self.refused
            .sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        Ok((good, len))
    }

    /// Checks the header line (a complete one).
    fn header(&self, line: &[u8], expected: &Header) -> Result<(), Error> {
        let corrupt = |err: serde_json::Error| {
            Error::Corrupt(
                self.path.clone(),
                1,
                format!("not a checkpoint header: {err}"),
            )
        };
        let version = serde_json::from_slice::<Version>(line).map_err(corrupt)?;
        if version.salesync_checkpoint != FORMAT {
            return Err(Error::Format(
                self.path.clone(),
                version.salesync_checkpoint,
            ));
        }
        let found = serde_json::from_slice::<Header>(line).map_err(corrupt)?;
        match found.mismatch(expected) {
            Some(what) => Err(Error::Mismatch(self.path.clone(), what)),
            None => Ok(()),
        }
    }

    /// The path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many distinct rows earlier runs confirmed.
    pub fn confirmed_rows(&self) -> usize {
        self.confirmed.len()
    }

    /// What earlier runs learnt of the row of hash `hash`, if anything. A row both confirmed and refused (two
    /// runs judged it differently) is confirmed.
    pub fn known(&self, hash: u64) -> io::Result<Option<Known>> {
        if self.confirmed.binary_search(&hash).is_ok() {
            return Ok(Some(Known::Confirmed));
        }
        let at = self.refused.partition_point(|(refused, _)| *refused < hash);
        match self.refused.get(at) {
            Some(&(found, offset)) if found == hash => self
                .errors_at(offset, hash)
                .map(|errors| Some(Known::Refused(errors))),
            _ => Ok(None),
        }
    }

    /// The errors of the refusal of `hash` on the line at `offset`.
    fn errors_at(&self, offset: u64, hash: u64) -> io::Result<Vec<ErrorEntry>> {
        let mut file = &self.file;
        file.seek(SeekFrom::Start(offset))?;
        let mut line = Vec::new();
        BufReader::new(file).read_until(b'\n', &mut line)?;
        let entry: EntryFull = serde_json::from_slice(&line).map_err(io::Error::other)?;
        entry
            .refused
            .into_iter()
            .find(|refused| refused.row.0 == hash)
            .map(|refused| refused.errors)
            .ok_or_else(|| io::Error::other("the refusal is no longer where it was read"))
    }

    /// Records the rows of one request the platform answered: those it accepted and those it refused, with its
    /// reasons. One line, written at once; nothing is written when there is nothing to record.
    pub fn record(&mut self, ok: &[u64], refused: &[(u64, &[ErrorEntry])]) -> io::Result<()> {
        if ok.is_empty() && refused.is_empty() {
            return Ok(());
        }
        let ok: Vec<Hex> = ok.iter().copied().map(Hex).collect();
        let refused: Vec<RefusedOut<'_>> = refused
            .iter()
            .map(|(hash, errors)| RefusedOut {
                row: Hex(*hash),
                errors,
            })
            .collect();
        let entry = EntryOut {
            ok: &ok,
            refused: &refused,
        };
        let mut line = serde_json::to_vec(&entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.append(&line)
    }

    fn append(&mut self, line: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::End(0))?;
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

/// A row's hash: XXH3-64 of its item's canonical form, written in `buffer` (reused from row to row), seeded
/// by its tenant in a fleet push (0: one tenant, the unseeded hash).
pub fn row_hash<T: Serialize>(item: &T, buffer: &mut Vec<u8>, seed: u64) -> u64 {
    // An item that does not serialize cannot be sent either, so it is never confirmed: whatever was written
    // of it is as good a hash as any.
    let _ = super::canonical::write(item, buffer);
    if seed == 0 {
        xxhash_rust::xxh3::xxh3_64(buffer)
    } else {
        xxhash_rust::xxh3::xxh3_64_with_seed(buffer, seed)
    }
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

    fn header() -> Header {
        Header::new(
            "tencent.salesinfo_add".into(),
            fingerprint(&["1", "2", "3"]),
        )
    }

    fn refusal(message: &str) -> Vec<ErrorEntry> {
        vec![ErrorEntry::whole("platform", message)]
    }

    #[test]
    fn round_trip() {
        let path = temp("round_trip");
        let mut checkpoint = Checkpoint::open(&path, &header()).unwrap();
        assert_eq!(checkpoint.confirmed_rows(), 0);
        checkpoint.record(&[3, 1, 2], &[]).unwrap();
        let bad = refusal("tencent API error 18003: bad");
        checkpoint.record(&[7, 1], &[(9, &bad)]).unwrap();
        checkpoint.record(&[], &[]).unwrap();
        // Rows confirmed in this run are not looked up again in it: the earlier runs' rows only.
        assert_eq!(checkpoint.known(1).unwrap(), None);
        drop(checkpoint);

        let checkpoint = Checkpoint::open(&path, &header()).unwrap();
        assert_eq!(checkpoint.confirmed_rows(), 4);
        assert!(!checkpoint.repaired);
        for hash in [1, 2, 3, 7] {
            assert_eq!(checkpoint.known(hash).unwrap(), Some(Known::Confirmed));
        }
        assert_eq!(checkpoint.known(9).unwrap(), Some(Known::Refused(bad)));
        assert_eq!(checkpoint.known(4).unwrap(), None);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.starts_with(
                "{\"salesync_checkpoint\":2,\"endpoint\":\"tencent.salesinfo_add\",\"envelope\":"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "\n{\"ok\":[\"0000000000000003\",\"0000000000000001\",\"0000000000000002\"]}\n"
            ),
            "{text}"
        );
        assert!(text.contains("\"refused\":[{\"row\":\"0000000000000009\",\"errors\":[{\"pointer\":\"\",\"rule\":\"platform\""), "{text}");
    }

    #[test]
    fn a_row_confirmed_after_a_refusal_is_confirmed_and_the_latest_refusal_wins() {
        let path = temp("latest");
        let mut checkpoint = Checkpoint::open(&path, &header()).unwrap();
        let (first, second) = (refusal("first"), refusal("second"));
        checkpoint.record(&[], &[(5, &first), (6, &first)]).unwrap();
        checkpoint.record(&[5], &[(6, &second)]).unwrap();
        drop(checkpoint);
        let checkpoint = Checkpoint::open(&path, &header()).unwrap();
        assert_eq!(checkpoint.known(5).unwrap(), Some(Known::Confirmed));
        assert_eq!(checkpoint.known(6).unwrap(), Some(Known::Refused(second)));
    }

    #[test]
    fn a_checkpoint_of_another_endpoint_or_envelope_is_refused() {
        let path = temp("mismatch");
        Checkpoint::open(&path, &header())
            .unwrap()
            .record(&[1], &[])
            .unwrap();
        let mut other = header();
        other.envelope = fingerprint(&["other"]);
        let err = Checkpoint::open(&path, &other).unwrap_err();
        assert!(matches!(err, Error::Mismatch(..)), "{err}");
        assert!(err.to_string().contains("another envelope"), "{err}");
        other = header();
        other.endpoint = "shopline.batch_sync_flow_data".into();
        assert!(Checkpoint::open(&path, &other)
            .unwrap_err()
            .to_string()
            .contains("endpoint"));
        // The refused file is left as it was.
        assert_eq!(
            Checkpoint::open(&path, &header()).unwrap().confirmed_rows(),
            1
        );
        // Not a checkpoint at all.
        std::fs::write(&path, "hello\n").unwrap();
        assert!(matches!(
            Checkpoint::open(&path, &header()).unwrap_err(),
            Error::Corrupt(_, 1, _)
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
    }

    #[test]
    fn a_checkpoint_of_format_1_is_refused_with_what_to_do() {
        let path = temp("v1");
        let v1 = concat!(
            r#"{"salesync_checkpoint":1,"endpoint":"tencent.salesinfo_add","input":{"path":"rows.jsonl","size":100,"modified_ns":1},"batch_rows":50,"batch_bytes":4194304,"envelope":"0123456789abcdef"}"#,
            "\n",
            r#"{"batch":0,"first_line":1,"last_line":10,"rows":10}"#,
            "\n"
        );
        std::fs::write(&path, v1).unwrap();
        let err = Checkpoint::open(&path, &header()).unwrap_err();
        assert!(matches!(err, Error::Format(_, 1)), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("format 1") && text.contains("delete the checkpoint"),
            "{text}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            v1,
            "left as it was"
        );
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_cut_off() {
        let path = temp("torn");
        let mut checkpoint = Checkpoint::open(&path, &header()).unwrap();
        checkpoint.record(&[1, 2], &[]).unwrap();
        checkpoint.record(&[3], &[(4, &refusal("no"))]).unwrap();
        drop(checkpoint);
        let whole = std::fs::read(&path).unwrap();
        // Every cut inside the last line leaves the first entry, and appending goes on cleanly.
        let last_start = whole[..whole.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        for cut in last_start..whole.len() {
            std::fs::write(&path, &whole[..cut]).unwrap();
            let mut checkpoint = Checkpoint::open(&path, &header()).unwrap();
            assert_eq!(checkpoint.confirmed_rows(), 2, "cut at {cut}");
            assert_eq!(checkpoint.known(4).unwrap(), None, "cut at {cut}");
            assert_eq!(checkpoint.repaired, cut > last_start);
            checkpoint.record(&[5], &[]).unwrap();
            drop(checkpoint);
            let checkpoint = Checkpoint::open(&path, &header()).unwrap();
            assert_eq!(checkpoint.confirmed_rows(), 3, "cut at {cut}");
            assert_eq!(checkpoint.known(5).unwrap(), Some(Known::Confirmed));
        }
        // A torn header (the run died at once) starts over.
        for cut in [1, 10, 40] {
            std::fs::write(&path, &whole[..cut]).unwrap();
            let checkpoint = Checkpoint::open(&path, &header()).unwrap();
            assert_eq!(checkpoint.confirmed_rows(), 0);
            drop(checkpoint);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.ends_with("}\n") && text.lines().count() == 1, "{text}");
        }
    }

    #[test]
    fn a_corrupt_middle_line_is_refused() {
        let path = temp("corrupt");
        let mut checkpoint = Checkpoint::open(&path, &header()).unwrap();
        checkpoint.record(&[1], &[]).unwrap();
        drop(checkpoint);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("garbage\n{\"ok\":[\"0000000000000002\"]}\n");
        std::fs::write(&path, text).unwrap();
        let err = Checkpoint::open(&path, &header()).unwrap_err();
        assert!(matches!(err, Error::Corrupt(_, 3, _)), "{err}");
    }

    #[test]
    fn one_run_at_a_time() {
        let path = temp("busy");
        let first = Checkpoint::open(&path, &header()).unwrap();
        let err = Checkpoint::open(&path, &header()).unwrap_err();
        assert!(matches!(err, Error::Busy(_)), "{err}");
        drop(first);
        assert!(Checkpoint::open(&path, &header()).is_ok());
    }

    #[test]
    fn a_million_rows_cost_a_few_megabytes_and_load_quickly() {
        let path = temp("million");
        let mut checkpoint = Checkpoint::open(&path, &header()).unwrap();
        let hashes: Vec<u64> = (0..1_000_000u64)
            .map(|n| xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes()))
            .collect();
        for batch in hashes.chunks(50) {
            checkpoint.record(batch, &[]).unwrap();
        }
        drop(checkpoint);
        let started = std::time::Instant::now();
        let checkpoint = Checkpoint::open(&path, &header()).unwrap();
        let loaded = started.elapsed();
        assert_eq!(checkpoint.confirmed_rows(), 1_000_000);
        // The set itself: 8 bytes a row, and no more than a little slack.
        assert!(
            checkpoint.confirmed.capacity() * 8 <= 9_000_000,
            "{}",
            checkpoint.confirmed.capacity()
        );
        assert!(hashes
            .iter()
            .all(|&hash| checkpoint.confirmed.binary_search(&hash).is_ok()));
        assert!(loaded < std::time::Duration::from_secs(20), "{loaded:?}");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn hashes_are_written_as_sixteen_hex_digits_and_read_back() {
        for hash in [0, 1, 0x0123_4567_89ab_cdef, u64::MAX] {
            let text = serde_json::to_string(&Hex(hash)).unwrap();
            assert_eq!(text, format!("\"{hash:016x}\""));
            assert_eq!(serde_json::from_str::<Hex>(&text).unwrap(), Hex(hash));
        }
    }

    #[test]
    fn row_hashes_are_stable_and_ignore_how_the_row_was_written() {
        use salesync::tencent::salesinfo_add::SalesInfo;
        let a: SalesInfo = serde_json::from_str(
            r#"{"external_store_id":"s","external_sku_id":"k","price":{"current_price":8.9,"sku_price":10},"stock":{"sku_stock_status":1}}"#,
        )
        .unwrap();
        let b: SalesInfo = serde_json::from_str(
            "{ \"stock\": {\"sku_stock_status\": 1},\r\n  \"price\": {\"sku_price\": 10, \"current_price\": 8.9},\n \"external_sku_id\": \"k\", \"external_store_id\": \"s\" }",
        )
        .unwrap();
        let mut buffer = Vec::new();
        let hash = row_hash(&a, &mut buffer, 0);
        assert_eq!(hash, row_hash(&b, &mut buffer, 0));
        // Seeded by a tenant: another hash, the same for the same tenant.
        assert_ne!(hash, row_hash(&a, &mut buffer, 7));
        assert_eq!(row_hash(&a, &mut buffer, 7), row_hash(&b, &mut buffer, 7));
        let c: SalesInfo = serde_json::from_str(
            r#"{"external_store_id":"s","external_sku_id":"k2","price":{"current_price":8.9,"sku_price":10},"stock":{"sku_stock_status":1}}"#,
        )
        .unwrap();
        assert_ne!(hash, row_hash(&c, &mut buffer, 0));
        // XXH3-64 itself does not change between releases.
        assert_eq!(xxhash_rust::xxh3::xxh3_64(b""), 0x2d06_8005_38d3_94c2);
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
