use leptos::prelude::*;

/// What a page shows when it has nothing yet: what is missing and what to do next.
#[component]
pub fn EmptyState(
    title: &'static str,
    /// Most are fixed words; some name what the visitor chose.
    #[prop(into)]
    body: Oco<'static, str>,
    #[prop(optional)] link: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <section class="empty-state">
            <h2>{title}</h2>
            <p>{body}</p>
            {link.map(|(href, label)| view! { <a class="button" href=href>{label}</a> })}
        </section>
    }
}
