//! A fake OBS: a real obs-websocket v5 server on 127.0.0.1, written from
//! `shared/reference/obs-websocket.md` and nothing else, so a client that works against it speaks the
//! documented protocol rather than this crate's idea of it.
//!
//! **Protocol**: JSON text frames (`obswebsocket.json`, chosen when offered). Hello (op 0) with
//! `rpcVersion` 1 and, when a password is set, `authentication {challenge, salt}` (salt per server,
//! challenge per session); Identify (op 1) checked against
//! `base64(sha256(base64(sha256(password + salt)) + challenge))`; Identified (op 2); Reidentify (op 3);
//! Request (op 6) → RequestResponse (op 7) with `requestStatus {result, code, comment}`; RequestBatch
//! (op 8) → op 9, run in order; Events (op 5) only to identified sessions whose `eventSubscriptions`
//! include the event's intent (default All). The documented close codes end a session that breaks the
//! rules: 4002 undecodable, 4003 missing field, 4004 wrong field type, 4005 bad value, 4006 unknown op,
//! 4007 not identified, 4008 already identified, 4009 authentication failed, 4010 unsupported RPC
//! version (including v4's `request-type`).
//!
//! **Requests**: GetVersion, GetStreamServiceSettings, SetStreamServiceSettings (same type merges,
//! another replaces; 500 while the output is active; 700 for an unknown type), GetStreamStatus,
//! StartStream (500 if live), StopStream (501 if not), ToggleStream. Anything else is 204, although a
//! real OBS knows many more.
//!
//! **The stream**: StartStream emits `StreamStateChanged` STARTING, then STARTED once the push is
//! connected. With [`PushMode::Ffmpeg`] the push is real: `ffmpeg` sends a test pattern to `server/key`
//! as FLV over RTMP, and `outputBytes`/frames come from its `-progress` report. A push that never
//! connects (the ingest refused the key, nothing listens) ends in STOPPED, as OBS reports it; a push
//! that drops once live goes RECONNECTING and retries like OBS's auto-reconnect, then RECONNECTED or
//! STOPPED. [`PushMode::Simulated`] does the same without ffmpeg, counting bytes at a fixed bitrate.
//!
//! **Knobs** for tests: refuse the next change, keep the old settings while answering success, refuse
//! or drop the push, set congestion, skip frames, drop or close every connection.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use im::Secret;
use rand::Rng;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

/// obs-websocket's event intents (`EventSubscription`).
pub mod intent {
    pub const GENERAL: u32 = 1 << 0;
    pub const OUTPUTS: u32 = 1 << 6;
    /// Every low-volume category (bits 0 to 10); the default when Identify has no `eventSubscriptions`.
    pub const ALL: u32 = (1 << 11) - 1;
}

/// `RequestStatus` codes (obs-websocket.md).
pub mod status {
    pub const SUCCESS: u16 = 100;
    pub const UNKNOWN_REQUEST_TYPE: u16 = 204;
    pub const NOT_READY: u16 = 207;
    pub const MISSING_REQUEST_FIELD: u16 = 300;
    pub const INVALID_REQUEST_FIELD: u16 = 400;
    pub const OUTPUT_RUNNING: u16 = 500;
    pub const OUTPUT_NOT_RUNNING: u16 = 501;
    pub const RESOURCE_CREATION_FAILED: u16 = 700;
    pub const REQUEST_PROCESSING_FAILED: u16 = 702;
    pub const CANNOT_ACT: u16 = 703;
}

/// WebSocket close codes (obs-websocket.md).
pub mod close {
    pub const MESSAGE_DECODE_ERROR: u16 = 4002;
    pub const MISSING_DATA_FIELD: u16 = 4003;
    pub const INVALID_DATA_FIELD_TYPE: u16 = 4004;
    pub const INVALID_DATA_FIELD_VALUE: u16 = 4005;
    pub const UNKNOWN_OP_CODE: u16 = 4006;
    pub const NOT_IDENTIFIED: u16 = 4007;
    pub const ALREADY_IDENTIFIED: u16 = 4008;
    pub const AUTHENTICATION_FAILED: u16 = 4009;
    pub const UNSUPPORTED_RPC_VERSION: u16 = 4010;
    /// What OBS sends to every session when it shuts down.
    pub const GOING_AWAY: u16 = 1001;
}

/// How StartStream pushes.
#[derive(Debug, Clone)]
pub enum PushMode {
    /// No process: the push connects after `connect_delay` and counts `bitrate_bps`.
    Simulated { bitrate_bps: u64 },
    /// A real push with this ffmpeg to `server` + `key` of the Custom service.
    Ffmpeg { program: PathBuf },
}

impl PushMode {
    /// `ffmpeg` from `PATH`.
    pub fn ffmpeg() -> Self {
        PushMode::Ffmpeg { program: PathBuf::from("ffmpeg") }
    }
}

#[derive(Debug, Clone)]
pub struct FakeObsConfig {
    /// The WebSocket password; none switches authentication off.
    pub password: Option<Secret>,
    pub push: PushMode,
    /// Reported by Hello and GetVersion: 30.2.2 and 5.5.2, the versions the reference was written from.
    pub obs_version: String,
    pub websocket_version: String,
    /// How long a simulated push takes to connect: 50 ms.
    pub connect_delay: Duration,
    /// After a live push drops: this many retries (OBS: "Automatically Reconnect", 25 by default;
    /// here 2 so tests end quickly) …
    pub reconnect_attempts: u32,
    /// … this far apart (OBS: 2 s; here 200 ms).
    pub reconnect_delay: Duration,
    /// The streaming service OBS starts with: OBS's out-of-the-box `rtmp_common` (Twitch, auto).
    pub service_type: String,
    pub service_settings: Value,
}

