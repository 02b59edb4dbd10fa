//! A console session, wired end to end: where Tencent IM is (the embedded sandbox, or Tencent Cloud
//! with the app's credentials), the admin's IM client, the room (opened or created), and the hub's
//! HTTP listener receiving callbacks. The desktop shell and the system tests start the same thing.

use std::net::SocketAddr;
use std::path::PathBuf;

use im::{ImClient, Secret};
use rand::Rng;
use room::{Room, RoomConfig, RoomHandle};
use sandbox::{AudienceConfig, CallbackTarget, Sandbox, SandboxConfig};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::callback::{router, Hub, HubConfig};
use crate::golive::{StreamDesk, StreamSettings};

/// Where the session's Tencent IM is.
#[derive(Clone, Debug)]
pub enum ImBackend {
    /// The built-in sandbox, kept in `data_dir/sandbox.json`, with a simulated audience.
    Sandbox { listen: SocketAddr, audience: Option<AudienceConfig> },
    /// Tencent Cloud (or any endpoint speaking its REST API, such as `anchordesk sandbox`).
    Tencent { base_url: String, sdkappid: u64, admin: String, secret_key: Secret },
}

#[derive(Clone, Debug)]
pub struct SessionConfig {
    pub backend: ImBackend,
    /// Where the room's database (and the sandbox's state) live.
    pub data_dir: PathBuf,
    /// Where the hub listens for callbacks.
    pub hub_listen: SocketAddr,
    /// The address others reach the hub at (e.g. https://hub.example.com:8690), for the invite links
    /// the owner's console makes; unset, the links name the listen address.
    pub public_url: Option<String>,
    /// Serve the hub over TLS (HTTPS, WSS) with this certificate and key, e.g. on a public machine.
    pub tls: Option<TlsFiles>,
    /// The callback token configured in Tencent's console. With the sandbox a fresh one is made when
    /// none is given, so callbacks are always signed.
    pub callback_token: Option<Secret>,
    /// The bearer token for the hub's `/api/v1/` (console API and gift intake); without one that API is off.
    pub api_token: Option<Secret>,
    pub room_name: String,
    /// When the hub cannot decide a callback (overload, internal failure): allow it (true, Tencent's
    /// own default) or refuse it.
    pub fail_open: bool,
    pub stream: StreamConfig,
}

