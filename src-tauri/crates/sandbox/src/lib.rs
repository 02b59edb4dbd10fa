//! A local stand-in for Tencent Cloud IM and CSS, faithful where AnchorDesk depends on Tencent's
//! behaviour: the REST v4 endpoints with Tencent's envelopes, UserSig checks and error codes; AVChatRoom
//! groups with their byte limits, custom fields, mutes and online count; the HTTP callbacks to a
//! business server with every documented query parameter, `Sign`, a 2 s deadline and the answers
//! honoured; and the CSS side: the API 3.0 stream actions with TC3-HMAC-SHA256 checks on the same HTTP
//! listener (`POST /`), and a real RTMP ingest on its own listener that checks push addresses like a
//! CSS push domain.
//!
//! It is both the default experience (a newcomer with no credentials sees a live room) and the test
//! double. Viewers are simulated through [`Viewer`], the sandbox's equivalent of the client SDK, which
//! the seeded [`audience`] drives. [`obs::FakeObs`] stands in for OBS Studio (obs-websocket v5). What the
//! sandbox does not model yet is listed in `README.md`.

pub mod audience;
mod callbacks;
mod css;
mod faults;
mod ingest;
pub mod obs;
mod rest;
mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use im::{MsgElement, MsgPriority, Secret};
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

pub use audience::AudienceConfig;
pub use css::{CssConfig, CssCredentials};
pub use ingest::LiveStream;
pub use stream::StreamState;
pub use world::Delivered;

use callbacks::Callbacks;
use world::World;

/// The group custom field keys the sandbox's "console" has configured (Tencent requires keys to be
/// configured before use).
pub const DEFAULT_APP_DEFINED_KEYS: &[&str] = &["room_status", "like_count", "room_extra"];

/// Where the sandbox sends callbacks, as configured in Tencent's console.
#[derive(Clone, Debug)]
pub struct CallbackTarget {
    pub url: String,
    /// When set, `Sign` and `RequestTime` are appended (callback authentication on).
    pub token: Option<Secret>,
}

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub sdkappid: u64,
    pub secret_key: Secret,
    /// The app admin account (Tencent's console provides `administrator`).
    pub admin: String,
    pub callback: Option<CallbackTarget>,
    /// Tencent's callback deadline: 2 s, not adjustable for before-send.
    pub callback_timeout: Duration,
    /// The console's policy when a before-callback fails: deliver (Tencent's default) or refuse (80003).
    pub refuse_on_callback_failure: bool,
    pub app_defined_keys: Vec<String>,
    /// Where groups and accounts are kept across restarts; `None` keeps them in memory.
    pub state_file: Option<PathBuf>,
    /// Granularity of `get_online_member_num` (Tencent: 10 s).
    pub online_granularity: Duration,
    /// The per-group delivery ceiling (Tencent: 40 messages a second).
    pub messages_per_second: u32,
    /// The edition and console switches that gate features.
    pub switches: Switches,
    /// Seeds the sandbox's own random choices (which equal-priority message the ceiling drops, fault
    /// injection, group IDs), so a test run can be repeated.
    pub seed: u64,
    /// The CSS side: push domain, API key, push keys, the RTMP ingest's address.
    pub css: CssConfig,
    /// Certificates (PEM) the callback client trusts besides the system's: a hub serving TLS with its
    /// own certificate. Tencent only calls servers with a publicly trusted certificate.
    pub callback_roots: Vec<String>,
}

/// Features Tencent gates behind an edition and a console switch. A feature that is off answers 10007.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Switches {
    /// "(Audio-video) group member banning": `ban_group_member` and friends.
    pub ban: bool,
    /// "Broadcast messaging of audio-video group": `send_broadcast_msg`.
    pub broadcast: bool,
    /// "List of online audio-video group members": `get_members` shows up to 1,000 instead of 30.
    pub member_list: bool,
}

