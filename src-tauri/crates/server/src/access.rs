//! Who may use the hub's API, and what each may do. The anchor is the **owner**: whoever holds the hub's
//! API token (`ANCHORDESK_API_TOKEN`). The owner invites **moderators** and **viewers**: an invite is a
//! single-use code with a role and an expiry; redeeming it makes a person with their own token. The
//! hub keeps people and invites in its own SQLite file (`hub.sqlite` in the data folder), apart from
//! the room's database, so tokens survive a restart.
//!
//! What each role may do (checked by the hub for every API call, not only hidden in a console):
//!
//! | [`Permission`]   | routes                                                          | owner | moderator | viewer |
//! |------------------|-----------------------------------------------------------------|:-----:|:---------:|:------:|
//! | `read`           | `GET` the room, events, words, audit, user cards, strikes, sessions, `team`; `GET /me` | ✓ | ✓ | ✓ |
//! | `moderate`       | `POST moderation` (mute, kick, ban, hide, mute-all, strike…), undo  | ✓ | ✓ |   |
//! | `held`           | `POST held/{id}` (approve or reject a held message)             |   ✓   |     ✓     |        |
//! | `words`          | `PUT words`                                                     |   ✓   |     ✓     |        |
//! | `notes`          | `PUT users/{user}/note`                                         |   ✓   |     ✓     |        |
//! | `lottery`        | `POST lottery/open`, `close`, `draw`                            |   ✓   |     ✓     |        |
//! | `broadcast`      | `POST broadcast` (every room of the app)                        |   ✓   |           |        |
//! | `notice`         | `PUT notice` (the room's notice and introduction)               |   ✓   |           |        |
//! | `status`         | `POST status` (live, paused, ended…)                            |   ✓   |           |        |
//! | `strikeLadder`   | `PUT strikes` (the room's policy, not an action on a viewer)    |   ✓   |           |        |
//! | `stream`         | everything under `stream` (the push address holds the push key) |   ✓   |           |        |
//! | `gifts`          | `POST gifts` (the billing backend's intake)                     |   ✓   |           |        |
//! | `people`         | invites, the list of people, revoking; any route not listed     |   ✓   |           |        |
//!
//! Tokens and invite codes are random (256 and 128 bits from the OS) and stored only as their SHA-256.
//! A slow password hash would add nothing: nobody can guess a 256-bit value, so the hash only has to
//! be one-way, and looking a token up by its hash leaks nothing an attacker could use (they would need a
//! token whose hash matches, which is the same as guessing the token).
//!
//! Each person (the owner too) has a rate limit on the API; an address that presents bad tokens or
//! invite codes too often is refused for a while. A revoked person's token stops working at once and
//! their open event streams are closed.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// The audit log's name for the owner (the holder of the hub's API token).
pub const OWNER: &str = "owner";
/// The owner's person ID (people made by invites count from 1).
pub const OWNER_ID: u64 = 0;
/// The longest an invite may stay open.
pub const MAX_INVITE_SECS: u64 = 30 * 24 * 3600;
/// Names nobody else may take in the audit log.
const RESERVED: [&str; 4] = [OWNER, "anchor", "api", "hub"];

/// What a person is on the hub's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// The anchor: everything.
    Owner,
    /// Chat actions: moderation, the held queue, word lists, notes, the lottery.
    Moderator,
    /// Reads the console (an assistant or producer); no commands.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Moderator => "moderator",
            Role::Viewer => "viewer",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        [Role::Owner, Role::Moderator, Role::Viewer].into_iter().find(|r| r.as_str() == s)
    }
}

impl Permission {
    /// Whether calls needing this count against the caller's per-person rate limit. The gift intake
    /// does not: a billing backend's gift rush is machine traffic the gift merger queues, not a person.
    pub fn rate_limited(self) -> bool {
        self != Permission::Gifts
    }

    pub const ALL: [Permission; 13] = [
        Permission::Read,
        Permission::Moderate,
        Permission::Held,
        Permission::Words,
        Permission::Notes,
        Permission::Lottery,
        Permission::Broadcast,
        Permission::Notice,
        Permission::Status,
        Permission::StrikeLadder,
        Permission::Stream,
        Permission::Gifts,
        Permission::People,
    ];
}

