//! Product Specification: assets and regions (R16, R17, R20, R55) and each specification's
//! Pricing Template, simple or by vCPU tiers (R18, R19).

use super::form::{field_errors, text_input, Form};
use crate::rules::price::Price;
use crate::rules::release::{
    fill_tiers_from_per_vcpu, BillingMode, PricingMode, SpecificationDraft, TemplateKind, VcpuTierDraft,
    MAX_SPECIFICATIONS, MAX_VCPU_TIERS,
};
use crate::rules::FieldPath;
use leptos::prelude::*;

/// Reads the specification at `i`, if it still exists.
fn spec_with<T: Default>(form: Form, i: usize, f: impl FnOnce(&SpecificationDraft) -> T) -> T {
    form.draft.with(|d| d.specifications.get(i).map(f).unwrap_or_default())
}

fn spec_update(form: Form, i: usize, f: impl FnOnce(&mut SpecificationDraft)) {
    form.draft.update(|d| {
        if let Some(spec) = d.specifications.get_mut(i) {
            f(spec)
        }
    });
}

/// The step, drawn by code fetched when it is first shown (see `lazy_step`); `Err` when
/// that fetch failed. (Leptos's `#[lazy]` is this macro without `fallible`: a failed fetch
/// would panic and stop the whole wizard, its saves included.)
#[leptos::wasm_split::wasm_split(
    later_steps,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(preload_specification_step)
)]
pub fn specification_step(form: Form) -> Result<AnyView, super::StepNotLoaded> {
    Ok(view! { <SpecificationStep form /> }.into_any())
}

#[component]
fn SpecificationStep(form: Form) -> impl IntoView {
    let has_assets = form.assets.with_value(|a| !a.is_empty());
    if !has_assets {
        // R17: nothing to build a specification from yet.
        return view! {
            <div class="empty-state" id="no-assets">
                <h2>"Release an image asset first"</h2>
                <p>"A specification is built on one of your image assets, and you have none yet. Release one of your private images as an image asset, then come back to this draft from Drafts: it saves itself a moment after each change (its state is shown below)."</p>
                <p><a class="button primary" href="/console/assets">"Go to Image Assets"</a></p>
            </div>
        }
        .into_any();
    }
    let count = move || form.draft.with(|d| d.specifications.len());
    let add = move |_| {
        form.draft.update(|d| d.specifications.push(SpecificationDraft::default()));
    };
    // Removing a specification with anything chosen or typed in it asks first: one click
    // would take its asset, regions and prices with it.
    let to_remove = RwSignal::new(None::<usize>);
    let confirm = RwSignal::new(false);
    let remove = move |i: usize| form.draft.update(|d| { if i < d.specifications.len() { d.specifications.remove(i); } });
    let ask_remove = Callback::new(move |i: usize| {
        if spec_with(form, i, |s| !is_blank(s)) {
            to_remove.set(Some(i));
            confirm.set(true);
        } else {
            remove(i);
        }
    });
    view! {
        {field_errors(form, "specifications".into())}
        <For each=move || 0..count() key=|i| *i let:i>
            <SpecificationEditor form i ask_remove />
        </For>
        <crate::components::confirm::ConfirmDialog
            open=confirm
            id="remove-specification"
            title="Remove this specification?"
            body=Signal::derive(move || format!(
                "Specification {} is removed from this product, with its image asset, regions and prices.",
                to_remove.get().map_or(0, |i| i + 1),
            ))
            confirm_label="Remove specification"
            on_confirm=Callback::new(move |_| if let Some(i) = to_remove.get_untracked() { remove(i) })
        />
        <button type="button" on:click=add disabled=move || { count() >= MAX_SPECIFICATIONS }>
            "Add specification"
        </button>
    }
    .into_any()
}

/// Whether a specification holds nothing chosen or typed: removed without asking.
fn is_blank(spec: &SpecificationDraft) -> bool {
    spec.asset_id.is_empty()
        && spec.regions.is_empty()
        && spec.simple_prices.iter().all(|p| p.trim().is_empty())
        && spec.tiers.iter().all(|t| t.vcpus.trim().is_empty() && t.prices.iter().all(|p| p.trim().is_empty()))
}

