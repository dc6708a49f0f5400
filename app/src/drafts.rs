//! Product drafts (SPEC section 3): saved whatever their state (R30), listed, resumed and
//! deleted (R32), and never overwritten by a stale save (R33). The wizard that edits them
//! is `pages::release`.

use crate::error::AppError;
use crate::rules::release::ProductDraft;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A draft as the Drafts list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub id: String,
    /// The product name as typed; empty for an untitled draft.
    pub name: String,
    pub version: i64,
    pub updated_at: i64,
    /// How many rules the draft still breaks; 0 when it may be submitted.
    pub problems: usize,
}

/// A whole draft, to resume editing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    pub version: i64,
    pub updated_at: i64,
    pub content: ProductDraft,
}

/// What a save answers: the draft's id and its new version, to base the next save on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDraft {
    pub id: String,
    pub version: i64,
    pub updated_at: i64,
}

/// The base of a save: a new draft, or the version of an existing one the editor started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftBase {
    New,
    Existing { id: String, version: i64 },
}

/// Saves the draft as it is, complete or not (R30). A save based on an older version than
/// the stored one is refused with a conflict (R33).
#[server(endpoint = "drafts/save", input = server_fn::codec::Json)]
pub async fn save_draft(base: DraftBase, content: ProductDraft) -> Result<SavedDraft, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    crate::rules::release::check_draft_bounds(&content).map_err(AppError::BadRequest)?;
    ssr::save(&caller.state.db, &seller.id, &base, &content).await
}

/// The signed-in seller's drafts, most recently saved first (R32).
#[server(endpoint = "drafts/list")]
pub async fn list_drafts() -> Result<Vec<DraftSummary>, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::list(&caller.state.db, &seller.id).await
}

/// One of the signed-in seller's drafts, to resume it (R32).
#[server(endpoint = "drafts/load")]
pub async fn load_draft(id: String) -> Result<Draft, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::load(&caller.state.db, &seller.id, &id).await
}

