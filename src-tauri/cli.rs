//! The command line. With no subcommand `anchordesk` opens the desktop console; subcommands serve
//! operators and scripts. Each subcommand parses, calls one core function, and prints.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

mod streaming;

#[derive(Parser, Debug)]
#[command(
    name = "anchordesk",
    version,
    about = "AnchorDesk: the console for anchors and moderators of Tencent Cloud live rooms.",
    long_about = "AnchorDesk: the console for anchors and moderators of Tencent Cloud live rooms.\n\n\
        With no subcommand, opens the desktop console. Without credentials it runs on the built-in \
        sandbox, a local stand-in for Tencent Cloud IM with a simulated audience.",
    after_help = server::session::ENV_HELP
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Runs the sandbox headless: Tencent IM's REST API, callbacks and a simulated audience, and CSS's
    /// stream API and an RTMP ingest, on 127.0.0.1.
    Sandbox {
        /// Where to listen, e.g. 127.0.0.1:9000 (port 0 picks a free one). The IM REST API and the CSS
        /// API are both served here.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// Where the RTMP ingest listens, e.g. 127.0.0.1:1935 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        rtmp_listen: SocketAddr,
        /// The business server's callback URL (a hub's http://HOST:PORT/im/callback).
        #[arg(long)]
        callback_url: Option<String>,
        /// The callback token: when given, callbacks carry Sign and RequestTime.
        #[arg(long, env = "ANCHORDESK_CALLBACK_TOKEN", hide_env_values = true)]
        callback_token: Option<String>,
        /// The simulated audience's seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Mean time between two audience actions, in milliseconds.
        #[arg(long, default_value_t = 400)]
        pace_ms: u64,
        /// No simulated audience.
        #[arg(long)]
        no_audience: bool,
        /// Keep groups and credentials in this file across runs (default: in memory).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print the credentials (IM, and CSS under "css") as one JSON line.
        #[arg(long)]
        json: bool,
        /// ultimate (banning, broadcast and the 1,000-member list switched on) or base (all off: 10007).
        #[arg(long, default_value = "ultimate", value_parser = ["ultimate", "base"])]
        edition: String,
        /// The per-group delivery ceiling (Tencent: 40).
        #[arg(long, default_value_t = 40)]
        messages_per_second: u32,
    },
    /// Runs the hub headless (no window): Tencent's callbacks in, the room, the API; e.g. on a small
    /// public server that Tencent's callbacks can reach. Without credentials it runs on the sandbox.
    Server {
        /// Where the hub listens for callbacks and API calls (overrides the file and ANCHORDESK_HUB_LISTEN).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// A TOML file with the settings (keys: the environment names without ANCHORDESK_, lower case);
        /// the environment overrides it.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where the room's database lives.
        #[arg(long, env = "ANCHORDESK_DATA_DIR", default_value = "anchordesk-data")]
        data_dir: PathBuf,
    },
    /// Runs one operation on a room through Tencent IM's REST API and prints the result as JSON.
    Admin(AdminArgs),
    /// Prints a stream's state from the CSS API (DescribeLiveStreamState): active, inactive or forbid.
    StreamState(StreamStateArgs),
    /// Prints a CSS push address (RTMP, WebRTC, SRT, RTMP over SRT) and OBS's server and stream key.
    PushUrl(streaming::PushUrlArgs),
    /// Prints a CSS play address (FLV, HLS, RTMP, WebRTC), with play authentication given a key.
    PlayUrl(streaming::PlayUrlArgs),
    /// Drives OBS through its WebSocket server: apply the stream settings, start, stop, status.
    Obs(streaming::ObsArgs),
    /// Prints a TLSSigAPIv2 UserSig.
    Usersig {
        #[arg(long)]
        sdkappid: u64,
        /// The app's secret key (or set ANCHORDESK_IM_SECRET_KEY).
        #[arg(long, env = "ANCHORDESK_IM_SECRET_KEY", hide_env_values = true)]
        key: String,
        #[arg(long)]
        identifier: String,
        /// Validity in seconds (default 180 days).
        #[arg(long, default_value_t = im::usersig::DEFAULT_EXPIRE_SECS)]
        expire: u64,
    },
}