#[component]
fn SpecificationEditor(form: Form, i: usize, ask_remove: Callback<usize>) -> impl IntoView {
    let field = move |name: &str| FieldPath::of_specification(i, name).into_string();
    let assets = form.assets.get_value();
    let regions = form.context.with_value(|c| c.policy.regions.clone());
    let charged = move || form.draft.with(|d| d.pricing_mode == Some(PricingMode::Charged));
    let template = move || spec_with(form, i, |s| Some(s.template)).unwrap_or(TemplateKind::Simple);
    let unavailable: Vec<String> = assets
        .iter()
        .filter_map(|a| a.unavailable_reason().map(|why| format!("{}: {why}.", a.name)))
        .collect();
    let asset_field = field("asset_id");
    view! {
        <section class="spec" aria-labelledby=format!("spec-{i}-title")>
            <div class="spec-head">
                <h2 id=format!("spec-{i}-title")>{format!("Specification {}", i + 1)}</h2>
                <button type="button" class="link-button" aria-label=format!("Remove specification {}", i + 1)
                    on:click=move |_| ask_remove.run(i)>
                    "Remove"
                </button>
            </div>
            <div class="field">
                <label for=super::form::dom_id(&asset_field)>"Image asset"</label>
                <select id=super::form::dom_id(&asset_field)
                    prop:value=move || spec_with(form, i, |s| s.asset_id.clone())
                    on:change={
                        let asset_field = asset_field.clone();
                        move |ev| {
                            let id = event_target_value(&ev);
                            spec_update(form, i, |s| s.asset_id = id);
                            form.touch(&asset_field);
                        }
                    }>
                    <option value="">"Choose an image asset"</option>
                    {assets
                        .iter()
                        .map(|a| {
                            let label = match a.unavailable_reason() {
                                None => format!("{} ({}, {})", a.name, a.os, a.region),
                                Some(why) => format!("{}: {why}", a.name),
                            };
                            view! { <option value=a.id.clone() disabled=a.unavailable_reason().is_some()>{label}</option> }
                        })
                        .collect_view()}
                </select>
                {(!unavailable.is_empty()).then(|| view! {
                    <ul class="hint unavailable">
                        {unavailable.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}
                    </ul>
                })}
                {field_errors(form, asset_field)}
            </div>
            <fieldset class="choice">
                <legend>"Regions"</legend>
                {regions
                    .into_iter()
                    .map(|region| {
                        let r = region.clone();
                        view! {
                            <label class="option inline">
                                <input type="checkbox"
                                    prop:checked={ let r = r.clone(); move || spec_with(form, i, |s| s.regions.contains(&r)) }
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let r = r.clone();
                                        spec_update(form, i, |s| {
                                            s.regions.retain(|x| *x != r);
                                            if on { s.regions.push(r); }
                                        });
                                        form.touch(&FieldPath::of_specification(i, "regions").into_string());
                                    } />
                                {region}
                            </label>
                        }
                    })
                    .collect_view()}
                {field_errors(form, field("regions"))}
            </fieldset>
            <Show when=charged fallback=|| view! { <p class="hint">"Free image: $0 USD in every region and billing mode."</p> }>
                <PricingEditor form i template />
            </Show>
        </section>
    }
}

#[component]
fn PricingEditor(form: Form, i: usize, template: impl Fn() -> TemplateKind + Copy + Send + Sync + 'static) -> impl IntoView {
    let set_template = move |kind: TemplateKind| {
        spec_update(form, i, |s| s.template = kind);
        form.touch(&FieldPath::of_specification(i, "tiers").into_string());
    };
    let enabled = move |m: usize| spec_with(form, i, |s| s.billing.get(m).copied().unwrap_or(false));
    view! {
        <fieldset class="choice">
            <legend>"Pricing Template"</legend>
            <label class="option inline">
                <input type="radio" name=format!("template-{i}") prop:checked=move || template() == TemplateKind::Simple
                    on:change=move |_| set_template(TemplateKind::Simple) />
                "Simple: fixed prices"
            </label>
            <label class="option inline">
                <input type="radio" name=format!("template-{i}") prop:checked=move || template() == TemplateKind::Vcpu
                    on:change=move |_| set_template(TemplateKind::Vcpu) />
                "vCPU: a price per vCPU tier"
            </label>
            <p class="hint">"Simple prices cannot change once the product is released; to change them, release a new product. vCPU tier prices can be lowered at any time and raised after notice."</p>
        </fieldset>
        <fieldset class="choice">
            <legend>"Billing modes"</legend>
            {BillingMode::ALL
                .iter()
                .enumerate()
                .map(|(m, mode)| view! {
                    <label class="option inline">
                        <input type="checkbox" prop:checked=move || enabled(m)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                spec_update(form, i, |s| s.billing[m] = on);
                                form.touch(&FieldPath::of_specification(i, "billing").into_string());
                            } />
                        {mode.label()}
                    </label>
                })
                .collect_view()}
            {field_errors(form, FieldPath::of_specification(i, "billing").into_string())}
        </fieldset>
        {move || match template() {
            TemplateKind::Simple => BillingMode::ALL
                .iter()
                .enumerate()
                .filter(|(m, _)| enabled(*m))
                .map(|(m, mode)| {
                    text_input(
                        form,
                        FieldPath::simple_price(i, *mode).into_string(),
                        match mode {
                            BillingMode::PayPerUse => "Price per hour (USD)",
                            BillingMode::Monthly => "Price per month (USD)",
                            BillingMode::Yearly => "Price per year (USD)",
                        },
                        "text",
                        std::sync::Arc::new(move |d| d.specifications.get(i).map(|s| s.simple_prices[m].clone()).unwrap_or_default()),
                        std::sync::Arc::new(move |d, v| if let Some(s) = d.specifications.get_mut(i) { s.simple_prices[m] = v }),
                    )
                    .into_any()
                })
                .collect_view()
                .into_any(),
            TemplateKind::Vcpu => view! { <TierTable form i enabled /> }.into_any(),
        }}
    }
}

