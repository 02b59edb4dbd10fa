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
        .env("ANCHORDESK_PUSH_DOMAIN", field("push_domain"))
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

/// Runs `anchordesk ARGS…` with `env`, the CSS and OBS variables cleared first; (code, stdout, stderr).
fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(APP);
    cmd.args(args);
    for var in [
        "ANCHORDESK_PUSH_DOMAIN",
        "ANCHORDESK_PUSH_KEY",
        "ANCHORDESK_PLAY_DOMAIN",
        "ANCHORDESK_PLAY_KEY",
        "ANCHORDESK_OBS_URL",
        "ANCHORDESK_OBS_PASSWORD",
        "ANCHORDESK_OBS_STREAM_KEY",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).to_string();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

#[test]
fn push_url_prints_the_documented_address_as_json_with_the_key_from_the_environment() {
    let (code, out, err) = run(
        &["push-url", "--domain", "livepush.tcloud.com", "--stream", "test", "--expire-at", "1546064025", "--json"],
        &[("ANCHORDESK_PUSH_KEY", "e12c46f2612d5106e2034781ab261ca3")],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(
        v["url"], "rtmp://livepush.tcloud.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099",
        "tencent-cloud.md §6.1"
    );
    assert_eq!(v["server"], "rtmp://livepush.tcloud.com/live/");
    assert_eq!(v["stream_key"], "test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099");
    assert_eq!((v["tx_time"].as_str(), v["expires_at"].as_u64()), (Some("5C271099"), Some(1546064025)));
    assert_eq!(v["tx_secret"], "f85a2ab363fe4deaffef9754d79da6fe");
    assert!(err.contains("expired"), "an expired address is flagged on stderr: {err}");
}

#[test]
fn push_url_makes_srt_addresses_valid_for_a_duration_and_a_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let qr = dir.path().join("push.png");
    let (code, out, err) =
        run(&["push-url", "--domain", "d.example.com", "--stream", "s1", "--key", "k", "--valid-for", "7d"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Stream Key: s1?txSecret=") && out.contains("valid for 7d"), "{out}");
    let (code, out, err) = run(
        &["push-url", "--domain", "d.example.com", "--stream", "s1", "--protocol", "srt", "--json"],
        &[("ANCHORDESK_PUSH_KEY", "k")],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with("srt://d.example.com:9000?streamid=#!::h=d.example.com,r=live/s1,txSecret="), "{url}");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let expires = v["expires_at"].as_u64().unwrap();
    assert!(expires.abs_diff(now + 86400) < 60, "24 h by default: {expires} vs {now}");
    let qr_arg = qr.to_str().unwrap();
    let (code, _, err) = run(
        &["push-url", "--domain", "d.example.com", "--stream", "s1", "--qr", qr_arg],
        &[("ANCHORDESK_PUSH_KEY", "k")],
    );
    assert_eq!(code, 0, "{err}");
    let png = std::fs::read(&qr).expect("the QR code was written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert!(width >= 320, "big enough to scan across a desk: {width}");
}

#[test]
fn push_url_says_what_to_fix_in_bad_input() {
    let key = [("ANCHORDESK_PUSH_KEY", "k")];
    let (code, _, err) = run(&["push-url", "--domain", "d.example.com", "--stream", "my stream"], &key);
    assert_eq!(code, 2);
    assert!(err.contains("contains ' '") && err.contains("letters, digits and '-'"), "{err}");
    let (code, _, err) = run(&["push-url", "--domain", "rtmp://d.example.com", "--stream", "s"], &key);
    assert_eq!(code, 2);
    assert!(err.contains("without rtmp://"), "{err}");
    let (code, _, err) = run(&["push-url", "--domain", "d.example.com", "--stream", "s", "--valid-for", "3w"], &key);
    assert_eq!(code, 2);
    assert!(err.contains("90s, 30m, 24h or 7d"), "{err}");
    let (code, _, err) = run(&["push-url", "--domain", "d.example.com", "--stream", "s"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("ANCHORDESK_PUSH_KEY") && err.contains("--no-auth"), "{err}");
    let (code, out, _) = run(&["push-url", "--domain", "d.example.com", "--stream", "s", "--no-auth"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("URL:        rtmp://d.example.com/live/s\n"), "{out}");
}

#[test]
fn play_url_prints_the_documented_play_auth_example() {
    // tencent-cloud.md §6.4: txTime 5C01D608 with a 12495 s validity period.
    let expire_at = (0x5C01D608u64 + 12495).to_string();
    let (code, out, err) = run(
        &[
            "play-url",
            "--domain",
            "www.test.com",
            "--stream",
            "test01",
            "--expire-at",
            &expire_at,
            "--auth-period",
            "12495s",
            "--http",
            "--json",
        ],
        &[("ANCHORDESK_PLAY_KEY", "ngoeiq03")],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["url"],
        "http://www.test.com/live/test01.flv?txSecret=ce797dc6238156d548ef945e6ad1ea20&txTime=5C01D608"
    );
    assert_eq!(v["expires_at"].as_u64(), Some(0x5C01D608 + 12495));
    let (code, out, _) =
        run(&["play-url", "--domain", "p.example.com", "--stream", "s", "--format", "hls", "--template", "hd"], &[]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "Play address (hls): https://p.example.com/live/s_hd.m3u8");
    let (code, _, err) = run(&["play-url", "--domain", "p.example.com", "--stream", "s", "--valid-for", "1h"], &[]);
    assert_eq!(code, 2, "a validity without a key is a mistake");
    assert!(err.contains("ANCHORDESK_PLAY_KEY"), "{err}");
}

/// Runs `anchordesk obs ARGS…` off the runtime thread, so the fake OBS keeps serving meanwhile.
async fn obs_cli(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let args: Vec<String> = std::iter::once("obs").chain(args.iter().copied()).map(String::from).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(&args, &env)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obs_commands_apply_start_report_and_stop_against_a_fake_obs() {
    use sandbox::obs::{FakeObs, FakeObsConfig};
    let fake =
        FakeObs::bind(FakeObsConfig { password: Some(im::Secret::new("obs-pw")), ..Default::default() }).await.unwrap();
    let url = fake.url();
    let login = [("ANCHORDESK_OBS_URL", url.as_str()), ("ANCHORDESK_OBS_PASSWORD", "obs-pw")];
    let key = "s1?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099";
    let env = [login[0], login[1], ("ANCHORDESK_OBS_STREAM_KEY", key)];
    let (code, out, err) = obs_cli(&["apply", "--server", "rtmp://livepush.example.com/live/"], &env).await;
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("f85a2ab3") && !err.contains("f85a2ab3"), "the key is never printed: {out}{err}");
    assert_eq!(fake.stream_service().1["key"], key, "OBS got the key from the environment");

    let (code, out, err) = obs_cli(&["start"], &login).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["live"], true);
    let (code, out, err) = obs_cli(&["status", "--sample", "1s"], &login).await;
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((s["output"].as_str(), s["live"].as_bool()), (Some("started"), Some(true)), "{s}");
    let kbps = s["bitrateKbps"].as_f64().expect("two polls of a live output give a bitrate");
    assert!((kbps - 2500.0).abs() < 25.0, "the fake sends 2.5 Mbit/s: {s}");
    assert!(s["totalFrames"].as_u64().unwrap() > 0 && s["skippedFrames"].is_u64(), "{s}");

    let (code, _, err) = obs_cli(&["apply", "--server", "rtmp://other.example.com/live/"], &env).await;
    assert_eq!(code, 1);
    assert!(err.contains("stop the stream in OBS first"), "{err}");
    let (code, out, err) = obs_cli(&["stop"], &login).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["output"], "stopped");

    let (code, _, err) = obs_cli(&["status", "--password", "nope", "--url", &url], &[]).await;
    assert_eq!(code, 1);
    assert!(err.contains("the OBS WebSocket password is wrong") && !err.contains("nope"), "{err}");
}
