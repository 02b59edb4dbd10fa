//! Managed state: the console's session, started in the background when the window opens. Commands
//! that arrive before it is ready get `notReady`; if it failed, they get the reason.

use std::sync::OnceLock;

use room::{ErrorCode, WireError};
use server::{Session, SessionConfig};
use tauri::{AppHandle, Manager};

#[derive(Default)]
pub struct SessionState(OnceLock<Result<Session, WireError>>);

impl SessionState {
    pub fn get(&self) -> Result<&Session, WireError> {
        match self.0.get() {
            Some(Ok(s)) => Ok(s),
            Some(Err(e)) => Err(e.clone()),
            None => Err(WireError::new(ErrorCode::NotReady, "AnchorDesk is still connecting to the room")),
        }
    }
}

pub fn start_session(app: &AppHandle) {
    let data_dir = std::env::var_os("ANCHORDESK_DATA_DIR")
        .map(Into::into)
        .or_else(|| app.path().app_data_dir().ok())
        .unwrap_or_else(|| std::env::temp_dir().join("anchordesk"));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let started = match SessionConfig::from_env(data_dir, |k| std::env::var(k).ok()) {
            Ok(config) => Session::start(config).await.map_err(|e| WireError::new(ErrorCode::Internal, e.to_string())),
            Err(e) => Err(WireError::new(ErrorCode::Invalid, e)),
        };
        if let Err(e) = &started {
            tracing::error!(error = %e, "the session did not start");
        }
        let _ = app.state::<SessionState>().0.set(started);
    });
}
