//! The tenant of a row (`push --tenants`): a member of each JSON row, or a column of the CSV input, that names
//! the store or account the row goes to. It is lifted out before the row is checked: it is not part of the
//! batch item, so the item is parsed, checked and hashed without it, while the row as written (the tenant
//! included) is what the reject and failed files keep, so that pushing them again finds each row's tenant.
//!
//! For a JSON row the member is found by a scan of the top-level object (strings and nesting skipped, no
//! value built) and cut out of the text: the rest stays exactly as written (`8.90` stays `8.90`).

use std::borrow::Cow;
use std::ops::Range;

use crate::push::rejects::ErrorEntry;

/// The tenant a row names, and where its member is in the row's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifted {
    /// The tenant as the row writes it (a string's value, an integer's digits), or why the row names none
    /// (rule `tenant`, pointer `/<member>`).
    pub tenant: Result<String, ErrorEntry>,
    /// The bytes of the text to cut out to leave the item (empty when the member is absent).
    pub cut: Range<usize>,
}

impl Lifted {
    /// The item's text: `text` without the tenant's member.
    pub fn item<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.cut.is_empty() || self.cut.end > text.len() {
            return Cow::Borrowed(text);
        }
        let mut item = String::with_capacity(text.len() - self.cut.len());
        item.push_str(&text[..self.cut.start]);
        item.push_str(&text[self.cut.end..]);
        Cow::Owned(item)
    }
}

/// The error of a row that names no tenant: `member` is missing (or empty), or not a string or integer.
pub fn no_tenant(member: &str, column: Option<&str>, why: &str) -> ErrorEntry {
    let mut pointer = String::with_capacity(member.len() + 1);
    pointer.push('/');
    pointer.push_str(&member.replace('~', "~0").replace('/', "~1"));
    ErrorEntry {
        pointer,
        column: column.map(str::to_owned),
        rule: "tenant".to_owned(),
        message: format!(
            "`{member}` {why}: it names the row's tenant (a line of the tenants file)"
        ),
    }
}

/// The tenant member of a JSON row. `None` when the text is not an object the scan can read (the check
/// rejects it for what it is); the member absent is a `Lifted` whose tenant is the error.
pub fn json(text: &str, member: &str) -> Option<Lifted> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let absent = || Lifted {
        tenant: Err(no_tenant(member, None, "is missing")),
        cut: 0..0,
    };
    if b.get(i) == Some(&b'}') {
        return Some(absent());
    }
    let mut previous_end: Option<usize> = None;
    loop {
        let key_start = i;
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(b, i)?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(b, i + 1);
        let value_end = skip_value(b, value_start)?;
        i = skip_ws(b, value_end);
        let last = match b.get(i) {
            Some(b',') => false,
            Some(b'}') => true,
            _ => return None,
        };
        let next = skip_ws(b, i + 1);
        if key_is(&text[key_start..key_end], member) {
            let cut = match (last, previous_end) {
                (false, _) => key_start..next,
                (true, Some(end)) => end..value_end,
                (true, None) => key_start..value_end,
            };
            return Some(Lifted {
                tenant: tenant_value(&text[value_start..value_end], member),
                cut,
            });
        }
        if last {
            return Some(absent());
        }
        previous_end = Some(value_end);
        i = next;
    }
}

/// A JSON value naming a tenant: a non-empty string, or an integer (its digits).
fn tenant_value(raw: &str, member: &str) -> Result<String, ErrorEntry> {
    let bad = |why: &str| no_tenant(member, None, why);
    let value = if raw.starts_with('"') {
        serde_json::from_str::<String>(raw).map_err(|_| bad("is not a string"))?
    } else if is_integer(raw) {
        raw.to_owned()
    } else {
        return Err(bad("must be a string or an integer"));
    };
    if value.trim().is_empty() {
        return Err(bad("is empty"));
    }
    Ok(value)
}

fn is_integer(raw: &str) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a JSON string (with its quotes) is `member`.
fn key_is(raw: &str, member: &str) -> bool {
    let inner = &raw[1..raw.len() - 1];
    if !inner.contains('\\') {
        return inner == member;
    }
    serde_json::from_str::<String>(raw).is_ok_and(|key| key == member)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The end (past the closing quote) of the string starting at `i`.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut i = i + 1;
    loop {
        let at = i + memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[at] == b'"' {
            return Some(at + 1);
        }
        i = at + 2;
    }
}

/// The end of the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = i;
            while let Some(&c) = b.get(i) {
                match c {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut end = i;
            while b
                .get(end)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                end += 1;
            }
            (end > i).then_some(end)
        }
    }
}

