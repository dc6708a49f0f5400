//! A notice an address asks for (`?freed=<id>`, `?done=approved`), said once: the page that
//! shows it takes the parameter out of the address, so reloading the page, or coming back
//! to it later, does not say again what was done before.

use leptos::prelude::*;

/// The script that takes `parameter` out of the page's address, in place (no new history
/// entry, the history's state kept). `parameter` is a name of this crate's pages: letters
/// only, written into the script as they are.
fn forget_script(parameter: &'static str) -> String {
    assert!(parameter.bytes().all(|b| b.is_ascii_alphabetic()), "a query parameter's name is letters only");
    format!(
        "(function () {{ var u = new URL(location.href); u.searchParams.delete('{parameter}'); \
         history.replaceState(history.state, '', u); }})()"
    )
}

/// Drawn beside a notice `parameter` asked for: once the page is shown, the address no
/// longer holds it. Runs as the page loads, with or without the page's WASM.
#[component]
pub fn SaidOnce(parameter: &'static str) -> impl IntoView {
    // A script's text is written as it is (HTML has no escapes inside a script).
    view! { <script nonce=leptos::nonce::use_nonce()>{forget_script(parameter)}</script> }
}

#[cfg(test)]
mod tests {
    use super::forget_script;

    // Rendering to HTML needs the server's half (`cargo test -p app -p server` builds it so).
    #[cfg(feature = "ssr")]
    #[test]
    fn the_script_is_sent_whole_with_the_pages_nonce() {
        use super::SaidOnce;
        use leptos::prelude::*;
        let html = Owner::new().with(|| {
            leptos::nonce::provide_nonce();
            view! { <SaidOnce parameter="done" /> }.to_html()
        });
        assert!(html.starts_with("<script nonce=\""), "{html}");
        assert!(html.ends_with(&format!(">{}</script>", forget_script("done"))), "the text as it is, not escaped: {html}");
    }

    #[test]
    fn the_script_names_its_parameter_and_nothing_can_end_it_early() {
        let script = forget_script("freed");
        assert!(script.contains("searchParams.delete('freed')"), "{script}");
        assert!(!script.contains('<'), "no '<' that could end the script: {script}");
    }

    #[test]
    #[should_panic(expected = "letters only")]
    fn a_name_that_is_not_letters_is_refused() {
        forget_script("x');alert(1);('");
    }
}
