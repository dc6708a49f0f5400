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
    }
    Response::from_parts(parts, Body::from(bytes))
}
