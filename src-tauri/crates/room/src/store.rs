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

    pub fn blocklist(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT user_id FROM blocklist ORDER BY at, user_id")
            .map_err(err("reading the blocklist"))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(err("reading the blocklist"))?;
        rows.collect::<rusqlite::Result<_>>().map_err(err("reading the blocklist"))
    }

    pub fn set_mute(&self, user_id: &str, until: Option<u64>, now: u64) -> Result<()> {
        match until {
            Some(until) => self.conn.execute(
                "INSERT INTO mutes (user_id, until, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(user_id) DO UPDATE SET until = ?2, at = ?3",
                params![user_id, until as i64, now as i64],
            ),
            None => self.conn.execute("DELETE FROM mutes WHERE user_id = ?1", params![user_id]),
        }
        .map_err(err("saving a mute"))?;
        Ok(())
    }

    /// Mutes still in force at `now`.
    pub fn mutes(&self, now: u64) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT user_id, until FROM mutes WHERE until > ?1 ORDER BY at, user_id")
            .map_err(err("reading mutes"))?;
        let rows = stmt
            .query_map(params![now as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(err("reading mutes"))?;
        rows.collect::<rusqlite::Result<_>>().map_err(err("reading mutes"))
    }
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
            s.set_mute("loud", Some(1_000), 103).unwrap();
        }
        let s = Store::open(&path).unwrap();
        let room = s.room().unwrap().unwrap();
        assert_eq!((room.group_id.as_str(), room.status, room.likes), ("g1", RoomStatus::Live, 42));
        assert_eq!(s.status_history().unwrap(), vec![(RoomStatus::Live, 101)]);
        assert_eq!(s.blocklist().unwrap(), vec!["troll".to_string()]);
        assert_eq!(s.mutes(500).unwrap(), vec![("loud".to_string(), 1_000)]);
        assert!(s.mutes(1_000).unwrap().is_empty(), "an expired mute is not in force");
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
        assert_eq!(Store::open(&path).unwrap().blocklist().unwrap(), ["a", "b"]);
    }
}
