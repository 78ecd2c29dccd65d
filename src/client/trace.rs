//! Trace ids (what the platforms' support asks for) and bounded body excerpts for error reports.

use reqwest::header::HeaderMap;

use super::secret::Scrubber;

/// Longest body excerpt kept in an error, in bytes.
pub(crate) const EXCERPT_BYTES: usize = 512;

/// Shopline's `traceId` response header; header names are case-insensitive, and `HeaderMap` stores them
/// lowercased, so `traceid` finds `traceId`, `TraceId` and `TRACEID` alike.
pub(crate) fn header_trace_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("traceid")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// The `<hex>` of a `trace_id: <hex>` (or `trace_id=<hex>`) inside Tencent's message text.
pub fn tencent_trace_id(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("trace_id") {
        let after = from + found + "trace_id".len();
        let rest = message[after..].trim_start();
        let rest = rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('='))
            .or_else(|| rest.strip_prefix('：'))
            .map(str::trim_start);
        if let Some(rest) = rest {
            let id: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if !id.is_empty() {
                return Some(id);
            }
        }
        from = after;
    }
    None
}

/// The start of a body for an error report: credentials scrubbed first (so none is cut in half and half shown),
/// then cut to at most [`EXCERPT_BYTES`] at a character boundary.
pub(crate) fn excerpt(body: &[u8], scrubber: &Scrubber) -> String {
    let text = scrubber.text(&String::from_utf8_lossy(body));
    if text.len() <= EXCERPT_BYTES {
        return text;
    }
    let mut end = EXCERPT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::secret::{Secret, REDACTED};

    #[test]
    fn finds_tencent_trace_ids() {
        let cases = [
            ("param error, trace_id: 8f3a2b1c0d", Some("8f3a2b1c0d")),
            ("busy (trace_id:abc123), retry", Some("abc123")),
            ("TRACE_ID = 00ff", Some("00ff")),
            ("系统繁忙 trace_id：9e9e", Some("9e9e")),
            ("trace_id without value, trace_id: 42", Some("42")),
            ("no trace here", None),
            ("trace_id:", None),
            ("", None),
        ];
        for (message, expected) in cases {
            assert_eq!(tencent_trace_id(message).as_deref(), expected, "{message}");
        }
    }

    #[test]
    fn reads_the_trace_header_whatever_its_case() {
        for name in ["traceId", "TraceId", "traceid", "TRACEID"] {
            let mut headers = HeaderMap::new();
            headers.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                "t-1".parse().unwrap(),
            );
            assert_eq!(header_trace_id(&headers).as_deref(), Some("t-1"), "{name}");
        }
        assert_eq!(header_trace_id(&HeaderMap::new()), None);
    }

    #[test]
    fn excerpts_are_bounded_and_scrubbed() {
        let scrubber = Scrubber::new([Secret::new("secret-token")]);
        let body = format!("{}secret-token{}", "汉".repeat(100), "x".repeat(2000));
        let text = excerpt(body.as_bytes(), &scrubber);
        assert!(text.len() <= EXCERPT_BYTES + "…".len());
        assert!(!text.contains("secret-token"));
        assert!(text.contains(REDACTED));
        assert_eq!(excerpt(b"short", &scrubber), "short");
    }
}
