//! OBS through obs-websocket v5 (obs-websocket.md), on the `obws` client. Two layers:
//!
//! - [`Obs`]: one connection. Connects with or without the WebSocket password (a refused password is
//!   [`ObsError::WrongPassword`], not a generic handshake failure), applies a Custom (`rtmp_custom`)
//!   server and key and reads them back to prove OBS kept them, starts and stops the stream and waits
//!   for OBS's `StreamStateChanged` to say how it went, and reads `GetStreamStatus`.
//! - [`supervise`]: an actor that owns a connection, reconnects with backoff when OBS closes or goes
//!   away, follows `StreamStateChanged`, polls `GetStreamStatus` and publishes an [`ObsHealth`] for the
//!   console; the [`ObsHandle`] sends it commands.
//!
//! Bitrate is Δ`outputBytes`×8/Δt between two polls (the obs-websocket maintainer's formula). Δt is
//! taken from OBS's own `outputDuration` when it advanced, because bytes and duration come from the same
//! snapshot and so poll jitter cannot skew the figure; the local clock is the fallback.
//!
//! OBS refuses `SetStreamServiceSettings` while the output is active (status 500); that becomes
//! [`ObsError::LiveChangeRefused`], "stop the stream in OBS first". A start OBS gives up on (the ingest
//! refused the key or cannot be reached) shows as `STARTING` then `STOPPED` without `STARTED`, which is
//! [`ObsError::StartFailed`]. Invariants: the password and the stream key never reach `Debug`, errors or
//! logs (servers are shown without their query, which is where an SRT URL keeps its secret); the
//! connection subscribes to General and Outputs events only.

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use obws::requests::EventSubscription;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::Secret;

/// OBS's WebSocket server on this machine, at its default port.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:4455";
/// OBS's "Custom" streaming service.
pub const CUSTOM_SERVICE: &str = "rtmp_custom";
/// The close code obs-websocket uses for a missing or wrong password.
const CLOSE_AUTHENTICATION_FAILED: u16 = 4009;

/// Where OBS is and how to log in.
#[derive(Clone)]
pub struct ObsConfig {
    /// `ws://HOST:PORT`; default [`DEFAULT_URL`].
    pub url: String,
    /// OBS's WebSocket password, when "Enable Authentication" is on.
    pub password: Option<Secret>,
    /// Connecting and the handshake: 5 s (OBS on the same machine answers in milliseconds).
    pub connect_timeout: Duration,
    /// One request: 10 s. A request left unanswered this long means the connection is gone.
    pub request_timeout: Duration,
}

impl ObsConfig {
    pub fn new(url: impl Into<String>, password: Option<Secret>) -> Self {
        Self { url: url.into(), password, ..Self::default() }
    }
}

impl Default for ObsConfig {
    fn default() -> Self {
        Self {
            url: DEFAULT_URL.into(),
            password: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for ObsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObsConfig")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// Everything that can go wrong with OBS, each saying what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObsError {
    #[error("{0:?} is not an OBS WebSocket address: use ws://HOST:PORT, e.g. {DEFAULT_URL}")]
    BadUrl(String),
    #[error(
        "cannot reach OBS at {url} ({detail}): start OBS and switch on Tools → WebSocket Server Settings → \
         Enable WebSocket server"
    )]
    Unreachable { url: String, detail: String },
    #[error("OBS at {url} did not finish connecting within {secs} s")]
    ConnectTimeout { url: String, secs: u64 },
    #[error(
        "the OBS WebSocket password is wrong: copy it from OBS (Tools → WebSocket Server Settings → Show \
         Connect Info)"
    )]
    WrongPassword,
    #[error(
        "OBS requires a WebSocket password: give it with --password or ANCHORDESK_OBS_PASSWORD (OBS: Tools → \
         WebSocket Server Settings → Show Connect Info)"
    )]
    PasswordRequired,
    #[error("this OBS is not supported: {0}; AnchorDesk needs OBS 30.2 or newer (obs-websocket 5.5)")]
    Unsupported(String),
    #[error("the stream settings are not usable: {0}")]
    InvalidSettings(String),
    #[error("OBS refused to change the stream settings because it is streaming: stop the stream in OBS first")]
    LiveChangeRefused,
    #[error("OBS is already streaming")]
    AlreadyLive,
    #[error("OBS is not streaming")]
    NotLive,
    #[error("OBS is still starting or stopping the stream: wait until it has finished")]
    Busy,
    #[error("OBS did not keep the stream settings it was sent: {0}; set them again, or check OBS's Settings → Stream")]
    NotApplied(String),
    #[error(
        "OBS stopped the stream before it went live, so the ingest at {server} refused it or could not be \
         reached: check the server and the stream key (an expired push address or a wrong key is refused)"
    )]
    StartFailed { server: String },
    #[error("OBS did not report the stream {what} within {secs} s")]
    NoConfirmation { what: &'static str, secs: u64 },
    #[error("OBS refused {request} (status {code}): {comment}")]
    Refused { request: &'static str, code: u16, comment: String },
    #[error("OBS closed the connection")]
    Disconnected,
    #[error("OBS did not answer {request} within {secs} s")]
    NoAnswer { request: &'static str, secs: u64 },
    #[error("OBS is not connected ({0}); AnchorDesk keeps retrying")]
    NotConnected(String),
    #[error("the OBS connection has been shut down")]
    Shutdown,
    #[error("unexpected answer from OBS to {request}: {detail}")]
    Protocol { request: &'static str, detail: String },
}

impl ObsError {
    /// Whether the connection this came from is gone (the supervisor then reconnects).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, ObsError::Disconnected | ObsError::NoAnswer { .. })
    }
}

pub type Result<T, E = ObsError> = std::result::Result<T, E>;

/// A server shown to people or logs: the query (where an SRT URL keeps `txSecret`) is masked.
pub fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?***"),
        None => url.to_string(),
    }
}

