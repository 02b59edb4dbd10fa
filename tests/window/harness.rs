//! Why: what every window test needs, in one place — the app in a real window under WebDriver (its own
//! WebView storage and a fixed locale, so runs do not leak into each other or depend on the machine),
//! polling waits instead of sleeps (a debug build on a loaded two-core machine is slow and uneven), a
//! sandbox in the test's own process standing in for Tencent (so a test can ask it over REST what
//! really happened, and act as a viewer through its client SDK), and the UI's string catalogue (so a
//! test checks the words the anchor should see, in each language, without copying them).

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use sandbox::{AudienceConfig, CallbackTarget, Sandbox, SandboxConfig};
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::support::{free_port, poll_until, Proc, APP};

/// A debug build under Xvfb on two cores can take a while to paint and connect.
pub const SLOW: Duration = Duration::from_secs(60);

/// The console in a real window, and the WebDriver session driving it.
pub struct Window {
    pub client: Client,
    /// The app's process (WebKitWebDriver's child): a restart must not overlap it, and a failed test
    /// must not leave it running on a deleted data folder.
    app: u32,
    _driver: Proc,
}

impl Window {
    /// Starts the app on `data_dir` (its room database, the embedded sandbox's state and the WebView's
    /// storage — language and theme — all live under it, so opening the same folder again is a restart).
    pub async fn open(data_dir: &Path, env: &[(&str, String)]) -> Window {
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
            // The WebView keeps localStorage under XDG_DATA_HOME/<identifier>: one per test, not the
            // user's. The C locale makes English the first language whatever the machine's is.
            .env("XDG_DATA_HOME", data_dir.join("xdg-data"))
            .env("XDG_CACHE_HOME", data_dir.join("xdg-cache"))
            .env("LC_ALL", "C.UTF-8")
            .env("LANG", "C.UTF-8")
            .env_remove("LANGUAGE")
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
                Err(_) if started.elapsed() < Duration::from_secs(20) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session with the app: {e}"),
            }
        };
        let app = app_process(driver.0.id()).expect("the session runs the app as WebKitWebDriver's child");
        Window { client, app, _driver: driver }
    }

    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(SLOW)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Waits for `css` and clicks it. A click WebKitWebDriver refuses at once (seen with two app windows
    /// on one display, without a word of why) is tried again for a few seconds.
    pub async fn click(&self, css: &str) {
        let started = Instant::now();
        loop {
            match self.wait_for(css).await.click().await {
                Ok(_) => return,
                Err(e) if started.elapsed() > Duration::from_secs(5) => panic!("could not click {css}: {e:?}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// The attribute of the first element matching `css`, or `None` when either is missing.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.client.find(Locator::Css(css)).await.ok()?.attr(name).await.ok().flatten()
    }

    /// The visible text of the first element matching `css`, or `None` when there is none.
    pub async fn text(&self, css: &str) -> Option<String> {
        self.client.find(Locator::Css(css)).await.ok()?.text().await.ok()
    }

    /// The `textContent` of the first element matching `css`: for text WebKitWebDriver wrongly reports as
    /// not displayed (inside an `overflow: hidden` ellipsis, such as the header's notice).
    pub async fn text_content(&self, css: &str) -> Option<String> {
        self.client.find(Locator::Css(css)).await.ok()?.prop("textContent").await.ok().flatten()
    }

    /// Polls `check` until it holds, failing after [`SLOW`].
    pub async fn until<F, Fut>(&self, what: &str, check: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        poll_until(SLOW, Duration::from_millis(100), what, check).await;
    }

    /// Waits until the first element matching `css` has `name="value"`.
    pub async fn until_attr(&self, css: &str, name: &str, value: &str) {
        self.until(&format!("{css} has {name}={value:?}"), || async {
            self.attr(css, name).await.as_deref() == Some(value)
        })
        .await;
    }

    /// Waits until nothing matches `css`.
    pub async fn until_gone(&self, css: &str) {
        self.until(&format!("{css} is gone"), || async { self.count(css).await == 0 }).await;
    }

    /// Waits until the room is connected (the first snapshot arrived): the controls work from then on.
    pub async fn connected(&self) {
        self.until_attr("[data-testid=connection-state]", "data-state", "connected").await;
    }

    /// Clicks a viewer's name in view in the chat and returns whose card opened. The feed moves as
    /// lines arrive, so a click can land on the line after, or between names: the card says whom it
    /// is about, and a click that opened nothing is tried again.
    pub async fn open_card_from_chat(&self) -> String {
        let feed = self.wait_for("[data-testid=chat-feed]").await.rectangle().await.unwrap();
        self.wait_for("[data-testid=chat-line] [data-testid=chat-user]").await;
        for _ in 0..5 {
            let names = self.client.find_all(Locator::Css("[data-testid=chat-line] [data-testid=chat-user]")).await;
            for name in names.unwrap_or_default().iter().rev() {
                // WebKitWebDriver gives no rectangle for an element out of view.
                let Ok((_, y, _, h)) = name.rectangle().await else { continue };
                if y >= feed.1 && y + h <= feed.1 + feed.3 {
                    let _ = name.click().await;
                    break;
                }
            }
            let opened =
                self.client.wait().at_most(Duration::from_secs(5)).for_element(Locator::Css("[data-testid=user-card]"));
            if let Ok(card) = opened.await {
                let user = card.attr("data-user-id").await.unwrap().expect("the card names its user");
                let line = format!("[data-testid=chat-line][data-user-id={user:?}]");
                assert!(self.count(&line).await > 0, "the card is for {user}, who is in the chat");
                return user;
            }
        }
        panic!("clicking a name in the chat opened no user card");
    }

    /// Ends the session, which closes the window, and waits until the app has exited (as a user
    /// closing it would), so the same data folder can be opened again.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        let exited = || async { !running(self.app) };
        poll_until(Duration::from_secs(15), Duration::from_millis(50), "the app exits once its window closes", exited)
            .await;
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        // A test that failed (or closed without waiting) leaves no app behind.
        if running(self.app) {
            let _ = Command::new("kill").args(["-KILL", &self.app.to_string()]).status();
        }
    }
}

/// The `anchordesk` process WebKitWebDriver `driver` started for the session.
fn app_process(driver: u32) -> Option<u32> {
    let app = std::fs::canonicalize(APP).ok()?;
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
        let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == driver && std::fs::read_link(entry.path().join("exe")).ok()? == app).then_some(pid)
    })
}

