use crate::auth::Role;
use crate::session::Session;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Shows `children` only to a signed-in account with `role`; sends a signed-out visitor to
/// the sign-in page. This is for the page; every server function has its own guard.
#[component]
pub fn RequireRole(role: Role, children: ChildrenFn) -> impl IntoView {
    match Session::current().account {
        Ok(Some(account)) if account.role == role => children().into_any(),
        Ok(Some(_)) => view! { <WrongRole role /> }.into_any(),
        Ok(None) => view! { <SignInFirst /> }.into_any(),
        Err(error) => view! {
            <leptos_meta::Title text="Something went wrong" />
            <main id="main" class="page narrow">
                <crate::components::loaded::ErrorNotice error />
            </main>
        }
        .into_any(),
    }
}

#[component]
fn WrongRole(role: Role) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <leptos_meta::Title text="Not available to this account" />
        <main id="main" class="page narrow">
            <h1>"Not available to this account"</h1>
            <p>{format!("This area is for {} accounts.", role.as_str())}</p>
            <p><a href="/">"Go to the marketplace"</a></p>
        </main>
    }
}

/// Sends a signed-out visitor to sign in, and back to this page after (`?next=`).
#[component]
pub fn SignInFirst() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    view! { <Redirect path=sign_in_back_to(&location.pathname.get_untracked(), &location.search.get_untracked()) /> }
}

/// The sign-in page's address that returns to the page at `path` and `query` after. Not with
/// a refused form's error (`__path`, `__err`): signed out, its form did nothing, and a return
/// address carrying one would be refused, leaving the visitor elsewhere.
pub fn sign_in_back_to(path: &str, query: &str) -> String {
    let query = query.trim_start_matches('?').split('&').filter(|pair| !pair.is_empty() && !pair.starts_with("__")).collect::<Vec<_>>().join("&");
    let here = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
    format!("/sign-in?next={}", crate::listing::encode(&here))
}
