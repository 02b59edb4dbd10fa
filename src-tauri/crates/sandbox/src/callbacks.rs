//! Calling the business server the way Tencent does: `POST` JSON to the configured URL with
//! `SdkAppid`, `CallbackCommand`, `contenttype`, `ClientIP`, `OptPlatform` and, when callback
//! authentication is on, `Sign` = sha256(token + RequestTime) and `RequestTime`. The deadline is the
//! configured timeout (Tencent: 2 s). A before-callback's answer decides the event; a failure (timeout,
//! non-200, non-JSON) falls back to the console's policy. After-callbacks are fire-and-forget, sent in
//! the order their events happened (one queue, one in flight).

use std::time::Duration;

use im::callback::{Callback, CallbackAnswer};
use im::sign::callback_sign;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::CallbackTarget;

/// How a before-callback went.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// No callback URL is configured: the event proceeds.
    NotConfigured,
    Answered(CallbackAnswer),
    /// Timeout, transport error, non-200 or a body that is not an answer.
    Failed(String),
}

struct AfterJob {
    target: CallbackTarget,
    sdkappid: u64,
    callback: Callback,
    platform: &'static str,
}

pub(crate) struct Callbacks {
    http: reqwest::Client,
    after: mpsc::UnboundedSender<AfterJob>,
}

impl Callbacks {
    pub fn new(timeout: Duration, roots: &[String], cancel: CancellationToken) -> Result<Self, crate::Error> {
        let mut builder = reqwest::Client::builder().timeout(timeout);
        for pem in roots {
            let cert = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| crate::Error::Config(format!("a callback root certificate is not PEM: {e}")))?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder.build().map_err(|e| crate::Error::Config(format!("the callback client: {e}")))?;
        let (after, mut rx) = mpsc::unbounded_channel::<AfterJob>();
        let worker_http = http.clone();
        tokio::spawn(async move {
            loop {
                let job = tokio::select! {
                    _ = cancel.cancelled() => return,
                    job = rx.recv() => match job { Some(j) => j, None => return },
                };
                if let Outcome::Failed(why) =
                    post(&worker_http, &job.target, job.sdkappid, &job.callback, job.platform).await
                {
                    tracing::debug!(command = job.callback.command(), %why, "after-callback failed (not retried, as Tencent's default)");
                }
            }
        });
        Ok(Self { http, after })
    }

    pub async fn before(
        &self,
        target: Option<CallbackTarget>,
        sdkappid: u64,
        callback: &Callback,
        platform: &'static str,
    ) -> Outcome {
        match target {
            None => Outcome::NotConfigured,
            Some(t) => post(&self.http, &t, sdkappid, callback, platform).await,
        }
    }

    pub fn after(&self, target: Option<CallbackTarget>, sdkappid: u64, callback: Callback, platform: &'static str) {
        if let Some(target) = target {
            let _ = self.after.send(AfterJob { target, sdkappid, callback, platform });
        }
    }
}

async fn post(
    http: &reqwest::Client,
    target: &CallbackTarget,
    sdkappid: u64,
    callback: &Callback,
    platform: &'static str,
) -> Outcome {
    let mut query: Vec<(&str, String)> = vec![
        ("SdkAppid", sdkappid.to_string()),
        ("CallbackCommand", callback.command().to_string()),
        ("contenttype", "json".into()),
        ("ClientIP", "127.0.0.1".into()),
        ("OptPlatform", platform.into()),
    ];
    if let Some(token) = &target.token {
        let now = im::clock::now_secs();
        query.push(("Sign", callback_sign(token.expose(), now)));
        query.push(("RequestTime", now.to_string()));
    }
    let sent = http.post(&target.url).query(&query).json(callback).send().await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Outcome::Failed("timed out".into()),
        Err(e) => return Outcome::Failed(e.without_url().to_string()),
    };
    if resp.status() != reqwest::StatusCode::OK {
        return Outcome::Failed(format!("HTTP {}", resp.status()));
    }
    match resp.json::<CallbackAnswer>().await {
        Ok(a) => Outcome::Answered(a),
        Err(e) => Outcome::Failed(format!("the answer is not a callback answer: {e}")),
    }
}
