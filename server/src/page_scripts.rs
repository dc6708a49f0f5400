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

use app::components::island::SCRIPTS_TEMPLATE_ID;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

/// A page larger than this is a bug, not a page.
const MAX_PAGE_BYTES: usize = 16 << 20;

/// The WASM files each lazy island loads, read once from the split build's manifest (each
/// island's loader and the files it needs): the manifest of this build, named in the hash
/// file beside the server (`__wasm_split_manifest.<hash>.json`), or
/// `__wasm_split_manifest.json` in a build without hashes. A build without `--split` has
/// none, and its pages name nothing more.
#[derive(Debug, Default)]
pub struct LazyIslands {
    /// The island's name, lower case without `_` (`name`), and its preload links.
    links: Vec<(String, Vec<String>)>,
}

/// An island's name as both of its spellings give it: `wizard_loader_…` in the manifest
/// (its loader, in snake case) and `Wizard_123` on the page are `wizard`.
fn name(spelling: &str) -> String {
    spelling.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

impl LazyIslands {
    /// The manifest `manifest` (a file name) in `pkg_dir`, whose files are served under
    /// `/{pkg_path}/`.
    pub fn read(pkg_dir: &Path, manifest: &str, pkg_path: &str) -> Self {
        let path = pkg_dir.join(manifest);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                let split = std::fs::read_dir(pkg_dir).into_iter().flatten().flatten().any(|entry| {
                    entry.file_name().to_str().is_some_and(|name| name.starts_with("split_") && name.ends_with(".wasm"))
                });
                if split {
                    tracing::warn!(%error, manifest = %path.display(), "lazy islands were built but their manifest could not be read: they load without preloading");
                }
                return Self::default();
            }
        };
        match serde_json::from_str::<std::collections::BTreeMap<String, Vec<String>>>(&text) {
            Ok(loaders) => Self::from_manifest(loaders, pkg_path),
            Err(error) => {
                tracing::warn!(%error, manifest = %path.display(), "the split manifest could not be read: lazy islands load without preloading");
                Self::default()
            }
        }
    }

    fn from_manifest(loaders: std::collections::BTreeMap<String, Vec<String>>, pkg_path: &str) -> Self {
        // The same request as the split loader's `fetch` (CORS mode, same-origin
        // credentials), so the browser hands it the preloaded answer.
        let link = |file: &String| format!("<link rel=\"preload\" href=\"/{pkg_path}/{file}.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>");
        let links = loaders
            .iter()
            .filter_map(|(loader, files)| {
                let (island, _hash) = loader.rsplit_once("_loader_")?;
                Some((name(island), files.iter().map(link).collect()))
            })
            .collect();
        Self { links }
    }

    /// Preload links for the files of the lazy islands `page` holds, each file once.
    fn links(&self, page: &str) -> String {
        if self.links.is_empty() {
            return String::new();
        }
        let mut seen: Vec<String> = Vec::new();
        let mut wanted: Vec<&str> = Vec::new();
        for island in islands(page) {
            let island = name(island);
            if seen.contains(&island) {
                continue;
            }
            for (_, links) in self.links.iter().filter(|(name, _)| *name == island) {
                for link in links {
                    if !wanted.contains(&link.as_str()) {
                        wanted.push(link);
                    }
                }
            }
            seen.push(island);
        }
        wanted.concat()
    }
}

/// The names of the islands in `page` (`data-component="Wizard_123"` is `Wizard`).
fn islands(page: &str) -> impl Iterator<Item = &str> {
    const ATTRIBUTE: &str = "<leptos-island data-component=\"";
    memchr::memmem::find_iter(page.as_bytes(), ATTRIBUTE).filter_map(move |at| {
        let rest = &page[at + ATTRIBUTE.len()..];
        let component = &rest[..rest.find('"')?];
        let (name, hash) = component.rsplit_once('_')?;
        hash.bytes().all(|b| b.is_ascii_digit()).then_some(name)
    })
}

pub async fn keep_scripts_where_islands_are(State(lazy): State<Arc<LazyIslands>>, request: Request, next: Next) -> Response {
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
    match place_scripts(html, &lazy) {
        Cow::Borrowed(_) => Response::from_parts(parts, Body::from(bytes)),
        Cow::Owned(page) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(page))
        }
    }
}

/// The page with its scripts template unwrapped (it has an island), after preloads for its
/// lazy islands' files, or removed (it has no island).
pub fn place_scripts<'a>(html: &'a str, lazy: &LazyIslands) -> Cow<'a, str> {
    let open = format!("<template id=\"{SCRIPTS_TEMPLATE_ID}\">");
    const CLOSE: &str = "</template>";
    // The template is the body's last element (and no text of the page can spell it: text
    // is escaped), so it is looked for from the end.
    let Some(start) = html.rfind(&open) else { return Cow::Borrowed(html) };
    let Some(length) = html[start..].find(CLOSE) else { return Cow::Borrowed(html) };
    let end = start + length;
    let first_island = memchr::memmem::find(html[..start].as_bytes(), b"<leptos-island");
    let mut page = String::with_capacity(html.len());
    page.push_str(&html[..start]);
    if let Some(first) = first_island {
        page.push_str(&html[start + open.len()..end]);
        page.push_str(&lazy.links(&html[first..start]));
    }
    page.push_str(&html[end + CLOSE.len()..]);
    Cow::Owned(page)
}

#[cfg(test)]
mod tests {
    use super::{place_scripts, LazyIslands};

    #[test]
    fn the_scripts_stay_only_on_a_page_with_an_island() {
        let none = LazyIslands::default();
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
        let lazy = LazyIslands::from_manifest(manifest, "pkg");
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

    #[test]
    fn the_manifest_of_this_build_is_read_and_a_missing_or_broken_one_preloads_nothing() {
        let dir = std::env::temp_dir().join(format!("split-manifest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let page = "<leptos-island data-component=\"Wizard_1\"></leptos-island>";
        assert_eq!(LazyIslands::read(&dir, "__wasm_split_manifest.new.json", "pkg").links(page), "");
        std::fs::write(dir.join("__wasm_split_manifest.new.json"), "not json").unwrap();
        assert_eq!(LazyIslands::read(&dir, "__wasm_split_manifest.new.json", "pkg").links(page), "");
        // An older build's manifest beside this one's is not read.
        std::fs::write(dir.join("__wasm_split_manifest.old.json"), r#"{"wizard_loader_1":["split_wizard_loader_1.old"]}"#).unwrap();
        std::fs::write(dir.join("__wasm_split_manifest.new.json"), r#"{"wizard_loader_1":["split_wizard_loader_1.new"]}"#).unwrap();
        assert_eq!(
            LazyIslands::read(&dir, "__wasm_split_manifest.new.json", "pkg").links(page),
            r#"<link rel="preload" href="/pkg/split_wizard_loader_1.new.wasm" as="fetch" type="application/wasm" crossorigin>"#
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_island_is_named_alike_on_the_page_and_in_the_manifest() {
        assert_eq!(super::name("image_assets_view"), "imageassetsview");
        assert_eq!(super::name("ImageAssetsView"), "imageassetsview");
        assert_eq!(super::name("step_2_form"), super::name("Step2Form"));
        assert_eq!(super::name("html_view"), super::name("HTMLView"));
    }
}
