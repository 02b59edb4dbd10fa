//! IPC commands: one or two lines each. Errors reach the UI as `{code, message}` ([`WireError`]).

use room::actor::ModAction;
use room::event::{AuditLine, Feed, StreamSession, UserCard};
use room::store::{export_audit, AuditQuery};
use room::strikes::StrikeLadder;
use room::words::{format_list, parse_list, WordRule};
use room::{ErrorCode, RoomStatus, WireError};
use server::access::{Invite, Me, Person, Role, TeamMember};
use server::golive::StreamAddress;
use server::remote::HubConnection;
use server::AppInfo;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::settings::{HubJoined, SecretChange, Settings, SettingsView};
use crate::state::{ConsoleState, SettingsState};

#[tauri::command]
pub fn app_info(state: State<'_, ConsoleState>) -> Result<AppInfo, WireError> {
    state.get()?.info()
}

/// Follows the room on `on_feed`: a snapshot first (and again if the console ever falls too far
/// behind), then the events after it in batches.
#[tauri::command]
pub fn room_subscribe(state: State<'_, ConsoleState>, on_feed: Channel<Feed>) -> Result<(), WireError> {
    state.get()?.follow(move |feed| on_feed.send(feed).is_ok());
    Ok(())
}

#[tauri::command]
pub async fn room_set_status(state: State<'_, ConsoleState>, status: RoomStatus) -> Result<(), WireError> {
    state.get()?.set_status(status).await
}

/// Mute, unmute, kick, unblock, ban or unban, as this console's person.
#[tauri::command]
pub async fn room_moderate(state: State<'_, ConsoleState>, action: ModAction) -> Result<(), WireError> {
    state.get()?.moderate(action).await
}

/// Changes the notice and/or the introduction (an absent one stays as it is).
#[tauri::command]
pub async fn room_set_notice(
    state: State<'_, ConsoleState>,
    notice: Option<String>,
    introduction: Option<String>,
) -> Result<(), WireError> {
    state.get()?.set_notice(notice, introduction).await
}

#[tauri::command]
pub async fn room_user_card(state: State<'_, ConsoleState>, user_id: String) -> Result<UserCard, WireError> {
    state.get()?.user_card(&user_id).await
}

#[tauri::command]
pub async fn room_set_note(state: State<'_, ConsoleState>, user_id: String, note: String) -> Result<(), WireError> {
    state.get()?.set_note(&user_id, &note).await
}

#[tauri::command]
pub async fn room_lottery_open(state: State<'_, ConsoleState>, keyword: String) -> Result<(), WireError> {
    state.get()?.lottery_open(&keyword).await
}

#[tauri::command]
pub async fn room_lottery_close(state: State<'_, ConsoleState>) -> Result<(), WireError> {
    state.get()?.lottery_close().await
}

/// Draws the winners; `seed` repeats an earlier draw exactly (the seed used is in the audit log).
#[tauri::command]
pub async fn room_lottery_draw(
    state: State<'_, ConsoleState>,
    winners: u32,
    seed: Option<u64>,
) -> Result<Vec<String>, WireError> {
    state.get()?.lottery_draw(winners, seed).await
}

#[tauri::command]
pub async fn room_broadcast(state: State<'_, ConsoleState>, text: String) -> Result<(), WireError> {
    state.get()?.broadcast(&text).await
}

#[tauri::command]
pub async fn room_words(state: State<'_, ConsoleState>) -> Result<Vec<WordRule>, WireError> {
    state.get()?.words().await
}

