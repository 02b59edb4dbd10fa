//! The fake OBS held to `shared/reference/obs-websocket.md` by a raw WebSocket client that writes the
//! JSON by hand, so nothing here shares code (or mistakes) with the fake or with obws.

use std::time::Duration;

use anchordesk_sandbox::obs::{close, status, FakeObs, FakeObsConfig};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const PATIENCE: Duration = Duration::from_secs(5);

struct Raw {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    hello: Value,
    next_id: u32,
}

impl Raw {
    async fn connect(fake: &FakeObs) -> Raw {
        let (ws, _) = tokio_tungstenite::connect_async(fake.url()).await.expect("the WebSocket upgrade succeeds");
        let mut raw = Raw { ws, hello: Value::Null, next_id: 0 };
        let hello = raw.recv().await;
        assert_eq!(hello["op"], 0, "Hello comes first, unasked: {hello}");
        raw.hello = hello["d"].clone();
        raw
    }

    /// Connected and identified with `subscriptions` (none: the default, All).
    async fn identified(fake: &FakeObs, password: Option<&str>, subscriptions: Option<u32>) -> Raw {
        let mut raw = Raw::connect(fake).await;
        let mut d = json!({"rpcVersion": 1});
        if let (Some(p), Some(auth)) = (password, raw.hello.get("authentication")) {
            d["authentication"] =
                json!(auth_string(p, auth["salt"].as_str().unwrap(), auth["challenge"].as_str().unwrap()));
        }
        if let Some(s) = subscriptions {
            d["eventSubscriptions"] = json!(s);
        }
        raw.send(json!({"op": 1, "d": d})).await;
        let identified = raw.recv().await;
        assert_eq!(identified, json!({"op": 2, "d": {"negotiatedRpcVersion": 1}}));
        raw
    }

