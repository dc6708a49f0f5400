//! Your account: who is signed in, and *Sign out everywhere*, which ends every session of
//! the account on every device (after a confirmation).

use crate::auth::{Role, SignOutEverywhere};
use crate::components::confirm::ConfirmDialog;
use crate::components::loaded::{ErrorNotice, Failed};
use crate::session::Session;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account" />
        <main id="main" class="page narrow">
            {match Session::current().account {
                Ok(Some(account)) => view! {
                    <h1>"Your account"</h1>
                    <dl class="facts">
                        <dt>"Name"</dt><dd>{account.display_name.clone()}</dd>
                        <dt>"Email"</dt><dd>{account.email.clone()}</dd>
                        <dt>"Role"</dt><dd>{account.role.as_str()}</dd>
                    </dl>
                    <h2>"Where you are signed in"</h2>
                    <p>"You stay signed in on a device for up to 7 days, and are signed out there after a while without using the site."</p>
                    <p>"Signed in on a computer you no longer use, or a shared one? Sign out everywhere ends every session of this account, this one included."</p>
                    <SignOutEverywhereButton />
                    {(account.role == Role::Seller).then(|| view! {
                        <p>"API tokens are not sessions: they keep working until they expire or you revoke them in "
                            <a href="/console/tokens">"API tokens"</a>"."</p>
                    })}
                }.into_any(),
                Ok(None) => view! { <crate::components::guard::SignInFirst /> }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            }}
        </main>
    }
}

#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
fn SignOutEverywhereButton() -> impl IntoView {
    crate::components::island::mark();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    Effect::new(move || {
        if let Some(Ok(())) = everywhere.value().get() {
            crate::components::island::go_to("/sign-in");
        }
    });
    let confirm = RwSignal::new(false);
    view! {
        <button type="button" class="button danger" on:click=move |_| if !everywhere.pending().get_untracked() { confirm.set(true) }
            aria-disabled=move || everywhere.pending().get().then_some("true")>
            "Sign out everywhere"
        </button>
        {move || everywhere.value().get().and_then(Result::err).map(|error| view! { <Failed error /> })}
        <ConfirmDialog
            open=confirm
            id="sign-out-everywhere"
            title="Sign out everywhere?"
            body=Signal::derive(|| "Every device signed in to this account, this one included, will be signed out. You can sign in again with your password.".to_owned())
            confirm_label="Sign out everywhere"
            on_confirm=Callback::new(move |_| { everywhere.dispatch(SignOutEverywhere {}); })
        />
    }
}
