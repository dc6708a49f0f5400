//! My Products → Release New Product: the wizard (SPEC sections 2 and 3).

mod form;
mod review;
mod saving;
mod specs;
mod steps;

use crate::drafts::DraftBase;
use crate::release::{load_release_setup, ReleaseSetup};
use crate::rules::release::{ProductDraft, DELIVERY_METHOD_IMAGE};
use form::{Form, Step};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use saving::{ConflictNotice, SaveStatusLine, Saver};

#[component]
pub fn ReleasePage() -> impl IntoView {
    let query = use_query_map();
    let draft_id = query.with_untracked(|q| q.get("draft"));
    view! {
        <Title text="Release New Product · Seller Console" />
        <h1>"Release New Product"</h1>
        {draft_id.clone().map(|id| crate::components::loaded::loaded(crate::applications::request_of_draft(id), |earlier| earlier.map(|a| view! { <CameBack a /> })))}
        {crate::components::loaded::loaded(load_release_setup(draft_id), |setup| view! { <Wizard setup /> })}
    }
}

/// Why a draft made from an earlier request is here: rejected, with the reviewer's reason,
/// or withdrawn. Drawn on the server, outside the wizard's island.
#[component]
fn CameBack(a: crate::applications::Application) -> impl IntoView {
    use crate::components::time::format_utc;
    use crate::rules::request::RequestStatus;
    let link = view! { <a href=format!("/console/applications/{}", a.id)>"the request"</a> };
    match (a.status, a.reason) {
        (RequestStatus::Rejected, reason) => view! {
            <div class="notice warning" id="came-back" role="note">
                <p>{format!("Editing {} again: a reviewer rejected it{}. ", a.product_name, a.decided_at.map(|at| format!(" on {}", format_utc(at))).unwrap_or_default())} {link}</p>
                {reason.map(|r| view! { <p><strong>"The reviewer's reason: "</strong>{format!("“{r}”")}</p> })}
            </div>
        }.into_any(),
        _ => view! {
            <div class="notice warning" id="came-back" role="note">
                <p>{format!("Editing {} again: you withdrew it{}. ", a.product_name, a.withdrawn_at.map(|at| format!(" on {}", format_utc(at))).unwrap_or_default())} {link}</p>
            </div>
        }.into_any(),
    }
}

