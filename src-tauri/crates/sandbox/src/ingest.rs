//! A real RTMP ingest on 127.0.0.1, standing in for a CSS push domain: an encoder (OBS, ffmpeg)
//! publishes to `rtmp://127.0.0.1:PORT/{AppName}/{StreamName}?txSecret=…&txTime=…` and the ingest
//! checks the address the way CSS does (tencent-cloud.md §6.1) before it lets the stream in.
//!
//! A publish is accepted only when `txSecret = md5(pushKey + StreamName + txTime)` with the primary or
//! the backup push key, `txTime` (hex unix seconds, hashed as written) has not passed, the stream name
//! has only the characters CSS takes, the stream is not forbidden, and it is not already being pushed.
//! Otherwise the encoder gets `onStatus` `{level: "error", code: "NetStream.Publish.BadName",
//! description: <why>}` and the connection is closed; ffmpeg reports "Server error: <why>" and exits.
//! A push that has started keeps running after its `txTime` passes, as on CSS. `DropLiveStream`
//! disconnects the publisher at once (it may push again); `ForbidLiveStream` disconnects it and
//! refuses it until the resume time or `ResumeLiveStream`.
//!
//! The RTMP protocol is `rml_rtmp`'s: the handshake and the server session (chunking, connect,
//! createStream, publish, acknowledgements) from a maintained, sans-IO crate, so the ingest owns the
//! socket and can refuse, drop and count bytes itself. (`scuffle-rtmp` ends a refused publish without
//! any status; xiu's `rtmp` is a whole media server to configure around.)
//!
//! Each stream is tracked while it pushes: when it started, the client's IP, the bytes received and a
//! bitrate over the last few seconds. Nothing is played back, transcoded or recorded.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rml_rtmp::chunk_io::ChunkSerializer;
use rml_rtmp::handshake::{Handshake, HandshakeProcessResult, PeerType};
use rml_rtmp::messages::RtmpMessage;
use rml_rtmp::rml_amf0::Amf0Value;
use rml_rtmp::sessions::{ServerSession, ServerSessionConfig, ServerSessionEvent, ServerSessionResult};
use rml_rtmp::time::RtmpTimestamp;
use stream::css::StreamState;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::world::now_secs;
use crate::Shared;

/// A forbid with no `ResumeTime` lasts 7 days (the newer CN doc; older ones said 90).
pub(crate) const DEFAULT_FORBID_SECS: u64 = 7 * 86_400;
/// The window the bitrate is measured over.
const BITRATE_WINDOW: Duration = Duration::from_secs(5);
/// The message stream an encoder publishes on: the first one it creates, which `rml_rtmp` numbers 1.
/// (`rml_rtmp` does not say which stream asked to publish; OBS and ffmpeg create exactly one.)
const PUBLISH_STREAM_ID: u32 = 1;

/// A stream pushing into the ingest now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveStream {
    pub app_name: String,
    pub stream_name: String,
    /// When the publish was accepted (unix seconds).
    pub publish_time: u64,
    pub client_ip: IpAddr,
    /// Bytes received on the connection since the publish was accepted.
    pub bytes: u64,
    /// Bits per second received over the last few seconds.
    pub bitrate_bps: u64,
}

/// Why a publish was refused; the text is what the encoder is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("stream name contains illegal characters: use letters, digits or '-'")]
    IllegalName,
    #[error("push authentication failed: the address has no txSecret and txTime")]
    Unauthenticated,
    #[error("push authentication failed: txTime is not a hexadecimal unix time")]
    BadTxTime,
    #[error("push authentication failed: txSecret does not match the push key")]
    BadSecret,
    #[error("push authentication failed: the push address expired (txTime has passed)")]
    Expired,
    #[error("the stream is forbidden from pushing")]
    Forbidden,
    #[error("the stream is already being pushed")]
    AlreadyPushing,
}

