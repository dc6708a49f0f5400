//! When a request is due (R41) and the busy-day mark on the tenth and later requests of a
//! day (R42).

use crate::helpers::TestApp;
use crate::release::{asset, complete, submit};
use crate::review::{detail, submitted};
use app::applications::Application;
use app::auth::Role;
use app::paging::Paged;
use app::release::ReleaseSetup;
use app::rules::review::{parse_date, WorkCalendar};

#[tokio::test]
async fn r41_each_request_is_due_three_working_days_later_in_the_configured_zone_and_marked_overdue_after() {
    let url = crate::helpers::fresh_database_url().await;
    let app = TestApp::spawn_with(url, &[("MARKETPLACE_UTC_OFFSET", "+08:00"), ("MARKETPLACE_HOLIDAYS", "2025-12-25")]).await;
    let s = submitted(&app, "Postgres").await;
    let calendar = WorkCalendar { utc_offset_minutes: 480, holidays: vec![parse_date("2025-12-25").unwrap()] };
    let fresh = detail(&app, &s.client, &s.request_id).await.application;
    assert_eq!(fresh.due_at, calendar.review_due(fresh.submitted_at));
    assert!(!fresh.overdue);

    // Submitted on Wednesday 2025-12-24 at 10:00 in the marketplace (02:00 UTC). Thursday
    // the 25th is a holiday, so Friday, Monday and Tuesday count: due at the end of Tuesday
    // 2025-12-30 in the marketplace, which is 16:00 UTC that day.
    let submitted_at = parse_date("2025-12-24").unwrap() * 86_400_000 + 2 * 3_600_000;
    sqlx::query("UPDATE release_requests SET submitted_at = $1 WHERE id = $2")
        .bind(submitted_at)
        .bind(&s.request_id)
        .execute(&app.db)
        .await
        .unwrap();
    let (_, review) = app.signed_in(Role::Reviewer).await;
    let queue: Vec<Application> = app.call(&review, "review/queue", &[]).await.json().await.unwrap();
    assert_eq!(queue[0].due_at, parse_date("2025-12-30").unwrap() * 86_400_000 + 16 * 3_600_000);
    assert!(queue[0].overdue, "pending past its due date");
}

#[tokio::test]
async fn r42_the_tenth_and_later_requests_of_a_day_are_marked_even_when_submitted_at_once_on_two_servers() {
    let url = crate::helpers::fresh_database_url().await;
    let one = TestApp::spawn_with(url.clone(), &[]).await;
    let two = TestApp::spawn_with(url, &[]).await;
    let (seller, client) = one.signed_in(Role::Seller).await;
    let mut assets = Vec::new();
    for n in 0..12 {
        assets.push(asset(&one, &client, &seller, &format!("img{n}")).await);
    }
    let setup: ReleaseSetup = one.call(&client, "release/setup", &[]).await.json().await.unwrap();
    assert_eq!(setup.submitted_today, 0);

    let submissions = assets.iter().enumerate().map(|(n, asset_id)| {
        let (server, client) = (if n % 2 == 0 { &one } else { &two }, client.clone());
        async move { submit(server, &client, None, &complete(&format!("Product {n}"), asset_id)).await.status().as_u16() }
    });
    let statuses = futures::future::join_all(submissions).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    let mut ordinals: Vec<i64> = sqlx::query_scalar("SELECT day_ordinal FROM release_requests WHERE seller_id = $1")
        .bind(&seller.id)
        .fetch_all(&one.db)
        .await
        .unwrap();
    ordinals.sort();
    assert_eq!(ordinals, (1..=12).collect::<Vec<i64>>(), "each request has its own place in the day");
    let list: Paged<Application> = two.call(&client, "applications/list", &[]).await.json().await.unwrap();
    assert_eq!(list.items.iter().filter(|a| a.busy_day).count(), 3, "the 10th, 11th and 12th");
    let setup: ReleaseSetup = two.call(&client, "release/setup", &[]).await.json().await.unwrap();
    assert_eq!(setup.submitted_today, 12, "the wizard is told before the next one");
}
