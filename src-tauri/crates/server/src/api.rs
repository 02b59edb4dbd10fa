//! The hub's HTTP API under `/api/v1/`. Today: the gift intake a billing backend calls after charging
//! a viewer (`POST /api/v1/rooms/{room}/gifts`, bearer token). Errors are `{code, message}` JSON with
//! a 4xx status; the token is compared in constant time and never logged.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use room::gifts::GiftOrder;
use room::{ErrorCode, WireError};

use crate::callback::Hub;

fn error(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Response {
    (status, Json(WireError::new(code, message))).into_response()
}

/// Checks `Authorization: Bearer <token>` against the configured API token; `Some` is the refusal.
fn refusal(hub: &Hub, headers: &HeaderMap) -> Option<Response> {
    let Some(token) = &hub.config.api_token else {
        return Some(error(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "the hub's API is off: configure an API token (ANCHORDESK_API_TOKEN) to use it",
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if im::secret::constant_time_eq(given.as_bytes(), token.expose().as_bytes()) {
        None
    } else {
        tracing::warn!("refused an API call with a missing or wrong bearer token");
        Some(error(StatusCode::UNAUTHORIZED, ErrorCode::Forbidden, "missing or wrong bearer token"))
    }
}

/// `POST /api/v1/rooms/{room}/gifts` with a [`GiftOrder`]: 202 once queued for merging and posting.
pub async fn gift(
    State(hub): State<Hub>,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refused) = refusal(&hub, &headers) {
        return refused;
    }
    if room != hub.room.group_id() {
        return error(StatusCode::NOT_FOUND, ErrorCode::RoomGone, format!("this hub has no room {room:?}"));
    }
    let order: GiftOrder = match serde_json::from_slice(&body) {
        Ok(o) => o,
        Err(e) => return error(StatusCode::BAD_REQUEST, ErrorCode::Invalid, format!("not a gift order: {e}")),
    };
    match hub.room.gift(order).await {
        Ok(()) => (StatusCode::ACCEPTED, Json(serde_json::json!({"queued": true}))).into_response(),
        Err(e) => {
            let wire = WireError::from(&e);
            let status =
                if wire.code == ErrorCode::Invalid { StatusCode::BAD_REQUEST } else { StatusCode::SERVICE_UNAVAILABLE };
            (status, Json(wire)).into_response()
        }
    }
}
