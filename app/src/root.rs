//! The HTML shell, the router and the session shared by every page.

use crate::auth::{Account, SignIn, SignOut};
use crate::error::AppError;
use crate::pages::{applications, console, marketplace, messages, review, sign_in::SignInPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
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
    let dev = options.env == leptos::config::Env::DEV;
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let policy = content_security_policy(&nonce, dev.then_some(options.reload_port));
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

/// The signed-in account and the actions that change it, shared by every page.
///
/// The account is known before the page renders: the server looks up the session once per
/// request (`auth::ssr::SessionAccount`) and sends it along with the page for hydration.
/// It is a plain signal, not a resource read under several `<Suspense>`s, so the header and
/// every guard read one answer without waiting.
#[derive(Clone, Copy)]
pub struct Session {
    pub account: RwSignal<Result<Option<Account>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    /// Unread internal messages of a signed-in seller (R43), shown in the console's navigation.
    pub unread: RwSignal<i64>,
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let account = RwSignal::new(SharedValue::new(crate::auth::request_account).into_inner());
    Effect::new(move || {
        if let Some(Ok(signed_in)) = sign_in.value().get() {
            account.set(Ok(Some(signed_in)));
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = sign_out.value().get() {
            account.set(Ok(None));
        }
    });
    let unread = RwSignal::new(SharedValue::new(crate::notifications::request_unread).into_inner());
    provide_context(Session { account, sign_in, sign_out, unread });

    view! {
        <Stylesheet id="leptos" href="/pkg/marketplace.css" />
        <Link rel="icon" href="/favicon.svg" />
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
                </ParentRoute>
                <Route path=path!("/products/:id") view=marketplace::ProductPage ssr=SsrMode::Async />
                <Route path=path!("/purchases") view=crate::pages::purchases::PurchasesPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=crate::pages::account::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/review") view=review::ReviewQueue ssr=SsrMode::Async />
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
        <main class="page narrow">
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