/// What an API route needs; every route maps to exactly one (see the table above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    Read,
    Moderate,
    Held,
    Words,
    Notes,
    Lottery,
    Broadcast,
    Notice,
    Status,
    StrikeLadder,
    Stream,
    Gifts,
    People,
}

impl Permission {
    /// What the permission lets one do, for refusals ("a moderator may not …").
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Read => "read the room",
            Permission::Moderate => "moderate viewers",
            Permission::Held => "approve or reject held messages",
            Permission::Words => "change the word list",
            Permission::Notes => "write notes about viewers",
            Permission::Lottery => "run the lottery",
            Permission::Broadcast => "broadcast to every room",
            Permission::Notice => "change the room's notice",
            Permission::Status => "change the room's status",
            Permission::StrikeLadder => "change the strike ladder",
            Permission::Stream => "use the stream desk (push address, OBS, going live)",
            Permission::Gifts => "post gifts",
            Permission::People => "manage the hub's people and invites",
        }
    }
}

/// Whether `role` may do what `permission` covers.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Owner => true,
        Role::Moderator => matches!(permission, Read | Moderate | Held | Words | Notes | Lottery),
        Role::Viewer => permission == Read,
    }
}

/// The permission the API route `route` (its pattern, as axum matched it) needs with `method`.
/// Anything not listed needs [`Permission::People`]: unknown routes are the owner's (fail closed).
pub fn permission_for(method: &str, route: &str) -> Permission {
    use Permission::*;
    let route = route.strip_prefix("/api/v1").unwrap_or(route);
    if (method, route) == ("GET", "/me") {
        return Read;
    }
    let Some(tail) = route.strip_prefix("/rooms/{room}") else { return People };
    match (method, tail) {
        ("GET", "" | "/events" | "/words" | "/audit" | "/users/{user}" | "/strikes" | "/sessions" | "/team") => Read,
        ("POST", "/moderation" | "/audit/{id}/undo") => Moderate,
        ("POST", "/held/{id}") => Held,
        ("PUT", "/words") => Words,
        ("PUT", "/users/{user}/note") => Notes,
        ("POST", "/lottery/open" | "/lottery/close" | "/lottery/draw") => Lottery,
        ("POST", "/broadcast") => Broadcast,
        ("PUT", "/notice") => Notice,
        ("POST", "/status") => Status,
        ("PUT", "/strikes") => StrikeLadder,
        (_, t) if t == "/stream" || t.starts_with("/stream/") => Stream,
        ("POST", "/gifts") => Gifts,
        _ => People,
    }
}

/// Who is calling: resolved from the bearer token before any route runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: u64,
    /// The name the audit log records for their actions.
    pub name: String,
    pub role: Role,
}

impl Caller {
    pub fn owner() -> Caller {
        Caller { id: OWNER_ID, name: OWNER.into(), role: Role::Owner }
    }
}

/// A person on the hub's team, as the owner sees them (never a token or its hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    pub role: Role,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: u64,
    /// When their token was last used (unix milliseconds, to the minute).
    #[ts(type = "number | null")]
    pub last_seen: Option<u64>,
    /// Their open event streams.
    pub connected: u32,
    pub revoked: bool,
}

/// Who the caller is on this hub, and the room it hosts (`GET /api/v1/me`): what a remote console
/// learns first, so it needs only the hub's address and its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// 0 for the owner.
    #[ts(type = "number")]
    pub person_id: u64,
    /// The name the audit log records for their actions.
    pub name: String,
    pub role: Role,
    /// The group ID of the room the hub hosts.
    pub room: String,
    /// The Tencent IM app the room belongs to (not a secret: every viewer's app carries it).
    #[ts(type = "number")]
    pub sdk_app_id: u64,
}

/// Someone on the hub's team as every console may see them (`GET …/team`): a name, a role and
/// whether they are connected; nothing the owner alone should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub name: String,
    pub role: Role,
    /// Their open event streams (0: not connected now).
    pub connected: u32,
}

/// A fresh invite: the code is shown once and stored only hashed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    pub code: String,
    /// `anchordesk://join?hub=…&code=…`, for a console to open.
    pub link: String,
    pub role: Role,
    pub name: Option<String>,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub expires_at: u64,
}

/// What redeeming an invite gives: the person's token, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Joined {
    pub token: String,
    pub role: Role,
    pub name: String,
    #[ts(type = "number")]
    pub person_id: u64,
}