impl Default for FakeObsConfig {
    fn default() -> Self {
        Self {
            password: None,
            push: PushMode::Simulated { bitrate_bps: 2_500_000 },
            obs_version: "30.2.2".into(),
            websocket_version: "5.5.2".into(),
            connect_delay: Duration::from_millis(50),
            reconnect_attempts: 2,
            reconnect_delay: Duration::from_millis(200),
            service_type: "rtmp_common".into(),
            service_settings: json!({"service": "Twitch", "server": "auto", "key": ""}),
        }
    }
}

/// Whether `program` runs (`program -version`).
pub fn ffmpeg_available(program: &std::path::Path) -> bool {
    std::process::Command::new(program)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

const REQUESTS: &[&str] = &[
    "GetVersion",
    "GetStreamServiceSettings",
    "SetStreamServiceSettings",
    "GetStreamStatus",
    "StartStream",
    "StopStream",
    "ToggleStream",
];
const SERVICE_TYPES: &[&str] = &["rtmp_common", "rtmp_custom", "whip_custom"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Stopped,
    Starting,
    Started,
    Reconnecting,
    Stopping,
}

impl Phase {
    /// `outputActive`: OBS's output is active from the moment it connected until it stopped.
    fn active(self) -> bool {
        matches!(self, Phase::Started | Phase::Reconnecting | Phase::Stopping)
    }
}

/// The counters of the push that is connected now.
#[derive(Debug, Clone, Copy)]
enum Live {
    None,
    Simulated { since: Instant },
    Ffmpeg { bytes: u64, frames: u64, dropped: u64 },
}

/// OBS's state. Behind a `std::sync::Mutex`: every access is a short critical section that never
/// awaits, and the knobs are called from sync test code.
struct State {
    service_type: String,
    service_settings: Map<String, Value>,
    phase: Phase,
    /// Bumped by every StartStream, so a finished push cannot touch a newer one.
    run: u64,
    /// When the output first went live in this run (`outputDuration`).
    live_since: Option<Instant>,
    /// Counters of earlier connections of this run, and of the current one.
    base_bytes: u64,
    base_frames: u64,
    base_dropped: u64,
    live: Live,
    extra_skipped: u64,
    congestion: f64,
    refuse_next: Option<(u16, String)>,
    ignore_next_settings: bool,
    refuse_push: bool,
    push_stop: Option<CancellationToken>,
    push_drop: Arc<Notify>,
    push_log: VecDeque<String>,
}

impl State {
    fn new(service_type: String, service_settings: Map<String, Value>) -> Self {
        State {
            service_type,
            service_settings,
            phase: Phase::Stopped,
            run: 0,
            live_since: None,
            base_bytes: 0,
            base_frames: 0,
            base_dropped: 0,
            live: Live::None,
            extra_skipped: 0,
            congestion: 0.0,
            refuse_next: None,
            ignore_next_settings: false,
            refuse_push: false,
            push_stop: None,
            push_drop: Arc::new(Notify::new()),
            push_log: VecDeque::new(),
        }
    }

    fn counters(&self, now: Instant, bitrate_bps: u64) -> (u64, u64, u64) {
        let (b, f, d) = match self.live {
            Live::None => (0, 0, 0),
            Live::Simulated { since } => {
                let ms = now.duration_since(since).as_millis() as u64;
                (bitrate_bps * ms / 8000, ms * 30 / 1000, 0)
            }
            Live::Ffmpeg { bytes, frames, dropped } => (bytes, frames, dropped),
        };
        (self.base_bytes + b, self.base_frames + f, self.base_dropped + d)
    }

    fn end_connection(&mut self, bitrate_bps: u64) {
        let (b, f, d) = self.counters(Instant::now(), bitrate_bps);
        (self.base_bytes, self.base_frames, self.base_dropped) = (b, f, d);
        self.live = Live::None;
    }

    fn log(&mut self, line: impl Into<String>) {
        if self.push_log.len() == 50 {
            self.push_log.pop_front();
        }
        self.push_log.push_back(line.into());
    }

    /// Where the Custom service pushes: `server` + `key`, with the `/` OBS puts between them.
    fn push_url(&self) -> Option<String> {
        if self.service_type != "rtmp_custom" {
            return None;
        }
        let server = self.service_settings.get("server")?.as_str()?;
        let key = self.service_settings.get("key").and_then(Value::as_str).unwrap_or("");
        Some(if key.is_empty() || server.ends_with('/') { format!("{server}{key}") } else { format!("{server}/{key}") })
    }
}

#[derive(Debug, Clone)]
enum Kick {
    Drop,
    Close(u16, String),
}

struct Inner {
    config: FakeObsConfig,
    salt: String,
    state: Mutex<State>,
    events: broadcast::Sender<Arc<(u32, String)>>,
    kicks: broadcast::Sender<Kick>,
    identified: AtomicUsize,
    cancel: CancellationToken,
}

impl Inner {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn emit(&self, intent: u32, event_type: &str, data: Option<Value>) {
        let mut d = json!({"eventType": event_type, "eventIntent": intent});
        if let Some(data) = data {
            d["eventData"] = data;
        }
        let _ = self.events.send(Arc::new((intent, json!({"op": 5, "d": d}).to_string())));
    }

    fn emit_stream_state(&self, active: bool, state: &str) {
        let data = json!({"outputActive": active, "outputState": format!("OBS_WEBSOCKET_OUTPUT_{state}")});
        self.emit(intent::OUTPUTS, "StreamStateChanged", Some(data));
    }

    fn bitrate_bps(&self) -> u64 {
        match self.config.push {
            PushMode::Simulated { bitrate_bps } => bitrate_bps,
            PushMode::Ffmpeg { .. } => 0,
        }
    }
}

/// A running fake OBS. Dropping it stops it; [`FakeObs::shutdown`] also waits until the port is free.
pub struct FakeObs {
    inner: Arc<Inner>,
    addr: SocketAddr,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl FakeObs {
    /// Listens on 127.0.0.1 at a free port.
    pub async fn bind(config: FakeObsConfig) -> std::io::Result<Self> {
        Ok(Self::start(config, TcpListener::bind("127.0.0.1:0").await?))
    }

    /// Serves on `listener` (e.g. the port a previous fake OBS had, to play OBS coming back).
    pub fn start(config: FakeObsConfig, listener: TcpListener) -> Self {
        let addr = listener.local_addr().expect("a bound listener has an address");
        let state =
            State::new(config.service_type.clone(), config.service_settings.as_object().cloned().unwrap_or_default());
        let inner = Arc::new(Inner {
            config,
            salt: random_b64(),
            state: Mutex::new(state),
            events: broadcast::channel(256).0,
            kicks: broadcast::channel(16).0,
            identified: AtomicUsize::new(0),
            cancel: CancellationToken::new(),
        });
        let server = tokio::spawn(serve(inner.clone(), listener));
        Self { inner, addr, server: Some(server) }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The streaming service as OBS would save it: type and settings (key in plain text, as OBS has it).
    pub fn stream_service(&self) -> (String, Value) {
        let s = self.inner.state();
        (s.service_type.clone(), Value::Object(s.service_settings.clone()))
    }

    /// Changes the service as the user would in Settings → Stream.
    pub fn set_stream_service(&self, service_type: &str, settings: Value) {
        let mut s = self.inner.state();
        s.service_type = service_type.to_string();
        s.service_settings = settings.as_object().cloned().unwrap_or_default();
    }

    /// The stream output's state, as `StreamStateChanged` names it (`OBS_WEBSOCKET_OUTPUT_STARTED`, …).
    pub fn output_state(&self) -> &'static str {
        match self.inner.state().phase {
            Phase::Stopped => "OBS_WEBSOCKET_OUTPUT_STOPPED",
            Phase::Starting => "OBS_WEBSOCKET_OUTPUT_STARTING",
            Phase::Started => "OBS_WEBSOCKET_OUTPUT_STARTED",
            Phase::Reconnecting => "OBS_WEBSOCKET_OUTPUT_RECONNECTING",
            Phase::Stopping => "OBS_WEBSOCKET_OUTPUT_STOPPING",
        }
    }

    /// `outputActive`.
    pub fn output_active(&self) -> bool {
        self.inner.state().phase.active()
    }

    /// Identified sessions now.
    pub fn sessions(&self) -> usize {
        self.inner.identified.load(Ordering::SeqCst)
    }

    /// The next SetStreamServiceSettings, StartStream, StopStream or ToggleStream fails with `code`.
    pub fn refuse_next_change(&self, code: u16, comment: &str) {
        self.inner.state().refuse_next = Some((code, comment.to_string()));
    }

    /// The next SetStreamServiceSettings answers success but OBS keeps its old settings.
    pub fn ignore_next_settings(&self) {
        self.inner.state().ignore_next_settings = true;
    }

    /// Simulated pushes fail to connect (the ingest refuses them) while set.
    pub fn refuse_push(&self, refuse: bool) {
        self.inner.state().refuse_push = refuse;
    }

    /// The live push loses its connection (OBS then reconnects). Called while the push is
    /// reconnecting, it drops the connection that comes next.
    pub fn drop_push(&self) {
        let notify = self.inner.state().push_drop.clone();
        notify.notify_one();
    }

    pub fn set_congestion(&self, congestion: f64) {
        self.inner.state().congestion = congestion;
    }

    /// Counts `n` more skipped (and total) frames.
    pub fn skip_frames(&self, n: u64) {
        self.inner.state().extra_skipped += n;
    }

    /// Every session's TCP connection ends without a close frame (a crash, a cable).
    pub fn drop_connections(&self) {
        let _ = self.inner.kicks.send(Kick::Drop);
    }

    /// Every session is closed with `code` and `reason`.
    pub fn close_connections(&self, code: u16, reason: &str) {
        let _ = self.inner.kicks.send(Kick::Close(code, reason.to_string()));
    }

    /// What the push reported: ffmpeg's error output, connection and failure notes.
    pub fn push_log(&self) -> Vec<String> {
        self.inner.state().push_log.iter().cloned().collect()
    }

    /// OBS exits: `ExitStarted`, every session closed with 1001, the push stopped, the port freed.
    pub async fn shutdown(mut self) {
        self.inner.emit(intent::GENERAL, "ExitStarted", None);
        self.inner.cancel.cancel();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for FakeObs {
    fn drop(&mut self) {
        self.inner.cancel.cancel();
    }
}

fn random_b64() -> String {
    B64.encode(rand::thread_rng().gen::<[u8; 32]>())
}

/// `base64(sha256(base64(sha256(password + salt)) + challenge))`.
fn auth_string(password: &str, salt: &str, challenge: &str) -> String {
    let secret = B64.encode(Sha256::digest(format!("{password}{salt}").as_bytes()));
    B64.encode(Sha256::digest(format!("{secret}{challenge}").as_bytes()))
}

async fn serve(inner: Arc<Inner>, listener: TcpListener) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            _ = inner.cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => { sessions.spawn(session(inner.clone(), tcp)); }
                Err(e) => tracing::warn!(error = %e, "fake OBS: accept failed"),
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
    drop(listener);
    while sessions.join_next().await.is_some() {}
}

type Ws = WebSocketStream<TcpStream>;

/// How a message leaves the session.
enum Outcome {
    Reply(Vec<String>),
    Close(u16, String),
}

fn fail(code: u16, reason: &str) -> Outcome {
    Outcome::Close(code, reason.to_string())
}

async fn close(ws: &mut Ws, code: u16, reason: &str) {
    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.to_string().into() };
    if ws.send(Message::Close(Some(frame))).await.is_ok() {
        // Let the client answer the close so it reads the code, not a reset.
        let _ =
            tokio::time::timeout(Duration::from_secs(1), async { while let Some(Ok(_)) = ws.next().await {} }).await;
    }
}

/// Decrements the identified count when an identified session ends, however it ends.
struct Identified<'a>(&'a AtomicUsize);

impl Drop for Identified<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One client: Hello, then Identify, then requests, with events in between.
async fn session(inner: Arc<Inner>, tcp: TcpStream) {
    #[allow(clippy::result_large_err)] // tungstenite's `Callback` fixes the error type.
    let pick_json = |req: &Request, mut resp: Response| {
        let offered = req.headers().get("Sec-WebSocket-Protocol").and_then(|v| v.to_str().ok()).unwrap_or("");
        if offered.split(',').any(|p| p.trim() == "obswebsocket.json") {
            resp.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("obswebsocket.json"));
        }
        Ok(resp)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, pick_json).await else { return };
    let challenge = random_b64();
    let mut hello = json!({
        "obsStudioVersion": inner.config.obs_version,
        "obsWebSocketVersion": inner.config.websocket_version,
        "rpcVersion": 1,
    });
    if inner.config.password.is_some() {
        hello["authentication"] = json!({"challenge": challenge, "salt": inner.salt});
    }
    if ws.send(Message::text(json!({"op": 0, "d": hello}).to_string())).await.is_err() {
        return;
    }
    let mut kicks = inner.kicks.subscribe();
    let mut subscriptions: Option<u32> = None;
    let mut events: Option<broadcast::Receiver<Arc<(u32, String)>>> = None;
    let mut _identified: Option<Identified<'_>> = None;
    loop {
        // Biased: an event already emitted (ExitStarted before a shutdown) goes out before a close.
        let outcome = tokio::select! {
            biased;
            event = async { events.as_mut().expect("guarded").recv().await }, if events.is_some() => match event {
                Ok(e) if subscriptions.unwrap_or(0) & e.0 != 0 => Outcome::Reply(vec![e.1.clone()]),
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = inner.cancel.cancelled() => fail(close::GOING_AWAY, "Server stopping."),
            kick = kicks.recv() => match kick {
                Ok(Kick::Drop) | Err(broadcast::error::RecvError::Closed) => return,
                Ok(Kick::Close(code, reason)) => Outcome::Close(code, reason),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
            },
            message = ws.next() => match message {
                None | Some(Err(_)) => return,
                Some(Ok(Message::Text(text))) => {
                    let was_identified = subscriptions.is_some();
                    let outcome = handle(&inner, &challenge, &mut subscriptions, text.as_str());
                    if !was_identified && subscriptions.is_some() {
                        inner.identified.fetch_add(1, Ordering::SeqCst);
                        _identified = Some(Identified(&inner.identified));
                        events = Some(inner.events.subscribe());
                    }
                    outcome
                }
                Some(Ok(Message::Binary(_))) => fail(close::MESSAGE_DECODE_ERROR, "Your session is set to JSON, but you sent a binary message."),
                Some(Ok(_)) => continue,
            },
        };
        match outcome {
            Outcome::Reply(messages) => {
                for m in messages {
                    if ws.send(Message::text(m)).await.is_err() {
                        return;
                    }
                }
            }
            Outcome::Close(code, reason) => {
                close(&mut ws, code, &reason).await;
                return;
            }
        }
    }
}

fn handle(inner: &Arc<Inner>, challenge: &str, subscriptions: &mut Option<u32>, text: &str) -> Outcome {
    let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
        return fail(close::MESSAGE_DECODE_ERROR, "Unable to decode the message as a JSON object.");
    };
    if message.contains_key("request-type") {
        return fail(
            close::UNSUPPORTED_RPC_VERSION,
            "You appear to be attempting to connect with the pre-5.0.0 plugin protocol. Check to make sure your client is updated.",
        );
    }
    let op = match message.get("op") {
        None => return fail(close::MISSING_DATA_FIELD, "Your request is missing an `op`."),
        Some(op) => match op.as_u64() {
            Some(op) => op,
            None => return fail(close::INVALID_DATA_FIELD_TYPE, "Your `op` is not a number."),
        },
    };
    let d = match message.get("d") {
        None => return fail(close::MISSING_DATA_FIELD, "Your request is missing a `d`."),
        Some(Value::Object(d)) => d,
        Some(_) => return fail(close::INVALID_DATA_FIELD_TYPE, "Your `d` is not an object."),
    };
    match (op, subscriptions.is_some()) {
        (1, true) => fail(close::ALREADY_IDENTIFIED, "You are already Identified with the obs-websocket server."),
        (1, false) => identify(inner, challenge, subscriptions, d),
        (_, false) => fail(close::NOT_IDENTIFIED, "You attempted to send a non-Identify message while not identified."),
        (3, true) => match event_subscriptions(d) {
            Ok(subs) => {
                *subscriptions = Some(subs.unwrap_or(subscriptions.unwrap_or(intent::ALL)));
                Outcome::Reply(vec![json!({"op": 2, "d": {"negotiatedRpcVersion": 1}}).to_string()])
            }
            Err(outcome) => outcome,
        },
        (6, true) => {
            let (request_type, request_id) = match request_header(d, true) {
                Ok(h) => h,
                Err(outcome) => return outcome,
            };
            let mut response = run_request(inner, &request_type, d.get("requestData"));
            response["requestId"] = json!(request_id);
            Outcome::Reply(vec![json!({"op": 7, "d": response}).to_string()])
        }
        (8, true) => batch(inner, d),
        _ => fail(close::UNKNOWN_OP_CODE, &format!("Your request's `op` ({op}) is not valid for a client.")),
    }
}

