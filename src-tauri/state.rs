//! Managed state: the saved settings and the console (its own hub's session, or a remote hub's room).
//! The console starts in the background when the app starts, from the environment and then the saved
//! settings; commands that arrive before it is ready get `notReady`, and if it failed, the reason. The
//! settings never wait for the console: they are how the anchor fixes one that cannot start. A remote
//! console's connection state goes to the UI as the `hub-connection` event on every change.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use room::{ErrorCode, WireError};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::console::{Console, ConsoleConfig};

use crate::settings::{
    self, Env, HubJoined, SecretChange, SecretName, Settings, SettingsFolder, SettingsView, Started,
};

/// What one run of the console reads from outside: the environment (`ANCHORDESK_*`, the data folder
/// included) and the keychain. The desktop app reads the process's own; tests give theirs.
#[derive(Clone)]
pub struct Launch {
    pub env: Arc<dyn Env>,
    /// The OS keychain; `None` keeps secrets in `secrets.json` without asking one.
    pub keychain: Option<Arc<keyring::CredentialBuilder>>,
}

impl Launch {
    pub fn from_process() -> Self {
        Self { env: Arc::new(|k| std::env::var(k).ok()), keychain: Some(settings::system_keychain()) }
    }
}

/// The Tauri event carrying a remote console's [`server::remote::HubConnection`] on every change.
pub const HUB_CONNECTION_EVENT: &str = "hub-connection";

#[derive(Default)]
pub struct ConsoleState(OnceLock<Result<Console, WireError>>);

impl ConsoleState {
    pub fn get(&self) -> Result<&Console, WireError> {
        match self.0.get() {
            Some(Ok(s)) => Ok(s),
            Some(Err(e)) => Err(e.clone()),
            None => Err(WireError::new(ErrorCode::NotReady, "AnchorDesk is still connecting to the room")),
        }
    }
}

pub struct SettingsState {
    data_dir: PathBuf,
    launch: Launch,
    /// The folder and its secret store, opened once per run by whoever needs it first (the session's
    /// start or a settings command); the others wait for it. Async: opening asks the keychain.
    folder: tokio::sync::OnceCell<Arc<SettingsFolder>>,
    /// What the session read when it started, for `restartNeeded`; unset until then.
    started: OnceLock<Started>,
}

impl SettingsState {
    fn new(data_dir: PathBuf, launch: Launch) -> Self {
        Self { data_dir, launch, folder: Default::default(), started: OnceLock::new() }
    }

    async fn folder(&self) -> Result<Arc<SettingsFolder>, WireError> {
        let open = || async {
            let (dir, keychain) = (self.data_dir.clone(), self.launch.keychain.clone());
            tauri::async_runtime::spawn_blocking(move || Arc::new(SettingsFolder::open(dir, keychain)))
                .await
                .map_err(|e| WireError::new(ErrorCode::Internal, format!("could not open the settings: {e}")))
        };
        self.folder.get_or_try_init(open).await.cloned()
    }

