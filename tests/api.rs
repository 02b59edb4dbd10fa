//! The hub's console API, end to end: real HTTP and WebSocket connections on 127.0.0.1 to a hub whose
//! room runs against the sandbox. Commands must reach Tencent (the sandbox) and the audit log as
//! `owner` (the API token's holder); the event stream must be gapless, resumable from `(epoch, seq)`,
//! and re-synced by a snapshot when the room it resumes from is gone.

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use im::MsgPriority;
use reqwest::{Method, StatusCode};
use room::event::Feed;
use room::message::RoomMessage;
use room::{EventEnvelope, RoomEvent};
use sandbox::Switches;
use serde_json::{json, Value};
use support::api::{assert_error, call, connect_events, room_url, Ws};
use support::stack::{Stack, API_TOKEN};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(5);

/// An HTTP client for the console API with the right token.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    fn new(s: &Stack) -> Api {
        Api { http: reqwest::Client::new(), base: room_url(s) }
    }

    /// Calls `path` (relative to the room) and returns the status and the JSON body (`null` if none).
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        call(&format!("{}{path}", self.base), API_TOKEN, method, body).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// Sends a raw body with a content type.
    async fn send_raw(&self, method: Method, path: &str, kind: &str, body: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(API_TOKEN)
            .header("content-type", kind)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null))
    }
}

/// A remote console on the event stream, checking every frame as it applies it.
struct Console {
    ws: Ws,
    epoch: u64,
    /// The last sequence number applied.
    seq: u64,
    snapshots: usize,
    /// Every event received, in order.
    events: Vec<EventEnvelope>,
    /// The kind of the first frame: `snapshot` or `events`.
    first: Option<String>,
}

async fn connect(s: &Stack, from: Option<(u64, u64)>) -> Console {
    let query = from.map_or(String::new(), |(e, q)| format!("?epoch={e}&seq={q}"));
    let ws = connect_events(s, API_TOKEN, &query).await;
    Console { ws, epoch: 0, seq: 0, snapshots: 0, events: Vec::new(), first: None }
}

impl Console {
    /// The next message that is not a ping or pong.
    async fn message(&mut self) -> Message {
        tokio::time::timeout(WAIT, async {
            loop {
                match self.ws.next().await.expect("the stream is open").expect("a valid frame") {
                    Message::Ping(_) | Message::Pong(_) => continue,
                    m => return m,
                }
            }
        })
        .await
        .expect("a frame within 5 s")
    }

    /// Reads and applies one feed frame, checking it continues the sequence without a gap or a repeat.
    async fn frame(&mut self) -> Value {
        let msg = self.message().await;
        let Message::Text(text) = msg else { panic!("feed frames are JSON text, got {msg:?}") };
        let frame: Value = serde_json::from_str(text.as_str()).expect("a frame is JSON");
        let kind = frame["type"].as_str().expect("a frame has a type").to_string();
        self.first.get_or_insert(kind.clone());
        match kind.as_str() {
            "snapshot" => {
                let snap = &frame["snapshot"];
                self.epoch = snap["epoch"].as_u64().expect("the snapshot's epoch is a number");
                self.seq = snap["seq"].as_u64().expect("the snapshot's seq is a number");
                self.snapshots += 1;
            }
            "events" => {
                let batch: Vec<EventEnvelope> = serde_json::from_value(frame["events"].clone()).unwrap();
                assert!(!batch.is_empty(), "no empty batches");
                for e in batch {
                    assert_eq!(e.seq, self.seq + 1, "events continue the sequence with no gap and no repeat");
                    self.seq = e.seq;
                    self.events.push(e);
                }
            }
            other => panic!("unknown frame type {other}"),
        }
        frame
    }

    /// Applies frames until an event satisfying `want` arrives.
    async fn until(&mut self, want: impl Fn(&RoomEvent) -> bool) -> RoomEvent {
        let from = self.events.len();
        loop {
            if let Some(e) = self.events[from..].iter().find(|e| want(&e.event)) {
                return e.event.clone();
            }
            self.frame().await;
        }
    }

    /// Applies frames until the sequence reaches `seq`.
    async fn reach(&mut self, seq: u64) {
        while self.seq < seq {
            self.frame().await;
        }
    }
}

