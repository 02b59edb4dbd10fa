//! TLS for the hub: on a public machine Tencent's callbacks and the team's consoles reach it over
//! HTTPS and WSS. The certificate and key are PEM files (Let's Encrypt's `fullchain.pem` and
//! `privkey.pem`, or a self-signed pair for a test); rustls with the `ring` provider, the same stack
//! reqwest uses, so no OpenSSL.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::session::{Error, TlsFiles};

/// How long open connections get to finish when the hub stops.
const DRAIN: Duration = Duration::from_secs(2);

/// A loaded certificate and key, ready to serve.
#[derive(Clone)]
pub struct LoadedTls {
    config: Arc<rustls::ServerConfig>,
    /// The chain as PEM, for a client that must trust a self-signed hub (the in-process sandbox).
    pub chain_pem: String,
}

impl std::fmt::Debug for LoadedTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedTls").finish_non_exhaustive()
    }
}

/// Reads and checks the certificate chain and key; every error names the file and what to fix
/// (and never quotes the key).
pub fn load(files: &TlsFiles) -> Result<LoadedTls, Error> {
    let cert_path = files.cert.display();
    let key_path = files.key.display();
    let chain_pem = std::fs::read_to_string(&files.cert)
        .map_err(|e| Error::Tls(format!("cannot read the certificate {cert_path}: {e}")))?;
    let chain = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Tls(format!("{cert_path} is not a PEM certificate chain: {e:?}")))?;
    if chain.is_empty() {
        return Err(Error::Tls(format!(
            "{cert_path} holds no certificate: give the PEM chain (-----BEGIN CERTIFICATE-----)"
        )));
    }
    let key_pem =
        std::fs::read(&files.key).map_err(|e| Error::Tls(format!("cannot read the private key {key_path}: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
        Error::Tls(format!("{key_path} holds no private key: give the PEM key (PKCS#8, PKCS#1 or SEC1)"))
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            Error::Tls(format!(
                "the key {key_path} does not go with the certificate {cert_path}, or is not usable: {e}"
            ))
        })?;
    // HTTP/1.1 for the WebSocket upgrade; h2 for everything else a client may prefer.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(LoadedTls { config: Arc::new(config), chain_pem })
}

/// The hub's base URL for a client on this machine (the console, the in-process sandbox's callbacks):
/// over TLS the name must be one the certificate covers, so a loopback or wildcard listener is reached
/// as `localhost`.
pub fn hub_url(addr: SocketAddr, tls: Option<&LoadedTls>) -> String {
    match tls {
        Some(_) if addr.ip().is_loopback() || addr.ip().is_unspecified() => {
            format!("https://localhost:{}", addr.port())
        }
        Some(_) => format!("https://{addr}"),
        None => format!("http://{addr}"),
    }
}

/// What to warn about when the hub's API (its tokens) would cross a network in clear: plain HTTP on an
/// address other machines reach, with the API on. Consoles refuse such a hub themselves (they send a
/// token over `http://` only to their own machine); this is for scripts and proxies in front of it.
pub fn clear_text_warning(addr: SocketAddr, tls: bool, api_on: bool) -> Option<String> {
    (!tls && api_on && !addr.ip().is_loopback()).then(|| {
        format!(
            "the hub serves its API over plain HTTP on {addr}: bearer tokens and invite codes cross the network in \
             clear. Set ANCHORDESK_TLS_CERT and ANCHORDESK_TLS_KEY, or listen on 127.0.0.1 behind a TLS proxy"
        )
    })
}

/// Serves `app` over TLS on `listener` until `stop` fires, then drains for a moment.
pub fn serve(
    listener: TcpListener,
    tls: LoadedTls,
    app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr>,
    stop: CancellationToken,
) -> std::io::Result<()> {
    let listener = listener.into_std()?;
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(tls.config)).handle(handle.clone());
    tokio::spawn(async move {
        stop.cancelled().await;
        handle.graceful_shutdown(Some(DRAIN));
    });
    tokio::spawn(async move {
        if let Err(e) = server.serve(app).await {
            tracing::error!(error = %e, "the hub's TLS listener stopped");
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_with_the_api_on_is_warned_about_only_off_this_machine() {
        let public: SocketAddr = "0.0.0.0:8690".parse().unwrap();
        let lan: SocketAddr = "192.168.1.20:8690".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8690".parse().unwrap();
        let warning = clear_text_warning(public, false, true).expect("a warning");
        assert!(warning.contains("in clear") && warning.contains("ANCHORDESK_TLS_CERT"), "{warning}");
        assert!(clear_text_warning(lan, false, true).is_some());
        assert_eq!(clear_text_warning(local, false, true), None, "loopback stays on this machine");
        assert_eq!(clear_text_warning(public, true, true), None, "TLS");
        assert_eq!(clear_text_warning(public, false, false), None, "no API, no tokens");
    }
}
