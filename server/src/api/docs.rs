//! The API's reference: its OpenAPI 3.1 document (`/api/v1/openapi.json`), generated from
//! the handlers and the rule book's types, and a page that reads it to people
//! (`/api/v1/docs`, linked from the console's API tokens page). Neither needs a token.

use super::routes::ApiDoc;
use app::state::AppState;
use app::{escape_html, stylesheet_href};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use utoipa::OpenApi;

pub async fn openapi() -> Response {
    axum::Json(ApiDoc::openapi()).into_response()
}

/// Each operation with its method, path, scope and what it does; then the product file's
/// fields. Everything written into the page is escaped.
pub async fn page(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let mut operations = String::new();
    for (path, methods) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in methods.as_object().into_iter().flatten() {
            let body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .map(|name| format!("<p>Body: <code>{}</code> (JSON)</p>", escape_html(name)))
                .unwrap_or_default();
            operations.push_str(&format!(
                "<section><h3><code>{} /api/v1{}</code></h3><p>{}</p>{body}</section>",
                escape_html(&method.to_uppercase()),
                escape_html(path),
                escape_html(operation["description"].as_str().unwrap_or_default()),
            ));
        }
    }
    let mut fields = String::new();
    let product = &doc["components"]["schemas"]["ProductDraft"]["properties"];
    for (name, schema) in product.as_object().into_iter().flatten() {
        let kind = schema["type"].as_str().or_else(|| schema["$ref"].as_str().and_then(|r| r.rsplit('/').next())).unwrap_or("see the schema");
        fields.push_str(&format!("<tr><th scope=\"row\"><code>{}</code></th><td>{}</td></tr>", escape_html(name), escape_html(kind)));
    }
    let info = &doc["info"];
    // No script, and the site's stylesheet: the policy says just that.
    let policy = "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    let html = Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API reference · Marketplace</title><link rel=\"stylesheet\" href=\"{}\"></head>\
         <body><main class=\"page\"><h1>{}</h1><p>{}</p>\
         <p>The whole description, for tools: <a href=\"/api/v1/openapi.json\">openapi.json</a> (OpenAPI 3.1). \
         The command-line tool <code>marketplace</code> uses this API; <code>marketplace schema</code> prints the product file's JSON Schema.</p>\
         <h2>Operations</h2>{operations}\
         <h2>The product file</h2><p>The body of <code>validate</code> and <code>submissions</code>, and <code>content</code> of a draft: \
         the fields of Release New Product, every one as typed.</p>\
         <table class=\"data\"><thead><tr><th>Field</th><th>Type</th></tr></thead><tbody>{fields}</tbody></table>\
         <p><a href=\"/console/tokens\">Back to API tokens</a></p></main></body></html>",
        escape_html(&stylesheet_href(&state.leptos_options)),
        escape_html(info["title"].as_str().unwrap_or_default()),
        escape_html(info["description"].as_str().unwrap_or_default()),
    ));
    ([(http::header::CONTENT_SECURITY_POLICY, policy)], html)
}
