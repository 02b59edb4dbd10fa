//! The remote console: one hub (with its room on the sandbox) and consoles that are its clients over
//! real HTTP and WebSocket connections on 127.0.0.1 — the owner (the hub's API token), a moderator and
//! a viewer, each with the token of an invite. Everyone sees a moderator's mute with the actor's name;
//! a viewer's command is refused and audited; a console cut off mid-stream (a TCP forwarder between
//! it and the hub, closed and opened again) resumes without a gap or a repeat while the room keeps
//! talking, and refuses commands at once meanwhile; a revoked console stops for good; a hub over TLS
//! with a self-signed certificate is trusted through the extra root and refused without it; a hub that
//! redirects never gets the token or an invite code sent on. The last tests drive the app's own IPC
//! commands on a remote hub, and joining one by invite.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use im::Secret;
use reqwest::Method;
use room::actor::ModAction;
use room::event::{AuditAction, Feed};
use room::{ErrorCode, EventEnvelope, RoomEvent, WireError};
use sandbox::Switches;
use serde_json::{json, Value};
use server::access::Role;
use server::remote::{HubConnection, RemoteConfig, RemoteRoom};
use support::api::room_url;
use support::stack::{Stack, API_TOKEN};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);

async fn call(s: &Stack, token: &str, method: Method, path: &str, body: Option<Value>) -> (reqwest::StatusCode, Value) {
    support::api::call(&format!("{}{path}", room_url(s)), token, method, body).await
}

/// The owner invites `name` as `role`, and the invite is redeemed: the person's token and ID.
async fn join(s: &Stack, role: &str, name: &str) -> (String, u64) {
    let body = json!({"role": role, "name": name, "validForSecs": 600});
    let (status, invite) = call(s, API_TOKEN, Method::POST, "/invites", Some(body)).await;
    assert_eq!(status, 200, "the owner may invite: {invite}");
    let url = format!("http://{}", s.hub_addr);
    let joined = server::remote::redeem(&url, None, invite["code"].as_str().unwrap(), None)
        .await
        .expect("a fresh invite is redeemed");
    assert_eq!((joined.role.as_str(), joined.name.as_str()), (role, name));
    (joined.token, joined.person_id)
}

fn remote_at(url: String, token: &str) -> RemoteRoom {
    RemoteRoom::connect(RemoteConfig { url, room: None, token: Secret::new(token), extra_root_pem: None })
        .expect("a loopback hub is a valid address")
}

/// A console of the stack's hub, straight to it.
fn remote(s: &Stack, token: &str) -> RemoteRoom {
    RemoteRoom::connect(RemoteConfig {
        url: format!("http://{}", s.hub_addr),
        room: Some(s.group()),
        token: Secret::new(token),
        extra_root_pem: None,
    })
    .expect("a loopback hub is a valid address")
}

/// Waits until the console's connection state satisfies `want`; the state.
async fn state_until(room: &RemoteRoom, what: &str, want: impl Fn(&HubConnection) -> bool) -> HubConnection {
    let mut rx = room.connection();
    let found = tokio::time::timeout(WAIT, rx.wait_for(|s| want(s))).await;
    let now = room.connection().borrow().clone();
    found.unwrap_or_else(|_| panic!("within 5 s the console should be {what}; it is {now:?}")).expect("the link lives");
    now
}

async fn connected(room: &RemoteRoom) -> (Role, String) {
    match state_until(room, "connected", |s| matches!(s, HubConnection::Connected { .. })).await {
        HubConnection::Connected { role, name } => (role, name),
        _ => unreachable!(),
    }
}

/// Every state the console goes through, in order.
fn record_states(room: &RemoteRoom) -> Arc<Mutex<Vec<HubConnection>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut rx = room.connection();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            log.lock().unwrap().push(rx.borrow_and_update().clone());
            if rx.changed().await.is_err() {
                return;
            }
        }
    });
    seen
}

/// A follower of a remote console's room, checking each feed item continues the last.
struct Follower {
    rx: mpsc::UnboundedReceiver<Feed>,
    ended: tokio::task::JoinHandle<Result<(), WireError>>,
    seq: u64,
    snapshots: usize,
    /// Every event received, in order.
    events: Vec<EventEnvelope>,
    /// Events received but not yet looked for.
    unread: Vec<RoomEvent>,
}

fn follow(room: &RemoteRoom) -> Follower {
    let (tx, rx) = mpsc::unbounded_channel();
    let room = room.clone();
    let ended = tokio::spawn(async move { room.follow(move |feed| tx.send(feed).is_ok()).await });
    Follower { rx, ended, seq: 0, snapshots: 0, events: Vec::new(), unread: Vec::new() }
}

