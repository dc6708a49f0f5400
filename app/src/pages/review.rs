use crate::auth::Role;
use crate::components::{empty_state::EmptyState, guard::RequireRole};
use leptos::prelude::*;
use leptos_meta::Title;

/// The reviewers' queue of release requests.
#[component]
pub fn ReviewQueue() -> impl IntoView {
    view! {
        <RequireRole role=Role::Reviewer>
            <Title text="Review queue" />
            <main class="page">
                <h1>"Review queue"</h1>
                <EmptyState
                    title="Nothing to review"
                    body="Release requests that sellers submit wait here, oldest first."
                />
            </main>
        </RequireRole>
    }
}
