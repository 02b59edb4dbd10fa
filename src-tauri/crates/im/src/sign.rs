//! The callback `Sign`: `lowercase_hex(SHA256(token || RequestTime))`, plain SHA-256 over the token
//! string followed by the decimal timestamp (not an HMAC). Tencent appends `Sign` and `RequestTime` to
//! the callback URL when callback authentication is on; the receiver recomputes and compares, and
//! refuses a `RequestTime` too far from its own clock (replay protection).

use sha2::{Digest, Sha256};

/// How far a callback's `RequestTime` may be from the receiver's clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 60;

pub fn callback_sign(token: &str, request_time: u64) -> String {
    let mut h = Sha256::new();
    h.update(token.as_bytes());
    h.update(request_time.to_string().as_bytes());
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the callback carries no Sign or RequestTime, but a callback token is configured")]
    Missing,
    #[error("the callback's RequestTime is {skew} s away from this machine's clock (at most {MAX_CLOCK_SKEW_SECS} s allowed)")]
    Stale { skew: u64 },
    #[error("the callback's Sign does not match the configured callback token")]
    Mismatch,
}

/// Checks a callback's `Sign` against `token`, with `now` in unix seconds.
pub fn verify_callback_sign(
    token: &str,
    sign: Option<&str>,
    request_time: Option<u64>,
    now: u64,
) -> Result<(), SignError> {
    let (Some(sign), Some(request_time)) = (sign, request_time) else {
        return Err(SignError::Missing);
    };
    let skew = now.abs_diff(request_time);
    if skew > MAX_CLOCK_SKEW_SECS {
        return Err(SignError::Stale { skew });
    }
    let expected = callback_sign(token, request_time);
    let equal = crate::secret::constant_time_eq(expected.as_bytes(), sign.to_ascii_lowercase().as_bytes());
    if equal {
        Ok(())
    } else {
        Err(SignError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_matches_the_documented_vector() {
        // tencent-cloud.md §4.1: Token=xxxxyyyy, RequestTime=1669872112.
        assert_eq!(
            callback_sign("xxxxyyyy", 1669872112),
            "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
        );
    }

    #[test]
    fn the_documents_typo_token_does_not_produce_the_printed_digest() {
        // The IM doc prints Token=xxxyyy beside the same digest; that is a typo (§4.1).
        assert_ne!(
            callback_sign("xxxyyy", 1669872112),
            "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
        );
    }

    #[test]
    fn verification_accepts_a_fresh_sign_and_refuses_stale_forged_or_missing_ones() {
        let now = 1669872112;
        let good = callback_sign("tok", now);
        assert_eq!(verify_callback_sign("tok", Some(&good), Some(now), now + 30), Ok(()));
        assert_eq!(verify_callback_sign("tok", Some(&good), Some(now), now + 61), Err(SignError::Stale { skew: 61 }));
        assert_eq!(verify_callback_sign("other", Some(&good), Some(now), now), Err(SignError::Mismatch));
        assert_eq!(verify_callback_sign("tok", None, Some(now), now), Err(SignError::Missing));
    }
}
