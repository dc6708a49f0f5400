//! The hardening review's findings (issue 10) on money and stored data: a purchase at the
//! price shown, the draft quota and the Drafts list's cost, R19 after release, and saves
//! that are idempotent when their answer is lost.

use crate::after_release::{owned, released, tier_prices, vcpu_priced};
use crate::hardening::{credit, drafts, named, save};
use crate::helpers::{error_of, TestApp};
use crate::release::{asset, complete, submit};
use app::auth::Role;
use app::drafts::{DraftBase, SavedDraft};
use app::purchases::Purchase;
use app::rules::Rule;
use serde_json::json;

// 4. The price a buyer was shown.

#[tokio::test]
async fn a_purchase_at_a_price_that_changed_since_it_was_shown_is_refused_and_charges_nothing() {
    let app = TestApp::spawn().await;
    let (_, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let (customer, client) = app.customer_with_credit(50000).await;
    let choice = json!({ "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 1 });
    let buy = |shown: i64| {
        let (client, url, id, choice) = (client.clone(), format!("{}/api/purchases/buy", app.address), id.clone(), choice.clone());
        async move { client.post(url).json(&json!({ "id": id, "choice": choice, "shown_cents": shown })).send().await.unwrap() }
    };
    // The buyer saw $100; meanwhile the seller lowers it to $60, which applies at once.
    let version = owned(&app, &seller_client, &id).await.version;
    let lowered = tier_prices(&app, &seller_client, &id, version, json!([[["0.10", "50", ""], ["0.20", "60", ""]]])).await;
    assert_eq!(lowered.status(), 200);

    let refused = buy(10_000).await;

    assert_eq!(refused.status(), 409);
    let message = error_of(refused).await.to_string();
    assert!(message.contains("$60.00") && message.contains("Nothing was charged"), "{message}");
    assert_eq!(credit(&app, &customer).await, 50_000);
    let purchases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases").fetch_one(&app.db).await.unwrap();
    assert_eq!(purchases, 0);

    let bought = buy(6_000).await;
    assert_eq!(bought.status(), 200, "at the price now shown it goes through");
    assert_eq!(bought.json::<Purchase>().await.unwrap().price_cents, 6_000);
    assert_eq!(credit(&app, &customer).await, 44_000);
}

// 5. One seller cannot fill the disk.

#[tokio::test]
async fn a_seller_keeps_at_most_the_configured_number_of_drafts() {
    let app = TestApp::spawn_with(crate::helpers::fresh_database_url().await, &[("DRAFTS_PER_SELLER", "2")]).await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let first: SavedDraft = save(&app, &client, &DraftBase::New, &named("one"), &app::drafts::new_save_id()).await.json().await.unwrap();
    assert_eq!(save(&app, &client, &DraftBase::New, &named("two"), &app::drafts::new_save_id()).await.status(), 200);

    let third = save(&app, &client, &DraftBase::New, &named("three"), &app::drafts::new_save_id()).await;

    assert_eq!(third.status(), 403);
    let message = error_of(third).await.to_string();
    assert!(message.contains("2 drafts") && message.contains("Delete drafts"), "{message}");
    let edit = DraftBase::Existing { id: first.id.clone(), version: 1 };
    assert_eq!(save(&app, &client, &edit, &named("one, edited"), &app::drafts::new_save_id()).await.status(), 200, "drafts kept can still be saved");
    assert_eq!(app.call(&client, "drafts/delete", &[("id", &first.id)]).await.status(), 200);
    assert_eq!(save(&app, &client, &DraftBase::New, &named("three"), &app::drafts::new_save_id()).await.status(), 200);
    let (_, other) = app.signed_in(Role::Seller).await;
    assert_eq!(save(&app, &other, &DraftBase::New, &named("theirs"), &app::drafts::new_save_id()).await.status(), 200, "per seller");
}

#[tokio::test]
async fn new_drafts_and_tokens_saved_all_at_once_stop_at_the_limit() {
    // Counted side by side, each of these could see room for one more (PostgreSQL's
    // transactions do not see each other's new rows); each takes the seller's turn.
    let app = TestApp::spawn_with(crate::helpers::fresh_database_url().await, &[("DRAFTS_PER_SELLER", "3")]).await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let saves = (0..12).map(|n| {
        let (app, client) = (&app, &client);
        async move { save(app, client, &DraftBase::New, &named(&format!("draft {n}")), &app::drafts::new_save_id()).await.status().as_u16() }
    });
    let statuses = futures::future::join_all(saves).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 403), "{statuses:?}");
    assert_eq!(drafts(&app, &client).await.len(), 3);

    for _ in 0..app::tokens::MAX_TOKENS - 2 {
        crate::api_v1::token(&app, &client, &["read"]).await;
    }
    let creations = (0..12).map(|_| {
        let request = client.post(format!("{}/api/tokens/create", app.address)).json(&json!({ "name": "at once", "days": 1, "scopes": ["read"] }));
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let statuses = futures::future::join_all(creations).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 2, "{statuses:?}");
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE seller_id = $1").bind(&seller.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(live, app::tokens::MAX_TOKENS);
}

#[tokio::test]
async fn r32_the_drafts_list_counts_problems_from_what_was_stored_and_the_assets_as_they_are_now() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &client, &seller, "shared").await;
    let draft: SavedDraft =
        save(&app, &client, &DraftBase::New, &complete("Drafted", &asset_id), &app::drafts::new_save_id()).await.json().await.unwrap();
    assert_eq!(drafts(&app, &client).await[0].problems, 0);

    // The asset goes into another product's request: the draft now breaks R20.
    assert_eq!(submit(&app, &client, None, &complete("Submitted", &asset_id)).await.status(), 200);
    assert_eq!(drafts(&app, &client).await[0].problems, 1);

    // A draft saved before problems were stored is counted from its content, once.
    sqlx::query("UPDATE drafts SET content_problems = -1, asset_ids = '[]' WHERE id = $1").bind(&draft.id).execute(&app.db).await.unwrap();
    assert_eq!(drafts(&app, &client).await[0].problems, 1);
    let stored: i64 = sqlx::query_scalar("SELECT content_problems FROM drafts WHERE id = $1").bind(&draft.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, 0);
}

