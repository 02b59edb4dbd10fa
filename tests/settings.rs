//! Saved settings, end to end: real files in temporary data folders, the file store for secrets for
//! real and the keychain path through keyring's own credential-builder interface (an in-memory
//! keychain here, the OS's in the app). The last tests drive the app's IPC commands headlessly on
//! `tauri::test`'s mock runtime: the settings commands when the session failed to start, a session
//! started from saved settings (on the sandbox, with real ports on 127.0.0.1), the chat window, and
//! two windows following the room at once; and joining a team's hub by invite (`hub_join`) against a
//! real hub on 127.0.0.1: what is saved (the token only as a secret), the hub's refusals, and the
//! refusals that come before the invite is spent.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anchordesk_lib::chat::{self, ChatWindow};
use anchordesk_lib::settings::{
    SecretChange, SecretName, SecretStore, Settings, SettingsFolder, SettingsView, Started, KEYCHAIN_SERVICE,
    SECRETS_FILE, SETTINGS_FILE,
};
use anchordesk_lib::Launch;
use keyring::credential::{Credential, CredentialApi, CredentialBuilder, CredentialBuilderApi, CredentialPersistence};
use room::{ErrorCode, WireError};
use serde_json::{json, Value};
use server::ConsoleMode;
use tauri::ipc::InvokeResponseBody;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{App, Listener, Manager, WebviewWindow, WebviewWindowBuilder};

mod support;
use support::free_port;
use support::ipc::ipc;

const KEY: &str = "im-secret-VALUE-9f3e";
const TOKEN: &str = "api-token-VALUE-71ab";

type Vars = HashMap<String, String>;

fn env(vars: &[(&str, &str)]) -> Vars {
    vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The environment as `SettingsFolder` reads it.
fn reader(vars: &Vars) -> impl Fn(&str) -> Option<String> + Send + Sync + '_ {
    move |k| vars.get(k).cloned()
}

fn set(name: SecretName, value: &str) -> SecretChange {
    SecretChange { name, value: Some(value.into()) }
}

fn forget(name: SecretName) -> SecretChange {
    SecretChange { name, value: None }
}

fn tencent() -> Settings {
    Settings {
        sdk_app_id: Some(1_400_000_000),
        im_region: Some("Seoul".into()),
        room_name: Some("Evening show".into()),
        hub_listen: Some("127.0.0.1:8690".into()),
        obs_url: Some("ws://127.0.0.1:4455".into()),
        auto_pause: Some(false),
        ..Settings::default()
    }
}

/// A keychain in memory behind keyring's own builder interface, shared by every credential it builds
/// (keyring's mock keeps each entry to itself, so it cannot stand for a store). It can refuse every
/// call (no keychain) or storing one secret (a failure in the middle of a save).
#[derive(Clone, Default)]
struct MemoryKeychain {
    items: Arc<Mutex<BTreeMap<(String, String), String>>>,
    unavailable: bool,
    refuse_to_store: Option<&'static str>,
}

struct MemoryCredential {
    key: (String, String),
    keychain: MemoryKeychain,
}

impl MemoryKeychain {
    fn builder(&self) -> Arc<CredentialBuilder> {
        Arc::new(self.clone())
    }
    fn items(&self) -> BTreeMap<(String, String), String> {
        self.items.lock().unwrap().clone()
    }
    fn platform_failure() -> keyring::Error {
        keyring::Error::PlatformFailure("no secret service on this bus".into())
    }
}

