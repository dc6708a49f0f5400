//! The reviewers' pages (R44): the queue of pending release requests, oldest first, with
//! due dates and overdue marks (R41); and one request with everything its seller submitted,
//! to take up, approve or reject with a reason.

use crate::applications::{Application, ApplicationDetail, Decision};
use crate::error::AppError;
use crate::auth::Role;
use crate::components::application::{DueDate, StatusBadge, Timeline};
use crate::components::confirm::ConfirmDialog;
use crate::components::product::{ProductDetails, ProductSpecifications};
use crate::components::{empty_state::EmptyState, guard::RequireRole, loaded::{loaded, loaded_else, page_failed, Failed}, time::format_utc};
use crate::reviews::{load_for_review, my_decisions, review_queue, Decide};
use crate::components::rule_message::RuleMessage;
use crate::rules::request::{check_reason, RequestAction, RequestStatus};
use crate::components::said_once::SaidOnce;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ReviewQueue() -> impl IntoView {
    view! {
        <RequireRole role=Role::Reviewer>
            <Title text="Review queue" />
            <main id="main" class="page">
                <h1>"Review queue"</h1>
                <p class="lead">"Pending release requests, oldest first. Each is due three working days after it was submitted."</p>
                <p><a href="/review/decided">"Your decisions →"</a></p>
                {loaded(review_queue(), |list| if list.is_empty() {
                    view! {
                        <EmptyState
                            title="Nothing to review"
                            body="Release requests that sellers submit wait here, oldest first."
                        />
                    }.into_any()
                } else {
                    view! { <QueueTable requests=list /> }.into_any()
                })}
            </main>
        </RequireRole>
    }
}

