//! The command line, run as a user runs it: the real binary in a child process.

mod support;

use std::process::Command;

use support::APP;

#[test]
fn usersig_prints_a_sig_that_decodes_to_the_documented_fields() {
    let out = Command::new(APP)
        .args(["usersig", "--sdkappid", "1400000000", "--identifier", "xiaojun", "--expire", "15552000"])
        .env("ANCHORDESK_IM_SECRET_KEY", "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sig = String::from_utf8(out.stdout).unwrap();
    let doc = im::usersig::decode(sig.trim()).expect("the printed UserSig decodes");
    assert_eq!((doc.identifier.as_str(), doc.sdkappid, doc.expire), ("xiaojun", 1400000000, 15552000));
    let checked = im::usersig::verify(
        sig.trim(),
        1400000000,
        "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e",
        "xiaojun",
        doc.time,
        None,
    );
    assert!(checked.is_ok(), "it verifies with the key it was made with");
}

#[test]
fn usersig_without_a_key_says_what_is_missing() {
    let out = Command::new(APP)
        .args(["usersig", "--sdkappid", "1", "--identifier", "a"])
        .env_remove("ANCHORDESK_IM_SECRET_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--key"), "clap names the missing argument");
}

#[test]
fn help_lists_the_subcommands_and_the_environment() {
    let out = Command::new(APP).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for word in ["sandbox", "usersig", "ANCHORDESK_SDKAPPID", "ANCHORDESK_CALLBACK_TOKEN"] {
        assert!(help.contains(word), "--help mentions {word}");
    }
}

#[tokio::test]
async fn the_headless_sandbox_prints_credentials_that_work_against_it() {
    let (_sandbox, creds) = support::headless_sandbox(&["--no-audience"], &[]);
    let created = creds
        .im()
        .create_group(&im::api::CreateGroup {
            group_type: "AVChatRoom".into(),
            name: "cli".into(),
            ..Default::default()
        })
        .await
        .expect("the printed credentials are the admin's");
    assert!(created.group_id.starts_with("@TGS#"), "Tencent-style group IDs: {}", created.group_id);
}

/// Runs `anchordesk admin OP…` against a sandbox, credentials from the environment as documented.
fn admin(creds: &support::Creds, group: Option<&str>, op: &[&str]) -> (i32, serde_json::Value, String) {
    let mut cmd = Command::new(APP);
    cmd.arg("admin")
        .args(op)
        .env("ANCHORDESK_IM_ENDPOINT", creds.base_url())
        .env("ANCHORDESK_SDKAPPID", creds.sdkappid().to_string())
        .env("ANCHORDESK_IM_SECRET_KEY", creds.secret_key())
        .env_remove("ANCHORDESK_GROUP");
    if let Some(g) = group {
        cmd.env("ANCHORDESK_GROUP", g);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let value = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), value, stderr)
}

#[test]
fn an_operator_can_script_a_room_with_admin_and_every_result_is_json() {
    let (_sandbox, creds) = support::headless_sandbox(&["--no-audience"], &[]);
    let (code, created, err) = admin(&creds, None, &["create-room", "--name", "Night show"]);
    assert_eq!(code, 0, "{err}");
    let group = created["GroupId"].as_str().expect("create-room prints the GroupId").to_string();
    let g = Some(group.as_str());

    assert_eq!(admin(&creds, g, &["set-notice", "今晚八点见"]).0, 0);
    assert_eq!(admin(&creds, g, &["set-intro", "Music and chat"]).0, 0);
    assert_eq!(admin(&creds, g, &["set-status", "live"]).0, 0);
    let (_, info, _) = admin(&creds, g, &["room-info"]);
    assert_eq!(info["Notification"], "今晚八点见");
    assert_eq!(info["Introduction"], "Music and chat");
    assert!(info["AppDefinedData"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["Key"] == "room_status" && d["Value"] == "live"));

    let (code, _, err) = admin(&creds, g, &["set-status", "upcoming"]);
    assert_eq!(code, 2, "live cannot go back to upcoming");
    assert!(err.contains("--force") && err.contains("paused"), "the refusal says what is allowed: {err}");

    let (code, sent, _) = admin(&creds, g, &["send-text", "welcome!", "--priority", "high"]);
    assert_eq!(code, 0);
    assert!(sent["MsgSeq"].as_u64().unwrap() > 0);

    let (code, muted, _) = admin(&creds, g, &["mute", "loud_1", "600"]);
    assert_eq!(code, 0);
    assert!(muted["MutedUntil"].as_u64().unwrap() > im::clock::now_secs() + 500);
    let (_, list, _) = admin(&creds, g, &["muted"]);
    assert_eq!(list["MutedAccountList"][0]["Member_Account"], "loud_1");
    assert_eq!(admin(&creds, g, &["unmute", "loud_1"]).0, 0);
    assert_eq!(admin(&creds, g, &["muted"]).1["MutedAccountList"], serde_json::json!([]));

    assert_eq!(admin(&creds, g, &["mute-all", "on"]).0, 0);
    assert_eq!(admin(&creds, g, &["room-info"]).1["MuteAllMember"], "On");
    assert_eq!(admin(&creds, g, &["mute-all", "off"]).0, 0);

    assert_eq!(
        admin(&creds, g, &["kick", "troll_1", "troll_2"]).1["Kicked"],
        serde_json::json!(["troll_1", "troll_2"])
    );
    assert_eq!(admin(&creds, g, &["ban", "troll_1", "3600", "--reason", "spam"]).0, 0);
    assert_eq!(admin(&creds, g, &["banned"]).1["BannedAccountList"][0]["Member_Account"], "troll_1");
    assert_eq!(admin(&creds, g, &["unban", "troll_1"]).0, 0);
    assert_eq!(admin(&creds, g, &["online"]).1["OnlineMemberNum"], 0);
    assert_eq!(admin(&creds, None, &["rooms"]).1["GroupIdList"], serde_json::json!([group]));
}