impl CredentialBuilderApi for MemoryKeychain {
    fn build(&self, _target: Option<&str>, service: &str, user: &str) -> keyring::Result<Box<Credential>> {
        Ok(Box::new(MemoryCredential { key: (service.into(), user.into()), keychain: self.clone() }))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn persistence(&self) -> CredentialPersistence {
        CredentialPersistence::UntilDelete
    }
}

impl CredentialApi for MemoryCredential {
    fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
        if self.keychain.unavailable {
            return Err(MemoryKeychain::platform_failure());
        }
        if self.keychain.refuse_to_store.is_some_and(|name| self.key.1.ends_with(&format!("/{name}"))) {
            return Err(keyring::Error::NoStorageAccess("the keychain is locked".into()));
        }
        let value = String::from_utf8(secret.to_vec()).unwrap();
        self.keychain.items.lock().unwrap().insert(self.key.clone(), value);
        Ok(())
    }
    fn get_secret(&self) -> keyring::Result<Vec<u8>> {
        if self.keychain.unavailable {
            return Err(MemoryKeychain::platform_failure());
        }
        self.keychain
            .items
            .lock()
            .unwrap()
            .get(&self.key)
            .map(|v| v.clone().into_bytes())
            .ok_or(keyring::Error::NoEntry)
    }
    fn delete_credential(&self) -> keyring::Result<()> {
        if self.keychain.unavailable {
            return Err(MemoryKeychain::platform_failure());
        }
        self.keychain.items.lock().unwrap().remove(&self.key).map(|_| ()).ok_or(keyring::Error::NoEntry)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn account(dir: &Path, name: SecretName) -> (String, String) {
    (KEYCHAIN_SERVICE.to_string(), format!("{}/{}", dir.canonicalize().unwrap().display(), name.as_str()))
}

fn invalid(e: anchordesk_lib::settings::Error) -> String {
    let wire = WireError::from(e);
    assert_eq!(wire.code, ErrorCode::Invalid, "a refusal the anchor can fix is `invalid`: {}", wire.message);
    wire.message
}

#[test]
fn saved_settings_and_secrets_come_back_after_a_restart_and_the_view_shows_no_secret_value() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[]);
    let folder = SettingsFolder::open(dir.path().into(), None);
    folder
        .save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY), set(SecretName::ApiToken, TOKEN)])
        .unwrap();

    let reopened = SettingsFolder::open(dir.path().into(), None);
    let view = reopened.view(&reader(&vars), &Started::Pending).unwrap();
    let mut want = tencent();
    want.im_region = Some("seoul".into());
    assert_eq!(view.settings, want, "what was saved comes back, the region spelled as the session spells it");
    assert_eq!(view.secrets_set, vec![SecretName::ImSecretKey, SecretName::ApiToken]);
    assert_eq!(view.secret_store, SecretStore::File, "no keychain was given");
    assert_eq!(view.mode, ConsoleMode::Tencent, "a saved SDKAppID runs Tencent");
    assert!(view.from_env.is_empty());
    let json = serde_json::to_string(&view).unwrap();
    assert!(!json.contains(KEY) && !json.contains(TOKEN), "the view carries no secret value: {json}");

    let file: Value = serde_json::from_slice(&std::fs::read(dir.path().join(SETTINGS_FILE)).unwrap()).unwrap();
    assert_eq!(file["version"], 1, "settings.json is versioned for a later migration");
    assert_eq!(file["settings"]["roomName"], "Evening show");
    let text = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
    assert!(!text.contains(KEY), "settings.json holds no secret");

    let saved = reopened.load().unwrap();
    let config = saved.session_config(dir.path().into(), &reader(&vars)).unwrap();
    let server::ImBackend::Tencent { sdkappid, base_url, secret_key, .. } = config.backend else {
        panic!("the saved SDKAppID and key select Tencent")
    };
    assert_eq!((sdkappid, base_url.as_str()), (1_400_000_000, "https://adminapikr.im.qcloud.com"));
    assert_eq!(secret_key.expose(), KEY, "the session gets the secret itself");
    assert_eq!(config.api_token.unwrap().expose(), TOKEN);
    assert!(!config.stream.auto_pause, "autoPause false reaches the session as off");
    assert_eq!(config.room_name, "Evening show");

    let cleared = Settings { room_name: Some("   ".into()), ..tencent() };
    reopened.save(&reader(&vars), cleared, vec![forget(SecretName::ApiToken)]).unwrap();
    let view = reopened.view(&reader(&vars), &Started::Pending).unwrap();
    assert_eq!(view.settings.room_name, None, "a blank field is not set, so the default applies");
    assert_eq!(view.secrets_set, vec![SecretName::ImSecretKey], "a forgotten secret is gone");
}

#[test]
fn the_environment_wins_over_saved_settings_and_is_listed_in_from_env() {
    let dir = tempfile::tempdir().unwrap();
    let folder = SettingsFolder::open(dir.path().into(), None);
    let none = env(&[]);
    folder.save(&reader(&none), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap();

    let vars = env(&[
        ("ANCHORDESK_ROOM_NAME", "From the environment"),
        ("ANCHORDESK_IM_SECRET_KEY", "env-key"),
        ("ANCHORDESK_OBS_PASSWORD", "   "),
    ]);
    let view = folder.view(&reader(&vars), &Started::Pending).unwrap();
    assert_eq!(
        view.from_env,
        vec!["roomName".to_string(), "imSecretKey".to_string()],
        "the fields a variable overrides; a blank variable overrides nothing, as at start"
    );
    assert_eq!(view.settings.room_name.as_deref(), Some("Evening show"), "the view shows what is saved");

    let config = folder.load().unwrap().session_config(dir.path().into(), &reader(&vars)).unwrap();
    assert_eq!(config.room_name, "From the environment", "the environment wins");
    let server::ImBackend::Tencent { secret_key, .. } = config.backend else { panic!("Tencent") };
    assert_eq!(secret_key.expose(), "env-key", "a secret from the environment wins over the stored one");
    assert_eq!(
        config.hub_listen.to_string(),
        "127.0.0.1:8690",
        "what the environment leaves unset comes from the file"
    );

    let sandbox = env(&[("ANCHORDESK_SDKAPPID", "")]);
    let none = SettingsFolder::open(tempfile::tempdir().unwrap().path().into(), None);
    assert_eq!(none.view(&reader(&sandbox), &Started::Pending).unwrap().mode, ConsoleMode::Sandbox);
}

#[test]
fn invalid_input_is_refused_naming_the_field_and_what_was_saved_stays() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[]);
    let folder = SettingsFolder::open(dir.path().into(), None);
    folder.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap();
    let settings_before = std::fs::read(dir.path().join(SETTINGS_FILE)).unwrap();
    let secrets_before = std::fs::read(dir.path().join(SECRETS_FILE)).unwrap();

    let cases: Vec<(Settings, Vec<SecretChange>, &str, &str)> = vec![
        (Settings { im_region: Some("mars".into()), ..tencent() }, vec![], "imRegion:", "use one of china"),
        (Settings { obs_url: Some("http://127.0.0.1:4455".into()), ..tencent() }, vec![], "obsUrl:", "ws://"),
        (Settings { hub_listen: Some("localhost".into()), ..tencent() }, vec![], "hubListen:", "127.0.0.1:8690"),
        (
            Settings { hub_public_url: Some("http://hub.example.com:8690".into()), ..tencent() },
            vec![],
            "hubPublicUrl:",
            "use https://",
        ),
        (Settings { sdk_app_id: Some(-5), ..tencent() }, vec![], "sdkAppId:", "positive"),
        (Settings { sdk_app_id: Some(0), ..tencent() }, vec![], "sdkAppId:", "positive"),
        (Settings { push_valid_for: Some("forever".into()), ..tencent() }, vec![], "pushValidFor:", "24h"),
        (Settings { im_endpoint: Some("adminapi.example".into()), ..tencent() }, vec![], "imEndpoint:", "https://"),
        (
            Settings { push_domain: Some("rtmp://push.example.com".into()), ..tencent() },
            vec![],
            "pushDomain:",
            "domain alone",
        ),
        (Settings { room_name: Some("直播间直播间直播间直播间直播间".into()), ..tencent() }, vec![], "roomName:", "30"),
        (tencent(), vec![forget(SecretName::ImSecretKey)], "imSecretKey:", "IM secret key"),
        (tencent(), vec![set(SecretName::ApiToken, "  ")], "apiToken:", "forget it instead"),
        (
            Settings { im_region: Some("mars".into()), ..tencent() },
            vec![set(SecretName::ApiToken, TOKEN)],
            "imRegion:",
            "use one of",
        ),
    ];
    for (settings, secrets, field, hint) in cases {
        let message = invalid(folder.save(&reader(&vars), settings, secrets).unwrap_err());
        assert!(message.starts_with(field), "the refusal names the field {field}: {message}");
        assert!(message.contains(hint), "the refusal says what to write ({hint}): {message}");
        assert!(!message.contains(KEY) && !message.contains(TOKEN), "no secret in a refusal: {message}");
    }

    // What the environment holds is checked too, as the session would at start.
    let broken = env(&[("ANCHORDESK_CALLBACK_FAILURE", "maybe")]);
    let message = invalid(folder.save(&reader(&broken), tencent(), vec![]).unwrap_err());
    assert!(message.contains("ANCHORDESK_CALLBACK_FAILURE") && message.contains("allow or refuse"), "{message}");

    assert_eq!(std::fs::read(dir.path().join(SETTINGS_FILE)).unwrap(), settings_before, "settings.json untouched");
    assert_eq!(std::fs::read(dir.path().join(SECRETS_FILE)).unwrap(), secrets_before, "secrets.json untouched");
    assert_eq!(folder.load().unwrap().secrets.len(), 1, "the refused token was not stored");
}

