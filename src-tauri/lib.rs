//! The AnchorDesk app shell: the command line, the window, managed state and thin IPC commands. Domain
//! logic lives in the core crates (`src-tauri/crates/*`); a command here takes its state, calls one core
//! function and maps the error.

pub mod chat;
mod cli;
mod commands;
pub mod console;
pub mod settings;
mod state;

use clap::Parser;
use tauri::Runtime;

pub use state::{Launch, HUB_CONNECTION_EVENT};

/// Runs the command line, or the desktop console when no subcommand is given. Returns the exit code.
pub fn main() -> i32 {
    init_tracing();
    let args = cli::Args::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => run_console(),
    }
}

fn init_tracing() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("ANCHORDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // obws traces every message it sends and receives, stream keys and OBS's settings included: it
    // stays at info whatever ANCHORDESK_LOG asks.
    filter = filter.add_directive("obws=info".parse().expect("a valid directive"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

fn run_console() -> i32 {
    let result = console(tauri::Builder::default(), Launch::from_process()).run(tauri::generate_context!());
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("AnchorDesk could not start its window: {e}");
            1
        }
    }
}

/// The console on any runtime: its state, window events and commands. The app runs it on Wry; the
/// tests on `tauri::test`'s mock runtime, with their own environment and keychain.
pub fn console<R: Runtime>(builder: tauri::Builder<R>, launch: Launch) -> tauri::Builder<R> {
    builder
        .manage(chat::PopOut::default())
        .setup(move |app| {
            state::start(app.handle(), launch);
            Ok(())
        })
        .on_window_event(chat::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::room_subscribe,
            commands::room_set_status,
            commands::room_moderate,
            commands::room_set_notice,
            commands::room_user_card,
            commands::room_set_note,
            commands::room_lottery_open,
            commands::room_lottery_close,
            commands::room_lottery_draw,
            commands::room_broadcast,
            commands::room_words,
            commands::room_set_words,
            commands::words_parse,
            commands::words_format,
            commands::room_resolve_held,
            commands::room_audit,
            commands::room_audit_export,
            commands::room_undo,
            commands::room_set_strike_ladder,
            commands::room_sessions,
            commands::stream_address,
            commands::stream_renew,
            commands::stream_apply_obs,
            commands::stream_go_live,
            commands::stream_stop,
            commands::hub_connection,
            commands::hub_me,
            commands::hub_team,
            commands::hub_people,
            commands::hub_invite,
            commands::hub_revoke,
            commands::hub_join,
            commands::settings_get,
            commands::settings_save,
            commands::app_restart,
            commands::system_locale,
            commands::chat_pop_out,
            commands::chat_pop_in,
        ])
}
