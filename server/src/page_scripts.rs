//! Keeps a page's hydration scripts only when the page has an island.
//!
//! The shell renders the scripts that load the WASM inside `<template id="island-scripts">`
//! (inert as it is). Every page is rendered whole before it is sent (`SsrMode::Async`), so
//! this layer sees the complete page: with an island (`<leptos-island>`) the scripts take
//! the template's place; without one the template goes, and the page loads no script. The
//! app cannot decide this itself while rendering: the shell's end is written before the
//! parts of the page that wait for data are, islands included.

use app::components::island::SCRIPTS_TEMPLATE_ID;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use std::borrow::Cow;

/// A page larger than this is a bug, not a page.
const MAX_PAGE_BYTES: usize = 16 << 20;

pub async fn keep_scripts_where_islands_are(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "a page could not be read whole");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Ok(html) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    match place_scripts(html) {
        Cow::Borrowed(_) => Response::from_parts(parts, Body::from(bytes)),
        Cow::Owned(page) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(page))
        }
    }
}

/// The page with its scripts template unwrapped (it has an island) or removed (it has none).
pub fn place_scripts(html: &str) -> Cow<'_, str> {
    let open = format!("<template id=\"{SCRIPTS_TEMPLATE_ID}\">");
    const CLOSE: &str = "</template>";
    let Some(start) = html.find(&open) else { return Cow::Borrowed(html) };
    let Some(length) = html[start..].find(CLOSE) else { return Cow::Borrowed(html) };
    let end = start + length;
    let has_island = html[..start].contains("<leptos-island");
    let mut page = String::with_capacity(html.len());
    page.push_str(&html[..start]);
    if has_island {
        page.push_str(&html[start + open.len()..end]);
    }
    page.push_str(&html[end + CLOSE.len()..]);
    Cow::Owned(page)
}

#[cfg(test)]
mod tests {
    use super::place_scripts;

    #[test]
    fn the_scripts_stay_only_on_a_page_with_an_island() {
        let scripts = r#"<template id="island-scripts"><link rel="modulepreload" href="/pkg/m.js"><script type="module">go()</script></template>"#;
        let with = format!("<body><leptos-island data-component=\"X\"></leptos-island>{scripts}</body>");
        assert_eq!(
            place_scripts(&with),
            r#"<body><leptos-island data-component="X"></leptos-island><link rel="modulepreload" href="/pkg/m.js"><script type="module">go()</script></body>"#
        );
        let without = format!("<body><main>text</main>{scripts}</body>");
        assert_eq!(place_scripts(&without), "<body><main>text</main></body>");
        assert_eq!(place_scripts("<p>no template</p>"), "<p>no template</p>");
    }
}