/// What OBS's Custom service is set to: the server and the stream key.
#[derive(Clone, PartialEq, Eq)]
pub struct ObsStreamSettings {
    pub server: String,
    pub key: Secret,
}

impl ObsStreamSettings {
    pub fn new(server: &str, key: &str) -> Self {
        Self { server: server.to_string(), key: Secret::new(key) }
    }

    fn validate(&self) -> Result<()> {
        let s = self.server.as_str();
        if !(s.starts_with("rtmp://") || s.starts_with("rtmps://") || s.starts_with("srt://")) {
            return Err(ObsError::InvalidSettings(format!(
                "the server {:?} is not an rtmp://, rtmps:// or srt:// URL",
                redact_url(s)
            )));
        }
        if self.key.is_empty() && !s.starts_with("srt://") {
            return Err(ObsError::InvalidSettings("the stream key is empty (an RTMP push needs one)".into()));
        }
        Ok(())
    }
}

impl fmt::Debug for ObsStreamSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObsStreamSettings").field("server", &redact_url(&self.server)).field("key", &"***").finish()
    }
}

/// OBS's streaming service as read back.
#[derive(Clone, PartialEq)]
pub struct StreamService {
    /// `rtmp_custom`, `rtmp_common`, `whip_custom`, …
    pub service_type: String,
    pub server: Option<String>,
    pub key: Option<Secret>,
    /// Whether OBS sends a username and password to the server (Custom service, "Use authentication").
    pub use_auth: bool,
}

impl fmt::Debug for StreamService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamService")
            .field("service_type", &self.service_type)
            .field("server", &self.server.as_deref().map(redact_url))
            .field("key", &self.key.as_ref().map(|_| "***"))
            .field("use_auth", &self.use_auth)
            .finish()
    }
}

impl StreamService {
    /// Whether this is exactly `want`; otherwise what differs, without showing the key.
    pub fn check(&self, want: &ObsStreamSettings) -> Result<()> {
        if self.service_type != CUSTOM_SERVICE {
            return Err(ObsError::NotApplied(format!(
                "OBS uses the {:?} service, not Custom ({CUSTOM_SERVICE})",
                self.service_type
            )));
        }
        if self.server.as_deref() != Some(want.server.as_str()) {
            return Err(ObsError::NotApplied(format!(
                "OBS's server is {:?}, not {:?}",
                self.server.as_deref().map(redact_url).unwrap_or_default(),
                redact_url(&want.server)
            )));
        }
        if self.key.as_ref() != Some(&want.key) {
            return Err(ObsError::NotApplied("OBS kept a different stream key".into()));
        }
        if self.use_auth {
            return Err(ObsError::NotApplied("OBS still sends a username and password (Use authentication)".into()));
        }
        Ok(())
    }
}

/// The versions OBS reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ObsVersion {
    pub obs: String,
    pub websocket: String,
}

/// OBS's stream output state, from `StreamStateChanged` (`OBS_WEBSOCKET_OUTPUT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum OutputState {
    Starting,
    Started,
    Stopping,
    Stopped,
    Reconnecting,
    Reconnected,
    Unknown,
}

impl From<obws::events::OutputState> for OutputState {
    fn from(s: obws::events::OutputState) -> Self {
        use obws::events::OutputState as W;
        match s {
            W::Starting => Self::Starting,
            W::Started => Self::Started,
            W::Stopping => Self::Stopping,
            W::Stopped => Self::Stopped,
            W::Reconnecting => Self::Reconnecting,
            W::Reconnected => Self::Reconnected,
            _ => Self::Unknown,
        }
    }
}

/// What the connection reports, reduced to what a console follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObsEvent {
    /// `StreamStateChanged`.
    StreamState { active: bool, state: OutputState },
    /// `ExitStarted`: OBS is shutting down; the connection closes next.
    Exiting,
    /// The connection closed.
    Closed,
}

pub type EventStream = Pin<Box<dyn Stream<Item = ObsEvent> + Send>>;

/// `GetStreamStatus`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamStatus {
    pub active: bool,
    pub reconnecting: bool,
    pub duration_ms: u64,
    /// 0 (none) to 1 (the network cannot keep up).
    pub congestion: f64,
    pub bytes: u64,
    pub skipped_frames: u64,
    pub total_frames: u64,
}

