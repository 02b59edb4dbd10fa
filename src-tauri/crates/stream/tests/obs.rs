//! The OBS client against the sandbox's fake OBS: a real obs-websocket v5 server on 127.0.0.1, spoken to
//! over real WebSockets. Waits are on events and watched state with generous ceilings, never on sleeps.

use std::time::Duration;

use anchordesk_stream as stream;
use futures_util::StreamExt;
use sandbox::obs::{ffmpeg_available, FakeObs, FakeObsConfig, PushMode};
use stream::obs::{
    self, BitrateMeter, EventStream, Obs, ObsConfig, ObsConnection, ObsError, ObsEvent, ObsHealth, ObsStreamSettings,
    OutputState, SuperviseOptions,
};
use stream::{PushAuth, PushProtocol, Secret, StreamPath};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

const PATIENCE: Duration = Duration::from_secs(10);
const PUSH_KEY: &str = "e12c46f2612d5106e2034781ab261ca3";

async fn fake(config: FakeObsConfig) -> FakeObs {
    FakeObs::bind(config).await.expect("the fake OBS binds 127.0.0.1")
}

fn with_password(password: &str) -> FakeObsConfig {
    FakeObsConfig { password: Some(Secret::new(password)), ..Default::default() }
}

fn login(fake: &FakeObs, password: Option<&str>) -> ObsConfig {
    ObsConfig::new(fake.url(), password.map(Secret::new))
}

/// What the go-live flow sends: the OBS half of a real push address.
fn push_settings(stream_name: &str) -> ObsStreamSettings {
    let key = Secret::new(PUSH_KEY);
    StreamPath::new("livepush.example.com", "live", stream_name)
        .unwrap()
        .push(PushProtocol::Rtmp, Some(PushAuth { key: &key, expires_at: 4_102_444_800 }))
        .unwrap()
        .obs_settings()
        .expect("OBS can push RTMP")
}

