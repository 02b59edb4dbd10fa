//! The custom messages a room speaks, defined once. Each travels as a `TIMCustomElem` whose `Data` is
//! a JSON string in TUIKit's convention, `{"businessID": "...", "version": 1, ...}`, so TUIKit-based
//! viewer apps can read them. Each kind carries its priority from the live-room guide: control
//! messages and gifts High (the 40 msg/s ceiling must not drop them), likes Low.
//!
//! | businessID     | fields                                   | priority | who sends          |
//! |----------------|------------------------------------------|----------|--------------------|
//! | `live_status`  | `status`                                 | High     | hub                |
//! | `live_kick`    | `userIds` (clients listed leave the room)| High     | hub                |
//! | `live_mute`    | `userId`, `until` (unix s, 0 = unmuted)  | High     | hub                |
//! | `live_mute_all`| `muted` (clients disable/enable input)   | High     | hub                |
//! | `live_warn`    | `userId`, `reason` (that client shows it)| High     | hub                |
//! | `live_gift`    | `giftId`, `giftName`, `count`, `unitPrice`| High    | billing backend    |
//! | `live_like`    | `count` (taps merged on the client)      | Low      | viewer clients     |
//! | `live_online`  | `count` (pushed when the change matters) | Low      | hub                |
//! | `live_notice`  | `notice`, `introduction`                 | High     | hub                |
//! | `live_hide`    | `msgIds` (clients hide these messages)   | High     | hub                |
//! | `live_lottery` | `state`, `keyword`, `winners`            | High     | hub                |
//! | `live_broadcast`| `text` (to every room of the app)       | High     | hub                |

use im::{msg::body_custom_data, MsgElement, MsgPriority};
use serde::{Deserialize, Serialize};

use crate::status::RoomStatus;

/// The `version` field every message carries.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "businessID", rename_all_fields = "camelCase")]
pub enum RoomMessage {
    #[serde(rename = "live_status")]
    Status { version: u32, status: RoomStatus },
    #[serde(rename = "live_kick")]
    Kick { version: u32, user_ids: Vec<String> },
    #[serde(rename = "live_mute")]
    Mute { version: u32, user_id: String, until: u64 },
    #[serde(rename = "live_mute_all")]
    MuteAll { version: u32, muted: bool },
    #[serde(rename = "live_warn")]
    Warn { version: u32, user_id: String, reason: String },
    #[serde(rename = "live_gift")]
    Gift {
        version: u32,
        gift_id: String,
        gift_name: String,
        count: u32,
        #[serde(default)]
        unit_price: u32,
    },
    #[serde(rename = "live_like")]
    Like { version: u32, count: u32 },
    #[serde(rename = "live_online")]
    Online { version: u32, count: u64 },
    #[serde(rename = "live_notice")]
    Notice { version: u32, notice: String, introduction: String },
    #[serde(rename = "live_hide")]
    Hide { version: u32, msg_ids: Vec<String> },
    #[serde(rename = "live_lottery")]
    Lottery {
        version: u32,
        /// `open`, `closed` or `drawn`.
        state: String,
        keyword: String,
        #[serde(default)]
        winners: Vec<String>,
    },
    #[serde(rename = "live_broadcast")]
    Broadcast { version: u32, text: String },
}

impl RoomMessage {
    pub fn status(status: RoomStatus) -> Self {
        RoomMessage::Status { version: VERSION, status }
    }

    pub fn kick(user_ids: Vec<String>) -> Self {
        RoomMessage::Kick { version: VERSION, user_ids }
    }

    pub fn mute(user_id: impl Into<String>, until: u64) -> Self {
        RoomMessage::Mute { version: VERSION, user_id: user_id.into(), until }
    }

    pub fn mute_all(muted: bool) -> Self {
        RoomMessage::MuteAll { version: VERSION, muted }
    }

    pub fn warn(user_id: impl Into<String>, reason: impl Into<String>) -> Self {
        RoomMessage::Warn { version: VERSION, user_id: user_id.into(), reason: reason.into() }
    }

    pub fn gift(gift_id: impl Into<String>, gift_name: impl Into<String>, count: u32, unit_price: u32) -> Self {
        RoomMessage::Gift { version: VERSION, gift_id: gift_id.into(), gift_name: gift_name.into(), count, unit_price }
    }

    pub fn like(count: u32) -> Self {
        RoomMessage::Like { version: VERSION, count }
    }

    pub fn online(count: u64) -> Self {
        RoomMessage::Online { version: VERSION, count }
    }