/// Bitrate from successive [`StreamStatus`] polls.
#[derive(Debug, Clone, Default)]
pub struct BitrateMeter {
    last: Option<(u64, u64, Instant)>,
}

impl BitrateMeter {
    /// Bits per second since the previous sample of the same live output; none for the first sample,
    /// when the output is not active, or when the byte counter went back (a new output).
    pub fn sample(&mut self, status: &StreamStatus, at: Instant) -> Option<f64> {
        if !status.active {
            self.last = None;
            return None;
        }
        let rate = self.last.and_then(|(bytes, duration_ms, then)| {
            let sent = status.bytes.checked_sub(bytes)?;
            let secs = if status.duration_ms > duration_ms {
                (status.duration_ms - duration_ms) as f64 / 1000.0
            } else {
                at.checked_duration_since(then)?.as_secs_f64()
            };
            (secs > 0.0).then(|| sent as f64 * 8.0 / secs)
        });
        self.last = Some((status.bytes, status.duration_ms, at));
        rate
    }
}

/// The connection to OBS as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ObsConnection {
    Connecting {
        attempt: u32,
    },
    Connected {
        version: ObsVersion,
    },
    /// Lost or refused; the next attempt is in `retry_in_ms`.
    Disconnected {
        reason: String,
        attempt: u32,
        retry_in_ms: u32,
    },
    /// The supervisor has shut down.
    Stopped,
}

/// OBS's health for the console: the connection, the output, and the stream's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ObsHealth {
    pub connection: ObsConnection,
    pub output: OutputState,
    /// `outputActive`: OBS is sending (or reconnecting).
    pub live: bool,
    pub reconnecting: bool,
    /// Over the last two polls of a live output.
    pub bitrate_kbps: Option<f64>,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub duration_ms: u64,
    #[ts(type = "number")]
    pub total_frames: u64,
    #[ts(type = "number")]
    pub skipped_frames: u64,
    /// skipped / total frames, 0 to 1.
    pub drop_ratio: f64,
    /// 0 to 1.
    pub congestion: f64,
    /// The Custom service's server, query masked; none until read or for other services.
    pub server: Option<String>,
}

impl Default for ObsHealth {
    fn default() -> Self {
        Self {
            connection: ObsConnection::Connecting { attempt: 1 },
            output: OutputState::Unknown,
            live: false,
            reconnecting: false,
            bitrate_kbps: None,
            bytes: 0,
            duration_ms: 0,
            total_frames: 0,
            skipped_frames: 0,
            drop_ratio: 0.0,
            congestion: 0.0,
            server: None,
        }
    }
}

/// Folds polls and events into an [`ObsHealth`]; used by the supervisor and by one-shot callers.
#[derive(Debug, Clone, Default)]
pub struct HealthTracker {
    health: ObsHealth,
    meter: BitrateMeter,
}

impl HealthTracker {
    pub fn health(&self) -> &ObsHealth {
        &self.health
    }

    pub fn on_status(&mut self, s: &StreamStatus, at: Instant) {
        let h = &mut self.health;
        h.bitrate_kbps = self.meter.sample(s, at).map(|bps| (bps / 100.0).round() / 10.0);
        h.live = s.active;
        h.reconnecting = s.reconnecting;
        h.bytes = s.bytes;
        h.duration_ms = s.duration_ms;
        h.total_frames = s.total_frames;
        h.skipped_frames = s.skipped_frames;
        h.drop_ratio = if s.total_frames == 0 { 0.0 } else { s.skipped_frames as f64 / s.total_frames as f64 };
        h.congestion = s.congestion;
        // Events say how the output got where it is; a poll corrects a settled state that has moved on
        // (a missed event, or the state before this connection existed).
        h.output = match (h.output, s.active) {
            (OutputState::Unknown | OutputState::Stopped, true) if s.reconnecting => OutputState::Reconnecting,
            (OutputState::Unknown | OutputState::Stopped, true) => OutputState::Started,
            (OutputState::Unknown | OutputState::Started | OutputState::Reconnected, false) => OutputState::Stopped,
            (state, _) => state,
        };
    }

    pub fn on_state(&mut self, active: bool, state: OutputState) {
        self.health.output = state;
        self.health.live = active;
        self.health.reconnecting = state == OutputState::Reconnecting;
        if !active {
            self.health.bitrate_kbps = None;
        }
    }

    pub fn set_server(&mut self, server: Option<&str>) {
        self.health.server = server.map(redact_url);
    }

    pub fn set_connection(&mut self, connection: ObsConnection) {
        if !matches!(connection, ObsConnection::Connected { .. }) {
            let server = self.health.server.take();
            self.health = ObsHealth { connection, server, ..ObsHealth::default() };
            self.meter = BitrateMeter::default();
        } else {
            self.health.connection = connection;
        }
    }
}

/// What a start or stop is waiting for in `StreamStateChanged`.
#[derive(Debug, Clone, Copy)]
struct Confirm {
    want_started: bool,
    /// `STARTING` (or `STOPPING`) seen since the request: a `STOPPED` before it is stale.
    moving: bool,
}

