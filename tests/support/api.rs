//! What the console-API tests share: the room's URL, a call with a bearer token, the event stream's
//! WebSocket, and the check of an error answer.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::stack::{Stack, API_TOKEN};

/// The room's URL under `/api/v1` (the group ID's `#` escaped).
pub fn room_url(s: &Stack) -> String {
    format!("http://{}/api/v1/rooms/{}", s.hub_addr, s.group().replace('#', "%23"))
}

/// Calls `url` with `token`: the status and the JSON body (`null` if none).
pub async fn call(url: &str, token: &str, method: Method, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, url).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("the hub answers");
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the room's event stream with `token`; `query` is empty or `?epoch=E&seq=S`.
pub async fn connect_events(s: &Stack, token: &str, query: &str) -> Ws {
    let url = format!("{}/events{query}", room_url(s).replacen("http://", "ws://", 1));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("the event stream accepts the console");
    ws
}

/// Asserts an error answer: the status, `{code, message}`, what the message mentions, and no token in it.
pub fn assert_error(got: &(StatusCode, Value), status: u16, code: &str, mentions: &str) {
    let (s, body) = got;
    assert_eq!(s.as_u16(), status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().unwrap_or_else(|| panic!("errors carry a message: {body}"));
    assert!(message.contains(mentions), "the message should mention {mentions:?}: {message}");
    assert!(!message.contains(API_TOKEN), "a token is never echoed");
}