/// A certificate chain and its private key, PEM files (e.g. Let's Encrypt's `fullchain.pem` and
/// `privkey.pem`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The stream desk's settings (push, CSS API, OBS). With the sandbox, the push side is the sandbox's.
#[derive(Clone, Debug, Default)]
pub struct StreamConfig {
    /// Push domain and key (Tencent mode); without both there is no stream desk.
    pub push_domain: Option<String>,
    pub push_key: Option<Secret>,
    pub backup_push_key: Option<Secret>,
    pub app_name: Option<String>,
    pub play_domain: Option<String>,
    pub play_key: Option<Secret>,
    /// The CSS API key (SecretId, SecretKey), to confirm the stream at the ingest.
    pub css_secret_id: Option<String>,
    pub css_secret_key: Option<Secret>,
    pub css_endpoint: Option<String>,
    pub css_region: Option<String>,
    /// The stream's name; default `room_` + the group ID's letters and digits.
    pub stream_name: Option<String>,
    /// OBS's WebSocket address; with the sandbox and none given, a simulated OBS.
    pub obs_url: Option<String>,
    pub obs_password: Option<Secret>,
    /// How long a push address stays valid (default 24 h).
    pub valid_for: Option<std::time::Duration>,
    /// Pause the room when the ingest loses the stream (default on).
    pub auto_pause: bool,
    /// How often OBS and the ingest are checked (default 2 s; tests go faster).
    pub poll: Option<std::time::Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConsoleMode {
    Sandbox,
    Tencent,
    /// The console is a client of a hub elsewhere (`ANCHORDESK_HUB_URL`), which runs the room.
    Remote,
}

/// What the console shows about its session (no secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub mode: ConsoleMode,
    pub group_id: String,
    pub hub_url: String,
    #[ts(type = "number")]
    pub sdk_app_id: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the hub cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("the data folder {path} cannot be used: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Sandbox(#[from] sandbox::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot set up the Tencent IM client: {0}")]
    Im(#[from] im::Error),
    #[error("cannot open the room: {0}")]
    Room(#[from] room::Error),
    #[error("cannot set up the stream: {0}")]
    Stream(String),
    #[error("cannot open the hub's people database: {0}")]
    Access(#[from] crate::access::Error),
}

/// A running session; dropping it does not stop it, [`Session::shutdown`] does.
#[derive(Clone)]
pub struct Session {
    pub room: RoomHandle,
    pub sandbox: Option<Sandbox>,
    /// Going live and watching the stream; none when no push domain and key are configured.
    pub stream: Option<StreamDesk>,
    /// The simulated OBS of a sandbox session without a real one.
    pub fake_obs: Option<std::sync::Arc<sandbox::obs::FakeObs>>,
    pub hub_addr: SocketAddr,
    pub info: AppInfo,
    pub im: ImClient,
    /// The hub's team (people invited by the owner, their tokens and open consoles).
    pub access: crate::access::Access,
    /// The hub's API is on (an API token is set): moderators and viewers connect through it.
    pub api_on: bool,
    /// The hub's address in the invite links the owner's console makes: the public one if set.
    pub invite_base: String,
    cancel: CancellationToken,
}

impl Session {
    pub async fn start(config: SessionConfig) -> Result<Self, Error> {
        let cancel = CancellationToken::new();
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| Error::DataDir { path: config.data_dir.display().to_string(), source })?;
        let tls = match &config.tls {
            Some(files) => Some(crate::tls::load(files)?),
            None => None,
        };
        let hub_listener = TcpListener::bind(config.hub_listen)
            .await
            .map_err(|source| Error::Listen { addr: config.hub_listen, source })?;
        let hub_addr = hub_listener.local_addr().map_err(|source| Error::Listen { addr: config.hub_listen, source })?;
        let hub_url = crate::tls::hub_url(hub_addr, tls.as_ref());
        if let Some(warning) = crate::tls::clear_text_warning(hub_addr, tls.is_some(), config.api_token.is_some()) {
            tracing::warn!("{warning}");
        }

        let (sandbox, im, mode, token, audience) = match &config.backend {
            ImBackend::Sandbox { listen, audience } => {
                let token = config.callback_token.clone().unwrap_or_else(|| {
                    let mut rng = rand::thread_rng();
                    Secret::new((0..24).map(|_| format!("{:02x}", rng.gen::<u8>())).collect::<String>())
                });
                let mut sb = SandboxConfig::load_or_generate(config.data_dir.join("sandbox.json"))?;
                sb.callback =
                    Some(CallbackTarget { url: format!("{hub_url}/im/callback"), token: Some(token.clone()) });
                if let Some(tls) = &tls {
                    sb.callback_roots.push(tls.chain_pem.clone());
                }
                let listener =
                    TcpListener::bind(listen).await.map_err(|source| Error::Listen { addr: *listen, source })?;
                let sandbox = Sandbox::start(sb, listener, cancel.clone()).await?;
                let im = ImClient::builder(sandbox.sdkappid(), sandbox.secret_key().clone())
                    .base_url(sandbox.base_url())
                    .build()?;
                (Some(sandbox), im, ConsoleMode::Sandbox, Some(token), audience.clone())
            }
            ImBackend::Tencent { base_url, sdkappid, admin, secret_key } => {
                let im = ImClient::builder(*sdkappid, secret_key.clone())
                    .base_url(base_url.clone())
                    .identifier(admin.clone())
                    .build()?;
                (None, im, ConsoleMode::Tencent, config.callback_token.clone(), None)
            }
        };

        let room_config = RoomConfig {
            name: config.room_name.clone(),
            db_path: Some(config.data_dir.join("room.sqlite")),
            fail_open: config.fail_open,
            ..RoomConfig::default()
        };
        let room = Room::open(room_config, im.clone(), cancel.clone()).await?;
        let (stream, fake_obs) = start_stream_desk(&config.stream, sandbox.as_ref(), &room, &cancel).await?;
        let api_on = config.api_token.is_some();
        let public_url = config.public_url.clone();
        let access =
            crate::access::Access::open(&config.data_dir.join("hub.sqlite"), crate::access::Limits::default())?;
        let hub = Hub {
            access: access.clone(),
            stream: stream.clone(),
            config: HubConfig {
                sdkappid: im.sdkappid(),
                callback_token: token,
                api_token: config.api_token.clone(),
                tls: tls.is_some(),
            },
            room: room.clone(),
        };
        // With each connection's address, for throttling failed logins per address.
        let app = router(hub).into_make_service_with_connect_info::<SocketAddr>();
        let stop = cancel.clone();
        match tls {
            Some(tls) => crate::tls::serve(hub_listener, tls, app, stop)
                .map_err(|source| Error::Listen { addr: hub_addr, source })?,
            None => {
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(hub_listener, app).with_graceful_shutdown(stop.cancelled_owned()).await
                    {
                        tracing::error!(error = %e, "the hub's listener stopped");
                    }
                });
            }
        }
        if let (Some(sb), Some(aud)) = (&sandbox, audience) {
            sb.start_audience(aud);
        }
        let info = AppInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            mode,
            group_id: room.group_id().to_string(),
            hub_url,
            sdk_app_id: im.sdkappid(),
        };
        tracing::info!(group = %info.group_id, hub = %info.hub_url, mode = ?mode, "session started");
        let invite_base = public_url.unwrap_or_else(|| info.hub_url.clone());
        Ok(Self { room, sandbox, stream, fake_obs, hub_addr, info, im, access, api_on, invite_base, cancel })
    }

    /// Stops the hub, the room and the sandbox.
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

