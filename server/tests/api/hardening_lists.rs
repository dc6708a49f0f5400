//! The fourth probe's findings on lists a person can grow without end and on what costs
//! nothing: a seller's requests and a buyer's purchases are read a page at a time, and a
//! choice that costs nothing needs a credit balance and is taken once. Lower prices are not
//! budgeted, so price histories show their latest changes.

use crate::after_release::{owned, released, tier_prices, vcpu_priced, zero_priced};
use crate::api_v1::{api, token};
use crate::helpers::{error_of, TestApp};
use crate::release::{asset, complete, submit};
use app::applications::Application;
use app::audit::{AuditHistory, AuditKind};
use app::auth::Role;
use app::paging::Paged;
use app::purchases::Purchase;
use app::release::Submitted;
use reqwest::Client;
use serde_json::{json, Value};

async fn my_requests(app: &TestApp, client: &Client, before: Option<&str>) -> Paged<Application> {
    app.answer(client, "applications/list", &[("before", before.unwrap_or(""))]).await
}

#[tokio::test]
async fn my_applications_and_the_api_read_a_sellers_requests_a_page_at_a_time_newest_first() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &client, &seller, "again").await;
    // Submitting and withdrawing costs a seller little, so the list has no end of its own.
    for n in 0..53 {
        let submitted: Submitted = submit(&app, &client, None, &complete(&format!("Product {n}"), &asset_id)).await.json().await.unwrap();
        assert_eq!(app.call(&client, "applications/withdraw", &[("id", &submitted.request_id)]).await.status(), 200);
    }

    // Newest first, then by id: as the database orders them.
    let order = || async {
        sqlx::query_scalar::<_, String>("SELECT id FROM release_requests WHERE seller_id = $1 ORDER BY submitted_at DESC, id")
            .bind(&seller.id)
            .fetch_all(&app.db)
            .await
            .unwrap()
    };
    let first = my_requests(&app, &client, None).await;
    assert_eq!(first.items.len(), 50);
    assert_eq!(first.items[0].product_name, "Product 52", "newest first");
    let cursor = first.older.clone().expect("an older page");
    let second = my_requests(&app, &client, Some(&cursor)).await;
    assert_eq!(second.older, None, "the last page");
    let ids = |pages: &[&Paged<Application>]| pages.iter().flat_map(|p| p.items.iter().map(|a| a.id.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&[&first, &second]), order().await, "each request once, in order");
    // Requests of one same moment: the pages split among them by id, none skipped or repeated.
    sqlx::query("UPDATE release_requests SET submitted_at = 1000 WHERE seller_id = $1").bind(&seller.id).execute(&app.db).await.unwrap();
    let first_tied = my_requests(&app, &client, None).await;
    let second_tied = my_requests(&app, &client, first_tied.older.as_deref()).await;
    assert_eq!(ids(&[&first_tied, &second_tied]), order().await);
    let bad = client.post(format!("{}/api/applications/list", app.address)).form(&[("before", "1.x'--")]).send().await.unwrap();
    assert_eq!(bad.status(), 400);

    // The console's pages link to each other.
    let cursor = first_tied.older.clone().unwrap();
    let html = app.get(&client, "/console/applications").await.text().await.unwrap();
    assert_eq!(html.matches("View the request for").count(), 50);
    assert!(html.contains(&format!("href=\"/console/applications?before={cursor}\"")) && html.contains("Older requests"), "{html}");
    let older = app.get(&client, &format!("/console/applications?before={cursor}")).await.text().await.unwrap();
    assert_eq!(older.matches("View the request for").count(), 3);
    assert!(older.contains("Newest requests") && !older.contains("Older requests"));

    // The API pages the same way, in SQL too.
    let secret = token(&app, &client, &["read"]).await.secret;
    let page: Value = api(&app, reqwest::Method::GET, "/applications?limit=2", &secret, None).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next_cursor"].as_str().unwrap();
    let page: Value = api(&app, reqwest::Method::GET, &format!("/applications?limit=51&cursor={next}"), &secret, None).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 51);
    assert!(page["next_cursor"].is_null());
}

