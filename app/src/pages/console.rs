//! The Seller Console: its navigation, and the pages that later issues fill.

use crate::auth::Role;
use crate::components::guard::RequireRole;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

/// The console frame: navigation in the seed's words, and the current page.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    // The unread count comes with each page, which the server renders whole.
    let unread = crate::session::Session::current().unread;
    view! {
        <RequireRole role=Role::Seller>
            <div class="console">
                <nav class="console-nav" aria-label="Seller Console">
                    <p class="nav-title">"Seller Console"</p>
                    <p class="nav-group" id="nav-product-management">"Product Management"</p>
                    <ul aria-labelledby="nav-product-management">
                        <li><A href="/console/products">"My Products"</A></li>
                        <li><A href="/console/drafts">"Drafts"</A></li>
                        <li><A href="/console/applications">"My Applications"</A></li>
                    </ul>
                    <ul>
                        <li><A href="/console/assets">"Image Assets"</A></li>
                        <li>
                            <A href="/console/messages">
                                "Messages"
                                {match unread {
                                    0 => None,
                                    n => Some(view! { " " <span class="count" id="unread-count" aria-label=format!("{n} unread")>{n}</span> }),
                                }}
                            </A>
                        </li>
                        <li><A href="/console/settings">"Notification settings"</A></li>
                        <li><A href="/console/tokens">"API tokens"</A></li>
                    </ul>
                </nav>
                <main id="main" class="console-main">
                    <Outlet />
                </main>
            </div>
        </RequireRole>
    }
}
