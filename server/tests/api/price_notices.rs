//! Notice before a price rises (R70–R73): decreases apply at once, increases wait for the
//! notice period and take effect by themselves exactly once, buyers are told, and the
//! seller can cancel or replace a waiting increase. Time is driven through
//! `apply_due(db, now)` and `cancel(.., now)`, never by sleeping.

use crate::after_release::{owned, released, tier_prices, vcpu_priced};
use crate::helpers::{error_of, fresh_database_url, TestApp};
use crate::receivers::{eventually, SmsGateway, SmtpReceiver};
use app::auth::{Account, Role};
use app::prices::ssr::apply_due;
use app::products::OwnedProduct;
use app::purchases::Purchase;
use app::rules::notice::{increase_takes_effect, local_date};
use app::rules::review::WorkCalendar;
use app::rules::Rule;
use reqwest::Client;
use serde_json::json;
use std::sync::atomic::Ordering;

const DAY: i64 = 86_400_000;

/// Tier 4, monthly (the product's second tier): $100 at release.
fn tier4_monthly() -> serde_json::Value {
    json!({ "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 1 })
}

async fn buy(app: &TestApp, client: &Client, id: &str, shown_cents: i64) -> reqwest::Response {
    let body = json!({ "id": id, "choice": tier4_monthly(), "shown_cents": shown_cents });
    client.post(format!("{}/api/purchases/buy", app.address)).json(&body).send().await.unwrap()
}

/// A customer with credit who bought tier 4 monthly once at $100.
async fn buyer(app: &TestApp, id: &str) -> (Account, Client) {
    let (customer, client) = app.customer_with_credit(100000).await;
    assert_eq!(buy(app, &client, id, 10_000).await.status(), 200);
    (customer, client)
}

/// New tier prices saved at the product's current version, whatever the answer.
async fn try_save(app: &TestApp, client: &Client, id: &str, prices: serde_json::Value) -> reqwest::Response {
    let version = owned(app, client, id).await.version;
    tier_prices(app, client, id, version, prices).await
}

async fn save(app: &TestApp, client: &Client, id: &str, prices: serde_json::Value) -> OwnedProduct {
    let response = try_save(app, client, id, prices).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    response.json().await.unwrap()
}

/// A server with a released tiered product, its seller's client, its id, and a customer
/// who bought it.
async fn tiered_with_a_buyer() -> (TestApp, Client, String, Account) {
    let app = TestApp::spawn().await;
    let (_, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let (customer, _) = buyer(&app, &id).await;
    (app, seller_client, id, customer)
}

/// The product's second tier (tier 4, $100 at release) raised to `price` dollars, the first
/// kept at $50.
async fn raise_tier4(app: &TestApp, client: &Client, id: &str, price: u32) -> OwnedProduct {
    save(app, client, id, json!([[["0.10", "50", ""], ["0.20", price.to_string(), ""]]])).await
}

/// Cancels the product's waiting increase `increase` as `client`.
async fn cancel_increase(app: &TestApp, client: &Client, id: &str, increase: &str) -> reqwest::Response {
    app.call(client, "products/cancel-increase", &[("product_id", id), ("id", increase)]).await
}

async fn subjects(app: &TestApp, account: &Account) -> Vec<String> {
    sqlx::query_scalar("SELECT subject FROM messages WHERE account_id = $1 ORDER BY created_at, id")
        .bind(&account.id)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

async fn audit_kinds(app: &TestApp, product: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM audit_log WHERE product_id = $1 ORDER BY seq").bind(product).fetch_all(&app.db).await.unwrap()
}

async fn public(app: &TestApp, id: &str) -> app::listing::ProductPage {
    app.call(&app.client(), "products/get", &[("id", id)]).await.json().await.unwrap()
}

#[tokio::test]
async fn r70_r71_a_decrease_applies_at_once_an_increase_waits_its_notice_and_purchases_pay_the_price_of_their_moment() {
    let app = TestApp::spawn().await;
    let (_, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let (customer, client) = buyer(&app, &id).await;

    let saved_at = app::store::now_ms();
    // Tier 2 monthly down $50 → $45; tier 4 monthly up $100 → $120.
    let changed = save(&app, &seller_client, &id, json!([[["0.10", "45", ""], ["0.20", "120", ""]]])).await;
    let expected_from = increase_takes_effect(&WorkCalendar::default(), saved_at, 90);
    assert_eq!(changed.history.len(), 1, "only the decrease applied");
    assert_eq!(changed.history[0].new_price, "45.00");
    assert_eq!(changed.scheduled.len(), 1);
    let waiting = &changed.scheduled[0];
    assert_eq!((waiting.vcpus, waiting.old_price.as_str(), waiting.new_price.as_str()), (4, "100.00", "120.00"));
    assert!(waiting.takes_effect_at == expected_from || waiting.takes_effect_at == expected_from + DAY, "saved across midnight at most");
    assert_eq!(waiting.from_day, local_date(&WorkCalendar::default(), waiting.takes_effect_at));
    assert!(waiting.takes_effect_at >= saved_at + 90 * DAY);
    let from = waiting.takes_effect_at;

    // The public page shows the coming price beside today's.
    let page = public(&app, &id).await;
    assert_eq!(page.coming.len(), 1);
    let html = app.get(&app.client(), &format!("/products/{id}")).await.text().await.unwrap();
    assert!(html.contains(&format!("From {}: $120.00", waiting.from_day)), "the product page says what rises when");
    // A visitor is sent to sign in and back to this product.
    assert!(html.contains(&format!(r#"<a href="/sign-in?next=%2Fproducts%2F{id}" class="button">Sign in to purchase"#)), "{html}");

    // Until the date, purchases pay $100; the worker finds nothing due a millisecond before.
    assert_eq!(buy(&app, &client, &id, 10_000).await.status(), 200);
    assert_eq!(apply_due(&app.db, from - 1).await.unwrap(), 0);
    assert_eq!(buy(&app, &client, &id, 10_000).await.status(), 200);

    // At the date it takes effect: the old price is refused, the new one charged.
    assert_eq!(apply_due(&app.db, from).await.unwrap(), 1);
    assert_eq!(apply_due(&app.db, from + 1).await.unwrap(), 0, "exactly once");
    let stale = buy(&app, &client, &id, 10_000).await;
    assert_eq!(stale.status(), 409);
    assert!(error_of(stale).await.to_string().contains("$120.00"));
    let bought = buy(&app, &client, &id, 12_000).await;
    assert_eq!(bought.json::<Purchase>().await.unwrap().price_cents, 12_000);
    let paid: Vec<i64> = sqlx::query_scalar("SELECT price_cents FROM purchases WHERE buyer_id = $1 ORDER BY created_at")
        .bind(&customer.id)
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(paid, [10_000, 10_000, 10_000, 12_000]);

    let after = owned(&app, &seller_client, &id).await;
    assert!(after.scheduled.is_empty() && public(&app, &id).await.coming.is_empty());
    assert_eq!(after.history.len(), 2, "the increase joins the price history when it takes effect");
    let kinds = audit_kinds(&app, &id).await;
    assert_eq!(kinds[kinds.len() - 3..], ["price-changed", "price-scheduled", "price-took-effect"]);
    let actor: Option<String> = sqlx::query_scalar("SELECT actor_id FROM audit_log WHERE kind = 'price-took-effect'").fetch_one(&app.db).await.unwrap();
    assert!(actor.is_none(), "taking effect is the system's doing");
    // The marketplace's filters see the new lowest price.
    let from_monthly: i64 = sqlx::query_scalar("SELECT from_monthly FROM products WHERE id = $1").bind(&id).fetch_one(&app.db).await.unwrap();
    assert_eq!(from_monthly, 4_500);
}

#[tokio::test]
async fn r72_buyers_are_told_once_each_when_an_increase_is_scheduled_and_when_it_takes_effect_even_through_a_gateway_outage() {
    let smtp = SmtpReceiver::start().await;
    let sms = SmsGateway::start(2).await;
    let settings: Vec<(&str, String)> = smtp.settings().into_iter().chain(sms.settings()).collect();
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(fresh_database_url().await, &pairs).await;
    let (_, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let (first, first_client) = buyer(&app, &id).await;
    assert_eq!(buy(&app, &first_client, &id, 10_000).await.status(), 200, "a second purchase: still one buyer");
    let (second, _) = buyer(&app, &id).await;
    sqlx::query("UPDATE accounts SET notify_sms = 1, phone = '+353 1 234 5678' WHERE id = $1").bind(&second.id).execute(&app.db).await.unwrap();
    let (bystander, _) = app.signed_in(Role::Customer).await;

    let changed = save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "130", ""]]])).await;
    let day = changed.scheduled[0].from_day.clone();
    let told = format!("Price increase for Tiered from {day}");
    assert_eq!(subjects(&app, &first).await, [told.clone()]);
    assert_eq!(subjects(&app, &second).await, [told.clone()]);
    assert!(subjects(&app, &bystander).await.is_empty(), "only buyers are told");
    let body: String = sqlx::query_scalar("SELECT body FROM messages WHERE account_id = $1").bind(&first.id).fetch_one(&app.db).await.unwrap();
    assert!(body.contains("Monthly: $100.00 → $130.00") && body.contains(&day), "{body}");

    let to_buyers = || smtp.mails().iter().filter(|m| m.to.contains(&first.email) || m.to.contains(&second.email)).count();
    assert!(eventually(|| to_buyers() == 2).await, "one email per buyer");
    assert!(eventually(|| sms.received().len() == 1).await, "the SMS goes out once the gateway recovers");
    assert_eq!(sms.failed.load(Ordering::SeqCst), 2);

    // The worker on a second server and a direct call race for the due increase.
    let two = TestApp::spawn_on(app.database_url.clone()).await;
    let from = changed.scheduled[0].takes_effect_at;
    let (a, b) = tokio::join!(apply_due(&app.db, from), apply_due(&two.db, from));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "two servers apply a due increase exactly once");
    let took = "New prices for Tiered".to_owned();
    assert_eq!(subjects(&app, &first).await, [told.clone(), took.clone()]);
    assert_eq!(subjects(&app, &second).await, [told, took]);
    assert!(eventually(|| to_buyers() == 4).await);
    assert!(eventually(|| sms.received().len() == 2).await);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!((to_buyers(), sms.received().len()), (4, 2), "never doubled");
    let took_effect: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE kind = 'price-took-effect'").fetch_one(&app.db).await.unwrap();
    assert_eq!(took_effect, 1);
}

#[tokio::test]
async fn r73_a_waiting_increase_is_replaced_by_a_new_price_and_cancelled_only_before_its_date() {
    let app = TestApp::spawn().await;
    let (seller, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let (customer, _) = buyer(&app, &id).await;

    let first = save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "120", ""]]])).await;
    // The same price again changes nothing; a higher one replaces the waiting increase.
    let same = save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "120", ""]]])).await;
    assert_eq!(same.scheduled, first.scheduled);
    let replaced = save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "150", ""]]])).await;
    assert_eq!(replaced.scheduled.len(), 1);
    assert_eq!(replaced.scheduled[0].new_price, "150.00");
    assert_eq!(subjects(&app, &customer).await.len(), 2, "buyers are told of the new increase");
    let states: Vec<String> = sqlx::query_scalar("SELECT state FROM scheduled_prices ORDER BY scheduled_at, state").fetch_all(&app.db).await.unwrap();
    assert_eq!(states.iter().filter(|s| *s == "replaced").count(), 1);

    // A stale page's save is refused and leaves nothing behind.
    let rows_before = audit_kinds(&app, &id).await.len();
    let stale = tier_prices(&app, &seller_client, &id, first.version, json!([[["0.10", "50", ""], ["0.20", "170", ""]]])).await;
    assert_eq!(stale.status(), 409);
    assert_eq!(audit_kinds(&app, &id).await.len(), rows_before, "a rolled-back save writes no audit row");
    assert_eq!(owned(&app, &seller_client, &id).await.scheduled, replaced.scheduled);

    // On or after its date it can no longer be cancelled.
    let waiting = &replaced.scheduled[0];
    let late = app::prices::ssr::cancel(&app.db, &seller.id, &id, &waiting.id, waiting.takes_effect_at).await.unwrap_err();
    assert!(matches!(&late, app::error::AppError::Rules(v) if v[0].rule == Rule::R73), "{late:?}");
    // Another seller cannot; the seller can, before its date.
    let (_, other) = app.signed_in(Role::Seller).await;
    let form = [("product_id", id.as_str()), ("id", waiting.id.as_str())];
    assert_eq!(app.call(&other, "products/cancel-increase", &form).await.status(), 404);
    let cancelled = app.call(&seller_client, "products/cancel-increase", &form).await;
    assert_eq!(cancelled.status(), 200);
    let cancelled: OwnedProduct = cancelled.json().await.unwrap();
    assert!(cancelled.scheduled.is_empty() && public(&app, &id).await.coming.is_empty());
    assert_eq!(app.call(&seller_client, "products/cancel-increase", &form).await.status(), 404, "once");
    assert_eq!(subjects(&app, &customer).await.last().unwrap(), "Price increase for Tiered cancelled");
    assert_eq!(apply_due(&app.db, waiting.takes_effect_at + DAY).await.unwrap(), 0, "a cancelled increase never takes effect");

    // A lower price replaces a waiting increase and applies at once.
    save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "140", ""]]])).await;
    let lowered = save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "90", ""]]])).await;
    assert!(lowered.scheduled.is_empty());
    assert_eq!(lowered.history[0].new_price, "90.00");
    // The buyers, told of the $140 increase, are told it no longer takes effect.
    assert_eq!(subjects(&app, &customer).await.last().unwrap(), "Price increase for Tiered cancelled");
    let body: String = sqlx::query_scalar("SELECT body FROM messages WHERE account_id = $1 ORDER BY created_at DESC, id LIMIT 1")
        .bind(&customer.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(body.contains("no longer take effect") && body.contains("$100.00 → $140.00"), "{body}");
    let kinds = audit_kinds(&app, &id).await;
    assert_eq!(
        kinds[rows_before - 3..],
        ["price-scheduled", "price-cancelled", "price-scheduled", "price-cancelled", "price-scheduled", "price-changed", "price-cancelled"]
    );
}