    async fn send(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).await.expect("send");
    }

    async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text.to_string())).await.expect("send");
    }

    async fn recv(&mut self) -> Value {
        loop {
            let m = tokio::time::timeout(PATIENCE, self.ws.next()).await.expect("a message in time");
            match m {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).expect("JSON"),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a text message, got {other:?}"),
            }
        }
    }

    /// The next frame must be a close; its code and reason.
    async fn closed(&mut self) -> (u16, String) {
        loop {
            let m = tokio::time::timeout(PATIENCE, self.ws.next()).await.expect("a close in time");
            match m {
                Some(Ok(Message::Close(Some(frame)))) => {
                    // Reading on sends tungstenite's answer, finishing the closing handshake.
                    let _ = tokio::time::timeout(PATIENCE, self.ws.next()).await;
                    return (u16::from(frame.code), frame.reason.to_string());
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    /// Sends a request and returns its RequestResponse `d`, checking the id is echoed.
    async fn request(&mut self, request_type: &str, data: Option<Value>) -> Value {
        self.next_id += 1;
        let id = format!("req-{}", self.next_id);
        let mut d = json!({"requestType": request_type, "requestId": id});
        if let Some(data) = data {
            d["requestData"] = data;
        }
        self.send(json!({"op": 6, "d": d})).await;
        let answer = self.recv().await;
        assert_eq!(answer["op"], 7, "a RequestResponse, not {answer}");
        assert_eq!(
            (answer["d"]["requestId"].as_str(), answer["d"]["requestType"].as_str()),
            (Some(id.as_str()), Some(request_type))
        );
        answer["d"].clone()
    }

    /// The next event of `event_type`, skipping others.
    async fn event(&mut self, event_type: &str) -> Value {
        loop {
            let m = self.recv().await;
            assert_eq!(m["op"], 5, "only events are expected now: {m}");
            if m["d"]["eventType"] == event_type {
                return m["d"].clone();
            }
        }
    }
}

fn auth_string(password: &str, salt: &str, challenge: &str) -> String {
    let secret = B64.encode(Sha256::digest(format!("{password}{salt}")));
    B64.encode(Sha256::digest(format!("{secret}{challenge}")))
}

fn code(response: &Value) -> u64 {
    response["requestStatus"]["code"].as_u64().expect("a status code")
}

async fn fake() -> FakeObs {
    FakeObs::bind(FakeObsConfig::default()).await.unwrap()
}

async fn with_password(password: &str) -> FakeObs {
    FakeObs::bind(FakeObsConfig { password: Some(im::Secret::new(password)), ..Default::default() }).await.unwrap()
}

#[tokio::test]
async fn hello_carries_the_versions_and_no_challenge_without_a_password() {
    let fake = fake().await;
    let raw = Raw::connect(&fake).await;
    assert_eq!(raw.hello["rpcVersion"], 1);
    assert_eq!(
        (raw.hello["obsStudioVersion"].as_str(), raw.hello["obsWebSocketVersion"].as_str()),
        (Some("30.2.2"), Some("5.5.2"))
    );
    assert!(raw.hello.get("authentication").is_none(), "{}", raw.hello);
    let mut raw = Raw::identified(&fake, None, None).await;
    let v = raw.request("GetVersion", None).await;
    assert_eq!(v["requestStatus"], json!({"result": true, "code": 100}), "no comment on success");
    assert!(v["responseData"]["availableRequests"].as_array().unwrap().contains(&json!("GetStreamStatus")));
}

#[tokio::test]
async fn the_documented_auth_string_identifies_and_a_wrong_one_closes_with_4009() {
    let fake = with_password("correct horse").await;
    let raw = Raw::connect(&fake).await;
    let auth = &raw.hello["authentication"];
    assert!(auth["challenge"].is_string() && auth["salt"].is_string(), "{}", raw.hello);
    drop(raw);
    Raw::identified(&fake, Some("correct horse"), None).await;

    let mut raw = Raw::connect(&fake).await;
    raw.send(json!({"op": 1, "d": {"rpcVersion": 1, "authentication": "d3Jvbmc="}})).await;
    assert_eq!(raw.closed().await.0, close::AUTHENTICATION_FAILED);

    let mut raw = Raw::connect(&fake).await;
    raw.send(json!({"op": 1, "d": {"rpcVersion": 1}})).await;
    let (code, reason) = raw.closed().await;
    assert_eq!(code, close::AUTHENTICATION_FAILED, "authentication missing while required");
    assert!(reason.contains("authentication"), "{reason}");
}

#[tokio::test]
async fn each_session_gets_its_own_challenge_under_one_salt() {
    let fake = with_password("pw").await;
    let (a, b) = (Raw::connect(&fake).await, Raw::connect(&fake).await);
    let (a, b) = (&a.hello["authentication"], &b.hello["authentication"]);
    assert_eq!(a["salt"], b["salt"]);
    assert_ne!(a["challenge"], b["challenge"]);
}

#[tokio::test]
async fn messages_that_break_the_protocol_close_with_the_documented_codes() {
    let fake = fake().await;
    let cases: Vec<(&str, u16)> = vec![
        ("not json", close::MESSAGE_DECODE_ERROR),
        (r#"{"d": {}}"#, close::MISSING_DATA_FIELD),
        (r#"{"op": "1", "d": {}}"#, close::INVALID_DATA_FIELD_TYPE),
        (r#"{"op": 1}"#, close::MISSING_DATA_FIELD),
        (r#"{"op": 1, "d": {}}"#, close::MISSING_DATA_FIELD),
        (r#"{"op": 1, "d": {"rpcVersion": 2}}"#, close::UNSUPPORTED_RPC_VERSION),
        (r#"{"request-type": "GetVersion", "message-id": "1"}"#, close::UNSUPPORTED_RPC_VERSION),
        (r#"{"op": 6, "d": {"requestType": "GetVersion", "requestId": "1"}}"#, close::NOT_IDENTIFIED),
    ];
    for (text, want) in cases {
        let mut raw = Raw::connect(&fake).await;
        raw.send_text(text).await;
        assert_eq!(raw.closed().await.0, want, "for {text}");
    }
    for (text, want) in [
        (r#"{"op": 1, "d": {"rpcVersion": 1}}"#, close::ALREADY_IDENTIFIED),
        (r#"{"op": 42, "d": {}}"#, close::UNKNOWN_OP_CODE),
        (r#"{"op": 6, "d": {"requestId": "1"}}"#, close::MISSING_DATA_FIELD),
        (r#"{"op": 6, "d": {"requestType": "GetVersion"}}"#, close::MISSING_DATA_FIELD),
        (r#"{"op": 8, "d": {"requestId": "b", "requests": [], "executionType": 7}}"#, close::INVALID_DATA_FIELD_VALUE),
    ] {
        let mut raw = Raw::identified(&fake, None, None).await;
        raw.send_text(text).await;
        assert_eq!(raw.closed().await.0, want, "for {text} after Identify");
    }
}

#[tokio::test]
async fn an_unknown_request_is_204_and_the_session_carries_on() {
    let fake = fake().await;
    let mut raw = Raw::identified(&fake, None, None).await;
    let r = raw.request("GetSceneItemList", Some(json!({"sceneName": "x"}))).await;
    assert_eq!((r["requestStatus"]["result"].as_bool(), code(&r)), (Some(false), 204));
    assert!(r["requestStatus"]["comment"].is_string());
    assert_eq!(code(&raw.request("GetStreamStatus", None).await), 100, "still open");
}

#[tokio::test]
async fn stream_service_settings_are_validated_merged_and_replaced_as_obs_does() {
    let fake = fake().await;
    let mut raw = Raw::identified(&fake, None, None).await;
    assert_eq!(code(&raw.request("SetStreamServiceSettings", None).await), status::MISSING_REQUEST_FIELD as u64);
    let wrong = json!({"streamServiceType": 5, "streamServiceSettings": {}});
    assert_eq!(code(&raw.request("SetStreamServiceSettings", Some(wrong)).await), status::INVALID_REQUEST_FIELD as u64);
    let unknown = json!({"streamServiceType": "rtmp_bogus", "streamServiceSettings": {}});
    assert_eq!(
        code(&raw.request("SetStreamServiceSettings", Some(unknown)).await),
        status::RESOURCE_CREATION_FAILED as u64
    );
    let custom =
        json!({"streamServiceType": "rtmp_custom", "streamServiceSettings": {"server": "rtmp://a/live/", "key": "k1"}});
    assert_eq!(code(&raw.request("SetStreamServiceSettings", Some(custom)).await), 100);
    let merge = json!({"streamServiceType": "rtmp_custom", "streamServiceSettings": {"key": "k2"}});
    assert_eq!(code(&raw.request("SetStreamServiceSettings", Some(merge)).await), 100);
    let got = raw.request("GetStreamServiceSettings", None).await;
    assert_eq!(
        got["responseData"],
        json!({"streamServiceType": "rtmp_custom", "streamServiceSettings": {"server": "rtmp://a/live/", "key": "k2"}}),
        "the same type merges into the existing settings"
    );
    let common = json!({"streamServiceType": "rtmp_common", "streamServiceSettings": {"service": "Twitch"}});
    raw.request("SetStreamServiceSettings", Some(common)).await;
    let got = raw.request("GetStreamServiceSettings", None).await;
    assert_eq!(got["responseData"]["streamServiceSettings"], json!({"service": "Twitch"}), "another type replaces");
}

#[tokio::test]
async fn the_output_answers_500_and_501_and_refuses_settings_while_live() {
    let fake = fake().await;
    let mut raw = Raw::identified(&fake, None, Some(0)).await;
    assert_eq!(code(&raw.request("StopStream", None).await), status::OUTPUT_NOT_RUNNING as u64);
    assert_eq!(code(&raw.request("StartStream", None).await), 100);
    assert_eq!(code(&raw.request("StartStream", None).await), status::OUTPUT_RUNNING as u64, "starting already");
    while fake.output_state() != "OBS_WEBSOCKET_OUTPUT_STARTED" {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let change = json!({"streamServiceType": "rtmp_custom", "streamServiceSettings": {"server": "rtmp://b/live/"}});
    let r = raw.request("SetStreamServiceSettings", Some(change)).await;
    assert_eq!(code(&r), status::OUTPUT_RUNNING as u64);
    assert_eq!(r["requestStatus"]["comment"], "You cannot change stream service settings while streaming.");
    let s = raw.request("GetStreamStatus", None).await["responseData"].clone();
    assert_eq!(s["outputActive"], true);
    assert!(s["outputTimecode"].as_str().unwrap().len() == "00:00:00.000".len(), "{s}");
    for field in [
        "outputReconnecting",
        "outputDuration",
        "outputCongestion",
        "outputBytes",
        "outputSkippedFrames",
        "outputTotalFrames",
    ] {
        assert!(s.get(field).is_some(), "GetStreamStatus has {field}: {s}");
    }
    let t = raw.request("ToggleStream", None).await;
    assert_eq!(t["responseData"], json!({"outputActive": false}), "toggled off");
}

#[tokio::test]
async fn events_go_only_to_sessions_subscribed_to_their_intent() {
    let fake = fake().await;
    let mut general_only = Raw::identified(&fake, None, Some(1)).await;
    let mut outputs = Raw::identified(&fake, None, Some(64)).await;
    assert_eq!(code(&general_only.request("StartStream", None).await), 100);
    let starting = outputs.event("StreamStateChanged").await;
    assert_eq!(starting["eventIntent"], 64);
    assert_eq!(starting["eventData"], json!({"outputActive": false, "outputState": "OBS_WEBSOCKET_OUTPUT_STARTING"}));
    let started = outputs.event("StreamStateChanged").await;
    assert_eq!(started["eventData"], json!({"outputActive": true, "outputState": "OBS_WEBSOCKET_OUTPUT_STARTED"}));
    // Both events were emitted before this request; had they passed the filter, they would come first.
    general_only.request("GetVersion", None).await;

    general_only.send(json!({"op": 3, "d": {"eventSubscriptions": 65}})).await;
    assert_eq!(general_only.recv().await, json!({"op": 2, "d": {"negotiatedRpcVersion": 1}}));
    assert_eq!(code(&general_only.request("StopStream", None).await), 100);
    let stopping = general_only.event("StreamStateChanged").await;
    assert_eq!(stopping["eventData"]["outputState"], "OBS_WEBSOCKET_OUTPUT_STOPPING", "after Reidentify to 65");
}

#[tokio::test]
async fn a_batch_runs_in_order_and_halts_on_failure_when_asked() {
    let fake = fake().await;
    let mut raw = Raw::identified(&fake, None, None).await;
    raw.send(json!({"op": 8, "d": {"requestId": "b1", "haltOnFailure": true, "requests": [
        {"requestType": "GetVersion", "requestId": "one"},
        {"requestType": "NoSuchRequest"},
        {"requestType": "GetStreamStatus"},
    ]}}))
    .await;
    let r = raw.recv().await;
    assert_eq!((r["op"].as_u64(), r["d"]["requestId"].as_str()), (Some(9), Some("b1")));
    let results = r["d"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "halted after the failure: {r}");
    assert_eq!((results[0]["requestId"].as_str(), code(&results[0])), (Some("one"), 100));
    assert_eq!(code(&results[1]), 204);
}

#[tokio::test]
async fn shutting_down_announces_exit_then_closes_with_going_away() {
    let fake = fake().await;
    let mut raw = Raw::identified(&fake, None, Some(1)).await;
    let stopping = tokio::spawn(fake.shutdown());
    let exit = raw.event("ExitStarted").await;
    assert_eq!(exit["eventIntent"], 1);
    assert_eq!(raw.closed().await.0, close::GOING_AWAY);
    stopping.await.unwrap();
}
