//! Data a page shows, loaded while the page renders on the server (pages are rendered
//! whole, `SsrMode::Async`, so it is in the first byte the browser receives).
//!
//! Loaded by awaiting the server function itself rather than through a `Resource`: a
//! resource's value is also written into the page as a script for hydration, which a page
//! rendered on the server (whose islands get their data as props) does not use.

use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// Shows `show(data)` once `load` answers, or what went wrong, with its status.
pub fn loaded<T, V>(
    load: impl Future<Output = Result<T, AppError>> + Send + 'static,
    show: impl FnOnce(T) -> V + Send + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p role="status">"Loading…"</p> }>
            {Suspend::new(async move {
                match load.await {
                    Ok(data) => show(data).into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An error in words, answered with its HTTP status (a missing product is a 404 page).
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::from_u16(error.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    view! { <p class="form-error" role="alert">{error.to_string()}</p> }
}