#[test]
fn a_remote_hub_is_saved_with_its_token_as_a_secret_and_an_address_in_clear_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folder = SettingsFolder::open(dir.path().into(), None);
    let none = |_: &str| None::<String>;
    let remote = |url: &str| Settings { hub_url: Some(url.into()), ..Settings::default() };
    let token = || vec![set(SecretName::HubToken, "adp_TOKEN-VALUE")];

    let e = invalid(folder.save(&none, remote("http://hub.example.com:8690"), token()).unwrap_err());
    assert!(e.starts_with("hubUrl:") && e.contains("use https://"), "{e}");
    let e = invalid(folder.save(&none, remote("https://hub.example.com"), vec![]).unwrap_err());
    assert!(e.starts_with("hubToken:"), "a remote hub needs the console's token: {e}");
    std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
    let junk = Settings {
        hub_ca: Some(dir.path().join("junk.pem").display().to_string()),
        ..remote("https://hub.example.com")
    };
    let e = invalid(folder.save(&none, junk, token()).unwrap_err());
    assert!(e.starts_with("hubCa:") && e.contains("no certificate"), "{e}");
    assert_eq!(folder.load().unwrap().settings, Settings::default(), "nothing refused was saved");

    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap().cert.pem();
    std::fs::write(dir.path().join("hub.pem"), cert).unwrap();
    let good = Settings {
        hub_ca: Some(dir.path().join("hub.pem").display().to_string()),
        ..remote(" https://hub.example.com ")
    };
    folder.save(&none, good, token()).expect("a remote hub with its token and root is saved");
    let v = folder.view(&none, &Started::Pending).unwrap();
    assert_eq!(v.settings.hub_url.as_deref(), Some("https://hub.example.com"), "trimmed");
    assert_eq!((v.mode, v.secrets_set), (ConsoleMode::Remote, vec![SecretName::HubToken]));
    let file = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
    assert!(file.contains("hubUrl") && !file.contains("adp_TOKEN-VALUE"), "the token is a secret, not a setting");
    let loopback = remote("http://127.0.0.1:8690");
    folder.save(&none, loopback, vec![]).expect("http:// to this machine is fine, the token kept");
}

