//! A confirmation before an irreversible step, as a modal `<dialog>`: the browser keeps
//! focus inside it and closes it on Escape; Cancel has the focus first.

use leptos::html::Dialog;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    /// Opens the dialog while true; set back to false when it closes.
    open: RwSignal<bool>,
    id: &'static str,
    title: &'static str,
    body: Signal<String>,
    confirm_label: &'static str,
    on_confirm: Callback<()>,
    /// What the button that closes the dialog says; "Cancel" unless that would be confusing.
    #[prop(optional)]
    dismiss_label: Option<&'static str>,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        if let Some(element) = dialog.get() {
            match (open.get(), element.open()) {
                (true, false) => {
                    let _ = element.show_modal();
                }
                (false, true) => element.close(),
                _ => {}
            }
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <dialog node_ref=dialog id=id aria-labelledby=labelled_by on:close=move |_| open.set(false)>
            <h2 id=title_id>{title}</h2>
            <p>{move || body.get()}</p>
            <div class="dialog-actions">
                <button type="button" on:click=move |_| open.set(false) autofocus>{dismiss_label.unwrap_or("Cancel")}</button>
                <button type="button" class="button danger" on:click=move |_| {
                    open.set(false);
                    on_confirm.run(());
                }>{confirm_label}</button>
            </div>
        </dialog>
    }
}
