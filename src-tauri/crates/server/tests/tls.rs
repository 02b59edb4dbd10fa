//! The hub over TLS (`ANCHORDESK_TLS_CERT` / `ANCHORDESK_TLS_KEY`), as on a public machine: the
//! console API over HTTPS, the event stream over WSS, the sandbox's callbacks over HTTPS (so the room
//! still sees its chat), plain HTTP refused, and bad certificate files named in a clear error.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anchordesk_server::{Session, SessionConfig};
use futures_util::StreamExt;
use rustls::pki_types::pem::PemObject;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const TOKEN: &str = "tls-test-api-token";

struct Pair {
    cert: String,
    key: String,
}

fn self_signed() -> Pair {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("rcgen makes a certificate");
    Pair { cert: ck.cert.pem(), key: ck.key_pair.serialize_pem() }
}

fn config(data_dir: &Path, extra: &[(&str, String)]) -> Result<SessionConfig, String> {
    let mut vars: HashMap<String, String> =
        HashMap::from([("ANCHORDESK_AUDIENCE".into(), "off".into()), ("ANCHORDESK_API_TOKEN".into(), TOKEN.into())]);
    for (k, v) in extra {
        vars.insert(k.to_string(), v.clone());
    }
    SessionConfig::from_env(data_dir.to_path_buf(), |k| vars.get(k).cloned())
}

async fn tls_session(dir: &Path, pair: &Pair) -> Session {
    std::fs::write(dir.join("cert.pem"), &pair.cert).unwrap();
    std::fs::write(dir.join("key.pem"), &pair.key).unwrap();
    let c = config(
        &dir.join("data"),
        &[
            ("ANCHORDESK_TLS_CERT", dir.join("cert.pem").display().to_string()),
            ("ANCHORDESK_TLS_KEY", dir.join("key.pem").display().to_string()),
        ],
    )
    .unwrap();
    Session::start(c).await.expect("the hub starts with TLS")
}

fn https_client(pair: &Pair) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pair.cert.as_bytes()).unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn room_url(session: &Session) -> String {
    format!("{}/api/v1/rooms/{}", session.info.hub_url, session.room.group_id().replace('#', "%23"))
}

#[tokio::test]
async fn the_api_events_and_callbacks_go_over_tls_and_plain_http_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pair = self_signed();
    let session = tls_session(dir.path(), &pair).await;
    assert!(session.info.hub_url.starts_with("https://localhost:"), "{}", session.info.hub_url);
    let http = https_client(&pair);

    // The console API over HTTPS, with the token.
    let snapshot: serde_json::Value = http
        .get(room_url(&session))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(snapshot["groupId"], session.room.group_id(), "{snapshot}");

    // A client that does not trust the certificate cannot talk to it.
    let untrusting = reqwest::Client::new().get(room_url(&session)).bearer_auth(TOKEN).send().await;
    assert!(untrusting.is_err(), "an unknown certificate is refused by a verifying client");

    // Plain HTTP on the TLS port gets no answer from the API.
    let plain = reqwest::Client::new()
        .get(room_url(&session).replacen("https://", "http://", 1))
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true), "plain HTTP is not served");

    // The event stream over WSS: the first frame is the snapshot.
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pair.cert.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let port = session.hub_addr.port();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(tls)).connect(name, tcp).await.expect("TLS handshake");
    let mut req =
        format!("{}/events", room_url(&session).replacen("https://", "wss://", 1)).into_client_request().unwrap();
    req.headers_mut().insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::client_async(req, stream).await.expect("the WSS upgrade");
    let first = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.unwrap().unwrap().unwrap();
    let first: serde_json::Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert!(first.get("snapshot").is_some(), "the first frame is the snapshot: {first}");

    // A viewer's message: the sandbox calls the hub's before-send callback over HTTPS (trusting the
    // hub's certificate as Tencent trusts a public one), which is how the room learns of it.
    let sandbox = session.sandbox.as_ref().expect("a sandbox session");
    let viewer = sandbox.viewer("tls_viewer");
    viewer.join(session.room.group_id()).await.unwrap();
    viewer.send_text(session.room.group_id(), "hello over tls").await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let snap: serde_json::Value =
            http.get(room_url(&session)).bearer_auth(TOKEN).send().await.unwrap().json().await.unwrap();
        let seen = snap["chat"].as_array().unwrap().iter().any(|c| c["text"] == "hello over tls");
        if seen {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the room never saw the message: {snap}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.shutdown();
}

#[tokio::test]
async fn bad_certificate_files_are_named_and_the_key_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let pair = self_signed();
    let other = self_signed();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, &pair.cert).unwrap();
    std::fs::write(&key, &other.key).unwrap();
    let start = |cert: &Path, key: &Path| {
        let c = config(
            &dir.path().join("data"),
            &[("ANCHORDESK_TLS_CERT", cert.display().to_string()), ("ANCHORDESK_TLS_KEY", key.display().to_string())],
        )
        .unwrap();
        async move { Session::start(c).await.err().expect("the hub refuses to start").to_string() }
    };

    let e = start(&cert, &key).await;
    assert!(e.contains("does not go with the certificate"), "{e}");
    assert!(!e.contains("PRIVATE KEY"), "the key is never quoted: {e}");

    let missing = dir.path().join("nope.pem");
    let e = start(&cert, &missing).await;
    assert!(e.contains("cannot read the private key") && e.contains("nope.pem"), "{e}");

    std::fs::write(&key, "not a key").unwrap();
    let e = start(&cert, &key).await;
    assert!(e.contains("holds no private key") && e.contains("key.pem"), "{e}");

    std::fs::write(&cert, "not a certificate").unwrap();
    let e = start(&cert, &key).await;
    assert!(e.contains("holds no certificate"), "{e}");

    let e = config(dir.path(), &[("ANCHORDESK_TLS_CERT", cert.display().to_string())]).unwrap_err();
    assert!(e.contains("ANCHORDESK_TLS_KEY"), "{e}");
}