#[tokio::test]
async fn r72_a_seller_cannot_flood_buyers_with_increases_and_cancellations() {
    let (app, seller_client, id, customer) = tiered_with_a_buyer().await;
    for n in 0..10 {
        raise_tier4(&app, &seller_client, &id, 110 + n).await;
    }
    assert_eq!(subjects(&app, &customer).await.len(), 10);
    let eleventh = try_save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "150", ""]]])).await;
    assert_eq!(eleventh.status(), 429);
    assert!(error_of(eleventh).await.to_string().contains("tomorrow"));
    assert_eq!(subjects(&app, &customer).await.len(), 10, "the refused save told nobody");
    // A decrease is no notice of an increase: it still applies at once.
    let lowered = save(&app, &seller_client, &id, json!([[["0.10", "40", ""], ["0.20", "119", ""]]])).await;
    assert_eq!(lowered.history[0].new_price, "40.00");
}

#[tokio::test]
async fn r72_every_notice_counts_toward_the_limit_and_withdrawing_an_increase_is_never_refused() {
    let (app, seller_client, id, customer) = tiered_with_a_buyer().await;
    // Raising and cancelling in a loop: each raise and each cancellation is a notice.
    for n in 0..4 {
        let raised = raise_tier4(&app, &seller_client, &id, 110 + n).await;
        assert_eq!(cancel_increase(&app, &seller_client, &id, &raised.scheduled[0].id).await.status(), 200);
    }
    assert_eq!(subjects(&app, &customer).await.len(), 8);
    // Both tiers up (one notice), then the second again (one more): the tenth.
    save(&app, &seller_client, &id, json!([[["0.10", "60", ""], ["0.20", "120", ""]]])).await;
    let waiting = save(&app, &seller_client, &id, json!([[["0.10", "60", ""], ["0.20", "130", ""]]])).await.scheduled;
    assert_eq!((waiting.len(), subjects(&app, &customer).await.len()), (2, 10));
    let eleventh = try_save(&app, &seller_client, &id, json!([[["0.10", "60", ""], ["0.20", "140", ""]]])).await;
    assert_eq!(eleventh.status(), 429);
    // Past the limit the seller can still cancel one increase and lower the other's price:
    // both spare the buyers a rise, and they are told.
    let first_tier = waiting.iter().find(|w| w.new_price == "60.00").unwrap();
    assert_eq!(cancel_increase(&app, &seller_client, &id, &first_tier.id).await.status(), 200);
    let lowered = save(&app, &seller_client, &id, json!([[["0.10", "50", ""], ["0.20", "90", ""]]])).await;
    assert!(lowered.scheduled.is_empty());
    assert_eq!(lowered.history[0].new_price, "90.00");
    let told = subjects(&app, &customer).await;
    assert_eq!(told.len(), 12);
    assert!(told[10..].iter().all(|s| s == "Price increase for Tiered cancelled"), "{told:?}");
}

