//! Why: secrets belong in the OS keychain (macOS Keychain, Windows Credential Manager, the freedesktop
//! Secret Service on Linux), but a headless machine or a desktop without a keyring daemon has none, and
//! the console must still run there. So the keychain is asked once when the settings are opened; when
//! it does not answer, secrets go to `secrets.json` in the data folder, mode 0600.
//!
//! Invariants: a secret is in one store only. When the keychain answers again after a run without it,
//! what `secrets.json` holds (written later than anything in the keychain) moves into the keychain and
//! the file is removed; if that cannot be done completely it is undone and the file stays in use.
//! Keychain entries are named `<data folder>/<secretName>` under the service "AnchorDesk", so two data
//! folders never share a secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use im::Secret;
use keyring::credential::{CredentialBuilder, CredentialPersistence};
use serde::{Deserialize, Serialize};

use super::file::{read_versioned, restrict, write_json};
use super::{Error, Result, SecretName, SecretStore, SETTINGS_VERSION};

/// The keychain service every AnchorDesk secret is filed under.
pub const KEYCHAIN_SERVICE: &str = "AnchorDesk";
pub const SECRETS_FILE: &str = "secrets.json";

/// Where the secrets are kept.
pub(super) trait Vault: Send + Sync {
    fn store(&self) -> SecretStore;
    fn read(&self) -> Result<BTreeMap<SecretName, Secret>>;
    /// Stores each `Some` and forgets each `None`; on failure, what was changed is put back.
    fn write(&self, changes: &BTreeMap<SecretName, Option<Secret>>) -> Result<()>;
}

/// This platform's keychain: the Secret Service on Linux, the native stores on macOS and Windows. On
/// other targets keyring's default is an in-memory mock, which [`open`] refuses as not persistent.
pub fn system_keychain() -> Arc<CredentialBuilder> {
    Arc::from(keyring::default::default_credential_builder())
}

/// Chooses the store for `dir`: `keychain` if it answers, else `secrets.json`.
pub(super) fn open(dir: &Path, keychain: Option<Arc<CredentialBuilder>>) -> Box<dyn Vault> {
    let file = SecretsFile { path: dir.join(SECRETS_FILE) };
    let Some(builder) = keychain else { return Box::new(file) };
    let keychain = Keychain { builder, folder: folder_name(dir) };
    if let Err(reason) = keychain.probe() {
        tracing::info!(%reason, file = %file.path.display(), "no OS keychain; secrets are kept in a file only this user can read");
        return Box::new(file);
    }
    match move_into(&file, &keychain) {
        Ok(()) => Box::new(keychain),
        Err(e) => {
            tracing::warn!(error = %e, "the secrets in the file could not move into the OS keychain; they stay in the file");
            Box::new(file)
        }
    }
}

/// The data folder as the keychain entries name it: its full path, so that entries are recognisable
/// in the OS's keychain viewer and two folders never collide.
fn folder_name(dir: &Path) -> String {
    let _ = std::fs::create_dir_all(dir);
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()).display().to_string()
}

/// Moves what `secrets.json` holds into the keychain and removes the file; undone if either step fails.
fn move_into(file: &SecretsFile, keychain: &Keychain) -> Result<()> {
    let moving = file.read()?;
    if moving.is_empty() {
        return file.remove();
    }
    let before: BTreeMap<_, _> = moving.keys().map(|name| Ok((*name, keychain.get(*name)?))).collect::<Result<_>>()?;
    keychain.write(&moving.iter().map(|(name, value)| (*name, Some(value.clone()))).collect())?;
    if let Err(e) = file.remove() {
        if let Err(undo) = keychain.write(&before) {
            tracing::error!(error = %undo, "secrets copied into the OS keychain could not be taken back");
        }
        return Err(e);
    }
    tracing::info!(count = moving.len(), "moved the secrets from secrets.json into the OS keychain");
    Ok(())
}

struct Keychain {
    builder: Arc<CredentialBuilder>,
    folder: String,
}

