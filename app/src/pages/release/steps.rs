//! The first two steps: sales type, Delivery Method and Pricing Mode (R10–R14), then Add
//! Details (R15).

use super::form::{field_errors, text_input, Form};
use crate::rules::release::{PricingMode, DELIVERY_METHOD_IMAGE};
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn BasicsStep(form: Form) -> impl IntoView {
    let sales_types = form.context.with_value(|c| c.policy.sales_types.clone());
    // R13: a product priced by vCPUs can never be a Free image, so the choice goes away.
    let priced_by_vcpu =
        move || form.draft.with(|d| d.priced_by_vcpu());
    let choose_mode = move |mode: PricingMode| {
        form.draft.update(|d| d.pricing_mode = Some(mode));
        form.touch("pricing_mode");
    };
    // R17 asks for an image asset at the third step: a seller with none is told now.
    let no_assets = form.assets.with_value(|a| a.is_empty());
    view! {
        {no_assets.then(|| view! {
            <p class="notice" id="no-assets-yet">
                "You have no image asset yet, and the Product Specification step needs one. You can fill in these steps now (the draft saves itself), and "
                <a href="/console/assets">"release one of your images as an asset"</a>
                " before that step."
            </p>
        })}
        <fieldset class="choice">
            <legend>"Sales type"</legend>
            {sales_types
                .into_iter()
                .map(|kind| {
                    let value = kind.clone();
                    let checked = {
                        let kind = kind.clone();
                        move || form.draft.with(|d| d.sales_type == kind)
                    };
                    view! {
                        <label class="option">
                            <input type="radio" name="sales_type" checked=checked() prop:checked=checked
                                on:change=move |_| {
                                    form.draft.update(|d| d.sales_type = value.clone());
                                    form.touch("sales_type");
                                } />
                            {kind}
                        </label>
                    }
                })
                .collect_view()}
            {field_errors(form, "sales_type".into())}
        </fieldset>
        <fieldset class="choice">
            <legend>"Delivery Method"</legend>
            <label class="option">
                <input type="radio" name="delivery_method"
                    checked=form.draft.with_untracked(|d| d.delivery_method == DELIVERY_METHOD_IMAGE)
                    prop:checked=move || form.draft.with(|d| d.delivery_method == DELIVERY_METHOD_IMAGE)
                    on:change=move |_| {
                        form.draft.update(|d| d.delivery_method = DELIVERY_METHOD_IMAGE.into());
                        form.touch("delivery_method");
                    } />
                "Image"
            </label>
            <p class="hint">"Products released from this console are delivered as images."</p>
            {field_errors(form, "delivery_method".into())}
        </fieldset>
        <fieldset class="choice">
            <legend>"Pricing Mode"</legend>
            <label class="option">
                <input type="radio" name="pricing_mode" id="pricing-free"
                    disabled=priced_by_vcpu aria-describedby="pricing-free-reason"
                    checked=form.draft.with_untracked(|d| d.pricing_mode == Some(PricingMode::FreeImage))
                    prop:checked=move || form.draft.with(|d| d.pricing_mode == Some(PricingMode::FreeImage))
                    on:change=move |_| choose_mode(PricingMode::FreeImage) />
                "Free image"
            </label>
            <p class="hint" id="pricing-free-reason">
                {move || if priced_by_vcpu() {
                    "Not available: a specification is priced by vCPUs, and a product priced by vCPUs can never be a Free image."
                } else {
                    "$0 USD everywhere; no prices to enter."
                }}
            </p>
            <label class="option">
                <input type="radio" name="pricing_mode" id="pricing-charged"
                    checked=form.draft.with_untracked(|d| d.pricing_mode == Some(PricingMode::Charged))
                    prop:checked=move || form.draft.with(|d| d.pricing_mode == Some(PricingMode::Charged))
                    on:change=move |_| choose_mode(PricingMode::Charged) />
                "Charged, with a Pricing Template"
            </label>
            <p class="hint">"Simple: fixed prices per billing mode, which cannot change once the product is released. vCPU: a price per vCPU tier, which can be lowered at any time and raised after notice. Chosen per specification."</p>
            {field_errors(form, "pricing_mode".into())}
        </fieldset>
    }
}

#[component]
pub fn DetailsStep(form: Form) -> impl IntoView {
    let categories = form.context.with_value(|c| c.policy.categories.clone());
    let on_category = move |ev| {
        form.draft.update(|d| d.category = event_target_value(&ev));
        form.touch("category");
    };
    view! {
        {text_input(form, "name".into(), "Product name", "text", Arc::new(|d| d.name.clone()), Arc::new(|d, v| d.name = v))}
        {text_input(form, "summary".into(), "Summary", "text", Arc::new(|d| d.summary.clone()), Arc::new(|d, v| d.summary = v))}
        {text_input(form, "description".into(), "Description", "textarea", Arc::new(|d| d.description.clone()), Arc::new(|d, v| d.description = v))}
        <div class="field">
            <label for="f-category">"Category"</label>
            <select id="f-category" aria-describedby="f-category-errors" on:change=on_category
                prop:value=move || form.draft.with(|d| d.category.clone())>
                <option value="">"Choose a category"</option>
                {categories
                    .into_iter()
                    .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
                    .collect_view()}
            </select>
            {field_errors(form, "category".into())}
        </div>
        {text_input(form, "version".into(), "Version", "text", Arc::new(|d| d.version.clone()), Arc::new(|d, v| d.version = v))}
        {text_input(form, "support_email".into(), "Support email", "email", Arc::new(|d| d.support_email.clone()), Arc::new(|d, v| d.support_email = v))}
    }
}
