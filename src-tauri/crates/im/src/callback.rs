//! Tencent's third-party callbacks: the query string Tencent appends, the JSON bodies it posts, and the
//! answers it accepts (tencent-cloud.md §4). The same types serve the hub, which receives callbacks,
//! and the sandbox, which sends them exactly as Tencent does.
//!
//! Documented variations are tolerated: `EventTime` comes as a number or a string; optional fields may
//! be absent; unknown fields are ignored.

use serde::{Deserialize, Deserializer, Serialize};

use crate::msg::MsgElement;

/// The query parameters Tencent appends to the callback URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallbackQuery {
    #[serde(rename = "SdkAppid", default, deserialize_with = "lenient_opt_u64")]
    pub sdk_appid: Option<u64>,
    #[serde(rename = "CallbackCommand", default)]
    pub callback_command: String,
    #[serde(rename = "contenttype", default)]
    pub contenttype: String,
    #[serde(rename = "ClientIP", default)]
    pub client_ip: String,
    #[serde(rename = "OptPlatform", default)]
    pub opt_platform: String,
    #[serde(rename = "Sign", default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<String>,
    #[serde(
        rename = "RequestTime",
        default,
        deserialize_with = "lenient_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_time: Option<u64>,
}

/// `{"Member_Account": "..."}` as it appears in member lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberAccount {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
}

