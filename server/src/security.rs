//! What a public console needs in front of every request: cross-site writes refused, and
//! the security headers every answer carries.
//!
//! Cross-site request forgery: the session cookie is `SameSite=Lax`, which already keeps it
//! off cross-site POSTs in current browsers, but older browsers and same-site subdomains do
//! not honour that. So every request that can change something (anything but GET, HEAD and
//! OPTIONS) is refused when the browser says it comes from another site: `Sec-Fetch-Site`
//! other than `same-origin` or `none`, or an `Origin` that is not this site's. Clients that
//! are not browsers send neither header and are let through; they hold no victim's cookie.

use crate::http_errors::error_response;
use app::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{self, HeaderMap, HeaderValue};
use http::Method;
use std::sync::Arc;

/// What the security layers need to know about the site.
#[derive(Debug, Clone, Default)]
pub struct SitePolicy {
    /// The origin people use (`https://market.example`), from `PUBLIC_URL`. When set, a
    /// request's `Origin` must be exactly this; otherwise it must name the `Host` it was sent to.
    pub public_origin: Option<String>,
    /// Send `Strict-Transport-Security` (the site is served over HTTPS).
    pub hsts: bool,
}

impl SitePolicy {
    pub fn new(public_url: Option<&str>) -> Self {
        let public_origin = public_url.map(origin_of);
        let hsts = public_origin.as_deref().is_some_and(|o| o.starts_with("https://"));
        SitePolicy { public_origin, hsts }
    }
}

/// The origin of an address as browsers write it: scheme and authority, lower-cased, without
/// the scheme's default port (`https://market.example:443` is sent as `https://market.example`).
fn origin_of(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let default_port = match scheme {
                "http" => Some(":80"),
                "https" => Some(":443"),
                _ => None,
            };
            let authority = default_port.and_then(|p| authority.strip_suffix(p)).unwrap_or(authority);
            format!("{scheme}://{authority}")
        }
        None => url,
    }
}

/// Whether the browser says this request was made by another site.
pub fn is_cross_site(headers: &HeaderMap, policy: &SitePolicy) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return true;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return false };
    let Ok(origin) = origin.to_str() else { return true };
    let origin = origin_of(origin);
    match &policy.public_origin {
        Some(expected) => &origin != expected,
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_ascii_lowercase);
            match (origin.split_once("://"), host) {
                (Some((_, authority)), Some(host)) => authority != host,
                _ => true,
            }
        }
    }
}

/// Refuses a state-changing request that comes from another site (403).
pub async fn refuse_cross_site(State(policy): State<Arc<SitePolicy>>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(request.headers(), &policy) {
        tracing::info!(method = %request.method(), path = %request.uri().path(), "refused a cross-site request");
        return error_response(&AppError::Forbidden);
    }
    next.run(request).await
}

/// The policy for answers that are not pages (server functions, files, errors): nothing
/// on them may run or be framed. Pages set their own, with the render's nonce
/// (`app::content_security_policy`).
const NON_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Whether an answer is one of the build's files a page loads (WASM, JavaScript, CSS, the
/// split manifest): never a document of its own.
fn is_code_file(path: &str, status: http::StatusCode, headers: &HeaderMap) -> bool {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|t| t.to_str().ok()).unwrap_or("");
    let kind = kind.split(';').next().unwrap_or("").trim();
    crate::static_files::is_build_path(path)
        && status.is_success()
        && matches!(kind, "application/wasm" | "text/javascript" | "application/javascript" | "text/css" | "application/json")
}

