//! Why: the console is set up from its own window, not only from `ANCHORDESK_*` variables. This module
//! keeps what the anchor saves there: the plain settings in `settings.json` in the data folder, the
//! secrets in the OS keychain (or, where there is none, in `secrets.json` that only this user can
//! read), and layers them under the environment into the configuration a session starts with.
//!
//! Invariants:
//! - The environment wins over anything saved, and the UI is told which fields it overrides.
//! - Nothing is saved unless the whole result passes the checks the session itself makes at start.
//! - A saved file that cannot be read is reported with its path and never overwritten.
//! - A secret's value never leaves this module except into the session's configuration: not in a
//!   [`SettingsView`], an error or a `Debug` output.
//!
//! Left out: the Tauri side (commands, managed state), which lives in `state.rs` and `commands.rs`;
//! this module runs as plain blocking code so tests drive it with no app.

mod file;
mod vault;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use im::Secret;
use serde::{Deserialize, Serialize};
use server::{ConsoleMode, SessionConfig};

use crate::console::ConsoleConfig;
use sha2::{Digest, Sha256};
use ts_rs::TS;

pub use file::SETTINGS_FILE;
pub use vault::{system_keychain, KEYCHAIN_SERVICE, SECRETS_FILE};

/// A way to read the environment (`ANCHORDESK_*`): the process's own, or a test's.
pub trait Env: Fn(&str) -> Option<String> + Send + Sync {}
impl<T: Fn(&str) -> Option<String> + Send + Sync> Env for T {}

/// The settings file's format version. A later format bumps it and migrates what it reads.
pub const SETTINGS_VERSION: u64 = 1;
/// The Tencent IM group name limit (tencent-cloud.md, create_group `Name`).
const ROOM_NAME_BYTES: usize = 30;
/// The Tencent IM account ID limit (tencent-cloud.md, `UserID`).
const ADMIN_BYTES: usize = 32;

/// Non-secret settings, saved in settings.json in the data folder. None = not set (the default applies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Tencent IM SDKAppID; set → the console runs on Tencent, unset → the sandbox.
    // Signed, so that a negative number gets the refusal naming the field, not a decoding error.
    #[ts(type = "number | null")]
    pub sdk_app_id: Option<i64>,
    /// china, singapore, seoul, tokyo, frankfurt, mumbai, siliconvalley or jakarta (default: china).
    pub im_region: Option<String>,
    /// Overrides the region's REST endpoint (advanced).
    pub im_endpoint: Option<String>,
    /// The admin account (default: administrator).
    pub im_admin: Option<String>,
    /// The room's name when it is created (default: AnchorDesk live room).
    pub room_name: Option<String>,
    /// Where the hub listens for Tencent's callbacks (default: 127.0.0.1:8690 on Tencent).
    pub hub_listen: Option<String>,
    /// The address the team reaches this hub at (https://hub.example.com:8690), for invite links.
    pub hub_public_url: Option<String>,
    pub push_domain: Option<String>,
    /// The AppName (default: live).
    pub push_app: Option<String>,
    pub stream_name: Option<String>,
    /// How long a push address stays valid, e.g. 24h (the default) or 7d.
    pub push_valid_for: Option<String>,
    pub play_domain: Option<String>,
    pub css_secret_id: Option<String>,
    pub css_region: Option<String>,
    /// OBS's WebSocket address (default: ws://127.0.0.1:4455).
    pub obs_url: Option<String>,
    /// Pause the room when the ingest loses the stream (default: on).
    pub auto_pause: Option<bool>,
    /// A remote hub (https://…, or http:// on this machine): set → this console is its client (with the
    /// hubToken secret) instead of running its own hub.
    pub hub_url: Option<String>,
    /// A PEM certificate file to trust for the remote hub (one with a self-signed certificate).
    pub hub_ca: Option<String>,
}

/// The secrets the console keeps, by name; their values never cross into the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SecretName {
    ImSecretKey,
    CallbackToken,
    ApiToken,
    PushKey,
    PushBackupKey,
    PlayKey,
    CssSecretKey,
    ObsPassword,
    /// This console's token for a remote hub.
    HubToken,
}

