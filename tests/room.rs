//! The room's practices (live-room guide), end to end: a sandbox standing in for Tencent, the hub's
//! callback endpoint on a real port receiving its signed callbacks, and the room behind it — including
//! a restart in the middle, after which nothing persisted may be missing.

mod support;

use std::time::Duration;

use im::MsgPriority;
use room::actor::{ModAction, KICKED_JOIN_CODE, LIKES_FIELD, WORD_REFUSED_CODE};
use room::event::AuditAction;
use room::store::AuditQuery;
use room::words::{WordAction, WordRule};
use room::{EventEnvelope, RoomEvent, RoomStatus};
use sandbox::{Delivered, Switches};
use support::stack::{Stack, API_TOKEN};
use tokio::sync::broadcast::Receiver;

async fn next(rx: &mut Receiver<EventEnvelope>, want: impl Fn(&RoomEvent) -> bool) -> RoomEvent {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let e = rx.recv().await.expect("the event stream stays open");
            if want(&e.event) {
                return e.event;
            }
        }
    })
    .await
    .expect("the expected event within 5 s")
}

/// Texts delivered to the room so far (drains what is queued).
fn delivered_texts(rx: &mut Receiver<Delivered>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Ok(d) = rx.try_recv() {
        if let Some(t) = im::msg::body_text(&d.body) {
            out.push((d.from, t));
        }
    }
    out
}

fn rules() -> Vec<WordRule> {
    vec![
        WordRule { pattern: "spam".into(), action: WordAction::Refuse },
        WordRule { pattern: "my link".into(), action: WordAction::Hold },
        WordRule { pattern: "meh".into(), action: WordAction::Drop },
        WordRule { pattern: "wow".into(), action: WordAction::Deliver },
    ]
}

#[tokio::test]
async fn each_word_rule_refuses_drops_holds_or_delivers_through_tencents_callback() {
    let s = Stack::start(Switches::all()).await;
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    s.room.set_words("anchor", rules()).await.unwrap();
    let mut deliveries = s.sandbox.deliveries();
    let fan = s.viewer("fan_1").await;
    let g = s.group();

    let refused = fan.send_text(&g, "buy S P A M").await.unwrap_err();
    assert_eq!(refused.code, WORD_REFUSED_CODE, "the sender is told: {refused}");
    assert!(refused.info.contains("word filter"));
    fan.send_text(&g, "meh").await.expect("a dropped message looks sent to its sender");
    fan.send_text(&g, "see my   LINK").await.expect("a held message looks sent to its sender");
    fan.send_text(&g, "wow").await.unwrap();
    fan.send_text(&g, "hello").await.unwrap();

    let held = next(&mut rx, |e| matches!(e, RoomEvent::Held(_))).await;
    let RoomEvent::Held(held) = held else { unreachable!() };
    assert_eq!((held.user_id.as_str(), held.pattern.as_str()), ("fan_1", "my link"));
    next(&mut rx, |e| matches!(e, RoomEvent::Chat(c) if c.text == "hello")).await;
    let seen: Vec<String> = delivered_texts(&mut deliveries).into_iter().map(|(_, t)| t).collect();
    assert_eq!(seen, ["wow", "hello"], "only allowed messages reach the room");
    let (snapshot, _) = s.room.subscribe().await.unwrap();
    assert_eq!(snapshot.filtered.len(), 2, "moderators see what was refused or dropped");
    assert_eq!(snapshot.held.len(), 1);
}

#[tokio::test]
async fn an_approved_message_reaches_the_room_as_its_sender_and_a_rejected_one_never_does() {
    let s = Stack::start(Switches::all()).await;
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    s.room.set_words("anchor", rules()).await.unwrap();
    let mut deliveries = s.sandbox.deliveries();
    let fan = s.viewer("fan_2").await;
    fan.send_text(&s.group(), "first my link").await.unwrap();
    fan.send_text(&s.group(), "second my link").await.unwrap();
    let mut ids = Vec::new();
    while ids.len() < 2 {
        if let RoomEvent::Held(h) = next(&mut rx, |e| matches!(e, RoomEvent::Held(_))).await {
            ids.push(h.id);
        }
    }

    s.room.resolve_held("mod_amy", ids[0], true).await.expect("approving re-sends it");
    let chat = next(&mut rx, |e| matches!(e, RoomEvent::Chat(_))).await;
    assert!(
        matches!(chat, RoomEvent::Chat(ref c) if c.user_id == "fan_2" && c.text == "first my link"),
        "shown as the original sender, not filtered again: {chat:?}"
    );
    s.room.resolve_held("mod_amy", ids[1], false).await.unwrap();
    next(&mut rx, |e| matches!(e, RoomEvent::HeldResolved { approved: false, .. })).await;
    assert_eq!(delivered_texts(&mut deliveries), [("fan_2".to_string(), "first my link".to_string())]);
    assert!(s.room.resolve_held("mod_amy", ids[1], true).await.is_err(), "a resolved message cannot be resolved again");

    let audit = s.room.audit(AuditQuery { target: Some("fan_2".into()), ..Default::default() }).await.unwrap();
    let actions: Vec<(AuditAction, &str)> = audit.iter().map(|a| (a.action, a.actor.as_str())).collect();
    assert_eq!(actions, [(AuditAction::Reject, "mod_amy"), (AuditAction::Approve, "mod_amy")]);
}

