//! The hub as a shared, authenticated room service: the owner (the API token) invites moderators and
//! viewers, each with their own token; the hub checks every command against the caller's role, audits
//! refusals and actions under the person's name, closes a revoked person's event stream at once, and
//! throttles bad tokens and busy people. Real HTTP and WebSocket connections on 127.0.0.1, against the
//! sandbox.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use room::event::AuditAction;
use room::{EventEnvelope, RoomEvent};
use sandbox::Switches;
use serde_json::{json, Value};
use server::access::Limits;
use support::api::{assert_error, connect_events, room_url, Ws};
use support::stack::{Stack, API_TOKEN};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(5);

/// Calls the API as the holder of `token`: the status and the JSON body (`null` if none).
async fn call(s: &Stack, token: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    support::api::call(&format!("{}{path}", room_url(s)), token, method, body).await
}

/// Redeems an invite code (no bearer token).
async fn redeem(s: &Stack, code: &str) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!("http://{}/api/v1/invites/redeem", s.hub_addr))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("the hub answers");
    let status = resp.status();
    (status, serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null))
}

/// The owner invites `name` as `role`; the code.
async fn invite(s: &Stack, role: &str, name: &str) -> String {
    let body = json!({"role": role, "name": name, "validForSecs": 600});
    let (status, invite) = call(s, API_TOKEN, Method::POST, "/invites", Some(body)).await;
    assert_eq!(status, 200, "the owner may invite: {invite}");
    assert!(invite["link"].as_str().unwrap().contains(invite["code"].as_str().unwrap()), "the link carries the code");
    invite["code"].as_str().unwrap().to_string()
}

/// Invites and redeems: the person's token and ID.
async fn join(s: &Stack, role: &str, name: &str) -> (String, u64) {
    let code = invite(s, role, name).await;
    let (status, joined) = redeem(s, &code).await;
    assert_eq!(status, 201, "a fresh invite is redeemed: {joined}");
    assert_eq!((joined["role"].as_str(), joined["name"].as_str()), (Some(role), Some(name)));
    (joined["token"].as_str().unwrap().to_string(), joined["personId"].as_u64().unwrap())
}

/// A console on the event stream, with the events it has read but not yet looked for.
struct Console {
    ws: Ws,
    unread: Vec<RoomEvent>,
}

async fn console(s: &Stack, token: &str) -> Console {
    Console { ws: connect(s, token).await, unread: Vec::new() }
}

async fn connect(s: &Stack, token: &str) -> Ws {
    connect_events(s, token, "").await
}

/// The first event satisfying `want` (read already, or read from the stream).
async fn until(c: &mut Console, want: impl Fn(&RoomEvent) -> bool) -> RoomEvent {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(i) = c.unread.iter().position(&want) {
                return c.unread.remove(i);
            }
            let Message::Text(text) = c.ws.next().await.expect("open").expect("a frame") else { continue };
            let frame: Value = serde_json::from_str(text.as_str()).unwrap();
            if frame["type"] == "events" {
                let batch: Vec<EventEnvelope> = serde_json::from_value(frame["events"].clone()).unwrap();
                c.unread.extend(batch.into_iter().map(|e| e.event));
            }
        }
    })
    .await
    .expect("the event within 5 s")
}