/// value None = forget the stored secret; a string = store it. Secrets not listed stay as they are.
#[derive(Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretChange {
    pub name: SecretName,
    pub value: Option<String>,
}

/// Where secrets live: the OS keychain, or a file only this user can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SecretStore {
    Keychain,
    File,
}

/// What joining a hub by invite gives the UI: who the hub knows this console as, and the saved
/// settings now pointing at it (the token itself stays in the secret store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HubJoined {
    pub name: String,
    pub role: server::access::Role,
    pub settings: SettingsView,
}

/// What the settings page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub settings: Settings,
    /// Which secrets are stored (never their values).
    pub secrets_set: Vec<SecretName>,
    pub secret_store: SecretStore,
    /// Settings field names and SecretNames that an ANCHORDESK_* environment variable overrides.
    pub from_env: Vec<String>,
    /// What the saved settings run (after a restart).
    pub mode: ConsoleMode,
    /// The saved settings differ from what runs now.
    pub restart_needed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field the anchor can correct; `field` is its name in [`Settings`] or a [`SecretName`].
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The session's own start-up check refused the result (its message names the variable).
    #[error("{0}")]
    Config(String),
    #[error("{path} cannot be read ({reason}); AnchorDesk does not overwrite it: correct it, or move it away to start from the defaults")]
    Unreadable { path: String, reason: String },
    #[error("{path} was written by a newer AnchorDesk (format {version}; this one reads {SETTINGS_VERSION}); update AnchorDesk, or move the file away")]
    Newer { path: String, version: u64 },
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: String, source: std::io::Error },
    #[error("the OS keychain could not {action} {name}: {source}")]
    Keychain { action: &'static str, name: &'static str, source: keyring::Error },
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<Error> for room::WireError {
    fn from(e: Error) -> Self {
        let code = match e {
            Error::Invalid { .. } | Error::Config(_) | Error::Unreadable { .. } | Error::Newer { .. } => {
                room::ErrorCode::Invalid
            }
            Error::Io { .. } | Error::Keychain { .. } => room::ErrorCode::Internal,
        };
        room::WireError::new(code, e.to_string())
    }
}

impl std::fmt::Debug for SecretChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.value.is_some() { "Some(***)" } else { "None" };
        f.debug_struct("SecretChange").field("name", &self.name).field("value", &format_args!("{value}")).finish()
    }
}

impl SecretName {
    pub const ALL: [SecretName; 9] = [
        SecretName::ImSecretKey,
        SecretName::CallbackToken,
        SecretName::ApiToken,
        SecretName::PushKey,
        SecretName::PushBackupKey,
        SecretName::PlayKey,
        SecretName::CssSecretKey,
        SecretName::ObsPassword,
        SecretName::HubToken,
    ];

    /// The name as the UI and the stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::ImSecretKey => "imSecretKey",
            SecretName::CallbackToken => "callbackToken",
            SecretName::ApiToken => "apiToken",
            SecretName::PushKey => "pushKey",
            SecretName::PushBackupKey => "pushBackupKey",
            SecretName::PlayKey => "playKey",
            SecretName::CssSecretKey => "cssSecretKey",
            SecretName::ObsPassword => "obsPassword",
            SecretName::HubToken => "hubToken",
        }
    }

    /// The environment variable the session reads it from.
    pub fn var(self) -> &'static str {
        match self {
            SecretName::ImSecretKey => "ANCHORDESK_IM_SECRET_KEY",
            SecretName::CallbackToken => "ANCHORDESK_CALLBACK_TOKEN",
            SecretName::ApiToken => "ANCHORDESK_API_TOKEN",
            SecretName::PushKey => "ANCHORDESK_PUSH_KEY",
            SecretName::PushBackupKey => "ANCHORDESK_PUSH_BACKUP_KEY",
            SecretName::PlayKey => "ANCHORDESK_PLAY_KEY",
            SecretName::CssSecretKey => "ANCHORDESK_CSS_SECRET_KEY",
            SecretName::ObsPassword => "ANCHORDESK_OBS_PASSWORD",
            SecretName::HubToken => "ANCHORDESK_HUB_TOKEN",
        }
    }
}

