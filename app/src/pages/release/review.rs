//! Review and submit: every setting beside the Product Release Description checklist, the
//! seller's confirmation (R21) and the warning that the image will be locked (R22).

use super::form::{Form, Step};
use super::saving::Saver;
use crate::release::{submit_release, Submitted};
use crate::drafts::DraftBase;
use crate::rules::release::{BillingMode, PricingMode, ProductDraft, TemplateKind};
use crate::components::rule_message::ViolationList;
use leptos::prelude::*;

/// The Product Release Description: what a release request must satisfy, in the order the
/// wizard asks for it, and the step where each is set.
const CHECKLIST: [(&str, Step); 4] = [
    ("A sales type is chosen, Delivery Method is Image, and a Pricing Mode is set.", Step::Basics),
    ("The product has a unique name, a summary, a description, a category, a version and a support email.", Step::Details),
    ("Every specification names an available image asset and one or more regions.", Step::Specification),
    ("Prices are in USD with at most 2 decimals: fixed per billing mode, or one per vCPU tier; a Free image is $0 everywhere.", Step::Specification),
];

fn settings_for(step_row: usize, d: &ProductDraft, asset_name: &dyn Fn(&str) -> String) -> Vec<String> {
    let or_missing = |s: &str| if s.trim().is_empty() { "—".to_owned() } else { s.trim().to_owned() };
    match step_row {
        0 => vec![
            format!("Sales type: {}", or_missing(&d.sales_type)),
            format!("Delivery Method: {}", or_missing(&d.delivery_method)),
            format!("Pricing Mode: {}", match d.pricing_mode {
                None => "—",
                Some(PricingMode::FreeImage) => "Free image",
                Some(PricingMode::Charged) => "Charged",
            }),
        ],
        1 => vec![
            format!("Name: {}", or_missing(&d.name)),
            format!("Summary: {}", or_missing(&d.summary)),
            format!("Category: {}", or_missing(&d.category)),
            format!("Version: {}", or_missing(&d.version)),
            format!("Support email: {}", or_missing(&d.support_email)),
        ],
        2 => d
            .specifications
            .iter()
            .enumerate()
            .map(|(i, s)| format!("Specification {}: {} in {}", i + 1, asset_name(&s.asset_id), if s.regions.is_empty() { "—".into() } else { s.regions.join(", ") }))
            .collect(),
        _ => d
            .specifications
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if d.pricing_mode == Some(PricingMode::FreeImage) {
                    return format!("Specification {}: Free image, $0", i + 1);
                }
                let modes: Vec<&str> = BillingMode::ALL.iter().enumerate().filter(|(m, _)| s.billing[*m]).map(|(_, b)| b.label()).collect();
                match s.template {
                    TemplateKind::Simple => {
                        let prices: Vec<String> = BillingMode::ALL
                            .iter()
                            .enumerate()
                            .filter(|(m, _)| s.billing[*m])
                            // The price as it will be read, not as typed: `1,200` is $1200.00.
                            .map(|(m, b)| {
                                let typed = &s.simple_prices[m];
                                let price = crate::rules::price::Price::parse(typed).map(|p| p.to_string()).unwrap_or_else(|_| or_missing(typed));
                                format!("{} ${price}", b.label())
                            })
                            .collect();
                        format!("Specification {}: simple, {}", i + 1, prices.join("; "))
                    }
                    TemplateKind::Vcpu => {
                        let tiers = match s.tiers.len() { 1 => "1 tier".to_owned(), n => format!("{n} tiers") };
                        format!("Specification {}: vCPU, {tiers}; {}", i + 1, modes.join(", "))
                    }
                }
            })
            .collect(),
    }
}

/// Descriptions longer than this are shown collapsed, opened with a click or Enter.
const OPEN_DESCRIPTION_CHARS: usize = 280;

/// The description as the seller wrote it, to check against the Product Release
/// Description: shown whole, or collapsed behind its first words when it is long.
#[component]
fn DescriptionPreview(form: Form) -> impl IntoView {
    move || {
        let text = form.draft.with(|d| d.description.trim().to_owned());
        let chars = text.chars().count();
        if text.is_empty() {
            view! { <p class="description-preview">"Description: —"</p> }.into_any()
        } else if chars <= OPEN_DESCRIPTION_CHARS {
            view! { <div class="description-preview"><p>"Description:"</p><p class="description">{text}</p></div> }.into_any()
        } else {
            let opening: String = text.chars().take(120).collect();
            view! {
                <details class="description-preview">
                    <summary>{format!("Description ({chars} characters): {}…", opening.trim_end())}</summary>
                    <p class="description">{text}</p>
                </details>
            }.into_any()
        }
    }
}

/// The step, drawn by code fetched when it is first shown (see `lazy_step`); `Err` when
/// that fetch failed.
#[leptos::wasm_split::wasm_split(
    later_steps,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
pub fn review_step(form: Form, saver: Saver, submitted_today: i64) -> Result<AnyView, super::StepNotLoaded> {
    Ok(view! { <ReviewStep form saver submitted_today /> }.into_any())
}

