//! IPC commands: one or two lines each. Errors reach the UI as `{code, message}` ([`WireError`]).

use room::event::forward_batches;
use room::{EventEnvelope, RoomSnapshot, RoomStatus, WireError};
use server::AppInfo;
use tauri::ipc::Channel;
use tauri::State;

use crate::state::SessionState;

/// The most events one IPC message carries.
const BATCH: usize = 512;

#[tauri::command]
pub fn app_info(state: State<'_, SessionState>) -> Result<AppInfo, WireError> {
    Ok(state.get()?.info.clone())
}

/// Returns the room's snapshot; the events after it arrive on `on_events` in batches.
#[tauri::command]
pub async fn room_subscribe(
    state: State<'_, SessionState>,
    on_events: Channel<Vec<EventEnvelope>>,
) -> Result<RoomSnapshot, WireError> {
    let (snapshot, rx) = state.get()?.room.subscribe().await?;
    tauri::async_runtime::spawn(forward_batches(rx, BATCH, move |batch| on_events.send(batch).is_ok()));
    Ok(snapshot)
}

#[tauri::command]
pub async fn room_set_status(state: State<'_, SessionState>, status: RoomStatus) -> Result<(), WireError> {
    Ok(state.get()?.room.set_status(status).await?)
}

#[tauri::command]
pub async fn room_mute(state: State<'_, SessionState>, user_id: String, seconds: u32) -> Result<(), WireError> {
    Ok(state.get()?.room.mute(&user_id, seconds).await?)
}

#[tauri::command]
pub async fn room_kick(state: State<'_, SessionState>, user_id: String) -> Result<(), WireError> {
    Ok(state.get()?.room.kick(&user_id).await?)
}
