//! IPC commands: one or two lines each. Errors reach the UI as `{code, message}` ([`WireError`]).

use room::actor::{ModAction, ANCHOR};
use room::event::{AuditLine, Feed, StreamSession, UserCard};
use room::store::{export_audit, AuditQuery};
use room::strikes::StrikeLadder;
use room::words::{format_list, parse_list, WordRule};
use room::{ErrorCode, RoomStatus, WireError};
use server::golive::{StreamAddress, StreamDesk};
use server::AppInfo;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::settings::{SecretChange, Settings, SettingsView};
use crate::state::{SessionState, SettingsState};

/// The most events one IPC message carries.
const BATCH: usize = 512;

#[tauri::command]
pub fn app_info(state: State<'_, SessionState>) -> Result<AppInfo, WireError> {
    Ok(state.get()?.info.clone())
}

/// Follows the room on `on_feed`: a snapshot first (and again if the console ever falls too far
/// behind), then the events after it in batches.
#[tauri::command]
pub fn room_subscribe(state: State<'_, SessionState>, on_feed: Channel<Feed>) -> Result<(), WireError> {
    let room = state.get()?.room.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = room.follow(None, BATCH, move |feed| on_feed.send(feed).is_ok()).await {
            tracing::error!(error = %e, "the console's event feed stopped");
        }
    });
    Ok(())
}

#[tauri::command]
pub async fn room_set_status(state: State<'_, SessionState>, status: RoomStatus) -> Result<(), WireError> {
    Ok(state.get()?.room.set_status(status).await?)
}

/// Mute, unmute, kick, unblock, ban or unban, as the anchor.
#[tauri::command]
pub async fn room_moderate(state: State<'_, SessionState>, action: ModAction) -> Result<(), WireError> {
    Ok(state.get()?.room.moderate(ANCHOR, action).await?)
}

/// Changes the notice and/or the introduction (an absent one stays as it is).
#[tauri::command]
pub async fn room_set_notice(
    state: State<'_, SessionState>,
    notice: Option<String>,
    introduction: Option<String>,
) -> Result<(), WireError> {
    Ok(state.get()?.room.set_notice(ANCHOR, notice, introduction).await?)
}

#[tauri::command]
pub async fn room_user_card(state: State<'_, SessionState>, user_id: String) -> Result<UserCard, WireError> {
    Ok(state.get()?.room.user_card(&user_id).await?)
}

#[tauri::command]
pub async fn room_set_note(state: State<'_, SessionState>, user_id: String, note: String) -> Result<(), WireError> {
    Ok(state.get()?.room.set_note(&user_id, &note).await?)
}

#[tauri::command]
pub async fn room_lottery_open(state: State<'_, SessionState>, keyword: String) -> Result<(), WireError> {
    Ok(state.get()?.room.lottery_open(ANCHOR, &keyword).await?)
}

#[tauri::command]
pub async fn room_lottery_close(state: State<'_, SessionState>) -> Result<(), WireError> {
    Ok(state.get()?.room.lottery_close(ANCHOR).await?)
}

/// Draws the winners; `seed` repeats an earlier draw exactly (the seed used is in the audit log).
#[tauri::command]
pub async fn room_lottery_draw(
    state: State<'_, SessionState>,
    winners: u32,
    seed: Option<u64>,
) -> Result<Vec<String>, WireError> {
    Ok(state.get()?.room.lottery_draw(ANCHOR, winners, seed).await?)
}

#[tauri::command]
pub async fn room_broadcast(state: State<'_, SessionState>, text: String) -> Result<(), WireError> {
    Ok(state.get()?.room.broadcast(ANCHOR, &text).await?)
}

#[tauri::command]
pub async fn room_words(state: State<'_, SessionState>) -> Result<Vec<WordRule>, WireError> {
    Ok(state.get()?.room.words().await?)
}

#[tauri::command]
pub async fn room_set_words(state: State<'_, SessionState>, rules: Vec<WordRule>) -> Result<(), WireError> {
    Ok(state.get()?.room.set_words(ANCHOR, rules).await?)
}

/// Reads a word list in the import format (`pattern` or `pattern<TAB>action` per line).
#[tauri::command]
pub fn words_parse(text: String) -> Result<Vec<WordRule>, WireError> {
    parse_list(&text).map_err(|e| WireError::new(ErrorCode::Invalid, e))
}

#[tauri::command]
pub fn words_format(rules: Vec<WordRule>) -> String {
    format_list(&rules)
}