impl Switches {
    /// Ultimate edition with every switch on: the sandbox's default, so the console can show everything.
    pub fn all() -> Self {
        Self { ban: true, broadcast: true, member_list: true }
    }

    /// A base edition: no banning, no broadcast, the latest 30 members only.
    pub fn none() -> Self {
        Self { ban: false, broadcast: false, member_list: false }
    }
}

/// What fault injection does to a REST request it picks.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Answer after this extra delay (the request is then handled normally).
    Latency(Duration),
    /// Answer with this HTTP status, without handling the request (a gateway failure).
    Http(u16),
    /// Answer with this Tencent error code in the envelope, without handling the request.
    Code(i64),
    /// Close the connection without an answer, without handling the request.
    DropConnection,
    /// Handle the request, then close the connection without the answer (the caller cannot know it
    /// happened: the case `Random` de-duplication exists for).
    LoseResponse,
}

/// Fault injection for tests: each REST request matching `command` is faulted with probability `rate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    pub kind: FaultKind,
    /// 0.0 to 1.0.
    pub rate: f64,
    /// Only requests to this command (e.g. `send_group_msg`); `None` for every command.
    pub command: Option<String>,
}

impl SandboxConfig {
    /// A sandbox app with fresh credentials.
    pub fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let key: String = (0..32).map(|_| format!("{:02x}", rng.gen::<u8>())).collect();
        Self {
            sdkappid: 1_600_000_000 + u64::from(rng.gen_range(0..99_999_u32)),
            secret_key: Secret::new(key),
            admin: "administrator".into(),
            callback: None,
            callback_timeout: Duration::from_secs(2),
            refuse_on_callback_failure: false,
            app_defined_keys: DEFAULT_APP_DEFINED_KEYS.iter().map(|s| s.to_string()).collect(),
            state_file: None,
            online_granularity: Duration::from_secs(10),
            messages_per_second: 40,
            switches: Switches::all(),
            seed: rng.gen(),
            css: CssConfig::generate(),
            callback_roots: Vec::new(),
        }
    }

    /// The app kept in `state_file` if there is one (same credentials, same groups), else a new one
    /// that will be kept there.
    pub fn load_or_generate(state_file: PathBuf) -> Result<Self, Error> {
        let mut config = Self::generate();
        if let Some(saved) = world::load_credentials(&state_file)? {
            config.sdkappid = saved.sdkappid;
            config.secret_key = Secret::new(saved.secret_key);
            config.admin = saved.admin;
            if let Some(css) = saved.css {
                config.css.push_domain = css.push_domain;
                config.css.secret_id = css.secret_id;
                config.css.secret_key = Secret::new(css.secret_key);
                config.css.push_key = Secret::new(css.push_key);
                config.css.backup_push_key = css.backup_push_key.map(Secret::new);
            }
        }
        config.state_file = Some(state_file);
        Ok(config)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the sandbox state file {path} cannot be used: {detail}")]
    State { path: String, detail: String },
    #[error("the sandbox cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("the sandbox's configuration: {0}")]
    Config(String),
}

/// What an operator needs to point a client at the sandbox (IM at the top level, CSS under `css`).
/// Serialized in full (for `anchordesk sandbox --json`); `Debug` masks the keys.
#[derive(Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub base_url: String,
    pub sdkappid: u64,
    pub admin: String,
    pub secret_key: String,
    pub css: CssCredentials,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("base_url", &self.base_url)
            .field("sdkappid", &self.sdkappid)
            .field("admin", &self.admin)
            .field("secret_key", &"***")
            .field("css", &self.css)
            .finish()
    }
}

/// An error as the client SDK reports it: Tencent's code and text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("error {code}: {info}")]
pub struct ClientError {
    pub code: i64,
    pub info: String,
}

