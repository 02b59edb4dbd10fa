//! The room's SQLite store (rusqlite, WAL): what must survive a restart. Migrations are numbered and
//! applied in order inside a transaction, recorded in `PRAGMA user_version`.
//!
//! The store is synchronous and owned by the room actor; calls are short single-row writes, so they run
//! inline on the actor's task rather than on a blocking pool.

use std::path::Path;

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
