//! TLSSigAPIv2 UserSig: the password of an IM account, an HMAC-SHA256 over a fixed text, wrapped in a
//! JSON document, zlib-compressed and encoded with Tencent's URL-safe base64 variant (`+`→`*`, `/`→`-`,
//! `=`→`_`).
//!
//! UserSig strings are not canonical (JSON key order, spacing and zlib level vary between official
//! implementations); only `TLS.sig` is. This module writes compact JSON in the official Node order at
//! zlib's default level, and verifies any well-formed variant the way the official Go `VerifyUserSig`
//! does: sdkappid, identifier, expiry, userbuf, then the HMAC.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use flate2::{read::ZlibDecoder, write::ZlibEncoder, Compression};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::io::{Read, Write};

use crate::SdkAppId;

/// The default validity Tencent's tools use: 180 days.
pub const DEFAULT_EXPIRE_SECS: u64 = 180 * 86_400;

/// A generated UserSig string.
#[derive(Clone, PartialEq, Eq)]
pub struct UserSig(String);

impl std::fmt::Debug for UserSig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserSig(***)")
    }
}

impl UserSig {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The JSON document inside a UserSig.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigDoc {
    #[serde(rename = "TLS.ver")]
    pub ver: String,
    #[serde(rename = "TLS.identifier")]
    pub identifier: String,
    #[serde(rename = "TLS.sdkappid")]
    pub sdkappid: SdkAppId,
    #[serde(rename = "TLS.time")]
    pub time: u64,
    #[serde(rename = "TLS.expire")]
    pub expire: u64,
    #[serde(rename = "TLS.userbuf", default, skip_serializing_if = "Option::is_none")]
    pub userbuf: Option<String>,
    #[serde(rename = "TLS.sig")]
    pub sig: String,
}

/// Why a UserSig was refused; each maps to the code Tencent answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the UserSig is empty")]
    Empty,
    #[error("the UserSig is malformed: {0}")]
    Malformed(String),
    #[error("the UserSig was made for another SDKAppID")]
    SdkAppIdMismatch,
    #[error("the UserSig was made for another identifier")]
    IdentifierMismatch,
    #[error("the UserSig has expired")]
    Expired,
    #[error("the UserSig's userbuf does not match")]
    UserBufMismatch,
    #[error("the UserSig's signature does not verify with this app's secret key")]
    SigMismatch,
}

impl VerifyError {
    /// Tencent's REST error code for this failure (tencent-cloud.md §3).
    pub fn tencent_code(&self) -> i64 {
        match self {
            VerifyError::Empty => 70002,
            VerifyError::Malformed(_) => 70003,
            VerifyError::SdkAppIdMismatch => 70014,
            VerifyError::IdentifierMismatch => 70013,
            VerifyError::Expired => 70001,
            VerifyError::UserBufMismatch | VerifyError::SigMismatch => 70009,
        }
    }
}

fn content(identifier: &str, sdkappid: SdkAppId, time: u64, expire: u64, userbuf: Option<&str>) -> String {
    let mut s = format!("TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n");
    if let Some(b) = userbuf {
        s.push_str(&format!("TLS.userbuf:{b}\n"));
    }
    s
}

fn hmac_b64(key: &str, content: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(content.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn url_encode(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '*',
            '/' => '-',
            '=' => '_',
            c => c,
        })
        .collect()
}

fn url_decode(s: &str) -> Result<Vec<u8>, VerifyError> {
    let std: String = s
        .chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    STANDARD.decode(std).map_err(|e| VerifyError::Malformed(format!("base64: {e}")))
}

/// Generates a UserSig valid from `now` (unix seconds) for `expire` seconds.
pub fn generate(sdkappid: SdkAppId, key: &str, identifier: &str, expire: u64, now: u64) -> UserSig {
    generate_with_userbuf(sdkappid, key, identifier, expire, now, None)
}

/// Generates a UserSig carrying a `userbuf` (used by TRTC's PrivateMapKey).
pub fn generate_with_userbuf(
    sdkappid: SdkAppId,
    key: &str,
    identifier: &str,
    expire: u64,
    now: u64,
    userbuf: Option<&[u8]>,
) -> UserSig {
    let userbuf = userbuf.map(|b| STANDARD.encode(b));
    let sig = hmac_b64(key, &content(identifier, sdkappid, now, expire, userbuf.as_deref()));
    let doc = SigDoc { ver: "2.0".into(), identifier: identifier.into(), sdkappid, time: now, expire, userbuf, sig };
    // Node's key order: ver, identifier, sdkappid, time, expire, [userbuf,] sig.
    let mut json = String::from("{");
    json.push_str(&format!(
        "\"TLS.ver\":\"2.0\",\"TLS.identifier\":{},\"TLS.sdkappid\":{},\"TLS.time\":{},\"TLS.expire\":{},",
        serde_json::to_string(&doc.identifier).expect("a string serializes"),
        doc.sdkappid,
        doc.time,
        doc.expire
    ));
    if let Some(b) = &doc.userbuf {
        json.push_str(&format!("\"TLS.userbuf\":\"{b}\","));
    }
    json.push_str(&format!("\"TLS.sig\":\"{}\"}}", doc.sig));
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(json.as_bytes()).expect("writing to a Vec cannot fail");
    UserSig(url_encode(&z.finish().expect("finishing into a Vec cannot fail")))
}

