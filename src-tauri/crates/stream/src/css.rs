//! The CSS API 3.0 client (tencent-cloud.md §7): the five stream actions AnchorDesk needs —
//! `DescribeLiveStreamState`, `DescribeLiveStreamOnlineList`, `DropLiveStream`, `ForbidLiveStream`,
//! `ResumeLiveStream` — shaped like the IM client: a builder with an overridable endpoint and timeout,
//! a scoped handle per stream (`css.stream(domain, app, name).state()`), request types that are the
//! serialized body with Tencent's exact field names, and an error that keeps Tencent's `Code`,
//! `Message` and `RequestId` with what to do about them.
//!
//! Every call is `POST {endpoint}/` with a JSON body, `Content-Type: application/json; charset=utf-8`,
//! `Host`, `X-TC-Action`, `X-TC-Version: 2018-08-01`, `X-TC-Timestamp`, `X-TC-Region` when a region is
//! set (the live APIs do not need one), and a TC3-HMAC-SHA256 `Authorization` over `content-type;host`.
//!
//! **Retries.** Transport failures, HTTP 5xx, Tencent's internal and "call other service" errors and
//! `RequestLimitExceeded` are retried with backoff, re-signed each time with a fresh timestamp and the
//! same body. All five actions are retried, because each one names its end state rather than a change:
//! the two reads change nothing; `DropLiveStream` succeeds on a stream that is already inactive;
//! `ResumeLiveStream` on one that is not forbidden; `ForbidLiveStream` carries an absolute
//! `ResumeTime`, computed once before the first attempt (never "now + duration" per attempt), so a
//! repeated forbid forbids until the same instant. The one thing a retry can do that the first attempt
//! did not is drop a push that the anchor restarted in the second between the two — which is what the
//! caller asked for in any case. Authentication, parameter and not-found errors are never retried.
//!
//! Left out: the GET form, temporary credentials (`X-TC-Token`), and every other live action.

use std::sync::Arc;
use std::time::Duration;

use im::Secret;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::tc3;

/// The China-site endpoint. The international site documents `live.intl.tencentcloudapi.com`.
pub const DEFAULT_ENDPOINT: &str = "https://live.tencentcloudapi.com";
/// The API version of the live (CSS) actions.
pub const VERSION: &str = "2018-08-01";
/// The service name in the signature's credential scope.
pub const SERVICE: &str = "live";
/// The content type the client sends (and signs).
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// `ForbidLiveStream` refuses a ban longer than this (tencent-cloud.md §7.2).
pub const MAX_FORBID_SECS: u64 = 90 * 86_400;
/// `ForbidLiveStream`'s `Reason` is at most this many bytes.
pub const MAX_REASON_BYTES: usize = 2048;