#[tokio::test]
async fn a_moderators_mute_reaches_every_console_under_their_name_and_owner_routes_are_refused_and_audited() {
    let s = Stack::start(Switches::all()).await;
    let (alice, _) = join(&s, "moderator", "mod_alice").await;
    let mut owner_console = console(&s, API_TOKEN).await;
    let mut alice_console = console(&s, &alice).await;
    let _viewer = s.viewer("u1").await;

    let mute = json!({"type": "mute", "userId": "u1", "seconds": 60, "reason": "spam"});
    let (status, body) = call(&s, &alice, Method::POST, "/moderation", Some(mute)).await;
    assert_eq!(status, 204, "a moderator may mute: {body}");
    for ws in [&mut owner_console, &mut alice_console] {
        until(ws, |e| matches!(e, RoomEvent::UserMuted { user_id, .. } if user_id == "u1")).await;
        let line = until(ws, |e| matches!(e, RoomEvent::Audit(l) if l.action == AuditAction::Mute)).await;
        let RoomEvent::Audit(line) = line else { unreachable!() };
        assert_eq!(line.actor, "mod_alice", "every console sees who muted");
    }
    let lottery = call(&s, &alice, Method::POST, "/lottery/open", Some(json!({"keyword": "666"}))).await;
    assert_eq!(lottery.0, 204, "the lottery is a moderator's: {}", lottery.1);

    let owner_only = [
        (Method::POST, "/status", Some(json!({"status": "live"})), "status"),
        (Method::GET, "/stream", None, "stream desk"),
        (Method::POST, "/stream/renew", Some(json!({})), "stream desk"),
        (Method::PUT, "/notice", Some(json!({"notice": "hi"})), "notice"),
        (Method::POST, "/broadcast", Some(json!({"text": "hi"})), "broadcast"),
        (Method::PUT, "/strikes", Some(json!({})), "strike ladder"),
        (Method::POST, "/invites", Some(json!({"role": "moderator", "name": "mod_eve"})), "people"),
        (Method::GET, "/people", None, "people"),
        (Method::DELETE, "/people/1", None, "people"),
    ];
    let refusals = owner_only.len();
    for (method, path, body, what) in owner_only {
        let got = call(&s, &alice, method.clone(), path, body).await;
        assert_error(&got, 403, "forbidden", "a moderator may not");
        assert!(got.1["message"].as_str().unwrap().contains(what), "{method} {path}: {}", got.1);
    }
    let (_, lines) = call(&s, API_TOKEN, Method::GET, "/audit?action=refused&limit=100", None).await;
    let lines = lines.as_array().expect("the audit log");
    assert_eq!(lines.len(), refusals, "every refusal is audited: {lines:?}");
    assert!(lines.iter().all(|l| l["actor"] == "mod_alice"), "under the moderator's name");
    assert!(lines.iter().any(|l| l["target"] == "POST /rooms/{room}/status"), "naming what was refused: {lines:?}");
    let (_, snapshot) = call(&s, &alice, Method::GET, "", None).await;
    let text = snapshot.to_string();
    assert!(!text.contains(API_TOKEN) && !text.contains(s.sandbox.secret_key().expose()), "no secrets in a snapshot");
}

#[tokio::test]
async fn a_viewer_reads_the_room_and_its_events_but_every_command_is_refused() {
    let s = Stack::start(Switches::all()).await;
    let (bo, _) = join(&s, "viewer", "prod_bo").await;
    let (status, snapshot) = call(&s, &bo, Method::GET, "", None).await;
    assert_eq!((status.as_u16(), snapshot["groupId"].as_str()), (200, Some(s.group().as_str())));
    for path in ["/audit", "/words", "/strikes", "/sessions", "/users/u1"] {
        assert_eq!(call(&s, &bo, Method::GET, path, None).await.0, 200, "a viewer reads {path}");
    }
    let mut ws = console(&s, &bo).await;
    let commands = [
        (Method::POST, "/moderation", json!({"type": "mute", "userId": "u1", "seconds": 60})),
        (Method::POST, "/held/1", json!({"approve": true})),
        (Method::PUT, "/words", json!([])),
        (Method::PUT, "/users/u1/note", json!({"note": "hi"})),
        (Method::POST, "/lottery/open", json!({"keyword": "x"})),
        (Method::POST, "/audit/1/undo", json!({})),
        (Method::POST, "/gifts", json!({})),
        (Method::POST, "/status", json!({"status": "live"})),
    ];
    for (method, path, body) in commands {
        assert_error(&call(&s, &bo, method, path, Some(body)).await, 403, "forbidden", "a viewer may not");
    }
    let refusal = until(&mut ws, |e| matches!(e, RoomEvent::Audit(l) if l.action == AuditAction::Refused)).await;
    assert!(matches!(refusal, RoomEvent::Audit(l) if l.actor == "prod_bo"), "the viewer's console sees it too");
    assert!(!muted(&s, "u1").await, "nothing reached Tencent");
}

