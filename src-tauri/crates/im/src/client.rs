//! The REST v4 client, shaped like octocrab: a builder with an overridable base URL and timeout, and
//! scoped handles (`im.group(id).mute(...)`).
//!
//! Every call is `POST {base}/v4/{service}/{command}?sdkappid=&identifier=&usersig=&random=&contenttype=json`
//! with a JSON body (never empty). The admin UserSig is cached and regenerated before it expires, and
//! once more when Tencent answers 70001. Transport failures, 5xx and Tencent's "retry" codes are retried
//! with backoff; the body is resent unchanged, so `send_group_msg` keeps its `Random` and a retry can
//! never show a message twice.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use serde::{de::DeserializeOwned, Serialize};

use crate::api::*;
use crate::error::{Error, ErrorKind, Result};
use crate::msg::{MsgElement, MsgPriority};
use crate::secret::Secret;
use crate::usersig::{self, UserSig};
use crate::SdkAppId;

/// Tencent IM's regional REST domains (tencent-cloud.md §1.1). The domain must match the app's region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    China,
    Singapore,
    Seoul,
    Tokyo,
    Frankfurt,
    Mumbai,
    SiliconValley,
    Jakarta,
}

impl Region {
    pub const ALL: [Region; 8] = [
        Region::China,
        Region::Singapore,
        Region::Seoul,
        Region::Tokyo,
        Region::Frankfurt,
        Region::Mumbai,
        Region::SiliconValley,
        Region::Jakarta,
    ];

    pub fn domain(self) -> &'static str {
        match self {
            Region::China => "console.tim.qq.com",
            Region::Singapore => "adminapisgp.im.qcloud.com",
            Region::Seoul => "adminapikr.im.qcloud.com",
            Region::Tokyo => "adminapijpn.im.qcloud.com",
            Region::Frankfurt => "adminapiger.im.qcloud.com",
            Region::Mumbai => "adminapiind.im.qcloud.com",
            Region::SiliconValley => "adminapiusa.im.qcloud.com",
            Region::Jakarta => "adminapiidn.im.qcloud.com",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Region::China => "china",
            Region::Singapore => "singapore",
            Region::Seoul => "seoul",
            Region::Tokyo => "tokyo",
            Region::Frankfurt => "frankfurt",
            Region::Mumbai => "mumbai",
            Region::SiliconValley => "siliconvalley",
            Region::Jakarta => "jakarta",
        }
    }

    pub fn base_url(self) -> String {
        format!("https://{}", self.domain())
    }
}

impl std::str::FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase().replace(['-', '_', ' '], "");
        Region::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| {
            let names: Vec<_> = Region::ALL.iter().map(|r| r.name()).collect();
            format!("unknown region {s:?}; use one of {}", names.join(", "))
        })
    }
}

/// How long a generated admin UserSig is valid; Tencent recommends at least 24 h.
const USERSIG_TTL_SECS: u64 = 7 * 86_400;
/// Regenerate this long before the cached UserSig would expire.
const USERSIG_RENEW_MARGIN_SECS: u64 = 3_600;
/// Above Tencent's 3 s internal timeout, as the documents require.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Three retries: 100, 200 and 400 ms of backoff (plus jitter) before giving up.
const DEFAULT_ATTEMPTS: u32 = 4;
/// Extra spacing between the calls of a one-call-a-second API (see `quota`).
const ONE_PER_SECOND_MARGIN: Duration = Duration::from_millis(100);

pub struct ImClientBuilder {
    base_url: String,
    sdkappid: SdkAppId,
    identifier: String,
    key: Secret,
    timeout: Duration,
    attempts: u32,
}

impl ImClientBuilder {
    /// A region's domain, or any base URL such as the sandbox's `http://127.0.0.1:PORT`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_string();
        self
    }

    pub fn region(self, region: Region) -> Self {
        self.base_url(region.base_url())
    }

    /// The admin account every call is made as (default `administrator`).
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.identifier = identifier.into();
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many times a retryable failure is tried in all (at least 1).
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    pub fn build(self) -> Result<ImClient> {
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot build the HTTP client: {e}")))?;
        Ok(ImClient {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url,
                sdkappid: self.sdkappid,
                identifier: self.identifier,
                key: self.key,
                attempts: self.attempts,
                sig: Mutex::new(None),
                limiters: Mutex::new(HashMap::new()),
            }),
        })
    }
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    sdkappid: SdkAppId,
    identifier: String,
    key: Secret,
    attempts: u32,
    /// The cached admin UserSig and when it was made. A std mutex: held only to copy a string.
    sig: Mutex<Option<(UserSig, u64)>>,
    /// One token bucket per API, made on first use. A std mutex: held only to look up or insert.
    limiters: Mutex<HashMap<&'static str, Arc<DefaultDirectRateLimiter>>>,
}

