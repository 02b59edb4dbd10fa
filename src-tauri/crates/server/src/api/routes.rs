//! The console API's commands and queries: one handler per route, each a single call on the room
//! made as the calling person (the [`Caller`] the guard resolved). Commands without a result answer 204 No Content.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use room::actor::ModAction;
use room::event::{AuditAction, AuditLine, StreamSession, UserCard};
use room::store::AuditQuery;
use room::strikes::StrikeLadder;
use room::words::WordRule;
use room::{RoomSnapshot, RoomStatus};
use serde::{Deserialize, Serialize};

use super::{ApiError, Body, Expected, Params, Segments};
use crate::access::Caller;
use crate::callback::Hub;

type Done = Result<StatusCode, ApiError>;

const DONE: Done = Ok(StatusCode::NO_CONTENT);

/// `GET /rooms/{room}`: the room as a console starts from it.
pub async fn snapshot(State(hub): State<Hub>) -> Result<Json<RoomSnapshot>, ApiError> {
    let (snapshot, _) = hub.room.subscribe().await?;
    Ok(Json(snapshot))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: RoomStatus,
}

impl Expected for StatusBody {
    const EXPECTED: &'static str = r#"{"status": "upcoming" | "live" | "paused" | "ended" | "replay"}"#;
}

/// `POST /rooms/{room}/status`.
pub async fn status(State(hub): State<Hub>, Extension(who): Extension<Caller>, Body(body): Body<StatusBody>) -> Done {
    hub.room.set_status_as(&who.name, body.status).await?;
    DONE
}

impl Expected for ModAction {
    const EXPECTED: &'static str = concat!(
        r#"a moderation action like {"type":"mute","userId":"u1","seconds":60,"reason":"spam"} "#,
        "(type: mute, unmute, kick, unblock, ban, unban, hide, muteAll or strike)"
    );
}

/// `POST /rooms/{room}/moderation` with a [`ModAction`].
pub async fn moderation(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Body(action): Body<ModAction>,
) -> Done {
    hub.room.moderate(&who.name, action).await?;
    DONE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    introduction: Option<String>,
}

impl Expected for NoticeBody {
    const EXPECTED: &'static str = r#"{"notice": "…", "introduction": "…"} (either may be left out)"#;
}

/// `PUT /rooms/{room}/notice`: a field left out stays as it is.
pub async fn notice(State(hub): State<Hub>, Extension(who): Extension<Caller>, Body(body): Body<NoticeBody>) -> Done {
    if body.notice.is_none() && body.introduction.is_none() {
        return Err(ApiError::invalid(r#"give "notice", "introduction" or both"#));
    }
    hub.room.set_notice(&who.name, body.notice, body.introduction).await?;
    DONE
}

#[derive(Deserialize)]
pub struct FormatQuery {
    #[serde(default)]
    format: Option<String>,
}

/// `GET /rooms/{room}/words`: the rules as JSON, or with `?format=text` in the import format.
pub async fn words(State(hub): State<Hub>, Params(q): Params<FormatQuery>) -> Result<Response, ApiError> {
    let rules = hub.room.words().await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(rules).into_response()),
        Some("text") => {
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], room::words::format_list(&rules))
                .into_response())
        }
        Some(other) => Err(ApiError::invalid(format!("{other:?} is not a word list format; use json or text"))),
    }
}

impl Expected for Vec<WordRule> {
    const EXPECTED: &'static str = concat!(
        r#"a JSON array of rules like [{"pattern":"spam","action":"refuse"}] "#,
        r#"(action: deliver, hold, drop or refuse), or text/plain with one "pattern<TAB>action" a line"#
    );
}

/// `PUT /rooms/{room}/words`: replaces the list, sent as a JSON array (`application/json`) or in the
/// text import format (`text/plain`, one `pattern<TAB>action` a line).
pub async fn set_words(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Done {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json");
    let kind = kind.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let rules = match kind.as_str() {
        "text/plain" => {
            let text = std::str::from_utf8(&body)
                .map_err(|e| ApiError::invalid(format!("the word list is not UTF-8: {e}")))?;
            room::words::parse_list(text)
                .map_err(|e| ApiError::invalid(format!("the word list is not understood: {e}")))?
        }
        "application/json" => serde_json::from_slice::<Vec<WordRule>>(&body)
            .map_err(|e| ApiError::invalid(format!("the body should be {}: {e}", Vec::<WordRule>::EXPECTED)))?,
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                room::ErrorCode::Invalid,
                format!("a word list is sent as application/json or text/plain, not {other}"),
            ))
        }
    };
    hub.room.set_words(&who.name, rules).await?;
    DONE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    approve: bool,
}

