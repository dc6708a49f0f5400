//! Keeps a page's hydration scripts only when the page has an island.
//!
//! The shell renders the scripts that load the WASM inside `<template id="island-scripts">`
//! (inert as it is). Every page is rendered whole before it is sent (`SsrMode::Async`), so
//! this layer sees the complete page: with an island (`<leptos-island>`) the scripts take
//! the template's place; without one the template goes, and the page loads no script. The
//! app cannot decide this itself while rendering: the shell's end is written before the
//! parts of the page that wait for data are, islands included.
//!
//! A lazy island (`#[island(lazy)]`, built with `--split`) is a WASM module of its own and
//! the shared chunks it needs; the main module would ask for them only once it has loaded,
//! started and met the island, a second trip across the network after the first. The page
//! names them at once (`<link rel="preload">`, from the manifest the split build writes),
//! so the browser fetches them beside the main module.
//!
//! The Release New Product wizard has a bundle of its own (the workspace's `wizard`
//! project: `frontend` built with `wizard-only`), served under `/wizard-pkg`. On a page whose
//! only island is the wizard, the scripts load that bundle instead of the console's: its
//! one WASM file holds the wizard and nothing else, where the console's bundle would load
//! its main module and dozens of chunks the wizard shares with the other islands.

mod lazy;
mod wizard;

pub use lazy::LazyIslands;
pub use wizard::{wizard_site_root, WizardBundle, WIZARD_PKG_DIR};

use app::components::island::SCRIPTS_TEMPLATE_ID;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use std::borrow::Cow;
use std::sync::Arc;

/// A page larger than this is a bug, not a page.
const MAX_PAGE_BYTES: usize = 16 << 20;

/// What `keep_scripts_where_islands_are` knows of the build.
#[derive(Debug, Default)]
pub struct PageScripts {
    pub lazy: LazyIslands,
    pub wizard: Option<WizardBundle>,
}

/// The islands in `page` as Leptos names them (`data-component="Wizard_123"`: the name and
/// a hash of the island's source).
fn components(page: &str) -> impl Iterator<Item = &str> {
    const ATTRIBUTE: &str = "<leptos-island data-component=\"";
    memchr::memmem::find_iter(page.as_bytes(), ATTRIBUTE).filter_map(move |at| {
        let rest = &page[at + ATTRIBUTE.len()..];
        let component = &rest[..rest.find('"')?];
        island_id(component).then_some(component)
    })
}

/// Whether `word` is an island's id: a name, `_` and digits.
fn island_id(word: &str) -> bool {
    word.rsplit_once('_').is_some_and(|(name, hash)| {
        name.starts_with(|c: char| c.is_ascii_alphabetic()) && !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The names of the islands in `page` (`data-component="Wizard_123"` is `Wizard`).
fn islands(page: &str) -> impl Iterator<Item = &str> {
    components(page).filter_map(|component| component.rsplit_once('_').map(|(name, _)| name))
}

pub async fn keep_scripts_where_islands_are(State(scripts): State<Arc<PageScripts>>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "a page could not be read whole");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Ok(html) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    match place_scripts(html, &scripts) {
        Cow::Borrowed(_) => Response::from_parts(parts, Body::from(bytes)),
        Cow::Owned(page) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(page))
        }
    }
}

