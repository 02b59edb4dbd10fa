//! The room actor: one task owns a room's state; [`RoomHandle`] is the cloneable way in.
//!
//! Tencent's before-callbacks are decided on the caller's thread from the current [`Policy`]
//! snapshot ([`RoomHandle::decide`]), never waiting on the actor, the disk or the network; the decided
//! callback is then passed to the actor without waiting (if the actor is saturated the observation is
//! counted as lost, and the answer still goes out). The actor applies observations and commands to its
//! state, publishes a new policy when the blocklist or word list changes, hands writes to the store's
//! write-behind thread, and emits every change as a [`RoomEvent`] with the next sequence number.
//! Commands that call Tencent (status, mute, kick, ban, approving a held message) run their REST calls
//! on spawned tasks that report back as completions, so a slow REST call never delays anything else.
//! Moderation calls on the same target (a viewer, the room's mute-all, a message) run one at a time, in
//! the order the actor received them ([`Lanes`]): two moderators muting one viewer at once would
//! otherwise reach Tencent in one order and come back in the other, leaving Tencent's mute different
//! from what the room and the audit log say was done last.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use im::api::{AppDefinedData, CreateGroup, ModifyGroupBaseInfo, SendGroupMsg};
use im::callback::{Callback, CallbackAnswer, MsgCallback};
use im::clock::{now_ms, now_secs};
use im::msg::body_text;
use im::{ErrorKind, GroupHandle, ImClient, MsgElement, MsgPriority};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot::error::TryRecvError;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::event::{
    AuditAction, AuditLine, BlockedLine, ChatLine, DropMinute, EventEnvelope, Feed, GiftLine, HeldLine, MemberLine,
    MuteLine, OnlineSample, Resume, RoomEvent, RoomSnapshot, Start, StatusSyncLine, StreamSession, Subscription,
};
use crate::message::RoomMessage;
use crate::ops;
pub use crate::ops::{LIKES_FIELD, STATUS_FIELD};
use crate::policy::{Decision, Policy};
pub use crate::policy::{KICKED_JOIN_CODE, WORD_REFUSED_CODE};
use crate::status::RoomStatus;
use crate::store::{self, AuditQuery, Reader, Store, StoredMute, StoredRoom, Writer};
use crate::strikes::{StrikeLadder, Strikes};
use crate::words::{WordFilter, WordRule};

const CHAT_KEPT: usize = 200;
const GIFTS_KEPT: usize = 100;
const MEMBERS_KEPT: usize = 50;
const FILTERED_KEPT: usize = 100;
const AUDIT_KEPT: usize = 500;
const EVENT_BUFFER: usize = 8192;
/// Events kept for consoles that resume after a gap (a reconnect, or falling behind `EVENT_BUFFER`).
const REPLAY_KEPT: usize = 16_384;
/// Online-count readings kept (an hour at the default poll).
const ONLINE_KEPT: usize = 720;
/// The online count is pushed into the room when it moved by this fraction (or by 2, whichever is more)…
const ONLINE_PUSH_CHANGE: f64 = 0.05;
/// …or when it moved at all and this long has passed since the last push.
const ONLINE_PUSH_QUIET: Duration = Duration::from_secs(60);
/// Minutes of drop accounting kept.
const DROP_MINUTES: usize = 60;
/// A message whose after-send callback has not come this long after its before-send was dropped.
const DROP_AFTER: Duration = Duration::from_secs(10);
/// How often unanswered before-sends are counted as drops.
const DROP_SWEEP: Duration = Duration::from_secs(2);
/// Observations and commands waiting for the actor; past this the hub is overloaded.
const QUEUE: usize = 65_536;

#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// The group's name when the room is created (≤ 30 bytes).
    pub name: String,
    /// The SQLite file; `None` uses a temporary file removed with the room (tests).
    pub db_path: Option<PathBuf>,
    /// How often the online count is polled. Tencent's count has a 10 s granularity; polling at half
    /// that (one call in 5 s) keeps the shown count at most one refresh behind whatever the phase
    /// between the poll and Tencent's refresh, where polling exactly every 10 s can miss one.
    pub online_poll: Duration,
    /// How often the like total is written to the group field (only when it changed); the guide says
    /// every 3–5 s.
    pub likes_flush: Duration,
    /// When overloaded, allow callbacks (Tencent's own default) or refuse them.
    pub fail_open: bool,
    /// How long Tencent mutes someone muted "until the end of this stream"; the room lifts it when the
    /// stream ends, and this bounds it if the room is not running then.
    pub end_of_stream_mute: u32,
}

impl Default for RoomConfig {
    fn default() -> Self {
        Self {
            name: "AnchorDesk live room".into(),
            db_path: None,
            online_poll: Duration::from_secs(5),
            likes_flush: Duration::from_secs(4),
            fail_open: true,
            end_of_stream_mute: 24 * 3600,
        }
    }
}

/// A moderation action, as consoles ask for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ModAction {
    /// `seconds`: 0 unmutes, 4294967295 is permanent; `until_end_of_stream` lifts it when the stream ends.
    Mute {
        user_id: String,
        seconds: u32,
        #[serde(default)]
        until_end_of_stream: bool,
        #[serde(default)]
        reason: String,
    },
    Unmute {
        user_id: String,
        #[serde(default)]
        reason: String,
    },
    /// Told to leave (High-priority message) and refused at the door from now on.
    Kick {
        user_id: String,
        #[serde(default)]
        reason: String,
    },
    /// Lifts a kick's blocklisting.
    Unblock {
        user_id: String,
    },
    /// Tencent's native ban when the edition allows it, else kick + a blocklisting that ends.
    Ban {
        user_id: String,
        seconds: u32,
        #[serde(default)]
        reason: String,
    },
    Unban {
        user_id: String,
    },
    /// Hides a delivered message on every client (a High `live_hide` message): AVChatRoom messages
    /// cannot be recalled. `msg_id` is the chat line's id (Tencent's `MsgSeq`).
    Hide {
        msg_id: String,
        #[serde(default)]
        reason: String,
    },
    /// Everyone but the owner and admins muted (`on`) or not; clients disable input.
    MuteAll {
        on: bool,
        #[serde(default)]
        reason: String,
    },
    /// A strike: the next step of the room's strike ladder for this viewer.
    Strike {
        user_id: String,
        #[serde(default)]
        reason: String,
    },
}

impl ModAction {
    fn user_id(&self) -> Option<&str> {
        match self {
            ModAction::Mute { user_id, .. }
            | ModAction::Unmute { user_id, .. }
            | ModAction::Kick { user_id, .. }
            | ModAction::Unblock { user_id }
            | ModAction::Ban { user_id, .. }
            | ModAction::Unban { user_id }
            | ModAction::Strike { user_id, .. } => Some(user_id),
            ModAction::Hide { .. } | ModAction::MuteAll { .. } => None,
        }
    }
}

/// What a finished REST call changes in the room.
enum Effect {
    Muted { user: String, until: Option<u64>, end_of_stream: bool, reason: String, secs: u32 },
    Banned { user: String, until: u64, reason: String, secs: u32, native: bool },
    Unbanned { user: String },
    MutedAll { on: bool, reason: String },
    Hidden { msg_id: String, reason: String },
}

enum Command {
    Subscribe(Option<Resume>, oneshot::Sender<Subscription>),
    Observed(Box<Callback>, Decision),
    SetStatus(RoomStatus, String, oneshot::Sender<Result<()>>),
    /// An attempt at putting a status on Tencent finished: whether the group field is written, and the
    /// result.
    StatusSynced(RoomStatus, bool, Result<()>),
    RetryStatus,
    Moderate(String, ModAction, oneshot::Sender<Result<()>>),
    /// A moderation call finished; `Option<u64>` is the audit line it undoes.
    Applied(String, AuditAction, Option<u64>, Result<Effect>, oneshot::Sender<Result<()>>),
    SetWords(Vec<WordRule>, Arc<WordFilter>, String, oneshot::Sender<Result<()>>),
    SetNotice(Option<String>, Option<String>, String, oneshot::Sender<Result<()>>),
    NoticeApplied(String, String, String, Result<()>, oneshot::Sender<Result<()>>),
    Resolve(u64, bool, String, oneshot::Sender<Result<()>>),
    HeldSent(u64, String, Result<()>, oneshot::Sender<Result<()>>),
    Undo(u64, String, oneshot::Sender<Result<()>>),
    Words(oneshot::Sender<Vec<WordRule>>),
    LotteryOpen(String, String, oneshot::Sender<Result<()>>),
    LotteryClose(String, oneshot::Sender<Result<()>>),
    LotteryDraw(u32, Option<u64>, String, oneshot::Sender<Result<Vec<String>>>),
    Broadcast(String, String, oneshot::Sender<Result<()>>),
    BroadcastDone(String, String, Result<bool>, oneshot::Sender<Result<()>>),
    /// The live part of a user card.
    UserState(String, oneshot::Sender<UserState>),
    SetLadder(StrikeLadder, String, oneshot::Sender<Result<()>>),
    Ladder(oneshot::Sender<StrikeLadder>),
    /// An audit line about the hub's access (invites, joins, revocations, refusals): actor, action,
    /// target, detail.
    Access(String, AuditAction, String, String, oneshot::Sender<()>),
    /// The stream desk's news: health or a go-live step.
    Stream(RoomEvent),
    Status(oneshot::Sender<RoomStatus>),
    Online(u64),
    FlushLikes,
    LikesWritten(u64),
    SweepDrops,
    Done,
}

