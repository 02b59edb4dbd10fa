//! Why: issue 7's team in real windows — two app processes, each under its own WebDriver session, on
//! one hub. The owner's console runs the hub (embedded, against a "Tencent" in this process, with the
//! API token set so the team can connect); the moderator's console is the hub's client, with the token
//! of an invite redeemed over REST. What one does must show in the other's window, land on Tencent (the
//! sandbox asked over its REST API), be refused where the role does not allow it, and stop when the
//! owner revokes the moderator.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{Tencent, Window};

const OWNER_TOKEN: &str = "team-window-owner-token";
const MODERATOR: &str = "mod_mia";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Calls the owner's hub at `url` with `token` (none to redeem): the status and the JSON body.
async fn call(url: &str, token: Option<&str>, method: Method, body: Option<Value>) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("the owner's hub answers");
    let status = resp.status().as_u16();
    (status, serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderators_window_on_the_owners_hub_mutes_live_is_refused_owner_things_and_stops_when_revoked() {
    let tencent = Tencent::start(Duration::from_millis(150)).await;
    let mut owner_env = tencent.env().to_vec();
    owner_env.push(("ANCHORDESK_API_TOKEN", OWNER_TOKEN.into()));
    let owner_dir = tempfile::tempdir().unwrap();
    let owner = Window::open(owner_dir.path(), &owner_env).await;
    owner.connected().await;

    // The owner invites a moderator over the hub's REST API; the invite is redeemed there too.
    let hub = format!("http://127.0.0.1:{}", tencent.hub_port);
    let group = tencent.room().await;
    let room = format!("{hub}/api/v1/rooms/{}", group.replace('#', "%23"));
    let invite = json!({"role": "moderator", "name": MODERATOR, "validForSecs": 600});
    let (status, invite) = call(&format!("{room}/invites"), Some(OWNER_TOKEN), Method::POST, Some(invite)).await;
    assert_eq!(status, 200, "the owner invites: {invite}");
    let redeem = json!({"code": invite["code"]});
    let (status, joined) = call(&format!("{hub}/api/v1/invites/redeem"), None, Method::POST, Some(redeem)).await;
    assert_eq!(status, 201, "the invite is redeemed: {joined}");
    let token = joined["token"].as_str().expect("a token").to_string();

    // The moderator's console: a client of the owner's hub, in its own process and data folder.
    let moderator_dir = tempfile::tempdir().unwrap();
    let moderator_env = [("ANCHORDESK_HUB_URL", hub.clone()), ("ANCHORDESK_HUB_TOKEN", token.clone())];
    let moderator = Window::open(moderator_dir.path(), &moderator_env).await;
    moderator.connected().await;

    // It shows the room's chat: a viewer's line reaches the moderator's window.
    let fan = tencent.sandbox.viewer("team_fan_7");
    fan.join(&group).await.expect("the viewer joins");
    let _ = fan.send_text(&group, "hello to the whole team").await;
    let fan_line = "[data-testid=chat-line][data-user-id=team_fan_7]";
    moderator
        .until("the viewer's line is in the moderator's chat", || async {
            moderator.text(fan_line).await.is_some_and(|t| t.contains("hello to the whole team"))
        })
        .await;

    // Who is who: the moderator's header names them and their role; the owner's Team tab lists them
    // as connected.
    moderator.until_attr("[data-testid=hub-me]", "data-role", "moderator").await;
    assert_eq!(moderator.attr("[data-testid=hub-me]", "data-name").await.as_deref(), Some(MODERATOR));
    owner.click("[data-testid=tab-team]").await;
    let member = format!("[data-testid=team-member][data-name={MODERATOR}]");
    owner.until_attr(&member, "data-connected", "1").await;

    // The room's status is the owner's: the moderator's window does not offer it, and the hub refuses
    // it anyway (asked with the moderator's own token), audited under their name on the owner's window.
    assert!(
        moderator.attr("[data-testid=status-toggle]", "disabled").await.is_some(),
        "a moderator's status control is off"
    );
    let (status, refusal) =
        call(&format!("{room}/status"), Some(&token), Method::POST, Some(json!({"status": "live"}))).await;
    assert_eq!(status, 403, "the hub refuses a moderator the status: {refusal}");
    owner.click("[data-testid=tab-audit]").await;
    owner
        .until("the owner's audit shows the refusal under the moderator's name", || async {
            owner
                .text_content("[data-testid=audit-line][data-action=refused]")
                .await
                .is_some_and(|t| t.contains(MODERATOR))
        })
        .await;
    assert_eq!(
        owner.attr("[data-testid=status-toggle]", "data-status").await.as_deref(),
        Some("upcoming"),
        "the status did not change"
    );

    // The moderator mutes a viewer from the user card, with a reason.
    let user = moderator.open_card_from_chat().await;
    let reason = "spamming invite links";
    moderator.wait_for("[data-testid=mute-reason]").await.send_keys(reason).await.unwrap();
    moderator.wait_for("[data-testid=mute-duration]").await.select_by_value("600").await.unwrap();
    moderator.click("[data-testid=user-mute]").await;
    moderator.until_attr("[data-testid=user-card]", "data-muted", "true").await;

    // The owner's window shows it live: the audit line under the moderator's name, and the chat's
    // system line.
    owner
        .until("the owner's audit shows the moderator's mute", || async {
            owner
                .text_content("[data-testid=audit-line][data-action=mute]")
                .await
                .is_some_and(|t| t.contains(MODERATOR) && t.contains(&user) && t.contains(reason))
        })
        .await;
    owner
        .until("the owner's chat says the viewer was muted", || async {
            owner.text_content("[data-testid=system-line][data-kind=muted]").await.is_some_and(|t| t.contains(&user))
        })
        .await;

    // And Tencent has it, for ten minutes.
    let im = tencent.im();
    crate::support::until(30, "Tencent has the viewer muted for 10 minutes", || async {
        let muted = im.group(&group).muted_accounts().await.unwrap();
        let at = now();
        muted.iter().any(|m| m.member_account == user && (at + 540..=at + 610).contains(&m.muted_until))
    })
    .await;

    // The owner revokes the moderator from the Team tab, confirming.
    owner.click("[data-testid=tab-team]").await;
    let person = format!("[data-testid=person-row][data-name={MODERATOR}]");
    owner.click(&format!("{person} [data-testid=person-revoke]")).await;
    owner.click(&format!("{person} [data-testid=person-revoke-confirm]")).await;
    owner.until_attr(&person, "data-revoked", "true").await;
    owner.click("[data-testid=tab-audit]").await;
    owner
        .until("the owner's audit shows the revocation", || async {
            owner
                .text_content("[data-testid=audit-line][data-action=revoke]")
                .await
                .is_some_and(|t| t.contains(MODERATOR))
        })
        .await;

    // The moderator's window can do nothing more: lifting the mute from the open card is refused, and
    // Tencent keeps the mute.
    moderator.click("[data-testid=user-unmute]").await;
    moderator
        .until("the moderator's card says the console was revoked", || async {
            moderator.text("[data-testid=user-card-error]").await.is_some_and(|t| t.contains("revoked"))
        })
        .await;
    let muted = im.group(&group).muted_accounts().await.unwrap();
    assert!(muted.iter().any(|m| m.member_account == user), "the revoked moderator's unmute did not happen");

    // The link banner says the access was revoked (the shared `hub-connection` id).
    crate::support::poll_until(Duration::from_secs(10), Duration::from_millis(200), "the revoked banner", || async {
        moderator.attr("[data-testid=hub-connection]", "data-state").await.as_deref() == Some("revoked")
    })
    .await;

    moderator.close().await;
    owner.close().await;
}
