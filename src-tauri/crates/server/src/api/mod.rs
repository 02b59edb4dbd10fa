//! The hub's HTTP API under `/api/v1/rooms/{room}`: what remote consoles and scripts use, and the gift
//! intake a billing backend calls. It is a thin face over [`room::RoomHandle`]: each route parses its
//! request into the room's own types, makes one call, and returns the result.
//!
//! Every route needs `Authorization: Bearer <api token>` (compared in constant time, never logged or
//! echoed); without a configured token the API is off. `{room}` must be the hosted room's group ID.
//! Errors are `{code, message}` ([`WireError`]) with a status derived from the code, in one place
//! ([`ApiError`]'s `From<room::Error>`). Commands that return nothing answer 204.
//!
//! Left out: per-person tokens (every call is audited as [`ACTOR`]) and any state of its own — the
//! event stream (`GET …/events`, a WebSocket) is the room's `follow`, so resuming is the room's replay rule.

mod events;
mod routes;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use room::{ErrorCode, WireError};
use serde::de::DeserializeOwned;

use crate::callback::Hub;

/// The actor the audit log records for every API call, until tokens name people.
pub const ACTOR: &str = "api";

/// The largest word list accepted by `PUT /words` (about 100,000 rules of ordinary length).
pub const WORDS_BODY_LIMIT: usize = 4 << 20;

/// The API's routes, relative to `/api/v1` (nested there by [`crate::router`]).
pub(crate) fn router(hub: Hub) -> Router<Hub> {
    use routes::*;
    Router::new()
        .route("/rooms/{room}", get(snapshot))
        .route("/rooms/{room}/events", get(events::events))
        .route("/rooms/{room}/status", post(status))
        .route("/rooms/{room}/moderation", post(moderation))
        .route("/rooms/{room}/notice", put(notice))
        .route("/rooms/{room}/words", get(words).put(set_words.layer(DefaultBodyLimit::max(WORDS_BODY_LIMIT))))
        .route("/rooms/{room}/held/{id}", post(resolve_held))
        .route("/rooms/{room}/audit", get(audit))
        .route("/rooms/{room}/audit/{id}/undo", post(undo))
        .route("/rooms/{room}/users/{user}", get(user_card))
        .route("/rooms/{room}/users/{user}/note", put(set_note))
        .route("/rooms/{room}/lottery/open", post(lottery_open))
        .route("/rooms/{room}/lottery/close", post(lottery_close))
        .route("/rooms/{room}/lottery/draw", post(lottery_draw))
        .route("/rooms/{room}/broadcast", post(broadcast))
        .route("/rooms/{room}/strikes", get(strike_ladder).put(set_strike_ladder))
        .route("/rooms/{room}/sessions", get(sessions))
        .route("/rooms/{room}/stream", get(stream_address))
        .route("/rooms/{room}/stream/renew", post(stream_renew))
        .route("/rooms/{room}/stream/obs", post(stream_apply_obs))
        .route("/rooms/{room}/stream/go-live", post(stream_go_live))
        .route("/rooms/{room}/stream/stop", post(stream_stop))
        .route("/rooms/{room}/gifts", post(gift))
        .route_layer(middleware::from_fn_with_state(hub, guard))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, ErrorCode::Invalid, "no such API route") })
}

/// An API error: a status and the `{code, message}` body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub wire: WireError,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, wire: WireError::new(code, message) }
    }

    /// 400 `invalid`: the request itself is wrong; the message says what was expected.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::Invalid, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.wire)).into_response()
    }
}

impl From<room::Error> for ApiError {
    /// The one mapping from the room's errors to HTTP. Internal details are logged, not returned.
    fn from(e: room::Error) -> Self {
        let mut wire = WireError::from(&e);
        let status = match wire.code {
            ErrorCode::Invalid => StatusCode::BAD_REQUEST,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::RoomGone => StatusCode::NOT_FOUND,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::NotReady | ErrorCode::Offline | ErrorCode::AuthExpired => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if wire.code == ErrorCode::Internal {
            tracing::error!(error = %e, "an API call failed inside the hub");
            if !matches!(e, room::Error::Closed) {
                wire.message = "the hub failed to do this; the details are in its log".into();
            }
        }
        Self { status, wire }
    }
}

/// Checks `Authorization: Bearer <token>` against the configured API token; `Err` is the refusal.
fn authorize(hub: &Hub, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &hub.config.api_token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "the hub's API is off: set ANCHORDESK_API_TOKEN (api_token in the configuration file) to use it",
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, t)| t.trim());
    if im::secret::constant_time_eq(given.as_bytes(), token.expose().as_bytes()) {
        Ok(())
    } else {
        tracing::warn!("refused an API call with a missing or wrong bearer token");
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden,
            "missing or wrong bearer token: send Authorization: Bearer <the hub's API token>",
        ))
    }
}

/// Runs before every API route: the token first, then whether `{room}` is the room this hub hosts.
async fn guard(State(hub): State<Hub>, req: Request, next: Next) -> Response {
    if let Err(refused) = authorize(&hub, req.headers()) {
        return refused.into_response();
    }
    let (mut parts, body) = req.into_parts();
    let room = match Path::<HashMap<String, String>>::from_request_parts(&mut parts, &()).await {
        Ok(Path(params)) => params.get("room").cloned().unwrap_or_default(),
        Err(e) => return ApiError::invalid(format!("the URL is not understood: {}", e.body_text())).into_response(),
    };
    if room != hub.room.group_id() {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomGone,
            format!("this hub has no room {room:?}; it hosts {:?} (escape # as %23 in the URL)", hub.room.group_id()),
        )
        .into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// What a JSON request body should look like, for the message when it does not.
pub trait Expected {
    const EXPECTED: &'static str;
}

/// A JSON request body, refused with 400 `invalid` (saying what was expected) when it does not parse.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Expected> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), ErrorCode::Invalid, format!("the body cannot be read: {e}")))?;
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::invalid(format!("the body should be {}: {e}", T::EXPECTED)))
    }
}

/// Query parameters, refused with 400 `invalid` when they do not parse.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Query::try_from_uri(&parts.uri)
            .map(|Query(t)| Params(t))
            .map_err(|e| ApiError::invalid(format!("the query is not understood: {}", e.body_text())))
    }
}

/// Path segments, refused with 400 `invalid` when they do not parse (an ID that is not a number).
pub struct Segments<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Segments<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| Segments(t))
            .map_err(|e| ApiError::invalid(format!("the URL is not understood: {}", e.body_text())))
    }
}

/// `POST /api/v1/rooms/{room}/gifts` with a [`room::gifts::GiftOrder`]: 202 once queued for merging
/// and posting.
pub async fn gift(State(hub): State<Hub>, Body(order): Body<room::gifts::GiftOrder>) -> Result<Response, ApiError> {
    hub.room.gift(order).await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({"queued": true}))).into_response())
}

impl Expected for room::gifts::GiftOrder {
    const EXPECTED: &'static str =
        r#"a gift order like {"userId":"u1","giftId":"rose","giftName":"Rose","unitPrice":1,"count":3}"#;
}
