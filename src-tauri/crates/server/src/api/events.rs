//! `GET /api/v1/rooms/{room}/events`: the room's feed over a WebSocket. Each [`Feed`] item the room's
//! `follow` produces is one JSON text frame: `{"type":"snapshot","snapshot":{…}}` first (or, when the
//! console resumes with `?epoch=E&seq=S`, only the events after `S`), then
//! `{"type":"events","events":[{"seq":…,"event":{…}}]}` whose `seq`s continue without gaps or repeats.
//!
//! `follow` runs on its own task and hands items to this connection through a small bounded queue,
//! never waiting on it. A console that lets the queue fill is too slow: its stream ends with close code
//! 1013 (try again later) and a reason naming the `epoch`/`seq` to reconnect with, and it resumes
//! without loss from the room's replay buffer. The server pings every [`PING_EVERY`] and drops a peer
//! it has not heard from for [`SILENT_LIMIT`]; the client's pings are answered by the WebSocket layer.
//! When the owner revokes the stream's person, it closes at once with 1008 (policy) and "access revoked".
//! One person may hold [`crate::access::Limits::streams`] streams open at once; one more is refused with
//! 429 and `Retry-After` before the upgrade.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use room::event::{Feed, Resume};
use room::{ErrorCode, RoomHandle};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{ApiError, Params};
use crate::access::{Caller, Live};
use crate::callback::Hub;

/// Feed items waiting for the socket; a console this far behind is disconnected to resume later.
pub const QUEUE: usize = 64;
/// The most events in one frame (a resume's replay is one frame, however long).
pub const BATCH: usize = 512;
pub const PING_EVERY: Duration = Duration::from_secs(20);
/// A peer silent this long (not even a pong) is gone.
pub const SILENT_LIMIT: Duration = Duration::from_secs(50);
/// A frame the peer does not take within this long means it is gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);
/// When a person at their limit of open streams may try again: a dropped stream is noticed within
/// [`SILENT_LIMIT`], usually sooner.
const STREAMS_RETRY: Duration = Duration::from_secs(10);
/// How long a closing handshake may take before the connection is dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

#[derive(Deserialize)]
pub struct ResumeQuery {
    #[serde(default)]
    epoch: Option<u64>,
    #[serde(default)]
    seq: Option<u64>,
}

/// Checks the resume point and upgrades; the refusal comes before the upgrade, as a JSON error.
pub async fn events(
    State(hub): State<Hub>,
    Extension(who): Extension<Caller>,
    Params(q): Params<ResumeQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let from =
        match (q.epoch, q.seq) {
            (Some(epoch), Some(seq)) => Some(Resume { epoch, seq }),
            (None, None) => None,
            _ => return Err(ApiError::invalid(
                "give both epoch and seq (from the last snapshot and event you saw) to resume, or neither to start \
                 from a snapshot",
            )),
        };
    let upgrade = upgrade.map_err(|e| {
        ApiError::new(e.status(), ErrorCode::Invalid, format!("this is a WebSocket endpoint; connect with one: {e}"))
    })?;
    // Registered before the upgrade, so a revocation from now on reaches this stream.
    let Some(live) = hub.access.connect(&who) else {
        return Ok(super::too_many(
            &format!(
                "{} has too many event streams open (close a console, or wait for dropped ones to time out)",
                who.name
            ),
            STREAMS_RETRY,
        ));
    };
    Ok(upgrade.on_upgrade(move |socket| stream(hub.room, live, from, socket)))
}

