//! [`Error`] as one JSON object, for structured logs: a stable shape whose members are documented on
//! [`Error`] ("Its two forms"). Every text in it was scrubbed of credentials before it reached the error.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::Error;

impl Error {
    /// The variant's name as serialized: `validation`, `api`, `http`, `transport`, `decode`, `credentials`,
    /// `config`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::Api { .. } => "api",
            Error::Http { .. } => "http",
            Error::Transport { .. } => "transport",
            Error::Decode { .. } => "decode",
            Error::Credentials { .. } => "credentials",
            Error::Config(_) => "config",
        }
    }
}

/// `{"kind", "class", "retryable", "vendor"?, "status"?, "code"?, "message"?, "message_cn"?, "errors"?,
/// "violations"?, "body"?, "timeout"?, "connect"?, "trace_id"?, "attempts", "retry_after_ms"?, "display"}`;
/// members that do not apply to the variant are left out.
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        map.serialize_entry("class", &self.class())?;
        map.serialize_entry("retryable", &self.is_retryable())?;
        if let Some(vendor) = self.vendor() {
            map.serialize_entry("vendor", &vendor)?;
        }
        if let Some(status) = self.status() {
            map.serialize_entry("status", &status)?;
        }
        match self {
            Error::Validation(violations) => map.serialize_entry("violations", violations)?,
            Error::Api {
                code,
                message,
                message_cn,
                errors,
                ..
            } => {
                if let Some(code) = code {
                    map.serialize_entry("code", code)?;
                }
                if let Some(message) = message {
                    map.serialize_entry("message", message)?;
                }
                if let Some(message_cn) = message_cn {
                    map.serialize_entry("message_cn", message_cn)?;
                }
                if !errors.is_null() {
                    map.serialize_entry("errors", errors)?;
                }
            }
            Error::Http { body, .. } => map.serialize_entry("body", body)?,
            Error::Transport {
                timeout, connect, ..
            } => {
                map.serialize_entry("timeout", timeout)?;
                map.serialize_entry("connect", connect)?;
            }
            Error::Decode { message, body, .. } => {
                map.serialize_entry("message", message)?;
                map.serialize_entry("body", body)?;
            }
            Error::Credentials { message, .. } | Error::Config(message) => {
                map.serialize_entry("message", message)?
            }
        }
        if let Some(trace_id) = self.trace_id() {
            map.serialize_entry("trace_id", trace_id)?;
        }
        map.serialize_entry("attempts", &self.attempts())?;
        if let Some(after) = self.retry_after() {
            map.serialize_entry("retry_after_ms", &after.as_millis())?;
        }
        map.serialize_entry("display", &self.to_string())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use crate::{Error, Vendor, Violation, Violations};

    #[test]
    fn an_api_error_is_one_object_with_its_class_and_attempts() {
        let error = Error::Api {
            vendor: Vendor::Tencent,
            status: 200,
            code: Some(11017),
            message: Some("too many requests, trace_id: ab12".into()),
            message_cn: None,
            errors: serde_json::Value::Null,
            trace_id: Some("ab12".into()),
            attempts: 1,
            retry_after: None,
        }
        .after(5, Some(Duration::from_millis(1500)));
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "kind": "api", "class": "rate_limited", "retryable": true, "vendor": "tencent", "status": 200,
                "code": 11017, "message": "too many requests, trace_id: ab12", "trace_id": "ab12",
                "attempts": 5, "retry_after_ms": 1500,
                "display": "tencent API error 11017 (HTTP 200, 5 attempts): too many requests, trace_id: ab12"
            })
        );
    }

    #[test]
    fn a_validation_error_lists_its_violations_on_one_line() {
        let error = Error::Validation(Violations(vec![
            Violation {
                pointer: "/a".into(),
                rule: "required",
                message: "`a` is required".into(),
            },
            Violation {
                pointer: "/b".into(),
                rule: "minimum",
                message: "must be at least 0, is -1".into(),
            },
        ]));
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["kind"], "validation");
        assert_eq!(value["class"], "invalid");
        assert_eq!(value["attempts"], 0);
        assert_eq!(
            value["violations"][1],
            json!({"pointer": "/b", "rule": "minimum", "message": "must be at least 0, is -1"})
        );
        assert_eq!(
            value["display"],
            "invalid request, not sent: 2 violation(s): /a: `a` is required [required]; /b: must be at least 0, is -1 [minimum]"
        );
        assert!(!error.to_string().contains('\n'));
        let Error::Validation(violations) = &error else {
            unreachable!()
        };
        assert_eq!(format!("{violations:#}").lines().count(), 3);
    }
}
