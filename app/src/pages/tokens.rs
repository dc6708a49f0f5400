//! Seller Console → API tokens (R60): make a token for a pipeline (name, expiry, scopes),
//! see its secret once with a button to copy it, see when each token was last used, and
//! revoke one after a confirmation.

use crate::components::confirm::ConfirmDialog;
use crate::components::loaded::{loaded, Failed};
use crate::components::time::format_utc;
use crate::tokens::{list_api_tokens, ApiToken, CreateApiToken, NewToken, RevokeApiToken, Scope, DEFAULT_DAYS, MAX_DAYS};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    view! {
        <Title text="API tokens · Seller Console" />
        <h1>"API tokens"</h1>
        <p>
            "A token lets a build pipeline or the "<code>"marketplace"</code>" command-line tool release products for you through the API. "
            "It opens the API only, never this console. "
            <a href="/api/v1/docs">"API reference"</a>
        </p>
        {loaded(list_api_tokens(), |tokens| view! { <TokensView tokens /> })}
    }
}

/// The form, the secret of the token just made, and the list; an island, so a token made or
/// revoked shows in place.
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
fn TokensView(tokens: Vec<ApiToken>) -> impl IntoView {
    let live = crate::components::island::mark();
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let list = RwSignal::new(tokens);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = list_api_tokens().await {
                list.set(fresh);
            }
        })
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            refresh();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            refresh();
        }
    });
    view! {
        <NewTokenForm create live />
        {move || match create.value().get() {
            Some(Ok(made)) => Some(view! { <ShownOnce made /> }.into_any()),
            Some(Err(error)) => Some(view! { <Failed error id="token-error" /> }.into_any()),
            None => None,
        }}
        {move || revoke.value().get().and_then(Result::err).map(|error| view! { <Failed error /> })}
        <h2>"Your tokens"</h2>
        {move || {
            let tokens = list.get();
            if tokens.is_empty() {
                view! { <p class="empty">"No tokens yet. Make one above for your pipeline; you will see its secret once."</p> }.into_any()
            } else {
                view! { <TokenTable tokens revoke /> }.into_any()
            }
        }}
    }
}

#[component]
fn NewTokenForm(create: ServerAction<CreateApiToken>, live: RwSignal<bool>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_DAYS.to_string());
    let chosen = RwSignal::new(vec![Scope::Read]);
    // Made: the form starts again empty, so the same token is not made twice by mistake.
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            days.set(DEFAULT_DAYS.to_string());
            chosen.set(vec![Scope::Read]);
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        let scopes = chosen.get_untracked().iter().map(|s| s.name().to_owned()).collect();
        let days = days.get_untracked().trim().parse().unwrap_or(0);
        create.dispatch(CreateApiToken { name: name.get_untracked(), days, scopes });
    };
    view! {
        <form class="token-form" on:submit=submit aria-describedby="token-error">
            <h2>"New token"</h2>
            <crate::components::island::UntilLive live>
            <label for="token-name">"Name"</label>
            <input id="token-name" type="text" required maxlength="80" placeholder="Release pipeline"
                prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            <label for="token-days">"Expires after (days)"</label>
            <input id="token-days" type="number" min="1" max=MAX_DAYS.to_string() required
                value=DEFAULT_DAYS.to_string() prop:value=move || days.get() on:input=move |e| days.set(event_target_value(&e)) />
            <fieldset>
                <legend>"Scopes"</legend>
                {Scope::ALL
                    .into_iter()
                    .map(|scope| {
                        let id = format!("scope-{}", scope.name());
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone()
                                    checked=chosen.with_untracked(|c| c.contains(&scope))
                                    prop:checked=move || chosen.get().contains(&scope)
                                    on:change=move |e| {
                                        let on = event_target_checked(&e);
                                        chosen.update(|c| {
                                            c.retain(|s| *s != scope);
                                            if on { c.push(scope); }
                                        });
                                    } />
                                <label for=id>{scope.name()}" — "{scope.describe()}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            // aria-disabled, not disabled, so the button keeps the focus while the token is made.
            <button type="submit" class="button primary" aria-disabled=move || create.pending().get().then_some("true")>
                {move || if create.pending().get() { "Creating…" } else { "Create token" }}
            </button>
            </crate::components::island::UntilLive>
        </form>
    }
}

/// The secret of the token just made, with a button to copy it: it is never shown again.
#[component]
fn ShownOnce(made: NewToken) -> impl IntoView {
    let copied = RwSignal::new(false);
    let secret = made.secret.clone();
    // The secret takes the focus, selected: the one thing to do next is to copy it.
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&secret);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &secret;
    };
    view! {
        <section class="notice success" role="status" aria-labelledby="token-made">
            <h2 id="token-made">{format!("Token “{}” created", made.token.name)}</h2>
            <p>"Copy its secret now and keep it in your pipeline's secret store. It will not be shown again."</p>
            <label for="token-secret">"Secret"</label>
            <input id="token-secret" type="text" readonly value=made.secret.clone() class="secret" node_ref=field />
            <button type="button" class="button" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy secret" }}
            </button>
        </section>
    }
}

fn state_of(token: &ApiToken) -> String {
    match token.revoked_at {
        Some(at) => format!("Revoked {}", format_utc(at)),
        None => format!("Expires {}", format_utc(token.expires_at)),
    }
}

#[component]
fn TokenTable(tokens: Vec<ApiToken>, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let to_revoke = RwSignal::new(None::<ApiToken>);
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if !open.get() {
            to_revoke.set(None);
        }
    });
    view! {
        <table class="data" aria-label="API tokens">
            <thead><tr><th>"Name"</th><th>"Scopes"</th><th>"Created"</th><th>"Expires"</th><th>"Last used"</th><th>"Operation"</th></tr></thead>
            <tbody>
                {tokens
                    .into_iter()
                    .map(|token| {
                        let scopes = token.scopes.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
                        let revoked = token.revoked_at.is_some();
                        let name = token.name.clone();
                        let state = state_of(&token);
                        view! {
                            <tr>
                                <th scope="row">{name.clone()}</th>
                                <td>{scopes}</td>
                                <td>{format_utc(token.created_at)}</td>
                                <td>{state}</td>
                                <td>{token.last_used_at.map(format_utc).unwrap_or_else(|| "Never".to_owned())}</td>
                                <td class="row-actions">
                                    {(!revoked).then(|| view! {
                                        <button type="button" aria-label=format!("Revoke {name}")
                                            on:click=move |_| { to_revoke.set(Some(token.clone())); open.set(true); }>
                                            "Revoke"
                                        </button>
                                    })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <ConfirmDialog
            open
            id="revoke-token"
            title="Revoke this token?"
            body=Signal::derive(move || match to_revoke.get() {
                Some(t) => format!("“{}” will be refused from its next request on, by every server. Pipelines using it will stop working.", t.name),
                None => String::new(),
            })
            confirm_label="Revoke token"
            on_confirm=Callback::new(move |_| {
                if let Some(token) = to_revoke.get_untracked() {
                    revoke.dispatch(RevokeApiToken { id: token.id });
                }
            })
        />
    }
}
