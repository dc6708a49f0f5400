//! Product drafts (SPEC section 3): saved whatever their state (R30), listed, resumed and
//! deleted (R32), and never overwritten by a stale save (R33). The wizard that edits them
//! is `pages::release`.

use crate::error::AppError;
use crate::rules::release::ProductDraft;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A draft as the Drafts list shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    pub version: i64,
    pub updated_at: i64,
    pub content: ProductDraft,
}

/// What a save answers: the draft's id and its new version, to base the next save on.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
/// the stored one is refused with a conflict (R33). `save_id` is chosen by the browser for
/// each save and kept when it retries: a retry of a save that was stored but whose answer
/// was lost gets that save's result, never a conflict or a second draft.
#[server(client = crate::page_account::PageAccountClient, endpoint = "drafts/save", input = server_fn::codec::Json, output = crate::codec::TextJson)]
pub async fn save_draft(base: DraftBase, content: ProductDraft, save_id: String) -> Result<SavedDraft, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::save_checked(&caller.state, &seller.id, &base, &content, &save_id).await
}

/// A new random save id, as the browser makes one for each save (see [`save_draft`]).
pub fn new_save_id() -> String {
    let mut bytes = [0u8; 16];
    #[cfg(feature = "hydrate")]
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use std::hash::{BuildHasher, Hasher};
        // Outside the browser (tests, tools): two independently seeded hashes of the time.
        for half in bytes.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed-in seller's drafts, most recently saved first (R32).
#[server(client = crate::page_account::PageAccountClient, endpoint = "drafts/list", output = crate::codec::TextJson)]
pub async fn list_drafts() -> Result<Vec<DraftSummary>, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::list(&caller.state.db, &caller.state.settings.catalog, &seller.id).await
}

/// One of the signed-in seller's drafts, to resume it (R32).
#[server(client = crate::page_account::PageAccountClient, endpoint = "drafts/load", output = crate::codec::TextJson)]
pub async fn load_draft(id: String) -> Result<Draft, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::load(&caller.state.db, &seller.id, &id).await
}

/// Deletes one of the signed-in seller's drafts (R32).
#[server(client = crate::page_account::PageAccountClient, endpoint = "drafts/delete", output = crate::codec::TextJson)]
pub async fn delete_draft(id: String) -> Result<(), AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::delete(&caller.state.db, &seller.id, &id).await
}

