//! Tencent's replay protection: a fresh `nonce` and `timestamp` on every attempt (a reused nonce is refused as a
//! replay with 12100, an old timestamp with 12101).

use std::time::{SystemTime, UNIX_EPOCH};

/// 32 lowercase hex characters (128 bits from the OS CSPRNG, as many as a UUIDv4 carries): Tencent allows at
/// most 32 characters and wants them unique per access token.
pub(crate) fn nonce() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let mut text = String::with_capacity(32);
    for byte in bytes {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

pub(crate) const HEX: &[u8; 16] = b"0123456789abcdef";

/// Seconds since the Unix epoch (Tencent's `timestamp`).
pub(crate) fn unix_seconds() -> u64 {
    since_epoch().as_secs()
}

/// Milliseconds since the Unix epoch (Shopline's signed-call `timestamp`).
pub(crate) fn unix_millis() -> u128 {
    since_epoch().as_millis()
}

fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn nonces_are_32_lowercase_hex_and_unique_over_10k() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let nonce = nonce();
            assert_eq!(nonce.len(), 32);
            assert!(
                nonce
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{nonce}"
            );
            assert!(seen.insert(nonce));
        }
    }

    #[test]
    fn timestamps_are_now() {
        let seconds = unix_seconds();
        assert!(seconds > 1_700_000_000);
        let millis = unix_millis();
        assert!(millis / 1000 >= u128::from(seconds));
    }
}
