//! Saving a draft (R30, R31, R33): one transaction that checks the version it was based on
//! and the seller's quota, with an id per save so a retry of a stored save gets its result.

use super::ssr::{derive, not_found, quota_reached, STALE};
use super::{DraftBase, SavedDraft};
use crate::error::AppError;
use crate::rules::release::{CatalogPolicy, ProductDraft};
use crate::store::{account_turn, new_id, now_ms, Context, Db};

/// Saves are remembered this long, far beyond any retry.
const SAVES_KEPT_MS: i64 = 24 * 60 * 60 * 1000;
/// And at most this many of one draft, the latest.
pub const SAVES_KEPT_PER_DRAFT: i64 = 50;

/// A save id is what [`super::new_save_id`] makes, or close to it.
pub fn check_save_id(save_id: &str) -> Result<(), AppError> {
    let ok = (16..=64).contains(&save_id.len()) && save_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok { Ok(()) } else { Err(AppError::BadRequest("The save id must be 16 to 64 letters, digits or dashes.".into())) }
}

/// The result of an earlier save with this id, if it was stored.
async fn recorded(db: &Db, seller_id: &str, save_id: &str) -> Result<Option<SavedDraft>, AppError> {
    let row: Option<(String, i64, i64)> =
        sqlx::query_as("SELECT draft_id, version, updated_at FROM draft_saves WHERE seller_id = $1 AND save_id = $2")
            .bind(seller_id)
            .bind(save_id)
            .fetch_optional(db)
            .await
            .context("looking up an earlier save")?;
    Ok(row.map(|(id, version, updated_at)| SavedDraft { id, version, updated_at }))
}

/// [`save`] of content as it came from a client: its size and save id checked first, with
/// the operator's catalog and quota (the console and the API alike).
pub async fn save_checked(
    state: &crate::state::AppState,
    seller_id: &str,
    base: &DraftBase,
    content: &ProductDraft,
    save_id: &str,
) -> Result<SavedDraft, AppError> {
    crate::rules::release::check_draft_bounds(content).map_err(AppError::BadRequest)?;
    check_save_id(save_id)?;
    let settings = &state.settings;
    save(&state.db, &settings.catalog, seller_id, base, content, save_id, settings.drafts_per_seller).await
}

pub async fn save(
    db: &Db,
    policy: &CatalogPolicy,
    seller_id: &str,
    base: &DraftBase,
    content: &ProductDraft,
    save_id: &str,
    quota: i64,
) -> Result<SavedDraft, AppError> {
    if let Some(done) = recorded(db, seller_id, save_id).await? {
        return Ok(done);
    }
    let derived = derive(content, policy)?;
    let name = content.name.trim();
    let now = now_ms();
    let mut tx = db.begin().await.context("starting a draft save")?;
    let saved = match base {
        DraftBase::New => {
            // The seller's turn first, so the count includes this draft and no other new
            // draft of theirs being saved meanwhile.
            account_turn(&mut tx, seller_id).await?;
            let id = new_id();
            sqlx::query(
                "INSERT INTO drafts (id, seller_id, name, content, version, created_at, updated_at, content_problems, asset_ids) \
                 VALUES ($1, $2, $3, $4, 1, $5, $5, $6, $7)",
            )
            .bind(&id)
            .bind(seller_id)
            .bind(name)
            .bind(&derived.json)
            .bind(now)
            .bind(derived.content_problems)
            .bind(&derived.asset_ids)
            .execute(&mut *tx)
            .await
            .context("creating a draft")?;
            let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts WHERE seller_id = $1")
                .bind(seller_id)
                .fetch_one(&mut *tx)
                .await
                .context("counting drafts")?;
            if drafts > quota {
                return Err(quota_reached(quota));
            }
            sqlx::query("DELETE FROM draft_saves WHERE updated_at < $1")
                .bind(now - SAVES_KEPT_MS)
                .execute(&mut *tx)
                .await
                .context("sweeping old saves")?;
            SavedDraft { id, version: 1, updated_at: now }
        }
        DraftBase::Existing { id, version } => {
            // One statement decides: it only writes if the stored version is the one the
            // editor started from, so two tabs cannot both win.
            let updated = sqlx::query(
                "UPDATE drafts SET name = $1, content = $2, version = version + 1, updated_at = $3, \
                 content_problems = $4, asset_ids = $5 WHERE id = $6 AND seller_id = $7 AND version = $8",
            )
            .bind(name)
            .bind(&derived.json)
            .bind(now)
            .bind(derived.content_problems)
            .bind(&derived.asset_ids)
            .bind(id)
            .bind(seller_id)
            .bind(version)
            .execute(&mut *tx)
            .await
            .context("saving a draft")?;
            if updated.rows_affected() != 1 {
                drop(tx);
                return refused_save(db, seller_id, id, save_id).await;
            }
            SavedDraft { id: id.clone(), version: version + 1, updated_at: now }
        }
    };
    // The save is remembered in its own transaction. A twin of this save (the same id,
    // sent again while this one ran) that got here first wins; this one gives way to it.
    let remembered = sqlx::query(
        "INSERT INTO draft_saves (seller_id, save_id, draft_id, version, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (seller_id, save_id) DO NOTHING",
    )
    .bind(seller_id)
    .bind(save_id)
    .bind(&saved.id)
    .bind(saved.version)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("remembering a save")?;
    if remembered.rows_affected() != 1 {
        drop(tx);
        return recorded(db, seller_id, save_id).await?.ok_or(AppError::Internal);
    }
    // A draft keeps the ids of its latest saves only, far more than any retry needs: saves
    // without end (autosave, or a client that never stops) do not pile up for a day.
    sqlx::query(
        "DELETE FROM draft_saves WHERE seller_id = $1 AND draft_id = $2 AND save_id NOT IN \
         (SELECT save_id FROM draft_saves WHERE seller_id = $1 AND draft_id = $2 ORDER BY updated_at DESC, save_id LIMIT $3)",
    )
    .bind(seller_id)
    .bind(&saved.id)
    .bind(SAVES_KEPT_PER_DRAFT)
    .execute(&mut *tx)
    .await
    .context("forgetting a draft's old saves")?;
    tx.commit().await.context("committing a draft save")?;
    Ok(saved)
}

/// Why a save based on `id` did not write: it was this very save, stored before (its
/// answer was lost, or a twin of it won), or the draft is gone, or another tab saved it.
async fn refused_save(db: &Db, seller_id: &str, id: &str, save_id: &str) -> Result<SavedDraft, AppError> {
    if let Some(done) = recorded(db, seller_id, save_id).await? {
        return Ok(done);
    }
    let stored: Option<i64> = sqlx::query_scalar("SELECT version FROM drafts WHERE id = $1 AND seller_id = $2")
        .bind(id)
        .bind(seller_id)
        .fetch_optional(db)
        .await
        .context("checking a draft's version")?;
    match stored {
        None => Err(not_found()),
        Some(_) => Err(AppError::Conflict(STALE.into())),
    }
}
