use crate::auth::SignIn;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sign-in for every role: a plain form, rendered on the server. It posts to the server
/// function, which sends the browser on (to the page it came from, `?next=`, or the
/// account's home page), or back here with the reason it failed (shown below the fields)
/// and the email typed.
/// No script is needed.
#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let error = sign_in.value().get_untracked().and_then(Result::err).map(|e| e.to_string());
    // After a failed attempt the page is drawn anew with the email typed (kept by the
    // server function in a cookie of this page's own), and the password takes the focus.
    let failed = error.is_some();
    #[cfg(feature = "ssr")]
    let typed = crate::auth::ssr::typed_email().filter(|_| failed);
    #[cfg(not(feature = "ssr"))]
    let typed: Option<String> = None;
    let password_first = typed.is_some();
    // The page the visitor was sent from, to return to once signed in.
    let next = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("next"))
        .filter(|n| crate::auth::return_path(n).is_some());
    view! {
        <Title text="Sign in" />
        <main id="main" class="page narrow">
            <h1>"Sign in"</h1>
            <p class="lead">"Sellers, reviewers and customers sign in here."</p>
            <ActionForm action=sign_in>
                <div class="form">
                    <label for="sign-in-email">"Email"</label>
                    <input id="sign-in-email" type="email" name="email" autocomplete="username" required maxlength="254" value=typed autofocus=failed && !password_first />
                    <label for="sign-in-password">"Password"</label>
                    <input id="sign-in-password" type="password" name="password" autocomplete="current-password" required maxlength="1024" autofocus=password_first />
                    {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                    {error.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary">"Sign in"</button>
                </div>
            </ActionForm>
        </main>
    }
}
