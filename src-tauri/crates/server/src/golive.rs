//! The stream desk: the anchor's side of going live. It makes the push address, puts it into OBS (and
//! reads it back), starts OBS, waits until the ingest (CSS) reports the stream active, and only then calls
//! the room live — each step reported to every console as a [`GoLiveProgress`]. While it runs it
//! watches both ends (OBS's encoder figures, the ingest's state) and reports [`StreamHealth`]; with
//! auto-pause on, the room goes to paused when the ingest loses the stream and back to live when it
//! returns.
//!
//! Secrets: the push key stays here; the address made from it (a time-limited credential) is given only
//! to the owner's console by [`StreamDesk::address`], never in events.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use im::clock::{now_ms, now_secs};
use im::Secret;
use room::event::{GoLiveProgress, GoLiveStep, IngestHealth, IngestState, StepState, StreamHealth};
use room::{RoomHandle, RoomStatus};
use serde::{Deserialize, Serialize};
use stream::css::{CssClient, StreamState};
use stream::obs::{ObsConfig, ObsHandle, SuperviseOptions};
use stream::{PlayFormat, PlayOptions, PushAddress, PushAuth, PushProtocol, StreamPath};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// The actor the audit log records for status changes the monitor makes.
pub const MONITOR: &str = "stream monitor";

/// How the room's stream is pushed and watched.
#[derive(Clone, Debug)]
pub struct StreamSettings {
    /// The push domain the CSS API knows (`DomainName`).
    pub push_domain: String,
    /// Where encoders connect when that is not the push domain (the sandbox's `127.0.0.1:PORT`).
    pub ingest_host: Option<String>,
    pub app_name: String,
    pub stream_name: String,
    pub push_key: Secret,
    pub backup_push_key: Option<Secret>,
    /// How long a new push address stays valid.
    pub valid_for: Duration,
    /// Renew before going live when less than this is left.
    pub renew_margin: Duration,
    /// The play domain, for play addresses (none: the console shows none).
    pub play_domain: Option<String>,
    /// The play authentication key, when play authentication is on: play URLs are signed to expire
    /// with the push address.
    pub play_key: Option<Secret>,
    /// The CSS API key, to confirm the stream at the ingest; without one only OBS confirms it.
    pub css: Option<CssClient>,
    pub obs: Option<ObsConfig>,
    pub auto_pause: bool,
    /// How long going live waits for the ingest.
    pub ingest_timeout: Duration,
    /// How often both ends are checked.
    pub poll: Duration,
}

/// The push address as the owner's console shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamAddress {
    /// OBS's "Server".
    pub server: String,
    /// OBS's "Stream Key" (a credential until it expires: show it masked).
    pub stream_key: String,
    /// The whole RTMP URL.
    pub url: String,
    pub srt_url: Option<String>,
    #[ts(type = "number")]
    pub expires_at: u64,
    /// Less than the renewal margin is left: an encoder that reconnects after `expires_at` is refused.
    pub renew_due: bool,
    /// Which key signed it: `primary` or `backup`.
    pub key: String,
    /// The RTMP URL as a QR code (PNG, base64), for mobile push apps.
    pub qr_png_base64: String,
    /// Play addresses by format (`flv`, `hls`, `rtmp`, `webrtc`).
    pub play: Vec<PlayUrl>,
    pub stream_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlayUrl {
    pub format: String,
    pub url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Invalid(String),
    #[error("{step:?}: {message}")]
    Step { step: GoLiveStep, message: String },
    #[error("no OBS is configured: set ANCHORDESK_OBS_URL (and ANCHORDESK_OBS_PASSWORD if OBS asks for one)")]
    NoObs,
    #[error("going live is not set up: set ANCHORDESK_PUSH_DOMAIN and ANCHORDESK_PUSH_KEY (see the README)")]
    NotSetUp,
    #[error(transparent)]
    Room(#[from] room::Error),
}

struct State {
    /// The address in use, and whether the backup key made it.
    address: Option<(PushAddress, bool)>,
    /// The room was paused by the monitor (so it may bring it back).
    paused_by_monitor: bool,
    going_live: bool,
}

/// The stream desk of one room; cheap to clone.
#[derive(Clone)]
pub struct StreamDesk {
    settings: Arc<StreamSettings>,
    path: StreamPath,
    obs: Option<ObsHandle>,
    room: RoomHandle,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for StreamDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamDesk").field("stream", &self.settings.stream_name).finish()
    }
}

/// The stream desk, or the error saying how to set one up.
pub fn require(desk: Option<&StreamDesk>) -> Result<&StreamDesk, Error> {
    desk.ok_or(Error::NotSetUp)
}