pub(crate) struct Shared {
    pub config: SandboxConfig,
    /// A std mutex: held only for in-memory bookkeeping, never across an await.
    pub world: Mutex<World>,
    pub callback: RwLock<Option<CallbackTarget>>,
    pub callbacks: Callbacks,
    pub deliveries: broadcast::Sender<Delivered>,
    /// Fault injection; `None` most of the time. A std lock: read once per request.
    pub faults: RwLock<Option<Faults>>,
    /// Random choices for fault injection, seeded from the config.
    pub fault_rng: Mutex<rand_chacha::ChaCha8Rng>,
    /// The RTMP ingest's streams and forbids, shared with the CSS API.
    pub ingest: ingest::Ingest,
}

/// A running sandbox.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    rtmp_addr: SocketAddr,
    cancel: CancellationToken,
}

impl Sandbox {
    /// Starts the sandbox on `listener` (IM REST and the CSS API) and its RTMP ingest on
    /// `config.css.rtmp_listen`; it stops when `cancel` fires.
    pub async fn start(config: SandboxConfig, listener: TcpListener, cancel: CancellationToken) -> Result<Self, Error> {
        let addr = listener.local_addr()?;
        let rtmp = TcpListener::bind(config.css.rtmp_listen).await?;
        let rtmp_addr = rtmp.local_addr()?;
        let world = World::load(&config)?;
        let (deliveries, _) = broadcast::channel(4096);
        let shared = Arc::new(Shared {
            callback: RwLock::new(config.callback.clone()),
            callbacks: Callbacks::new(config.callback_timeout, &config.callback_roots, cancel.clone())?,
            world: Mutex::new(world),
            faults: RwLock::new(None),
            fault_rng: Mutex::new(rand::SeedableRng::seed_from_u64(config.seed ^ 0xFA17)),
            config,
            deliveries,
            ingest: ingest::Ingest::default(),
        });
        let app = rest::router(shared.clone()).merge(css::router(shared.clone()));
        tokio::spawn(ingest::serve(shared.clone(), rtmp, cancel.clone()));
        let stop = cancel.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the sandbox server stopped");
            }
        });
        tracing::info!(%addr, %rtmp_addr, sdkappid = shared.config.sdkappid, "sandbox listening");
        Ok(Self { shared, addr, rtmp_addr, cancel })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn credentials(&self) -> Credentials {
        Credentials {
            base_url: self.base_url(),
            sdkappid: self.shared.config.sdkappid,
            admin: self.shared.config.admin.clone(),
            secret_key: self.shared.config.secret_key.expose().to_string(),
            css: self.css_credentials(),
        }
    }

    /// The CSS API key, push domain and keys, and the ingest's address.
    pub fn css_credentials(&self) -> CssCredentials {
        let css = &self.shared.config.css;
        CssCredentials {
            endpoint: self.base_url(),
            secret_id: css.secret_id.clone(),
            secret_key: css.secret_key.expose().to_string(),
            push_domain: css.push_domain.clone(),
            app_name: css.app_name.clone(),
            push_key: css.push_key.expose().to_string(),
            backup_push_key: css.backup_push_key.as_ref().map(|k| k.expose().to_string()),
            rtmp_url: self.rtmp_url(),
        }
    }

    /// The CSS config the sandbox runs with (push domain, AppName, keys).
    pub fn css(&self) -> &CssConfig {
        &self.shared.config.css
    }

    /// Where the RTMP ingest listens.
    pub fn rtmp_addr(&self) -> SocketAddr {
        self.rtmp_addr
    }

    /// OBS's "Server" for the sandbox: `rtmp://127.0.0.1:PORT/{AppName}/`.
    pub fn rtmp_url(&self) -> String {
        format!("rtmp://{}/{}/", self.rtmp_addr, self.shared.config.css.app_name)
    }

    /// The streams pushing into the ingest now, with their bytes and bitrate.
    pub fn live_streams(&self) -> Vec<LiveStream> {
        self.shared.ingest.live()
    }

    /// One stream's push, if it is live.
    pub fn live_stream(&self, app: &str, name: &str) -> Option<LiveStream> {
        self.live_streams().into_iter().find(|s| s.app_name == app && s.stream_name == name)
    }

    /// What `DescribeLiveStreamState` would answer for this stream now.
    pub fn stream_state(&self, app: &str, name: &str) -> StreamState {
        self.shared.ingest.state(app, name, world::now_secs())
    }

    pub fn sdkappid(&self) -> u64 {
        self.shared.config.sdkappid
    }

    pub fn secret_key(&self) -> &Secret {
        &self.shared.config.secret_key
    }

    /// Points callbacks somewhere else (as changing the console's callback URL would).
    pub fn set_callback(&self, target: Option<CallbackTarget>) {
        *self.shared.callback.write().unwrap_or_else(|p| p.into_inner()) = target;
    }

    /// Turns fault injection on (`Some`) or off (`None`).
    pub fn set_faults(&self, faults: Option<Faults>) {
        *self.shared.faults.write().unwrap_or_else(|p| p.into_inner()) = faults;
    }

    /// Every message the sandbox delivers to a group, as members' clients receive it.
    pub fn deliveries(&self) -> broadcast::Receiver<Delivered> {
        self.shared.deliveries.subscribe()
    }

    /// The sandbox's client SDK (a native app), acting as `user_id`.
    pub fn viewer(&self, user_id: impl Into<String>) -> Viewer {
        Viewer { shared: self.shared.clone(), user_id: user_id.into(), platform: "Android" }
    }

    /// The Web SDK, acting as `user_id` (Web users make the online count lag, as on Tencent).
    pub fn web_viewer(&self, user_id: impl Into<String>) -> Viewer {
        Viewer { shared: self.shared.clone(), user_id: user_id.into(), platform: "Web" }
    }

    /// The AVChatRoom groups that exist now, oldest first.
    pub fn live_rooms(&self) -> Vec<String> {
        self.shared.world.lock().unwrap_or_else(|p| p.into_inner()).av_rooms()
    }

    /// Members currently in a group.
    pub fn members(&self, group_id: &str) -> Vec<String> {
        self.shared.world.lock().unwrap_or_else(|p| p.into_inner()).members(group_id)
    }

    /// Starts the simulated audience; it stops with the sandbox.
    pub fn start_audience(&self, config: AudienceConfig) {
        tokio::spawn(audience::run(self.clone(), config, self.cancel.clone()));
    }
}

