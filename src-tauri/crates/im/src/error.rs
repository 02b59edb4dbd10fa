//! The IM client's errors. Tencent's `ErrorCode`/`ErrorInfo` are kept as decoded; [`ErrorKind`] says
//! what a caller can do about a code, so nobody matches on message text.

use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Tencent answered `ActionStatus: FAIL` (or a per-item failure).
    #[error("Tencent IM refused {command}: error {code} ({info})")]
    Api { command: &'static str, code: i64, info: String },
    /// The request never got an answer (connection refused, timeout, TLS).
    #[error("could not reach Tencent IM for {command}: {source}")]
    Transport {
        command: &'static str,
        #[source]
        source: reqwest::Error,
    },
    /// A gateway answered with a non-200 status.
    #[error("Tencent IM's gateway answered HTTP {status} for {command}")]
    Http { command: &'static str, status: u16 },
    /// The body was not the documented shape.
    #[error("unexpected answer from Tencent IM for {command}: {detail}")]
    Decode { command: &'static str, detail: String },
    /// Refused before sending: the request breaks a documented limit.
    #[error("{0}")]
    Invalid(String),
    /// `ErrorCode` 0, but `MsgDropReason: MsgFreqCtrl`: the group's 40 msg/s ceiling dropped it.
    #[error("the message was dropped by the group's 40 messages/second limit")]
    Dropped,
}

/// What a caller can do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Try again later, with backoff.
    Retryable,
    /// Back off: a frequency limit was hit.
    RateLimited,
    /// The admin UserSig expired; regenerate and retry once.
    AuthExpired,
    /// Credentials, region or app configuration are wrong; a person must fix them.
    Config,
    /// The group is gone or the ID is invalid.
    RoomGone,
    /// The sender is muted.
    Muted,
    /// A callback (or content moderation) refused the action.
    Rejected,
    /// Not allowed: not admin, feature switch off, or the group type does not support it.
    Forbidden,
    /// The request was invalid (a bug or bad input).
    Invalid,
    /// Anything else.
    Other,
}

/// Classifies a Tencent IM error code (tencent-cloud.md §3).
pub fn kind_of_code(code: i64) -> ErrorKind {
    match code {
        60008 | 70169 | 70202 | 70500 | 10002 => ErrorKind::Retryable,
        60007 | 60011 | 60018 | 60019 | 10006 | 10023 | 70114 => ErrorKind::RateLimited,
        70001 => ErrorKind::AuthExpired,
        60004 | 60005 | 60006 | 60010 | 60016 | 60017 | 60020 | 60021 | 70003 | 70005 | 70009 | 70013 | 70014
        | 70016 | 70020 | 70050 => ErrorKind::Config,
        10010 | 10015 => ErrorKind::RoomGone,
        10017 => ErrorKind::Muted,
        10016 | 80001 | 80003 | 80004 => ErrorKind::Rejected,
        10007 | 10026 | 10036 | 10044 | 10058 | 10059 | 70403 => ErrorKind::Forbidden,
        60002 | 60003 | 60015 | 10003 | 10004 | 10005 | 10053 | 80002 | 70402 => ErrorKind::Invalid,
        _ => ErrorKind::Other,
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { code, .. } => kind_of_code(*code),
            Error::Transport { .. } => ErrorKind::Retryable,
            Error::Http { status, .. } if *status >= 500 => ErrorKind::Retryable,
            Error::Http { .. } | Error::Decode { .. } => ErrorKind::Other,
            Error::Invalid(_) => ErrorKind::Invalid,
            Error::Dropped => ErrorKind::RateLimited,
        }
    }

    /// Tencent's error code, when Tencent gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }
}
