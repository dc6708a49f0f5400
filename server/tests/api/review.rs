//! Between "submit" and "listed": My Applications, the review queue and its decisions, and
//! withdrawal (R40, R44, R52). When a request is due and a busy day are in
//! `review_calendar`; what an approval lists, and the public site, in `review_listing`.

use crate::helpers::{error_of, TestApp};
use crate::release::{asset, complete, submit};
use app::applications::{Application, ApplicationDetail};
use app::auth::{Account, Role};
use app::error::AppError;
use app::listing::{ProductResults, ProductPage};
use app::paging::Paged;
use app::release::{ReleaseSetup, Submitted};
use app::rules::release::AssetAvailability;
use app::rules::request::RequestStatus;
use app::rules::review::WorkCalendar;
use reqwest::Client;

/// A seller who submitted one request for a product named `name`.
pub struct Submission {
    pub seller: Account,
    pub client: Client,
    pub request_id: String,
}

pub async fn submitted(app: &TestApp, name: &str) -> Submission {
    let (seller, client) = app.signed_in(Role::Seller).await;
    let asset_id = asset(app, &client, &seller, &name.to_lowercase().replace(' ', "-")).await;
    let response = submit(app, &client, None, &complete(name, &asset_id)).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let Submitted { request_id } = response.json().await.unwrap();
    Submission { seller, client, request_id }
}

pub async fn decide(app: &TestApp, reviewer: &Client, id: &str, action: &str, reason: &str) -> reqwest::Response {
    app.call(reviewer, "review/decide", &[("id", id), ("action", action), ("reason", reason)]).await
}