// 6. R19 after release.

#[tokio::test]
async fn r19_a_vcpu_tier_cannot_be_repriced_to_zero_after_release() {
    let app = TestApp::spawn().await;
    let (_, client, id) = released(&app, "tiered", vcpu_priced).await;
    let version = owned(&app, &client, &id).await.version;

    let zero = tier_prices(&app, &client, &id, version, json!([[["0.10", "50", ""], ["0", "100", ""]]])).await;

    assert_eq!(zero.status(), 422);
    let error = error_of(zero).await;
    assert_eq!((error.violations()[0].rule, error.violations()[0].field.as_str()), (Rule::R19, "specifications[0].tiers[1].prices.pay_per_use"));
    assert!(owned(&app, &client, &id).await.history.is_empty());
}

// 12. A save whose answer was lost.

#[tokio::test]
async fn r33_a_save_sent_again_with_its_id_gets_its_own_result_not_a_conflict_or_a_second_draft() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let first_id = app::drafts::new_save_id();
    let first: SavedDraft = save(&app, &client, &DraftBase::New, &named("v1"), &first_id).await.json().await.unwrap();
    let again: SavedDraft = save(&app, &client, &DraftBase::New, &named("v1"), &first_id).await.json().await.unwrap();
    assert_eq!(again, first, "the retry of the first save is the same draft");
    assert_eq!(drafts(&app, &client).await.len(), 1);

    let base = DraftBase::Existing { id: first.id.clone(), version: 1 };
    let second_id = app::drafts::new_save_id();
    let second: SavedDraft = save(&app, &client, &base, &named("v2"), &second_id).await.json().await.unwrap();
    let retried = save(&app, &client, &base, &named("v2"), &second_id).await;
    assert_eq!(retried.status(), 200, "its own earlier save is not a conflict");
    assert_eq!(retried.json::<SavedDraft>().await.unwrap(), second);

    let stale = save(&app, &client, &base, &named("other tab"), &app::drafts::new_save_id()).await;
    assert_eq!(stale.status(), 409, "another save from the old version still conflicts (R33)");
}

#[tokio::test]
async fn r33_the_same_save_sent_many_times_at_once_stores_one_draft() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let save_id = app::drafts::new_save_id();
    let twins = (0..8).map(|_| {
        let (app, client, save_id) = (&app, client.clone(), save_id.clone());
        async move { save(app, &client, &DraftBase::New, &named("twin"), &save_id).await.json::<SavedDraft>().await.unwrap() }
    });
    let answers = futures::future::join_all(twins).await;
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(drafts(&app, &client).await.len(), 1);
}
