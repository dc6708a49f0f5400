//! Saving the draft: by hand (R30), automatically a few seconds after the last edit (R31),
//! again on its own after a failure, and never over a newer save from another tab (R33).

use super::form::Form;
use crate::drafts::{new_save_id, save_draft, DraftBase};
use crate::rules::release::ProductDraft;
use crate::error::AppError;
use leptos::prelude::*;
use std::time::Duration;

/// How long after the last edit the draft is saved.
pub const AUTOSAVE_DELAY: Duration = Duration::from_millis(2_500);
/// How long after a failed save it is tried again.
const RETRY_DELAY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    /// Nothing typed since the page opened.
    Unchanged,
    Unsaved,
    Saving,
    Saved(i64),
    Failed(String),
    /// Another tab saved this draft since; this tab's edits are kept here, not saved.
    Conflict(String),
    /// Submitted: nothing more to save.
    Done,
}

/// One save as it was sent. After a failure it is sent again exactly as it was, with its
/// id: if the first attempt was stored and only its answer lost, the server answers that
/// result instead of a conflict with itself (R33) or a second draft.
#[derive(Debug, Clone)]
struct SentSave {
    base: DraftBase,
    content: ProductDraft,
    save_id: String,
    /// The edit count the content includes.
    edits: u64,
}

/// The save sent as the page went (`fetch` with `keepalive`), kept in the tab's session
/// storage: the page loaded next in this tab (a reload) may have read the draft before that
/// save arrived, and then sends it again, with its id, so it is stored once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LeftSave {
    pub base: DraftBase,
    pub content: ProductDraft,
    pub save_id: String,
}

#[derive(Clone, Copy)]
pub struct Saver {
    pub base: RwSignal<DraftBase>,
    pub status: RwSignal<SaveStatus>,
    /// Bumped by every edit, so a save knows whether edits arrived while it was in flight.
    edits: RwSignal<u64>,
    saved_edits: RwSignal<u64>,
    in_flight: RwSignal<bool>,
    timer: StoredValue<Option<TimeoutHandle>>,
    /// A save whose answer never came; the next save sends it again first.
    unanswered: StoredValue<Option<SentSave>>,
    /// The save sent as the last page in this tab went, now shown here: the next save of
    /// that content is sent with its id and base (see [`Saver::resume`]).
    resumed: StoredValue<Option<LeftSave>>,
    form: Form,
}

impl Saver {
    pub fn new(form: Form, base: DraftBase) -> Self {
        let saver = Saver {
            base: RwSignal::new(base),
            status: RwSignal::new(SaveStatus::Unchanged),
            edits: RwSignal::new(0),
            saved_edits: RwSignal::new(0),
            in_flight: RwSignal::new(false),
            timer: StoredValue::new(None),
            unanswered: StoredValue::new(None),
            resumed: StoredValue::new(None),
            form,
        };
        // Every change of the draft after the first render is an edit.
        Effect::new(move |first: Option<()>| {
            form.draft.track();
            if first.is_some() {
                saver.edited();
            }
        });
        saver
    }

    /// The draft and the base to save it on, while it has edits not yet saved; without
    /// tracking, for event handlers.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn unsaved_untracked(&self) -> Option<(DraftBase, crate::rules::release::ProductDraft)> {
        let pending = self.edits.try_get_untracked()? != self.saved_edits.try_get_untracked()?
            && !matches!(self.status.try_get_untracked()?, SaveStatus::Done | SaveStatus::Conflict(_));
        pending.then(|| Some((self.base.try_get_untracked()?, self.form.draft.try_get_untracked()?))).flatten()
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn has_unsaved_edits(&self) -> bool {
        self.edits.get_untracked() != self.saved_edits.get_untracked()
            && self.status.get_untracked() != SaveStatus::Done
    }