#[tokio::test]
async fn r53_a_zero_priced_choice_needs_a_credit_balance_and_is_taken_once_however_often_it_is_asked() {
    let app = TestApp::spawn().await;
    // A Charged product whose price is $0.00, not set as a Free image.
    let (_, _, id) = released(&app, "zero", zero_priced).await;
    let choice = json!({ "specification": 0, "region": "eu-dublin", "billing": "PayPerUse", "tier": null });
    let url = format!("{}/api/purchases/buy", app.address);
    let buy = |client: Client| {
        let (url, body) = (url.clone(), json!({ "id": id, "choice": choice, "shown_cents": 0 }));
        async move { client.post(url).json(&body).send().await.unwrap() }
    };

    let (_, broke) = app.signed_in(Role::Customer).await;
    let refused = buy(broke).await;
    assert_eq!(refused.status(), 422);
    assert!(error_of(refused).await.to_string().contains("credit balance"), "as for a Free image (R53)");

    let (customer, client) = app.customer_with_credit(100).await;
    let answers = futures::future::join_all((0..6).map(|_| buy(client.clone()))).await;
    let mut ids = Vec::new();
    for answer in answers {
        assert_eq!(answer.status(), 200);
        ids.push(answer.json::<Purchase>().await.unwrap().id);
    }
    assert!(ids.iter().all(|i| *i == ids[0]), "every ask gets the one purchase held: {ids:?}");
    // A tier sent with a simple price is not read by its price, so it is not another choice.
    for tier in [json!(0), json!(1), json!(99)] {
        let body = json!({ "id": id, "choice": { "specification": 0, "region": "eu-dublin", "billing": "PayPerUse", "tier": tier }, "shown_cents": 0 });
        let again = client.post(&url).json(&body).send().await.unwrap();
        assert_eq!(again.json::<Purchase>().await.unwrap().id, ids[0], "tier {tier}");
    }
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases WHERE buyer_id = $1").bind(&customer.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(held, 1);
    assert_eq!(crate::hardening::credit(&app, &customer).await, 100, "nothing charged");
}

#[tokio::test]
async fn my_purchases_are_read_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let (_, _, id) = released(&app, "zero", zero_priced).await;
    let (customer, client) = app.customer_with_credit(100).await;
    // Purchases made over time (each choice of a $0 product is taken once, so they are
    // written here as a buyer of paid products would make them).
    let product_id = id.clone();
    for n in 0..52_i64 {
        sqlx::query(
            "INSERT INTO purchases (id, product_id, buyer_id, specification, region, billing, tier, price_cents, created_at) \
             VALUES ($1, $2, $3, 0, 'eu-dublin', 'Monthly', NULL, 100, $4)",
        )
        .bind(format!("p{n:03}"))
        .bind(&product_id)
        .bind(&customer.id)
        .bind(1_000 + n)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let list = |before: Option<String>| {
        let (app, client) = (&app, client.clone());
        async move { app.answer::<Paged<Purchase>>(&client, "purchases/list", &[("before", &before.unwrap_or_default())]).await }
    };
    let first = list(None).await;
    assert_eq!((first.items.len(), first.items[0].id.as_str()), (50, "p051"));
    let second = list(first.older.clone()).await;
    assert_eq!(second.items.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["p001", "p000"]);
    let html = app.get(&client, "/purchases").await.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/purchases?before={}\"", first.older.unwrap())) && html.contains("Older purchases"));
}

#[tokio::test]
async fn r54_r74_a_long_price_history_shows_its_latest_changes_and_keeps_the_approval_in_sight() {
    let app = TestApp::spawn().await;
    let (_, client, id) = released(&app, "tiered", vcpu_priced).await;
    // 103 lower prices in a row, one cent each: nothing budgets them.
    let mut version = owned(&app, &client, &id).await.version;
    for cents in 1..=103 {
        let monthly = format!("{}.{:02}", (10_000 - cents) / 100, (10_000 - cents) % 100);
        let saved = tier_prices(&app, &client, &id, version, json!([[["0.10", "50", ""], ["0.20", monthly, ""]]])).await;
        assert_eq!(saved.status(), 200);
        version = saved.json::<app::products::OwnedProduct>().await.unwrap().version;
    }
    let product = owned(&app, &client, &id).await;
    assert_eq!((product.history.len(), product.older_changes), (100, 3));
    assert_eq!(product.history[0].new_price, "98.97", "newest first");

    let history: AuditHistory = app.answer(&client, "audit/product", &[("id", &id)]).await;
    let changes = history.entries.iter().filter(|e| e.kind == AuditKind::PriceChanged).count();
    assert_eq!((changes, history.hidden, history.hidden_at_least), (100, 3, false));
    assert!(history.entries.iter().any(|e| e.kind == AuditKind::Approved), "the approval is not pushed out of sight");
    assert!(history.entries.last().unwrap().detail.ends_with("$98.97"), "the latest change is shown");
    let page = app.get(&client, &format!("/console/products/{id}")).await.text().await.unwrap();
    assert!(page.contains("The latest 100 changes are shown; 3 older ones are not."), "the price editor says so");
    assert!(page.contains("3 older entries are not shown"), "and the history");
}

