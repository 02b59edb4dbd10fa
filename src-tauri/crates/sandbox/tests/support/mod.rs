//! What the contract tests need around the sandbox: a sandbox on port 0, a business server that
//! records every callback and answers as told, an admin client, a counting proxy (to see how many
//! requests a typed call really made), a recorder of deliveries, and raw HTTP for requests the typed
//! client would never send.
#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anchordesk_sandbox::{CallbackTarget, Delivered, Sandbox, SandboxConfig};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use im::{ImClient, Secret};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The callback token the business server and the sandbox share.
pub const TOKEN: &str = "contract-token";

/// The longest any test waits for something that should happen at once.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A sandbox configuration with a fixed seed, so each run makes the same random choices.
pub fn config() -> SandboxConfig {
    let mut c = SandboxConfig::generate();
    c.seed = 20_240_601;
    c
}

/// A running sandbox, stopped when dropped.
pub struct Env {
    pub sandbox: Sandbox,
    pub hook: Option<Hook>,
    cancel: CancellationToken,
}

impl Drop for Env {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl Env {
    /// A sandbox with no business server.
    pub async fn start(config: SandboxConfig) -> Self {
        let cancel = CancellationToken::new();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("port 0 is always free");
        let sandbox = Sandbox::start(config, listener, cancel.clone()).await.expect("the sandbox starts");
        Self { sandbox, hook: None, cancel }
    }

    /// A sandbox that calls a fresh recording business server, with callback authentication on.
    pub async fn with_hook(mut config: SandboxConfig) -> Self {
        let hook = Hook::start().await;
        config.callback = Some(CallbackTarget { url: hook.url(), token: Some(Secret::new(TOKEN)) });
        let mut env = Self::start(config).await;
        env.hook = Some(hook);
        env
    }

    pub fn hook(&self) -> &Hook {
        self.hook.as_ref().expect("this sandbox was started with a business server")
    }

    /// The admin client as AnchorDesk builds it (default retries and timeout).
    pub fn im(&self) -> ImClient {
        self.im_with(|b| b)
    }

    pub fn im_with(&self, tweak: impl FnOnce(im::ImClientBuilder) -> im::ImClientBuilder) -> ImClient {
        let builder = ImClient::builder(self.sandbox.sdkappid(), self.sandbox.secret_key().clone())
            .base_url(self.sandbox.base_url());
        tweak(builder).build().expect("the client builds")
    }

    /// A new AVChatRoom through the typed client.
    pub async fn room(&self, name: &str) -> String {
        let req = im::api::CreateGroup { group_type: "AVChatRoom".into(), name: name.into(), ..Default::default() };
        self.im().create_group(&req).await.expect("an AVChatRoom can be created").group_id
    }

    /// A raw admin call: `Ok(answer)` with the whole envelope, or `Err(ErrorCode)`.
    pub async fn raw(&self, path: &'static str, body: Value) -> Result<Value, i64> {
        raw(&self.im(), path, body).await
    }

    /// The query string of a REST call with a UserSig made by `sig`.
    pub fn query(&self, identifier: &str, sig: &im::UserSig) -> String {
        format!(
            "sdkappid={}&identifier={identifier}&usersig={}&random={}&contenttype=json",
            self.sandbox.sdkappid(),
            sig.as_str(),
            rand::random::<u32>()
        )
    }

    /// A valid admin UserSig.
    pub fn admin_sig(&self) -> im::UserSig {
        im::usersig::generate(
            self.sandbox.sdkappid(),
            self.sandbox.secret_key().expose(),
            "administrator",
            86_400,
            im::clock::now_secs(),
        )
    }

    /// POSTs `body` as it is to `v4/{path}?{query}`: the HTTP status and the body as JSON.
    pub async fn post(&self, path: &str, query: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let url = format!("{}/v4/{path}?{query}", self.sandbox.base_url());
        let resp = reqwest::Client::new().post(url).body(body).send().await.expect("the sandbox answers");
        let status = StatusCode::from_u16(resp.status().as_u16()).expect("a valid status");
        let bytes = resp.bytes().await.expect("the answer has a body");
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, value)
    }