impl Confirm {
    fn start() -> Self {
        Self { want_started: true, moving: false }
    }

    fn stop() -> Self {
        Self { want_started: false, moving: false }
    }

    fn what(&self) -> &'static str {
        if self.want_started {
            "started"
        } else {
            "stopped"
        }
    }

    /// `Some(true)` when settled as wanted, `Some(false)` when a start failed.
    fn on(&mut self, state: OutputState) -> Option<bool> {
        use OutputState::*;
        match (self.want_started, state) {
            (true, Starting) | (false, Stopping) => {
                self.moving = true;
                None
            }
            (true, Started | Reconnected) | (false, Stopped) => Some(true),
            (true, Stopped) if self.moving => Some(false),
            _ => None,
        }
    }
}

/// One connection to OBS.
pub struct Obs {
    client: obws::Client,
    config: ObsConfig,
    version: ObsVersion,
}

impl fmt::Debug for Obs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Obs").field("url", &self.config.url).field("version", &self.version).finish()
    }
}

fn parse_ws_url(url: &str) -> Result<(String, u16)> {
    let bad = || ObsError::BadUrl(url.to_string());
    let rest = url.strip_prefix("ws://").ok_or_else(bad)?.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
        None => (rest, 4455),
    };
    if host.is_empty() || host.contains(['/', '?', '@']) || port == 0 {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

fn status_code(code: obws::responses::StatusCode) -> u16 {
    serde_json::to_value(code).ok().and_then(|v| v.as_u64()).and_then(|c| u16::try_from(c).ok()).unwrap_or(0)
}

fn request_error(request: &'static str, e: obws::error::Error) -> ObsError {
    use obws::responses::StatusCode;
    match e {
        obws::error::Error::Api { code, message } => match code {
            StatusCode::OutputRunning if request == "SetStreamServiceSettings" => ObsError::LiveChangeRefused,
            StatusCode::OutputRunning => ObsError::AlreadyLive,
            StatusCode::OutputNotRunning => ObsError::NotLive,
            _ => ObsError::Refused { request, code: status_code(code), comment: message.unwrap_or_default() },
        },
        obws::error::Error::Send(_) | obws::error::Error::ReceiveMessage(_) | obws::error::Error::Disconnected => {
            ObsError::Disconnected
        }
        other => ObsError::Protocol { request, detail: other.to_string() },
    }
}

fn connect_error(e: obws::error::Error, config: &ObsConfig) -> ObsError {
    use obws::client::HandshakeError;
    let url = config.url.clone();
    match e {
        obws::error::Error::Connect(c) => ObsError::Unreachable { url, detail: c.to_string() },
        obws::error::Error::Timeout => ObsError::ConnectTimeout { url, secs: config.connect_timeout.as_secs() },
        obws::error::Error::Handshake(HandshakeError::ConnectionClosed(Some(close)))
            if u16::from(close.code) == CLOSE_AUTHENTICATION_FAILED =>
        {
            if config.password.as_ref().is_some_and(|p| !p.is_empty()) {
                ObsError::WrongPassword
            } else {
                ObsError::PasswordRequired
            }
        }
        obws::error::Error::Handshake(HandshakeError::ConnectionClosed(Some(close))) => ObsError::Protocol {
            request: "Identify",
            detail: format!("OBS closed the connection ({}: {})", u16::from(close.code), close.reason),
        },
        obws::error::Error::Handshake(h) => ObsError::Protocol { request: "Identify", detail: h.to_string() },
        obws::error::Error::ObsStudioVersion(v, _) => ObsError::Unsupported(format!("OBS {v}")),
        obws::error::Error::ObsWebsocketVersion(v, _) => ObsError::Unsupported(format!("obs-websocket {v}")),
        obws::error::Error::RpcVersion { negotiated, .. } => ObsError::Unsupported(format!("RPC version {negotiated}")),
        other => request_error("GetVersion", other),
    }
}

impl Obs {
    /// Connects, identifies (with the password when OBS asks for one) and checks OBS's version.
    pub async fn connect(config: &ObsConfig) -> Result<Obs> {
        let (host, port) = parse_ws_url(&config.url)?;
        let connect = obws::Client::connect_with_config(obws::client::ConnectConfig {
            host: host.as_str(),
            port,
            dangerous: None,
            password: config.password.as_ref().map(|p| p.expose()),
            event_subscriptions: Some(EventSubscription::GENERAL | EventSubscription::OUTPUTS),
            broadcast_capacity: 256,
            connect_timeout: config.connect_timeout,
        });
        // obws times the TCP and WebSocket connect and the Hello separately; this bounds the whole.
        let client = tokio::time::timeout(config.connect_timeout * 2, connect)
            .await
            .map_err(|_| ObsError::ConnectTimeout {
                url: config.url.clone(),
                secs: config.connect_timeout.as_secs() * 2,
            })?
            .map_err(|e| connect_error(e, config))?;
        let mut obs = Obs {
            client,
            config: config.clone(),
            version: ObsVersion { obs: String::new(), websocket: String::new() },
        };
        let v = obs.call("GetVersion", obs.client.general().version()).await?;
        obs.version = ObsVersion { obs: v.obs_version.to_string(), websocket: v.obs_web_socket_version.to_string() };
        Ok(obs)
    }

    pub fn version(&self) -> &ObsVersion {
        &self.version
    }

    async fn call<T>(
        &self,
        request: &'static str,
        fut: impl std::future::Future<Output = obws::error::Result<T>>,
    ) -> Result<T> {
        let limit = self.config.request_timeout;
        match tokio::time::timeout(limit, fut).await {
            Ok(r) => r.map_err(|e| request_error(request, e)),
            Err(_) => Err(ObsError::NoAnswer { request, secs: limit.as_secs() }),
        }
    }

    /// `GetStreamServiceSettings`.
    pub async fn stream_service(&self) -> Result<StreamService> {
        let config = self.client.config();
        let s = self.call("GetStreamServiceSettings", config.stream_service_settings::<serde_json::Value>()).await?;
        let text = |k: &str| s.settings.get(k).and_then(|v| v.as_str()).map(str::to_string);
        Ok(StreamService {
            server: text("server"),
            key: text("key").map(Secret::new),
            use_auth: s.settings.get("use_auth").and_then(|v| v.as_bool()).unwrap_or(false),
            service_type: s.r#type,
        })
    }

    /// Sets the Custom service to `settings` (authentication off) and reads it back; an error if OBS
    /// refuses (it does while streaming) or kept something else.
    pub async fn apply(&self, settings: &ObsStreamSettings) -> Result<()> {
        settings.validate()?;
        let body = serde_json::json!({"server": settings.server, "key": settings.key.expose(), "use_auth": false});
        let config = self.client.config();
        self.call("SetStreamServiceSettings", config.set_stream_service_settings(CUSTOM_SERVICE, &body)).await?;
        self.stream_service().await?.check(settings)
    }

    /// `StartStream`, without waiting for the outcome.
    pub async fn start_stream(&self) -> Result<()> {
        self.call("StartStream", self.client.streaming().start()).await
    }

    /// `StopStream`, without waiting for the outcome.
    pub async fn stop_stream(&self) -> Result<()> {
        self.call("StopStream", self.client.streaming().stop()).await
    }

    /// Starts the stream and waits until OBS reports it live, or that it gave up.
    pub async fn start_stream_confirmed(&self, timeout: Duration) -> Result<()> {
        let events = self.events()?;
        self.start_stream().await?;
        self.confirm(events, Confirm::start(), timeout).await
    }

    /// Stops the stream and waits until OBS reports it stopped.
    pub async fn stop_stream_confirmed(&self, timeout: Duration) -> Result<()> {
        let events = self.events()?;
        self.stop_stream().await?;
        self.confirm(events, Confirm::stop(), timeout).await
    }

    async fn confirm(&self, mut events: EventStream, mut confirm: Confirm, timeout: Duration) -> Result<()> {
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                ev = events.next() => match ev {
                    Some(ObsEvent::StreamState { state, .. }) => match confirm.on(state) {
                        Some(true) => return Ok(()),
                        Some(false) => return Err(self.start_failed().await),
                        None => {}
                    },
                    Some(ObsEvent::Exiting) => {}
                    Some(ObsEvent::Closed) | None => return Err(ObsError::Disconnected),
                },
                _ = &mut deadline => return Err(ObsError::NoConfirmation { what: confirm.what(), secs: timeout.as_secs() }),
            }
        }
    }

    async fn start_failed(&self) -> ObsError {
        let server = self.stream_service().await.ok().and_then(|s| s.server);
        ObsError::StartFailed { server: server.as_deref().map(redact_url).unwrap_or_else(|| "the server".into()) }
    }

    /// `GetStreamStatus`.
    pub async fn stream_status(&self) -> Result<StreamStatus> {
        let s = self.call("GetStreamStatus", self.client.streaming().status()).await?;
        Ok(StreamStatus {
            active: s.active,
            reconnecting: s.reconnecting,
            duration_ms: u64::try_from(s.duration.whole_milliseconds()).unwrap_or(0),
            congestion: f64::from(s.congestion),
            bytes: s.bytes,
            skipped_frames: u64::from(s.skipped_frames),
            total_frames: u64::from(s.total_frames),
        })
    }

    /// OBS's events from now on. Ends with [`ObsEvent::Closed`] when the connection closes.
    pub fn events(&self) -> Result<EventStream> {
        use obws::events::Event;
        let events = self.client.events().map_err(|_| ObsError::Disconnected)?;
        Ok(Box::pin(events.filter_map(|e| async move {
            match e {
                Event::StreamStateChanged { active, state } => {
                    Some(ObsEvent::StreamState { active, state: state.into() })
                }
                Event::ExitStarted => Some(ObsEvent::Exiting),
                Event::ServerStopping | Event::ServerStopped => Some(ObsEvent::Closed),
                _ => None,
            }
        })))
    }

    /// Closes the connection.
    pub async fn disconnect(mut self) {
        self.client.disconnect().await;
    }
}

