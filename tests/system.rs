//! Whole-system tests: the sandbox (standing in for Tencent IM), the hub and the room, wired exactly as
//! the desktop console wires them, talking over real HTTP on 127.0.0.1. Viewers act through the
//! sandbox's client SDK; the console's view is the room's event stream.

use std::time::Duration;

mod support;

use im::MsgPriority;
use room::message::RoomMessage;
use room::{EventEnvelope, RoomEvent, RoomStatus};
use sandbox::{AudienceConfig, Viewer};
use server::{ImBackend, Session, SessionConfig};
use tokio::sync::broadcast::Receiver;

fn config(dir: &std::path::Path, audience: Option<AudienceConfig>) -> SessionConfig {
    SessionConfig {
        backend: ImBackend::Sandbox { listen: "127.0.0.1:0".parse().unwrap(), audience },
        data_dir: dir.to_path_buf(),
        hub_listen: "127.0.0.1:0".parse().unwrap(),
        public_url: None,
        tls: None,
        callback_token: None,
        api_token: None,
        fail_open: true,
        room_name: "System test room".into(),
        stream: server::session::StreamConfig {
            auto_pause: true,
            poll: Some(Duration::from_millis(300)),
            ..Default::default()
        },
    }
}

async fn quiet_session(dir: &std::path::Path) -> Session {
    Session::start(config(dir, None)).await.expect("the session starts on the sandbox")
}

/// Waits for the first event matching `want`, failing the test after 5 s.
async fn next_matching(rx: &mut Receiver<EventEnvelope>, want: impl Fn(&RoomEvent) -> bool) -> EventEnvelope {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let e = rx.recv().await.expect("the room keeps its event stream open");
            if want(&e.event) {
                return e;
            }
        }
    })
    .await
    .expect("the expected event arrived within 5 s")
}

async fn joined(session: &Session, user: &str) -> Viewer {
    let viewer = session.sandbox.as_ref().unwrap().viewer(user);
    viewer.join(session.room.group_id()).await.expect("a new viewer may join");
    viewer
}

#[tokio::test]
async fn audience_messages_arrive_as_room_events_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let session = quiet_session(dir.path()).await;
    let (snapshot, mut rx) = session.room.subscribe().await.unwrap();
    assert_eq!(snapshot.status, RoomStatus::Upcoming, "a new room starts upcoming");
    let group = session.room.group_id().to_string();

    let mei = joined(&session, "mei_01").await;
    let joined_event = next_matching(&mut rx, |e| matches!(e, RoomEvent::MemberJoined(_))).await;
    assert!(matches!(joined_event.event, RoomEvent::MemberJoined(ref m) if m.user_id == "mei_01"));

    let texts = ["大家好", "안녕하세요", "こんにちは", "hello", "one more"];
    for t in texts {
        mei.send_text(&group, t).await.expect("an unmuted member may speak");
    }
    let mut seen = Vec::new();
    let mut last_seq = joined_event.seq;
    while seen.len() < texts.len() {
        let e = next_matching(&mut rx, |e| matches!(e, RoomEvent::Chat(_))).await;
        assert!(e.seq > last_seq, "sequence numbers only grow");
        last_seq = e.seq;
        let RoomEvent::Chat(line) = e.event else { unreachable!() };
        assert_eq!(line.user_id, "mei_01");
        seen.push(line.text);
    }
    assert_eq!(seen, texts, "the console sees the messages in the order they were sent");
    session.shutdown();
}

