//! A product's history from the audit log (R74), oldest first, with links that show one
//! kind of change at a time (`?kind=price-changed`): plain links.

use crate::audit::{AuditEntry, AuditHistory, AuditKind, SHOWN_OF_EACH_KIND};
use crate::components::time::format_utc;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The kind of change the page's address asks the history to show (`?kind=`), if any.
/// Read by the page: the history may be drawn in an island, which has no router.
pub fn chosen_kind() -> Option<AuditKind> {
    use_query_map().with_untracked(|q| q.get("kind")).and_then(|k| AuditKind::parse(&k))
}

#[component]
pub fn History(
    history: AuditHistory,
    /** The page's own address, without a query. */ base: String,
    /** The one kind of change shown, or every kind. */ chosen: Option<AuditKind>,
) -> impl IntoView {
    let AuditHistory { entries, hidden, hidden_at_least } = history;
    let present: Vec<AuditKind> = AuditKind::ALL.into_iter().filter(|k| entries.iter().any(|e| e.kind == *k)).collect();
    let shown: Vec<AuditEntry> = entries.into_iter().filter(|e| chosen.is_none_or(|k| e.kind == k)).collect();
    let link = move |kind: Option<AuditKind>, label: &'static str| {
        let href = match kind {
            Some(k) => format!("{base}?kind={}#history", k.key()),
            None => format!("{base}#history"),
        };
        let current = (kind == chosen).then_some("true");
        view! { <li><a href=href aria-current=current>{label}</a></li> }
    };
    view! {
        <section id="history" class="history" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <nav aria-label="Show in the history">
                <ul class="filters">
                    {link(None, "Everything")}
                    {present.into_iter().map(|k| link(Some(k), k.label())).collect_view()}
                </ul>
            </nav>
            {(hidden > 0).then(|| view! {
                <p class="muted">{format!(
                    "Each kind of change shows its latest {SHOWN_OF_EACH_KIND}; {}{hidden} older entries are not shown.",
                    if hidden_at_least { "at least " } else { "" },
                )}</p>
            })}
            {if shown.is_empty() {
                view! { <p class="empty">"Nothing of this kind has happened yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="audit-log" aria-label="Changes, oldest first">
                        {shown
                            .into_iter()
                            .map(|e| view! {
                                <li data-kind=e.kind.key()>
                                    <time>{format_utc(e.at)}</time>" "
                                    <strong>{e.kind.label()}</strong>
                                    {format!(" by {}", e.actor)}
                                    {(!e.detail.is_empty()).then(|| view! { <span class="detail">{format!(": {}", e.detail)}</span> })}
                                </li>
                            })
                            .collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