/// Deletes one of the signed-in seller's drafts (R32).
#[server(endpoint = "drafts/delete")]
pub async fn delete_draft(id: String) -> Result<(), AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::delete(&caller.state.db, &seller.id, &id).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{Draft, DraftBase, DraftSummary, SavedDraft};
    use crate::error::{ssr::db_error, AppError};
    use crate::rules::release::ProductDraft;
    use crate::state::{new_id, now_ms, Db};
    use sqlx::Row;

    fn not_found() -> AppError {
        AppError::NotFound("The draft".into())
    }

    pub async fn save(db: &Db, seller_id: &str, base: &DraftBase, content: &ProductDraft) -> Result<SavedDraft, AppError> {
        let json = serde_json::to_string(content).map_err(|_| AppError::Internal)?;
        let name = content.name.trim();
        let now = now_ms();
        match base {
            DraftBase::New => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO drafts (id, seller_id, name, content, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 1, $5, $5)",
                )
                .bind(&id)
                .bind(seller_id)
                .bind(name)
                .bind(&json)
                .bind(now)
                .execute(db)
                .await
                .map_err(db_error("creating a draft"))?;
                Ok(SavedDraft { id, version: 1, updated_at: now })
            }
            DraftBase::Existing { id, version } => {
                // One statement decides: it only writes if the stored version is the one the
                // editor started from, so two tabs cannot both win.
                let updated = sqlx::query(
                    "UPDATE drafts SET name = $1, content = $2, version = version + 1, updated_at = $3 \
                     WHERE id = $4 AND seller_id = $5 AND version = $6",
                )
                .bind(name)
                .bind(&json)
                .bind(now)
                .bind(id)
                .bind(seller_id)
                .bind(version)
                .execute(db)
                .await
                .map_err(db_error("saving a draft"))?;
                if updated.rows_affected() == 1 {
                    return Ok(SavedDraft { id: id.clone(), version: version + 1, updated_at: now });
                }
                let stored: Option<i64> = sqlx::query_scalar("SELECT version FROM drafts WHERE id = $1 AND seller_id = $2")
                    .bind(id)
                    .bind(seller_id)
                    .fetch_optional(db)
                    .await
                    .map_err(db_error("checking a draft's version"))?;
                match stored {
                    None => Err(not_found()),
                    Some(_) => Err(AppError::Conflict(
                        "This draft was saved from another tab or window since you opened it. \
                         Reload it to see that version; your edits here were not saved."
                            .into(),
                    )),
                }
            }
        }
    }

    /// The drafts, each with how many problems stand between it and submission (judged by
    /// the same rules as the wizard, against the seller's assets now).
    pub async fn list(db: &Db, seller_id: &str) -> Result<Vec<DraftSummary>, AppError> {
        let assets = crate::release::ssr::asset_choices(db, seller_id).await?;
        let context = crate::release::ssr::context_for(db, seller_id, &assets).await?;
        sqlx::query(
            "SELECT id, name, content, version, updated_at FROM drafts WHERE seller_id = $1 \
             ORDER BY updated_at DESC, id",
        )
        .bind(seller_id)
        .fetch_all(db)
        .await
        .map_err(db_error("listing drafts"))?
        .iter()
        .map(|row| {
            let content: String = row.try_get("content")?;
            let content: ProductDraft = serde_json::from_str(&content).unwrap_or_default();
            Ok(DraftSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                version: row.try_get("version")?,
                updated_at: row.try_get("updated_at")?,
                problems: crate::rules::release::check_draft(&content, &context).len(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error("reading drafts"))
    }

    pub async fn load(db: &Db, seller_id: &str, id: &str) -> Result<Draft, AppError> {
        let row = sqlx::query("SELECT id, content, version, updated_at FROM drafts WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .fetch_optional(db)
            .await
            .map_err(db_error("loading a draft"))?
            .ok_or_else(not_found)?;
        let read = |row: &sqlx::any::AnyRow| -> Result<(String, String, i64, i64), sqlx::Error> {
            Ok((row.try_get("id")?, row.try_get("content")?, row.try_get("version")?, row.try_get("updated_at")?))
        };
        let (id, content, version, updated_at) = read(&row).map_err(db_error("reading a draft"))?;
        let content = serde_json::from_str(&content).map_err(|error| {
            tracing::error!(%error, draft = %id, "stored draft content does not parse");
            AppError::Internal
        })?;
        Ok(Draft { id, version, updated_at, content })
    }

    /// The draft made from a rejected request: the one already open if there is one, or a new
    /// one holding `content`. Two calls at once get the same draft: the unique index on
    /// `source_request_id` lets one insert win and the other reads what it wrote.
    pub async fn from_request(db: &Db, seller_id: &str, request_id: &str, content: &ProductDraft) -> Result<String, AppError> {
        let json = serde_json::to_string(content).map_err(|_| AppError::Internal)?;
        sqlx::query(
            "INSERT INTO drafts (id, seller_id, name, content, version, created_at, updated_at, source_request_id) \
             VALUES ($1, $2, $3, $4, 1, $5, $5, $6) ON CONFLICT (source_request_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(seller_id)
        .bind(content.name.trim())
        .bind(&json)
        .bind(now_ms())
        .bind(request_id)
        .execute(db)
        .await
        .map_err(db_error("creating a draft from a request"))?;
        let row = sqlx::query("SELECT id FROM drafts WHERE source_request_id = $1 AND seller_id = $2")
            .bind(request_id)
            .bind(seller_id)
            .fetch_optional(db)
            .await
            .map_err(db_error("finding the draft made from a request"))?
            .ok_or_else(not_found)?;
        row.try_get("id").map_err(db_error("reading a draft id"))
    }

    pub async fn delete(db: &Db, seller_id: &str, id: &str) -> Result<(), AppError> {
        let deleted = sqlx::query("DELETE FROM drafts WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .execute(db)
            .await
            .map_err(db_error("deleting a draft"))?;
        if deleted.rows_affected() == 0 {
            return Err(not_found());
        }
        Ok(())
    }
}