/// How the supervisor paces itself.
#[derive(Debug, Clone)]
pub struct SuperviseOptions {
    /// `GetStreamStatus` every 2 s: often enough for a live bitrate, light on OBS.
    pub poll_interval: Duration,
    /// The first retry after a lost or refused connection: 250 ms, doubling to `backoff_max`.
    pub backoff_min: Duration,
    /// At most 10 s between attempts.
    pub backoff_max: Duration,
    /// How long a start or stop waits for `StreamStateChanged`: 30 s (OBS's RTMP connect can take
    /// 20 s to time out).
    pub confirm_timeout: Duration,
}

impl Default for SuperviseOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(2),
            backoff_min: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
            confirm_timeout: Duration::from_secs(30),
        }
    }
}

fn backoff(attempt: u32, options: &SuperviseOptions) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(16);
    options.backoff_min.saturating_mul(factor).min(options.backoff_max)
}

type Reply<T> = oneshot::Sender<Result<T>>;

enum Command {
    Apply(ObsStreamSettings, Reply<()>),
    Start(Reply<()>),
    Stop(Reply<()>),
    Refresh(Reply<ObsHealth>),
}

impl Command {
    fn refuse(self, e: ObsError) {
        match self {
            Command::Apply(_, r) | Command::Start(r) | Command::Stop(r) => {
                let _ = r.send(Err(e));
            }
            Command::Refresh(r) => {
                let _ = r.send(Err(e));
            }
        }
    }
}

