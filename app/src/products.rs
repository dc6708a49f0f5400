//! A seller's released products (SPEC section 5): Set as Free Image (R50, R51) and vCPU
//! tier price changes with their history (R54). Every change re-runs the shared rules on
//! the server and is written only if the product is still at the version it was read at.
//! My Products' list is in `list`, and its rows kept by version in `row_cache`.

use crate::error::AppError;
use crate::listing::ListedProduct;
use crate::rules::after_release::TierPrices;
use crate::rules::product::Product;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One recorded price change: who, when, old and new price (R54).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChangeRecord {
    pub specification: usize,
    pub vcpus: String,
    pub billing: String,
    pub old_price: String,
    pub new_price: String,
    pub changed_by: String,
    pub changed_at: i64,
}

/// A released product as its seller manages it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedProduct {
    pub product: ListedProduct,
    #[cfg_attr(feature = "ssr", schema(value_type = crate::rules::release::ProductDraft))]
    pub content: Product,
    pub version: i64,
    /// The latest price changes, newest first: at most [`HISTORY_SHOWN`].
    pub history: Vec<PriceChangeRecord>,
    /// How many changes are older than those in `history`.
    pub older_changes: i64,
    /// Increases waiting for their date, soonest first (R70, R73).
    pub scheduled: Vec<crate::prices::ScheduledIncrease>,
    /// The notice before an increase takes effect, in days, and the date an increase saved
    /// now would take effect on, as `2027-02-28` (R70).
    pub notice_days: u32,
    pub increase_from_day: String,
}

/// Price changes a product's page and its answers show: the latest. Lower prices are not
/// budgeted (R72 counts notices), so a history has no end of its own.
pub const HISTORY_SHOWN: i64 = 100;

#[server(client = crate::page_account::PageAccountClient, endpoint = "products/owned", output = crate::codec::TextJson)]
pub async fn load_owned_product(id: String) -> Result<OwnedProduct, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::owned(&caller.state.db, &caller.state.settings, &seller.id, &id).await
}

/// A product just set as a Free image, at its new version: what My Products needs, which
/// then loads the page again. (The whole product is the API's answer,
/// `POST /api/v1/products/{id}/free`: a type the browser reads is code every console page
/// loads, and the whole product's was most of My Products' own.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freed {
    pub id: String,
    pub version: i64,
}

/// My Products → More → Set as Free Image (R50): refused for a product priced by vCPUs
/// (R51) or with a price above $0.
#[server(client = crate::page_account::PageAccountClient, endpoint = "products/set-free", output = crate::codec::TextJson)]
pub async fn set_free_image(id: String, version: i64) -> Result<Freed, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let owned = ssr::set_free(&caller.state.db, &caller.state.settings, &seller.id, &id, version).await?;
    Ok(Freed { id: owned.product.id, version: owned.version })
}

