//! Why: `make screenshots` — the main window at 1280×800 with a busy room, in each language, once in the
//! dark theme and once with a user card open, as PNGs for the README and for reviewing a translation
//! or a layout change by eye. It runs in `make test` too (into a temporary folder), where it checks
//! what the pictures must show: the translated tab labels, the right size, the tab strip really
//! differing between languages, and the dark theme really dark.
//!
//! Output: `$ANCHORDESK_SCREENSHOTS_DIR` (what `make screenshots` sets), else a temporary folder.

use std::path::PathBuf;

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction, WheelAction, WheelActions};
use fantoccini::key::Key;
use image::{DynamicImage, GenericImageView};

use crate::harness::{assert_in_language, switch_language, Catalogue, Window, TABS};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 800;

/// Makes the page (not the outer window) 1280×800, whatever the window's frame takes.
async fn size_viewport(w: &Window) {
    let (mut width, mut height) = (WIDTH, HEIGHT);
    for _ in 0..3 {
        w.client.set_window_size(width, height).await.expect("WebDriver resizes the window");
        let inner = w.client.execute("return [window.innerWidth, window.innerHeight]", vec![]).await.unwrap();
        let (iw, ih) = (inner[0].as_u64().unwrap() as u32, inner[1].as_u64().unwrap() as u32);
        if (iw, ih) == (WIDTH, HEIGHT) {
            return;
        }
        width = width + WIDTH - iw.min(width + WIDTH);
        height = height + HEIGHT - ih.min(height + HEIGHT);
    }
    panic!("the page could not be made {WIDTH}×{HEIGHT}");
}

/// The side column's tab strip: the part of the window that changes only with the language.
async fn tab_strip(w: &Window) -> (u32, u32, u32, u32) {
    let first = w.wait_for(&format!("[data-testid=tab-{}]", TABS[0])).await.rectangle().await.unwrap();
    let last = w.wait_for(&format!("[data-testid=tab-{}]", TABS[TABS.len() - 1])).await.rectangle().await.unwrap();
    let (x, y) = (first.0.floor() as u32, first.1.floor() as u32);
    let right = (last.0 + last.2).ceil() as u32;
    (x, y, right - x, first.3.ceil() as u32)
}

fn mean_luma(img: &DynamicImage) -> f64 {
    let gray = img.to_luma8();
    gray.pixels().map(|p| f64::from(p.0[0])).sum::<f64>() / (gray.width() * gray.height()) as f64
}

struct Shots {
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Shots {
    fn new() -> Shots {
        match std::env::var_os("ANCHORDESK_SCREENSHOTS_DIR") {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
                Shots { dir, _temp: None }
            }
            None => {
                let temp = tempfile::tempdir().unwrap();
                Shots { dir: temp.path().to_path_buf(), _temp: Some(temp) }
            }
        }
    }

    /// Takes a screenshot of the page, saves it as `name`.png and checks it decodes at 1280×800. The
    /// pointer waits in the header's corner first, so no chat line shows its hover state.
    async fn take(&self, w: &Window, name: &str) -> DynamicImage {
        let park = MouseActions::new("mouse".into()).then(PointerAction::MoveTo { duration: None, x: 1, y: 1 });
        w.client.perform_actions(park).await.expect("WebDriver moves the pointer");
        let png = w.client.screenshot().await.expect("WebDriver takes a screenshot");
        let path = self.dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT), "{} is the window at 1280×800", path.display());
        eprintln!("screenshot: {}", path.display());
        img
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_the_main_window_in_every_language_the_dark_theme_and_a_user_card() {
    let shots = Shots::new();
    let dir = tempfile::tempdir().unwrap();
    let w = Window::open(dir.path(), &[("ANCHORDESK_AUDIENCE_PACE_MS", "60".into())]).await;
    size_viewport(&w).await;
    w.connected().await;

    // A populated room: chat in four languages, gifts, likes and viewers.
    w.until("the room is busy", || async {
        w.count("[data-testid=chat-line]").await >= 25
            && w.count("[data-testid=gift-line]").await >= 2
            && w.text("[data-testid=like-count]").await.is_some_and(|t| t.trim() != "0")
            && w.text("[data-testid=online-count]").await.is_some_and(|t| t.trim() != "0")
    })
    .await;

    let en = Catalogue::load("en");
    assert_in_language(&w, &en).await;
    let light = shots.take(&w, "main-en").await;
    let mut strips = vec![("en", crop(&light, tab_strip(&w).await))];

    for lang in ["zh", "ko", "ja"] {
        switch_language(&w, lang).await;
        let img = shots.take(&w, &format!("main-{lang}")).await;
        strips.push((lang, crop(&img, tab_strip(&w).await)));
    }
    for (i, (a, strip_a)) in strips.iter().enumerate() {
        for (b, strip_b) in &strips[i + 1..] {
            assert_ne!(strip_a, strip_b, "the tab strip looks the same in {a} and {b}");
        }
    }

    switch_language(&w, "en").await;

    // A user card, opened from the chat as a moderator would: scroll up a little with the wheel (the
    // feed stops following the newest line and offers "N new"), then click a name in view.
    let feed = w.wait_for("[data-testid=chat-feed]").await.rectangle().await.unwrap();
    let (cx, cy) = ((feed.0 + feed.2 / 2.0) as i64, (feed.1 + feed.3 / 2.0) as i64);
    let mut wheel = WheelActions::new("wheel".into());
    wheel.push(WheelAction::Scroll { duration: None, x: cx, y: cy, delta_x: 0, delta_y: -200 });
    w.client.perform_actions(wheel).await.expect("WebDriver scrolls the chat");
    w.until_attr("[data-testid=chat-feed]", "data-stick", "false").await;
    w.wait_for("[data-testid=new-messages]").await;
    w.open_card_from_chat().await;
    w.until_attr("[data-testid=user-profile]", "data-state", "ready").await;
    shots.take(&w, "user-card-en").await;
    let escape = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: Key::Escape.into() })
        .then(KeyAction::Up { value: Key::Escape.into() });
    w.client.perform_actions(escape).await.unwrap();
    w.until_gone("[data-testid=user-card]").await;

    // The dark theme.
    w.click("[data-testid=theme-toggle]").await;
    w.until_attr("html", "data-theme", "dark").await;
    let dark = shots.take(&w, "main-en-dark").await;
    let (l, d) = (mean_luma(&light), mean_luma(&dark));
    assert!(d + 60.0 < l, "the dark theme is dark: mean luma {d:.0} against {l:.0} in the light one");
    w.close().await;
}

/// The pixels of `rect` (x, y, width, height in CSS pixels, which are device pixels here).
fn crop(img: &DynamicImage, (x, y, width, height): (u32, u32, u32, u32)) -> Vec<u8> {
    assert!(x + width <= img.width() && y + height <= img.height(), "the tab strip is inside the screenshot");
    img.crop_imm(x, y, width, height).to_rgba8().into_raw()
}
