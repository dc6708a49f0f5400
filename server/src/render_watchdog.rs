//! A deadline for server-rendered pages.
//!
//! Leptos 0.8.23 (the newest 0.8 release) occasionally never finishes rendering a page whose
//! `<Suspense>` waits for a resource: a lost wake-up inside `Suspense`, the family of
//! leptos-rs/leptos#4851 and #4673. The process stays healthy and the same page renders
//! fine the next time, but that one response hangs forever. Under load it happened to
//! about one page in a thousand here (`pages_rendered_many_times_at_once_all_finish`).
//!
//! Pages use `SsrMode::Async`, so Leptos holds the whole page before sending its first
//! byte anyway. This layer therefore takes the whole response within a deadline and, if a
//! render stalls, renders the page again (page requests are `GET`s, which change nothing).
//! Remove it once Leptos fixes the race.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};
use std::time::Duration;

/// Far above any real render (tens of milliseconds), far below a visitor giving up.
const RENDER_DEADLINE: Duration = Duration::from_secs(8);
const ATTEMPTS: u32 = 3;
/// A page larger than this is a bug, not a page.
const MAX_PAGE_BYTES: usize = 16 << 20;

pub async fn finish_pages(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() != Method::GET || path.starts_with("/api/") || path.starts_with("/pkg/") {
        return next.run(request).await;
    }
    let (parts, _) = request.into_parts();
    for attempt in 1..=ATTEMPTS {
        let request = Request::from_parts(parts.clone(), Body::empty());
        let render = async {
            let (head, body) = next.clone().run(request).await.into_parts();
            axum::body::to_bytes(body, MAX_PAGE_BYTES).await.map(|bytes| Response::from_parts(head, Body::from(bytes)))
        };
        match tokio::time::timeout(RENDER_DEADLINE, render).await {
            Ok(Ok(response)) => return response,
            Ok(Err(error)) => {
                tracing::error!(%error, path = %parts.uri.path(), "a page could not be read whole");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            Err(_) => tracing::warn!(
                attempt,
                path = %parts.uri.path(),
                "a page render stalled (leptos-rs/leptos#4851); rendering it again"
            ),
        }
    }
    (StatusCode::SERVICE_UNAVAILABLE, "This page could not be rendered just now. Please reload it.").into_response()
}
