//! Product Management → My Products (SPEC section 5): every product with its status, pricing
//! and regions, and a More menu with the operations that apply to it; Set as Free Image
//! after a confirmation (R50, R51); a released product's page with its vCPU tier prices,
//! editable but never deletable (R54), and their history.

use crate::components::confirm::ConfirmDialog;
use crate::components::rule_message::RuleMessage;
use crate::components::menu::{MenuItem, MoreMenu};
use crate::components::{empty_state::EmptyState, loaded::{loaded, loaded_list, Failed}, time::format_utc};
use crate::products::{load_owned_product, my_products, OwnedProduct, ProductRow, ProductStatus, SetFreeImage};
use crate::rules::after_release::{apply_tier_prices, tier_prices_of, TierPrices};
use crate::rules::product::Pricing;
use crate::rules::release::BillingMode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MyProducts() -> impl IntoView {
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
            |list| view! { <ProductsView rows=list /> },
        )}
    }
}

/// The products with their More menus, and Set as Free Image after a confirmation: an
/// island, so the menus work by keyboard and an operation answers in place.
#[island]
fn ProductsView(rows: Vec<ProductRow>) -> impl IntoView {
    crate::components::island::mark();
    let set_free = ServerAction::<SetFreeImage>::new();
    let rows = RwSignal::new(rows);
    let to_free = RwSignal::new(None::<ProductRow>);
    let confirm_open = RwSignal::new(false);
    let ask = Callback::new(move |row: ProductRow| {
        to_free.set(Some(row));
        confirm_open.set(true);
    });
    let on_confirm = Callback::new(move |_| {
        if let Some(row) = to_free.get_untracked() {
            set_free.dispatch(SetFreeImage { id: row.id, version: row.version });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = set_free.value().get() {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = my_products().await {
                    rows.set(fresh);
                }
            });
        }
    });
    view! {
        {move || set_free.value().get().map(|result| match result {
            Ok(p) => view! { <p class="notice success" role="status">{format!("{} is now a Free image. Its price is fixed.", p.product.name)}</p> }.into_any(),
            Err(error) => view! { <Failed error /> }.into_any(),
        })}
        {move || view! { <ProductTable rows=rows.get() ask /> }}
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
                    let items = menu_items(&row, ask);
                    view! {
                        <tr>
                            <th scope="row">{row.name.clone()}</th>
                            <td><span class="badge" data-product-status=row.status.label()>{row.status.label()}</span></td>
                            <td>{row.pricing.clone()}</td>
                            <td>{row.templates.clone()}</td>
                            <td>{row.regions.join(", ")}</td>
                            <td><MoreMenu label=format!("More for {}", row.name) items /></td>
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
        {loaded(load_owned_product(id.clone()), |owned| view! { <PriceEditor owned /> })}
        {loaded(crate::audit::product_history(id.clone()), move |entries| {
            view! { <crate::components::history::History entries base=format!("/console/products/{id}") /> }
        })}
    }
}

