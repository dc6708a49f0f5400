use crate::helpers::{error_of, TestApp};
use app::auth::Role;
use app::drafts::{Draft, DraftBase, DraftSummary, SavedDraft};
use app::error::AppError;
use app::rules::release::ProductDraft;
use reqwest::Client;
use serde_json::json;

async fn save(app: &TestApp, client: &Client, base: &DraftBase, content: &ProductDraft) -> reqwest::Response {
    client
        .post(format!("{}/api/drafts/save", app.address))
        .json(&json!({ "base": base, "content": content, "save_id": app::drafts::new_save_id() }))
        .send()
        .await
        .unwrap()
}

async fn saved(response: reqwest::Response) -> SavedDraft {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn named(name: &str) -> ProductDraft {
    ProductDraft { name: name.into(), ..ProductDraft::default() }
}

#[tokio::test]
async fn r30_an_incomplete_draft_is_saved_as_it_is_and_r32_resumed() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let content = ProductDraft { name: "Half done".into(), summary: "x".repeat(300), ..ProductDraft::default() };

    let first = saved(save(&app, &client, &DraftBase::New, &content).await).await;

    assert_eq!(first.version, 1);
    let resumed: Draft = app.call(&client, "drafts/load", &[("id", &first.id)]).await.json().await.unwrap();
    assert_eq!(resumed.content, content, "saved whatever was entered, even past a rule's limit");
    assert_eq!(resumed.version, 1);
}

#[tokio::test]
async fn r32_drafts_are_listed_newest_first_and_can_be_deleted() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let older = saved(save(&app, &client, &DraftBase::New, &named("")).await).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let newer = saved(save(&app, &client, &DraftBase::New, &named("Second")).await).await;

    let listed: Vec<DraftSummary> = app.call(&client, "drafts/list", &[]).await.json().await.unwrap();
    let ids: Vec<_> = listed.iter().map(|d| d.id.clone()).collect();
    assert_eq!(ids, vec![newer.id.clone(), older.id.clone()]);
    assert_eq!(listed[1].name, "", "an untitled draft");

    assert_eq!(app.call(&client, "drafts/delete", &[("id", &older.id)]).await.status(), 200);
    let listed: Vec<DraftSummary> = app.call(&client, "drafts/list", &[]).await.json().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(app.call(&client, "drafts/load", &[("id", &older.id)]).await.status(), 404);
}

#[tokio::test]
async fn r33_a_save_based_on_an_older_version_is_refused_and_nothing_is_lost() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let created = saved(save(&app, &client, &DraftBase::New, &named("v1")).await).await;
    let base = DraftBase::Existing { id: created.id.clone(), version: created.version };

    // Two tabs opened version 1; the first saves, then the second.
    let first_tab = saved(save(&app, &client, &base, &named("from tab one")).await).await;
    let second_tab = save(&app, &client, &base, &named("from tab two")).await;

    assert_eq!(first_tab.version, 2);
    assert_eq!(second_tab.status(), 409);
    assert!(matches!(error_of(second_tab).await, AppError::Conflict(m) if m.contains("another tab")));
    let stored: Draft = app.call(&client, "drafts/load", &[("id", &created.id)]).await.json().await.unwrap();
    assert_eq!(stored.content.name, "from tab one");
    assert_eq!(stored.version, 2);
}

#[tokio::test]
async fn r33_two_simultaneous_saves_of_one_version_give_one_winner() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let created = saved(save(&app, &client, &DraftBase::New, &named("v1")).await).await;
    let base = DraftBase::Existing { id: created.id.clone(), version: 1 };

    let (a_content, b_content) = (named("a"), named("b"));
    let (a, b) = tokio::join!(save(&app, &client, &base, &a_content), save(&app, &client, &base, &b_content));

    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 409]);
}

#[tokio::test]
async fn a_seller_cannot_read_save_or_delete_another_sellers_draft() {
    let app = TestApp::spawn().await;
    let (_, owner) = app.signed_in(Role::Seller).await;
    let (_, intruder) = app.signed_in(Role::Seller).await;
    let draft = saved(save(&app, &owner, &DraftBase::New, &named("Private plans")).await).await;
    let forged = DraftBase::Existing { id: draft.id.clone(), version: draft.version };

    assert_eq!(app.call(&intruder, "drafts/load", &[("id", &draft.id)]).await.status(), 404);
    assert_eq!(save(&app, &intruder, &forged, &named("overwritten")).await.status(), 404);
    assert_eq!(app.call(&intruder, "drafts/delete", &[("id", &draft.id)]).await.status(), 404);
    let listed: Vec<DraftSummary> = app.call(&intruder, "drafts/list", &[]).await.json().await.unwrap();
    assert!(listed.is_empty());

    let stored: Draft = app.call(&owner, "drafts/load", &[("id", &draft.id)]).await.json().await.unwrap();
    assert_eq!(stored.content.name, "Private plans");
}

#[tokio::test]
async fn the_draft_functions_need_a_signed_in_seller() {
    let app = TestApp::spawn().await;
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    let anonymous = app.client();
    for (client, status) in [(&anonymous, 401), (&reviewer, 403)] {
        assert_eq!(save(&app, client, &DraftBase::New, &named("x")).await.status(), status);
        for endpoint in ["drafts/list", "drafts/load", "drafts/delete"] {
            assert_eq!(app.call(client, endpoint, &[("id", "x")]).await.status(), status, "{endpoint}");
        }
    }
}

#[tokio::test]
async fn malformed_and_oversized_draft_saves_get_a_400_and_store_nothing() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;

    let garbage = client
        .post(format!("{}/api/drafts/save", app.address))
        .header("content-type", "application/json")
        .body("{\"base\": \"New\", \"content\": 42, \"save_id\": \"0123456789abcdef\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    assert!(matches!(error_of(garbage).await, AppError::BadRequest(_)));

    let huge = ProductDraft { description: "d".repeat(20_001), ..ProductDraft::default() };
    let oversized = save(&app, &client, &DraftBase::New, &huge).await;
    assert_eq!(oversized.status(), 400);
    assert!(matches!(error_of(oversized).await, AppError::BadRequest(m) if m.contains("description")));

    let listed: Vec<DraftSummary> = app.call(&client, "drafts/list", &[]).await.json().await.unwrap();
    assert!(listed.is_empty());
}

#[tokio::test]
async fn r32_the_drafts_page_lists_drafts_without_javascript() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    saved(save(&app, &client, &DraftBase::New, &named("Listed <b>safely</b>")).await).await;
    saved(save(&app, &client, &DraftBase::New, &named("  ")).await).await;

    let html = app.get(&client, "/console/drafts").await.text().await.unwrap();

    assert!(html.contains("Listed &lt;b&gt;safely&lt;/b&gt;"), "names are escaped: {html}");
    assert!(html.contains("Untitled"));
    assert!(!html.contains("Loading your drafts"));
}
