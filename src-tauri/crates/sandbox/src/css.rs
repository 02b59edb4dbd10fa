//! The CSS API 3.0 surface (tencent-cloud.md §7): `POST /` on the sandbox's HTTP listener, so a CSS
//! client only has to point its endpoint at the sandbox's base URL.
//!
//! Checks run in Tencent's order and every answer is HTTP 200 with Tencent's `{"Response": {...}}`:
//! the common headers (`X-TC-Action`, `X-TC-Version` = `2018-08-01`, `X-TC-Timestamp`: a missing one is
//! `MissingParameter`, an unknown version `NoSuchVersion`), the `Authorization` header
//! (`AuthFailure.InvalidAuthorization` when it cannot be read or does not sign `content-type` and
//! `host`), the SecretId (`AuthFailure.SecretIdNotFound`), the timestamp (`AuthFailure.SignatureExpire`
//! past 5 minutes either way), the TC3-HMAC-SHA256 signature recomputed over the headers it names and
//! the exact body bytes (`AuthFailure.SignatureFailure`), then the action (`InvalidAction`) and its
//! parameters (`UnknownParameter`, `MissingParameter`, `InvalidParameter` for a wrong type,
//! `InvalidParameterValue` for a wrong value). The five stream actions act on the ingest's state.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use im::Secret;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use stream::css::{self, StreamState};
use stream::tc3;

use crate::world::now_secs;
use crate::Shared;

/// The CSS side's configuration: the push domain the sandbox stands in for, its API key and push keys,
/// and where the RTMP ingest listens.
#[derive(Clone, Debug)]
pub struct CssConfig {
    /// The push domain (`DomainName` in API calls). Pushes reach the ingest at `rtmp_listen` whatever
    /// host their URL names, as a CNAME'd push domain reaches CSS.
    pub push_domain: String,
    /// The AppName the sandbox's addresses use (CSS's default: `live`). The ingest accepts any valid
    /// AppName, as CSS now lets one choose it.
    pub app_name: String,
    /// The API key's SecretId (`AKID…`).
    pub secret_id: String,
    pub secret_key: Secret,
    /// The push-authentication primary key.
    pub push_key: Secret,
    /// The optional backup key (either key's txSecret is accepted).
    pub backup_push_key: Option<Secret>,
    /// Where the RTMP ingest listens (default `127.0.0.1:0`: a free port).
    pub rtmp_listen: std::net::SocketAddr,
    /// How far `X-TC-Timestamp` may be from the sandbox's clock (Tencent: 5 minutes).
    pub max_clock_skew_secs: u64,
    /// A push with no data for this long is disconnected (and a connection that has not published).
    pub idle_timeout: std::time::Duration,
}

fn random_alnum(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes).map(|_| format!("{:02x}", rng.gen::<u8>())).collect()
}

impl CssConfig {
    /// Fresh credentials shaped like Tencent's: a 36-character `AKID…` SecretId, a 32-character
    /// SecretKey, and 32-hex-digit push keys like the documented example's.
    pub fn generate() -> Self {
        Self {
            push_domain: format!("{}.livepush.myqcloud.com", rand::thread_rng().gen_range(100_000..999_999)),
            app_name: "live".into(),
            secret_id: format!("AKID{}", random_alnum(32)),
            secret_key: Secret::new(random_alnum(32)),
            push_key: Secret::new(random_hex(16)),
            backup_push_key: Some(Secret::new(random_hex(16))),
            rtmp_listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            max_clock_skew_secs: tc3::MAX_CLOCK_SKEW_SECS,
            idle_timeout: std::time::Duration::from_secs(20),
        }
    }
}

/// What an operator needs to point a CSS client and an encoder at the sandbox. Serialized in full (for
/// `anchordesk sandbox --json`); `Debug` masks the keys.
#[derive(Clone, Serialize, Deserialize)]
pub struct CssCredentials {
    /// The CSS API endpoint (the sandbox's base URL).
    pub endpoint: String,
    pub secret_id: String,
    pub secret_key: String,
    pub push_domain: String,
    pub app_name: String,
    pub push_key: String,
    pub backup_push_key: Option<String>,
    /// OBS's "Server": `rtmp://127.0.0.1:PORT/{AppName}/`.
    pub rtmp_url: String,
}

impl std::fmt::Debug for CssCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CssCredentials")
            .field("endpoint", &self.endpoint)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"***")
            .field("push_domain", &self.push_domain)
            .field("app_name", &self.app_name)
            .field("push_key", &"***")
            .field("backup_push_key", &self.backup_push_key.as_ref().map(|_| "***"))
            .field("rtmp_url", &self.rtmp_url)
            .finish()
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().route("/", post(handle)).with_state(shared)
}

type Answer = Result<Value, (&'static str, String)>;

fn request_id() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        rng.gen::<u32>(),
        rng.gen::<u16>(),
        rng.gen::<u16>() & 0x0fff,
        (rng.gen::<u16>() & 0x3fff) | 0x8000,
        rng.gen::<u64>() & 0xffff_ffff_ffff
    )
}

