//! The room actor: one task owns a room's state; [`RoomHandle`] is the cloneable way in.
//!
//! Callbacks are answered from memory, inside the actor, so a before-join or before-send decision
//! never waits on the network (Tencent gives a callback 2 s). Commands that call Tencent (status, mute,
//! kick) run their REST calls on spawned tasks that report back to the actor as completions, so a slow
//! REST call never delays a callback answer. Every state change becomes a [`RoomEvent`] with the next
//! sequence number, broadcast to subscribers; a subscriber gets a snapshot and a receiver atomically,
//! so it misses nothing between the two.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use std::time::Duration;

use im::clock::{now_ms, now_secs};

use im::api::{AppDefinedData, CreateGroup};
use im::callback::{Callback, CallbackAnswer, MsgCallback};
use im::msg::body_text;
use im::{ErrorKind, GroupHandle, ImClient};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::event::{ChatLine, EventEnvelope, GiftLine, MemberLine, MuteLine, RoomEvent, RoomSnapshot};
use crate::message::RoomMessage;
use crate::ops;
use crate::status::RoomStatus;
use crate::store::{Store, StoredRoom};

pub use crate::ops::{LIKES_FIELD, STATUS_FIELD};
/// The error code a refused join carries (Tencent passes 10100–10200 and `ErrorInfo` to the client).
pub const KICKED_JOIN_CODE: i64 = 10100;

const CHAT_KEPT: usize = 200;
const GIFTS_KEPT: usize = 100;
const MEMBERS_KEPT: usize = 50;
const EVENT_BUFFER: usize = 8192;

#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// The group's name when the room is created (≤ 30 bytes).
    pub name: String,
    /// The SQLite file; `None` keeps the room in memory (tests).
    pub db_path: Option<PathBuf>,
    /// How often the online count is polled; Tencent's granularity is 10 s.
    pub online_poll: Duration,
}

impl Default for RoomConfig {
    fn default() -> Self {
        Self { name: "AnchorDesk live room".into(), db_path: None, online_poll: Duration::from_secs(10) }
    }
}

enum Command {
    Subscribe(oneshot::Sender<(RoomSnapshot, broadcast::Receiver<EventEnvelope>)>),
    Callback(Box<Callback>, oneshot::Sender<CallbackAnswer>),
    SetStatus(RoomStatus, oneshot::Sender<Result<()>>),
    StatusApplied(RoomStatus, Result<()>, oneshot::Sender<Result<()>>),
    Mute(String, u32, oneshot::Sender<Result<()>>),
    MuteApplied(String, Result<Option<u64>>, oneshot::Sender<Result<()>>),
    Kick(String, oneshot::Sender<Result<()>>),
    Online(u64),
    /// A spawned call finished and already replied; nothing to update.
    Done,
}

/// A cloneable handle to a running room.
#[derive(Clone)]
pub struct RoomHandle {
    tx: mpsc::Sender<Command>,
    group_id: String,
}

impl std::fmt::Debug for RoomHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomHandle").field("group_id", &self.group_id).finish()
    }
}

fn validate_user_id(user_id: &str) -> Result<()> {
    im::client::validate_user_id(user_id).map_err(|e| Error::Invalid(e.to_string()))
}

/// Opens rooms.
pub struct Room;