/// A token bucket that never lets more than `per_second` calls land in any one-second window: a small
/// burst (a twentieth of the allowance) refilled so that burst + refill over a second stays a twentieth
/// *below* the allowance. The margin is for the way to Tencent: calls leave paced, but a slow connection
/// or a busy scheduler delays one and the next arrive on time, which squeezes more calls into a window
/// at Tencent's side than left in any window here (CI saw 201 with a margin of one).
fn quota(per_second: u32) -> Quota {
    let per_second = per_second.max(1);
    if per_second == 1 {
        // One call a second (send_broadcast_msg, 10023 otherwise): Tencent measures the gap between
        // arrivals, and a first call that had to open its connection arrives later than the next one on
        // the warm connection, so exactly one second apart here can be 0.999 s there. Keep a margin.
        return Quota::with_period(Duration::from_secs(1) + ONE_PER_SECOND_MARGIN).expect("a non-zero period");
    }
    let burst = (per_second / 20).max(1);
    let margin = (per_second / 20).max(1);
    let refill = per_second.saturating_sub(burst + margin).max(1);
    Quota::with_period(Duration::from_secs(1) / refill)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("at least 1"))
}

/// Tencent's per-API frequency limits (tencent-cloud.md §1.3), per second.
pub fn calls_per_second(path: &str) -> u32 {
    match path {
        "group_open_http_svc/send_broadcast_msg" => 1,
        "im_open_login_svc/multiaccount_import"
        | "im_open_login_svc/account_check"
        | "im_open_login_svc/account_delete" => 100,
        _ => 200,
    }
}

/// A cloneable handle to Tencent IM's REST API, acting as one admin account of one app.
#[derive(Clone)]
pub struct ImClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ImClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImClient")
            .field("base_url", &self.inner.base_url)
            .field("sdkappid", &self.inner.sdkappid)
            .field("identifier", &self.inner.identifier)
            .finish_non_exhaustive()
    }
}

impl ImClient {
    pub fn builder(sdkappid: SdkAppId, key: Secret) -> ImClientBuilder {
        ImClientBuilder {
            base_url: Region::China.base_url(),
            sdkappid,
            identifier: "administrator".into(),
            key,
            timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
        }
    }

    pub fn sdkappid(&self) -> SdkAppId {
        self.inner.sdkappid
    }

