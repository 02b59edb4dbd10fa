//! The IPC contract: TypeScript for every type that crosses into the UI is generated from the Rust
//! types, into `ui/src/lib/bindings.ts`. This test fails when the committed file differs from what the
//! Rust types generate; `make bindings` (UPDATE_BINDINGS=1) rewrites it.

use ts_rs::TS;

fn generated() -> String {
    let decls = [
        room::RoomStatus::decl(),
        room::ChatLine::decl(),
        room::GiftLine::decl(),
        room::MemberLine::decl(),
        room::RoomEvent::decl(),
        room::EventEnvelope::decl(),
        room::MuteLine::decl(),
        room::words::WordAction::decl(),
        room::words::WordRule::decl(),
        room::event::HeldLine::decl(),
        room::event::BlockedLine::decl(),
        room::event::AuditAction::decl(),
        room::event::AuditLine::decl(),
        room::event::DropCount::decl(),
        room::event::DropMinute::decl(),
        room::event::OnlineSample::decl(),
        room::event::UserCard::decl(),
        room::lottery::LotteryLine::decl(),
        room::gifts::GiftOrder::decl(),
        room::event::StreamSession::decl(),
        room::event::StatusSyncLine::decl(),
        room::event::IngestState::decl(),
        room::event::IngestHealth::decl(),
        room::event::StreamHealth::decl(),
        room::event::GoLiveStep::decl(),
        room::event::StepState::decl(),
        room::event::GoLiveProgress::decl(),
        server::golive::PlayUrl::decl(),
        server::golive::StreamAddress::decl(),
        room::strikes::StrikeStep::decl(),
        room::strikes::StrikeLadder::decl(),
        room::RoomSnapshot::decl(),
        room::event::Resume::decl(),
        room::event::Feed::decl(),
        room::actor::ModAction::decl(),
        room::store::AuditQuery::decl(),
        room::ErrorCode::decl(),
        room::WireError::decl(),
        server::ConsoleMode::decl(),
        server::AppInfo::decl(),
        server::access::Role::decl(),
        server::access::Person::decl(),
        server::access::Invite::decl(),
        server::access::Joined::decl(),
        server::access::Me::decl(),
        server::access::TeamMember::decl(),
        server::remote::HubConnection::decl(),
        stream::PushProtocol::decl(),
        stream::PushAddress::decl(),
        stream::PlayFormat::decl(),
        stream::PlayAddress::decl(),
        stream::Expiry::decl(),
        stream::obs::ObsVersion::decl(),
        stream::obs::OutputState::decl(),
        stream::obs::ObsConnection::decl(),
        stream::obs::ObsHealth::decl(),
        anchordesk_lib::settings::Settings::decl(),
        anchordesk_lib::settings::SecretName::decl(),
        anchordesk_lib::settings::SecretChange::decl(),
        anchordesk_lib::settings::SecretStore::decl(),
        anchordesk_lib::settings::SettingsView::decl(),
        anchordesk_lib::settings::HubJoined::decl(),
        anchordesk_lib::chat::ChatWindow::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by tests/bindings.rs. Do not edit: change the Rust type, then run `make bindings`.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out
}

#[test]
fn the_committed_typescript_bindings_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings.ts");
    let want = generated();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &want).expect("write ui/src/lib/bindings.ts");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/lib/bindings.ts is out of date with the Rust types; run `make bindings` and commit the result"
    );
}
