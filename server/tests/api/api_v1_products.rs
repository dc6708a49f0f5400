//! `/api/v1` beyond drafts (R61): images with their violations, image assets, submitting a
//! stored draft, requests a page at a time, prices after release with the console's rules,
//! and the API's own description (OpenAPI 3.1 and its reference page).

use crate::after_release::{released, vcpu_priced};
use crate::api_v1::{api, token};
use crate::helpers::{eligible_image, TestApp};
use crate::release::complete;
use app::auth::Role;
use app::cloud::insert_private_image;
use app::rules::asset::PrivateImage;
use reqwest::Method;
use serde_json::{json, Value};

async fn answer(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn r61_images_assets_and_a_stored_draft_go_from_image_to_request_through_the_api() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let secret = token(&app, &client, &["read", "drafts", "submit"]).await.secret;
    insert_private_image(&app.db, &seller.id, &eligible_image("img-good")).await.unwrap();
    let shared = PrivateImage { shared: true, encrypted: true, ..eligible_image("img-bad") };
    insert_private_image(&app.db, &seller.id, &shared).await.unwrap();

    let images = answer(api(&app, Method::GET, "/images", &secret, None).await, 200).await;
    let of = |id: &str| images["images"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(of("img-good")["eligible"], true);
    let bad = of("img-bad");
    assert_eq!(bad["eligible"], false);
    let rules: Vec<&str> = bad["violations"].as_array().unwrap().iter().map(|v| v["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"R3") && rules.contains(&"R4"), "every rule it breaks: {rules:?}");

    // An image that breaks rules is refused with them; a good one becomes an asset.
    let refused = api(&app, Method::POST, "/assets", &secret, Some(json!({ "image_id": "img-bad" }))).await;
    assert_eq!(answer(refused, 422).await["error"]["code"], "rule_violations");
    let asset = answer(api(&app, Method::POST, "/assets", &secret, Some(json!({ "image_id": "img-good" }))).await, 201).await;
    let asset_id = asset["id"].as_str().unwrap().to_owned();
    // Another seller's image is not found.
    let (_, other_client) = app.signed_in(Role::Seller).await;
    let other = token(&app, &other_client, &["read", "drafts"]).await.secret;
    assert_eq!(api(&app, Method::POST, "/assets", &other, Some(json!({ "image_id": "img-good" }))).await.status(), 404);

    // A draft stored, then submitted at the version held; the draft is gone after (R33).
    let saved = answer(api(&app, Method::POST, "/drafts", &secret, Some(json!({ "content": complete("From a draft", &asset_id) }))).await, 201).await;
    let path = format!("/drafts/{}/submit", saved["id"].as_str().unwrap());
    let stale = api(&app, Method::POST, &path, &secret, Some(json!({ "version": 7 }))).await;
    assert_eq!(stale.status(), 409);
    let submit = |version: i64| {
        reqwest::Client::new()
            .post(format!("{}/api/v1{path}", app.address))
            .bearer_auth(&secret)
            .header("idempotency-key", "draft-run-1")
            .json(&json!({ "version": version }))
            .send()
    };
    let request = answer(submit(1).await.unwrap(), 201).await;
    assert_eq!(request["product_name"], "From a draft");
    // A retry whose answer was lost finds the draft gone and gets the request it made (R63);
    // the key with another version is a conflict.
    assert_eq!(answer(submit(1).await.unwrap(), 201).await["id"], request["id"]);
    assert_eq!(answer(submit(2).await.unwrap(), 409).await["error"]["code"], "conflict");
    assert_eq!(api(&app, Method::GET, &format!("/drafts/{}", saved["id"].as_str().unwrap()), &secret, None).await.status(), 404);

    let listed = answer(api(&app, Method::GET, "/applications?limit=1", &secret, None).await, 200).await;
    assert_eq!(listed["items"][0]["id"], request["id"]);
    assert!(listed["next_cursor"].is_null());
    assert_eq!(api(&app, Method::GET, &format!("/applications/{}", request["id"].as_str().unwrap()), &other, None).await.status(), 404);
}

#[tokio::test]
async fn r61_prices_through_the_api_follow_r54_and_need_the_prices_scope() {
    let app = TestApp::spawn().await;
    let (_, client, product) = released(&app, "tiers", vcpu_priced).await;
    let reader = token(&app, &client, &["read"]).await.secret;
    let pricer = token(&app, &client, &["read", "prices"]).await.secret;
    let owned = answer(api(&app, Method::GET, &format!("/products/{product}"), &reader, None).await, 200).await;
    let version = owned["version"].as_i64().unwrap();
    let path = format!("/products/{product}/prices");
    let lower = json!({ "version": version, "prices": [[["0.10", "40", ""], ["0.20", "100", ""]]] });
    assert_eq!(api(&app, Method::PUT, &path, &reader, Some(lower.clone())).await.status(), 403);
    let changed = answer(api(&app, Method::PUT, &path, &pricer, Some(lower)).await, 200).await;
    assert_eq!(changed["version"].as_i64(), Some(version + 1));
    // The console's rules hold: every offered mode of a tier has a price above $0 (R19), with the rule named.
    let broken = json!({ "version": version + 1, "prices": [[["0.10", "0", ""], ["0.20", "100", ""]]] });
    let refused = answer(api(&app, Method::PUT, &path, &pricer, Some(broken)).await, 422).await;
    assert!(refused["error"]["violations"].as_array().unwrap().iter().any(|v| v["rule"] == "R19"), "{refused}");
    // A product priced by vCPUs can never be a Free image (R51).
    let free = api(&app, Method::POST, &format!("/products/{product}/free"), &pricer, Some(json!({ "version": version + 1 }))).await;
    assert!(answer(free, 422).await["error"]["violations"].as_array().unwrap().iter().any(|v| v["rule"] == "R51"));
}

#[tokio::test]
async fn the_api_describes_itself_in_openapi_3_1_and_on_a_reference_page() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", app.address)).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/images", "/assets", "/drafts", "/drafts/{id}", "/drafts/{id}/submit", "/validate", "/submissions", "/applications", "/applications/{id}", "/products/{id}", "/products/{id}/prices", "/products/{id}/free"] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    let product = &doc["components"]["schemas"]["ProductDraft"]["properties"];
    assert!(product["name"].is_object() && product["specifications"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    // Answers are described by their own types too.
    let answer = |path: &str, method: &str, status: &str| doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"].clone();
    assert_eq!(answer("/applications/{id}", "get", "200")["$ref"], "#/components/schemas/ApplicationDetail");
    assert_eq!(answer("/submissions", "post", "201")["$ref"], "#/components/schemas/Application");
    assert_eq!(answer("/validate", "post", "200")["$ref"], "#/components/schemas/Validation");
    for schema in ["Application", "Draft", "DraftSummary", "SavedDraft", "OwnedProduct", "ImageAsset", "PrivateImage", "RequestStatus"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
    let page = reqwest::get(format!("{}/api/v1/docs", app.address)).await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("style-src 'self'") && policy.contains("default-src 'none'"), "its stylesheet may load: {policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Marketplace seller API</h1>") && html.contains("POST /api/v1/submissions"));
    assert!(html.contains(r#"href="/api/v1/openapi.json""#));
    // Styled like every other page, with the site's own stylesheet (content-hashed in a release).
    let home = app.get(&app.client(), "/").await.text().await.unwrap();
    let sheet = |page: &str| page.split(r#"rel="stylesheet""#).nth(1).and_then(|r| r.split('"').nth(1)).map(str::to_owned);
    assert!(sheet(&html).is_some());
    assert!(home.contains(&format!(r#"href="{}""#, sheet(&html).unwrap())), "the same stylesheet as the home page");
}