    pub fn identifier(&self) -> &str {
        &self.inner.identifier
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A handle scoped to one group.
    pub fn group(&self, group_id: impl Into<String>) -> GroupHandle {
        GroupHandle { client: self.clone(), group_id: group_id.into() }
    }

    fn usersig(&self, force_new: bool) -> UserSig {
        let now = crate::clock::now_secs();
        let mut cached = self.inner.sig.lock().unwrap_or_else(|p| p.into_inner());
        match &*cached {
            Some((sig, made)) if !force_new && now + USERSIG_RENEW_MARGIN_SECS < made + USERSIG_TTL_SECS => sig.clone(),
            _ => {
                let sig = usersig::generate(
                    self.inner.sdkappid,
                    self.inner.key.expose(),
                    &self.inner.identifier,
                    USERSIG_TTL_SECS,
                    now,
                );
                *cached = Some((sig.clone(), now));
                sig
            }
        }
    }

    fn limiter(&self, path: &'static str) -> Arc<DefaultDirectRateLimiter> {
        let mut map = self.inner.limiters.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(path).or_insert_with(|| Arc::new(RateLimiter::direct(quota(calls_per_second(path))))).clone()
    }

    /// Calls `v4/{path}` with `body` and decodes the command-specific part of the answer.
    ///
    /// Waits for the API's token bucket first, so a burst never exceeds Tencent's frequency limit.
    pub async fn call<B: Serialize + ?Sized, R: DeserializeOwned>(&self, path: &'static str, body: &B) -> Result<R> {
        let body = serde_json::to_vec(body).map_err(|e| Error::Invalid(format!("cannot encode {path}: {e}")))?;
        let mut renewed_sig = false;
        let mut attempt = 0;
        let limiter = self.limiter(path);
        loop {
            attempt += 1;
            limiter.until_ready().await;
            let result = self.call_once(path, &body, renewed_sig).await;
            match result {
                Err(e) if e.kind() == ErrorKind::AuthExpired && !renewed_sig => {
                    renewed_sig = true;
                    attempt -= 1;
                }
                Err(e) if e.is_retried() && attempt < self.inner.attempts => {
                    let base = if e.kind() == ErrorKind::Throttled { 500 } else { 100 };
                    let backoff = Duration::from_millis(base * 2u64.pow(attempt - 1) + u64::from(rand::random::<u8>()));
                    tracing::warn!(command = path, attempt, error = %e, "retrying after {backoff:?}");
                    tokio::time::sleep(backoff).await;
                }
                other => return other,
            }
        }
    }

    async fn call_once<R: DeserializeOwned>(&self, path: &'static str, body: &[u8], new_sig: bool) -> Result<R> {
        let sig = self.usersig(new_sig);
        let url = format!(
            "{}/v4/{}?sdkappid={}&identifier={}&usersig={}&random={}&contenttype=json",
            self.inner.base_url,
            path,
            self.inner.sdkappid,
            self.inner.identifier,
            sig.as_str(),
            rand::random::<u32>()
        );
        let resp = self
            .inner
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| Error::Transport { command: path, source: e.without_url() })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(Error::Http { command: path, status: status.as_u16() });
        }
        let bytes = resp.bytes().await.map_err(|e| Error::Transport { command: path, source: e.without_url() })?;
        decode_envelope(path, &bytes)
    }

    pub async fn create_group(&self, req: &CreateGroup) -> Result<CreateGroupResponse> {
        if let Some(id) = &req.group_id {
            validate_group_id(id)?;
        }
        check_bytes("Name", &req.name, limits::NAME_BYTES)?;
        if let Some(s) = &req.introduction {
            check_bytes("Introduction", s, limits::INTRODUCTION_BYTES)?;
        }
        if let Some(s) = &req.notification {
            check_bytes("Notification", s, limits::NOTIFICATION_BYTES)?;
        }
        self.call("group_open_http_svc/create_group", req).await
    }

    /// `get_group_info` for any number of groups (50 per call). Each group's own `ErrorCode` becomes
    /// its own result: one missing group does not hide the others.
    pub async fn get_group_info(&self, ids: &[String]) -> Result<Vec<Result<GroupInfo>>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(limits::GROUP_INFO_BATCH) {
            let r: GetGroupInfoResponse = self
                .call("group_open_http_svc/get_group_info", &GetGroupInfo { group_id_list: chunk.to_vec() })
                .await?;
            out.extend(r.group_info.into_iter().map(|info| {
                if info.error_code == 0 {
                    Ok(info)
                } else {
                    Err(Error::Api {
                        command: "group_open_http_svc/get_group_info",
                        code: info.error_code,
                        info: info.error_info,
                    })
                }
            }));
        }
        Ok(out)
    }

    /// Every group ID of the app (optionally of one type), following `Next` until the list ends.
    pub async fn group_ids(&self, group_type: Option<&str>) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        let mut next = 0;
        loop {
            let req =
                GetAppidGroupList { limit: Some(10_000), next: Some(next), group_type: group_type.map(Into::into) };
            let r: GetAppidGroupListResponse = self.call("group_open_http_svc/get_appid_group_list", &req).await?;
            ids.extend(r.group_id_list.into_iter().map(|g| g.group_id));
            if r.next == 0 {
                return Ok(ids);
            }
            next = r.next;
        }
    }

    /// Sends one message to every AVChatRoom of the app (1 call/s; needs the edition and console switch).
    pub async fn broadcast(&self, body: Vec<MsgElement>, from: Option<String>) -> Result<SendBroadcastMsgResponse> {
        check_message_size(&body)?;
        let req =
            SendBroadcastMsg { from_account: from, random: rand::random(), msg_body: body, cloud_custom_data: None };
        self.call("group_open_http_svc/send_broadcast_msg", &req).await
    }

    pub async fn account_import(&self, req: &AccountImport) -> Result<()> {
        validate_user_id(&req.user_id)?;
        let _: Empty = self.call("im_open_login_svc/account_import", req).await?;
        Ok(())
    }

    /// Imports accounts, 100 per call; returns those Tencent could not import.
    pub async fn multiaccount_import(&self, accounts: &[String]) -> Result<Vec<String>> {
        let mut failed = Vec::new();
        for chunk in accounts.chunks(limits::ACCOUNT_BATCH) {
            let r: MultiAccountImportResponse = self
                .call("im_open_login_svc/multiaccount_import", &MultiAccountImport { accounts: chunk.to_vec() })
                .await?;
            failed.extend(r.fail_accounts);
        }
        Ok(failed)
    }

    /// Whether each account is imported, 100 per call; a per-item failure is that item's error.
    pub async fn account_check(&self, user_ids: &[String]) -> Result<Vec<(String, Result<bool>)>> {
        let mut out = Vec::with_capacity(user_ids.len());
        for chunk in user_ids.chunks(limits::ACCOUNT_BATCH) {
            let req = AccountCheck { check_item: chunk.iter().map(|u| CheckItem { user_id: u.clone() }).collect() };
            let r: AccountCheckResponse = self.call("im_open_login_svc/account_check", &req).await?;
            out.extend(r.result_item.into_iter().map(|item| {
                let result = if item.result_code == 0 {
                    Ok(item.account_status == "Imported")
                } else {
                    Err(Error::Api {
                        command: "im_open_login_svc/account_check",
                        code: item.result_code,
                        info: item.result_info,
                    })
                };
                (item.user_id, result)
            }));
        }
        Ok(out)
    }
}

