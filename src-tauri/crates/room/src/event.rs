//! What consoles see: the room's events, each with a sequence number, and the snapshot a console
//! starts from. These types cross the IPC boundary; TypeScript is generated from them
//! (`ui/src/lib/bindings.ts`) by the `bindings` test, so the UI and the core cannot drift apart.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::status::RoomStatus;
use crate::words::WordAction;

/// A message kept back by a hold rule, waiting for a moderator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HeldLine {
    #[ts(type = "number")]
    pub id: u64,
    pub user_id: String,
    pub text: String,
    /// The rule that held it.
    pub pattern: String,
    #[ts(type = "number")]
    pub at: u64,
}

/// A message the word filter dropped or refused (shown to moderators only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BlockedLine {
    pub user_id: String,
    pub text: String,
    pub pattern: String,
    pub action: WordAction,
    #[ts(type = "number")]
    pub at: u64,
}

/// Messages that reached Tencent's frequency control in one priority, and how many it dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DropCount {
    pub sent: u32,
    pub dropped: u32,
}

/// One minute of drop accounting: a before-send callback with no after-send (or a 10023 exception)
/// is a message the 40 msg/s ceiling dropped. Priorities are inferred from the message kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DropMinute {
    /// The minute's start, unix milliseconds.
    #[ts(type = "number")]
    pub at: u64,
    pub high: DropCount,
    pub normal: DropCount,
    pub low: DropCount,
}

/// One reading of the online count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OnlineSample {
    #[ts(type = "number")]
    pub at: u64,
    #[ts(type = "number")]
    pub count: u64,
}

/// What a moderation action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AuditAction {
    Mute,
    Unmute,
    Kick,
    Unblock,
    Ban,
    Unban,
    Status,
    Notice,
    Words,
    Approve,
    Reject,
    Lottery,
    Broadcast,
    /// A message hidden on every client.
    Hide,
    /// Everyone muted, or not.
    MuteAll,
    /// A strike (its step's own action follows as its own line).
    Strike,
    /// A strike forgiven (the undo of a strike).
    Forgive,
    /// The strike ladder changed.
    Ladder,
    /// The owner invited someone to the hub (the target is the invitee's name, the detail the role).
    Invite,
    /// Someone redeemed an invite and joined the hub's team.
    Join,
    /// The owner revoked someone's access to the hub.
    Revoke,
    /// The hub refused someone a command their role does not allow.
    Refused,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Mute => "mute",
            AuditAction::Unmute => "unmute",
            AuditAction::Kick => "kick",
            AuditAction::Unblock => "unblock",
            AuditAction::Ban => "ban",
            AuditAction::Unban => "unban",
            AuditAction::Status => "status",
            AuditAction::Notice => "notice",
            AuditAction::Lottery => "lottery",
            AuditAction::Broadcast => "broadcast",
            AuditAction::Words => "words",
            AuditAction::Approve => "approve",
            AuditAction::Reject => "reject",
            AuditAction::Hide => "hide",
            AuditAction::MuteAll => "muteAll",
            AuditAction::Strike => "strike",
            AuditAction::Forgive => "forgive",
            AuditAction::Ladder => "ladder",
            AuditAction::Invite => "invite",
            AuditAction::Join => "join",
            AuditAction::Revoke => "revoke",
            AuditAction::Refused => "refused",
        }
    }

    /// The action named `s` (its wire name, as [`AuditAction::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

#[cfg(test)]
mod audit_action_tests {
    use super::AuditAction::{self, *};

    #[test]
    fn every_action_reads_back_from_its_stored_name() {
        for a in [
            Mute, Unmute, Kick, Unblock, Ban, Unban, Status, Notice, Words, Approve, Reject, Lottery, Broadcast, Hide,
            MuteAll, Strike, Forgive, Ladder, Invite, Join, Revoke, Refused,
        ] {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a), "{a:?}");
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str(), "the database and the wire use one name");
        }
    }
}

/// One line of the audit log: who did what to whom, when, why, for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    #[ts(type = "number")]
    pub id: u64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub at: u64,
    pub actor: String,
    pub action: AuditAction,
    /// A user ID, or what else was acted on (the room, the word list).
    pub target: String,
    pub detail: String,
    pub reason: String,
    /// Seconds, for timed actions.
    #[ts(type = "number | null")]
    pub duration: Option<u64>,
    /// The audit line that undid this one.
    #[ts(type = "number | null")]
    pub undone_by: Option<u64>,
}

