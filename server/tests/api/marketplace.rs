//! The marketplace's search (R45, SPEC section 7): words, region, pricing mode and a price
//! range on the lowest price per billing mode, sorted and paginated, through the indexes
//! made for it, on both backends.

use crate::after_release::{released, tier_prices, owned};
use crate::helpers::{error_of, TestApp};
use crate::release::complete;
use app::listing::ProductResults;
use app::rules::release::{PricingMode, ProductDraft, TemplateKind, VcpuTierDraft};
use serde_json::json;

async fn search(app: &TestApp, query: &[(&str, &str)]) -> reqwest::Response {
    // The form always names the query, as the browser's does.
    let mut form: Vec<(String, &str)> = vec![("query[sort]".into(), "")];
    form.retain(|(k, _)| !query.iter().any(|(q, _)| format!("query[{q}]") == *k));
    form.extend(query.iter().map(|(k, v)| (format!("query[{k}]"), *v)));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.call(&app.client(), "products/list", &form).await
}

async fn results(app: &TestApp, page: &str) -> ProductResults {
    let response = search(app, &[("page", page)]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn names(app: &TestApp, query: &[(&str, &str)]) -> Vec<String> {
    let response = search(app, query).await;
    assert_eq!(response.status(), 200, "{query:?}");
    let results: ProductResults = response.json().await.unwrap();
    results.products.into_iter().map(|p| p.name).collect()
}

/// A product sold by the month at `monthly` (and by the hour at $0.10), in `regions`.
fn monthly(name: &'static str, monthly: &'static str, regions: &'static [&'static str]) -> impl FnOnce(String) -> ProductDraft {
    move |asset| {
        let mut c = complete(name, &asset);
        c.summary = format!("{name} for the web.");
        c.specifications[0].billing = [true, true, false];
        c.specifications[0].simple_prices = ["0.10".into(), monthly.into(), String::new()];
        c.specifications[0].regions = regions.iter().map(|r| r.to_string()).collect();
        c
    }
}

#[tokio::test]
async fn r45_the_marketplace_filters_by_words_region_pricing_mode_and_price_and_sorts_by_price() {
    let app = TestApp::spawn().await;
    released(&app, "rocky", monthly("Hardened Rocky", "50", &["eu-dublin"])).await;
    let (_, tiered_client, tiered) = released(&app, "ubuntu", |asset| {
        let mut c = monthly("Ubuntu Postgres", "0", &["eu-paris"])(asset);
        c.summary = "Node.js and Postgres on Ubuntu 22.04, for the web.".into();
        let spec = &mut c.specifications[0];
        spec.template = TemplateKind::Vcpu;
        spec.tiers = vec![
            VcpuTierDraft { vcpus: "2".into(), prices: ["0.20".into(), "60".into(), String::new()] },
            VcpuTierDraft { vcpus: "4".into(), prices: ["0.40".into(), "120".into(), String::new()] },
        ];
        c
    })
    .await;
    released(&app, "tools", |asset| {
        let mut c = monthly("Debian Tools", "0", &["eu-dublin", "eu-paris"])(asset);
        c.pricing_mode = Some(PricingMode::FreeImage);
        c.specifications[0].simple_prices = ["0".into(), "0".into(), String::new()];
        c
    })
    .await;

    // Newest first without words; every product is there.
    assert_eq!(names(&app, &[]).await, ["Debian Tools", "Ubuntu Postgres", "Hardened Rocky"]);
    // Words: each must be there, as a word or the start of one, in any field.
    assert_eq!(names(&app, &[("text", "rocky")]).await, ["Hardened Rocky"]);
    assert_eq!(names(&app, &[("text", "ubuntu POSTG")]).await, ["Ubuntu Postgres"], "the last word may be the start of one");
    assert_eq!(names(&app, &[("text", "web")]).await.len(), 3, "the summary is searched too");
    // Words sort by relevance: a match in the name weighs more than one in the description,
    // where every product says PostgreSQL; newest first when asked.
    assert_eq!(names(&app, &[("text", "postgres")]).await[0], "Ubuntu Postgres");
    assert_eq!(names(&app, &[("text", "postgres"), ("sort", "newest")]).await[0], "Debian Tools");
    // Versions and dotted names are split into words alike in the search and the index.
    assert_eq!(names(&app, &[("text", "node.js 22.04")]).await, ["Ubuntu Postgres"]);
    assert_eq!(names(&app, &[("text", "ubuntu 22")]).await, ["Ubuntu Postgres"]);
    assert!(names(&app, &[("text", "rocky windows")]).await.is_empty());
    assert!(names(&app, &[("text", "\"OR* NEAR(")]).await.is_empty(), "search syntax in the words is only words");
    // Region and pricing mode.
    assert_eq!(names(&app, &[("region", "eu-paris")]).await, ["Debian Tools", "Ubuntu Postgres"]);
    assert_eq!(names(&app, &[("mode", "free")]).await, ["Debian Tools"]);
    assert_eq!(names(&app, &[("mode", "charged"), ("region", "eu-dublin")]).await, ["Hardened Rocky"]);
    // Words and a region (PostgreSQL finds the region in its full-text index), names first.
    assert_eq!(names(&app, &[("text", "postgres"), ("region", "eu-paris")]).await, ["Ubuntu Postgres", "Debian Tools"]);
    assert_eq!(names(&app, &[("text", "rocky"), ("region", "eu-dublin")]).await, ["Hardened Rocky"]);
    assert!(names(&app, &[("text", "rocky"), ("region", "eu-paris")]).await.is_empty());
    assert!(names(&app, &[("text", "rocky"), ("region", "eu-dublin' | 'x")]).await.is_empty(), "a region is only a region");
    // The price range is on the lowest price of the chosen billing mode (monthly unless said).
    assert_eq!(names(&app, &[("min", "55")]).await, ["Ubuntu Postgres"], "the vCPU product's cheapest tier is $60");
    assert_eq!(names(&app, &[("min", "10"), ("max", "55")]).await, ["Hardened Rocky"]);
    assert_eq!(names(&app, &[("max", "0")]).await, ["Debian Tools"]);
    assert_eq!(names(&app, &[("billing", "pay_per_use"), ("min", "0.15")]).await, ["Ubuntu Postgres"]);
    assert!(names(&app, &[("billing", "yearly"), ("min", "0")]).await.is_empty(), "no product is offered yearly");
    // Sorted by price, lowest first.
    assert_eq!(names(&app, &[("sort", "price")]).await, ["Debian Tools", "Hardened Rocky", "Ubuntu Postgres"]);

    // A price change moves the product in the filters at once (R54).
    let before = owned(&app, &tiered_client, &tiered).await;
    let response = tier_prices(&app, &tiered_client, &tiered, before.version, json!([[ ["0.20", "40", ""], ["0.40", "120", ""] ]])).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(names(&app, &[("sort", "price"), ("mode", "charged")]).await, ["Ubuntu Postgres", "Hardened Rocky"]);
    assert_eq!(names(&app, &[("min", "55")]).await, Vec::<String>::new());

    // A search that cannot be run is a clear 400, never a 500.
    for bad in [[("min", "ten")], [("page", "0")], [("mode", "cheap")], [("sort", "random")]] {
        let response = search(&app, &bad).await;
        assert_eq!(response.status(), 400, "{bad:?}");
        assert!(!error_of(response).await.to_string().is_empty());
    }
    // Past the last page, nothing (and no error).
    let past = results(&app, "2").await;
    assert!(past.products.is_empty() && !past.more);

    // The same filters work as a plain GET form, without JavaScript, with the price on each card.
    let html = app.get(&app.client(), "/?mode=charged&min=10&max=55&billing=monthly").await.text().await.unwrap();
    assert!(html.contains("Hardened Rocky") && html.contains("Ubuntu Postgres") && !html.contains("Debian Tools"), "{html}");
    assert!(html.contains("from $50.00 / month") && html.contains("from $40.00 / month"), "each card shows its lowest price");
    let home = app.get(&app.client(), "/").await.text().await.unwrap();
    assert!(home.contains("from $40.00 / month") && home.contains(">Free<"), "every card has its price");
    // Sorted by a price, the page says that products not offered in its billing mode are left out.
    let said = "only products offered per hour are listed. Choose another billing mode under Lowest price to see the others.";
    let by_price = app.get(&app.client(), "/?sort=price&billing=pay_per_use").await.text().await.unwrap();
    assert!(by_price.contains(said), "{by_price}");
    assert!(!home.contains("only products offered per"), "not in another order");
    // Sorted by the price of a mode no product is offered in: the empty page says why.
    let none = app.get(&app.client(), "/?sort=price&billing=yearly").await.text().await.unwrap();
    assert!(none.contains("No products match") && none.contains("Sorted by the lowest price per year, only products offered per year are listed."), "{none}");
}

#[tokio::test]
async fn r45_results_come_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let per_page = app::listing::PAGE_SIZE as usize;
    // Listed directly, as many as two pages and one more, so the test stays quick.
    list_all(&app, (0..=per_page * 2).map(|n| app::rules::product::Product { name: format!("Paged {n:03}"), ..template() })).await;
    let (first, second, third) = (results(&app, "1").await, results(&app, "2").await, results(&app, "3").await);
    assert_eq!((first.products.len(), first.more), (per_page, true));
    assert_eq!((second.products.len(), second.more), (per_page, true));
    assert_eq!((third.products.len(), third.more), (1, false));
    assert_eq!(first.products[0].name, format!("Paged {:03}", per_page * 2), "newest first");
    assert_eq!(third.products[0].name, "Paged 000");
    let html = app.get(&app.client(), "/?page=2").await.text().await.unwrap();
    assert!(html.contains(r#"href="/?page=1""#) && html.contains(r#"href="/?page=3""#), "links to the pages around");
}

#[tokio::test]
async fn r45_best_match_lists_names_with_every_word_first_newest_first_across_pages() {
    let app = TestApp::spawn().await;
    let per_page = app::listing::PAGE_SIZE as usize;
    // Listed alternately: 30 with both words in the name, 30 with one of them only in the
    // description, and products without the words at all.
    let template = template();
    list_all(&app, (0..90).map(|n| match n % 3 {
        0 => app::rules::product::Product { name: format!("Quartz Relay {n:03}"), ..template.clone() },
        1 => app::rules::product::Product {
            name: format!("Quartz Gateway {n:03}"),
            description: format!("{} Ships with a relay.", template.description),
            ..template.clone()
        },
        _ => app::rules::product::Product { name: format!("Plain {n:03}"), ..template.clone() },
    }))
    .await;
    let app = &app;
    let page = |n: &'static str| async move {
        let response = search(app, &[("text", "quartz rel"), ("page", n)]).await;
        assert_eq!(response.status(), 200);
        response.json::<ProductResults>().await.unwrap()
    };
    let (first, second, third) = (page("1").await, page("2").await, page("3").await);
    let names: Vec<String> = [&first, &second, &third].iter().flat_map(|r| r.products.iter().map(|p| p.name.clone())).collect();
    let in_name: Vec<String> = (0..90).rev().filter(|n| n % 3 == 0).map(|n| format!("Quartz Relay {n:03}")).collect();
    let elsewhere: Vec<String> = (0..90).rev().filter(|n| n % 3 == 1).map(|n| format!("Quartz Gateway {n:03}")).collect();
    assert_eq!(names, [in_name, elsewhere].concat(), "every word in the name first, then the others, newest first in each");
    assert_eq!((first.more, second.more, third.more), (true, true, false));
    assert_eq!(third.products.len(), 60 - 2 * per_page);
    // A page that starts past every name match counts them to know where the others start.
    let fourth = page("4").await;
    assert!(fourth.products.is_empty() && !fourth.more);
}

#[tokio::test]
async fn r45_every_word_typed_must_be_in_the_name_however_many_and_in_whatever_order() {
    // PostgreSQL reads names by pairs of words, SQLite by word: both give the same products.
    let app = TestApp::spawn().await;
    let template = template();
    let product = |name: &str, description: &str| app::rules::product::Product {
        name: name.into(),
        description: format!("{} {description}", template.description),
        ..template.clone()
    };
    list_all(&app, [
        product("Zircon Yarrow Xenon", ""),
        product("Yarrow Xenon", ""),
        product("Zircon Xenon Kit", ""),
        product("Zircon Kit", "Mentions yarrow."),
        product("Onyx Pewter Quill Rune", ""),
        product("Onyx Pewter Rune", ""),
    ])
    .await;
    let found = |text: &'static str| {
        let app = &app;
        async move { names(app, &[("text", text)]).await }
    };
    assert_eq!(found("zircon yarrow").await, ["Zircon Yarrow Xenon", "Zircon Kit"], "both in the name first, then elsewhere");
    assert_eq!(found("xenon zircon yarrow").await, ["Zircon Yarrow Xenon"]);
    assert_eq!(found("yarrow xenon").await, ["Yarrow Xenon", "Zircon Yarrow Xenon"], "newest first");
    assert_eq!(found("xenon xenon").await, ["Zircon Xenon Kit", "Yarrow Xenon", "Zircon Yarrow Xenon"]);
    assert_eq!(found("zircon xeno").await, ["Zircon Xenon Kit", "Zircon Yarrow Xenon"], "a word being typed, with another");
    assert_eq!(found("zircon yar").await, ["Zircon Yarrow Xenon", "Zircon Kit"], "a short start of a word");
    assert_eq!(found("xenon xenon zirc").await, ["Zircon Xenon Kit", "Zircon Yarrow Xenon"]);
    assert_eq!(found("kit zircon").await, ["Zircon Kit", "Zircon Xenon Kit"]);
    assert!(found("zircon yarrow x").await.is_empty(), "a last word of one letter is a whole word");
    assert_eq!(found("yarrow kit").await, ["Zircon Kit"], "the words in one product, not across two");
    assert_eq!(found("quill onyx pewter rune").await, ["Onyx Pewter Quill Rune"], "four words, each needed");
    assert_eq!(found("rune pewter onyx").await, ["Onyx Pewter Rune", "Onyx Pewter Quill Rune"]);
    assert_eq!(found("onyx rune quill pew").await, ["Onyx Pewter Quill Rune"]);
}