impl Room {
    /// Opens the room kept in the store (reconciling its status from the group's profile), or creates
    /// an AVChatRoom group when there is none yet or Tencent no longer has it; then starts the actor.
    pub async fn open(config: RoomConfig, im: ImClient, cancel: CancellationToken) -> Result<RoomHandle> {
        let store = match &config.db_path {
            Some(p) => Store::open(p)?,
            None => Store::in_memory()?,
        };
        let stored = match store.room()? {
            Some(room) => match im.group(&room.group_id).info().await {
                Ok(info) => {
                    let remote = info.app_defined(STATUS_FIELD).and_then(RoomStatus::parse);
                    let mut room = room;
                    if let Some(status) = remote.filter(|s| *s != room.status) {
                        tracing::info!(group = %room.group_id, local = %room.status, remote = %status,
                            "adopting the status in the group profile");
                        room.status = status;
                        store.set_status(status, now_secs())?;
                    }
                    Some(room)
                }
                Err(e) if e.kind() == ErrorKind::RoomGone => {
                    tracing::warn!(group = %room.group_id, "the stored room no longer exists on Tencent; creating a new one");
                    None
                }
                Err(e) => return Err(Error::im(format!("opening room {}", room.group_id), e)),
            },
            None => None,
        };
        let stored = match stored {
            Some(room) => room,
            None => {
                let created = im
                    .create_group(&CreateGroup {
                        group_type: "AVChatRoom".into(),
                        name: config.name.clone(),
                        apply_join_option: Some("FreeAccess".into()),
                        app_defined_data: vec![AppDefinedData {
                            key: STATUS_FIELD.into(),
                            value: RoomStatus::Upcoming.as_str().into(),
                        }],
                        ..CreateGroup::default()
                    })
                    .await
                    .map_err(|e| Error::im("creating the live room", e))?;
                tracing::info!(group = %created.group_id, "created the live room");
                let room = StoredRoom {
                    group_id: created.group_id,
                    name: config.name.clone(),
                    status: RoomStatus::Upcoming,
                    likes: 0,
                };
                store.save_room(&room, now_secs())?;
                room
            }
        };

        let now = now_secs();
        let (tx, rx) = mpsc::channel(1024);
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let actor = Actor {
            group: im.group(&stored.group_id),
            admin: im.identifier().to_string(),
            name: stored.name.clone(),
            status: stored.status,
            pending_status: None,
            likes: stored.likes,
            online: 0,
            chat: VecDeque::new(),
            gifts: VecDeque::new(),
            members: VecDeque::new(),
            muted: store.mutes(now)?.into_iter().collect(),
            blocked: store.blocklist()?.into_iter().collect(),
            seq: 0,
            events,
            store,
            tx: tx.downgrade(),
        };
        let handle = RoomHandle { tx: tx.clone(), group_id: stored.group_id.clone() };
        tokio::spawn(actor.run(rx, cancel.clone()));
        tokio::spawn(poll_online(im.group(&stored.group_id), tx, config.online_poll, cancel));
        Ok(handle)
    }
}

