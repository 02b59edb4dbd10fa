//! The hub's callback endpoint, called through its router without a port (as axum's testing example
//! does), with the documented payloads of tencent-cloud.md §4 as fixtures. The room behind it is real,
//! opened against a sandbox.

use anchordesk_server::{router, Hub, HubConfig};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use im::{ImClient, Secret};
use rand::{Rng, SeedableRng};
use room::{Room, RoomConfig, RoomEvent};
use sandbox::{Sandbox, SandboxConfig};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

const API_TOKEN: &str = "billing-token";
const TOKEN: &str = "hub-test-token";

struct Fixture {
    app: axum::Router,
    hub: Hub,
    group: String,
    sdkappid: u64,
    _cancel: tokio_util::sync::DropGuard,
}

async fn fixture() -> Fixture {
    let cancel = CancellationToken::new();
    let config = SandboxConfig::generate();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = Sandbox::start(config, listener, cancel.clone()).await.unwrap();
    let im = ImClient::builder(sandbox.sdkappid(), sandbox.secret_key().clone())
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let room = Room::open(RoomConfig::default(), im, cancel.clone()).await.unwrap();
    let hub = Hub {
        access: anchordesk_server::access::Access::in_memory(Default::default()),
        stream: None,
        config: HubConfig {
            sdkappid: sandbox.sdkappid(),
            callback_token: Some(Secret::new(TOKEN)),
            api_token: Some(Secret::new(API_TOKEN)),
            tls: false,
        },
        room: room.clone(),
    };
    Fixture {
        app: router(hub.clone()),
        group: room.group_id().to_string(),
        sdkappid: sandbox.sdkappid(),
        hub,
        _cancel: cancel.drop_guard(),
    }
}

impl Fixture {
    fn uri(&self, command: &str) -> String {
        let now = im::clock::now_secs();
        format!(
            "/im/callback?SdkAppid={}&CallbackCommand={command}&contenttype=json&ClientIP=1.2.3.4&OptPlatform=iOS&Sign={}&RequestTime={now}",
            self.sdkappid,
            im::sign::callback_sign(TOKEN, now)
        )
    }

    async fn post(&self, uri: &str, body: impl Into<Body>) -> (StatusCode, serde_json::Value) {
        let req = Request::post(uri).header("content-type", "application/json").body(body.into()).unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    async fn callback(&self, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
        let command = body["CallbackCommand"].as_str().unwrap().to_string();
        self.post(&self.uri(&command), body.to_string()).await
    }
}

/// The documented bodies (tencent-cloud.md §4.3–4.11), with the test's group ID.
fn documented(group: &str) -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!({"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":group,"Type":"AVChatRoom","From_Account":"jared",
               "Operator_Account":"admin","Random":123456,"OnlineOnlyFlag":0,
               "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}}],
               "CloudCustomData":"your cloud custom data","EventTime":"1670574414123"}),
        json!({"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":group,"Type":"AVChatRoom","From_Account":"jared",
               "Operator_Account":"admin","Random":123456,"OnlineOnlyFlag":0,"MsgSeq":123,"MsgTime":1490686222,
               "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}}],"EventTime":1670574414123_u64}),
        json!({"CallbackCommand":"Group.CallbackSendMsgException","GroupId":group,"Type":"AVChatRoom","From_Account":"jared",
               "Operator_Account":"admin","Random":123456,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}],
               "ErrorCode":10023,"ErrorInfo":"msg count exceeds limit,please retry later","EventTime":1670574414123_u64}),
        json!({"CallbackCommand":"Group.CallbackBeforeApplyJoinGroup","GroupId":group,"Type":"AVChatRoom",
               "Requestor_Account":"jared","ApplyMsg":"test","EventTime":1670574414123_u64}),
        json!({"CallbackCommand":"Group.CallbackAfterNewMemberJoin","GroupId":group,"Type":"AVChatRoom","JoinType":"Apply",
               "Operator_Account":"leckie","NewMemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"}],
               "EventTime":1670574414123_u64}),
        json!({"CallbackCommand":"Group.CallbackAfterMemberExit","GroupId":group,"Type":"AVChatRoom","ExitType":"Kicked",
               "Operator_Account":"leckie","ExitMemberList":[{"Member_Account":"jared"}],"EventTime":1670574414123_u64}),
        json!({"CallbackCommand":"Group.CallbackOnMemberStateChange","GroupId":group,"EventType":"Offline",
               "MemberList":[{"Member_Account":"jared"}]}),
        json!({"CallbackCommand":"Group.CallbackAfterGroupInfoChanged","GroupId":group,"Type":"AVChatRoom",
               "Operator_Account":"leckie","Notification":"NewNotification","EventTime":1670574414123_u64}),
        json!({"CallbackCommand":"State.StateChange","EventTime":1629883332497_u64,
               "Info":{"Action":"Login","To_Account":"testuser","Reason":"Register"},"KickedDevice":[{"Platform":"Windows"}]}),
    ]
}

