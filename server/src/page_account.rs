//! Refuses a server function called by a page drawn for another account than the one the
//! session is now (`app::page_account`): 409, and nothing done.

use app::auth::ssr::{account_for_token, cookie, SESSION_COOKIE};
use app::error::AppError;
use app::page_account::PAGE_ACCOUNT_HEADER;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

pub async fn refuse_another_accounts_page(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let server_function = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    let page_account = request.headers().get(PAGE_ACCOUNT_HEADER).map(|v| v.as_bytes().to_vec());
    if let (true, Some(page_account)) = (server_function, page_account) {
        // Without a session the function itself says to sign in; a session that cannot be
        // looked up is left to it too.
        if let Some(token) = cookie(request.headers(), SESSION_COOKIE) {
            if let Ok(Some(account)) = account_for_token(&state.db, token, state.settings.session_idle_ms).await {
                if account.id.as_bytes() != page_account.as_slice() {
                    tracing::info!(path, "refused a call from a page drawn for another account");
                    return crate::http_errors::error_response(&AppError::AccountChanged);
                }
            }
        }
    }
    next.run(request).await
}
