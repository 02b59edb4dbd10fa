//! The RTMP ingest against a real encoder: ffmpeg pushes a short test stream (lavfi testsrc + sine,
//! libx264 veryfast, 320x180) to addresses made by `stream::push_address`, and the CSS client watches
//! the result through the sandbox's CSS API. ffmpeg must be installed (`make test` installs it); a
//! missing ffmpeg fails these tests rather than skipping them.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use anchordesk_sandbox::StreamState;
use stream::css::CssClient;
use support::{config, Env};
use tokio::process::{Child, Command};

/// The longest a test waits for something that should happen within a second or two.
const PATIENCE: Duration = Duration::from_secs(8);

fn ffmpeg() -> &'static str {
    let found = std::process::Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    assert!(
        found,
        "ffmpeg is not installed, and the ingest tests push a real stream with it: run `make test` (its setup \
         installs ffmpeg), or `sudo apt-get install -y ffmpeg`"
    );
    "ffmpeg"
}

/// ffmpeg pushing a 320x180 test pattern with a tone to `url` for `secs` seconds, in real time.
fn push(url: &str, secs: u32) -> Child {
    Command::new(ffmpeg())
        .args(["-hide_banner", "-nostdin", "-loglevel", "error"])
        .args(["-re", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=15"])
        .args(["-re", "-f", "lavfi", "-i", "sine=frequency=440"])
        .args(["-t", &secs.to_string()])
        .args(["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "15", "-c:a", "aac"])
        .args(["-f", "flv", url])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("ffmpeg starts")
}

/// A push address for `name` on the sandbox's ingest, valid until `expires_at`.
fn address(env: &Env, name: &str, expires_at: u64) -> stream::PushAddress {
    let css = env.sandbox.css();
    stream::StreamPath::new(&env.sandbox.rtmp_addr().to_string(), &css.app_name, name)
        .and_then(|p| p.push(stream::PushProtocol::Rtmp, Some(stream::PushAuth { key: &css.push_key, expires_at })))
        .expect("a valid address")
}

fn in_an_hour() -> u64 {
    im::clock::now_secs() + 3600
}

fn client(env: &Env) -> CssClient {
    let css = env.sandbox.css();
    CssClient::builder(css.secret_id.clone(), css.secret_key.clone()).endpoint(env.sandbox.base_url()).build().unwrap()
}

async fn state(env: &Env, name: &str) -> StreamState {
    client(env).stream(&env.sandbox.css().push_domain, "live", name).state().await.expect("DescribeLiveStreamState")
}

/// Polls the CSS API until the stream is in `wanted`, failing after `PATIENCE`.
async fn wait_for_state(env: &Env, name: &str, wanted: StreamState) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let now = state(env, name).await;
        if now == wanted {
            return;
        }
        assert!(Instant::now() < deadline, "{name} stayed {now}, expected {wanted} within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for ffmpeg to give up, and returns what it printed.
async fn refused(child: Child) -> String {
    let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .expect("ffmpeg gives up within a few seconds when the ingest refuses it")
        .unwrap();
    assert!(!out.status.success(), "a refused push must end in failure");
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[tokio::test]
async fn a_valid_push_is_active_with_a_bitrate_and_listed_online_while_it_runs() {
    let env = Env::start(config()).await;
    let addr = address(&env, "anchor-live", in_an_hour());
    let mut ffmpeg = push(&addr.url, 30);
    wait_for_state(&env, "anchor-live", StreamState::Active).await;
    let deadline = Instant::now() + PATIENCE;
    let live = loop {
        let s = env.sandbox.live_stream("live", "anchor-live").expect("the stream is live");
        if s.bitrate_bps > 0 && s.bytes > 10_000 {
            break s;
        }
        assert!(Instant::now() < deadline, "no media arrived: {s:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(live.client_ip.to_string(), "127.0.0.1", "the client's IP is tracked");
    assert!(im::clock::now_secs().abs_diff(live.publish_time) < 30, "the start time is now: {live:?}");
    let online = client(&env).online_streams(Some(&env.sandbox.css().push_domain), Some("live")).await.unwrap();
    assert_eq!(online.len(), 1, "the online list holds the push: {online:?}");
    assert_eq!(online[0].stream_name, "anchor-live");
    let published = stream::css::parse_utc(&online[0].publish_time_list[0].publish_time).unwrap();
    assert_eq!(published, live.publish_time, "PublishTime is the push's start, in UTC");
    ffmpeg.kill().await.unwrap();
    wait_for_state(&env, "anchor-live", StreamState::Inactive).await;
}

#[tokio::test]
async fn a_tampered_txsecret_is_refused_with_badname() {
    let env = Env::start(config()).await;
    let addr = address(&env, "anchor-t", in_an_hour());
    let secret = addr.tx_secret.clone().expect("an authenticated address");
    let flipped = if secret.starts_with('0') { "1" } else { "0" };
    let url = addr.url.replace(&secret, &format!("{flipped}{}", &secret[1..]));
    let stderr = refused(push(&url, 3)).await;
    assert!(
        stderr.contains("Server error: push authentication failed: txSecret does not match the push key"),
        "ffmpeg shows the ingest's reason: {stderr}"
    );
    assert!(env.sandbox.live_streams().is_empty(), "nothing got in");
}

#[tokio::test]
async fn an_expired_txtime_is_refused() {
    let env = Env::start(config()).await;
    let addr = address(&env, "anchor-e", im::clock::now_secs() - 60);
    let stderr = refused(push(&addr.url, 3)).await;
    assert!(
        stderr.contains("Server error: push authentication failed: the push address expired"),
        "ffmpeg shows the ingest's reason: {stderr}"
    );
    assert_eq!(state(&env, "anchor-e").await, StreamState::Inactive);
}

#[tokio::test]
async fn a_forbidden_stream_is_refused_until_resumed() {
    let env = Env::start(config()).await;
    let stream = client(&env).stream(&env.sandbox.css().push_domain, "live", "anchor-f");
    stream.forbid(Some(im::clock::now_secs() + 600), Some("test")).await.unwrap();
    let addr = address(&env, "anchor-f", in_an_hour());
    let stderr = refused(push(&addr.url, 3)).await;
    assert!(
        stderr.contains("Server error: the stream is forbidden from pushing"),
        "ffmpeg shows the ingest's reason: {stderr}"
    );
    assert_eq!(state(&env, "anchor-f").await, StreamState::Forbid);
    stream.resume().await.unwrap();
    let _ffmpeg = push(&addr.url, 30);
    wait_for_state(&env, "anchor-f", StreamState::Active).await;
}

#[tokio::test]
async fn drop_live_stream_ends_a_live_push() {
    let env = Env::start(config()).await;
    let addr = address(&env, "anchor-d", in_an_hour());
    let mut ffmpeg = push(&addr.url, 30);
    wait_for_state(&env, "anchor-d", StreamState::Active).await;
    client(&env).stream(&env.sandbox.css().push_domain, "live", "anchor-d").drop_push().await.unwrap();
    assert_eq!(state(&env, "anchor-d").await, StreamState::Inactive, "inactive as soon as it is dropped");
    let status = tokio::time::timeout(PATIENCE, ffmpeg.wait())
        .await
        .expect("ffmpeg exits when the ingest disconnects it, long before its 30 s are up")
        .unwrap();
    assert!(!status.success(), "a dropped push ends in failure for the encoder: {status}");
}
