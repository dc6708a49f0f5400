//! The public marketplace site (R45, SPEC section 7): approved products, open to everyone,
//! rendered on the server so that it reads without JavaScript and has a title and a
//! description for search engines. The search is a plain GET form for the same reason.

use crate::components::empty_state::EmptyState;
use crate::components::loaded::loaded;
use crate::components::product::ProductSpecifications;
use crate::components::time::format_utc;
use crate::listing::{list_products, load_product, ListedProduct, ProductQuery};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn MarketplaceHome() -> impl IntoView {
    let query = use_query_map();
    let search = query.with_untracked(|q| ProductQuery { text: q.get("q").unwrap_or_default(), region: q.get("region").unwrap_or_default() });
    let filtered = !search.text.trim().is_empty() || !search.region.is_empty();
    let regions = crate::listing::product_regions();
    view! {
        <Title text="Virtual-machine images" />
        <Meta name="description" content="Browse virtual-machine image products from marketplace sellers." />
        <main class="page">
            <section class="hero">
                <h1>"Virtual-machine images, ready to deploy"</h1>
                <p class="lead">"Images released by marketplace sellers, reviewed before they are listed."</p>
            </section>
            <form method="get" action="/" class="search" role="search">
                <label for="q">"Search"</label>
                <input type="search" id="q" name="q" value=search.text.clone() placeholder="Name, category or seller" />
                <label for="region">"Region"</label>
                <select id="region" name="region">
                    <option value="">"Any region"</option>
                    {regions.into_iter().map(|r| {
                        let selected = search.region == r;
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
                <button type="submit">"Search"</button>
            </form>
            {loaded(list_products(search.clone()), move |list| {
                if list.is_empty() && filtered {
                    view! {
                        <EmptyState title="No products match" body="Try other words or another region." link=("/", "Show all products") />
                    }.into_any()
                } else if list.is_empty() {
                    view! {
                        <EmptyState
                            title="No products are listed yet"
                            body="Products appear here once a seller releases them and a reviewer approves them. Sellers can sign in to start."
                            link=("/sign-in", "Sign in")
                        />
                    }.into_any()
                } else {
                    view! {
                        <ul class="product-grid" aria-label="Products">
                            {list.into_iter().map(|p| view! { <ProductCard product=p /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </main>
    }
}

#[component]
fn ProductCard(product: ListedProduct) -> impl IntoView {
    view! {
        <li class="product-card">
            <h2><a href=format!("/products/{}", product.id)>{product.name.clone()}</a></h2>
            <p>{product.summary.clone()}</p>
            <p class="muted">{format!("{} · by {}", product.category, product.seller_name)}</p>
            <p class="muted">{format!("Regions: {}", product.regions.join(", "))}</p>
            {product.free.then(|| view! { <span class="badge ok">"Free image"</span> })}
        </li>
    }
}

/// The purchase form for a signed-in buyer (an island); for a visitor, a way to sign in
/// first, so the public page loads no script.
#[component]
fn BuyOrSignIn(page: crate::listing::ProductPage) -> impl IntoView {
    match crate::session::Session::current().role() {
        Some(crate::auth::Role::Reviewer) => ().into_any(),
        Some(_) => view! { <crate::pages::purchases::PurchaseForm page /> }.into_any(),
        None => view! { <p><a class="button" href="/sign-in">"Sign in to purchase"</a></p> }.into_any(),
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    view! {
        <main class="page">
            <p><a href="/">"← All products"</a></p>
            <Suspense fallback=|| view! { <p role="status">"Loading the product…"</p> }>
                {Suspend::new(async move {
                    match load_product(id).await {
                        Ok(page) => {
                            let p = page.product.clone();
                            let description = format!("{} — {} by {}, in {}.", p.summary, p.category, p.seller_name, p.regions.join(", "));
                            view! {
                                <Title text=p.name.clone() />
                                <Meta name="description" content=description />
                                <article class="product-page">
                                    <h1>{p.name.clone()}</h1>
                                    <p class="lead">{p.summary.clone()}</p>
                                    <p class="muted">{format!("{} · by {} · version {} · listed {}", p.category, p.seller_name, page.content.version, format_utc(p.listed_at))}</p>
                                    <p>{format!("Regions: {}", p.regions.join(", "))}</p>
                                    {p.free.then(|| view! { <p><span class="badge ok">"Free image"</span></p> })}
                                    <p class="description">{page.content.description.clone()}</p>
                                    <h2>"Specifications and prices"</h2>
                                    <ProductSpecifications content=page.content.clone() />
                                    <p class="muted">{format!("Support: {}", page.content.support_email)}</p>
                                    <BuyOrSignIn page=page.clone() />
                                </article>
                            }.into_any()
                        }
                        Err(error) => view! {
                            <Title text="Product not found" />
                            <crate::components::loaded::ErrorNotice error />
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