/// Whether `pid` is still alive (a zombie has exited: only its parent has not reaped it).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next().map(|s| s != "Z")))
        .unwrap_or(false)
}

/// A sandbox in this process standing in for Tencent Cloud IM, with a simulated audience; the console
/// runs against it with credentials, as it would against Tencent (its hub receives the callbacks).
pub struct Tencent {
    pub sandbox: Sandbox,
    /// Where the console's hub listens (it receives this "Tencent"'s callbacks there).
    pub hub_port: u16,
    env: Vec<(&'static str, String)>,
    _cancel: DropGuard,
}

impl Tencent {
    /// The audience acts every `pace` on average.
    pub async fn start(pace: Duration) -> Tencent {
        let hub_port = free_port();
        let token = "window-test-token";
        let mut config = SandboxConfig::generate();
        config.online_granularity = Duration::from_millis(200);
        config.callback = Some(CallbackTarget {
            url: format!("http://127.0.0.1:{hub_port}/im/callback"),
            token: Some(im::Secret::new(token)),
        });
        let cancel = CancellationToken::new();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = Sandbox::start(config, listener, cancel.clone()).await.expect("the sandbox starts");
        sandbox.start_audience(AudienceConfig { seed: 3, target_online: 30, pace });
        let c = sandbox.credentials();
        let env = vec![
            ("ANCHORDESK_IM_ENDPOINT", c.base_url.clone()),
            ("ANCHORDESK_SDKAPPID", c.sdkappid.to_string()),
            ("ANCHORDESK_IM_SECRET_KEY", c.secret_key.clone()),
            ("ANCHORDESK_HUB_LISTEN", format!("127.0.0.1:{hub_port}")),
            ("ANCHORDESK_CALLBACK_TOKEN", token.to_string()),
        ];
        Tencent { sandbox, hub_port, env, _cancel: cancel.drop_guard() }
    }