/// One chat (danmaku) line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatLine {
    /// Stable within a room: `"{MsgSeq}"` from Tencent, or a local id for lines without one.
    pub id: String,
    pub user_id: String,
    pub text: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub at: u64,
    /// Hidden on every client by a moderator (still shown, struck through, to moderators).
    #[serde(default)]
    pub hidden: bool,
}

/// A status change on its way to Tencent: the group field and the High announcement are retried with
/// backoff until both are done. `synced` reports the end; `error` says why the last attempt failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusSyncLine {
    pub status: RoomStatus,
    pub synced: bool,
    pub error: Option<String>,
    pub attempts: u32,
}

/// What the ingest (CSS) says of the room's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum IngestState {
    /// CSS receives the stream.
    Active,
    Inactive,
    /// CSS refuses it (`ForbidLiveStream`) until its resume time.
    Forbid,
    /// Not known: no CSS API key is configured, or the last check failed.
    Unknown,
}

/// The ingest side of the stream's health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IngestHealth {
    pub state: IngestState,
    /// Why the state is unknown, when a check failed (in words for the anchor).
    pub error: Option<String>,
    /// Unix milliseconds of the last check.
    #[ts(type = "number")]
    pub checked_at: u64,
    /// Unix milliseconds since when the stream has been active.
    #[ts(type = "number | null")]
    pub active_since: Option<u64>,
}

/// The stream's health from both ends: the encoder (OBS) and the ingest (CSS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamHealth {
    /// `None` when no OBS is configured.
    pub obs: Option<stream::obs::ObsHealth>,
    pub ingest: IngestHealth,
    /// The push address expires at (unix seconds); OBS cannot reconnect after it.
    #[ts(type = "number | null")]
    pub push_expires_at: Option<u64>,
    /// The room goes to paused when the ingest loses the stream, and back to live when it returns.
    pub auto_pause: bool,
}

/// The steps of going live, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum GoLiveStep {
    /// A push address valid long enough.
    Address,
    /// OBS's stream settings applied and read back.
    Obs,
    /// OBS's output started.
    Start,
    /// The ingest reports the stream active.
    Ingest,
    /// The room's status is live.
    Live,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    Running,
    Done,
    Failed,
}

/// Where a go-live is: the step, how it went, and words for the anchor (the reason, on failure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GoLiveProgress {
    pub step: GoLiveStep,
    pub state: StepState,
    pub message: String,
    pub actor: String,
    #[ts(type = "number")]
    pub at: u64,
}

/// One stream: from going live (out of upcoming) to ending, with what happened in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamSession {
    #[ts(type = "number")]
    pub id: u64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub started_at: u64,
    /// Unix milliseconds; `null` while the stream goes on.
    #[ts(type = "number | null")]
    pub ended_at: Option<u64>,
    #[ts(type = "number")]
    pub peak_online: u64,
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "number")]
    pub likes: u64,
    #[ts(type = "number")]
    pub gift_value: u64,
}

/// A gift message (one message may carry a combo of `count` gifts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GiftLine {
    pub id: String,
    pub user_id: String,
    pub gift_id: String,
    pub gift_name: String,
    pub count: u32,
    /// Price of one gift in the app's smallest unit (e.g. coins).
    pub unit_price: u32,
    #[ts(type = "number")]
    pub at: u64,
}

/// A member the room knows of (from join callbacks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberLine {
    pub user_id: String,
    #[ts(type = "number")]
    pub at: u64,
}