impl Settings {
    /// Each setting as (field name, the variable it stands for, its value in that variable's format).
    fn vars(&self) -> [(&'static str, &'static str, Option<String>); 18] {
        let text = |v: &Option<String>| v.clone();
        [
            ("sdkAppId", "ANCHORDESK_SDKAPPID", self.sdk_app_id.map(|n| n.to_string())),
            ("imRegion", "ANCHORDESK_IM_REGION", text(&self.im_region)),
            ("imEndpoint", "ANCHORDESK_IM_ENDPOINT", text(&self.im_endpoint)),
            ("imAdmin", "ANCHORDESK_IM_ADMIN", text(&self.im_admin)),
            ("roomName", "ANCHORDESK_ROOM_NAME", text(&self.room_name)),
            ("hubListen", "ANCHORDESK_HUB_LISTEN", text(&self.hub_listen)),
            ("hubPublicUrl", "ANCHORDESK_HUB_PUBLIC_URL", text(&self.hub_public_url)),
            ("pushDomain", "ANCHORDESK_PUSH_DOMAIN", text(&self.push_domain)),
            ("pushApp", "ANCHORDESK_PUSH_APP", text(&self.push_app)),
            ("streamName", "ANCHORDESK_STREAM_NAME", text(&self.stream_name)),
            ("pushValidFor", "ANCHORDESK_PUSH_VALID_FOR", text(&self.push_valid_for)),
            ("playDomain", "ANCHORDESK_PLAY_DOMAIN", text(&self.play_domain)),
            ("cssSecretId", "ANCHORDESK_CSS_SECRET_ID", text(&self.css_secret_id)),
            ("cssRegion", "ANCHORDESK_CSS_REGION", text(&self.css_region)),
            ("obsUrl", "ANCHORDESK_OBS_URL", text(&self.obs_url)),
            ("autoPause", "ANCHORDESK_AUTO_PAUSE", self.auto_pause.map(|on| (if on { "on" } else { "off" }).into())),
            ("hubUrl", "ANCHORDESK_HUB_URL", text(&self.hub_url)),
            ("hubCa", "ANCHORDESK_HUB_CA", text(&self.hub_ca)),
        ]
    }

    /// Trims every text and treats an empty one as not set (a cleared field in the form), and spells
    /// the region the way the session does.
    fn normalized(mut self) -> Self {
        for v in [
            &mut self.im_region,
            &mut self.im_endpoint,
            &mut self.im_admin,
            &mut self.room_name,
            &mut self.hub_listen,
            &mut self.hub_public_url,
            &mut self.push_domain,
            &mut self.push_app,
            &mut self.stream_name,
            &mut self.push_valid_for,
            &mut self.play_domain,
            &mut self.css_secret_id,
            &mut self.css_region,
            &mut self.obs_url,
            &mut self.hub_url,
            &mut self.hub_ca,
        ] {
            *v = v.take().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        }
        if let Some(region) = self.im_region.as_deref().and_then(|r| r.parse::<im::Region>().ok()) {
            self.im_region = Some(region.name().to_string());
        }
        self
    }

