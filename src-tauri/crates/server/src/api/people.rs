//! The owner's management of the hub's team: invites (`POST …/invites`), the list of people
//! (`GET …/people`), revoking (`DELETE …/people/{id}`), and the one route without a bearer token,
//! redeeming an invite (`POST /invites/redeem`). Besides, what every console may ask: who am I
//! (`GET /me`) and who is on the team (`GET …/team`). Invites, joins and revocations are audited.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use room::actor::RoomHandle;
use room::event::AuditAction;
use room::ErrorCode;
use serde::Deserialize;

use super::{internal, too_many, ApiError, Body, ClientIp, Expected, Segments};
use crate::access::{self, Caller, Invite, Joined, Me, Person, Role, TeamMember};
use crate::callback::Hub;

/// How long an invite stays open unless asked otherwise.
pub const DEFAULT_INVITE_SECS: u64 = 24 * 3600;

impl From<access::Error> for ApiError {
    fn from(e: access::Error) -> Self {
        match e {
            access::Error::Invalid(m) => ApiError::invalid(m),
            access::Error::UnknownCode => ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Forbidden, e.to_string()),
            access::Error::UsedCode | access::Error::ExpiredCode => {
                ApiError::new(StatusCode::GONE, ErrorCode::Forbidden, e.to_string())
            }
            access::Error::NoSuchPerson(_) => ApiError::new(StatusCode::NOT_FOUND, ErrorCode::Invalid, e.to_string()),
            access::Error::Db(..) => internal(e),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InviteBody {
    role: Role,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    valid_for_secs: Option<u64>,
}

impl Expected for InviteBody {
    const EXPECTED: &'static str = r#"{"role": "moderator" | "viewer", "name": "mod_alice", "validForSecs": 86400} (name and validForSecs may be left out)"#;
}

/// `POST /rooms/{room}/invites`: a single-use code for a moderator or a viewer, and a link with it.
pub async fn invite(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    headers: HeaderMap,
    Body(body): Body<InviteBody>,
) -> Result<Json<Invite>, ApiError> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if hub.config.tls { "https" } else { "http" };
    let base = format!("{scheme}://{host}");
    let invite =
        create_invite(&hub.access, &hub.room, &who.name, &base, body.role, body.name, body.valid_for_secs).await?;
    Ok(Json(invite))
}

/// Makes an invite to the hub at `hub_base` (`https://host:port`) and audits it under `actor`: the
/// route's way and the embedded owner's console's alike.
pub async fn create_invite(
    access: &access::Access,
    room: &RoomHandle,
    actor: &str,
    hub_base: &str,
    role: Role,
    name: Option<String>,
    valid_for_secs: Option<u64>,
) -> Result<Invite, access::Error> {
    let valid_for = Duration::from_secs(valid_for_secs.unwrap_or(DEFAULT_INVITE_SECS));
    let (code, expires_at) = access.invite(role, name.clone(), valid_for)?;
    let link = format!("anchordesk://join?hub={hub_base}&code={code}");
    let target = name.clone().unwrap_or_else(|| "(name chosen on joining)".into());
    let detail = format!("{} invite, valid {} s", role.as_str(), valid_for.as_secs());
    let _ = room.audit_access(actor, AuditAction::Invite, &target, &detail).await;
    Ok(Invite { code, link, role, name, expires_at })
}

/// `GET /rooms/{room}/people`: everyone who joined (no tokens).
pub async fn list(State(hub): State<Hub>) -> Result<Json<Vec<Person>>, ApiError> {
    Ok(Json(hub.access.people()?))
}

/// `GET /me`: who the caller's token names, and the room this hub hosts.
pub async fn me(State(hub): State<Hub>, Extension(who): Extension<Caller>) -> Json<Me> {
    Json(Me {
        person_id: who.id,
        name: who.name,
        role: who.role,
        room: hub.room.group_id().to_string(),
        sdk_app_id: hub.config.sdkappid,
    })
}

/// `GET /rooms/{room}/team`: the owner and everyone not revoked, with their roles and open consoles.
pub async fn team(State(hub): State<Hub>) -> Result<Json<Vec<TeamMember>>, ApiError> {
    Ok(Json(hub.access.team()?))
}

/// `DELETE /rooms/{room}/people/{id}`: revokes at once; their open event streams close.
pub async fn revoke(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Segments((_, id)): Segments<(String, u64)>,
) -> Result<Json<Person>, ApiError> {
    Ok(Json(revoke_person(&hub.access, &hub.room, &who.name, id).await?))
}

/// Revokes person `id` (their consoles close at once) and audits it under `actor`.
pub async fn revoke_person(
    access: &access::Access,
    room: &RoomHandle,
    actor: &str,
    id: u64,
) -> Result<Person, access::Error> {
    let person = access.revoke(id)?;
    let detail = format!("{} access revoked", person.role.as_str());
    let _ = room.audit_access(actor, AuditAction::Revoke, &person.name, &detail).await;
    Ok(person)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    code: String,
    #[serde(default)]
    name: Option<String>,
}

impl Expected for RedeemBody {
    const EXPECTED: &'static str = r#"{"code": "…", "name": "mod_alice"} (name only when the invite has none)"#;
}

/// `POST /invites/redeem` (no bearer token): the person's token, shown only in this answer. Unknown,
/// used and expired codes count as failed logins from the caller's address.
pub async fn redeem(State(hub): State<Hub>, ClientIp(ip): ClientIp, Body(body): Body<RedeemBody>) -> Response {
    if let Some(wait) = hub.access.locked_out(ip) {
        return too_many("too many failed logins from this address", wait);
    }
    match hub.access.redeem(&body.code, body.name.as_deref()) {
        Ok(joined) => {
            let detail = format!("joined as {}", joined.role.as_str());
            let _ = hub.room.audit_access(&joined.name, AuditAction::Join, &joined.name, &detail).await;
            (StatusCode::CREATED, Json::<Joined>(joined)).into_response()
        }
        Err(e) => {
            if matches!(e, access::Error::UnknownCode | access::Error::UsedCode | access::Error::ExpiredCode) {
                tracing::warn!(%ip, error = %e, "refused an invite code");
                hub.access.failed(ip);
            }
            ApiError::from(e).into_response()
        }
    }
}
