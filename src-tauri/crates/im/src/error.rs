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
    /// Tencent's REST frequency limit for this API or app (60007, 60011, 60018, 60019): back off and retry.
    Throttled,
    /// A room-level frequency limit (messages, group creation): back off; not worth an immediate retry.
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
        60008 | 70169 | 70202 | 70500 | 10002 | 40006 => ErrorKind::Retryable,
        60007 | 60011 | 60018 | 60019 => ErrorKind::Throttled,
        10006 | 10023 | 70114 => ErrorKind::RateLimited,
        70001 => ErrorKind::AuthExpired,
        60004 | 60005 | 60006 | 60010 | 60016 | 60017 | 60020 | 60021 | 70003 | 70005 | 70009 | 70013 | 70014
        | 70016 | 70020 | 70050 => ErrorKind::Config,
        10010 | 10015 => ErrorKind::RoomGone,
        10017 => ErrorKind::Muted,
        10016 | 80001 | 80003 | 80004 => ErrorKind::Rejected,
        10007 | 10026 | 10036 | 10037 | 10038 | 10044 | 10058 | 10059 | 70051 | 70398 | 70403 => ErrorKind::Forbidden,
        60002 | 60003 | 60015 | 10003 | 10004 | 10005 | 10018 | 10021 | 10025 | 10053 | 80002 | 70002 | 70107
        | 70402 | 40601 => ErrorKind::Invalid,
        _ => ErrorKind::Other,
    }
}

/// What a person should do about a Tencent IM error code, in words an anchor or operator understands.
pub fn advice_for_code(code: i64) -> &'static str {
    match code {
        70001 => {
            "The admin's UserSig expired; AnchorDesk makes a new one, so check this computer's clock if it persists."
        }
        70009 | 70003 | 70005 => "The secret key does not match this SDKAppID; copy the key again from the IM console.",
        70013 => "The UserSig was made for another account; check the admin account name.",
        70014 | 70016 | 70020 | 60006 => {
            "The SDKAppID or region is wrong; check both in the IM console (the domain must match the app's region)."
        }
        70050 => "Too many failed signature checks; fix the secret key and wait a minute before trying again.",
        60010 | 70403 => "This account is not an App admin; use an admin account from the IM console.",
        60016 | 60017 => "The app or this API is disabled in Tencent Cloud; check the IM console.",
        60020 => "The IM plan has expired; renew it in the Tencent Cloud console.",
        60021 => "This machine's IP address is not on the app's IP allowlist.",
        60007 | 60011 | 60018 | 60019 => "Tencent is throttling requests; AnchorDesk backs off and retries.",
        60008 | 70169 | 70202 | 70500 | 10002 | 40006 => "Tencent timed out or failed internally; AnchorDesk retries.",
        10010 | 10015 => "The live room no longer exists on Tencent; AnchorDesk will create a new one.",
        10007 => {
            "Not allowed: the feature may need a higher edition or a console switch (e.g. member banning, broadcast)."
        }
        10016 => "Refused by the business server's callback.",
        10017 => "The sender is muted.",
        10023 => "The room's message limit was hit; wait a moment.",
        10036 | 10058 => "The app has as many live rooms as its edition allows; destroy idle rooms or upgrade.",
        10059 => "This feature needs the Ultimate edition.",
        80001 | 80004 => "Tencent's content moderation refused the message.",
        80002 => "The message is too long (12 KB at most).",
        80003 => "The business server's callback failed and the console policy is to refuse.",
        70107 => "That user ID has not been imported into IM yet.",
        70398 => "The Free edition's 100-account limit was reached; upgrade the IM plan.",
        _ => "See the error code in Tencent's IM error-code list.",
    }
}

impl Error {
    /// What to do about this error (for logs and the console's error text).
    pub fn advice(&self) -> &'static str {
        match self {
            Error::Api { code, .. } => advice_for_code(*code),
            Error::Transport { .. } => "Tencent IM could not be reached; check the network. AnchorDesk retries.",
            Error::Http { .. } => "Tencent IM's gateway failed; AnchorDesk retries.",
            Error::Decode { .. } => "Tencent IM answered in an unexpected form; this may be a bug in AnchorDesk.",
            Error::Invalid(_) => "Fix the request as the message says.",
            Error::Dropped => "The room is over 40 messages a second; important messages use High priority.",
        }
    }

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

    /// Whether the client retries this error on its own (with backoff).
    pub fn is_retried(&self) -> bool {
        matches!(self.kind(), ErrorKind::Retryable | ErrorKind::Throttled)
    }

    /// Tencent's error code, when Tencent gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code listed in tencent-cloud.md §3 and the per-command tables.
    const DOCUMENTED: &[i64] = &[
        60002, 60003, 60004, 60005, 60006, 60007, 60008, 60010, 60011, 60015, 60016, 60017, 60018, 60019, 60020, 60021,
        70001, 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020, 70050, 70051, 70107, 70114, 70169, 70202, 70398,
        70402, 70403, 70500, 40006, 40601, 10002, 10003, 10004, 10005, 10006, 10007, 10010, 10015, 10016, 10017, 10018,
        10021, 10023, 10025, 10026, 10036, 10037, 10038, 10044, 10053, 10058, 10059, 80001, 80002, 80003, 80004,
    ];

    #[test]
    fn every_documented_code_says_what_the_caller_can_do() {
        for &code in DOCUMENTED {
            assert_ne!(kind_of_code(code), ErrorKind::Other, "code {code} is documented and must be classified");
        }
    }

    #[test]
    fn timeouts_and_throttling_are_retried_but_refusals_are_not() {
        let api = |code| Error::Api { command: "x", code, info: String::new() };
        for code in [60008, 70169, 70202, 70500, 60007, 60011, 60018, 60019] {
            assert!(api(code).is_retried(), "{code} is transient");
        }
        for code in [10016, 10017, 10004, 10007, 10010, 70009, 10023] {
            assert!(!api(code).is_retried(), "{code} would fail again");
        }
        assert!(Error::Http { command: "x", status: 502 }.is_retried());
        assert!(!Error::Http { command: "x", status: 404 }.is_retried());
    }

    #[test]
    fn config_mistakes_come_with_advice() {
        assert!(advice_for_code(70009).contains("secret key"));
        assert!(advice_for_code(70016).contains("region"));
    }
}
