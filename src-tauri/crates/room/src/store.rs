//! The room's SQLite store (rusqlite, WAL): what must survive a restart. Migrations are numbered and
//! applied in order inside a transaction, recorded in `PRAGMA user_version`.
//!
//! Nothing on the room's hot paths waits for the disk: the actor hands writes to a [`Writer`], one
//! thread that owns the writing connection and commits whatever has queued up in one transaction;
//! queries (audit search, user history) go through a separate [`Reader`] connection on a blocking
//! thread. WAL lets the two work at once. A write that fails is logged with what it was doing; the
//! room's state in memory stays authoritative until the next start.

use std::path::{Path, PathBuf};
use std::sync::{mpsc as std_mpsc, Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::status::RoomStatus;

const MIGRATIONS: &[&str] = &[
    // 1: rooms, status history, join blocklist, mutes.
    "CREATE TABLE room (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        group_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        likes INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE status_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        status TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE blocklist (
        user_id TEXT PRIMARY KEY,
        reason TEXT NOT NULL DEFAULT '',
        at INTEGER NOT NULL
    );
    CREATE TABLE mutes (
        user_id TEXT PRIMARY KEY,
        until INTEGER NOT NULL,
        at INTEGER NOT NULL
    );",
    // 2: moderation and memory: mute reasons, bans, the word list, held messages, the audit log, user
    //    records and the chat transcript.
    "ALTER TABLE mutes ADD COLUMN reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE mutes ADD COLUMN end_of_stream INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE bans (
        user_id TEXT PRIMARY KEY,
        until INTEGER NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        at INTEGER NOT NULL
    );
    CREATE TABLE words (
        pattern TEXT PRIMARY KEY,
        action TEXT NOT NULL
    );
    CREATE TABLE held (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        body TEXT NOT NULL,
        pattern TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        duration INTEGER,
        undone_by INTEGER
    );
    CREATE INDEX audit_target ON audit(target, at);
    CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        messages INTEGER NOT NULL DEFAULT 0,
        likes INTEGER NOT NULL DEFAULT 0,
        gift_value INTEGER NOT NULL DEFAULT 0,
        online_secs INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        seq TEXT NOT NULL,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX messages_user ON messages(user_id, at);",
    // 3: strikes, room settings (the strike ladder), stream sessions, hidden messages.
    "ALTER TABLE messages ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE strikes (
        audit_id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX strikes_user ON strikes(user_id, at);
    CREATE INDEX messages_seq ON messages(seq);
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE stream_sessions (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        peak_online INTEGER NOT NULL DEFAULT 0,
        messages INTEGER NOT NULL DEFAULT 0,
        likes INTEGER NOT NULL DEFAULT 0,
        gift_value INTEGER NOT NULL DEFAULT 0
    );",
];

pub struct Store {
    conn: Connection,
}

/// What the store remembers of the room.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRoom {
    pub group_id: String,
    pub name: String,
    pub status: RoomStatus,
    pub likes: u64,
}

fn err(action: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |e| Error::store(action, e)
}