async fn muted(s: &Stack, user: &str) -> bool {
    s.im.group(s.group()).muted_accounts().await.unwrap().iter().any(|m| m.member_account == user)
}

#[tokio::test]
async fn revoking_closes_the_persons_console_at_once_and_their_token_and_invites_do_not_work_again() {
    let s = Stack::start(Switches::all()).await;
    let code = invite(&s, "moderator", "mod_carl").await;
    let (status, joined) = redeem(&s, &code).await;
    assert_eq!(status, 201, "{joined}");
    let (carl, id) = (joined["token"].as_str().unwrap().to_string(), joined["personId"].as_u64().unwrap());
    assert_error(&redeem(&s, &code).await, 410, "forbidden", "already been used");

    let mut ws = connect(&s, &carl).await;
    let first = tokio::time::timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap();
    assert!(matches!(first, Message::Text(_)), "the console is fed");
    let (_, people) = call(&s, API_TOKEN, Method::GET, "/people", None).await;
    assert_eq!(people[0]["name"], "mod_carl");
    assert_eq!(people[0]["connected"], 1, "the owner sees carl's console: {people}");
    assert!(!people.to_string().contains(&carl) && people[0].get("tokenHash").is_none(), "never a token");

    let (status, person) = call(&s, API_TOKEN, Method::DELETE, &format!("/people/{id}"), None).await;
    assert_eq!((status.as_u16(), &person["revoked"]), (200, &json!(true)), "{person}");
    let closed = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                other => panic!("the hub closes with a frame, not {other:?}"),
            }
        }
    })
    .await
    .expect("the console is closed at once");
    let frame = closed.expect("with a reason");
    assert_eq!((frame.code, frame.reason.as_str()), (CloseCode::Policy, "access revoked"));
    assert_error(&call(&s, &carl, Method::GET, "", None).await, 401, "forbidden", "revoked");

    let (_, lines) = call(&s, API_TOKEN, Method::GET, "/audit?action=revoke", None).await;
    assert_eq!((&lines[0]["actor"], &lines[0]["target"]), (&json!("owner"), &json!("mod_carl")), "{lines}");

    // Tokens are kept across a restart of the hub; a revoked one stays revoked.
    let (dana, _) = join(&s, "viewer", "prod_dana").await;
    let mut s = s;
    s.restart().await;
    assert_eq!(call(&s, &dana, Method::GET, "", None).await.0, 200, "a token survives a restart");
    assert_eq!(call(&s, &carl, Method::GET, "", None).await.0, 401, "and a revocation does too");
}

#[tokio::test]
async fn forged_tokens_and_codes_are_refused_and_an_address_that_keeps_trying_is_throttled() {
    let limits = Limits { failures: 3, failure_window: Duration::from_secs(60), ..Limits::default() };
    let s = Stack::start_limited(|sb| sb.switches = Switches::all(), limits).await;
    let (eve, _) = join(&s, "moderator", "mod_eve").await;
    let forged = format!("adp_{}", "A".repeat(43));
    assert_error(&call(&s, &forged, Method::GET, "", None).await, 401, "forbidden", "bearer token");
    assert_error(&call(&s, &eve[..eve.len() - 1], Method::GET, "", None).await, 401, "forbidden", "bearer token");
    assert_error(&redeem(&s, "not-a-code").await, 401, "forbidden", "not known");

    let resp = reqwest::Client::new().get(room_url(&s)).bearer_auth(API_TOKEN).send().await.unwrap();
    assert_eq!(resp.status(), 429, "after 3 failures the address is refused, even with a good token");
    let wait: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "and told when to try again: {wait}");
    assert_error(&redeem(&s, "another").await, 429, "rateLimited", "failed logins");
}

