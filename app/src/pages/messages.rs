//! Seller Console → Messages (the internal inbox, with its unread count in the navigation)
//! and the notification settings that choose email and SMS besides it (R43).

use crate::components::{empty_state::EmptyState, loaded::{loaded, loaded_list, Failed}, time::format_utc};
use crate::notifications::{
    list_messages, load_notification_settings, InboxMessage, MarkRead, NotificationSettings, SaveNotificationSettings,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The inbox, rendered on the server. Marking a message read is a plain form: the server
/// marks it and sends the browser back here, with the count in the navigation updated.
#[component]
pub fn Messages() -> impl IntoView {
    let session = crate::session::Session::current();
    let unread = session.unread;
    // A seller's inbox holds review results; a customer's, notices about products bought.
    let empty_body = if session.role() == Some(crate::auth::Role::Seller) {
        "Review results of your release requests and other notices from the marketplace arrive here."
    } else {
        "Notices about the products you bought, such as a price that will rise, arrive here."
    };
    let read = ServerAction::<MarkRead>::new();
    let error = read.value().get_untracked().and_then(Result::err);
    view! {
        <Title text="Messages" />
        <div class="page-head">
            <h1>"Messages"</h1>
            {(unread > 0).then(|| view! {
                <ActionForm action=read>
                    <input type="hidden" name="id" value="" />
                    <crate::page_account::PageAccountField />
                    <button type="submit" id="mark-all-read">"Mark all as read"</button>
                </ActionForm>
            })}
        </div>
        {error.map(|error| view! { <Failed error /> })}
        {loaded_list(list_messages(),
            move || view! {
                <EmptyState
                    title="No messages"
                    body=empty_body
                />
            },
            |list| view! {
                <ul class="inbox" aria-label="Messages">
                    {list.into_iter().map(|m| view! { <MessageItem message=m /> }).collect_view()}
                </ul>
            },
        )}
    }
}

/// A customer's inbox (price notices of products bought, R72), outside the Seller Console,
/// with the choice of email and SMS besides it.
#[component]
pub fn CustomerMessages() -> impl IntoView {
    use crate::auth::Role;
    use leptos_router::components::Redirect;
    view! {
        <main id="main" class="page narrow">
            {match crate::session::Session::current().account {
                Ok(Some(account)) if account.role == Role::Reviewer => view! { <Redirect path="/review" /> }.into_any(),
                Ok(Some(_)) => view! {
                    <Messages />
                    <h2>"Email and SMS"</h2>
                    <p>"Notices about the products you bought always arrive here. Choose whether they are also sent by email and SMS."</p>
                    {loaded(load_notification_settings(), |current| view! { <SettingsForm current /> })}
                }.into_any(),
                Ok(None) => view! { <crate::components::guard::SignInFirst /> }.into_any(),
                Err(error) => view! { <crate::components::loaded::ErrorNotice error /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn MessageItem(message: InboxMessage) -> impl IntoView {
    let read = ServerAction::<MarkRead>::new();
    view! {
        <li class="message" class:unread=!message.read>
            <div class="message-head">
                <h2>{(!message.read).then(|| view! { <span class="visually-hidden">"Unread: "</span> })}{message.subject.clone()}</h2>
                <span class="muted">{format_utc(message.created_at)}</span>
            </div>
            <p class="message-body">{message.body.clone()}</p>
            <div class="row-actions">
                {message.link.clone().map(|href| {
                    let label = if href.starts_with("/products/") { "Open the product" } else { "Open the request" };
                    view! { <a href=href>{label}</a> }
                })}
                {(!message.read).then(|| view! {
                    <ActionForm action=read>
                        <input type="hidden" name="id" value=message.id.clone() />
                        <crate::page_account::PageAccountField />
                        <button type="submit" class="link-button">"Mark as read"</button>
                    </ActionForm>
                })}
            </div>
        </li>
    }
}

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    view! {
        <Title text="Notification settings · Seller Console" />
        <h1>"Notification settings"</h1>
        <p class="lead">"Review results always arrive under Messages. Choose whether they are also sent by email and SMS."</p>
        {loaded(load_notification_settings(), |current| view! { <SettingsForm current /> })}
    }
}

/// The settings form: the SMS number is checked by the shared rule as it is typed (R43).
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
fn SettingsForm(current: NotificationSettings) -> impl IntoView {
    crate::components::island::mark();
    let save = ServerAction::<SaveNotificationSettings>::new();
    let by_sms = RwSignal::new(current.by_sms);
    let phone = RwSignal::new(current.phone.clone());
    let phone_error = move || crate::rules::request::check_phone(&phone.get(), by_sms.get()).err();
    let blocked_now = move || crate::rules::request::check_phone(&phone.get_untracked(), by_sms.get_untracked()).is_err();
    let result = move || save.value().get();
    view! {
        <ActionForm action=save attr:class="form settings-form">
            <label class="option"><input type="checkbox" checked disabled />"Internal message (always sent)"</label>
            <label class="option">
                <input type="checkbox" name="by_email" value="true" checked=current.by_email id="by-email" />
                {format!("Email to {}", current.email)}
            </label>
            <label class="option">
                <input type="checkbox" name="by_sms" value="true" id="by-sms" checked=current.by_sms prop:checked=move || by_sms.get()
                    on:change=move |ev| by_sms.set(event_target_checked(&ev)) />
                "SMS"
            </label>
            <label for="phone">"Mobile number for SMS"</label>
            <input type="text" id="phone" name="phone" inputmode="tel" autocomplete="tel" placeholder="+353 1 234 5678"
                value=current.phone.clone() prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev))
                aria-invalid=move || phone_error().is_some().to_string() aria-describedby="phone-error" />
            <div id="phone-error" aria-live="polite">
                {move || phone_error().map(|v| view! { <crate::components::rule_message::RuleMessage rule=v.rule message=v.message /> })}
            </div>
            // aria-disabled, not disabled, so the button keeps the focus while saving; a click
            // then does nothing.
            <button type="submit" class="primary" aria-disabled=move || (save.pending().get() || phone_error().is_some()).then_some("true")
                on:click=move |ev| if save.pending().get_untracked() || blocked_now() { ev.prevent_default() }>
                {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
            </button>
            {move || match result() {
                Some(Ok(_)) => Some(view! { <p class="notice success" role="status">"Settings saved."</p> }.into_any()),
                Some(Err(error)) => Some(view! { <Failed error /> }.into_any()),
                None => None,
            }}
        </ActionForm>
    }
}
