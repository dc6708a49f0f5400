//! The HTML shell and the router.

use crate::components::island::SCRIPTS_TEMPLATE_ID;
use crate::pages::{applications, console, marketplace, messages, review, sign_in::SignInPage};
use crate::session::Session;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The page around the app. Pages are rendered on the server; the scripts that load the
/// WASM and hydrate a page's islands are kept only when the page has an island
/// (`components::island`), so a page without one loads no script at all.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy(&options);
    let stylesheet = stylesheet_href(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <link rel="stylesheet" id="leptos" href=stylesheet />
                <MetaTags />
            </head>
            <body>
                <App />
                <template id=SCRIPTS_TEMPLATE_ID>
                    <crate::components::island::LoadFailure />
                    <HydrationScripts options islands=true />
                </template>
            </body>
        </html>
    }
}

/// The address of the site's stylesheet: content-hashed in builds made with `hash-files`
/// (read once from the hash file cargo-leptos writes beside the server), so browsers can
/// keep it for good.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let name = if options.hash_files { hashed_name(options, "css") } else { None };
    format!("/{}/{}.css", options.site_pkg_dir, name.unwrap_or_else(|| options.output_name.to_string()))
}

/// `marketplace.<hash>` for the file kind `kind` (css, js, wasm) from the hash file.
fn hashed_name(options: &LeptosOptions, kind: &str) -> Option<String> {
    build_hash(options, kind).map(|hash| format!("{}.{hash}", options.output_name))
}

/// The content hash of the build's file of kind `kind` (css, js, wasm, manifest, split), from
/// the hash file cargo-leptos writes beside the server in builds made with `hash-files`
/// (read once).
pub fn build_hash(options: &LeptosOptions, kind: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        static HASHES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
        let hashes = HASHES.get_or_init(|| read_hash_file(options.hash_file.as_ref()));
        hashes.iter().find(|(k, _)| k == kind).map(|(_, hash)| hash.clone())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (options, kind);
        None
    }
}

/// The lines `kind: hash` of the hash file `file_name` beside the server (each project of
/// the workspace writes its own), or none when there is no such file.
#[cfg(feature = "ssr")]
pub fn read_hash_file(file_name: &str) -> Vec<(String, String)> {
    let path = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(file_name)));
    let text = path.and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default();
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
        .collect()
}

/// The Content-Security-Policy of a page rendered with `nonce`: only this render's own
/// scripts run (and what they load), code comes from this site only, nothing may frame it.
#[cfg(feature = "ssr")]
pub fn content_security_policy(nonce: &str, reload_port: Option<u32>) -> String {
    // `cargo leptos watch` reloads the page through a WebSocket on its own port.
    let reload = reload_port.map(|port| format!(" ws://127.0.0.1:{port} ws://localhost:{port}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'{reload}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sends the page's Content-Security-Policy, with the nonce Leptos puts on the scripts of
/// this render.
#[cfg(feature = "ssr")]
fn set_content_security_policy(options: &LeptosOptions) {
    // The reload WebSocket is there only under `cargo leptos watch`, which sets LEPTOS_WATCH,
    // as leptos's AutoReload decides; a release server, in development mode too, allows none.
    static WATCHING: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var_os("LEPTOS_WATCH").is_some());
    let reload_port = options.reload_external_port.unwrap_or(options.reload_port);
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let policy = content_security_policy(&nonce, WATCHING.then_some(reload_port));
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// A page's `<title>`: the page's own title, then the site's name. On the server the text
/// is escaped here, because leptos_meta writes a title into the page's `<head>` as it is:
/// a product named `</title><script>…` would otherwise run on its public page. In the
/// browser the title is set as plain text, so it is not escaped there.
pub fn page_title(title: String) -> String {
    let text = if title.is_empty() { "Marketplace".to_owned() } else { format!("{title} · Marketplace") };
    if cfg!(feature = "ssr") {
        escape_html(&text)
    } else {
        text
    }
}

/// `text` with the characters that mean something in HTML written as character references.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(Session::of_request());
    view! {
        <Link rel="icon" href="/favicon.svg" />
        <crate::page_account::PageAccountMeta />
        <Title formatter=page_title />
        <Router>
            <crate::components::header::SiteHeader />
            <Routes fallback=|| view! { <NotFound /> }>
                // Async: every page is sent whole, readable without JavaScript, and with its
                // final status (a redirect, a 403) known before the first byte.
                <Route path=path!("/") view=marketplace::MarketplaceHome ssr=SsrMode::Async />
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                <ParentRoute path=path!("/console") view=console::ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=|| view! { <Redirect path="/console/products" /> } ssr=SsrMode::Async />
                    <Route path=path!("products") view=crate::pages::products::MyProducts ssr=SsrMode::Async />
                    <Route path=path!("products/new") view=crate::pages::release::ReleasePage ssr=SsrMode::Async />
                    <Route path=path!("products/:id") view=crate::pages::products::ProductManagePage ssr=SsrMode::Async />
                    <Route path=path!("applications/:id") view=applications::ApplicationPage ssr=SsrMode::Async />
                    <Route path=path!("drafts") view=crate::pages::drafts::DraftsPage ssr=SsrMode::Async />
                    <Route path=path!("applications") view=applications::MyApplications ssr=SsrMode::Async />
                    <Route path=path!("assets") view=crate::pages::image_assets::ImageAssetsPage ssr=SsrMode::Async />
                    <Route path=path!("messages") view=messages::Messages ssr=SsrMode::Async />
                    <Route path=path!("settings") view=messages::NotificationSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("tokens") view=crate::pages::tokens::ApiTokensPage ssr=SsrMode::Async />
                </ParentRoute>
                <Route path=path!("/products/:id") view=marketplace::ProductPage ssr=SsrMode::Async />
                <Route path=path!("/messages") view=messages::CustomerMessages ssr=SsrMode::Async />
                <Route path=path!("/purchases") view=crate::pages::purchases::PurchasesPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=crate::pages::account::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/review") view=review::ReviewQueue ssr=SsrMode::Async />
                <Route path=path!("/review/decided") view=review::ReviewDecisions ssr=SsrMode::Async />
                <Route path=path!("/review/:id") view=review::ReviewRequestPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main id="main" class="page narrow">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <p><a href="/">"Go to the marketplace"</a></p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_a_title_is_text_on_the_server() {
        let title = super::page_title("</title><script>alert(1)</script>".into());
        if cfg!(feature = "ssr") {
            assert_eq!(title, "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; · Marketplace");
        }
        assert_eq!(super::escape_html(r#"a & "b" 'c'"#), "a &amp; &quot;b&quot; &#39;c&#39;");
        assert_eq!(super::page_title(String::new()), "Marketplace");
    }
}