#[tauri::command]
pub async fn room_resolve_held(state: State<'_, SessionState>, id: u64, approve: bool) -> Result<(), WireError> {
    Ok(state.get()?.room.resolve_held(ANCHOR, id, approve).await?)
}

#[tauri::command]
pub async fn room_audit(state: State<'_, SessionState>, query: AuditQuery) -> Result<Vec<AuditLine>, WireError> {
    Ok(state.get()?.room.audit(query).await?)
}

/// The audit lines `query` finds, as `csv` or `json` text.
#[tauri::command]
pub async fn room_audit_export(
    state: State<'_, SessionState>,
    query: AuditQuery,
    format: String,
) -> Result<String, WireError> {
    Ok(export_audit(&state.get()?.room.audit(query).await?, &format)?)
}

#[tauri::command]
pub async fn room_undo(state: State<'_, SessionState>, audit_id: u64) -> Result<(), WireError> {
    Ok(state.get()?.room.undo(ANCHOR, audit_id).await?)
}

#[tauri::command]
pub async fn room_set_strike_ladder(state: State<'_, SessionState>, ladder: StrikeLadder) -> Result<(), WireError> {
    Ok(state.get()?.room.set_strike_ladder(ANCHOR, ladder).await?)
}

/// The latest streams, newest first.
#[tauri::command]
pub async fn room_sessions(state: State<'_, SessionState>, limit: usize) -> Result<Vec<StreamSession>, WireError> {
    Ok(state.get()?.room.sessions(limit).await?)
}

fn desk(state: &SessionState) -> Result<StreamDesk, WireError> {
    Ok(server::golive::require(state.get()?.stream.as_ref())?.clone())
}

/// The push address (server, key, QR, play URLs) — for the owner's console only.
#[tauri::command]
pub fn stream_address(state: State<'_, SessionState>) -> Result<StreamAddress, WireError> {
    Ok(desk(&state)?.address()?)
}

/// A fresh push address; `rotate` switches to the other push key.
#[tauri::command]
pub fn stream_renew(state: State<'_, SessionState>, rotate: bool) -> Result<StreamAddress, WireError> {
    Ok(desk(&state)?.renew(rotate)?)
}

#[tauri::command]
pub async fn stream_apply_obs(state: State<'_, SessionState>) -> Result<(), WireError> {
    Ok(desk(&state)?.apply_to_obs().await?)
}

/// Address → OBS → start → the ingest confirms → live; progress arrives as `goLive` events.
#[tauri::command]
pub async fn stream_go_live(state: State<'_, SessionState>) -> Result<(), WireError> {
    Ok(desk(&state)?.go_live(ANCHOR).await?)
}

/// Stops OBS's stream; with `end`, the room's stream ends too.
#[tauri::command]
pub async fn stream_stop(state: State<'_, SessionState>, end: bool) -> Result<(), WireError> {
    Ok(desk(&state)?.stop(ANCHOR, end).await?)
}

/// The saved settings (never the secrets' values). Works whether or not the session started.
#[tauri::command]
pub async fn settings_get(saved: State<'_, SettingsState>) -> Result<SettingsView, WireError> {
    saved.view().await
}

/// Checks, then saves; `secrets` lists only the secrets to store or forget.
#[tauri::command]
pub async fn settings_save(
    saved: State<'_, SettingsState>,
    settings: Settings,
    secrets: Vec<SecretChange>,
) -> Result<SettingsView, WireError> {
    saved.save(settings, secrets).await
}

/// Restarts AnchorDesk (once this command has answered), so the saved settings apply.
#[tauri::command]
pub fn app_restart<R: Runtime>(app: AppHandle<R>) {
    app.request_restart();
}

/// The OS's locale as a BCP 47 tag (e.g. "zh-CN"), for the UI's first language.
#[tauri::command]
pub fn system_locale() -> Option<String> {
    sys_locale::get_locale()
}

/// Async: creating a window from a synchronous command deadlocks on Windows.
#[tauri::command]
pub async fn chat_pop_out<R: Runtime>(app: AppHandle<R>) -> Result<(), WireError> {
    crate::chat::pop_out(&app)
        .map_err(|e| WireError::new(ErrorCode::Internal, format!("cannot open the chat window: {e}")))
}

#[tauri::command]
pub async fn chat_pop_in<R: Runtime>(app: AppHandle<R>) -> Result<(), WireError> {
    crate::chat::pop_in(&app)
        .map_err(|e| WireError::new(ErrorCode::Internal, format!("cannot close the chat window: {e}")))
}
