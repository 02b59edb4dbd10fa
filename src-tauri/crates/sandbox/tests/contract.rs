//! The sandbox's contract: what Tencent Cloud IM does, as `shared/reference/tencent-cloud.md` states it
//! (§1–4 and §8), checked against the sandbox over HTTP and, where the IM client takes part (limits it
//! checks itself, chunking, pacing, retries), against the client too. The reference is the source of
//! truth: a failure here means the sandbox or the client has drifted from Tencent.
//!
//! The sandbox must enforce every limit itself, so limits are also tested with raw calls the typed
//! client would refuse before sending.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use anchordesk_sandbox::{FaultKind, Faults, Switches};
use im::api::{AccountImport, CreateGroup, ModifyGroupBaseInfo, SendGroupMsg};
use im::{MsgElement, MsgPriority};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde_json::{json, Value};
use support::{code, config, eventually, raw, timed, Env, Proxy, Reply, PATIENCE, TOKEN};

const SEND: &str = "group_open_http_svc/send_group_msg";
const CREATE: &str = "group_open_http_svc/create_group";
const MODIFY: &str = "group_open_http_svc/modify_group_base_info";

const BEFORE_SEND: &str = "Group.CallbackBeforeSendMsg";
const AFTER_SEND: &str = "Group.CallbackAfterSendMsg";
const EXCEPTION: &str = "Group.CallbackSendMsgException";
const BEFORE_JOIN: &str = "Group.CallbackBeforeApplyJoinGroup";
const AFTER_JOIN: &str = "Group.CallbackAfterNewMemberJoin";
const AFTER_EXIT: &str = "Group.CallbackAfterMemberExit";
const INFO_CHANGED: &str = "Group.CallbackAfterGroupInfoChanged";
const STATE: &str = "State.StateChange";

fn text(t: impl Into<String>) -> Vec<MsgElement> {
    vec![MsgElement::text(t)]
}

/// A raw `send_group_msg` body with a text element.
fn text_msg(group: &str, t: &str, random: u32) -> Value {
    json!({"GroupId": group, "Random": random, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}]})
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Keys of a JSON object, for "the body carries exactly these fields" checks.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

fn assert_has(body: &Value, fields: &[&str], what: &str) {
    let have = keys(body);
    for f in fields {
        assert!(have.contains(*f), "{what} must carry {f} (tencent-cloud.md §4); it carries {have:?}");
    }
}

/// An `EventTime` must be unix milliseconds of about now.
fn assert_event_time_ms(body: &Value, what: &str) {
    let t = body["EventTime"].as_u64().unwrap_or_else(|| panic!("{what}: EventTime must be a number: {body}"));
    assert!(im::clock::now_ms().abs_diff(t) < 60_000, "{what}: EventTime {t} must be milliseconds of about now");
}

// ---------------------------------------------------------------------------------------------------
// 1. Envelope and auth (§1.2, §3)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_answer_is_http_200_with_tencents_envelope_even_for_errors() {
    let env = Env::start(config()).await;
    let group = env.room("envelope").await;
    let q = env.query("administrator", &env.admin_sig());
    let wrong_app = q.replacen(&env.sandbox.sdkappid().to_string(), "1400000001", 1);
    let cases: Vec<(&str, &str, String, i64)> = vec![
        ("group_open_http_svc/get_group_info", q.as_str(), json!({"GroupIdList": [group]}).to_string(), 0),
        ("group_open_http_svc/destroy_group", q.as_str(), json!({"GroupId": "no-such-room"}).to_string(), 10010),
        ("group_open_http_svc/no_such_command", q.as_str(), "{}".into(), 10003),
        ("group_open_http_svc/get_group_info", q.as_str(), "[1, 2]".into(), 60003),
        ("group_open_http_svc/get_group_info", wrong_app.as_str(), "{}".into(), 70020),
    ];
    for (path, query, body, want) in cases {
        let (status, answer) = env.post(path, query, body).await;
        assert_eq!(status, 200, "{path}: Tencent answers HTTP 200 and puts the result in the body (§1.2)");
        let action = answer["ActionStatus"].as_str().expect("ActionStatus is a string");
        let code = answer["ErrorCode"].as_i64().expect("ErrorCode is an integer");
        assert!(answer["ErrorInfo"].is_string(), "{path}: ErrorInfo is a string: {answer}");
        assert_eq!(code, want, "{path}: {answer}");
        assert_eq!(action, if code == 0 { "OK" } else { "FAIL" }, "ActionStatus is OK exactly when ErrorCode is 0");
    }
}

#[tokio::test]
async fn usersig_and_caller_problems_get_tencents_codes() {
    let env = Env::start(config()).await;
    let (app, key) = (env.sandbox.sdkappid(), env.sandbox.secret_key().expose().to_string());
    let now = im::clock::now_secs();
    let path = "group_open_http_svc/get_appid_group_list";
    let expired = im::usersig::generate(app, &key, "administrator", 60, now - 3_600);
    let wrong_key = im::usersig::generate(app, &"0".repeat(64), "administrator", 86_400, now);
    let someone_else = im::usersig::generate(app, &key, "someone_else", 86_400, now);
    let viewer = im::usersig::generate(app, &key, "viewer_1", 86_400, now);
    let cases = [
        (env.query("administrator", &expired), 70001, "an expired UserSig is 70001"),
        (env.query("administrator", &wrong_key), 70009, "a UserSig signed with another key is 70009"),
        (env.query("administrator", &someone_else), 70013, "the URL's identifier must be the UserSig's (70013)"),
        (env.query("viewer_1", &viewer), 60010, "a valid UserSig of a non-admin account is 60010"),
        (
            env.query("administrator", &env.admin_sig()).replacen(&app.to_string(), &(app + 1).to_string(), 1),
            70020,
            "an unknown SDKAppID is 70020",
        ),
    ];
    for (query, want, why) in cases {
        let (status, answer) = env.post(path, &query, "{}").await;
        assert_eq!(status, 200, "{why}: still HTTP 200 with the code in the body");
        assert_eq!(answer["ErrorCode"], want, "{why}: {answer}");
        assert_eq!(answer["ActionStatus"], "FAIL", "a refused call says FAIL");
    }
    let (_, ok) = env.post(path, &env.query("administrator", &env.admin_sig()), "{}").await;
    assert_eq!(ok["ErrorCode"], 0, "the admin's own fresh UserSig is accepted: {ok}");
}

#[tokio::test]
async fn an_unknown_command_is_10003_and_a_body_that_is_not_a_json_object_is_60003() {
    let env = Env::start(config()).await;
    let q = env.query("administrator", &env.admin_sig());
    let (_, answer) = env.post("group_open_http_svc/create_groups", &q, "{}").await;
    assert_eq!(answer["ErrorCode"], 10003, "a misspelt command word is 10003: {answer}");
    let (_, answer) = env.post("no_such_svc/create_group", &q, "{}").await;
    assert_eq!(answer["ErrorCode"], 10003, "an unknown service is a bad command word too: {answer}");
    for body in ["", "not json", "[]", "\"a string\"", "42"] {
        let (status, answer) = env.post("group_open_http_svc/get_appid_group_list", &q, body).await;
        assert_eq!(status, 200, "a malformed body is still answered with HTTP 200");
        assert_eq!(answer["ErrorCode"], 60003, "body {body:?} is not a JSON object, so 60003: {answer}");
    }
}

// ---------------------------------------------------------------------------------------------------
// 2. Group rules (§2.1–2.4, §2.12)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_avchatroom_gets_a_tgs_id_and_refuses_a_member_list() {
    let env = Env::start(config()).await;
    let id = env.room("live").await;
    assert!(id.starts_with("@TGS#"), "Tencent's own group IDs start with @TGS#: {id}");
    let info = env.im().group(&id).info().await.unwrap();
    assert_eq!(
        (info.group_type.as_str(), info.name.as_str()),
        ("AVChatRoom", "live"),
        "the group is what was asked for"
    );
    let with_members = json!({"Type": "AVChatRoom", "Name": "x", "MemberList": [{"Member_Account": "a"}]});
    assert_eq!(env.raw(CREATE, with_members).await.unwrap_err(), 10007, "MemberList is refused for AVChatRoom");
}

#[tokio::test]
async fn custom_group_ids_must_not_look_like_tencents_and_cannot_be_reused() {
    let env = Env::start(config()).await;
    let tgs = json!({"Type": "AVChatRoom", "Name": "x", "GroupId": "@TGS#mine"});
    assert_eq!(env.raw(CREATE, tgs).await.unwrap_err(), 10004, "a custom GroupId must not start with @TGS#");
    let mine = json!({"Type": "AVChatRoom", "Name": "x", "GroupId": "anchordesk-contract-1"});
    let created = env.raw(CREATE, mine.clone()).await.expect("a printable ASCII custom ID is accepted");
    assert_eq!(created["GroupId"], "anchordesk-contract-1", "the custom ID is the group's ID");
    assert_eq!(env.raw(CREATE, mine).await.unwrap_err(), 10025, "reusing your own GroupId is 10025");
    let long = json!({"Type": "AVChatRoom", "Name": "x", "GroupId": "g".repeat(49)});
    assert_eq!(env.raw(CREATE, long).await.unwrap_err(), 10004, "a custom GroupId is at most 48 bytes");
}

