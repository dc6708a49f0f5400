//! After release (SPEC section 5): Set as Free Image (R50, R51), vCPU price changes (R54),
//! the image lock (R52), purchases and deployments (R53), regions (R55).

use crate::helpers::{error_of, TestApp};
use crate::release::{asset, complete, submit};
use crate::review::decide;
use app::auth::{Account, Role};
use app::products::{Freed, OwnedProduct};
use app::purchases::Purchase;
use app::release::Submitted;
use app::rules::product::{Pricing, Product};
use app::rules::release::{BillingMode, ProductDraft, TemplateKind, VcpuTierDraft};
use app::rules::Rule;
use reqwest::Client;
use serde_json::json;

/// A seller's product, submitted and approved: (seller, client, product id).
/// Its image's id is `img-<image>`.
pub async fn released(app: &TestApp, image: &str, content: impl FnOnce(String) -> ProductDraft) -> (Account, Client, String) {
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(app, &client, &seller, image).await;
    let response = submit(app, &client, None, &content(asset_id)).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let Submitted { request_id } = response.json().await.unwrap();
    let (_, review) = app.signed_in(Role::Reviewer).await;
    assert_eq!(decide(app, &review, &request_id, "Approve", "").await.status(), 200);
    let product_id: String = sqlx::query_scalar("SELECT id FROM products WHERE request_id = $1")
        .bind(&request_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    (seller, client, product_id)
}

pub fn zero_priced(asset_id: String) -> ProductDraft {
    let mut c = complete("Zero", &asset_id);
    c.specifications[0].simple_prices = ["0".into(), String::new(), String::new()];
    c
}

pub fn vcpu_priced(asset_id: String) -> ProductDraft {
    let mut c = complete("Tiered", &asset_id);
    let spec = &mut c.specifications[0];
    spec.template = TemplateKind::Vcpu;
    spec.billing = [true, true, false];
    spec.tiers = vec![
        VcpuTierDraft { vcpus: "2".into(), prices: ["0.10".into(), "50".into(), String::new()] },
        VcpuTierDraft { vcpus: "4".into(), prices: ["0.20".into(), "100".into(), String::new()] },
    ];
    c
}

pub async fn owned(app: &TestApp, client: &Client, id: &str) -> OwnedProduct {
    let response = app.call(client, "products/owned", &[("id", id)]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn set_free(app: &TestApp, client: &Client, id: &str, version: i64) -> reqwest::Response {
    app.call(client, "products/set-free", &[("id", id), ("version", &version.to_string())]).await
}

pub async fn tier_prices(app: &TestApp, client: &Client, id: &str, version: i64, prices: serde_json::Value) -> reqwest::Response {
    client
        .post(format!("{}/api/products/tier-prices", app.address))
        .json(&json!({ "id": id, "version": version, "prices": prices }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn r50_a_zero_priced_product_is_set_as_a_free_image_and_its_price_never_changes_after() {
    let app = TestApp::spawn().await;
    let (_, client, id) = released(&app, "zero", zero_priced).await;
    let before = owned(&app, &client, &id).await;

    let response = set_free(&app, &client, &id, before.version).await;
    assert_eq!(response.status(), 200);
    let freed: Freed = response.json().await.unwrap();
    assert_eq!(freed, Freed { id: id.clone(), version: before.version + 1 });
    let after = owned(&app, &client, &id).await;
    assert!(after.product.free);
    assert_eq!(after.version, freed.version);

    let again = set_free(&app, &client, &id, after.version).await;
    assert_eq!(error_of(again).await.violations()[0].rule, Rule::R50);
    let forged = tier_prices(&app, &client, &id, after.version, json!([[["1", "", ""]]])).await;
    assert_eq!(forged.status(), 422);
    assert_eq!(error_of(forged).await.violations()[0].rule, Rule::R50, "no path changes a Free image's price");
    assert_eq!(owned(&app, &client, &id).await.content, after.content);
}

#[tokio::test]
async fn r51_a_vcpu_priced_product_is_refused_set_as_free_image_with_the_reason() {
    let app = TestApp::spawn().await;
    let (_, client, id) = released(&app, "tiered", vcpu_priced).await;
    let version = owned(&app, &client, &id).await.version;
    let response = set_free(&app, &client, &id, version).await;
    assert_eq!(response.status(), 422);
    let error = error_of(response).await;
    assert_eq!(error.violations()[0].rule, Rule::R51);
    assert!(error.to_string().contains("vCPUs"));
    assert!(!owned(&app, &client, &id).await.product.free);
}

#[tokio::test]
async fn r54_tier_prices_change_with_their_history_and_tiers_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let (seller, client, id) = released(&app, "tiered", vcpu_priced).await;
    let version = owned(&app, &client, &id).await.version;

    // Decreases, which apply at once (increases wait for their notice: price_notices.rs).
    let response = tier_prices(&app, &client, &id, version, json!([[["0.08", "50", ""], ["0.20", "95.5", ""]]])).await;
    assert_eq!(response.status(), 200);
    let changed: OwnedProduct = response.json().await.unwrap();
    assert_eq!(tier_price(&changed.content, 0, 0), "0.08");
    assert_eq!(changed.history.len(), 2);
    let h = changed.history.iter().find(|h| h.vcpus == "4").unwrap();
    assert_eq!((h.old_price.as_str(), h.new_price.as_str(), h.billing.as_str()), ("100.00", "95.50", BillingMode::Monthly.label()));
    assert_eq!(h.changed_by, seller.display_name);

    let public: app::listing::ProductPage = app.call(&app.client(), "products/get", &[("id", &id)]).await.json().await.unwrap();
    assert_eq!(tier_price(&public.content, 1, 1), "95.50", "the public page shows the current prices");

    let deleted = tier_prices(&app, &client, &id, changed.version, json!([[["0.08", "50", ""]]])).await;
    assert_eq!(deleted.status(), 422);
    assert!(error_of(deleted).await.to_string().contains("cannot be deleted"));
    let stale = tier_prices(&app, &client, &id, version, json!([[["0.07", "50", ""], ["0.20", "95.5", ""]]])).await;
    assert_eq!(stale.status(), 409, "a change from an older version is refused");
    let (_, other) = app.signed_in(Role::Seller).await;
    assert_eq!(tier_prices(&app, &other, &id, changed.version, json!([[["1", "1", ""], ["1", "1", ""]]])).await.status(), 404);
    assert_eq!(owned(&app, &client, &id).await.history.len(), 2, "refusals record nothing");
}

#[tokio::test]
async fn r52_r53_r55_a_locked_image_cannot_deploy_until_its_product_is_purchased_in_a_region_it_is_offered_in() {
    let app = TestApp::spawn().await;
    let (seller, client, id) = released(&app, "tiered", vcpu_priced).await;
    let response = app.call(&client, "images/deploy", &[("image_id", "img-tiered")]).await;
    assert_eq!(response.status(), 422);
    let error = error_of(response).await;
    assert_eq!(error.violations()[0].rule, Rule::R52);
    assert!(error.to_string().contains("Purchase the product from the marketplace"));

    let choice = json!({ "specification": 0, "region": "eu-paris", "billing": "Monthly", "tier": 1 });
    let buy = |client: Client, choice: serde_json::Value| {
        let url = format!("{}/api/purchases/buy", app.address);
        let id = id.clone();
        let shown = if choice["tier"] == 1 { 10_000 } else { 5_000 };
        async move { client.post(url).json(&json!({ "id": id, "choice": choice, "shown_cents": shown })).send().await.unwrap() }
    };
    let broke = buy(client.clone(), choice.clone()).await;
    assert_eq!(error_of(broke).await.violations()[0].rule, Rule::R53, "no credit, no purchase");
    app.set_credit(&seller, 15000).await;
    let response = buy(client.clone(), choice).await;
    assert_eq!(response.status(), 200, "the seller buys its own product");
    let purchase: Purchase = response.json().await.unwrap();
    assert_eq!(purchase.price_cents, 10_000);
    let credit: i64 = sqlx::query_scalar("SELECT credit_cents FROM accounts WHERE id = $1").bind(&seller.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(credit, 5_000);
    assert_eq!(app.call(&client, "purchases/deploy", &[("purchase_id", &purchase.id)]).await.status(), 200);
    let list: app::paging::Paged<Purchase> = app.call(&client, "purchases/list", &[]).await.json().await.unwrap();
    assert_eq!(list.items[0].deployments, 1);

    let (_, stranger) = app.signed_in(Role::Customer).await;
    assert_eq!(app.call(&stranger, "purchases/deploy", &[("purchase_id", &purchase.id)]).await.status(), 404);
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    let forbidden = buy(reviewer, json!({ "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 0 })).await;
    assert_eq!(forbidden.status(), 403);
    let nowhere = buy(stranger, json!({ "specification": 0, "region": "ap-singapore", "billing": "Monthly", "tier": 0 })).await;
    assert_eq!(nowhere.status(), 422, "R55: only where it is offered");
}

#[tokio::test]
async fn r53_concurrent_purchases_never_spend_more_credit_than_there_is_and_free_images_need_a_balance() {
    let app = TestApp::spawn().await;
    let (_, _, paid) = released(&app, "tiered", vcpu_priced).await;
    let (customer, client) = app.customer_with_credit(25000).await;
    let attempts = (0..6).map(|_| {
        let (client, url, id) = (client.clone(), format!("{}/api/purchases/buy", app.address), paid.clone());
        async move {
            let choice = json!({ "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 1 });
            client.post(url).json(&json!({ "id": id, "choice": choice, "shown_cents": 10_000 })).send().await.unwrap().status().as_u16()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 2, "$250 buys two at $100: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 4);
    let credit: i64 = sqlx::query_scalar("SELECT credit_cents FROM accounts WHERE id = $1").bind(&customer.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(credit, 5_000);

    let (_, seller_client, free) = released(&app, "zero", zero_priced).await;
    let version = owned(&app, &seller_client, &free).await.version;
    assert_eq!(set_free(&app, &seller_client, &free, version).await.status(), 200);
    let (_, broke) = app.signed_in(Role::Customer).await;
    let choice = json!({ "specification": 0, "region": "eu-dublin", "billing": "PayPerUse", "tier": null });
    let url = format!("{}/api/purchases/buy", app.address);
    let refused = broke.post(&url).json(&json!({ "id": free, "choice": choice, "shown_cents": 0 })).send().await.unwrap();
    assert!(error_of(refused).await.to_string().contains("credit balance"));
    let bought = client.post(&url).json(&json!({ "id": free, "choice": choice, "shown_cents": 0 })).send().await.unwrap();
    assert_eq!(bought.status(), 200, "a customer with a credit balance uses a Free image");
    assert_eq!(bought.json::<Purchase>().await.unwrap().price_cents, 0);
    // Its page says it is held, and buying it again is the same purchase: no "again".
    let page = app.get(&client, &format!("/products/{free}")).await.text().await.unwrap();
    assert!(page.contains("You hold this Free image since "), "{page}");
    assert!(!page.contains("Purchase again"), "{page}");
}

#[tokio::test]
async fn r52_an_unlocked_image_deploys_and_a_foreign_one_is_not_found() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    asset(&app, &client, &seller, "free").await;
    assert_eq!(app.call(&client, "images/deploy", &[("image_id", "img-free")]).await.status(), 200);
    let (_, other) = app.signed_in(Role::Seller).await;
    assert_eq!(app.call(&other, "images/deploy", &[("image_id", "img-free")]).await.status(), 404);
    let deployments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deployments").fetch_one(&app.db).await.unwrap();
    assert_eq!(deployments, 1);
}

#[tokio::test]
async fn r52_a_locked_image_cannot_go_into_another_product() {
    let app = TestApp::spawn().await;
    let (_, client, _) = released(&app, "tiered", vcpu_priced).await;
    let setup: app::release::ReleaseSetup = app.call(&client, "release/setup", &[]).await.json().await.unwrap();
    assert_eq!(setup.assets[0].availability, app::rules::release::AssetAvailability::Locked);
    let again = submit(&app, &client, None, &complete("Another", &setup.assets[0].id)).await;
    assert_eq!(again.status(), 422);
    assert!(error_of(again).await.violations().iter().any(|v| v.rule == Rule::R20));
}

#[tokio::test]
async fn my_products_lists_every_product_with_its_status_and_only_the_operations_that_apply() {
    use app::products::{ProductRow, ProductStatus};
    let app = TestApp::spawn().await;
    let (seller, client, released_id) = released(&app, "zero", zero_priced).await;
    let pending_asset = asset(&app, &client, &seller, "pending").await;
    assert_eq!(submit(&app, &client, None, &complete("Pending", &pending_asset)).await.status(), 200);
    // Newest first within a status (times are in milliseconds).
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let later_asset = asset(&app, &client, &seller, "later").await;
    assert_eq!(submit(&app, &client, None, &complete("Pending later", &later_asset)).await.status(), 200);
    let draft = json!({ "base": "New", "content": complete("Drafted", ""), "save_id": app::drafts::new_save_id() });
    let saved = client.post(format!("{}/api/drafts/save", app.address)).json(&draft).send().await.unwrap();
    assert_eq!(saved.status(), 200);

    let rows: Vec<ProductRow> = app.call(&client, "products/mine", &[]).await.json().await.unwrap();
    let summary: Vec<(&str, ProductStatus, bool)> = rows.iter().map(|r| (r.name.as_str(), r.status, r.can_set_free)).collect();
    assert_eq!(
        summary,
        [
            ("Zero", ProductStatus::Released, true),
            ("Pending later", ProductStatus::InReview, false),
            ("Pending", ProductStatus::InReview, false),
            ("Drafted", ProductStatus::Draft, false)
        ]
    );
    assert_eq!(rows[0].id, released_id);
    assert_eq!((rows[0].pricing.as_str(), rows[0].templates.as_str()), ("Charged", "Simple"));
    assert_eq!(rows[0].regions, ["eu-dublin", "eu-paris"]);
    let (_, other) = app.signed_in(Role::Seller).await;
    let theirs: Vec<ProductRow> = app.call(&other, "products/mine", &[]).await.json().await.unwrap();
    assert!(theirs.is_empty(), "each seller sees only their own");
}

#[tokio::test]
async fn my_products_shows_every_change_at_once_on_every_server() {
    use app::drafts::SavedDraft;
    use app::products::{ProductRow, ProductStatus};
    // Two servers on one database. Each keeps the rows it has drawn, by version: what one
    // changes, the other lists at once.
    let url = crate::helpers::fresh_database_url().await;
    let one = TestApp::spawn_on(url.clone()).await;
    let two = TestApp::spawn_on(url).await;
    let (seller, client, released_id) = released(&one, "zero", zero_priced).await;
    let pending_asset = asset(&one, &client, &seller, "pending").await;
    let response = submit(&one, &client, None, &complete("Pending", &pending_asset)).await;
    let Submitted { request_id } = response.json().await.unwrap();
    let save = |base: serde_json::Value, name: &str| {
        json!({ "base": base, "content": complete(name, ""), "save_id": app::drafts::new_save_id() })
    };
    let saved = client.post(format!("{}/api/drafts/save", one.address)).json(&save(json!("New"), "Drafted")).send().await.unwrap();
    let draft: SavedDraft = saved.json().await.unwrap();
    async fn listed(app: &TestApp, client: &Client) -> Vec<(String, ProductStatus, String)> {
        let rows: Vec<ProductRow> = app.call(client, "products/mine", &[]).await.json().await.unwrap();
        rows.into_iter().map(|r| (r.name, r.status, r.pricing)).collect()
    }
    let first = listed(&one, &client).await;
    assert_eq!(first, listed(&two, &client).await);
    assert_eq!(first.len(), 3);

    // Each change is made on one server and listed on both, one at a time (a list with
    // any row not kept is read whole, which would hide a row kept stale). The draft saved
    // again (its version goes up):
    let base = json!({ "Existing": { "id": draft.id, "version": draft.version } });
    let again = client.post(format!("{}/api/drafts/save", one.address)).json(&save(base, "Renamed")).send().await.unwrap();
    assert_eq!(again.status(), 200);
    let mut expected = vec![
        ("Zero".to_owned(), ProductStatus::Released, "Charged".to_owned()),
        ("Pending".to_owned(), ProductStatus::InReview, "Charged".to_owned()),
        ("Renamed".to_owned(), ProductStatus::Draft, "Charged".to_owned()),
    ];
    assert_eq!(listed(&two, &client).await, expected, "the other server");
    assert_eq!(listed(&one, &client).await, expected, "the server that made the change");
    // The released product set as a Free image:
    let product = owned(&one, &client, &released_id).await;
    assert_eq!(set_free(&one, &client, &released_id, product.version).await.status(), 200);
    expected[0].2 = "Free image".to_owned();
    assert_eq!(listed(&two, &client).await, expected, "the other server");
    assert_eq!(listed(&one, &client).await, expected, "the server that made the change");
    // The request rejected by a reviewer:
    let (_, review) = one.signed_in(Role::Reviewer).await;
    assert_eq!(decide(&one, &review, &request_id, "Reject", "The description is missing details.").await.status(), 200);
    expected[1].1 = ProductStatus::Rejected;
    assert_eq!(listed(&two, &client).await, expected, "the other server");
    assert_eq!(listed(&one, &client).await, expected, "the server that made the change");
}

/// My Products' table island as `client` is sent it, at `/console/products{query}`.
async fn my_products_table(app: &TestApp, client: &reqwest::Client, query: String) -> String {
    let response = client.get(format!("{}/console/products{query}", app.address)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let start = html.find("<leptos-island").expect("the table island");
    let end = html.rfind("</leptos-island>").expect("the table island's end");
    html[start..end].to_owned()
}

#[tokio::test]
async fn my_products_table_is_drawn_again_only_for_another_list_and_a_failed_form_is_shown_once() {
    // The table is kept as drawn, under its whole input (`components::drawn`).
    let app = TestApp::spawn().await;
    let (_, client, released_id) = released(&app, "zero", zero_priced).await;
    let page = |query: String| my_products_table(&app, &client, query);
    // A form sent without script comes back with its server function's error in the
    // address (URL-safe base64 of the error's JSON), and the island whose action it was
    // shows it. First, on a list no page has drawn yet: that table is not kept for the next
    // page.
    let (failed_at, conflict) =
        app.failed_form(&client, "products/set-free", &[("id", &released_id), ("version", "0")], "/console/products").await;
    let failed = page(failed_at.trim_start_matches("/console/products").to_owned()).await;
    assert!(failed.contains("changed in another tab"), "{failed}");
    let first = page(String::new()).await;
    assert!(first.contains("Zero") && !first.contains("changed in another tab"), "{first}");
    assert_eq!(page(String::new()).await, first, "written again from what was kept");
    // Another function's error is not this island's: the page draws the table itself, past
    // what was kept, and draws what was kept.
    assert_eq!(page(format!("?__path=/api/none&__err={conflict}")).await, first);

    // Another list is drawn anew.
    let product = owned(&app, &client, &released_id).await;
    assert_eq!(set_free(&app, &client, &released_id, product.version).await.status(), 200);
    let freed = page(String::new()).await;
    let free_pricing = "&quot;Free image&quot;";
    assert!(freed.contains(free_pricing) && !first.contains(free_pricing), "{freed}");
}

#[tokio::test]
async fn my_products_table_keeps_hostile_names_escaped() {
    // The kept table is written back unescaped (`components::drawn`): it must be exactly
    // what Leptos wrote, with every word of the seller's escaped, both when it is drawn
    // and when it is written again from what was kept.
    let app = TestApp::spawn().await;
    let (_, client, _) = released(&app, "zero", zero_priced).await;
    let hostile = r#"</table><script>alert(1)</script><img src=x onerror="alert(2)"> & 'x'"#;
    let draft = json!({ "base": "New", "content": complete(hostile, ""), "save_id": app::drafts::new_save_id() });
    let saved = client.post(format!("{}/api/drafts/save", app.address)).json(&draft).send().await.unwrap();
    assert_eq!(saved.status(), 200);
    let page = |query: String| my_products_table(&app, &client, query);
    let drawn = page(String::new()).await;
    let kept = page(String::new()).await;
    // Past the store: the page's own renderer draws it.
    let (_, error) = app.failed_form(&client, "products/set-free", &[("id", "none"), ("version", "1")], "/console/products").await;
    let rendered = page(format!("?__path=/api/none&__err={error}")).await;
    for (how, table) in [("drawn", &drawn), ("kept", &kept), ("rendered", &rendered)] {
        assert!(table.contains("&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "{how}: {table}");
        assert!(!table.contains("<script") && !table.contains("<img") && !table.contains("</table><script"), "{how}: {table}");
    }
    assert_eq!(kept, drawn);
    assert_eq!(rendered, drawn);
}

/// The price of billing mode `m` for tier `t` of the first specification, as text.
fn tier_price(product: &Product, t: usize, m: usize) -> String {
    match &product.specifications[0].pricing {
        Pricing::Vcpu(tiers) => tiers[t].prices[m].map(|p| p.to_string()).unwrap_or_default(),
        Pricing::Simple(_) => panic!("the product is priced by vCPU"),
    }
}
