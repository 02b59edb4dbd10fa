//! Request and response bodies of the REST v4 commands AnchorDesk uses, field for field as Tencent
//! documents them (tencent-cloud.md §2). A request type is the serialized body; a response type holds
//! the command-specific fields (the envelope is checked by the client).

use serde::{Deserialize, Serialize};

use crate::msg::{MsgElement, MsgPriority};

/// Byte limits on group profile fields (REST reference; a CJK character is 3 bytes).
pub mod limits {
    pub const NAME_BYTES: usize = 30;
    pub const INTRODUCTION_BYTES: usize = 240;
    pub const NOTIFICATION_BYTES: usize = 300;
    pub const FACE_URL_BYTES: usize = 100;
    pub const GROUP_ID_BYTES: usize = 48;
    pub const APP_DEFINED_KEY_BYTES: usize = 15;
    pub const APP_DEFINED_VALUE_BYTES: usize = 512;
    pub const MUTE_BATCH: usize = 500;
    pub const BAN_BATCH: usize = 20;
    pub const ACCOUNT_BATCH: usize = 100;
    pub const GROUP_INFO_BATCH: usize = 50;
    pub const BAN_DESCRIPTION_BYTES: usize = 1000;
    pub const USER_ID_BYTES: usize = 32;
    /// A banned-member page holds at most this many.
    pub const BAN_PAGE: u32 = 100;
    /// Messages over this are refused with 80002 (current documents: 12 KB).
    pub const MESSAGE_BYTES: usize = 12 * 1024;
    /// `ShutUpTime` meaning "muted for good".
    pub const MUTE_PERMANENT: u32 = u32::MAX;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppDefinedData {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value")]
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreateGroup {
    #[serde(rename = "Owner_Account", skip_serializing_if = "Option::is_none")]
    pub owner_account: Option<String>,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "GroupId", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Introduction", skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    #[serde(rename = "Notification", skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    #[serde(rename = "FaceUrl", skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
    #[serde(rename = "ApplyJoinOption", skip_serializing_if = "Option::is_none")]
    pub apply_join_option: Option<String>,
    #[serde(rename = "AppDefinedData", skip_serializing_if = "Vec::is_empty", default)]
    pub app_defined_data: Vec<AppDefinedData>,
    /// Must be absent for AVChatRoom (10007); kept so the sandbox can enforce that rule.
    #[serde(rename = "MemberList", skip_serializing_if = "Option::is_none")]
    pub member_list: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateGroupResponse {
    #[serde(rename = "GroupId")]
    pub group_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetGroupInfo {
    #[serde(rename = "GroupIdList")]
    pub group_id_list: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GroupInfo {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "ErrorCode", default)]
    pub error_code: i64,
    #[serde(rename = "ErrorInfo", default)]
    pub error_info: String,
    #[serde(rename = "Type", default)]
    pub group_type: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Introduction", default)]
    pub introduction: String,
    #[serde(rename = "Notification", default)]
    pub notification: String,
    #[serde(rename = "FaceUrl", default)]
    pub face_url: String,
    #[serde(rename = "Owner_Account", default)]
    pub owner_account: String,
    #[serde(rename = "CreateTime", default)]
    pub create_time: u64,
    #[serde(rename = "MuteAllMember", default)]
    pub mute_all_member: String,
    #[serde(rename = "AppDefinedData", default)]
    pub app_defined_data: Vec<AppDefinedData>,
}

impl GroupInfo {
    pub fn app_defined(&self, key: &str) -> Option<&str> {
        self.app_defined_data.iter().find(|d| d.key == key).map(|d| d.value.as_str())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GetGroupInfoResponse {
    #[serde(rename = "GroupInfo", default)]
    pub group_info: Vec<GroupInfo>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModifyGroupBaseInfo {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "Introduction", skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    #[serde(rename = "Notification", skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    #[serde(rename = "FaceUrl", skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
    #[serde(rename = "MuteAllMember", skip_serializing_if = "Option::is_none")]
    pub mute_all_member: Option<String>,
    #[serde(rename = "AppDefinedData", skip_serializing_if = "Vec::is_empty", default)]
    pub app_defined_data: Vec<AppDefinedData>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendGroupMsg {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// Dedup key: fresh per logical message, reused for its retries.
    #[serde(rename = "Random")]
    pub random: u32,
    #[serde(rename = "MsgPriority", skip_serializing_if = "Option::is_none")]
    pub msg_priority: Option<MsgPriority>,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<MsgElement>,
    #[serde(rename = "From_Account", skip_serializing_if = "Option::is_none")]
    pub from_account: Option<String>,
    #[serde(rename = "ForbidCallbackControl", skip_serializing_if = "Vec::is_empty", default)]
    pub forbid_callback_control: Vec<String>,
    #[serde(rename = "CloudCustomData", skip_serializing_if = "Option::is_none")]
    pub cloud_custom_data: Option<String>,
}

impl SendGroupMsg {
    /// A message as the admin with a fresh `Random` (reused by the client for this message's retries).
    pub fn new(group_id: impl Into<String>, msg_body: Vec<MsgElement>, priority: MsgPriority) -> Self {
        Self {
            group_id: group_id.into(),
            random: rand::random(),
            msg_priority: Some(priority),
            msg_body,
            from_account: None,
            forbid_callback_control: Vec::new(),
            cloud_custom_data: None,
        }
    }

    /// Sent as `account` (which must exist) rather than the admin.
    pub fn from(mut self, account: impl Into<String>) -> Self {
        self.from_account = Some(account.into());
        self
    }

    /// Skips the business server's before-send callback for this message.
    pub fn without_before_callback(mut self) -> Self {
        self.forbid_callback_control.push("ForbidBeforeSendMsgCallback".into());
        self
    }

    /// Skips the business server's after-send callback for this message.
    pub fn without_after_callback(mut self) -> Self {
        self.forbid_callback_control.push("ForbidAfterSendMsgCallback".into());
        self
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SendGroupMsgResponse {
    #[serde(rename = "MsgTime", default)]
    pub msg_time: u64,
    #[serde(rename = "MsgSeq", default)]
    pub msg_seq: u64,
    #[serde(rename = "MsgDropReason", default, skip_serializing_if = "String::is_empty")]
    pub msg_drop_reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForbidSendMsg {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Members_Account")]
    pub members_account: Vec<String>,
    /// Seconds; 0 unmutes, [`limits::MUTE_PERMANENT`] is for good.
    #[serde(rename = "ShutUpTime")]
    pub shut_up_time: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupIdBody {
    #[serde(rename = "GroupId")]
    pub group_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MutedAccount {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    /// UTC unix seconds.
    #[serde(rename = "MutedUntil")]
    pub muted_until: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetGroupMutedAccountResponse {
    #[serde(rename = "MutedAccountList", default)]
    pub muted_account_list: Vec<MutedAccount>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetOnlineMemberNumResponse {
    #[serde(rename = "OnlineMemberNum", default)]
    pub online_member_num: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountImport {
    #[serde(rename = "UserID")]
    pub user_id: String,
    #[serde(rename = "Nick", skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    #[serde(rename = "FaceUrl", skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}

/// The body of a command answered with the envelope only.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Empty {}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendGroupSystemNotification {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// Must be empty for AVChatRoom (all members).
    #[serde(rename = "ToMembers_Account", skip_serializing_if = "Vec::is_empty", default)]
    pub to_members_account: Vec<String>,
    #[serde(rename = "Content")]
    pub content: String,
}

/// AVChatRoom online members (`group_open_avchatroom_http_svc/get_members`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetMembers {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// 0 for the first page, then the previous answer's `NextTimestamp`.
    #[serde(rename = "Timestamp", default)]
    pub timestamp: u64,
    #[serde(rename = "Mark", skip_serializing_if = "Option::is_none", default)]
    pub mark: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnlineMember {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    #[serde(rename = "JoinTime", default)]
    pub join_time: u64,
    #[serde(rename = "NickName", default)]
    pub nick_name: String,
    #[serde(rename = "Avatar", default)]
    pub avatar: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetMembersResponse {
    #[serde(rename = "MemberList", default)]
    pub member_list: Vec<OnlineMember>,
    /// 0 when there are no more pages.
    #[serde(rename = "NextTimestamp", default)]
    pub next_timestamp: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BanGroupMember {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// At most 20 per call.
    #[serde(rename = "Members_Account")]
    pub members_account: Vec<String>,
    /// Seconds.
    #[serde(rename = "Duration")]
    pub duration: u32,
    /// At most 1000 bytes.
    #[serde(rename = "Description", skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnbanGroupMember {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Members_Account")]
    pub members_account: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GetGroupBanMember {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// At most 100.
    #[serde(rename = "Limit")]
    pub limit: u32,
    #[serde(rename = "Offset")]
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BannedAccount {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    /// Unix seconds.
    #[serde(rename = "BannedUntil")]
    pub banned_until: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetGroupBanMemberResponse {
    #[serde(rename = "BannedAccountList", default)]
    pub banned_account_list: Vec<BannedAccount>,
    /// 0 when the list is done.
    #[serde(rename = "NextOffset", default)]
    pub next_offset: u32,
}

/// A message to every AVChatRoom of the app (Ultimate edition, behind a console switch, 1 call/s).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendBroadcastMsg {
    #[serde(rename = "From_Account", skip_serializing_if = "Option::is_none", default)]
    pub from_account: Option<String>,
    #[serde(rename = "Random")]
    pub random: u32,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<MsgElement>,
    #[serde(rename = "CloudCustomData", skip_serializing_if = "Option::is_none", default)]
    pub cloud_custom_data: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SendBroadcastMsgResponse {
    #[serde(rename = "MsgSeq", default)]
    pub msg_seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiAccountImport {
    /// At most 100.
    #[serde(rename = "Accounts")]
    pub accounts: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MultiAccountImportResponse {
    #[serde(rename = "FailAccounts", default)]
    pub fail_accounts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckItem {
    #[serde(rename = "UserID")]
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountCheck {
    /// At most 100.
    #[serde(rename = "CheckItem")]
    pub check_item: Vec<CheckItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountCheckResult {
    #[serde(rename = "UserID")]
    pub user_id: String,
    #[serde(rename = "ResultCode", default)]
    pub result_code: i64,
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
    /// `Imported` or `NotImported`.
    #[serde(rename = "AccountStatus", default)]
    pub account_status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountCheckResponse {
    #[serde(rename = "ResultItem", default)]
    pub result_item: Vec<AccountCheckResult>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetAppidGroupList {
    #[serde(rename = "Limit", skip_serializing_if = "Option::is_none", default)]
    pub limit: Option<u32>,
    #[serde(rename = "Next", skip_serializing_if = "Option::is_none", default)]
    pub next: Option<u64>,
    #[serde(rename = "GroupType", skip_serializing_if = "Option::is_none", default)]
    pub group_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupIdItem {
    #[serde(rename = "GroupId")]
    pub group_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GetAppidGroupListResponse {
    #[serde(rename = "TotalCount", default)]
    pub total_count: u64,
    #[serde(rename = "GroupIdList", default)]
    pub group_id_list: Vec<GroupIdItem>,
    #[serde(rename = "Next", default)]
    pub next: u64,
}
