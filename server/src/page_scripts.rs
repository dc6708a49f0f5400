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

/// The folder under the site the wizard's bundle is served from (the `wizard` project's
/// `site-pkg-dir`), and the hash file that project writes beside the server (its
/// `hash-file-name`); a test checks both against the workspace's Cargo.toml.
pub const WIZARD_PKG_DIR: &str = "wizard-pkg";
const WIZARD_HASH_FILE: &str = "wizard-hash.txt";

/// The site root of the wizard's bundle: beside the console's, as the `wizard` project's
/// `site-root` is (`target/site-wizard` for `target/site`).
pub fn wizard_site_root(options: &leptos::config::LeptosOptions) -> String {
    format!("{}-wizard", options.site_root.trim_end_matches('/'))
}

/// The files a page's scripts load: the folder they are served from and the names of the
/// JavaScript and WASM files (without their extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bundle {
    pkg_dir: String,
    js: String,
    wasm: String,
}

impl Bundle {
    /// Where Leptos's hydration scripts name the bundle: the two files preloaded, and the
    /// script's arguments (`"pkg", "marketplace.<js hash>", "marketplace.<wasm hash>"`).
    fn references(&self) -> [String; 3] {
        let Self { pkg_dir, js, wasm } = self;
        [format!("/{pkg_dir}/{js}.js"), format!("/{pkg_dir}/{wasm}.wasm"), format!("{pkg_dir:?}, {js:?}, {wasm:?}")]
    }

    /// A build's bundle: `marketplace.<hash>` in a build with hashed names (the hashes from
    /// `hash_file`), else `marketplace`; `None` when the hashes are missing.
    fn of_build(options: &leptos::config::LeptosOptions, pkg_dir: &str, hash_file: &[(String, String)]) -> Option<Self> {
        let name = |kind: &str| {
            if !options.hash_files {
                // As Leptos names them (`HydrationScripts`): wasm-bindgen's `_bg` file unless
                // the build set the output name.
                let suffix = if kind == "wasm" && option_env!("LEPTOS_OUTPUT_NAME").is_none() { "_bg" } else { "" };
                return Some(format!("{}{suffix}", options.output_name));
            }
            hash_file.iter().find(|(k, _)| k == kind).map(|(_, hash)| format!("{}.{hash}", options.output_name))
        };
        Some(Self { pkg_dir: pkg_dir.to_owned(), js: name("js")?, wasm: name("wasm")? })
    }

    /// The bundle's file with the extension `extension` under the site root `root`.
    fn file(&self, root: &str, extension: &str) -> std::path::PathBuf {
        let name = if extension == "wasm" { &self.wasm } else { &self.js };
        std::path::Path::new(root).join(&self.pkg_dir).join(format!("{name}.{extension}"))
    }
}

/// The wizard's page loads the wizard's bundle: the console bundle's names in the page's
/// scripts, the wizard bundle's that take their place, and the islands that bundle
/// hydrates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WizardBundle {
    console: [String; 3],
    wizard: [String; 3],
    /// The islands the wizard's bundle exports (`Wizard_<n>`: Leptos names an island's
    /// export after a hash of its source, so a bundle built from an older wizard exports
    /// another name, and the page keeps the console's bundle, built with the server).
    islands: Vec<String>,
}

impl WizardBundle {
    /// The wizard's bundle of this build, if it was built: its files must be there, or the
    /// wizard's page keeps the console's scripts (the console's bundle has the wizard too,
    /// as a lazy island, in many more files: a build that made the console's bundle but not
    /// the wizard's is named in the log). Under `cargo leptos watch`, which rebuilds only
    /// the console's bundle, the console's is used.
    pub fn find(options: &leptos::config::LeptosOptions) -> Option<Self> {
        if std::env::var_os("LEPTOS_WATCH").is_some() {
            return None;
        }
        Self::find_in(options, &app::read_hash_file(options.hash_file.as_ref()), &app::read_hash_file(WIZARD_HASH_FILE))
    }

    /// `find`, with the console's and the wizard's hash files read.
    fn find_in(options: &leptos::config::LeptosOptions, console_hashes: &[(String, String)], wizard_hashes: &[(String, String)]) -> Option<Self> {
        let console = Bundle::of_build(options, &options.site_pkg_dir, console_hashes)?;
        let console_built = console.file(&options.site_root, "wasm").is_file();
        let root = wizard_site_root(options);
        let wizard = Bundle::of_build(options, WIZARD_PKG_DIR, wizard_hashes).filter(|w| w.file(&root, "wasm").is_file());
        let script = wizard.as_ref().and_then(|w| std::fs::read_to_string(w.file(&root, "js")).ok());
        match (wizard, script) {
            (Some(wizard), Some(script)) => {
                Some(Self { console: console.references(), wizard: wizard.references(), islands: island_exports(&script) })
            }
            _ => {
                if console_built {
                    tracing::warn!(
                        site_root = %root,
                        "the wizard's WASM bundle was not built, so Release New Product loads the console's, \
                         in many more files: build it with `cargo leptos build --project wizard --frontend-only` (scripts/run does)"
                    );
                }
                None
            }
        }
    }

    /// Whether the wizard's bundle hydrates every island of `page`'s (at least one).
    fn hydrates_all(&self, page: &str) -> bool {
        let mut components = components(page).peekable();
        components.peek().is_some() && components.all(|c| self.islands.iter().any(|island| island == c))
    }

