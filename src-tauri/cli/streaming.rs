//! `push-url`, `play-url` and `obs`: CSS addresses and OBS from the command line, for anchors and
//! scripts. Keys come best from the environment (`ANCHORDESK_PUSH_KEY`, `ANCHORDESK_PLAY_KEY`,
//! `ANCHORDESK_OBS_PASSWORD`, `ANCHORDESK_OBS_STREAM_KEY`) so they stay out of the shell history.
//! Exit codes: 0 done, 1 OBS or the system said no, 2 the arguments are wrong.

use std::path::PathBuf;
use std::time::Duration;

use stream::expiry::{self, format_duration, format_utc, Expiry};
use stream::obs::{self, HealthTracker, Obs, ObsConfig, ObsConnection, ObsStreamSettings};
use stream::{PlayAuth, PlayFormat, PlayOptions, PushAuth, PushProtocol, Secret, StreamPath};

fn duration(text: &str) -> Result<Duration, stream::Error> {
    stream::parse_duration(text)
}

#[derive(clap::Args, Debug)]
pub struct PushUrlArgs {
    /// The push domain, e.g. 1234.livepush.myqcloud.com.
    #[arg(long, env = "ANCHORDESK_PUSH_DOMAIN")]
    domain: String,
    /// The domain's push authentication key, primary or backup. Prefer ANCHORDESK_PUSH_KEY: a key in
    /// the environment stays out of the shell history.
    #[arg(long, env = "ANCHORDESK_PUSH_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Push authentication is off for this domain: make the address without txSecret/txTime.
    #[arg(long)]
    no_auth: bool,
    /// The stream name (StreamName): letters, digits and '-'.
    #[arg(long)]
    stream: String,
    /// The AppName.
    #[arg(long, default_value = stream::DEFAULT_APP_NAME)]
    app: String,
    /// When the address expires, in unix seconds.
    #[arg(long, value_name = "UNIX", conflicts_with = "valid_for")]
    expire_at: Option<u64>,
    /// How long the address is valid from now: 90s, 30m, 24h, 7d [default: 24h]. A running push
    /// continues after it; a reconnect after it is refused.
    #[arg(long, value_name = "DUR", value_parser = duration)]
    valid_for: Option<Duration>,
    /// rtmp, webrtc, srt or rtmp-srt.
    #[arg(long, default_value = "rtmp", value_parser = |s: &str| s.parse::<PushProtocol>())]
    protocol: PushProtocol,
    /// Print one JSON object: server, stream_key, url, tx_time, tx_secret, expires_at.
    #[arg(long)]
    json: bool,
    /// Also write the URL as a QR code PNG (it carries the secret: treat the file like the key).
    #[arg(long, value_name = "FILE.png")]
    qr: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct PlayUrlArgs {
    /// The play domain, e.g. play.example.com.
    #[arg(long, env = "ANCHORDESK_PLAY_DOMAIN")]
    domain: String,
    /// The stream name.
    #[arg(long)]
    stream: String,
    #[arg(long, default_value = stream::DEFAULT_APP_NAME)]
    app: String,
    /// The play authentication key (primary or backup) when play authentication is on; prefer
    /// ANCHORDESK_PLAY_KEY.
    #[arg(long, env = "ANCHORDESK_PLAY_KEY", hide_env_values = true)]
    key: Option<String>,
    /// How long the URL should work from now: 90s, 30m, 24h, 7d [default: 24h] (with a key).
    #[arg(long, value_name = "DUR", value_parser = duration, conflicts_with = "expire_at")]
    valid_for: Option<Duration>,
    /// When the URL should stop working, in unix seconds (with a key).
    #[arg(long, value_name = "UNIX")]
    expire_at: Option<u64>,
    /// The play domain's authentication validity period as set in the CSS console; the URL's txTime
    /// is the expiry minus this [default: 0s].
    #[arg(long, value_name = "DUR", value_parser = duration)]
    auth_period: Option<Duration>,
    /// flv, hls, rtmp or webrtc.
    #[arg(long, default_value = "flv", value_parser = |s: &str| s.parse::<PlayFormat>())]
    format: PlayFormat,
    /// A transcoding template's name: plays StreamName_template.
    #[arg(long)]
    template: Option<String>,
    /// FLV and HLS over http:// instead of https://.
    #[arg(long)]
    http: bool,
    /// Print one JSON object: url, stream, tx_time, tx_secret, expires_at.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
pub struct ObsArgs {
    /// OBS's WebSocket server (OBS: Tools → WebSocket Server Settings).
    #[arg(long, global = true, env = "ANCHORDESK_OBS_URL", default_value = obs::DEFAULT_URL)]
    url: String,
    /// OBS's WebSocket password; prefer ANCHORDESK_OBS_PASSWORD.
    #[arg(long, global = true, env = "ANCHORDESK_OBS_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    #[command(subcommand)]
    op: ObsOp,
}

#[derive(clap::Subcommand, Debug)]
pub enum ObsOp {
    /// Sets OBS's stream to a Custom server and key, then reads them back to check OBS kept them.
    Apply {
        /// The server, e.g. rtmp://livepush.example.com/live/ (`push-url` prints it).
        #[arg(long)]
        server: String,
        /// The stream key; prefer ANCHORDESK_OBS_STREAM_KEY.
        #[arg(long, env = "ANCHORDESK_OBS_STREAM_KEY", hide_env_values = true)]
        key: String,
    },
    /// Starts streaming and waits until OBS reports it live, or that the ingest refused it.
    Start {
        /// How long to wait for OBS.
        #[arg(long, default_value = "30s", value_parser = duration)]
        wait: Duration,
    },
    /// Stops streaming and waits until OBS reports it stopped.
    Stop {
        #[arg(long, default_value = "30s", value_parser = duration)]
        wait: Duration,
    },
    /// Prints the stream's state, bitrate and frames as JSON.
    Status {
        /// The bitrate is measured between two polls this far apart.
        #[arg(long, default_value = "1s", value_parser = duration)]
        sample: Duration,
    },
}

fn usage(message: impl std::fmt::Display) -> i32 {
    eprintln!("error: {message}");
    2
}

fn expiry_from(expire_at: Option<u64>, valid_for: Option<Duration>, now: u64) -> u64 {
    expire_at.unwrap_or_else(|| now + valid_for.unwrap_or(expiry::DEFAULT_PUSH_VALIDITY).as_secs())
}

pub fn push_url(a: PushUrlArgs) -> i32 {
    let path = match StreamPath::new(&a.domain, &a.app, &a.stream) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let now = expiry::now_secs();
    let key =
        match (&a.key, a.no_auth) {
            (_, true) => None,
            (Some(k), false) => Some(Secret::new(k.as_str())),
            (None, false) => return usage(
                "the push authentication key is missing: set ANCHORDESK_PUSH_KEY (or pass --key), or add --no-auth \
                 if push authentication is off for the domain",
            ),
        };
    let expires_at = expiry_from(a.expire_at, a.valid_for, now);
    let auth = key.as_ref().map(|key| PushAuth { key, expires_at });
    let address = match path.push(a.protocol, auth) {
        Ok(addr) => addr,
        Err(e) => return usage(e),
    };
    if let Some(file) = &a.qr {
        let written = stream::qr::qr_png(&address.url).map_err(|e| e.to_string()).and_then(|png| {
            std::fs::write(file, png).map_err(|e| format!("cannot write the QR code to {}: {e}", file.display()))
        });
        if let Err(e) = written {
            eprintln!("error: {e}");
            return 1;
        }
    }
    if let Some(at) = address.expires_at.filter(|at| *at < now) {
        eprintln!("warning: {}", Expiry::at(at, now, expiry::DEFAULT_RENEWAL_MARGIN).advice());
    }
    if a.json {
        let out = serde_json::json!({
            "protocol": address.protocol.as_str(),
            "url": address.url,
            "server": address.server,
            "stream_key": address.stream_key,
            "tx_time": address.tx_time,
            "tx_secret": address.tx_secret,
            "expires_at": address.expires_at,
        });
        println!("{out}");
        return 0;
    }
    println!("Push address ({}):", address.protocol);
    println!("  URL:        {}", address.url);
    match address.expires_at {
        Some(at) => println!(
            "  Expires:    {} ({})",
            format_utc(at),
            Expiry::at(at, now, expiry::DEFAULT_RENEWAL_MARGIN).advice()
        ),
        None => println!("  Expires:    never (no push authentication)"),
    }
    match (&address.server, &address.stream_key, address.protocol) {
        (Some(server), Some(_), PushProtocol::Srt) => {
            println!("OBS (Settings → Stream → Service: Custom; OBS 25 or newer):");
            println!("  Server:     {server}");
            println!("  Stream Key: (leave empty)");
        }
        (Some(server), Some(key), _) => {
            println!("OBS (Settings → Stream → Service: Custom):");
            println!("  Server:     {server}");
            println!("  Stream Key: {key}");
        }
        _ => println!("OBS cannot push WebRTC: use this URL with Tencent's WebRTC push SDK or a WHIP-capable encoder."),
    }
    if let Some(file) = &a.qr {
        println!("QR code:      {}", file.display());
    }
    0
}

pub fn play_url(a: PlayUrlArgs) -> i32 {
    let path = match StreamPath::new(&a.domain, &a.app, &a.stream) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    if a.key.is_none() && (a.valid_for.is_some() || a.expire_at.is_some() || a.auth_period.is_some()) {
        return usage(
            "--valid-for, --expire-at and --auth-period are for play authentication: give the key with \
             ANCHORDESK_PLAY_KEY (or --key)",
        );
    }
    let now = expiry::now_secs();
    let key = a.key.as_deref().map(Secret::new);
    let period = a.auth_period.unwrap_or_default().as_secs();
    let auth = key.as_ref().map(|key| PlayAuth::until(key, expiry_from(a.expire_at, a.valid_for, now), period));
    let options = PlayOptions { template: a.template.as_deref(), auth, plain_http: a.http };
    let address = match path.play(a.format, options) {
        Ok(addr) => addr,
        Err(e) => return usage(e),
    };
    if a.json {
        let out = serde_json::json!({
            "format": address.format.as_str(),
            "url": address.url,
            "stream": address.stream_name,
            "tx_time": address.tx_time,
            "tx_secret": address.tx_secret,
            "expires_at": address.expires_at,
        });
        println!("{out}");
    } else {
        println!("Play address ({}): {}", address.format, address.url);
        if let Some(at) = address.expires_at {
            println!("  Expires:    {} (in {})", format_utc(at), format_duration(at.saturating_sub(now)));
        }
    }
    0
}

pub fn obs(a: ObsArgs) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let config = ObsConfig::new(a.url, a.password.map(Secret::new));
    match runtime.block_on(obs_op(config, a.op)) {
        Ok(value) => {
            println!("{}", serde_json::to_string_pretty(&value).expect("JSON values serialize"));
            0
        }
        Err(obs::ObsError::BadUrl(url)) => usage(obs::ObsError::BadUrl(url)),
        Err(obs::ObsError::InvalidSettings(why)) => usage(obs::ObsError::InvalidSettings(why)),
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

async fn obs_op(config: ObsConfig, op: ObsOp) -> Result<serde_json::Value, obs::ObsError> {
    let o = Obs::connect(&config).await?;
    match op {
        ObsOp::Apply { server, key } => {
            o.apply(&ObsStreamSettings::new(&server, &key)).await?;
            Ok(serde_json::json!({"applied": true, "server": obs::redact_url(&server)}))
        }
        ObsOp::Start { wait } => {
            o.start_stream_confirmed(wait).await?;
            status(&o, Duration::ZERO).await
        }
        ObsOp::Stop { wait } => {
            o.stop_stream_confirmed(wait).await?;
            status(&o, Duration::ZERO).await
        }
        ObsOp::Status { sample } => status(&o, sample).await,
    }
}

/// One poll, or two `sample` apart when live so the bitrate can be measured.
async fn status(o: &Obs, sample: Duration) -> Result<serde_json::Value, obs::ObsError> {
    let mut tracker = HealthTracker::default();
    tracker.set_connection(ObsConnection::Connected { version: o.version().clone() });
    let service = o.stream_service().await?;
    tracker.set_server(service.server.as_deref().filter(|_| service.service_type == obs::CUSTOM_SERVICE));
    let first = o.stream_status().await?;
    tracker.on_status(&first, tokio::time::Instant::now());
    if first.active && !sample.is_zero() {
        tokio::time::sleep(sample).await;
        tracker.on_status(&o.stream_status().await?, tokio::time::Instant::now());
    }
    Ok(serde_json::to_value(tracker.health()).expect("the health serializes"))
}