#[tokio::test]
async fn profile_fields_are_limited_in_bytes_name_30_introduction_240_notification_300_faceurl_100() {
    let env = Env::start(config()).await;
    let ten_cjk = "一二三四五六七八九十";
    let eleven_cjk = format!("{ten_cjk}百");
    assert_eq!((ten_cjk.len(), eleven_cjk.len()), (30, 33), "a CJK character is 3 bytes");
    let fields = [
        ("Name", ten_cjk.to_string(), eleven_cjk.clone()),
        ("Introduction", "i".repeat(240), "i".repeat(241)),
        ("Notification", "n".repeat(300), "n".repeat(301)),
        ("FaceUrl", format!("https://x/{}", "f".repeat(90)), format!("https://x/{}", "f".repeat(91))),
    ];
    assert_eq!(
        env.raw(CREATE, json!({"Type": "AVChatRoom", "Name": ""})).await.unwrap_err(),
        10004,
        "Name is required"
    );
    assert_eq!(env.raw(CREATE, json!({"Type": "Stadium", "Name": "x"})).await.unwrap_err(), 10004, "a known Type");
    for (field, fits, too_long) in &fields {
        let mut body = json!({"Type": "AVChatRoom", "Name": "limits"});
        body[*field] = json!(too_long);
        let got = env.raw(CREATE, body.clone()).await.unwrap_err();
        assert_eq!(got, 10004, "create_group: {field} of {} bytes is over the limit", too_long.len());
        body[*field] = json!(fits);
        let created = env.raw(CREATE, body).await.unwrap_or_else(|c| panic!("{field} at the limit is fine: {c}"));
        let id = created["GroupId"].as_str().unwrap().to_string();
        let mut modify = json!({"GroupId": id});
        modify[*field] = json!(too_long);
        assert_eq!(env.raw(MODIFY, modify).await.unwrap_err(), 10004, "modify_group_base_info: {field} too");
    }
    let typed = CreateGroup { group_type: "AVChatRoom".into(), name: eleven_cjk, ..Default::default() };
    let refused = env.im().create_group(&typed).await.unwrap_err();
    assert!(matches!(refused, im::Error::Invalid(_)), "the typed client refuses a 33-byte Name itself: {refused}");
}

#[tokio::test]
async fn custom_fields_need_a_configured_key_and_at_most_512_bytes_and_an_empty_value_deletes() {
    let env = Env::start(config()).await;
    let unconfigured = json!({"Type": "AVChatRoom", "Name": "x", "AppDefinedData": [{"Key": "nope", "Value": "1"}]});
    assert_eq!(env.raw(CREATE, unconfigured).await.unwrap_err(), 10004, "keys must be configured in the console");
    let id = env.room("fields").await;
    let set = |v: String| json!({"GroupId": id, "AppDefinedData": [{"Key": "room_extra", "Value": v}]});
    assert_eq!(env.raw(MODIFY, set("v".repeat(513))).await.unwrap_err(), 10004, "a group value is ≤ 512 bytes");
    env.raw(MODIFY, set("v".repeat(512))).await.expect("512 bytes is allowed");
    let info = env.im().group(&id).info().await.unwrap();
    assert_eq!(info.app_defined("room_extra").map(str::len), Some(512), "the value is stored as sent");
    env.raw(MODIFY, set(String::new())).await.expect("an empty value is allowed");
    let info = env.im().group(&id).info().await.unwrap();
    assert_eq!(info.app_defined("room_extra"), None, "Value \"\" deletes the field (§2.1)");
}

#[tokio::test]
async fn get_group_info_reports_a_missing_group_per_item_and_the_typed_client_keeps_the_others() {
    let env = Env::start(config()).await;
    let (a, b) = (env.room("a").await, env.room("b").await);
    let missing = "@TGS#aMISSING01".to_string();
    let answer = env
        .raw("group_open_http_svc/get_group_info", json!({"GroupIdList": [a, missing]}))
        .await
        .expect("the top level of get_group_info is OK even when an item fails");
    assert_eq!(
        (answer["ActionStatus"].as_str(), answer["ErrorCode"].as_i64()),
        (Some("OK"), Some(0)),
        "the top level is OK"
    );
    assert_eq!(answer["GroupInfo"][0]["ErrorCode"], 0, "the existing group's item is OK");
    assert_eq!(answer["GroupInfo"][1]["ErrorCode"], 10010, "the missing group fails on its own item: {answer}");
    assert!(answer["GroupInfo"][1]["ErrorInfo"].is_string(), "the failed item explains itself");
    let typed = env.im().get_group_info(&[a.clone(), missing, b.clone()]).await.unwrap();
    assert_eq!(typed.len(), 3, "one result per requested group");
    assert_eq!(typed[0].as_ref().unwrap().group_id, a, "the group before the missing one is intact");
    assert_eq!(typed[1].as_ref().unwrap_err().code(), Some(10010), "only the missing group is an error");
    assert_eq!(typed[2].as_ref().unwrap().group_id, b, "and so is the one after it");
}

#[tokio::test]
async fn modify_and_destroy_of_a_missing_group_are_10010_and_a_non_ascii_id_is_10015() {
    let env = Env::start(config()).await;
    let im = env.im();
    let missing = im.group("@TGS#aMISSING02");
    assert_eq!(
        code(missing.modify(ModifyGroupBaseInfo { name: Some("x".into()), ..Default::default() }).await),
        10010,
        "modifying a missing group is 10010"
    );
    assert_eq!(code(missing.destroy().await), 10010, "destroying a missing group is 10010");
    let invalid = im.group("直播间");
    assert_eq!(
        code(invalid.modify(ModifyGroupBaseInfo { name: Some("x".into()), ..Default::default() }).await),
        10015,
        "an ID that cannot be a group ID is 10015"
    );
    assert_eq!(code(invalid.destroy().await), 10015, "a group ID that cannot exist is 10015");
    assert_eq!(code(invalid.info().await), 10015, "get_group_info reports 10015 on the item");
    let id = env.room("short-lived").await;
    im.group(&id).destroy().await.unwrap();
    assert_eq!(code(im.group(&id).info().await), 10010, "a destroyed group is gone");
    assert_eq!(code(im.group(&id).destroy().await), 10010, "and cannot be destroyed twice");
}

#[tokio::test]
async fn avchatroom_history_is_unsupported_with_10044() {
    let env = Env::start(config()).await;
    let id = env.room("no-history").await;
    let got = env.raw("group_open_http_svc/group_msg_get_simple", json!({"GroupId": id, "ReqMsgNumber": 20})).await;
    assert_eq!(got.unwrap_err(), 10044, "AVChatRoom stores no history (§2.12)");
    let public = env.raw(CREATE, json!({"Type": "Public", "Name": "p"})).await.unwrap();
    let got = env.raw("group_open_http_svc/group_msg_get_simple", json!({"GroupId": public["GroupId"]})).await;
    assert!(got.is_ok(), "other group types do have history: {got:?}");
}

#[tokio::test]
async fn the_app_group_list_pages_with_next_and_filters_by_type() {
    let env = Env::start(config()).await;
    let mut rooms = Vec::new();
    for i in 0..5 {
        rooms.push(env.room(&format!("room {i}")).await);
    }
    let public = env.raw(CREATE, json!({"Type": "Public", "Name": "p"})).await.unwrap()["GroupId"].clone();
    let mut seen = Vec::new();
    let mut next = 0;
    let mut pages = 0;
    loop {
        let page = env
            .raw("group_open_http_svc/get_appid_group_list", json!({"Limit": 2, "Next": next}))
            .await
            .expect("listing works");
        assert_eq!(page["TotalCount"], 6, "TotalCount counts every group");
        let list = page["GroupIdList"].as_array().unwrap();
        assert!(list.len() <= 2, "Limit is honoured");
        seen.extend(list.iter().map(|g| g["GroupId"].as_str().unwrap().to_string()));
        pages += 1;
        next = page["Next"].as_u64().unwrap();
        if next == 0 {
            break;
        }
    }
    assert_eq!(pages, 3, "6 groups at 2 a page are 3 pages");
    let mut all = rooms.clone();
    all.push(public.as_str().unwrap().to_string());
    assert_eq!(seen.iter().collect::<BTreeSet<_>>(), all.iter().collect::<BTreeSet<_>>(), "each group once");
    assert_eq!(seen.len(), 6, "no group appears on two pages");
    let av = env.im().group_ids(Some("AVChatRoom")).await.unwrap();
    assert_eq!(av.iter().collect::<BTreeSet<_>>(), rooms.iter().collect::<BTreeSet<_>>(), "GroupType filters");
    let bad = env.raw("group_open_http_svc/get_appid_group_list", json!({"GroupType": "Stadium"})).await;
    assert_eq!(bad.unwrap_err(), 10004, "an unknown GroupType is an invalid parameter");
}

