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
