//! A sandbox standing in for Tencent, and the hub (callbacks and console API on a real port) with its
//! room, which can be stopped and started again on the same database.

use std::path::PathBuf;
use std::time::Duration;

use im::{ImClient, Secret};
use room::{Room, RoomConfig, RoomHandle};
use sandbox::{CallbackTarget, Sandbox, SandboxConfig, Switches, Viewer};
use server::access::{Access, Limits};
use server::{router, Hub, HubConfig};
use tokio_util::sync::CancellationToken;

pub const API_TOKEN: &str = "billing-token";
pub const TOKEN: &str = "room-test-token";

/// A sandbox, and a hub + room that can be stopped and started again on the same database.
pub struct Stack {
    pub sandbox: Sandbox,
    pub im: ImClient,
    pub db: PathBuf,
    pub hub_addr: std::net::SocketAddr,
    pub room: RoomHandle,
    pub room_cancel: CancellationToken,
    /// The hub's people (`hub.sqlite` beside the room's database), reopened on a restart.
    pub access: Access,
    pub limits: Limits,
    _dir: tempfile::TempDir,
    _sandbox_cancel: tokio_util::sync::DropGuard,
}

pub fn config(db: &std::path::Path) -> RoomConfig {
    RoomConfig {
        db_path: Some(db.to_path_buf()),
        likes_flush: Duration::from_millis(200),
        online_poll: Duration::from_millis(100),
        ..RoomConfig::default()
    }
}

impl Stack {
    pub async fn start(switches: Switches) -> Stack {
        Self::start_with(|sb| sb.switches = switches).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut SandboxConfig)) -> Stack {
        Self::start_limited(tweak, Limits::default()).await
    }

    /// A stack whose hub has these limits on its API.
    pub async fn start_limited(tweak: impl FnOnce(&mut SandboxConfig), limits: Limits) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let hub_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hub_addr = hub_listener.local_addr().unwrap();
        let sandbox_cancel = CancellationToken::new();
        let mut sb = SandboxConfig::generate();
        sb.online_granularity = Duration::from_millis(50);
        tweak(&mut sb);
        sb.callback =
            Some(CallbackTarget { url: format!("http://{hub_addr}/im/callback"), token: Some(Secret::new(TOKEN)) });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = Sandbox::start(sb, listener, sandbox_cancel.clone()).await.unwrap();
        let im = ImClient::builder(sandbox.sdkappid(), sandbox.secret_key().clone())
            .base_url(sandbox.base_url())
            .build()
            .unwrap();
        let db = dir.path().join("room.sqlite");
        let room_cancel = CancellationToken::new();
        let room = Room::open(config(&db), im.clone(), room_cancel.clone()).await.unwrap();
        let mut stack = Stack {
            sandbox,
            im,
            db,
            hub_addr,
            room,
            room_cancel,
            access: Access::in_memory(limits),
            limits,
            _dir: dir,
            _sandbox_cancel: sandbox_cancel.drop_guard(),
        };
        stack.serve(hub_listener);
        stack
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        self.access = Access::open(&self.db.with_file_name("hub.sqlite"), self.limits).expect("hub.sqlite opens");
        let hub = Hub {
            access: self.access.clone(),
            stream: None,
            config: HubConfig {
                sdkappid: self.sandbox.sdkappid(),
                callback_token: Some(Secret::new(TOKEN)),
                api_token: Some(Secret::new(API_TOKEN)),
                tls: false,
            },
            room: self.room.clone(),
        };
        let stop = self.room_cancel.clone();
        tokio::spawn(async move {
            let app = router(hub).into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await.unwrap();
        });
    }

    /// Stops the hub and the room (flushing what they persisted) and starts them again.
    pub async fn restart(&mut self) {
        self.room.flush().await;
        self.room_cancel.cancel();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.room_cancel = CancellationToken::new();
        self.room = Room::open(config(&self.db), self.im.clone(), self.room_cancel.clone()).await.unwrap();
        let listener = tokio::net::TcpListener::bind(self.hub_addr).await.unwrap();
        self.serve(listener);
    }

    pub fn group(&self) -> String {
        self.room.group_id().to_string()
    }

    pub async fn viewer(&self, user: &str) -> Viewer {
        let v = self.sandbox.viewer(user);
        v.join(&self.group()).await.expect("joins");
        v
    }
}