impl Store {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(err("opening the database"))?;
        Self::init(conn)
    }

    pub fn in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory().map_err(err("opening the database"))?)
    }

    /// Runs `f` inside one transaction; a failure rolls the whole batch back.
    fn batch(&mut self, f: impl FnOnce(&Store) -> Result<()>) -> Result<()> {
        self.conn.execute_batch("BEGIN").map_err(err("starting a transaction"))?;
        match f(self) {
            Ok(()) => self.conn.execute_batch("COMMIT").map_err(err("committing")),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The underlying connection, for queries of the modules that own those tables.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    fn init(mut conn: Connection) -> Result<Self> {
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err("enabling WAL"))?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(err("enabling foreign keys"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err("setting the busy timeout"))?;
        let version: usize =
            conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(err("reading the schema version"))?;
        if version > MIGRATIONS.len() {
            return Err(Error::Invalid(format!(
                "the room database has schema version {version}, newer than this AnchorDesk knows ({}); update AnchorDesk",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction().map_err(err("starting a migration"))?;
            tx.execute_batch(sql).map_err(err("migrating the database"))?;
            tx.pragma_update(None, "user_version", i + 1).map_err(err("recording the schema version"))?;
            tx.commit().map_err(err("committing a migration"))?;
        }
        Ok(Self { conn })
    }

    pub fn room(&self) -> Result<Option<StoredRoom>> {
        self.conn
            .query_row("SELECT group_id, name, status, likes FROM room WHERE id = 1", [], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
            })
            .optional()
            .map_err(err("reading the room"))
            .map(|row| {
                row.map(|(group_id, name, status, likes)| StoredRoom {
                    group_id,
                    name,
                    status: RoomStatus::parse(&status).unwrap_or(RoomStatus::Upcoming),
                    likes: likes.max(0) as u64,
                })
            })
    }

    pub fn save_room(&self, room: &StoredRoom, now: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO room (id, group_id, name, status, likes, created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET group_id = ?1, name = ?2, status = ?3, likes = ?4",
                params![room.group_id, room.name, room.status.as_str(), room.likes as i64, now as i64],
            )
            .map_err(err("saving the room"))?;
        Ok(())
    }

    pub fn set_status(&self, status: RoomStatus, now: u64) -> Result<()> {
        self.conn
            .execute("UPDATE room SET status = ?1 WHERE id = 1", params![status.as_str()])
            .map_err(err("saving the status"))?;
        self.conn
            .execute("INSERT INTO status_history (status, at) VALUES (?1, ?2)", params![status.as_str(), now as i64])
            .map_err(err("recording the status history"))?;
        Ok(())
    }

    pub fn status_history(&self) -> Result<Vec<(RoomStatus, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT status, at FROM status_history ORDER BY id")
            .map_err(err("reading the status history"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(err("reading the status history"))?;
        rows.map(|r| {
            r.map(|(s, at)| (RoomStatus::parse(&s).unwrap_or(RoomStatus::Upcoming), at as u64))
                .map_err(err("reading the status history"))
        })
        .collect()
    }

    pub fn set_likes(&self, likes: u64) -> Result<()> {
        self.conn
            .execute("UPDATE room SET likes = ?1 WHERE id = 1", params![likes as i64])
            .map_err(err("saving the like count"))?;
        Ok(())
    }

    pub fn block(&self, user_id: &str, reason: &str, now: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO blocklist (user_id, reason, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(user_id) DO UPDATE SET reason = ?2, at = ?3",
                params![user_id, reason, now as i64],
            )
            .map_err(err("adding to the blocklist"))?;
        Ok(())
    }

    pub fn clear_mute(&self, user_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM mutes WHERE user_id = ?1", params![user_id]).map_err(err("lifting a mute"))?;
        Ok(())
    }
}

/// A mute as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMute {
    pub user_id: String,
    pub until: u64,
    pub reason: String,
    pub end_of_stream: bool,
}

impl Store {
    pub fn save_mute(&self, m: &StoredMute, now: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO mutes (user_id, until, at, reason, end_of_stream) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(user_id) DO UPDATE SET until = ?2, at = ?3, reason = ?4, end_of_stream = ?5",
                params![m.user_id, m.until as i64, now as i64, m.reason, m.end_of_stream],
            )
            .map_err(err("saving a mute"))?;
        Ok(())
    }

    pub fn mutes_in_force(&self, now: u64) -> Result<Vec<StoredMute>> {
        let mut stmt = self
            .conn
            .prepare("SELECT user_id, until, reason, end_of_stream FROM mutes WHERE until > ?1 ORDER BY at, user_id")
            .map_err(err("reading mutes"))?;
        let rows = stmt
            .query_map(params![now as i64], |r| {
                Ok(StoredMute {
                    user_id: r.get(0)?,
                    until: r.get::<_, i64>(1)? as u64,
                    reason: r.get(2)?,
                    end_of_stream: r.get(3)?,
                })
            })
            .map_err(err("reading mutes"))?;
        rows.collect::<rusqlite::Result<_>>().map_err(err("reading mutes"))
    }

    /// Blocklists a user until `until` (unix s; `u64::MAX` for good).
    pub fn block_until(&self, user_id: &str, until: u64, reason: &str, now: u64) -> Result<()> {
        self.block(user_id, reason, now)?;
        self.conn
            .execute(
                "INSERT INTO bans (user_id, until, reason, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(user_id) DO UPDATE SET until = ?2, reason = ?3, at = ?4",
                params![user_id, until.min(i64::MAX as u64) as i64, reason, now as i64],
            )
            .map_err(err("saving a ban"))?;
        Ok(())
    }

    pub fn unblock(&self, user_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM blocklist WHERE user_id = ?1", params![user_id]).map_err(err("unblocking"))?;
        self.conn.execute("DELETE FROM bans WHERE user_id = ?1", params![user_id]).map_err(err("unblocking"))?;
        Ok(())
    }

    /// The blocklist with each entry's end (`u64::MAX` for a kick without an end), expired ones left out.
    pub fn blocklist_until(&self, now: u64) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT b.user_id, COALESCE(x.until, 9223372036854775807) FROM blocklist b
                 LEFT JOIN bans x ON x.user_id = b.user_id ORDER BY b.at, b.user_id",
            )
            .map_err(err("reading the blocklist"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(err("reading the blocklist"))?;
        let all: Vec<(String, u64)> = rows.collect::<rusqlite::Result<_>>().map_err(err("reading the blocklist"))?;
        Ok(all
            .into_iter()
            .map(|(u, until)| (u, if until >= i64::MAX as u64 { u64::MAX } else { until }))
            .filter(|(_, until)| *until > now)
            .collect())
    }

    pub fn replace_words(&self, rules: &[crate::words::WordRule]) -> Result<()> {
        self.conn.execute("DELETE FROM words", []).map_err(err("replacing the word list"))?;
        let mut stmt = self
            .conn
            .prepare("INSERT OR REPLACE INTO words (pattern, action) VALUES (?1, ?2)")
            .map_err(err("saving words"))?;
        for r in rules {
            let action =
                serde_json::to_value(r.action).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            stmt.execute(params![r.pattern, action]).map_err(err("saving words"))?;
        }
        Ok(())
    }

    pub fn words(&self) -> Result<Vec<crate::words::WordRule>> {
        let mut stmt =
            self.conn.prepare("SELECT pattern, action FROM words ORDER BY pattern").map_err(err("reading words"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(err("reading words"))?;
        let mut out = Vec::new();
        for row in rows {
            let (pattern, action) = row.map_err(err("reading words"))?;
            if let Ok(action) = serde_json::from_value(serde_json::Value::String(action)) {
                out.push(crate::words::WordRule { pattern, action });
            }
        }
        Ok(out)
    }

    pub fn save_held(&self, h: &crate::event::HeldLine, body: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO held (id, user_id, text, body, pattern, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![h.id as i64, h.user_id, h.text, body, h.pattern, h.at as i64],
            )
            .map_err(err("saving a held message"))?;
        Ok(())
    }

    pub fn delete_held(&self, id: u64) -> Result<()> {
        self.conn
            .execute("DELETE FROM held WHERE id = ?1", params![id as i64])
            .map_err(err("removing a held message"))?;
        Ok(())
    }

    /// Held messages with their bodies (JSON), oldest first.
    pub fn held(&self) -> Result<Vec<(crate::event::HeldLine, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, user_id, text, body, pattern, at FROM held ORDER BY id")
            .map_err(err("reading held messages"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    crate::event::HeldLine {
                        id: r.get::<_, i64>(0)? as u64,
                        user_id: r.get(1)?,
                        text: r.get(2)?,
                        pattern: r.get(4)?,
                        at: r.get::<_, i64>(5)? as u64,
                    },
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(err("reading held messages"))?;
        rows.collect::<rusqlite::Result<_>>().map_err(err("reading held messages"))
    }

    pub fn save_audit(&self, a: &crate::event::AuditLine) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO audit (id, at, actor, action, target, detail, reason, duration, undone_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    a.id as i64,
                    a.at as i64,
                    a.actor,
                    a.action.as_str(),
                    a.target,
                    a.detail,
                    a.reason,
                    a.duration.map(|d| d as i64),
                    a.undone_by.map(|d| d as i64)
                ],
            )
            .map_err(err("writing the audit log"))?;
        Ok(())
    }

    pub fn max_ids(&self) -> Result<(u64, u64)> {
        let audit: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM audit", [], |r| r.get(0))
            .map_err(err("reading the audit log"))?;
        let held: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM held", [], |r| r.get(0))
            .map_err(err("reading held"))?;
        Ok((audit as u64, held as u64))
    }

    /// The most recent `limit` audit lines, oldest first.
    pub fn recent_audit(&self, limit: usize) -> Result<Vec<crate::event::AuditLine>> {
        let mut out = query_audit(&self.conn, &AuditQuery { limit, ..AuditQuery::default() })
            .map_err(err("reading the audit log"))?;
        out.reverse();
        Ok(out)
    }

    pub fn hide_message(&self, seq: &str) -> Result<()> {
        self.conn
            .execute("UPDATE messages SET hidden = 1 WHERE seq = ?1", params![seq])
            .map_err(err("marking a message hidden"))?;
        Ok(())
    }

    pub fn save_strike(&self, user_id: &str, at: u64, audit_id: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO strikes (audit_id, user_id, at) VALUES (?1, ?2, ?3)",
                params![audit_id as i64, user_id, at as i64],
            )
            .map_err(err("recording a strike"))?;
        Ok(())
    }

    pub fn forgive_strike(&self, audit_id: u64) -> Result<()> {
        self.conn
            .execute("DELETE FROM strikes WHERE audit_id = ?1", params![audit_id as i64])
            .map_err(err("forgiving a strike"))?;
        Ok(())
    }

    /// `(user, at, audit id)` of the strikes given at or after `since` (unix seconds).
    pub fn strikes_since(&self, since: u64) -> Result<Vec<(String, u64, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT user_id, at, audit_id FROM strikes WHERE at >= ?1 ORDER BY at")
            .map_err(err("reading strikes"))?;
        let rows = stmt
            .query_map(params![since as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64))
            })
            .map_err(err("reading strikes"))?;
        rows.collect::<rusqlite::Result<_>>().map_err(err("reading strikes"))
    }

    /// A room setting, as the JSON it was saved as.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", params![key], |r| r.get(0))
            .optional()
            .map_err(err("reading a setting"))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
                params![key, value],
            )
            .map_err(err("saving a setting"))?;
        Ok(())
    }

    /// Saves a stream session (insert or update).
    pub fn save_session(&self, s: &crate::event::StreamSession) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO stream_sessions (id, started_at, ended_at, peak_online, messages, likes, gift_value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(id) DO UPDATE SET ended_at = ?3, peak_online = ?4, messages = ?5, likes = ?6,
                    gift_value = ?7",
                params![
                    s.id as i64,
                    s.started_at as i64,
                    s.ended_at.map(|t| t as i64),
                    s.peak_online as i64,
                    s.messages as i64,
                    s.likes as i64,
                    s.gift_value as i64
                ],
            )
            .map_err(err("saving the stream session"))?;
        Ok(())
    }

    /// The latest stream session (going on, or the last one).
    pub fn last_session(&self) -> Result<Option<crate::event::StreamSession>> {
        Ok(sessions(&self.conn, 1).map_err(err("reading stream sessions"))?.pop())
    }

    /// Adds to a user's counters (creating the record on first sight).
    pub fn bump_user(
        &self,
        user_id: &str,
        messages: u64,
        likes: u64,
        gift_value: u64,
        online_secs: u64,
        now: u64,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO users (user_id, first_seen, last_seen, messages, likes, gift_value, online_secs)
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(user_id) DO UPDATE SET last_seen = ?2, messages = messages + ?3, likes = likes + ?4,
                   gift_value = gift_value + ?5, online_secs = online_secs + ?6",
                params![user_id, now as i64, messages as i64, likes as i64, gift_value as i64, online_secs as i64],
            )
            .map_err(err("updating a user record"))?;
        Ok(())
    }

    /// Keeps a note about a user without touching when they were seen (0 for someone never seen).
    pub fn set_note(&self, user_id: &str, note: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO users (user_id, first_seen, last_seen, note) VALUES (?1, 0, 0, ?2)
                 ON CONFLICT(user_id) DO UPDATE SET note = ?2",
                params![user_id, note],
            )
            .map_err(err("saving a note"))?;
        Ok(())
    }

    pub fn save_message(&self, seq: &str, user_id: &str, text: &str, at: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO messages (seq, user_id, text, at) VALUES (?1, ?2, ?3, ?4)",
                params![seq, user_id, text, at as i64],
            )
            .map_err(err("recording the transcript"))?;
        Ok(())
    }
}

