//! How a release request's status, progress and due date are shown (R40, R41, R42), to its
//! seller and to reviewers alike.

use crate::applications::Application;
use crate::components::time::format_utc;
use crate::rules::request::RequestStatus;
use leptos::prelude::*;

#[component]
pub fn StatusBadge(status: RequestStatus) -> impl IntoView {
    let class = match status {
        RequestStatus::Approved => "badge ok",
        RequestStatus::Rejected => "badge blocked",
        RequestStatus::Withdrawn => "badge muted-badge",
        RequestStatus::Submitted | RequestStatus::UnderReview => "badge pending",
    };
    view! { <span class=class data-status=status.label()>{status.label()}</span> }
}

/// The due date, marked when overdue, and the busy-day mark.
#[component]
pub fn DueDate(application: Application) -> impl IntoView {
    let pending = application.status.is_pending();
    view! {
        <span class="due">
            // Due at the end of a working day (R41): its last minute, so that midnight does
            // not read as the next day.
            // A busy day's request is not held to the date (R42): the date is what is usual.
            {match (pending, application.busy_day) {
                (false, _) => "—".to_owned(),
                (true, busy) => crate::rules::review::due_by(application.due_at, busy),
            }}
            {application.overdue.then(|| view! { " " <span class="badge blocked overdue">"Overdue"</span> })}
        </span>
        {(application.busy_day && pending).then(|| view! {
            <span class="badge busy" title="The seller's 10th or later request of the day">"Review may take longer"</span>
        })}
    }
}

/// Submitted → Under review → Approved or Rejected (or Withdrawn), with the time of each
/// step reached (R40).
#[component]
pub fn Timeline(application: Application) -> impl IntoView {
    let a = application;
    let last = match a.status {
        RequestStatus::Approved => ("Approved", a.decided_at),
        RequestStatus::Rejected => ("Rejected", a.decided_at),
        RequestStatus::Withdrawn => ("Withdrawn", a.withdrawn_at),
        _ => ("Approved or Rejected", None),
    };
    let steps = [("Submitted", Some(a.submitted_at)), ("Under review", a.review_started_at), last];
    view! {
        <ol class="timeline" aria-label="Review progress">
            {steps.into_iter().map(|(label, at)| {
                let done = at.is_some();
                view! {
                    <li class:done=done aria-current=(!done).then_some("false")>
                        <span class="timeline-step">{label}</span>
                        <span class="timeline-time">{at.map(format_utc).unwrap_or_else(|| "Not yet".to_owned())}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
        {a.reviewer_name.clone().filter(|_| a.decided_at.is_some()).map(|name| view! {
            <p class="muted">{format!("Decided by {name}.")}</p>
        })}
    }
}
