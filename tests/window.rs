//! The real app window, driven by WebDriver: fantoccini → WebKitWebDriver (Debian's
//! `webkit2gtk-driver`) → the `anchordesk` binary with `TAURI_WEBVIEW_AUTOMATION=true`. Needs a display:
//! `make test` runs this under `xvfb-run`.
//!
//! Tests that only need the console run it on its embedded sandbox, as `make run` does (here: the chat
//! and status, going live, the language switch, the screenshots). Tests that must ask "Tencent" what
//! really happened run it with credentials against a sandbox in the test's process, as it runs against
//! Tencent Cloud (endpoint, SDKAppID, key, callbacks to its hub): the moderation flows in
//! `window/flows.rs`. Two windows on one hub — the owner's and a moderator's, each its own app process
//! under its own WebKitWebDriver — are in `window/team.rs`. The shared harness is `window/harness.rs`.

use fantoccini::Locator;

#[path = "window/flows.rs"]
mod flows;
#[path = "window/harness.rs"]
mod harness;
#[path = "window/language.rs"]
mod language;
#[path = "window/screenshots.rs"]
mod screenshots;
mod support;
#[path = "window/team.rs"]
mod team;

use harness::Window;

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
