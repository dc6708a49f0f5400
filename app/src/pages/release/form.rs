//! The wizard's state and the pieces every step uses: the draft as typed, the rules' verdict
//! on it (the shared `check_draft`, run in the browser on every edit), and fields that show
//! their violations once touched.

use crate::assets::AssetChoice;
use crate::rules::release::{check_draft, ProductDraft, ReleaseContext};
use crate::components::rule_message::RuleMessage;
use crate::rules::{Rule, RuleViolation};
use leptos::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Basics,
    Details,
    Specification,
    Review,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Basics, Step::Details, Step::Specification, Step::Review];

    pub fn label(self) -> &'static str {
        match self {
            Step::Basics => "Sales type and pricing",
            Step::Details => "Add Details",
            Step::Specification => "Product Specification",
            Step::Review => "Review and submit",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step where a violation's field is edited.
    pub fn of_field(field: &str) -> Step {
        match field {
            "sales_type" | "delivery_method" | "pricing_mode" => Step::Basics,
            f if f.starts_with("specifications") => Step::Specification,
            _ => Step::Details,
        }
    }
}

/// Everything the steps share. Copy, so every closure can hold it.
#[derive(Clone, Copy)]
pub struct Form {
    pub draft: RwSignal<ProductDraft>,
    pub context: StoredValue<ReleaseContext>,
    pub assets: StoredValue<Vec<AssetChoice>>,
    /// Every rule the draft breaks now, from the same code the server runs.
    pub violations: Memo<Vec<RuleViolation>>,
    /// Fields the seller has typed in or left; their problems are shown.
    pub touched: RwSignal<BTreeSet<String>>,
    /// Steps the seller tried to leave or submit; all their problems are shown.
    pub revealed: RwSignal<BTreeSet<usize>>,
    pub step: RwSignal<Step>,
}

impl Form {
    pub fn new(draft: ProductDraft, context: ReleaseContext, assets: Vec<AssetChoice>) -> Self {
        let draft = RwSignal::new(draft);
        let context = StoredValue::new(context);
        let violations = Memo::new(move |_| context.with_value(|c| draft.with(|d| check_draft(d, c))));
        Form {
            draft,
            context,
            assets: StoredValue::new(assets),
            violations,
            touched: RwSignal::new(BTreeSet::new()),
            revealed: RwSignal::new(BTreeSet::new()),
            step: RwSignal::new(Step::Basics),
        }
    }

    pub fn touch(&self, field: &str) {
        if !self.touched.with_untracked(|t| t.contains(field)) {
            self.touched.update(|t| {
                t.insert(field.to_owned());
            });
        }
    }

    /// The problems to show beside `field` now, each with its rule.
    pub fn messages(&self, field: &str) -> Vec<(Rule, String)> {
        let shown = self.touched.with(|t| t.contains(field))
            || self.revealed.with(|r| r.contains(&Step::of_field(field).index()));
        if !shown {
            return Vec::new();
        }
        self.violations.with(|v| {
            v.iter().filter(|x| x.field == field).map(|x| (x.rule, x.message.clone())).collect()
        })
    }

    pub fn problems_in(&self, step: Step) -> usize {
        self.violations.with(|v| v.iter().filter(|x| Step::of_field(x.field.as_str()) == step).count())
    }
}

/// A field's id in the page, from its rule field path.
pub fn dom_id(field: &str) -> String {
    let cleaned: String =
        field.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("f-{}", cleaned.trim_matches('-'))
}

/// The violations of `field`, announced politely, with an id the input points at.
pub fn field_errors(form: Form, field: String) -> impl IntoView {
    let id = format!("{}-errors", dom_id(&field));
    view! {
        <div id=id class="field-errors" aria-live="polite">
            {move || {
                form.messages(&field)
                    .into_iter()
                    .map(|(rule, message)| view! { <RuleMessage rule message /> })
                    .collect_view()
            }}
        </div>
    }
}

/// Reads one string of the draft, for [`text_input`].
pub type Get = Arc<dyn Fn(&ProductDraft) -> String + Send + Sync>;
/// Writes one string of the draft, for [`text_input`].
pub type Set = Arc<dyn Fn(&mut ProductDraft, String) + Send + Sync>;

/// A labelled text input bound to one string of the draft. The accessors are trait objects,
/// not generic closures, so every text field shares one compiled copy of this view (each
/// generic instance was a copy of its own in the WASM bundle).
pub fn text_input(form: Form, field: String, label: &'static str, kind: &'static str, get: Get, set: Set) -> impl IntoView {
    let id = dom_id(&field);
    let errors_id = format!("{id}-errors");
    let invalid = {
        let field = field.clone();
        move || !form.messages(&field).is_empty()
    };
    let on_blur = {
        let field = field.clone();
        move |_| form.touch(&field)
    };
    let on_input = {
        let field = field.clone();
        move |ev| {
            form.draft.update(|d| set(d, event_target_value(&ev)));
            form.touch(&field);
        }
    };
    // Drawn on the server with its value, then kept live by the property.
    let initial = form.draft.with_untracked(|d| get(d));
    let value = move || form.draft.with(|d| get(d));
    let input = if kind == "textarea" {
        view! {
            <textarea id=id.clone() aria-describedby=errors_id.clone() aria-invalid=move || invalid().to_string()
                rows="5" prop:value=value on:input=on_input on:blur=on_blur></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type=kind aria-describedby=errors_id.clone() aria-invalid=move || invalid().to_string()
                value=initial prop:value=value on:input=on_input on:blur=on_blur />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {input}
            {field_errors(form, field)}
        </div>
    }
}
