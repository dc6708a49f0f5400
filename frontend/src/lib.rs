// Release builds keep full view types, which nest deeper than the default limit.
#![recursion_limit = "512"]
//! The browser entry point: hydrates the islands of the server-rendered page (the parts of
//! the `app` crate marked `#[island]`; the rest of a page is plain HTML).

// The islands are exported from the `app` crate (`#[island]` makes each a WASM export);
// naming the crate here links it into the bundle, though nothing below calls into it.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic's message in the browser's console, in debug builds only: the hook and the
    // formatting it brings are code every page would download (the console's main module
    // was past issue 9's 200 KiB for My Products and a request page).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

/// For `scripts/bench-validation`: the mean time in milliseconds of the shared rules
/// (`check_draft`) on the largest draft they allow, run `iterations` times in this browser.
/// Built only with the `bench` feature, so production bundles do not carry it.
#[cfg(feature = "bench")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_check_draft(iterations: u32) -> f64 {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else { return f64::NAN };
    rules::release::sample::time_largest_draft(iterations, || performance.now())
}