/// What the room knows of a viewer right now (the rest of a user card is in the store).
struct UserState {
    muted_until: Option<u64>,
    blocked_until: Option<u64>,
    strikes: u32,
    stream_since: Option<u64>,
}

/// The settings key of the strike ladder.
const LADDER_KEY: &str = "strike_ladder";
/// The settings key of a status not yet on Tencent (empty when there is none).
const STATUS_PENDING_KEY: &str = "status_pending";
/// The first wait before retrying a status sync; it doubles per attempt up to `STATUS_RETRY_MAX`.
const STATUS_RETRY_FIRST: Duration = Duration::from_millis(500);
const STATUS_RETRY_MAX: Duration = Duration::from_secs(30);

/// A status change on its way to Tencent.
struct StatusSync {
    to: RoomStatus,
    /// The group field holds `to` already; only the announcement is left.
    field_done: bool,
    attempts: u32,
    /// Why the last attempt failed.
    error: Option<String>,
    /// An attempt is under way.
    running: bool,
    /// Callers waiting for the first attempt.
    waiters: Vec<oneshot::Sender<Result<()>>>,
}

/// Counters about the callback path itself.
#[derive(Debug, Default)]
pub struct CallbackStats {
    /// Callbacks decided.
    pub decided: AtomicU64,
    /// Observations the actor never saw because its queue was full.
    pub lost: AtomicU64,
}

/// A cloneable handle to a running room.
#[derive(Clone)]
pub struct RoomHandle {
    tx: mpsc::Sender<Command>,
    policy: Arc<ArcSwap<Policy>>,
    group_id: String,
    reader: Reader,
    writer: Writer,
    stats: Arc<CallbackStats>,
    gifts: crate::gifts::Merger,
    /// Keeps a temporary database alive while any handle is.
    _temp: Option<Arc<store::TempDb>>,
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
        let (path, temp) = store::database_path(config.db_path.as_deref())?;
        let store = Store::open(&path)?;
        let mut profile = (String::new(), String::new());
        // A status change that had not reached Tencent when the hub stopped: ours is the truth.
        let pending = store.setting(STATUS_PENDING_KEY)?.and_then(|s| RoomStatus::parse(&s));
        let mut muted_all = false;
        let stored = match store.room()? {
            Some(room) => match im.group(&room.group_id).info().await {
                Ok(info) => {
                    profile = (info.notification.clone(), info.introduction.clone());
                    muted_all = info.mute_all_member == "On";
                    let remote = info.app_defined(STATUS_FIELD).and_then(RoomStatus::parse);
                    let mut room = room;
                    if let Some(status) = remote.filter(|s| *s != room.status && pending.is_none()) {
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
        let words = store.words()?;
        let filter = Arc::new(WordFilter::new(words.clone()).map_err(Error::Invalid)?);
        let blocked: HashMap<String, u64> = store.blocklist_until(now)?.into_iter().collect();
        let mutes: BTreeMap<String, StoredMute> =
            store.mutes_in_force(now)?.into_iter().map(|m| (m.user_id.clone(), m)).collect();
        let mut held = BTreeMap::new();
        for (line, body) in store.held()? {
            let body: Vec<MsgElement> = serde_json::from_str(&body).unwrap_or_default();
            held.insert(line.id, (line, body));
        }
        let (max_audit, max_held) = store.max_ids()?;
        let audit: VecDeque<AuditLine> = store.recent_audit(AUDIT_KEPT)?.into();
        let ladder = match store.setting(LADDER_KEY)? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the saved strike ladder is unreadable; using the default");
                StrikeLadder::default()
            }),
            None => StrikeLadder::default(),
        };
        let strikes = Strikes::load(store.strikes_since(now.saturating_sub(ladder.window_secs))?);
        let session = store.last_session()?;

        let mut policy = Policy::new(stored.group_id.clone(), im.identifier().to_string());
        policy.words = filter.clone();
        policy.fail_open = config.fail_open;
        policy.blocked = blocked.clone();
        let policy = Arc::new(ArcSwap::from_pointee(policy));

        let writer = Writer::start(store);
        let reader = Reader::open(&path)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let actor = Actor {
            group: im.group(&stored.group_id),
            admin: im.identifier().to_string(),
            name: stored.name.clone(),
            status: stored.status,
            sync: pending.map(|to| StatusSync {
                to,
                field_done: false,
                attempts: 0,
                error: None,
                running: false,
                waiters: Vec::new(),
            }),
            likes: stored.likes,
            likes_written: None,
            online: 0,
            chat: VecDeque::new(),
            gifts: VecDeque::new(),
            members: VecDeque::new(),
            filtered: VecDeque::new(),
            notice: profile.0,
            introduction: profile.1,
            notices_in_flight: Vec::new(),
            online_history: VecDeque::new(),
            online_pushed: None,
            logins: HashMap::new(),
            popularity: 0,
            popularity_sent: 0,
            lottery: None,
            lottery_dirty: false,
            muted_all,
            stream_health: None,
            go_live: None,
            ladder,
            strikes,
            session,
            session_dirty: false,
            in_flight: HashMap::new(),
            drops: VecDeque::new(),
            drops_changed: Vec::new(),
            mutes,
            blocked,
            words,
            filter,
            held,
            next_held: max_held + 1,
            audit,
            next_audit: max_audit + 1,
            undoing: Default::default(),
            lanes: Lanes::default(),
            seq: 0,
            epoch: now_ms(),
            recent: VecDeque::new(),
            events,
            policy: policy.clone(),
            writer: writer.clone(),
            config: config.clone(),
            tx: tx.downgrade(),
        };
        let (gift_out, gift_in) = mpsc::channel(1024);
        let handle = RoomHandle {
            tx: tx.clone(),
            policy,
            group_id: stored.group_id.clone(),
            reader,
            writer,
            stats: Arc::new(CallbackStats::default()),
            gifts: crate::gifts::Merger::start(gift_out, cancel.clone()),
            _temp: temp,
        };
        tokio::spawn(post_gifts(im.group(&stored.group_id), gift_in));
        tokio::spawn(actor.run(rx, cancel.clone()));
        tokio::spawn(poll_online(im.group(&stored.group_id), tx.clone(), config.online_poll, cancel.clone()));
        tokio::spawn(tick(tx.clone(), config.likes_flush, || Command::FlushLikes, cancel.clone()));
        if pending.is_some() {
            let _ = tx.try_send(Command::RetryStatus);
        }
        tokio::spawn(tick(tx, DROP_SWEEP, || Command::SweepDrops, cancel));
        Ok(handle)
    }
}

async fn tick(tx: mpsc::Sender<Command>, every: Duration, make: fn() -> Command, cancel: CancellationToken) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = interval.tick() => {}
        }
        if tx.send(make()).await.is_err() {
            return;
        }
    }
}

async fn poll_online(group: GroupHandle, tx: mpsc::Sender<Command>, every: Duration, cancel: CancellationToken) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = interval.tick() => {}
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

/// Posts merged gift messages as their senders, High priority (the ceiling must not drop them). The
/// room's feed gets them back through the after-send callback, like every viewer does.
async fn post_gifts(group: GroupHandle, mut gifts: mpsc::Receiver<(String, RoomMessage)>) {
    while let Some((user, msg)) = gifts.recv().await {
        if let Err(e) = group.send(msg.to_body(), msg.priority(), Some(user.clone())).await {
            tracing::error!(%user, error = %e, advice = e.advice(), "a billed gift could not be posted to the room");
        }
    }
}

/// The console's own name in the audit log when no other actor is given.
pub const ANCHOR: &str = "anchor";
/// The actor of strikes the word filter gives.
pub const FILTER: &str = "word filter";

impl RoomHandle {
    pub fn group_id(&self) -> &str {
        &self.group_id
    }

