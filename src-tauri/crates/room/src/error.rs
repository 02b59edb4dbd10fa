//! The room's errors, and their wire form `{code, message}` for consoles. A code exists only where a
//! caller branches on it; the message says what to do next, in words an anchor understands.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::status::RoomStatus;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the room cannot go from {from} to {to}; from {from} it can go to {allowed}")]
    Transition { from: RoomStatus, to: RoomStatus, allowed: String },
    #[error("{0}")]
    Invalid(String),
    #[error("while {action}: {source}")]
    Im {
        action: String,
        #[source]
        source: im::Error,
    },
    #[error("the room's storage failed while {action}: {source}")]
    Store {
        action: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the room has shut down")]
    Closed,
}

/// The codes a console branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    Invalid,
    Forbidden,
    Offline,
    AuthExpired,
    RoomGone,
    RateLimited,
    NotReady,
    Internal,
}

/// An error as a console receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct WireError {
    pub code: ErrorCode,
    pub message: String,
}

impl WireError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl Error {
    pub fn im(action: impl Into<String>, source: im::Error) -> Self {
        Error::Im { action: action.into(), source }
    }

    pub fn store(action: impl Into<String>, source: rusqlite::Error) -> Self {
        Error::Store { action: action.into(), source }
    }

    pub fn code(&self) -> ErrorCode {
        use im::ErrorKind as K;
        match self {
            Error::Transition { .. } | Error::Invalid(_) => ErrorCode::Invalid,
            Error::Im { source, .. } => match source.kind() {
                K::Retryable => ErrorCode::Offline,
                K::RateLimited | K::Throttled => ErrorCode::RateLimited,
                K::AuthExpired | K::Config => ErrorCode::AuthExpired,
                K::RoomGone => ErrorCode::RoomGone,
                K::Forbidden | K::Rejected | K::Muted => ErrorCode::Forbidden,
                K::Invalid => ErrorCode::Invalid,
                K::Other => ErrorCode::Internal,
            },
            Error::Store { .. } | Error::Closed => ErrorCode::Internal,
        }
    }
}

impl From<&Error> for WireError {
    /// The message says what happened and, for Tencent's errors, what to do about it.
    fn from(e: &Error) -> Self {
        match e {
            Error::Im { source, .. } => WireError::new(e.code(), format!("{e}. {}", source.advice())),
            _ => WireError::new(e.code(), e.to_string()),
        }
    }
}

impl From<Error> for WireError {
    fn from(e: Error) -> Self {
        WireError::from(&e)
    }
}