/// Starts the stream desk: on the sandbox with its CSS side (and a simulated OBS, which really pushes
/// with ffmpeg when it is installed, unless a real OBS is given); on Tencent when a push domain and key
/// are configured.
async fn start_stream_desk(
    c: &StreamConfig,
    sandbox: Option<&Sandbox>,
    room: &RoomHandle,
    cancel: &CancellationToken,
) -> Result<(Option<StreamDesk>, Option<std::sync::Arc<sandbox::obs::FakeObs>>), Error> {
    let css_client = |id: String, key: Secret, endpoint: Option<String>, region: Option<String>| {
        let mut b = stream::css::CssClient::builder(id, key);
        if let Some(e) = endpoint {
            b = b.endpoint(e);
        }
        if let Some(r) = region {
            b = b.region(r);
        }
        b.build().map_err(|e| Error::Stream(format!("the CSS API client: {e}")))
    };
    let obs_config = |url: &str| stream::obs::ObsConfig::new(url, c.obs_password.clone());
    // What differs between the sandbox and Tencent: where the push goes and with which keys, the CSS
    // API, and which OBS; the rest comes from the configuration alike.
    let (push_domain, ingest_host, app_name, push_key, backup_push_key, css, obs, fake) = match sandbox {
        Some(sb) => {
            let css = sb.css_credentials();
            let (obs, fake) = match &c.obs_url {
                Some(url) => (obs_config(url), None),
                None => {
                    let push = if sandbox::obs::ffmpeg_available(std::path::Path::new("ffmpeg")) {
                        sandbox::obs::PushMode::ffmpeg()
                    } else {
                        tracing::warn!("ffmpeg is not installed: the simulated OBS cannot push a real stream");
                        sandbox::obs::PushMode::Simulated { bitrate_bps: 2_500_000 }
                    };
                    let fake = sandbox::obs::FakeObs::bind(sandbox::obs::FakeObsConfig { push, ..Default::default() })
                        .await
                        .map_err(|e| Error::Stream(format!("cannot start the simulated OBS: {e}")))?;
                    (obs_config(&fake.url()), Some(std::sync::Arc::new(fake)))
                }
            };
            let client = css_client(css.secret_id, Secret::new(css.secret_key), Some(css.endpoint), None)?;
            (
                css.push_domain,
                Some(sb.rtmp_addr().to_string()),
                css.app_name,
                Secret::new(css.push_key),
                css.backup_push_key.map(Secret::new),
                Some(client),
                obs,
                fake,
            )
        }
        None => {
            let (Some(domain), Some(key)) = (&c.push_domain, &c.push_key) else { return Ok((None, None)) };
            let css = match (&c.css_secret_id, &c.css_secret_key) {
                (Some(id), Some(key)) => {
                    Some(css_client(id.clone(), key.clone(), c.css_endpoint.clone(), c.css_region.clone())?)
                }
                _ => None,
            };
            let obs = obs_config(c.obs_url.as_deref().unwrap_or(stream::obs::DEFAULT_URL));
            let app = stream::DEFAULT_APP_NAME.to_string();
            (domain.clone(), None, app, key.clone(), c.backup_push_key.clone(), css, obs, None)
        }
    };
    let settings = StreamSettings {
        push_domain,
        ingest_host,
        app_name: c.app_name.clone().unwrap_or(app_name),
        stream_name: c.stream_name.clone().unwrap_or_else(|| crate::golive::stream_name_for(room.group_id())),
        push_key,
        backup_push_key,
        valid_for: c.valid_for.unwrap_or(std::time::Duration::from_secs(24 * 3600)),
        renew_margin: std::time::Duration::from_secs(3600),
        play_domain: c.play_domain.clone(),
        play_key: c.play_key.clone(),
        css,
        obs: Some(obs),
        auto_pause: c.auto_pause,
        ingest_timeout: std::time::Duration::from_secs(30),
        poll: c.poll.unwrap_or(std::time::Duration::from_secs(2)),
    };
    let desk = StreamDesk::start(settings, room.clone(), cancel.clone()).map_err(|e| Error::Stream(e.to_string()))?;
    Ok((Some(desk), fake))
}

