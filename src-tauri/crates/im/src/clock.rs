//! Wall-clock time as Tencent's APIs count it: unix seconds (UserSig, `RequestTime`, `MutedUntil`) and
//! unix milliseconds (callbacks' `EventTime`). A clock before 1970 reads as 0 rather than panicking.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
