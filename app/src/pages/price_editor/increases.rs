//! Price increases in the editor: what saving would do, change by change (R70, R73), and
//! the increases waiting for their date, each cancellable before it (R73).

use crate::components::confirm::ConfirmDialog;
use crate::components::loaded::Failed;
use crate::prices::ScheduledIncrease;
use crate::products::OwnedProduct;
use crate::rules::after_release::PriceChange;
use crate::rules::notice::PricePlan;
use crate::rules::RuleViolation;
use leptos::prelude::*;

/// The increases waiting, with the change each will make, in the order the plan numbers them.
pub(super) fn pending(owned: &OwnedProduct) -> Vec<(&ScheduledIncrease, PriceChange)> {
    owned.scheduled.iter().filter_map(|i| Some((i, i.change()?))).collect()
}

/// What saving would do, change by change (R70, R73): said before the seller saves.
#[component]
pub(super) fn WhenSaved(check: Memo<Result<PricePlan, Vec<RuleViolation>>>, saved: RwSignal<OwnedProduct>) -> impl IntoView {
    move || {
        let from = saved.with(|o| o.increase_from_day.clone());
        check.with(|c| {
            let plan = c.as_ref().ok().filter(|p| !p.is_empty())?;
            let replaced: Vec<String> = saved.with(|o| {
                let pending = pending(o);
                plan.replaced.iter().filter_map(|&r| pending.get(r)).map(|(i, _)| format!("{} from {}", i.describe(), i.from_day)).collect()
            });
            Some(view! {
                <section class="when-saved" aria-label="When you save">
                    <h2>"When you save"</h2>
                    <ul>
                        {plan.now.iter().map(|c| view! { <li data-applies="now">{c.describe()} " — " <strong>"applies now"</strong></li> }).collect_view()}
                        {plan.later.iter().map(|c| view! {
                            <li data-applies="later">{c.describe()} " — " <strong>{format!("from {from}")}</strong> "; customers who bought it are told today"</li>
                        }).collect_view()}
                        {replaced.into_iter().map(|text| view! { <li data-applies="replaced">"No longer planned: " {text}</li> }).collect_view()}
                    </ul>
                </section>
            })
        })
    }
}

/// The increases waiting for their date, each cancellable before it (R73).
#[component]
pub(super) fn Scheduled(saved: RwSignal<OwnedProduct>, cancel: Action<String, Result<OwnedProduct, crate::error::AppError>>) -> impl IntoView {
    let confirm = RwSignal::new(false);
    let chosen = RwSignal::new(None::<ScheduledIncrease>);
    // The cancelled increase's row (and the button pressed) goes: its outcome takes the focus.
    let said = NodeRef::<leptos::html::P>::new();
    Effect::new(move || {
        if let (Some(Ok(_)), Some(p)) = (cancel.value().get(), said.get()) {
            let _ = p.focus();
        }
    });
    view! {
        <h2>"Scheduled increases"</h2>
        {move || saved.with(|o| if o.scheduled.is_empty() {
            view! { <p class="muted">"No price increase is waiting. A higher price you save is listed here until it takes effect."</p> }.into_any()
        } else {
            view! {
                <table class="data" aria-label="Scheduled increases">
                    <thead><tr><th scope="col">"Price"</th><th scope="col">"Takes effect"</th><th scope="col">"Operation"</th></tr></thead>
                    <tbody>
                        {o.scheduled.iter().cloned().map(|i| {
                            let label = format!("Cancel the increase of {} vCPUs, {}", i.vcpus, i.billing);
                            let shown = i.describe();
                            let day = i.from_day.clone();
                            view! {
                                <tr>
                                    <td>{shown}</td><td>{day}</td>
                                    <td><button type="button" class="link-button" aria-label=label
                                        aria-disabled=move || cancel.pending().get().then_some("true")
                                        on:click=move |_| {
                                            if !cancel.pending().get_untracked() {
                                                chosen.set(Some(i.clone()));
                                                confirm.set(true);
                                            }
                                        }>"Cancel increase"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })}
        {move || cancel.value().get().and_then(Result::err).map(|error| view! { <Failed error /> })}
        {move || matches!(cancel.value().get(), Some(Ok(_))).then(|| view! {
            <p class="notice success" role="status" tabindex="-1" node_ref=said>"Increase cancelled. The customers who bought the product are told."</p>
        })}
        <ConfirmDialog
            open=confirm
            id="cancel-increase"
            title="Cancel this price increase?"
            body=Signal::derive(move || chosen.with(|c| c.as_ref().map(|i| format!(
                "{} will not take effect on {}. The customers who bought the product are told it is cancelled.", i.describe(), i.from_day,
            )).unwrap_or_default()))
            confirm_label="Cancel increase"
            dismiss_label="Keep increase"
            on_confirm=Callback::new(move |_| {
                if let Some(i) = chosen.get_untracked() {
                    cancel.dispatch(i.id);
                }
            })
        />
    }
}