#[tokio::test]
async fn likes_are_counted_and_gifts_reach_the_gift_feed() {
    let dir = tempfile::tempdir().unwrap();
    let session = quiet_session(dir.path()).await;
    let (_, mut rx) = session.room.subscribe().await.unwrap();
    let group = session.room.group_id().to_string();
    let fan = joined(&session, "fan_7").await;
    for n in [3, 4] {
        fan.send(&group, RoomMessage::like(n).to_body(), MsgPriority::Low).await.unwrap();
    }
    let likes = next_matching(&mut rx, |e| matches!(e, RoomEvent::Likes { total: 7 })).await;
    assert!(likes.seq > 0);
    let gift = RoomMessage::gift("rocket", "Rocket", 10, 500);
    fan.send(&group, gift.to_body(), gift.priority()).await.unwrap();
    let e = next_matching(&mut rx, |e| matches!(e, RoomEvent::Gift(_))).await;
    let RoomEvent::Gift(g) = e.event else { unreachable!() };
    assert_eq!((g.user_id.as_str(), g.gift_id.as_str(), g.count, g.unit_price), ("fan_7", "rocket", 10, 500));
    session.shutdown();
}

#[tokio::test]
async fn a_muted_users_next_message_is_refused_until_unmuted() {
    let dir = tempfile::tempdir().unwrap();
    let session = quiet_session(dir.path()).await;
    let (_, mut rx) = session.room.subscribe().await.unwrap();
    let group = session.room.group_id().to_string();
    let loud = joined(&session, "loud_1").await;
    let mut deliveries = session.sandbox.as_ref().unwrap().deliveries();

    session.room.mute("loud_1", 600).await.expect("the admin may mute");
    let e = next_matching(&mut rx, |e| matches!(e, RoomEvent::UserMuted { .. })).await;
    assert!(matches!(e.event, RoomEvent::UserMuted { ref user_id, until: Some(_) } if user_id == "loud_1"));

    let refused = loud.send_text(&group, "can you hear me?").await.unwrap_err();
    assert_eq!(refused.code, 10017, "Tencent refuses a muted sender with 10017");
    let muted = session.im.group(&group).muted_accounts().await.unwrap();
    assert!(muted.iter().any(|m| m.member_account == "loud_1"), "the mute is Tencent's, not only the console's");

    // Clients were told to disable the user's input box, with a High-priority custom message.
    let notice = support::next_delivered(&mut deliveries, |m, p| match m {
        RoomMessage::Mute { user_id, .. } => Some((user_id, p)),
        _ => None,
    })
    .await;
    assert_eq!(notice, ("loud_1".to_string(), MsgPriority::High));

    session.room.mute("loud_1", 0).await.expect("0 seconds unmutes");
    loud.send_text(&group, "back again").await.expect("an unmuted user may speak again");
    session.shutdown();
}

#[tokio::test]
async fn a_kicked_user_is_told_to_leave_and_their_rejoin_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let session = quiet_session(dir.path()).await;
    let (_, mut rx) = session.room.subscribe().await.unwrap();
    let group = session.room.group_id().to_string();
    let troll = joined(&session, "troll_9").await;
    let mut deliveries = session.sandbox.as_ref().unwrap().deliveries();

    session.room.kick("troll_9").await.expect("the admin may kick");
    next_matching(&mut rx, |e| matches!(e, RoomEvent::UserKicked { user_id } if user_id == "troll_9")).await;
    let kick = support::next_delivered(&mut deliveries, |m, p| match m {
        RoomMessage::Kick { user_ids, .. } => Some((user_ids, p)),
        _ => None,
    })
    .await;
    assert_eq!(kick, (vec!["troll_9".to_string()], MsgPriority::High));

    // The client obeys and leaves; its attempt to come back is refused by the hub's before-join answer.
    troll.leave(&group).await.unwrap();
    let refused = troll.join(&group).await.unwrap_err();
    assert_eq!(refused.code, room::actor::KICKED_JOIN_CODE, "refused with the hub's custom code: {refused}");
    next_matching(&mut rx, |e| matches!(e, RoomEvent::JoinRefused { user_id } if user_id == "troll_9")).await;
    assert!(joined(&session, "nice_2").await.user_id() == "nice_2", "others may still join");
    session.shutdown();
}

