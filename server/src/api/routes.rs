//! The endpoints of `/api/v1`, each the console's operation behind a token's scope.

use super::{caller, ApiError, ErrorBody, Violation};
use app::drafts::{DraftBase, SavedDraft};
use app::error::AppError;
use app::rules::after_release::TierPrices;
use app::rules::asset::{asset_violations, PrivateImage};
use app::rules::release::ProductDraft;
use app::state::AppState;
use app::tokens::ssr::TokenCaller;
use app::tokens::Scope;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

type Answer = Result<Response, ApiError>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/images", get(images))
        .route("/assets", post(release_asset))
        .route("/drafts", get(drafts).post(create_draft))
        .route("/drafts/{id}", get(draft).put(update_draft).delete(delete_draft))
        .route("/drafts/{id}/submit", post(submit_draft))
        .route("/validate", post(validate))
        .route("/submissions", post(submit))
        .route("/applications", get(applications))
        .route("/applications/{id}", get(application))
        .route("/products/{id}", get(product))
        .route("/products/{id}/prices", put(prices))
        .route("/products/{id}/free", post(set_free))
        .route("/products/{id}/scheduled/{increase}", delete(cancel_increase))
        .route("/openapi.json", get(super::docs::openapi))
        .route("/docs", get(super::docs::page))
}

/// A JSON body, or a 400 saying what is wrong with it.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError(AppError::BadRequest(format!("The request body is not valid JSON for this operation: {e}"))))
}

fn ok(value: impl Serialize) -> Answer {
    Ok(Json(value).into_response())
}

fn created(value: impl Serialize) -> Answer {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// One page of a list: `next_cursor` is given back as `cursor` for the next page.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

/// The page asked for, or a 400 in the API's shape saying what is wrong with it.
fn page_query(query: Result<Query<PageQuery>, QueryRejection>) -> Result<PageQuery, ApiError> {
    query.map(|Query(q)| q).map_err(|e| ApiError(AppError::BadRequest(format!("The query is not valid: {}", e.body_text()))))
}

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

/// The page size asked for: 1 to 200, 50 unless said.
fn page_limit(query: &PageQuery) -> Result<usize, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::BadRequest(format!("limit must be 1 to {MAX_LIMIT}.")).into());
    }
    Ok(limit)
}

/// The page of `items` (in the order the console lists them: newest first by `key`'s time,
/// then by id) after `cursor`. A cursor names the last item of the page before by its time
/// and id, so a page does not shift when items are added or removed meanwhile. The whole
/// list is read for each page, as the console reads it: for drafts, which the seller's quota
/// bounds. Requests, which nothing bounds, are read a page at a time in SQL.
fn page<T>(items: Vec<T>, query: &PageQuery, key: impl Fn(&T) -> (i64, &str)) -> Result<Page<T>, ApiError> {
    let limit = page_limit(query)?;
    let after = app::paging::ssr::after(query.cursor.as_deref())?;
    let rest: Vec<T> = items
        .into_iter()
        .filter(|item| { let (t, i) = key(item); t < after.time || (t == after.time && i > after.id.as_str()) })
        .collect();
    Ok(app::paging::split(rest, limit, key).into())
}

impl<T> From<app::paging::Paged<T>> for Page<T> {
    fn from(page: app::paging::Paged<T>) -> Self {
        Page { items: page.items, next_cursor: page.older }
    }
}

/// A private image with every rule that keeps it from becoming an asset (R1–R8).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImageEligibility {
    #[serde(flatten)]
    pub image: PrivateImage,
    pub eligible: bool,
    pub violations: Vec<Violation>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Images {
    pub images: Vec<ImageEligibility>,
    pub assets: Vec<app::images::ImageAsset>,
}