pub async fn detail(app: &TestApp, client: &Client, id: &str) -> ApplicationDetail {
    let response = app.call(client, "applications/get", &[("id", id)]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn availability(app: &TestApp, client: &Client) -> AssetAvailability {
    let setup: ReleaseSetup = app.call(client, "release/setup", &[]).await.json().await.unwrap();
    setup.assets[0].availability
}

#[tokio::test]
async fn r40_r44_r45_r52_a_reviewer_takes_up_and_approves_a_request_which_locks_its_image_and_lists_it() {
    let app = TestApp::spawn().await;
    let first = submitted(&app, "Postgres").await;
    let second = submitted(&app, "Nginx").await;
    let (reviewer, review) = app.signed_in(Role::Reviewer).await;

    let queue: Vec<Application> = app.call(&review, "review/queue", &[]).await.json().await.unwrap();
    let names: Vec<&str> = queue.iter().map(|a| a.product_name.as_str()).collect();
    assert_eq!(names, ["Postgres", "Nginx"], "oldest first (R44)");

    assert_eq!(decide(&app, &review, &first.request_id, "StartReview", "").await.status(), 200);
    let taken = detail(&app, &first.client, &first.request_id).await.application;
    assert_eq!(taken.status, RequestStatus::UnderReview);
    assert!(taken.review_started_at.is_some() && taken.decided_at.is_none());

    assert_eq!(decide(&app, &review, &first.request_id, "Approve", "").await.status(), 200);
    let approved = detail(&app, &first.client, &first.request_id).await.application;
    assert_eq!(approved.status, RequestStatus::Approved);
    assert_eq!(approved.reviewer_name.as_deref(), Some(reviewer.display_name.as_str()), "who decided is recorded");
    assert!(approved.decided_at.unwrap() >= approved.review_started_at.unwrap());
    assert_eq!(availability(&app, &first.client).await, AssetAvailability::Locked, "R52");
    let overview: app::images::ImageAssetsOverview = app.answer(&first.client, "images/overview", &[]).await;
    assert_eq!((overview.assets[0].locked, overview.assets[0].reserved_for.as_deref()), (true, None), "shown as locked, not reserved");

    let queue: Vec<Application> = app.call(&review, "review/queue", &[]).await.json().await.unwrap();
    assert_eq!(queue.len(), 1, "a decided request leaves the queue");
    assert_eq!(queue[0].id, second.request_id);

    // Listed on the public site, for anyone (R45).
    let anonymous = app.client();
    let listed: ProductResults =
        app.call(&anonymous, "products/list", &[("query[text]", ""), ("query[region]", "")]).await.json().await.unwrap();
    let listed = listed.products;
    assert_eq!(listed.len(), 1);
    assert_eq!(Some(listed[0].id.clone()), approved.product_id);
    let page: ProductPage = app.call(&anonymous, "products/get", &[("id", &listed[0].id)]).await.json().await.unwrap();
    assert_eq!(page.product.regions, ["eu-dublin", "eu-paris"]);
    let html = app.get(&anonymous, &format!("/products/{}", listed[0].id)).await.text().await.unwrap();
    assert!(html.contains("<title>Postgres · Marketplace</title>"), "a title for search engines");
    assert!(html.contains(r#"name="description" content="A database image."#), "and a description");
    assert_eq!(html.matches(r#"name="description""#).count(), 1, "only one description");
    assert!(html.contains("Pay-per-use (hourly)") && html.contains("$0.10"), "prices per billing mode, rendered on the server");
    let home = app.get(&anonymous, "/?q=postgres&region=eu-paris").await.text().await.unwrap();
    assert!(home.contains(&format!("/products/{}", listed[0].id)), "the search finds it without JavaScript");

    // R15 now sees the live product's name.
    let again = submit(&app, &first.client, None, &complete("Postgres", "whatever")).await;
    let error = error_of(again).await;
    assert!(error.violations().iter().any(|v| v.rule == app::rules::Rule::R15), "{error:?}");
}

#[tokio::test]
async fn r44_a_rejection_needs_a_reason_frees_the_image_and_the_product_can_be_edited_and_submitted_again() {
    let app = TestApp::spawn().await;
    let s = submitted(&app, "Postgres").await;
    let (_, review) = app.signed_in(Role::Reviewer).await;

    let response = decide(&app, &review, &s.request_id, "Reject", "   ").await;
    assert_eq!(response.status(), 422, "a rule violation, not a malformed request");
    let error = error_of(response).await;
    assert_eq!((error.violations()[0].rule, error.violations()[0].field.as_str()), (app::rules::Rule::R44, "reason"));
    assert!(error.to_string().contains("reason"));
    assert_eq!(detail(&app, &s.client, &s.request_id).await.application.status, RequestStatus::Submitted);

    assert_eq!(decide(&app, &review, &s.request_id, "Reject", "The summary is missing licence terms.").await.status(), 200);
    let rejected = detail(&app, &s.client, &s.request_id).await;
    assert_eq!(rejected.application.status, RequestStatus::Rejected);
    assert_eq!(rejected.application.reason.as_deref(), Some("The summary is missing licence terms."));
    assert_eq!(availability(&app, &s.client).await, AssetAvailability::Available, "R52: freed");
    let overview: app::images::ImageAssetsOverview = app.answer(&s.client, "images/overview", &[]).await;
    assert_eq!(overview.assets[0].reserved_for, None, "no longer shown as reserved");

    // Four clicks at once, then one more: all open the same draft, not five copies.
    let edit = || async { app.call(&s.client, "applications/edit", &[("id", &s.request_id)]).await.json::<String>().await.unwrap() };
    let ids = futures::future::join_all((0..4).map(|_| edit())).await;
    let draft_id = ids[0].clone();
    assert!(ids.iter().all(|id| *id == draft_id), "concurrent edits share one draft: {ids:?}");
    assert_eq!(edit().await, draft_id, "a later click reopens the same draft");
    let drafts: Vec<app::drafts::DraftSummary> = app.call(&s.client, "drafts/list", &[]).await.json().await.unwrap();
    assert_eq!(drafts.len(), 1, "one draft made from the rejected request");
    // The wizard says where the draft came from, with the reviewer's reason; to its seller only.
    let page = app.get(&s.client, &format!("/console/products/new?draft={draft_id}")).await.text().await.unwrap();
    assert!(page.contains("The reviewer&#x27;s reason: ") || page.contains("The reviewer's reason: "), "{page}");
    assert!(page.contains("“The summary is missing licence terms.”"));
    let (_, other) = app.signed_in(Role::Seller).await;
    let theirs = app.call(&other, "applications/of-draft", &[("draft_id", &draft_id)]).await;
    assert_eq!(theirs.json::<Option<Application>>().await.unwrap(), None, "another seller's draft names nothing");
    let draft: app::drafts::Draft = app.call(&s.client, "drafts/load", &[("id", &draft_id)]).await.json().await.unwrap();
    assert_eq!(draft.content, rejected.content.into(), "the draft holds the rejected content");
    let response = submit(&app, &s.client, Some((&draft.id, draft.version)), &draft.content).await;
    assert_eq!(response.status(), 200, "submitted again as a new request");
    let list: Paged<Application> = app.call(&s.client, "applications/list", &[]).await.json().await.unwrap();
    assert_eq!(list.items.iter().map(|a| a.status).collect::<Vec<_>>(), [RequestStatus::Submitted, RequestStatus::Rejected]);
}

#[tokio::test]
async fn r40_r44_forged_moves_are_refused_and_only_reviewers_decide() {
    let app = TestApp::spawn().await;
    let s = submitted(&app, "Postgres").await;
    let (_, review) = app.signed_in(Role::Reviewer).await;
    let (_, customer) = app.signed_in(Role::Customer).await;

    assert_eq!(decide(&app, &s.client, &s.request_id, "Approve", "").await.status(), 403, "a seller cannot approve");
    assert_eq!(decide(&app, &customer, &s.request_id, "Approve", "").await.status(), 403);
    assert_eq!(decide(&app, &app.client(), &s.request_id, "Approve", "").await.status(), 401);
    assert_eq!(app.call(&review, "review/queue", &[]).await.status(), 200);
    assert_eq!(app.call(&s.client, "review/queue", &[]).await.status(), 403);
    assert_eq!(app.call(&s.client, "review/get", &[("id", &s.request_id)]).await.status(), 403);
    assert_eq!(app.call(&review, "applications/withdraw", &[("id", &s.request_id)]).await.status(), 403);
    assert_eq!(decide(&app, &review, &s.request_id, "Publish", "").await.status(), 400, "an unknown move");
    assert_eq!(decide(&app, &review, "no-such-request", "Approve", "").await.status(), 404);

    assert_eq!(decide(&app, &review, &s.request_id, "Approve", "").await.status(), 200, "straight from Submitted");
    // The same approval sent again (its answer lost) is done already; the seller is told once.
    assert_eq!(decide(&app, &review, &s.request_id, "Approve", "").await.status(), 200);
    let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(&app.db).await.unwrap();
    assert_eq!(told, 1);
    let (_, other_reviewer) = app.signed_in(Role::Reviewer).await;
    for (action, word, by) in [("Approve", "approved", &other_reviewer), ("Reject", "rejected", &review), ("StartReview", "taken up", &review)] {
        let response = decide(&app, by, &s.request_id, action, "late").await;
        assert_eq!(response.status(), 409);
        let message = error_of(response).await.to_string();
        assert!(message.contains("approved now") && message.contains(word), "{message}");
    }
    let response = app.call(&s.client, "applications/withdraw", &[("id", &s.request_id)]).await;
    assert_eq!(response.status(), 409, "an approved request cannot be withdrawn");
    let response = app.call(&s.client, "applications/edit", &[("id", &s.request_id)]).await;
    assert_eq!(response.status(), 409, "only a rejected or withdrawn request is edited again");
    let after = detail(&app, &s.client, &s.request_id).await.application;
    assert!(after.status == RequestStatus::Approved && after.reason.is_none(), "nothing changed");
}

#[tokio::test]
async fn r44_two_reviewers_deciding_at_once_give_one_decision_and_one_clear_refusal() {
    let app = TestApp::spawn().await;
    for round in 0..4 {
        let s = submitted(&app, &format!("Product {round}")).await;
        let (_, a) = app.signed_in(Role::Reviewer).await;
        let (_, b) = app.signed_in(Role::Reviewer).await;
        let (x, y) = tokio::join!(
            decide(&app, &a, &s.request_id, "Approve", ""),
            decide(&app, &b, &s.request_id, "Reject", "Not ready.")
        );
        let mut statuses = [x.status().as_u16(), y.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}");
        let loser = if x.status() == 409 { x } else { y };
        assert!(matches!(error_of(loser).await, AppError::Conflict(m) if m.contains("now")));
        let final_status = detail(&app, &s.client, &s.request_id).await.application.status;
        let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE request_id = $1")
            .bind(&s.request_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(products, i64::from(final_status == RequestStatus::Approved), "listed only if approved");
        let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE account_id = $1")
            .bind(&s.seller.id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(messages, 1, "one decision, one message");
    }
}

#[tokio::test]
async fn r52_withdrawing_a_pending_request_frees_its_image_and_only_its_seller_can() {
    let app = TestApp::spawn().await;
    let s = submitted(&app, "Postgres").await;
    let (_, other) = app.signed_in(Role::Seller).await;
    assert_eq!(availability(&app, &s.client).await, AssetAvailability::InAnotherProduct);

    assert_eq!(app.call(&other, "applications/withdraw", &[("id", &s.request_id)]).await.status(), 404);
    assert_eq!(app.call(&other, "applications/get", &[("id", &s.request_id)]).await.status(), 404);
    assert_eq!(app.call(&s.client, "applications/withdraw", &[("id", &s.request_id)]).await.status(), 200);

    let withdrawn = detail(&app, &s.client, &s.request_id).await.application;
    assert_eq!(withdrawn.status, RequestStatus::Withdrawn);
    assert!(withdrawn.withdrawn_at.is_some());
    assert_eq!(availability(&app, &s.client).await, AssetAvailability::Available);
    let (_, review) = app.signed_in(Role::Reviewer).await;
    let queue: Vec<Application> = app.call(&review, "review/queue", &[]).await.json().await.unwrap();
    assert!(queue.is_empty(), "a withdrawn request leaves the queue");
    assert_eq!(app.call(&s.client, "applications/withdraw", &[("id", &s.request_id)]).await.status(), 409);
    // Withdrawn, it can be edited and submitted again, as a rejected one can (R44).
    let edited = app.call(&s.client, "applications/edit", &[("id", &s.request_id)]).await;
    assert_eq!(edited.status(), 200);
    let draft_id: String = edited.json().await.unwrap();
    let draft: app::drafts::Draft = app.call(&s.client, "drafts/load", &[("id", &draft_id)]).await.json().await.unwrap();
    assert_eq!(draft.content.name, "Postgres");
}

#[tokio::test]
async fn r44_a_reviewer_finds_their_decisions_again_the_most_recent_first_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let approved = submitted(&app, "Postgres").await;
    let rejected = submitted(&app, "Nginx").await;
    let by_another = submitted(&app, "Redis").await;
    let taken_up = submitted(&app, "Kafka").await;
    let (me, review) = app.signed_in(Role::Reviewer).await;
    let (_, other) = app.signed_in(Role::Reviewer).await;
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(5));
    assert_eq!(decide(&app, &review, &approved.request_id, "Approve", "").await.status(), 200);
    pause().await;
    assert_eq!(decide(&app, &review, &rejected.request_id, "Reject", "The description is empty.").await.status(), 200);
    assert_eq!(decide(&app, &other, &by_another.request_id, "Approve", "").await.status(), 200);
    assert_eq!(decide(&app, &review, &taken_up.request_id, "StartReview", "").await.status(), 200);

    let page: Paged<Application> = app.answer(&review, "review/decided", &[]).await;
    let seen: Vec<(&str, RequestStatus)> = page.items.iter().map(|a| (a.product_name.as_str(), a.status)).collect();
    assert_eq!(seen, [("Nginx", RequestStatus::Rejected), ("Postgres", RequestStatus::Approved)], "this reviewer's decisions only, the most recent first");
    assert_eq!(page.older, None, "one page");

    // A page at a time: the next page starts after the last one shown.
    let calendar = WorkCalendar { utc_offset_minutes: 0, holidays: vec![] };
    let first = app::applications::ssr::decided_by(&app.db, &calendar, &me.id, None, &app::paging::After::start(), 1).await.unwrap();
    assert_eq!(first.items.iter().map(|a| a.product_name.as_str()).collect::<Vec<_>>(), ["Nginx"]);
    let cursor = first.older.expect("an older page");
    let next: Paged<Application> = app.answer(&review, "review/decided", &[("before", &cursor)]).await;
    assert_eq!(next.items.iter().map(|a| a.product_name.as_str()).collect::<Vec<_>>(), ["Postgres"]);
    assert_eq!(app.call(&review, "review/decided", &[("before", "1.x'--")]).await.status(), 400);
    assert_eq!(app.call(&approved.client, "review/decided", &[]).await.status(), 403, "reviewers only");

    // One kind of decision at a time, still a page at a time.
    let names = |page: Paged<Application>| page.items.into_iter().map(|a| a.product_name).collect::<Vec<_>>();
    assert_eq!(names(app.answer(&review, "review/decided", &[("decision", "rejected")]).await), ["Nginx"]);
    assert_eq!(names(app.answer(&review, "review/decided", &[("decision", "approved")]).await), ["Postgres"]);
    assert_eq!(app.call(&review, "review/decided", &[("decision", "withdrawn")]).await.status(), 400, "only the two decisions");
    assert_eq!(app.call(&review, "review/decided", &[("decision", "approved' OR '1'='1")]).await.status(), 400);
    let approved_only = app::applications::ssr::decided_by(&app.db, &calendar, &me.id, Some(app::applications::Decision::Approved), &app::paging::After::start(), 1)
        .await
        .unwrap();
    assert_eq!(approved_only.older, None, "the one approval is the whole list of approvals");
    let html = app.get(&review, "/review/decided?decision=rejected").await.text().await.unwrap();
    assert!(html.contains("Nginx") && !html.contains("Postgres"), "{html}");
    assert!(html.contains(r#"<a href="/review/decided?decision=rejected" aria-current="true">Rejected"#), "the kind shown is marked: {html}");
    let html = app.get(&review, "/review/decided?decision=nonsense").await.text().await.unwrap();
    assert!(html.contains("Nginx") && html.contains("Postgres"), "an address naming no kind shows every one: {html}");

    // A page of one kind starts after the last one shown of that kind, past the others.
    let later = submitted(&app, "Mongo").await;
    pause().await;
    assert_eq!(decide(&app, &review, &later.request_id, "Approve", "").await.status(), 200);
    let approvals = app::applications::ssr::decided_by(&app.db, &calendar, &me.id, Some(app::applications::Decision::Approved), &app::paging::After::start(), 1)
        .await
        .unwrap();
    assert_eq!(approvals.items.iter().map(|a| a.product_name.as_str()).collect::<Vec<_>>(), ["Mongo"]);
    let cursor = approvals.older.expect("an older approval");
    let older = app.answer(&review, "review/decided", &[("decision", "approved"), ("before", &cursor)]).await;
    assert_eq!(names(older), ["Postgres"], "Nginx, rejected between the two, is not on a page of approvals");

    // The page, drawn on the server.
    let html = app.get(&review, "/review/decided").await.text().await.unwrap();
    assert!(html.contains("<h1>Your decisions</h1>") && html.contains("Nginx") && html.contains("Postgres"), "{html}");
    assert!(!html.contains("Redis") && !html.contains("Kafka"), "another reviewer's decision and an undecided request are not listed");
    assert!(html.contains(r#"<td class="free-text">The description is empty."#), "with the reason given: {html}");
}