    pub fn notice(notice: impl Into<String>, introduction: impl Into<String>) -> Self {
        RoomMessage::Notice { version: VERSION, notice: notice.into(), introduction: introduction.into() }
    }

    pub fn hide(msg_ids: Vec<String>) -> Self {
        RoomMessage::Hide { version: VERSION, msg_ids }
    }

    pub fn broadcast(text: impl Into<String>) -> Self {
        RoomMessage::Broadcast { version: VERSION, text: text.into() }
    }

    /// The guide's priorities: gifts and control High (the ceiling must not drop them), likes and the
    /// informational online count Low (the next one corrects a lost one).
    pub fn priority(&self) -> MsgPriority {
        match self {
            RoomMessage::Status { .. }
            | RoomMessage::Kick { .. }
            | RoomMessage::Mute { .. }
            | RoomMessage::MuteAll { .. }
            | RoomMessage::Warn { .. }
            | RoomMessage::Gift { .. }
            | RoomMessage::Notice { .. }
            | RoomMessage::Hide { .. }
            | RoomMessage::Lottery { .. }
            | RoomMessage::Broadcast { .. } => MsgPriority::High,
            RoomMessage::Like { .. } | RoomMessage::Online { .. } => MsgPriority::Low,
        }
    }

    pub fn to_data(&self) -> String {
        serde_json::to_string(self).expect("room messages always serialize")
    }

    pub fn to_body(&self) -> Vec<MsgElement> {
        vec![MsgElement::custom(self.to_data())]
    }

    /// Reads a room message from a message body; `None` for text, other apps' custom data, or junk.
    pub fn from_body(body: &[MsgElement]) -> Option<Self> {
        serde_json::from_str(body_custom_data(body)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_use_tuikits_business_id_convention() {
        let data = RoomMessage::kick(vec!["u1".into(), "u2".into()]).to_data();
        let v: serde_json::Value = serde_json::from_str(&data).unwrap();
        assert_eq!(v["businessID"], "live_kick");
        assert_eq!(v["version"], 1);
        assert_eq!(v["userIds"], serde_json::json!(["u1", "u2"]));
    }

    #[test]
    fn control_and_gifts_are_high_and_likes_low() {
        assert_eq!(RoomMessage::status(RoomStatus::Live).priority(), MsgPriority::High);
        assert_eq!(RoomMessage::gift("rose", "Rose", 1, 10).priority(), MsgPriority::High);
        assert_eq!(RoomMessage::hide(vec!["12".into()]).priority(), MsgPriority::High);
        assert_eq!(RoomMessage::notice("n", "i").priority(), MsgPriority::High);
        assert_eq!(RoomMessage::broadcast("hi").priority(), MsgPriority::High);
        assert_eq!(RoomMessage::mute_all(true).priority(), MsgPriority::High);
        assert_eq!(RoomMessage::warn("u1", "r").priority(), MsgPriority::High);
        assert_eq!(RoomMessage::like(3).priority(), MsgPriority::Low);
        assert_eq!(RoomMessage::online(120).priority(), MsgPriority::Low);
    }

    #[test]
    fn every_kind_has_its_business_id() {
        let ids: Vec<String> = [
            RoomMessage::online(1),
            RoomMessage::notice("n", "i"),
            RoomMessage::hide(vec![]),
            RoomMessage::broadcast("b"),
            RoomMessage::mute_all(true),
            RoomMessage::warn("u1", "be nice"),
        ]
        .iter()
        .map(|m| {
            serde_json::from_str::<serde_json::Value>(&m.to_data()).unwrap()["businessID"].as_str().unwrap().to_string()
        })
        .collect();
        assert_eq!(ids, ["live_online", "live_notice", "live_hide", "live_broadcast", "live_mute_all", "live_warn"]);
        let lottery: RoomMessage = serde_json::from_str(
            r#"{"businessID":"live_lottery","version":1,"state":"drawn","keyword":"888","winners":["a"]}"#,
        )
        .unwrap();
        assert_eq!(lottery.priority(), MsgPriority::High);
    }

    #[test]
    fn bodies_round_trip_and_foreign_custom_data_is_ignored() {
        let m = RoomMessage::gift("rocket", "Rocket", 99, 500);
        assert_eq!(RoomMessage::from_body(&m.to_body()), Some(m));
        assert_eq!(RoomMessage::from_body(&[MsgElement::custom("{\"businessID\":\"text_link\"}")]), None);
        assert_eq!(RoomMessage::from_body(&[MsgElement::text("hi")]), None);
    }
}