/// The next stream states, up to and including `last`.
async fn states_until(events: &mut EventStream, last: OutputState) -> Vec<OutputState> {
    let mut seen = Vec::new();
    tokio::time::timeout(PATIENCE, async {
        while let Some(ev) = events.next().await {
            if let ObsEvent::StreamState { state, .. } = ev {
                seen.push(state);
                if state == last {
                    return;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {last:?} within {PATIENCE:?}; saw {seen:?}"));
    seen
}

async fn wait_for(rx: &mut watch::Receiver<ObsHealth>, what: &str, f: impl FnMut(&ObsHealth) -> bool) -> ObsHealth {
    let outcome = tokio::time::timeout(PATIENCE, rx.wait_for(f)).await.map(|r| r.map(|h| h.clone()));
    match outcome {
        Ok(Ok(h)) => h,
        Ok(Err(_)) => panic!("the supervisor ended while waiting for {what}"),
        Err(_) => panic!("waited {PATIENCE:?} for {what}; health is {:?}", *rx.borrow()),
    }
}

fn fast() -> SuperviseOptions {
    SuperviseOptions {
        poll_interval: Duration::from_millis(100),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        confirm_timeout: PATIENCE,
    }
}

fn connected(h: &ObsHealth) -> bool {
    matches!(h.connection, ObsConnection::Connected { .. })
}

#[tokio::test]
async fn connects_without_a_password_and_reads_the_version() {
    let fake = fake(FakeObsConfig::default()).await;
    let obs = Obs::connect(&login(&fake, None)).await.expect("no password needed");
    assert_eq!((obs.version().obs.as_str(), obs.version().websocket.as_str()), ("30.2.2", "5.5.2"));
    assert_eq!(fake.sessions(), 1, "identified once");
}

#[tokio::test]
async fn connects_with_the_right_password() {
    let fake = fake(with_password("s3cret-obs")).await;
    Obs::connect(&login(&fake, Some("s3cret-obs"))).await.expect("the password matches the challenge");
    assert_eq!(fake.sessions(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_the_clear_error() {
    let fake = fake(with_password("s3cret-obs")).await;
    let e = Obs::connect(&login(&fake, Some("guess-1"))).await.unwrap_err();
    assert_eq!(e, ObsError::WrongPassword, "OBS closed with 4009 AuthenticationFailed");
    let text = e.to_string();
    assert!(text.contains("the OBS WebSocket password is wrong") && !text.contains("guess-1"), "{text}");
    let e = Obs::connect(&login(&fake, None)).await.unwrap_err();
    assert_eq!(e, ObsError::PasswordRequired, "no password at all says OBS needs one");
    assert!(e.to_string().contains("ANCHORDESK_OBS_PASSWORD"), "{e}");
    assert_eq!(fake.sessions(), 0, "neither was identified");
}

#[tokio::test]
async fn nothing_listening_is_reported_with_how_to_switch_the_server_on() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = Obs::connect(&ObsConfig::new(format!("ws://127.0.0.1:{port}"), None)).await.unwrap_err();
    assert!(matches!(e, ObsError::Unreachable { .. }), "{e:?}");
    assert!(e.to_string().contains("Enable WebSocket server"), "{e}");
    let e = Obs::connect(&ObsConfig::new("http://127.0.0.1:4455", None)).await.unwrap_err();
    assert!(e.to_string().contains("ws://HOST:PORT"), "{e}");
}

#[tokio::test]
async fn applied_settings_are_read_back_and_verified() {
    let fake = fake(FakeObsConfig::default()).await;
    assert_eq!(fake.stream_service().0, "rtmp_common", "OBS starts on a built-in service");
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    let settings = push_settings("anchor-1");
    obs.apply(&settings).await.expect("applied and read back");
    let (kind, saved) = fake.stream_service();
    assert_eq!(kind, "rtmp_custom");
    assert_eq!(saved["server"], "rtmp://livepush.example.com/live/");
    assert_eq!(saved["key"].as_str(), Some(settings.key.expose()), "OBS has the key in plain text");
    assert_eq!(saved["use_auth"], false, "no RTMP username/password towards CSS");
    let read = obs.stream_service().await.unwrap();
    assert!(read.check(&settings).is_ok(), "{read:?}");
}

#[tokio::test]
async fn a_change_obs_did_not_keep_is_caught_by_the_read_back() {
    let fake = fake(FakeObsConfig::default()).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    obs.apply(&push_settings("anchor-1")).await.unwrap();
    fake.ignore_next_settings();
    let second = push_settings("anchor-2");
    let e = obs.apply(&second).await.unwrap_err();
    assert!(matches!(e, ObsError::NotApplied(_)), "{e:?}");
    assert!(e.to_string().contains("different stream key"), "{e}");
    assert!(!e.to_string().contains("txSecret="), "the key stays out of the message: {e}");
    fake.set_stream_service("rtmp_common", serde_json::json!({"service": "YouTube - RTMPS"}));
    let e = obs.stream_service().await.unwrap().check(&second).unwrap_err();
    assert!(e.to_string().contains("\"rtmp_common\" service, not Custom"), "{e}");
}

#[tokio::test]
async fn settings_cannot_change_while_live_and_the_error_says_to_stop_first() {
    let fake = fake(FakeObsConfig::default()).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    obs.apply(&push_settings("anchor-1")).await.unwrap();
    obs.start_stream_confirmed(PATIENCE).await.unwrap();
    let e = obs.apply(&push_settings("anchor-2")).await.unwrap_err();
    assert_eq!(e, ObsError::LiveChangeRefused, "status 500 OutputRunning");
    assert!(e.to_string().contains("stop the stream in OBS first"), "{e}");
    assert_eq!(fake.stream_service().1["key"].as_str(), Some(push_settings("anchor-1").key.expose()), "unchanged");
    obs.stop_stream_confirmed(PATIENCE).await.unwrap();
    obs.apply(&push_settings("anchor-2")).await.expect("allowed again once stopped");
}

#[tokio::test]
async fn start_and_stop_follow_stream_state_changed() {
    let fake = fake(FakeObsConfig::default()).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    obs.apply(&push_settings("anchor-1")).await.unwrap();
    let mut events = obs.events().unwrap();
    obs.start_stream_confirmed(PATIENCE).await.expect("OBS reports STARTED");
    assert_eq!(states_until(&mut events, OutputState::Started).await, [OutputState::Starting, OutputState::Started]);
    assert!(obs.stream_status().await.unwrap().active);
    assert_eq!(obs.start_stream().await.unwrap_err(), ObsError::AlreadyLive, "500 OutputRunning");
    obs.stop_stream_confirmed(PATIENCE).await.expect("OBS reports STOPPED");
    assert_eq!(states_until(&mut events, OutputState::Stopped).await, [OutputState::Stopping, OutputState::Stopped]);
    assert!(!obs.stream_status().await.unwrap().active);
    assert_eq!(obs.stop_stream().await.unwrap_err(), ObsError::NotLive, "501 OutputNotRunning");
}

#[tokio::test]
async fn the_bitrate_is_computed_from_output_bytes_between_polls() {
    let fake = fake(FakeObsConfig { push: PushMode::Simulated { bitrate_bps: 2_500_000 }, ..Default::default() }).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    obs.apply(&push_settings("anchor-1")).await.unwrap();
    obs.start_stream_confirmed(PATIENCE).await.unwrap();
    fake.skip_frames(3);
    fake.set_congestion(0.25);
    let mut meter = BitrateMeter::default();
    let first = obs.stream_status().await.unwrap();
    assert_eq!(meter.sample(&first, tokio::time::Instant::now()), None);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = obs.stream_status().await.unwrap();
    let bps = meter.sample(&second, tokio::time::Instant::now()).expect("two polls of a live output");
    assert!((bps - 2_500_000.0).abs() < 2_500_000.0 * 0.01, "the fake sends 2.5 Mbit/s; computed {bps}");
    assert!(second.bytes > first.bytes && second.total_frames > first.total_frames);
    assert_eq!(second.skipped_frames, 3);
    assert_eq!(second.congestion, 0.25);
}

#[tokio::test]
async fn a_push_the_ingest_refuses_is_a_failed_start_naming_the_server() {
    let fake = fake(FakeObsConfig::default()).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    obs.apply(&push_settings("anchor-1")).await.unwrap();
    fake.refuse_push(true);
    let mut events = obs.events().unwrap();
    let e = obs.start_stream_confirmed(PATIENCE).await.unwrap_err();
    assert_eq!(e, ObsError::StartFailed { server: "rtmp://livepush.example.com/live/".into() });
    assert!(e.to_string().contains("check the server and the stream key"), "{e}");
    assert_eq!(states_until(&mut events, OutputState::Stopped).await, [OutputState::Starting, OutputState::Stopped]);
}

#[tokio::test]
async fn a_refusal_obs_gives_is_passed_on_with_its_code() {
    let fake = fake(FakeObsConfig::default()).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    fake.refuse_next_change(sandbox::obs::status::NOT_READY, "OBS is not ready to perform the request.");
    let e = obs.start_stream().await.unwrap_err();
    assert_eq!(
        e,
        ObsError::Refused {
            request: "StartStream",
            code: 207,
            comment: "OBS is not ready to perform the request.".into()
        }
    );
}

#[tokio::test]
async fn the_supervisor_follows_the_stream_and_reports_its_health() {
    let fake = fake(FakeObsConfig {
        push: PushMode::Simulated { bitrate_bps: 3_000_000 },
        reconnect_delay: Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let cancel = CancellationToken::new();
    let handle = obs::supervise(login(&fake, None), fast(), cancel.clone());
    let mut health = handle.watch();
    let h = wait_for(&mut health, "connected", connected).await;
    assert_eq!(h.output, OutputState::Stopped, "a fresh OBS is not streaming");
    handle.apply(push_settings("anchor-1")).await.unwrap();
    assert_eq!(handle.health().server.as_deref(), Some("rtmp://livepush.example.com/live/"), "server, never the key");
    handle.start_stream().await.expect("confirmed by StreamStateChanged");
    let h = wait_for(&mut health, "a bitrate", |h| h.bitrate_kbps.is_some()).await;
    assert!(h.live && h.output == OutputState::Started, "{h:?}");
    assert!((h.bitrate_kbps.unwrap() - 3000.0).abs() < 30.0, "{h:?}");
    assert_eq!(handle.start_stream().await.unwrap_err(), ObsError::AlreadyLive);
    fake.drop_push();
    wait_for(&mut health, "OBS reconnecting its push", |h| h.output == OutputState::Reconnecting).await;
    let h = wait_for(&mut health, "the push back", |h| h.output == OutputState::Reconnected).await;
    assert!(h.live);
    handle.stop_stream().await.expect("confirmed by StreamStateChanged");
    let h = handle.refresh().await.unwrap();
    assert!(!h.live && h.output == OutputState::Stopped && h.bitrate_kbps.is_none(), "{h:?}");
    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["connection"]["type"], "connected", "camelCase, tagged: {json}");
    assert!(json.get("bitrateKbps").is_some() && json.get("skippedFrames").is_some(), "{json}");
    cancel.cancel();
    wait_for(&mut health, "stopped", |h| h.connection == ObsConnection::Stopped).await;
}

#[tokio::test]
async fn a_push_lost_for_good_ends_in_stopped_after_obs_retries() {
    let fake = fake(FakeObsConfig::default()).await;
    let cancel = CancellationToken::new();
    let handle = obs::supervise(login(&fake, None), fast(), cancel.clone());
    let mut health = handle.watch();
    wait_for(&mut health, "connected", connected).await;
    handle.apply(push_settings("anchor-1")).await.unwrap();
    handle.start_stream().await.unwrap();
    fake.refuse_push(true);
    fake.drop_push();
    wait_for(&mut health, "reconnecting", |h| h.output == OutputState::Reconnecting).await;
    let h = wait_for(&mut health, "stopped", |h| h.output == OutputState::Stopped).await;
    assert!(!h.live, "{h:?}");
    assert!(fake.push_log().iter().any(|l| l.contains("refused")), "{:?}", fake.push_log());
    cancel.cancel();
}

#[tokio::test]
async fn the_supervisor_notices_obs_closing_and_reconnects_when_it_comes_back() {
    let fake = fake(with_password("pw")).await;
    let addr = fake.addr();
    let handle = obs::supervise(login(&fake, Some("pw")), fast(), CancellationToken::new());
    let mut health = handle.watch();
    wait_for(&mut health, "connected", connected).await;
    fake.shutdown().await;
    let h = wait_for(&mut health, "disconnected", |h| matches!(h.connection, ObsConnection::Disconnected { .. })).await;
    assert_eq!(h.output, OutputState::Unknown, "nothing is known about a closed OBS: {h:?}");
    let e = handle.start_stream().await.unwrap_err();
    assert!(matches!(e, ObsError::NotConnected(_)), "{e:?}");
    let listener = tokio::net::TcpListener::bind(addr).await.expect("the port is free again");
    let back = FakeObs::start(with_password("pw"), listener);
    wait_for(&mut health, "connected again", connected).await;
    assert_eq!(back.sessions(), 1);
    back.drop_connections();
    wait_for(&mut health, "disconnected after a dropped TCP connection", |h| !connected(h)).await;
    wait_for(&mut health, "connected once more", connected).await;
    handle.apply(push_settings("anchor-1")).await.expect("commands work on the new connection");
}

#[tokio::test]
async fn the_supervisor_reports_a_wrong_password_and_keeps_trying() {
    let fake = fake(with_password("right")).await;
    let handle = obs::supervise(login(&fake, Some("wrong")), fast(), CancellationToken::new());
    let mut health = handle.watch();
    let h = wait_for(&mut health, "a refusal", |h| matches!(h.connection, ObsConnection::Disconnected { .. })).await;
    let ObsConnection::Disconnected { reason, .. } = h.connection else { unreachable!() };
    assert!(reason.contains("password is wrong"), "{reason}");
    wait_for(
        &mut health,
        "a second attempt",
        |h| matches!(h.connection, ObsConnection::Disconnected { attempt, .. } if attempt >= 2),
    )
    .await;
}

fn require_ffmpeg() {
    assert!(
        ffmpeg_available(std::path::Path::new("ffmpeg")),
        "ffmpeg is not installed: run `make test` (scripts/setup.sh installs it) or `apt-get install ffmpeg`"
    );
}

/// Whether something listens on 127.0.0.1:`port` (Linux's /proc/net/tcp; a probe connection would use
/// up a one-shot listener).
fn listening(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let local = format!("0100007F:{port:04X}");
    table.lines().any(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        cols.get(1) == Some(&local.as_str()) && cols.get(3) == Some(&"0A")
    })
}

#[tokio::test]
async fn a_real_ffmpeg_push_to_an_unreachable_ingest_is_reported_as_obs_does() {
    require_ffmpeg();
    let fake = fake(FakeObsConfig { push: PushMode::ffmpeg(), ..Default::default() }).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    obs.apply(&ObsStreamSettings::new("rtmp://127.0.0.1:1/live/", "x")).await.unwrap();
    let mut events = obs.events().unwrap();
    let e = obs.start_stream_confirmed(Duration::from_secs(30)).await.unwrap_err();
    assert_eq!(e, ObsError::StartFailed { server: "rtmp://127.0.0.1:1/live/".into() });
    assert_eq!(
        states_until(&mut events, OutputState::Stopped).await,
        [OutputState::Starting, OutputState::Stopped],
        "STARTING then STOPPED, never STARTED"
    );
    assert!(!fake.output_active());
    let log = fake.push_log().join("\n");
    assert!(log.contains("push failed: ffmpeg exit status") && log.contains("127.0.0.1:1"), "ffmpeg ran: {log}");
}

#[tokio::test]
async fn a_real_ffmpeg_push_goes_live_and_counts_what_ffmpeg_reports() {
    require_ffmpeg();
    // The ingest: ffmpeg itself listening for one RTMP publisher (the sandbox's CSS ingest comes later).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut ingest = tokio::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-listen", "1", "-i"])
        .arg(format!("rtmp://127.0.0.1:{port}/live/s1"))
        .args(["-f", "null", "-"])
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(PATIENCE, async {
        while !listening(port) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the ffmpeg ingest listens");
    let fake = fake(FakeObsConfig { push: PushMode::ffmpeg(), ..Default::default() }).await;
    let obs = Obs::connect(&login(&fake, None)).await.unwrap();
    obs.apply(&ObsStreamSettings::new(&format!("rtmp://127.0.0.1:{port}/live/"), "s1")).await.unwrap();
    obs.start_stream_confirmed(Duration::from_secs(30)).await.expect("the ingest accepted the push");
    let status = tokio::time::timeout(PATIENCE, async {
        loop {
            let s = obs.stream_status().await.unwrap();
            if s.bytes > 10_000 && s.total_frames > 10 {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("bytes and frames from ffmpeg's progress");
    assert!(status.active && status.duration_ms > 0, "{status:?}");
    obs.stop_stream_confirmed(PATIENCE).await.unwrap();
    let ended = tokio::time::timeout(PATIENCE, ingest.wait()).await.expect("the ingest saw the push end");
    assert!(ended.is_ok());
}
