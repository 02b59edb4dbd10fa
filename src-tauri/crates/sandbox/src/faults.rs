//! Fault injection for tests: a middleware on the REST surface that, for the requests it picks (at the
//! configured rate, with the sandbox's seeded RNG), adds latency, answers a gateway error or a Tencent
//! error code, or closes the connection — before handling the request, or after (a lost answer).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;

use crate::{FaultKind, Shared};

/// A response whose body fails at once: hyper aborts the connection without a complete answer.
fn broken_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault injection"))
    });
    Response::new(Body::from_stream(stream))
}

pub(crate) async fn inject(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let picked = {
        let faults = shared.faults.read().unwrap_or_else(|p| p.into_inner());
        faults.as_ref().and_then(|f| {
            let matches = f.command.as_deref().is_none_or(|c| request.uri().path().ends_with(&format!("/{c}")));
            let roll = shared.fault_rng.lock().unwrap_or_else(|p| p.into_inner()).gen_bool(f.rate.clamp(0.0, 1.0));
            (matches && roll).then(|| f.kind.clone())
        })
    };
    match picked {
        None => next.run(request).await,
        Some(FaultKind::Latency(d)) => {
            tokio::time::sleep(d).await;
            next.run(request).await
        }
        Some(FaultKind::Http(status)) => {
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY).into_response()
        }
        Some(FaultKind::Code(code)) => axum::Json(serde_json::json!({
            "ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": "injected fault"
        }))
        .into_response(),
        Some(FaultKind::DropConnection) => broken_connection(),
        Some(FaultKind::LoseResponse) => {
            let _handled = next.run(request).await;
            broken_connection()
        }
    }
}
