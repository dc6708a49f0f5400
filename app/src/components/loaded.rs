//! Data a page shows, loaded while the page renders on the server (pages are rendered
//! whole, `SsrMode::Async`, so it is in the first byte the browser receives).
//!
//! Loaded by awaiting the server function itself rather than through a `Resource`: a
//! resource's value is also written into the page as a script for hydration, which a page
//! rendered on the server (whose islands get their data as props) does not use.

use crate::components::rule_message::ViolationList;
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
    loaded_else(load, show, |error| view! { <ErrorNotice error /> }.into_any())
}

/// What a page whose heading comes with what it loads (one product, one request) shows when
/// that fails: still a heading, `{what} not found` for an address that names nothing (or
/// nothing of this account's), and what went wrong. For `loaded_else`.
pub fn page_failed(what: &'static str) -> impl FnOnce(AppError) -> AnyView + Send + 'static {
    move |error| {
        let heading = match error {
            AppError::NotFound(_) => format!("{what} not found"),
            _ => format!("{what} could not be shown"),
        };
        view! {
            <leptos_meta::Title text=heading.clone() />
            <h1>{heading}</h1>
            <ErrorNotice error />
        }
        .into_any()
    }
}

/// `show(data)` once `load` answers, else `failed(error)`; "Loading…" meanwhile.
pub fn loaded_else<T, V>(
    load: impl Future<Output = Result<T, AppError>> + Send + 'static,
    show: impl FnOnce(T) -> V + Send + 'static,
    failed: impl FnOnce(AppError) -> AnyView + Send + 'static,
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
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

/// A list once `load` answers: `empty()` (what to do next) when it holds nothing, else
/// `show(list)`; or what went wrong.
pub fn loaded_list<T, E, V>(
    load: impl Future<Output = Result<Vec<T>, AppError>> + Send + 'static,
    empty: impl FnOnce() -> E + Send + 'static,
    show: impl FnOnce(Vec<T>) -> V + Send + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    E: IntoView + 'static,
    V: IntoView + 'static,
{
    loaded(load, move |list: Vec<T>| if list.is_empty() { empty().into_any() } else { show(list).into_any() })
}

/// An error in words, answered with its HTTP status (a missing product is a 404 page), and
/// with `Retry-After` when it passes (a busy server).
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::from_u16(error.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        if let Some(seconds) = error.retry_after() {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
    }
    view! { <Failed error /> }
}

/// What went wrong with something the person asked for, where they asked: each broken
/// rule on its own line with its rule as data (`data-rule`), anything else in words.
#[component]
pub fn Failed(error: AppError, #[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    match error {
        AppError::Rules(violations) => view! {
            <div class="notice error" role="alert" id=id><ViolationList violations /></div>
        }
        .into_any(),
        // Signed out meanwhile (elsewhere, or the session ended): say that nothing was done,
        // and the way back to this page.
        AppError::Unauthenticated => view! {
            <p class="notice error" role="alert" id=id>
                "You are signed out, so nothing was saved. "
                <a href=sign_in_here()>"Sign in again"</a>
                " to come back to this page."
            </p>
        }
        .into_any(),
        error => view! { <p class="notice error" role="alert" id=id>{error.to_string()}</p> }.into_any(),
    }
}

/// The sign-in page's address that returns to the page being shown.
fn sign_in_here() -> String {
    #[cfg(feature = "hydrate")]
    let (path, query) = {
        let location = window().location();
        (location.pathname().unwrap_or_default(), location.search().unwrap_or_default())
    };
    #[cfg(not(feature = "hydrate"))]
    let (path, query) = use_context::<http::request::Parts>()
        .map(|parts| (parts.uri.path().to_owned(), parts.uri.query().unwrap_or_default().to_owned()))
        .unwrap_or_else(|| ("/".into(), String::new()));
    crate::components::guard::sign_in_back_to(&path, &query)
}
