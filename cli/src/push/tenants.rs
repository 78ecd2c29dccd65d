//! The tenants file of `push --tenants FILE`: one Shopline store or Tencent ad account a line, with its token
//! and the envelope members that are its own.
//!
//! JSON Lines (one object a line) or CSV (a header naming the members, an empty cell an absent member); a
//! file named `*.csv` is CSV, else the first non-blank character tells (`{`: JSON Lines). Members:
//!
//! - Shopline: `store` (the handle, required), `token`, `store_id`, `app_key`, `source_type`, `base_url`;
//! - Tencent: `account_id` (required), `token`, `user_action_set_id`, `data_set_id`, `base_url`.
//!
//! A `token` (or `app_key`) written `$NAME` or `${NAME}` is read from the environment variable `NAME`, so no
//! secret has to sit in the file; a literal token is taken as it is (discouraged: the file then holds
//! secrets). An envelope member a line leaves out comes from the flag (or environment variable) shared by
//! all. Every problem is a usage error naming the file, the line and the member, never a value of a secret.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use salesync::client::Secret;
use salesync::runtime::Auth;
use serde_json::{Map, Value};

use super::envelope::Target;

/// At most this many problems are listed before reading stops.
const MAX_PROBLEMS: usize = 20;

/// One tenant of the file.
#[derive(Debug, Clone)]
pub struct TenantLine {
    /// Its id: the store handle, or the account id's digits.
    pub id: String,
    /// The line it is on (1-based; a CSV record's first line).
    pub line: u64,
    /// Its token, read from the environment when written `$NAME`; `None` when the line has none (or in a dry
    /// run, where tokens are not read).
    pub token: Option<Secret>,
    /// Its own base URL.
    pub base_url: Option<String>,
    /// Its envelope members: Shopline's `store_id`, `app_key`, `source_type`; Tencent's `account_id` (its id),
    /// `user_action_set_id`, `data_set_id`.
    store_id: Option<String>,
    app_key: Option<Secret>,
    source_type: Option<String>,
    account_id: Option<i64>,
    user_action_set_id: Option<i64>,
    data_set_id: Option<i64>,
}

impl TenantLine {
    /// The flags shared by all, with this tenant's own members in place.
    pub fn target(&self, shared: &Target) -> Target {
        let mut target = shared.clone();
        let keep = |own: &Option<String>, shared: &mut Option<String>| {
            if own.is_some() {
                shared.clone_from(own);
            }
        };
        keep(&self.store_id, &mut target.store_id);
        keep(&self.source_type, &mut target.source_type);
        if let Some(key) = &self.app_key {
            target.app_key = Some(key.clone());
        }
        target.store = None;
        target.account_id = self.account_id;
        target.user_action_set_id = self.user_action_set_id.or(shared.user_action_set_id);
        target.data_set_id = self.data_set_id.or(shared.data_set_id);
        target
    }
}

/// Reads the tenants file for the platform of `auth`. `tokens`: read the `$NAME` references (not in a dry
/// run, which needs no credentials).
///
/// # Errors
///
/// A sentence per problem (at most [`MAX_PROBLEMS`]), each naming the file and line: the file cannot be read,
/// a line is not an object, names a member this platform's tenants do not have, misses the tenant's id,
/// repeats a tenant, names a store that cannot be a handle, or refers to an environment variable that is not
/// set.
pub fn read(path: &Path, auth: Auth, tokens: bool) -> Result<Vec<TenantLine>, Vec<String>> {
    let name = path.display().to_string();
    let cannot = |err: std::io::Error| vec![format!("cannot read the tenants file {name}: {err}")];
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut reader = BufReader::new(file);
    let csv = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"))
        || {
            let start = reader.fill_buf().map_err(cannot)?;
            let first = start.iter().find(|b| !b.is_ascii_whitespace());
            first.is_some_and(|&b| b != b'{')
        };
    let kind = Kind::of(auth);
    let mut book = Book {
        kind,
        tokens,
        name: &name,
        tenants: Vec::new(),
        seen: HashMap::new(),
        problems: Vec::new(),
    };
    if csv {
        read_csv(reader, &mut book).map_err(cannot)?;
    } else {
        read_jsonl(reader, &mut book).map_err(cannot)?;
    }
    if book.tenants.is_empty() && book.problems.is_empty() {
        book.problems
            .push(format!("the tenants file {name} names no tenant"));
    }
    if book.problems.is_empty() {
        Ok(book.tenants)
    } else {
        Err(book.problems)
    }
}