#[component]
fn QueueTable(requests: Vec<Application>) -> impl IntoView {
    view! {
        <table class="data" aria-label="Pending release requests">
            <thead><tr>
                <th scope="col">"Product"</th><th scope="col">"Seller"</th><th scope="col">"Submitted"</th>
                <th scope="col">"Status"</th><th scope="col">"Review due"</th><th scope="col"><span class="visually-hidden">"Open"</span></th>
            </tr></thead>
            <tbody>
                {requests.into_iter().map(|a| {
                    let href = format!("/review/{}", a.id);
                    let label = format!("Review {}", a.product_name);
                    view! {
                        <tr class:overdue-row=a.overdue>
                            <th scope="row">{a.product_name.clone()}</th>
                            <td>{a.seller_name.clone()}</td>
                            <td>{format_utc(a.submitted_at)}</td>
                            <td><StatusBadge status=a.status /></td>
                            <td><DueDate application=a.clone() /></td>
                            <td><a href=href aria-label=label>"Review"</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The requests the signed-in reviewer approved or rejected, the most recently decided
/// first, a page at a time: to find one again after it has left the queue.
#[component]
pub fn ReviewDecisions() -> impl IntoView {
    let before = crate::paging::cursor_from_query();
    let older_page = before.is_some();
    // One kind of decision, or every one: an address naming another kind shows every one.
    let chosen = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("decision")).and_then(|d| Decision::parse(&d));
    // The list's address, for its pages too: a page of one kind links to the next of that kind.
    let path = decisions_path(chosen);
    let link = move |decision: Option<Decision>, label: &'static str| {
        view! { <li><a href=decisions_path(decision) aria-current=(decision == chosen).then_some("true")>{label}</a></li> }
    };
    let (empty_title, empty_body) = match chosen {
        None => ("No decisions yet", "Requests you approve or reject are listed here. Take up the oldest pending request in the review queue."),
        Some(_) => ("None of this kind yet", "Choose All to see every decision of yours, or take up the oldest pending request in the review queue."),
    };
    view! {
        <RequireRole role=Role::Reviewer>
            <Title text="Your decisions · Review" />
            <main id="main" class="page">
                <p><a href="/review">"← Review queue"</a></p>
                <h1>"Your decisions"</h1>
                <p class="lead">"The release requests you approved or rejected, the most recent first."</p>
                <nav aria-label="Filter decisions">
                    <ul class="filters">
                        {link(None, "All")}
                        {link(Some(Decision::Approved), "Approved")}
                        {link(Some(Decision::Rejected), "Rejected")}
                    </ul>
                </nav>
                {crate::paging::paged_list(my_decisions(before.clone(), chosen.map(|d| d.key().to_owned())), (path, "decisions"), older_page,
                    move || view! {
                        <EmptyState
                            title=empty_title
                            body=empty_body
                            link=("/review", "Review queue")
                        />
                    }.into_any(),
                    |requests| view! { <DecisionsTable requests /> }.into_any(),
                )}
            </main>
        </RequireRole>
    }
}

/// The address of the reviewer's decisions of one kind, or of every kind.
fn decisions_path(decision: Option<Decision>) -> &'static str {
    match decision {
        None => "/review/decided",
        Some(Decision::Approved) => "/review/decided?decision=approved",
        Some(Decision::Rejected) => "/review/decided?decision=rejected",
    }
}

/// The start of a reason, for a list: at most 80 characters, cut at a word.
fn first_words(reason: &str) -> String {
    const SHOWN: usize = 80;
    if reason.chars().count() <= SHOWN {
        return reason.to_owned();
    }
    // One character more than is shown: a space there means the cut falls between words.
    let cut: String = reason.chars().take(SHOWN + 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(words, _)| words);
    format!("{}…", cut.trim_end())
}

#[component]
fn DecisionsTable(requests: Vec<Application>) -> impl IntoView {
    view! {
        <table class="data" aria-label="Your decisions">
            <thead><tr>
                <th scope="col">"Product"</th><th scope="col">"Seller"</th><th scope="col">"Decision"</th>
                <th scope="col">"Reason given"</th><th scope="col">"Decided"</th><th scope="col"><span class="visually-hidden">"Open"</span></th>
            </tr></thead>
            <tbody>
                {requests.into_iter().map(|a| {
                    let href = format!("/review/{}", a.id);
                    let label = format!("View the request for {}", a.product_name);
                    view! {
                        <tr>
                            <th scope="row">{a.product_name}</th>
                            <td>{a.seller_name}</td>
                            <td><StatusBadge status=a.status /></td>
                            <td class="free-text">{a.reason.as_deref().map(first_words).unwrap_or_default()}</td>
                            <td>{a.decided_at.map(format_utc)}</td>
                            <td><a href=href aria-label=label>"View"</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ReviewRequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    view! {
        <RequireRole role=Role::Reviewer>
            <Title text="Review a release request" />
            <main id="main" class="page">
                <p><a href="/review">"← Review queue"</a></p>
                // The history only once the request is found: an unknown one is said once.
                {
                    let id = id.clone();
                    loaded_else(load_for_review(id.clone()), move |detail| view! {
                        <ReviewView detail />
                        {loaded(crate::audit::request_history(id.clone()), {
                            let base = format!("/review/{id}");
                            let chosen = crate::components::history::chosen_kind();
                            move |history| view! { <crate::components::history::History history base chosen /> }
                        })}
                    }, page_failed("Release request"))
                }
            </main>
        </RequireRole>
    }
}

#[component]
fn ReviewView(detail: ApplicationDetail) -> impl IntoView {
    let a = detail.application.clone();
    let status = a.status;
    view! {
        // Each request's tab says which it is.
        <Title text=format!("Review {} · Review", a.product_name) />
        <div class="page-head">
            <h1>{a.product_name.clone()}</h1>
            <StatusBadge status />
        </div>
        <p>{format!("Submitted by {} on {}. ", a.seller_name, format_utc(a.submitted_at))} {a.status.is_pending().then(|| view! { <DueDate application=a.clone() /> })}</p>
        <Done status />
        <Timeline application=a.clone() />
        {a.reason.clone().map(|r| view! { <div class="notice error"><p><strong>"Reason given"</strong></p><p>{r}</p></div> })}
        // The decision comes after what it decides on; a link leads to it.
        {status.is_pending().then(|| view! { <p><a href="#decision-title">"Go to the decision"</a></p> })}
        <h2>"What the seller submitted"</h2>
        <ProductDetails content=detail.content.clone() />
        <ProductSpecifications content=detail.content asset_names=detail.asset_names />
        {status.is_pending().then(|| view! { <DecisionPanel id=a.id.clone() status /> })}
    }
}

/// A decision's name in the address, `?done=…`.
fn done_key(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::UnderReview => "started",
        RequestStatus::Approved => "approved",
        _ => "rejected",
    }
}

/// What the reviewer just did, said where the focus lands once the page is drawn again: only
/// when the request is now in the status the address names.
#[component]
fn Done(status: RequestStatus) -> impl IntoView {
    let (named, changed) = leptos_router::hooks::use_query_map().with_untracked(|q| (q.get("done"), q.get("changed").is_some()));
    // A decision refused because the request moved meanwhile (its seller withdrew it, or
    // another reviewer decided): the page is drawn again as it now is, and says why.
    if changed {
        let message = format!("This request changed while you had it open, so nothing was done: it is {} now.", status.label());
        return Some(view! { <p class="notice warning" role="status" tabindex="-1" autofocus>{message}</p> <SaidOnce parameter="changed" /> }.into_any());
    }
    let message = match status {
        RequestStatus::UnderReview => "You took up this request: its seller sees it is under review.",
        RequestStatus::Approved => "Approved: the product is listed on the marketplace and its seller is told.",
        RequestStatus::Rejected => "Rejected: its seller is sent your reason.",
        _ => "",
    };
    (named.as_deref() == Some(done_key(status)) && !message.is_empty())
        .then(|| view! { <p class="notice success" role="status" tabindex="-1" autofocus>{message}</p> <SaidOnce parameter="done" /> }.into_any())
}

/// Start review, approve or reject with a reason (R44), each decision after a confirmation, the reason
/// checked by the shared rule as it is typed. The page is loaded again after a decision,
/// so every part of it shows the new status.
#[cfg_attr(not(feature = "wizard-only"), island)]
#[cfg_attr(feature = "wizard-only", component)]
fn DecisionPanel(id: String, status: RequestStatus) -> impl IntoView {
    let live = crate::components::island::mark();
    let decide = ServerAction::<Decide>::new();
    let id = StoredValue::new(id);
    let reason = RwSignal::new(String::new());
    let reason_touched = RwSignal::new(false);
    let confirm_approve = RwSignal::new(false);
    let confirm_reject = RwSignal::new(false);
    let reason_field = NodeRef::<leptos::html::Textarea>::new();
    let reason_error = move || reason_touched.get().then(|| check_reason(&reason.get()).err()).flatten();
    let done = RwSignal::new(None::<RequestStatus>);
    let send = move |action: RequestAction| {
        if decide.pending().get_untracked() {
            return;
        }
        done.set(Some(match action {
            RequestAction::StartReview => RequestStatus::UnderReview,
            RequestAction::Approve => RequestStatus::Approved,
            _ => RequestStatus::Rejected,
        }));
        decide.dispatch(Decide { id: id.get_value(), action, reason: reason.get_untracked() });
    };
    let reject = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if decide.pending().get_untracked() {
            return;
        }
        reason_touched.set(true);
        if check_reason(&reason.get_untracked()).is_ok() {
            confirm_reject.set(true);
        } else if let Some(field) = reason_field.get_untracked() {
            // Straight back to the reason, which says what is missing.
            let _ = field.focus();
        }
    };
    // Done: the page is drawn again with the new status, and says what was done (`?done=`).
    Effect::new(move || match (decide.value().get(), done.get_untracked()) {
        (Some(Ok(_)), Some(status)) => crate::components::island::replace_with(&format!("/review/{}?done={}", id.get_value(), done_key(status))),
        // It moved meanwhile: drawn again as it now is (`?changed`).
        (Some(Err(AppError::Conflict(_))), _) => crate::components::island::replace_with(&format!("/review/{}?changed=1", id.get_value())),
        _ => {}
    });
    let error = move || decide.value().get().and_then(Result::err);
    // aria-disabled, not disabled, while a decision is sent: the button keeps the focus.
    let busy = move || decide.pending().get().then_some("true");
    view! {
        {move || error().map(|error| view! { <Failed error id="decision-error" /> })}
        <section class="decision" aria-labelledby="decision-title">
            <h2 id="decision-title">"Decision"</h2>
            {(status == RequestStatus::Submitted).then(|| view! {
                <p>
                    <button type="button" id="start-review" aria-disabled=busy
                        on:click=move |_| send(RequestAction::StartReview)>"Start review"</button>
                    <span class="hint">" Shows the seller that the request is under review."</span>
                </p>
            })}
            <p>
                <button type="button" class="primary" id="approve" aria-disabled=busy
                    on:click=move |_| if !decide.pending().get_untracked() { confirm_approve.set(true) }>"Approve"</button>
            </p>
            <form class="reject-form" on:submit=reject novalidate>
                <div class="field">
                    <label for="reject-reason">"Reason for rejection (sent to the seller)"</label>
                    // Not taking input until the panel is live (a reason typed before would be
                    // emptied); the panel's buttons do nothing until then and lose nothing.
                    <textarea id="reject-reason" rows="4" maxlength="2000" node_ref=reason_field disabled=move || !live.get()
                        aria-invalid=move || reason_error().is_some().to_string()
                        aria-describedby="reject-reason-error"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                        on:blur=move |_| reason_touched.set(true)></textarea>
                    <div id="reject-reason-error" aria-live="polite">
                        {move || reason_error().map(|v| view! { <RuleMessage rule=v.rule message=v.message /> })}
                    </div>
                </div>
                <button type="submit" class="danger" id="reject" aria-disabled=busy>"Reject"</button>
            </form>
        </section>
        <ConfirmDialog
            open=confirm_approve
            id="confirm-approve"
            title="Approve this product?"
            body=Signal::derive(|| "It will be listed on the public marketplace at once, its image assets will be locked, and the seller will be notified. This cannot be undone.".to_owned())
            confirm_label="Approve and list"
            on_confirm=Callback::new(move |_| send(RequestAction::Approve))
        />
        <ConfirmDialog
            open=confirm_reject
            id="confirm-reject"
            title="Reject this request?"
            body=Signal::derive(move || format!(
                "The seller will be sent your reason: “{}”. Its image assets will be freed, and the seller can edit the product and submit it again. This cannot be undone.",
                reason.get().trim()
            ))
            confirm_label="Reject request"
            on_confirm=Callback::new(move |_| send(RequestAction::Reject))
        />
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_reason_is_cut_at_a_word_and_says_so() {
        assert_eq!(super::first_words("Too short."), "Too short.");
        let long = "The description does not say which database versions the image holds, nor how it is patched.";
        let cut = super::first_words(long);
        assert!(cut.ends_with('…') && cut.chars().count() <= 81, "{cut}");
        assert!(long.starts_with(cut.trim_end_matches('…')) && !cut.contains("patch"), "{cut}");
        assert_eq!(cut, "The description does not say which database versions the image holds, nor how it…", "cut at a word, not inside one");
        // A cut that falls between two words keeps the word before it.
        let exact = format!("{} rest", "a".repeat(80));
        assert_eq!(super::first_words(&exact), format!("{}…", "a".repeat(80)));
    }
}