    /// What the console needs to run against this "Tencent".
    pub fn env(&self) -> &[(&'static str, String)] {
        &self.env
    }

    /// An admin REST client, as the console's own.
    pub fn im(&self) -> im::ImClient {
        im::ImClient::builder(self.sandbox.sdkappid(), self.sandbox.secret_key().clone())
            .base_url(self.sandbox.base_url())
            .build()
            .expect("the client builds")
    }

    /// The live room the console created here.
    pub async fn room(&self) -> String {
        crate::support::until(60, "the console creates its room on Tencent", || async {
            !self.sandbox.live_rooms().is_empty()
        })
        .await;
        self.sandbox.live_rooms().remove(0)
    }
}

/// The UI's strings in one language, read from `ui/src/lib/i18n.ts` (the catalogue the window shows).
pub struct Catalogue {
    pub lang: &'static str,
    strings: HashMap<String, String>,
}

impl Catalogue {
    /// Reads the single-line `'key': 'value',` entries of `const <lang>` in the catalogue.
    pub fn load(lang: &'static str) -> Catalogue {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/i18n.ts");
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut strings = HashMap::new();
        let mut inside = false;
        for line in source.lines() {
            if line.starts_with(&format!("const {lang} =")) || line.starts_with(&format!("const {lang}:")) {
                inside = true;
            } else if inside && line.starts_with('}') {
                break;
            } else if inside {
                let entry = line.trim().strip_suffix(',').unwrap_or(line.trim());
                if let Some((key, value)) = entry.split_once("': ") {
                    let (Some(key), Some(value)) =
                        (key.strip_prefix('\''), value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    else {
                        continue;
                    };
                    strings.insert(key.to_string(), value.replace("\\'", "'").replace("\\\\", "\\"));
                }
            }
        }
        assert!(strings.len() > 100, "read only {} strings for {lang} from {}", strings.len(), path.display());
        Catalogue { lang, strings }
    }

    pub fn get(&self, key: &str) -> &str {
        self.strings.get(key).unwrap_or_else(|| panic!("no single-line {key:?} in the {} catalogue", self.lang))
    }
}

/// The side column's tabs, in order (App.svelte's `TABS`).
pub const TABS: &[&str] = &["gifts", "held", "moderation", "audit", "room", "stream", "words"];

/// Each language's code, its name in the switcher (`LANG_NAMES`) and its `<html lang>` (`LANG_TAGS`).
pub const LANGS: &[(&str, &str, &str)] =
    &[("en", "English", "en"), ("zh", "简体中文", "zh-CN"), ("ko", "한국어", "ko"), ("ja", "日本語", "ja")];

/// Picks `lang` in the header's switcher and waits until the window is in it: every tab label, the
/// status control, the connection's tooltip and `<html lang>`.
pub async fn switch_language(w: &Window, lang: &'static str) {
    let (_, name, _) = LANGS.iter().find(|(code, _, _)| *code == lang).expect("a known language");
    w.wait_for("[data-testid=language-select]")
        .await
        .select_by_label(name)
        .await
        .unwrap_or_else(|e| panic!("{name} is in the language switcher: {e}"));
    assert_in_language(w, &Catalogue::load(lang)).await;
}

/// Waits until the window shows `words`' language (see [`switch_language`]).
pub async fn assert_in_language(w: &Window, words: &Catalogue) {
    let (_, _, tag) = LANGS.iter().find(|(code, _, _)| *code == words.lang).expect("a known language");
    w.until(&format!("<html lang> is {tag}"), || async { w.attr("html", "lang").await.as_deref() == Some(*tag) }).await;
    for tab in TABS {
        let label = words.get(&format!("tabs.{tab}"));
        let css = format!("[data-testid=tab-{tab}]");
        w.until(&format!("the {tab} tab reads {label:?}"), || async {
            // The held tab may carry its count after the label.
            w.text(&css).await.is_some_and(|t| t.trim().starts_with(label))
        })
        .await;
    }
    let status = w.attr("[data-testid=status-toggle]", "data-status").await.expect("the status control is there");
    let status_label = words.get(&format!("status.{status}"));
    w.until(&format!("the status control reads {status_label:?}"), || async {
        w.text("[data-testid=status-toggle]").await.is_some_and(|t| t.contains(status_label))
    })
    .await;
    let connected = words.get("conn.connected");
    w.until(&format!("the connection reads {connected:?}"), || async {
        w.attr("[data-testid=connection-state]", "title").await.as_deref() == Some(connected)
    })
    .await;
}