#[tokio::test]
async fn moderation_is_audited_searchable_exportable_and_undoable() {
    let s = Stack::start(Switches::all()).await;
    let g = s.group();
    let loud = s.viewer("loud_3").await;
    let mute = ModAction::Mute {
        user_id: "loud_3".into(),
        seconds: 600,
        until_end_of_stream: false,
        reason: "caps lock".into(),
    };
    s.room.moderate("mod_bo", mute).await.unwrap();
    assert_eq!(loud.send_text(&g, "HEY").await.unwrap_err().code, 10017);

    let found = s.room.audit(AuditQuery { text: Some("CAPS".into()), ..Default::default() }).await.unwrap();
    assert_eq!(found.len(), 1, "search matches the reason, case-insensitively");
    let line = &found[0];
    assert_eq!(
        (line.actor.as_str(), line.action, line.target.as_str(), line.duration),
        ("mod_bo", AuditAction::Mute, "loud_3", Some(600))
    );
    let csv = room::store::export_audit(&found, "csv").unwrap();
    assert!(
        csv.starts_with("id,at,actor,action,target,detail,reason,duration,undone_by\n") && csv.contains("caps lock"),
        "{csv}"
    );
    let json: serde_json::Value = serde_json::from_str(&room::store::export_audit(&found, "json").unwrap()).unwrap();
    assert_eq!(json[0]["reason"], "caps lock");

    s.room.undo("mod_cy", line.id).await.expect("a mute can be undone");
    loud.send_text(&g, "thanks").await.expect("undoing the mute unmuted them on Tencent");
    assert!(s.room.undo("mod_cy", line.id).await.is_err(), "an undone line cannot be undone twice");
    let all = s.room.audit(AuditQuery::default()).await.unwrap();
    assert_eq!(all[0].action, AuditAction::Unmute, "the undo is audited too, newest first");
    assert_eq!(all[1].undone_by, Some(all[0].id), "and the original points at it");
    let status = all.iter().find(|a| a.action == AuditAction::Status);
    assert!(status.is_none());
    assert!(s.room.undo("mod_cy", all[0].id).await.is_err(), "an unmute is not undoable");
}

#[tokio::test]
async fn a_native_ban_removes_and_keeps_out_and_unban_lets_back_in() {
    let s = Stack::start(Switches::all()).await;
    let g = s.group();
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let troll = s.viewer("troll_4").await;
    let ban = ModAction::Ban { user_id: "troll_4".into(), seconds: 3600, reason: "spam links".into() };
    s.room.moderate("anchor", ban).await.unwrap();
    next(&mut rx, |e| matches!(e, RoomEvent::UserKicked { user_id } if user_id == "troll_4")).await;
    assert!(!s.sandbox.members(&g).contains(&"troll_4".to_string()), "a native ban removes them at once");
    let banned = s.im.group(&g).banned().await.unwrap();
    assert_eq!(banned[0].member_account, "troll_4");
    assert!(troll.join(&g).await.is_err());
    s.room.moderate("anchor", ModAction::Unban { user_id: "troll_4".into() }).await.unwrap();
    troll.join(&g).await.expect("unbanned users may come back");
}

#[tokio::test]
async fn without_a_native_ban_a_ban_falls_back_to_kick_and_a_blocklisting_that_ends() {
    let s = Stack::start(Switches::none()).await;
    let g = s.group();
    let troll = s.viewer("troll_5").await;
    let mut deliveries = s.sandbox.deliveries();
    let ban = ModAction::Ban { user_id: "troll_5".into(), seconds: 2, reason: "flooding".into() };
    s.room.moderate("anchor", ban).await.expect("a ban works on a base edition too");
    let kick = support::next_delivered(&mut deliveries, |m, p| match m {
        room::message::RoomMessage::Kick { user_ids, .. } => Some((user_ids, p)),
        _ => None,
    })
    .await;
    assert_eq!(kick, (vec!["troll_5".to_string()], MsgPriority::High));
    troll.leave(&g).await.unwrap();
    assert_eq!(troll.join(&g).await.unwrap_err().code, KICKED_JOIN_CODE, "kept out by the hub while the ban lasts");
    let audit = s.room.audit(AuditQuery::default()).await.unwrap();
    assert!(audit[0].detail.contains("no native ban"), "the audit says how the ban was done: {}", audit[0].detail);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    troll.join(&g).await.expect("the fallback ban ends when its time is up, with nothing else happening");
}

