//! Why: an anchor with a second screen (or a moderator beside them) wants the chat in a window of its
//! own. The chat window is the same UI on `index.html?view=chat`; it follows the room with its own
//! subscription. There is at most one: a second pop-out brings the existing one forward. The UI learns
//! that it opened or closed (by the app, or by the window manager) from the `chat-window` event.
//!
//! When the main window goes, the chat window goes with it, so that closing the console quits it
//! rather than leaving a lone chat window (and the hub behind it) running.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, Window, WindowEvent};
use ts_rs::TS;

pub const LABEL: &str = "chat";
pub const EVENT: &str = "chat-window";
const MAIN: &str = "main";

/// The `chat-window` event's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatWindow {
    pub open: bool,
}

/// Managed state: held while a pop-out looks for the window and creates it, so that two pop-outs at
/// once (a double click) make one window. A std mutex: nothing awaits while it is held.
#[derive(Default)]
pub struct PopOut(Mutex<()>);

/// Opens the chat window, or brings it forward when it is open.
pub fn pop_out<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let lock = app.state::<PopOut>();
    let _one_at_a_time = lock.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(window) = app.get_webview_window(LABEL) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html?view=chat".into()))
        .title("AnchorDesk — Chat")
        .inner_size(420.0, 760.0)
        .min_inner_size(320.0, 400.0)
        .build()?;
    app.emit(EVENT, ChatWindow { open: true })
}

/// Closes the chat window, if it is open (the window's `Destroyed` event tells the UI).
pub fn pop_in<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    match app.get_webview_window(LABEL) {
        Some(window) => window.close(),
        None => Ok(()),
    }
}

/// Every window's events: the chat window's end is announced; the main window's end closes the chat.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Destroyed) {
        return;
    }
    let app = window.app_handle();
    match window.label() {
        LABEL => {
            if let Err(e) = app.emit(EVENT, ChatWindow { open: false }) {
                tracing::warn!(error = %e, "could not tell the console that the chat window closed");
            }
        }
        MAIN => {
            if let Err(e) = pop_in(app) {
                tracing::warn!(error = %e, "could not close the chat window with the main window");
            }
        }
        _ => {}
    }
}