async fn muted(s: &Stack, user: &str) -> bool {
    s.im.group(s.group()).muted_accounts().await.unwrap().iter().any(|m| m.member_account == user)
}

#[tokio::test]
async fn every_route_wants_the_token_and_this_room_and_errors_are_code_and_message() {
    let s = Stack::start(Switches::all()).await;
    let http = reqwest::Client::new();
    let url = room_url(&s);
    let read = |r: reqwest::Response| async move {
        let status = r.status();
        (status, serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap_or(Value::Null))
    };

    for (method, path) in
        [(Method::GET, ""), (Method::POST, "/status"), (Method::GET, "/audit"), (Method::GET, "/events")]
    {
        let none = read(http.request(method.clone(), format!("{url}{path}")).send().await.unwrap()).await;
        assert_error(&none, 401, "forbidden", "bearer token");
        let wrong = http.request(method.clone(), format!("{url}{path}")).bearer_auth("not-the-token");
        assert_error(&read(wrong.send().await.unwrap()).await, 401, "forbidden", "bearer token");
    }
    let other = format!("http://{}/api/v1/rooms/%40TGS%23aOTHER/status", s.hub_addr);
    let gone = read(http.post(other).bearer_auth(API_TOKEN).json(&json!({"status": "live"})).send().await.unwrap());
    assert_error(&gone.await, 404, "roomGone", "no room \"@TGS#aOTHER\"");

    let api = Api::new(&s);
    assert_error(&api.get("/nowhere").await, 404, "invalid", "no such API route");
    assert_error(&api.post("/audit/abc/undo", json!({})).await, 400, "invalid", "abc");
    assert_error(&api.get("/events").await, 400, "invalid", "WebSocket");

    // A hub without a token has its API off, and says how to turn it on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hub = server::Hub {
        access: server::access::Access::in_memory(Default::default()),
        stream: None,
        config: server::HubConfig { sdkappid: s.sandbox.sdkappid(), callback_token: None, api_token: None, tls: false },
        room: s.room.clone(),
    };
    tokio::spawn(async move { axum::serve(listener, server::router(hub)).await.unwrap() });
    let off = format!("http://{addr}/api/v1/rooms/{}", s.group().replace('#', "%23"));
    let off = read(http.get(off).bearer_auth(API_TOKEN).send().await.unwrap()).await;
    assert_error(&off, 403, "forbidden", "ANCHORDESK_API_TOKEN");

    let (status, snapshot) = api.get("").await;
    assert_eq!(status, 200);
    assert_eq!(snapshot["groupId"], s.group(), "GET on the room is its snapshot");
}

#[tokio::test]
async fn a_mute_through_the_api_reaches_tencent_the_event_stream_and_the_audit_log_as_the_owner() {
    let s = Stack::start(Switches::all()).await;
    let api = Api::new(&s);
    let mut console = connect(&s, None).await;
    console.frame().await;
    let viewer = s.viewer("u1").await;

    let mute = json!({"type": "mute", "userId": "u1", "seconds": 60, "reason": "spam"});
    let (status, body) = api.post("/moderation", mute).await;
    assert_eq!(status, 204, "a command without a result is 204: {body}");
    assert!(muted(&s, "u1").await, "the sandbox has u1 muted");
    assert_eq!(viewer.send_text(&s.group(), "hi").await.unwrap_err().code, 10017, "and refuses their messages");
    let event = console.until(|e| matches!(e, RoomEvent::UserMuted { user_id, .. } if user_id == "u1")).await;
    assert!(matches!(event, RoomEvent::UserMuted { until: Some(_), .. }), "the console sees the mute: {event:?}");

    let (status, lines) = api.get("/audit?target=u1").await;
    assert_eq!(status, 200);
    let lines = lines.as_array().expect("the audit search is a JSON array");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (&lines[0]["actor"], &lines[0]["action"], &lines[0]["reason"], &lines[0]["duration"]),
        (&json!("owner"), &json!("mute"), &json!("spam"), &json!(60)),
        "recorded as done by the API"
    );

    assert_error(&api.post("/moderation", json!({"type": "mute"})).await, 400, "invalid", "moderation action");
    assert_error(&api.post("/moderation", json!({"type": "zap", "userId": "u1"})).await, 400, "invalid", "zap");
    let garbage = api.send_raw(Method::POST, "/moderation", "application/json", "{not json").await;
    assert_error(&garbage, 400, "invalid", "the body should be");
    let bad_user = json!({"type": "kick", "userId": "u 1"});
    assert_error(&api.post("/moderation", bad_user).await, 400, "invalid", "user ID");
}

