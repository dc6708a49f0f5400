use crate::helpers::{error_of, TestApp, PASSWORD};
use app::auth::{Account, Role};
use app::error::AppError;

#[tokio::test]
async fn signing_in_starts_a_session_in_an_http_only_same_site_cookie() {
    let app = TestApp::spawn().await;
    let seller = app.account(Role::Seller).await;
    let client = app.client();

    let response = app.call(&client, "session/sign-in", &[("email", &seller.email), ("password", PASSWORD)]).await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["location"], "/console/products");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("mp_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP must not set Secure: {cookie}");
    let current: Option<Account> = app.call(&client, "session/current", &[]).await.json().await.unwrap();
    assert_eq!(current.map(|a| a.id), Some(seller.id));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_message() {
    let app = TestApp::spawn().await;
    let seller = app.account(Role::Seller).await;
    let client = app.client();

    let wrong = app.call(&client, "session/sign-in", &[("email", &seller.email), ("password", "nope")]).await;
    let unknown = app.call(&client, "session/sign-in", &[("email", "nobody@example.test"), ("password", "nope")]).await;

    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let no_session = |r: &reqwest::Response| r.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("mp_session"));
    assert!(no_session(&wrong) && no_session(&unknown));
    let (wrong, unknown) = (error_of(wrong).await, error_of(unknown).await);
    assert_eq!(wrong, AppError::InvalidCredentials);
    assert_eq!(wrong.to_string(), unknown.to_string());
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Seller).await;

    let response = app.call(&client, "session/sign-out", &[]).await;

    assert_eq!(response.status(), 200);
    let current: Option<Account> = app.call(&client, "session/current", &[]).await.json().await.unwrap();
    assert_eq!(current, None);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&app.db).await.unwrap();
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn a_forged_session_cookie_is_not_a_session() {
    let app = TestApp::spawn().await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/images/overview", app.address))
        .header("cookie", "mp_session=0000000000000000000000000000000000000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(error_of(response).await, AppError::Unauthenticated);
}

#[tokio::test]
async fn without_a_session_there_is_no_current_account_and_signing_out_is_harmless() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let current: Option<Account> = app.call(&client, "session/current", &[]).await.json().await.unwrap();
    assert_eq!(current, None);
    assert_eq!(app.call(&client, "session/sign-out", &[]).await.status(), 200);
}

#[tokio::test]
async fn a_malformed_sign_in_gets_a_400_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let client = app.client();

    let missing = app.call(&client, "session/sign-in", &[("email", "a@example.test")]).await;
    assert_eq!(missing.status(), 400);
    assert!(matches!(error_of(missing).await, AppError::BadRequest(m) if m.contains("password")));

    let long = "x".repeat(5000);
    let oversized = app.call(&client, "session/sign-in", &[("email", &long), ("password", "p")]).await;
    assert_eq!(oversized.status(), 400);
    assert!(matches!(error_of(oversized).await, AppError::BadRequest(m) if m.contains("too long")));
}

#[tokio::test]
async fn a_session_started_on_one_server_works_on_another_server_of_the_same_database() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(first.database_url.clone()).await;
    let seller = first.account(Role::Seller).await;
    let signed_in = first
        .call(&first.client(), "session/sign-in", &[("email", &seller.email), ("password", PASSWORD)])
        .await;
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();

    // As behind a load balancer: the next request, with the same cookie, reaches the other server.
    let current: Option<Account> = reqwest::Client::new()
        .post(format!("{}/api/session/current", second.address))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(current.map(|a| a.id), Some(seller.id));
}

#[tokio::test]
async fn expired_sessions_are_swept_when_someone_signs_in() {
    let app = TestApp::spawn().await;
    let old = app.account(Role::Customer).await;
    sqlx::query("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ('stale', $1, 0, 1)")
        .bind(&old.id)
        .execute(&app.db)
        .await
        .unwrap();

    app.signed_in(Role::Seller).await;

    let stale: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = 'stale'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stale, 0);
}

#[tokio::test]
async fn a_page_drawn_for_one_account_cannot_act_for_another_signed_in_since_in_the_same_browser() {
    use app::drafts::{DraftBase, SavedDraft};
    let app = TestApp::spawn().await;
    let (first, _) = app.signed_in(Role::Seller).await;
    let (second, browser) = app.signed_in(Role::Seller).await;
    // The browser's cookie is now the second seller's; a page still open was drawn for the first.
    let page = format!("<meta name=\"signed-in-as\" content=\"{}\">", second.id);
    let drawn = app.get(&browser, "/console/products").await.text().await.unwrap();
    assert!(drawn.contains(&page), "a page names its account");
    let content = crate::release::complete("Saved by the wrong page", "none");
    let body = serde_json::json!({ "base": DraftBase::New, "content": content, "save_id": "page-account-00000001" });
    let save = |account: Option<&str>| {
        let mut request = browser.post(format!("{}/api/drafts/save", app.address)).json(&body);
        if let Some(account) = account {
            request = request.header("x-page-account", account);
        }
        request.send()
    };
    let refused = save(Some(&first.id)).await.unwrap();
    assert_eq!(refused.status(), 409);
    assert_eq!(error_of(refused).await, AppError::AccountChanged);
    let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts").fetch_one(&app.db).await.unwrap();
    assert_eq!(drafts, 0, "nothing saved for either account");
    // The page of the account signed in, and callers that name no page (the CLI's API is
    // another path), go on.
    assert_eq!(save(Some(&second.id)).await.unwrap().json::<SavedDraft>().await.unwrap().version, 1);
    assert_eq!(save(None).await.unwrap().status(), 200);
}
