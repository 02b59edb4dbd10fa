//! The hub's HTTP API under `/api/v1/rooms/{room}`: what remote consoles and scripts use, and the gift
//! intake a billing backend calls. It is a thin face over [`room::RoomHandle`]: each route parses its
//! request into the room's own types, makes one call, and returns the result.
//!
//! `GET /me` tells a console who its token names and which room the hub hosts, so a console needs
//! only the hub's address and its token; `GET /rooms/{room}/team` shows everyone who is connected.
//!
//! Every route but `POST /invites/redeem` needs `Authorization: Bearer <token>`: the hub's API token
//! (the owner's, compared in constant time) or a person's own token from an invite (see
//! [`crate::access`]); tokens are never logged or echoed. Without a configured API token the API is off.
//! `{room}` must be the hosted room's group ID. The caller's role must allow the route (a refusal is 403
//! and is audited as `refused`), and each person has a rate limit; an address presenting bad tokens or
//! invite codes too often is refused for a while (429 with `Retry-After`).
//! Errors are `{code, message}` ([`WireError`]) with a status derived from the code, in one place
//! ([`ApiError`]'s `From<room::Error>`). Commands that return nothing answer 204.
//!
//! Actions are audited under the caller's name ([`crate::access::OWNER`] for the API token). The event
//! stream (`GET …/events`, a WebSocket) is the room's `follow`, so resuming is the room's replay rule; it
//! closes (1008, "access revoked") the moment its person is revoked.

mod events;
pub mod people;
mod routes;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Path, Query, Request, State,
};
use axum::handler::Handler;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use room::{ErrorCode, WireError};
use serde::de::DeserializeOwned;

use crate::access::{self, Caller};
use crate::callback::Hub;

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
        .route("/rooms/{room}/invites", post(people::invite))
        .route("/rooms/{room}/people", get(people::list))
        .route("/rooms/{room}/people/{id}", delete(people::revoke))
        .route("/rooms/{room}/team", get(people::team))
        .route("/me", get(people::me))
        .route_layer(middleware::from_fn_with_state(hub, guard))
        .route("/invites/redeem", post(people::redeem))
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

/// 429 `rateLimited` with `Retry-After` (whole seconds, at least 1).
pub(crate) fn too_many(why: &str, wait: Duration) -> Response {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut resp =
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, format!("{why}; try again in {secs} s"))
            .into_response();
    resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
    resp
}

/// The address the request came from (unspecified when the hub is served without connection info,
/// as in tests that call the router directly).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
        Ok(ClientIp(ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// The person `Authorization: Bearer <token>` names: the owner for the API token, else whoever
/// redeemed an invite for it. `Err` is the refusal (401 when the token is missing, wrong or revoked).
fn authenticate(hub: &Hub, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(token) = &hub.config.api_token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "the hub's API is off: set ANCHORDESK_API_TOKEN (api_token in the configuration file) to use it",
        ));
    };
    let given = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, t)| t.trim());
    if im::secret::constant_time_eq(given.as_bytes(), token.expose().as_bytes()) {
        return Ok(Caller::owner());
    }
    if !given.is_empty() {
        if let Some(caller) = hub.access.resolve(given).map_err(internal)? {
            return Ok(caller);
        }
    }
    tracing::warn!("refused an API call with a missing, wrong or revoked bearer token");
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden,
        "missing, wrong or revoked bearer token: send Authorization: Bearer <your token from the hub's owner>",
    ))
}

/// A failure of the hub's own bookkeeping: logged, and a 500 without details.
pub(crate) fn internal(e: access::Error) -> ApiError {
    tracing::error!(error = %e, "the hub's access control failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "the hub failed to do this; the details are in its log",
    )
}

/// Runs before every API route but redeeming: the caller's address (locked out after too many failed
/// logins), their token, their rate limit, whether `{room}` is the room this hub hosts, and whether
/// their role allows the route (a refusal is audited under their name). The caller then travels with
/// the request, for the handlers to act as.
async fn guard(State(hub): State<Hub>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(ClientIp(ip)) = ClientIp::from_request_parts(&mut parts, &()).await;
    if let Some(wait) = hub.access.locked_out(ip) {
        return too_many("too many failed logins from this address", wait);
    }
    let caller = match authenticate(&hub, &parts.headers) {
        Ok(caller) => caller,
        Err(refused) => {
            // A wrong token is a guess; a missing one is not (a console that has none yet).
            if refused.status == StatusCode::UNAUTHORIZED && parts.headers.contains_key(AUTHORIZATION) {
                hub.access.failed(ip);
            }
            return refused.into_response();
        }
    };
    let route = parts.extensions.get::<MatchedPath>().map_or(String::new(), |m| m.as_str().to_string());
    let route = route.as_str();
    let permission = access::permission_for(parts.method.as_str(), route);
    if permission.rate_limited() {
        if let Err(wait) = hub.access.check_rate(caller.id) {
            return too_many(&format!("{} is making requests too fast", caller.name), wait);
        }
    }
    let room = match Path::<HashMap<String, String>>::from_request_parts(&mut parts, &()).await {
        Ok(Path(params)) => params.get("room").cloned(),
        // A route without parameters (`/me`).
        Err(axum::extract::rejection::PathRejection::MissingPathParams(_)) => None,
        Err(e) => return ApiError::invalid(format!("the URL is not understood: {}", e.body_text())).into_response(),
    };
    let room = room.unwrap_or_else(|| hub.room.group_id().to_string());
    if room != hub.room.group_id() {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomGone,
            format!("this hub has no room {room:?}; it hosts {:?} (escape # as %23 in the URL)", hub.room.group_id()),
        )
        .into_response();
    }
    if !access::allows(caller.role, permission) {
        let what = format!("a {} may not {}", caller.role.as_str(), permission.describe());
        tracing::info!(person = %caller.name, %route, "{what}");
        let target = format!("{} {}", parts.method, route.strip_prefix("/api/v1").unwrap_or(route));
        if let Err(e) = hub.room.audit_access(&caller.name, room::event::AuditAction::Refused, &target, &what).await {
            tracing::warn!(error = %e, "a refusal could not be audited");
        }
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("{what} ({} is a {})", caller.name, caller.role.as_str()),
        )
        .into_response();
    }
    parts.extensions.insert(caller);
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
