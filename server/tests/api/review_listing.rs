//! What an approval lists: one product a name (R15), and the public site a visitor sees
//! (R45).

use crate::helpers::{error_of, TestApp};
use crate::release::{asset, complete, submit};
use crate::review::{decide, detail, submitted};
use app::auth::Role;
use app::release::Submitted;
use app::rules::request::RequestStatus;

#[tokio::test]
async fn r15_of_two_requests_waiting_under_one_name_only_the_first_approved_is_listed() {
    let app = TestApp::spawn().await;
    let first = submitted(&app, "Twin Name").await;
    let second_asset = asset(&app, &first.client, &first.seller, "twin-two").await;
    let response = submit(&app, &first.client, None, &complete("Twin Name", &second_asset)).await;
    assert_eq!(response.status(), 200, "no product of that name is listed yet");
    let Submitted { request_id: second } = response.json().await.unwrap();
    let (_, review) = app.signed_in(Role::Reviewer).await;
    assert_eq!(decide(&app, &review, &first.request_id, "Approve", "").await.status(), 200);

    let refused = decide(&app, &review, &second, "Approve", "").await;

    assert_eq!(refused.status(), 422);
    let error = error_of(refused).await;
    assert_eq!(error.violations()[0].rule, app::rules::Rule::R15);
    assert!(error.violations()[0].message.contains("already lists a product named Twin Name"), "{error}");
    assert_eq!(detail(&app, &first.client, &second).await.application.status, RequestStatus::Submitted, "nothing changed");
    let listed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE name = 'Twin Name'").fetch_one(&app.db).await.unwrap();
    assert_eq!(listed, 1);
    assert_eq!(decide(&app, &review, &second, "Reject", "A product of this name is already listed.").await.status(), 200);
}

#[tokio::test]
async fn r15_a_request_whose_name_breaks_a_newer_name_rule_is_not_listed() {
    let app = TestApp::spawn().await;
    let s = submitted(&app, "Old Name").await;
    // Submitted before names had to be one line: stored with a line break.
    sqlx::query("UPDATE release_requests SET product_name = $1 WHERE id = $2")
        .bind("Old Name\n\nPAYMENT FAILED: pay at evil.test")
        .bind(&s.request_id)
        .execute(&app.db)
        .await
        .unwrap();
    let (_, review) = app.signed_in(Role::Reviewer).await;
    let refused = decide(&app, &review, &s.request_id, "Approve", "").await;
    assert_eq!(refused.status(), 422);
    let error = error_of(refused).await;
    assert_eq!(error.violations()[0].rule, app::rules::Rule::R15);
    assert!(error.violations()[0].message.contains("Use only plain spaces"), "{error}");
    let listed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(&app.db).await.unwrap();
    assert_eq!(listed, 0);
}

#[tokio::test]
async fn r45_the_public_site_is_open_to_visitors_and_an_unknown_product_is_a_404() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    let home = app.get(&anonymous, "/").await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("No products are listed yet"));
    let missing = app.get(&anonymous, "/products/nope").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("The product was not found."));
}