async fn poll_online(group: GroupHandle, tx: mpsc::Sender<Command>, every: Duration, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        match group.online_member_num().await {
            Ok(n) => {
                if tx.send(Command::Online(n)).await.is_err() {
                    return;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read the online count"),
        }
    }
}

impl RoomHandle {
    pub fn group_id(&self) -> &str {
        &self.group_id
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// The room's current state, and every event after it.
    pub async fn subscribe(&self) -> Result<(RoomSnapshot, broadcast::Receiver<EventEnvelope>)> {
        self.ask(Command::Subscribe).await
    }

    /// Decides on a callback. If the room has shut down, the answer is Tencent's own default: allow.
    pub async fn callback(&self, callback: Callback) -> CallbackAnswer {
        self.ask(|r| Command::Callback(Box::new(callback), r)).await.unwrap_or_else(|_| CallbackAnswer::allow())
    }

    pub async fn set_status(&self, status: RoomStatus) -> Result<()> {
        self.ask(|r| Command::SetStatus(status, r)).await?
    }

    /// Mutes `user_id` for `seconds` (0 unmutes, `u32::MAX` is permanent).
    pub async fn mute(&self, user_id: &str, seconds: u32) -> Result<()> {
        validate_user_id(user_id)?;
        self.ask(|r| Command::Mute(user_id.to_string(), seconds, r)).await?
    }

    /// Kicks `user_id`: blocklisted at once (rejoins are refused), then told to leave by a High message.
    pub async fn kick(&self, user_id: &str) -> Result<()> {
        validate_user_id(user_id)?;
        self.ask(|r| Command::Kick(user_id.to_string(), r)).await?
    }
}

struct Actor {
    store: Store,
    group: GroupHandle,
    admin: String,
    name: String,
    status: RoomStatus,
    /// A status change whose REST calls are under way; no second change starts meanwhile.
    pending_status: Option<RoomStatus>,
    likes: u64,
    online: u64,
    chat: VecDeque<ChatLine>,
    gifts: VecDeque<GiftLine>,
    members: VecDeque<MemberLine>,
    muted: BTreeMap<String, u64>,
    blocked: BTreeSet<String>,
    seq: u64,
    events: broadcast::Sender<EventEnvelope>,
    /// For completions of spawned REST calls; weak so the actor ends when every handle is gone.
    tx: mpsc::WeakSender<Command>,
}

fn push_capped<T>(q: &mut VecDeque<T>, item: T, cap: usize) {
    if q.len() == cap {
        q.pop_front();
    }
    q.push_back(item);
}

impl Actor {
    async fn run(mut self, mut rx: mpsc::Receiver<Command>, cancel: CancellationToken) {
        loop {
            let cmd = tokio::select! {
                _ = cancel.cancelled() => break,
                cmd = rx.recv() => match cmd { Some(c) => c, None => break },
            };
            self.handle(cmd);
        }
        tracing::debug!(group = %self.group.id(), "room actor stopped");
    }

    fn emit(&mut self, event: RoomEvent) {
        self.seq += 1;
        match &event {
            RoomEvent::Chat(line) => push_capped(&mut self.chat, line.clone(), CHAT_KEPT),
            RoomEvent::Gift(line) => push_capped(&mut self.gifts, line.clone(), GIFTS_KEPT),
            RoomEvent::MemberJoined(m) => {
                self.members.retain(|x| x.user_id != m.user_id);
                push_capped(&mut self.members, m.clone(), MEMBERS_KEPT);
            }
            RoomEvent::MemberLeft(m) => self.members.retain(|x| x.user_id != m.user_id),
            _ => {}
        }
        // No receivers is fine: nobody is watching yet.
        let _ = self.events.send(EventEnvelope { seq: self.seq, event });
    }

    fn snapshot(&self) -> RoomSnapshot {
        let now = now_secs();
        RoomSnapshot {
            seq: self.seq,
            group_id: self.group.id().to_string(),
            name: self.name.clone(),
            status: self.status,
            likes: self.likes,
            online: self.online,
            chat: self.chat.iter().cloned().collect(),
            gifts: self.gifts.iter().cloned().collect(),
            members: self.members.iter().cloned().collect(),
            muted: self
                .muted
                .iter()
                .filter(|(_, until)| **until > now)
                .map(|(user_id, until)| MuteLine { user_id: user_id.clone(), until: *until })
                .collect(),
            blocked: self.blocked.iter().cloned().collect(),
        }
    }

    /// Runs `work` off the actor and hands its result back as a command.
    fn spawn_then<F, T>(&self, work: F, done: impl FnOnce(T) -> Command + Send + 'static)
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let out = work.await;
            if let Some(tx) = tx.upgrade() {
                let _ = tx.send(done(out)).await;
            }
        });
    }

    fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Subscribe(reply) => {
                let _ = reply.send((self.snapshot(), self.events.subscribe()));
            }
            Command::Callback(cb, reply) => {
                let answer = self.on_callback(*cb);
                let _ = reply.send(answer);
            }
            Command::SetStatus(to, reply) => self.set_status(to, reply),
            Command::StatusApplied(to, result, reply) => {
                self.pending_status = None;
                let result = result.and_then(|()| {
                    self.store.set_status(to, now_secs())?;
                    self.status = to;
                    self.emit(RoomEvent::Status { status: to });
                    Ok(())
                });
                let _ = reply.send(result);
            }
            Command::Mute(user, secs, reply) => {
                let group = self.group.clone();
                let target = user.clone();
                self.spawn_then(
                    async move { ops::mute(&group, std::slice::from_ref(&target), secs, now_secs()).await },
                    move |r| Command::MuteApplied(user, r, reply),
                );
            }
            Command::MuteApplied(user, result, reply) => {
                let result = result.and_then(|until| {
                    self.store.set_mute(&user, until, now_secs())?;
                    match until {
                        Some(t) => self.muted.insert(user.clone(), t),
                        None => self.muted.remove(&user),
                    };
                    self.emit(RoomEvent::UserMuted { user_id: user, until });
                    Ok(())
                });
                let _ = reply.send(result);
            }
            Command::Kick(user, reply) => {
                if let Err(e) = self.store.block(&user, "kicked", now_secs()) {
                    let _ = reply.send(Err(e));
                    return;
                }
                self.blocked.insert(user.clone());
                self.emit(RoomEvent::UserKicked { user_id: user.clone() });
                let group = self.group.clone();
                self.spawn_then(async move { ops::send_kicks(&group, std::slice::from_ref(&user)).await }, |r| {
                    let _ = reply.send(r);
                    Command::Done
                });
            }
            Command::Done => {}
            Command::Online(n) => {
                if n != self.online {
                    self.online = n;
                    self.emit(RoomEvent::Online { count: n });
                }
            }
        }
    }

    fn set_status(&mut self, to: RoomStatus, reply: oneshot::Sender<Result<()>>) {
        if let Some(pending) = self.pending_status {
            let _ = reply.send(Err(Error::Invalid(format!(
                "the room is already changing to {pending}; wait for that to finish"
            ))));
            return;
        }
        if !self.status.can_become(to) {
            let allowed: Vec<_> = self.status.next_allowed().iter().map(|s| s.as_str()).collect();
            let _ = reply.send(Err(Error::Transition { from: self.status, to, allowed: allowed.join(" or ") }));
            return;
        }
        self.pending_status = Some(to);
        let group = self.group.clone();
        self.spawn_then(async move { ops::write_status(&group, to).await }, move |r| {
            Command::StatusApplied(to, r, reply)
        });
    }

    fn on_callback(&mut self, cb: Callback) -> CallbackAnswer {
        if cb.group_id().is_some_and(|g| g != self.group.id()) {
            return CallbackAnswer::allow();
        }
        match cb {
            Callback::BeforeApplyJoinGroup(join) => {
                if self.blocked.contains(&join.requestor_account) {
                    self.emit(RoomEvent::JoinRefused { user_id: join.requestor_account });
                    CallbackAnswer::refuse_with(KICKED_JOIN_CODE, "you were removed from this live room")
                } else {
                    CallbackAnswer::allow()
                }
            }
            Callback::BeforeSendMsg(m) => {
                if let Some(RoomMessage::Like { count, .. }) = RoomMessage::from_body(&m.msg_body) {
                    // Likes are counted here: as Low-priority messages the ceiling may drop them later.
                    self.likes += u64::from(count);
                    let _ = self.store.set_likes(self.likes);
                    self.emit(RoomEvent::Likes { total: self.likes });
                }
                CallbackAnswer::allow()
            }
            Callback::AfterSendMsg(m) => {
                self.on_delivered(m);
                CallbackAnswer::allow()
            }
            Callback::AfterNewMemberJoin(j) => {
                let at = if j.event_time > 0 { j.event_time } else { now_ms() };
                for m in j.new_member_list {
                    self.emit(RoomEvent::MemberJoined(MemberLine { user_id: m.member_account, at }));
                }
                CallbackAnswer::allow()
            }
            Callback::AfterMemberExit(x) => {
                let at = if x.event_time > 0 { x.event_time } else { now_ms() };
                for m in x.exit_member_list {
                    self.emit(RoomEvent::MemberLeft(MemberLine { user_id: m.member_account, at }));
                }
                CallbackAnswer::allow()
            }
            _ => CallbackAnswer::allow(),
        }
    }

    fn on_delivered(&mut self, m: MsgCallback) {
        if m.from_account == self.admin {
            return;
        }
        let at = m.msg_time.map(|t| t * 1000).filter(|t| *t > 0).unwrap_or(m.event_time);
        let id = match m.msg_seq {
            Some(seq) => seq.to_string(),
            None => format!("r{}-{}", m.random, m.event_time),
        };
        if let Some(text) = body_text(&m.msg_body) {
            self.emit(RoomEvent::Chat(ChatLine { id, user_id: m.from_account, text, at }));
        } else if let Some(RoomMessage::Gift { gift_id, gift_name, count, unit_price, .. }) =
            RoomMessage::from_body(&m.msg_body)
        {
            self.emit(RoomEvent::Gift(GiftLine {
                id,
                user_id: m.from_account,
                gift_id,
                gift_name,
                count,
                unit_price,
                at,
            }));
        }
    }
}
