//! Image assets and the image lock (R52), in one place: which of a seller's assets can go
//! into a product (R20), and every change of an asset's state. An asset is *reserved* by
//! the pending release request that names it, *locked* once that product is released, and
//! *freed* when its request is rejected or withdrawn. A locked image deploys no VM; it is
//! used by purchasing its product (R53). No other module reads or writes these columns.

use crate::rules::release::AssetAvailability;
use serde::{Deserialize, Serialize};

/// A private image that has been released as an image asset.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageAsset {
    pub id: String,
    pub image_id: String,
    pub image_name: String,
    pub region: String,
    pub os: String,
    pub released_at: i64,
    /// Locked by a released product: it cannot deploy a VM or go into another product (R52).
    #[serde(default)]
    pub locked: bool,
    /// The product named by the pending release request that reserves it (R20, R52): it goes
    /// into no other product meanwhile, and is locked if that product is approved.
    #[serde(default)]
    pub reserved_for: Option<String>,
}

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

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::AssetChoice;
    use crate::error::AppError;
    use super::ImageAsset;
    use crate::rules::release::{AssetAvailability, CatalogPolicy, ReleaseContext};
    use crate::rules::{Rule, RuleViolation};
    use crate::store::{Context, Db};
    use crate::audit::ssr::{record, Subject};
    use crate::audit::AuditKind;
    use sqlx::AnyConnection;

    #[derive(sqlx::FromRow)]
    struct AssetRow {
        id: String,
        image_id: String,
        name: String,
        region: String,
        os: String,
        released_at: i64,
        reserved_by: Option<String>,
        /// The product name of the request in `reserved_by`.
        reserved_for: Option<String>,
        locked: i32,
    }

    impl AssetRow {
        fn availability(&self) -> AssetAvailability {
            if self.locked != 0 {
                AssetAvailability::Locked
            } else if self.reserved_by.is_some() {
                AssetAvailability::InAnotherProduct
            } else {
                AssetAvailability::Available
            }
        }
    }

    async fn rows(db: &Db, owner_id: &str, order: &str) -> Result<Vec<AssetRow>, AppError> {
        sqlx::query_as(&format!(
            "SELECT a.id, a.image_id, i.name, i.region, i.os, a.released_at, a.reserved_by, r.product_name AS reserved_for, a.locked \
             FROM image_assets a JOIN private_images i ON i.id = a.image_id LEFT JOIN release_requests r ON r.id = a.reserved_by \
             WHERE a.owner_id = $1 ORDER BY {order}"
        ))
        .bind(owner_id)
        .fetch_all(db)
        .await
        .context("listing image assets")
    }

    /// The owner's image assets, newest first, for the Image Assets page.
    pub async fn list(db: &Db, owner_id: &str) -> Result<Vec<ImageAsset>, AppError> {
        Ok(rows(db, owner_id, "a.released_at DESC")
            .await?
            .into_iter()
            .map(|r| ImageAsset {
                locked: r.locked != 0,
                // A locked asset stays reserved by the request that released it.
                reserved_for: if r.locked != 0 { None } else { r.reserved_for },
                id: r.id,
                image_id: r.image_id,
                image_name: r.name,
                region: r.region,
                os: r.os,
                released_at: r.released_at,
            })
            .collect())
    }

    /// The seller's assets by name, each with whether it may go into a new product (R20).
    pub async fn choices(db: &Db, seller_id: &str) -> Result<Vec<AssetChoice>, AppError> {
        Ok(rows(db, seller_id, "i.name")
            .await?
            .into_iter()
            .map(|r| AssetChoice { availability: r.availability(), id: r.id, name: r.name, region: r.region, os: r.os })
            .collect())
    }

    /// The context the rules judge a seller's draft in: the operator's catalog, the seller's
    /// assets and the names of their listed products (R15).
    pub async fn context_for(db: &Db, policy: &CatalogPolicy, seller_id: &str, assets: &[AssetChoice]) -> Result<ReleaseContext, AppError> {
        Ok(ReleaseContext {
            policy: policy.clone(),
            assets: assets.iter().map(|a| (a.id.clone(), a.availability)).collect(),
            live_product_names: crate::listing::ssr::names_of(db, seller_id).await?,
        })
    }

    /// Reserves the assets a submitted request names for it, in the submission's transaction.
    /// Each reservation is a conditional UPDATE, so of two requests racing for one asset one
    /// wins and the other is refused (R20).
    pub async fn reserve(tx: &mut AnyConnection, request_id: &str, seller_id: &str, asset_ids: &[&str]) -> Result<(), AppError> {
        let mut asset_ids = asset_ids.to_vec();
        asset_ids.sort_unstable();
        asset_ids.dedup();
        for asset_id in asset_ids {
            let taken = sqlx::query(
                "UPDATE image_assets SET reserved_by = $1 WHERE id = $2 AND owner_id = $3 AND reserved_by IS NULL AND locked = 0",
            )
            .bind(request_id)
            .bind(asset_id)
            .bind(seller_id)
            .execute(&mut *tx)
            .await
            .context("reserving an image asset")?;
            if taken.rows_affected() != 1 {
                return Err(AppError::Rules(vec![RuleViolation::new(
                    Rule::R20,
                    "specifications",
                    "An image asset was just reserved by another release request. Choose another asset.",
                )]));
            }
        }
        Ok(())
    }

    /// Locks the assets of an approved request: its product is released (R52). Each lock is
    /// recorded in the audit log (R74) as `actor_id`'s.
    pub async fn lock_for(tx: &mut AnyConnection, request_id: &str, actor_id: &str) -> Result<(), AppError> {
        let held = reserved_by(tx, request_id).await?;
        sqlx::query("UPDATE image_assets SET locked = 1 WHERE reserved_by = $1")
            .bind(request_id)
            .execute(&mut *tx)
            .await
            .context("locking a released product's images")?;
        audit_each(tx, &held, request_id, actor_id, AuditKind::AssetLocked).await
    }

    /// Frees the assets of a rejected or withdrawn request (R52), recorded as `actor_id`'s.
    pub async fn free_for(tx: &mut AnyConnection, request_id: &str, actor_id: &str) -> Result<(), AppError> {
        let held = reserved_by(tx, request_id).await?;
        sqlx::query("UPDATE image_assets SET reserved_by = NULL WHERE reserved_by = $1")
            .bind(request_id)
            .execute(&mut *tx)
            .await
            .context("freeing a request's images")?;
        audit_each(tx, &held, request_id, actor_id, AuditKind::AssetFreed).await
    }

    /// The assets a request holds, with their images' names, in id order.
    async fn reserved_by(tx: &mut AnyConnection, request_id: &str) -> Result<Vec<(String, String)>, AppError> {
        sqlx::query_as(
            "SELECT a.id, COALESCE(i.name, a.image_id) FROM image_assets a LEFT JOIN private_images i ON i.id = a.image_id \
             WHERE a.reserved_by = $1 ORDER BY a.id",
        )
            .bind(request_id)
            .fetch_all(&mut *tx)
            .await
            .context("reading a request's images")
    }

    async fn audit_each(tx: &mut AnyConnection, assets: &[(String, String)], request_id: &str, actor_id: &str, kind: AuditKind) -> Result<(), AppError> {
        for (asset_id, name) in assets {
            let subject = Subject { request_id: Some(request_id), asset_id: Some(asset_id), ..Default::default() };
            record(tx, Some(actor_id), kind, subject, name).await?;
        }
        Ok(())
    }

    /// Whether a released product holds this private image: then it deploys no VM (R52).
    pub async fn is_locked(db: &Db, image_id: &str) -> Result<bool, AppError> {
        let locked: Option<i32> = sqlx::query_scalar("SELECT locked FROM image_assets WHERE image_id = $1")
            .bind(image_id)
            .fetch_optional(db)
            .await
            .context("checking an image's lock")?;
        Ok(locked.unwrap_or(0) != 0)
    }

    /// The private image behind an asset.
    pub async fn image_of(db: &Db, asset_id: &str) -> Result<String, AppError> {
        sqlx::query_scalar("SELECT image_id FROM image_assets WHERE id = $1")
            .bind(asset_id)
            .fetch_one(db)
            .await
            .context("finding an asset's image")
    }
}
