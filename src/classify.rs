//! The one classifier of failures: what an answer or an error means, and whether another attempt may help.
//! The retry loop, [`crate::Error`]'s predicates and the CLI all ask it; no platform code or HTTP status is
//! interpreted anywhere else. The codes are the platforms' documented lists (`../shared/API-NOTES.md`).

use std::fmt;

use serde::Serialize;

use crate::vendor::Vendor;

/// What kind of failure an error is. Each class is a different next step for the caller.
///
/// One classifier decides what is retried: the clients' retry loop, [`Error::is_retryable`](crate::Error::is_retryable)
/// and `salesync push` (its failed rows carry the class, its exit status 3 is
/// [`stops_every_request`](ErrorClass::stops_every_request)) all ask it. Serialized in `snake_case`, as in the
/// table; "backoff" is [`RetryPolicy`](crate::client::RetryPolicy)'s full-jitter exponential backoff (500 ms
/// doubling, capped at 30 s; 5 attempts and 2 minutes by default), and a `Retry-After` the platform sends
/// (seconds, with a fraction as in `2.0`, or an HTTP date) is a minimum wait.
///
/// | failure | class | retried? |
/// | --- | --- | --- |
/// | 429; Tencent 11008, 11016, 11017, 11019, 60005 | `rate_limited` | backoff; `Retry-After` is a minimum wait |
/// | 408, 5xx except 501; Tencent 10000, 10001, 12700, 51001, 60000 | `unavailable` | backoff |
/// | connection failures, timeouts, a connection dropped mid-body | `transport` | backoff |
/// | Tencent 12100 (nonce reused), 12101 (timestamp expired) | `replay` | at once, with a fresh nonce and timestamp |
/// | 401; Tencent 11000, 11002, 11004, 11005, 11007 | `token_rejected` | with a token provider: at once, once, with a fresh token; else never |
/// | 403; Tencent 11014 | `forbidden` | never |
/// | Tencent 11018 | `daily_limit` | never (nothing succeeds before tomorrow) |
/// | Tencent 12201, 12203; Shopline 402 (store frozen), 423 (store locked) | `account_rejected` | never |
/// | Tencent 12000, 12003 | `malformed` | never |
/// | Tencent 18001–18014; Shopline 400, 412, 422 | `content_rejected` | never (`sync_all` splits the batch) |
/// | validation, decode, credential, configuration errors; any other answer | `invalid`, `decode`, `credentials`, `config`, `other` | never |
///
/// Only a bucket refusal (a 429 or rate-limit code without `Retry-After`) also slows the client's pace; the
/// repository's `docs/clients.md` ("Pacing") says how the pace reacts to each kind of answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorClass {
    /// The request broke its schema and was not sent: fix the data.
    Invalid,
    /// The platform refused the request's content (Tencent 18001..18014, Shopline 400, 412, 422): fix the data;
    /// a batch is split to find the bad items.
    ContentRejected,
    /// The access token was refused (401; Tencent 11000 expired, 11002 invalid, 11004, 11005 empty, 11007):
    /// a token provider is asked for a new one, once per call.
    TokenRejected,
    /// The token is valid but may not do this (403; Tencent 11014 out of scope).
    Forbidden,
    /// No token could be had: the token provider failed, or the token cannot go into a request.
    Credentials,
    /// The account may not call at all (Tencent 12201 invalid, 12203 not permitted), or the store takes no
    /// calls (Shopline 402 frozen, 423 locked).
    AccountRejected,
    /// Tencent 11018, the per-day call limit: nothing succeeds before tomorrow.
    DailyLimit,
    /// The rate limit (429; Tencent 11008, 11016 per second, 11017 per minute, 11019, 60005): wait and resend.
    RateLimited,
    /// The platform is busy or failing (408, 5xx except 501; Tencent 10000, 10001, 12700, 51001, 60000).
    Unavailable,
    /// Tencent 12100 (nonce reused) or 12101 (timestamp expired): the next attempt, with a fresh nonce and
    /// timestamp, fixes it.
    Replay,
    /// The platform could not read the request (Tencent 12000 missing parameter, 12003 bad JSON): a bug.
    Malformed,
    /// No answer: the connection failed or a timeout passed.
    Transport,
    /// A success answer whose body is not what the schema describes.
    Decode,
    /// The client was configured or used wrongly.
    Config,
    /// Any other refusal. Not retried: resending an unknown failure may repeat it forever.
    Other,
}

/// Whether and how soon a failed attempt is sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Retry {
    /// Not again: the same request would fail the same way.
    Never,
    /// After an exponential, jittered delay (or the `Retry-After` the platform sent, if longer).
    Backoff,
    /// At once: the next attempt itself fixes the cause (a fresh nonce, a refreshed token).
    Immediately,
}