/// The body shared by the three message callbacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgCallback {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type", default)]
    pub group_type: String,
    #[serde(rename = "From_Account", default)]
    pub from_account: String,
    #[serde(rename = "Operator_Account", default)]
    pub operator_account: String,
    #[serde(rename = "Random", default)]
    pub random: u32,
    #[serde(rename = "OnlineOnlyFlag", default)]
    pub online_only_flag: u8,
    #[serde(rename = "MsgBody", default)]
    pub msg_body: Vec<MsgElement>,
    #[serde(rename = "CloudCustomData", default, skip_serializing_if = "Option::is_none")]
    pub cloud_custom_data: Option<String>,
    #[serde(rename = "TopicId", default, skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// Milliseconds.
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_u64")]
    pub event_time: u64,
    /// After-send only.
    #[serde(rename = "MsgSeq", default, skip_serializing_if = "Option::is_none")]
    pub msg_seq: Option<u64>,
    /// After-send only.
    #[serde(rename = "MsgTime", default, skip_serializing_if = "Option::is_none")]
    pub msg_time: Option<u64>,
    /// Send-exception only.
    #[serde(rename = "ErrorCode", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    /// Send-exception only.
    #[serde(rename = "ErrorInfo", default, skip_serializing_if = "Option::is_none")]
    pub error_info: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeforeApplyJoinGroup {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type", default)]
    pub group_type: String,
    #[serde(rename = "Requestor_Account")]
    pub requestor_account: String,
    #[serde(rename = "ApplyMsg", default, skip_serializing_if = "Option::is_none")]
    pub apply_msg: Option<String>,
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_u64")]
    pub event_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfterNewMemberJoin {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type", default)]
    pub group_type: String,
    #[serde(rename = "JoinType", default)]
    pub join_type: String,
    #[serde(rename = "Operator_Account", default)]
    pub operator_account: String,
    #[serde(rename = "NewMemberList", default)]
    pub new_member_list: Vec<MemberAccount>,
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_u64")]
    pub event_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfterMemberExit {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type", default)]
    pub group_type: String,
    #[serde(rename = "ExitType", default)]
    pub exit_type: String,
    #[serde(rename = "Operator_Account", default)]
    pub operator_account: String,
    #[serde(rename = "ExitMemberList", default)]
    pub exit_member_list: Vec<MemberAccount>,
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_u64")]
    pub event_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnMemberStateChange {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "EventType")]
    pub event_type: String,
    #[serde(rename = "MemberList", default)]
    pub member_list: Vec<MemberAccount>,
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_u64")]
    pub event_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfterGroupInfoChanged {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type", default)]
    pub group_type: String,
    #[serde(rename = "Operator_Account", default)]
    pub operator_account: String,
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "Introduction", default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    #[serde(rename = "Notification", default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    #[serde(rename = "FaceUrl", default, skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_u64")]
    pub event_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateChangeInfo {
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Reason", default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateChange {
    #[serde(rename = "EventTime", default, deserialize_with = "lenient_u64")]
    pub event_time: u64,
    #[serde(rename = "Info")]
    pub info: StateChangeInfo,
    #[serde(rename = "KickedDevice", default, skip_serializing_if = "Vec::is_empty")]
    pub kicked_device: Vec<serde_json::Value>,
}

/// A callback body, told apart by its `CallbackCommand`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "CallbackCommand")]
pub enum Callback {
    #[serde(rename = "Group.CallbackBeforeSendMsg")]
    BeforeSendMsg(MsgCallback),
    #[serde(rename = "Group.CallbackAfterSendMsg")]
    AfterSendMsg(MsgCallback),
    #[serde(rename = "Group.CallbackSendMsgException")]
    SendMsgException(MsgCallback),
    #[serde(rename = "Group.CallbackBeforeApplyJoinGroup")]
    BeforeApplyJoinGroup(BeforeApplyJoinGroup),
    #[serde(rename = "Group.CallbackAfterNewMemberJoin")]
    AfterNewMemberJoin(AfterNewMemberJoin),
    #[serde(rename = "Group.CallbackAfterMemberExit")]
    AfterMemberExit(AfterMemberExit),
    #[serde(rename = "Group.CallbackOnMemberStateChange")]
    OnMemberStateChange(OnMemberStateChange),
    #[serde(rename = "Group.CallbackAfterGroupInfoChanged")]
    AfterGroupInfoChanged(AfterGroupInfoChanged),
    #[serde(rename = "State.StateChange")]
    StateChange(StateChange),
}

impl Callback {
    /// Every `CallbackCommand` this type understands.
    pub const KNOWN: &'static [&'static str] = &[
        "Group.CallbackBeforeSendMsg",
        "Group.CallbackAfterSendMsg",
        "Group.CallbackSendMsgException",
        "Group.CallbackBeforeApplyJoinGroup",
        "Group.CallbackAfterNewMemberJoin",
        "Group.CallbackAfterMemberExit",
        "Group.CallbackOnMemberStateChange",
        "Group.CallbackAfterGroupInfoChanged",
        "State.StateChange",
    ];

    pub fn command(&self) -> &'static str {
        match self {
            Callback::BeforeSendMsg(_) => "Group.CallbackBeforeSendMsg",
            Callback::AfterSendMsg(_) => "Group.CallbackAfterSendMsg",
            Callback::SendMsgException(_) => "Group.CallbackSendMsgException",
            Callback::BeforeApplyJoinGroup(_) => "Group.CallbackBeforeApplyJoinGroup",
            Callback::AfterNewMemberJoin(_) => "Group.CallbackAfterNewMemberJoin",
            Callback::AfterMemberExit(_) => "Group.CallbackAfterMemberExit",
            Callback::OnMemberStateChange(_) => "Group.CallbackOnMemberStateChange",
            Callback::AfterGroupInfoChanged(_) => "Group.CallbackAfterGroupInfoChanged",
            Callback::StateChange(_) => "State.StateChange",
        }
    }

    /// The group the callback concerns; `State.StateChange` concerns an account, not a group.
    pub fn group_id(&self) -> Option<&str> {
        match self {
            Callback::BeforeSendMsg(m) | Callback::AfterSendMsg(m) | Callback::SendMsgException(m) => Some(&m.group_id),
            Callback::BeforeApplyJoinGroup(c) => Some(&c.group_id),
            Callback::AfterNewMemberJoin(c) => Some(&c.group_id),
            Callback::AfterMemberExit(c) => Some(&c.group_id),
            Callback::OnMemberStateChange(c) => Some(&c.group_id),
            Callback::AfterGroupInfoChanged(c) => Some(&c.group_id),
            Callback::StateChange(_) => None,
        }
    }
}

/// The answer to a callback. `ErrorCode` 0 allows (optionally with a modified `MsgBody`), 1 refuses
/// (the sender gets 10016), 2 drops silently (before-send only), 10100–10200 refuses with `ErrorInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackAnswer {
    #[serde(rename = "ActionStatus")]
    pub action_status: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: i64,
    #[serde(rename = "ErrorInfo", default)]
    pub error_info: String,
    #[serde(rename = "MsgBody", default, skip_serializing_if = "Option::is_none")]
    pub msg_body: Option<Vec<MsgElement>>,
    #[serde(rename = "CloudCustomData", default, skip_serializing_if = "Option::is_none")]
    pub cloud_custom_data: Option<String>,
}

/// What an answer tells Tencent to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Allow,
    AllowModified(Vec<MsgElement>),
    Refuse,
    DropSilently,
    RefuseWith { code: i64, info: String },
}

impl CallbackAnswer {
    pub fn allow() -> Self {
        Self::with_code(0, "")
    }

    pub fn allow_modified(body: Vec<MsgElement>) -> Self {
        Self { msg_body: Some(body), ..Self::allow() }
    }

    pub fn refuse() -> Self {
        Self::with_code(1, "")
    }

