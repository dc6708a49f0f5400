//! A released product's vCPU tier prices, editable but never deletable (R54): before saving
//! it says which changes apply now and which on what date (R70); it lists the increases
//! waiting, each cancellable after a confirmation (R73), the price history, and the
//! product's history (R74), read again after each change.

use crate::audit::{AuditHistory, AuditKind};
use crate::components::confirm::ConfirmDialog;
use crate::components::history::History;
use crate::components::loaded::Failed;
use crate::components::product::dollars;
use crate::components::rule_message::RuleMessage;
use crate::components::time::format_utc;
use crate::prices::ScheduledIncrease;
use crate::products::OwnedProduct;
use crate::rules::after_release::{tier_prices_of, PriceChange, TierPrices};
use crate::rules::notice::{plan_tier_prices, PricePlan};
use crate::rules::product::Pricing;
use crate::rules::release::BillingMode;
use crate::rules::RuleViolation;
use leptos::prelude::*;

mod increases;
mod typed;

use increases::{pending, Scheduled, WhenSaved};
use typed::keep_typed;

fn plan(owned: &OwnedProduct, typed: &[Vec<TierPrices>]) -> Result<PricePlan, Vec<RuleViolation>> {
    let changes: Vec<PriceChange> = pending(owned).into_iter().map(|(_, c)| c).collect();
    plan_tier_prices(&owned.content, typed, &changes)
}

