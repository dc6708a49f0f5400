//! Your account: who is signed in, where (each browser, with a way to sign out the others),
//! and *Sign out everywhere*, which ends every session of the account on every device
//! (after a confirmation).

use crate::auth::{Role, SignOutEverywhere};
use crate::components::confirm::ConfirmDialog;
use crate::components::loaded::{loaded, ErrorNotice, Failed};
use crate::components::said_once::SaidOnce;
use crate::components::time::format_utc;
use crate::page_account::PageAccountField;
use crate::session::Session;
use crate::signed_in::{signed_in_devices, SignOutDevice, SignOutOtherDevices, SignedInDevice, OTHERS_SIGNED_OUT, SIGNED_OUT_PARAMETER};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    // After signing a device out, the page is loaded again with `?ended=1`, and says so.
    let signed_out = leptos_router::hooks::use_query_map().with_untracked(|q| q.get(SIGNED_OUT_PARAMETER)).map(|which| {
        if which == OTHERS_SIGNED_OUT {
            "Every other device is signed out. Signing in there again needs the password."
        } else {
            "That device is signed out. Signing in there again needs the password."
        }
    });
    // A form sent without the page's code comes back here with its error in the address.
    let refused = ServerAction::<SignOutDevice>::new().value().get_untracked().and_then(Result::err);
    let others_refused = ServerAction::<SignOutOtherDevices>::new().value().get_untracked().and_then(Result::err);
    view! {
        <Title text="Your account" />
        <main id="main" class="page account">
            {match Session::current().account {
                Ok(Some(account)) => view! {
                    <h1>"Your account"</h1>
                    <dl class="facts">
                        <dt>"Name"</dt><dd>{account.display_name.clone()}</dd>
                        <dt>"Email"</dt><dd>{account.email.clone()}</dd>
                        <dt>"Role"</dt><dd>{account.role.as_str()}</dd>
                    </dl>
                    <h2 id="devices-title">"Where you are signed in"</h2>
                    <p>"You stay signed in on a device for up to 7 days, and are signed out there after a while without using the site."</p>
                    {signed_out.map(|said| view! {
                        <p class="notice success" role="status" tabindex="-1" autofocus>{said}</p>
                        <SaidOnce parameter=SIGNED_OUT_PARAMETER />
                    })}
                    {refused.or(others_refused).map(|error| view! { <Failed error /> })}
                    {loaded(signed_in_devices(), |devices| view! { <Devices devices /> })}
                    <p>"Signed in on a computer you no longer use, or a shared one? Sign out there above, or sign out everywhere: that ends every session of this account, this one included."</p>
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

/// The browsers where the account is signed in. Signing one out is a plain form: the server
/// ends that session and sends the browser back here. The form names the page's account, as
/// the islands' calls do in a header (`page_account`).
#[component]
fn Devices(devices: Vec<SignedInDevice>) -> impl IntoView {
    let others = devices.iter().any(|device| !device.this_device);
    let sign_out_others = ServerAction::<SignOutOtherDevices>::new();
    view! {
        <table class="data" aria-labelledby="devices-title">
            <thead><tr>
                <th scope="col">"Device"</th><th scope="col">"Signed in"</th><th scope="col">"Last used"</th><th scope="col">"Operation"</th>
            </tr></thead>
            <tbody>
                {devices.into_iter().map(|device| {
                    let signed_in = format_utc(device.signed_in_at);
                    let label = format!("Sign out {}, signed in {signed_in}", device.device);
                    let sign_out = ServerAction::<SignOutDevice>::new();
                    view! {
                        <tr>
                            <th scope="row">
                                {device.device.clone()}
                                {device.this_device.then(|| view! { " " <span class="badge ok">"This device"</span> })}
                            </th>
                            <td class="nowrap">{signed_in}</td>
                            <td class="nowrap">{if device.this_device { "Now".to_owned() } else { format_utc(device.last_used_at) }}</td>
                            <td>
                                {if device.this_device {
                                    view! { <span class="muted">"Use Sign out at the top"</span> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=sign_out>
                                            <input type="hidden" name="id" value=device.id.clone() />
                                            <PageAccountField />
                                            <button type="submit" class="nowrap" aria-label=label>"Sign out"</button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {others.then(|| view! {
            <ActionForm action=sign_out_others>
                <PageAccountField />
                <button type="submit">"Sign out every other device"</button>
            </ActionForm>
        })}
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
