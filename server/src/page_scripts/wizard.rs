//! The wizard's own WASM bundle (the workspace's `wizard` project), and the page scripts'
//! references it takes the place of.

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
pub(super) struct Bundle {
    pub(super) pkg_dir: String,
    pub(super) js: String,
    pub(super) wasm: String,
}

impl Bundle {
    /// Where Leptos's hydration scripts name the bundle: the two files preloaded, and the
    /// script's arguments (`"pkg", "marketplace.<js hash>", "marketplace.<wasm hash>"`).
    pub(super) fn references(&self) -> [String; 3] {
        let Self { pkg_dir, js, wasm } = self;
        [format!("/{pkg_dir}/{js}.js"), format!("/{pkg_dir}/{wasm}.wasm"), format!("{pkg_dir:?}, {js:?}, {wasm:?}")]
    }

    /// A build's bundle: `marketplace.<hash>` in a build with hashed names (the hashes from
    /// `hash_file`), else `marketplace`; `None` when the hashes are missing.
    pub(super) fn of_build(options: &leptos::config::LeptosOptions, pkg_dir: &str, hash_file: &[(String, String)]) -> Option<Self> {
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
    pub(super) console: [String; 3],
    pub(super) wizard: [String; 3],
    /// The islands the wizard's bundle exports (`Wizard_<n>`: Leptos names an island's
    /// export after a hash of its source, so a bundle built from an older wizard exports
    /// another name, and the page keeps the console's bundle, built with the server).
    pub(super) islands: Vec<String>,
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
    pub(super) fn hydrates_all(&self, page: &str) -> bool {
        let mut components = super::components(page).peekable();
        components.peek().is_some() && components.all(|c| self.islands.iter().any(|island| island == c))
    }

    /// `scripts` (a page's hydration scripts) loading the wizard's bundle, or `None` if they
    /// do not name the console's bundle as this build does.
    pub(super) fn swap(&self, scripts: &str) -> Option<String> {
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

/// The island ids a bundle's JavaScript exports (`export function Wizard_123(…)`): every
/// word of it shaped like one.
fn island_exports(script: &str) -> Vec<String> {
    let mut ids: Vec<String> = script
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| super::island_id(word))
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::WizardBundle;

    #[test]
    fn the_wizard_bundle_is_found_only_when_its_hashes_and_files_are_there() {
        let dir = crate::page_scripts::empty_test_dir("wizard-bundle");
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
}