    /// Records every delivery from now on.
    pub fn record(&self) -> Deliveries {
        Deliveries::start(&self.sandbox)
    }
}

/// A raw call through `client`: `Ok(answer)` with the whole envelope, or `Err(ErrorCode)`.
pub async fn raw(client: &ImClient, path: &'static str, body: Value) -> Result<Value, i64> {
    match client.call::<_, Value>(path, &body).await {
        Ok(v) => Ok(v),
        Err(e) => Err(e.code().unwrap_or_else(|| panic!("{path} failed without a Tencent code: {e}"))),
    }
}

/// The Tencent code of a typed call's error (panics on success or a non-Tencent error).
pub fn code<T: std::fmt::Debug>(r: im::Result<T>) -> i64 {
    match r {
        Ok(v) => panic!("expected a Tencent error, got success: {v:?}"),
        Err(e) => e.code().unwrap_or_else(|| panic!("expected a Tencent error code, got {e}")),
    }
}

/// Polls `check` until it is true or `PATIENCE` runs out.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `f` and returns its output with how long it took.
pub async fn timed<T>(f: impl Future<Output = T>) -> (T, Duration) {
    let start = Instant::now();
    let out = f.await;
    (out, start.elapsed())
}

/// Every delivery (message or system notification) with the instant it was received.
#[derive(Clone)]
pub struct Deliveries {
    seen: Arc<Mutex<Vec<(Instant, Delivered)>>>,
}

impl Deliveries {
    fn start(sandbox: &Sandbox) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut rx = sandbox.deliveries();
        let sink = seen.clone();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(d) => sink.lock().unwrap().push((Instant::now(), d)),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        panic!("the delivery recorder fell {n} behind; the counts would be wrong")
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        Self { seen }
    }

    /// What `group` received so far.
    pub fn in_group(&self, group: &str) -> Vec<Delivered> {
        self.timed_in_group(group).into_iter().map(|(_, d)| d).collect()
    }

    pub fn timed_in_group(&self, group: &str) -> Vec<(Instant, Delivered)> {
        self.seen.lock().unwrap().iter().filter(|(_, d)| d.group_id == group).cloned().collect()
    }

    /// The texts `group` received, in order.
    pub fn texts(&self, group: &str) -> Vec<String> {
        self.in_group(group).iter().filter_map(|d| im::msg::body_text(&d.body)).collect()
    }

    /// Waits until `group` has received at least `n` deliveries.
    pub async fn wait_for(&self, group: &str, n: usize) -> Vec<Delivered> {
        eventually(&format!("{group} received {n} deliveries"), || self.in_group(group).len() >= n).await;
        self.in_group(group)
    }
}

/// One callback as the business server received it.
#[derive(Clone, Debug)]
pub struct Call {
    pub query: HashMap<String, String>,
    /// The body as raw JSON (`Null` if it was not JSON), so tests see Tencent's field names.
    pub body: Value,
    pub at: Instant,
}

impl Call {
    pub fn command(&self) -> &str {
        self.query.get("CallbackCommand").map(String::as_str).unwrap_or_default()
    }
}

/// How the business server answers one callback command.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    /// `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`: allow.
    pub fn ok() -> Self {
        Self::json(json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}))
    }

    pub fn code(code: i64, info: &str) -> Self {
        Self::json(json!({"ActionStatus": "OK", "ErrorCode": code, "ErrorInfo": info}))
    }

    pub fn json(v: Value) -> Self {
        Self { status: 200, body: v.to_string(), delay: Duration::ZERO }
    }

    /// This HTTP status with an otherwise valid answer.
    pub fn status(status: u16) -> Self {
        Self { status, ..Self::ok() }
    }

    /// HTTP 200 with a body that is not JSON.
    pub fn garbage() -> Self {
        Self { status: 200, body: "<html>surprise</html>".into(), delay: Duration::ZERO }
    }

    pub fn after(self, delay: Duration) -> Self {
        Self { delay, ..self }
    }
}