/// The tier prices of every vCPU specification, as typed; checked and planned by the shared
/// rules on every keystroke. There is no control to add or delete a tier (R54).
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
pub fn PriceEditor(
    owned: OwnedProduct,
    /** The product's history (R74), read again after each change saved here. */ history: AuditHistory,
    chosen: Option<AuditKind>,
) -> impl IntoView {
    let live = crate::components::island::mark();
    let history = RwSignal::new(history);
    let saved = RwSignal::new(owned);
    let prices_of = |o: &OwnedProduct| -> Vec<Vec<TierPrices>> { tier_prices_of(&o.content) };
    let typed = RwSignal::new(prices_of(&saved.get_untracked()));
    let check = Memo::new(move |_| saved.with(|o| typed.with(|p| plan(o, p))));
    let save = Action::new(move |_: &()| {
        let (id, version) = saved.with_untracked(|o| (o.product.id.clone(), o.version));
        crate::products::change_tier_prices(id, version, typed.get_untracked())
    });
    let cancel = Action::new(move |increase: &String| {
        let product = saved.with_untracked(|o| o.product.id.clone());
        crate::prices::cancel_price_increase(product, increase.clone())
    });
    let reread_history = Action::new(move |_: &()| crate::audit::product_history(saved.with_untracked(|o| o.product.id.clone())));
    // A save answers with the prices saved, and the fields show them. A cancelled increase
    // leaves the prices typed and not saved as they are; the others follow the answer.
    for (result, keeps_typed) in [(save.value(), false), (cancel.value(), true)] {
        Effect::new(move || {
            if let Some(Ok(updated)) = result.get() {
                // An answer read before a change that has answered since (a cancel sent
                // while a save was on its way) would put older prices back: it is dropped.
                if saved.with_untracked(|o| updated.version < o.version) {
                    return;
                }
                let answered = prices_of(&updated);
                let shown = if keeps_typed {
                    saved.with_untracked(|o| typed.with_untracked(|t| keep_typed(&prices_of(o), t, answered)))
                } else {
                    answered
                };
                typed.set(shown);
                saved.set(updated);
                reread_history.dispatch(());
            }
        });
    }
    // A history that cannot be read again stays as it was: the change itself was saved.
    Effect::new(move || {
        if let Some(Ok(read)) = reread_history.value().get() {
            history.set(read);
        }
    });
    // Prices typed and not saved (or not yet answered) go with the page: the browser asks
    // before it leaves, for a console link as for closing the tab. Only for what was typed:
    // a Free image's page has no price to type, and its plan is always refused (R50).
    #[cfg(feature = "hydrate")]
    {
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            let typed_other = saved.with_untracked(|o| typed.with_untracked(|p| *p != prices_of(o)));
            if typed_other && check.with_untracked(|c| c.as_ref().map_or(true, |plan| !plan.is_empty())) {
                ev.prevent_default();
                ev.set_return_value("Your price changes are not saved yet.");
            }
        });
        on_cleanup(move || unload.remove());
    }
    let confirm_raise = RwSignal::new(false);
    let blocked = move || check.with(|c| c.as_ref().map_or(true, PricePlan::is_empty)) || save.pending().get();
    let blocked_now = move || check.with_untracked(|c| c.as_ref().map_or(true, PricePlan::is_empty)) || save.pending().get_untracked();
    // What the last save held (prices lowered now, increases scheduled), for its message.
    let sent = RwSignal::new((0usize, 0usize));
    let send = move || {
        sent.set(check.with_untracked(|c| c.as_ref().map(|p| (p.now.len(), p.later.len())).unwrap_or_default()));
        save.dispatch(());
    };
    let problem = move |field: String| check.with(|c| c.as_ref().err().and_then(|v| v.iter().find(|x| x.field == *field).cloned()));
    let o = saved.get_untracked();
    let free = o.product.free;
    // The tier prices to edit, in fields disabled until the island is live.
    let tables = o.content.specifications.iter().enumerate().filter(|_| !free).filter_map(|(s, spec)| match &spec.pricing {
            Pricing::Vcpu(tiers) => Some((s, spec, tiers)),
            Pricing::Simple(_) => None,
        }).map(|(s, spec, tiers)| {
            let modes: Vec<(usize, BillingMode)> = spec.offered().collect();
            let header = modes.clone();
            view! {
                <section class="spec-view" aria-label=format!("Specification {} prices", s + 1)>
                    <h2>{format!("Specification {}: prices by vCPU", s + 1)}</h2>
                    <p class="hint">"Tier prices can change after release; tiers cannot be added or deleted."</p>
                    <table class="data tiers">
                        <thead><tr><th scope="col">"vCPUs"</th>{header.into_iter().map(|(_, b)| view! { <th scope="col">{format!("{} (USD)", b.label())}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {tiers.iter().enumerate().map(|(t, tier)| {
                                let modes = modes.clone();
                                let vcpus = tier.vcpus;
                                view! {
                                    <tr>
                                        <th scope="row">{vcpus}</th>
                                        {modes.into_iter().map(|(m, b)| {
                                            let field = crate::rules::FieldPath::tier_price(s, t, b).into_string();
                                            let error_id = format!("price-{s}-{t}-{m}-error");
                                            let f = field.clone();
                                            let waiting = move || saved.with(|o| ScheduledIncrease::find(&o.scheduled, s, vcpus, b).map(ScheduledIncrease::coming));
                                            view! {
                                                <td>
                                                    <input type="text" inputmode="decimal"
                                                        aria-label=format!("{} price for {} vCPUs", b.label(), vcpus)
                                                        aria-describedby=error_id.clone()
                                                        aria-invalid=move || problem(f.clone()).is_some().to_string()
                                                        value=tier.prices[m].map(|p| p.to_string()).unwrap_or_default()
                                                        prop:value=move || typed.with(|p| p.get(s).and_then(|x| x.get(t)).map(|x| x[m].clone()).unwrap_or_default())
                                                        on:input=move |ev| typed.update(|p| p[s][t][m] = event_target_value(&ev)) />
                                                    <div id=error_id>
                                                        {move || problem(field.clone()).map(|v| view! { <RuleMessage rule=v.rule message=v.message /> })}
                                                        {move || waiting().map(|text| view! { <span class="coming">{text}</span> })}
                                                    </div>
                                                </td>
                                            }
                                        }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        }).collect_view();
    view! {
        <div class="page-head">
            <h1>{o.product.name.clone()}</h1>
            <a class="button" href=format!("/products/{}", o.product.id)>"View on the marketplace"</a>
        </div>
        {free.then(|| view! { <p class="notice warning">"A Free image: its price is fixed at $0 and can never change."</p> })}
        {(!free && o.content.priced_by_vcpu()).then(|| view! {
            <p class="hint">{format!(
                "A lower price applies as soon as you save it. A higher one takes effect after {} days' notice to the customers who bought the product: saved today, from {}.",
                o.notice_days, o.increase_from_day,
            )}</p>
        })}
        <crate::components::island::UntilLive live>{tables}</crate::components::island::UntilLive>
        {(!free && o.content.priced_by_vcpu()).then(|| view! {
            <WhenSaved check saved />
            <div class="row-actions">
                // aria-disabled, not disabled, so the button keeps the focus while saving.
                <button type="button" class="primary" id="save-prices"
                    aria-disabled=move || blocked().then_some("true")
                    on:click=move |_| {
                        if blocked_now() {
                            return;
                        }
                        // A higher price tells every customer who bought the product: asked first.
                        let counts = check.with_untracked(|c| c.as_ref().map(|p| (p.now.len(), p.later.len())).unwrap_or_default());
                        if counts.1 > 0 { confirm_raise.set(true) } else { send() }
                    }>
                    {move || if save.pending().get() { "Saving…" } else { "Save prices" }}
                </button>
                {move || match save.value().get() {
                    Some(Ok(_)) => Some(view! {
                        <p class="notice success" role="status">{move || saved_message(sent.get())}</p>
                    }.into_any()),
                    Some(Err(error)) => Some(view! { <Failed error /> }.into_any()),
                    None => None,
                }}
            </div>
            <Scheduled saved cancel />
            <ConfirmDialog
                open=confirm_raise
                id="confirm-raise"
                title="Raise prices for your customers?"
                body=Signal::derive(move || {
                    let rises = check.with(|c| c.as_ref().map_or(0, |p| p.later.len()));
                    let from = saved.with(|o| o.increase_from_day.clone());
                    format!(
                        "{} will take effect from {from}. Every customer who bought this product is told today, by a message and, as they chose, by email and SMS. Until then they pay today's price, and you can cancel an increase.",
                        if rises == 1 { "1 higher price".to_owned() } else { format!("{rises} higher prices") },
                    )
                })
                confirm_label="Save and notify customers"
                on_confirm=Callback::new(move |_| send())
            />
        })}
        <h2>"Price history"</h2>
        {move || saved.with(|o| if o.history.is_empty() {
            view! { <p class="muted">"No price has changed since release."</p> }.into_any()
        } else {
            view! {
                <table class="data" aria-label="Price history">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Specification"</th><th scope="col">"vCPUs"</th><th scope="col">"Billing mode"</th><th scope="col">"Old price"</th><th scope="col">"New price"</th></tr></thead>
                    <tbody>
                        {o.history.iter().map(|h| view! {
                            <tr>
                                <td>{format_utc(h.changed_at)}</td><td>{h.changed_by.clone()}</td><td>{h.specification + 1}</td>
                                <td>{h.vcpus.clone()}</td><td>{h.billing.clone()}</td>
                                <td>{dollars(&h.old_price)}</td><td>{dollars(&h.new_price)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(o.older_changes > 0).then(|| view! {
                    <p class="muted">{format!("The latest {} changes are shown; {} older ones are not.", o.history.len(), o.older_changes)}</p>
                })}
            }.into_any()
        })}
        {move || {
            let base = saved.with(|o| format!("/console/products/{}", o.product.id));
            view! { <History history=history.get() base chosen /> }
        }}
    }
}

/// What a save did, from what it held: prices lowered at once, increases scheduled.
fn saved_message((now, later): (usize, usize)) -> String {
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    match (now, later) {
        (0, 0) => "Prices saved.".to_owned(),
        (now, 0) => format!("Prices saved: {} now.", plural(now, "lower price applies", "lower prices apply")),
        (0, later) => format!("Prices saved: {} under Scheduled increases; your customers are told today.", plural(later, "increase is listed", "increases are listed")),
        (now, later) => format!(
            "Prices saved: {} now, and {} under Scheduled increases; your customers are told today.",
            plural(now, "lower price applies", "lower prices apply"),
            plural(later, "increase is listed", "increases are listed"),
        ),
    }
}
