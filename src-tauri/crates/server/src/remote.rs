//! A console's side of a remote hub: [`RemoteRoom`] does over the network what [`room::RoomHandle`]
//! does in process, so the shell drives either the same way. Commands are the hub's HTTP routes
//! (reqwest); the room's feed is the hub's event stream (a WebSocket, tokio-tungstenite); both over
//! rustls with ring, trusting the Mozilla roots (`webpki-roots`) plus, for a hub with a self-signed
//! certificate, one extra PEM root.
//!
//! Invariants:
//! - **The token never travels in clear.** The address must be `https://`, or `http://` to this very
//!   machine (loopback); redirects are not followed, and an `https://` client refuses plain HTTP.
//! - **No lost events.** One link (a task) holds the event stream and tracks `(epoch, last seq)`; when
//!   the connection drops it reconnects with backoff (0.5 s doubling to 10 s, with jitter) and resumes
//!   from there, so the hub replays what was missed or sends a fresh snapshot. The link checks every
//!   batch continues the sequence; a follower ([`RemoteRoom::follow`]) gets the same [`Feed`] contract
//!   as `RoomHandle::follow`: a snapshot, then events without gaps or repeats.
//! - **Nothing is done behind the user's back.** A command while the link is not connected fails at
//!   once with [`ErrorCode::Offline`] (or `notReady` before the first connection); nothing is queued.
//! - **A refusal is final.** A revoked token (close 1008, or 401 after having worked) ends in
//!   [`HubConnection::Revoked`], a token never accepted in `Unauthorized`, a hub that cannot be used as
//!   configured (an untrusted certificate, another room, its API off) in `Failed`: no more retries.
//!
//! Left out: queueing commands while offline (the UI may offer to retry, with the user's consent), and
//! anything Tauri (the shell maps [`HubConnection`] to an app event).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use im::Secret;
use rand::Rng;
use reqwest::{Method, StatusCode, Url};
use room::actor::ModAction;
use room::event::{AuditLine, Feed, Resume, StreamSession, UserCard};
use room::store::AuditQuery;
use room::strikes::StrikeLadder;
use room::words::WordRule;
use room::{ErrorCode, RoomSnapshot, RoomStatus, WireError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, http, Message};
use tokio_tungstenite::Connector;
use tokio_util::sync::{CancellationToken, DropGuard};
use ts_rs::TS;

use crate::access::{Invite, Joined, Me, Person, Role, TeamMember};
use crate::golive::StreamAddress;

/// The first wait before reconnecting; it doubles on each failed attempt up to [`BACKOFF_MAX`].
pub const BACKOFF_START: Duration = Duration::from_millis(500);
pub const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// The hub pings every 20 s; a stream silent this long is dead even if TCP has not noticed.
pub const SILENT_LIMIT: Duration = Duration::from_secs(50);
/// How long opening a connection (TCP, TLS, the upgrade) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a command may take; going live waits for the ingest, so it gets longer.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
const GO_LIVE_TIMEOUT: Duration = Duration::from_secs(90);
/// Feed items kept for followers that are a little behind; one further behind re-syncs.
const FOLLOW_BUFFER: usize = 1024;

/// What a remote console needs: the hub's address, its token, and optionally the room (checked
/// against the one the hub hosts) and an extra root certificate (a hub with a self-signed one).
#[derive(Clone, Debug)]
pub struct RemoteConfig {
    /// `https://hub.example.com` (a path prefix is kept), or `http://127.0.0.1:8690` on this machine.
    pub url: String,
    pub room: Option<String>,
    pub token: Secret,
    /// PEM certificates to trust besides the usual roots.
    pub extra_root_pem: Option<String>,
}

impl RemoteConfig {
    /// The variables [`RemoteConfig::from_env`] reads (a console's, not a hub's: no configuration file key).
    pub const ENV_KEYS: [&'static str; 3] = ["ANCHORDESK_HUB_URL", "ANCHORDESK_HUB_TOKEN", "ANCHORDESK_HUB_CA"];

    /// A remote console's configuration from `ANCHORDESK_HUB_URL`, `ANCHORDESK_HUB_TOKEN` and
    /// `ANCHORDESK_HUB_CA` (a PEM file) through `var`; `Ok(None)` when no hub URL is set (the console
    /// runs its own hub). Every error names the variable and what to write instead.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<RemoteConfig>, String> {
        let get = |k: &str| var(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let Some(url) = get("ANCHORDESK_HUB_URL") else { return Ok(None) };
        HubAddress::parse(&url).map_err(|e| format!("ANCHORDESK_HUB_URL: {e}"))?;
        let token = get("ANCHORDESK_HUB_TOKEN").ok_or(
            "ANCHORDESK_HUB_URL is set but ANCHORDESK_HUB_TOKEN is not: give the token you got from the hub's \
             invite (or the hub's API token, for its owner)",
        )?;
        let extra_root_pem = match get("ANCHORDESK_HUB_CA") {
            None => None,
            Some(path) => {
                let pem = std::fs::read_to_string(&path)
                    .map_err(|e| format!("ANCHORDESK_HUB_CA: cannot read the certificate file {path}: {e}"))?;
                roots(Some(&pem)).map_err(|e| format!("ANCHORDESK_HUB_CA: {path}: {e}"))?;
                Some(pem)
            }
        };
        Ok(Some(RemoteConfig { url, room: None, token: Secret::new(token), extra_root_pem }))
    }
}

/// Where the remote console is, as the UI shows it; every change is published
/// ([`RemoteRoom::connection`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum HubConnection {
    /// The first connection is being made.
    Connecting,
    /// The event stream is open; the hub knows this console as `name`, a `role`.
    Connected { role: Role, name: String },
    /// The connection was lost (or cannot be made) and is tried again; commands fail with `offline`
    /// meanwhile. `since`: unix milliseconds when it was lost; `attempt` counts from 1.
    Reconnecting {
        attempt: u32,
        #[ts(type = "number")]
        since: u64,
        reason: String,
    },
    /// The hub's owner revoked this console's access: it stopped and does not try again.
    Revoked { reason: String },
    /// The hub does not accept the token: it stopped and does not try again.
    Unauthorized { reason: String },
    /// The hub cannot be used as configured (its certificate is not trusted, it hosts another room,
    /// its API is off): it stopped; the settings need a change.
    Failed { reason: String },
}