    /// Shows the edits of the save sent as the last page in this tab went, if this page
    /// opened the draft as that save found it (a reload can read the draft before that save
    /// arrives): they are saved again at once, with that save's id, so the server stores
    /// them once whichever copy comes first. A draft saved since (by that save itself, or
    /// elsewhere) is newer than they are: they are left.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn resume(self, left: LeftSave) {
        if left.base != self.base.get_untracked() || self.form.draft.with_untracked(|d| *d == left.content) {
            return;
        }
        self.form.draft.set(left.content.clone());
        self.resumed.set_value(Some(left));
    }

    fn edited(self) {
        self.edits.update(|e| *e += 1);
        if matches!(self.status.get_untracked(), SaveStatus::Conflict(_) | SaveStatus::Done) {
            return;
        }
        if !self.in_flight.get_untracked() {
            self.status.set(SaveStatus::Unsaved);
        }
        let resuming = self.resumed.with_value(Option::is_some);
        self.schedule(if resuming { Duration::ZERO } else { AUTOSAVE_DELAY });
    }

    fn schedule(self, delay: Duration) {
        if let Some(Some(handle)) = self.timer.try_get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || self.save(), delay).ok();
        self.timer.try_set_value(handle);
    }

    /// Saves now, if there is anything to save and no save is under way. Safe to call from a
    /// timer that fires after the seller has left the page: it then does nothing (what was
    /// unsaved is flushed when the page goes, see `warn_before_leaving`).
    pub fn save(self) {
        let (Some(in_flight), Some(status), Some(edits), Some(saved_edits)) = (
            self.in_flight.try_get_untracked(),
            self.status.try_get_untracked(),
            self.edits.try_get_untracked(),
            self.saved_edits.try_get_untracked(),
        ) else {
            return;
        };
        if in_flight || matches!(status, SaveStatus::Conflict(_) | SaveStatus::Done) {
            return;
        }
        if edits == saved_edits && status != SaveStatus::Unchanged {
            return;
        }
        let sent = match self.unanswered.try_get_value().flatten() {
            Some(again) => again,
            None => {
                let (Some(content), Some(base)) = (self.form.draft.try_get_untracked(), self.base.try_get_untracked()) else {
                    return;
                };
                match self.resumed.try_update_value(Option::take).flatten() {
                    Some(left) if left.content == content && left.base == base => SentSave { base, content, save_id: left.save_id, edits },
                    _ => SentSave { base, content, save_id: new_save_id(), edits },
                }
            }
        };
        self.in_flight.set(true);
        self.status.set(SaveStatus::Saving);
        leptos::task::spawn_local(async move {
            let result = save_draft(sent.base.clone(), sent.content.clone(), sent.save_id.clone()).await;
            // The page may have gone while the save was under way.
            if self.in_flight.try_set(false).is_some() {
                return;
            }
            match result {
                Ok(saved) => {
                    self.unanswered.set_value(None);
                    show_draft_in_address(&saved.id);
                    self.base.set(DraftBase::Existing { id: saved.id, version: saved.version });
                    self.saved_edits.set(sent.edits);
                    if self.edits.try_get_untracked() == Some(sent.edits) {
                        self.status.set(SaveStatus::Saved(saved.updated_at));
                    } else {
                        self.status.set(SaveStatus::Unsaved);
                        self.schedule(AUTOSAVE_DELAY);
                    }
                }
                Err(AppError::Conflict(message)) => {
                    self.unanswered.set_value(None);
                    self.status.set(SaveStatus::Conflict(message));
                }
                Err(AppError::NotFound(_)) if matches!(sent.base, DraftBase::Existing { .. }) => {
                    // The draft was submitted or deleted (in another tab, say): saving over it
                    // again would be refused again, so the edits here go to a draft of their own.
                    self.unanswered.set_value(None);
                    self.base.set(DraftBase::New);
                    self.status.set(SaveStatus::Failed(GONE.into()));
                }
                Err(error) if error.status() < 500 && !matches!(error, AppError::TooManyRequests { .. }) => {
                    // Refused as it is (too large, a control character, signed out): sending
                    // it again would be refused again, so the next edit makes a new save.
                    self.unanswered.set_value(None);
                    self.status.set(SaveStatus::Failed(refusal(&error)));
                }
                Err(error) => {
                    self.unanswered.set_value(Some(sent));
                    self.status.set(SaveStatus::Failed(reason(&error)));
                    self.schedule(RETRY_DELAY);
                }
            }
        });
    }

    /// After a conflict: keep this tab's edits as a new draft of their own.
    pub fn save_as_new(self) {
        self.unanswered.set_value(None);
        self.base.set(DraftBase::New);
        self.status.set(SaveStatus::Unsaved);
        self.save();
    }

    /// The connection is back: try a failed save at once.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn retry_now(self) {
        if matches!(self.status.get_untracked(), SaveStatus::Failed(_)) {
            self.save();
        }
    }

    pub fn done(self) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        self.status.set(SaveStatus::Done);
    }
}

