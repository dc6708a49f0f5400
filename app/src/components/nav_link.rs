//! The links of a navigation bar (the site's header, the console's menu), each marked
//! `aria-current="page"` when it leads to the page shown or a page under it, as
//! leptos_router's `<A>` marks them; but an exact link is current on its page written with a
//! trailing slash too (`/review/` is the queue, which `<A exact>` did not mark).
//!
//! These bars are drawn on the server only, once per page. `<A>` resolves its address
//! against the matched route and watches the location for a router that never runs here:
//! about 3,000 instructions a link, and a console page has fourteen (`scripts/bench-instructions`).

use leptos::prelude::*;

/// Where the page being drawn is, read once for all the links of a bar.
pub struct NavLinks {
    here: String,
}

impl NavLinks {
    pub fn new() -> Self {
        Self { here: leptos_router::hooks::use_location().pathname.get_untracked() }
    }

    /// `aria-current="page"` for a link to `href` when the page shown is `href` or under it.
    pub fn current(&self, href: &str) -> Option<&'static str> {
        leads_to(&self.here, href, false).then_some("page")
    }

    /// `aria-current="page"` for a link to `href` when the page shown is `href` itself.
    pub fn current_exactly(&self, href: &str) -> Option<&'static str> {
        leads_to(&self.here, href, true).then_some("page")
    }

    /// A link to `href` showing `body`, current on `href` and the pages under it.
    pub fn link<V: IntoView>(&self, href: &'static str, body: V) -> impl IntoView {
        view! { <a href=href aria-current=self.current(href)>{body}</a> }
    }
}

/// Whether a link to `href` (a path of this site) leads to the page at `here`: the same path,
/// a trailing slash aside, or unless `exact` a path under it. The home page (`/`) is under
/// nothing but itself.
fn leads_to(here: &str, href: &str, exact: bool) -> bool {
    let here = here.strip_suffix('/').filter(|h| !h.is_empty()).unwrap_or(here);
    here == href || (!exact && href != "/" && here.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::leads_to;

    #[test]
    fn a_link_is_current_on_its_page_and_the_pages_under_it() {
        assert!(leads_to("/console/products", "/console/products", false));
        assert!(leads_to("/console/products/", "/console/products", false));
        assert!(leads_to("/console/products/p-1/prices", "/console/products", false));
        assert!(!leads_to("/console/products-old", "/console/products", false), "a longer word is another page");
        assert!(!leads_to("/console", "/console/products", false));
        assert!(leads_to("/", "/", false));
        assert!(!leads_to("/products/p-1", "/", false), "the home page is under nothing but itself");
    }

    #[test]
    fn an_exact_link_is_current_on_its_page_alone() {
        assert!(leads_to("/review", "/review", true));
        assert!(leads_to("/review/", "/review", true));
        assert!(!leads_to("/review/decided", "/review", true));
        assert!(leads_to("/review/decided", "/review", false));
    }
}
