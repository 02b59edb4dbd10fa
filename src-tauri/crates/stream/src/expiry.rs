//! How long an address stays usable. A push started before `txTime` keeps running after it, but OBS's
//! automatic reconnect after a network blip is a new push and is refused once `txTime` has passed. So the
//! danger is not the expiry itself but a reconnect after it: the console warns a margin ahead and asks
//! for a fresh address (tencent-cloud.md §6.1, obs-websocket.md "Expiry").
//!
//! Times are unix seconds passed in by the caller, so the rules are pure and tested without a clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Error;

/// How long a fresh push address is valid: 24 h, so a day's stream can still reconnect (Tencent's
/// guidance is "24 h or more").
pub const DEFAULT_PUSH_VALIDITY: Duration = Duration::from_secs(24 * 3600);
/// How far ahead of the expiry the console asks for a renewal: 1 h.
pub const DEFAULT_RENEWAL_MARGIN: Duration = Duration::from_secs(3600);

/// Now, in unix seconds (0 for a clock before 1970).
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Seconds until `expires_at`; 0 once it has passed.
pub fn seconds_left(expires_at: u64, now: u64) -> u64 {
    expires_at.saturating_sub(now)
}

/// Whether to renew now: a reconnect within `margin` of `now` would find the address expired.
pub fn renewal_due(expires_at: u64, now: u64, margin: Duration) -> bool {
    now.saturating_add(margin.as_secs()) >= expires_at
}

/// Where an address stands, for the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Expiry {
    /// Usable, and a reconnect in the next margin would still be accepted.
    Valid { seconds_left: u32 },
    /// Still usable, but inside the margin: renew before a reconnect is needed.
    RenewSoon { seconds_left: u32 },
    /// Passed: a running push continues, a reconnect or new push with this address is refused.
    Expired { seconds_ago: u32 },
}

impl Expiry {
    pub fn at(expires_at: u64, now: u64, margin: Duration) -> Self {
        let clamp = |s: u64| u32::try_from(s).unwrap_or(u32::MAX);
        if now > expires_at {
            Expiry::Expired { seconds_ago: clamp(now - expires_at) }
        } else if renewal_due(expires_at, now, margin) {
            Expiry::RenewSoon { seconds_left: clamp(seconds_left(expires_at, now)) }
        } else {
            Expiry::Valid { seconds_left: clamp(seconds_left(expires_at, now)) }
        }
    }

    /// A sentence for the anchor.
    pub fn advice(&self) -> String {
        match self {
            Expiry::Valid { seconds_left } => format!("valid for {}", format_duration(*seconds_left as u64)),
            Expiry::RenewSoon { seconds_left } => format!(
                "expires in {}: renew the push address now, or a reconnect after that will be refused",
                format_duration(*seconds_left as u64)
            ),
            Expiry::Expired { seconds_ago } => format!(
                "expired {} ago: a running push continues, but a reconnect will be refused; renew the push address",
                format_duration(*seconds_ago as u64)
            ),
        }
    }
}

/// Parses `90s`, `30m`, `24h`, `7d` (one number, one unit).
pub fn parse_duration(text: &str) -> Result<Duration, Error> {
    let t = text.trim();
    let bad = || Error::Duration(text.to_string());
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = t.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).filter(|s| *s > 0).map(Duration::from_secs).ok_or_else(bad)
}

/// `1d 2h`, `3h 5m`, `42s`: the two largest units, for people.
pub fn format_duration(secs: u64) -> String {
    let parts = [(secs / 86400, "d"), (secs % 86400 / 3600, "h"), (secs % 3600 / 60, "m"), (secs % 60, "s")];
    let shown: Vec<String> = parts
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if shown.is_empty() {
        "0s".into()
    } else {
        shown.join(" ")
    }
}

/// `2018-12-29 06:13:45 UTC`, for people reading an expiry.
pub fn format_utc(secs: u64) -> String {
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    let z = (secs / 86400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let rem = secs % 86400;
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_the_four_units() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86400));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(7 * 86400));
        for bad in ["", "24", "h", "1.5h", "3w", "-1h", "0s", "99999999999999999999d"] {
            let e = parse_duration(bad).unwrap_err().to_string();
            assert!(e.contains("90s, 30m, 24h or 7d"), "{bad}: {e}");
        }
    }

    #[test]
    fn renewal_is_due_once_the_margin_reaches_the_expiry() {
        let margin = Duration::from_secs(3600);
        assert!(!renewal_due(10_000, 10_000 - 3601, margin), "more than the margin left");
        assert!(renewal_due(10_000, 10_000 - 3600, margin), "exactly the margin left");
        assert!(renewal_due(10_000, 20_000, margin), "long expired");
        assert_eq!(seconds_left(10_000, 9_000), 1_000);
        assert_eq!(seconds_left(10_000, 11_000), 0, "never negative");
    }

    #[test]
    fn the_expiry_says_valid_renew_soon_or_expired() {
        let margin = Duration::from_secs(3600);
        assert_eq!(Expiry::at(100_000, 0, margin), Expiry::Valid { seconds_left: 100_000 });
        assert_eq!(Expiry::at(100_000, 99_000, margin), Expiry::RenewSoon { seconds_left: 1_000 });
        assert_eq!(Expiry::at(100_000, 100_000, margin), Expiry::RenewSoon { seconds_left: 0 });
        assert_eq!(Expiry::at(100_000, 100_060, margin), Expiry::Expired { seconds_ago: 60 });
        assert!(Expiry::at(100_000, 100_060, margin).advice().contains("reconnect will be refused"));
        assert!(Expiry::at(100_000, 99_000, margin).advice().contains("16m 40s"));
    }

    #[test]
    fn expiries_print_as_utc_dates() {
        // tencent-cloud.md: 2018-12-29 14:13:45 UTC+8 and 2018-12-01 08:30:00 UTC+8.
        assert_eq!(format_utc(1546064025), "2018-12-29 06:13:45 UTC");
        assert_eq!(format_utc(0x5C01D608), "2018-12-01 00:30:00 UTC");
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC", "a leap day");
    }

    #[test]
    fn durations_print_with_their_two_largest_units() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(42), "42s");
        assert_eq!(format_duration(86400 + 7200 + 5), "1d 2h");
        assert_eq!(format_duration(86400 + 5), "1d", "a zero unit after the first is left out");
        assert_eq!(format_duration(3 * 3600 + 5 * 60), "3h 5m");
    }
}
