//! The hub's network faces and its wiring. [`callback`] is the endpoint Tencent (or the sandbox) posts
//! callbacks to: it checks `SdkAppid` and `Sign` first, parses the body into typed callbacks, and asks
//! the room for an answer. [`api`] is what remote consoles, scripts and a billing backend use: commands
//! over HTTP and the room's event stream over a WebSocket. [`session`] starts a whole console session: the sandbox or a Tencent
//! connection, the IM client, the room, and the hub's HTTP listener. [`remote`] is the other end: a
//! console's client of a hub on another machine.

pub mod access;
pub mod api;
pub mod callback;
pub mod golive;
pub mod remote;
pub mod session;
pub mod tls;

pub use callback::{router, Hub, HubConfig};
pub use session::{AppInfo, ConsoleMode, ImBackend, Session, SessionConfig};