impl ErrorClass {
    /// The class of a platform's answer: its vendor, HTTP status and, when the body carried one, its code.
    /// A Tencent code says more than the status; an unknown code on an error status defers to the status.
    pub fn of_answer(vendor: Vendor, status: u16, code: Option<i64>) -> Self {
        let by_code = match (vendor, code) {
            (Vendor::Tencent, Some(code)) => Self::of_tencent_code(code),
            _ => None,
        };
        let success = (200..300).contains(&status);
        match (by_code, success) {
            (Some(class), _) => class,
            (None, true) => ErrorClass::Other,
            (None, false) => Self::of_status(vendor, status),
        }
    }

    /// The class of a Tencent `code` (or `retcode`) on its documented list; `None` for 0 and unknown codes.
    pub fn of_tencent_code(code: i64) -> Option<Self> {
        Some(match code {
            10000 | 10001 | 12700 | 51001 | 60000 => ErrorClass::Unavailable,
            11008 | 11016 | 11017 | 11019 | 60005 => ErrorClass::RateLimited,
            11018 => ErrorClass::DailyLimit,
            12100 | 12101 => ErrorClass::Replay,
            11000 | 11002 | 11004 | 11005 | 11007 => ErrorClass::TokenRejected,
            11014 => ErrorClass::Forbidden,
            12000 | 12003 => ErrorClass::Malformed,
            12201 | 12203 => ErrorClass::AccountRejected,
            18001..=18014 => ErrorClass::ContentRejected,
            _ => return None,
        })
    }

    fn of_status(vendor: Vendor, status: u16) -> Self {
        match (vendor, status) {
            (_, 401) => ErrorClass::TokenRejected,
            (_, 403) => ErrorClass::Forbidden,
            (_, 429) => ErrorClass::RateLimited,
            (_, 501) => ErrorClass::Other,
            (_, 408 | 500..=599) => ErrorClass::Unavailable,
            (Vendor::Shopline, 400 | 412 | 422) => ErrorClass::ContentRejected,
            // The store is frozen (402) or locked (423): nothing reaches it until its owner acts.
            (Vendor::Shopline, 402 | 423) => ErrorClass::AccountRejected,
            _ => ErrorClass::Other,
        }
    }

    /// Whether, and how soon, to send the same request again.
    pub fn retry(self) -> Retry {
        match self {
            ErrorClass::RateLimited | ErrorClass::Unavailable | ErrorClass::Transport => {
                Retry::Backoff
            }
            ErrorClass::Replay => Retry::Immediately,
            _ => Retry::Never,
        }
    }

    /// Whether an answer of this class slows the client's pace: a rate limit that says the bucket is full
    /// (`with_retry_after` false: Shopline's 429 "Too many request", Tencent 11008/11016/11017/11019/60005).
    /// A rate limit with `Retry-After` is a wait for that one request; the daily limit stops the job instead;
    /// every other class says nothing about the rate.
    pub(crate) fn slows_the_pace(self, with_retry_after: bool) -> bool {
        self == ErrorClass::RateLimited && !with_retry_after
    }

    /// Whether sending the same request again may succeed.
    pub fn is_retryable(self) -> bool {
        self.retry() != Retry::Never
    }

    /// Whether the credentials are at fault (missing, expired, invalid, out of scope): fix them, do not resend.
    pub fn is_auth(self) -> bool {
        matches!(
            self,
            ErrorClass::TokenRejected | ErrorClass::Forbidden | ErrorClass::Credentials
        )
    }

    /// Whether a rate limit was hit, the daily one included.
    pub fn is_rate_limited(self) -> bool {
        matches!(self, ErrorClass::RateLimited | ErrorClass::DailyLimit)
    }

    /// Whether the platform refused the request's content.
    pub fn is_content_rejected(self) -> bool {
        self == ErrorClass::ContentRejected
    }

    /// Whether no other request with the same client can succeed now (credentials, the account, the daily
    /// limit, the configuration): a job should stop rather than send the rest.
    pub fn stops_every_request(self) -> bool {
        self.is_auth()
            || matches!(
                self,
                ErrorClass::AccountRejected | ErrorClass::DailyLimit | ErrorClass::Config
            )
    }

