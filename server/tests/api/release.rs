//! Submitting a release request: the rules re-checked on the server, the reservation of its
//! images (R52), stale drafts (R33), and who may do it.

use crate::helpers::{eligible_image, error_of, TestApp};
use app::auth::{Account, Role};
use app::drafts::{DraftBase, SavedDraft};
use app::error::AppError;
use app::cloud::insert_private_image;
use app::images::ImageAsset;
use app::applications::ApplicationDetail;
use app::release::{ReleaseSetup, Submitted};
use app::rules::request::RequestStatus;
use app::rules::asset::PrivateImage;
use app::rules::release::{
    check_draft, AssetAvailability, PricingMode, ProductDraft,
};
use app::rules::Rule;
use reqwest::{Client, Response};
use serde_json::json;

/// An eligible private image of `seller`, released as an image asset through the API.
pub async fn asset(app: &TestApp, client: &Client, seller: &Account, name: &str) -> String {
    let image = PrivateImage { name: name.into(), ..eligible_image(&format!("img-{name}")) };
    insert_private_image(&app.db, &seller.id, &image).await.unwrap();
    let response = app.call(client, "images/release", &[("image_id", &image.id)]).await;
    assert_eq!(response.status(), 200);
    response.json::<ImageAsset>().await.unwrap().id
}

/// A draft that passes every rule, on `asset_id`.
pub fn complete(name: &str, asset_id: &str) -> ProductDraft {
    app::rules::release::sample::complete_product(name, asset_id)
}

pub async fn submit(app: &TestApp, client: &Client, draft: Option<(&str, i64)>, content: &ProductDraft) -> Response {
    client
        .post(format!("{}/api/release/submit", app.address))
        .json(&json!({ "draft": draft, "content": content }))
        .send()
        .await
        .unwrap()
}

async fn save(app: &TestApp, client: &Client, base: DraftBase, content: &ProductDraft) -> SavedDraft {
    let response = client
        .post(format!("{}/api/drafts/save", app.address))
        .json(&json!({ "base": base, "content": content, "save_id": app::drafts::new_save_id() }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn setup(app: &TestApp, client: &Client) -> ReleaseSetup {
    app.call(client, "release/setup", &[]).await.json().await.unwrap()
}

async fn request_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM release_requests").fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn r52_a_complete_draft_is_submitted_reserving_its_asset_and_closing_the_draft() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &client, &seller, "pg").await;
    let content = complete("Postgres", &asset_id);
    let draft = save(&app, &client, DraftBase::New, &content).await;

    let response = submit(&app, &client, Some((&draft.id, draft.version)), &content).await;

    assert_eq!(response.status(), 200);
    let Submitted { request_id } = response.json().await.unwrap();
    let request: ApplicationDetail =
        app.call(&client, "applications/get", &[("id", &request_id)]).await.json().await.unwrap();
    assert_eq!(request.application.status, RequestStatus::Submitted);
    assert_eq!(request.application.product_name, "Postgres");
    assert_eq!(request.content, app::rules::product::Product::try_from(content.clone()).unwrap(), "the request holds the product as submitted");
    let assets = setup(&app, &client).await.assets;
    assert_eq!(assets[0].availability, AssetAvailability::InAnotherProduct, "reserved now (R52)");
    let overview: app::images::ImageAssetsOverview = app.answer(&client, "images/overview", &[]).await;
    let listed = &overview.assets[0];
    assert_eq!((listed.locked, listed.reserved_for.as_deref()), (false, Some("Postgres")), "Image Assets names the request holding it");
    assert_eq!(app.call(&client, "drafts/load", &[("id", &draft.id)]).await.status(), 404);
}

#[tokio::test]
async fn a_forged_submission_that_skips_the_browser_is_refused_with_the_same_messages_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &client, &seller, "pg").await;
    let mut content = complete("", &asset_id);
    content.pricing_mode = Some(PricingMode::FreeImage);
    content.specifications[0].template = app::rules::release::TemplateKind::Vcpu;
    let expected = check_draft(&content, &setup(&app, &client).await.context);

    let response = submit(&app, &client, None, &content).await;

    assert_eq!(response.status(), 422);
    let AppError::Rules(violations) = error_of(response).await else { panic!("not a rules error") };
    assert_eq!(violations, expected, "the browser's messages, word for word");
    assert!(violations.iter().any(|v| v.rule == Rule::R13 && v.field == "pricing_mode"));
    assert!(violations.iter().any(|v| v.rule == Rule::R15 && v.field == "name"));
    assert_eq!(request_count(&app).await, 0);
    assert_eq!(setup(&app, &client).await.assets[0].availability, AssetAvailability::Available);
}

#[tokio::test]
async fn r20_an_asset_reserved_by_another_request_cannot_be_submitted_again() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &client, &seller, "pg").await;
    assert_eq!(submit(&app, &client, None, &complete("First", &asset_id)).await.status(), 200);

    let response = submit(&app, &client, None, &complete("Second", &asset_id)).await;

    assert_eq!(response.status(), 422);
    let AppError::Rules(violations) = error_of(response).await else { panic!("not a rules error") };
    assert_eq!(violations.len(), 1);
    assert_eq!((violations[0].rule, violations[0].field.as_str()), (Rule::R20, "specifications[0].asset_id"));
    assert_eq!(request_count(&app).await, 1);
}

#[tokio::test]
async fn r20_two_simultaneous_submissions_of_one_asset_give_one_request() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &client, &seller, "pg").await;
    let (a, b) = (complete("A", &asset_id), complete("B", &asset_id));

    let (first, second) = tokio::join!(submit(&app, &client, None, &a), submit(&app, &client, None, &b));

    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 422]);
    assert_eq!(request_count(&app).await, 1);
}