/// Checks the envelope: `ActionStatus`, `ErrorCode`, `ErrorInfo`; then decodes the rest.
pub fn decode_envelope<R: DeserializeOwned>(command: &'static str, bytes: &[u8]) -> Result<R> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Error::Decode { command, detail: format!("not JSON: {e}") })?;
    let code = value.get("ErrorCode").and_then(|c| c.as_i64()).unwrap_or(0);
    let ok = value.get("ActionStatus").and_then(|s| s.as_str()) == Some("OK");
    if code != 0 || !ok {
        let info = value.get("ErrorInfo").and_then(|s| s.as_str()).unwrap_or_default().to_string();
        return Err(Error::Api { command, code: if code == 0 { -1 } else { code }, info });
    }
    serde_json::from_value(value).map_err(|e| Error::Decode { command, detail: e.to_string() })
}

/// Refuses, before sending, a body Tencent would refuse with 80002.
pub fn check_message_size(body: &[MsgElement]) -> Result<()> {
    let size = serde_json::to_vec(body).map(|v| v.len()).unwrap_or(0);
    if size > limits::MESSAGE_BYTES {
        return Err(Error::Invalid(format!(
            "the message is {size} bytes; Tencent refuses messages over {} bytes (12 KB)",
            limits::MESSAGE_BYTES
        )));
    }
    Ok(())
}

/// A UserID: 1 to 32 bytes of letters, digits, `_` or `-`.
pub fn validate_user_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= limits::USER_ID_BYTES
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!("{id:?} is not a valid user ID: use 1 to 32 letters, digits, '_' or '-'")))
    }
}

fn check_bytes(field: &str, value: &str, max: usize) -> Result<()> {
    if value.len() > max {
        return Err(Error::Invalid(format!(
            "{field} is {} bytes; Tencent allows at most {max} (a Chinese, Japanese or Korean character counts 3)",
            value.len()
        )));
    }
    Ok(())
}

/// A custom GroupId: printable ASCII, at most 48 bytes, not starting with `@TGS#`.
pub fn validate_group_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > limits::GROUP_ID_BYTES {
        return Err(Error::Invalid(format!(
            "a group ID must be 1 to {} bytes; {id:?} is {}",
            limits::GROUP_ID_BYTES,
            id.len()
        )));
    }
    if !id.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(Error::Invalid(format!("a group ID may hold only printable ASCII; {id:?} does not")));
    }
    if id.starts_with("@TGS#") {
        return Err(Error::Invalid("a custom group ID must not start with @TGS#".into()));
    }
    Ok(())
}

