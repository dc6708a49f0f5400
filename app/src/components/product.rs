//! A product's specifications, regions and prices per billing mode, as the reviewer, the
//! seller and the public product page show them.

use crate::prices::ScheduledIncrease;
use crate::rules::price::Price;
use crate::rules::product::{Pricing, Product};
use crate::rules::release::PricingMode;
use leptos::prelude::*;

/// "$12.50" for a stored price text; the text itself if it does not parse.
pub fn dollars(text: &str) -> String {
    Price::parse(text).map(|p| format!("${p}")).unwrap_or_else(|_| text.to_owned())
}

fn shown(price: Option<Price>) -> String {
    price.map(|p| format!("${p}")).unwrap_or_default()
}

#[component]
pub fn ProductSpecifications(
    content: Product,
    /// Image asset names by id; shown to the seller and reviewers, not to the public.
    #[prop(optional)]
    asset_names: Vec<(String, String)>,
    /// Tier prices that will rise, each shown beside the price it replaces (R71).
    #[prop(optional)]
    coming: Vec<ScheduledIncrease>,
) -> impl IntoView {
    let free = content.is_free();
    content
        .specifications
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let asset = asset_names.iter().find(|(id, _)| *id == spec.asset_id).map(|(_, name)| name.clone());
            let modes: Vec<_> = spec.offered().collect();
            let pricing = match (free, &spec.pricing) {
                (true, _) => "Pricing: Free image",
                (false, Pricing::Simple(_)) => "Pricing: a price per billing mode",
                (false, Pricing::Vcpu(_)) => "Pricing: by vCPU count",
            };
            let prices = match spec.pricing {
                _ if free => view! { <p class="price">"Free image: $0"</p> }.into_any(),
                Pricing::Simple(prices) => view! {
                    <table class="data prices">
                        <thead><tr><th scope="col">"Billing mode"</th><th scope="col">"Price (USD)"</th></tr></thead>
                        <tbody>
                            {modes.iter().map(|(m, mode)| view! {
                                <tr><th scope="row">{mode.label()}</th><td>{shown(prices[*m])}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Pricing::Vcpu(tiers) => view! {
                    <table class="data prices tiers">
                        <thead><tr>
                            <th scope="col">"vCPUs"</th>
                            {modes.iter().map(|(_, mode)| view! { <th scope="col">{format!("{} (USD)", mode.label())}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {tiers.iter().map(|tier| view! {
                                <tr>
                                    <th scope="row">{tier.vcpus}</th>
                                    {modes.iter().map(|(m, mode)| {
                                        let rise = ScheduledIncrease::find(&coming, i, tier.vcpus, *mode);
                                        view! {
                                            <td>
                                                {shown(tier.prices[*m])}
                                                {rise.map(|c| view! { <span class="coming">{c.coming()}</span> })}
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            };
            view! {
                <section class="spec-view" aria-label=format!("Specification {}", i + 1)>
                    <h3>{format!("Specification {}", i + 1)}</h3>
                    {asset.map(|name| view! { <p>"Image asset: " <strong>{name}</strong></p> })}
                    <p>"Regions: " {spec.regions.join(", ")}</p>
                    <p class="muted">{pricing}</p>
                    {prices}
                </section>
            }
        })
        .collect_view()
}

/// The product's details as submitted: name, summary, description and the rest.
#[component]
pub fn ProductDetails(content: Product) -> impl IntoView {
    let pricing = match content.pricing_mode {
        PricingMode::FreeImage => "Free image",
        PricingMode::Charged => "Charged",
    };
    view! {
        <dl class="details">
            <dt>"Sales type"</dt><dd>{content.sales_type}</dd>
            <dt>"Delivery Method"</dt><dd>{crate::rules::release::DELIVERY_METHOD_IMAGE}</dd>
            <dt>"Pricing Mode"</dt><dd>{pricing}</dd>
            <dt>"Category"</dt><dd>{content.category}</dd>
            <dt>"Version"</dt><dd>{content.version}</dd>
            <dt>"Support email"</dt><dd>{content.support_email}</dd>
            <dt>"Summary"</dt><dd>{content.summary}</dd>
            <dt>"Description"</dt><dd class="description">{content.description}</dd>
        </dl>
    }
}
