//! The Seller Console: its navigation, and the pages that later issues fill.

use crate::auth::Role;
use crate::components::{empty_state::EmptyState, guard::RequireRole};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};

/// The console frame: navigation in the seed's words, and the current page.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
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
                        <li><A href="/console/messages">"Messages"</A></li>
                    </ul>
                </nav>
                <div class="console-main">
                    <Outlet />
                </div>
            </div>
        </RequireRole>
    }
}

#[component]
pub fn MyProducts() -> impl IntoView {
    view! {
        <Title text="My Products · Seller Console" />
        <div class="page-head">
            <h1>"My Products"</h1>
            <a class="button primary" href="/console/products/new">"Release New Product"</a>
        </div>
        <EmptyState
            title="No products yet"
            body="A product is released from one of your image assets. Choose Release New Product to start; drafts are kept under Drafts, and submitted requests under My Applications."
            link=("/console/products/new", "Release New Product")
        />
    }
}

#[component]
pub fn MyApplications() -> impl IntoView {
    view! {
        <Title text="My Applications · Seller Console" />
        <h1>"My Applications"</h1>
        <EmptyState
            title="No release requests"
            body="When you submit a product for release, its request and review progress appear here."
        />
    }
}

#[component]
pub fn Messages() -> impl IntoView {
    view! {
        <Title text="Messages · Seller Console" />
        <h1>"Messages"</h1>
        <EmptyState
            title="No messages"
            body="Review results and other notices from the marketplace arrive here."
        />
    }
}