/// Something that happened in the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum RoomEvent {
    Chat(ChatLine),
    Gift(GiftLine),
    Likes {
        #[ts(type = "number")]
        total: u64,
    },
    Online {
        #[ts(type = "number")]
        count: u64,
    },
    Status {
        status: RoomStatus,
    },
    MemberJoined(MemberLine),
    MemberLeft(MemberLine),
    /// `until` is unix seconds; `null` means unmuted.
    UserMuted {
        user_id: String,
        #[ts(type = "number | null")]
        until: Option<u64>,
    },
    UserKicked {
        user_id: String,
    },
    /// A join the room refused (blocklisted user).
    JoinRefused {
        user_id: String,
    },
    /// A message kept back for review.
    Held(HeldLine),
    /// A held message approved (re-sent) or rejected.
    HeldResolved {
        #[ts(type = "number")]
        id: u64,
        approved: bool,
        actor: String,
    },
    /// A message the word filter dropped or refused.
    Blocked(BlockedLine),
    /// A user's kick blocklisting lifted.
    UserUnblocked {
        user_id: String,
    },
    /// Something a person did, as the audit log records it.
    Audit(AuditLine),
    /// The word list changed.
    Words {
        count: u32,
    },
    /// A minute's drop accounting changed.
    Drops(DropMinute),
    /// The room notice or introduction changed.
    Notice {
        notice: String,
        introduction: String,
    },
    /// The keyword lottery changed (opened, entries, closed, drawn).
    Lottery(crate::lottery::LotteryLine),
    /// The room's popularity score changed (see `RoomSnapshot::popularity`).
    Popularity {
        #[ts(type = "number")]
        score: u64,
    },
    /// A message was hidden on every client.
    MessageHidden {
        id: String,
        actor: String,
    },
    /// Everyone but admins muted (`on`) or not.
    MuteAll {
        on: bool,
    },
    /// The strike ladder changed.
    StrikeLadder(crate::strikes::StrikeLadder),
    /// The current stream started, changed (counters) or ended.
    Session(StreamSession),
    /// The stream's health changed (OBS and the ingest).
    StreamHealth(StreamHealth),
    /// A go-live moved on a step.
    GoLive(GoLiveProgress),
    /// How putting the status on Tencent goes (see [`StatusSyncLine`]).
    StatusSync(StatusSyncLine),
    /// The room's name changed (by another admin, in Tencent's console or an app).
    Renamed {
        name: String,
    },
}

/// An event with its position in the room's sequence (gapless, starting at 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventEnvelope {
    #[ts(type = "number")]
    pub seq: u64,
    pub event: RoomEvent,
}

/// A muted user and until when (unix seconds; `u32::MAX` seconds of mute reads as permanent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MuteLine {
    pub user_id: String,
    #[ts(type = "number")]
    pub until: u64,
}

/// The state a console starts from; events with `seq` greater than this snapshot's follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoomSnapshot {
    /// Which run of the room the sequence numbers belong to: they restart at 1 when the hub restarts,
    /// so a console resumes with `(epoch, seq)` and gets a fresh snapshot if the epoch changed.
    #[ts(type = "number")]
    pub epoch: u64,
    #[ts(type = "number")]
    pub seq: u64,
    pub group_id: String,
    pub name: String,
    pub status: RoomStatus,
    #[ts(type = "number")]
    pub likes: u64,
    #[ts(type = "number")]
    pub online: u64,
    pub chat: Vec<ChatLine>,
    pub gifts: Vec<GiftLine>,
    pub members: Vec<MemberLine>,
    pub muted: Vec<MuteLine>,
    pub blocked: Vec<String>,
    pub held: Vec<HeldLine>,
    /// Recent word-filter blocks.
    pub filtered: Vec<BlockedLine>,
    /// The most recent audit lines, oldest first.
    pub audit: Vec<AuditLine>,
    /// How many word rules are in force.
    pub words: u32,
    /// Drop accounting for the last hour, oldest first.
    pub drops: Vec<DropMinute>,
    pub notice: String,
    pub introduction: String,
    /// The online count over the last hour, oldest first (for a sparkline).
    pub online_history: Vec<OnlineSample>,
    /// Engagement since the room opened, weighted like viewer levels: messages 2 points, 10 likes 1,
    /// a unit of gift value 1, a minute online 1 (for ranking rooms).
    #[ts(type = "number")]
    pub popularity: u64,
    /// The keyword lottery, if one was opened since the room started.
    pub lottery: Option<crate::lottery::LotteryLine>,
    /// Everyone but admins is muted.
    pub muted_all: bool,
    /// A status change not yet on Tencent (retrying), if any.
    pub status_sync: Option<StatusSyncLine>,
    /// The stream's health, once a stream desk reports it.
    pub stream_health: Option<StreamHealth>,
    /// The last go-live step reported.
    pub go_live: Option<GoLiveProgress>,
    pub strike_ladder: crate::strikes::StrikeLadder,
    /// The stream going on, or the last one.
    pub session: Option<StreamSession>,
}

/// Where a console left off: the snapshot's `epoch` and the last `seq` it applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    #[ts(type = "number")]
    pub epoch: u64,
    #[ts(type = "number")]
    pub seq: u64,
}

