//! Gift merging, as the live-room guide prescribes: a gift sent with a chosen count (say 99 at once)
//! is one message; an open-ended click streak is one message per 20 gifts, or whenever more than one
//! second passes between two clicks — so 99 quick clicks become 5 messages (20, 20, 20, 20, 19).
//! Merging keeps High-priority gift messages well under the room's 40 messages a second.
//!
//! The [`Merger`] is a task fed by the hub's gift intake (a billing backend calls it after charging
//! the viewer); it emits `(sender, gift message)` pairs for the room to post as the sender.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::message::RoomMessage;

/// Clicks in one streak are merged into messages of at most this many gifts.
pub const STREAK_BATCH: u32 = 20;
/// A streak ends when the next click comes later than this.
pub const STREAK_GAP: Duration = Duration::from_secs(1);

/// A billed gift, as the billing backend reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GiftOrder {
    pub user_id: String,
    pub gift_id: String,
    pub gift_name: String,
    /// Price of one gift in the app's smallest unit.
    #[serde(default)]
    pub unit_price: u32,
    /// How many: a chosen count is one message; for a click, 1.
    #[serde(default = "one")]
    pub count: u32,
    /// Part of a click streak (merged), rather than a chosen count (sent as it is).
    #[serde(default)]
    pub click: bool,
}

fn one() -> u32 {
    1
}

impl GiftOrder {
    pub fn validate(&self) -> Result<()> {
        im::client::validate_user_id(&self.user_id).map_err(|e| Error::Invalid(e.to_string()))?;
        if self.gift_id.is_empty() || self.gift_id.len() > 64 {
            return Err(Error::Invalid("giftId must be 1 to 64 bytes".into()));
        }
        if self.gift_name.len() > 128 {
            return Err(Error::Invalid("giftName must be at most 128 bytes".into()));
        }
        if self.count == 0 || self.count > 100_000 {
            return Err(Error::Invalid("count must be 1 to 100000".into()));
        }
        if self.click && self.count != 1 {
            return Err(Error::Invalid("a click is one gift: leave count out or send 1".into()));
        }
        Ok(())
    }
}

struct Streak {
    order: GiftOrder,
    pending: u32,
    last_click: Instant,
}

/// Merges gift orders into gift messages. Cheap to clone.
#[derive(Clone)]
pub struct Merger {
    tx: mpsc::Sender<GiftOrder>,
}

impl Merger {
    /// Starts merging; messages come out on `out` as `(sender, message)`.
    pub fn start(out: mpsc::Sender<(String, RoomMessage)>, cancel: CancellationToken) -> Self {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(run(rx, out, cancel));
        Self { tx }
    }

    pub async fn submit(&self, order: GiftOrder) -> Result<()> {
        order.validate()?;
        self.tx.send(order).await.map_err(|_| Error::Closed)
    }
}

fn message(order: &GiftOrder, count: u32) -> (String, RoomMessage) {
    (order.user_id.clone(), RoomMessage::gift(&order.gift_id, &order.gift_name, count, order.unit_price))
}