/// Why a save was refused as it is, for the status line: fixing the edit saves it.
fn refusal(error: &AppError) -> String {
    match error {
        AppError::Unauthenticated => SIGNED_OUT.into(),
        AppError::AccountChanged => ANOTHER_ACCOUNT.into(),
        other => format!("{other} It is saved again after your next edit."),
    }
}

fn reason(error: &AppError) -> String {
    match error {
        AppError::Unreachable => "the connection to the server was lost; trying again".into(),
        AppError::Unauthenticated => SIGNED_OUT.into(),
        other => format!("{other}; trying again"),
    }
}

/// A save refused for want of a session: the edits stay on the page, and are saved when
/// the seller comes back to it signed in (`warn_before_leaving` tries again on focus).
const GONE: &str = "this draft is no longer saved: it was submitted or deleted, perhaps in another tab. Your edits stay here and are kept as a new draft when next saved";

const ANOTHER_ACCOUNT: &str = "another account signed in since this page opened (in another tab). Sign in again as yourself there and come back: your edits stay here and are saved then";

const SIGNED_OUT: &str = "you were signed out. Sign in again in another tab and come back: your edits stay here and are saved then";

/// Puts the draft's id in the address, so a reload resumes it instead of starting over.
fn show_draft_in_address(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("/console/products/new?draft={id}")),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// The status line beside Save as Draft.
#[component]
pub fn SaveStatusLine(saver: Saver) -> impl IntoView {
    view! {
        <p class="save-status" role="status" aria-live="polite">
            {move || match saver.status.get() {
                SaveStatus::Unchanged => String::new(),
                SaveStatus::Unsaved => "Not saved yet".into(),
                SaveStatus::Saving => "Saving…".into(),
                SaveStatus::Saved(at) => format!("Saved at {}", crate::components::time::clock_time(at)),
                SaveStatus::Failed(why) => format!("Not saved: {why}"),
                SaveStatus::Conflict(_) => "Not saved: changed in another tab".into(),
                SaveStatus::Done => "Submitted".into(),
            }}
        </p>
    }
}

/// Shown while a conflict stands: what happened, and the two ways out (R33).
#[component]
pub fn ConflictNotice(saver: Saver) -> impl IntoView {
    let reload = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let sure = w
                .confirm_with_message("Load the version saved in the other tab? The edits made in this tab since then will be lost.")
                .unwrap_or(false);
            if sure {
                let _ = w.location().reload();
            }
        }
    };
    view! {
        <Show when=move || matches!(saver.status.get(), SaveStatus::Conflict(_))>
            <div class="notice error" role="alert" id="save-conflict">
                <p><strong>"This draft was saved in another tab or window after you opened it."</strong></p>
                <p>"Your edits here are kept on this page but not saved. Load the other version, or keep yours as a separate draft."</p>
                <p class="actions">
                    <button type="button" on:click=reload>"Load the saved version"</button>
                    <button type="button" class="primary" on:click=move |_| saver.save_as_new()>"Keep mine as a new draft"</button>
                </p>
            </div>
        </Show>
    }
}
