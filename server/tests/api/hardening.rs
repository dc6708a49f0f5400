//! The hardening review's findings (issue 10), each with a test that fails without its fix:
//! markup in names, sign-in exhaustion and guessing, the price a buyer is charged, draft
//! quotas, R19 after release, cross-site writes, security headers, control characters,
//! signed-in product pages, idempotent saves, client mistakes in the log, and sessions.

use crate::after_release::{owned, released, tier_prices, vcpu_priced};
use crate::helpers::{error_of, TestApp, PASSWORD};
use crate::release::{asset, complete, submit};
use app::auth::{Account, Role};
use app::drafts::{DraftBase, DraftSummary, SavedDraft};
use app::error::AppError;
use app::purchases::Purchase;
use app::rules::release::ProductDraft;
use app::rules::Rule;
use reqwest::{Client, Response};
use serde_json::json;

async fn sign_in(app: &TestApp, client: &Client, email: &str, password: &str) -> Response {
    app.call(client, "session/sign-in", &[("email", email), ("password", password)]).await
}

async fn save(app: &TestApp, client: &Client, base: &DraftBase, content: &ProductDraft, save_id: &str) -> Response {
    client
        .post(format!("{}/api/drafts/save", app.address))
        .json(&json!({ "base": base, "content": content, "save_id": save_id }))
        .send()
        .await
        .unwrap()
}

fn named(name: &str) -> ProductDraft {
    ProductDraft { name: name.into(), ..ProductDraft::default() }
}

async fn drafts(app: &TestApp, client: &Client) -> Vec<DraftSummary> {
    app.call(client, "drafts/list", &[]).await.json().await.unwrap()
}

async fn credit(app: &TestApp, account: &Account) -> i64 {
    sqlx::query_scalar("SELECT credit_cents FROM accounts WHERE id = $1").bind(&account.id).fetch_one(&app.db).await.unwrap()
}

// 1. A script in a product name.