impl Follower {
    async fn next(&mut self) {
        let feed = tokio::time::timeout(WAIT, self.rx.recv())
            .await
            .expect("the feed delivers within 5 s")
            .expect("the feed goes on");
        match feed {
            Feed::Snapshot { snapshot } => {
                self.seq = snapshot.seq;
                self.snapshots += 1;
            }
            Feed::Events { events } => {
                assert!(!events.is_empty(), "no empty batches");
                for e in events {
                    assert_eq!(e.seq, self.seq + 1, "events continue the sequence with no gap and no repeat");
                    self.seq = e.seq;
                    self.unread.push(e.event.clone());
                    self.events.push(e);
                }
            }
        }
    }

    async fn snapshot(&mut self) {
        while self.snapshots == 0 {
            self.next().await;
        }
    }

    /// The first unread event satisfying `want`.
    async fn until(&mut self, want: impl Fn(&RoomEvent) -> bool) -> RoomEvent {
        loop {
            if let Some(i) = self.unread.iter().position(&want) {
                return self.unread.remove(i);
            }
            self.next().await;
        }
    }
}

fn audit_line(e: &RoomEvent, action: AuditAction) -> Option<&room::event::AuditLine> {
    match e {
        RoomEvent::Audit(line) if line.action == action => Some(line),
        _ => None,
    }
}

fn mute(user: &str) -> ModAction {
    ModAction::Mute { user_id: user.into(), seconds: 60, until_end_of_stream: false, reason: "spam".into() }
}

async fn muted(s: &Stack, user: &str) -> bool {
    s.im.group(s.group()).muted_accounts().await.unwrap().iter().any(|m| m.member_account == user)
}