#[test]
fn admin_errors_carry_tencents_code_and_what_to_do() {
    let (_sandbox, creds) = support::headless_sandbox(&["--no-audience"], &[]);
    let out = Command::new(APP)
        .args(["admin", "--endpoint", creds.base_url(), "--sdkappid", &creds.sdkappid().to_string()])
        .args(["--key", "not-the-key", "--group", "@TGS#x", "online"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("errors are JSON too");
    assert_eq!(err["ErrorCode"], 70009, "a wrong key is Tencent's 70009");
    assert!(err["Advice"].as_str().unwrap().contains("secret key"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not-the-key"), "the key is never echoed");

    let (code, _, err) = admin(&creds, None, &["online"]);
    assert_eq!(code, 2);
    assert!(err.contains("--group"), "{err}");
    let (code, _, err) = admin(&creds, Some("@TGS#aNOSUCHROOM"), &["room-info"]);
    assert_eq!(code, 1);
    assert!(err.contains("10010"), "a missing room is 10010: {err}");
}

/// Runs `anchordesk stream-state ARGS…` with the CSS credentials of `creds` in the environment.
fn stream_state(creds: &support::Creds, key: &str, args: &[&str]) -> (i32, String, String) {
    let css = &creds.0["css"];
    let field = |k: &str| css[k].as_str().unwrap_or_else(|| panic!("sandbox --json prints css.{k}: {css}")).to_string();
    let out = Command::new(APP)
        .arg("stream-state")
        .args(args)
        .env("ANCHORDESK_CSS_ENDPOINT", field("endpoint"))
        .env("ANCHORDESK_CSS_PUSH_DOMAIN", field("push_domain"))
        .env("ANCHORDESK_CSS_SECRET_ID", field("secret_id"))
        .env("ANCHORDESK_CSS_SECRET_KEY", key)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn stream_state_asks_the_css_api_with_keys_from_the_environment_and_never_echoes_them() {
    let (_sandbox, creds) = support::headless_sandbox(&["--no-audience"], &[]);
    let key = creds.0["css"]["secret_key"].as_str().expect("sandbox --json prints the CSS SecretKey").to_string();
    assert!(creds.0["css"]["rtmp_url"].as_str().is_some_and(|u| u.starts_with("rtmp://127.0.0.1:")));

    let (code, out, err) = stream_state(&creds, &key, &["--stream", "cli-stream", "--json"]);
    assert_eq!(code, 0, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("--json prints JSON");
    assert_eq!(answer["StreamState"], "inactive", "nothing pushes cli-stream: {answer}");
    assert!(answer["RequestId"].as_str().is_some_and(|id| !id.is_empty()));
    let (code, out, _) = stream_state(&creds, &key, &["--stream", "cli-stream"]);
    assert_eq!((code, out.trim_end().ends_with(": inactive")), (0, true), "{out}");
    assert!(!format!("{out}{err}").contains(&key), "the SecretKey is never printed");

    let (code, _, err) = stream_state(&creds, "not-the-secret-key", &["--stream", "cli-stream"]);
    assert_eq!(code, 1);
    assert!(err.contains("AuthFailure.SignatureFailure") && err.contains("SecretKey"), "code and advice: {err}");
    assert!(!err.contains("not-the-secret-key"), "the key is never echoed: {err}");

    let (code, _, err) = stream_state(&creds, &key, &["--stream", "bad name"]);
    assert_eq!(code, 2, "bad input is a usage error: {err}");
    assert!(err.contains("letters, digits"), "it says what to fix: {err}");
}

#[test]
fn on_a_base_edition_sandbox_ban_is_refused_with_10007_and_says_why() {
    let (_sandbox, creds) = support::headless_sandbox(&["--no-audience", "--edition", "base"], &[]);
    let (_, created, _) = admin(&creds, None, &["create-room"]);
    let group = created["GroupId"].as_str().unwrap().to_string();
    let (code, _, err) = admin(&creds, Some(&group), &["ban", "troll_1", "60"]);
    assert_eq!(code, 1);
    let err: serde_json::Value = serde_json::from_str(&err).unwrap();
    assert_eq!(err["ErrorCode"], 10007, "banning is behind the edition switch");
    assert!(err["Advice"].as_str().unwrap().contains("edition"), "{err}");
}

#[tokio::test]
async fn the_headless_hub_serves_its_health_and_refuses_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = support::Proc(
        Command::new(APP)
            .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .env("ANCHORDESK_AUDIENCE", "off")
            .env_remove("ANCHORDESK_SDKAPPID")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.trim().strip_prefix("health:").map(|u| u.trim().to_string()))
    })
    .await
    .unwrap()
    .expect("the hub prints where it listens");
    assert_eq!(reqwest::get(&url).await.unwrap().text().await.unwrap(), "ok");
    assert!(dir.path().join("room.sqlite").exists(), "the room lives in the data folder");

    let bad = dir.path().join("hub.toml");
    std::fs::write(&bad, "sdk_app_id = 1\n").unwrap();
    let out = Command::new(APP).args(["server", "--config"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown setting"), "the error names the mistake");
}