fn respond(answer: Answer) -> Json<Value> {
    let id = request_id();
    Json(match answer {
        Ok(mut v) => {
            if let Some(o) = v.as_object_mut() {
                o.insert("RequestId".into(), json!(id));
            }
            json!({"Response": v})
        }
        Err((code, message)) => json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": id}}),
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    respond(answer(&shared, uri.query().unwrap_or(""), &headers, &body))
}

fn answer(shared: &Shared, query: &str, headers: &HeaderMap, body: &[u8]) -> Answer {
    let config = &shared.config.css;
    let Some(action) = header(headers, "x-tc-action").filter(|a| !a.is_empty()) else {
        return Err((
            "MissingParameter",
            "The request is missing the required parameter `Action` (X-TC-Action).".into(),
        ));
    };
    let Some(version) = header(headers, "x-tc-version").filter(|v| !v.is_empty()) else {
        return Err((
            "MissingParameter",
            "The request is missing the required parameter `Version` (X-TC-Version).".into(),
        ));
    };
    if version != css::VERSION {
        return Err((
            "NoSuchVersion",
            format!("The API version `{version}` of live does not exist; use {}.", css::VERSION),
        ));
    }
    let Some(timestamp) = header(headers, "x-tc-timestamp") else {
        return Err((
            "MissingParameter",
            "The request is missing the required parameter `Timestamp` (X-TC-Timestamp).".into(),
        ));
    };
    let Ok(timestamp) = timestamp.parse::<u64>() else {
        return Err(("InvalidParameter", format!("X-TC-Timestamp {timestamp:?} is not unix seconds.")));
    };
    let auth = header(headers, "authorization")
        .ok_or_else(|| "the Authorization header is missing".to_string())
        .and_then(tc3::parse_authorization)
        .map_err(|e| {
            ("AuthFailure.InvalidAuthorization", format!("Authorization in the request header is invalid: {e}."))
        })?;
    for required in ["content-type", "host"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err((
                "AuthFailure.InvalidAuthorization",
                format!("Authorization in the request header is invalid: SignedHeaders must include {required}."),
            ));
        }
    }
    if auth.secret_id != config.secret_id {
        return Err((
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.".into(),
        ));
    }
    let now = now_secs();
    if now.abs_diff(timestamp) > config.max_clock_skew_secs {
        return Err((
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired: the timestamp {timestamp} is {} s from the server's time {now} (at most {} s).",
                now.abs_diff(timestamp),
                config.max_clock_skew_secs
            ),
        ));
    }
    let mut signed: Vec<(&str, &str)> = Vec::new();
    for name in &auth.signed_headers {
        let Some(value) = header(headers, name) else {
            return Err(("AuthFailure.SignatureFailure", format!("The signed header `{name}` is not in the request.")));
        };
        signed.push((name.as_str(), value));
    }
    let request = tc3::Request { method: "POST", query, headers: &signed, payload: body };
    let canonical = tc3::canonical_request(&request);
    let expected = tc3::signature(
        config.secret_key.expose(),
        &tc3::utc_date(timestamp),
        css::SERVICE,
        &tc3::string_to_sign(timestamp, css::SERVICE, &canonical.request),
    );
    let scope_ok = auth.date == tc3::utc_date(timestamp) && auth.service == css::SERVICE;
    if !scope_ok || !im::secret::constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err((
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.".into(),
        ));
    }
    let params = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => o,
        _ => return Err(("InvalidParameter", "The request body must be a JSON object.".into())),
    };
    match action {
        "DescribeLiveStreamState" => describe_state(shared, &params),
        "DescribeLiveStreamOnlineList" => online_list(shared, &params),
        "DropLiveStream" => drop_stream(shared, &params),
        "ForbidLiveStream" => forbid(shared, &params),
        "ResumeLiveStream" => resume(shared, &params),
        other => Err(("InvalidAction", format!("The action `{other}` does not exist in live {}.", css::VERSION))),
    }
}

/// The parameters of one call, checked against the action's list: unknown names, missing required
/// ones and wrong types are refused the way Tencent refuses them.
struct Params<'a> {
    params: &'a Map<String, Value>,
}

impl<'a> Params<'a> {
    fn new(params: &'a Map<String, Value>, known: &[&str]) -> Result<Self, (&'static str, String)> {
        if let Some(unknown) = params.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(("UnknownParameter", format!("The parameter `{unknown}` is not recognized.")));
        }
        Ok(Self { params })
    }

    fn string(&self, name: &str) -> Result<Option<&'a str>, (&'static str, String)> {
        match self.params.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(("InvalidParameter", format!("The parameter `{name}` must be a String."))),
        }
    }

    fn required(&self, name: &str) -> Result<&'a str, (&'static str, String)> {
        self.string(name)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ("MissingParameter", format!("The request is missing the required parameter `{name}`.")))
    }

    fn integer(&self, name: &str) -> Result<Option<u64>, (&'static str, String)> {
        match self.params.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| ("InvalidParameter", format!("The parameter `{name}` must be an Integer."))),
        }
    }
}