/// The platform's tenants: what names one, and the members a line may have.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Shopline,
    Tencent,
}

impl Kind {
    fn of(auth: Auth) -> Kind {
        match auth {
            Auth::ShoplineBearer => Kind::Shopline,
            Auth::TencentQueryToken => Kind::Tencent,
        }
    }

    /// The member naming the tenant.
    fn id(self) -> &'static str {
        match self {
            Kind::Shopline => "store",
            Kind::Tencent => "account_id",
        }
    }

    fn members(self) -> &'static [&'static str] {
        match self {
            Kind::Shopline => &[
                "store",
                "token",
                "store_id",
                "app_key",
                "source_type",
                "base_url",
            ],
            Kind::Tencent => &[
                "account_id",
                "token",
                "user_action_set_id",
                "data_set_id",
                "base_url",
            ],
        }
    }
}

/// The tenants read so far, and the problems found.
struct Book<'a> {
    kind: Kind,
    tokens: bool,
    name: &'a str,
    tenants: Vec<TenantLine>,
    /// Each tenant's line, to tell a tenant named twice.
    seen: HashMap<String, u64>,
    problems: Vec<String>,
}

impl Book<'_> {
    fn full(&self) -> bool {
        self.problems.len() >= MAX_PROBLEMS
    }

    fn problem(&mut self, line: u64, message: &str) {
        if !self.full() {
            self.problems
                .push(format!("{} line {line}: {message}", self.name));
        }
    }

    /// Takes one line's members.
    fn add(&mut self, line: u64, members: Map<String, Value>) {
        match self.tenant(line, members) {
            Ok(tenant) => match self.seen.get(&tenant.id) {
                Some(first) => {
                    let message = format!(
                        "{} `{}` is also on line {first}: one line a tenant",
                        self.kind.id(),
                        tenant.id
                    );
                    self.problem(line, &message);
                }
                None => {
                    self.seen.insert(tenant.id.clone(), line);
                    self.tenants.push(tenant);
                }
            },
            Err(message) => self.problem(line, &message),
        }
    }

    fn tenant(&self, line: u64, mut members: Map<String, Value>) -> Result<TenantLine, String> {
        let known = self.kind.members();
        if let Some(unknown) = members.keys().find(|name| !known.contains(&name.as_str())) {
            return Err(format!(
                "`{unknown}` is not a member of a tenant (one of: {})",
                known.join(", ")
            ));
        }
        members.retain(|_, value| !value.is_null());
        let text = |name: &str| -> Result<Option<String>, String> {
            match members.get(name) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(Value::Number(number)) if name == "store_id" => Ok(Some(number.to_string())),
                Some(_) => Err(format!("`{name}` must be a string")),
            }
        };
        let integer = |name: &str| -> Result<Option<i64>, String> {
            let bad = || format!("`{name}` must be an integer");
            match members.get(name) {
                None => Ok(None),
                Some(Value::Number(number)) => number.as_i64().map(Some).ok_or_else(bad),
                Some(Value::String(text)) => text.trim().parse().map(Some).map_err(|_| bad()),
                Some(_) => Err(bad()),
            }
        };
        let secret = |name: &str| -> Result<Option<Secret>, String> {
            match text(name)? {
                Some(value) if self.tokens => resolve(name, &value).map(Some),
                Some(value) => reference(&value)
                    .map(|_| None)
                    .map_err(|why| format!("`{name}`: {why}")),
                None => Ok(None),
            }
        };
        let id = match self.kind {
            Kind::Shopline => {
                let store = text("store")?.ok_or("`store` (the store's handle) is missing")?;
                check_handle(&store)?;
                store
            }
            Kind::Tencent => integer("account_id")?
                .ok_or("`account_id` is missing")?
                .to_string(),
        };
        let token = secret("token")?;
        Ok(TenantLine {
            id,
            line,
            token,
            base_url: text("base_url")?,
            store_id: text("store_id")?,
            app_key: secret("app_key")?,
            source_type: text("source_type")?,
            account_id: integer("account_id")?,
            user_action_set_id: integer("user_action_set_id")?,
            data_set_id: integer("data_set_id")?,
        })
    }
}

/// A store handle goes into a host name (`HANDLE.myshopline.com`) or a path: letters, digits, `-`, `_`, `.`.
fn check_handle(handle: &str) -> Result<(), String> {
    let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if handle.is_empty() || handle == "." || handle == ".." || !handle.bytes().all(safe) {
        return Err(format!(
            "`store` is not a store handle: `{}` (letters, digits, `-`, `_`, `.`)",
            handle.escape_debug()
        ));
    }
    Ok(())
}