#[test]
fn secrets_never_show_in_views_errors_or_debug_output() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[]);
    let folder = SettingsFolder::open(dir.path().into(), None);
    let changes = vec![set(SecretName::ImSecretKey, KEY), set(SecretName::ObsPassword, TOKEN)];
    let debug = format!("{changes:?}");
    assert!(!debug.contains(KEY) && !debug.contains(TOKEN) && debug.contains("ImSecretKey"), "{debug}");
    folder.save(&reader(&vars), tencent(), changes).unwrap();

    let saved = folder.load().unwrap();
    let debug = format!("{saved:?}");
    assert!(!debug.contains(KEY) && !debug.contains(TOKEN), "Saved's Debug hides the values: {debug}");
    let debug = format!("{:?}", folder.view(&reader(&vars), &Started::Pending).unwrap());
    assert!(!debug.contains(KEY) && !debug.contains(TOKEN), "{debug}");

    // A hand-broken secrets file is reported without quoting what is in it.
    let path = dir.path().join(SECRETS_FILE);
    std::fs::write(&path, format!(r#"{{"version": 1, "secrets": {{"imSecretKey": ["{KEY}"]}}}}"#)).unwrap();
    let message = invalid(folder.load().unwrap_err());
    assert!(message.contains(SECRETS_FILE) && !message.contains(KEY), "{message}");
    std::fs::write(&path, format!(r#"{{"version": 1, "secrets": "{KEY}"}}"#)).unwrap();
    let message = invalid(folder.load().unwrap_err());
    assert!(message.contains(SECRETS_FILE) && !message.contains(KEY), "{message}");
    std::fs::write(&path, format!(r#"{{"version": 1, "secrets": {{"imSecretKey": "{KEY}"#)).unwrap();
    let message = invalid(folder.load().unwrap_err());
    assert!(message.contains("not valid JSON") && !message.contains(KEY), "{message}");
}

#[cfg(unix)]
#[test]
fn the_secrets_file_is_readable_by_its_owner_only_and_is_closed_again_when_loosened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[]);
    let folder = SettingsFolder::open(dir.path().into(), None);
    folder.save(&reader(&vars), Settings::default(), vec![set(SecretName::CallbackToken, TOKEN)]).unwrap();
    let path = dir.path().join(SECRETS_FILE);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600, "secrets.json is created for its owner only");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(folder.load().unwrap().secrets.len(), 1);
    assert_eq!(mode(&path), 0o600, "reading it closes a loosened mode again");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    folder.save(&reader(&vars), Settings::default(), vec![set(SecretName::PlayKey, KEY)]).unwrap();
    assert_eq!(mode(&path), 0o600, "a save writes it 0600 whatever it was");

    folder
        .save(&reader(&vars), Settings::default(), vec![forget(SecretName::PlayKey), forget(SecretName::CallbackToken)])
        .unwrap();
    assert!(!path.exists(), "with no secret left there is no secrets file");
}

#[test]
fn a_corrupt_or_newer_settings_file_is_reported_by_name_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[]);
    let folder = SettingsFolder::open(dir.path().into(), None);
    let path = dir.path().join(SETTINGS_FILE);
    for (content, hint) in [
        ("{\"version\": 1, \"settings\": {\"roomName\": ", "EOF"),
        ("{\"version\": 1, \"settings\": {\"roomNme\": \"typo\"}}", "roomNme"),
        ("{\"settings\": {}}", "\"version\""),
        ("{\"version\": 7, \"settings\": {}}", "newer AnchorDesk"),
    ] {
        std::fs::write(&path, content).unwrap();
        let message = invalid(folder.view(&reader(&vars), &Started::Pending).unwrap_err());
        assert!(message.contains(&path.display().to_string()), "the error names the file: {message}");
        assert!(message.contains(hint), "and what is wrong ({hint}): {message}");
        let message =
            invalid(folder.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap_err());
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content, "the file is left exactly as it was");
        assert!(!dir.path().join(SECRETS_FILE).exists(), "and nothing else was saved with it");
    }
}

#[test]
fn restart_needed_follows_whether_the_saved_settings_differ_from_what_runs() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[("ANCHORDESK_PUSH_APP", "fromenv")]);
    let folder = SettingsFolder::open(dir.path().into(), None);
    folder.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap();
    let running = Started::From(folder.load().unwrap().fingerprint(&reader(&vars)));
    let view = |f: &SettingsFolder| f.view(&reader(&vars), &running).unwrap().restart_needed;
    assert!(!view(&folder), "what runs is what is saved");

    folder.save(&reader(&vars), Settings { room_name: Some("Another show".into()), ..tencent() }, vec![]).unwrap();
    assert!(view(&folder), "a changed setting needs a restart");
    folder.save(&reader(&vars), tencent(), vec![]).unwrap();
    assert!(!view(&folder), "changed back, nothing to restart for");

    folder.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, "another-key")]).unwrap();
    assert!(view(&folder), "a changed secret needs a restart");
    folder.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap();
    assert!(!view(&folder));

    folder.save(&reader(&vars), Settings { push_app: Some("saved".into()), ..tencent() }, vec![]).unwrap();
    assert!(!view(&folder), "a setting the environment overrides changes nothing that runs");

    assert!(!folder.view(&reader(&vars), &Started::Pending).unwrap().restart_needed, "nothing runs yet");
    assert!(
        folder.view(&reader(&vars), &Started::Unreadable).unwrap().restart_needed,
        "a session that could not read its settings did not start from them"
    );
}

#[test]
fn with_a_keychain_the_secrets_live_there_under_the_data_folder_and_never_in_a_file() {
    let keychain = MemoryKeychain::default();
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let vars = env(&[]);
    let first = SettingsFolder::open(one.path().into(), Some(keychain.builder()));
    let second = SettingsFolder::open(two.path().into(), Some(keychain.builder()));
    assert_eq!(first.secret_store(), SecretStore::Keychain);

    first.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap();
    second.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, "second-key")]).unwrap();
    let items = keychain.items();
    assert_eq!(items.get(&account(one.path(), SecretName::ImSecretKey)).map(String::as_str), Some(KEY));
    assert_eq!(
        items.get(&account(two.path(), SecretName::ImSecretKey)).map(String::as_str),
        Some("second-key"),
        "two data folders keep their own entries"
    );
    assert!(!one.path().join(SECRETS_FILE).exists(), "no copy of a secret in a file");
    assert!(!std::fs::read_to_string(one.path().join(SETTINGS_FILE)).unwrap().contains(KEY));

    let reopened = SettingsFolder::open(one.path().into(), Some(keychain.builder()));
    let view = reopened.view(&reader(&vars), &Started::Pending).unwrap();
    assert_eq!((view.secret_store, view.secrets_set), (SecretStore::Keychain, vec![SecretName::ImSecretKey]));
    assert_eq!(reopened.load().unwrap().secrets[&SecretName::ImSecretKey].expose(), KEY);

    reopened.save(&reader(&vars), Settings::default(), vec![forget(SecretName::ImSecretKey)]).unwrap();
    assert!(!keychain.items().contains_key(&account(one.path(), SecretName::ImSecretKey)), "forgotten in the keychain");
}