#[component]
fn ReviewStep(form: Form, saver: Saver, submitted_today: i64) -> impl IntoView {
    let confirmed = RwSignal::new(false);
    let asset_name = move |id: &str| {
        form.assets.with_value(|a| a.iter().find(|x| x.id == id).map(|x| x.name.clone())).unwrap_or_else(|| "no asset".into())
    };
    let submit = Action::new(move |_: &()| {
        let draft = match saver.base.get_untracked() {
            DraftBase::Existing { id, version } => Some((id, version)),
            DraftBase::New => None,
        };
        submit_release(draft, form.draft.get_untracked())
    });
    Effect::new(move || {
        if let Some(Ok(Submitted { request_id })) = submit.value().get() {
            saver.done();
            crate::components::island::go_to(&format!("/console/applications/{request_id}"));
        }
    });
    let ready = move || form.violations.with(Vec::is_empty);
    let error = move || submit.value().get().and_then(Result::err);
    view! {
        <table class="data checklist" aria-label="Product Release Description">
            <thead><tr><th scope="col">"Product Release Description"</th><th scope="col">"Your settings"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>
                {CHECKLIST.iter().enumerate().map(|(row, (item, step))| {
                    let step = *step;
                    view! {
                        <tr>
                            <th scope="row">{*item}</th>
                            <td>
                                <ul class="settings">
                                    {move || form.draft.with(|d| settings_for(row, d, &asset_name)).into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                                </ul>
                                {(step == Step::Details).then(|| view! { <DescriptionPreview form /> })}
                            </td>
                            <td>
                                {move || match form.problems_in(step) {
                                    0 => view! { <span class="badge ok">"Complete"</span> }.into_any(),
                                    n => view! {
                                        <button type="button" class="link-button" on:click=move |_| form.step.set(step)>
                                            {format!("{n} problem{} in {}", if n == 1 { "" } else { "s" }, step.label())}
                                        </button>
                                    }.into_any(),
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <div class="notice warning" id="lock-warning">
            <p><strong>"Your images will be locked."</strong></p>
            <p>"Submitting reserves the image assets of this product. Once the product is released, they are locked: they can no longer deploy a VM or go into another product. A rejected or withdrawn request frees them."</p>
        </div>
        {crate::rules::request::busy_day_warning(submitted_today).map(|warning| view! {
            <div class="notice warning" id="busy-day-warning" role="note">
                <p><strong>"Review may take longer"</strong></p>
                <p>{warning}</p>
            </div>
        })}
        <label class="option confirm">
            <input type="checkbox" id="confirm-description" prop:checked=move || confirmed.get()
                on:change=move |ev| confirmed.set(event_target_checked(&ev)) />
            "I have checked every setting against the Product Release Description."
        </label>
        {move || error().map(|error| view! {
            <div class="notice error" role="alert">
                <p><strong>"The request was not submitted."</strong></p>
                {if error.violations().is_empty() {
                    view! { <p>{error.to_string()}</p> }.into_any()
                } else {
                    view! { <ViolationList violations=error.violations().to_vec() /> }.into_any()
                }}
            </div>
        })}
        <p class="submit-row">
            // aria-disabled, not disabled: a failed submission leaves the focus here, by its message.
            <button type="button" class="primary" id="submit-release"
                aria-disabled=move || (!ready() || !confirmed.get() || submit.pending().get()).then_some("true")
                on:click=move |_| {
                    if form.violations.with_untracked(Vec::is_empty) && confirmed.get_untracked() && !submit.pending().get_untracked() {
                        submit.dispatch(());
                    }
                }>
                {move || if submit.pending().get() { "Submitting…" } else { "Submit release request" }}
            </button>
            {move || (!ready()).then(|| view! { <span class="hint">" Fix the problems above before submitting."</span> })}
            {move || (ready() && !confirmed.get()).then(|| view! { <span class="hint">" Confirm the checklist to submit."</span> })}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::release::SpecificationDraft;

    #[test]
    fn r21_every_setting_is_listed_beside_the_checklist() {
        let draft = ProductDraft {
            sales_type: "Standard".into(),
            delivery_method: "Image".into(),
            pricing_mode: Some(PricingMode::Charged),
            name: "Postgres".into(),
            support_email: "help@example.com".into(),
            specifications: vec![
                SpecificationDraft {
                    asset_id: "a1".into(),
                    regions: vec!["eu-dublin".into(), "eu-paris".into()],
                    billing: [true, true, false],
                    simple_prices: ["0.10".into(), "1,050".into(), String::new()],
                    ..Default::default()
                },
                SpecificationDraft { template: TemplateKind::Vcpu, tiers: vec![Default::default(); 3], ..Default::default() },
            ],
            ..Default::default()
        };
        let name = |id: &str| if id == "a1" { "pg-image".to_owned() } else { "no asset".to_owned() };
        let rows: Vec<Vec<String>> = (0..CHECKLIST.len()).map(|row| settings_for(row, &draft, &name)).collect();

        assert_eq!(rows[0], ["Sales type: Standard", "Delivery Method: Image", "Pricing Mode: Charged"]);
        assert!(rows[1].contains(&"Name: Postgres".to_owned()));
        assert!(rows[1].contains(&"Summary: —".to_owned()), "a missing setting is shown as missing");
        assert!(rows[1].contains(&"Support email: help@example.com".to_owned()));
        assert_eq!(rows[2], ["Specification 1: pg-image in eu-dublin, eu-paris", "Specification 2: no asset in —"]);
        assert_eq!(rows[3][0], "Specification 1: simple, Pay-per-use (hourly) $0.10; Monthly $1050.00", "prices as they are read");
        assert_eq!(rows[3][1], "Specification 2: vCPU, 3 tiers; Pay-per-use (hourly)");
    }
}