// ---------------------------------------------------------------------------------------------------
// 3. Messages and the 40/s ceiling (§2.5, §2.6, §8.1)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn text_and_custom_elements_are_delivered_with_their_priority() {
    let env = Env::start(config()).await;
    let id = env.room("elements").await;
    let deliveries = env.record();
    let group = env.im().group(&id);
    let sent = group.send(text("hello 你好"), MsgPriority::High, None).await.unwrap();
    assert!(sent.msg_seq > 0, "a delivered message has a MsgSeq");
    let gift = MsgElement::custom(r#"{"businessID":"live_gift","giftId":"rose"}"#);
    group.send(vec![gift.clone()], MsgPriority::Low, None).await.unwrap();
    let both = vec![MsgElement::text("with data"), MsgElement::custom("{}")];
    group.send(both.clone(), MsgPriority::Normal, None).await.unwrap();
    let viewer = env.sandbox.viewer("fan_1");
    viewer.join(&id).await.unwrap();
    viewer.send_text(&id, "from a client").await.unwrap();
    let got = deliveries.wait_for(&id, 4).await;
    assert_eq!(
        (got[0].body.clone(), got[0].priority),
        (text("hello 你好"), MsgPriority::High),
        "the text as sent, High"
    );
    assert_eq!(
        (got[1].body.clone(), got[1].priority),
        (vec![gift], MsgPriority::Low),
        "the custom element as sent, Low"
    );
    assert_eq!((got[2].body.clone(), got[2].priority), (both, MsgPriority::Normal), "text and custom together, Normal");
    assert_eq!((got[3].from.as_str(), got[3].priority), ("fan_1", MsgPriority::Normal), "clients send Normal");
    assert!(got.iter().all(|d| !d.system), "these are messages, not system notifications");
    assert!(got[0].seq < got[1].seq && got[1].seq < got[2].seq, "MsgSeq grows");
}

#[tokio::test]
async fn a_message_with_two_custom_elements_is_10004_and_one_over_12_kb_is_80002() {
    let env = Env::start(config()).await;
    let id = env.room("sizes").await;
    let custom = json!({"MsgType": "TIMCustomElem", "MsgContent": {"Data": "x"}});
    let two = json!({"GroupId": id, "Random": 1, "MsgBody": [custom, custom]});
    assert_eq!(env.raw(SEND, two).await.unwrap_err(), 10004, "only one TIMCustomElem per message");
    let big = "x".repeat(12 * 1024);
    assert_eq!(env.raw(SEND, text_msg(&id, &big, 2)).await.unwrap_err(), 80002, "over 12 KB is 80002");
    env.raw(SEND, text_msg(&id, &"x".repeat(11 * 1024), 3)).await.expect("11 KB is fine");

    let proxy = Proxy::start(env.sandbox.base_url()).await;
    let refused = proxy.im(&env).group(&id).send(text(big), MsgPriority::Normal, None).await.unwrap_err();
    assert!(matches!(refused, im::Error::Invalid(_)), "the typed client refuses it itself: {refused}");
    assert_eq!(proxy.count(SEND), 0, "and never sends it");
}