/// The environment variables a session reads, each with its default.
pub const ENV_HELP: &str = "\
Environment (the desktop console and `anchordesk sandbox` read these):
  ANCHORDESK_DATA_DIR         where the room database and sandbox state live (default: the OS app-data folder)
  ANCHORDESK_SDKAPPID         your Tencent IM SDKAppID; when unset, the console runs on the built-in sandbox
  ANCHORDESK_IM_SECRET_KEY    the app's secret key (needed with ANCHORDESK_SDKAPPID)
  ANCHORDESK_IM_ADMIN         the admin account (default: administrator)
  ANCHORDESK_IM_REGION        china, singapore, seoul, tokyo, frankfurt, mumbai, siliconvalley, jakarta (default: china)
  ANCHORDESK_IM_ENDPOINT      a base URL instead of the region's domain (e.g. an `anchordesk sandbox`)
  ANCHORDESK_CALLBACK_TOKEN   the callback token set in Tencent's console (callbacks must then carry a valid Sign)
  ANCHORDESK_API_TOKEN        the bearer token for the hub's API under /api/v1/ (remote consoles, scripts, gift intake)
  ANCHORDESK_CALLBACK_FAILURE allow or refuse: the answer when the hub cannot decide a callback (default: allow)
  ANCHORDESK_HUB_LISTEN       where the hub receives callbacks (default: 127.0.0.1:0 on the sandbox, 127.0.0.1:8690 otherwise)
  ANCHORDESK_HUB_PUBLIC_URL   the address the team reaches the hub at (e.g. https://hub.example.com:8690), for
                              invite links (default: the listen address, which only this machine may reach)
  ANCHORDESK_TLS_CERT         a PEM certificate chain: the hub then serves HTTPS and WSS (with ANCHORDESK_TLS_KEY)
  ANCHORDESK_TLS_KEY          the certificate's PEM private key
  ANCHORDESK_SANDBOX_LISTEN   where the built-in sandbox listens (default: 127.0.0.1:0)
  ANCHORDESK_SANDBOX_SEED     the simulated audience's seed (default: 7)
  ANCHORDESK_AUDIENCE         on or off: the simulated audience (default: on)
  ANCHORDESK_AUDIENCE_PACE_MS mean time between two audience actions (default: 400)
  ANCHORDESK_ROOM_NAME        the room's name when it is created (default: AnchorDesk live room)
  ANCHORDESK_PUSH_DOMAIN      the CSS push domain (Tencent mode; with ANCHORDESK_PUSH_KEY it turns on going live)
  ANCHORDESK_PUSH_KEY         the push authentication key (primary); ANCHORDESK_PUSH_BACKUP_KEY the backup key
  ANCHORDESK_PUSH_APP         the AppName (default: live)
  ANCHORDESK_PUSH_VALID_FOR   how long a push address stays valid, e.g. 24h or 7d (default: 24h)
  ANCHORDESK_STREAM_NAME      the stream's name (default: room_ and the group ID's letters and digits)
  ANCHORDESK_PLAY_DOMAIN      the play domain, for play addresses; ANCHORDESK_PLAY_KEY its authentication key
  ANCHORDESK_CSS_SECRET_ID    a Tencent Cloud API key (SecretId, SecretKey) to confirm the stream at CSS
  ANCHORDESK_CSS_SECRET_KEY
  ANCHORDESK_CSS_ENDPOINT     the CSS API endpoint (default: live.tencentcloudapi.com); ANCHORDESK_CSS_REGION its region
  ANCHORDESK_OBS_URL          OBS's WebSocket server (default: ws://127.0.0.1:4455; on the sandbox: a simulated OBS)
  ANCHORDESK_OBS_PASSWORD     OBS's WebSocket password, when authentication is on
  ANCHORDESK_AUTO_PAUSE       on or off: pause the room when CSS loses the stream, resume when it returns (default: on)
  ANCHORDESK_HUB_URL          a remote hub to connect to (https://…, or http:// on this machine): the console is
                              then its client instead of running a hub and room of its own
  ANCHORDESK_HUB_TOKEN        this console's token for that hub (from an invite, or the hub's API token for its owner)
  ANCHORDESK_HUB_CA           a PEM certificate to trust for that hub (one with a self-signed certificate)
  ANCHORDESK_LOG              log filter, e.g. info or anchordesk_room=debug (default: info)";

