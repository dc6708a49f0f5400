//! Product Management → My Products (SPEC section 5): every product with its status, pricing
//! and regions, and a More menu with the operations that apply to it; Set as Free Image
//! after a confirmation (R50, R51); a released product's page with its price editor
//! (`price_editor`) and its history (R74).

use crate::components::confirm::ConfirmDialog;
use crate::components::drawn::drawn;
use crate::components::menu::{MenuItem, MoreMenu};
use crate::components::{empty_state::EmptyState, loaded::{loaded, loaded_list, loaded_else, page_failed, Failed}, product::ProductSpecifications};
use crate::products::{load_owned_product, my_products, ProductRow, ProductStatus, SetFreeImage, FREE_IMAGE};
use crate::components::said_once::SaidOnce;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MyProducts() -> impl IntoView {
    // After Set as Free Image the page is loaded again with `?freed=<id>`, and says so.
    let freed = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("freed"));
    view! {
        <Title text="My Products · Seller Console" />
        <div class="page-head">
            <h1>"My Products"</h1>
            <a class="button primary" href="/console/products/new">"Release New Product"</a>
        </div>
        {loaded_list(my_products(),
            || view! {
                <EmptyState
                    title="No products yet"
                    body="A product is released from one of your image assets. Choose Release New Product to start; drafts are kept under Drafts, and submitted requests under My Applications."
                    link=("/console/products/new", "Release New Product")
                />
            },
            move |list| {
                // Only a released product of this seller's that is now free; focused, so a
                // screen reader reads it on the new page and the keyboard starts from it.
                let notice = freed
                    .and_then(|id| {
                        list.iter()
                            .find(|r| r.id == id && r.status == ProductStatus::Released && r.pricing == FREE_IMAGE)
                            .map(|r| r.name.clone())
                    })
                    .map(|name| view! {
                        <p class="notice success" role="status" tabindex="-1" autofocus>
                            {format!("{name} is now a Free image. Its price is fixed.")}
                        </p>
                        <SaidOnce parameter="freed" />
                    });
                // The table is a function of the rows alone, drawn once per list.
                view! { {notice} {drawn("products-view", list, |rows| view! { <ProductsView rows /> })} }
            },
        )}
    }
}

/// The products with their More menus, and Set as Free Image after a confirmation: an
/// island, so the menus and the dialog work by keyboard.
///
/// The table is drawn once, as the page gave it, not from a closure: the server draws the
/// view of a closure twice (once to find what it waits for, once to write it), and this
/// table is most of the page. After Set as Free Image the page is loaded again, and the
/// server draws the rows as they now are.
#[cfg_attr(not(feature = "wizard-only"), island)]
#[cfg_attr(feature = "wizard-only", component)]
fn ProductsView(rows: Vec<ProductRow>) -> impl IntoView {
    crate::components::island::mark();
    let set_free = ServerAction::<SetFreeImage>::new();
    let to_free = RwSignal::new(None::<ProductRow>);
    let confirm_open = RwSignal::new(false);
    let ask = Callback::new(move |row: ProductRow| {
        to_free.set(Some(row));
        confirm_open.set(true);
    });
    let on_confirm = Callback::new(move |_| {
        if set_free.pending().get_untracked() {
            return;
        }
        if let Some(row) = to_free.get_untracked() {
            set_free.dispatch(SetFreeImage { id: row.id, version: row.version });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(freed)) = set_free.value().get() {
            crate::components::island::replace_with(&format!("/console/products?freed={}", freed.id));
        }
    });
    view! {
        {move || match set_free.value().get() {
            Some(Err(error)) => Some(view! { <Failed error /> }.into_any()),
            Some(Ok(_)) => Some(view! { <p class="notice" role="status">"Saved. Loading the updated list…"</p> }.into_any()),
            None => set_free.pending().get().then(|| view! { <p class="notice" role="status">"Setting it as a Free image…"</p> }.into_any()),
        }}
        <ProductTable rows ask />
        <ConfirmDialog
            open=confirm_open
            id="confirm-set-free"
            title="Set as Free Image?"
            body=Signal::derive(move || {
                let name = to_free.get().map(|r| r.name).unwrap_or_default();
                format!("{name} becomes a Free image. The price of this image will be fixed at $0: it can never change again.")
            })
            confirm_label="OK"
            on_confirm
        />
    }
}

fn menu_items(row: &ProductRow, ask: Callback<ProductRow>) -> Vec<MenuItem> {
    let link = |label: &str, href: String| MenuItem::Link { label: label.into(), href };
    match row.status {
        ProductStatus::Draft => vec![link("Resume", format!("/console/products/new?draft={}", row.id))],
        ProductStatus::InReview | ProductStatus::Rejected => vec![link("View request", format!("/console/applications/{}", row.id))],
        ProductStatus::Released => {
            let mut items = vec![
                link("View on the marketplace", format!("/products/{}", row.id)),
                link(if row.vcpu { "Change vCPU prices" } else { "Prices and history" }, format!("/console/products/{}", row.id)),
            ];
            if row.can_set_free {
                let row = row.clone();
                items.push(MenuItem::Action { label: "Set as Free Image".into(), run: Callback::new(move |_| ask.run(row.clone())) });
            }
            items
        }
    }
}

/// The rows as drawn.
#[component]
fn ProductTable(rows: Vec<ProductRow>, ask: Callback<ProductRow>) -> impl IntoView {
    view! {
        <table class="data" aria-label="Products">
            <thead><tr>
                <th scope="col">"Product"</th><th scope="col">"Status"</th><th scope="col">"Pricing Mode"</th>
                <th scope="col">"Pricing Template"</th><th scope="col">"Regions"</th><th scope="col">"Operation"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let label = format!("More for {}", row.name);
                    let regions = row.regions.join(", ");
                    let status = row.status.label();
                    let row = std::sync::Arc::new(row);
                    let items = {
                        let row = row.clone();
                        std::sync::Arc::new(move || menu_items(&row, ask))
                    };
                    view! {
                        <tr>
                            <th scope="row">{row.name.clone()}</th>
                            <td><span class="badge" data-product-status=status>{status}</span></td>
                            <td>{row.pricing.clone()}</td>
                            <td>{row.templates.clone()}</td>
                            <td>{regions}</td>
                            <td><MoreMenu label items /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ProductManagePage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    view! {
        <Title text="Product prices · Seller Console" />
        <p><a href="/console/products">"← My Products"</a></p>
        // The history only once the product is found: an unknown one is said once. The
        // editor shows it, and reads it again after each change it saves.
        {loaded_else(load_owned_product(id.clone()), move |owned| {
            let chosen = crate::components::history::chosen_kind();
            // Simple prices never change after release (R54): this page shows them and says
            // so (drawn here, on the server: the editor is for the prices that may change).
            let fixed = (!owned.content.is_free() && !owned.content.priced_by_vcpu()).then(|| {
                let content = owned.content.clone();
                view! {
                    <section aria-labelledby="fixed-prices-title">
                        <h2 id="fixed-prices-title">"Prices"</h2>
                        <p class="notice warning" id="prices-fixed">"Simple prices are fixed once a product is released: to sell at other prices, release a new product. Only prices per vCPU tier can change."</p>
                        <ProductSpecifications content />
                    </section>
                }
            });
            loaded(crate::audit::product_history(id.clone()), move |history| {
                view! { <crate::pages::price_editor::PriceEditor owned history chosen /> {fixed} }
            })
        }, page_failed("Product"))}
    }
}