    /// `scripts` (a page's hydration scripts) loading the wizard's bundle, or `None` if they
    /// do not name the console's bundle as this build does.
    fn swap(&self, scripts: &str) -> Option<String> {
        if !self.console.iter().all(|reference| scripts.contains(reference.as_str())) {
            return None;
        }
        let mut swapped = scripts.to_owned();
        for (console, wizard) in self.console.iter().zip(&self.wizard) {
            swapped = swapped.replace(console.as_str(), wizard);
        }
        Some(swapped)
    }
}

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

/// The island ids a bundle's JavaScript exports (`export function Wizard_123(…)`): every
/// word of it shaped like one.
fn island_exports(script: &str) -> Vec<String> {
    let mut ids: Vec<String> = script
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| island_id(word))
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    ids
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
    let Some(start) = html.rfind(&open) else { return Cow::Borrowed(html) };
    let Some(length) = html[start..].find(CLOSE) else { return Cow::Borrowed(html) };
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

#[cfg(test)]
mod tests {
    use super::{place_scripts, Bundle, LazyIslands, PageScripts, WizardBundle};

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
    fn the_wizard_bundle_is_found_only_when_its_hashes_and_files_are_there() {
        let dir = std::env::temp_dir().join(format!("wizard-bundle-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let site = dir.join("site");
        let options = leptos::config::LeptosOptions::builder()
            .output_name("marketplace")
            .site_root(format!("{}/", site.display()))
            .hash_files(true)
            .build();
        let hashes = |js: &str, wasm: &str| vec![("js".to_owned(), js.to_owned()), ("wasm".to_owned(), wasm.to_owned())];
        let console = hashes("c1", "c2");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        std::fs::write(site.join("pkg/marketplace.c2.wasm"), "").unwrap();
        let wizard_pkg = dir.join("site-wizard/wizard-pkg");
        assert_eq!(WizardBundle::find_in(&options, &console, &[]), None, "no hash file");
        assert_eq!(WizardBundle::find_in(&options, &console, &hashes("w1", "w2")), None, "no files");
        std::fs::create_dir_all(&wizard_pkg).unwrap();
        std::fs::write(wizard_pkg.join("marketplace.w2.wasm"), "").unwrap();
        assert_eq!(WizardBundle::find_in(&options, &console, &hashes("w1", "w2")), None, "no script");
        std::fs::write(wizard_pkg.join("marketplace.w1.js"), "export function Wizard_77(e){__wbg_x_1(e)}function _0x_12(){}").unwrap();
        let found = WizardBundle::find_in(&options, &console, &hashes("w1", "w2")).expect("found");
        assert_eq!(found.islands, ["Wizard_77"]);
        assert_eq!(found.console[0], "/pkg/marketplace.c1.js");
        assert_eq!(found.wizard, ["/wizard-pkg/marketplace.w1.js", "/wizard-pkg/marketplace.w2.wasm", r#""wizard-pkg", "marketplace.w1", "marketplace.w2""#]);
        assert!(found.hydrates_all(r#"<leptos-island data-component="Wizard_77">"#));
        assert!(!found.hydrates_all(r#"<leptos-island data-component="Wizard_78">"#));
        assert!(!found.hydrates_all("<leptos-island data-component=\"Wizard_77\"><leptos-island data-component=\"ProductsView_1\">"));
        assert!(!found.hydrates_all("<p>no island</p>"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The workspace's two cargo-leptos projects, as `key = value` pairs each (`Cargo.toml`).
    fn leptos_projects() -> Vec<std::collections::BTreeMap<String, String>> {
        let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")).unwrap();
        manifest
            .split("[[workspace.metadata.leptos]]")
            .skip(1)
            .map(|block| {
                block
                    .lines()
                    .take_while(|line| !line.starts_with('['))
                    .filter(|line| !line.trim_start().starts_with('#'))
                    .filter_map(|line| line.split_once(" = "))
                    .map(|(key, value)| (key.trim().to_owned(), value.trim().trim_matches('"').to_owned()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_server_looks_for_the_wizard_bundle_where_cargo_toml_puts_it() {
        let projects = leptos_projects();
        let [console, wizard] = &projects[..] else { panic!("two projects, the console's and the wizard's: {projects:?}") };
        assert_eq!((console["name"].as_str(), wizard["name"].as_str()), ("marketplace", "wizard"));
        let options = leptos::config::LeptosOptions::builder().output_name("marketplace").site_root(console["site-root"].clone()).build();
        assert_eq!(wizard["site-root"], super::wizard_site_root(&options));
        assert_eq!(wizard["site-pkg-dir"], super::WIZARD_PKG_DIR);
        assert_eq!(wizard["hash-file-name"], super::WIZARD_HASH_FILE);
        assert_eq!(wizard["lib-features"], r#"["wizard-only"]"#);
        // Built alike in everything else: the same server, names, profile and wasm-opt flags.
        for key in [
            "output-name", "bin-package", "lib-package", "style-file", "bin-features", "bin-default-features",
            "lib-default-features", "lib-profile-release", "hash-files", "always-erase-components", "wasm-opt-features",
        ] {
            assert_eq!(console.get(key), wizard.get(key), "{key}");
            assert!(console.contains_key(key), "{key}");
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
