//! `/api/v1` with API tokens (SPEC section 8): tokens and their scopes, expiry and
//! revocation on every server (R60), the console's operations under its rules and ownership
//! (R61), validate as a dry run with the wizard's own violations (R62), idempotent
//! submission (R63) and the request budget across servers (R64).

use crate::helpers::TestApp;
use crate::release::{asset, complete};
use app::auth::Role;
use app::release::ReleaseSetup;
use app::rules::release::check_draft;
use app::tokens::NewToken;
use reqwest::{Client, Response};
use serde_json::{json, Value};
use server::api::{ErrorBody, Validation, Violation};

/// A token of the client's seller with `scopes`, made through the console's server function.
pub async fn token(app: &TestApp, client: &Client, scopes: &[&str]) -> NewToken {
    let response = client
        .post(format!("{}/api/tokens/create", app.address))
        .json(&json!({ "name": "pipeline", "days": 90, "scopes": scopes }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    response.json().await.unwrap()
}

/// A request to the API with `secret` as the bearer token.
pub async fn api(app: &TestApp, method: reqwest::Method, path: &str, secret: &str, body: Option<Value>) -> Response {
    let mut request = Client::new().request(method, format!("{}/api/v1{path}", app.address)).bearer_auth(secret);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, secret: &str) -> Response {
    api(app, reqwest::Method::GET, path, secret, None).await
}

async fn post(app: &TestApp, path: &str, secret: &str, body: Value) -> Response {
    api(app, reqwest::Method::POST, path, secret, Some(body)).await
}

/// The error of a refused API call, checked to have the API's one shape and `status`.
async fn refusal(response: Response, status: u16) -> ErrorBody {
    assert_eq!(response.status(), status);
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not the API's error shape ({e}): {text}"))
}

#[tokio::test]
async fn r60_a_token_opens_the_api_within_its_scopes_and_only_the_api_and_is_refused_once_revoked_or_expired_on_every_server() {
    let app = TestApp::spawn().await;
    let second = TestApp::spawn_on(app.database_url.clone()).await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let made = token(&app, &client, &["read"]).await;
    assert!(made.secret.starts_with("mpt_") && made.secret.len() > 40);
    // Only a hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_hash FROM api_tokens").fetch_all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&made.secret[4..]), "the secret is not kept");
    // The list shows it without its secret.
    let list = app.call(&client, "tokens/list", &[]).await.text().await.unwrap();
    assert!(list.contains("pipeline") && !list.contains(&made.secret));

    assert_eq!(get(&app, "/drafts", &made.secret).await.status(), 200);
    let lower_case = Client::new().get(format!("{}/api/v1/drafts", app.address)).header("authorization", format!("bearer {}", made.secret)).send().await.unwrap();
    assert_eq!(lower_case.status(), 200, "the scheme's name in any case");
    assert_eq!(get(&second, "/drafts", &made.secret).await.status(), 200);
    // A scope the token lacks is a 403 naming it.
    let missing = refusal(post(&app, "/drafts", &made.secret, json!({ "content": complete("X", "a") })).await, 403).await;
    assert_eq!(missing.error.code, "forbidden");
    assert!(missing.error.message.contains("drafts scope"), "{}", missing.error.message);
    // A session cookie never opens the API; a token never opens a console page.
    let with_cookie = client.get(format!("{}/api/v1/drafts", app.address)).send().await.unwrap();
    assert_eq!(refusal(with_cookie, 401).await.error.code, "unauthenticated");
    let page = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
        .get(format!("{}/console/products", app.address)).bearer_auth(&made.secret).send().await.unwrap();
    let body = page.text().await.unwrap();
    assert!(body.contains(r#"<a href="/sign-in">Sign in"#) && !body.contains(&seller.email), "a token is no session: the console offers to sign in");
    let signed_in = app.get(&client, "/console/products").await.text().await.unwrap();
    assert!(!signed_in.contains(r#"<a href="/sign-in">Sign in"#), "with a session the same page is the seller's");
    // Unknown secrets are refused alike.
    assert_eq!(refusal(get(&app, "/drafts", "mpt_0000").await, 401).await.error.code, "unauthenticated");

    // Revoked on one server: refused at once by the other.
    let response = app.call(&client, "tokens/revoke", &[("id", &made.token.id)]).await;
    assert_eq!(response.status(), 200);
    let revoked = refusal(get(&second, "/drafts", &made.secret).await, 401).await;
    assert!(revoked.error.message.contains("revoked"), "{}", revoked.error.message);

    // Expired: refused with a message that says so.
    let other = token(&app, &client, &["read"]).await;
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2").bind(1_i64).bind(&other.token.id).execute(&app.db).await.unwrap();
    let expired = refusal(get(&second, "/drafts", &other.secret).await, 401).await;
    assert!(expired.error.message.contains("expired"), "{}", expired.error.message);

    // A token for a year at most, with a name and a scope.
    for bad in [json!({ "name": "x", "days": 366, "scopes": ["read"] }), json!({ "name": "", "days": 9, "scopes": ["read"] }), json!({ "name": "x", "days": 9, "scopes": [] }), json!({ "name": "x", "days": 9, "scopes": ["admin"] })] {
        let response = client.post(format!("{}/api/tokens/create", app.address)).json(&bad).send().await.unwrap();
        assert_eq!(response.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn r61_drafts_through_the_api_follow_the_console_rules_and_another_sellers_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let secret = token(&app, &client, &["read", "drafts"]).await.secret;
    let (_, other_client) = app.signed_in(Role::Seller).await;
    let other = token(&app, &other_client, &["read", "drafts"]).await.secret;

    let mut ids = Vec::new();
    for n in 0..3 {
        let response = post(&app, "/drafts", &secret, json!({ "content": complete(&format!("Draft {n}"), "none") })).await;
        assert_eq!(response.status(), 201);
        ids.push(response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    // Pages by cursor, newest first, each draft once.
    let first: Value = get(&app, "/drafts?limit=2", &secret).await.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().expect("a next page").to_owned();
    let second: Value = get(&app, &format!("/drafts?limit=2&cursor={cursor}"), &secret).await.json().await.unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    assert_eq!(second["items"][0]["id"], ids[0]);
    // Drafts saved in the same millisecond: each still comes once, in the console's order.
    sqlx::query("UPDATE drafts SET updated_at = 5").execute(&app.db).await.unwrap();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = get(&app, &format!("/drafts?limit=1&cursor={cursor}"), &secret).await.json().await.unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(refusal(get(&app, "/drafts?limit=many", &secret).await, 400).await.error.code, "bad_request");
    assert_eq!(refusal(api(&app, reqwest::Method::PATCH, "/drafts", &secret, None).await, 405).await.error.code, "bad_request");
    assert_eq!(refusal(get(&app, "/drafts?limit=0", &secret).await, 400).await.error.code, "bad_request");

    // A change based on an old version is a conflict (R33).
    let update = |version: i64| json!({ "version": version, "content": complete("Renamed", "none") });
    let path = format!("/drafts/{}", ids[1]);
    assert_eq!(api(&app, reqwest::Method::PUT, &path, &secret, Some(update(1))).await.status(), 200);
    assert_eq!(refusal(api(&app, reqwest::Method::PUT, &path, &secret, Some(update(1))).await, 409).await.error.code, "conflict");
    let read: Value = get(&app, &path, &secret).await.json().await.unwrap();
    assert_eq!((read["version"].as_i64(), read["content"]["name"].as_str()), (Some(2), Some("Renamed")));

    // Another seller's draft is not found, for reading, changing and deleting alike.
    assert_eq!(refusal(get(&app, &path, &other).await, 404).await.error.code, "not_found");
    assert_eq!(api(&app, reqwest::Method::PUT, &path, &other, Some(update(2))).await.status(), 404);
    assert_eq!(api(&app, reqwest::Method::DELETE, &path, &other, None).await.status(), 404);
    assert_eq!(api(&app, reqwest::Method::DELETE, &path, &secret, None).await.status(), 204);
    assert_eq!(get(&app, &path, &secret).await.status(), 404);

    // Bad input is a clear 4xx in the API's shape: not JSON, the wrong type, a control
    // character, an unknown path.
    let not_json = Client::new().post(format!("{}/api/v1/drafts", app.address)).bearer_auth(&secret)
        .header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(refusal(not_json, 400).await.error.code, "bad_request");
    let as_text = Client::new().post(format!("{}/api/v1/drafts", app.address)).bearer_auth(&secret)
        .header("content-type", "text/plain").body("{}").send().await.unwrap();
    assert!(refusal(as_text, 415).await.error.message.contains("application/json"));
    let control = post(&app, "/drafts", &secret, json!({ "content": complete("Bad\u{0}name", "none") })).await;
    assert_eq!(refusal(control, 400).await.error.code, "bad_request");
    assert_eq!(refusal(get(&app, "/nothing-here", &secret).await, 404).await.error.code, "not_found");
}

#[tokio::test]
async fn r62_validate_answers_the_wizards_violations_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let secret = token(&app, &client, &["read"]).await.secret;
    let asset_id = asset(&app, &client, &seller, "valid").await;
    let setup: ReleaseSetup = app.call(&client, "release/setup", &[]).await.json().await.unwrap();
    let mut broken = Vec::new();
    let base = complete("Checked", &asset_id);
    broken.push(app::rules::release::ProductDraft::default());
    broken.push(app::rules::release::ProductDraft { name: String::new(), category: "Nonsense".into(), ..base.clone() });
    let mut spec = base.clone();
    spec.specifications[0].regions = vec!["moon-base".into()];
    spec.specifications[0].simple_prices = ["-1".into(), "abc".into(), String::new()];
    broken.push(spec);
    let mut unknown_asset = base.clone();
    unknown_asset.specifications[0].asset_id = "someone-elses".into();
    broken.push(unknown_asset);
    for content in &broken {
        let response = post(&app, "/validate", &secret, serde_json::to_value(content).unwrap()).await;
        assert_eq!(response.status(), 200);
        let answer: Validation = response.json().await.unwrap();
        let wizard = Violation::all(&check_draft(content, &setup.context));
        assert!(!wizard.is_empty());
        assert_eq!(answer.violations, wizard, "the wizard's violations, in its order and words");
        assert!(!answer.valid);
    }
    let answer: Validation = post(&app, "/validate", &secret, serde_json::to_value(&base).unwrap()).await.json().await.unwrap();
    assert!(answer.valid && answer.violations.is_empty());
    let stored: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM drafts) + (SELECT COUNT(*) FROM release_requests)").fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, 0, "validate stores nothing");
}

#[tokio::test]
async fn r63_ten_simultaneous_submissions_with_one_idempotency_key_make_one_request() {
    let app = TestApp::spawn().await;
    let second = TestApp::spawn_on(app.database_url.clone()).await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let secret = token(&app, &client, &["read", "submit"]).await.secret;
    let asset_id = asset(&app, &client, &seller, "once").await;
    let content = serde_json::to_value(complete("Once", &asset_id)).unwrap();
    let send = |server: &TestApp, key: &'static str| {
        Client::new()
            .post(format!("{}/api/v1/submissions", server.address))
            .bearer_auth(&secret)
            .header("idempotency-key", key)
            .json(&content)
            .send()
    };
    let answers = futures::future::join_all((0..10).map(|n| send(if n % 2 == 0 { &app } else { &second }, "build-41"))).await;
    let mut ids = Vec::new();
    for answer in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), 201, "every retry gets the request");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["status"], "Submitted");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one request for one key");
    let requests: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM release_requests").fetch_one(&app.db).await.unwrap();
    assert_eq!(requests, 1);
    // The key with other content is a conflict, not that request.
    let mut other = complete("Once", &asset_id);
    other.summary = "Something else.".into();
    let reused = Client::new().post(format!("{}/api/v1/submissions", app.address)).bearer_auth(&secret)
        .header("idempotency-key", "build-41").json(&other).send().await.unwrap();
    assert_eq!(refusal(reused, 409).await.error.code, "conflict");
    // The request is followed through the API, with its due date.
    let followed: Value = get(&app, &format!("/applications/{}", ids[0]), &secret).await.json().await.unwrap();
    assert_eq!(followed["application"]["status"], "Submitted");
    assert!(followed["application"]["due_at"].as_i64().unwrap() > 0);
    // Another key is another submission, which the same image refuses now (R20), with the rule and field.
    let again = send(&app, "build-42").await.unwrap();
    let refused = refusal(again, 422).await;
    assert_eq!(refused.error.code, "rule_violations");
    assert!(refused.error.violations.iter().any(|v| v.rule == "R20" && v.field.starts_with("specifications[0]")), "{:?}", refused.error.violations);
}

#[tokio::test]
async fn r64_past_its_budget_a_token_is_told_to_wait_on_every_server() {
    let url = crate::helpers::fresh_database_url().await;
    let budget = [("API_REQUESTS_PER_MINUTE", "4")];
    let app = TestApp::spawn_with(url.clone(), &budget).await;
    let second = TestApp::spawn_with(url, &budget).await;
    let (_, client) = app.signed_in(Role::Seller).await;
    let secret = token(&app, &client, &["read"]).await.secret;
    let other = token(&app, &client, &["read"]).await.secret;
    // Pinned to the start of a minute, so the four fall in one.
    let wait = 60_000 - app::store::now_ms().rem_euclid(60_000);
    if wait < 5_000 {
        tokio::time::sleep(std::time::Duration::from_millis(wait as u64 + 50)).await;
    }
    for n in 0..4 {
        let server = if n % 2 == 0 { &app } else { &second };
        assert_eq!(get(server, "/applications", &secret).await.status(), 200);
    }
    let refused = get(&second, "/applications", &secret).await;
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(refusal(refused, 429).await.error.code, "too_many_requests");
    assert_eq!(get(&app, "/applications", &other).await.status(), 200, "each token has its own budget");
}
