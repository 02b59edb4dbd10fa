//! Push addresses (tencent-cloud.md §6.1–6.3). A push address is a domain, an AppName and a StreamName
//! in one of four URL forms, with URL authentication appended: `txTime` is the expiry in unix seconds as
//! upper-case hex, and `txSecret = lowercase_hex(md5(KEY + StreamName + txTime))`. The MD5 covers the
//! exact `txTime` text, so one string is made and used in both places. KEY is either of the domain's
//! two push-authentication keys (primary or backup); CSS accepts a secret made with either, which is
//! what lets an operator rotate keys without cutting anyone off ([`verify_auth`] is that check).
//!
//! OBS's "Custom" service takes the RTMP forms split in two: Server is everything up to and including
//! `AppName/`, Stream Key is the rest. For SRT, OBS takes the whole `srt://` URL as the server and no
//! key; OBS cannot push `webrtc://` at all.
//!
//! Invariant: [`StreamPath`] only holds names CSS would accept, so every address made from it is one
//! CSS can parse. `Debug` of an address never shows the secret.

use std::fmt;
use std::str::FromStr;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Secret};

/// CSS's default AppName.
pub const DEFAULT_APP_NAME: &str = "live";
/// SRT push (TS over SRT) listens on this port.
pub const SRT_PORT: u16 = 9000;
/// RTMP over SRT listens on this port.
pub const RTMP_OVER_SRT_PORT: u16 = 3570;
/// The longest stream name this crate makes addresses for.
pub const MAX_STREAM_NAME: usize = 128;

/// `txTime`: the expiry in unix seconds as upper-case hex, as Tencent's samples write it.
pub fn tx_time(expires_at: u64) -> String {
    format!("{expires_at:X}")
}

/// `txSecret = lowercase_hex(md5(key + stream_name + tx_time))`, over the exact `tx_time` text.
pub fn tx_secret(key: &str, stream_name: &str, tx_time: &str) -> String {
    let mut h = Md5::new();
    h.update(key.as_bytes());
    h.update(stream_name.as_bytes());
    h.update(tx_time.as_bytes());
    hex::encode(h.finalize())
}

/// Checks a stream name the way CSS would: 1 to 128 of `[A-Za-z0-9_-]`. The docs only promise "letters,
/// digits and symbols" and report "illegal characters" at push time, so this keeps to the safe set.
pub fn validate_stream_name(name: &str) -> Result<(), Error> {
    let refuse = |reason: String| Err(Error::StreamName { name: name.to_string(), reason });
    if name.is_empty() {
        return refuse("it is empty".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return refuse(format!("it contains {c:?}"));
    }
    if name.len() > MAX_STREAM_NAME {
        return refuse(format!("it is {} characters long", name.len()));
    }
    Ok(())
}

fn validate_app_name(app: &str) -> Result<(), Error> {
    if app.is_empty() || !app.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::AppName(app.to_string()));
    }
    Ok(())
}

/// A host name or IPv4 address, optionally with `:port` (a local ingest listens on one).
fn validate_domain(domain: &str) -> Result<(), Error> {
    let refuse = |reason: &str| Err(Error::Domain { domain: domain.to_string(), reason: reason.to_string() });
    if domain.contains("://") {
        return refuse("give the domain alone, without rtmp:// or http://, e.g. livepush.example.com");
    }
    if domain.contains(['/', '?', '#']) {
        return refuse("give the domain alone, without a path or query, e.g. livepush.example.com");
    }
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    if let Some(p) = port {
        if !matches!(p.parse::<u16>(), Ok(n) if n > 0) {
            return refuse("the port after ':' must be a number from 1 to 65535");
        }
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
        return refuse("a domain is made of letters, digits and '-' between dots, e.g. livepush.example.com");
    }
    Ok(())
}

fn has_port(domain: &str) -> bool {
    domain.contains(':')
}