impl HubConnection {
    /// Whether the link stopped for good.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            HubConnection::Revoked { .. } | HubConnection::Unauthorized { .. } | HubConnection::Failed { .. }
        )
    }
}

/// A remote console's configuration that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Address(String),
    #[error("the hub's root certificate: {0}")]
    Root(String),
    #[error("the HTTP client cannot be set up: {0}")]
    Client(String),
}

/// A hub's address, checked: `https://` anywhere, `http://` only to this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubAddress {
    /// The API's base, `…/api/v1`.
    api: Url,
    tls: bool,
}

impl HubAddress {
    /// Checks `url` (`https://host[:port][/prefix]`, or `http://127.0.0.1:port` and the like); `ws://`
    /// and `wss://` are read as `http://` and `https://`.
    pub fn parse(url: &str) -> Result<HubAddress, Error> {
        let bad = |why: String| Err(Error::Address(why));
        let mut parsed = match Url::parse(url.trim()) {
            Ok(u) => u,
            Err(e) => return bad(format!("{url:?} is not a web address ({e}); write it like https://hub.example.com")),
        };
        let tls = match parsed.scheme() {
            "https" | "wss" => true,
            "http" | "ws" => false,
            other => return bad(format!("{other}:// is not a hub address; write it like https://hub.example.com")),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return bad("put no name or password in the hub's address; the token goes in its own setting".into());
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return bad(format!("{url:?}: give the hub's address without ?… or #…"));
        }
        let loopback = match parsed.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => return bad(format!("{url:?} names no host; write it like https://hub.example.com")),
        };
        if !tls && !loopback {
            return bad(format!(
                "{url:?}: use https:// — a token must not cross the internet in clear (http:// is only for a hub \
                 on this machine, like http://127.0.0.1:8690)"
            ));
        }
        let scheme = if tls { "https" } else { "http" };
        if parsed.scheme() != scheme {
            parsed.set_scheme(scheme).map_err(|()| Error::Address(format!("{url:?} cannot be read as {scheme}")))?;
        }
        let mut api = parsed;
        api.path_segments_mut()
            .map_err(|()| Error::Address(format!("{url:?} cannot have a path")))?
            .pop_if_empty()
            .extend(["api", "v1"]);
        Ok(HubAddress { api, tls })
    }

    /// `…/api/v1/<segments>`, each segment escaped (a group ID's `#` becomes `%23`).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api.clone();
        url.path_segments_mut().expect("an http(s) URL has a path").extend(segments);
        url
    }

    /// The hub's base address as given (without `/api/v1`).
    pub fn base(&self) -> String {
        let mut base = self.api.clone();
        base.path_segments_mut().expect("an http(s) URL has a path").pop().pop();
        base.as_str().trim_end_matches('/').to_string()
    }
}

/// The roots a remote console trusts: Mozilla's (webpki-roots) and the extra PEM certificates.
fn roots(extra_pem: Option<&str>) -> Result<rustls::RootCertStore, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_pem {
        let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Root(format!("not a PEM certificate: {e:?}")))?;
        if certs.is_empty() {
            return Err(Error::Root("no certificate in it: give the PEM file (-----BEGIN CERTIFICATE-----)".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| Error::Root(format!("the certificate cannot be used as a root: {e}")))?;
        }
    }
    Ok(roots)
}

/// Checks that `pem` can serve as an extra root (a setting's check, before anything is saved).
pub fn check_root(pem: &str) -> Result<(), Error> {
    roots(Some(pem)).map(|_| ())
}

fn tls_config(extra_pem: Option<&str>) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Root(e.to_string()))?
        .with_root_certificates(roots(extra_pem)?)
        .with_no_client_auth())
}

/// A feed item with the run of the room (`epoch`) it belongs to, as the link passes it to followers.
#[derive(Clone, Debug)]
struct Tagged {
    epoch: u64,
    feed: Feed,
}

/// A remote hub's room; cheap to clone. The link stops when the last clone is dropped (or on
/// [`RemoteRoom::close`]).
#[derive(Clone)]
pub struct RemoteRoom {
    inner: Arc<Inner>,
    /// Cancels the link when the last handle goes; the link itself holds only `inner`.
    _stop: Arc<DropGuard>,
}