impl Expected for ResolveBody {
    const EXPECTED: &'static str = r#"{"approve": true} to re-send the message or {"approve": false} to reject it"#;
}

/// `POST /rooms/{room}/held/{id}`: approves or rejects a held message.
pub async fn resolve_held(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Segments((_, id)): Segments<(String, u64)>,
    Body(body): Body<ResolveBody>,
) -> Done {
    hub.room.resolve_held(&who.name, id, body.approve).await?;
    DONE
}

#[derive(Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    format: Option<String>,
}

/// `GET /rooms/{room}/audit?text=&target=&action=&limit=`: matching lines, newest first, as a JSON
/// array; with `format=csv` or `format=json`, the same as a file to save.
pub async fn audit(State(hub): State<Hub>, Params(p): Params<AuditParams>) -> Result<Response, ApiError> {
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let action = match given(p.action) {
        None => None,
        Some(a) => Some(AuditAction::parse(&a).ok_or_else(|| {
            ApiError::invalid(format!(
                "{a:?} is not an audit action; use mute, unmute, kick, unblock, ban, unban, status, notice, words, \
                 approve, reject, lottery, broadcast, hide, muteAll, strike, forgive, ladder, invite, join, revoke or refused"
            ))
        })?),
    };
    let query = AuditQuery { text: given(p.text), target: given(p.target), action, limit: p.limit.unwrap_or(0) };
    let lines: Vec<AuditLine> = hub.room.audit(query).await?;
    let Some(format) = given(p.format) else { return Ok(Json(lines).into_response()) };
    let file = room::store::export_audit(&lines, &format)?;
    let kind = if format == "csv" { "text/csv; charset=utf-8" } else { "application/json" };
    let disposition = format!("attachment; filename=\"anchordesk-audit.{format}\"");
    Ok(([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], file).into_response())
}

/// `POST /rooms/{room}/audit/{id}/undo`: undoes a mute, kick, ban, mute-all or strike.
pub async fn undo(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Segments((_, id)): Segments<(String, u64)>,
) -> Done {
    hub.room.undo(&who.name, id).await?;
    DONE
}