#[tokio::test]
async fn a_status_change_is_written_to_the_group_and_announced_with_high_priority() {
    let dir = tempfile::tempdir().unwrap();
    let session = quiet_session(dir.path()).await;
    let (_, mut rx) = session.room.subscribe().await.unwrap();
    let mut deliveries = session.sandbox.as_ref().unwrap().deliveries();

    let refused = session.room.set_status(RoomStatus::Paused).await.unwrap_err();
    assert!(refused.to_string().contains("live"), "the error says what is allowed: {refused}");

    session.room.set_status(RoomStatus::Live).await.unwrap();
    next_matching(&mut rx, |e| matches!(e, RoomEvent::Status { status: RoomStatus::Live })).await;
    let info = session.im.group(session.room.group_id()).info().await.unwrap();
    assert_eq!(
        info.app_defined(room::actor::STATUS_FIELD),
        Some("live"),
        "anyone entering reads the state from the profile"
    );
    // Other room messages (the online count) may come first; the announcement must come.
    let announced = support::next_delivered(&mut deliveries, |m, p| match m {
        RoomMessage::Status { status, .. } => Some((status, p)),
        _ => None,
    })
    .await;
    assert_eq!(announced, (RoomStatus::Live, MsgPriority::High));
    session.shutdown();
}

#[tokio::test]
async fn the_room_is_created_once_and_reused_after_a_restart_with_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let first = quiet_session(dir.path()).await;
    let group = first.room.group_id().to_string();
    first.room.set_status(RoomStatus::Live).await.unwrap();
    first.room.kick("spammer_1").await.unwrap();
    first.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let second = quiet_session(dir.path()).await;
    assert_eq!(second.room.group_id(), group, "the same room, not a new one");
    let (snapshot, _) = second.room.subscribe().await.unwrap();
    assert_eq!(snapshot.status, RoomStatus::Live);
    assert_eq!(snapshot.blocked, vec!["spammer_1".to_string()], "the blocklist survives a restart");
    second.shutdown();
}