#[tokio::test]
async fn a_mute_until_the_end_of_the_stream_is_lifted_when_the_stream_ends() {
    let s = Stack::start(Switches::all()).await;
    let g = s.group();
    let chatty = s.viewer("chatty_6").await;
    s.room.set_status(RoomStatus::Live).await.unwrap();
    let mute = ModAction::Mute { user_id: "chatty_6".into(), seconds: 0, until_end_of_stream: true, reason: "".into() };
    s.room.moderate("anchor", mute).await.unwrap();
    assert_eq!(chatty.send_text(&g, "hi").await.unwrap_err().code, 10017);
    s.room.set_status(RoomStatus::Ended).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while s.im.group(&g).muted_accounts().await.unwrap().iter().any(|m| m.member_account == "chatty_6") {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the end of the stream lifts the mute on Tencent");
    chatty.send_text(&g, "bye").await.unwrap();
}

#[tokio::test]
async fn the_like_total_is_written_to_the_group_field_only_when_it_changed() {
    let s = Stack::start(Switches::all()).await;
    let g = s.group();
    let fan = s.viewer("fan_7").await;
    for n in [5, 7] {
        fan.send(&g, room::message::RoomMessage::like(n).to_body(), MsgPriority::Low).await.unwrap();
    }
    let field = || async { s.im.group(&g).info().await.unwrap().app_defined(LIKES_FIELD).map(str::to_string) };
    tokio::time::timeout(Duration::from_secs(5), async {
        while field().await.as_deref() != Some("12") {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the total reaches the group field within a flush interval");
}

#[tokio::test]
async fn a_restart_in_the_middle_loses_nothing_the_room_persisted() {
    let mut s = Stack::start(Switches::all()).await;
    let g = s.group();
    s.room.set_words("anchor", rules()).await.unwrap();
    s.room.set_status(RoomStatus::Live).await.unwrap();
    s.room.kick("troll_8").await.unwrap();
    let mute = ModAction::Mute {
        user_id: "loud_8".into(),
        seconds: 600,
        until_end_of_stream: false,
        reason: "shouting".into(),
    };
    s.room.moderate("anchor", mute).await.unwrap();
    let fan = s.viewer("fan_8").await;
    fan.send_text(&g, "check my link").await.unwrap();
    fan.send(&g, room::message::RoomMessage::like(9).to_body(), MsgPriority::Low).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (before, _) = s.room.subscribe().await.unwrap();
    assert_eq!(before.held.len(), 1);

    s.restart().await;

    let (after, mut rx) = s.room.subscribe().await.unwrap();
    assert_eq!(after.group_id, g, "the same room");
    assert_eq!(after.status, RoomStatus::Live);
    assert_eq!(after.words, 4, "the word list");
    assert_eq!(after.blocked, ["troll_8"], "the blocklist");
    assert_eq!(
        after.muted.iter().map(|m| m.user_id.as_str()).collect::<Vec<_>>(),
        ["loud_8"],
        "mutes with their expiry"
    );
    assert_eq!(after.held.iter().map(|h| h.text.as_str()).collect::<Vec<_>>(), ["check my link"], "the held queue");
    assert_eq!(after.likes, 9, "the like total");
    let actions: Vec<AuditAction> = after.audit.iter().map(|a| a.action).collect();
    assert_eq!(
        actions,
        [AuditAction::Words, AuditAction::Status, AuditAction::Kick, AuditAction::Mute],
        "the audit log"
    );

    // And it keeps working: the restarted hub refuses the kicked user and holds what it should.
    let troll = s.sandbox.viewer("troll_8");
    assert_eq!(troll.join(&g).await.unwrap_err().code, KICKED_JOIN_CODE);
    s.room.resolve_held("anchor", after.held[0].id, true).await.expect("a held message survives to be approved");
    next(&mut rx, |e| matches!(e, RoomEvent::Chat(c) if c.text == "check my link")).await;
}

#[tokio::test]
async fn ninety_nine_billed_clicks_reach_the_room_as_five_gift_messages_from_the_viewer() {
    let s = Stack::start(Switches::all()).await;
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let url = format!("http://{}/api/v1/rooms/{}/gifts", s.hub_addr, s.group().replace('#', "%23"));
    let http = reqwest::Client::new();
    let click =
        serde_json::json!({"userId": "whale_9", "giftId": "rose", "giftName": "Rose", "unitPrice": 1, "click": true});
    for _ in 0..99 {
        let resp = http.post(&url).bearer_auth(API_TOKEN).json(&click).send().await.unwrap();
        assert_eq!(resp.status(), 202);
    }
    let mut counts = Vec::new();
    while counts.iter().sum::<u32>() < 99 {
        if let RoomEvent::Gift(g) = next(&mut rx, |e| matches!(e, RoomEvent::Gift(_))).await {
            assert_eq!((g.user_id.as_str(), g.gift_id.as_str()), ("whale_9", "rose"), "posted as the viewer");
            counts.push(g.count);
        }
    }
    assert_eq!(counts, [20, 20, 20, 20, 19], "the guide's merge rule");

    let chosen = serde_json::json!({"userId": "whale_9", "giftId": "rocket", "giftName": "Rocket", "unitPrice": 500, "count": 10});
    assert_eq!(http.post(&url).bearer_auth(API_TOKEN).json(&chosen).send().await.unwrap().status(), 202);
    let RoomEvent::Gift(g) = next(&mut rx, |e| matches!(e, RoomEvent::Gift(g) if g.gift_id == "rocket")).await else {
        unreachable!()
    };
    assert_eq!((g.count, g.unit_price), (10, 500), "a chosen count is one message");

    let refused = http.post(&url).bearer_auth("wrong").json(&click).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(!refused.text().await.unwrap().contains(API_TOKEN));
    assert_eq!(http.post(&url).json(&click).send().await.unwrap().status(), 401, "no token");
    let other = format!("http://{}/api/v1/rooms/%40TGS%23aOTHER/gifts", s.hub_addr);
    assert_eq!(http.post(&other).bearer_auth(API_TOKEN).json(&click).send().await.unwrap().status(), 404);
    let bad = serde_json::json!({"userId": "whale 9", "giftId": "rose", "giftName": "Rose"});
    let resp = http.post(&url).bearer_auth(API_TOKEN).json(&bad).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("user ID"), "the error says what to fix");
}

#[tokio::test]
async fn the_room_counts_what_the_ceiling_dropped_per_minute_and_priority() {
    let s = Stack::start_with(|sb| sb.messages_per_second = 5).await;
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let g = s.group();
    let fan = s.viewer("burst_1").await;
    let (mut dropped_normal, mut dropped_low) = (0, 0);
    for i in 0..30 {
        if fan.send_text(&g, &format!("line {i}")).await.unwrap().dropped {
            dropped_normal += 1;
        }
    }
    for _ in 0..10 {
        if fan.send(&g, room::message::RoomMessage::like(1).to_body(), MsgPriority::Low).await.unwrap().dropped {
            dropped_low += 1;
        }
    }
    assert!(dropped_normal > 0, "a ceiling of 5/s drops most of 30 messages at once");
    let minute = loop {
        let RoomEvent::Drops(m) = next(&mut rx, |e| matches!(e, RoomEvent::Drops(_))).await else { unreachable!() };
        if m.normal.sent == 30 && m.low.sent == 10 && m.normal.dropped == dropped_normal && m.low.dropped == dropped_low
        {
            break m;
        }
    };
    println!("one minute of drops: {minute:?}");
    assert_eq!(minute.high.sent, 0);
    let (snapshot, _) = s.room.subscribe().await.unwrap();
    assert_eq!(snapshot.drops.last(), Some(&minute), "the console starts from the same figures");
}

#[tokio::test]
async fn the_notice_is_checked_in_bytes_written_to_the_profile_announced_and_audited() {
    let s = Stack::start(Switches::all()).await;
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let mut deliveries = s.sandbox.deliveries();
    let too_long = "公".repeat(101);
    let e = s.room.set_notice("anchor", Some(too_long), None).await.unwrap_err();
    assert!(e.to_string().contains("303 bytes") && e.to_string().contains("300"), "{e}");

    s.room.set_notice("anchor", Some("今晚八点见".into()), Some("Music and chat".into())).await.unwrap();
    let info = s.im.group(s.group()).info().await.unwrap();
    assert_eq!((info.notification.as_str(), info.introduction.as_str()), ("今晚八点见", "Music and chat"));
    next(&mut rx, |e| matches!(e, RoomEvent::Notice { notice, .. } if notice == "今晚八点见")).await;
    let announced = support::next_delivered(&mut deliveries, |m, p| {
        matches!(m, room::message::RoomMessage::Notice { .. }).then_some((m, p))
    })
    .await;
    assert_eq!(announced, (room::message::RoomMessage::notice("今晚八点见", "Music and chat"), MsgPriority::High));
    let audit = s.room.audit(AuditQuery::default()).await.unwrap();
    assert_eq!(audit[0].action, AuditAction::Notice);
    let (snap, _) = s.room.subscribe().await.unwrap();
    assert_eq!(snap.notice, "今晚八点见");
}

#[tokio::test]
async fn the_online_count_is_pushed_into_the_room_only_when_the_change_matters() {
    let s = Stack::start(Switches::all()).await;
    let mut deliveries = s.sandbox.deliveries();
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let mut viewers = Vec::new();
    let mut seen = Vec::new();
    for (joins, expect) in [(10, 10), (1, 11), (2, 13)] {
        for _ in 0..joins {
            viewers.push(s.viewer(&format!("v{}", viewers.len())).await);
        }
        next(&mut rx, |e| matches!(e, RoomEvent::Online { count } if *count == expect)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        while let Ok(d) = deliveries.try_recv() {
            if let Some(room::message::RoomMessage::Online { count, .. }) =
                room::message::RoomMessage::from_body(&d.body)
            {
                seen.push(count);
            }
        }
    }
    assert!(seen.contains(&10) && seen.contains(&13), "big moves are pushed: {seen:?}");
    assert!(!seen.contains(&11), "10 → 11 is under 5% and 2: not worth a message: {seen:?}");
    let (snap, _) = s.room.subscribe().await.unwrap();
    assert!(
        snap.online_history.len() >= 3 && snap.online_history.last().unwrap().count == 13,
        "a history for the sparkline"
    );
}

#[tokio::test]
async fn a_user_card_shows_their_messages_actions_note_level_and_state() {
    let mut s = Stack::start(Switches::all()).await;
    let g = s.group();
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let fan = s.viewer("regular_1").await;
    for text in ["first!", "love this song", "前回も来ました"] {
        fan.send_text(&g, text).await.unwrap();
    }
    fan.send(&g, room::message::RoomMessage::like(30).to_body(), MsgPriority::Low).await.unwrap();
    let gift = room::message::RoomMessage::gift("rocket", "Rocket", 2, 500);
    fan.send(&g, gift.to_body(), gift.priority()).await.unwrap();
    next(&mut rx, |e| matches!(e, RoomEvent::Gift(_))).await;
    let mute = ModAction::Mute {
        user_id: "regular_1".into(),
        seconds: 60,
        until_end_of_stream: false,
        reason: "too many caps".into(),
    };
    s.room.moderate("mod_amy", mute).await.unwrap();
    s.room.set_note("regular_1", "VIP since 2024; friendly").await.unwrap();
    let score = next(&mut rx, |e| matches!(e, RoomEvent::Popularity { .. })).await;
    assert!(
        matches!(score, RoomEvent::Popularity { score } if score >= 3 * 2 + 3 + 1000),
        "messages, likes and gifts count: {score:?}"
    );

    s.restart().await; // the card is built from what was persisted
    let card = s.room.user_card("regular_1").await.unwrap();
    let texts: Vec<&str> = card.messages_recent.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["first!", "love this song", "前回も来ました"]);
    assert_eq!((card.messages, card.likes, card.gift_value), (3, 30, 1000));
    assert!(card.level > 1, "engagement raised their level");
    assert_eq!(card.note, "VIP since 2024; friendly");
    assert_eq!(card.actions.len(), 1);
    assert_eq!((card.actions[0].action, card.actions[0].reason.as_str()), (AuditAction::Mute, "too many caps"));
    assert!(card.muted_until.is_some() && card.blocked_until.is_none());
    let stranger = s.room.user_card("never_seen").await.unwrap();
    assert_eq!((stranger.first_seen, stranger.messages, stranger.level), (0, 0, 1));
    assert!(s.room.user_card("bad id!").await.is_err());
}

#[tokio::test]
async fn a_keyword_lottery_takes_each_sender_once_and_draws_reproducibly_with_the_seed_audited() {
    let s = Stack::start(Switches::all()).await;
    let g = s.group();
    let mut deliveries = s.sandbox.deliveries();
    s.room.lottery_open("mod_amy", "888").await.unwrap();
    assert!(s.room.lottery_open("mod_amy", "999").await.is_err(), "one lottery at a time");
    let mut entrants = Vec::new();
    for i in 0..6 {
        let v = s.viewer(&format!("lucky_{i}")).await;
        v.send_text(&g, "888!").await.unwrap();
        v.send_text(&g, "８８８ again").await.unwrap();
        entrants.push(format!("lucky_{i}"));
    }
    s.viewer("bystander").await.send_text(&g, "hello").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let winners = s.room.lottery_draw("mod_amy", 2, Some(20261122)).await.unwrap();
    assert_eq!(winners, room::lottery::draw_winners(&entrants, 2, 20261122), "anyone can re-run the draw");
    let (snap, _) = s.room.subscribe().await.unwrap();
    let line = snap.lottery.unwrap();
    assert_eq!(
        (line.entrants, line.open, line.seed),
        (6, false, Some(20261122)),
        "each sender once; closed by the draw"
    );
    let audit = s.room.audit(AuditQuery::default()).await.unwrap();
    assert!(audit[0].detail.contains("seed 20261122") && audit[0].detail.contains(&winners[0]), "{}", audit[0].detail);
    let drawn = support::next_delivered(&mut deliveries, |m, p| match m {
        room::message::RoomMessage::Lottery { state, winners, .. } if state == "drawn" => Some((winners, p)),
        _ => None,
    })
    .await;
    assert_eq!(drawn, (winners, MsgPriority::High), "the room hears the winners");
}

#[tokio::test]
async fn a_broadcast_is_native_when_the_edition_allows_and_a_room_message_otherwise() {
    for (switches, native) in [(Switches::all(), true), (Switches::none(), false)] {
        let s = Stack::start(switches).await;
        let mut deliveries = s.sandbox.deliveries();
        s.room.broadcast("anchor", "Tonight: a special guest!").await.unwrap();
        let d = deliveries.recv().await.unwrap();
        assert_eq!(
            room::message::RoomMessage::from_body(&d.body),
            Some(room::message::RoomMessage::broadcast("Tonight: a special guest!"))
        );
        let audit = s.room.audit(AuditQuery::default()).await.unwrap();
        assert_eq!(audit[0].action, AuditAction::Broadcast);
        assert_eq!(
            audit[0].detail.contains("native broadcast") && !audit[0].detail.contains("no native"),
            native,
            "{}",
            audit[0].detail
        );
    }
}

#[tokio::test]
async fn strikes_climb_the_rooms_ladder_survive_a_restart_and_can_be_forgiven() {
    use room::strikes::{StrikeLadder, StrikeStep};
    let mut s = Stack::start(Switches::none()).await;
    let g = s.group();
    let ladder = StrikeLadder {
        steps: vec![StrikeStep::Warn, StrikeStep::Mute { seconds: 60 }, StrikeStep::Kick],
        window_secs: 3600,
        from_filter: false,
    };
    let bad = StrikeLadder { steps: vec![], ..ladder.clone() };
    assert!(s.room.set_strike_ladder("anchor", bad).await.unwrap_err().to_string().contains("1 to 10 steps"));
    s.room.set_strike_ladder("anchor", ladder.clone()).await.unwrap();
    let rude = s.viewer("rude_1").await;
    let mut deliveries = s.sandbox.deliveries();
    let strike = || ModAction::Strike { user_id: "rude_1".into(), reason: "insults".into() };

    s.room.moderate("mod_a", strike()).await.unwrap();
    let warned = support::next_delivered(&mut deliveries, |m, p| match m {
        room::message::RoomMessage::Warn { user_id, reason, .. } => Some((user_id, reason, p)),
        _ => None,
    })
    .await;
    assert_eq!(warned, ("rude_1".to_string(), "insults".to_string(), MsgPriority::High), "step 1 warns");
    rude.send_text(&g, "still talking").await.expect("a warning does not mute");

    s.room.moderate("mod_a", strike()).await.unwrap();
    assert_eq!(rude.send_text(&g, "hey").await.unwrap_err().code, 10017, "step 2 mutes on Tencent");

    s.restart().await;
    let (after, _) = s.room.subscribe().await.unwrap();
    assert_eq!(after.strike_ladder, ladder, "the ladder is kept");
    assert_eq!(s.room.user_card("rude_1").await.unwrap().strikes, 2, "and so are the strikes");

    s.room.moderate("mod_b", strike()).await.unwrap();
    assert_eq!(s.room.user_card("rude_1").await.unwrap().blocked_until, Some(u64::MAX), "step 3 kicks");
    let audit = s.room.audit(AuditQuery { action: Some(AuditAction::Strike), ..Default::default() }).await.unwrap();
    let details: Vec<&str> = audit.iter().map(|a| a.detail.as_str()).collect();
    assert_eq!(details, ["strike 3: kick", "strike 2: mute 1 min", "strike 1: warn"]);
    assert_eq!(audit[0].actor, "mod_b");

    s.room.undo("anchor", audit[0].id).await.expect("a strike can be forgiven");
    assert_eq!(s.room.user_card("rude_1").await.unwrap().strikes, 2);
    let forgiven = s.room.audit(AuditQuery { action: Some(AuditAction::Forgive), ..Default::default() }).await;
    assert_eq!(forgiven.unwrap().len(), 1, "forgiving is audited");
}

#[tokio::test]
async fn the_word_filter_gives_one_strike_for_a_burst_of_refused_messages() {
    let s = Stack::start(Switches::none()).await;
    let g = s.group();
    s.room.set_words("anchor", rules()).await.unwrap();
    let spammer = s.viewer("spam_2").await;
    for _ in 0..3 {
        assert_eq!(spammer.send_text(&g, "buy spam now").await.unwrap_err().code, WORD_REFUSED_CODE);
    }
    support::until(5, "the filter's strike is audited", || async {
        !s.room.audit(AuditQuery { action: Some(AuditAction::Strike), ..Default::default() }).await.unwrap().is_empty()
    })
    .await;
    s.room.flush().await;
    let strikes = s.room.audit(AuditQuery { action: Some(AuditAction::Strike), ..Default::default() }).await.unwrap();
    assert_eq!(strikes.len(), 1, "three refusals within a minute are one strike");
    assert_eq!((strikes[0].actor.as_str(), strikes[0].detail.as_str()), ("word filter", "strike 1: warn"));
    assert!(strikes[0].reason.contains("spam"), "the reason names the rule: {}", strikes[0].reason);
}

#[tokio::test]
async fn a_hidden_message_is_hidden_on_every_client_and_marked_for_moderators() {
    let s = Stack::start(Switches::none()).await;
    let g = s.group();
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let fan = s.viewer("oops_3").await;
    fan.send_text(&g, "my phone number is 555").await.unwrap();
    let RoomEvent::Chat(line) = next(&mut rx, |e| matches!(e, RoomEvent::Chat(c) if c.user_id == "oops_3")).await
    else {
        unreachable!()
    };
    let mut deliveries = s.sandbox.deliveries();
    let hide = ModAction::Hide { msg_id: line.id.clone(), reason: "personal data".into() };
    s.room.moderate("mod_c", hide).await.unwrap();
    let ids = support::next_delivered(&mut deliveries, |m, p| match m {
        room::message::RoomMessage::Hide { msg_ids, .. } => Some((msg_ids, p)),
        _ => None,
    })
    .await;
    assert_eq!(ids, (vec![line.id.clone()], MsgPriority::High), "clients are told which message to hide");
    next(&mut rx, |e| matches!(e, RoomEvent::MessageHidden { id, .. } if *id == line.id)).await;
    let (snapshot, _) = s.room.subscribe().await.unwrap();
    assert!(snapshot.chat.iter().any(|c| c.id == line.id && c.hidden), "the console keeps it, marked hidden");
    let card = s.room.user_card("oops_3").await.unwrap();
    assert!(card.messages_recent.iter().any(|c| c.id == line.id && c.hidden), "the user card too");
    let audit = s.room.audit(AuditQuery { action: Some(AuditAction::Hide), ..Default::default() }).await.unwrap();
    assert_eq!((audit[0].target.as_str(), audit[0].reason.as_str()), ("oops_3", "personal data"));
    assert!(s.room.undo("anchor", audit[0].id).await.is_err(), "a hide cannot be taken back from clients");
    let empty = ModAction::Hide { msg_id: String::new(), reason: String::new() };
    assert!(s.room.moderate("mod_c", empty).await.is_err());
}

#[tokio::test]
async fn mute_all_silences_viewers_tells_clients_and_is_read_back_after_a_restart() {
    let mut s = Stack::start(Switches::none()).await;
    let g = s.group();
    let fan = s.viewer("fan_4").await;
    let mut deliveries = s.sandbox.deliveries();
    s.room.moderate("anchor", ModAction::MuteAll { on: true, reason: "raid".into() }).await.unwrap();
    let notice = support::next_delivered(&mut deliveries, |m, p| match m {
        room::message::RoomMessage::MuteAll { muted, .. } => Some((muted, p)),
        _ => None,
    })
    .await;
    assert_eq!(notice, (true, MsgPriority::High));
    assert_eq!(s.im.group(&g).info().await.unwrap().mute_all_member, "On");
    assert_eq!(fan.send_text(&g, "hello?").await.unwrap_err().code, 10017);

    s.restart().await;
    let (after, _) = s.room.subscribe().await.unwrap();
    assert!(after.muted_all, "the room reads mute-all back from the group profile");
    let line = s.room.audit(AuditQuery { action: Some(AuditAction::MuteAll), ..Default::default() }).await.unwrap();
    s.room.undo("anchor", line[0].id).await.expect("mute-all can be undone");
    fan.send_text(&g, "finally").await.expect("everyone may speak again");
    let (now, _) = s.room.subscribe().await.unwrap();
    assert!(!now.muted_all);
}

#[tokio::test]
async fn each_stream_is_a_session_with_its_counts_and_a_restart_continues_it() {
    let mut s = Stack::start(Switches::none()).await;
    let g = s.group();
    let (first, _) = s.room.subscribe().await.unwrap();
    assert_eq!(first.session, None, "no stream yet");
    s.room.set_status(RoomStatus::Live).await.unwrap();
    let fan = s.viewer("fan_5").await;
    fan.send_text(&g, "first!").await.unwrap();
    fan.send(&g, room::message::RoomMessage::like(4).to_body(), MsgPriority::Low).await.unwrap();
    support::until(5, "the stream counts the message and the likes", || async {
        let (snap, _) = s.room.subscribe().await.unwrap();
        snap.session.is_some_and(|x| x.messages == 1 && x.likes == 4)
    })
    .await;

    s.restart().await;
    fan.send_text(&g, "still here").await.unwrap();
    s.room.set_status(RoomStatus::Paused).await.unwrap();
    s.room.set_status(RoomStatus::Live).await.unwrap();
    s.room.set_status(RoomStatus::Ended).await.unwrap();
    let sessions = s.room.sessions(10).await.unwrap();
    assert_eq!(sessions.len(), 1, "a pause and a restart are the same stream");
    assert!(sessions[0].ended_at.is_some());
    assert_eq!((sessions[0].messages, sessions[0].likes), (2, 4), "counted across the restart");
    assert!(sessions[0].peak_online >= 1, "peak online: {}", sessions[0].peak_online);

    s.room.set_status(RoomStatus::Upcoming).await.unwrap();
    s.room.set_status(RoomStatus::Live).await.unwrap();
    let sessions = s.room.sessions(10).await.unwrap();
    assert_eq!(sessions.iter().map(|x| x.id).collect::<Vec<_>>(), [2, 1], "a new stream, newest first");
    assert_eq!(sessions[0].ended_at, None);
    let card = s.room.user_card("fan_5").await.unwrap();
    assert_eq!((card.messages, card.stream_messages), (2, 0), "nothing said in the new stream yet");
}

#[tokio::test]
async fn a_notice_changed_outside_anchordesk_reaches_the_console() {
    let s = Stack::start(Switches::none()).await;
    let g = s.group();
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    let change = im::api::ModifyGroupBaseInfo {
        notification: Some("Changed in Tencent's console".into()),
        name: Some("Renamed room".into()),
        ..Default::default()
    };
    s.im.group(&g).modify(change).await.unwrap();
    next(&mut rx, |e| matches!(e, RoomEvent::Notice { notice, .. } if notice == "Changed in Tencent's console")).await;
    next(&mut rx, |e| matches!(e, RoomEvent::Renamed { name } if name == "Renamed room")).await;
    let audit = s.room.audit(AuditQuery { action: Some(AuditAction::Notice), ..Default::default() }).await.unwrap();
    assert_eq!(audit[0].reason, "changed outside AnchorDesk");
}

#[tokio::test]
async fn a_status_change_that_fails_half_way_is_retried_across_a_restart_until_tencent_has_it() {
    use sandbox::{FaultKind, Faults};
    let mut s = Stack::start(Switches::none()).await;
    let g = s.group();
    let im = s.im.clone();
    let field =
        || async { im.group(&g).info().await.unwrap().app_defined(room::actor::STATUS_FIELD).map(str::to_string) };
    let fail =
        |command: &str| Some(Faults { kind: FaultKind::Code(10004), rate: 1.0, command: Some(command.to_string()) });

    // The field cannot be written: the room is live here at once, and says Tencent does not know yet.
    s.sandbox.set_faults(fail("modify_group_base_info"));
    let (_, mut rx) = s.room.subscribe().await.unwrap();
    s.room.set_status(RoomStatus::Live).await.expect("the change is the room's even while Tencent refuses");
    let RoomEvent::StatusSync(sync) = next(&mut rx, |e| matches!(e, RoomEvent::StatusSync(_))).await else {
        unreachable!()
    };
    assert_eq!((sync.status, sync.synced), (RoomStatus::Live, false));
    assert!(sync.error.as_deref().is_some_and(|e| e.contains("group profile")), "{:?}", sync.error);
    assert_eq!(field().await.as_deref(), Some("upcoming"));

    // A restart meanwhile: the profile still says upcoming, but the change not yet made is not lost.
    s.restart().await;
    let (after, mut rx) = s.room.subscribe().await.unwrap();
    assert_eq!(after.status, RoomStatus::Live, "the pending change wins over the stale profile");
    assert!(after.status_sync.is_some_and(|x| !x.synced));

    // Half-way: the field can be written now, the announcement cannot.
    let mut deliveries = s.sandbox.deliveries();
    s.sandbox.set_faults(fail("send_group_msg"));
    support::until(5, "the field is written on a retry", || async { field().await.as_deref() == Some("live") }).await;
    let (still, _) = s.room.subscribe().await.unwrap();
    assert!(still.status_sync.is_some(), "not done while the announcement is missing");

    s.sandbox.set_faults(None);
    next(&mut rx, |e| matches!(e, RoomEvent::StatusSync(x) if x.synced && x.status == RoomStatus::Live)).await;
    let announced = support::next_delivered(&mut deliveries, |m, p| match m {
        room::message::RoomMessage::Status { status, .. } => Some((status, p)),
        _ => None,
    })
    .await;
    assert_eq!(announced, (RoomStatus::Live, MsgPriority::High), "and the announcement went out");
    let (done, _) = s.room.subscribe().await.unwrap();
    assert_eq!(done.status_sync, None);
}
