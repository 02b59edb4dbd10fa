//! What several test files need: child processes that die with the test, and a headless
//! `anchordesk sandbox` with the credentials it prints.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const APP: &str = env!("CARGO_BIN_EXE_anchordesk");

/// A child process killed when the test ends, pass or fail.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The credentials `anchordesk sandbox --json` prints.
pub struct Creds(pub serde_json::Value);

impl Creds {
    pub fn base_url(&self) -> &str {
        self.0["base_url"].as_str().expect("base_url")
    }
    pub fn sdkappid(&self) -> u64 {
        self.0["sdkappid"].as_u64().expect("sdkappid")
    }
    pub fn secret_key(&self) -> &str {
        self.0["secret_key"].as_str().expect("secret_key")
    }
    /// An admin IM client pointed at the sandbox.
    pub fn im(&self) -> im::ImClient {
        im::ImClient::builder(self.sdkappid(), im::Secret::new(self.secret_key()))
            .base_url(self.base_url())
            .build()
            .expect("the client builds")
    }
}

/// Starts `anchordesk sandbox --listen 127.0.0.1:0 --json ARGS…` and reads its credentials.
pub fn headless_sandbox(args: &[&str], env: &[(&str, &str)]) -> (Proc, Creds) {
    let mut cmd = Command::new(APP);
    cmd.args(["sandbox", "--listen", "127.0.0.1:0", "--json"]).args(args).env("ANCHORDESK_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("anchordesk sandbox starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line).unwrap();
    let creds =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("the sandbox printed {line:?}, not credentials: {e}"));
    (Proc(child), Creds(creds))
}

/// Waits for a delivered room message that `pick` recognises (with its priority), failing after 5 s.
pub async fn next_delivered<T>(
    deliveries: &mut tokio::sync::broadcast::Receiver<sandbox::Delivered>,
    pick: impl Fn(room::message::RoomMessage, im::MsgPriority) -> Option<T>,
) -> T {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let d = deliveries.recv().await.expect("the sandbox keeps delivering");
            if let Some(t) = room::message::RoomMessage::from_body(&d.body).and_then(|m| pick(m, d.priority)) {
                return t;
            }
        }
    })
    .await
    .expect("the expected room message was delivered within 5 s")
}

/// Waits until `check` holds (polling), or fails with `what` after `secs` seconds.
pub async fn until<F: std::future::Future<Output = bool>>(secs: u64, what: &str, check: impl Fn() -> F) {
    poll_until(Duration::from_secs(secs), Duration::from_millis(30), what, check).await;
}

/// [`until`] with its limit and pace given: a check that costs a round trip to another process (a
/// WebDriver query) is asked less often.
pub async fn poll_until<F: std::future::Future<Output = bool>>(
    limit: Duration,
    every: Duration,
    what: &str,
    check: impl Fn() -> F,
) {
    tokio::time::timeout(limit, async {
        while !check().await {
            tokio::time::sleep(every).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("within {limit:?}: {what}"));
}

/// A port free on 127.0.0.1 a moment ago, for a process that must be told its port before it starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Fails the test, saying how to get it, when ffmpeg (the simulated OBS's encoder) is missing.
pub fn ffmpeg_required() {
    assert!(
        sandbox::obs::ffmpeg_available(std::path::Path::new("ffmpeg")),
        "these tests push a real stream with ffmpeg: run `make test`, which installs it"
    );
}

pub mod api;
pub mod ipc;
pub mod stack;