/// The tier prices of every vCPU specification, as typed; checked by the shared rules on
/// every keystroke. There is no control to add or delete a tier (R54).
#[island(lazy)]
fn PriceEditor(owned: OwnedProduct) -> impl IntoView {
    crate::components::island::mark();
    let saved = RwSignal::new(owned);
    let prices_of = |o: &OwnedProduct| -> Vec<Vec<TierPrices>> { tier_prices_of(&o.content) };
    let typed = RwSignal::new(prices_of(&saved.get_untracked()));
    let check = Memo::new(move |_| saved.with(|o| typed.with(|p| apply_tier_prices(&o.content, p))));
    let save = Action::new(move |_: &()| {
        let (id, version) = saved.with_untracked(|o| (o.product.id.clone(), o.version));
        crate::products::change_tier_prices(id, version, typed.get_untracked())
    });
    Effect::new(move || {
        if let Some(Ok(updated)) = save.value().get() {
            typed.set(prices_of(&updated));
            saved.set(updated);
        }
    });
    let problem = move |field: String| check.with(|c| c.as_ref().err().and_then(|v| v.iter().find(|x| x.field == *field).cloned()));
    let o = saved.get_untracked();
    let free = o.product.free;
    view! {
        <div class="page-head">
            <h1>{o.product.name.clone()}</h1>
            <a class="button" href=format!("/products/{}", o.product.id)>"View on the marketplace"</a>
        </div>
        {free.then(|| view! { <p class="notice warning">"A Free image: its price is fixed at $0 and can never change."</p> })}
        {o.content.specifications.iter().enumerate().filter(|_| !free).filter_map(|(s, spec)| match &spec.pricing {
            Pricing::Vcpu(tiers) => Some((s, spec, tiers)),
            Pricing::Simple(_) => None,
        }).map(|(s, spec, tiers)| {
            let modes: Vec<(usize, BillingMode)> = spec.offered().collect();
            let header = modes.clone();
            view! {
                <section class="spec-view" aria-label=format!("Specification {} prices", s + 1)>
                    <h2>{format!("Specification {}: prices by vCPU", s + 1)}</h2>
                    <p class="hint">"Tier prices can change after release; tiers cannot be added or deleted."</p>
                    <table class="data tiers">
                        <thead><tr><th scope="col">"vCPUs"</th>{header.into_iter().map(|(_, b)| view! { <th scope="col">{format!("{} (USD)", b.label())}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {tiers.iter().enumerate().map(|(t, tier)| {
                                let modes = modes.clone();
                                view! {
                                    <tr>
                                        <th scope="row">{tier.vcpus}</th>
                                        {modes.into_iter().map(|(m, b)| {
                                            let field = crate::rules::FieldPath::tier_price(s, t, b).into_string();
                                            let error_id = format!("price-{s}-{t}-{m}-error");
                                            let f = field.clone();
                                            view! {
                                                <td>
                                                    <input type="text" inputmode="decimal"
                                                        aria-label=format!("{} price for {} vCPUs", b.label(), tier.vcpus)
                                                        aria-describedby=error_id.clone()
                                                        aria-invalid=move || problem(f.clone()).is_some().to_string()
                                                        value=tier.prices[m].map(|p| p.to_string()).unwrap_or_default()
                                                        prop:value=move || typed.with(|p| p.get(s).and_then(|x| x.get(t)).map(|x| x[m].clone()).unwrap_or_default())
                                                        on:input=move |ev| typed.update(|p| p[s][t][m] = event_target_value(&ev)) />
                                                    <div id=error_id>{move || problem(field.clone()).map(|v| view! { <RuleMessage rule=v.rule message=v.message /> })}</div>
                                                </td>
                                            }
                                        }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        }).collect_view()}
        {(!free && o.content.priced_by_vcpu()).then(|| view! {
            <div class="row-actions">
                <button type="button" class="primary" id="save-prices"
                    disabled=move || check.with(Result::is_err) || save.pending().get()
                    on:click=move |_| { save.dispatch(()); }>
                    {move || if save.pending().get() { "Saving…" } else { "Save prices" }}
                </button>
                {move || match save.value().get() {
                    Some(Ok(_)) => Some(view! { <p class="notice success" role="status">"Prices saved."</p> }.into_any()),
                    Some(Err(error)) => Some(view! { <Failed error /> }.into_any()),
                    None => None,
                }}
            </div>
        })}
        <h2>"Price history"</h2>
        {move || saved.with(|o| if o.history.is_empty() {
            view! { <p class="muted">"No price has changed since release."</p> }.into_any()
        } else {
            view! {
                <table class="data" aria-label="Price history">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Specification"</th><th scope="col">"vCPUs"</th><th scope="col">"Billing mode"</th><th scope="col">"Old price"</th><th scope="col">"New price"</th></tr></thead>
                    <tbody>
                        {o.history.iter().map(|h| view! {
                            <tr>
                                <td>{format_utc(h.changed_at)}</td><td>{h.changed_by.clone()}</td><td>{h.specification + 1}</td>
                                <td>{h.vcpus.clone()}</td><td>{h.billing.clone()}</td>
                                <td>{crate::components::product::dollars(&h.old_price)}</td><td>{crate::components::product::dollars(&h.new_price)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })}
    }
}