/// Receives the room's events into `log` until `done` holds for it.
async fn record(
    rx: &mut tokio::sync::broadcast::Receiver<EventEnvelope>,
    log: &mut Vec<EventEnvelope>,
    done: impl Fn(&[EventEnvelope]) -> bool,
) {
    tokio::time::timeout(WAIT, async {
        while !done(log) {
            log.push(rx.recv().await.expect("the room's events keep coming"));
        }
    })
    .await
    .expect("the expected events within 5 s")
}

#[tokio::test]
async fn the_event_stream_is_gapless_resumes_exactly_and_resyncs_with_a_snapshot_when_it_cannot() {
    let mut s = Stack::start(Switches::all()).await;
    let api = Api::new(&s);
    let g = s.group();
    // The reference: everything the room emits, from an in-process subscription.
    let (_, mut room_rx) = s.room.subscribe().await.unwrap();
    let mut log = Vec::new();
    let fan = s.viewer("fan_1").await;

    let mut pinger = connect(&s, None).await;
    pinger.ws.send(Message::Ping(b"are you there".to_vec().into())).await.unwrap();
    let pong = tokio::time::timeout(WAIT, async {
        loop {
            match pinger.ws.next().await.unwrap().unwrap() {
                Message::Pong(p) => return p,
                Message::Text(_) => {}
                other => panic!("{other:?}"),
            }
        }
    })
    .await
    .expect("a ping is answered");
    assert_eq!(&pong[..], b"are you there");
    drop(pinger);

    let mut console = connect(&s, None).await;
    console.frame().await;
    assert_eq!(console.first.as_deref(), Some("snapshot"), "a new console starts from a snapshot");
    assert_eq!(api.post("/status", json!({"status": "live"})).await.0, 204);
    fan.send(&g, RoomMessage::like(3).to_body(), MsgPriority::Low).await.unwrap();
    console.until(|e| matches!(e, RoomEvent::Status { .. })).await;
    console.until(|e| matches!(e, RoomEvent::Likes { total: 3 })).await;
    let (epoch, seen) = (console.epoch, console.seq);
    drop(console);

    // Missed while away: likes from a viewer and a status change.
    for n in [1, 2, 4] {
        fan.send(&g, RoomMessage::like(n).to_body(), MsgPriority::Low).await.unwrap();
    }
    assert_eq!(api.post("/status", json!({"status": "paused"})).await.0, 204);
    record(&mut room_rx, &mut log, |log| {
        log.iter().any(|e| e.seq > seen && matches!(e.event, RoomEvent::Likes { total: 10 }))
            && log.iter().any(|e| matches!(e.event, RoomEvent::Status { status: room::RoomStatus::Paused }))
    })
    .await;
    let upto = log.last().unwrap().seq;
    let missed: Vec<&EventEnvelope> = log.iter().filter(|e| e.seq > seen).collect();
    assert!(missed.len() >= 4, "three likes and a status change were missed: {missed:?}");
    assert_eq!(missed[0].seq, seen + 1, "the reference saw every event");

    let mut back = connect(&s, Some((epoch, seen))).await;
    (back.epoch, back.seq) = (epoch, seen);
    back.reach(upto).await;
    assert_eq!(back.first.as_deref(), Some("events"), "a resume starts with the missed events, not a snapshot");
    assert_eq!(back.snapshots, 0);
    let got: Vec<&EventEnvelope> = back.events.iter().filter(|e| e.seq <= upto).collect();
    assert_eq!(got, missed, "exactly the missed events, in order");

    let mut wrong = connect(&s, Some((epoch + 1, seen))).await;
    wrong.frame().await;
    assert_eq!(wrong.first.as_deref(), Some("snapshot"), "a resume point from another run gets a snapshot");
    assert_eq!(wrong.epoch, epoch);

    let last = back.seq;
    s.restart().await;
    let closed = loop {
        match back.message().await {
            Message::Text(_) => continue, // events from before the stop
            m => break m,
        }
    };
    let Message::Close(Some(frame)) = closed else { panic!("the stream ends with a close frame: {closed:?}") };
    assert_eq!(u16::from(frame.code), 1012, "the room stopped: {frame:?}");
    assert!(frame.reason.as_str().contains(&format!("epoch={epoch}")), "it says how to resume: {}", frame.reason);

    let mut after = connect(&s, Some((epoch, last))).await;
    after.frame().await;
    assert_eq!(after.first.as_deref(), Some("snapshot"), "a new run of the room has new sequence numbers");
    assert_ne!(after.epoch, epoch, "and a new epoch");

    assert_error(&api.get("/events?seq=3").await, 400, "invalid", "both epoch and seq");
}