    /// The class's name, as serialized: `rate_limited`, `content_rejected`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Invalid => "invalid",
            ErrorClass::ContentRejected => "content_rejected",
            ErrorClass::TokenRejected => "token_rejected",
            ErrorClass::Forbidden => "forbidden",
            ErrorClass::Credentials => "credentials",
            ErrorClass::AccountRejected => "account_rejected",
            ErrorClass::DailyLimit => "daily_limit",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::Unavailable => "unavailable",
            ErrorClass::Replay => "replay",
            ErrorClass::Malformed => "malformed",
            ErrorClass::Transport => "transport",
            ErrorClass::Decode => "decode",
            ErrorClass::Config => "config",
            ErrorClass::Other => "other",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tencent_codes_have_their_documented_class_and_retry() {
        use ErrorClass as C;
        let table: &[(&[i64], C, Retry)] = &[
            (
                &[10000, 10001, 12700, 51001, 60000],
                C::Unavailable,
                Retry::Backoff,
            ),
            (
                &[11008, 11016, 11017, 11019, 60005],
                C::RateLimited,
                Retry::Backoff,
            ),
            (&[11018], C::DailyLimit, Retry::Never),
            (&[12100, 12101], C::Replay, Retry::Immediately),
            (
                &[11000, 11002, 11004, 11005, 11007],
                C::TokenRejected,
                Retry::Never,
            ),
            (&[11014], C::Forbidden, Retry::Never),
            (&[12000, 12003], C::Malformed, Retry::Never),
            (&[12201, 12203], C::AccountRejected, Retry::Never),
            (&[18001, 18007, 18014], C::ContentRejected, Retry::Never),
        ];
        for (codes, class, retry) in table {
            for &code in *codes {
                let found = ErrorClass::of_answer(Vendor::Tencent, 200, Some(code));
                assert_eq!((found, found.retry()), (*class, *retry), "{code}");
            }
        }
        for code in [0, 1, -1, 18000, 18015, 99999] {
            assert_eq!(ErrorClass::of_tencent_code(code), None, "{code}");
            assert_eq!(
                ErrorClass::of_answer(Vendor::Tencent, 200, Some(code)),
                C::Other
            );
        }
        // An unknown code on an error status defers to the status.
        assert_eq!(
            ErrorClass::of_answer(Vendor::Tencent, 503, Some(99999)),
            C::Unavailable
        );
    }

    #[test]
    fn statuses_have_their_class() {
        use ErrorClass as C;
        for status in [408, 500, 502, 503, 504, 599] {
            assert_eq!(
                ErrorClass::of_answer(Vendor::Shopline, status, None),
                C::Unavailable
            );
        }
        let cases = [
            (401, C::TokenRejected),
            (403, C::Forbidden),
            (429, C::RateLimited),
            (501, C::Other),
            (400, C::ContentRejected),
            (412, C::ContentRejected),
            (422, C::ContentRejected),
            (402, C::AccountRejected),
            (423, C::AccountRejected),
            (404, C::Other),
        ];
        for (status, class) in cases {
            assert_eq!(
                ErrorClass::of_answer(Vendor::Shopline, status, None),
                class,
                "{status}"
            );
        }
        // A Tencent 400 without an envelope is not a content verdict, nor a 402 an account's.
        assert_eq!(ErrorClass::of_answer(Vendor::Tencent, 400, None), C::Other);
        assert_eq!(ErrorClass::of_answer(Vendor::Tencent, 402, None), C::Other);
    }

    #[test]
    fn only_a_bucket_rate_limit_slows_the_pace() {
        use ErrorClass as C;
        let bucket = ErrorClass::of_answer(Vendor::Shopline, 429, None);
        assert!(bucket.slows_the_pace(false));
        assert!(!bucket.slows_the_pace(true), "429 with Retry-After");
        let per_minute = ErrorClass::of_answer(Vendor::Tencent, 200, Some(11017));
        assert!(per_minute.slows_the_pace(false));
        for class in [
            C::Unavailable,
            C::Transport,
            C::DailyLimit,
            C::Replay,
            C::Other,
        ] {
            assert!(!class.slows_the_pace(false), "{class}");
        }
    }

    #[test]
    fn predicates() {
        use ErrorClass as C;
        assert!(
            C::TokenRejected.is_auth() && C::Credentials.is_auth() && !C::RateLimited.is_auth()
        );
        assert!(C::DailyLimit.is_rate_limited() && !C::DailyLimit.is_retryable());
        assert!(C::DailyLimit.stops_every_request() && C::AccountRejected.stops_every_request());
        assert!(!C::ContentRejected.stops_every_request() && !C::Transport.stops_every_request());
        assert_eq!(
            serde_json::to_value(C::ContentRejected).unwrap(),
            "content_rejected"
        );
        assert_eq!(C::ContentRejected.to_string(), "content_rejected");
    }
}