impl std::fmt::Debug for RemoteRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteRoom").field("hub", &self.inner.hub.base()).finish_non_exhaustive()
    }
}

struct Inner {
    hub: HubAddress,
    room: Option<String>,
    token: Secret,
    http: reqwest::Client,
    /// For `wss://`; `None` for a loopback `ws://`.
    tls: Option<Arc<rustls::ClientConfig>>,
    state: watch::Sender<HubConnection>,
    /// Who the hub says this console is, and its room, since the first connection. A std mutex:
    /// held only to copy the value, never across an await.
    me: Mutex<Option<Me>>,
    feed: broadcast::Sender<Tagged>,
    cancel: CancellationToken,
}

/// How one connection of the link ended.
enum End {
    /// Try again after at least `wait`; `connected` says whether the stream had been open.
    Retry {
        reason: String,
        connected: bool,
        wait: Duration,
    },
    Revoked(String),
    Unauthorized(String),
    Failed(String),
    Cancelled,
}

impl RemoteRoom {
    /// Starts a remote console on `config`'s hub and returns at once: the link connects in the
    /// background ([`RemoteRoom::connection`] tells how it goes). Only a configuration that cannot
    /// work is an error here (an address in clear over the internet, an unreadable root).
    pub fn connect(config: RemoteConfig) -> Result<RemoteRoom, Error> {
        let hub = HubAddress::parse(&config.url)?;
        let tls = tls_config(config.extra_root_pem.as_deref())?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls.clone())
            .https_only(hub.tls)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(COMMAND_TIMEOUT)
            .build()
            .map_err(|e| Error::Client(e.to_string()))?;
        let cancel = CancellationToken::new();
        let inner = Arc::new(Inner {
            tls: hub.tls.then(|| Arc::new(tls)),
            hub,
            room: config.room,
            token: config.token,
            http,
            state: watch::Sender::new(HubConnection::Connecting),
            me: Mutex::new(None),
            feed: broadcast::channel(FOLLOW_BUFFER).0,
            cancel: cancel.clone(),
        });
        tokio::spawn(link(inner.clone()));
        Ok(RemoteRoom { inner, _stop: Arc::new(cancel.drop_guard()) })
    }

    /// The connection's state now, and every change after (the first value is the current one).
    pub fn connection(&self) -> watch::Receiver<HubConnection> {
        self.inner.state.subscribe()
    }

    /// Who the hub knows this console as, and its room; `None` until the first connection.
    pub fn me(&self) -> Option<Me> {
        self.inner.me.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The hub's address as configured.
    pub fn hub_url(&self) -> String {
        self.inner.hub.base()
    }

    /// Stops the link (the event stream closes; commands fail from now on).
    pub fn close(&self) {
        self.inner.cancel.cancel();
    }

    /// Follows the room like `RoomHandle::follow`: a snapshot, then batches of events continuing it
    /// without gaps or repeats across reconnects (and a fresh snapshot when the hub could not replay
    /// what was missed). While the hub is unreachable it waits. Returns when `sink` refuses (the
    /// console went away), or with the reason when the link stopped for good.
    pub async fn follow(&self, mut sink: impl FnMut(Feed) -> bool) -> Result<(), WireError> {
        let mut state = self.inner.state.subscribe();
        'sync: loop {
            // Subscribed before the snapshot is taken: every event after it reaches `rx`.
            let mut rx = self.inner.feed.subscribe();
            let snapshot = match self.snapshot().await {
                Ok(s) => s,
                Err(e) if matches!(e.code, ErrorCode::Offline | ErrorCode::NotReady) => {
                    self.until_connected(&mut state).await?;
                    continue 'sync;
                }
                Err(e) if e.code == ErrorCode::Forbidden => return Err(e),
                Err(e) => {
                    // Busy (rate limited) or failing for a moment: the feed must not end for that.
                    tracing::warn!(error = %e, "the room's snapshot could not be fetched; trying again");
                    tokio::time::sleep(BACKOFF_START * 2).await;
                    continue 'sync;
                }
            };
            let (mut epoch, mut seq) = (snapshot.epoch, snapshot.seq);
            if !sink(Feed::Snapshot { snapshot: Box::new(snapshot) }) {
                return Ok(());
            }
            loop {
                let item = tokio::select! {
                    item = rx.recv() => item,
                    changed = state.changed() => {
                        if changed.is_err() || state.borrow().is_final() {
                            return Err(self.unavailable());
                        }
                        continue;
                    }
                };
                match item {
                    Ok(Tagged { feed: Feed::Snapshot { snapshot }, .. }) => {
                        // The same run at or before where this follower is tells it nothing new.
                        if snapshot.epoch == epoch && snapshot.seq <= seq {
                            continue;
                        }
                        (epoch, seq) = (snapshot.epoch, snapshot.seq);
                        if !sink(Feed::Snapshot { snapshot }) {
                            return Ok(());
                        }
                    }
                    Ok(Tagged { epoch: from, feed: Feed::Events { events } }) => {
                        if from != epoch {
                            continue;
                        }
                        let events: Vec<_> = events.into_iter().filter(|e| e.seq > seq).collect();
                        let Some(first) = events.first() else { continue };
                        if first.seq != seq + 1 {
                            tracing::warn!(have = seq, got = first.seq, "a follower missed events; re-syncing it");
                            continue 'sync;
                        }
                        seq = events.last().map_or(seq, |e| e.seq);
                        if !sink(Feed::Events { events }) {
                            return Ok(());
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "a follower fell behind the hub's feed; re-syncing it");
                        continue 'sync;
                    }
                    Err(broadcast::error::RecvError::Closed) => return Err(self.unavailable()),
                }
            }
        }
    }

    /// Waits until the link is connected; `Err` when it stopped for good.
    async fn until_connected(&self, state: &mut watch::Receiver<HubConnection>) -> Result<(), WireError> {
        loop {
            {
                let now = state.borrow_and_update();
                if matches!(*now, HubConnection::Connected { .. }) {
                    return Ok(());
                }
                if now.is_final() {
                    drop(now);
                    return Err(self.unavailable());
                }
            }
            if state.changed().await.is_err() {
                return Err(self.unavailable());
            }
        }
    }

    /// Why a command cannot be sent now (the link is not connected).
    fn unavailable(&self) -> WireError {
        let hub = self.inner.hub.base();
        match &*self.inner.state.borrow() {
            HubConnection::Connecting => {
                WireError::new(ErrorCode::NotReady, format!("AnchorDesk is still connecting to the hub at {hub}"))
            }
            HubConnection::Connected { .. } => {
                WireError::new(ErrorCode::Offline, format!("the connection to the hub at {hub} was closed"))
            }
            HubConnection::Reconnecting { reason, .. } => WireError::new(
                ErrorCode::Offline,
                format!("the hub is unreachable ({reason}); this was not done — try again once reconnected"),
            ),
            HubConnection::Revoked { reason } | HubConnection::Unauthorized { reason } => {
                WireError::new(ErrorCode::Forbidden, format!("{reason}; this was not done"))
            }
            HubConnection::Failed { reason } => {
                WireError::new(ErrorCode::Offline, format!("{reason}; this was not done"))
            }
        }
    }

    /// The room's path while connected; otherwise the reason nothing can be sent, at once.
    fn ready(&self) -> Result<String, WireError> {
        if self.inner.cancel.is_cancelled() {
            return Err(WireError::new(ErrorCode::Offline, "this console was disconnected from the hub"));
        }
        if !matches!(*self.inner.state.borrow(), HubConnection::Connected { .. }) {
            return Err(self.unavailable());
        }
        self.me().map(|me| me.room).ok_or_else(|| self.unavailable())
    }

    /// Calls a route of the room (`segments` after `/rooms/{room}`) and reads the answer as `T`
    /// (`()` for 204).
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<T, WireError> {
        self.call_timed(method, segments, query, body, COMMAND_TIMEOUT).await
    }

    async fn call_timed<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<Value>,
        timeout: Duration,
    ) -> Result<T, WireError> {
        let room = self.ready()?;
        let mut path = vec!["rooms", room.as_str()];
        path.extend_from_slice(segments);
        let mut url = self.inner.hub.url(&path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut req = self.inner.http.request(method, url).bearer_auth(self.inner.token.expose()).timeout(timeout);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let hub = self.inner.hub.base();
        let resp = req.send().await.map_err(|e| transport(&hub, &e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| transport(&hub, &e))?;
        if !status.is_success() {
            return Err(refusal(&hub, status, &bytes));
        }
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(bytes).map_err(|e| {
            WireError::new(
                ErrorCode::Internal,
                format!("the hub at {hub} answered something this console cannot read: {e}"),
            )
        })
    }

    /// The room as a console starts from it.
    pub async fn snapshot(&self) -> Result<RoomSnapshot, WireError> {
        self.call(Method::GET, &[], &[], None).await
    }

    pub async fn set_status(&self, status: RoomStatus) -> Result<(), WireError> {
        self.call(Method::POST, &["status"], &[], Some(json!({ "status": status }))).await
    }

    /// Mute, kick, ban… as this console's person (the hub audits it under their name).
    pub async fn moderate(&self, action: ModAction) -> Result<(), WireError> {
        let body = serde_json::to_value(action).map_err(|e| WireError::new(ErrorCode::Invalid, e.to_string()))?;
        self.call(Method::POST, &["moderation"], &[], Some(body)).await
    }

    pub async fn set_notice(&self, notice: Option<String>, introduction: Option<String>) -> Result<(), WireError> {
        let mut body = serde_json::Map::new();
        if let Some(n) = notice {
            body.insert("notice".into(), n.into());
        }
        if let Some(i) = introduction {
            body.insert("introduction".into(), i.into());
        }
        self.call(Method::PUT, &["notice"], &[], Some(Value::Object(body))).await
    }

    pub async fn words(&self) -> Result<Vec<WordRule>, WireError> {
        self.call(Method::GET, &["words"], &[], None).await
    }

    pub async fn set_words(&self, rules: Vec<WordRule>) -> Result<(), WireError> {
        self.call(Method::PUT, &["words"], &[], Some(json!(rules))).await
    }

    pub async fn resolve_held(&self, id: u64, approve: bool) -> Result<(), WireError> {
        self.call(Method::POST, &["held", &id.to_string()], &[], Some(json!({ "approve": approve }))).await
    }

    pub async fn audit(&self, query: AuditQuery) -> Result<Vec<AuditLine>, WireError> {
        let mut q = vec![("limit", query.limit.to_string())];
        q.extend(query.text.map(|t| ("text", t)));
        q.extend(query.target.map(|t| ("target", t)));
        q.extend(query.action.map(|a| ("action", a.as_str().to_string())));
        self.call(Method::GET, &["audit"], &q, None).await
    }

    pub async fn undo(&self, audit_id: u64) -> Result<(), WireError> {
        self.call(Method::POST, &["audit", &audit_id.to_string(), "undo"], &[], None).await
    }

    pub async fn user_card(&self, user_id: &str) -> Result<UserCard, WireError> {
        self.call(Method::GET, &["users", user_id], &[], None).await
    }

    pub async fn set_note(&self, user_id: &str, note: &str) -> Result<(), WireError> {
        self.call(Method::PUT, &["users", user_id, "note"], &[], Some(json!({ "note": note }))).await
    }

    pub async fn lottery_open(&self, keyword: &str) -> Result<(), WireError> {
        self.call(Method::POST, &["lottery", "open"], &[], Some(json!({ "keyword": keyword }))).await
    }

    pub async fn lottery_close(&self) -> Result<(), WireError> {
        self.call(Method::POST, &["lottery", "close"], &[], None).await
    }

    pub async fn lottery_draw(&self, winners: u32, seed: Option<u64>) -> Result<Vec<String>, WireError> {
        #[derive(Deserialize)]
        struct Drawn {
            winners: Vec<String>,
        }
        let mut body = json!({ "winners": winners });
        if let Some(seed) = seed {
            body["seed"] = seed.into();
        }
        let drawn: Drawn = self.call(Method::POST, &["lottery", "draw"], &[], Some(body)).await?;
        Ok(drawn.winners)
    }

    pub async fn broadcast(&self, text: &str) -> Result<(), WireError> {
        self.call(Method::POST, &["broadcast"], &[], Some(json!({ "text": text }))).await
    }

    pub async fn strike_ladder(&self) -> Result<StrikeLadder, WireError> {
        self.call(Method::GET, &["strikes"], &[], None).await
    }

    pub async fn set_strike_ladder(&self, ladder: StrikeLadder) -> Result<(), WireError> {
        self.call(Method::PUT, &["strikes"], &[], Some(json!(ladder))).await
    }

    pub async fn sessions(&self, limit: usize) -> Result<Vec<StreamSession>, WireError> {
        self.call(Method::GET, &["sessions"], &[("limit", limit.to_string())], None).await
    }

    /// The push address: the owner's only (a moderator gets the hub's 403; the key never leaves it).
    pub async fn stream_address(&self) -> Result<StreamAddress, WireError> {
        self.call(Method::GET, &["stream"], &[], None).await
    }

    pub async fn stream_renew(&self, rotate: bool) -> Result<StreamAddress, WireError> {
        self.call(Method::POST, &["stream", "renew"], &[], Some(json!({ "rotate": rotate }))).await
    }

    pub async fn stream_apply_obs(&self) -> Result<(), WireError> {
        self.call(Method::POST, &["stream", "obs"], &[], None).await
    }

    pub async fn stream_go_live(&self) -> Result<(), WireError> {
        self.call_timed(Method::POST, &["stream", "go-live"], &[], None, GO_LIVE_TIMEOUT).await
    }

    pub async fn stream_stop(&self, end: bool) -> Result<(), WireError> {
        self.call(Method::POST, &["stream", "stop"], &[], Some(json!({ "end": end }))).await
    }

    /// The team: the owner and everyone not revoked, with roles and open consoles.
    pub async fn team(&self) -> Result<Vec<TeamMember>, WireError> {
        self.call(Method::GET, &["team"], &[], None).await
    }

    /// Everyone who joined (the owner's only).
    pub async fn people(&self) -> Result<Vec<Person>, WireError> {
        self.call(Method::GET, &["people"], &[], None).await
    }

    /// An invite for a moderator or a viewer (the owner's only).
    pub async fn invite(
        &self,
        role: Role,
        name: Option<String>,
        valid_for_secs: Option<u64>,
    ) -> Result<Invite, WireError> {
        let body = json!({ "role": role, "name": name, "validForSecs": valid_for_secs });
        self.call(Method::POST, &["invites"], &[], Some(body)).await
    }

    /// Revokes a person (the owner's only); their consoles are disconnected at once.
    pub async fn revoke(&self, person_id: u64) -> Result<Person, WireError> {
        self.call(Method::DELETE, &["people", &person_id.to_string()], &[], None).await
    }
}

/// Redeems an invite code at the hub `url` (no token needed): the person's token, shown only here.
pub async fn redeem(
    url: &str,
    extra_root_pem: Option<&str>,
    code: &str,
    name: Option<&str>,
) -> Result<Joined, WireError> {
    let invalid = |e: Error| WireError::new(ErrorCode::Invalid, e.to_string());
    let hub = HubAddress::parse(url).map_err(invalid)?;
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls_config(extra_root_pem).map_err(invalid)?)
        .https_only(hub.tls)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(COMMAND_TIMEOUT)
        .build()
        .map_err(|e| WireError::new(ErrorCode::Internal, e.to_string()))?;
    let base = hub.base();
    let resp = http
        .post(hub.url(&["invites", "redeem"]))
        .json(&json!({ "code": code, "name": name }))
        .send()
        .await
        .map_err(|e| transport(&base, &e))?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| transport(&base, &e))?;
    if !status.is_success() {
        return Err(refusal(&base, status, &bytes));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        WireError::new(ErrorCode::Internal, format!("the hub at {base} answered an unreadable invite: {e}"))
    })
}

