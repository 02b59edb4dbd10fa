//! Why: the console runs either its own hub (embedded: a [`Session`] in this process) or as a client
//! of a hub elsewhere (remote: a [`RemoteRoom`]), and each IPC command must work the same either way.
//! [`Console`] is that one face: each method is the same command on either, so `commands.rs` stays a
//! line per command. Embedded, the anchor acts as `anchor` (the owner); remote, the hub acts as the
//! person its token names, and refuses what their role does not allow (a moderator gets `forbidden`
//! for the push address, which never leaves the hub).
//!
//! Left out: the domain (the room, the hub's routes, the link's reconnection) lives in the core crates.

use room::actor::{ModAction, ANCHOR};
use room::event::{AuditLine, Feed, StreamSession, UserCard};
use room::store::AuditQuery;
use room::strikes::StrikeLadder;
use room::words::WordRule;
use room::{ErrorCode, RoomStatus, WireError};
use server::access::{Invite, Me, Person, Role, TeamMember, OWNER_ID};
use server::api::people::{create_invite, revoke_person};
use server::api::ApiError;
use server::golive::{StreamAddress, StreamDesk};
use server::remote::{HubConnection, RemoteConfig, RemoteRoom};
use server::{AppInfo, ConsoleMode, Session, SessionConfig};

/// The most events one IPC message carries.
const BATCH: usize = 512;

/// What the console runs, chosen by the settings: a hub URL set means remote.
#[derive(Clone, Debug)]
pub enum ConsoleConfig {
    Embedded(Box<SessionConfig>),
    Remote(RemoteConfig),
}

impl ConsoleConfig {
    /// The configuration from the environment (see `server::session::ENV_HELP`) through `var`.
    pub fn from_env(data_dir: std::path::PathBuf, var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        match RemoteConfig::from_env(&var)? {
            Some(remote) => Ok(ConsoleConfig::Remote(remote)),
            None => SessionConfig::from_env(data_dir, var).map(|c| ConsoleConfig::Embedded(Box::new(c))),
        }
    }
}

/// The room this console drives, wherever its hub runs.
#[derive(Clone)]
pub enum Console {
    Embedded(Box<Session>),
    Remote(RemoteRoom),
}

impl Console {
    pub async fn start(config: ConsoleConfig) -> Result<Console, WireError> {
        let internal = |e: String| WireError::new(ErrorCode::Internal, e);
        match config {
            ConsoleConfig::Embedded(c) => {
                Session::start(*c).await.map(|s| Console::Embedded(Box::new(s))).map_err(|e| internal(e.to_string()))
            }
            ConsoleConfig::Remote(c) => {
                RemoteRoom::connect(c).map(Console::Remote).map_err(|e| internal(e.to_string()))
            }
        }
    }

    /// The remote link, for the shell to forward its connection state; `None` when embedded.
    pub fn remote(&self) -> Option<&RemoteRoom> {
        match self {
            Console::Embedded(_) => None,
            Console::Remote(r) => Some(r),
        }
    }

    pub fn info(&self) -> Result<AppInfo, WireError> {
        match self {
            Console::Embedded(s) => Ok(s.info.clone()),
            Console::Remote(r) => {
                let me = r.me().ok_or_else(|| {
                    WireError::new(
                        ErrorCode::NotReady,
                        format!("AnchorDesk is still connecting to the hub at {}", r.hub_url()),
                    )
                })?;
                Ok(AppInfo {
                    version: env!("CARGO_PKG_VERSION").into(),
                    mode: ConsoleMode::Remote,
                    group_id: me.room,
                    hub_url: r.hub_url(),
                    sdk_app_id: me.sdk_app_id,
                })
            }
        }
    }

    /// The connection to the hub: embedded, always connected as the owner.
    pub fn connection(&self) -> HubConnection {
        match self {
            Console::Embedded(_) => HubConnection::Connected { role: Role::Owner, name: ANCHOR.into() },
            Console::Remote(r) => r.connection().borrow().clone(),
        }
    }

    /// Who this console is on its hub.
    pub fn me(&self) -> Result<Me, WireError> {
        match self {
            Console::Embedded(s) => Ok(Me {
                person_id: OWNER_ID,
                name: ANCHOR.into(),
                role: Role::Owner,
                room: s.info.group_id.clone(),
                sdk_app_id: s.info.sdk_app_id,
            }),
            Console::Remote(r) => {
                r.me().ok_or_else(|| WireError::new(ErrorCode::NotReady, "still connecting to the hub"))
            }
        }
    }

    /// Follows the room on `sink` in the background: a snapshot first (again after a gap that could
    /// not be replayed), then the events after it in batches.
    pub fn follow(&self, sink: impl FnMut(Feed) -> bool + Send + 'static) {
        let console = self.clone();
        tauri::async_runtime::spawn(async move {
            let followed = match console {
                Console::Embedded(s) => s.room.follow(None, BATCH, sink).await.map_err(WireError::from),
                Console::Remote(r) => r.follow(sink).await,
            };
            if let Err(e) = followed {
                tracing::error!(error = %e, "the console's event feed stopped");
            }
        });
    }

