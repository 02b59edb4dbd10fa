//! The client against a scripted stand-in for Tencent on 127.0.0.1: what reaches the wire, how often,
//! and how failures are retried. (The full contract with the sandbox is in the sandbox's own tests.)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anchordesk_im::{ErrorKind, ImClient, MsgElement, MsgPriority, Secret};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

#[derive(Default)]
struct Seen {
    /// (arrival, path, query, body) of every request.
    requests: Vec<(Instant, String, std::collections::HashMap<String, String>, String)>,
    /// Answers to give, first to last; when empty, an OK envelope.
    script: Vec<Response>,
}

type Shared = Arc<Mutex<Seen>>;

async fn tencent(
    State(seen): State<Shared>,
    uri: axum::http::Uri,
    Query(q): Query<std::collections::HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let mut s = seen.lock().unwrap();
    s.requests.push((Instant::now(), uri.path().to_string(), q, String::from_utf8_lossy(&body).to_string()));
    if s.script.is_empty() {
        axum::Json(serde_json::json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","OnlineMemberNum":1,"MsgSeq":1,"MsgTime":1}))
            .into_response()
    } else {
        s.script.remove(0)
    }
}

fn envelope(code: i64) -> Response {
    axum::Json(serde_json::json!({"ActionStatus":"FAIL","ErrorCode":code,"ErrorInfo":"scripted"})).into_response()
}

async fn stand_in(script: Vec<Response>) -> (ImClient, Shared) {
    let seen: Shared = Arc::new(Mutex::new(Seen { requests: Vec::new(), script }));
    let app = Router::new().route("/v4/{service}/{command}", post(tencent)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = ImClient::builder(1400000000, Secret::new("key"))
        .base_url(format!("http://{addr}"))
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    (client, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_one_second_window_sees_more_than_200_calls_to_one_api() {
    let (client, seen) = stand_in(Vec::new()).await;
    let group = client.group("@TGS#aROOM");
    let calls: Vec<_> = (0..450)
        .map(|_| {
            let g = group.clone();
            tokio::spawn(async move { g.online_member_num().await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().expect("every call succeeds, just paced");
    }
    let times: Vec<Instant> = seen.lock().unwrap().requests.iter().map(|r| r.0).collect();
    assert_eq!(times.len(), 450);
    let busiest = times
        .iter()
        .map(|start| {
            times.iter().filter(|t| **t >= *start && t.duration_since(*start) < Duration::from_secs(1)).count()
        })
        .max()
        .unwrap();
    println!("busiest one-second window: {busiest} calls (limit 200)");
    assert!(busiest <= 200, "Tencent answers 60007 past 200 calls/s per API; the client sent {busiest}");
}

#[tokio::test]
async fn every_call_carries_tencents_query_and_a_valid_admin_usersig() {
    let (client, seen) = stand_in(Vec::new()).await;
    client.group("@TGS#aROOM").online_member_num().await.unwrap();
    let s = seen.lock().unwrap();
    let (_, path, q, body) = &s.requests[0];
    assert_eq!(path, "/v4/group_open_http_svc/get_online_member_num");
    assert_eq!(q["sdkappid"], "1400000000");
    assert_eq!(q["identifier"], "administrator");
    assert_eq!(q["contenttype"], "json");
    assert!(q["random"].parse::<u32>().is_ok(), "random is a u32");
    let sig = anchordesk_im::usersig::verify(
        &q["usersig"],
        1400000000,
        "key",
        "administrator",
        anchordesk_im::clock::now_secs(),
        None,
    );
    assert!(sig.is_ok(), "the admin UserSig verifies: {sig:?}");
    assert_eq!(body, r#"{"GroupId":"@TGS#aROOM"}"#, "the body is the documented JSON, never empty");
}

#[tokio::test]
async fn transient_failures_are_retried_with_the_same_random_so_nothing_shows_twice() {
    let script = vec![StatusCode::BAD_GATEWAY.into_response(), envelope(60008), envelope(70169)];
    let (client, seen) = stand_in(script).await;
    let client = client.clone();
    let sent = client.group("@TGS#aROOM").send(vec![MsgElement::text("hi")], MsgPriority::Normal, None).await;
    assert!(sent.is_ok(), "the fourth try succeeds: {sent:?}");
    let s = seen.lock().unwrap();
    assert_eq!(s.requests.len(), 4, "502, 60008 and 70169 are each retried");
    let randoms: Vec<serde_json::Value> =
        s.requests.iter().map(|r| serde_json::from_str::<serde_json::Value>(&r.3).unwrap()["Random"].clone()).collect();
    assert!(randoms.windows(2).all(|w| w[0] == w[1]), "every retry reuses the message's Random: {randoms:?}");
}

#[tokio::test]
async fn refusals_are_not_retried_and_keep_tencents_code() {
    let (client, seen) = stand_in(vec![envelope(10017)]).await;
    let e = client.group("@TGS#aROOM").send(vec![MsgElement::text("hi")], MsgPriority::Normal, None).await.unwrap_err();
    assert_eq!((e.code(), e.kind()), (Some(10017), ErrorKind::Muted));
    assert_eq!(seen.lock().unwrap().requests.len(), 1);
}

#[tokio::test]
async fn an_expired_usersig_is_renewed_once_then_reported() {
    let (client, seen) = stand_in(vec![envelope(70001), envelope(70001)]).await;
    let e = client.group("@TGS#aROOM").online_member_num().await.unwrap_err();
    assert_eq!(e.code(), Some(70001));
    assert_eq!(seen.lock().unwrap().requests.len(), 2, "one renewal, then the error");
    let (client, _) = stand_in(vec![envelope(70001)]).await;
    assert!(client.group("@TGS#aROOM").online_member_num().await.is_ok(), "a renewed sig gets through");
}

#[tokio::test]
async fn a_dropped_message_is_an_error_not_a_success() {
    let dropped = axum::Json(serde_json::json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgSeq":9,"MsgTime":1,"MsgDropReason":"MsgFreqCtrl"}))
        .into_response();
    let (client, _) = stand_in(vec![dropped]).await;
    let e = client.group("@TGS#aROOM").send(vec![MsgElement::text("hi")], MsgPriority::Low, None).await.unwrap_err();
    assert!(matches!(e, anchordesk_im::Error::Dropped), "{e:?}");
}

#[tokio::test]
async fn limits_are_refused_before_anything_is_sent() {
    let (client, seen) = stand_in(Vec::new()).await;
    let group = client.group("@TGS#aROOM");
    let huge = vec![MsgElement::text("x".repeat(13_000))];
    assert_eq!(group.send(huge, MsgPriority::Normal, None).await.unwrap_err().kind(), ErrorKind::Invalid);
    let notice = "公告".repeat(51); // 306 bytes
    let e = group
        .modify(anchordesk_im::api::ModifyGroupBaseInfo { notification: Some(notice), ..Default::default() })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("300"), "{e}");
    assert!(seen.lock().unwrap().requests.is_empty(), "nothing reached Tencent");
}

#[tokio::test]
async fn batches_are_chunked_to_tencents_limits() {
    let (client, seen) = stand_in(Vec::new()).await;
    let users: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
    client.group("@TGS#aROOM").mute(&users, 60).await.unwrap();
    client.group("@TGS#aROOM").ban(&users[..45], 60, None).await.unwrap();
    let s = seen.lock().unwrap();
    let sizes = |cmd: &str, field: &str| -> Vec<usize> {
        s.requests
            .iter()
            .filter(|r| r.1.ends_with(cmd))
            .map(|r| serde_json::from_str::<serde_json::Value>(&r.3).unwrap()[field].as_array().unwrap().len())
            .collect()
    };
    assert_eq!(sizes("forbid_send_msg", "Members_Account"), [500, 500, 1], "mute: 500 a call");
    assert_eq!(sizes("ban_group_member", "Members_Account"), [20, 20, 5], "ban: 20 a call");
}
