//! The REST v4 surface: `POST /v4/{service}/{command}?sdkappid=&identifier=&usersig=&random=&contenttype=json`.
//!
//! Checks run in Tencent's order — SDKAppID, UserSig (expired 70001, bad signature 70009, identifier
//! mismatch 70013, app mismatch 70014), admin caller (60010), body — and every answer is HTTP 200 with
//! Tencent's envelope `{ActionStatus, ErrorCode, ErrorInfo, ...}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::post;
use axum::{Json, Router};
use im::api::{self, limits, AccountImport, CreateGroup, ForbidSendMsg, ModifyGroupBaseInfo, SendGroupMsg};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::world::{self, now_secs, Delivered, Group, Outgoing};
use crate::Shared;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v4/{service}/{command}", post(handle))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), crate::faults::inject))
        .with_state(shared)
}

type Answer = Result<Value, (i64, String)>;

fn ok(mut v: Value) -> Value {
    if !v.is_object() {
        v = json!({});
    }
    let o = v.as_object_mut().expect("made an object above");
    o.insert("ActionStatus".into(), json!("OK"));
    o.insert("ErrorCode".into(), json!(0));
    o.insert("ErrorInfo".into(), json!(""));
    v
}

fn fail(code: i64, info: impl Into<String>) -> Value {
    json!({"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info.into()})
}

fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, (i64, String)> {
    serde_json::from_value(body.clone()).map_err(|e| (10004, format!("invalid parameter: {e}")))
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((service, command)): Path<(String, String)>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Json<Value> {
    let Ok(Query(q)) = query else {
        return Json(fail(60002, "HTTP parse error: the URL query is malformed"));
    };
    let config = &shared.config;
    match q.get("sdkappid").map(|s| s.parse::<u64>()) {
        Some(Ok(id)) if id == config.sdkappid => {}
        Some(Ok(_)) => return Json(fail(70020, "SDKAppID not found")),
        _ => return Json(fail(60002, "HTTP parse error: sdkappid is missing or not a number")),
    }
    let Some(identifier) = q.get("identifier").filter(|s| !s.is_empty()) else {
        return Json(fail(60005, "the identifier in the URL is missing"));
    };
    let usersig = q.get("usersig").map(String::as_str).unwrap_or_default();
    if let Err(e) =
        im::usersig::verify(usersig, config.sdkappid, config.secret_key.expose(), identifier, now_secs(), None)
    {
        return Json(fail(e.tencent_code(), e.to_string()));
    }
    if identifier != &config.admin {
        return Json(fail(60010, "this request requires an App administrator"));
    }
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Json(fail(60003, "the request body is not a JSON object")),
    };
    let answer = match (service.as_str(), command.as_str()) {
        ("group_open_http_svc", "create_group") => create_group(&shared, &body),
        ("group_open_http_svc", "get_group_info") => get_group_info(&shared, &body),
        ("group_open_http_svc", "modify_group_base_info") => modify_group(&shared, &body).await,
        ("group_open_http_svc", "destroy_group") => destroy_group(&shared, &body),
        ("group_open_http_svc", "send_group_msg") => send_group_msg(&shared, &body).await,
        ("group_open_http_svc", "send_group_system_notification") => system_notification(&shared, &body),
        ("group_open_http_svc", "forbid_send_msg") => forbid_send_msg(&shared, &body),
        ("group_open_http_svc", "get_group_muted_account") => muted_accounts(&shared, &body),
        ("group_open_http_svc", "get_online_member_num") => online_member_num(&shared, &body),
        ("group_open_http_svc", "group_msg_get_simple") => history(&shared, &body),
        ("group_open_http_svc", "get_appid_group_list") => group_list(&shared, &body),
        ("group_open_http_svc", "ban_group_member") => ban(&shared, &body),
        ("group_open_http_svc", "unban_group_member") => unban(&shared, &body),
        ("group_open_http_svc", "get_group_ban_member") => banned(&shared, &body),
        ("group_open_http_svc", "send_broadcast_msg") => broadcast(&shared, &body),
        ("group_open_avchatroom_http_svc", "get_members") => members(&shared, &body),
        ("im_open_login_svc", "account_import") => account_import(&shared, &body),
        ("im_open_login_svc", "multiaccount_import") => multiaccount_import(&shared, &body),
        ("im_open_login_svc", "account_check") => account_check(&shared, &body),
        _ => Err((10003, format!("invalid command word: {service}/{command}"))),
    };
    Json(match answer {
        Ok(v) => ok(v),
        Err((code, info)) => fail(code, info),
    })
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, world::World> {
    shared.world.lock().unwrap_or_else(|p| p.into_inner())
}

fn check_bytes(field: &str, value: &str, max: usize) -> Result<(), (i64, String)> {
    if value.len() > max {
        return Err((10004, format!("{field} is {} bytes, over the limit of {max}", value.len())));
    }
    Ok(())
}

fn check_app_defined(shared: &Shared, data: &[api::AppDefinedData]) -> Result<(), (i64, String)> {
    for d in data {
        if !shared.config.app_defined_keys.iter().any(|k| k == &d.key) {
            return Err((10004, format!("the group custom field {:?} is not configured in the console", d.key)));
        }
        check_bytes(&format!("custom field {}", d.key), &d.value, limits::APP_DEFINED_VALUE_BYTES)?;
    }
    Ok(())
}

fn group_id_of(body: &Value) -> Result<String, (i64, String)> {
    body.get("GroupId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or((10004, "GroupId is required".into()))
}

/// 10015 for an ID that cannot be a group ID, 10010 for one that does not exist.
fn missing_group(id: &str) -> (i64, String) {
    if id.len() > limits::GROUP_ID_BYTES || !id.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        (10015, format!("invalid group ID {id:?}"))
    } else {
        (10010, format!("group {id} does not exist or has been disbanded"))
    }
}

const GROUP_TYPES: &[&str] = &["Private", "Work", "Public", "ChatRoom", "Meeting", "AVChatRoom", "Community"];

fn create_group(shared: &Shared, body: &Value) -> Answer {
    let req: CreateGroup = parse(body)?;
    if !GROUP_TYPES.contains(&req.group_type.as_str()) {
        return Err((10004, format!("invalid group Type {:?}", req.group_type)));
    }
    if req.group_type == "AVChatRoom" && req.member_list.is_some() {
        return Err((10007, "MemberList is not allowed for AVChatRoom".into()));
    }
    if req.name.is_empty() {
        return Err((10004, "Name is required".into()));
    }
    check_bytes("Name", &req.name, limits::NAME_BYTES)?;
    check_bytes("Introduction", req.introduction.as_deref().unwrap_or(""), limits::INTRODUCTION_BYTES)?;
    check_bytes("Notification", req.notification.as_deref().unwrap_or(""), limits::NOTIFICATION_BYTES)?;
    check_bytes("FaceUrl", req.face_url.as_deref().unwrap_or(""), limits::FACE_URL_BYTES)?;
    check_app_defined(shared, &req.app_defined_data)?;
    let mut w = lock(shared);
    let id = match &req.group_id {
        Some(id) => {
            im::client::validate_group_id(id).map_err(|e| (10004, e.to_string()))?;
            if w.groups.contains_key(id) {
                return Err((10025, format!("group ID {id} is already used by you")));
            }
            id.clone()
        }
        None => w.new_group_id(),
    };
    let group = Group {
        id: id.clone(),
        group_type: req.group_type,
        name: req.name,
        introduction: req.introduction.unwrap_or_default(),
        notification: req.notification.unwrap_or_default(),
        face_url: req.face_url.unwrap_or_default(),
        owner: req.owner_account.unwrap_or_default(),
        create_time: now_secs(),
        apply_join_option: req.apply_join_option.unwrap_or_else(|| "NeedPermission".into()),
        mute_all: false,
        app_defined: req.app_defined_data.into_iter().map(|d| (d.key, d.value)).collect(),
        mutes: Default::default(),
        next_seq: 0,
        bans: Default::default(),
        window: Default::default(),
        members: Default::default(),
        online_cache: None,
        web_members: Default::default(),
        recent: Default::default(),
    };
    w.groups.insert(id.clone(), group);
    w.save();
    Ok(json!({"GroupId": id}))
}

fn get_group_info(shared: &Shared, body: &Value) -> Answer {
    let ids: Vec<String> = body
        .get("GroupIdList")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .ok_or((10004, "GroupIdList is required".to_string()))?;
    if ids.len() > 50 {
        return Err((10004, "at most 50 groups per request".into()));
    }
    let w = lock(shared);
    let infos: Vec<Value> = ids
        .iter()
        .map(|id| match w.groups.get(id) {
            Some(g) => json!({
                "GroupId": g.id, "ErrorCode": 0, "ErrorInfo": "", "Type": g.group_type, "Name": g.name,
                "Appid": shared.config.sdkappid, "Introduction": g.introduction, "Notification": g.notification,
                "FaceUrl": g.face_url, "Owner_Account": g.owner, "CreateTime": g.create_time,
                "LastInfoTime": g.create_time, "LastMsgTime": 0, "NextMsgSeq": g.next_seq + 1,
                "MemberNum": g.members.len(), "MaxMemberNum": 0, "ApplyJoinOption": g.apply_join_option,
                "MuteAllMember": if g.mute_all { "On" } else { "Off" },
                "AppDefinedData": g.app_defined.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
                "MemberList": [],
            }),
            None => {
                let (code, info) = missing_group(id);
                json!({"GroupId": id, "ErrorCode": code, "ErrorInfo": info})
            }
        })
        .collect();
    Ok(json!({"GroupInfo": infos}))
}

async fn modify_group(shared: &Arc<Shared>, body: &Value) -> Answer {
    let req: ModifyGroupBaseInfo = parse(body)?;
    check_bytes("Name", req.name.as_deref().unwrap_or(""), limits::NAME_BYTES)?;
    check_bytes("Introduction", req.introduction.as_deref().unwrap_or(""), limits::INTRODUCTION_BYTES)?;
    check_bytes("Notification", req.notification.as_deref().unwrap_or(""), limits::NOTIFICATION_BYTES)?;
    check_bytes("FaceUrl", req.face_url.as_deref().unwrap_or(""), limits::FACE_URL_BYTES)?;
    check_app_defined(shared, &req.app_defined_data)?;
    let mute_all = match req.mute_all_member.as_deref() {
        None => None,
        Some("On") => Some(true),
        Some("Off") => Some(false),
        Some(other) => return Err((10004, format!("MuteAllMember must be On or Off, not {other:?}"))),
    };
    let changed = {
        let mut w = lock(shared);
        let g = w.groups.get_mut(&req.group_id).ok_or_else(|| missing_group(&req.group_id))?;
        if let Some(v) = &req.name {
            g.name = v.clone();
        }
        if let Some(v) = &req.introduction {
            g.introduction = v.clone();
        }
        if let Some(v) = &req.notification {
            g.notification = v.clone();
        }
        if let Some(v) = &req.face_url {
            g.face_url = v.clone();
        }
        if let Some(m) = mute_all {
            g.mute_all = m;
        }
        for d in &req.app_defined_data {
            if d.value.is_empty() {
                g.app_defined.remove(&d.key);
            } else {
                g.app_defined.insert(d.key.clone(), d.value.clone());
            }
        }
        let group_type = g.group_type.clone();
        w.save();
        let profile_changed =
            req.name.is_some() || req.introduction.is_some() || req.notification.is_some() || req.face_url.is_some();
        profile_changed.then_some(group_type)
    };
    // Only Name, Introduction, Notification and FaceUrl changes trigger the callback.
    if let Some(group_type) = changed {
        let cb = im::callback::Callback::AfterGroupInfoChanged(im::callback::AfterGroupInfoChanged {
            group_id: req.group_id.clone(),
            group_type,
            operator_account: shared.config.admin.clone(),
            name: req.name,
            introduction: req.introduction,
            notification: req.notification,
            face_url: req.face_url,
            event_time: now_secs() * 1000,
        });
        let target = shared.callback.read().unwrap_or_else(|p| p.into_inner()).clone();
        shared.callbacks.after(target, shared.config.sdkappid, cb, "RESTAPI");
    }
    Ok(json!({}))
}

fn destroy_group(shared: &Shared, body: &Value) -> Answer {
    let id = group_id_of(body)?;
    let mut w = lock(shared);
    w.groups.remove(&id).ok_or_else(|| missing_group(&id))?;
    w.save();
    Ok(json!({}))
}

async fn send_group_msg(shared: &Arc<Shared>, body: &Value) -> Answer {
    let req: SendGroupMsg = parse(body)?;
    if req.msg_body.is_empty() {
        return Err((10004, "MsgBody is empty".into()));
    }
    if req.msg_body.iter().filter(|e| matches!(e, im::MsgElement::Custom(_))).count() > 1 {
        return Err((10004, "a message may contain only one TIMCustomElem".into()));
    }
    let size = serde_json::to_vec(&req.msg_body).map(|v| v.len()).unwrap_or(0);
    if size > limits::MESSAGE_BYTES {
        return Err((80002, format!("the message is {size} bytes, over 12 KB")));
    }
    let from = req.from_account.clone().unwrap_or_else(|| shared.config.admin.clone());
    let msg = Outgoing {
        group_id: req.group_id.clone(),
        from_admin: from == shared.config.admin,
        // The admin makes the call, whoever the message is from (§4.3's example: jared, sent by admin).
        operator: shared.config.admin.clone(),
        from,
        body: req.msg_body,
        priority: req.msg_priority.unwrap_or_default(),
        random: req.random,
        forbid_before: req.forbid_callback_control.iter().any(|c| c == "ForbidBeforeSendMsgCallback"),
        forbid_after: req.forbid_callback_control.iter().any(|c| c == "ForbidAfterSendMsgCallback"),
        platform: "RESTAPI",
        require_member: false,
    };
    if !lock(shared).groups.contains_key(&req.group_id) {
        return Err(missing_group(&req.group_id));
    }
    match world::send_message(shared, msg).await {
        Ok(o) if o.dropped => Ok(json!({"MsgTime": o.time, "MsgSeq": o.seq, "MsgDropReason": "MsgFreqCtrl"})),
        Ok(o) => Ok(json!({"MsgTime": o.time, "MsgSeq": o.seq, "MsgDropReason": ""})),
        Err(e) => Err((e.code, e.info)),
    }
}

fn system_notification(shared: &Shared, body: &Value) -> Answer {
    let id = group_id_of(body)?;
    let content = body.get("Content").and_then(Value::as_str).ok_or((10004, "Content is required".to_string()))?;
    let w = lock(shared);
    let g = w.groups.get(&id).ok_or_else(|| missing_group(&id))?;
    let targeted = body.get("ToMembers_Account").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if targeted && g.group_type == "AVChatRoom" {
        return Err((10004, "AVChatRoom system notifications go to all members; omit ToMembers_Account".into()));
    }
    let _ = shared.deliveries.send(Delivered {
        group_id: id,
        from: shared.config.admin.clone(),
        body: vec![im::MsgElement::text(content)],
        priority: im::MsgPriority::High,
        seq: 0,
        system: true,
    });
    Ok(json!({}))
}

fn forbid_send_msg(shared: &Shared, body: &Value) -> Answer {
    let req: ForbidSendMsg = parse(body)?;
    if req.members_account.is_empty() {
        return Err((10004, "Members_Account is empty".into()));
    }
    if req.members_account.len() > limits::MUTE_BATCH {
        return Err((10005, format!("at most {} accounts per call", limits::MUTE_BATCH)));
    }
    let mut w = lock(shared);
    let g = w.groups.get_mut(&req.group_id).ok_or_else(|| missing_group(&req.group_id))?;
    if matches!(g.group_type.as_str(), "Private" | "Work") {
        return Err((10007, "muting is not supported for Work groups".into()));
    }
    let now = now_secs();
    for user in req.members_account {
        if req.shut_up_time == 0 {
            g.mutes.remove(&user);
        } else {
            g.mutes.insert(user, now + u64::from(req.shut_up_time));
        }
    }
    w.save();
    Ok(json!({}))
}

fn muted_accounts(shared: &Shared, body: &Value) -> Answer {
    let id = group_id_of(body)?;
    let w = lock(shared);
    let g = w.groups.get(&id).ok_or_else(|| missing_group(&id))?;
    let now = now_secs();
    let list: Vec<Value> = g
        .mutes
        .iter()
        .filter(|(_, until)| **until > now)
        .map(|(user, until)| json!({"Member_Account": user, "MutedUntil": until}))
        .collect();
    Ok(json!({"GroupId": id, "MutedAccountList": list}))
}

fn online_member_num(shared: &Shared, body: &Value) -> Answer {
    let id = group_id_of(body)?;
    let mut w = lock(shared);
    let g = w.groups.get(&id).ok_or_else(|| missing_group(&id))?;
    if g.group_type != "AVChatRoom" {
        return Err((10007, "get_online_member_num is for AVChatRoom groups".into()));
    }
    let n = w.online_count(&id).unwrap_or(0);
    Ok(json!({"OnlineMemberNum": n}))
}

fn history(shared: &Shared, body: &Value) -> Answer {
    let id = group_id_of(body)?;
    let w = lock(shared);
    let g = w.groups.get(&id).ok_or_else(|| missing_group(&id))?;
    if g.group_type == "AVChatRoom" {
        return Err((10044, "this group type (AVChatRoom) does not support getting roaming messages".into()));
    }
    Ok(json!({"GroupId": id, "IsFinished": 1, "RspMsgList": []}))
}

fn valid_user_id(id: &str) -> bool {
    im::client::validate_user_id(id).is_ok()
}

fn account_import(shared: &Shared, body: &Value) -> Answer {
    let req: AccountImport = parse(body).map_err(|(_, info)| (70402, info))?;
    if !valid_user_id(&req.user_id) {
        return Err((70402, format!("invalid UserID {:?}: up to 32 letters, digits, _ or -", req.user_id)));
    }
    let mut w = lock(shared);
    w.accounts.insert(req.user_id);
    w.save();
    Ok(json!({}))
}

fn group_list(shared: &Shared, body: &Value) -> Answer {
    let limit = body.get("Limit").and_then(Value::as_u64).unwrap_or(10_000).clamp(1, 10_000) as usize;
    let next = body.get("Next").and_then(Value::as_u64).unwrap_or(0) as usize;
    let wanted = body.get("GroupType").and_then(Value::as_str);
    if let Some(t) = wanted {
        if !GROUP_TYPES.contains(&t) {
            return Err((10004, format!("invalid GroupType {t:?}")));
        }
    }
    let w = lock(shared);
    let mut groups: Vec<&Group> = w.groups.values().filter(|g| wanted.is_none_or(|t| g.group_type == t)).collect();
    groups.sort_by_key(|g| (g.create_time, g.id.clone()));
    let page: Vec<Value> = groups.iter().skip(next).take(limit).map(|g| json!({"GroupId": g.id})).collect();
    let after = next + page.len();
    Ok(json!({
        "TotalCount": groups.len(),
        "GroupIdList": page,
        "Next": if after < groups.len() { after } else { 0 },
    }))
}

fn multiaccount_import(shared: &Shared, body: &Value) -> Answer {
    let req: im::api::MultiAccountImport = parse(body).map_err(|(_, info)| (70402, info))?;
    if req.accounts.is_empty() || req.accounts.len() > limits::ACCOUNT_BATCH {
        return Err((70402, format!("Accounts must hold 1 to {} user IDs", limits::ACCOUNT_BATCH)));
    }
    let mut w = lock(shared);
    let mut failed = Vec::new();
    for id in req.accounts {
        if valid_user_id(&id) {
            w.accounts.insert(id);
        } else {
            failed.push(id);
        }
    }
    w.save();
    Ok(json!({"FailAccounts": failed}))
}

fn account_check(shared: &Shared, body: &Value) -> Answer {
    let req: im::api::AccountCheck = parse(body).map_err(|(_, info)| (70402, info))?;
    if req.check_item.is_empty() || req.check_item.len() > limits::ACCOUNT_BATCH {
        return Err((70402, format!("CheckItem must hold 1 to {} items", limits::ACCOUNT_BATCH)));
    }
    let w = lock(shared);
    let items: Vec<Value> = req
        .check_item
        .iter()
        .map(|c| {
            if !valid_user_id(&c.user_id) {
                json!({"UserID": c.user_id, "ResultCode": 70402, "ResultInfo": "invalid UserID", "AccountStatus": ""})
            } else {
                let status = if w.accounts.contains(&c.user_id) { "Imported" } else { "NotImported" };
                json!({"UserID": c.user_id, "ResultCode": 0, "ResultInfo": "", "AccountStatus": status})
            }
        })
        .collect();
    Ok(json!({"ResultItem": items}))
}

fn require_switch(on: bool, what: &str) -> Result<(), (i64, String)> {
    if on {
        Ok(())
    } else {
        Err((10007, format!("{what} needs a higher edition and its console switch, which are off")))
    }
}

fn ban(shared: &Shared, body: &Value) -> Answer {
    require_switch(shared.config.switches.ban, "group member banning")?;
    let req: im::api::BanGroupMember = parse(body)?;
    if req.members_account.is_empty() {
        return Err((10004, "Members_Account is empty".into()));
    }
    if req.members_account.len() > limits::BAN_BATCH {
        return Err((10005, format!("at most {} accounts per ban", limits::BAN_BATCH)));
    }
    check_bytes("Description", req.description.as_deref().unwrap_or(""), limits::BAN_DESCRIPTION_BYTES)?;
    if req.duration == 0 {
        return Err((10004, "Duration must be at least 1 second".into()));
    }
    let until = now_secs() + u64::from(req.duration);
    let present: Vec<String> = {
        let mut w = lock(shared);
        let g = w.groups.get_mut(&req.group_id).ok_or_else(|| missing_group(&req.group_id))?;
        for user in &req.members_account {
            g.bans.insert(user.clone(), until);
        }
        let present = req.members_account.iter().filter(|u| g.members.contains_key(*u)).cloned().collect();
        w.save();
        present
    };
    // Banned members are removed at once: they neither receive messages nor stay in the room.
    for user in present {
        let _ = world::remove_member(shared, &req.group_id, &user, "Kicked", &shared.config.admin, "RESTAPI");
    }
    Ok(json!({}))
}

fn unban(shared: &Shared, body: &Value) -> Answer {
    require_switch(shared.config.switches.ban, "group member banning")?;
    let req: im::api::UnbanGroupMember = parse(body)?;
    if req.members_account.is_empty() || req.members_account.len() > limits::BAN_BATCH {
        return Err((10005, format!("Members_Account must hold 1 to {} accounts", limits::BAN_BATCH)));
    }
    let mut w = lock(shared);
    let g = w.groups.get_mut(&req.group_id).ok_or_else(|| missing_group(&req.group_id))?;
    for user in &req.members_account {
        g.bans.remove(user);
    }
    w.save();
    Ok(json!({}))
}

fn banned(shared: &Shared, body: &Value) -> Answer {
    require_switch(shared.config.switches.ban, "group member banning")?;
    let req: im::api::GetGroupBanMember = parse(body)?;
    if req.limit == 0 || req.limit > limits::BAN_PAGE {
        return Err((10004, format!("Limit must be 1 to {}", limits::BAN_PAGE)));
    }
    let w = lock(shared);
    let g = w.groups.get(&req.group_id).ok_or_else(|| missing_group(&req.group_id))?;
    let now = now_secs();
    let all: Vec<(&String, &u64)> = g.bans.iter().filter(|(_, until)| **until > now).collect();
    let start = req.offset as usize;
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(req.limit as usize)
        .map(|(user, until)| json!({"Member_Account": user, "BannedUntil": until}))
        .collect();
    let end = start + page.len();
    Ok(json!({"BannedAccountList": page, "NextOffset": if end < all.len() { end } else { 0 }}))
}

/// The online list of an AVChatRoom: the latest joiners first, 30 of them (1,000 with the console
/// switch), 250 a page. `Timestamp`/`NextTimestamp` carry the join time (unix µs, unique in the group)
/// of the last member of the previous page; the next page holds those who joined before it.
fn members(shared: &Shared, body: &Value) -> Answer {
    let req: im::api::GetMembers = parse(body)?;
    let w = lock(shared);
    let g = w.groups.get(&req.group_id).ok_or_else(|| missing_group(&req.group_id))?;
    if g.group_type != "AVChatRoom" {
        return Err((10007, "get_members is for AVChatRoom groups".into()));
    }
    const PAGE: usize = 250;
    let visible = if shared.config.switches.member_list { 1000 } else { 30 };
    let mut latest: Vec<(&String, &u64)> = g.members.iter().collect();
    latest.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    latest.truncate(visible);
    let rest: Vec<_> = latest.into_iter().filter(|(_, at)| req.timestamp == 0 || **at < req.timestamp).collect();
    let page: Vec<_> = rest.iter().take(PAGE).collect();
    let next = if rest.len() > PAGE { page.last().map(|(_, at)| **at).unwrap_or(0) } else { 0 };
    let list: Vec<Value> = page
        .iter()
        .map(|(user, at)| json!({"Member_Account": user, "JoinTime": **at / 1_000_000, "NickName": "", "Avatar": ""}))
        .collect();
    Ok(json!({"MemberList": list, "NextTimestamp": next}))
}

fn broadcast(shared: &Shared, body: &Value) -> Answer {
    require_switch(shared.config.switches.broadcast, "broadcast messaging of audio-video groups")?;
    let req: im::api::SendBroadcastMsg = parse(body)?;
    if req.msg_body.is_empty() {
        return Err((10004, "MsgBody is empty".into()));
    }
    let size = serde_json::to_vec(&req.msg_body).map(|v| v.len()).unwrap_or(0);
    if size > limits::MESSAGE_BYTES {
        return Err((80002, format!("the message is {size} bytes, over 12,000")));
    }
    let mut w = lock(shared);
    if w.last_broadcast.is_some_and(|at| at.elapsed() < std::time::Duration::from_secs(1)) {
        return Err((10023, "send_broadcast_msg allows 1 call per second".into()));
    }
    w.last_broadcast = Some(std::time::Instant::now());
    w.broadcast_seq += 1;
    let seq = w.broadcast_seq;
    let from = req.from_account.unwrap_or_else(|| shared.config.admin.clone());
    for id in w.av_rooms() {
        let _ = shared.deliveries.send(Delivered {
            group_id: id,
            from: from.clone(),
            body: req.msg_body.clone(),
            priority: im::MsgPriority::High,
            seq,
            system: false,
        });
    }
    Ok(json!({"MsgSeq": seq}))
}
