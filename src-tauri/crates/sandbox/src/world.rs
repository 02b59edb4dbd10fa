//! The sandbox's Tencent-side state — groups, accounts, mutes, members — and the two pipelines that
//! involve the business server: sending a message (before-send callback → deliver → after-send
//! callback) and joining (before-join callback → join → after-join callback).
//!
//! Groups and accounts persist to the state file (Tencent keeps them); members do not (an AVChatRoom
//! member is an online client, and a restarted sandbox has none).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) use im::clock::{now_ms, now_secs};

use im::callback::{
    AfterMemberExit, AfterNewMemberJoin, BeforeApplyJoinGroup, Callback, MemberAccount, MsgCallback, StateChange,
    StateChangeInfo, Verdict,
};
use im::{MsgElement, MsgPriority};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::callbacks::Outcome;
use crate::{ClientError, Error, SandboxConfig, Shared};

/// How long `Random` de-duplicates a sender's messages.
const DEDUP_WINDOW: Duration = Duration::from_secs(300);

/// A message as members' clients receive it.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivered {
    pub group_id: String,
    pub from: String,
    pub body: Vec<MsgElement>,
    pub priority: MsgPriority,
    pub seq: u64,
    /// A group system notification rather than a message.
    pub system: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Group {
    pub id: String,
    pub group_type: String,
    pub name: String,
    pub introduction: String,
    pub notification: String,
    pub face_url: String,
    pub owner: String,
    pub create_time: u64,
    pub apply_join_option: String,
    pub mute_all: bool,
    pub app_defined: BTreeMap<String, String>,
    /// user → muted until (unix s).
    pub mutes: BTreeMap<String, u64>,
    pub next_seq: u64,
    /// user → banned until (unix s).
    #[serde(default)]
    pub bans: BTreeMap<String, u64>,
    /// user → joined at (unix µs), unique within the group: `get_members` pages by join time, and two
    /// members joining in the same instant must not share a page boundary (one would be skipped).
    #[serde(skip)]
    pub members: BTreeMap<String, u64>,
    /// The last second's messages that reached frequency control: when, how important, delivered.
    #[serde(skip)]
    pub window: VecDeque<(Instant, MsgPriority, bool)>,
    #[serde(skip)]
    pub online_cache: Option<(u64, Instant)>,
    /// Members whose client is the Web SDK (they make the online count lag).
    #[serde(skip)]
    pub web_members: std::collections::BTreeSet<String>,
    /// `(sender, Random)` of the last 5 minutes' messages.
    #[serde(skip)]
    pub recent: HashMap<(String, u32), Remembered>,
}

/// A message remembered for de-duplication: when it came, and `(MsgSeq, dropped)` once decided (`None`
/// while it is still on its way: a concurrent retry waits for it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Remembered {
    pub at: Instant,
    pub outcome: Option<(u64, bool)>,
}

impl Group {
    pub fn is_muted(&self, user: &str, now: u64) -> bool {
        self.mutes.get(user).is_some_and(|until| *until > now)
    }

    pub fn is_banned(&self, user: &str, now: u64) -> bool {
        self.bans.get(user).is_some_and(|until| *until > now)
    }

