//! The strike ladder: each strike against a viewer takes the next step (e.g. warn → 10 min mute → until
//! the end of the stream → ban), counted over a window so old strikes are forgiven. Configurable per
//! room; moderators give strikes by hand, and the word filter can give them too.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actor::ModAction;

/// One rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum StrikeStep {
    /// A High-priority `live_warn` message that the viewer's client shows them.
    Warn,
    Mute {
        seconds: u32,
    },
    MuteUntilEndOfStream,
    Kick,
    Ban {
        seconds: u32,
    },
}

impl StrikeStep {
    /// Words for the audit log.
    pub fn describe(self) -> String {
        match self {
            StrikeStep::Warn => "warn".into(),
            StrikeStep::Mute { seconds } => format!("mute {}", crate::strikes::duration(seconds)),
            StrikeStep::MuteUntilEndOfStream => "mute until the end of this stream".into(),
            StrikeStep::Kick => "kick".into(),
            StrikeStep::Ban { seconds } => format!("ban {}", crate::strikes::duration(seconds)),
        }
    }

    /// The moderation action this step takes against `user_id` (`None` for a warning, which is only a
    /// message).
    pub fn action(self, user_id: &str, reason: &str) -> Option<ModAction> {
        let (user_id, reason) = (user_id.to_string(), reason.to_string());
        match self {
            StrikeStep::Warn => None,
            StrikeStep::Mute { seconds } => {
                Some(ModAction::Mute { user_id, seconds, until_end_of_stream: false, reason })
            }
            StrikeStep::MuteUntilEndOfStream => {
                Some(ModAction::Mute { user_id, seconds: 0, until_end_of_stream: true, reason })
            }
            StrikeStep::Kick => Some(ModAction::Kick { user_id, reason }),
            StrikeStep::Ban { seconds } => Some(ModAction::Ban { user_id, seconds, reason }),
        }
    }
}

/// `90` → "1 min 30 s", `86400` → "24 h".
pub fn duration(seconds: u32) -> String {
    if seconds == u32::MAX {
        return "permanently".into();
    }
    let (d, h, m, s) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "min"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

/// A room's ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StrikeLadder {
    /// The n-th strike within the window takes step n (the last step repeats past the end).
    pub steps: Vec<StrikeStep>,
    /// Strikes older than this are forgiven.
    #[ts(type = "number")]
    pub window_secs: u64,
    /// Messages the word filter refuses or drops give their sender a strike (at most one a minute).
    pub from_filter: bool,
}

/// A ladder holds at most this many steps.
pub const MAX_STEPS: usize = 10;
/// The word filter gives one viewer at most one strike per this many seconds, so a burst of spam is one
/// strike, not a ban in a second.
pub const FILTER_STRIKE_GAP: u64 = 60;

impl Default for StrikeLadder {
    fn default() -> Self {
        Self {
            steps: vec![
                StrikeStep::Warn,
                StrikeStep::Mute { seconds: 600 },
                StrikeStep::MuteUntilEndOfStream,
                StrikeStep::Ban { seconds: 30 * 86_400 },
            ],
            window_secs: 86_400,
            from_filter: true,
        }
    }
}

impl StrikeLadder {
    /// Checks the ladder; the error says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(format!("a strike ladder has 1 to {MAX_STEPS} steps; this one has {}", self.steps.len()));
        }
        for (i, step) in self.steps.iter().enumerate() {
            if let StrikeStep::Mute { seconds: 0 } | StrikeStep::Ban { seconds: 0 } = step {
                return Err(format!("step {} ({}) needs a duration of at least 1 second", i + 1, step.describe()));
            }
        }
        if self.window_secs < 60 {
            return Err("strikes must be remembered for at least 60 seconds".into());
        }
        Ok(())
    }

    /// The step the `n`-th strike (1-based) within the window takes.
    pub fn step(&self, n: usize) -> StrikeStep {
        self.steps[n.clamp(1, self.steps.len()) - 1]
    }
}

/// The strikes in memory: per user, (when, audit line) of each strike still in the window.
#[derive(Debug, Default)]
pub struct Strikes {
    by_user: HashMap<String, Vec<(u64, u64)>>,
    /// When the word filter last gave each user a strike.
    last_auto: HashMap<String, u64>,
}