#[test]
fn secrets_kept_in_the_file_while_the_keychain_was_away_move_into_it_when_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[]);
    let away = MemoryKeychain { unavailable: true, ..MemoryKeychain::default() };
    let folder = SettingsFolder::open(dir.path().into(), Some(away.builder()));
    assert_eq!(folder.secret_store(), SecretStore::File, "a keychain that does not answer is not used");
    folder.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap();
    assert!(dir.path().join(SECRETS_FILE).exists());

    let back = MemoryKeychain { items: away.items.clone(), ..MemoryKeychain::default() };
    let folder = SettingsFolder::open(dir.path().into(), Some(back.builder()));
    assert_eq!(folder.secret_store(), SecretStore::Keychain);
    assert!(!dir.path().join(SECRETS_FILE).exists(), "the file is removed once its secrets are in the keychain");
    assert_eq!(back.items().get(&account(dir.path(), SecretName::ImSecretKey)).map(String::as_str), Some(KEY));
    assert_eq!(folder.load().unwrap().secrets[&SecretName::ImSecretKey].expose(), KEY, "nothing was lost");

    let mock = SettingsFolder::open(
        tempfile::tempdir().unwrap().path().into(),
        Some(keyring::mock::default_credential_builder().into()),
    );
    assert_eq!(
        mock.secret_store(),
        SecretStore::File,
        "a store that forgets on exit (keyring's mock) is not a keychain"
    );
}

#[test]
fn a_keychain_failing_in_the_middle_of_a_save_leaves_everything_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[]);
    let keychain = MemoryKeychain { refuse_to_store: Some("pushKey"), ..MemoryKeychain::default() };
    let folder = SettingsFolder::open(dir.path().into(), Some(keychain.builder()));
    folder.save(&reader(&vars), tencent(), vec![set(SecretName::ImSecretKey, KEY)]).unwrap();
    let before = (keychain.items(), std::fs::read(dir.path().join(SETTINGS_FILE)).unwrap());

    let changes = vec![set(SecretName::ImSecretKey, "new-key"), set(SecretName::PushKey, TOKEN)];
    let e = WireError::from(
        folder.save(&reader(&vars), Settings { room_name: Some("New".into()), ..tencent() }, changes).unwrap_err(),
    );
    assert_eq!(e.code, ErrorCode::Internal);
    assert!(
        e.message.contains("keychain") && e.message.contains("pushKey") && !e.message.contains(TOKEN),
        "{}",
        e.message
    );
    assert_eq!(
        (keychain.items(), std::fs::read(dir.path().join(SETTINGS_FILE)).unwrap()),
        before,
        "the key stored before the failure is put back, and settings.json is not written"
    );
}

/// The app's own keychain, asked the way the app asks it: from a blocking thread of a multi-threaded
/// tokio runtime (the Secret Service client starts a runtime of its own, which must not panic there).
/// It only looks an entry up, so on a desktop it leaves the real keychain as it was.
#[test]
fn the_system_keychain_is_asked_from_the_async_runtime_without_panicking_and_answers_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let started = Instant::now();
    let store = runtime.block_on(async move {
        tokio::task::spawn_blocking(move || {
            SettingsFolder::open(path, Some(anchordesk_lib::settings::system_keychain())).secret_store()
        })
        .await
        .expect("opening the settings with the system keychain does not panic")
    });
    assert!(started.elapsed() < Duration::from_secs(30), "the keychain answered in {:?}", started.elapsed());
    let no_session_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
        && std::env::var_os("XDG_RUNTIME_DIR").is_none_or(|d| !Path::new(&d).join("bus").exists());
    if cfg!(target_os = "linux") && no_session_bus {
        assert_eq!(store, SecretStore::File, "without a session bus there is no Secret Service to keep secrets");
    }
}

// ---- The app's commands, headless on tauri::test's mock runtime ----

/// The console's app on the mock runtime with `vars` as its environment and no keychain, after its
/// setup has run (which manages the state and starts the session in the background).
fn app(vars: Vars, keychain: Option<Arc<CredentialBuilder>>) -> App<MockRuntime> {
    app_with(mock_builder(), vars, keychain)
}

fn app_with(
    builder: tauri::Builder<MockRuntime>,
    vars: Vars,
    keychain: Option<Arc<CredentialBuilder>>,
) -> App<MockRuntime> {
    let launch = Launch { env: Arc::new(move |k| vars.get(k).cloned()), keychain };
    let mut app = anchordesk_lib::console(builder, launch).build(mock_context(noop_assets())).expect("the app builds");
    // Tauri runs the setup hook when the event loop starts; one (mock) iteration runs it.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    app
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default()).build().expect("a mock window")
}