#[derive(clap::Args, Debug)]
pub struct AdminArgs {
    /// A base URL instead of a region's domain, e.g. an `anchordesk sandbox`'s endpoint.
    #[arg(long, env = "ANCHORDESK_IM_ENDPOINT", conflicts_with = "region")]
    endpoint: Option<String>,
    /// china, singapore, seoul, tokyo, frankfurt, mumbai, siliconvalley or jakarta.
    #[arg(long, env = "ANCHORDESK_IM_REGION")]
    region: Option<String>,
    #[arg(long, env = "ANCHORDESK_SDKAPPID")]
    sdkappid: u64,
    /// The app's secret key.
    #[arg(long, env = "ANCHORDESK_IM_SECRET_KEY", hide_env_values = true)]
    key: String,
    /// The admin account.
    #[arg(long, env = "ANCHORDESK_IM_ADMIN", default_value = "administrator")]
    identifier: String,
    /// The room's group ID (every operation but create-room needs it).
    #[arg(long, env = "ANCHORDESK_GROUP")]
    group: Option<String>,
    #[command(subcommand)]
    op: AdminOp,
}

/// `stream-state`: the API key comes from the flags or, better (a flag shows in the process list), from
/// `ANCHORDESK_CSS_SECRET_ID` and `ANCHORDESK_CSS_SECRET_KEY`.
#[derive(clap::Args, Debug)]
pub struct StreamStateArgs {
    /// The stream name (StreamName).
    #[arg(long)]
    stream: String,
    /// The push path's AppName.
    #[arg(long, default_value = "live")]
    app: String,
    /// The push domain, e.g. 1234.livepush.myqcloud.com.
    #[arg(long, env = "ANCHORDESK_PUSH_DOMAIN")]
    domain: String,
    /// The API key's SecretId (AKID…).
    #[arg(long, env = "ANCHORDESK_CSS_SECRET_ID")]
    secret_id: String,
    /// The API key's SecretKey.
    #[arg(long, env = "ANCHORDESK_CSS_SECRET_KEY", hide_env_values = true, value_parser = secret)]
    secret_key: im::Secret,
    /// live.tencentcloudapi.com, live.intl.tencentcloudapi.com, or a sandbox's http://127.0.0.1:PORT.
    #[arg(long, env = "ANCHORDESK_CSS_ENDPOINT", default_value = "live.tencentcloudapi.com")]
    endpoint: String,
    /// Sent as X-TC-Region, e.g. ap-guangzhou (the live APIs do not need one).
    #[arg(long, env = "ANCHORDESK_CSS_REGION")]
    region: Option<String>,
    /// Print Tencent's answer as JSON.
    #[arg(long)]
    json: bool,
}

fn secret(value: &str) -> Result<im::Secret, String> {
    Ok(im::Secret::new(value))
}

