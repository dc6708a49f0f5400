//! Parts of a page drawn once per input and kept as HTML.
//!
//! A view that is a function of its input alone draws the same HTML for the same input
//! every time; the caller of `drawn()` answers for that (an island can read the request's
//! context like any component: `ServerAction::new` does, see below). My Products' table is
//! most of that page's work, and a seller's list changes seldom: the server keeps what it
//! drew under the view's name and its whole input, serialized, and writes that again. The
//! key holds the input itself, not a hash of it, so HTML is only ever reused for the very
//! input it was drawn from, on any server sharing the database.

use leptos::prelude::*;
use serde::Serialize;

/// The views drawn so far, by name and input (server only), bounded by bytes (`Kept`).
#[cfg(feature = "ssr")]
pub struct DrawnViews {
    kept: std::sync::Mutex<crate::kept::Kept<String, std::sync::Arc<str>>>,
}

#[cfg(feature = "ssr")]
impl Default for DrawnViews {
    fn default() -> Self {
        // The key is the input as JSON: both count.
        let weight = |key: &String, html: &std::sync::Arc<str>| key.len() + html.len() + 96;
        DrawnViews { kept: std::sync::Mutex::new(crate::kept::Kept::new(Self::BUDGET, weight)) }
    }
}

#[cfg(feature = "ssr")]
impl DrawnViews {
    /// The bytes the views may hold, both generations together.
    const BUDGET: usize = 16 << 20;

    fn html(&self, key: String, draw: impl FnOnce() -> String) -> std::sync::Arc<str> {
        let lock = || self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(html) = lock().get(&key) {
            return html;
        }
        // Drawn with the lock released: another request may draw the same, and both keep it.
        let html: std::sync::Arc<str> = draw().into();
        lock().insert(key, html.clone());
        html
    }
}

/// `draw(input)`, drawn on the server once per `input` and then written from what was kept,
/// inside a `<div>` of its own. `name` tells views apart; `draw` must depend on nothing but
/// `input` (no context of the request, no clock).
pub fn drawn<P, V>(name: &'static str, input: P, draw: fn(P) -> V) -> AnyView
where
    P: Serialize,
    V: IntoView + 'static,
{
    #[cfg(feature = "ssr")]
    {
        // A form sent without script comes back with its server function's error in the
        // address (`ServerActionError`), and an island's action shows it: such a view is
        // this request's alone.
        let failed_form = use_context::<leptos::server::ServerActionError>().is_some();
        let views = use_context::<crate::state::AppState>().map(|state| state.drawn_views);
        if let (false, Some(views), Ok(json)) = (failed_form, views, serde_json::to_string(&input)) {
            let html = views.html(format!("{name} {json}"), || draw(input).to_html());
            // Written unescaped, and safe so: this is what Leptos itself wrote for the view
            // (`to_html` escapes every text and attribute, the seller's words included), never
            // text of the request or the database. A view drawn here that set `inner_html`
            // from such text would be unsafe drawn anywhere; this adds no way in. The API test
            // `my_products_table_keeps_hostile_names_escaped` checks a hostile name both ways.
            return view! { <div inner_html=html /> }.into_any();
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = name;
    view! { <div>{draw(input)}</div> }.into_any()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::DrawnViews;

    #[test]
    fn a_view_is_drawn_once_per_input() {
        let views = DrawnViews::default();
        let mut drawn = 0;
        let mut draw = |key: &str| views.html(key.to_owned(), || {
            drawn += 1;
            format!("<p>{key}</p>")
        });
        assert_eq!(&*draw("t [1]"), "<p>t [1]</p>");
        assert_eq!(&*draw("t [1]"), "<p>t [1]</p>");
        assert_eq!(&*draw("t [2]"), "<p>t [2]</p>");
        drop(draw);
        assert_eq!(drawn, 2, "the second [1] was written from what was kept");
    }
}