/// New prices for the vCPU tiers of a released product (R54): `prices[s]` holds the tiers
/// of specification `s` in order (empty for a specification that is not priced by vCPUs).
/// Decreases apply at once; increases wait for the notice period (R70).
#[server(client = crate::page_account::PageAccountClient, endpoint = "products/tier-prices", input = server_fn::codec::Json, output = crate::codec::TextJson)]
pub async fn change_tier_prices(id: String, version: i64, prices: Vec<Vec<TierPrices>>) -> Result<OwnedProduct, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::change_tier_prices(&caller.state.db, &caller.state.settings, &seller.id, &id, version, &prices).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::{OwnedProduct, PriceChangeRecord, TierPrices};
    use crate::error::AppError;
    use crate::audit::ssr::{record, Subject};
    use crate::audit::AuditKind;
    use crate::rules::product::Product;
    use crate::prices::ssr::Notice;
    use crate::state::Settings;
    use crate::store::{now_ms, to_json, Db};

    #[derive(sqlx::FromRow)]
    struct ChangeRow {
        specification: i64,
        vcpus: String,
        billing: String,
        old_price: String,
        new_price: String,
        changed_at: i64,
        changed_by: String,
    }

    /// Set as Free Image (R50, R51), on the product as it is at `version`.
    pub async fn set_free(db: &Db, settings: &Settings, seller_id: &str, id: &str, version: i64) -> Result<OwnedProduct, AppError> {
        let owned = owned(db, settings, seller_id, id).await?;
        crate::rules::after_release::check_set_free(&owned.content).map_err(|v| AppError::Rules(vec![v]))?;
        let free = crate::rules::after_release::set_free(&owned.content);
        write(db, seller_id, id, version, &free).await?;
        self::owned(db, settings, seller_id, id).await
    }

    /// New vCPU tier prices (R54, R70, R73), on the product as it is at `version`.
    pub async fn change_tier_prices(
        db: &Db,
        settings: &Settings,
        seller_id: &str,
        id: &str,
        version: i64,
        prices: &[Vec<TierPrices>],
    ) -> Result<OwnedProduct, AppError> {
        let now = now_ms();
        crate::prices::ssr::save(db, Notice::of(settings), seller_id, id, version, prices, now).await?;
        self::owned(db, settings, seller_id, id).await
    }

    pub async fn owned(db: &Db, settings: &Settings, seller_id: &str, id: &str) -> Result<OwnedProduct, AppError> {
        let page = crate::listing::ssr::one(db, id).await?;
        let (owner, version): (String, i64) = sqlx::query_as("SELECT seller_id, version FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await
            .context("loading a product")?;
        if owner != seller_id {
            return Err(AppError::NotFound("The product".into()));
        }
        let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT c.specification, c.vcpus, c.billing, c.old_price, c.new_price, c.changed_at, a.display_name AS changed_by \
             FROM price_changes c JOIN accounts a ON a.id = c.changed_by WHERE c.product_id = $1 ORDER BY c.changed_at DESC, c.id LIMIT $2",
        )
        .bind(id)
        .bind(super::HISTORY_SHOWN)
        .fetch_all(db)
        .await
        .context("loading price history")?;
        let all: i64 = if (rows.len() as i64) < super::HISTORY_SHOWN {
            rows.len() as i64
        } else {
            sqlx::query_scalar("SELECT COUNT(*) FROM price_changes WHERE product_id = $1").bind(id).fetch_one(db).await.context("counting price changes")?
        };
        let older_changes = all - rows.len() as i64;
        let history = rows
            .into_iter()
            .map(|r| PriceChangeRecord {
                specification: r.specification as usize,
                vcpus: r.vcpus,
                billing: r.billing,
                old_price: r.old_price,
                new_price: r.new_price,
                changed_by: r.changed_by,
                changed_at: r.changed_at,
            })
            .collect();
        let now = now_ms();
        let mut conn = db.acquire().await.context("reading scheduled price increases")?;
        let scheduled = crate::prices::ssr::waiting(&mut conn, id).await?;
        let notice = Notice::of(settings);
        // A due increase is being applied by a worker within moments: no longer cancellable.
        let scheduled = crate::prices::ssr::shown(scheduled, notice.calendar, now);
        let from = crate::rules::notice::increase_takes_effect(notice.calendar, now, notice.days);
        let increase_from_day = crate::rules::notice::local_date(notice.calendar, from);
        Ok(OwnedProduct { product: page.product, content: page.content, version, history, older_changes, scheduled, notice_days: notice.days, increase_from_day })
    }

    /// The release request a product of `seller_id` was listed from.
    pub async fn request_of(db: &Db, seller_id: &str, id: &str) -> Result<String, AppError> {
        sqlx::query_scalar("SELECT request_id FROM products WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .fetch_optional(db)
            .await
            .context("finding a product's request")?
            .ok_or_else(|| AppError::NotFound("The product".into()))
    }

    /// Writes a product Set as Free Image at `version`, in one transaction with its audit
    /// row (R74); a product changed meanwhile is refused (409).
    async fn write(db: &Db, seller_id: &str, id: &str, version: i64, content: &Product) -> Result<(), AppError> {
        let json = to_json(content, "product")?;
        let mut tx = db.begin().await.context("starting a product change")?;
        let updated = sqlx::query(
            "UPDATE products SET content = $1, version = version + 1 WHERE id = $2 AND seller_id = $3 AND version = $4",
        )
        .bind(&json)
        .bind(id)
        .bind(seller_id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .context("changing a product")?;
        if updated.rows_affected() != 1 {
            return Err(AppError::Conflict(
                "This product was changed in another tab or window since you opened it. Reload it and try again.".into(),
            ));
        }
        crate::listing::ssr::index(&mut tx, id, content).await?;
        let subject = Subject { product_id: Some(id), ..Default::default() };
        record(&mut tx, Some(seller_id), AuditKind::SetFree, subject, "Every price fixed at $0").await?;
        tx.commit().await.context("committing a product change")
    }
}

mod list;
#[cfg(feature = "ssr")]
mod row_cache;

pub use list::{my_products, ProductRow, ProductStatus, FREE_IMAGE};
#[cfg(feature = "ssr")]
pub use row_cache::RowCache;
