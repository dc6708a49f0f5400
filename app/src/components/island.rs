//! What every island (the interactive parts of a page, compiled to WASM) shares.
//!
//! Pages are rendered on the server; only the components marked `#[island]` ship as WASM
//! and hydrate in the browser. A page loads the WASM only if it has an island: the shell
//! renders the hydration scripts inside `<template id="island-scripts">`, and the server
//! (`server::page_scripts`) puts them into the page when it holds an island and removes
//! them when it holds none, so the public site and plain lists load no script at all.

use leptos::prelude::*;

/// The id of the `<template>` the shell wraps the hydration scripts in.
pub const SCRIPTS_TEMPLATE_ID: &str = "island-scripts";

/// Called first by every island: in the browser, once the island is hydrated, it counts
/// it, and when every island of the page is hydrated it marks the body `data-hydrated`
/// (browser tests wait for that).
///
/// Returns whether this island is live: false as the server draws it, true once its code
/// has hydrated it. Until then an island is a drawing of a form, and what was chosen or
/// typed into it would be thrown away when it hydrates (or a purchase form would show one
/// choice and buy another): the islands that hold what a person types keep their fields in
/// an [`UntilLive`] fieldset, disabled until then. Each island on its own: one that fails to
/// load leaves the others working.
pub fn mark() -> RwSignal<bool> {
    // An `RwSignal<bool>`, as every island's dialogs hold: a pair from `signal()` was a new
    // kind of signal in the main module every console page loads.
    let live = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        live.set(true);
        let Some(body) = document().body() else { return };
        let hydrated = body.get_attribute("data-islands-hydrated").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0) + 1;
        let _ = body.set_attribute("data-islands-hydrated", &hydrated.to_string());
        let islands = document().query_selector_all("leptos-island").map(|l| l.length()).unwrap_or(0);
        if hydrated >= islands {
            let _ = body.set_attribute("data-hydrated", "");
        }
    });
    live
}

/// The fields of an island that holds what a person types, disabled until the island is live
/// ([`mark`]): readable, and drawn with their values, but not yet taking input.
#[component]
pub fn UntilLive(live: RwSignal<bool>, children: Children) -> impl IntoView {
    view! { <fieldset class="until-live" disabled=move || !live.get()>{children()}</fieldset> }
}

/// Said when the page's code cannot load (the connection dropped it, a proxy blocked it) or
/// fails to start before every island is live: without it, the fields kept off until their island is
/// live ([`UntilLive`]) would stay off with no word why. Leptos's loader leaves such a
/// failure as a rejected promise nobody handles; this page-wide listener, which the page's
/// nonce lets run, shows the notice for one that comes before the page is marked hydrated.
/// Sent only with the hydration scripts (inside the shell's scripts template), so only to
/// pages that have an island.
/// The listener `LoadFailure` sends. A failed fetch or import is a TypeError; a module that
/// cannot compile, link or run, a WebAssembly error. Other rejections (a browser extension's,
/// say) are not the page's. A constant of this file, the only text in the script: nothing
/// anyone types reaches it.
const SHOW_ON_FAILURE: &str = "addEventListener('unhandledrejection', function (e) { \
    var r = e.reason, w = window.WebAssembly || {}; \
    if (document.body.hasAttribute('data-hydrated')) return; \
    if (r instanceof TypeError || [w.CompileError, w.LinkError, w.RuntimeError].some(function (k) { return k && r instanceof k; })) \
    document.getElementById('load-failed').hidden = false; })";

#[component]
pub fn LoadFailure() -> impl IntoView {
    view! {
        <p id="load-failed" class="notice error load-failed" role="alert" hidden>
            "Part of this page could not load, so its buttons and fields stay off. Check your connection, then reload the page."
        </p>
        // A script's text is written as it is (HTML has no escapes inside a script).
        <script nonce=leptos::nonce::use_nonce()>{SHOW_ON_FAILURE}</script>
    }
}

/// Sends the browser to `href`, as following a link would.
pub fn go_to(href: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// Goes to `href` in place of this page in the history (after a change: Back does not
/// return to the page as it was before it).
pub fn replace_with(href: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().replace(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// Loads the page again from the server, after an island changed what the server renders.
pub fn reload() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().reload();
    }
}

// Rendering to HTML needs the server's half (`cargo test -p app -p server` builds it so).
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::{LoadFailure, SHOW_ON_FAILURE};
    use leptos::prelude::*;

    #[test]
    fn the_load_failure_script_is_sent_whole_and_cannot_end_early() {
        assert!(!SHOW_ON_FAILURE.contains('<'), "no '</script>' or '<!--' can end or bend the script");
        let html = Owner::new().with(|| view! { <LoadFailure /> }.to_html());
        assert!(html.contains(&format!(">{SHOW_ON_FAILURE}</script>")), "{html}");
        assert!(html.starts_with(r#"<p id="load-failed" role="alert" hidden "#), "the notice waits, hidden: {html}");
    }
}