/// The URL form of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PushProtocol {
    /// `rtmp://domain/AppName/StreamName?txSecret=…&txTime=…` (OBS, most encoders).
    Rtmp,
    /// `webrtc://domain/AppName/StreamName?…` (LEB push from a browser or Tencent's SDK; not OBS).
    WebRtc,
    /// `srt://domain:9000?streamid=#!::h=domain,r=AppName/StreamName,txSecret=…,txTime=…` (OBS ≥ 25).
    Srt,
    /// `rtmp://domain:3570/AppName/StreamName?…`: RTMP carried over SRT.
    RtmpOverSrt,
}

impl PushProtocol {
    pub const ALL: [PushProtocol; 4] = [Self::Rtmp, Self::WebRtc, Self::Srt, Self::RtmpOverSrt];

    /// The name the command line uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rtmp => "rtmp",
            Self::WebRtc => "webrtc",
            Self::Srt => "srt",
            Self::RtmpOverSrt => "rtmp-srt",
        }
    }
}

impl fmt::Display for PushProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PushProtocol {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "rtmp" => Ok(Self::Rtmp),
            "webrtc" => Ok(Self::WebRtc),
            "srt" => Ok(Self::Srt),
            "rtmp-srt" | "rtmp-over-srt" => Ok(Self::RtmpOverSrt),
            _ => Err(Error::Choice(s.to_string(), "push protocol: use rtmp, webrtc, srt or rtmp-srt")),
        }
    }
}

/// Where a stream lives: a domain, an AppName and a StreamName, each checked as CSS would.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StreamPath {
    domain: String,
    app_name: String,
    stream_name: String,
}

impl StreamPath {
    /// `domain` is the push domain for [`StreamPath::push`] and the play domain for
    /// [`StreamPath::play`](crate::play); `app_name` is usually [`DEFAULT_APP_NAME`].
    pub fn new(domain: &str, app_name: &str, stream_name: &str) -> Result<Self, Error> {
        validate_domain(domain)?;
        validate_app_name(app_name)?;
        validate_stream_name(stream_name)?;
        Ok(Self { domain: domain.to_string(), app_name: app_name.to_string(), stream_name: stream_name.to_string() })
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    pub fn app_name(&self) -> &str {
        &self.app_name
    }

    pub fn stream_name(&self) -> &str {
        &self.stream_name
    }

    /// The push address in `protocol`'s form. Without `auth` (push authentication switched off for
    /// the domain) the address has no query. A push started before `expires_at` keeps running; a
    /// reconnect after it is refused.
    pub fn push(&self, protocol: PushProtocol, auth: Option<PushAuth<'_>>) -> Result<PushAddress, Error> {
        let (domain, app, name) = (&self.domain, &self.app_name, &self.stream_name);
        if matches!(protocol, PushProtocol::Srt | PushProtocol::RtmpOverSrt) && has_port(domain) {
            let port = if protocol == PushProtocol::Srt { SRT_PORT } else { RTMP_OVER_SRT_PORT };
            return Err(Error::Domain {
                domain: domain.clone(),
                reason: format!("{protocol} push uses port {port}: give the domain without a port"),
            });
        }
        let auth = match auth {
            Some(a) if a.key.is_empty() => return Err(Error::EmptyKey),
            Some(a) => {
                let t = tx_time(a.expires_at);
                Some((tx_secret(a.key.expose(), name, &t), t, a.expires_at))
            }
            None => None,
        };
        let query = |sep: char| match &auth {
            Some((secret, t, _)) => format!("?txSecret={secret}{sep}txTime={t}"),
            None => String::new(),
        };
        let (url, server, stream_key) = match protocol {
            PushProtocol::Rtmp | PushProtocol::RtmpOverSrt => {
                let server = if protocol == PushProtocol::Rtmp {
                    format!("rtmp://{domain}/{app}/")
                } else {
                    format!("rtmp://{domain}:{RTMP_OVER_SRT_PORT}/{app}/")
                };
                let key = format!("{name}{}", query('&'));
                (format!("{server}{key}"), Some(server), Some(key))
            }
            PushProtocol::WebRtc => (format!("webrtc://{domain}/{app}/{name}{}", query('&')), None, None),
            PushProtocol::Srt => {
                let auth = match &auth {
                    Some((secret, t, _)) => format!(",txSecret={secret},txTime={t}"),
                    None => String::new(),
                };
                let url = format!("srt://{domain}:{SRT_PORT}?streamid=#!::h={domain},r={app}/{name}{auth}");
                (url.clone(), Some(url), Some(String::new()))
            }
        };
        let (tx_secret, tx_time, expires_at) = match auth {
            Some((s, t, at)) => (Some(s), Some(t), Some(at)),
            None => (None, None, None),
        };
        Ok(PushAddress { protocol, url, server, stream_key, tx_time, tx_secret, expires_at })
    }
}

/// URL authentication for a push: one of the domain's two keys, and the expiry (unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct PushAuth<'a> {
    pub key: &'a Secret,
    pub expires_at: u64,
}

