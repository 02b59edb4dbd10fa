//! Message bodies as Tencent IM carries them: an array of `{MsgType, MsgContent}` elements, and the
//! group message priority. Custom elements carry the room's control and gift messages; their `Data` is
//! a JSON string in TUIKit's `businessID` convention, which the `room` crate defines.

use serde::{Deserialize, Serialize};

/// `MsgPriority` of `send_group_msg`. Case-sensitive on the wire; REST documents only these three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum MsgPriority {
    High,
    #[default]
    Normal,
    Low,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextElem {
    #[serde(rename = "Text")]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CustomElem {
    #[serde(rename = "Data", default)]
    pub data: String,
    #[serde(rename = "Desc", default, skip_serializing_if = "String::is_empty")]
    pub desc: String,
    #[serde(rename = "Ext", default, skip_serializing_if = "String::is_empty")]
    pub ext: String,
    #[serde(rename = "Sound", default, skip_serializing_if = "String::is_empty")]
    pub sound: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceElem {
    #[serde(rename = "Index")]
    pub index: i64,
    #[serde(rename = "Data", default)]
    pub data: String,
}

/// One element of a `MsgBody`. Element kinds a console only passes through keep their content as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "MsgType", content = "MsgContent")]
pub enum MsgElement {
    #[serde(rename = "TIMTextElem")]
    Text(TextElem),
    #[serde(rename = "TIMCustomElem")]
    Custom(CustomElem),
    #[serde(rename = "TIMFaceElem")]
    Face(FaceElem),
    #[serde(rename = "TIMLocationElem")]
    Location(serde_json::Value),
    #[serde(rename = "TIMSoundElem")]
    Sound(serde_json::Value),
    #[serde(rename = "TIMImageElem")]
    Image(serde_json::Value),
    #[serde(rename = "TIMFileElem")]
    File(serde_json::Value),
    #[serde(rename = "TIMVideoFileElem")]
    VideoFile(serde_json::Value),
}

impl MsgElement {
    pub fn text(text: impl Into<String>) -> Self {
        MsgElement::Text(TextElem { text: text.into() })
    }

    pub fn custom(data: impl Into<String>) -> Self {
        MsgElement::Custom(CustomElem { data: data.into(), ..CustomElem::default() })
    }
}

/// The text of a body's text elements, joined; `None` when it has none.
pub fn body_text(body: &[MsgElement]) -> Option<String> {
    let parts: Vec<&str> = body
        .iter()
        .filter_map(|e| match e {
            MsgElement::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.concat())
}

/// The `Data` of a body's custom element, if it has one (a message may carry only one).
pub fn body_custom_data(body: &[MsgElement]) -> Option<&str> {
    body.iter().find_map(|e| match e {
        MsgElement::Custom(c) => Some(c.data.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_round_trip_in_tencents_shape() {
        let body: Vec<MsgElement> = serde_json::from_str(
            r#"[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}},
                {"MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Data":"content"}},
                {"MsgType":"TIMCustomElem","MsgContent":{"Data":"{\"businessID\":\"like\"}","Desc":"d"}}]"#,
        )
        .unwrap();
        assert_eq!(body_text(&body).as_deref(), Some("red packet"));
        assert_eq!(body_custom_data(&body), Some("{\"businessID\":\"like\"}"));
        let json = serde_json::to_value(&body[2]).unwrap();
        assert_eq!(json["MsgType"], "TIMCustomElem");
        assert_eq!(json["MsgContent"]["Desc"], "d");
        assert!(json["MsgContent"].get("Ext").is_none(), "empty optional fields are omitted");
    }
}