    /// Tencent's per-group frequency control: at most `ceiling` messages delivered in any second; when
    /// more arrive, higher priorities go first and equal priorities are chosen at random.
    ///
    /// Tencent decides at send time (the sender's answer carries `MsgDropReason`), so the policy is
    /// causal. The hard cap is checked first: past it even High is dropped. Then, since a decision
    /// cannot wait for the messages still to come, "higher priorities go first" means keeping room for
    /// them: while High messages are arriving (any in the last second) Normal and Low may fill only
    /// half the window, and while Normal ones are arriving Low gives up a further quarter. Without
    /// that, the Low and Normal messages at the start of a burst would use up the second and the Highs
    /// that follow would be dropped. A group whose messages share one priority, or that stays under a
    /// quarter of its ceiling, is never affected. Within what is left, each priority is admitted with
    /// its share of the capacity (capacity left ÷ that priority's arrivals in the last second), so equal
    /// priorities are chosen at random.
    pub fn admit(&mut self, priority: MsgPriority, ceiling: u32, rng: &mut ChaCha8Rng) -> bool {
        let now = Instant::now();
        while self.window.front().is_some_and(|(at, _, _)| now.duration_since(*at) >= Duration::from_secs(1)) {
            self.window.pop_front();
        }
        let delivered = self.window.iter().filter(|(_, _, d)| *d).count() as u32;
        let arriving = |p: MsgPriority| self.window.iter().any(|(_, q, _)| *q == p);
        let kept_for_high = if arriving(MsgPriority::High) { ceiling / 2 } else { 0 };
        let kept_for_normal = if arriving(MsgPriority::Normal) { ceiling / 4 } else { 0 };
        let kept = match priority {
            MsgPriority::High => 0,
            MsgPriority::Normal => kept_for_high,
            MsgPriority::Low => kept_for_high + kept_for_normal,
        };
        let admitted = if delivered + kept >= ceiling {
            false
        } else {
            let ceiling = f64::from(ceiling);
            let arrivals = |p: MsgPriority| {
                self.window.iter().filter(|(_, q, _)| *q == p).count() as f64 + if p == priority { 1.0 } else { 0.0 }
            };
            let mut left = ceiling;
            let mut share = 1.0;
            for p in [MsgPriority::High, MsgPriority::Normal, MsgPriority::Low] {
                let n = arrivals(p);
                if p == priority {
                    share = if n <= left { 1.0 } else { (left / n).max(0.0) };
                    break;
                }
                left -= n.min(left);
            }
            share >= 1.0 || rng.gen_bool(share.clamp(0.0, 1.0))
        };
        self.window.push_back((now, priority, admitted));
        admitted
    }
}

#[derive(Serialize, Deserialize)]
struct Saved {
    sdkappid: u64,
    secret_key: String,
    admin: String,
    groups: Vec<Group>,
    accounts: Vec<String>,
    /// The CSS side's keys, kept so an encoder's push address survives a restart (absent in files
    /// written before the CSS side existed).
    #[serde(default)]
    css: Option<SavedCss>,
}

/// The CSS push domain and keys, as kept in the state file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SavedCss {
    pub push_domain: String,
    pub secret_id: String,
    pub secret_key: String,
    pub push_key: String,
    pub backup_push_key: Option<String>,
}

impl SavedCss {
    fn of(config: &SandboxConfig) -> Self {
        let css = &config.css;
        Self {
            push_domain: css.push_domain.clone(),
            secret_id: css.secret_id.clone(),
            secret_key: css.secret_key.expose().to_string(),
            push_key: css.push_key.expose().to_string(),
            backup_push_key: css.backup_push_key.as_ref().map(|k| k.expose().to_string()),
        }
    }
}

pub(crate) struct SavedCredentials {
    pub sdkappid: u64,
    pub secret_key: String,
    pub admin: String,
    pub css: Option<SavedCss>,
}

pub(crate) fn load_credentials(path: &Path) -> Result<Option<SavedCredentials>, Error> {
    Ok(read_saved(path)?.map(|s| SavedCredentials {
        sdkappid: s.sdkappid,
        secret_key: s.secret_key,
        admin: s.admin,
        css: s.css,
    }))
}

fn read_saved(path: &Path) -> Result<Option<Saved>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::State {
            path: path.display().to_string(),
            detail: format!("it is not a sandbox state file ({e}); move it away to start afresh"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::State { path: path.display().to_string(), detail: e.to_string() }),
    }
}

