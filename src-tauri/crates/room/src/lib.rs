//! The live room's domain: the status machine, the custom messages the room speaks (TUIKit's
//! `businessID` convention), moderation (mute, kick, join blocklist), the feed events every console
//! sees, and the SQLite store that survives restarts. The [`actor`] owns one room's state; everything
//! else reaches it through a cloneable [`RoomHandle`].
//!
//! No network faces live here (that is the `server` crate) and no Tauri (that is the shell): the room
//! talks to Tencent only through the `im` client it is given.

pub mod actor;
pub mod error;
pub mod event;
pub mod gifts;
pub mod lottery;
pub mod message;
pub mod ops;
pub mod policy;
pub mod status;
pub mod store;
pub mod strikes;
pub mod words;

pub use actor::{Room, RoomConfig, RoomHandle};
pub use error::{Error, ErrorCode, Result, WireError};
pub use event::{ChatLine, EventEnvelope, GiftLine, MemberLine, MuteLine, RoomEvent, RoomSnapshot};
pub use status::RoomStatus;