/// A push address. `url`, `stream_key` and `tx_secret` let whoever holds them push to the room until
/// `expires_at`: show them to the anchor, never log them (`Debug` masks them).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PushAddress {
    pub protocol: PushProtocol,
    /// The whole URL, for encoders that take one.
    pub url: String,
    /// OBS "Server": up to and including `AppName/` for RTMP; the whole URL for SRT; none for WebRTC.
    pub server: Option<String>,
    /// OBS "Stream Key": `StreamName?txSecret=…&txTime=…` for RTMP; empty for SRT; none for WebRTC.
    pub stream_key: Option<String>,
    pub tx_time: Option<String>,
    pub tx_secret: Option<String>,
    /// Unix seconds; none when push authentication is off.
    #[ts(type = "number | null")]
    pub expires_at: Option<u64>,
}

impl PushAddress {
    /// What OBS's "Custom" service needs, when OBS can push this form.
    pub fn obs_settings(&self) -> Option<crate::obs::ObsStreamSettings> {
        match (&self.server, &self.stream_key) {
            (Some(server), Some(key)) => Some(crate::obs::ObsStreamSettings::new(server, key)),
            _ => None,
        }
    }
}

impl fmt::Debug for PushAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("PushAddress")
            .field("protocol", &self.protocol)
            .field("url", &"***")
            .field("server", &self.server.as_ref().filter(|_| self.protocol != PushProtocol::Srt))
            .field("stream_key", &masked(&self.stream_key))
            .field("tx_time", &self.tx_time)
            .field("tx_secret", &masked(&self.tx_secret))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why CSS refuses a URL's authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthRefusal {
    /// `txTime` is not hex or `txSecret` is missing.
    Malformed,
    /// The secret matches neither key.
    BadSecret,
    /// `txTime` (plus the validity period, for play) has passed.
    Expired,
}

