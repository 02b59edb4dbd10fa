//! Play addresses (tencent-cloud.md §6.4): WebRTC (LEB, recommended), HTTP-FLV, HLS and RTMP on the play
//! domain. A transcoded stream is played as `StreamName_template`, in the path and in the MD5. Play
//! authentication (off by default on a play domain) uses the same `txSecret`/`txTime` as push, but the
//! URL expires at `txTime + validity period`, the period being a setting of the domain; so a URL meant
//! to work until T carries `txTime = T − period` ([`PlayAuth::until`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::address::{tx_secret, tx_time, StreamPath};
use crate::{Error, Secret};

/// How a viewer plays the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PlayFormat {
    WebRtc,
    Flv,
    Hls,
    Rtmp,
}

impl PlayFormat {
    pub const ALL: [PlayFormat; 4] = [Self::WebRtc, Self::Flv, Self::Hls, Self::Rtmp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WebRtc => "webrtc",
            Self::Flv => "flv",
            Self::Hls => "hls",
            Self::Rtmp => "rtmp",
        }
    }
}

impl fmt::Display for PlayFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PlayFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "webrtc" => Ok(Self::WebRtc),
            "flv" => Ok(Self::Flv),
            "hls" | "m3u8" => Ok(Self::Hls),
            "rtmp" => Ok(Self::Rtmp),
            _ => Err(Error::Choice(s.to_string(), "play format: use flv, hls, rtmp or webrtc")),
        }
    }
}

/// Play authentication: the play domain's primary or backup key, the `txTime` written into the URL and
/// the domain's validity period in seconds.
#[derive(Debug, Clone, Copy)]
pub struct PlayAuth<'a> {
    pub key: &'a Secret,
    pub tx_time: u64,
    pub validity_period: u64,
}

impl<'a> PlayAuth<'a> {
    /// Authentication for a URL that stops working at `expires_at`, on a domain whose validity period
    /// is `validity_period` seconds.
    pub fn until(key: &'a Secret, expires_at: u64, validity_period: u64) -> Self {
        Self { key, tx_time: expires_at.saturating_sub(validity_period), validity_period }
    }
}

/// What to play besides the stream itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlayOptions<'a> {
    /// A transcoding template's name: the viewer gets `StreamName_template`.
    pub template: Option<&'a str>,
    pub auth: Option<PlayAuth<'a>>,
    /// FLV and HLS over `http://` rather than `https://`.
    pub plain_http: bool,
}

/// A play URL. With authentication, whoever holds it can watch until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlayAddress {
    pub format: PlayFormat,
    pub url: String,
    /// The name played: `StreamName`, or `StreamName_template` for a transcoded stream.
    pub stream_name: String,
    pub tx_time: Option<String>,
    pub tx_secret: Option<String>,
    /// `txTime` + the validity period, in unix seconds; none without play authentication.
    #[ts(type = "number | null")]
    pub expires_at: Option<u64>,
}

impl StreamPath {
    /// The play address of this stream (its domain being the play domain) in `format`.
    pub fn play(&self, format: PlayFormat, options: PlayOptions<'_>) -> Result<PlayAddress, Error> {
        let (domain, app) = (self.domain(), self.app_name());
        let name = match options.template {
            Some(t) if t.is_empty() || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {
                return Err(Error::Template(t.to_string()))
            }
            Some(t) => format!("{}_{t}", self.stream_name()),
            None => self.stream_name().to_string(),
        };
        let http = if options.plain_http { "http" } else { "https" };
        let base = match format {
            PlayFormat::WebRtc => format!("webrtc://{domain}/{app}/{name}"),
            PlayFormat::Flv => format!("{http}://{domain}/{app}/{name}.flv"),
            PlayFormat::Hls => format!("{http}://{domain}/{app}/{name}.m3u8"),
            PlayFormat::Rtmp => format!("rtmp://{domain}/{app}/{name}"),
        };
        let Some(auth) = options.auth else {
            return Ok(PlayAddress {
                format,
                url: base,
                stream_name: name,
                tx_time: None,
                tx_secret: None,
                expires_at: None,
            });
        };
        if auth.key.is_empty() {
            return Err(Error::EmptyKey);
        }
        let t = tx_time(auth.tx_time);
        let secret = tx_secret(auth.key.expose(), &name, &t);
        Ok(PlayAddress {
            format,
            url: format!("{base}?txSecret={secret}&txTime={t}"),
            stream_name: name,
            tx_time: Some(t),
            tx_secret: Some(secret),
            expires_at: Some(auth.tx_time.saturating_add(auth.validity_period)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_play_auth_example_matches() {
        // tencent-cloud.md §6.4: txTime 5C01D608 (2018-12-01 08:30:00 UTC+8) with a 12495 s validity
        // period expires at 11:58:15 that day.
        let key = Secret::new("ngoeiq03");
        let path = StreamPath::new("www.test.com", "live", "test01").unwrap();
        let auth = PlayAuth::until(&key, 0x5C01D608 + 12495, 12495);
        let a = path.play(PlayFormat::Flv, PlayOptions { auth: Some(auth), plain_http: true, ..Default::default() });
        let a = a.unwrap();
        assert_eq!(
            a.url,
            "http://www.test.com/live/test01.flv?txSecret=ce797dc6238156d548ef945e6ad1ea20&txTime=5C01D608"
        );
        assert_eq!(a.expires_at, Some(0x5C01D608 + 12495));
    }

    #[test]
    fn every_format_has_its_documented_form() {
        let path = StreamPath::new("play.example.com", "live", "s1").unwrap();
        let url = |f| path.play(f, PlayOptions::default()).unwrap().url;
        assert_eq!(url(PlayFormat::WebRtc), "webrtc://play.example.com/live/s1");
        assert_eq!(url(PlayFormat::Flv), "https://play.example.com/live/s1.flv");
        assert_eq!(url(PlayFormat::Hls), "https://play.example.com/live/s1.m3u8");
        assert_eq!(url(PlayFormat::Rtmp), "rtmp://play.example.com/live/s1");
    }

    #[test]
    fn a_transcoded_stream_is_named_with_its_template_in_the_path_and_the_md5() {
        let key = Secret::new("ngoeiq03");
        let path = StreamPath::new("www.test.com", "live", "test01").unwrap();
        let auth = PlayAuth { key: &key, tx_time: 0x5C01D608, validity_period: 0 };
        let a = path.play(PlayFormat::Hls, PlayOptions { template: Some("hd"), auth: Some(auth), plain_http: false });
        let a = a.unwrap();
        assert_eq!(a.stream_name, "test01_hd");
        assert_eq!(a.tx_secret.as_deref(), Some(tx_secret("ngoeiq03", "test01_hd", "5C01D608").as_str()));
        assert!(a.url.starts_with("https://www.test.com/live/test01_hd.m3u8?txSecret="), "{}", a.url);
        let bad = path.play(PlayFormat::Hls, PlayOptions { template: Some("h d"), ..Default::default() });
        assert!(bad.unwrap_err().to_string().contains("template"));
    }

    #[test]
    fn formats_parse_from_their_command_line_names() {
        for f in PlayFormat::ALL {
            assert_eq!(f.as_str().parse::<PlayFormat>(), Ok(f));
        }
        assert!("mp4".parse::<PlayFormat>().is_err());
    }
}