/// A stream name CSS accepts, made from the room's group ID (`@TGS#aXYZ` → `room_TGSaXYZ`).
pub fn stream_name_for(group_id: &str) -> String {
    let clean: String = group_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    format!("room_{clean}")
}

impl StreamDesk {
    /// Starts watching OBS (when configured) and the ingest.
    pub fn start(settings: StreamSettings, room: RoomHandle, cancel: CancellationToken) -> Result<Self, Error> {
        let host = settings.ingest_host.clone().unwrap_or_else(|| settings.push_domain.clone());
        let path = StreamPath::new(&host, &settings.app_name, &settings.stream_name)
            .map_err(|e| Error::Invalid(format!("the stream settings are not usable: {e}")))?;
        let obs = settings.obs.clone().map(|c| stream::obs::supervise(c, SuperviseOptions::default(), cancel.clone()));
        let desk = Self {
            settings: Arc::new(settings),
            path,
            obs,
            room,
            state: Arc::new(Mutex::new(State { address: None, paused_by_monitor: false, going_live: false })),
        };
        tokio::spawn(desk.clone().monitor(cancel));
        Ok(desk)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The primary push key, or (`backup`) the backup key when there is one.
    fn key(&self, backup: bool) -> &Secret {
        match (&self.settings.backup_push_key, backup) {
            (Some(k), true) => k,
            _ => &self.settings.push_key,
        }
    }

    /// Makes a push address valid for the configured time, with the primary key or (`backup`) the other.
    fn make(&self, backup: bool) -> Result<PushAddress, Error> {
        let expires_at = now_secs() + self.settings.valid_for.as_secs();
        self.path
            .push(PushProtocol::Rtmp, Some(PushAuth { key: self.key(backup), expires_at }))
            .map_err(|e| Error::Invalid(format!("cannot make the push address: {e}")))
    }

    /// The address in use and whether the backup key made it: made on first ask, and (with `renew_due`)
    /// made again with the same key when it would expire within the renewal margin.
    fn in_use(&self, renew_due: bool) -> Result<(PushAddress, bool), Error> {
        let current = self.state().address.clone();
        let backup = match current {
            Some((a, b))
                if !(renew_due
                    && stream::renewal_due(a.expires_at.unwrap_or(0), now_secs(), self.settings.renew_margin)) =>
            {
                return Ok((a, b))
            }
            Some((_, b)) => b,
            None => false,
        };
        let a = self.make(backup)?;
        self.state().address = Some((a.clone(), backup));
        Ok((a, backup))
    }

    /// The push address in use (made on first ask), for the owner's console.
    pub fn address(&self) -> Result<StreamAddress, Error> {
        let (address, backup) = self.in_use(false)?;
        self.view(&address, backup)
    }

    /// A fresh address with a new expiry; `rotate` switches to the other key (when there is a backup key).
    pub fn renew(&self, rotate: bool) -> Result<StreamAddress, Error> {
        let was_backup = self.state().address.as_ref().is_some_and(|(_, b)| *b);
        let backup = if rotate && self.settings.backup_push_key.is_some() { !was_backup } else { was_backup };
        let address = self.make(backup)?;
        self.state().address = Some((address.clone(), backup));
        self.view(&address, backup)
    }

    fn view(&self, a: &PushAddress, backup: bool) -> Result<StreamAddress, Error> {
        use base64::Engine;
        let expires_at = a.expires_at.unwrap_or(0);
        let png = stream::qr::qr_png(&a.url).map_err(|e| Error::Invalid(format!("cannot draw the QR code: {e}")))?;
        let srt =
            self.path.push(PushProtocol::Srt, Some(PushAuth { key: self.key(backup), expires_at })).ok().map(|s| s.url);
        let play = match &self.settings.play_domain {
            Some(domain) => StreamPath::new(domain, &self.settings.app_name, &self.settings.stream_name)
                .ok()
                .map(|p| {
                    [PlayFormat::Flv, PlayFormat::Hls, PlayFormat::Rtmp, PlayFormat::WebRtc]
                        .into_iter()
                        .filter_map(|f| {
                            let auth =
                                self.settings.play_key.as_ref().map(|key| stream::PlayAuth::until(key, expires_at, 0));
                            p.play(f, PlayOptions { auth, ..PlayOptions::default() })
                                .ok()
                                .map(|u| PlayUrl { format: f.as_str().into(), url: u.url })
                        })
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(StreamAddress {
            server: a.server.clone().unwrap_or_default(),
            stream_key: a.stream_key.clone().unwrap_or_default(),
            url: a.url.clone(),
            srt_url: srt,
            expires_at,
            renew_due: stream::renewal_due(expires_at, now_secs(), self.settings.renew_margin),
            key: if backup { "backup" } else { "primary" }.into(),
            qr_png_base64: base64::engine::general_purpose::STANDARD.encode(png),
            play,
            stream_name: self.settings.stream_name.clone(),
        })
    }

    /// Applies the push address to OBS and verifies it by reading it back.
    pub async fn apply_to_obs(&self) -> Result<(), Error> {
        let obs = self.obs.as_ref().ok_or(Error::NoObs)?;
        let (address, _) = self.in_use(true)?;
        let settings = address.obs_settings().ok_or_else(|| Error::Invalid("an RTMP address has a server".into()))?;
        obs.apply(settings).await.map_err(|e| Error::Step { step: GoLiveStep::Obs, message: e.to_string() })
    }

    async fn progress(&self, actor: &str, step: GoLiveStep, state: StepState, message: impl Into<String>) {
        let p = GoLiveProgress { step, state, message: message.into(), actor: actor.to_string(), at: now_ms() };
        if let Err(e) = self.room.report_go_live(p).await {
            tracing::warn!(error = %e, "could not report a go-live step");
        }
    }

    /// Runs `step`; reports it running, then done or failed (with the reason).
    async fn step<T>(
        &self,
        actor: &str,
        step: GoLiveStep,
        running: &str,
        work: impl std::future::Future<Output = Result<(T, String), String>>,
    ) -> Result<T, Error> {
        self.progress(actor, step, StepState::Running, running).await;
        match work.await {
            Ok((v, done)) => {
                self.progress(actor, step, StepState::Done, done).await;
                Ok(v)
            }
            Err(message) => {
                self.progress(actor, step, StepState::Failed, message.clone()).await;
                Err(Error::Step { step, message })
            }
        }
    }

    /// The closed loop: address → OBS (applied and read back) → start → the ingest reports the stream
    /// active → the room is live. Fails at the first step that does not work, saying why.
    pub async fn go_live(&self, actor: &str) -> Result<(), Error> {
        {
            let mut s = self.state();
            if s.going_live {
                return Err(Error::Invalid("going live is under way already".into()));
            }
            s.going_live = true;
        }
        let result = self.go_live_steps(actor).await;
        self.state().going_live = false;
        result
    }

    async fn go_live_steps(&self, actor: &str) -> Result<(), Error> {
        let status = self.room.status().await?;
        if !matches!(status, RoomStatus::Upcoming | RoomStatus::Paused | RoomStatus::Live) {
            return Err(Error::Invalid(format!(
                "the room is {status}; start a new session (upcoming) before going live again"
            )));
        }
        let obs = self.obs.clone().ok_or(Error::NoObs)?;
        let address = self
            .step(actor, GoLiveStep::Address, "making the push address", async {
                let (a, _) = self.in_use(true).map_err(|e| e.to_string())?;
                let left = a.expires_at.unwrap_or(0).saturating_sub(now_secs());
                Ok((a, format!("valid for {}", room::strikes::duration(left.min(u64::from(u32::MAX)) as u32))))
            })
            .await?;
        let settings = address.obs_settings().ok_or_else(|| Error::Invalid("an RTMP address has a server".into()))?;
        let live = obs.health().live;
        self.step(actor, GoLiveStep::Obs, "putting the address into OBS", async {
            if live {
                // OBS refuses changes while live; it is streaming already: check it streams to us.
                return Ok(((), "OBS is streaming already".to_string()));
            }
            obs.apply(settings).await.map_err(|e| e.to_string())?;
            Ok(((), "applied and read back".to_string()))
        })
        .await?;
        self.step(actor, GoLiveStep::Start, "starting the stream in OBS", async {
            if live {
                return Ok(((), "already streaming".to_string()));
            }
            obs.start_stream().await.map_err(|e| e.to_string())?;
            Ok(((), "OBS is streaming".to_string()))
        })
        .await?;
        self.step(actor, GoLiveStep::Ingest, "waiting for the stream to reach CSS", self.wait_for_ingest()).await?;
        self.step(actor, GoLiveStep::Live, "calling the room live", async {
            if self.room.status().await.map_err(|e| e.to_string())? != RoomStatus::Live {
                self.room.set_status_as(actor, RoomStatus::Live).await.map_err(|e| e.to_string())?;
            }
            self.state().paused_by_monitor = false;
            Ok(((), "the room is live".to_string()))
        })
        .await
    }

    /// What CSS says of the stream now: `Unknown` (with the reason, if a check failed) without a CSS API
    /// key or when the check fails.
    async fn ingest_state(&self) -> (IngestState, Option<String>) {
        let Some(css) = &self.settings.css else { return (IngestState::Unknown, None) };
        let handle = css.stream(&self.settings.push_domain, &self.settings.app_name, &self.settings.stream_name);
        match handle.state().await {
            Ok(StreamState::Active) => (IngestState::Active, None),
            Ok(StreamState::Inactive) => (IngestState::Inactive, None),
            Ok(StreamState::Forbid) => (IngestState::Forbid, None),
            Err(e) => (IngestState::Unknown, Some(format!("{e} ({})", e.advice()))),
        }
    }

    async fn wait_for_ingest(&self) -> Result<((), String), String> {
        if self.settings.css.is_none() {
            return Ok(((), "confirmed by OBS only: set a CSS API key to confirm it at the ingest".into()));
        }
        let deadline = tokio::time::Instant::now() + self.settings.ingest_timeout;
        loop {
            let last = match self.ingest_state().await {
                (IngestState::Active, _) => return Ok(((), "CSS receives the stream".into())),
                (IngestState::Forbid, _) => {
                    return Err("CSS forbids this stream (ForbidLiveStream); resume it in the CSS console".into())
                }
                (IngestState::Inactive, _) => "CSS does not receive the stream yet".to_string(),
                (IngestState::Unknown, error) => error.unwrap_or_default(),
            };
            if let Some(obs) = &self.obs {
                let h = obs.health();
                if !h.live && h.output == stream::obs::OutputState::Stopped {
                    return Err("OBS stopped the stream: the ingest refused it or could not be reached; check \
                                the push address (renew it) and OBS's log"
                        .into());
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!(
                    "no stream reached CSS within {} s ({last}); check OBS's output and the network",
                    self.settings.ingest_timeout.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Stops OBS's stream; with `end`, the room's stream ends too.
    pub async fn stop(&self, actor: &str, end: bool) -> Result<(), Error> {
        if let Some(obs) = &self.obs {
            if obs.health().live {
                obs.stop_stream().await.map_err(|e| Error::Step { step: GoLiveStep::Start, message: e.to_string() })?;
            }
        }
        if end {
            let status = self.room.status().await?;
            if matches!(status, RoomStatus::Live | RoomStatus::Paused) {
                self.room.set_status_as(actor, RoomStatus::Ended).await?;
            }
        }
        Ok(())
    }

    /// Checks both ends every `poll`, reports the health when it changed, and pauses or resumes the room
    /// when the ingest loses or regains the stream (auto-pause on).
    async fn monitor(self, cancel: CancellationToken) {
        let mut last: Option<StreamHealth> = None;
        let mut active_since = None;
        let mut inactive_polls = 0u32;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(self.settings.poll) => {}
            }
            let (state, error) = self.ingest_state().await;
            if state == IngestState::Active {
                active_since.get_or_insert_with(now_ms);
                inactive_polls = 0;
            } else {
                active_since = None;
                if matches!(state, IngestState::Inactive | IngestState::Forbid) {
                    inactive_polls += 1;
                }
            }
            let health = StreamHealth {
                obs: self.obs.as_ref().map(|o| o.health()),
                ingest: IngestHealth { state, error, checked_at: now_ms(), active_since },
                push_expires_at: self.state().address.as_ref().and_then(|(a, _)| a.expires_at),
                auto_pause: self.settings.auto_pause,
            };
            let changed = last.as_ref().is_none_or(|l| {
                let mut a = l.clone();
                a.ingest.checked_at = health.ingest.checked_at;
                a != health
            });
            if changed {
                if self.room.report_stream_health(health.clone()).await.is_err() {
                    return; // the room is gone
                }
                last = Some(health);
            }
            if self.settings.auto_pause && !self.state().going_live {
                self.auto_pause(state, inactive_polls).await;
            }
        }
    }

    async fn auto_pause(&self, state: IngestState, inactive_polls: u32) {
        let Ok(status) = self.room.status().await else { return };
        if status == RoomStatus::Live && inactive_polls >= 2 {
            tracing::warn!("the ingest lost the stream; pausing the room");
            if self.room.set_status_as(MONITOR, RoomStatus::Paused).await.is_ok() {
                self.state().paused_by_monitor = true;
            }
        } else if status == RoomStatus::Paused && state == IngestState::Active && self.state().paused_by_monitor {
            tracing::info!("the stream is back at the ingest; the room is live again");
            if self.room.set_status_as(MONITOR, RoomStatus::Live).await.is_ok() {
                self.state().paused_by_monitor = false;
            }
        }
    }
}

impl From<Error> for room::WireError {
    fn from(e: Error) -> Self {
        match e {
            Error::Room(e) => room::WireError::from(&e),
            other => room::WireError::new(room::ErrorCode::Invalid, other.to_string()),
        }
    }
}
