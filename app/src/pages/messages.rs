//! Seller Console → Messages (the internal inbox, with its unread count in the navigation)
//! and the notification settings that choose email and SMS besides it (R43).

use crate::components::{empty_state::EmptyState, time::format_utc};
use crate::notifications::{
    list_messages, load_notification_settings, mark_read, InboxMessage, NotificationSettings, SaveNotificationSettings,
};
use crate::root::Session;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Messages() -> impl IntoView {
    let session = expect_context::<Session>();
    let read = Action::new(|id: &String| mark_read(id.clone()));
    Effect::new(move || {
        if let Some(Ok(unread)) = read.value().get() {
            session.unread.set(unread);
        }
    });
    let messages = Resource::new(move || read.version().get(), |_| list_messages());
    view! {
        <Title text="Messages · Seller Console" />
        <div class="page-head">
            <h1>"Messages"</h1>
            {move || (session.unread.get() > 0).then(|| view! {
                <button type="button" id="mark-all-read" on:click=move |_| { read.dispatch(String::new()); }>"Mark all as read"</button>
            })}
        </div>
        <Transition fallback=|| view! { <p role="status">"Loading your messages…"</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState
                            title="No messages"
                            body="Review results and other notices from the marketplace arrive here."
                        />
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="inbox" aria-label="Messages">
                            {list.into_iter().map(|m| view! { <MessageItem message=m read /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MessageItem(message: InboxMessage, read: Action<String, Result<i64, crate::error::AppError>>) -> impl IntoView {
    let id = message.id.clone();
    view! {
        <li class="message" class:unread=!message.read>
            <div class="message-head">
                <h2>{(!message.read).then(|| view! { <span class="visually-hidden">"Unread: "</span> })}{message.subject.clone()}</h2>
                <span class="muted">{format_utc(message.created_at)}</span>
            </div>
            <p class="message-body">{message.body.clone()}</p>
            <p class="row-actions">
                {message.link.clone().map(|href| view! { <a href=href>"Open the request"</a> })}
                {(!message.read).then(|| view! {
                    <button type="button" class="link-button" on:click=move |_| { read.dispatch(id.clone()); }>"Mark as read"</button>
                })}
            </p>
        </li>
    }
}

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveNotificationSettings>::new();
    let settings = Resource::new(|| (), |_| load_notification_settings());
    view! {
        <Title text="Notification settings · Seller Console" />
        <h1>"Notification settings"</h1>
        <p class="lead">"Review results always arrive under Messages. Choose whether they are also sent by email and SMS."</p>
        <Suspense fallback=|| view! { <p role="status">"Loading your settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(current) => view! { <SettingsForm current save /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(current: NotificationSettings, save: ServerAction<SaveNotificationSettings>) -> impl IntoView {
    let by_sms = RwSignal::new(current.by_sms);
    let phone = RwSignal::new(current.phone.clone());
    let phone_error = move || crate::rules::request::check_phone(&phone.get(), by_sms.get()).err();
    let result = move || save.value().get();
    view! {
        <ActionForm action=save attr:class="form settings-form">
            <label class="option"><input type="checkbox" checked disabled />"Internal message (always sent)"</label>
            <label class="option">
                <input type="checkbox" name="by_email" value="true" checked=current.by_email id="by-email" />
                {format!("Email to {}", current.email)}
            </label>
            <label class="option">
                <input type="checkbox" name="by_sms" value="true" id="by-sms" prop:checked=move || by_sms.get()
                    on:change=move |ev| by_sms.set(event_target_checked(&ev)) />
                "SMS"
            </label>
            <label for="phone">"Mobile number for SMS"</label>
            <input type="text" id="phone" name="phone" inputmode="tel" autocomplete="tel" placeholder="+353 1 234 5678"
                prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev))
                aria-invalid=move || phone_error().is_some().to_string() aria-describedby="phone-error" />
            <p class="field-error" id="phone-error" aria-live="polite">{move || phone_error().map(|e| format!("R43: {e}"))}</p>
            <button type="submit" class="primary" disabled=move || save.pending().get() || phone_error().is_some()>
                {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
            </button>
            {move || match result() {
                Some(Ok(_)) => Some(view! { <p class="notice success" role="status">"Settings saved."</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
        </ActionForm>
    }
}