impl Strikes {
    pub fn load(rows: Vec<(String, u64, u64)>) -> Self {
        let mut s = Self::default();
        for (user, at, audit) in rows {
            s.by_user.entry(user).or_default().push((at, audit));
        }
        s
    }

    /// Records a strike; returns how many `user` now has within `window` seconds.
    pub fn add(&mut self, user: &str, at: u64, audit: u64, window: u64) -> usize {
        let list = self.by_user.entry(user.to_string()).or_default();
        list.retain(|(t, _)| t + window > at);
        list.push((at, audit));
        list.len()
    }

    /// How many strikes `user` has within `window` seconds of `now`.
    pub fn count(&self, user: &str, now: u64, window: u64) -> usize {
        self.by_user.get(user).map_or(0, |l| l.iter().filter(|(t, _)| t + window > now).count())
    }

    /// Forgives the strike recorded with audit line `audit`; returns whether there was one.
    pub fn forgive(&mut self, user: &str, audit: u64) -> bool {
        let Some(list) = self.by_user.get_mut(user) else { return false };
        let before = list.len();
        list.retain(|(_, a)| *a != audit);
        before != list.len()
    }

    /// Whether the word filter may give `user` a strike now (and notes that it does).
    pub fn auto_due(&mut self, user: &str, now: u64) -> bool {
        match self.last_auto.get(user) {
            Some(t) if now < t + FILTER_STRIKE_GAP => false,
            _ => {
                self.last_auto.insert(user.to_string(), now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strikes_climb_the_ladder_and_the_last_step_repeats() {
        let ladder = StrikeLadder::default();
        let mut s = Strikes::default();
        let steps: Vec<StrikeStep> = (0..6).map(|i| ladder.step(s.add("u", 1000 + i, i, ladder.window_secs))).collect();
        assert_eq!(
            steps,
            [
                StrikeStep::Warn,
                StrikeStep::Mute { seconds: 600 },
                StrikeStep::MuteUntilEndOfStream,
                StrikeStep::Ban { seconds: 2_592_000 },
                StrikeStep::Ban { seconds: 2_592_000 },
                StrikeStep::Ban { seconds: 2_592_000 },
            ]
        );
    }

    #[test]
    fn old_strikes_are_forgiven_and_a_forgiven_strike_does_not_count() {
        let mut s = Strikes::default();
        assert_eq!(s.add("u", 1000, 1, 600), 1);
        assert_eq!(s.add("u", 1100, 2, 600), 2);
        assert_eq!(s.add("u", 1650, 3, 600), 2, "the strike at 1000 is out of the window at 1650");
        assert!(s.forgive("u", 3));
        assert_eq!(s.count("u", 1650, 600), 1);
        assert!(!s.forgive("u", 99));
        assert_eq!(s.count("nobody", 1650, 600), 0);
    }

    #[test]
    fn the_filter_strikes_a_user_at_most_once_a_minute() {
        let mut s = Strikes::default();
        assert!(s.auto_due("u", 100));
        assert!(!s.auto_due("u", 159));
        assert!(s.auto_due("u", 160));
        assert!(s.auto_due("other", 100));
    }

    #[test]
    fn bad_ladders_say_what_to_fix() {
        let mut l = StrikeLadder { steps: vec![], ..StrikeLadder::default() };
        assert!(l.validate().unwrap_err().contains("1 to 10 steps"));
        l.steps = vec![StrikeStep::Warn, StrikeStep::Mute { seconds: 0 }];
        assert!(l.validate().unwrap_err().contains("step 2 (mute 0 s)"));
        l.steps = vec![StrikeStep::Kick];
        l.window_secs = 5;
        assert!(l.validate().unwrap_err().contains("60 seconds"));
        assert_eq!(StrikeLadder::default().validate(), Ok(()));
    }

    #[test]
    fn durations_read_like_a_person_wrote_them() {
        assert_eq!(duration(90), "1 min 30 s");
        assert_eq!(duration(86_400), "1 d");
        assert_eq!(duration(600), "10 min");
        assert_eq!(duration(u32::MAX), "permanently");
    }
}