fn event_subscriptions(d: &Map<String, Value>) -> Result<Option<u32>, Outcome> {
    match d.get("eventSubscriptions") {
        None => Ok(None),
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            None => Err(fail(close::INVALID_DATA_FIELD_TYPE, "Your `eventSubscriptions` is not an unsigned number.")),
        },
    }
}

fn identify(inner: &Inner, challenge: &str, subscriptions: &mut Option<u32>, d: &Map<String, Value>) -> Outcome {
    match d.get("rpcVersion") {
        None => return fail(close::MISSING_DATA_FIELD, "Your payload's data is missing an `rpcVersion`."),
        Some(v) => match v.as_u64() {
            None => return fail(close::INVALID_DATA_FIELD_TYPE, "Your `rpcVersion` is not an unsigned number."),
            Some(1) => {}
            Some(_) => {
                return fail(
                    close::UNSUPPORTED_RPC_VERSION,
                    "Your requested RPC version is not supported by this server.",
                )
            }
        },
    }
    if let Some(password) = &inner.config.password {
        let given =
            match d.get("authentication") {
                None => return fail(
                    close::AUTHENTICATION_FAILED,
                    "Your payload's data is missing an `authentication` string, however authentication is required.",
                ),
                Some(Value::String(s)) => s,
                Some(_) => return fail(close::INVALID_DATA_FIELD_TYPE, "Your `authentication` is not a string."),
            };
        let want = auth_string(password.expose(), &inner.salt, challenge);
        if !im::secret::constant_time_eq(given.as_bytes(), want.as_bytes()) {
            return fail(close::AUTHENTICATION_FAILED, "Authentication failed.");
        }
    }
    match event_subscriptions(d) {
        Ok(subs) => *subscriptions = Some(subs.unwrap_or(intent::ALL)),
        Err(outcome) => return outcome,
    }
    Outcome::Reply(vec![json!({"op": 2, "d": {"negotiatedRpcVersion": 1}}).to_string()])
}

