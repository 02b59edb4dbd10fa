//! Room operations that need no room state, shared by the room actor and `anchordesk admin`: writing
//! the status (group field first, then a High-priority announcement), muting with the notice that
//! tells clients to disable input, and kicking with High-priority messages batched under the size
//! budget.

use im::api::{AppDefinedData, ModifyGroupBaseInfo};
use im::GroupHandle;

use crate::error::{Error, Result};
use crate::message::RoomMessage;
use crate::status::RoomStatus;

/// The group custom field (`AppDefinedData` key) holding the room status. It must be configured in
/// Tencent's console (Feature configuration → Group custom fields) before use.
pub const STATUS_FIELD: &str = "room_status";
/// The group custom field holding the like total.
pub const LIKES_FIELD: &str = "like_count";
/// Kick messages stay under this many bytes: the budget older deployments allow (8 KB), well below
/// today's 12 KB ceiling.
pub const KICK_MESSAGE_BUDGET: usize = 8_000;

/// Writes `status` to the group profile (so anyone entering reads it), then announces it to everyone in
/// the room with a High-priority message.
pub async fn write_status(group: &GroupHandle, status: RoomStatus) -> Result<()> {
    write_status_field(group, status).await?;
    announce_status(group, status).await
}

/// Writes `status` to the group's custom field.
pub async fn write_status_field(group: &GroupHandle, status: RoomStatus) -> Result<()> {
    group
        .modify(ModifyGroupBaseInfo {
            app_defined_data: vec![AppDefinedData { key: STATUS_FIELD.into(), value: status.as_str().into() }],
            ..ModifyGroupBaseInfo::default()
        })
        .await
        .map_err(|e| Error::im(format!("writing status {status} to the group profile"), e))
}

/// Tells everyone in the room the status, with a High-priority message.
pub async fn announce_status(group: &GroupHandle, status: RoomStatus) -> Result<()> {
    let msg = RoomMessage::status(status);
    group
        .send_control(msg.to_body(), msg.priority())
        .await
        .map(|_| ())
        .map_err(|e| Error::im(format!("announcing status {status}"), e))
}

/// The unix time a mute of `secs` seconds ends (`None` for 0, an unmute). `u32::MAX` is permanent.
pub fn mute_until(secs: u32, now: u64) -> Option<u64> {
    (secs != 0).then(|| now + u64::from(secs))
}

/// Mutes (or, with 0, unmutes) `users` on Tencent, then tells clients with High-priority notices so they
/// disable (or re-enable) the input box. A notice that fails is logged: the mute itself holds.
pub async fn mute(group: &GroupHandle, users: &[String], secs: u32, now: u64) -> Result<Option<u64>> {
    group.mute(users, secs).await.map_err(|e| Error::im(format!("muting {}", users.join(", ")), e))?;
    let until = mute_until(secs, now);
    for user in users {
        let notice = RoomMessage::mute(user, until.unwrap_or(0));
        if let Err(e) = group.send_control(notice.to_body(), notice.priority()).await {
            tracing::warn!(%user, error = %e, "the mute notice was not delivered");
        }
    }
    Ok(until)
}

/// Kick messages for `user_ids`, as few as fit under [`KICK_MESSAGE_BUDGET`] bytes each.
pub fn kick_messages(user_ids: &[String]) -> Vec<RoomMessage> {
    let mut out = Vec::new();
    let mut batch: Vec<String> = Vec::new();
    for id in user_ids {
        batch.push(id.clone());
        let size = serde_json::to_vec(&RoomMessage::kick(batch.clone()).to_body()).map(|v| v.len()).unwrap_or(0);
        if size > KICK_MESSAGE_BUDGET && batch.len() > 1 {
            let last = batch.pop().expect("just pushed");
            out.push(RoomMessage::kick(std::mem::take(&mut batch)));
            batch.push(last);
        }
    }
    if !batch.is_empty() {
        out.push(RoomMessage::kick(batch));
    }
    out
}

/// Tells the clients of `user_ids` to leave the room (High priority, batched).
pub async fn send_kicks(group: &GroupHandle, user_ids: &[String]) -> Result<()> {
    for msg in kick_messages(user_ids) {
        group
            .send_control(msg.to_body(), msg.priority())
            .await
            .map_err(|e| Error::im(format!("telling {} to leave", user_ids.join(", ")), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_kicks_are_split_into_messages_under_the_budget_and_none_is_lost() {
        let users: Vec<String> = (0..1000).map(|i| format!("user_with_a_long_name_{i:06}")).collect();
        let msgs = kick_messages(&users);
        assert!(msgs.len() > 1, "1000 long IDs do not fit one message");
        let mut seen = Vec::new();
        for m in &msgs {
            let size = serde_json::to_vec(&m.to_body()).unwrap().len();
            assert!(size <= KICK_MESSAGE_BUDGET, "{size} bytes is over the budget");
            let RoomMessage::Kick { user_ids, .. } = m else { panic!("kick messages only") };
            seen.extend(user_ids.iter().cloned());
        }
        assert_eq!(seen, users, "every user is named once, in order");
        assert_eq!(kick_messages(&["one".into()]).len(), 1);
    }

    #[test]
    fn a_zero_mute_unmutes_and_permanent_is_far_away() {
        assert_eq!(mute_until(0, 100), None);
        assert_eq!(mute_until(60, 100), Some(160));
        assert_eq!(mute_until(u32::MAX, 100), Some(100 + u64::from(u32::MAX)));
    }
}