/// The environment variable a value refers to (`$NAME`, `${NAME}`), if it is a reference.
fn reference(value: &str) -> Result<Option<&str>, String> {
    let Some(rest) = value.strip_prefix('$') else {
        return Ok(None);
    };
    let name = match rest.strip_prefix('{') {
        Some(braced) => braced
            .strip_suffix('}')
            .ok_or("`${` without its closing `}`")?,
        None => rest,
    };
    let ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ok {
        return Err(
            "an environment variable is written $NAME or ${NAME} (letters, digits, `_`)".to_owned(),
        );
    }
    Ok(Some(name))
}

/// A secret's value: the environment variable it refers to, or the value itself.
fn resolve(member: &str, value: &str) -> Result<Secret, String> {
    let name = match reference(value) {
        Ok(Some(name)) => name,
        Ok(None) if value.is_empty() => return Err(format!("`{member}` is empty")),
        Ok(None) => return Ok(Secret::new(value)),
        Err(why) => return Err(format!("`{member}`: {why}")),
    };
    match std::env::var(name) {
        Ok(found) if !found.is_empty() => Ok(Secret::new(found)),
        Ok(_) => Err(format!(
            "`{member}`: the environment variable {name} is empty"
        )),
        Err(_) => Err(format!(
            "`{member}`: the environment variable {name} is not set"
        )),
    }
}

fn read_jsonl(reader: impl BufRead, book: &mut Book<'_>) -> std::io::Result<()> {
    for (n, line) in reader.lines().enumerate() {
        let line_no = n as u64 + 1;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(members)) => book.add(line_no, members),
            Ok(_) => book.problem(
                line_no,
                &format!(
                    "not a JSON object: one tenant a line, such as {{\"{}\": ..., \"token\": \"$VAR\"}}",
                    book.kind.id()
                ),
            ),
            Err(err) => book.problem(line_no, &format!("not JSON: {err}")),
        }
        if book.full() {
            break;
        }
    }
    Ok(())
}