#[tokio::test]
async fn a_product_named_with_markup_is_only_text_in_the_head_and_body_of_its_public_page() {
    let app = TestApp::spawn().await;
    let name = "</title><script>alert(1)</script>";
    let (_, _, id) = released(&app, "markup", |asset_id| {
        let mut content = complete(name, &asset_id);
        content.summary = "\"><script>alert(2)</script>".into();
        content
    })
    .await;

    let html = app.get(&app.client(), &format!("/products/{id}")).await.text().await.unwrap();

    assert!(!html.contains("<script>alert"), "markup from the product ran as markup: {html}");
    assert!(
        html.contains("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; · Marketplace</title>"),
        "the title shows the name as text: {html}"
    );
    assert!(html.contains("<h1>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "the heading shows it as text");
}

// 2 and 3. Sign-in: bounded hashing, and guessing slowed per account and per address.

#[tokio::test]
async fn concurrent_sign_ins_past_the_hashing_bound_are_told_to_retry_and_pages_stay_served() {
    let app = TestApp::spawn_with(crate::helpers::fresh_database_url().await, &[("SIGN_IN_CONCURRENT_HASHES", "1")]).await;
    let attempts = (0..48).map(|n| {
        let (app, client) = (&app, app.client());
        async move {
            let response = sign_in(app, &client, &format!("nobody-{n}@example.test"), "wrong").await;
            (response.status().as_u16(), response.headers().get("retry-after").is_some())
        }
    });
    let page = async {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        app.get(&app.client(), "/").await.status().as_u16()
    };
    let (outcomes, page) = futures::join!(futures::future::join_all(attempts), page);

    assert_eq!(page, 200, "a page is served while sign-ins wait");
    assert!(outcomes.iter().all(|(s, _)| *s == 401 || *s == 503), "{outcomes:?}");
    let busy: Vec<_> = outcomes.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!busy.is_empty(), "one check at a time and 8 waiting: the rest are told the server is busy");
    assert!(busy.iter().all(|(_, retry)| *retry), "each 503 says when to retry");
}

#[tokio::test]
async fn repeated_wrong_passwords_delay_the_next_attempt_even_with_the_right_one_until_the_wait_ends() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Customer).await;
    let client = app.client();
    for _ in 0..5 {
        assert_eq!(sign_in(&app, &client, &account.email, "guess").await.status(), 401);
    }

    let refused = sign_in(&app, &client, &account.email, PASSWORD).await;
    assert_eq!(refused.status(), 429, "the sixth attempt waits, right password or not");
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let message = error_of(refused).await.to_string();
    assert!(message.contains("not locked") && message.contains("Try again in"), "{message}");
    let other = app.account(Role::Customer).await;
    assert_eq!(sign_in(&app, &app.client(), &other.email, PASSWORD).await.status(), 200, "other accounts are not slowed");

    // Time passes: the wait ends by itself, and the right password signs in and clears the count.
    sqlx::query("UPDATE sign_in_throttle SET blocked_until = 0").execute(&app.db).await.unwrap();
    assert_eq!(sign_in(&app, &client, &account.email, PASSWORD).await.status(), 200);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_throttle WHERE email_key = $1")
        .bind(account.email.to_lowercase())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn guessing_is_slowed_for_every_server_of_one_database() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(first.database_url.clone()).await;
    let account = first.account(Role::Seller).await;
    for n in 0..5 {
        let server = if n % 2 == 0 { &first } else { &second };
        assert_eq!(sign_in(server, &server.client(), &account.email, "guess").await.status(), 401);
    }
    assert_eq!(sign_in(&second, &second.client(), &account.email, PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn a_client_address_with_too_many_failures_is_refused_for_a_while() {
    let app = TestApp::spawn_with(crate::helpers::fresh_database_url().await, &[("SIGN_IN_ADDRESS_FAILURES", "3")]).await;
    let account = app.account(Role::Customer).await;
    let client = app.client();
    for n in 0..3 {
        assert_eq!(sign_in(&app, &client, &format!("unknown-{n}@example.test"), "guess").await.status(), 401);
    }
    let refused = sign_in(&app, &client, &account.email, PASSWORD).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(error_of(refused).await.to_string().contains("from your network"));
}

// 4. The price a buyer was shown.

#[tokio::test]
async fn a_purchase_at_a_price_that_changed_since_it_was_shown_is_refused_and_charges_nothing() {
    let app = TestApp::spawn().await;
    let (_, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let (customer, client) = app.signed_in(Role::Customer).await;
    sqlx::query("UPDATE accounts SET credit_cents = 50000 WHERE id = $1").bind(&customer.id).execute(&app.db).await.unwrap();
    let choice = json!({ "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 1 });
    let buy = |shown: i64| {
        let (client, url, id, choice) = (client.clone(), format!("{}/api/purchases/buy", app.address), id.clone(), choice.clone());
        async move { client.post(url).json(&json!({ "id": id, "choice": choice, "shown_cents": shown })).send().await.unwrap() }
    };
    // The buyer saw $100; meanwhile the seller raises it to $400.
    let version = owned(&app, &seller_client, &id).await.version;
    let raised = tier_prices(&app, &seller_client, &id, version, json!([[["0.10", "50", ""], ["0.20", "400", ""]]])).await;
    assert_eq!(raised.status(), 200);

    let refused = buy(10_000).await;

    assert_eq!(refused.status(), 409);
    let message = error_of(refused).await.to_string();
    assert!(message.contains("$400.00") && message.contains("Nothing was charged"), "{message}");
    assert_eq!(credit(&app, &customer).await, 50_000);
    let purchases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases").fetch_one(&app.db).await.unwrap();
    assert_eq!(purchases, 0);

    let bought = buy(40_000).await;
    assert_eq!(bought.status(), 200, "at the price now shown it goes through");
    assert_eq!(bought.json::<Purchase>().await.unwrap().price_cents, 40_000);
    assert_eq!(credit(&app, &customer).await, 10_000);
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

// 7. Cross-site requests.

#[tokio::test]
async fn writes_from_another_site_are_refused_and_json_is_read_only_as_json() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Seller).await;
    let url = format!("{}/api/session/sign-in", app.address);
    let form = [("email", account.email.as_str()), ("password", PASSWORD)];
    let client = app.client();

    let forged = client.post(&url).header("origin", "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(forged.status(), 403, "login CSRF");
    assert!(forged.headers().get("set-cookie").is_none());
    let fetched = client.post(&url).header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
    assert_eq!(fetched.status(), 403);
    let own_origin = app.address.clone();
    let same = client.post(&url).header("origin", own_origin).header("sec-fetch-site", "same-origin").form(&form).send().await.unwrap();
    assert_eq!(same.status(), 200, "the console's own pages sign in");

    let plain = client
        .post(format!("{}/api/drafts/save", app.address))
        .header("content-type", "text/plain")
        .body(json!({ "base": "New", "content": named("x"), "save_id": app::drafts::new_save_id() }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 0);
    let read = client.get(format!("{}/", app.address)).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(read.status(), 200, "links from other sites still open pages");
}

// 8. Security headers.

#[tokio::test]
async fn pages_carry_a_nonce_policy_and_signed_in_answers_are_never_cached() {
    let app = TestApp::spawn().await;
    let home = app.get(&app.client(), "/").await;
    let headers = home.headers().clone();
    let html = home.text().await.unwrap();
    let csp = headers["content-security-policy"].to_str().unwrap().to_owned();
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the policy").to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the policy's nonce");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    let again = app.get(&app.client(), "/").await.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_ne!(again, csp, "a new nonce for every page");

    let (_, seller) = app.signed_in(Role::Seller).await;
    let console = app.get(&seller, "/console/products").await;
    assert_eq!(console.headers()["cache-control"], "no-store");
    let api = app.call(&seller, "drafts/list", &[]).await;
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert!(api.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));

    let https = TestApp::spawn_with(crate::helpers::fresh_database_url().await, &[("PUBLIC_URL", "https://market.example")]).await;
    let hsts = https.get(&https.client(), "/").await;
    assert!(hsts.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
}

// 9. Control characters and invisible characters.

#[tokio::test]
async fn a_nul_byte_anywhere_is_a_clear_400_never_a_500() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let sign = sign_in(&app, &client, "a\0b@example.test", "x").await;
    assert_eq!(sign.status(), 400);
    assert!(error_of(sign).await.to_string().contains("U+0000"));
    assert_eq!(app.get(&client, "/products/%00").await.status(), 400);
    assert_eq!(app.get(&client, "/?q=ubuntu%00").await.status(), 400);

    let (_, seller) = app.signed_in(Role::Seller).await;
    let pasted = save(&app, &seller, &DraftBase::New, &named("Hardened\u{0} Ubuntu"), &app::drafts::new_save_id()).await;
    assert_eq!(pasted.status(), 400);
    let message = error_of(pasted).await.to_string();
    assert!(message.contains("content.name") && message.contains("control character"), "{message}");
    let fine = ProductDraft { description: "line one\nline two\ttabbed".into(), ..named("ok") };
    assert_eq!(save(&app, &seller, &DraftBase::New, &fine, &app::drafts::new_save_id()).await.status(), 200);
}

#[tokio::test]
async fn r15_a_name_with_an_invisible_character_cannot_pass_for_a_live_product_name() {
    let app = TestApp::spawn().await;
    let (seller, client, _) = released(&app, "first", |asset_id| complete("Hardened Ubuntu", &asset_id)).await;
    let asset_id = asset(&app, &client, &seller, "second").await;

    let look_alike = submit(&app, &client, None, &complete("Hardened\u{200B} Ubuntu", &asset_id)).await;

    assert_eq!(look_alike.status(), 422);
    let error = error_of(look_alike).await;
    assert_eq!(error.violations()[0].rule, Rule::R15);
    assert!(error.violations()[0].message.contains("invisible character"));
}

// 11. Signed-in product pages.

#[tokio::test]
async fn signed_in_product_pages_rendered_many_times_at_once_all_arrive_whole() {
    use futures::stream::{self, StreamExt};
    let app = TestApp::spawn().await;
    let (_, seller, id) = released(&app, "tiered", vcpu_priced).await;
    let (_, customer) = app.signed_in(Role::Customer).await;
    let path = format!("/products/{id}");
    let broken: Vec<String> = stream::iter(0..800)
        .map(|n| {
            let (app, path) = (&app, &path);
            let client = if n % 2 == 0 { customer.clone() } else { seller.clone() };
            async move {
                match client.get(format!("{}{path}", app.address)).send().await {
                    Ok(response) if response.status() == 200 => match response.text().await {
                        Ok(html) if html.contains("</html>") && html.contains("Purchase") => None,
                        Ok(html) => Some(format!("incomplete page of {} bytes", html.len())),
                        Err(error) => Some(format!("body lost: {error}")),
                    },
                    Ok(response) => Some(format!("status {}", response.status())),
                    Err(error) => Some(format!("connection: {error}")),
                }
            }
        })
        .buffer_unordered(32)
        .filter_map(|outcome| async move { outcome })
        .collect()
        .await;
    assert!(broken.is_empty(), "{} of 800 signed-in product pages broke: {:?}", broken.len(), &broken[..broken.len().min(5)]);
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

// 13. A client's mistake is not an ERROR of ours.

#[tokio::test]
async fn a_file_name_too_long_for_any_file_system_is_a_404_and_logs_no_error() {
    let app = TestApp::spawn().await;
    let response = app.get(&app.client(), &format!("/pkg/{}.js", "x".repeat(300))).await;
    assert_eq!(response.status(), 404);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let errors: Vec<String> = crate::logs::errors_for(&request_id).into_iter().map(|e| e.message).collect();
    assert!(errors.is_empty(), "logged as ERROR: {errors:?}");
}

// 14. Sessions.

#[tokio::test]
async fn a_session_left_unused_past_the_idle_timeout_ends() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    assert_eq!(app.call(&client, "drafts/list", &[]).await.status(), 200);

    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 3 * 60 * 60 * 1000").execute(&app.db).await.unwrap();

    assert_eq!(app.call(&client, "drafts/list", &[]).await.status(), 401);
    assert_eq!(app.get(&client, "/console/products").await.status(), 302);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_account_on_every_server() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(first.database_url.clone()).await;
    let account = first.account(Role::Seller).await;
    let laptop = first.client();
    let phone = second.client();
    assert_eq!(sign_in(&first, &laptop, &account.email, PASSWORD).await.status(), 200);
    assert_eq!(sign_in(&second, &phone, &account.email, PASSWORD).await.status(), 200);
    let (_, bystander) = first.signed_in(Role::Seller).await;

    assert_eq!(first.call(&laptop, "session/sign-out-everywhere", &[]).await.status(), 200);

    assert_eq!(second.call(&phone, "drafts/list", &[]).await.status(), 401);
    assert_eq!(first.call(&laptop, "drafts/list", &[]).await.status(), 401);
    assert_eq!(first.call(&bystander, "drafts/list", &[]).await.status(), 200, "other accounts stay signed in");
}

// Operators: health and request ids.

#[tokio::test]
async fn the_health_check_answers_when_the_database_does_and_every_answer_has_a_request_id() {
    let app = TestApp::spawn().await;
    let health = app.client().get(format!("{}/health", app.address)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let first = health.headers()["x-request-id"].to_str().unwrap().to_owned();
    let page = app.get(&app.client(), "/").await;
    assert_ne!(page.headers()["x-request-id"].to_str().unwrap(), first);
    let error = app.call(&app.client(), "drafts/list", &[]).await;
    assert_eq!(error.status(), 401);
    assert!(error.headers().contains_key("x-request-id"));
    assert!(matches!(error_of(error).await, AppError::Unauthenticated));
}