/// A request that did not get an answer. Only a connection that was never made proves nothing was
/// done; otherwise the hub may have acted before the answer was lost.
fn transport(hub: &str, e: &reqwest::Error) -> WireError {
    if let Some(why) = untrusted(e) {
        return WireError::new(ErrorCode::Offline, why);
    }
    let message = if e.is_connect() {
        format!("cannot reach the hub at {hub}; this was not done")
    } else if e.is_timeout() {
        format!("the hub at {hub} did not answer in time; this may or may not have been done — check the audit log before trying again")
    } else {
        format!("the connection to the hub at {hub} broke; this may or may not have been done — check the audit log before trying again")
    };
    WireError::new(ErrorCode::Offline, message)
}

/// The hub's `{code, message}`, or words for an answer that is not one (a proxy's error page).
fn refusal(hub: &str, status: StatusCode, body: &[u8]) -> WireError {
    if let Ok(wire) = serde_json::from_slice::<WireError>(body) {
        return wire;
    }
    let code = match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        s if s.is_server_error() => ErrorCode::Offline,
        _ => ErrorCode::Internal,
    };
    WireError::new(
        code,
        format!("the hub at {hub} answered {status} (not an AnchorDesk answer: is this the hub's address?)"),
    )
}

/// The innermost cause of `e` ("connection refused"), for a reason the user can act on.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Words for a certificate the console does not trust, found anywhere in `e`'s chain.
fn untrusted(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        if let Some(rustls::Error::InvalidCertificate(why)) = as_rustls(err) {
            return Some(format!(
                "the hub's certificate is not trusted ({why:?}): if the hub uses a self-signed certificate, give its \
                 PEM file as hubCa (ANCHORDESK_HUB_CA); if not, someone may be in between — check the address"
            ));
        }
        cause = err.source();
    }
    None
}

