//! Product Management → My Applications (R40–R42, R44, R52): every release request with its
//! status, due date and progress; one request's page with its timeline, the reviewer's
//! reason, and what the seller can do next (withdraw, or edit and submit again).

use crate::applications::{edit_rejected, list_applications, load_application, Application, ApplicationDetail};
use crate::components::application::{DueDate, StatusBadge, Timeline};
use crate::components::confirm::ConfirmDialog;
use crate::components::product::{ProductDetails, ProductSpecifications};
use crate::components::{empty_state::EmptyState, loaded::{loaded_else, page_failed, Failed}, time::format_utc};
use crate::paging::paged_list;
use crate::rules::request::RequestStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MyApplications() -> impl IntoView {
    let before = crate::paging::cursor_from_query();
    let older_page = before.is_some();
    view! {
        <Title text="My Applications · Seller Console" />
        <h1>"My Applications"</h1>
        {paged_list(list_applications(before), ("/console/applications", "requests"), older_page,
            || view! {
                <EmptyState
                    title="No release requests"
                    body="When you submit a product for release, its request and review progress appear here."
                    link=("/console/products/new", "Release New Product")
                />
            }.into_any(),
            |applications| view! { <ApplicationTable applications /> }.into_any(),
        )}
    }
}

#[component]
fn ApplicationTable(applications: Vec<Application>) -> impl IntoView {
    view! {
        <table class="data" aria-label="Release requests">
            <thead><tr>
                <th scope="col">"Product"</th><th scope="col">"Submitted"</th><th scope="col">"Status"</th>
                <th scope="col">"Review due"</th><th scope="col"><span class="visually-hidden">"Open"</span></th>
            </tr></thead>
            <tbody>
                {applications.into_iter().map(|a| {
                    let href = format!("/console/applications/{}", a.id);
                    let label = format!("View the request for {}", a.product_name);
                    view! {
                        <tr>
                            <th scope="row">{a.product_name.clone()}</th>
                            <td>{format_utc(a.submitted_at)}</td>
                            <td><StatusBadge status=a.status /></td>
                            <td><DueDate application=a.clone() /></td>
                            <td><a href=href aria-label=label>"View"</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    view! {
        <Title text="Release request · Seller Console" />
        <p><a href="/console/applications">"← My Applications"</a></p>
        {loaded_else(load_application(id), |detail| view! { <RequestView detail /> }, page_failed("Release request"))}
    }
}

#[component]
fn RequestView(detail: ApplicationDetail) -> impl IntoView {
    let a = detail.application.clone();
    let status = a.status;
    view! {
        <div class="page-head">
            <h1>{format!("Release request for {}", a.product_name)}</h1>
            <StatusBadge status />
        </div>
        <p>"Submitted " {format_utc(a.submitted_at)} ". " {status.is_pending().then(|| view! { <DueDate application=a.clone() /> })}</p>
        {(a.busy_day && status.is_pending()).then(|| view! {
            <p class="notice warning">"This was one of 10 or more requests you submitted on its day, so its review may take longer than the usual three working days."</p>
        })}
        <Timeline application=a.clone() />
        {a.reason.clone().filter(|_| status == RequestStatus::Rejected).map(|reason| view! {
            <div class="notice error" id="rejection-reason">
                <p><strong>"Reason for the rejection"</strong></p>
                <p>{reason}</p>
            </div>
        })}
        {match status {
            RequestStatus::Submitted | RequestStatus::UnderReview | RequestStatus::Rejected => {
                view! { <RequestActions id=a.id.clone() status /> }.into_any()
            }
            RequestStatus::Withdrawn => view! {
                <p class="muted">"Withdrawn: its image assets are free again."</p>
                <RequestActions id=a.id.clone() status />
            }.into_any(),
            RequestStatus::Approved => view! {
                <div class="row-actions">
                    {a.product_id.clone().map(|pid| view! { <a class="button" href=format!("/products/{pid}")>"View on the marketplace"</a> })}
                </div>
            }.into_any(),
        }}
        <h2>"What you submitted"</h2>
        <ProductDetails content=detail.content.clone() />
        <ProductSpecifications content=detail.content asset_names=detail.asset_names />
    }
}

/// What the seller can do with a pending request (withdraw it, after a confirmation) or a
/// rejected or withdrawn one (edit and submit it again). The page is loaded again after a withdrawal,
/// so every part of it shows the new status. A lazy island: its code is fetched by a request's
/// page, not carried by the main module My Products and the reviewer's pages load.
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
fn RequestActions(id: String, status: RequestStatus) -> impl IntoView {
    crate::components::island::mark();
    let withdraw = ServerAction::<crate::applications::WithdrawApplication>::new();
    let confirm_withdraw = RwSignal::new(false);
    let edit = Action::new(move |id: &String| edit_rejected(id.clone()));
    Effect::new(move || {
        if let Some(Ok(draft_id)) = edit.value().get() {
            crate::components::island::go_to(&format!("/console/products/new?draft={draft_id}"));
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = withdraw.value().get() {
            crate::components::island::reload();
        }
    });
    let error = move || {
        withdraw.value().get().and_then(Result::err).or_else(|| edit.value().get().and_then(Result::err))
    };
    let on_withdraw = {
        let id = id.clone();
        Callback::new(move |_| {
            withdraw.dispatch(crate::applications::WithdrawApplication { id: id.clone() });
        })
    };
    view! {
        {move || error().map(|error| view! { <Failed error /> })}
        <div class="row-actions">
            {if matches!(status, RequestStatus::Rejected | RequestStatus::Withdrawn) {
                view! {
                    <button type="button" class="primary" id="edit-resubmit" aria-disabled=move || edit.pending().get().then_some("true")
                        on:click=move |_| if !edit.pending().get_untracked() { edit.dispatch(id.clone()); }>
                        {move || if edit.pending().get() { "Opening…" } else { "Edit and submit again" }}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" id="withdraw" aria-disabled=move || withdraw.pending().get().then_some("true")
                        on:click=move |_| if !withdraw.pending().get_untracked() { confirm_withdraw.set(true) }>"Withdraw request"</button>
                }.into_any()
            }}
        </div>
        <ConfirmDialog
            open=confirm_withdraw
            id="confirm-withdraw"
            title="Withdraw this release request?"
            body=Signal::derive(|| "The request leaves the review queue and its image assets are freed for other products. To release this product later, open the request and choose Edit and submit again.".to_owned())
            confirm_label="Withdraw request"
            on_confirm=on_withdraw
        />
    }
}