#[tokio::test]
async fn a_word_list_goes_in_as_text_or_json_and_comes_back_the_same_and_a_bad_line_is_named() {
    let s = Stack::start(Switches::all()).await;
    let api = Api::new(&s);
    let text = "# house rules\nspam\trefuse\nmy link\thold\nmeh\tdrop\n";
    assert_eq!(api.send_raw(Method::PUT, "/words", "text/plain; charset=utf-8", text).await.0, 204);
    let (status, rules) = api.get("/words").await;
    assert_eq!(status, 200);
    assert_eq!(
        rules,
        json!([{"pattern": "spam", "action": "refuse"}, {"pattern": "my link", "action": "hold"},
               {"pattern": "meh", "action": "drop"}])
    );
    let resp = api.http.get(format!("{}/words?format=text", api.base)).bearer_auth(API_TOKEN).send().await.unwrap();
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(resp.text().await.unwrap(), "spam\trefuse\nmy link\thold\nmeh\tdrop\n", "the import format");

    let bad = api.send_raw(Method::PUT, "/words", "text/plain", "fine\trefuse\nnope\tzap\n").await;
    assert_error(&bad, 400, "invalid", "line 2");
    assert_eq!(api.get("/words").await.1.as_array().unwrap().len(), 3, "a refused list changes nothing");

    assert_eq!(api.put("/words", json!([{"pattern": "wow", "action": "deliver"}])).await.0, 204);
    assert_eq!(api.get("/words").await.1, json!([{"pattern": "wow", "action": "deliver"}]));
    assert_error(&api.put("/words", json!({"pattern": "x"})).await, 400, "invalid", "array of rules");
    assert_error(&api.send_raw(Method::PUT, "/words", "text/csv", "x").await, 415, "invalid", "text/plain");
}

#[tokio::test]
async fn the_audit_log_exports_as_csv_and_an_api_undo_lifts_the_mute() {
    let s = Stack::start(Switches::all()).await;
    let api = Api::new(&s);
    let loud = s.viewer("loud_1").await;
    let mute = json!({"type": "mute", "userId": "loud_1", "seconds": 600, "reason": "caps, lock"});
    assert_eq!(api.post("/moderation", mute).await.0, 204);
    assert!(muted(&s, "loud_1").await);

    let resp = api.http.get(format!("{}/audit?format=csv", api.base)).bearer_auth(API_TOKEN).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".csv"), "{disposition}");
    let csv = resp.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "id,at,actor,action,target,detail,reason,duration,undone_by", "a header row");
    assert!(rows[1].contains(",owner,mute,loud_1,") && rows[1].contains("\"caps, lock\""), "then the line: {csv}");
    let resp = api.http.get(format!("{}/audit?format=json", api.base)).bearer_auth(API_TOKEN).send().await.unwrap();
    assert!(resp.headers()["content-disposition"].to_str().unwrap().contains(".json"));
    assert_eq!(resp.json::<Value>().await.unwrap()[0]["target"], "loud_1");
    assert_error(&api.get("/audit?format=xml").await, 400, "invalid", "csv or json");
    assert_error(&api.get("/audit?action=zap").await, 400, "invalid", "not an audit action");
    assert_error(&api.get("/audit?limit=many").await, 400, "invalid", "limit");

    let (_, lines) = api.get("/audit?action=mute&text=CAPS&limit=5").await;
    let id = lines[0]["id"].as_u64().expect("the line has an id");
    assert_eq!(api.post(&format!("/audit/{id}/undo"), json!({})).await.0, 204);
    assert!(!muted(&s, "loud_1").await, "undoing the mute unmuted them on Tencent");
    loud.send_text(&s.group(), "thanks").await.expect("they may speak again");
    assert_error(&api.post(&format!("/audit/{id}/undo"), json!({})).await, 400, "invalid", "");
    let (_, lines) = api.get("/audit?target=loud_1").await;
    assert_eq!((&lines[0]["action"], &lines[0]["actor"]), (&json!("unmute"), &json!("owner")), "the undo is audited");
}