#[tokio::test]
async fn r70_an_increase_that_cannot_apply_is_set_aside_and_never_holds_up_the_others() {
    let app = TestApp::spawn().await;
    let (_, broken_client, broken) = released(&app, "broken", vcpu_priced).await;
    let (_, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let raise = json!([[["0.10", "50", ""], ["0.20", "120", ""]]]);
    let waiting = save(&app, &broken_client, &broken, raise.clone()).await.scheduled[0].clone();
    save(&app, &seller_client, &id, raise).await;
    // One product's content no longer reads; another has an increase for a tier it lacks.
    sqlx::query("UPDATE products SET content = 'not a product' WHERE id = $1").bind(&broken).execute(&app.db).await.unwrap();
    sqlx::query(
        "INSERT INTO scheduled_prices (id, product_id, specification, vcpus, billing, old_price, new_price, scheduled_by, scheduled_at, takes_effect_at, state) \
         SELECT 'stray', product_id, 0, 16, billing, old_price, new_price, scheduled_by, scheduled_at, takes_effect_at, 'scheduled' FROM scheduled_prices WHERE product_id = $1",
    )
    .bind(&id)
    .execute(&app.db)
    .await
    .unwrap();

    assert_eq!(apply_due(&app.db, waiting.takes_effect_at + DAY).await.unwrap(), 1, "the good increase applies");
    let states: Vec<(String, String)> = sqlx::query_as("SELECT id, state FROM scheduled_prices WHERE product_id = $1 ORDER BY id")
        .bind(&id)
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(states.iter().any(|(i, s)| i == "stray" && s == "failed"), "{states:?}");
    assert!(states.iter().any(|(i, s)| i != "stray" && s == "applied"), "{states:?}");
    let still: String = sqlx::query_scalar("SELECT state FROM scheduled_prices WHERE id = $1").bind(&waiting.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(still, "scheduled", "the unreadable product's increase waits, and is tried again");
}
