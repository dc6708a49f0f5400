//! A rule's message as people read it: plain words, with the rule's id as data
//! (`data-rule="R15"`) for tools, tests and the curious, never in the sentence.

use crate::rules::{Rule, RuleViolation};
use leptos::prelude::*;

/// One message about a field, inside the element its field names with `aria-describedby`.
#[component]
pub fn RuleMessage(rule: Rule, message: String) -> impl IntoView {
    view! { <p class="field-error" data-rule=rule.to_string()>{message}</p> }
}

/// Every violation of a list, one per line, each with its rule as data.
#[component]
pub fn ViolationList(violations: Vec<RuleViolation>) -> impl IntoView {
    view! {
        <ul class="violations">
            {violations
                .into_iter()
                .map(|v| view! { <li data-rule=v.rule.to_string()>{v.message}</li> })
                .collect_view()}
        </ul>
    }
}
