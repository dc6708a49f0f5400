//! The Seller Console: its navigation, and the pages that later issues fill.

use crate::auth::Role;
use crate::components::guard::RequireRole;
use leptos::prelude::*;
use crate::components::nav_link::NavLinks;
use leptos_router::components::Outlet;

/// The console frame: navigation in the seed's words, and the current page.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    // The unread count comes with each page, which the server renders whole.
    let unread = crate::session::Session::current().unread;
    let nav = NavLinks::new();
    view! {
        <RequireRole role=Role::Seller>
            <div class="console">
                <nav class="console-nav" aria-label="Seller Console">
                    <p class="nav-title">"Seller Console"</p>
                    <p class="nav-group" id="nav-product-management">"Product Management"</p>
                    <ul aria-labelledby="nav-product-management">
                        <li>{nav.link("/console/products", "My Products")}</li>
                        <li>{nav.link("/console/drafts", "Drafts")}</li>
                        <li>{nav.link("/console/applications", "My Applications")}</li>
                    </ul>
                    <ul>
                        <li>{nav.link("/console/assets", "Image Assets")}</li>
                        <li>
                            <a href="/console/messages" aria-current=nav.current("/console/messages")>
                                "Messages"
                                {match unread {
                                    0 => None,
                                    n => Some(view! { " " <span class="count" id="unread-count" aria-label=format!("{n} unread")>{n}</span> }),
                                }}
                            </a>
                        </li>
                        <li>{nav.link("/console/settings", "Notification settings")}</li>
                        <li>{nav.link("/console/tokens", "API tokens")}</li>
                    </ul>
                </nav>
                <main id="main" class="console-main">
                    <Outlet />
                </main>
            </div>
        </RequireRole>
    }
}