struct HookState {
    calls: Mutex<Vec<Call>>,
    replies: Mutex<HashMap<String, Reply>>,
}

/// A business server: records every callback and answers with the reply set for its command.
pub struct Hook {
    addr: std::net::SocketAddr,
    state: Arc<HookState>,
    cancel: CancellationToken,
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn hook_handler(
    State(state): State<Arc<HookState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let call = Call { query, body: serde_json::from_slice(&body).unwrap_or(Value::Null), at: Instant::now() };
    let reply = state.replies.lock().unwrap().get(call.command()).cloned().unwrap_or_else(Reply::ok);
    state.calls.lock().unwrap().push(call);
    tokio::time::sleep(reply.delay).await;
    let status = StatusCode::from_u16(reply.status).expect("a valid status");
    (status, [("content-type", "application/json")], reply.body).into_response()
}

impl Hook {
    pub async fn start() -> Self {
        let state = Arc::new(HookState { calls: Mutex::new(Vec::new()), replies: Mutex::new(HashMap::new()) });
        let app = axum::Router::new().fallback(hook_handler).with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("port 0 is always free");
        let addr = listener.local_addr().unwrap();
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await;
        });
        Self { addr, state, cancel }
    }

    pub fn url(&self) -> String {
        format!("http://{}/im/callback", self.addr)
    }

    /// From now on, answer `command` with `reply`.
    pub fn reply(&self, command: &str, reply: Reply) {
        self.state.replies.lock().unwrap().insert(command.to_string(), reply);
    }

    /// Every callback received so far.
    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap().clone()
    }

    /// The callbacks of one command received so far.
    pub fn of(&self, command: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.command() == command).collect()
    }

    /// The callbacks of one command about one group.
    pub fn of_group(&self, command: &str, group: &str) -> Vec<Call> {
        self.of(command).into_iter().filter(|c| c.body["GroupId"] == group).collect()
    }

    /// Waits until at least `n` callbacks of `command` arrived, and returns them.
    pub async fn wait_for(&self, command: &str, n: usize) -> Vec<Call> {
        eventually(&format!("{n} {command} callbacks arrived"), || self.of(command).len() >= n).await;
        self.of(command)
    }
}

/// A pass-through proxy in front of the sandbox that counts the requests per path, to see how many
/// calls the typed client really makes.
pub struct Proxy {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    cancel: CancellationToken,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

struct ProxyState {
    target: String,
    http: reqwest::Client,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn proxy_handler(State(state): State<Arc<ProxyState>>, uri: Uri, body: Bytes) -> Response {
    state.seen.lock().unwrap().push(uri.path().to_string());
    let url = format!("{}{}", state.target, uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
    match state.http.post(url).body(body).send().await {
        Ok(resp) => {
            let status = StatusCode::from_u16(resp.status().as_u16()).expect("a valid status");
            (status, resp.bytes().await.unwrap_or_default()).into_response()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

impl Proxy {
    pub async fn start(target: String) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(ProxyState { target, http: reqwest::Client::new(), seen: seen.clone() });
        let app = axum::Router::new().fallback(proxy_handler).with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("port 0 is always free");
        let addr = listener.local_addr().unwrap();
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await;
        });
        Self { addr, seen, cancel }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests went to `v4/{path}`.
    pub fn count(&self, path: &str) -> usize {
        let want = format!("/v4/{path}");
        self.seen.lock().unwrap().iter().filter(|p| **p == want).count()
    }

    /// An admin client that talks to the sandbox through this proxy.
    pub fn im(&self, env: &Env) -> ImClient {
        env.im_with(|b| b.base_url(self.url()))
    }
}