/// The rustls error `err` is, or carries inside I/O errors (the HTTP stack wraps it in one or two,
/// and an I/O error's `source` skips what it carries).
fn as_rustls<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    as_rustls(err.downcast_ref::<std::io::Error>()?.get_ref()?)
}

/// The link: connects, follows, and reconnects with backoff until cancelled or refused for good.
async fn link(inner: Arc<Inner>) {
    let mut at: Option<Resume> = None;
    let mut attempt: u32 = 0;
    let mut ever_connected = false;
    let mut since = im::clock::now_ms();
    let closed = || HubConnection::Failed { reason: "this console disconnected from the hub".into() };
    loop {
        let end = tokio::select! {
            end = connection(&inner, &mut at, &mut ever_connected) => end,
            _ = inner.cancel.cancelled() => End::Cancelled,
        };
        let (reason, wait) = match end {
            End::Cancelled => return publish(&inner, closed()),
            End::Revoked(reason) => return publish(&inner, HubConnection::Revoked { reason }),
            End::Unauthorized(reason) if ever_connected => {
                return publish(&inner, HubConnection::Revoked { reason });
            }
            End::Unauthorized(reason) => return publish(&inner, HubConnection::Unauthorized { reason }),
            End::Failed(reason) => return publish(&inner, HubConnection::Failed { reason }),
            End::Retry { reason, connected, wait } => {
                if connected {
                    attempt = 0;
                    since = im::clock::now_ms();
                }
                (reason, wait)
            }
        };
        attempt = attempt.saturating_add(1);
        tracing::info!(attempt, %reason, "the hub's event stream is reconnecting");
        publish(&inner, HubConnection::Reconnecting { attempt, since, reason });
        let wait = backoff(attempt).max(wait);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = inner.cancel.cancelled() => return publish(&inner, closed()),
        }
    }
}