struct Publishing {
    /// Which connection pushes it (a dropped connection must not remove its successor).
    conn: u64,
    publish_time: u64,
    client_ip: IpAddr,
    bytes: u64,
    /// `(when, bytes so far)`, at most a few a second, the oldest within the bitrate window.
    samples: VecDeque<(Instant, u64)>,
    /// Cancelled to disconnect the publisher (drop or forbid).
    stop: CancellationToken,
}

impl Publishing {
    fn bitrate_bps(&self, now: Instant) -> u64 {
        let (since, base) = self.samples.front().copied().unwrap_or((now, self.bytes));
        let secs = now.duration_since(since).as_secs_f64();
        if secs < 0.05 {
            return 0;
        }
        ((self.bytes - base) as f64 * 8.0 / secs) as u64
    }
}

#[derive(Default)]
struct Streams {
    /// `(AppName, StreamName)` → the push.
    live: HashMap<(String, String), Publishing>,
    /// StreamName → forbidden until (unix s). CSS matches a forbid on the stream name only.
    forbidden: HashMap<String, u64>,
    next_conn: u64,
}

/// The ingest's state, shared by the RTMP connections and the CSS API. A std mutex: held only for
/// bookkeeping, never across an await.
#[derive(Default)]
pub(crate) struct Ingest {
    streams: Mutex<Streams>,
}

impl Ingest {
    fn lock(&self) -> std::sync::MutexGuard<'_, Streams> {
        self.streams.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What `DescribeLiveStreamState` reports: a forbid wins, then a live push, else inactive.
    pub fn state(&self, app: &str, name: &str, now: u64) -> StreamState {
        let s = self.lock();
        if s.forbidden.get(name).is_some_and(|until| *until > now) {
            StreamState::Forbid
        } else if s.live.contains_key(&(app.to_string(), name.to_string())) {
            StreamState::Active
        } else {
            StreamState::Inactive
        }
    }

    pub fn live(&self) -> Vec<LiveStream> {
        let now = Instant::now();
        self.lock()
            .live
            .iter()
            .map(|((app, name), p)| LiveStream {
                app_name: app.clone(),
                stream_name: name.clone(),
                publish_time: p.publish_time,
                client_ip: p.client_ip,
                bytes: p.bytes,
                bitrate_bps: p.bitrate_bps(now),
            })
            .collect()
    }

    /// Disconnects the push of `(app, name)` if there is one; the stream is inactive from now on.
    pub fn disconnect(&self, app: &str, name: &str) {
        if let Some(p) = self.lock().live.remove(&(app.to_string(), name.to_string())) {
            p.stop.cancel();
        }
    }

    /// Forbids `name` (in every AppName) until `until`, disconnecting any push of it.
    pub fn forbid(&self, name: &str, until: u64) {
        let mut s = self.lock();
        s.forbidden.insert(name.to_string(), until);
        let keys: Vec<_> = s.live.keys().filter(|(_, n)| n == name).cloned().collect();
        for key in keys {
            if let Some(p) = s.live.remove(&key) {
                p.stop.cancel();
            }
        }
    }

    pub fn resume(&self, name: &str) {
        self.lock().forbidden.remove(name);
    }

    /// Checks a publish of `stream_key` (`StreamName?txSecret=…&txTime=…`) under `app` and, if CSS
    /// would take it, registers the push: its connection number, its stream key and its stop token.
    fn admit(
        &self,
        keys: &[&str],
        app: &str,
        stream_key: &str,
        client_ip: IpAddr,
        now: u64,
    ) -> Result<(u64, (String, String), CancellationToken), Refusal> {
        let name = check_address(keys, stream_key, now)?;
        let mut s = self.lock();
        if s.forbidden.get(&name).is_some_and(|until| *until > now) {
            return Err(Refusal::Forbidden);
        }
        s.forbidden.retain(|_, until| *until > now);
        let key = (app.to_string(), name);
        if s.live.contains_key(&key) {
            return Err(Refusal::AlreadyPushing);
        }
        s.next_conn += 1;
        let conn = s.next_conn;
        let stop = CancellationToken::new();
        let started = Instant::now();
        s.live.insert(
            key.clone(),
            Publishing {
                conn,
                publish_time: now,
                client_ip,
                bytes: 0,
                samples: VecDeque::from([(started, 0)]),
                stop: stop.clone(),
            },
        );
        Ok((conn, key, stop))
    }