#[component]
fn TierTable(form: Form, i: usize, enabled: impl Fn(usize) -> bool + Copy + Send + Sync + 'static) -> impl IntoView {
    let tiers = move || spec_with(form, i, |s| s.tiers.len());
    let modes = move || BillingMode::ALL.iter().enumerate().filter(|(m, _)| enabled(*m)).map(|(m, b)| (m, *b)).collect::<Vec<_>>();
    let per_vcpu = RwSignal::new([String::new(), String::new(), String::new()]);
    let fill_error = RwSignal::new(None::<String>);
    let fill = move |_| {
        let typed = per_vcpu.get_untracked();
        let mut prices = [Price::ZERO; 3];
        for (m, mode) in modes() {
            match Price::parse(&typed[m]) {
                Ok(p) => prices[m] = p,
                Err(e) => return fill_error.set(Some(format!("{}: {}", mode.label(), e.message()))),
            }
        }
        fill_error.set(None);
        spec_update(form, i, |s| {
            if s.tiers.is_empty() {
                s.tiers = [1, 2, 4, 8, 16].iter().map(|n| VcpuTierDraft { vcpus: n.to_string(), ..Default::default() }).collect();
            }
            fill_tiers_from_per_vcpu(s, prices);
        });
    };
    view! {
        <table class="data tiers" aria-label=format!("vCPU tiers of specification {}", i + 1)>
            <thead>
                <tr>
                    <th scope="col">"vCPUs"</th>
                    {move || modes().into_iter().map(|(_, b)| view! { <th scope="col">{format!("{} (USD)", b.label())}</th> }).collect_view()}
                    <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                </tr>
            </thead>
            <tbody>
                <For each=move || 0..tiers() key=|t| *t let:t>
                    <tr>
                        <td>{tier_input(form, i, t, None)}</td>
                        {move || modes().into_iter().map(|(m, _)| view! { <td>{tier_input(form, i, t, Some(m))}</td> }).collect_view()}
                        <td>
                            <button type="button" class="link-button" aria-label=format!("Remove tier {}", t + 1)
                                on:click=move |_| spec_update(form, i, |s| { if t < s.tiers.len() { s.tiers.remove(t); } })>
                                "Remove"
                            </button>
                        </td>
                    </tr>
                </For>
            </tbody>
        </table>
        {field_errors(form, FieldPath::of_specification(i, "tiers").into_string())}
        <button type="button" disabled=move || { tiers() >= MAX_VCPU_TIERS }
            on:click=move |_| spec_update(form, i, |s| s.tiers.push(VcpuTierDraft::default()))>
            "Add tier"
        </button>
        <details class="fill">
            <summary>"Fill the table from a price per vCPU"</summary>
            {move || modes().into_iter().map(|(m, b)| {
                let id = format!("per-vcpu-{i}-{m}");
                view! {
                    <label for=id.clone()>{format!("{} per vCPU (USD)", b.label())}</label>
                    <input id=id type="text" prop:value=move || per_vcpu.with(|p| p[m].clone())
                        on:input=move |ev| per_vcpu.update(|p| p[m] = event_target_value(&ev)) />
                }
            }).collect_view()}
            <button type="button" on:click=fill>"Fill the table"</button>
            <p class="hint">"Each tier gets its vCPU count times the price per vCPU; adjust any price afterwards. An empty table is filled with 1, 2, 4, 8 and 16 vCPUs."</p>
            {move || fill_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </details>
    }
}

/// The vCPU count (`mode` None) or one price of tier `t`.
fn tier_input(form: Form, i: usize, t: usize, mode: Option<usize>) -> impl IntoView {
    let field = match mode {
        None => FieldPath::tier_vcpus(i, t),
        Some(m) => FieldPath::tier_price(i, t, BillingMode::ALL[m]),
    }
    .into_string();
    let label = match mode {
        None => format!("vCPUs of tier {}", t + 1),
        Some(m) => format!("{} price of tier {}", BillingMode::ALL[m].label(), t + 1),
    };
    let id = super::form::dom_id(&field);
    let get = move |d: &crate::rules::release::ProductDraft| {
        d.specifications.get(i).and_then(|s| s.tiers.get(t)).map(|tier| match mode {
            None => tier.vcpus.clone(),
            Some(m) => tier.prices[m].clone(),
        })
        .unwrap_or_default()
    };
    let invalid = { let field = field.clone(); move || !form.messages(&field).is_empty() };
    let touch = { let field = field.clone(); move || form.touch(&field) };
    view! {
        <input id=id.clone() type="text" aria-label=label aria-describedby=format!("{id}-errors")
            aria-invalid=move || invalid().to_string() prop:value=move || form.draft.with(get)
            on:input={ let touch = touch.clone(); move |ev| {
                let v = event_target_value(&ev);
                spec_update(form, i, |s| if let Some(tier) = s.tiers.get_mut(t) {
                    match mode { None => tier.vcpus = v, Some(m) => tier.prices[m] = v }
                });
                touch();
            }}
            on:blur=move |_| touch() />
        {field_errors(form, field)}
    }
}