/// What a following console receives, in order: a snapshot (first, and again whenever the gap since
/// the last event it saw is too old to replay), then batches of events whose `seq` continue it without
/// gaps or repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Feed {
    Snapshot { snapshot: Box<RoomSnapshot> },
    Events { events: Vec<EventEnvelope> },
}

/// How a subscription starts: from a snapshot, or by replaying the events after a [`Resume`] point.
#[derive(Debug)]
pub enum Start {
    Snapshot(Box<RoomSnapshot>),
    Replay(Vec<EventEnvelope>),
}

/// A subscription: its start, then every later event on `rx`.
#[derive(Debug)]
pub struct Subscription {
    pub epoch: u64,
    pub start: Start,
    pub rx: tokio::sync::broadcast::Receiver<EventEnvelope>,
}

/// Forwards a subscription's events to `sink` in batches: whatever has arrived when the first event
/// of a batch is taken, up to `max` events, so a flood becomes a few large IPC messages instead of many
/// small ones. Returns when `sink` refuses a batch (the console went away) or the room closes. If the
/// subscriber fell behind the room's buffer, it stops with `Err(missed)`: the caller re-subscribes and
/// starts from a fresh snapshot rather than showing a feed with a hole in it.
pub async fn forward_batches(
    mut rx: tokio::sync::broadcast::Receiver<EventEnvelope>,
    max: usize,
    mut sink: impl FnMut(Vec<EventEnvelope>) -> bool,
) -> Result<(), u64> {
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};
    loop {
        let first = match rx.recv().await {
            Ok(e) => e,
            Err(RecvError::Closed) => return Ok(()),
            Err(RecvError::Lagged(n)) => return Err(n),
        };
        let mut batch = vec![first];
        while batch.len() < max {
            match rx.try_recv() {
                Ok(e) => batch.push(e),
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
                Err(TryRecvError::Lagged(n)) => return Err(n),
            }
        }
        if !sink(batch) {
            return Ok(());
        }
    }
}

/// Everything a moderator wants to see about one viewer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UserCard {
    pub user_id: String,
    /// Unix seconds; 0 when the room has never seen them.
    #[ts(type = "number")]
    pub first_seen: u64,
    #[ts(type = "number")]
    pub last_seen: u64,
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "number")]
    pub likes: u64,
    /// What their gifts were worth, in the app's smallest unit.
    #[ts(type = "number")]
    pub gift_value: u64,
    #[ts(type = "number")]
    pub online_secs: u64,
    /// 1 and up, from messages, likes, gifts and time online (see `level_for`).
    pub level: u32,
    pub note: String,
    /// Their latest messages in this room, this stream and before, oldest first.
    pub messages_recent: Vec<ChatLine>,
    /// What was done to them, newest first.
    pub actions: Vec<AuditLine>,
    /// Their messages in the current (or last) stream.
    #[ts(type = "number")]
    pub stream_messages: u64,
    /// Strikes within the ladder's window.
    pub strikes: u32,
    /// Unix seconds, when muted now.
    #[ts(type = "number | null")]
    pub muted_until: Option<u64>,
    /// Unix seconds (`null` when not blocked; a kick without end shows as a far date).
    #[ts(type = "number | null")]
    pub blocked_until: Option<u64>,
}

/// A viewer's level from what they did in the room: messages count 2 points, every 10 likes 1, every
/// unit of gift value 1, every minute online 1; the level is 1 + ⌊√(points / 10)⌋, capped at 100, so
/// early levels come quickly and later ones take real engagement.
pub fn level_for(messages: u64, likes: u64, gift_value: u64, online_secs: u64) -> u32 {
    let points = messages * 2 + likes / 10 + gift_value + online_secs / 60;
    (1 + ((points / 10) as f64).sqrt() as u32).min(100)
}

#[cfg(test)]
mod level_tests {
    use super::level_for;

    #[test]
    fn levels_start_at_one_and_grow_with_engagement() {
        assert_eq!(level_for(0, 0, 0, 0), 1);
        assert_eq!(level_for(5, 0, 0, 0), 2, "ten points make level 2");
        assert!(level_for(0, 0, 10_000, 0) > level_for(100, 100, 0, 600), "a big gifter ranks above a chatter");
        assert_eq!(level_for(u64::MAX / 8, 0, 0, 0), 100, "capped");
    }
}
