//! The CSS API 3.0 contract (tencent-cloud.md §7): the CSS client against the sandbox over real HTTP on
//! 127.0.0.1, and raw requests the typed client would never send. A failure here means the sandbox or
//! the client has drifted from Tencent's documented behaviour.

mod support;

use std::sync::Arc;

use anchordesk_sandbox::{SandboxConfig, StreamState};
use serde_json::{json, Value};
use stream::css::{CssClient, DescribeLiveStreamOnlineList, ErrorKind};
use stream::{tc3, Secret};
use support::{config, Env};

/// The client as AnchorDesk builds it, pointed at the sandbox with the sandbox's API key.
fn client(env: &Env) -> CssClient {
    client_with(env, |b| b)
}

fn client_with(
    env: &Env,
    tweak: impl FnOnce(stream::css::CssClientBuilder) -> stream::css::CssClientBuilder,
) -> CssClient {
    let css = env.sandbox.css();
    tweak(CssClient::builder(css.secret_id.clone(), css.secret_key.clone()).endpoint(env.sandbox.base_url()))
        .build()
        .expect("the client builds")
}

fn domain(env: &Env) -> String {
    env.sandbox.css().push_domain.clone()
}

fn code<T: std::fmt::Debug>(r: stream::css::Result<T>) -> String {
    match r {
        Ok(v) => panic!("expected a CSS API error, got success: {v:?}"),
        Err(e) => e.code().unwrap_or_else(|| panic!("expected a Tencent error code, got {e}")).to_string(),
    }
}

