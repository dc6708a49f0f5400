use crate::auth::{Role, SignOut};
use crate::rules::price::Price;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::A;

/// The bar at the top of every page: the marketplace, and who is signed in. Rendered on the
/// server; signing out is a plain form, so it needs no script.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let session = Session::current();
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="site-header">
            // The first stop of the keyboard: past the header and the console's links.
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <A href="/" attr:class="brand">"Marketplace"</A>
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
                            {area.map(|(href, label)| view! { <A href=href exact=account.role == Role::Reviewer>{label}</A> })}
                            {(account.role == Role::Reviewer).then(|| view! { <A href="/review/decided">"Your decisions"</A> })}
                            {(account.role != Role::Reviewer).then(|| view! { <A href="/purchases">"My purchases"</A> })}
                            {(account.role == Role::Customer).then(|| view! {
                                <A href="/messages">
                                    "Messages"
                                    {(session.unread > 0).then(|| view! {
                                        " " <span class="count" id="unread-count" aria-label=format!("{} unread", session.unread)>{session.unread}</span>
                                    })}
                                </A>
                            })}
                            {session.credit_cents.map(|cents| view! {
                                <span class="credit" id="credit-balance">{format!("Credit: ${}", Price::from_cents(cents))}</span>
                            })}
                            <A href="/account" attr:class="who">
                                {account.display_name} " (" {account.role.as_str()} ")"
                            </A>
                            <ActionForm action=sign_out>
                                <button type="submit" class="link-button">"Sign out"</button>
                            </ActionForm>
                        }
                        .into_any()
                    }
                    None => view! { <A href="/sign-in">"Sign in"</A> }.into_any(),
                }}
            </nav>
        </header>
    }
}
