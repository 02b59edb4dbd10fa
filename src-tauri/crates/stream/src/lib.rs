//! Tencent Cloud CSS as the anchor meets it: the push address given to OBS and the play addresses given
//! to viewers (tencent-cloud.md §6), and OBS itself through obs-websocket v5 (obs-websocket.md).
//!
//! - [`address`]: push addresses for RTMP, WebRTC, SRT and RTMP over SRT, with URL authentication
//!   `txSecret = md5(key + StreamName + txTime)`, the OBS server/key split, and the check CSS makes.
//! - [`play`]: WebRTC, FLV, HLS and RTMP play addresses, with play authentication and transcoding
//!   templates.
//! - [`expiry`]: how long an address stays usable and when to renew it, and durations like `24h`.
//! - [`qr`]: a push address as a QR code PNG.
//! - [`obs`]: the obs-websocket client and a supervised connection that reconnects.
//! - [`css`]: the CSS API 3.0 client for stream state (and drop, forbid, resume), signed with [`tc3`].
//!
//! Left out: the go-live sequence, which belongs to the callers of this crate. Invariant: keys and
//! stream keys never appear in `Debug`, errors or logs.

pub mod css;
pub mod tc3;

pub use css::{CssClient, StreamState};

pub mod address;
pub mod expiry;
pub mod obs;
pub mod play;
pub mod qr;

pub use address::{
    tx_secret, tx_time, validate_stream_name, verify_auth, AuthRefusal, PushAddress, PushAuth, PushProtocol,
    StreamPath, DEFAULT_APP_NAME,
};
pub use expiry::{parse_duration, renewal_due, seconds_left, Expiry};
pub use im::Secret;
pub use play::{PlayAddress, PlayAuth, PlayFormat, PlayOptions};

/// What is wrong with the inputs of an address, a duration or a QR code; every message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(
        "the stream name {name:?} would be refused by CSS: {reason}; use 1 to 128 letters, digits and '-' \
         ('_' works but is discouraged, as transcoded streams are named StreamName_template)"
    )]
    StreamName { name: String, reason: String },
    #[error("the AppName {0:?} is not valid: use letters, digits, '-' or '_' (CSS's default is \"live\")")]
    AppName(String),
    #[error("the domain {domain:?} is not usable: {reason}")]
    Domain { domain: String, reason: String },
    #[error("the transcoding template name {0:?} is not valid: use the template's name from the CSS console (letters, digits, '-' or '_')")]
    Template(String),
    #[error(
        "the authentication key is empty: copy the primary or backup key from the CSS console \
         (Domain Management → the domain → Access Control / Authentication)"
    )]
    EmptyKey,
    #[error("{0:?} is not a duration: write a number and a unit, e.g. 90s, 30m, 24h or 7d")]
    Duration(String),
    #[error("{0:?} is not a {1}")]
    Choice(String, &'static str),
    #[error("the text cannot be made into a QR code: {0}")]
    Qr(String),
}
