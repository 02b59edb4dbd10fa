//! Callback benchmark (not a test): how fast the hub answers Tencent's before-send callbacks with a
//! 50,000-rule word list, beside a bare axum handler that only parses the same request and allows it —
//! same payloads, same load, same machine, in the same run, so the ratio means something on a noisy
//! machine. Also the in-process cost of one decision.
//!
//! `cargo bench -p anchordesk-server --bench callbacks` (or `make bench`). Options through the
//! environment: BENCH_SECS (default 5), BENCH_CONNECTIONS (default 32).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anchordesk_server::{router, Hub, HubConfig};
use axum::body::Bytes;
use axum::extract::Query;
use axum::routing::post;
use axum::{Json, Router};
use im::callback::{Callback, CallbackAnswer, CallbackQuery};
use im::{ImClient, Secret};
use rand::{Rng, SeedableRng};
use room::words::{WordAction, WordRule};
use room::{Room, RoomConfig};
use sandbox::{Sandbox, SandboxConfig};
use tokio_util::sync::CancellationToken;

const API_TOKEN: &str = "billing-token";
const TOKEN: &str = "bench-token";

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// 50,000 rules: words of 4–10 letters from a seeded generator, a fifth of each action but deliver.
fn word_list() -> Vec<WordRule> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let actions = [WordAction::Refuse, WordAction::Drop, WordAction::Hold, WordAction::Deliver];
    (0..50_000)
        .map(|i| {
            let len = rng.gen_range(4..=10);
            let word: String = (0..len).map(|_| rng.gen_range(b'a'..=b'z') as char).collect();
            WordRule { pattern: format!("{word}{i}"), action: actions[i % actions.len()] }
        })
        .collect()
}

/// Chat lines like the sandbox audience's, in four languages; a few hit the word list.
fn payloads(group: &str, rules: &[WordRule]) -> Vec<String> {
    let texts = [
        "hello from Toronto!",
        "主播好！这首歌好好听",
        "오늘 방송 너무 재밌어요 ㅋㅋㅋ",
        "初見です、声がいいですね",
        "what game is next? GG",
        "F O L L O W  me for free coins",
        "audio is a bit low 🔥🔥🔥",
        "来了来了 666",
    ];
    let mut out = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        for hit in [None, Some(&rules[i * 997].pattern)] {
            let text = match hit {
                Some(p) => format!("{t} {p}"),
                None => t.to_string(),
            };
            let body = serde_json::json!({
                "CallbackCommand": "Group.CallbackBeforeSendMsg", "GroupId": group, "Type": "AVChatRoom",
                "From_Account": format!("viewer_{i}"), "Operator_Account": format!("viewer_{i}"), "Random": 1000 + i,
                "OnlineOnlyFlag": 0, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}],
                "EventTime": 1_700_000_000_000_u64,
            });
            out.push(body.to_string());
        }
    }
    out
}

/// The baseline: parse the query and the body, answer allow.
fn bare() -> Router {
    Router::new().route(
        "/im/callback",
        post(|Query(_q): Query<CallbackQuery>, body: Bytes| async move {
            let _cb: Callback = serde_json::from_slice(&body).expect("the bench sends valid bodies");
            Json(CallbackAnswer::allow())
        }),
    )
}

struct Figures {
    requests: usize,
    secs: f64,
    p50: Duration,
    p99: Duration,
}

async fn load(url: String, sdkappid: u64, bodies: Arc<Vec<String>>, connections: usize, secs: u64) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|w| {
            let (url, bodies) = (url.clone(), bodies.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut latencies = Vec::new();
                let mut i = w;
                while Instant::now() < deadline {
                    let now = im::clock::now_secs();
                    let sign = im::sign::callback_sign(TOKEN, now);
                    let t = Instant::now();
                    let resp = http
                        .post(&url)
                        .query(&[
                            ("SdkAppid", sdkappid.to_string()),
                            ("CallbackCommand", "Group.CallbackBeforeSendMsg".into()),
                            ("contenttype", "json".into()),
                            ("ClientIP", "127.0.0.1".into()),
                            ("OptPlatform", "Android".into()),
                            ("Sign", sign),
                            ("RequestTime", now.to_string()),
                        ])
                        .header("content-type", "application/json")
                        .body(bodies[i % bodies.len()].clone())
                        .send()
                        .await
                        .expect("the server answers");
                    assert!(resp.status().is_success(), "{}", resp.status());
                    let _ = resp.bytes().await;
                    latencies.push(t.elapsed());
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Figures { requests: all.len(), secs, p50: at(0.50), p99: at(0.99) }
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/im/callback")
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let secs = env("BENCH_SECS", 5);
        let connections = env("BENCH_CONNECTIONS", 32) as usize;
        let cancel = CancellationToken::new();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = Sandbox::start(SandboxConfig::generate(), listener, cancel.clone()).await.unwrap();
        let im = ImClient::builder(sandbox.sdkappid(), sandbox.secret_key().clone()).base_url(sandbox.base_url()).build().unwrap();
        let room = Room::open(RoomConfig::default(), im, cancel.clone()).await.unwrap();
        let rules = word_list();
        let t = Instant::now();
        room.set_words("bench", rules.clone()).await.unwrap();
        println!("word list: {} rules compiled and published in {:?}", rules.len(), t.elapsed());

        let bodies = Arc::new(payloads(room.group_id(), &rules));
        let decide: Vec<Callback> = bodies.iter().map(|b| serde_json::from_str(b).unwrap()).collect();
        let n = 200_000;
        let t = Instant::now();
        for i in 0..n {
            std::hint::black_box(room.decide(decide[i % decide.len()].clone()));
        }
        let per = t.elapsed() / n as u32;
        println!("in-process decision (policy snapshot + 50k-rule filter + hand-off to the room): {per:?} each, {:.0}/s on one thread", 1.0 / per.as_secs_f64());
        let lost = |r: &room::RoomHandle| r.stats().lost.load(std::sync::atomic::Ordering::Relaxed);
        println!(
            "  observations the room shed while deciding faster than it can apply: {} of {n} (answers unaffected)",
            lost(&room)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let lost_before_load = lost(&room);

        let hub = Hub { access: anchordesk_server::access::Access::in_memory(Default::default()), stream: None, config: HubConfig { sdkappid: sandbox.sdkappid(), callback_token: Some(Secret::new(TOKEN)), api_token: Some(Secret::new(API_TOKEN)), tls: false }, room: room.clone() };
        let hub_url = serve(router(hub)).await;
        let bare_url = serve(bare()).await;
        println!("load: {connections} keep-alive connections for {secs} s each, {} distinct bodies, 2 cores shared with the load generator", bodies.len());
        let base = load(bare_url, sandbox.sdkappid(), bodies.clone(), connections, secs).await;
        let full = load(hub_url, sandbox.sdkappid(), bodies, connections, secs).await;
        let rate = |f: &Figures| f.requests as f64 / f.secs;
        println!("{:<28} {:>12} {:>10} {:>10}", "", "callbacks/s", "p50", "p99");
        println!("{:<28} {:>12.0} {:>10.2?} {:>10.2?}", "bare axum parse-and-allow", rate(&base), base.p50, base.p99);
        println!("{:<28} {:>12.0} {:>10.2?} {:>10.2?}", "hub (Sign, 50k words, room)", rate(&full), full.p50, full.p99);
        println!("hub/bare throughput ratio: {:.2}", rate(&full) / rate(&base));
        println!(
            "observations shed under the HTTP load: {} of {}",
            lost(&room) - lost_before_load,
            full.requests
        );
        cancel.cancel();
    });
}