fn read_csv(reader: impl BufRead, book: &mut Book<'_>) -> std::io::Result<()> {
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut records = csv.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(header)) => header
            .iter()
            .enumerate()
            .map(|(at, name)| {
                let name = if at == 0 {
                    name.trim_start_matches('\u{feff}')
                } else {
                    name
                };
                name.trim().to_owned()
            })
            .collect(),
        Some(Err(err)) => {
            book.problem(1, &format!("cannot read the CSV header: {err}"));
            return Ok(());
        }
        None => return Ok(()),
    };
    if !header.iter().any(|name| name == book.kind.id()) {
        book.problem(
            1,
            &format!(
                "the header has no column `{}` (the columns: {})",
                book.kind.id(),
                book.kind.members().join(", ")
            ),
        );
        return Ok(());
    }
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, ::csv::Position::line);
                book.problem(line, &format!("not a CSV record: {err}"));
                if matches!(err.kind(), ::csv::ErrorKind::Io(_)) {
                    return Err(std::io::Error::other(err.to_string()));
                }
                continue;
            }
        };
        let line = record.position().map_or(0, ::csv::Position::line);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            let message = format!(
                "the record has {} field(s) and the header {} column(s)",
                record.len(),
                header.len()
            );
            book.problem(line, &message);
            continue;
        }
        let members = header
            .iter()
            .zip(record.iter())
            .filter(|(_, cell)| !cell.trim().is_empty())
            .map(|(name, cell)| (name.clone(), Value::String(cell.trim().to_owned())))
            .collect();
        book.add(line, members);
        if book.full() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("salesync-tenants-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn problems(name: &str, text: &str, auth: Auth) -> Vec<String> {
        read(&file(name, text), auth, true).unwrap_err()
    }

    #[test]
    fn json_lines_and_csv_name_the_same_tenants() {
        std::env::set_var("SALESYNC_TEST_TENANT_TOKEN_A", "secret-a");
        let jsonl = "{\"store\": \"shop-a\", \"token\": \"$SALESYNC_TEST_TENANT_TOKEN_A\", \"store_id\": 42}\n\n\
                     {\"store\": \"shop-b\", \"token\": \"literal\", \"source_type\": \"crm\", \"base_url\": null}\n";
        let csv = "store,token,store_id,source_type\n\
                   shop-a,${SALESYNC_TEST_TENANT_TOKEN_A},42,\n\
                   ,,,\n\
                   shop-b,literal,,crm\n";
        for (name, text) in [
            ("t.jsonl", jsonl),
            ("t.csv", csv),
            ("t-csv-by-content", csv),
        ] {
            let tenants = read(&file(name, text), Auth::ShoplineBearer, true).unwrap();
            let found: Vec<_> = tenants
                .iter()
                .map(|t| {
                    (
                        t.id.as_str(),
                        t.token.as_ref().map(|s| s.expose().to_owned()),
                        t.store_id.as_deref(),
                        t.source_type.as_deref(),
                    )
                })
                .collect();
            assert_eq!(
                found,
                [
                    ("shop-a", Some("secret-a".to_owned()), Some("42"), None),
                    ("shop-b", Some("literal".to_owned()), None, Some("crm")),
                ],
                "{name}"
            );
            assert_eq!(tenants[1].line, if name == "t.jsonl" { 3 } else { 4 });
        }
        // In a dry run tokens are not read (the reference is still checked).
        let tenants = read(&file("t.jsonl", jsonl), Auth::ShoplineBearer, false).unwrap();
        assert!(tenants[0].token.is_none());
    }

    #[test]
    fn tencent_accounts_and_their_envelope() {
        let text = "{\"account_id\": 123, \"user_action_set_id\": \"7\"}\n{\"account_id\": \"456\", \"data_set_id\": 9}\n";
        let tenants = read(&file("a.jsonl", text), Auth::TencentQueryToken, true).unwrap();
        assert_eq!(tenants[0].id, "123");
        assert_eq!(tenants[1].id, "456");
        let shared = Target {
            user_action_set_id: Some(1),
            data_set_id: Some(2),
            account_id: Some(999),
            ..Target::empty()
        };
        let own = tenants[0].target(&shared);
        assert_eq!(
            (own.account_id, own.user_action_set_id, own.data_set_id),
            (Some(123), Some(7), Some(2))
        );
        let own = tenants[1].target(&shared);
        assert_eq!(
            (own.account_id, own.user_action_set_id, own.data_set_id),
            (Some(456), Some(1), Some(9))
        );
    }

    #[test]
    fn every_problem_names_its_line_never_a_secret() {
        std::env::remove_var("SALESYNC_TEST_TENANT_UNSET");
        let text = "{\"store\": \"shop-a\", \"token\": \"$SALESYNC_TEST_TENANT_UNSET\"}\n\
                    [1, 2]\n\
                    {\"store\": \"shop a\"}\n\
                    {\"store\": \"shop-b\", \"tokn\": \"x\"}\n\
                    {\"token\": \"hunter2\"}\n\
                    {\"store\": \"shop-c\"}\n\
                    {\"store\": \"shop-c\"}\n\
                    {not json\n\
                    {\"store\": \"shop-d\", \"token\": \"${BROKEN\"}\n";
        let found = problems("bad.jsonl", text, Auth::ShoplineBearer);
        let expect = [
            "line 1: `token`: the environment variable SALESYNC_TEST_TENANT_UNSET is not set",
            "line 2: not a JSON object",
            "line 3: `store` is not a store handle: `shop a`",
            "line 4: `tokn` is not a member of a tenant",
            "line 5: `store` (the store's handle) is missing",
            "line 7: store `shop-c` is also on line 6",
            "line 8: not JSON",
            "line 9: `token`: `${` without its closing `}`",
        ];
        assert_eq!(found.len(), expect.len(), "{found:#?}");
        for (problem, expected) in found.iter().zip(expect) {
            assert!(problem.contains(expected), "{problem} / {expected}");
            assert!(problem.contains("bad.jsonl"), "{problem}");
            assert!(!problem.contains("hunter2"), "{problem}");
        }
        let found = problems("bad.csv", "token\nx\n", Auth::ShoplineBearer);
        assert!(found[0].contains("no column `store`"), "{found:?}");
        let found = problems(
            "bad.csv",
            "account_id,token\nabc,x\n1,x,y\n",
            Auth::TencentQueryToken,
        );
        assert!(
            found[0].contains("line 2: `account_id` must be an integer"),
            "{found:?}"
        );
        assert!(
            found[1].contains("line 3: the record has 3 field(s)"),
            "{found:?}"
        );
        let found = problems("empty.jsonl", "\n", Auth::ShoplineBearer);
        assert!(found[0].contains("names no tenant"), "{found:?}");
    }
}