#[derive(Subcommand, Debug)]
pub enum AdminOp {
    /// Creates an AVChatRoom group for a live room (status: upcoming).
    CreateRoom {
        #[arg(long, default_value = "AnchorDesk live room")]
        name: String,
        /// A custom group ID (printable ASCII, at most 48 bytes, not starting with @TGS#).
        #[arg(long)]
        group_id: Option<String>,
    },
    /// Prints the group's profile.
    RoomInfo,
    /// Sets the room notice (Notification, at most 300 bytes).
    SetNotice { text: String },
    /// Sets the introduction (at most 240 bytes).
    SetIntro { text: String },
    /// Writes the status to the group field and announces it (upcoming, live, paused, ended, replay).
    SetStatus {
        status: String,
        /// Skip the check that the room may go from its current status to this one.
        #[arg(long)]
        force: bool,
    },
    /// Sends a text message as the admin.
    SendText {
        text: String,
        /// high, normal or low.
        #[arg(long, default_value = "normal")]
        priority: String,
    },
    /// Mutes a user for SECS seconds (4294967295: permanent) and tells clients to disable their input.
    Mute { user: String, secs: u32 },
    /// Unmutes a user.
    Unmute { user: String },
    /// Mutes everyone but the owner and admins (on) or lifts it (off).
    MuteAll { state: String },
    /// Tells the users' clients to leave the room. (Rejoins are refused by the hub's blocklist, which
    /// this command does not hold: use `ban`, or kick from the console.)
    Kick {
        #[arg(required = true)]
        users: Vec<String>,
    },
    /// Bans a user for SECS seconds: removed at once and kept out (needs the edition and console switch).
    Ban {
        user: String,
        secs: u32,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lifts a ban.
    Unban { user: String },
    /// Prints the online member count (10 s granularity).
    Online,
    /// Prints the muted members.
    Muted,
    /// Prints the banned members.
    Banned,
    /// Prints the online member list (latest joiners; 30, or 1,000 with the console switch).
    Members,
    /// Lists the app's AVChatRoom groups.
    Rooms,
}

pub fn run(command: Command) -> i32 {
    match command {
        Command::PushUrl(args) => streaming::push_url(args),
        Command::PlayUrl(args) => streaming::play_url(args),
        Command::Obs(args) => streaming::obs(args),
        Command::Server { listen, config, data_dir } => match tokio::runtime::Runtime::new() {
            Ok(rt) => rt.block_on(run_server(listen, config, data_dir)),
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                1
            }
        },
        Command::Admin(args) => match tokio::runtime::Runtime::new() {
            Ok(rt) => rt.block_on(admin(args)),
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                1
            }
        },
        Command::StreamState(args) => match tokio::runtime::Runtime::new() {
            Ok(rt) => rt.block_on(stream_state(args)),
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                1
            }
        },
        Command::Usersig { sdkappid, key, identifier, expire } => {
            if identifier.is_empty() || identifier.len() > 32 {
                eprintln!("error: --identifier must be 1 to 32 bytes");
                return 2;
            }
            let now = im::clock::now_secs();
            println!("{}", im::usersig::generate(sdkappid, &key, &identifier, expire, now).as_str());
            0
        }
        Command::Sandbox {
            listen,
            rtmp_listen,
            callback_url,
            callback_token,
            seed,
            pace_ms,
            no_audience,
            state,
            json,
            edition,
            messages_per_second,
        } => {
            let options = SandboxOptions {
                listen,
                rtmp_listen,
                callback: callback_url
                    .map(|url| sandbox::CallbackTarget { url, token: callback_token.map(im::Secret::new) }),
                audience: (!no_audience).then(|| sandbox::AudienceConfig {
                    seed,
                    pace: std::time::Duration::from_millis(pace_ms.max(2)),
                    ..Default::default()
                }),
                state,
                json,
                switches: if edition == "base" { sandbox::Switches::none() } else { sandbox::Switches::all() },
                messages_per_second: messages_per_second.max(1),
            };
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start the async runtime: {e}");
                    return 1;
                }
            };
            runtime.block_on(run_sandbox(options))
        }
    }
}

struct SandboxOptions {
    listen: SocketAddr,
    rtmp_listen: SocketAddr,
    callback: Option<sandbox::CallbackTarget>,
    audience: Option<sandbox::AudienceConfig>,
    state: Option<PathBuf>,
    json: bool,
    switches: sandbox::Switches,
    messages_per_second: u32,
}

async fn run_sandbox(o: SandboxOptions) -> i32 {
    let mut config = match o.state {
        Some(path) => match sandbox::SandboxConfig::load_or_generate(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        },
        None => sandbox::SandboxConfig::generate(),
    };
    config.callback = o.callback;
    config.switches = o.switches;
    config.messages_per_second = o.messages_per_second;
    config.css.rtmp_listen = o.rtmp_listen;
    let listen = o.listen;
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {listen}: {e}");
            return 1;
        }
    };
    let cancel = CancellationToken::new();
    let sandbox = match sandbox::Sandbox::start(config, listener, cancel.clone()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    if let Some(audience) = o.audience {
        sandbox.start_audience(audience);
    }
    let c = sandbox.credentials();
    if o.json {
        println!("{}", serde_json::to_string(&c).expect("credentials serialize"));
    } else {
        println!("AnchorDesk sandbox (a local stand-in for Tencent Cloud IM and CSS)");
        println!("  endpoint:   {}", c.base_url);
        println!("  sdkappid:   {}", c.sdkappid);
        println!("  admin:      {}", c.admin);
        println!("  secret key: {}", c.secret_key);
        println!(
            "Point a console at it with ANCHORDESK_IM_ENDPOINT, ANCHORDESK_SDKAPPID and ANCHORDESK_IM_SECRET_KEY."
        );
        println!("CSS (stream API at the same endpoint, RTMP ingest)");
        println!("  push domain: {}", c.css.push_domain);
        println!("  SecretId:    {}", c.css.secret_id);
        println!("  SecretKey:   {}", c.css.secret_key);
        println!("  push key:    {}", c.css.push_key);
        println!("  RTMP server: {}", c.css.rtmp_url);
        println!(
            "Query a stream with ANCHORDESK_CSS_ENDPOINT, ANCHORDESK_PUSH_DOMAIN, ANCHORDESK_CSS_SECRET_ID and \
             ANCHORDESK_CSS_SECRET_KEY (anchordesk stream-state --stream NAME)."
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    cancel.cancel();
    0
}

async fn stream_state(args: StreamStateArgs) -> i32 {
    let mut builder = stream::CssClient::builder(args.secret_id, args.secret_key).endpoint(args.endpoint);
    if let Some(region) = args.region {
        builder = builder.region(region);
    }
    let req =
        stream::css::DescribeLiveStreamState { app_name: args.app, domain_name: args.domain, stream_name: args.stream };
    let answer = match builder.build() {
        Ok(client) => client.send(&req).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(r) if args.json => {
            let out = serde_json::json!({
                "DomainName": req.domain_name, "AppName": req.app_name, "StreamName": req.stream_name,
                "StreamState": r.stream_state, "RequestId": r.request_id,
            });
            println!("{}", serde_json::to_string_pretty(&out).expect("JSON values serialize"));
            0
        }
        Ok(r) => {
            println!("{}/{} on {}: {}", req.app_name, req.stream_name, req.domain_name, r.stream_state);
            0
        }
        Err(e) => {
            let usage = e.kind() == stream::css::ErrorKind::Invalid && e.code().is_none();
            if args.json {
                let out = serde_json::json!({
                    "Error": {"Code": e.code(), "Message": e.to_string()}, "Advice": e.advice(),
                });
                eprintln!("{}", serde_json::to_string_pretty(&out).expect("JSON values serialize"));
            } else {
                eprintln!("error: {e}\n  {}", e.advice());
            }
            if usage {
                2
            } else {
                1
            }
        }
    }
}

/// What `admin` prints for a command Tencent answers with the envelope only.
fn ok_envelope() -> serde_json::Value {
    serde_json::json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""})
}

