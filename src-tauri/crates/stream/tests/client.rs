//! The CSS client's wire behaviour against a scripted server on 127.0.0.1: the headers it sends and
//! signs, and which failures it retries. (The sandbox's contract suite covers the real answers.)

use std::sync::{Arc, Mutex};

use anchordesk_stream::css::{CssClient, ErrorKind};
use anchordesk_stream::{tc3, Secret, StreamState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::net::TcpListener;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    headers: HeaderMap,
    body: Bytes,
}

/// Answers the n-th request with `script[n]` (the last one repeats) and records every request.
#[derive(Clone)]
struct Script {
    replies: Arc<Vec<(u16, serde_json::Value)>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn answer(State(s): State<Script>, headers: HeaderMap, body: Bytes) -> Response {
    let n = {
        let mut seen = s.seen.lock().unwrap();
        seen.push(Seen { headers, body });
        seen.len() - 1
    };
    let (status, reply) = s.replies[n.min(s.replies.len() - 1)].clone();
    (StatusCode::from_u16(status).unwrap(), axum::Json(reply)).into_response()
}

async fn server(replies: Vec<(u16, serde_json::Value)>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let script = Script { replies: Arc::new(replies), seen: Arc::default() };
    let seen = script.seen.clone();
    let app = axum::Router::new().fallback(answer).with_state(script);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn state_ok() -> (u16, serde_json::Value) {
    (200, json!({"Response": {"StreamState": "active", "RequestId": "r-ok"}}))
}

fn error(code: &str) -> (u16, serde_json::Value) {
    (200, json!({"Response": {"Error": {"Code": code, "Message": "scripted"}, "RequestId": "r-err"}}))
}

fn client(url: &str) -> CssClient {
    CssClient::builder(ID, Secret::new(KEY)).endpoint(url).region("ap-guangzhou").build().unwrap()
}

fn header<'a>(seen: &'a Seen, name: &str) -> &'a str {
    seen.headers.get(name).unwrap_or_else(|| panic!("the request carries {name}")).to_str().unwrap()
}

#[tokio::test]
async fn a_call_carries_the_documented_headers_and_a_signature_that_verifies() {
    let (url, seen) = server(vec![state_ok()]).await;
    let state = client(&url).stream("5000.livepush.myqcloud.com", "live", "stream1").state().await.unwrap();
    assert_eq!(state, StreamState::Active);
    let seen = seen.lock().unwrap()[0].clone();
    assert_eq!(header(&seen, "x-tc-action"), "DescribeLiveStreamState");
    assert_eq!(header(&seen, "x-tc-version"), "2018-08-01");
    assert_eq!(header(&seen, "x-tc-region"), "ap-guangzhou");
    assert_eq!(header(&seen, "content-type"), "application/json; charset=utf-8");
    let host = url.trim_start_matches("http://");
    assert_eq!(header(&seen, "host"), host, "Host keeps the port, as signed");
    assert_eq!(
        seen.body.as_ref(),
        br#"{"AppName":"live","DomainName":"5000.livepush.myqcloud.com","StreamName":"stream1"}"#,
        "the body is the request with Tencent's field names"
    );
    let ts: u64 = header(&seen, "x-tc-timestamp").parse().unwrap();
    assert!(ts.abs_diff(im::clock::now_secs()) < 60, "the timestamp is now");
    let signed = [("content-type", header(&seen, "content-type")), ("host", host)];
    let expected = tc3::authorization(
        ID,
        KEY,
        "live",
        ts,
        &tc3::Request { method: "POST", query: "", headers: &signed, payload: &seen.body },
    );
    assert_eq!(header(&seen, "authorization"), expected, "the Authorization recomputes from what was sent");
    assert!(!format!("{:?}", seen.headers).contains(KEY), "the SecretKey itself never travels");
}

#[tokio::test]
async fn internal_errors_and_gateway_failures_are_retried_then_succeed() {
    for first in [error("InternalError"), (502, json!({})), error("RequestLimitExceeded")] {
        let (url, seen) = server(vec![first.clone(), state_ok()]).await;
        let state = client(&url).stream("d.example.com", "live", "s").state().await;
        assert_eq!(state.unwrap(), StreamState::Active, "{first:?} then success");
        assert_eq!(seen.lock().unwrap().len(), 2, "exactly one retry after {first:?}");
    }
}

#[tokio::test]
async fn writes_are_retried_too_with_the_same_body() {
    let (url, seen) = server(vec![error("InternalError"), (200, json!({"Response": {"RequestId": "r"}}))]).await;
    let until = im::clock::now_secs() + 3600;
    client(&url).stream("d.example.com", "live", "s").forbid(Some(until), Some("spam")).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "ForbidLiveStream is idempotent (absolute ResumeTime), so it is retried");
    assert_eq!(seen[0].body, seen[1].body, "the retry forbids until the same instant");
    assert_eq!(header(&seen[1], "x-tc-action"), "ForbidLiveStream");
}

#[tokio::test]
async fn refusals_are_not_retried_and_keep_tencents_code() {
    for (code, kind) in [
        ("AuthFailure.SignatureFailure", ErrorKind::Config),
        ("InvalidParameterValue", ErrorKind::Invalid),
        ("ResourceNotFound", ErrorKind::NotFound),
    ] {
        let (url, seen) = server(vec![error(code)]).await;
        let e = client(&url).stream("d.example.com", "live", "s").drop_push().await.unwrap_err();
        assert_eq!((e.code(), e.kind()), (Some(code), kind));
        assert!(e.to_string().contains("r-err"), "the RequestId is kept for support: {e}");
        assert_eq!(seen.lock().unwrap().len(), 1, "{code} would fail again; no retry");
    }
}

#[tokio::test]
async fn a_persistent_failure_gives_up_after_the_configured_attempts() {
    let (url, seen) = server(vec![error("InternalError")]).await;
    let c = CssClient::builder(ID, Secret::new(KEY)).endpoint(&url).attempts(3).build().unwrap();
    let e = c.stream("d.example.com", "live", "s").state().await.unwrap_err();
    assert_eq!(e.code(), Some("InternalError"));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let (url, seen) = server(vec![state_ok()]).await;
    let c = client(&url);
    let e = c.stream("d.example.com", "live", "名前").state().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("letters, digits"), "{e}");
    let e = c.stream("d.example.com", "live", "s").forbid(Some(im::clock::now_secs() + 91 * 86_400), None).await;
    assert!(e.unwrap_err().to_string().contains("90 days"));
    assert!(seen.lock().unwrap().is_empty(), "nothing reached the server");
}
