//! Product Management → Drafts (R32): each draft with its name and when it was last saved,
//! and deleting one after a confirmation.

use crate::components::{empty_state::EmptyState, loaded::{loaded_list, Failed}, time::format_utc};
use crate::drafts::{list_drafts, DeleteDraft, DraftSummary};
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DraftsPage() -> impl IntoView {
    view! {
        <Title text="Drafts · Seller Console" />
        <h1>"Drafts"</h1>
        {loaded_list(list_drafts(),
            || view! { <NoDrafts /> },
            |list| view! { <DraftsView drafts=list /> },
        )}
    }
}

#[component]
fn NoDrafts() -> impl IntoView {
    view! {
        <EmptyState
            title="No drafts"
            body="Products you save as drafts while releasing them will be listed here, ready to resume."
        />
    }
}

/// The drafts with *Delete* (after a confirmation); an island, so a deletion answers in place.
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
fn DraftsView(drafts: Vec<DraftSummary>) -> impl IntoView {
    crate::components::island::mark();
    let delete = ServerAction::<DeleteDraft>::new();
    let list = RwSignal::new(drafts);
    let to_delete = RwSignal::new(None::<DraftSummary>);
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = list_drafts().await {
                    list.set(fresh);
                }
            });
        }
    });
    view! {
        {move || delete.value().get().map(|done| match done {
            Ok(()) => view! { <p class="notice success" role="status">"The draft was deleted."</p> }.into_any(),
            Err(error) => view! { <Failed error /> }.into_any(),
        })}
        {move || {
            let drafts = list.get();
            if drafts.is_empty() {
                view! { <NoDrafts /> }.into_any()
            } else {
                view! { <DraftTable drafts to_delete /> }.into_any()
            }
        }}
        <ConfirmDelete to_delete delete />
    }
}

fn title_of(draft: &DraftSummary) -> String {
    if draft.name.trim().is_empty() { "Untitled".to_owned() } else { draft.name.clone() }
}

#[component]
fn DraftTable(drafts: Vec<DraftSummary>, to_delete: RwSignal<Option<DraftSummary>>) -> impl IntoView {
    view! {
        <table class="data" aria-label="Drafts">
            <thead><tr><th>"Product name"</th><th>"Last saved"</th><th>"Completeness"</th><th>"Operation"</th></tr></thead>
            <tbody>
                {drafts
                    .into_iter()
                    .map(|draft| {
                        let title = title_of(&draft);
                        let saved = format_utc(draft.updated_at);
                        let saved_for_names = saved.clone();
                        view! {
                            <tr>
                                <th scope="row">{title}</th>
                                <td>{saved}</td>
                                <td>{match draft.problems {
                                    0 => "Ready to submit".to_owned(),
                                    1 => "1 problem to fix".to_owned(),
                                    n => format!("{n} problems to fix"),
                                }}</td>
                                <td class="row-actions">
                                    // Named with the draft's time too: the wizard's drafts often share a name.
                                    <a class="button" href=format!("/console/products/new?draft={}", draft.id)
                                        aria-label=format!("Resume {} (saved {saved_for_names})", title_of(&draft))>"Resume"</a>
                                    <button type="button" aria-label=format!("Delete {} (saved {saved_for_names})", title_of(&draft))
                                        on:click=move |_| to_delete.set(Some(draft.clone()))>
                                        "Delete"
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A modal `<dialog>`: the browser traps focus in it and closes it on Escape.
#[component]
fn ConfirmDelete(to_delete: RwSignal<Option<DraftSummary>>, delete: ServerAction<DeleteDraft>) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        if let Some(element) = dialog.get() {
            match to_delete.get() {
                Some(_) if !element.open() => {
                    let _ = element.show_modal();
                }
                None if element.open() => element.close(),
                _ => {}
            }
        }
    });
    let confirm = move |_| {
        if let Some(draft) = to_delete.get_untracked() {
            delete.dispatch(DeleteDraft { id: draft.id });
        }
        to_delete.set(None);
    };
    view! {
        <dialog node_ref=dialog aria-labelledby="delete-draft-title" on:close=move |_| to_delete.set(None)>
            <h2 id="delete-draft-title">
                {move || to_delete.get().map(|d| format!("Delete the draft “{}”?", title_of(&d)))}
            </h2>
            <p>"The draft and everything entered in it will be gone. This cannot be undone."</p>
            <div class="dialog-actions">
                <button type="button" on:click=move |_| to_delete.set(None) autofocus>"Cancel"</button>
                <button type="button" class="button danger" on:click=confirm>"Delete draft"</button>
            </div>
        </dialog>
    }
}