#[tokio::test]
async fn a_person_making_requests_too_fast_is_slowed_down_without_affecting_others() {
    let limits = Limits { per_second: 1, burst: 3, ..Limits::default() };
    let s = Stack::start_limited(|sb| sb.switches = Switches::all(), limits).await;
    let (fay, _) = join(&s, "viewer", "prod_fay").await;
    for _ in 0..3 {
        assert_eq!(call(&s, &fay, Method::GET, "", None).await.0, 200, "within the burst");
    }
    let got = call(&s, &fay, Method::GET, "", None).await;
    assert_error(&got, 429, "rateLimited", "prod_fay is making requests too fast");
    assert_eq!(call(&s, API_TOKEN, Method::GET, "", None).await.0, 200, "others keep their own allowance");
}

/// Every event a console reads from its stream, in order, gathered in the background.
fn record(mut ws: Ws) -> std::sync::Arc<std::sync::Mutex<Vec<EventEnvelope>>> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = ws.next().await {
            let Message::Text(text) = frame else { continue };
            let frame: Value = serde_json::from_str(text.as_str()).unwrap();
            if frame["type"] == "events" {
                let batch: Vec<EventEnvelope> = serde_json::from_value(frame["events"].clone()).unwrap();
                log.lock().unwrap().extend(batch);
            }
        }
    });
    seen
}

