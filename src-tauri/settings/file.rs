//! Why: the files in the data folder must survive a crash in the middle of a save and a hand edit gone
//! wrong. Every write goes to a temporary file in the same folder, is flushed, then renamed over the
//! old one (all or nothing); a file that cannot be read is an error naming it, and is left alone.
//! Each file carries `"version"` so a later format can migrate what it reads.

use std::io::Write;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Error, Result, Settings, SETTINGS_VERSION};

pub const SETTINGS_FILE: &str = "settings.json";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    version: u64,
    settings: Settings,
}

/// The saved settings; none saved yet is the defaults.
pub fn read_settings(dir: &Path) -> Result<Settings> {
    let path = dir.join(SETTINGS_FILE);
    Ok(read_versioned::<SettingsFile>(&path, |e| e.to_string())?.map(|f| f.settings).unwrap_or_default())
}

pub fn write_settings(dir: &Path, settings: &Settings) -> Result<()> {
    let file = SettingsFile { version: SETTINGS_VERSION, settings: settings.clone() };
    write_json(&dir.join(SETTINGS_FILE), &file)
}

/// Reads a versioned JSON file: `None` when there is none. `describe` turns a decoding error into the
/// reason shown (for a file holding secrets, one that cannot quote the file's content).
pub fn read_versioned<T: DeserializeOwned>(
    path: &Path,
    describe: impl Fn(&serde_json::Error) -> String,
) -> Result<Option<T>> {
    let unreadable = |reason: String| Error::Unreadable { path: path.display().to_string(), reason };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Io { action: "read", path: path.display().to_string(), source }),
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| unreadable(describe(&e)))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(SETTINGS_VERSION) => serde_json::from_value(value).map(Some).map_err(|e| unreadable(describe(&e))),
        Some(version) if version > SETTINGS_VERSION => Err(Error::Newer { path: path.display().to_string(), version }),
        _ => {
            Err(unreadable(format!("its \"version\" is missing or unknown; this AnchorDesk reads {SETTINGS_VERSION}")))
        }
    }
}

/// Writes `value` as pretty JSON to `path`, atomically, readable and writable by this user only.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("settings serialise to JSON");
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |action| move |source| Error::Io { action, path: path.display().to_string(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("create the folder of"))?;
    // tempfile creates the file with mode 0600 on Unix, so a secret is never readable by others, even
    // between this write and the rename.
    let mut tmp =
        tempfile::Builder::new().prefix(".anchordesk-").suffix(".tmp").tempfile_in(dir).map_err(io("write"))?;
    tmp.write_all(bytes).map_err(io("write"))?;
    tmp.as_file().sync_all().map_err(io("write"))?;
    tmp.persist(path).map_err(|e| e.error).map_err(io("replace"))?;
    restrict(path)?;
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        // The rename itself reaches the disk only when the folder is flushed.
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Makes `path` readable and writable by its owner only (Unix; elsewhere the user's profile folder
/// already is private). Run after every write and before every read of the secrets, so a file whose
/// mode was loosened by hand or by a copy is closed again.
pub fn restrict(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let io = |source| Error::Io { action: "restrict the permissions of", path: path.display().to_string(), source };
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
        if mode & 0o777 != 0o600 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
