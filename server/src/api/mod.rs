//! `/api/v1`: the console's seller operations for pipelines (SPEC section 8, R60–R64).
//! JSON in and out; an API token (`Authorization: Bearer …`) opens it, never a session
//! cookie, so no browser can be made to call it for someone (no cross-site defence is
//! needed). Every operation is the console's own function with the same rules and
//! ownership checks (`app::*::ssr`); this module only reads requests and writes answers.
//! Every error has one shape:
//! `{"error": {"code", "message", "violations": [{"rule", "field", "message"}]}}`.

mod docs;
mod routes;

use app::error::AppError;
use app::state::AppState;
use app::store::now_ms;
use app::tokens::ssr::{authenticate, charge, TokenCaller};
use app::tokens::Scope;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};

pub use routes::{router, Images, ImageEligibility, Page, Validation};

/// An error as the API answers it.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

/// One broken rule in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Violation {
    pub rule: String,
    pub field: String,
    pub message: String,
}

impl Violation {
    pub fn all(violations: &[app::rules::RuleViolation]) -> Vec<Violation> {
        violations
            .iter()
            .map(|v| Violation { rule: v.rule.to_string(), field: v.field.to_string(), message: v.message.clone() })
            .collect()
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub violations: Vec<Violation>,
}

/// A short, stable name for each kind of error, for programs to branch on.
fn code(error: &AppError) -> &'static str {
    match error {
        AppError::Unauthenticated | AppError::InvalidCredentials | AppError::InvalidToken(_) => "unauthenticated",
        AppError::Forbidden | AppError::MissingScope(_) => "forbidden",
        AppError::LimitReached(_) => "limit_reached",
        AppError::NotFound(_) => "not_found",
        AppError::BadRequest(_) => "bad_request",
        AppError::Rules(_) => "rule_violations",
        AppError::Conflict(_) | AppError::AccountChanged => "conflict",
        AppError::TooManyRequests { .. } => "too_many_requests",
        AppError::Busy { .. } | AppError::Unreachable => "busy",
        AppError::Internal => "internal",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail { code: code(&error).into(), message: error.to_string(), violations: Violation::all(error.violations()) },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = error.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The token of a request, checked, counted against its budget (R64) and holding `scope`.
pub async fn caller(state: &AppState, headers: &HeaderMap, scope: Scope) -> Result<TokenCaller, ApiError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        // The scheme's name is case-insensitive (RFC 9110).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| AppError::InvalidToken("Send an API token: Authorization: Bearer <token>.".into()))?;
    let now = now_ms();
    let caller = authenticate(&state.db, secret, now).await?;
    charge(&state.db, &caller.token_id, state.settings.api_requests_per_minute, now).await?;
    caller.require(scope)?;
    Ok(caller)
}

/// The API's routes (to nest at `/api/v1`), with answers to paths it does not have in its
/// own shape.
pub fn routes() -> Router<AppState> {
    router()
        .fallback(|| async { ApiError(AppError::NotFound("This API path".into())) })
        .method_not_allowed_fallback(|| async {
            let mut response = ApiError(AppError::BadRequest("This API path does not take this method.".into())).into_response();
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            response
        })
}

/// Gives the refusals of the layers in front of every request (input checks, cross-site
/// writes), which answer as a server function would, the API's error shape on `/api/v1`.
pub async fn shape_refusals(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/v1/");
    let response = next.run(request).await;
    if !api || !response.headers().contains_key(server_fn::error::SERVER_FN_ERROR_HEADER) {
        return response;
    }
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let error = serde_json::from_slice::<AppError>(&bytes).unwrap_or(AppError::Internal);
    let mut shaped = ApiError(error).into_response();
    *shaped.status_mut() = status;
    shaped
}
