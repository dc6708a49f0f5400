//! The error of a form sent without script, shown only to the browser that sent the form.
//!
//! Such a form's server function answers with a redirect back to the page, the error in the
//! address (`?__path=…&__err=…`, server_fn's form redirects), and the page's action shows
//! whatever error its address holds. So a link made anywhere could put any words in a page's
//! error notice ("Your account is locked: call …"). The redirect that carries an error also
//! sets a short-lived cookie holding the error's digest, which no other site can set; a page
//! asked for with an error its browser was not given is sent to its address without it.

use app::auth::ssr::cookie;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, HeaderValue, Method, Uri};
use sha2::{Digest, Sha256};

const COOKIE: &str = "form_error";
/// Long enough to follow the redirect and read the page again.
const COOKIE_SECONDS: u32 = 600;
const ERROR: &str = "__err";
const ERROR_PATH: &str = "__path";

fn digest(error: &str) -> String {
    hex::encode(Sha256::digest(error.as_bytes()))
}

/// The form error in a query string, if it holds one.
fn error_in(query: &str) -> Option<String> {
    if !query.contains(ERROR) {
        return None;
    }
    form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == ERROR).map(|(_, value)| value.into_owned())
}

/// `uri`'s path and query without the form error: always a path on this site (leading
/// slashes and backslashes are one slash, so `//elsewhere.example` cannot become an address
/// on another site).
pub fn without_error(uri: &Uri) -> String {
    let path = format!("/{}", uri.path().trim_start_matches(['/', '\\']));
    let kept: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .filter(|(name, _)| name != ERROR && name != ERROR_PATH)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        return path;
    }
    format!("{path}?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish())
}

/// `location` as a path on this site, when it is not one already: `https://elsewhere.example/a?b`
/// is `/a?b`, and `//elsewhere.example/a` is `/elsewhere.example/a`.
fn on_this_site(location: &str) -> Option<String> {
    // Browsers drop tabs and line breaks from an address, so `/\t/elsewhere.example` is
    // `//elsewhere.example` to them: they are dropped here first.
    let cleaned: String = location.chars().filter(|c| !c.is_ascii_control()).collect();
    let changed = cleaned.len() != location.len();
    let location = cleaned.as_str();
    let bytes = location.as_bytes();
    if bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\')) {
        return changed.then(|| location.to_owned());
    }
    let uri: Uri = location.parse().ok().unwrap_or_else(|| Uri::from_static("/"));
    let path = format!("/{}", uri.path().trim_start_matches(['/', '\\']));
    Some(match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    })
}

/// The layer. `secure` marks the cookie `Secure` (the site is served over HTTPS).
pub async fn vouch_for_form_errors(State(secure): State<bool>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        if let Some(error) = request.uri().query().and_then(error_in) {
            if cookie(request.headers(), COOKIE) != Some(digest(&error).as_str()) {
                return Redirect::to(&without_error(request.uri())).into_response();
            }
        }
        return next.run(request).await;
    }
    let mut response = next.run(request).await;
    // A form's redirect goes back to the page the `Referer` names (server_fn's default), an
    // absolute address any client can set: it is kept to its path on this site.
    if let Some(location) = response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()) {
        if let Some(on_this_site) = on_this_site(location) {
            if let Ok(value) = HeaderValue::from_str(&on_this_site) {
                response.headers_mut().insert(header::LOCATION, value);
            }
        }
    }
    let error = response
        .headers()
        .get(header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .and_then(|location| location.split_once('?'))
        .and_then(|(_, query)| error_in(query.split('#').next().unwrap_or_default()));
    if let Some(error) = error {
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!("{COOKIE}={}; Max-Age={COOKIE_SECONDS}; Path=/; HttpOnly; SameSite=Lax{secure}", digest(&error));
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_without_the_error_keeps_the_rest_and_stays_on_this_site() {
        let uri: Uri = "/console/products?page=2&__path=%2Fapi%2Fx&__err=eyJ4Ijo1fQ%3D%3D&q=a+b".parse().unwrap();
        assert_eq!(without_error(&uri), "/console/products?page=2&q=a+b");
        assert_eq!(without_error(&"/sign-in?__err=x".parse().unwrap()), "/sign-in");
        assert_eq!(without_error(&"//elsewhere.example/?__err=x".parse().unwrap()), "/elsewhere.example/");
        assert_eq!(error_in("__path=%2Fapi%2Fx&__err=eA%3D%3D").as_deref(), Some("eA=="));
        assert_eq!(error_in("q=__err"), None);
    }

    #[test]
    fn a_form_redirect_stays_on_this_site_whatever_the_referer_said() {
        assert_eq!(on_this_site("/console/products?x=1"), None);
        assert_eq!(on_this_site("https://evil.example/phish?__err=a").as_deref(), Some("/phish?__err=a"));
        assert_eq!(on_this_site("http://127.0.0.1:3000/console/drafts").as_deref(), Some("/console/drafts"));
        assert_eq!(on_this_site("//evil.example/phish").as_deref(), Some("/evil.example/phish"));
        assert_eq!(on_this_site("/\\evil.example").as_deref(), Some("/evil.example"));
        assert_eq!(on_this_site("javascript:alert(1)").as_deref(), Some("/"));
        assert_eq!(on_this_site("/\t/evil.example/phish").as_deref(), Some("/evil.example/phish"));
        assert_eq!(on_this_site("/a\tb").as_deref(), Some("/ab"));
    }
}