/// `requestType` and `requestId` of a request (the id is optional inside a batch).
fn request_header(d: &Map<String, Value>, id_required: bool) -> Result<(String, Option<String>), Outcome> {
    let request_type = match d.get("requestType") {
        None => return Err(fail(close::MISSING_DATA_FIELD, "Your payload's data is missing a `requestType`.")),
        Some(Value::String(t)) => t.clone(),
        Some(_) => return Err(fail(close::INVALID_DATA_FIELD_TYPE, "Your `requestType` is not a string.")),
    };
    let request_id = match d.get("requestId") {
        None if id_required => {
            return Err(fail(close::MISSING_DATA_FIELD, "Your payload's data is missing a `requestId`."))
        }
        None => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => return Err(fail(close::INVALID_DATA_FIELD_TYPE, "Your `requestId` is not a string.")),
    };
    Ok((request_type, request_id))
}

fn batch(inner: &Arc<Inner>, d: &Map<String, Value>) -> Outcome {
    let request_id = match d.get("requestId") {
        None => return fail(close::MISSING_DATA_FIELD, "Your payload's data is missing a `requestId`."),
        Some(Value::String(id)) => id.clone(),
        Some(_) => return fail(close::INVALID_DATA_FIELD_TYPE, "Your `requestId` is not a string."),
    };
    let requests = match d.get("requests") {
        None => return fail(close::MISSING_DATA_FIELD, "Your payload's data is missing an array of `requests`."),
        Some(Value::Array(r)) => r,
        Some(_) => return fail(close::INVALID_DATA_FIELD_TYPE, "Your `requests` is not an array."),
    };
    let halt = d.get("haltOnFailure").and_then(Value::as_bool).unwrap_or(false);
    match d.get("executionType").map(Value::as_i64) {
        None | Some(Some(0..=2)) => {}
        Some(_) => return fail(close::INVALID_DATA_FIELD_VALUE, "Your `executionType` is not a valid execution type."),
    }
    let mut results = Vec::new();
    for r in requests {
        let Some(r) = r.as_object() else {
            return fail(close::INVALID_DATA_FIELD_TYPE, "Each of your `requests` must be an object.");
        };
        let (request_type, id) = match request_header(r, false) {
            Ok(h) => h,
            Err(outcome) => return outcome,
        };
        let mut result = run_request(inner, &request_type, r.get("requestData"));
        if let Some(id) = id {
            result["requestId"] = json!(id);
        }
        let failed = result["requestStatus"]["result"] == json!(false);
        results.push(result);
        if failed && halt {
            break;
        }
    }
    Outcome::Reply(vec![json!({"op": 9, "d": {"requestId": request_id, "results": results}}).to_string()])
}