#[tokio::test]
async fn r33_a_submission_from_a_stale_draft_version_is_refused_and_nothing_is_half_saved() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &client, &seller, "pg").await;
    let content = complete("Postgres", &asset_id);
    let v1 = save(&app, &client, DraftBase::New, &content).await;
    let v2 = save(&app, &client, DraftBase::Existing { id: v1.id.clone(), version: 1 }, &content).await;

    let response = submit(&app, &client, Some((&v1.id, v1.version)), &content).await;

    assert_eq!(response.status(), 409);
    assert_eq!(request_count(&app).await, 0, "the request was rolled back");
    assert_eq!(setup(&app, &client).await.assets[0].availability, AssetAvailability::Available, "and the asset freed");
    assert_eq!(app.call(&client, "drafts/load", &[("id", &v2.id)]).await.status(), 200, "the draft is kept");
}

#[tokio::test]
async fn a_seller_cannot_submit_with_another_sellers_asset_or_draft_or_read_their_request() {
    let app = TestApp::spawn().await;
    let (owner, owner_client) = app.signed_in(Role::Seller).await;
    let (other_account, other) = app.signed_in(Role::Seller).await;
    let asset_id = asset(&app, &owner_client, &owner, "pg").await;
    let draft = save(&app, &owner_client, DraftBase::New, &complete("Mine", &asset_id)).await;

    let forged_asset = submit(&app, &other, None, &complete("Theirs", &asset_id)).await;
    assert_eq!(forged_asset.status(), 422);
    let AppError::Rules(violations) = error_of(forged_asset).await else { panic!("not a rules error") };
    assert!(violations.iter().any(|v| v.rule == Rule::R16 && v.field == "specifications[0].asset_id"));

    let own_asset = asset(&app, &other, &other_account, "own").await;
    let forged_draft = submit(&app, &other, Some((&draft.id, draft.version)), &complete("Theirs", &own_asset)).await;
    assert_eq!(forged_draft.status(), 404);
    assert_eq!(app.call(&owner_client, "drafts/load", &[("id", &draft.id)]).await.status(), 200);

    let Submitted { request_id } =
        submit(&app, &owner_client, Some((&draft.id, draft.version)), &complete("Mine", &asset_id)).await.json().await.unwrap();
    assert_eq!(app.call(&other, "applications/get", &[("id", &request_id)]).await.status(), 404);
}

#[tokio::test]
async fn the_release_functions_need_a_signed_in_seller() {
    let app = TestApp::spawn().await;
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    let anonymous = app.client();
    let content = complete("X", "nothing");
    assert_eq!(submit(&app, &reviewer, None, &content).await.status(), 403);
    assert_eq!(submit(&app, &anonymous, None, &content).await.status(), 401);
    assert_eq!(app.call(&reviewer, "release/setup", &[]).await.status(), 403);
    assert_eq!(app.call(&anonymous, "applications/get", &[("id", "x")]).await.status(), 401);
}

#[tokio::test]
async fn malformed_submissions_get_a_400_and_oversized_ones_a_413() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let garbage = client
        .post(format!("{}/api/release/submit", app.address))
        .header("content-type", "application/json")
        .body("{\"content\": 42")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    let mut huge = complete("Big", "a");
    huge.description = "x".repeat(1 << 20);
    let oversized = submit(&app, &client, None, &huge).await;
    assert_eq!(oversized.status(), 413, "a body over 1 MiB is refused before it is read as a product");
    assert!(matches!(error_of(oversized).await, AppError::BadRequest(_)));
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn r17_a_seller_without_assets_has_none_to_choose_and_r20_reserved_ones_come_with_their_state() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    assert!(setup(&app, &client).await.assets.is_empty(), "the wizard then links to Image Assets");

    let taken = asset(&app, &client, &seller, "taken").await;
    let free = asset(&app, &client, &seller, "free").await;
    assert_eq!(submit(&app, &client, None, &complete("Taken", &taken)).await.status(), 200);

    let offered = setup(&app, &client).await;
    let state = |id: &str| offered.assets.iter().find(|a| a.id == id).map(|a| (a.availability, a.unavailable_reason()));
    assert_eq!(
        state(&taken),
        Some((AssetAvailability::InAnotherProduct, Some("Reserved by another product's release request")))
    );
    assert_eq!(state(&free), Some((AssetAvailability::Available, None)));
    assert_eq!(offered.context.assets.len(), 2, "the rules judge against the same list");
}

#[tokio::test]
async fn r31_autosaves_follow_each_other_on_the_latest_version_and_the_last_one_is_kept() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let mut content = ProductDraft::default();
    let mut base = DraftBase::New;
    for edit in 1..=5 {
        content.name = format!("Typing {edit}");
        let saved = save(&app, &client, base, &content).await;
        assert_eq!(saved.version, edit);
        base = DraftBase::Existing { id: saved.id, version: saved.version };
    }
    let DraftBase::Existing { id, .. } = base else { unreachable!() };
    let resumed: app::drafts::Draft = app.call(&client, "drafts/load", &[("id", &id)]).await.json().await.unwrap();
    assert_eq!(resumed.content.name, "Typing 5");
    let setup: ReleaseSetup = app.call(&client, "release/setup", &[("draft_id", &id)]).await.json().await.unwrap();
    assert_eq!(setup.draft.map(|d| d.content.name), Some("Typing 5".into()), "a reload resumes it");
}
