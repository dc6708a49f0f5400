//! The public marketplace site (R45, SPEC section 7): approved products, open to everyone,
//! rendered on the server so that it reads without JavaScript and has a title and a
//! description for search engines. The search is a plain GET form for the same reason.

use crate::components::empty_state::EmptyState;
use crate::components::loaded::loaded;
use crate::components::product::ProductSpecifications;
use crate::components::time::format_utc;
use crate::listing::{list_products, load_product, ListedProduct, ProductQuery, MAX_PAGE};
use crate::rules::release::BillingMode;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn MarketplaceHome() -> impl IntoView {
    let query = use_query_map();
    let search = query.with_untracked(|q| {
        let get = |name: &str| q.get(name).unwrap_or_default();
        ProductQuery {
            text: get("q"),
            region: get("region"),
            mode: get("mode"),
            billing: get("billing"),
            min: get("min"),
            max: get("max"),
            sort: get("sort"),
            page: get("page"),
        }
    });
    let filtered = search.filtered();
    let regions = crate::listing::product_regions();
    // The form shows what was asked: Best match unless another order was chosen (without
    // words the server lists the newest first), and the billing mode chosen.
    let sort = match search.sort.trim() {
        "" => "relevance".to_owned(),
        chosen => chosen.to_owned(),
    };
    let sort = sort.as_str();
    let by_price = sort == "price";
    let billing = BillingMode::ALL.into_iter().find(|b| b.key() == search.billing.trim()).unwrap_or(BillingMode::Monthly);
    let option = |value: &'static str, label: &'static str, current: &str| {
        view! { <option value=value selected=current == value>{label}</option> }
    };
    view! {
        <Title text="Virtual-machine images" />
        <Meta name="description" content="Browse virtual-machine image products from marketplace sellers." />
        <main id="main" class="page">
            <section class="hero">
                <h1>"Virtual-machine images, ready to deploy"</h1>
                <p class="lead">"Images released by marketplace sellers, reviewed before they are listed."</p>
            </section>
            <form method="get" action="/" class="search" role="search" aria-label="Products">
                <div class="field">
                    <label for="q">"Search"</label>
                    <input type="search" id="q" name="q" value=search.text.clone() placeholder="Name, category or seller" maxlength="200" />
                </div>
                <div class="field">
                    <label for="region">"Region"</label>
                    <select id="region" name="region">
                        <option value="">"Any region"</option>
                        {regions.into_iter().map(|r| {
                            let selected = search.region == r;
                            view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="mode">"Pricing mode"</label>
                    <select id="mode" name="mode">
                        {option("", "Any pricing mode", &search.mode)}
                        {option("free", "Free image", &search.mode)}
                        {option("charged", "Charged", &search.mode)}
                    </select>
                </div>
                <fieldset class="price-range">
                    <legend>"Lowest price (USD)"</legend>
                    <label for="billing" class="visually-hidden">"Billing mode of the price"</label>
                    <select id="billing" name="billing">
                        {BillingMode::ALL.into_iter().map(|b| view! {
                            <option value=b.key() selected=b == billing>{format!("per {}", b.unit())}</option>
                        }).collect_view()}
                    </select>
                    <label for="min">"From"</label>
                    <input id="min" name="min" inputmode="decimal" size="7" maxlength="20" value=search.min.clone() />
                    <label for="max">"to"</label>
                    <input id="max" name="max" inputmode="decimal" size="7" maxlength="20" value=search.max.clone() />
                </fieldset>
                <div class="field">
                    <label for="sort">"Sort by"</label>
                    <select id="sort" name="sort">
                        {option("relevance", "Best match", sort)}
                        {option("newest", "Newest", sort)}
                        {option("price", "Lowest price", sort)}
                    </select>
                </div>
                <button type="submit">"Search"</button>
            </form>
            {loaded(list_products(search.clone()), move |results| {
                if results.products.is_empty() && results.page > 1 {
                    view! {
                        <EmptyState title="No more products" body="This search has no more pages." link=("/", "Show all products") />
                    }.into_any()
                } else if results.products.is_empty() && filtered {
                    // Sorted by a price, the products not offered in its billing mode are left out.
                    let body = if by_price {
                        format!("Sorted by the lowest price per {unit}, only products offered per {unit} are listed. Choose another billing mode under Lowest price, or try other words, another region or a wider price range.", unit = billing.unit())
                    } else {
                        "Try other words, another region or a wider price range.".to_owned()
                    };
                    view! {
                        <EmptyState title="No products match" body=body link=("/", "Show all products") />
                    }.into_any()
                } else if results.products.is_empty() {
                    view! {
                        <EmptyState
                            title="No products are listed yet"
                            body="Products appear here once a seller releases them and a reviewer approves them. Sellers can sign in to start."
                            link=("/sign-in", "Sign in")
                        />
                    }.into_any()
                } else {
                    let page = results.page;
                    let previous = (page > 1).then(|| search.page_link(page - 1));
                    let next = (results.more && page < MAX_PAGE).then(|| search.page_link(page + 1));
                    // Sorted by a price, only the products offered in its billing mode are listed.
                    let price_sorted = by_price.then(|| view! {
                        <p class="muted" role="note">{format!(
                            "Sorted by the lowest price per {unit}: only products offered per {unit} are listed. Choose another billing mode under Lowest price to see the others.",
                            unit = billing.unit(),
                        )}</p>
                    });
                    view! {
                        {price_sorted}
                        <ul class="product-grid" aria-label="Products">
                            {results.products.into_iter().map(|p| view! { <ProductCard product=p billing /> }).collect_view()}
                        </ul>
                        <nav class="pagination" aria-label="Pages of products">
                            {previous.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
                            <span aria-current="page">{format!("Page {page}")}</span>
                            {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
                        </nav>
                    }.into_any()
                }
            })}
        </main>
    }
}

#[component]
fn ProductCard(product: ListedProduct, billing: BillingMode) -> impl IntoView {
    view! {
        <li class="product-card">
            <h2><a href=format!("/products/{}", product.id)>{product.name.clone()}</a></h2>
            <p>{product.summary.clone()}</p>
            <p class="card-price">{product.price_from(billing)}</p>
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
    let session = crate::session::Session::current();
    match session.role() {
        Some(crate::auth::Role::Reviewer) => ().into_any(),
        Some(_) => {
            let credit_cents = session.credit_cents.unwrap_or(0);
            let free = page.content.is_free();
            let unsaid = page.clone();
            // Bought before: said beside the form, whose button then buys again. If that
            // cannot be read, the form is there all the same.
            crate::components::loaded::loaded_else(
                crate::purchases::bought_before(page.product.id.clone()),
                move |bought| view! {
                    {bought.map(|b| {
                        // A Free image is taken once for each choice: held since it was first taken.
                        let said = if free {
                            format!("You hold this Free image since {}: deploy it from ", format_utc(b.first))
                        } else {
                            format!("You last bought this product on {}. It is in ", format_utc(b.last))
                        };
                        let after = if free { "." } else { ", ready to deploy." };
                        view! { <p class="notice" id="bought-before">{said}<a href="/purchases">"My purchases"</a>{after}</p> }
                    })}
                    <crate::pages::purchases::PurchaseForm page credit_cents bought=bought.is_some() />
                },
                move |_| view! { <crate::pages::purchases::PurchaseForm page=unsaid credit_cents bought=false /> }.into_any(),
            )
            .into_any()
        }
        // Back to this product once signed in.
        None => {
            let href = format!("/sign-in?next={}", crate::listing::encode(&format!("/products/{}", page.product.id)));
            view! { <p><a class="button" href=href>"Sign in to purchase"</a></p> }.into_any()
        }
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    view! {
        <main id="main" class="page">
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
                                    <ProductSpecifications content=page.content.clone() coming=page.coming.clone() />
                                    <p class="muted">{format!("Support: {}", page.content.support_email)}</p>
                                    <BuyOrSignIn page=page.clone() />
                                </article>
                            }.into_any()
                        }
                        Err(error) => view! {
                            <Title text="Product not found" />
                            <h1>"Product not found"</h1>
                            <crate::components::loaded::ErrorNotice error />
                            <p><a href="/">"Browse the marketplace"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