/// The hub's limits on its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests a second each person may make, on average…
    pub per_second: u32,
    /// …and in a burst.
    pub burst: u32,
    /// Bad tokens or invite codes one address may present within `failure_window` before it is
    /// refused until the oldest of them is that old.
    pub failures: u32,
    pub failure_window: Duration,
    /// Event streams one person may hold open at once. A console holds one (its windows share it); a
    /// few more cover a flaky network, where the hub notices a dead stream only after its silence limit.
    pub streams: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { per_second: 20, burst: 40, failures: 5, failure_window: Duration::from_secs(60), streams: 16 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the hub's people database failed while {0}: {1}")]
    Db(&'static str, rusqlite::Error),
    #[error("this invite code is not known: check it was copied whole")]
    UnknownCode,
    #[error("this invite has already been used; ask the owner for a new one")]
    UsedCode,
    #[error("this invite has expired; ask the owner for a new one")]
    ExpiredCode,
    #[error("{0}")]
    Invalid(String),
    #[error("no person {0} on this hub")]
    NoSuchPerson(u64),
}

fn db(what: &'static str) -> impl FnOnce(rusqlite::Error) -> Error {
    move |e| Error::Db(what, e)
}

/// The numbered schema migrations of `hub.sqlite`, applied in order (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &["CREATE TABLE people (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_seen INTEGER,
        revoked_at INTEGER
    );
    CREATE TABLE invites (
        code_hash BLOB PRIMARY KEY,
        role TEXT NOT NULL,
        name TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        person_id INTEGER
    );"];

/// People, invites, open streams and limits; cheap to clone (shared).
#[derive(Clone)]
pub struct Access(Arc<Inner>);

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access").field("limits", &self.0.limits).finish_non_exhaustive()
    }
}

struct Inner {
    db: Mutex<Connection>,
    limits: Limits,
    limiter: DefaultKeyedRateLimiter<u64>,
    /// Open event streams per person: how many, and the token that closes them on revocation.
    live: Mutex<HashMap<u64, (u32, CancellationToken)>>,
    /// Recent failed logins per address.
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    /// When each person's `last_seen` was last written, so a busy console writes once a minute.
    seen: Mutex<HashMap<u64, u64>>,
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn random(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A name for the audit log: 1 to 32 letters, digits, `_`, `-` or `.`, not a reserved one.
fn check_name(name: &str) -> Result<(), Error> {
    let fine = !name.is_empty()
        && name.chars().count() <= 32
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !fine {
        return Err(Error::Invalid(format!("{name:?} is not a usable name: 1 to 32 letters, digits, '_', '-' or '.'")));
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(Error::Invalid(format!("{name:?} is reserved; choose another name")));
    }
    if name.chars().any(|c| ('\u{FF00}'..='\u{FFEF}').contains(&c)) {
        return Err(Error::Invalid(format!("{name:?} has full-width letters or digits; use ordinary ones")));
    }
    let mut scripts = name.chars().filter_map(look_alike_script);
    if let Some(first) = scripts.next() {
        if let Some(other) = scripts.find(|s| *s != first) {
            return Err(Error::Invalid(format!(
                "{name:?} mixes {first} and {other} letters, which look alike in the audit log; use one script"
            )));
        }
    }
    Ok(())
}

/// The script of a letter that passes for another script's (Latin "o", Cyrillic "о", Greek "ο"): a
/// name mixing them could pass for someone else's in the audit log. Other scripts mix freely
/// ("さくら_jp", "阿杰_88").
fn look_alike_script(c: char) -> Option<&'static str> {
    match c {
        'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => Some("Latin"),
        '\u{370}'..='\u{3FF}' | '\u{1F00}'..='\u{1FFF}' => Some("Greek"),
        '\u{400}'..='\u{52F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}' => {
            Some("Cyrillic")
        }
        _ => None,
    }
}

impl Access {
    /// Opens (or creates) the people database at `path`.
    pub fn open(path: &Path, limits: Limits) -> Result<Access, Error> {
        let conn = Connection::open(path).map_err(db("opening hub.sqlite"))?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db("enabling WAL"))?;
        Self::with(conn, limits)
    }

    /// A database in memory: people are forgotten when the hub stops.
    pub fn in_memory(limits: Limits) -> Access {
        Self::with(Connection::open_in_memory().expect("SQLite opens in memory"), limits).expect("a fresh schema")
    }