/// A handle on one group.
#[derive(Clone, Debug)]
pub struct GroupHandle {
    client: ImClient,
    group_id: String,
}

impl GroupHandle {
    pub fn id(&self) -> &str {
        &self.group_id
    }

    /// The client this handle calls through.
    pub fn client(&self) -> &ImClient {
        &self.client
    }

    /// The group's profile; a per-item failure (e.g. 10010 for a destroyed group) is an error.
    pub async fn info(&self) -> Result<GroupInfo> {
        self.client.get_group_info(std::slice::from_ref(&self.group_id)).await?.pop().unwrap_or_else(|| {
            Err(Error::Decode {
                command: "group_open_http_svc/get_group_info",
                detail: "no GroupInfo item in the answer".into(),
            })
        })
    }

    pub async fn modify(&self, mut req: ModifyGroupBaseInfo) -> Result<()> {
        req.group_id = self.group_id.clone();
        if let Some(s) = &req.notification {
            check_bytes("Notification", s, limits::NOTIFICATION_BYTES)?;
        }
        if let Some(s) = &req.introduction {
            check_bytes("Introduction", s, limits::INTRODUCTION_BYTES)?;
        }
        for d in &req.app_defined_data {
            check_bytes(&format!("custom field {}", d.key), &d.value, limits::APP_DEFINED_VALUE_BYTES)?;
        }
        let _: Empty = self.client.call("group_open_http_svc/modify_group_base_info", &req).await?;
        Ok(())
    }

    /// Sends a message as the admin (or `from`), with a fresh `Random`. A message the group's frequency
    /// control dropped is an error ([`Error::Dropped`]), not a success.
    pub async fn send(
        &self,
        body: Vec<MsgElement>,
        priority: MsgPriority,
        from: Option<String>,
    ) -> Result<SendGroupMsgResponse> {
        let mut req = SendGroupMsg::new(&self.group_id, body, priority);
        req.from_account = from;
        self.send_msg(&req).await
    }

    /// Sends a message of the business server's own (as the admin) without triggering the business
    /// server's before- and after-send callbacks: it knows what it sent, and the answer says whether
    /// the frequency control dropped it.
    pub async fn send_control(&self, body: Vec<MsgElement>, priority: MsgPriority) -> Result<SendGroupMsgResponse> {
        let req = SendGroupMsg::new(&self.group_id, body, priority).without_before_callback().without_after_callback();
        self.send_msg(&req).await
    }

    /// Sends `req` as it is (its `Random` included), retrying transient failures with the same body.
    pub async fn send_msg(&self, req: &SendGroupMsg) -> Result<SendGroupMsgResponse> {
        check_message_size(&req.msg_body)?;
        let r: SendGroupMsgResponse = self.client.call("group_open_http_svc/send_group_msg", req).await?;
        if r.msg_drop_reason == "MsgFreqCtrl" {
            return Err(Error::Dropped);
        }
        Ok(r)
    }

    /// Mutes `accounts` for `secs` seconds (0 unmutes, `u32::MAX` is permanent), 500 per call.
    pub async fn mute(&self, accounts: &[String], secs: u32) -> Result<()> {
        for chunk in accounts.chunks(limits::MUTE_BATCH) {
            let req =
                ForbidSendMsg { group_id: self.group_id.clone(), members_account: chunk.to_vec(), shut_up_time: secs };
            let _: Empty = self.client.call("group_open_http_svc/forbid_send_msg", &req).await?;
        }
        Ok(())
    }

    pub async fn muted_accounts(&self) -> Result<Vec<MutedAccount>> {
        let r: GetGroupMutedAccountResponse = self
            .client
            .call("group_open_http_svc/get_group_muted_account", &GroupIdBody { group_id: self.group_id.clone() })
            .await?;
        Ok(r.muted_account_list)
    }

    /// Mutes or unmutes everyone but the owner and admins (`MuteAllMember`).
    pub async fn mute_all(&self, on: bool) -> Result<()> {
        self.modify(ModifyGroupBaseInfo {
            mute_all_member: Some(if on { "On" } else { "Off" }.into()),
            ..ModifyGroupBaseInfo::default()
        })
        .await
    }