#[utoipa::path(get, path = "/images", tag = "read scope", description = "Your private images, each with whether it can become an image asset and every rule that keeps it from it (R1–R8), and your image assets. Needs the read scope.", responses((status = 200, description = "Done", body = Images), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn images(State(state): State<AppState>, headers: HeaderMap) -> Answer {
    let caller = caller(&state, &headers, Scope::Read).await?;
    let overview = app::images::ssr::overview(&state.db, state.images.as_ref(), &state.settings.asset_policy, &caller.seller_id).await?;
    let images = overview
        .images
        .into_iter()
        .map(|image| {
            let violations = Violation::all(&asset_violations(&image, &overview.policy));
            ImageEligibility { eligible: violations.is_empty(), violations, image }
        })
        .collect();
    ok(Images { images, assets: overview.assets })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ReleaseAsset {
    image_id: String,
}

#[utoipa::path(post, path = "/assets", tag = "drafts scope", description = "Releases one of your private images as an image asset. Needs the drafts scope.", request_body = ReleaseAsset, responses((status = 201, description = "Done", body = app::images::ImageAsset), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn release_asset(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Drafts).await?;
    let asked: ReleaseAsset = body(&bytes)?;
    created(app::images::ssr::release_checked(&state, &caller.seller_id, &asked.image_id).await?)
}

#[utoipa::path(get, path = "/drafts", tag = "read scope", description = "Your drafts, most recently saved first, a page at a time. Needs the read scope.", params(("cursor" = Option<String>, Query, description = "next_cursor of the page before"), ("limit" = Option<usize>, Query, description = "1 to 200; 50 unless said")), responses((status = 200, description = "Done", body = Page<app::drafts::DraftSummary>), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn drafts(State(state): State<AppState>, headers: HeaderMap, query: Result<Query<PageQuery>, QueryRejection>) -> Answer {
    let caller = caller(&state, &headers, Scope::Read).await?;
    let query = page_query(query)?;
    let all = app::drafts::ssr::list(&state.db, &state.settings.catalog, &caller.seller_id).await?;
    ok(page(all, &query, |d| (d.updated_at, d.id.as_str()))?)
}

#[utoipa::path(get, path = "/drafts/{id}", tag = "read scope", description = "One of your drafts. Needs the read scope.", params(("id" = String, Path)), responses((status = 200, description = "Done", body = app::drafts::Draft), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn draft(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    let caller = caller(&state, &headers, Scope::Read).await?;
    ok(app::drafts::ssr::load(&state.db, &caller.seller_id, &id).await?)
}

/// A draft to store: its content, and for a change the version it was based on. `save_id`
/// makes a retried save safe (the console's save id); one is made when it is left out.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct DraftWrite {
    content: ProductDraft,
    version: Option<i64>,
    save_id: Option<String>,
}

async fn save(state: &AppState, seller_id: &str, base: DraftBase, write: DraftWrite) -> Result<SavedDraft, ApiError> {
    let save_id = write.save_id.unwrap_or_else(app::drafts::new_save_id);
    Ok(app::drafts::ssr::save_checked(state, seller_id, &base, &write.content, &save_id).await?)
}

#[utoipa::path(post, path = "/drafts", tag = "drafts scope", description = "Stores content as a new draft, complete or not (R30). Needs the drafts scope.", request_body = DraftWrite, responses((status = 201, description = "Done", body = SavedDraft), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn create_draft(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Drafts).await?;
    created(save(&state, &caller.seller_id, DraftBase::New, body(&bytes)?).await?)
}

#[utoipa::path(put, path = "/drafts/{id}", tag = "drafts scope", description = "Stores a new version of a draft; refused with 409 when based on an older version than the stored one (R33). Needs the drafts scope.", params(("id" = String, Path)), request_body = DraftWrite, responses((status = 200, description = "Done", body = SavedDraft), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn update_draft(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Drafts).await?;
    let write: DraftWrite = body(&bytes)?;
    let version = write.version.ok_or_else(|| ApiError(AppError::BadRequest("Say the version the change is based on.".into())))?;
    ok(save(&state, &caller.seller_id, DraftBase::Existing { id, version }, write).await?)
}