#[tokio::test]
async fn r45_a_very_long_word_is_indexed_and_a_word_being_typed_finds_it_and_accents_are_folded_on_sqlite() {
    let app = TestApp::spawn().await;
    let template = template();
    let long: String = (0..3000).map(|n| char::from(b'a' + ((n * 7 + n / 13) % 26) as u8)).collect();
    list_all(&app, [
        app::rules::product::Product { name: "Café Tools".into(), ..template.clone() },
        app::rules::product::Product { name: "Cafeteria Tools".into(), ..template.clone() },
        app::rules::product::Product { name: "Long Word".into(), description: format!("{} {long}", template.description), ..template.clone() },
    ])
    .await;
    // Listing it worked on both backends (its word is kept cut among the search terms).
    // PostgreSQL's full-text index leaves out words over 2,047 bytes, so only SQLite finds it.
    let typed = names(&app, &[("text", "cafe")]).await;
    if app::store::backend(&app.db) == app::store::Backend::Sqlite {
        let prefix: String = long.chars().take(45).collect();
        assert_eq!(names(&app, &[("text", &long[..20])]).await, ["Long Word"], "a word being typed finds a word of 3,000 letters");
        assert_eq!(names(&app, &[("text", &prefix)]).await, ["Long Word"]);
        // SQLite's index drops accents, and the words a typed word may start are kept alike.
        assert_eq!(typed, ["Cafeteria Tools", "Café Tools"]);
    } else {
        assert_eq!(typed, ["Cafeteria Tools"]);
    }
    assert!(names(&app, &[("text", "café")]).await.contains(&"Café Tools".to_owned()));
}