/// A RequestResponse body without its `requestId`.
fn run_request(inner: &Arc<Inner>, request_type: &str, data: Option<&Value>) -> Value {
    let data = data.and_then(Value::as_object);
    let (code, comment, response) = match request(inner, request_type, data) {
        Ok(response) => (status::SUCCESS, None, response),
        Err((code, comment)) => (code, Some(comment), None),
    };
    let mut status = json!({"result": code == status::SUCCESS, "code": code});
    if let Some(c) = comment.filter(|c| !c.is_empty()) {
        status["comment"] = json!(c);
    }
    let mut out = json!({"requestType": request_type, "requestStatus": status});
    if let Some(r) = response {
        out["responseData"] = r;
    }
    out
}

type Answer = Result<Option<Value>, (u16, String)>;

fn request(inner: &Arc<Inner>, request_type: &str, data: Option<&Map<String, Value>>) -> Answer {
    let changes = matches!(request_type, "SetStreamServiceSettings" | "StartStream" | "StopStream" | "ToggleStream");
    if changes {
        if let Some(refusal) = inner.state().refuse_next.take() {
            return Err(refusal);
        }
    }
    match request_type {
        "GetVersion" => Ok(Some(json!({
            "obsVersion": inner.config.obs_version,
            "obsWebSocketVersion": inner.config.websocket_version,
            "rpcVersion": 1,
            "availableRequests": REQUESTS,
            "supportedImageFormats": ["png", "jpg"],
            "platform": "ubuntu",
            "platformDescription": "AnchorDesk fake OBS",
        }))),
        "GetStreamServiceSettings" => {
            let s = inner.state();
            Ok(Some(json!({"streamServiceType": s.service_type, "streamServiceSettings": s.service_settings})))
        }
        "SetStreamServiceSettings" => set_stream_service(inner, data),
        "GetStreamStatus" => Ok(Some(stream_status(inner))),
        "StartStream" => start_stream(inner).map(|()| None),
        "StopStream" => stop_stream(inner).map(|()| None),
        "ToggleStream" => {
            let active = inner.state().phase.active();
            if active {
                stop_stream(inner)?;
            } else {
                start_stream(inner)?;
            }
            Ok(Some(json!({"outputActive": !active})))
        }
        _ => Err((status::UNKNOWN_REQUEST_TYPE, "Your request type is not valid.".into())),
    }
}