impl Keychain {
    /// Whether the keychain answers: a lookup that finds nothing is an answer; a store that forgets on
    /// exit (keyring's mock, the kernel keyring) does not count.
    fn probe(&self) -> std::result::Result<(), String> {
        if !matches!(self.builder.persistence(), CredentialPersistence::UntilDelete) {
            return Err("the credential store does not keep secrets across restarts".into());
        }
        let account = format!("{}/probe", self.folder);
        match self.builder.build(None, KEYCHAIN_SERVICE, &account).and_then(|c| c.get_password()) {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn credential(&self, name: SecretName) -> keyring::Result<Box<keyring::Credential>> {
        self.builder.build(None, KEYCHAIN_SERVICE, &format!("{}/{}", self.folder, name.as_str()))
    }

    fn get(&self, name: SecretName) -> Result<Option<Secret>> {
        match self.credential(name).and_then(|c| c.get_password()) {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(source) => Err(Error::Keychain { action: "read", name: name.as_str(), source }),
        }
    }

    fn set(&self, name: SecretName, value: Option<&Secret>) -> Result<()> {
        let result = self.credential(name).and_then(|c| match value {
            Some(v) => c.set_password(v.expose()),
            None => match c.delete_credential() {
                Err(keyring::Error::NoEntry) => Ok(()),
                other => other,
            },
        });
        let action = if value.is_some() { "store" } else { "forget" };
        result.map_err(|source| Error::Keychain { action, name: name.as_str(), source })
    }
}

impl Vault for Keychain {
    fn store(&self) -> SecretStore {
        SecretStore::Keychain
    }

    fn read(&self) -> Result<BTreeMap<SecretName, Secret>> {
        let mut out = BTreeMap::new();
        for name in SecretName::ALL {
            if let Some(value) = self.get(name)? {
                out.insert(name, value);
            }
        }
        Ok(out)
    }

    fn write(&self, changes: &BTreeMap<SecretName, Option<Secret>>) -> Result<()> {
        let mut before = Vec::new();
        for name in changes.keys() {
            before.push((*name, self.get(*name)?));
        }
        for (done, (name, value)) in changes.iter().enumerate() {
            if let Err(e) = self.set(*name, value.as_ref()) {
                for (name, old) in &before[..done] {
                    if let Err(undo) = self.set(*name, old.as_ref()) {
                        tracing::error!(error = %undo, "a secret changed in the OS keychain could not be put back");
                    }
                }
                return Err(e);
            }
        }
        Ok(())
    }
}

/// `secrets.json`: `{"version": 1, "secrets": {"imSecretKey": "…"}}`, mode 0600.
struct SecretsFile {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsJson {
    version: u64,
    secrets: BTreeMap<SecretName, String>,
}

impl SecretsFile {
    fn remove(&self) -> Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::Io { action: "remove", path: self.path.display().to_string(), source: e })
            }
            _ => Ok(()),
        }
    }
}

/// Why secrets.json cannot be read, without quoting it: serde's messages can include the values.
fn describe_secrets_error(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Data => {
            "it holds something other than AnchorDesk's secrets: an unknown name, or a value that is not text".into()
        }
        _ => format!("it is not valid JSON (line {}, column {})", e.line(), e.column()),
    }
}

impl Vault for SecretsFile {
    fn store(&self) -> SecretStore {
        SecretStore::File
    }

    fn read(&self) -> Result<BTreeMap<SecretName, Secret>> {
        if self.path.exists() {
            restrict(&self.path)?;
        }
        let file: Option<SecretsJson> = read_versioned(&self.path, describe_secrets_error)?;
        Ok(file
            .map(|f| f.secrets.into_iter().map(|(name, value)| (name, Secret::new(value))).collect())
            .unwrap_or_default())
    }

    fn write(&self, changes: &BTreeMap<SecretName, Option<Secret>>) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut all = self.read()?;
        for (name, value) in changes {
            match value {
                Some(v) => all.insert(*name, v.clone()),
                None => all.remove(name),
            };
        }
        if all.is_empty() {
            return self.remove();
        }
        let secrets = all.into_iter().map(|(name, value)| (name, value.expose().to_string())).collect();
        write_json(&self.path, &SecretsJson { version: SETTINGS_VERSION, secrets })
    }
}