/// The page with its scripts template unwrapped (it has an island), after preloads for its
/// lazy islands' files, or removed (it has no island). A page whose only island is the
/// wizard loads the wizard's bundle, when there is one.
pub fn place_scripts<'a>(html: &'a str, scripts: &PageScripts) -> Cow<'a, str> {
    let open = format!("<template id=\"{SCRIPTS_TEMPLATE_ID}\">");
    const CLOSE: &str = "</template>";
    // The template is the body's last element (and no text of the page can spell it: text
    // is escaped), so it is looked for from the end.
    let Some(start) = memchr::memmem::rfind(html.as_bytes(), open.as_bytes()) else { return Cow::Borrowed(html) };
    let Some(length) = memchr::memmem::find(html[start..].as_bytes(), CLOSE.as_bytes()) else { return Cow::Borrowed(html) };
    let end = start + length;
    let first_island = memchr::memmem::find(html[..start].as_bytes(), b"<leptos-island");
    let mut page = String::with_capacity(html.len());
    page.push_str(&html[..start]);
    if let Some(first) = first_island {
        let template = &html[start + open.len()..end];
        let part = &html[first..start];
        match scripts.wizard.as_ref().filter(|wizard| wizard.hydrates_all(part)).map(|wizard| wizard.swap(template)) {
            Some(Some(swapped)) => page.push_str(&swapped),
            found => {
                if found.is_some() {
                    static SAID: std::sync::Once = std::sync::Once::new();
                    SAID.call_once(|| {
                        tracing::error!("the page's hydration scripts do not name the console's bundle as expected: the wizard's page loads the console's bundle");
                    });
                }
                page.push_str(template);
                page.push_str(&scripts.lazy.links(part));
            }
        }
    }
    page.push_str(&html[end + CLOSE.len()..]);
    Cow::Owned(page)
}

/// A fresh, empty folder of the given name under the system's temporary folder (one per
/// test process), for the unit tests that read a build's files.
#[cfg(test)]
fn empty_test_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(test)]
mod tests {
    use super::wizard::Bundle;
    use super::{place_scripts, LazyIslands, PageScripts, WizardBundle};

    #[test]
    fn the_scripts_stay_only_on_a_page_with_an_island() {
        let none = PageScripts::default();
        let scripts = r#"<template id="island-scripts"><link rel="modulepreload" href="/pkg/m.js"><script type="module">go()</script></template>"#;
        let with = format!("<body><leptos-island data-component=\"X\"></leptos-island>{scripts}</body>");
        assert_eq!(
            place_scripts(&with, &none),
            r#"<body><leptos-island data-component="X"></leptos-island><link rel="modulepreload" href="/pkg/m.js"><script type="module">go()</script></body>"#
        );
        let without = format!("<body><main>text</main>{scripts}</body>");
        assert_eq!(place_scripts(&without, &none), "<body><main>text</main></body>");
        assert_eq!(place_scripts("<p>no template</p>", &none), "<p>no template</p>");
    }