/// A TCP forwarder between consoles and the hub, which can cut every connection and refuse new ones
/// (a network that drops) and then let them through again.
struct Forwarder {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    links: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Forwarder {
    async fn start(target: SocketAddr) -> Forwarder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let f = Forwarder {
            addr: listener.local_addr().unwrap(),
            open: Arc::new(AtomicBool::new(true)),
            accepted: Arc::default(),
            links: Arc::default(),
        };
        let (open, accepted, links) = (f.open.clone(), f.accepted.clone(), f.links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                if !open.load(Ordering::SeqCst) {
                    continue; // dropped: the console sees its connection closed
                }
                let link = tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                links.lock().unwrap().push(link.abort_handle());
            }
        });
        f
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Cuts every connection through it and refuses new ones.
    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn mend(&self) {
        self.open.store(true, Ordering::SeqCst);
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_moderators_mute_reaches_every_remote_console_with_their_name_and_a_viewers_command_is_refused_and_audited() {
    let s = Stack::start(Switches::all()).await;
    let (alice, _) = join(&s, "moderator", "mod_alice").await;
    let (bo, _) = join(&s, "viewer", "prod_bo").await;
    let owner = remote(&s, API_TOKEN);
    let moderator = remote(&s, &alice);
    let viewer = remote(&s, &bo);
    assert_eq!(connected(&owner).await, (Role::Owner, "owner".into()), "the hub says who each console is");
    assert_eq!(connected(&moderator).await, (Role::Moderator, "mod_alice".into()));
    assert_eq!(connected(&viewer).await, (Role::Viewer, "prod_bo".into()));
    assert_eq!(viewer.me().unwrap().room, s.group(), "and which room it hosts");

    let mut feeds = [follow(&owner), follow(&moderator), follow(&viewer)];
    for f in &mut feeds {
        f.snapshot().await;
    }
    let _u1 = s.viewer("u1").await;
    moderator.moderate(mute("u1")).await.expect("a moderator may mute");
    for f in &mut feeds {
        f.until(|e| matches!(e, RoomEvent::UserMuted { user_id, until: Some(_) } if user_id == "u1")).await;
        let line = f.until(|e| audit_line(e, AuditAction::Mute).is_some()).await;
        assert_eq!(audit_line(&line, AuditAction::Mute).unwrap().actor, "mod_alice", "every console sees who muted");
    }
    assert!(muted(&s, "u1").await, "the mute reached Tencent (the sandbox)");

    let refused = viewer.moderate(mute("u2")).await.expect_err("a viewer may not moderate");
    assert_eq!(refused.code, ErrorCode::Forbidden, "{refused:?}");
    assert!(refused.message.contains("a viewer may not moderate viewers"), "{}", refused.message);
    for f in &mut feeds {
        let line = f.until(|e| audit_line(e, AuditAction::Refused).is_some()).await;
        assert_eq!(audit_line(&line, AuditAction::Refused).unwrap().actor, "prod_bo", "the refusal is audited by name");
    }
    assert!(!muted(&s, "u2").await, "nothing reached Tencent");

    let secret = moderator.stream_address().await.expect_err("the push address is the owner's");
    assert_eq!(secret.code, ErrorCode::Forbidden, "{secret:?}");
    assert_eq!(moderator.people().await.unwrap_err().code, ErrorCode::Forbidden, "the people list is the owner's");
    assert_eq!(owner.people().await.expect("the owner lists people").len(), 2);

    let team = viewer.team().await.expect("everyone sees who is connected");
    let seen: Vec<_> = team.iter().map(|m| (m.name.as_str(), m.role, m.connected > 0)).collect();
    assert_eq!(
        seen,
        [("owner", Role::Owner, true), ("mod_alice", Role::Moderator, true), ("prod_bo", Role::Viewer, true)],
        "the team with roles, each connected"
    );
}

#[tokio::test]
async fn every_command_of_a_remote_console_reaches_the_hub_and_is_audited_under_its_persons_name() {
    use room::event::AuditLine;
    use room::store::AuditQuery;
    use room::words::{WordAction, WordRule};
    let s = Stack::start(Switches::all()).await;
    let g = s.group();
    let (alice, _) = join(&s, "moderator", "mod_alice").await;
    let (owner, moderator) = (remote(&s, API_TOKEN), remote(&s, &alice));
    connected(&owner).await;
    connected(&moderator).await;
    let mut feed = follow(&owner);
    feed.snapshot().await;

    owner.set_notice(Some("Tonight at eight".into()), None).await.expect("the owner sets the notice");
    assert_eq!(s.im.group(&g).info().await.unwrap().notification, "Tonight at eight", "written to the profile");
    assert_eq!(owner.snapshot().await.unwrap().notice, "Tonight at eight");
    owner.set_status(room::RoomStatus::Live).await.expect("the owner goes live");
    owner.broadcast("A special guest!").await.expect("and broadcasts");
    let ladder = owner.strike_ladder().await.unwrap();
    owner.set_strike_ladder(ladder.clone()).await.expect("the strike ladder goes back as it came");
    assert_eq!(moderator.strike_ladder().await.unwrap(), ladder);
    assert!(owner.sessions(5).await.unwrap().len() <= 5);

    let rules = vec![WordRule { pattern: "my link".into(), action: WordAction::Hold }];
    moderator.set_words(rules.clone()).await.expect("a moderator sets the word list");
    assert_eq!(owner.words().await.unwrap(), rules);
    let fan = s.viewer("fan_2").await;
    fan.send_text(&g, "see my link").await.unwrap();
    let RoomEvent::Held(held) = feed.until(|e| matches!(e, RoomEvent::Held(_))).await else { unreachable!() };
    moderator.resolve_held(held.id, true).await.expect("a moderator approves a held message");
    feed.until(|e| matches!(e, RoomEvent::Chat(c) if c.text == "see my link")).await;
    assert_eq!(moderator.resolve_held(held.id, false).await.unwrap_err().code, ErrorCode::Invalid, "once");

    moderator.set_note("fan_2", "regular").await.expect("a moderator writes a note");
    let card = moderator.user_card("fan_2").await.unwrap();
    assert_eq!((card.note.as_str(), card.messages), ("regular", 1));
    moderator.lottery_open("888").await.unwrap();
    fan.send_text(&g, "888").await.unwrap();
    feed.until(|e| matches!(e, RoomEvent::Chat(c) if c.text == "888")).await;
    moderator.lottery_close().await.unwrap();
    assert_eq!(moderator.lottery_draw(1, Some(7)).await.unwrap(), ["fan_2"], "the entrant wins");

    moderator.moderate(mute("fan_2")).await.unwrap();
    let query = AuditQuery { action: Some(AuditAction::Mute), target: Some("fan_2".into()), ..AuditQuery::default() };
    let lines: Vec<AuditLine> = moderator.audit(query).await.unwrap();
    assert_eq!(lines.len(), 1, "the audit query's filters reach the hub: {lines:?}");
    moderator.undo(lines[0].id).await.expect("a moderator undoes their mute");
    assert!(!muted(&s, "fan_2").await, "the undo reached Tencent");

    let all = owner.audit(AuditQuery::default()).await.unwrap();
    let by = |who: &str| all.iter().filter(|l| l.actor == who).map(|l| l.action.as_str()).rev().collect::<Vec<_>>();
    assert_eq!(by("owner"), ["invite", "notice", "status", "broadcast", "ladder"], "{all:?}");
    let alices = ["join", "words", "approve", "lottery", "lottery", "lottery", "mute", "unmute"];
    assert_eq!(by("mod_alice"), alices, "{all:?}");

    let e = owner.stream_address().await.expect_err("this hub has no stream desk");
    assert!(e.code == ErrorCode::Invalid && e.message.contains("ANCHORDESK_PUSH_DOMAIN"), "{e:?}");
    for e in [owner.stream_go_live().await, owner.stream_apply_obs().await, owner.stream_stop(false).await] {
        assert_eq!(e.unwrap_err().code, ErrorCode::Invalid, "the hub's answer comes back as it is");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_cut_off_mid_stream_resumes_without_a_gap_or_a_repeat_and_refuses_commands_meanwhile() {
    let s = Stack::start(Switches::all()).await;
    let (alice, _) = join(&s, "moderator", "mod_alice").await;
    let net = Forwarder::start(s.hub_addr).await;
    let moderator = remote_at(net.url(), &alice);
    let states = record_states(&moderator);
    connected(&moderator).await;
    let mut feed = follow(&moderator);
    feed.snapshot().await;

    // The room keeps talking the whole time: an audit line every 5 ms.
    const TICKS: usize = 240;
    let room = s.room.clone();
    let ticking = tokio::spawn(async move {
        for i in 0..TICKS {
            room.audit_access("owner", AuditAction::Invite, &format!("tick{i}"), "").await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let is_tick = |n: usize| {
        move |e: &RoomEvent| audit_line(e, AuditAction::Invite).is_some_and(|l| l.target == format!("tick{n}"))
    };
    feed.until(is_tick(20)).await;

    net.cut();
    state_until(&moderator, "reconnecting", |s| matches!(s, HubConnection::Reconnecting { .. })).await;
    let asked = Instant::now();
    let offline = moderator.moderate(mute("u2")).await.expect_err("no hub, no mute");
    assert!(asked.elapsed() < Duration::from_millis(200), "it fails at once: {:?}", asked.elapsed());
    assert_eq!(offline.code, ErrorCode::Offline, "{offline:?}");
    assert!(offline.message.contains("was not done"), "the user is told it was not done: {}", offline.message);
    tokio::time::sleep(Duration::from_millis(300)).await;
    net.mend();

    connected(&moderator).await;
    ticking.await.unwrap();
    feed.until(is_tick(TICKS - 1)).await;
    let ticks: Vec<String> = feed
        .events
        .iter()
        .filter_map(|e| audit_line(&e.event, AuditAction::Invite).map(|l| l.target.clone()))
        .collect();
    let want: Vec<String> = (0..TICKS).map(|i| format!("tick{i}")).collect();
    assert_eq!(ticks, want, "every event exactly once and in order, those made while cut off included");
    assert_eq!(feed.snapshots, 1, "the hub replayed what was missed: no fresh snapshot was needed");

    let seen = states.lock().unwrap().clone();
    let lost = seen.iter().position(|s| matches!(s, HubConnection::Reconnecting { attempt: 1, .. }));
    let back = lost.and_then(|i| seen[i..].iter().position(|s| matches!(s, HubConnection::Connected { .. })));
    assert!(back.is_some(), "connected, reconnecting (attempt 1, 2…), connected again: {seen:?}");
    let (_, lines) = call(&s, API_TOKEN, Method::GET, "/audit?target=u2", None).await;
    assert_eq!(lines, json!([]), "the command refused offline was not done later either");
    assert!(!muted(&s, "u2").await);
}

#[tokio::test]
async fn after_the_hub_restarts_the_console_starts_again_from_a_fresh_snapshot_of_the_new_run() {
    let mut s = Stack::start(Switches::all()).await;
    let (alice, _) = join(&s, "moderator", "mod_alice").await;
    let moderator = remote(&s, &alice);
    connected(&moderator).await;
    let mut feed = follow(&moderator);
    feed.snapshot().await;
    s.room.audit_access("owner", AuditAction::Invite, "before", "").await.unwrap();
    feed.until(|e| audit_line(e, AuditAction::Invite).is_some_and(|l| l.target == "before")).await;

    s.restart().await;
    state_until(&moderator, "reconnecting", |s| matches!(s, HubConnection::Reconnecting { .. })).await;
    connected(&moderator).await;
    while feed.snapshots < 2 {
        feed.next().await;
    }
    s.room.audit_access("owner", AuditAction::Invite, "after", "").await.unwrap();
    feed.until(|e| audit_line(e, AuditAction::Invite).is_some_and(|l| l.target == "after")).await;
    let befores =
        feed.events.iter().filter(|e| audit_line(&e.event, AuditAction::Invite).is_some_and(|l| l.target == "before"));
    assert_eq!(befores.count(), 1, "nothing from the old run is delivered twice");
}

#[tokio::test]
async fn a_revoked_console_stops_for_good_and_a_forged_token_is_refused_without_retrying() {
    let s = Stack::start(Switches::all()).await;
    let (carl, id) = join(&s, "moderator", "mod_carl").await;
    let net = Forwarder::start(s.hub_addr).await;
    let moderator = remote_at(net.url(), &carl);
    connected(&moderator).await;
    let mut feed = follow(&moderator);
    feed.snapshot().await;

    let (status, _) = call(&s, API_TOKEN, Method::DELETE, &format!("/people/{id}"), None).await;
    assert_eq!(status, 200, "the owner revokes carl");
    let state = state_until(&moderator, "revoked", |s| matches!(s, HubConnection::Revoked { .. })).await;
    assert!(matches!(&state, HubConnection::Revoked { reason } if reason.contains("revoked")), "{state:?}");
    let ended = tokio::time::timeout(WAIT, &mut feed.ended).await.expect("the feed ends").unwrap();
    assert_eq!(ended.expect_err("with the reason").code, ErrorCode::Forbidden);
    let connections = net.accepted();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(net.accepted(), connections, "no attempt to reconnect (the first would come within 0.5 s)");
    assert!(matches!(*moderator.connection().borrow(), HubConnection::Revoked { .. }), "and it stays revoked");
    let refused = moderator.moderate(mute("u1")).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden, "{refused:?}");

    let forged = remote(&s, &format!("adp_{}", "A".repeat(43)));
    let state = state_until(&forged, "unauthorized", |s| matches!(s, HubConnection::Unauthorized { .. })).await;
    assert!(matches!(&state, HubConnection::Unauthorized { reason } if reason.contains("token")), "{state:?}");
    let revoked_token = remote(&s, &carl);
    state_until(&revoked_token, "unauthorized", |s| matches!(s, HubConnection::Unauthorized { .. })).await;
}

#[test]
fn a_hub_address_in_clear_over_the_internet_is_refused_before_any_token_is_sent() {
    for url in ["http://203.0.113.5:8690", "ws://hub.example.com"] {
        let config =
            RemoteConfig { url: url.into(), room: None, token: Secret::new("adp_secret"), extra_root_pem: None };
        let e = RemoteRoom::connect(config).expect_err("refused").to_string();
        assert!(e.contains("use https:// — a token must not cross the internet in clear"), "{url}: {e}");
        assert!(!e.contains("adp_secret"), "the token is never echoed");
    }
}

/// Starts an HTTP server on 127.0.0.1 answering every request with `answer`; its address, and the
/// `Authorization` header (or "-") and path of each request it received.
async fn http_server(
    answer: impl Fn(&str) -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (SocketAddr, Arc<Mutex<Vec<(String, String)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, uri: axum::http::Uri| {
        let (log, answer) = (log.clone(), answer.clone());
        async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
            log.lock().unwrap().push((auth, uri.path().to_string()));
            answer(uri.path())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

#[tokio::test]
async fn a_hub_that_redirects_elsewhere_never_gets_the_token_or_the_invite_code_sent_on() {
    use axum::response::IntoResponse;
    // Where a redirect leads, e.g. a server that is not the hub (here on this machine too, where
    // http:// would otherwise be allowed).
    let (elsewhere, caught) = http_server(|_| "ok".into_response()).await;
    let (hub, asked) = http_server(move |path| {
        let to = format!("http://{elsewhere}{path}");
        (reqwest::StatusCode::TEMPORARY_REDIRECT, [(axum::http::header::LOCATION, to)]).into_response()
    })
    .await;
    let token = "adp_never_follows_a_redirect";
    let console = remote_at(format!("http://{hub}"), token);
    let state = state_until(&console, "reconnecting", |s| matches!(s, HubConnection::Reconnecting { .. })).await;
    assert!(matches!(&state, HubConnection::Reconnecting { reason, .. } if reason.contains("307")), "{state:?}");
    let e = console.snapshot().await.expect_err("nothing is sent before the hub said who this is");
    assert_eq!(e.code, ErrorCode::Offline, "{e:?}");

    let code = "invite-code-never-forwarded";
    let e = server::remote::redeem(&format!("http://{hub}"), None, code, None).await.expect_err("not redeemed");
    assert!(!e.message.contains(code), "the code is never echoed: {}", e.message);
    tokio::time::sleep(Duration::from_millis(1200)).await; // the link tries again meanwhile
    let asked = asked.lock().unwrap().clone();
    assert!(asked.iter().filter(|(auth, _)| auth == &format!("Bearer {token}")).count() >= 2, "{asked:?}");
    assert!(asked.iter().any(|(_, path)| path == "/api/v1/invites/redeem"), "{asked:?}");
    assert_eq!(caught.lock().unwrap().clone(), Vec::<(String, String)>::new(), "no request followed a redirect");
}

struct Pair {
    cert: String,
    key: String,
}

fn self_signed() -> Pair {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("rcgen makes a certificate");
    Pair { cert: ck.cert.pem(), key: ck.key_pair.serialize_pem() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_over_tls_with_a_self_signed_certificate_is_trusted_through_the_extra_root_and_only_so() {
    let dir = tempfile::tempdir().unwrap();
    let pair = self_signed();
    std::fs::write(dir.path().join("cert.pem"), &pair.cert).unwrap();
    std::fs::write(dir.path().join("key.pem"), &pair.key).unwrap();
    let vars = [
        ("ANCHORDESK_AUDIENCE", "off".to_string()),
        ("ANCHORDESK_API_TOKEN", API_TOKEN.to_string()),
        ("ANCHORDESK_TLS_CERT", dir.path().join("cert.pem").display().to_string()),
        ("ANCHORDESK_TLS_KEY", dir.path().join("key.pem").display().to_string()),
    ];
    let config = server::SessionConfig::from_env(dir.path().join("data"), |k| {
        vars.iter().find(|(name, _)| *name == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let hub = server::Session::start(config).await.expect("the hub starts with TLS");
    let url = hub.info.hub_url.clone();
    assert!(url.starts_with("https://localhost:"), "{url}");
    let trusting = |token: &str| RemoteConfig {
        url: url.clone(),
        room: None,
        token: Secret::new(token),
        extra_root_pem: Some(pair.cert.clone()),
    };

    let owner = RemoteRoom::connect(trusting(API_TOKEN)).unwrap();
    assert_eq!(connected(&owner).await, (Role::Owner, "owner".into()), "over WSS, trusting the extra root");
    let mut feed = follow(&owner);
    feed.snapshot().await;
    let address = owner.stream_address().await.expect("the owner gets the push address");
    assert!(address.stream_key.contains("txSecret="), "with its signature");

    let invite = owner.invite(Role::Moderator, Some("mod_tls".into()), Some(600)).await.expect("the owner invites");
    assert!(
        invite.link.starts_with("anchordesk://join?hub=https://localhost:"),
        "the link says https: {}",
        invite.link
    );
    let joined = server::remote::redeem(&url, Some(&pair.cert), &invite.code, None).await.expect("redeemed over HTTPS");
    let moderator = RemoteRoom::connect(trusting(&joined.token)).unwrap();
    assert_eq!(connected(&moderator).await, (Role::Moderator, "mod_tls".into()));
    let refused = moderator.stream_address().await.expect_err("a moderator never receives the push key");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    moderator.lottery_open("666").await.expect("a moderator runs the lottery");
    let line = feed.until(|e| audit_line(e, AuditAction::Lottery).is_some()).await;
    assert_eq!(audit_line(&line, AuditAction::Lottery).unwrap().actor, "mod_tls", "the owner's console sees it");

    let stranger = RemoteRoom::connect(RemoteConfig { extra_root_pem: None, ..trusting(API_TOKEN) }).unwrap();
    let state = state_until(&stranger, "failed", |s| matches!(s, HubConnection::Failed { .. })).await;
    let HubConnection::Failed { reason } = state else { unreachable!() };
    assert!(reason.contains("certificate is not trusted") && reason.contains("hubCa"), "{reason}");
    let e = stranger.snapshot().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline, "nothing is sent to a hub that is not trusted: {e:?}");
    hub.shutdown();
}

/// The app's own IPC commands on the mock runtime, on a console whose settings name a remote hub.
mod app {
    use std::collections::HashMap;

    use tauri::ipc::InvokeResponseBody;
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
    use tauri::{App, Listener, WebviewWindow, WebviewWindowBuilder};

    use super::*;

    /// What the app sent the UI: feed channel items and `hub-connection` events.
    #[derive(Clone, Default)]
    pub struct Seen {
        pub feeds: Arc<Mutex<Vec<Value>>>,
        pub connection: Arc<Mutex<Vec<Value>>>,
    }

    impl Seen {
        pub fn wait(&self, what: &str, from: &Mutex<Vec<Value>>, pick: impl Fn(&Value) -> bool) -> Value {
            let started = Instant::now();
            loop {
                if let Some(v) = from.lock().unwrap().iter().find(|v| pick(v)) {
                    return v.clone();
                }
                assert!(started.elapsed() < WAIT, "within 5 s the UI should get {what}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    pub fn start(vars: HashMap<String, String>, seen: &Seen) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let feeds = seen.feeds.clone();
        let builder = mock_builder().channel_interceptor(move |_, _, _, body| {
            let InvokeResponseBody::Json(text) = body else { return false };
            feeds.lock().unwrap().push(serde_json::from_str(text).unwrap());
            true
        });
        let launch = anchordesk_lib::Launch { env: Arc::new(move |k| vars.get(k).cloned()), keychain: None };
        let mut app =
            anchordesk_lib::console(builder, launch).build(mock_context(noop_assets())).expect("the app builds");
        let connection = seen.connection.clone();
        app.listen_any(anchordesk_lib::HUB_CONNECTION_EVENT, move |event| {
            connection.lock().unwrap().push(serde_json::from_str(event.payload()).unwrap());
        });
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        let main = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("a mock window");
        (app, main)
    }

    pub fn ipc(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, WireError> {
        support::ipc::ipc(window, cmd, body).map_err(|e| serde_json::from_value(e).expect("errors are {code, message}"))
    }

    /// Asks `app_info` until it answers (`notReady` while the console connects).
    pub fn info(window: &WebviewWindow<MockRuntime>) -> Value {
        let started = Instant::now();
        loop {
            match ipc(window, "app_info", json!({})) {
                Ok(info) => return info,
                Err(e) => assert_eq!(e.code, ErrorCode::NotReady, "{e:?}"),
            }
            assert!(started.elapsed() < WAIT, "the console connected within 5 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The owner's own console (embedded hub): it invites only once the hub's API is on, the invite's
/// link names its hub and is redeemed there, the team and people commands show the joiner connected,
/// and revoking from the console stops their remote console for good; each step is audited as the anchor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owners_console_invites_lists_and_revokes_its_team_through_its_own_hub() {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let start = |api: bool| {
            let dir = tempfile::tempdir().unwrap();
            let port = support::free_port();
            let mut vars: std::collections::HashMap<String, String> = [
                ("ANCHORDESK_DATA_DIR", dir.path().display().to_string()),
                ("ANCHORDESK_HUB_LISTEN", format!("127.0.0.1:{port}")),
                ("ANCHORDESK_AUDIENCE", "off".to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            if api {
                vars.insert("ANCHORDESK_API_TOKEN".into(), API_TOKEN.into());
                // The address the team uses, not the listen address, goes in the links.
                vars.insert("ANCHORDESK_HUB_PUBLIC_URL".into(), format!("http://localhost:{port}"));
            }
            let seen = app::Seen::default();
            let (app, main) = app::start(vars, &seen);
            app::info(&main);
            (dir, app, main, seen)
        };
        let invite = json!({"role": "moderator", "name": "mod_bob", "validForSecs": 600});

        let (_dir, _app, off, _) = start(false);
        let refused = app::ipc(&off, "hub_invite", invite.clone()).expect_err("no API, no way in for a moderator");
        assert_eq!(refused.code, ErrorCode::Invalid);
        assert!(refused.message.contains("API token"), "the refusal says what to set: {refused:?}");

        let (_dir, _app, main, seen) = start(true);
        let me = app::ipc(&main, "hub_me", json!({})).unwrap();
        assert_eq!((me["role"].as_str(), me["personId"].as_u64()), (Some("owner"), Some(0)), "{me}");
        let made = app::ipc(&main, "hub_invite", invite).expect("the owner invites");
        let link = made["link"].as_str().unwrap();
        let hub_url = link
            .strip_prefix("anchordesk://join?hub=")
            .and_then(|rest| rest.split_once("&code="))
            .map(|(hub, code)| {
                assert_eq!(code, made["code"].as_str().unwrap(), "the link carries the code");
                hub.to_string()
            })
            .unwrap_or_else(|| panic!("an anchordesk://join link: {link}"));
        assert!(hub_url.starts_with("http://localhost:"), "the link names the public address: {link}");
        let code = made["code"].as_str().unwrap().to_string();
        let joined = runtime
            .block_on(server::remote::redeem(&hub_url, None, &code, None))
            .expect("the link's hub redeems its code");
        assert_eq!((joined.role, joined.name.as_str()), (Role::Moderator, "mod_bob"));
        let again = runtime.block_on(server::remote::redeem(&hub_url, None, &code, None));
        assert_eq!(again.unwrap_err().code, ErrorCode::Forbidden, "an invite is single-use");

        let bob = remote_at(hub_url, &joined.token);
        runtime.block_on(connected(&bob));
        let people = app::ipc(&main, "hub_people", json!({})).unwrap();
        let person = people.as_array().unwrap().iter().find(|p| p["name"] == "mod_bob").expect("the joiner is listed");
        assert_eq!((person["id"].as_u64(), person["revoked"].as_bool()), (Some(joined.person_id), Some(false)));
        assert!(!people.to_string().contains(&joined.token), "no token in the list");
        let team = app::ipc(&main, "hub_team", json!({})).unwrap();
        assert!(team.as_array().unwrap().iter().any(|m| m["name"] == "mod_bob" && m["connected"] == 1), "{team}");

        let revoked = app::ipc(&main, "hub_revoke", json!({"personId": joined.person_id})).expect("the owner revokes");
        assert_eq!(revoked["revoked"], true);
        runtime.block_on(state_until(&bob, "revoked", |c| matches!(c, HubConnection::Revoked { .. })));
        let unknown = app::ipc(&main, "hub_revoke", json!({"personId": 999})).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::Invalid, "{unknown:?}");

        app::ipc(&main, "room_subscribe", json!({"onFeed": "__CHANNEL__:7"})).unwrap();
        for action in ["invite", "join", "revoke"] {
            seen.wait(&format!("the {action} in the audit"), &seen.feeds, |f| {
                f["type"] == "snapshot"
                    && f["snapshot"]["audit"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| a["action"] == action && a["target"] == "mod_bob")
            });
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_commands_act_on_a_remote_hub_as_the_person_its_token_names_until_revoked() {
    let s = Stack::start(Switches::all()).await;
    let (alice, id) = join(&s, "moderator", "mod_alice").await;
    let _u1 = s.viewer("u1").await;
    let dir = tempfile::tempdir().unwrap();
    let vars: std::collections::HashMap<String, String> = [
        ("ANCHORDESK_DATA_DIR", dir.path().display().to_string()),
        ("ANCHORDESK_HUB_URL", format!("http://{}", s.hub_addr)),
        ("ANCHORDESK_HUB_TOKEN", alice),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let (group, revoke_url) = (s.group(), format!("{}/people/{id}", room_url(&s)));
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let seen = app::Seen::default();
        let (_app, main) = app::start(vars, &seen);
        let info = app::info(&main);
        assert_eq!((info["mode"].as_str(), info["groupId"].as_str()), (Some("remote"), Some(group.as_str())), "{info}");
        let me = app::ipc(&main, "hub_connection", json!({})).unwrap();
        assert_eq!(me, json!({"type": "connected", "role": "moderator", "name": "mod_alice"}));
        seen.wait("the connected state as an event", &seen.connection, |v| v["type"] == "connected");

        app::ipc(&main, "room_subscribe", json!({"onFeed": "__CHANNEL__:7"})).expect("the console follows the room");
        seen.wait("the snapshot", &seen.feeds, |f| {
            f["type"] == "snapshot" && f["snapshot"]["groupId"] == group.as_str()
        });
        let action = json!({"action": {"type": "mute", "userId": "u1", "seconds": 60}});
        app::ipc(&main, "room_moderate", action).expect("the moderator mutes through the hub");
        let muted_by = |f: &Value| {
            f["type"] == "events"
                && f["events"].as_array().unwrap().iter().any(|e| {
                    e["event"]["type"] == "audit"
                        && e["event"]["action"] == "mute"
                        && e["event"]["actor"] == "mod_alice"
                })
        };
        seen.wait("the mute, under the moderator's name", &seen.feeds, muted_by);
        let refused = app::ipc(&main, "stream_address", json!({})).expect_err("the push address stays in the hub");
        assert_eq!(refused.code, ErrorCode::Forbidden, "{refused:?}");
        let team = app::ipc(&main, "hub_team", json!({})).unwrap();
        assert!(team.as_array().unwrap().iter().any(|m| m["name"] == "mod_alice" && m["connected"] == 1), "{team}");

        let (status, _) = runtime.block_on(support::api::call(&revoke_url, API_TOKEN, Method::DELETE, None));
        assert_eq!(status, 200);
        seen.wait("the revocation as an event", &seen.connection, |v| v["type"] == "revoked");
        let refused = app::ipc(&main, "room_set_note", json!({"userId": "u1", "note": "x"})).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden, "a revoked console does nothing: {refused:?}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_by_invite_checks_the_address_before_spending_the_code_and_keeps_the_token_from_the_ui() {
    let s = Stack::start(Switches::all()).await;
    let body = json!({"role": "moderator", "name": "mod_jo", "validForSecs": 600});
    let (status, invite) = call(&s, API_TOKEN, Method::POST, "/invites", Some(body)).await;
    assert_eq!(status, 200, "{invite}");
    let code = invite["code"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let vars: std::collections::HashMap<String, String> =
        [("ANCHORDESK_DATA_DIR", data.display().to_string()), ("ANCHORDESK_AUDIENCE", "off".into())]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
    let hub = format!("http://{}", s.hub_addr);
    let token = tokio::task::spawn_blocking(move || {
        let seen = app::Seen::default();
        let (_app, main) = app::start(vars, &seen);
        let join =
            |url: &str| app::ipc(&main, "hub_join", json!({"hubUrl": url, "code": code, "name": null, "hubCa": null}));

        // An address in clear over the internet is refused before the code is sent.
        let e = join("http://203.0.113.5:8690").expect_err("refused");
        assert!(e.code == ErrorCode::Invalid && e.message.contains("https://"), "{e:?}");
        assert!(!e.message.contains(&code), "the code is never echoed: {e:?}");

        // The right hub: the code is spent, the hub saved, and the UI learns the name and role only.
        let joined = join(&hub).expect("joined");
        assert_eq!((joined["name"].as_str(), joined["role"].as_str()), (Some("mod_jo"), Some("moderator")), "{joined}");
        assert_eq!(joined["settings"]["settings"]["hubUrl"], hub.as_str(), "{joined}");
        assert!(joined["settings"]["secretsSet"].as_array().unwrap().contains(&json!("hubToken")), "{joined}");
        assert!(!joined.to_string().contains("adp_"), "no token reaches the UI: {joined}");
        let view = app::ipc(&main, "settings_get", json!({})).unwrap();
        assert!(!view.to_string().contains("adp_"), "nor later: {view}");

        let again = join(&hub).expect_err("an invite is used once");
        assert!(again.message.contains("already been used") && !again.message.contains(&code), "{again:?}");

        let secrets = std::fs::read_to_string(data.join("secrets.json")).expect("the token is kept as a secret");
        let settings = std::fs::read_to_string(data.join("settings.json")).unwrap();
        assert!(!settings.contains("adp_"), "not among the plain settings: {settings}");
        let at = secrets.find("adp_").expect("the hub's token");
        secrets[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect::<String>()
    })
    .await
    .unwrap();
    // The kept token is the moderator's on the hub.
    let me = support::api::call(&format!("http://{}/api/v1/me", s.hub_addr), &token, Method::GET, None).await;
    assert_eq!((me.0.as_u16(), &me.1["name"], &me.1["role"]), (200, &json!("mod_jo"), &json!("moderator")), "{}", me.1);
}