/// The handle to a supervised OBS connection; cheap to clone. The connection shuts down when the
/// cancellation token fires or the last handle is dropped.
#[derive(Clone)]
pub struct ObsHandle {
    commands: mpsc::Sender<Command>,
    health: watch::Receiver<ObsHealth>,
}

impl fmt::Debug for ObsHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObsHandle").field("health", &*self.health.borrow()).finish()
    }
}

impl ObsHandle {
    pub fn health(&self) -> ObsHealth {
        self.health.borrow().clone()
    }

    /// Every change of [`ObsHealth`].
    pub fn watch(&self) -> watch::Receiver<ObsHealth> {
        self.health.clone()
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(make(tx)).await.map_err(|_| ObsError::Shutdown)?;
        rx.await.map_err(|_| ObsError::Shutdown)?
    }

    /// Applies and verifies the Custom service's server and key ([`Obs::apply`]).
    pub async fn apply(&self, settings: ObsStreamSettings) -> Result<()> {
        self.ask(|r| Command::Apply(settings, r)).await
    }

    /// Starts the stream and waits for OBS to report it live or failed.
    pub async fn start_stream(&self) -> Result<()> {
        self.ask(Command::Start).await
    }

    /// Stops the stream and waits for OBS to report it stopped.
    pub async fn stop_stream(&self) -> Result<()> {
        self.ask(Command::Stop).await
    }

    /// Polls OBS now and returns the health.
    pub async fn refresh(&self) -> Result<ObsHealth> {
        self.ask(Command::Refresh).await
    }
}

/// Starts a supervised connection to OBS.
pub fn supervise(config: ObsConfig, options: SuperviseOptions, cancel: CancellationToken) -> ObsHandle {
    let (commands, rx) = mpsc::channel(16);
    let (health_tx, health) = watch::channel(ObsHealth::default());
    let supervisor =
        Supervisor { config, options, cancel, commands: rx, health: health_tx, tracker: HealthTracker::default() };
    tokio::spawn(supervisor.run());
    ObsHandle { commands, health }
}

/// A start or stop waiting for its `StreamStateChanged`.
struct Pending {
    confirm: Confirm,
    reply: Reply<()>,
    deadline: Instant,
}

enum Exit {
    Shutdown,
    Lost(String),
}

/// The actor: owns the connection (when there is one) and the health it publishes.
struct Supervisor {
    config: ObsConfig,
    options: SuperviseOptions,
    cancel: CancellationToken,
    commands: mpsc::Receiver<Command>,
    health: watch::Sender<ObsHealth>,
    tracker: HealthTracker,
}

impl Supervisor {
    fn publish(&self) {
        self.health.send_replace(self.tracker.health().clone());
    }

