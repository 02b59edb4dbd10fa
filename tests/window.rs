//! The real app window, driven by WebDriver: fantoccini → WebKitWebDriver (Debian's
//! `webkit2gtk-driver`) → the `anchordesk` binary with `TAURI_WEBVIEW_AUTOMATION=true`. Needs a display:
//! `make test` runs this under `xvfb-run`.
//!
//! One test runs the console on its embedded sandbox, as `make run` does. The other runs it against a
//! headless `anchordesk sandbox` in its own process (the way it runs against Tencent Cloud: endpoint,
//! SDKAppID, key), so the test can ask that "Tencent" over REST whether a mute really happened.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

mod support;
use support::{Proc, APP};
/// A debug build under Xvfb on two cores can take a while to paint and connect.
const SLOW: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The console in a real window, and the WebDriver session driving it.
struct Window {
    client: Client,
    _driver: Proc,
}

impl Window {
    async fn open(data_dir: &Path, env: &[(&str, String)]) -> Window {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the window tests need a display; run them with `make test` (which uses xvfb-run)"
        );
        let port = free_port();
        let mut driver = Command::new("WebKitWebDriver");
        driver
            .arg(format!("--port={port}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("ANCHORDESK_DATA_DIR", data_dir)
            .env("ANCHORDESK_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            driver.env(k, v);
        }
        let driver = Proc(driver.spawn().expect("WebKitWebDriver runs (apt package webkit2gtk-driver)"));

        let mut caps = serde_json::Map::new();
        caps.insert("webkitgtk:browserOptions".into(), serde_json::json!({"binary": APP, "args": []}));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session with the app: {e}"),
            }
        };
        Window { client, _driver: driver }
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(SLOW)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// Polls `check` until it holds, failing after [`SLOW`].
    async fn until<F, Fut>(&self, what: &str, check: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let start = Instant::now();
        while !check().await {
            assert!(start.elapsed() < SLOW, "timed out waiting until {what}");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    async fn close(self) {
        let _ = self.client.close().await;
    }
}

#[tokio::test]
async fn on_the_embedded_sandbox_chat_flows_and_the_status_toggle_shows_the_new_state() {
    let dir = tempfile::tempdir().unwrap();
    let w = Window::open(dir.path(), &[("ANCHORDESK_AUDIENCE_PACE_MS", "40".into())]).await;

    w.wait_for("[data-testid=chat-feed]").await;
    w.until("the simulated audience's chat lines appear", || async { w.count("[data-testid=chat-line]").await >= 3 })
        .await;
    for id in ["gift-feed", "like-count", "online-count"] {
        w.wait_for(&format!("[data-testid={id}]")).await;
    }

    let toggle = w.wait_for("[data-testid=status-toggle]").await;
    assert_eq!(toggle.attr("data-status").await.unwrap().as_deref(), Some("upcoming"), "a new room is upcoming");
    toggle.click().await.unwrap();
    w.wait_for("[data-testid=status-option-live]").await.click().await.unwrap();
    w.until("the toggle shows live", || async {
        let t = w.client.find(Locator::Css("[data-testid=status-toggle]")).await;
        match t {
            Ok(t) => t.attr("data-status").await.ok().flatten().as_deref() == Some("live"),
            Err(_) => false,
        }
    })
    .await;
    w.close().await;
}

#[tokio::test]
async fn muting_a_user_from_the_user_card_mutes_them_in_tencent_im() {
    let dir = tempfile::tempdir().unwrap();
    let hub_port = free_port();
    let token = "window-test-token";
    let callback_url = format!("http://127.0.0.1:{hub_port}/im/callback");
    let (_sandbox, creds) = support::headless_sandbox(
        &["--seed", "3", "--pace-ms", "40", "--callback-url", &callback_url],
        &[("ANCHORDESK_CALLBACK_TOKEN", token)],
    );
    let env = [
        ("ANCHORDESK_IM_ENDPOINT", creds.base_url().to_string()),
        ("ANCHORDESK_SDKAPPID", creds.sdkappid().to_string()),
        ("ANCHORDESK_IM_SECRET_KEY", creds.secret_key().to_string()),
        ("ANCHORDESK_HUB_LISTEN", format!("127.0.0.1:{hub_port}")),
        ("ANCHORDESK_CALLBACK_TOKEN", token.to_string()),
    ];
    let w = Window::open(dir.path(), &env).await;

    let line = w.wait_for("[data-testid=chat-line]").await;
    let user = line.attr("data-user-id").await.unwrap().expect("a chat line names its user");
    line.find(Locator::Css("[data-testid=chat-user]")).await.unwrap().click().await.unwrap();
    let card = w.wait_for("[data-testid=user-card]").await;
    assert_eq!(card.attr("data-user-id").await.unwrap().as_deref(), Some(user.as_str()));
    w.wait_for("[data-testid=mute-duration]").await.select_by_value("600").await.unwrap();
    w.wait_for("[data-testid=user-mute]").await.click().await.unwrap();
    w.until("the card shows the user muted", || async {
        match w.client.find(Locator::Css("[data-testid=user-card]")).await {
            Ok(c) => c.attr("data-muted").await.ok().flatten().as_deref() == Some("true"),
            Err(_) => false,
        }
    })
    .await;

    // Ask "Tencent" itself: the mute must be there, for about ten minutes.
    let im = creds.im();
    let groups: serde_json::Value = im
        .call("group_open_http_svc/get_appid_group_list", &serde_json::json!({"GroupType": "AVChatRoom"}))
        .await
        .unwrap();
    let group_id = groups["GroupIdList"][0]["GroupId"].as_str().expect("the console created its room").to_string();
    let muted = im.group(&group_id).muted_accounts().await.unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let entry = muted.iter().find(|m| m.member_account == user).expect("the user is muted in the sandbox");
    assert!((now + 540..=now + 610).contains(&entry.muted_until), "muted for the chosen 10 minutes");
    w.close().await;
}

#[tokio::test]
async fn the_go_live_button_pushes_through_the_simulated_obs_and_the_room_goes_live() {
    support::ffmpeg_required();
    let dir = tempfile::tempdir().unwrap();
    let w = Window::open(dir.path(), &[("ANCHORDESK_AUDIENCE_PACE_MS", "200".into())]).await;
    w.wait_for("[data-testid=tab-stream]").await.click().await.unwrap();
    let server = w.wait_for("[data-testid=push-server]").await;
    w.until("the push address is shown", || async {
        server.prop("value").await.ok().flatten().is_some_and(|v| v.starts_with("rtmp://127.0.0.1:"))
    })
    .await;
    let key = w.wait_for("[data-testid=push-key]").await;
    let shown = key.prop("value").await.unwrap().unwrap_or_default();
    assert!(!shown.contains("txSecret"), "the stream key is masked until asked: {shown}");

    w.wait_for("[data-testid=go-live]").await.click().await.unwrap();
    w.until("every step is done and the room is live", || async {
        let live = match w.client.find(Locator::Css("[data-testid=go-live-step-live]")).await {
            Ok(s) => s.attr("data-state").await.ok().flatten().as_deref() == Some("done"),
            Err(_) => false,
        };
        let toggle = match w.client.find(Locator::Css("[data-testid=status-toggle]")).await {
            Ok(t) => t.attr("data-status").await.ok().flatten().as_deref() == Some("live"),
            Err(_) => false,
        };
        live && toggle
    })
    .await;
    w.until("the header shows CSS receiving the stream", || async {
        match w.client.find(Locator::Css("[data-testid=health-css]")).await {
            Ok(e) => e.attr("data-tone").await.ok().flatten().as_deref() == Some("ok"),
            Err(_) => false,
        }
    })
    .await;
    w.close().await;
}
