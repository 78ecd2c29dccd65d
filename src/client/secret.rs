//! Credentials that never print: a token or app secret in a log line, a panic message or an error report is a
//! leak, so every credential lives in a [`Secret`] whose `Debug` and `Display` hide it.

use std::fmt;

/// What a [`Secret`] prints instead of its value.
pub const REDACTED: &str = "*** redacted ***";

/// A credential (access token, app key, app secret). `Debug` and `Display` print `*** redacted ***`; only
/// [`Secret::expose`] gives the value, at the one place that puts it on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the request that needs it. Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty (an unset environment variable, say).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// Replaces every known credential in text that came from outside (a response body, a server message) before it
/// goes into an error: a server that echoes the request, or a proxy error page quoting the URL, must not leak.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    secrets: Vec<Secret>,
}

impl Scrubber {
    /// Credentials shorter than this are not scrubbed: replacing every `1` in a body would hide the body, and a
    /// real token, app key or secret is far longer.
    const MIN_LEN: usize = 6;

    #[cfg(test)]
    pub(crate) fn new(secrets: impl IntoIterator<Item = Secret>) -> Self {
        let mut scrubber = Scrubber::default();
        for secret in secrets {
            scrubber.add(secret);
        }
        scrubber
    }

    pub(crate) fn add(&mut self, secret: Secret) {
        // A token in a query string is percent-encoded (`+/=` become `%2B%2F%3D`): a page quoting the URL
        // carries that form.
        let encoded: String = form_urlencoded::byte_serialize(secret.expose().as_bytes()).collect();
        if encoded != secret.expose() {
            self.add_exact(Secret::new(encoded));
        }
        self.add_exact(secret);
    }

    /// This scrubber plus `values`: a request's own credentials (`Operation::credentials`).
    pub(crate) fn with<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> Scrubber {
        let mut scrubber = self.clone();
        for value in values {
            scrubber.add(Secret::new(value));
        }
        scrubber
    }

    fn add_exact(&mut self, secret: Secret) {
        if secret.expose().len() >= Self::MIN_LEN && !self.secrets.contains(&secret) {
            self.secrets.push(secret);
        }
    }

    /// `text` with every credential replaced by `*** redacted ***`.
    pub(crate) fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.expose()) {
                out = out.replace(secret.expose(), REDACTED);
            }
        }
        out
    }

    /// Every string inside a JSON value, scrubbed.
    pub(crate) fn value(&self, value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.text(&s)),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.text(&k), self.value(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} secret(s))", self.secrets.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("tok-123456");
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(format!("{secret}"), REDACTED);
        assert_eq!(
            format!("{:?}", Some(secret.clone())),
            format!("Some({REDACTED})")
        );
        assert_eq!(secret.expose(), "tok-123456");
    }

    #[test]
    fn scrubber_replaces_credentials_in_text_and_json() {
        let scrubber = Scrubber::new([Secret::new("tok-123456"), Secret::new("ab")]);
        assert_eq!(
            scrubber.text("bad token tok-123456!"),
            format!("bad token {REDACTED}!")
        );
        // Too short to be a credential: left alone.
        assert_eq!(scrubber.text("ab"), "ab");
        let value = scrubber.value(serde_json::json!({"e": ["x tok-123456"], "tok-123456": 1}));
        assert!(!value.to_string().contains("tok-123456"));
        assert!(!format!("{scrubber:?}").contains("tok"));
    }
}