async fn admin(args: AdminArgs) -> i32 {
    match admin_op(args).await {
        Ok(value) => {
            println!("{}", serde_json::to_string_pretty(&value).expect("JSON values serialize"));
            0
        }
        Err(AdminError::Usage(message)) => {
            eprintln!("error: {message}");
            2
        }
        Err(AdminError::Room(e)) => {
            let mut out = serde_json::json!({"ActionStatus": "FAIL", "ErrorInfo": e.to_string()});
            if let room::Error::Im { source, .. } = &e {
                out["ErrorCode"] = source.code().map(Into::into).unwrap_or(serde_json::Value::Null);
                out["Advice"] = source.advice().into();
            }
            eprintln!("{}", serde_json::to_string_pretty(&out).expect("JSON values serialize"));
            1
        }
    }
}

enum AdminError {
    Usage(String),
    Room(room::Error),
}

impl From<room::Error> for AdminError {
    fn from(e: room::Error) -> Self {
        AdminError::Room(e)
    }
}

fn im_err(action: &str) -> impl FnOnce(im::Error) -> AdminError + '_ {
    move |e| AdminError::Room(room::Error::im(action, e))
}

fn json<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).expect("API results serialize")
}

async fn admin_op(args: AdminArgs) -> Result<serde_json::Value, AdminError> {
    use AdminOp::*;
    let base_url = match (&args.endpoint, &args.region) {
        (Some(url), _) => url.clone(),
        (None, Some(region)) => region.parse::<im::Region>().map_err(AdminError::Usage)?.base_url(),
        (None, None) => im::Region::China.base_url(),
    };
    let client = im::ImClient::builder(args.sdkappid, im::Secret::new(args.key))
        .base_url(base_url)
        .identifier(args.identifier)
        .build()
        .map_err(im_err("setting up the client"))?;
    if let CreateRoom { name, group_id } = &args.op {
        let req = im::api::CreateGroup {
            group_type: "AVChatRoom".into(),
            name: name.clone(),
            group_id: group_id.clone(),
            apply_join_option: Some("FreeAccess".into()),
            app_defined_data: vec![im::api::AppDefinedData {
                key: room::ops::STATUS_FIELD.into(),
                value: room::RoomStatus::Upcoming.as_str().into(),
            }],
            ..Default::default()
        };
        let created = client.create_group(&req).await.map_err(im_err("creating the room"))?;
        return Ok(serde_json::json!({"GroupId": created.group_id}));
    }
    if let Rooms = &args.op {
        let ids = client.group_ids(Some("AVChatRoom")).await.map_err(im_err("listing rooms"))?;
        return Ok(serde_json::json!({"GroupIdList": ids}));
    }
    let group_id =
        args.group.ok_or_else(|| AdminError::Usage("this operation needs --group (or ANCHORDESK_GROUP)".into()))?;
    let group = client.group(&group_id);
    let now = im::clock::now_secs();
    let value = match args.op {
        CreateRoom { .. } | Rooms => unreachable!("handled above"),
        RoomInfo => json(group.info().await.map_err(im_err("reading the room"))?),
        SetNotice { text } => {
            let req = im::api::ModifyGroupBaseInfo { notification: Some(text), ..Default::default() };
            group.modify(req).await.map_err(im_err("setting the notice"))?;
            ok_envelope()
        }
        SetIntro { text } => {
            let req = im::api::ModifyGroupBaseInfo { introduction: Some(text), ..Default::default() };
            group.modify(req).await.map_err(im_err("setting the introduction"))?;
            ok_envelope()
        }
        SetStatus { status, force } => {
            let to = room::RoomStatus::parse(&status).ok_or_else(|| {
                AdminError::Usage(format!("{status:?} is not a status: use upcoming, live, paused, ended or replay"))
            })?;
            if !force {
                let info = group.info().await.map_err(im_err("reading the current status"))?;
                let from = info.app_defined(room::ops::STATUS_FIELD).and_then(room::RoomStatus::parse);
                if let Some(from) = from.filter(|f| !f.can_become(to)) {
                    let allowed: Vec<_> = from.next_allowed().iter().map(|s| s.as_str()).collect();
                    return Err(AdminError::Usage(format!(
                        "the room is {from} and cannot become {to} (it can become {}); add --force to write it anyway",
                        allowed.join(" or ")
                    )));
                }
            }
            room::ops::write_status(&group, to).await?;
            serde_json::json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "Status": to})
        }
        SendText { text, priority } => {
            let priority = match priority.to_ascii_lowercase().as_str() {
                "high" => im::MsgPriority::High,
                "normal" => im::MsgPriority::Normal,
                "low" => im::MsgPriority::Low,
                other => {
                    return Err(AdminError::Usage(format!("{other:?} is not a priority: use high, normal or low")))
                }
            };
            json(group.send(vec![im::MsgElement::text(text)], priority, None).await.map_err(im_err("sending"))?)
        }
        Mute { user, secs } => {
            let until = room::ops::mute(&group, &[user], secs, now).await?;
            serde_json::json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "MutedUntil": until.unwrap_or(0)})
        }
        Unmute { user } => {
            room::ops::mute(&group, &[user], 0, now).await?;
            ok_envelope()
        }
        MuteAll { state } => {
            let on = match state.to_ascii_lowercase().as_str() {
                "on" => true,
                "off" => false,
                other => return Err(AdminError::Usage(format!("mute-all takes on or off, not {other:?}"))),
            };
            group.mute_all(on).await.map_err(im_err("switching mute-all"))?;
            ok_envelope()
        }
        Kick { users } => {
            room::ops::send_kicks(&group, &users).await?;
            serde_json::json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "Kicked": users})
        }
        Ban { user, secs, reason } => {
            group.ban(&[user], secs, reason.as_deref()).await.map_err(im_err("banning"))?;
            ok_envelope()
        }
        Unban { user } => {
            group.unban(&[user]).await.map_err(im_err("lifting the ban"))?;
            ok_envelope()
        }
        Online => serde_json::json!({
            "OnlineMemberNum": group.online_member_num().await.map_err(im_err("reading the online count"))?
        }),
        Muted => serde_json::json!({
            "MutedAccountList": json(group.muted_accounts().await.map_err(im_err("reading the muted list"))?)
        }),
        Banned => serde_json::json!({
            "BannedAccountList": json(group.banned().await.map_err(im_err("reading the banned list"))?)
        }),
        Members => serde_json::json!({
            "MemberList": json(group.members().await.map_err(im_err("reading the member list"))?)
        }),
    };
    Ok(value)
}

async fn run_server(listen: Option<SocketAddr>, file: Option<PathBuf>, data_dir: PathBuf) -> i32 {
    let mut config = match server::SessionConfig::load(data_dir, file.as_deref(), |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Some(addr) = listen {
        config.hub_listen = addr;
    }
    let session = match server::Session::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let info = &session.info;
    println!("AnchorDesk hub ({:?}) for room {}", info.mode, info.group_id);
    println!("  callbacks:  {}/im/callback", info.hub_url);
    println!("  gift API:   {}/api/v1/rooms/{{room}}/gifts", info.hub_url);
    println!("  health:     {}/healthz", info.hub_url);
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    session.room.flush().await;
    session.shutdown();
    0
}
