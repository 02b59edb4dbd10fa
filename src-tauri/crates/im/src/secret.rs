//! A wrapper for credentials (secret key, callback token) that cannot be printed by accident: `Debug`
//! and `Display` show a fixed mask, and the value is reachable only through [`Secret::expose`].

use std::fmt;

#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call it only where the value is used (signing), never to log or display.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Compares two byte strings in time that depends only on their lengths, for checking tokens and
/// signatures without leaking how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let s = Secret::new("5bd2850fff3ecb11");
        assert!(!format!("{s:?} {s}").contains("5bd2"), "neither Debug nor Display may leak the key");
        assert_eq!(s.expose(), "5bd2850fff3ecb11");
    }
}