/// The whole wizard is one island: every field's rules run in the browser as the seller
/// types, from the same rule book the server re-checks with.
///
/// Its page loads a WASM bundle of its own, holding this island and nothing else (the
/// `wizard` build of `frontend`, with the feature `wizard-only`; see `server::page_scripts`).
/// The console's bundle keeps it as a lazy island all the same: the wizard still works
/// from there if its own bundle was not built, and, measured, the console's main module is
/// 33 KB (brotli) larger without it (wasm-split then keeps more of the shared code in it).
#[cfg_attr(any(feature = "ssr", feature = "wizard-only"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "wizard-only")), island(lazy))]
fn Wizard(setup: ReleaseSetup) -> impl IntoView {
    let live = crate::components::island::mark();
    let (content, base) = match setup.draft {
        Some(draft) => (draft.content, DraftBase::Existing { id: draft.id, version: draft.version }),
        None => (ProductDraft { delivery_method: DELIVERY_METHOD_IMAGE.into(), ..Default::default() }, DraftBase::New),
    };
    let submitted_today = setup.submitted_today;
    let form = Form::new(content, setup.context, setup.assets);
    let saver = Saver::new(form, base);
    warn_before_leaving(saver);
    let step = form.step;
    // The steps the seller has opened: only they count their problems, so the stepper does
    // not call steps nobody has started wrong. A saved draft has been worked on: every step
    // counts.
    let resumed = matches!(saver.base.get_untracked(), DraftBase::Existing { .. });
    let visited = RwSignal::new(if resumed {
        Step::ALL.iter().map(|s| s.index()).collect()
    } else {
        std::collections::BTreeSet::from([step.get_untracked().index()])
    });
    Effect::new(move || {
        let now = step.get().index();
        visited.update(|v| {
            v.insert(now);
        });
    });
    // The last two steps' code is fetched when the seller first leaves the first step, so
    // it is there by the time they get to it.
    let later_steps_fetched = StoredValue::new(false);
    Effect::new(move || {
        if step.get() != Step::Basics && !later_steps_fetched.get_value() {
            later_steps_fetched.set_value(true);
            // Both steps are one module (`later_steps`). A failed fetch is tried again when
            // a step is shown.
            leptos::task::spawn_local(async {
                let _ = specs::preload_specification_step().await;
            });
        }
    });
    let title = NodeRef::<leptos::html::H2>::new();
    let go = move |to: Step| {
        // Leaving a step shows all its problems, so nothing is missed on the way.
        form.revealed.update(|r| {
            r.insert(step.get_untracked().index());
        });
        step.set(to);
        // The new step's heading takes the focus: it is read out, and Tab goes on into the
        // step's fields, not from the footer through the page's header.
        if let Some(title) = title.get_untracked() {
            let _ = title.focus();
        }
    };
    view! {
        <nav aria-label="Release steps">
            <ol class="stepper">
                {Step::ALL.iter().map(|s| {
                    let s = *s;
                    let problems = move || form.problems_in(s);
                    view! {
                        <li class:current=move || step.get() == s>
                            <button type="button" class="step" aria-current=move || (step.get() == s).then_some("step")
                                on:click=move |_| go(s)>
                                <span class="step-number">{s.index() + 1}</span>
                                {s.label()}
                                <span class="step-state">
                                    {move || match (s, visited.with(|v| v.contains(&s.index())), problems()) {
                                        (Step::Review, _, _) => String::new(),
                                        (_, false, _) => " · not started".into(),
                                        (_, true, 0) => " ✓ complete".into(),
                                        (_, true, n) => format!(" · {n} to fix"),
                                    }}
                                </span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </nav>
        <ConflictNotice saver />
        <section class="wizard-step" aria-labelledby="step-title">
            <h2 id="step-title" tabindex="-1" node_ref=title>{move || step.get().label()}</h2>
            {move || {
                let n = form.problems_in(step.get());
                (step.get() != Step::Review).then(|| view! {
                    <p class="problem-count" aria-live="polite">
                        {match n { 0 => "No problems on this step.".to_owned(), 1 => "1 problem remains on this step.".to_owned(), n => format!("{n} problems remain on this step.") }}
                    </p>
                })
            }}
            <crate::components::island::UntilLive live>
            {move || match step.get() {
                Step::Basics => view! { <steps::BasicsStep form /> }.into_any(),
                Step::Details => view! { <steps::DetailsStep form /> }.into_any(),
                Step::Specification => lazy_step(move || specs::specification_step(form)),
                Step::Review => lazy_step(move || review::review_step(form, saver, submitted_today)),
            }}
            </crate::components::island::UntilLive>
        </section>
        <footer class="wizard-footer">
            <div>
                <button type="button" disabled=move || step.get() == Step::Basics
                    on:click=move |_| go(Step::ALL[step.get_untracked().index().saturating_sub(1)])>"Back"</button>
                <Show when=move || step.get() != Step::Review>
                    <button type="button" class="primary" on:click=move |_| go(Step::ALL[step.get_untracked().index() + 1])>"Next"</button>
                </Show>
            </div>
            <div class="save-area">
                <SaveStatusLine saver />
                // aria-disabled, not disabled, while saving: the button keeps the focus (a
                // disabled one drops it to the page), and `save` ignores a press meanwhile.
                <button type="button" id="save-draft" on:click=move |_| saver.save()
                    aria-disabled=move || matches!(saver.status.get(), saving::SaveStatus::Saving | saving::SaveStatus::Done).then_some("true")>
                    "Save as Draft"
                </button>
            </div>
        </footer>
    }
}

/// A step whose code is in a WASM file of its own (`wasm_split` module `later_steps`, both
/// last steps together: each module is another set of shared chunks), fetched the first time it is
/// shown: the wizard's first page load carries only the first two steps. The page never
/// opens on these steps, so the server does not draw them. While the file is on its way a
/// status line says so; if it cannot be fetched, the seller is told and can try again, and
/// the rest of the wizard (its saves included) goes on working.
fn lazy_step<F, L>(load: L) -> AnyView
where
    F: std::future::Future<Output = Result<AnyView, StepNotLoaded>> + Send + 'static,
    L: Fn() -> F + Send + Sync + 'static,
{
    let shown = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let attempt = RwSignal::new(0u32);
    let load = std::sync::Arc::new(load);
    view! {
        <p class="loading" role="status" hidden=move || shown.get() || failed.get()>"Loading this step…"</p>
        {move || failed.get().then(|| view! {
            <div class="notice error" role="alert">
                <p>"This step could not be loaded. Check your connection, then try again. Your edits are kept."</p>
                <button type="button" on:click=move |_| {
                    failed.set(false);
                    attempt.update(|n| *n += 1);
                }>"Try again"</button>
            </div>
        })}
        {move || {
            attempt.track();
            let load = load.clone();
            Suspend::new(async move {
                match load().await {
                    Ok(view) => {
                        shown.set(true);
                        Some(view)
                    }
                    Err(StepNotLoaded) => {
                        failed.set(true);
                        None
                    }
                }
            })
        }}
    }
    .into_any()
}

/// A step's code could not be fetched (the network, or a build no longer served).
pub struct StepNotLoaded;

impl From<leptos::wasm_split::SplitLoaderError> for StepNotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        StepNotLoaded
    }
}

/// Keeps unsaved edits when the seller leaves the page (R31).
///
/// Pages are loaded whole, so leaving the wizard unloads it. A click on a link of this site
/// while edits are unsaved saves them first and then follows the link; if that save fails,
/// the seller is asked whether to leave anyway. Any other way out (closing the tab, typing
/// an address, reloading) asks the browser to warn, and if the seller leaves anyway the
/// pending save is sent with `fetch(…, {keepalive: true})`, which the browser completes
/// after the page is gone (for drafts under its 64 KiB limit), and kept in the tab's
/// session storage, for a reload that read the draft before it arrived
/// ([`saving::Saver::resume`]). When the connection comes back after a failed save, or the
/// seller comes back to the tab (signed in again, say), it is saved at once.
fn warn_before_leaving(saver: Saver) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // The save the last page of this tab sent as it went, if this page opened the draft
        // as it was before that save.
        Effect::new(move |_| {
            if let Some(left) = left_save::take() {
                saver.resume(left);
            }
        });
        let leaving = RwSignal::new(None::<String>);
        // Once the save that the click started is done, the link is followed.
        Effect::new(move |_| {
            let Some(href) = leaving.get() else { return };
            match saver.status.get() {
                saving::SaveStatus::Saved(_) | saving::SaveStatus::Done | saving::SaveStatus::Unchanged => {
                    crate::components::island::go_to(&href);
                }
                // Asked, not swallowed: the edits go with the page, as on any other way out.
                saving::SaveStatus::Failed(why) => {
                    let question = format!("Your latest edits are not saved: {why}.\n\nLeave this page anyway? They are sent once more as it closes, but may be lost.");
                    if window().confirm_with_message(&question).unwrap_or(false) {
                        crate::components::island::go_to(&href);
                    } else {
                        leaving.set(None);
                    }
                }
                saving::SaveStatus::Conflict(_) => leaving.set(None),
                // Edits made while the save was on its way: they are saved before leaving too.
                saving::SaveStatus::Unsaved => saver.save(),
                saving::SaveStatus::Saving => {}
            }
        });
        let click = window_event_listener(leptos::ev::click, move |ev| {
            if !saver.has_unsaved_edits() || ev.default_prevented() || ev.button() != 0 {
                return;
            }
            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
                return;
            }
            let link = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a[href]").ok().flatten());
            let Some(link) = link else { return };
            let href = link.get_attribute("href").unwrap_or_default();
            if !href.starts_with('/') || href.starts_with("//") || link.has_attribute("target") {
                return;
            }
            ev.prevent_default();
            leaving.set(Some(href));
            saver.save();
        });
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if saver.has_unsaved_edits() && leaving.get_untracked().is_none() {
                ev.prevent_default();
                ev.set_return_value("You have edits that are not saved yet.");
            }
        });
        let pagehide = window_event_listener(leptos::ev::pagehide, move |_| {
            if let Some((base, content)) = saver.unsaved_untracked() {
                let left = saving::LeftSave { base, content, save_id: crate::drafts::new_save_id() };
                send_with_keepalive(&left);
                left_save::keep(&left);
            }
        });
        let online = window_event_listener(leptos::ev::online, move |_| saver.retry_now());
        let back = window_event_listener(leptos::ev::focus, move |_| saver.retry_now());
        on_cleanup(move || {
            click.remove();
            unload.remove();
            pagehide.remove();
            online.remove();
            back.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = saver;
}

/// Sends one save that outlives the page: a `fetch` with `keepalive`, to the same server
/// function, with an id of its own like every save.
#[cfg(feature = "hydrate")]
fn send_with_keepalive(left: &saving::LeftSave) {
    let saving::LeftSave { base, content, save_id } = left;
    let body = serde_json::json!({ "base": base, "content": content, "save_id": save_id });
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    // web-sys has no setter for `keepalive`; it is a plain property of the init object.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
    if let Ok(headers) = web_sys::Headers::new() {
        let _ = headers.set("content-type", "application/json");
        // Saved as the page's account, never as one signed in since (`page_account`).
        if let Some(account) = crate::page_account::page_account() {
            let _ = headers.set(crate::page_account::PAGE_ACCOUNT_HEADER, &account);
        }
        init.set_headers_headers(&headers);
    }
    let _ = window().fetch_with_str_and_init("/api/drafts/save", &init);
}

/// The save sent as the last page of this tab went, in the tab's session storage (which a
/// reload keeps and no other tab sees), read once by the next wizard page of the tab, and
/// only soon after: a wizard opened later starts as it was asked to.
#[cfg(feature = "hydrate")]
mod left_save {
    use super::saving::LeftSave;

    const KEY: &str = "marketplace.left-draft-save";
    /// How long after the page went its save is looked for.
    const FRESH_MS: f64 = 60_000.0;

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    /// Kept with the account its page was drawn for: the tab's next page may be another
    /// account's (someone signed in since, in another tab or on a shared computer).
    pub fn keep(left: &LeftSave) {
        let account = crate::page_account::page_account();
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&(js_sys::Date::now(), account, left))) {
            let _ = storage.set_item(KEY, &json);
        }
    }

    /// The save kept by this account's last page in the tab, if it went moments ago. One
    /// kept by another account's page stays for that account's next page.
    pub fn take() -> Option<LeftSave> {
        let storage = storage()?;
        let json = storage.get_item(KEY).ok().flatten()?;
        let Ok((at, account, left)) = serde_json::from_str::<(f64, Option<String>, LeftSave)>(&json) else {
            let _ = storage.remove_item(KEY);
            return None;
        };
        let fresh = js_sys::Date::now() - at < FRESH_MS;
        let same_account = account.is_some() && account == crate::page_account::page_account();
        if same_account || !fresh {
            let _ = storage.remove_item(KEY);
        }
        (same_account && fresh).then_some(left)
    }
}