/// How long one attempt may take before it counts as a transport failure.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Three retries: 100, 200 and 400 ms of backoff (500, 1000, 2000 ms when throttled), plus jitter.
const DEFAULT_ATTEMPTS: u32 = 4;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Tencent answered with `Response.Error`.
    #[error("Tencent CSS refused {action}: {code} ({message}; RequestId {request_id})")]
    Api { action: &'static str, code: String, message: String, request_id: String },
    /// The request never got an answer (connection refused, timeout, TLS).
    #[error("could not reach the CSS API for {action}: {source}")]
    Transport {
        action: &'static str,
        #[source]
        source: reqwest::Error,
    },
    /// A gateway answered with a non-200 status.
    #[error("the CSS API's gateway answered HTTP {status} for {action}")]
    Http { action: &'static str, status: u16 },
    /// The body was not the documented shape.
    #[error("unexpected answer from the CSS API for {action}: {detail}")]
    Decode { action: &'static str, detail: String },
    /// Refused before sending: the request breaks a documented rule.
    #[error("{0}")]
    Invalid(String),
}

/// What a caller can do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Try again later, with backoff (the client already did).
    Retryable,
    /// Tencent's request limit: back off (the client already did).
    Throttled,
    /// Credentials, the clock, the domain or the account are wrong; a person must fix them.
    Config,
    /// The request was invalid (a bug or bad input).
    Invalid,
    /// Not allowed for these credentials or this account.
    Forbidden,
    /// The stream (or another resource) does not exist or is not live.
    NotFound,
    /// Anything else.
    Other,
}

/// Classifies an API 3.0 error code (tencent-cloud.md §7.1 and the live-specific codes).
pub fn kind_of_code(code: &str) -> ErrorKind {
    match code {
        "InternalError"
        | "InternalError.SystemError"
        | "InternalError.NetworkError"
        | "InternalError.CallOtherSvrError"
        | "InternalError.ConnectDbError"
        | "InternalError.DBError"
        | "FailedOperation.CallOtherSvrFailed"
        | "ServiceUnavailable" => ErrorKind::Retryable,
        "RequestLimitExceeded" | "LimitExceeded.RateLimitExceeded" => ErrorKind::Throttled,
        "AuthFailure.UnauthorizedOperation" | "UnauthorizedOperation" | "InternalError.NotPermmitOperat" => {
            ErrorKind::Forbidden
        }
        c if c.starts_with("AuthFailure") => ErrorKind::Config,
        c if c.starts_with("ResourceNotFound.Domain")
            || c.starts_with("ResourceNotFound.PushDomain")
            || c.starts_with("ResourceNotFound.User")
            || matches!(
                c,
                "ResourceNotFound.ForbidService" | "ResourceNotFound.FreezeService" | "ResourceNotFound.StopService"
            ) =>
        {
            ErrorKind::Config
        }
        c if c.starts_with("ResourceNotFound")
            || c.starts_with("ResourceUnavailable.StreamNotExist")
            || c == "FailedOperation.StreamNotExist"
            || c == "InternalError.HasNotLivingStream"
            || c == "FailedOperation.HasNotLivingStream" =>
        {
            ErrorKind::NotFound
        }
        c if c.starts_with("InvalidParameter")
            || c.starts_with("MissingParameter")
            || c.starts_with("UnknownParameter")
            || c == "InvalidAction"
            || c == "NoSuchVersion" =>
        {
            ErrorKind::Invalid
        }
        c if c.starts_with("UnsupportedOperation") => ErrorKind::Forbidden,
        _ => ErrorKind::Other,
    }
}

/// What a person should do about an API 3.0 error code.
pub fn advice_for_code(code: &str) -> &'static str {
    match code {
        "AuthFailure.SignatureFailure" | "AuthFailure.InvalidAuthorization" => {
            "The SecretKey does not match the SecretId; copy both again from the Tencent Cloud API key console."
        }
        "AuthFailure.SignatureExpire" => {
            "This computer's clock is more than 5 minutes off; set the clock right (enable automatic time)."
        }
        "AuthFailure.SecretIdNotFound" | "AuthFailure.InvalidSecretId" => {
            "The SecretId does not exist or was disabled; check it in the Tencent Cloud API key console."
        }
        "AuthFailure.UnauthorizedOperation" | "UnauthorizedOperation" | "InternalError.NotPermmitOperat" => {
            "These API keys may not call this CSS action; grant the live permissions to the sub-account in CAM."
        }
        "RequestLimitExceeded" | "LimitExceeded.RateLimitExceeded" => {
            "Tencent is throttling CSS API calls; AnchorDesk backs off and retries."
        }
        "ResourceNotFound.DomainNotExist"
        | "ResourceNotFound.PushDomainNoRecord"
        | "InternalError.PushDomainNoRecord" => {
            "The push domain is not on this account; use the push domain shown in the CSS console's domain list."
        }
        "ResourceNotFound.UserNotExist" | "ResourceNotFound.UserNotFount" => {
            "CSS is not activated for this account; activate Cloud Streaming Services in the console."
        }
        c if c.starts_with("ResourceNotFound.") && c.ends_with("Service") => {
            "The account's CSS service is stopped or frozen; check billing in the Tencent Cloud console."
        }
        c if kind_of_code(c) == ErrorKind::Retryable => "Tencent failed internally; AnchorDesk retries.",
        c if kind_of_code(c) == ErrorKind::NotFound => "The stream is not live (or does not exist).",
        c if kind_of_code(c) == ErrorKind::Invalid => {
            "The request was refused as invalid; check the domain, AppName and stream name."
        }
        _ => "See the error code in the CSS API's error-code list.",
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { code, .. } => kind_of_code(code),
            Error::Transport { .. } => ErrorKind::Retryable,
            Error::Http { status, .. } if *status >= 500 => ErrorKind::Retryable,
            Error::Http { .. } | Error::Decode { .. } => ErrorKind::Other,
            Error::Invalid(_) => ErrorKind::Invalid,
        }
    }

    /// What to do about this error (for logs and the console's error text).
    pub fn advice(&self) -> &'static str {
        match self {
            Error::Api { code, .. } => advice_for_code(code),
            Error::Transport { .. } => "The CSS API could not be reached; check the network and the endpoint.",
            Error::Http { .. } => "The CSS API's gateway failed; AnchorDesk retries.",
            Error::Decode { .. } => "The CSS API answered in an unexpected form; this may be a bug in AnchorDesk.",
            Error::Invalid(_) => "Fix the request as the message says.",
        }
    }

    /// Tencent's error code, when Tencent gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the client retries this error on its own.
    pub fn is_retried(&self) -> bool {
        matches!(self.kind(), ErrorKind::Retryable | ErrorKind::Throttled)
    }
}