    async fn run(mut self) {
        let mut attempt: u32 = 0;
        'outer: loop {
            self.tracker.set_connection(ObsConnection::Connecting { attempt: attempt + 1 });
            self.publish();
            let reason = tokio::select! {
                _ = self.cancel.cancelled() => break,
                r = Obs::connect(&self.config) => match r {
                    Ok(obs) => {
                        attempt = 0;
                        match self.connected(obs).await {
                            Exit::Shutdown => break,
                            Exit::Lost(reason) => reason,
                        }
                    }
                    Err(e) => e.to_string(),
                },
            };
            attempt = attempt.saturating_add(1);
            let delay = backoff(attempt, &self.options);
            tracing::info!(%reason, retry_in_ms = delay.as_millis() as u64, "OBS connection lost");
            self.tracker.set_connection(ObsConnection::Disconnected {
                reason: reason.clone(),
                attempt,
                retry_in_ms: u32::try_from(delay.as_millis()).unwrap_or(u32::MAX),
            });
            self.publish();
            let retry_at = Instant::now() + delay;
            loop {
                tokio::select! {
                    _ = self.cancel.cancelled() => break 'outer,
                    _ = tokio::time::sleep_until(retry_at) => break,
                    cmd = self.commands.recv() => match cmd {
                        Some(c) => c.refuse(ObsError::NotConnected(reason.clone())),
                        None => break 'outer,
                    },
                }
            }
        }
        self.tracker.set_connection(ObsConnection::Stopped);
        self.publish();
    }

    async fn poll(&mut self, obs: &Obs) -> Result<()> {
        let status = obs.stream_status().await?;
        self.tracker.on_status(&status, Instant::now());
        self.publish();
        Ok(())
    }

    async fn connected(&mut self, obs: Obs) -> Exit {
        let mut events = match obs.events() {
            Ok(e) => e,
            Err(e) => return Exit::Lost(e.to_string()),
        };
        self.tracker.set_connection(ObsConnection::Connected { version: obs.version().clone() });
        match obs.stream_service().await {
            Ok(s) => self.tracker.set_server(s.server.as_deref().filter(|_| s.service_type == CUSTOM_SERVICE)),
            Err(e) if e.is_connection_lost() => return Exit::Lost(e.to_string()),
            Err(_) => {}
        }
        if let Err(e) = self.poll(&obs).await {
            if e.is_connection_lost() {
                return Exit::Lost(e.to_string());
            }
        }
        self.publish();
        let every = self.options.poll_interval;
        let mut tick = tokio::time::interval_at(Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pending: Option<Pending> = None;
        let exit = loop {
            let deadline = pending.as_ref().map(|p| p.deadline);
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => break Exit::Shutdown,
                ev = events.next() => match ev {
                    Some(ObsEvent::StreamState { active, state }) => {
                        self.tracker.on_state(active, state);
                        self.publish();
                        if let Some(p) = pending.as_mut() {
                            if let Some(ok) = p.confirm.on(state) {
                                let p = pending.take().expect("pending");
                                let _ = p.reply.send(if ok { Ok(()) } else { Err(self.start_failed()) });
                            }
                        }
                    }
                    Some(ObsEvent::Exiting) => tracing::info!("OBS is shutting down"),
                    Some(ObsEvent::Closed) | None => break Exit::Lost(ObsError::Disconnected.to_string()),
                },
                _ = sleep_until(deadline) => {
                    let p = pending.take().expect("a deadline comes from a pending command");
                    let secs = self.options.confirm_timeout.as_secs();
                    let _ = p.reply.send(Err(ObsError::NoConfirmation { what: p.confirm.what(), secs }));
                }
                _ = tick.tick() => {
                    if let Err(e) = self.poll(&obs).await {
                        if e.is_connection_lost() {
                            break Exit::Lost(e.to_string());
                        }
                        tracing::warn!(error = %e, "GetStreamStatus failed");
                    }
                }
                cmd = self.commands.recv() => {
                    let Some(cmd) = cmd else { break Exit::Shutdown };
                    if let Err(e) = self.command(&obs, cmd, &mut pending).await {
                        break Exit::Lost(e.to_string());
                    }
                }
            }
        };
        if let Some(p) = pending.take() {
            let _ = p.reply.send(Err(ObsError::Disconnected));
        }
        obs.disconnect().await;
        exit
    }

    /// Runs one command; an error return means the connection is gone (the reply has been sent).
    async fn command(&mut self, obs: &Obs, cmd: Command, pending: &mut Option<Pending>) -> Result<()> {
        let lost = |r: &Result<()>| matches!(r, Err(e) if e.is_connection_lost());
        match cmd {
            Command::Apply(settings, reply) => {
                let r = obs.apply(&settings).await;
                if r.is_ok() {
                    self.tracker.set_server(Some(&settings.server));
                    self.publish();
                }
                let gone = lost(&r);
                let _ = reply.send(r);
                if gone {
                    return Err(ObsError::Disconnected);
                }
            }
            Command::Start(reply) | Command::Stop(reply) if pending.is_some() => {
                let _ = reply.send(Err(ObsError::Busy));
            }
            Command::Start(reply) => {
                let r = obs.start_stream().await;
                self.await_state(r, Confirm::start(), reply, pending)?;
            }
            Command::Stop(reply) => {
                let r = obs.stop_stream().await;
                self.await_state(r, Confirm::stop(), reply, pending)?;
            }
            Command::Refresh(reply) => match self.poll(obs).await {
                Ok(()) => {
                    let _ = reply.send(Ok(self.tracker.health().clone()));
                }
                Err(e) => {
                    let gone = e.is_connection_lost();
                    let _ = reply.send(Err(e));
                    if gone {
                        return Err(ObsError::Disconnected);
                    }
                }
            },
        }
        Ok(())
    }

    fn await_state(
        &self,
        sent: Result<()>,
        confirm: Confirm,
        reply: Reply<()>,
        pending: &mut Option<Pending>,
    ) -> Result<()> {
        match sent {
            Ok(()) => {
                *pending = Some(Pending { confirm, reply, deadline: Instant::now() + self.options.confirm_timeout });
                Ok(())
            }
            Err(e) => {
                let gone = e.is_connection_lost();
                let _ = reply.send(Err(e));
                if gone {
                    Err(ObsError::Disconnected)
                } else {
                    Ok(())
                }
            }
        }
    }

    fn start_failed(&self) -> ObsError {
        ObsError::StartFailed { server: self.tracker.health().server.clone().unwrap_or_else(|| "the server".into()) }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(active: bool, bytes: u64, duration_ms: u64) -> StreamStatus {
        StreamStatus {
            active,
            reconnecting: false,
            duration_ms,
            congestion: 0.0,
            bytes,
            skipped_frames: 0,
            total_frames: duration_ms * 30 / 1000,
        }
    }

    #[test]
    fn bitrate_is_the_byte_delta_over_obs_own_duration() {
        let mut m = BitrateMeter::default();
        let t0 = Instant::now();
        assert_eq!(m.sample(&status(true, 1_000_000, 4_000), t0), None, "one sample has no delta");
        // 312,500 bytes in 1 s of OBS time = 2.5 Mbit/s, however late the poll arrived.
        let r = m.sample(&status(true, 1_312_500, 5_000), t0 + Duration::from_millis(1_700));
        assert_eq!(r, Some(2_500_000.0));
    }

    #[test]
    fn bitrate_falls_back_to_the_local_clock_and_resets_with_the_output() {
        let mut m = BitrateMeter::default();
        let t0 = Instant::now();
        m.sample(&status(true, 0, 0), t0);
        assert_eq!(m.sample(&status(true, 250_000, 0), t0 + Duration::from_secs(2)), Some(1_000_000.0));
        assert_eq!(
            m.sample(&status(true, 10, 100), t0 + Duration::from_secs(3)),
            None,
            "counter went back: new output"
        );
        assert_eq!(m.sample(&status(false, 20, 200), t0 + Duration::from_secs(4)), None, "not live");
        assert_eq!(m.sample(&status(true, 30, 300), t0 + Duration::from_secs(5)), None, "not live resets");
    }

    #[test]
    fn a_start_fails_only_on_a_stopped_after_starting() {
        let mut c = Confirm::start();
        assert_eq!(c.on(OutputState::Stopped), None, "a stale STOPPED from an earlier stop");
        assert_eq!(c.on(OutputState::Starting), None);
        assert_eq!(c.on(OutputState::Stopped), Some(false), "OBS gave up");
        let mut c = Confirm::start();
        c.on(OutputState::Starting);
        assert_eq!(c.on(OutputState::Started), Some(true));
        let mut c = Confirm::stop();
        c.on(OutputState::Stopping);
        assert_eq!(c.on(OutputState::Stopped), Some(true));
    }

    #[test]
    fn a_poll_corrects_a_settled_state_but_not_a_transition() {
        let mut t = HealthTracker::default();
        t.on_status(&status(true, 0, 0), Instant::now());
        assert_eq!(t.health().output, OutputState::Started, "live before this connection existed");
        t.on_state(false, OutputState::Stopping);
        t.on_status(&status(true, 0, 0), Instant::now());
        assert_eq!(t.health().output, OutputState::Stopping, "events own transitions");
        t.on_state(true, OutputState::Started);
        t.on_status(&status(false, 0, 0), Instant::now());
        assert_eq!(t.health().output, OutputState::Stopped, "a missed STOPPED");
    }

    #[test]
    fn ws_urls_parse_and_bad_ones_say_the_expected_form() {
        assert_eq!(parse_ws_url("ws://127.0.0.1:4455").unwrap(), ("127.0.0.1".into(), 4455));
        assert_eq!(parse_ws_url("ws://obs.lan/").unwrap(), ("obs.lan".into(), 4455));
        for bad in ["127.0.0.1:4455", "wss://x:1", "ws://:1", "ws://x:port", "http://x"] {
            assert!(parse_ws_url(bad).unwrap_err().to_string().contains("ws://HOST:PORT"), "{bad}");
        }
    }

    #[test]
    fn the_backoff_doubles_up_to_its_ceiling() {
        let o = SuperviseOptions::default();
        let ms: Vec<u128> = (1..=8).map(|a| backoff(a, &o).as_millis()).collect();
        assert_eq!(ms, [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let s = ObsStreamSettings::new("srt://d:9000?streamid=#!::r=live/s,txSecret=abc123", "k?txSecret=def456");
        let c = ObsConfig::new(DEFAULT_URL, Some(Secret::new("hunter2")));
        let text = format!("{s:?} {c:?} {}", s.validate().err().map(|e| e.to_string()).unwrap_or_default());
        for secret in ["abc123", "def456", "hunter2"] {
            assert!(!text.contains(secret), "{text}");
        }
        let e = StreamService {
            service_type: CUSTOM_SERVICE.into(),
            server: Some(s.server.clone()),
            key: None,
            use_auth: false,
        }
        .check(&ObsStreamSettings::new("srt://d:9000?streamid=x,txSecret=zzz", ""))
        .unwrap_err()
        .to_string();
        assert!(!e.contains("abc123") && !e.contains("zzz"), "{e}");
    }
}
