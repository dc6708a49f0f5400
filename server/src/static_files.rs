//! Static files (the WASM bundle, its JavaScript, CSS, icons) and the 404 page.
//!
//! `/pkg` holds what the build wrote: with `hash-files` every name there carries a hash of
//! its content, so those answers are cached for a year (`immutable`) and a returning
//! browser downloads no code at all. Each file is sent as the `.br` or `.gz` the release
//! build wrote beside it (`--precompress`) when the browser accepts that encoding.
//!
//! A path no file system could hold (a name over 255 bytes, an address over 2 KiB) is
//! answered 404 without asking the file system: asked, it fails with "File name too long",
//! which the file service logs as an ERROR of ours though the mistake is the client's.

use app::state::AppState;
use axum::extract::{Request, State};
use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;

/// The longest file name on the file systems we run on, and a bound on a whole path.
const MAX_NAME_BYTES: usize = 255;
const MAX_PATH_BYTES: usize = 2048;

/// Whether a request path could name a file at all.
pub fn plausible_file_path(path: &str) -> bool {
    path.len() <= MAX_PATH_BYTES && path.split('/').all(|segment| segment.len() <= MAX_NAME_BYTES)
}

/// The answer for an address that cannot name anything on this site.
pub fn no_such_address() -> Response {
    let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page not found · Marketplace</title></head>\
        <body><main><h1>Page not found</h1><p>There is no page at this address.</p>\
        <p><a href=\"/\">Go to the marketplace</a></p></main></body></html>";
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

/// Whether `path` is under a folder of the build's files: the console's `/pkg` or the
/// wizard's `/wizard-pkg` (`server::page_scripts`).
pub fn is_build_path(path: &str) -> bool {
    path.starts_with("/pkg/") || path.strip_prefix('/').and_then(|p| p.strip_prefix(crate::page_scripts::WIZARD_PKG_DIR)).is_some_and(|p| p.starts_with('/'))
}

/// A year: the longest `max-age` browsers honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /pkg/…`: the build's files, precompressed, cached for good when their names are hashed.
pub async fn pkg(State(state): State<AppState>, request: Request) -> Response {
    serve_built(&state.leptos_options.site_root, state.leptos_options.hash_files, request).await
}

/// `GET /wizard-pkg/…`: the wizard's bundle (`server::page_scripts`), as `/pkg`.
pub async fn wizard_pkg(State(state): State<AppState>, request: Request) -> Response {
    let root = crate::page_scripts::wizard_site_root(&state.leptos_options);
    serve_built(&root, state.leptos_options.hash_files, request).await
}

/// The file the request names under the site root `root`.
async fn serve_built(root: &str, hashed: bool, request: Request) -> Response {
    use tower::ServiceExt;
    if !plausible_file_path(request.uri().path()) {
        return no_such_address();
    }
    let files = tower_http::services::ServeDir::new(root).precompressed_br().precompressed_gzip();
    let Ok(mut response) = files.oneshot(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        return no_such_address();
    }
    let cache = if hashed && response.status().is_success() { IMMUTABLE } else { "no-cache" };
    let headers = response.headers_mut();
    headers.insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static(cache));
    if cache == IMMUTABLE {
        // A hashed name never answers anything else: there is nothing to revalidate.
        headers.remove(http::header::LAST_MODIFIED);
    }
    // The same address answers brotli, gzip or plain as the browser asks: a shared cache
    // (a CDN in front) must keep them apart.
    if !headers.contains_key(http::header::VARY) {
        headers.insert(http::header::VARY, http::HeaderValue::from_static("accept-encoding"));
    }
    response.map(axum::body::Body::new)
}

/// Everything no route took: a static file if there is one, else the app's 404 page.
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    if !plausible_file_path(request.uri().path()) {
        return no_such_address();
    }
    let context = {
        let state = state.clone();
        move || leptos::prelude::provide_context(state.clone())
    };
    let handler = leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, app::shell);
    let mut response = handler(request.uri().clone(), State(state), request).await;
    // A file of the site root (the icon): the same for everyone, kept a day (its name
    // carries no hash, so a browser asks again after that, with its date).
    let page = response.headers().get(http::header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if response.status().is_success() && !page {
        response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static(PUBLIC_FILE));
    }
    response
}

/// How long a file of the site root (not under `/pkg`) may be kept.
pub const PUBLIC_FILE: &str = "public, max-age=86400";

#[cfg(test)]
mod tests {
    #[test]
    fn names_longer_than_a_file_system_allows_are_not_looked_up() {
        assert!(super::plausible_file_path("/pkg/marketplace.wasm"));
        assert!(!super::plausible_file_path(&format!("/pkg/{}.js", "x".repeat(300))));
        assert!(!super::plausible_file_path(&"/a".repeat(1100)));
    }
}