    /// A group system notification: not subject to the 40 msg/s ceiling, online members only.
    pub async fn system_notification(&self, content: impl Into<String>) -> Result<()> {
        let req = SendGroupSystemNotification {
            group_id: self.group_id.clone(),
            to_members_account: Vec::new(),
            content: content.into(),
        };
        let _: Empty = self.client.call("group_open_http_svc/send_group_system_notification", &req).await?;
        Ok(())
    }

    /// One page of the AVChatRoom online member list (latest joiners first).
    pub async fn members_page(&self, timestamp: u64) -> Result<GetMembersResponse> {
        let req = GetMembers { group_id: self.group_id.clone(), timestamp, mark: None };
        self.client.call("group_open_avchatroom_http_svc/get_members", &req).await
    }

    /// The online member list as far as Tencent shows it (30, or 1000 with the edition switch).
    pub async fn members(&self) -> Result<Vec<OnlineMember>> {
        let mut out = Vec::new();
        let mut timestamp = 0;
        loop {
            let page = self.members_page(timestamp).await?;
            out.extend(page.member_list);
            if page.next_timestamp == 0 || page.next_timestamp == timestamp {
                return Ok(out);
            }
            timestamp = page.next_timestamp;
        }
    }

    /// Bans (removes and keeps out) `accounts` for `secs` seconds, 20 per call.
    pub async fn ban(&self, accounts: &[String], secs: u32, description: Option<&str>) -> Result<()> {
        if let Some(d) = description {
            check_bytes("the ban description", d, limits::BAN_DESCRIPTION_BYTES)?;
        }
        for chunk in accounts.chunks(limits::BAN_BATCH) {
            let req = BanGroupMember {
                group_id: self.group_id.clone(),
                members_account: chunk.to_vec(),
                duration: secs,
                description: description.map(Into::into),
            };
            let _: Empty = self.client.call("group_open_http_svc/ban_group_member", &req).await?;
        }
        Ok(())
    }

    pub async fn unban(&self, accounts: &[String]) -> Result<()> {
        for chunk in accounts.chunks(limits::BAN_BATCH) {
            let req = UnbanGroupMember { group_id: self.group_id.clone(), members_account: chunk.to_vec() };
            let _: Empty = self.client.call("group_open_http_svc/unban_group_member", &req).await?;
        }
        Ok(())
    }

    /// Every banned member, following `NextOffset` until the list ends.
    pub async fn banned(&self) -> Result<Vec<BannedAccount>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let req = GetGroupBanMember { group_id: self.group_id.clone(), limit: limits::BAN_PAGE, offset };
            let page: GetGroupBanMemberResponse =
                self.client.call("group_open_http_svc/get_group_ban_member", &req).await?;
            out.extend(page.banned_account_list);
            if page.next_offset == 0 || page.next_offset == offset {
                return Ok(out);
            }
            offset = page.next_offset;
        }
    }

    pub async fn online_member_num(&self) -> Result<u64> {
        let r: GetOnlineMemberNumResponse = self
            .client
            .call("group_open_http_svc/get_online_member_num", &GroupIdBody { group_id: self.group_id.clone() })
            .await?;
        Ok(r.online_member_num)
    }

    pub async fn destroy(&self) -> Result<()> {
        let _: Empty = self
            .client
            .call("group_open_http_svc/destroy_group", &GroupIdBody { group_id: self.group_id.clone() })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fail_envelope_keeps_tencents_code_and_info() {
        let e = decode_envelope::<Empty>(
            "group_open_http_svc/forbid_send_msg",
            br#"{"ActionStatus":"FAIL","ErrorCode":10010,"ErrorInfo":"group not found"}"#,
        )
        .unwrap_err();
        assert_eq!(e.code(), Some(10010));
        assert_eq!(e.kind(), ErrorKind::RoomGone);
    }

    #[test]
    fn regions_parse_from_friendly_names() {
        assert_eq!("Silicon-Valley".parse::<Region>(), Ok(Region::SiliconValley));
        assert_eq!(Region::Seoul.base_url(), "https://adminapikr.im.qcloud.com");
        assert!("mars".parse::<Region>().unwrap_err().contains("singapore"));
    }

    #[test]
    fn group_ids_follow_tencents_rules() {
        assert!(validate_group_id("anchordesk-room-1").is_ok());
        assert!(validate_group_id("@TGS#abc").is_err());
        assert!(validate_group_id(&"x".repeat(49)).is_err());
        assert!(validate_group_id("房间").is_err());
    }
}
