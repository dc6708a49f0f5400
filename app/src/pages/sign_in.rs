use crate::root::Session;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sign-in for every role. Works without JavaScript: the form posts to the server function,
/// which redirects to the account's home page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let pending = session.sign_in.pending();
    let error = move || {
        session
            .sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Sign in" />
        <main class="page narrow">
            <h1>"Sign in"</h1>
            <p class="lead">"Sellers, reviewers and customers sign in here."</p>
            <ActionForm action=session.sign_in>
                <div class="form">
                    <label for="sign-in-email">"Email"</label>
                    <input id="sign-in-email" type="email" name="email" autocomplete="username" required maxlength="254" />
                    <label for="sign-in-password">"Password"</label>
                    <input id="sign-in-password" type="password" name="password" autocomplete="current-password" required maxlength="1024" />
                    {move || error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </div>
            </ActionForm>
        </main>
    }
}