    pub fn stats(&self) -> &CallbackStats {
        &self.stats
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// The room's current state, and every event after it.
    pub async fn subscribe(&self) -> Result<(RoomSnapshot, broadcast::Receiver<EventEnvelope>)> {
        let sub = self.resume(None).await?;
        match sub.start {
            Start::Snapshot(snapshot) => Ok((*snapshot, sub.rx)),
            Start::Replay(_) => unreachable!("a subscription without a resume point starts from a snapshot"),
        }
    }

    /// Subscribes from where a console left off: the events after `from` when the room still has them
    /// all (same run, within the last 16,384 events), else a fresh snapshot.
    pub async fn resume(&self, from: Option<Resume>) -> Result<Subscription> {
        self.ask(|r| Command::Subscribe(from, r)).await
    }

    /// Feeds a console until `sink` refuses (it went away) or the room closes: a snapshot or the replay
    /// after `from`, then batches of at most `max` events. A console that falls behind the room's
    /// buffer is resumed from the last event it got, so it sees no gap and no repeat.
    pub async fn follow(&self, from: Option<Resume>, max: usize, mut sink: impl FnMut(Feed) -> bool) -> Result<()> {
        let mut from = from;
        loop {
            let sub = self.resume(from).await?;
            let mut last = match sub.start {
                Start::Snapshot(snapshot) => {
                    let seq = snapshot.seq;
                    if !sink(Feed::Snapshot { snapshot }) {
                        return Ok(());
                    }
                    seq
                }
                Start::Replay(events) => {
                    let seq = events.last().map_or(from.map_or(0, |r| r.seq), |e| e.seq);
                    if !events.is_empty() && !sink(Feed::Events { events }) {
                        return Ok(());
                    }
                    seq
                }
            };
            let forwarded = crate::event::forward_batches(sub.rx, max, |events| {
                last = events.last().map_or(last, |e| e.seq);
                sink(Feed::Events { events })
            })
            .await;
            match forwarded {
                Ok(()) => return Ok(()),
                Err(missed) => {
                    tracing::warn!(missed, "a console fell behind the room; resuming it from its last event");
                    from = Some(Resume { epoch: sub.epoch, seq: last });
                }
            }
        }
    }

    /// Decides a callback at once from the current policy, and passes it on to the room without waiting.
    pub fn decide(&self, callback: Callback) -> CallbackAnswer {
        let policy = self.policy.load();
        let (answer, decision) = policy.decide(&callback);
        self.stats.decided.fetch_add(1, Ordering::Relaxed);
        if self.tx.try_send(Command::Observed(Box::new(callback), decision)).is_err() {
            self.stats.lost.fetch_add(1, Ordering::Relaxed);
        }
        answer
    }

    /// The answer when the hub cannot decide in time (its configured fail-open or fail-closed policy).
    pub fn overloaded(&self) -> CallbackAnswer {
        self.policy.load().overloaded()
    }

    pub async fn set_status(&self, status: RoomStatus) -> Result<()> {
        self.set_status_as(ANCHOR, status).await
    }

    pub async fn set_status_as(&self, actor: &str, status: RoomStatus) -> Result<()> {
        self.ask(|r| Command::SetStatus(status, actor.to_string(), r)).await?
    }

    pub async fn moderate(&self, actor: &str, action: ModAction) -> Result<()> {
        if let Some(user) = action.user_id() {
            validate_user_id(user)?;
        }
        self.ask(|r| Command::Moderate(actor.to_string(), action, r)).await?
    }

    /// Mutes `user_id` for `seconds` (0 unmutes, `u32::MAX` is permanent).
    pub async fn mute(&self, user_id: &str, seconds: u32) -> Result<()> {
        let action = if seconds == 0 {
            ModAction::Unmute { user_id: user_id.into(), reason: String::new() }
        } else {
            ModAction::Mute { user_id: user_id.into(), seconds, until_end_of_stream: false, reason: String::new() }
        };
        self.moderate(ANCHOR, action).await
    }

    /// Kicks `user_id`: blocklisted at once (rejoins are refused), then told to leave by a High message.
    pub async fn kick(&self, user_id: &str) -> Result<()> {
        self.moderate(ANCHOR, ModAction::Kick { user_id: user_id.into(), reason: String::new() }).await
    }

    /// Replaces the word list (compiled off the actor; 50,000 rules take well under a second).
    pub async fn set_words(&self, actor: &str, rules: Vec<WordRule>) -> Result<()> {
        let compiled = rules.clone();
        let filter = tokio::task::spawn_blocking(move || WordFilter::new(compiled))
            .await
            .map_err(|_| Error::Closed)?
            .map_err(Error::Invalid)?;
        self.ask(|r| Command::SetWords(rules, Arc::new(filter), actor.to_string(), r)).await?
    }

    /// Changes the room notice and/or introduction (`None` keeps one as it is), checked against
    /// Tencent's byte limits (notice 300, introduction 240; a CJK character is 3 bytes), written to the
    /// group profile and announced.
    pub async fn set_notice(&self, actor: &str, notice: Option<String>, introduction: Option<String>) -> Result<()> {
        use im::api::limits::{INTRODUCTION_BYTES, NOTIFICATION_BYTES};
        for (what, text, max) in
            [("notice", &notice, NOTIFICATION_BYTES), ("introduction", &introduction, INTRODUCTION_BYTES)]
        {
            if let Some(t) = text.as_ref().filter(|t| t.len() > max) {
                return Err(Error::Invalid(format!(
                    "the {what} is {} bytes; Tencent allows {max} (a Chinese, Japanese or Korean character counts 3)",
                    t.len()
                )));
            }
        }
        self.ask(|r| Command::SetNotice(notice, introduction, actor.to_string(), r)).await?
    }

    pub async fn words(&self) -> Result<Vec<WordRule>> {
        self.ask(Command::Words).await
    }

    /// Approves a held message (re-sent as its sender, without passing the filter again) or rejects it.
    pub async fn resolve_held(&self, actor: &str, id: u64, approve: bool) -> Result<()> {
        self.ask(|r| Command::Resolve(id, approve, actor.to_string(), r)).await?
    }

    /// Undoes an audited action where that is possible (mute, kick, ban).
    pub async fn undo(&self, actor: &str, audit_id: u64) -> Result<()> {
        self.ask(|r| Command::Undo(audit_id, actor.to_string(), r)).await?
    }

    /// Searches the audit log (newest first).
    pub async fn audit(&self, query: AuditQuery) -> Result<Vec<AuditLine>> {
        self.writer.flush().await;
        self.reader.query(move |c| store::query_audit(c, &query)).await
    }

    /// Takes a billed gift from the billing backend; merged per the guide's rule and posted to the room.
    pub async fn gift(&self, order: crate::gifts::GiftOrder) -> Result<()> {
        self.gifts.submit(order).await
    }

    /// Everything about one viewer: counters and level, the note, their messages (this stream and
    /// before), the actions taken against them, and whether they are muted or blocked now.
    pub async fn user_card(&self, user_id: &str) -> Result<crate::event::UserCard> {
        validate_user_id(user_id)?;
        let state = self.ask(|r| Command::UserState(user_id.to_string(), r)).await?;
        self.writer.flush().await;
        let user = user_id.to_string();
        let mut card = self.reader.query(move |c| store::user_card(c, &user, state.stream_since)).await?;
        card.muted_until = state.muted_until;
        card.blocked_until = state.blocked_until;
        card.strikes = state.strikes;
        Ok(card)
    }

    /// The room's strike ladder.
    pub async fn strike_ladder(&self) -> Result<StrikeLadder> {
        self.ask(Command::Ladder).await
    }

    /// Replaces the room's strike ladder (checked first; the error says what to fix).
    pub async fn set_strike_ladder(&self, actor: &str, ladder: StrikeLadder) -> Result<()> {
        ladder.validate().map_err(Error::Invalid)?;
        self.ask(|r| Command::SetLadder(ladder, actor.to_string(), r)).await?
    }

    /// Audits something the hub's access control did (an invite, a join, a revocation, a refused
    /// command): recorded and sent to every console like any other line. Other actions are refused, so
    /// the room's own actions stay audited only by the room.
    pub async fn audit_access(&self, actor: &str, action: AuditAction, target: &str, detail: &str) -> Result<()> {
        if !matches!(action, AuditAction::Invite | AuditAction::Join | AuditAction::Revoke | AuditAction::Refused) {
            return Err(Error::Invalid(format!("{} is not an access action", action.as_str())));
        }
        let (actor, target, detail) = (actor.to_string(), target.to_string(), detail.to_string());
        self.ask(|r| Command::Access(actor, action, target, detail, r)).await
    }

    /// Reports the stream's health to every console (kept for the snapshot).
    pub async fn report_stream_health(&self, health: crate::event::StreamHealth) -> Result<()> {
        self.tx.send(Command::Stream(RoomEvent::StreamHealth(health))).await.map_err(|_| Error::Closed)
    }

    /// Reports a go-live step to every console.
    pub async fn report_go_live(&self, progress: crate::event::GoLiveProgress) -> Result<()> {
        self.tx.send(Command::Stream(RoomEvent::GoLive(progress))).await.map_err(|_| Error::Closed)
    }

    /// The room's status now.
    pub async fn status(&self) -> Result<RoomStatus> {
        self.ask(Command::Status).await
    }

    /// The latest `limit` streams, newest first.
    pub async fn sessions(&self, limit: usize) -> Result<Vec<StreamSession>> {
        self.writer.flush().await;
        self.reader.query(move |c| store::sessions(c, limit.max(1))).await
    }

    /// Opens a keyword lottery: viewers who send `keyword` enter (once each).
    pub async fn lottery_open(&self, actor: &str, keyword: &str) -> Result<()> {
        self.ask(|r| Command::LotteryOpen(keyword.to_string(), actor.to_string(), r)).await?
    }

    pub async fn lottery_close(&self, actor: &str) -> Result<()> {
        self.ask(|r| Command::LotteryClose(actor.to_string(), r)).await?
    }

    /// Draws up to `winners` (closing the lottery); with `seed` the draw can be repeated exactly. The
    /// seed used is in the audit log.
    pub async fn lottery_draw(&self, actor: &str, winners: u32, seed: Option<u64>) -> Result<Vec<String>> {
        self.ask(|r| Command::LotteryDraw(winners, seed, actor.to_string(), r)).await?
    }

    /// Sends `text` to every room of the app (natively when the edition allows, else to this room).
    pub async fn broadcast(&self, actor: &str, text: &str) -> Result<()> {
        if text.trim().is_empty() || text.len() > 4000 {
            return Err(Error::Invalid("a broadcast is 1 to 4000 bytes of text".into()));
        }
        self.ask(|r| Command::Broadcast(text.to_string(), actor.to_string(), r)).await?
    }

    /// Keeps a moderator's note about a viewer.
    pub async fn set_note(&self, user_id: &str, note: &str) -> Result<()> {
        validate_user_id(user_id)?;
        if note.len() > 2000 {
            return Err(Error::Invalid(format!("a note holds at most 2000 bytes; this one is {}", note.len())));
        }
        let (user, note) = (user_id.to_string(), note.to_string());
        self.writer.write("note", move |s| s.set_note(&user, &note));
        self.writer.flush().await;
        Ok(())
    }

    /// Waits until everything the room has decided so far is on disk.
    pub async fn flush(&self) {
        self.writer.flush().await;
    }
}

/// The lane of the room's mute-all (user IDs cannot contain a space).
const MUTE_ALL_LANE: &str = "room mute-all";

/// Per target, the end of the last moderation call started on it: the next one waits for it.
#[derive(Default)]
struct Lanes(HashMap<String, oneshot::Receiver<()>>);

impl Lanes {
    /// Takes a place at the end of `target`'s lane: what to wait for first (the call before, if one
    /// is still under way), and what to drop once this call's result is queued for the actor.
    fn enter(&mut self, target: &str) -> (Option<oneshot::Receiver<()>>, oneshot::Sender<()>) {
        // Lanes whose last call has finished are forgotten, so this stays as small as the calls under way.
        self.0.retain(|_, last| matches!(last.try_recv(), Err(TryRecvError::Empty)));
        let (finished, next) = oneshot::channel();
        (self.0.insert(target.to_string(), next), finished)
    }
}

struct Actor {
    writer: Writer,
    group: GroupHandle,
    admin: String,
    name: String,
    config: RoomConfig,
    status: RoomStatus,
    /// A status change not yet (fully) on Tencent.
    sync: Option<StatusSync>,
    likes: u64,
    /// The like total last written to the group field (or being written).
    likes_written: Option<u64>,
    online: u64,
    chat: VecDeque<ChatLine>,
    gifts: VecDeque<GiftLine>,
    members: VecDeque<MemberLine>,
    filtered: VecDeque<BlockedLine>,
    notice: String,
    introduction: String,
    /// Notice changes of ours under way: their profile-change callback may come before they finish.
    notices_in_flight: Vec<(String, String)>,
    online_history: VecDeque<OnlineSample>,
    /// The count last pushed into the room, and when.
    online_pushed: Option<(u64, std::time::Instant)>,
    /// When each viewer logged in (State.StateChange), for their time online.
    logins: HashMap<String, u64>,
    popularity: u64,
    /// The popularity last reported to consoles.
    popularity_sent: u64,
    lottery: Option<crate::lottery::Lottery>,
    /// Entries came in since the lottery was last reported.
    lottery_dirty: bool,
    muted_all: bool,
    stream_health: Option<crate::event::StreamHealth>,
    go_live: Option<crate::event::GoLiveProgress>,
    ladder: StrikeLadder,
    strikes: Strikes,
    /// The stream going on (`ended_at` is `None`), or the last one.
    session: Option<StreamSession>,
    /// The session's counters changed since they were last saved and reported.
    session_dirty: bool,
    /// Messages past the before-send callback, waiting for their after-send: `(sender, Random)` →
    /// (priority, the minute it was sent, when).
    in_flight: HashMap<(String, u32), (MsgPriority, u64, std::time::Instant)>,
    drops: VecDeque<DropMinute>,
    /// Minutes whose counts changed since the last sweep.
    drops_changed: Vec<u64>,
    mutes: BTreeMap<String, StoredMute>,
    /// Kicked (`u64::MAX`) or banned-by-fallback users, with when their blocklisting ends.
    blocked: HashMap<String, u64>,
    words: Vec<WordRule>,
    filter: Arc<WordFilter>,
    held: BTreeMap<u64, (HeldLine, Vec<MsgElement>)>,
    next_held: u64,
    audit: VecDeque<AuditLine>,
    next_audit: u64,
    /// Audit lines whose undo is under way.
    undoing: std::collections::HashSet<u64>,
    /// Moderation calls under way, per target: the next one on a target waits for the last.
    lanes: Lanes,
    seq: u64,
    /// This run's identity (see [`RoomSnapshot::epoch`]).
    epoch: u64,
    /// The last [`REPLAY_KEPT`] events, for resuming consoles.
    recent: VecDeque<EventEnvelope>,
    events: broadcast::Sender<EventEnvelope>,
    policy: Arc<ArcSwap<Policy>>,
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
        if self.session_dirty {
            self.save_session();
        }
        self.writer.flush().await;
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
            RoomEvent::Blocked(line) => push_capped(&mut self.filtered, line.clone(), FILTERED_KEPT),
            RoomEvent::Audit(line) => match self.audit.iter_mut().find(|l| l.id == line.id) {
                Some(existing) => *existing = line.clone(),
                None => push_capped(&mut self.audit, line.clone(), AUDIT_KEPT),
            },
            _ => {}
        }
        let envelope = EventEnvelope { seq: self.seq, event };
        push_capped(&mut self.recent, envelope.clone(), REPLAY_KEPT);
        // No receivers is fine: nobody is watching yet.
        let _ = self.events.send(envelope);
    }

    /// Makes the callback path see the current blocklist and word list.
    fn publish_policy(&self) {
        let now = now_secs();
        let mut policy = Policy::new(self.group.id().to_string(), self.admin.clone());
        policy.blocked = self.blocked.iter().filter(|(_, until)| **until > now).map(|(u, t)| (u.clone(), *t)).collect();
        policy.words = self.filter.clone();
        policy.fail_open = self.config.fail_open;
        self.policy.store(Arc::new(policy));
    }

    /// Records an audit line; returns its id.
    fn audit(
        &mut self,
        actor: &str,
        action: AuditAction,
        target: &str,
        detail: String,
        reason: &str,
        duration: Option<u64>,
    ) -> u64 {
        let line = AuditLine {
            id: self.next_audit,
            at: now_ms(),
            actor: actor.to_string(),
            action,
            target: target.to_string(),
            detail,
            reason: reason.to_string(),
            duration,
            undone_by: None,
        };
        self.next_audit += 1;
        let id = line.id;
        let saved = line.clone();
        self.writer.write("audit", move |s| s.save_audit(&saved));
        self.emit(RoomEvent::Audit(line));
        id
    }

    /// Marks audit line `id` as undone by line `by`, and tells every console (the line is re-sent).
    fn mark_undone(&mut self, id: u64, by: u64) {
        if let Some(l) = self.audit.iter_mut().find(|l| l.id == id) {
            l.undone_by = Some(by);
            let line = l.clone();
            let saved = line.clone();
            self.writer.write("audit undo", move |s| s.save_audit(&saved));
            self.emit(RoomEvent::Audit(line));
        }
    }

    fn snapshot(&self) -> RoomSnapshot {
        let now = now_secs();
        RoomSnapshot {
            epoch: self.epoch,
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
                .mutes
                .values()
                .filter(|m| m.until > now)
                .map(|m| MuteLine { user_id: m.user_id.clone(), until: m.until })
                .collect(),
            blocked: {
                let mut b: Vec<String> =
                    self.blocked.iter().filter(|(_, until)| **until > now).map(|(u, _)| u.clone()).collect();
                b.sort();
                b
            },
            held: self.held.values().map(|(line, _)| line.clone()).collect(),
            filtered: self.filtered.iter().cloned().collect(),
            audit: self.audit.iter().rev().take(100).rev().cloned().collect(),
            words: self.filter.len() as u32,
            drops: self.drops.iter().copied().collect(),
            notice: self.notice.clone(),
            introduction: self.introduction.clone(),
            online_history: self.online_history.iter().copied().collect(),
            popularity: self.popularity,
            lottery: self.lottery.as_ref().map(|l| l.line()),
            muted_all: self.muted_all,
            stream_health: self.stream_health.clone(),
            go_live: self.go_live.clone(),
            status_sync: self.sync.as_ref().map(|s| StatusSyncLine {
                status: s.to,
                synced: false,
                error: s.error.clone(),
                attempts: s.attempts,
            }),
            strike_ladder: self.ladder.clone(),
            session: self.session.clone(),
        }
    }

    fn announce_lottery(&self, state: &str) {
        let Some(l) = &self.lottery else { return };
        let line = l.line();
        let msg = RoomMessage::Lottery {
            version: crate::message::VERSION,
            state: state.into(),
            keyword: line.keyword,
            winners: line.winners,
        };
        let group = self.group.clone();
        self.spawn_then(
            async move {
                if let Err(e) = group.send_control(msg.to_body(), msg.priority()).await {
                    tracing::warn!(error = %e, "the lottery announcement was not delivered");
                }
            },
            |()| Command::Done,
        );
    }

    fn lottery_changed(&mut self) {
        if let Some(l) = &self.lottery {
            let line = l.line();
            self.emit(RoomEvent::Lottery(line));
        }
    }

    /// Pushes the online count into the room when the change is worth the traffic: a move of 5% (at
    /// least 2), or any move after a quiet minute — not on a fixed timer.
    fn maybe_push_online(&mut self, n: u64) {
        let due = match self.online_pushed {
            None => true,
            Some((last, at)) => {
                let moved = n.abs_diff(last);
                let big = (last as f64 * ONLINE_PUSH_CHANGE).max(2.0);
                moved as f64 >= big || (moved > 0 && at.elapsed() >= ONLINE_PUSH_QUIET)
            }
        };
        if !due {
            return;
        }
        self.online_pushed = Some((n, std::time::Instant::now()));
        let group = self.group.clone();
        self.spawn_then(
            async move {
                let msg = RoomMessage::online(n);
                if let Err(e) = group.send_control(msg.to_body(), msg.priority()).await {
                    tracing::debug!(error = %e, "the online count was not pushed (the next one corrects it)");
                }
            },
            |()| Command::Done,
        );
    }

    /// The counts of `minute` (unix ms of its start) for `priority`, created when first needed.
    fn drop_count(&mut self, minute: u64, priority: MsgPriority) -> Option<&mut crate::event::DropCount> {
        if !self.drops.iter().any(|d| d.at == minute) {
            if self.drops.back().is_some_and(|d| d.at > minute) {
                return None; // older than the newest minute and already gone
            }
            push_capped(&mut self.drops, DropMinute { at: minute, ..DropMinute::default() }, DROP_MINUTES);
        }
        if !self.drops_changed.contains(&minute) {
            self.drops_changed.push(minute);
        }
        let m = self.drops.iter_mut().find(|d| d.at == minute)?;
        Some(match priority {
            MsgPriority::High => &mut m.high,
            MsgPriority::Normal => &mut m.normal,
            MsgPriority::Low => &mut m.low,
        })
    }

    fn sent(&mut self, from: &str, random: u32, body: &[MsgElement]) {
        let priority = RoomMessage::from_body(body).map(|m| m.priority()).unwrap_or(MsgPriority::Normal);
        let minute = now_ms() / 60_000 * 60_000;
        if let Some(c) = self.drop_count(minute, priority) {
            c.sent += 1;
        }
        self.in_flight.insert((from.to_string(), random), (priority, minute, std::time::Instant::now()));
    }

    fn dropped(&mut self, key: &(String, u32)) {
        if let Some((priority, minute, _)) = self.in_flight.remove(key) {
            if let Some(c) = self.drop_count(minute, priority) {
                c.dropped += 1;
            }
        }
    }

    /// Counts before-sends that never got their after-send as dropped, and reports changed minutes.
    fn sweep_drops(&mut self) {
        let stale: Vec<(String, u32)> = self
            .in_flight
            .iter()
            .filter(|(_, (_, _, at))| at.elapsed() >= DROP_AFTER)
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            self.dropped(&key);
        }
        if std::mem::take(&mut self.lottery_dirty) {
            self.lottery_changed();
        }
        if self.session_dirty {
            self.save_session();
        }
        if self.popularity != self.popularity_sent {
            self.popularity_sent = self.popularity;
            self.emit(RoomEvent::Popularity { score: self.popularity });
        }
        for minute in std::mem::take(&mut self.drops_changed) {
            if let Some(m) = self.drops.iter().find(|d| d.at == minute).copied() {
                self.emit(RoomEvent::Drops(m));
            }
        }
    }

    /// Saves the stream session and tells consoles.
    fn save_session(&mut self) {
        self.session_dirty = false;
        if let Some(s) = self.session.clone() {
            let saved = s.clone();
            self.writer.write("stream session", move |st| st.save_session(&saved));
            self.emit(RoomEvent::Session(s));
        }
    }

    /// The stream going on, to count into (none between streams).
    fn live_session(&mut self) -> Option<&mut StreamSession> {
        let s = self.session.as_mut().filter(|s| s.ended_at.is_none())?;
        self.session_dirty = true;
        Some(s)
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
            Command::Subscribe(from, reply) => {
                let rx = self.events.subscribe();
                let oldest = self.recent.front().map_or(self.seq + 1, |e| e.seq);
                let start = match from {
                    // Same run, and nothing between their last event and our oldest kept one is missing.
                    Some(r) if r.epoch == self.epoch && r.seq <= self.seq && r.seq + 1 >= oldest => {
                        Start::Replay(self.recent.iter().filter(|e| e.seq > r.seq).cloned().collect())
                    }
                    _ => Start::Snapshot(Box::new(self.snapshot())),
                };
                let _ = reply.send(Subscription { epoch: self.epoch, start, rx });
            }
            Command::Observed(cb, decision) => self.observe(*cb, decision),
            Command::SetStatus(to, actor, reply) => self.set_status(to, actor, reply),
            Command::StatusSynced(to, field_done, result) => self.status_synced(to, field_done, result),
            Command::RetryStatus => {
                if self.sync.as_ref().is_some_and(|s| !s.running) {
                    self.start_sync();
                }
            }
            Command::Moderate(actor, action, reply) => self.moderate(actor, action, None, reply),
            Command::Applied(actor, action, undoes, result, reply) => {
                if let Some(id) = undoes {
                    self.undoing.remove(&id);
                }
                let result = result.map(|effect| {
                    let line = self.apply(&actor, action, effect);
                    if let Some(id) = undoes {
                        self.mark_undone(id, line);
                    }
                });
                let _ = reply.send(result);
            }
            Command::SetWords(rules, filter, actor, reply) => {
                let before = self.words.len();
                self.words = rules;
                self.filter = filter;
                self.publish_policy();
                let saved = self.words.clone();
                self.writer.write("word list", move |s| s.replace_words(&saved));
                let count = self.filter.len() as u32;
                self.emit(RoomEvent::Words { count });
                self.audit(&actor, AuditAction::Words, "word list", format!("{before} → {count} rules"), "", None);
                let _ = reply.send(Ok(()));
            }
            Command::Words(reply) => {
                let _ = reply.send(self.words.clone());
            }
            Command::LotteryOpen(keyword, actor, reply) => {
                if self.lottery.as_ref().is_some_and(|l| l.is_open()) {
                    let _ = reply.send(Err(Error::Invalid("a lottery is open already; close or draw it first".into())));
                    return;
                }
                match crate::lottery::Lottery::open(&keyword) {
                    Ok(l) => {
                        self.lottery = Some(l);
                        self.lottery_changed();
                        self.announce_lottery("open");
                        self.audit(
                            &actor,
                            AuditAction::Lottery,
                            "room",
                            format!("opened with keyword {keyword:?}"),
                            "",
                            None,
                        );
                        let _ = reply.send(Ok(()));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(Error::Invalid(e)));
                    }
                }
            }
            Command::LotteryClose(actor, reply) => {
                let Some(l) = self.lottery.as_mut().filter(|l| l.is_open()) else {
                    let _ = reply.send(Err(Error::Invalid("no lottery is open".into())));
                    return;
                };
                l.close();
                let entrants = l.line().entrants;
                self.lottery_changed();
                self.announce_lottery("closed");
                self.audit(&actor, AuditAction::Lottery, "room", format!("closed with {entrants} entrants"), "", None);
                let _ = reply.send(Ok(()));
            }
            Command::LotteryDraw(n, seed, actor, reply) => {
                let Some(l) = self.lottery.as_mut() else {
                    let _ = reply.send(Err(Error::Invalid("open a lottery first".into())));
                    return;
                };
                l.close();
                let seed = seed.unwrap_or_else(rand::random);
                let winners = l.draw(n.max(1) as usize, seed);
                let entrants = l.line().entrants;
                self.lottery_changed();
                self.announce_lottery("drawn");
                let detail = format!("drew {} of {entrants} with seed {seed}: {}", winners.len(), winners.join(", "));
                self.audit(&actor, AuditAction::Lottery, "room", detail, "", None);
                let _ = reply.send(Ok(winners));
            }
            Command::Broadcast(text, actor, reply) => {
                let group = self.group.clone();
                let t = text.clone();
                self.spawn_then(
                    async move {
                        let msg = RoomMessage::broadcast(t);
                        // Native (every room of the app at once) when the edition has it; otherwise
                        // one custom message per room — this hub's room.
                        match group.client().broadcast(msg.to_body(), None).await {
                            Ok(_) => Ok(true),
                            Err(e) if e.kind() == ErrorKind::Forbidden => group
                                .send_control(msg.to_body(), msg.priority())
                                .await
                                .map(|_| false)
                                .map_err(|e| Error::im("broadcasting to this room", e)),
                            Err(e) => Err(Error::im("broadcasting", e)),
                        }
                    },
                    move |r| Command::BroadcastDone(text, actor, r, reply),
                );
            }
            Command::BroadcastDone(text, actor, result, reply) => {
                let result = result.map(|native| {
                    let how =
                        if native { "to every room (native broadcast)" } else { "to this room (no native broadcast)" };
                    self.audit(&actor, AuditAction::Broadcast, "rooms", format!("{how}: {text}"), "", None);
                });
                let _ = reply.send(result);
            }
            Command::UserState(user, reply) => {
                let now = now_secs();
                let _ = reply.send(UserState {
                    muted_until: self.mutes.get(&user).map(|m| m.until).filter(|u| *u > now),
                    blocked_until: self.blocked.get(&user).copied().filter(|u| *u > now),
                    strikes: self.strikes.count(&user, now, self.ladder.window_secs) as u32,
                    stream_since: self.session.as_ref().map(|s| s.started_at),
                });
            }
            Command::Stream(event) => {
                match &event {
                    RoomEvent::StreamHealth(h) => self.stream_health = Some(h.clone()),
                    RoomEvent::GoLive(p) => self.go_live = Some(p.clone()),
                    _ => {}
                }
                self.emit(event);
            }
            Command::Ladder(reply) => {
                let _ = reply.send(self.ladder.clone());
            }
            Command::Status(reply) => {
                let _ = reply.send(self.status);
            }
            Command::SetLadder(ladder, actor, reply) => {
                let json = serde_json::to_string(&ladder).expect("a ladder always serializes");
                self.writer.write("strike ladder", move |s| s.set_setting(LADDER_KEY, &json));
                let detail = ladder.steps.iter().map(|s| s.describe()).collect::<Vec<_>>().join(" → ");
                self.ladder = ladder.clone();
                self.emit(RoomEvent::StrikeLadder(ladder));
                self.audit(&actor, AuditAction::Ladder, "room", detail, "", None);
                let _ = reply.send(Ok(()));
            }
            Command::Access(actor, action, target, detail, reply) => {
                self.audit(&actor, action, &target, detail, "", None);
                let _ = reply.send(());
            }
            Command::Resolve(id, approve, actor, reply) => self.resolve(id, approve, actor, reply),
            Command::HeldSent(id, actor, result, reply) => {
                if result.is_ok() {
                    self.finish_held(id, true, &actor);
                }
                let _ = reply.send(result);
            }
            Command::Undo(id, actor, reply) => self.undo(id, actor, reply),
            Command::Online(n) => {
                push_capped(&mut self.online_history, OnlineSample { at: now_ms(), count: n }, ONLINE_KEPT);
                if n != self.online {
                    self.online = n;
                    self.emit(RoomEvent::Online { count: n });
                }
                if self.session.as_ref().is_some_and(|s| s.ended_at.is_none() && n > s.peak_online) {
                    if let Some(s) = self.live_session() {
                        s.peak_online = n;
                    }
                }
                self.maybe_push_online(n);
            }
            Command::SetNotice(notice, introduction, actor, reply) => {
                let notice = notice.unwrap_or_else(|| self.notice.clone());
                let introduction = introduction.unwrap_or_else(|| self.introduction.clone());
                let group = self.group.clone();
                let (n, i) = (notice.clone(), introduction.clone());
                self.notices_in_flight.push((n.clone(), i.clone()));
                self.spawn_then(
                    async move {
                        let req = ModifyGroupBaseInfo {
                            notification: Some(n.clone()),
                            introduction: Some(i.clone()),
                            ..ModifyGroupBaseInfo::default()
                        };
                        group.modify(req).await.map_err(|e| Error::im("changing the notice", e))?;
                        let msg = RoomMessage::notice(n, i);
                        group
                            .send_control(msg.to_body(), msg.priority())
                            .await
                            .map_err(|e| Error::im("announcing the notice", e))?;
                        Ok(())
                    },
                    move |r| Command::NoticeApplied(notice, introduction, actor, r, reply),
                );
            }
            Command::NoticeApplied(notice, introduction, actor, result, reply) => {
                if let Some(i) =
                    self.notices_in_flight.iter().position(|x| *x == (notice.clone(), introduction.clone()))
                {
                    self.notices_in_flight.remove(i);
                }
                if result.is_ok() {
                    let detail = format!("notice: {notice} / introduction: {introduction}");
                    self.notice = notice.clone();
                    self.introduction = introduction.clone();
                    self.emit(RoomEvent::Notice { notice, introduction });
                    self.audit(&actor, AuditAction::Notice, "room", detail, "", None);
                }
                let _ = reply.send(result);
            }
            Command::FlushLikes => {
                if self.likes_written != Some(self.likes) {
                    let likes = self.likes;
                    self.likes_written = Some(likes);
                    let group = self.group.clone();
                    self.spawn_then(
                        async move {
                            let req = ModifyGroupBaseInfo {
                                app_defined_data: vec![AppDefinedData {
                                    key: LIKES_FIELD.into(),
                                    value: likes.to_string(),
                                }],
                                ..ModifyGroupBaseInfo::default()
                            };
                            match group.modify(req).await {
                                Ok(()) => likes,
                                Err(e) => {
                                    tracing::warn!(error = %e, "could not write the like total to the group field");
                                    u64::MAX
                                }
                            }
                        },
                        Command::LikesWritten,
                    );
                }
            }
            Command::SweepDrops => self.sweep_drops(),
            Command::LikesWritten(n) => {
                if n == u64::MAX {
                    // Failed: write again at the next tick.
                    self.likes_written = None;
                }
            }
            Command::Done => {}
        }
    }

    /// Changes the status: at once in the room (persisted, on every console, audited), then on Tencent
    /// (the group field, then the High announcement), retried with backoff until both are done — across
    /// restarts too. `reply` is answered after the first attempt; how it went is in `statusSync` events.
    fn set_status(&mut self, to: RoomStatus, actor: String, reply: oneshot::Sender<Result<()>>) {
        if !self.status.can_become(to) {
            let allowed: Vec<_> = self.status.next_allowed().iter().map(|s| s.as_str()).collect();
            let _ = reply.send(Err(Error::Transition { from: self.status, to, allowed: allowed.join(" or ") }));
            return;
        }
        let from = self.status;
        self.status = to;
        self.writer.write("status", move |s| {
            s.set_status(to, now_secs())?;
            s.set_setting(STATUS_PENDING_KEY, to.as_str())
        });
        self.emit(RoomEvent::Status { status: to });
        self.audit(&actor, AuditAction::Status, "room", format!("{from} → {to}"), "", None);
        if to == RoomStatus::Live && self.session.as_ref().is_none_or(|s| s.ended_at.is_some()) {
            let id = self.session.as_ref().map_or(1, |s| s.id + 1);
            self.session =
                Some(StreamSession { id, started_at: now_ms(), peak_online: self.online, ..StreamSession::default() });
            self.save_session();
        }
        if to == RoomStatus::Ended {
            if let Some(s) = self.session.as_mut().filter(|s| s.ended_at.is_none()) {
                s.ended_at = Some(now_ms());
                self.save_session();
            }
            self.end_of_stream_unmutes();
        }
        // A newer change supersedes one still being synced: its field value and announcement are stale.
        let (running, mut waiters) = self.sync.take().map_or((false, Vec::new()), |s| (s.running, s.waiters));
        waiters.push(reply);
        self.sync = Some(StatusSync { to, field_done: false, attempts: 0, error: None, running, waiters });
        if !running {
            self.start_sync();
        }
    }

    /// Runs one attempt at putting the pending status on Tencent.
    fn start_sync(&mut self) {
        let Some(sync) = self.sync.as_mut() else { return };
        sync.running = true;
        let (to, field_done) = (sync.to, sync.field_done);
        let group = self.group.clone();
        self.spawn_then(
            async move {
                if !field_done {
                    if let Err(e) = ops::write_status_field(&group, to).await {
                        return (false, Err(e));
                    }
                }
                (true, ops::announce_status(&group, to).await)
            },
            move |(field_done, result)| Command::StatusSynced(to, field_done, result),
        );
    }

    fn status_synced(&mut self, to: RoomStatus, field_done: bool, result: Result<()>) {
        let Some(sync) = self.sync.as_mut() else { return };
        sync.running = false;
        if sync.to != to {
            self.start_sync(); // superseded meanwhile: sync the newer one
            return;
        }
        let waiters = std::mem::take(&mut sync.waiters);
        match result {
            Ok(()) => {
                self.sync = None;
                self.writer.write("status synced", |s| s.set_setting(STATUS_PENDING_KEY, ""));
                self.emit(RoomEvent::StatusSync(StatusSyncLine { status: to, synced: true, error: None, attempts: 0 }));
            }
            Err(e) => {
                sync.field_done = field_done;
                sync.attempts += 1;
                let attempts = sync.attempts;
                let wait = STATUS_RETRY_FIRST.saturating_mul(1 << attempts.min(6)).min(STATUS_RETRY_MAX);
                tracing::warn!(status = %to, attempts, error = %e, "the status is not on Tencent yet; retrying in {wait:?}");
                sync.error = Some(e.to_string());
                let line = StatusSyncLine { status: to, synced: false, error: sync.error.clone(), attempts };
                self.emit(RoomEvent::StatusSync(line));
                self.spawn_then(tokio::time::sleep(wait), |()| Command::RetryStatus);
            }
        }
        for w in waiters {
            let _ = w.send(Ok(()));
        }
    }

    /// Runs `work` off the actor like [`Self::spawn_then`], but only once every call on `target`
    /// the actor started before has reported back: calls on one target reach Tencent, and their
    /// results the room, in the order the actor received them.
    fn spawn_in_lane<F, T>(&mut self, target: &str, work: F, done: impl FnOnce(T) -> Command + Send + 'static)
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (after, finished) = self.lanes.enter(target);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            if let Some(after) = after {
                // Err too when that call's task ended without a word (the runtime shutting down).
                let _ = after.await;
            }
            let out = work.await;
            if let Some(tx) = tx.upgrade() {
                let _ = tx.send(done(out)).await;
            }
            // Only now, with the result queued ahead of the next call's: the next may start.
            drop(finished);
        });
    }

    fn moderate(&mut self, actor: String, action: ModAction, undoes: Option<u64>, reply: oneshot::Sender<Result<()>>) {
        let group = self.group.clone();
        let now = now_secs();
        match action {
            ModAction::Mute { user_id, seconds, until_end_of_stream, reason } => {
                let secs = if until_end_of_stream { self.config.end_of_stream_mute } else { seconds };
                if secs == 0 {
                    let _ = reply.send(Err(Error::Invalid("a mute needs a duration; use unmute to lift one".into())));
                    return;
                }
                let lane = user_id.clone();
                self.spawn_in_lane(
                    &lane,
                    async move {
                        // The time is taken when the call goes out, after any call it waited for.
                        let until = ops::mute(&group, std::slice::from_ref(&user_id), secs, now_secs()).await?;
                        Ok(Effect::Muted { user: user_id, until, end_of_stream: until_end_of_stream, reason, secs })
                    },
                    move |r| Command::Applied(actor, AuditAction::Mute, undoes, r, reply),
                );
            }
            ModAction::Unmute { user_id, reason } => {
                let lane = user_id.clone();
                self.spawn_in_lane(
                    &lane,
                    async move {
                        ops::mute(&group, std::slice::from_ref(&user_id), 0, now_secs()).await?;
                        Ok(Effect::Muted { user: user_id, until: None, end_of_stream: false, reason, secs: 0 })
                    },
                    move |r| Command::Applied(actor, AuditAction::Unmute, undoes, r, reply),
                );
            }
            ModAction::Kick { user_id, reason } => {
                // Blocklisted first: from this moment the door is shut, whatever the REST call does.
                self.block(&user_id, u64::MAX, &reason);
                self.emit(RoomEvent::UserKicked { user_id: user_id.clone() });
                self.audit(&actor, AuditAction::Kick, &user_id, String::new(), &reason, None);
                self.spawn_then(async move { ops::send_kicks(&group, std::slice::from_ref(&user_id)).await }, |r| {
                    let _ = reply.send(r);
                    Command::Done
                });
            }
            ModAction::Unblock { user_id } => {
                self.unblock(&user_id);
                let line = self.audit(&actor, AuditAction::Unblock, &user_id, String::new(), "", None);
                if let Some(id) = undoes {
                    self.undoing.remove(&id);
                    self.mark_undone(id, line);
                }
                let _ = reply.send(Ok(()));
            }
            ModAction::Ban { user_id, seconds, reason } => {
                if seconds == 0 {
                    let _ = reply.send(Err(Error::Invalid("a ban needs a duration of at least 1 second".into())));
                    return;
                }
                let lane = user_id.clone();
                self.spawn_in_lane(
                    &lane,
                    async move {
                        let until = now_secs().saturating_add(u64::from(seconds));
                        let description = (!reason.is_empty()).then_some(reason.as_str());
                        match group.ban(std::slice::from_ref(&user_id), seconds, description).await {
                            Ok(()) => Ok(Effect::Banned { user: user_id, until, reason, secs: seconds, native: true }),
                            Err(e) if e.kind() == ErrorKind::Forbidden => {
                                // The edition (or its console switch) has no native ban: kick and keep
                                // them out with the blocklist until the ban would have ended.
                                tracing::info!(user = %user_id, "no native ban on this app; kicking and blocklisting instead");
                                ops::send_kicks(&group, std::slice::from_ref(&user_id)).await?;
                                Ok(Effect::Banned { user: user_id, until, reason, secs: seconds, native: false })
                            }
                            Err(e) => Err(Error::im(format!("banning {user_id}"), e)),
                        }
                    },
                    move |r| Command::Applied(actor, AuditAction::Ban, undoes, r, reply),
                );
            }
            ModAction::Hide { msg_id, reason } => {
                if msg_id.is_empty() || msg_id.len() > 64 {
                    let _ = reply.send(Err(Error::Invalid("say which message to hide (its id)".into())));
                    return;
                }
                let lane = format!("message {msg_id}");
                self.spawn_in_lane(
                    &lane,
                    async move {
                        let msg = RoomMessage::hide(vec![msg_id.clone()]);
                        group
                            .send_control(msg.to_body(), msg.priority())
                            .await
                            .map_err(|e| Error::im("hiding the message", e))?;
                        Ok(Effect::Hidden { msg_id, reason })
                    },
                    move |r| Command::Applied(actor, AuditAction::Hide, undoes, r, reply),
                );
            }
            ModAction::MuteAll { on, reason } => {
                self.spawn_in_lane(
                    MUTE_ALL_LANE,
                    async move {
                        group.mute_all(on).await.map_err(|e| Error::im("muting everyone", e))?;
                        let msg = RoomMessage::mute_all(on);
                        if let Err(e) = group.send_control(msg.to_body(), msg.priority()).await {
                            tracing::warn!(error = %e, "the mute-all notice was not delivered; the mute itself holds");
                        }
                        Ok(Effect::MutedAll { on, reason })
                    },
                    move |r| Command::Applied(actor, AuditAction::MuteAll, undoes, r, reply),
                );
            }
            ModAction::Strike { user_id, reason } => {
                // The strike is recorded under the audit line about to be written.
                let line = self.next_audit;
                let count = self.strikes.add(&user_id, now, line, self.ladder.window_secs);
                let step = self.ladder.step(count);
                let detail = format!("strike {count}: {}", step.describe());
                self.audit(&actor, AuditAction::Strike, &user_id, detail, &reason, None);
                let (u, at) = (user_id.clone(), now);
                self.writer.write("strike", move |s| s.save_strike(&u, at, line));
                let reason = if reason.is_empty() { format!("strike {count}") } else { reason };
                match step.action(&user_id, &reason) {
                    Some(action) => self.moderate(actor, action, None, reply),
                    None => self.spawn_then(
                        async move {
                            let msg = RoomMessage::warn(&user_id, reason);
                            group
                                .send_control(msg.to_body(), msg.priority())
                                .await
                                .map(|_| ())
                                .map_err(|e| Error::im(format!("warning {user_id}"), e))
                        },
                        |r| {
                            let _ = reply.send(r);
                            Command::Done
                        },
                    ),
                }
            }
            ModAction::Unban { user_id } => {
                let lane = user_id.clone();
                self.spawn_in_lane(
                    &lane,
                    async move {
                        match group.unban(std::slice::from_ref(&user_id)).await {
                            Ok(()) => {}
                            Err(e) if e.kind() == ErrorKind::Forbidden => {}
                            Err(e) => return Err(Error::im(format!("lifting the ban on {user_id}"), e)),
                        }
                        Ok(Effect::Unbanned { user: user_id })
                    },
                    move |r| Command::Applied(actor, AuditAction::Unban, undoes, r, reply),
                );
            }
        }
    }

    /// Applies a finished moderation call to the room; returns its audit line's id.
    fn apply(&mut self, actor: &str, action: AuditAction, effect: Effect) -> u64 {
        let now = now_secs();
        match effect {
            Effect::Muted { user, until, end_of_stream, reason, secs } => {
                match until {
                    Some(until) => {
                        let m = StoredMute { user_id: user.clone(), until, reason: reason.clone(), end_of_stream };
                        self.mutes.insert(user.clone(), m.clone());
                        self.writer.write("mute", move |s| s.save_mute(&m, now));
                    }
                    None => {
                        self.mutes.remove(&user);
                        let u = user.clone();
                        self.writer.write("unmute", move |s| s.clear_mute(&u));
                    }
                }
                self.emit(RoomEvent::UserMuted { user_id: user.clone(), until });
                let detail = if end_of_stream { "until the end of this stream".to_string() } else { String::new() };
                let duration = (secs != 0).then_some(u64::from(secs));
                self.audit(actor, action, &user, detail, &reason, duration)
            }
            Effect::Banned { user, until, reason, secs, native } => {
                // Blocklisted either way: a native ban also keeps them out, and the hub's own record
                // survives an edition change.
                self.block(&user, until, &reason);
                self.emit(RoomEvent::UserKicked { user_id: user.clone() });
                let detail = if native { "native ban" } else { "kick + blocklist (no native ban on this edition)" };
                self.audit(actor, action, &user, detail.into(), &reason, Some(u64::from(secs)))
            }
            Effect::Unbanned { user } => {
                self.unblock(&user);
                self.audit(actor, action, &user, String::new(), "", None)
            }
            Effect::MutedAll { on, reason } => {
                self.muted_all = on;
                self.emit(RoomEvent::MuteAll { on });
                let detail = if on { "everyone muted" } else { "everyone may speak" };
                self.audit(actor, action, "room", detail.into(), &reason, None)
            }
            Effect::Hidden { msg_id, reason } => {
                let mut target = msg_id.clone();
                let mut text = String::new();
                if let Some(line) = self.chat.iter_mut().find(|l| l.id == msg_id) {
                    line.hidden = true;
                    target = line.user_id.clone();
                    text = line.text.clone();
                }
                let seq = msg_id.clone();
                self.writer.write("hide", move |s| s.hide_message(&seq));
                self.emit(RoomEvent::MessageHidden { id: msg_id.clone(), actor: actor.to_string() });
                self.audit(actor, action, &target, format!("message {msg_id}: {text}"), &reason, None)
            }
        }
    }

    fn block(&mut self, user: &str, until: u64, reason: &str) {
        self.blocked.insert(user.to_string(), until);
        self.publish_policy();
        let (u, r) = (user.to_string(), reason.to_string());
        self.writer.write("blocklist", move |s| s.block_until(&u, until, &r, now_secs()));
    }

    fn unblock(&mut self, user: &str) {
        if self.blocked.remove(user).is_some() {
            self.publish_policy();
            self.emit(RoomEvent::UserUnblocked { user_id: user.to_string() });
        }
        let u = user.to_string();
        self.writer.write("unblock", move |s| s.unblock(&u));
    }

    fn end_of_stream_unmutes(&mut self) {
        let users: Vec<String> = self.mutes.values().filter(|m| m.end_of_stream).map(|m| m.user_id.clone()).collect();
        for user in users {
            let (reply, _) = oneshot::channel();
            let action = ModAction::Unmute { user_id: user, reason: "the stream ended".into() };
            self.moderate("room".into(), action, None, reply);
        }
    }

    fn resolve(&mut self, id: u64, approve: bool, actor: String, reply: oneshot::Sender<Result<()>>) {
        let Some((line, body)) = self.held.get(&id).cloned() else {
            let _ =
                reply.send(Err(Error::Invalid(format!("there is no held message {id}; it may be resolved already"))));
            return;
        };
        if !approve {
            self.finish_held(id, false, &actor);
            let _ = reply.send(Ok(()));
            return;
        }
        let group = self.group.clone();
        self.spawn_then(
            async move {
                // As the original sender, and past the filter: it was reviewed.
                let req = SendGroupMsg::new(group.id(), body, MsgPriority::Normal)
                    .from(line.user_id.clone())
                    .without_before_callback();
                group
                    .send_msg(&req)
                    .await
                    .map(|_| ())
                    .map_err(|e| Error::im(format!("re-sending {}'s held message", line.user_id), e))
            },
            move |r| Command::HeldSent(id, actor, r, reply),
        );
    }

    fn finish_held(&mut self, id: u64, approved: bool, actor: &str) {
        if let Some((line, _)) = self.held.remove(&id) {
            self.writer.write("held resolved", move |s| s.delete_held(id));
            self.emit(RoomEvent::HeldResolved { id, approved, actor: actor.to_string() });
            let action = if approved { AuditAction::Approve } else { AuditAction::Reject };
            self.audit(actor, action, &line.user_id.clone(), line.text, "", None);
        }
    }

    fn undo(&mut self, id: u64, actor: String, reply: oneshot::Sender<Result<()>>) {
        let Some(line) = self.audit.iter().find(|l| l.id == id).cloned() else {
            let _ = reply
                .send(Err(Error::Invalid(format!("audit line {id} is not among the recent ones that can be undone"))));
            return;
        };
        if line.undone_by.is_some() {
            let _ = reply.send(Err(Error::Invalid(format!("audit line {id} was undone already"))));
            return;
        }
        let undo = match line.action {
            AuditAction::Mute => ModAction::Unmute { user_id: line.target.clone(), reason: format!("undo #{id}") },
            AuditAction::Kick => ModAction::Unblock { user_id: line.target.clone() },
            AuditAction::Ban => ModAction::Unban { user_id: line.target.clone() },
            AuditAction::MuteAll => {
                ModAction::MuteAll { on: line.detail != "everyone muted", reason: format!("undo #{id}") }
            }
            AuditAction::Strike => {
                // Forgiven: it no longer counts towards the ladder (its step's action has its own undo).
                self.strikes.forgive(&line.target, id);
                self.writer.write("forgive strike", move |s| s.forgive_strike(id));
                let by = self.audit(&actor, AuditAction::Forgive, &line.target, format!("strike #{id}"), "", None);
                self.mark_undone(id, by);
                let _ = reply.send(Ok(()));
                return;
            }
            other => {
                let _ = reply.send(Err(Error::Invalid(format!("a {} cannot be undone", other.as_str()))));
                return;
            }
        };
        // Marked when the undoing action has succeeded (with its own audit id); meanwhile a second
        // undo of the same line is refused.
        if !self.undoing.insert(id) {
            let _ = reply.send(Err(Error::Invalid(format!("audit line {id} is being undone already"))));
            return;
        }
        self.moderate(actor, undo, Some(id), reply);
    }

    fn observe(&mut self, cb: Callback, decision: Decision) {
        if cb.group_id().is_some_and(|g| g != self.group.id()) {
            return;
        }
        let now = now_secs();
        match cb {
            Callback::BeforeApplyJoinGroup(join) if decision == Decision::JoinRefused => {
                self.emit(RoomEvent::JoinRefused { user_id: join.requestor_account });
            }
            Callback::BeforeSendMsg(m) => match decision {
                Decision::Held { pattern } => self.hold(m, pattern),
                Decision::Blocked { pattern, action } => {
                    let text = body_text(&m.msg_body).unwrap_or_default();
                    let user = m.from_account;
                    self.emit(RoomEvent::Blocked(BlockedLine {
                        user_id: user.clone(),
                        text,
                        pattern: pattern.clone(),
                        action,
                        at: now_ms(),
                    }));
                    if self.ladder.from_filter && self.strikes.auto_due(&user, now) {
                        let (reply, _) = oneshot::channel();
                        let reason = format!("the word filter: {pattern:?}");
                        self.moderate(FILTER.into(), ModAction::Strike { user_id: user, reason }, None, reply);
                    }
                }
                _ => {
                    self.sent(&m.from_account, m.random, &m.msg_body);
                    if let Some(RoomMessage::Like { count, .. }) = RoomMessage::from_body(&m.msg_body) {
                        // Likes are counted here: as Low-priority messages the ceiling may drop them later.
                        // Every 10 likes in total count 1 point, however the taps were merged.
                        self.popularity += (self.likes + u64::from(count)) / 10 - self.likes / 10;
                        self.likes += u64::from(count);
                        if let Some(s) = self.live_session() {
                            s.likes += u64::from(count);
                        }
                        let (likes, user) = (self.likes, m.from_account);
                        self.writer.write("likes", move |s| {
                            s.set_likes(likes)?;
                            s.bump_user(&user, 0, u64::from(count), 0, 0, now)
                        });
                        self.emit(RoomEvent::Likes { total: self.likes });
                    }
                }
            },
            Callback::AfterSendMsg(m) => {
                self.in_flight.remove(&(m.from_account.clone(), m.random));
                self.on_delivered(m);
            }
            Callback::SendMsgException(m) if m.error_code == Some(10023) => {
                self.dropped(&(m.from_account.clone(), m.random));
            }
            Callback::StateChange(state) => {
                let user = state.info.to_account;
                match state.info.action.as_str() {
                    "Login" => {
                        self.logins.insert(user, now);
                    }
                    "Logout" | "Disconnect" => {
                        if let Some(since) = self.logins.remove(&user) {
                            let secs = now.saturating_sub(since);
                            self.popularity += secs / 60;
                            self.writer.write("online time", move |s| s.bump_user(&user, 0, 0, 0, secs, now));
                        }
                    }
                    _ => {}
                }
            }
            Callback::AfterGroupInfoChanged(c) => {
                // Another admin (Tencent's console, an app) changed the profile; the hub's own changes
                // come back here too and change nothing.
                let notice = c.notification.unwrap_or_else(|| self.notice.clone());
                let introduction = c.introduction.unwrap_or_else(|| self.introduction.clone());
                let ours = self.notices_in_flight.iter().any(|(n, i)| (n, i) == (&notice, &introduction));
                if !ours && (&notice, &introduction) != (&self.notice, &self.introduction) {
                    let detail = format!("notice: {notice} / introduction: {introduction}");
                    self.notice = notice.clone();
                    self.introduction = introduction.clone();
                    self.emit(RoomEvent::Notice { notice, introduction });
                    self.audit(
                        &c.operator_account,
                        AuditAction::Notice,
                        "room",
                        detail,
                        "changed outside AnchorDesk",
                        None,
                    );
                }
                if let Some(name) = c.name.filter(|n| *n != self.name) {
                    self.name = name.clone();
                    self.emit(RoomEvent::Renamed { name });
                }
            }
            Callback::AfterNewMemberJoin(j) => {
                let at = if j.event_time > 0 { j.event_time } else { now_ms() };
                for m in j.new_member_list {
                    self.emit(RoomEvent::MemberJoined(MemberLine { user_id: m.member_account, at }));
                }
            }
            Callback::AfterMemberExit(x) => {
                let at = if x.event_time > 0 { x.event_time } else { now_ms() };
                for m in x.exit_member_list {
                    self.emit(RoomEvent::MemberLeft(MemberLine { user_id: m.member_account, at }));
                }
            }
            _ => {}
        }
    }

    fn hold(&mut self, m: MsgCallback, pattern: String) {
        let line = HeldLine {
            id: self.next_held,
            user_id: m.from_account,
            text: body_text(&m.msg_body).unwrap_or_default(),
            pattern,
            at: now_ms(),
        };
        self.next_held += 1;
        let body_json = serde_json::to_string(&m.msg_body).unwrap_or_else(|_| "[]".into());
        let saved = line.clone();
        self.writer.write("held", move |s| s.save_held(&saved, &body_json));
        self.held.insert(line.id, (line.clone(), m.msg_body));
        self.emit(RoomEvent::Held(line));
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
        let now = now_secs();
        if let Some(text) = body_text(&m.msg_body) {
            self.popularity += 2;
            if let Some(s) = self.live_session() {
                s.messages += 1;
            }
            if let Some(l) = self.lottery.as_mut() {
                self.lottery_dirty |= l.offer(&m.from_account, &text);
            }
            let (seq, user, t) = (id.clone(), m.from_account.clone(), text.clone());
            self.writer.write("transcript", move |s| {
                s.save_message(&seq, &user, &t, at)?;
                s.bump_user(&user, 1, 0, 0, 0, now)
            });
            self.emit(RoomEvent::Chat(ChatLine { id, user_id: m.from_account, text, at, hidden: false }));
        } else if let Some(RoomMessage::Gift { gift_id, gift_name, count, unit_price, .. }) =
            RoomMessage::from_body(&m.msg_body)
        {
            let (user, value) = (m.from_account.clone(), u64::from(count) * u64::from(unit_price));
            self.popularity += value;
            if let Some(s) = self.live_session() {
                s.gift_value += value;
            }
            self.writer.write("gift", move |s| s.bump_user(&user, 0, 0, value, 0, now));
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