/// One API 3.0 action: its name and its answer.
pub trait Action: Serialize {
    const NAME: &'static str;
    type Response: DeserializeOwned;
    /// Refuses, before sending, what Tencent would refuse.
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

/// `StreamState` of `DescribeLiveStreamState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamState {
    /// Pushing now.
    Active,
    /// Not pushing.
    Inactive,
    /// Forbidden by `ForbidLiveStream` until its resume time.
    Forbid,
}

impl StreamState {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamState::Active => "active",
            StreamState::Inactive => "inactive",
            StreamState::Forbid => "forbid",
        }
    }
}

impl std::fmt::Display for StreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn check_stream(domain: &str, app: &str, name: &str) -> Result<()> {
    if domain.is_empty() || !domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
        return Err(Error::Invalid(format!(
            "DomainName {domain:?} is not a push domain: give the domain alone, e.g. 1234.livepush.myqcloud.com"
        )));
    }
    if app.is_empty() || !app.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::Invalid(format!(
            "AppName {app:?} is not valid: use letters, digits, '-' or '_' (default: live)"
        )));
    }
    crate::validate_stream_name(name).map_err(|e| Error::Invalid(e.to_string()))
}

macro_rules! stream_action {
    ($(#[$doc:meta])* $name:ident, $response:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            /// The push path's AppName (`live` by default).
            pub app_name: String,
            /// The **push** domain.
            pub domain_name: String,
            pub stream_name: String,
        }

        impl Action for $name {
            const NAME: &'static str = stringify!($name);
            type Response = $response;
            fn check(&self) -> Result<()> {
                check_stream(&self.domain_name, &self.app_name, &self.stream_name)
            }
        }
    };
}

stream_action!(
    /// `DescribeLiveStreamState`: active, inactive or forbid (300 calls/s).
    DescribeLiveStreamState,
    DescribeLiveStreamStateResponse
);
stream_action!(
    /// `DropLiveStream`: disconnects the push now; the host can push again. Succeeds on an inactive stream.
    DropLiveStream,
    Ack
);
stream_action!(
    /// `ResumeLiveStream`: lifts a `ForbidLiveStream`.
    ResumeLiveStream,
    Ack
);

/// `ForbidLiveStream`: refuses pushes of this stream until `ResumeTime` (default 7 days, at most 90).
/// By default CSS matches the stream name only, whatever the domain and AppName.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForbidLiveStream {
    pub app_name: String,
    pub domain_name: String,
    pub stream_name: String,
    /// UTC ISO-8601, e.g. `2018-11-29T19:00:00Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_time: Option<String>,
    /// At most 2048 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Action for ForbidLiveStream {
    const NAME: &'static str = "ForbidLiveStream";
    type Response = Ack;
    fn check(&self) -> Result<()> {
        check_stream(&self.domain_name, &self.app_name, &self.stream_name)?;
        if let Some(t) = &self.resume_time {
            parse_utc(t).map_err(Error::Invalid)?;
        }
        if let Some(r) = &self.reason {
            if r.len() > MAX_REASON_BYTES {
                return Err(Error::Invalid(format!(
                    "the forbid Reason is {} bytes; CSS allows at most {MAX_REASON_BYTES}",
                    r.len()
                )));
            }
        }
        Ok(())
    }
}

/// `DescribeLiveStreamOnlineList`: the streams pushing now, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLiveStreamOnlineList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// From 1 (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_num: Option<u64>,
    /// 10 to 300,000 on the China site (10 to 100 on the international one); 10 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u64>,
    /// An exact stream name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_name: Option<String>,
}