/// The domain must be the sandbox's push domain (the only one "on the account").
fn check_domain(shared: &Shared, domain: &str) -> Result<(), (&'static str, String)> {
    if domain == shared.config.css.push_domain {
        Ok(())
    } else {
        Err(("ResourceNotFound.DomainNotExist", format!("The domain `{domain}` does not exist or does not match.")))
    }
}

/// `AppName`, `DomainName`, `StreamName`: all three required.
fn stream_params<'a>(
    shared: &Shared,
    params: &'a Map<String, Value>,
    extra: &[&str],
) -> Result<(Params<'a>, &'a str, &'a str), (&'static str, String)> {
    let known: Vec<&str> = ["AppName", "DomainName", "StreamName"].into_iter().chain(extra.iter().copied()).collect();
    let p = Params::new(params, &known)?;
    let app = p.required("AppName")?;
    let domain = p.required("DomainName")?;
    let name = p.required("StreamName")?;
    check_domain(shared, domain)?;
    Ok((p, app, name))
}

fn describe_state(shared: &Shared, params: &Map<String, Value>) -> Answer {
    let (_, app, name) = stream_params(shared, params, &[])?;
    let state: StreamState = shared.ingest.state(app, name, now_secs());
    Ok(json!({"StreamState": state}))
}

fn online_list(shared: &Shared, params: &Map<String, Value>) -> Answer {
    let p = Params::new(params, &["DomainName", "AppName", "PageNum", "PageSize", "StreamName"])?;
    if let Some(domain) = p.string("DomainName")?.filter(|d| !d.is_empty()) {
        check_domain(shared, domain)?;
    }
    let app = p.string("AppName")?.filter(|a| !a.is_empty());
    let only = p.string("StreamName")?.filter(|s| !s.is_empty());
    let page_num = p.integer("PageNum")?.unwrap_or(1);
    let page_size = p.integer("PageSize")?.unwrap_or(10);
    if page_num == 0 {
        return Err(("InvalidParameterValue", "PageNum must be at least 1.".into()));
    }
    if !(10..=300_000).contains(&page_size) {
        return Err(("InvalidParameterValue", format!("PageSize must be 10 to 300000, not {page_size}.")));
    }
    let mut live = shared.ingest.live();
    live.retain(|s| app.is_none_or(|a| s.app_name == a) && only.is_none_or(|n| s.stream_name == n));
    live.sort_by(|a, b| (a.publish_time, &a.stream_name).cmp(&(b.publish_time, &b.stream_name)));
    let total = live.len() as u64;
    let domain = &shared.config.css.push_domain;
    let page: Vec<Value> = live
        .iter()
        .skip(((page_num - 1) * page_size) as usize)
        .take(page_size as usize)
        .map(|s| {
            json!({
                "StreamName": s.stream_name,
                "AppName": s.app_name,
                "DomainName": domain,
                "PublishTimeList": [{"PublishTime": css::format_utc(s.publish_time)}],
                "PushToDelay": 0,
            })
        })
        .collect();
    Ok(json!({
        "TotalNum": total,
        "TotalPage": total.div_ceil(page_size),
        "PageNum": page_num,
        "PageSize": page_size,
        "OnlineInfo": page,
    }))
}

fn drop_stream(shared: &Shared, params: &Map<String, Value>) -> Answer {
    let (_, app, name) = stream_params(shared, params, &[])?;
    // Succeeds on an inactive stream too (tencent-cloud.md §7.2).
    shared.ingest.disconnect(app, name);
    Ok(json!({}))
}

fn forbid(shared: &Shared, params: &Map<String, Value>) -> Answer {
    let (p, _app, name) = stream_params(shared, params, &["ResumeTime", "Reason"])?;
    let now = now_secs();
    let until = match p.string("ResumeTime")?.filter(|t| !t.is_empty()) {
        None => now + crate::ingest::DEFAULT_FORBID_SECS,
        Some(t) => {
            let until = css::parse_utc(t).map_err(|e| ("InvalidParameterValue", format!("ResumeTime: {e}.")))?;
            if until <= now {
                return Err(("InvalidParameterValue", format!("ResumeTime {t} is not in the future.")));
            }
            if until - now > css::MAX_FORBID_SECS {
                return Err(("InvalidParameterValue", format!("ResumeTime {t} is more than 90 days away.")));
            }
            until
        }
    };
    if let Some(reason) = p.string("Reason")? {
        if reason.len() > css::MAX_REASON_BYTES {
            return Err(("InvalidParameterValue", format!("Reason is {} bytes, over 2048.", reason.len())));
        }
    }
    shared.ingest.forbid(name, until);
    Ok(json!({}))
}

fn resume(shared: &Shared, params: &Map<String, Value>) -> Answer {
    let (_, _app, name) = stream_params(shared, params, &[])?;
    shared.ingest.resume(name);
    Ok(json!({}))
}