/// POSTs `body` to the sandbox's CSS API, signed correctly unless `tweak` changes the headers after
/// signing; the HTTP status and the answer.
async fn raw(env: &Env, action: &str, body: &str, tweak: impl FnOnce(&mut Vec<(String, String)>)) -> (u16, Value) {
    let css = env.sandbox.css();
    let host = env.sandbox.addr().to_string();
    let now = im::clock::now_secs();
    let signed = [("Content-Type", stream::css::CONTENT_TYPE), ("Host", host.as_str())];
    let request = tc3::Request { method: "POST", query: "", headers: &signed, payload: body.as_bytes() };
    let authorization = tc3::authorization(&css.secret_id, css.secret_key.expose(), "live", now, &request);
    let mut headers: Vec<(String, String)> = vec![
        ("Content-Type".into(), stream::css::CONTENT_TYPE.into()),
        ("X-TC-Action".into(), action.into()),
        ("X-TC-Version".into(), "2018-08-01".into()),
        ("X-TC-Timestamp".into(), now.to_string()),
        ("Authorization".into(), authorization),
    ];
    tweak(&mut headers);
    let mut req = reqwest::Client::new().post(format!("{}/", env.sandbox.base_url())).body(body.to_string());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.expect("the sandbox answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("the answer is JSON"))
}

fn error_code(answer: &Value) -> &str {
    answer["Response"]["Error"]["Code"].as_str().unwrap_or_else(|| panic!("expected Response.Error.Code: {answer}"))
}

#[tokio::test]
async fn each_stream_action_round_trips_with_tencents_shapes() {
    let env = Env::start(config()).await;
    let css = client(&env);
    let stream = css.stream(domain(&env), "live", "round-trip");
    assert_eq!(stream.state().await.unwrap(), StreamState::Inactive, "nothing has pushed it");
    stream.drop_push().await.expect("DropLiveStream succeeds on an inactive stream (§7.2)");
    stream.forbid(Some(im::clock::now_secs() + 3600), Some("test")).await.expect("ForbidLiveStream");
    assert_eq!(stream.state().await.unwrap(), StreamState::Forbid);
    assert_eq!(
        css.stream(domain(&env), "other-app", "round-trip").state().await.unwrap(),
        StreamState::Forbid,
        "a forbid matches the stream name only, whatever the AppName (§7.2)"
    );
    stream.resume().await.expect("ResumeLiveStream");
    assert_eq!(stream.state().await.unwrap(), StreamState::Inactive);
    stream.forbid(None, None).await.expect("a forbid without ResumeTime takes CSS's default");
    assert_eq!(stream.state().await.unwrap(), StreamState::Forbid);
    let list = css.online_list(&DescribeLiveStreamOnlineList::default()).await.expect("the online list");
    assert_eq!((list.total_num, list.total_page, list.page_num, list.page_size), (0, 0, 1, 10), "defaults 1 and 10");
    assert!(list.online_info.is_empty());
    assert!(!list.request_id.is_empty(), "every answer carries a RequestId");
}

#[tokio::test]
async fn a_wrong_secret_key_is_a_signature_failure_with_advice() {
    let env = Env::start(config()).await;
    let css = env.sandbox.css();
    let wrong = CssClient::builder(css.secret_id.clone(), Secret::new("not-the-secret-key"))
        .endpoint(env.sandbox.base_url())
        .build()
        .unwrap();
    let e = wrong.stream(domain(&env), "live", "s").state().await.unwrap_err();
    assert_eq!(e.code(), Some("AuthFailure.SignatureFailure"), "{e}");
    assert_eq!(e.kind(), ErrorKind::Config, "a person must fix the key");
    assert!(e.advice().contains("SecretKey"), "{}", e.advice());
    assert!(!e.to_string().contains("not-the-secret-key"), "the key never appears in an error: {e}");
}

#[tokio::test]
async fn a_timestamp_more_than_five_minutes_off_is_signature_expire() {
    let env = Env::start(config()).await;
    for skew in [-301_i64, 301] {
        let css = client_with(&env, |b| b.clock(Arc::new(move || im::clock::now_secs().saturating_add_signed(skew))));
        let e = css.stream(domain(&env), "live", "s").state().await.unwrap_err();
        assert_eq!(e.code(), Some("AuthFailure.SignatureExpire"), "a clock {skew} s off: {e}");
        assert!(e.advice().contains("clock"));
    }
    let slightly = client_with(&env, |b| b.clock(Arc::new(|| im::clock::now_secs() - 240)));
    assert!(slightly.stream(domain(&env), "live", "s").state().await.is_ok(), "4 minutes of skew is allowed");
}

#[tokio::test]
async fn an_unknown_secret_id_is_secret_id_not_found() {
    let env = Env::start(config()).await;
    let css = CssClient::builder("AKIDnot-this-account", env.sandbox.css().secret_key.clone())
        .endpoint(env.sandbox.base_url())
        .build()
        .unwrap();
    assert_eq!(code(css.stream(domain(&env), "live", "s").state().await), "AuthFailure.SecretIdNotFound");
}

#[tokio::test]
async fn a_domain_not_on_the_account_is_refused() {
    let env = Env::start(config()).await;
    let e = client(&env).stream("9999.livepush.myqcloud.com", "live", "s").state().await.unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFound.DomainNotExist"));
    assert_eq!(e.kind(), ErrorKind::Config);
}

#[tokio::test]
async fn every_answer_is_http_200_with_a_response_and_a_request_id() {
    let env = Env::start(config()).await;
    let body = json!({"AppName": "live", "DomainName": domain(&env), "StreamName": "s"}).to_string();
    let (status, ok) = raw(&env, "DescribeLiveStreamState", &body, |_| {}).await;
    assert_eq!((status, ok["Response"]["StreamState"].as_str()), (200, Some("inactive")), "{ok}");
    let (status, bad) = raw(&env, "NoSuchAction", &body, |_| {}).await;
    assert_eq!((status, error_code(&bad)), (200, "InvalidAction"), "errors are HTTP 200 too");
    for answer in [&ok, &bad] {
        assert!(answer["Response"]["RequestId"].as_str().is_some_and(|id| id.len() == 36), "{answer}");
    }
}

#[tokio::test]
async fn the_sandbox_checks_headers_signature_and_parameters_like_tencent() {
    let env = Env::start(config()).await;
    let d = domain(&env);
    let state = json!({"AppName": "live", "DomainName": d, "StreamName": "s"}).to_string();
    let drop_header = |name: &'static str| move |h: &mut Vec<(String, String)>| h.retain(|(k, _)| k != name);
    type Tweak = Box<dyn FnOnce(&mut Vec<(String, String)>)>;
    let cases: Vec<(&str, &str, String, Tweak)> = vec![
        ("no X-TC-Action", "MissingParameter", state.clone(), Box::new(drop_header("X-TC-Action"))),
        ("no X-TC-Timestamp", "MissingParameter", state.clone(), Box::new(drop_header("X-TC-Timestamp"))),
        ("no Authorization", "AuthFailure.InvalidAuthorization", state.clone(), Box::new(drop_header("Authorization"))),
        (
            "another version",
            "NoSuchVersion",
            state.clone(),
            Box::new(|h| h.iter_mut().filter(|(k, _)| k == "X-TC-Version").for_each(|(_, v)| *v = "2017-03-12".into())),
        ),
        (
            "a content type other than the signed one",
            "AuthFailure.SignatureFailure",
            state.clone(),
            Box::new(|h| {
                h.iter_mut().filter(|(k, _)| k == "Content-Type").for_each(|(_, v)| *v = "application/json".into())
            }),
        ),
        (
            "SignedHeaders without host",
            "AuthFailure.InvalidAuthorization",
            state.clone(),
            Box::new(|h| {
                h.iter_mut()
                    .filter(|(k, _)| k == "Authorization")
                    .for_each(|(_, v)| *v = v.replace("SignedHeaders=content-type;host", "SignedHeaders=content-type"))
            }),
        ),
        (
            "an unknown parameter",
            "UnknownParameter",
            json!({"AppName": "live", "DomainName": d, "StreamName": "s", "Foo": 1}).to_string(),
            Box::new(|_| {}),
        ),
        (
            "a missing StreamName",
            "MissingParameter",
            json!({"AppName": "live", "DomainName": d}).to_string(),
            Box::new(|_| {}),
        ),
        (
            "a number for a string",
            "InvalidParameter",
            json!({"AppName": "live", "DomainName": d, "StreamName": 7}).to_string(),
            Box::new(|_| {}),
        ),
        ("a body that is not an object", "InvalidParameter", "[]".into(), Box::new(|_| {})),
    ];
    for (what, expected, body, tweak) in cases {
        let (_, answer) = raw(&env, "DescribeLiveStreamState", &body, tweak).await;
        assert_eq!(error_code(&answer), expected, "{what}: {answer}");
    }
    // The body is signed byte for byte: one extra space after signing fails.
    let css = env.sandbox.css();
    let host = env.sandbox.addr().to_string();
    let now = im::clock::now_secs();
    let signed = [("Content-Type", stream::css::CONTENT_TYPE), ("Host", host.as_str())];
    let auth = tc3::authorization(
        &css.secret_id,
        css.secret_key.expose(),
        "live",
        now,
        &tc3::Request { method: "POST", query: "", headers: &signed, payload: state.as_bytes() },
    );
    let resp = reqwest::Client::new()
        .post(format!("{}/", env.sandbox.base_url()))
        .header("Content-Type", stream::css::CONTENT_TYPE)
        .header("X-TC-Action", "DescribeLiveStreamState")
        .header("X-TC-Version", "2018-08-01")
        .header("X-TC-Timestamp", now.to_string())
        .header("Authorization", auth)
        .body(format!("{state} "))
        .send()
        .await
        .unwrap();
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&answer), "AuthFailure.SignatureFailure", "a changed body must not verify: {answer}");
}

