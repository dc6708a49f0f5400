use crate::helpers::{eligible_image as image, error_of, TestApp};
use app::auth::Role;
use app::error::AppError;
use app::images::{ImageAsset, ImageAssetsOverview};
use app::cloud::insert_private_image;
use app::rules::asset::{DiskKind, PrivateImage};
use app::rules::Rule;


async fn overview(app: &TestApp, client: &reqwest::Client) -> ImageAssetsOverview {
    app.answer(client, "images/overview", &[]).await
}

#[tokio::test]
async fn the_image_functions_need_a_signed_in_seller() {
    let app = TestApp::spawn().await;
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    let (_, customer) = app.signed_in(Role::Customer).await;
    let anonymous = app.client();

    for endpoint in ["images/overview", "images/release"] {
        let form = [("image_id", "img-x")];
        let response = app.call(&anonymous, endpoint, &form).await;
        assert_eq!(response.status(), 401, "{endpoint}");
        assert_eq!(error_of(response).await, AppError::Unauthenticated);
        for client in [&reviewer, &customer] {
            let response = app.call(client, endpoint, &form).await;
            assert_eq!(response.status(), 403, "{endpoint}");
            assert_eq!(error_of(response).await, AppError::Forbidden);
        }
    }
}

#[tokio::test]
async fn a_seller_sees_only_their_own_private_images_and_assets() {
    let app = TestApp::spawn().await;
    let (mine, client) = app.signed_in(Role::Seller).await;
    let other = app.account(Role::Seller).await;
    insert_private_image(&app.db, &mine.id, &image("mine")).await.unwrap();
    insert_private_image(&app.db, &other.id, &image("theirs")).await.unwrap();

    let seen = overview(&app, &client).await;

    let ids: Vec<_> = seen.images.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, vec!["mine"]);
    assert_eq!(seen.policy.regions, vec!["eu-dublin"]);
}

#[tokio::test]
async fn releasing_an_eligible_image_makes_it_an_asset_that_cannot_be_released_again() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    insert_private_image(&app.db, &seller.id, &image("ok")).await.unwrap();

    let response = app.call(&client, "images/release", &[("image_id", "ok")]).await;
    assert_eq!(response.status(), 200);
    let asset: ImageAsset = response.json().await.unwrap();
    assert_eq!(asset.image_id, "ok");

    let seen = overview(&app, &client).await;
    assert_eq!(seen.assets, vec![asset]);
    assert!(seen.images[0].released, "an asset's image counts as released (R5)");

    let again = app.call(&client, "images/release", &[("image_id", "ok")]).await;
    assert_eq!(again.status(), 422);
    let rules: Vec<Rule> = error_of(again).await.violations().iter().map(|v| v.rule).collect();
    assert_eq!(rules, vec![Rule::R5]);
}

#[tokio::test]
async fn a_forged_release_of_an_ineligible_image_is_refused_with_every_rule_it_breaks() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let bad = PrivateImage {
        region: "ap-singapore".into(),
        encrypted: true,
        disk_kind: DiskKind::FullEcs,
        size_bytes: (128 << 30) + 1,
        ..image("bad")
    };
    insert_private_image(&app.db, &seller.id, &bad).await.unwrap();

    let response = app.call(&client, "images/release", &[("image_id", "bad")]).await;

    assert_eq!(response.status(), 422);
    let error = error_of(response).await;
    let rules: Vec<Rule> = error.violations().iter().map(|v| v.rule).collect();
    assert_eq!(rules, vec![Rule::R1, Rule::R4, Rule::R6, Rule::R8]);
    assert!(overview(&app, &client).await.assets.is_empty());
}

#[tokio::test]
async fn a_seller_cannot_release_another_sellers_image_by_forging_its_id() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let (victim, victim_client) = app.signed_in(Role::Seller).await;
    insert_private_image(&app.db, &victim.id, &image("victims")).await.unwrap();

    let response = app.call(&client, "images/release", &[("image_id", "victims")]).await;

    assert_eq!(response.status(), 404);
    assert!(matches!(error_of(response).await, AppError::NotFound(_)));
    assert!(overview(&app, &victim_client).await.assets.is_empty());
}

#[tokio::test]
async fn malformed_release_requests_get_a_400_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;

    let missing = app.call(&client, "images/release", &[]).await;
    assert_eq!(missing.status(), 400);
    assert!(matches!(error_of(missing).await, AppError::BadRequest(m) if m.contains("image_id")));

    let long = "x".repeat(65);
    let oversized = app.call(&client, "images/release", &[("image_id", &long)]).await;
    assert_eq!(oversized.status(), 400);

    let empty = app.call(&client, "images/release", &[("image_id", "")]).await;
    assert_eq!(empty.status(), 400);
}

#[tokio::test]
async fn two_simultaneous_releases_of_one_image_make_one_asset() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    insert_private_image(&app.db, &seller.id, &image("race")).await.unwrap();

    let (a, b) = tokio::join!(
        app.call(&client, "images/release", &[("image_id", "race")]),
        app.call(&client, "images/release", &[("image_id", "race")]),
    );

    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 422]);
    assert_eq!(overview(&app, &client).await.assets.len(), 1);
}
