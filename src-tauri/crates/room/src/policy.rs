//! The room's decisions on Tencent's before-callbacks, made from an immutable snapshot so the
//! callback path never waits: not on the room actor, not on the disk, not on the network. The actor
//! publishes a new [`Policy`] whenever the blocklist or the word list changes; HTTP handlers read
//! the current one lock-free (`arc-swap`) and answer at once.

use std::collections::HashMap;
use std::sync::Arc;

use im::callback::{Callback, CallbackAnswer};
use im::msg::body_text;

use crate::message::RoomMessage;
use crate::words::{WordAction, WordFilter};

/// The code a refused join carries (Tencent passes 10100–10200 and `ErrorInfo` to the client).
pub const KICKED_JOIN_CODE: i64 = 10100;
/// The code a message refused by the word filter carries.
pub const WORD_REFUSED_CODE: i64 = 10101;

/// What the room needs to decide a callback.
#[derive(Debug, Clone)]
pub struct Policy {
    pub group_id: String,
    /// The admin account: its own messages are never filtered.
    pub admin: String,
    /// Users refused at the door (kicked, or banned without a native ban), with when that ends (unix s;
    /// `u64::MAX` for good). Checked against the clock at each decision, so a block ends on time.
    pub blocked: HashMap<String, u64>,
    pub words: Arc<WordFilter>,
    /// When the hub is overloaded: allow (true, Tencent's own default) or refuse.
    pub fail_open: bool,
}

/// What the decision means for the room's state, passed on to the actor with the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing special: the callback is allowed.
    Allowed,
    /// A word rule matched and let it through (counted).
    Flagged { pattern: String },
    /// Kept back for review; Tencent drops it silently, the room keeps it.
    Held { pattern: String },
    /// Dropped silently or refused by a word rule.
    Blocked { pattern: String, action: WordAction },
    /// A blocklisted user's join, refused.
    JoinRefused,
    /// Not decided on its merits: the hub was overloaded and answered with its fail policy.
    Overloaded,
}

impl Policy {
    pub fn new(group_id: String, admin: String) -> Self {
        Self { group_id, admin, blocked: HashMap::new(), words: Arc::new(WordFilter::empty()), fail_open: true }
    }

    /// Decides a callback: the answer for Tencent and what it means for the room.
    pub fn decide(&self, cb: &Callback) -> (CallbackAnswer, Decision) {
        if cb.group_id().is_some_and(|g| g != self.group_id) {
            return (CallbackAnswer::allow(), Decision::Allowed);
        }
        match cb {
            Callback::BeforeApplyJoinGroup(join)
                if self.blocked.get(&join.requestor_account).is_some_and(|until| *until > im::clock::now_secs()) =>
            {
                (
                    CallbackAnswer::refuse_with(KICKED_JOIN_CODE, "you were removed from this live room"),
                    Decision::JoinRefused,
                )
            }
            Callback::BeforeSendMsg(m) if m.from_account != self.admin => {
                let Some(text) = body_text(&m.msg_body) else {
                    return (CallbackAnswer::allow(), Decision::Allowed);
                };
                if RoomMessage::from_body(&m.msg_body).is_some() {
                    return (CallbackAnswer::allow(), Decision::Allowed);
                }
                match self.words.check(&text) {
                    None => (CallbackAnswer::allow(), Decision::Allowed),
                    Some(hit) => match hit.action {
                        WordAction::Deliver => (CallbackAnswer::allow(), Decision::Flagged { pattern: hit.pattern }),
                        WordAction::Hold => (CallbackAnswer::drop_silently(), Decision::Held { pattern: hit.pattern }),
                        WordAction::Drop => (
                            CallbackAnswer::drop_silently(),
                            Decision::Blocked { pattern: hit.pattern, action: WordAction::Drop },
                        ),
                        WordAction::Refuse => (
                            CallbackAnswer::refuse_with(
                                WORD_REFUSED_CODE,
                                "your message was blocked by this room's word filter",
                            ),
                            Decision::Blocked { pattern: hit.pattern, action: WordAction::Refuse },
                        ),
                    },
                }
            }
            _ => (CallbackAnswer::allow(), Decision::Allowed),
        }
    }

    /// The answer when the hub cannot decide in time.
    pub fn overloaded(&self) -> CallbackAnswer {
        if self.fail_open {
            CallbackAnswer::allow()
        } else {
            CallbackAnswer::refuse()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::WordRule;
    use im::callback::{BeforeApplyJoinGroup, MsgCallback};
    use im::MsgElement;

    fn send(from: &str, text: &str) -> Callback {
        Callback::BeforeSendMsg(MsgCallback {
            group_id: "g".into(),
            group_type: "AVChatRoom".into(),
            from_account: from.into(),
            operator_account: from.into(),
            random: 1,
            online_only_flag: 0,
            msg_body: vec![MsgElement::text(text)],
            cloud_custom_data: None,
            topic_id: None,
            event_time: 0,
            msg_seq: None,
            msg_time: None,
            error_code: None,
            error_info: None,
        })
    }

    fn policy() -> Policy {
        let mut p = Policy::new("g".into(), "administrator".into());
        p.words = Arc::new(
            WordFilter::new(vec![
                WordRule { pattern: "spam".into(), action: WordAction::Refuse },
                WordRule { pattern: "link".into(), action: WordAction::Hold },
                WordRule { pattern: "meh".into(), action: WordAction::Drop },
            ])
            .unwrap(),
        );
        p.blocked.insert("troll".into(), u64::MAX);
        p.blocked.insert("was_banned".into(), 1);
        p
    }

    #[test]
    fn word_rules_map_to_tencents_answers() {
        let p = policy();
        let (a, d) = p.decide(&send("u", "buy SPAM"));
        assert_eq!(
            (a.error_code, d),
            (WORD_REFUSED_CODE, Decision::Blocked { pattern: "spam".into(), action: WordAction::Refuse })
        );
        let (a, d) = p.decide(&send("u", "my link here"));
        assert_eq!(
            (a.error_code, d),
            (2, Decision::Held { pattern: "link".into() }),
            "held = dropped for now, kept by the room"
        );
        assert_eq!(p.decide(&send("u", "meh")).0.error_code, 2);
        assert_eq!(p.decide(&send("u", "hello")), (CallbackAnswer::allow(), Decision::Allowed));
        assert_eq!(p.decide(&send("administrator", "spam")).1, Decision::Allowed, "the admin is not filtered");
    }

    #[test]
    fn blocklisted_users_are_refused_at_the_door_and_other_rooms_are_not_ours() {
        let p = policy();
        let join = |user: &str, group: &str| {
            Callback::BeforeApplyJoinGroup(BeforeApplyJoinGroup {
                group_id: group.into(),
                group_type: "AVChatRoom".into(),
                requestor_account: user.into(),
                apply_msg: None,
                event_time: 0,
            })
        };
        assert_eq!(p.decide(&join("troll", "g")).0.error_code, KICKED_JOIN_CODE);
        assert_eq!(p.decide(&join("fan", "g")).0.error_code, 0);
        assert_eq!(p.decide(&join("was_banned", "g")).0.error_code, 0, "a block that has ended lets them in");
        assert_eq!(p.decide(&join("troll", "other")).0.error_code, 0);
    }
}