/// Decodes a UserSig into its JSON document without checking anything.
pub fn decode(usersig: &str) -> Result<SigDoc, VerifyError> {
    if usersig.is_empty() {
        return Err(VerifyError::Empty);
    }
    let compressed = url_decode(usersig)?;
    let mut json = Vec::new();
    ZlibDecoder::new(&compressed[..])
        .read_to_end(&mut json)
        .map_err(|e| VerifyError::Malformed(format!("zlib: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| VerifyError::Malformed(format!("json: {e}")))
}

/// Verifies a UserSig the way Tencent does, with `now` in unix seconds. Returns the decoded document.
pub fn verify(
    usersig: &str,
    sdkappid: SdkAppId,
    key: &str,
    identifier: &str,
    now: u64,
    userbuf: Option<&[u8]>,
) -> Result<SigDoc, VerifyError> {
    let doc = decode(usersig)?;
    if doc.sdkappid != sdkappid {
        return Err(VerifyError::SdkAppIdMismatch);
    }
    if doc.identifier != identifier {
        return Err(VerifyError::IdentifierMismatch);
    }
    if now > doc.time.saturating_add(doc.expire) {
        return Err(VerifyError::Expired);
    }
    let expected_buf = userbuf.map(|b| STANDARD.encode(b));
    if doc.userbuf != expected_buf {
        return Err(VerifyError::UserBufMismatch);
    }
    let expected = hmac_b64(key, &content(&doc.identifier, doc.sdkappid, doc.time, doc.expire, doc.userbuf.as_deref()));
    let given = STANDARD.decode(&doc.sig).map_err(|e| VerifyError::Malformed(format!("TLS.sig: {e}")))?;
    let want = STANDARD.decode(&expected).expect("we just encoded it");
    if !crate::secret::constant_time_eq(&given, &want) {
        return Err(VerifyError::SigMismatch);
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    // tencent-cloud.md §5.2: the demo key from the official READMEs.
    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    const NODE_SIG: &str = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamKlkZmqOKplYUZBaBxE1NTY3gosWZ6UpWSj5ljuYp*p7l5unBxXnF2WVhVU4uAf7Ozi5JpX7O5SbuHuUhzgZJmQXaTia2SrUAohcx8g__";
    const PYTHON_SIG: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpYJkTE1NjRDiJZm5YFFzNPXFmekgG3zKHM1T9D3LzdODi-OKs8vCqpxcAvydnV2SSv2cy03cPcpDnA2SMgu0nUxslWoBHdYzUg__";

    #[test]
    fn generated_usersig_decodes_to_the_documented_fields_and_sig() {
        let sig = generate(1400000000, KEY, "xiaojun", 15552000, 1700000000);
        let doc = decode(sig.as_str()).unwrap();
        assert_eq!(doc.identifier, "xiaojun");
        assert_eq!(doc.sdkappid, 1400000000);
        assert_eq!(doc.time, 1700000000);
        assert_eq!(doc.expire, 15552000);
        assert_eq!(doc.ver, "2.0");
        assert_eq!(doc.sig, "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=", "TLS.sig is the only canonical part");
        assert_eq!(doc.userbuf, None);
    }

    #[test]
    fn ours_and_the_official_node_string_decode_to_the_same_document() {
        // The strings differ (zlib backends compress differently); the documents must not.
        let ours = decode(generate(1400000000, KEY, "xiaojun", 15552000, 1700000000).as_str()).unwrap();
        assert_eq!(ours, decode(NODE_SIG).unwrap());
    }

    #[test]
    fn the_official_node_and_python_strings_both_verify() {
        for s in [NODE_SIG, PYTHON_SIG] {
            let doc = verify(s, 1400000000, KEY, "xiaojun", 1700000001, None).unwrap();
            assert_eq!(doc.sig, "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=");
        }
    }

    #[test]
    fn userbuf_is_signed_and_must_match() {
        let sig = generate_with_userbuf(1400000000, KEY, "xiaojun", 15552000, 1700000000, Some(b"abc"));
        let doc = decode(sig.as_str()).unwrap();
        assert_eq!(doc.userbuf.as_deref(), Some("YWJj"));
        assert_eq!(doc.sig, "QjT201xPkXk/aM1e+y0vakZb0K2iPrFue++0s5y6bFM=", "documented userbuf vector");
        assert!(verify(sig.as_str(), 1400000000, KEY, "xiaojun", 1700000000, Some(b"abc")).is_ok());
        assert_eq!(
            verify(sig.as_str(), 1400000000, KEY, "xiaojun", 1700000000, Some(b"abd")),
            Err(VerifyError::UserBufMismatch)
        );
        assert_eq!(
            verify(sig.as_str(), 1400000000, KEY, "xiaojun", 1700000000, None),
            Err(VerifyError::UserBufMismatch)
        );
    }

    #[test]
    fn expiry_is_inclusive_of_the_last_second_and_refused_after() {
        let sig = generate(1400000000, KEY, "admin", 100, 1000);
        assert!(verify(sig.as_str(), 1400000000, KEY, "admin", 1100, None).is_ok());
        let err = verify(sig.as_str(), 1400000000, KEY, "admin", 1101, None).unwrap_err();
        assert_eq!(err, VerifyError::Expired);
        assert_eq!(err.tencent_code(), 70001);
    }

    #[test]
    fn wrong_key_identifier_app_or_garbage_get_tencents_codes() {
        let sig = generate(1400000000, KEY, "admin", 100, 1000);
        let code = |r: Result<SigDoc, VerifyError>| r.unwrap_err().tencent_code();
        assert_eq!(code(verify(sig.as_str(), 1400000000, "other-key", "admin", 1000, None)), 70009);
        assert_eq!(code(verify(sig.as_str(), 1400000000, KEY, "bob", 1000, None)), 70013);
        assert_eq!(code(verify(sig.as_str(), 1400000001, KEY, "admin", 1000, None)), 70014);
        assert_eq!(code(verify("", 1400000000, KEY, "admin", 1000, None)), 70002);
        assert_eq!(code(verify("not*a*sig", 1400000000, KEY, "admin", 1000, None)), 70003);
    }
}