    fn record(&self, conn: u64, key: &(String, String), bytes: usize) {
        let mut s = self.lock();
        let Some(p) = s.live.get_mut(key).filter(|p| p.conn == conn) else { return };
        p.bytes += bytes as u64;
        let now = Instant::now();
        if p.samples.back().is_none_or(|(at, _)| now.duration_since(*at) >= Duration::from_millis(200)) {
            p.samples.push_back((now, p.bytes));
        }
        while p.samples.len() > 2 && p.samples.get(1).is_some_and(|(at, _)| now.duration_since(*at) > BITRATE_WINDOW) {
            p.samples.pop_front();
        }
    }

    fn finish(&self, conn: u64, key: &(String, String)) {
        let mut s = self.lock();
        if s.live.get(key).is_some_and(|p| p.conn == conn) {
            s.live.remove(key);
        }
    }
}

/// The stream name of a publish address CSS would take, or why not.
pub(crate) fn check_address(keys: &[&str], stream_key: &str, now: u64) -> Result<String, Refusal> {
    let (name, query) = stream_key.split_once('?').unwrap_or((stream_key, ""));
    stream::validate_stream_name(name).map_err(|_| Refusal::IllegalName)?;
    let param =
        |wanted: &str| query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == wanted).map(|(_, v)| v);
    let (Some(secret), Some(tx_time)) = (param("txSecret"), param("txTime")) else {
        return Err(Refusal::Unauthenticated);
    };
    let expires = u64::from_str_radix(tx_time, 16).map_err(|_| Refusal::BadTxTime)?;
    let matches = keys
        .iter()
        .any(|k| im::secret::constant_time_eq(stream::tx_secret(k, name, tx_time).as_bytes(), secret.as_bytes()));
    if !matches {
        return Err(Refusal::BadSecret);
    }
    if now > expires {
        return Err(Refusal::Expired);
    }
    Ok(name.to_string())
}