/// A product passing every rule, to list variations of.
fn template() -> app::rules::product::Product {
    app::rules::product::Product::try_from(complete("Paged", "asset")).unwrap()
}

/// Lists `products` directly for one new seller, oldest first (the first listed at time 0).
async fn list_all(app: &TestApp, products: impl IntoIterator<Item = app::rules::product::Product>) {
    let seller = app.account(app::auth::Role::Seller).await;
    for (n, product) in products.into_iter().enumerate() {
        list_directly(app, &seller.id, n, &product).await;
    }
}

/// Lists `product` directly, as an approval would, with a request of its own.
async fn list_directly(app: &TestApp, seller_id: &str, n: usize, product: &app::rules::product::Product) -> String {
    let request = format!("request-{n}");
    sqlx::query("INSERT INTO release_requests (id, seller_id, product_name, content, status, submitted_at) VALUES ($1, $2, $3, '{}', 'Approved', $4)")
        .bind(&request)
        .bind(seller_id)
        .bind(&product.name)
        .bind(n as i64)
        .execute(&app.db)
        .await
        .unwrap();
    let id = format!("product-{n}");
    let mut conn = app.db.acquire().await.unwrap();
    app::listing::ssr::list(&mut conn, &id, seller_id, &request, product, n as i64).await.unwrap();
    id
}