fn publish(inner: &Inner, state: HubConnection) {
    inner.state.send_replace(state);
}

/// The wait before attempt `attempt` (from 1): 0.5 s doubling to 10 s, each drawn between half and
/// all of that, so that consoles cut off together do not come back together.
pub fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_START.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(BACKOFF_MAX);
    full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

/// How a refused HTTP answer (to `/me`, or to the stream's upgrade) ends the connection.
fn refused(hub: &str, status: StatusCode, body: &[u8], retry_after: Option<Duration>) -> End {
    let wire = refusal(hub, status, body);
    match status {
        StatusCode::UNAUTHORIZED => {
            End::Unauthorized(format!("the hub at {hub} refused this console's token: {}", wire.message))
        }
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::GONE => End::Failed(wire.message),
        StatusCode::TOO_MANY_REQUESTS => {
            End::Retry { reason: wire.message, connected: false, wait: retry_after.unwrap_or(BACKOFF_MAX) }
        }
        _ => End::Retry {
            reason: format!("the hub answered {status}: {}", wire.message),
            connected: false,
            wait: Duration::ZERO,
        },
    }
}

fn retry(reason: String) -> End {
    End::Retry { reason, connected: false, wait: Duration::ZERO }
}

/// One connection: who am I (`GET /me`), the stream's upgrade (resuming from `at`), then the
/// frames until it ends. `at` moves with every frame taken.
async fn connection(inner: &Inner, at: &mut Option<Resume>, ever_connected: &mut bool) -> End {
    let hub = inner.hub.base();
    let me = match who_am_i(inner, &hub).await {
        Ok(me) => me,
        Err(end) => return end,
    };
    if let Some(room) = inner.room.as_deref().filter(|r| *r != me.room) {
        return End::Failed(format!("the hub at {hub} hosts the room {:?}, not {room:?}", me.room));
    }
    let mut url = inner.hub.url(&["rooms", &me.room, "events"]);
    url.set_scheme(if inner.hub.tls { "wss" } else { "ws" }).expect("http(s) and ws(s) are interchangeable");
    if let Some(r) = at {
        url.set_query(Some(&format!("epoch={}&seq={}", r.epoch, r.seq)));
    }
    let mut req = match url.as_str().into_client_request() {
        Ok(r) => r,
        Err(e) => return End::Failed(format!("the event stream's address {url} is not usable: {e}")),
    };
    let auth = format!("Bearer {}", inner.token.expose());
    match auth.parse() {
        Ok(value) => req.headers_mut().insert(http::header::AUTHORIZATION, value),
        Err(_) => return End::Unauthorized("the token has characters a header cannot carry; copy it again".into()),
    };
    let connector = match &inner.tls {
        Some(config) => Connector::Rustls(config.clone()),
        None => Connector::Plain,
    };
    let opened = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_tungstenite::connect_async_tls_with_config(req, Some(WebSocketConfig::default()), true, Some(connector)),
    )
    .await;
    let mut ws = match opened {
        Err(_) => return retry(format!("the hub at {hub} did not open the event stream in time")),
        Ok(Ok((ws, _))) => ws,
        Ok(Err(tungstenite::Error::Http(resp))) => {
            let retry_after = retry_after(resp.headers());
            let body = resp.body().clone().unwrap_or_default();
            return refused(&hub, resp.status(), &body, retry_after);
        }
        Ok(Err(e)) => {
            if let Some(why) = untrusted(&e) {
                return End::Failed(why);
            }
            return retry(format!("cannot open the event stream at {hub}: {e}"));
        }
    };
    *inner.me.lock().unwrap_or_else(|p| p.into_inner()) = Some(me.clone());
    *ever_connected = true;
    tracing::info!(%hub, name = %me.name, role = me.role.as_str(), "connected to the hub");
    publish(inner, HubConnection::Connected { role: me.role, name: me.name.clone() });

    let lost = |reason: String| End::Retry { reason, connected: true, wait: Duration::ZERO };
    loop {
        let msg = match tokio::time::timeout(SILENT_LIMIT, ws.next()).await {
            Err(_) => return lost(format!("the hub at {hub} went silent")),
            Ok(None) => return lost(format!("the connection to the hub at {hub} was lost")),
            Ok(Some(Err(e))) => return lost(format!("the connection to the hub at {hub} broke: {e}")),
            Ok(Some(Ok(msg))) => msg,
        };
        match msg {
            Message::Text(text) => {
                let feed: Feed = match serde_json::from_str(text.as_str()) {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::warn!(error = %e, "the hub sent a feed frame this console cannot read");
                        let _ = ws.close(None).await;
                        return lost(format!("the hub at {hub} sent a frame this console cannot read"));
                    }
                };
                if let Err(why) = take(inner, at, feed) {
                    let _ = ws.close(None).await;
                    return lost(why);
                }
            }
            Message::Close(frame) => {
                // Let the closing handshake finish (tungstenite answers the close frame).
                let _ =
                    tokio::time::timeout(Duration::from_secs(2), async { while ws.next().await.is_some() {} }).await;
                let (code, reason) =
                    frame.map_or((CloseCode::Status, String::new()), |f| (f.code, f.reason.as_str().to_string()));
                return match code {
                    CloseCode::Policy => {
                        End::Revoked(format!("the hub's owner revoked this console's access ({reason})"))
                    }
                    _ => lost(if reason.is_empty() {
                        format!("the hub at {hub} closed the event stream ({})", u16::from(code))
                    } else {
                        format!("the hub at {hub} closed the event stream: {reason}")
                    }),
                };
            }
            // Pings are answered by tungstenite as it reads; anything else carries no feed.
            _ => {}
        }
    }
}