/// A search of the audit log.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditQuery {
    /// Matches actor, target, detail or reason (case-insensitive substring).
    pub text: Option<String>,
    /// Only lines about this user.
    pub target: Option<String>,
    pub action: Option<crate::event::AuditAction>,
    /// At most this many lines, newest first (0: 200).
    pub limit: usize,
}

/// Formats audit lines for export: `csv` (a header row, then one row a line) or `json` (an array).
pub fn export_audit(lines: &[crate::event::AuditLine], format: &str) -> Result<String> {
    match format {
        "json" => serde_json::to_string_pretty(lines).map_err(|e| Error::Invalid(format!("cannot export: {e}"))),
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let header = ["id", "at", "actor", "action", "target", "detail", "reason", "duration", "undone_by"];
            w.write_record(header).map_err(|e| Error::Invalid(format!("cannot export: {e}")))?;
            for l in lines {
                w.write_record([
                    l.id.to_string(),
                    l.at.to_string(),
                    l.actor.clone(),
                    l.action.as_str().to_string(),
                    l.target.clone(),
                    l.detail.clone(),
                    l.reason.clone(),
                    l.duration.map(|d| d.to_string()).unwrap_or_default(),
                    l.undone_by.map(|d| d.to_string()).unwrap_or_default(),
                ])
                .map_err(|e| Error::Invalid(format!("cannot export: {e}")))?;
            }
            let bytes = w.into_inner().map_err(|e| Error::Invalid(format!("cannot export: {e}")))?;
            String::from_utf8(bytes).map_err(|e| Error::Invalid(format!("cannot export: {e}")))
        }
        other => Err(Error::Invalid(format!("{other:?} is not an export format; use csv or json"))),
    }
}

