use crate::components::empty_state::EmptyState;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// The public marketplace home, open to everyone.
#[component]
pub fn MarketplaceHome() -> impl IntoView {
    view! {
        <Title text="Virtual-machine images" />
        <Meta name="description" content="Browse virtual-machine image products from marketplace sellers." />
        <main class="page">
            <section class="hero">
                <h1>"Virtual-machine images, ready to deploy"</h1>
                <p class="lead">"Images released by marketplace sellers, reviewed before they are listed."</p>
            </section>
            <EmptyState
                title="No products are listed yet"
                body="Products appear here once a seller releases them and a reviewer approves them. Sellers can sign in to start."
                link=("/sign-in", "Sign in")
            />
        </main>
    }
}