#[tokio::test]
async fn a_refused_status_change_is_400_and_names_the_allowed_states() {
    let s = Stack::start(Switches::all()).await;
    let api = Api::new(&s);
    let refused = api.post("/status", json!({"status": "paused"})).await;
    assert_error(&refused, 400, "invalid", "from upcoming it can go to");
    let message = refused.1["message"].as_str().unwrap();
    assert!(message.contains("live") && message.contains("ended"), "the allowed states: {message}");
    assert_error(&api.post("/status", json!({"status": "onair"})).await, 400, "invalid", "\"status\"");
    assert_error(&api.post("/status", json!({"state": "live"})).await, 400, "invalid", "state");
    assert_eq!(api.post("/status", json!({"status": "live"})).await.0, 204);
    assert_eq!(api.get("").await.1["status"], "live");
}

#[tokio::test]
async fn the_other_commands_each_reach_the_room_and_are_audited_as_api() {
    let s = Stack::start(Switches::all()).await;
    let api = Api::new(&s);
    let g = s.group();
    let mut console = connect(&s, None).await;
    console.frame().await;

    assert_eq!(api.put("/notice", json!({"notice": "Tonight at eight"})).await.0, 204);
    assert_eq!(s.im.group(&g).info().await.unwrap().notification, "Tonight at eight", "written to the profile");
    assert_error(&api.put("/notice", json!({})).await, 400, "invalid", "notice");
    assert_error(&api.put("/notice", json!({"notice": "公".repeat(101)})).await, 400, "invalid", "303 bytes");

    assert_eq!(api.put("/words", json!([{"pattern": "my link", "action": "hold"}])).await.0, 204);
    let fan = s.viewer("fan_2").await;
    fan.send_text(&g, "see my link").await.unwrap();
    let RoomEvent::Held(held) = console.until(|e| matches!(e, RoomEvent::Held(_))).await else { unreachable!() };
    assert_eq!(api.post(&format!("/held/{}", held.id), json!({"approve": true})).await.0, 204);
    console.until(|e| matches!(e, RoomEvent::Chat(c) if c.text == "see my link")).await;
    assert_error(&api.post(&format!("/held/{}", held.id), json!({"approve": false})).await, 400, "invalid", "");
    assert_error(&api.post("/held/1", json!({"approve": "yes"})).await, 400, "invalid", "approve");

    assert_eq!(api.put("/users/fan_2/note", json!({"note": "regular"})).await.0, 204);
    let (status, card) = api.get("/users/fan_2").await;
    assert_eq!(status, 200);
    assert_eq!((&card["userId"], &card["note"], &card["messages"]), (&json!("fan_2"), &json!("regular"), &json!(1)));
    assert_error(&api.get("/users/bad%20id").await, 400, "invalid", "user ID");

    assert_eq!(api.post("/lottery/open", json!({"keyword": "888"})).await.0, 204);
    fan.send_text(&g, "888").await.unwrap();
    console.until(|e| matches!(e, RoomEvent::Chat(c) if c.text == "888")).await; // entered as it was delivered
    assert_eq!(api.call(Method::POST, "/lottery/close", None).await.0, 204);
    let (status, drawn) = api.post("/lottery/draw", json!({"winners": 1, "seed": 7})).await;
    assert_eq!((status.as_u16(), drawn), (200, json!({"winners": ["fan_2"]})));
    assert_error(&api.post("/lottery/draw", json!({"winners": -1})).await, 400, "invalid", "winners");

    assert_eq!(api.post("/broadcast", json!({"text": "A special guest!"})).await.0, 204);
    assert_error(&api.post("/broadcast", json!({"text": "  "})).await, 400, "invalid", "broadcast");

    let (_, lines) = api.get("/audit").await;
    let mut actions: Vec<&str> = lines.as_array().unwrap().iter().map(|l| l["action"].as_str().unwrap()).collect();
    actions.reverse();
    assert_eq!(actions, ["notice", "words", "approve", "lottery", "lottery", "lottery", "broadcast"]);
    assert!(lines.as_array().unwrap().iter().all(|l| l["actor"] == "owner"), "every line is the owner's");
}