    /// The checks on single fields, each refusal naming the field and what to write instead.
    fn check(&self) -> Result<()> {
        let invalid = |field, message: String| Err(Error::Invalid { field, message });
        if let Some(id) = self.sdk_app_id.filter(|id| *id <= 0) {
            return invalid(
                "sdkAppId",
                format!("{id} is not an SDKAppID; copy the positive number from the IM console"),
            );
        }
        if let Some(region) = &self.im_region {
            if let Err(e) = region.parse::<im::Region>() {
                return invalid("imRegion", e);
            }
        }
        if let Some(url) = &self.im_endpoint {
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or("");
            if rest.is_empty() || rest.contains(char::is_whitespace) {
                return invalid(
                    "imEndpoint",
                    format!(
                        "{url:?} is not a web address; use https://… (or http://127.0.0.1:PORT for a local sandbox)"
                    ),
                );
            }
        }
        if let Some(admin) = self.im_admin.as_ref().filter(|a| a.len() > ADMIN_BYTES) {
            return invalid(
                "imAdmin",
                format!("{admin:?} is longer than Tencent's {ADMIN_BYTES} bytes for an account"),
            );
        }
        if let Some(name) = self.room_name.as_ref().filter(|n| n.len() > ROOM_NAME_BYTES) {
            return invalid(
                "roomName",
                format!(
                    "{} bytes is longer than Tencent's {ROOM_NAME_BYTES} for a room name (a Chinese, Japanese or Korean character takes 3); shorten it",
                    name.len()
                ),
            );
        }
        if let Some(addr) = &self.hub_listen {
            if addr.parse::<std::net::SocketAddr>().is_err() {
                return invalid("hubListen", format!("{addr:?} is not an address like 127.0.0.1:8690"));
            }
        }
        if let Some(url) = &self.hub_public_url {
            if let Err(e) = server::remote::HubAddress::parse(url) {
                return invalid("hubPublicUrl", format!("{e}; this is where the team's consoles connect"));
            }
        }
        for (field, domain) in [("pushDomain", &self.push_domain), ("playDomain", &self.play_domain)] {
            if let Some(d) = domain.as_ref().filter(|d| d.contains("://") || d.contains(['/', ' '])) {
                return invalid(
                    field,
                    format!("{d:?}: give the domain alone, like live.example.com (no scheme, no path)"),
                );
            }
        }
        if let Some(v) = &self.push_valid_for {
            if stream::parse_duration(v).is_err() {
                return invalid("pushValidFor", format!("{v:?} is not a duration like 24h, 90m or 7d"));
            }
        }
        if let Some(url) = &self.obs_url {
            let rest = url.strip_prefix("ws://").or_else(|| url.strip_prefix("wss://")).unwrap_or("");
            if rest.is_empty() || rest.contains(char::is_whitespace) {
                return invalid(
                    "obsUrl",
                    format!("{url:?} is not a WebSocket address; use ws://127.0.0.1:4455 (or wss://…)"),
                );
            }
        }
        if let Some(url) = &self.hub_url {
            if let Err(e) = server::remote::HubAddress::parse(url) {
                return invalid("hubUrl", e.to_string());
            }
        }
        if let Some(path) = &self.hub_ca {
            let pem = match std::fs::read_to_string(path) {
                Ok(pem) => pem,
                Err(e) => {
                    return invalid("hubCa", format!("cannot read {path:?}: {e}; give the hub's PEM certificate file"))
                }
            };
            if let Err(e) = server::remote::check_root(&pem) {
                return invalid("hubCa", format!("{path:?}: {e}"));
            }
        }
        Ok(())
    }
}

/// The saved settings and secrets, as read from their stores.
#[derive(Clone, Debug, Default)]
pub struct Saved {
    pub settings: Settings,
    /// `Secret` keeps the values out of `Debug`.
    pub secrets: BTreeMap<SecretName, Secret>,
}

/// A digest of an effective configuration, to tell whether the saved one differs from the one the
/// session started with. Secrets enter it only as hashes of their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint(String);

/// What the running session was started from, for `restartNeeded`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    /// The session has not read its configuration yet.
    Pending,
    /// The saved settings could not be read when the session started, so it did not start from them.
    Unreadable,
    From(Fingerprint),
}

/// A value from the environment, read the way the session reads it (a blank variable is unset).
fn env_value(env: &dyn Env, var: &str) -> Option<String> {
    env(var).filter(|v| !v.trim().is_empty())
}