/// The latest `limit` stream sessions, newest first.
pub fn sessions(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<crate::event::StreamSession>> {
    let mut stmt = conn.prepare(
        "SELECT id, started_at, ended_at, peak_online, messages, likes, gift_value FROM stream_sessions
         ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map(params![limit.min(10_000) as i64], |r| {
        Ok(crate::event::StreamSession {
            id: r.get::<_, i64>(0)? as u64,
            started_at: r.get::<_, i64>(1)? as u64,
            ended_at: r.get::<_, Option<i64>>(2)?.map(|t| t as u64),
            peak_online: r.get::<_, i64>(3)? as u64,
            messages: r.get::<_, i64>(4)? as u64,
            likes: r.get::<_, i64>(5)? as u64,
            gift_value: r.get::<_, i64>(6)? as u64,
        })
    })?;
    rows.collect()
}

/// A viewer's card from the database (the live mute, block and strike state are the room's to add).
/// `stream_since` (unix ms) is when the current or last stream started.
pub fn user_card(conn: &Connection, user: &str, stream_since: Option<u64>) -> rusqlite::Result<crate::event::UserCard> {
    let row = conn
        .query_row(
            "SELECT first_seen, last_seen, messages, likes, gift_value, online_secs, note FROM users WHERE user_id = ?1",
            params![user],
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(3)? as u64,
                    r.get::<_, i64>(4)? as u64,
                    r.get::<_, i64>(5)? as u64,
                    r.get::<_, String>(6)?,
                ))
            },
        )
        .optional()?
        .unwrap_or_default();
    let (first_seen, last_seen, messages, likes, gift_value, online_secs, note) = row;
    let mut stmt = conn
        .prepare("SELECT seq, text, at, hidden FROM messages WHERE user_id = ?1 ORDER BY at DESC, id DESC LIMIT 50")?;
    let mut recent: Vec<crate::event::ChatLine> = stmt
        .query_map(params![user], |r| {
            Ok(crate::event::ChatLine {
                id: r.get(0)?,
                user_id: user.to_string(),
                text: r.get(1)?,
                at: r.get::<_, i64>(2)? as u64,
                hidden: r.get::<_, i64>(3)? != 0,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    recent.reverse();
    let actions =
        query_audit(conn, &AuditQuery { target: Some(user.to_string()), limit: 100, ..AuditQuery::default() })?;
    let stream_messages = match stream_since {
        Some(since) => conn.query_row(
            "SELECT COUNT(*) FROM messages WHERE user_id = ?1 AND at >= ?2",
            params![user, since as i64],
            |r| r.get::<_, i64>(0),
        )? as u64,
        None => 0,
    };
    Ok(crate::event::UserCard {
        user_id: user.to_string(),
        first_seen,
        last_seen,
        messages,
        likes,
        gift_value,
        online_secs,
        level: crate::event::level_for(messages, likes, gift_value, online_secs),
        note,
        messages_recent: recent,
        actions,
        stream_messages,
        strikes: 0,
        muted_until: None,
        blocked_until: None,
    })
}

/// Runs an audit search (newest first).
pub fn query_audit(conn: &Connection, q: &AuditQuery) -> rusqlite::Result<Vec<crate::event::AuditLine>> {
    let like = q.text.as_ref().map(|t| format!("%{}%", t.replace('%', "\\%").replace('_', "\\_")));
    let limit = if q.limit == 0 { 200 } else { q.limit.min(10_000) } as i64;
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, target, detail, reason, duration, undone_by FROM audit
         WHERE (?1 IS NULL OR actor LIKE ?1 ESCAPE '\\' OR target LIKE ?1 ESCAPE '\\' OR detail LIKE ?1 ESCAPE '\\'
                OR reason LIKE ?1 ESCAPE '\\')
           AND (?2 IS NULL OR target = ?2) AND (?3 IS NULL OR action = ?3)
         ORDER BY id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![like, q.target, q.action.map(|a| a.as_str()), limit], |r| {
        Ok(crate::event::AuditLine {
            id: r.get::<_, i64>(0)? as u64,
            at: r.get::<_, i64>(1)? as u64,
            actor: r.get(2)?,
            action: crate::event::AuditAction::parse(&r.get::<_, String>(3)?)
                .unwrap_or(crate::event::AuditAction::Status),
            target: r.get(4)?,
            detail: r.get(5)?,
            reason: r.get(6)?,
            duration: r.get::<_, Option<i64>>(7)?.map(|d| d as u64),
            undone_by: r.get::<_, Option<i64>>(8)?.map(|d| d as u64),
        })
    })?;
    rows.collect()
}

type Op = Box<dyn FnOnce(&Store) -> Result<()> + Send>;

enum Job {
    Write(&'static str, Op),
    Flush(std_mpsc::SyncSender<()>),
}

/// The write-behind half of the store: a thread that owns the writing connection. Writes are queued
/// and committed in batches (whatever has queued up, in one transaction); [`Writer::flush`] waits until
/// everything queued so far is on disk. Dropping the last handle drains the queue and stops the thread.
#[derive(Clone)]
pub struct Writer {
    tx: std_mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `store`.
    pub fn start(mut store: Store) -> Self {
        let (tx, rx) = std_mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("room-store".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut jobs = vec![first];
                    jobs.extend(rx.try_iter().take(4096));
                    let mut flushes = Vec::new();
                    let mut writes = Vec::new();
                    for job in jobs {
                        match job {
                            Job::Write(what, op) => writes.push((what, op)),
                            Job::Flush(done) => flushes.push(done),
                        }
                    }
                    if !writes.is_empty() {
                        let result = store.batch(|s| {
                            for (what, op) in writes {
                                if let Err(e) = op(s) {
                                    tracing::error!(what, error = %e, "a room write failed; the rest of the batch goes on");
                                }
                            }
                            Ok(())
                        });
                        if let Err(e) = result {
                            tracing::error!(error = %e, "a batch of room writes could not be committed");
                        }
                    }
                    for done in flushes {
                        let _ = done.send(());
                    }
                }
            })
            .expect("the OS can start a thread");
        Self { tx }
    }

    /// Queues a write; `what` names it in the log if it fails.
    pub fn write(&self, what: &'static str, op: impl FnOnce(&Store) -> Result<()> + Send + 'static) {
        if self.tx.send(Job::Write(what, Box::new(op))).is_err() {
            tracing::error!(what, "the room store has stopped; a write was lost");
        }
    }

    /// Waits (on a blocking thread) until every write queued before this call is committed.
    pub async fn flush(&self) {
        let (done, wait) = std_mpsc::sync_channel(1);
        if self.tx.send(Job::Flush(done)).is_ok() {
            let _ = tokio::task::spawn_blocking(move || wait.recv()).await;
        }
    }
}

/// The query half of the store: its own connection, used from blocking threads.
#[derive(Clone)]
pub struct Reader {
    /// A std mutex: held by one blocking query at a time, never across an await.
    conn: Arc<Mutex<Connection>>,
}

impl Reader {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(err("opening the database for reading"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err("setting the busy timeout"))?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs a query on a blocking thread.
    pub async fn query<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await
        .map_err(|_| Error::Closed)?
        .map_err(err("querying the room's history"))
    }
}

/// Where a room keeps its database: the file given, or a fresh temporary file (tests, previews) that
/// is removed with the last handle.
pub fn database_path(path: Option<&Path>) -> Result<(PathBuf, Option<Arc<TempDb>>)> {
    match path {
        Some(p) => Ok((p.to_path_buf(), None)),
        None => {
            let dir =
                std::env::temp_dir().join(format!("anchordesk-room-{}-{}", std::process::id(), im::clock::now_ms()));
            let n = NEXT_TEMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = dir.with_extension(format!("{n}.sqlite"));
            Ok((path.clone(), Some(Arc::new(TempDb(path)))))
        }
    }
}

static NEXT_TEMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Removes a temporary database (and its WAL files) when dropped.
pub struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_room_its_status_history_and_blocklist_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("room.sqlite");
        {
            let s = Store::open(&path).unwrap();
            assert_eq!(s.room().unwrap(), None, "a fresh database has no room");
            s.save_room(
                &StoredRoom { group_id: "g1".into(), name: "Room".into(), status: RoomStatus::Upcoming, likes: 0 },
                100,
            )
            .unwrap();
            s.set_status(RoomStatus::Live, 101).unwrap();
            s.set_likes(42).unwrap();
            s.block("troll", "spam", 102).unwrap();
            let mute = StoredMute { user_id: "loud".into(), until: 1_000, reason: String::new(), end_of_stream: false };
            s.save_mute(&mute, 103).unwrap();
        }
        let s = Store::open(&path).unwrap();
        let room = s.room().unwrap().unwrap();
        assert_eq!((room.group_id.as_str(), room.status, room.likes), ("g1", RoomStatus::Live, 42));
        assert_eq!(s.status_history().unwrap(), vec![(RoomStatus::Live, 101)]);
        assert_eq!(s.blocklist_until(500).unwrap(), vec![("troll".to_string(), u64::MAX)]);
        let in_force: Vec<(String, u64)> =
            s.mutes_in_force(500).unwrap().into_iter().map(|m| (m.user_id, m.until)).collect();
        assert_eq!(in_force, vec![("loud".to_string(), 1_000)]);
        assert!(s.mutes_in_force(1_000).unwrap().is_empty(), "an expired mute is not in force");
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("room.sqlite");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let e = Store::open(&path).err().unwrap();
        assert!(e.to_string().contains("update AnchorDesk"), "{e}");
    }
}