#[tokio::test]
async fn the_gift_intake_shares_the_apis_token_and_errors() {
    let s = Stack::start(Switches::all()).await;
    let api = Api::new(&s);
    let order = json!({"userId": "whale_1", "giftId": "rose", "giftName": "Rose", "unitPrice": 1, "count": 2});
    let (status, body) = api.post("/gifts", order.clone()).await;
    assert_eq!((status.as_u16(), body), (202, json!({"queued": true})));
    assert_error(&api.post("/gifts", json!({"userId": "whale_1"})).await, 400, "invalid", "gift order");
    let no_token = reqwest::Client::new().post(format!("{}/gifts", api.base)).json(&order).send().await.unwrap();
    assert_eq!(no_token.status(), 401);
}

/// A console whose sink stalls falls behind the room's broadcast buffer; `follow` must re-sync it from
/// the replay buffer so it sees every event exactly once. The stall lasts until 12,000 events have
/// been emitted (more than the 8,192 the broadcast keeps, fewer than the 16,384 kept for replay).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_resyncs_a_console_that_stalled_without_a_gap_or_a_repeat() {
    const DURING_STALL: u64 = 12_000;
    const AFTER_STALL: u64 = 9_000;
    let s = Stack::start(Switches::all()).await;
    let group = s.group();
    let like = |n: u64| {
        im::callback::Callback::BeforeSendMsg(
            serde_json::from_value(json!({"GroupId": group, "Type": "AVChatRoom", "From_Account": "tapper",
                "Random": n, "MsgBody": RoomMessage::like(1).to_body()}))
            .unwrap(),
        )
    };

    let (stalled_tx, stalled_rx) = tokio::sync::oneshot::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let (feed_tx, mut feed_rx) = tokio::sync::mpsc::unbounded_channel::<Feed>();
    let room = s.room.clone();
    let follower = tokio::spawn(async move {
        let mut stalled_tx = Some(stalled_tx);
        room.follow(None, 512, move |feed| {
            if matches!(feed, Feed::Events { .. }) {
                if let Some(stalled) = stalled_tx.take() {
                    let _ = stalled.send(());
                    let _ = go_rx.recv_timeout(Duration::from_secs(20));
                }
            }
            feed_tx.send(feed).is_ok()
        })
        .await
    });
    let Feed::Snapshot { snapshot } = next_feed(&mut feed_rx).await else { panic!("following starts with a snapshot") };
    let mut followed = Followed { seq: snapshot.seq, likes: snapshot.likes, biggest: 0 };
    let (start, likes) = (snapshot.seq, snapshot.likes);

    s.room.decide(like(0));
    tokio::time::timeout(Duration::from_secs(5), stalled_rx).await.expect("the sink stalls").unwrap();
    for n in 1..=DURING_STALL {
        s.room.decide(like(n));
    }
    let (mid, _) = s.room.subscribe().await.unwrap();
    assert_eq!(mid.likes, likes + 1 + DURING_STALL, "the room took every like while the console stalled");
    assert!(mid.seq - start > 8_192, "the console is further behind than the broadcast buffer holds");
    go_tx.send(()).unwrap();
    followed.reach(&mut feed_rx, mid.seq).await;
    assert!(
        followed.biggest > 512,
        "the console was re-synced from the replay buffer (its largest batch: {} events)",
        followed.biggest
    );

    for n in 1..=AFTER_STALL {
        s.room.decide(like(DURING_STALL + n));
    }
    let (end, _) = s.room.subscribe().await.unwrap();
    let total = likes + 1 + DURING_STALL + AFTER_STALL;
    assert_eq!(end.likes, total);
    assert_eq!(s.room.stats().lost.load(std::sync::atomic::Ordering::Relaxed), 0, "the room saw every callback");
    followed.reach(&mut feed_rx, end.seq).await;
    assert_eq!(followed.likes, total, "the console ends with the room's like total");
    follower.abort();
}