/// Applies one feed frame to `at` and passes it on; `Err` when it does not continue the sequence
/// (the connection is then dropped and resumed from `at`, which the hub answers correctly).
fn take(inner: &Inner, at: &mut Option<Resume>, feed: Feed) -> Result<(), String> {
    match feed {
        Feed::Snapshot { snapshot } => {
            *at = Some(Resume { epoch: snapshot.epoch, seq: snapshot.seq });
            let _ = inner.feed.send(Tagged { epoch: snapshot.epoch, feed: Feed::Snapshot { snapshot } });
        }
        Feed::Events { events } => {
            let Some(pos) = at.as_mut() else {
                return Err("the hub sent events before a snapshot".into());
            };
            let events: Vec<_> = events.into_iter().filter(|e| e.seq > pos.seq).collect();
            let Some(first) = events.first() else { return Ok(()) };
            if first.seq != pos.seq + 1 {
                return Err(format!("the hub's feed jumped from {} to {}", pos.seq, first.seq));
            }
            if events.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
                return Err("the hub's feed has a gap inside a batch".into());
            }
            pos.seq = events.last().map_or(pos.seq, |e| e.seq);
            let _ = inner.feed.send(Tagged { epoch: pos.epoch, feed: Feed::Events { events } });
        }
    }
    Ok(())
}