/// The bridge from `follow`'s synchronous sink to the socket: queues without waiting; refuses (ending
/// `follow`) when the socket is gone, or when the queue is full, noting that in `overflowed`.
pub fn sink(tx: mpsc::Sender<Feed>, overflowed: Arc<AtomicBool>) -> impl FnMut(Feed) -> bool {
    move |feed| match tx.try_send(feed) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            overflowed.store(true, Ordering::Relaxed);
            false
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

/// Aborts the task when dropped, so `follow` ends with the connection even while no event comes.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How a stream ended.
enum End {
    /// The peer closed, vanished or stopped answering: nothing more to say.
    PeerGone,
    /// We close, with this code and reason.
    Close(u16, String),
}

async fn stream(room: RoomHandle, live: Live, from: Option<Resume>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::channel(QUEUE);
    let overflowed = Arc::new(AtomicBool::new(false));
    let _follow = {
        let sink = sink(tx, overflowed.clone());
        AbortOnDrop(tokio::spawn(async move { room.follow(from, BATCH, sink).await }))
    };
    // Where the console is: what it needs to resume after this stream ends.
    let mut at = from;
    let mut heard = Instant::now();
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    let end = loop {
        tokio::select! {
            _ = live.revoked.cancelled() => {
                tracing::info!("closing the event stream of a revoked person");
                break End::Close(close_code::POLICY, "access revoked".into());
            }
            feed = rx.recv() => {
                let Some(feed) = feed else { break ended(&overflowed, at) };
                match &feed {
                    Feed::Snapshot { snapshot } => at = Some(Resume { epoch: snapshot.epoch, seq: snapshot.seq }),
                    Feed::Events { events } => {
                        if let (Some(at), Some(last)) = (at.as_mut(), events.last()) {
                            at.seq = last.seq;
                        }
                    }
                }
                let text = match serde_json::to_string(&feed) {
                    Ok(text) => text,
                    Err(e) => {
                        tracing::error!(error = %e, "a feed item could not be serialised");
                        break End::Close(close_code::ERROR, "the hub failed to encode the feed".into());
                    }
                };
                if !send(&mut socket, Message::text(text)).await {
                    break End::PeerGone;
                }
            }
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) => {
                    drain(&mut socket).await;
                    break End::PeerGone;
                }
                Some(Ok(_)) => heard = Instant::now(),
                None | Some(Err(_)) => break End::PeerGone,
            },
            _ = ping.tick() => {
                if heard.elapsed() > SILENT_LIMIT {
                    tracing::info!("a console stopped answering pings; dropping its event stream");
                    break End::PeerGone;
                }
                if !send(&mut socket, Message::Ping(Default::default())).await {
                    break End::PeerGone;
                }
            }
        }
    };
    drop(rx);
    if let End::Close(code, reason) = end {
        let frame = CloseFrame { code, reason: truncate(reason, 123).into() };
        if send(&mut socket, Message::Close(Some(frame))).await {
            drain(&mut socket).await;
        }
    }
}

/// Why `follow` stopped feeding (its sink, holding the queue's sender, is gone), as the close frame
/// tells the console: it fell behind, or the room stopped (the hub is shutting down or restarting).
fn ended(overflowed: &AtomicBool, at: Option<Resume>) -> End {
    let again = match at {
        Some(r) => format!("reconnect with ?epoch={}&seq={} to resume", r.epoch, r.seq),
        None => "reconnect to start again".to_string(),
    };
    if overflowed.load(Ordering::Relaxed) {
        tracing::info!("a console fell too far behind its event stream; asking it to resume");
        return End::Close(close_code::AGAIN, format!("too slow to keep up; {again}"));
    }
    End::Close(close_code::RESTART, format!("the room stopped; {again}"))
}

async fn send(socket: &mut WebSocket, msg: Message) -> bool {
    matches!(tokio::time::timeout(SEND_TIMEOUT, socket.send(msg)).await, Ok(Ok(())))
}

/// Reads until the connection ends (for at most [`CLOSE_WAIT`]), which lets the WebSocket layer
/// complete a closing handshake.
async fn drain(socket: &mut WebSocket) {
    let _ = tokio::time::timeout(CLOSE_WAIT, async { while let Some(Ok(_)) = socket.recv().await {} }).await;
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sink_refuses_when_the_console_is_behind_or_gone_and_says_which() {
        let (tx, mut rx) = mpsc::channel(2);
        let overflowed = Arc::new(AtomicBool::new(false));
        let mut slow = sink(tx, overflowed.clone());
        let feed = || Feed::Events { events: Vec::new() };
        assert!(slow(feed()) && slow(feed()), "room in the queue");
        assert!(!overflowed.load(Ordering::Relaxed));
        assert!(!slow(feed()), "a full queue ends the follow instead of waiting");
        assert!(overflowed.load(Ordering::Relaxed), "and is remembered as the reason");

        let (tx, rx2) = mpsc::channel(2);
        let gone = Arc::new(AtomicBool::new(false));
        let mut closed = sink(tx, gone.clone());
        drop(rx2);
        assert!(!closed(feed()), "a closed connection ends the follow");
        assert!(!gone.load(Ordering::Relaxed), "without calling it slow");
        assert!(rx.try_recv().is_ok());
    }

    #[test]
    fn a_close_reason_fits_the_frame_without_splitting_a_character() {
        assert_eq!(truncate("é".repeat(100), 123).len(), 122);
        assert_eq!(truncate("short".into(), 123), "short");
    }
}