impl Action for DescribeLiveStreamOnlineList {
    const NAME: &'static str = "DescribeLiveStreamOnlineList";
    type Response = DescribeLiveStreamOnlineListResponse;
    fn check(&self) -> Result<()> {
        if self.page_num == Some(0) {
            return Err(Error::Invalid("PageNum starts at 1".into()));
        }
        if let Some(n) = self.page_size.filter(|n| !(10..=300_000).contains(n)) {
            return Err(Error::Invalid(format!(
                "PageSize must be 10 to 300000 (100 on the international site), not {n}"
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLiveStreamStateResponse {
    pub stream_state: StreamState,
    pub request_id: String,
}

/// The answer of an action that returns nothing but its `RequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ack {
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLiveStreamOnlineListResponse {
    pub total_num: u64,
    pub total_page: u64,
    pub page_num: u64,
    pub page_size: u64,
    #[serde(default)]
    pub online_info: Vec<StreamOnlineInfo>,
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamOnlineInfo {
    pub stream_name: String,
    #[serde(default)]
    pub app_name: String,
    #[serde(default)]
    pub domain_name: String,
    #[serde(default)]
    pub publish_time_list: Vec<PublishTime>,
    /// Newer docs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_to_delay: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishTime {
    /// UTC, e.g. `2018-06-29T19:00:00Z`.
    pub publish_time: String,
}

/// Formats unix seconds as CSS writes times: UTC ISO-8601 with `Z`, e.g. `2018-11-29T19:00:00Z`.
pub fn format_utc(unix_secs: u64) -> String {
    let at = i64::try_from(unix_secs)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    at.format(&time::format_description::well_known::Rfc3339).expect("a whole-second UTC time formats")
}

/// Parses a CSS time (`2018-11-29T19:00:00Z`, or with an offset) into unix seconds.
pub fn parse_utc(text: &str) -> std::result::Result<u64, String> {
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("{text:?} is not a UTC ISO-8601 time like 2018-11-29T19:00:00Z ({e})"))?;
    u64::try_from(at.unix_timestamp()).map_err(|_| format!("{text:?} is before 1970"))
}

/// The unix-seconds clock the signature's timestamp comes from.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

pub struct CssClientBuilder {
    endpoint: String,
    region: Option<String>,
    secret_id: String,
    secret_key: Secret,
    timeout: Duration,
    attempts: u32,
    clock: Clock,
}

impl CssClientBuilder {
    /// `live.tencentcloudapi.com` (the default), `live.intl.tencentcloudapi.com`, or any base URL such as
    /// a sandbox's `http://127.0.0.1:PORT`. A bare host means HTTPS.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// Sent as `X-TC-Region` (e.g. `ap-guangzhou`); the live actions do not need it.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into()).filter(|r| !r.is_empty());
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

    /// Where `X-TC-Timestamp` comes from (default: the system clock). A test uses it to act as a machine
    /// whose clock is off.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn build(self) -> Result<CssClient> {
        let with_scheme =
            if self.endpoint.contains("://") { self.endpoint.clone() } else { format!("https://{}", self.endpoint) };
        let url = reqwest::Url::parse(&with_scheme)
            .map_err(|e| Error::Invalid(format!("the CSS endpoint {:?} is not a URL: {e}", self.endpoint)))?;
        if !matches!(url.scheme(), "http" | "https") || url.path() != "/" || url.query().is_some() {
            return Err(Error::Invalid(format!(
                "the CSS endpoint {:?} must be a host or an http(s)://host[:port] base URL with no path",
                self.endpoint
            )));
        }
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(Error::Invalid(format!("the CSS endpoint {:?} has no host", self.endpoint))),
        };
        if self.secret_id.trim().is_empty() || self.secret_key.expose().trim().is_empty() {
            return Err(Error::Invalid("the CSS API needs a SecretId and a SecretKey (API key console)".into()));
        }
        if self.secret_id.trim() != self.secret_id || self.secret_key.expose().trim() != self.secret_key.expose() {
            return Err(Error::Invalid(
                "the SecretId or SecretKey has spaces around it; copy it again without them".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot build the HTTP client: {e}")))?;
        Ok(CssClient {
            inner: Arc::new(Inner {
                http,
                url,
                host,
                region: self.region,
                secret_id: self.secret_id,
                secret_key: self.secret_key,
                attempts: self.attempts,
                clock: self.clock,
            }),
        })
    }
}

struct Inner {
    http: reqwest::Client,
    url: reqwest::Url,
    /// What `Host` carries and the signature covers: `host[:port]`.
    host: String,
    region: Option<String>,
    secret_id: String,
    secret_key: Secret,
    attempts: u32,
    clock: Clock,
}

/// A cloneable handle to the CSS API, acting with one API key.
#[derive(Clone)]
pub struct CssClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CssClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CssClient")
            .field("endpoint", &self.inner.url.as_str())
            .field("region", &self.inner.region)
            .field("secret_id", &self.inner.secret_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: serde_json::Value,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(rename = "Code")]
    code: String,
    #[serde(rename = "Message", default)]
    message: String,
}

/// Decodes `{"Response": {...}}`: an `Error` inside becomes [`Error::Api`], else the action's answer.
pub fn decode_response<R: DeserializeOwned>(action: &'static str, bytes: &[u8]) -> Result<R> {
    let envelope: Envelope = serde_json::from_slice(bytes)
        .map_err(|e| Error::Decode { action, detail: format!("not a {{\"Response\": …}} JSON object: {e}") })?;
    let request_id = envelope.response.get("RequestId").and_then(|v| v.as_str()).unwrap_or_default().to_string();
    if let Some(err) = envelope.response.get("Error") {
        let err: ApiError = serde_json::from_value(err.clone())
            .map_err(|e| Error::Decode { action, detail: format!("an Error without Code: {e}") })?;
        return Err(Error::Api { action, code: err.code, message: err.message, request_id });
    }
    serde_json::from_value(envelope.response).map_err(|e| Error::Decode { action, detail: e.to_string() })
}

impl CssClient {
    pub fn builder(secret_id: impl Into<String>, secret_key: Secret) -> CssClientBuilder {
        CssClientBuilder {
            endpoint: DEFAULT_ENDPOINT.into(),
            region: None,
            secret_id: secret_id.into(),
            secret_key,
            timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
            clock: Arc::new(im::clock::now_secs),
        }
    }

    pub fn endpoint(&self) -> &str {
        self.inner.url.as_str()
    }

    /// A handle scoped to one stream of one push domain.
    pub fn stream(&self, domain: impl Into<String>, app: impl Into<String>, name: impl Into<String>) -> StreamHandle {
        StreamHandle { client: self.clone(), domain: domain.into(), app: app.into(), name: name.into() }
    }

    /// Sends one action (checked first), retrying what is worth retrying.
    pub async fn send<A: Action>(&self, req: &A) -> Result<A::Response> {
        req.check()?;
        let body = serde_json::to_vec(req).map_err(|e| Error::Invalid(format!("cannot encode {}: {e}", A::NAME)))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send_once::<A::Response>(A::NAME, &body).await {
                Err(e) if e.is_retried() && attempt < self.inner.attempts => {
                    let base = if e.kind() == ErrorKind::Throttled { 500 } else { 100 };
                    let backoff = Duration::from_millis(base * 2u64.pow(attempt - 1) + u64::from(rand::random::<u8>()));
                    tracing::warn!(action = A::NAME, attempt, error = %e, "retrying after {backoff:?}");
                    tokio::time::sleep(backoff).await;
                }
                other => return other,
            }
        }
    }

    async fn send_once<R: DeserializeOwned>(&self, action: &'static str, body: &[u8]) -> Result<R> {
        let inner = &self.inner;
        let timestamp = (inner.clock)();
        let headers = [("Content-Type", CONTENT_TYPE), ("Host", inner.host.as_str())];
        let request = tc3::Request { method: "POST", query: "", headers: &headers, payload: body };
        let authorization =
            tc3::authorization(&inner.secret_id, inner.secret_key.expose(), SERVICE, timestamp, &request);
        let mut http = inner
            .http
            .post(inner.url.clone())
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(reqwest::header::HOST, &inner.host)
            .header("X-TC-Action", action)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header(reqwest::header::AUTHORIZATION, authorization)
            .body(body.to_vec());
        if let Some(region) = &inner.region {
            http = http.header("X-TC-Region", region);
        }
        let resp = http.send().await.map_err(|e| Error::Transport { action, source: e.without_url() })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(Error::Http { action, status: status.as_u16() });
        }
        let bytes = resp.bytes().await.map_err(|e| Error::Transport { action, source: e.without_url() })?;
        decode_response(action, &bytes)
    }

    /// One page of `DescribeLiveStreamOnlineList`.
    pub async fn online_list(
        &self,
        req: &DescribeLiveStreamOnlineList,
    ) -> Result<DescribeLiveStreamOnlineListResponse> {
        self.send(req).await
    }

    /// Every stream pushing now (optionally of one domain and AppName), following the pages.
    pub async fn online_streams(&self, domain: Option<&str>, app: Option<&str>) -> Result<Vec<StreamOnlineInfo>> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let req = DescribeLiveStreamOnlineList {
                domain_name: domain.map(Into::into),
                app_name: app.map(Into::into),
                page_num: Some(page),
                page_size: Some(100),
                stream_name: None,
            };
            let r = self.online_list(&req).await?;
            out.extend(r.online_info);
            if page >= r.total_page {
                return Ok(out);
            }
            page += 1;
        }
    }
}

/// A handle on one stream: `DomainName`, `AppName`, `StreamName`.
#[derive(Clone, Debug)]
pub struct StreamHandle {
    client: CssClient,
    domain: String,
    app: String,
    name: String,
}

impl StreamHandle {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub async fn state(&self) -> Result<StreamState> {
        let req = DescribeLiveStreamState {
            app_name: self.app.clone(),
            domain_name: self.domain.clone(),
            stream_name: self.name.clone(),
        };
        Ok(self.client.send(&req).await?.stream_state)
    }

    /// Disconnects the push now (`DropLiveStream`); the anchor can push again.
    pub async fn drop_push(&self) -> Result<()> {
        let req = DropLiveStream {
            app_name: self.app.clone(),
            domain_name: self.domain.clone(),
            stream_name: self.name.clone(),
        };
        self.client.send(&req).await.map(|_| ())
    }

    /// Refuses pushes until `until` (unix seconds; CSS's default of 7 days when `None`, at most 90 days
    /// from now).
    pub async fn forbid(&self, until: Option<u64>, reason: Option<&str>) -> Result<()> {
        let now = (self.client.inner.clock)();
        if let Some(t) = until {
            if t <= now {
                return Err(Error::Invalid("the forbid's resume time must be in the future".into()));
            }
            if t - now > MAX_FORBID_SECS {
                return Err(Error::Invalid("CSS forbids a stream for at most 90 days".into()));
            }
        }
        let req = ForbidLiveStream {
            app_name: self.app.clone(),
            domain_name: self.domain.clone(),
            stream_name: self.name.clone(),
            resume_time: until.map(format_utc),
            reason: reason.map(Into::into),
        };
        self.client.send(&req).await.map(|_| ())
    }

    /// Lifts a forbid (`ResumeLiveStream`).
    pub async fn resume(&self) -> Result<()> {
        let req = ResumeLiveStream {
            app_name: self.app.clone(),
            domain_name: self.domain.clone(),
            stream_name: self.name.clone(),
        };
        self.client.send(&req).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_serialize_with_tencents_field_names() {
        let req = ForbidLiveStream {
            app_name: "live".into(),
            domain_name: "5000.livepush.myqcloud.com".into(),
            stream_name: "s1".into(),
            resume_time: Some(format_utc(1543518000)),
            reason: None,
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            serde_json::json!({"AppName": "live", "DomainName": "5000.livepush.myqcloud.com", "StreamName": "s1",
                               "ResumeTime": "2018-11-29T19:00:00Z"}),
            "PascalCase names, UTC with Z, no null for what is not set"
        );
        let list = DescribeLiveStreamOnlineList { page_size: Some(10), ..Default::default() };
        assert_eq!(serde_json::to_value(&list).unwrap(), serde_json::json!({"PageSize": 10}));
    }

    #[test]
    fn an_error_response_keeps_code_message_and_request_id() {
        let body =
            br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad sig"},"RequestId":"r-1"}}"#;
        let e = decode_response::<Ack>("DropLiveStream", body).unwrap_err();
        match &e {
            Error::Api { code, message, request_id, .. } => {
                assert_eq!(
                    (code.as_str(), message.as_str(), request_id.as_str()),
                    ("AuthFailure.SignatureFailure", "bad sig", "r-1")
                )
            }
            other => panic!("expected an API error, got {other:?}"),
        }
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.advice().contains("SecretKey"), "{}", e.advice());
        assert!(!e.is_retried(), "a bad signature would fail again");
    }

    #[test]
    fn a_success_response_decodes_the_state() {
        let body = br#"{"Response":{"StreamState":"forbid","RequestId":"r-2"}}"#;
        let r: DescribeLiveStreamStateResponse = decode_response("DescribeLiveStreamState", body).unwrap();
        assert_eq!(r.stream_state, StreamState::Forbid);
        assert!(decode_response::<Ack>("DropLiveStream", b"<html>").is_err());
    }

    #[test]
    fn transient_codes_are_retried_and_mistakes_are_not() {
        for code in
            ["InternalError", "InternalError.SystemError", "RequestLimitExceeded", "FailedOperation.CallOtherSvrFailed"]
        {
            assert!(kind_of_code(code) == ErrorKind::Retryable || kind_of_code(code) == ErrorKind::Throttled, "{code}");
        }
        let expected = [
            ("AuthFailure.SignatureExpire", ErrorKind::Config),
            ("AuthFailure.SecretIdNotFound", ErrorKind::Config),
            ("AuthFailure.UnauthorizedOperation", ErrorKind::Forbidden),
            ("InvalidParameterValue", ErrorKind::Invalid),
            ("MissingParameter", ErrorKind::Invalid),
            ("ResourceNotFound", ErrorKind::NotFound),
            ("ResourceNotFound.DomainNotExist", ErrorKind::Config),
            ("InternalError.NotPermmitOperat", ErrorKind::Forbidden),
            ("UnsupportedOperation", ErrorKind::Forbidden),
        ];
        for (code, kind) in expected {
            assert_eq!(kind_of_code(code), kind, "{code}");
        }
        assert!(advice_for_code("AuthFailure.SignatureExpire").contains("clock"));
    }

    #[test]
    fn bad_input_is_refused_before_sending_with_what_to_fix() {
        let state = |d: &str, a: &str, n: &str| DescribeLiveStreamState {
            app_name: a.into(),
            domain_name: d.into(),
            stream_name: n.into(),
        };
        let e = state("rtmp://x.livepush.myqcloud.com/live", "live", "s").check().unwrap_err().to_string();
        assert!(e.contains("domain alone"), "{e}");
        assert!(state("x.com", "li ve", "s").check().unwrap_err().to_string().contains("AppName"));
        assert!(state("x.com", "live", "a b").check().unwrap_err().to_string().contains("letters, digits"));
        let forbid = ForbidLiveStream {
            app_name: "live".into(),
            domain_name: "x.com".into(),
            stream_name: "s".into(),
            resume_time: Some("tomorrow".into()),
            reason: None,
        };
        assert!(forbid.check().unwrap_err().to_string().contains("2018-11-29T19:00:00Z"));
        let list = DescribeLiveStreamOnlineList { page_size: Some(5), ..Default::default() };
        assert!(list.check().unwrap_err().to_string().contains("PageSize"));
    }

    #[test]
    fn times_are_utc_with_z_and_parse_back() {
        assert_eq!(format_utc(1543518000), "2018-11-29T19:00:00Z");
        assert_eq!(parse_utc("2018-11-29T19:00:00Z"), Ok(1543518000));
        assert_eq!(parse_utc("2018-11-30T03:00:00+08:00"), Ok(1543518000));
    }

    #[test]
    fn the_client_never_shows_its_secret_key() {
        let c = CssClient::builder("AKIDexample", Secret::new("very-secret-key")).build().unwrap();
        assert!(!format!("{c:?}").contains("very-secret"), "Debug must not print the SecretKey");
        assert_eq!(c.endpoint(), "https://live.tencentcloudapi.com/");
    }

    #[test]
    fn endpoints_are_hosts_or_base_urls() {
        let b = |e: &str| CssClient::builder("id", Secret::new("key")).endpoint(e).build();
        assert_eq!(b("live.intl.tencentcloudapi.com").unwrap().inner.host, "live.intl.tencentcloudapi.com");
        assert_eq!(b("http://127.0.0.1:9000").unwrap().inner.host, "127.0.0.1:9000");
        assert!(b("http://127.0.0.1:9000/v4").unwrap_err().to_string().contains("no path"));
        assert!(CssClient::builder(" id", Secret::new("key")).build().is_err(), "spaces around a key are refused");
    }
}