#[tokio::test]
async fn the_same_sender_and_random_within_five_minutes_is_delivered_once() {
    let env = Env::start(config()).await;
    let id = env.room("dedup").await;
    let deliveries = env.record();
    let first = env.raw(SEND, text_msg(&id, "once", 777)).await.unwrap();
    let again = env.raw(SEND, text_msg(&id, "once", 777)).await.expect("a duplicate is answered as success");
    assert_eq!(again["MsgSeq"], first["MsgSeq"], "the duplicate is the same message");
    let mut other_sender = text_msg(&id, "once", 777);
    other_sender["From_Account"] = json!("fan_2");
    env.raw(SEND, other_sender).await.unwrap();
    env.raw(SEND, text_msg(&id, "marker", 778)).await.unwrap();
    deliveries.wait_for(&id, 3).await;
    let got = deliveries.in_group(&id);
    let from: Vec<(&str, String)> =
        got.iter().map(|d| (d.from.as_str(), im::msg::body_text(&d.body).unwrap())).collect();
    assert_eq!(
        from,
        [("administrator", "once".into()), ("fan_2", "once".into()), ("administrator", "marker".into())],
        "the repeated Random from the same sender is not delivered again; another sender's is"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_with_the_same_random_are_delivered_once() {
    // A retry can arrive while the first attempt is still being handled (a slow before-send callback,
    // a lost answer): the dedup must hold for it too.
    let env = Env::with_hook(config()).await;
    env.hook().reply(BEFORE_SEND, Reply::ok().after(Duration::from_millis(300)));
    let id = env.room("dedup-race").await;
    let deliveries = env.record();
    let im = env.im();
    let (a, b) =
        tokio::join!(raw(&im, SEND, text_msg(&id, "racing", 4242)), raw(&im, SEND, text_msg(&id, "racing", 4242)));
    assert!(a.is_ok() && b.is_ok(), "both attempts are answered as success: {a:?} {b:?}");
    env.hook().reply(BEFORE_SEND, Reply::ok());
    env.raw(SEND, text_msg(&id, "marker", 4243)).await.unwrap();
    deliveries.wait_for(&id, 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(deliveries.texts(&id), ["racing", "marker"], "the racing duplicate is delivered once");
}

/// The per-priority figures of the burst, for the report.
#[derive(Default, Debug)]
struct Figures {
    sent: usize,
    delivered: usize,
    dropped: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_200_never_delivers_more_than_40_a_second_and_high_priority_goes_first() {
    let env = Env::with_hook(config()).await;
    let id = env.room("burst").await;
    let deliveries = env.record();
    let im = env.im();

    // 20 High, 80 Normal, 100 Low: twenty blocks of ten, each 1 High + 4 Normal + 5 Low in a seeded order.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut plan = Vec::new();
    for _ in 0..20 {
        let mut block = vec![MsgPriority::High];
        block.extend([MsgPriority::Normal; 4]);
        block.extend([MsgPriority::Low; 5]);
        block.shuffle(&mut rng);
        plan.extend(block);
    }

    // One client, 200 sends spread over one second (one every 5 ms), all in flight concurrently.
    let start = tokio::time::Instant::now();
    let tasks: Vec<_> = plan
        .iter()
        .enumerate()
        .map(|(i, &priority)| {
            let im = im.clone();
            let req = SendGroupMsg {
                group_id: id.clone(),
                random: 1_000 + i as u32,
                msg_priority: Some(priority),
                msg_body: text(format!("burst #{i}")),
                from_account: None,
                forbid_callback_control: Vec::new(),
                cloud_custom_data: None,
            };
            tokio::spawn(async move {
                tokio::time::sleep_until(start + Duration::from_millis(5 * i as u64)).await;
                im.call::<_, Value>(SEND, &req).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap().expect("every send of the burst is answered with success (ErrorCode 0)"));
    }
    let sending_took = start.elapsed();

    let mut figures: HashMap<MsgPriority, Figures> = HashMap::new();
    let mut dropped_randoms = BTreeSet::new();
    for (i, (answer, priority)) in answers.iter().zip(&plan).enumerate() {
        assert_eq!(
            (answer["ActionStatus"].as_str(), answer["ErrorCode"].as_i64()),
            (Some("OK"), Some(0)),
            "no send of the burst fails"
        );
        let f = figures.entry(*priority).or_default();
        f.sent += 1;
        match answer["MsgDropReason"].as_str().unwrap_or_default() {
            "MsgFreqCtrl" => {
                f.dropped += 1;
                dropped_randoms.insert(1_000 + i as u64);
            }
            "" => f.delivered += 1,
            other => panic!("MsgDropReason is empty or MsgFreqCtrl, not {other:?}"),
        }
    }
    let delivered: usize = figures.values().map(|f| f.delivered).sum();
    let dropped = 200 - delivered;

    // What members received matches what the senders were told.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let received = deliveries.timed_in_group(&id);
    assert_eq!(received.len(), delivered, "exactly the messages answered without MsgDropReason are delivered");
    for (_, d) in &received {
        let t = im::msg::body_text(&d.body).unwrap();
        let i: usize = t.trim_start_matches("burst #").parse().unwrap();
        assert!(!dropped_randoms.contains(&(1_000 + i as u64)), "message {i} was answered as dropped yet delivered");
        assert_eq!(d.priority, plan[i], "delivered with its own priority");
    }

    // At most 40 in any one-second window. Times are taken when the recorder received each delivery,
    // which can lag the sandbox by a little; 50 ms of slack covers that without hiding a 41st.
    let times: Vec<Instant> = received.iter().map(|(t, _)| *t).collect();
    for w in times.windows(41) {
        let span = w[40] - w[0];
        assert!(span >= Duration::from_millis(950), "41 deliveries within {span:?}: over 40 messages a second");
    }

    let high = &figures[&MsgPriority::High];
    let normal = &figures[&MsgPriority::Normal];
    let low = &figures[&MsgPriority::Low];
    println!("burst of 200 over {sending_took:?} through one client, ceiling 40/s:");
    for (name, f) in [("High", high), ("Normal", normal), ("Low", low)] {
        println!("  {name:<6} sent {:>3}  delivered {:>3}  dropped {:>3}", f.sent, f.delivered, f.dropped);
    }
    assert_eq!(high.delivered, 20, "higher priorities go first: all 20 High fit under the ceiling (§8.1)");
    let fraction = |f: &Figures| f.delivered as f64 / f.sent as f64;
    assert!(fraction(normal) > fraction(low), "Normal goes before Low: {normal:?} vs {low:?}");
    assert!(delivered <= 40, "the whole burst fits in about a second, so at most 40 are delivered");

    // The business server's view: every send was seen before, only delivered ones after, and each drop
    // was reported as an exception with 10023 (§4.4, §4.5, §8.1).
    let hook = env.hook();
    eventually("the after-send and exception callbacks settle", || {
        hook.of_group(AFTER_SEND, &id).len() + hook.of_group(EXCEPTION, &id).len() >= 200
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(hook.of_group(BEFORE_SEND, &id).len(), 200, "before-send fires for dropped messages too");
    let after = hook.of_group(AFTER_SEND, &id);
    assert_eq!(after.len(), delivered, "after-send fires only for delivered messages");
    assert!(
        after.iter().all(|c| !dropped_randoms.contains(&c.body["Random"].as_u64().unwrap())),
        "after-send never fires for a dropped message"
    );
    let exceptions = hook.of_group(EXCEPTION, &id);
    assert_eq!(exceptions.len(), dropped, "one SendMsgException per dropped message");
    assert!(exceptions.iter().all(|c| c.body["ErrorCode"] == 10023), "the exception says 10023");
    let excepted: BTreeSet<u64> = exceptions.iter().map(|c| c.body["Random"].as_u64().unwrap()).collect();
    assert_eq!(excepted, dropped_randoms, "the exceptions name exactly the dropped messages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_stream_over_the_ceiling_is_cut_to_40_in_every_second_but_uses_them() {
    // 100 Normal messages a second for two seconds: the windows check above only bites when deliveries
    // span more than a second, and a single priority must still get the whole ceiling.
    let env = Env::start(config()).await;
    let id = env.room("stream").await;
    let deliveries = env.record();
    let im = env.im();
    let start = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..200u64)
        .map(|i| {
            let (im, body) = (im.clone(), text_msg(&id, &format!("stream #{i}"), 50_000 + i as u32));
            tokio::spawn(async move {
                tokio::time::sleep_until(start + Duration::from_millis(10 * i)).await;
                raw(&im, SEND, body).await
            })
        })
        .collect();
    let mut delivered = 0;
    for t in tasks {
        let answer = t.await.unwrap().expect("dropped or not, every send is a success");
        if answer["MsgDropReason"] != "MsgFreqCtrl" {
            delivered += 1;
        }
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let times: Vec<Instant> = deliveries.timed_in_group(&id).iter().map(|(t, _)| *t).collect();
    assert_eq!(times.len(), delivered, "what the senders were told matches what members received");
    for w in times.windows(41) {
        let span = w[40] - w[0];
        assert!(span >= Duration::from_millis(950), "41 deliveries within {span:?}: over 40 messages a second");
    }
    assert!(delivered >= 60, "the ceiling is a rate: two seconds carry well over one second's 40 ({delivered})");
    println!("a 2-s stream of 200 Normal messages: {delivered} delivered");
}

#[tokio::test]
async fn a_saturated_group_drops_with_msgfreqctrl_but_system_notifications_still_arrive() {
    let mut c = config();
    c.messages_per_second = 5;
    let env = Env::with_hook(c).await;
    let id = env.room("saturated").await;
    let deliveries = env.record();
    let group = env.im().group(&id);
    for i in 0..5 {
        group.send(text(format!("fits {i}")), MsgPriority::Normal, None).await.expect("under the ceiling");
    }
    let dropped = group.send(text("one too many"), MsgPriority::Normal, None).await.unwrap_err();
    assert!(matches!(dropped, im::Error::Dropped), "the typed client turns MsgFreqCtrl into Error::Dropped");
    let answer = env.raw(SEND, text_msg(&id, "and another", 99)).await.expect("a dropped message is success");
    assert_eq!(
        (answer["ErrorCode"].as_i64(), answer["MsgDropReason"].as_str()),
        (Some(0), Some("MsgFreqCtrl")),
        "dropped: ErrorCode 0 with MsgDropReason MsgFreqCtrl (§2.5)"
    );

    group.system_notification("the room closes soon").await.expect("system notifications are exempt (§2.6)");
    let got = deliveries.wait_for(&id, 6).await;
    assert!(got[5].system, "the notification is delivered while the window is full");
    assert_eq!(
        im::msg::body_text(&got[5].body).as_deref(),
        Some("the room closes soon"),
        "the notification's Content arrives as text"
    );
    let targeted = json!({"GroupId": id, "Content": "psst", "ToMembers_Account": ["fan_1"]});
    let got = env.raw("group_open_http_svc/send_group_system_notification", targeted).await;
    assert_eq!(got.unwrap_err(), 10004, "AVChatRoom notifications go to everyone: ToMembers_Account is refused");

    let hook = env.hook();
    eventually("7 after-send/exception callbacks", || hook.of(AFTER_SEND).len() + hook.of(EXCEPTION).len() >= 7).await;
    assert_eq!(hook.of(AFTER_SEND).len(), 5, "after-send is not fired for the dropped messages");
    assert_eq!(
        hook.of(EXCEPTION).iter().filter(|c| c.body["ErrorCode"] == 10023).count(),
        2,
        "one 10023 exception per dropped message"
    );
}

// ---------------------------------------------------------------------------------------------------
// 4. Callbacks (§4)
// ---------------------------------------------------------------------------------------------------

/// Drives one of each event through a sandbox with a business server.
async fn one_of_each_event(env: &Env) -> (String, Value) {
    let id = env.room("events").await;
    let im = env.im();
    let viewer = env.sandbox.viewer("jared");
    viewer.join(&id).await.unwrap();
    viewer.send_text(&id, "hi from the app").await.unwrap();
    let mut as_user = text_msg(&id, "sent for jared", 31337);
    as_user["From_Account"] = json!("jared");
    let sent = env.raw(SEND, as_user).await.unwrap();
    im.group(&id)
        .modify(ModifyGroupBaseInfo { notification: Some("New rules".into()), ..Default::default() })
        .await
        .unwrap();
    im.group(&id).mute_all(true).await.unwrap();
    let _ = viewer.send_text(&id, "am I muted?").await;
    im.group(&id).mute_all(false).await.unwrap();
    viewer.leave(&id).await.unwrap();
    env.hook().wait_for(STATE, 2).await;
    env.hook().wait_for(AFTER_EXIT, 1).await;
    (id, sent)
}

#[tokio::test]
async fn every_callback_carries_tencents_query_parameters_and_a_fresh_sign() {
    let env = Env::with_hook(config()).await;
    one_of_each_event(&env).await;
    let calls = env.hook().calls();
    let commands: BTreeSet<&str> = calls.iter().map(|c| c.command()).collect();
    for want in [BEFORE_SEND, AFTER_SEND, EXCEPTION, BEFORE_JOIN, AFTER_JOIN, AFTER_EXIT, INFO_CHANGED, STATE] {
        assert!(commands.contains(want), "{want} was fired: {commands:?}");
    }
    let now = im::clock::now_secs();
    for c in &calls {
        let q = &c.query;
        let what = c.command();
        assert_eq!(
            q.get("SdkAppid").map(String::as_str),
            Some(env.sandbox.sdkappid().to_string().as_str()),
            "{what}: SdkAppid names our app"
        );
        assert_eq!(
            q.get("CallbackCommand"),
            c.body["CallbackCommand"].as_str().map(String::from).as_ref(),
            "{what}: the query names the body's command"
        );
        assert_eq!(q.get("contenttype").map(String::as_str), Some("json"), "{what}: contenttype=json");
        assert!(q.get("ClientIP").is_some_and(|ip| !ip.is_empty()), "{what}: ClientIP");
        let platform = q.get("OptPlatform").map(String::as_str).unwrap_or_default();
        let known = ["RESTAPI", "Web", "Android", "iOS", "IOS", "Windows", "Mac", "macOS", "iPad", "Unknown"];
        assert!(known.contains(&platform), "{what}: OptPlatform {platform:?} is one Tencent documents");
        let time: u64 = q.get("RequestTime").and_then(|t| t.parse().ok()).expect("RequestTime with a token");
        assert!(now.abs_diff(time) <= 60, "{what}: RequestTime is within a minute of now");
        let sign = q.get("Sign").expect("Sign with a token");
        assert_eq!(sign, &im::sign::callback_sign(TOKEN, time), "{what}: Sign = sha256(token + RequestTime)");
    }
    let before = env.hook().of(BEFORE_SEND);
    let rest = before.iter().find(|c| c.body["Random"] == 31337).expect("the REST send's before-send");
    assert_eq!(rest.query["OptPlatform"], "RESTAPI", "a REST send comes from RESTAPI");
    let app = before.iter().find(|c| c.body["Random"] != 31337).expect("the app's before-send");
    assert_eq!(app.query["OptPlatform"], "Android", "a client's send names the client's platform");
}

#[tokio::test]
async fn callback_bodies_carry_the_documented_fields() {
    let env = Env::with_hook(config()).await;
    let (id, sent) = one_of_each_event(&env).await;
    let hook = env.hook();
    let msg_fields = [
        "CallbackCommand",
        "GroupId",
        "Type",
        "From_Account",
        "Operator_Account",
        "Random",
        "OnlineOnlyFlag",
        "MsgBody",
        "EventTime",
    ];

    let before = hook.of(BEFORE_SEND);
    let rest = before.iter().find(|c| c.body["Random"] == 31337).expect("the REST send's before-send").body.clone();
    assert_has(&rest, &msg_fields, "before-send");
    assert_eq!(
        (rest["GroupId"].as_str(), rest["Type"].as_str()),
        (Some(id.as_str()), Some("AVChatRoom")),
        "the group and its type"
    );
    assert_eq!(rest["From_Account"], "jared", "From_Account is the user the message is sent as");
    assert_eq!(rest["Operator_Account"], "administrator", "a REST send is operated by the admin (§4.3 example)");
    assert_eq!(rest["OnlineOnlyFlag"], 0, "always 0 for AVChatRoom");
    assert_eq!(
        rest["MsgBody"][0],
        json!({"MsgType": "TIMTextElem", "MsgContent": {"Text": "sent for jared"}}),
        "MsgBody as sent"
    );
    assert_event_time_ms(&rest, "before-send");
    assert!(!keys(&rest).contains("MsgSeq"), "MsgSeq is not known before sending");

    let after = hook.of(AFTER_SEND);
    let rest_after = after.iter().find(|c| c.body["Random"] == 31337).expect("the REST send's after-send").body.clone();
    assert_has(&rest_after, &msg_fields, "after-send");
    assert_has(&rest_after, &["MsgSeq", "MsgTime"], "after-send");
    assert_eq!(rest_after["MsgSeq"], sent["MsgSeq"], "after-send's MsgSeq is the one the sender was given");
    assert!(im::clock::now_secs().abs_diff(rest_after["MsgTime"].as_u64().unwrap()) < 60, "MsgTime is unix seconds");
    let app = after.iter().find(|c| c.body["From_Account"] == "jared" && c.body["Random"] != 31337).unwrap();
    assert_eq!(app.body["Operator_Account"], "jared", "a client's own send is operated by the client");

    let exception = hook.wait_for(EXCEPTION, 1).await[0].body.clone();
    assert_has(&exception, &msg_fields, "send exception");
    assert_has(&exception, &["ErrorCode", "ErrorInfo"], "send exception");
    assert_eq!(exception["ErrorCode"], 10017, "muted by MuteAllMember");

    let join = hook.of(BEFORE_JOIN)[0].body.clone();
    assert_has(&join, &["CallbackCommand", "GroupId", "Type", "Requestor_Account", "EventTime"], "before-join");
    assert_eq!(join["Requestor_Account"], "jared", "Requestor_Account is the joiner");
    assert_event_time_ms(&join, "before-join");
    let joined = hook.of(AFTER_JOIN)[0].body.clone();
    assert_has(
        &joined,
        &["CallbackCommand", "GroupId", "Type", "JoinType", "Operator_Account", "NewMemberList", "EventTime"],
        "after-join",
    );
    assert_eq!(joined["JoinType"], "Apply", "AVChatRoom is apply-to-join");
    assert_eq!(joined["NewMemberList"], json!([{"Member_Account": "jared"}]), "NewMemberList names the joiner");
    let exit = hook.of(AFTER_EXIT)[0].body.clone();
    assert_has(
        &exit,
        &["CallbackCommand", "GroupId", "Type", "ExitType", "Operator_Account", "ExitMemberList", "EventTime"],
        "after-exit",
    );
    assert_eq!(exit["ExitType"], "Quit", "leaving by oneself is Quit");
    assert_eq!(exit["ExitMemberList"], json!([{"Member_Account": "jared"}]), "ExitMemberList names the leaver");

    let states = hook.of(STATE);
    let login = states[0].body.clone();
    assert_has(&login, &["CallbackCommand", "EventTime", "Info"], "State.StateChange");
    assert_has(&login["Info"], &["Action", "To_Account", "Reason"], "State.StateChange Info");
    assert_eq!(
        (login["Info"]["Action"].as_str(), login["Info"]["To_Account"].as_str()),
        (Some("Login"), Some("jared")),
        "the first join logs the user in"
    );
    assert_eq!(states[1].body["Info"]["Action"], "Logout", "the last leave logs them out");
    assert!(keys(&login).iter().all(|k| k != "GroupId"), "a login state is about an account, not a group");

    let changed = hook.of(INFO_CHANGED);
    assert_eq!(changed.len(), 1, "only the Notification change fires it; MuteAllMember does not (§2.3)");
    let changed = changed[0].body.clone();
    assert_has(
        &changed,
        &["CallbackCommand", "GroupId", "Type", "Operator_Account", "Notification", "EventTime"],
        "info changed",
    );
    assert_eq!(changed["Notification"], "New rules", "the changed field carries its new value");
    for absent in ["Name", "Introduction", "FaceUrl"] {
        assert!(!keys(&changed).contains(absent), "only changed fields are present, not {absent}");
    }
    assert_event_time_ms(&changed, "info changed");
}

#[tokio::test]
async fn before_send_answers_are_honoured() {
    let env = Env::with_hook(config()).await;
    let id = env.room("answers").await;
    let deliveries = env.record();
    let hook = env.hook();
    let viewer = env.sandbox.viewer("fan_3");
    viewer.join(&id).await.unwrap();
    let group = env.im().group(&id);

    hook.reply(BEFORE_SEND, Reply::code(1, ""));
    assert_eq!(viewer.send_text(&id, "refused").await.unwrap_err().code, 10016, "ErrorCode 1 refuses with 10016");
    assert_eq!(code(group.send(text("refused too"), MsgPriority::Normal, None).await), 10016, "over REST as well");

    hook.reply(BEFORE_SEND, Reply::code(2, ""));
    let silent = group.send(text("dropped silently"), MsgPriority::Normal, None).await;
    assert!(silent.is_ok(), "ErrorCode 2: the sender sees success: {silent:?}");
    assert!(
        viewer.send_text(&id, "dropped silently too").await.is_ok(),
        "for a client too: success and nothing delivered"
    );

    let modified = json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "",
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "*** (filtered)"}}]});
    hook.reply(BEFORE_SEND, Reply::json(modified));
    viewer.send_text(&id, "a rude word").await.unwrap();

    hook.reply(BEFORE_SEND, Reply::code(10150, "no links please"));
    let custom = viewer.send_text(&id, "http://spam").await.unwrap_err();
    assert_eq!(
        (custom.code, custom.info.as_str()),
        (10150, "no links please"),
        "a custom code and text reach the sender"
    );
    match group.send(text("http://spam"), MsgPriority::Normal, None).await.unwrap_err() {
        im::Error::Api { code, info, .. } => assert_eq!(
            (code, info.as_str()),
            (10150, "no links please"),
            "the custom code and text reach a REST caller"
        ),
        other => panic!("expected Tencent's 10150, got {other}"),
    }

    hook.reply(BEFORE_SEND, Reply::ok());
    viewer.send_text(&id, "allowed").await.unwrap();
    deliveries.wait_for(&id, 2).await;
    assert_eq!(deliveries.texts(&id), ["*** (filtered)", "allowed"], "only the modified and the allowed arrive");
    eventually("after-send for both", || hook.of(AFTER_SEND).len() >= 2).await;
    let after = hook.of(AFTER_SEND);
    assert_eq!(
        after[0].body["MsgBody"][0]["MsgContent"]["Text"], "*** (filtered)",
        "after-send shows what was delivered"
    );
}

#[tokio::test]
async fn forbid_callback_control_skips_the_named_callbacks_for_that_message() {
    let env = Env::with_hook(config()).await;
    let id = env.room("no-callbacks").await;
    let deliveries = env.record();
    let hook = env.hook();
    hook.reply(BEFORE_SEND, Reply::code(1, ""));
    let mut skip_before = text_msg(&id, "skips before-send", 61);
    skip_before["ForbidCallbackControl"] = json!(["ForbidBeforeSendMsgCallback"]);
    env.raw(SEND, skip_before).await.expect("no before-send callback, so nothing refuses it");
    hook.reply(BEFORE_SEND, Reply::ok());
    let mut skip_after = text_msg(&id, "skips after-send", 62);
    skip_after["ForbidCallbackControl"] = json!(["ForbidAfterSendMsgCallback"]);
    env.raw(SEND, skip_after).await.unwrap();
    env.raw(SEND, text_msg(&id, "marker", 63)).await.unwrap();
    deliveries.wait_for(&id, 3).await;
    hook.wait_for(AFTER_SEND, 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let randoms = |cmd: &str| hook.of(cmd).iter().map(|c| c.body["Random"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(randoms(BEFORE_SEND), [62, 63], "ForbidBeforeSendMsgCallback skips before-send (§2.5, §4.3)");
    assert_eq!(randoms(AFTER_SEND), [61, 63], "ForbidAfterSendMsgCallback skips after-send");
}

#[tokio::test]
async fn without_a_callback_token_there_is_no_sign() {
    let mut c = config();
    let hook = support::Hook::start().await;
    c.callback = Some(anchordesk_sandbox::CallbackTarget { url: hook.url(), token: None });
    let env = Env::start(c).await;
    let id = env.room("unsigned").await;
    env.sandbox.viewer("plain").join(&id).await.unwrap();
    let calls = hook.wait_for(AFTER_JOIN, 1).await;
    let q = &calls[0].query;
    assert_eq!(q.get("CallbackCommand").map(String::as_str), Some(AFTER_JOIN), "the callback is still identified");
    assert!(!q.contains_key("Sign") && !q.contains_key("RequestTime"), "Sign only with authentication on: {q:?}");
}

#[tokio::test]
async fn a_before_join_refusal_is_10016() {
    let env = Env::with_hook(config()).await;
    let id = env.room("door").await;
    env.hook().reply(BEFORE_JOIN, Reply::code(1, ""));
    let refused = env.sandbox.viewer("troll").join(&id).await.unwrap_err();
    assert_eq!(refused.code, 10016, "ErrorCode 1 refuses the join with 10016 (§4.6)");
    assert!(!env.sandbox.members(&id).contains(&"troll".to_string()), "the refused user is not a member");
    assert!(env.hook().of(AFTER_JOIN).is_empty(), "no after-join for a refused join");
    env.hook().reply(BEFORE_JOIN, Reply::ok());
    env.sandbox.viewer("friend").join(&id).await.expect("ErrorCode 0 lets them in");
}

#[tokio::test]
async fn a_slow_or_broken_business_server_lets_messages_through_by_default() {
    let mut c = config();
    c.callback_timeout = Duration::from_millis(200);
    let env = Env::with_hook(c).await;
    let id = env.room("lenient").await;
    let deliveries = env.record();
    let hook = env.hook();
    let group = env.im().group(&id);
    hook.reply(BEFORE_SEND, Reply::code(1, "").after(Duration::from_millis(1_000)));
    let (sent, took) = timed(group.send(text("slow server"), MsgPriority::Normal, None)).await;
    sent.expect("a before-send past the deadline lets the message through (Tencent's default, §4.2)");
    assert!(took < Duration::from_millis(900), "the sandbox gave up at its deadline, not the server's pace: {took:?}");
    hook.reply(BEFORE_SEND, Reply::status(500));
    group.send(text("server error"), MsgPriority::Normal, None).await.expect("a non-200 is a failure: let through");
    hook.reply(BEFORE_SEND, Reply::garbage());
    group.send(text("not json"), MsgPriority::Normal, None).await.expect("a non-JSON body is a failure: let through");
    hook.reply(BEFORE_JOIN, Reply::code(1, "").after(Duration::from_millis(1_000)));
    env.sandbox.viewer("patient").join(&id).await.expect("a join past the deadline is let through");
    deliveries.wait_for(&id, 3).await;
    assert_eq!(
        deliveries.texts(&id),
        ["slow server", "server error", "not json"],
        "each failed callback let its message through"
    );
}

#[tokio::test]
async fn with_the_refuse_policy_a_failed_before_callback_is_80003() {
    let mut c = config();
    c.callback_timeout = Duration::from_millis(200);
    c.refuse_on_callback_failure = true;
    let env = Env::with_hook(c).await;
    let id = env.room("strict").await;
    let deliveries = env.record();
    let hook = env.hook();
    let group = env.im().group(&id);
    for (reply, why) in [
        (Reply::ok().after(Duration::from_millis(1_000)), "past the deadline"),
        (Reply::status(502), "a non-200 answer"),
        (Reply::garbage(), "a non-JSON answer"),
    ] {
        hook.reply(BEFORE_SEND, reply.clone());
        assert_eq!(code(group.send(text(why), MsgPriority::Normal, None).await), 80003, "{why} refuses with 80003");
        hook.reply(BEFORE_JOIN, reply);
        assert_eq!(env.sandbox.viewer("knocking").join(&id).await.unwrap_err().code, 80003, "join: {why}");
    }
    hook.reply(BEFORE_SEND, Reply::ok());
    group.send(text("healthy again"), MsgPriority::Normal, None).await.unwrap();
    deliveries.wait_for(&id, 1).await;
    assert_eq!(deliveries.texts(&id), ["healthy again"], "nothing refused was delivered");
}

// ---------------------------------------------------------------------------------------------------
// 5. Mutes (§2.7, §2.3 MuteAllMember)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_muted_user_gets_10017_with_an_exception_callback_and_no_before_send() {
    let env = Env::with_hook(config()).await;
    let id = env.room("mute").await;
    let loud = env.sandbox.viewer("loud");
    loud.join(&id).await.unwrap();
    env.im().group(&id).mute(&ids(&["loud"]), 60).await.unwrap();
    assert_eq!(loud.send_text(&id, "can you hear me?").await.unwrap_err().code, 10017, "a muted client gets 10017");
    let mut as_loud = text_msg(&id, "via REST", 5);
    as_loud["From_Account"] = json!("loud");
    assert_eq!(env.raw(SEND, as_loud).await.unwrap_err(), 10017, "sending as the muted user over REST too");
    let hook = env.hook();
    let exceptions = hook.wait_for(EXCEPTION, 2).await;
    assert!(
        exceptions.iter().all(|c| c.body["ErrorCode"] == 10017 && c.body["From_Account"] == "loud"),
        "each refused send is reported as a 10017 exception from loud"
    );
    assert!(hook.of(BEFORE_SEND).is_empty(), "a muted sender never reaches the before-send callback (§2.7)");
}

#[tokio::test]
async fn shut_up_time_zero_unmutes_and_the_maximum_is_permanent() {
    let env = Env::start(config()).await;
    let id = env.room("mute-times").await;
    let group = env.im().group(&id);
    let user = env.sandbox.viewer("u1");
    user.join(&id).await.unwrap();
    group.mute(&ids(&["u1", "u2"]), u32::MAX).await.unwrap();
    let muted = group.muted_accounts().await.unwrap();
    let now = im::clock::now_secs();
    assert_eq!(muted.len(), 2, "both muted accounts are listed, members or not");
    for m in &muted {
        let want = now + u64::from(u32::MAX);
        assert!(
            m.muted_until.abs_diff(want) <= 5,
            "4294967295 s is MutedUntil ≈ now + 4294967295, got {}",
            m.muted_until
        );
    }
    let raw_list = env.raw("group_open_http_svc/get_group_muted_account", json!({"GroupId": id})).await.unwrap();
    assert_has(&raw_list["MutedAccountList"][0], &["Member_Account", "MutedUntil"], "a muted account");
    assert_eq!(user.send_text(&id, "still muted").await.unwrap_err().code, 10017, "a permanent mute holds");
    group.mute(&ids(&["u1"]), 0).await.unwrap();
    let muted = group.muted_accounts().await.unwrap();
    assert_eq!(muted.iter().map(|m| m.member_account.as_str()).collect::<Vec<_>>(), ["u2"], "ShutUpTime 0 unmutes");
    user.send_text(&id, "free again").await.expect("an unmuted user may speak");
}

#[tokio::test]
async fn more_than_500_accounts_per_mute_is_10005_and_the_typed_client_chunks_them() {
    let env = Env::start(config()).await;
    let id = env.room("mass-mute").await;
    let many: Vec<String> = (0..501).map(|i| format!("user{i}")).collect();
    let body = json!({"GroupId": id, "Members_Account": many, "ShutUpTime": 60});
    assert_eq!(env.raw("group_open_http_svc/forbid_send_msg", body).await.unwrap_err(), 10005, "≤ 500 per call");
    let proxy = Proxy::start(env.sandbox.base_url()).await;
    proxy.im(&env).group(&id).mute(&many, 60).await.expect("the typed client splits the batch");
    assert_eq!(proxy.count("group_open_http_svc/forbid_send_msg"), 2, "501 accounts are two calls");
    assert_eq!(env.im().group(&id).muted_accounts().await.unwrap().len(), 501, "and all 501 are muted");
}

#[tokio::test]
async fn mute_all_silences_members_but_not_the_admin() {
    let env = Env::start(config()).await;
    let id = env.room("hush").await;
    let deliveries = env.record();
    let group = env.im().group(&id);
    let fan = env.sandbox.viewer("fan_4");
    fan.join(&id).await.unwrap();
    group.mute_all(true).await.unwrap();
    assert_eq!(group.info().await.unwrap().mute_all_member, "On", "get_group_info shows MuteAllMember On");
    assert_eq!(fan.send_text(&id, "hello?").await.unwrap_err().code, 10017, "members are muted");
    assert_eq!(
        code(group.send(text("as fan"), MsgPriority::Normal, Some("fan_4".into())).await),
        10017,
        "sending as a member over REST too"
    );
    group.send(text("admin speaking"), MsgPriority::High, None).await.expect("the admin may still speak");
    group.mute_all(false).await.unwrap();
    assert_eq!(group.info().await.unwrap().mute_all_member, "Off", "and Off again");
    fan.send_text(&id, "back").await.expect("Off restores members' voices");
    deliveries.wait_for(&id, 2).await;
    assert_eq!(deliveries.texts(&id), ["admin speaking", "back"], "only the admin's and the post-mute messages arrive");
}

// ---------------------------------------------------------------------------------------------------
// 6. Native ban (§2.10)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_banned_member_is_removed_at_once_receives_nothing_and_cannot_rejoin_until_unbanned() {
    let env = Env::with_hook(config()).await;
    let id = env.room("ban").await;
    let group = env.im().group(&id);
    let (troll, fan) = (env.sandbox.viewer("troll"), env.sandbox.viewer("fan_5"));
    troll.join(&id).await.unwrap();
    fan.join(&id).await.unwrap();
    group.ban(&ids(&["troll"]), 3_600, Some("spam")).await.unwrap();
    assert_eq!(env.sandbox.members(&id), ["fan_5"], "the banned member is removed at once");
    let exits = env.hook().wait_for(AFTER_EXIT, 1).await;
    assert_eq!(exits[0].body["ExitType"], "Kicked", "and the business server hears ExitType Kicked");
    assert_eq!(
        exits[0].body["ExitMemberList"],
        json!([{"Member_Account": "troll"}]),
        "ExitMemberList names the banned member"
    );
    assert!(troll.join(&id).await.is_err(), "a banned user cannot rejoin");
    assert!(troll.send_text(&id, "let me in").await.is_err(), "nor speak in the room");
    assert!(!env.sandbox.members(&id).contains(&"troll".to_string()), "so nothing is delivered to them");
    let banned = group.banned().await.unwrap();
    assert_eq!(banned.len(), 1, "the banned list names the banned member");
    assert!(banned[0].banned_until.abs_diff(im::clock::now_secs() + 3_600) <= 5, "BannedUntil = now + Duration");
    group.unban(&ids(&["troll"])).await.unwrap();
    troll.join(&id).await.expect("unbanned, they may rejoin");
    assert!(group.banned().await.unwrap().is_empty(), "unbanning empties the list");
}

#[tokio::test]
async fn ban_batches_are_at_most_20_and_the_banned_list_pages_with_next_offset() {
    let env = Env::start(config()).await;
    let id = env.room("mass-ban").await;
    let many: Vec<String> = (0..25).map(|i| format!("spammer{i:02}")).collect();
    let over = json!({"GroupId": id, "Members_Account": many[..21], "Duration": 60});
    assert_eq!(env.raw("group_open_http_svc/ban_group_member", over).await.unwrap_err(), 10005, "≤ 20 per ban");
    let proxy = Proxy::start(env.sandbox.base_url()).await;
    let group = proxy.im(&env).group(&id);
    group.ban(&many, 60, None).await.expect("the typed client splits the batch");
    assert_eq!(proxy.count("group_open_http_svc/ban_group_member"), 2, "25 accounts are two calls");

    let list = "group_open_http_svc/get_group_ban_member";
    assert_eq!(
        env.raw(list, json!({"GroupId": id, "Limit": 101, "Offset": 0})).await.unwrap_err(),
        10004,
        "Limit ≤ 100"
    );
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = env.raw(list, json!({"GroupId": id, "Limit": 10, "Offset": offset})).await.unwrap();
        let accounts = page["BannedAccountList"].as_array().unwrap();
        assert!(accounts.len() <= 10, "a page holds at most Limit accounts");
        seen.extend(accounts.iter().map(|a| a["Member_Account"].as_str().unwrap().to_string()));
        offset = page["NextOffset"].as_u64().unwrap();
        if offset == 0 {
            break;
        }
    }
    assert_eq!(seen.iter().collect::<BTreeSet<_>>(), many.iter().collect::<BTreeSet<_>>(), "pages cover all 25 once");
    assert_eq!(seen.len(), 25, "no account appears on two pages");
    assert_eq!(group.banned().await.unwrap().len(), 25, "the typed client follows NextOffset");

    let over = json!({"GroupId": id, "Members_Account": many[..21]});
    assert_eq!(env.raw("group_open_http_svc/unban_group_member", over).await.unwrap_err(), 10005, "≤ 20 per unban");
    group.unban(&many).await.unwrap();
    assert_eq!(proxy.count("group_open_http_svc/unban_group_member"), 2, "25 accounts are two unban calls");
    assert!(group.banned().await.unwrap().is_empty(), "the chunked unban released all 25");
}

#[tokio::test]
async fn with_the_ban_switch_off_ban_unban_and_the_list_are_10007() {
    let mut c = config();
    c.switches = Switches::none();
    let env = Env::start(c).await;
    let id = env.room("no-ban").await;
    let group = env.im().group(&id);
    assert_eq!(code(group.ban(&ids(&["x"]), 60, None).await), 10007, "banning needs its console switch");
    assert_eq!(code(group.unban(&ids(&["x"])).await), 10007, "unbanning needs the switch too");
    assert_eq!(code(group.banned().await), 10007, "the banned list needs the switch too");
}

// ---------------------------------------------------------------------------------------------------
// 7. Online count and members (§2.8, §2.9)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_online_count_is_immediate_for_small_native_rooms_and_lags_once_web_users_are_in() {
    let mut c = config();
    c.online_granularity = Duration::from_millis(300);
    let env = Env::start(c).await;
    let id = env.room("count").await;
    let group = env.im().group(&id);
    env.sandbox.viewer("n1").join(&id).await.unwrap();
    assert_eq!(group.online_member_num().await.unwrap(), 1);
    env.sandbox.viewer("n2").join(&id).await.unwrap();
    assert_eq!(group.online_member_num().await.unwrap(), 2, "under 300 members and no Web users: at once");
    env.sandbox.viewer("n1").leave(&id).await.unwrap();
    env.sandbox.viewer("n2").leave(&id).await.unwrap();
    for u in ["a1", "a2"] {
        env.sandbox.web_viewer(u).join(&id).await.unwrap();
    }
    let first = Instant::now();
    assert_eq!(group.online_member_num().await.unwrap(), 2, "two members are online");
    for u in ["a3", "a4", "a5"] {
        env.sandbox.web_viewer(u).join(&id).await.unwrap();
    }
    let held = group.online_member_num().await.unwrap();
    assert!(first.elapsed() < Duration::from_millis(300), "the second read is inside the window");
    assert_eq!(held, 2, "the count keeps its value for the granularity window");
    tokio::time::sleep_until((first + Duration::from_millis(350)).into()).await;
    assert_eq!(group.online_member_num().await.unwrap(), 5, "after the window it is refreshed");
    let public = env.raw(CREATE, json!({"Type": "Public", "Name": "p"})).await.unwrap();
    let got = env.raw("group_open_http_svc/get_online_member_num", json!({"GroupId": public["GroupId"]})).await;
    assert_eq!(got.unwrap_err(), 10007, "AVChatRoom only (2023 docs)");
}

#[tokio::test]
async fn get_members_shows_only_the_latest_30_without_the_switch() {
    let mut c = config();
    c.switches = Switches::none();
    let env = Env::start(c).await;
    let id = env.room("members-30").await;
    let users: Vec<String> = (0..40).map(|i| format!("viewer{i:02}")).collect();
    for u in &users {
        env.sandbox.viewer(u.clone()).join(&id).await.unwrap();
    }
    let page = env.im().group(&id).members_page(0).await.unwrap();
    let got: Vec<&str> = page.member_list.iter().map(|m| m.member_account.as_str()).collect();
    let latest: Vec<&str> = users.iter().rev().take(30).map(String::as_str).collect();
    assert_eq!(got, latest, "the 30 most recent members, latest first");
    assert_eq!(page.next_timestamp, 0, "and no more pages");
}

#[tokio::test]
async fn get_members_pages_latest_first_past_250_and_stops_at_1000() {
    let env = Env::start(config()).await;
    let id = env.room("members-many").await;
    let users: Vec<String> = (0..1005).map(|i| format!("viewer{i:04}")).collect();
    for u in &users[..260] {
        env.sandbox.viewer(u.clone()).join(&id).await.unwrap();
    }
    let group = env.im().group(&id);
    let first = group.members_page(0).await.unwrap();
    assert_eq!(first.member_list.len(), 250, "a page holds 250");
    assert_ne!(first.next_timestamp, 0, "NextTimestamp points at the next page");
    let second = group.members_page(first.next_timestamp).await.unwrap();
    assert_eq!(second.member_list.len(), 10, "the other 10 are on the second page");
    assert_eq!(second.next_timestamp, 0, "NextTimestamp 0 ends the list");
    let got: Vec<String> =
        first.member_list.iter().chain(&second.member_list).map(|m| m.member_account.clone()).collect();
    let latest_first: Vec<String> = users[..260].iter().rev().cloned().collect();
    assert_eq!(got, latest_first, "every member exactly once, latest first, even when joins share a millisecond");
    let join_times: Vec<u64> = first.member_list.iter().map(|m| m.join_time).collect();
    assert!(join_times.windows(2).all(|w| w[0] >= w[1]), "JoinTime never grows down the list");
    assert!(join_times.iter().all(|t| im::clock::now_secs().abs_diff(*t) < 60), "JoinTime is unix seconds");

    for u in &users[260..] {
        env.sandbox.viewer(u.clone()).join(&id).await.unwrap();
    }
    let all = group.members().await.unwrap();
    assert_eq!(all.len(), 1000, "at most the latest 1,000 members are listed");
    assert_eq!(all[0].member_account, users[1004], "the latest first");
    assert_eq!(all[999].member_account, users[5], "the five earliest fell off");
}

// ---------------------------------------------------------------------------------------------------
// 8. Broadcast (§2.11)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn broadcast_needs_its_switch() {
    let mut c = config();
    c.switches = Switches::none();
    let env = Env::start(c).await;
    env.room("r").await;
    assert_eq!(code(env.im().broadcast(text("hello all"), None).await), 10007, "broadcast needs its console switch");
}

#[tokio::test]
async fn a_broadcast_reaches_every_avchatroom_and_a_second_within_a_second_is_10023() {
    let env = Env::start(config()).await;
    let (a, b) = (env.room("a").await, env.room("b").await);
    let public = env.raw(CREATE, json!({"Type": "Public", "Name": "p"})).await.unwrap()["GroupId"].clone();
    let deliveries = env.record();
    let body = json!({"Random": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "to everyone"}}]});
    let sent = env.raw("group_open_http_svc/send_broadcast_msg", body.clone()).await.expect("the switch is on");
    assert!(sent["MsgSeq"].as_u64().is_some(), "the answer carries MsgSeq");
    let again = env.raw("group_open_http_svc/send_broadcast_msg", body).await;
    assert_eq!(again.unwrap_err(), 10023, "1 call a second: the second within a second is 10023");
    deliveries.wait_for(&a, 1).await;
    deliveries.wait_for(&b, 1).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(deliveries.texts(&a), ["to everyone"], "the first AVChatRoom receives it once");
    assert_eq!(deliveries.texts(&b), ["to everyone"], "and so does the second");
    assert!(deliveries.in_group(public.as_str().unwrap()).is_empty(), "only AVChatRooms receive it");
}