    pub async fn set_status(&self, status: RoomStatus) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.set_status(status).await?),
            Console::Remote(r) => r.set_status(status).await,
        }
    }

    pub async fn moderate(&self, action: ModAction) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.moderate(ANCHOR, action).await?),
            Console::Remote(r) => r.moderate(action).await,
        }
    }

    pub async fn set_notice(&self, notice: Option<String>, introduction: Option<String>) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.set_notice(ANCHOR, notice, introduction).await?),
            Console::Remote(r) => r.set_notice(notice, introduction).await,
        }
    }

    pub async fn user_card(&self, user_id: &str) -> Result<UserCard, WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.user_card(user_id).await?),
            Console::Remote(r) => r.user_card(user_id).await,
        }
    }

    pub async fn set_note(&self, user_id: &str, note: &str) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.set_note(user_id, note).await?),
            Console::Remote(r) => r.set_note(user_id, note).await,
        }
    }

    pub async fn lottery_open(&self, keyword: &str) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.lottery_open(ANCHOR, keyword).await?),
            Console::Remote(r) => r.lottery_open(keyword).await,
        }
    }

    pub async fn lottery_close(&self) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.lottery_close(ANCHOR).await?),
            Console::Remote(r) => r.lottery_close().await,
        }
    }

    pub async fn lottery_draw(&self, winners: u32, seed: Option<u64>) -> Result<Vec<String>, WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.lottery_draw(ANCHOR, winners, seed).await?),
            Console::Remote(r) => r.lottery_draw(winners, seed).await,
        }
    }

    pub async fn broadcast(&self, text: &str) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.broadcast(ANCHOR, text).await?),
            Console::Remote(r) => r.broadcast(text).await,
        }
    }

    pub async fn words(&self) -> Result<Vec<WordRule>, WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.words().await?),
            Console::Remote(r) => r.words().await,
        }
    }

    pub async fn set_words(&self, rules: Vec<WordRule>) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.set_words(ANCHOR, rules).await?),
            Console::Remote(r) => r.set_words(rules).await,
        }
    }

    pub async fn resolve_held(&self, id: u64, approve: bool) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.resolve_held(ANCHOR, id, approve).await?),
            Console::Remote(r) => r.resolve_held(id, approve).await,
        }
    }

    pub async fn audit(&self, query: AuditQuery) -> Result<Vec<AuditLine>, WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.audit(query).await?),
            Console::Remote(r) => r.audit(query).await,
        }
    }

    pub async fn undo(&self, audit_id: u64) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.undo(ANCHOR, audit_id).await?),
            Console::Remote(r) => r.undo(audit_id).await,
        }
    }

    pub async fn set_strike_ladder(&self, ladder: StrikeLadder) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.set_strike_ladder(ANCHOR, ladder).await?),
            Console::Remote(r) => r.set_strike_ladder(ladder).await,
        }
    }

    pub async fn sessions(&self, limit: usize) -> Result<Vec<StreamSession>, WireError> {
        match self {
            Console::Embedded(s) => Ok(s.room.sessions(limit).await?),
            Console::Remote(r) => r.sessions(limit).await,
        }
    }

    fn desk(session: &Session) -> Result<&StreamDesk, WireError> {
        Ok(server::golive::require(session.stream.as_ref())?)
    }

    pub async fn stream_address(&self) -> Result<StreamAddress, WireError> {
        match self {
            Console::Embedded(s) => Ok(Self::desk(s)?.address()?),
            Console::Remote(r) => r.stream_address().await,
        }
    }

    pub async fn stream_renew(&self, rotate: bool) -> Result<StreamAddress, WireError> {
        match self {
            Console::Embedded(s) => Ok(Self::desk(s)?.renew(rotate)?),
            Console::Remote(r) => r.stream_renew(rotate).await,
        }
    }

    pub async fn stream_apply_obs(&self) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(Self::desk(s)?.apply_to_obs().await?),
            Console::Remote(r) => r.stream_apply_obs().await,
        }
    }

    pub async fn stream_go_live(&self) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(Self::desk(s)?.go_live(ANCHOR).await?),
            Console::Remote(r) => r.stream_go_live().await,
        }
    }

    pub async fn stream_stop(&self, end: bool) -> Result<(), WireError> {
        match self {
            Console::Embedded(s) => Ok(Self::desk(s)?.stop(ANCHOR, end).await?),
            Console::Remote(r) => r.stream_stop(end).await,
        }
    }

    /// The hub's team: who is on it, their roles, and whether they are connected now.
    pub async fn team(&self) -> Result<Vec<TeamMember>, WireError> {
        match self {
            Console::Embedded(s) => s.access.team().map_err(refused),
            Console::Remote(r) => r.team().await,
        }
    }

    /// Everyone who joined, revoked or not (the owner's only).
    pub async fn people(&self) -> Result<Vec<Person>, WireError> {
        match self {
            Console::Embedded(s) => s.access.people().map_err(refused),
            Console::Remote(r) => r.people().await,
        }
    }

    /// An invite for a moderator or a viewer (the owner's only). Embedded, the link names this hub's
    /// own address; others can use it only when the hub listens where they can reach it.
    pub async fn invite(
        &self,
        role: Role,
        name: Option<String>,
        valid_for_secs: Option<u64>,
    ) -> Result<Invite, WireError> {
        match self {
            Console::Embedded(s) if !s.api_on => Err(WireError::new(
                ErrorCode::Invalid,
                "moderators and viewers connect through the hub's API, which is off: set an API token in \
                 Settings → Hub (and a listen address they can reach), restart, then invite",
            )),
            Console::Embedded(s) => {
                create_invite(&s.access, &s.room, ANCHOR, &s.invite_base, role, name, valid_for_secs)
                    .await
                    .map_err(refused)
            }
            Console::Remote(r) => r.invite(role, name, valid_for_secs).await,
        }
    }

    /// Revokes a person (the owner's only): their consoles are disconnected at once.
    pub async fn revoke(&self, person_id: u64) -> Result<Person, WireError> {
        match self {
            Console::Embedded(s) => revoke_person(&s.access, &s.room, ANCHOR, person_id).await.map_err(refused),
            Console::Remote(r) => r.revoke(person_id).await,
        }
    }
}

/// The hub's own words for a refusal of its team's store, as its API would answer.
fn refused(e: server::access::Error) -> WireError {
    ApiError::from(e).wire
}
