//! Release New Product on the server: what the wizard starts from, and submission (SPEC
//! sections 2 and 4). Submission re-runs the shared rules, creates the release request and
//! reserves its images (R52) in one transaction.

use crate::assets::AssetChoice;
use crate::drafts::Draft;
use crate::error::AppError;
use crate::rules::release::{ProductDraft, ReleaseContext};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything the wizard needs before the seller types: the rules' context, the assets
/// with their names, and the draft being resumed, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseSetup {
    pub context: ReleaseContext,
    pub assets: Vec<AssetChoice>,
    pub draft: Option<Draft>,
    /// Requests the seller submitted today, in the marketplace's time zone (R42).
    pub submitted_today: i64,
}

/// What a submission answers: the new request's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    pub request_id: String,
}

#[server(client = crate::page_account::PageAccountClient, endpoint = "release/setup", output = crate::codec::TextJson)]
pub async fn load_release_setup(draft_id: Option<String>) -> Result<ReleaseSetup, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let db = &caller.state.db;
    let draft = match draft_id.filter(|id| !id.is_empty()) {
        Some(id) => Some(crate::drafts::ssr::load(db, &seller.id, &id).await?),
        None => None,
    };
    let assets = crate::assets::ssr::choices(db, &seller.id).await?;
    let context = crate::assets::ssr::context_for(db, &caller.state.settings.catalog, &seller.id, &assets).await?;
    let today = caller.state.settings.calendar.local_day(crate::store::now_ms());
    let submitted_today = ssr::requests_on(db, &seller.id, today).await?;
    Ok(ReleaseSetup { context, assets, draft, submitted_today })
}