#[tokio::test]
async fn r45_a_product_changed_without_its_index_is_indexed_again_at_start_up() {
    let app = TestApp::spawn().await;
    let seller = app.account(app::auth::Role::Seller).await;
    let product = app::rules::product::Product::try_from(complete("Old Name", "asset")).unwrap();
    let id = list_directly(&app, &seller.id, 1, &product).await;
    // A server without the search index (during an upgrade) renames it without indexing it.
    let renamed = app::rules::product::Product { name: "Fresh Name".into(), ..product };
    sqlx::query("UPDATE products SET content = $1, version = version + 1 WHERE id = $2")
        .bind(serde_json::to_string(&renamed).unwrap())
        .bind(&id)
        .execute(&app.db)
        .await
        .unwrap();
    assert!(names(&app, &[("text", "fresh")]).await.is_empty(), "the index still has the old words");
    app::listing::ssr::index_unindexed(&app.db).await.unwrap();
    assert_eq!(names(&app, &[("text", "fresh")]).await, ["Fresh Name"]);
    assert!(names(&app, &[("text", "old")]).await.is_empty());
    if app::store::backend(&app.db) == app::store::Backend::Postgres {
        // A server from before names held pairs of words writes them without, as current.
        let pair = |db| async move {
            sqlx::query_scalar::<_, bool>("SELECT names @@ '''+fresh name'''::tsquery FROM products WHERE id = 'product-1'").fetch_one(db).await.unwrap()
        };
        assert!(pair(&app.db).await);
        sqlx::query("UPDATE products SET names = strip(to_tsvector('simple', 'fresh name')) WHERE id = $1").bind(&id).execute(&app.db).await.unwrap();
        assert!(!pair(&app.db).await);
        app::listing::ssr::index_unindexed(&app.db).await.unwrap();
        assert!(pair(&app.db).await, "indexed again with its pairs");
    }
    // A product whose stored content does not read is skipped and logged, not a failed start.
    sqlx::query("UPDATE products SET content = 'not a product', version = version + 1 WHERE id = $1").bind(&id).execute(&app.db).await.unwrap();
    app::listing::ssr::index_unindexed(&app.db).await.unwrap();
}

#[tokio::test]
async fn r15_a_sellers_own_products_are_read_through_an_index_not_the_whole_marketplace() {
    // My Products and the names a new product must differ from (R15) read one seller's
    // products: with a marketplace of 100,000 that was every row, on every page view.
    let app = TestApp::spawn().await;
    let statements = ["SELECT name FROM products WHERE seller_id = 'someone'", "SELECT id, content FROM products WHERE seller_id = 'someone'"];
    for statement in statements {
        let plan: Vec<String> = match app::store::backend(&app.db) {
            app::store::Backend::Sqlite => {
                use sqlx::Row;
                let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {statement}")).fetch_all(&app.db).await.unwrap();
                rows.iter().map(|row| row.try_get::<String, _>("detail").unwrap()).collect()
            }
            app::store::Backend::Postgres => {
                // A table this small is read whole whatever its indexes: ask whether one fits.
                let mut tx = app.db.begin().await.unwrap();
                sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
                let plan = sqlx::query_scalar(&format!("EXPLAIN {statement}")).fetch_all(&mut *tx).await.unwrap();
                tx.rollback().await.unwrap();
                plan
            }
        };
        assert!(plan.iter().any(|line| line.contains("products_seller")), "{statement}: {plan:?}");
    }
}

