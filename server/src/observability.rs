//! What operators see: `GET /health` for load balancers, a request id on every request's
//! log lines and on its response (`x-request-id`), and logs as text or JSON lines.

use app::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, Request, StatusCode};
use tower_http::request_id::{MakeRequestId, RequestId};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// 200 when the database answers, 503 when it does not.
pub async fn health(State(state): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.db).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer").into_response()
        }
    }
}

/// Drops a request id the client sent that is not a plain short id (1 to 64 letters, digits,
/// `-`, `_` or `.`): it is written into every log line of the request and on its answer, so
/// anything else (60 KB of it, or words meant for an operator's eyes) is replaced by one of
/// ours.
pub async fn plain_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    let plain = |v: &HeaderValue| (1..=64).contains(&v.len()) && v.as_bytes().iter().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b));
    let ids = request.headers().get_all(REQUEST_ID);
    if ids.iter().count() > 1 || ids.iter().any(|v| !plain(v)) {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

/// A random 64-bit id for each request, unless a proxy in front already gave it one.
#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&format!("{:016x}", rand::random::<u64>())).ok().map(RequestId::new)
    }
}

/// The span every request's log lines are written in, named by its request id (the router
/// sets the id before this span opens: see `crate::router`).
pub fn request_span(request: &Request<axum::body::Body>) -> tracing::Span {
    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
}

/// Starts logging: `RUST_LOG` filters (default `info`); `json` writes one JSON object per line.
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if json {
        tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
}