pub(crate) struct World {
    pub groups: BTreeMap<String, Group>,
    pub accounts: HashSet<String>,
    /// The sandbox's own random choices, seeded from the config.
    pub rng: ChaCha8Rng,
    pub last_broadcast: Option<Instant>,
    pub broadcast_seq: u64,
    sdkappid: u64,
    secret_key: String,
    admin: String,
    css: SavedCss,
    state_file: Option<std::path::PathBuf>,
    pub online_granularity: Duration,
}

impl World {
    pub fn load(config: &SandboxConfig) -> Result<Self, Error> {
        let saved = match &config.state_file {
            Some(p) => read_saved(p)?,
            None => None,
        };
        let (groups, accounts) = match saved {
            Some(s) if s.sdkappid == config.sdkappid => {
                (s.groups.into_iter().map(|g| (g.id.clone(), g)).collect(), s.accounts.into_iter().collect())
            }
            _ => (BTreeMap::new(), HashSet::from([config.admin.clone()])),
        };
        let world = Self {
            groups,
            accounts,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            last_broadcast: None,
            broadcast_seq: 0,
            sdkappid: config.sdkappid,
            secret_key: config.secret_key.expose().to_string(),
            admin: config.admin.clone(),
            css: SavedCss::of(config),
            state_file: config.state_file.clone(),
            online_granularity: config.online_granularity,
        };
        world.save();
        Ok(world)
    }

    /// Writes groups and accounts to the state file (atomically: a temporary file, then a rename).
    pub fn save(&self) {
        let Some(path) = &self.state_file else { return };
        let saved = Saved {
            sdkappid: self.sdkappid,
            secret_key: self.secret_key.clone(),
            admin: self.admin.clone(),
            groups: self.groups.values().cloned().collect(),
            accounts: {
                let mut a: Vec<_> = self.accounts.iter().cloned().collect();
                a.sort();
                a
            },
            css: Some(self.css.clone()),
        };
        let tmp = path.with_extension("tmp");
        let write = serde_json::to_vec_pretty(&saved)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = write {
            tracing::error!(path = %path.display(), error = %e, "could not save the sandbox state");
        }
    }

    pub fn new_group_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let rng = &mut self.rng;
        loop {
            let id: String = std::iter::once('a')
                .chain((0..9).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char))
                .collect();
            let id = format!("@TGS#{id}");
            if !self.groups.contains_key(&id) {
                return id;
            }
        }
    }

    pub fn av_rooms(&self) -> Vec<String> {
        let mut rooms: Vec<_> = self.groups.values().filter(|g| g.group_type == "AVChatRoom").collect();
        rooms.sort_by_key(|g| (g.create_time, g.id.clone()));
        rooms.into_iter().map(|g| g.id.clone()).collect()
    }

    pub fn members(&self, group_id: &str) -> Vec<String> {
        self.groups.get(group_id).map(|g| g.members.keys().cloned().collect()).unwrap_or_default()
    }

    /// `get_online_member_num`: the member count, refreshed at Tencent's granularity.
    ///
    /// Tencent (§2.8): the count updates at once while the group has fewer than 300 members and no Web
    /// users; otherwise it keeps its value for the granularity (10 s) and lags joins and exits.
    pub fn online_count(&mut self, group_id: &str) -> Option<u64> {
        let granularity = self.online_granularity;
        let g = self.groups.get_mut(group_id)?;
        let fresh = g.members.len() as u64;
        if fresh < 300 && g.web_members.is_empty() {
            g.online_cache = None;
            return Some(fresh);
        }
        match g.online_cache {
            Some((n, at)) if at.elapsed() < granularity => Some(n),
            _ => {
                g.online_cache = Some((fresh, Instant::now()));
                Some(fresh)
            }
        }
    }
}

/// Unix microseconds (join times; see `Group::members`).
fn now_us() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, World> {
    shared.world.lock().unwrap_or_else(|p| p.into_inner())
}

fn target(shared: &Shared) -> Option<crate::CallbackTarget> {
    shared.callback.read().unwrap_or_else(|p| p.into_inner()).clone()
}

fn err(code: i64, info: impl Into<String>) -> ClientError {
    ClientError { code, info: info.into() }
}

