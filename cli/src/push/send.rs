//! What the platform's answer means for a row of push: the reject-file errors of a row it refused, and the
//! failed-file details of a row it did not take. The sending itself is the library's batch engine.

use salesync::ErrorClass;

use super::rejects::{ErrorEntry, RowText};

/// The last error of a request that was not delivered: what the failed file says of each of its rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    /// The error, one line (never a credential).
    pub message: String,
    /// Its class in the library's classifier (`transport`, `unavailable`, `token_rejected`...), if it came
    /// from the client.
    pub class: Option<ErrorClass>,
    /// The HTTP status of the last answer, if one came.
    pub status: Option<u16>,
    /// The platform's own error code (Tencent), if it gave one.
    pub code: Option<i64>,
    /// The platform's trace id of the last answer, for its support.
    pub trace_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// No connection could be made (connection refused, a name that does not resolve): nothing was sent.
    pub unreachable: bool,
}

impl Failure {
    /// A failure that is no client error (a request that could not be built).
    #[cfg(test)]
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            ..Failure::default()
        }
    }

    /// The failure of a client error.
    pub fn of(err: &salesync::Error) -> Self {
        Failure {
            message: err.to_string(),
            class: Some(err.class()),
            status: err.status(),
            code: err.code(),
            trace_id: err.trace_id().map(str::to_owned),
            attempts: err.attempts(),
            unreachable: matches!(err, salesync::Error::Transport { connect: true, .. }),
        }
    }
}

/// The reject-file errors of a row the platform refused: its message, then each per-field detail it gave.
pub fn refusal(error: &salesync::Error) -> Vec<ErrorEntry> {
    let mut errors = vec![ErrorEntry::whole("platform", error.to_string())];
    let details = match error {
        salesync::Error::Api { errors, .. } => details(errors),
        salesync::Error::Validation(violations) => {
            violations.iter().map(ToString::to_string).collect()
        }
        _ => Vec::new(),
    };
    errors.extend(
        details
            .into_iter()
            .map(|detail| ErrorEntry::whole("platform", detail)),
    );
    errors
}

fn details(errors: &serde_json::Value) -> Vec<String> {
    match errors {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(items) => items.iter().map(compact).collect(),
        other => vec![compact(other)],
    }
}

fn compact(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A row not delivered, with the last error of its request.
#[derive(Debug, Clone)]
pub struct FailedRow {
    /// Line where the row starts.
    pub line: u64,
    /// Array index, for array input.
    pub index: Option<u64>,
    /// The row as it was in the input.
    pub row: RowText,
    /// The last error of its request.
    pub failure: Failure,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_lists_the_message_then_each_detail() {
        let error = salesync::Error::Api {
            vendor: salesync::Vendor::Tencent,
            status: 200,
            code: Some(18001),
            message: Some("Invalid parameter".into()),
            message_cn: None,
            errors: serde_json::json!([{"type": "x", "description": "/salesinfo/0/price: bad"}, "plain"]),
            trace_id: None,
            attempts: 1,
            retry_after: None,
        };
        let errors = refusal(&error);
        assert_eq!(errors.len(), 3);
        assert!(errors.iter().all(|e| e.rule == "platform"));
        assert!(errors[0].message.contains("18001"));
        assert_eq!(errors[2].message, "plain");
        let failure = Failure::of(&error);
        assert_eq!(
            (failure.code, failure.class),
            (Some(18001), Some(ErrorClass::ContentRejected))
        );
    }
}
