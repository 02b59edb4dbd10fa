//! What consoles see: the room's events, each with a sequence number, and the snapshot a console
//! starts from. These types cross the IPC boundary; TypeScript is generated from them
//! (`ui/src/lib/bindings.ts`) by the `bindings` test, so the UI and the core cannot drift apart.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::status::RoomStatus;

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