fn set_stream_service(inner: &Inner, data: Option<&Map<String, Value>>) -> Answer {
    let missing =
        |field: &str| Err((status::MISSING_REQUEST_FIELD, format!("Your request is missing the `{field}` field.")));
    let Some(data) = data else { return missing("streamServiceType") };
    let service_type = match data.get("streamServiceType") {
        None => return missing("streamServiceType"),
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        Some(Value::String(_)) => {
            return Err((
                status::INVALID_REQUEST_FIELD,
                "The field value of `streamServiceType` must not be empty.".into(),
            ))
        }
        Some(_) => {
            return Err((
                status::INVALID_REQUEST_FIELD,
                "The field value of `streamServiceType` must be a string.".into(),
            ))
        }
    };
    let settings = match data.get("streamServiceSettings") {
        None => return missing("streamServiceSettings"),
        Some(Value::Object(s)) => s.clone(),
        Some(_) => {
            return Err((
                status::INVALID_REQUEST_FIELD,
                "The field value of `streamServiceSettings` must be an object.".into(),
            ))
        }
    };
    let mut s = inner.state();
    if s.phase.active() {
        return Err((status::OUTPUT_RUNNING, "You cannot change stream service settings while streaming.".into()));
    }
    if !SERVICE_TYPES.contains(&service_type.as_str()) {
        return Err((
            status::RESOURCE_CREATION_FAILED,
            "Failed to create the stream service with the requested streamServiceType. It may be an invalid type."
                .into(),
        ));
    }
    if std::mem::take(&mut s.ignore_next_settings) {
        return Ok(None);
    }
    if service_type == s.service_type {
        s.service_settings.extend(settings);
    } else {
        s.service_type = service_type;
        s.service_settings = settings;
    }
    Ok(None)
}