/// A message on its way into a group, from a client or from REST.
pub(crate) struct Outgoing {
    pub group_id: String,
    pub from: String,
    pub body: Vec<MsgElement>,
    pub priority: MsgPriority,
    pub random: u32,
    pub forbid_before: bool,
    pub forbid_after: bool,
    pub platform: &'static str,
    /// `Operator_Account` of the callbacks: the client itself, or the admin making a REST call.
    pub operator: String,
    /// The admin is never muted.
    pub from_admin: bool,
    /// Clients must be in the group to send; REST sends (as admin or `From_Account`) need not.
    pub require_member: bool,
}

/// Reads a before-callback's outcome the way Tencent's console policy does.
fn decide(shared: &Shared, outcome: Outcome) -> Result<Option<Vec<MsgElement>>, ClientError> {
    match outcome {
        Outcome::NotConfigured => Ok(None),
        Outcome::Failed(why) => {
            if shared.config.refuse_on_callback_failure {
                Err(err(80003, format!("before-callback failed: {why}")))
            } else {
                tracing::debug!(%why, "before-callback failed; delivering as Tencent's default policy does");
                Ok(None)
            }
        }
        Outcome::Answered(a) => match a.verdict() {
            Verdict::Allow => Ok(None),
            Verdict::AllowModified(body) => Ok(Some(body)),
            Verdict::Refuse => Err(err(10016, "rejected by the business server's callback")),
            Verdict::RefuseWith { code, info } => Err(err(code, info)),
            // The sender sees success; the caller turns this into "not delivered".
            Verdict::DropSilently => Err(err(0, "dropped")),
        },
    }
}

/// How a send went, as Tencent answers it: `MsgSeq`, `MsgTime`, and whether frequency control dropped
/// the message (`MsgDropReason: MsgFreqCtrl`; the sender is still told success).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SendOutcome {
    pub seq: u64,
    pub time: u64,
    pub dropped: bool,
}

fn exception(shared: &Shared, cb: &MsgCallback, code: i64, info: &str, platform: &'static str) {
    let exception = MsgCallback { error_code: Some(code), error_info: Some(info.into()), ..cb.clone() };
    shared.callbacks.after(target(shared), shared.config.sdkappid, Callback::SendMsgException(exception), platform);
}

/// Holds a message's `(sender, Random)` in the group's dedup table while the message is on its way
/// (before-send callback included), so a retry that arrives meanwhile waits for the outcome instead of
/// being delivered a second time. Released if the message does not go out: refused, or the request
/// was abandoned half-way (its future dropped).
struct Reservation<'a> {
    shared: &'a Shared,
    group_id: &'a str,
    key: (String, u32),
    decided: bool,
}

impl Reservation<'_> {
    /// Records the outcome: from now on a duplicate gets the same answer.
    fn decide(&mut self, g: &mut Group, seq: u64, dropped: bool) {
        g.recent.insert(self.key.clone(), Remembered { at: Instant::now(), outcome: Some((seq, dropped)) });
        self.decided = true;
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.decided {
            return;
        }
        let mut w = lock(self.shared);
        if let Some(g) = w.groups.get_mut(self.group_id) {
            if g.recent.get(&self.key).is_some_and(|r| r.outcome.is_none()) {
                g.recent.remove(&self.key);
            }
        }
    }
}