    pub fn drop_silently() -> Self {
        Self::with_code(2, "")
    }

    /// Refuses with a custom code in [10100, 10200] that the sender's client shows with `info`.
    pub fn refuse_with(code: i64, info: impl Into<String>) -> Self {
        Self::with_code(code.clamp(10100, 10200), info)
    }

    fn with_code(code: i64, info: impl Into<String>) -> Self {
        Self {
            action_status: "OK".into(),
            error_code: code,
            error_info: info.into(),
            msg_body: None,
            cloud_custom_data: None,
        }
    }

    /// How Tencent reads this answer (unknown codes are treated as a refusal, as the sandbox does).
    pub fn verdict(&self) -> Verdict {
        match self.error_code {
            0 => match &self.msg_body {
                Some(b) => Verdict::AllowModified(b.clone()),
                None => Verdict::Allow,
            },
            2 => Verdict::DropSilently,
            c @ 10100..=10200 => Verdict::RefuseWith { code: c, info: self.error_info.clone() },
            _ => Verdict::Refuse,
        }
    }
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(lenient_opt_u64(d)?.unwrap_or(0))
}

fn lenient_opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        Num(u64),
        Str(String),
        Null,
    }
    match Option::<NumOrStr>::deserialize(d)? {
        None | Some(NumOrStr::Null) => Ok(None),
        Some(NumOrStr::Num(n)) => Ok(Some(n)),
        Some(NumOrStr::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(NumOrStr::Str(s)) => {
            s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom(format!("expected a number, got {s:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_before_send_body_parses_with_eventtime_as_number_or_string() {
        for event_time in ["1670574414123", "\"1670574414123\""] {
            let body = format!(
                r#"{{"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":"@TGS#2J4SZEAEL","Type":"AVChatRoom",
                "From_Account":"jared","Operator_Account":"admin","Random":123456,"OnlineOnlyFlag":0,
                "MsgBody":[{{"MsgType":"TIMTextElem","MsgContent":{{"Text":"red packet"}}}}],
                "CloudCustomData":"your cloud custom data","EventTime":{event_time}}}"#
            );
            let cb: Callback = serde_json::from_str(&body).unwrap();
            let Callback::BeforeSendMsg(m) = cb else { panic!("wrong variant") };
            assert_eq!(m.event_time, 1670574414123);
            assert_eq!(m.from_account, "jared");
            assert_eq!(crate::msg::body_text(&m.msg_body).as_deref(), Some("red packet"));
        }
    }

    #[test]
    fn join_exit_and_state_bodies_parse() {
        let join: Callback = serde_json::from_str(r#"{"CallbackCommand":"Group.CallbackAfterNewMemberJoin","GroupId":"g","Type":"AVChatRoom","JoinType":"Apply","Operator_Account":"leckie","NewMemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"}],"EventTime":1670574414123}"#).unwrap();
        assert!(matches!(join, Callback::AfterNewMemberJoin(ref j) if j.new_member_list.len() == 2));
        let state: Callback = serde_json::from_str(r#"{"CallbackCommand":"State.StateChange","EventTime":1629883332497,"Info":{"Action":"Login","To_Account":"testuser","Reason":"Register"},"KickedDevice":[{"Platform":"Windows"}]}"#).unwrap();
        assert_eq!(state.group_id(), None);
        assert_eq!(state.command(), "State.StateChange");
    }

    #[test]
    fn the_query_accepts_tencents_parameters_including_sign() {
        let q: CallbackQuery = serde_json::from_value(serde_json::json!({
            "SdkAppid": "1400000000", "CallbackCommand": "Group.CallbackBeforeSendMsg",
            "contenttype": "json", "ClientIP": "1.2.3.4", "OptPlatform": "iOS",
            "Sign": "abc", "RequestTime": "1669872112"
        }))
        .unwrap();
        assert_eq!(q.sdk_appid, Some(1400000000));
        assert_eq!(q.request_time, Some(1669872112));
    }

    #[test]
    fn answers_read_as_tencent_reads_them() {
        assert_eq!(CallbackAnswer::allow().verdict(), Verdict::Allow);
        assert_eq!(CallbackAnswer::refuse().verdict(), Verdict::Refuse);
        assert_eq!(CallbackAnswer::drop_silently().verdict(), Verdict::DropSilently);
        assert_eq!(
            CallbackAnswer::refuse_with(10150, "banned word").verdict(),
            Verdict::RefuseWith { code: 10150, info: "banned word".into() }
        );
        let json = serde_json::to_value(CallbackAnswer::allow()).unwrap();
        assert_eq!(json, serde_json::json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}));
    }
}