impl Saved {
    /// The saved values by the `ANCHORDESK_*` variable they stand for.
    fn vars(&self) -> HashMap<&'static str, String> {
        let settings = self.settings.vars().into_iter().filter_map(|(_, var, v)| Some((var, v?)));
        let secrets = self.secrets.iter().map(|(name, s)| (name.var(), s.expose().to_string()));
        settings.chain(secrets).collect()
    }

    /// The effective configuration as the session reads it: the environment first, then what is saved.
    pub fn lookup<'a>(&self, env: &'a dyn Env) -> impl Fn(&str) -> Option<String> + 'a {
        let saved = self.vars();
        move |k| env_value(env, k).or_else(|| saved.get(k).cloned())
    }

    /// The session's configuration from the environment and these saved values, with the session's own
    /// checks (its messages name the variable).
    pub fn session_config(&self, data_dir: PathBuf, env: &dyn Env) -> std::result::Result<SessionConfig, String> {
        SessionConfig::from_env(data_dir, self.lookup(env))
    }

    /// What the console runs: a remote hub's client when a hub URL is set, else its own hub.
    pub fn console_config(&self, data_dir: PathBuf, env: &dyn Env) -> std::result::Result<ConsoleConfig, String> {
        ConsoleConfig::from_env(data_dir, self.lookup(env))
    }

    pub fn fingerprint(&self, env: &dyn Env) -> Fingerprint {
        let lookup = self.lookup(env);
        let mut digest = Sha256::new();
        for (_, var) in variables() {
            let value = lookup(var).map(|v| hex::encode(Sha256::digest(v.trim().as_bytes())));
            digest.update(format!("{var}={}\n", value.as_deref().unwrap_or("-")));
        }
        Fingerprint(hex::encode(digest.finalize()))
    }

    fn mode(&self, env: &dyn Env) -> ConsoleMode {
        let lookup = self.lookup(env);
        if lookup("ANCHORDESK_HUB_URL").is_some() {
            return ConsoleMode::Remote;
        }
        match lookup("ANCHORDESK_SDKAPPID") {
            Some(_) => ConsoleMode::Tencent,
            None => ConsoleMode::Sandbox,
        }
    }
}

/// Every name the settings page sets (a [`Settings`] field or a [`SecretName`]) with the `ANCHORDESK_*`
/// variable it stands for.
fn variables() -> impl Iterator<Item = (&'static str, &'static str)> {
    let settings = Settings::default().vars().into_iter().map(|(field, var, _)| (field, var));
    settings.chain(SecretName::ALL.into_iter().map(|name| (name.as_str(), name.var())))
}

/// Which settings fields and secrets the environment overrides.
fn from_env(env: &dyn Env) -> Vec<String> {
    variables().filter(|(_, var)| env_value(env, var).is_some()).map(|(field, _)| field.to_string()).collect()
}

/// A checked save: the saved state before, everything after it, and the secrets to store or forget.
struct Prepared {
    old: Saved,
    next: Saved,
    wanted: BTreeMap<SecretName, Option<Secret>>,
}

/// The data folder's saved settings and its secret store, chosen once when it is opened.
pub struct SettingsFolder {
    dir: PathBuf,
    vault: Box<dyn vault::Vault>,
    /// Serialises saves (two windows may save at once), so that each reads what the other wrote. A
    /// std mutex: it is only held by blocking code, across file and keychain I/O.
    saving: Mutex<()>,
}