/// Sends a message into a group: checks (group, membership, duplicate `Random`, mute), the
/// before-send callback and its answer, the group's frequency control, delivery, and the after-send
/// callback (not fired for a dropped message, as on Tencent).
///
/// A message with the sender and `Random` of one from the last 5 minutes is a duplicate: it gets the
/// first one's answer and is not delivered again, also when it arrives while the first is still on
/// its way (a client retrying after a lost answer or a timeout).
pub(crate) async fn send_message(shared: &Arc<Shared>, msg: Outgoing) -> Result<SendOutcome, ClientError> {
    let now = now_secs();
    let key = (msg.from.clone(), msg.random);
    let (template, mut reservation) = loop {
        {
            let mut w = lock(shared);
            let g = w.groups.get_mut(&msg.group_id).ok_or_else(|| err(10010, "group not found"))?;
            if msg.require_member && !g.members.contains_key(&msg.from) {
                return Err(err(10007, "the sender is not a member of the group"));
            }
            g.recent.retain(|_, r| r.at.elapsed() < DEDUP_WINDOW);
            match g.recent.get(&key).map(|r| r.outcome) {
                // Same sender, same Random within 5 minutes: a duplicate, not delivered again.
                Some(Some((seq, dropped))) => return Ok(SendOutcome { seq, time: now, dropped }),
                // The first is still on its way: wait for its outcome.
                Some(None) => {}
                None => {
                    let cb = MsgCallback {
                        group_id: g.id.clone(),
                        group_type: g.group_type.clone(),
                        from_account: msg.from.clone(),
                        operator_account: msg.operator.clone(),
                        random: msg.random,
                        online_only_flag: 0,
                        msg_body: msg.body.clone(),
                        cloud_custom_data: None,
                        topic_id: None,
                        event_time: now_ms(),
                        msg_seq: None,
                        msg_time: None,
                        error_code: None,
                        error_info: None,
                    };
                    if !msg.from_admin && (g.is_muted(&msg.from, now) || g.mute_all) {
                        exception(shared, &cb, 10017, "the sender is muted", msg.platform);
                        return Err(err(10017, "you are muted in this group"));
                    }
                    g.recent.insert(key.clone(), Remembered { at: Instant::now(), outcome: None });
                    let reservation = Reservation { shared, group_id: &msg.group_id, key, decided: false };
                    break (cb, reservation);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };

    let mut body = msg.body.clone();
    let mut silently_dropped = false;
    if !msg.forbid_before {
        let outcome = shared
            .callbacks
            .before(target(shared), shared.config.sdkappid, &Callback::BeforeSendMsg(template.clone()), msg.platform)
            .await;
        match decide(shared, outcome) {
            Ok(Some(modified)) => body = modified,
            Ok(None) => {}
            Err(e) if e.code == 0 => silently_dropped = true,
            Err(e) => {
                exception(shared, &template, e.code, &e.info, msg.platform);
                return Err(e);
            }
        }
    }

    let (seq, admitted) = {
        let mut w = lock(shared);
        let ceiling = shared.config.messages_per_second;
        let World { groups, rng, .. } = &mut *w;
        let g = groups.get_mut(&msg.group_id).ok_or_else(|| err(10010, "group not found"))?;
        g.next_seq += 1;
        let seq = g.next_seq;
        if silently_dropped {
            // The business server said "drop silently": success for the sender, nothing delivered.
            reservation.decide(g, seq, false);
            return Ok(SendOutcome { seq, time: now, dropped: false });
        }
        let admitted = g.admit(msg.priority, ceiling, rng);
        reservation.decide(g, seq, !admitted);
        if admitted {
            let _ = shared.deliveries.send(Delivered {
                group_id: msg.group_id.clone(),
                from: msg.from.clone(),
                body: body.clone(),
                priority: msg.priority,
                seq,
                system: false,
            });
        }
        (seq, admitted)
    };
    if !admitted {
        exception(shared, &template, 10023, "msg count exceeds limit,please retry later", msg.platform);
        return Ok(SendOutcome { seq, time: now, dropped: true });
    }
    if !msg.forbid_after {
        let after =
            MsgCallback { msg_body: body, msg_seq: Some(seq), msg_time: Some(now), event_time: now_ms(), ..template };
        shared.callbacks.after(target(shared), shared.config.sdkappid, Callback::AfterSendMsg(after), msg.platform);
    }
    Ok(SendOutcome { seq, time: now, dropped: false })
}

fn state_change(shared: &Shared, user: &str, action: &str, reason: &str, platform: &'static str) {
    let cb = Callback::StateChange(StateChange {
        event_time: now_ms(),
        info: StateChangeInfo { action: action.into(), to_account: user.into(), reason: reason.into() },
        kicked_device: Vec::new(),
    });
    shared.callbacks.after(target(shared), shared.config.sdkappid, cb, platform);
}

pub(crate) async fn join(
    shared: &Arc<Shared>,
    group_id: &str,
    user: &str,
    platform: &'static str,
) -> Result<(), ClientError> {
    let group_type = {
        let w = lock(shared);
        let g = w.groups.get(group_id).ok_or_else(|| err(10010, "group not found"))?;
        if g.members.contains_key(user) {
            return Ok(());
        }
        if g.is_banned(user, now_secs()) {
            return Err(err(10007, "you are banned from this group"));
        }
        g.group_type.clone()
    };
    let before = Callback::BeforeApplyJoinGroup(BeforeApplyJoinGroup {
        group_id: group_id.into(),
        group_type: group_type.clone(),
        requestor_account: user.into(),
        apply_msg: None,
        event_time: now_ms(),
    });
    let outcome = shared.callbacks.before(target(shared), shared.config.sdkappid, &before, platform).await;
    match decide(shared, outcome) {
        // "Drop silently" is a message answer; for a join, anything but 0 refuses.
        Err(e) if e.code == 0 => return Err(err(10016, "rejected by the business server's callback")),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    let first_group = {
        let mut w = lock(shared);
        let first = !w.groups.values().any(|g| g.members.contains_key(user));
        let g = w.groups.get_mut(group_id).ok_or_else(|| err(10010, "group not found"))?;
        let at = now_us().max(g.members.values().max().map_or(0, |last| last + 1));
        if platform == "Web" {
            g.web_members.insert(user.into());
        }
        g.members.insert(user.into(), at);
        w.accounts.insert(user.into());
        first
    };
    if first_group {
        state_change(shared, user, "Login", "Register", platform);
    }
    let after = Callback::AfterNewMemberJoin(AfterNewMemberJoin {
        group_id: group_id.into(),
        group_type,
        join_type: "Apply".into(),
        operator_account: user.into(),
        new_member_list: vec![MemberAccount { member_account: user.into() }],
        event_time: now_ms(),
    });
    shared.callbacks.after(target(shared), shared.config.sdkappid, after, platform);
    Ok(())
}

pub(crate) async fn leave(
    shared: &Arc<Shared>,
    group_id: &str,
    user: &str,
    platform: &'static str,
) -> Result<(), ClientError> {
    remove_member(shared, group_id, user, "Quit", user, platform)
}

/// Removes a member (leaving, or banned by the admin) and tells the business server.
pub(crate) fn remove_member(
    shared: &Shared,
    group_id: &str,
    user: &str,
    exit_type: &str,
    operator: &str,
    platform: &'static str,
) -> Result<(), ClientError> {
    let (group_type, last_group) = {
        let mut w = lock(shared);
        let g = w.groups.get_mut(group_id).ok_or_else(|| err(10010, "group not found"))?;
        g.web_members.remove(user);
        if g.members.remove(user).is_none() {
            return Err(err(10007, "not a member of the group"));
        }
        let group_type = g.group_type.clone();
        (group_type, !w.groups.values().any(|g| g.members.contains_key(user)))
    };
    let after = Callback::AfterMemberExit(AfterMemberExit {
        group_id: group_id.into(),
        group_type,
        exit_type: exit_type.into(),
        operator_account: operator.into(),
        exit_member_list: vec![MemberAccount { member_account: user.into() }],
        event_time: now_ms(),
    });
    shared.callbacks.after(target(shared), shared.config.sdkappid, after, platform);
    if last_group && exit_type == "Quit" {
        state_change(shared, user, "Logout", "Unregister", platform);
    }
    Ok(())
}