#[tokio::test]
async fn parameter_values_css_refuses_are_invalid_parameter_value() {
    let env = Env::start(config()).await;
    let d = domain(&env);
    let past = stream::css::format_utc(im::clock::now_secs() - 60);
    let far = stream::css::format_utc(im::clock::now_secs() + 91 * 86_400);
    let cases = [
        ("DescribeLiveStreamOnlineList", json!({"PageSize": 5})),
        ("DescribeLiveStreamOnlineList", json!({"PageNum": 0})),
        ("ForbidLiveStream", json!({"AppName": "live", "DomainName": d, "StreamName": "s", "ResumeTime": "soon"})),
        ("ForbidLiveStream", json!({"AppName": "live", "DomainName": d, "StreamName": "s", "ResumeTime": past})),
        ("ForbidLiveStream", json!({"AppName": "live", "DomainName": d, "StreamName": "s", "ResumeTime": far})),
        (
            "ForbidLiveStream",
            json!({"AppName": "live", "DomainName": d, "StreamName": "s", "Reason": "x".repeat(2049)}),
        ),
    ];
    for (action, body) in cases {
        let (_, answer) = raw(&env, action, &body.to_string(), |_| {}).await;
        assert_eq!(error_code(&answer), "InvalidParameterValue", "{action} {body}: {answer}");
    }
    assert_eq!(env.sandbox.stream_state("live", "s"), StreamState::Inactive, "no refused forbid took effect");
}

#[tokio::test]
async fn the_css_keys_survive_a_restart_with_a_state_file_and_never_show_in_debug() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    let first = SandboxConfig::load_or_generate(path.clone()).unwrap();
    let env = Env::start(first.clone()).await;
    let creds = env.sandbox.credentials();
    let shown = format!("{creds:?} {:?}", first.css);
    for secret in [&creds.secret_key, &creds.css.secret_key, &creds.css.push_key] {
        assert!(!shown.contains(secret.as_str()), "Debug must mask every key: {shown}");
    }
    drop(env);
    let second = SandboxConfig::load_or_generate(path).unwrap();
    assert_eq!(second.css.push_key, first.css.push_key, "an encoder's push address stays valid across restarts");
    assert_eq!(second.css.backup_push_key, first.css.backup_push_key);
    assert_eq!((&second.css.secret_id, &second.css.secret_key), (&first.css.secret_id, &first.css.secret_key));
    assert_eq!(second.css.push_domain, first.css.push_domain);

    let old = dir.path().join("before-css.json");
    std::fs::write(
        &old,
        r#"{"sdkappid": 1400000001, "secret_key": "k", "admin": "administrator", "groups": [], "accounts": []}"#,
    )
    .unwrap();
    let upgraded = SandboxConfig::load_or_generate(old).expect("a state file from before the CSS side still loads");
    assert_eq!(upgraded.sdkappid, 1400000001);
    assert!(upgraded.css.secret_id.starts_with("AKID") && upgraded.css.secret_id.len() == 36);
}