#[tokio::test]
async fn the_typed_client_paces_broadcasts_so_two_in_a_row_both_succeed() {
    let env = Env::start(config()).await;
    let a = env.room("a").await;
    let deliveries = env.record();
    let im = env.im();
    let ((first, second), took) =
        timed(async { (im.broadcast(text("one"), None).await, im.broadcast(text("two"), None).await) }).await;
    first.expect("the first broadcast goes out");
    second.expect("the second waits for the 1/s bucket instead of failing with 10023");
    assert!(took >= Duration::from_millis(900), "the client waited about a second between them: {took:?}");
    deliveries.wait_for(&a, 2).await;
    assert_eq!(deliveries.texts(&a), ["one", "two"], "both broadcasts arrive, in order");
}

// ---------------------------------------------------------------------------------------------------
// 9. Accounts (§2.13)
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn account_import_refuses_an_invalid_id_with_70402() {
    let env = Env::start(config()).await;
    let import = "im_open_login_svc/account_import";
    for bad in ["has space", "emoji😀", "", "a".repeat(33).as_str()] {
        assert_eq!(env.raw(import, json!({"UserID": bad})).await.unwrap_err(), 70402, "{bad:?} is not a UserID");
    }
    env.raw(import, json!({"UserID": "good_user-1", "Nick": "Good"})).await.expect("a valid UserID imports");
    env.raw(import, json!({"UserID": "good_user-1"})).await.expect("importing twice is idempotent");
    let typed = env.im().account_import(&AccountImport { user_id: "bad id".into(), nick: None, face_url: None }).await;
    assert!(matches!(typed, Err(im::Error::Invalid(_))), "the typed client refuses it itself: {typed:?}");
}

