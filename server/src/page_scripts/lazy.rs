//! The preloads of a page's lazy islands: the WASM files each loads, from the split build's
//! manifest.

use std::path::Path;

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
pub(super) fn name(spelling: &str) -> String {
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

    pub(super) fn from_manifest(loaders: std::collections::BTreeMap<String, Vec<String>>, pkg_path: &str) -> Self {
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
    pub(super) fn links(&self, page: &str) -> String {
        if self.links.is_empty() {
            return String::new();
        }
        let mut seen: Vec<String> = Vec::new();
        let mut wanted: Vec<&str> = Vec::new();
        for island in super::islands(page) {
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

#[cfg(test)]
mod tests {
    use super::LazyIslands;

    #[test]
    fn the_manifest_of_this_build_is_read_and_a_missing_or_broken_one_preloads_nothing() {
        let dir = crate::page_scripts::empty_test_dir("split-manifest");
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
