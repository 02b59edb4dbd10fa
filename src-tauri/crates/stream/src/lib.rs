//! Tencent Cloud CSS addresses: the RTMP push address an anchor gives OBS, and play addresses for
//! viewers, with URL authentication `txSecret = md5(key + StreamName + txTime)` where `txTime` is the
//! expiry as upper-case hex (tencent-cloud.md §6). The MD5 covers the exact `txTime` text, so one string
//! is made and used in both places.
//!
//! The CSS API 3.0 client for stream state (and drop, forbid, resume) is [`css`], signed with [`tc3`].
//!
//! Left for later (issue 5): WebRTC/SRT push forms, play-auth validity periods, QR codes, OBS.

pub mod css;
pub mod tc3;

pub use css::{CssClient, StreamState};
pub use im::Secret;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the stream name {0:?} is not accepted by CSS: use 1 to 128 letters, digits or '-' (recommended), '_' is allowed but discouraged")]
    StreamName(String),
    #[error("the AppName {0:?} is not valid: use letters, digits, '-' or '_'")]
    AppName(String),
    #[error("the push domain {0:?} is not a domain name")]
    Domain(String),
}

/// `txTime`: the expiry in unix seconds as upper-case hex, as Tencent's samples write it.
pub fn tx_time(expires_at: u64) -> String {
    format!("{expires_at:X}")
}

/// `txSecret = lowercase_hex(md5(key + stream_name + tx_time))`.
pub fn tx_secret(key: &str, stream_name: &str, tx_time: &str) -> String {
    let mut h = Md5::new();
    h.update(key.as_bytes());
    h.update(stream_name.as_bytes());
    h.update(tx_time.as_bytes());
    hex::encode(h.finalize())
}

pub fn validate_stream_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::StreamName(name.to_string()))
    }
}

/// An RTMP push address, split for OBS's "Custom" service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PushAddress {
    /// The whole URL: `rtmp://domain/AppName/StreamName?txSecret=…&txTime=…`.
    pub url: String,
    /// OBS "Server": everything up to and including `AppName/`.
    pub server: String,
    /// OBS "Stream Key": `StreamName?txSecret=…&txTime=…` (a secret: whoever has it can push).
    pub stream_key: String,
    pub tx_time: String,
    pub tx_secret: String,
    #[ts(type = "number")]
    pub expires_at: u64,
}

/// Makes the RTMP push address for `stream_name` under `app_name` (CSS default: `live`), valid until
/// `expires_at` (unix seconds). A push started before then keeps running; a reconnect after fails.
pub fn push_address(
    domain: &str,
    app_name: &str,
    stream_name: &str,
    key: &str,
    expires_at: u64,
) -> Result<PushAddress, Error> {
    if domain.is_empty() || !domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':') {
        return Err(Error::Domain(domain.to_string()));
    }
    if app_name.is_empty() || !app_name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::AppName(app_name.to_string()));
    }
    validate_stream_name(stream_name)?;
    let tx_time = tx_time(expires_at);
    let tx_secret = tx_secret(key, stream_name, &tx_time);
    let server = format!("rtmp://{domain}/{app_name}/");
    let stream_key = format!("{stream_name}?txSecret={tx_secret}&txTime={tx_time}");
    Ok(PushAddress { url: format!("{server}{stream_key}"), server, stream_key, tx_time, tx_secret, expires_at })
}

/// Play URL formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayFormat {
    WebRtc,
    Flv,
    Hls,
    Rtmp,
}

/// A play URL; with `auth = Some((key, tx_time_expiry))` it carries play authentication. A transcoded
/// stream is `StreamName_template`, in the path and in the MD5.
pub fn play_url(
    domain: &str,
    app_name: &str,
    stream_name: &str,
    template: Option<&str>,
    format: PlayFormat,
    auth: Option<(&str, u64)>,
) -> Result<String, Error> {
    validate_stream_name(stream_name)?;
    let name = match template {
        Some(t) => format!("{stream_name}_{t}"),
        None => stream_name.to_string(),
    };
    let base = match format {
        PlayFormat::WebRtc => format!("webrtc://{domain}/{app_name}/{name}"),
        PlayFormat::Flv => format!("https://{domain}/{app_name}/{name}.flv"),
        PlayFormat::Hls => format!("https://{domain}/{app_name}/{name}.m3u8"),
        PlayFormat::Rtmp => format!("rtmp://{domain}/{app_name}/{name}"),
    };
    Ok(match auth {
        Some((key, at)) => {
            let t = tx_time(at);
            format!("{base}?txSecret={}&txTime={t}", tx_secret(key, &name, &t))
        }
        None => base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_push_example_matches() {
        // tencent-cloud.md §6.1: 2018-12-29 14:13:45 UTC+8 = 1546064025 = 5C271099.
        let a = push_address("livepush.tcloud.com", "live", "test", "e12c46f2612d5106e2034781ab261ca3", 1546064025)
            .unwrap();
        assert_eq!(a.tx_time, "5C271099");
        assert_eq!(a.tx_secret, "f85a2ab363fe4deaffef9754d79da6fe");
        assert_eq!(
            a.url,
            "rtmp://livepush.tcloud.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099"
        );
        assert_eq!(a.server, "rtmp://livepush.tcloud.com/live/");
        assert_eq!(a.stream_key, "test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099");
    }

    #[test]
    fn the_case_of_txtime_changes_the_secret() {
        assert_eq!(
            tx_secret("e12c46f2612d5106e2034781ab261ca3", "test", "5c271099"),
            "9603387445825a481e6b7496aced5746"
        );
        assert_eq!(tx_secret("txrtmp", "11212122", &tx_time(1469762325)), "2133c689c452f0bf81b1a88261f1d9a6");
    }

    #[test]
    fn the_documented_play_auth_example_matches() {
        let url =
            play_url("www.test.com", "live", "test01", None, PlayFormat::Flv, Some(("ngoeiq03", 0x5C01D608))).unwrap();
        assert_eq!(
            url,
            "https://www.test.com/live/test01.flv?txSecret=ce797dc6238156d548ef945e6ad1ea20&txTime=5C01D608"
        );
    }

    #[test]
    fn stream_names_css_would_refuse_are_refused_with_a_reason() {
        for bad in ["", "a b", "名前", "x/y", &"a".repeat(129)] {
            let e = validate_stream_name(bad).unwrap_err();
            assert!(e.to_string().contains("letters, digits"), "{e}");
        }
        assert!(validate_stream_name("anchor-42").is_ok());
    }
}
