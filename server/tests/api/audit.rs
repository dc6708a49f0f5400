//! The audit log (R74): each change to a request, its product and its images leaves exactly
//! one row, written in the change's transaction, so a refused or rolled-back change leaves
//! none; the history reads back in order for the seller and for reviewers.

use crate::after_release::{owned, released, tier_prices, vcpu_priced};
use crate::helpers::TestApp;
use crate::review::{decide, submitted};
use app::audit::{AuditEntry, AuditHistory, AuditKind};
use app::auth::Role;
use serde_json::json;

async fn rows(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM audit_log ORDER BY seq").fetch_all(&app.db).await.unwrap()
}

async fn history(app: &TestApp, client: &reqwest::Client, endpoint: &str, id: &str) -> Vec<AuditEntry> {
    let response = app.call(client, endpoint, &[("id", id)]).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let history: AuditHistory = response.json().await.unwrap();
    assert_eq!(history.hidden, 0, "a short history is shown whole");
    history.entries
}

#[tokio::test]
async fn r74_every_change_to_a_product_leaves_one_audit_row_in_its_transaction_and_reads_back_as_its_history() {
    let app = TestApp::spawn().await;
    let (seller, client, product) = released(&app, "audited", vcpu_priced).await;
    // Released as an asset, submitted, approved (listed), its image locked: one row each.
    assert_eq!(rows(&app).await, ["asset-released", "submitted", "approved", "asset-locked"]);

    let version = owned(&app, &client, &product).await.version;
    let changed = tier_prices(&app, &client, &product, version, json!([[["0.10", "45", ""], ["0.20", "100", ""]]])).await;
    assert_eq!(changed.status(), 200);
    assert_eq!(rows(&app).await.len(), 5, "one price changed, one row");
    // Refused changes roll back with their transaction and leave nothing.
    let stale = tier_prices(&app, &client, &product, version, json!([[["0.11", "45", ""], ["0.20", "100", ""]]])).await;
    assert_eq!(stale.status(), 409);
    assert_eq!(rows(&app).await.len(), 5);

    let entries = history(&app, &client, "audit/product", &product).await;
    let kinds: Vec<AuditKind> = entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [AuditKind::AssetReleased, AuditKind::Submitted, AuditKind::Approved, AuditKind::AssetLocked, AuditKind::PriceChanged]);
    assert_eq!(entries[1].actor, seller.display_name);
    assert_eq!(entries[4].detail, "Specification 1, 2 vCPUs, Monthly: $50.00 → $45.00");
    assert!(entries.windows(2).all(|w| w[0].at <= w[1].at));
    // The page shows it, one kind at a time when asked.
    let page = app.get(&client, &format!("/console/products/{product}?kind=price-changed")).await.text().await.unwrap();
    assert!(page.contains(r#"data-kind="price-changed""#) && !page.contains(r#"data-kind="submitted""#), "filtered by kind");
    // Set as Free Image is one row too.
    let (_, zero_client, zero) = released(&app, "zero", |asset| {
        let mut c = crate::release::complete("Zero", &asset);
        c.specifications[0].simple_prices = ["0".into(), String::new(), String::new()];
        c
    })
    .await;
    // Simple prices are shown as they are, fixed (R54); a vCPU-priced product's page edits them.
    let simple = app.get(&zero_client, &format!("/console/products/{zero}")).await.text().await.unwrap();
    assert!(simple.contains("Simple prices are fixed once a product is released") && simple.contains("fixed-prices-title"), "{simple}");
    assert!(!page.contains("Simple prices are fixed"), "not on a vCPU-priced product's page");
    let version = owned(&app, &zero_client, &zero).await.version.to_string();
    assert_eq!(app.call(&zero_client, "products/set-free", &[("id", &zero), ("version", &version)]).await.status(), 200);
    let last = history(&app, &zero_client, "audit/product", &zero).await.pop().unwrap();
    assert_eq!((last.kind, last.detail.as_str()), (AuditKind::SetFree, "Every price fixed at $0"));
    // Another seller's product has no history to show them.
    let (_, other) = app.signed_in(Role::Seller).await;
    assert_eq!(app.call(&other, "audit/product", &[("id", &product)]).await.status(), 404);
}

#[tokio::test]
async fn r74_reviews_withdrawals_and_their_freed_images_are_recorded_with_the_reason_and_shown_to_reviewers() {
    let app = TestApp::spawn().await;
    let rejected = submitted(&app, "Turned Down").await;
    let (reviewer, review) = app.signed_in(Role::Reviewer).await;
    assert_eq!(decide(&app, &review, &rejected.request_id, "StartReview", "").await.status(), 200);
    assert_eq!(decide(&app, &review, &rejected.request_id, "Reject", "The description does not match the image.").await.status(), 200);
    let entries = history(&app, &review, "audit/request", &rejected.request_id).await;
    let kinds: Vec<AuditKind> = entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [AuditKind::AssetReleased, AuditKind::Submitted, AuditKind::ReviewStarted, AuditKind::Rejected, AuditKind::AssetFreed]);
    assert_eq!(entries[3].detail, "The description does not match the image.");
    assert_eq!(entries[3].actor, reviewer.display_name);
    // A second decision on the same request is refused and records nothing.
    let before = rows(&app).await.len();
    assert_eq!(decide(&app, &review, &rejected.request_id, "Approve", "").await.status(), 409);
    assert_eq!(rows(&app).await.len(), before);

    let withdrawn = submitted(&app, "Taken Back").await;
    let response = app.call(&withdrawn.client, "applications/withdraw", &[("id", &withdrawn.request_id)]).await;
    assert_eq!(response.status(), 200);
    let entries = history(&app, &review, "audit/request", &withdrawn.request_id).await;
    let kinds: Vec<AuditKind> = entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [AuditKind::AssetReleased, AuditKind::Submitted, AuditKind::Withdrawn, AuditKind::AssetFreed]);
    assert_eq!(entries[2].actor, withdrawn.seller.display_name);
    // Sellers do not read reviewers' view of a request.
    assert_eq!(app.call(&withdrawn.client, "audit/request", &[("id", &withdrawn.request_id)]).await.status(), 403);
    let page = app.get(&review, &format!("/review/{}", withdrawn.request_id)).await.text().await.unwrap();
    assert!(page.contains("History") && page.contains(r#"data-kind="withdrawn""#));

    // Submitted again on the same image: the image's story says which request freed it.
    let asset_id: String = sqlx::query_scalar("SELECT id FROM image_assets WHERE image_id = 'img-taken-back'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let again = crate::release::submit(&app, &withdrawn.client, None, &crate::release::complete("Taken Back Again", &asset_id)).await;
    let app::release::Submitted { request_id } = again.json().await.unwrap();
    let entries = history(&app, &review, "audit/request", &request_id).await;
    let freed = entries.iter().find(|e| e.kind == AuditKind::AssetFreed).expect("the earlier request's freeing");
    assert_eq!(freed.detail, "taken-back, by the request for Taken Back");
    let own = entries.iter().find(|e| e.kind == AuditKind::Submitted).unwrap();
    assert!(!own.detail.contains("by the request for"), "{}", own.detail);
}
