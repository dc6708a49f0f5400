//! The hardening review's findings (issue 10) at the edge, each with a test that fails
//! without its fix: markup in names, cross-site writes, security headers, control
//! characters, signed-in product pages, client mistakes in the log, health and request ids.
//! Sign-in and sessions are in `hardening_sign_in.rs`; prices, drafts and saves in
//! `hardening_data.rs`; slow clients and the connection limit in `hardening_connections.rs`.

use crate::after_release::{released, vcpu_priced};
use crate::helpers::{error_of, TestApp, PASSWORD};
use crate::release::{asset, complete, submit};
use app::auth::{Account, Role};
use app::drafts::{DraftBase, DraftSummary};
use app::error::AppError;
use app::rules::release::ProductDraft;
use app::rules::Rule;
use reqwest::{Client, Response};
use serde_json::json;

pub(crate) async fn sign_in(app: &TestApp, client: &Client, email: &str, password: &str) -> Response {
    app.call(client, "session/sign-in", &[("email", email), ("password", password)]).await
}

pub(crate) async fn save(app: &TestApp, client: &Client, base: &DraftBase, content: &ProductDraft, save_id: &str) -> Response {
    client
        .post(format!("{}/api/drafts/save", app.address))
        .json(&json!({ "base": base, "content": content, "save_id": save_id }))
        .send()
        .await
        .unwrap()
}

pub(crate) fn named(name: &str) -> ProductDraft {
    ProductDraft { name: name.into(), ..ProductDraft::default() }
}

pub(crate) async fn drafts(app: &TestApp, client: &Client) -> Vec<DraftSummary> {
    app.call(client, "drafts/list", &[]).await.json().await.unwrap()
}

