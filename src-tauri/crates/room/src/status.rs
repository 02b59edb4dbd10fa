//! The room status machine: upcoming → live → paused → ended → replay, with the allowed transitions
//! explicit. A new session (upcoming again) may follow an ended or replayed stream; "live" never
//! follows "ended" directly, so a finished stream cannot be resumed by accident.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RoomStatus {
    Upcoming,
    Live,
    Paused,
    Ended,
    Replay,
}

impl RoomStatus {
    pub const ALL: [RoomStatus; 5] =
        [RoomStatus::Upcoming, RoomStatus::Live, RoomStatus::Paused, RoomStatus::Ended, RoomStatus::Replay];

    pub fn as_str(self) -> &'static str {
        match self {
            RoomStatus::Upcoming => "upcoming",
            RoomStatus::Live => "live",
            RoomStatus::Paused => "paused",
            RoomStatus::Ended => "ended",
            RoomStatus::Replay => "replay",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The states this one may change to.
    pub fn next_allowed(self) -> &'static [RoomStatus] {
        use RoomStatus::*;
        match self {
            Upcoming => &[Live, Ended],
            Live => &[Paused, Ended],
            Paused => &[Live, Ended],
            Ended => &[Replay, Upcoming],
            Replay => &[Upcoming, Ended],
        }
    }

    pub fn can_become(self, to: RoomStatus) -> bool {
        self.next_allowed().contains(&to)
    }
}

impl std::fmt::Display for RoomStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::RoomStatus::*;

    #[test]
    fn a_stream_goes_live_pauses_resumes_ends_and_replays() {
        let path = [Upcoming, Live, Paused, Live, Ended, Replay, Upcoming];
        for w in path.windows(2) {
            assert!(w[0].can_become(w[1]), "{} → {} is the normal course of a stream", w[0], w[1]);
        }
    }

    #[test]
    fn an_ended_stream_cannot_go_live_again_without_a_new_session() {
        assert!(!Ended.can_become(Live));
        assert!(!Replay.can_become(Live));
        assert!(!Upcoming.can_become(Paused), "nothing to pause before going live");
        assert!(!Live.can_become(Live), "a change must change something");
    }

    #[test]
    fn names_round_trip() {
        for s in super::RoomStatus::ALL {
            assert_eq!(super::RoomStatus::parse(s.as_str()), Some(s));
        }
    }
}