/// The check CSS makes on a push or play URL: `tx_secret` must be the MD5 for `name` and the exact
/// `tx_time` text under one of `keys` (primary, backup), and `txTime + grace` must not have passed at
/// `now` (`grace` is 0 for push, the play-auth validity period for play). For the sandbox's ingest and
/// for tests.
pub fn verify_auth(
    name: &str,
    tx_secret_given: &str,
    tx_time_given: &str,
    keys: &[&Secret],
    now: u64,
    grace: u64,
) -> Result<(), AuthRefusal> {
    let at = u64::from_str_radix(tx_time_given, 16).map_err(|_| AuthRefusal::Malformed)?;
    if tx_secret_given.is_empty() {
        return Err(AuthRefusal::Malformed);
    }
    let given = tx_secret_given.to_ascii_lowercase();
    let matches = keys
        .iter()
        .filter(|k| !k.is_empty())
        .any(|k| im::secret::constant_time_eq(tx_secret(k.expose(), name, tx_time_given).as_bytes(), given.as_bytes()));
    if !matches {
        return Err(AuthRefusal::BadSecret);
    }
    if at.saturating_add(grace) < now {
        return Err(AuthRefusal::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_KEY: &str = "e12c46f2612d5106e2034781ab261ca3";
    /// tencent-cloud.md §6.1: 2018-12-29 14:13:45 UTC+8 = 1546064025 = 5C271099.
    const DOC_EXPIRY: u64 = 1546064025;

    fn doc_path() -> StreamPath {
        StreamPath::new("livepush.tcloud.com", "live", "test").unwrap()
    }

    fn doc_auth(key: &Secret) -> Option<PushAuth<'_>> {
        Some(PushAuth { key, expires_at: DOC_EXPIRY })
    }

    #[test]
    fn the_documented_push_example_matches() {
        let key = Secret::new(DOC_KEY);
        let a = doc_path().push(PushProtocol::Rtmp, doc_auth(&key)).unwrap();
        assert_eq!(a.tx_time.as_deref(), Some("5C271099"));
        assert_eq!(a.tx_secret.as_deref(), Some("f85a2ab363fe4deaffef9754d79da6fe"));
        assert_eq!(
            a.url,
            "rtmp://livepush.tcloud.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099"
        );
        assert_eq!(a.expires_at, Some(DOC_EXPIRY));
    }

    #[test]
    fn obs_gets_the_server_up_to_the_app_name_and_the_rest_as_the_key() {
        let key = Secret::new(DOC_KEY);
        let a = doc_path().push(PushProtocol::Rtmp, doc_auth(&key)).unwrap();
        assert_eq!(a.server.as_deref(), Some("rtmp://livepush.tcloud.com/live/"));
        assert_eq!(a.stream_key.as_deref(), Some("test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099"));
        let obs = a.obs_settings().expect("OBS can push RTMP");
        assert_eq!(format!("{}{}", obs.server, obs.key.expose()), a.url, "server + key is the whole URL");
    }

    #[test]
    fn the_case_of_txtime_changes_the_secret() {
        assert_eq!(tx_secret(DOC_KEY, "test", "5c271099"), "9603387445825a481e6b7496aced5746");
        assert_eq!(tx_secret("txrtmp", "11212122", &tx_time(1469762325)), "2133c689c452f0bf81b1a88261f1d9a6");
        assert_eq!(tx_time(1469762325), "579ACB15", "upper-case hex as Tencent's samples");
    }

    #[test]
    fn srt_puts_the_path_and_the_auth_inside_streamid_on_port_9000() {
        let key = Secret::new(DOC_KEY);
        let a = doc_path().push(PushProtocol::Srt, doc_auth(&key)).unwrap();
        assert_eq!(
            a.url,
            "srt://livepush.tcloud.com:9000?streamid=#!::h=livepush.tcloud.com,r=live/test,\
             txSecret=f85a2ab363fe4deaffef9754d79da6fe,txTime=5C271099"
        );
        assert_eq!(a.server.as_deref(), Some(a.url.as_str()), "OBS takes the whole SRT URL as the server");
        assert_eq!(a.stream_key.as_deref(), Some(""), "and no stream key");
        let bare = doc_path().push(PushProtocol::Srt, None).unwrap();
        assert_eq!(bare.url, "srt://livepush.tcloud.com:9000?streamid=#!::h=livepush.tcloud.com,r=live/test");
    }

    #[test]
    fn webrtc_and_rtmp_over_srt_have_their_documented_forms() {
        let key = Secret::new(DOC_KEY);
        let w = doc_path().push(PushProtocol::WebRtc, doc_auth(&key)).unwrap();
        assert_eq!(
            w.url,
            "webrtc://livepush.tcloud.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099"
        );
        assert!(w.obs_settings().is_none(), "OBS cannot push webrtc://");
        let r = doc_path().push(PushProtocol::RtmpOverSrt, doc_auth(&key)).unwrap();
        assert_eq!(
            r.url,
            "rtmp://livepush.tcloud.com:3570/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099"
        );
        assert_eq!(r.server.as_deref(), Some("rtmp://livepush.tcloud.com:3570/live/"));
    }

    #[test]
    fn without_push_authentication_the_address_has_no_query() {
        let a = doc_path().push(PushProtocol::Rtmp, None).unwrap();
        assert_eq!(a.url, "rtmp://livepush.tcloud.com/live/test");
        assert_eq!((a.tx_time, a.tx_secret, a.expires_at), (None, None, None));
    }

    #[test]
    fn an_address_made_with_either_key_passes_the_css_check_until_it_expires() {
        let (primary, backup, other) = (Secret::new(DOC_KEY), Secret::new("backup-key"), Secret::new("nope"));
        let keys = [&primary, &backup];
        for key in [&primary, &backup] {
            let a = doc_path().push(PushProtocol::Rtmp, doc_auth(key)).unwrap();
            let (s, t) = (a.tx_secret.unwrap(), a.tx_time.unwrap());
            assert_eq!(verify_auth("test", &s, &t, &keys, DOC_EXPIRY, 0), Ok(()), "valid up to the second");
            assert_eq!(verify_auth("test", &s, &t, &keys, DOC_EXPIRY + 1, 0), Err(AuthRefusal::Expired));
            assert_eq!(verify_auth("other", &s, &t, &keys, 0, 0), Err(AuthRefusal::BadSecret), "bound to the name");
        }
        let a = doc_path().push(PushProtocol::Rtmp, doc_auth(&other)).unwrap();
        assert_eq!(
            verify_auth("test", &a.tx_secret.unwrap(), &a.tx_time.unwrap(), &keys, 0, 0),
            Err(AuthRefusal::BadSecret)
        );
        assert_eq!(
            verify_auth("test", "f85a2ab363fe4deaffef9754d79da6fe", "5c271099", &keys, 0, 0),
            Err(AuthRefusal::BadSecret),
            "the MD5 is over the exact txTime text, so a lower-cased txTime does not match"
        );
        assert_eq!(verify_auth("test", "x", "zz", &keys, 0, 0), Err(AuthRefusal::Malformed));
    }

    #[test]
    fn stream_names_css_would_refuse_are_refused_with_a_reason() {
        for (bad, reason) in [
            ("", "it is empty"),
            ("a b", "contains ' '"),
            ("名前", "contains '名'"),
            ("x/y", "contains '/'"),
            ("a?b", "contains '?'"),
            (&"a".repeat(129), "129 characters"),
        ] {
            let e = validate_stream_name(bad).unwrap_err().to_string();
            assert!(e.contains(reason) && e.contains("letters, digits and '-'"), "{e}");
        }
        assert!(validate_stream_name("anchor-42").is_ok());
        assert!(validate_stream_name("anchor_42").is_ok(), "discouraged, not refused");
    }

    #[test]
    fn domains_with_a_scheme_or_path_are_refused_with_what_to_fix() {
        for (bad, hint) in [
            ("rtmp://livepush.example.com", "without rtmp://"),
            ("livepush.example.com/live", "without a path"),
            ("", "letters, digits"),
            ("-x.com", "letters, digits"),
            ("host:0", "port"),
        ] {
            let e = StreamPath::new(bad, "live", "s").unwrap_err().to_string();
            assert!(e.contains(hint), "{bad}: {e}");
        }
        assert!(StreamPath::new("127.0.0.1:1935", "live", "s").is_ok(), "a local ingest has a port");
        let e = StreamPath::new("127.0.0.1:1935", "live", "s").unwrap().push(PushProtocol::Srt, None).unwrap_err();
        assert!(e.to_string().contains("port 9000"), "{e}");
        assert!(StreamPath::new("x.com", "li ve", "s").unwrap_err().to_string().contains("AppName"));
    }

    #[test]
    fn an_empty_key_is_refused_rather_than_signed() {
        let empty = Secret::new("");
        let e = doc_path().push(PushProtocol::Rtmp, Some(PushAuth { key: &empty, expires_at: 1 })).unwrap_err();
        assert_eq!(e, Error::EmptyKey);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = Secret::new(DOC_KEY);
        let a = doc_path().push(PushProtocol::Rtmp, doc_auth(&key)).unwrap();
        let d = format!("{a:?} {:?}", a.obs_settings().unwrap());
        assert!(!d.contains("f85a2ab3") && !d.contains(DOC_KEY), "{d}");
        assert!(d.contains("5C271099"), "the expiry is not a secret: {d}");
    }

    #[test]
    fn protocols_parse_from_their_command_line_names() {
        for p in PushProtocol::ALL {
            assert_eq!(p.as_str().parse::<PushProtocol>(), Ok(p));
        }
        assert!("rtsp".parse::<PushProtocol>().unwrap_err().to_string().contains("rtmp, webrtc, srt or rtmp-srt"));
    }
}