impl SettingsFolder {
    /// Opens `dir`'s settings, with the secrets in `keychain` when it answers, else in `secrets.json`.
    /// Blocks (the keychain is asked once, here): call it off the async runtime's threads.
    pub fn open(dir: PathBuf, keychain: Option<Arc<keyring::CredentialBuilder>>) -> Self {
        let vault = vault::open(&dir, keychain);
        Self { dir, vault, saving: Mutex::new(()) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn secret_store(&self) -> SecretStore {
        self.vault.store()
    }

    /// Reads the saved settings and secrets (none saved is the defaults).
    pub fn load(&self) -> Result<Saved> {
        Ok(Saved { settings: file::read_settings(&self.dir)?, secrets: self.vault.read()? })
    }

    pub fn view(&self, env: &dyn Env, started: &Started) -> Result<SettingsView> {
        let saved = self.load()?;
        let restart_needed = match started {
            Started::Pending => false,
            Started::Unreadable => true,
            Started::From(running) => *running != saved.fingerprint(env),
        };
        Ok(SettingsView {
            secrets_set: saved.secrets.keys().copied().collect(),
            secret_store: self.vault.store(),
            from_env: from_env(env),
            mode: saved.mode(env),
            restart_needed,
            settings: saved.settings,
        })
    }

    /// Whether `settings`, with some value for `secret`, would be saved: every check of
    /// [`SettingsFolder::save`], nothing written.
    pub fn check(&self, env: &dyn Env, settings: Settings, secret: SecretName) -> Result<()> {
        let probe = SecretChange { name: secret, value: Some("value-to-check".into()) };
        self.prepare(env, settings, vec![probe]).map(|_| ())
    }

    /// Whether joining a hub by invite could save `settings` (the hub's URL and certificate in them) with
    /// the token the hub will return: every check of [`SettingsFolder::save`], and the environment must
    /// not set the hub itself, since its URL, certificate or token would win over what joining saves
    /// (the console would then connect somewhere else, or with another token). Nothing written.
    pub fn check_join(&self, env: &dyn Env, settings: Settings) -> Result<()> {
        let hub_vars = [
            ("hubUrl", "ANCHORDESK_HUB_URL"),
            ("hubCa", "ANCHORDESK_HUB_CA"),
            (SecretName::HubToken.as_str(), SecretName::HubToken.var()),
        ];
        if let Some((field, var)) = hub_vars.into_iter().find(|(_, var)| env_value(env, var).is_some()) {
            return Err(Error::Invalid {
                field,
                message: format!(
                    "{var} is set in this computer's environment and would win over the hub you join; unset it, then join"
                ),
            });
        }
        self.check(env, settings, SecretName::HubToken)
    }

    /// The checks of a save, and what it would write.
    fn prepare(&self, env: &dyn Env, settings: Settings, changes: Vec<SecretChange>) -> Result<Prepared> {
        let settings = settings.normalized();
        settings.check()?;
        let mut wanted: BTreeMap<SecretName, Option<Secret>> = BTreeMap::new();
        for SecretChange { name, value } in changes {
            let value = value.map(|v| v.trim().to_string());
            if value.as_deref() == Some("") {
                return Err(Error::Invalid {
                    field: name.as_str(),
                    message: "the new value is empty; to remove the stored one, forget it instead".into(),
                });
            }
            wanted.insert(name, value.map(Secret::new));
        }
        let old = self.load()?;
        let mut next = Saved { settings, secrets: old.secrets.clone() };
        for (name, value) in &wanted {
            match value {
                Some(v) => next.secrets.insert(*name, v.clone()),
                None => next.secrets.remove(name),
            };
        }
        let lookup = next.lookup(env);
        let remote = lookup("ANCHORDESK_HUB_URL").is_some();
        if !remote && lookup("ANCHORDESK_SDKAPPID").is_some() && lookup(SecretName::ImSecretKey.var()).is_none() {
            return Err(Error::Invalid {
                field: SecretName::ImSecretKey.as_str(),
                message: "Tencent mode (an SDKAppID is set) needs the IM secret key; copy it from the IM console"
                    .into(),
            });
        }
        if remote && lookup(SecretName::HubToken.var()).is_none() {
            return Err(Error::Invalid {
                field: SecretName::HubToken.as_str(),
                message: "a remote hub (hubUrl) needs this console's token: paste the one from your invite".into(),
            });
        }
        next.console_config(self.dir.clone(), env).map_err(Error::Config)?;

        Ok(Prepared { old, next, wanted })
    }

    /// Checks `settings` and `changes` (alone, then together with the environment and the secrets
    /// kept, as the session would at start) and only then saves them: the secrets first, then
    /// settings.json, the secrets restored if settings.json cannot be written.
    pub fn save(&self, env: &dyn Env, settings: Settings, changes: Vec<SecretChange>) -> Result<()> {
        let _saving = self.saving.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Prepared { old, next, wanted } = self.prepare(env, settings, changes)?;
        self.vault.write(&wanted)?;
        if let Err(e) = file::write_settings(&self.dir, &next.settings) {
            let undo = wanted.keys().map(|name| (*name, old.secrets.get(name).cloned())).collect();
            if let Err(undo_error) = self.vault.write(&undo) {
                tracing::error!(error = %undo_error, "the secrets saved with unsaved settings could not be restored");
            }
            return Err(e);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_and_secret_stands_for_a_variable_the_console_reads() {
        for (name, var) in variables() {
            let key = var.strip_prefix("ANCHORDESK_").unwrap_or(var).to_ascii_lowercase();
            let read = server::session::FILE_KEYS.contains(&key.as_str())
                || server::remote::RemoteConfig::ENV_KEYS.contains(&var);
            assert!(read, "{name}'s {var} is not a variable the session or a remote console reads");
        }
    }
}