/// Submits a product for review. `draft` is the draft it was edited as, with the version
/// the editor holds; a stale version is refused (R33), and the draft is removed once the
/// request exists. Every rule is checked again here; the browser's checks are a courtesy.
#[server(client = crate::page_account::PageAccountClient, endpoint = "release/submit", input = server_fn::codec::Json, output = crate::codec::TextJson)]
pub async fn submit_release(draft: Option<(String, i64)>, content: ProductDraft) -> Result<Submitted, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::submit_checked(&caller.state, &seller.id, draft, &content, None).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::Submitted;
    use crate::rules::request::RequestStatus;
    use crate::error::AppError;
    use crate::rules::product::parse_product;
    use crate::rules::release::{CatalogPolicy, ProductDraft};
    use crate::store::{new_id, now_ms, to_json, Db};
    use crate::rules::RuleViolation;
    use crate::state::AppState;

    /// An idempotency key is remembered this long: far beyond any retry, and then free again.
    const KEYS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;

    /// What a submission with an idempotency key is remembered by, to tell a retry from a
    /// reuse of the key for something else: the draft and version it submits, or the content.
    pub fn fingerprint(draft: Option<&(String, i64)>, content: &ProductDraft) -> String {
        use sha2::{Digest, Sha256};
        let what = match draft {
            Some((id, version)) => format!("draft {id} {version}"),
            None => serde_json::to_string(content).unwrap_or_default(),
        };
        hex::encode(Sha256::digest(what.as_bytes()))
    }

    /// The request an earlier submission with `key` made, if one did in the last day; a key
    /// used for another submission is refused.
    pub async fn earlier_submission(db: &Db, seller_id: &str, key: &str, fingerprint: &str) -> Result<Option<Submitted>, AppError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT request_id, fingerprint FROM api_submissions WHERE seller_id = $1 AND idempotency_key = $2 AND created_at >= $3",
        )
        .bind(seller_id)
        .bind(key)
        .bind(now_ms() - KEYS_KEPT_MS)
        .fetch_optional(db)
        .await
        .context("reading an earlier submission")?;
        match row {
            Some((_, earlier)) if earlier != fingerprint => {
                Err(AppError::Conflict("This Idempotency-Key was used for another submission. Use a new key for new content.".into()))
            }
            found => Ok(found.map(|(request_id, _)| Submitted { request_id })),
        }
    }

    /// How many requests the seller submitted on marketplace day `day` (R42).
    pub async fn requests_on(db: &Db, seller_id: &str, day: i64) -> Result<i64, AppError> {
        let count: Option<i64> =
            sqlx::query_scalar("SELECT requests FROM daily_request_counts WHERE seller_id = $1 AND local_day = $2")
                .bind(seller_id)
                .bind(day)
                .fetch_optional(db)
                .await
                .context("counting today's requests")?;
        Ok(count.unwrap_or(0))
    }

    /// The violations the wizard shows for `content`, checked against the seller's assets
    /// and live products as they are now (R62: stores nothing).
    pub async fn violations(state: &AppState, seller_id: &str, content: &ProductDraft) -> Result<Vec<RuleViolation>, AppError> {
        crate::rules::release::check_draft_bounds(content).map_err(AppError::BadRequest)?;
        let db = &state.db;
        let assets = crate::assets::ssr::choices(db, seller_id).await?;
        let context = crate::assets::ssr::context_for(db, &state.settings.catalog, seller_id, &assets).await?;
        Ok(crate::rules::release::check_draft(content, &context))
    }

    /// [`submit`] of content as it came from a client (its size checked first), on the
    /// marketplace's day; `key`: the client's idempotency key, if it sent one (R63).
    pub async fn submit_checked(
        state: &AppState,
        seller_id: &str,
        draft: Option<(String, i64)>,
        content: &ProductDraft,
        key: Option<&str>,
    ) -> Result<Submitted, AppError> {
        crate::rules::release::check_draft_bounds(content).map_err(AppError::BadRequest)?;
        let day = state.settings.calendar.local_day(now_ms());
        submit(&state.db, &state.settings.catalog, seller_id, day, draft, content, key).await
    }

    /// Creates the release request. With an idempotency `key`, the key is claimed first in
    /// the same transaction: a second submission with it (a retry, however concurrent)
    /// answers the request the first one made.
    pub async fn submit(
        db: &Db,
        policy: &CatalogPolicy,
        seller_id: &str,
        day: i64,
        draft: Option<(String, i64)>,
        content: &ProductDraft,
        key: Option<&str>,
    ) -> Result<Submitted, AppError> {
        let context = crate::assets::ssr::context_for(db, policy, seller_id, &crate::assets::ssr::choices(db, seller_id).await?).await?;
        // Parsed once, here: what is stored is the product as the rules read it, with exact
        // prices, never the text the seller typed.
        let product = match parse_product(content, &context) {
            Ok(product) => product,
            // A retry of a submission that went through meanwhile finds its images taken
            // by it: the answer is that request.
            Err(violations) => match key {
                Some(key) => {
                    let fingerprint = fingerprint(draft.as_ref(), content);
                    return earlier_submission(db, seller_id, key, &fingerprint).await?.ok_or(AppError::Rules(violations));
                }
                None => return Err(AppError::Rules(violations)),
            },
        };
        let json = to_json(&product, "a release request")?;
        let id = new_id();
        let mut tx = db.begin().await.context("starting a submission")?;
        if let Some(key) = key {
            let fingerprint = fingerprint(draft.as_ref(), content);
            sqlx::query("DELETE FROM api_submissions WHERE seller_id = $1 AND created_at < $2")
                .bind(seller_id)
                .bind(now_ms() - KEYS_KEPT_MS)
                .execute(&mut *tx)
                .await
                .context("forgetting old idempotency keys")?;
            let claimed = sqlx::query(
                "INSERT INTO api_submissions (seller_id, idempotency_key, request_id, created_at, fingerprint) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(seller_id)
            .bind(key)
            .bind(&id)
            .bind(now_ms())
            .bind(&fingerprint)
            .execute(&mut *tx)
            .await;
            match claimed {
                Ok(_) => {}
                Err(error) if crate::store::violates_unique(&error, "api_submissions_pkey") => {
                    drop(tx);
                    return earlier_submission(db, seller_id, key, &fingerprint).await?.ok_or(AppError::Internal);
                }
                Err(error) => return Err(crate::store::failure(error, "claiming an idempotency key")),
            }
        }
        // Counted in the database, in this transaction: concurrent submissions on any
        // number of servers each get their own place in the day (R42).
        let ordinal: i64 = sqlx::query_scalar(
            "INSERT INTO daily_request_counts (seller_id, local_day, requests) VALUES ($1, $2, 1) \
             ON CONFLICT (seller_id, local_day) DO UPDATE SET requests = daily_request_counts.requests + 1 \
             RETURNING requests",
        )
        .bind(seller_id)
        .bind(day)
        .fetch_one(&mut *tx)
        .await
        .context("counting the day's requests")?;
        sqlx::query(
            "INSERT INTO release_requests (id, seller_id, product_name, content, status, submitted_at, local_day, day_ordinal) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(seller_id)
        .bind(&product.name)
        .bind(&json)
        .bind(RequestStatus::Submitted.label())
        .bind(now_ms())
        .bind(day)
        .bind(ordinal)
        .execute(&mut *tx)
        .await
        .context("creating a release request")?;
        let asset_ids: Vec<&str> = product.specifications.iter().map(|s| s.asset_id.as_str()).collect();
        crate::assets::ssr::reserve(&mut tx, &id, seller_id, &asset_ids).await?;
        let subject = crate::audit::ssr::Subject { request_id: Some(&id), ..Default::default() };
        crate::audit::ssr::record(&mut tx, Some(seller_id), crate::audit::AuditKind::Submitted, subject, &product.name).await?;
        if let Some((draft_id, version)) = draft {
            // In the transaction: a save racing the submission is seen (R33).
            crate::drafts::ssr::close_submitted(&mut tx, seller_id, &draft_id, version).await?;
        }
        tx.commit().await.context("committing a submission")?;
        Ok(Submitted { request_id: id })
    }
}