#[tokio::test]
async fn every_documented_callback_is_accepted_and_answered_in_tencents_shape() {
    let f = fixture().await;
    for body in documented(&f.group) {
        let command = body["CallbackCommand"].clone();
        let (status, answer) = f.callback(body).await;
        assert_eq!(status, StatusCode::OK, "{command} is a documented callback");
        assert_eq!(answer["ActionStatus"], "OK", "{command}");
        assert_eq!(answer["ErrorCode"], 0, "{command}: nothing here is refused");
    }
}

#[tokio::test]
async fn the_documented_chat_and_joins_reach_the_room_as_events() {
    let f = fixture().await;
    let (_, mut rx) = f.hub.room.subscribe().await.unwrap();
    for body in documented(&f.group) {
        f.callback(body).await;
    }
    let mut chat = None;
    let mut joined = Vec::new();
    while let Ok(Ok(e)) = tokio::time::timeout(std::time::Duration::from_millis(200), rx.recv()).await {
        match e.event {
            RoomEvent::Chat(line) => chat = Some((line.user_id, line.text, line.id)),
            RoomEvent::MemberJoined(m) => joined.push(m.user_id),
            _ => {}
        }
    }
    assert_eq!(
        chat,
        Some(("jared".into(), "red packet".into(), "123".into())),
        "after-send is the chat line, keyed by MsgSeq"
    );
    assert_eq!(joined, ["jared", "tommy"]);
}

#[tokio::test]
async fn a_blocklisted_user_is_refused_at_the_door_with_a_reason() {
    let f = fixture().await;
    f.hub.room.kick("troll_9").await.unwrap();
    let body = serde_json::json!({"CallbackCommand":"Group.CallbackBeforeApplyJoinGroup","GroupId":f.group,
        "Type":"AVChatRoom","Requestor_Account":"troll_9","EventTime":1});
    let (status, answer) = f.callback(body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["ErrorCode"], room::actor::KICKED_JOIN_CODE);
    assert!(answer["ErrorInfo"].as_str().unwrap().contains("removed"));
}

#[tokio::test]
async fn callbacks_the_hub_does_not_use_are_acknowledged_not_failed() {
    let f = fixture().await;
    let body =
        serde_json::json!({"CallbackCommand":"Group.CallbackAfterCreateGroup","GroupId":"@TGS#x","Type":"Public"});
    let (status, answer) = f.callback(body).await;
    assert_eq!((status, answer["ErrorCode"].clone()), (StatusCode::OK, serde_json::json!(0)));
}

#[tokio::test]
async fn bad_requests_get_a_4xx_never_a_panic() {
    let f = fixture().await;
    let good = documented(&f.group).remove(0);
    let cmd = "Group.CallbackBeforeSendMsg";
    let no_sign = format!("/im/callback?SdkAppid={}&CallbackCommand={cmd}&contenttype=json", f.sdkappid);
    assert_eq!(
        f.post(&no_sign, good.to_string()).await.0,
        StatusCode::UNAUTHORIZED,
        "a token is configured: Sign is required"
    );
    let other_app = f.uri(cmd).replace(&format!("SdkAppid={}", f.sdkappid), "SdkAppid=1400000001");
    assert_eq!(f.post(&other_app, good.to_string()).await.0, StatusCode::FORBIDDEN);
    let mismatch = f.uri("Group.CallbackAfterSendMsg");
    assert_eq!(f.post(&mismatch, good.to_string()).await.0, StatusCode::BAD_REQUEST, "URL and body disagree");
    let mut wrong_type = good.clone();
    wrong_type["MsgBody"] = serde_json::json!("not an array");
    assert_eq!(f.post(&f.uri(cmd), wrong_type.to_string()).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(f.post("/im/callback?SdkAppid=abc", "{}").await.0, StatusCode::BAD_REQUEST, "a malformed query");

    // Garbage of every shape: a seeded loop of random bytes and truncated JSON.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let text = good.to_string();
    for i in 0..300 {
        let body: Vec<u8> = if i % 2 == 0 {
            (0..rng.gen_range(0..200)).map(|_| rng.gen()).collect()
        } else {
            text.as_bytes()[..rng.gen_range(0..text.len())].to_vec()
        };
        let status = f.post(&f.uri(cmd), body).await.0;
        assert!(status.is_client_error(), "garbage #{i} got {status}");
    }
    // And the hub still answers properly afterwards.
    assert_eq!(f.callback(good).await.0, StatusCode::OK);
}