#[cfg(feature = "ssr")]
mod saving;

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use super::saving::{check_save_id, save, save_checked, SAVES_KEPT_PER_DRAFT};
    use crate::store::Context;
    use super::{Draft, DraftSummary};
    use crate::error::AppError;
    use crate::rules::release::{account_problems, content_problems, CatalogPolicy, ProductDraft};
    use crate::store::{account_turn, from_json, new_id, now_ms, to_json, Db};

    pub(super) fn not_found() -> AppError {
        AppError::NotFound("The draft".into())
    }

    /// What a save or a submission made from an older version than the stored one is told (R33).
    pub(super) const STALE: &str = "This draft was saved from another tab or window since you opened it. \
        Reload it to see that version; your edits here were not saved.";

    /// What is stored beside a draft's content so that the list need not read it.
    pub(super) struct Derived {
        pub json: String,
        pub content_problems: i64,
        pub asset_ids: String,
    }

    pub(super) fn derive(content: &ProductDraft, policy: &CatalogPolicy) -> Result<Derived, AppError> {
        let asset_ids: Vec<&str> = content.specifications.iter().map(|s| s.asset_id.as_str()).collect();
        Ok(Derived {
            json: to_json(content, "draft content")?,
            content_problems: content_problems(content, policy) as i64,
            asset_ids: to_json(&asset_ids, "draft asset ids")?,
        })
    }

    /// The refusal when a seller has as many drafts as they may keep.
    pub(super) fn quota_reached(quota: i64) -> AppError {
        AppError::LimitReached(format!(
            "You have {quota} drafts, the most one seller can keep. Delete drafts you no longer need \
             (Product Management → Drafts) to start another."
        ))
    }

    #[derive(sqlx::FromRow)]
    struct DraftListRow {
        id: String,
        name: String,
        version: i64,
        updated_at: i64,
        content_problems: i64,
        asset_ids: String,
    }

    /// The drafts, each with how many problems stand between it and submission (judged by
    /// the same rules as the wizard, against the seller's assets now). The content's own
    /// problems were counted when it was saved; only a draft saved before that was stored is
    /// read whole, once.
    pub async fn list(db: &Db, policy: &CatalogPolicy, seller_id: &str) -> Result<Vec<DraftSummary>, AppError> {
        let assets = crate::assets::ssr::choices(db, seller_id).await?;
        let context = crate::assets::ssr::context_for(db, policy, seller_id, &assets).await?;
        let rows: Vec<DraftListRow> = sqlx::query_as(
            "SELECT id, name, version, updated_at, content_problems, asset_ids FROM drafts WHERE seller_id = $1 \
             ORDER BY updated_at DESC, id",
        )
        .bind(seller_id)
        .fetch_all(db)
        .await
        .context("listing drafts")?;
        let mut drafts = Vec::with_capacity(rows.len());
        for mut row in rows {
            if row.content_problems < 0 {
                let derived = derive(&load(db, seller_id, &row.id).await?.content, policy)?;
                sqlx::query("UPDATE drafts SET content_problems = $1, asset_ids = $2 WHERE id = $3 AND version = $4")
                    .bind(derived.content_problems)
                    .bind(&derived.asset_ids)
                    .bind(&row.id)
                    .bind(row.version)
                    .execute(db)
                    .await
                    .context("counting an older draft's problems")?;
                (row.content_problems, row.asset_ids) = (derived.content_problems, derived.asset_ids);
            }
            let asset_ids: Vec<String> = from_json(&row.asset_ids, "draft asset ids", &row.id)?;
            let problems = row.content_problems as usize + account_problems(&row.name, &asset_ids, &context);
            drafts.push(DraftSummary { id: row.id, name: row.name, version: row.version, updated_at: row.updated_at, problems });
        }
        Ok(drafts)
    }

    #[derive(sqlx::FromRow)]
    struct DraftRow {
        id: String,
        content: String,
        version: i64,
        updated_at: i64,
    }

    pub async fn load(db: &Db, seller_id: &str, id: &str) -> Result<Draft, AppError> {
        let row: DraftRow = sqlx::query_as("SELECT id, content, version, updated_at FROM drafts WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .fetch_optional(db)
            .await
            .context("loading a draft")?
            .ok_or_else(not_found)?;
        let content = from_json(&row.content, "draft content", &row.id)?;
        Ok(Draft { id: row.id, version: row.version, updated_at: row.updated_at, content })
    }

    /// The draft made from a rejected request: the one already open if there is one, or a new
    /// one holding `content`. Two calls at once get the same draft: the unique index on
    /// `source_request_id` lets one insert win and the other reads what it wrote.
    pub async fn from_request(
        db: &Db,
        policy: &CatalogPolicy,
        seller_id: &str,
        request_id: &str,
        content: &ProductDraft,
        quota: i64,
    ) -> Result<String, AppError> {
        if let Some(id) = draft_from_request(db, seller_id, request_id).await? {
            return Ok(id);
        }
        let derived = derive(content, policy)?;
        // The seller's turn, then the count (`store::account_turn`); the draft may have been
        // made while this call waited for it.
        let mut tx = db.begin().await.context("starting a draft from a request")?;
        account_turn(&mut tx, seller_id).await?;
        if let Some(id) = draft_from_request(&mut *tx, seller_id, request_id).await? {
            return Ok(id);
        }
        let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_one(&mut *tx)
            .await
            .context("counting drafts")?;
        if drafts >= quota {
            return Err(quota_reached(quota));
        }
        sqlx::query(
            "INSERT INTO drafts (id, seller_id, name, content, version, created_at, updated_at, source_request_id, \
             content_problems, asset_ids) VALUES ($1, $2, $3, $4, 1, $5, $5, $6, $7, $8) ON CONFLICT (source_request_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(seller_id)
        .bind(content.name.trim())
        .bind(&derived.json)
        .bind(now_ms())
        .bind(request_id)
        .bind(derived.content_problems)
        .bind(&derived.asset_ids)
        .execute(&mut *tx)
        .await
        .context("creating a draft from a request")?;
        tx.commit().await.context("committing a draft from a request")?;
        draft_from_request(db, seller_id, request_id).await?.ok_or_else(not_found)
    }

    async fn draft_from_request<'c>(
        db: impl sqlx::Executor<'c, Database = sqlx::Any>,
        seller_id: &str,
        request_id: &str,
    ) -> Result<Option<String>, AppError> {
        sqlx::query_scalar("SELECT id FROM drafts WHERE source_request_id = $1 AND seller_id = $2")
            .bind(request_id)
            .bind(seller_id)
            .fetch_optional(db)
            .await
            .context("finding the draft made from a request")
    }

    /// The release request one of the seller's drafts was made from, if it was.
    pub async fn source_of(db: &Db, seller_id: &str, draft_id: &str) -> Result<Option<String>, AppError> {
        let source: Option<Option<String>> = sqlx::query_scalar("SELECT source_request_id FROM drafts WHERE id = $1 AND seller_id = $2")
            .bind(draft_id)
            .bind(seller_id)
            .fetch_optional(db)
            .await
            .context("finding the request a draft was made from")?;
        Ok(source.flatten())
    }

    /// Removes the draft a release request was submitted from, in the submission's
    /// transaction, if it is still at the version the editor held (R33).
    pub async fn close_submitted(tx: &mut sqlx::AnyConnection, seller_id: &str, id: &str, version: i64) -> Result<(), AppError> {
        let removed = sqlx::query("DELETE FROM drafts WHERE id = $1 AND seller_id = $2 AND version = $3")
            .bind(id)
            .bind(seller_id)
            .bind(version)
            .execute(&mut *tx)
            .await
            .context("removing a submitted draft")?;
        if removed.rows_affected() == 1 {
            return Ok(());
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT version FROM drafts WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .fetch_optional(&mut *tx)
            .await
            .context("reading a submitted draft")?;
        Err(if exists.is_some() { AppError::Conflict(STALE.into()) } else { not_found() })
    }

    pub async fn delete(db: &Db, seller_id: &str, id: &str) -> Result<(), AppError> {
        let deleted = sqlx::query("DELETE FROM drafts WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .execute(db)
            .await
            .context("deleting a draft")?;
        if deleted.rows_affected() == 0 {
            return Err(not_found());
        }
        Ok(())
    }
}