/// What a client's send returned. Tencent tells the sender "success" even when the group's frequency
/// control dropped the message, so `dropped` is the sandbox's knowledge, not the client's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    pub seq: u64,
    pub dropped: bool,
}

/// The sandbox's client SDK: what a viewer's app can do in a room.
#[derive(Clone)]
pub struct Viewer {
    shared: Arc<Shared>,
    user_id: String,
    platform: &'static str,
}

impl Viewer {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// Joins a group (AVChatRoom: apply, no approval; the before-join callback may refuse).
    pub async fn join(&self, group_id: &str) -> Result<(), ClientError> {
        world::join(&self.shared, group_id, &self.user_id, self.platform).await
    }

    pub async fn leave(&self, group_id: &str) -> Result<(), ClientError> {
        world::leave(&self.shared, group_id, &self.user_id, self.platform).await
    }

    /// Sends a text message (Normal priority).
    pub async fn send_text(&self, group_id: &str, text: &str) -> Result<Sent, ClientError> {
        self.send(group_id, vec![MsgElement::text(text)], MsgPriority::Normal).await
    }

    pub async fn send(
        &self,
        group_id: &str,
        body: Vec<MsgElement>,
        priority: MsgPriority,
    ) -> Result<Sent, ClientError> {
        let msg = world::Outgoing {
            group_id: group_id.to_string(),
            from: self.user_id.clone(),
            body,
            priority,
            random: rand::random(),
            forbid_before: false,
            forbid_after: false,
            platform: self.platform,
            operator: self.user_id.clone(),
            from_admin: false,
            require_member: true,
        };
        world::send_message(&self.shared, msg).await.map(|o| Sent { seq: o.seq, dropped: o.dropped })
    }
}