#[utoipa::path(delete, path = "/drafts/{id}", tag = "drafts scope", description = "Deletes one of your drafts. Needs the drafts scope.", params(("id" = String, Path)), responses((status = 204, description = "Done"), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn delete_draft(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    let caller = caller(&state, &headers, Scope::Drafts).await?;
    app::drafts::ssr::delete(&state.db, &caller.seller_id, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What validate answers: the violations the wizard shows, and whether there are none.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Validation {
    pub valid: bool,
    pub violations: Vec<Violation>,
}

#[utoipa::path(post, path = "/validate", tag = "read scope", description = "A dry run: the violations the wizard shows for this content, against your assets and products as they are now (R62). Stores nothing. Needs the read scope.", request_body = ProductDraft, responses((status = 200, description = "Done", body = Validation), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn validate(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Read).await?;
    let content: ProductDraft = body(&bytes)?;
    let violations = Violation::all(&app::release::ssr::violations(&state, &caller.seller_id, &content).await?);
    ok(Validation { valid: violations.is_empty(), violations })
}

/// The `Idempotency-Key` header, if sent: 1 to 128 visible characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::BadRequest("Idempotency-Key must be 1 to 128 visible characters.".into()).into());
    }
    Ok(Some(key.to_owned()))
}

async fn submit_as(state: &AppState, caller: &TokenCaller, headers: &HeaderMap, draft: Option<(String, i64)>, content: &ProductDraft) -> Answer {
    let key = idempotency_key(headers)?;
    let submitted = app::release::ssr::submit_checked(state, &caller.seller_id, draft, content, key.as_deref()).await?;
    answer_request(state, caller, &submitted.request_id).await
}

/// The request a submission made (or, for a retry, made before), as the API answers it.
async fn answer_request(state: &AppState, caller: &TokenCaller, request_id: &str) -> Answer {
    let detail = app::applications::ssr::detail(&state.db, &state.settings.calendar, request_id, Some(&caller.seller_id)).await?;
    created(detail.application)
}

/// Submits a product file as it is (no draft).
#[utoipa::path(post, path = "/submissions", tag = "submit scope", description = "Submits a product file for review. With an Idempotency-Key header, the same key always answers the request it first made (R63). Needs the submit scope.", request_body = ProductDraft, responses((status = 201, description = "Done", body = app::applications::Application), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn submit(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Submit).await?;
    let content: ProductDraft = body(&bytes)?;
    submit_as(&state, &caller, &headers, None, &content).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct DraftVersion {
    version: i64,
}

/// Submits a stored draft at the version the client holds (R33).
#[utoipa::path(post, path = "/drafts/{id}/submit", tag = "submit scope", description = "Submits a stored draft at the version you hold (R33); honours Idempotency-Key (R63). Needs the submit scope.", params(("id" = String, Path)), request_body = DraftVersion, responses((status = 201, description = "Done", body = app::applications::Application), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn submit_draft(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Submit).await?;
    let asked: DraftVersion = body(&bytes)?;
    // A retry of a submission that went through finds its draft gone: it answers the request.
    if let Some(key) = idempotency_key(&headers)? {
        let fingerprint = app::release::ssr::fingerprint(Some(&(id.clone(), asked.version)), &Default::default());
        if let Some(done) = app::release::ssr::earlier_submission(&state.db, &caller.seller_id, &key, &fingerprint).await? {
            return answer_request(&state, &caller, &done.request_id).await;
        }
    }
    let draft = app::drafts::ssr::load(&state.db, &caller.seller_id, &id).await?;
    submit_as(&state, &caller, &headers, Some((id, asked.version)), &draft.content).await
}

#[utoipa::path(get, path = "/applications", tag = "read scope", description = "Your release requests, newest first, a page at a time. Needs the read scope.", params(("cursor" = Option<String>, Query, description = "next_cursor of the page before"), ("limit" = Option<usize>, Query, description = "1 to 200; 50 unless said")), responses((status = 200, description = "Done", body = Page<app::applications::Application>), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn applications(State(state): State<AppState>, headers: HeaderMap, query: Result<Query<PageQuery>, QueryRejection>) -> Answer {
    let caller = caller(&state, &headers, Scope::Read).await?;
    let query = page_query(query)?;
    let limit = page_limit(&query)?;
    let after = app::paging::ssr::after(query.cursor.as_deref())?;
    ok(Page::from(app::applications::ssr::mine(&state.db, &state.settings.calendar, &caller.seller_id, &after, limit).await?))
}