/// Asks `app_info` until the session has started or failed (it answers `notReady` until then).
fn session_outcome(window: &WebviewWindow<MockRuntime>) -> Result<Value, WireError> {
    let started = Instant::now();
    loop {
        match ipc(window, "app_info", json!({})) {
            Ok(info) => return Ok(info),
            Err(e) => {
                let e: WireError = serde_json::from_value(e).expect("a wire error");
                if e.code != ErrorCode::NotReady {
                    return Err(e);
                }
            }
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the session neither started nor failed in 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn view(v: Value) -> SettingsView {
    serde_json::from_value(v).expect("a SettingsView")
}

#[test]
fn the_settings_commands_answer_when_the_session_failed_to_start_and_their_save_flips_restart_needed() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    let folder = SettingsFolder::open(dir.path().into(), None);
    let saved = Settings { hub_listen: Some(taken_addr.clone()), ..Settings::default() };
    folder.save(&|_: &str| None::<String>, saved, vec![]).unwrap();

    let vars = env(&[("ANCHORDESK_DATA_DIR", dir.path().to_str().unwrap()), ("ANCHORDESK_AUDIENCE", "off")]);
    let app = app(vars, None);
    let main = window(&app, "main");
    let failed = session_outcome(&main).expect_err("the saved hub address is taken, so the session cannot start");
    assert!(failed.message.contains(&taken_addr), "the session used the saved hubListen: {}", failed.message);

    let v = view(ipc(&main, "settings_get", json!({})).expect("settings_get works without a session"));
    assert_eq!(v.settings.hub_listen.as_deref(), Some(taken_addr.as_str()));
    assert_eq!((v.mode, v.secret_store, v.restart_needed), (ConsoleMode::Sandbox, SecretStore::File, false));

    let fixed = json!({"settings": {"hubListen": "127.0.0.1:0", "roomName": "Fixed"}, "secrets": [{"name": "apiToken", "value": TOKEN}]});
    let v = view(ipc(&main, "settings_save", fixed).expect("settings_save works without a session"));
    assert_eq!(v.settings.hub_listen.as_deref(), Some("127.0.0.1:0"));
    assert_eq!(v.secrets_set, vec![SecretName::ApiToken]);
    assert!(v.restart_needed, "the saved settings now differ from the ones the session started with");

    let refused = ipc(&main, "settings_save", json!({"settings": {"obsUrl": "obs.local"}, "secrets": []})).unwrap_err();
    let refused: WireError = serde_json::from_value(refused).unwrap();
    assert_eq!(refused.code, ErrorCode::Invalid);
    assert!(refused.message.starts_with("obsUrl:"), "{}", refused.message);
    let v = view(ipc(&main, "settings_get", json!({})).unwrap());
    assert_eq!(v.settings.room_name.as_deref(), Some("Fixed"), "the refused save changed nothing");
    drop(taken);
}

/// Records what the room's feed channels deliver, by window and channel.
#[derive(Clone, Default)]
struct Feeds(Arc<Mutex<Vec<(String, u32, Value)>>>);

impl Feeds {
    fn builder(&self) -> tauri::Builder<MockRuntime> {
        let feeds = self.clone();
        mock_builder().channel_interceptor(move |webview, callback, _index, body| {
            let InvokeResponseBody::Json(text) = body else { return false };
            feeds.0.lock().unwrap().push((
                webview.label().to_string(),
                callback.0,
                serde_json::from_str(text).unwrap(),
            ));
            true
        })
    }

    /// Waits until the channel `id` in `label` has delivered something `pick` recognises.
    fn wait<T>(&self, label: &str, id: u32, pick: impl Fn(&Value) -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            let found =
                self.0.lock().unwrap().iter().filter(|(l, c, _)| l == label && *c == id).find_map(|(_, _, v)| pick(v));
            if let Some(found) = found {
                return found;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{label}'s feed {id} did not deliver in 10 s");
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

fn snapshot_name(feed: &Value) -> Option<String> {
    (feed["type"] == "snapshot").then(|| feed["snapshot"]["name"].as_str().map(String::from)).flatten()
}

#[test]
fn a_session_starts_from_the_saved_settings_and_two_windows_follow_its_room_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let folder = SettingsFolder::open(dir.path().into(), None);
    let saved = Settings {
        room_name: Some("Saved show".into()),
        hub_listen: Some(format!("127.0.0.1:{port}")),
        ..Settings::default()
    };
    folder.save(&|_: &str| None::<String>, saved, vec![]).unwrap();

    let feeds = Feeds::default();
    let vars = env(&[("ANCHORDESK_DATA_DIR", dir.path().to_str().unwrap()), ("ANCHORDESK_AUDIENCE", "off")]);
    let app = app_with(feeds.builder(), vars, None);
    let main = window(&app, "main");
    let info = session_outcome(&main).expect("the session starts on the sandbox");
    assert_eq!(info["mode"], "sandbox");
    assert!(info["hubUrl"].as_str().unwrap().contains(&format!(":{port}")), "the hub listens where saved: {info}");
    let v = view(ipc(&main, "settings_get", json!({})).unwrap());
    assert!(!v.restart_needed, "the session runs what is saved");

    ipc(&main, "chat_pop_out", json!({})).expect("the chat pops out");
    let chat = app.get_webview_window(chat::LABEL).expect("the chat window exists");
    ipc(&main, "room_subscribe", json!({"onFeed": "__CHANNEL__:11"})).expect("main follows the room");
    ipc(&chat, "room_subscribe", json!({"onFeed": "__CHANNEL__:12"})).expect("the chat window follows the room");
    assert_eq!(feeds.wait("main", 11, snapshot_name), "Saved show", "the room was created with the saved name");
    assert_eq!(feeds.wait("chat", 12, snapshot_name), "Saved show");

    ipc(&chat, "room_set_notice", json!({"notice": "Both windows see this"}))
        .expect("the chat window acts on the room");
    let notice = |feed: &Value| feed.to_string().contains("Both windows see this").then_some(());
    feeds.wait("main", 11, notice);
    feeds.wait("chat", 12, notice);
}

#[test]
fn the_environment_wins_in_the_running_session_and_the_ui_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let folder = SettingsFolder::open(dir.path().into(), None);
    folder
        .save(
            &|_: &str| None::<String>,
            Settings { room_name: Some("Saved show".into()), ..Settings::default() },
            vec![],
        )
        .unwrap();

    let feeds = Feeds::default();
    let vars = env(&[
        ("ANCHORDESK_DATA_DIR", dir.path().to_str().unwrap()),
        ("ANCHORDESK_AUDIENCE", "off"),
        ("ANCHORDESK_ROOM_NAME", "Env show"),
    ]);
    let app = app_with(feeds.builder(), vars, Some(MemoryKeychain::default().builder()));
    let main = window(&app, "main");
    session_outcome(&main).expect("the session starts");
    ipc(&main, "room_subscribe", json!({"onFeed": "__CHANNEL__:3"})).unwrap();
    assert_eq!(feeds.wait("main", 3, snapshot_name), "Env show", "the environment wins over the saved name");
    let v = view(ipc(&main, "settings_get", json!({})).unwrap());
    assert_eq!(v.from_env, vec!["roomName".to_string()]);
    assert_eq!(v.secret_store, SecretStore::Keychain, "the launch's keychain answered");
    let v = view(ipc(&main, "settings_save", json!({"settings": {"roomName": "Another"}, "secrets": []})).unwrap());
    assert!(!v.restart_needed, "the environment overrides the changed field, so what runs would not change");
}

#[test]
fn the_chat_pops_out_once_and_the_ui_hears_it_open_and_close() {
    let dir = tempfile::tempdir().unwrap();
    let vars = env(&[("ANCHORDESK_DATA_DIR", dir.path().to_str().unwrap()), ("ANCHORDESK_CALLBACK_FAILURE", "maybe")]);
    let app = app(vars, None);
    let main = window(&app, "main");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    app.listen(chat::EVENT, move |e| {
        sink.lock().unwrap().push(serde_json::from_str::<ChatWindow>(e.payload()).unwrap())
    });

    ipc(&main, "chat_pop_out", json!({})).expect("the chat pops out without a session");
    ipc(&main, "chat_pop_out", json!({})).expect("a second pop-out focuses the first");
    let windows = app.webview_windows();
    assert_eq!(windows.len(), 2, "one chat window, not two: {:?}", windows.keys().collect::<Vec<_>>());
    let chat_window = &windows[chat::LABEL];
    assert_eq!(chat_window.url().unwrap().as_str(), "tauri://localhost/index.html?view=chat");
    assert_eq!(*heard.lock().unwrap(), vec![ChatWindow { open: true }], "opening is announced once");

    ipc(&main, "chat_pop_in", json!({})).expect("pop-in closes it");
    // The mock runtime never destroys a window; the real one sends `Destroyed` after the close.
    chat::on_window_event(&chat_window.as_ref().window(), &tauri::WindowEvent::Destroyed);
    assert_eq!(*heard.lock().unwrap(), vec![ChatWindow { open: true }, ChatWindow { open: false }]);

    let locale = ipc(&main, "system_locale", json!({})).unwrap();
    assert_eq!(locale, serde_json::to_value(sys_locale::get_locale()).unwrap());
}

// ---- Joining a team's hub by invite (`hub_join`), against a real hub on 127.0.0.1 ----

/// A hub (with its room on the sandbox) to join, and the owner's invites to it.
mod team {
    use reqwest::Method;
    use sandbox::Switches;

    use super::support::api::{call, room_url};
    use super::support::stack::{Stack, API_TOKEN};

    pub async fn hub() -> Stack {
        Stack::start(Switches::all()).await
    }

    /// The owner's single-use invite for a moderator (named, or naming themselves on joining): its code.
    pub async fn invite(s: &Stack, name: Option<&str>) -> String {
        let body = serde_json::json!({"role": "moderator", "name": name, "validForSecs": 600});
        let (status, invite) = call(&format!("{}/invites", room_url(s)), API_TOKEN, Method::POST, Some(body)).await;
        assert_eq!(status, 200, "the owner may invite: {invite}");
        invite["code"].as_str().expect("an invite has a code").to_string()
    }

    /// Who the hub says `token` is (`GET /api/v1/me`): the name, or None when it refuses the token.
    pub async fn who(s: &Stack, token: &str) -> Option<String> {
        let (status, me) = call(&format!("http://{}/api/v1/me", s.hub_addr), token, Method::GET, None).await;
        status.is_success().then(|| me["name"].as_str().unwrap().to_string())
    }
}

/// A console's app whose data folder is `dir`, its session started (on the sandbox), so that
/// `restartNeeded` compares with what runs.
fn started_app(dir: &Path, extra: &[(&str, &str)]) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let mut vars = env(&[("ANCHORDESK_DATA_DIR", dir.to_str().unwrap()), ("ANCHORDESK_AUDIENCE", "off")]);
    vars.extend(env(extra));
    let app = app(vars, None);
    let main = window(&app, "main");
    // Started or not (an environment naming a hub without its token does not start): either way the
    // app has read what it starts from.
    let _ = session_outcome(&main);
    (app, main)
}

fn join(
    window: &WebviewWindow<MockRuntime>,
    hub_url: &str,
    code: &str,
    hub_ca: Option<&str>,
) -> Result<Value, WireError> {
    let body = json!({"hubUrl": hub_url, "code": code, "name": null, "hubCa": hub_ca});
    ipc(window, "hub_join", body).map_err(|e| serde_json::from_value(e).expect("errors are {code, message}"))
}

/// What the data folder holds: settings.json and secrets.json, as bytes (None: no such file).
fn stored(dir: &Path) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    (std::fs::read(dir.join(SETTINGS_FILE)).ok(), std::fs::read(dir.join(SECRETS_FILE)).ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_by_invite_saves_the_hub_and_keeps_its_token_a_secret_for_the_next_start() {
    let s = team::hub().await;
    let code = team::invite(&s, Some("mod_kim")).await;
    let hub_url = format!("http://{}", s.hub_addr);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let (url, first_code) = (hub_url.clone(), code.clone());
    let answers = tokio::task::spawn_blocking(move || {
        let (_app, main) = started_app(&data, &[]);
        let before = view(ipc(&main, "settings_get", json!({})).unwrap());
        assert_eq!((before.mode, before.restart_needed), (ConsoleMode::Sandbox, false), "nothing saved yet");

        let joined =
            join(&main, &format!(" {url}/ "), &format!(" {first_code}\n"), None).expect("a fresh invite joins");
        let again = join(&main, &url, &first_code, None).expect_err("an invite is single-use");
        let unknown = join(&main, &url, "not-a-code-anyone-made", None).expect_err("a made-up code is refused");
        (joined, again, unknown)
    })
    .await
    .unwrap();
    let (joined, again, unknown) = answers;

    assert_eq!((joined["name"].as_str(), joined["role"].as_str()), (Some("mod_kim"), Some("moderator")), "{joined}");
    let v = view(joined["settings"].clone());
    assert_eq!(v.settings.hub_url.as_deref(), Some(format!("{hub_url}/").as_str()), "the address as given, trimmed");
    assert_eq!(v.settings.hub_ca, None);
    assert_eq!(v.secrets_set, vec![SecretName::HubToken], "the token is stored, as a secret");
    assert_eq!(v.mode, ConsoleMode::Remote, "the next start is this hub's console");
    assert!(v.restart_needed, "the console connects after a restart");

    let saved = SettingsFolder::open(dir.path().into(), None).load().unwrap();
    let token = saved.secrets[&SecretName::HubToken].expose().to_string();
    assert_eq!(team::who(&s, &token).await.as_deref(), Some("mod_kim"), "the stored token is the hub's for mod_kim");
    assert!(!joined.to_string().contains(&token), "the token never reaches the UI: {joined}");
    let settings_json = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
    assert!(!settings_json.contains(&token), "nor settings.json");
    let console = saved.console_config(dir.path().into(), &|_: &str| None::<String>).unwrap();
    assert!(
        matches!(console, anchordesk_lib::console::ConsoleConfig::Remote(_)),
        "what was saved starts a remote console"
    );

    for (refused, says) in [(&again, "already been used"), (&unknown, "not known")] {
        assert_eq!(refused.code, ErrorCode::Forbidden, "{refused:?}");
        assert!(refused.message.contains(says), "the hub's own words: {}", refused.message);
        assert!(!refused.message.contains(&code) && !refused.message.contains(&token), "{}", refused.message);
    }
    let after = SettingsFolder::open(dir.path().into(), None).load().unwrap();
    assert_eq!(after.secrets[&SecretName::HubToken].expose(), token, "a refused join changes nothing saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_that_could_not_be_saved_is_refused_before_the_invite_is_spent() {
    let s = team::hub().await;
    let code = team::invite(&s, Some("mod_lee")).await;
    let hub_url = format!("http://{}", s.hub_addr);
    let dir = tempfile::tempdir().unwrap();
    let (data, url, invite) = (dir.path().to_path_buf(), hub_url.clone(), code.clone());
    tokio::task::spawn_blocking(move || {
        let (_app, main) = started_app(&data, &[]);
        let refused = |hub_url: &str, hub_ca: Option<&str>| {
            let e = join(&main, hub_url, &invite, hub_ca).expect_err("refused");
            assert_eq!(e.code, ErrorCode::Invalid, "a refusal the user can fix: {e:?}");
            assert!(!e.message.contains(&invite), "the code is not repeated: {}", e.message);
            e.message
        };

        let missing = data.join("no-such-dir").join("hub.pem");
        let e = refused(&url, Some(missing.to_str().unwrap()));
        assert!(e.contains(missing.to_str().unwrap()), "an unreadable certificate file is named: {e}");
        std::fs::write(data.join("junk.pem"), "not a certificate").unwrap();
        let e = refused(&url, Some(data.join("junk.pem").to_str().unwrap()));
        assert!(e.starts_with("hubCa:") && e.contains("no certificate"), "{e}");
        let e = refused("http://hub.example.com:8690", None);
        assert!(e.starts_with("hubUrl:") && e.contains("use https://"), "a token never crosses in clear: {e}");

        // A settings file that cannot be read is never overwritten, so joining cannot save anything.
        let broken = "{\"version\": 1, \"settings\": {\"roomName\": ";
        std::fs::write(data.join(SETTINGS_FILE), broken).unwrap();
        let e = refused(&url, None);
        assert!(e.contains(SETTINGS_FILE), "the file is named: {e}");
        assert_eq!(std::fs::read_to_string(data.join(SETTINGS_FILE)).unwrap(), broken, "and left as it was");
        assert!(!data.join(SECRETS_FILE).exists(), "no token kept for a hub that was not saved");
        std::fs::remove_file(data.join(SETTINGS_FILE)).unwrap();

        let joined = join(&main, &url, &invite, None).expect("the invite was never spent: it still joins");
        assert_eq!(joined["name"], "mod_lee");
    })
    .await
    .unwrap();

    // An environment that names a hub would win over the joined one: refused before the hub is asked.
    let code = team::invite(&s, Some("mod_park")).await;
    let other = tempfile::tempdir().unwrap();
    let (data, url, invite) = (other.path().to_path_buf(), hub_url.clone(), code.clone());
    tokio::task::spawn_blocking(move || {
        let (_app, main) = started_app(&data, &[("ANCHORDESK_HUB_URL", "https://hub.example.com")]);
        let before = stored(&data);
        let e = join(&main, &url, &invite, None).expect_err("the environment's hub would win");
        assert_eq!(e.code, ErrorCode::Invalid);
        assert!(e.message.starts_with("hubUrl: ANCHORDESK_HUB_URL is set"), "{}", e.message);
        assert_eq!(stored(&data), before, "nothing saved");
    })
    .await
    .unwrap();
    let joined = server::remote::redeem(&hub_url, None, &code, None).await.expect("that invite is still unused");
    assert_eq!(joined.name, "mod_park");
}