/// Accepts RTMP connections until `cancel` fires.
pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener, cancel: CancellationToken) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    let shared = shared.clone();
                    let cancel = cancel.clone();
                    tokio::spawn(async move {
                        if let Err(e) = Connection::new(shared, peer).run(socket, cancel).await {
                            tracing::debug!(%peer, error = %e, "RTMP connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the RTMP ingest could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// What the read loop does next.
enum Next {
    Continue,
    /// Tell the encoder why (onStatus error), then close.
    Refuse(String),
    Close,
}

struct Connection {
    shared: Arc<Shared>,
    peer: SocketAddr,
    app: Option<String>,
    /// `(connection number, stream key, stop token)` while publishing.
    publishing: Option<(u64, (String, String), CancellationToken)>,
}

fn io(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Connection {
    fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Self { shared, peer, app: None, publishing: None }
    }

    async fn run(mut self, mut socket: TcpStream, cancel: CancellationToken) -> Result<(), String> {
        let _ = socket.set_nodelay(true);
        let idle = self.shared.config.css.idle_timeout;
        let mut buf = vec![0u8; 64 * 1024];
        let remaining = tokio::time::timeout(idle, handshake(&mut socket, &mut buf))
            .await
            .map_err(|_| "no RTMP handshake in time".to_string())??;
        let config = ServerSessionConfig::new();
        let chunk_size = config.chunk_size;
        let (mut session, initial) = ServerSession::new(config).map_err(io)?;
        let mut pending: VecDeque<ServerSessionResult> = initial.into();
        pending.extend(session.handle_input(&remaining).map_err(io)?);
        let result = loop {
            match self.process(&mut session, &mut socket, &mut pending).await {
                Ok(Next::Continue) => {}
                Ok(Next::Close) => break Ok(()),
                Ok(Next::Refuse(why)) => break refuse(&mut socket, &mut buf, chunk_size, &why).await,
                Err(e) => break Err(e),
            }
            let stop = self.publishing.as_ref().map(|(_, _, s)| s.clone()).unwrap_or_default();
            tokio::select! {
                read = tokio::time::timeout(idle, socket.read(&mut buf)) => match read {
                    Err(_) => break Err(format!("nothing received for {idle:?}")),
                    Ok(Err(e)) => break Err(io(e)),
                    Ok(Ok(0)) => break Ok(()),
                    Ok(Ok(n)) => {
                        if let Some((conn, key, _)) = &self.publishing {
                            self.shared.ingest.record(*conn, key, n);
                        }
                        match session.handle_input(&buf[..n]) {
                            Ok(results) => pending.extend(results),
                            Err(e) => break Err(io(e)),
                        }
                    }
                },
                _ = stop.cancelled() => {
                    tracing::info!(peer = %self.peer, "the push was disconnected (DropLiveStream or ForbidLiveStream)");
                    break Ok(());
                }
                _ = cancel.cancelled() => break Ok(()),
            }
        };
        if let Some((conn, key, _)) = self.publishing.take() {
            self.shared.ingest.finish(conn, &key);
        }
        result
    }

    /// Sends the session's answers in order and acts on its events.
    async fn process(
        &mut self,
        session: &mut ServerSession,
        socket: &mut TcpStream,
        pending: &mut VecDeque<ServerSessionResult>,
    ) -> Result<Next, String> {
        while let Some(result) = pending.pop_front() {
            match result {
                ServerSessionResult::OutboundResponse(packet) => socket.write_all(&packet.bytes).await.map_err(io)?,
                ServerSessionResult::RaisedEvent(event) => match self.on_event(session, event)? {
                    (Next::Continue, more) => pending.extend(more),
                    (next, more) => {
                        for r in more {
                            if let ServerSessionResult::OutboundResponse(packet) = r {
                                socket.write_all(&packet.bytes).await.map_err(io)?;
                            }
                        }
                        return Ok(next);
                    }
                },
                ServerSessionResult::UnhandleableMessageReceived(_) => {}
            }
        }
        Ok(Next::Continue)
    }

    fn on_event(
        &mut self,
        session: &mut ServerSession,
        event: ServerSessionEvent,
    ) -> Result<(Next, Vec<ServerSessionResult>), String> {
        match event {
            ServerSessionEvent::ConnectionRequested { request_id, app_name } => {
                let app = app_name.split('?').next().unwrap_or_default().trim_end_matches('/').to_string();
                if app.is_empty() || !app.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                    let more = session
                        .reject_request(request_id, "NetConnection.Connect.Rejected", "the AppName is not valid")
                        .map_err(io)?;
                    return Ok((Next::Close, more));
                }
                self.app = Some(app);
                Ok((Next::Continue, session.accept_request(request_id).map_err(io)?))
            }
            ServerSessionEvent::PublishStreamRequested { request_id, stream_key, .. } => {
                let app = self.app.clone().unwrap_or_default();
                let css = &self.shared.config.css;
                let mut keys = vec![css.push_key.expose()];
                keys.extend(css.backup_push_key.as_ref().map(|k| k.expose()));
                let name = stream_key.split('?').next().unwrap_or_default().to_string();
                match self.shared.ingest.admit(&keys, &app, &stream_key, self.peer.ip(), now_secs()) {
                    Ok(publishing) => {
                        tracing::info!(peer = %self.peer, app, stream = name, "push accepted");
                        self.publishing = Some(publishing);
                        Ok((Next::Continue, session.accept_request(request_id).map_err(io)?))
                    }
                    Err(refusal) => {
                        tracing::info!(peer = %self.peer, app, stream = name, reason = %refusal, "push refused");
                        Ok((Next::Refuse(refusal.to_string()), Vec::new()))
                    }
                }
            }
            ServerSessionEvent::PublishStreamFinished { .. } => {
                if let Some((conn, key, _)) = self.publishing.take() {
                    self.shared.ingest.finish(conn, &key);
                }
                Ok((Next::Continue, Vec::new()))
            }
            ServerSessionEvent::PlayStreamRequested { request_id, .. } => {
                let more = session
                    .reject_request(
                        request_id,
                        "NetStream.Play.Failed",
                        "a push domain does not play; use a play domain",
                    )
                    .map_err(io)?;
                Ok((Next::Continue, more))
            }
            _ => Ok((Next::Continue, Vec::new())),
        }
    }
}

async fn handshake(socket: &mut TcpStream, buf: &mut [u8]) -> Result<Vec<u8>, String> {
    let mut handshake = Handshake::new(PeerType::Server);
    loop {
        let n = socket.read(buf).await.map_err(io)?;
        if n == 0 {
            return Err("closed during the RTMP handshake".into());
        }
        match handshake.process_bytes(&buf[..n]).map_err(io)? {
            HandshakeProcessResult::InProgress { response_bytes } => {
                socket.write_all(&response_bytes).await.map_err(io)?
            }
            HandshakeProcessResult::Completed { response_bytes, remaining_bytes } => {
                socket.write_all(&response_bytes).await.map_err(io)?;
                return Ok(remaining_bytes);
            }
        }
    }
}

/// `onStatus {level: error, code: NetStream.Publish.BadName, description}` on the publishing stream,
/// chunked at the size the session announced.
fn refusal_packet(chunk_size: u32, description: &str) -> Result<Vec<u8>, String> {
    let status = HashMap::from([
        ("level".to_string(), Amf0Value::Utf8String("error".into())),
        ("code".to_string(), Amf0Value::Utf8String("NetStream.Publish.BadName".into())),
        ("description".to_string(), Amf0Value::Utf8String(description.into())),
    ]);
    let message = RtmpMessage::Amf0Command {
        command_name: "onStatus".into(),
        transaction_id: 0.0,
        command_object: Amf0Value::Null,
        additional_arguments: vec![Amf0Value::Object(status)],
    };
    let payload = message.into_message_payload(RtmpTimestamp::new(0), PUBLISH_STREAM_ID).map_err(io)?;
    let mut serializer = ChunkSerializer::new();
    serializer.set_max_chunk_size(chunk_size, RtmpTimestamp::new(0)).map_err(io)?;
    Ok(serializer.serialize(&payload, true, false).map_err(io)?.bytes)
}

/// Tells the encoder why, then closes: our side first (FIN), then whatever it still sends is read and
/// dropped for a moment, so closing with unread data does not reset the connection before the encoder
/// has read the status.
async fn refuse(socket: &mut TcpStream, buf: &mut [u8], chunk_size: u32, why: &str) -> Result<(), String> {
    socket.write_all(&refusal_packet(chunk_size, why)?).await.map_err(io)?;
    let _ = socket.shutdown().await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while matches!(socket.read(buf).await, Ok(n) if n > 0) {}
    })
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "e12c46f2612d5106e2034781ab261ca3";

    fn key_for(name: &str, expires: u64) -> String {
        let t = stream::tx_time(expires);
        format!("{name}?txSecret={}&txTime={t}", stream::tx_secret(KEY, name, &t))
    }

    #[test]
    fn the_documented_push_address_is_accepted_before_it_expires_and_refused_after() {
        // tencent-cloud.md §6.1: test?txSecret=f85a…&txTime=5C271099 (1546064025).
        let key = "test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099";
        assert_eq!(check_address(&[KEY], key, 1546064025), Ok("test".into()), "valid up to txTime itself");
        assert_eq!(check_address(&[KEY], key, 1546064026), Err(Refusal::Expired));
    }

    #[test]
    fn each_flaw_in_an_address_is_refused_for_its_own_reason() {
        let now = 1_700_000_000;
        let good = key_for("anchor-1", now + 60);
        assert_eq!(check_address(&["other", KEY], &good, now), Ok("anchor-1".into()), "the backup key works too");
        assert_eq!(check_address(&["other"], &good, now), Err(Refusal::BadSecret));
        assert_eq!(check_address(&[KEY], "anchor-1", now), Err(Refusal::Unauthenticated));
        let tampered = good.replace("anchor-1?", "anchor-2?");
        assert_eq!(check_address(&[KEY], &tampered, now), Err(Refusal::BadSecret), "the name is in the MD5");
        let lower = good.replace(&stream::tx_time(now + 60), &stream::tx_time(now + 60).to_lowercase());
        assert_eq!(check_address(&[KEY], &lower, now), Err(Refusal::BadSecret), "the MD5 covers txTime as written");
        assert_eq!(check_address(&[KEY], "a b?txSecret=x&txTime=1", now), Err(Refusal::IllegalName));
        assert_eq!(check_address(&[KEY], "a?txSecret=x&txTime=zz", now), Err(Refusal::BadTxTime));
    }

    #[test]
    fn a_forbidden_stream_is_refused_until_resumed_and_a_live_one_cannot_be_pushed_twice() {
        let ingest = Ingest::default();
        let ip = IpAddr::from([127, 0, 0, 1]);
        let now = now_secs();
        let addr = key_for("s1", now + 600);
        ingest.forbid("s1", now + 60);
        assert_eq!(ingest.admit(&[KEY], "live", &addr, ip, now).unwrap_err(), Refusal::Forbidden);
        assert_eq!(ingest.state("live", "s1", now), StreamState::Forbid);
        ingest.resume("s1");
        let (conn, key, stop) = ingest.admit(&[KEY], "live", &addr, ip, now).expect("resumed");
        assert_eq!(ingest.state("live", "s1", now), StreamState::Active);
        assert_eq!(ingest.admit(&[KEY], "live", &addr, ip, now).unwrap_err(), Refusal::AlreadyPushing);
        ingest.disconnect("live", "s1");
        assert!(stop.is_cancelled(), "the publisher is told to go");
        assert_eq!(ingest.state("live", "s1", now), StreamState::Inactive);
        let (conn2, _, _) = ingest.admit(&[KEY], "live", &addr, ip, now).expect("a dropped stream can push again");
        ingest.finish(conn, &key);
        assert_eq!(
            ingest.state("live", "s1", now),
            StreamState::Active,
            "the old connection does not end the new push"
        );
        ingest.finish(conn2, &key);
        assert_eq!(ingest.state("live", "s1", now), StreamState::Inactive);

        let addr2 = key_for("s2", now + 600);
        ingest.forbid("s2", now + 60);
        assert_eq!(ingest.admit(&[KEY], "live", &addr2, ip, now + 59).unwrap_err(), Refusal::Forbidden);
        assert_eq!(ingest.state("live", "s2", now + 60), StreamState::Inactive, "the forbid ends at its resume time");
        assert!(ingest.admit(&[KEY], "live", &addr2, ip, now + 60).is_ok(), "and the stream may push again");
    }

    #[test]
    fn the_refusal_is_an_onstatus_error_with_badname() {
        let bytes = refusal_packet(4096, "the stream is forbidden from pushing").unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for part in ["onStatus", "error", "NetStream.Publish.BadName", "forbidden"] {
            assert!(text.contains(part), "the packet carries {part}: {text:?}");
        }
    }
}
