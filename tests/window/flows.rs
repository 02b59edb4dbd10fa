//! Why: the moderator's main flows in the real window, each checked where it lands — at "Tencent" (a
//! sandbox in this process, asked over its REST API or watched as a viewer's client would see it) and
//! back in the window: mute and unmute from the user card, approving a held message, changing the
//! notice. One app start per test.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::Locator;
use im::MsgElement;

use crate::harness::{Tencent, Window};

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muting_from_the_user_card_with_a_reason_mutes_on_tencent_and_unmuting_lifts_it() {
    let tencent = Tencent::start(Duration::from_millis(60)).await;
    let dir = tempfile::tempdir().unwrap();
    let w = Window::open(dir.path(), tencent.env()).await;

    // A viewer's name in the chat opens their card.
    let user = w.open_card_from_chat().await;
    w.until_attr("[data-testid=user-card]", "data-muted", "false").await;

    // The 10-minute preset, with a reason for the audit log.
    let reason = "links to a scam shop";
    w.wait_for("[data-testid=mute-reason]").await.send_keys(reason).await.unwrap();
    w.wait_for("[data-testid=mute-duration]").await.select_by_value("600").await.unwrap();
    w.click("[data-testid=user-mute]").await;
    w.until_attr("[data-testid=user-card]", "data-muted", "true").await;
    w.until_attr("[data-testid=user-card-status]", "data-muted", "true").await;
    // The card reloads what was done to them: the mute, with its reason.
    w.until("the card lists the mute with its reason", || async {
        w.text("[data-testid=user-action][data-action=mute]").await.is_some_and(|t| t.contains(reason))
    })
    .await;

    // Ask "Tencent" itself: the mute must be there, for about ten minutes.
    let group = tencent.room().await;
    let im = tencent.im();
    crate::support::until(60, "Tencent has the user muted for the chosen 10 minutes", || async {
        let muted = im.group(&group).muted_accounts().await.unwrap();
        let at = now();
        muted.iter().any(|m| m.member_account == user && (at + 540..=at + 610).contains(&m.muted_until))
    })
    .await;

    // Unmute from the same card: lifted in the window and on Tencent.
    w.click("[data-testid=user-unmute]").await;
    w.until_attr("[data-testid=user-card]", "data-muted", "false").await;
    crate::support::until(60, "Tencent no longer has the user muted", || async {
        let muted = im.group(&group).muted_accounts().await.unwrap();
        !muted.iter().any(|m| m.member_account == user && m.muted_until > now())
    })
    .await;
    w.wait_for("[data-testid=user-action][data-action=unmute]").await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_held_by_the_word_list_is_approved_from_the_held_tab_and_delivered() {
    let tencent = Tencent::start(Duration::from_millis(250)).await;
    let dir = tempfile::tempdir().unwrap();
    let w = Window::open(dir.path(), tencent.env()).await;
    w.connected().await;

    // The Words tab: add a rule that holds "zebrafish" for review, and save it.
    w.click("[data-testid=tab-words]").await;
    let words = w.wait_for("[data-testid=words-text]").await;
    w.until("the word list has loaded", || async {
        words.is_enabled().await.unwrap_or(false)
            && w.wait_for("[data-testid=words-load]").await.is_enabled().await.unwrap_or(false)
    })
    .await;
    // Typing goes after what is there; Tab (U+E004) types the separator, as the help says.
    words.send_keys("\nzebrafish\u{E004}hold").await.unwrap();
    w.click("[data-testid=words-save]").await;
    w.wait_for("[data-testid=words-notice]").await;
    assert_eq!(w.count("[data-testid=words-error]").await, 0);

    // A viewer says it, from their app (the sandbox's client SDK, through Tencent's callbacks).
    let group = tencent.room().await;
    let fan = tencent.sandbox.viewer("zebra_fan_42");
    fan.join(&group).await.expect("the viewer joins the room");
    let mut delivered = tencent.sandbox.deliveries();
    let text = "look at my zebrafish!";
    let _ = fan.send_text(&group, text).await; // held: Tencent tells the sender no
    let fan_line = "[data-testid=chat-line][data-user-id=zebra_fan_42]";

    // The Held tab's badge counts it; the queue shows it with its sender.
    w.until("the held badge counts the message", || async {
        w.text("[data-testid=held-count]").await.as_deref().map(str::trim) == Some("1")
    })
    .await;
    w.click("[data-testid=tab-held]").await;
    let held_css = "[data-testid=held-line][data-user-id=zebra_fan_42]";
    let held = w.wait_for(held_css).await;
    assert!(held.text().await.unwrap().contains(text), "the queue shows what they wrote");
    assert_eq!(w.count(fan_line).await, 0, "a held message is not in the chat until approved");

    // Approve: Tencent delivers it as the viewer, it joins the chat and leaves the queue.
    held.find(Locator::Css("[data-testid=held-approve]")).await.unwrap().click().await.unwrap();
    let is_it = |d: &sandbox::Delivered| {
        d.from == "zebra_fan_42" && d.body.iter().any(|e| matches!(e, MsgElement::Text(t) if t.text == text))
    };
    tokio::time::timeout(crate::harness::SLOW, async {
        loop {
            match delivered.recv().await {
                Ok(d) if is_it(&d) => break,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("the sandbox stopped delivering: {e}"),
            }
        }
    })
    .await
    .expect("Tencent delivers the approved message as the viewer");
    w.until("the approved message is in the chat", || async {
        w.text(fan_line).await.is_some_and(|t| t.contains(text))
    })
    .await;
    w.until_gone(held_css).await;
    w.until_gone("[data-testid=held-count]").await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notice_edited_in_the_room_tab_counts_bytes_and_reaches_the_header_and_tencent() {
    let tencent = Tencent::start(Duration::from_millis(300)).await;
    let dir = tempfile::tempdir().unwrap();
    let w = Window::open(dir.path(), tencent.env()).await;
    w.connected().await;

    w.click("[data-testid=tab-room]").await;
    let field = w.wait_for("[data-testid=notice-text]").await;
    field.clear().await.unwrap();

    // Over Tencent's 300 bytes (a Chinese character counts 3): the counter says so and Save is off.
    let too_long = "新".repeat(101);
    field.send_keys(&too_long).await.unwrap();
    w.until_attr("[data-testid=notice-bytes]", "data-over", "true").await;
    let counter = w.text("[data-testid=notice-bytes]").await.unwrap();
    assert!(counter.contains("303") && counter.contains("300"), "the counter shows 303 of 300 bytes: {counter}");
    assert!(!w.wait_for("[data-testid=notice-save]").await.is_enabled().await.unwrap(), "Save is off when over");

    // A notice that fits. (WebKitWebDriver cannot type characters beyond the BMP, such as emoji.)
    let notice = "今晚八点新歌首发 ♪ New song at 8pm";
    field.clear().await.unwrap();
    field.send_keys(notice).await.unwrap();
    w.until_attr("[data-testid=notice-bytes]", "data-over", "false").await;
    let bytes = notice.len().to_string();
    w.until(&format!("the counter shows {bytes} bytes"), || async {
        w.text("[data-testid=notice-bytes]").await.is_some_and(|t| t.contains(&bytes))
    })
    .await;
    w.click("[data-testid=notice-save]").await;
    w.wait_for("[data-testid=notice-saved]").await;

    // The header shows it, and Tencent's group has it.
    w.until("the header shows the notice", || async {
        w.text_content("[data-testid=room-notice]").await.is_some_and(|t| t.contains(notice))
    })
    .await;
    let group = tencent.room().await;
    let im = tencent.im();
    crate::support::until(30, "Tencent's group has the notice", || async {
        im.group(&group).info().await.is_ok_and(|i| i.notification == notice)
    })
    .await;
    w.close().await;
}