/// The text of a CSV row whose item is `item` (the JSON its other cells made) and whose tenant cell is
/// `cell`: the tenant as the first member (a string), so that the row as written carries it.
pub fn csv(item: String, cell: &str, column: &str) -> (String, Lifted) {
    let cell = cell.trim();
    if cell.is_empty() {
        let lifted = Lifted {
            tenant: Err(no_tenant(column, Some(column), "is empty")),
            cut: 0..0,
        };
        return (item, lifted);
    }
    let mut member = serde_json::to_string(column).expect("a string serializes");
    member.push(':');
    member.push_str(&serde_json::to_string(cell).expect("a string serializes"));
    let rest = item.strip_prefix('{').unwrap_or(&item);
    if !rest.starts_with('}') {
        member.push(',');
    }
    let mut text = String::with_capacity(item.len() + member.len());
    text.push('{');
    text.push_str(&member);
    text.push_str(rest);
    let lifted = Lifted {
        tenant: Ok(cell.to_owned()),
        cut: 1..1 + member.len(),
    };
    (text, lifted)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tenant, or the error's message, and the item left.
    fn lift(text: &str) -> Option<(Result<String, String>, String)> {
        let lifted = json(text, "store")?;
        let item = lifted.item(text).into_owned();
        Some((lifted.tenant.map_err(|e| e.message), item))
    }

    fn ok(tenant: &str, item: &str) -> Option<(Result<String, String>, String)> {
        Some((Ok(tenant.to_owned()), item.to_owned()))
    }

    #[test]
    fn the_member_is_cut_out_wherever_it_is() {
        assert_eq!(lift(r#"{"store":"a","x":1}"#), ok("a", r#"{"x":1}"#));
        assert_eq!(lift(r#"{"x":1,"store":"a"}"#), ok("a", r#"{"x":1}"#));
        assert_eq!(
            lift(r#"{"x":1, "store" : "a" , "y":[1,{"store":2}]}"#),
            ok("a", r#"{"x":1, "y":[1,{"store":2}]}"#)
        );
        assert_eq!(lift(r#" {"store":"a"} "#), ok("a", " {} "));
        assert_eq!(
            lift(r#"{"store":123,"p":8.90}"#),
            ok("123", r#"{"p":8.90}"#)
        );
        // Strings with quotes, escapes and braces are skipped as strings.
        assert_eq!(
            lift(r#"{"n":"a\"}{,","st\u006fre":"shop\u002d1"}"#),
            ok("shop-1", r#"{"n":"a\"}{,"}"#)
        );
        // Pretty-printed over lines.
        assert_eq!(
            lift("{\n  \"x\": 1,\n  \"store\": \"a\"\n}"),
            ok("a", "{\n  \"x\": 1\n}")
        );
        // Only the top level counts.
        let (tenant, item) = lift(r#"{"x":{"store":"a"}}"#).unwrap();
        assert!(tenant.unwrap_err().contains("is missing"));
        assert_eq!(item, r#"{"x":{"store":"a"}}"#);
    }

    #[test]
    fn a_row_without_a_usable_tenant_says_why() {
        let error = json(r#"{"x":1}"#, "store").unwrap().tenant.unwrap_err();
        assert_eq!(
            (error.pointer.as_str(), error.rule.as_str()),
            ("/store", "tenant")
        );
        assert!(
            error.message.starts_with("`store` is missing"),
            "{}",
            error.message
        );
        for (text, why) in [
            (r#"{"store":null}"#, "must be a string or an integer"),
            (r#"{"store":1.5}"#, "must be a string or an integer"),
            (
                r#"{"store":{"a":1},"x":1}"#,
                "must be a string or an integer",
            ),
            (r#"{"store":" "}"#, "is empty"),
            ("{}", "is missing"),
        ] {
            let lifted = json(text, "store").unwrap();
            let message = lifted.tenant.unwrap_err().message;
            assert!(message.contains(why), "{text}: {message}");
        }
        // The member of another type is cut out all the same (it is no member of the item).
        assert_eq!(lift(r#"{"store":{"a":1},"x":1}"#).unwrap().1, r#"{"x":1}"#);
        // Not an object the scan can read: left to the check.
        for text in [
            "[1]",
            "\"a\"",
            "{\"x\" 1}",
            "{\"x\":1",
            "{\"x\":\"1}",
            "not json",
            "",
        ] {
            assert_eq!(json(text, "store"), None, "{text}");
        }
        assert_eq!(no_tenant("a/b", None, "x").pointer, "/a~1b");
    }

    #[test]
    fn a_csv_row_carries_its_tenant_as_its_first_member() {
        let (text, lifted) = csv(r#"{"x":1}"#.to_owned(), " shop-1 ", "store");
        assert_eq!(text, r#"{"store":"shop-1","x":1}"#);
        assert_eq!(lifted.tenant, Ok("shop-1".to_owned()));
        assert_eq!(lifted.item(&text), r#"{"x":1}"#);
        let (text, lifted) = csv("{}".to_owned(), "7", "account_id");
        assert_eq!(
            (text.as_str(), lifted.item(&text).as_ref()),
            (r#"{"account_id":"7"}"#, "{}")
        );
        let (text, lifted) = csv(r#"{"x":1}"#.to_owned(), "", "store");
        assert_eq!(text, r#"{"x":1}"#);
        let error = lifted.tenant.unwrap_err();
        assert_eq!(error.column.as_deref(), Some("store"));
    }
}