#[tokio::test]
async fn multiaccount_import_chunks_by_100_and_returns_the_invalid_ones() {
    let env = Env::start(config()).await;
    let mut accounts: Vec<String> = (0..145).map(|i| format!("fan{i:03}")).collect();
    let invalid = ids(&["bad one", "bad/two", "", "x".repeat(33).as_str(), "坏"]);
    for (k, bad) in invalid.iter().enumerate() {
        accounts.insert(k * 30 + 7, bad.clone());
    }
    assert_eq!(accounts.len(), 150, "145 valid and 5 invalid IDs");
    let got = env.raw("im_open_login_svc/multiaccount_import", json!({"Accounts": accounts})).await;
    assert_eq!(got.unwrap_err(), 70402, "at most 100 accounts per call");
    let proxy = Proxy::start(env.sandbox.base_url()).await;
    let failed = proxy.im(&env).multiaccount_import(&accounts).await.unwrap();
    assert_eq!(proxy.count("im_open_login_svc/multiaccount_import"), 2, "150 accounts are 100 + 50");
    assert_eq!(failed.iter().collect::<BTreeSet<_>>(), invalid.iter().collect::<BTreeSet<_>>(), "FailAccounts");
    let checked = env.im().account_check(&accounts[..3]).await.unwrap();
    assert!(checked.iter().all(|(_, r)| matches!(r, Ok(true))), "the valid ones were imported");
}