#[tokio::test]
async fn r74_a_history_longer_than_it_counts_is_read_in_bounds_and_says_at_least() {
    use app::audit::ssr::COUNTED_OF_EACH;
    let app = TestApp::spawn().await;
    let (_, client, id) = released(&app, "busy", vcpu_priced).await;
    // Rows as a price change writes them, written here directly: a thousand saves through
    // the API would make a slow test. Past what a history counts.
    let written = COUNTED_OF_EACH + 50;
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..written {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, kind, request_id, product_id, asset_id, detail) \
             VALUES ($1, NULL, 'price-changed', NULL, $2, NULL, $3)",
        )
        .bind(app::store::now_ms())
        .bind(&id)
        .bind(format!("change {n}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let history: AuditHistory = app.answer(&client, "audit/product", &[("id", &id)]).await;
    let changes: Vec<&str> = history.entries.iter().filter(|e| e.kind == AuditKind::PriceChanged).map(|e| e.detail.as_str()).collect();
    assert_eq!(changes.len(), 100);
    assert_eq!(changes.last(), Some(&format!("change {}", written - 1).as_str()), "the latest, oldest first");
    assert_eq!(changes[0], format!("change {}", written - 100));
    // Counted to the bound and one past it: the rest are not read.
    assert_eq!((history.hidden, history.hidden_at_least), ((COUNTED_OF_EACH + 1 - 100) as i64, true));
    let kinds: Vec<AuditKind> = history.entries.iter().map(|e| e.kind).filter(|k| *k != AuditKind::PriceChanged).collect();
    assert_eq!(kinds, [AuditKind::AssetReleased, AuditKind::Submitted, AuditKind::Approved, AuditKind::AssetLocked], "each once");
    let page = app.get(&client, &format!("/console/products/{id}")).await.text().await.unwrap();
    assert!(page.contains(&format!("at least {} older entries are not shown", COUNTED_OF_EACH + 1 - 100)), "{page}");
}

#[tokio::test]
async fn tokens_made_and_revoked_sessions_started_and_draft_saves_without_end_keep_only_their_latest() {
    use app::auth::ssr::SESSIONS_PER_ACCOUNT;
    use app::drafts::{DraftBase, SavedDraft};
    use app::tokens::{DEAD_TOKENS_KEPT, MAX_TOKENS};
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let count = |sql: &'static str| {
        let (app, id) = (&app, seller.id.clone());
        async move { sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(&app.db).await.unwrap() }
    };

    // Tokens: made and revoked three times over, the list keeps the latest revoked ones.
    for _ in 0..3 {
        let made = futures::future::join_all((0..MAX_TOKENS).map(|_| token(&app, &client, &["read"]))).await;
        for t in made {
            assert_eq!(app.call(&client, "tokens/revoke", &[("id", &t.token.id)]).await.status(), 200);
        }
    }
    let live = token(&app, &client, &["read"]).await;
    assert_eq!(count("SELECT COUNT(*) FROM api_tokens WHERE seller_id = $1").await, DEAD_TOKENS_KEPT + 1);
    let listed: Vec<app::tokens::ApiToken> = app.answer(&client, "tokens/list", &[]).await;
    assert_eq!(listed.len() as i64, DEAD_TOKENS_KEPT + 1);
    assert_eq!(listed[0].id, live.token.id, "the live token is listed first");
    assert_eq!(api(&app, reqwest::Method::GET, "/images", &live.secret, None).await.status(), 200);

    // Draft saves: a draft keeps the ids of its latest saves, and the latest still answer a retry.
    let content = complete("Saved often", "none");
    let first: SavedDraft = crate::hardening::save(&app, &client, &DraftBase::New, &content, "save-0000000000000000").await.json().await.unwrap();
    let mut base = DraftBase::Existing { id: first.id.clone(), version: first.version };
    for n in 1..=70 {
        let saved: SavedDraft = crate::hardening::save(&app, &client, &base, &content, &format!("save-{n:016}")).await.json().await.unwrap();
        base = DraftBase::Existing { id: saved.id, version: saved.version };
    }
    assert_eq!(count("SELECT COUNT(*) FROM draft_saves WHERE seller_id = $1").await, app::drafts::ssr::SAVES_KEPT_PER_DRAFT);
    let stale = DraftBase::Existing { id: first.id.clone(), version: 70 };
    let retried: SavedDraft = crate::hardening::save(&app, &client, &stale, &content, &format!("save-{:016}", 70)).await.json().await.unwrap();
    assert_eq!(retried.version, 71, "the latest save, sent again, answers what it did");

    // Sessions: signing in again and again keeps the account's latest sessions.
    for _ in 0..SESSIONS_PER_ACCOUNT + 5 {
        assert_eq!(crate::hardening::sign_in(&app, &app.client(), &seller.email, crate::helpers::PASSWORD).await.status(), 200);
    }
    assert_eq!(count("SELECT COUNT(*) FROM sessions WHERE account_id = $1").await, SESSIONS_PER_ACCOUNT);
}