/// `GET /me`: the token's person and the hub's room.
async fn who_am_i(inner: &Inner, hub: &str) -> Result<Me, End> {
    let sent = inner.http.get(inner.hub.url(&["me"])).bearer_auth(inner.token.expose()).send().await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            if let Some(why) = untrusted(&e) {
                return Err(End::Failed(why));
            }
            let why = if e.is_connect() { "cannot reach it" } else { "it did not answer" };
            return Err(retry(format!("the hub at {hub}: {why} ({})", root_cause(&e))));
        }
    };
    let status = resp.status();
    let wait = retry_after(resp.headers());
    let body = resp.bytes().await.map_err(|_| retry(format!("the hub at {hub} did not finish answering")))?;
    if !status.is_success() {
        return Err(refused(hub, status, &body, wait));
    }
    serde_json::from_slice(&body).map_err(|e| {
        End::Failed(format!(
            "the hub at {hub} did not say who this console is ({e}): is it an AnchorDesk hub of this version?"
        ))
    })
}

fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let secs: u64 = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(600)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_goes_in_clear_only_to_this_machine() {
        for ok in ["https://hub.example.com", "https://hub.example.com:8443/desk/", "wss://hub.example.com"] {
            assert!(HubAddress::parse(ok).is_ok(), "{ok}");
        }
        for local in ["http://127.0.0.1:8690", "http://localhost:8690", "http://[::1]:8690", "ws://127.0.0.2:1"] {
            assert!(HubAddress::parse(local).is_ok(), "{local} is this machine");
        }
        for far in
            ["http://203.0.113.5:8690", "http://hub.example.com", "ws://10.0.0.2:8690", "http://localhost.example.com"]
        {
            let e = HubAddress::parse(far).unwrap_err().to_string();
            assert!(e.contains("use https://") && e.contains("must not cross the internet in clear"), "{far}: {e}");
        }
        let e = HubAddress::parse("https://me:pw@hub.example.com").unwrap_err().to_string();
        assert!(e.contains("no name or password"), "{e}");
        assert!(HubAddress::parse("ftp://hub.example.com").is_err());
        assert!(HubAddress::parse("hub.example.com").is_err(), "a scheme is needed");
    }

    #[test]
    fn routes_keep_a_path_prefix_and_escape_the_group_id() {
        let hub = HubAddress::parse("https://hub.example.com/desk/").unwrap();
        assert_eq!(hub.base(), "https://hub.example.com/desk");
        assert_eq!(
            hub.url(&["rooms", "@TGS#aXYZ", "users", "a/b"]).as_str(),
            "https://hub.example.com/desk/api/v1/rooms/@TGS%23aXYZ/users/a%2Fb"
        );
        let local = HubAddress::parse("ws://127.0.0.1:8690").unwrap();
        assert_eq!(local.url(&["me"]).as_str(), "http://127.0.0.1:8690/api/v1/me");
    }

    #[test]
    fn the_backoff_doubles_from_half_a_second_to_ten_with_jitter() {
        for _ in 0..50 {
            let first = backoff(1);
            assert!(first >= Duration::from_millis(250) && first <= BACKOFF_START, "{first:?}");
            let fourth = backoff(4);
            assert!(fourth >= Duration::from_secs(2) && fourth <= Duration::from_secs(4), "{fourth:?}");
            assert!(backoff(40) <= BACKOFF_MAX && backoff(40) >= BACKOFF_MAX / 2);
        }
    }

    #[test]
    fn an_extra_root_must_be_a_pem_certificate() {
        assert!(roots(None).is_ok());
        let e = roots(Some("not a certificate")).unwrap_err().to_string();
        assert!(e.contains("no certificate"), "{e}");
    }

    #[test]
    fn the_environment_selects_a_remote_hub_and_says_what_is_missing() {
        let none = RemoteConfig::from_env(|_| None).unwrap();
        assert!(none.is_none(), "no hub URL: the console runs its own hub");
        let e = RemoteConfig::from_env(|k| (k == "ANCHORDESK_HUB_URL").then(|| "https://hub.example.com".into()))
            .unwrap_err();
        assert!(e.contains("ANCHORDESK_HUB_TOKEN"), "{e}");
        let e = RemoteConfig::from_env(|k| match k {
            "ANCHORDESK_HUB_URL" => Some("http://hub.example.com".into()),
            "ANCHORDESK_HUB_TOKEN" => Some("adp_secret".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(e.starts_with("ANCHORDESK_HUB_URL") && e.contains("https://") && !e.contains("adp_secret"), "{e}");
    }
}