#[tokio::test]
async fn account_check_reports_each_account_on_its_own() {
    let env = Env::start(config()).await;
    env.im().account_import(&AccountImport { user_id: "known".into(), nick: None, face_url: None }).await.unwrap();
    let answer = env
        .raw("im_open_login_svc/account_check", json!({"CheckItem": [{"UserID": "known"}, {"UserID": "stranger"}]}))
        .await
        .unwrap();
    let items = answer["ResultItem"].as_array().unwrap();
    assert_has(&items[0], &["UserID", "ResultCode", "ResultInfo", "AccountStatus"], "a ResultItem");
    assert_eq!(
        (items[0]["UserID"].as_str(), items[0]["AccountStatus"].as_str()),
        (Some("known"), Some("Imported")),
        "an imported account"
    );
    assert_eq!(
        (items[1]["UserID"].as_str(), items[1]["AccountStatus"].as_str()),
        (Some("stranger"), Some("NotImported")),
        "an account never imported"
    );
    let typed = env.im().account_check(&ids(&["known", "stranger", "bad id"])).await.unwrap();
    assert!(matches!(typed[0], (ref u, Ok(true)) if u == "known"), "the typed client: imported");
    assert!(matches!(typed[1], (ref u, Ok(false)) if u == "stranger"), "the typed client: not imported");
    assert_eq!(typed[2].1.as_ref().unwrap_err().code(), Some(70402), "an invalid ID fails on its own item");
}