pub(crate) async fn credit(app: &TestApp, account: &Account) -> i64 {
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
    assert!(csp.contains("connect-src 'self';"), "no reload WebSocket outside `cargo leptos watch`: {csp}");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the policy's nonce");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    // Files of the build drop the document-only headers (checked in Chromium by
    // first-load.spec.ts); a page under /pkg, such as its 404, keeps them.
    for path in ["/pkg/missing.wasm", "/wizard-pkg/missing.wasm"] {
        let missing = app.get(&app.client(), path).await;
        assert_eq!(missing.status(), 404, "{path}");
        assert!(missing.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"), "{path}");
        assert_eq!(missing.headers()["x-frame-options"], "DENY", "{path}");
    }
    // The test's server has no site of files: nothing of the working directory is served.
    for path in ["/Cargo.toml", "/src/lib.rs"] {
        assert_eq!(app.get(&app.client(), path).await.status(), 404, "{path}");
    }
    let again = app.get(&app.client(), "/").await;
    assert_ne!(again.headers()["content-security-policy"].to_str().unwrap(), csp, "a new nonce for every page");
    let vary: Vec<&str> = again.headers().get_all("vary").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(vary.contains(&"cookie"), "a public page signed out is another page signed in: {vary:?}");
    assert!(again.headers().get("cache-control").is_none(), "and it is not personal");

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
async fn a_body_labelled_as_the_other_type_is_refused_so_no_control_character_passes_unchecked() {
    let app = TestApp::spawn().await;
    let (_, seller) = app.signed_in(Role::Seller).await;
    let draft = json!({ "base": "New", "content": named("nul\u{0}here"), "save_id": app::drafts::new_save_id() }).to_string();
    let post = |path: &str, content_type: &str, body: String| {
        seller.post(format!("{}/api{path}", app.address)).header("content-type", content_type.to_owned()).body(body).send()
    };

    // JSON sent as form fields, to a server function and to the API, which read JSON: a form
    // check finds nothing in it (`\u0000` is six letters there), so it is refused for its type.
    let as_form = post("/drafts/save", "application/x-www-form-urlencoded", draft.clone()).await.unwrap();
    assert_eq!(as_form.status(), 415);
    assert!(error_of(as_form).await.to_string().contains("application/json"));
    let secret = crate::api_v1::token(&app, &seller, &["read", "drafts"]).await.secret;
    let api = Client::new().post(format!("{}/api/v1/drafts", app.address)).bearer_auth(&secret)
        .header("content-type", "application/x-www-form-urlencoded").body(json!({ "content": named("api\u{0}nul") }).to_string())
        .send().await.unwrap();
    assert_eq!(api.status(), 415);

    // Form fields sent as JSON, to a server function that reads form fields: refused too,
    // though the JSON check would have let the unparsable body through to its decoder.
    let as_json = post("/session/sign-in", "application/json", "email=a%00b%40example.test&password=x".into()).await.unwrap();
    assert_eq!(as_json.status(), 415);
    assert!(error_of(as_json).await.to_string().contains("application/x-www-form-urlencoded"));
    // So is a JSON document holding form fields in a string, which a form decoder splits at `&`.
    let smuggled = json!("&id=to%00ken&z=").to_string();
    assert_eq!(post("/tokens/revoke", "application/json", smuggled).await.unwrap().status(), 415);

    // JSON this check cannot read, beside a NUL, is refused whole: the decoder would skip
    // the unreadable field and take the rest unchecked.
    for unreadable in ["1e400", "\"\\udc00\"", &format!("{}0{}", "[".repeat(200), "]".repeat(200))] {
        let body = draft.replacen('{', &format!("{{\"x\":{unreadable},"), 1);
        let refused = post("/drafts/save", "application/json", body).await.unwrap();
        assert_eq!(refused.status(), 400, "{unreadable}");
        assert!(error_of(refused).await.to_string().contains("not valid JSON"));
    }

    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts").fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, 0);
    // Each, labelled as its endpoint reads it, meets the control-character check.
    assert_eq!(post("/drafts/save", "application/json", draft).await.unwrap().status(), 400);
}

#[tokio::test]
async fn a_form_error_is_shown_to_the_browser_that_sent_the_form_never_from_a_link_made_elsewhere() {
    let app = TestApp::spawn().await;
    let client = app.client();
    // A link with an error of the linker's words (URL-safe base64 of
    // `{"BadRequest":"Your account is locked. Call +1 555 0100."}`), which the page's action
    // would show: the visitor is sent to the page without it.
    let forged = "eyJCYWRSZXF1ZXN0IjoiWW91ciBhY2NvdW50IGlzIGxvY2tlZC4gQ2FsbCArMSA1NTUgMDEwMC4ifQ%3D%3D";
    let link = app.get(&client, &format!("/sign-in?__path=%2Fapi%2Fsession%2Fsign-in&__err={forged}&x=1")).await;
    assert_eq!(link.status(), 303);
    assert_eq!(link.headers()["location"], "/sign-in?x=1");
    let page = app.get(&client, "/sign-in?x=1").await.text().await.unwrap();
    assert!(page.contains("Sign in") && !page.contains("locked"), "{page}");

    // The browser that sent the form, without script, is shown its own error.
    let form = [("email", "nobody@example.test"), ("password", "not the password")];
    let (address, _) = app.failed_form(&client, "session/sign-in", &form, "/sign-in").await;
    let shown = app.get(&client, &address).await;
    assert_eq!(shown.status(), 200);
    assert!(shown.text().await.unwrap().contains("The email or password is not correct."));
    // The same address opened in another browser is not.
    assert_eq!(app.get(&app.client(), &address).await.status(), 303);

    // The redirect goes back to the page the Referer names, but only ever on this site.
    let (elsewhere, _) = app.failed_form(&client, "session/sign-in", &form, "@evil.example/phish").await;
    assert!(elsewhere.starts_with("/phish?"), "{elsewhere}");
    let signed_out = client
        .post(format!("{}/api/session/sign-in", app.address))
        .header("accept", "text/html")
        .header("referer", "https://evil.example/phish")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(signed_out.headers()["location"].to_str().unwrap().starts_with("/phish?"));
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

    // A name is one line (it reaches buyers' emails and SMS as it is), and more spaces do
    // not make another name.
    for name in ["Hardened Ubuntu\n\nPAYMENT FAILED: renew at pay.evil.test", "Hardened  Ubuntu", "Hardened\u{00A0}Ubuntu"] {
        let refused = submit(&app, &client, None, &complete(name, &asset_id)).await;
        assert_eq!(refused.status(), 422, "{name:?}");
        assert_eq!(error_of(refused).await.violations()[0].rule, Rule::R15, "{name:?}");
    }
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

// 13. A client's mistake is not an ERROR of ours.

#[tokio::test]
async fn a_file_name_too_long_for_any_file_system_is_a_404_and_logs_no_error() {
    let app = TestApp::spawn().await;
    for folder in ["pkg", "wizard-pkg"] {
        let response = app.get(&app.client(), &format!("/{folder}/{}.js", "x".repeat(300))).await;
        assert_eq!(response.status(), 404, "{folder}");
        let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        let errors: Vec<String> = crate::logs::errors_for(&request_id).into_iter().map(|e| e.message).collect();
        assert!(errors.is_empty(), "{folder}: logged as ERROR: {errors:?}");
    }
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