#[utoipa::path(get, path = "/applications/{id}", tag = "read scope", description = "One release request: its status, timeline, review due date and content. Needs the read scope.", params(("id" = String, Path)), responses((status = 200, description = "Done", body = app::applications::ApplicationDetail), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn application(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    let caller = caller(&state, &headers, Scope::Read).await?;
    ok(app::applications::ssr::detail(&state.db, &state.settings.calendar, &id, Some(&caller.seller_id)).await?)
}

#[utoipa::path(get, path = "/products/{id}", tag = "read scope", description = "One of your released products, with its version and price history. Needs the read scope.", params(("id" = String, Path)), responses((status = 200, description = "Done", body = app::products::OwnedProduct), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn product(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    let caller = caller(&state, &headers, Scope::Read).await?;
    ok(app::products::ssr::owned(&state.db, &state.settings, &caller.seller_id, &id).await?)
}

/// New vCPU tier prices: `prices[s][t]` are tier `t` of specification `s`, per billing mode
/// (pay-per-use, monthly, yearly; empty where not offered), at the product's `version`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewPrices {
    version: i64,
    #[schema(value_type = Vec<Vec<[String; 3]>>)]
    prices: Vec<Vec<TierPrices>>,
}

#[utoipa::path(put, path = "/products/{id}/prices", tag = "prices scope", description = "New vCPU tier prices (R54), at the version you hold: decreases apply at once, increases are scheduled for the end of the notice period and the buyers told (R70, R72); a new price replaces an increase waiting for the same price (R73). Needs the prices scope.", params(("id" = String, Path)), request_body = NewPrices, responses((status = 200, description = "Done", body = app::products::OwnedProduct), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn prices(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Prices).await?;
    let asked: NewPrices = body(&bytes)?;
    ok(app::products::ssr::change_tier_prices(&state.db, &state.settings, &caller.seller_id, &id, asked.version, &asked.prices).await?)
}

#[utoipa::path(post, path = "/products/{id}/free", tag = "prices scope", description = "Set as Free Image (R50, R51), at the version you hold. Needs the prices scope.", params(("id" = String, Path)), request_body = DraftVersion, responses((status = 200, description = "Done", body = app::products::OwnedProduct), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn set_free(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, bytes: Bytes) -> Answer {
    let caller = caller(&state, &headers, Scope::Prices).await?;
    let asked: DraftVersion = body(&bytes)?;
    ok(app::products::ssr::set_free(&state.db, &state.settings, &caller.seller_id, &id, asked.version).await?)
}

#[utoipa::path(delete, path = "/products/{id}/scheduled/{increase}", tag = "prices scope", description = "Cancels a price increase waiting for its date (R73); the buyers are told. Needs the prices scope.", params(("id" = String, Path), ("increase" = String, Path)), responses((status = 200, description = "Done", body = app::products::OwnedProduct), (status = "4XX", description = "Refused; the error says why", body = ErrorBody)), security(("token" = [])))]
async fn cancel_increase(State(state): State<AppState>, headers: HeaderMap, Path((id, increase)): Path<(String, String)>) -> Answer {
    let caller = caller(&state, &headers, Scope::Prices).await?;
    app::prices::ssr::cancel(&state.db, &caller.seller_id, &id, &increase, app::store::now_ms()).await?;
    ok(app::products::ssr::owned(&state.db, &state.settings, &caller.seller_id, &id).await?)
}

/// The API described for people and programs: generated from the handlers above and the
/// rule book's types (OpenAPI 3.1), served at `/api/v1/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Marketplace seller API", version = "1", description = "Release virtual-machine image products from a pipeline. Authenticate with an API token from Seller Console → API tokens: Authorization: Bearer <token>. Every error has one shape: {\"error\": {\"code\", \"message\", \"violations\": [{\"rule\", \"field\", \"message\"}]}}. Past a token's budget of requests a minute, 429 with Retry-After."),
    servers((url = "/api/v1")),
    paths(images, release_asset, drafts, draft, create_draft, update_draft, delete_draft, submit_draft, validate, submit, applications, application, product, prices, set_free, cancel_increase),
    modifiers(&BearerToken)
)]
pub struct ApiDoc;

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("token", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}