async fn run(mut rx: mpsc::Receiver<GiftOrder>, out: mpsc::Sender<(String, RoomMessage)>, cancel: CancellationToken) {
    let mut streaks: HashMap<(String, String), Streak> = HashMap::new();
    loop {
        let next_end = streaks.values().map(|s| s.last_click + STREAK_GAP).min();
        let order = tokio::select! {
            _ = cancel.cancelled() => break,
            o = rx.recv() => match o { Some(o) => Some(o), None => break },
            _ = async { tokio::time::sleep_until(next_end.expect("guarded")).await }, if next_end.is_some() => None,
        };
        let now = Instant::now();
        // Streaks whose gap has passed end now; what they still hold goes out.
        let ended: Vec<(String, String)> =
            streaks.iter().filter(|(_, s)| now >= s.last_click + STREAK_GAP).map(|(k, _)| k.clone()).collect();
        for key in ended {
            if let Some(s) = streaks.remove(&key) {
                if s.pending > 0 && out.send(message(&s.order, s.pending)).await.is_err() {
                    return;
                }
            }
        }
        let Some(order) = order else { continue };
        if !order.click {
            if out.send(message(&order, order.count)).await.is_err() {
                return;
            }
            continue;
        }
        let key = (order.user_id.clone(), order.gift_id.clone());
        let streak = streaks.entry(key).or_insert_with(|| Streak { order: order.clone(), pending: 0, last_click: now });
        streak.pending += 1;
        streak.last_click = now;
        if streak.pending >= STREAK_BATCH {
            let batch = streak.pending;
            streak.pending = 0;
            let msg = message(&streak.order, batch);
            if out.send(msg).await.is_err() {
                return;
            }
        }
    }
    // Shutting down: nothing billed is lost.
    for s in streaks.into_values() {
        if s.pending > 0 {
            let _ = out.send(message(&s.order, s.pending)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(user: &str, gift: &str) -> GiftOrder {
        GiftOrder {
            user_id: user.into(),
            gift_id: gift.into(),
            gift_name: gift.into(),
            unit_price: 1,
            count: 1,
            click: true,
        }
    }

    fn counts(rx: &mut mpsc::Receiver<(String, RoomMessage)>) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        while let Ok((user, m)) = rx.try_recv() {
            if let RoomMessage::Gift { count, gift_id, .. } = m {
                out.push((format!("{user}/{gift_id}"), count));
            }
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn ninety_nine_quick_clicks_become_five_messages() {
        let (out, mut rx) = mpsc::channel(100);
        let merger = Merger::start(out, CancellationToken::new());
        for _ in 0..99 {
            merger.submit(click("fan", "rose")).await.unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(counts(&mut rx), vec![("fan/rose".to_string(), 20); 4], "every 20 clicks go out at once");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(counts(&mut rx), [("fan/rose".to_string(), 19)], "the rest, a second after the last click");
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_longer_than_a_second_ends_the_streak() {
        let (out, mut rx) = mpsc::channel(100);
        let merger = Merger::start(out, CancellationToken::new());
        for _ in 0..3 {
            merger.submit(click("fan", "rose")).await.unwrap();
            tokio::time::sleep(Duration::from_millis(900)).await;
        }
        assert!(counts(&mut rx).is_empty(), "900 ms apart is still one streak");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        merger.submit(click("fan", "rose")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(counts(&mut rx), [("fan/rose".to_string(), 3), ("fan/rose".to_string(), 1)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_chosen_count_is_one_message_at_once_and_streaks_are_per_sender_and_gift() {
        let (out, mut rx) = mpsc::channel(100);
        let merger = Merger::start(out, CancellationToken::new());
        merger.submit(GiftOrder { count: 99, click: false, ..click("whale", "rocket") }).await.unwrap();
        merger.submit(click("a", "rose")).await.unwrap();
        merger.submit(click("b", "rose")).await.unwrap();
        merger.submit(click("a", "heart")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(counts(&mut rx), [("whale/rocket".to_string(), 99)]);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let mut rest = counts(&mut rx);
        rest.sort();
        assert_eq!(rest, [("a/heart".to_string(), 1), ("a/rose".to_string(), 1), ("b/rose".to_string(), 1)]);
    }

    #[tokio::test]
    async fn bad_orders_say_what_to_fix() {
        let (out, _rx) = mpsc::channel(1);
        let merger = Merger::start(out, CancellationToken::new());
        let e = merger.submit(GiftOrder { count: 5, ..click("fan", "rose") }).await.unwrap_err();
        assert!(e.to_string().contains("a click is one gift"), "{e}");
        let e = merger.submit(GiftOrder { user_id: "bad id!".into(), ..click("x", "rose") }).await.unwrap_err();
        assert!(e.to_string().contains("user ID"), "{e}");
    }
}