/// The settings a configuration file may hold: the environment names without `ANCHORDESK_`, in lower case.
pub const FILE_KEYS: &[&str] = &[
    "sdkappid",
    "im_secret_key",
    "im_admin",
    "im_region",
    "im_endpoint",
    "callback_token",
    "api_token",
    "hub_listen",
    "hub_public_url",
    "tls_cert",
    "tls_key",
    "sandbox_listen",
    "sandbox_seed",
    "audience",
    "audience_pace_ms",
    "room_name",
    "callback_failure",
    "push_domain",
    "push_key",
    "push_backup_key",
    "push_app",
    "push_valid_for",
    "stream_name",
    "play_domain",
    "play_key",
    "css_secret_id",
    "css_secret_key",
    "css_endpoint",
    "css_region",
    "obs_url",
    "obs_password",
    "auto_pause",
];

impl SessionConfig {
    /// Layered configuration: the defaults, then `file` (TOML, keys from [`FILE_KEYS`]), then the
    /// environment (see [`ENV_HELP`]) through `var`, each overriding the one before.
    pub fn load(
        data_dir: PathBuf,
        file: Option<&std::path::Path>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut from_file = std::collections::HashMap::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let table: toml::Table = text.parse().map_err(|e| format!("{} is not valid TOML: {e}", path.display()))?;
            for (key, value) in table {
                if !FILE_KEYS.contains(&key.as_str()) {
                    return Err(format!(
                        "{}: unknown setting {key:?}; the settings are {}",
                        path.display(),
                        FILE_KEYS.join(", ")
                    ));
                }
                let value = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(n) => n.to_string(),
                    toml::Value::Boolean(b) => (if b { "on" } else { "off" }).to_string(),
                    other => {
                        return Err(format!("{}: {key} must be a string or a number, not {other}", path.display()))
                    }
                };
                from_file.insert(format!("ANCHORDESK_{}", key.to_ascii_uppercase()), value);
            }
        }
        Self::from_env(data_dir, |k| var(k).or_else(|| from_file.get(k).cloned()))
    }

    /// Reads the configuration from environment variables (see [`ENV_HELP`]) through `var`.
    pub fn from_env(data_dir: PathBuf, var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| var(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let addr = |k: &str, default: &str| -> Result<SocketAddr, String> {
            let v = get(k).unwrap_or_else(|| default.to_string());
            v.parse().map_err(|_| format!("{k}={v:?} is not an address like 127.0.0.1:8690"))
        };
        let backend = match get("ANCHORDESK_SDKAPPID") {
            Some(id) => {
                let sdkappid = id.parse().map_err(|_| {
                    format!("ANCHORDESK_SDKAPPID={id:?} is not a number; copy the SDKAppID from the IM console")
                })?;
                let secret_key = get("ANCHORDESK_IM_SECRET_KEY").ok_or(
                    "ANCHORDESK_SDKAPPID is set but ANCHORDESK_IM_SECRET_KEY is not; copy the key from the IM console",
                )?;
                let base_url = match (get("ANCHORDESK_IM_ENDPOINT"), get("ANCHORDESK_IM_REGION")) {
                    (Some(url), _) => url,
                    (None, Some(region)) => region.parse::<im::Region>()?.base_url(),
                    (None, None) => im::Region::China.base_url(),
                };
                ImBackend::Tencent {
                    base_url,
                    sdkappid,
                    admin: get("ANCHORDESK_IM_ADMIN").unwrap_or_else(|| "administrator".into()),
                    secret_key: Secret::new(secret_key),
                }
            }
            None => {
                let audience = match get("ANCHORDESK_AUDIENCE").as_deref() {
                    Some("off") | Some("0") | Some("false") => None,
                    _ => {
                        let mut a = AudienceConfig::default();
                        if let Some(seed) = get("ANCHORDESK_SANDBOX_SEED") {
                            a.seed = seed
                                .parse()
                                .map_err(|_| format!("ANCHORDESK_SANDBOX_SEED={seed:?} is not a number"))?;
                        }
                        if let Some(ms) = get("ANCHORDESK_AUDIENCE_PACE_MS") {
                            let ms: u64 = ms
                                .parse()
                                .map_err(|_| format!("ANCHORDESK_AUDIENCE_PACE_MS={ms:?} is not a number"))?;
                            a.pace = std::time::Duration::from_millis(ms.max(2));
                        }
                        Some(a)
                    }
                };
                ImBackend::Sandbox { listen: addr("ANCHORDESK_SANDBOX_LISTEN", "127.0.0.1:0")?, audience }
            }
        };
        let hub_default = match backend {
            ImBackend::Sandbox { .. } => "127.0.0.1:0",
            ImBackend::Tencent { .. } => "127.0.0.1:8690",
        };
        Ok(Self {
            backend,
            data_dir,
            hub_listen: addr("ANCHORDESK_HUB_LISTEN", hub_default)?,
            public_url: match get("ANCHORDESK_HUB_PUBLIC_URL") {
                Some(url) => Some(
                    crate::remote::HubAddress::parse(&url)
                        .map_err(|e| format!("ANCHORDESK_HUB_PUBLIC_URL: {e}"))?
                        .base(),
                ),
                None => None,
            },
            tls: match (get("ANCHORDESK_TLS_CERT"), get("ANCHORDESK_TLS_KEY")) {
                (None, None) => None,
                (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.into(), key: key.into() }),
                (Some(_), None) => return Err(
                    "ANCHORDESK_TLS_CERT is set but ANCHORDESK_TLS_KEY is not: give the certificate's private key too"
                        .into(),
                ),
                (None, Some(_)) => {
                    return Err(
                        "ANCHORDESK_TLS_KEY is set but ANCHORDESK_TLS_CERT is not: give the certificate chain too"
                            .into(),
                    )
                }
            },
            callback_token: get("ANCHORDESK_CALLBACK_TOKEN").map(Secret::new),
            api_token: get("ANCHORDESK_API_TOKEN").map(Secret::new),
            room_name: get("ANCHORDESK_ROOM_NAME").unwrap_or_else(|| "AnchorDesk live room".into()),
            stream: StreamConfig {
                push_domain: get("ANCHORDESK_PUSH_DOMAIN"),
                push_key: get("ANCHORDESK_PUSH_KEY").map(Secret::new),
                backup_push_key: get("ANCHORDESK_PUSH_BACKUP_KEY").map(Secret::new),
                app_name: get("ANCHORDESK_PUSH_APP"),
                play_domain: get("ANCHORDESK_PLAY_DOMAIN"),
                play_key: get("ANCHORDESK_PLAY_KEY").map(Secret::new),
                css_secret_id: get("ANCHORDESK_CSS_SECRET_ID"),
                css_secret_key: get("ANCHORDESK_CSS_SECRET_KEY").map(Secret::new),
                css_endpoint: get("ANCHORDESK_CSS_ENDPOINT"),
                css_region: get("ANCHORDESK_CSS_REGION"),
                stream_name: get("ANCHORDESK_STREAM_NAME"),
                obs_url: get("ANCHORDESK_OBS_URL"),
                obs_password: get("ANCHORDESK_OBS_PASSWORD").map(Secret::new),
                valid_for: match get("ANCHORDESK_PUSH_VALID_FOR") {
                    None => None,
                    Some(v) => {
                        Some(stream::parse_duration(&v).map_err(|e| format!("ANCHORDESK_PUSH_VALID_FOR={v:?}: {e}"))?)
                    }
                },
                auto_pause: match get("ANCHORDESK_AUTO_PAUSE").as_deref() {
                    None | Some("on") | Some("1") | Some("true") => true,
                    Some("off") | Some("0") | Some("false") => false,
                    Some(other) => return Err(format!("ANCHORDESK_AUTO_PAUSE={other:?}: use on or off")),
                },
                poll: None,
            },
            fail_open: match get("ANCHORDESK_CALLBACK_FAILURE").as_deref() {
                None | Some("allow") => true,
                Some("refuse") => false,
                Some(other) => return Err(format!("ANCHORDESK_CALLBACK_FAILURE={other:?}: use allow or refuse")),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<SessionConfig, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        SessionConfig::from_env("/tmp/x".into(), |k| map.get(k).cloned())
    }

    #[test]
    fn a_file_sets_what_the_environment_does_not_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hub.toml");
        std::fs::write(
            &file,
            "sdkappid = 1400000000\nim_secret_key = \"k\"\nim_region = \"seoul\"\nhub_listen = \"0.0.0.0:8690\"\n",
        )
        .unwrap();
        let env: HashMap<String, String> = [("ANCHORDESK_IM_REGION".to_string(), "tokyo".to_string())].into();
        let c = SessionConfig::load("/tmp/x".into(), Some(&file), |k| env.get(k).cloned()).unwrap();
        let ImBackend::Tencent { base_url, sdkappid, .. } = c.backend else { panic!("the file gave credentials") };
        assert_eq!(sdkappid, 1400000000);
        assert_eq!(base_url, "https://adminapijpn.im.qcloud.com", "the environment overrides the file");
        assert_eq!(c.hub_listen.to_string(), "0.0.0.0:8690");
        std::fs::write(&file, "sdk_app_id = 1\n").unwrap();
        let e = SessionConfig::load("/tmp/x".into(), Some(&file), |_| None).unwrap_err();
        assert!(e.contains("unknown setting \"sdk_app_id\"") && e.contains("sdkappid"), "{e}");
    }

    #[test]
    fn a_file_can_set_exactly_what_the_environment_can_and_the_help_lists_it() {
        let read = std::cell::RefCell::new(std::collections::BTreeSet::new());
        let tencent = [("ANCHORDESK_SDKAPPID", "1"), ("ANCHORDESK_IM_SECRET_KEY", "k")];
        for vars in [&[][..], &tencent[..]] {
            let vars: HashMap<&str, &str> = vars.iter().copied().collect();
            SessionConfig::from_env("/tmp/x".into(), |k| {
                read.borrow_mut().insert(k.to_string());
                vars.get(k).map(|v| v.to_string())
            })
            .unwrap();
        }
        let file_keys = FILE_KEYS.iter().map(|k| format!("ANCHORDESK_{}", k.to_ascii_uppercase())).collect();
        assert_eq!(
            read.into_inner(),
            file_keys,
            "FILE_KEYS are the variables from_env reads, on the sandbox or Tencent"
        );
        for var in file_keys {
            assert!(ENV_HELP.contains(&var), "{var} is in ENV_HELP");
        }
    }

    #[test]
    fn no_credentials_means_the_sandbox_with_an_audience() {
        let c = from(&[]).unwrap();
        assert!(matches!(c.backend, ImBackend::Sandbox { audience: Some(_), .. }));
        assert_eq!(c.hub_listen.port(), 0);
    }

    #[test]
    fn credentials_select_tencent_in_the_chosen_region() {
        let c = from(&[
            ("ANCHORDESK_SDKAPPID", "1400000000"),
            ("ANCHORDESK_IM_SECRET_KEY", "k"),
            ("ANCHORDESK_IM_REGION", "seoul"),
        ])
        .unwrap();
        let ImBackend::Tencent { base_url, sdkappid, admin, .. } = c.backend else { panic!("expected Tencent") };
        assert_eq!(
            (base_url.as_str(), sdkappid, admin.as_str()),
            ("https://adminapikr.im.qcloud.com", 1400000000, "administrator")
        );
        assert_eq!(c.hub_listen.port(), 8690);
    }

    #[test]
    fn bad_values_say_what_to_fix_and_never_echo_the_key() {
        let e = from(&[("ANCHORDESK_CALLBACK_FAILURE", "maybe")]).unwrap_err();
        assert!(e.contains("allow or refuse"), "{e}");
        assert!(!from(&[("ANCHORDESK_CALLBACK_FAILURE", "refuse")]).unwrap().fail_open);
        let e = from(&[("ANCHORDESK_SDKAPPID", "abc")]).unwrap_err();
        assert!(e.contains("ANCHORDESK_SDKAPPID"), "{e}");
        let e = from(&[("ANCHORDESK_SDKAPPID", "1")]).unwrap_err();
        assert!(e.contains("ANCHORDESK_IM_SECRET_KEY"), "{e}");
        let e = from(&[
            ("ANCHORDESK_SDKAPPID", "1"),
            ("ANCHORDESK_IM_SECRET_KEY", "topsecret"),
            ("ANCHORDESK_HUB_LISTEN", "nope"),
        ])
        .unwrap_err();
        assert!(e.contains("ANCHORDESK_HUB_LISTEN") && !e.contains("topsecret"), "{e}");
    }
}
