//! The command line. With no subcommand `anchordesk` opens the desktop console; subcommands serve
//! operators and scripts. Each subcommand parses, calls one core function, and prints.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

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
    /// Runs the sandbox headless: Tencent IM's REST API, callbacks and a simulated audience on 127.0.0.1.
    Sandbox {
        /// Where to listen, e.g. 127.0.0.1:9000 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
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
        /// Print the credentials as one JSON line.
        #[arg(long)]
        json: bool,
    },
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

pub fn run(command: Command) -> i32 {
    match command {
        Command::Usersig { sdkappid, key, identifier, expire } => {
            if identifier.is_empty() || identifier.len() > 32 {
                eprintln!("error: --identifier must be 1 to 32 bytes");
                return 2;
            }
            let now = im::clock::now_secs();
            println!("{}", im::usersig::generate(sdkappid, &key, &identifier, expire, now).as_str());
            0
        }
        Command::Sandbox { listen, callback_url, callback_token, seed, pace_ms, no_audience, state, json } => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start the async runtime: {e}");
                    return 1;
                }
            };
            runtime.block_on(run_sandbox(listen, callback_url, callback_token, seed, pace_ms, no_audience, state, json))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_sandbox(
    listen: SocketAddr,
    callback_url: Option<String>,
    callback_token: Option<String>,
    seed: u64,
    pace_ms: u64,
    no_audience: bool,
    state: Option<PathBuf>,
    json: bool,
) -> i32 {
    let mut config = match state {
        Some(path) => match sandbox::SandboxConfig::load_or_generate(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        },
        None => sandbox::SandboxConfig::generate(),
    };
    config.callback =
        callback_url.map(|url| sandbox::CallbackTarget { url, token: callback_token.map(im::Secret::new) });
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
    if !no_audience {
        sandbox.start_audience(sandbox::AudienceConfig {
            seed,
            pace: std::time::Duration::from_millis(pace_ms.max(2)),
            ..Default::default()
        });
    }
    let c = sandbox.credentials();
    if json {
        println!("{}", serde_json::to_string(&c).expect("credentials serialize"));
    } else {
        println!("AnchorDesk sandbox (a local stand-in for Tencent Cloud IM)");
        println!("  endpoint:   {}", c.base_url);
        println!("  sdkappid:   {}", c.sdkappid);
        println!("  admin:      {}", c.admin);
        println!("  secret key: {}", c.secret_key);
        println!(
            "Point a console at it with ANCHORDESK_IM_ENDPOINT, ANCHORDESK_SDKAPPID and ANCHORDESK_IM_SECRET_KEY."
        );
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    cancel.cancel();
    0
}
