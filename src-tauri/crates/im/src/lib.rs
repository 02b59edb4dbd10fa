//! Tencent Cloud IM's wire protocol, and nothing else: the REST v4 client (typed requests and responses,
//! Tencent's envelope and error codes), TLSSigAPIv2 UserSig generation and verification, the callback
//! payloads Tencent posts to a business server, the answers it accepts, and the callback `Sign`.
//!
//! No business logic lives here: what a room does with a callback is the `room` crate's concern. Field
//! names follow Tencent's documents exactly (see `shared/reference/tencent-cloud.md`), so the same types
//! serve the client, the hub's callback endpoint and the sandbox that stands in for Tencent.

pub mod api;
pub mod callback;
pub mod client;
pub mod clock;
pub mod error;
pub mod msg;
pub mod secret;
pub mod sign;
pub mod usersig;

pub use callback::{Callback, CallbackAnswer, CallbackQuery};
pub use client::{GroupHandle, ImClient, ImClientBuilder, Region};
pub use error::{Error, ErrorKind, Result};
pub use msg::{CustomElem, MsgElement, MsgPriority};
pub use secret::Secret;
pub use usersig::UserSig;

/// Identifies an app on Tencent IM.
pub type SdkAppId = u64;