#[tauri::command]
pub async fn room_set_words(state: State<'_, ConsoleState>, rules: Vec<WordRule>) -> Result<(), WireError> {
    state.get()?.set_words(rules).await
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
pub async fn room_resolve_held(state: State<'_, ConsoleState>, id: u64, approve: bool) -> Result<(), WireError> {
    state.get()?.resolve_held(id, approve).await
}

#[tauri::command]
pub async fn room_audit(state: State<'_, ConsoleState>, query: AuditQuery) -> Result<Vec<AuditLine>, WireError> {
    state.get()?.audit(query).await
}

/// The audit lines `query` finds, as `csv` or `json` text.
#[tauri::command]
pub async fn room_audit_export(
    state: State<'_, ConsoleState>,
    query: AuditQuery,
    format: String,
) -> Result<String, WireError> {
    Ok(export_audit(&state.get()?.audit(query).await?, &format)?)
}

#[tauri::command]
pub async fn room_undo(state: State<'_, ConsoleState>, audit_id: u64) -> Result<(), WireError> {
    state.get()?.undo(audit_id).await
}

#[tauri::command]
pub async fn room_set_strike_ladder(state: State<'_, ConsoleState>, ladder: StrikeLadder) -> Result<(), WireError> {
    state.get()?.set_strike_ladder(ladder).await
}

/// The latest streams, newest first.
#[tauri::command]
pub async fn room_sessions(state: State<'_, ConsoleState>, limit: usize) -> Result<Vec<StreamSession>, WireError> {
    state.get()?.sessions(limit).await
}

/// The push address (server, key, QR, play URLs) — for the owner's console only.
#[tauri::command]
pub async fn stream_address(state: State<'_, ConsoleState>) -> Result<StreamAddress, WireError> {
    state.get()?.stream_address().await
}

/// A fresh push address; `rotate` switches to the other push key.
#[tauri::command]
pub async fn stream_renew(state: State<'_, ConsoleState>, rotate: bool) -> Result<StreamAddress, WireError> {
    state.get()?.stream_renew(rotate).await
}

#[tauri::command]
pub async fn stream_apply_obs(state: State<'_, ConsoleState>) -> Result<(), WireError> {
    state.get()?.stream_apply_obs().await
}

/// Address → OBS → start → the ingest confirms → live; progress arrives as `goLive` events.
#[tauri::command]
pub async fn stream_go_live(state: State<'_, ConsoleState>) -> Result<(), WireError> {
    state.get()?.stream_go_live().await
}

/// Stops OBS's stream; with `end`, the room's stream ends too.
#[tauri::command]
pub async fn stream_stop(state: State<'_, ConsoleState>, end: bool) -> Result<(), WireError> {
    state.get()?.stream_stop(end).await
}

/// The connection to the hub now (changes arrive as the `hub-connection` event).
#[tauri::command]
pub fn hub_connection(state: State<'_, ConsoleState>) -> Result<HubConnection, WireError> {
    Ok(state.get()?.connection())
}

/// Who this console is on its hub: name and role (embedded: the owner).
#[tauri::command]
pub fn hub_me(state: State<'_, ConsoleState>) -> Result<Me, WireError> {
    state.get()?.me()
}

/// The hub's team: everyone's name, role and whether they are connected now.
#[tauri::command]
pub async fn hub_team(state: State<'_, ConsoleState>) -> Result<Vec<TeamMember>, WireError> {
    state.get()?.team().await
}

/// Everyone who joined the hub's team, revoked or not (the owner's only).
#[tauri::command]
pub async fn hub_people(state: State<'_, ConsoleState>) -> Result<Vec<Person>, WireError> {
    state.get()?.people().await
}

/// A single-use invite for a moderator or a viewer (the owner's only); its code is shown once.
#[tauri::command]
pub async fn hub_invite(
    state: State<'_, ConsoleState>,
    role: Role,
    name: Option<String>,
    valid_for_secs: Option<u64>,
) -> Result<Invite, WireError> {
    state.get()?.invite(role, name, valid_for_secs).await
}

/// Revokes a person's access; their consoles are disconnected at once.
#[tauri::command]
pub async fn hub_revoke(state: State<'_, ConsoleState>, person_id: u64) -> Result<Person, WireError> {
    state.get()?.revoke(person_id).await
}

/// Joins a hub by invite: redeems the code and saves the hub (its token kept as a secret) for the
/// next start. Works whether or not this console started.
#[tauri::command]
pub async fn hub_join(
    saved: State<'_, SettingsState>,
    hub_url: String,
    code: String,
    name: Option<String>,
    hub_ca: Option<String>,
) -> Result<HubJoined, WireError> {
    saved.join(hub_url, code, name, hub_ca).await
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