#[cfg(test)]
mod writer_tests {
    use super::*;

    #[tokio::test]
    async fn queued_writes_are_committed_and_readable_after_a_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("room.sqlite");
        let writer = Writer::start(Store::open(&path).unwrap());
        let reader = Reader::open(&path).unwrap();
        for i in 0..1000 {
            writer.write("test block", move |s| s.block(&format!("u{i}"), "test", i));
        }
        writer.flush().await;
        let n: i64 = reader.query(|c| c.query_row("SELECT COUNT(*) FROM blocklist", [], |r| r.get(0))).await.unwrap();
        assert_eq!(n, 1000, "every queued write is there after flush");
    }

    #[tokio::test]
    async fn a_failing_write_does_not_take_the_batch_down() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("room.sqlite");
        let writer = Writer::start(Store::open(&path).unwrap());
        writer.write("good", |s| s.block("a", "", 1));
        writer.write("bad", |s| {
            s.conn().execute("INSERT INTO no_such_table VALUES (1)", []).map_err(|e| Error::store("bad", e))?;
            Ok(())
        });
        writer.write("good", |s| s.block("b", "", 2));
        writer.flush().await;
        let names: Vec<String> =
            Store::open(&path).unwrap().blocklist_until(0).unwrap().into_iter().map(|(u, _)| u).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