/// Adds the security headers to every answer, and keeps answers that depend on who is
/// signed in out of every cache.
pub async fn security_headers(State(policy): State<Arc<SitePolicy>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let signed_in = request.headers().get_all(header::COOKIE).iter().any(|c| {
        c.to_str().is_ok_and(|c| c.contains(app::auth::ssr::SESSION_COOKIE))
    });
    let mut response = next.run(request).await;
    let code_file = is_code_file(&path, response.status(), response.headers());
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // What a browser shows as a document gets the document headers. A file of the build
    // (WASM, JavaScript, CSS, the split manifest) is never one (nosniff keeps it from being
    // taken for one), and the wizard alone loads fifty of them: on each, these would be
    // 200 bytes of nothing.
    if !code_file {
        headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(NON_PAGE_CSP));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    }
    if policy.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    let private = path.starts_with("/api/")
        || path.starts_with("/console")
        || path.starts_with("/review")
        || path.starts_with("/purchases")
        || path.starts_with("/account")
        // It may show the email of a failed sign-in.
        || path == "/sign-in"
        || signed_in;
    // The build's files, and a file of the site root (the icon), are the same for everyone,
    // signed in or not, and say themselves how long they keep.
    let same_for_everyone = crate::static_files::is_build_path(&path)
        || headers.get(header::CACHE_CONTROL).is_some_and(|c| c == crate::static_files::PUBLIC_FILE);
    if private && !same_for_everyone {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if !code_file && !same_for_everyone {
        // A public page answered to a visitor who is not signed in: the same address
        // signed in is another page (its header, its purchase form), so a shared cache
        // must not give one for the other.
        headers.append(header::VARY, HeaderValue::from_static("cookie"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn a_browser_request_from_another_site_is_cross_site() {
        let open = SitePolicy::default();
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")]), &open));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")]), &open));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example"), ("host", "market.example")]), &open));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "market.example")]), &open));
        assert!(!is_cross_site(&headers(&[("origin", "http://market.example"), ("host", "market.example")]), &open));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")]), &open));
        assert!(!is_cross_site(&headers(&[]), &open), "non-browser clients send neither header");
    }

    #[test]
    fn with_a_public_url_the_origin_must_be_exactly_it() {
        let policy = SitePolicy::new(Some("https://Market.example/"));
        assert!(policy.hsts);
        assert!(!is_cross_site(&headers(&[("origin", "https://market.example"), ("host", "10.0.0.5:3000")]), &policy));
        assert!(is_cross_site(&headers(&[("origin", "http://market.example"), ("host", "market.example")]), &policy));
        assert!(!SitePolicy::new(Some("http://localhost:3000")).hsts);
    }

    #[test]
    fn a_public_url_written_with_its_schemes_default_port_is_the_origin_browsers_send() {
        let browser = |origin: &'static str| headers(&[("origin", origin), ("host", "10.0.0.5:3000")]);
        for written in ["https://market.example:443", "https://market.example:443/shop?x#y"] {
            let policy = SitePolicy::new(Some(written));
            assert!(!is_cross_site(&browser("https://market.example"), &policy), "{written}");
            assert!(is_cross_site(&browser("https://market.example:8443"), &policy), "{written}");
        }
        assert!(!is_cross_site(&browser("http://market.example"), &SitePolicy::new(Some("http://market.example:80"))));
        assert!(is_cross_site(&browser("http://market.example"), &SitePolicy::new(Some("https://market.example:80"))), "80 is not https's");
    }
}

#[cfg(test)]
mod code_file_tests {
    use super::is_code_file;
    use http::{header, HeaderMap, HeaderValue, StatusCode};

    fn typed(kind: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        headers
    }

    #[test]
    fn only_the_builds_code_files_go_without_document_headers() {
        let ok = StatusCode::OK;
        for kind in ["application/wasm", "text/javascript", "application/javascript; charset=utf-8", "text/css", "application/json"] {
            assert!(is_code_file("/pkg/marketplace.abc.wasm", ok, &typed(kind)), "{kind}");
        }
        // Anything a browser could show as a document keeps them, under /pkg or not.
        for kind in ["text/html; charset=utf-8", "image/svg+xml", "video/mp2t", "text/plain"] {
            assert!(!is_code_file("/pkg/file", ok, &typed(kind)), "{kind}");
        }
        assert!(!is_code_file("/pkg/file.js", ok, &HeaderMap::new()), "no type");
        assert!(!is_code_file("/pkg/missing.js", StatusCode::NOT_FOUND, &typed("text/javascript")), "not found");
        assert!(!is_code_file("/api/drafts/list", ok, &typed("application/json")), "server functions");
        assert!(!is_code_file("/favicon.css", ok, &typed("text/css")), "outside /pkg");
        assert!(is_code_file("/wizard-pkg/marketplace.abc.wasm", ok, &typed("application/wasm")), "the wizard's bundle");
        assert!(!is_code_file("/wizard-pkgx/marketplace.abc.wasm", ok, &typed("application/wasm")), "only that folder");
    }
}