fn timecode(ms: u64) -> String {
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

fn stream_status(inner: &Inner) -> Value {
    let s = inner.state();
    let now = Instant::now();
    let (bytes, frames, dropped) = s.counters(now, inner.bitrate_bps());
    let duration = s.live_since.map(|t| now.duration_since(t).as_millis() as u64).unwrap_or(0);
    json!({
        "outputActive": s.phase.active(),
        "outputReconnecting": s.phase == Phase::Reconnecting,
        "outputTimecode": timecode(duration),
        "outputDuration": duration,
        "outputCongestion": s.congestion,
        "outputBytes": bytes,
        "outputSkippedFrames": dropped + s.extra_skipped,
        "outputTotalFrames": frames + s.extra_skipped,
    })
}

fn start_stream(inner: &Arc<Inner>) -> Result<(), (u16, String)> {
    let mut s = inner.state();
    if s.phase != Phase::Stopped {
        return Err((status::OUTPUT_RUNNING, String::new()));
    }
    s.phase = Phase::Starting;
    s.run += 1;
    (s.base_bytes, s.base_frames, s.base_dropped, s.extra_skipped) = (0, 0, 0, 0);
    s.live = Live::None;
    s.live_since = None;
    s.push_drop = Arc::new(Notify::new());
    let stop = inner.cancel.child_token();
    s.push_stop = Some(stop.clone());
    let (run, url, dropped) = (s.run, s.push_url(), s.push_drop.clone());
    drop(s);
    inner.emit_stream_state(false, "STARTING");
    tokio::spawn(push(inner.clone(), run, url, stop, dropped));
    Ok(())
}

fn stop_stream(inner: &Inner) -> Result<(), (u16, String)> {
    let mut s = inner.state();
    if !s.phase.active() || s.phase == Phase::Stopping {
        return Err((status::OUTPUT_NOT_RUNNING, String::new()));
    }
    s.phase = Phase::Stopping;
    let stop = s.push_stop.take();
    drop(s);
    inner.emit_stream_state(true, "STOPPING");
    if let Some(stop) = stop {
        stop.cancel();
    }
    Ok(())
}

/// How one connection attempt of the push ended.
enum Connect {
    Connected(Running),
    Failed(String),
    Stopped,
}

/// How a connected push ended.
enum Ended {
    Lost(String),
    Stopped,
}

enum Running {
    Simulated,
    Ffmpeg(Box<FfmpegPush>),
}

/// The push task of one StartStream: connects, follows, reconnects, and reports every step as OBS does.
async fn push(inner: Arc<Inner>, run: u64, url: Option<String>, stop: CancellationToken, dropped: Arc<Notify>) {
    let mut live = false;
    let mut retries = inner.config.reconnect_attempts;
    loop {
        match connect(&inner, run, url.as_deref(), &stop).await {
            Connect::Stopped => break,
            Connect::Failed(reason) => {
                inner.state().log(format!("push failed: {reason}"));
                if !live || retries == 0 {
                    finish(&inner, run);
                    return;
                }
                retries -= 1;
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(inner.config.reconnect_delay) => continue,
                }
            }
            Connect::Connected(running) => {
                {
                    let mut s = inner.state();
                    if s.run != run {
                        return;
                    }
                    s.phase = Phase::Started;
                    s.live_since.get_or_insert_with(Instant::now);
                    s.log("push connected");
                }
                inner.emit_stream_state(true, if live { "RECONNECTED" } else { "STARTED" });
                live = true;
                retries = inner.config.reconnect_attempts;
                match follow(&inner, run, running, &stop, &dropped).await {
                    Ended::Stopped => break,
                    Ended::Lost(reason) => {
                        {
                            let mut s = inner.state();
                            s.end_connection(inner.bitrate_bps());
                            s.phase = Phase::Reconnecting;
                            s.log(format!("push lost: {reason}"));
                        }
                        inner.emit_stream_state(true, "RECONNECTING");
                        tokio::select! {
                            _ = stop.cancelled() => break,
                            _ = tokio::time::sleep(inner.config.reconnect_delay) => {}
                        }
                    }
                }
            }
        }
    }
    finish(&inner, run);
}

/// The output has stopped (on request, or OBS gave up): STOPPED.
fn finish(inner: &Inner, run: u64) {
    {
        let mut s = inner.state();
        if s.run != run || s.phase == Phase::Stopped {
            return;
        }
        s.end_connection(inner.bitrate_bps());
        s.phase = Phase::Stopped;
        s.live_since = None;
        s.push_stop = None;
    }
    inner.emit_stream_state(false, "STOPPED");
}

async fn connect(inner: &Arc<Inner>, run: u64, url: Option<&str>, stop: &CancellationToken) -> Connect {
    match &inner.config.push {
        PushMode::Simulated { .. } => {
            tokio::select! {
                _ = stop.cancelled() => return Connect::Stopped,
                _ = tokio::time::sleep(inner.config.connect_delay) => {}
            }
            let mut s = inner.state();
            if s.refuse_push {
                return Connect::Failed("the ingest refused the stream (simulated)".into());
            }
            if s.run == run {
                s.live = Live::Simulated { since: Instant::now() };
            }
            Connect::Connected(Running::Simulated)
        }
        PushMode::Ffmpeg { program } => {
            let Some(url) = url else {
                return Connect::Failed("the fake OBS pushes only to a Custom (rtmp_custom) service".into());
            };
            FfmpegPush::connect(inner.clone(), run, program, url, stop).await
        }
    }
}

