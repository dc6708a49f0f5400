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
    let setup = Resource::new(move || draft_id.clone(), load_release_setup);
    view! {
        <Title text="Release New Product · Seller Console" />
        <h1>"Release New Product"</h1>
        <Suspense fallback=|| view! { <p role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(setup) => view! { <Wizard setup /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Wizard(setup: ReleaseSetup) -> impl IntoView {
    let (content, base) = match setup.draft {
        Some(draft) => (draft.content, DraftBase::Existing { id: draft.id, version: draft.version }),
        None => (ProductDraft { delivery_method: DELIVERY_METHOD_IMAGE.into(), ..Default::default() }, DraftBase::New),
    };
    let submitted_today = setup.submitted_today;
    let form = Form::new(content, setup.context, setup.assets);
    let saver = Saver::new(form, base);
    warn_before_leaving(saver);
    let step = form.step;
    let go = move |to: Step| {
        // Leaving a step shows all its problems, so nothing is missed on the way.
        form.revealed.update(|r| {
            r.insert(step.get_untracked().index());
        });
        step.set(to);
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
                                    {move || match (s, problems()) {
                                        (Step::Review, _) => String::new(),
                                        (_, 0) => " ✓ complete".into(),
                                        (_, n) => format!(" · {n} to fix"),
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
            <h2 id="step-title">{move || step.get().label()}</h2>
            {move || {
                let n = form.problems_in(step.get());
                (step.get() != Step::Review).then(|| view! {
                    <p class="problem-count" aria-live="polite">
                        {match n { 0 => "No problems on this step.".to_owned(), 1 => "1 problem remains on this step.".to_owned(), n => format!("{n} problems remain on this step.") }}
                    </p>
                })
            }}
            {move || match step.get() {
                Step::Basics => view! { <steps::BasicsStep form /> }.into_any(),
                Step::Details => view! { <steps::DetailsStep form /> }.into_any(),
                Step::Specification => view! { <specs::SpecificationStep form /> }.into_any(),
                Step::Review => view! { <review::ReviewStep form saver submitted_today /> }.into_any(),
            }}
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
                <button type="button" id="save-draft" on:click=move |_| saver.save()
                    disabled=move || matches!(saver.status.get(), saving::SaveStatus::Saving | saving::SaveStatus::Done)>
                    "Save as Draft"
                </button>
            </div>
        </footer>
    }
}

/// Warns before the page is left with unsaved edits, saves them when the seller moves to
/// another page of the console, and saves at once when the connection comes back after a
/// failed save.
fn warn_before_leaving(saver: Saver) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::{Arc, Mutex};
        // A plain copy of what is unsaved, readable after this page's signals are gone.
        let latest = Arc::new(Mutex::new(None));
        Effect::new({
            let latest = Arc::clone(&latest);
            move || *latest.lock().unwrap_or_else(|e| e.into_inner()) = saver.unsaved()
        });
        on_cleanup(move || {
            if let Some((base, content)) = latest.lock().unwrap_or_else(|e| e.into_inner()).take() {
                leptos::task::spawn_local(async move {
                    let _ = crate::drafts::save_draft(base, content, crate::drafts::new_save_id()).await;
                });
            }
        });
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if saver.has_unsaved_edits() {
                ev.prevent_default();
                ev.set_return_value("You have edits that are not saved yet.");
            }
        });
        let online = window_event_listener(leptos::ev::online, move |_| saver.retry_now());
        on_cleanup(move || {
            unload.remove();
            online.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = saver;
}

