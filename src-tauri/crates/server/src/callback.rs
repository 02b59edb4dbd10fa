//! `POST /im/callback`: Tencent's callbacks into the hub. Checks in order — `SdkAppid` is ours, `Sign`
//! verifies against the callback token (when one is configured) with `RequestTime` within 60 s, the body
//! is a known callback — then the room decides, synchronously, from its policy snapshot. A bad request
//! gets a 4xx and a log line, never a panic; a good one gets HTTP 200 with Tencent's answer JSON.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use im::callback::{Callback, CallbackAnswer, CallbackQuery};
use im::sign::verify_callback_sign;
use im::Secret;
use room::RoomHandle;

#[derive(Clone, Debug)]
pub struct HubConfig {
    pub sdkappid: u64,
    /// Tencent's callback authentication token; when set, every callback must carry a valid `Sign`.
    pub callback_token: Option<Secret>,
    /// The owner's bearer token for the hub's API (the anchor's remote consoles, scripts, the billing
    /// backend's gift intake); without one the API is off. Moderators and viewers have their own tokens
    /// (see [`crate::access`]).
    pub api_token: Option<Secret>,
    /// The hub serves HTTPS (so the links it hands out say `https://`).
    pub tls: bool,
}

/// The hub's shared state: its configuration and the room it hosts.
#[derive(Clone, Debug)]
pub struct Hub {
    pub config: HubConfig,
    pub room: RoomHandle,
    /// Going live (owner routes under `/api/v1/rooms/{room}/stream`); none when not configured.
    pub stream: Option<crate::golive::StreamDesk>,
    /// The hub's people (moderators and viewers invited by the owner), their tokens and limits.
    pub access: crate::access::Access,
}

/// The hub's HTTP surface, without a port (tests call it directly): Tencent's callbacks, the API
/// under `/api/v1` (see [`crate::api`]) and a health check.
pub fn router(hub: Hub) -> Router {
    Router::new()
        .route("/im/callback", post(callback))
        .nest("/api/v1", crate::api::router(hub.clone()))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(hub)
}

fn refuse(status: StatusCode, why: String) -> Response {
    tracing::warn!(%status, %why, "refused a callback");
    (status, Json(serde_json::json!({"ActionStatus": "FAIL", "ErrorCode": 1, "ErrorInfo": why}))).into_response()
}

async fn callback(
    State(hub): State<Hub>,
    query: Result<Query<CallbackQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Response {
    let Ok(Query(q)) = query else {
        return refuse(StatusCode::BAD_REQUEST, "the callback URL's query is malformed".into());
    };
    if q.sdk_appid != Some(hub.config.sdkappid) {
        return refuse(StatusCode::FORBIDDEN, format!("callback for SdkAppid {:?}, not this app", q.sdk_appid));
    }
    if let Some(token) = &hub.config.callback_token {
        let now = im::clock::now_secs();
        if let Err(e) = verify_callback_sign(token.expose(), q.sign.as_deref(), q.request_time, now) {
            return refuse(StatusCode::UNAUTHORIZED, e.to_string());
        }
    }
    let cb: Callback = match serde_json::from_slice(&body) {
        Ok(cb) => cb,
        Err(e) => {
            // Only on this path is the command looked at on its own: a callback the console enabled
            // but the hub does not use (e.g. Group.CallbackAfterCreateGroup) is acknowledged, so
            // Tencent does not count it as a failure; anything else is a bad request.
            #[derive(serde::Deserialize)]
            struct Command {
                #[serde(rename = "CallbackCommand")]
                command: Option<String>,
            }
            return match serde_json::from_slice::<Command>(&body) {
                Ok(Command { command: Some(c) }) if !Callback::KNOWN.contains(&c.as_str()) => {
                    tracing::debug!(command = %c, "acknowledged a callback the hub does not act on");
                    Json(CallbackAnswer::allow()).into_response()
                }
                _ => refuse(StatusCode::BAD_REQUEST, format!("{} body not understood: {e}", q.callback_command)),
            };
        }
    };
    let command = cb.command();
    if !q.callback_command.is_empty() && q.callback_command != command {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("CallbackCommand {} in the URL but {command} in the body", q.callback_command),
        );
    }
    // Decided from the room's policy snapshot on this thread: no waiting on the room, the disk or the
    // network. Should deciding ever fail, the answer is the configured fail policy, inside the deadline.
    let room = hub.room.clone();
    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| room.decide(cb))).unwrap_or_else(|_| {
        tracing::error!(%command, "deciding a callback failed; answering with the fail policy");
        hub.room.overloaded()
    });
    Json(answer).into_response()
}