/// `GET /rooms/{room}/users/{user}`: everything about one viewer.
pub async fn user_card(
    State(hub): State<Hub>,
    Segments((_, user)): Segments<(String, String)>,
) -> Result<Json<UserCard>, ApiError> {
    Ok(Json(hub.room.user_card(&user).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    note: String,
}

impl Expected for NoteBody {
    const EXPECTED: &'static str = r#"{"note": "…"}"#;
}

/// `PUT /rooms/{room}/users/{user}/note`.
pub async fn set_note(
    State(hub): State<Hub>,
    Segments((_, user)): Segments<(String, String)>,
    Body(body): Body<NoteBody>,
) -> Done {
    hub.room.set_note(&user, &body.note).await?;
    DONE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenBody {
    keyword: String,
}

impl Expected for OpenBody {
    const EXPECTED: &'static str = r#"{"keyword": "…"}"#;
}

/// `POST /rooms/{room}/lottery/open`.
pub async fn lottery_open(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Body(body): Body<OpenBody>,
) -> Done {
    hub.room.lottery_open(&who.name, &body.keyword).await?;
    DONE
}

/// `POST /rooms/{room}/lottery/close` (no body).
pub async fn lottery_close(State(hub): State<Hub>, Extension(who): Extension<Caller>) -> Done {
    hub.room.lottery_close(&who.name).await?;
    DONE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    winners: u32,
    #[serde(default)]
    seed: Option<u64>,
}

impl Expected for DrawBody {
    const EXPECTED: &'static str = r#"{"winners": 3} or {"winners": 3, "seed": 42} to repeat a draw"#;
}

#[derive(Serialize)]
pub struct Drawn {
    winners: Vec<String>,
}

/// `POST /rooms/{room}/lottery/draw`: `{"winners": [...]}`.
pub async fn lottery_draw(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Body(body): Body<DrawBody>,
) -> Result<Json<Drawn>, ApiError> {
    let winners = hub.room.lottery_draw(&who.name, body.winners, body.seed).await?;
    Ok(Json(Drawn { winners }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadcastBody {
    text: String,
}

impl Expected for BroadcastBody {
    const EXPECTED: &'static str = r#"{"text": "…"}"#;
}

/// `POST /rooms/{room}/broadcast`.
pub async fn broadcast(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Body(body): Body<BroadcastBody>,
) -> Done {
    hub.room.broadcast(&who.name, &body.text).await?;
    DONE
}

/// `GET /rooms/{room}/strikes`: the room's strike ladder.
pub async fn strike_ladder(State(hub): State<Hub>) -> Result<Json<StrikeLadder>, ApiError> {
    Ok(Json(hub.room.strike_ladder().await?))
}

impl Expected for StrikeLadder {
    const EXPECTED: &'static str = concat!(
        r#"a strike ladder like {"steps":[{"type":"warn"},{"type":"mute","seconds":600},"#,
        r#"{"type":"muteUntilEndOfStream"},{"type":"kick"},{"type":"ban","seconds":86400}],"#,
        r#""windowSecs":86400,"fromFilter":true}"#
    );
}

/// `PUT /rooms/{room}/strikes` with a [`StrikeLadder`].
pub async fn set_strike_ladder(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Body(ladder): Body<StrikeLadder>,
) -> Done {
    hub.room.set_strike_ladder(&who.name, ladder).await?;
    DONE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsParams {
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /rooms/{room}/sessions?limit=`: the latest streams (20 unless asked), newest first.
pub async fn sessions(
    State(hub): State<Hub>,
    Params(p): Params<SessionsParams>,
) -> Result<Json<Vec<StreamSession>>, ApiError> {
    Ok(Json(hub.room.sessions(p.limit.unwrap_or(20)).await?))
}

fn desk(hub: &Hub) -> Result<&crate::golive::StreamDesk, crate::golive::Error> {
    crate::golive::require(hub.stream.as_ref())
}

impl From<crate::golive::Error> for ApiError {
    fn from(e: crate::golive::Error) -> Self {
        match e {
            crate::golive::Error::Room(e) => e.into(),
            other => ApiError::invalid(other.to_string()),
        }
    }
}

/// `GET /rooms/{room}/stream`: the push address (OBS server and key, QR, play URLs).
pub async fn stream_address(State(hub): State<Hub>) -> Result<Json<crate::golive::StreamAddress>, ApiError> {
    Ok(Json(desk(&hub)?.address()?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RenewBody {
    #[serde(default)]
    rotate: bool,
}

impl Expected for RenewBody {
    const EXPECTED: &'static str = r#"{"rotate": false} (true switches to the other push key)"#;
}

/// `POST /rooms/{room}/stream/renew`: a fresh address; `rotate` switches keys.
pub async fn stream_renew(
    State(hub): State<Hub>,
    Body(body): Body<RenewBody>,
) -> Result<Json<crate::golive::StreamAddress>, ApiError> {
    Ok(Json(desk(&hub)?.renew(body.rotate)?))
}

/// `POST /rooms/{room}/stream/obs`: applies the address to OBS and reads it back.
pub async fn stream_apply_obs(State(hub): State<Hub>) -> Done {
    desk(&hub)?.apply_to_obs().await?;
    DONE
}

/// `POST /rooms/{room}/stream/go-live`: the closed loop; progress arrives as `goLive` events.
pub async fn stream_go_live(State(hub): State<Hub>, Extension(who): Extension<Caller>) -> Done {
    desk(&hub)?.go_live(&who.name).await?;
    DONE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopBody {
    #[serde(default)]
    end: bool,
}

impl Expected for StopBody {
    const EXPECTED: &'static str = r#"{"end": false} (true also ends the room's stream)"#;
}

/// `POST /rooms/{room}/stream/stop`: stops OBS's stream (and with `end`, the room's).
pub async fn stream_stop(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Body(body): Body<StopBody>,
) -> Done {
    desk(&hub)?.stop(&who.name, body.end).await?;
    DONE
}
