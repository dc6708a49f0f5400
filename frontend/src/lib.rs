// Release builds keep full view types, which nest deeper than the default limit.
#![recursion_limit = "512"]
//! The browser entry point: hydrates the server-rendered page with the shared `app` crate.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Marks the page interactive, so browser tests (and styles) can tell when it is.
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "");
    }
}

/// For `scripts/bench-validation`: the mean time in milliseconds of the shared rules
/// (`check_draft`) on the largest draft they allow, run `iterations` times in this browser.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_check_draft(iterations: u32) -> f64 {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else { return f64::NAN };
    app::rules::release::sample::time_largest_draft(iterations, || performance.now())
}
