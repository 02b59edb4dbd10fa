//! A simulated audience for the sandbox's live rooms: viewers join and leave, chat in English,
//! Chinese, Korean and Japanese (and now and then post spam), send likes and gifts — all through the
//! sandbox's client SDK ([`crate::Viewer`]), so every action goes through the same callbacks a real
//! viewer's would. Viewers obey the room: a viewer named in a kick message leaves, and a muted viewer's
//! sends simply fail.
//!
//! Deterministic for a seed: the sequence of decisions depends only on the seed (timing and what the
//! hub answers can still change what the room sees).

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use im::{MsgElement, MsgPriority};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio_util::sync::CancellationToken;

use crate::Sandbox;

#[derive(Clone, Debug)]
pub struct AudienceConfig {
    pub seed: u64,
    /// How many viewers the audience tends towards.
    pub target_online: usize,
    /// The mean time between two actions.
    pub pace: Duration,
}

impl Default for AudienceConfig {
    fn default() -> Self {
        Self { seed: 7, target_online: 40, pace: Duration::from_millis(400) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lang {
    En,
    Zh,
    Ko,
    Ja,
}

const EN: &[&str] = &[
    "hello from Toronto!",
    "this stream is so chill",
    "what game is next?",
    "LOL",
    "that was clean",
    "first time here, love it",
    "can you say hi to my sister?",
    "GG",
    "audio is a bit low",
    "🔥🔥🔥",
];
const ZH: &[&str] = &[
    "主播好！",
    "来了来了",
    "这首歌好好听",
    "哈哈哈哈哈",
    "666",
    "点赞支持一下",
    "画质好清晰",
    "晚上好呀",
    "求关注",
    "今天几点下播？",
];
const KO: &[&str] = &[
    "안녕하세요!",
    "오늘 방송 너무 재밌어요",
    "ㅋㅋㅋㅋㅋ",
    "대박",
    "노래 한 곡 해주세요",
    "처음 왔어요",
    "화질 좋네요",
    "응원합니다!",
    "굿굿",
    "잘 자요~",
];
const JA: &[&str] = &[
    "こんばんは！",
    "初見です",
    "かわいい",
    "草",
    "ナイス！",
    "声がいいですね",
    "888888",
    "今日も配信ありがとう",
    "音ちょっと小さいかも",
    "おつかれさま",
];
const SPAM: &[&str] =
    &["cheap followers at spam-shop dot example", "F O L L O W  me for free coins", "scam link: bit.example/free"];

const NAMES_EN: &[&str] = &["alex", "sam", "jordan", "casey", "riley", "morgan", "taylor", "jamie"];
const NAMES_ZH: &[&str] = &["xiaoming", "lili", "wangwei", "zhangyu", "chenchen", "liuyang", "huahua", "dawei"];
const NAMES_KO: &[&str] = &["minji", "jisoo", "hyunwoo", "seoyeon", "jiho", "yuna", "taeyang", "haneul"];
const NAMES_JA: &[&str] = &["sakura", "haruto", "yui", "sota", "hina", "ren", "aoi", "kaito"];

/// `(giftId, giftName, unitPrice)`.
const GIFTS: &[(&str, &str, u32)] = &[
    ("rose", "Rose", 1),
    ("heart", "Heart", 5),
    ("lightstick", "Light stick", 20),
    ("rocket", "Rocket", 500),
    ("carnival", "Carnival", 1000),
];

struct Profile {
    id: String,
    lang: Lang,
}

fn audience(rng: &mut ChaCha8Rng) -> Vec<Profile> {
    let mut out = Vec::new();
    for (lang, names) in [(Lang::En, NAMES_EN), (Lang::Zh, NAMES_ZH), (Lang::Ko, NAMES_KO), (Lang::Ja, NAMES_JA)] {
        for name in names {
            for _ in 0..3 {
                out.push(Profile { id: format!("{name}_{}", rng.gen_range(10..9999)), lang });
            }
        }
    }
    out.shuffle(rng);
    out
}

fn line(rng: &mut ChaCha8Rng, lang: Lang) -> &'static str {
    if rng.gen_bool(0.03) {
        return SPAM.choose(rng).expect("not empty");
    }
    let pool = match lang {
        Lang::En => EN,
        Lang::Zh => ZH,
        Lang::Ko => KO,
        Lang::Ja => JA,
    };
    pool.choose(rng).expect("not empty")
}

fn gift_body(gift_id: &str, gift_name: &str, count: u32, unit_price: u32) -> Vec<MsgElement> {
    let data = serde_json::json!({
        "businessID": "live_gift", "version": 1, "giftId": gift_id, "giftName": gift_name,
        "count": count, "unitPrice": unit_price,
    });
    vec![MsgElement::custom(data.to_string())]
}

fn like_body(count: u32) -> Vec<MsgElement> {
    vec![MsgElement::custom(serde_json::json!({"businessID": "live_like", "version": 1, "count": count}).to_string())]
}

/// Runs the audience until `cancel` fires.
pub async fn run(sandbox: Sandbox, config: AudienceConfig, cancel: CancellationToken) {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let people = audience(&mut rng);
    let mut deliveries = sandbox.deliveries();
    // Indices into `people` of viewers in the current room, and of those the room kicked.
    let mut present: BTreeSet<usize> = BTreeSet::new();
    let mut kicked: HashSet<usize> = HashSet::new();
    let mut room: Option<String> = None;
    let pace_ms = config.pace.as_millis().max(2) as u64;
    loop {
        let wait = Duration::from_millis(rng.gen_range(pace_ms / 2..=pace_ms * 3 / 2));
        let sleep = tokio::time::sleep(wait);
        tokio::pin!(sleep);
        // Watch the room while waiting: kick messages make their targets leave.
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = &mut sleep => break,
                d = deliveries.recv() => {
                    let Ok(d) = d else { continue };
                    if Some(&d.group_id) != room.as_ref() { continue }
                    let Some(data) = im::msg::body_custom_data(&d.body) else { continue };
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else { continue };
                    if v["businessID"] != "live_kick" { continue }
                    for user in v["userIds"].as_array().into_iter().flatten().filter_map(|u| u.as_str()) {
                        if let Some(i) = people.iter().position(|p| p.id == user) {
                            if present.remove(&i) {
                                kicked.insert(i);
                                let _ = sandbox.viewer(user).leave(&d.group_id).await;
                            }
                        }
                    }
                }
            }
        }

        // Follow the newest live room; a new room starts with an empty audience.
        let newest = sandbox.live_rooms().pop();
        if newest != room {
            room = newest;
            present.clear();
            kicked.clear();
        }
        let Some(group) = room.clone() else { continue };

        let roll: f64 = rng.gen();
        // Joins outpace leaves while the room is below its target, fastest when it is emptiest, so a
        // new room fills within seconds and then hovers around the target.
        let deficit = config.target_online.saturating_sub(present.len()) as f64 / config.target_online.max(1) as f64;
        let join_chance = 0.05 + 0.6 * deficit;
        if present.is_empty() || rng.gen_bool(join_chance) {
            let i = rng.gen_range(0..people.len());
            if present.contains(&i) {
                continue;
            }
            // A kicked viewer tries again now and then; the room's before-join answer keeps them out.
            if kicked.contains(&i) && rng.gen_bool(0.5) {
                continue;
            }
            if sandbox.viewer(&people[i].id).join(&group).await.is_ok() {
                present.insert(i);
            }
            continue;
        }
        let members: Vec<usize> = present.iter().copied().collect();
        let i = *members.choose(&mut rng).expect("present is not empty");
        let viewer = sandbox.viewer(&people[i].id);
        let outcome = if roll < 0.04 {
            present.remove(&i);
            viewer.leave(&group).await
        } else if roll < 0.20 {
            viewer.send(&group, like_body(rng.gen_range(1..=15)), MsgPriority::Low).await.map(|_| ())
        } else if roll < 0.26 {
            let (id, name, price) = *GIFTS.choose(&mut rng).expect("not empty");
            let count = *[1, 1, 1, 5, 10, 99].choose(&mut rng).expect("not empty");
            viewer.send(&group, gift_body(id, name, count, price), MsgPriority::High).await.map(|_| ())
        } else {
            let text = line(&mut rng, people[i].lang);
            viewer.send_text(&group, text).await.map(|_| ())
        };
        if let Err(e) = outcome {
            // 10007: no longer a member (banned by the room); the viewer is gone.
            if e.code == 10007 {
                present.remove(&i);
                kicked.insert(i);
            }
            tracing::trace!(viewer = %people[i].id, error = %e, "a simulated viewer's action failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_audience() {
        let a: Vec<_> = audience(&mut ChaCha8Rng::seed_from_u64(7)).into_iter().map(|p| p.id).collect();
        let b: Vec<_> = audience(&mut ChaCha8Rng::seed_from_u64(7)).into_iter().map(|p| p.id).collect();
        let c: Vec<_> = audience(&mut ChaCha8Rng::seed_from_u64(8)).into_iter().map(|p| p.id).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|id| id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')));
    }
}