#[tokio::test]
async fn the_seeded_audience_fills_the_room_with_chat_in_four_languages() {
    let dir = tempfile::tempdir().unwrap();
    let audience = AudienceConfig { seed: 11, target_online: 30, pace: Duration::from_millis(10) };
    let session = Session::start(config(dir.path(), Some(audience))).await.unwrap();
    let (_, mut rx) = session.room.subscribe().await.unwrap();
    let mut chat = Vec::new();
    let mut members = 0;
    while chat.len() < 40 {
        match next_matching(&mut rx, |e| matches!(e, RoomEvent::Chat(_) | RoomEvent::MemberJoined(_))).await.event {
            RoomEvent::Chat(line) => chat.push(line.text),
            _ => members += 1,
        }
    }
    assert!(members > 0, "viewers joined before speaking");
    let has = |f: fn(char) -> bool| chat.iter().any(|t| t.chars().any(f));
    assert!(
        has(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
            || has(|c| ('\u{3040}'..='\u{30FF}').contains(&c))
            || has(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
        "CJK chat flows: {chat:?}"
    );
    session.shutdown();
}

#[tokio::test]
async fn the_hub_refuses_callbacks_that_are_not_from_its_app_or_not_signed() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), None);
    cfg.callback_token = Some(im::Secret::new("tok-123"));
    let session = Session::start(cfg).await.unwrap();
    let url = format!("{}/im/callback", session.info.hub_url);
    let body = serde_json::json!({"CallbackCommand": "Group.CallbackBeforeApplyJoinGroup", "GroupId": session.room.group_id(),
        "Type": "AVChatRoom", "Requestor_Account": "x", "EventTime": 1});
    let http = reqwest::Client::new();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let post = |sdkappid: u64, sign: String, time: u64, body: String| {
        http.post(&url)
            .query(&[
                ("SdkAppid", sdkappid.to_string()),
                ("CallbackCommand", "Group.CallbackBeforeApplyJoinGroup".into()),
                ("contenttype", "json".into()),
                ("ClientIP", "1.2.3.4".into()),
                ("OptPlatform", "Web".into()),
                ("Sign", sign),
                ("RequestTime", time.to_string()),
            ])
            .body(body)
            .send()
    };
    let app = session.info.sdk_app_id;
    let good = im::sign::callback_sign("tok-123", now);
    let ok = post(app, good.clone(), now, body.to_string()).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<serde_json::Value>().await.unwrap()["ErrorCode"], 0);
    assert_eq!(
        post(app + 1, good.clone(), now, body.to_string()).await.unwrap().status(),
        403,
        "another app's callback"
    );
    assert_eq!(
        post(app, im::sign::callback_sign("wrong", now), now, body.to_string()).await.unwrap().status(),
        401,
        "forged Sign"
    );
    let old = now - 120;
    assert_eq!(
        post(app, im::sign::callback_sign("tok-123", old), old, body.to_string()).await.unwrap().status(),
        401,
        "replayed"
    );
    assert_eq!(post(app, good, now, "{not json".into()).await.unwrap().status(), 400, "garbage body");
    session.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_live_configures_obs_starts_it_waits_for_the_ingest_then_calls_the_room_live() {
    support::ffmpeg_required();
    let dir = tempfile::tempdir().unwrap();
    let session = quiet_session(dir.path()).await;
    let desk = session.stream.clone().expect("the sandbox session has a stream desk");
    let sb = session.sandbox.clone().unwrap();
    let (_, mut rx) = session.room.subscribe().await.unwrap();

    let address = desk.address().unwrap();
    assert_eq!(address.server, sb.rtmp_url(), "OBS's server is the ingest's, up to the AppName");
    assert!(address.stream_key.starts_with(&format!("{}?txSecret=", address.stream_name)));
    assert!(address.expires_at > im::clock::now_secs() + 23 * 3600, "valid for a day");
    assert!(!address.qr_png_base64.is_empty());

    desk.go_live("anchor").await.expect("the stream goes live end to end");
    let obs = session.fake_obs.clone().unwrap();
    let (service, settings) = obs.stream_service();
    assert_eq!((service.as_str(), settings["server"].as_str()), ("rtmp_custom", Some(address.server.as_str())));
    assert!(sb.live_stream("live", &address.stream_name).is_some(), "the ingest receives the real push");
    assert_eq!(session.room.status().await.unwrap(), RoomStatus::Live);
    let mut steps = Vec::new();
    while steps.last() != Some(&room::event::GoLiveStep::Live) {
        if let RoomEvent::GoLive(p) = next_matching(&mut rx, |e| matches!(e, RoomEvent::GoLive(_))).await.event {
            assert_ne!(p.state, room::event::StepState::Failed, "{p:?}");
            if p.state == room::event::StepState::Done {
                steps.push(p.step);
            }
        }
    }
    use room::event::GoLiveStep::*;
    assert_eq!(steps, [Address, Obs, Start, Ingest, Live], "every step, in order");
    let health = next_matching(&mut rx, |e| {
        matches!(e, RoomEvent::StreamHealth(h) if h.ingest.state == room::event::IngestState::Active
            && h.obs.as_ref().is_some_and(|o| o.live))
    })
    .await;
    let RoomEvent::StreamHealth(h) = health.event else { unreachable!() };
    assert_eq!(h.push_expires_at, Some(address.expires_at));

    // The ingest loses the stream: the room pauses; when it is back, the room is live again.
    let css = sb.css_credentials();
    let client = stream::css::CssClient::builder(css.secret_id.clone(), im::Secret::new(css.secret_key.clone()))
        .endpoint(css.endpoint.clone())
        .build()
        .unwrap();
    let handle = client.stream(&css.push_domain, "live", &address.stream_name);
    handle.drop_push().await.unwrap();
    let room = session.room.clone();
    support::until(15, "the room pauses when the ingest loses the stream", || async {
        room.status().await.unwrap() == RoomStatus::Paused
    })
    .await;
    desk.go_live("anchor").await.expect("going live again after the stream came back");
    assert_eq!(session.room.status().await.unwrap(), RoomStatus::Live);
    desk.stop("anchor", true).await.unwrap();
    assert_eq!(session.room.status().await.unwrap(), RoomStatus::Ended);
    session.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_live_fails_at_the_step_that_fails_with_a_reason_and_the_room_stays_as_it_was() {
    support::ffmpeg_required();
    let dir = tempfile::tempdir().unwrap();
    let session = quiet_session(dir.path()).await;
    let desk = session.stream.clone().unwrap();
    let sb = session.sandbox.clone().unwrap();
    let address = desk.address().unwrap();
    let css = sb.css_credentials();
    let client = stream::css::CssClient::builder(css.secret_id.clone(), im::Secret::new(css.secret_key.clone()))
        .endpoint(css.endpoint.clone())
        .build()
        .unwrap();
    client.stream(&css.push_domain, "live", &address.stream_name).forbid(None, Some("test")).await.unwrap();
    let (_, mut rx) = session.room.subscribe().await.unwrap();

    let e = desk.go_live("anchor").await.expect_err("a forbidden stream cannot go live");
    let failed =
        next_matching(&mut rx, |e| matches!(e, RoomEvent::GoLive(p) if p.state == room::event::StepState::Failed))
            .await;
    let RoomEvent::GoLive(p) = failed.event else { unreachable!() };
    assert!(matches!(p.step, room::event::GoLiveStep::Start | room::event::GoLiveStep::Ingest), "{p:?}");
    assert!(!p.message.is_empty() && e.to_string().contains(&p.message), "the reason is given: {e}");
    assert_eq!(session.room.status().await.unwrap(), RoomStatus::Upcoming, "the room was not called live");
    session.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_api_drives_the_stream_desk_for_scripts() {
    support::ffmpeg_required();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path(), None);
    c.api_token = Some(im::Secret::new("owner-token"));
    c.stream.play_domain = Some("play.example.com".into());
    c.stream.play_key = Some(im::Secret::new("play-key"));
    let session = Session::start(c).await.unwrap();
    let base =
        format!("http://{}/api/v1/rooms/{}/stream", session.hub_addr, session.room.group_id().replace('#', "%23"));
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        http.request(method, format!("{base}{path}")).bearer_auth("owner-token").json(&body).send()
    };
    let first: serde_json::Value =
        call(reqwest::Method::GET, "", serde_json::json!(null)).await.unwrap().json().await.unwrap();
    assert_eq!(first["key"], "primary");
    let flv = first["play"].as_array().unwrap().iter().find(|p| p["format"] == "flv").expect("an FLV play URL");
    let url = flv["url"].as_str().unwrap();
    assert!(url.starts_with("https://play.example.com/live/") && url.contains("txSecret="), "signed: {url}");
    let rotated = call(reqwest::Method::POST, "/renew", serde_json::json!({"rotate": true})).await.unwrap();
    let rotated: serde_json::Value = rotated.json().await.unwrap();
    assert_eq!(rotated["key"], "backup", "rotating switches to the backup key");
    assert_ne!(rotated["streamKey"], first["streamKey"]);
    let live = call(reqwest::Method::POST, "/go-live", serde_json::json!(null)).await.unwrap();
    assert_eq!(live.status(), 204, "{}", live.text().await.unwrap());
    assert_eq!(session.room.status().await.unwrap(), RoomStatus::Live, "pushed with the backup key's address");
    let stop = call(reqwest::Method::POST, "/stop", serde_json::json!({"end": true})).await.unwrap();
    assert_eq!(stop.status(), 204);
    assert_eq!(session.room.status().await.unwrap(), RoomStatus::Ended);
    let bad = call(reqwest::Method::POST, "/stop", serde_json::json!({"end": "yes"})).await.unwrap();
    assert_eq!(bad.status(), 400);
    session.shutdown();
}