    #[test]
    fn a_page_preloads_the_files_of_its_lazy_islands_each_once() {
        let manifest = [
            ("image_assets_view_loader_174", vec!["chunk_7.a", "chunk_8.b", "split_image_assets_view_loader_174.c"]),
            ("wizard_loader_819", vec!["chunk_8.b", "chunk_9.d", "split_wizard_loader_819.e"]),
            ("price_editor_loader_99", vec!["chunk_10.f", "split_price_editor_loader_99.g"]),
        ]
        .into_iter()
        .map(|(loader, files)| (loader.to_owned(), files.into_iter().map(str::to_owned).collect()))
        .collect();
        let lazy = PageScripts { lazy: LazyIslands::from_manifest(manifest, "pkg"), wizard: None };
        let scripts = r#"<template id="island-scripts"><script type="module">go()</script></template>"#;
        let page = format!(
            "<body><leptos-island data-component=\"Wizard_1234\"></leptos-island>\
             <leptos-island data-component=\"ImageAssetsView_55\"></leptos-island>\
             <leptos-island data-component=\"ProductMenu_9\"></leptos-island>\
             <p>&lt;leptos-island data-component=\"PriceEditor_1\"</p>{scripts}</body>"
        );
        let placed = place_scripts(&page, &lazy);
        let preloaded: Vec<&str> =
            placed.match_indices("<link rel=\"preload\" href=\"").map(|(at, tag)| &placed[at + tag.len()..][..placed[at + tag.len()..].find('"').unwrap()]).collect();
        assert_eq!(
            preloaded,
            ["/pkg/chunk_8.b.wasm", "/pkg/chunk_9.d.wasm", "/pkg/split_wizard_loader_819.e.wasm", "/pkg/chunk_7.a.wasm", "/pkg/split_image_assets_view_loader_174.c.wasm"],
            "the wizard's and the image assets' files, shared ones once; nothing for an island that is not lazy or for text that only looks like one"
        );
        assert!(placed.contains(r#"as="fetch" type="application/wasm" crossorigin>"#));
        let without = "<body><main>text</main><template id=\"island-scripts\"></template></body>";
        assert_eq!(place_scripts(without, &lazy), "<body><main>text</main></body>");
    }

    /// The hydration scripts of the shell, as Leptos renders them for a build without hashed
    /// names (`marketplace.js`, `marketplace.wasm` under `/pkg`).
    fn rendered_scripts() -> String {
        use leptos::prelude::*;
        let options = leptos::config::LeptosOptions::builder().output_name("marketplace").build();
        Owner::new().with(|| view! { <HydrationScripts options islands=true /> }.to_html())
    }

    /// The wizard's bundle beside the console's of a build without hashed names, as `find`
    /// makes it (Leptos names the console's files as `rendered_scripts` shows).
    fn with_wizard_bundle() -> PageScripts {
        let options = leptos::config::LeptosOptions::builder().output_name("marketplace").build();
        let console = Bundle::of_build(&options, "pkg", &[]).unwrap();
        let wizard = Bundle { pkg_dir: "wizard-pkg".into(), js: "marketplace.wjs".into(), wasm: "marketplace.wwasm".into() };
        let islands = vec!["Wizard_1234".to_owned()];
        PageScripts { lazy: LazyIslands::default(), wizard: Some(WizardBundle { console: console.references(), wizard: wizard.references(), islands }) }
    }

    #[test]
    fn a_page_whose_only_island_is_the_wizard_loads_the_wizard_bundle() {
        let scripts = rendered_scripts();
        assert!(scripts.contains("/pkg/marketplace.js") && scripts.contains("/pkg/marketplace.wasm"), "{scripts}");
        let page = |islands: &str| format!("<body>{islands}<template id=\"island-scripts\">{scripts}</template></body>");
        let wizard = "<leptos-island data-component=\"Wizard_1234\"></leptos-island>";
        let table = "<leptos-island data-component=\"ProductsView_77\"></leptos-island>";
        let placed = place_scripts(&page(wizard), &with_wizard_bundle()).into_owned();
        for file in ["/wizard-pkg/marketplace.wjs.js", "/wizard-pkg/marketplace.wwasm.wasm"] {
            assert!(placed.contains(file), "{file} in {placed}");
        }
        assert!(placed.contains(r#""wizard-pkg", "marketplace.wjs", "marketplace.wwasm""#), "{placed}");
        assert!(!placed.contains("/pkg/") && !placed.contains(r#""pkg""#), "nothing of the console's bundle: {placed}");
        assert!(!placed.contains("<template"));
        // Any other island, alone or beside the wizard, keeps the console's bundle.
        for islands in [table.to_owned(), format!("{wizard}{table}")] {
            let placed = place_scripts(&page(&islands), &with_wizard_bundle()).into_owned();
            assert!(placed.contains("/pkg/marketplace.js") && !placed.contains("wizard-pkg"), "{placed}");
        }
        // Without a wizard bundle the wizard's page keeps the console's, and so does a wizard
        // the bundle does not export (built from another version of its source).
        let older = "<leptos-island data-component=\"Wizard_999\"></leptos-island>";
        for (islands, scripts) in [(wizard, PageScripts::default()), (older, with_wizard_bundle())] {
            let placed = place_scripts(&page(islands), &scripts).into_owned();
            assert!(placed.contains("/pkg/marketplace.js") && !placed.contains("wizard-pkg"), "{placed}");
        }
    }

    #[test]
    fn scripts_that_name_another_bundle_are_left_as_they_are() {
        // The preloads name this build's console bundle, the script another: half a swap
        // would load two bundles.
        let page = "<body><leptos-island data-component=\"Wizard_1234\"></leptos-island><template id=\"island-scripts\">\
            <link rel=\"modulepreload\" href=\"/pkg/marketplace.js\"><link rel=\"preload\" href=\"/pkg/marketplace.wasm\">\
            <script type=\"module\">go(\"\", \"pkg\", \"marketplace.other\", \"marketplace.other\")</script></template></body>";
        let placed = place_scripts(page, &with_wizard_bundle()).into_owned();
        assert!(placed.contains("/pkg/marketplace.js") && placed.contains("marketplace.other") && !placed.contains("wizard-pkg"), "{placed}");
    }
}