    fn with(mut conn: Connection, limits: Limits) -> Result<Access, Error> {
        let version: usize =
            conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(db("reading the schema version"))?;
        if version > MIGRATIONS.len() {
            return Err(Error::Invalid(format!(
                "hub.sqlite is from a newer AnchorDesk (schema {version}); this one knows {}",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction().map_err(db("migrating"))?;
            tx.execute_batch(sql).map_err(db("migrating"))?;
            tx.pragma_update(None, "user_version", i + 1).map_err(db("recording the schema version"))?;
            tx.commit().map_err(db("migrating"))?;
        }
        let nz = |n: u32| NonZeroU32::new(n.max(1)).expect("at least 1");
        let quota = Quota::per_second(nz(limits.per_second)).allow_burst(nz(limits.burst));
        Ok(Access(Arc::new(Inner {
            db: Mutex::new(conn),
            limits,
            limiter: RateLimiter::keyed(quota),
            live: Mutex::default(),
            failures: Mutex::default(),
            seen: Mutex::default(),
        })))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes an invite for `role` (moderator or viewer), open for `valid_for`. With a `name`, that is
    /// the name the person gets; without one, they choose it when redeeming.
    pub fn invite(&self, role: Role, name: Option<String>, valid_for: Duration) -> Result<(String, u64), Error> {
        if role == Role::Owner {
            return Err(Error::Invalid(
                "an invite makes a moderator or a viewer; the owner is whoever holds the hub's API token".into(),
            ));
        }
        if valid_for.is_zero() || valid_for.as_secs() > MAX_INVITE_SECS {
            return Err(Error::Invalid(format!("an invite is valid for 1 to {MAX_INVITE_SECS} seconds")));
        }
        if let Some(n) = &name {
            check_name(n)?;
        }
        let code = random(16);
        let now = im::clock::now_ms();
        let expires_at = now + valid_for.as_millis() as u64;
        self.conn()
            .execute(
                "INSERT INTO invites (code_hash, role, name, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![hash(&code), role.as_str(), name, now as i64, expires_at as i64],
            )
            .map_err(db("saving an invite"))?;
        Ok((code, expires_at))
    }

    /// Redeems an invite code once: a new person and their token (returned here only).
    pub fn redeem(&self, code: &str, name: Option<&str>) -> Result<Joined, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db("redeeming an invite"))?;
        let found: Option<(String, Option<String>, i64, Option<i64>)> = tx
            .query_row(
                "SELECT role, name, expires_at, used_at FROM invites WHERE code_hash = ?1",
                [hash(code.trim())],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(db("looking up an invite"))?;
        let Some((role, invited_name, expires_at, used_at)) = found else { return Err(Error::UnknownCode) };
        if used_at.is_some() {
            return Err(Error::UsedCode);
        }
        let now = im::clock::now_ms();
        if expires_at as u64 <= now {
            return Err(Error::ExpiredCode);
        }
        let role =
            Role::parse(&role).ok_or_else(|| Error::Invalid(format!("the invite's role {role:?} is unknown")))?;
        let name = match (invited_name, name.map(str::trim).filter(|n| !n.is_empty())) {
            (Some(n), _) => n,
            (None, Some(n)) => n.to_string(),
            (None, None) => return Err(Error::Invalid("this invite needs a name: send {\"code\", \"name\"}".into())),
        };
        check_name(&name)?;
        let taken: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM people WHERE name = ?1 COLLATE NOCASE AND revoked_at IS NULL)",
                [&name],
                |r| r.get(0),
            )
            .map_err(db("checking a name"))?;
        if taken {
            return Err(Error::Invalid(format!("someone on this hub is already called {name:?}; choose another name")));
        }
        let token = format!("adp_{}", random(32));
        tx.execute(
            "INSERT INTO people (name, role, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.as_str(), hash(&token), now as i64],
        )
        .map_err(db("saving a person"))?;
        let person_id = tx.last_insert_rowid() as u64;
        tx.execute(
            "UPDATE invites SET used_at = ?1, person_id = ?2 WHERE code_hash = ?3",
            params![now as i64, person_id as i64, hash(code.trim())],
        )
        .map_err(db("using up an invite"))?;
        tx.commit().map_err(db("redeeming an invite"))?;
        Ok(Joined { token, role, name, person_id })
    }

    /// The person holding `token`, unless it is unknown or revoked.
    pub fn resolve(&self, token: &str) -> Result<Option<Caller>, Error> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT id, name, role FROM people WHERE token_hash = ?1 AND revoked_at IS NULL",
                [hash(token)],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
            )
            .optional()
            .map_err(db("looking up a token"))?;
        let Some((id, name, role)) = found else { return Ok(None) };
        let Some(role) = Role::parse(&role) else { return Ok(None) };
        let now = im::clock::now_ms();
        let minute = now - now % 60_000;
        let mut seen = self.0.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.get(&id) != Some(&minute) {
            seen.insert(id, minute);
            conn.execute("UPDATE people SET last_seen = ?1 WHERE id = ?2", params![minute as i64, id as i64])
                .map_err(db("noting a visit"))?;
        }
        Ok(Some(Caller { id, name, role }))
    }

    /// Everyone who has joined, oldest first (revoked people included, marked).
    pub fn people(&self) -> Result<Vec<Person>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, name, role, created_at, last_seen, revoked_at FROM people ORDER BY id")
            .map_err(db("listing people"))?;
        let live = self.0.live.lock().unwrap_or_else(|p| p.into_inner());
        let rows = stmt
            .query_map([], |r| {
                let id = r.get::<_, i64>(0)? as u64;
                Ok(Person {
                    id,
                    name: r.get(1)?,
                    role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Viewer),
                    created_at: r.get::<_, i64>(3)? as u64,
                    last_seen: r.get::<_, Option<i64>>(4)?.map(|t| t as u64),
                    connected: live.get(&id).map_or(0, |(n, _)| *n),
                    revoked: r.get::<_, Option<i64>>(5)?.is_some(),
                })
            })
            .map_err(db("listing people"))?;
        rows.collect::<Result<_, _>>().map_err(db("listing people"))
    }

    /// The team as every console sees it: the owner, then everyone not revoked, oldest first.
    pub fn team(&self) -> Result<Vec<TeamMember>, Error> {
        let owner = self.0.live.lock().unwrap_or_else(|p| p.into_inner()).get(&OWNER_ID).map_or(0, |(n, _)| *n);
        let owner = TeamMember { name: OWNER.into(), role: Role::Owner, connected: owner };
        let people = self.people()?.into_iter().filter(|p| !p.revoked);
        Ok(std::iter::once(owner)
            .chain(people.map(|p| TeamMember { name: p.name, role: p.role, connected: p.connected }))
            .collect())
    }

    /// Revokes person `id`: their token stops working and their open event streams close, at once.
    pub fn revoke(&self, id: u64) -> Result<Person, Error> {
        let changed = self
            .conn()
            .execute(
                "UPDATE people SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![im::clock::now_ms() as i64, id as i64],
            )
            .map_err(db("revoking"))?;
        let person = self.people()?.into_iter().find(|p| p.id == id).ok_or(Error::NoSuchPerson(id))?;
        if changed == 0 && !person.revoked {
            return Err(Error::NoSuchPerson(id));
        }
        // Cancelled even when no stream is open: a stream whose token was checked just before the
        // revocation registers after it, and must find itself closed. IDs are never reused, and a
        // cancelled entry is kept (see `Live::drop`), so this holds for as long as the hub runs.
        let mut live = self.0.live.lock().unwrap_or_else(|p| p.into_inner());
        live.entry(id).or_insert_with(|| (0, CancellationToken::new())).1.cancel();
        Ok(person)
    }

    /// Registers an open event stream of `caller`'s; it closes when the returned token is cancelled
    /// (on revocation), and counts as connected until the [`Live`] is dropped. `None` when the caller
    /// already holds as many open streams as [`Limits::streams`] allows.
    pub fn connect(&self, caller: &Caller) -> Option<Live> {
        let mut live = self.0.live.lock().unwrap_or_else(|p| p.into_inner());
        let entry = live.entry(caller.id).or_insert_with(|| (0, CancellationToken::new()));
        if entry.0 >= self.0.limits.streams.max(1) {
            return None;
        }
        entry.0 += 1;
        Some(Live { access: self.clone(), id: caller.id, revoked: entry.1.clone() })
    }

    /// Takes one request from `id`'s allowance; `Err` is how long to wait.
    pub fn check_rate(&self, id: u64) -> Result<(), Duration> {
        self.0.limiter.check_key(&id).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// How long `ip` must wait after too many failed logins, if it must.
    pub fn locked_out(&self, ip: IpAddr) -> Option<Duration> {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.0.limits.failure_window;
        let recent = failures.get_mut(&ip)?;
        while recent.front().is_some_and(|t| t.elapsed() >= window) {
            recent.pop_front();
        }
        if recent.len() < self.0.limits.failures.max(1) as usize {
            if recent.is_empty() {
                failures.remove(&ip);
            }
            return None;
        }
        recent.front().map(|first| window.saturating_sub(first.elapsed()).max(Duration::from_secs(1)))
    }

    /// Notes a bad token or invite code from `ip`.
    pub fn failed(&self, ip: IpAddr) {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > 10_000 {
            let window = self.0.limits.failure_window;
            failures.retain(|_, r| r.back().is_some_and(|t| t.elapsed() < window));
        }
        let recent = failures.entry(ip).or_default();
        recent.push_back(Instant::now());
        while recent.len() > self.0.limits.failures.max(1) as usize {
            recent.pop_front();
        }
    }
}

