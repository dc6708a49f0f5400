//! Purchases (R53): buying a product on its public page, and the buyer's purchases, each of
//! which can deploy a VM from the product's image, locked or not.

use crate::components::{empty_state::EmptyState, loaded::Failed, time::format_utc};
use crate::paging::paged_list;
use crate::listing::ProductPage;
use crate::purchases::{buy_product, my_purchases, DeployPurchase, Purchase};
use crate::rules::after_release::{purchase_price, PurchaseChoice};
use crate::rules::price::Price;
use crate::rules::product::{Pricing, Specification};
use crate::rules::release::{BillingMode, TemplateKind};
use leptos::prelude::*;
use leptos_meta::Title;

/// The purchase form on a product's public page, for a signed-in customer or seller.
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
pub fn PurchaseForm(
    page: ProductPage,
    credit_cents: i64,
    /** The buyer bought this product before: the button says it buys again. */ bought: bool,
) -> impl IntoView {
    let live = crate::components::island::mark();
    // The buyer's credit as the page was drawn, less what is bought here.
    let credit = RwSignal::new(credit_cents);
    let content = StoredValue::new(page.content.clone());
    let product_id = page.product.id.clone();
    // The first region, billing mode and tier of a specification, as chosen when it is.
    let first_choice = |specification: usize, spec: Option<&Specification>| PurchaseChoice {
        specification,
        region: spec.and_then(|s| s.regions.first().cloned()).unwrap_or_default(),
        billing: spec.and_then(|s| s.offered().next()).map_or(BillingMode::PayPerUse, |(_, b)| b),
        tier: spec.filter(|s| s.template() == TemplateKind::Vcpu).map(|_| 0),
    };
    let choice = RwSignal::new(first_choice(0, page.content.specifications.first()));
    let price = move || content.with_value(|c| choice.with(|ch| purchase_price(c, ch)));
    // `Action::new`, not `new_local`: this form is also built while the page renders on the
    // server, where a local-only value dropped on another worker thread broke the response.
    // The key of the purchase the buyer is making: sent again with it when its answer was
    // lost (the server then answers the purchase it made, charged once); a new one once a
    // purchase is made.
    let request_key = StoredValue::new(crate::drafts::new_save_id());
    let buy = Action::new(move |(choice, shown): &(PurchaseChoice, Price)| {
        buy_product(product_id.clone(), choice.clone(), shown.cents(), Some(request_key.get_value()))
    });
    // Bought before this page, or here: the button says it buys again, whatever a later
    // attempt answers.
    let bought_here = RwSignal::new(false);
    Effect::new(move || {
        if let Some(Ok(purchase)) = buy.value().get() {
            bought_here.set(true);
            request_key.set_value(crate::drafts::new_save_id());
            credit.update(|c| *c = (*c - purchase.price_cents).max(0));
            // The header's balance, drawn by the server, says the same at once.
            #[cfg(feature = "hydrate")]
            if let Some(header) = document().get_element_by_id("credit-balance") {
                header.set_text_content(Some(&format!("Credit: ${}", Price::from_cents(credit.get_untracked()))));
            }
        }
    });
    let spec = move || content.with_value(|c| c.specifications.get(choice.with(|ch| ch.specification)).cloned());
    // Whether the buyer's credit takes this choice, as the server will check it (R53): a
    // price within the credit, or, for what costs nothing, a credit balance at all.
    let affordable = move || price().is_ok_and(|p| if p.is_zero() { credit.get() > 0 } else { p.cents() <= credit.get() });
    let confirm = RwSignal::new(false);
    let free_image = content.with_value(|c| c.is_free());
    // A coming increase of the chosen price (R71), said where the price is and in the
    // confirmation: the buyer pays today's price, and should know it will rise.
    let coming = StoredValue::new(page.coming.clone());
    let rising = move || {
        let (specification, billing, tier) = choice.with(|c| (c.specification, c.billing, c.tier));
        let vcpus = spec().and_then(|s| match s.pricing {
            Pricing::Vcpu(tiers) => tier.and_then(|t| tiers.get(t).map(|tier| tier.vcpus)),
            Pricing::Simple(_) => None,
        })?;
        coming.with_value(|all| {
            crate::prices::ScheduledIncrease::find(all, specification, vcpus, billing).map(|c| {
                format!("It rises to {} per {} from {}.", crate::components::product::dollars(&c.new_price), billing.unit(), c.from_day)
            })
        })
    };
    // What the confirmation says: the choice, its price and what it takes from the credit.
    let summary = move || {
        let Ok(p) = price() else { return String::new() };
        let (chosen, billing) = choice.with(|c| (c.clone(), c.billing));
        let tier = spec().and_then(|s| match s.pricing {
            Pricing::Vcpu(tiers) => chosen.tier.and_then(|t| tiers.get(t).map(|tier| format!(", {} vCPUs", tier.vcpus))),
            Pricing::Simple(_) => None,
        });
        let what = format!("Specification {}, {}, {}{}", chosen.specification + 1, chosen.region, billing.label(), tier.unwrap_or_default());
        let have = credit.get();
        if p.is_zero() {
            format!("{what}: it costs nothing, and your credit stays ${}.", Price::from_cents(have))
        } else {
            let rises = rising().map(|r| format!(" {r}")).unwrap_or_default();
            format!("{what}: ${p} per {}, taken from your credit now (${} left after).{rises}", billing.unit(), Price::from_cents(have - p.cents()))
        }
    };
    view! {
        <section class="purchase" aria-labelledby="purchase-title">
            <h2 id="purchase-title">"Purchase"</h2>
            <crate::components::island::UntilLive live>
            <div class="field">
                <label for="buy-spec">"Specification"</label>
                <select id="buy-spec" on:change=move |ev| {
                    let s: usize = event_target_value(&ev).parse().unwrap_or(0);
                    content.with_value(|c| if let Some(spec) = c.specifications.get(s) {
                        choice.set(first_choice(s, Some(spec)));
                    });
                }>
                    {content.with_value(|c| c.specifications.iter().enumerate().map(|(i, _)| view! { <option value=i.to_string()>{format!("Specification {}", i + 1)}</option> }).collect_view())}
                </select>
            </div>
            <div class="field">
                <label for="buy-region">"Region"</label>
                <select id="buy-region" on:change=move |ev| choice.update(|c| c.region = event_target_value(&ev))>
                    {move || spec().map(|s| s.regions).unwrap_or_default().into_iter().map(|r| {
                        let selected = choice.with(|c| c.region == r);
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="buy-billing">"Billing mode"</label>
                <select id="buy-billing" on:change=move |ev| {
                    let key = event_target_value(&ev);
                    if let Some(b) = BillingMode::ALL.into_iter().find(|b| b.key() == key) { choice.update(|c| c.billing = b) }
                }>
                    {move || spec().map(|s| s.offered().map(|(_, b)| {
                        let selected = choice.with(|c| c.billing == b);
                        view! { <option value=b.key() selected=selected>{b.label()}</option> }
                    }).collect_view())}
                </select>
            </div>
            {move || spec().and_then(|s| match s.pricing { Pricing::Vcpu(tiers) => Some(tiers), Pricing::Simple(_) => None }).map(|tiers| view! {
                <div class="field">
                    <label for="buy-tier">"vCPUs"</label>
                    <select id="buy-tier" on:change=move |ev| choice.update(|c| c.tier = event_target_value(&ev).parse().ok())>
                        {tiers.iter().enumerate().map(|(t, tier)| view! { <option value=t.to_string()>{tier.vcpus}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <p class="price" id="purchase-price" data-rule=move || price().err().map(|e| e.rule.to_string())>{move || match price() {
                Ok(p) if p.is_zero() && free_image => "Price: $0 (Free image)".to_owned(),
                Ok(p) if p.is_zero() => "Price: $0".to_owned(),
                Ok(p) => format!("Price: ${p} per {}", choice.with(|c| c.billing.unit())),
                Err(e) => e.message,
            }}</p>
            {move || rising().map(|r| view! { <p class="coming" id="purchase-rise">{r}</p> })}
            <p class="balance" id="purchase-balance" aria-live="polite">{move || {
                let have = credit.get();
                match price() {
                    Ok(p) if p.is_zero() && have <= 0 => "Your credit: $0.00. Free images are for accounts with a credit balance.".to_owned(),
                    Ok(p) if p.is_zero() => format!("Your credit: ${}. A Free image charges nothing.", Price::from_cents(have)),
                    Ok(p) if p.cents() <= have => format!("Your credit: ${} · after this purchase: ${}", Price::from_cents(have), Price::from_cents(have - p.cents())),
                    Ok(p) => format!("Your credit: ${}, which does not cover ${p}.", Price::from_cents(have)),
                    Err(_) => format!("Your credit: ${}", Price::from_cents(have)),
                }
            }}</p>
            // aria-disabled, not disabled: a button disabled while its purchase runs would drop
            // the focus to the page.
            // Not asked to confirm what the credit does not cover: the line above says why.
            <button type="button" class="primary" id="purchase" aria-disabled=move || (!affordable() || buy.pending().get()).then_some("true")
                aria-describedby="purchase-balance"
                on:click=move |_| if affordable() && !buy.pending().get_untracked() { confirm.set(true) }>
                {move || if buy.pending().get() {
                    "Purchasing…"
                } else if (bought || bought_here.get()) && price().is_ok_and(|p| !p.is_zero()) {
                    // What costs nothing is taken once: asked again, it is the same purchase.
                    "Purchase again"
                } else {
                    "Purchase"
                }}
            </button>
            <crate::components::confirm::ConfirmDialog
                open=confirm
                id="confirm-purchase"
                title="Confirm your purchase"
                body=Signal::derive(summary)
                confirm_label="Confirm purchase"
                on_confirm=Callback::new(move |_| if let Ok(shown) = price() { buy.dispatch((choice.get_untracked(), shown)); })
            />
            {move || buy.value().get().map(|r| match r {
                Ok(purchase) => view! { <p class="notice success" role="status">{format!("Purchased for ${}. Deploy it from ", Price::from_cents(purchase.price_cents))} <a href="/purchases">"My purchases"</a> "."</p> }.into_any(),
                Err(error) => view! { <Failed error /> }.into_any(),
            })}
            </crate::components::island::UntilLive>
        </section>
    }
}

#[component]
pub fn PurchasesPage() -> impl IntoView {
    // A signed-out visitor is sent to sign in, as from the console.
    if crate::session::Session::current().signed_in().is_none() {
        return view! { <crate::components::guard::SignInFirst /> }.into_any();
    }
    let before = crate::paging::cursor_from_query();
    view! {
        <Title text="My purchases" />
        <main id="main" class="page">
            <h1>"My purchases"</h1>
            {paged_list(my_purchases(before.clone()), ("/purchases", "purchases"), before.is_some(),
                || view! {
                    <EmptyState title="No purchases yet" body="Products you purchase on the marketplace are listed here, ready to deploy." link=("/", "Browse the marketplace") />
                }.into_any(),
                move |purchases| view! { <PurchasesTable purchases before=before.clone() /> }.into_any(),
            )}
        </main>
    }
    .into_any()
}

/// A page of purchases (the one after the cursor `before`) with *Deploy VM* on each; a
/// deployment's outcome is said above the table and counted in its row.
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
fn PurchasesTable(purchases: Vec<Purchase>, before: Option<String>) -> impl IntoView {
    crate::components::island::mark();
    let list = RwSignal::new(purchases);
    let deploy = ServerAction::<DeployPurchase>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = deploy.value().get() {
            let before = before.clone();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = my_purchases(before).await {
                    list.set(fresh.items);
                }
            });
        }
    });
    view! {
        {move || deploy.value().get().map(|r| match r {
            Ok(_) => view! { <p class="notice success" role="status">"A VM is being deployed from this image."</p> }.into_any(),
            Err(error) => view! { <Failed error /> }.into_any(),
        })}
        <table class="data" aria-label="Purchases">
            <thead><tr><th scope="col">"Product"</th><th scope="col">"Region"</th><th scope="col">"Billing mode"</th><th scope="col">"Charged"</th><th scope="col">"Purchased"</th><th scope="col">"VMs"</th><th scope="col">"Operation"</th></tr></thead>
            <tbody>
                <For each=move || list.get() key=|p| (p.id.clone(), p.deployments) let:p>
                    <tr>
                        <th scope="row"><a href=format!("/products/{}", p.product_id)>{p.product_name.clone()}</a></th>
                        <td>{p.region.clone()}</td><td>{p.billing.clone()}</td>
                        <td>{format!("${}", Price::from_cents(p.price_cents))}</td>
                        <td>{format_utc(p.created_at)}</td><td>{p.deployments}</td>
                        <td>{
                            let id = p.id.clone();
                            view! {
                                <button type="button" aria-label=format!("Deploy VM from {}", p.product_name) aria-disabled=move || deploy.pending().get().then_some("true")
                                    on:click=move |_| if !deploy.pending().get_untracked() { deploy.dispatch(DeployPurchase { purchase_id: id.clone() }); }>"Deploy VM"</button>
                            }
                        }</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}
