//! Why: the language switch in the real window — every tab label, the status and the connection read in
//! the chosen language (checked against the UI's catalogue, so a missing or untranslated string shows
//! up as the English one), and the choice is still there when the app starts again on the same data.

use crate::harness::{assert_in_language, switch_language, Catalogue, Window};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_switcher_translates_the_window_and_the_choice_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("ANCHORDESK_AUDIENCE_PACE_MS", "300".to_string())];
    let w = Window::open(dir.path(), &env).await;
    w.connected().await;
    // The C locale and no stored choice: English.
    assert_in_language(&w, &Catalogue::load("en")).await;

    for lang in ["zh", "ja", "ko", "en", "zh"] {
        switch_language(&w, lang).await;
    }
    w.close().await;

    // Start again on the same data folder: still Chinese, before anyone touches the switcher.
    let w = Window::open(dir.path(), &env).await;
    w.connected().await;
    assert_in_language(&w, &Catalogue::load("zh")).await;
    switch_language(&w, "en").await;
    w.close().await;
}
