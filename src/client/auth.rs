//! Credentials: a fixed token, or a provider asked for a fresh one (Shopline tokens last about 10 hours,
//! Tencent OAuth access tokens a day, so a long job must be able to refresh without restarting); and the
//! optional HMAC signature of Shopline's signed calls.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::nonce::HEX;
use super::secret::Secret;

/// The error a [`TokenProvider`] returns; its text goes into [`crate::Error::Credentials`], so it must not
/// contain the token.
pub type TokenError = Box<dyn std::error::Error + Send + Sync>;

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, TokenError>> + Send + 'a>>;

/// Supplies access tokens, to either client. The client asks once before its first call and again whenever the
/// platform refuses the token (Shopline 401, Tencent 11000 expired or 11002 invalid; once per call), so `token`
/// should return a fresh token (refreshing it) when asked.
///
/// ```
/// use salesync::client::{Secret, TokenFuture, TokenProvider};
/// struct FromEnv;
/// impl TokenProvider for FromEnv {
///     fn token(&self) -> TokenFuture<'_> {
///         Box::pin(async { Ok(Secret::new(std::env::var("SHOPLINE_TOKEN")?)) })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync {
    /// A token to use from now on.
    fn token(&self) -> TokenFuture<'_>;
}

/// Where a client's token comes from.
#[derive(Clone)]
pub(crate) enum Credential {
    Fixed(Secret),
    Provider {
        provider: Arc<dyn TokenProvider>,
        /// The token in use, shared by clones of the client; cleared when the platform refuses it.
        current: Arc<Mutex<Option<Secret>>>,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Fixed(token) => write!(f, "Fixed({token:?})"),
            Credential::Provider { .. } => f.write_str("Provider"),
        }
    }
}

impl Credential {
    pub(crate) fn provider(provider: Arc<dyn TokenProvider>) -> Self {
        Credential::Provider {
            provider,
            current: Arc::new(Mutex::new(None)),
        }
    }

    /// Whether asking again after a 401 can give a different token.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Credential::Provider { .. })
    }

    /// The token to send: the fixed one, or the provider's current one (asking it when there is none).
    pub(crate) async fn token(&self) -> Result<Secret, TokenError> {
        match self {
            Credential::Fixed(token) => Ok(token.clone()),
            Credential::Provider { provider, current } => {
                if let Some(token) = lock(current).clone() {
                    return Ok(token);
                }
                let token = provider.token().await?;
                *lock(current) = Some(token.clone());
                Ok(token)
            }
        }
    }

    /// The platform refused `token` (401): forget it, so that the next attempt asks the provider. A token
    /// another task has already replaced is left alone.
    pub(crate) fn refused(&self, token: &Secret) {
        if let Credential::Provider { current, .. } = self {
            let mut current = lock(current);
            if current.as_ref() == Some(token) {
                *current = None;
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The app key and secret of Shopline signed calls.
#[derive(Clone, Debug)]
pub(crate) struct Signing {
    pub app_key: Secret,
    pub app_secret: Secret,
}

/// Shopline's `sign`: lowercase hex HMAC-SHA256 keyed with the app secret over the body then the timestamp.
pub(crate) fn shopline_sign(app_secret: &Secret, body: &[u8], timestamp: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    mac.update(timestamp.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut text = String::with_capacity(64);
    for byte in digest {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    /// HMAC-SHA256 from its definition (RFC 2104) on plain SHA-256, to check the crate-based one against.
    fn hmac_by_hand(key: &[u8], message: &[u8]) -> String {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(message)
            .finalize();
        let outer = Sha256::new()
            .chain_update(pad(0x5c))
            .chain_update(inner)
            .finalize();
        outer.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sign_matches_known_vectors() {
        // RFC 4231 test case 2.
        assert_eq!(
            shopline_sign(&Secret::new("Jefe"), b"what do ya want for nothing?", ""),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Body then timestamp, computed outside Rust (Python's hmac module).
        let body = br#"{"store_id":"1"}"#;
        let sign = shopline_sign(&Secret::new("app-secret-123"), body, "1700000000000");
        assert_eq!(
            sign,
            "8585de35d23ec6e7c30b5377fadb82fb9e08816f8c730d4fea78130e48882e91"
        );
        assert_eq!(
            sign,
            hmac_by_hand(b"app-secret-123", br#"{"store_id":"1"}1700000000000"#)
        );
        let long_key = "k".repeat(100);
        assert_eq!(
            shopline_sign(&Secret::new(long_key.clone()), b"x", "1"),
            hmac_by_hand(long_key.as_bytes(), b"x1")
        );
    }

    struct Counting(std::sync::atomic::AtomicU32);

    impl TokenProvider for Counting {
        fn token(&self) -> TokenFuture<'_> {
            let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            Box::pin(async move { Ok(Secret::new(format!("token-{n}"))) })
        }
    }

    #[tokio::test]
    async fn provider_is_asked_once_then_after_a_refusal() {
        let credential = Credential::provider(Arc::new(Counting(0.into())));
        let first = credential.token().await.unwrap();
        assert_eq!(credential.token().await.unwrap(), first);
        credential.refused(&Secret::new("token-other"));
        assert_eq!(credential.token().await.unwrap(), first);
        credential.refused(&first);
        assert_eq!(credential.token().await.unwrap().expose(), "token-2");
        assert!(credential.can_refresh());
        assert!(!Credential::Fixed(first).can_refresh());
    }
}