async fn follow(inner: &Arc<Inner>, run: u64, running: Running, stop: &CancellationToken, dropped: &Notify) -> Ended {
    match running {
        Running::Simulated => tokio::select! {
            _ = stop.cancelled() => Ended::Stopped,
            _ = dropped.notified() => Ended::Lost("the connection to the ingest dropped (simulated)".into()),
        },
        Running::Ffmpeg(mut push) => {
            let ended = tokio::select! {
                _ = stop.cancelled() => Ended::Stopped,
                _ = dropped.notified() => Ended::Lost("the connection to the ingest dropped".into()),
                reason = push.run_out(inner, run) => Ended::Lost(reason),
            };
            push.kill().await;
            ended
        }
    }
}

/// One ffmpeg process pushing the test pattern.
struct FfmpegPush {
    child: tokio::process::Child,
    progress: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    /// The `-progress` block being read.
    block: (u64, u64, u64),
}

impl FfmpegPush {
    async fn connect(
        inner: Arc<Inner>,
        run: u64,
        program: &std::path::Path,
        url: &str,
        stop: &CancellationToken,
    ) -> Connect {
        let spawned = tokio::process::Command::new(program)
            .args(["-hide_banner", "-nostdin", "-loglevel", "error"])
            .args(["-re", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=30"])
            .args(["-re", "-f", "lavfi", "-i", "sine"])
            .args(["-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac"])
            .args(["-progress", "pipe:1", "-f", "flv"])
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => return Connect::Failed(format!("cannot run {}: {e}", program.display())),
        };
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(err) = child.stderr.take() {
            let sink = stderr.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(err).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
                    if s.len() == 20 {
                        s.pop_front();
                    }
                    s.push_back(line);
                }
            });
        }
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut push =
            Box::new(FfmpegPush { child, progress: BufReader::new(stdout).lines(), stderr, block: (0, 0, 0) });
        // Connected once ffmpeg reports bytes written: RTMP connect and publish happen when the output opens.
        let outcome = tokio::select! {
            _ = stop.cancelled() => None,
            connected = push.until_bytes(&inner, run) => Some(connected),
        };
        match outcome {
            None => {
                push.kill().await;
                Connect::Stopped
            }
            Some(true) => Connect::Connected(Running::Ffmpeg(push)),
            Some(false) => Connect::Failed(push.exit_reason().await),
        }
    }

    /// Reads progress until bytes have gone out (true) or ffmpeg has exited (false).
    async fn until_bytes(&mut self, inner: &Inner, run: u64) -> bool {
        while let Ok(Some(line)) = self.progress.next_line().await {
            if self.take(&line, inner, run) && self.block.0 > 0 {
                return true;
            }
        }
        false
    }

    /// Reads progress until ffmpeg exits; the reason it gave.
    async fn run_out(&mut self, inner: &Inner, run: u64) -> String {
        while let Ok(Some(line)) = self.progress.next_line().await {
            self.take(&line, inner, run);
        }
        self.exit_reason().await
    }

    /// One `key=value` line; at the end of a block (`progress=`) the counters are published.
    fn take(&mut self, line: &str, inner: &Inner, run: u64) -> bool {
        let Some((key, value)) = line.split_once('=') else { return false };
        let n = || value.trim().parse::<u64>().ok();
        match key {
            "total_size" => self.block.0 = n().unwrap_or(self.block.0),
            "frame" => self.block.1 = n().unwrap_or(self.block.1),
            "drop_frames" => self.block.2 = n().unwrap_or(self.block.2),
            "progress" => {
                let mut s = inner.state();
                if s.run == run {
                    let (bytes, frames, dropped) = self.block;
                    s.live = Live::Ffmpeg { bytes, frames, dropped };
                }
                return true;
            }
            _ => {}
        }
        false
    }

    async fn exit_reason(&mut self) -> String {
        let status = match tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await {
            Ok(Ok(s)) => s.to_string(),
            _ => {
                self.kill().await;
                "did not exit".into()
            }
        };
        // The stderr reader may still be draining the last lines.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let err = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        let tail: Vec<&str> = err.iter().map(String::as_str).collect();
        format!("ffmpeg {status}: {}", tail.join(" | "))
    }

    async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_string_follows_the_documented_recipe() {
        // The Hello example's salt and challenge; the expected values were computed with Python's
        // hashlib and base64, independently of this code.
        let salt = "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=";
        let challenge = "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=";
        assert_eq!(
            B64.encode(Sha256::digest(format!("supersecretpassword{salt}").as_bytes())),
            "H1IfVz1pSREUQzbFTVnX/Tyb+gMhMik5x7yUBCY0PTs="
        );
        assert_eq!(auth_string("supersecretpassword", salt, challenge), "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4=");
    }

    #[test]
    fn the_timecode_is_hours_minutes_seconds_and_milliseconds() {
        assert_eq!(timecode(0), "00:00:00.000");
        assert_eq!(timecode(3_723_004), "01:02:03.004");
    }

    #[test]
    fn the_push_url_joins_server_and_key_with_one_slash() {
        let settings = json!({"server": "rtmp://h/live/", "key": "k?a=b"});
        let mut s = State::new("rtmp_custom".into(), settings.as_object().unwrap().clone());
        assert_eq!(s.push_url().as_deref(), Some("rtmp://h/live/k?a=b"));
        s.service_settings.insert("server".into(), json!("rtmp://h/live"));
        assert_eq!(s.push_url().as_deref(), Some("rtmp://h/live/k?a=b"));
        s.service_type = "rtmp_common".into();
        assert_eq!(s.push_url(), None, "only a Custom service has a URL of its own");
    }
}
