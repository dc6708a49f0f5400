use crate::auth::{Role, SignOut};
use crate::rules::price::Price;
use crate::session::Session;
use leptos::prelude::*;
use crate::components::nav_link::NavLinks;

/// The bar at the top of every page: the marketplace, and who is signed in. Rendered on the
/// server; signing out is a plain form, so it needs no script.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let session = Session::current();
    let sign_out = ServerAction::<SignOut>::new();
    let nav = NavLinks::new();
    view! {
        <header class="site-header">
            // The first stop of the keyboard: past the header and the console's links.
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <a href="/" class="brand" aria-current=nav.current("/")>"Marketplace"</a>
            <nav aria-label="Account" class="account-nav">
                {match session.signed_in().cloned() {
                    Some(account) => {
                        let area = match account.role {
                            Role::Seller => Some(("/console/products", "Seller Console")),
                            Role::Reviewer => Some(("/review", "Review queue")),
                            Role::Customer => None,
                        };
                        view! {
                            // The queue is not current on Your decisions (/review/decided).
                            {area.map(|(href, label)| {
                                let current = if account.role == Role::Reviewer { nav.current_exactly(href) } else { nav.current(href) };
                                view! { <a href=href aria-current=current>{label}</a> }
                            })}
                            {(account.role == Role::Reviewer).then(|| nav.link("/review/decided", "Your decisions"))}
                            {(account.role != Role::Reviewer).then(|| nav.link("/purchases", "My purchases"))}
                            {(account.role == Role::Customer).then(|| view! {
                                <a href="/messages" aria-current=nav.current("/messages")>
                                    "Messages"
                                    {(session.unread > 0).then(|| view! {
                                        " " <span class="count" id="unread-count" aria-label=format!("{} unread", session.unread)>{session.unread}</span>
                                    })}
                                </a>
                            })}
                            {session.credit_cents.map(|cents| view! {
                                <span class="credit" id="credit-balance">{format!("Credit: ${}", Price::from_cents(cents))}</span>
                            })}
                            <a href="/account" class="who" aria-current=nav.current("/account")>
                                {account.display_name} " (" {account.role.as_str()} ")"
                            </a>
                            <ActionForm action=sign_out>
                                <button type="submit" class="link-button">"Sign out"</button>
                            </ActionForm>
                        }
                        .into_any()
                    }
                    None => nav.link("/sign-in", "Sign in").into_any(),
                }}
            </nav>
        </header>
    }
}
