//! Release New Product on the server: what the wizard starts from, and submission (SPEC
//! sections 2 and 4). Submission re-runs the shared rules, creates the release request and
//! reserves its images (R52) in one transaction.

use crate::drafts::Draft;
use crate::error::AppError;
use crate::rules::release::{AssetAvailability, ProductDraft, ReleaseContext};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One of the seller's image assets, as the specification step offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetChoice {
    pub id: String,
    pub name: String,
    pub region: String,
    pub os: String,
    pub availability: AssetAvailability,
}

impl AssetChoice {
    /// Why the asset cannot be chosen (R20), if it cannot.
    pub fn unavailable_reason(&self) -> Option<&'static str> {
        match self.availability {
            AssetAvailability::Available => None,
            AssetAvailability::InAnotherProduct => Some("Reserved by another product's release request"),
            AssetAvailability::Locked => Some("Locked by a released product"),
        }
    }
}

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

#[server(endpoint = "release/setup")]
pub async fn load_release_setup(draft_id: Option<String>) -> Result<ReleaseSetup, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let db = &caller.state.db;
    let draft = match draft_id.filter(|id| !id.is_empty()) {
        Some(id) => Some(crate::drafts::ssr::load(db, &seller.id, &id).await?),
        None => None,
    };
    let assets = ssr::asset_choices(db, &seller.id).await?;
    let context = ssr::context_for(db, &seller.id, &assets).await?;
    let today = caller.state.settings.calendar.local_day(crate::state::now_ms());
    let submitted_today = ssr::requests_on(db, &seller.id, today).await?;
    Ok(ReleaseSetup { context, assets, draft, submitted_today })
}

/// Submits a product for review. `draft` is the draft it was edited as, with the version
/// the editor holds; a stale version is refused (R33), and the draft is removed once the
/// request exists. Every rule is checked again here; the browser's checks are a courtesy.
#[server(endpoint = "release/submit", input = server_fn::codec::Json)]
pub async fn submit_release(draft: Option<(String, i64)>, content: ProductDraft) -> Result<Submitted, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    crate::rules::release::check_draft_bounds(&content).map_err(AppError::BadRequest)?;
    let day = caller.state.settings.calendar.local_day(crate::state::now_ms());
    ssr::submit(&caller.state.db, &seller.id, day, draft, &content).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{AssetChoice, Submitted};
    use crate::rules::request::RequestStatus;
    use crate::error::{ssr::db_error, AppError};
    use crate::rules::release::{check_draft, AssetAvailability, CatalogPolicy, ProductDraft, ReleaseContext};
    use crate::rules::{Rule, RuleViolation};
    use crate::state::{new_id, now_ms, Db};
    use sqlx::Row;

    pub async fn asset_choices(db: &Db, seller_id: &str) -> Result<Vec<AssetChoice>, AppError> {
        let rows = sqlx::query(
            "SELECT a.id, i.name, i.region, i.os, a.reserved_by, a.locked FROM image_assets a \
             JOIN private_images i ON i.id = a.image_id WHERE a.owner_id = $1 ORDER BY i.name",
        )
        .bind(seller_id)
        .fetch_all(db)
        .await
        .map_err(db_error("listing image assets"))?;
        rows.iter()
            .map(|row| {
                let reserved: Option<String> = row.try_get("reserved_by")?;
                let locked: i32 = row.try_get("locked")?;
                Ok(AssetChoice {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    region: row.try_get("region")?,
                    os: row.try_get("os")?,
                    availability: if locked != 0 {
                        AssetAvailability::Locked
                    } else if reserved.is_some() {
                        AssetAvailability::InAnotherProduct
                    } else {
                        AssetAvailability::Available
                    },
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_error("reading image assets"))
    }

    /// The context the rules judge a seller's draft in: their assets, and the names of
    /// their listed products (R15).
    pub async fn context_for(db: &Db, seller_id: &str, assets: &[AssetChoice]) -> Result<ReleaseContext, AppError> {
        Ok(ReleaseContext {
            policy: CatalogPolicy::default(),
            assets: assets.iter().map(|a| (a.id.clone(), a.availability)).collect(),
            live_product_names: crate::listing::ssr::names_of(db, seller_id).await?,
        })
    }

    /// How many requests the seller submitted on marketplace day `day` (R42).
    pub async fn requests_on(db: &Db, seller_id: &str, day: i64) -> Result<i64, AppError> {
        let count: Option<i64> =
            sqlx::query_scalar("SELECT requests FROM daily_request_counts WHERE seller_id = $1 AND local_day = $2")
                .bind(seller_id)
                .bind(day)
                .fetch_optional(db)
                .await
                .map_err(db_error("counting today's requests"))?;
        Ok(count.unwrap_or(0))
    }

    pub async fn submit(
        db: &Db,
        seller_id: &str,
        day: i64,
        draft: Option<(String, i64)>,
        content: &ProductDraft,
    ) -> Result<Submitted, AppError> {
        let context = context_for(db, seller_id, &asset_choices(db, seller_id).await?).await?;
        let violations = check_draft(content, &context);
        if !violations.is_empty() {
            return Err(AppError::Rules(violations));
        }
        let json = serde_json::to_string(content).map_err(|_| AppError::Internal)?;
        let id = new_id();
        let mut tx = db.begin().await.map_err(db_error("starting a submission"))?;
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
        .map_err(db_error("counting the day's requests"))?;
        sqlx::query(
            "INSERT INTO release_requests (id, seller_id, product_name, content, status, submitted_at, local_day, day_ordinal) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(seller_id)
        .bind(content.name.trim())
        .bind(&json)
        .bind(RequestStatus::Submitted.label())
        .bind(now_ms())
        .bind(day)
        .bind(ordinal)
        .execute(&mut *tx)
        .await
        .map_err(db_error("creating a release request"))?;
        let mut asset_ids: Vec<&str> = content.specifications.iter().map(|s| s.asset_id.as_str()).collect();
        asset_ids.sort_unstable();
        asset_ids.dedup();
        for asset_id in asset_ids {
            // Reserved only if still free: a request racing for the same asset loses here.
            let taken = sqlx::query(
                "UPDATE image_assets SET reserved_by = $1 \
                 WHERE id = $2 AND owner_id = $3 AND reserved_by IS NULL AND locked = 0",
            )
            .bind(&id)
            .bind(asset_id)
            .bind(seller_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("reserving an image asset"))?;
            if taken.rows_affected() != 1 {
                return Err(AppError::Rules(vec![RuleViolation::new(
                    Rule::R20,
                    "specifications",
                    "An image asset was just reserved by another release request. Choose another asset.",
                )]));
            }
        }
        if let Some((draft_id, version)) = draft {
            // Checked inside the transaction, so a save racing the submission is seen.
            let stored: Option<i64> = sqlx::query_scalar("SELECT version FROM drafts WHERE id = $1 AND seller_id = $2")
                .bind(&draft_id)
                .bind(seller_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error("reading a submitted draft"))?;
            let removed = match stored {
                None => return Err(AppError::NotFound("The draft".into())),
                Some(stored) if stored != version => 0,
                Some(_) => sqlx::query("DELETE FROM drafts WHERE id = $1 AND seller_id = $2 AND version = $3")
                    .bind(&draft_id)
                    .bind(seller_id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error("removing a submitted draft"))?
                    .rows_affected(),
            };
            if removed != 1 {
                return Err(AppError::Conflict(
                    "This draft was changed in another tab or window since you opened it. Reload it before submitting.".into(),
                ));
            }
        }
        tx.commit().await.map_err(db_error("committing a submission"))?;
        Ok(Submitted { request_id: id })
    }
}
