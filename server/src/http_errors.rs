//! Gives server-function errors their HTTP status.
//!
//! `server_fn` answers every error with 500. The body of such an answer is our
//! [`AppError`] in JSON, and that type knows its status, so this layer reads the body and
//! sets the status from it: a malformed request becomes a 400, an unknown id a 404.

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::response::Response;
use http::StatusCode;
use server_fn::error::SERVER_FN_ERROR_HEADER;

/// Error bodies are small; anything larger is not ours and is passed through untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn set_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::from("Something went wrong on our side."));
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(seconds) = error.retry_after() {
            parts.headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// An answer carrying `error` the way a server function answers it: its status, its JSON
/// body (which the browser's server-function client reads back as the same [`AppError`])
/// and, for a refusal that passes, `Retry-After`. For the layers that refuse a request
/// before any server function runs.
pub fn error_response(error: &AppError) -> Response {
    let body = serde_json::to_string(error).unwrap_or_else(|_| "\"Internal\"".to_owned());
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    headers.insert(SERVER_FN_ERROR_HEADER, http::HeaderValue::from_static("1"));
    if let Some(seconds) = error.retry_after() {
        headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
    }
    response
}