// ---------------------------------------------------------------------------------------------------
// 10. Retries under injected faults, without duplicates (§1.4, §2.5 Random, §3)
// ---------------------------------------------------------------------------------------------------

/// Sends 30 distinct texts through a client with 10 attempts and a 500 ms timeout while `kind` hits 30%
/// of `send_group_msg` requests: every send must succeed and the room must see each text exactly once.
async fn every_send_succeeds_once_under(kind: FaultKind) {
    let env = Env::start(config()).await;
    let id = env.room("faults").await;
    let deliveries = env.record();
    let im = env.im_with(|b| b.attempts(10).timeout(Duration::from_millis(500)));
    let group = im.group(&id);
    let late = match &kind {
        FaultKind::Latency(d) => *d,
        _ => Duration::ZERO,
    };
    env.sandbox.set_faults(Some(Faults { kind: kind.clone(), rate: 0.3, command: Some("send_group_msg".into()) }));
    let (_, took) = timed(async {
        for i in 0..30 {
            let sent = group.send(text(format!("fault #{i}")), MsgPriority::Normal, None).await;
            sent.unwrap_or_else(|e| panic!("{kind:?}: send #{i} must succeed after retries: {e}"));
        }
    })
    .await;
    env.sandbox.set_faults(None);
    assert!(took >= Duration::from_millis(300), "{kind:?}: faults were injected and retried (took {took:?})");
    deliveries.wait_for(&id, 30).await;
    // An attempt the client gave up on may still finish late; give it the time to show up as a duplicate.
    tokio::time::sleep(late + Duration::from_millis(200)).await;
    let texts = deliveries.texts(&id);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in &texts {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    for i in 0..30 {
        let t = format!("fault #{i}");
        assert_eq!(counts.get(t.as_str()), Some(&1), "{kind:?}: {t:?} is delivered exactly once: {texts:?}");
    }
    assert_eq!(texts.len(), 30, "{kind:?}: nothing else was delivered");
}

#[tokio::test]
async fn sends_survive_injected_60008_and_each_is_delivered_once() {
    every_send_succeeds_once_under(FaultKind::Code(60008)).await;
}

#[tokio::test]
async fn sends_survive_injected_http_502_and_each_is_delivered_once() {
    every_send_succeeds_once_under(FaultKind::Http(502)).await;
}

#[tokio::test]
async fn sends_survive_dropped_connections_and_each_is_delivered_once() {
    every_send_succeeds_once_under(FaultKind::DropConnection).await;
}

#[tokio::test]
async fn sends_survive_lost_answers_and_random_reuse_keeps_each_delivered_once() {
    every_send_succeeds_once_under(FaultKind::LoseResponse).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_survive_answers_slower_than_the_client_timeout_and_each_is_delivered_once() {
    every_send_succeeds_once_under(FaultKind::Latency(Duration::from_millis(700))).await;
}

#[tokio::test]
async fn a_non_retryable_injected_code_fails_at_once() {
    let env = Env::start(config()).await;
    let id = env.room("no-retry").await;
    let proxy = Proxy::start(env.sandbox.base_url()).await;
    let group = env.im_with(|b| b.base_url(proxy.url()).attempts(10)).group(&id);
    env.sandbox.set_faults(Some(Faults {
        kind: FaultKind::Code(10004),
        rate: 1.0,
        command: Some("send_group_msg".into()),
    }));
    let (sent, took) = timed(group.send(text("invalid"), MsgPriority::Normal, None)).await;
    assert_eq!(code(sent), 10004, "the injected code reaches the caller");
    assert_eq!(proxy.count(SEND), 1, "an invalid-parameter error is not retried");
    assert!(took < Duration::from_millis(100), "no backoff either: {took:?}");
}

#[tokio::test]
async fn an_expired_usersig_is_renewed_and_tried_exactly_once_more() {
    let env = Env::start(config()).await;
    let id = env.room("renew").await;
    let proxy = Proxy::start(env.sandbox.base_url()).await;
    let group = env.im_with(|b| b.base_url(proxy.url()).attempts(10)).group(&id);
    let path = "group_open_http_svc/get_online_member_num";
    env.sandbox.set_faults(Some(Faults {
        kind: FaultKind::Code(70001),
        rate: 1.0,
        command: Some("get_online_member_num".into()),
    }));
    let (got, took) = tokio::time::timeout(PATIENCE, timed(group.online_member_num())).await.expect("it does not hang");
    assert_eq!(code(got), 70001, "a UserSig Tencent keeps calling expired is reported");
    assert_eq!(proxy.count(path), 2, "after one renewal and one more try, not more");
    assert!(took < Duration::from_secs(1), "{took:?}");
    env.sandbox.set_faults(None);
    assert_eq!(group.online_member_num().await.unwrap(), 0, "the client is still usable afterwards");
}