/// An open event stream, counted while it lives; `revoked` fires when its person is revoked.
pub struct Live {
    access: Access,
    id: u64,
    pub revoked: CancellationToken,
}

impl Drop for Live {
    fn drop(&mut self) {
        let mut live = self.access.0.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = live.get_mut(&self.id) {
            entry.0 = entry.0.saturating_sub(1);
            if entry.0 == 0 && !entry.1.is_cancelled() {
                live.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moderators_have_chat_actions_and_viewers_only_read() {
        use Permission::*;
        let all = Permission::ALL;
        assert!(all.iter().all(|p| allows(Role::Owner, *p)), "the owner may do everything");
        let moderator: Vec<_> = all.iter().filter(|p| allows(Role::Moderator, **p)).collect();
        assert_eq!(moderator, [&Read, &Moderate, &Held, &Words, &Notes, &Lottery]);
        let viewer: Vec<_> = all.iter().filter(|p| allows(Role::Viewer, **p)).collect();
        assert_eq!(viewer, [&Read]);
    }

    #[test]
    fn every_route_maps_to_its_permission_and_unknown_ones_are_the_owners() {
        use Permission::*;
        assert_eq!(permission_for("GET", "/api/v1/rooms/{room}"), Read);
        assert_eq!(permission_for("GET", "/api/v1/rooms/{room}/events"), Read);
        assert_eq!(permission_for("GET", "/api/v1/rooms/{room}/team"), Read, "everyone sees who is connected");
        assert_eq!(permission_for("GET", "/api/v1/me"), Read, "everyone may ask who they are");
        assert_eq!(permission_for("POST", "/api/v1/me"), People);
        assert_eq!(permission_for("POST", "/api/v1/rooms/{room}/moderation"), Moderate);
        assert_eq!(permission_for("PUT", "/api/v1/rooms/{room}/words"), Words);
        assert_eq!(permission_for("GET", "/api/v1/rooms/{room}/stream"), Stream, "the push address is the owner's");
        assert_eq!(permission_for("POST", "/api/v1/rooms/{room}/stream/go-live"), Stream);
        assert_eq!(permission_for("PUT", "/api/v1/rooms/{room}/strikes"), StrikeLadder);
        assert_eq!(permission_for("POST", "/api/v1/rooms/{room}/invites"), People);
        assert_eq!(permission_for("DELETE", "/api/v1/rooms/{room}/people/{id}"), People);
        assert_eq!(permission_for("HEAD", "/api/v1/rooms/{room}"), People, "anything unlisted is refused");
        assert_eq!(permission_for("POST", "/api/v1/rooms/{room}/something-new"), People);
    }

    #[test]
    fn an_invite_is_redeemed_once_into_a_token_stored_only_hashed() {
        let access = Access::in_memory(Limits::default());
        let (code, _) = access.invite(Role::Moderator, Some("mod_alice".into()), Duration::from_secs(60)).unwrap();
        assert!(code.len() >= 22, "at least 128 bits");
        let joined = access.redeem(&code, None).unwrap();
        assert_eq!((joined.role, joined.name.as_str()), (Role::Moderator, "mod_alice"));
        assert!(matches!(access.redeem(&code, None), Err(Error::UsedCode)), "single use");
        let caller = access.resolve(&joined.token).unwrap().expect("the token names its person");
        assert_eq!(caller.name, "mod_alice");
        let stored: Vec<u8> = access.conn().query_row("SELECT token_hash FROM people", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, joined.token.as_bytes(), "only the hash is kept");

        let live = access.connect(&caller).expect("a first stream");
        assert_eq!(access.people().unwrap()[0].connected, 1);
        access.revoke(joined.person_id).unwrap();
        assert!(live.revoked.is_cancelled(), "revocation closes open streams");
        assert_eq!(access.resolve(&joined.token).unwrap(), None, "and the token stops working");
    }

    #[test]
    fn a_stream_registered_just_after_its_person_was_revoked_is_closed_too() {
        let access = Access::in_memory(Limits::default());
        let (code, _) = access.invite(Role::Moderator, Some("mod_late".into()), Duration::from_secs(60)).unwrap();
        let joined = access.redeem(&code, None).unwrap();
        // The stream's token was checked (the caller resolved) before the revocation, with no stream
        // open yet; it registers only after.
        let caller = access.resolve(&joined.token).unwrap().unwrap();
        access.revoke(joined.person_id).unwrap();
        let late = access.connect(&caller).expect("registered");
        assert!(late.revoked.is_cancelled(), "it is closed at once");
        drop(late);
        let again = access.connect(&caller).expect("registered");
        assert!(again.revoked.is_cancelled(), "and so is every later one");
    }

    #[test]
    fn one_person_holds_only_so_many_open_streams() {
        let access = Access::in_memory(Limits { streams: 2, ..Limits::default() });
        let owner = Caller::owner();
        let (a, b) = (access.connect(&owner).unwrap(), access.connect(&owner).unwrap());
        assert!(access.connect(&owner).is_none(), "a third is refused");
        let other = Caller { id: 7, name: "mod_x".into(), role: Role::Moderator };
        assert!(access.connect(&other).is_some(), "others keep their own allowance");
        drop(a);
        assert!(access.connect(&owner).is_some(), "a closed stream frees its place");
        drop(b);
    }

    #[test]
    fn invites_refuse_owners_reserved_names_and_expired_codes() {
        let access = Access::in_memory(Limits::default());
        assert!(access.invite(Role::Owner, None, Duration::from_secs(60)).is_err());
        assert!(access.invite(Role::Viewer, Some("owner".into()), Duration::from_secs(60)).is_err());
        let (code, _) = access.invite(Role::Viewer, None, Duration::from_millis(1)).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(access.redeem(&code, Some("prod_bo")), Err(Error::ExpiredCode)));
        assert!(matches!(access.redeem("nonsense", Some("x")), Err(Error::UnknownCode)));
    }

    #[test]
    fn a_name_that_could_pass_for_another_is_refused() {
        for good in ["mod_alice", "Анна", "Ελένη", "さくら_jp", "阿杰_88", "민준_kr", "Zoë-Renée"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("\u{43e}wner", "mixes Cyrillic and Latin"),
            ("mod_\u{3b1}lice", "mixes Latin and Greek"),
            ("\u{FF41}nchor", "full-width"),
            ("\u{FF4D}od_\u{FF41}", "full-width"),
        ] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        let access = Access::in_memory(Limits::default());
        assert!(access.invite(Role::Moderator, Some("\u{43e}wner".into()), Duration::from_secs(60)).is_err());
        let (code, _) = access.invite(Role::Moderator, None, Duration::from_secs(60)).unwrap();
        assert!(access.redeem(&code, Some("m\u{43e}d_bob")).is_err(), "a chosen name is checked too");
        assert!(access.redeem(&code, Some("mod_bob")).is_ok(), "and the code still works after");
    }

    #[test]
    fn an_address_is_locked_out_after_too_many_failures() {
        let limits = Limits { failures: 3, failure_window: Duration::from_secs(60), ..Limits::default() };
        let access = Access::in_memory(limits);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..2 {
            access.failed(ip);
        }
        assert_eq!(access.locked_out(ip), None);
        access.failed(ip);
        assert!(access.locked_out(ip).is_some());
        assert_eq!(access.locked_out("10.0.0.2".parse().unwrap()), None, "other addresses are not affected");
    }
}