    /// Runs `f` in a blocking thread: the keychain and the files block, and the Secret Service client
    /// runs its own small runtime, which must not be started on one of the async runtime's threads.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&SettingsFolder, &dyn Env) -> settings::Result<T> + Send + 'static,
    ) -> Result<T, WireError> {
        let (folder, env) = (self.folder().await?, self.launch.env.clone());
        tauri::async_runtime::spawn_blocking(move || f(&folder, &*env))
            .await
            .map_err(|e| WireError::new(ErrorCode::Internal, format!("the settings task failed: {e}")))?
            .map_err(WireError::from)
    }

    fn started(&self) -> Started {
        self.started.get().cloned().unwrap_or(Started::Pending)
    }

    pub async fn view(&self) -> Result<SettingsView, WireError> {
        let started = self.started();
        self.blocking(move |folder, env| folder.view(env, &started)).await
    }

    pub async fn save(&self, settings: Settings, secrets: Vec<SecretChange>) -> Result<SettingsView, WireError> {
        let started = self.started();
        self.blocking(move |folder, env| {
            folder.save(env, settings, secrets)?;
            folder.view(env, &started)
        })
        .await
    }

    /// Redeems invite `code` at the hub `hub_url` (trusting the PEM file `hub_ca` too, when given) and
    /// saves that hub as this console's: its URL, the certificate and the token the hub returned,
    /// which goes to the secret store and never to the UI. The console connects after a restart.
    pub async fn join(
        &self,
        hub_url: String,
        code: String,
        name: Option<String>,
        hub_ca: Option<String>,
    ) -> Result<HubJoined, WireError> {
        let invalid = |m: String| WireError::new(ErrorCode::Invalid, m);
        let hub_url = hub_url.trim().to_string();
        let hub_ca = hub_ca.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let pem = match &hub_ca {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| invalid(format!("cannot read the hub's certificate file {path}: {e}")))?,
            ),
            None => None,
        };
        // What would be saved is checked before the code is spent, so a refusal costs no invite.
        let started = self.started();
        let mut settings = self.blocking(|folder, _| folder.load()).await?.settings;
        settings.hub_url = Some(hub_url.clone());
        settings.hub_ca = hub_ca;
        let check = settings.clone();
        self.blocking(move |folder, env| folder.check_join(env, check)).await?;
        let joined = server::remote::redeem(&hub_url, pem.as_deref(), code.trim(), name.as_deref()).await?;
        let (role, name) = (joined.role, joined.name.clone());
        let token = SecretChange { name: SecretName::HubToken, value: Some(joined.token) };
        let view = self
            .blocking(move |folder, env| {
                folder.save(env, settings, vec![token])?;
                folder.view(env, &started)
            })
            .await
            .map_err(|e| {
                WireError::new(e.code, format!("{} (the invite was used: ask the owner for a new one)", e.message))
            })?;
        Ok(HubJoined { name, role, settings: view })
    }

    /// The configuration the console starts with (environment, then saved settings), remembered for
    /// `restartNeeded`.
    async fn console_config(&self) -> Result<ConsoleConfig, WireError> {
        match self.blocking(|folder, _| folder.load()).await {
            Ok(saved) => {
                let _ = self.started.set(Started::From(saved.fingerprint(&*self.launch.env)));
                saved
                    .console_config(self.data_dir.clone(), &*self.launch.env)
                    .map_err(|e| WireError::new(ErrorCode::Invalid, e))
            }
            Err(e) => {
                let _ = self.started.set(Started::Unreadable);
                Err(e)
            }
        }
    }
}

/// Manages the state and starts the console in the background.
pub fn start<R: Runtime>(app: &AppHandle<R>, launch: Launch) {
    let data_dir = (launch.env)("ANCHORDESK_DATA_DIR")
        .filter(|d| !d.trim().is_empty())
        .map(PathBuf::from)
        .or_else(|| app.path().app_data_dir().ok())
        .unwrap_or_else(|| std::env::temp_dir().join("anchordesk"));
    app.manage(ConsoleState::default());
    app.manage(SettingsState::new(data_dir, launch));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let started = match app.state::<SettingsState>().console_config().await {
            Ok(config) => Console::start(config).await,
            Err(e) => Err(e),
        };
        match &started {
            Err(e) => tracing::error!(error = %e, "the console did not start"),
            Ok(console) => {
                if let Some(remote) = console.remote() {
                    forward_connection(app.clone(), remote.connection());
                }
            }
        }
        let _ = app.state::<ConsoleState>().0.set(started);
    });
}

/// Emits every change of a remote console's connection to the UI, until the link is gone.
fn forward_connection<R: Runtime>(
    app: AppHandle<R>,
    mut state: tokio::sync::watch::Receiver<server::remote::HubConnection>,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            let now = state.borrow_and_update().clone();
            if let Err(e) = app.emit(HUB_CONNECTION_EVENT, &now) {
                tracing::warn!(error = %e, "the hub's connection state could not reach the UI");
            }
            if now.is_final() || state.changed().await.is_err() {
                return;
            }
        }
    });
}