/// The mute Tencent (the sandbox's REST API) holds for `user`, if any: until when.
async fn mute_on_tencent(s: &Stack, user: &str) -> Option<u64> {
    let muted = s.im.group(s.group()).muted_accounts().await.unwrap();
    muted.iter().find(|m| m.member_account == user).map(|m| m.muted_until)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_moderators_acting_on_one_viewer_at_once_leave_tencent_as_the_last_audited_action_says() {
    let s = Stack::start(Switches::all()).await;
    let (alice, _) = join(&s, "moderator", "mod_alice").await;
    let (bob, _) = join(&s, "moderator", "mod_bob").await;
    let consoles =
        [record(connect(&s, API_TOKEN).await), record(connect(&s, &alice).await), record(connect(&s, &bob).await)];
    let _u1 = s.viewer("u1").await;
    // Tencent answers unevenly, as over the internet: half the room's messages (the mute notices sent
    // after each mute) take 40 ms longer, so the two calls finish in either order.
    s.sandbox.set_faults(Some(sandbox::Faults {
        kind: sandbox::FaultKind::Latency(Duration::from_millis(40)),
        rate: 0.5,
        command: Some("send_group_msg".into()),
    }));

    const ROUNDS: usize = 24;
    let mut last_ids = Vec::new();
    for round in 0..ROUNDS {
        // Alice mutes for 10 minutes while Bob mutes for one (or lifts the mute, every third round).
        let a = json!({"type": "mute", "userId": "u1", "seconds": 600, "reason": format!("r{round} alice")});
        let b = if round % 3 == 2 {
            json!({"type": "unmute", "userId": "u1", "reason": format!("r{round} bob")})
        } else {
            json!({"type": "mute", "userId": "u1", "seconds": 60, "reason": format!("r{round} bob")})
        };
        let (ra, rb) = tokio::join!(
            call(&s, &alice, Method::POST, "/moderation", Some(a)),
            call(&s, &bob, Method::POST, "/moderation", Some(b)),
        );
        assert_eq!((ra.0.as_u16(), rb.0.as_u16()), (204, 204), "both are done: {} {}", ra.1, rb.1);

        // Both are in the audit log, each under its actor's name; the newer one is the last word.
        let (_, lines) = call(&s, API_TOKEN, Method::GET, "/audit?target=u1&limit=2", None).await;
        let lines = lines.as_array().expect("the audit log").clone();
        let mut actors: Vec<(&str, &str)> =
            lines.iter().map(|l| (l["actor"].as_str().unwrap(), l["reason"].as_str().unwrap())).collect();
        actors.sort();
        let (want_a, want_b) = (format!("r{round} alice"), format!("r{round} bob"));
        assert_eq!(actors, [("mod_alice", want_a.as_str()), ("mod_bob", want_b.as_str())], "round {round}");
        let last = &lines[0];
        last_ids.push(last["id"].as_u64().unwrap());

        // Tencent holds what the last audited action says, and so does the room.
        let now = im::clock::now_secs();
        let on_tencent = mute_on_tencent(&s, "u1").await;
        let (_, snapshot) = call(&s, &bob, Method::GET, "", None).await;
        let in_room = snapshot["muted"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["userId"] == "u1")
            .map(|m| m["until"].as_u64().unwrap());
        let said =
            format!("round {round}: the last audited is {last}; Tencent has {on_tencent:?}, the room {in_room:?}");
        match (last["action"].as_str().unwrap(), last["duration"].as_u64()) {
            ("unmute", _) => assert!(on_tencent.is_none() && in_room.is_none(), "{said}"),
            ("mute", Some(secs)) => {
                let until = on_tencent.unwrap_or_else(|| panic!("{said}"));
                assert!((now + secs - 3..=now + secs + 1).contains(&until), "{said}");
                assert!(in_room.is_some_and(|r| r.abs_diff(until) <= 1), "{said}");
            }
            _ => panic!("{said}"),
        }
    }
    s.sandbox.set_faults(None);

    // Every console saw the same events in the same order, ending with the last round's last word.
    let final_id = *last_ids.last().unwrap();
    let audited =
        |log: &[EventEnvelope]| log.iter().any(|e| matches!(&e.event, RoomEvent::Audit(l) if l.id == final_id));
    support::until(10, "every console has seen the last round", || async {
        consoles.iter().all(|c| audited(&c.lock().unwrap()))
    })
    .await;
    let about_u1 = |log: &[EventEnvelope]| -> Vec<(u64, String)> {
        log.iter()
            .filter(|e| match &e.event {
                RoomEvent::Audit(l) => l.target == "u1" && l.id <= final_id,
                RoomEvent::UserMuted { user_id, .. } => user_id == "u1",
                _ => false,
            })
            .map(|e| (e.seq, serde_json::to_string(&e.event).unwrap()))
            .collect()
    };
    let owner_saw = about_u1(&consoles[0].lock().unwrap());
    assert_eq!(owner_saw.iter().filter(|(_, e)| e.contains("\"audit\"")).count(), 2 * ROUNDS, "every action");
    for (who, c) in ["mod_alice", "mod_bob"].iter().zip(&consoles[1..]) {
        let saw = about_u1(&c.lock().unwrap());
        assert_eq!(saw, owner_saw, "{who}'s console saw what the owner's saw, in the same order");
    }
}

#[tokio::test]
async fn one_person_holds_only_so_many_event_streams_and_a_closed_one_frees_its_place() {
    let limits = Limits { streams: 2, ..Limits::default() };
    let s = Stack::start_limited(|sb| sb.switches = Switches::all(), limits).await;
    let (gus, _) = join(&s, "moderator", "mod_gus").await;
    let (first, _second) = (connect(&s, &gus).await, connect(&s, &gus).await);

    let url = format!("{}/events", room_url(&s).replacen("http://", "ws://", 1));
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
    req.headers_mut().insert("authorization", format!("Bearer {gus}").parse().unwrap());
    let refused = tokio_tungstenite::connect_async(req.clone()).await.expect_err("a third stream is refused");
    let tokio_tungstenite::tungstenite::Error::Http(resp) = refused else { panic!("an HTTP refusal: {refused:?}") };
    assert_eq!(resp.status(), 429, "too many");
    assert!(resp.headers().contains_key("retry-after"), "with when to try again");
    let body = String::from_utf8(resp.body().clone().unwrap_or_default()).unwrap();
    assert!(body.contains("mod_gus has too many event streams open"), "{body}");
    let _owners = connect(&s, API_TOKEN).await; // others keep their own allowance

    drop(first);
    support::until(5, "the closed stream frees its place", || async {
        tokio_tungstenite::connect_async(req.clone()).await.is_ok()
    })
    .await;
}