async fn next_feed(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Feed>) -> Feed {
    tokio::time::timeout(Duration::from_secs(20), rx.recv()).await.expect("a feed item within 20 s").expect("following")
}

/// What a following console has applied.
struct Followed {
    seq: u64,
    likes: u64,
    biggest: usize,
}

impl Followed {
    /// Applies feed items up to `seq`, checking they continue the sequence without a gap or a repeat.
    async fn reach(&mut self, rx: &mut tokio::sync::mpsc::UnboundedReceiver<Feed>, seq: u64) {
        while self.seq < seq {
            let Feed::Events { events } = next_feed(rx).await else {
                panic!("a re-sync within the replay buffer needs no new snapshot")
            };
            self.biggest = self.biggest.max(events.len());
            for e in events {
                assert_eq!(e.seq, self.seq + 1, "contiguous from the snapshot: no gap, no repeat");
                self.seq = e.seq;
                if let RoomEvent::Likes { total } = e.event {
                    self.likes = total;
                }
            }
        }
    }
}

#[tokio::test]
async fn strikes_hide_mute_all_and_streams_work_through_the_api() {
    let s = Stack::start(Switches::none()).await;
    let api = Api::new(&s);
    let g = s.group();
    let mut console = connect(&s, None).await;
    console.frame().await;

    let (status, ladder) = api.get("/strikes").await;
    assert_eq!((status.as_u16(), &ladder["steps"][0]["type"]), (200, &json!("warn")), "the default ladder");
    let ladder =
        json!({"steps": [{"type": "mute", "seconds": 60}, {"type": "kick"}], "windowSecs": 3600, "fromFilter": false});
    assert_eq!(api.put("/strikes", ladder.clone()).await.0, 204);
    assert_eq!(api.get("/strikes").await.1, ladder);
    let bad = json!({"steps": [{"type": "ban", "seconds": 0}], "windowSecs": 3600, "fromFilter": false});
    assert_error(&api.put("/strikes", bad).await, 400, "invalid", "step 1 (ban 0 s)");
    assert_error(&api.put("/strikes", json!({"steps": "many"})).await, 400, "invalid", "strike ladder like");

    let rude = s.viewer("rude_9").await;
    rude.send_text(&g, "rude words").await.unwrap();
    let RoomEvent::Chat(line) = console.until(|e| matches!(e, RoomEvent::Chat(c) if c.user_id == "rude_9")).await
    else {
        unreachable!()
    };
    assert_eq!(api.post("/moderation", json!({"type": "hide", "msgId": line.id})).await.0, 204);
    console.until(|e| matches!(e, RoomEvent::MessageHidden { id, actor } if *id == line.id && actor == "owner")).await;
    assert_eq!(api.post("/moderation", json!({"type": "strike", "userId": "rude_9", "reason": "rude"})).await.0, 204);
    assert_eq!(rude.send_text(&g, "again").await.unwrap_err().code, 10017, "the first step of this ladder mutes");
    assert_eq!(api.get("/users/rude_9").await.1["strikes"], 1);

    assert_eq!(api.post("/moderation", json!({"type": "muteAll", "on": true})).await.0, 204);
    console.until(|e| matches!(e, RoomEvent::MuteAll { on: true })).await;
    assert_eq!(api.get("").await.1["mutedAll"], true);

    assert_eq!(api.post("/status", json!({"status": "live"})).await.0, 204);
    let (status, sessions) = api.get("/sessions?limit=5").await;
    assert_eq!((status.as_u16(), sessions[0]["id"].as_u64(), &sessions[0]["endedAt"]), (200, Some(1), &Value::Null));
    assert_error(&api.get("/sessions?limit=many").await, 400, "invalid", "");
    assert_error(&api.get("/stream").await, 400, "invalid", "ANCHORDESK_PUSH_DOMAIN");
}
